// POST /v1/whatsapp/broadcasts/{id}/send through nginx (docs/sending.md,
// "Broadcasts", "Send", "Counters"): Late's final answer, the counters
// and the recipients' statuses as Meta's webhooks move them, what makes
// a broadcast failed, the state rules (no recipients, sent twice, a
// template Meta would refuse), the dry run, and Idempotency-Key.
import test from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { eventually, psql } from './lib/harness.mjs';
import { TS } from './lib/expect.mjs';
import { review } from './lib/meta.mjs';
import {
	B, addFault, approvedTemplate, createBroadcast, digits, fails, finished, getBroadcast, invalid, late, ledger, messages, ok,
	messagesPath, pace, phone, phones, recipientsOf, removeFault, sendBroadcast, sendTenant, summary, went, withVars,
} from './lib/send.mjs';

// t sends; bare has no template yet; slow is paced at 2 messages a second
const [t, bare, slow] = await Promise.all([sendTenant(), sendTenant({ template: null }), sendTenant()]);

test('send: Late\'s {status, sent, failed, total}, then Meta\'s statuses move every counter and recipient', async () => {
	const list = phones(3);
	const c = ok(await late('POST', '/v1/whatsapp/contacts', t.key, { accountId: t.accountId, phone: list[1], name: 'C' }));
	const b = await createBroadcast(t, { recipients: withVars(list) });
	const t0 = Date.now();
	const s = ok(await sendBroadcast(t, b.id));
	assert.deepEqual(s, { success: true, status: 'completed', sent: 3, failed: 0, unknown: 0, total: 3 });
	const g = await getBroadcast(t, b.id);
	assert.equal(g.status, 'completed');
	assert.ok(Date.parse(g.startedAt) >= t0 - 1000 && Date.parse(g.completedAt) >= Date.parse(g.startedAt),
		`${g.startedAt} ${g.completedAt}`);
	assert.match(g.completedAt, TS);
	// the simulator's sent, delivered, read webhooks (status_delay_ms apart)
	const done = await eventually(async () => {
		const x = await getBroadcast(t, b.id);
		return x.readCount === 3 && x;
	});
	assert.deepEqual([done.sentCount, done.deliveredCount, done.readCount, done.failedCount, done.unknownCount],
		[3, 3, 3, 0, 0]);
	const rec = await recipientsOf(t, b.id);
	const sends = await ledger(t);
	for (const [i, r] of rec.recipients.entries()) {
		assert.equal(r.phone, list[i]);
		assert.equal(r.status, 'read');
		assert.equal(r.error, null);
		const at = sends.filter((x) => x.to === digits(r.phone));
		assert.equal(at.length, 1);
		assert.equal(r.messageId, at[0].wamid);
		for (const k of ['sentAt', 'deliveredAt', 'readAt']) assert.match(r[k], TS, k);
	}
	assert.deepEqual(rec.summary, { total: 3, pending: 0, sent: 0, delivered: 0, read: 3, failed: 0, unknown: 0 });
	assert.deepEqual((await recipientsOf(t, b.id, 'status=read')).recipients.length, 3);
	assert.deepEqual((await recipientsOf(t, b.id, 'status=pending')).recipients, []);
	// each message carries its own id to Meta, and its recipient's variable
	const rows = messages(b.id);
	assert.deepEqual(rows.map((m) => m.status), ['read', 'read', 'read']);
	for (const m of rows) assert.equal(sends.find((x) => x.wamid === m.wamid).opaque, m.id);
	// the recipient that is a contact: its counters moved, once
	const cc = ok(await late('GET', `/v1/whatsapp/contacts/${c.contact.id}`, t.key)).contact;
	assert.equal(cc.messagesSentCount, 1);
	assert.ok(Date.parse(cc.lastMessageSentAt) >= t0 - 1000, cc.lastMessageSentAt);
	assert.deepEqual(rows.map((m) => m.contact_id), [null, c.contact.id, null]);
});

