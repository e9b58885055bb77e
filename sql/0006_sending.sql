-- Sending (docs/sending.md): the outbound queue every message wagate
-- sends goes through, the opt-out ledger consulted before each send,
-- the pacing lanes of the sending worker, and Late's broadcasts.
--
-- A message is a row before it is a request to Meta: written queued,
-- claimed by a sending worker (FOR UPDATE SKIP LOCKED, with a lease),
-- and ended in exactly one final state:
--
--   queued -> sending -> sent -> delivered -> read      (Meta accepted)
--                     -> failed                         (refused)
--                     -> unknown                        (may have gone)
--   queued -> skipped                                   (suppressed)
--
-- `unknown` is a send whose outcome nobody knows (a timeout after the
-- request was written, a worker killed mid-call): never sent again.
-- Meta echoes the message's id in biz_opaque_callback_data, so its
-- first status webhook resolves it to its wamid and state.  Statuses
-- only move forward (wa.message_next), whatever order the webhooks come
-- in.

SET ROLE wa_owner;

-- The account's pace at Meta: messages per second of its phone number
-- (Meta's default 80, up to 1,000 for upgraded numbers).
ALTER TABLE wa.wa_accounts ADD COLUMN messages_per_second integer NOT NULL
    DEFAULT 80 CHECK (messages_per_second BETWEEN 1 AND 1000);

CREATE TABLE wa.messages (
	id		uuid PRIMARY KEY DEFAULT wa.uuid7(),
	org_id		uuid NOT NULL,
	account_id	uuid NOT NULL,
	-- what made it: POST /bulk, a broadcast, later bots and agents
	origin		text NOT NULL
			    CHECK (origin IN ('bulk', 'broadcast', 'bot',
			    'agent')),
	-- the bulk request or the broadcast, and the place in it
	batch_id	uuid,
	seq		integer,
	-- 0 goes first: someone waits for it; 1: broadcasts
	priority	smallint NOT NULL DEFAULT 0,
	to_phone	text COLLATE "C" NOT NULL
			    CHECK (to_phone ~ '^\+[1-9][0-9]{6,14}$'),
	contact_id	uuid,
	type		text NOT NULL CHECK (type IN ('template', 'text')),
	-- Meta's object of the type (`template` or `text`), as it is sent
	body		jsonb NOT NULL,
	template_name	text,
	template_language text,
	status		text NOT NULL DEFAULT 'queued'
			    CHECK (status IN ('queued', 'sending', 'sent',
			    'delivered', 'read', 'failed', 'skipped',
			    'unknown')),
	attempts	smallint NOT NULL DEFAULT 0,
	next_attempt_at	timestamptz NOT NULL DEFAULT now(),
	lease_until	timestamptz,
	wamid		text CHECK (length(wamid) BETWEEN 1 AND 256),
	-- why it failed, was skipped or was retried: wagate's code
	-- ("opted_out", "meta_131026", ...), a sentence, Meta's code
	error_code	text,
	error		text,
	meta_code	integer,
	created_at	timestamptz NOT NULL DEFAULT now(),
	sent_at		timestamptz,
	delivered_at	timestamptz,
	read_at		timestamptz,
	failed_at	timestamptz,
	updated_at	timestamptz NOT NULL DEFAULT now(),
	UNIQUE (org_id, id),
	FOREIGN KEY (org_id, account_id) REFERENCES wa.wa_accounts (org_id, id)
);
-- the queue of one account, in the order it is drained (a batch's
-- messages, queued at one time, in their own order)
CREATE INDEX messages_due ON wa.messages
    (account_id, priority, next_attempt_at, seq, id)
    WHERE status = 'queued';
CREATE INDEX messages_leased ON wa.messages (lease_until)
    WHERE status = 'sending';
CREATE UNIQUE INDEX messages_wamid ON wa.messages (account_id, wamid)
    WHERE wamid IS NOT NULL;
CREATE INDEX messages_batch ON wa.messages (batch_id, seq)
    WHERE batch_id IS NOT NULL;
CREATE INDEX messages_to ON wa.messages (org_id, account_id, to_phone,
    created_at);

-- The opt-out ledger: who may not be sent to, per account and phone,
-- with why, where it came from and when.  Never deleted: a change is a
-- new entry that supersedes the current one of its kind.  A phone is
-- suppressed while a current entry of any kind says so, whether or not
-- it is a contact (a contact that opted out and was deleted stays
-- suppressed).
CREATE TABLE wa.suppressions (
	id		uuid PRIMARY KEY DEFAULT wa.uuid7(),
	org_id		uuid NOT NULL,
	account_id	uuid NOT NULL,
	phone		text COLLATE "C" NOT NULL
			    CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
	-- opted_out: the contact opted out; blocked: the contact is
	-- blocked; stopped_marketing: Meta said the user stopped marketing
	-- messages (131050)
	kind		text NOT NULL CHECK (kind IN ('opted_out', 'blocked',
			    'stopped_marketing')),
	-- false: the entry lifts the kind (opted in again, unblocked)
	suppressed	boolean NOT NULL,
	source		text NOT NULL CHECK (source IN ('contact', 'meta',
			    'admin')),
	note		text,
	created_at	timestamptz NOT NULL DEFAULT now(),
	superseded_at	timestamptz,
	superseded_by	uuid,
	FOREIGN KEY (org_id, account_id) REFERENCES wa.wa_accounts (org_id, id)
);
CREATE UNIQUE INDEX suppressions_current ON wa.suppressions
    (account_id, phone, kind) WHERE superseded_at IS NULL;

-- Late's broadcasts.  The counters follow the messages (trigger below):
-- sent = accepted by Meta and not failed since; delivered and read as
-- Meta reports them; failed = refused, or skipped before sending;
-- unknown = outcome unknown.  A recipient is pending until it is one of
-- sent, failed or unknown.
CREATE TABLE wa.broadcasts (
	id		uuid PRIMARY KEY DEFAULT wa.uuid7(),
	org_id		uuid NOT NULL,
	account_id	uuid NOT NULL,
	name		text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
	description	text CHECK (length(description) <= 1024),
	template_name	text NOT NULL,
	template_language text NOT NULL,
	template_components jsonb NOT NULL DEFAULT '[]',
	status		text NOT NULL DEFAULT 'draft'
			    CHECK (status IN ('draft', 'scheduled', 'sending',
			    'completed', 'failed', 'cancelled')),
	scheduled_at	timestamptz,
	started_at	timestamptz,
	completed_at	timestamptz,
	recipient_count	integer NOT NULL DEFAULT 0,
	-- the worker puts the recipients in the queue in chunks: the seq
	-- of the last one and how many so far
	enqueue_cursor	integer NOT NULL DEFAULT 0,
	enqueued_count	integer NOT NULL DEFAULT 0,
	sent_count	integer NOT NULL DEFAULT 0,
	delivered_count	integer NOT NULL DEFAULT 0,
	read_count	integer NOT NULL DEFAULT 0,
	failed_count	integer NOT NULL DEFAULT 0,
	unknown_count	integer NOT NULL DEFAULT 0,
	created_at	timestamptz NOT NULL DEFAULT now(),
	updated_at	timestamptz NOT NULL DEFAULT now(),
	UNIQUE (org_id, id),
	FOREIGN KEY (org_id, account_id) REFERENCES wa.wa_accounts (org_id, id)
);
CREATE INDEX broadcasts_list ON wa.broadcasts (org_id, account_id,
    created_at DESC, id DESC);
CREATE INDEX broadcasts_due ON wa.broadcasts (scheduled_at)
    WHERE status = 'scheduled';
CREATE INDEX broadcasts_starting ON wa.broadcasts (started_at)
    WHERE status = 'sending';

CREATE TABLE wa.broadcast_recipients (
	org_id		uuid NOT NULL,
	broadcast_id	uuid NOT NULL,
	-- the order they were added in: the order they are sent in
	seq		integer NOT NULL,
	phone		text COLLATE "C" NOT NULL
			    CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
	name		text CHECK (length(name) <= 255),
	variables	jsonb NOT NULL DEFAULT '{}'
			    CHECK (jsonb_typeof(variables) = 'object'),
	-- its message is the broadcast's (batch_id, seq)
	added_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (broadcast_id, phone),
	UNIQUE (broadcast_id, seq),
	FOREIGN KEY (org_id, broadcast_id) REFERENCES wa.broadcasts (org_id, id)
	    ON DELETE CASCADE
);

-- One lane per account with messages to send: the sending worker that
-- holds its lease (owner, lease_until) is the only one sending for the
-- account's number, and paces it (docs/sending.md, "Pacing").  due_at
-- is when its queue next has a message due (NULL: nothing queued);
-- every insert into the queue lowers it and bumps gen, so a worker that
-- found the queue empty clears due_at only if nothing came since.
CREATE TABLE wa.send_lanes (
	account_id	uuid PRIMARY KEY,
	org_id		uuid NOT NULL,
	due_at		timestamptz,
	gen		bigint NOT NULL DEFAULT 0,
	owner		text,
	lease_until	timestamptz,
	-- the account's sends are paused: Meta refused the account
	-- itself (its token, a locked or unregistered number)
	paused_at	timestamptz,
	paused_reason	text,
	paused_code	integer,
	updated_at	timestamptz NOT NULL DEFAULT now(),
	FOREIGN KEY (org_id, account_id) REFERENCES wa.wa_accounts (org_id, id)
);
CREATE INDEX send_lanes_due ON wa.send_lanes (due_at)
    WHERE due_at IS NOT NULL AND paused_at IS NULL;

-- Tenant tables (0002a_tenant_table.sql).
CALL wa.tenant_table('wa.messages');
-- the ledger is never deleted from, and an entry only ever gains the
-- entry that supersedes it
CALL wa.tenant_table('wa.suppressions', 'SELECT, INSERT');
GRANT UPDATE (superseded_at, superseded_by) ON wa.suppressions
    TO wa_app, wa_admin;
CALL wa.tenant_table('wa.broadcasts');
CALL wa.tenant_table('wa.broadcast_recipients');
CALL wa.tenant_table('wa.send_lanes');
-- the sending worker's cross-tenant steps (below) move messages, whose
-- triggers move broadcast and contact counters
GRANT SELECT, UPDATE ON wa.send_lanes, wa.messages, wa.broadcasts
    TO wa_definer;
GRANT SELECT, UPDATE (messages_sent_count, last_message_sent_at)
    ON wa.contacts TO wa_definer;

-- ---- statuses ---------------------------------------------------------

-- The status a message moves to when `next` is reported in state `cur`:
-- forward only.  A worker's own verdicts (queued again, failed, unknown)
-- apply only to a message it holds (sending); Meta's statuses move a
-- message forward from wherever it is, and resolve an unknown one.
-- `delivered` may follow `failed` (another device of the user), a
-- `failed` after `delivered` is ignored.
CREATE FUNCTION wa.message_next(cur text, next text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT CASE
	WHEN cur = next THEN cur
	WHEN cur IN ('skipped', 'read') THEN cur
	WHEN next IN ('queued', 'sending') THEN
	    CASE WHEN cur IN ('queued', 'sending') THEN next ELSE cur END
	WHEN next = 'unknown' THEN
	    CASE WHEN cur = 'sending' THEN next ELSE cur END
	WHEN next = 'sent' THEN
	    CASE WHEN cur IN ('queued', 'sending', 'unknown') THEN next
		ELSE cur END
	WHEN next = 'delivered' THEN
	    CASE WHEN cur IN ('read') THEN cur ELSE next END
	WHEN next = 'read' THEN next
	WHEN next = 'failed' THEN
	    CASE WHEN cur IN ('delivered') THEN cur ELSE next END
	WHEN next = 'skipped' THEN
	    CASE WHEN cur IN ('queued', 'sending') THEN next ELSE cur END
	ELSE cur END $$;

-- Which counters of a broadcast a message in status s counts in.
CREATE FUNCTION wa.message_counts(s text, OUT sent int, OUT delivered int,
    OUT read int, OUT failed int, OUT unknown int)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT (s IN ('sent', 'delivered', 'read'))::int,
    (s IN ('delivered', 'read'))::int, (s = 'read')::int,
    (s IN ('failed', 'skipped'))::int, (s = 'unknown')::int $$;

-- Broadcasts whose every recipient is in the queue and has an outcome
-- (sent, failed or unknown) are done: completed, or failed when not one
-- message went out.
CREATE FUNCTION wa.broadcasts_settle(ids uuid[]) RETURNS void
LANGUAGE sql AS
$$ UPDATE wa.broadcasts SET
	status = CASE WHEN sent_count + unknown_count = 0 THEN 'failed'
	    ELSE 'completed' END,
	completed_at = now(), updated_at = now()
   WHERE id = ANY (ids) AND status = 'sending'
     AND enqueued_count >= recipient_count
     AND sent_count + failed_count + unknown_count >= recipient_count $$;

-- Broadcast counters, and the contact's message counters, from the
-- messages a statement changed: one UPDATE per broadcast and per contact
-- however many messages moved.
CREATE FUNCTION wa.messages_after_update() RETURNS trigger
LANGUAGE plpgsql AS
$$
DECLARE
	touched	uuid[];
BEGIN
	WITH d AS (
		SELECT n.batch_id, sum(cn.sent - co.sent) AS sent,
		    sum(cn.delivered - co.delivered) AS delivered,
		    sum(cn.read - co.read) AS read,
		    sum(cn.failed - co.failed) AS failed,
		    sum(cn.unknown - co.unknown) AS unknown
		FROM new_rows n
		JOIN old_rows o ON o.id = n.id
		CROSS JOIN LATERAL wa.message_counts(n.status) cn
		CROSS JOIN LATERAL wa.message_counts(o.status) co
		WHERE n.origin = 'broadcast' AND n.status <> o.status
		GROUP BY n.batch_id
	), u AS (
		UPDATE wa.broadcasts b SET sent_count = b.sent_count + d.sent,
		    delivered_count = b.delivered_count + d.delivered,
		    read_count = b.read_count + d.read,
		    failed_count = b.failed_count + d.failed,
		    unknown_count = b.unknown_count + d.unknown,
		    updated_at = now()
		FROM d
		WHERE b.id = d.batch_id AND (d.sent, d.delivered, d.read,
		    d.failed, d.unknown) <> (0, 0, 0, 0, 0)
		RETURNING b.id
	)
	SELECT array_agg(id) INTO touched FROM u;
	IF touched IS NOT NULL THEN
		PERFORM wa.broadcasts_settle(touched);
	END IF;

	-- a message Meta accepted counts once for its contact
	WITH c AS (
		SELECT n.contact_id, count(*) AS n, max(n.sent_at) AS at
		FROM new_rows n
		JOIN old_rows o ON o.id = n.id
		WHERE n.contact_id IS NOT NULL AND n.sent_at IS NOT NULL
		  AND o.sent_at IS NULL
		GROUP BY n.contact_id
	)
	UPDATE wa.contacts k SET
	    messages_sent_count = k.messages_sent_count + c.n,
	    last_message_sent_at = greatest(k.last_message_sent_at, c.at)
	FROM c WHERE k.id = c.contact_id;
	RETURN NULL;
END
$$;
CREATE TRIGGER messages_counted AFTER UPDATE ON wa.messages
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION wa.messages_after_update();

-- New messages: the lanes of their accounts learn there is work (and the
-- workers, by NOTIFY); those failed or skipped on arrival are counted.
CREATE FUNCTION wa.messages_after_insert() RETURNS trigger
LANGUAGE plpgsql AS
$$
DECLARE
	touched	uuid[];
BEGIN
	INSERT INTO wa.send_lanes AS l (account_id, org_id, due_at, gen)
	SELECT account_id, org_id, min(next_attempt_at), 1
	FROM new_rows WHERE status = 'queued'
	GROUP BY account_id, org_id
	ORDER BY account_id
	ON CONFLICT (account_id) DO UPDATE
	SET due_at = least(l.due_at, excluded.due_at), gen = l.gen + 1,
	    updated_at = now();
	IF FOUND THEN
		PERFORM pg_notify('wa_send', '');
	END IF;
	WITH d AS (
		SELECT batch_id, count(*) AS n FROM new_rows
		WHERE origin = 'broadcast' AND status IN ('failed', 'skipped')
		GROUP BY batch_id
	), u AS (
		UPDATE wa.broadcasts b SET failed_count = b.failed_count + d.n,
		    updated_at = now()
		FROM d WHERE b.id = d.batch_id
		RETURNING b.id
	)
	SELECT array_agg(id) INTO touched FROM u;
	IF touched IS NOT NULL THEN
		PERFORM wa.broadcasts_settle(touched);
	END IF;
	RETURN NULL;
END
$$;
CREATE TRIGGER messages_queued AFTER INSERT ON wa.messages
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION wa.messages_after_insert();

-- A message status from Meta's webhooks (stored by the webhook worker in
-- wa.message_statuses) moves its message: found by wamid, or, for a
-- send whose answer never came, by the id wagate put in
-- biz_opaque_callback_data.  Meta's "user stopped marketing messages"
-- (131050) enters the ledger.
CREATE FUNCTION wa.message_statuses_apply() RETURNS trigger
LANGUAGE plpgsql AS
$$
BEGIN
	WITH n AS (
		SELECT n.org_id, n.account_id, n.wamid, n.status,
		    n.status_time, n.errors,
		    CASE WHEN n.biz_opaque_callback_data ~
			'^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
			THEN n.biz_opaque_callback_data::uuid END AS opaque
		FROM new_rows n
		WHERE n.status IN ('sent', 'delivered', 'read', 'failed')
	), s AS (
		-- each item's message by its wamid (an index lookup), else
		-- by the opaque id of a send that has no wamid yet
		SELECT DISTINCT ON (k.id) k.id, n.wamid, n.status,
		    coalesce(n.status_time, now()) AS at,
		    (n.errors -> 0 ->> 'code')::integer AS code,
		    left(n.errors -> 0 ->> 'title', 512) AS title
		FROM n CROSS JOIN LATERAL (
			SELECT m.id FROM wa.messages m
			WHERE m.account_id = n.account_id AND m.wamid = n.wamid
			  AND m.org_id = n.org_id
			UNION ALL
			SELECT m.id FROM wa.messages m
			WHERE m.id = n.opaque AND m.wamid IS NULL
			  AND m.org_id = n.org_id AND m.account_id = n.account_id
			LIMIT 1) k
		ORDER BY k.id, CASE n.status WHEN 'read' THEN 4
		    WHEN 'delivered' THEN 3 WHEN 'failed' THEN 2 ELSE 1 END DESC
	)
	UPDATE wa.messages m SET
	    status = wa.message_next(m.status, s.status),
	    wamid = coalesce(m.wamid, s.wamid),
	    sent_at = coalesce(m.sent_at, CASE WHEN s.status <> 'failed'
		THEN s.at END),
	    delivered_at = coalesce(m.delivered_at, CASE WHEN s.status IN
		('delivered', 'read') THEN s.at END),
	    read_at = coalesce(m.read_at, CASE WHEN s.status = 'read'
		THEN s.at END),
	    failed_at = CASE WHEN wa.message_next(m.status, s.status) =
		'failed' THEN coalesce(m.failed_at, s.at) ELSE m.failed_at END,
	    -- the reason of a retry or of an unknown outcome goes once
	    -- Meta says the message went out
	    error_code = CASE wa.message_next(m.status, s.status)
		WHEN 'failed' THEN 'meta_' || s.code
		WHEN 'sent' THEN NULL WHEN 'delivered' THEN NULL
		WHEN 'read' THEN NULL ELSE m.error_code END,
	    error = CASE wa.message_next(m.status, s.status)
		WHEN 'failed' THEN s.title
		WHEN 'sent' THEN NULL WHEN 'delivered' THEN NULL
		WHEN 'read' THEN NULL ELSE m.error END,
	    meta_code = CASE wa.message_next(m.status, s.status)
		WHEN 'failed' THEN s.code
		WHEN 'sent' THEN NULL WHEN 'delivered' THEN NULL
		WHEN 'read' THEN NULL ELSE m.meta_code END,
	    lease_until = CASE WHEN m.status = 'sending' AND
		wa.message_next(m.status, s.status) <> 'sending' THEN NULL
		ELSE m.lease_until END,
	    updated_at = now()
	FROM s WHERE m.id = s.id
	  AND (wa.message_next(m.status, s.status) IS DISTINCT FROM m.status
	   OR m.wamid IS NULL);

	PERFORM wa.suppress(n.account_id, m.to_phone, 'stopped_marketing',
	    true, 'meta', 'Meta: the user stopped marketing messages')
	FROM new_rows n
	JOIN wa.messages m ON m.org_id = n.org_id AND m.account_id =
	    n.account_id AND m.wamid = n.wamid
	WHERE n.status = 'failed' AND n.errors -> 0 ->> 'code' = '131050';
	RETURN NULL;
END
$$;

-- ---- the ledger -------------------------------------------------------

-- Records that phone is (or, suppressed false, is no longer) of kind for
-- the account: a new entry superseding the current one of that kind.
-- Nothing happens when the current entry already says the same.
CREATE FUNCTION wa.suppress(p_account uuid, p_phone text, p_kind text,
    p_suppressed boolean, p_source text, p_note text) RETURNS void
LANGUAGE plpgsql AS
$$
DECLARE
	cur	wa.suppressions;
	nid	uuid := wa.uuid7();
BEGIN
	SELECT * INTO cur FROM wa.suppressions
	WHERE account_id = p_account AND phone = p_phone AND kind = p_kind
	  AND superseded_at IS NULL
	FOR UPDATE;
	IF FOUND AND cur.suppressed = p_suppressed THEN
		RETURN;
	END IF;
	IF NOT FOUND AND NOT p_suppressed THEN
		RETURN;		-- nothing to lift
	END IF;
	IF FOUND THEN
		UPDATE wa.suppressions SET superseded_at = now(),
		    superseded_by = nid
		WHERE id = cur.id;
	END IF;
	INSERT INTO wa.suppressions (id, org_id, account_id, phone, kind,
	    suppressed, source, note)
	SELECT nid, a.org_id, a.id, p_phone, p_kind, p_suppressed, p_source,
	    left(p_note, 512)
	FROM wa.wa_accounts a WHERE a.id = p_account;
END
$$;

-- Why phone may not be sent to by the account now, or NULL.
CREATE FUNCTION wa.suppressed(p_account uuid, p_phone text) RETURNS text
LANGUAGE sql STABLE AS
$$ SELECT kind FROM wa.suppressions
   WHERE account_id = p_account AND phone = p_phone
     AND superseded_at IS NULL AND suppressed
   ORDER BY CASE kind WHEN 'blocked' THEN 1 WHEN 'opted_out' THEN 2
       ELSE 3 END
   LIMIT 1 $$;

-- A suppression's kind in words, for a message's error.
CREATE FUNCTION wa.suppression_words(kind text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS
$$ SELECT CASE kind WHEN 'opted_out' THEN 'the recipient opted out'
	WHEN 'blocked' THEN 'the recipient is blocked'
	WHEN 'stopped_marketing' THEN 'the recipient stopped marketing '
	    'messages (Meta 131050)'
	ELSE 'the recipient is suppressed' END $$;

-- Contacts write their opt-outs and blocks into the ledger, as they
-- change (and when created so).
CREATE FUNCTION wa.contacts_ledger() RETURNS trigger
LANGUAGE plpgsql AS
$$
BEGIN
	IF TG_OP = 'INSERT' THEN
		PERFORM wa.suppress(n.account_id, n.phone, 'opted_out', true,
		    'contact', 'created opted out')
		FROM new_rows n WHERE NOT n.is_opted_in;
		PERFORM wa.suppress(n.account_id, n.phone, 'blocked', true,
		    'contact', 'created blocked')
		FROM new_rows n WHERE n.is_blocked;
		RETURN NULL;
	END IF;
	PERFORM wa.suppress(n.account_id, n.phone, 'opted_out',
	    NOT n.is_opted_in, 'contact', CASE WHEN n.is_opted_in
	    THEN 'opted in' ELSE 'opted out' END)
	FROM new_rows n JOIN old_rows o ON o.id = n.id
	WHERE n.is_opted_in IS DISTINCT FROM o.is_opted_in;
	PERFORM wa.suppress(n.account_id, n.phone, 'blocked', n.is_blocked,
	    'contact', CASE WHEN n.is_blocked THEN 'blocked'
	    ELSE 'unblocked' END)
	FROM new_rows n JOIN old_rows o ON o.id = n.id
	WHERE n.is_blocked IS DISTINCT FROM o.is_blocked;
	RETURN NULL;
END
$$;
CREATE TRIGGER contacts_ledger_insert AFTER INSERT ON wa.contacts
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION wa.contacts_ledger();
CREATE TRIGGER contacts_ledger_update AFTER UPDATE ON wa.contacts
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION wa.contacts_ledger();

-- what the contacts already say
INSERT INTO wa.suppressions (org_id, account_id, phone, kind, suppressed,
    source, note, created_at)
SELECT org_id, account_id, phone, 'opted_out', true, 'contact',
    'opted out before the ledger', coalesce(opt_out_date, now())
FROM wa.contacts WHERE NOT is_opted_in;
INSERT INTO wa.suppressions (org_id, account_id, phone, kind, suppressed,
    source, note)
SELECT org_id, account_id, phone, 'blocked', true, 'contact',
    'blocked before the ledger'
FROM wa.contacts WHERE is_blocked;

CREATE TRIGGER message_statuses_apply AFTER INSERT ON wa.message_statuses
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION wa.message_statuses_apply();

-- ---- paused accounts -----------------------------------------------------

-- Lifts the pause of an account's lane: its queue is due again and the
-- workers hear of it.  true if it was paused.
CREATE FUNCTION wa.send_lane_resume(p_account uuid) RETURNS boolean
LANGUAGE plpgsql AS
$$
BEGIN
	UPDATE wa.send_lanes SET paused_at = NULL, paused_reason = NULL,
	    paused_code = NULL, gen = gen + 1, updated_at = now(),
	    due_at = (SELECT min(next_attempt_at) FROM wa.messages
		WHERE account_id = p_account AND status = 'queued')
	WHERE account_id = p_account AND paused_at IS NOT NULL;
	IF NOT FOUND THEN
		RETURN false;
	END IF;
	PERFORM pg_notify('wa_send', '');
	RETURN true;
END
$$;

-- A new token or number for the account is what a pause waits for.
CREATE FUNCTION wa.wa_accounts_resume() RETURNS trigger
LANGUAGE plpgsql AS
$$
BEGIN
	PERFORM wa.send_lane_resume(NEW.id);
	RETURN NULL;
END
$$;
CREATE TRIGGER wa_accounts_resume AFTER UPDATE ON wa.wa_accounts
    FOR EACH ROW WHEN (OLD.access_token_enc IS DISTINCT FROM
	NEW.access_token_enc OR OLD.phone_number_id IS DISTINCT FROM
	NEW.phone_number_id)
    EXECUTE FUNCTION wa.wa_accounts_resume();

-- ---- templates in a message --------------------------------------------

-- The highest {{n}} of a text whose placeholders are exactly 1..n
-- (0 without any); -1 for a gap.
CREATE FUNCTION wa.placeholders(t text) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT CASE WHEN max(n) IS NULL THEN 0
	WHEN count(DISTINCT n) = max(n) THEN max(n) ELSE -1 END
   FROM (SELECT m[1]::integer AS n
	 FROM regexp_matches(coalesce(t, ''), '\{\{\s*([0-9]{1,3})\s*\}\}', 'g')
	     AS m) x $$;

-- The body placeholders of a template's components (wagate's copy).
CREATE FUNCTION wa.template_body_params(components jsonb) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT coalesce(max(wa.placeholders(c ->> 'text')), 0)
   FROM jsonb_array_elements(CASE jsonb_typeof(components)
	WHEN 'array' THEN components ELSE '[]' END) c
   WHERE upper(c ->> 'type') = 'BODY' $$;

-- What is wrong with filling n body placeholders from a recipient's
-- variables ({"1": "Ann", ...}), or NULL.  Without variables, the base
-- components' body parameters fill them.
CREATE FUNCTION wa.template_vars_problem(vars jsonb, base jsonb, n integer)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT CASE
	WHEN n < 0 THEN 'the template''s body placeholders are not '
	    'numbered 1..n'
	WHEN coalesce(vars, '{}') = '{}' THEN
	    CASE WHEN coalesce((SELECT jsonb_array_length(c -> 'parameters')
		FROM jsonb_array_elements(base) c
		WHERE lower(c ->> 'type') = 'body' LIMIT 1), 0) = n THEN NULL
	    ELSE format('the template has %s body parameter%s; no variables '
		'fill %s', n, CASE WHEN n = 1 THEN '' ELSE 's' END,
		CASE WHEN n = 1 THEN 'it' ELSE 'them' END) END
	WHEN (SELECT count(*) FROM jsonb_object_keys(vars)) <> n
	    OR NOT vars ?& ARRAY(SELECT i::text FROM generate_series(1, n) i)
	THEN format('the template has %s body parameter%s ({{1}}..{{%s}}); '
	    'variables give %s', n, CASE WHEN n = 1 THEN '' ELSE 's' END, n,
	    coalesce((SELECT string_agg(format('"%s"', k), ', ' ORDER BY k)
		FROM jsonb_object_keys(vars) k), 'none'))
	ELSE NULL END $$;

-- The body parameters a stored template message carries.
CREATE FUNCTION wa.message_body_params(body jsonb) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT coalesce((SELECT jsonb_array_length(c -> 'parameters')
	FROM jsonb_array_elements(CASE jsonb_typeof(body -> 'components')
	    WHEN 'array' THEN body -> 'components' ELSE '[]' END) c
	WHERE lower(c ->> 'type') = 'body'
	  AND jsonb_typeof(c -> 'parameters') = 'array' LIMIT 1), 0) $$;

-- Meta's template object for one recipient: the base components, with a
-- body component whose parameters are the recipient's variables when it
-- has any.
CREATE FUNCTION wa.template_object(name text, lang text, base jsonb,
    vars jsonb, n integer) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT jsonb_build_object('name', name, 'language',
	jsonb_build_object('code', lang), 'components',
	CASE WHEN coalesce(vars, '{}') = '{}' OR n <= 0 THEN base
	ELSE coalesce((SELECT jsonb_agg(c) FROM jsonb_array_elements(base) c
	    WHERE lower(c ->> 'type') <> 'body'), '[]') ||
	    jsonb_build_array(jsonb_build_object('type', 'body',
	    'parameters', (SELECT jsonb_agg(jsonb_build_object('type', 'text',
		'text', vars ->> i::text) ORDER BY i)
		FROM generate_series(1, n) i))) END) $$;

RESET ROLE;

-- ---- the sending worker's cross-tenant steps ----------------------------

-- Lanes for a worker: those due, not paused, whose lease is free,
-- expired or the worker's own; leased to it for p_lease_s seconds.
CREATE FUNCTION wa.send_lanes_claim(p_owner text, p_lease_s integer,
    p_max integer)
RETURNS TABLE (org_id uuid, account_id uuid, gen bigint)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
	-- the locking subquery runs once (MATERIALIZED): planned as the
	-- inner side of a nested loop it would run again per outer row,
	-- each run locking the next rows past its LIMIT
	RETURN QUERY
	WITH x AS MATERIALIZED (
		SELECT y.account_id FROM wa.send_lanes y
		WHERE y.due_at <= now() AND y.paused_at IS NULL
		  AND (y.lease_until IS NULL OR y.lease_until < now() OR
		       y.owner = p_owner)
		ORDER BY y.due_at
		LIMIT p_max
		FOR UPDATE SKIP LOCKED)
	UPDATE wa.send_lanes l SET owner = p_owner,
	    lease_until = now() + make_interval(secs => p_lease_s)
	FROM x WHERE l.account_id = x.account_id
	RETURNING l.org_id, l.account_id, l.gen;
END
$$;

-- Messages held by a worker that is gone (their lease ran out): their
-- outcome is unknown (the request may have reached Meta); a status
-- webhook will still resolve them.  Returns how many.
CREATE FUNCTION wa.send_recover() RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
	n bigint;
BEGIN
	WITH x AS MATERIALIZED (SELECT id FROM wa.messages
	    WHERE status = 'sending' AND lease_until < now()
	    ORDER BY lease_until LIMIT 10000 FOR UPDATE SKIP LOCKED)
	UPDATE wa.messages m SET status = 'unknown', lease_until = NULL,
	    error_code = 'outcome_unknown',
	    error = 'the worker sending it stopped before Meta answered; '
		'its status webhook will resolve it if Meta has it',
	    updated_at = now()
	FROM x WHERE m.id = x.id;
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN n;
END
$$;

-- Broadcasts for the worker to start (scheduled and due: they start
-- here, once) or to go on putting in the queue (sending, recipients
-- left), locked for the caller's transaction.
CREATE FUNCTION wa.broadcasts_due(p_max integer)
RETURNS TABLE (org_id uuid, broadcast_id uuid)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
	RETURN QUERY
	SELECT b.org_id, b.id FROM wa.broadcasts b
	WHERE (b.status = 'scheduled' AND b.scheduled_at <= now())
	   OR (b.status = 'sending' AND b.enqueued_count < b.recipient_count)
	ORDER BY coalesce(b.scheduled_at, b.started_at)
	LIMIT p_max
	FOR UPDATE SKIP LOCKED;
END
$$;
DO $$
DECLARE
	f text;
BEGIN
	FOREACH f IN ARRAY ARRAY['wa.send_lanes_claim(text, integer, integer)',
	    'wa.send_recover()', 'wa.broadcasts_due(integer)'] LOOP
		EXECUTE format('ALTER FUNCTION %s OWNER TO wa_definer', f);
		EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f);
		EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO wa_app, '
		    'wa_admin', f);
	END LOOP;
END
$$;
