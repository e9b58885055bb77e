// Helpers of the sending tests (tests/e2e/40x_*): Late's bulk send and
// broadcasts over raw HTTP (Authorization: Bearer, as the SDK sends it),
// tenants with an approved template at the simulator, recipients'
// phones, the simulator's send ledger, and wagate's message rows (read
// as the super user, for the checks the API does not show).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { ROOT, admin, dbEnv, eventually, graphEnv, parseEnv, psql, request, secrets, sleep } from './harness.mjs';
import { control, postWebhook, review } from './meta.mjs';
import { jsonHeaders } from './expect.mjs';

export const BULK = '/v1/whatsapp/bulk';
export const B = '/v1/whatsapp/broadcasts';
export const TEMPLATES = '/v1/whatsapp/templates';

export { invalid, fails, qs } from './contacts.mjs';

// A request the way the Late SDK sends it: Authorization: Bearer.
export function late(method, urlPath, key, body, headers = {}) {
	const h = { ...headers };
	if (key) h.authorization = `Bearer ${key}`;
	return request(method, urlPath, { headers: h, body });
}

// Late's success envelope: {success: true, ...}; returns the body.
export function ok(r, status = 200) {
	assert.equal(r.status, status, `expected ${status}, got ${r.status}: ${r.text}`);
	jsonHeaders(r);
	assert.equal(r.json.success, true, r.text);
	return r.json;
}

export const notFound = (r) => {
	assert.equal(r.status, 404, `expected 404, got ${r.status}: ${r.text}`);
	jsonHeaders(r);
	assert.deepEqual(r.json, { success: false, error: 'Broadcast not found', code: 'not_found' });
};
export const noAccount = (r) => {
	assert.equal(r.status, 404, `expected 404, got ${r.status}: ${r.text}`);
	jsonHeaders(r);
	assert.deepEqual(r.json, { success: false, error: 'WhatsApp account not found', code: 'not_found' });
};

// A Late error with a code (and optionally a message that starts so).
export function lateFail(r, status, code, prefix) {
	assert.equal(r.status, status, `expected ${status} ${code}, got ${r.status}: ${r.text}`);
	jsonHeaders(r);
	assert.equal(r.json.success, false, r.text);
	assert.equal(r.json.code, code, r.text);
	assert.equal(typeof r.json.error, 'string');
	if (prefix) assert.ok(r.json.error.startsWith(prefix), `"${r.json.error}" starts with "${prefix}"`);
	return r.json;
}

// Recipients' phones no other test of this run uses: +44 20 then 8
// digits from the process id (the tenants' own numbers are +1 555...).
let seq = 0;
export function phone() {
	seq += 1;
	return `+4420${String((process.pid * 100 + seq) % 100000000).padStart(8, '0')}`;
}
export const phones = (n) => Array.from({ length: n }, () => phone());
// The simulator's spelling of a phone: digits only.
export const digits = (p) => p.replace(/\D/g, '');

// A body of n placeholders, as Late's template create takes it.
export function templateBody(params) {
	const marks = Array.from({ length: params }, (_, i) => `{{${i + 1}}}`);
	return {
		type: 'body',
		text: params === 0 ? 'Your order is on its way' : `Hello ${marks.join(' and ')}, your order is ready`,
		...(params > 0 ? { example: { body_text: [marks.map((_, i) => `v${i + 1}`)] } } : {}),
	};
}

// A template created through wagate (so wagate's copy has it) and
// approved at the simulator; waits until the copy says APPROVED.
export async function approvedTemplate(t, name, { params = 1, category = 'UTILITY', language = 'en_US' } = {}) {
	const r = await late('POST', TEMPLATES, t.key, {
		accountId: t.accountId, name, category, language, components: [templateBody(params)],
	});
	ok(r);
	await review(t.wabaId, name, 'APPROVED', { language });
	await eventually(async () => {
		const g = await late('GET', `${TEMPLATES}/${name}?accountId=${t.accountId}&language=${language}`, t.key);
		return g.status === 200 && g.json.template.status === 'APPROVED';
	});
	return { name, language };
}

