-- Throughput of the conversation path (issue 13's benchmark: 200
-- conversations a second answered by a bot).
--
-- 1. The webhook worker applies stored events in batches (docs/webhooks.md,
-- "The worker"): up to a few dozen pending events claimed in one
-- transaction, applied, and marked done together, instead of one
-- transaction (and one commit) per event.  A batch that fails is rolled
-- back whole and its events are taken again one at a time, each with its
-- own retry (wa.webhook_retry), as before.

-- (the worker of one event at a time used these)
DROP FUNCTION wa.webhook_claim();
DROP FUNCTION wa.webhook_done(bigint, text);

-- The oldest pending events that are due, at most p_limit, locked for
-- the caller's transaction (SKIP LOCKED: workers never wait for each
-- other).
CREATE FUNCTION wa.webhook_claim(p_limit integer)
RETURNS TABLE (event_id bigint, body bytea, attempts integer)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
	RETURN QUERY
	SELECT e.id, e.body, e.attempts FROM wa.webhook_events e
	WHERE e.state = 'pending' AND e.next_attempt_at <= now()
	ORDER BY e.next_attempt_at, e.id
	LIMIT greatest(least(p_limit, 100), 1)
	FOR UPDATE SKIP LOCKED;
END
$$;

-- Events applied: p_done is [{"id": event id, "note": why (part of) it
-- was set aside, or null}, ...].
CREATE FUNCTION wa.webhook_done_batch(p_done jsonb)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
	UPDATE wa.webhook_events e SET state = 'done', processed_at = now(),
	    attempts = e.attempts + 1, error = left(d.note, 512)
	FROM jsonb_to_recordset(p_done) AS d (id bigint, note text)
	WHERE e.id = d.id;
END
$$;

-- 2. Queuing a message no longer writes its lane's row every time
-- (docs/sending.md, "Lanes").  Before, every insert bumped the lane's
-- gen, so the bot workers (and every other writer of one account's
-- queue) took turns on that one row until each of their transactions
-- committed.  Now an insert takes a KEY SHARE lock on the lane (shared
-- by all inserters) and writes the row only when the lane is not due
-- yet (a new lane, one released, or one due later), which is also when
-- the workers are woken.  A worker releases a lane under FOR UPDATE,
-- which waits for the inserters still holding their lock, and only then
-- reads the queue (a new snapshot): a message committed by then is seen
-- and keeps the lane; one queued after it finds the lane released and
-- makes it due.  Claims lock FOR NO KEY UPDATE, which inserters do not
-- block.
SET ROLE wa_owner;

CREATE OR REPLACE FUNCTION wa.messages_after_insert() RETURNS trigger
LANGUAGE plpgsql AS
$$
DECLARE
	touched	uuid[];
	q	record;
	v_due	timestamptz;
	v_wake	boolean := false;
BEGIN
	FOR q IN SELECT account_id, org_id, min(next_attempt_at) AS due
	    FROM new_rows WHERE status = 'queued'
	    GROUP BY account_id, org_id ORDER BY account_id LOOP
		SELECT l.due_at INTO v_due FROM wa.send_lanes l
		WHERE l.account_id = q.account_id FOR KEY SHARE;
		IF NOT FOUND THEN
			INSERT INTO wa.send_lanes AS l (account_id, org_id,
			    due_at, gen)
			VALUES (q.account_id, q.org_id, q.due, 1)
			ON CONFLICT (account_id) DO UPDATE
			SET due_at = least(l.due_at, excluded.due_at),
			    gen = l.gen + 1, updated_at = now();
			v_wake := true;
		ELSIF v_due IS NULL OR v_due > q.due THEN
			UPDATE wa.send_lanes l SET due_at = least(l.due_at,
			    q.due), gen = l.gen + 1, updated_at = now()
			WHERE l.account_id = q.account_id;
			v_wake := true;
		END IF;
	END LOOP;
	IF v_wake THEN
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