test('some recipients cannot be sent: failed with their reason; the broadcast is completed', async () => {
	const [a, c, d] = phones(3);
	const b = await createBroadcast(t, { recipients: [{ phone: a, variables: { 1: 'A' } }, { phone: c },
		{ phone: d, variables: { 1: 'D', 2: 'extra' } }] });
	const s = ok(await sendBroadcast(t, b.id));
	assert.deepEqual(s, { success: true, status: 'completed', sent: 1, failed: 2, unknown: 0, total: 3 });
	const rec = await recipientsOf(t, b.id);
	assert.deepEqual(rec.recipients.map((r) => r.status), [rec.recipients[0].status, 'failed', 'failed']);
	assert.ok(went(rec.recipients[0].status));
	assert.match(rec.recipients[1].error, /no variables fill it/);
	assert.match(rec.recipients[2].error, /variables give "1", "2"/);
	assert.equal(rec.recipients[1].messageId, null);
	assert.equal(rec.summary.failed, 2);
	assert.deepEqual((await recipientsOf(t, b.id, 'status=failed')).recipients.map((r) => r.phone), [c, d]);
	assert.equal((await getBroadcast(t, b.id)).failedCount, 2);
	assert.equal((await ledger(t)).filter((x) => [c, d].map(digits).includes(x.to)).length, 0);
});

test('not one message goes out: the broadcast is failed', async () => {
	const b = await createBroadcast(t, { recipients: phones(2).map((p) => ({ phone: p })) });
	const s = ok(await sendBroadcast(t, b.id));
	assert.deepEqual(s, { success: true, status: 'failed', sent: 0, failed: 2, unknown: 0, total: 2 });
	const g = await getBroadcast(t, b.id);
	assert.deepEqual([g.status, g.failedCount, g.sentCount], ['failed', 2, 0]);
	assert.match(g.completedAt, TS);
	// a failed broadcast is neither sent again nor deleted
	fails(await sendBroadcast(t, b.id), 400, 'invalid_status');
	fails(await late('DELETE', `${B}/${b.id}`, t.key), 400, 'invalid_status');
});

test('state rules: no recipients (400 no_recipients), sent twice (400 invalid_status)', async () => {
	const empty = await createBroadcast(t, { name: 'Empty' });
	const e = fails(await sendBroadcast(t, empty.id), 400, 'no_recipients');
	assert.equal(e.error, 'The broadcast has no recipients');
	// all removed again is empty too
	const p = phone();
	const gone = await createBroadcast(t, { recipients: withVars([p]) });
	ok(await late('DELETE', `${B}/${gone.id}/recipients`, t.key, { phones: [p] }));
	fails(await sendBroadcast(t, gone.id), 400, 'no_recipients');
	assert.equal((await getBroadcast(t, gone.id)).status, 'draft');
	const b = await createBroadcast(t, { recipients: withVars(phones(1)) });
	ok(await sendBroadcast(t, b.id));
	const twice = fails(await sendBroadcast(t, b.id), 400, 'invalid_status');
	assert.match(twice.error, /completed/);
	assert.equal(messages(b.id).length, 1);
});

