// The widget's API (docs/web-chat.md, "The widget's API") through
// nginx, as a browser calls it: sessions in each mode, resume, the
// visitor's messages and history, the conversation agents see, Origin
// and CORS, visitor tokens, the identity hash, prechat answers, offline
// hours, the abuse limits.
import test from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { api, eventually, logTail, request, tenant } from './lib/harness.mjs';
import { mosendError, TS, UUID } from './lib/expect.mjs';
import { mosendOk, mosendValidation } from './lib/flows.mjs';

const t = tenant({ account: false });
const other = tenant({ account: false });
const SITE = 'https://shop.example.com';
const channels = (x = t) => `/organizations/${x.orgId}/web-chat/channels`;

async function channel(settings = {}, x = t) {
	return mosendOk(await api('POST', channels(x), x.key, {
		body: { name: 'Site chat', allowedDomains: ['shop.example.com'], ...settings },
	}), 201);
}

const w = (c, p) => `/web-chat/${c.token}${p}`;
const call = (method, path, { origin = SITE, token, body } = {}) => {
	const headers = {};
	if (origin) headers.origin = origin;
	if (token) headers.authorization = `Bearer ${token}`;
	return request(method, path, { headers, body });
};
const session = (c, body = {}, opts = {}) => call('POST', w(c, '/sessions'), { ...opts, body });
const send = (c, s, body, opts = {}) => call('POST', w(c, '/messages'), { token: s.token, ...opts, body });
const history = (c, s, q = '') => call('GET', w(c, `/history${q}`), { token: s.token });
const hmac = (secret, v) => crypto.createHmac('sha256', secret).update(v).digest('hex');

test('an anonymous visitor: a session, a message, the conversation agents see, the history', async () => {
	const c = await channel({ welcomeMessage: 'Hi there!', color: '#112233' });
	const r = await session(c);
	const s = mosendOk(r, 201);
	assert.equal(r.headers['access-control-allow-origin'], SITE);
	assert.match(r.headers.vary, /Origin/);
	assert.deepEqual(Object.keys(s), ['token', 'expiresAt', 'visitorId', 'resumeToken', 'conversationId', 'mode', 'channel']);
	assert.equal(s.token.split('.').length, 3);
	assert.match(s.visitorId, UUID);
	assert.match(s.conversationId, UUID);
	assert.match(s.resumeToken, /^[A-Za-z0-9]{32}$/);
	assert.match(s.expiresAt, TS);
	const left = Date.parse(s.expiresAt) - Date.now();
	assert.ok(left > 3500e3 && left <= 3600e3, `expires in ${left} ms`);
	assert.equal(s.mode, 'anonymous');
	assert.equal(s.channel.name, 'Site chat');
	assert.equal(s.channel.welcomeMessage, 'Hi there!');
	assert.equal(s.channel.color, '#112233');
	assert.equal(s.channel.online, true);
	assert.equal(s.channel.token, undefined);
	assert.equal(JSON.stringify(s.channel).includes('identitySecret'), false);

	// the conversation is there, closed until the visitor writes
	const conv = mosendOk(await api('GET', `/organizations/${t.orgId}/conversations/${s.conversationId}`, t.key));
	assert.equal(conv.channel, 'web_chat');
	assert.equal(conv.status, 'closed');

	const m = mosendOk(await send(c, s, { body: 'Hello, is anyone there?' }), 201);
	assert.deepEqual(Object.keys(m), ['id', 'conversationId', 'direction', 'sender', 'type', 'body', 'replyToMessageId', 'mediaAssetId', 'media', 'createdAt']);
	assert.equal(m.conversationId, s.conversationId);
	assert.deepEqual([m.direction, m.sender, m.type, m.body], ['inbound', 'visitor', 'text', 'Hello, is anyone there?']);
	const after = mosendOk(await api('GET', `/organizations/${t.orgId}/conversations/${s.conversationId}`, t.key));
	assert.equal(after.status, 'open');
	assert.equal(after.unreadCount, 1);
	assert.deepEqual(after.lastMessage, { direction: 'inbound', preview: 'Hello, is anyone there?' });
	const list = mosendOk(await api('GET', `/organizations/${t.orgId}/conversations?channel=web_chat`, t.key));
	assert.ok(list.some((x) => x.id === s.conversationId));

	// a reply to it, then the history, oldest first
	const m2 = mosendOk(await send(c, s, { body: 'About my order', replyToMessageId: m.id }), 201);
	assert.equal(m2.replyToMessageId, m.id);
	const h = await history(c, s);
	assert.equal(h.status, 200);
	assert.deepEqual(Object.keys(h.json), ['data', 'hasMore', 'timestamp']);
	assert.deepEqual(h.json.data.map((x) => x.id), [m.id, m2.id]);
	assert.equal(h.json.hasMore, false);
	assert.deepEqual((await history(c, s, `?after=${m.id}`)).json.data.map((x) => x.id), [m2.id]);
	assert.deepEqual((await history(c, s, `?after=${m2.id}`)).json.data, []);
});

