// Meta's status webhooks move wagate's messages forward only
// (docs/sending.md, "No silent duplicates"; sql/0006, wa.message_next):
// out of order and twice each, a broadcast message ends `read` with its
// times and is counted once; a late `failed` does not undo `delivered`,
// a `delivered` after `failed` wins; a status that beats the worker's
// own record still applies; batched statuses (status_batch) apply; a
// status names a message only for the number it came for.  The
// simulator's own statuses are turned off where the test posts them
// (signed as Meta signs them) itself.
import test from 'node:test';
import assert from 'node:assert/strict';
import { eventually, psql, sleep } from './lib/harness.mjs';
import { drained } from './lib/meta.mjs';
import {
	addFault, createBroadcast, digits, getBroadcast, ledger, message, messages, messagesPath, ok, phones,
	postStatuses, recipientsOf, removeFault, sendBroadcast, sendTenant, withSimConfig, withVars,
} from './lib/send.mjs';

const [t, other] = await Promise.all([sendTenant(), sendTenant()]);

// A broadcast of n recipients sent while the simulator sends no status
// webhooks: its messages, sent.
async function sentQuietly(n, who = t) {
	const b = await createBroadcast(who, { recipients: withVars(phones(n)) });
	await withSimConfig({ statuses: false }, async () => {
		assert.equal(ok(await sendBroadcast(who, b.id)).sent, n);
	});
	return { b, rows: messages(b.id) };
}

const counts = (g) => [g.sentCount, g.deliveredCount, g.readCount, g.failedCount, g.unknownCount];

test('read, delivered, sent, each twice: the message ends read, with its times, counted once', async () => {
	const { b, rows: [m] } = await sentQuietly(1);
	assert.equal(m.status, 'sent');
	const at = Math.floor(Date.now() / 1000);
	const st = (status, dt) => ({ id: m.wamid, status, timestamp: String(at + dt), recipient_id: digits(m.phone),
		biz_opaque_callback_data: m.id });
	for (const [status, dt] of [['read', 2], ['read', 2], ['delivered', 1], ['delivered', 1], ['sent', 0], ['sent', 0]]) {
		const r = await postStatuses(t, [st(status, dt)]);
		assert.equal(r.status, 200, r.text);
		await drained();
	}
	const row = message(m.id);
	assert.equal(row.status, 'read');
	assert.equal(psql(`SELECT count(*) FROM wa.message_statuses WHERE wamid = '${m.wamid}'`, { as: 'super' }), '3');
	const g = await getBroadcast(t, b.id);
	assert.deepEqual(counts(g), [1, 1, 1, 0, 0]);
	const r = (await recipientsOf(t, b.id)).recipients[0];
	assert.equal(r.status, 'read');
	// read came first and implied delivered: deliveredAt is set from it
	// (the later delivered with its earlier time changes nothing)
	assert.equal(r.readAt, new Date((at + 2) * 1000).toISOString());
	assert.ok(r.deliveredAt && r.deliveredAt <= r.readAt, r.deliveredAt);
	assert.ok(r.sentAt);
	assert.deepEqual((await recipientsOf(t, b.id)).summary,
		{ total: 1, pending: 0, sent: 0, delivered: 0, read: 1, failed: 0, unknown: 0 });
	// and once more, all three in one webhook, in any order: nothing moves
	assert.equal((await postStatuses(t, [st('delivered', 1), st('sent', 0), st('read', 2)])).status, 200);
	await drained();
	assert.deepEqual(counts(await getBroadcast(t, b.id)), [1, 1, 1, 0, 0]);
});

test('failed after delivered is ignored; delivered after failed wins (another device)', async () => {
	const { b, rows: [x, y] } = await sentQuietly(2);
	const fail = (m) => ({ id: m.wamid, status: 'failed', recipient_id: digits(m.phone),
		errors: [{ code: 131026, title: 'Message undeliverable' }] });
	const delivered = (m) => ({ id: m.wamid, status: 'delivered', recipient_id: digits(m.phone) });
	await postStatuses(t, [delivered(x)]);
	await drained();
	await postStatuses(t, [fail(x)]);
	await drained();
	assert.equal(message(x.id).status, 'delivered');
	await postStatuses(t, [fail(y)]);
	await drained();
	assert.equal(message(y.id).status, 'failed');
	assert.equal(messages(b.id)[1].error_code, 'meta_131026');
	assert.deepEqual(counts(await getBroadcast(t, b.id)), [1, 1, 0, 1, 0]);
	await postStatuses(t, [delivered(y)]);
	await drained();
	assert.equal(message(y.id).status, 'delivered');
	assert.deepEqual(counts(await getBroadcast(t, b.id)), [2, 2, 0, 0, 0]);
	const rec = (await recipientsOf(t, b.id)).recipients;
	assert.deepEqual(rec.map((r) => r.status), ['delivered', 'delivered']);
});

