// The profile picture (docs/profiles.md, "The picture"): Mosend's POST
// .../profile/picture and Late's POST /v1/whatsapp/business-profile/photo,
// multipart/form-data through nginx.  The file is checked by its
// content (libmagic, libpng, libjpeg), never its name; it streams to a
// spool file and on to Meta's resumable upload (the simulator), whose
// handle becomes the profile's picture.
import test from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import fs from 'node:fs';
import path from 'node:path';
import { api, DIR, request } from './lib/harness.mjs';
import { lateError, mosendError } from './lib/expect.mjs';
import { png, jpeg, multipart } from './lib/images.mjs';
import { control, faults, late, metaTenant, received } from './lib/meta.mjs';

const t = await metaTenant();
const other = await metaTenant();
const PIC = (x = t, id = x.accountId) => `/organizations/${x.orgId}/phone-numbers/${id}/profile/picture`;
const PHOTO = '/v1/whatsapp/business-profile/photo';

function upload(urlPath, key, parts, { contentType } = {}) {
	const m = multipart(parts);
	return api('POST', urlPath, key, { body: m.body, headers: { 'content-type': contentType ?? m.contentType } });
}
const file = (data, filename = 'me.png', type = 'image/png') => ({ name: 'file', filename, type, data });

// The bytes behind a URL of the simulator (its own certificate).
function download(url) {
	const ca = fs.readFileSync(path.join(DIR, 'tls', 'cert.pem'));
	return new Promise((resolve, reject) => {
		https.get(url, { ca, rejectUnauthorized: false }, (res) => {
			const chunks = [];
			res.on('data', (c) => chunks.push(c));
			res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks) }));
		}).on('error', reject);
	});
}

test.afterEach(async () => { await faults(); });

test('a real PNG: 201, set at Meta by resumable upload, the very bytes behind the new picture URL', async () => {
	const img = png(640, 640);
	const r = await upload(PIC(), t.key, [file(img)]);
	assert.equal(r.status, 201, r.text);
	const d = r.json.data;
	assert.deepEqual(d.picture, { type: 'image/png', bytes: img.length, width: 640, height: 640 });
	assert.ok(d.profilePictureUrl, r.text);
	const sim = (await control('GET', `/_sim/phones/${t.phoneNumberId}`)).profile;
	assert.equal(sim.profile_picture_url, d.profilePictureUrl);
	const got = await download(d.profilePictureUrl);
	assert.equal(got.status, 200);
	assert.ok(got.body.equals(img), 'Meta holds the uploaded bytes');
	const sess = await received('/uploads');
	assert.ok(sess.some((q) => (q.query || q.path).includes('file_type=image%2Fpng') || JSON.stringify(q).includes('image/png')));
});

test('a real JPEG named .png and declared text/plain: its content decides, image/jpeg', async () => {
	const img = jpeg();
	const r = await upload(PIC(), t.key, [file(img, 'holiday.png', 'text/plain')]);
	assert.equal(r.status, 201, r.text);
	assert.deepEqual(r.json.data.picture, { type: 'image/jpeg', bytes: img.length, width: 640, height: 480 });
});

test('a text file renamed .jpg: 400 that names what it is; Meta never asked', async () => {
	const before = (await received('/uploads')).length;
	const e = mosendError(await upload(PIC(), t.key, [file(Buffer.from('Dear customer this is plain text\n'.repeat(40)), 'x.jpg', 'image/jpeg')]),
		400, 'Bad Request', PIC());
	assert.match(JSON.stringify(e.message), /JPG or PNG.*text\/plain/);
	assert.equal((await received('/uploads')).length, before);
});

test('too small, a PNG cut short, no file part, an empty file: 400 each', async () => {
	mosendError(await upload(PIC(), t.key, [file(png(100, 100))]), 400, 'Bad Request', PIC());
	mosendError(await upload(PIC(), t.key, [file(png(640, 640).subarray(0, 30))]), 400, 'Bad Request', PIC());
	mosendError(await upload(PIC(), t.key, [{ name: 'other', value: 'x' }]), 400, 'Bad Request', PIC());
	mosendError(await upload(PIC(), t.key, [file(Buffer.alloc(0))]), 400, 'Bad Request', PIC());
});

