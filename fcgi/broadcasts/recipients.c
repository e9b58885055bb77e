/*
 * A broadcast's recipients: listed with their delivery status, added to
 * and removed from a draft.  A recipient's message is the broadcast's
 * message of the same seq; until it has one it is pending.  The summary
 * comes from the broadcast's counters (sql/0006_sending.sql), not from
 * counting its recipients.
 */
#include <string.h>

#include "arena.h"
#include "db.h"
#include "json.h"
#include "pgval.h"
#include "resp.h"
#include "valid.h"

#include "broadcasts.h"

/* The broadcast, locked, when the key may see it: its status. */
static enum wa_err
lock(struct wa_req *r, const char *id, const char **status)
{
	static const char sql[] =
	    "SELECT b.status, b.recipient_count FROM wa.broadcasts b "
	    "WHERE b.id = $1 AND " BC_VISIBLE("$2") " FOR UPDATE";
	PGresult	*res;

	if (wa_db_q(r, &res, sql, 2, id, r->auth.profile_id) != WA_OK)
		return r->err.code;
	if (wa_db_one_or_fail(r, res, NULL, "Broadcast") != WA_OK)
		return r->err.code;
	*status = wa_arena_strdup(r->arena, wa_db_get(res, 0, "status"));
	return WA_OK;
}

static enum wa_err
draft_only(struct wa_req *r, const char *status, const char *what)
{
	if (strcmp(status, "draft") == 0)
		return WA_OK;
	return wa_fail_as(r, WA_ERR_BAD_REQUEST, "invalid_status",
	    "Recipients can only be %s on a draft broadcast; this one is %s",
	    what, status);
}

enum wa_err
bc_recipients_insert(struct wa_req *r, const char *id, const cJSON *rows,
    long *added, long long *total)
{
	static const char sql[] =
	    "WITH base AS (SELECT coalesce(max(seq), 0) AS seq "
	    "FROM wa.broadcast_recipients WHERE broadcast_id = $1), "
	    "ins AS (INSERT INTO wa.broadcast_recipients (org_id, "
	    "broadcast_id, seq, phone, name, variables) "
	    "SELECT $2, $1, base.seq + x.ord, x.phone, x.name, x.variables "
	    "FROM base, ROWS FROM (json_to_recordset($3::json) AS (phone "
	    "text, name text, variables jsonb)) WITH ORDINALITY "
	    "AS x (phone, name, variables, ord) "
	    "ON CONFLICT (broadcast_id, phone) DO NOTHING RETURNING 1) "
	    "UPDATE wa.broadcasts SET recipient_count = recipient_count + "
	    "(SELECT count(*) FROM ins), updated_at = now() WHERE id = $1 "
	    "RETURNING recipient_count, (SELECT count(*) FROM ins) AS added";
	PGresult	*res;

	if (wa_db_q(r, &res, sql, 3, id, r->auth.org_id,
	    wa_json_print(rows)) != WA_OK)
		return r->err.code;
	if (wa_db_int(res, 0, "recipient_count", 0) > BC_RECIPIENTS_MAX)
		return wa_fail_as(r, WA_ERR_UNPROCESSABLE,
		    "too_many_recipients", "A broadcast holds at most %d "
		    "recipients", BC_RECIPIENTS_MAX);
	*added = (long)wa_db_int(res, 0, "added", 0);
	*total = wa_db_int(res, 0, "recipient_count", 0);
	return WA_OK;
}

enum wa_err
recipients_add(struct wa_req *r)
{
	const char	*id, *status;
	cJSON		*body, *rows, *data;
	long		 dups, added = 0;
	long long	 total = 0;

	if ((id = bc_path_id(r)) == NULL || wa_json_body(r, &body) != WA_OK)
		return r->err.code;
	bc_recipients_parse(r, body, "recipients", 1, BC_ADD_MAX, 0, &rows,
	    &dups);
	if (r->err.code != WA_OK || lock(r, id, &status) != WA_OK ||
	    draft_only(r, status, "added") != WA_OK ||
	    bc_recipients_insert(r, id, rows, &added, &total) != WA_OK)
		return r->err.code;
	data = cJSON_CreateObject();
	cJSON_AddNumberToObject(data, "added", (double)added);
	cJSON_AddNumberToObject(data, "duplicates",
	    (double)(dups + cJSON_GetArraySize(rows) - added));
	cJSON_AddNumberToObject(data, "totalRecipients", (double)total);
	return wa_resp_ok(r, 200, data);
}

