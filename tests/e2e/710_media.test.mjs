// The media store (docs/media.md) through nginx: uploads checked by
// their content, content-addressed objects, expiring links, tenancy,
// and media fetched from Meta with a number's token.  make test-e2e
// runs this file twice: on the file backend (nginx's secure_link) and
// on the S3 backend (the sandbox's S3-compatible server, presigned
// links), WA_MEDIA_BACKEND telling which.
import test from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { api, fetchUrl, request, sleep } from './lib/harness.mjs';
import { mosendError, TS, UUID } from './lib/expect.mjs';
import { png, jpeg, multipart } from './lib/images.mjs';
import { metaTenant, SIM } from './lib/meta.mjs';

const S3 = process.env.WA_MEDIA_BACKEND === 's3';
const t = await metaTenant();
const other = await metaTenant();
const M = (x = t) => `/organizations/${x.orgId}/media`;

function upload(key, parts, x = t) {
	const m = multipart(parts);
	return api('POST', M(x), key, { body: m.body, headers: { 'content-type': m.contentType } });
}
const file = (data, filename = 'f.bin', type = 'application/octet-stream') => ({ name: 'file', filename, type, data });


const sha = (b) => crypto.createHash('sha256').update(b).digest('hex');

test(`${S3 ? 's3' : 'file'}: a PNG upload, 201, and its link serves the very bytes`, async () => {
	const img = png(300, 200);
	const r = await upload(t.memberKey, [file(img, 'chart.dat', 'text/plain')]);
	assert.equal(r.status, 201, r.text);
	const d = r.json.data;
	assert.match(d.id, UUID);
	assert.equal(d.mimeType, 'image/png');
	assert.equal(d.bytes, img.length);
	assert.equal(d.sha256, sha(img));
	assert.equal(d.fileName, 'chart.dat');
	assert.equal(d.width, 300);
	assert.equal(d.height, 200);
	assert.equal(d.source, 'upload');
	assert.match(d.createdAt, TS);
	assert.match(d.urlExpiresAt, TS);
	const got = await fetchUrl(d.url);
	assert.equal(got.status, 200);
	assert.ok(got.body.equals(img));
	if (!S3) {
		assert.equal(got.headers['content-type'], 'image/png');
		assert.equal(got.headers['x-content-type-options'], 'nosniff');
	}
});

test('types by content: a JPEG named .txt, a PDF, plain text; unknown bytes refused', async () => {
	const j = await upload(t.key, [file(jpeg(), 'notes.txt', 'text/plain')]);
	assert.equal(j.status, 201, j.text);
	assert.equal(j.json.data.mimeType, 'image/jpeg');
	const pdf = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');
	const p = await upload(t.key, [file(pdf, 'invoice.bin')]);
	assert.equal(p.status, 201, p.text);
	assert.equal(p.json.data.mimeType, 'application/pdf');
	const txt = await upload(t.key, [file(Buffer.from('Dear customer this is plain text\n'), 'a.png', 'image/png')]);
	assert.equal(txt.json.data.mimeType, 'text/plain');
	// bytes of no known type (not random ones: libmagic may see "MZ" and
	// say application/x-dosexec, refused all the same)
	const junk = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 37 + 11) % 251 || 1));
	const e = mosendError(await upload(t.key, [file(junk)]), 400, 'Bad Request', M());
	assert.match(JSON.stringify(e.message), /WhatsApp does not take \(its content is [a-z]+\/[a-z0-9.+-]+\)/);
});

test('the same bytes twice: two media, one object', async () => {
	const img = png(256, 256);
	const a = (await upload(t.key, [file(img)])).json.data;
	const b = (await upload(t.key, [file(img)])).json.data;
	assert.notEqual(a.id, b.id);
	assert.equal(a.sha256, b.sha256);
	assert.equal(new URL(a.url).pathname, new URL(b.url).pathname);
	// delete one: the other still serves; delete both: the object goes
	assert.equal((await api('DELETE', `${M()}/${a.id}`, t.key)).status, 204);
	assert.equal((await fetchUrl(b.url)).status, 200);
	mosendError(await api('GET', `${M()}/${a.id}`, t.key), 404, 'Not Found', `${M()}/${a.id}`);
	assert.equal((await api('DELETE', `${M()}/${b.id}`, t.key)).status, 204);
	assert.ok([403, 404].includes((await fetchUrl(b.url)).status));
});

