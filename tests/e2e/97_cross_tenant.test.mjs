// The cross-tenant probe (issue 11): tenant B's key on every object of
// tenant A, over every route that takes an API key, generated from the
// route tables and the seed catalogue (tests/e2e/lib/seeds.mjs) like the
// hostile-input suite.  A's ids go into path parameters, query
// parameters (accountId), bodies (accountId, contactIds, phoneNumberId,
// ...), x-profile-id and Mosend's {orgId}.  Every answer must be 404, or
// 403 where the face says so (Mosend {orgId} of another organization,
// Sent x-profile-id of another organization); nothing of A may appear
// in any answer to B (0 reads), and A's rows in every tenant table must
// be byte for byte what they were (0 writes).
import test from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { psql } from './lib/harness.mjs';
import {
	KNOWN, absorbedBy, baseRequest, bodyText, caller, closeAgents, context, problems, render, resolverOf,
	routes, sendRetrying, show,
} from './lib/hostile.mjs';
import { APP_SECRET, VERIFY_TOKEN, control, drained, metaTenant, review } from './lib/meta.mjs';

const ALL = routes().filter((r) => r.auth === 'api_key');
const A = await metaTenant();
const B = await metaTenant();
const cA = context(A, { verifyToken: VERIFY_TOKEN });
const cB = context(B, { verifyToken: VERIFY_TOKEN });
const approve = (waba, name) => review(waba, name, 'APPROVED');
const notes = new Set();
const helpersOf = (c) => ({ call: caller(c), approve, note: (s) => notes.add(s), appSecret: APP_SECRET });

// One object of every kind a route names, per tenant: ids by
// "family:param".
async function objects(c) {
	const ids = {};
	for (const r of ALL) {
		for (const p of [...new Set([...r.params, ...((r.seed && r.seed.needs) || [])])]) {
			const k = `${r.family}:${p}`;
			if (k in ids) continue;
			const f = resolverOf(r.family, p);
			if (!f) notes.add(`${r.key}: no resolver for {${p}}: probed with a random id`);
			ids[k] = f ? await f(c, helpersOf(c).call, helpersOf(c)) : crypto.randomUUID();
		}
	}
	return ids;
}
const idsA = await objects(cA);
const idsB = await objects(cB);
// more of A to find in a leak: a brand, a contact's details, an inbound
// message from a customer
const marker = cA.marker;
await caller(cA)('POST', '/v3/profiles', {
	name: `Secret ${marker}`, description: `brand ${marker}`,
	brand: { contact: { name: `Jane ${marker}` }, compliance: { vertical: 'RETAIL', brandRelationship: 'BASIC_ACCOUNT' } },
});
await caller(cA)('POST', '/v1/whatsapp/contacts', {
	accountId: A.accountId, phone: cA.phone(), name: `Customer ${marker}`, email: `c-${marker}@acme.example`,
	company: `Company ${marker}`, tags: [`tag${marker}`], groups: [`group${marker}`], notes: `notes ${marker}`,
});
await control('POST', '/_sim/inbound', { phone_number_id: A.phoneNumberId, from: '+16505550101', name: `Sender ${marker}`, text: `inbound ${marker}` });
await drained();

const idsOf = (ids, family) => Object.fromEntries(Object.entries(ids)
	.filter(([k]) => k.startsWith(`${family}:`)).map(([k, v]) => [k.slice(family.length + 1), v]));

// A's rows of every tenant table (every table of wa with org_id, and
// its organization), as a digest per table.
function snapshot(orgId) {
	const tables = psql(`SELECT table_name FROM information_schema.columns WHERE table_schema = 'wa'
		AND column_name = 'org_id' ORDER BY 1`, { as: 'super' }).split('\n').filter(Boolean);
	const out = {};
	for (const t of tables) {
		out[t] = psql(`SELECT count(*) || ' ' || md5(coalesce(string_agg(x::text, E'\\n' ORDER BY x::text), ''))
			FROM wa.${t} x WHERE org_id = '${orgId}'`, { as: 'super' });
	}
	out.organizations = psql(`SELECT md5(x::text) FROM wa.organizations x WHERE id = '${orgId}'`, { as: 'super' });
	return out;
}

// A's references (ids and numbers): a request holding one probes A.
const refsOfA = [...new Set([
	A.orgId, A.accountId, A.wabaId, A.phoneNumberId, A.display, A.display.slice(1),
	...Object.values(idsA).map(String),
])].filter((s) => s && s.length >= 6);
// What of A must never reach B: its references and the marker that
// every object of A carries in its names and texts.
const secretsOfA = [...refsOfA, marker];

const before = snapshot(A.orgId);
const results = [];

