// Idempotency-Key on the mutating profile operations (DESIGN.md): the
// same key and request replay the stored response; the same key with a
// different request is 422 IDEMPOTENCY_001; a duplicate that arrives
// while the first is still running is 409 IDEMPOTENCY_002; keys belong
// to one organization.
import test from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import crypto from 'node:crypto';
import { api, holdIdempotencyLock, tenant } from './lib/harness.mjs';
import { sentError, sentOk } from './lib/expect.mjs';
import { CARD, createProfile, listIds } from './lib/fixtures.mjs';

const a = tenant();
const b = tenant();
const ik = (label) => `${label}-${crypto.randomUUID()}`;
const withKey = (k, opts = {}) => ({ ...opts, headers: { ...(opts.headers || {}), 'idempotency-key': k } });

function replayOf(r, first) {
	assert.equal(r.status, first.status, r.text);
	assert.equal(r.headers['idempotent-replayed'], 'true');
	assert.equal(r.text, first.text);
	assert.equal(r.headers['content-type'], first.headers['content-type']);
}

test('POST repeated with the same key and body: 201 replayed byte for byte, one profile', async () => {
	const before = await listIds(a);
	const k = ik('create');
	const body = { name: 'Once only', short_name: 'ONCE' };
	const first = await api('POST', '/v3/profiles', a.key, withKey(k, { body }));
	const p = sentOk(first, 201);
	assert.equal(first.headers['idempotent-replayed'], undefined);
	for (let i = 0; i < 3; i++) {
		replayOf(await api('POST', '/v3/profiles', a.key, withKey(k, { body })), first);
	}
	assert.deepEqual(await listIds(a), [...before, p.id]);
});

test('same key, different body: 422 IDEMPOTENCY_001, nothing created', async () => {
	const k = ik('mismatch');
	sentOk(await api('POST', '/v3/profiles', a.key, withKey(k, { body: { name: 'First' } })), 201);
	const before = await listIds(a);
	const r = await api('POST', '/v3/profiles', a.key, withKey(k, { body: { name: 'Second' } }));
	const e = sentError(r, 422, 'IDEMPOTENCY_001');
	assert.equal(e.details, null);
	// also for another method or path under the same key
	const p = await createProfile(a, { name: 'other target' });
	sentError(await api('PATCH', `/v3/profiles/${p.id}`, a.key, withKey(k, { body: { name: 'First' } })), 422, 'IDEMPOTENCY_001');
	sentError(await api('DELETE', `/v3/profiles/${p.id}`, a.key, withKey(k)), 422, 'IDEMPOTENCY_001');
	assert.deepEqual(await listIds(a), [...before, p.id]);
});

test('PATCH replays its first response, even after the profile changed', async () => {
	const p = await createProfile(a, { name: 'patched once' });
	const k = ik('patch');
	const body = { description: 'first' };
	const first = await api('PATCH', `/v3/profiles/${p.id}`, a.key, withKey(k, { body }));
	assert.equal(sentOk(first).description, 'first');
	sentOk(await api('PATCH', `/v3/profiles/${p.id}`, a.key, { body: { description: 'second' } }));
	replayOf(await api('PATCH', `/v3/profiles/${p.id}`, a.key, withKey(k, { body })), first);
	// the replay did not apply the change again
	assert.equal(sentOk(await api('GET', `/v3/profiles/${p.id}`, a.key)).description, 'second');
});

test('DELETE replays 204 instead of answering 404', async () => {
	const p = await createProfile(a, { name: 'deleted once' });
	const k = ik('delete');
	const first = await api('DELETE', `/v3/profiles/${p.id}`, a.key, withKey(k, { body: {} }));
	assert.equal(first.status, 204, first.text);
	const again = await api('DELETE', `/v3/profiles/${p.id}`, a.key, withKey(k, { body: {} }));
	assert.equal(again.status, 204, again.text);
	assert.equal(again.headers['idempotent-replayed'], 'true');
	assert.equal(again.text, '');
	// without the key it is gone
	sentError(await api('DELETE', `/v3/profiles/${p.id}`, a.key, { body: {} }), 404, 'RESOURCE_014');
});

test('error responses under a key are replayed too, and write nothing', async () => {
	const before = await listIds(a);
	const k400 = ik('e400');
	const bad = { name: '', icon: 'nope' };
	const first = await api('POST', '/v3/profiles', a.key, withKey(k400, { body: bad }));
	sentError(first, 400, 'VALIDATION_001');
	const again = await api('POST', '/v3/profiles', a.key, withKey(k400, { body: bad }));
	replayOf(again, first);
	sentError(again, 400, 'VALIDATION_001');
	const k422 = ik('e422');
	const card = { name: 'card', payment_details: CARD };
	const f422 = await api('POST', '/v3/profiles', a.key, withKey(k422, { body: card }));
	sentError(f422, 422, 'BUSINESS_015');
	replayOf(await api('POST', '/v3/profiles', a.key, withKey(k422, { body: card })), f422);
	// a 404 too
	const k404 = ik('e404');
	const missing = `/v3/profiles/${crypto.randomUUID()}`;
	const f404 = await api('PATCH', missing, a.key, withKey(k404, { body: { name: 'x' } }));
	sentError(f404, 404, 'RESOURCE_014');
	replayOf(await api('PATCH', missing, a.key, withKey(k404, { body: { name: 'x' } })), f404);
	assert.deepEqual(await listIds(a), before);
});