// wa-admin as harness.admin() runs it, without blocking the event loop,
// so that tenants of tests that run together are made together.
const execFileP = promisify(execFile);
export async function adminAsync(...args) {
	// the Graph API it proves numbers at is the stack's (graph.env)
	const env = { ...process.env, WA_ADMIN_DATABASE_URL: dbEnv().WA_ADMIN_DATABASE_URL,
		WA_SECRET_KEY: secrets().WA_SECRET_KEY, ...graphEnv() };
	const bin = path.join(process.env.WA_BIN_DIR || path.join(ROOT, 'build/bin'), 'wa-admin');
	try {
		return parseEnv((await execFileP(bin, args, { env, encoding: 'utf8' })).stdout);
	} catch (e) {
		throw new Error(`wa-admin ${args.join(' ')}: ${e.stderr}`);
	}
}

// Runs the fns given to it one after the other.
let queue = Promise.resolve();
function serially(fn) {
	const p = queue.then(fn);
	queue = p.catch(() => {});
	return p;
}

// A tenant of the simulator (as meta.mjs's metaTenant: its WABA, number
// and token known to the simulator, an admin key, and with member: true
// a member key) with an approved template `notice` of one body parameter
// (t.tpl; template: null for none).
let tseq = 0;
export async function sendTenant(opts = {}) {
	tseq += 1;
	const tag = `${process.pid}${String(tseq).padStart(3, '0')}`;
	const t = {
		wabaId: `43${tag}`, phoneNumberId: `44${tag}`, token: `e2e-send-token-${tag}`,
		display: `+1556${String(tseq * 7919 + process.pid).slice(-7).padStart(7, '0')}`,
	};
	// the simulator knows the number and its token first: wa-admin
	// proves the number there before it attaches it
	await control('POST', '/_sim/accounts', {
		waba_id: t.wabaId, phone_number_id: t.phoneNumberId, token: t.token,
		display_phone_number: t.display, verified_name: `Send Org ${tag}`,
	});
	// one tenant at a time: a crowd of wa-admin processes on a busy
	// machine can miss the database's connect timeout
	const [a, k, m] = await serially(async () => {
		t.orgId = (await adminAsync('org', 'create', `Send Org ${tag}`)).WA_ORG_ID;
		return Promise.all([
			adminAsync('account', 'add', '--org', t.orgId, '--waba', t.wabaId, '--phone-number-id',
				t.phoneNumberId, '--display', t.display, '--token', t.token),
			adminAsync('key', 'create', '--org', t.orgId, '--role', 'admin'),
			opts.member ? adminAsync('key', 'create', '--org', t.orgId, '--role', 'member') : {},
		]);
	});
	t.accountId = a.WA_ACCOUNT_ID;
	t.key = k.WA_API_KEY;
	t.memberKey = m.WA_API_KEY;
	await control('POST', `/_sim/wabas/${t.wabaId}`, { review_ms: 0 });
	if (opts.template !== null) t.tpl = await approvedTemplate(t, opts.template || 'notice', opts);
	return t;
}

// Recipients with one variable each.
export const withVars = (list) => list.map((p, i) => ({ phone: p, variables: { 1: `R${i + 1}` } }));

// POST /bulk; returns the raw response.
export function bulk(t, recipients, { template = t.tpl, key = t.key, headers } = {}) {
	return late('POST', BULK, key, { accountId: t.accountId, recipients, template }, headers);
}

// The result keys of a bulk answer (seed 002 plus id and status).
export function bulkShape(b) {
	assert.deepEqual(Object.keys(b), ['success', 'summary', 'results']);
	assert.deepEqual(Object.keys(b.summary), ['total', 'sent', 'failed', 'pending', 'unknown']);
	for (const x of b.results) {
		assert.equal(typeof x.phone, 'string');
		assert.equal(typeof x.success, 'boolean');
		assert.equal(typeof x.status, 'string');
		if (x.success) assert.match(x.messageId, /^wamid\./);
		else assert.equal(typeof x.error, 'string');
	}
	assert.equal(b.results.length, b.summary.total);
	return b;
}

// POST /broadcasts that must succeed; returns the broadcast.
export async function createBroadcast(t, { recipients = [], name = 'Weekly', template = t.tpl, key = t.key, ...extra } = {}) {
	const body = { accountId: t.accountId, name, template, ...extra };
	if (recipients.length > 0) body.recipients = recipients;
	return ok(await late('POST', B, key, body)).broadcast;
}

