// /v3/profiles input validation: one test per rule.  Field problems are
// 400 VALIDATION_001 with error.details {field: [messages]}; a body that
// is not a JSON object is 400 VALIDATION_002; card data that passes
// every check is 422 BUSINESS_015.  Nothing invalid is ever written.
import test from 'node:test';
import assert from 'node:assert/strict';
import { api, tenant } from './lib/harness.mjs';
import { sentError, sentOk, sentValidation } from './lib/expect.mjs';
import { CARD, createProfile, listIds, MIN_BRAND } from './lib/fixtures.mjs';

const t = tenant();
// One profile that PATCH rules are checked against, and the ids that
// must be all there is at the end.
const base = await createProfile(t, { name: 'Base', short_name: 'BASE', description: 'base' });
const before = await listIds(t);

const post = (body) => api('POST', '/v3/profiles', t.key, { body });
const patch = (body, id = base.id) => api('PATCH', `/v3/profiles/${id}`, t.key, { body });

test('name is required on create', async () => {
	const d = sentValidation(await post({ short_name: 'ABC' }), ['name']);
	assert.deepEqual(d.name, ['name is required']);
	sentValidation(await post({ name: null }), ['name']);
});

test('name must be a non-empty string of at most 255 characters', async () => {
	assert.deepEqual(sentValidation(await post({ name: '' }), ['name']).name, ['name must not be empty']);
	sentValidation(await post({ name: '   ' }), ['name']);
	assert.deepEqual(sentValidation(await post({ name: 42 }), ['name']).name, ['name must be a string']);
	sentValidation(await post({ name: 'x'.repeat(256) }), ['name']);
	// 255 characters, counted as characters and not bytes
	const ok = await createProfile(t, { name: 'é'.repeat(255), sandbox: true });
	assert.equal(ok.name, 'é'.repeat(255));
});

test('name may not be emptied by PATCH', async () => {
	sentValidation(await patch({ name: '' }), ['name']);
});

test('short_name: 3-11 letters, digits or spaces with at least one letter', async () => {
	for (const bad of ['AB', 'ABCDEFGHIJKL', 'AB-CD', 'ACME!', '12345', 'ÉCOLE']) {
		const d = sentValidation(await post({ name: 'n', short_name: bad }), ['short_name']);
		assert.match(d.short_name[0], /^short_name must be (3-11|at most 11)/);
	}
	sentValidation(await patch({ short_name: 'no_underscore' }), ['short_name']);
	for (const good of ['ABC', 'Sales 2024', 'A1B2C3D4E5F']) {
		assert.equal((await createProfile(t, { short_name: good, sandbox: true })).short_name, good);
	}
});

test('icon must be an absolute http(s) URL', async () => {
	for (const bad of ['not a url', 'ftp://example.com/i.png', 'javascript:alert(1)', '/relative.png',
		'https://user@evil.example/i.png', 'https://exa mple.com/i.png']) {
		const d = sentValidation(await post({ name: 'n', icon: bad }), ['icon']);
		assert.deepEqual(d.icon, ['icon must be an absolute http(s) URL']);
	}
	sentValidation(await patch({ icon: 'mailto:a@b.co' }), ['icon']);
});

test('billing_model is one of profile, organization, profile_and_organization', async () => {
	const d = sentValidation(await post({ name: 'n', billing_model: 'per_message' }), ['billing_model']);
	assert.deepEqual(d.billing_model, ['billing_model must be one of: profile, organization, profile_and_organization']);
	sentValidation(await post({ name: 'n', billing_model: 'PROFILE' }), ['billing_model']);
	sentValidation(await patch({ billing_model: 7 }), ['billing_model']);
});

test('billing_contact is required when billing_model is explicitly profile or profile_and_organization', async () => {
	for (const bm of ['profile', 'profile_and_organization']) {
		const d = sentValidation(await post({ name: 'n', billing_model: bm }), ['billing_contact']);
		assert.deepEqual(d.billing_contact, [`billing_contact is required when billing_model is ${bm}`]);
		// also when an update chooses it for a profile without a contact
		sentValidation(await patch({ billing_model: bm }), ['billing_contact']);
	}
	// organization billing and the default need no contact
	assert.equal((await createProfile(t, { billing_model: 'organization', sandbox: true })).billing_model, 'organization');
	assert.equal((await createProfile(t, { sandbox: true })).billing_contact, null);
	// with a contact, profile billing is accepted
	const p = await createProfile(t, { billing_model: 'profile', billing_contact: { email: 'b@acme.com', name: 'B' }, sandbox: true });
	assert.equal(p.billing_contact.email, 'b@acme.com');
});

