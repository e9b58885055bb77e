// Bots that run live (docs/flows.md, "Live"), end to end: a customer's
// message through the simulator's webhook, the bot worker, the sending
// engine and back to the simulator.  Keywords, questions, delays across
// a worker restart, handoffs to agents, http_request (real calls, and
// refused private addresses), versions pinned to a session, and
// duplicate webhooks.
import test from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { api, eventually, psql, sleep, startFamily, stopFamily } from './lib/harness.mjs';
import { control, drained, postWebhook, received } from './lib/meta.mjs';
import { flowsPath, flowPath, mosendOk } from './lib/flows.mjs';
import { digits, phone, sendTenant } from './lib/send.mjs';

const t = await sendTenant({ member: true, template: null });
const q = (sql) => psql(sql, { as: 'super' });
const conversations = (x = t) => `/organizations/${x.orgId}/conversations`;

// A published flow of t.
async function flow(steps, { keywords, trigger = 'KEYWORD', match, x = t } = {}) {
	const triggerConfig = trigger === 'KEYWORD' ? { keywords, ...(match ? { match } : {}) } : null;
	const f = mosendOk(await api('POST', flowsPath(x), x.key, {
		body: { name: `Live ${keywords ? keywords[0] : trigger}`, triggerType: trigger, triggerConfig, steps },
	}), 201);
	mosendOk(await api('POST', flowPath(x, f.id, '/publish'), x.key), 201);
	return f;
}

async function say(from, text, x = t) {
	const { wamid } = await control('POST', '/_sim/inbound', {
		phone_number_id: x.phoneNumberId, from, name: 'Ana', text,
	});
	return wamid;
}

// The texts wagate sent to a phone, in order, as the simulator got them.
async function texts(p, x = t) {
	return (await received(`/${x.phoneNumberId}/messages`))
		.filter((r) => r.method === 'POST' && r.body && r.body.includes(digits(p)))
		.map((r) => JSON.parse(r.body))
		.filter((b) => b.type === 'text')
		.map((b) => b.text.body);
}

async function waitTexts(p, n, opts = {}) {
	return eventually(async () => {
		const got = await texts(p, opts.x);
		return got.length >= n ? got : null;
	}, { timeoutMs: opts.timeoutMs || 10000 });
}

function session(p, x = t) {
	const row = q(`SELECT json_build_object('status', s.status, 'version', s.version, 'step', s.step_id,
		'error', s.error) FROM wa.bot_sessions s JOIN wa.conversations c ON c.id = s.conversation_id
		WHERE c.account_id = '${x.accountId}' AND c.peer = '${p}' ORDER BY s.created_at DESC LIMIT 1`);
	return row ? JSON.parse(row) : null;
}

test('a KEYWORD flow answers "hola" end to end, as its test-run says it will', async () => {
	const steps = [{ id: 'hi', type: 'message', text: '¡Hola {{contact.name|amigo}}! ¿En qué te ayudo?' }];
	const f = await flow(steps, { keywords: ['hola'] });
	const p = phone();
	await say(p, 'Hola!');
	const [reply] = await waitTexts(p, 1);
	assert.equal(reply, '¡Hola Ana! ¿En qué te ayudo?');
	// the test-run's trace predicts it
	const run = mosendOk(await api('POST', flowPath(t, f.id, '/test-run'), t.key,
		{ body: { version: 'published', contact: { name: 'Ana' } } }), 201);
	assert.equal(run.steps[0].output.sent[0].text, reply);
	assert.deepEqual(session(p), { status: 'completed', version: 1, step: null, error: null });
	// in the conversation, from the bot
	const c = mosendOk(await api('GET', `${conversations()}?phoneNumberId=${t.accountId}`, t.memberKey))
		.find((x) => x.phone === p);
	const msgs = mosendOk(await api('GET', `${conversations()}/${c.id}/messages`, t.memberKey));
	assert.deepEqual(msgs.map((m) => [m.direction, m.origin, m.text]),
		[['outbound', 'bot', reply], ['inbound', null, 'Hola!']]);
	assert.equal(c.handler, 'none');
	// another word starts nothing
	const other = phone();
	await say(other, 'good morning');
	await drained();
	await sleep(500);
	assert.deepEqual(await texts(other), []);
});

