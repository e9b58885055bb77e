// The sending engine's benchmarks (docs/sending.md; issue 12): driven
// by tests/bench/bench_send.sh on a private stack.  Everything is
// measured from outside: the simulator's send ledger (what Meta would
// have received, and when) and wagate's own tables.
//
//   node tests/bench/send.mjs <stack dir> <scenario>
//   scenarios: rate (10,000 at 1,000/s), pace80, pace250 (60 s each),
//   ingest (30,000 status items), crash (kill -9 the worker 5 times)
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
	DIR, PHONE_ID, WABA, admin, agent, api, demo, must, sim, sleep, sql,
} from './lib.mjs';

const SCENARIO = process.argv[3];

let tplReady = false;
async function template() {
	if (tplReady) return;
	const r = await api('POST', '/v1/whatsapp/templates', { accountId: demo.WA_ACCOUNT_ID,
		name: 'bench_offer', category: 'MARKETING', language: 'en_US',
		components: [{ type: 'BODY', text: 'Hi {{1}}, this week only', example: { body_text: [['Ann']] } }] });
	if (r.status !== 200 && r.status !== 409) throw new Error(`template: ${r.status} ${r.text}`);
	const t = (await must(await sim('GET', `/_sim/wabas/${WABA}`), 'templates')).templates
		.find((x) => x.name === 'bench_offer');
	await must(await sim('POST', `/_sim/templates/${t.id}/review`, { status: 'APPROVED' }), 'review');
	tplReady = true;
}

// A broadcast of n recipients (+1 555 1xx xxxx), added 1,000 at a time.
async function broadcast(n, tag) {
	await template();
	const b = (await must(await api('POST', '/v1/whatsapp/broadcasts', {
		accountId: demo.WA_ACCOUNT_ID, name: `bench ${tag}`,
		template: { name: 'bench_offer', language: 'en_US' } }), 'create')).broadcast;
	for (let i = 0; i < n; i += 1000) {
		const rec = [];
		for (let k = i; k < Math.min(n, i + 1000); k++)
			rec.push({ phone: `+1555${tag}${String(k).padStart(6, '0')}`, variables: { 1: `R${k}` } });
		await must(await api('PATCH', `/v1/whatsapp/broadcasts/${b.id}/recipients`, { recipients: rec }), 'add');
	}
	return b.id;
}

async function settings({ mps, statuses, batch = 1, limits = true }) {
	admin('account', 'pace', demo.WA_ACCOUNT_ID, '--mps', String(mps));
	await must(await sim('POST', '/_sim/config', { statuses, limits, status_batch: batch,
		status_delay_ms: 200 }), 'config');
	await must(await sim('POST', `/_sim/phones/${PHONE_ID}`, { mps }), 'phone mps');
}

const ledger = async () => must(await sim('GET', `/_sim/sends/summary?phone_number_id=${PHONE_ID}`), 'ledger');
async function resetLedger() {
	// the ledger is cleared with the rest of the simulator's state by a
	// reset; keep the accounts: re-register the demo account after it
	await must(await sim('POST', '/_sim/reset'), 'reset');
	await must(await sim('POST', '/_sim/accounts', { waba_id: WABA, phone_number_id: PHONE_ID,
		display_phone_number: '+15550100001', verified_name: 'Demo Organization',
		token: 'sandbox-demo-token' }), 'account');
	tplReady = false;
}

async function until(id, states, timeoutMs) {
	const end = Date.now() + timeoutMs;
	for (;;) {
		const b = (await must(await api('GET', `/v1/whatsapp/broadcasts/${id}`), 'get')).broadcast;
		if (states.includes(b.status) || Date.now() > end) return b;
		await sleep(250);
	}
}

const fmt = (x, d = 1) => Number(x).toFixed(d);