test('a 6 MB image: 413 from nginx or the family, in Mosend\'s envelope', async () => {
	const big = png(1450, 1450, { noise: true });
	assert.ok(big.length > 6e6, `${big.length}`);
	const r = await upload(PIC(), t.key, [file(big)]);
	assert.equal(r.status, 413, r.text);
	// 5.02 MB of file in a body nginx lets through: the family's 413
	const edge = png(1323, 1323, { noise: true });
	assert.ok(edge.length > 5 * 1024 * 1024 && edge.length < 5 * 1024 * 1024 + 30000, `${edge.length}`);
	const r2 = await upload(PIC(), t.key, [file(edge)]);
	assert.equal(r2.status, 413, r2.text);
	assert.match(r2.json.message, /5 MB/);
});

test('a truncated multipart body, a body that is not multipart, a bad boundary: 400 or 415', async () => {
	const m = multipart([file(png(300, 300))]);
	const cut = m.body.subarray(0, m.body.length - 30);
	mosendError(await api('POST', PIC(), t.key, { body: cut, headers: { 'content-type': m.contentType } }),
		400, 'Bad Request', PIC());
	const j = await api('POST', PIC(), t.key, { body: { file: 'x' } });
	assert.equal(j.status, 415, j.text);
	const nb = await api('POST', PIC(), t.key, { body: m.body, headers: { 'content-type': 'multipart/form-data' } });
	assert.equal(nb.status, 415, nb.text);
	const wrong = await api('POST', PIC(), t.key, { body: m.body,
		headers: { 'content-type': 'multipart/form-data; boundary=somethingelse' } });
	assert.equal(wrong.status, 400, wrong.text);
});

test('tenancy and roles: another tenant\'s number 404, a member 403, no key 401', async () => {
	const img = png(300, 300);
	mosendError(await upload(PIC(t, other.accountId), t.key, [file(img)]), 404, 'Not Found', PIC(t, other.accountId));
	mosendError(await upload(PIC(), t.memberKey, [file(img)]), 403, 'Forbidden', PIC());
	const m = multipart([file(img)]);
	mosendError(await request('POST', PIC(), { body: m.body, headers: { 'content-type': m.contentType } }),
		401, 'Unauthorized', PIC());
});

test('Meta failing the upload: a clear error, not a 500', async () => {
	await faults({ path: '/*/uploads', status: 500, code: 131000, count: -1 });
	const r = await upload(PIC(), t.key, [file(png(300, 300))]);
	assert.equal(r.status, 503, r.text);
	await faults({ path: '/*/uploads', drop: true, count: -1 });
	assert.equal((await upload(PIC(), t.key, [file(png(300, 300))])).status, 502);
});

test('Late: POST /v1/whatsapp/business-profile/photo, raw and with the SDK', async () => {
	const r = await upload(PHOTO, t.key, [{ name: 'accountId', value: t.accountId }, file(png(400, 400))]);
	assert.equal(r.status, 200, r.text);
	assert.deepEqual(r.json, { success: true, message: 'Profile picture updated successfully' });
	lateError(await upload(PHOTO, t.key, [file(png(400, 400))]), 400, 'validation_error');
	lateError(await upload(PHOTO, t.key, [{ name: 'accountId', value: other.accountId }, file(png(400, 400))]),
		404, 'not_found');
	const sdk = late(t.key).whatsapp;
	const img = jpeg();
	const s = await sdk.uploadWhatsAppProfilePhoto({ body: { accountId: t.accountId,
		file: new Blob([img], { type: 'image/jpeg' }) } });
	assert.equal(s.response.status, 200, JSON.stringify(s.error));
	assert.equal(s.data.success, true);
	const url = (await control('GET', `/_sim/phones/${t.phoneNumberId}`)).profile.profile_picture_url;
	assert.ok((await download(url)).body.equals(img));
});