test('history pages: the latest first page, hasMore, ?after= and ?limit=', async () => {
	const c = await channel();
	const s = mosendOk(await session(c), 201);
	const ids = [];
	for (let i = 0; i < 5; i++) ids.push(mosendOk(await send(c, s, { body: `m${i}` }), 201).id);
	const latest = (await history(c, s, '?limit=2')).json;
	assert.deepEqual(latest.data.map((x) => x.body), ['m3', 'm4']);
	assert.equal(latest.hasMore, true);
	const missed = (await history(c, s, `?after=${ids[0]}&limit=3`)).json;
	assert.deepEqual(missed.data.map((x) => x.body), ['m1', 'm2', 'm3']);
	assert.equal(missed.hasMore, true);
	mosendValidation(await history(c, s, '?limit=0'), w(c, '/history'), ['limit must be an integer from 1 to 100']);
	mosendValidation(await history(c, s, '?after=nope'), w(c, '/history'), ['after must be the id of a message']);
});

test('a visitor comes back with its resume token; a wrong one is a new visitor', async () => {
	const c = await channel();
	const s = mosendOk(await session(c), 201);
	const again = mosendOk(await session(c, { visitorId: s.visitorId, resumeToken: s.resumeToken }), 201);
	assert.equal(again.visitorId, s.visitorId);
	assert.equal(again.conversationId, s.conversationId);
	assert.equal(again.resumeToken, s.resumeToken);
	const stranger = mosendOk(await session(c, { visitorId: s.visitorId, resumeToken: 'x'.repeat(32) }), 201);
	assert.notEqual(stranger.visitorId, s.visitorId);
	assert.notEqual(stranger.conversationId, s.conversationId);
	// an identified visitor gives a name; the conversation has it
	const named = mosendOk(await session(c, { mode: 'identified', name: 'Ana', email: 'ana@example.com' }), 201);
	assert.equal(mosendOk(await api('GET', `/organizations/${t.orgId}/conversations/${named.conversationId}`, t.key)).name, 'Ana');
	mosendValidation(await session(c, { mode: 'identified' }), w(c, '/sessions'), ['name give name or email in mode identified']);
	mosendValidation(await session(c, { mode: 'teleport', email: 'x' }), w(c, '/sessions'),
		['mode must be one of: anonymous, identified, verify-otp, host-identified', 'email must be an e-mail address']);
});

test('Origin: only the allowed domains, CORS on their answers only; the preflight', async () => {
	const c = await channel({ allowedDomains: ['shop.example.com', '*.example.org', 'http://localhost:8080'] });
	for (const o of ['https://shop.example.com', 'http://shop.example.com:3000', 'https://a.b.example.org', 'http://localhost:8080']) {
		const r = await session(c, {}, { origin: o });
		assert.equal(r.status, 201, `${o}: ${r.text}`);
		assert.equal(r.headers['access-control-allow-origin'], o);
	}
	for (const o of ['https://evil.example.net', 'https://example.org', 'https://shop.example.com.evil.net', 'http://localhost:8081', null]) {
		const r = await session(c, {}, { origin: o });
		mosendError(r, 403, 'Forbidden', w(c, '/sessions'));
		assert.equal(r.headers['access-control-allow-origin'], undefined);
	}
	// no domains: any site
	const open = await channel({ allowedDomains: [] });
	assert.equal((await session(open, {}, { origin: 'https://anywhere.example' })).status, 201);
	// the preflight
	const p = await call('OPTIONS', w(c, '/messages'));
	assert.equal(p.status, 204);
	assert.equal(p.headers['access-control-allow-origin'], SITE);
	assert.match(p.headers['access-control-allow-methods'], /POST/);
	assert.match(p.headers['access-control-allow-headers'], /Authorization/);
	mosendError(await call('OPTIONS', w(c, '/messages'), { origin: 'https://evil.example.net' }), 403, 'Forbidden', w(c, '/messages'));
});

