// Template validation before Meta is asked: the seed's rules (name
// ^[a-z][a-z0-9_]*$, category enum, language, components required) and
// Meta's component rules (placeholders {{1}}.. without gaps, examples
// where Meta wants them, header/body/footer/buttons limits).  Every
// problem is listed in details.fields (Late's ValidationError), and the
// simulator receives nothing.
import test from 'node:test';
import assert from 'node:assert/strict';
import { api } from './lib/harness.mjs';
import { lateError } from './lib/expect.mjs';
import { metaTenant, received, template } from './lib/meta.mjs';

const t = await metaTenant();
const T = '/v1/whatsapp/templates';

function invalid(r, fields) {
	const e = lateError(r, 400, 'validation_error');
	assert.deepEqual(Object.keys(e.details.fields).sort(), [...fields].sort(), r.text);
	for (const [f, m] of Object.entries(e.details.fields)) assert.ok(m.startsWith(f), `${m} names ${f}`);
	assert.match(e.error, /^Request validation failed: /);
	return e.details.fields;
}

const body = (text, example) => ({ type: 'body', text, ...(example ? { example: { body_text: [example] } } : {}) });

test('the seed\'s fields: each one wrong is listed', async () => {
	const f = invalid(await api('POST', T, t.key, { body: {} }),
		['accountId', 'name', 'category', 'language', 'components']);
	assert.equal(f.name, 'name is required');
	invalid(await api('POST', T, t.key, { body: {
		accountId: t.accountId, name: 'Order-Confirmation', category: 'utility', language: 'english', components: [],
	} }), ['name', 'category', 'language', 'components']);
	for (const name of ['1order', '_order', 'order confirmation', 'ordér', 'a'.repeat(513), '']) {
		invalid(await api('POST', T, t.key, { body: template(t, name) }), ['name']);
	}
	invalid(await api('POST', T, t.key, { body: template(t, 'x', { components: 'body' }) }), ['components']);
	invalid(await api('POST', T, t.key, { body: template(t, 'x', { components: [1] }) }), ['components[0]']);
	invalid(await api('POST', T, t.key, { body: template(t, 'x', { parameter_format: 'NAMED' }) }),
		['parameter_format']);
	invalid(await api('POST', T, t.key, { body: template(t, 'x', { accountId: 7 }) }), ['accountId']);
});

test('components: Meta\'s rules, with paths', async () => {
	const cases = [
		[[body('Hi {{1}}')], ['components[0].example.body_text']],
		[[body('Hi {{1}} and {{3}}', ['a', 'b'])], ['components[0].text']],
		[[body('Hi {{first_name}}')], ['components[0].text']],
		[[body('Hi {{1}} {{2}}', ['only one'])], ['components[0].example.body_text']],
		[[body('x'.repeat(1025))], ['components[0].text']],
		[[{ type: 'footer', text: 'f' }], ['components']],
		[[body('a'), body('b')], ['components[1]']],
		[[{ type: 'carousel' }, body('a')], ['components[0]']],
		[[{ type: 'header', format: 'gif' }, body('a')], ['components[0].format']],
		[[{ type: 'header', format: 'image' }, body('a')], ['components[0].example.header_handle']],
		[[{ type: 'header', format: 'text', text: 'Hi {{1}}' }, body('a')],
			['components[0].example.header_text']],
		[[body('a'), { type: 'footer', text: 'x {{1}}' }], ['components[1].text']],
		[[body('a'), { type: 'buttons', buttons: [] }], ['components[1].buttons']],
		[[body('a'), { type: 'buttons', buttons: [{ type: 'url', text: 'Go', url: 'https://x/{{1}}/y' }] }],
			['components[1].buttons[0].url']],
		[[body('a'), { type: 'buttons', buttons: [{ type: 'url', text: 'Go', url: 'https://x/{{1}}' }] }],
			['components[1].buttons[0].example']],
		[[body('a'), { type: 'buttons', buttons: [{ type: 'quick_reply', text: 'x'.repeat(26) }] }],
			['components[1].buttons[0].text']],
		[[body('a'), { type: 'buttons', buttons: [{ type: 'phone_number', text: 'Call', phone_number: 'call me' }] }],
			['components[1].buttons[0].phone_number']],
		[[body('a'), { type: 'buttons', buttons: [{ type: 'otp', otp_type: 'copy_code' }] }],
			['components[1].buttons[0].type']],
		[[body('a'), { type: 'buttons', buttons: Array(11).fill({ type: 'quick_reply', text: 'q' }) }],
			['components[1].buttons']],
	];
	for (const [components, fields] of cases) {
		invalid(await api('POST', T, t.key, { body: template(t, 'checked', { components }) }), fields);
	}
	// AUTHENTICATION: an OTP button, and no body text needed
	invalid(await api('POST', T, t.key, { body: template(t, 'otp_code', {
		category: 'AUTHENTICATION', components: [{ type: 'body', add_security_recommendation: true }],
	}) }), ['components']);
	// several problems at once: all listed
	invalid(await api('POST', T, t.key, { body: template(t, 'Bad', {
		components: [body('Hi {{2}}'), { type: 'footer', text: 'y'.repeat(61) }],
	}) }), ['name', 'components[0].text', 'components[1].text']);
});

