// Web Push for web chat visitors who left (docs/web-chat.md, "Web
// Push"): the widget's push/vapid, subscribe and unsubscribe; an
// agent's answer to a visitor who is not there (away, silent, or no
// live connection open) reaches a local push
// endpoint (the test's own server) encrypted for the browser's keys
// (RFC 8291) and signed with the server's VAPID key (RFC 8292), which
// the endpoint checks and decrypts as a push service and a browser do.
import test from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import { api, eventually, psql, request, sleep, tenant } from './lib/harness.mjs';
import { eventSource } from './lib/live.mjs';
import { mosendOk, mosendValidation } from './lib/flows.mjs';

const t = tenant({ account: false });
const SITE = 'https://shop.example.com';
const w = (c, p) => `/web-chat/${c.token}${p}`;
const call = (method, p, { token, body } = {}) => request(method, p, {
	headers: { origin: SITE, ...(token ? { authorization: `Bearer ${token}` } : {}) }, body,
});
const b64u = (b) => Buffer.from(b).toString('base64url');

// The push endpoint: records what it gets; answers `status`.
const got = [];
let status = 201;
const server = http.createServer((req, res) => {
	const chunks = [];
	req.on('data', (c) => chunks.push(c));
	req.on('end', () => {
		got.push({ path: req.url, headers: req.headers, body: Buffer.concat(chunks) });
		res.writeHead(status);
		res.end();
	});
});
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const PORT = server.address().port;
test.after(() => server.close());

// A browser's subscription keys.
function browser() {
	const ecdh = crypto.createECDH('prime256v1');
	ecdh.generateKeys();
	return { ecdh, auth: crypto.randomBytes(16), p256dh: b64u(ecdh.getPublicKey()) };
}

// RFC 8291 decryption, as the browser does it.
function decrypt(b, body) {
	const salt = body.subarray(0, 16);
	const idlen = body[20];
	const keyid = body.subarray(21, 21 + idlen);
	const ct = body.subarray(21 + idlen);
	const secret = b.ecdh.computeSecret(keyid);
	const info = Buffer.concat([Buffer.from('WebPush: info\0'), b.ecdh.getPublicKey(), keyid]);
	const ikm = Buffer.from(crypto.hkdfSync('sha256', secret, b.auth, info, 32));
	const cek = Buffer.from(crypto.hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16));
	const nonce = Buffer.from(crypto.hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12));
	const d = crypto.createDecipheriv('aes-128-gcm', cek, nonce);
	d.setAuthTag(ct.subarray(ct.length - 16));
	let pt = Buffer.concat([d.update(ct.subarray(0, ct.length - 16)), d.final()]);
	let end = pt.length;
	while (end > 0 && pt[end - 1] === 0) end--;
	assert.equal(pt[end - 1], 2, 'the last record\'s delimiter');
	pt = pt.subarray(0, end - 1);
	return JSON.parse(pt.toString('utf8'));
}

// VAPID: "vapid t=<ES256 JWT>, k=<public key>", checked as a push
// service does.
function checkVapid(header, publicKey) {
	const m = header.match(/^vapid t=([^,]+), k=(.+)$/);
	assert.ok(m, header);
	assert.equal(m[2], publicKey);
	const [h, p, s] = m[1].split('.');
	assert.deepEqual(JSON.parse(Buffer.from(h, 'base64url')), { typ: 'JWT', alg: 'ES256' });
	const claims = JSON.parse(Buffer.from(p, 'base64url'));
	assert.equal(claims.aud, `http://127.0.0.1:${PORT}`);
	assert.ok(claims.exp > Date.now() / 1000 && claims.exp <= Date.now() / 1000 + 86400);
	assert.match(claims.sub, /^(mailto:|https:)/);
	const pt = Buffer.from(publicKey, 'base64url');
	const key = crypto.createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: b64u(pt.subarray(1, 33)),
		y: b64u(pt.subarray(33, 65)) }, format: 'jwk' });
	assert.ok(crypto.verify('sha256', Buffer.from(`${h}.${p}`), { key, dsaEncoding: 'ieee-p1363' },
		Buffer.from(s, 'base64url')), 'the VAPID signature');
}

async function setup() {
	const ch = await api('POST', `/organizations/${t.orgId}/web-chat/channels`, t.key,
		{ body: { name: 'Push Shop', allowedDomains: ['shop.example.com'] } });
	const c = ch.json.data;
	const s = (await call('POST', w(c, '/sessions'), { body: { mode: 'identified', name: 'Uma' } })).json.data;
	return { c, s };
}

