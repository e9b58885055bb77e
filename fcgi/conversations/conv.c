/*
 * One conversation: read it, start one with a contact, change its
 * status, assignee and team, mark it read (Meta's read receipt for the
 * customer's last message).
 */
#include <string.h>

#include "accounts.h"
#include "arena.h"
#include "db.h"
#include "graph/graph.h"
#include "json.h"
#include "resp.h"
#include "valid.h"

#include "conversations.h"

const char *const conv_statuses[] = { "open", "pending", "closed", NULL };

const char *
conv_path_id(struct wa_req *r)
{
	return wa_req_id(r, "conversationId", NULL, CONV_WHAT);
}

const char *
conv_rows_json(struct wa_req *r, const PGresult *res, int n)
{
	size_t	 len = 2, k;
	char	*out, *o;
	int	 i;

	for (i = 0; i < n; i++)
		len += strlen(wa_db_get(res, i, "data")) + 1;
	o = out = wa_arena_alloc(r->arena, len + 1);
	*o++ = '[';
	for (i = 0; i < n; i++) {
		if (i > 0)
			*o++ = ',';
		k = strlen(wa_db_get(res, i, "data"));
		memcpy(o, wa_db_get(res, i, "data"), k);
		o += k;
	}
	*o++ = ']';
	*o = '\0';
	return out;
}

enum wa_err
conv_load(struct wa_req *r, const char *id, int lock, struct conv *out)
{
#define LOAD \
	"SELECT id, channel, account_id, peer, contact_id, " \
	"last_inbound_wamid, wa.rfc3339(last_inbound_at + " \
	"interval '24 hours') AS window_end, " \
	"coalesce(last_inbound_at > now() - interval '24 hours', false) " \
	"AS window_open FROM wa.conversations WHERE id = $1"
	static const char sql[] = LOAD;
	static const char sql_lock[] = LOAD " FOR UPDATE";
#undef LOAD
	PGresult	*res;

	memset(out, 0, sizeof(*out));
	if (wa_db_q(r, &res, lock ? sql_lock : sql, 1, id) != WA_OK)
		return r->err.code;
	if (PQntuples(res) != 1)
		return wa_fail_not_found(r, NULL, CONV_WHAT);
	out->id = wa_db_get(res, 0, "id");
	out->channel = wa_db_get(res, 0, "channel");
	out->account_id = wa_db_get(res, 0, "account_id");
	out->peer = wa_db_get(res, 0, "peer");
	out->contact_id = wa_db_get(res, 0, "contact_id");
	out->last_inbound_wamid = wa_db_get(res, 0, "last_inbound_wamid");
	out->window_end = wa_db_get(res, 0, "window_end");
	out->window_open = wa_db_bool(res, 0, "window_open", 0);
	return WA_OK;
}

enum wa_err
conv_respond(struct wa_req *r, const char *id, int status)
{
	static const char sql[] =
	    "SELECT " CONV_JSON "::text AS data " CONV_FROM "WHERE c.id = $1";
	PGresult	*res;

	if (wa_db_q(r, &res, sql, 1, id) != WA_OK)
		return r->err.code;
	if (PQntuples(res) != 1)
		return wa_fail_not_found(r, NULL, CONV_WHAT);
	return wa_resp_ok_raw(r, status, wa_db_get(res, 0, "data"));
}

enum wa_err
conv_get(struct wa_req *r)
{
	const char	*id;

	if ((id = conv_path_id(r)) == NULL)
		return r->err.code;
	return conv_respond(r, id, 200);
}

static int
e164_ok(const char *s)
{
	char	out[WA_E164_MAX + 1];

	return wa_e164_normalize(s, out, sizeof(out));
}

/*
 * POST: the conversation of a number with a phone (or a contact's),
 * made when there is none (open, answered by agents) and returned as
 * it is when there is: 201 or 200.
 */
enum wa_err
conv_open(struct wa_req *r)
{
	static const struct wa_field fields[] = {
		WA_FIELD_STR("phoneNumberId", WA_F_REQUIRED_TEXT, 64),
		WA_FIELD_STR_CHECK("phone", 0, 32, e164_ok, "must be an E.164 "
		    "phone number such as +14155550100"),
		WA_FIELD_STR("contactId", 0, 64),
		WA_FIELD_END
	};
	static const char sql_contact[] =
	    "SELECT phone FROM wa.contacts WHERE id = $1 AND account_id = $2";
	static const char sql[] =
	    "WITH k AS (SELECT id FROM wa.contacts WHERE account_id = $1 "
	    "AND phone = $2 COLLATE \"C\") "
	    "INSERT INTO wa.conversations AS c (org_id, channel, account_id, "
	    "peer, contact_id, status, handler) "
	    "SELECT $3, 'whatsapp', $1, $2, (SELECT id FROM k), 'open', "
	    "'agent' "
	    "ON CONFLICT (account_id, peer) WHERE channel = 'whatsapp' "
	    "DO UPDATE SET contact_id = coalesce(c.contact_id, "
	    "excluded.contact_id) "
	    "RETURNING c.id, (xmax = 0) AS made";
	struct wa_account	 acc;
	const char		*phone, *cid;
	char			 e164[WA_E164_MAX + 1];
	PGresult		*res;
	cJSON			*body;

	if (wa_json_body(r, &body) != WA_OK ||
	    wa_json_validate(r, body, fields, NULL) != WA_OK)
		return r->err.code;
	phone = wa_json_str(body, "phone");
	cid = wa_json_str(body, "contactId");
	if ((phone == NULL) == (cid == NULL))
		return wa_fail_field(r, "phone", "give phone or contactId "
		    "(one of them)");
	if (wa_account_get(r, wa_json_str(body, "phoneNumberId"), &acc) !=
	    WA_OK)
		return r->err.code;
	if (cid != NULL) {
		if (!wa_valid_uuid(cid))
			return wa_fail_not_found(r, NULL, "Contact");
		if (wa_db_q(r, &res, sql_contact, 2, cid, acc.id) != WA_OK)
			return r->err.code;
		if (PQntuples(res) != 1)
			return wa_fail_not_found(r, NULL, "Contact");
		phone = wa_db_get(res, 0, "phone");
	} else {
		(void)wa_e164_normalize(phone, e164, sizeof(e164));
		phone = e164;
	}
	if (wa_db_q(r, &res, sql, 3, acc.id, phone, acc.org_id) != WA_OK)
		return r->err.code;
	return conv_respond(r, wa_db_get(res, 0, "id"),
	    wa_db_bool(res, 0, "made", 0) ? 201 : 200);
}

