// /v3/profiles: every operation's success shape (seed 004,
// spec/sdk-clients.md §1.3), defaults, brand casing, direct WhatsApp
// credentials and the sandbox flag.
import test from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { api, psql, tenant } from './lib/harness.mjs';
import { PROFILE_KEYS, profileShape, sentError, sentOk, UUID } from './lib/expect.mjs';
import { BRAND, BRAND_OUT, createProfile, listIds } from './lib/fixtures.mjs';

const t = tenant();

test('a new organization lists no profiles: data.profiles is []', async () => {
	const r = await api('GET', '/v3/profiles', tenant().key);
	assert.deepEqual(sentOk(r), { profiles: [] });
});

test('POST with only a name: 201, every ProfileDetail field, documented defaults', async () => {
	const r = await api('POST', '/v3/profiles', t.key, { body: { name: 'Defaults' } });
	const p = profileShape(sentOk(r, 201));
	// seed 004's order of keys
	assert.deepEqual(Object.keys(p), PROFILE_KEYS);
	assert.equal(p.name, 'Defaults');
	assert.equal(p.organization_id, t.orgId);
	assert.equal(p.email, t.email);
	for (const k of ['icon', 'description', 'short_name', 'sending_phone_number_profile_id',
		'sending_whatsapp_number_profile_id', 'sending_phone_number',
		'allow_number_change_during_onboarding', 'billing_contact', 'brand']) {
		assert.equal(p[k], null, k);
	}
	assert.equal(p.allow_contact_sharing, false);
	assert.equal(p.allow_template_sharing, false);
	assert.equal(p.inherit_contacts, true);
	assert.equal(p.inherit_templates, true);
	assert.equal(p.inherit_tcr_brand, true);
	assert.equal(p.inherit_tcr_campaign, true);
	assert.equal(p.billing_model, 'profile');
	// the organization's WhatsApp account is inherited
	assert.equal(p.waba_id, t.wabaId);
	assert.equal(p.whatsapp_phone_number, t.display);
	assert.equal(p.status, 'approved');
	assert.ok(Math.abs(Date.parse(p.created_at) - Date.now()) < 60000);
});

test('POST with every field: values kept, brand camelCase in, snake_case out', async () => {
	const body = {
		name: 'Sales Team', short_name: 'SALES', description: 'Sales department sender profile',
		icon: 'https://example.com/sales-icon.png', allow_contact_sharing: true,
		allow_template_sharing: true, inherit_contacts: false, inherit_templates: false,
		inherit_tcr_campaign: false, billing_model: 'profile_and_organization',
		billing_contact: { email: 'billing@acme.com', name: 'Billing Dept', address: '1 Main St', phone: '+14155550199' },
		brand: BRAND,
	};
	const r = await api('POST', '/v3/profiles', t.key, { body });
	const p = profileShape(sentOk(r, 201));
	assert.equal(p.name, 'Sales Team');
	assert.equal(p.short_name, 'SALES');
	assert.equal(p.description, 'Sales department sender profile');
	assert.equal(p.icon, 'https://example.com/sales-icon.png');
	assert.equal(p.allow_contact_sharing, true);
	assert.equal(p.allow_template_sharing, true);
	assert.equal(p.inherit_contacts, false);
	assert.equal(p.inherit_templates, false);
	assert.equal(p.inherit_tcr_campaign, false);
	// a profile that brings its own brand does not inherit one
	assert.equal(p.inherit_tcr_brand, false);
	assert.equal(p.billing_model, 'profile_and_organization');
	assert.deepEqual(p.billing_contact, { name: 'Billing Dept', email: 'billing@acme.com', phone: '+14155550199', address: '1 Main St' });
	const b = p.brand;
	assert.deepEqual(b.contact, BRAND_OUT.contact);
	assert.deepEqual(b.business, BRAND_OUT.business);
	assert.deepEqual(b.compliance, BRAND_OUT.compliance);
	assert.match(b.id, UUID);
	assert.equal(b.is_inherited, false);
	assert.equal(b.submitted_to_tcr, false);
	for (const k of ['tcr_brand_id', 'status', 'identity_status', 'universal_ein', 'csp_id', 'submitted_at']) {
		assert.equal(b[k], null, k);
	}
	// no camelCase key of the request leaks into the response
	assert.ok(!/"(businessName|legalName|brandRelationship|phoneCountryCode|postalCode)"/.test(r.text));
});

