// The official Late SDK pinned at 0.2.4 (`late-legacy`, the last with
// /v1/whatsapp/contacts and /groups; spec/sdk-clients.md §2.0) drives
// every contacts and groups method unchanged and gets the shapes of
// seed 002 back; wagate's 400 raises its ValidationError, 404 and 409
// its ZernioApiError.  0.2.4 keeps one module-global client: one client
// per process, so one per test file.
import test from 'node:test';
import assert from 'node:assert/strict';
import { Late, ValidationError, ZernioApiError } from 'late-legacy';
import { BASE, tenant } from './lib/harness.mjs';
import { CREATED_KEYS, DETAIL_KEYS, ITEM_KEYS, UPDATED_KEYS, phone, shape } from './lib/contacts.mjs';

const t = tenant();
const other = tenant({ account: true });
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

const p1 = phone();
let john;

test('createWhatsAppContact, getWhatsAppContact', async () => {
	const d = await ok(wa.createWhatsAppContact({ body: {
		accountId: t.accountId, phone: p1, name: 'John Doe', email: 'john@example.com',
		tags: ['vip', 'newsletter'], groups: ['customers'], customFields: { plan: 'pro' }, notes: 'n',
	} }));
	assert.deepEqual(Object.keys(d), ['success', 'contact']);
	john = shape(d.contact, CREATED_KEYS);
	assert.deepEqual([john.phone, john.isOptedIn], [p1, true]);
	const g = await ok(wa.getWhatsAppContact({ path: { contactId: john.id } }));
	shape(g.contact, DETAIL_KEYS);
	assert.deepEqual([g.contact.customFields, g.contact.notes], [{ plan: 'pro' }, 'n']);
});

test('getWhatsAppContacts with every query parameter', async () => {
	await ok(wa.createWhatsAppContact({ body: { accountId: t.accountId, phone: phone(), name: 'Jane Roe',
		tags: ['vip'], isOptedIn: false } }));
	const all = await ok(wa.getWhatsAppContacts({ query: { accountId: t.accountId } }));
	assert.deepEqual(Object.keys(all), ['success', 'contacts', 'filters', 'pagination']);
	all.contacts.forEach((c) => shape(c, ITEM_KEYS));
	assert.deepEqual(all.contacts.map((c) => c.name), ['Jane Roe', 'John Doe']);
	assert.deepEqual(all.filters, { tags: ['newsletter', 'vip'], groups: ['customers'] });
	assert.deepEqual(all.pagination, { total: 2, limit: 50, skip: 0, hasMore: false });
	const f = await ok(wa.getWhatsAppContacts({ query: { accountId: t.accountId, search: 'DOE', tag: 'vip',
		group: 'customers', optedIn: 'true', limit: 1, skip: 0 } }));
	assert.deepEqual(f.contacts.map((c) => c.id), [john.id]);
	assert.deepEqual(f.pagination, { total: 1, limit: 1, skip: 0, hasMore: false });
	const p = await ok(wa.getWhatsAppContacts({ query: { accountId: t.accountId, limit: 1, skip: 1 } }));
	assert.deepEqual([p.contacts[0].name, p.pagination.hasMore], ['John Doe', false]);
});

test('updateWhatsAppContact (PUT): merge of customFields, null removes', async () => {
	const d = await ok(wa.updateWhatsAppContact({ path: { contactId: john.id }, body: {
		name: 'John Doe Updated', tags: ['vip', 'premium'], customFields: { plan: 'enterprise', remove_me: null },
		isBlocked: true,
	} }));
	const c = shape(d.contact, UPDATED_KEYS);
	assert.deepEqual([c.name, c.tags, c.customFields, c.isBlocked],
		['John Doe Updated', ['vip', 'premium'], { plan: 'enterprise' }, true]);
});

test('importWhatsAppContacts: summary and results', async () => {
	const d = await ok(wa.importWhatsAppContacts({ body: {
		accountId: t.accountId,
		contacts: [{ phone: phone(), name: 'Imported One' }, { phone: '+0987654321', name: 'Bad' },
			{ phone: p1, name: 'Dup' }],
		defaultTags: ['imported'], defaultGroups: ['new-leads'], skipDuplicates: true,
	} }));
	assert.deepEqual(Object.keys(d), ['success', 'summary', 'results']);
	assert.deepEqual(d.summary, { total: 3, created: 1, skipped: 1, failed: 1 });
	assert.deepEqual(d.results.map((r) => r.success), [true, false, false]);
	assert.equal(d.results[2].contactId, john.id);
});

