-- The media store (docs/media.md, lib/media.h): what an organization
-- keeps (uploads, media fetched from Meta).  A row is one medium as its
-- organization sees it; its bytes are the object object_key, which is
-- content-addressed ("<org>/<2 hex>/<sha256>.<ext>") and shared by the
-- organization's rows with the same bytes and type.

SET ROLE wa_owner;

CREATE TABLE wa.media (
	id		uuid PRIMARY KEY DEFAULT wa.uuid7(),
	org_id		uuid NOT NULL REFERENCES wa.organizations (id)
			    ON DELETE CASCADE,
	sha256		text COLLATE "C" NOT NULL
			    CHECK (sha256 ~ '^[0-9a-f]{64}$'),
	bytes		bigint NOT NULL CHECK (bytes BETWEEN 0 AND 104857600),
	mime		text NOT NULL CHECK (length(mime) BETWEEN 1 AND 127),
	filename	text CHECK (length(filename) <= 255),
	object_key	text COLLATE "C" NOT NULL
			    CHECK (object_key ~ '^[0-9a-f-]{36}/[0-9a-f]{2}/[0-9a-f]{64}\.[a-z0-9]{1,5}$'),
	backend		text NOT NULL CHECK (backend IN ('file', 's3')),
	source		text NOT NULL CHECK (source IN ('upload', 'meta')),
	meta_media_id	text CHECK (length(meta_media_id) <= 64),
	width		integer CHECK (width > 0),
	height		integer CHECK (height > 0),
	created_at	timestamptz NOT NULL DEFAULT now(),
	UNIQUE (org_id, id)
);
CREATE INDEX media_org ON wa.media (org_id, created_at, id);
CREATE INDEX media_object ON wa.media (org_id, object_key);

CALL wa.tenant_table('wa.media');

-- An organization's media rows, at most (wa-admin org quota --media),
-- checked as the other quotas are (sql/0008_quotas.sql, 0011).
ALTER TABLE wa.organizations
    ADD COLUMN max_media integer NOT NULL DEFAULT 100000
	CHECK (max_media >= 0);
CREATE TRIGGER media_quota AFTER INSERT ON wa.media
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION wa.quota_rows('true', 'media');

RESET ROLE;
