// Keys, roles and tenants on every bot-flow route: 401 without a good
// key, 403 for another organization's {orgId} or a member key that
// writes, 404 for another organization's flows and malformed ids; and
// nginx's routing of /organizations/... paths.
import test from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { admin, api, key, psql, request, tenant } from './lib/harness.mjs';
import { mosendError } from './lib/expect.mjs';
import {
	createFlow, flowPath, flowsPath, mosendOk, notFound, ONBOARDING,
} from './lib/flows.mjs';

const a = tenant();
const b = tenant();
const fa = await createFlow(a, { name: 'A flow', steps: ONBOARDING });
const fb = await createFlow(b, { name: 'B flow', steps: ONBOARDING });

// Every route, as [method, path, body].
const routes = (t, id) => [
	['GET', flowsPath(t)],
	['POST', flowsPath(t), { name: 'x' }],
	['GET', flowPath(t, id)],
	['PATCH', flowPath(t, id), { name: 'x' }],
	['DELETE', flowPath(t, id)],
	['POST', flowPath(t, id, '/publish')],
	['POST', flowPath(t, id, '/unpublish')],
	['POST', flowPath(t, id, '/duplicate')],
	['POST', flowPath(t, id, '/test-run'), { messages: [] }],
];

test('no key, a malformed key, an unknown key: 401 on every route', async () => {
	for (const [m, p, body] of routes(a, fa.id)) {
		let e = mosendError(await request(m, p, { body }), 401, 'Unauthorized', p);
		assert.match(e.message, /^API key is required/);
		e = mosendError(await api(m, p, 'not-a-key', { body }), 401, 'Unauthorized', p);
		assert.match(e.message, /^Invalid or revoked API key/);
		e = mosendError(await api(m, p, 'mk_live_AAAAAAAAAAAA.BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB', { body }),
			401, 'Unauthorized', p);
	}
	// the same key as a Bearer token is as good as X-Api-Key
	for (const p of [flowsPath(a), flowPath(a, fa.id)]) {
		const r = await request('GET', p, { headers: { authorization: `Bearer ${a.key}` } });
		mosendOk(r);
	}
});

test("another organization's key on {orgId}: 403 on every route, nothing changes", async () => {
	for (const [m, p, body] of routes(a, fa.id)) {
		const e = mosendError(await api(m, p, b.key, { body }), 403, 'Forbidden', p);
		assert.equal(e.message, `This API key does not belong to organization ${a.orgId}`);
	}
	const still = mosendOk(await api('GET', flowPath(a, fa.id), a.key));
	assert.equal(still.name, 'A flow');
	assert.equal(still.published, false);
});

test("another organization's flow under your own {orgId}: 404, like a flow that never existed", async () => {
	for (const [m, p, body] of routes(a, fb.id).slice(2)) {
		const theirs = notFound(await api(m, p, a.key, { body }), p);
		assert.equal(theirs.message, 'flow not found');
		const q = p.replace(fb.id, crypto.randomUUID());
		const nobody = notFound(await api(m, q, a.key, { body }), q);
		assert.equal(nobody.message, theirs.message);
	}
	const g = mosendOk(await api('GET', flowPath(b, fb.id), b.key));
	assert.equal(g.name, 'B flow');
	assert.equal(g.published, false);
	assert.ok(!mosendOk(await api('GET', flowsPath(a), a.key)).some((f) => f.id === fb.id));
});

test('malformed flow ids: 404 on every route, never 400 or 500', async () => {
	for (const bad of ['zzz', '123', `${fa.id}x`, fa.id.slice(0, -1), "1' OR '1'='1", 'null',
		'x'.repeat(2000), encodeURIComponent('é'.repeat(20)), '%2F']) {
		for (const [m, p, body] of routes(a, bad).slice(2)) {
			const r = await api(m, p, a.key, { body });
			assert.equal(r.status, 404, `${m} ${p}: ${r.status} ${r.text}`);
			assert.equal(r.json.statusCode, 404);
		}
	}
	// not UTF-8 once decoded: 400
	const p = flowPath(a, '%ff%fe');
	const e = mosendError(await api('GET', p, a.key), 400, 'Bad Request', '/');
	assert.equal(typeof e.message, 'string');
});

