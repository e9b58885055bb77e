// POST /v1/whatsapp/bulk through nginx with raw HTTP (docs/sending.md,
// "POST /v1/whatsapp/bulk"; seed 002 BULK SEND): every recipient gets a
// result in request order, Meta (the simulator) sees each once, with the
// message's own id in biz_opaque_callback_data; each validation rule;
// keys, roles and tenants; Idempotency-Key replays (after and during the
// wait) send nothing twice; a contact's counters move.
import test from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { api, eventually, psql, request } from './lib/harness.mjs';
import { UUID } from './lib/expect.mjs';
import { received } from './lib/meta.mjs';
import {
	BULK, acceptedTo, addFault, approvedTemplate, bulk, bulkShape, digits, invalid, late, lateFail, ledger,
	messages, messagesPath, noAccount, ok, phone, phones, removeFault, sendTenant, summary, went, withVars,
} from './lib/send.mjs';

// t sends; other is another tenant; bare has no template yet
const [t, other, bare] = await Promise.all([sendTenant({ member: true }), sendTenant(), sendTenant({ template: null })]);

test('three recipients: all sent, in request order, each once at Meta with its id as opaque data', async () => {
	const list = phones(3);
	const b = bulkShape(ok(await bulk(t, withVars(list))));
	assert.deepEqual(b.summary, { total: 3, sent: 3, failed: 0, pending: 0, unknown: 0 });
	assert.deepEqual(b.results.map((x) => [x.phone, x.success, went(x.status)]), list.map((p) => [p, true, true]));
	const sends = await ledger(t);
	for (const x of b.results) {
		assert.match(x.id, UUID);
		assert.deepEqual(Object.keys(x), ['phone', 'success', 'messageId', 'id', 'status']);
		const mine = sends.filter((s) => s.to === digits(x.phone));
		assert.equal(mine.length, 1, `one send to ${x.phone}`);
		assert.equal(mine[0].code, 0);
		assert.equal(mine[0].wamid, x.messageId);
		assert.equal(mine[0].opaque, x.id);
	}
	// each recipient's own variable went out as the body parameter
	const reqs = (await received(`/${t.phoneNumberId}/messages`)).map((q) => JSON.parse(q.body));
	const sentTo = Object.fromEntries(reqs.map((q) => [digits(q.to), q.template.components]));
	assert.deepEqual(sentTo[digits(list[1])], [{ type: 'body', parameters: [{ type: 'text', text: 'R2' }] }]);
	// the rows are the bulk's batch, in order
	const rows = messages(psql(`SELECT batch_id FROM wa.messages WHERE id = '${b.results[0].id}'`, { as: 'super' }));
	assert.deepEqual(rows.map((m) => m.id), b.results.map((x) => x.id));
});

test('phones are normalized; duplicates in one request are sent twice, as asked', async () => {
	const p = phone();
	const spaced = `${p.slice(0, 3)} ${p.slice(3, 5)} ${p.slice(5, 9)} ${p.slice(9)}`;
	const b = ok(await bulk(t, [{ phone: spaced, variables: { 1: 'a' } }, { phone: p, variables: { 1: 'b' } }]));
	assert.deepEqual(b.results.map((x) => [x.phone, went(x.status)]), [[p, true], [p, true]]);
	assert.notEqual(b.results[0].messageId, b.results[1].messageId);
	assert.equal((await acceptedTo(t, p)).length, 2);
});

test('one recipient\'s messages reach Meta one at a time, in request order, each after the last was answered', async () => {
	const p = phone();
	// Meta holds the first 400 ms (the simulator logs a request when it
	// answers): a second in flight meanwhile would overtake it
	const f = await addFault({ path: messagesPath(t), method: 'POST', latency_ms: 400, count: 1 });
	try {
		const vars = ['first', 'second', 'third'];
		const b = ok(await bulk(t, vars.map((v) => ({ phone: p, variables: { 1: v } }))));
		assert.deepEqual(b.results.map((x) => went(x.status)), [true, true, true]);
		const reqs = (await received(messagesPath(t))).filter((q) => digits(JSON.parse(q.body).to) === digits(p));
		assert.deepEqual(reqs.map((q) => JSON.parse(q.body).template.components[0].parameters[0].text), vars);
	} finally {
		await removeFault(f).catch(() => {});
	}
});

