// /v1/whatsapp/contacts and /{contactId}: create, get, update, delete
// through nginx, with every field of seed 002 and the choices of
// docs/contacts.md (normalization, defaults, opt-in stamps, merges).
import test from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { tenant } from './lib/harness.mjs';
import {
	C, CREATED_KEYS, DETAIL_KEYS, UPDATED_KEYS, create, fails, get, late, list, notFound, ok, phone,
	shape,
} from './lib/contacts.mjs';

const t = tenant();

test('create normalizes the phone, trims, dedupes labels, defaults isOptedIn to true', async () => {
	const r = await late('POST', C, t.key, {
		accountId: t.accountId, phone: ' +1 (415) 555-0142 ', name: '  John Doe ',
		email: ' john@example.com ', company: 'Acme', tags: ['vip', ' newsletter ', 'vip'],
		groups: ['customers'], customFields: { plan: 'pro' }, notes: '  keeps blanks  ',
	});
	const c = shape(ok(r, 200).contact, CREATED_KEYS);
	assert.equal(c.phone, '+14155550142');
	assert.equal(c.name, 'John Doe');
	assert.equal(c.email, 'john@example.com');
	assert.equal(c.company, 'Acme');
	assert.deepEqual(c.tags, ['vip', 'newsletter']);
	assert.deepEqual(c.groups, ['customers']);
	assert.equal(c.isOptedIn, true);

	const d = await get(t, c.id);
	assert.deepEqual(Object.keys(d), DETAIL_KEYS);
	assert.equal(d.waId, '14155550142');
	assert.deepEqual(d.customFields, { plan: 'pro' });
	assert.equal(d.notes, '  keeps blanks  ');
	assert.equal(d.optInDate, c.createdAt);
	assert.equal(d.optOutDate, null);
	assert.equal(d.isBlocked, false);
	assert.equal(d.lastMessageSentAt, null);
	assert.equal(d.lastMessageReceivedAt, null);
	assert.equal(d.messagesSentCount, 0);
	assert.equal(d.messagesReceivedCount, 0);
	assert.equal(d.updatedAt, c.createdAt);
});

test('create with only phone and name; isOptedIn false stamps optOutDate', async () => {
	const c = await create(t, { name: 'Min' });
	assert.deepEqual([c.email, c.company, c.tags, c.groups], [null, null, [], []]);
	const d = await get(t, c.id);
	assert.deepEqual([d.customFields, d.notes], [{}, null]);

	const out = await create(t, { name: 'Out', isOptedIn: false });
	const o = await get(t, out.id);
	assert.equal(o.isOptedIn, false);
	assert.equal(o.optInDate, null);
	assert.equal(o.optOutDate, o.createdAt);
});

test('a phone that exists in the account is 409; the same phone in another account is fine', async () => {
	const p = phone();
	await create(t, { phone: p });
	const r = await late('POST', C, t.key, { accountId: t.accountId, phone: p.replace('+1', '001 '), name: 'Dup' });
	assert.equal(fails(r, 409, 'conflict').error, 'Contact with this phone number already exists');
	assert.equal(r.headers['x-should-retry'], 'false');
	const other = tenant();
	assert.equal((await create(other, { phone: p })).phone, p);
});

test('get: a malformed id and an unknown id are 404', async () => {
	notFound(await late('GET', `${C}/not-a-uuid`, t.key));
	notFound(await late('GET', `${C}/${crypto.randomUUID()}`, t.key));
	notFound(await late('GET', `${C}/${'x'.repeat(300)}`, t.key));
});

