// s3sim.mjs: the sandbox's S3-compatible server, for the stack's S3
// media backend (scripts/stack.sh, docs/media.md) and for
// tests/unit/test_s3.c.
//
// Starts S3rver (tests/e2e/node_modules/s3rver: a test package) on
// 127.0.0.1, on the port given as the first argument or a free one (0),
// over a fresh temporary directory, with the bucket wagate-test; prints
// the port on stdout (one line) once it accepts requests, and exits when
// its stdin closes (or on SIGTERM), removing the directory, so a parent
// that dies never leaves it behind.  With WA_S3SIM_DAEMON=1 (the stack)
// stdin is not watched: SIGTERM stops it.
//
// Credentials are S3rver's own: access key S3RVER, secret S3RVER.
//
// S3rver 3.7.1 checks the access key of a Signature Version 4
// request but not its signature (lib/middleware/authentication.js:
// "Signature version 4 calculation is unimplemeneted"), so this
// script puts a SigV4 check of its own in front of S3rver's routes,
// for both the Authorization header and presigned query strings, as
// S3 computes it: the canonical URI from the decoded path re-encoded
// per segment, the sorted canonical query, the signed headers, the
// payload hash of x-amz-content-sha256 (UNSIGNED-PAYLOAD for a query
// signature).  A mismatch is S3's 403 SignatureDoesNotMatch.  What
// S3rver checks itself (missing x-amz-content-sha256, unknown access
// key, expired presigned URL, clock skew) is left to it.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, '../tests/e2e/package.json'));
const S3rver = require('s3rver');
const AWSAccount = require('s3rver/lib/models/account');
const S3Error = require('s3rver/lib/models/error');

const BUCKET = 'wagate-test';
const EMPTY_SHA256 =
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

const sha256 = (s) => createHash('sha256').update(s).digest('hex');
const hmac = (k, s) => createHmac('sha256', k).update(s).digest();

// RFC 3986 encoding as SigV4 wants it: all but A-Za-z0-9-._~.
const enc = (s) =>
  encodeURIComponent(s).replace(
    /[!'()*]/g,
    (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase(),
  );

function dec(s) {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

// The raw query as [name, value] pairs, decoded.
function rawQuery(url) {
  const q = url.indexOf('?');
  if (q < 0 || q === url.length - 1) return [];
  return url
    .slice(q + 1)
    .split('&')
    .map((p) => {
      const i = p.indexOf('=');
      return i < 0 ? [dec(p), ''] : [dec(p.slice(0, i)), dec(p.slice(i + 1))];
    });
}

function mismatch(why) {
  return new S3Error(
    'SignatureDoesNotMatch',
    'The request signature we calculated does not match the signature ' +
      'you provided. Check your key and signing method.',
    { Reason: why },
  );
}

// What a request says of its signature, or null if it is not SigV4.
function parseAuth(req, query) {
  const auth = req.headers.authorization;
  if (auth !== undefined && auth.startsWith('AWS4-HMAC-SHA256 ')) {
    const m = new Map(
      auth
        .slice(17)
        .split(',')
        .map((c) => c.trim().split('=')),
    );
    return {
      credential: m.get('Credential'),
      signed: m.get('SignedHeaders'),
      signature: m.get('Signature'),
      date: req.headers['x-amz-date'],
      payload: req.headers['x-amz-content-sha256'],
      presigned: false,
    };
  }
  const qm = new Map(query);
  if (qm.get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256') return null;
  return {
    credential: qm.get('X-Amz-Credential'),
    signed: qm.get('X-Amz-SignedHeaders'),
    signature: qm.get('X-Amz-Signature'),
    date: qm.get('X-Amz-Date'),
    payload: 'UNSIGNED-PAYLOAD',
    presigned: true,
  };
}

function canonicalRequest(req, query, a) {
  const path = req.url.split('?')[0];
  const segs = path.split('/').map(dec);
  if (segs.includes(null)) throw mismatch('malformed path');
  const cq = query
    .filter(([k]) => !(a.presigned && k === 'X-Amz-Signature'))
    .map(([k, v]) => [enc(k), enc(v)])
    .sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0))
    .map(([k, v]) => k + '=' + v)
    .join('&');
  const names = a.signed.split(';');
  if (!names.includes('host')) throw mismatch('host is not signed');
  const ch = names
    .map((n) => {
      const v = req.headers[n];
      if (v === undefined) throw mismatch('no ' + n + ' header');
      return n + ':' + String(v).trim().replace(/\s+/g, ' ') + '\n';
    })
    .join('');
  return [
    req.method,
    segs.map(enc).join('/'),
    cq,
    ch,
    a.signed,
    a.payload,
  ].join('\n');
}

// Koa middleware: SignatureDoesNotMatch unless the SigV4 signature
// is right; anything else is S3rver's to judge.
async function sigv4(ctx, next) {
  const req = ctx.req;
  const query = rawQuery(req.url);
  if (query.some(([k, v]) => k === null || v === null))
    throw mismatch('malformed query');
  const a = parseAuth(req, query);
  // a private bucket, as wagate's is: no anonymous access
  if (a === null) throw new S3Error('AccessDenied', 'Access Denied');
  if (a.credential === undefined || a.signed === undefined ||
      a.signature === undefined || a.date === undefined ||
      a.payload === undefined)
    return next();
  const [key, day, region, service, term, ...rest] = a.credential.split('/');
  const account = AWSAccount.registry.get(key);
  if (account === undefined) return next();
  if (rest.length !== 0 || term !== 'aws4_request' || service !== 's3' ||
      day !== a.date.slice(0, 8))
    throw mismatch('malformed credential scope');
  if (!a.presigned && a.payload === EMPTY_SHA256 &&
      Number(req.headers['content-length'] || 0) !== 0)
    throw new S3Error(
      'XAmzContentSHA256Mismatch',
      'The provided x-amz-content-sha256 header does not match what ' +
        'was computed.',
    );
  const creq = canonicalRequest(req, query, a);
  const sts = ['AWS4-HMAC-SHA256', a.date,
    [day, region, service, term].join('/'), sha256(creq)].join('\n');
  let k = hmac('AWS4' + account.accessKeys.get(key), day);
  k = hmac(hmac(hmac(k, region), service), term);
  const want = hmac(k, sts);
  const got = Buffer.from(a.signature, 'hex');
  if (got.length !== want.length || !timingSafeEqual(got, want))
    throw mismatch('signature');
  return next();
}

const dir = mkdtempSync(join(tmpdir(), 'wa-s3rver-'));
const server = new S3rver({
  address: '127.0.0.1',
  port: Number(process.argv[2] || 0),
  silent: true,
  directory: dir,
  resetOnClose: true,
  allowMismatchedSignatures: false,
  vhostBuckets: false,
  configureBuckets: [{ name: BUCKET }],
});
// before the router, after S3rver's XML and host handling
server.middleware.splice(server.middleware.length - 1, 0, sigv4);

let stopping = false;
function stop() {
  if (stopping) return;
  stopping = true;
  const done = () => {
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  };
  server.close(done);
  server.httpServer.closeAllConnections?.();
  setTimeout(done, 2000).unref();
}

const { port } = await server.run();
process.stdout.write(port + '\n');
if (process.env.WA_S3SIM_DAEMON !== '1') {
  process.stdin.on('end', stop);
  process.stdin.on('error', stop);
  process.stdin.resume();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