export async function getBroadcast(t, id, key = t.key) {
	return ok(await late('GET', `${B}/${id}`, key)).broadcast;
}

export async function recipientsOf(t, id, query = '', key = t.key) {
	return ok(await late('GET', `${B}/${id}/recipients${query ? `?${query}` : ''}`, key));
}

export function sendBroadcast(t, id, { key = t.key, headers, query = '' } = {}) {
	return late('POST', `${B}/${id}/send${query}`, key, undefined, headers);
}

// Waits until the broadcast has left draft/scheduled/sending; returns it.
export async function finished(t, id, timeoutMs = 15000) {
	let b;
	await eventually(async () => {
		b = await getBroadcast(t, id);
		return !['draft', 'scheduled', 'sending'].includes(b.status);
	}, { timeoutMs });
	return b;
}

// The simulator's send ledger of the tenant's number, every page.
export async function ledger(t) {
	const out = [];
	let since = 0;
	for (;;) {
		const page = await control('GET', `/_sim/sends?phone_number_id=${t.phoneNumberId}&since=${since}&limit=1000`);
		out.push(...page.sends);
		if (page.sends.length < 1000) return out;
		since = page.next;
	}
}
export async function summary(t) {
	return control('GET', `/_sim/sends/summary?phone_number_id=${t.phoneNumberId}`);
}
// Accepted sends to a phone, in the ledger of the tenant's number.
export async function acceptedTo(t, p) {
	return (await ledger(t)).filter((s) => s.to === digits(p) && s.code === 0);
}

// wagate's message rows of a batch (a bulk request or a broadcast), in
// order, read as the super user.
export function messages(batchId) {
	const out = psql(`SELECT coalesce(json_agg(json_build_object('id', id, 'phone', to_phone,
		'status', status, 'error_code', error_code, 'error', error, 'wamid', wamid,
		'attempts', attempts, 'contact_id', contact_id, 'meta_code', meta_code) ORDER BY seq), '[]')
		FROM wa.messages WHERE batch_id = '${batchId}'`, { as: 'super' });
	return JSON.parse(out);
}
export function message(id) {
	const out = psql(`SELECT json_build_object('id', id, 'phone', to_phone, 'status', status,
		'error_code', error_code, 'error', error, 'wamid', wamid, 'attempts', attempts,
		'sent_at', sent_at, 'delivered_at', delivered_at, 'read_at', read_at, 'batch_id', batch_id)
		FROM wa.messages WHERE id = '${id}'`, { as: 'super' });
	return out ? JSON.parse(out) : undefined;
}

// Runs fn with the simulator's settings changed, then puts back the ones
// it changed.
export async function withSimConfig(cfg, fn) {
	const before = await control('GET', '/_sim/config');
	const old = Object.fromEntries(Object.keys(cfg).map((k) => [k, before[k]]));
	await control('POST', '/_sim/config', cfg);
	try {
		return await fn();
	} finally {
		await control('POST', '/_sim/config', old);
	}
}

// Faults on the tenant's own number only (other tenants' sends go on).
export const messagesPath = (t) => `/${t.phoneNumberId}/messages`;
export async function addFault(spec) {
	return control('POST', '/_sim/faults', spec);
}
export async function removeFault(f) {
	await control('DELETE', `/_sim/faults/${f.id}`);
}

// The account's messages per second (wa-admin account pace).
export function pace(t, mps) {
	admin('account', 'pace', t.accountId, '--mps', String(mps));
}

export { sleep };

// A signed messages webhook with these statuses for the tenant's number,
// as Meta sends it (each {id: wamid, status, ...}; timestamp and
// recipient_id filled in when absent).  Resolves to the response.
export function postStatuses(t, statuses) {
	const now = Math.floor(Date.now() / 1000);
	return postWebhook({
		object: 'whatsapp_business_account',
		entry: [{ id: t.wabaId, changes: [{ field: 'messages', value: {
			messaging_product: 'whatsapp',
			metadata: { display_phone_number: digits(t.display), phone_number_id: t.phoneNumberId },
			statuses: statuses.map((s) => ({ timestamp: String(now), ...s })),
		} }] }],
	});
}

// Accepted by Meta: sent, or already further (a status webhook can beat
// the answer of a bulk send or a send on a busy machine).
export const went = (status) => ['sent', 'delivered', 'read'].includes(status);
