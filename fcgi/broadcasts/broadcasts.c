/*
 * Broadcasts: list, create (a draft, with recipients if given), get,
 * delete (a draft or cancelled one).  A broadcast is found by its id
 * alone (the SDK sends no accountId there): row-level security limits it
 * to the caller's organization and BC_VISIBLE to the accounts the key may
 * use, so another tenant's id is a plain 404.
 */
#include <string.h>

#include "arena.h"
#include "clock.h"
#include "crypto.h"
#include "db.h"
#include "json.h"
#include "resp.h"
#include "utf8.h"

#include "broadcasts.h"

/* Column -> member, in the seed's order; ints are numbers. */
static const struct {
	const char	*col;
	const char	*key;
	int		 num;
	int		 full;		/* GET one only */
} members[] = {
	{ "id", "id", 0, 0 },
	{ "name", "name", 0, 0 },
	{ "description", "description", 0, 0 },
	{ NULL, "template", 0, 0 },
	{ "status", "status", 0, 0 },
	{ "recipient_count", "recipientCount", 1, 0 },
	{ "sched", "scheduledAt", 0, 0 },
	{ "started", "startedAt", 0, 0 },
	{ "completed", "completedAt", 0, 0 },
	{ "sent_count", "sentCount", 1, 0 },
	{ "delivered_count", "deliveredCount", 1, 0 },
	{ "read_count", "readCount", 1, 0 },
	{ "failed_count", "failedCount", 1, 0 },
	{ "unknown_count", "unknownCount", 1, 0 },
	{ "paused", "pausedReason", 0, 0 },
	{ "created", "createdAt", 0, 0 },
	{ "updated", "updatedAt", 0, 1 },
};

cJSON *
bc_render(struct wa_req *r, const PGresult *res, int row, int full)
{
	cJSON		*o = cJSON_CreateObject(), *t, *c;
	const char	*v, *why;
	size_t		 i;

	for (i = 0; i < sizeof(members) / sizeof(members[0]); i++) {
		if (members[i].full && !full)
			continue;
		if (members[i].col == NULL) {
			t = cJSON_AddObjectToObject(o, "template");
			cJSON_AddStringToObject(t, "name",
			    wa_db_get(res, row, "template_name"));
			cJSON_AddStringToObject(t, "language",
			    wa_db_get(res, row, "template_language"));
			v = wa_db_get(res, row, "components");
			c = v != NULL ? wa_json_parse(v, strlen(v),
			    WA_JSON_DEPTH_MAX, &why) : NULL;
			if (cJSON_GetArraySize(c) > 0)
				cJSON_AddItemToObject(t, "components", c);
			continue;
		}
		v = wa_db_get(res, row, members[i].col);
		if (members[i].num)
			cJSON_AddNumberToObject(o, members[i].key,
			    (double)wa_db_int(res, row, members[i].col, 0));
		else
			wa_json_add_strn(o, members[i].key, v);
	}
	(void)r;
	return o;
}

enum wa_err
broadcasts_list(struct wa_req *r)
{
	static const char *const statuses[] = { "draft", "scheduled",
	    "sending", "completed", "failed", "cancelled", NULL };
	static const char sql[] =
	    "SELECT " BC_COLUMNS ", count(*) OVER () AS total "
	    "FROM wa.broadcasts b WHERE b.account_id = $1 "
	    "AND ($2::text IS NULL OR b.status = $2) "
	    "ORDER BY b.created_at DESC, b.id DESC "
	    "LIMIT $3::integer OFFSET $4::bigint";
	static const char sql_count[] =
	    "SELECT count(*) AS n FROM wa.broadcasts b "
	    "WHERE b.account_id = $1 AND ($2::text IS NULL OR b.status = $2)";
	struct wa_account	 acc;
	const char		*status = wa_req_query(r, "status");
	const char *const	*s;
	PGresult		*res;
	cJSON			*data, *arr, *pg;
	long			 limit, skip;
	long long		 total;
	int			 i, n;

	if (status != NULL) {
		for (s = statuses; *s != NULL && strcmp(*s, status) != 0; s++)
			;
		if (*s == NULL)
			wa_fail_field(r, "status", "must be one of draft, "
			    "scheduled, sending, completed, failed, cancelled");
	}
	bc_page(r, BC_LIMIT_DEFAULT, BC_LIMIT_MAX, &limit, &skip);
	if (r->err.code != WA_OK ||
	    bc_account(r, wa_req_query(r, "accountId"), &acc) != WA_OK)
		return r->err.code;
	if (wa_db_q(r, &res, sql, 4, acc.id, status,
	    wa_arena_printf(r->arena, "%ld", limit),
	    wa_arena_printf(r->arena, "%ld", skip)) != WA_OK)
		return r->err.code;
	n = PQntuples(res);
	if (n > 0)
		total = wa_db_int(res, 0, "total", 0);
	else {
		/* a page past the end still says how many there are */
		PGresult	*cnt;

		if (wa_db_q(r, &cnt, sql_count, 2, acc.id, status) != WA_OK)
			return r->err.code;
		total = wa_db_int(cnt, 0, "n", 0);
	}
	data = cJSON_CreateObject();
	arr = cJSON_AddArrayToObject(data, "broadcasts");
	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(arr, bc_render(r, res, i, 0));
	pg = cJSON_AddObjectToObject(data, "pagination");
	cJSON_AddNumberToObject(pg, "total", (double)total);
	cJSON_AddNumberToObject(pg, "limit", (double)limit);
	cJSON_AddNumberToObject(pg, "skip", (double)skip);
	cJSON_AddBoolToObject(pg, "hasMore", skip + n < total);
	return wa_resp_ok(r, 200, data);
}

