// /v1/whatsapp/broadcasts through nginx with raw HTTP, without sending
// (docs/sending.md, "Broadcasts"; seed 002 BROADCASTS): create a draft,
// list, get, delete; recipients listed, added and removed; each
// validation and state rule; keys, roles, tenants and malformed ids.
import test from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { api, psql, request } from './lib/harness.mjs';
import { TS, UUID } from './lib/expect.mjs';
import {
	B, adminAsync, createBroadcast, fails, getBroadcast, invalid, late, lateFail, noAccount, notFound, ok, phone, phones,
	qs, recipientsOf, sendBroadcast, sendTenant, summary, withVars,
} from './lib/send.mjs';

const [t, other] = await Promise.all([sendTenant({ member: true }), sendTenant()]);

// The broadcast object of list and create (GET one adds updatedAt).
const KEYS = ['id', 'name', 'description', 'template', 'status', 'recipientCount', 'scheduledAt', 'startedAt',
	'completedAt', 'sentCount', 'deliveredCount', 'readCount', 'failedCount', 'unknownCount', 'pausedReason',
	'createdAt'];
function shape(b, keys = KEYS) {
	assert.deepEqual(Object.keys(b), keys);
	assert.match(b.id, UUID);
	assert.equal(typeof b.name, 'string');
	assert.ok(b.description === null || typeof b.description === 'string');
	assert.equal(typeof b.template.name, 'string');
	assert.equal(typeof b.template.language, 'string');
	assert.ok(['draft', 'scheduled', 'sending', 'completed', 'failed', 'cancelled'].includes(b.status));
	for (const k of ['recipientCount', 'sentCount', 'deliveredCount', 'readCount', 'failedCount', 'unknownCount']) {
		assert.ok(Number.isInteger(b[k]) && b[k] >= 0, k);
	}
	for (const k of ['scheduledAt', 'startedAt', 'completedAt']) assert.ok(b[k] === null || TS.test(b[k]), k);
	assert.match(b.createdAt, TS);
	if ('updatedAt' in b) assert.match(b.updatedAt, TS);
	return b;
}
const FULL = [...KEYS, 'updatedAt'];
const RKEYS = ['phone', 'name', 'variables', 'status', 'messageId', 'error', 'sentAt', 'deliveredAt', 'readAt'];

let draft;

test('create: a draft with its recipients, duplicates (after normalization) kept once', async () => {
	const [p1, p2] = phones(2);
	const spaced = `${p1.slice(0, 3)} ${p1.slice(3, 7)} ${p1.slice(7)}`;
	const r = ok(await late('POST', B, t.key, {
		accountId: t.accountId, name: 'Weekly Newsletter', description: 'Weekly product updates',
		template: { ...t.tpl, components: [{ type: 'header', parameters: [] }] },
		recipients: [{ phone: p1, name: 'John', variables: { 1: 'John' } }, { phone: p2 }, { phone: spaced, name: 'Dup' }],
	}));
	assert.deepEqual(Object.keys(r), ['success', 'broadcast']);
	draft = shape(r.broadcast);
	assert.equal(draft.name, 'Weekly Newsletter');
	assert.equal(draft.description, 'Weekly product updates');
	assert.deepEqual(draft.template, { ...t.tpl, components: [{ type: 'header', parameters: [] }] });
	assert.deepEqual([draft.status, draft.recipientCount], ['draft', 2]);
	assert.deepEqual([draft.scheduledAt, draft.startedAt, draft.completedAt, draft.pausedReason], [null, null, null, null]);
	const rec = await recipientsOf(t, draft.id);
	assert.deepEqual(rec.recipients.map((x) => Object.keys(x)), [RKEYS, RKEYS]);
	assert.deepEqual(rec.recipients.map((x) => [x.phone, x.name, x.variables, x.status, x.messageId]),
		[[p1, 'John', { 1: 'John' }, 'pending', null], [p2, null, {}, 'pending', null]]);
	assert.deepEqual(rec.summary, { total: 2, pending: 2, sent: 0, delivered: 0, read: 0, failed: 0, unknown: 0 });
	// without recipients, without description
	const bare = await createBroadcast(t, { name: 'Bare' });
	assert.deepEqual([bare.recipientCount, bare.description, bare.template], [0, null, t.tpl]);
	// nothing is checked against Meta or sent by a draft
	assert.equal((await summary(t)).accepted, 0);
});

