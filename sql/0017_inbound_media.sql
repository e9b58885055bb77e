-- What customers send as media (images, videos, audio, documents,
-- stickers) is fetched from Meta into the media store by the webhooks
-- worker (docs/conversations.md, "Media"): Meta keeps an inbound medium
-- for 7 days, wagate as long as the organization keeps it.

SET ROLE wa_owner;

ALTER TABLE wa.inbound_messages
    ADD COLUMN media_id uuid,
    -- pending: to fetch (at media_next_at); stored; failed: gave up
    ADD COLUMN media_state text CHECK (media_state IN ('pending',
	'stored', 'failed')),
    ADD COLUMN media_attempts integer NOT NULL DEFAULT 0,
    ADD COLUMN media_next_at timestamptz,
    ADD COLUMN media_error text CHECK (length(media_error) <= 512),
    ADD FOREIGN KEY (org_id, media_id) REFERENCES wa.media (org_id, id)
	ON DELETE SET NULL (media_id);
CREATE INDEX inbound_messages_media ON wa.inbound_messages (media_next_at)
    WHERE media_state = 'pending';

-- An inbound medium is to be fetched as it arrives.
CREATE FUNCTION wa.inbound_media_mark() RETURNS trigger
LANGUAGE plpgsql AS
$$
BEGIN
	IF NEW.type IN ('image', 'video', 'audio', 'document', 'sticker')
	    AND NEW.message->NEW.type->>'id' ~ '^[A-Za-z0-9_-]{1,64}$' THEN
		NEW.media_state := 'pending';
		NEW.media_next_at := now();
	END IF;
	RETURN NEW;
END
$$;
CREATE TRIGGER inbound_media BEFORE INSERT ON wa.inbound_messages
    FOR EACH ROW EXECUTE FUNCTION wa.inbound_media_mark();

RESET ROLE;

-- The next medium to fetch, whatever its organization, leased for five
-- minutes (a worker that dies leaves it to the next).
GRANT SELECT, UPDATE ON wa.inbound_messages TO wa_definer;
CREATE FUNCTION wa.inbound_media_claim()
RETURNS TABLE (id uuid, org_id uuid, account_id uuid, media text,
    attempts integer)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
	RETURN QUERY
	UPDATE wa.inbound_messages i
	SET media_next_at = now() + interval '5 minutes'
	WHERE i.id = (SELECT x.id FROM wa.inbound_messages x
	    WHERE x.media_state = 'pending' AND x.media_next_at <= now()
	    ORDER BY x.media_next_at LIMIT 1 FOR UPDATE SKIP LOCKED)
	RETURNING i.id, i.org_id, i.account_id, i.message->i.type->>'id',
	    i.media_attempts;
END
$$;
ALTER FUNCTION wa.inbound_media_claim() OWNER TO wa_definer;
REVOKE ALL ON FUNCTION wa.inbound_media_claim() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION wa.inbound_media_claim() TO wa_app, wa_admin;