static const struct wa_field create_fields[] = {
	WA_FIELD_STR("accountId", WA_F_REQUIRED_TEXT, 64),
	WA_FIELD_STR("name", WA_F_REQUIRED_TEXT, BC_NAME_MAX),
	WA_FIELD_STR("description", WA_F_NULLABLE, BC_DESCRIPTION_MAX),
	WA_FIELD_END
};

enum wa_err
broadcasts_create(struct wa_req *r)
{
	static const char sql[] =
	    "INSERT INTO wa.broadcasts AS b (id, org_id, account_id, name, "
	    "description, template_name, template_language, "
	    "template_components) "
	    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb) "
	    "RETURNING " BC_COLUMNS;
	static const char sql_again[] =
	    "SELECT " BC_COLUMNS " FROM wa.broadcasts b WHERE b.id = $1";
	struct wa_account	 acc;
	struct wa_send_tpl	 t;
	char			 id[WA_UUID_LEN];
	const char		*vals[8];
	PGresult		*res;
	cJSON			*body, *rows, *data, *b;
	long			 dups, added = 0;
	long long		 total = 0;

	if (wa_json_body(r, &body) != WA_OK)
		return r->err.code;
	wa_json_validate(r, body, create_fields, NULL);
	wa_send_tpl_parse(r, body, "template", &t);
	bc_recipients_parse(r, body, "recipients", 0, BC_ADD_MAX, 0, &rows,
	    &dups);
	if (r->err.code != WA_OK ||
	    bc_account(r, wa_json_str(body, "accountId"), &acc) != WA_OK)
		return r->err.code;
	if (wa_crypto_uuid7((uint64_t)wa_clock_now_ms(), id) != 0)
		return wa_fail(r, WA_ERR_INTERNAL, "no random bytes");
	vals[0] = id;
	vals[1] = acc.org_id;
	vals[2] = acc.id;
	vals[3] = wa_json_str(body, "name");
	vals[4] = wa_json_str(body, "description");
	vals[5] = t.name;
	vals[6] = t.language;
	vals[7] = wa_json_print(t.components);
	if (wa_db_exec(r, &res, sql, 8, vals) != WA_OK)
		return r->err.code;
	if (cJSON_GetArraySize(rows) > 0) {
		if (bc_recipients_insert(r, id, rows, &added, &total) !=
		    WA_OK ||
		    wa_db_q(r, &res, sql_again, 1, id) != WA_OK)
			return r->err.code;
	}
	data = cJSON_CreateObject();
	b = bc_render(r, res, 0, 0);
	cJSON_AddItemToObject(data, "broadcast", b);
	return wa_resp_ok(r, 200, data);
}

enum wa_err
broadcasts_get(struct wa_req *r)
{
	static const char sql[] =
	    "SELECT " BC_COLUMNS " FROM wa.broadcasts b "
	    "WHERE b.id = $1 AND " BC_VISIBLE("$2");
	const char	*id;
	PGresult	*res;
	cJSON		*data;

	if ((id = bc_path_id(r)) == NULL ||
	    wa_db_q(r, &res, sql, 2, id, r->auth.profile_id) != WA_OK)
		return r->err.code;
	if (wa_db_one_or_fail(r, res, NULL, "Broadcast") != WA_OK)
		return r->err.code;
	data = cJSON_CreateObject();
	cJSON_AddItemToObject(data, "broadcast", bc_render(r, res, 0, 1));
	return wa_resp_ok(r, 200, data);
}

enum wa_err
broadcasts_delete(struct wa_req *r)
{
	static const char sql[] =
	    "WITH b AS (SELECT b.id, b.status FROM wa.broadcasts b "
	    "WHERE b.id = $1 AND " BC_VISIBLE("$2") " FOR UPDATE), "
	    "d AS (DELETE FROM wa.broadcasts x USING b WHERE x.id = b.id "
	    "AND b.status IN ('draft', 'cancelled') RETURNING x.id) "
	    "SELECT b.status, (SELECT count(*) FROM d) AS deleted FROM b";
	const char	*id;
	PGresult	*res;
	cJSON		*data;

	if ((id = bc_path_id(r)) == NULL ||
	    wa_db_q(r, &res, sql, 2, id, r->auth.profile_id) != WA_OK)
		return r->err.code;
	if (wa_db_one_or_fail(r, res, NULL, "Broadcast") != WA_OK)
		return r->err.code;
	if (wa_db_int(res, 0, "deleted", 0) != 1)
		return wa_fail_as(r, WA_ERR_BAD_REQUEST, "invalid_status",
		    "Can only delete draft or cancelled broadcasts; this one "
		    "is %s", wa_db_get(res, 0, "status"));
	data = cJSON_CreateObject();
	cJSON_AddStringToObject(data, "message",
	    "Broadcast deleted successfully");
	return wa_resp_ok(r, 200, data);
}
