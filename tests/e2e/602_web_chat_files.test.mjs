// Web chat's files (docs/web-chat.md, "Attachments and avatars"), in
// the media store: a channel's avatar (checked by content, 8 MB), a
// visitor's upload and its message, an agent's upload and its reply,
// each side seeing the other's attachment with a working link.
import test from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { api, fetchUrl, key, request, tenant } from './lib/harness.mjs';
import { mosendError, TS, UUID } from './lib/expect.mjs';
import { mosendOk, mosendValidation } from './lib/flows.mjs';
import { jpeg, multipart, png } from './lib/images.mjs';

const t = tenant({ account: false });
const other = tenant({ account: false });
const SITE = 'https://shop.example.com';
const channels = (x = t) => `/organizations/${x.orgId}/web-chat/channels`;
const w = (c, p) => `/web-chat/${c.token}${p}`;

async function channel(settings = {}, x = t) {
	const r = await api('POST', channels(x), x.key, { body: { name: 'Files', allowedDomains: ['shop.example.com'], ...settings } });
	assert.equal(r.status, 201, r.text);
	return r.json.data;
}
const call = (method, p, { token, body, headers = {} } = {}) => request(method, p, {
	headers: { origin: SITE, ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers }, body,
});
const form = (parts) => multipart(parts);
const file = (data, filename = 'f.bin', type = 'application/octet-stream') => ({ name: 'file', filename, type, data });


test('a channel\'s avatar: PNG, JPG or WebP by content, in the channel and in the widget\'s session', async () => {
	const c = await channel();
	const img = png(256, 256);
	const m = form([file(img, 'logo.txt', 'text/plain')]);
	const r = await api('POST', `${channels()}/${c.id}/avatar`, t.key, { body: m.body, headers: { 'content-type': m.contentType } });
	assert.equal(r.status, 201, r.text);
	assert.match(r.json.data.avatarMediaId, UUID, r.text);
	assert.equal(typeof r.json.data.avatarUrl, 'string', r.text);
	assert.ok((await fetchUrl(r.json.data.avatarUrl)).body.equals(img));
	const s = await call('POST', w(c, '/sessions'), { body: {} });
	assert.equal(s.status, 201, s.text);
	assert.ok((await fetchUrl(s.json.data.channel.avatarUrl)).body.equals(img));
	// a text file, a member, another tenant's channel
	const bad = form([file(Buffer.from('Dear customer this is plain text\n'), 'a.png', 'image/png')]);
	const e = mosendError(await api('POST', `${channels()}/${c.id}/avatar`, t.key,
		{ body: bad.body, headers: { 'content-type': bad.contentType } }), 400, 'Bad Request', `${channels()}/${c.id}/avatar`);
	assert.match(JSON.stringify(e.message), /PNG, JPG or WebP.*text\/plain/);
	assert.equal((await api('POST', `${channels()}/${c.id}/avatar`, key(t.orgId, { role: 'member' }).WA_API_KEY,
		{ body: m.body, headers: { 'content-type': m.contentType } })).status, 403);
	const o = await api('POST', `${channels(other)}/${c.id}/avatar`, other.key,
		{ body: m.body, headers: { 'content-type': m.contentType } });
	assert.equal(o.status, 404, o.text);
	// removed
	const d = mosendOk(await api('DELETE', `${channels()}/${c.id}/avatar`, t.key));
	assert.equal(d.avatarUrl, null);
	assert.equal(d.avatarMediaId, null);
});

