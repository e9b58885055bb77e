// POST /v1/whatsapp/contacts/import: per-row results and summary,
// skipDuplicates both ways, defaults merged into every row, bad rows
// failing alone, the 1000-row cap, one transaction, idempotent replay.
import test from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { psql, request, tenant } from './lib/harness.mjs';
import {
	C, countsFromRows, create, fails, get, groups, invalid, late, list, ok, phone,
} from './lib/contacts.mjs';

const t = tenant();
const imp = (body) => late('POST', `${C}/import`, t.key, { accountId: t.accountId, ...body });
const RESULT_KEYS = ['phone', 'name', 'success', 'contactId', 'error'];

test('the seed example: one created, one bad phone; defaults merged', async () => {
	const p = phone();
	const b = ok(await imp({
		contacts: [{ phone: p, name: 'John Doe', email: 'john@example.com', tags: ['a'] },
			{ phone: '+0987654321', name: 'Jane Smith' }],
		defaultTags: ['imported', 'a'], defaultGroups: ['new-leads'],
	}));
	assert.deepEqual(Object.keys(b), ['success', 'summary', 'results']);
	assert.deepEqual(b.summary, { total: 2, created: 1, skipped: 0, failed: 1 });
	for (const r of b.results) assert.deepEqual(Object.keys(r), RESULT_KEYS);
	assert.deepEqual(b.results[0], { phone: p, name: 'John Doe', success: true,
		contactId: b.results[0].contactId, error: null });
	assert.deepEqual(b.results[1], { phone: '+0987654321', name: 'Jane Smith', success: false,
		contactId: null, error: 'phone must be an E.164 phone number such as +14155550100' });
	const c = await get(t, b.results[0].contactId);
	assert.deepEqual([c.tags, c.groups, c.isOptedIn, c.email], [['a', 'imported'], ['new-leads'], true,
		'john@example.com']);
});

test('skipDuplicates (default true): existing phones and repeats in the import are skipped', async () => {
	const old = await create(t, { name: 'Existing' });
	const p = phone();
	const b = ok(await imp({ contacts: [
		{ phone: old.phone, name: 'Again' },
		{ phone: p, name: 'First' },
		{ phone: p.replace('+', '00'), name: 'Repeat of first' },
	] }));
	assert.deepEqual(b.summary, { total: 3, created: 1, skipped: 2, failed: 0 });
	assert.equal(b.results[0].success, false);
	assert.equal(b.results[0].contactId, old.id);
	assert.match(b.results[0].error, /^Skipped: a contact with this phone number already exists$/);
	assert.equal(b.results[1].success, true);
	assert.deepEqual([b.results[2].phone, b.results[2].success, b.results[2].contactId],
		[p, false, b.results[1].contactId]);
	// the existing contact is untouched
	assert.equal((await get(t, old.id)).name, 'Existing');
});

test('skipDuplicates false: each duplicate is a failed row with a clear error', async () => {
	const old = await create(t, { name: 'Existing 2' });
	const b = ok(await imp({ skipDuplicates: false, contacts: [
		{ phone: old.phone, name: 'Again' }, { phone: phone(), name: 'New' },
	] }));
	assert.deepEqual(b.summary, { total: 2, created: 1, skipped: 0, failed: 1 });
	assert.deepEqual(b.results[0], { phone: old.phone, name: 'Again', success: false,
		contactId: old.id, error: 'Contact with this phone number already exists' });
});

test('one bad row never sinks the others: each row is checked on its own', async () => {
	const good = phone();
	const b = ok(await imp({ contacts: [
		42, null, [], { name: 'No phone' }, { phone: phone(), name: '' },
		{ phone: phone(), name: 'Bad mail', email: 'x', tags: [''] },
		{ phone: phone(), name: 'Bad fields', customFields: { n: 1 } },
		{ phone: good, name: 'Good', isOptedIn: false, customFields: { src: 'csv' } },
	] }));
	assert.deepEqual(b.summary, { total: 8, created: 1, skipped: 0, failed: 7 });
	assert.deepEqual(b.results.slice(0, 3).map((r) => r.error), Array(3).fill('contact must be a JSON object'));
	assert.equal(b.results[3].error, 'phone is required');
	assert.equal(b.results[4].error, 'name must not be empty');
	assert.equal(b.results[5].error, 'email must be a valid email address; tags[0] must be a non-empty '
		+ 'string without control characters');
	assert.equal(b.results[6].error, 'customFields.n must be a string');
	assert.equal(b.results[7].success, true);
	const c = await get(t, b.results[7].contactId);
	assert.deepEqual([c.isOptedIn, c.customFields, c.optOutDate !== null], [false, { src: 'csv' }, true]);
});

test('defaults that push a row over 50 tags fail that row', async () => {
	const tags = Array.from({ length: 30 }, (_, i) => `t${i}`);
	const defaultTags = Array.from({ length: 30 }, (_, i) => `d${i}`);
	const b = ok(await imp({ contacts: [{ phone: phone(), name: 'Many', tags }, { phone: phone(), name: 'Few' }],
		defaultTags }));
	assert.deepEqual(b.summary, { total: 2, created: 1, skipped: 0, failed: 1 });
	assert.match(b.results[0].error, /^tags must have at most 50 items/);
});

