/*
 * Templates of sends (docs/sending.md), checked before Meta sees
 * anything: the template is in wagate's copy, APPROVED, in that
 * language, and the request's base components give what its header and
 * buttons ask for.  A copy that lacks the template, or does not have it
 * APPROVED, is refreshed from Meta first: a template approved (or
 * edited) at Meta since the copy was made is read, not guessed.  The
 * recipients' body variables are checked against body_params by the
 * statements that queue them (wa.template_vars_problem,
 * sql/0006_sending.sql).  Bulk sends, broadcasts and agents' replies
 * share it.
 */
#include <string.h>
#include <strings.h>

#include "accounts.h"
#include "arena.h"
#include "db.h"
#include "graph/graph.h"
#include "json.h"
#include "req.h"
#include "send.h"
#include "tplcopy.h"

static int
name_ok(const char *s)
{
	return wa_graph_tpl_name_ok(s, 0);
}

static const struct wa_field template_fields[] = {
	WA_FIELD_STR_CHECK("name", WA_F_REQUIRED_TEXT, 512, name_ok,
	    "must be a template name (lower-case letters, digits and "
	    "underscores)"),
	WA_FIELD_STR_CHECK("language", WA_F_REQUIRED_TEXT, 16,
	    wa_graph_language_ok, "must be a template language such as "
	    "en_US"),
	WA_FIELD_ARR_OBJ("components", 0, 0, WA_SEND_TPL_COMPONENTS_MAX, NULL),
	WA_FIELD_END
};

void
wa_send_tpl_parse(struct wa_req *r, const cJSON *body, const char *field,
    struct wa_send_tpl *out)
{
	const struct wa_field	f[] = {
		WA_FIELD_OBJ(field, WA_F_REQUIRED, template_fields),
		WA_FIELD_END
	};
	const cJSON		*t, *c;

	memset(out, 0, sizeof(*out));
	if (wa_json_validate(r, body, f, NULL) != WA_OK)
		return;
	t = cJSON_GetObjectItemCaseSensitive(body, field);
	out->name = wa_json_str(t, "name");
	out->language = wa_json_str(t, "language");
	c = cJSON_GetObjectItemCaseSensitive(t, "components");
	out->components = cJSON_IsArray(c) ? c : cJSON_CreateArray();
}

struct copy {
	int		 found;
	const char	*status;
	cJSON		*components;
};

static enum wa_err
copy_read(struct wa_req *r, const struct wa_account *a,
    const struct wa_send_tpl *t, struct copy *c)
{
	static const char sql[] =
	    "SELECT status, components::text AS components "
	    "FROM wa.templates WHERE waba_id = $1 AND name = $2 "
	    "AND language = $3";
	PGresult	*res;
	const char	*txt, *why;

	memset(c, 0, sizeof(*c));
	if (wa_db_q(r, &res, sql, 3, a->waba_id, t->name, t->language) !=
	    WA_OK)
		return r->err.code;
	if (PQntuples(res) != 1)
		return WA_OK;
	c->found = 1;
	c->status = wa_arena_strdup(r->arena, wa_db_get(res, 0, "status"));
	txt = wa_db_get(res, 0, "components");
	c->components = txt != NULL ? wa_json_parse(txt, strlen(txt),
	    WA_JSON_DEPTH_MAX, &why) : NULL;
	return WA_OK;
}

/* Meta's list of the name, into the copy (every language of it). */
static enum wa_err
copy_refresh(struct wa_req *r, const struct wa_account *a,
    const struct wa_send_tpl *t, const char **meta_problem)
{
	struct wa_graph_tpl_query	 q;
	struct wa_graph_acct		 g;
	struct wa_graph_res		 res;

	*meta_problem = NULL;
	if (wa_graph_acct_open(r, a, &g) != WA_OK)
		return r->err.code;
	q.name = t->name;
	q.status = NULL;
	if (wa_graph_templates_list(r, &g, &q, &res) != WA_GRAPH_OK) {
		*meta_problem = wa_arena_printf(r->arena, "Meta could not be "
		    "asked about it (%s)", res.rule != NULL &&
		    res.rule->message != NULL ? res.rule->message :
		    wa_graph_status_name(res.status));
		return WA_OK;
	}
	return wa_tplcopy_sync(r, a, t->name,
	    cJSON_GetObjectItemCaseSensitive(res.body, "data"), 1);
}

