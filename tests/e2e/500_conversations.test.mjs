// Conversations, end to end through nginx and the simulator: an inbound
// message makes the contact and the conversation; agents list, read and
// answer it; the 24-hour window; STOP and START; duplicate and
// out-of-order webhooks; other tenants never see it.
import test from 'node:test';
import assert from 'node:assert/strict';
import { api, eventually, psql } from './lib/harness.mjs';
import { control, drained, postWebhook, received } from './lib/meta.mjs';
import { mosendError, UUID, TS } from './lib/expect.mjs';
import { mosendOk } from './lib/flows.mjs';
import {
	acceptedTo, bulk, createBroadcast, digits, finished, ok, phone, recipientsOf, sendBroadcast, sendTenant, withVars,
} from './lib/send.mjs';

const t = await sendTenant({ member: true });
const other = await sendTenant({ member: true, template: null });
const q = (sql) => psql(sql, { as: 'super' });
const base = (x = t) => `/organizations/${x.orgId}/conversations`;
const get = (path, key = t.memberKey) => api('GET', path, key);

const CONV_KEYS = ['id', 'channel', 'phoneNumberId', 'contactId', 'phone', 'name', 'status', 'handler',
	'assigneeId', 'team', 'department', 'unreadCount', 'lastMessage', 'lastMessageAt', 'lastInboundAt',
	'windowExpiresAt', 'windowOpen', 'webChatChannelId', 'visitor', 'createdAt', 'updatedAt'].sort();
const MSG_KEYS = ['id', 'conversationId', 'direction', 'type', 'text', 'content', 'status', 'origin', 'wamid',
	'replyTo', 'error', 'createdAt', 'sentAt', 'deliveredAt', 'readAt'].sort();

async function inbound(from, text, extra = {}) {
	const { wamid } = await control('POST', '/_sim/inbound', {
		phone_number_id: t.phoneNumberId, from, name: 'Sheena Nelson', text, ...extra,
	});
	await eventually(() => q(`SELECT count(*) FROM wa.inbound_messages WHERE wamid = '${wamid}'`) === '1');
	return wamid;
}

// The bodies of the sends the simulator received for a phone.
async function bodiesTo(p) {
	return (await received(`/${t.phoneNumberId}/messages`))
		.map((x) => x.body || '').filter((b) => b.includes(digits(p)));
}

async function conversationOf(p, x = t) {
	const list = mosendOk(await get(`${base(x)}?phoneNumberId=${x.accountId}&limit=100`, x.memberKey));
	return list.find((c) => c.phone === p);
}