async function rate() {
	await resetLedger();
	await settings({ mps: 1000, statuses: false });
	const id = await broadcast(10000, '1');
	const t0 = Date.now();
	const s = await must(await api('POST', `/v1/whatsapp/broadcasts/${id}/send`), 'send');
	const b = await until(id, ['completed', 'failed'], 120000);
	const wall = (Date.now() - t0) / 1000;
	const l = await ledger();
	const steady = (l.per_second || []).slice(1, -1).map((x) => x.accepted);
	const sustained = steady.length ? steady.reduce((a, x) => a + x, 0) / steady.length : l.rate;
	console.log(`10,000-recipient broadcast, governor 1,000/s (statuses off)`);
	console.log(`  send answered: ${s.status} sent=${s.sent} after the wait bound; broadcast ${b.status} sent=${b.sentCount} failed=${b.failedCount} unknown=${b.unknownCount}`);
	console.log(`  wall time send->completed: ${fmt(wall)} s; accepted by Meta: ${l.accepted}; 130429 answers: ${(l.refused_codes && l.refused_codes['130429']) || 0}`);
	console.log(`  rate at the simulator: ${fmt(l.rate)} msg/s overall, ${fmt(sustained)} msg/s sustained (full seconds), connections: ${l.connections}`);
	return { sustained };
}

async function pace(mps) {
	await resetLedger();
	await settings({ mps, statuses: false });
	const id = await broadcast(mps * 62, mps === 80 ? '2' : '3');
	await must(await api('POST', `/v1/whatsapp/broadcasts/${id}/send`), 'send');
	await until(id, ['completed', 'failed'], 120000);
	const l = await ledger();
	const per = (l.per_second || []).map((x) => x.accepted);
	// 60 full seconds after the first
	const win = per.slice(1, 61);
	const got = win.reduce((a, x) => a + x, 0) / win.length;
	const dev = (got - mps) / mps * 100;
	console.log(`pacing at ${mps}/s: ${fmt(got, 2)} msg/s over ${win.length} s (${dev >= 0 ? '+' : ''}${fmt(dev, 2)}%), per-second min ${Math.min(...win)} max ${Math.max(...win)}, 130429 answers: ${(l.refused_codes && l.refused_codes['130429']) || 0}, ${Math.abs(dev) <= 5 ? 'ok' : 'MISSED'} (±5%)`);
}

// Waits until every message of the broadcast was read (its three
// statuses applied); true if they all were.
async function allRead(id, timeoutMs) {
	const end = Date.now() + timeoutMs;
	while (Date.now() < end) {
		if (Number(sql(`SELECT count(*) FROM wa.messages WHERE batch_id = '${id}' AND status = 'read'`)) >= 10000)
			return true;
		await sleep(200);
	}
	return false;
}

// The broadcast's applied status items: how many, the span between the
// first and the last applied, and receipt (the webhook stored) to
// applied, p50 and p99, in seconds.
function applied(id) {
	const q = sql(`SELECT count(*), extract(epoch FROM max(s.received_at) - min(s.received_at)),
	    percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM s.received_at - e.received_at)),
	    percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM s.received_at - e.received_at))
	    FROM wa.message_statuses s JOIN wa.messages m ON m.wamid = s.wamid AND m.account_id = s.account_id
	    JOIN wa.webhook_events e ON e.id = s.webhook_event_id WHERE m.batch_id = '${id}'`).split('|');
	const [items, span, p99, p50] = q.map(Number);
	return { items, span, p99, p50 };
}

// The webhook worker's processes (its master and children).
function webhookWorker() {
	const master = Number(fs.readFileSync(path.join(DIR, 'run/webhooks-worker.pid'), 'utf8'));
	let kids = [];
	try {
		kids = execSync(`pgrep -P ${master}`, { encoding: 'utf8' }).trim().split('\n').map(Number);
	} catch { /* none */ }
	return [master, ...kids];
}