test('a member key reads and test-runs; changing a flow takes an admin key', async () => {
	const member = key(a.orgId, { role: 'member' }).WA_API_KEY;
	mosendOk(await api('GET', flowsPath(a), member));
	mosendOk(await api('GET', flowPath(a, fa.id), member));
	mosendOk(await api('POST', flowPath(a, fa.id, '/test-run'), member, { body: { messages: [] } }), 201);
	for (const [m, p, body] of routes(a, fa.id).filter(([m, p]) => m !== 'GET' && !p.endsWith('/test-run'))) {
		const e = mosendError(await api(m, p, member, { body }), 403, 'Forbidden', p);
		assert.equal(e.message, 'This operation requires an admin API key');
	}
	assert.equal(mosendOk(await api('GET', flowPath(a, fa.id), a.key)).name, 'A flow');
});

test('a revoked key: 401', async () => {
	const k = key(a.orgId);
	admin('key', 'revoke', k.WA_API_KEY.slice(8, 20));
	mosendError(await api('GET', flowsPath(a), k.WA_API_KEY), 401, 'Unauthorized', flowsPath(a));
});

test('routing: unknown sub-paths and methods are Mosend 404/405, from the family or nginx', async () => {
	// the family's own 404 and 405
	let p = flowPath(a, fa.id, '/archive');
	let e = mosendError(await api('POST', p, a.key), 404, 'Not Found', p);
	assert.equal(e.message, `Cannot POST ${p}`);
	p = flowsPath(a);
	let r = await api('PUT', p, a.key, { body: {} });
	e = mosendError(r, 405, 'Method Not Allowed', p);
	assert.deepEqual(r.headers.allow.split(', ').filter((m) => m !== 'HEAD'), ['GET', 'POST']);
	r = await api('GET', flowPath(a, fa.id, '/publish'), a.key);
	mosendError(r, 405, 'Method Not Allowed', flowPath(a, fa.id, '/publish'));
	assert.deepEqual(r.headers.allow.split(', '), ['POST']);
	// trailing slash is the same collection
	mosendOk(await api('GET', `${flowsPath(a)}/`, a.key));
	// paths the family does not own: nginx's JSON 404, Mosend envelope
	for (const q of [`/organizations/${a.orgId}/bot/flowsx`, `/organizations/${a.orgId}/bot`,
		`/organizations/${a.orgId}/bot/other`, `/organizations/${a.orgId}/nothing`,
		'/organizations/bot/flows', `/organizations/${a.orgId}/x/bot/flows`]) {
		e = mosendError(await api('GET', q, a.key), 404, 'Not Found', q);
		assert.equal(e.message, `Cannot GET ${q}`);
	}
});

test('Idempotency-Key: a repeated create is replayed, not created twice', async () => {
	const u = tenant();
	const headers = { 'idempotency-key': `flow-${Date.now()}` };
	const one = await api('POST', flowsPath(u), u.key, { headers, body: { name: 'Once' } });
	const two = await api('POST', flowsPath(u), u.key, { headers, body: { name: 'Once' } });
	assert.equal(mosendOk(two, 201).id, mosendOk(one, 201).id);
	assert.equal(two.headers['idempotent-replayed'], 'true');
	assert.equal(mosendOk(await api('GET', flowsPath(u), u.key)).length, 1);
	const other = await api('POST', flowsPath(u), u.key, { headers, body: { name: 'Twice' } });
	mosendError(other, 422, 'Unprocessable Entity', flowsPath(u));
});

test('row-level security: the application role sees no flow without a tenant, only its own with one', async () => {
	assert.equal(psql('SELECT count(*) FROM wa.bot_flows'), '0');
	assert.equal(psql('SELECT count(*) FROM wa.bot_flow_versions'), '0');
	const n = psql(`BEGIN; SELECT set_config('wa.org_id', '${a.orgId}', true);
		SELECT count(*) FROM wa.bot_flows WHERE id = '${fb.id}'; COMMIT;`);
	assert.equal(n.split('\n').pop(), '0');
	// a row cannot be written into another tenant
	assert.throws(() => psql(`BEGIN; SELECT set_config('wa.org_id', '${a.orgId}', true);
		INSERT INTO wa.bot_flows (org_id, name) VALUES ('${b.orgId}', 'intruder'); COMMIT;`),
	/row-level security/);
});
