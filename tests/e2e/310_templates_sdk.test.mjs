// The official Late SDK, latest (@getlatedev/node 0.2.869, pinned),
// against /v1/whatsapp/templates unchanged: list, create, get, update,
// delete, and the error classes it raises for wagate's answers.
import test from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { RateLimitError, ValidationError, ZernioApiError } from '@getlatedev/node';
import { faults, late, metaTenant, review, simTemplates } from './lib/meta.mjs';

const t = await metaTenant();
const sdk = late(t.key).whatsapp;
const components = [{
	type: 'body', text: 'Your order {{1}} has been confirmed. Expected delivery: {{2}}',
	example: { body_text: [['A-17', 'Monday']] },
}];

// The SDK resolves {data, request, response} with the raw body.
async function ok(promise) {
	const r = await promise;
	assert.equal(r.response.status, 200);
	assert.equal(r.data.success, true);
	return r.data;
}

async function rejects(promise, Cls, status, code) {
	await assert.rejects(promise, (e) => {
		assert.ok(e instanceof Cls, `${e.constructor.name}: ${e.message}`);
		assert.equal(e.statusCode, status);
		assert.equal(e.code, code);
		return true;
	});
}

test('getWhatsAppTemplates on a new account: templates []', async () => {
	const d = await ok(sdk.getWhatsAppTemplates({ query: { accountId: t.accountId } }));
	assert.deepEqual(d.templates, []);
});

test('createWhatsAppTemplate: template{id,name,status,category,language}', async () => {
	const d = await ok(sdk.createWhatsAppTemplate({ body: {
		accountId: t.accountId, name: 'order_confirmation', category: 'UTILITY', language: 'en_US', components,
	} }));
	assert.equal(d.template.name, 'order_confirmation');
	assert.equal(d.template.status, 'PENDING');
	assert.equal(d.template.category, 'UTILITY');
	assert.equal(d.template.language, 'en_US');
	assert.equal(d.template.id, (await simTemplates(t.wabaId))[0].id);
});

test('getWhatsAppTemplate by name, and the list with filters', async () => {
	const d = await ok(sdk.getWhatsAppTemplate({
		path: { templateName: 'order_confirmation' }, query: { accountId: t.accountId },
	}));
	assert.equal(d.template.status, 'PENDING');
	assert.deepEqual(d.template.components[0].text, components[0].text);
	const l = await ok(sdk.getWhatsAppTemplates({ query: { accountId: t.accountId, status: 'PENDING',
		name: 'order_confirmation', language: 'en_US' } }));
	assert.deepEqual(l.templates.map((x) => x.name), ['order_confirmation']);
	const none = await ok(sdk.getWhatsAppTemplates({ query: { accountId: t.accountId, status: 'APPROVED' } }));
	assert.deepEqual(none.templates, []);
});

test('updateWhatsAppTemplate (PATCH) of an approved template', async () => {
	await review(t.wabaId, 'order_confirmation', 'APPROVED');
	const d = await ok(sdk.updateWhatsAppTemplate({ path: { templateName: 'order_confirmation' }, body: {
		accountId: t.accountId,
		components: [{ type: 'body', text: 'Updated: Your order {{1}} is confirmed. Delivery by {{2}}',
			example: { body_text: [['A-17', 'Friday']] } }],
	} }));
	assert.equal(d.template.name, 'order_confirmation');
	assert.equal(d.template.status, 'PENDING');
	assert.equal(d.template.language, 'en_US');
});

test('the SDK\'s error classes: ValidationError, ZernioApiError 404 and 409, RateLimitError', async () => {
	await assert.rejects(sdk.createWhatsAppTemplate({ body: {
		accountId: t.accountId, name: 'Bad Name', category: 'UTILITY', language: 'en_US', components,
	} }), (e) => {
		assert.ok(e instanceof ValidationError, e.constructor.name);
		assert.deepEqual(Object.keys(e.fields), ['name']);
		return true;
	});
	await rejects(sdk.getWhatsAppTemplate({ path: { templateName: 'nope' }, query: { accountId: t.accountId } }),
		ZernioApiError, 404, 'not_found');
	await rejects(sdk.getWhatsAppTemplates({ query: { accountId: crypto.randomUUID() } }),
		ZernioApiError, 404, 'not_found');
	await rejects(sdk.createWhatsAppTemplate({ body: {
		accountId: t.accountId, name: 'order_confirmation', category: 'UTILITY', language: 'en_US', components,
	} }), ZernioApiError, 409, 'conflict');
	await faults({ path: '/*/message_templates', code: 130429 });
	try {
		await rejects(sdk.getWhatsAppTemplates({ query: { accountId: t.accountId } }), RateLimitError, 429,
			'meta_rate_limited');
	} finally {
		await faults();
	}
	// no key at all: the SDK refuses before sending
	assert.throws(() => late(''), /ZERNIO_API_KEY/);
});

test('deleteWhatsAppTemplate: {success, message, scope}', async () => {
	const d = await ok(sdk.deleteWhatsAppTemplate({
		path: { templateName: 'order_confirmation' }, query: { accountId: t.accountId },
	}));
	assert.equal(d.message, 'Template "order_confirmation" deleted successfully');
	assert.equal(d.scope, 'all_languages');
	assert.deepEqual(await simTemplates(t.wabaId), []);
	await rejects(sdk.deleteWhatsAppTemplate({
		path: { templateName: 'order_confirmation' }, query: { accountId: t.accountId },
	}), ZernioApiError, 404, 'not_found');
});

test('names with spaces and slashes are percent-encoded by the SDK and found missing, not routed elsewhere', async () => {
	await rejects(sdk.getWhatsAppTemplate({ path: { templateName: 'order confirm/v2' },
		query: { accountId: t.accountId } }), ZernioApiError, 404, 'not_found');
});