test('variables must fill the body exactly; base components can fill it for everyone', async () => {
	const [a, c, d, e] = phones(4);
	const b = bulkShape(ok(await bulk(t, [
		{ phone: a, variables: { 1: 'ok' } },
		{ phone: c },
		{ phone: d, variables: { 1: 'x', 2: 'y' } },
		{ phone: e, variables: { 2: 'y' } },
	])));
	assert.deepEqual(b.summary, { total: 4, sent: 1, failed: 3, pending: 0, unknown: 0 });
	assert.deepEqual(b.results.map((x) => (went(x.status) ? 'went' : x.status)), ['went', 'failed', 'failed', 'failed']);
	assert.match(b.results[1].error, /1 body parameter; no variables fill it/);
	assert.match(b.results[2].error, /1 body parameter .*variables give "1", "2"/);
	assert.match(b.results[3].error, /variables give "2"/);
	for (const x of b.results.slice(1)) assert.equal(x.messageId, undefined);
	const rows = messages(psql(`SELECT batch_id FROM wa.messages WHERE id = '${b.results[0].id}'`, { as: 'super' }));
	assert.deepEqual(rows.map((m) => m.error_code), [null, 'template_params', 'template_params', 'template_params']);
	// nothing of the failed ones reached Meta
	for (const p of [c, d, e]) assert.equal((await acceptedTo(t, p)).length, 0);
	// the base components' body parameters fill the body of whoever has no variables
	const f = phone();
	const base = ok(await late('POST', BULK, t.key, {
		accountId: t.accountId, recipients: [{ phone: f }],
		template: { ...t.tpl, components: [{ type: 'body', parameters: [{ type: 'text', text: 'everyone' }] }] },
	}));
	assert.ok(went(base.results[0].status), JSON.stringify(base));
});

test('a template wagate cannot send fails every recipient (not a 4xx): unknown, pending, other language', async () => {
	const a = bare;
	await approvedTemplate(a, 'approved_one');
	ok(await late('POST', '/v1/whatsapp/templates', a.key, {
		accountId: a.accountId, name: 'still_pending', category: 'UTILITY', language: 'en_US',
		components: [{ type: 'body', text: 'Plain text' }],
	}));
	for (const [tpl, words] of [
		[{ name: 'never_made', language: 'en_US' }, /template never_made does not exist in language en_US/],
		[{ name: 'still_pending', language: 'en_US' }, /template still_pending \(en_US\) is PENDING, not APPROVED/],
		[{ name: 'approved_one', language: 'fr' }, /does not exist in language fr/],
	]) {
		const b = bulkShape(ok(await bulk(a, [{ phone: phone(), variables: { 1: 'x' } }], { template: tpl })));
		assert.deepEqual(b.summary, { total: 1, sent: 0, failed: 1, pending: 0, unknown: 0 });
		assert.equal(b.results[0].status, 'failed');
		assert.match(b.results[0].error, words);
	}
	assert.equal((await summary(a)).accepted, 0);
});

test('a message to a contact moves its messagesSentCount and lastMessageSentAt, once per message', async () => {
	const p = phone();
	const made = ok(await late('POST', '/v1/whatsapp/contacts', t.key, { accountId: t.accountId, phone: p, name: 'Counted' }));
	const id = made.contact.id;
	const before = ok(await late('GET', `/v1/whatsapp/contacts/${id}`, t.key)).contact;
	assert.deepEqual([before.messagesSentCount, before.lastMessageSentAt], [0, null]);
	const t0 = Date.now();
	const b = ok(await bulk(t, [{ phone: p, variables: { 1: 'a' } }, { phone: phone(), variables: { 1: 'b' } }]));
	assert.equal(b.summary.sent, 2);
	const rows = messages(psql(`SELECT batch_id FROM wa.messages WHERE id = '${b.results[0].id}'`, { as: 'super' }));
	assert.equal(rows[0].contact_id, id);
	assert.equal(rows[1].contact_id, null);
	let c = ok(await late('GET', `/v1/whatsapp/contacts/${id}`, t.key)).contact;
	assert.equal(c.messagesSentCount, 1);
	assert.ok(Date.parse(c.lastMessageSentAt) >= t0 - 1000, c.lastMessageSentAt);
	// its status webhooks (delivered, read) do not count it again
	await eventually(() => psql(`SELECT status FROM wa.messages WHERE id = '${b.results[0].id}'`, { as: 'super' }) === 'read');
	c = ok(await late('GET', `/v1/whatsapp/contacts/${id}`, t.key)).contact;
	assert.equal(c.messagesSentCount, 1);
	ok(await bulk(t, [{ phone: p, variables: { 1: 'again' } }]));
	c = ok(await late('GET', `/v1/whatsapp/contacts/${id}`, t.key)).contact;
	assert.equal(c.messagesSentCount, 2);
	// the list shows the same
	const l = ok(await late('GET', `/v1/whatsapp/contacts?accountId=${t.accountId}&search=Counted`, t.key));
	assert.equal(l.contacts[0].messagesSentCount, 2);
});