test('get: every counter, updatedAt; a malformed or unknown id is 404 Broadcast not found', async () => {
	const g = shape(await getBroadcast(t, draft.id), FULL);
	assert.equal(g.id, draft.id);
	assert.equal(g.createdAt, draft.createdAt);
	for (const id of [crypto.randomUUID(), 'nope', '01a24132-2d0a-747c-815d-5da3a3c51f6', `${draft.id}x`,
		'%20', 'x'.repeat(300), draft.id.toUpperCase().replace(/-/g, '')]) {
		notFound(await late('GET', `${B}/${encodeURIComponent(id)}`, t.key));
	}
});

test('list: newest first, no recipients, status filter, pagination', async () => {
	const a = await createBroadcast(t, { name: 'List A', recipients: withVars(phones(1)) });
	const b = await createBroadcast(t, { name: 'List B' });
	const l = ok(await late('GET', `${B}?${qs({ accountId: t.accountId })}`, t.key));
	assert.deepEqual(Object.keys(l), ['success', 'broadcasts', 'pagination']);
	l.broadcasts.forEach((x) => shape(x));
	assert.deepEqual(l.broadcasts.slice(0, 2).map((x) => x.id), [b.id, a.id]);
	assert.equal(l.broadcasts.every((x) => !('recipients' in x)), true);
	assert.deepEqual(l.pagination, { total: l.broadcasts.length, limit: 50, skip: 0, hasMore: false });
	const n = l.pagination.total;
	const p = ok(await late('GET', `${B}?${qs({ accountId: t.accountId, limit: 1, skip: 1 })}`, t.key));
	assert.deepEqual(p.broadcasts.map((x) => x.id), [a.id]);
	assert.deepEqual(p.pagination, { total: n, limit: 1, skip: 1, hasMore: n > 2 });
	const past = ok(await late('GET', `${B}?${qs({ accountId: t.accountId, skip: 1000 })}`, t.key));
	assert.deepEqual([past.broadcasts, past.pagination.total, past.pagination.hasMore], [[], n, false]);
	const drafts = ok(await late('GET', `${B}?${qs({ accountId: t.accountId, status: 'draft' })}`, t.key));
	assert.equal(drafts.pagination.total, n);
	for (const s of ['scheduled', 'sending', 'completed', 'failed', 'cancelled']) {
		const x = ok(await late('GET', `${B}?${qs({ accountId: t.accountId, status: s })}`, t.key));
		assert.deepEqual([x.broadcasts, x.pagination.total], [[], 0], s);
	}
	// the other tenant's account shows only its own
	const o = ok(await late('GET', `${B}?${qs({ accountId: other.accountId })}`, other.key));
	assert.equal(o.broadcasts.some((x) => x.id === a.id), false);
});

test('list validation: accountId required, status in the enum, limit 1-100, skip >= 0; other tenants 404', async () => {
	invalid(await late('GET', B, t.key), ['accountId']);
	invalid(await late('GET', `${B}?accountId=`, t.key), ['accountId']);
	const q = (p) => late('GET', `${B}?${qs({ accountId: t.accountId, ...p })}`, t.key);
	invalid(await q({ status: 'nope' }), ['status']);
	invalid(await q({ status: 'DRAFT' }), ['status']);
	invalid(await q({ status: 'pending' }), ['status']);
	for (const limit of [0, 101, -1, 'x', '1.5', '']) invalid(await q({ limit }), ['limit']);
	for (const skip of [-1, 'x', '1e3']) invalid(await q({ skip }), ['skip']);
	invalid(await q({ limit: 0, status: 'x' }), ['limit', 'status']);
	ok(await q({ limit: 1 }));
	ok(await q({ limit: 100 }));
	noAccount(await late('GET', `${B}?${qs({ accountId: other.accountId })}`, t.key));
	noAccount(await late('GET', `${B}?${qs({ accountId: 'nope' })}`, t.key));
	noAccount(await late('GET', `${B}?${qs({ accountId: crypto.randomUUID() })}`, t.key));
});