test('GET one returns what POST returned; the list holds it', async () => {
	const made = await createProfile(t, { name: 'Fetch me', short_name: 'FETCH', brand: BRAND,
		billing_contact: { email: 'a@b.co', name: 'A B' } });
	const r = await api('GET', `/v3/profiles/${made.id}`, t.key);
	const p = profileShape(sentOk(r));
	assert.deepEqual(p, made);
	const l = await api('GET', '/v3/profiles', t.key);
	const data = sentOk(l);
	const found = data.profiles.find((x) => x.id === made.id);
	assert.deepEqual(found, made);
	for (const x of data.profiles) profileShape(x);
	// uppercase ids name the same profile
	const up = await api('GET', `/v3/profiles/${made.id.toUpperCase()}`, t.key);
	assert.equal(sentOk(up).id, made.id);
});

test('the list is in creation order', async () => {
	const o = tenant();
	const a = await createProfile(o, { name: 'first' });
	const b = await createProfile(o, { name: 'second' });
	const c = await createProfile(o, { name: 'third' });
	assert.deepEqual(await listIds(o), [a.id, b.id, c.id]);
});

test('PATCH changes only the fields it names', async () => {
	const made = await createProfile(t, { name: 'Patch me', short_name: 'PATCH', description: 'before',
		icon: 'https://example.com/i.png', allow_contact_sharing: true, brand: BRAND });
	const r = await api('PATCH', `/v3/profiles/${made.id}`, t.key, { body: { description: 'after', inherit_contacts: false } });
	const p = profileShape(sentOk(r));
	assert.equal(p.description, 'after');
	assert.equal(p.inherit_contacts, false);
	assert.ok(Date.parse(p.updated_at) >= Date.parse(made.updated_at));
	assert.equal(p.created_at, made.created_at);
	const same = (({ description, inherit_contacts, updated_at, ...rest }) => rest);
	assert.deepEqual(same(p), same(made));
	// what PATCH answered is what GET reads
	assert.deepEqual(sentOk(await api('GET', `/v3/profiles/${made.id}`, t.key)), p);
});

test('PATCH accepts the update-only fields', async () => {
	const other = await createProfile(t, { name: 'number owner' });
	const made = await createProfile(t, { name: 'update-only' });
	const r = await api('PATCH', `/v3/profiles/${made.id}`, t.key, {
		body: {
			sending_phone_number: '+14155550123', whatsapp_phone_number: '+14155550124',
			sending_phone_number_profile_id: other.id, sending_whatsapp_number_profile_id: other.id,
			allow_number_change_during_onboarding: true,
		},
	});
	const p = profileShape(sentOk(r));
	assert.equal(p.sending_phone_number, '+14155550123');
	assert.equal(p.whatsapp_phone_number, '+14155550124');
	assert.equal(p.sending_phone_number_profile_id, other.id);
	assert.equal(p.sending_whatsapp_number_profile_id, other.id);
	assert.equal(p.allow_number_change_during_onboarding, true);
});

test('PATCH with a brand adds it, camelCase in and snake_case out; a later brand without business keeps it', async () => {
	const made = await createProfile(t, { name: 'brand later' });
	assert.equal(made.brand, null);
	assert.equal(made.inherit_tcr_brand, true);
	let r = await api('PATCH', `/v3/profiles/${made.id}`, t.key, { body: { brand: BRAND } });
	let p = profileShape(sentOk(r));
	assert.equal(p.inherit_tcr_brand, false);
	assert.deepEqual(p.brand.contact, BRAND_OUT.contact);
	assert.deepEqual(p.brand.business, BRAND_OUT.business);
	const brandId = p.brand.id;
	r = await api('PATCH', `/v3/profiles/${made.id}`, t.key, {
		body: { brand: { contact: { name: 'New Contact' }, compliance: BRAND.compliance } },
	});
	p = profileShape(sentOk(r));
	assert.equal(p.brand.id, brandId);
	assert.equal(p.brand.contact.name, 'New Contact');
	assert.equal(p.brand.contact.email, null);
	assert.deepEqual(p.brand.business, BRAND_OUT.business);
	assert.deepEqual(p.brand.compliance, BRAND_OUT.compliance);
});

