// A web chat widget's live connection (docs/web-chat.md, "Live
// delivery") as a browser's EventSource makes it.
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { BASE, DIR } from './harness.mjs';

const ca = fs.readFileSync(path.join(DIR, 'tls', 'cert.pem'));

// An EventSource as a browser's: GET with Accept: text/event-stream;
// resolves {status, headers, events (parsed data), next(), close()}
// once the answer's head is in.
export function eventSource(urlPath, { origin } = {}) {
	return new Promise((resolve, reject) => {
		const events = [];
		const waiting = [];
		const req = https.get(new URL(urlPath, BASE), {
			ca, headers: { accept: 'text/event-stream', ...(origin ? { origin } : {}) },
		}, (res) => {
			let buf = '';
			let body = '';
			res.setEncoding('utf8');
			res.on('data', (d) => {
				body += d;
				buf += d;
				let i;
				while ((i = buf.indexOf('\n\n')) >= 0) {
					const block = buf.slice(0, i);
					buf = buf.slice(i + 2);
					const data = block.split('\n').filter((l) => l.startsWith('data:'))
						.map((l) => l.slice(5).replace(/^ /, '')).join('\n');
					if (data === '') continue;
					events.push({ at: Date.now(), data: JSON.parse(data) });
					while (waiting.length > 0) waiting.shift()();
				}
			});
			resolve({
				status: res.statusCode, headers: res.headers, events, body: () => body,
				// the next event after the n-th, within ms
				async next(n, ms = 3000) {
					const until = Date.now() + ms;
					while (events.length <= n) {
						const left = until - Date.now();
						if (left <= 0) throw new Error(`no event ${n + 1} within ${ms} ms`);
						await new Promise((ok) => { waiting.push(ok); setTimeout(ok, left); });
					}
					return events[n];
				},
				close() { req.destroy(); },
			});
		});
		req.on('error', (e) => { if (e.code !== 'ECONNRESET') reject(e); });
	});
}

