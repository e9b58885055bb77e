// API keys on /v3/profiles: missing, malformed, unknown, revoked; the
// two ways to present one; roles; test-mode keys.
import test from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { admin, api, key, request, tenant } from './lib/harness.mjs';
import { sentError, sentOk } from './lib/expect.mjs';
import { createProfile, listIds } from './lib/fixtures.mjs';

const t = tenant();
const p = await createProfile(t, { name: 'Auth target' });
const ID = crypto.randomUUID();

// Every operation, as [method, path, body].
const OPS = [
	['GET', '/v3/profiles'],
	['POST', '/v3/profiles', { name: 'x' }],
	['GET', `/v3/profiles/${p.id}`],
	['PATCH', `/v3/profiles/${p.id}`, { name: 'x' }],
	['DELETE', `/v3/profiles/${p.id}`, {}],
];

test('no key: 401 AUTH_001 on every operation', async () => {
	for (const [m, path, body] of OPS) {
		const e = sentError(await request(m, path, { body }), 401, 'AUTH_001');
		assert.equal(e.details, null);
	}
	// empty values count as no key
	sentError(await request('GET', '/v3/profiles', { headers: { 'x-api-key': '' } }), 401, 'AUTH_001');
	sentError(await request('GET', '/v3/profiles', { headers: { authorization: 'Bearer ' } }), 401, 'AUTH_001');
	sentError(await request('GET', '/v3/profiles', { headers: { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` } }), 401, 'AUTH_001');
});

test('malformed key: 401 AUTH_002', async () => {
	const good = t.key;
	for (const bad of [
		'abc',
		'sk_test_local123',
		good.replace('mk_live_', 'mk_prod_'),
		good.slice(0, -1),
		`${good}x`,
		good.replace('.', '_'),
		`${good.slice(0, 12)}!${good.slice(13)}`,
		`mk_live_${'a'.repeat(12)}.${'é'.repeat(20)}`,
		'mk_live_' + 'a'.repeat(4000),
	]) {
		sentError(await api('GET', '/v3/profiles', bad), 401, 'AUTH_002');
	}
});

test('unknown but well-formed key: 401 AUTH_002, for every operation', async () => {
	const unknown = `mk_live_${'A1b2C3d4E5f6'}.${'x'.repeat(t.key.length - 21)}`;
	assert.equal(unknown.length, t.key.length);
	for (const [m, path, body] of OPS) {
		sentError(await api(m, path, unknown, { body }), 401, 'AUTH_002');
	}
	// a known prefix with the wrong secret
	const [prefix, secret] = t.key.split('.');
	const wrong = `${prefix}.${secret.slice(0, -1)}${secret.endsWith('a') ? 'b' : 'a'}`;
	sentError(await api('GET', '/v3/profiles', wrong), 401, 'AUTH_002');
	// the same key in the other mode
	sentError(await api('GET', '/v3/profiles', t.key.replace('mk_live_', 'mk_test_')), 401, 'AUTH_002');
	// nothing was changed by any of these
	sentOk(await api('GET', `/v3/profiles/${p.id}`, t.key));
});

test('revoked key (wa-admin key revoke PREFIX): 401 AUTH_002', async () => {
	const k = key(t.orgId);
	sentOk(await api('GET', '/v3/profiles', k.WA_API_KEY));
	admin('key', 'revoke', k.WA_KEY_PREFIX);
	const e = sentError(await api('GET', '/v3/profiles', k.WA_API_KEY), 401, 'AUTH_002');
	assert.equal(e.message, 'Invalid or revoked API key');
	sentError(await api('POST', '/v3/profiles', k.WA_API_KEY, { body: { name: 'x' } }), 401, 'AUTH_002');
	// other keys of the organization still work
	sentOk(await api('GET', '/v3/profiles', t.key));
});

test('Authorization: Bearer is accepted as well as x-api-key', async () => {
	for (const scheme of ['Bearer', 'bearer']) {
		const r = await request('GET', '/v3/profiles', { headers: { authorization: `${scheme} ${t.key}` } });
		assert.ok(sentOk(r).profiles.some((x) => x.id === p.id));
	}
	const made = await request('POST', '/v3/profiles', { headers: { authorization: `Bearer ${t.key}` }, body: { name: 'via bearer' } });
	assert.equal(sentOk(made, 201).name, 'via bearer');
	sentError(await request('GET', '/v3/profiles', { headers: { authorization: 'Bearer mk_live_nope' } }), 401, 'AUTH_002');
});

test('a member key can list and get, but not create, update or delete: 403 AUTH_004', async () => {
	const member = key(t.orgId, { role: 'member' }).WA_API_KEY;
	const before = await listIds(t);
	assert.deepEqual(await listIds(t, member), before);
	assert.equal(sentOk(await api('GET', `/v3/profiles/${p.id}`, member)).id, p.id);
	const e = sentError(await api('POST', '/v3/profiles', member, { body: { name: 'by member' } }), 403, 'AUTH_004');
	assert.match(e.message, /admin/);
	sentError(await api('PATCH', `/v3/profiles/${p.id}`, member, { body: { name: 'by member' } }), 403, 'AUTH_004');
	sentError(await api('DELETE', `/v3/profiles/${p.id}`, member, { body: {} }), 403, 'AUTH_004');
	// the role is checked before the resource: no existence oracle
	sentError(await api('DELETE', `/v3/profiles/${ID}`, member), 403, 'AUTH_004');
	assert.deepEqual(await listIds(t), before);
	assert.equal(sentOk(await api('GET', `/v3/profiles/${p.id}`, t.key)).name, 'Auth target');
});

test('mk_test_ keys work', async () => {
	const k = key(t.orgId, { test: true }).WA_API_KEY;
	assert.match(k, /^mk_test_[A-Za-z0-9]{12}\.[A-Za-z0-9]+$/);
	assert.ok((await listIds(t, k)).includes(p.id));
	const made = sentOk(await api('POST', '/v3/profiles', k, { body: { name: 'made by test key' } }), 201);
	assert.equal(made.organization_id, t.orgId);
	// a test key is not also a live key
	sentError(await api('GET', '/v3/profiles', k.replace('mk_test_', 'mk_live_')), 401, 'AUTH_002');
});

test('x-api-key wins over a wrong Authorization header', async () => {
	const r = await request('GET', '/v3/profiles', { headers: { 'x-api-key': t.key, authorization: 'Bearer junk' } });
	sentOk(r);
});
