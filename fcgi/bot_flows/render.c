/*
 * The flow object, in the order the issue lists its fields, then what
 * wagate adds (publishedVersion, hasUnpublishedChanges, lint; stepCount
 * in lists, which leave the steps out).
 */

#include "arena.h"
#include "db.h"
#include "flows.h"
#include "json.h"
#include "pgval.h"
#include "resp.h"

#define FLOW_SELECT \
	"SELECT f.id, f.name, f.description, f.phone_number_id, " \
	"f.trigger_type, f.trigger_config::text AS trigger_config, " \
	"f.enabled, f.published_version IS NOT NULL AS published, " \
	"wa.rfc3339(f.published_at) AS published_at, f.version, " \
	"f.published_version, wa.rfc3339(f.created_at) AS created_at, " \
	"wa.rfc3339(f.updated_at) AS updated_at, " \
	"json_array_length(f.steps) AS step_count, " \
	"f.steps::text IS DISTINCT FROM (SELECT v.steps::text " \
	"FROM wa.bot_flow_versions v WHERE v.org_id = f.org_id " \
	"AND v.flow_id = f.id AND v.version = f.version) AS changed"

const char flow_sql_get[] = FLOW_SELECT ", f.steps::text AS steps "
    "FROM wa.bot_flows f WHERE f.id = $1 AND f.deleted_at IS NULL";

/*
 * Newest first, a page at a time: the page after ($1 time, $2 id), at
 * most $3 flows (the first page is after 'infinity').  The time is
 * written to the microsecond, so the next page starts exactly after
 * the last flow of this one.  A flow for all numbers is also a flow of
 * each one.
 */
const char flow_sql_list[] = FLOW_SELECT ", "
    WA_PGVAL_CURSOR_TIME("f.created_at") " AS cursor_at "
    "FROM wa.bot_flows f WHERE f.deleted_at IS NULL "
    "AND (f.created_at, f.id) < ($1::timestamptz, $2::uuid) "
    "ORDER BY f.created_at DESC, f.id DESC LIMIT $3::integer";

const char flow_sql_list_phone[] = FLOW_SELECT ", "
    WA_PGVAL_CURSOR_TIME("f.created_at") " AS cursor_at "
    "FROM wa.bot_flows f WHERE f.deleted_at IS NULL "
    "AND (f.phone_number_id = $4 OR f.phone_number_id IS NULL) "
    "AND (f.created_at, f.id) < ($1::timestamptz, $2::uuid) "
    "ORDER BY f.created_at DESC, f.id DESC LIMIT $3::integer";

/* A json column as it is stored: PostgreSQL checked it on the way in,
 * and it was written by wa_json_print(), so it goes out without a
 * parse and a print. */
static void
add_json(cJSON *o, const char *key, const PGresult *res, int row,
    const char *col)
{
	const char	*v = wa_db_get(res, row, col);

	if (v == NULL)
		cJSON_AddNullToObject(o, key);
	else
		cJSON_AddRawToObject(o, key, v);
}

static void
add_int(cJSON *o, const char *key, const PGresult *res, int row,
    const char *col)
{
	if (wa_db_get(res, row, col) == NULL)
		cJSON_AddNullToObject(o, key);
	else
		cJSON_AddNumberToObject(o, key,
		    (double)wa_db_int(res, row, col, 0));
}

cJSON *
flow_render(struct wa_req *r, const PGresult *res, int row, int full)
{
	cJSON	*o = cJSON_CreateObject();

	(void)r;
	wa_json_add_strn(o, "id", wa_db_get(res, row, "id"));
	wa_json_add_strn(o, "name", wa_db_get(res, row, "name"));
	wa_json_add_strn(o, "description", wa_db_get(res, row,
	    "description"));
	wa_json_add_strn(o, "phoneNumberId", wa_db_get(res, row,
	    "phone_number_id"));
	wa_json_add_strn(o, "triggerType", wa_db_get(res, row,
	    "trigger_type"));
	add_json(o, "triggerConfig", res, row, "trigger_config");
	cJSON_AddBoolToObject(o, "enabled", wa_db_bool(res, row, "enabled",
	    1));
	if (full)
		add_json(o, "steps", res, row, "steps");
	cJSON_AddBoolToObject(o, "published", wa_db_bool(res, row,
	    "published", 0));
	wa_json_add_strn(o, "publishedAt", wa_db_get(res, row,
	    "published_at"));
	add_int(o, "version", res, row, "version");
	wa_json_add_strn(o, "createdAt", wa_db_get(res, row, "created_at"));
	wa_json_add_strn(o, "updatedAt", wa_db_get(res, row, "updated_at"));
	add_int(o, "publishedVersion", res, row, "published_version");
	cJSON_AddBoolToObject(o, "hasUnpublishedChanges", wa_db_bool(res, row,
	    "changed", 1));
	if (!full)
		add_int(o, "stepCount", res, row, "step_count");
	return o;
}

cJSON *
flow_lint_json(struct wa_req *r, const struct wa_flow_report *rep)
{
	cJSON	*a = cJSON_CreateArray(), *w;
	size_t	 i;

	for (i = 0; i < rep->nlint; i++) {
		w = cJSON_CreateObject();
		wa_json_add_strn(w, "stepId", rep->lint[i].step_id);
		cJSON_AddStringToObject(w, "path", rep->lint[i].path);
		cJSON_AddStringToObject(w, "rule", rep->lint[i].rule);
		cJSON_AddItemToObject(w, "message", cJSON_CreateString(
		    wa_arena_printf(r->arena, "%s %s", rep->lint[i].path,
		    rep->lint[i].msg)));
		cJSON_AddItemToArray(a, w);
	}
	return a;
}

enum wa_err
flow_respond(struct wa_req *r, const char *id, int status)
{
	struct wa_flow_report	 rep;
	struct wa_flow		*f;
	PGresult		*res;
	cJSON			*o;

	if (wa_db_q(r, &res, flow_sql_get, 1, id) != WA_OK ||
	    wa_db_one_or_fail(r, res, NULL, FLOW_WHAT) != WA_OK)
		return r->err.code;
	o = flow_render(r, res, 0, 1);
	if (flow_load(r, wa_db_get(res, 0, "steps"), &f, &rep) != WA_OK)
		return r->err.code;
	cJSON_AddItemToObject(o, "lint", flow_lint_json(r, &rep));
	return wa_resp_ok(r, status, o);
}