-- Lifts the pause of an account's lane; the queue is read after the
-- lane is locked (see above).  true if it was paused.
CREATE OR REPLACE FUNCTION wa.send_lane_resume(p_account uuid)
RETURNS boolean
LANGUAGE plpgsql AS
$$
BEGIN
	PERFORM 1 FROM wa.send_lanes WHERE account_id = p_account
	    AND paused_at IS NOT NULL FOR UPDATE;
	IF NOT FOUND THEN
		RETURN false;
	END IF;
	UPDATE wa.send_lanes SET paused_at = NULL, paused_reason = NULL,
	    paused_code = NULL, gen = gen + 1, updated_at = now(),
	    due_at = (SELECT min(next_attempt_at) FROM wa.messages
		WHERE account_id = p_account AND status = 'queued')
	WHERE account_id = p_account;
	PERFORM pg_notify('wa_send', '');
	RETURN true;
END
$$;

-- 3. A customer's first message: its contact is looked up before the
-- update, which, finding nothing, would still run the contacts'
-- statement triggers (a third of the cost of a first contact).
CREATE OR REPLACE FUNCTION wa.inbound_contact(m wa.inbound_messages, p_phone text,
    p_at timestamptz) RETURNS uuid
LANGUAGE plpgsql AS
$$
DECLARE
	cid	uuid;
BEGIN
	-- looked up first: an UPDATE that finds nothing still runs the
	-- contacts' statement triggers
	SELECT k.id INTO cid FROM wa.contacts k
	WHERE k.account_id = m.account_id AND k.phone = p_phone;
	IF FOUND THEN
		UPDATE wa.contacts k SET wa_id = m.from_wa_id,
		    last_message_received_at = greatest(
			k.last_message_received_at, p_at),
		    messages_received_count = k.messages_received_count + 1,
		    updated_at = now()
		WHERE k.id = cid
		RETURNING k.id INTO cid;
		IF FOUND THEN
			RETURN cid;	-- else deleted meanwhile: made again
		END IF;
	END IF;
	PERFORM pg_advisory_xact_lock(2002871156, hashtext(m.account_id::text));
	INSERT INTO wa.contacts AS c (org_id, account_id, phone, wa_id, name,
	    last_message_received_at, messages_received_count)
	SELECT m.org_id, m.account_id, p_phone, m.from_wa_id,
	    left(coalesce(nullif(btrim(m.contact_name), ''), p_phone), 255),
	    p_at, 1
	WHERE coalesce((SELECT l.total FROM wa.contact_labels l
		WHERE l.org_id = m.org_id AND l.account_id = m.account_id
		AND l.kind = 'all' AND l.label = ''), 0)
	    < (SELECT o.max_contacts FROM wa.organizations o
		WHERE o.id = m.org_id)
	ON CONFLICT (account_id, phone, org_id) DO UPDATE SET
	    wa_id = excluded.wa_id,
	    last_message_received_at = greatest(c.last_message_received_at,
		excluded.last_message_received_at),
	    messages_received_count = c.messages_received_count + 1,
	    updated_at = now()
	RETURNING c.id INTO cid;
	RETURN cid;
END
$$;

RESET ROLE;

CREATE OR REPLACE FUNCTION wa.send_lanes_claim(p_owner text,
    p_lease_s integer, p_max integer)
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
		FOR NO KEY UPDATE SKIP LOCKED)
	UPDATE wa.send_lanes l SET owner = p_owner,
	    lease_until = now() + make_interval(secs => p_lease_s)
	FROM x WHERE l.account_id = x.account_id
	RETURNING l.org_id, l.account_id, l.gen;
END
$$;

DO $$
DECLARE
	f text;
BEGIN
	FOREACH f IN ARRAY ARRAY['wa.webhook_claim(integer)',
	    'wa.webhook_done_batch(jsonb)'] LOOP
		EXECUTE format('ALTER FUNCTION %s OWNER TO wa_definer', f);
		EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f);
		EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO wa_app, '
		    'wa_admin', f);
	END LOOP;
END
$$;
