// Assertions shared by the end-to-end tests: the envelopes of each face
// (DESIGN.md, "Rules for every face") and the ProfileDetail of seed 004.
import assert from 'node:assert/strict';

export const TS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// Every answer: JSON content type and a request id.
export function jsonHeaders(r) {
	assert.equal(r.headers['content-type'], 'application/json', `content-type of ${r.status} ${r.text}`);
	assert.ok(r.headers['x-request-id'], 'x-request-id header');
	assert.match(r.headers['x-request-id'], /^[A-Za-z0-9._:-]{1,128}$/);
}

function sentMeta(r) {
	const m = r.json.meta;
	assert.deepEqual(Object.keys(m).sort(), ['request_id', 'timestamp', 'version']);
	assert.equal(m.version, 'v3');
	assert.match(m.timestamp, TS);
	// A replayed response (Idempotency-Key) is the stored body, with the
	// request id of the request that made it; the header is this one's.
	if (r.headers['idempotent-replayed'] === 'true') {
		assert.match(m.request_id, /^[A-Za-z0-9._:-]{1,128}$/);
	} else {
		assert.equal(m.request_id, r.headers['x-request-id']);
	}
}

// A Sent success envelope with the given status; returns data.
export function sentOk(r, status = 200) {
	assert.equal(r.status, status, `expected ${status}, got ${r.status}: ${r.text}`);
	jsonHeaders(r);
	assert.ok(r.json, `JSON body: ${r.text}`);
	assert.deepEqual(Object.keys(r.json).sort(), ['data', 'error', 'meta', 'success']);
	assert.equal(r.json.success, true);
	assert.equal(r.json.error, null);
	sentMeta(r);
	return r.json.data;
}

// A Sent error envelope: status, shape and code.  Returns error.
export function sentError(r, status, code) {
	assert.equal(r.status, status, `expected ${status} ${code}, got ${r.status}: ${r.text}`);
	jsonHeaders(r);
	assert.ok(r.json, `JSON body: ${r.text}`);
	assert.deepEqual(Object.keys(r.json).sort(), ['data', 'error', 'meta', 'success']);
	assert.equal(r.json.success, false);
	assert.equal(r.json.data, null);
	const e = r.json.error;
	assert.deepEqual(Object.keys(e).sort(), ['code', 'details', 'doc_url', 'message']);
	assert.equal(e.code, code, `error code of ${r.text}`);
	assert.equal(typeof e.message, 'string');
	assert.ok(e.message.length > 0);
	assert.ok(e.doc_url === null || typeof e.doc_url === 'string');
	sentMeta(r);
	return e;
}

// 400 VALIDATION_001 whose details name exactly `fields`, each with at
// least one sentence that starts with the field's name.  Returns details.
export function sentValidation(r, fields) {
	const e = sentError(r, 400, 'VALIDATION_001');
	assert.ok(e.details && typeof e.details === 'object', `details of ${r.text}`);
	assert.deepEqual(Object.keys(e.details).sort(), [...fields].sort(), `fields of ${r.text}`);
	for (const [f, msgs] of Object.entries(e.details)) {
		assert.ok(Array.isArray(msgs) && msgs.length > 0, `messages of ${f}`);
		for (const m of msgs) {
			assert.equal(typeof m, 'string');
			assert.ok(m.startsWith(f), `"${m}" names ${f}`);
		}
	}
	return e.details;
}

// Late's error body: {success:false, error, code[, details]}.
export function lateError(r, status, code) {
	assert.equal(r.status, status, `expected ${status}, got ${r.status}: ${r.text}`);
	jsonHeaders(r);
	assert.equal(r.json.success, false);
	assert.equal(typeof r.json.error, 'string');
	assert.equal(r.json.code, code);
	return r.json;
}

// Mosend's (NestJS) error body.
export function mosendError(r, status, reason, path) {
	assert.equal(r.status, status, `expected ${status}, got ${r.status}: ${r.text}`);
	jsonHeaders(r);
	assert.deepEqual(Object.keys(r.json).sort(), ['error', 'message', 'path', 'statusCode', 'timestamp']);
	assert.equal(r.json.statusCode, status);
	assert.equal(r.json.error, reason);
	assert.match(r.json.timestamp, TS);
	assert.equal(r.json.path, path);
	return r.json;
}