test('create validation: name 1-255, description <= 1024, template, recipients <= 1000, phones', async () => {
	const base = { accountId: t.accountId, name: 'n', template: t.tpl };
	const post = (body) => late('POST', B, t.key, body);
	invalid(await post({}), ['accountId', 'name', 'template']);
	invalid(await post({ ...base, accountId: undefined }), ['accountId']);
	invalid(await post({ ...base, name: undefined }), ['name']);
	invalid(await post({ ...base, name: '' }), ['name']);
	invalid(await post({ ...base, name: 7 }), ['name']);
	const long = invalid(await post({ ...base, name: 'x'.repeat(256) }), ['name']);
	assert.match(long.name, /at most 255/);
	ok(await post({ ...base, name: 'é'.repeat(255) }));
	invalid(await post({ ...base, description: 'd'.repeat(1025) }), ['description']);
	ok(await post({ ...base, description: 'd'.repeat(1024) }));
	ok(await post({ ...base, description: null }));
	invalid(await post({ ...base, template: undefined }), ['template']);
	invalid(await post({ ...base, template: {} }), ['template.name', 'template.language']);
	invalid(await post({ ...base, template: { name: 'notice', language: 'en US' } }), ['template.language']);
	invalid(await post({ ...base, template: { ...t.tpl, components: 'x' } }), ['template.components']);
	invalid(await post({ ...base, template: { ...t.tpl, components: Array(11).fill({ type: 'body' }) } }),
		['template.components']);
	invalid(await post({ ...base, recipients: 'x' }), ['recipients']);
	const many = invalid(await post({ ...base, recipients: phones(1001).map((p) => ({ phone: p })) }), ['recipients']);
	assert.match(many.recipients, /at most 1000/);
	invalid(await post({ ...base, recipients: [{ phone: phone() }, { phone: '+0123' }] }), ['recipients[1].phone']);
	invalid(await post({ ...base, recipients: [{ phone: phone(), name: 'x'.repeat(256) }] }), ['recipients[0].name']);
	invalid(await post({ ...base, recipients: [{ phone: phone(), variables: { one: 'x' } }] }), ['recipients[0].variables']);
	invalid(await post({ ...base, recipients: [{ phone: phone(), variables: { 1: 1 } }] }), ['recipients[0].variables.1']);
	lateFail(await post('nope'), 400, 'invalid_request');
	// an empty recipients array is a draft without recipients
	assert.equal((await createBroadcast(t, { recipients: [] })).recipientCount, 0);
	// 1000 at once is fine
	assert.equal((await createBroadcast(t, { recipients: phones(1000).map((p) => ({ phone: p })) })).recipientCount, 1000);
	noAccount(await post({ ...base, accountId: other.accountId }));
	noAccount(await post({ ...base, accountId: 'x' }));
});

