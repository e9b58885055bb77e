/*
 * The operations of /organizations/{orgId}/bot/flows.  The dispatcher
 * has authenticated the key, set the tenant (row-level security limits
 * every statement below to the caller's organization), checked the
 * role and {orgId}, and runs each handler in one transaction.
 */
#include <stdlib.h>
#include <string.h>

#include "accounts.h"
#include "arena.h"
#include "crypto.h"
#include "db.h"
#include "flows.h"
#include "json.h"
#include "pgval.h"
#include "resp.h"
#include "valid.h"

const char *
flow_id(struct wa_req *r)
{
	return wa_req_id(r, "id", NULL, FLOW_WHAT);
}

/* A phoneNumberId names a WhatsApp account the caller may use (404). */
static enum wa_err
check_phone(struct wa_req *r, const char *id)
{
	struct wa_account	acc;

	if (id == NULL)
		return WA_OK;
	return wa_account_get(r, id, &acc);
}

/*
 * Runs sql, which changes the live flow $1 (and takes $2 = arg when arg
 * is not NULL); 404 unless it changed exactly that one row.
 */
static enum wa_err
change_one(struct wa_req *r, const char *sql, const char *id,
    const char *arg)
{
	PGresult	*res;

	if (wa_db_q(r, &res, sql, arg != NULL ? 2 : 1, id, arg) != WA_OK)
		return r->err.code;
	if (strcmp(PQcmdTuples(res), "1") != 0)
		return wa_fail_not_found(r, NULL, FLOW_WHAT);
	return WA_OK;
}

/*
 * Mosend's list is an array in `data`, as the seed has it; a page of it
 * is bounded, and headers say whether there is more and where the next
 * page starts (Link rel="next", ?cursor=; docs/flows.md).
 */
enum wa_err
flows_list(struct wa_req *r)
{
	const char	*phone = wa_req_query(r, "phoneNumberId");
	const char	*at, *id, *n, *next = NULL;
	PGresult	*res;
	cJSON		*arr;
	long		 limit;
	int		 i, rows;

	limit = wa_req_query_long(r, "limit", FLOW_PAGE_MAX, 1, FLOW_PAGE_MAX);
	if (wa_pgval_cursor(r->arena, wa_req_query(r, "cursor"), &at, &id) !=
	    0)
		wa_fail_field(r, "cursor", "must be one this list gave in its "
		    "Link header");
	if (r->err.code != WA_OK)
		return r->err.code;
	/* one more than the page: is there a next one? */
	n = wa_arena_printf(r->arena, "%ld", limit + 1);
	if (phone != NULL && *phone != '\0') {
		if (check_phone(r, phone) != WA_OK ||
		    wa_db_q(r, &res, flow_sql_list_phone, 4, at, id, n,
		    phone) != WA_OK)
			return r->err.code;
	} else if (wa_db_q(r, &res, flow_sql_list, 3, at, id, n) != WA_OK)
		return r->err.code;
	rows = PQntuples(res) > limit ? (int)limit : PQntuples(res);
	arr = cJSON_CreateArray();
	for (i = 0; i < rows; i++)
		cJSON_AddItemToArray(arr, flow_render(r, res, i, 0));
	if (rows > 0 && PQntuples(res) > limit)
		next = wa_arena_printf(r->arena, "/organizations/%s/bot/flows"
		    "?limit=%ld&cursor=%s_%s%s%s", r->auth.org_id, limit,
		    wa_db_get(res, rows - 1, "cursor_at"),
		    wa_db_get(res, rows - 1, "id"), phone != NULL &&
		    *phone != '\0' ? "&phoneNumberId=" : "", phone != NULL &&
		    *phone != '\0' ? phone : "");
	wa_resp_paging(r, next != NULL, next, -1);
	return wa_resp_ok(r, 200, arr);
}

enum wa_err
flows_get(struct wa_req *r)
{
	const char	*id;

	if ((id = flow_id(r)) == NULL)
		return r->err.code;
	return flow_respond(r, id, 200);
}

