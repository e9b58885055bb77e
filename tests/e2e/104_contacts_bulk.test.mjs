// POST and DELETE /v1/whatsapp/contacts/bulk: every action, `matched`
// (ids found in the caller's organization) and `modified` (rows that
// really changed), the 500-id cap, other tenants' ids, idempotent replay.
import test from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { psql, request, tenant } from './lib/harness.mjs';
import { C, countsFromRows, create, fails, get, groups, invalid, late, list, ok } from './lib/contacts.mjs';

const t = tenant();
const other = tenant();
const mine = [];
for (let i = 0; i < 4; i++) mine.push(await create(t, { name: `Bulk ${i}`, tags: ['base'], groups: ['g0'] }));
const theirs = await create(other, { name: 'Theirs', tags: ['base'] });
const ids = mine.map((c) => c.id);
const bulk = (body) => late('POST', `${C}/bulk`, t.key, body);

test('addTags: matched counts the caller\'s ids, modified the contacts that lacked a tag', async () => {
	ok(await bulk({ action: 'addTags', contactIds: [ids[0]], tags: ['vip'] }));
	const b = ok(await bulk({ action: 'addTags', contactIds: [...ids, ids[0], theirs.id, 'junk',
		crypto.randomUUID()], tags: ['vip', ' priority ', 'vip'] }));
	assert.deepEqual(b, { success: true, action: 'addTags', modified: 4, matched: 4 });
	assert.deepEqual((await get(t, ids[0])).tags, ['base', 'vip', 'priority']);
	assert.deepEqual((await get(t, ids[1])).tags, ['base', 'vip', 'priority']);
	const again = ok(await bulk({ action: 'addTags', contactIds: ids, tags: ['vip'] }));
	assert.deepEqual([again.matched, again.modified], [4, 0]);
	// the other tenant's contact is untouched and invisible
	const theirsNow = ok(await late('GET', `${C}/${theirs.id}`, other.key)).contact;
	assert.deepEqual(theirsNow.tags, ['base']);
	assert.equal((await list(t, { tag: 'vip' })).pagination.total, 4);
});

test('removeTags, addGroups, removeGroups', async () => {
	let b = ok(await bulk({ action: 'removeTags', contactIds: ids.slice(0, 2), tags: ['priority', 'nope'] }));
	assert.deepEqual([b.matched, b.modified], [2, 2]);
	assert.deepEqual((await get(t, ids[0])).tags, ['base', 'vip']);
	b = ok(await bulk({ action: 'addGroups', contactIds: ids, groups: ['g1', 'g0'] }));
	assert.deepEqual([b.action, b.matched, b.modified], ['addGroups', 4, 4]);
	assert.deepEqual((await get(t, ids[3])).groups, ['g0', 'g1']);
	b = ok(await bulk({ action: 'removeGroups', contactIds: ids.slice(1), groups: ['g0'] }));
	assert.deepEqual([b.matched, b.modified], [3, 3]);
	const g = await groups(t);
	assert.deepEqual(g.groups.map((x) => [x.name, x.totalCount]), [['g0', 1], ['g1', 4]]);
});

test('optOut / optIn stamp the dates; block / unblock', async () => {
	let b = ok(await bulk({ action: 'optOut', contactIds: ids.slice(0, 3) }));
	assert.deepEqual([b.matched, b.modified], [3, 3]);
	const d = await get(t, ids[0]);
	assert.equal(d.isOptedIn, false);
	assert.match(d.optOutDate, /Z$/);
	b = ok(await bulk({ action: 'optOut', contactIds: ids }));
	assert.deepEqual([b.matched, b.modified], [4, 1]);
	assert.equal((await list(t, { optedIn: 'false' })).pagination.total, 4);
	b = ok(await bulk({ action: 'optIn', contactIds: [ids[0]] }));
	assert.equal(b.modified, 1);
	const d2 = await get(t, ids[0]);
	assert.equal(d2.isOptedIn, true);
	assert.ok(d2.optInDate > d.optInDate);
	assert.equal((await groups(t)).summary.optedInContacts, 1);
	b = ok(await bulk({ action: 'block', contactIds: ids }));
	assert.deepEqual([b.matched, b.modified], [4, 4]);
	assert.equal((await get(t, ids[2])).isBlocked, true);
	b = ok(await bulk({ action: 'unblock', contactIds: [ids[2], ids[2]] }));
	assert.deepEqual([b.matched, b.modified], [1, 1]);
	assert.equal((await get(t, ids[2])).isBlocked, false);
});

