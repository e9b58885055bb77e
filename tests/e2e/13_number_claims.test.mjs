// Number claims (issue 11, item 1; docs/profiles.md): a WhatsApp number
// is attached only once the token given proves it at Meta (the token
// reaches the WABA and the number, and the number is one of the
// WABA's), and one Meta phone-number id belongs to one organization at
// a time.  An organization that tries another's number gets 422 (no
// proof) or 409 (proven, but taken) and never its webhooks; the
// operator moves a number with `wa-admin account move`.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { admin, api, dbEnv, eventually, graphEnv, psql, ROOT, secrets, uuid } from './lib/harness.mjs';
import { UUID, sentError, sentOk } from './lib/expect.mjs';
import { control, drained, metaTenant, sim } from './lib/meta.mjs';

const victim = await metaTenant();
const attacker = await metaTenant();
const q = (sql) => psql(sql, { as: 'super' });
const fresh = () => `9${process.pid}${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}`;

// wa-admin's raw output, with env over the stack's settings.
function waAdmin(env, ...args) {
	return execFileSync(path.join(process.env.WA_BIN_DIR, 'wa-admin'), args, {
		env: { ...process.env, ...graphEnv(), WA_ADMIN_DATABASE_URL: dbEnv().WA_ADMIN_DATABASE_URL,
			WA_SECRET_KEY: secrets().WA_SECRET_KEY, ...env },
		encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'],
	});
}

function claim(t, waba, extra = {}) {
	return api('POST', '/v3/profiles', t.key, {
		body: { name: 'claimed', whatsapp_business_account: waba, ...extra },
	});
}

// Rows an organization has in the tables Meta's webhooks fill.
function hookRows(orgId) {
	return ['inbound_messages', 'message_statuses', 'template_events'].map((tb) =>
		Number(q(`SELECT count(*) FROM wa.${tb} WHERE org_id = '${orgId}'`)));
}

// An inbound message, a status of a message the victim's number sent,
// and a template decision on the victim's WABA, through the simulator;
// resolves once the worker has applied them all.
async function meta(t, tag) {
	const { wamid } = await control('POST', '/_sim/inbound', {
		phone_number_id: t.phoneNumberId, from: '+16505550111', name: 'A customer', text: `order ${tag}`,
	});
	const sent = await sim('POST', `/v23.0/${t.phoneNumberId}/messages`, {
		messaging_product: 'whatsapp', to: '+16505550111', type: 'text', text: { body: `re ${tag}` },
	}, { authorization: `Bearer ${t.token}` });
	assert.equal(sent.status, 200, sent.text);
	const made = await sim('POST', `/v23.0/${t.wabaId}/message_templates`, {
		name: `claims_${tag}`, language: 'en_US', category: 'UTILITY',
		components: [{ type: 'BODY', text: 'Your order {{1}}', example: { body_text: [['A1']] } }],
	}, { authorization: `Bearer ${t.token}` });
	assert.equal(made.status, 200, made.text);
	await control('POST', `/_sim/templates/${made.json.id}/review`, { status: 'APPROVED' });
	const out = sent.json.messages[0].id;
	await eventually(() => q(`SELECT count(*) FROM wa.inbound_messages WHERE wamid = '${wamid}'`) === '1'
		&& q(`SELECT count(*) FROM wa.message_statuses WHERE wamid = '${out}'`) !== '0'
		&& q(`SELECT count(*) FROM wa.template_events WHERE meta_template_id = '${made.json.id}'`) === '1');
	await drained();
	return { wamid, out, templateId: made.json.id };
}

