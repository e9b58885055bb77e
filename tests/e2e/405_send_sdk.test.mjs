// The official Late SDK pinned at 0.2.4 (`late-legacy`, the last with
// /v1/whatsapp/bulk and /broadcasts; spec/sdk-clients.md §2.3) drives
// every bulk and broadcast method unchanged and gets the shapes of seed
// 002 back; wagate's 400 with fields raises its ValidationError, other
// errors its ZernioApiError.  0.2.4 keeps one module-global client: one
// client per process.
import test from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { Late, ValidationError, ZernioApiError } from 'late-legacy';
import { BASE } from './lib/harness.mjs';
import { createBroadcast, digits, ledger, phones, sendTenant, went, withVars } from './lib/send.mjs';

const [t, other] = await Promise.all([sendTenant(), sendTenant()]);
const wa = new Late({ apiKey: t.key, baseURL: BASE }).whatsapp;

// {data, request, response}: data is the raw body.
async function ok(promise) {
	const r = await promise;
	assert.equal(r.response.status, 200, JSON.stringify(r.data));
	assert.equal(r.data.success, true);
	return r.data;
}

async function rejects(promise, Cls, status, code) {
	let err;
	await assert.rejects(promise, (e) => {
		err = e;
		assert.ok(e instanceof Cls, `${e.constructor.name}: ${e.message}`);
		assert.equal(e.statusCode, status);
		assert.equal(e.code, code);
		return true;
	});
	return err;
}

test('sendWhatsAppBulk: summary and a result per recipient', async () => {
	const list = phones(2);
	const d = await ok(wa.sendWhatsAppBulk({ body: { accountId: t.accountId,
		recipients: [{ phone: list[0], variables: { 1: 'John' } }, { phone: list[1] }],
		template: { name: 'notice', language: 'en_US' } } }));
	assert.deepEqual(Object.keys(d), ['success', 'summary', 'results']);
	assert.deepEqual(d.summary, { total: 2, sent: 1, failed: 1, pending: 0, unknown: 0 });
	assert.deepEqual(d.results.map((x) => [x.phone, x.success]), [[list[0], true], [list[1], false]]);
	assert.ok(went(d.results[0].status));
	assert.match(d.results[0].messageId, /^wamid\./);
	assert.match(d.results[1].error, /no variables fill it/);
});

let b;

test('createWhatsAppBroadcast, getWhatsAppBroadcast, getWhatsAppBroadcasts', async () => {
	const [p1, p2] = phones(2);
	const c = await ok(wa.createWhatsAppBroadcast({ body: {
		accountId: t.accountId, name: 'Weekly Newsletter', description: 'Weekly product updates',
		template: { name: 'notice', language: 'en_US' },
		recipients: [{ phone: p1, name: 'John', variables: { 1: 'John' } }, { phone: p2, variables: { 1: 'Jane' } }],
	} }));
	assert.deepEqual(Object.keys(c), ['success', 'broadcast']);
	b = c.broadcast;
	for (const k of ['id', 'name', 'description', 'template', 'status', 'recipientCount', 'createdAt']) assert.ok(k in b, k);
	assert.deepEqual([b.status, b.recipientCount, b.name], ['draft', 2, 'Weekly Newsletter']);
	const g = await ok(wa.getWhatsAppBroadcast({ path: { broadcastId: b.id } }));
	for (const k of ['id', 'name', 'description', 'template', 'status', 'recipientCount', 'scheduledAt', 'startedAt',
		'completedAt', 'sentCount', 'deliveredCount', 'readCount', 'failedCount', 'createdAt', 'updatedAt']) {
		assert.ok(k in g.broadcast, k);
	}
	const l = await ok(wa.getWhatsAppBroadcasts({ query: { accountId: t.accountId, status: 'draft', limit: 10, skip: 0 } }));
	assert.deepEqual(Object.keys(l), ['success', 'broadcasts', 'pagination']);
	assert.deepEqual(l.broadcasts.map((x) => x.id), [b.id]);
	assert.deepEqual(l.pagination, { total: 1, limit: 10, skip: 0, hasMore: false });
});

