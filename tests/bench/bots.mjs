// Bots live at 200 conversations a second (issue 13; docs/flows.md,
// "Live"), driven by tests/bench/bench_bots.sh on a private stack: an
// AUTO_REPLY flow of one message step, and customers' first messages
// posted as Meta posts them (signed webhooks to nginx) at a steady
// rate, each from a new phone.  The latency of a conversation is from
// its webhook's arrival at nginx (its POST, on this machine) to the
// reply's request at the simulator (its send ledger), both on the
// wall clock.  No backlog: the last reply comes within a moment of the
// last webhook, and nothing is left in the webhook and bot queues.
//
//   node tests/bench/bots.mjs <stack dir> [rate] [seconds]
import crypto from 'node:crypto';
import {
	PHONE_ID, WABA, admin, api, call, demo, env, must, sim, sleep, sql,
} from './lib.mjs';

const RATE = Number(process.argv[3] || 200);
const SECS = Number(process.argv[4] || 30);
const SECRET = env('secrets.env').WA_SANDBOX_APP_SECRET;

function webhook(i, phone) {
	const from = phone.slice(1);
	const body = JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: WABA, changes: [{
		field: 'messages', value: { messaging_product: 'whatsapp',
			metadata: { display_phone_number: '15550100001', phone_number_id: PHONE_ID },
			contacts: [{ profile: { name: `Bench ${i}` }, wa_id: from }],
			messages: [{ from, id: `wamid.bench.${process.pid}.${i}`,
				timestamp: String(Math.floor(Date.now() / 1000)), type: 'text',
				text: { body: 'hola' } }] } }] }] });
	const sig = `sha256=${crypto.createHmac('sha256', SECRET).update(body).digest('hex')}`;
	return { body, sig };
}

const q = (p, x) => {
	const s = [...x].sort((a, b) => a - b);
	return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

async function main() {
	// the flow: one message
	const org = demo.WA_ORG_ID;
	const f = await must(await api('POST', `/organizations/${org}/bot/flows`, {
		name: 'bench auto reply', triggerType: 'AUTO_REPLY',
		steps: [{ id: 'hi', type: 'message', text: 'Thanks for writing, {{contact.name|friend}}!' }],
	}), 'flow');
	await must(await api('POST', `/organizations/${org}/bot/flows/${f.data.id}/publish`), 'publish');
	// the number sends 1,000 a second (an upgraded one; Meta's default
	// of 80 would be the limit, not wagate)
	admin('account', 'pace', demo.WA_ACCOUNT_ID, '--mps', '1000');
	await must(await sim('POST', `/_sim/phones/${PHONE_ID}`, { mps: 1000 }), 'phone mps');
	await must(await sim('POST', '/_sim/config', { statuses: process.env.WA_BENCH_BOT_STATUSES !== '0', status_delay_ms: 200 }), 'config');
	const since = (await must(await sim('GET', `/_sim/sends?phone_number_id=${PHONE_ID}&limit=1`), 'ledger')).last;
	const n = RATE * SECS;
	const sent = new Map();
	const t0 = Date.now();
	const posts = [];
	const stored = [];
	for (let i = 0; i < n; i++) {
		const due = t0 + (i * 1000) / RATE;
		const wait = due - Date.now();
		if (wait > 1) await sleep(wait);
		const phone = `+1556${String(process.pid % 100).padStart(2, '0')}${String(i).padStart(6, '0')}`;
		const { body, sig } = webhook(i, phone);
		const at = Date.now();
		sent.set(phone.slice(1), at);
		posts.push(call('POST', `${demo.WA_BASE_URL}/webhooks/meta`, JSON.parse(body), {
			'x-hub-signature-256': sig, 'x-api-key': '' }).then((r) => {
			if (r.status !== 200) throw new Error(`webhook: ${r.status} ${r.text}`);
			stored.push(Date.now() - at);
		}));
	}
	await Promise.all(posts);
	const postedAt = Date.now();
	// the replies, as the simulator got them
	const got = new Map();
	let from = since;
	const end = Date.now() + 60000;
	while (got.size < n && Date.now() < end) {
		const page = await must(await sim('GET',
			`/_sim/sends?phone_number_id=${PHONE_ID}&since=${from}&limit=1000`), 'ledger');
		for (const s of page.sends) {
			if (s.code === 0 && sent.has(s.to) && !got.has(s.to)) got.set(s.to, s.at_ms);
		}
		from = page.next;
		if (page.sends.length < 1000) await sleep(200);
	}
	const lat = [...got].map(([to, at]) => at - sent.get(to));
	const last = Math.max(...got.values());
	const queues = sql(`SELECT (SELECT count(*) FROM wa.webhook_events WHERE state = 'pending') || ' ' ||
		(SELECT count(*) FROM wa.bot_jobs)`);
	console.log(`bots: ${n} conversations at ${RATE}/s for ${SECS} s, one AUTO_REPLY message each`);
	console.log(`  answered ${got.size} of ${n}; webhook -> reply at the simulator: ` +
		`p50 ${q(50, lat)} ms, p95 ${q(95, lat)} ms, p99 ${q(99, lat)} ms, max ${Math.max(...lat)} ms ` +
		`(target p99 <= 100 ms: ${q(99, lat) <= 100 && got.size === n ? 'ok' : 'MISSED'})`);
	console.log(`  the webhook's POST answered (stored): p50 ${q(50, stored)} ms, p99 ${q(99, stored)} ms`);
	console.log(`  backlog: the last reply ${last - postedAt} ms after the last webhook; ` +
		`queues at the end (webhook events pending, bot jobs): ${queues}`);
	const [ok] = sql(`SELECT count(*) FROM wa.bot_sessions WHERE status = 'completed'`).split('|');
	console.log(`  sessions completed: ${ok}`);
}

main().catch((e) => {
	console.error(e);
	process.exit(1);
});
