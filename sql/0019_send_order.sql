-- One recipient's messages go to Meta in the order they were queued
-- (docs/sending.md, "Order per recipient"): a claim takes a message
-- only when no other message of its account to the same phone is in
-- flight (`sending`) or was queued before it and is still queued.  This
-- index holds only the pending rows, a handful per recipient, so that
-- check is one probe whatever the recipient's history.

SET ROLE wa_owner;

CREATE INDEX messages_pending_to ON wa.messages (account_id, to_phone)
    WHERE status IN ('queued', 'sending');

RESET ROLE;
