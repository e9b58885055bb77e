// Request bodies shared by the profile tests, and the shortcuts that
// create profiles through the API.
import assert from 'node:assert/strict';
import { api } from './harness.mjs';
import { sentOk } from './expect.mjs';

// A brand as the Sent SDK sends it: camelCase sections.
export const BRAND = {
	contact: {
		name: 'John Smith', businessName: 'Acme Corp', email: 'john@acmecorp.com',
		phone: '+14155550100', phoneCountryCode: '1', role: 'Owner',
	},
	business: {
		legalName: 'Acme Corporation LLC', taxId: '12-3456789', taxIdType: 'EIN',
		entityType: 'PRIVATE_PROFIT', street: '1 Main St', city: 'Springfield', state: 'IL',
		postalCode: '62701', country: 'US', countryOfRegistration: 'US', url: 'https://acme.example.com',
	},
	compliance: {
		vertical: 'PROFESSIONAL', brandRelationship: 'SMALL_ACCOUNT',
		destinationCountries: [{ id: 'US', isMain: true }, { id: 'CA', isMain: false }],
		expectedMessagingVolume: '10000', isTcrApplication: true, notes: 'Seasonal peaks',
		phoneNumberPrefix: '+1', primaryUseCase: 'Order notifications',
	},
};

// The same brand as every response shows it: snake_case.
export const BRAND_OUT = {
	contact: {
		name: 'John Smith', business_name: 'Acme Corp', role: 'Owner', phone: '+14155550100',
		email: 'john@acmecorp.com', phone_country_code: '1',
	},
	business: {
		legal_name: 'Acme Corporation LLC', tax_id: '12-3456789', tax_id_type: 'EIN',
		entity_type: 'PRIVATE_PROFIT', street: '1 Main St', city: 'Springfield', state: 'IL',
		postal_code: '62701', country: 'US', url: 'https://acme.example.com', country_of_registration: 'US',
	},
	compliance: {
		vertical: 'PROFESSIONAL', brand_relationship: 'SMALL_ACCOUNT',
		primary_use_case: 'Order notifications', expected_messaging_volume: '10000',
		is_tcr_application: true, phone_number_prefix: '+1',
		destination_countries: [{ id: 'US', isMain: true }, { id: 'CA', isMain: false }],
		notes: 'Seasonal peaks',
	},
};

// The smallest brand the rules accept.
export const MIN_BRAND = {
	contact: { name: 'Jane Roe' },
	compliance: { vertical: 'RETAIL', brandRelationship: 'BASIC_ACCOUNT' },
};

// A card that passes every check (Luhn, future expiry, cvc, zip).
export const CARD = { card_number: '4242424242424242', expiry: '12/39', cvc: '123', zip_code: '94105' };

// POST /v3/profiles that must succeed; returns the ProfileDetail.
export async function createProfile(t, body = {}, opts = {}) {
	const r = await api('POST', '/v3/profiles', t.key, { body: { name: 'Sender', ...body }, ...opts });
	return sentOk(r, 201);
}

// The ids of data.profiles of a GET /v3/profiles with t's key.
export async function listIds(t, apiKey = t.key, headers = {}) {
	const r = await api('GET', '/v3/profiles', apiKey, { headers });
	const data = sentOk(r, 200);
	assert.deepEqual(Object.keys(data), ['profiles']);
	return data.profiles.map((p) => p.id);
}