test('addWhatsAppBroadcastRecipients (PATCH), removeWhatsAppBroadcastRecipients (DELETE with a body), getWhatsAppBroadcastRecipients', async () => {
	const [p3, p4] = phones(2);
	const a = await ok(wa.addWhatsAppBroadcastRecipients({ path: { broadcastId: b.id }, body: {
		recipients: [{ phone: p3, name: 'Ann', variables: { 1: 'Ann' } }, { phone: p4 }, { phone: p3 }],
	} }));
	assert.deepEqual(a, { success: true, added: 2, duplicates: 1, totalRecipients: 4 });
	const r = await ok(wa.removeWhatsAppBroadcastRecipients({ path: { broadcastId: b.id }, body: { phones: [p4] } }));
	assert.deepEqual(r, { success: true, removed: 1, totalRecipients: 3 });
	const l = await ok(wa.getWhatsAppBroadcastRecipients({ path: { broadcastId: b.id },
		query: { status: 'pending', limit: 2, skip: 0 } }));
	assert.deepEqual(Object.keys(l), ['success', 'recipients', 'pagination', 'summary']);
	assert.equal(l.recipients.length, 2);
	assert.deepEqual(Object.keys(l.recipients[0]), ['phone', 'name', 'variables', 'status', 'messageId', 'error',
		'sentAt', 'deliveredAt', 'readAt']);
	assert.deepEqual(l.pagination, { total: 3, limit: 2, skip: 0, hasMore: true });
	assert.deepEqual(l.summary, { total: 3, pending: 3, sent: 0, delivered: 0, read: 0, failed: 0, unknown: 0 });
});

test('scheduleWhatsAppBroadcast, cancelWhatsAppBroadcastSchedule (DELETE)', async () => {
	const at = new Date(Date.now() + 3600e3).toISOString();
	const s = await ok(wa.scheduleWhatsAppBroadcast({ path: { broadcastId: b.id }, body: { scheduledAt: at } }));
	assert.deepEqual(s, { success: true, broadcast: { id: b.id, status: 'scheduled', scheduledAt: at } });
	const c = await ok(wa.cancelWhatsAppBroadcastSchedule({ path: { broadcastId: b.id } }));
	assert.deepEqual(c, { success: true, broadcast: { id: b.id, status: 'draft' }, message: 'Broadcast returned to draft status' });
});

test('sendWhatsAppBroadcast (no body): {status, sent, failed, total}; each recipient once at Meta', async () => {
	const s = await ok(wa.sendWhatsAppBroadcast({ path: { broadcastId: b.id } }));
	assert.deepEqual(s, { success: true, status: 'completed', sent: 3, failed: 0, unknown: 0, total: 3 });
	const l = await ok(wa.getWhatsAppBroadcastRecipients({ path: { broadcastId: b.id } }));
	const sends = await ledger(t);
	for (const r of l.recipients) {
		assert.ok(went(r.status), r.status);
		assert.equal(sends.filter((x) => x.to === digits(r.phone)).length, 1);
	}
});

test('deleteWhatsAppBroadcast: a draft', async () => {
	const d = await createBroadcast(t, { name: 'Doomed' });
	const r = await ok(wa.deleteWhatsAppBroadcast({ path: { broadcastId: d.id } }));
	assert.deepEqual(r, { success: true, message: 'Broadcast deleted successfully' });
	const e = await rejects(wa.getWhatsAppBroadcast({ path: { broadcastId: d.id } }), ZernioApiError, 404, 'not_found');
	assert.equal(e.message, 'Broadcast not found');
});

