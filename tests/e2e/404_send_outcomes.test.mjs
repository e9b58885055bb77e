// What the sending worker does with each of Meta's answers (docs/sending.md,
// "Outcomes"; docs/meta.md, the error table), driven by the simulator's
// fault API on each tenant's own number: throughput (130429) and pair
// rate (131056) and transient (131000) errors are retried and the
// message goes out once; a recipient error (131026) fails it; a
// template error (132001) fails it and refreshes wagate's copy; a
// dropped connection or a timeout makes it `unknown`, never sent again,
// and its status webhook (biz_opaque_callback_data) resolves it; an
// expired token pauses the account until `wa-admin account resume`; the
// drift guard fails at once what a changed template can no longer carry.
// Each case has its own tenant, so the cases of a group run together.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { admin, eventually, psql, sleep } from './lib/harness.mjs';
import { control, received, review, sim, simTemplates } from './lib/meta.mjs';
import {
	acceptedTo, addFault, bulk, bulkShape, createBroadcast, digits, getBroadcast, late, lateFail, ledger, message,
	messages, messagesPath, ok, pace, phone, phones, postStatuses, recipientsOf, removeFault, sendBroadcast,
	sendTenant, summary, went, withVars,
} from './lib/send.mjs';

// The POSTs the simulator received for the tenant's number to one phone.
async function postsTo(t, p) {
	return (await received(messagesPath(t))).filter((q) => q.method === 'POST' && q.body.includes(digits(p)));
}

// A one-recipient bulk under a fault on the tenant's number; returns the
// result, the message row and the simulator's view.
async function bulkUnder(t, fault) {
	const p = phone();
	const f = await addFault({ path: messagesPath(t), count: 1, ...fault });
	try {
		const b = bulkShape(ok(await bulk(t, withVars([p]))));
		return { p, b, row: message(b.results[0].id), accepted: await acceptedTo(t, p), posts: await postsTo(t, p) };
	} finally {
		await removeFault(f);
	}
}

// The messages of a drifted broadcast: sent, refused by Meta with code,
// failed at once by the drift guard; nothing else.
function drift(rows, codes) {
	const sent = rows.filter((m) => went(m.status));
	const refused = rows.filter((m) => m.status === 'failed' && codes.includes(m.error_code));
	const changed = rows.filter((m) => m.status === 'failed' && m.error_code === 'template_changed');
	assert.equal(sent.length + refused.length + changed.length, rows.length, JSON.stringify(rows));
	for (const m of changed) assert.equal(m.attempts, 0, 'failed without a request to Meta');
	return { k: sent.length, refused, changed };
}

