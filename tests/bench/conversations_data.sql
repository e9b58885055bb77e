-- bench_conversations.sh: :n conversations of the account :acc of the
-- organization :org, with :m messages between them, half from the
-- customers (wa.inbound_messages) and half to them (wa.messages), as
-- the webhook worker and the sending engine leave them.  Skewed as an
-- inbox is: the first 1% of the conversations hold half of the messages
-- (long threads of regular customers), the rest share the other half.
-- Over the last 90 days; a quarter open, a tenth pending, the rest
-- closed; a fifth assigned to one of 20 agents; 30% with unread
-- messages.  Loaded without the triggers (session_replication_role):
-- the conversations and contacts are written as the triggers would
-- leave them.
\set ON_ERROR_STOP 1
SET session_replication_role = replica;
SET synchronous_commit = off;

CREATE TEMP TABLE b_conv AS
SELECT i, wa.uuid7() AS id, '+1555' || lpad(i::text, 7, '0') AS peer,
    CASE WHEN i <= :n / 100 THEN (:m / 4) / (:n / 100)
	ELSE (:m / 4) / (:n - :n / 100) END AS per_side
FROM generate_series(1, :n) i;

INSERT INTO wa.contacts (id, org_id, account_id, phone, wa_id, name,
    last_message_received_at, messages_received_count)
SELECT wa.uuid7(), :'org', :'acc', peer, substr(peer, 2),
    'Customer ' || i, now(), per_side
FROM b_conv;

-- message k of conversation i, on its side: a time in the last 90 days
-- (later k, later time; the two sides interleave)
INSERT INTO wa.inbound_messages (org_id, account_id, wamid, from_wa_id,
    contact_name, type, sent_at, message, webhook_event_id, received_at)
SELECT :'org', :'acc', 'wamid.in.' || c.i || '.' || k, substr(c.peer, 2),
    'Customer ' || c.i, 'text', t, jsonb_build_object('from',
    substr(c.peer, 2), 'id', 'wamid.in.' || c.i || '.' || k, 'type',
    'text', 'text', jsonb_build_object('body', 'Question ' || k ||
    ' of customer ' || c.i)), 0, t
FROM b_conv c, generate_series(1, c.per_side) k,
    LATERAL (SELECT now() - interval '90 days' + (interval '90 days' *
	(2 * k - 1) / (2 * c.per_side + 1)) - (c.i % 997) *
	interval '1 second' AS t) x;

INSERT INTO wa.messages (org_id, account_id, origin, priority, to_phone,
    type, body, status, wamid, created_at, sent_at, delivered_at,
    read_at, updated_at)
SELECT :'org', :'acc', CASE WHEN k % 5 = 0 THEN 'bot' ELSE 'agent' END, 0,
    c.peer, 'text', jsonb_build_object('body', 'Answer ' || k ||
    ' to customer ' || c.i), 'read', 'wamid.out.' || c.i || '.' || k, t,
    t, t, t, t
FROM b_conv c, generate_series(1, c.per_side) k,
    LATERAL (SELECT now() - interval '90 days' + (interval '90 days' *
	(2 * k) / (2 * c.per_side + 1)) - (c.i % 997) *
	interval '1 second' AS t) x;

INSERT INTO wa.conversations (id, org_id, channel, account_id, peer,
    contact_id, name, status, handler, assignee_id, team, unread_count,
    last_message_at, last_direction, last_preview, last_inbound_at,
    last_inbound_wamid, created_at, updated_at)
SELECT c.id, :'org', 'whatsapp', :'acc', c.peer, k.id, k.name,
    CASE WHEN c.i % 4 = 0 THEN 'open' WHEN c.i % 10 = 1 THEN 'pending'
	ELSE 'closed' END,
    CASE WHEN c.i % 5 = 0 THEN 'agent' ELSE 'none' END,
    CASE WHEN c.i % 5 = 0 THEN 'agent-' || abs(hashint4(c.i)) % 20 END,
    CASE WHEN c.i % 5 = 0 THEN 'sales' END,
    CASE WHEN c.i % 10 < 3 THEN 1 + c.i % 4 ELSE 0 END,
    o.t, 'outbound', 'Answer ' || c.per_side || ' to customer ' || c.i,
    i.t, 'wamid.in.' || c.i || '.' || c.per_side,
    now() - interval '90 days', now()
FROM b_conv c
JOIN wa.contacts k ON k.account_id = :'acc' AND k.phone = c.peer
CROSS JOIN LATERAL (SELECT max(created_at) AS t FROM wa.messages m
    WHERE m.org_id = :'org' AND m.account_id = :'acc'
      AND m.to_phone = c.peer) o
CROSS JOIN LATERAL (SELECT max(received_at) AS t FROM wa.inbound_messages m
    WHERE m.org_id = :'org' AND m.account_id = :'acc'
      AND m.from_wa_id = substr(c.peer, 2)) i;

RESET session_replication_role;
ANALYZE wa.contacts;
ANALYZE wa.inbound_messages;
ANALYZE wa.messages;
ANALYZE wa.conversations;
