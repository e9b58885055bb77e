-- Phone numbers bought for WhatsApp (docs/phone-numbers.md; Late's
-- /v1/whatsapp/phone-numbers): an organization's plan says whether it
-- may buy and how many; each number is a row that a job worker drives
-- through its states (pending_payment -> provisioning -> active;
-- suspended; releasing -> released), every step recorded so that it is
-- done once even if the worker dies between two.

SET ROLE wa_owner;

-- The plan, set by the operator (wa-admin org plan): 'none' may not
-- buy numbers (403), 'paid' may hold phone_number_limit of them.
ALTER TABLE wa.organizations
    ADD COLUMN plan text NOT NULL DEFAULT 'none'
	CHECK (plan IN ('none', 'paid')),
    ADD COLUMN phone_number_limit integer NOT NULL DEFAULT 0
	CHECK (phone_number_limit BETWEEN 0 AND 1000);

CREATE TABLE wa.phone_numbers (
	id		uuid PRIMARY KEY DEFAULT wa.uuid7(),
	org_id		uuid NOT NULL,
	profile_id	uuid NOT NULL,
	-- known once the carrier's order is done
	phone_number	text COLLATE "C"
			    CHECK (phone_number ~ '^\+[1-9][0-9]{6,14}$'),
	country		text NOT NULL DEFAULT 'US' CHECK (country ~ '^[A-Z]{2}$'),
	status		text NOT NULL DEFAULT 'pending_payment'
			    CHECK (status IN ('pending_payment', 'provisioning',
			    'active', 'suspended', 'releasing', 'released')),
	-- the carrier's order and number (Telnyx)
	carrier_order_id text CHECK (length(carrier_order_id) <= 128),
	carrier_number_id text CHECK (length(carrier_number_id) <= 128),
	-- Meta's pre-verified number and its verification
	meta_preverified_id text CHECK (length(meta_preverified_id) <= 64),
	meta_verification_status text NOT NULL DEFAULT 'not_started'
			    CHECK (meta_verification_status IN ('not_started',
			    'pending', 'code_sent', 'verified', 'expired',
			    'failed')),
	meta_verified_at timestamptz,
	meta_verification_expires_at timestamptz,
	provisioned_at	timestamptz,
	released_at	timestamptz,
	created_at	timestamptz NOT NULL DEFAULT now(),
	updated_at	timestamptz NOT NULL DEFAULT now(),
	UNIQUE (org_id, id),
	FOREIGN KEY (org_id, profile_id) REFERENCES wa.profiles (org_id, id)
);
-- a number is one organization's while it is not released
CREATE UNIQUE INDEX phone_numbers_live ON wa.phone_numbers (phone_number)
    WHERE status <> 'released' AND phone_number IS NOT NULL;
CREATE INDEX phone_numbers_org ON wa.phone_numbers (org_id, created_at, id);
CALL wa.tenant_table('wa.phone_numbers');

RESET ROLE;
