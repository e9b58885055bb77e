-- Contacts and groups of a WhatsApp account (Late's /v1/whatsapp/contacts
-- and /v1/whatsapp/groups; docs/contacts.md).
--
-- Sized for a million contacts per account:
--   wa.contacts                  the contacts; sorted pages walk
--                                contacts_sort (index-only), search uses
--                                the trigram index contacts_search
--   wa.contact_labels            one row per tag, group and account
--                                ('all'): its live counts, kept by the
--                                triggers below in the same transaction,
--                                so `filters`, group summaries and totals
--                                never count rows
--   wa.contact_label_members     one row per (label, contact) in name
--                                order: a page of a tag or group is an
--                                index-only walk of its members
-- The application never writes the last two: the statement triggers on
-- wa.contacts do, from the transition tables, so every path that changes
-- a contact (API, wa-admin, a later family) keeps them exact.
--
-- Contacts are tied to their account by triggers that do what a foreign
-- key would, once per statement instead of once per row (a row-level
-- key's lookup per contact was a tenth of an import of 1000): inserts
-- lock the distinct accounts of their rows FOR KEY SHARE, and deleting an
-- account deletes its contacts.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- The families' statements are short, and planned generically
-- (0001_roles.sql): a generic plan's estimate can cross jit_above_cost
-- although the statement runs in a millisecond, and the JIT compile then
-- costs up to 600 ms on every execution (measured on the import of 1000
-- contacts).  No statement of an API request gains from JIT.
ALTER ROLE wa_app SET jit = off;

-- Under row-level security PostgreSQL uses an index for a condition only
-- if every function in it is LEAKPROOF, and LIKE (textlike) is not marked
-- so: a search through the built-in operator would read every row.  This
-- is LIKE itself (the same C function) declared leakproof, which it is
-- in fact: it fails only on a malformed pattern, which the caller wrote,
-- never because of a row's value.  Its trigram operator class reuses
-- pg_trgm's support functions under the LIKE strategy number (3).  The
-- searched column is lower-cased when written (contacts.search_key), so
-- a case-insensitive search is a plain byte-wise LIKE of a lower-cased
-- pattern, several times cheaper per row than ILIKE.
CREATE FUNCTION wa.textlike_lp(text, text) RETURNS boolean
LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF AS 'textlike';

CREATE OPERATOR wa.~~ (LEFTARG = text, RIGHTARG = text,
    FUNCTION = wa.textlike_lp, RESTRICT = likesel, JOIN = likejoinsel);

CREATE OPERATOR CLASS wa.trgm_like_ops FOR TYPE text USING gin AS
	OPERATOR 3 wa.~~ (text, text),
	FUNCTION 1 btint4cmp (int4, int4),
	FUNCTION 2 gin_extract_value_trgm (text, internal),
	FUNCTION 3 gin_extract_query_trgm (text, internal, int2, internal,
	    internal, internal, internal),
	FUNCTION 4 gin_trgm_consistent (internal, int2, text, int4, internal,
	    internal, internal, internal),
	FUNCTION 6 gin_trgm_triconsistent (internal, int2, text, int4,
	    internal, internal, internal),
	STORAGE int4;

-- A version 7 UUID (RFC 9562): 48 bits of Unix milliseconds, then
-- random bits.  Contact ids are made so, so that the primary key grows at
-- its right end instead of touching a random page for every new row (an
-- import of 1000 contacts writes a few pages of it, not a thousand).
CREATE FUNCTION wa.uuid7() RETURNS uuid
LANGUAGE sql VOLATILE PARALLEL SAFE AS
$$ SELECT encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
    PLACING substring(int8send((extract(epoch FROM clock_timestamp()) *
    1000)::bigint) FROM 3) FROM 1 FOR 6), 52, 1), 53, 1), 'hex')::uuid $$;

