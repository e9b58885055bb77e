-- Tenancy, written once: wa.tenant_table(t) makes t a tenant table.
-- Every migration that creates a table with org_id calls it; the block
-- of ALTER TABLE and CREATE POLICY statements is nowhere else.
--
-- Its file name sorts between 0002_tenancy and 0003 (migrate.sh sorts
-- byte-wise: '_' < 'a'), so that on a new database it runs before the
-- tables of 0003 on, and on a database migrated before it existed it
-- runs once, after all of them: the loop at the end then brings every
-- tenant table there is to the one policy below.
SET ROLE wa_owner;

-- ENABLE and FORCE row-level security on t (its owner, wa_owner, is
-- subject to it as well), and the one policy `tenant`: a row is
-- visible, and may be written, only under its organization.
--
-- The tenant is read by a subquery, which PostgreSQL evaluates once per
-- statement (an InitPlan) instead of once per row.  Rows that a search
-- or a walk checks by filter (a trigram match, the pairs an import
-- writes) each cost a current_setting() and a uuid parse otherwise: a
-- third of a search over 10,000 candidates.  Where the tenant is an
-- index condition, both forms are the same.
--
-- The roles of the families and of wa-admin get `privileges` on t when
-- it becomes a tenant table (wa_app has no privilege on it yet); a
-- table that has them keeps what its migration gave it, so that calling
-- this again never widens a grant.  Idempotent.
CREATE PROCEDURE wa.tenant_table(t regclass,
    privileges text DEFAULT 'SELECT, INSERT, UPDATE, DELETE')
LANGUAGE plpgsql AS
$$
BEGIN
	EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', t);
	EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', t);
	IF EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = t
	    AND p.polname = 'tenant') THEN
		EXECUTE format('DROP POLICY tenant ON %s', t);
	END IF;
	EXECUTE format('CREATE POLICY tenant ON %s '
	    'USING (org_id = (SELECT wa.current_org())) '
	    'WITH CHECK (org_id = (SELECT wa.current_org()))', t);
	IF NOT has_table_privilege('wa_app', t, 'SELECT, INSERT, UPDATE, '
	    'DELETE, TRUNCATE, REFERENCES, TRIGGER') THEN
		EXECUTE format('GRANT %s ON %s TO wa_app, wa_admin',
		    privileges, t);
	END IF;
END
$$;
REVOKE ALL ON PROCEDURE wa.tenant_table(regclass, text) FROM PUBLIC;

-- The tenant tables there are: on a new database those of
-- 0002_tenancy, on one migrated before, all of them.
DO $$
DECLARE
	t regclass;
BEGIN
	FOR t IN SELECT c.oid::regclass FROM pg_class c
	    JOIN pg_attribute a ON a.attrelid = c.oid
	    AND a.attname = 'org_id' AND NOT a.attisdropped
	    WHERE c.relnamespace = 'wa'::regnamespace AND c.relkind = 'r'
	    ORDER BY c.relname LOOP
		CALL wa.tenant_table(t);
	END LOOP;
END
$$;

RESET ROLE;
