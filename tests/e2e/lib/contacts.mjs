// Helpers of the contacts and groups tests (tests/e2e/1xx_*): raw
// requests with Late's Bearer key, the Late envelope, the contact shapes
// of seed 002, and shortcuts that create contacts through the API.
import assert from 'node:assert/strict';
import { jsonHeaders, TS, UUID } from './expect.mjs';
import { request } from './harness.mjs';

export const C = '/v1/whatsapp/contacts';
export const G = '/v1/whatsapp/groups';

// A request the way the Late SDK sends it: Authorization: Bearer.
export function late(method, urlPath, key, body) {
	const headers = key ? { authorization: `Bearer ${key}` } : {};
	return request(method, urlPath, { headers, body });
}

// Query strings for GET /contacts and /groups.
export function qs(params) {
	const u = new URLSearchParams();
	for (const [k, v] of Object.entries(params)) if (v !== undefined) u.append(k, String(v));
	return u.toString();
}

// Late's success envelope: {success: true, ...}; returns the body.
export function ok(r, status = 200) {
	assert.equal(r.status, status, `expected ${status}, got ${r.status}: ${r.text}`);
	jsonHeaders(r);
	assert.equal(r.json.success, true, r.text);
	return r.json;
}

// 400 validation_error naming exactly `fields` in details.fields, each
// message starting with its field (what the SDK's ValidationError gets).
export function invalid(r, fields) {
	assert.equal(r.status, 400, `expected 400, got ${r.status}: ${r.text}`);
	jsonHeaders(r);
	assert.equal(r.json.success, false);
	assert.equal(r.json.code, 'validation_error', r.text);
	const f = r.json.details && r.json.details.fields;
	assert.ok(f && typeof f === 'object', `details.fields of ${r.text}`);
	assert.deepEqual(Object.keys(f).sort(), [...fields].sort(), `fields of ${r.text}`);
	for (const [k, m] of Object.entries(f)) {
		assert.equal(typeof m, 'string');
		assert.ok(m.startsWith(k), `"${m}" names ${k}`);
	}
	assert.ok(r.json.error.startsWith('Request validation failed: '), r.json.error);
	return f;
}

// A Late error other than validation: status, code, message.
export function fails(r, status, code, message) {
	assert.equal(r.status, status, `expected ${status} ${code}, got ${r.status}: ${r.text}`);
	jsonHeaders(r);
	assert.deepEqual(Object.keys(r.json).sort(), ['code', 'error', 'success']);
	assert.equal(r.json.success, false);
	assert.equal(r.json.code, code);
	if (message) assert.equal(r.json.error, message);
	return r.json;
}

export const notFound = (r) => fails(r, 404, 'not_found', 'Contact not found');
export const noAccount = (r) => fails(r, 404, 'not_found', 'WhatsApp account not found');

// The contact objects of seed 002, key for key and in order.
export const CREATED_KEYS = ['id', 'phone', 'name', 'email', 'company', 'tags', 'groups',
	'isOptedIn', 'createdAt'];
export const ITEM_KEYS = ['id', 'phone', 'waId', 'name', 'email', 'company', 'tags', 'groups',
	'isOptedIn', 'lastMessageSentAt', 'lastMessageReceivedAt', 'messagesSentCount',
	'messagesReceivedCount', 'customFields', 'notes', 'createdAt'];
export const DETAIL_KEYS = ['id', 'phone', 'waId', 'name', 'email', 'company', 'tags', 'groups',
	'isOptedIn', 'optInDate', 'optOutDate', 'isBlocked', 'lastMessageSentAt',
	'lastMessageReceivedAt', 'messagesSentCount', 'messagesReceivedCount', 'customFields',
	'notes', 'createdAt', 'updatedAt'];
export const UPDATED_KEYS = ['id', 'phone', 'name', 'email', 'company', 'tags', 'groups',
	'isOptedIn', 'isBlocked', 'customFields', 'notes', 'updatedAt'];

const nullOr = (v, type) => v === null || typeof v === type;

