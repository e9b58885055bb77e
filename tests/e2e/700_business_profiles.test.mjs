// Business profiles on both faces (docs/profiles.md, "Business
// profiles"): Mosend's GET/PUT .../phone-numbers/{phoneId}/profile and
// Late's GET/POST /v1/whatsapp/business-profile, through nginx, with
// the latest Late SDK and raw HTTP.  Meta (the simulator) is the source
// of truth: reads come from it, writes reach it first, and wagate's
// copy answers, flagged stale, only when Meta cannot be reached.
import test from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { ValidationError, ZernioApiError } from '@getlatedev/node';
import { api, psql, request } from './lib/harness.mjs';
import { lateError, mosendError, TS } from './lib/expect.mjs';
import { control, faults, late, metaTenant } from './lib/meta.mjs';

const t = await metaTenant();
const other = await metaTenant();
const P = (x = t, id = x.accountId) => `/organizations/${x.orgId}/phone-numbers/${id}/profile`;
const L = '/v1/whatsapp/business-profile';
const simProfile = async (x = t) => (await control('GET', `/_sim/phones/${x.phoneNumberId}`)).profile;
const copyOf = (x = t) => psql(`SELECT profile::text FROM wa.business_profiles WHERE account_id = '${x.accountId}'`,
	{ as: 'super' }).trim();

test.afterEach(async () => { await faults(); });

test('Mosend GET: Meta\'s profile in Mosend\'s envelope, camelCase, and the copy refreshed', async () => {
	const r = await api('GET', P(), t.key);
	assert.equal(r.status, 200, r.text);
	assert.match(r.json.timestamp, TS);
	const d = r.json.data;
	assert.equal(d.id, t.accountId);
	assert.equal(d.phoneNumberId, t.phoneNumberId);
	assert.equal(d.displayPhoneNumber, t.display);
	assert.equal(d.stale, false);
	assert.match(d.syncedAt, TS);
	const sim = await simProfile();
	assert.equal(d.about, sim.about);
	for (const k of Object.keys(d)) assert.ok(!k.includes('_'), `camelCase: ${k}`);
	assert.equal(JSON.parse(copyOf()).about, sim.about);
});

test('Mosend PUT: every field reaches Meta first; the answer is Meta\'s profile read back', async () => {
	const body = { about: 'Succulent specialists 🌵', address: '1 Hacker Way, Menlo Park', description: 'We grow plants.',
		email: 'hello@example.com', websites: ['https://example.com', 'http://shop.example.com/x'], vertical: 'RETAIL' };
	const r = await api('PUT', P(), t.key, { body });
	assert.equal(r.status, 200, r.text);
	for (const [k, v] of Object.entries(body)) assert.deepEqual(r.json.data[k], v, k);
	const sim = await simProfile();
	for (const [k, v] of Object.entries(body)) assert.deepEqual(sim[k], v, k);
	// partial: only what is sent changes; "" clears the vertical
	const r2 = await api('PUT', P(), t.key, { body: { description: 'Only this.', vertical: '' } });
	assert.equal(r2.json.data.description, 'Only this.');
	assert.equal(r2.json.data.about, body.about);
	assert.equal(r2.json.data.vertical, undefined);
	assert.equal((await simProfile()).vertical, undefined);
});

test('Mosend PUT validation: Meta\'s rules, 400, and Meta untouched', async () => {
	const before = await simProfile();
	const cases = [
		[{ about: 'a'.repeat(140) }, /about/],
		[{ about: '' }, /about/],
		[{ description: 'd'.repeat(513) }, /description/],
		[{ address: 'x'.repeat(257) }, /address/],
		[{ email: 'not-an-email' }, /email/],
		[{ websites: ['https://a.example', 'https://b.example', 'https://c.example'] }, /websites/],
		[{ websites: ['ftp://a.example'] }, /websites/],
		[{ vertical: 'SPACESHIPS' }, /vertical/],
		[{ about: 12 }, /about/],
		[{ name: 'New Name' }, /display name/],
		[{ profilePictureHandle: '' }, /profilePictureHandle/],
	];
	for (const [body, re] of cases) {
		const e = mosendError(await api('PUT', P(), t.key, { body }), 400, 'Bad Request', P());
		assert.match(JSON.stringify(e.message), re, JSON.stringify(body));
	}
	assert.deepEqual(await simProfile(), before);
	// 139 characters (not bytes) is fine
	assert.equal((await api('PUT', P(), t.key, { body: { about: 'é'.repeat(139) } })).status, 200);
});

test('Mosend: 401 without a key, 403 for a member\'s PUT, 404 for another tenant\'s number or a bad id', async () => {
	mosendError(await request('GET', P()), 401, 'Unauthorized', P());
	assert.equal((await api('GET', P(), t.memberKey)).status, 200);
	mosendError(await api('PUT', P(), t.memberKey, { body: { about: 'x' } }), 403, 'Forbidden', P());
	for (const id of [other.accountId, crypto.randomUUID(), 'nope']) {
		const e = mosendError(await api('GET', P(t, id), t.key), 404, 'Not Found', P(t, id));
		assert.equal(e.message, 'WhatsApp account not found');
		mosendError(await api('PUT', P(t, id), t.key, { body: { about: 'x' } }), 404, 'Not Found', P(t, id));
	}
	// another organization in the path: the key's scope
	assert.equal((await api('GET', P(other), t.key)).status, 403);
});

