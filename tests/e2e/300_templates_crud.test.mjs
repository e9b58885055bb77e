// /v1/whatsapp/templates through nginx with raw HTTP: the five
// operations in the shapes of seed 002 (TEMPLATES), percent-encoded
// names, languages, roles, tenants and Idempotency-Key.  Meta is the
// stack's simulator.
import test from 'node:test';
import assert from 'node:assert/strict';
import { api, psql, request } from './lib/harness.mjs';
import { lateError } from './lib/expect.mjs';
import { metaTenant, received, review, simTemplates, template } from './lib/meta.mjs';

const a = await metaTenant();
const b = await metaTenant();

const T = '/v1/whatsapp/templates';
const ok = (r, status = 200) => {
	assert.equal(r.status, status, `expected ${status}, got ${r.status}: ${r.text}`);
	assert.equal(r.headers['content-type'], 'application/json');
	assert.equal(r.json.success, true);
	return r.json;
};

test('list on a new account: templates is [] (asked of Meta)', async () => {
	const before = (await received(`/${a.wabaId}/message_templates`)).length;
	const r = ok(await api('GET', `${T}?accountId=${a.accountId}`, a.key));
	assert.deepEqual(r, { success: true, templates: [] });
	assert.equal((await received(`/${a.wabaId}/message_templates`)).length, before + 1);
});

test('create: {success, template{id,name,status,category,language}}, PENDING, stored', async () => {
	const r = ok(await api('POST', T, a.key, { body: template(a, 'order_confirmation') }));
	assert.deepEqual(Object.keys(r).sort(), ['success', 'template']);
	assert.deepEqual(Object.keys(r.template).sort(), ['category', 'id', 'language', 'name', 'status']);
	assert.match(r.template.id, /^\d{15,17}$/);
	assert.equal(r.template.name, 'order_confirmation');
	assert.equal(r.template.status, 'PENDING');
	assert.equal(r.template.category, 'UTILITY');
	assert.equal(r.template.language, 'en_US');
	// Meta got it with its spelling of the component types
	const [t] = await simTemplates(a.wabaId);
	assert.equal(t.id, r.template.id);
	assert.equal(t.components[0].type, 'BODY');
	assert.equal(psql(`SELECT status || ':' || meta_id FROM wa.templates WHERE org_id = '${a.orgId}'
		AND name = 'order_confirmation'`, { as: 'super' }), `PENDING:${r.template.id}`);
});

test('get one: the copy, with components; list: Meta, every field', async () => {
	const one = ok(await api('GET', `${T}/order_confirmation?accountId=${a.accountId}`, a.key)).template;
	assert.deepEqual(Object.keys(one).sort(), ['category', 'components', 'id', 'language', 'name', 'status']);
	assert.equal(one.components[0].text, 'Your order {{1}} has been confirmed. Expected delivery: {{2}}');
	const list = ok(await api('GET', `${T}?accountId=${a.accountId}`, a.key)).templates;
	assert.equal(list.length, 1);
	assert.deepEqual(list[0], one);
});

test('percent-encoded names: decoded before use; a name that cannot exist is 404', async () => {
	ok(await api('GET', `${T}/%6Frder_confirmation?accountId=${a.accountId}`, a.key));
	for (const p of ['order%20confirmation', 'order%2Fconfirmation', 'Order_Confirmation', '%C3%A9t%C3%A9']) {
		lateError(await api('GET', `${T}/${p}?accountId=${a.accountId}`, a.key), 404, 'not_found');
	}
	// unknown at Meta too
	lateError(await api('GET', `${T}/never_made?accountId=${a.accountId}`, a.key), 404, 'not_found');
});

test('languages: a second variant; without language the name is ambiguous', async () => {
	ok(await api('POST', T, a.key, { body: template(a, 'order_confirmation', { language: 'es' }) }));
	const r = lateError(await api('GET', `${T}/order_confirmation?accountId=${a.accountId}`, a.key),
		400, 'ambiguous_template');
	assert.deepEqual(r.details.languages, ['en_US', 'es']);
	const es = ok(await api('GET', `${T}/order_confirmation?accountId=${a.accountId}&language=es`, a.key));
	assert.equal(es.template.language, 'es');
	const list = ok(await api('GET', `${T}?accountId=${a.accountId}&language=es`, a.key)).templates;
	assert.deepEqual(list.map((t) => t.language), ['es']);
	const named = ok(await api('GET', `${T}?accountId=${a.accountId}&name=order_confirmation`, a.key));
	assert.equal(named.templates.length, 2);
});

test('update: PATCH components of an APPROVED template -> {id,name,language,status} PENDING', async () => {
	await review(a.wabaId, 'order_confirmation', 'APPROVED');
	const body = {
		accountId: a.accountId, language: 'en_US',
		components: [{ type: 'body', text: 'Updated: Your order {{1}} is confirmed. Delivery by {{2}}',
			example: { body_text: [['A-17', 'Friday']] } }],
	};
	const r = ok(await api('PATCH', `${T}/order_confirmation`, a.key, { body })).template;
	assert.deepEqual(Object.keys(r).sort(), ['id', 'language', 'name', 'status']);
	assert.equal(r.status, 'PENDING');
	assert.equal(r.language, 'en_US');
	const one = ok(await api('GET', `${T}/order_confirmation?accountId=${a.accountId}&language=en_US`, a.key));
	assert.match(one.template.components[0].text, /^Updated:/);
	// the language goes in the body of a PATCH
	lateError(await api('PATCH', `${T}/order_confirmation?language=en_US`, a.key, { body }), 400,
		'validation_error');
	// several languages and none chosen
	delete body.language;
	lateError(await api('PATCH', `${T}/order_confirmation`, a.key, { body }), 400, 'ambiguous_template');
});

