// Messages' webhooks, end to end: a message sent through the simulator
// (the Graph API, as the client sends it) gets sent -> delivered -> read
// statuses; an inbound message arrives on demand; both are stored for
// the tenant that owns the number, once, with Meta's escaping undone.
import test from 'node:test';
import assert from 'node:assert/strict';
import { eventually, psql } from './lib/harness.mjs';
import { control, drained, metaTenant, postWebhook, sim } from './lib/meta.mjs';

const t = await metaTenant();
const other = await metaTenant();

const q = (sql) => psql(sql, { as: 'super' });
// A wamid as it appears in a webhook body: Meta escapes "/" as "\/".
const escaped = (wamid) => wamid.replace(/\//g, '\\/');

async function send(body) {
	const r = await sim('POST', `/v23.0/${t.phoneNumberId}/messages`, {
		messaging_product: 'whatsapp', recipient_type: 'individual', ...body,
	}, { authorization: `Bearer ${t.token}` });
	assert.equal(r.status, 200, r.text);
	return r.json.messages[0].id;
}

test('an inbound message: stored with the sender\'s name, the 24-hour window opens', async () => {
	const text = 'Does it come in another colour? äöå 😀 http://x.example/a';
	const { wamid } = await control('POST', '/_sim/inbound', {
		phone_number_id: t.phoneNumberId, from: '+16505551234', name: 'Sheena Nelson', text,
	});
	await eventually(() => q(`SELECT count(*) FROM wa.inbound_messages WHERE wamid = '${wamid}'`) === '1');
	const row = q(`SELECT org_id || '|' || account_id || '|' || from_wa_id || '|' || contact_name || '|' || type
		|| '|' || (message->'text'->>'body') FROM wa.inbound_messages WHERE wamid = '${wamid}'`);
	assert.equal(row, `${t.orgId}|${t.accountId}|16505551234|Sheena Nelson|text|${text}`);
	// the bytes on the wire were Meta's escapes, signed as such
	const hook = (await control('GET', '/_sim/webhooks')).webhooks.find((w) => w.body.includes(escaped(wamid)));
	assert.match(hook.body, /\\u00e4\\u00f6\\u00e5 \\ud83d\\ude00 http:\\\/\\\/x\.example\\\/a/);
	assert.equal(q(`SELECT count(*) FROM wa.inbound_messages WHERE org_id = '${other.orgId}'`), '0');
});

test('a text inside the window: sent, delivered, read, in order, once each', async () => {
	await control('POST', '/_sim/config', { status_delay_ms: 100 });
	const wamid = await send({ to: '+16505551234', type: 'text', text: { body: 'Yes, in blue.' } });
	await eventually(() => q(`SELECT string_agg(status, ',' ORDER BY status_time, received_at)
		FROM wa.message_statuses WHERE wamid = '${wamid}'`) === 'sent,delivered,read');
	const sent = q(`SELECT recipient_id || '|' || (pricing->>'category') || '|' || (conversation IS NOT NULL)
		FROM wa.message_statuses WHERE wamid = '${wamid}' AND status = 'sent'`);
	assert.equal(sent, '16505551234|service|true');
	// a redelivered status (same bytes, or re-batched) adds nothing
	const hook = (await control('GET', '/_sim/webhooks')).webhooks
		.find((w) => w.body.includes(escaped(wamid)) && w.body.includes('"read"'));
	assert.equal((await postWebhook(hook.body, { sig: hook.signature })).json.data.duplicate, true);
	const v = JSON.parse(hook.body);
	v.entry.push({ id: t.wabaId, changes: [{ field: 'messages', value: v.entry[0].changes[0].value }] });
	assert.equal((await postWebhook(v)).status, 200);
	await drained();
	assert.equal(q(`SELECT count(*) FROM wa.message_statuses WHERE wamid = '${wamid}'`), '3');
});

test('outside the window: Meta accepts, then a failed status with 131047', async () => {
	const wamid = await send({ to: '+442079460958', type: 'text', text: { body: 'Hello?' } });
	await eventually(() => q(`SELECT status FROM wa.message_statuses WHERE wamid = '${wamid}'`) === 'failed');
	assert.equal(q(`SELECT errors->0->>'code' FROM wa.message_statuses WHERE wamid = '${wamid}'`), '131047');
});

test('a template message: billed as its category; a recipient set to fail gets its code', async () => {
	const made = await sim('POST', `/v23.0/${t.wabaId}/message_templates`, {
		name: 'receipt', language: 'en_US', category: 'UTILITY',
		components: [{ type: 'BODY', text: 'Paid {{1}}', example: { body_text: [['$5']] } }],
	}, { authorization: `Bearer ${t.token}` });
	await control('POST', `/_sim/templates/${made.json.id}/review`, { status: 'APPROVED' });
	const tpl = { name: 'receipt', language: { code: 'en_US' },
		components: [{ type: 'body', parameters: [{ type: 'text', text: '$5' }] }] };
	const wamid = await send({ to: '+442079460958', type: 'template', template: tpl });
	await eventually(() => q(`SELECT count(*) FROM wa.message_statuses WHERE wamid = '${wamid}'`) === '3');
	assert.equal(q(`SELECT pricing->>'category' FROM wa.message_statuses WHERE wamid = '${wamid}'
		AND status = 'sent'`), 'utility');
	await control('POST', '/_sim/recipients', { wa_id: '+33612345678', fail_code: 131026 });
	const failed = await send({ to: '+33612345678', type: 'template', template: tpl });
	await eventually(() => q(`SELECT errors->0->>'code' FROM wa.message_statuses WHERE wamid = '${failed}'`)
		=== '131026');
});

test('a status for a number no organization has is acknowledged and dropped', async () => {
	const r = await postWebhook({ object: 'whatsapp_business_account', entry: [{ id: '1', changes: [{
		field: 'messages', value: { messaging_product: 'whatsapp',
			metadata: { display_phone_number: '1', phone_number_id: '999999999' },
			statuses: [{ id: 'wamid.nobody', status: 'sent', timestamp: '1', recipient_id: '1' }] } }] }] });
	assert.equal(r.status, 200);
	await drained();
	assert.equal(q(`SELECT count(*) FROM wa.message_statuses WHERE wamid = 'wamid.nobody'`), '0');
});
