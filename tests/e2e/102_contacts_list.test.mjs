// GET /v1/whatsapp/contacts: order (name, case-insensitive, then id),
// pages, filters by tag, group, optedIn and search (and combined), the
// `filters` block and the totals, and the query's own rules.
import test from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { tenant } from './lib/harness.mjs';
import { C, create, fails, invalid, late, list, noAccount, qs } from './lib/contacts.mjs';

const t = tenant();
// name, tags, groups, isOptedIn, email, company
const people = [
	['alice Smith', ['vip', 'news'], ['customers'], true, 'alice@example.com', 'Acme'],
	['Bob Jones', ['news'], ['customers', 'leads'], false, 'bob.j@mail.test', null],
	['Carol 50% Off', ['vip'], ['leads'], true, null, 'Under_Score Ltd'],
	['Zoë Müller', [], ['leads'], true, 'zoe@beispiel.de', 'Straße GmbH'],
	['bob Jones', ['news'], [], true, null, null],
	['Émile Zola', ['vip'], ['customers'], false, 'emile@example.fr', null],
];
const made = [];
for (const [name, tags, groups, isOptedIn, email, company] of people) {
	made.push(await create(t, { name, tags, groups, isOptedIn, email, company }));
}
const byName = (n) => made.find((c) => c.name === n);
const names = (b) => b.contacts.map((c) => c.name);

test('sorted by name case-insensitively, ties broken by id; defaults limit 50, skip 0', async () => {
	const b = await list(t);
	const bobs = [byName('Bob Jones'), byName('bob Jones')].sort((x, y) => (x.id < y.id ? -1 : 1));
	assert.deepEqual(names(b), ['alice Smith', ...bobs.map((c) => c.name), 'Carol 50% Off',
		'Zoë Müller', 'Émile Zola']);
	assert.deepEqual(b.pagination, { total: 6, limit: 50, skip: 0, hasMore: false });
	assert.deepEqual(b.filters, { tags: ['news', 'vip'], groups: ['customers', 'leads'] });
});

test('pages: limit and skip, hasMore, past the end', async () => {
	const all = names(await list(t));
	const p1 = await list(t, { limit: 2 });
	assert.deepEqual(names(p1), all.slice(0, 2));
	assert.deepEqual(p1.pagination, { total: 6, limit: 2, skip: 0, hasMore: true });
	const p3 = await list(t, { limit: 2, skip: 4 });
	assert.deepEqual(names(p3), all.slice(4));
	assert.equal(p3.pagination.hasMore, false);
	const past = await list(t, { skip: 100 });
	assert.deepEqual(past.contacts, []);
	assert.deepEqual(past.pagination, { total: 6, limit: 50, skip: 100, hasMore: false });
	assert.equal((await list(t, { limit: 100 })).contacts.length, 6);
});

test('filter by tag, by group, by optedIn, and combined; totals follow', async () => {
	let b = await list(t, { tag: 'vip' });
	assert.deepEqual(names(b), ['alice Smith', 'Carol 50% Off', 'Émile Zola']);
	assert.equal(b.pagination.total, 3);
	b = await list(t, { group: 'leads' });
	assert.deepEqual(names(b), ['Bob Jones', 'Carol 50% Off', 'Zoë Müller']);
	b = await list(t, { optedIn: 'false' });
	assert.deepEqual(names(b), ['Bob Jones', 'Émile Zola']);
	assert.equal(b.pagination.total, 2);
	assert.equal((await list(t, { optedIn: 'true' })).pagination.total, 4);
	b = await list(t, { tag: 'vip', optedIn: 'true' });
	assert.deepEqual(names(b), ['alice Smith', 'Carol 50% Off']);
	assert.equal(b.pagination.total, 2);
	b = await list(t, { tag: 'news', group: 'customers' });
	assert.deepEqual(names(b), ['alice Smith', 'Bob Jones']);
	assert.equal(b.pagination.total, 2);
	b = await list(t, { tag: 'news', group: 'customers', optedIn: 'false', limit: 1 });
	assert.deepEqual(names(b), ['Bob Jones']);
	assert.deepEqual(b.pagination, { total: 1, limit: 1, skip: 0, hasMore: false });
	b = await list(t, { tag: 'nobody-has-this' });
	assert.deepEqual([b.contacts, b.pagination.total], [[], 0]);
	// the filters block lists what is in use in the account, whatever the filter
	assert.deepEqual(b.filters, { tags: ['news', 'vip'], groups: ['customers', 'leads'] });
	// tags and groups are case-sensitive; blanks around them are trimmed
	assert.equal((await list(t, { tag: 'VIP' })).pagination.total, 0);
	assert.equal((await list(t, { tag: '  vip ' })).pagination.total, 3);
});