test('valid templates of every kind reach Meta and come back PENDING', async () => {
	const ok = [
		template(t, 'rich_marketing', { category: 'MARKETING', components: [
			{ type: 'header', format: 'text', text: 'Hi {{1}}', example: { header_text: ['Ann'] } },
			body('Our sale ends {{1}}.', ['Sunday']),
			{ type: 'footer', text: 'Lucky Shrub' },
			{ type: 'buttons', buttons: [
				{ type: 'quick_reply', text: 'Stop' },
				{ type: 'url', text: 'Shop', url: 'https://shop.example/{{1}}', example: ['summer'] },
				{ type: 'phone_number', text: 'Call us', phone_number: '+16467043595' },
			] },
		] }),
		template(t, 'otp_code', { category: 'AUTHENTICATION', components: [
			{ type: 'body', add_security_recommendation: true },
			{ type: 'footer', code_expiration_minutes: 5 },
			{ type: 'buttons', buttons: [{ type: 'otp', otp_type: 'copy_code' }] },
		] }),
		template(t, 'plain_utility', { components: [{ type: 'BODY', text: 'No parameters here.' }],
			parameter_format: 'POSITIONAL' }),
	];
	for (const b of ok) {
		const r = await api('POST', T, t.key, { body: b });
		assert.equal(r.status, 200, r.text);
		assert.equal(r.json.template.status, 'PENDING');
		assert.equal(r.json.template.category, b.category);
	}
});

test('nothing invalid reached the simulator', async () => {
	const got = (await received(`/${t.wabaId}/message_templates`)).filter((x) => x.method === 'POST');
	assert.deepEqual(got.map((x) => JSON.parse(x.body).name).sort(), ['otp_code', 'plain_utility', 'rich_marketing']);
});

test('bodies: not JSON, not an object, too deep, too large: 400/413, never 500', async () => {
	lateError(await api('POST', T, t.key, { body: '{"name":' }), 400, 'invalid_request');
	lateError(await api('POST', T, t.key, { body: '[1]' }), 400, 'invalid_request');
	lateError(await api('POST', T, t.key, { body: `${'['.repeat(40)}${']'.repeat(40)}` }), 400, 'invalid_request');
	const r = await api('POST', T, t.key, { body: JSON.stringify({ x: 'y'.repeat(2 * 1024 * 1024) }) });
	assert.equal(r.status, 413);
	// a query that is not UTF-8
	lateError(await api('GET', `${T}?accountId=%ff`, t.key), 400, 'invalid_request');
});