test('Late SDK: getWhatsAppBusinessProfile and updateWhatsAppBusinessProfile', async () => {
	const sdk = late(t.key).whatsapp;
	const u = await sdk.updateWhatsAppBusinessProfile({ body: { accountId: t.accountId, about: 'From the SDK',
		websites: ['https://sdk.example'], vertical: 'EDU', email: 'sdk@example.com' } });
	assert.equal(u.response.status, 200);
	assert.deepEqual(u.data, { success: true, message: 'Business profile updated successfully' });
	const g = await sdk.getWhatsAppBusinessProfile({ query: { accountId: t.accountId } });
	assert.equal(g.response.status, 200);
	assert.equal(g.data.success, true);
	const bp = g.data.businessProfile;
	assert.equal(bp.about, 'From the SDK');
	assert.deepEqual(bp.websites, ['https://sdk.example']);
	assert.equal(bp.vertical, 'EDU');
	assert.equal(bp.email, 'sdk@example.com');
	for (const k of Object.keys(bp)) assert.ok(['about', 'address', 'description', 'email', 'profilePictureUrl',
		'websites', 'vertical'].includes(k), k);
	await assert.rejects(sdk.updateWhatsAppBusinessProfile({ body: { accountId: t.accountId, about: 'a'.repeat(140) } }),
		(e) => e instanceof ValidationError && e.statusCode === 400);
	await assert.rejects(sdk.getWhatsAppBusinessProfile({ query: { accountId: other.accountId } }),
		(e) => e instanceof ZernioApiError && e.statusCode === 404);
});

test('Late raw: accountId required (400), not found (404), each rule (400), 401', async () => {
	lateError(await api('GET', L, t.key), 400, 'validation_error');
	const e = lateError(await api('GET', `${L}?accountId=${other.accountId}`, t.key), 404, 'not_found');
	assert.equal(e.error, 'WhatsApp account not found');
	lateError(await api('POST', L, t.key, { body: { about: 'x' } }), 400, 'validation_error');
	for (const body of [{ description: 'd'.repeat(513) }, { websites: ['a', 'b', 'c'] }, { email: 'x@' },
		{ vertical: 'nope' }, { websites: 'https://x.example' }]) {
		lateError(await api('POST', L, t.key, { body: { accountId: t.accountId, ...body } }), 400, 'validation_error');
	}
	lateError(await request('GET', `${L}?accountId=${t.accountId}`), 401, 'unauthorized');
	lateError(await api('POST', L, t.memberKey, { body: { accountId: t.accountId, about: 'x' } }), 403, 'forbidden');
	// a profile update with nothing to change is a read of Meta's
	assert.equal((await api('POST', L, t.key, { body: { accountId: t.accountId } })).status, 200);
});

test('Meta unreachable: the copy, flagged stale; a new number without a copy gets the error', async () => {
	await api('GET', P(), t.key);
	await faults({ path: '/*/whatsapp_business_profile', status: 500, code: 131000, count: -1 });
	const r = await api('GET', P(), t.key);
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.data.stale, true);
	assert.equal(r.json.data.about, (await simProfile()).about);
	const l = await api('GET', `${L}?accountId=${t.accountId}`, t.key);
	assert.equal(l.status, 200);
	assert.equal(l.json.stale, true);
	const fresh = await metaTenant();
	lateError(await api('GET', `${L}?accountId=${fresh.accountId}`, fresh.key), 503, 'meta_unavailable');
	// writes are never served from the copy
	lateError(await api('POST', L, t.key, { body: { accountId: t.accountId, about: 'x' } }), 503, 'meta_unavailable');
	await faults({ path: '/*/whatsapp_business_profile', drop: true, count: -1 });
	assert.equal((await api('GET', P(), t.key)).json.data.stale, true);
	// a timeout (the e2e stack waits 3 s for Meta): the copy on a read,
	// 504 on a write
	await faults({ path: '/*/whatsapp_business_profile', timeout: true, latency_ms: 6000, count: -1 });
	assert.equal((await api('GET', P(), t.key)).json.data.stale, true);
	lateError(await api('POST', L, t.key, { body: { accountId: t.accountId, about: 'x' } }), 504, 'upstream_timeout');
	await faults();
	assert.equal((await api('GET', P(), t.key)).json.data.stale, false);
});

test('Meta\'s refusals: an expired token 422, Meta\'s own validation 400, each with Meta\'s code', async () => {
	await control('POST', '/_sim/tokens', { token: t.token, state: 'expired' });
	try {
		const e = lateError(await api('GET', `${L}?accountId=${t.accountId}`, t.key), 422, 'meta_auth_error');
		assert.equal(e.details.meta.code, 190);
		const m = await api('PUT', P(), t.key, { body: { about: 'x' } });
		assert.equal(m.status, 422, m.text);
		assert.equal(m.json.details.meta.code, 190);
	} finally {
		await control('POST', '/_sim/tokens', { token: t.token, state: 'valid' });
	}
	// a handle Meta never gave: Meta's 100, a 400 that names it
	const e = lateError(await api('POST', L, t.key, { body: { accountId: t.accountId, profilePictureHandle: 'forged' } }),
		400, 'meta_invalid_request');
	assert.equal(e.details.meta.code, 100);
});