// Checks the keys (in order) and types of a contact object.
export function shape(c, keys) {
	assert.deepEqual(Object.keys(c), keys);
	assert.match(c.id, UUID);
	assert.match(c.phone, /^\+[1-9]\d{6,14}$/);
	assert.equal(typeof c.name, 'string');
	assert.ok(nullOr(c.email, 'string') && nullOr(c.company, 'string'));
	if ('notes' in c) assert.ok(nullOr(c.notes, 'string'));
	for (const k of ['tags', 'groups']) {
		assert.ok(Array.isArray(c[k]) && c[k].every((x) => typeof x === 'string'), k);
	}
	assert.equal(typeof c.isOptedIn, 'boolean');
	if ('isBlocked' in c) assert.equal(typeof c.isBlocked, 'boolean');
	if ('waId' in c) assert.equal(c.waId, c.phone.slice(1));
	for (const k of ['createdAt', 'updatedAt']) if (k in c) assert.match(c[k], TS);
	for (const k of ['optInDate', 'optOutDate', 'lastMessageSentAt', 'lastMessageReceivedAt']) {
		if (k in c) assert.ok(c[k] === null || TS.test(c[k]), k);
	}
	for (const k of ['messagesSentCount', 'messagesReceivedCount']) {
		if (k in c) assert.ok(Number.isInteger(c[k]) && c[k] >= 0, k);
	}
	if ('customFields' in c) {
		assert.ok(c.customFields && typeof c.customFields === 'object' && !Array.isArray(c.customFields));
		for (const v of Object.values(c.customFields)) assert.equal(typeof v, 'string');
	}
	return c;
}

// Phones no other test of this process uses: +1 555 then 7 digits.
let seq = 0;
export function phone() {
	seq += 1;
	return `+1555${String((process.pid * 1000 + seq) % 10000000).padStart(7, '0')}`;
}

// POST /contacts that must succeed; returns the created contact.
export async function create(t, body = {}) {
	const r = await late('POST', C, t.key, { accountId: t.accountId, phone: phone(), name: 'Contact', ...body });
	return shape(ok(r).contact, CREATED_KEYS);
}

// GET /contacts/{id} that must succeed.
export async function get(t, id) {
	return shape(ok(await late('GET', `${C}/${id}`, t.key)).contact, DETAIL_KEYS);
}

// GET /contacts with query params (accountId defaults to t's).
export async function list(t, params = {}) {
	const r = await late('GET', `${C}?${qs({ accountId: t.accountId, ...params })}`, t.key);
	const b = ok(r);
	assert.deepEqual(Object.keys(b), ['success', 'contacts', 'filters', 'pagination']);
	assert.deepEqual(Object.keys(b.pagination), ['total', 'limit', 'skip', 'hasMore']);
	assert.deepEqual(Object.keys(b.filters), ['tags', 'groups']);
	b.contacts.forEach((c) => shape(c, ITEM_KEYS));
	return b;
}

// GET /groups; returns {groups, summary}.
export async function groups(t) {
	const b = ok(await late('GET', `${G}?${qs({ accountId: t.accountId })}`, t.key));
	assert.deepEqual(Object.keys(b), ['success', 'groups', 'summary']);
	assert.deepEqual(Object.keys(b.summary), ['totalContacts', 'optedInContacts', 'groupCount']);
	for (const g of b.groups) assert.deepEqual(Object.keys(g), ['name', 'totalCount', 'optedInCount']);
	return b;
}

// The same counts recomputed from the contacts themselves, through the
// families' role under row-level security: what the triggers must keep.
export function countsFromRows(psql, t) {
	const out = psql(`SELECT set_config('wa.org_id', '${t.orgId}', false);
		SELECT json_build_object(
		  'total', (SELECT count(*) FROM wa.contacts WHERE account_id = '${t.accountId}'),
		  'opted', (SELECT count(*) FROM wa.contacts WHERE account_id = '${t.accountId}' AND is_opted_in),
		  'tags', (SELECT coalesce(json_object_agg(t, n), '{}') FROM (SELECT t, count(*) AS n
		    FROM wa.contacts, unnest(tags) t WHERE account_id = '${t.accountId}' GROUP BY t) x),
		  'groups', (SELECT coalesce(json_object_agg(g, json_build_array(n, o)), '{}') FROM (SELECT g,
		    count(*) AS n, count(*) FILTER (WHERE is_opted_in) AS o
		    FROM wa.contacts, unnest(groups) g WHERE account_id = '${t.accountId}' GROUP BY g) y))`);
	return JSON.parse(out.split('\n').pop());
}
