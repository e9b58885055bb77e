// /webhooks/meta: the GET handshake and the signature of every POST
// (X-Hub-Signature-256 over the raw bytes, app secret, constant time).
// A bad or missing signature is 401 and stores nothing; a replayed
// event is 200 and applied once, also when Meta re-batches it.
import test from 'node:test';
import assert from 'node:assert/strict';
import { eventually, psql, request } from './lib/harness.mjs';
import { mosendError } from './lib/expect.mjs';
import { APP_SECRET, VERIFY_TOKEN, control, drained, metaTenant, postWebhook, signature } from './lib/meta.mjs';

const t = await metaTenant();
const other = await metaTenant();
const H = '/webhooks/meta';

const count = (table, where = 'true') => Number(psql(`SELECT count(*) FROM wa.${table} WHERE ${where}`, { as: 'super' }));

// A template event for t, as Meta writes it (\u and \/ escapes).
function templateEvent(name, event, time) {
	return `{"entry":[{"id":"${t.wabaId}","time":${time},"changes":[{"value":{"event":"${event}",`
		+ `"message_template_id":1${String(time).slice(-9)}0001,"message_template_name":"${name}",`
		+ `"message_template_language":"en_US","reason":"NONE","message_template_category":"UTILITY",`
		+ `"other_info":{"title":"caf\\u00e9 \\ud83d\\ude00","description":"http:\\/\\/x"}},`
		+ `"field":"message_template_status_update"}]}],"object":"whatsapp_business_account"}`;
}

test('GET handshake: the bare challenge for the right token, 403 otherwise', async () => {
	const ok = await request('GET', `${H}?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=${VERIFY_TOKEN}`);
	assert.equal(ok.status, 200);
	assert.equal(ok.text, '1158201444');
	assert.match(ok.headers['content-type'], /^text\/plain/);
	assert.ok(ok.headers['x-request-id']);
	mosendError(await request('GET', `${H}?hub.mode=subscribe&hub.challenge=1&hub.verify_token=wrong`),
		403, 'Forbidden', H);
	mosendError(await request('GET', `${H}?hub.mode=unsubscribe&hub.challenge=1&hub.verify_token=${VERIFY_TOKEN}`),
		400, 'Bad Request', H);
	mosendError(await request('GET', `${H}?hub.verify_token=${VERIFY_TOKEN}`), 400, 'Bad Request', H);
	// a challenge is echoed only when it is plain printable text
	mosendError(await request('GET', `${H}?hub.mode=subscribe&hub.challenge=%3Cscript%3E&hub.verify_token=${VERIFY_TOKEN}`),
		400, 'Bad Request', H);
	// and the simulator's own handshake against the stack passes
	assert.equal((await control('POST', '/_sim/webhook/verify')).ok, true);
});

test('valid signature: 200, stored, applied by the worker', async () => {
	const body = templateEvent('sig_ok', 'APPROVED', 1751247548);
	const before = count('webhook_events');
	const r = await postWebhook(body);
	assert.equal(r.status, 200, r.text);
	assert.deepEqual(r.json.data, { received: true, duplicate: false });
	assert.equal(count('webhook_events'), before + 1);
	// stored byte for byte
	assert.equal(psql(`SELECT convert_from(body, 'UTF8') FROM wa.webhook_events ORDER BY id DESC LIMIT 1`,
		{ as: 'super' }), body);
	await drained();
	assert.equal(count('template_events', `org_id = '${t.orgId}' AND name = 'sig_ok'`), 1);
});

test('tampered body, wrong secret, missing or malformed header: 401, nothing stored', async () => {
	const body = templateEvent('sig_bad', 'APPROVED', 1751247600);
	const before = count('webhook_events');
	const tampered = body.replace('APPROVED', 'REJECTED');
	mosendError(await postWebhook(tampered, { sig: signature(body) }), 401, 'Unauthorized', H);
	mosendError(await postWebhook(body, { secret: 'not-the-app-secret' }), 401, 'Unauthorized', H);
	mosendError(await postWebhook(body, { sig: null }), 401, 'Unauthorized', H);
	for (const sig of ['sha256=', 'sha1=abc', signature(body).slice(7), `${signature(body)}00`, 'sha256=zz']) {
		mosendError(await postWebhook(body, { sig }), 401, 'Unauthorized', H);
	}
	// a re-serialized body (no \u escapes) is not what Meta signed
	const reserialized = JSON.stringify(JSON.parse(body));
	assert.notEqual(reserialized, body);
	mosendError(await postWebhook(reserialized, { sig: signature(body) }), 401, 'Unauthorized', H);
	assert.equal(count('webhook_events'), before);
	assert.equal(count('template_events', `org_id = '${t.orgId}' AND name = 'sig_bad'`), 0);
});