test('a 400 with fields raises ValidationError; state errors and 404 raise ZernioApiError', async () => {
	let e = await rejects(wa.sendWhatsAppBulk({ body: { accountId: t.accountId, recipients: [],
		template: { name: 'notice' } } }), ValidationError, 400, 'validation_error');
	assert.deepEqual(Object.keys(e.fields).sort(), ['recipients', 'template.language']);
	assert.match(e.message, /^Request validation failed: /);
	e = await rejects(wa.createWhatsAppBroadcast({ body: { accountId: t.accountId, name: '',
		template: { name: 'notice', language: 'en_US' } } }), ValidationError, 400, 'validation_error');
	assert.deepEqual(Object.keys(e.fields), ['name']);
	await rejects(wa.getWhatsAppBroadcasts({ query: { accountId: t.accountId, limit: 101 } }), ValidationError, 400,
		'validation_error');
	await rejects(wa.getWhatsAppBroadcastRecipients({ path: { broadcastId: b.id }, query: { limit: 1001 } }),
		ValidationError, 400, 'validation_error');
	await rejects(wa.addWhatsAppBroadcastRecipients({ path: { broadcastId: b.id }, body: { recipients: [{ phone: 'x' }] } }),
		ValidationError, 400, 'validation_error');
	await rejects(wa.scheduleWhatsAppBroadcast({ path: { broadcastId: b.id },
		body: { scheduledAt: new Date(Date.now() - 60e3).toISOString() } }), ValidationError, 400, 'validation_error');
	// 400 without fields: the state rules
	const draft = await createBroadcast(t, { name: 'Empty' });
	e = await rejects(wa.sendWhatsAppBroadcast({ path: { broadcastId: draft.id } }), ZernioApiError, 400, 'no_recipients');
	assert.equal(e instanceof ValidationError, false);
	await rejects(wa.sendWhatsAppBroadcast({ path: { broadcastId: b.id } }), ZernioApiError, 400, 'invalid_status');
	await rejects(wa.deleteWhatsAppBroadcast({ path: { broadcastId: b.id } }), ZernioApiError, 400, 'invalid_status');
	await rejects(wa.cancelWhatsAppBroadcastSchedule({ path: { broadcastId: draft.id } }), ZernioApiError, 400,
		'invalid_status');
	await rejects(wa.addWhatsAppBroadcastRecipients({ path: { broadcastId: b.id }, body: { recipients: withVars(phones(1)) } }),
		ZernioApiError, 400, 'invalid_status');
	await rejects(wa.removeWhatsAppBroadcastRecipients({ path: { broadcastId: b.id }, body: { phones: phones(1) } }),
		ZernioApiError, 400, 'invalid_status');
	// 404: other tenants' and unknown ids, other tenants' accounts
	const theirs = await createBroadcast(other, { name: 'Theirs', recipients: withVars(phones(1)) });
	for (const id of [theirs.id, crypto.randomUUID(), 'nope']) {
		e = await rejects(wa.getWhatsAppBroadcast({ path: { broadcastId: id } }), ZernioApiError, 404, 'not_found');
		assert.equal(e.message, 'Broadcast not found');
	}
	await rejects(wa.sendWhatsAppBroadcast({ path: { broadcastId: theirs.id } }), ZernioApiError, 404, 'not_found');
	await rejects(wa.deleteWhatsAppBroadcast({ path: { broadcastId: theirs.id } }), ZernioApiError, 404, 'not_found');
	await rejects(wa.scheduleWhatsAppBroadcast({ path: { broadcastId: theirs.id },
		body: { scheduledAt: new Date(Date.now() + 3600e3).toISOString() } }), ZernioApiError, 404, 'not_found');
	await rejects(wa.cancelWhatsAppBroadcastSchedule({ path: { broadcastId: theirs.id } }), ZernioApiError, 404, 'not_found');
	await rejects(wa.getWhatsAppBroadcastRecipients({ path: { broadcastId: theirs.id } }), ZernioApiError, 404, 'not_found');
	await rejects(wa.addWhatsAppBroadcastRecipients({ path: { broadcastId: theirs.id }, body: { recipients: withVars(phones(1)) } }),
		ZernioApiError, 404, 'not_found');
	await rejects(wa.removeWhatsAppBroadcastRecipients({ path: { broadcastId: theirs.id }, body: { phones: phones(1) } }),
		ZernioApiError, 404, 'not_found');
	e = await rejects(wa.getWhatsAppBroadcasts({ query: { accountId: other.accountId } }), ZernioApiError, 404, 'not_found');
	assert.equal(e.message, 'WhatsApp account not found');
	e = await rejects(wa.sendWhatsAppBulk({ body: { accountId: other.accountId, recipients: withVars(phones(1)),
		template: { name: 'notice', language: 'en_US' } } }), ZernioApiError, 404, 'not_found');
	assert.equal(e.message, 'WhatsApp account not found');
	await rejects(wa.createWhatsAppBroadcast({ body: { accountId: other.accountId, name: 'x',
		template: { name: 'notice', language: 'en_US' } } }), ZernioApiError, 404, 'not_found');
	// theirs is untouched
	assert.equal((await ledger(other)).length, 0);
});