enum wa_err
flows_create(struct wa_req *r)
{
	static const char sql[] =
	    "INSERT INTO wa.bot_flows (id, org_id, name, description, "
	    "phone_number_id, trigger_type, trigger_config, enabled, steps) "
	    "VALUES ($1, $2, $3, $4, $5, COALESCE($6, 'MANUAL'), $7::json, "
	    "COALESCE($8::boolean, true), COALESCE($9::json, '[]'))";
	struct flow_input	 in;
	cJSON			*body;
	PGresult		*res;
	char			 id[WA_UUID_LEN];

	if (wa_json_body(r, &body) != WA_OK ||
	    flow_input_parse(r, body, NULL, &in) != WA_OK ||
	    check_phone(r, in.phone_number_id) != WA_OK)
		return r->err.code;
	if (wa_crypto_uuid4(id) != 0)
		return wa_fail(r, WA_ERR_INTERNAL, "Internal error");
	if (wa_db_q(r, &res, sql, 9, id, r->auth.org_id, in.name,
	    in.description, in.phone_number_id, in.trigger_type,
	    in.trigger_config, in.enabled < 0 ? NULL : in.enabled ? "true" :
	    "false", in.steps) != WA_OK)
		return r->err.code;
	return flow_respond(r, id, 201);
}

/* Locks the flow and reads what a PATCH is checked against. */
static enum wa_err
load_current(struct wa_req *r, const char *id, struct flow_current *cur)
{
	static const char sql[] =
	    "SELECT trigger_type, trigger_config::text AS trigger_config "
	    "FROM wa.bot_flows WHERE id = $1 AND deleted_at IS NULL "
	    "FOR UPDATE";
	PGresult	*res;

	if (wa_db_q(r, &res, sql, 1, id) != WA_OK ||
	    wa_db_one_or_fail(r, res, NULL, FLOW_WHAT) != WA_OK)
		return r->err.code;
	cur->trigger_type = wa_db_get(res, 0, "trigger_type");
	cur->trigger_config = wa_db_get(res, 0, "trigger_config");
	return WA_OK;
}

enum wa_err
flows_update(struct wa_req *r)
{
	static const char sql[] =
	    "UPDATE wa.bot_flows SET name = COALESCE($2, name), "
	    "description = CASE WHEN $3::boolean THEN $4 ELSE description "
	    "END, phone_number_id = CASE WHEN $5::boolean THEN $6::uuid "
	    "ELSE phone_number_id END, "
	    "trigger_type = COALESCE($7, trigger_type), "
	    "trigger_config = CASE WHEN $8::boolean THEN $9::json "
	    "ELSE trigger_config END, "
	    "enabled = COALESCE($10::boolean, enabled), "
	    "steps = COALESCE($11::json, steps), updated_at = now() "
	    "WHERE id = $1 AND deleted_at IS NULL";
	struct flow_current	 cur;
	struct flow_input	 in;
	const char		*id;
	cJSON			*body;
	PGresult		*res;

	if ((id = flow_id(r)) == NULL || load_current(r, id, &cur) != WA_OK)
		return r->err.code;
	if (wa_json_body(r, &body) != WA_OK ||
	    flow_input_parse(r, body, &cur, &in) != WA_OK ||
	    check_phone(r, in.phone_number_id) != WA_OK)
		return r->err.code;
	if (wa_db_q(r, &res, sql, 11, id, in.name,
	    in.set_description ? "true" : "false", in.description,
	    in.set_phone ? "true" : "false", in.phone_number_id,
	    in.trigger_type, in.set_trigger_config ? "true" : "false",
	    in.trigger_config, in.enabled < 0 ? NULL : in.enabled ? "true" :
	    "false", in.steps) != WA_OK)
		return r->err.code;
	return flow_respond(r, id, 200);
}

enum wa_err
flows_delete(struct wa_req *r)
{
	static const char sql[] =
	    "UPDATE wa.bot_flows SET deleted_at = now(), updated_at = now() "
	    "WHERE id = $1 AND deleted_at IS NULL";
	const char	*id;

	if ((id = flow_id(r)) == NULL ||
	    change_one(r, sql, id, NULL) != WA_OK)
		return r->err.code;
	return wa_resp_empty(r, 204);
}

