// Tenancy and profile scope: another organization's ids are simply not
// found, malformed ids too; x-profile-id narrows an organization key to
// one of its own profiles; a profile-scoped key cannot widen itself.
import test from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { api, key, tenant } from './lib/harness.mjs';
import { mosendError, sentError, sentOk } from './lib/expect.mjs';
import { BRAND, createProfile, listIds } from './lib/fixtures.mjs';

const a = tenant();
const b = tenant();
const a1 = await createProfile(a, { name: 'A one' });
const a2 = await createProfile(a, { name: 'A two' });
const b1 = await createProfile(b, { name: 'B one', description: 'belongs to B', brand: BRAND });

const get = (k, id, headers = {}) => api('GET', `/v3/profiles/${id}`, k, { headers });

test("org A's key on org B's profile: 404 RESOURCE_014 for GET, PATCH and DELETE; B's profile unchanged", async () => {
	const before = sentOk(await get(b.key, b1.id));
	sentError(await get(a.key, b1.id), 404, 'RESOURCE_014');
	sentError(await api('PATCH', `/v3/profiles/${b1.id}`, a.key, { body: { name: 'hijacked', description: null } }), 404, 'RESOURCE_014');
	sentError(await api('PATCH', `/v3/profiles/${b1.id}`, a.key, { body: { name: 'hijacked', sandbox: true } }), 404, 'RESOURCE_014');
	sentError(await api('DELETE', `/v3/profiles/${b1.id}`, a.key), 404, 'RESOURCE_014');
	sentError(await api('DELETE', `/v3/profiles/${b1.id}`, a.key, { body: {} }), 404, 'RESOURCE_014');
	assert.deepEqual(sentOk(await get(b.key, b1.id)), before);
	assert.ok(!(await listIds(a)).includes(b1.id));
	assert.deepEqual(await listIds(b), [b1.id]);
});

test('the 404 for another tenant is the 404 for an id that never existed', async () => {
	const theirs = await get(a.key, b1.id);
	const nobody = await get(a.key, crypto.randomUUID());
	assert.equal(theirs.status, nobody.status);
	assert.deepEqual(theirs.json.error, nobody.json.error);
});

test('malformed profile ids: 404 RESOURCE_014, never 400 or 500', async () => {
	for (const bad of [
		'zzz', '123', `${a1.id}x`, a1.id.slice(0, -1), a1.id.replace(/-/g, ''),
		`{${a1.id}}`, "1' OR '1'='1", '%2F', 'a%20b', 'null', 'x'.repeat(2000),
		encodeURIComponent('é'.repeat(20)),
	]) {
		sentError(await get(a.key, bad), 404, 'RESOURCE_014');
		sentError(await api('PATCH', `/v3/profiles/${bad}`, a.key, { body: { name: 'x' } }), 404, 'RESOURCE_014');
		sentError(await api('DELETE', `/v3/profiles/${bad}`, a.key), 404, 'RESOURCE_014');
	}
});

test('an id that is not UTF-8 once decoded: 400 VALIDATION_002, like any such path', async () => {
	for (const bad of ['%ff%fe', '%C0%AF', `${a1.id}%80`]) {
		const e = sentError(await get(a.key, bad), 400, 'VALIDATION_002');
		assert.equal(e.details, null);
		sentError(await api('DELETE', `/v3/profiles/${bad}`, a.key), 400, 'VALIDATION_002');
	}
	assert.equal(sentOk(await get(a.key, a1.id)).id, a1.id);
});

test('a path nginx cannot parse (bare %, %00): 400 JSON in the envelope of the request line\'s face', async () => {
	// nginx refuses these while reading the request line, before it has
	// a URI; the face is read from the request line itself (issue 11
	// item 5), so /v3/profiles/% answers in Sent's envelope.
	for (const bad of ['%', '%00', '%zz']) {
		const r = await get(a.key, bad);
		sentError(r, 400, 'VALIDATION_002');
	}
});

