/*
 * POST .../{id}/test-run: the draft (or "version": "published", or a
 * version number) run by the engine against the request's scripted
 * conversation.  Nothing is stored and nothing leaves the process:
 * http_request steps are answered from the request's mocks.
 */
#include <string.h>

#include "arena.h"
#include "clock.h"
#include "db.h"
#include "flows.h"
#include "json.h"
#include "resp.h"

/* The steps to run, as text, and the number's phone for system.phone. */
static enum wa_err
load(struct wa_req *r, const char *id, const cJSON *version,
    const char **steps, const char **phone, cJSON **label)
{
	static const char sql_flow[] =
	    "SELECT f.steps::text AS steps, f.published_version, "
	    "a.display_phone_number FROM wa.bot_flows f "
	    "LEFT JOIN wa.wa_accounts a ON a.org_id = f.org_id "
	    "AND a.id = f.phone_number_id "
	    "WHERE f.id = $1 AND f.deleted_at IS NULL";
	static const char sql_version[] =
	    "SELECT steps::text AS steps, version FROM wa.bot_flow_versions "
	    "WHERE flow_id = $1 AND version = $2::int";
	PGresult	*res;
	const char	*v;
	char		 num[16];

	if (wa_db_q(r, &res, sql_flow, 1, id) != WA_OK ||
	    wa_db_one_or_fail(r, res, NULL, FLOW_WHAT) != WA_OK)
		return r->err.code;
	*steps = wa_db_get(res, 0, "steps");
	*phone = wa_db_get(res, 0, "display_phone_number");
	v = wa_db_get(res, 0, "published_version");
	if (version == NULL || cJSON_IsNull(version) ||
	    (cJSON_IsString(version) &&
	    strcmp(version->valuestring, "draft") == 0)) {
		*label = cJSON_CreateString("draft");
		return WA_OK;
	}
	if (cJSON_IsString(version)) {
		if (v == NULL)
			return wa_fail(r, WA_ERR_UNPROCESSABLE, "The flow is "
			    "not published; test-run its draft, or a version "
			    "by number");
	} else {
		snprintf(num, sizeof(num), "%d", (int)version->valuedouble);
		v = num;
	}
	if (wa_db_q(r, &res, sql_version, 2, id, v) != WA_OK ||
	    wa_db_one_or_fail(r, res, NULL, wa_arena_printf(r->arena,
	    "flow version %s", v)) != WA_OK)
		return r->err.code;
	*steps = wa_db_get(res, 0, "steps");
	*label = cJSON_CreateNumber((double)wa_db_int(res, 0, "version", 0));
	return WA_OK;
}

static int
valid_version(const cJSON *v)
{
	if (v == NULL || cJSON_IsNull(v))
		return 1;
	if (cJSON_IsString(v))
		return strcmp(v->valuestring, "draft") == 0 ||
		    strcmp(v->valuestring, "published") == 0;
	return cJSON_IsNumber(v) && v->valuedouble >= 1 &&
	    v->valuedouble <= 1000000 &&
	    v->valuedouble == (int)v->valuedouble;
}

enum wa_err
flows_test_run(struct wa_req *r)
{
	struct wa_flow_report	 rep, lint;
	struct wa_flow_run_in	 in;
	struct wa_flow_run_out	 out;
	struct wa_flow		*f;
	const cJSON		*version;
	struct wa_flow_path	 sys_phone;
	const char		*id, *steps = NULL, *phone = NULL;
	cJSON			*body, *label = NULL, *o;

	if ((id = flow_id(r)) == NULL ||
	    wa_json_body(r, &body) != WA_OK)
		return r->err.code;
	version = cJSON_GetObjectItemCaseSensitive(body, "version");
	if (!valid_version(version))
		wa_fail_field(r, "version", "must be \"draft\", \"published\" "
		    "or a version number");
	/* the input is checked before the flow is looked up, so that a
	 * malformed request is a 400 whatever the id */
	if (wa_flow_run_input(r->arena, body, NULL, wa_clock_now_ms(), &in,
	    &rep) != 0)
		flow_report_fail(r, &rep);
	if (r->err.code != WA_OK)
		return r->err.code;
	if (load(r, id, version, &steps, &phone, &label) != WA_OK ||
	    flow_load(r, steps, &f, &lint) != WA_OK)
		return r->err.code;
	if (phone != NULL && wa_flow_path_parse(r->arena, "system.phone", 12,
	    &sys_phone) == NULL)
		(void)wa_flow_vars_set(in.vars, &sys_phone,
		    cJSON_CreateString(phone));
	in.flow = f;
	wa_flow_run(r->arena, &in, &out);

	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "flowId", id);
	cJSON_AddItemToObject(o, "version", label);
	cJSON_AddStringToObject(o, "status",
	    wa_flow_status_names[out.status]);
	wa_json_add_strn(o, "error", out.error);
	wa_json_add_strn(o, "stoppedAt", out.at);
	cJSON_AddItemToObject(o, "steps", out.trace);
	cJSON_AddItemToObject(o, "finalVariables", in.vars);
	cJSON_AddItemToObject(o, "coverage", out.coverage);
	cJSON_AddItemToObject(o, "lint", flow_lint_json(r, &lint));
	cJSON_AddNumberToObject(o, "stepsRun", (double)out.steps_run);
	cJSON_AddNumberToObject(o, "messagesConsumed",
	    (double)out.messages_used);
	cJSON_AddNumberToObject(o, "messagesLeft", (double)out.messages_left);
	return wa_resp_ok(r, 201, o);
}
