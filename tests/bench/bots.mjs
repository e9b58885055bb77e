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

// Posts conversations from..to-1 at rate a second; the post time of
// each phone's webhook into sent, the POST's answer times into stored.
async function load(rate, from, to, sent, stored) {
	const t0 = Date.now();
	const posts = [];
	for (let i = from; i < to; i++) {
		const due = t0 + ((i - from) * 1000) / rate;
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
}

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
	// a second of the same load first, not measured (connections to the
	// simulator, the lane, caches), as the wrk benchmarks warm up
	await load(RATE, 0, RATE, new Map(), []);
	await sleep(2000);
	const since = (await must(await sim('GET', `/_sim/sends?phone_number_id=${PHONE_ID}&limit=1`), 'ledger')).last;
	const n = RATE * SECS;
	const sent = new Map();
	const stored = [];
	const start = Date.now();
	await load(RATE, RATE, RATE + n, sent, stored);
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
	// where the time went, per stage (wagate's own timestamps): stored
	// (the webhook's row) -> applied (the inbound message) -> the bot's
	// run -> the reply queued -> sent (Meta answered)
	const stages = sql(`WITH x AS (SELECT e.received_at AS stored, i.received_at AS applied,
		s.created_at AS bot, m.created_at AS queued, m.sent_at AS sent
		FROM wa.inbound_messages i JOIN wa.webhook_events e ON e.id = i.webhook_event_id
		JOIN wa.conversations c ON c.account_id = i.account_id AND c.peer = '+' || i.from_wa_id
		JOIN wa.bot_sessions s ON s.conversation_id = c.id
		JOIN wa.messages m ON m.account_id = c.account_id AND m.to_phone = c.peer AND m.origin = 'bot'
		WHERE i.wamid LIKE 'wamid.bench.${process.pid}.%' AND e.received_at >= to_timestamp(${start / 1000}))
		SELECT string_agg(p, ', ') FROM (SELECT name || ' p50 ' || round(percentile_cont(0.5) WITHIN GROUP
		(ORDER BY ms)) || ' / p99 ' || round(percentile_cont(0.99) WITHIN GROUP (ORDER BY ms)) || ' ms' AS p
		FROM x CROSS JOIN LATERAL (VALUES (1, 'stored -> applied', applied - stored),
		(2, 'applied -> bot', bot - applied), (3, 'queued -> sent', sent - queued)) v (k, name, d)
		CROSS JOIN LATERAL (SELECT extract(epoch FROM d) * 1000 AS ms) z GROUP BY k, name ORDER BY k) y`);
	console.log(`  stages: ${stages}`);
}

main().catch((e) => {
	console.error(e);
	process.exit(1);
});
