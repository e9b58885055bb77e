// Who may see what: 401 on every route without a valid key; another
// organization's contact ids and accountIds are 404 (or unmatched) on
// every route; a key narrowed to a profile sees the organization's own
// account and its profile's, never another profile's; the rows are
// guarded by row-level security, not only by the statements.
import test from 'node:test';
import assert from 'node:assert/strict';
import { admin, key, psql, request, tenant } from './lib/harness.mjs';
import { C, G, create, fails, groups, late, list, noAccount, notFound, ok, qs } from './lib/contacts.mjs';

const t = tenant();
const o = tenant();
const mine = await create(t, { name: 'Mine', tags: ['t'], groups: ['g'] });
const theirs = await create(o, { name: 'Theirs', tags: ['secret-tag'], groups: ['secret-group'] });

// Every route, with t's ids in it; fn(key, ids) -> response.
const routes = (acc, id) => [
	['GET', `${C}?${qs({ accountId: acc })}`],
	['POST', C, { accountId: acc, phone: '+14155550177', name: 'X' }],
	['GET', `${C}/${id}`],
	['PUT', `${C}/${id}`, { name: 'Hijacked' }],
	['DELETE', `${C}/${id}`],
	['POST', `${C}/import`, { accountId: acc, contacts: [{ phone: '+14155550178', name: 'X' }] }],
	['POST', `${C}/bulk`, { action: 'block', contactIds: [id] }],
	['DELETE', `${C}/bulk`, { contactIds: [id] }],
	['GET', `${G}?${qs({ accountId: acc })}`],
	['POST', G, { accountId: acc, oldName: 'g', newName: 'h' }],
	['DELETE', G, { accountId: acc, groupName: 'g' }],
];

test('no key is 401 unauthorized, a bad or revoked key 401 invalid_api_key, on every route', async () => {
	const revoked = key(t.orgId);
	admin('key', 'revoke', revoked.WA_KEY_PREFIX);
	for (const [m, p, body] of routes(t.accountId, mine.id)) {
		fails(await request(m, p, { body }), 401, 'unauthorized');
		fails(await late(m, p, 'mk_live_AAAAAAAAAAAA.BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB', body), 401,
			'invalid_api_key');
		fails(await late(m, p, 'not-a-key', body), 401, 'invalid_api_key');
		fails(await late(m, p, revoked.WA_API_KEY, body), 401, 'invalid_api_key');
	}
});

test('another organization\'s accountId and contact ids: 404 or unmatched on every route', async () => {
	for (const [m, p, body] of routes(o.accountId, theirs.id)) {
		const r = await late(m, p, t.key, body);
		if (p.includes('/bulk')) {
			const b = ok(r);
			assert.ok(b.matched === 0 || b.deleted === 0, `${m} ${p}: ${r.text}`);
			assert.equal(b.modified ?? 0, 0);
		} else if (p.includes(theirs.id)) {
			notFound(r);
		} else {
			noAccount(r);
		}
	}
	// nothing of theirs changed, nothing of theirs leaked into t's lists
	const d = ok(await late('GET', `${C}/${theirs.id}`, o.key)).contact;
	assert.deepEqual([d.name, d.isBlocked, d.groups], ['Theirs', false, ['secret-group']]);
	const l = await list(t);
	assert.deepEqual(l.contacts.map((c) => c.id), [mine.id]);
	assert.ok(!l.filters.tags.includes('secret-tag'));
	assert.equal((await list(t, { search: 'Theirs' })).pagination.total, 0);
	assert.equal((await list(t, { search: theirs.phone })).pagination.total, 0);
	assert.equal((await groups(t)).summary.totalContacts, 1);
	assert.equal((await groups(o)).summary.totalContacts, 1);
});