test('unknown, malformed and disabled channels; visitor tokens of nobody or of another channel', async () => {
	const c = await channel();
	const s = mosendOk(await session(c), 201);
	mosendError(await session({ token: `wc_${'A'.repeat(32)}` }), 404, 'Not Found', `/web-chat/wc_${'A'.repeat(32)}/sessions`);
	mosendError(await call('POST', '/web-chat/wc_short/sessions', { body: {} }), 404, 'Not Found', '/web-chat/wc_short/sessions');
	mosendError(await call('POST', w(c, '/messages'), { body: { body: 'x' } }), 401, 'Unauthorized', w(c, '/messages'));
	mosendError(await send(c, { token: 'a.b.c' }, { body: 'x' }), 401, 'Unauthorized', w(c, '/messages'));
	// a good token of another channel (of another organization) is no token here
	const theirs = await channel({}, other);
	const ts = mosendOk(await session(theirs), 201);
	mosendError(await send(c, ts, { body: 'x' }), 401, 'Unauthorized', w(c, '/messages'));
	mosendError(await history(c, ts), 401, 'Unauthorized', w(c, '/history'));
	// disabled: nothing goes in
	mosendOk(await api('PATCH', `${channels()}/${c.id}`, t.key, { body: { enabled: false } }));
	mosendError(await send(c, s, { body: 'x' }), 403, 'Forbidden', w(c, '/messages'));
	mosendError(await session(c), 403, 'Forbidden', w(c, '/sessions'));
	// deleted: its visitors' tokens die with it
	mosendOk(await api('DELETE', `${channels(other)}/${theirs.id}`, other.key));
	mosendError(await send(theirs, ts, { body: 'x' }), 404, 'Not Found', w(theirs, '/messages'));
});

test('host-identified visitors: the hash under the identity secret; one visitor per user', async () => {
	const c = await channel({ identityRequired: true });
	mosendError(await session(c, { mode: 'host-identified', userId: 'u-1', hash: '0'.repeat(64) }), 422,
		'Unprocessable Entity', w(c, '/sessions'));
	const { secret } = mosendOk(await api('POST', `${channels()}/${c.id}/identity-secret`, t.key), 201);
	const a = mosendOk(await session(c, { mode: 'host-identified', userId: 'u-1', name: 'Bo', hash: hmac(secret, 'u-1') }), 201);
	const b = mosendOk(await session(c, { mode: 'host-identified', userId: 'u-1', hash: hmac(secret, 'u-1') }), 201);
	assert.equal(b.visitorId, a.visitorId);
	assert.equal(b.conversationId, a.conversationId);
	const e = mosendOk(await session(c, { mode: 'host-identified', email: 'Zoe@Example.com', hash: hmac(secret, 'Zoe@Example.com') }), 201);
	assert.notEqual(e.visitorId, a.visitorId);
	mosendError(await session(c, { mode: 'host-identified', userId: 'u-1', hash: hmac(secret, 'u-2') }), 401, 'Unauthorized', w(c, '/sessions'));
	mosendError(await session(c, { mode: 'host-identified', userId: 'u-1', hash: hmac('guess', 'u-1') }), 401, 'Unauthorized', w(c, '/sessions'));
	mosendValidation(await session(c, { mode: 'host-identified', userId: 'u-1' }), w(c, '/sessions'), ['hash is required in mode host-identified']);
	// identity required: nobody else
	mosendError(await session(c), 403, 'Forbidden', w(c, '/sessions'));
	mosendError(await session(c, { mode: 'identified', name: 'Eve' }), 403, 'Forbidden', w(c, '/sessions'));
	// a rotated secret: the old hashes stop working
	const { secret: s2 } = mosendOk(await api('POST', `${channels()}/${c.id}/identity-secret`, t.key), 201);
	mosendError(await session(c, { mode: 'host-identified', userId: 'u-1', hash: hmac(secret, 'u-1') }), 401, 'Unauthorized', w(c, '/sessions'));
	assert.equal(mosendOk(await session(c, { mode: 'host-identified', userId: 'u-1', hash: hmac(s2, 'u-1') }), 201).visitorId, a.visitorId);
	// a signed time bounds a hash's age: "<userId>:<hashTimestamp>"
	const now = Math.floor(Date.now() / 1000);
	assert.equal(mosendOk(await session(c, { mode: 'host-identified', userId: 'u-1', hashTimestamp: now - 60,
		hash: hmac(s2, `u-1:${now - 60}`) }), 201).visitorId, a.visitorId);
	const old = now - 86400 - 60;
	const e2 = mosendError(await session(c, { mode: 'host-identified', userId: 'u-1', hashTimestamp: old,
		hash: hmac(s2, `u-1:${old}`) }), 401, 'Unauthorized', w(c, '/sessions'));
	assert.match(e2.message, /expired/);
	// the time is part of what is signed
	mosendError(await session(c, { mode: 'host-identified', userId: 'u-1', hashTimestamp: now,
		hash: hmac(s2, `u-1:${now - 60}`) }), 401, 'Unauthorized', w(c, '/sessions'));
	mosendError(await session(c, { mode: 'host-identified', userId: 'u-1', hashTimestamp: now + 3600,
		hash: hmac(s2, `u-1:${now + 3600}`) }), 401, 'Unauthorized', w(c, '/sessions'));
});