test('a template Meta would refuse: 422 template_not_sendable, and the broadcast stays a draft', async () => {
	const a = bare;
	await approvedTemplate(a, 'approved_one');
	ok(await late('POST', '/v1/whatsapp/templates', a.key, {
		accountId: a.accountId, name: 'not_yet', category: 'UTILITY', language: 'en_US',
		components: [{ type: 'body', text: 'Hello {{1}}', example: { body_text: [['x']] } }],
	}));
	for (const [tpl, words] of [
		[{ name: 'not_yet', language: 'en_US' }, /not_yet \(en_US\) is PENDING, not APPROVED/],
		[{ name: 'missing', language: 'en_US' }, /does not exist in language en_US/],
		[{ name: 'approved_one', language: 'de' }, /does not exist in language de/],
	]) {
		const b = await createBroadcast(a, { template: tpl, recipients: withVars(phones(2)) });
		const r = fails(await sendBroadcast(a, b.id), 422, 'template_not_sendable');
		assert.match(r.error, words);
		assert.equal((await getBroadcast(a, b.id)).status, 'draft');
		assert.equal(messages(b.id).length, 0);
	}
	// approved at Meta since: the copy is refreshed by the send itself
	const b = await createBroadcast(a, { template: { name: 'not_yet', language: 'en_US' }, recipients: withVars(phones(1)) });
	await review(a.wabaId, 'not_yet', 'APPROVED');
	assert.equal(ok(await sendBroadcast(a, b.id)).status, 'completed');
	// a header parameter the base components do not give
	ok(await late('POST', '/v1/whatsapp/templates', a.key, {
		accountId: a.accountId, name: 'with_header', category: 'UTILITY', language: 'en_US',
		components: [{ type: 'header', format: 'TEXT', text: 'Order {{1}}', example: { header_text: ['A-1'] } },
			{ type: 'body', text: 'Hello {{1}}', example: { body_text: [['x']] } }],
	}));
	await review(a.wabaId, 'with_header', 'APPROVED');
	const h = await createBroadcast(a, { template: { name: 'with_header', language: 'en_US' }, recipients: withVars(phones(1)) });
	assert.match(fails(await sendBroadcast(a, h.id), 422, 'template_not_sendable').error, /header parameter/);
	const ok2 = await createBroadcast(a, { template: { name: 'with_header', language: 'en_US',
		components: [{ type: 'header', parameters: [{ type: 'text', text: 'A-1' }] }] }, recipients: withVars(phones(1)) });
	assert.equal(ok(await sendBroadcast(a, ok2.id)).status, 'completed');
});

test('dry run: counts and reasons, nothing sent, still a draft', async () => {
	const [a, c, d] = phones(3);
	ok(await late('POST', '/v1/whatsapp/contacts', t.key, { accountId: t.accountId, phone: d, name: 'Out', isOptedIn: false }));
	const b = await createBroadcast(t, { recipients: [{ phone: a, variables: { 1: 'A' } }, { phone: c },
		{ phone: d, variables: { 1: 'D' } }] });
	const before = (await summary(t)).accepted;
	const r = ok(await sendBroadcast(t, b.id, { query: '?dryRun=true' }));
	assert.deepEqual(r, {
		success: true, dryRun: true, status: 'draft', total: 3, sendable: 1, suppressed: 1, mismatched: 1,
		recipients: [
			{ phone: c, reason: 'template_params', error: r.recipients[0].error },
			{ phone: d, reason: 'opted_out', error: 'the recipient opted out' },
		],
		messagesPerSecond: 80, estimatedSeconds: 1,
	});
	assert.match(r.recipients[0].error, /no variables fill it/);
	assert.equal((await getBroadcast(t, b.id)).status, 'draft');
	assert.equal(messages(b.id).length, 0);
	assert.equal((await summary(t)).accepted, before);
	invalid(await sendBroadcast(t, b.id, { query: '?dryRun=yes' }), ['dryRun']);
	// dryRun=false is a real send
	assert.deepEqual(ok(await sendBroadcast(t, b.id, { query: '?dryRun=false' })),
		{ success: true, status: 'completed', sent: 1, failed: 2, unknown: 0, total: 3 });
	// and a dry run of a sent broadcast is refused as the send is
	fails(await sendBroadcast(t, b.id, { query: '?dryRun=true' }), 400, 'invalid_status');
});

test('Idempotency-Key: a replayed send answers the same and sends nothing again', async () => {
	const list = phones(4);
	const b = await createBroadcast(t, { recipients: withVars(list) });
	const key = `send-${crypto.randomUUID()}`;
	const first = await sendBroadcast(t, b.id, { headers: { 'idempotency-key': key } });
	assert.deepEqual(ok(first), { success: true, status: 'completed', sent: 4, failed: 0, unknown: 0, total: 4 });
	const again = await sendBroadcast(t, b.id, { headers: { 'idempotency-key': key } });
	assert.equal(again.status, 200, again.text);
	assert.equal(again.headers['idempotent-replayed'], 'true');
	assert.equal(again.text, first.text);
	// without the key it is a second send: refused
	fails(await sendBroadcast(t, b.id), 400, 'invalid_status');
	const sends = (await ledger(t)).filter((x) => list.map(digits).includes(x.to));
	assert.equal(sends.length, 4);
	assert.equal(new Set(sends.map((x) => x.to)).size, 4);
	assert.equal(messages(b.id).length, 4);
	assert.equal(psql(`SELECT count(*) FROM wa.messages WHERE batch_id = '${b.id}'`, { as: 'super' }), '4');
});

