-- Web chat channels (docs/web-chat.md): a widget a business puts on its
-- site.  Its settings are checked by fcgi/web_chat before they are
-- stored; the JSON settings (operating hours, offline action, prechat
-- fields, departments, proactive triggers) are stored as the family
-- rebuilt them, with only the members it knows.

SET ROLE wa_owner;

CREATE TABLE wa.web_chat_channels (
	id		uuid PRIMARY KEY DEFAULT wa.uuid7(),
	org_id		uuid NOT NULL REFERENCES wa.organizations (id)
			    ON DELETE CASCADE,
	-- the public token of the widget's routes (/web-chat/{token}/...),
	-- named by the install snippet; unique across organizations
	token		text COLLATE "C" NOT NULL UNIQUE
			    CHECK (token ~ '^wc_[A-Za-z0-9]{32}$'),
	name		text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
	color		text NOT NULL DEFAULT '#25d366'
			    CHECK (color ~ '^#[0-9a-f]{6}$'),
	welcome_message	text CHECK (length(welcome_message) <= 1000),
	allowed_domains	text[] NOT NULL DEFAULT '{}'
			    CHECK (cardinality(allowed_domains) <= 50),
	precapture_enabled boolean NOT NULL DEFAULT false,
	bot_enabled	boolean NOT NULL DEFAULT true,
	enabled		boolean NOT NULL DEFAULT true,
	identity_required boolean NOT NULL DEFAULT false,
	-- AES-256-GCM under WA_SECRET_KEY, bound to the channel's id
	identity_secret_enc bytea,
	identity_secret_at timestamptz,
	operating_hours	jsonb CHECK (jsonb_typeof(operating_hours) = 'object'),
	offline_action	jsonb CHECK (jsonb_typeof(offline_action) = 'object'),
	offline_message	text CHECK (length(offline_message) <= 1000),
	prechat_fields	jsonb NOT NULL DEFAULT '[]'
			    CHECK (jsonb_typeof(prechat_fields) = 'array'),
	departments	jsonb NOT NULL DEFAULT '[]'
			    CHECK (jsonb_typeof(departments) = 'array'),
	proactive_triggers jsonb NOT NULL DEFAULT '[]'
			    CHECK (jsonb_typeof(proactive_triggers) = 'array'),
	link_email_banner_enabled boolean NOT NULL DEFAULT false,
	created_at	timestamptz NOT NULL DEFAULT now(),
	updated_at	timestamptz NOT NULL DEFAULT now(),
	UNIQUE (org_id, id)
);
CREATE INDEX web_chat_channels_org ON wa.web_chat_channels
    (org_id, created_at, id);

-- Tenant tables (0002a_tenant_table.sql).
CALL wa.tenant_table('wa.web_chat_channels');

-- An organization's channels, at most (wa-admin org quota
-- --web-chat-channels), checked as the other quotas are
-- (sql/0008_quotas.sql).
ALTER TABLE wa.organizations
    ADD COLUMN max_web_chat_channels integer NOT NULL DEFAULT 50
	CHECK (max_web_chat_channels >= 0);

-- The quota of rows becomes one function for every table: the
-- trigger names what counts (its first argument, a condition on the
-- table's rows) and what the rows are called (its second); the limit is
-- the organization's column max_<table>.
CREATE OR REPLACE FUNCTION wa.quota_rows() RETURNS trigger
LANGUAGE plpgsql AS
$$
DECLARE
	o	uuid;
	lim	integer;
	n	bigint;
BEGIN
	FOR o IN SELECT DISTINCT org_id FROM new_rows ORDER BY 1 LOOP
		PERFORM pg_advisory_xact_lock(hashtext('quota:' ||
		    TG_TABLE_NAME), hashtext(o::text));
		EXECUTE format('SELECT %I FROM wa.organizations WHERE id = $1',
		    'max_' || TG_TABLE_NAME) INTO lim USING o;
		EXECUTE format('SELECT count(*) FROM wa.%I WHERE org_id = $1 '
		    'AND (%s)', TG_TABLE_NAME, TG_ARGV[0]) INTO n USING o;
		IF n > lim THEN
			RAISE EXCEPTION USING ERRCODE = 'WA001',
			    MESSAGE = format('The organization has reached '
			    'its limit of %s %s; ask the operator to raise '
			    'it (wa-admin org quota)', lim, TG_ARGV[1]);
		END IF;
	END LOOP;
	RETURN NULL;
END
$$;
DROP TRIGGER profiles_quota ON wa.profiles;
DROP TRIGGER bot_flows_quota ON wa.bot_flows;
DROP TRIGGER broadcasts_quota ON wa.broadcasts;
CREATE TRIGGER profiles_quota AFTER INSERT ON wa.profiles
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION wa.quota_rows('deleted_at IS NULL', 'profiles');
CREATE TRIGGER bot_flows_quota AFTER INSERT ON wa.bot_flows
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION wa.quota_rows('deleted_at IS NULL', 'bot flows');
-- broadcasts are deleted outright (drafts, cancelled)
CREATE TRIGGER broadcasts_quota AFTER INSERT ON wa.broadcasts
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION wa.quota_rows('true', 'broadcasts');
CREATE TRIGGER web_chat_channels_quota AFTER INSERT ON wa.web_chat_channels
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION wa.quota_rows('true', 'web chat channels');

RESET ROLE;