test('a key narrowed to a profile: the org\'s account and its own, not another profile\'s', async () => {
	const p1 = admin('profile', 'create', '--org', t.orgId, '--name', 'P1').WA_PROFILE_ID;
	const p2 = admin('profile', 'create', '--org', t.orgId, '--name', 'P2').WA_PROFILE_ID;
	const acc = (p, n) => admin('account', 'add', '--org', t.orgId, '--waba', `77${process.pid}${n}`,
		'--phone-number-id', `78${process.pid}${n}`, '--display', `+1555000000${n}`, '--token', 'tok',
		'--profile', p).WA_ACCOUNT_ID;
	const a1 = acc(p1, 1);
	const a2 = acc(p2, 2);
	const k1 = key(t.orgId, { profile: p1 }).WA_API_KEY;
	const in2 = ok(await late('POST', C, t.key, { accountId: a2, phone: '+14155550190', name: 'In P2' })).contact;
	const in1 = ok(await late('POST', C, k1, { accountId: a1, phone: '+14155550191', name: 'In P1' })).contact;
	ok(await late('GET', `${C}?${qs({ accountId: t.accountId })}`, k1));
	ok(await late('GET', `${C}/${mine.id}`, k1));
	ok(await late('GET', `${C}/${in1.id}`, k1));
	noAccount(await late('GET', `${C}?${qs({ accountId: a2 })}`, k1));
	noAccount(await late('GET', `${G}?${qs({ accountId: a2 })}`, k1));
	notFound(await late('GET', `${C}/${in2.id}`, k1));
	notFound(await late('PUT', `${C}/${in2.id}`, k1, { name: 'x' }));
	notFound(await late('DELETE', `${C}/${in2.id}`, k1));
	const b = ok(await late('POST', `${C}/bulk`, k1, { action: 'block', contactIds: [in2.id, in1.id] }));
	assert.deepEqual([b.matched, b.modified], [1, 1]);
	assert.equal(ok(await late('DELETE', `${C}/bulk`, k1, { contactIds: [in2.id] })).deleted, 0);
	assert.equal(ok(await late('GET', `${C}/${in2.id}`, t.key)).contact.isBlocked, false);
});

test('row-level security: the families\' role sees no contact without a tenant, only its own with one', () => {
	const none = psql('SELECT count(*) FROM wa.contacts; SELECT count(*) FROM wa.contact_labels;'
		+ ' SELECT count(*) FROM wa.contact_label_members;');
	assert.deepEqual(none.split('\n'), ['0', '0', '0']);
	const own = psql(`SELECT set_config('wa.org_id', '${t.orgId}', false) \\g /dev/null
		SELECT count(*) FROM wa.contacts WHERE id = '${theirs.id}';
		SELECT count(*) FROM wa.contact_label_members WHERE contact_id = '${theirs.id}'`);
	assert.deepEqual(own.split('\n'), ['0', '0']);
	// and it cannot write into another tenant either
	assert.throws(() => psql(`SELECT set_config('wa.org_id', '${t.orgId}', false) \\g /dev/null
		INSERT INTO wa.contacts (org_id, account_id, phone, name)
		VALUES ('${o.orgId}', '${o.accountId}', '+14155550199', 'Forged')`), /row-level security/);
	assert.throws(() => psql(`SELECT set_config('wa.org_id', '${t.orgId}', false) \\g /dev/null
		INSERT INTO wa.contacts (org_id, account_id, phone, name)
		VALUES ('${t.orgId}', '${o.accountId}', '+14155550199', 'Forged')`), /foreign key|violates/);
});

test('deleting an account, or its organization, deletes its contacts, members and counts (triggers, not a foreign key)', async () => {
	const count = (x) => psql(`SELECT (SELECT count(*) FROM wa.contacts WHERE account_id = '${x.accountId}')
		|| ' ' || (SELECT count(*) FROM wa.contact_labels WHERE account_id = '${x.accountId}')
		|| ' ' || (SELECT count(*) FROM wa.contact_label_members m JOIN wa.contacts c ON c.id = m.contact_id
			WHERE c.account_id = '${x.accountId}')`, { as: 'super' });
	const a = tenant();
	const b = tenant();
	for (const x of [a, b]) {
		ok(await late('POST', `${C}/import`, x.key, {
			accountId: x.accountId, defaultTags: ['vip'],
			contacts: [{ phone: '+14155550161', name: 'One', groups: ['g1'] }, { phone: '+14155550162', name: 'Two' }],
		}));
		assert.equal(count(x), '2 3 3');
	}
	// an account deleted by the admin role (no tenant set)
	psql(`DELETE FROM wa.wa_accounts WHERE id = '${a.accountId}'`, { as: 'admin' });
	assert.equal(count(a), '0 0 0');
	// an organization deleted: its accounts go by cascade, and their contacts
	psql(`DELETE FROM wa.organizations WHERE id = '${b.orgId}'`, { as: 'super' });
	assert.equal(count(b), '0 0 0');
	// others are untouched
	assert.equal(ok(await late('GET', `${C}/${mine.id}`, t.key)).contact.name, 'Mine');
});