test('a question waits for the answer, validates it, asks again, then goes on', async () => {
	await flow([
		{ id: 'ask', type: 'question', prompt: 'Your email?', input: 'email', save_to: 'email',
			retry_message: 'That is not an email. Again?', max_attempts: 3, on_invalid: 'agent' },
		{ id: 'ok', type: 'end', message: 'Thanks, we will write to {{flow.email}}.' },
		{ id: 'agent', type: 'handoff', team: 'support' },
	], { keywords: ['newsletter'] });
	const p = phone();
	await say(p, 'Newsletter');
	assert.deepEqual(await waitTexts(p, 1), ['Your email?']);
	assert.equal(session(p).status, 'waiting');
	await say(p, 'ana at acme');
	assert.deepEqual(await waitTexts(p, 2), ['Your email?', 'That is not an email. Again?']);
	await say(p, 'ana@acme.io');
	assert.deepEqual(await waitTexts(p, 3), ['Your email?', 'That is not an email. Again?',
		'Thanks, we will write to ana@acme.io.']);
	assert.equal(session(p).status, 'completed');
});

test('a delay resumes on time, and after the worker was stopped past it', async () => {
	await flow([
		{ id: 'a', type: 'message', text: 'one' },
		{ id: 'w', type: 'delay', seconds: 3 },
		{ id: 'b', type: 'message', text: 'two' },
		{ id: 'w2', type: 'delay', seconds: 2 },
		{ id: 'c', type: 'message', text: 'three' },
	], { keywords: ['delays'] });
	const p = phone();
	await say(p, 'delays');
	await waitTexts(p, 1);
	const at = async (i) => (await received(`/${t.phoneNumberId}/messages`))
		.filter((r) => r.body && r.body.includes(digits(p)))[i].at;
	await waitTexts(p, 2, { timeoutMs: 8000 });
	const gap = (await at(1)) - (await at(0));
	assert.ok(gap >= 2900 && gap <= 4200, `the delay took ${gap} ms`);
	assert.equal(session(p).status, 'delayed');
	// the worker is away when the second delay ends, and catches up
	stopFamily('bot_flows');
	try {
		await sleep(3000);
		assert.deepEqual(await texts(p), ['one', 'two']);
	} finally {
		startFamily('bot_flows');
	}
	assert.deepEqual(await waitTexts(p, 3), ['one', 'two', 'three']);
	assert.equal(session(p).status, 'completed');
});

test('a handoff puts the conversation in the agents\' queue; an agent answers', async () => {
	await flow([
		{ id: 'm', type: 'message', text: 'Let me find someone.' },
		{ id: 'h', type: 'handoff', team: 'sales', department: 'north', message: 'An agent will be with you.' },
	], { keywords: ['human'] });
	const p = phone();
	await say(p, 'human please', t);
	await sleep(300);
	// no match: "human please" is not the keyword "human" (exact match)
	assert.deepEqual(await texts(p), []);
	await say(p, 'HUMAN');
	// in order: one recipient's messages go one at a time
	assert.deepEqual(await waitTexts(p, 2), ['Let me find someone.', 'An agent will be with you.']);
	const queue = mosendOk(await api('GET', `${conversations()}?status=open&team=sales`, t.memberKey));
	const c = queue.find((x) => x.phone === p);
	assert.ok(c, 'in the queue');
	assert.deepEqual([c.handler, c.team, c.department], ['agent', 'sales', 'north']);
	assert.equal(session(p).status, 'handoff');
	// the customer's next message is for the agents, not the bot
	await say(p, 'HUMAN');
	await drained();
	await sleep(500);
	assert.equal((await texts(p)).length, 2);
	const sent = mosendOk(await api('POST', `${conversations()}/${c.id}/messages`, t.memberKey,
		{ body: { text: 'Hi, Marta here.' } }), 201);
	assert.equal(sent.status, 'sent');
	assert.deepEqual(await waitTexts(p, 3), ['Let me find someone.', 'An agent will be with you.', 'Hi, Marta here.']);
	// closing it gives it back: the bot may answer again
	mosendOk(await api('PATCH', `${conversations()}/${c.id}`, t.memberKey, { body: { status: 'closed' } }));
	await say(p, 'human');
	await waitTexts(p, 5);
});

