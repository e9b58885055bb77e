// Scheduled broadcasts (docs/sending.md, "Schedule"): POST and DELETE
// .../schedule with each validation and state rule; the worker starts a
// due broadcast within seconds of scheduledAt and exactly once with two
// job workers running (run.sh sets WA_JOB_WORKERS=2); a cancel that
// races the start either wins (a draft, nothing sent) or loses (400,
// the broadcast sends every recipient once), never both.
import test from 'node:test';
import assert from 'node:assert/strict';
import { familyPids, logTail, sleep } from './lib/harness.mjs';
import {
	B, createBroadcast, digits, fails, finished, getBroadcast, invalid, late, ledger, messages, ok, phone, phones,
	qs, sendBroadcast, sendTenant, withVars,
} from './lib/send.mjs';

const t = await sendTenant();

const schedule = (id, scheduledAt, key = t.key) => late('POST', `${B}/${id}/schedule`, key,
	scheduledAt === undefined ? {} : { scheduledAt });
const unschedule = (id) => late('DELETE', `${B}/${id}/schedule`, t.key);
const inMs = (ms) => new Date(Date.now() + ms).toISOString();

test('schedule validation: scheduledAt required, a date-time with a zone, in the future, at most 30 days ahead', async () => {
	const b = await createBroadcast(t, { recipients: withVars(phones(1)) });
	invalid(await schedule(b.id), ['scheduledAt']);
	invalid(await schedule(b.id, ''), ['scheduledAt']);
	invalid(await schedule(b.id, 1767225600000), ['scheduledAt']);
	for (const v of ['tomorrow', '2026-13-01T10:00:00Z', '2026-03-15', '2026-03-15 10:00', '2099-03-15T10:00:00',
		'x'.repeat(41)]) {
		const f = invalid(await schedule(b.id, v), ['scheduledAt']);
		assert.ok(f.scheduledAt.length > 'scheduledAt '.length, f.scheduledAt);
	}
	assert.match(invalid(await schedule(b.id, inMs(-60e3)), ['scheduledAt']).scheduledAt, /future/);
	assert.match(invalid(await schedule(b.id, inMs(-1)), ['scheduledAt']).scheduledAt, /future/);
	assert.match(invalid(await schedule(b.id, inMs(30 * 86400e3 + 60e3)), ['scheduledAt']).scheduledAt, /30 days/);
	invalid(await schedule(b.id, inMs(400 * 86400e3)), ['scheduledAt']);
	lateFail400(await late('POST', `${B}/${b.id}/schedule`, t.key, 'soon'));
	assert.equal((await getBroadcast(t, b.id)).status, 'draft');
	// 29 days ahead, in another zone, is fine and comes back in UTC
	const at = new Date(Date.now() + 29 * 86400e3);
	at.setUTCMilliseconds(0);
	const local = new Date(at.getTime() + 2 * 3600e3).toISOString().replace('Z', '+02:00');
	const r = ok(await schedule(b.id, local));
	assert.deepEqual(r, { success: true, broadcast: { id: b.id, status: 'scheduled', scheduledAt: at.toISOString() } });
	ok(await unschedule(b.id));
});

function lateFail400(r) {
	assert.equal(r.status, 400, r.text);
	assert.equal(r.json.success, false);
}

test('state rules: a draft with recipients only; cancel only a scheduled one; a scheduled one is not changed', async () => {
	const empty = await createBroadcast(t, { name: 'Empty' });
	fails(await schedule(empty.id, inMs(3600e3)), 400, 'no_recipients');
	const b = await createBroadcast(t, { recipients: withVars(phones(2)) });
	const not = fails(await unschedule(b.id), 400, 'invalid_status');
	assert.match(not.error, /^Broadcast is not scheduled/);
	const at = inMs(3600e3);
	const s = ok(await schedule(b.id, at));
	assert.deepEqual(s.broadcast, { id: b.id, status: 'scheduled', scheduledAt: at });
	const g = await getBroadcast(t, b.id);
	assert.deepEqual([g.status, g.scheduledAt, g.startedAt], ['scheduled', at, null]);
	const l = ok(await late('GET', `${B}?${qs({ accountId: t.accountId, status: 'scheduled' })}`, t.key));
	assert.deepEqual(l.broadcasts.map((x) => x.id), [b.id]);
	// scheduled again, changed, deleted: refused
	assert.match(fails(await schedule(b.id, inMs(7200e3)), 400, 'invalid_status').error, /scheduled/);
	fails(await late('PATCH', `${B}/${b.id}/recipients`, t.key, { recipients: [{ phone: phone() }] }), 400, 'invalid_status');
	fails(await late('DELETE', `${B}/${b.id}/recipients`, t.key, { phones: [phone()] }), 400, 'invalid_status');
	const d = fails(await late('DELETE', `${B}/${b.id}`, t.key), 400, 'invalid_status');
	assert.match(d.error, /^Can only delete draft or cancelled broadcasts/);
	// cancelled: a draft again, without its time
	const c = ok(await unschedule(b.id));
	assert.deepEqual(c, { success: true, broadcast: { id: b.id, status: 'draft' },
		message: 'Broadcast returned to draft status' });
	const again = await getBroadcast(t, b.id);
	assert.deepEqual([again.status, again.scheduledAt], ['draft', null]);
	fails(await unschedule(b.id), 400, 'invalid_status');
	// a sent one cannot be scheduled
	const sent = await createBroadcast(t, { recipients: withVars(phones(1)) });
	ok(await sendBroadcast(t, sent.id));
	fails(await schedule(sent.id, inMs(3600e3)), 400, 'invalid_status');
	fails(await unschedule(sent.id), 400, 'invalid_status');
});

