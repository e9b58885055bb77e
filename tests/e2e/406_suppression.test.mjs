// The opt-out ledger (docs/sending.md, "Suppression"): a contact created
// or changed opted out or blocked, an operator's `wa-admin suppress`, a
// deleted contact that had opted out, and Meta's "stopped marketing"
// (131050) all keep wagate from sending to the phone: a bulk result is
// success:false with the reason, a broadcast recipient failed with it;
// nothing reaches Meta.  Lifted entries let sends through again; the
// ledger only ever grows; an opt-out after queueing still stops a
// message when it is claimed.  Per account: another tenant's ledger
// does not stop this one's sends.
import test from 'node:test';
import assert from 'node:assert/strict';
import { admin, eventually, psql } from './lib/harness.mjs';
import { control } from './lib/meta.mjs';
import {
	acceptedTo, bulk, bulkShape, createBroadcast, getBroadcast, late, ledger, messages, ok, pace, phone, phones,
	recipientsOf, sendBroadcast, sendTenant, summary, went, withVars,
} from './lib/send.mjs';

// t sends; other is another tenant; slow is paced at one message a second
const [t, other, slow] = await Promise.all([sendTenant(), sendTenant(), sendTenant()]);
const C = '/v1/whatsapp/contacts';

const contact = async (p, extra = {}) => ok(await late('POST', C, t.key, {
	accountId: t.accountId, phone: p, name: 'Someone', ...extra })).contact;
const ledgerRows = (p) => psql(`SELECT kind || ':' || suppressed || ':' || source || ':' || (superseded_at IS NOT NULL)
	FROM wa.suppressions WHERE account_id = '${t.accountId}' AND phone = '${p}' ORDER BY created_at, id`,
{ as: 'super' }).split('\n').filter(Boolean);

// phones the ledger suppresses, each its own way
const optedOut = phone();
const blocked = phone();
const byAdmin = phone();
const deleted = phone();
const stopped = phone();
const fine = phone();
const reasons = {
	[optedOut]: ['opted_out', 'the recipient opted out'],
	[blocked]: ['blocked', 'the recipient is blocked'],
	[byAdmin]: ['opted_out', 'the recipient opted out'],
	[deleted]: ['opted_out', 'the recipient opted out'],
	[stopped]: ['stopped_marketing', 'the recipient stopped marketing messages (Meta 131050)'],
};

test('the ledger is fed by contacts, the operator and deleted contacts', async () => {
	await contact(optedOut, { isOptedIn: false });
	const b = await contact(blocked);
	ok(await late('PUT', `${C}/${b.id}`, t.key, { isBlocked: true }));
	assert.deepEqual(admin('suppress', '--account', t.accountId, '--phone', byAdmin),
		{ WA_SUPPRESSED: 'yes', WA_PHONE: byAdmin });
	const d = await contact(deleted);
	ok(await late('POST', `${C}/bulk`, t.key, { action: 'optOut', contactIds: [d.id] }));
	ok(await late('DELETE', `${C}/${d.id}`, t.key));
	admin('suppress', '--account', t.accountId, '--phone', stopped, '--kind', 'stopped_marketing');
	await contact(fine);
	assert.deepEqual(ledgerRows(optedOut), ['opted_out:true:contact:false']);
	assert.deepEqual(ledgerRows(blocked), ['blocked:true:contact:false']);
	assert.deepEqual(ledgerRows(byAdmin), ['opted_out:true:admin:false']);
	assert.deepEqual(ledgerRows(deleted), ['opted_out:true:contact:false']);
	assert.deepEqual(ledgerRows(fine), []);
});

test('bulk: suppressed phones are skipped with their reason; nothing reaches Meta', async () => {
	const list = [optedOut, blocked, byAdmin, deleted, stopped, fine];
	const b = bulkShape(ok(await bulk(t, withVars(list))));
	assert.deepEqual(b.summary, { total: 6, sent: 1, failed: 5, pending: 0, unknown: 0 });
	for (const x of b.results.slice(0, 5)) {
		assert.deepEqual([x.success, x.status, x.error], [false, 'skipped', reasons[x.phone][1]], x.phone);
		assert.equal(x.messageId, undefined);
	}
	assert.ok(went(b.results[5].status));
	const rows = psql(`SELECT string_agg(error_code, ',' ORDER BY seq) FROM wa.messages
		WHERE batch_id = (SELECT batch_id FROM wa.messages WHERE id = '${b.results[0].id}') AND status = 'skipped'`,
	{ as: 'super' });
	assert.equal(rows, 'opted_out,blocked,opted_out,opted_out,stopped_marketing');
	for (const p of list.slice(0, 5)) assert.equal((await acceptedTo(t, p)).length, 0, p);
});

test('broadcast: suppressed recipients fail with their reason; the dry run counts them', async () => {
	const list = [optedOut, blocked, byAdmin, deleted, stopped, fine];
	const b = await createBroadcast(t, { recipients: withVars(list) });
	const dry = ok(await sendBroadcast(t, b.id, { query: '?dryRun=true' }));
	assert.deepEqual([dry.total, dry.sendable, dry.suppressed, dry.mismatched], [6, 1, 5, 0]);
	assert.deepEqual(dry.recipients.map((r) => [r.phone, r.reason, r.error]),
		list.slice(0, 5).map((p) => [p, ...reasons[p]]));
	assert.deepEqual(ok(await sendBroadcast(t, b.id)), { success: true, status: 'completed', sent: 1, failed: 5,
		unknown: 0, total: 6 });
	const rec = await recipientsOf(t, b.id);
	assert.deepEqual(rec.recipients.slice(0, 5).map((r) => [r.phone, r.status, r.error, r.messageId]),
		list.slice(0, 5).map((p) => [p, 'failed', reasons[p][1], null]));
	assert.equal(rec.summary.failed, 5);
	assert.deepEqual((await recipientsOf(t, b.id, 'status=failed')).recipients.length, 5);
	assert.equal((await getBroadcast(t, b.id)).failedCount, 5);
	// all suppressed: the broadcast failed, Meta saw nothing
	const all = await createBroadcast(t, { recipients: withVars([optedOut, blocked]) });
	assert.equal(ok(await sendBroadcast(t, all.id)).status, 'failed');
});