test('recipients: PATCH adds (duplicates skipped), DELETE removes by phone, list in the order added', async () => {
	const b = await createBroadcast(t, { name: 'Audience' });
	const [p1, p2, p3, p4] = phones(4);
	const add = ok(await late('PATCH', `${B}/${b.id}/recipients`, t.key, {
		recipients: [{ phone: p1, name: 'One', variables: { 1: 'A' } }, { phone: p2 }, { phone: p1 }],
	}));
	assert.deepEqual(add, { success: true, added: 2, duplicates: 1, totalRecipients: 2 });
	const again = ok(await late('PATCH', `${B}/${b.id}/recipients`, t.key, {
		recipients: [{ phone: p2 }, { phone: p3 }, { phone: p4 }],
	}));
	assert.deepEqual(again, { success: true, added: 2, duplicates: 1, totalRecipients: 4 });
	const l = await recipientsOf(t, b.id);
	assert.deepEqual(l.recipients.map((x) => x.phone), [p1, p2, p3, p4]);
	assert.deepEqual(l.recipients[0].variables, { 1: 'A' });
	assert.deepEqual(l.pagination, { total: 4, limit: 100, skip: 0, hasMore: false });
	const page = await recipientsOf(t, b.id, qs({ limit: 2, skip: 1 }));
	assert.deepEqual(page.recipients.map((x) => x.phone), [p2, p3]);
	assert.deepEqual(page.pagination, { total: 4, limit: 2, skip: 1, hasMore: true });
	assert.deepEqual((await recipientsOf(t, b.id, qs({ status: 'pending' }))).recipients.length, 4);
	assert.deepEqual((await recipientsOf(t, b.id, qs({ status: 'sent' }))).recipients, []);
	assert.equal((await getBroadcast(t, b.id)).recipientCount, 4);
	// DELETE with a JSON body (as the SDK sends it); unknown and malformed phones remove nothing
	const rm = ok(await late('DELETE', `${B}/${b.id}/recipients`, t.key, {
		phones: [p2, `${p3.slice(0, 3)} ${p3.slice(3)}`, phone(), 'junk'],
	}));
	assert.deepEqual(rm, { success: true, removed: 2, totalRecipients: 2 });
	assert.deepEqual((await recipientsOf(t, b.id)).recipients.map((x) => x.phone), [p1, p4]);
	// one added after a removal goes last
	ok(await late('PATCH', `${B}/${b.id}/recipients`, t.key, { recipients: [{ phone: p2 }] }));
	assert.deepEqual((await recipientsOf(t, b.id)).recipients.map((x) => x.phone), [p1, p4, p2]);
	assert.equal((await getBroadcast(t, b.id)).recipientCount, 3);
});

test('recipients validation: PATCH 1-1000 with phones, DELETE phones 1-1000, list status and limit 1-1000', async () => {
	const b = await createBroadcast(t, { name: 'Checked' });
	const patch = (body) => late('PATCH', `${B}/${b.id}/recipients`, t.key, body);
	invalid(await patch({}), ['recipients']);
	invalid(await patch({ recipients: [] }), ['recipients']);
	invalid(await patch({ recipients: phones(1001).map((p) => ({ phone: p })) }), ['recipients']);
	invalid(await patch({ recipients: [{ phone: phone() }, { phone: phone() }, { phone: phone() }, { phone: 'abc' }] }),
		['recipients[3].phone']);
	invalid(await patch({ recipients: [{ phone: phone(), variables: [] }] }), ['recipients[0].variables']);
	const del = (body) => late('DELETE', `${B}/${b.id}/recipients`, t.key, body);
	invalid(await del({}), ['phones']);
	invalid(await del({ phones: [] }), ['phones']);
	invalid(await del({ phones: 'x' }), ['phones']);
	invalid(await del({ phones: Array(1001).fill('+442079460000') }), ['phones']);
	const list = (p) => late('GET', `${B}/${b.id}/recipients?${qs(p)}`, t.key);
	invalid(await list({ status: 'queued' }), ['status']);
	invalid(await list({ status: 'nope' }), ['status']);
	for (const limit of [0, 1001, 'x']) invalid(await list({ limit }), ['limit']);
	invalid(await list({ skip: -1 }), ['skip']);
	ok(await list({ limit: 1000 }));
	ok(await list({ status: 'unknown' }));
	// nothing changed
	assert.equal((await getBroadcast(t, b.id)).recipientCount, 0);
});

