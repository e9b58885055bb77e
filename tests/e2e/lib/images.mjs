// Real image files and multipart/form-data bodies for upload tests.
// PNGs are made here (zlib and CRC-32 by hand, no image library); the
// JPEG is a fixture written by libjpeg (tests/e2e/fixtures/picture.jpg,
// 640x480).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

// no harness: the benchmarks make their files with this module too
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

const CRC = new Int32Array(256).map((_, n) => {
	let c = n;
	for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
	return c;
});
function crc32(buf) {
	let c = -1;
	for (const b of buf) c = CRC[(c ^ b) & 0xff] ^ (c >>> 8);
	return (c ^ -1) >>> 0;
}
function chunk(type, data) {
	const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
	const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
	const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td));
	return Buffer.concat([len, td, crc]);
}

// An RGB PNG of w x h.  noise: random pixels stored without compression,
// so the file is about 3*w*h bytes (a big file of known size).
export function png(w, h, { noise = false } = {}) {
	const ihdr = Buffer.alloc(13);
	ihdr.writeUInt32BE(w, 0); ihdr.writeUInt32BE(h, 4);
	ihdr[8] = 8; ihdr[9] = 2; ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0;
	const raw = Buffer.alloc((w * 3 + 1) * h);
	if (noise) crypto.randomFillSync(raw);
	for (let y = 0; y < h; y++) {
		const o = y * (w * 3 + 1);
		raw[o] = 0;
		if (!noise) for (let x = 0; x < w; x++) { raw[o + 1 + x * 3] = x & 0xff; raw[o + 2 + x * 3] = y & 0xff; raw[o + 3 + x * 3] = 0x80; }
	}
	const idat = zlib.deflateSync(raw, { level: noise ? 0 : 6 });
	return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
		chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))]);
}

// A noise PNG of about `bytes` bytes (at least 192x192).
export function pngOfSize(bytes) {
	const side = Math.max(192, Math.round((-1 + Math.sqrt(1 + 12 * bytes)) / 6));
	return png(side, side, { noise: true });
}

export const jpeg = () => fs.readFileSync(path.join(ROOT, 'tests/e2e/fixtures/picture.jpg'));

// A multipart/form-data body: parts [{name, value}] or [{name,
// filename, type, data}].  Returns {body, contentType}.
export function multipart(parts, boundary = `----wagate${crypto.randomBytes(8).toString('hex')}`) {
	const bufs = [];
	for (const p of parts) {
		let head = `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"`;
		if (p.filename !== undefined) head += `; filename="${p.filename}"`;
		head += '\r\n';
		if (p.type) head += `Content-Type: ${p.type}\r\n`;
		bufs.push(Buffer.from(`${head}\r\n`, 'utf8'), Buffer.isBuffer(p.data) ? p.data : Buffer.from(p.value ?? p.data ?? '', 'utf8'), Buffer.from('\r\n'));
	}
	bufs.push(Buffer.from(`--${boundary}--\r\n`));
	return { body: Buffer.concat(bufs), contentType: `multipart/form-data; boundary=${boundary}` };
}
