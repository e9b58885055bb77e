// /v1/whatsapp/groups: the summary derived from contacts, rename (POST)
// and delete (DELETE with a JSON body), which rewrite every member and
// return `modified`.
import test from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { psql, request, tenant } from './lib/harness.mjs';
import {
	G, countsFromRows, create, fails, get, groups, invalid, late, list, noAccount, ok, qs,
} from './lib/contacts.mjs';

const t = tenant();
const a = await create(t, { name: 'A', groups: ['customers', 'vip-club'] });
const b = await create(t, { name: 'B', groups: ['customers'], isOptedIn: false });
const c = await create(t, { name: 'C', groups: ['leads'] });
await create(t, { name: 'D' });

test('groups: name, totalCount, optedInCount by name; summary of the account', async () => {
	const g = await groups(t);
	assert.deepEqual(g.groups, [
		{ name: 'customers', totalCount: 2, optedInCount: 1 },
		{ name: 'leads', totalCount: 1, optedInCount: 1 },
		{ name: 'vip-club', totalCount: 1, optedInCount: 1 },
	]);
	assert.deepEqual(g.summary, { totalContacts: 4, optedInContacts: 3, groupCount: 3 });
	const empty = tenant();
	assert.deepEqual((await groups(empty)).groups, []);
	assert.deepEqual((await groups(empty)).summary, { totalContacts: 0, optedInContacts: 0, groupCount: 0 });
});

test('rename updates every member and returns modified; a member of both keeps one', async () => {
	const r = ok(await late('POST', G, t.key, { accountId: t.accountId, oldName: 'vip-club', newName: 'customers' }));
	assert.deepEqual(r, { success: true, message: 'Group renamed successfully', modified: 1 });
	assert.deepEqual((await get(t, a.id)).groups, ['customers']);
	const r2 = ok(await late('POST', G, t.key, { accountId: t.accountId, oldName: 'customers',
		newName: ' active-customers ' }));
	assert.equal(r2.modified, 2);
	assert.deepEqual((await get(t, b.id)).groups, ['active-customers']);
	const g = await groups(t);
	assert.deepEqual(g.groups.map((x) => [x.name, x.totalCount, x.optedInCount]),
		[['active-customers', 2, 1], ['leads', 1, 1]]);
	assert.deepEqual((await list(t, { group: 'active-customers' })).contacts.map((x) => x.name), ['A', 'B']);
	// a group nobody is in: nothing to do
	assert.equal(ok(await late('POST', G, t.key, { accountId: t.accountId, oldName: 'ghosts',
		newName: 'spirits' })).modified, 0);
});

test('delete removes the group from its members, keeps the contacts', async () => {
	const r = ok(await late('DELETE', G, t.key, { accountId: t.accountId, groupName: 'leads' }));
	assert.deepEqual(r, { success: true, message: 'Group deleted successfully', modified: 1 });
	assert.deepEqual((await get(t, c.id)).groups, []);
	const g = await groups(t);
	assert.deepEqual(g.groups.map((x) => x.name), ['active-customers']);
	assert.equal(g.summary.totalContacts, 4);
	assert.equal(ok(await late('DELETE', G, t.key, { accountId: t.accountId, groupName: 'leads' })).modified, 0);
	const rows = countsFromRows(psql, t);
	assert.deepEqual(rows.groups, { 'active-customers': [2, 1] });
});

test('rules: accountId required everywhere; names required; same name is 400', async () => {
	invalid(await late('GET', G, t.key), ['accountId']);
	invalid(await late('GET', `${G}?accountId=`, t.key), ['accountId']);
	invalid(await late('POST', G, t.key, {}), ['accountId', 'oldName', 'newName']);
	const f = invalid(await late('POST', G, t.key, { accountId: t.accountId, oldName: 'x', newName: ' x ' }),
		['newName']);
	assert.equal(f.newName, 'newName must differ from oldName');
	invalid(await late('POST', G, t.key, { accountId: t.accountId, oldName: '', newName: 'y'.repeat(101) }),
		['oldName', 'newName']);
	invalid(await late('POST', G, t.key, { accountId: 7, oldName: 'a', newName: 'b' }), ['accountId']);
	invalid(await late('DELETE', G, t.key, {}), ['accountId', 'groupName']);
	invalid(await late('DELETE', G, t.key, { accountId: t.accountId, groupName: ['x'] }), ['groupName']);
	fails(await late('DELETE', G, t.key, 'nope'), 400, 'invalid_request');
	noAccount(await late('GET', `${G}?${qs({ accountId: crypto.randomUUID() })}`, t.key));
	noAccount(await late('POST', G, t.key, { accountId: 'bad', oldName: 'a', newName: 'b' }));
	noAccount(await late('DELETE', G, t.key, { accountId: crypto.randomUUID(), groupName: 'a' }));
});

test('Idempotency-Key on rename', async () => {
	const h = { authorization: `Bearer ${t.key}`, 'idempotency-key': `grp-${crypto.randomUUID()}` };
	const body = { accountId: t.accountId, oldName: 'active-customers', newName: 'customers' };
	const r1 = await request('POST', G, { headers: h, body });
	const r2 = await request('POST', G, { headers: h, body });
	assert.deepEqual([ok(r1).modified, ok(r2).modified, r2.headers['idempotent-replayed']], [2, 2, 'true']);
});