test('PATCH null clears description and short_name, leaves name and booleans', async () => {
	const made = await createProfile(t, { name: 'Nullable', short_name: 'NULLS', description: 'text',
		icon: 'https://example.com/n.png', allow_template_sharing: true, inherit_templates: false });
	const r = await api('PATCH', `/v3/profiles/${made.id}`, t.key, {
		body: {
			description: null, short_name: null, name: null, allow_template_sharing: null,
			inherit_templates: null, inherit_contacts: null, billing_model: null,
		},
	});
	const p = profileShape(sentOk(r));
	assert.equal(p.description, null);
	assert.equal(p.short_name, null);
	assert.equal(p.name, 'Nullable');
	assert.equal(p.allow_template_sharing, true);
	assert.equal(p.inherit_templates, false);
	assert.equal(p.inherit_contacts, true);
	assert.equal(p.billing_model, 'profile');
	assert.equal(p.icon, 'https://example.com/n.png');
	assert.deepEqual(sentOk(await api('GET', `/v3/profiles/${made.id}`, t.key)), p);
});

test('PATCH {} changes nothing but answers the profile', async () => {
	const made = await createProfile(t, { name: 'Untouched', description: 'd' });
	const p = sentOk(await api('PATCH', `/v3/profiles/${made.id}`, t.key, { body: {} }));
	const same = (({ updated_at, ...rest }) => rest);
	assert.deepEqual(same(p), same(made));
});

for (const [label, opts] of [
	['without a body', {}],
	['with the JSON body {} the SDK sends', { body: {} }],
]) {
	test(`DELETE ${label}: 204, empty; afterwards 404 everywhere`, async () => {
		const made = await createProfile(t, { name: `delete ${label}` });
		const r = await api('DELETE', `/v3/profiles/${made.id}`, t.key, opts);
		assert.equal(r.status, 204, r.text);
		assert.equal(r.text, '');
		assert.ok(r.headers['x-request-id']);
		sentError(await api('GET', `/v3/profiles/${made.id}`, t.key), 404, 'RESOURCE_014');
		sentError(await api('PATCH', `/v3/profiles/${made.id}`, t.key, { body: { name: 'x' } }), 404, 'RESOURCE_014');
		sentError(await api('DELETE', `/v3/profiles/${made.id}`, t.key, opts), 404, 'RESOURCE_014');
		assert.ok(!(await listIds(t)).includes(made.id));
	});
}

test('GET, PATCH and DELETE of a well-formed id that never existed: 404 RESOURCE_014', async () => {
	const id = crypto.randomUUID();
	const e = sentError(await api('GET', `/v3/profiles/${id}`, t.key), 404, 'RESOURCE_014');
	assert.equal(e.message, 'Profile not found');
	assert.equal(e.details, null);
	sentError(await api('PATCH', `/v3/profiles/${id}`, t.key, { body: { name: 'x' } }), 404, 'RESOURCE_014');
	sentError(await api('DELETE', `/v3/profiles/${id}`, t.key), 404, 'RESOURCE_014');
});

test('whatsapp_business_account: the profile gets its own account; the token never comes back', async () => {
	const token = `EAAG-secret-token-${crypto.randomUUID()}`;
	const r = await api('POST', '/v3/profiles', t.key, {
		body: { name: 'Own WABA', whatsapp_business_account: { waba_id: '987654321012345', phone_number_id: '112233445566778', access_token: token } },
	});
	const p = profileShape(sentOk(r, 201));
	assert.equal(p.waba_id, '987654321012345');
	assert.ok(!r.text.includes(token));
	assert.ok(!r.text.includes('access_token'));
	const g = await api('GET', `/v3/profiles/${p.id}`, t.key);
	assert.equal(sentOk(g).waba_id, '987654321012345');
	const l = await api('GET', '/v3/profiles', t.key);
	assert.ok(!g.text.includes(token) && !l.text.includes(token));
	// other profiles keep the organization's account
	const inherited = sentOk(l).profiles.filter((x) => x.id !== p.id);
	assert.ok(inherited.length > 0);
	for (const x of inherited) assert.equal(x.waba_id, t.wabaId);
	// one account row for the profile, with the token sealed, not stored
	const rows = psql(`SELECT waba_id, phone_number_id,
		position(convert_to('${token}', 'UTF8') IN access_token_enc) FROM wa.wa_accounts
		WHERE profile_id = '${p.id}' AND deleted_at IS NULL`, { as: 'super' });
	assert.equal(rows, '987654321012345|112233445566778|0');
});

