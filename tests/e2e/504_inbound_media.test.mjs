// What customers send as media lands in the media store (docs/
// conversations.md, "Media"): the webhooks worker fetches it from Meta
// (the simulator) with the number's token; the agents' list shows it
// with a link (content.stored); what Meta will not give is tried again,
// then given up with its reason.
import test from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { api, fetchUrl, eventually, psql, request } from './lib/harness.mjs';
import { control, SIM } from './lib/meta.mjs';
import { mosendOk } from './lib/flows.mjs';
import { multipart, png } from './lib/images.mjs';
import { phone, sendTenant } from './lib/send.mjs';

const t = await sendTenant({ member: true });
const q = (sql) => psql(sql, { as: 'super' });


// A medium the customer's phone "uploaded" at Meta: its id.
async function metaMedium(bytes) {
	const m = multipart([{ name: 'messaging_product', value: 'whatsapp' }, { name: 'type', value: 'image/png' },
		{ name: 'file', filename: 'photo.png', type: 'image/png', data: bytes }]);
	const up = await request('POST', `${SIM}/v23.0/${t.phoneNumberId}/media`, { body: m.body,
		headers: { 'content-type': m.contentType, authorization: `Bearer ${t.token}` } });
	assert.equal(up.status, 200, up.text);
	return up.json.id;
}

test('an inbound image is fetched into the store; agents see it with a link', async () => {
	const img = png(320, 240);
	const id = await metaMedium(img);
	const p = phone();
	const { wamid } = await control('POST', '/_sim/inbound', { phone_number_id: t.phoneNumberId, from: p,
		name: 'Rae', type: 'image', image: { id, mime_type: 'image/png', caption: 'the broken part' } });
	await eventually(() => q(`SELECT media_state FROM wa.inbound_messages WHERE wamid = '${wamid}'`) === 'stored');
	const row = q(`SELECT m.source, m.meta_media_id, m.sha256 FROM wa.inbound_messages i JOIN wa.media m
		ON m.id = i.media_id WHERE i.wamid = '${wamid}'`);
	assert.equal(row, `meta|${id}|${crypto.createHash('sha256').update(img).digest('hex')}`);
	const list = mosendOk(await api('GET', `/organizations/${t.orgId}/conversations?phoneNumberId=${t.accountId}&limit=100`,
		t.memberKey));
	const conv = list.find((c) => c.phone === p);
	const msgs = mosendOk(await api('GET', `/organizations/${t.orgId}/conversations/${conv.id}/messages`, t.memberKey));
	const m = msgs.find((x) => x.wamid === wamid);
	assert.equal(m.type, 'image');
	assert.equal(m.text, 'the broken part');
	assert.equal(m.content.id, id);
	assert.equal(m.content.stored.mimeType, 'image/png');
	assert.equal(m.content.stored.bytes, img.length);
	assert.ok((await fetchUrl(m.content.stored.url)).body.equals(img));
});

test('a medium Meta does not have: tried again later, its reason kept, then given up', async () => {
	const p = phone();
	const { wamid } = await control('POST', '/_sim/inbound', { phone_number_id: t.phoneNumberId, from: p,
		name: 'Sol', type: 'document', document: { id: '987654321012345', mime_type: 'application/pdf', filename: 'x.pdf' } });
	await eventually(() => q(`SELECT media_attempts FROM wa.inbound_messages WHERE wamid = '${wamid}'`) === '1');
	assert.equal(q(`SELECT media_state, media_error IS NOT NULL, media_next_at > now() FROM wa.inbound_messages
		WHERE wamid = '${wamid}'`), 'pending|t|t');
	for (let i = 2; i <= 5; i++) {
		q(`UPDATE wa.inbound_messages SET media_next_at = now() WHERE wamid = '${wamid}'`);
		await eventually(() => q(`SELECT media_attempts FROM wa.inbound_messages WHERE wamid = '${wamid}'`) === String(i));
	}
	assert.equal(q(`SELECT media_state, media_next_at IS NULL, media_id IS NULL FROM wa.inbound_messages
		WHERE wamid = '${wamid}'`), 'failed|t|t');
	// a text is nothing to fetch
	const { wamid: w2 } = await control('POST', '/_sim/inbound', { phone_number_id: t.phoneNumberId, from: p, text: 'hello' });
	await eventually(() => q(`SELECT count(*) FROM wa.inbound_messages WHERE wamid = '${w2}'`) === '1');
	assert.equal(q(`SELECT coalesce(media_state, 'none') FROM wa.inbound_messages WHERE wamid = '${w2}'`), 'none');
});
