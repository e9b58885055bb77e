// Helpers for the tests of Meta's side: the stack's simulator (its
// control API, docs/meta.md), tenants whose WhatsApp account the
// simulator knows, signed webhooks, and the official Late SDK.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { Zernio } from '@getlatedev/node';
import { BASE, DIR, admin, eventually, parseEnv, psql, request, secrets } from './harness.mjs';

// Where the stack's simulator listens (stack.sh writes metasim.env).
export const SIM = parseEnv(fs.readFileSync(path.join(DIR, 'metasim.env'), 'utf8')).WA_METASIM_URL;

// The sandbox app's webhook secret and verify token.
export const APP_SECRET = secrets().WA_SANDBOX_APP_SECRET;
export const VERIFY_TOKEN = secrets().WA_SANDBOX_VERIFY_TOKEN;

// A request to the simulator (control API or Graph), through the
// harness's client (an absolute URL replaces the stack's base);
// resolves to {status, headers, json, text}.
export function sim(method, urlPath, body, headers = {}) {
	return request(method, new URL(urlPath, SIM).href, { body, headers });
}

// A control call that must succeed; returns its JSON.
export async function control(method, urlPath, body) {
	const r = await sim(method, urlPath, body);
	if (r.status !== 200) throw new Error(`${method} ${urlPath}: ${r.status} ${r.text}`);
	return r.json;
}

let seq = 0;
// A tenant whose account the simulator knows exactly (ids, token,
// display number), with an admin key and a member key.  reviewMs: the
// simulator's template review delay for its WABA (0: only by control).
export async function metaTenant({ reviewMs = 0 } = {}) {
	seq += 1;
	const tag = `${process.pid}${String(seq).padStart(3, '0')}`;
	const t = {
		wabaId: `41${tag}`, phoneNumberId: `42${tag}`, token: `e2e-token-${tag}`,
		display: `+1555${String(seq * 7919 + process.pid).slice(-7).padStart(7, '0')}`,
	};
	t.orgId = admin('org', 'create', `Meta Org ${tag}`).WA_ORG_ID;
	t.accountId = admin('account', 'add', '--org', t.orgId, '--waba', t.wabaId,
		'--phone-number-id', t.phoneNumberId, '--display', t.display, '--token', t.token).WA_ACCOUNT_ID;
	t.key = admin('key', 'create', '--org', t.orgId, '--role', 'admin').WA_API_KEY;
	t.memberKey = admin('key', 'create', '--org', t.orgId, '--role', 'member').WA_API_KEY;
	await control('POST', '/_sim/accounts', {
		waba_id: t.wabaId, phone_number_id: t.phoneNumberId, token: t.token,
		display_phone_number: t.display, verified_name: `Meta Org ${tag}`,
	});
	await control('POST', `/_sim/wabas/${t.wabaId}`, { review_ms: reviewMs });
	return t;
}

// The simulator's view of a WABA's templates.
export async function simTemplates(wabaId) {
	return (await control('GET', `/_sim/wabas/${wabaId}`)).templates;
}

// Meta's review decision for a template, by name (and language).
export async function review(wabaId, name, status, { language = 'en_US', reason } = {}) {
	const t = (await simTemplates(wabaId)).find((x) => x.name === name && x.language === language);
	if (!t) throw new Error(`the simulator has no template ${name}/${language}`);
	return control('POST', `/_sim/templates/${t.id}/review`, { status, ...(reason ? { reason } : {}) });
}

// Faults: replace them all with these (each {path, method?, status?,
// code?, latency_ms?, timeout?, drop?, malformed?, redirect?, count?}).
export async function faults(...specs) {
	await control('DELETE', '/_sim/faults');
	for (const f of specs) await control('POST', '/_sim/faults', f);
}

// What the simulator received whose path holds sub.
export async function received(sub) {
	return (await control('GET', `/_sim/requests?path=${encodeURIComponent(sub)}`)).requests;
}

// X-Hub-Signature-256 of a body under a secret.
export function signature(body, secret = APP_SECRET) {
	return `sha256=${crypto.createHmac('sha256', secret).update(body).digest('hex')}`;
}

// POSTs a webhook to the stack's /webhooks/meta; body as given (a
// string is sent byte for byte), signed unless sig is given (null:
// no header).
export function postWebhook(body, { sig, secret } = {}) {
	const raw = typeof body === 'string' ? body : JSON.stringify(body);
	const headers = {};
	if (sig !== null) headers['x-hub-signature-256'] = sig ?? signature(raw, secret);
	return request('POST', '/webhooks/meta', { body: raw, headers });
}

// Rows of a tenant table, read as the super user (tests only).
export function rows(sql) {
	const out = psql(sql, { as: 'super' });
	return out === '' ? [] : out.split('\n');
}

// Waits until the worker has applied every stored event (of every
// tenant: a suite that stored thousands waits for them itself, see
// 96_hostile).
export async function drained({ timeoutMs = 10000 } = {}) {
	await eventually(() => psql(`SELECT count(*) FROM wa.webhook_events WHERE state = 'pending'`,
		{ as: 'super' }) === '0', { timeoutMs });
}

// A template body as Late's create takes it.
export function template(t, name, extra = {}) {
	return {
		accountId: t.accountId, name, category: 'UTILITY', language: 'en_US',
		components: [{
			type: 'body', text: 'Your order {{1}} has been confirmed. Expected delivery: {{2}}',
			example: { body_text: [['A-17', 'Monday']] },
		}],
		...extra,
	};
}

// The official Late SDK (latest), pointed at the stack.
export function late(key) {
	return new Zernio({ apiKey: key, baseURL: BASE });
}
