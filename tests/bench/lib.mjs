// What the benchmarks driven by node share (send.mjs, bots.mjs): the
// stack's files, HTTPS calls to wagate and to the simulator, SQL as the
// super user, wa-admin.  The stack's directory is argv[2].
import { execFileSync, execSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';

export const DIR = process.argv[2];
export const env = (f) => Object.fromEntries(fs.readFileSync(path.join(DIR, f), 'utf8')
	.split('\n').map((l) => l.match(/^([A-Z_0-9]+)=(.*)$/)).filter(Boolean)
	.map((m) => [m[1], m[2].replace(/^'(.*)'$/, '$1')]));
export const demo = env('demo.env');
export const db = env('db.env');
export const SIM = env('metasim.env').WA_METASIM_URL;
export const CA = fs.readFileSync(path.join(DIR, 'tls/cert.pem'));
export const agent = new https.Agent({ keepAlive: true, ca: CA, maxSockets: 8 });
export const PHONE_ID = '100000000000002';
export const WABA = '100000000000001';

export function call(method, url, body, headers = {}) {
	return new Promise((resolve, reject) => {
		const u = new URL(url);
		const data = body === undefined ? undefined : JSON.stringify(body);
		const req = https.request({ method, hostname: u.hostname, port: u.port,
			path: u.pathname + u.search, agent, headers: {
				'content-type': 'application/json', 'x-api-key': demo.WA_API_KEY,
				...headers } }, (res) => {
			const chunks = [];
			res.on('data', (c) => chunks.push(c));
			res.on('end', () => {
				const text = Buffer.concat(chunks).toString();
				let json;
				try { json = JSON.parse(text); } catch { json = undefined; }
				resolve({ status: res.statusCode, json, text });
			});
		});
		req.on('error', reject);
		if (data !== undefined) req.write(data);
		req.end();
	});
}
export const api = (m, p, b) => call(m, `${demo.WA_BASE_URL}${p}`, b);
export const sim = (m, p, b) => call(m, `${SIM}${p}`, b);
// one line: the query goes through sh in double quotes
export const sql = (q) => execSync(`${db.WA_SUPER_PSQL} -XAtqc ${JSON.stringify(q.replace(/\s+/g, ' '))}`,
	{ encoding: 'utf8', shell: '/bin/sh' }).trim();
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const admin = (...args) => execFileSync(path.join(process.env.WA_BIN_DIR, 'wa-admin'), args, {
	encoding: 'utf8', env: { ...process.env, WA_ADMIN_DATABASE_URL: db.WA_ADMIN_DATABASE_URL,
		WA_SECRET_KEY: env('secrets.env').WA_SECRET_KEY } });

export async function must(r, what) {
	if (r.status >= 300) throw new Error(`${what}: ${r.status} ${r.text}`);
	return r.json;
}