test('GET gives a fresh link; a link expires; a tampered one is refused', async () => {
	const img = png(220, 220);
	const id = (await upload(t.key, [file(img)])).json.data.id;
	const g = await api('GET', `${M()}/${id}?linkTtl=1`, t.key);
	assert.equal(g.status, 200, g.text);
	assert.equal((await fetchUrl(g.json.data.url)).status, 200);
	await sleep(2200);
	assert.equal((await fetchUrl(g.json.data.url)).status, S3 ? 403 : 410);
	const fresh = (await api('GET', `${M()}/${id}`, t.key)).json.data.url;
	const u = new URL(fresh);
	if (S3) u.searchParams.set('X-Amz-Expires', '604800');
	else u.searchParams.set('expires', String(Number(u.searchParams.get('expires')) + 1000));
	assert.equal((await fetchUrl(u.href)).status, 403);
	const unsigned = new URL(fresh);
	unsigned.search = '';
	assert.equal((await fetchUrl(unsigned.href)).status, 403);
	mosendError(await api('GET', `${M()}/${id}?linkTtl=0`, t.key), 400, 'Bad Request', `${M()}/${id}`);
});

test('tenancy: another organization\'s media is 404, like an unknown or malformed id', async () => {
	const id = (await upload(other.key, [file(png(200, 200))], other)).json.data.id;
	for (const x of [id, crypto.randomUUID(), 'nope']) {
		mosendError(await api('GET', `${M()}/${x}`, t.key), 404, 'Not Found', `${M()}/${x}`);
		mosendError(await api('DELETE', `${M()}/${x}`, t.key), 404, 'Not Found', `${M()}/${x}`);
	}
	assert.equal((await api('GET', `${M(other)}/${id}`, t.key)).status, 403);
	assert.equal((await api('GET', `${M(other)}/${id}`, other.key)).status, 200);
});

test('roles and limits: 401, a member cannot delete, an image over 5 MB is 413, no file part 400', async () => {
	const m = multipart([file(png(200, 200))]);
	mosendError(await request('POST', M(), { body: m.body, headers: { 'content-type': m.contentType } }),
		401, 'Unauthorized', M());
	const id = (await upload(t.key, [file(png(200, 200))])).json.data.id;
	mosendError(await api('DELETE', `${M()}/${id}`, t.memberKey), 403, 'Forbidden', `${M()}/${id}`);
	const big = png(1400, 1400, { noise: true });
	const r = await upload(t.key, [file(big)]);
	assert.equal(r.status, 413, r.text);
	mosendError(await upload(t.key, [{ name: 'x', value: 'y' }]), 400, 'Bad Request', M());
	assert.equal((await api('POST', M(), t.key, { body: { file: 'x' } })).status, 415);
});

test('from Meta: a medium Meta holds, fetched with the number\'s token into the store', async () => {
	const img = png(320, 240);
	const m = multipart([{ name: 'messaging_product', value: 'whatsapp' }, { name: 'type', value: 'image/png' },
		file(img, 'in.png', 'image/png')]);
	const up = await request('POST', `${SIM}/v23.0/${t.phoneNumberId}/media`, { body: m.body,
		headers: { 'content-type': m.contentType, authorization: `Bearer ${t.token}` } });
	assert.equal(up.status, 200, up.text);
	const r = await api('POST', `${M()}/from-meta`, t.memberKey, { body: { phoneNumberId: t.accountId, mediaId: up.json.id } });
	assert.equal(r.status, 201, r.text);
	assert.equal(r.json.data.source, 'meta');
	assert.equal(r.json.data.metaMediaId, up.json.id);
	assert.equal(r.json.data.mimeType, 'image/png');
	assert.equal(r.json.data.sha256, sha(img));
	assert.ok((await fetchUrl(r.json.data.url)).body.equals(img));
	// Meta does not know it, another tenant's number, a bad id
	const unknown = await api('POST', `${M()}/from-meta`, t.key,
		{ body: { phoneNumberId: t.accountId, mediaId: '123456789' } });
	assert.ok(unknown.status >= 400 && unknown.status !== 500 && unknown.status < 505, unknown.text);
	mosendError(await api('POST', `${M()}/from-meta`, t.key, { body: { phoneNumberId: other.accountId, mediaId: up.json.id } }),
		404, 'Not Found', `${M()}/from-meta`);
	mosendError(await api('POST', `${M()}/from-meta`, t.key, { body: { phoneNumberId: t.accountId, mediaId: '../x' } }),
		400, 'Bad Request', `${M()}/from-meta`);
});
