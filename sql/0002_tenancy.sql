-- Schema, tenancy helpers and the core tenant tables.
CREATE SCHEMA wa AUTHORIZATION wa_owner;
GRANT USAGE ON SCHEMA wa TO wa_app, wa_admin, wa_definer;

SET ROLE wa_owner;

-- The tenant of the current transaction, set by the application with
-- set_config('wa.org_id', <uuid>, true).  NULL when unset, so every
-- policy below then matches no row.
CREATE FUNCTION wa.current_org() RETURNS uuid
LANGUAGE sql STABLE PARALLEL SAFE AS
$$ SELECT NULLIF(current_setting('wa.org_id', true), '')::uuid $$;

-- RFC 3339, UTC, milliseconds: the one timestamp format of every face.
CREATE FUNCTION wa.rfc3339(timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT to_char($1 AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') $$;

CREATE TABLE wa.organizations (
	id		uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	name		text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
	email		text,
	created_at	timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE wa.profiles (
	id		uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	org_id		uuid NOT NULL REFERENCES wa.organizations (id)
			    ON DELETE CASCADE,
	name		text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
	short_name	text,
	description	text,
	icon		text,
	allow_contact_sharing	boolean NOT NULL DEFAULT false,
	allow_template_sharing	boolean NOT NULL DEFAULT false,
	allow_number_change_during_onboarding boolean,
	inherit_contacts	boolean NOT NULL DEFAULT true,
	inherit_templates	boolean NOT NULL DEFAULT true,
	inherit_tcr_brand	boolean NOT NULL DEFAULT true,
	inherit_tcr_campaign	boolean NOT NULL DEFAULT true,
	billing_model	text NOT NULL DEFAULT 'profile' CHECK (billing_model IN
			    ('profile', 'organization',
			    'profile_and_organization')),
	billing_contact	jsonb,
	sending_phone_number	text,
	sending_phone_number_profile_id	uuid,
	sending_whatsapp_number_profile_id uuid,
	whatsapp_phone_number	text,
	created_at	timestamptz NOT NULL DEFAULT now(),
	updated_at	timestamptz,
	deleted_at	timestamptz,
	UNIQUE (org_id, id),
	-- references stay inside the tenant: the key includes org_id
	FOREIGN KEY (org_id, sending_phone_number_profile_id)
	    REFERENCES wa.profiles (org_id, id),
	FOREIGN KEY (org_id, sending_whatsapp_number_profile_id)
	    REFERENCES wa.profiles (org_id, id)
);
CREATE INDEX profiles_org_live ON wa.profiles (org_id, created_at, id)
    WHERE deleted_at IS NULL;

CREATE TABLE wa.profile_brands (
	id		uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	org_id		uuid NOT NULL,
	profile_id	uuid NOT NULL,
	contact		jsonb NOT NULL,
	business	jsonb,
	compliance	jsonb NOT NULL,
	tcr_brand_id	text,
	status		text,
	identity_status	text,
	universal_ein	text,
	csp_id		text,
	submitted_to_tcr boolean NOT NULL DEFAULT false,
	submitted_at	timestamptz,
	created_at	timestamptz NOT NULL DEFAULT now(),
	updated_at	timestamptz,
	UNIQUE (org_id, profile_id),
	FOREIGN KEY (org_id, profile_id) REFERENCES wa.profiles (org_id, id)
	    ON DELETE CASCADE
);

-- A WhatsApp Business number: Late's accountId, Mosend's phoneId.
-- profile_id NULL = the organization's own account, inherited by its
-- profiles.  The Meta access token is AES-256-GCM sealed (lib/crypto).
CREATE TABLE wa.wa_accounts (
	id		uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	org_id		uuid NOT NULL REFERENCES wa.organizations (id)
			    ON DELETE CASCADE,
	profile_id	uuid,
	waba_id		text NOT NULL CHECK (length(waba_id) BETWEEN 1 AND 64),
	phone_number_id	text CHECK (length(phone_number_id) BETWEEN 1 AND 64),
	display_phone_number text,
	access_token_enc bytea NOT NULL,
	created_at	timestamptz NOT NULL DEFAULT now(),
	updated_at	timestamptz,
	deleted_at	timestamptz,
	UNIQUE (org_id, id),
	FOREIGN KEY (org_id, profile_id) REFERENCES wa.profiles (org_id, id)
);
CREATE UNIQUE INDEX wa_accounts_phone ON wa.wa_accounts
    (org_id, phone_number_id)
    WHERE deleted_at IS NULL AND phone_number_id IS NOT NULL;
CREATE INDEX wa_accounts_org ON wa.wa_accounts (org_id, profile_id, created_at)
    WHERE deleted_at IS NULL;

CREATE TABLE wa.api_keys (
	id		uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	org_id		uuid NOT NULL REFERENCES wa.organizations (id)
			    ON DELETE CASCADE,
	profile_id	uuid,
	-- The public half of the key; globally unique because it is how a
	-- key is found before its organization is known.
	prefix		text NOT NULL UNIQUE CHECK (prefix ~ '^[A-Za-z0-9]{12}$'),
	secret_hash	bytea NOT NULL CHECK (length(secret_hash) = 32),
	mode		text NOT NULL CHECK (mode IN ('live', 'test')),
	role		text NOT NULL CHECK (role IN ('admin', 'member')),
	name		text,
	created_at	timestamptz NOT NULL DEFAULT now(),
	revoked_at	timestamptz,
	FOREIGN KEY (org_id, profile_id) REFERENCES wa.profiles (org_id, id)
);
CREATE INDEX api_keys_org ON wa.api_keys (org_id, created_at);

-- Stored responses of mutating requests that carried Idempotency-Key.
CREATE TABLE wa.idempotency_keys (
	org_id		uuid NOT NULL REFERENCES wa.organizations (id)
			    ON DELETE CASCADE,
	key		text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
	request_hash	bytea NOT NULL,
	status		integer NOT NULL,
	body		text NOT NULL,
	created_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (org_id, key)
);
CREATE INDEX idempotency_keys_age ON wa.idempotency_keys (created_at);

-- Row-level security: the tables above with an org_id become tenant
-- tables in 0002a_tenant_table.sql (wa.tenant_table(), the one place
-- that says how).  An organization is its own tenant:
ALTER TABLE wa.organizations ENABLE ROW LEVEL SECURITY;
ALTER TABLE wa.organizations FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON wa.organizations
    USING (id = wa.current_org()) WITH CHECK (id = wa.current_org());
GRANT SELECT ON wa.organizations TO wa_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON wa.organizations TO wa_admin;

-- The definer role reads across tenants, and only through the
-- functions below.
GRANT SELECT ON wa.api_keys, wa.profiles TO wa_definer;
GRANT SELECT, DELETE ON wa.idempotency_keys TO wa_definer;

RESET ROLE;

-- Looks up a live key by its public prefix.  Returns the stored hash;
-- the caller compares it in constant time.  A key of a deleted profile
-- is as good as revoked.
CREATE FUNCTION wa.auth_key(p_prefix text)
RETURNS TABLE (key_id uuid, org_id uuid, profile_id uuid, role text,
    mode text, secret_hash bytea)
-- PL/pgSQL, not SQL: a SECURITY DEFINER SQL function is not inlined and
-- would be planned again on every request; PL/pgSQL keeps the plan for
-- the session.
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
	RETURN QUERY
	SELECT k.id, k.org_id, k.profile_id, k.role, k.mode, k.secret_hash
	FROM wa.api_keys k
	LEFT JOIN wa.profiles p ON p.id = k.profile_id
	WHERE k.prefix = p_prefix
	  AND k.revoked_at IS NULL
	  AND (k.profile_id IS NULL OR p.deleted_at IS NULL);
END
$$;

-- Drops idempotency records older than 24 hours, all tenants.
CREATE FUNCTION wa.purge_idempotency() RETURNS bigint
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
	WITH d AS (DELETE FROM wa.idempotency_keys
	    WHERE created_at < now() - interval '24 hours' RETURNING 1)
	SELECT count(*) FROM d
$$;

ALTER FUNCTION wa.auth_key(text) OWNER TO wa_definer;
ALTER FUNCTION wa.purge_idempotency() OWNER TO wa_definer;
REVOKE ALL ON FUNCTION wa.auth_key(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION wa.purge_idempotency() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION wa.auth_key(text) TO wa_app, wa_admin;
GRANT EXECUTE ON FUNCTION wa.purge_idempotency() TO wa_app, wa_admin;
GRANT EXECUTE ON FUNCTION wa.current_org() TO wa_app, wa_admin;
GRANT EXECUTE ON FUNCTION wa.rfc3339(timestamptz) TO wa_app, wa_admin;