test('search: name, phone, email or company fragment, case-insensitive substring', async () => {
	const s = async (q, extra = {}) => names(await list(t, { search: q, ...extra }));
	assert.deepEqual(await s('JONES'), ['Bob Jones', 'bob Jones'].sort((a, b) =>
		(byName(a).id < byName(b).id ? -1 : 1)));
	assert.deepEqual(await s('müller'), ['Zoë Müller']);
	assert.deepEqual(await s('ZOË'), ['Zoë Müller']);
	assert.deepEqual(await s('example.'), ['alice Smith', 'Émile Zola']);
	assert.deepEqual(await s('straße'), ['Zoë Müller']);
	const p = byName('Carol 50% Off').phone;
	assert.deepEqual(await s(p.slice(-7)), ['Carol 50% Off']);
	assert.deepEqual(await s(p), ['Carol 50% Off']);
	// LIKE's wildcards are plain characters in a search
	assert.deepEqual(await s('50%'), ['Carol 50% Off']);
	assert.deepEqual(await s('r_s'), ['Carol 50% Off']);
	assert.deepEqual(await s('%'), ['Carol 50% Off']);
	assert.deepEqual(await s('_'), ['Carol 50% Off']);
	assert.deepEqual(await s('\\'), []);
	// short fragments (no trigram) and a match never spans two fields
	assert.deepEqual(await s('zo'), ['Zoë Müller', 'Émile Zola']);
	assert.deepEqual(await s('e'), names(await list(t)));
	assert.deepEqual(await s('smith alice'), []);
	assert.deepEqual(await s('acme'), ['alice Smith']);
	// combined with the other filters, with its own total
	const b = await list(t, { search: 'o', tag: 'vip', optedIn: 'false' });
	assert.deepEqual(names(b), ['Émile Zola']);
	assert.equal(b.pagination.total, 1);
	const g = await list(t, { search: 'jones', group: 'leads', limit: 1 });
	assert.deepEqual(names(g), ['Bob Jones']);
	assert.deepEqual(g.pagination, { total: 1, limit: 1, skip: 0, hasMore: false });
	// an empty or blank search is no search
	assert.equal((await list(t, { search: '  ' })).pagination.total, 6);
	assert.deepEqual(await s('no such person'), []);
});

test('query rules: accountId required; limit 1-100; skip 0-10000000; optedIn true|false', async () => {
	const get = (p) => late('GET', `${C}?${qs(p)}`, t.key);
	invalid(await late('GET', C, t.key), ['accountId']);
	invalid(await get({ accountId: '' }), ['accountId']);
	for (const limit of ['0', '101', '-1', 'ten', '1.5', '', ' 5', '+5', '99999999999']) {
		invalid(await get({ accountId: t.accountId, limit }), ['limit']);
	}
	for (const skip of ['-1', '10000001', 'x', '1e3']) {
		invalid(await get({ accountId: t.accountId, skip }), ['skip']);
	}
	for (const optedIn of ['yes', 'TRUE', '1', '']) {
		invalid(await get({ accountId: t.accountId, optedIn }), ['optedIn']);
	}
	invalid(await get({ accountId: t.accountId, search: 's'.repeat(101) }), ['search']);
	invalid(await get({ accountId: t.accountId, search: 'a\u0001b' }), ['search']);
	invalid(await get({ accountId: t.accountId, tag: 't'.repeat(101) }), ['tag']);
	invalid(await get({ accountId: t.accountId, group: 'g\nh' }), ['group']);
	const f = invalid(await get({ limit: 0, skip: -1, optedIn: 'x' }),
		['accountId', 'limit', 'skip', 'optedIn']);
	assert.equal(f.limit, 'limit must be an integer from 1 to 100');
	// a valid query with an accountId of nobody is 404
	noAccount(await get({ accountId: crypto.randomUUID() }));
	noAccount(await get({ accountId: 'not-a-uuid' }));
	// percent-escapes are decoded once; a bad one is 400
	fails(await late('GET', `${C}?accountId=${t.accountId}&search=%ZZ`, t.key), 400, 'invalid_request');
	assert.equal((await list(t, { search: 'Zoë' })).pagination.total, 1);
});

test('the first of repeated parameters wins', async () => {
	const r = await late('GET', `${C}?accountId=${t.accountId}&tag=vip&tag=news`, t.key);
	assert.equal(r.json.pagination.total, 3);
});