-- Search reads only the searching account's entries (docs/contacts.md,
-- "Search keys per account").  One trigram index serves every
-- organization; with the text as written, a search for a common surname
-- would check the rows of every account that has that surname, each on
-- its heap page, and one tenant's contacts would slow another's searches.
--
-- The searched text is therefore stored with the letters and digits of its
-- account's own alphabet: wa.search_key() maps a-z and 0-9 through a
-- rotation chosen by two bytes of the account id, the same for every
-- row of an account.  The mapping is a bijection of characters, so a
-- fragment is a substring of a text exactly when its mapped form is a
-- substring of the mapped text: a LIKE of the mapped pattern finds the
-- same rows.  But the trigrams of two accounts now differ ("gar" of one
-- is "pjb" of another), so the index's posting list for a trigram holds
-- mostly one account's rows and the search's candidates are its own.
-- Accounts that draw the same rotation (1 in 260) share entries again:
-- that costs candidates, checked on their rows as before, never a wrong
-- result.  Characters outside a-z and 0-9 are not mapped.
--
-- Not a secret: the mapping is a partition of the index, not encryption
-- (row-level security guards the rows).  A plain SQL expression of
-- built-in functions: inlined where it is used, no function call per row.
CREATE FUNCTION wa.search_key(account uuid, t text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS
$$ SELECT translate(t, 'abcdefghijklmnopqrstuvwxyz0123456789',
    substr('abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz',
	1 + get_byte(uuid_send(account), 15) % 26, 26) ||
    substr('01234567890123456789',
	1 + get_byte(uuid_send(account), 14) % 10, 10)) $$;

SET ROLE wa_owner;

CREATE TABLE wa.contacts (
	id		uuid PRIMARY KEY DEFAULT wa.uuid7(),
	org_id		uuid NOT NULL,
	account_id	uuid NOT NULL,
	-- (bytewise, like the sort keys below: a unique check of a phone
	-- needs no locale)
	phone		text COLLATE "C" NOT NULL
			    CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
	wa_id		text,
	name		text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
	email		text,
	company		text,
	notes		text,
	tags		text[] NOT NULL DEFAULT '{}',
	groups		text[] NOT NULL DEFAULT '{}',
	is_opted_in	boolean NOT NULL DEFAULT true,
	opt_in_date	timestamptz,
	opt_out_date	timestamptz,
	is_blocked	boolean NOT NULL DEFAULT false,
	last_message_sent_at	 timestamptz,
	last_message_received_at timestamptz,
	messages_sent_count	 integer NOT NULL DEFAULT 0,
	messages_received_count	 integer NOT NULL DEFAULT 0,
	custom_fields	jsonb NOT NULL DEFAULT '{}'
			    CHECK (jsonb_typeof(custom_fields) = 'object'),
	created_at	timestamptz NOT NULL DEFAULT now(),
	updated_at	timestamptz NOT NULL DEFAULT now(),
	-- the sort key of every list: case-insensitive, then id.  Compared
	-- bytewise, which for UTF-8 is code point order, the order of the
	-- database's C.UTF-8 locale, without calling strcoll() for every
	-- comparison of every index search
	sort_name	text COLLATE "C" GENERATED ALWAYS AS (lower(name)) STORED,
	-- what `search` looks in: lower-cased, the fields separated by a
	-- control character that a search term may not contain (a match
	-- never spans two fields), in the account's alphabet
	search_key	text GENERATED ALWAYS AS (wa.search_key(account_id,
			    lower(name || E'\x1f' || phone || E'\x1f' ||
			    coalesce(email, '') || E'\x1f' ||
			    coalesce(company, '')))) STORED,
	UNIQUE (account_id, phone, org_id)
)
-- room on each page for the new version of a row, so that a change of
-- unindexed columns (tags, groups, notes, blocking...) is a HOT update
-- that writes none of the indexes, the trigram index above all
WITH (fillfactor = 85);
-- Pages in name order; org_id and is_opted_in ride along so that the
-- walk (row-level security and the optedIn filter) never reads the heap.
-- No index of this table starts with org_id: the planner would otherwise
-- AND the search's trigram bitmap with a bitmap of the whole tenant
-- (docs/contacts.md, "Query plans").
CREATE INDEX contacts_sort ON wa.contacts (account_id, sort_name, id)
    INCLUDE (org_id, is_opted_in);
-- New entries of a GIN index go to a pending list first; the room for
-- those of several imports lets the contacts worker, not an import,
-- merge them into the index (wa.contacts_search_merge() below).
CREATE INDEX contacts_search ON wa.contacts USING gin
    (search_key wa.trgm_like_ops) WITH (gin_pending_list_limit = 16384);

-- Tags, groups and the account itself (kind 'all', label ''), each with
-- its live counts.  Rows stay when a count drops to 0 (their ids are
-- referenced); lists show only labels in use.
CREATE TABLE wa.contact_labels (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	org_id		uuid NOT NULL,
	account_id	uuid NOT NULL,
	kind		text COLLATE "C" NOT NULL
			    CHECK (kind IN ('all', 'tag', 'group')),
	label		text COLLATE "C" NOT NULL,
	total		bigint NOT NULL DEFAULT 0 CHECK (total >= 0),
	opted_in	bigint NOT NULL DEFAULT 0
			    CHECK (opted_in BETWEEN 0 AND total),
	UNIQUE (org_id, id),
	UNIQUE (org_id, account_id, kind, label),
	FOREIGN KEY (org_id, account_id) REFERENCES wa.wa_accounts (org_id, id)
	    ON DELETE CASCADE
);

-- (label, contact) pairs in the order of a page.  Derived rows, written
-- only by the triggers below, in the statement that changes the contact:
-- no foreign keys (a key to wa.contacts would need a second index of
-- this size for its cascade; one to wa.contact_labels costs a lookup per
-- pair, a third of an import).  Deleting a contact, or an account (whose
-- contacts go with it), deletes its pairs through the same trigger.
CREATE TABLE wa.contact_label_members (
	org_id		uuid NOT NULL,
	label_id	bigint NOT NULL,
	sort_name	text COLLATE "C" NOT NULL,
	contact_id	uuid NOT NULL,
	opted_in	boolean NOT NULL
);
-- org_id first: the tenant's policy is then a condition of the index
-- scan, checked once, not a filter evaluated on every row of a walk.
CREATE UNIQUE INDEX contact_label_members_walk ON wa.contact_label_members
    (org_id, label_id, sort_name, contact_id) INCLUDE (opted_in);

-- A change to one (label, contact) pair, as the triggers compute it:
-- +1 the pair appears, -1 it goes away.  label_id is filled in once the
-- label is known.
CREATE TYPE wa.contact_member AS (
	org_id		uuid,
	account_id	uuid,
	kind		text COLLATE "C",
	label		text COLLATE "C",
	label_id	bigint,
	sort_name	text COLLATE "C",
	contact_id	uuid,
	opted_in	boolean,
	change		integer
);

-- The pairs of contacts c, with the change ch: 'all' for each contact,
-- then its tags and groups.
CREATE FUNCTION wa.contact_pairs(c wa.contacts[], ch integer)
RETURNS SETOF wa.contact_member
LANGUAGE sql IMMUTABLE AS
$$
	SELECT x.org_id, x.account_id, k.kind, k.label, NULL::bigint,
	    x.sort_name, x.id, x.is_opted_in, ch
	FROM unnest(c) x
	CROSS JOIN LATERAL (
		SELECT 'all'::text, ''::text
		UNION ALL SELECT 'tag', t FROM unnest(x.tags) t
		UNION ALL SELECT 'group', g FROM unnest(x.groups) g
	) k (kind, label)
$$;

-- Brings members and counts from the contacts o (before) to n (after)
-- for updates and deletes (n NULL); inserts have their own, shorter path
-- (wa.contacts_after_insert()).
--
-- The pairs before (-1) and after (+1) are summed per pair: what is left
-- is exactly what changed, found by one aggregation whatever the size (a
-- join of the two sets would be planned for ten rows and loop over
-- thousands), and only that is looked up and written.  A pair whose sort
-- key or opt-in changed goes away and comes back.  Every writer takes the
-- label rows it changes in one order, that of (org_id, account_id, kind,
-- label), by inserting or locking them in one upsert, so two writers of
-- one account wait for each other instead of deadlocking.  No condition
-- here repeats org_id: the tenant's policy is checked by the indexes,
-- not row by row.
CREATE FUNCTION wa.contacts_sync(o wa.contacts[], n wa.contacts[])
RETURNS void
LANGUAGE plpgsql AS
$$
DECLARE
	d	wa.contact_member[];
BEGIN
	d := ARRAY(
		SELECT ROW(org_id, account_id, kind, label, NULL, sort_name,
		    contact_id, opted_in, sum(change))::wa.contact_member
		FROM (SELECT * FROM wa.contact_pairs(o, -1)
		    UNION ALL SELECT * FROM wa.contact_pairs(n, 1)) u
		GROUP BY org_id, account_id, kind, label, sort_name,
		    contact_id, opted_in
		HAVING sum(change) <> 0);

	-- the labels concerned: created if new, locked, in label order (the
	-- no-op update is the lock)
	INSERT INTO wa.contact_labels AS l (org_id, account_id, kind, label)
	SELECT DISTINCT org_id, account_id, kind, label
	FROM unnest(d)
	ORDER BY 1, 2, 3, 4
	ON CONFLICT (org_id, account_id, kind, label) DO UPDATE
	SET total = l.total;

	d := ARRAY(
		SELECT ROW(x.org_id, x.account_id, x.kind, x.label, l.id,
		    x.sort_name, x.contact_id, x.opted_in,
		    x.change)::wa.contact_member
		FROM unnest(d) x
		JOIN wa.contact_labels l ON l.account_id = x.account_id
		    AND l.kind = x.kind AND l.label = x.label);

	DELETE FROM wa.contact_label_members m
	USING unnest(d) x
	WHERE x.change < 0 AND x.kind <> 'all'
	    AND m.label_id = x.label_id AND m.sort_name = x.sort_name
	    AND m.contact_id = x.contact_id;
	INSERT INTO wa.contact_label_members (org_id, label_id, sort_name,
	    contact_id, opted_in)
	SELECT x.org_id, x.label_id, x.sort_name, x.contact_id, x.opted_in
	FROM unnest(d) x
	WHERE x.change > 0 AND x.kind <> 'all';

	UPDATE wa.contact_labels l
	SET total = l.total + x.total, opted_in = l.opted_in + x.opted_in
	FROM (
		SELECT label_id, sum(change) AS total,
		    sum(CASE WHEN opted_in THEN change ELSE 0 END) AS opted_in
		FROM unnest(d)
		GROUP BY label_id
	) x
	WHERE l.id = x.label_id AND (x.total <> 0 OR x.opted_in <> 0);
END
$$;

-- The accounts (org[i], acc[i]) exist: locked FOR KEY SHARE, as the
-- foreign key did, so that they stay until commit; 23503 as the key
-- raised it if one does not.  (The API checks the account first, so only
-- a concurrent delete of the account gets here.)
CREATE FUNCTION wa.contacts_lock_accounts(org uuid[], acc uuid[])
RETURNS void
LANGUAGE plpgsql AS
$$
BEGIN
	IF (SELECT count(*) FROM (SELECT 1 FROM wa.wa_accounts a
	    JOIN unnest(org, acc) u (org_id, id)
		ON a.org_id = u.org_id AND a.id = u.id
	    ORDER BY a.org_id, a.id FOR KEY SHARE OF a) k)
	    < cardinality(acc) THEN
		RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
		    MESSAGE = 'a contact violates its foreign key to '
		    'wa.wa_accounts: its WhatsApp account does not exist';
	END IF;
END
$$;

-- Inserted contacts: their accounts exist (and stay until commit), then
-- one upsert of the labels with their new counts, which also locks them
-- in label order, then the members of tags and groups.
CREATE FUNCTION wa.contacts_after_insert() RETURNS trigger
LANGUAGE plpgsql AS
$$
BEGIN
	PERFORM wa.contacts_lock_accounts(array_agg(org_id),
	    array_agg(account_id))
	FROM (SELECT DISTINCT org_id, account_id FROM new_rows) d;

	WITH p AS MATERIALIZED (
		SELECT n.org_id, n.account_id, k.kind COLLATE "C" AS kind,
		    k.label COLLATE "C" AS label, n.sort_name, n.id,
		    n.is_opted_in
		FROM new_rows n
		CROSS JOIN LATERAL (
			SELECT 'all'::text, ''::text
			UNION ALL SELECT 'tag', t FROM unnest(n.tags) t
			UNION ALL SELECT 'group', g FROM unnest(n.groups) g
		) k (kind, label)
	), l AS (
		INSERT INTO wa.contact_labels AS l (org_id, account_id, kind,
		    label, total, opted_in)
		SELECT org_id, account_id, kind, label, count(*),
		    count(*) FILTER (WHERE is_opted_in)
		FROM p
		GROUP BY org_id, account_id, kind, label
		ORDER BY org_id, account_id, kind, label
		ON CONFLICT (org_id, account_id, kind, label) DO UPDATE
		SET total = l.total + excluded.total,
		    opted_in = l.opted_in + excluded.opted_in
		RETURNING l.id, l.org_id, l.account_id, l.kind, l.label
	)
	INSERT INTO wa.contact_label_members (org_id, label_id, sort_name,
	    contact_id, opted_in)
	SELECT p.org_id, l.id, p.sort_name, p.id, p.is_opted_in
	FROM p
	JOIN l ON l.org_id = p.org_id AND l.account_id = p.account_id
	    AND l.kind = p.kind AND l.label = p.label
	WHERE p.kind <> 'all';

	-- many new trigram entries: the worker merges them into the index
	IF (SELECT count(*) FROM new_rows) >= 100 THEN
		PERFORM pg_notify('wa_contacts', 'search');
	END IF;
	RETURN NULL;
END
$$;

CREATE FUNCTION wa.contacts_after_delete() RETURNS trigger
LANGUAGE plpgsql AS
$$
BEGIN
	PERFORM wa.contacts_sync(ARRAY(SELECT o::wa.contacts FROM old_rows o), NULL);
	RETURN NULL;
END
$$;

-- Only the rows whose labels, sort key or opt-in changed: a block,
-- a note or a custom field costs nothing here.  (EXCEPT compares the
-- transition tables by hashing; a join of the two would be planned for
-- one row each and compare every pair.)  A contact moved to an account
-- the old rows did not have (nothing in wagate does that today) has its
-- account checked as an insert does.
CREATE FUNCTION wa.contacts_after_update() RETURNS trigger
LANGUAGE plpgsql AS
$$
DECLARE
	ids	uuid[];
BEGIN
	-- (an account the old rows had exists: only new ones are checked)
	IF EXISTS (SELECT org_id, account_id FROM new_rows
	    EXCEPT SELECT org_id, account_id FROM old_rows) THEN
		PERFORM wa.contacts_lock_accounts(array_agg(org_id),
		    array_agg(account_id))
		FROM (SELECT DISTINCT org_id, account_id FROM new_rows) d;
	END IF;
	ids := ARRAY(SELECT id FROM (
	    SELECT id, account_id, sort_name, tags, groups, is_opted_in
	    FROM old_rows
	    EXCEPT ALL
	    SELECT id, account_id, sort_name, tags, groups, is_opted_in
	    FROM new_rows) x);
	IF cardinality(ids) > 0 THEN
		PERFORM wa.contacts_sync(
		    ARRAY(SELECT a::wa.contacts FROM old_rows a
			WHERE a.id = ANY (ids)),
		    ARRAY(SELECT b::wa.contacts FROM new_rows b
			WHERE b.id = ANY (ids)));
	END IF;
	RETURN NULL;
END
$$;

CREATE TRIGGER contacts_sync_insert AFTER INSERT ON wa.contacts
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION wa.contacts_after_insert();
CREATE TRIGGER contacts_sync_update AFTER UPDATE ON wa.contacts
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION wa.contacts_after_update();
CREATE TRIGGER contacts_sync_delete AFTER DELETE ON wa.contacts
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION wa.contacts_after_delete();

-- tags || the items of add that tags lacks, in order.
CREATE FUNCTION wa.labels_add(tags text[], add text[]) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT tags || ARRAY(SELECT a FROM unnest(add) WITH ORDINALITY u(a, i)
    WHERE a <> ALL (tags) ORDER BY i) $$;

-- tags without the items of del, in order.
CREATE FUNCTION wa.labels_remove(tags text[], del text[]) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT ARRAY(SELECT t FROM unnest(tags) WITH ORDINALITY u(t, i)
    WHERE t <> ALL (del) ORDER BY i) $$;

-- tags with old renamed to new; a contact that had both keeps one.
CREATE FUNCTION wa.labels_rename(tags text[], old text, new text)
RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT CASE WHEN new = ANY (tags) THEN array_remove(tags, old)
    ELSE array_replace(tags, old, new) END $$;

-- Tenant tables (0002a_tenant_table.sql).
CALL wa.tenant_table('wa.contacts');
CALL wa.tenant_table('wa.contact_labels');
CALL wa.tenant_table('wa.contact_label_members');

-- As ON DELETE CASCADE would: an account deleted (or its organization)
-- takes its contacts with it.  Before the account goes, so that the
-- contacts' delete trigger still finds the account's labels (which the
-- labels' own foreign key then deletes), and as wa_definer, which
-- bypasses row-level security as a cascade does: an organization's
-- accounts are deleted by the cascade from wa.organizations, where no
-- tenant is set.
CREATE FUNCTION wa.wa_accounts_before_delete() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
	DELETE FROM wa.contacts c
	WHERE c.account_id = OLD.id AND c.org_id = OLD.org_id;
	RETURN OLD;
END
$$;

CREATE TRIGGER wa_accounts_contacts BEFORE DELETE ON wa.wa_accounts
    FOR EACH ROW EXECUTE FUNCTION wa.wa_accounts_before_delete();

-- Merges the trigram index's pending list into the index: called by the
-- contacts worker (`contacts --worker`) after large inserts, as the
-- index's owner (only the owner may).
CREATE FUNCTION wa.contacts_search_merge() RETURNS bigint
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS
$$ SELECT gin_clean_pending_list('wa.contacts_search'::regclass) $$;

RESET ROLE;

ALTER FUNCTION wa.wa_accounts_before_delete() OWNER TO wa_definer;
GRANT SELECT, DELETE ON wa.contacts TO wa_definer;
GRANT SELECT, INSERT, UPDATE ON wa.contact_labels TO wa_definer;
GRANT SELECT, INSERT, DELETE ON wa.contact_label_members TO wa_definer;
REVOKE ALL ON FUNCTION wa.contacts_search_merge() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION wa.contacts_search_merge(),
    wa.contacts_lock_accounts(uuid[], uuid[]), wa.search_key(uuid, text)
    TO wa_app, wa_admin;

GRANT EXECUTE ON FUNCTION wa.textlike_lp(text, text), wa.uuid7(),
    wa.contact_pairs(wa.contacts[], integer),
    wa.contacts_sync(wa.contacts[], wa.contacts[]),
    wa.labels_add(text[], text[]), wa.labels_remove(text[], text[]),
    wa.labels_rename(text[], text, text)
    TO wa_app, wa_admin;