test('a status that arrives before the worker has recorded the send still applies, and is not undone', async () => {
	const b = await createBroadcast(t, { recipients: withVars(phones(1)) });
	// Meta holds its answer a while (under the client's timeout)
	const f = await addFault({ path: messagesPath(t), count: 1, latency_ms: 1500 });
	try {
		await withSimConfig({ statuses: false }, async () => {
			const sending = sendBroadcast(t, b.id);
			const m = await eventually(() => {
				const rows = messages(b.id);
				return rows.length === 1 && rows[0].status === 'sending' && rows[0];
			}, { everyMs: 20 });
			// the webhook names it by the id wagate gave it
			await postStatuses(t, [{ id: 'wamid.EARLY', status: 'delivered', recipient_id: digits(m.phone),
				biz_opaque_callback_data: m.id }]);
			await eventually(() => message(m.id).status === 'delivered', { everyMs: 20 });
			assert.deepEqual(ok(await sending), { success: true, status: 'completed', sent: 1, failed: 0, unknown: 0,
				total: 1 });
		});
	} finally {
		await removeFault(f);
	}
	// the answer Meta held comes back to the worker, whose record of
	// it (sent) does not take the message back from delivered
	const id = messages(b.id)[0].id;
	await eventually(async () => (await ledger(t)).filter((x) => x.opaque === id && x.code === 0).length === 1);
	await sleep(500);
	const row = messages(b.id)[0];
	assert.deepEqual([row.status, row.attempts, row.wamid], ['delivered', 1, 'wamid.EARLY']);
	assert.deepEqual(counts(await getBroadcast(t, b.id)), [1, 1, 0, 0, 0]);
});

test('statuses batched by Meta (status_batch) apply, each once', async () => {
	const b = await createBroadcast(t, { recipients: withVars(phones(6)) });
	await withSimConfig({ status_batch: 20, status_delay_ms: 100 }, async () => {
		assert.equal(ok(await sendBroadcast(t, b.id)).sent, 6);
		await eventually(async () => (await getBroadcast(t, b.id)).readCount === 6);
	});
	assert.deepEqual(counts(await getBroadcast(t, b.id)), [6, 6, 6, 0, 0]);
	assert.deepEqual(messages(b.id).map((m) => m.status), Array(6).fill('read'));
});

test('one webhook of many statuses (one statement): each message once, twins and unkeyed items change nothing', async () => {
	const { b, rows } = await sentQuietly(3);
	const at = Math.floor(Date.now() / 1000);
	const st = (m, status, dt) => ({ id: m.wamid, status, timestamp: String(at + dt), recipient_id: digits(m.phone),
		biz_opaque_callback_data: m.id });
	const items = [];
	for (const m of rows) items.push(st(m, 'read', 2), st(m, 'delivered', 1), st(m, 'read', 2), st(m, 'sent', 0));
	// no wamid, no status, a timestamp that is not Unix seconds, an opaque
	// id that is not wagate's, not an object at all
	items.push({ status: 'read' }, { id: rows[0].wamid }, { ...st(rows[1], 'deleted', 3), timestamp: 'soon' },
		{ id: 'wamid.NOBODY', status: 'read', biz_opaque_callback_data: 'not-a-uuid' }, 'read', 7, null);
	assert.equal((await postStatuses(t, items)).status, 200);
	await drained();
	assert.deepEqual(messages(b.id).map((m) => m.status), ['read', 'read', 'read']);
	assert.deepEqual(counts(await getBroadcast(t, b.id)), [3, 3, 3, 0, 0]);
	const ids = rows.map((m) => `'${m.wamid}'`).join(',');
	assert.equal(psql(`SELECT count(*) FROM wa.message_statuses WHERE wamid IN (${ids})`, { as: 'super' }), '10');
	assert.equal(psql(`SELECT count(*) FROM wa.webhook_events WHERE state <> 'done'`, { as: 'super' }), '0');
});

test('a status names a message only for the number it came for', async () => {
	const { b, rows: [theirs] } = await sentQuietly(1, other);
	// for t's number, with other's wamid and message id
	assert.equal((await postStatuses(t, [{ id: theirs.wamid, status: 'read', recipient_id: digits(theirs.phone),
		biz_opaque_callback_data: theirs.id }])).status, 200);
	await drained();
	assert.equal(message(theirs.id).status, 'sent');
	assert.deepEqual(counts(await getBroadcast(other, b.id)), [1, 0, 0, 0, 0]);
	// for its own number it applies
	assert.equal((await postStatuses(other, [{ id: theirs.wamid, status: 'read', recipient_id: digits(theirs.phone) }])).status,
		200);
	await eventually(() => message(theirs.id).status === 'read');
	assert.deepEqual(counts(await getBroadcast(other, b.id)), [1, 1, 1, 0, 0]);
});