test('the counts stay those of the rows', async () => {
	const rows = countsFromRows(psql, t);
	const g = await groups(t);
	assert.equal(g.summary.totalContacts, rows.total);
	assert.equal(g.summary.optedInContacts, rows.opted);
	for (const x of g.groups) assert.deepEqual([x.totalCount, x.optedInCount], rows.groups[x.name]);
	const l = await list(t);
	assert.deepEqual(l.filters.tags, Object.keys(rows.tags).sort());
});

test('rules: action one of eight; contactIds 1-500 strings; tags/groups where the action needs them', async () => {
	invalid(await bulk({}), ['action', 'contactIds']);
	const f = invalid(await bulk({ action: 'archive', contactIds: ids }), ['action']);
	assert.equal(f.action, 'action must be one of: addTags, removeTags, addGroups, removeGroups, optIn, '
		+ 'optOut, block, unblock');
	invalid(await bulk({ action: 'optIn', contactIds: [] }), ['contactIds']);
	invalid(await bulk({ action: 'optIn', contactIds: 'x' }), ['contactIds']);
	invalid(await bulk({ action: 'optIn', contactIds: [1] }), ['contactIds[0]']);
	invalid(await bulk({ action: 'optIn', contactIds: Array(501).fill(ids[0]) }), ['contactIds']);
	invalid(await bulk({ action: 'optIn', contactIds: ['x'.repeat(65)] }), ['contactIds[0]']);
	for (const action of ['addTags', 'removeTags']) {
		assert.equal(invalid(await bulk({ action, contactIds: ids }), ['tags']).tags,
			`tags is required for ${action}`);
		invalid(await bulk({ action, contactIds: ids, tags: [] }), ['tags']);
	}
	for (const action of ['addGroups', 'removeGroups']) {
		invalid(await bulk({ action, contactIds: ids, tags: ['x'] }), ['groups']);
	}
	invalid(await bulk({ action: 'addTags', contactIds: ids, tags: [''] }), ['tags[0]']);
	invalid(await bulk({ action: 'optIn', contactIds: ids, groups: 'g' }), ['groups']);
	// 500 ids is fine, even when none of them is anybody's
	const b = ok(await bulk({ action: 'optIn', contactIds: Array.from({ length: 500 }, () => crypto.randomUUID()) }));
	assert.deepEqual([b.matched, b.modified], [0, 0]);
});

test('DELETE bulk: deletes the caller\'s contacts only; returns deleted', async () => {
	const extra = [await create(t, { name: 'Del 1', tags: ['del'] }), await create(t, { name: 'Del 2' })];
	const del = (body, key = t.key) => late('DELETE', `${C}/bulk`, key, body);
	invalid(await del({}), ['contactIds']);
	invalid(await del(undefined), ['contactIds']);
	invalid(await del({ contactIds: Array(501).fill(extra[0].id) }), ['contactIds']);
	const b = ok(await del({ contactIds: [...extra.map((c) => c.id), theirs.id, 'junk'] }));
	assert.deepEqual(b, { success: true, deleted: 2 });
	for (const c of extra) fails(await late('GET', `${C}/${c.id}`, t.key), 404, 'not_found');
	ok(await late('GET', `${C}/${theirs.id}`, other.key));
	assert.deepEqual(ok(await del({ contactIds: [extra[0].id] })), { success: true, deleted: 0 });
	assert.ok(!(await list(t)).filters.tags.includes('del'));
});

test('Idempotency-Key: a replayed bulk action is not applied twice', async () => {
	const key = `bulk-${crypto.randomUUID()}`;
	const h = { authorization: `Bearer ${t.key}`, 'idempotency-key': key };
	const body = { action: 'addTags', contactIds: ids, tags: ['once'] };
	const a = await request('POST', `${C}/bulk`, { headers: h, body });
	assert.deepEqual([ok(a).matched, a.json.modified], [4, 4]);
	ok(await bulk({ action: 'removeTags', contactIds: ids, tags: ['once'] }));
	const b = await request('POST', `${C}/bulk`, { headers: h, body });
	assert.equal(b.headers['idempotent-replayed'], 'true');
	assert.deepEqual(b.json, a.json);
	assert.deepEqual((await get(t, ids[0])).tags.includes('once'), false);
	const hd = { authorization: `Bearer ${t.key}`, 'idempotency-key': `del-${key}` };
	const victim = await create(t, { name: 'Victim' });
	const d1 = await request('DELETE', `${C}/bulk`, { headers: hd, body: { contactIds: [victim.id] } });
	const d2 = await request('DELETE', `${C}/bulk`, { headers: hd, body: { contactIds: [victim.id] } });
	assert.deepEqual([ok(d1).deleted, ok(d2).deleted, d2.headers['idempotent-replayed']], [1, 1, 'true']);
});
