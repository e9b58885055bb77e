// The official Sent SDK (@sentdm/sentdm, pinned in package.json) driven
// against wagate unchanged: profiles.list, create, retrieve, update,
// delete, and the error classes it raises for our statuses.
import test from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import Sent, {
	AuthenticationError, BadRequestError, ConflictError, NotFoundError,
	PermissionDeniedError, UnprocessableEntityError,
} from '@sentdm/sentdm';
import { BASE, key, tenant } from './lib/harness.mjs';
import { profileShape, TS } from './lib/expect.mjs';
import { BRAND, BRAND_OUT, CARD } from './lib/fixtures.mjs';

const t = tenant();
const client = (apiKey) => new Sent({ apiKey, baseURL: BASE, maxRetries: 0, timeout: 15000 });
const sent = client(t.key);

// The envelope every SDK method resolves to (nothing is unwrapped).
function envelope(r) {
	assert.equal(r.success, true);
	assert.equal(r.error, null);
	assert.equal(r.meta.version, 'v3');
	assert.match(r.meta.timestamp, TS);
	assert.match(r.meta.request_id, /^req_/);
	return r.data;
}

// The SDK error: class, status, and the Sent code in e.error (the body).
async function rejects(promise, Cls, status, code) {
	await assert.rejects(promise, (e) => {
		assert.ok(e instanceof Cls, `${e.constructor.name}: ${e.message}`);
		assert.equal(e.status, status);
		assert.equal(e.error.success, false);
		assert.equal(e.error.data, null);
		assert.equal(e.error.error.code, code);
		assert.equal(e.headers.get('content-type'), 'application/json');
		assert.ok(e.headers.get('x-request-id'));
		return true;
	});
}

test('profiles.list on a new organization: data.profiles is []', async () => {
	const r = await sent.profiles.list();
	assert.deepEqual(envelope(r), { profiles: [] });
});

test('create (brand in camelCase, Idempotency-Key), retrieve, list, update, delete', async () => {
	const idem = `sdk-${crypto.randomUUID()}`;
	const params = {
		name: 'SDK Sender', short_name: 'SDK', description: 'made by @sentdm/sentdm',
		icon: 'https://example.com/sdk.png', allow_contact_sharing: true,
		billing_model: 'profile', billing_contact: { email: 'billing@sdk.example', name: 'SDK Billing' },
		brand: BRAND, 'Idempotency-Key': idem,
	};
	const made = await sent.profiles.create(params).withResponse();
	assert.equal(made.response.status, 201);
	const p = profileShape(envelope(made.data));
	assert.equal(p.name, 'SDK Sender');
	assert.equal(p.organization_id, t.orgId);
	assert.equal(p.inherit_tcr_brand, false);
	assert.deepEqual(p.brand.contact, BRAND_OUT.contact);
	assert.deepEqual(p.brand.business, BRAND_OUT.business);
	assert.deepEqual(p.brand.compliance, BRAND_OUT.compliance);
	assert.deepEqual(p.billing_contact, { name: 'SDK Billing', email: 'billing@sdk.example', phone: null, address: null });

	// the same call again is a replay, not a second profile
	const again = await sent.profiles.create(params).withResponse();
	assert.equal(again.response.headers.get('idempotent-replayed'), 'true');
	assert.deepEqual(again.data, made.data);

	const got = await sent.profiles.retrieve(p.id);
	assert.deepEqual(envelope(got), p);
	const scoped = await sent.profiles.retrieve(p.id, { 'x-profile-id': p.id });
	assert.equal(envelope(scoped).id, p.id);

	const list = envelope(await sent.profiles.list());
	assert.deepEqual(list.profiles.map((x) => x.id), [p.id]);
	assert.deepEqual(envelope(await sent.profiles.list({ 'x-profile-id': p.id })).profiles.map((x) => x.id), [p.id]);

	const upd = envelope(await sent.profiles.update(p.id, {
		description: null, short_name: 'SDK TWO', inherit_contacts: false, 'Idempotency-Key': `${idem}-u`,
	}));
	assert.equal(upd.description, null);
	assert.equal(upd.short_name, 'SDK TWO');
	assert.equal(upd.inherit_contacts, false);
	assert.equal(upd.name, 'SDK Sender');

	// delete sends {} with Accept: */*; the SDK resolves with no value
	const del = await sent.profiles.delete(p.id, {}).withResponse();
	assert.equal(del.response.status, 204);
	assert.equal(del.data, null);
	await rejects(sent.profiles.retrieve(p.id), NotFoundError, 404, 'RESOURCE_014');
	assert.deepEqual(envelope(await sent.profiles.list()), { profiles: [] });
});

test('delete with sandbox: true keeps the profile', async () => {
	const p = envelope(await sent.profiles.create({ name: 'SDK sandbox' }));
	await sent.profiles.delete(p.id, { sandbox: true });
	assert.equal(envelope(await sent.profiles.retrieve(p.id)).id, p.id);
	await sent.profiles.delete(p.id, {});
});