test('update changes only the given fields; tags and groups replace; customFields merge', async () => {
	const c = await create(t, { name: 'Before', email: 'b@example.com', company: 'Old Co',
		tags: ['a', 'b'], groups: ['g1'], customFields: { plan: 'pro', remove_me: 'x', keep: 'k' } });
	const r = await late('PUT', `${C}/${c.id}`, t.key, {
		name: 'After', tags: ['vip', 'premium'], customFields: { plan: 'enterprise', remove_me: null },
	});
	const u = shape(ok(r).contact, UPDATED_KEYS);
	assert.equal(u.name, 'After');
	assert.equal(u.email, 'b@example.com');
	assert.equal(u.company, 'Old Co');
	assert.deepEqual(u.tags, ['vip', 'premium']);
	assert.deepEqual(u.groups, ['g1']);
	assert.deepEqual(u.customFields, { plan: 'enterprise', keep: 'k' });
	assert.ok(u.updatedAt > c.createdAt);
	const d = await get(t, c.id);
	assert.equal(d.updatedAt, u.updatedAt);
	assert.equal(d.phone, c.phone);

	// null clears what can be cleared
	const cleared = ok(await late('PUT', `${C}/${c.id}`, t.key, { email: null, company: null, notes: null,
		groups: [] })).contact;
	assert.deepEqual([cleared.email, cleared.company, cleared.notes, cleared.groups], [null, null, null, []]);
	// an empty body changes nothing, not even updatedAt
	const same = ok(await late('PUT', `${C}/${c.id}`, t.key, {})).contact;
	assert.equal(same.updatedAt, cleared.updatedAt);
	// the phone is not a field of PUT (seed 002): ignored
	const p = ok(await late('PUT', `${C}/${c.id}`, t.key, { phone: '+14155550000' })).contact;
	assert.equal(p.phone, c.phone);
});

test('a change of isOptedIn stamps optInDate / optOutDate; isBlocked', async () => {
	const c = await create(t, { name: 'Opt' });
	const d0 = await get(t, c.id);
	ok(await late('PUT', `${C}/${c.id}`, t.key, { isOptedIn: false, isBlocked: true }));
	const d1 = await get(t, c.id);
	assert.equal(d1.isOptedIn, false);
	assert.equal(d1.isBlocked, true);
	assert.equal(d1.optInDate, d0.optInDate);
	assert.match(d1.optOutDate, /Z$/);
	// setting the same value again stamps nothing
	ok(await late('PUT', `${C}/${c.id}`, t.key, { isOptedIn: false }));
	assert.equal((await get(t, c.id)).optOutDate, d1.optOutDate);
	ok(await late('PUT', `${C}/${c.id}`, t.key, { isOptedIn: true }));
	const d2 = await get(t, c.id);
	assert.ok(d2.optInDate > d0.optInDate);
	assert.equal(d2.optOutDate, d1.optOutDate);
});

test('update and delete of a missing contact are 404', async () => {
	notFound(await late('PUT', `${C}/${crypto.randomUUID()}`, t.key, { name: 'x' }));
	notFound(await late('PUT', `${C}/nope`, t.key, { name: 'x' }));
	notFound(await late('DELETE', `${C}/${crypto.randomUUID()}`, t.key));
	notFound(await late('DELETE', `${C}/nope`, t.key));
});

test('delete removes the contact, its counts and its labels', async () => {
	const c = await create(t, { name: 'Gone', tags: ['gone-tag'], groups: ['gone-group'] });
	const before = await list(t, { tag: 'gone-tag' });
	assert.equal(before.pagination.total, 1);
	const r = ok(await late('DELETE', `${C}/${c.id}`, t.key));
	assert.deepEqual(r, { success: true, message: 'Contact deleted successfully' });
	notFound(await late('GET', `${C}/${c.id}`, t.key));
	notFound(await late('DELETE', `${C}/${c.id}`, t.key));
	const after = await list(t, { tag: 'gone-tag' });
	assert.equal(after.pagination.total, 0);
	assert.ok(!after.filters.tags.includes('gone-tag'));
	assert.ok(!after.filters.groups.includes('gone-group'));
});

test('delete takes an empty body or JSON, refuses a body that is not JSON', async () => {
	const c = await create(t);
	fails(await late('DELETE', `${C}/${c.id}`, t.key, 'not json'), 400, 'invalid_request');
	ok(await late('DELETE', `${C}/${c.id}`, t.key, {}));
});

test('HEAD and other methods: 405 with Allow; unknown paths below /contacts are 404', async () => {
	const c = await create(t);
	const r = await late('PATCH', `${C}/${c.id}`, t.key, { name: 'x' });
	fails(r, 405, 'method_not_allowed');
	assert.match(r.headers.allow, /GET/);
	fails(await late('GET', `${C}/${c.id}/extra`, t.key), 404, 'not_found');
	fails(await late('GET', `${C}x`, t.key), 404, 'not_found');
	notFound(await late('GET', `${C}/bulk`, t.key));
});
