/*
 * The flow settings are a field table (lib/json.h); the definition is
 * the engine's to judge (wa_flow_compile), and its problems join the
 * same list of messages.  What neither can say alone (KEYWORD needs
 * keywords, steps and json exclude each other) follows the tables.
 */
#include <string.h>

#include "arena.h"
#include "flows.h"
#include "json.h"
#include "valid.h"

static const char *const trigger_types[] = {
	"KEYWORD", "INTENT", "MANUAL", "AUTO_REPLY", NULL
};

/* Fields of both create and PATCH; "name" differs.  The definition
 * (steps or json) is the engine's to check. */
static const struct wa_field common[] = {
	WA_FIELD_STR("description", WA_F_NULLABLE, 2000),
	WA_FIELD_STR_CHECK("phoneNumberId", WA_F_NULLABLE, 0, wa_valid_uuid,
	    "must be the id of a WhatsApp number of the organization "
	    "(a UUID)"),
	WA_FIELD_ENUM("triggerType", 0, trigger_types),
	WA_FIELD_OBJ("triggerConfig", WA_F_NULLABLE, NULL),
	WA_FIELD_BOOL("enabled", 0),
	/* Mosend's SDK sends it; a flow belongs to numbers, not to a
	 * WABA, so it is accepted and ignored */
	WA_FIELD_STR("wabaId", WA_F_NULLABLE, 64),
	WA_FIELD_END
};

static const struct wa_field create_only[] = {
	WA_FIELD_STR("name", WA_F_REQUIRED_TEXT, 255),
	WA_FIELD_END
};

static const struct wa_field update_only[] = {
	WA_FIELD_STR("name", WA_F_NONEMPTY, 255),
	WA_FIELD_END
};

static const struct wa_field keywords[] = {
	WA_FIELD_ARR_STR("keywords", WA_F_REQUIRED, 1, 50, 100),
	WA_FIELD_END
};

enum wa_err
flow_report_fail(struct wa_req *r, const struct wa_flow_report *rep)
{
	size_t	i, keep = rep->nerrors + rep->errors_more;

	/* one message per problem, as many as the envelope holds; the
	 * last slot then counts the rest */
	if (keep > WA_ERR_FIELDS_MAX)
		keep = WA_ERR_FIELDS_MAX - 1;
	for (i = 0; i < keep && i < rep->nerrors; i++)
		wa_fail_field(r, rep->errors[i].path, "%s", rep->errors[i].msg);
	if (keep < rep->nerrors + rep->errors_more)
		wa_fail_field(r, "steps", "has %zu more problems not listed",
		    rep->nerrors + rep->errors_more - keep);
	return WA_ERR_VALIDATION;
}

/* The definition of a body: steps, or json (the array itself or
 * {"steps": [...]}).  *path names it in messages. */
static const cJSON *
definition(struct wa_req *r, const cJSON *body, const char **path)
{
	const cJSON	*steps, *json;

	steps = cJSON_GetObjectItemCaseSensitive(body, "steps");
	json = cJSON_GetObjectItemCaseSensitive(body, "json");
	*path = "steps";
	if (json == NULL || cJSON_IsNull(json))
		return steps != NULL && !cJSON_IsNull(steps) ? steps : NULL;
	if (steps != NULL && !cJSON_IsNull(steps)) {
		wa_fail_field(r, "json", "cannot be given together with steps "
		    "(json is an alias that replaces the whole definition)");
		return NULL;
	}
	*path = "json";
	if (cJSON_IsObject(json)) {
		*path = "json.steps";
		return cJSON_GetObjectItemCaseSensitive(json, "steps");
	}
	return json;
}

static int
given(const cJSON *body, const char *name)
{
	return cJSON_GetObjectItemCaseSensitive(body, name) != NULL;
}

/* KEYWORD flows start on words: triggerConfig.keywords is required,
 * whichever of the two the request changes. */
static void
check_trigger(struct wa_req *r, const cJSON *body,
    const struct flow_current *cur)
{
	const char	*type = wa_json_str(body, "triggerType"), *why;
	const cJSON	*cfg = cJSON_GetObjectItemCaseSensitive(body,
	    "triggerConfig");

	if (type == NULL)
		type = cur != NULL ? cur->trigger_type : "MANUAL";
	if (cfg == NULL && cur != NULL && cur->trigger_config != NULL)
		cfg = wa_json_parse(cur->trigger_config,
		    strlen(cur->trigger_config), WA_JSON_DEPTH_MAX, &why);
	if (cJSON_IsObject(cfg) && (why = wa_flow_value_check(cfg)) != NULL)
		wa_fail_field(r, "triggerConfig", "%s", why);
	if (strcmp(type, "KEYWORD") != 0)
		return;
	if (!cJSON_IsObject(cfg))
		wa_fail_field(r, "triggerConfig.keywords", "is required when "
		    "triggerType is KEYWORD");
	else
		wa_json_validate(r, cfg, keywords, "triggerConfig");
}

enum wa_err
flow_input_parse(struct wa_req *r, const cJSON *body,
    const struct flow_current *cur, struct flow_input *in)
{
	const cJSON	*steps, *v;
	const char	*path;

	memset(in, 0, sizeof(*in));
	in->enabled = -1;
	wa_json_validate(r, body, cur == NULL ? create_only : update_only,
	    NULL);
	wa_json_validate(r, body, common, NULL);
	check_trigger(r, body, cur);
	steps = definition(r, body, &path);
	if (steps != NULL && wa_flow_compile(r->arena, steps, path,
	    &in->lint) == NULL)
		flow_report_fail(r, &in->lint);
	if (r->err.code != WA_OK)
		return r->err.code;

	in->name = wa_json_str(body, "name");
	if ((in->set_description = given(body, "description")))
		in->description = wa_json_str(body, "description");
	if ((in->set_phone = given(body, "phoneNumberId")))
		in->phone_number_id = wa_json_str(body, "phoneNumberId");
	in->trigger_type = wa_json_str(body, "triggerType");
	if ((in->set_trigger_config = given(body, "triggerConfig")) &&
	    cJSON_IsObject(v = cJSON_GetObjectItemCaseSensitive(body,
	    "triggerConfig")))
		in->trigger_config = wa_json_print(v);
	if (given(body, "enabled"))
		in->enabled = wa_json_bool(body, "enabled", 0);
	if (steps != NULL)
		in->steps = wa_json_print(steps);
	return WA_OK;
}

enum wa_err
flow_load(struct wa_req *r, const char *text, struct wa_flow **f,
    struct wa_flow_report *rep)
{
	const char	*why;
	cJSON		*steps;

	steps = wa_json_parse(text, strlen(text), WA_JSON_DEPTH_MAX, &why);
	if ((*f = wa_flow_compile(r->arena, steps, "steps", rep)) != NULL)
		return WA_OK;
	/* saved definitions were valid when saved; only a stricter
	 * engine can refuse one now */
	return wa_fail(r, WA_ERR_UNPROCESSABLE, "The stored definition is "
	    "no longer valid: %s %s; update the flow's steps",
	    rep->nerrors > 0 ? rep->errors[0].path : "steps",
	    rep->nerrors > 0 ? rep->errors[0].msg : "cannot be read");
}
