-- Web chat visitors and their messages (docs/web-chat.md, "The widget's
-- API").  A visitor is one browser (or one host-site user) of one
-- channel; its thread with the business is a conversation of channel
-- 'web_chat' (peer: the visitor's id), whose messages are kept here and
-- move the conversation as WhatsApp's do (sql/0009_conversations.sql).
-- Deleting a channel deletes its visitors, conversations and messages.

SET ROLE wa_owner;

CREATE TABLE wa.web_chat_visitors (
	id		uuid PRIMARY KEY DEFAULT wa.uuid7(),
	org_id		uuid NOT NULL,
	channel_id	uuid NOT NULL,
	mode		text NOT NULL CHECK (mode IN ('anonymous', 'identified',
			    'host-identified')),
	-- host-identified: the host site's user id, or "email:" and the
	-- e-mail; one visitor per identity and channel
	identity	text CHECK (length(identity) BETWEEN 1 AND 300),
	user_id		text CHECK (length(user_id) BETWEEN 1 AND 255),
	email		text CHECK (length(email) <= 254),
	name		text CHECK (length(name) <= 255),
	prechat		jsonb NOT NULL DEFAULT '{}'
			    CHECK (jsonb_typeof(prechat) = 'object'),
	-- SHA-256 of the resume token the widget keeps (a reload, a new
	-- visitor token after an hour)
	resume_hash	bytea NOT NULL CHECK (length(resume_hash) = 32),
	-- what the widget last said of its visitor (POST presence): agents
	-- see it for two minutes, then "offline"
	presence	text NOT NULL DEFAULT 'active' CHECK (presence IN
			    ('active', 'away', 'typing')),
	presence_at	timestamptz,
	created_at	timestamptz NOT NULL DEFAULT now(),
	last_seen_at	timestamptz NOT NULL DEFAULT now(),
	UNIQUE (org_id, id),
	FOREIGN KEY (org_id, channel_id) REFERENCES wa.web_chat_channels
	    (org_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX web_chat_visitors_identity ON wa.web_chat_visitors
    (channel_id, identity) WHERE identity IS NOT NULL;
-- new visitors of a channel in the last minute (the abuse limit)
CREATE INDEX web_chat_visitors_new ON wa.web_chat_visitors
    (channel_id, created_at);
CALL wa.tenant_table('wa.web_chat_visitors');

-- A web chat conversation belongs to its channel.
ALTER TABLE wa.conversations ADD COLUMN channel_id uuid,
    ADD CONSTRAINT conversations_web_chat_channel
	CHECK ((channel = 'web_chat') = (channel_id IS NOT NULL)),
    ADD FOREIGN KEY (org_id, channel_id) REFERENCES wa.web_chat_channels
	(org_id, id) ON DELETE CASCADE;
CREATE UNIQUE INDEX conversations_web_chat ON wa.conversations
    (channel_id, peer) WHERE channel = 'web_chat';
-- a conversation deleted (with its channel) takes its bot sessions
ALTER TABLE wa.bot_sessions
    DROP CONSTRAINT bot_sessions_org_id_conversation_id_fkey,
    ADD FOREIGN KEY (org_id, conversation_id) REFERENCES wa.conversations
	(org_id, id) ON DELETE CASCADE;

CREATE TABLE wa.web_chat_messages (
	id		uuid PRIMARY KEY DEFAULT wa.uuid7(),
	org_id		uuid NOT NULL,
	conversation_id	uuid NOT NULL,
	direction	text NOT NULL CHECK (direction IN ('inbound',
			    'outbound')),
	sender		text NOT NULL CHECK (sender IN ('visitor', 'agent',
			    'bot', 'system')),
	type		text NOT NULL DEFAULT 'text' CHECK (type = 'text'),
	body		text NOT NULL CHECK (length(body) BETWEEN 1 AND 4096),
	reply_to	uuid,
	created_at	timestamptz NOT NULL DEFAULT now(),
	UNIQUE (org_id, id),
	FOREIGN KEY (org_id, conversation_id) REFERENCES wa.conversations
	    (org_id, id) ON DELETE CASCADE
);
-- a conversation's messages in order (ids are UUIDv7: time-ordered)
CREATE INDEX web_chat_messages_conv ON wa.web_chat_messages
    (conversation_id, id);
CALL wa.tenant_table('wa.web_chat_messages', 'SELECT, INSERT');

-- A message moves its conversation: an inbound one opens it (or
-- reopens it), counts unread and goes to the bot (a channel with
-- botEnabled; sql/0009's bot_enqueue: not while agents hold it); any
-- one is the last message.
CREATE FUNCTION wa.web_chat_messages_after_insert() RETURNS trigger
LANGUAGE plpgsql AS
$$
BEGIN
	UPDATE wa.conversations c SET
	    status = CASE WHEN NEW.direction = 'inbound' AND
		c.status = 'closed' THEN 'open' ELSE c.status END,
	    unread_count = c.unread_count +
		(NEW.direction = 'inbound')::integer,
	    last_message_at = NEW.created_at,
	    last_direction = NEW.direction,
	    last_preview = left(NEW.body, 200),
	    last_inbound_at = CASE WHEN NEW.direction = 'inbound'
		THEN NEW.created_at ELSE c.last_inbound_at END,
	    updated_at = now()
	WHERE c.id = NEW.conversation_id;
	-- the channel's bots answer the visitor as WhatsApp's customers
	IF NEW.direction = 'inbound' AND EXISTS (SELECT 1
	    FROM wa.conversations c JOIN wa.web_chat_channels h
	    ON h.id = c.channel_id WHERE c.id = NEW.conversation_id
	    AND h.bot_enabled) THEN
		PERFORM wa.bot_enqueue(NEW.org_id, NEW.conversation_id,
		    NEW.id);
	END IF;
	RETURN NULL;
END
$$;
CREATE TRIGGER web_chat_messages_conversation AFTER INSERT
    ON wa.web_chat_messages FOR EACH ROW
    EXECUTE FUNCTION wa.web_chat_messages_after_insert();

-- Whether a channel is within its operating hours now: no hours, or
-- hours not enabled, is always; else a slot of today's weekday in the
-- channel's time zone holds the time of day.
CREATE FUNCTION wa.web_chat_online(p_hours jsonb) RETURNS boolean
LANGUAGE sql STABLE AS
$$
	SELECT CASE WHEN p_hours IS NULL OR
	    NOT coalesce((p_hours->>'enabled')::boolean, true) THEN true
	ELSE EXISTS (
		SELECT 1 FROM jsonb_array_elements(p_hours->'schedule') s,
		    LATERAL (SELECT now() AT TIME ZONE (p_hours->>'timezone')
		    AS t) l
		WHERE s->>'day' = lower(to_char(l.t, 'Dy'))
		  AND to_char(l.t, 'HH24:MI') >= s->>'open'
		  AND to_char(l.t, 'HH24:MI') < s->>'close')
	END
$$;

RESET ROLE;

-- The channel of a public token, whatever its organization: what the
-- widget's routes need before they know the tenant.
GRANT SELECT ON wa.web_chat_channels TO wa_definer;
CREATE FUNCTION wa.web_chat_channel(p_token text)
RETURNS TABLE (org_id uuid, id uuid, enabled boolean,
    allowed_domains text[])
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
	SELECT c.org_id, c.id, c.enabled, c.allowed_domains
	FROM wa.web_chat_channels c WHERE c.token = p_token
$$;
ALTER FUNCTION wa.web_chat_channel(text) OWNER TO wa_definer;
REVOKE ALL ON FUNCTION wa.web_chat_channel(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION wa.web_chat_channel(text) TO wa_app, wa_admin;