test('a scheduled broadcast sent now is sent once: the worker does not start it again', async () => {
	const list = phones(2);
	const b = await createBroadcast(t, { recipients: withVars(list) });
	ok(await schedule(b.id, inMs(1000)));
	assert.deepEqual(ok(await sendBroadcast(t, b.id)), { success: true, status: 'completed', sent: 2, failed: 0,
		unknown: 0, total: 2 });
	await sleep(2000);
	assert.equal(messages(b.id).length, 2);
	const sends = (await ledger(t)).filter((x) => list.map(digits).includes(x.to));
	assert.equal(sends.length, 2);
	assert.equal((await getBroadcast(t, b.id)).status, 'completed');
});

test('due: started within 5 s of scheduledAt, exactly once, by one of two workers', async () => {
	assert.ok(familyPids('broadcasts-worker').workers.length >= 2, 'two job workers at least (run.sh: WA_JOB_WORKERS=2)');
	const log = logTail('broadcasts-worker');
	const list = phones(3);
	const b = await createBroadcast(t, { recipients: withVars(list) });
	const at = inMs(2000);
	ok(await schedule(b.id, at));
	const done = await finished(t, b.id, 12000);
	assert.equal(done.status, 'completed');
	const late_ = Date.parse(done.startedAt) - Date.parse(at);
	assert.ok(late_ >= 0 && late_ < 5000, `started ${late_} ms after scheduledAt`);
	assert.equal(done.scheduledAt, at);
	assert.equal(done.sentCount, 3);
	assert.equal(messages(b.id).length, 3);
	const sends = (await ledger(t)).filter((x) => list.map(digits).includes(x.to));
	assert.deepEqual(sends.map((x) => x.to).sort(), list.map(digits).sort());
	assert.ok(sends.every((x) => Date.parse(at) <= x.at_ms), 'nothing went out before scheduledAt');
	const starts = log.text().split('\n').filter((l) => l.includes(b.id) && l.includes('started'));
	assert.equal(starts.length, 1, starts.join('\n'));
});

test('a cancel racing the start: one or the other, never both', async (ctx) => {
	const offsets = [-200, 0, 150, 300, 450, 600, 800];
	const log = logTail('broadcasts-worker');
	const runs = await Promise.all(offsets.map(async (off) => {
		const list = phones(2);
		const b = await createBroadcast(t, { name: `Race ${off}`, recipients: withVars(list) });
		const at = Date.now() + 1500;
		ok(await schedule(b.id, new Date(at).toISOString()));
		await sleep(Math.max(0, at + off - Date.now()));
		const c = await unschedule(b.id);
		return { off, b, list, c };
	}));
	// long enough for any worker to have started what it would start
	await sleep(1500);
	const outcomes = [];
	for (const { off, b, list, c } of runs) {
		const sends = () => ledger(t).then((s) => s.filter((x) => list.map(digits).includes(x.to)));
		if (c.status === 200) {
			assert.deepEqual(c.json.broadcast, { id: b.id, status: 'draft' });
			const g = await getBroadcast(t, b.id);
			assert.deepEqual([g.status, g.scheduledAt, g.startedAt, g.sentCount], ['draft', null, null, 0], `offset ${off}`);
			assert.equal(messages(b.id).length, 0, `offset ${off}: a cancelled broadcast has no messages`);
			assert.equal((await sends()).length, 0);
			outcomes.push('cancelled');
		} else {
			const e = fails(c, 400, 'invalid_status');
			assert.match(e.error, /^Broadcast is not scheduled; it is (sending|completed)/);
			const g = await finished(t, b.id);
			assert.equal(g.status, 'completed', `offset ${off}`);
			assert.equal(messages(b.id).length, 2, `offset ${off}: every recipient, once`);
			const s = await sends();
			assert.deepEqual(s.map((x) => x.to).sort(), list.map(digits).sort());
			outcomes.push('started');
		}
	}
	// each started one was started once
	const text = log.text();
	for (const { b, c } of runs) {
		const n = text.split('\n').filter((l) => l.includes(b.id) && l.includes('started')).length;
		assert.equal(n, c.status === 200 ? 0 : 1, b.id);
	}
	assert.equal(outcomes.length, offsets.length);
	ctx.diagnostic(`race outcomes: ${offsets.map((o, i) => `${o} ms ${outcomes[i]}`).join(', ')}`);
});
