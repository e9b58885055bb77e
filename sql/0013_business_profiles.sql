-- Business profiles (docs/profiles.md, "Business profiles"): wagate's
-- copy of each number's WhatsApp business profile as Meta last answered
-- it.  Meta is the source of truth: every read asks Meta and refreshes
-- this row; the row is served, flagged stale, only when Meta cannot be
-- reached.  One row per account (a number), gone with it.

SET ROLE wa_owner;

CREATE TABLE wa.business_profiles (
	account_id	uuid PRIMARY KEY,
	org_id		uuid NOT NULL REFERENCES wa.organizations (id)
			    ON DELETE CASCADE,
	-- Meta's flat profile object with only the members wagate knows
	-- (about, address, description, email, profile_picture_url,
	-- websites, vertical), as fcgi/business_profiles rebuilt it
	profile		jsonb NOT NULL CHECK (jsonb_typeof(profile) = 'object'),
	-- when Meta last answered with it (a read or a write)
	synced_at	timestamptz NOT NULL DEFAULT now(),
	-- the last profile picture wagate uploaded: its size and type
	picture_bytes	integer CHECK (picture_bytes > 0),
	picture_type	text CHECK (picture_type IN ('image/jpeg', 'image/png')),
	picture_at	timestamptz,
	FOREIGN KEY (org_id, account_id) REFERENCES wa.wa_accounts (org_id, id)
	    ON DELETE CASCADE
);

CALL wa.tenant_table('wa.business_profiles');

RESET ROLE;