enum wa_err
recipients_remove(struct wa_req *r)
{
	static const struct wa_field fields[] = {
		WA_FIELD_ARR_STR("phones", WA_F_REQUIRED, 1, BC_ADD_MAX, 32),
		WA_FIELD_END
	};
	static const char sql[] =
	    "WITH d AS (DELETE FROM wa.broadcast_recipients "
	    "WHERE broadcast_id = $1 AND phone = ANY ($2::text[]) "
	    "RETURNING 1) "
	    "UPDATE wa.broadcasts SET recipient_count = recipient_count - "
	    "(SELECT count(*) FROM d), updated_at = now() WHERE id = $1 "
	    "RETURNING recipient_count, (SELECT count(*) FROM d) AS removed";
	const char	*id, *status, **phones;
	const cJSON	*it;
	char		 p[WA_E164_MAX + 1];
	PGresult	*res;
	cJSON		*body, *data;
	size_t		 n = 0;

	if ((id = bc_path_id(r)) == NULL || wa_json_body(r, &body) != WA_OK ||
	    wa_json_validate(r, body, fields, NULL) != WA_OK ||
	    lock(r, id, &status) != WA_OK ||
	    draft_only(r, status, "removed") != WA_OK)
		return r->err.code;
	phones = wa_arena_calloc(r->arena, (size_t)cJSON_GetArraySize(
	    cJSON_GetObjectItemCaseSensitive(body, "phones")) + 1,
	    sizeof(*phones));
	/* a phone that is no E.164 number is no recipient: not removed */
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(body,
	    "phones"))
		if (wa_e164_normalize(it->valuestring, p, sizeof(p)))
			phones[n++] = wa_arena_strdup(r->arena, p);
	if (wa_db_q(r, &res, sql, 2, id, wa_pgval_text_array(r->arena,
	    phones, n)) != WA_OK)
		return r->err.code;
	data = cJSON_CreateObject();
	cJSON_AddNumberToObject(data, "removed",
	    (double)wa_db_int(res, 0, "removed", 0));
	cJSON_AddNumberToObject(data, "totalRecipients",
	    (double)wa_db_int(res, 0, "recipient_count", 0));
	return wa_resp_ok(r, 200, data);
}

/* Late's recipient statuses and the messages' behind them. */
static const char *const statuses[] = {
	"pending", "sent", "delivered", "read", "failed", "unknown", NULL
};

static cJSON *
recipient(const PGresult *res, int i)
{
	static const struct {
		const char	*col;
		const char	*key;
	} cols[] = {
		{ "phone", "phone" }, { "name", "name" },
		{ NULL, "variables" }, { "status", "status" },
		{ "wamid", "messageId" }, { "error", "error" },
		{ "sent", "sentAt" }, { "delivered", "deliveredAt" },
		{ "read", "readAt" },
	};
	const char	*v, *why;
	cJSON		*o = cJSON_CreateObject(), *vars;
	size_t		 k;

	for (k = 0; k < sizeof(cols) / sizeof(cols[0]); k++) {
		if (cols[k].col != NULL) {
			wa_json_add_strn(o, cols[k].key,
			    wa_db_get(res, i, cols[k].col));
			continue;
		}
		v = wa_db_get(res, i, "variables");
		vars = v != NULL ? wa_json_parse(v, strlen(v),
		    WA_JSON_DEPTH_MAX, &why) : NULL;
		cJSON_AddItemToObject(o, "variables", vars != NULL ? vars :
		    cJSON_CreateObject());
	}
	return o;
}

