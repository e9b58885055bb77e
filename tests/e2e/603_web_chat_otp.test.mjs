// Web chat's one-time codes by e-mail (docs/web-chat.md, "Verified
// e-mail"): verify-otp sessions, resend-otp and link-email, the codes
// sent over SMTP (libcurl) to a real local server (python3-aiosmtpd,
// started by tests/e2e/run.sh into the maildir $DIR/mail).
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { api, DIR, eventually, psql, request, sleep, tenant } from './lib/harness.mjs';
import { mosendError, TS } from './lib/expect.mjs';
import { mosendOk, mosendValidation } from './lib/flows.mjs';

const t = tenant({ account: false });
const SITE = 'https://shop.example.com';
const w = (c, p) => `/web-chat/${c.token}${p}`;
const call = (method, p, { token, body } = {}) => request(method, p, {
	headers: { origin: SITE, ...(token ? { authorization: `Bearer ${token}` } : {}) }, body,
});

async function channel() {
	const r = await api('POST', `/organizations/${t.orgId}/web-chat/channels`, t.key,
		{ body: { name: 'Acme Support', allowedDomains: ['shop.example.com'] } });
	assert.equal(r.status, 201, r.text);
	return r.json.data;
}

// The newest message the SMTP server received for `to`: its code.
async function codeFor(to, after = 0) {
	const dir = path.join(DIR, 'mail', 'new');
	let found;
	await eventually(() => {
		const files = fs.existsSync(dir) ? fs.readdirSync(dir) : [];
		const mails = files.map((f) => ({ f, st: fs.statSync(path.join(dir, f)) }))
			.filter((x) => x.st.mtimeMs > after)
			.map((x) => ({ ...x, text: fs.readFileSync(path.join(dir, x.f), 'utf8') }))
			.filter((x) => x.text.includes(`X-RcptTo: ${to}`))
			.sort((a, b) => a.st.mtimeMs - b.st.mtimeMs);
		assert.ok(mails.length > 0, `no mail for ${to}`);
		found = mails[mails.length - 1].text;
		return true;
	});
	const m = found.match(/is (\d{6})\./);
	assert.ok(m, found);
	return { code: m[1], text: found };
}

test('verify-otp: a code by e-mail, then the session with it; the visitor\'s e-mail is verified', async () => {
	const c = await channel();
	const before = Date.now() - 1000;
	const r = await call('POST', w(c, '/sessions'), { body: { mode: 'verify-otp', email: 'Ana@Example.com' } });
	assert.equal(r.status, 202, r.text);
	assert.deepEqual(Object.keys(r.json.data), ['otpRequired', 'email', 'expiresAt']);
	assert.equal(r.json.data.email, 'ana@example.com');
	assert.match(r.json.data.expiresAt, TS);
	const { code, text } = await codeFor('ana@example.com', before);
	assert.match(text, /Subject: Your verification code/);
	assert.match(text, /Your code for Acme Support is \d{6}\./);
	assert.match(text, /From: <no-reply@wagate.test>/);
	// a wrong code counts; the right one makes the session
	mosendValidation(await call('POST', w(c, '/sessions'), { body: { mode: 'verify-otp', email: 'ana@example.com',
		code: code === '000000' ? '111111' : '000000' } }), w(c, '/sessions'), ['code is not the code that was sent']);
	const s = await call('POST', w(c, '/sessions'), { body: { mode: 'verify-otp', email: 'ANA@example.com', code } });
	assert.equal(s.status, 201, s.text);
	assert.equal(s.json.data.mode, 'verify-otp');
	const v = psql(`SELECT mode, email_verified_at IS NOT NULL FROM wa.web_chat_visitors WHERE id = '${s.json.data.visitorId}'`,
		{ as: 'super' }).trim();
	assert.equal(v, 'verify-otp|t');
	// the code is used up
	mosendValidation(await call('POST', w(c, '/sessions'), { body: { mode: 'verify-otp', email: 'ana@example.com', code } }),
		w(c, '/sessions'), ['code is expired or was never sent; ask for a new one']);
	// only a hash of it was ever stored
	assert.equal(psql(`SELECT count(*) FROM wa.web_chat_otps WHERE email = 'ana@example.com'`, { as: 'super' }).trim(), '0');
});

