-- Roles.  Cluster-wide, so created only when missing.
--   wa_owner    owns the schema and every table; never logs in.
--   wa_definer  owns the few SECURITY DEFINER functions that must look
--               across tenants (API-key lookup, purges); never logs in.
--   wa_app      what the FastCGI families log in as: owns nothing, is
--               subject to row-level security on every tenant table.
--   wa_admin    the operator's CLI (scripts/wa-admin); bypasses RLS.
DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'wa_owner') THEN
		CREATE ROLE wa_owner NOLOGIN;
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'wa_definer') THEN
		CREATE ROLE wa_definer NOLOGIN BYPASSRLS;
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'wa_app') THEN
		CREATE ROLE wa_app LOGIN NOBYPASSRLS;
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'wa_admin') THEN
		CREATE ROLE wa_admin LOGIN BYPASSRLS;
	END IF;
END
$$;

-- The families' statements are point lookups and short writes whose
-- plans do not depend on parameter values.  Left to "auto", PostgreSQL
-- re-plans them (and re-parses the SQL functions the plans inline) on
-- many executions; generic plans cut the database's CPU per request by
-- about a third (docs/architecture.md).  A statement whose best plan
-- does depend on its values can SET LOCAL plan_cache_mode = auto.
ALTER ROLE wa_app SET plan_cache_mode = force_generic_plan;

-- A request never waits forever on the database.
ALTER ROLE wa_app SET statement_timeout = '10s';
ALTER ROLE wa_app SET lock_timeout = '5s';
ALTER ROLE wa_app SET idle_in_transaction_session_timeout = '60s';