test('proof fails: another organization\'s number or WABA with one\'s own token is 422 BUSINESS_016, nothing written', async () => {
	const before = q(`SELECT count(*) FROM wa.wa_accounts WHERE org_id = '${attacker.orgId}'`);
	const cases = [
		[{ waba_id: victim.wabaId, phone_number_id: victim.phoneNumberId }, `phone number ${victim.phoneNumberId}`],
		[{ waba_id: attacker.wabaId, phone_number_id: victim.phoneNumberId }, `phone number ${victim.phoneNumberId}`],
		[{ waba_id: victim.wabaId, phone_number_id: fresh() }, `Business Account ${victim.wabaId}`],
		[{ waba_id: victim.wabaId }, `Business Account ${victim.wabaId}`],
	];
	for (const [ids, what] of cases) {
		const r = await claim(attacker, { ...ids, access_token: attacker.token });
		const e = sentError(r, 422, 'BUSINESS_016');
		assert.ok(e.message.includes(`The access token cannot reach WhatsApp ${what} at Meta`), e.message);
		// Meta's own refusal comes along (contract §11 item 2)
		assert.equal(e.details.meta.code, 200);
		assert.equal(e.details.retryable, false);
		assert.ok(!r.text.includes(attacker.token) && !r.text.includes(victim.orgId));
	}
	// a token nobody ever used gets no further in the sandbox
	sentError(await claim(attacker, { waba_id: victim.wabaId, phone_number_id: victim.phoneNumberId,
		access_token: `new-token-${uuid()}` }), 422, 'BUSINESS_016');
	// a number the token reaches, but of another WABA
	const other = { waba: fresh(), phone: fresh() };
	await control('POST', '/_sim/accounts', { waba_id: other.waba, phone_number_id: other.phone, token: attacker.token });
	const e = sentError(await claim(attacker, { waba_id: attacker.wabaId, phone_number_id: other.phone,
		access_token: attacker.token }), 422, 'BUSINESS_016');
	assert.ok(e.message.includes(`WhatsApp phone number ${other.phone} does not belong to WhatsApp Business Account ${attacker.wabaId}`), e.message);
	// nothing was written: no profile, no account
	assert.deepEqual(sentOk(await api('GET', '/v3/profiles', attacker.key)).profiles, []);
	assert.equal(q(`SELECT count(*) FROM wa.wa_accounts WHERE org_id = '${attacker.orgId}'`), before);
});

test('proven but held by another organization: 409 CONFLICT_015, x-should-retry: false, nothing says whose', async () => {
	// the victim's own token (leaked, or one token the operator gave both)
	const r = await claim(attacker, { waba_id: victim.wabaId, phone_number_id: victim.phoneNumberId, access_token: victim.token });
	const e = sentError(r, 409, 'CONFLICT_015');
	assert.equal(r.headers['x-should-retry'], 'false');
	assert.equal(e.message, 'This WhatsApp phone number is already connected to another organization; '
		+ 'ask the operator to move it (wa-admin account move)');
	assert.equal(e.details, null);
	for (const s of [victim.orgId, victim.accountId, victim.token]) assert.ok(!r.text.includes(s));
	// a second token of the victim's business (the simulator grants it the WABA)
	const shared = `shared-${uuid()}`;
	await control('POST', '/_sim/accounts', { waba_id: victim.wabaId, phone_number_id: victim.phoneNumberId, token: shared });
	const waba = { waba_id: victim.wabaId, phone_number_id: victim.phoneNumberId, access_token: shared };
	sentError(await claim(attacker, waba), 409, 'CONFLICT_015');
	// PATCH of a profile answers the same
	const p = sentOk(await api('POST', '/v3/profiles', attacker.key, { body: { name: 'patched' } }), 201);
	const patch = (w) => api('PATCH', `/v3/profiles/${p.id}`, attacker.key, { body: { whatsapp_business_account: w } });
	sentError(await patch({ ...waba, access_token: attacker.token }), 422, 'BUSINESS_016');
	const pr = await patch(waba);
	sentError(pr, 409, 'CONFLICT_015');
	assert.equal(pr.headers['x-should-retry'], 'false');
	assert.equal(sentOk(await api('GET', `/v3/profiles/${p.id}`, attacker.key)).waba_id, attacker.wabaId);
	// one live account holds the number: the victim's
	assert.equal(q(`SELECT string_agg(org_id::text, ',') FROM wa.wa_accounts
		WHERE phone_number_id = '${victim.phoneNumberId}' AND deleted_at IS NULL`), victim.orgId);
});