test('validation: each rule, with the path of the field', async () => {
	const tpl = t.tpl;
	const acc = t.accountId;
	const post = (body) => late('POST', BULK, t.key, body);
	invalid(await post({}), ['accountId', 'recipients', 'template']);
	invalid(await post({ template: tpl, recipients: [{ phone: phone() }] }), ['accountId']);
	invalid(await post({ accountId: '', template: tpl, recipients: [{ phone: phone() }] }), ['accountId']);
	invalid(await post({ accountId: acc, template: tpl }), ['recipients']);
	invalid(await post({ accountId: acc, template: tpl, recipients: [] }), ['recipients']);
	invalid(await post({ accountId: acc, template: tpl, recipients: {} }), ['recipients']);
	const many = invalid(await post({ accountId: acc, template: tpl, recipients: phones(101).map((p) => ({ phone: p })) }),
		['recipients']);
	assert.match(many.recipients, /at most 100/);
	// exactly 100 is fine (validated; sent below in the idempotency case)
	invalid(await post({ accountId: acc, template: tpl, recipients: [{}] }), ['recipients[0].phone']);
	invalid(await post({ accountId: acc, template: tpl, recipients: ['+442079460000'] }), ['recipients[0]']);
	const bad = invalid(await post({ accountId: acc, template: tpl,
		recipients: [{ phone: phone() }, { phone: phone() }, { phone: phone() }, { phone: '12345' }] }),
	['recipients[3].phone']);
	assert.match(bad['recipients[3].phone'], /E\.164/);
	for (const p of ['+0987654321', '441234567890', '+1 555 abc 1234', 'x'.repeat(40), '']) {
		invalid(await post({ accountId: acc, template: tpl, recipients: [{ phone: p }] }), ['recipients[0].phone']);
	}
	invalid(await post({ accountId: acc, template: tpl, recipients: [{ phone: phone(), variables: 'Ann' }] }),
		['recipients[0].variables']);
	invalid(await post({ accountId: acc, template: tpl, recipients: [{ phone: phone(), variables: ['Ann'] }] }),
		['recipients[0].variables']);
	for (const k of ['name', '0', '01', '1000', '']) {
		invalid(await post({ accountId: acc, template: tpl, recipients: [{ phone: phone(), variables: { [k]: 'x' } }] }),
			['recipients[0].variables']);
	}
	for (const v of [5, null, true, { a: 1 }]) {
		invalid(await post({ accountId: acc, template: tpl, recipients: [{ phone: phone(), variables: { 1: v } }] }),
			['recipients[0].variables.1']);
	}
	invalid(await post({ accountId: acc, template: tpl, recipients: [{ phone: phone(), variables: { 1: 'x'.repeat(1025) } }] }),
		['recipients[0].variables.1']);
	invalid(await post({ accountId: acc, recipients: [{ phone: phone() }] }), ['template']);
	invalid(await post({ accountId: acc, template: 'notice', recipients: [{ phone: phone() }] }), ['template']);
	invalid(await post({ accountId: acc, template: {}, recipients: [{ phone: phone() }] }), ['template.name', 'template.language']);
	invalid(await post({ accountId: acc, template: { language: 'en_US' }, recipients: [{ phone: phone() }] }), ['template.name']);
	invalid(await post({ accountId: acc, template: { name: 'notice' }, recipients: [{ phone: phone() }] }), ['template.language']);
	for (const language of ['english', 'en-', 'EN_us_x', '', 'x'.repeat(20)]) {
		invalid(await post({ accountId: acc, template: { name: 'notice', language }, recipients: [{ phone: phone() }] }),
			['template.language']);
	}
	invalid(await post({ accountId: acc, template: { name: 'Notice Me', language: 'en_US' }, recipients: [{ phone: phone() }] }),
		['template.name']);
	invalid(await post({ accountId: acc, template: { ...tpl, components: {} }, recipients: [{ phone: phone() }] }),
		['template.components']);
	invalid(await post({ accountId: acc, template: { ...tpl, components: Array(11).fill({ type: 'body' }) },
		recipients: [{ phone: phone() }] }), ['template.components']);
	lateFail(await post('{"accountId": '), 400, 'invalid_request');
	lateFail(await post([]), 400, 'invalid_request');
	// nothing was queued by any of these
	assert.equal(psql(`SELECT count(*) FROM wa.messages WHERE account_id = '${acc}'
		AND created_at > now() - interval '2 seconds' AND status = 'queued'`, { as: 'super' }), '0');
});