/*
 * PATCH: status, assigneeId, team, department; null clears the last
 * three.  Giving an assignee hands the conversation to agents (a bot
 * running in it stops); closing it hands it back to nobody, so that
 * the customer's next message may start a bot again.
 */
enum wa_err
conv_update(struct wa_req *r)
{
	static const struct wa_field fields[] = {
		WA_FIELD_ENUM("status", 0, conv_statuses),
		WA_FIELD_STR("assigneeId", WA_F_NULLABLE | WA_F_NONEMPTY,
		    CONV_ASSIGNEE_MAX),
		WA_FIELD_STR("team", WA_F_NULLABLE | WA_F_NONEMPTY,
		    CONV_TEAM_MAX),
		WA_FIELD_STR("department", WA_F_NULLABLE | WA_F_NONEMPTY,
		    CONV_TEAM_MAX),
		WA_FIELD_END
	};
	static const char sql[] =
	    "UPDATE wa.conversations SET status = coalesce($2, status), "
	    "assignee_id = CASE WHEN $3::boolean THEN $4 ELSE assignee_id "
	    "END, team = CASE WHEN $5::boolean THEN $6 ELSE team END, "
	    "department = CASE WHEN $7::boolean THEN $8 ELSE department END, "
	    "handler = CASE WHEN $3::boolean AND $4 IS NOT NULL "
	    "THEN 'agent' WHEN $2 = 'closed' THEN 'none' ELSE handler END, "
	    "updated_at = now() "
	    "WHERE id = $1";
	const char	*id, *vals[8];
	PGresult	*res;
	cJSON		*body;

	if ((id = conv_path_id(r)) == NULL || wa_json_body(r, &body) != WA_OK ||
	    wa_json_validate(r, body, fields, NULL) != WA_OK)
		return r->err.code;
	vals[0] = id;
	vals[1] = wa_json_str(body, "status");
	vals[2] = wa_json_has(body, "assigneeId") ? "true" : "false";
	vals[3] = wa_json_str(body, "assigneeId");
	vals[4] = wa_json_has(body, "team") ? "true" : "false";
	vals[5] = wa_json_str(body, "team");
	vals[6] = wa_json_has(body, "department") ? "true" : "false";
	vals[7] = wa_json_str(body, "department");
	if (wa_db_exec(r, &res, sql, 8, vals) != WA_OK)
		return r->err.code;
	if (strcmp(PQcmdTuples(res), "1") != 0)
		return wa_fail_not_found(r, NULL, CONV_WHAT);
	return conv_respond(r, id, 200);
}

/*
 * POST .../read: no unread messages, and Meta's read receipt for the
 * customer's last message (the customer sees it read).  Meta refusing
 * it fails the request and leaves the conversation unread.
 */
enum wa_err
conv_read(struct wa_req *r)
{
	static const char sql[] =
	    "UPDATE wa.conversations SET unread_count = 0, updated_at = now() "
	    "WHERE id = $1";
	struct conv		 c;
	struct wa_account	 acc;
	struct wa_graph_acct	 g;
	struct wa_graph_res	 gr;
	const char		*id;
	PGresult		*res;

	if ((id = conv_path_id(r)) == NULL ||
	    conv_load(r, id, 1, &c) != WA_OK ||
	    wa_db_q(r, &res, sql, 1, id) != WA_OK)
		return r->err.code;
	if (strcmp(c.channel, "whatsapp") == 0 &&
	    c.last_inbound_wamid != NULL) {
		if (wa_account_get(r, c.account_id, &acc) != WA_OK ||
		    wa_graph_acct_open(r, &acc, &g) != WA_OK)
			return r->err.code;
		if (wa_graph_mark_read(r, &g, c.last_inbound_wamid, &gr) !=
		    WA_GRAPH_OK)
			return wa_graph_fail(r, &gr, "mark the message read");
	}
	return conv_respond(r, id, 201);
}
