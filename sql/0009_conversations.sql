-- Conversations (docs/conversations.md) and live bots: the thread of one contact with
-- one WhatsApp number (channel 'whatsapp'), or of one web-chat visitor
-- with a widget (channel 'web_chat', the web chat issue).  A
-- conversation is a row that follows its messages; the messages stay
-- where they are (wa.inbound_messages, what customers sent; wa.messages,
-- the outbound queue), found by the conversation's account and peer.
--
-- Inbound messages make the contact (first contact) or update it, open
-- or reopen the conversation, move its 24-hour customer service window,
-- and apply the opt-out keywords; all of it in a trigger of the row the
-- webhook worker inserts, so a redelivered message (the row already
-- there, ON CONFLICT DO NOTHING) changes nothing a second time.
-- Outbound messages of every path (bulk, broadcast, bot, agent) make or
-- update their conversation in a statement-level trigger.

SET ROLE wa_owner;

-- wagate's own answer to an opt-out keyword is sent even though the
-- ledger now suppresses the phone: origin 'system'.
ALTER TABLE wa.messages DROP CONSTRAINT messages_origin_check,
    ADD CONSTRAINT messages_origin_check CHECK (origin IN ('bulk',
    'broadcast', 'bot', 'agent', 'system'));
-- Bots and agents send media by link or Meta's media id (the object of
-- its type, as Meta takes it).
ALTER TABLE wa.messages DROP CONSTRAINT messages_type_check,
    ADD CONSTRAINT messages_type_check CHECK (type IN ('template', 'text',
    'image', 'video', 'audio', 'document'));
-- Opt-outs by message: source 'keyword'.
ALTER TABLE wa.suppressions DROP CONSTRAINT suppressions_source_check,
    ADD CONSTRAINT suppressions_source_check CHECK (source IN ('contact',
    'meta', 'admin', 'keyword'));

-- The account's own opt-out and opt-in keywords, besides STOP,
-- UNSUBSCRIBE, BAJA, CANCELAR and START, ALTA (upper case, as compared).
ALTER TABLE wa.wa_accounts
    ADD COLUMN opt_out_keywords text[] NOT NULL DEFAULT '{}'
	CHECK (cardinality(opt_out_keywords) <= 20),
    ADD COLUMN opt_in_keywords text[] NOT NULL DEFAULT '{}'
	CHECK (cardinality(opt_in_keywords) <= 20);

