// The stack answers, over TLS, in each face's envelope.
import test from 'node:test';
import assert from 'node:assert/strict';
import { api, tenant } from './lib/harness.mjs';

test('a demo-like tenant lists its profiles', async () => {
	const t = tenant();
	const r = await api('GET', '/v3/profiles', t.key);
	assert.equal(r.status, 200);
	assert.equal(r.headers['content-type'], 'application/json');
	assert.match(r.headers['x-request-id'], /^req_/);
	assert.deepEqual(r.json.data, { profiles: [] });
	assert.equal(r.json.success, true);
	assert.equal(r.json.error, null);
	assert.equal(r.json.meta.version, 'v3');
	assert.match(r.json.meta.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
});