test('an inbound message makes the contact and an open conversation, once', async () => {
	const p = phone();
	const wamid = await inbound(p, 'Hi, is my order ready?');
	const c = await conversationOf(p);
	assert.deepEqual(Object.keys(c).sort(), CONV_KEYS);
	assert.match(c.id, UUID);
	assert.equal(c.channel, 'whatsapp');
	assert.equal(c.phoneNumberId, t.accountId);
	assert.equal(c.status, 'open');
	assert.equal(c.unreadCount, 1);
	assert.equal(c.windowOpen, true);
	assert.match(c.windowExpiresAt, TS);
	assert.equal(Date.parse(c.windowExpiresAt) - Date.parse(c.lastInboundAt), 24 * 3600 * 1000);
	assert.deepEqual(c.lastMessage, { direction: 'inbound', preview: 'Hi, is my order ready?' });
	assert.equal(c.name, 'Sheena Nelson');
	// the contact, made on first contact
	const contact = JSON.parse(q(`SELECT row_to_json(k) FROM wa.contacts k WHERE k.id = '${c.contactId}'`));
	assert.equal(contact.phone, p);
	assert.equal(contact.wa_id, digits(p));
	assert.equal(contact.name, 'Sheena Nelson');
	assert.equal(contact.messages_received_count, 1);
	assert.ok(contact.last_message_received_at);
	// the same webhook again (other bytes: a re-batch) changes nothing
	const hook = (await control('GET', '/_sim/webhooks')).webhooks
		.find((w) => w.body.includes(wamid.replace(/\//g, '\\/')));
	const v = JSON.parse(hook.body);
	v.entry.push({ id: t.wabaId, changes: [{ field: 'messages', value: v.entry[0].changes[0].value }] });
	assert.equal((await postWebhook(v)).status, 200);
	await drained();
	const again = await conversationOf(p);
	assert.equal(again.unreadCount, 1);
	assert.equal(q(`SELECT messages_received_count FROM wa.contacts WHERE id = '${c.contactId}'`), '1');
	// one conversation for the contact and the number
	assert.equal(q(`SELECT count(*) FROM wa.conversations WHERE account_id = '${t.accountId}' AND peer = '${p}'`), '1');
});

test('a conversation: get, messages in both directions, an agent answers inside the window', async () => {
	const p = phone();
	await inbound(p, 'first');
	await inbound(p, 'second');
	const c = await conversationOf(p);
	assert.equal(c.unreadCount, 2);
	const one = mosendOk(await get(`${base()}/${c.id}`));
	assert.equal(one.id, c.id);
	const sent = mosendOk(await api('POST', `${base()}/${c.id}/messages`, t.memberKey, { body: { text: 'Yes, it ships today.' } }), 201);
	assert.deepEqual(Object.keys(sent).sort(), MSG_KEYS);
	assert.equal(sent.direction, 'outbound');
	assert.equal(sent.status, 'sent');
	assert.equal(sent.origin, 'agent');
	assert.ok(sent.wamid);
	assert.equal(sent.text, 'Yes, it ships today.');
	assert.equal((await acceptedTo(t, p)).length, 1);
	// newest first; then older with the cursor of the Link header
	const r = await get(`${base()}/${c.id}/messages?limit=2`);
	const page = mosendOk(r);
	assert.deepEqual(page.map((m) => m.text), ['Yes, it ships today.', 'second']);
	assert.deepEqual(page.map((m) => m.direction), ['outbound', 'inbound']);
	assert.equal(page[1].status, 'received');
	assert.equal(r.headers['x-has-more'], 'true');
	const next = r.headers.link.match(/<([^>]+)>/)[1];
	const older = mosendOk(await get(next));
	assert.deepEqual(older.map((m) => m.text), ['first']);
	// what came after a cursor, oldest first
	const cursor = new URL(next, 'https://x').searchParams.get('before');
	const newer = mosendOk(await get(`${base()}/${c.id}/messages?after=${cursor}`));
	assert.deepEqual(newer.map((m) => m.text), ['Yes, it ships today.']);
	mosendError(await get(`${base()}/${c.id}/messages?after=${cursor}&before=${cursor}`), 400, 'Bad Request',
		`${base()}/${c.id}/messages`);
	const conv = mosendOk(await get(`${base()}/${c.id}`));
	assert.equal(conv.handler, 'agent');
	assert.deepEqual(conv.lastMessage, { direction: 'outbound', preview: 'Yes, it ships today.' });
});

test('outside the window a free-form reply is refused before Meta; a template goes through', async () => {
	const p = phone();
	await inbound(p, 'hello');
	const c = await conversationOf(p);
	q(`UPDATE wa.conversations SET last_inbound_at = now() - interval '25 hours' WHERE id = '${c.id}'`);
	const before = (await acceptedTo(t, p)).length;
	const r = await api('POST', `${base()}/${c.id}/messages`, t.memberKey, { body: { text: 'Still there?' } });
	const e = mosendError(r, 422, 'Unprocessable Entity', `${base()}/${c.id}/messages`);
	assert.match(e.message, /24-hour customer service window ended at \d{4}-.*only a template/);
	assert.equal((await acceptedTo(t, p)).length, before);
	const tpl = { name: t.tpl.name, language: t.tpl.language,
		components: [{ type: 'body', parameters: [{ type: 'text', text: 'Ann' }] }] };
	const sent = mosendOk(await api('POST', `${base()}/${c.id}/messages`, t.memberKey, { body: { template: tpl } }), 201);
	assert.equal(sent.type, 'template');
	assert.equal(sent.status, 'sent');
	// a template with the body unfilled is refused
	const bad = await api('POST', `${base()}/${c.id}/messages`, t.memberKey,
		{ body: { template: { name: t.tpl.name, language: t.tpl.language } } });
	mosendError(bad, 422, 'Unprocessable Entity', `${base()}/${c.id}/messages`);
	// a phone that never wrote: only a template starts the conversation
	const fresh = mosendOk(await api('POST', base(), t.memberKey, { body: { phoneNumberId: t.accountId, phone: phone() } }), 201);
	assert.equal(fresh.windowOpen, false);
	const r2 = await api('POST', `${base()}/${fresh.id}/messages`, t.memberKey, { body: { text: 'hi' } });
	assert.match(mosendError(r2, 422, 'Unprocessable Entity', `${base()}/${fresh.id}/messages`).message,
		/has not written/);
	// opening it again returns the same one
	const same = mosendOk(await api('POST', base(), t.memberKey, { body: { phoneNumberId: t.accountId, phone: fresh.phone } }));
	assert.equal(same.id, fresh.id);
});

test('STOP opts out (one confirmation), a bulk send then skips the contact; START opts back in', async () => {
	const p = phone();
	await inbound(p, 'hi');
	await inbound(p, ' stop! ');
	await eventually(async () => (await acceptedTo(t, p)).length === 1);
	assert.match((await bodiesTo(p)).join(), /You have been unsubscribed/);
	assert.equal(q(`SELECT source || '|' || suppressed FROM wa.suppressions WHERE account_id = '${t.accountId}'
		AND phone = '${p}' AND superseded_at IS NULL`), 'keyword|true');
	assert.equal(q(`SELECT is_opted_in FROM wa.contacts WHERE account_id = '${t.accountId}' AND phone = '${p}'`), 'f');
	// STOP again: no second confirmation
	await inbound(p, 'STOP');
	const b = ok(await bulk(t, withVars([p])));
	assert.equal(b.results[0].status, 'skipped');
	// a broadcast skips the contact too
	const other = phone();
	const bc = await createBroadcast(t, { recipients: withVars([p, other]) });
	ok(await sendBroadcast(t, bc.id));
	await finished(t, bc.id);
	const recips = Object.fromEntries((await recipientsOf(t, bc.id)).recipients
		.map((r) => [r.phone, [r.status, r.error || null]]));
	assert.deepEqual(recips[p], ['failed', 'the recipient opted out']);
	assert.notEqual(recips[other][0], 'failed');
	assert.equal((await acceptedTo(t, p)).length, 1);
	// START: opted in, confirmed; a send goes out again
	await inbound(p, 'Start');
	await eventually(async () => (await acceptedTo(t, p)).length === 2);
	assert.match((await bodiesTo(p)).join(), /You are subscribed again/);
	assert.equal(q(`SELECT is_opted_in FROM wa.contacts WHERE account_id = '${t.accountId}' AND phone = '${p}'`), 't');
	assert.equal(ok(await bulk(t, withVars([p]))).results[0].status, 'sent');
	// BAJA answers in Spanish
	const s = phone();
	await inbound(s, 'Baja');
	await eventually(async () => (await acceptedTo(t, s)).length === 1);
	assert.match((await bodiesTo(s)).join(), /Te has dado de baja/);
});

test('a number\'s own keywords: set by an admin, normalized, checked, then they opt out and in', async () => {
	const path = `${base()}/keywords/${t.accountId}`;
	const none = mosendOk(await get(path));
	assert.deepEqual(none, { phoneNumberId: t.accountId, optOut: [], optIn: [],
		builtIn: { optOut: ['STOP', 'UNSUBSCRIBE', 'BAJA', 'CANCELAR'], optIn: ['START', 'ALTA'] } });
	mosendError(await api('PUT', path, t.memberKey, { body: { optOut: ['x'], optIn: [] } }), 403, 'Forbidden', path);
	const bad = await api('PUT', path, t.key, { body: { optOut: ['start', '!!'], optIn: ['stop'] } });
	const e = mosendError(bad, 400, 'Bad Request', path);
	assert.equal(e.message.length, 3, JSON.stringify(e.message));
	mosendError(await api('PUT', path, t.key, { body: { optOut: ['Parar'], optIn: ['parar'] } }), 400, 'Bad Request', path);
	const set = mosendOk(await api('PUT', path, t.key, { body: { optOut: ['Parar.', ' parar '], optIn: ['volver'] } }));
	assert.deepEqual([set.optOut, set.optIn], [['PARAR'], ['VOLVER']]);
	const p = phone();
	await inbound(p, 'parar');
	await eventually(() => q(`SELECT is_opted_in FROM wa.contacts WHERE account_id = '${t.accountId}'
		AND phone = '${p}'`) === 'f');
	await inbound(p, 'Volver!');
	await eventually(() => q(`SELECT is_opted_in FROM wa.contacts WHERE account_id = '${t.accountId}'
		AND phone = '${p}'`) === 't');
	mosendOk(await api('PUT', path, t.key, { body: { optOut: [], optIn: [] } }));
	// another organization's number
	const theirs = `${base(other)}/keywords/${t.accountId}`;
	mosendError(await api('GET', theirs, other.memberKey), 404, 'Not Found', theirs);
});

test('PATCH assigns, moves status; mark read sends the read receipt; filters and paging', async () => {
	const p = phone();
	const wamid = await inbound(p, 'please call me');
	const c = await conversationOf(p);
	const u = mosendOk(await api('PATCH', `${base()}/${c.id}`, t.memberKey,
		{ body: { status: 'pending', assigneeId: 'agent-7', team: 'sales' } }));
	assert.deepEqual([u.status, u.assigneeId, u.team, u.handler], ['pending', 'agent-7', 'sales', 'agent']);
	const bad = await api('PATCH', `${base()}/${c.id}`, t.memberKey, { body: { status: 'gone' } });
	mosendError(bad, 400, 'Bad Request', `${base()}/${c.id}`);
	const mine = mosendOk(await get(`${base()}?assigneeId=agent-7&status=pending`));
	assert.deepEqual(mine.map((x) => x.id), [c.id]);
	assert.ok(mosendOk(await get(`${base()}?unread=true`)).some((x) => x.id === c.id));
	const read = mosendOk(await api('POST', `${base()}/${c.id}/read`, t.memberKey), 201);
	assert.equal(read.unreadCount, 0);
	const receipts = (await received(`/${t.phoneNumberId}/messages`))
		.filter((x) => (x.body || '').includes('"read"') && x.body.includes(wamid));
	assert.equal(receipts.length, 1);
	assert.ok(!mosendOk(await get(`${base()}?unread=true`)).some((x) => x.id === c.id));
	const cleared = mosendOk(await api('PATCH', `${base()}/${c.id}`, t.memberKey, { body: { assigneeId: null, status: 'closed' } }));
	assert.deepEqual([cleared.status, cleared.assigneeId], ['closed', null]);
	// a new message reopens it
	await inbound(p, 'hello again');
	assert.equal(mosendOk(await get(`${base()}/${c.id}`)).status, 'open');
	// paging: one at a time, newest first, no repeats
	const seen = [];
	let path = `${base()}?limit=1&phoneNumberId=${t.accountId}`;
	for (let i = 0; i < 3 && path; i++) {
		const r = await get(path);
		seen.push(...mosendOk(r).map((x) => x.id));
		path = r.headers.link ? r.headers.link.match(/<([^>]+)>/)[1] : null;
	}
	assert.equal(new Set(seen).size, seen.length);
	assert.equal(seen[0], c.id);
	mosendError(await get(`${base()}?cursor=nope`), 400, 'Bad Request', base());
	mosendError(await get(`${base()}?status=nope`), 400, 'Bad Request', base());
});

test('a late webhook of an older message moves nothing back', async () => {
	const p = phone();
	const now = Math.floor(Date.now() / 1000);
	const hook = (id, ts, body) => ({ object: 'whatsapp_business_account', entry: [{ id: t.wabaId, changes: [{
		field: 'messages', value: { messaging_product: 'whatsapp',
			metadata: { display_phone_number: t.display.slice(1), phone_number_id: t.phoneNumberId },
			contacts: [{ profile: { name: 'Late' }, wa_id: digits(p) }],
			messages: [{ from: digits(p), id, timestamp: String(ts), type: 'text', text: { body } }] } }] }] });
	assert.equal((await postWebhook(hook(`wamid.new.${p}`, now, 'the newer one'))).status, 200);
	await drained();
	const c = await conversationOf(p);
	assert.equal((await postWebhook(hook(`wamid.old.${p}`, now - 3600, 'the older one'))).status, 200);
	await drained();
	const after = mosendOk(await get(`${base()}/${c.id}`));
	assert.equal(after.lastInboundAt, c.lastInboundAt);
	assert.equal(after.windowExpiresAt, c.windowExpiresAt);
	assert.equal(after.unreadCount, 2);
	assert.equal(q(`SELECT last_inbound_wamid FROM wa.conversations WHERE id = '${c.id}'`), `wamid.new.${p}`);
	// both messages are in it, in the order wagate had them
	const msgs = mosendOk(await get(`${base()}/${c.id}/messages`));
	assert.deepEqual(msgs.map((m) => m.text), ['the older one', 'the newer one']);
});

test('outbound messages of every path appear in the conversation', async () => {
	const p = phone();
	const b = ok(await bulk(t, withVars([p])));
	assert.equal(b.results[0].status, 'sent');
	const c = await conversationOf(p);
	assert.equal(c.status, 'closed');
	assert.equal(c.windowOpen, false);
	const msgs = mosendOk(await get(`${base()}/${c.id}/messages`));
	assert.equal(msgs.length, 1);
	assert.deepEqual([msgs[0].origin, msgs[0].type, msgs[0].status], ['bulk', 'template', 'sent']);
	await eventually(async () => mosendOk(await get(`${base()}/${c.id}/messages`))[0].status === 'read',
		{ timeoutMs: 15000 });
});

test('other tenants never see a conversation', async () => {
	const p = phone();
	await inbound(p, 'secret');
	const c = await conversationOf(p);
	const path = `${base()}/${c.id}`;
	// another organization's key on this organization: 403
	mosendError(await api('GET', path, other.memberKey), 403, 'Forbidden', path);
	// its own organization with this id: 404
	const theirs = `${base(other)}/${c.id}`;
	mosendError(await api('GET', theirs, other.memberKey), 404, 'Not Found', theirs);
	mosendError(await api('GET', `${theirs}/messages`, other.memberKey), 404, 'Not Found', `${theirs}/messages`);
	mosendError(await api('POST', `${theirs}/messages`, other.memberKey, { body: { text: 'x' } }), 404, 'Not Found',
		`${theirs}/messages`);
	assert.equal(mosendOk(await api('GET', base(other), other.memberKey)).length, 0);
	mosendError(await api('GET', `${base()}/not-a-uuid`, t.memberKey), 404, 'Not Found', `${base()}/not-a-uuid`);
	const foreign = await api('POST', base(other), other.memberKey, { body: { phoneNumberId: t.accountId, phone: p } });
	mosendError(foreign, 404, 'Not Found', base(other));
});