test('a replayed event: 200 again, recognized, applied once', async () => {
	const body = templateEvent('replayed', 'APPROVED', 1751247700);
	assert.equal((await postWebhook(body)).json.data.duplicate, false);
	const again = await postWebhook(body);
	assert.equal(again.status, 200);
	assert.equal(again.json.data.duplicate, true);
	const stored = count('webhook_events', `body_sha256 = sha256(convert_to('${body.replace(/'/g, "''")}', 'UTF8'))`);
	assert.equal(stored, 1);
	await drained();
	assert.equal(count('template_events', `org_id = '${t.orgId}' AND name = 'replayed'`), 1);
	// Meta re-batches: the same change inside another body is applied once too
	const batch = `{"object":"whatsapp_business_account","entry":[${JSON.stringify(JSON.parse(body).entry[0])},`
		+ `{"id":"${t.wabaId}","time":1751247701,"changes":[{"field":"account_update","value":{"event":"X"}}]}]}`;
	assert.equal((await postWebhook(batch)).json.data.duplicate, false);
	await drained();
	assert.equal(count('template_events', `org_id = '${t.orgId}' AND name = 'replayed'`), 1);
});

test('what cannot be applied is acknowledged and set aside, never retried forever', async () => {
	for (const body of ['not json', '{"object":"page","entry":[]}', '{"object":"whatsapp_business_account",'
		+ '"entry":[{"id":"1","changes":[{"field":"messages","value":{"metadata":{"phone_number_id":"99"}}}]}]}']) {
		const r = await postWebhook(body);
		assert.equal(r.status, 200, r.text);
	}
	await drained();
	assert.equal(count('webhook_events', `state = 'pending'`), 0);
	const notes = psql(`SELECT string_agg(coalesce(error, '-'), '|' ORDER BY id) FROM (SELECT id, error
		FROM wa.webhook_events ORDER BY id DESC LIMIT 3) x`, { as: 'super' });
	assert.match(notes, /not JSON/);
	assert.match(notes, /not a whatsapp_business_account event/);
	assert.match(notes, /name no account/);
});

test('tenancy: an event for t\'s WABA changes only t\'s rows', async () => {
	const body = templateEvent('tenant_check', 'APPROVED', 1751247800);
	await postWebhook(body);
	await drained();
	assert.equal(count('template_events', `org_id = '${t.orgId}' AND name = 'tenant_check'`), 1);
	assert.equal(count('template_events', `org_id = '${other.orgId}'`), 0);
	// the app role sees nothing of the raw events
	assert.throws(() => psql('SELECT count(*) FROM wa.webhook_events'), /permission denied/);
});

test('a body over the limit is refused by nginx (413), a 3 MB one is taken', async () => {
	const pad = 'x'.repeat(3 * 1024 * 1024);
	const big = `{"object":"whatsapp_business_account","entry":[],"pad":"${pad}"}`;
	const r = await postWebhook(big);
	assert.equal(r.status, 200, r.text.slice(0, 200));
	const huge = `{"pad":"${'y'.repeat(5 * 1024 * 1024)}"}`;
	assert.equal((await postWebhook(huge)).status, 413);
	await eventually(() => count('webhook_events', `state = 'pending'`) === 0);
});

test('the app secret never appears in a response or a log', async () => {
	const { logTail } = await import('./lib/harness.mjs');
	const log = logTail('webhooks');
	await postWebhook(templateEvent('quiet', 'APPROVED', 1751247900));
	await postWebhook('x', { secret: 'wrong' });
	assert.ok(!log.text().includes(APP_SECRET));
});