test('push/vapid, subscribe, an answer to a visitor who left: encrypted, signed, delivered', async () => {
	const { c, s } = await setup();
	const v = await call('GET', w(c, '/push/vapid'));
	assert.equal(v.status, 200, v.text);
	const publicKey = v.json.data.publicKey;
	assert.equal(Buffer.from(publicKey, 'base64url').length, 65);
	const b = browser();
	const endpoint = `http://127.0.0.1:${PORT}/push/${crypto.randomUUID()}`;
	const sub = await call('POST', w(c, '/push/subscribe'), { token: s.token, body: { endpoint,
		keys: { p256dh: b.p256dh, auth: b64u(b.auth) } } });
	assert.equal(sub.status, 201, sub.text);
	// the visitor wrote, then left (no presence for two minutes)
	await call('POST', w(c, '/messages'), { token: s.token, body: { body: 'Is it in stock?' } });
	const base = `/organizations/${t.orgId}/conversations/${s.conversationId}`;
	const a = mosendOk(await api('POST', `${base}/web-chat/send`, t.key, { body: { body: 'Yes, 3 left!' } }), 201);
	const push = await eventually(() => got.find((x) => x.path === new URL(endpoint).pathname));
	assert.equal(push.headers['content-encoding'], 'aes128gcm');
	assert.equal(push.headers.ttl, '86400');
	checkVapid(push.headers.authorization, publicKey);
	const msg = decrypt(b, push.body);
	assert.deepEqual(msg, { type: 'message', channel: 'Push Shop', conversationId: s.conversationId,
		messageId: a.id, sender: 'agent', body: 'Yes, 3 left!' });
	await eventually(() => psql(`SELECT state FROM wa.web_chat_pushes WHERE message_id = '${a.id}'`,
		{ as: 'super' }).trim() === 'sent');
});

test('a visitor with the widget open gets no push, one with none open does; a gone subscription (410) is dropped; unsubscribe', async () => {
	const { c, s } = await setup();
	const b = browser();
	const endpoint = `http://127.0.0.1:${PORT}/push/${crypto.randomUUID()}`;
	assert.equal((await call('POST', w(c, '/push/subscribe'), { token: s.token, body: { endpoint,
		keys: { p256dh: b.p256dh, auth: b64u(b.auth) } } })).status, 201);
	const base = `/organizations/${t.orgId}/conversations/${s.conversationId}`;
	const pushes = (m) => psql(`SELECT count(*) FROM wa.web_chat_pushes WHERE message_id = '${m.id}'`, { as: 'super' }).trim();
	assert.equal((await call('POST', w(c, '/presence'), { token: s.token, body: { state: 'active' } })).status, 204);
	// the widget is open: its live connection takes the answer
	const es = await eventSource(w(c, `/live/${s.conversationId}?access_token=${encodeURIComponent(s.token)}`),
		{ origin: SITE });
	let a;
	try {
		assert.equal(es.status, 200);
		a = mosendOk(await api('POST', `${base}/web-chat/send`, t.key, { body: { body: 'Still there?' } }), 201);
		assert.equal((await es.next(0)).data.data.id, a.id);
	} finally {
		es.close();
	}
	await sleep(300);
	assert.equal(pushes(a), '0');
	// closed (the visitor was active a moment ago): no connection took
	// the next answer, so it is pushed
	const a2 = mosendOk(await api('POST', `${base}/web-chat/send`, t.key, { body: { body: 'Hello?' } }), 201);
	await eventually(() => pushes(a2) === '1');
	await eventually(() => got.find((x) => x.path === new URL(endpoint).pathname));
	// away: pushed; the endpoint says the subscription is gone
	assert.equal((await call('POST', w(c, '/presence'), { token: s.token, body: { state: 'away' } })).status, 204);
	status = 410;
	try {
		await api('POST', `${base}/web-chat/send`, t.key, { body: { body: 'Bye' } });
		await eventually(() => psql(`SELECT count(*) FROM wa.web_chat_push_subs WHERE endpoint = '${endpoint}'`,
			{ as: 'super' }).trim() === '0');
	} finally {
		status = 201;
	}
	// unsubscribe, and what subscribe refuses
	const e2 = `http://127.0.0.1:${PORT}/push/${crypto.randomUUID()}`;
	await call('POST', w(c, '/push/subscribe'), { token: s.token, body: { endpoint: e2, keys: { p256dh: b.p256dh, auth: b64u(b.auth) } } });
	assert.equal((await call('POST', w(c, '/push/unsubscribe'), { token: s.token, body: { endpoint: e2 } })).status, 204);
	assert.equal(psql(`SELECT count(*) FROM wa.web_chat_push_subs WHERE endpoint = '${e2}'`, { as: 'super' }).trim(), '0');
	mosendValidation(await call('POST', w(c, '/push/subscribe'), { token: s.token, body: { endpoint: e2,
		keys: { p256dh: b64u(crypto.randomBytes(65)), auth: b64u(b.auth) } } }), w(c, '/push/subscribe'),
	['keys must be the subscription\'s keys: p256dh a P-256 public key, auth 16 bytes, both base64url']);
	assert.equal((await call('POST', w(c, '/push/subscribe'), { body: { endpoint: e2 } })).status, 401);
});
