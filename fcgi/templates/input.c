/*
 * What a caller sends, checked before anything reaches Meta: the field
 * tables say what the seed says (name, category, language, components
 * required; the name rule ^[a-z][a-z0-9_]*$), and lib/graph_tpl.c says
 * what Meta would refuse inside the components.  Every problem is
 * listed, as a field error under its path ("components[0].text").
 */
#include <string.h>

#include "arena.h"
#include "graph/graph.h"
#include "json.h"

#include "templates.h"

#define MSG_NAME	"must start with a lower-case letter and hold only " \
	"lower-case letters, digits and underscores"
#define MSG_LANG	"must be a template language Meta supports, such as " \
	"en_US"

static int
name_ok(const char *s)
{
	return wa_graph_tpl_name_ok(s, 1);
}

static const char *const categories[] = {
	"AUTHENTICATION", "MARKETING", "UTILITY", NULL
};

/* NAMED ({{first_name}}) templates are not supported: docs/templates.md */
static const char *const formats[] = { "POSITIONAL", "positional", NULL };

static const struct wa_field create_fields[] = {
	WA_FIELD_STR("accountId", WA_F_REQUIRED_TEXT, 64),
	WA_FIELD_STR_CHECK("name", WA_F_REQUIRED_TEXT, WA_GRAPH_TPL_NAME_MAX,
	    name_ok, MSG_NAME),
	WA_FIELD_ENUM("category", WA_F_REQUIRED_TEXT, categories),
	WA_FIELD_STR_CHECK("language", WA_F_REQUIRED_TEXT, 16,
	    wa_graph_language_ok, MSG_LANG),
	WA_FIELD_ARR_OBJ("components", WA_F_REQUIRED, 1, 4, NULL),
	WA_FIELD_ENUM("parameter_format", 0, formats),
	WA_FIELD_END
};

static const struct wa_field update_fields[] = {
	WA_FIELD_STR("accountId", WA_F_REQUIRED_TEXT, 64),
	WA_FIELD_ARR_OBJ("components", 0, 1, 4, NULL),
	WA_FIELD_STR_CHECK("language", 0, 16, wa_graph_language_ok, MSG_LANG),
	WA_FIELD_INT("message_send_ttl_seconds", 0, 30, 2592000),
	WA_FIELD_END
};

static void
on_problem(void *ctx, const char *path, const char *msg, long subcode)
{
	(void)subcode;
	wa_fail_field(ctx, path, "%s", msg);
}

static void
upper_member(cJSON *o, const char *name)
{
	cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, name);
	char	*s;

	if (!cJSON_IsString(v))
		return;
	for (s = v->valuestring; *s != '\0'; s++)
		if (*s >= 'a' && *s <= 'z')
			*s = (char)(*s - 'a' + 'A');
}

cJSON *
tpl_components(struct wa_req *r, const cJSON *components,
    const char *category)
{
	cJSON	*copy, *c, *b;

	if (wa_graph_tpl_check(components, category, NULL, on_problem, r) > 0)
		return NULL;
	/* Meta's spelling: the seed's example writes "body" */
	copy = cJSON_Duplicate(components, 1);
	cJSON_ArrayForEach(c, copy) {
		upper_member(c, "type");
		upper_member(c, "format");
		cJSON_ArrayForEach(b, cJSON_GetObjectItemCaseSensitive(c,
		    "buttons")) {
			upper_member(b, "type");
			upper_member(b, "otp_type");
		}
	}
	return copy;
}

/* A component array the field table accepted, else NULL. */
static const cJSON *
components_of(const struct wa_req *r, const cJSON *body)
{
	size_t	i;

	for (i = 0; i < r->err.nfields; i++)
		if (strncmp(r->err.fields[i].field, "components", 10) == 0)
			return NULL;
	return cJSON_GetObjectItemCaseSensitive(body, "components");
}

enum wa_err
tpl_parse_create(struct wa_req *r, const cJSON *body, struct tpl_create *in)
{
	const cJSON	*comps;
	const char	*cat;

	memset(in, 0, sizeof(*in));
	wa_json_validate(r, body, create_fields, NULL);
	if (r->err.code != WA_OK && r->err.code != WA_ERR_VALIDATION)
		return r->err.code;
	cat = wa_json_str(body, "category");
	if (cat != NULL && !wa_graph_tpl_category_ok(cat))
		cat = NULL;
	if ((comps = components_of(r, body)) != NULL)
		in->components = tpl_components(r, comps, cat);
	if (r->err.code != WA_OK)
		return r->err.code;
	in->account_id = wa_json_str(body, "accountId");
	in->name = wa_json_str(body, "name");
	in->category = cat;
	in->language = wa_json_str(body, "language");
	return WA_OK;
}

/* The category is the stored template's: components are checked once
 * it is known (tpl_components), not here. */
enum wa_err
tpl_parse_update(struct wa_req *r, const cJSON *body, struct tpl_update *in)
{
	const cJSON	*ttl;

	memset(in, 0, sizeof(*in));
	wa_json_validate(r, body, update_fields, NULL);
	ttl = cJSON_GetObjectItemCaseSensitive(body,
	    "message_send_ttl_seconds");
	/* components, or a TTL-only edit (the latest SDK) */
	if (!wa_json_has(body, "components") && !cJSON_IsNumber(ttl))
		wa_fail_field(r, "components", "is required");
	if (r->err.code != WA_OK)
		return r->err.code;
	in->account_id = wa_json_str(body, "accountId");
	in->language = wa_json_str(body, "language");
	in->components = cJSON_GetObjectItemCaseSensitive(body, "components");
	if (cJSON_IsNumber(ttl))
		in->ttl = (int)ttl->valuedouble;
	return WA_OK;
}

enum wa_err
tpl_query_account(struct wa_req *r, const char **id)
{
	*id = wa_req_query(r, "accountId");
	if (*id == NULL || (*id)[0] == '\0')
		return wa_fail_field(r, "accountId", "is required");
	return WA_OK;
}

enum wa_err
tpl_query_language(struct wa_req *r, const char **lang)
{
	*lang = wa_req_query(r, "language");
	if (*lang != NULL && !wa_graph_language_ok(*lang))
		return wa_fail_field(r, "language", MSG_LANG);
	return WA_OK;
}

const char *
tpl_path_name(struct wa_req *r)
{
	const char	*n = wa_req_param(r, "templateName");

	/* Meta's rule, not wagate's stricter one: a template made
	 * elsewhere may start with a digit */
	return wa_graph_tpl_name_ok(n, 0) ? n : NULL;
}