test('billing_contact needs a valid email and a name; phone is E.164', async () => {
	const d = sentValidation(await post({ name: 'n', billing_contact: { email: 'not-an-email', phone: '555-1234' } }),
		['billing_contact.email', 'billing_contact.name', 'billing_contact.phone']);
	assert.deepEqual(d['billing_contact.name'], ['billing_contact.name is required']);
	sentValidation(await post({ name: 'n', billing_contact: 'billing@acme.com' }), ['billing_contact']);
});

test('payment_details.card_number must pass the Luhn check', async () => {
	const d = sentValidation(await post({ name: 'n', payment_details: { ...CARD, card_number: '4242424242424241' } }),
		['payment_details.card_number']);
	assert.match(d['payment_details.card_number'][0], /check digit/);
	sentValidation(await post({ name: 'n', payment_details: { ...CARD, card_number: '4242 4242 4242 4242' } }),
		['payment_details.card_number']);
	sentValidation(await post({ name: 'n', payment_details: { ...CARD, card_number: '42' } }),
		['payment_details.card_number']);
});

test('payment_details.expiry must be MM/YY and not in the past', async () => {
	const now = new Date();
	const lastMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
	const mmyy = (d) => `${String(d.getUTCMonth() + 1).padStart(2, '0')}/${String(d.getUTCFullYear() % 100).padStart(2, '0')}`;
	for (const bad of ['01/20', mmyy(lastMonth), '13/39', '00/39', '1/39', '12-39']) {
		const d = sentValidation(await post({ name: 'n', payment_details: { ...CARD, expiry: bad } }),
			['payment_details.expiry']);
		assert.deepEqual(d['payment_details.expiry'], ['payment_details.expiry must be MM/YY and not in the past']);
	}
	sentValidation(await post({ name: 'n', payment_details: { ...CARD, expiry: '12/2039' } }), ['payment_details.expiry']);
	// the current month is still valid: it passes validation (then 422)
	sentError(await post({ name: 'n', payment_details: { ...CARD, expiry: mmyy(now) } }), 422, 'BUSINESS_015');
});

test('payment_details.cvc must be 3 or 4 digits', async () => {
	for (const bad of ['12', '12345', 'abc', '']) {
		sentValidation(await post({ name: 'n', payment_details: { ...CARD, cvc: bad } }), ['payment_details.cvc']);
	}
});

test('payment_details.zip_code must be a postal code', async () => {
	for (const bad of ['12', '12345678901', '94105!', '<script>']) {
		sentValidation(await post({ name: 'n', payment_details: { ...CARD, zip_code: bad } }), ['payment_details.zip_code']);
	}
});

test('payment_details needs all four fields', async () => {
	sentValidation(await post({ name: 'n', payment_details: {} }), ['payment_details.card_number',
		'payment_details.cvc', 'payment_details.expiry', 'payment_details.zip_code']);
});

test('payment_details with billing_model organization: 400', async () => {
	const d = sentValidation(await post({ name: 'n', billing_model: 'organization', payment_details: CARD }), ['payment_details']);
	assert.deepEqual(d.payment_details, ['payment_details is not allowed when billing_model is organization']);
	// also when the stored model is organization
	const org = await createProfile(t, { name: 'org billed', billing_model: 'organization' });
	sentValidation(await patch({ payment_details: CARD }, org.id), ['payment_details']);
	const del = await api('DELETE', `/v3/profiles/${org.id}`, t.key);
	assert.equal(del.status, 204);
});

test('valid payment_details: 422 BUSINESS_015 and nothing is written', async () => {
	const e = sentError(await post({ name: 'Card holder', payment_details: CARD }), 422, 'BUSINESS_015');
	assert.equal(e.details, null);
	// the card number is not echoed
	assert.ok(!e.message.includes(CARD.card_number));
	sentError(await post({
		name: 'Card holder', billing_model: 'profile_and_organization',
		billing_contact: { email: 'b@acme.com', name: 'B' }, payment_details: CARD,
	}), 422, 'BUSINESS_015');
	// on update: the other fields of the request are not applied either
	sentError(await patch({ description: 'changed', payment_details: CARD }), 422, 'BUSINESS_015');
	assert.equal(sentOk(await api('GET', `/v3/profiles/${base.id}`, t.key)).description, 'base');
	assert.deepEqual(await listIds(t), before);
});