test('a visitor uploads a file and sends it; agents see it; the agent answers with a file of its own', async () => {
	const c = await channel();
	const s = (await call('POST', w(c, '/sessions'), { body: { mode: 'identified', name: 'Lia' } })).json.data;
	const img = jpeg();
	const m = form([file(img, 'receipt.pdf', 'application/pdf')]);
	const up = await call('POST', w(c, '/upload'), { token: s.token, body: m.body, headers: { 'content-type': m.contentType } });
	assert.equal(up.status, 201, up.text);
	assert.equal(up.headers['access-control-allow-origin'], SITE);
	const a = up.json.data;
	assert.equal(a.mimeType, 'image/jpeg');
	assert.equal(a.bytes, img.length);
	assert.equal(a.fileName, 'receipt.pdf');
	const sent = await call('POST', w(c, '/messages'), { token: s.token, body: { mediaAssetId: a.mediaAssetId } });
	assert.equal(sent.status, 201, sent.text);
	assert.equal(sent.json.data.type, 'image');
	assert.equal(sent.json.data.body, null);
	assert.equal(sent.json.data.media.mimeType, 'image/jpeg');
	assert.match(sent.json.data.media.urlExpiresAt, TS);
	assert.ok((await fetchUrl(sent.json.data.media.url)).body.equals(img));
	// agents
	const base = `/organizations/${t.orgId}/conversations/${s.conversationId}`;
	const list = mosendOk(await api('GET', `${base}/messages`, t.key));
	assert.equal(list[0].type, 'image');
	assert.equal(list[0].mediaAssetId, a.mediaAssetId);
	assert.ok((await fetchUrl(list[0].media.url)).body.equals(img));
	assert.deepEqual(mosendOk(await api('GET', base, t.key)).lastMessage, { direction: 'inbound', preview: '[image]' });
	// the agent's file, then its reply with it and a text
	const doc = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');
	const dm = form([file(doc, 'terms.pdf')]);
	const au = await api('POST', `${base}/web-chat/media`, t.key, { body: dm.body, headers: { 'content-type': dm.contentType } });
	assert.equal(au.status, 201, au.text);
	assert.equal(au.json.data.mimeType, 'application/pdf');
	const reply = mosendOk(await api('POST', `${base}/web-chat/send`, t.key, { body: {
		body: 'Our terms', mediaAssetId: au.json.data.mediaAssetId, replyToMessageId: sent.json.data.id } }), 201);
	assert.equal(reply.type, 'document');
	assert.equal(reply.text, 'Our terms');
	mosendValidation(await api('POST', `${base}/web-chat/send`, t.key, { body: { type: 'video', mediaAssetId: au.json.data.mediaAssetId } }),
		`${base}/web-chat/send`, ['type is video, but the file is of type document']);
	// the widget's history has both, with links
	const h = (await call('GET', w(c, '/history'), { token: s.token })).json.data;
	assert.deepEqual(h.map((x) => [x.sender, x.type]), [['visitor', 'image'], ['agent', 'document']]);
	assert.ok((await fetchUrl(h[1].media.url)).body.equals(doc));
});

test('a visitor attaches only its own uploads; bad files and too many are refused', async () => {
	const c = await channel();
	const s1 = (await call('POST', w(c, '/sessions'), { body: {} })).json.data;
	const s2 = (await call('POST', w(c, '/sessions'), { body: {} })).json.data;
	const m = form([file(png(200, 200), 'a.png', 'image/png')]);
	const up = (await call('POST', w(c, '/upload'), { token: s1.token, body: m.body, headers: { 'content-type': m.contentType } })).json.data;
	mosendValidation(await call('POST', w(c, '/messages'), { token: s2.token, body: { mediaAssetId: up.mediaAssetId } }),
		w(c, '/messages'), ['mediaAssetId must be the id of a file this visitor uploaded']);
	// no visitor token, an unknown type, JSON instead of a form
	assert.equal((await call('POST', w(c, '/upload'), { body: m.body, headers: { 'content-type': m.contentType } })).status, 401);
	const junk = form([file(crypto.randomBytes(2048))]);
	assert.equal((await call('POST', w(c, '/upload'), { token: s2.token, body: junk.body,
		headers: { 'content-type': junk.contentType } })).status, 400);
	assert.equal((await call('POST', w(c, '/upload'), { token: s2.token, body: { file: 'x' } })).status, 415);
	// ten a minute
	let last;
	for (let i = 0; i < 11; i++) {
		last = await call('POST', w(c, '/upload'), { token: s2.token, body: m.body, headers: { 'content-type': m.contentType } });
	}
	assert.equal(last.status, 429, last.text);
	// the preflight of the upload route
	const pre = await request('OPTIONS', w(c, '/upload'), { headers: { origin: SITE, 'access-control-request-method': 'POST' } });
	assert.equal(pre.status, 204);
});