test('bulkUpdateWhatsAppContacts and bulkDeleteWhatsAppContacts (DELETE with a body)', async () => {
	const list = await ok(wa.getWhatsAppContacts({ query: { accountId: t.accountId } }));
	const ids = list.contacts.map((c) => c.id);
	const b = await ok(wa.bulkUpdateWhatsAppContacts({ body: { action: 'addTags', contactIds: ids, tags: ['sdk'] } }));
	assert.deepEqual(b, { success: true, action: 'addTags', modified: ids.length, matched: ids.length });
	const o = await ok(wa.bulkUpdateWhatsAppContacts({ body: { action: 'optOut', contactIds: ids } }));
	assert.deepEqual([o.action, o.matched], ['optOut', ids.length]);
	const gone = list.contacts.find((c) => c.name === 'Imported One');
	const del = await ok(wa.bulkDeleteWhatsAppContacts({ body: { contactIds: [gone.id] } }));
	assert.deepEqual(del, { success: true, deleted: 1 });
});

test('getWhatsAppGroups, renameWhatsAppGroup (POST), deleteWhatsAppGroup (DELETE with a body)', async () => {
	const g = await ok(wa.getWhatsAppGroups({ query: { accountId: t.accountId } }));
	assert.deepEqual(Object.keys(g), ['success', 'groups', 'summary']);
	assert.deepEqual(g.groups, [{ name: 'customers', totalCount: 1, optedInCount: 0 }]);
	assert.deepEqual(g.summary, { totalContacts: 2, optedInContacts: 0, groupCount: 1 });
	const r = await ok(wa.renameWhatsAppGroup({ body: { accountId: t.accountId, oldName: 'customers',
		newName: 'active-customers' } }));
	assert.deepEqual(r, { success: true, message: 'Group renamed successfully', modified: 1 });
	const d = await ok(wa.deleteWhatsAppGroup({ body: { accountId: t.accountId, groupName: 'active-customers' } }));
	assert.deepEqual(d, { success: true, message: 'Group deleted successfully', modified: 1 });
	assert.deepEqual((await ok(wa.getWhatsAppGroups({ query: { accountId: t.accountId } }))).groups, []);
});

test('deleteWhatsAppContact', async () => {
	const d = await ok(wa.deleteWhatsAppContact({ path: { contactId: john.id } }));
	assert.deepEqual(d, { success: true, message: 'Contact deleted successfully' });
	await rejects(wa.getWhatsAppContact({ path: { contactId: john.id } }), ZernioApiError, 404, 'not_found');
});

test('a 400 raises ValidationError with the fields; 404 and 409 raise ZernioApiError', async () => {
	const e = await rejects(wa.createWhatsAppContact({ body: { accountId: t.accountId, phone: '12', name: '' } }),
		ValidationError, 400, 'validation_error');
	assert.deepEqual(Object.keys(e.fields).sort(), ['name', 'phone']);
	assert.match(e.message, /^Request validation failed: /);
	await rejects(wa.getWhatsAppContacts({ query: { accountId: t.accountId, limit: 1000 } }), ValidationError,
		400, 'validation_error');
	await rejects(wa.bulkUpdateWhatsAppContacts({ body: { action: 'addTags', contactIds: ['x'] } }),
		ValidationError, 400, 'validation_error');
	await rejects(wa.renameWhatsAppGroup({ body: { accountId: t.accountId, oldName: 'a', newName: 'a' } }),
		ValidationError, 400, 'validation_error');
	await rejects(wa.importWhatsAppContacts({ body: { accountId: t.accountId, contacts: [] } }),
		ValidationError, 400, 'validation_error');
	const nf = await rejects(wa.getWhatsAppContacts({ query: { accountId: other.accountId } }), ZernioApiError,
		404, 'not_found');
	assert.equal(nf.message, 'WhatsApp account not found');
	await rejects(wa.getWhatsAppGroups({ query: { accountId: other.accountId } }), ZernioApiError, 404,
		'not_found');
	await rejects(wa.updateWhatsAppContact({ path: { contactId: 'nope' }, body: { name: 'x' } }), ZernioApiError,
		404, 'not_found');
	const p = phone();
	await ok(wa.createWhatsAppContact({ body: { accountId: t.accountId, phone: p, name: 'Once' } }));
	const c = await rejects(wa.createWhatsAppContact({ body: { accountId: t.accountId, phone: p, name: 'Twice' } }),
		ZernioApiError, 409, 'conflict');
	assert.equal(c.message, 'Contact with this phone number already exists');
});