test("x-profile-id naming another organization's profile: 403 AUTH_004", async () => {
	for (const [m, path, body] of [
		['GET', '/v3/profiles'], ['GET', `/v3/profiles/${a1.id}`],
		['POST', '/v3/profiles', { name: 'x' }], ['PATCH', `/v3/profiles/${a1.id}`, { name: 'x' }],
		['DELETE', `/v3/profiles/${a1.id}`, {}],
	]) {
		sentError(await api(m, path, a.key, { body, headers: { 'x-profile-id': b1.id } }), 403, 'AUTH_004');
	}
	assert.deepEqual(sentOk(await get(a.key, a1.id)), a1);
});

test('x-profile-id that is malformed, unknown or deleted: 403 AUTH_004', async () => {
	const gone = await createProfile(a, { name: 'gone' });
	assert.equal((await api('DELETE', `/v3/profiles/${gone.id}`, a.key)).status, 204);
	for (const bad of ['zzz', `${a1.id}0`, 'child-uuid-1', crypto.randomUUID(), gone.id]) {
		sentError(await api('GET', '/v3/profiles', a.key, { headers: { 'x-profile-id': bad } }), 403, 'AUTH_004');
	}
});

test('a valid x-profile-id on an organization key scopes the request to that profile', async () => {
	const h = { 'x-profile-id': a1.id };
	assert.deepEqual(await listIds(a, a.key, h), [a1.id]);
	assert.equal(sentOk(await get(a.key, a1.id, h)).id, a1.id);
	sentError(await get(a.key, a2.id, h), 404, 'RESOURCE_014');
	sentError(await api('PATCH', `/v3/profiles/${a2.id}`, a.key, { headers: h, body: { name: 'x' } }), 404, 'RESOURCE_014');
	sentError(await api('DELETE', `/v3/profiles/${a2.id}`, a.key, { headers: h }), 404, 'RESOURCE_014');
	const upd = sentOk(await api('PATCH', `/v3/profiles/${a1.id}`, a.key, { headers: h, body: { description: 'scoped' } }));
	assert.equal(upd.description, 'scoped');
	assert.equal(sentOk(await get(a.key, a2.id)).name, 'A two');
	// an uppercase header value names the same profile
	assert.deepEqual(await listIds(a, a.key, { 'x-profile-id': a1.id.toUpperCase() }), [a1.id]);
});

test('create with a profile scope: 403 AUTH_004', async () => {
	const before = await listIds(a);
	sentError(await api('POST', '/v3/profiles', a.key, { headers: { 'x-profile-id': a1.id }, body: { name: 'child' } }), 403, 'AUTH_004');
	const scoped = key(a.orgId, { profile: a1.id }).WA_API_KEY;
	sentError(await api('POST', '/v3/profiles', scoped, { body: { name: 'child' } }), 403, 'AUTH_004');
	assert.deepEqual(await listIds(a), before);
});

test('a profile-scoped key sees only its profile; naming another in x-profile-id: 403', async () => {
	const scoped = key(a.orgId, { profile: a1.id }).WA_API_KEY;
	assert.deepEqual(await listIds(a, scoped), [a1.id]);
	assert.equal(sentOk(await get(scoped, a1.id)).id, a1.id);
	sentError(await get(scoped, a2.id), 404, 'RESOURCE_014');
	sentError(await get(scoped, b1.id), 404, 'RESOURCE_014');
	sentError(await api('DELETE', `/v3/profiles/${a2.id}`, scoped), 404, 'RESOURCE_014');
	// its own profile in x-profile-id is fine; any other is refused
	assert.deepEqual(await listIds(a, scoped, { 'x-profile-id': a1.id }), [a1.id]);
	for (const other of [a2.id, b1.id, crypto.randomUUID()]) {
		sentError(await api('GET', '/v3/profiles', scoped, { headers: { 'x-profile-id': other } }), 403, 'AUTH_004');
		sentError(await get(scoped, other, { 'x-profile-id': other }), 403, 'AUTH_004');
	}
	assert.equal(sentOk(await get(a.key, a2.id)).name, 'A two');
});

test("org B's key is not hurt by org A's traffic", async () => {
	assert.deepEqual(await listIds(b), [b1.id]);
	const p = sentOk(await get(b.key, b1.id));
	assert.equal(p.description, 'belongs to B');
	assert.equal(p.organization_id, b.orgId);
});
