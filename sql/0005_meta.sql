-- Meta: message templates (wagate's copy of what Meta holds per WABA),
-- the raw webhooks Meta sends, and what the webhook worker applies from
-- them (docs/templates.md, docs/webhooks.md).
--
-- A webhook arrives without an API key, so its tenant is unknown until
-- it is read.  The raw events therefore live outside every tenant, in a
-- table no login role may touch; the application reaches it only through
-- the SECURITY DEFINER functions below (the pattern of wa.auth_key), and
-- finds the organizations an event belongs to with wa.webhook_route().
-- What the worker derives from an event is written as tenant rows, under
-- the tenant set in its transaction.

SET ROLE wa_owner;

CREATE TABLE wa.templates (
	id		uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	org_id		uuid NOT NULL REFERENCES wa.organizations (id)
			    ON DELETE CASCADE,
	-- the account wagate last used for it; the template belongs to the
	-- WABA, which several accounts (numbers) may share
	account_id	uuid NOT NULL,
	waba_id		text NOT NULL CHECK (length(waba_id) BETWEEN 1 AND 64),
	meta_id		text CHECK (length(meta_id) BETWEEN 1 AND 64),
	name		text NOT NULL CHECK (length(name) BETWEEN 1 AND 512),
	language	text NOT NULL CHECK (length(language) BETWEEN 1 AND 16),
	category	text,
	status		text NOT NULL CHECK (length(status) BETWEEN 1 AND 32),
	components	jsonb NOT NULL DEFAULT '[]',
	rejected_reason	text,
	-- Meta's time of the status event last applied (webhooks arrive
	-- out of order: an older one never overwrites a newer one)
	status_at	timestamptz,
	created_at	timestamptz NOT NULL DEFAULT now(),
	updated_at	timestamptz,
	UNIQUE (org_id, id),
	UNIQUE (org_id, waba_id, name, language),
	FOREIGN KEY (org_id, account_id) REFERENCES wa.wa_accounts (org_id, id)
);
CREATE INDEX templates_meta_id ON wa.templates (org_id, waba_id, meta_id);

-- Every template status event applied, once: a redelivery finds its row.
CREATE TABLE wa.template_events (
	id		uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	org_id		uuid NOT NULL REFERENCES wa.organizations (id)
			    ON DELETE CASCADE,
	waba_id		text NOT NULL,
	meta_template_id text NOT NULL,
	name		text,
	language	text,
	event		text NOT NULL,
	reason		text,
	event_time	timestamptz NOT NULL,
	payload		jsonb NOT NULL,
	webhook_event_id bigint NOT NULL,
	received_at	timestamptz NOT NULL DEFAULT now(),
	UNIQUE (org_id, waba_id, meta_template_id, event, event_time)
);

-- Statuses of messages sent through an account (sent, delivered, read,
-- failed, ...), one row per (message, status): later families join on
-- wamid.
CREATE TABLE wa.message_statuses (
	id		uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	org_id		uuid NOT NULL REFERENCES wa.organizations (id)
			    ON DELETE CASCADE,
	account_id	uuid NOT NULL,
	wamid		text NOT NULL CHECK (length(wamid) BETWEEN 1 AND 256),
	status		text NOT NULL CHECK (length(status) BETWEEN 1 AND 32),
	status_time	timestamptz,
	recipient_id	text,
	errors		jsonb,
	pricing		jsonb,
	conversation	jsonb,
	biz_opaque_callback_data text,
	payload		jsonb NOT NULL,
	webhook_event_id bigint NOT NULL,
	received_at	timestamptz NOT NULL DEFAULT now(),
	UNIQUE (org_id, account_id, wamid, status),
	FOREIGN KEY (org_id, account_id) REFERENCES wa.wa_accounts (org_id, id)
);
CREATE INDEX message_statuses_wamid ON wa.message_statuses (org_id, wamid);

-- Messages customers sent to an account.
CREATE TABLE wa.inbound_messages (
	id		uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	org_id		uuid NOT NULL REFERENCES wa.organizations (id)
			    ON DELETE CASCADE,
	account_id	uuid NOT NULL,
	wamid		text NOT NULL CHECK (length(wamid) BETWEEN 1 AND 256),
	from_wa_id	text,
	contact_name	text,
	type		text NOT NULL CHECK (length(type) BETWEEN 1 AND 32),
	sent_at		timestamptz,
	context_wamid	text,
	message		jsonb NOT NULL,
	webhook_event_id bigint NOT NULL,
	received_at	timestamptz NOT NULL DEFAULT now(),
	UNIQUE (org_id, account_id, wamid),
	FOREIGN KEY (org_id, account_id) REFERENCES wa.wa_accounts (org_id, id)
);
CREATE INDEX inbound_messages_from ON wa.inbound_messages
    (org_id, account_id, from_wa_id, sent_at);

-- Tenant tables (0002a_tenant_table.sql).
CALL wa.tenant_table('wa.templates');
CALL wa.tenant_table('wa.template_events');
CALL wa.tenant_table('wa.message_statuses');
CALL wa.tenant_table('wa.inbound_messages');

