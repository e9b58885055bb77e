// The process model of `webhooks --worker` (lib/fcgi.c): a master that
// restarts a killed worker, a NOTIFY that wakes it at once, stored
// events that survive the worker's absence and a database outage, and
// the simulator retrying a webhook the stack could not take.
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { eventually, logTail, psql, stateRun, withDatabaseDown } from './lib/harness.mjs';
import { control, drained, metaTenant, postWebhook } from './lib/meta.mjs';

const t = await metaTenant();
const q = (sql) => psql(sql, { as: 'super' });

function workerPids() {
	const master = Number(fs.readFileSync(path.join(stateRun(), 'webhooks-worker.pid'), 'utf8'));
	let kids = [];
	try {
		kids = execFileSync('pgrep', ['-P', String(master)], { encoding: 'utf8' }).trim().split('\n')
			.filter(Boolean).map(Number);
	} catch { kids = []; }
	return { master, kids };
}

function event(name, time) {
	return { object: 'whatsapp_business_account', entry: [{ id: t.wabaId, time, changes: [{
		field: 'message_template_status_update', value: { event: 'APPROVED', message_template_id: 1000000 + time,
			message_template_name: name, message_template_language: 'en_US', reason: 'NONE' } }] }] };
}

// run.sh starts WA_JOB_WORKERS job workers of each family
const WORKERS = Number(process.env.WA_JOB_WORKERS || 1);

const applied = (name) => q(`SELECT count(*) FROM wa.template_events WHERE org_id = '${t.orgId}'
	AND name = '${name}'`) === '1';

test('the worker runs under its master and applies an event within a moment (NOTIFY)', async () => {
	const { master, kids } = workerPids();
	assert.ok(master > 0);
	assert.equal(kids.length, WORKERS);
	const start = Date.now();
	await postWebhook(event('notify_fast', 1751300000));
	await eventually(() => applied('notify_fast'), { everyMs: 20 });
	// well under the 2-second idle poll
	assert.ok(Date.now() - start < 1500, `took ${Date.now() - start} ms`);
});

test('a killed worker is replaced, and the events stored meanwhile are applied', async () => {
	const { master, kids } = workerPids();
	process.kill(kids[0], 'SIGKILL');
	await postWebhook(event('while_dead', 1751300100));
	await eventually(() => {
		const now = workerPids();
		return now.master === master && now.kids.length === WORKERS && !now.kids.includes(kids[0]);
	});
	await eventually(() => applied('while_dead'));
});

test('the database down: Meta is answered 503 (it will retry), nothing is lost', async () => {
	await withDatabaseDown(async () => {
		const r = await postWebhook(event('db_down', 1751300200));
		assert.equal(r.status, 503);
		assert.equal(r.headers['retry-after'], '1');
	});
	// Meta's retry, once the database is back
	assert.equal((await postWebhook(event('db_down', 1751300200))).status, 200);
	await eventually(() => applied('db_down'), { timeoutMs: 20000 });
});

test('the simulator retries a webhook the stack refused, with back-off, until it lands', async () => {
	await control('POST', '/_sim/config', { retry_base_ms: 200 });
	const before = (await control('GET', '/_sim/webhooks')).last;
	// the stack refuses for a moment: a signature made with another secret
	// is not possible from the simulator, so take the database away
	await withDatabaseDown(async () => {
		await control('POST', '/_sim/inbound', { phone_number_id: t.phoneNumberId, from: '16505550000',
			text: 'while you were away' });
		await eventually(async () => (await control('GET', `/_sim/webhooks?since=${before}`)).webhooks
			.some((w) => w.attempts >= 2 && w.lastStatus === 503));
	});
	const w = await eventually(async () => (await control('GET', `/_sim/webhooks?since=${before}`)).webhooks
		.find((x) => x.delivered), { timeoutMs: 20000 });
	assert.ok(w.attempts >= 2);
	await drained();
	assert.equal(q(`SELECT count(*) FROM wa.inbound_messages WHERE org_id = '${t.orgId}'
		AND message->'text'->>'body' = 'while you were away'`), '1');
});

// Events stored while the workers are held (SIGSTOP) wait for them; once
// they run, a batch of them is applied in one transaction.
async function whileHeld(fn) {
	const { kids } = workerPids();
	for (const k of kids) process.kill(k, 'SIGSTOP');
	try {
		await fn();
	} finally {
		for (const k of kids) process.kill(k, 'SIGCONT');
	}
}

function inbound(n, from, text) {
	return { object: 'whatsapp_business_account', entry: [{ id: t.wabaId, changes: [{ field: 'messages',
		value: { messaging_product: 'whatsapp', metadata: { phone_number_id: t.phoneNumberId },
			contacts: [{ profile: { name: `Batch ${n}` }, wa_id: from }],
			messages: [{ from, id: `wamid.batch.${process.pid}.${text}.${n}`,
				timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: text } }] } }] }] };
}

const inboundOf = (text) => q(`SELECT count(*) FROM wa.inbound_messages WHERE org_id = '${t.orgId}'
	AND message->'text'->>'body' = '${text}'`);

test('events stored meanwhile are applied in batches, each once', async () => {
	const log = logTail('webhooks-worker');
	await whileHeld(async () => {
		for (let i = 0; i < 12; i++) {
			assert.equal((await postWebhook(inbound(i, `1650555${String(i).padStart(4, '0')}`, 'batched'))).status, 200);
		}
	});
	await eventually(() => inboundOf('batched') === '12');
	await eventually(() => /webhook events applied: ([2-9]|1[0-2]) /.test(log.text()));
	assert.equal(q(`SELECT count(*) FROM wa.conversations WHERE org_id = '${t.orgId}'
		AND peer LIKE '+1650555%' AND last_preview = 'batched'`), '12');
});

test('a batch that fails is taken again one event at a time: the others land, the bad one is retried', async () => {
	// an event the database refuses (a trigger for this test only)
	q(`CREATE FUNCTION pg_temp_poison() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN IF NEW.message->'text'->>'body' = 'poison' THEN
		RAISE EXCEPTION 'poisoned for the test'; END IF; RETURN NULL; END $$;
		CREATE TRIGGER zz_poison AFTER INSERT ON wa.inbound_messages FOR EACH ROW
		EXECUTE FUNCTION pg_temp_poison()`.replace(/pg_temp_poison/g, 'public.e2e_poison'));
	const log = logTail('webhooks-worker');
	try {
		await whileHeld(async () => {
			for (let i = 0; i < 6; i++) {
				await postWebhook(inbound(i, `1650556${String(i).padStart(4, '0')}`, i === 3 ? 'poison' : 'healthy'));
			}
		});
		await eventually(() => inboundOf('healthy') === '5');
		const [state, attempts, error] = q(`SELECT e.state || '|' || e.attempts || '|' || e.error
			FROM wa.webhook_events e WHERE convert_from(e.body, 'UTF8') LIKE '%"poison"%'`).split('|');
		assert.equal(state, 'pending');
		assert.ok(Number(attempts) >= 1);
		assert.match(error, /poisoned for the test/);
		assert.match(log.text(), /taking them one at a time/);
		assert.equal(inboundOf('poison'), '0');
	} finally {
		q(`DROP TRIGGER zz_poison ON wa.inbound_messages; DROP FUNCTION public.e2e_poison()`);
	}
	// its retry, due now, lands
	q(`UPDATE wa.webhook_events SET next_attempt_at = now()
		WHERE convert_from(body, 'UTF8') LIKE '%"poison"%'; NOTIFY wa_webhooks`);
	await eventually(() => inboundOf('poison') === '1');
});
