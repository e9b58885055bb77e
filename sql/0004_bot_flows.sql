-- Bot flows (Mosend /organizations/{orgId}/bot/flows, docs/flows.md).
-- A flow holds its draft definition; each publish snapshots the draft
-- into bot_flow_versions, whose rows are never changed afterwards.
SET ROLE wa_owner;

CREATE TABLE wa.bot_flows (
	id		uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	org_id		uuid NOT NULL REFERENCES wa.organizations (id)
			    ON DELETE CASCADE,
	name		text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
	description	text CHECK (length(description) <= 2000),
	-- a WhatsApp account (Mosend's phoneId) of the org; NULL = all
	phone_number_id	uuid,
	trigger_type	text NOT NULL DEFAULT 'MANUAL' CHECK (trigger_type IN
			    ('KEYWORD', 'INTENT', 'MANUAL', 'AUTO_REPLY')),
	-- json, not jsonb: the definition reads back as it was written
	trigger_config	json,
	enabled		boolean NOT NULL DEFAULT true,
	steps		json NOT NULL DEFAULT '[]',
	-- the latest snapshot (0 = never published) and the live one
	version		integer NOT NULL DEFAULT 0 CHECK (version >= 0),
	published_version integer,
	published_at	timestamptz,
	created_at	timestamptz NOT NULL DEFAULT now(),
	updated_at	timestamptz NOT NULL DEFAULT now(),
	deleted_at	timestamptz,
	UNIQUE (org_id, id),
	FOREIGN KEY (org_id, phone_number_id)
	    REFERENCES wa.wa_accounts (org_id, id),
	CHECK (published_version BETWEEN 1 AND version),
	CHECK ((published_version IS NULL) = (published_at IS NULL))
);
CREATE INDEX bot_flows_org_live ON wa.bot_flows (org_id, created_at, id)
    WHERE deleted_at IS NULL;
CREATE INDEX bot_flows_phone ON wa.bot_flows (org_id, phone_number_id)
    WHERE deleted_at IS NULL;

CREATE TABLE wa.bot_flow_versions (
	org_id		uuid NOT NULL,
	flow_id		uuid NOT NULL,
	version		integer NOT NULL CHECK (version >= 1),
	steps		json NOT NULL,
	created_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (org_id, flow_id, version),
	FOREIGN KEY (org_id, flow_id) REFERENCES wa.bot_flows (org_id, id)
	    ON DELETE CASCADE
);

-- A published version is immutable: no UPDATE, for any role.  (The
-- application role is not even granted UPDATE; the trigger also stops
-- the owner.)  Rows go away only with their organization.
CREATE FUNCTION wa.bot_flow_versions_immutable() RETURNS trigger
LANGUAGE plpgsql AS
$$
BEGIN
	RAISE EXCEPTION 'published flow versions are immutable'
	    USING ERRCODE = 'integrity_constraint_violation';
END
$$;
CREATE TRIGGER bot_flow_versions_immutable
    BEFORE UPDATE ON wa.bot_flow_versions
    FOR EACH ROW EXECUTE FUNCTION wa.bot_flow_versions_immutable();

-- Tenant tables (0002a_tenant_table.sql).  Flows are soft-deleted
-- (deleted_at) by the application; DELETE is for the operator.
-- Versions are written once: the roles may add them, and the operator
-- may delete them.
CALL wa.tenant_table('wa.bot_flows');
CALL wa.tenant_table('wa.bot_flow_versions', 'SELECT, INSERT');
GRANT DELETE ON wa.bot_flow_versions TO wa_admin;

RESET ROLE;