describe('Meta\'s answers', { concurrency: true }, () => {
	test('the quick classes, one after the other on one number', async (ctx) => {
		const t = await sendTenant();

		await ctx.test('130429 (throughput): the lane slows down, the message is retried and sent once', async () => {
			const { b, row, accepted, posts } = await bulkUnder(t, { code: 130429 });
			assert.deepEqual(b.summary, { total: 1, sent: 1, failed: 0, pending: 0, unknown: 0 });
			assert.ok(went(row.status), row.status);
			assert.equal(row.attempts, 2);
			assert.equal(posts.length, 2);
			assert.equal(accepted.length, 1);
			assert.equal(accepted[0].wamid, b.results[0].messageId);
		});

		await ctx.test('131056 (pair rate): that recipient is retried later and sent once', async () => {
			const { b, row, accepted, posts } = await bulkUnder(t, { code: 131056 });
			assert.ok(went(b.results[0].status), b.results[0].status);
			assert.equal(row.attempts, 2);
			assert.equal(posts.length, 2);
			assert.equal(accepted.length, 1);
		});

		// Late's recipient `error` says why a recipient failed.  A
		// regression test: the message row kept the error of its
		// earlier try (worker.c, flush_tx) and showed it for a sent
		// recipient.
		await ctx.test('a broadcast recipient sent after a retry shows no error', async () => {
			const p = phone();
			const f = await addFault({ path: messagesPath(t), count: 1, code: 130429 });
			let b;
			try {
				b = await createBroadcast(t, { recipients: withVars([p]) });
				assert.equal(ok(await sendBroadcast(t, b.id)).sent, 1);
			} finally {
				await removeFault(f);
			}
			const r = (await recipientsOf(t, b.id)).recipients[0];
			assert.ok(went(r.status), r.status);
			assert.equal(messages(b.id)[0].attempts, 2);
			assert.equal(r.error, null, `a ${r.status} recipient with an error: ${r.error}`);
		});

		await ctx.test('131026 (the recipient): failed with Meta\'s code and words, not retried', async () => {
			const p = phone();
			const before = await summary(t);
			await control('POST', '/_sim/recipients', { wa_id: p, fail_code: 131026, mode: 'sync' });
			try {
				const b = bulkShape(ok(await bulk(t, withVars([p]))));
				assert.deepEqual(b.summary, { total: 1, sent: 0, failed: 1, pending: 0, unknown: 0 });
				assert.deepEqual([b.results[0].success, b.results[0].status], [false, 'failed']);
				assert.match(b.results[0].error, /^Meta 131026: /);
				const row = message(b.results[0].id);
				assert.deepEqual([row.error_code, row.attempts], ['meta_131026', 1]);
				const s = await summary(t);
				assert.deepEqual([s.accepted - before.accepted, s.refused - before.refused], [0, 1]);
				assert.equal(s.refused_codes['131026'], 1);
			} finally {
				await control('POST', '/_sim/recipients', { wa_id: p, fail_code: 0 });
			}
		});

		await ctx.test('131026 after acceptance (a failed status webhook): sent, then failed; the counters move', async () => {
			const [p, q] = phones(2);
			await control('POST', '/_sim/recipients', { wa_id: p, fail_code: 131026 });
			try {
				const b = await createBroadcast(t, { recipients: withVars([p, q]) });
				ok(await sendBroadcast(t, b.id));
				const g = await eventually(async () => {
					const x = await getBroadcast(t, b.id);
					return x.failedCount === 1 && x.readCount === 1 && x;
				});
				assert.deepEqual([g.status, g.sentCount, g.deliveredCount, g.readCount, g.failedCount],
					['completed', 1, 1, 1, 1]);
				const r = await recipientsOf(t, b.id);
				assert.equal(r.recipients[0].status, 'failed');
				assert.match(r.recipients[0].messageId, /^wamid\./);
				assert.equal(messages(b.id)[0].error_code, 'meta_131026');
				assert.deepEqual(r.summary, { total: 2, pending: 0, sent: 0, delivered: 0, read: 1, failed: 1, unknown: 0 });
			} finally {
				await control('POST', '/_sim/recipients', { wa_id: p, fail_code: 0 });
			}
		});

		await ctx.test('132001 (the template): failed, and wagate\'s copy is read again from Meta', async () => {
			const listsBefore = (await received(`/${t.wabaId}/message_templates`)).length;
			const { b, row, accepted } = await bulkUnder(t, { code: 132001 });
			assert.deepEqual([b.results[0].status, row.error_code, accepted.length], ['failed', 'meta_132001', 0]);
			// the refresh: Meta's list of the template's name, asked by the worker
			const asked = await eventually(async () => {
				const l = (await received(`/${t.wabaId}/message_templates`)).slice(listsBefore);
				return l.length > 0 && l;
			});
			assert.ok(asked.some((q) => q.method === 'GET' && /name=notice/.test(`${q.path}?${q.query || ''}`)),
				JSON.stringify(asked));
			// Meta still has it approved: the next send goes out
			assert.ok(went(ok(await bulk(t, withVars([phone()]))).results[0].status));
		});

		await ctx.test('a malformed answer (a 2xx without a wamid): unknown, not sent again', async () => {
			const { b, row, accepted, posts } = await bulkUnder(t, { malformed: true });
			assert.deepEqual(b.summary, { total: 1, sent: 0, failed: 0, pending: 0, unknown: 1 });
			assert.deepEqual([row.status, row.error_code, row.attempts], ['unknown', 'outcome_unknown', 1]);
			assert.deepEqual([accepted.length, posts.length], [0, 1]);
		});

		await ctx.test('a dropped connection: unknown unless it was sent, never sent twice', async () => {
			const { b, row, accepted } = await bulkUnder(t, { drop: true });
			// libcurl may resend a request whose reused connection closed
			// before any answer (docs/meta.md): then it is sent, once
			if (accepted.length === 1) {
				assert.ok(went(b.results[0].status), b.results[0].status);
				assert.equal(row.wamid, accepted[0].wamid);
			} else {
				assert.equal(accepted.length, 0);
				assert.deepEqual(b.summary, { total: 1, sent: 0, failed: 0, pending: 0, unknown: 1 });
				assert.deepEqual([b.results[0].success, b.results[0].status], [false, 'unknown']);
				assert.match(b.results[0].error, /Meta may have sent it/);
				assert.deepEqual([row.status, row.error_code, row.attempts], ['unknown', 'outcome_unknown', 1]);
			}
		});
	});

	test('131000 (Meta trouble, transient): retried after its delay, sent once', async () => {
		const t = await sendTenant();
		const { b, row, accepted, posts } = await bulkUnder(t, { status: 500, code: 131000 });
		assert.ok(went(b.results[0].status), JSON.stringify(b));
		assert.equal(row.attempts, 2);
		assert.equal(posts.length, 2);
		assert.equal(accepted.length, 1);
	});

	test('timeouts: unknown, never sent again; a status webhook with the message\'s id resolves it', async () => {
		const t = await sendTenant();
		const list = phones(2);
		// one request Meta never answers, one it holds past the client's
		// timeout (it may process it then, or not: the client has gone)
		const f1 = await addFault({ path: messagesPath(t), count: 1, timeout: true });
		const f2 = await addFault({ path: messagesPath(t), count: 1, latency_ms: 4000 });
		const t0 = Date.now();
		let b;
		try {
			b = await createBroadcast(t, { recipients: withVars(list) });
			assert.deepEqual(ok(await sendBroadcast(t, b.id)),
				{ success: true, status: 'completed', sent: 0, failed: 0, unknown: 2, total: 2 });
			const rec = await recipientsOf(t, b.id);
			for (const r of rec.recipients) {
				assert.deepEqual([r.status, r.messageId], ['unknown', null]);
				assert.match(r.error, /^Meta may have sent it \(timeout/);
			}
			assert.equal(rec.summary.unknown, 2);
			assert.deepEqual((await recipientsOf(t, b.id, 'status=unknown')).recipients.map((x) => x.phone), list);
			const g = await getBroadcast(t, b.id);
			assert.deepEqual([g.unknownCount, g.sentCount, g.failedCount], [2, 0, 0]);
			await sleep(Math.max(0, t0 + 4500 - Date.now()));
		} finally {
			await removeFault(f1);
			await removeFault(f2);
		}
		// what the ledger says, the messages say: an accepted one is
		// resolved by the simulator's own webhook, the others stay unknown
		const sends = await ledger(t);
		const open = [];
		for (const m of messages(b.id)) {
			const mine = sends.filter((x) => x.to === digits(m.phone) && x.code === 0);
			assert.ok(mine.length <= 1, 'at most one accepted send');
			assert.equal(m.attempts, 1, 'not sent again');
			if (mine.length === 1) {
				assert.equal(mine[0].opaque, m.id);
				await eventually(() => went(message(m.id).status));
				assert.equal(message(m.id).wamid, mine[0].wamid);
			} else {
				assert.equal(m.status, 'unknown');
				open.push(m);
			}
		}
		assert.ok(open.length >= 1, 'the one Meta never answered');
		// Meta's webhooks for them carry the ids wagate gave them
		const wamids = open.map(() => `wamid.RESOLVED${crypto.randomBytes(8).toString('hex')}`);
		assert.equal((await postStatuses(t, open.map((m, i) => ({ id: wamids[i], status: 'delivered',
			recipient_id: digits(m.phone), biz_opaque_callback_data: m.id })))).status, 200);
		await eventually(async () => (await getBroadcast(t, b.id)).unknownCount === 0);
		const rec = (await recipientsOf(t, b.id)).recipients;
		for (const [i, m] of open.entries()) {
			const r = rec.find((x) => x.phone === m.phone);
			assert.deepEqual([r.status, r.messageId], ['delivered', wamids[i]]);
		}
		const after = await getBroadcast(t, b.id);
		assert.deepEqual([after.status, after.sentCount, after.failedCount], ['completed', 2, 0]);
		assert.ok(after.deliveredCount >= open.length);
		assert.deepEqual(messages(b.id).map((m) => m.attempts), [1, 1]);
		// nothing went to Meta again
		assert.equal((await ledger(t)).filter((x) => x.code === 0).length, 2 - open.length);
		// resolved, they say no more that they might not have gone out
		// (fails as the retried one above: the row keeps the old error)
		for (const m of open) {
			const r = rec.find((x) => x.phone === m.phone);
			assert.equal(r.error, null, `a ${r.status} recipient with an error: ${r.error}`);
		}
	});

	test('an expired token pauses the account; resume sends what was queued', async () => {
		const t = await sendTenant();
		const p = phone();
		const draft = await createBroadcast(t, { recipients: withVars(phones(1)) });
		await control('POST', '/_sim/tokens', { token: t.token, state: 'expired' });
		let first;
		try {
			first = bulk(t, withVars([p]));
			const reason = await eventually(async () => (await getBroadcast(t, draft.id)).pausedReason);
			assert.match(reason, /^Meta 190: /);
			const e = lateFail(await bulk(t, withVars([phone()])), 422, 'account_paused',
				'Sending from this account is paused: Meta 190');
			assert.equal(Object.keys(e).includes('details'), false);
			lateFail(await sendBroadcast(t, draft.id), 422, 'account_paused');
			assert.equal((await getBroadcast(t, draft.id)).status, 'draft');
			// the message waits, queued; Meta refused it once and saw nothing more
			const row = psql(`SELECT status FROM wa.messages WHERE account_id = '${t.accountId}' AND to_phone = '${p}'`,
				{ as: 'super' });
			assert.equal(row, 'queued');
			const s = await summary(t);
			assert.deepEqual([s.accepted, s.refused_codes], [0, { 190: 1 }]);
		} finally {
			await control('POST', '/_sim/tokens', { token: t.token, state: 'valid' });
		}
		assert.equal(admin('account', 'resume', t.accountId).WA_ACCOUNT_RESUMED, 'yes');
		const r = ok(await first);
		assert.deepEqual(r.summary, { total: 1, sent: 1, failed: 0, pending: 0, unknown: 0 });
		assert.equal((await getBroadcast(t, draft.id)).pausedReason, null);
		assert.equal(ok(await sendBroadcast(t, draft.id)).status, 'completed');
		assert.equal((await acceptedTo(t, p)).length, 1);
		assert.equal(admin('account', 'resume', t.accountId).WA_ACCOUNT_RESUMED, 'no');
	});

	test('drift: the template is paused at Meta mid-broadcast; the rest fail at once as template_changed', async () => {
		const t = await sendTenant();
		pace(t, 1);
		const list = phones(8);
		const b = await createBroadcast(t, { recipients: withVars(list) });
		const sending = sendBroadcast(t, b.id);
		await eventually(async () => (await summary(t)).accepted >= 1, { everyMs: 20 });
		await review(t.wabaId, 'notice', 'PAUSED');
		const s = ok(await sending);
		const { k, refused, changed } = drift(messages(b.id), ['meta_132015']);
		assert.ok(k >= 1 && k <= 6, `sent before the pause: ${k}`);
		assert.deepEqual(s, { success: true, status: 'completed', sent: k, failed: 8 - k, unknown: 0, total: 8 });
		assert.equal(refused.length, 1, 'one refused by Meta');
		assert.equal(changed.length, 7 - k, 'the rest failed by wagate');
		for (const m of changed) assert.equal(m.error, 'template notice (en_US) is PAUSED at Meta');
		const rec = (await recipientsOf(t, b.id)).recipients;
		for (const m of changed) assert.equal(rec.find((r) => r.phone === m.phone).status, 'failed');
		const sum = await summary(t);
		assert.deepEqual([sum.accepted, sum.refused_codes], [k, { 132015: 1 }]);
		assert.deepEqual([(await getBroadcast(t, b.id)).failedCount], [8 - k]);
	});

	test('drift: the template now has two body parameters at Meta; queued messages of one fail at once', async () => {
		const t = await sendTenant();
		pace(t, 1);
		const list = phones(8);
		const b = await createBroadcast(t, { recipients: withVars(list) });
		const sending = sendBroadcast(t, b.id);
		await eventually(async () => (await summary(t)).accepted >= 1, { everyMs: 20 });
		const [tpl] = (await simTemplates(t.wabaId)).filter((x) => x.name === 'notice');
		const edit = await sim('POST', `/v23.0/${tpl.id}`, { components: [{ type: 'BODY',
			text: 'Hello {{1}}, your order {{2}} is ready', example: { body_text: [['Ann', 'A-1']] } }] },
		{ authorization: `Bearer ${t.token}` });
		assert.equal(edit.status, 200, edit.text);
		await review(t.wabaId, 'notice', 'APPROVED');
		const s = ok(await sending);
		// 132001 if a send came between the edit (PENDING) and the approval
		const { k, refused, changed } = drift(messages(b.id), ['meta_132000', 'meta_132001']);
		assert.ok(k >= 1 && k <= 6, `sent before the edit: ${k}`);
		assert.deepEqual([s.sent, s.failed, s.total], [k, 8 - k, 8]);
		assert.equal(refused.length, 1, 'one refused by Meta');
		assert.equal(changed.length, 7 - k, 'the rest failed by wagate');
		for (const m of changed) {
			assert.equal(m.error, 'template notice (en_US) now has 2 body parameters at Meta; this message has 1');
		}
		// wagate's copy is Meta's now: a send of two variables goes out
		const two = ok(await bulk(t, [{ phone: phone(), variables: { 1: 'a', 2: 'b' } }]));
		assert.ok(went(two.results[0].status), JSON.stringify(two));
		const g = await late('GET', `/v1/whatsapp/templates/notice?accountId=${t.accountId}&language=en_US`, t.key);
		assert.match(g.json.template.components[0].text, /\{\{2\}\}/);
	});
});