// A regression test: recipients_list() (fcgi/broadcasts/recipients.c)
// reported a total of 0 for a status-filtered page past the end (it
// counted the page's rows); the total is now the status's count.
test('recipients: a filtered page past the end still says how many there are', async () => {
	const b = await createBroadcast(t, { name: 'Paged', recipients: withVars(phones(3)) });
	const all = await recipientsOf(t, b.id, qs({ skip: 10 }));
	assert.deepEqual([all.recipients, all.pagination], [[], { total: 3, limit: 100, skip: 10, hasMore: false }]);
	const pending = await recipientsOf(t, b.id, qs({ status: 'pending', skip: 10 }));
	assert.deepEqual([pending.recipients, pending.pagination], [[], { total: 3, limit: 100, skip: 10, hasMore: false }]);
});

test('a broadcast holds at most 100,000 recipients (422 too_many_recipients)', async () => {
	const b = await createBroadcast(t, { name: 'Huge', recipients: [{ phone: phone() }] });
	// as if 99,999 had been added (100 PATCHes of 1000 would be slow here)
	psql(`UPDATE wa.broadcasts SET recipient_count = 99999 WHERE id = '${b.id}'`, { as: 'super' });
	ok(await late('PATCH', `${B}/${b.id}/recipients`, t.key, { recipients: [{ phone: phone() }] }));
	fails(await late('PATCH', `${B}/${b.id}/recipients`, t.key, { recipients: [{ phone: phone() }] }), 422,
		'too_many_recipients');
	assert.equal(psql(`SELECT recipient_count FROM wa.broadcasts WHERE id = '${b.id}'`, { as: 'super' }), '100000');
});

test('delete: a draft is gone; a sent one is 400 invalid_status', async () => {
	const b = await createBroadcast(t, { name: 'Doomed', recipients: withVars(phones(2)) });
	const d = ok(await late('DELETE', `${B}/${b.id}`, t.key));
	assert.deepEqual(d, { success: true, message: 'Broadcast deleted successfully' });
	notFound(await late('GET', `${B}/${b.id}`, t.key));
	notFound(await late('GET', `${B}/${b.id}/recipients`, t.key));
	notFound(await late('DELETE', `${B}/${b.id}`, t.key));
	assert.equal(psql(`SELECT count(*) FROM wa.broadcast_recipients WHERE broadcast_id = '${b.id}'`, { as: 'super' }), '0');
	// with a body, as some clients send
	const c = await createBroadcast(t, { name: 'Doomed too' });
	ok(await late('DELETE', `${B}/${c.id}`, t.key, {}));
	const s = await createBroadcast(t, { name: 'Sent', recipients: withVars(phones(1)) });
	assert.equal(ok(await sendBroadcast(t, s.id)).status, 'completed');
	const e = fails(await late('DELETE', `${B}/${s.id}`, t.key), 400, 'invalid_status');
	assert.match(e.error, /^Can only delete draft or cancelled broadcasts/);
	// and its recipients cannot change any more
	const pe = fails(await late('PATCH', `${B}/${s.id}/recipients`, t.key, { recipients: [{ phone: phone() }] }), 400,
		'invalid_status');
	assert.match(pe.error, /draft/);
	fails(await late('DELETE', `${B}/${s.id}/recipients`, t.key, { phones: [phone()] }), 400, 'invalid_status');
	assert.equal((await getBroadcast(t, s.id)).status, 'completed');
	// a cancelled one (no route makes one yet) can be deleted
	const x = await createBroadcast(t, { name: 'Cancelled', recipients: withVars(phones(1)) });
	psql(`UPDATE wa.broadcasts SET status = 'cancelled' WHERE id = '${x.id}'`, { as: 'super' });
	ok(await late('DELETE', `${B}/${x.id}`, t.key));
	notFound(await late('GET', `${B}/${x.id}`, t.key));
});

