// The body of bench_webchat.sh: see there.
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { CA, agent, call as call1, db, demo, sleep } from './lib.mjs';

const BASE = demo.WA_BASE_URL;
const N = Number(process.env.WA_BENCH_VISITORS || 5000);
const PER_CHANNEL = 500;	// under a channel's 600 new visitors a minute
const ORIGIN = 'https://bench.example.com';

// The organization's share of the family's workers answers 429 to too
// many at once: the next try after a moment.
async function call(method, p, { token, body } = {}) {
	const headers = { origin: ORIGIN, ...(token ? { authorization: `Bearer ${token}` } : {}) };
	for (;;) {
		const r = await call1(method, `${BASE}${p}`, body, headers);
		if (r.status !== 429) return r;
		await sleep(20);
	}
}

async function pool(n, width, fn) {
	let next = 0;
	await Promise.all(Array.from({ length: width }, async () => {
		while (next < n) await fn(next++);
	}));
}

// RSS (kB) of a master and its children, from its pid file.
function rss(pidfile) {
	const master = fs.readFileSync(pidfile, 'utf8').trim();
	let pids = [master];
	try {
		pids = pids.concat(execFileSync('pgrep', ['-P', master], { encoding: 'utf8' }).trim().split('\n').filter(Boolean));
	} catch { /* no children */ }
	return pids.reduce((kb, p) => {
		try {
			const m = fs.readFileSync(`/proc/${p}/status`, 'utf8').match(/^VmRSS:\s+(\d+)/m);
			return kb + (m ? Number(m[1]) : 0);
		} catch { return kb; }
	}, 0);
}
const run = path.join(path.dirname(path.dirname(db.WA_PGDATA)), 'run');
function memory() {
	return {
		nginx: rss(path.join(run, 'nginx.pid')),
		webChat: rss(path.join(run, 'web_chat.pid')) + rss(path.join(run, 'web_chat-worker.pid')),
	};
}

const org = demo.WA_ORG_ID;
const t0 = Date.now();
const channels = [];
for (let i = 0; i < Math.ceil(N / PER_CHANNEL); i++) {
	const c = await call('POST', `/organizations/${org}/web-chat/channels`, { body: { name: `bench ${i}`, botEnabled: false } });
	if (c.status !== 201) throw new Error(`channel: ${c.status} ${c.text}`);
	channels.push(c.json.data);
}
const visitors = new Array(N);
await pool(N, 4, async (i) => {
	const c = channels[Math.floor(i / PER_CHANNEL)];
	const s = await call('POST', `/web-chat/${c.token}/sessions`, { body: { mode: 'anonymous' } });
	if (s.status !== 201) throw new Error(`session ${i}: ${s.status} ${s.text}`);
	visitors[i] = { ...s.json.data, channelToken: c.token };
});
console.log(`${N} visitors with sessions in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
const before = memory();

// The connections: each its own TLS connection, as browsers' are.
const pending = new Map();	// message body -> sent at
const lat = [];
let open = 0;
let retried = 0;
const conns = [];
function connect(v) {
	return new Promise((resolve, reject) => {
		const req = https.get(new URL(`/web-chat/${v.channelToken}/live/${v.conversationId}?access_token=${encodeURIComponent(v.token)}`, BASE), {
			agent: false, ca: CA, headers: { accept: 'text/event-stream', origin: ORIGIN },
		}, (res) => {
			if (res.statusCode === 429) {	// the organization's share: again
				res.resume();
				retried++;
				setTimeout(() => connect(v).then(resolve, reject), 50);
				return;
			}
			if (res.statusCode !== 200) {
				let b = '';
				res.on('data', (d) => { b += d; });
				res.on('end', () => reject(new Error(`live: ${res.statusCode} ${JSON.stringify(res.headers)} ${b}`)));
				return;
			}
			open++;
			let buf = '';
			res.setEncoding('utf8');
			res.on('data', (d) => {
				buf += d;
				let i;
				while ((i = buf.indexOf('\n\n')) >= 0) {
					const block = buf.slice(0, i);
					buf = buf.slice(i + 2);
					const data = block.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).join('');
					if (!data) continue;
					const m = JSON.parse(data).data;
					const at = pending.get(m.body);
					if (at !== undefined) {
						lat.push(Date.now() - at);
						pending.delete(m.body);
					}
				}
			});
			res.on('close', () => { open--; });
			resolve();
		});
		req.on('error', reject);
		conns.push(req);
	});
}
const t1 = Date.now();
await pool(N, 16, (i) => connect(visitors[i]));
console.log(`${open} connections open in ${((Date.now() - t1) / 1000).toFixed(1)} s (${retried} retried after a 429)`);
await sleep(2000);
const during = memory();

// The agent answers each visitor.
const t2 = Date.now();
await pool(N, 4, async (i) => {
	const v = visitors[i];
	const body = `answer ${i}`;
	pending.set(body, Date.now());
	const a = await call('POST', `/organizations/${org}/conversations/${v.conversationId}/web-chat/send`, { body: { body } });
	if (a.status !== 201) throw new Error(`send ${i}: ${a.status} ${a.text}`);
});
const sendS = (Date.now() - t2) / 1000;
const until = Date.now() + 10000;
while (pending.size > 0 && Date.now() < until) await sleep(50);
const after = memory();
lat.sort((a, b) => a - b);
const q = (p) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))];
console.log(`${N} agent answers in ${sendS.toFixed(1)} s (${(N / sendS).toFixed(0)}/s); arrived ${lat.length}, missing ${pending.size}`);
console.log(`answer to widget: p50 ${q(0.5)} ms, p90 ${q(0.9)} ms, p99 ${q(0.99)} ms, max ${lat[lat.length - 1]} ms (target p99 <= 200 ms)`);
console.log(`memory (RSS): nginx ${(before.nginx / 1024).toFixed(1)} MB idle, ${(during.nginx / 1024).toFixed(1)} MB with ${N} connections, ${(after.nginx / 1024).toFixed(1)} MB after the answers`);
console.log(`              web_chat ${(before.webChat / 1024).toFixed(1)} MB idle, ${(during.webChat / 1024).toFixed(1)} MB with ${N} connections, ${(after.webChat / 1024).toFixed(1)} MB after the answers`);
for (const r of conns) r.destroy();
agent.destroy();
const ok = pending.size === 0 && q(0.99) <= 200;
console.log(ok ? 'PASS' : 'FAIL');
process.exit(ok ? 0 : 1);
