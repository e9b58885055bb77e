-- Web chat attachments and avatars (docs/web-chat.md, "Attachments"),
-- kept in the media store (sql/0014_media.sql, docs/media.md).

SET ROLE wa_owner;

-- who uploaded a medium, when a web chat visitor did: a visitor may
-- attach only what it uploaded itself
ALTER TABLE wa.media ADD COLUMN visitor_id uuid;

-- A message is a text, an attachment, or both.  Deleting a medium
-- leaves the message, without its attachment.
ALTER TABLE wa.web_chat_messages
    DROP CONSTRAINT web_chat_messages_type_check,
    DROP CONSTRAINT web_chat_messages_body_check,
    ALTER COLUMN body DROP NOT NULL,
    ADD COLUMN media_id uuid,
    ADD CONSTRAINT web_chat_messages_type_check CHECK (type IN ('text',
	'image', 'video', 'audio', 'document')),
    ADD CONSTRAINT web_chat_messages_body_check CHECK (body IS NULL OR
	length(body) BETWEEN 1 AND 4096),
    ADD CONSTRAINT web_chat_messages_content CHECK (body IS NOT NULL OR
	type <> 'text'),
    ADD FOREIGN KEY (org_id, media_id) REFERENCES wa.media (org_id, id)
	ON DELETE SET NULL (media_id);

-- A message's type for a medium's MIME type.
CREATE FUNCTION wa.media_kind(p_mime text) RETURNS text
LANGUAGE sql IMMUTABLE AS
$$
	SELECT CASE split_part(p_mime, '/', 1) WHEN 'image' THEN 'image'
	    WHEN 'video' THEN 'video' WHEN 'audio' THEN 'audio'
	    ELSE 'document' END
$$;

-- A channel's avatar: an image of the media store.
ALTER TABLE wa.web_chat_channels
    ADD COLUMN avatar_media_id uuid,
    ADD FOREIGN KEY (org_id, avatar_media_id) REFERENCES wa.media
	(org_id, id) ON DELETE SET NULL (avatar_media_id);

-- The conversation's preview of an attachment without text.
CREATE OR REPLACE FUNCTION wa.web_chat_messages_after_insert()
RETURNS trigger
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
	    last_preview = left(coalesce(NEW.body, '[' || NEW.type || ']'),
		200),
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

RESET ROLE;
