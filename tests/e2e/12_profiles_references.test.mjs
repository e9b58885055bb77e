// Rules between profiles: sending_*_profile_id names another live
// profile of the same organization; a referenced profile cannot be
// deleted (409); deleting a profile revokes the keys scoped to it.
import test from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { api, key, psql, tenant } from './lib/harness.mjs';
import { sentError, sentOk, sentValidation } from './lib/expect.mjs';
import { createProfile } from './lib/fixtures.mjs';

const a = tenant();
const b = tenant();

const patch = (t, id, body) => api('PATCH', `/v3/profiles/${id}`, t.key, { body });

test('sending_whatsapp_number_profile_id may name another profile of the organization', async () => {
	const owner = await createProfile(a, { name: 'number owner' });
	const user = await createProfile(a, { name: 'number user' });
	const p = sentOk(await patch(a, user.id, { sending_whatsapp_number_profile_id: owner.id }));
	assert.equal(p.sending_whatsapp_number_profile_id, owner.id);
	// null clears it
	const q = sentOk(await patch(a, user.id, { sending_whatsapp_number_profile_id: null }));
	assert.equal(q.sending_whatsapp_number_profile_id, null);
});

test('sending_whatsapp_number_profile_id naming a profile of another organization: 400', async () => {
	const theirs = await createProfile(b, { name: 'B profile' });
	const mine = await createProfile(a, { name: 'A profile' });
	const d = sentValidation(await patch(a, mine.id, { sending_whatsapp_number_profile_id: theirs.id }),
		['sending_whatsapp_number_profile_id']);
	assert.deepEqual(d.sending_whatsapp_number_profile_id,
		['sending_whatsapp_number_profile_id must name a profile of this organization']);
	sentValidation(await patch(a, mine.id, { sending_phone_number_profile_id: theirs.id }),
		['sending_phone_number_profile_id']);
	assert.equal(sentOk(await api('GET', `/v3/profiles/${mine.id}`, a.key)).sending_whatsapp_number_profile_id, null);
});

test('sending_*_profile_id naming itself, a missing, a deleted or a malformed profile: 400', async () => {
	const mine = await createProfile(a, { name: 'self ref' });
	sentValidation(await patch(a, mine.id, { sending_whatsapp_number_profile_id: mine.id }),
		['sending_whatsapp_number_profile_id']);
	sentValidation(await patch(a, mine.id, { sending_whatsapp_number_profile_id: crypto.randomUUID() }),
		['sending_whatsapp_number_profile_id']);
	const gone = await createProfile(a, { name: 'gone' });
	assert.equal((await api('DELETE', `/v3/profiles/${gone.id}`, a.key)).status, 204);
	sentValidation(await patch(a, mine.id, { sending_whatsapp_number_profile_id: gone.id }),
		['sending_whatsapp_number_profile_id']);
	const d = sentValidation(await patch(a, mine.id, { sending_phone_number_profile_id: 'not-a-uuid' }),
		['sending_phone_number_profile_id']);
	assert.deepEqual(d.sending_phone_number_profile_id, ['sending_phone_number_profile_id must be a UUID']);
});

test('deleting a profile another one sends through: 409 with x-should-retry: false', async () => {
	const owner = await createProfile(a, { name: 'referenced' });
	const user = await createProfile(a, { name: 'referrer' });
	sentOk(await patch(a, user.id, { sending_whatsapp_number_profile_id: owner.id }));
	for (const body of [undefined, {}]) {
		const r = await api('DELETE', `/v3/profiles/${owner.id}`, a.key, { body });
		const e = sentError(r, 409, 'CONFLICT_014');
		assert.equal(r.headers['x-should-retry'], 'false');
		assert.ok(e.message.includes(user.id), e.message);
	}
	// still there
	sentOk(await api('GET', `/v3/profiles/${owner.id}`, a.key));
	// once the reference is cleared, the delete goes through
	sentOk(await patch(a, user.id, { sending_whatsapp_number_profile_id: null }));
	assert.equal((await api('DELETE', `/v3/profiles/${owner.id}`, a.key)).status, 204);
});

test('sending_phone_number_profile_id also blocks the delete', async () => {
	const owner = await createProfile(a, { name: 'sms owner' });
	const user = await createProfile(a, { name: 'sms user' });
	sentOk(await patch(a, user.id, { sending_phone_number_profile_id: owner.id }));
	const r = await api('DELETE', `/v3/profiles/${owner.id}`, a.key, { body: {} });
	sentError(r, 409, 'CONFLICT_014');
	assert.equal(r.headers['x-should-retry'], 'false');
	// the referrer itself can go
	assert.equal((await api('DELETE', `/v3/profiles/${user.id}`, a.key)).status, 204);
	assert.equal((await api('DELETE', `/v3/profiles/${owner.id}`, a.key)).status, 204);
});

test('deleting a profile revokes its profile-scoped keys', async () => {
	const p = await createProfile(a, { name: 'scoped' });
	const scoped = key(a.orgId, { profile: p.id });
	const member = key(a.orgId, { profile: p.id, role: 'member' });
	for (const k of [scoped, member]) {
		const l = sentOk(await api('GET', '/v3/profiles', k.WA_API_KEY));
		assert.deepEqual(l.profiles.map((x) => x.id), [p.id]);
	}
	assert.equal((await api('DELETE', `/v3/profiles/${p.id}`, a.key)).status, 204);
	for (const k of [scoped, member]) {
		sentError(await api('GET', '/v3/profiles', k.WA_API_KEY), 401, 'AUTH_002');
		sentError(await api('GET', `/v3/profiles/${p.id}`, k.WA_API_KEY), 401, 'AUTH_002');
	}
	// both are marked revoked; the organization's key still works
	assert.equal(psql(`SELECT count(*) FILTER (WHERE revoked_at IS NULL) || '/' || count(*)
		FROM wa.api_keys WHERE profile_id = '${p.id}'`, { as: 'super' }), '0/2');
	sentOk(await api('GET', '/v3/profiles', a.key));
});

test('a profile-scoped key may delete its own profile, and is revoked with it', async () => {
	const p = await createProfile(a, { name: 'self delete' });
	const scoped = key(a.orgId, { profile: p.id }).WA_API_KEY;
	const r = await api('DELETE', `/v3/profiles/${p.id}`, scoped, { body: {} });
	assert.equal(r.status, 204, r.text);
	sentError(await api('GET', '/v3/profiles', scoped), 401, 'AUTH_002');
	sentError(await api('GET', `/v3/profiles/${p.id}`, a.key), 404, 'RESOURCE_014');
});
