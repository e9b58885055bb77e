// The process model of `webhooks --worker` (lib/fcgi.c): a master that
// restarts a killed worker, a NOTIFY that wakes it at once, stored
// events that survive the worker's absence and a database outage, and
// the simulator retrying a webhook the stack could not take.
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { eventually, psql, stateRun, withDatabaseDown } from './lib/harness.mjs';
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
