// Helpers for the end-to-end tests.  The stack is started by
// tests/e2e/run.sh; these functions reach it through the environment it
// exports (WA_E2E_DIR, WA_BASE_URL, WA_BIN_DIR) and the files it writes
// in the stack directory (db.env, secrets.env, run/*.pid).
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import http2 from 'node:http2';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import crypto from 'node:crypto';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const DIR = process.env.WA_E2E_DIR;
export const BASE = process.env.WA_BASE_URL;
// The plain-HTTP port, which only redirects to BASE.
export const HTTP_PORT = process.env.WA_HTTP_PORT;
const BIN_DIR = process.env.WA_BIN_DIR || path.join(ROOT, 'build/bin');

if (!DIR || !BASE) {
	throw new Error('run the end-to-end tests with tests/e2e/run.sh (or make test-e2e)');
}

// NAME=value or NAME='value' lines, as the stack and wa-admin write them.
export function parseEnv(text) {
	const out = {};
	for (const line of text.split('\n')) {
		const m = line.match(/^([A-Z_][A-Z0-9_]*)=(.*)$/);
		if (!m) continue;
		let v = m[2];
		if (v.startsWith("'") && v.endsWith("'")) v = v.slice(1, -1);
		out[m[1]] = v;
	}
	return out;
}

export const dbEnv = () => parseEnv(fs.readFileSync(path.join(DIR, 'db.env'), 'utf8'));
export const secrets = () => parseEnv(fs.readFileSync(path.join(DIR, 'secrets.env'), 'utf8'));
// The Graph API wa-admin proves numbers at (the stack's simulator).
export const graphEnv = () => parseEnv(fs.readFileSync(path.join(DIR, 'graph.env'), 'utf8'));

// Runs wa-admin against the test stack; returns its NAME=value output.
// On failure throws an Error carrying .status and .stderr.
export function admin(...args) {
	const env = {
		...process.env,
		...graphEnv(),
		WA_ADMIN_DATABASE_URL: dbEnv().WA_ADMIN_DATABASE_URL,
		WA_SECRET_KEY: secrets().WA_SECRET_KEY,
	};
	try {
		const out = execFileSync(path.join(BIN_DIR, 'wa-admin'), args, {
			env, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'],
		});
		return parseEnv(out);
	} catch (e) {
		const err = new Error(`wa-admin ${args.join(' ')}: ${e.stderr}`);
		err.status = e.status;
		err.stderr = e.stderr;
		err.stdout = e.stdout;
		throw err;
	}
}

let seq = 0;
// A fresh organization with (by default) its own WhatsApp account and an
// admin key.  Every test file makes its own tenants, so files do not
// depend on each other's data.
export function tenant({ account = true, role = 'admin', name } = {}) {
	seq += 1;
	const tag = `${process.pid}-${seq}`;
	const email = `ops${seq}@example.com`;
	const org = admin('org', 'create', name || `Test Org ${tag}`, '--email', email);
	const t = { orgId: org.WA_ORG_ID, email };
	if (account) {
		// ids and token no other test file can make (seq has a fixed
		// width): wa-admin proves them at the stack's simulator, which
		// gives ids to the first token that names them
		const n = String(seq).padStart(4, '0');
		t.wabaId = `2000${process.pid}${n}`;
		t.display = `+1555${String(1000000 + seq).slice(-7)}`;
		const a = admin('account', 'add', '--org', t.orgId, '--waba', t.wabaId,
			'--phone-number-id', `3000${process.pid}${n}`, '--display', t.display,
			'--token', `token-${tag}`);
		t.accountId = a.WA_ACCOUNT_ID;
	}
	t.key = admin('key', 'create', '--org', t.orgId, '--role', role).WA_API_KEY;
	return t;
}

export function key(orgId, { role = 'admin', profile, test = false } = {}) {
	const args = ['key', 'create', '--org', orgId, '--role', role];
	if (profile) args.push('--profile', profile);
	if (test) args.push('--test');
	return admin(...args);
}

// One keep-alive agent for the raw requests.
const agent = new https.Agent({ keepAlive: true, maxSockets: 64 });