// The variants of one route: [name, request, expected statuses (null:
// any, only the leak check)].  A route's seed may allow more statuses
// when A's ids are only in the body (crossTenant.ok).
function variants(route) {
	const seed = route.seed || {};
	const fam = route.family;
	const aIds = { ...idsOf(idsA, fam), orgId: A.orgId };
	const bIds = { ...idsOf(idsB, fam), orgId: B.orgId };
	const out = [];
	const mixed = (pathIds, ctx, ids) => {
		const req = baseRequest(route, ctx, ids);
		req.params = { ...pathIds };
		req.headers['x-api-key'] = B.key;
		return req;
	};
	const hasOrg = route.params.includes('orgId');
	const expectFor = (pathIds) => (hasOrg && pathIds.orgId === A.orgId ? [403] : [404]);
	// everything A's
	out.push(['all of A', mixed(aIds, cA, aIds), expectFor(aIds)]);
	// A's path ids in B's organization, B's query and body
	out.push(["A's path ids", mixed({ ...aIds, orgId: B.orgId }, cB, bIds), [404]]);
	// B's path ids, A's ids in the query and body
	out.push(["A's ids in query and body", mixed(bIds, cA, aIds), [404]]);
	if (route.face === 'sent') {
		const req = mixed(bIds, cB, bIds);
		req.headers['x-profile-id'] = aIds.profileId || idsA['sender_profiles:profileId'];
		out.push(["x-profile-id of A's profile", req, [403]]);
	}
	if (seed.crossTenant && seed.crossTenant.claim) {
		const req = mixed(bIds, cB, bIds);
		req.body = seed.crossTenant.claim(A);
		out.push(['claim', req, seed.crossTenant.expect]);
	}
	// B's own view: nothing of A may be in it (GETs only)
	if (route.method === 'GET') out.push(["B's own objects", mixed(bIds, cB, bIds), null]);
	return out;
}

const has = (text, list) => list.filter((s) => text.includes(s));

for (const route of ALL) {
	test(`cross-tenant: ${route.key}`, async () => {
		const stats = { route: route.key, requests: 0, statuses: {}, failures: [], absorbed: {} };
		const seen = new Set();
		const ok = (route.seed && route.seed.crossTenant && route.seed.crossTenant.ok) || [];
		for (const [name, req, expect] of variants(route)) {
			const wire = render(route, req, { appSecret: APP_SECRET });
			const sent = `${wire.path}\n${JSON.stringify(wire.headers)}\n${wire.body ? wire.body.toString('utf8') : ''}`;
			const refs = has(sent, refsOfA);
			if (expect && !refs.length) continue; // names nothing of A
			if (seen.has(sent)) continue;
			seen.add(sent);
			const res = await sendRetrying({ ...wire, addr: '127.0.0.30' });
			stats.requests += 1;
			stats.statuses[res.status || res.error] = (stats.statuses[res.status || res.error] || 0) + 1;
			const list = problems(res, { face: route.face, path: wire.path });
			if (expect && !res.error && !expect.includes(res.status)) {
				const onlyBody = !has(`${wire.path}\n${JSON.stringify(wire.headers)}`, refsOfA).length;
				if (!(onlyBody && ok.includes(res.status))) {
					list.push({ kind: 'crossTenant', detail: `${res.status}, expected ${expect.join(' or ')}` });
				}
			}
			const answer = `${bodyText(res)}\n${JSON.stringify(res.headers || {})}`;
			const leaked = has(answer, secretsOfA.filter((s) => !sent.includes(s)));
			if (leaked.length) list.push({ kind: 'leak', detail: `the answer holds A's ${leaked.join(', ')}` });
			if (!list.length) continue;
			const k = absorbedBy(list, res, { route: route.key, face: route.face, variant: name === 'claim' ? 'claim' : name });
			if (k) {
				stats.absorbed[k] = (stats.absorbed[k] || 0) + 1;
				continue;
			}
			stats.failures.push(`${name}: ${wire.method} ${show(wire.path, 140)} -> ${res.status || res.error}: `
				+ `${list.map((p) => `${p.kind}: ${p.detail}`).join('; ')}\n    ${show(bodyText(res), 200)}`);
		}
		results.push(stats);
		assert.deepEqual(stats.failures, []);
	});
}

test("cross-tenant: A's rows are exactly as before (0 writes)", () => {
	assert.deepEqual(snapshot(A.orgId), before);
});

test('cross-tenant: report', () => {
	closeAgents();
	let n = 0;
	const tot = {};
	const absorbed = {};
	for (const s of results) {
		n += s.requests;
		for (const [k, v] of Object.entries(s.statuses)) tot[k] = (tot[k] || 0) + v;
		for (const [k, v] of Object.entries(s.absorbed)) absorbed[k] = (absorbed[k] || 0) + v;
		console.log(`# ${s.route.padEnd(58)} ${String(s.requests).padStart(3)} req  ${Object.entries(s.statuses).map(([k, v]) => `${k}:${v}`).join(' ')}`
			+ `${s.failures.length ? `  FAILURES ${s.failures.length}` : ''}`);
	}
	console.log(`# cross-tenant probe: ${n} requests over ${results.length} routes; statuses ${Object.entries(tot).map(([k, v]) => `${k}:${v}`).join(' ')}; `
		+ `${results.reduce((a, s) => a + s.failures.length, 0)} failures; A's tables compared: ${Object.keys(before).length}`);
	for (const [k, v] of Object.entries(absorbed)) console.log(`# allow-list ${k} (${KNOWN[k].item}: ${KNOWN[k].what}): ${v} answers absorbed`);
	for (const x of notes) console.log(`# note: ${x}`);
	assert.ok(n > ALL.length);
});
