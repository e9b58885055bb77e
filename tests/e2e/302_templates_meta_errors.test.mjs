// Meta's refusals and failures through /v1/whatsapp/templates: each is
// a clear wagate error in Late's envelope with Meta's code in
// details.meta (or the transport failure in details.upstream), with
// Retry-After where a retry helps, and never a 500 (lib/graph_err.c,
// docs/meta.md).  Faults come from the simulator's control API.
import test from 'node:test';
import assert from 'node:assert/strict';
import { api, logTail } from './lib/harness.mjs';
import { lateError } from './lib/expect.mjs';
import { control, faults, metaTenant, review, template } from './lib/meta.mjs';

const t = await metaTenant();
const T = '/v1/whatsapp/templates';
const list = () => api('GET', `${T}?accountId=${t.accountId}`, t.key);

test.afterEach(async () => { await faults(); });

test('Meta refuses a duplicate (100/2388024): 409 with Meta\'s code', async () => {
	assert.equal((await api('POST', T, t.key, { body: template(t, 'twice') })).status, 200);
	// wagate leaves the verdict to Meta, which has it already
	const r = await api('POST', T, t.key, { body: template(t, 'twice') });
	const e = lateError(r, 409, 'conflict');
	assert.equal(r.headers['x-should-retry'], 'false');
	assert.match(e.error, /already exists/);
	assert.equal(e.details.meta.code, 100);
	assert.equal(e.details.meta.subcode, 2388024);
	assert.equal(e.details.meta.type, 'OAuthException');
	assert.ok(e.details.meta.fbtraceId);
	assert.equal(e.details.retryable, false);
});

test('editing a PENDING template: Meta\'s state rule, 422 meta_refused', async () => {
	const e = lateError(await api('PATCH', `${T}/twice`, t.key, { body: {
		accountId: t.accountId, components: [{ type: 'body', text: 'Changed' }] } }), 422, 'meta_refused');
	assert.equal(e.details.meta.subcode, 2388039);
});

test('rate limited (130429), under both status profiles: 429 with Retry-After', async () => {
	for (const profile of ['classic', 'documented']) {
		await control('POST', '/_sim/config', { status_profile: profile });
		await faults({ path: '/*/message_templates', code: 130429 });
		const r = await list();
		const e = lateError(r, 429, 'meta_rate_limited');
		assert.equal(r.headers['retry-after'], '1');
		assert.equal(e.details.meta.code, 130429);
		assert.equal(e.details.retryable, true);
	}
	await control('POST', '/_sim/config', { status_profile: 'classic' });
});

test('5xx from Meta: 503 meta_unavailable with Retry-After; the next call works', async () => {
	await faults({ path: '/*/message_templates', status: 500, code: 131000 });
	const r = await list();
	const e = lateError(r, 503, 'meta_unavailable');
	assert.equal(r.headers['retry-after'], '5');
	assert.equal(e.details.meta.code, 131000);
	assert.equal((await list()).status, 200);
});

test('transport failures: timeout 504, dropped 502, malformed 502, redirect 502', async () => {
	const cases = [
		[{ timeout: true, latency_ms: 6000 }, 504, 'upstream_timeout', 'timeout'],
		[{ drop: true, count: -1 }, 502, 'upstream_error', 'dropped'],
		[{ malformed: true }, 502, 'upstream_error', 'malformed'],
		[{ redirect: true }, 502, 'upstream_error', 'redirect'],
	];
	for (const [f, status, code, upstream] of cases) {
		await faults({ path: '/*/message_templates', ...f });
		const r = await list();
		const e = lateError(r, status, code);
		assert.equal(e.details.upstream, upstream, r.text);
		assert.equal(r.headers['x-should-retry'], 'false');
	}
});

test('an expired token: 422 meta_auth_error, the account needs a new token', async () => {
	await control('POST', '/_sim/tokens', { token: t.token, state: 'expired' });
	try {
		const e = lateError(await list(), 422, 'meta_auth_error');
		assert.equal(e.details.meta.code, 190);
		assert.equal(e.details.meta.subcode, 463);
		assert.match(e.error, /access token is expired or invalid/);
	} finally {
		await control('POST', '/_sim/tokens', { token: t.token, state: 'valid' });
	}
});

test('Meta\'s errors for every operation are never a 500; the log has fbtrace_id, not the token', async () => {
	const log = logTail('templates');
	await review(t.wabaId, 'twice', 'APPROVED');
	await faults({ path: '*', status: 400, code: 100, count: -1 });
	const calls = [
		['GET', `${T}?accountId=${t.accountId}`],
		['POST', T, template(t, 'another')],
		['GET', `${T}/not_in_copy?accountId=${t.accountId}`],
		['PATCH', `${T}/twice`, { accountId: t.accountId, components: [{ type: 'body', text: 'x' }] }],
		['DELETE', `${T}/twice?accountId=${t.accountId}`],
	];
	for (const [m, p, body] of calls) {
		const r = await api(m, p, t.key, body ? { body } : {});
		assert.equal(r.status, 400, `${m} ${p}: ${r.text}`);
		assert.equal(r.json.code, 'meta_invalid_request');
		assert.equal(r.json.details.meta.code, 100);
	}
	const text = log.text();
	assert.match(text, /fbtrace_id=/);
	assert.ok(!text.includes(t.token), 'the token is not logged');
});