test('wa-admin account add proves the number as the API does', () => {
	const add = (...extra) => admin('account', 'add', '--org', attacker.orgId, '--waba', victim.wabaId,
		'--phone-number-id', victim.phoneNumberId, ...extra);
	const fails = (fn, re) => assert.throws(fn, (e) => e.status === 1 && re.test(e.stderr));
	fails(() => add('--token', attacker.token), /cannot reach WhatsApp phone number/);
	fails(() => add('--token', victim.token), /already connected to another organization/);
	// the operator's word skips Meta, not the one-organization rule
	fails(() => add('--token', attacker.token, '--no-verify'), /already connected to another organization/);
	// the display number comes from Meta when not given
	const own = { waba: fresh(), phone: fresh(), token: `own-${uuid()}` };
	const a = admin('account', 'add', '--org', attacker.orgId, '--waba', own.waba,
		'--phone-number-id', own.phone, '--token', own.token).WA_ACCOUNT_ID;
	assert.equal(q(`SELECT proof || '|' || (verified_at IS NOT NULL) || '|' || (display_phone_number ~ '^\\+[0-9]+$')
		FROM wa.wa_accounts WHERE id = '${a}'`), 'meta|true|true');
	// --no-verify: no call to Meta, recorded as the operator's
	const off = admin('account', 'add', '--org', attacker.orgId, '--waba', fresh(), '--phone-number-id', fresh(),
		'--token', attacker.token, '--no-verify').WA_ACCOUNT_ID;
	assert.equal(q(`SELECT proof || '|' || (verified_at IS NULL) FROM wa.wa_accounts WHERE id = '${off}'`), 'operator|true');
	// no Graph API to ask: refused, with the way out
	assert.throws(() => waAdmin({ WA_GRAPH_URL: 'https://localhost:1/v23.0' }, 'account', 'add', '--org', attacker.orgId,
		'--waba', fresh(), '--phone-number-id', fresh(), '--token', attacker.token),
	(e) => e.status === 1 && /Graph API \(https:\/\/localhost:1\/v23\.0\) did not answer.*--no-verify/.test(e.stderr)
		&& /Could not verify the WhatsApp number with Meta/.test(e.stderr));
});

test('the same organization claiming its number again: 409 CONFLICT_001, as before', async () => {
	const r = await claim(victim, { waba_id: victim.wabaId, phone_number_id: victim.phoneNumberId, access_token: victim.token });
	sentError(r, 409, 'CONFLICT_001');
	assert.equal(r.headers['x-should-retry'], 'false');
	assert.throws(() => admin('account', 'add', '--org', victim.orgId, '--waba', victim.wabaId,
		'--phone-number-id', victim.phoneNumberId, '--token', victim.token), (e) => e.status === 1
		&& /already exists/.test(e.stderr));
});

test('PATCH whatsapp_business_account: a new token for the same number keeps the account; other ids replace it', async () => {
	const t = await metaTenant();
	const own = { waba_id: fresh(), phone_number_id: fresh(), access_token: `own-${uuid()}` };
	const p = sentOk(await claim(t, own), 201);
	assert.equal(p.waba_id, own.waba_id);
	assert.equal(p.status, 'approved');
	// the display number is Meta's
	assert.match(p.whatsapp_phone_number, /^\+1555\d{7}$/);
	const acc = q(`SELECT id FROM wa.wa_accounts WHERE profile_id = '${p.id}' AND deleted_at IS NULL`);
	const patch = (w) => api('PATCH', `/v3/profiles/${p.id}`, t.key, { body: { whatsapp_business_account: w } });
	// a second token of the same business: rotated in place
	const rotated = `rotated-${uuid()}`;
	await control('POST', '/_sim/accounts', { waba_id: own.waba_id, phone_number_id: own.phone_number_id, token: rotated });
	sentOk(await patch({ ...own, access_token: rotated }));
	assert.equal(q(`SELECT string_agg(id::text, ',') FROM wa.wa_accounts WHERE profile_id = '${p.id}'
		AND deleted_at IS NULL`), acc);
	// a token that does not reach it: refused, the account unchanged
	sentError(await patch({ ...own, access_token: t.token }), 422, 'BUSINESS_016');
	// other ids: the old account is retired, a new one attached
	const next = { waba_id: fresh(), phone_number_id: fresh(), access_token: `next-${uuid()}` };
	const got = sentOk(await patch(next));
	assert.equal(got.waba_id, next.waba_id);
	assert.equal(q(`SELECT (deleted_at IS NOT NULL) || '|' || deleted_reason FROM wa.wa_accounts WHERE id = '${acc}'`),
		'true|replaced by whatsapp_business_account in PATCH /v3/profiles/{id}');
	assert.equal(q(`SELECT count(*) FROM wa.wa_accounts WHERE profile_id = '${p.id}' AND deleted_at IS NULL
		AND phone_number_id = '${next.phone_number_id}' AND proof = 'meta'`), '1');
	// the old number is free again: another organization may prove it
	sentOk(await claim(attacker, own), 201);
	q(`UPDATE wa.wa_accounts SET deleted_at = now() WHERE phone_number_id = '${own.phone_number_id}'`);
});

