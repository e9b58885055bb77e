-- Live delivery of web chat messages (docs/web-chat.md, "Live
-- delivery"): every message of a web chat conversation is owed to the
-- widgets that have it open.  The web chat worker publishes it to
-- nginx's pub/sub (nchan), whose subscribers are those widgets; a row
-- here is a publication not yet made.  Best effort by design: a widget
-- that was not connected, or missed one, reads its history since its
-- last message when it (re)connects.

SET ROLE wa_owner;

CREATE TABLE wa.web_chat_live (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	org_id		uuid NOT NULL,
	message_id	uuid NOT NULL,
	created_at	timestamptz NOT NULL DEFAULT now(),
	FOREIGN KEY (org_id, message_id) REFERENCES wa.web_chat_messages
	    (org_id, id) ON DELETE CASCADE
);
CALL wa.tenant_table('wa.web_chat_live', 'INSERT');

CREATE FUNCTION wa.web_chat_live_enqueue() RETURNS trigger
LANGUAGE plpgsql AS
$$
BEGIN
	INSERT INTO wa.web_chat_live (org_id, message_id)
	VALUES (NEW.org_id, NEW.id);
	PERFORM pg_notify('wa_web_chat', '');
	RETURN NULL;
END
$$;
CREATE TRIGGER web_chat_messages_live AFTER INSERT
    ON wa.web_chat_messages FOR EACH ROW
    EXECUTE FUNCTION wa.web_chat_live_enqueue();

RESET ROLE;

-- The next publications, whatever their organization, oldest first:
-- taken (deleted) by the one worker that publishes them.  What waited
-- more than a minute is dropped unpublished: its widget has long since
-- read it from its history or gone.
GRANT SELECT, UPDATE, DELETE ON wa.web_chat_live TO wa_definer;
CREATE FUNCTION wa.web_chat_live_claim(p_max integer)
RETURNS TABLE (org_id uuid, message_id uuid)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
	RETURN QUERY
	WITH d AS (DELETE FROM wa.web_chat_live l
	    WHERE l.id IN (SELECT x.id FROM wa.web_chat_live x
		ORDER BY x.id LIMIT least(greatest(p_max, 1), 1000)
		FOR UPDATE SKIP LOCKED)
	    RETURNING l.org_id, l.message_id, l.created_at)
	SELECT d.org_id, d.message_id FROM d
	WHERE d.created_at > now() - interval '1 minute'
	ORDER BY d.org_id;
END
$$;
ALTER FUNCTION wa.web_chat_live_claim(integer) OWNER TO wa_definer;
REVOKE ALL ON FUNCTION wa.web_chat_live_claim(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION wa.web_chat_live_claim(integer) TO wa_app, wa_admin;
