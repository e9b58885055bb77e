/*
 * wagate's copy of the templates (wa.templates), under the request's
 * tenant: what the family's own writes do to it.  Refreshing it from
 * Meta's list is lib/tplcopy.h's, shared with the sending worker.
 */
#include <string.h>

#include "accounts.h"
#include "arena.h"
#include "db.h"
#include "json.h"

#include "templates.h"

void
tpl_row_from_meta(const cJSON *t, struct tpl_row *row)
{
	const cJSON	*c = cJSON_GetObjectItemCaseSensitive(t, "components");

	memset(row, 0, sizeof(*row));
	row->meta_id = wa_json_str(t, "id");
	row->name = wa_json_str(t, "name");
	row->language = wa_json_str(t, "language");
	row->category = wa_json_str(t, "category");
	row->status = wa_json_str(t, "status");
	row->rejected_reason = wa_json_str(t, "rejected_reason");
	if (row->rejected_reason != NULL &&
	    strcmp(row->rejected_reason, "NONE") == 0)
		row->rejected_reason = NULL;
	row->components = cJSON_IsArray(c) ? (cJSON *)c : NULL;
}

cJSON *
tpl_render(const struct tpl_row *row, enum tpl_shape shape)
{
	cJSON	*o = cJSON_CreateObject();

	wa_json_add_strn(o, "id", row->meta_id);
	wa_json_add_strn(o, "name", row->name);
	if (shape == TPL_SHAPE_UPDATED) {
		wa_json_add_strn(o, "language", row->language);
		wa_json_add_strn(o, "status", row->status);
		return o;
	}
	wa_json_add_strn(o, "status", row->status);
	wa_json_add_strn(o, "category", row->category);
	wa_json_add_strn(o, "language", row->language);
	if (shape != TPL_SHAPE_FULL)
		return o;
	cJSON_AddItemToObject(o, "components", row->components != NULL ?
	    cJSON_Duplicate(row->components, 1) : cJSON_CreateArray());
	/* the latest SDK: "Only when status is REJECTED" */
	if (row->status != NULL && strcmp(row->status, "REJECTED") == 0 &&
	    row->rejected_reason != NULL)
		cJSON_AddStringToObject(o, "rejected_reason",
		    row->rejected_reason);
	return o;
}

enum wa_err
tpl_store_created(struct wa_req *r, const struct wa_account *a,
    const struct tpl_create *in, const cJSON *answer)
{
	static const char sql[] =
	    "INSERT INTO wa.templates (org_id, account_id, waba_id, meta_id, "
	    "name, language, category, status, components, updated_at) "
	    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, now()) "
	    "ON CONFLICT (org_id, waba_id, name, language) DO UPDATE SET "
	    "account_id = EXCLUDED.account_id, meta_id = EXCLUDED.meta_id, "
	    "category = EXCLUDED.category, status = EXCLUDED.status, "
	    "components = EXCLUDED.components, rejected_reason = NULL, "
	    "status_at = NULL, updated_at = now()";
	const char	*vals[9];
	PGresult	*res;

	vals[0] = a->org_id;
	vals[1] = a->id;
	vals[2] = a->waba_id;
	vals[3] = wa_json_str(answer, "id");
	vals[4] = in->name;
	vals[5] = in->language;
	vals[6] = wa_json_str(answer, "category") != NULL ?
	    wa_json_str(answer, "category") : in->category;
	vals[7] = wa_json_str(answer, "status");
	/* what Meta says, if it fits the column; it is PENDING anyway */
	if (vals[7] == NULL || vals[7][0] == '\0' || strlen(vals[7]) > 32)
		vals[7] = "PENDING";
	vals[8] = wa_json_print(in->components);
	return wa_db_exec(r, &res, sql, 9, vals);
}

enum wa_err
tpl_store_updated(struct wa_req *r, const struct wa_account *a,
    const struct tpl_row *row, const cJSON *components, const char *status)
{
	static const char sql[] =
	    "UPDATE wa.templates SET "
	    "components = COALESCE($4::jsonb, components), status = $5, "
	    "account_id = $6, rejected_reason = NULL, status_at = now(), "
	    "updated_at = now() "
	    "WHERE waba_id = $1 AND name = $2 AND language = $3";
	PGresult	*res;

	return wa_db_q(r, &res, sql, 6, a->waba_id, row->name, row->language,
	    components != NULL ? wa_json_print(components) : NULL, status,
	    a->id);
}

enum wa_err
tpl_store_deleted(struct wa_req *r, const struct wa_account *a,
    const char *name, const char *language)
{
	static const char sql[] =
	    "DELETE FROM wa.templates WHERE waba_id = $1 AND name = $2 "
	    "AND ($3::text IS NULL OR language = $3)";
	PGresult	*res;

	return wa_db_q(r, &res, sql, 3, a->waba_id, name, language);
}

int
tpl_store_rows(struct wa_req *r, const struct wa_account *a,
    const char *name, const char *language, struct tpl_row *rows, int max)
{
	static const char sql[] =
	    "SELECT meta_id, name, language, category, status, "
	    "rejected_reason, components::text AS components "
	    "FROM wa.templates WHERE waba_id = $1 AND name = $2 "
	    "AND ($3::text IS NULL OR language = $3) "
	    "ORDER BY language LIMIT $4::integer";
	struct tpl_row	*row;
	PGresult	*res;
	const char	*c, *why;
	int		 i, n;

	if (wa_db_q(r, &res, sql, 4, a->waba_id, name, language,
	    wa_arena_printf(r->arena, "%d", max)) != WA_OK)
		return -1;
	n = PQntuples(res);
	for (i = 0; i < n; i++) {
		row = &rows[i];
		memset(row, 0, sizeof(*row));
		row->meta_id = wa_arena_strdup(r->arena,
		    wa_db_get(res, i, "meta_id"));
		row->name = wa_arena_strdup(r->arena,
		    wa_db_get(res, i, "name"));
		row->language = wa_arena_strdup(r->arena,
		    wa_db_get(res, i, "language"));
		row->category = wa_arena_strdup(r->arena,
		    wa_db_get(res, i, "category"));
		row->status = wa_arena_strdup(r->arena,
		    wa_db_get(res, i, "status"));
		row->rejected_reason = wa_arena_strdup(r->arena,
		    wa_db_get(res, i, "rejected_reason"));
		c = wa_db_get(res, i, "components");
		row->components = c != NULL ? wa_json_parse(c, strlen(c),
		    WA_JSON_DEPTH_MAX, &why) : NULL;
	}
	return n;
}