test('prechat answers: the channel\'s fields only, each of its type, the required ones asked first', async () => {
	const c = await channel({
		precaptureEnabled: true,
		prechatFields: [
			{ name: 'email', label: 'Email', type: 'email', required: true },
			{ name: 'topic', label: 'Topic', type: 'select', options: ['Sales', 'Support'] },
			{ name: 'phone', label: 'Phone', type: 'phone' },
		],
	});
	mosendValidation(await session(c, { prechat: { topic: 'Other', phone: 'call me' } }), w(c, '/sessions'), [
		'prechat.email is required', 'prechat.topic must be one of the field\'s options',
		'prechat.phone must be a phone number such as +14155550100',
	]);
	const first = mosendOk(await session(c, { prechat: { email: 'a@example.com', topic: 'Sales', extra: 'dropped' } }), 201);
	// a returning visitor (a reload) answered them when it was new
	const again = mosendOk(await session(c, { visitorId: first.visitorId, resumeToken: first.resumeToken }), 201);
	assert.equal(again.visitorId, first.visitorId);
	// a pair that does not match is a new visitor: asked again
	mosendValidation(await session(c, { visitorId: first.visitorId, resumeToken: 'not-it' }), w(c, '/sessions'),
		['prechat.email is required']);
});

test('out of hours: what the offline action says; the abuse limit of messages', async () => {
	const closed = await channel({
		operatingHours: { enabled: true, timezone: 'UTC', schedule: [] },
		offlineAction: { type: 'reject' }, offlineMessage: 'We are closed; back at 9.',
	});
	const s = mosendOk(await session(closed), 201);
	assert.equal(s.channel.online, false);
	const e = mosendError(await send(closed, s, { body: 'hello?' }), 422, 'Unprocessable Entity', w(closed, '/messages'));
	assert.equal(e.message, 'We are closed; back at 9.');
	const taking = await channel({ operatingHours: { enabled: true, timezone: 'UTC', schedule: [] }, offlineAction: { type: 'accept' } });
	const s2 = mosendOk(await session(taking), 201);
	assert.equal((await send(taking, s2, { body: 'leaving a note' })).status, 201);
	mosendValidation(await send(taking, s2, { body: 'a file', mediaAssetId: crypto.randomUUID() }), w(taking, '/messages'),
		['mediaAssetId must be the id of a file this visitor uploaded']);
	mosendValidation(await send(taking, s2, { body: '' }), w(taking, '/messages'), ['body must not be empty']);
	mosendValidation(await send(taking, s2, { body: 'x'.repeat(4097) }), w(taking, '/messages'), ['body must be at most 4096 characters']);
	// 30 a minute (one is in already)
	let last;
	for (let i = 0; i < 30; i++) last = await send(taking, s2, { body: `n${i}` });
	const r = mosendError(last, 429, 'Too Many Requests', w(taking, '/messages'));
	assert.match(r.message, /Too many messages/);
	assert.equal(last.headers['retry-after'], '10');
});