enum wa_err
recipients_list(struct wa_req *r)
{
	static const char sql_head[] =
	    "SELECT b.recipient_count, b.sent_count, b.delivered_count, "
	    "b.read_count, b.failed_count, b.unknown_count "
	    "FROM wa.broadcasts b WHERE b.id = $1 AND " BC_VISIBLE("$2");
	/* the status of a recipient is its message's, in Late's words */
	static const char sql[] =
	    "SELECT x.* FROM (SELECT r.seq, "
	    "r.phone, r.name, r.variables::text AS variables, "
	    "CASE WHEN m.status IS NULL OR m.status IN ('queued', 'sending') "
	    "THEN 'pending' WHEN m.status = 'skipped' THEN 'failed' "
	    "ELSE m.status END AS status, m.wamid, m.error, "
	    "wa.rfc3339(m.sent_at) AS sent, "
	    "wa.rfc3339(m.delivered_at) AS delivered, "
	    "wa.rfc3339(m.read_at) AS read "
	    "FROM wa.broadcast_recipients r "
	    "LEFT JOIN wa.messages m ON m.batch_id = r.broadcast_id "
	    "AND m.seq = r.seq "
	    "WHERE r.broadcast_id = $1) x "
	    "WHERE $2::text IS NULL OR x.status = $2 "
	    "ORDER BY x.seq LIMIT $3::integer OFFSET $4::bigint";
	const char		*id, *status = wa_req_query(r, "status");
	const char *const	*s;
	PGresult		*head, *res;
	cJSON			*data, *arr, *pg, *sum;
	long			 limit, skip;
	long long		 total, c[6], by[6];
	int			 i, n;

	if ((id = bc_path_id(r)) == NULL)
		return r->err.code;
	if (status != NULL) {
		for (s = statuses; *s != NULL && strcmp(*s, status) != 0; s++)
			;
		if (*s == NULL)
			wa_fail_field(r, "status", "must be one of pending, "
			    "sent, delivered, read, failed, unknown");
	}
	bc_page(r, BC_RECIPIENTS_DEFAULT, BC_RECIPIENTS_LIST_MAX, &limit,
	    &skip);
	if (r->err.code != WA_OK ||
	    wa_db_q(r, &head, sql_head, 2, id, r->auth.profile_id) != WA_OK)
		return r->err.code;
	if (wa_db_one_or_fail(r, head, NULL, "Broadcast") != WA_OK)
		return r->err.code;
	if (wa_db_q(r, &res, sql, 4, id, status,
	    wa_arena_printf(r->arena, "%ld", limit),
	    wa_arena_printf(r->arena, "%ld", skip)) != WA_OK)
		return r->err.code;
	c[0] = wa_db_int(head, 0, "recipient_count", 0);
	c[1] = wa_db_int(head, 0, "sent_count", 0);
	c[2] = wa_db_int(head, 0, "delivered_count", 0);
	c[3] = wa_db_int(head, 0, "read_count", 0);
	c[4] = wa_db_int(head, 0, "failed_count", 0);
	c[5] = wa_db_int(head, 0, "unknown_count", 0);
	/* counters are cumulative (delivered ones were sent): Late's
	 * summary counts each recipient once, by where it is now, in the
	 * order of statuses[] */
	by[0] = c[0] - c[1] - c[4] - c[5];
	by[1] = c[1] - c[2];
	by[2] = c[2] - c[3];
	by[3] = c[3];
	by[4] = c[4];
	by[5] = c[5];
	/* the filtered list's total is its status's count */
	total = c[0];
	for (i = 0; status != NULL && statuses[i] != NULL; i++)
		if (strcmp(statuses[i], status) == 0)
			total = by[i];
	n = PQntuples(res);
	data = cJSON_CreateObject();
	arr = cJSON_AddArrayToObject(data, "recipients");
	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(arr, recipient(res, i));
	pg = cJSON_AddObjectToObject(data, "pagination");
	cJSON_AddNumberToObject(pg, "total", (double)total);
	cJSON_AddNumberToObject(pg, "limit", (double)limit);
	cJSON_AddNumberToObject(pg, "skip", (double)skip);
	cJSON_AddBoolToObject(pg, "hasMore", skip + n < total);
	sum = cJSON_AddObjectToObject(data, "summary");
	cJSON_AddNumberToObject(sum, "total", (double)c[0]);
	for (i = 0; statuses[i] != NULL; i++)
		cJSON_AddNumberToObject(sum, statuses[i], (double)by[i]);
	return wa_resp_ok(r, 200, data);
}