// Every problem of a request is named in details.fields (lib/json.h,
// wa_json_validate: "recording every problem"), so that a client fixes
// them in one go.  A regression test: bc_recipients_parse()
// (fcgi/broadcasts/input.c) stopped looking at the recipients once any
// other field had failed.
test('several problems at once are all named, the recipients\' too', async () => {
	const post = (body) => late('POST', BULK, t.key, body);
	invalid(await post({ accountId: t.accountId, template: { name: 'notice' },
		recipients: [{ phone: phone(), variables: { 1: 'ok' } }, { phone: '1' }] }),
	['template.language', 'recipients[1].phone']);
	invalid(await post({ accountId: t.accountId, template: t.tpl,
		recipients: [{ phone: '1' }, { phone: phone(), variables: { x: '1' } }] }),
	['recipients[0].phone', 'recipients[1].variables']);
});

test('keys and tenants: 401 without a key, member key works, other tenants\' and malformed accountIds are 404', async () => {
	const body = { accountId: t.accountId, recipients: [{ phone: phone(), variables: { 1: 'x' } }], template: t.tpl };
	lateFail(await request('POST', BULK, { body }), 401, 'unauthorized');
	lateFail(await late('POST', BULK, 'mk_live_nope.nope', body), 401, 'invalid_api_key');
	const m = ok(await late('POST', BULK, t.memberKey, body));
	assert.equal(m.summary.sent, 1);
	// X-Api-Key as well
	assert.equal((await api('POST', BULK, t.key, { body: { ...body, recipients: [{ phone: phone(), variables: { 1: 'y' } }] } })).status, 200);
	noAccount(await late('POST', BULK, t.key, { ...body, accountId: other.accountId }));
	noAccount(await late('POST', BULK, t.key, { ...body, accountId: crypto.randomUUID() }));
	noAccount(await late('POST', BULK, t.key, { ...body, accountId: 'not-a-uuid' }));
	noAccount(await late('POST', BULK, t.key, { ...body, accountId: '../../etc' }));
	// the other tenant's number saw nothing from t
	assert.equal((await summary(other)).accepted, 0);
	// GET is not a route of bulk
	assert.equal((await late('GET', BULK, t.key)).status, 405);
});

test('Idempotency-Key: a replay after the answer returns it byte for byte and sends nothing again', async () => {
	const key = `bulk-${crypto.randomUUID()}`;
	const list = phones(100);
	const recipients = withVars(list);
	const first = await bulk(t, recipients, { headers: { 'idempotency-key': key } });
	const b = bulkShape(ok(first));
	assert.deepEqual(b.summary, { total: 100, sent: 100, failed: 0, pending: 0, unknown: 0 });
	const again = await bulk(t, recipients, { headers: { 'idempotency-key': key } });
	assert.equal(again.status, 200);
	assert.equal(again.headers['idempotent-replayed'], 'true');
	assert.equal(again.text, first.text);
	const sends = (await ledger(t)).filter((s) => list.map(digits).includes(s.to));
	assert.equal(sends.length, 100);
	assert.equal(new Set(sends.map((s) => s.to)).size, 100);
	// the same key with another body is refused
	const other = await bulk(t, recipients.slice(1), { headers: { 'idempotency-key': key } });
	assert.equal(other.status, 422, other.text);
	assert.equal(other.json.success, false);
});

test('Idempotency-Key: a replay while the first still waits gets the same answer; each recipient sent once', async () => {
	const key = `bulk-${crypto.randomUUID()}`;
	const list = phones(3);
	const recipients = withVars(list);
	// Meta holds the first send a while: the first request is waiting
	const f = await addFault({ path: messagesPath(t), latency_ms: 1500, count: 1 });
	try {
		const first = bulk(t, recipients, { headers: { 'idempotency-key': key } });
		await eventually(() => psql(`SELECT count(*) FROM wa.messages WHERE account_id = '${t.accountId}'
			AND to_phone = '${list[0]}'`, { as: 'super' }) === '1');
		const second = await bulk(t, recipients, { headers: { 'idempotency-key': key } });
		const a = await first;
		assert.equal(a.status, 200, a.text);
		assert.equal(second.status, 200, second.text);
		// each reads the messages when they are done: a status webhook
		// between the two reads may have moved one from sent to delivered
		const same = (b) => ({ ...b, results: b.results.map((x) => ({ ...x, status: went(x.status) || x.status })) });
		assert.deepEqual(same(second.json), same(a.json));
		assert.deepEqual(a.json.summary, { total: 3, sent: 3, failed: 0, pending: 0, unknown: 0 });
	} finally {
		await removeFault(f);
	}
	for (const p of list) assert.equal((await acceptedTo(t, p)).length, 1, p);
	assert.equal(psql(`SELECT count(*) FROM wa.messages WHERE account_id = '${t.accountId}'
		AND to_phone IN ('${list.join("','")}')`, { as: 'super' }), '3');
});