// A raw HTTPS request.  Returns {status, headers, text, json}; json is
// undefined when the body is not JSON.  With a localAddress, "localhost"
// resolves to the address of its family (127.0.0.2 cannot reach ::1).
export function request(method, urlPath, { headers = {}, body, localAddress, http1Agent } = {}) {
	const url = new URL(urlPath, BASE);
	let payload;
	if (body !== undefined) {
		payload = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
		// An explicit length: node sends DELETE bodies neither chunked
		// nor with a length, which would desynchronize the connection.
		headers = { 'content-type': 'application/json',
			'content-length': Buffer.byteLength(payload), ...headers };
	}
	return new Promise((resolve, reject) => {
		const req = https.request(url, {
			method, headers, agent: http1Agent || (localAddress ? undefined : agent), localAddress,
			family: localAddress ? net.isIP(localAddress) : undefined,
		}, (res) => {
			const chunks = [];
			res.on('data', (c) => chunks.push(c));
			res.on('end', () => {
				const text = Buffer.concat(chunks).toString('utf8');
				let json;
				try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
				resolve({ status: res.statusCode, headers: res.headers, text, json });
			});
		});
		req.on('error', reject);
		if (payload !== undefined) req.write(payload);
		req.end();
	});
}

// The same over HTTP/2 (one connection per call).  Resolves as soon as
// the response is complete, even if nginx then resets the stream of a
// body it refused to read.
export function h2request(method, urlPath, { headers = {}, body } = {}) {
	const ca = fs.readFileSync(path.join(DIR, 'tls', 'cert.pem'));
	return new Promise((resolve, reject) => {
		const client = http2.connect(BASE, { ca });
		let res;
		const chunks = [];
		const done = () => {
			client.close();
			const text = Buffer.concat(chunks).toString('utf8');
			let json;
			try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
			resolve({ status: res[':status'], headers: res, text, json });
		};
		client.on('error', (e) => (res ? done() : reject(e)));
		const h = { ':method': method, ':path': urlPath, ...headers };
		if (body !== undefined) h['content-type'] = h['content-type'] || 'application/json';
		const req = client.request(h);
		req.on('response', (hdrs) => { res = hdrs; });
		req.on('data', (c) => chunks.push(c));
		req.on('end', () => (res ? done() : reject(new Error('stream ended without a response'))));
		req.on('error', (e) => (res ? done() : reject(e)));
		if (body !== undefined) req.end(body);
		else req.end();
	});
}

// GET an absolute URL (a media link: nginx's, the simulator's, the
// sandbox's S3): {status, headers, body (a Buffer)}.
export function fetchUrl(url) {
	const u = new URL(url);
	const mod = u.protocol === 'https:' ? https : http;
	const ca = fs.readFileSync(path.join(DIR, 'tls', 'cert.pem'));
	return new Promise((resolve, reject) => {
		mod.get(u, { ca }, (res) => {
			const chunks = [];
			res.on('data', (c) => chunks.push(c));
			res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
		}).on('error', reject);
	});
}

// Shorthand with a key: api('GET', '/v3/profiles', t.key).
export function api(method, urlPath, apiKey, opts = {}) {
	const headers = { ...(opts.headers || {}) };
	if (apiKey) headers['x-api-key'] = apiKey;
	return request(method, urlPath, { ...opts, headers });
}

// SQL through psql.  as: 'app' (the families' role, under RLS), 'admin'
// or 'super'.  Returns stdout (tuples only, unaligned).
export function psql(sql, { as = 'app', vars = {} } = {}) {
	const args = ['-X', '-q', '-tA', '-v', 'ON_ERROR_STOP=1'];
	for (const [k, v] of Object.entries(vars)) args.push('-v', `${k}=${v}`);
	const [cmd, full] = psqlCommand(as, args);
	// cwd '/': the postgres user may not be able to enter the checkout
	return execFileSync(cmd, full, { cwd: '/', input: sql, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] }).trim();
}

function psqlCommand(as, args) {
	const env = dbEnv();
	if (as === 'super') {
		const pgsock = path.join(path.dirname(env.WA_PGDATA), 'sock');
		return ['runuser', ['-u', 'postgres', '--', path.join(env.WA_PGBIN, 'psql'), '-h', pgsock,
			'-U', 'postgres', '-d', 'wagate', ...args]];
	}
	const conn = as === 'admin' ? env.WA_ADMIN_DATABASE_URL : env.WA_APP_DATABASE_URL;
	return ['psql', [conn, ...args]];
}

// Runs sql (which must leave a lock held, e.g. inside BEGIN) in a psql
// session of the super role that stays open until release() is called;
// resolves once the session holds what sql took.  vars are psql
// variables (:'name' in sql).
export async function holdInSession(sql, vars = {}) {
	const args = ['-X', '-q', '-tA', '-v', 'ON_ERROR_STOP=1'];
	for (const [k, v] of Object.entries(vars)) args.push('-v', `${k}=${v}`);
	const [cmd, full] = psqlCommand('super', args);
	const p = spawn(cmd, full, { cwd: '/', stdio: ['pipe', 'pipe', 'pipe'] });
	let out = '';
	let err = '';
	p.stderr.on('data', (c) => { err += c; });
	const exited = new Promise((resolve) => p.on('exit', resolve));
	await new Promise((resolve, reject) => {
		p.stdout.on('data', (c) => {
			out += c;
			if (out.includes('__held__')) resolve();
		});
		p.on('exit', (code) => reject(new Error(`psql exited with ${code}: ${err}`)));
		p.stdin.write(`${sql};\nSELECT '__held__';\n`);
	});
	return {
		async release() {
			p.stdin.end('ROLLBACK;\nSELECT pg_advisory_unlock_all();\n');
			await exited;
		},
	};
}

