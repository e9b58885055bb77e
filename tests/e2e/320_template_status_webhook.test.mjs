// A template's status moves through Meta's webhook, not through
// polling: created PENDING, Meta (the simulator) decides, its signed
// message_template_status_update reaches /webhooks/meta through nginx,
// the worker (`webhooks --worker`) applies it to wagate's copy, and the
// Late SDK then sees APPROVED (or REJECTED with the reason).
import test from 'node:test';
import assert from 'node:assert/strict';
import { api, eventually, psql } from './lib/harness.mjs';
import { control, drained, late, metaTenant, review, template } from './lib/meta.mjs';

const t = await metaTenant();
const sdk = late(t.key).whatsapp;
const T = '/v1/whatsapp/templates';

// wagate's copy, as GET one serves it (no call to Meta)
async function copyStatus(name) {
	const r = await api('GET', `${T}/${name}?accountId=${t.accountId}`, t.key);
	assert.equal(r.status, 200, r.text);
	return r.json.template;
}

test('PENDING -> APPROVED by webhook, then listed as APPROVED through the SDK', async () => {
	const made = await sdk.createWhatsAppTemplate({ body: template(t, 'shipping_update') });
	assert.equal(made.data.template.status, 'PENDING');
	const hooksBefore = (await control('GET', '/_sim/webhooks')).last;

	await review(t.wabaId, 'shipping_update', 'APPROVED');
	// the webhook was signed, delivered once, and answered 200
	const hook = await eventually(async () => {
		const w = (await control('GET', `/_sim/webhooks?since=${hooksBefore}`)).webhooks
			.find((x) => x.field === 'message_template_status_update' && x.delivered);
		return w;
	});
	assert.equal(hook.lastStatus, 200);
	assert.equal(hook.attempts, 1);
	assert.match(hook.signature, /^sha256=[0-9a-f]{64}$/);
	assert.match(hook.body, /"event":"APPROVED"/);
	// applied by the worker to wagate's copy
	await eventually(async () => (await copyStatus('shipping_update')).status === 'APPROVED');
	assert.equal(psql(`SELECT event FROM wa.template_events WHERE org_id = '${t.orgId}'
		AND name = 'shipping_update'`, { as: 'super' }), 'APPROVED');

	const list = await sdk.getWhatsAppTemplates({ query: { accountId: t.accountId } });
	const mine = list.data.templates.find((x) => x.name === 'shipping_update');
	assert.equal(mine.status, 'APPROVED');
	const only = await sdk.getWhatsAppTemplates({ query: { accountId: t.accountId, status: 'APPROVED' } });
	assert.deepEqual(only.data.templates.map((x) => x.name), ['shipping_update']);
});

test('PENDING -> REJECTED with Meta\'s reason', async () => {
	await sdk.createWhatsAppTemplate({ body: template(t, 'promo_blast', { category: 'MARKETING' }) });
	await review(t.wabaId, 'promo_blast', 'REJECTED', { reason: 'PROMOTIONAL' });
	await eventually(async () => (await copyStatus('promo_blast')).status === 'REJECTED');
	const got = await copyStatus('promo_blast');
	assert.equal(got.rejected_reason, 'PROMOTIONAL');
});

test('the simulator\'s own review: adjacent parameters are rejected as INVALID_FORMAT', async () => {
	await control('POST', `/_sim/wabas/${t.wabaId}`, { review_ms: 200 });
	const body = template(t, 'squashed', { components: [{ type: 'body', text: 'Hi {{1}}{{2}}, welcome',
		example: { body_text: [['Ann', 'Lee']] } }] });
	assert.equal((await api('POST', T, t.key, { body })).status, 200);
	await eventually(async () => (await copyStatus('squashed')).status === 'REJECTED');
	assert.equal((await copyStatus('squashed')).rejected_reason, 'INVALID_FORMAT');
	await control('POST', `/_sim/wabas/${t.wabaId}`, { review_ms: 0 });
});

test('an older event never overwrites a newer one', async () => {
	await review(t.wabaId, 'shipping_update', 'PAUSED');
	await eventually(async () => (await copyStatus('shipping_update')).status === 'PAUSED');
	await drained();
	// a late redelivery of the APPROVED event (other bytes, older time)
	const [id, at] = psql(`SELECT meta_template_id || '|' || extract(epoch FROM event_time)::bigint
		FROM wa.template_events WHERE org_id = '${t.orgId}' AND name = 'shipping_update'
		AND event = 'APPROVED'`, { as: 'super' }).split('|');
	const { postWebhook } = await import('./lib/meta.mjs');
	const r = await postWebhook({ object: 'whatsapp_business_account', entry: [{ id: t.wabaId, time: Number(at) - 5,
		changes: [{ field: 'message_template_status_update', value: { event: 'APPROVED',
			message_template_id: Number(id), message_template_name: 'shipping_update',
			message_template_language: 'en-US', reason: 'NONE' } }] }] });
	assert.equal(r.status, 200, r.text);
	await drained();
	assert.equal((await copyStatus('shipping_update')).status, 'PAUSED');
});
