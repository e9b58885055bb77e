// The answers nginx makes itself (unknown paths, 405, 413, 429, 502, the
// plain-HTTP redirect) are JSON in the envelope of the face that owns
// the path, with Content-Type: application/json and X-Request-Id.
import test from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import crypto from 'node:crypto';
import {
	api, eventually, h2request, HTTP_PORT, request, startFamily, stopFamily, tenant,
} from './lib/harness.mjs';
import { lateError, mosendError, sentError, sentOk } from './lib/expect.mjs';

const t = tenant();

test('unknown path under /v3: Sent envelope, 404 RESOURCE_000', async () => {
	for (const [m, path] of [['GET', '/v3/__nope'], ['POST', '/v3/messages'], ['GET', '/v3'], ['DELETE', '/v3/x/y?z=1']]) {
		const e = sentError(await api(m, path, t.key, { body: m === 'POST' ? {} : undefined }), 404, 'RESOURCE_000');
		assert.equal(e.message, `Route not found: ${m} ${path.split('?')[0]}`);
		assert.equal(e.details, null);
	}
	// also without a key: nginx answers before any family
	sentError(await request('GET', '/v3/__nope'), 404, 'RESOURCE_000');
});

test('unknown path under /v3/profiles: the family answers 404 RESOURCE_000', async () => {
	const e = sentError(await api('GET', `/v3/profiles/${crypto.randomUUID()}/campaigns`, t.key), 404, 'RESOURCE_000');
	assert.match(e.message, /^Route not found: GET \/v3\/profiles\//);
	sentError(await api('GET', '/v3/profilesX', t.key), 404, 'RESOURCE_000');
});

test('unknown path under /v1: Late body {success:false, error, code:"not_found"}', async () => {
	for (const path of ['/v1/nope', '/v1', '/v1/whatsapp/none?accountId=1']) {
		const r = await request('GET', path);
		const body = lateError(r, 404, 'not_found');
		assert.deepEqual(Object.keys(body).sort(), ['code', 'error', 'success']);
		assert.equal(body.error, `Route not found: GET ${path.split('?')[0]}`);
	}
});

test('unknown /organizations/... and /: Mosend body, "Cannot GET /x"', async () => {
	// (/organizations/{orgId}/bot/flows is bot_flows' now: a neighbour no
	// family claims stands in for it)
	for (const path of ['/organizations/x', '/organizations/123/bot/nothing', '/', '/x', '/v2/anything', '/v3x']) {
		const b = mosendError(await request('GET', path), 404, 'Not Found', path);
		assert.equal(b.message, `Cannot GET ${path}`);
	}
	const b = mosendError(await request('POST', '/organizations/x/y', { body: { a: 1 } }), 404, 'Not Found', '/organizations/x/y');
	assert.equal(b.message, 'Cannot POST /organizations/x/y');
	// the internal error pages are not reachable from outside
	mosendError(await request('GET', '/__wa_error/sent'), 404, 'Not Found', '/__wa_error/sent');
});

test('X-Request-Id: a sane incoming id is echoed, anything else replaced', async () => {
	const id = `trace-${Date.now()}:1.2_x`;
	for (const path of ['/v3/__nope', '/v3/profiles']) {
		const r = await api('GET', path, t.key, { headers: { 'x-request-id': id } });
		assert.equal(r.headers['x-request-id'], id);
		assert.equal(r.json.meta.request_id, id);
	}
	const r = await api('GET', '/v3/profiles', t.key, { headers: { 'x-request-id': 'bad id"<script>' } });
	assert.match(r.headers['x-request-id'], /^req_[0-9a-f]+$/);
	assert.equal(sentOk(r).profiles.length, 0);
	assert.equal(r.json.meta.request_id, r.headers['x-request-id']);
});

test('TRACE: 405 from nginx in each face', async () => {
	const e = sentError(await api('TRACE', '/v3/profiles', t.key), 405, 'REQUEST_405');
	assert.equal(e.message, 'Method TRACE not allowed');
	lateError(await request('TRACE', '/v1/whatsapp/templates'), 405, 'method_not_allowed');
	const b = mosendError(await request('TRACE', '/organizations/x'), 405, 'Method Not Allowed', '/organizations/x');
	assert.equal(b.message, 'Method TRACE not allowed');
});

test('a method the route lacks: 405 from the family with an Allow header', async () => {
	for (const m of ['PUT', 'DELETE', 'PATCH']) {
		const r = await api(m, '/v3/profiles', t.key, { body: {} });
		sentError(r, 405, 'REQUEST_405');
		assert.equal(r.headers.allow, 'GET, POST, HEAD');
	}
	const r = await api('PUT', `/v3/profiles/${crypto.randomUUID()}`, t.key, { body: { name: 'x' } });
	const e = sentError(r, 405, 'REQUEST_405');
	assert.match(e.message, /PUT/);
	assert.deepEqual(r.headers.allow.split(', ').sort(), ['DELETE', 'GET', 'HEAD', 'PATCH']);
	// the method is checked before the key
	const anon = await request('PUT', '/v3/profiles');
	sentError(anon, 405, 'REQUEST_405');
});

const big = () => JSON.stringify({ name: 'big', description: 'x'.repeat(1.1 * 1024 * 1024) });

test('a 1.1 MB body over HTTP/1.1: 413 REQUEST_413 in the Sent envelope', async () => {
	const r = await api('POST', '/v3/profiles', t.key, { body: big(), http1Agent: new https.Agent({ keepAlive: false }) });
	const e = sentError(r, 413, 'REQUEST_413');
	assert.equal(e.message, 'Request body too large');
	const l = await request('POST', '/v1/whatsapp/bulk', { body: big(), http1Agent: new https.Agent({ keepAlive: false }) });
	lateError(l, 413, 'payload_too_large');
});

test('a 1.1 MB body over HTTP/2: 413 REQUEST_413 in the Sent envelope', async () => {
	const body = big();
	// announced by content-length, and found while reading (no length)
	for (const headers of [{ 'content-length': Buffer.byteLength(body) }, {}]) {
		const r = await h2request('POST', '/v3/profiles', { headers: { 'x-api-key': t.key, ...headers }, body });
		const e = sentError(r, 413, 'REQUEST_413');
		assert.equal(e.message, 'Request body too large');
	}
	// an ordinary request over HTTP/2 works
	const ok = await h2request('GET', '/v3/profiles', { headers: { 'x-api-key': t.key } });
	assert.deepEqual(sentOk(ok), { profiles: [] });
	// and a body under the limit is read in full
	const made = await h2request('POST', '/v3/profiles', {
		headers: { 'x-api-key': t.key }, body: JSON.stringify({ name: 'h2', description: 'y'.repeat(1000) }),
	});
	assert.equal(sentOk(made, 201).description, 'y'.repeat(1000));
});

test('headers too large: 400 in the Sent envelope', async () => {
	// nginx turns its internal 494 into 400 before the error page sees
	// it, so this is the generic "Malformed request" of a 400.
	const r = await api('GET', '/v3/profiles', t.key, { headers: { 'x-big': 'a'.repeat(20000) }, http1Agent: new https.Agent({ keepAlive: false }) });
	sentError(r, 400, 'VALIDATION_002');
});

test('one client flooding: 429 RATE_LIMIT_001 with Retry-After; other clients unaffected', async () => {
	// 127.0.0.2 is a client address of its own (the limit is per address)
	const agent = new https.Agent({ keepAlive: true, maxSockets: 32 });
	const limited = [];
	let sent = 0;
	try {
		while (limited.length === 0 && sent < 6000) {
			const rs = await Promise.all(Array.from({ length: 500 }, () =>
				request('GET', '/v3/__flood', { localAddress: '127.0.0.2', http1Agent: agent })));
			sent += rs.length;
			for (const r of rs) {
				assert.ok(r.status === 404 || r.status === 429, `${r.status} ${r.text}`);
				if (r.status === 429) limited.push(r);
			}
		}
	} finally {
		agent.destroy();
	}
	assert.ok(limited.length > 0, `no 429 in ${sent} requests`);
	for (const r of limited.slice(0, 20)) {
		const e = sentError(r, 429, 'RATE_LIMIT_001');
		assert.equal(e.details, null);
		assert.equal(r.headers['retry-after'], '1');
	}
	// the Late face for the same client
	const l = await request('GET', '/v1/__flood', { localAddress: '127.0.0.2', http1Agent: new https.Agent({ keepAlive: false }) });
	if (l.status === 429) lateError(l, 429, 'rate_limit_exceeded');
	// requests from 127.0.0.1 (or ::1) are another client's
	sentOk(await api('GET', '/v3/profiles', t.key));
});

test('the family is down: 502 in the Sent envelope with Retry-After; back when it is', async () => {
	stopFamily('sender_profiles');
	try {
		for (const [m, path] of [['GET', '/v3/profiles'], ['POST', '/v3/profiles'], ['GET', `/v3/profiles/${crypto.randomUUID()}`]]) {
			const r = await api(m, path, t.key, { body: m === 'POST' ? { name: 'x' } : undefined });
			const e = sentError(r, 502, 'SERVICE_002');
			assert.equal(e.message, 'Service temporarily unavailable');
			assert.equal(r.headers['retry-after'], '1');
		}
	} finally {
		startFamily('sender_profiles');
	}
	const r = await eventually(async () => {
		const x = await api('GET', '/v3/profiles', t.key);
		return x.status === 200 && x;
	});
	sentOk(r);
});

test('plain HTTP: 301 to the same URL over HTTPS, JSON body', async () => {
	assert.ok(HTTP_PORT, 'WA_HTTP_PORT is exported by run.sh');
	const get = (path, method = 'GET') => new Promise((resolve, reject) => {
		const req = http.request({ host: '127.0.0.1', port: HTTP_PORT, path, method, headers: { host: `localhost:${HTTP_PORT}` } }, (res) => {
			const chunks = [];
			res.on('data', (c) => chunks.push(c));
			res.on('end', () => {
				const text = Buffer.concat(chunks).toString('utf8');
				resolve({ status: res.statusCode, headers: res.headers, text, json: text ? JSON.parse(text) : undefined });
			});
		});
		req.on('error', reject);
		req.end();
	});
	const tls = new URL(process.env.WA_BASE_URL).port;
	const r = await get('/v3/profiles?x=1');
	assert.equal(r.status, 301);
	assert.equal(r.headers.location, `https://localhost:${tls}/v3/profiles?x=1`);
	assert.equal(r.headers['content-type'], 'application/json');
	assert.ok(r.headers['x-request-id']);
	assert.equal(r.json.success, false);
	assert.equal(r.json.error.code, 'REQUEST_301');
	assert.ok(!r.text.includes('<html'));
	const m = await get('/organizations/x', 'POST');
	assert.equal(m.status, 301);
	assert.equal(m.headers.location, `https://localhost:${tls}/organizations/x`);
	assert.equal(m.json.statusCode, 301);
	assert.equal(m.json.path, '/organizations/x');
});