test('a replayed 409 still says x-should-retry: false', async () => {
	const owner = await createProfile(a, { name: 'replayed conflict owner' });
	const user = await createProfile(a, { name: 'replayed conflict user' });
	sentOk(await api('PATCH', `/v3/profiles/${user.id}`, a.key, { body: { sending_whatsapp_number_profile_id: owner.id } }));
	const k = ik('e409');
	const first = await api('DELETE', `/v3/profiles/${owner.id}`, a.key, withKey(k));
	sentError(first, 409, 'CONFLICT_014');
	assert.equal(first.headers['x-should-retry'], 'false');
	const again = await api('DELETE', `/v3/profiles/${owner.id}`, a.key, withKey(k));
	replayOf(again, first);
	assert.equal(again.headers['x-should-retry'], 'false');
});

test('keys are per organization: org B may reuse A\'s key string', async () => {
	const k = ik('shared');
	const pa = sentOk(await api('POST', '/v3/profiles', a.key, withKey(k, { body: { name: 'A made' } })), 201);
	const rb = await api('POST', '/v3/profiles', b.key, withKey(k, { body: { name: 'B made' } }));
	const pb = sentOk(rb, 201);
	assert.equal(rb.headers['idempotent-replayed'], undefined);
	assert.notEqual(pa.id, pb.id);
	assert.equal(pb.organization_id, b.orgId);
	// even with the identical body, B does not get A's response
	const k2 = ik('shared-same');
	const ra = sentOk(await api('POST', '/v3/profiles', a.key, withKey(k2, { body: { name: 'same' } })), 201);
	const rb2 = sentOk(await api('POST', '/v3/profiles', b.key, withKey(k2, { body: { name: 'same' } })), 201);
	assert.notEqual(ra.id, rb2.id);
	assert.equal(rb2.organization_id, b.orgId);
});

test('an invalid Idempotency-Key: 400 VALIDATION_001, nothing created', async () => {
	const before = await listIds(a);
	for (const bad of ['x'.repeat(256), 'has space']) {
		const r = await api('POST', '/v3/profiles', a.key, withKey(bad, { body: { name: 'n' } }));
		const e = sentError(r, 400, 'VALIDATION_001');
		assert.deepEqual(Object.keys(e.details), ['Idempotency-Key']);
	}
	assert.deepEqual(await listIds(a), before);
});

test('a duplicate while the key is held: 409 IDEMPOTENCY_002 with x-should-retry: false', async () => {
	const k = ik('held');
	const body = { name: 'Held' };
	const before = await listIds(a);
	const lock = await holdIdempotencyLock(a.orgId, k);
	try {
		for (const m of ['POST', 'PATCH', 'DELETE']) {
			const path = m === 'POST' ? '/v3/profiles' : `/v3/profiles/${before[0]}`;
			const r = await api(m, path, a.key, withKey(k, { body }));
			const e = sentError(r, 409, 'IDEMPOTENCY_002');
			assert.equal(r.headers['x-should-retry'], 'false');
			assert.equal(e.details, null);
		}
	} finally {
		await lock.release();
	}
	assert.deepEqual(await listIds(a), before);
	// once released, the request runs
	const p = sentOk(await api('POST', '/v3/profiles', a.key, withKey(k, { body })), 201);
	assert.deepEqual(await listIds(a), [...before, p.id]);
});

test('ten identical requests at once: one profile; each answer a 201 or a 409', async () => {
	const o = tenant();
	const k = ik('race');
	const body = { name: 'Raced' };
	const rs = await Promise.all(Array.from({ length: 10 }, () => {
		// a connection each, so that they really are concurrent
		const agent = new https.Agent({ keepAlive: false });
		return api('POST', '/v3/profiles', o.key, withKey(k, { body, http1Agent: agent }));
	}));
	const created = rs.filter((r) => r.status === 201);
	const busy = rs.filter((r) => r.status === 409);
	assert.equal(created.length + busy.length, rs.length, rs.map((r) => r.status).join(','));
	assert.ok(created.length >= 1);
	for (const r of busy) {
		sentError(r, 409, 'IDEMPOTENCY_002');
		assert.equal(r.headers['x-should-retry'], 'false');
	}
	const ids = new Set(created.map((r) => sentOk(r, 201).id));
	assert.equal(ids.size, 1);
	// the ones after the first were replays of it
	assert.equal(created.filter((r) => r.headers['idempotent-replayed'] !== 'true').length, 1);
	assert.deepEqual(await listIds(o), [...ids]);
});

test('GET ignores Idempotency-Key', async () => {
	const k = ik('get');
	const first = sentOk(await api('GET', '/v3/profiles', a.key, withKey(k)));
	const p = await createProfile(a, { name: 'after the GET' });
	const r = await api('GET', '/v3/profiles', a.key, withKey(k));
	assert.equal(r.headers['idempotent-replayed'], undefined);
	assert.equal(sentOk(r).profiles.length, first.profiles.length + 1);
	assert.ok(sentOk(r).profiles.some((x) => x.id === p.id));
});