test('whatsapp_business_account works in an organization without an account of its own', async () => {
	const o = tenant({ account: false });
	const p = await createProfile(o, { whatsapp_business_account: { waba_id: '555000111', access_token: 'tok-1' } });
	assert.equal(p.waba_id, '555000111');
	// without a phone number id the profile cannot send yet
	assert.equal(p.status, 'incomplete');
	assert.equal(p.whatsapp_phone_number, null);
	assert.deepEqual(await listIds(o), [p.id]);
});

test('a phone_number_id already in use in the organization: 409 CONFLICT_001; free again once its profile is deleted', async () => {
	const o = tenant();
	const waba = { waba_id: '700800900', phone_number_id: '123123123123', access_token: 'tok-2' };
	const first = await createProfile(o, { name: 'first owner', whatsapp_business_account: waba });
	assert.equal(first.status, 'approved');
	const r = await api('POST', '/v3/profiles', o.key, { body: { name: 'second owner', whatsapp_business_account: waba } });
	sentError(r, 409, 'CONFLICT_001');
	assert.equal(r.headers['x-should-retry'], 'false');
	assert.deepEqual(await listIds(o), [first.id]);
	assert.equal((await api('DELETE', `/v3/profiles/${first.id}`, o.key)).status, 204);
	const again = await createProfile(o, { name: 'next owner', whatsapp_business_account: waba });
	assert.equal(again.waba_id, '700800900');
});

test('no WhatsApp account in the organization and none given: 422 BUSINESS_014, nothing written', async () => {
	const o = tenant({ account: false });
	const e = sentError(await api('POST', '/v3/profiles', o.key, { body: { name: 'Orphan' } }), 422, 'BUSINESS_014');
	assert.equal(e.details, null);
	assert.deepEqual(await listIds(o), []);
});

test('sandbox: true on create answers 201 with the profile but keeps nothing', async () => {
	const o = tenant();
	const kept = await createProfile(o, { name: 'kept' });
	const r = await api('POST', '/v3/profiles', o.key, { body: { name: 'Dry run', sandbox: true, brand: BRAND } });
	const p = profileShape(sentOk(r, 201));
	assert.equal(p.name, 'Dry run');
	assert.equal(p.brand.contact.name, 'John Smith');
	assert.ok(!('sandbox' in p));
	assert.deepEqual(await listIds(o), [kept.id]);
	sentError(await api('GET', `/v3/profiles/${p.id}`, o.key), 404, 'RESOURCE_014');
	assert.equal(psql(`SELECT count(*) FROM wa.profile_brands WHERE org_id = '${o.orgId}'`, { as: 'super' }), '0');
});

test('sandbox: true on PATCH answers the change but keeps nothing', async () => {
	const made = await createProfile(t, { name: 'sandbox patch' });
	const p = sentOk(await api('PATCH', `/v3/profiles/${made.id}`, t.key, { body: { name: 'changed', sandbox: true } }));
	assert.equal(p.name, 'changed');
	assert.equal(sentOk(await api('GET', `/v3/profiles/${made.id}`, t.key)).name, 'sandbox patch');
});

test('sandbox: true on DELETE answers 204 and the profile stays', async () => {
	const made = await createProfile(t, { name: 'sandbox delete' });
	const r = await api('DELETE', `/v3/profiles/${made.id}`, t.key, { body: { sandbox: true } });
	assert.equal(r.status, 204, r.text);
	assert.equal(r.text, '');
	assert.deepEqual(sentOk(await api('GET', `/v3/profiles/${made.id}`, t.key)), made);
});

test('DELETE with a body that is not {"sandbox": boolean}: 400, and the profile stays', async () => {
	const made = await createProfile(t, { name: 'not deleted' });
	const e = sentError(await api('DELETE', `/v3/profiles/${made.id}`, t.key, { body: { sandbox: 'true' } }), 400, 'VALIDATION_001');
	assert.deepEqual(e.details, { sandbox: ['sandbox must be a boolean'] });
	sentError(await api('DELETE', `/v3/profiles/${made.id}`, t.key, { body: '{"sandbox":' }), 400, 'VALIDATION_002');
	sentError(await api('DELETE', `/v3/profiles/${made.id}`, t.key, { body: '[]' }), 400, 'VALIDATION_002');
	assert.deepEqual(sentOk(await api('GET', `/v3/profiles/${made.id}`, t.key)), made);
	// sandbox: null is no sandbox
	assert.equal((await api('DELETE', `/v3/profiles/${made.id}`, t.key, { body: { sandbox: null } })).status, 204);
	sentError(await api('GET', `/v3/profiles/${made.id}`, t.key), 404, 'RESOURCE_014');
});