test('wa-admin account verify proves an unproven account; account list shows who holds a number', async () => {
	const t = await metaTenant();
	q(`UPDATE wa.wa_accounts SET proof = NULL, verified_at = NULL WHERE id = '${t.accountId}'`);
	const v = admin('account', 'verify', '--account', t.accountId);
	assert.equal(v.WA_VERIFIED, 'meta');
	assert.equal(q(`SELECT proof || '|' || (verified_at IS NOT NULL) FROM wa.wa_accounts WHERE id = '${t.accountId}'`),
		'meta|true');
	// a token Meta no longer takes: the proof fails, nothing changes
	await control('POST', '/_sim/tokens', { token: t.token, state: 'expired' });
	try {
		assert.throws(() => admin('account', 'verify', '--account', t.accountId),
			(e) => e.status === 1 && /cannot reach WhatsApp phone number/.test(e.stderr));
	} finally {
		await control('POST', '/_sim/tokens', { token: t.token, state: 'valid' });
	}
	const out = waAdmin({}, 'account', 'list', '--phone-number-id', t.phoneNumberId);
	assert.match(out, new RegExp(`^account=${t.accountId} org=${t.orgId} profile= waba=${t.wabaId} `
		+ `phone_number_id=${t.phoneNumberId} display=\\${t.display} proof=meta verified_at=\\S+Z created_at=\\S+Z\n$`));
});

test('after the attempts, Meta\'s webhooks for the number reach the victim and only the victim', async () => {
	const before = hookRows(attacker.orgId);
	const got = await meta(victim, 'a');
	assert.deepEqual(hookRows(attacker.orgId), before);
	assert.deepEqual(before, [0, 0, 0]);
	assert.equal(q(`SELECT org_id FROM wa.inbound_messages WHERE wamid = '${got.wamid}'`), victim.orgId);
	assert.equal(q(`SELECT DISTINCT org_id FROM wa.message_statuses WHERE wamid = '${got.out}'`), victim.orgId);
	assert.equal(q(`SELECT org_id FROM wa.template_events WHERE meta_template_id = '${got.templateId}'`), victim.orgId);
});

test('an account from before proofs (proof NULL) on someone else\'s WABA gets none of its template events', async () => {
	const v = await metaTenant();
	const a = await metaTenant();
	// as 0007 finds it: unproven, newer than the WABA's first holder
	q(`INSERT INTO wa.wa_accounts (org_id, waba_id, phone_number_id, access_token_enc)
		VALUES ('${a.orgId}', '${v.wabaId}', '${fresh()}', '\\x00')`);
	const got = await meta(v, 'legacy');
	assert.equal(q(`SELECT string_agg(org_id::text, ',') FROM wa.template_events
		WHERE meta_template_id = '${got.templateId}'`), v.orgId);
	assert.deepEqual(hookRows(a.orgId), [0, 0, 0]);
});