test('update: a TTL-only edit keeps the template approved', async () => {
	ok(await api('POST', T, a.key, { body: template(a, 'ttl_only') }));
	await review(a.wabaId, 'ttl_only', 'APPROVED');
	const r = ok(await api('PATCH', `${T}/ttl_only`, a.key, {
		body: { accountId: a.accountId, message_send_ttl_seconds: 3600 },
	})).template;
	assert.equal(r.status, 'APPROVED');
	const bad = lateError(await api('PATCH', `${T}/ttl_only`, a.key, {
		body: { accountId: a.accountId, message_send_ttl_seconds: 86400 },
	}), 400, 'validation_error');
	assert.match(bad.details.fields.message_send_ttl_seconds, /30-43200 for a UTILITY template/);
});

test('delete one language, then the whole name: {success, message, scope[, language]}', async () => {
	let r = ok(await api('DELETE', `${T}/order_confirmation?accountId=${a.accountId}&language=es`, a.key));
	assert.deepEqual(r, { success: true, message: 'Template "order_confirmation" deleted successfully',
		scope: 'language', language: 'es' });
	assert.deepEqual((await simTemplates(a.wabaId)).filter((t) => t.name === 'order_confirmation')
		.map((t) => t.language), ['en_US']);
	r = ok(await api('DELETE', `${T}/order_confirmation?accountId=${a.accountId}`, a.key, { body: {} }));
	assert.equal(r.scope, 'all_languages');
	assert.equal(r.language, undefined);
	lateError(await api('DELETE', `${T}/order_confirmation?accountId=${a.accountId}`, a.key), 404, 'not_found');
	lateError(await api('GET', `${T}/order_confirmation?accountId=${a.accountId}`, a.key), 404, 'not_found');
	assert.equal(psql(`SELECT count(*) FROM wa.templates WHERE org_id = '${a.orgId}'
		AND name = 'order_confirmation'`, { as: 'super' }), '0');
	// a DELETE body that is not JSON is refused
	lateError(await api('DELETE', `${T}/ttl_only?accountId=${a.accountId}`, a.key, { body: 'nope' }), 400,
		'invalid_request');
});

test('accountId: required; another tenant\'s or a malformed one is 404', async () => {
	const r = lateError(await api('GET', T, a.key), 400, 'validation_error');
	assert.deepEqual(Object.keys(r.details.fields), ['accountId']);
	lateError(await api('GET', `${T}?accountId=${b.accountId}`, a.key), 404, 'not_found');
	lateError(await api('GET', `${T}?accountId=nope`, a.key), 404, 'not_found');
	lateError(await api('POST', T, a.key, { body: template(b, 'x_y') }), 404, 'not_found');
	lateError(await api('GET', `${T}/ttl_only?accountId=${b.accountId}`, a.key), 404, 'not_found');
	lateError(await api('PATCH', `${T}/ttl_only`, a.key, { body: { accountId: b.accountId, message_send_ttl_seconds: 60 } }),
		404, 'not_found');
	lateError(await api('DELETE', `${T}/ttl_only?accountId=${b.accountId}`, a.key), 404, 'not_found');
	// b's own list does not see a's templates
	assert.deepEqual(ok(await api('GET', `${T}?accountId=${b.accountId}`, b.key)).templates, []);
});

test('keys: none is 401; a member reads but does not change templates (403)', async () => {
	lateError(await request('GET', `${T}?accountId=${a.accountId}`), 401, 'unauthorized');
	ok(await api('GET', `${T}?accountId=${a.accountId}`, a.memberKey));
	ok(await api('GET', `${T}/ttl_only?accountId=${a.accountId}`, a.memberKey));
	lateError(await api('POST', T, a.memberKey, { body: template(a, 'by_member') }), 403, 'forbidden');
	lateError(await api('PATCH', `${T}/ttl_only`, a.memberKey, {
		body: { accountId: a.accountId, message_send_ttl_seconds: 60 } }), 403, 'forbidden');
	lateError(await api('DELETE', `${T}/ttl_only?accountId=${a.accountId}`, a.memberKey), 403, 'forbidden');
	// Authorization: Bearer, as the Late SDK sends it
	ok(await request('GET', `${T}?accountId=${a.accountId}`, { headers: { authorization: `Bearer ${a.key}` } }));
});

test('Idempotency-Key on create: the replay makes no second template at Meta', async () => {
	const headers = { 'idempotency-key': `tpl-${process.pid}` };
	const first = await api('POST', T, a.key, { body: template(a, 'idem_once'), headers });
	ok(first);
	const again = await api('POST', T, a.key, { body: template(a, 'idem_once'), headers });
	assert.equal(again.headers['idempotent-replayed'], 'true');
	assert.deepEqual(again.json, first.json);
	assert.equal((await simTemplates(a.wabaId)).filter((t) => t.name === 'idem_once').length, 1);
	// the same key with another body
	lateError(await api('POST', T, a.key, { body: template(a, 'idem_twice'), headers }), 422,
		'idempotency_key_reused');
});

test('methods: PUT is 405 with Allow', async () => {
	const r = lateError(await api('PUT', `${T}/ttl_only`, a.key, { body: {} }), 405, 'method_not_allowed');
	assert.ok(r);
});
