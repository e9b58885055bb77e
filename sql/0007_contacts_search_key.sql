-- Search that reads only the searching account's entries (docs/contacts.md,
-- "Search"): the trigram index spanned every organization, so a search
-- for a common surname checked the rows of every account that has that
-- surname, each on its heap page, and one tenant's contacts slowed
-- another's searches.
--
-- The searched text is now stored with the letters and digits of its
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
-- (row-level security guards the rows).

SET ROLE wa_owner;

-- (a plain SQL expression of built-in functions: inlined where it is used,
-- no function call per row)
CREATE FUNCTION wa.search_key(account uuid, t text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS
$$ SELECT translate(t, 'abcdefghijklmnopqrstuvwxyz0123456789',
    substr('abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz',
	1 + get_byte(uuid_send(account), 15) % 26, 26) ||
    substr('01234567890123456789',
	1 + get_byte(uuid_send(account), 14) % 10, 10)) $$;

DROP INDEX wa.contacts_search;
ALTER TABLE wa.contacts
    DROP COLUMN search_text,
    -- what `search` looks in: lower-cased, the fields separated by a
    -- control character that a search term may not contain (a match
    -- never spans two fields), in the account's alphabet
    ADD COLUMN search_key text GENERATED ALWAYS AS (wa.search_key(
	account_id, lower(name || E'\x1f' || phone || E'\x1f' ||
	coalesce(email, '') || E'\x1f' || coalesce(company, '')))) STORED;
CREATE INDEX contacts_search ON wa.contacts USING gin
    (search_key wa.trgm_like_ops) WITH (gin_pending_list_limit = 16384);

RESET ROLE;

GRANT EXECUTE ON FUNCTION wa.search_key(uuid, text) TO wa_app, wa_admin;
