/*
 * The five operations.  Each validates its input, finds the account
 * (accountId: 404 when it is not the caller's), opens its token and
 * talks to Meta through lib/graph; a failure at Meta becomes the error
 * the table in lib/graph_err.c says, with Meta's code in details.meta.
 * Meta is asked inside the request's transaction: what wagate stores
 * commits with the answer, or not at all.
 */
#include <string.h>

#include "accounts.h"
#include "arena.h"
#include "db.h"
#include "graph/graph.h"
#include "json.h"
#include "resp.h"
#include "tplcopy.h"

#include "templates.h"

struct ctx {
	struct wa_account	acc;
	struct wa_graph_acct	g;
};

static enum wa_err
open_account(struct wa_req *r, const char *id, struct ctx *c)
{
	if (wa_account_get(r, id, &c->acc) != WA_OK ||
	    wa_graph_acct_open(r, &c->acc, &c->g) != WA_OK)
		return r->err.code;
	return WA_OK;
}

/* Meta's templates of one name (every language), refreshing the copy:
 * *data is the array (maybe empty). */
static enum wa_err
meta_by_name(struct wa_req *r, struct ctx *c, const char *name,
    const cJSON **data)
{
	struct wa_graph_tpl_query	q = { name, NULL };
	struct wa_graph_res		res;

	if (wa_graph_templates_list(r, &c->g, &q, &res) != WA_GRAPH_OK)
		return wa_graph_fail(r, &res, "read the template from Meta");
	*data = cJSON_GetObjectItemCaseSensitive(res.body, "data");
	return wa_tplcopy_sync(r, &c->acc, name, *data, 0);
}

/* Late's answer when a name has several languages and none was
 * chosen: 400 ambiguous_template with the languages in details. */
static enum wa_err
ambiguous(struct wa_req *r, const struct tpl_row *rows, int n)
{
	cJSON	*d, *langs;
	int	 i;

	wa_fail_as(r, WA_ERR_BAD_REQUEST, "ambiguous_template", "Template "
	    "\"%s\" exists in %d languages; choose one with language",
	    rows[0].name, n);
	d = cJSON_CreateObject();
	langs = cJSON_AddArrayToObject(d, "languages");
	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(langs, cJSON_CreateString(
		    rows[i].language != NULL ? rows[i].language : ""));
	r->err.details = d;
	return r->err.code;
}

/*
 * The variant of name to act on: from the copy, else from Meta (which
 * also refreshes the copy).  Without a language, the only one there
 * is; several are ambiguous.
 */
static enum wa_err
find(struct wa_req *r, struct ctx *c, const char *name, const char *lang,
    struct tpl_row *row)
{
	struct tpl_row	*rows;
	const cJSON	*data, *t;
	int		 n = 0;

	rows = wa_arena_calloc(r->arena, TPL_LANGUAGES_MAX, sizeof(*rows));
	if ((n = tpl_store_rows(r, &c->acc, name, lang, rows,
	    TPL_LANGUAGES_MAX)) < 0)
		return r->err.code;
	if (n == 0) {
		if (meta_by_name(r, c, name, &data) != WA_OK)
			return r->err.code;
		cJSON_ArrayForEach(t, data) {
			const char *l = wa_json_str(t, "language");

			if (n == TPL_LANGUAGES_MAX)
				break;
			if (lang == NULL || (l != NULL && strcmp(l, lang) == 0))
				tpl_row_from_meta(t, &rows[n++]);
		}
	}
	if (n == 0)
		return wa_fail_not_found(r, NULL, "Template");
	if (n > 1)
		return ambiguous(r, rows, n);
	*row = rows[0];
	return WA_OK;
}

