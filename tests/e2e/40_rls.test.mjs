// Row-level security, checked in PostgreSQL itself with the role the
// families log in as (`app`): without wa.org_id nothing is visible, with
// it only that tenant, and writes into another tenant are refused.
import test from 'node:test';
import assert from 'node:assert/strict';
import { psql, tenant } from './lib/harness.mjs';
import { BRAND, createProfile } from './lib/fixtures.mjs';

const a = tenant();
const b = tenant();
const pa = [await createProfile(a, { name: 'A1', brand: BRAND }), await createProfile(a, { name: 'A2' })];
const pb = [await createProfile(b, { name: 'B1', brand: BRAND })];

const TABLES = ['profiles', 'profile_brands', 'wa_accounts', 'api_keys', 'idempotency_keys'];

// psql that is expected to fail; returns its stderr.
function psqlFails(sql, opts) {
	try {
		psql(sql, opts);
	} catch (e) {
		return String(e.stderr);
	}
	assert.fail(`psql succeeded: ${sql}`);
}

test('as app without wa.org_id, every tenant table looks empty although rows exist', () => {
	for (const t of TABLES.filter((x) => x !== 'idempotency_keys')) {
		const all = Number(psql(`SELECT count(*) FROM wa.${t}`, { as: 'super' }));
		assert.ok(all >= 2, `${t} has rows (${all})`);
		assert.equal(psql(`SELECT count(*) FROM wa.${t}`), '0', t);
	}
	assert.equal(psql('SELECT count(*) FROM wa.organizations'), '0');
	assert.equal(psql(`SELECT count(*) FROM wa.profiles WHERE id = '${pa[0].id}'`), '0');
	// an empty setting is no tenant either
	assert.equal(psql("SELECT set_config('wa.org_id', '', false); SELECT count(*) FROM wa.profiles").split('\n').pop(), '0');
});

test('one session alternating tenants sees only A, then only B, then nothing', () => {
	const out = psql(`
		BEGIN;
		SELECT set_config('wa.org_id', :'a', true) IS NOT NULL;
		SELECT string_agg(name, ',' ORDER BY name) FROM wa.profiles;
		SELECT count(*) FROM wa.profile_brands;
		SELECT count(*) FROM wa.organizations WHERE id = :'b';
		COMMIT;
		BEGIN;
		SELECT set_config('wa.org_id', :'b', true) IS NOT NULL;
		SELECT string_agg(name, ',' ORDER BY name) FROM wa.profiles;
		SELECT count(*) FROM wa.profile_brands;
		SELECT count(*) FROM wa.organizations WHERE id = :'a';
		COMMIT;
		SELECT count(*) FROM wa.profiles;
		SELECT '<' || coalesce(current_setting('wa.org_id', true), 'unset') || '>';
	`, { vars: { a: a.orgId, b: b.orgId } });
	assert.deepEqual(out.split('\n'), [
		't', 'A1,A2', '1', '0',
		't', 'B1', '1', '0',
		'0', '<>',
	]);
});

test('A sees A by id and not B by id', () => {
	const sql = `BEGIN; SELECT set_config('wa.org_id', :'a', true) IS NOT NULL;
		SELECT count(*) FROM wa.profiles WHERE id = :'mine';
		SELECT count(*) FROM wa.profiles WHERE id = :'theirs'; COMMIT;`;
	assert.equal(psql(sql, { vars: { a: a.orgId, mine: pa[0].id, theirs: pb[0].id } }), 't\n1\n0');
});

test("inserting a row with another org's id while org A is set is refused by the policy", () => {
	const err = psqlFails(`BEGIN; SELECT set_config('wa.org_id', :'a', true);
		INSERT INTO wa.profiles (org_id, name) VALUES (:'b', 'smuggled'); COMMIT;`,
	{ vars: { a: a.orgId, b: b.orgId } });
	assert.match(err, /new row violates row-level security policy for table "profiles"/);
	// and without any org set, not even into one's "own" tenant
	const err2 = psqlFails(`INSERT INTO wa.profiles (org_id, name) VALUES (:'a', 'no tenant')`, { vars: { a: a.orgId } });
	assert.match(err2, /row-level security/);
	assert.equal(psql("SELECT count(*) FROM wa.profiles WHERE name IN ('smuggled', 'no tenant')", { as: 'super' }), '0');
});

test("A cannot update or delete B's rows, nor move its own rows to B", () => {
	const out = psql(`BEGIN; SELECT set_config('wa.org_id', :'a', true) IS NOT NULL;
		WITH u AS (UPDATE wa.profiles SET name = 'pwned' WHERE id = :'theirs' RETURNING 1) SELECT count(*) FROM u;
		WITH d AS (DELETE FROM wa.api_keys WHERE org_id = :'b' RETURNING 1) SELECT count(*) FROM d;
		COMMIT;`, { vars: { a: a.orgId, b: b.orgId, theirs: pb[0].id } });
	assert.equal(out, 't\n0\n0');
	const err = psqlFails(`BEGIN; SELECT set_config('wa.org_id', :'a', true);
		UPDATE wa.profiles SET org_id = :'b' WHERE id = :'mine'; COMMIT;`,
	{ vars: { a: a.orgId, b: b.orgId, mine: pa[1].id } });
	assert.match(err, /row-level security/);
	assert.equal(psql(`SELECT name || '|' || org_id FROM wa.profiles WHERE id = '${pb[0].id}'`, { as: 'super' }), `B1|${b.orgId}`);
	assert.equal(psql(`SELECT org_id FROM wa.profiles WHERE id = '${pa[1].id}'`, { as: 'super' }), a.orgId);
	assert.ok(Number(psql(`SELECT count(*) FROM wa.api_keys WHERE org_id = '${b.orgId}'`, { as: 'super' })) >= 1);
});

test('the app role cannot switch row security off or bypass it', () => {
	assert.equal(psql(`SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user`), 'f|f');
	const err = psqlFails('SET row_security = off; SELECT count(*) FROM wa.profiles;');
	assert.match(err, /row-level security/);
	// it owns no table, so FORCE is not even needed for it
	assert.equal(psql(`SELECT count(*) FROM pg_tables WHERE schemaname = 'wa' AND tableowner = current_user`), '0');
});

test('every tenant table has row security enabled and forced', () => {
	const out = psql(`SELECT string_agg(relname || ':' || (relrowsecurity AND relforcerowsecurity), ',' ORDER BY relname)
		FROM pg_class WHERE relnamespace = 'wa'::regnamespace AND relkind = 'r'`, { as: 'super' });
	const flags = Object.fromEntries(out.split(',').map((x) => x.split(':')));
	for (const t of [...TABLES, 'organizations']) assert.equal(flags[t], 'true', t);
	// every table of the schema, whichever migration made it, is under
	// row security, and every one with an org_id has the tenant policy
	for (const [t, on] of Object.entries(flags)) assert.equal(on, 'true', t);
	assert.equal(psql(`SELECT coalesce(string_agg(c.relname, ','), '') FROM pg_class c
		JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'org_id' AND NOT a.attisdropped
		WHERE c.relnamespace = 'wa'::regnamespace AND c.relkind = 'r' AND NOT EXISTS
		(SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid AND p.polname = 'tenant')`, { as: 'super' }), '');
});