test('lifted: opted in again, unblocked, lifted by the operator: sent; the ledger keeps the history', async () => {
	const list = [optedOut, blocked, byAdmin];
	const cs = ok(await late('GET', `${C}?accountId=${t.accountId}&limit=100`, t.key)).contacts;
	const id = (p) => cs.find((c) => c.phone === p).id;
	ok(await late('PUT', `${C}/${id(optedOut)}`, t.key, { isOptedIn: true }));
	ok(await late('POST', `${C}/bulk`, t.key, { action: 'unblock', contactIds: [id(blocked)] }));
	assert.equal(admin('suppress', '--account', t.accountId, '--phone', byAdmin, '--lift').WA_SUPPRESSED, 'no');
	const b = bulkShape(ok(await bulk(t, withVars(list))));
	assert.deepEqual(b.summary, { total: 3, sent: 3, failed: 0, pending: 0, unknown: 0 });
	for (const p of list) assert.equal((await acceptedTo(t, p)).length, 1, p);
	assert.deepEqual(ledgerRows(optedOut), ['opted_out:true:contact:true', 'opted_out:false:contact:false']);
	assert.deepEqual(ledgerRows(blocked), ['blocked:true:contact:true', 'blocked:false:contact:false']);
	assert.deepEqual(ledgerRows(byAdmin), ['opted_out:true:admin:true', 'opted_out:false:admin:false']);
	// the application cannot erase or rewrite the ledger
	for (const sql of [`DELETE FROM wa.suppressions WHERE phone = '${optedOut}'`,
		`UPDATE wa.suppressions SET suppressed = false WHERE phone = '${deleted}'`]) {
		assert.throws(() => psql(`SELECT set_config('wa.org_id', '${t.orgId}', false); ${sql}`),
			/permission denied/);
	}
	// a deleted contact's opt-out outlives it
	assert.equal(ok(await bulk(t, withVars([deleted]))).results[0].status, 'skipped');
});

test('Meta\'s 131050 (the user stopped marketing messages) enters the ledger', async () => {
	const p = phone();
	await control('POST', '/_sim/recipients', { wa_id: p, fail_code: 131050 });
	try {
		const b = await createBroadcast(t, { recipients: withVars([p]) });
		ok(await sendBroadcast(t, b.id));
		await eventually(() => messages(b.id)[0].status === 'failed');
		assert.equal(messages(b.id)[0].error_code, 'meta_131050');
	} finally {
		await control('POST', '/_sim/recipients', { wa_id: p, fail_code: 0 });
	}
	assert.deepEqual(ledgerRows(p), ['stopped_marketing:true:meta:false']);
	const again = ok(await bulk(t, withVars([p])));
	assert.deepEqual([again.results[0].status, again.results[0].error],
		['skipped', 'the recipient stopped marketing messages (Meta 131050)']);
	assert.equal((await acceptedTo(t, p)).length, 1);
});

test('an opt-out after queueing still stops the message when it is claimed', async () => {
	const a = slow;
	pace(a, 1);	// two at once, then one a second
	const list = phones(4);
	const b = await createBroadcast(a, { recipients: withVars(list) });
	const sending = sendBroadcast(a, b.id);
	await eventually(async () => (await summary(a)).accepted >= 1, { everyMs: 20 });
	// everyone not sent yet opts out
	const sent = new Set((await ledger(a)).map((x) => x.to));
	const late_ = list.filter((p) => !sent.has(p.slice(1)));
	for (const p of late_) {
		ok(await late('POST', C, a.key, { accountId: a.accountId, phone: p, name: 'Late', isOptedIn: false }));
	}
	const s = ok(await sending);
	const rows = messages(b.id);
	const accepted = new Set((await ledger(a)).filter((x) => x.code === 0).map((x) => x.to));
	let stoppedAtClaim = 0;
	for (const m of rows) {
		if (accepted.has(m.phone.slice(1))) {
			assert.ok(went(m.status), `${m.phone} ${m.status}`);
		} else {
			assert.deepEqual([m.status, m.error_code, m.attempts], ['skipped', 'opted_out', 0], m.phone);
			stoppedAtClaim += 1;
		}
	}
	assert.ok(stoppedAtClaim >= 1, 'at least one was stopped at its claim');
	assert.deepEqual([s.sent, s.failed, s.total], [4 - stoppedAtClaim, stoppedAtClaim, 4]);
	assert.equal((await getBroadcast(a, b.id)).failedCount, stoppedAtClaim);
});

test('per account: another tenant\'s opt-out of the same phone does not stop this one', async () => {
	const p = phone();
	ok(await late('POST', C, other.key, { accountId: other.accountId, phone: p, name: 'Theirs', isOptedIn: false }));
	assert.equal(ok(await bulk(other, withVars([p]))).results[0].status, 'skipped');
	assert.ok(went(ok(await bulk(t, withVars([p]))).results[0].status));
	assert.equal((await acceptedTo(t, p)).length, 1);
	assert.equal((await acceptedTo(other, p)).length, 0);
});