// Holds the advisory lock that lib/idem.c takes for (orgId, key): a
// request with that Idempotency-Key meanwhile finds it "in progress".
export function holdIdempotencyLock(orgId, idemKey) {
	return holdInSession("SELECT pg_advisory_lock(hashtextextended(:'k', 0))", { k: `${orgId}:${idemKey}` });
}

// Locks one profile row, so that a PATCH or DELETE of it waits.
export function holdProfileRow(profileId) {
	return holdInSession("BEGIN; SELECT 1 FROM wa.profiles WHERE id = :'id' FOR UPDATE", { id: profileId });
}

// Resolves once a session of the families' role waits for a lock: a
// request has reached a worker and is blocked there.
export function requestWaitingForLock() {
	return eventually(() => Number(psql(`SELECT count(*) FROM pg_stat_activity
		WHERE usename = 'wa_app' AND wait_event_type = 'Lock'`, { as: 'super' })) > 0);
}

// A family's log from here on: .text() reads what was written since.
export function logTail(family) {
	const f = path.join(DIR, 'log', `${family}.log`);
	const from = fs.statSync(f).size;
	return {
		text() {
			const fd = fs.openSync(f, 'r');
			try {
				const n = fs.fstatSync(fd).size - from;
				const buf = Buffer.alloc(Math.max(n, 0));
				fs.readSync(fd, buf, 0, buf.length, from);
				return buf.toString('utf8');
			} finally {
				fs.closeSync(fd);
			}
		},
	};
}

// Process ids of a family: the master (from its pid file) and workers.
export function familyPids(family) {
	const run = stateRun();
	const master = Number(fs.readFileSync(path.join(run, `${family}.pid`), 'utf8'));
	const workers = execFileSync('pgrep', ['-P', String(master)], { encoding: 'utf8' })
		.trim().split('\n').filter(Boolean).map(Number);
	return { master, workers };
}

// The run directory holding sockets and pid files (see stack.sh).
export function stateRun() {
	const env = dbEnv();
	return path.join(path.dirname(path.dirname(env.WA_PGDATA)), 'run');
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Polls fn until it returns a truthy value or the deadline passes.
export async function eventually(fn, { timeoutMs = 10000, everyMs = 100 } = {}) {
	const end = Date.now() + timeoutMs;
	let last;
	while (Date.now() < end) {
		try {
			last = await fn();
			if (last) return last;
		} catch (e) {
			last = e;
		}
		await sleep(everyMs);
	}
	throw new Error(`condition not met in ${timeoutMs} ms: ${last instanceof Error ? last.message : JSON.stringify(last)}`);
}

export function uuid() {
	return crypto.randomUUID();
}

// Restarts PostgreSQL of the stack: stop, run fn while it is down, start.
export async function withDatabaseDown(fn) {
	const env = dbEnv();
	const pgctl = path.join(env.WA_PGBIN, 'pg_ctl');
	execFileSync('runuser', ['-u', 'postgres', '--', pgctl, '-D', env.WA_PGDATA, '-m', 'fast', '-w', 'stop'], { cwd: '/', stdio: 'ignore' });
	try {
		await fn();
	} finally {
		execFileSync('runuser', ['-u', 'postgres', '--', pgctl, '-D', env.WA_PGDATA,
			'-l', path.join(DIR, 'log', 'postgres.log'), '-w', 'start'], { cwd: '/', stdio: 'ignore' });
	}
}

// Stops / starts one family binary of the test stack (stack.sh), with
// the same binaries and settings the stack was started with.
export function stopFamily(family) {
	execFileSync('sh', [path.join(ROOT, 'scripts/stack.sh'), 'stop-family', DIR, family], { stdio: 'ignore' });
}
// The same without blocking: resolves with the exit status when the
// family has stopped.
export function stopFamilyAsync(family) {
	const p = spawn('sh', [path.join(ROOT, 'scripts/stack.sh'), 'stop-family', DIR, family], { stdio: 'ignore' });
	return new Promise((resolve) => p.on('exit', resolve));
}
export function startFamily(family) {
	execFileSync('sh', [path.join(ROOT, 'scripts/stack.sh'), 'start-family', DIR, family], { stdio: 'ignore' });
}