enum wa_err
tpl_list(struct wa_req *r)
{
	struct wa_graph_tpl_query	 q;
	struct wa_graph_res		 res;
	struct tpl_row			 row;
	struct ctx			 c;
	const char			*id, *lang;
	const cJSON			*data, *t;
	cJSON				*out, *arr;

	memset(&q, 0, sizeof(q));
	tpl_query_account(r, &id);
	tpl_query_language(r, &lang);
	q.name = wa_req_query(r, "name");
	q.status = wa_req_query(r, "status");
	if (q.name != NULL && !wa_graph_tpl_name_ok(q.name, 0))
		wa_fail_field(r, "name", "must be a template name");
	if (q.status != NULL && (strlen(q.status) > 32 ||
	    strspn(q.status, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_") !=
	    strlen(q.status) || q.status[0] == '\0'))
		wa_fail_field(r, "status", "must be a template status such as "
		    "APPROVED");
	if (r->err.code != WA_OK || open_account(r, id, &c) != WA_OK)
		return r->err.code;
	/* "Templates are fetched directly from the WhatsApp Cloud API" */
	if (wa_graph_templates_list(r, &c.g, &q, &res) != WA_GRAPH_OK)
		return wa_graph_fail(r, &res, "list the templates");
	data = cJSON_GetObjectItemCaseSensitive(res.body, "data");
	if (wa_tplcopy_sync(r, &c.acc, NULL, data, q.name == NULL &&
	    q.status == NULL) != WA_OK)
		return r->err.code;
	out = cJSON_CreateObject();
	arr = cJSON_AddArrayToObject(out, "templates");
	cJSON_ArrayForEach(t, data) {
		tpl_row_from_meta(t, &row);
		if (lang != NULL && (row.language == NULL ||
		    strcmp(row.language, lang) != 0))
			continue;
		cJSON_AddItemToArray(arr, tpl_render(&row, TPL_SHAPE_FULL));
	}
	return wa_resp_ok(r, 200, out);
}

enum wa_err
tpl_create(struct wa_req *r)
{
	struct tpl_create	 in;
	struct wa_graph_res	 res;
	struct tpl_row		 row;
	struct ctx		 c;
	cJSON			*body, *tpl, *out;

	if (wa_json_body(r, &body) != WA_OK ||
	    tpl_parse_create(r, body, &in) != WA_OK ||
	    open_account(r, in.account_id, &c) != WA_OK)
		return r->err.code;
	tpl = cJSON_CreateObject();
	cJSON_AddStringToObject(tpl, "name", in.name);
	cJSON_AddStringToObject(tpl, "language", in.language);
	cJSON_AddStringToObject(tpl, "category", in.category);
	cJSON_AddStringToObject(tpl, "parameter_format", "POSITIONAL");
	cJSON_AddItemToObject(tpl, "components",
	    cJSON_Duplicate(in.components, 1));
	if (wa_graph_template_create(r, &c.g, tpl, &res) != WA_GRAPH_OK)
		return wa_graph_fail(r, &res, "create the template");
	if (tpl_store_created(r, &c.acc, &in, res.body) != WA_OK)
		return r->err.code;
	memset(&row, 0, sizeof(row));
	row.meta_id = wa_json_str(res.body, "id");
	row.name = in.name;
	row.language = in.language;
	row.category = wa_json_str(res.body, "category") != NULL ?
	    wa_json_str(res.body, "category") : in.category;
	row.status = wa_json_str(res.body, "status") != NULL ?
	    wa_json_str(res.body, "status") : "PENDING";
	out = cJSON_CreateObject();
	cJSON_AddItemToObject(out, "template", tpl_render(&row,
	    TPL_SHAPE_CREATED));
	return wa_resp_ok(r, 200, out);
}

/* What GET and DELETE of one name act on: the account of ?accountId=,
 * the {templateName} and ?language= (NULL: not given). */
static enum wa_err
name_target(struct wa_req *r, struct ctx *c, const char **name,
    const char **lang)
{
	const char	*id;

	*name = tpl_path_name(r);
	tpl_query_account(r, &id);
	tpl_query_language(r, lang);
	if (r->err.code != WA_OK || open_account(r, id, c) != WA_OK)
		return r->err.code;
	if (*name == NULL)
		return wa_fail_not_found(r, NULL, "Template");
	return WA_OK;
}

enum wa_err
tpl_get(struct wa_req *r)
{
	struct tpl_row	 row;
	struct ctx	 c;
	const char	*lang, *name;
	cJSON		*out;

	if (name_target(r, &c, &name, &lang) != WA_OK ||
	    find(r, &c, name, lang, &row) != WA_OK)
		return r->err.code;
	out = cJSON_CreateObject();
	cJSON_AddItemToObject(out, "template", tpl_render(&row,
	    TPL_SHAPE_FULL));
	return wa_resp_ok(r, 200, out);
}

/* What Meta says the status is after an edit (normally PENDING: an
 * edit is reviewed again); the last known one if Meta cannot say. */
static const char *
status_after_edit(struct wa_req *r, struct ctx *c, const struct tpl_row *row)
{
	struct wa_graph_res	 res;
	const char		*s;

	if (wa_graph_template_get(r, &c->g, row->meta_id, "id,status", &res) ==
	    WA_GRAPH_OK && (s = wa_json_str(res.body, "status")) != NULL &&
	    s[0] != '\0' && strlen(s) <= 32)
		return s;
	return row->status != NULL ? row->status : "PENDING";
}

/* message_send_ttl_seconds by category (Meta's ranges, as the latest
 * Late SDK documents them). */
static enum wa_err
ttl_ok(struct wa_req *r, const char *category, int ttl)
{
	int	lo = 30, hi = 43200;

	if (ttl == 0)
		return WA_OK;
	if (category != NULL && strcmp(category, "AUTHENTICATION") == 0)
		hi = 900;
	else if (category != NULL && strcmp(category, "MARKETING") == 0) {
		lo = 43200;
		hi = 2592000;
	}
	if (ttl < lo || ttl > hi)
		return wa_fail_field(r, "message_send_ttl_seconds", "must be "
		    "%d-%d for a %s template", lo, hi, category != NULL ?
		    category : "UTILITY");
	return WA_OK;
}

enum wa_err
tpl_update(struct wa_req *r)
{
	struct tpl_update	 in;
	struct wa_graph_res	 res;
	struct tpl_row		 row, now;
	struct ctx		 c;
	const char		*name = tpl_path_name(r);
	cJSON			*body, *edit, *comps = NULL, *out;

	/* the variant is chosen in the body; a query is a mistake */
	if (wa_req_query(r, "language") != NULL)
		return wa_fail_field(r, "language", "belongs in the body of a "
		    "PATCH, not in the query");
	if (wa_json_body(r, &body) != WA_OK ||
	    tpl_parse_update(r, body, &in) != WA_OK ||
	    open_account(r, in.account_id, &c) != WA_OK)
		return r->err.code;
	if (name == NULL)
		return wa_fail_not_found(r, NULL, "Template");
	if (find(r, &c, name, in.language, &row) != WA_OK)
		return r->err.code;
	if (row.meta_id == NULL || !wa_account_valid_meta_id(row.meta_id))
		return wa_fail_not_found(r, NULL, "Template");
	if (ttl_ok(r, row.category, in.ttl) != WA_OK)
		return r->err.code;
	if (in.components != NULL && (comps = tpl_components(r,
	    in.components, row.category)) == NULL)
		return r->err.code;
	edit = cJSON_CreateObject();
	if (comps != NULL)
		cJSON_AddItemToObject(edit, "components", comps);
	if (in.ttl > 0)
		cJSON_AddNumberToObject(edit, "message_send_ttl_seconds",
		    in.ttl);
	if (wa_graph_template_edit(r, &c.g, row.meta_id, edit, &res) !=
	    WA_GRAPH_OK)
		return wa_graph_fail(r, &res, "update the template");
	now = row;
	now.status = status_after_edit(r, &c, &row);
	if (tpl_store_updated(r, &c.acc, &row, comps != NULL ? comps :
	    row.components, now.status) != WA_OK)
		return r->err.code;
	out = cJSON_CreateObject();
	cJSON_AddItemToObject(out, "template", tpl_render(&now,
	    TPL_SHAPE_UPDATED));
	return wa_resp_ok(r, 200, out);
}

enum wa_err
tpl_delete(struct wa_req *r)
{
	struct wa_graph_res	 res;
	struct ctx		 c;
	const char		*name, *lang, *hsm = NULL, *l;
	const cJSON		*data, *t;
	cJSON			*body, *out;
	int			 found = 0;

	/* Late's SDK may send {} on DELETE; anything else is refused */
	if (wa_json_body(r, &body) != WA_OK ||
	    name_target(r, &c, &name, &lang) != WA_OK)
		return r->err.code;
	/* Meta's answer to an unknown name is a bare code 100: ask first,
	 * so that a missing template is a clear 404 */
	if (meta_by_name(r, &c, name, &data) != WA_OK)
		return r->err.code;
	cJSON_ArrayForEach(t, data) {
		l = wa_json_str(t, "language");
		if (lang == NULL || (l != NULL && strcmp(l, lang) == 0)) {
			found = 1;
			if (lang != NULL)
				hsm = wa_json_str(t, "id");
		}
	}
	if (!found)
		return wa_fail_not_found(r, NULL, "Template");
	if (wa_graph_template_delete(r, &c.g, name, hsm, &res) != WA_GRAPH_OK)
		return wa_graph_fail(r, &res, "delete the template");
	if (tpl_store_deleted(r, &c.acc, name, lang) != WA_OK)
		return r->err.code;
	out = cJSON_CreateObject();
	cJSON_AddStringToObject(out, "message", wa_arena_printf(r->arena,
	    "Template \"%s\" deleted successfully", name));
	cJSON_AddStringToObject(out, "scope", lang != NULL ? "language" :
	    "all_languages");
	if (lang != NULL)
		cJSON_AddStringToObject(out, "language", lang);
	return wa_resp_ok(r, 200, out);
}
