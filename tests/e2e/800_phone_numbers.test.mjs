// Phone numbers, the first part of issue 16 (docs/phone-numbers.md):
// the plan an organization needs (wa-admin org plan), the list and one
// number (Late's shapes: no `success` key), and the carrier's numbers
// available to buy, searched at the sandbox's Telnyx through lib/telnyx
// (each filter, the limit, what the query refuses, the carrier down);
// with the latest Late SDK and raw HTTP.
import test from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { ZernioApiError } from '@getlatedev/node';
import { admin, api, psql, tenant } from './lib/harness.mjs';
import { lateError } from './lib/expect.mjs';
import { faults, late, received } from './lib/meta.mjs';

const P = '/v1/whatsapp/phone-numbers';
const paid = tenant({ account: false });
admin('org', 'plan', '--org', paid.orgId, '--plan', 'paid', '--numbers', '3');
const free = tenant({ account: false });

test('a paid plan searches the carrier: each filter, the limit, Late\'s shape', async () => {
	const r = await api('GET', `${P}/available?prefix=212&limit=5`, paid.key);
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.success, undefined);
	assert.equal(r.json.country, 'US');
	assert.equal(r.json.numbers.length, 5);
	for (const n of r.json.numbers) {
		assert.match(n.phoneNumber, /^\+1212\d{7}$/);
		assert.deepEqual(Object.keys(n).sort(), ['bestEffort', 'currency', 'features', 'locality', 'monthlyCost',
			'phoneNumber', 'region', 'upfrontCost']);
		assert.equal(n.region, 'NY');
		assert.ok(n.features.includes('sms'));
	}
	// the carrier was asked with Telnyx's own filters
	const asked = (await received('/telnyx/v2/available_phone_numbers')).at(-1);
	assert.match(decodeURIComponent(asked.path + (asked.query ? `?${asked.query}` : '')),
		/filter\[national_destination_code\]=212/);
	const city = await api('GET', `${P}/available?locality=${encodeURIComponent('san francisco')}&limit=3`, paid.key);
	assert.equal(city.status, 200, city.text);
	assert.ok(city.json.numbers.length > 0 && city.json.numbers.every((n) => n.phoneNumber.startsWith('+1415')));
	const has = await api('GET', `${P}/available?prefix=305&contains=0142`, paid.key);
	assert.deepEqual(has.json.numbers.map((n) => n.phoneNumber), ['+13055550142']);
	// the default limit is 20; at most 100
	assert.equal((await api('GET', `${P}/available`, paid.key)).json.numbers.length, 20);
	assert.equal((await api('GET', `${P}/available?limit=100`, paid.key)).json.numbers.length, 100);
	// the latest SDK
	const sdk = late(paid.key).whatsappphonenumbers;
	const s = await sdk.searchAvailableWhatsAppNumbers({ query: { prefix: '512', limit: 2 } });
	assert.equal(s.response.status, 200);
	assert.equal(s.data.numbers.length, 2);
});

test('what a search refuses: no plan (403), bad filters (400), the carrier down (503)', async () => {
	lateError(await api('GET', `${P}/available`, free.key), 403, 'forbidden');
	const bad = await api('GET', `${P}/available?prefix=21&contains=abc&limit=101&locality=`, paid.key);
	assert.equal(bad.status, 400, bad.text);
	for (const f of ['prefix', 'contains', 'limit', 'locality']) assert.ok(JSON.stringify(bad.json).includes(f), f);
	await faults({ path: '/telnyx/v2/available_phone_numbers', status: 500, count: 1 });
	try {
		const down = await api('GET', `${P}/available`, paid.key);
		assert.ok(down.status === 502 || down.status === 503, down.text);
		assert.equal(down.json.success, false);
		assert.doesNotMatch(down.text, /KEY_SANDBOX/);
	} finally {
		await faults();
	}
	// another search goes through again
	assert.equal((await api('GET', `${P}/available?limit=1`, paid.key)).status, 200);
});

test('the list and one number: empty, filters checked, others\' and unknown ids are 404', async () => {
	const r = await api('GET', P, paid.key);
	assert.equal(r.status, 200, r.text);
	assert.deepEqual(r.json, { numbers: [] });
	assert.equal((await api('GET', `${P}?status=released`, paid.key)).status, 200);
	assert.equal((await api('GET', `${P}?status=sold`, paid.key)).status, 400);
	assert.equal((await api('GET', `${P}?profileId=nope`, paid.key)).status, 400);
	// a number of another organization (made as the operator would see it)
	const prof = admin('profile', 'create', '--org', free.orgId, '--name', 'Other').WA_PROFILE_ID;
	const id = psql(`INSERT INTO wa.phone_numbers (org_id, profile_id, phone_number, status)
		VALUES ('${free.orgId}', '${prof}', '+12125550199', 'active') RETURNING id`, { as: 'super' }).trim().split('\n')[0];
	lateError(await api('GET', `${P}/${id}`, paid.key), 404, 'not_found');
	assert.deepEqual((await api('GET', P, paid.key)).json, { numbers: [] });
	const mine = await api('GET', `${P}/${id}`, free.key);
	assert.equal(mine.status, 200, mine.text);
	assert.equal(mine.json.phoneNumber.phoneNumber, '+12125550199');
	assert.equal(mine.json.phoneNumber.status, 'active');
	const list = (await api('GET', P, free.key)).json.numbers;
	assert.deepEqual(list.map((n) => [n._id, n.phoneNumber, n.profileId._id, n.profileId.name]),
		[[id, '+12125550199', prof, 'Other']]);
	lateError(await api('GET', `${P}/${crypto.randomUUID()}`, free.key), 404, 'not_found');
	const sdk = late(free.key).whatsappphonenumbers;
	await assert.rejects(sdk.getWhatsAppPhoneNumber({ path: { phoneNumberId: 'nope' } }), (e) => {
		assert.ok(e instanceof ZernioApiError);
		assert.equal(e.statusCode, 404);
		return true;
	});
	const g = await sdk.getWhatsAppPhoneNumbers();
	assert.equal(g.data.numbers.length, 1);
});