test('Idempotency-Key: create and add replayed answer the same and change nothing more', async () => {
	const key = `create-${crypto.randomUUID()}`;
	const body = { accountId: t.accountId, name: 'Once', template: t.tpl, recipients: withVars(phones(2)) };
	const first = await late('POST', B, t.key, body, { 'idempotency-key': key });
	const made = ok(first).broadcast;
	const again = await late('POST', B, t.key, body, { 'idempotency-key': key });
	assert.equal(again.status, 200);
	assert.equal(again.headers['idempotent-replayed'], 'true');
	assert.equal(again.text, first.text);
	assert.equal(psql(`SELECT count(*) FROM wa.broadcasts WHERE account_id = '${t.accountId}' AND name = 'Once'`,
		{ as: 'super' }), '1');
	fails(await late('POST', B, t.key, { ...body, name: 'Twice' }, { 'idempotency-key': key }), 422,
		'idempotency_key_reused');
	const akey = `add-${crypto.randomUUID()}`;
	const add = { recipients: withVars(phones(3)) };
	const a1 = await late('PATCH', `${B}/${made.id}/recipients`, t.key, add, { 'idempotency-key': akey });
	assert.deepEqual(ok(a1), { success: true, added: 3, duplicates: 0, totalRecipients: 5 });
	const a2 = await late('PATCH', `${B}/${made.id}/recipients`, t.key, add, { 'idempotency-key': akey });
	assert.equal(a2.text, a1.text);
	assert.equal(a2.headers['idempotent-replayed'], 'true');
	// without the key the same recipients are duplicates
	assert.deepEqual(ok(await late('PATCH', `${B}/${made.id}/recipients`, t.key, add)),
		{ success: true, added: 0, duplicates: 3, totalRecipients: 5 });
	assert.equal((await getBroadcast(t, made.id)).recipientCount, 5);
});

test('keys: none is 401 on every route; a member key works on every route', async () => {
	const b = await createBroadcast(t, { name: 'Keys', recipients: withVars(phones(1)) });
	const routes = [
		['GET', `${B}?accountId=${t.accountId}`], ['POST', B, { accountId: t.accountId, name: 'x', template: t.tpl }],
		['GET', `${B}/${b.id}`], ['DELETE', `${B}/${b.id}`], ['POST', `${B}/${b.id}/send`],
		['POST', `${B}/${b.id}/schedule`, { scheduledAt: new Date(Date.now() + 3600e3).toISOString() }],
		['DELETE', `${B}/${b.id}/schedule`], ['GET', `${B}/${b.id}/recipients`],
		['PATCH', `${B}/${b.id}/recipients`, { recipients: [{ phone: phone() }] }],
		['DELETE', `${B}/${b.id}/recipients`, { phones: [phone()] }],
		['POST', '/v1/whatsapp/bulk', { accountId: t.accountId, template: t.tpl, recipients: [{ phone: phone() }] }],
	];
	for (const [m, p, body] of routes) {
		lateFail(await request(m, p, { body }), 401, 'unauthorized');
		lateFail(await late(m, p, 'mk_live_abc.def', body), 401, 'invalid_api_key');
	}
	// the member's own life cycle of a broadcast
	const m = t.memberKey;
	const mine = ok(await late('POST', B, m, { accountId: t.accountId, name: 'By a member', template: t.tpl })).broadcast;
	ok(await late('PATCH', `${B}/${mine.id}/recipients`, m, { recipients: withVars(phones(2)) }));
	ok(await late('DELETE', `${B}/${mine.id}/recipients`, m, { phones: [phone()] }));
	ok(await late('GET', `${B}/${mine.id}/recipients`, m));
	ok(await late('GET', `${B}/${mine.id}`, m));
	ok(await late('GET', `${B}?accountId=${t.accountId}`, m));
	ok(await late('POST', `${B}/${mine.id}/schedule`, m, { scheduledAt: new Date(Date.now() + 3600e3).toISOString() }));
	ok(await late('DELETE', `${B}/${mine.id}/schedule`, m));
	ok(await late('POST', `${B}/${mine.id}/send?dryRun=true`, m));
	ok(await late('DELETE', `${B}/${mine.id}`, m));
});