-- The raw webhooks, exactly as received (bytes), once each: a
-- redelivery of the same bytes finds body_sha256 taken.  No policy: with
-- row-level security forced, only the definer (and wa_admin, reading)
-- sees any row.
CREATE TABLE wa.webhook_events (
	id		bigserial PRIMARY KEY,
	received_at	timestamptz NOT NULL DEFAULT now(),
	body		bytea NOT NULL,
	body_sha256	bytea NOT NULL UNIQUE,
	request_id	text,
	state		text NOT NULL DEFAULT 'pending'
			    CHECK (state IN ('pending', 'done', 'failed')),
	attempts	integer NOT NULL DEFAULT 0,
	next_attempt_at	timestamptz NOT NULL DEFAULT now(),
	processed_at	timestamptz,
	error		text
);
CREATE INDEX webhook_events_pending ON wa.webhook_events
    (next_attempt_at, id) WHERE state = 'pending';
CREATE INDEX webhook_events_old ON wa.webhook_events (received_at)
    WHERE state <> 'pending';
ALTER TABLE wa.webhook_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE wa.webhook_events FORCE ROW LEVEL SECURITY;
GRANT SELECT ON wa.webhook_events TO wa_admin;
GRANT SELECT, INSERT, UPDATE, DELETE ON wa.webhook_events TO wa_definer;
GRANT USAGE ON SEQUENCE wa.webhook_events_id_seq TO wa_definer;

-- Routing an event to its tenants reads accounts across organizations,
-- by Meta's ids.
CREATE INDEX wa_accounts_meta_phone ON wa.wa_accounts (phone_number_id)
    WHERE deleted_at IS NULL;
CREATE INDEX wa_accounts_meta_waba ON wa.wa_accounts (waba_id)
    WHERE deleted_at IS NULL;
GRANT SELECT ON wa.wa_accounts TO wa_definer;

RESET ROLE;

-- Stores a verified webhook body; false if the same bytes were stored
-- before (Meta redelivers).  Wakes the worker (LISTEN wa_webhooks).
CREATE FUNCTION wa.webhook_receive(p_body bytea, p_request_id text)
RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
	n bigint;
BEGIN
	INSERT INTO wa.webhook_events (body, body_sha256, request_id)
	VALUES (p_body, sha256(p_body), left(p_request_id, 128))
	ON CONFLICT (body_sha256) DO NOTHING;
	GET DIAGNOSTICS n = ROW_COUNT;
	IF n > 0 THEN
		PERFORM pg_notify('wa_webhooks', '');
	END IF;
	RETURN n > 0;
END
$$;

-- The oldest pending event that is due, locked for the caller's
-- transaction (SKIP LOCKED: workers never wait for each other).
CREATE FUNCTION wa.webhook_claim()
RETURNS TABLE (event_id bigint, body bytea, attempts integer)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
	RETURN QUERY
	SELECT e.id, e.body, e.attempts FROM wa.webhook_events e
	WHERE e.state = 'pending' AND e.next_attempt_at <= now()
	ORDER BY e.next_attempt_at, e.id
	LIMIT 1
	FOR UPDATE SKIP LOCKED;
END
$$;

-- An event is applied (p_error: why it was set aside, or NULL).
CREATE FUNCTION wa.webhook_done(p_id bigint, p_error text)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
	UPDATE wa.webhook_events SET state = 'done', processed_at = now(),
	    attempts = attempts + 1, error = left(p_error, 512)
	WHERE id = p_id;
END
$$;

-- Applying an event failed (database trouble): try it again later,
-- backing off; after 10 attempts it is set aside as failed.
CREATE FUNCTION wa.webhook_retry(p_id bigint, p_error text)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
	UPDATE wa.webhook_events SET attempts = attempts + 1,
	    error = left(p_error, 512),
	    next_attempt_at = now() + make_interval(secs =>
	        least(power(2, attempts + 1), 3600)),
	    state = CASE WHEN attempts + 1 >= 10 THEN 'failed'
	        ELSE 'pending' END
	WHERE id = p_id AND state = 'pending';
END
$$;

-- The live accounts an event is for: by Meta's phone-number id when the
-- event names one, else by WABA id.  Returns nothing else about them.
CREATE FUNCTION wa.webhook_route(p_phone_number_id text, p_waba_id text)
RETURNS TABLE (org_id uuid, account_id uuid)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
	IF p_phone_number_id IS NOT NULL THEN
		RETURN QUERY SELECT a.org_id, a.id FROM wa.wa_accounts a
		WHERE a.phone_number_id = p_phone_number_id
		  AND a.deleted_at IS NULL;
	ELSE
		RETURN QUERY SELECT a.org_id, a.id FROM wa.wa_accounts a
		WHERE a.waba_id = p_waba_id AND a.deleted_at IS NULL;
	END IF;
END
$$;

-- Events applied or set aside more than 7 days ago (Meta's own retry
-- horizon) are dropped.
CREATE FUNCTION wa.webhook_purge() RETURNS bigint
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
	WITH d AS (DELETE FROM wa.webhook_events WHERE state <> 'pending'
	    AND received_at < now() - interval '7 days' RETURNING 1)
	SELECT count(*) FROM d
$$;

DO $$
DECLARE
	f text;
BEGIN
	FOREACH f IN ARRAY ARRAY['wa.webhook_receive(bytea, text)',
	    'wa.webhook_claim()', 'wa.webhook_done(bigint, text)',
	    'wa.webhook_retry(bigint, text)',
	    'wa.webhook_route(text, text)', 'wa.webhook_purge()'] LOOP
		EXECUTE format('ALTER FUNCTION %s OWNER TO wa_definer', f);
		EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f);
		EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO wa_app, '
		    'wa_admin', f);
	END LOOP;
END
$$;
