// Live delivery to the web chat widget (docs/web-chat.md, "Live
// delivery"): an EventSource on /web-chat/{token}/live/{conversationId}
// held by nginx (nchan) after the family allowed it; an agent's answer,
// a bot's and the visitor's own messages arrive on it within a second;
// what nchan refuses (no token, another visitor's conversation, a
// foreign origin, a forged token); the widget's script and GET channel.
import test from 'node:test';
import assert from 'node:assert/strict';
import { api, request, tenant } from './lib/harness.mjs';
import { eventSource } from './lib/live.mjs';
import { mosendOk } from './lib/flows.mjs';

const t = tenant({ account: false });
const SITE = 'https://shop.example.com';
const w = (c, p) => `/web-chat/${c.token}${p}`;
const listen = (p, { origin = SITE } = {}) => eventSource(p, { origin });
const call = (method, p, { token, body, origin = SITE } = {}) => request(method, p, {
	headers: { origin, ...(token ? { authorization: `Bearer ${token}` } : {}) }, body,
});

async function setup(extra = {}) {
	const c = mosendOk(await api('POST', `/organizations/${t.orgId}/web-chat/channels`, t.key,
		{ body: { name: 'Live Shop', allowedDomains: ['shop.example.com'], botEnabled: false, ...extra } }), 201);
	const s = (await call('POST', w(c, '/sessions'), { body: { mode: 'identified', name: 'Lia' } })).json.data;
	return { c, s };
}
const live = (c, s, token = s.token) =>
	w(c, `/live/${s.conversationId}?access_token=${encodeURIComponent(token)}`);

test('an agent\'s answer and the visitor\'s own message reach an open EventSource within a second', async () => {
	const { c, s } = await setup();
	const es = await listen(live(c, s));
	try {
		assert.equal(es.status, 200, es.body());
		assert.match(es.headers['content-type'], /^text\/event-stream/);
		assert.equal(es.headers['access-control-allow-origin'], SITE);
		const sent = Date.now();
		const a = mosendOk(await api('POST', `/organizations/${t.orgId}/conversations/${s.conversationId}/web-chat/send`,
			t.key, { body: { body: 'Hello from an agent' } }), 201);
		const e = await es.next(0, 1000);
		assert.ok(e.at - sent < 1000, `${e.at - sent} ms`);
		assert.equal(e.data.type, 'message');
		// the message as the widget's history shows it
		const h = await call('GET', w(c, '/history'), { token: s.token });
		assert.deepEqual(e.data.data, h.json.data.find((x) => x.id === a.id));
		assert.deepEqual([e.data.data.sender, e.data.data.body], ['agent', 'Hello from an agent']);
		// the visitor's own message (another tab sees it too)
		const m = (await call('POST', w(c, '/messages'), { token: s.token, body: { body: 'Thanks!' } })).json.data;
		const e2 = await es.next(1, 1000);
		assert.deepEqual(e2.data.data, m);
		assert.equal(e2.data.data.sender, 'visitor');
	} finally {
		es.close();
	}
});

test('refused: no token, a forged one, another visitor\'s conversation, a foreign origin; a reconnect reads what it missed', async () => {
	const { c, s } = await setup();
	const other = (await call('POST', w(c, '/sessions'), { body: { mode: 'anonymous' } })).json.data;
	const no = await listen(w(c, `/live/${s.conversationId}`));
	no.close();
	assert.equal(no.status, 401);
	const forged = await listen(live(c, s, `${s.token.slice(0, -4)}AAAA`));
	forged.close();
	assert.equal(forged.status, 401);
	const theirs = await listen(live(c, { ...s, conversationId: other.conversationId }));
	theirs.close();
	assert.equal(theirs.status, 403);
	const foreign = await listen(live(c, s), { origin: 'https://evil.example.net' });
	foreign.close();
	// (nchan echoes the Origin on its refusal too: the page may read
	// the 403, nothing more)
	assert.equal(foreign.status, 403);
	// a widget that was away reads the rest from its history
	const base = `/organizations/${t.orgId}/conversations/${s.conversationId}/web-chat/send`;
	const first = mosendOk(await api('POST', base, t.key, { body: { body: 'one' } }), 201);
	mosendOk(await api('POST', base, t.key, { body: { body: 'two' } }), 201);
	const h = await call('GET', w(c, `/history?after=${first.id}`), { token: s.token });
	assert.deepEqual(h.json.data.map((x) => x.body), ['two']);
});

test('a bot\'s answer arrives live too', async () => {
	const { c, s } = await setup({ botEnabled: true });
	const flows = `/organizations/${t.orgId}/bot/flows`;
	const flow = mosendOk(await api('POST', flows, t.key, { body: {
		name: 'live price', triggerType: 'KEYWORD', triggerConfig: { keywords: ['price'] },
		steps: [{ id: 'bye', type: 'end', message: 'It is 10 USD.' }],
	} }), 201);
	mosendOk(await api('POST', `${flows}/${flow.id}/publish`, t.key), 201);
	const es = await listen(live(c, s));
	try {
		await call('POST', w(c, '/messages'), { token: s.token, body: { body: 'price' } });
		const bot = [];
		for (let n = 0; bot.length === 0; n++) {
			const e = await es.next(n, 5000);
			if (e.data.data.sender === 'bot') bot.push(e.data.data);
		}
		assert.equal(bot[0].body, 'It is 10 USD.');
	} finally {
		es.close();
	}
});

test('the widget\'s script and its channel before a session', async () => {
	const { c } = await setup({ welcomeMessage: 'Hi there', color: '#112233' });
	const js = await request('GET', '/web-chat/widget.js');
	assert.equal(js.status, 200);
	assert.match(js.headers['content-type'], /^application\/javascript/);
	assert.match(js.text, /WagateChat/);
	const ch = await call('GET', w(c, '/channel'));
	assert.equal(ch.status, 200, ch.text);
	assert.equal(ch.headers['access-control-allow-origin'], SITE);
	assert.equal(ch.json.data.name, 'Live Shop');
	assert.equal(ch.json.data.welcomeMessage, 'Hi there');
	assert.equal(ch.json.data.token, undefined);
	assert.equal((await call('GET', w(c, '/channel'), { origin: 'https://evil.example.net' })).status, 403);
});
