-- Quotas: what one organization may create (issue 11: one tenant with
-- 27,624 flows slowed every other).  Each limit is a column of
-- wa.organizations, set by the operator (`wa-admin org quota`); the
-- defaults are generous for a business and small enough that no list
-- or count of one tenant can hurt the others.
--
-- Checked after each statement that inserts (a statement-level trigger)
-- under a transaction-scoped advisory lock per organization and table,
-- so that two concurrent inserts cannot both slip under the limit: the
-- second counts after the first has committed.  Past the limit the
-- statement fails with SQLSTATE WA001 and wagate's own sentence, which
-- the API answers as 422 quota_exceeded (docs/errors.md).

SET ROLE wa_owner;

ALTER TABLE wa.organizations
    ADD COLUMN max_profiles integer NOT NULL DEFAULT 1000
	CHECK (max_profiles >= 0),
    ADD COLUMN max_bot_flows integer NOT NULL DEFAULT 1000
	CHECK (max_bot_flows >= 0),
    ADD COLUMN max_contacts integer NOT NULL DEFAULT 2000000
	CHECK (max_contacts >= 0),
    ADD COLUMN max_broadcasts integer NOT NULL DEFAULT 10000
	CHECK (max_broadcasts >= 0);
COMMENT ON COLUMN wa.organizations.max_contacts IS
    'contacts per WhatsApp account';

-- Profiles, bot flows and broadcasts: live rows per organization.
CREATE FUNCTION wa.quota_rows() RETURNS trigger
LANGUAGE plpgsql AS
$$
DECLARE
	o	uuid;
	lim	integer;
	n	bigint;
BEGIN
	FOR o IN SELECT DISTINCT org_id FROM new_rows ORDER BY 1 LOOP
		PERFORM pg_advisory_xact_lock(hashtext('quota:' ||
		    TG_TABLE_NAME), hashtext(o::text));
		IF TG_TABLE_NAME = 'profiles' THEN
			SELECT max_profiles INTO lim FROM wa.organizations
			WHERE id = o;
			SELECT count(*) INTO n FROM wa.profiles
			WHERE org_id = o AND deleted_at IS NULL;
		ELSIF TG_TABLE_NAME = 'bot_flows' THEN
			SELECT max_bot_flows INTO lim FROM wa.organizations
			WHERE id = o;
			SELECT count(*) INTO n FROM wa.bot_flows
			WHERE org_id = o AND deleted_at IS NULL;
		ELSE
			-- broadcasts are deleted outright (drafts, cancelled)
			SELECT max_broadcasts INTO lim FROM wa.organizations
			WHERE id = o;
			SELECT count(*) INTO n FROM wa.broadcasts
			WHERE org_id = o;
		END IF;
		IF n > lim THEN
			RAISE EXCEPTION USING ERRCODE = 'WA001',
			    MESSAGE = format('The organization has reached '
			    'its limit of %s %s; ask the operator to raise '
			    'it (wa-admin org quota)', lim,
			    CASE TG_TABLE_NAME WHEN 'profiles' THEN 'profiles'
			    WHEN 'bot_flows' THEN 'bot flows'
			    ELSE 'broadcasts' END);
		END IF;
	END LOOP;
	RETURN NULL;
END
$$;
CREATE TRIGGER profiles_quota AFTER INSERT ON wa.profiles
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION wa.quota_rows();
CREATE TRIGGER bot_flows_quota AFTER INSERT ON wa.bot_flows
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION wa.quota_rows();
CREATE TRIGGER broadcasts_quota AFTER INSERT ON wa.broadcasts
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION wa.quota_rows();

-- Contacts: per account, from the account's count of all its contacts
-- (contact_labels kind 'all'), which the insert trigger has just
-- brought up to date (triggers of one event run in name order:
-- contacts_sync_insert before contacts_zquota_insert).  Inserts of one
-- account are serialized already (fcgi/contacts: an advisory lock).
CREATE FUNCTION wa.quota_contacts() RETURNS trigger
LANGUAGE plpgsql AS
$$
DECLARE
	r	record;
BEGIN
	FOR r IN SELECT l.account_id, l.total, o.max_contacts
	    FROM (SELECT DISTINCT org_id, account_id FROM new_rows) d
	    JOIN wa.contact_labels l ON l.org_id = d.org_id
		AND l.account_id = d.account_id AND l.kind = 'all'
		AND l.label = ''
	    JOIN wa.organizations o ON o.id = d.org_id
	    WHERE l.total > o.max_contacts LOOP
		RAISE EXCEPTION USING ERRCODE = 'WA001',
		    MESSAGE = format('The WhatsApp account has reached its '
		    'limit of %s contacts; ask the operator to raise it '
		    '(wa-admin org quota)', r.max_contacts);
	END LOOP;
	RETURN NULL;
END
$$;
CREATE TRIGGER contacts_zquota_insert AFTER INSERT ON wa.contacts
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION wa.quota_contacts();

RESET ROLE;