test('wa-admin account move: the number, its token and its webhooks go to the new organization; the old keeps its history', async () => {
	const history = hookRows(victim.orgId);
	const m = admin('account', 'move', '--account', victim.accountId, '--org', attacker.orgId);
	assert.match(m.WA_ACCOUNT_ID, UUID);
	assert.equal(m.WA_MOVED_FROM, victim.accountId);
	assert.equal(q(`SELECT (deleted_at IS NOT NULL) || '|' || deleted_reason FROM wa.wa_accounts
		WHERE id = '${victim.accountId}'`), 'true|moved to another organization by the operator (wa-admin account move)');
	assert.equal(q(`SELECT org_id || '|' || waba_id || '|' || phone_number_id || '|' || display_phone_number
		|| '|' || proof FROM wa.wa_accounts WHERE id = '${m.WA_ACCOUNT_ID}'`),
	`${attacker.orgId}|${victim.wabaId}|${victim.phoneNumberId}|${victim.display}|meta`);
	// the token moved, sealed for the new account: wagate can call Meta with it
	const l = await api('GET', `/v1/whatsapp/templates?accountId=${m.WA_ACCOUNT_ID}`, attacker.key);
	assert.equal(l.status, 200, l.text);
	assert.equal((await api('GET', `/v1/whatsapp/templates?accountId=${victim.accountId}`, victim.key)).status, 404);
	// webhooks now land in the new organization only
	const got = await meta(victim, 'b');
	assert.equal(q(`SELECT org_id || '|' || account_id FROM wa.inbound_messages WHERE wamid = '${got.wamid}'`),
		`${attacker.orgId}|${m.WA_ACCOUNT_ID}`);
	assert.equal(q(`SELECT string_agg(org_id::text, ',') FROM wa.template_events
		WHERE meta_template_id = '${got.templateId}'`), attacker.orgId);
	assert.deepEqual(hookRows(victim.orgId), history);
	// and back, to a profile of the first organization: Meta is not
	// asked (a token it no longer takes does not stop the operator),
	// the proof moves along
	const p = admin('profile', 'create', '--org', victim.orgId, '--name', 'Returned').WA_PROFILE_ID;
	await control('POST', '/_sim/tokens', { token: victim.token, state: 'expired' });
	let back;
	try {
		back = admin('account', 'move', '--account', m.WA_ACCOUNT_ID, '--org', victim.orgId, '--profile', p);
	} finally {
		await control('POST', '/_sim/tokens', { token: victim.token, state: 'valid' });
	}
	assert.equal(q(`SELECT org_id || '|' || profile_id || '|' || proof || '|' || (verified_at IS NOT NULL)
		FROM wa.wa_accounts WHERE id = '${back.WA_ACCOUNT_ID}' AND deleted_at IS NULL`), `${victim.orgId}|${p}|meta|true`);
	// what cannot be moved
	const fails = (args, re) => assert.throws(() => admin('account', 'move', ...args),
		(e) => e.status !== 0 && re.test(e.stderr));
	fails(['--account', m.WA_ACCOUNT_ID, '--org', victim.orgId], /no live account/);
	fails(['--account', uuid(), '--org', victim.orgId], /no live account/);
	fails(['--account', back.WA_ACCOUNT_ID, '--org', attacker.orgId, '--profile', p], /no live profile/);
	fails(['--account', 'nope', '--org', victim.orgId], /must be a UUID/);
});

test('0007 retires the newer of duplicate claims that a database holds, and routes the number to the oldest', () => {
	const sql = fs.readFileSync(path.join(ROOT, 'sql/0007_number_claims.sql'), 'utf8');
	const [old, young, phone] = [uuid(), uuid(), fresh()];
	// replayed inside a transaction that is rolled back: the index
	// would not let the duplicates in, so it goes first
	const out = q(`BEGIN;
		DROP INDEX wa.wa_accounts_number;
		INSERT INTO wa.wa_accounts (id, org_id, waba_id, phone_number_id, access_token_enc, created_at) VALUES
			('${young}', '${attacker.orgId}', '1', '${phone}', '\\x00', now() - interval '1 day'),
			('${old}', '${victim.orgId}', '2', '${phone}', '\\x00', now() - interval '2 days');
		${sql}
		SELECT id || '|' || (deleted_at IS NULL) || '|' || coalesce(deleted_reason, '-') FROM wa.wa_accounts
			WHERE phone_number_id = '${phone}' ORDER BY created_at;
		SELECT account_id FROM wa.webhook_route('${phone}', NULL);
		ROLLBACK;`);
	const lines = out.split('\n');
	assert.equal(lines[0], `${old}|true|-`);
	assert.match(lines[1], new RegExp(`^${young}\\|false\\|0007_number_claims: .*another organization`));
	assert.equal(lines[2], old);
	assert.equal(q(`SELECT count(*) FROM wa.wa_accounts WHERE phone_number_id = '${phone}'`), '0');
	assert.equal(q(`SELECT count(*) FROM pg_indexes WHERE indexname = 'wa_accounts_number'`), '1');
});