test('agents read a web chat conversation and answer it; the widget\'s history has the answer', async () => {
	const c = await channel();
	const s = mosendOk(await session(c, { mode: 'identified', name: 'Cleo' }), 201);
	const m = mosendOk(await send(c, s, { body: 'Do you ship to Lima?' }), 201);
	const base = `/organizations/${t.orgId}/conversations/${s.conversationId}`;
	const list = mosendOk(await api('GET', `${base}/messages`, t.key));
	assert.equal(list.length, 1);
	assert.deepEqual([list[0].id, list[0].direction, list[0].text, list[0].status, list[0].origin],
		[m.id, 'inbound', 'Do you ship to Lima?', 'received', null]);
	const a = mosendOk(await api('POST', `${base}/web-chat/send`, t.key, { body: { body: 'We do!', replyToMessageId: m.id } }), 201);
	assert.deepEqual([a.direction, a.text, a.status, a.origin, a.replyTo], ['outbound', 'We do!', 'sent', 'agent', m.id]);
	const conv = mosendOk(await api('GET', base, t.key));
	assert.equal(conv.handler, 'agent');
	assert.deepEqual(conv.lastMessage, { direction: 'outbound', preview: 'We do!' });
	const h = (await history(c, s, `?after=${m.id}`)).json.data;
	assert.deepEqual(h.map((x) => [x.direction, x.sender, x.body, x.replyToMessageId]), [['outbound', 'agent', 'We do!', m.id]]);
	// newest first for agents, with a cursor
	const both = mosendOk(await api('GET', `${base}/messages?limit=1`, t.key));
	assert.equal(both[0].id, a.id);
	// what web-chat/send refuses
	mosendValidation(await api('POST', `${base}/web-chat/send`, t.key, { body: {} }), `${base}/web-chat/send`, ['body is required for a text']);
	mosendValidation(await api('POST', `${base}/web-chat/send`, t.key, { body: { type: 'image', mediaAssetId: crypto.randomUUID() } }),
		`${base}/web-chat/send`, ['mediaAssetId must be the id of a file of the media store (POST .../web-chat/media)']);
	mosendValidation(await api('POST', `${base}/web-chat/send`, t.key, { body: { type: 'image' } }),
		`${base}/web-chat/send`, ['mediaAssetId is required for image']);
	mosendError(await api('POST', `/organizations/${other.orgId}/conversations/${s.conversationId}/web-chat/send`, other.key,
		{ body: { body: 'hi' } }), 404, 'Not Found', `/organizations/${other.orgId}/conversations/${s.conversationId}/web-chat/send`);
});

