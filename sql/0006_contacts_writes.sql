-- Cheaper writes of many contacts at once (the import of 1000 contacts,
-- docs/contacts.md "Benchmark"), with the same results as 0003:
--
--   1. The account of new contacts is checked once per statement, not
--      once per row.  The row-level foreign key to wa.wa_accounts ran
--      one lookup per contact (a tenth of an import); the statement
--      triggers below lock the distinct accounts of the statement FOR KEY
--      SHARE, as the key did, and fail the same way (23503) when one is
--      missing.  Deleting an account still deletes its contacts.
--   2. An insert writes its labels, counts and members in two statements
--      straight from the transition table, instead of through arrays of
--      pairs (a third of an import went to building and unpacking them).
--   3. Every writer takes the label rows it changes in one order, that of
--      (org_id, account_id, kind, label), by inserting or locking them in
--      one upsert: an import and a bulk change of one account wait for
--      each other and never deadlock.
--   4. The trigram index's pending list (new entries not yet merged into
--      the index) is merged by the contacts worker after large inserts,
--      not by whichever insert finds it over its limit: an import then
--      never pays for the merge of earlier ones.

SET ROLE wa_owner;

ALTER TABLE wa.contacts DROP CONSTRAINT contacts_org_id_account_id_fkey;

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
CREATE OR REPLACE FUNCTION wa.contacts_after_insert() RETURNS trigger
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

-- As in 0003, except that the labels are inserted or locked by one
-- upsert in label order (3. above).
CREATE OR REPLACE FUNCTION wa.contacts_sync(o wa.contacts[], n wa.contacts[])
RETURNS void
LANGUAGE plpgsql AS
$$
DECLARE
	d	wa.contact_member[];
BEGIN
	IF o IS NULL THEN
		d := ARRAY(SELECT p FROM wa.contact_pairs(n, 1) p);
	ELSE
		d := ARRAY(
			SELECT ROW(org_id, account_id, kind, label, NULL,
			    sort_name, contact_id, opted_in,
			    sum(change))::wa.contact_member
			FROM (SELECT * FROM wa.contact_pairs(o, -1)
			    UNION ALL SELECT * FROM wa.contact_pairs(n, 1)) u
			GROUP BY org_id, account_id, kind, label, sort_name,
			    contact_id, opted_in
			HAVING sum(change) <> 0);
	END IF;

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

-- Updates: as in 0003, plus the account check when a contact moves to
-- another account (nothing in wagate does that today).
CREATE OR REPLACE FUNCTION wa.contacts_after_update() RETURNS trigger
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

-- What ON DELETE CASCADE did: an account deleted (or its organization)
-- takes its contacts with it.  Before the account goes, so that the
-- contacts' delete trigger still finds the account's labels (which the
-- labels' own foreign key then deletes), and as wa_definer, which
-- bypasses row-level security as the cascade did: an organization's
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

-- Room for the entries of several imports in the pending list, so that
-- the worker, not an import, merges them.  Only the index's owner may
-- merge it: the worker calls this definer function.
ALTER INDEX wa.contacts_search SET (gin_pending_list_limit = 16384);

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
    wa.contacts_lock_accounts(uuid[], uuid[]) TO wa_app, wa_admin;