CREATE TABLE wa.conversations (
	id		uuid PRIMARY KEY DEFAULT wa.uuid7(),
	org_id		uuid NOT NULL,
	channel		text NOT NULL DEFAULT 'whatsapp'
			    CHECK (channel IN ('whatsapp', 'web_chat')),
	-- whatsapp: the number (account) and the contact's E.164 phone
	account_id	uuid,
	peer		text COLLATE "C" NOT NULL
			    CHECK (length(peer) BETWEEN 1 AND 128),
	contact_id	uuid,
	-- the name the customer gave (Meta's profile name)
	name		text,
	status		text NOT NULL DEFAULT 'open'
			    CHECK (status IN ('open', 'pending', 'closed')),
	-- who answers: nobody yet, a bot session, an agent (a handoff or an
	-- agent's reply)
	handler		text NOT NULL DEFAULT 'none'
			    CHECK (handler IN ('none', 'bot', 'agent')),
	assignee_id	text CHECK (length(assignee_id) BETWEEN 1 AND 128),
	team		text CHECK (length(team) BETWEEN 1 AND 100),
	department	text CHECK (length(department) BETWEEN 1 AND 100),
	unread_count	integer NOT NULL DEFAULT 0,
	last_message_at	timestamptz NOT NULL DEFAULT now(),
	last_direction	text CHECK (last_direction IN ('inbound',
			    'outbound')),
	last_preview	text,
	-- the customer service window is 24 hours from here
	last_inbound_at	timestamptz,
	last_inbound_wamid text,
	created_at	timestamptz NOT NULL DEFAULT now(),
	updated_at	timestamptz NOT NULL DEFAULT now(),
	UNIQUE (org_id, id),
	CHECK (channel <> 'whatsapp' OR account_id IS NOT NULL),
	FOREIGN KEY (org_id, account_id) REFERENCES wa.wa_accounts (org_id, id)
);
CREATE UNIQUE INDEX conversations_peer ON wa.conversations
    (account_id, peer) WHERE channel = 'whatsapp';
-- the agents' list: newest activity first
CREATE INDEX conversations_activity ON wa.conversations
    (org_id, last_message_at DESC, id DESC);
CREATE INDEX conversations_status ON wa.conversations
    (org_id, status, last_message_at DESC, id DESC);
-- an agent's own conversations
CREATE INDEX conversations_assignee ON wa.conversations
    (org_id, assignee_id, status, last_message_at DESC, id DESC)
    WHERE assignee_id IS NOT NULL;
-- A page of the list reads a few dozen rows down an index.  The generic
-- plan (wa_app's plan_cache_mode) cannot know the page's LIMIT and
-- plans a parallel scan, whose workers take longer to start (30 ms)
-- than the page takes to read (1 ms).
ALTER TABLE wa.conversations SET (parallel_workers = 0);
CALL wa.tenant_table('wa.conversations');

-- A conversation's messages, newest first, by its account and peer.
CREATE INDEX inbound_messages_peer ON wa.inbound_messages
    (org_id, account_id, from_wa_id, received_at, id);
CREATE INDEX messages_peer ON wa.messages
    (org_id, account_id, to_phone, created_at, id);
DROP INDEX wa.messages_to;

-- Bots that run live (docs/flows.md, "Live"): a session is one run of a
-- published flow version in one conversation, pinned to the version it
-- started on; the jobs are what the bot worker (`bot_flows --worker`)
-- has to do: a customer's message for the bot, or a session to resume
-- when its delay is over or its question has waited long enough.  A job
-- is claimed across tenants by a definer function (the pattern of
-- wa.webhook_claim), one conversation at a time and in the order its
-- jobs came; everything else is tenant rows under row-level security.

CREATE TABLE wa.bot_sessions (
	id		uuid PRIMARY KEY DEFAULT wa.uuid7(),
	org_id		uuid NOT NULL,
	conversation_id	uuid NOT NULL,
	flow_id		uuid NOT NULL,
	version		integer NOT NULL,
	-- waiting: at a question; delayed: in a delay; the rest are ended
	status		text NOT NULL CHECK (status IN ('waiting', 'delayed',
			    'completed', 'handoff', 'error', 'expired',
			    'stopped')),
	-- where it goes on: the step's index in its version, and its id
	step		integer,
	step_id		text,
	attempt		integer NOT NULL DEFAULT 0,
	jumps		jsonb NOT NULL DEFAULT '{}',
	vars		jsonb NOT NULL DEFAULT '{}',
	-- delayed: when the delay is over; waiting: when the question
	-- times out (NULL: it has no timeout)
	resume_at	timestamptz,
	-- waiting or delayed too long: ended as expired
	expires_at	timestamptz,
	runs		integer NOT NULL DEFAULT 0,
	steps_run	integer NOT NULL DEFAULT 0,
	error		text,
	created_at	timestamptz NOT NULL DEFAULT now(),
	updated_at	timestamptz NOT NULL DEFAULT now(),
	ended_at	timestamptz,
	UNIQUE (org_id, id),
	FOREIGN KEY (org_id, conversation_id)
	    REFERENCES wa.conversations (org_id, id),
	FOREIGN KEY (org_id, flow_id, version)
	    REFERENCES wa.bot_flow_versions (org_id, flow_id, version)
);
-- one live session per conversation
CREATE UNIQUE INDEX bot_sessions_live ON wa.bot_sessions (conversation_id)
    WHERE status IN ('waiting', 'delayed');
CREATE INDEX bot_sessions_conversation ON wa.bot_sessions
    (org_id, conversation_id, created_at);
CALL wa.tenant_table('wa.bot_sessions');

CREATE TABLE wa.bot_jobs (
	id		bigserial PRIMARY KEY,
	org_id		uuid NOT NULL,
	conversation_id	uuid NOT NULL,
	-- message: a customer's message (inbound_id) for the bot;
	-- resume: the session's delay or question timeout is due
	kind		text NOT NULL CHECK (kind IN ('message', 'resume')),
	inbound_id	uuid,
	session_id	uuid,
	due_at		timestamptz NOT NULL DEFAULT now(),
	attempts	integer NOT NULL DEFAULT 0,
	created_at	timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX bot_jobs_due ON wa.bot_jobs (due_at, id);
CREATE INDEX bot_jobs_conversation ON wa.bot_jobs (conversation_id, id);
CALL wa.tenant_table('wa.bot_jobs');
GRANT USAGE ON SEQUENCE wa.bot_jobs_id_seq TO wa_app, wa_admin;

-- The oldest due job of a conversation no other worker holds, locked for
-- the caller's transaction.  A conversation's jobs go one at a time and
-- in order: a job waits while an older due one of its conversation is
-- there (held by another worker or not).
CREATE FUNCTION wa.bot_job_claim()
RETURNS TABLE (job_id bigint, org_id uuid, conversation_id uuid,
    kind text, inbound_id uuid, session_id uuid, attempts integer)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
	RETURN QUERY
	SELECT j.id, j.org_id, j.conversation_id, j.kind, j.inbound_id,
	    j.session_id, j.attempts
	FROM wa.bot_jobs j
	WHERE j.due_at <= now()
	  AND NOT EXISTS (SELECT 1 FROM wa.bot_jobs k
		WHERE k.conversation_id = j.conversation_id
		  AND k.due_at <= now() AND k.id < j.id)
	ORDER BY j.due_at, j.id
	LIMIT 1
	FOR UPDATE OF j SKIP LOCKED;
END
$$;

-- A customer's message for the bot, unless agents answer the
-- conversation, or nothing could answer it (no live session and no
-- flow a message starts).
CREATE FUNCTION wa.bot_enqueue(p_org uuid, p_conv uuid, p_inbound uuid)
RETURNS void
LANGUAGE plpgsql AS
$$
BEGIN
	IF EXISTS (SELECT 1 FROM wa.conversations c WHERE c.id = p_conv
	    AND c.handler = 'agent') THEN
		RETURN;
	END IF;
	IF NOT EXISTS (SELECT 1 FROM wa.bot_sessions s
	    WHERE s.conversation_id = p_conv
	      AND s.status IN ('waiting', 'delayed'))
	   AND NOT EXISTS (SELECT 1 FROM wa.bot_flows f
	    WHERE f.org_id = p_org AND f.deleted_at IS NULL AND f.enabled
	      AND f.published_version IS NOT NULL
	      AND f.trigger_type IN ('KEYWORD', 'AUTO_REPLY')) THEN
		RETURN;
	END IF;
	INSERT INTO wa.bot_jobs (org_id, conversation_id, kind, inbound_id)
	VALUES (p_org, p_conv, 'message', p_inbound);
	PERFORM pg_notify('wa_bot', '');
END
$$;

-- Agents take a conversation over (an agent's reply, an assignee, a
-- handoff), or close it: a bot running in it stops.
CREATE FUNCTION wa.conversations_agent() RETURNS trigger
LANGUAGE plpgsql AS
$$
BEGIN
	UPDATE wa.bot_sessions SET status = 'stopped', ended_at = now(),
	    updated_at = now(), resume_at = NULL
	WHERE conversation_id = NEW.id AND status IN ('waiting', 'delayed');
	RETURN NULL;
END
$$;
CREATE TRIGGER conversations_agent AFTER UPDATE OF handler, status
    ON wa.conversations FOR EACH ROW
    WHEN ((NEW.handler = 'agent' AND OLD.handler <> 'agent') OR
	(NEW.status = 'closed' AND OLD.status <> 'closed'))
    EXECUTE FUNCTION wa.conversations_agent();

-- The words a KEYWORD flow's keywords are looked for in (with
-- "match": "contains"): upper case, punctuation as blanks, one blank
-- around each word.
CREATE FUNCTION wa.keyword_words(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT ' ' || btrim(regexp_replace(upper(left(t, 4096)),
	'[[:space:][:punct:]]+', ' ', 'g')) || ' ' $$;

-- A line of a message for the conversation list: Meta's message object
-- of its type (inbound), or the body wagate sends (outbound).
CREATE FUNCTION wa.message_preview(direction text, type text, m jsonb)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT left(coalesce(
	CASE WHEN direction = 'outbound' AND type = 'text' THEN m->>'body'
	    WHEN direction = 'outbound' AND type = 'template'
	    THEN 'Template: ' || (m->>'name') END,
	m->'text'->>'body', m->'button'->>'text',
	m->'interactive'->'button_reply'->>'title',
	m->'interactive'->'list_reply'->>'title',
	m->'reaction'->>'emoji', m->(type)->>'caption',
	m->'location'->>'name', '[' || type || ']'), 200) $$;

-- A keyword as compared: upper case, without blanks around it or
-- punctuation after it (" stop! " is STOP); NULL when nothing is left.
CREATE FUNCTION wa.keyword_norm(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT nullif(regexp_replace(upper(btrim(left(t, 128))),
	'[[:space:][:punct:]]+$', ''), '') $$;

-- The words of a customer's message that opt-out keywords are compared
-- with: its text, a button's or a reply's title.
CREATE FUNCTION wa.keyword_of(m jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT wa.keyword_norm(coalesce(m->'text'->>'body',
	m->'button'->>'text', m->'interactive'->'button_reply'->>'title')) $$;

-- 'out', 'in' or NULL: what the message asks of the ledger.  (PL/pgSQL:
-- its plan is kept for the session; a SQL function with a FROM clause
-- is parsed and planned again on every call, and this one is called for
-- every inbound message.)
CREATE FUNCTION wa.keyword_kind(account uuid, m jsonb) RETURNS text
LANGUAGE plpgsql STABLE AS
$$
DECLARE
	k	text := wa.keyword_of(m);
	v_kind	text;
BEGIN
	IF k IS NULL THEN
		RETURN NULL;
	END IF;
	SELECT CASE
	    WHEN k IN ('STOP', 'UNSUBSCRIBE', 'BAJA', 'CANCELAR')
		OR k = ANY (a.opt_out_keywords) THEN 'out'
	    WHEN k IN ('START', 'ALTA') OR k = ANY (a.opt_in_keywords)
		THEN 'in' END
	INTO v_kind FROM wa.wa_accounts a WHERE a.id = account;
	RETURN v_kind;
END
$$;

-- Why a phone may not be sent to (sql/0006_sending.sql), in PL/pgSQL
-- for the same reason: every message queued and claimed asks.
CREATE OR REPLACE FUNCTION wa.suppressed(p_account uuid, p_phone text)
RETURNS text
LANGUAGE plpgsql STABLE AS
$$
DECLARE
	v_kind	text;
BEGIN
	SELECT s.kind INTO v_kind FROM wa.suppressions s
	WHERE s.account_id = p_account AND s.phone = p_phone
	  AND s.superseded_at IS NULL AND s.suppressed
	ORDER BY CASE s.kind WHEN 'blocked' THEN 1 WHEN 'opted_out' THEN 2
	    ELSE 3 END
	LIMIT 1;
	RETURN v_kind;
END
$$;

-- The contact of an inbound message: updated, or made on first contact
-- (unless the account is at its quota of contacts: the conversation
-- then has no contact).  Inserts of one account are serialized by the
-- lock fcgi/contacts takes.
CREATE FUNCTION wa.inbound_contact(m wa.inbound_messages, p_phone text,
    p_at timestamptz) RETURNS uuid
LANGUAGE plpgsql AS
$$
DECLARE
	cid	uuid;
BEGIN
	UPDATE wa.contacts k SET wa_id = m.from_wa_id,
	    last_message_received_at = greatest(k.last_message_received_at,
		p_at),
	    messages_received_count = k.messages_received_count + 1,
	    updated_at = now()
	WHERE k.account_id = m.account_id AND k.phone = p_phone
	RETURNING k.id INTO cid;
	IF FOUND THEN
		RETURN cid;
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

-- An opt-out (kind 'out') or opt-in ('in') keyword: the ledger, the
-- contact, and one confirmation, when it changes something.
CREATE FUNCTION wa.inbound_keyword(m wa.inbound_messages, p_phone text,
    cid uuid, p_kind text) RETURNS void
LANGUAGE plpgsql AS
$$
DECLARE
	v_out	boolean := p_kind = 'out';
	v_word	text := wa.keyword_of(m.message);
	v_es	boolean := v_word IN ('BAJA', 'CANCELAR', 'ALTA');
BEGIN
	IF v_out = EXISTS (SELECT 1 FROM wa.suppressions s
	    WHERE s.account_id = m.account_id AND s.phone = p_phone
	      AND s.kind = 'opted_out' AND s.suppressed
	      AND s.superseded_at IS NULL) THEN
		RETURN;		-- already so: no second confirmation
	END IF;
	PERFORM wa.suppress(m.account_id, p_phone, 'opted_out', v_out,
	    'keyword', format('replied %s', v_word));
	UPDATE wa.contacts k SET is_opted_in = NOT v_out,
	    opt_out_date = CASE WHEN v_out THEN now() ELSE k.opt_out_date END,
	    opt_in_date = CASE WHEN v_out THEN k.opt_in_date ELSE now() END,
	    updated_at = now()
	WHERE k.id = cid;
	INSERT INTO wa.messages (org_id, account_id, origin, priority,
	    to_phone, contact_id, type, body)
	VALUES (m.org_id, m.account_id, 'system', 0, p_phone, cid, 'text',
	    jsonb_build_object('body', CASE
	    WHEN v_out AND v_es THEN 'Te has dado de baja y no recibirás '
		'más mensajes. Responde ALTA para volver a suscribirte.'
	    WHEN v_out THEN 'You have been unsubscribed and will receive '
		'no more messages. Reply START to subscribe again.'
	    WHEN v_es THEN 'Te has vuelto a suscribir. Responde BAJA para '
		'darte de baja.'
	    ELSE 'You are subscribed again. Reply STOP to unsubscribe.'
	    END));
END
$$;

-- An inbound message, once: its contact, its conversation (opened, or
-- reopened when closed; unread; the window from its time, never moved
-- back by a late webhook), then the keywords; any other message is for
-- the bot.
CREATE FUNCTION wa.inbound_after_insert() RETURNS trigger
LANGUAGE plpgsql AS
$$
DECLARE
	v_phone	text;
	v_at	timestamptz := least(coalesce(NEW.sent_at, NEW.received_at),
			    NEW.received_at);
	v_cid	uuid;
	v_conv	uuid;
	v_kind	text;
BEGIN
	IF NEW.from_wa_id IS NULL OR NEW.from_wa_id !~ '^[1-9][0-9]{6,14}$'
	THEN
		RETURN NULL;	-- no phone to hold a conversation with
	END IF;
	v_phone := '+' || NEW.from_wa_id;
	v_cid := wa.inbound_contact(NEW, v_phone, v_at);
	INSERT INTO wa.conversations AS c (org_id, channel, account_id, peer,
	    contact_id, name, unread_count, last_message_at, last_direction,
	    last_preview, last_inbound_at, last_inbound_wamid)
	VALUES (NEW.org_id, 'whatsapp', NEW.account_id, v_phone, v_cid,
	    left(NEW.contact_name, 255), 1, NEW.received_at, 'inbound',
	    wa.message_preview('inbound', NEW.type, NEW.message), v_at,
	    NEW.wamid)
	ON CONFLICT (account_id, peer) WHERE channel = 'whatsapp' DO UPDATE SET
	    contact_id = coalesce(excluded.contact_id, c.contact_id),
	    name = coalesce(excluded.name, c.name),
	    status = CASE WHEN c.status = 'closed' THEN 'open' ELSE c.status
		END,
	    unread_count = c.unread_count + 1,
	    last_message_at = greatest(c.last_message_at,
		excluded.last_message_at),
	    last_direction = CASE WHEN excluded.last_message_at >=
		c.last_message_at THEN 'inbound' ELSE c.last_direction END,
	    last_preview = CASE WHEN excluded.last_message_at >=
		c.last_message_at THEN excluded.last_preview
		ELSE c.last_preview END,
	    last_inbound_at = greatest(c.last_inbound_at, excluded.last_inbound_at),
	    last_inbound_wamid = CASE WHEN c.last_inbound_at IS NULL OR
		excluded.last_inbound_at >= c.last_inbound_at
		THEN excluded.last_inbound_wamid ELSE c.last_inbound_wamid END,
	    updated_at = now()
	RETURNING c.id INTO v_conv;
	v_kind := wa.keyword_kind(NEW.account_id, NEW.message);
	IF v_kind IS NOT NULL THEN
		PERFORM wa.inbound_keyword(NEW, v_phone, v_cid, v_kind);
	ELSE
		PERFORM wa.bot_enqueue(NEW.org_id, v_conv, NEW.id);
	END IF;
	RETURN NULL;
END
$$;
CREATE TRIGGER inbound_conversation AFTER INSERT ON wa.inbound_messages
    FOR EACH ROW EXECUTE FUNCTION wa.inbound_after_insert();

-- Outbound messages: their conversations, one upsert per statement
-- however many messages it queued.  A conversation a send starts is
-- closed: nobody has to answer it until the customer writes.
CREATE FUNCTION wa.messages_conversations() RETURNS trigger
LANGUAGE plpgsql AS
$$
BEGIN
	INSERT INTO wa.conversations AS c (org_id, channel, account_id, peer,
	    contact_id, status, last_message_at, last_direction, last_preview)
	SELECT DISTINCT ON (account_id, to_phone) org_id, 'whatsapp',
	    account_id, to_phone, contact_id, 'closed', created_at,
	    'outbound', wa.message_preview('outbound', type, body)
	FROM new_rows
	ORDER BY account_id, to_phone, created_at DESC, id DESC
	ON CONFLICT (account_id, peer) WHERE channel = 'whatsapp' DO UPDATE SET
	    contact_id = coalesce(c.contact_id, excluded.contact_id),
	    last_message_at = greatest(c.last_message_at,
		excluded.last_message_at),
	    last_direction = CASE WHEN excluded.last_message_at >=
		c.last_message_at THEN 'outbound' ELSE c.last_direction END,
	    last_preview = CASE WHEN excluded.last_message_at >=
		c.last_message_at THEN excluded.last_preview
		ELSE c.last_preview END,
	    updated_at = now();
	RETURN NULL;
END
$$;
CREATE TRIGGER messages_conversation AFTER INSERT ON wa.messages
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION wa.messages_conversations();

RESET ROLE;

-- The definer function claims jobs across tenants (as the superuser: a
-- function is given to wa_definer by a member of it).
GRANT SELECT, UPDATE ON wa.bot_jobs TO wa_definer;
ALTER FUNCTION wa.bot_job_claim() OWNER TO wa_definer;
REVOKE ALL ON FUNCTION wa.bot_job_claim() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION wa.bot_job_claim() TO wa_app;

-- What came before (as the superuser, whom row-level security does not
-- hide rows from): conversations for the inbound messages and the
-- messages already stored.
INSERT INTO wa.conversations AS c (org_id, channel, account_id, peer,
    name, unread_count, last_message_at, last_direction, last_inbound_at,
    last_inbound_wamid, last_preview)
SELECT DISTINCT ON (account_id, from_wa_id) org_id, 'whatsapp', account_id,
    '+' || from_wa_id, left(contact_name, 255), 0, received_at, 'inbound',
    least(coalesce(sent_at, received_at), received_at), wamid,
    wa.message_preview('inbound', type, message)
FROM wa.inbound_messages WHERE from_wa_id ~ '^[1-9][0-9]{6,14}$'
ORDER BY account_id, from_wa_id, received_at DESC
ON CONFLICT DO NOTHING;
INSERT INTO wa.conversations AS c (org_id, channel, account_id, peer,
    status, last_message_at, last_direction, last_preview)
SELECT DISTINCT ON (account_id, to_phone) org_id, 'whatsapp', account_id,
    to_phone, 'closed', created_at, 'outbound',
    wa.message_preview('outbound', type, body)
FROM wa.messages ORDER BY account_id, to_phone, created_at DESC
ON CONFLICT DO NOTHING;
UPDATE wa.conversations c SET contact_id = k.id
FROM wa.contacts k WHERE k.account_id = c.account_id AND k.phone = c.peer
    AND c.contact_id IS NULL;
