// Input rules of POST /contacts and PUT /contacts/{id}, one test per
// rule (docs/contacts.md, "Limits"): 400 validation_error with every
// problem in details.fields; nothing invalid is ever written.
import test from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { tenant } from './lib/harness.mjs';
import { C, create, fails, invalid, late, list, phone } from './lib/contacts.mjs';

const t = tenant();
const base = await create(t, { name: 'Base', tags: ['base'] });
const post = (body) => late('POST', C, t.key, { accountId: t.accountId, phone: phone(), name: 'N', ...body });
const put = (body) => late('PUT', `${C}/${base.id}`, t.key, body);

test('accountId, phone and name are required', async () => {
	const f = invalid(await late('POST', C, t.key, {}), ['accountId', 'phone', 'name']);
	assert.equal(f.phone, 'phone is required');
	invalid(await late('POST', C, t.key, { accountId: null, phone: null, name: null }),
		['accountId', 'phone', 'name']);
	invalid(await post({ accountId: '' }), ['accountId']);
	invalid(await post({ accountId: 42 }), ['accountId']);
});

test('phone must be E.164 once spaces, dots, dashes and parentheses are dropped', async () => {
	for (const bad of ['4155550100', '+0987654321', '+1 555', '+1234567890123456', 'abc',
		'+1-555-CALL-NOW', '+', '', '   ', '+1 415 555 0100 x12', '1'.repeat(40)]) {
		const f = invalid(await post({ phone: bad }), ['phone']);
		assert.ok(/E\.164|empty|at most/.test(f.phone), f.phone);
	}
	invalid(await post({ phone: 14155550100 }), ['phone']);
	for (const good of ['+44 20 7946 0958', '0049 30 1234567', '+1.415.555.0199']) {
		assert.equal((await post({ phone: good })).status, 200, good);
	}
});

test('name: non-empty, at most 255 characters (counted as characters)', async () => {
	invalid(await post({ name: '' }), ['name']);
	invalid(await post({ name: '   ' }), ['name']);
	invalid(await post({ name: 7 }), ['name']);
	invalid(await post({ name: 'x'.repeat(256) }), ['name']);
	assert.equal((await post({ name: 'é'.repeat(255) })).status, 200);
	invalid(await put({ name: '' }), ['name']);
	invalid(await put({ name: null }), ['name']);
});

test('email must be an address; company and notes are bounded strings', async () => {
	for (const bad of ['not-an-email', 'a@', '@b.com', 'a b@c.com']) {
		assert.equal(invalid(await post({ email: bad }), ['email']).email, 'email must be a valid email address');
	}
	invalid(await post({ email: `${'a'.repeat(250)}@x.com` }), ['email']);
	invalid(await post({ company: 'c'.repeat(256) }), ['company']);
	invalid(await post({ notes: 'n'.repeat(5001) }), ['notes']);
	invalid(await post({ company: ['x'] }), ['company']);
	invalid(await put({ email: 'nope' }), ['email']);
	assert.equal((await post({ notes: 'n'.repeat(5000) })).status, 200);
});

test('tags and groups: arrays of at most 50 non-blank strings of at most 100 characters', async () => {
	invalid(await post({ tags: 'vip' }), ['tags']);
	invalid(await post({ tags: [1] }), ['tags[0]']);
	invalid(await post({ tags: ['ok', ''] }), ['tags[1]']);
	invalid(await post({ groups: ['   '] }), ['groups[0]']);
	invalid(await post({ groups: ['a\tb'] }), ['groups[0]']);
	invalid(await post({ tags: ['x'.repeat(101)] }), ['tags[0]']);
	invalid(await post({ tags: Array.from({ length: 51 }, (_, i) => `t${i}`) }), ['tags']);
	invalid(await put({ tags: null }), ['tags']);
	invalid(await put({ groups: {} }), ['groups']);
	const ok50 = Array.from({ length: 50 }, (_, i) => `t${i}`);
	assert.equal((await post({ tags: ok50, groups: ['é'.repeat(100)] })).status, 200);
});

test('isOptedIn and isBlocked must be booleans', async () => {
	invalid(await post({ isOptedIn: 'true' }), ['isOptedIn']);
	invalid(await put({ isOptedIn: 1 }), ['isOptedIn']);
	invalid(await put({ isOptedIn: null }), ['isOptedIn']);
	invalid(await put({ isBlocked: 'yes' }), ['isBlocked']);
});

test('customFields: an object of at most 50 string values (null removes, on update only)', async () => {
	invalid(await post({ customFields: 'x' }), ['customFields']);
	invalid(await post({ customFields: [] }), ['customFields']);
	invalid(await post({ customFields: { n: 1 } }), ['customFields.n']);
	invalid(await post({ customFields: { n: null } }), ['customFields.n']);
	invalid(await post({ customFields: { n: { deep: 'x' } } }), ['customFields.n']);
	invalid(await post({ customFields: { v: 'x'.repeat(1001) } }), ['customFields.v']);
	invalid(await post({ customFields: { ['k'.repeat(101)]: 'v' } }), ['customFields']);
	invalid(await post({ customFields: { ' ': 'v' } }), ['customFields']);
	const many = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v']));
	invalid(await post({ customFields: many }), ['customFields']);
	invalid(await put({ customFields: { n: 2 } }), ['customFields.n']);
	invalid(await put({ customFields: null }), ['customFields']);

	// the merge may not grow past the limit: the update is refused whole
	const fifty = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, 'v']));
	assert.equal((await put({ customFields: fifty })).status, 200);
	invalid(await put({ customFields: { extra: 'x' }, name: 'Renamed' }), ['customFields']);
	const d = (await late('GET', `${C}/${base.id}`, t.key)).json.contact;
	assert.equal(d.name, 'Base');
	assert.equal(Object.keys(d.customFields).length, 50);
	assert.equal((await put({ customFields: { k0: null, extra: 'x' } })).status, 200);
});

test('every problem is listed at once, and the first names the error', async () => {
	const r = await late('POST', C, t.key, { accountId: t.accountId, phone: 'x', name: '', email: 'y',
		tags: [3], isOptedIn: 'no' });
	invalid(r, ['phone', 'name', 'email', 'tags[0]', 'isOptedIn']);
	assert.equal(r.json.error, 'Request validation failed: phone must be an E.164 phone number such as +14155550100');
});

test('a body that is not a JSON object is 400 invalid_request', async () => {
	for (const body of ['not json', '[1,2]', '"s"', '{"a":1} x', '{"a":"\\u0000"}']) {
		fails(await late('POST', C, t.key, body), 400, 'invalid_request');
		fails(await late('PUT', `${C}/${base.id}`, t.key, body), 400, 'invalid_request');
	}
});

test('a valid body with an accountId of nobody is 404, after validation', async () => {
	fails(await post({ accountId: crypto.randomUUID() }), 404, 'not_found', 'WhatsApp account not found');
	fails(await post({ accountId: 'abc' }), 404, 'not_found', 'WhatsApp account not found');
	invalid(await post({ accountId: 'abc', phone: 'bad' }), ['phone']);
});

test('nothing invalid was written', async () => {
	const all = await list(t, { limit: 100 });
	for (const c of all.contacts) {
		assert.ok(c.name.length > 0 && c.name.length <= 255);
		assert.match(c.phone, /^\+[1-9]\d{6,14}$/);
	}
	const d = (await late('GET', `${C}/${base.id}`, t.key)).json.contact;
	assert.deepEqual(d.tags, ['base']);
});