test('profiles: a key of one profile sees neither the account nor the broadcasts of another', async () => {
	const prof = async (name) => (await api('POST', '/v3/profiles', t.key, { body: { name } })).json.data.id;
	const p1 = await prof('Sales');
	const p2 = await prof('Support');
	const tag = `${process.pid}${Date.now() % 100000}`;
	const acc2 = (await adminAsync('account', 'add', '--org', t.orgId, '--waba', `45${tag}`, '--phone-number-id',
		`46${tag}`, '--display', `+1557${tag.slice(-7)}`, '--token', `tok-${tag}`, '--profile', p2)).WA_ACCOUNT_ID;
	const k1 = (await adminAsync('key', 'create', '--org', t.orgId, '--role', 'member', '--profile', p1)).WA_API_KEY;
	const theirs = ok(await late('POST', B, t.key, { accountId: acc2, name: 'Support only', template: t.tpl,
		recipients: withVars(phones(1)) })).broadcast;
	notFound(await late('GET', `${B}/${theirs.id}`, k1));
	notFound(await late('DELETE', `${B}/${theirs.id}`, k1));
	notFound(await late('POST', `${B}/${theirs.id}/send`, k1));
	notFound(await late('POST', `${B}/${theirs.id}/schedule`, k1, { scheduledAt: new Date(Date.now() + 3600e3).toISOString() }));
	notFound(await late('DELETE', `${B}/${theirs.id}/schedule`, k1));
	notFound(await late('GET', `${B}/${theirs.id}/recipients`, k1));
	notFound(await late('PATCH', `${B}/${theirs.id}/recipients`, k1, { recipients: [{ phone: phone() }] }));
	notFound(await late('DELETE', `${B}/${theirs.id}/recipients`, k1, { phones: [phone()] }));
	noAccount(await late('GET', `${B}?accountId=${acc2}`, k1));
	noAccount(await late('POST', B, k1, { accountId: acc2, name: 'x', template: t.tpl }));
	noAccount(await late('POST', '/v1/whatsapp/bulk', k1, { accountId: acc2, template: t.tpl, recipients: withVars(phones(1)) }));
	// an account of no profile is every key's
	ok(await late('GET', `${B}?accountId=${t.accountId}`, k1));
	ok(await late('GET', `${B}/${draft.id}`, k1));
	assert.equal((await getBroadcast(t, theirs.id)).recipientCount, 1);
});

test('tenants: another tenant\'s broadcast is 404 Broadcast not found on every route, and untouched', async () => {
	const theirs = await createBroadcast(other, { name: 'Theirs', recipients: withVars(phones(2)) });
	const id = theirs.id;
	notFound(await late('GET', `${B}/${id}`, t.key));
	notFound(await late('DELETE', `${B}/${id}`, t.key));
	notFound(await late('POST', `${B}/${id}/send`, t.key));
	notFound(await late('POST', `${B}/${id}/send?dryRun=true`, t.key));
	notFound(await late('POST', `${B}/${id}/schedule`, t.key, { scheduledAt: new Date(Date.now() + 3600e3).toISOString() }));
	notFound(await late('DELETE', `${B}/${id}/schedule`, t.key));
	notFound(await late('GET', `${B}/${id}/recipients`, t.key));
	notFound(await late('PATCH', `${B}/${id}/recipients`, t.key, { recipients: [{ phone: phone() }] }));
	notFound(await late('DELETE', `${B}/${id}/recipients`, t.key, { phones: [phone()] }));
	const still = await getBroadcast(other, id);
	assert.deepEqual([still.status, still.recipientCount], ['draft', 2]);
	assert.equal((await summary(other)).accepted, 0);
	// malformed ids on every route
	for (const [m, p] of [['POST', '/send'], ['POST', '/schedule'], ['DELETE', '/schedule'], ['GET', '/recipients'],
		['PATCH', '/recipients'], ['DELETE', '/recipients']]) {
		notFound(await late(m, `${B}/not-a-uuid${p}`, t.key, m === 'GET' ? undefined : {}));
	}
});