test('bots answer web chat visitors as they answer WhatsApp customers, unless the channel turns them off', async () => {
	const bt = tenant({ account: false });
	const flows = `/organizations/${bt.orgId}/bot/flows`;
	const kw = mosendOk(await api('POST', flows, bt.key, { body: {
		name: 'pricing', triggerType: 'KEYWORD', triggerConfig: { keywords: ['precios'] },
		steps: [
			{ id: 'ask', type: 'question', prompt: 'Hi {{contact.name|there}}! Which plan?', input: 'text', save_to: 'plan', on_invalid: 'bye' },
			{ id: 'bye', type: 'end', message: 'The {{plan}} plan is on its way ({{system.channel}}).' },
		],
	} }), 201);
	mosendOk(await api('POST', `${flows}/${kw.id}/publish`, bt.key), 201);
	const c = mosendOk(await api('POST', channels(bt), bt.key, { body: { name: 'Bot chat' } }), 201);
	const s = mosendOk(await session(c, { mode: 'identified', name: 'Dana' }, { origin: 'https://any.example' }), 201);
	const said = async (n) => {
		let h;
		for (let i = 0; i < 100; i++) {
			h = (await call('GET', w(c, '/history'), { origin: 'https://any.example', token: s.token })).json.data;
			if (h.length >= n) return h;
			await new Promise((res) => setTimeout(res, 50));
		}
		return h;
	};
	const post = (body) => call('POST', w(c, '/messages'), { origin: 'https://any.example', token: s.token, body: { body } });
	mosendOk(await post('precios'), 201);
	let h = await said(2);
	assert.deepEqual(h.map((x) => [x.sender, x.body]), [['visitor', 'precios'], ['bot', 'Hi Dana! Which plan?']]);
	mosendOk(await post('Gold'), 201);
	h = await said(4);
	assert.deepEqual(h.slice(2).map((x) => [x.sender, x.body]),
		[['visitor', 'Gold'], ['bot', 'The Gold plan is on its way (web_chat).']]);
	// an agent takes over: the bot is quiet
	mosendOk(await api('POST', `/organizations/${bt.orgId}/conversations/${s.conversationId}/web-chat/send`, bt.key,
		{ body: { body: 'Dana, I will take it from here.' } }), 201);
	mosendOk(await post('precios'), 201);
	await new Promise((res) => setTimeout(res, 700));
	h = await said(6);
	assert.equal(h.length, 6);
	assert.deepEqual(h.slice(4).map((x) => x.sender), ['agent', 'visitor']);
	// a channel with its bots off
	const quiet = mosendOk(await api('POST', channels(bt), bt.key, { body: { name: 'Quiet', botEnabled: false } }), 201);
	const q = mosendOk(await session(quiet, {}, { origin: 'https://any.example' }), 201);
	mosendOk(await call('POST', w(quiet, '/messages'), { origin: 'https://any.example', token: q.token, body: { body: 'precios' } }), 201);
	await new Promise((res) => setTimeout(res, 700));
	assert.equal((await call('GET', w(quiet, '/history'), { origin: 'https://any.example', token: q.token })).json.data.length, 1);
	// a channel whose conversations had bot sessions is deleted with them
	mosendOk(await api('DELETE', `${channels(bt)}/${c.id}`, bt.key));
	mosendError(await api('GET', `/organizations/${bt.orgId}/conversations/${s.conversationId}`, bt.key), 404, 'Not Found',
		`/organizations/${bt.orgId}/conversations/${s.conversationId}`);
});

test('the widget reports its own errors: logged for the operator with the channel, 204', async () => {
	const c = await channel();
	const log = logTail('web_chat');
	const r = await call('POST', w(c, '/client-error'), { body: {
		message: 'TypeError: widget\nforged line', stack: 'at widget.js:1:2', url: 'https://shop.example.com/cart',
		line: 1, column: 2, userAgent: 'Mozilla/5.0',
	} });
	assert.equal(r.status, 204);
	assert.equal(r.headers['access-control-allow-origin'], SITE);
	await eventually(() => log.text().includes(`web chat widget error: channel ${c.id}, url https://shop.example.com/cart`));
	// one line: the newline is escaped
	assert.ok(!log.text().split('\n').some((l) => l.startsWith('forged line')));
	mosendValidation(await call('POST', w(c, '/client-error'), { body: { stack: 'x' } }), w(c, '/client-error'),
		['message is required']);
	mosendError(await call('POST', w(c, '/client-error'), { origin: 'https://evil.example.net', body: { message: 'x' } }),
		403, 'Forbidden', w(c, '/client-error'));
});

test('presence: what the widget says of its visitor, which agents see with who the visitor is', async () => {
	const c = await channel({ precaptureEnabled: true, prechatFields: [{ name: 'topic', label: 'Topic', type: 'text' }] });
	const s = mosendOk(await session(c, { mode: 'identified', name: 'Ines', email: 'ines@example.com', prechat: { topic: 'Returns' } }), 201);
	const conv = async () => mosendOk(await api('GET', `/organizations/${t.orgId}/conversations/${s.conversationId}`, t.key));
	let v = (await conv()).visitor;
	assert.deepEqual([v.id, v.mode, v.name, v.email, v.userId, v.prechat, v.presence], [s.visitorId, 'identified', 'Ines',
		'ines@example.com', null, { topic: 'Returns' }, 'offline']);
	assert.match(v.lastSeenAt, TS);
	assert.equal((await conv()).webChatChannelId, c.id);
	assert.equal((await call('POST', w(c, '/presence'), { token: s.token, body: { state: 'typing' } })).status, 204);
	v = (await conv()).visitor;
	assert.equal(v.presence, 'typing');
	mosendValidation(await call('POST', w(c, '/presence'), { token: s.token, body: { state: 'asleep' } }), w(c, '/presence'),
		['state must be one of: active, away, typing']);
	mosendError(await call('POST', w(c, '/presence'), { body: { state: 'away' } }), 401, 'Unauthorized', w(c, '/presence'));
});