// The fields of ProfileDetail (spec/sdk-clients.md §1.3, seed 004).
export const PROFILE_KEYS = [
	'id', 'organization_id', 'name', 'email', 'icon', 'description',
	'short_name', 'status', 'created_at', 'updated_at',
	'allow_contact_sharing', 'allow_template_sharing', 'inherit_contacts',
	'inherit_templates', 'inherit_tcr_brand', 'inherit_tcr_campaign',
	'billing_model', 'sending_phone_number_profile_id',
	'sending_whatsapp_number_profile_id', 'sending_phone_number',
	'whatsapp_phone_number', 'allow_number_change_during_onboarding',
	'waba_id', 'billing_contact', 'brand',
];
export const BRAND_KEYS = [
	'id', 'tcr_brand_id', 'status', 'identity_status', 'universal_ein',
	'csp_id', 'submitted_to_tcr', 'submitted_at', 'is_inherited',
	'created_at', 'updated_at', 'contact', 'business', 'compliance',
];
export const BRAND_CONTACT_KEYS = ['name', 'business_name', 'role', 'phone', 'email', 'phone_country_code'];
export const BRAND_BUSINESS_KEYS = [
	'legal_name', 'tax_id', 'tax_id_type', 'entity_type', 'street', 'city',
	'state', 'postal_code', 'country', 'url', 'country_of_registration',
];
export const BRAND_COMPLIANCE_KEYS = [
	'vertical', 'brand_relationship', 'primary_use_case',
	'expected_messaging_volume', 'is_tcr_application',
	'phone_number_prefix', 'destination_countries', 'notes',
];

// Every key of a ProfileDetail, with the types the SDK declares.
export function profileShape(p) {
	assert.deepEqual(Object.keys(p).sort(), [...PROFILE_KEYS].sort());
	assert.match(p.id, UUID);
	assert.match(p.organization_id, UUID);
	assert.equal(typeof p.name, 'string');
	assert.ok(typeof p.status === 'string' && p.status.length > 0);
	assert.match(p.created_at, TS);
	assert.ok(p.updated_at === null || TS.test(p.updated_at));
	for (const b of ['allow_contact_sharing', 'allow_template_sharing', 'inherit_contacts',
		'inherit_templates', 'inherit_tcr_brand', 'inherit_tcr_campaign']) {
		assert.equal(typeof p[b], 'boolean', b);
	}
	assert.ok(['profile', 'organization', 'profile_and_organization'].includes(p.billing_model));
	for (const s of ['icon', 'description', 'short_name', 'email', 'sending_phone_number',
		'whatsapp_phone_number', 'waba_id']) {
		assert.ok(p[s] === null || typeof p[s] === 'string', s);
	}
	for (const s of ['sending_phone_number_profile_id', 'sending_whatsapp_number_profile_id']) {
		assert.ok(p[s] === null || UUID.test(p[s]), s);
	}
	assert.ok(p.allow_number_change_during_onboarding === null ||
		typeof p.allow_number_change_during_onboarding === 'boolean');
	if (p.billing_contact !== null) {
		assert.deepEqual(Object.keys(p.billing_contact).sort(), ['address', 'email', 'name', 'phone']);
	}
	if (p.brand !== null) {
		const b = p.brand;
		assert.deepEqual(Object.keys(b).sort(), [...BRAND_KEYS].sort());
		assert.match(b.id, UUID);
		assert.equal(typeof b.submitted_to_tcr, 'boolean');
		assert.equal(typeof b.is_inherited, 'boolean');
		assert.match(b.created_at, TS);
		assert.deepEqual(Object.keys(b.contact).sort(), [...BRAND_CONTACT_KEYS].sort());
		if (b.business !== null) {
			assert.deepEqual(Object.keys(b.business).sort(), [...BRAND_BUSINESS_KEYS].sort());
		}
		assert.deepEqual(Object.keys(b.compliance).sort(), [...BRAND_COMPLIANCE_KEYS].sort());
	}
	// snake_case throughout, except destination_countries items (seed 004)
	const walk = (o, where) => {
		if (Array.isArray(o)) return o.forEach((x, i) => walk(x, `${where}[${i}]`));
		if (o === null || typeof o !== 'object') return;
		for (const k of Object.keys(o)) {
			if (!where.includes('destination_countries')) {
				assert.match(k, /^[a-z0-9_]+$/, `${where}.${k} is snake_case`);
			}
			walk(o[k], `${where}.${k}`);
		}
	};
	walk(p, 'data');
	return p;
}