test('Idempotency-Key: a replayed send while the first still waits gets the same answer', async () => {
	const list = phones(2);
	const b = await createBroadcast(t, { recipients: withVars(list) });
	const key = `send-${crypto.randomUUID()}`;
	const f = await addFault({ path: messagesPath(t), latency_ms: 1500, count: 1 });
	try {
		const first = sendBroadcast(t, b.id, { headers: { 'idempotency-key': key } });
		await eventually(() => messages(b.id).length === 2, { everyMs: 20 });
		const second = await sendBroadcast(t, b.id, { headers: { 'idempotency-key': key } });
		const a = await first;
		assert.equal(second.status, 200, second.text);
		assert.deepEqual(second.json, a.json);
		assert.deepEqual(ok(a), { success: true, status: 'completed', sent: 2, failed: 0, unknown: 0, total: 2 });
	} finally {
		await removeFault(f);
	}
	const sends = (await ledger(t)).filter((x) => list.map(digits).includes(x.to));
	assert.deepEqual(sends.map((x) => x.to).sort(), list.map(digits).sort());
});

// docs/sending.md, "Lanes and pacing": a lane sends at its account's
// messages per second (`wa-admin account pace`), a tenth of a second's
// worth (at least two) at once.  A regression test: claim_tx() (lib/
// send/worker.c) claimed more than its LIMIT when the planner ran its
// locked LIMIT subquery as the inner side of a nested loop, again for
// every outer row, so one claim took the account's whole queue (now a
// MATERIALIZED CTE, run once).
test('a lane keeps its account\'s pace: at 2 a second, two at once, then one every half second', async () => {
	pace(slow, 2);
	const list = phones(6);
	const b = await createBroadcast(slow, { recipients: withVars(list) });
	assert.equal(ok(await sendBroadcast(slow, b.id)).sent, 6);
	const mine = list.map(digits);
	const at = (await ledger(slow)).filter((x) => x.code === 0 && mine.includes(x.to)).map((x) => x.at_ms)
		.sort((x, y) => x - y);
	assert.equal(at.length, 6);
	const spread = at.map((x) => x - at[0]);
	assert.ok(spread[2] >= 300, `the third went out ${spread[2]} ms after the first: ${spread}`);
	assert.ok(spread[5] >= 1500, `six at 2/s took ${spread[5]} ms: ${spread}`);
});

// "the order they were added in: the order they are sent in"
// (sql/0006_sending.sql, broadcast_recipients.seq).  A regression test:
// the worker claimed ORDER BY priority, next_attempt_at, id, and the ids
// of one statement's rows are uuid7s of the same millisecond with
// random low bits; seq now comes before id.
test('recipients go out in the order they were added', async () => {
	const a = slow;
	pace(a, 2);	// two at once, then one every half second (when paced)
	const list = phones(6);
	const b = await createBroadcast(a, { recipients: withVars(list) });
	assert.equal(ok(await sendBroadcast(a, b.id)).sent, 6);
	const mine = list.map(digits);
	const order = (await ledger(a)).filter((x) => x.code === 0 && mine.includes(x.to)).sort((x, y) => x.seq - y.seq).map((x) => x.to);
	assert.deepEqual(order.slice(0, 2).sort(), list.slice(0, 2).map(digits).sort(), 'the first two together');
	assert.deepEqual(order.slice(2), list.slice(2).map(digits), 'then one by one, in order');
});