test('request rules: accountId and contacts required, 1-1000 rows, defaults and flag typed', async () => {
	invalid(await late('POST', `${C}/import`, t.key, {}), ['accountId', 'contacts']);
	invalid(await imp({ contacts: [] }), ['contacts']);
	invalid(await imp({ contacts: {} }), ['contacts']);
	const rows = Array.from({ length: 1001 }, (_, i) => ({ phone: `+1666${String(i).padStart(7, '0')}`, name: 'x' }));
	const f = invalid(await imp({ contacts: rows }), ['contacts']);
	assert.equal(f.contacts, 'contacts must have at most 1000 items');
	invalid(await imp({ contacts: [{ phone: phone(), name: 'x' }], defaultTags: 'x', defaultGroups: [''],
		skipDuplicates: 'no' }), ['defaultTags', 'defaultGroups[0]', 'skipDuplicates']);
	fails(await imp({ accountId: crypto.randomUUID(), contacts: [{ phone: phone(), name: 'x' }] }), 404,
		'not_found', 'WhatsApp account not found');
});

test('1000 rows in one request, counted into tags, groups and totals', async () => {
	const before = await groups(t);
	const base = 1700000000 + (process.pid % 100000) * 1000;
	const contacts = Array.from({ length: 1000 }, (_, i) => ({
		phone: `+1${base + i}`, name: `Bulk ${String(i).padStart(4, '0')}`,
		tags: i % 2 ? ['odd'] : ['even'], isOptedIn: i % 10 !== 0,
	}));
	const b = ok(await imp({ contacts, defaultGroups: ['bulk-1000'] }));
	assert.deepEqual(b.summary, { total: 1000, created: 1000, skipped: 0, failed: 0 });
	const g = await groups(t);
	assert.equal(g.summary.totalContacts, before.summary.totalContacts + 1000);
	assert.equal(g.summary.optedInContacts, before.summary.optedInContacts + 900);
	assert.deepEqual(g.groups.find((x) => x.name === 'bulk-1000'), { name: 'bulk-1000', totalCount: 1000,
		optedInCount: 900 });
	assert.equal((await list(t, { tag: 'odd' })).pagination.total, 500);
	const rows = countsFromRows(psql, t);
	assert.equal(rows.total, g.summary.totalContacts);
	assert.deepEqual(rows.groups['bulk-1000'], [1000, 900]);
	// again: all 1000 are duplicates now
	const again = ok(await imp({ contacts }));
	assert.deepEqual(again.summary, { total: 1000, created: 0, skipped: 1000, failed: 0 });
});

test('the import is one transaction: a failure half-way leaves nothing', async () => {
	// the database gives up on the statement after the valid row went
	// in (a serialization failure, as under load): nothing may remain
	const before = await groups(t);
	const tx = `Tx ${crypto.randomUUID()}`;
	psql(`CREATE OR REPLACE FUNCTION public.e2e_fail_import() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN IF EXISTS (SELECT 1 FROM new_rows WHERE name = 'Poison') THEN
		RAISE EXCEPTION 'poison row' USING ERRCODE = '40001'; END IF; RETURN NULL; END $$;
		DROP TRIGGER IF EXISTS e2e_poison ON wa.contacts;
		CREATE TRIGGER e2e_poison AFTER INSERT ON wa.contacts REFERENCING NEW TABLE AS new_rows
		FOR EACH STATEMENT EXECUTE FUNCTION public.e2e_fail_import();`, { as: 'super' });
	try {
		const bad = await imp({ contacts: [{ phone: phone(), name: tx, groups: ['tx-group'] },
			{ phone: phone(), name: 'Poison' }] });
		fails(bad, 503, 'service_unavailable');
		assert.equal(bad.headers['retry-after'], '1');
	} finally {
		psql('DROP TRIGGER e2e_poison ON wa.contacts; DROP FUNCTION public.e2e_fail_import();', { as: 'super' });
	}
	assert.equal((await list(t, { search: tx })).pagination.total, 0);
	const after = await groups(t);
	assert.deepEqual(after, before);
	assert.equal(countsFromRows(psql, t).total, after.summary.totalContacts);
});

test('Idempotency-Key: the same import replays, it does not import twice', async () => {
	const key = `imp-${crypto.randomUUID()}`;
	const body = { accountId: t.accountId, contacts: [{ phone: phone(), name: 'Once' }] };
	const h = { authorization: `Bearer ${t.key}`, 'idempotency-key': key };
	const a = await request('POST', `${C}/import`, { headers: h, body });
	const b = await request('POST', `${C}/import`, { headers: h, body });
	assert.deepEqual(ok(a).summary, { total: 1, created: 1, skipped: 0, failed: 0 });
	assert.equal(b.headers['idempotent-replayed'], 'true');
	assert.deepEqual(b.json, a.json);
	const c = await request('POST', `${C}/import`, { headers: h, body: { ...body, skipDuplicates: false } });
	fails(c, 422, 'idempotency_key_reused');
});