// Live: the statuses of a 10,000 send at 1,000/s, applied as they come
// (receipt to visible).  Backlog: the webhook worker stopped while
// another 10,000 are sent and their 30,000 statuses stored, then
// continued: the rate at which it applies them (the live run cannot
// show more than the 3,000 a second the send produces).
async function ingest() {
	await resetLedger();
	// Meta batches up to 1,000 updates per webhook (contract §10.4)
	await settings({ mps: 1000, statuses: true, batch: 100 });
	const id = await broadcast(10000, '4');
	const t0 = Date.now();
	await must(await api('POST', `/v1/whatsapp/broadcasts/${id}/send`), 'send');
	await until(id, ['completed', 'failed'], 120000);
	const read = await allRead(id, 180000);
	const live = applied(id);
	console.log(`status ingest, live: ${live.items} status items for 10,000 messages (webhooks of up to 100 items), all read: ${read}`);
	console.log(`  applied over ${fmt(live.span)} s (${fmt(live.items / live.span, 0)} items/s, the send's own pace); receipt -> visible p50 ${fmt(live.p50 * 1000, 0)} ms, p99 ${fmt(live.p99 * 1000, 0)} ms; send->all read ${fmt((Date.now() - t0) / 1000)} s`);

	const id2 = await broadcast(10000, '6');
	const pids = webhookWorker();
	for (const p of pids) process.kill(p, 'SIGSTOP');
	const stored = () => Number(sql(`SELECT count(*) FROM wa.webhook_events WHERE state = 'pending'`));
	try {
		await must(await api('POST', `/v1/whatsapp/broadcasts/${id2}/send`), 'send');
		await until(id2, ['completed', 'failed'], 120000);
		// the simulator's last webhooks: the count holds still for 2 s
		let last = -1;
		for (let n = stored(); n !== last; n = stored()) {
			last = n;
			await sleep(2000);
		}
	} finally {
		for (const p of pids) process.kill(p, 'SIGCONT');
	}
	const backlog = stored();
	const read2 = await allRead(id2, 180000);
	const b = applied(id2);
	console.log(`status ingest, backlog: ${b.items} status items in ${backlog} stored webhooks, applied over ${fmt(b.span)} s: ${fmt(b.items / b.span, 0)} items/s; all read: ${read2}`);
}

async function crash() {
	await resetLedger();
	await settings({ mps: 1000, statuses: true, batch: 100 });
	const id = await broadcast(10000, '5');
	// the send answers when the broadcast ends (or after WA_SEND_WAIT_MS):
	// the kills happen while it waits
	const sending = api('POST', `/v1/whatsapp/broadcasts/${id}/send`);
	await until(id, ['sending'], 10000);
	const pidOf = () => {
		const master = Number(fs.readFileSync(path.join(DIR, 'run/broadcasts-worker.pid'), 'utf8'));
		// none between a kill and the master's restart (pgrep exits 1)
		try {
			return execSync(`pgrep -P ${master}`, { encoding: 'utf8' }).trim().split('\n').map(Number);
		} catch {
			return [];
		}
	};
	let kills = 0;
	while (kills < 5) {
		await sleep(700);
		const b = (await must(await api('GET', `/v1/whatsapp/broadcasts/${id}`), 'get')).broadcast;
		if (b.status !== 'sending') break;
		const pids = pidOf();
		for (const p of pids) { try { process.kill(p, 'SIGKILL'); } catch {} }
		if (pids.length) kills++;
	}
	const answer = await sending;
	const b = await until(id, ['completed', 'failed'], 600000);
	await sleep(3000);	// late status webhooks resolve unknown ones
	const rows = sql(`SELECT status, count(*) FROM wa.messages WHERE batch_id = '${id}' GROUP BY 1 ORDER BY 1`);
	const l = await ledger();
	const unknownIds = new Set(sql(`SELECT id FROM wa.messages WHERE batch_id = '${id}' AND (status = 'unknown' OR error_code = 'outcome_unknown')`).split('\n').filter(Boolean));
	const dupOk = (l.duplicates || []).every((d) => (d.opaques || []).some((o) => unknownIds.has(o)));
	const final = sql(`SELECT count(*) FROM wa.messages WHERE batch_id = '${id}' AND status IN ('sent','delivered','read','failed','skipped','unknown')`);
	console.log(`crash safety: ${kills} kill -9 of the sending worker during a 10,000 send; send answered ${answer.status} ${answer.json && answer.json.status}; broadcast ${b.status}`);
	console.log(`  messages by status: ${rows.replace(/\n/g, ', ')}; in a final state: ${final} of 10000`);
	console.log(`  counters: sent ${b.sentCount} + failed ${b.failedCount} + unknown ${b.unknownCount} = ${b.sentCount + b.failedCount + b.unknownCount} of ${b.recipientCount}`);
	console.log(`  simulator: ${l.accepted} accepted, ${l.recipients} recipients, most per recipient ${l.max_per_recipient}, duplicates ${(l.duplicates || []).length} (${dupOk ? 'each of a send marked unknown' : 'NOT ALL MARKED UNKNOWN'})`);
}

const scenarios = { rate, pace80: () => pace(80), pace250: () => pace(250), ingest, crash };
await scenarios[SCENARIO]();
agent.destroy();