/*
 * Snapshots the draft as version N+1 and makes it the live one.  A
 * draft equal to the latest snapshot is not snapshotted again: that
 * version goes live (again, after an unpublish), so publishing twice
 * changes nothing.
 */
enum wa_err
flows_publish(struct wa_req *r)
{
	static const char sql_get[] =
	    "SELECT f.steps::text AS steps, f.version, f.published_version, "
	    "f.steps::text IS NOT DISTINCT FROM (SELECT v.steps::text "
	    "FROM wa.bot_flow_versions v WHERE v.org_id = f.org_id "
	    "AND v.flow_id = f.id AND v.version = f.version) AS same "
	    "FROM wa.bot_flows f WHERE f.id = $1 AND f.deleted_at IS NULL "
	    "FOR UPDATE";
	static const char sql_snap[] =
	    "INSERT INTO wa.bot_flow_versions (org_id, flow_id, version, "
	    "steps) SELECT org_id, id, version + 1, steps FROM wa.bot_flows "
	    "WHERE id = $1";
	static const char sql_live[] =
	    "UPDATE wa.bot_flows SET version = version + $2::int, "
	    "published_version = version + $2::int, published_at = now(), "
	    "updated_at = now() WHERE id = $1";
	struct wa_flow_report	 rep;
	struct wa_flow		*f;
	const char		*id, *live, *ver;
	PGresult		*res;
	int			 same;

	if ((id = flow_id(r)) == NULL ||
	    wa_db_q(r, &res, sql_get, 1, id) != WA_OK ||
	    wa_db_one_or_fail(r, res, NULL, FLOW_WHAT) != WA_OK)
		return r->err.code;
	if (flow_load(r, wa_db_get(res, 0, "steps"), &f, &rep) != WA_OK)
		return r->err.code;
	if (f->nsteps == 0)
		return wa_fail(r, WA_ERR_UNPROCESSABLE, "A flow needs at least "
		    "one step to be published");
	live = wa_db_get(res, 0, "published_version");
	ver = wa_db_get(res, 0, "version");
	same = wa_db_bool(res, 0, "same", 0);
	if (same && live != NULL && strcmp(live, ver) == 0)
		return flow_respond(r, id, 201);	/* already live */
	if (!same && wa_db_q(r, &res, sql_snap, 1, id) != WA_OK)
		return r->err.code;
	if (wa_db_q(r, &res, sql_live, 2, id, same ? "0" : "1") != WA_OK)
		return r->err.code;
	return flow_respond(r, id, 201);
}

enum wa_err
flows_unpublish(struct wa_req *r)
{
	static const char sql[] =
	    "UPDATE wa.bot_flows SET published_version = NULL, "
	    "published_at = NULL, updated_at = CASE WHEN published_version "
	    "IS NULL THEN updated_at ELSE now() END "
	    "WHERE id = $1 AND deleted_at IS NULL";
	const char	*id;

	if ((id = flow_id(r)) == NULL ||
	    change_one(r, sql, id, NULL) != WA_OK)
		return r->err.code;
	return flow_respond(r, id, 201);
}

/* An unpublished copy of the draft and settings, "<name> (copy)". */
enum wa_err
flows_duplicate(struct wa_req *r)
{
	static const char sql[] =
	    "INSERT INTO wa.bot_flows (id, org_id, name, description, "
	    "phone_number_id, trigger_type, trigger_config, enabled, steps) "
	    "SELECT $2, org_id, left(name, 248) || ' (copy)', description, "
	    "phone_number_id, trigger_type, trigger_config, enabled, steps "
	    "FROM wa.bot_flows WHERE id = $1 AND deleted_at IS NULL";
	const char	*id;
	char		 copy[WA_UUID_LEN];

	if ((id = flow_id(r)) == NULL)
		return r->err.code;
	if (wa_crypto_uuid4(copy) != 0)
		return wa_fail(r, WA_ERR_INTERNAL, "Internal error");
	if (change_one(r, sql, id, copy) != WA_OK)
		return r->err.code;
	return flow_respond(r, copy, 201);
}
