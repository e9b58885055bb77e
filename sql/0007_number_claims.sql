-- Number claims (issue 11): one Meta phone number belongs to one
-- organization at a time, and a number is attached only once it is
-- proven at Meta (lib/accounts.h: the token given reaches the WABA and
-- the number, and the number is one of the WABA's).
--
-- Before this migration any organization could register any
-- phone-number id; Meta's webhooks for it were then copied into every
-- organization that had.  A database made before it may therefore hold
-- live accounts of several organizations for one number.  This
-- migration does not fail on them: it resolves them deterministically.
-- For each such number the oldest live account (created_at, then id)
-- stays attached; every newer one is retired (deleted_at = now()) with
-- the reason in the new column deleted_reason, and the migration
-- reports how many it retired (NOTICE).  The organization that lost a
-- number keeps its history (messages, statuses, contacts, templates
-- stay with its retired account); if the oldest claim was the wrong
-- one, the operator moves the number (wa-admin account move,
-- docs/operations.md).
--
-- Accounts made before this migration were never proven: their proof
-- is NULL.  New ones say how they were attached: 'meta' (proven, at
-- verified_at) or 'operator' (wa-admin --no-verify, the operator's
-- word).  wa.webhook_route() below uses it for events routed by WABA.
--
-- Written to run again without harm (IF NOT EXISTS, OR REPLACE): the
-- end-to-end tests replay it on duplicates they make inside a
-- transaction they roll back (tests/e2e/13_number_claims.test.mjs).

ALTER TABLE wa.wa_accounts
    ADD COLUMN IF NOT EXISTS proof text
	CHECK (proof IN ('meta', 'operator')),
    ADD COLUMN IF NOT EXISTS verified_at timestamptz,
    ADD COLUMN IF NOT EXISTS deleted_reason text
	CHECK (length(deleted_reason) <= 512);

-- The duplicates, resolved as the header says.  As the migrating
-- superuser: row-level security would hide every row from wa_owner.
DO $$
DECLARE
	n bigint;
BEGIN
	WITH ranked AS (
		SELECT id, row_number() OVER (PARTITION BY phone_number_id
		    ORDER BY created_at, id) AS claim
		FROM wa.wa_accounts
		WHERE deleted_at IS NULL AND phone_number_id IS NOT NULL
	)
	UPDATE wa.wa_accounts a SET deleted_at = now(), updated_at = now(),
	    deleted_reason = '0007_number_claims: this phone number was '
		'also registered, earlier, by an account of another '
		'organization, which keeps it'
	FROM ranked
	WHERE a.id = ranked.id AND ranked.claim > 1;
	GET DIAGNOSTICS n = ROW_COUNT;
	IF n > 0 THEN
		RAISE NOTICE '0007_number_claims: % account(s) retired: their '
		    'phone number id is held by an older account of another '
		    'organization (wa.wa_accounts.deleted_reason)', n;
	END IF;
END
$$;

SET ROLE wa_owner;

-- One live account per Meta phone-number id, across organizations.
-- Deliberately without org_id (DESIGN.md wants org_id in unique
-- constraints so that tenants cannot collide; here the collision is
-- the point).  It replaces the per-organization index of 0002 and the
-- plain index 0005 made for routing.
CREATE UNIQUE INDEX IF NOT EXISTS wa_accounts_number
    ON wa.wa_accounts (phone_number_id)
    WHERE deleted_at IS NULL AND phone_number_id IS NOT NULL;
DROP INDEX IF EXISTS wa.wa_accounts_phone;
DROP INDEX IF EXISTS wa.wa_accounts_meta_phone;

RESET ROLE;

-- The live accounts an event is for.
--   - By Meta's phone-number id when the event names one: at most one
--     account (wa_accounts_number), the only one that proved it.
--   - Else by WABA id (template events, or messages without metadata):
--     the accounts on that WABA that were proven at Meta or attached by
--     the operator -- a WABA is reached only after its proof now -- and
--     accounts made before 0007 (never proven) only in the
--     organization that holds the oldest live account on the WABA, the
--     rule the duplicates above were resolved by.
-- Returns nothing else about them.
CREATE OR REPLACE FUNCTION wa.webhook_route(p_phone_number_id text,
    p_waba_id text)
RETURNS TABLE (org_id uuid, account_id uuid)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
	IF p_phone_number_id IS NOT NULL THEN
		RETURN QUERY SELECT a.org_id, a.id FROM wa.wa_accounts a
		WHERE a.phone_number_id = p_phone_number_id
		  AND a.deleted_at IS NULL
		ORDER BY a.created_at, a.id
		LIMIT 1;
	ELSE
		RETURN QUERY SELECT a.org_id, a.id FROM wa.wa_accounts a
		WHERE a.waba_id = p_waba_id AND a.deleted_at IS NULL
		  AND (a.proof IS NOT NULL OR a.org_id = (
		    SELECT f.org_id FROM wa.wa_accounts f
		    WHERE f.waba_id = p_waba_id AND f.deleted_at IS NULL
		    ORDER BY f.created_at, f.id LIMIT 1));
	END IF;
END
$$;