test('http_request: a real call with its secret header mapped into the reply; a private address is refused', async () => {
	let seen;
	const server = http.createServer((req, res) => {
		let body = '';
		req.on('data', (c) => { body += c; });
		req.on('end', () => {
			seen = { url: req.url, auth: req.headers.authorization, body };
			res.writeHead(201, { 'content-type': 'application/json', 'x-lead': 'yes' });
			res.end(JSON.stringify({ lead: { id: 'L-42', owner: 'Marta' } }));
		});
	});
	await new Promise((r) => server.listen(0, '127.0.0.1', r));
	const port = server.address().port;
	try {
		await flow([
			{ id: 'ask', type: 'question', prompt: 'Email?', input: 'email', save_to: 'email', on_invalid: 'ask' },
			{ id: 'crm', type: 'http_request', method: 'POST', url: `http://127.0.0.1:${port}/leads?e={{flow.email}}`,
				headers: { Authorization: 'Bearer crm-secret-9' }, body: { email: '{{flow.email}}' },
				mapping: { 'flow.lead': 'body.lead.id', 'flow.hdr': 'headers.x-lead' }, on_error: 'fail' },
			{ id: 'done', type: 'end', message: 'Lead {{flow.lead}} ({{flow.hdr}})' },
			{ id: 'fail', type: 'end', message: 'Sorry, try later.' },
		], { keywords: ['crm'] });
		const p = phone();
		await say(p, 'crm');
		await waitTexts(p, 1);
		await say(p, 'ana@acme.io');
		assert.deepEqual(await waitTexts(p, 2), ['Email?', 'Lead L-42 (yes)']);
		assert.deepEqual(seen, { url: '/leads?e=ana%40acme.io', auth: 'Bearer crm-secret-9',
			body: '{"email":"ana@acme.io"}' });
		// the secret is in no log
		for (const f of ['bot_flows', 'bot_flows-worker']) {
			let log = '';
			try {
				log = (await import('node:fs')).readFileSync(`${process.env.WA_E2E_DIR}/log/${f}.log`, 'utf8');
			} catch { log = ''; }
			assert.ok(!log.includes('crm-secret-9'), `${f}.log holds the secret`);
		}
	} finally {
		server.close();
	}
	// loopback on another address, a private one, the metadata address
	for (const [i, url] of ['http://127.0.0.2:9/x', 'http://10.20.30.40/x', 'http://169.254.169.254/latest'].entries()) {
		await flow([
			{ id: 'call', type: 'http_request', url, on_error: 'fail' },
			{ id: 'ok', type: 'end', message: 'reached it' },
			{ id: 'fail', type: 'end', message: 'refused {{system.channel}}' },
		], { keywords: [`private${i}`] });
		const p = phone();
		await say(p, `private${i}`);
		assert.deepEqual(await waitTexts(p, 1), ['refused whatsapp']);
	}
});