test('brand with inherit_tcr_brand true: 400', async () => {
	const d = sentValidation(await post({ name: 'n', inherit_tcr_brand: true, brand: MIN_BRAND }), ['brand']);
	assert.deepEqual(d.brand, ['brand cannot be given when inherit_tcr_brand is true']);
	sentValidation(await patch({ inherit_tcr_brand: true, brand: MIN_BRAND }), ['brand']);
});

test('brand enums: vertical, brandRelationship, entityType', async () => {
	const brand = {
		contact: { name: 'x' },
		business: { entityType: 'LLC' },
		compliance: { vertical: 'SPACE', brandRelationship: 'BEST_FRIENDS' },
	};
	const d = sentValidation(await post({ name: 'n', brand }), ['brand.business.entityType',
		'brand.compliance.brandRelationship', 'brand.compliance.vertical']);
	assert.match(d['brand.compliance.vertical'][0], /^brand\.compliance\.vertical must be one of: PROFESSIONAL, /);
	assert.match(d['brand.business.entityType'][0], /PRIVATE_PROFIT/);
	// snake_case spellings are not the request's (camelCase) keys
	sentValidation(await post({ name: 'n', brand: { contact: { name: 'x' }, compliance: { vertical: 'RETAIL', brand_relationship: 'BASIC_ACCOUNT' } } }),
		['brand.compliance.brandRelationship']);
});

test('brand needs contact.name and compliance; its fields are checked', async () => {
	sentValidation(await post({ name: 'n', brand: {} }), ['brand.contact', 'brand.compliance']);
	sentValidation(await post({ name: 'n', brand: { contact: {}, compliance: MIN_BRAND.compliance } }), ['brand.contact.name']);
	sentValidation(await post({
		name: 'n',
		brand: {
			contact: { name: 'x', email: 'nope', phone: '12' },
			business: { country: 'USA', url: 'acme.com' },
			compliance: { ...MIN_BRAND.compliance, destinationCountries: [{ id: 'XX1' }], phoneNumberPrefix: '1' },
		},
	}), ['brand.contact.email', 'brand.contact.phone', 'brand.business.country', 'brand.business.url',
		'brand.compliance.destinationCountries[0].id', 'brand.compliance.phoneNumberPrefix']);
});

test('booleans must be booleans', async () => {
	sentValidation(await post({ name: 'n', allow_contact_sharing: 'yes', inherit_contacts: 1 }),
		['allow_contact_sharing', 'inherit_contacts']);
});

test('whatsapp_business_account needs waba_id and access_token', async () => {
	sentValidation(await post({ name: 'n', whatsapp_business_account: { phone_number_id: '1' } }),
		['whatsapp_business_account.waba_id', 'whatsapp_business_account.access_token']);
	sentValidation(await post({ name: 'n', whatsapp_business_account: { waba_id: '../etc', access_token: 't' } }),
		['whatsapp_business_account.waba_id']);
});

test('every problem of a request is reported at once', async () => {
	sentValidation(await post({ short_name: '!', icon: 'x', billing_model: 'x' }),
		['name', 'short_name', 'icon', 'billing_model']);
});

for (const [label, body] of [
	['malformed JSON', '{"name": "Acme"'],
	['trailing garbage', '{"name": "Acme"} x'],
	['a JSON array', '[{"name": "Acme"}]'],
	['a JSON string', '"Acme"'],
	['a JSON number', '42'],
	['JSON null', 'null'],
	['deep nesting', `{"name":"n","brand":${'['.repeat(200)}${']'.repeat(200)}}`],
	['invalid UTF-8', Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')])],
	['a NUL escape', '{"name":"a\\u0000b"}'],
]) {
	test(`body that is ${label}: 400 VALIDATION_002`, async () => {
		const e = sentError(await post(body), 400, 'VALIDATION_002');
		assert.equal(e.details, null);
		sentError(await patch(body), 400, 'VALIDATION_002');
	});
}

test('no invalid request above wrote anything', async () => {
	assert.deepEqual(await listIds(t), before);
	assert.deepEqual(sentOk(await api('GET', `/v3/profiles/${base.id}`, t.key)), base);
});