test('codes: 30 s between two, five tries, resend-otp; the same address verifies to the same visitor', async () => {
	const c = await channel();
	const email = 'bo@example.com';
	assert.equal((await call('POST', w(c, '/sessions'), { body: { mode: 'verify-otp', email } })).status, 202);
	const again = await call('POST', w(c, '/sessions/resend-otp'), { body: { email } });
	const e = mosendError(again, 429, 'Too Many Requests', w(c, '/sessions/resend-otp'));
	assert.match(e.message, /moments ago/);
	assert.equal(again.headers['retry-after'], '30');
	// five wrong tries spend the code, even the right one after them
	const { code } = await codeFor(email);
	for (let i = 0; i < 5; i++) {
		await call('POST', w(c, '/sessions'), { body: { mode: 'verify-otp', email, code: code === '999999' ? '888888' : '999999' } });
	}
	mosendValidation(await call('POST', w(c, '/sessions'), { body: { mode: 'verify-otp', email, code } }),
		w(c, '/sessions'), ['code is expired or was never sent; ask for a new one']);
	// a new code (the gap shortened in the database, as 30 s passing would)
	psql(`UPDATE wa.web_chat_otps SET sent_at = now() - interval '1 minute' WHERE email = '${email}'`, { as: 'super' });
	const before = Date.now() - 1000;
	assert.equal((await call('POST', w(c, '/sessions/resend-otp'), { body: { email } })).status, 202);
	const fresh = (await codeFor(email, before)).code;
	const s1 = (await call('POST', w(c, '/sessions'), { body: { mode: 'verify-otp', email, code: fresh } })).json.data;
	psql(`UPDATE wa.web_chat_otps SET sent_at = now() - interval '1 minute' WHERE email = '${email}'`, { as: 'super' });
	const b2 = Date.now() - 1000;
	await call('POST', w(c, '/sessions'), { body: { mode: 'verify-otp', email } });
	const s2 = (await call('POST', w(c, '/sessions'), { body: { mode: 'verify-otp', email, code: (await codeFor(email, b2)).code } })).json.data;
	assert.equal(s2.visitorId, s1.visitorId);
	assert.equal(s2.conversationId, s1.conversationId);
	// what the routes refuse
	mosendValidation(await call('POST', w(c, '/sessions'), { body: { mode: 'verify-otp' } }), w(c, '/sessions'),
		['email is required in mode verify-otp']);
	mosendValidation(await call('POST', w(c, '/sessions/resend-otp'), { body: { email: 'nope' } }), w(c, '/sessions/resend-otp'),
		['email must be an e-mail address']);
	mosendValidation(await call('POST', w(c, '/sessions'), { body: { mode: 'verify-otp', email, code: '12ab56' } }),
		w(c, '/sessions'), ['code must be the six digits of the e-mail']);
});

test('link-email: an anonymous visitor proves an address with a code', async () => {
	const c = await channel();
	const s = (await call('POST', w(c, '/sessions'), { body: {} })).json.data;
	const email = 'cy@example.com';
	const before = Date.now() - 1000;
	const r = await call('POST', w(c, '/sessions/link-email'), { token: s.token, body: { email } });
	assert.equal(r.status, 202, r.text);
	const { code } = await codeFor(email, before);
	const ok = await call('POST', w(c, '/sessions/link-email'), { token: s.token, body: { email, code } });
	assert.equal(ok.status, 200, ok.text);
	assert.deepEqual(ok.json.data, { email, verified: true });
	const conv = mosendOk(await api('GET', `/organizations/${t.orgId}/conversations/${s.conversationId}`, t.key));
	assert.equal(conv.visitor.email, email);
	// without a visitor token: 401; another visitor cannot use the code
	assert.equal((await call('POST', w(c, '/sessions/link-email'), { body: { email } })).status, 401);
	const preflight = await request('OPTIONS', w(c, '/sessions/link-email'), { headers: { origin: SITE,
		'access-control-request-method': 'POST' } });
	assert.equal(preflight.status, 204);
});