test('a session that waited too long expires: the next message starts afresh', async () => {
	await flow([
		{ id: 'q', type: 'question', prompt: 'Size?', input: 'choice', options: ['S', 'M', 'L'], save_to: 'size',
			on_invalid: 'q' },
		{ id: 'e', type: 'end', message: 'Size {{flow.size}} noted.' },
	], { keywords: ['sizes'] });
	const p = phone();
	await say(p, 'sizes');
	assert.deepEqual(await waitTexts(p, 1), ['Size?\n\n1. S\n2. M\n3. L']);
	q(`UPDATE wa.bot_sessions s SET expires_at = now() - interval '1 second' FROM wa.conversations c
		WHERE c.id = s.conversation_id AND c.account_id = '${t.accountId}' AND c.peer = '${p}'`);
	await say(p, 'sizes');
	assert.deepEqual(await waitTexts(p, 2), ['Size?\n\n1. S\n2. M\n3. L', 'Size?\n\n1. S\n2. M\n3. L']);
	assert.equal(q(`SELECT string_agg(s.status, ',' ORDER BY s.created_at) FROM wa.bot_sessions s
		JOIN wa.conversations c ON c.id = s.conversation_id WHERE c.account_id = '${t.accountId}'
		AND c.peer = '${p}'`), 'expired,waiting');
	await say(p, '2');
	assert.equal((await waitTexts(p, 3))[2], 'Size M noted.');
});

test('a session keeps the version it started on across a publish', async () => {
	const v1 = [
		{ id: 'q', type: 'question', prompt: 'Name?', save_to: 'name', on_invalid: 'q' },
		{ id: 'e', type: 'end', message: 'v1 thanks {{flow.name}}' },
	];
	const f = await flow(v1, { keywords: ['version'] });
	const p = phone();
	await say(p, 'version');
	await waitTexts(p, 1);
	const v2 = [v1[0], { id: 'e', type: 'end', message: 'v2 thanks {{flow.name}}' }];
	mosendOk(await api('PATCH', flowPath(t, f.id), t.key, { body: { steps: v2 } }));
	mosendOk(await api('POST', flowPath(t, f.id, '/publish'), t.key), 201);
	await say(p, 'Ana');
	assert.deepEqual(await waitTexts(p, 2), ['Name?', 'v1 thanks Ana']);
	assert.equal(session(p).version, 1);
	// a new session starts on the new version
	await say(p, 'version');
	await waitTexts(p, 3);
	await say(p, 'Bea');
	assert.deepEqual((await waitTexts(p, 4)).slice(2), ['Name?', 'v2 thanks Bea']);
	assert.equal(session(p).version, 2);
});

test('a duplicate webhook answers once; AUTO_REPLY answers what no keyword does', async () => {
	const x = await sendTenant({ member: true, template: null });
	await flow([{ id: 'a', type: 'message', text: 'We are closed; we answer at 9.' }], { trigger: 'AUTO_REPLY', x });
	await flow([{ id: 'p', type: 'message', text: 'Our prices: ...' }], { keywords: ['prices'], match: 'contains', x });
	const p = phone();
	const wamid = await say(p, 'what are your prices?', x);
	assert.deepEqual(await waitTexts(p, 1, { x }), ['Our prices: ...']);
	const hook = (await control('GET', '/_sim/webhooks')).webhooks
		.find((w) => w.body.includes(wamid.replace(/\//g, '\\/')));
	const v = JSON.parse(hook.body);
	v.entry.push({ id: x.wabaId, changes: [{ field: 'messages', value: v.entry[0].changes[0].value }] });
	assert.equal((await postWebhook(v)).status, 200);
	assert.equal((await postWebhook(hook.body, { sig: hook.signature })).json.data.duplicate, true);
	await drained();
	await sleep(500);
	assert.equal((await texts(p, x)).length, 1);
	await say(p, 'hello?', x);
	assert.deepEqual(await waitTexts(p, 2, { x }), ['Our prices: ...', 'We are closed; we answer at 9.']);
	// STOP is the ledger's, not the bot's
	await say(p, 'STOP', x);
	await eventually(async () => (await texts(p, x)).length === 3);
	assert.match((await texts(p, x))[2], /unsubscribed/);
});
