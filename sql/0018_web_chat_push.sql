-- Web Push for web chat visitors who left (docs/web-chat.md, "Web
-- Push"): the browsers' push subscriptions, and the pushes an agent's or
-- a bot's answer owes them, which the web chat worker encrypts (RFC
-- 8291), signs (VAPID, RFC 8292) and delivers.

SET ROLE wa_owner;

CREATE TABLE wa.web_chat_push_subs (
	id		uuid PRIMARY KEY DEFAULT wa.uuid7(),
	org_id		uuid NOT NULL,
	channel_id	uuid NOT NULL,
	visitor_id	uuid NOT NULL,
	endpoint	text NOT NULL CHECK (endpoint ~ '^https?://' AND
			    length(endpoint) <= 1024),
	p256dh		text NOT NULL CHECK (length(p256dh) = 87),
	auth		text NOT NULL CHECK (length(auth) = 22),
	created_at	timestamptz NOT NULL DEFAULT now(),
	last_ok_at	timestamptz,
	failures	integer NOT NULL DEFAULT 0,
	UNIQUE (visitor_id, endpoint),
	UNIQUE (org_id, id),
	FOREIGN KEY (org_id, visitor_id) REFERENCES wa.web_chat_visitors
	    (org_id, id) ON DELETE CASCADE,
	FOREIGN KEY (org_id, channel_id) REFERENCES wa.web_chat_channels
	    (org_id, id) ON DELETE CASCADE
);
CALL wa.tenant_table('wa.web_chat_push_subs');

-- One push owed: a message for a subscription.
CREATE TABLE wa.web_chat_pushes (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	org_id		uuid NOT NULL,
	sub_id		uuid NOT NULL,
	message_id	uuid NOT NULL,
	state		text NOT NULL DEFAULT 'pending' CHECK (state IN
			    ('pending', 'sent', 'failed')),
	attempts	integer NOT NULL DEFAULT 0,
	next_at		timestamptz NOT NULL DEFAULT now(),
	status		integer,
	error		text CHECK (length(error) <= 512),
	created_at	timestamptz NOT NULL DEFAULT now(),
	FOREIGN KEY (org_id, sub_id) REFERENCES wa.web_chat_push_subs
	    (org_id, id) ON DELETE CASCADE,
	FOREIGN KEY (org_id, message_id) REFERENCES wa.web_chat_messages
	    (org_id, id) ON DELETE CASCADE
);
CREATE INDEX web_chat_pushes_due ON wa.web_chat_pushes (next_at)
    WHERE state = 'pending';
CALL wa.tenant_table('wa.web_chat_pushes');

-- An answer to a visitor who is not there (no presence in the last two
-- minutes, or away) is pushed to each of its subscriptions.
CREATE FUNCTION wa.web_chat_push_enqueue() RETURNS trigger
LANGUAGE plpgsql AS
$$
BEGIN
	IF NEW.direction <> 'outbound' THEN
		RETURN NULL;
	END IF;
	INSERT INTO wa.web_chat_pushes (org_id, sub_id, message_id)
	SELECT s.org_id, s.id, NEW.id
	FROM wa.conversations c
	JOIN wa.web_chat_visitors v ON v.id::text = c.peer
	JOIN wa.web_chat_push_subs s ON s.visitor_id = v.id
	WHERE c.id = NEW.conversation_id AND c.channel = 'web_chat'
	  AND (v.presence = 'away' OR v.presence_at IS NULL OR
	       v.presence_at < now() - interval '2 minutes');
	IF FOUND THEN
		PERFORM pg_notify('wa_web_chat', '');
	END IF;
	RETURN NULL;
END
$$;
CREATE TRIGGER web_chat_messages_push AFTER INSERT
    ON wa.web_chat_messages FOR EACH ROW
    EXECUTE FUNCTION wa.web_chat_push_enqueue();

RESET ROLE;

-- The next push to deliver, whatever its organization, leased a minute.
GRANT SELECT, UPDATE ON wa.web_chat_pushes TO wa_definer;
CREATE FUNCTION wa.web_chat_push_claim()
RETURNS TABLE (id bigint, org_id uuid, attempts integer)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
	RETURN QUERY
	UPDATE wa.web_chat_pushes p SET next_at = now() + interval '1 minute'
	WHERE p.id = (SELECT x.id FROM wa.web_chat_pushes x
	    WHERE x.state = 'pending' AND x.next_at <= now()
	    ORDER BY x.next_at LIMIT 1 FOR UPDATE SKIP LOCKED)
	RETURNING p.id, p.org_id, p.attempts;
END
$$;
ALTER FUNCTION wa.web_chat_push_claim() OWNER TO wa_definer;
REVOKE ALL ON FUNCTION wa.web_chat_push_claim() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION wa.web_chat_push_claim() TO wa_app, wa_admin;