/* The component of type (HEADER, BODY...) of a list, either case. */
static const cJSON *
component(const cJSON *list, const char *type)
{
	const cJSON	*c;
	const char	*ty;

	cJSON_ArrayForEach(c, list) {
		ty = wa_json_str(c, "type");
		if (ty != NULL && strcasecmp(ty, type) == 0)
			return c;
	}
	return NULL;
}

static int
params_of(const cJSON *c)
{
	const cJSON	*p = cJSON_GetObjectItemCaseSensitive(c, "parameters");

	return cJSON_IsArray(p) ? cJSON_GetArraySize(p) : 0;
}

/* What the base components lack for the header and URL buttons. */
static const char *
base_problem(struct wa_req *r, const struct wa_send_tpl *t,
    const cJSON *tpl)
{
	const cJSON	*h, *b, *btn;
	int		 n, given = 0;

	h = component(tpl, "HEADER");
	n = h != NULL ? wa_graph_placeholders(wa_json_str(h, "text")) : 0;
	if (n > 0 && params_of(component(t->components, "header")) != n)
		return wa_arena_printf(r->arena, "template %s (%s) has %d "
		    "header parameter%s: give %s in template.components as a "
		    "header component", t->name, t->language, n,
		    n == 1 ? "" : "s", n == 1 ? "it" : "them");
	b = component(tpl, "BUTTONS");
	n = 0;
	cJSON_ArrayForEach(btn, cJSON_GetObjectItemCaseSensitive(b,
	    "buttons")) {
		const char *url = wa_json_str(btn, "url");

		if (url != NULL && strstr(url, "{{") != NULL)
			n++;
	}
	cJSON_ArrayForEach(b, t->components) {
		const char *ty = wa_json_str(b, "type");

		if (ty != NULL && strcasecmp(ty, "button") == 0)
			given++;
	}
	if (n > given)
		return wa_arena_printf(r->arena, "template %s (%s) has %d URL "
		    "button%s with a parameter: give %s in "
		    "template.components as button components", t->name,
		    t->language, n, n == 1 ? "" : "s", n == 1 ? "it" : "them");
	return NULL;
}

enum wa_err
wa_send_tpl_check(struct wa_req *r, const struct wa_account *a,
    const struct wa_send_tpl *t, struct wa_send_tpl_check *out)
{
	struct copy	 c;
	const char	*meta = NULL;

	memset(out, 0, sizeof(*out));
	if (copy_read(r, a, t, &c) != WA_OK)
		return r->err.code;
	if (!c.found || c.status == NULL || strcmp(c.status, "APPROVED") != 0) {
		if (copy_refresh(r, a, t, &meta) != WA_OK ||
		    copy_read(r, a, t, &c) != WA_OK)
			return r->err.code;
	}
	if (!c.found)
		out->problem = wa_arena_printf(r->arena, "template %s does not "
		    "exist in language %s%s%s", t->name, t->language,
		    meta != NULL ? "; " : "", meta != NULL ? meta : "");
	else if (strcmp(c.status, "APPROVED") != 0)
		out->problem = wa_arena_printf(r->arena, "template %s (%s) is "
		    "%s, not APPROVED", t->name, t->language, c.status);
	else {
		out->body_params = wa_graph_placeholders(wa_json_str(
		    component(c.components, "BODY"), "text"));
		out->problem = base_problem(r, t, c.components);
	}
	return WA_OK;
}

enum wa_err
wa_send_paused(struct wa_req *r, const char *account_id, const char **reason)
{
	static const char sql[] =
	    "SELECT paused_reason FROM wa.send_lanes "
	    "WHERE account_id = $1 AND paused_at IS NOT NULL";
	PGresult	*res;

	*reason = NULL;
	if (wa_db_q(r, &res, sql, 1, account_id) != WA_OK)
		return r->err.code;
	if (PQntuples(res) == 1)
		*reason = wa_arena_strdup(r->arena, wa_db_get(res, 0,
		    "paused_reason"));
	return WA_OK;
}