test('AuthenticationError for a bad key (401)', async () => {
	await rejects(client('mk_live_nope').profiles.list(), AuthenticationError, 401, 'AUTH_002');
	const unknown = `mk_live_${'Z'.repeat(12)}.${'z'.repeat(t.key.length - 21)}`;
	await rejects(client(unknown).profiles.retrieve(crypto.randomUUID()), AuthenticationError, 401, 'AUTH_002');
});

test('NotFoundError for a missing profile (404), also for a malformed id', async () => {
	await rejects(sent.profiles.retrieve(crypto.randomUUID()), NotFoundError, 404, 'RESOURCE_014');
	await rejects(sent.profiles.retrieve('prof_123'), NotFoundError, 404, 'RESOURCE_014');
	await rejects(sent.profiles.update(crypto.randomUUID(), { name: 'x' }), NotFoundError, 404, 'RESOURCE_014');
	await rejects(sent.profiles.delete(crypto.randomUUID(), {}), NotFoundError, 404, 'RESOURCE_014');
	// another tenant's profile is just as missing
	const other = tenant();
	const theirs = envelope(await client(other.key).profiles.create({ name: 'not yours' }));
	await rejects(sent.profiles.retrieve(theirs.id), NotFoundError, 404, 'RESOURCE_014');
});

test('BadRequestError for validation problems (400) with details per field', async () => {
	await assert.rejects(sent.profiles.create({ short_name: '!', icon: 'nope' }), (e) => {
		assert.ok(e instanceof BadRequestError);
		assert.equal(e.status, 400);
		assert.equal(e.error.error.code, 'VALIDATION_001');
		assert.deepEqual(Object.keys(e.error.error.details).sort(), ['icon', 'name', 'short_name']);
		return true;
	});
	await rejects(sent.profiles.create({ name: 'x', inherit_tcr_brand: true, brand: BRAND }), BadRequestError, 400, 'VALIDATION_001');
	await rejects(sent.profiles.create({ name: 'x', billing_model: 'organization', payment_details: CARD }),
		BadRequestError, 400, 'VALIDATION_001');
});

test('UnprocessableEntityError for payment_details (422 BUSINESS_015) and no WhatsApp account (422 BUSINESS_014)', async () => {
	await rejects(sent.profiles.create({ name: 'card', payment_details: CARD }), UnprocessableEntityError, 422, 'BUSINESS_015');
	const bare = tenant({ account: false });
	await rejects(client(bare.key).profiles.create({ name: 'no waba' }), UnprocessableEntityError, 422, 'BUSINESS_014');
	// with direct credentials it works
	const own = envelope(await client(bare.key).profiles.create({
		name: 'own waba', whatsapp_business_account: { waba_id: '100200300', access_token: 'sdk-token', phone_number_id: '400500600' },
	}));
	assert.equal(own.waba_id, '100200300');
	assert.equal(own.status, 'approved');
});

test('PermissionDeniedError for a member key creating (403)', async () => {
	const member = client(key(t.orgId, { role: 'member' }).WA_API_KEY);
	assert.equal(envelope(await member.profiles.list()).profiles.length, envelope(await sent.profiles.list()).profiles.length);
	await rejects(member.profiles.create({ name: 'by member' }), PermissionDeniedError, 403, 'AUTH_004');
	const p = envelope(await sent.profiles.create({ name: 'member target' }));
	await rejects(member.profiles.update(p.id, { name: 'x' }), PermissionDeniedError, 403, 'AUTH_004');
	await rejects(member.profiles.delete(p.id, {}), PermissionDeniedError, 403, 'AUTH_004');
	await rejects(sent.profiles.retrieve(p.id, { 'x-profile-id': crypto.randomUUID() }), PermissionDeniedError, 403, 'AUTH_004');
});

test('ConflictError for a referenced profile (409), not retried even with retries on', async () => {
	const owner = envelope(await sent.profiles.create({ name: 'owner' }));
	const user = envelope(await sent.profiles.create({ name: 'user' }));
	await sent.profiles.update(user.id, { sending_whatsapp_number_profile_id: owner.id });
	const retrying = new Sent({ apiKey: t.key, baseURL: BASE, maxRetries: 2, timeout: 15000 });
	const started = Date.now();
	await assert.rejects(retrying.profiles.delete(owner.id, {}).withResponse(), (e) => {
		assert.ok(e instanceof ConflictError);
		assert.equal(e.status, 409);
		assert.equal(e.error.error.code, 'CONFLICT_014');
		assert.equal(e.headers.get('x-should-retry'), 'false');
		return true;
	});
	// a retried 409 would have waited at least 0.5 s + 1 s
	assert.ok(Date.now() - started < 1000, `took ${Date.now() - started} ms`);
});
