-- Web chat's one-time codes by e-mail (docs/web-chat.md, "Verified
-- e-mail"): the verify-otp sessions and link-email.  A challenge is one
-- live code per channel, address and visitor (none for a session not
-- made yet); only a hash of its code is kept.

SET ROLE wa_owner;

ALTER TABLE wa.web_chat_visitors
    DROP CONSTRAINT web_chat_visitors_mode_check,
    ADD CONSTRAINT web_chat_visitors_mode_check CHECK (mode IN
	('anonymous', 'identified', 'verify-otp', 'host-identified')),
    -- when the visitor proved its e-mail with a code
    ADD COLUMN email_verified_at timestamptz;

CREATE TABLE wa.web_chat_otps (
	id		uuid PRIMARY KEY DEFAULT wa.uuid7(),
	org_id		uuid NOT NULL,
	channel_id	uuid NOT NULL,
	email		text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
	-- link-email: the visitor the address is for; NULL: a session
	visitor_id	uuid,
	-- SHA-256 of "<id>:<code>"
	code_hash	bytea NOT NULL CHECK (length(code_hash) = 32),
	expires_at	timestamptz NOT NULL,
	attempts	integer NOT NULL DEFAULT 0,
	-- codes sent since window_at (at most 5 an hour)
	sends		integer NOT NULL DEFAULT 1,
	window_at	timestamptz NOT NULL DEFAULT now(),
	sent_at		timestamptz NOT NULL DEFAULT now(),
	UNIQUE NULLS NOT DISTINCT (channel_id, email, visitor_id),
	FOREIGN KEY (org_id, channel_id) REFERENCES wa.web_chat_channels
	    (org_id, id) ON DELETE CASCADE,
	FOREIGN KEY (org_id, visitor_id) REFERENCES wa.web_chat_visitors
	    (org_id, id) ON DELETE CASCADE
);
CALL wa.tenant_table('wa.web_chat_otps');

RESET ROLE;
