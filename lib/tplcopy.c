#include "accounts.h"
#include "db.h"
#include "json.h"
#include "req.h"
#include "tplcopy.h"

enum wa_err
wa_tplcopy_sync(struct wa_req *r, const struct wa_account *a,
    const char *name, const cJSON *data, int complete)
{
	static const char sql_upsert[] =
	    "INSERT INTO wa.templates (org_id, account_id, waba_id, meta_id, "
	    "name, language, category, status, components, rejected_reason, "
	    "status_at, updated_at) "
	    "SELECT $1, $2, $3, m.meta_id, m.name, m.language, m.category, "
	    "m.status, m.components, m.rejected_reason, "
	    "date_trunc('second', now()) - interval '1 second', now() "
	    "FROM (SELECT DISTINCT ON (t->>'name', t->>'language') "
	    "t->>'id' AS meta_id, t->>'name' AS name, "
	    "t->>'language' AS language, t->>'category' AS category, "
	    "t->>'status' AS status, "
	    "CASE WHEN jsonb_typeof(t->'components') = 'array' "
	    "THEN t->'components' ELSE '[]'::jsonb END AS components, "
	    "NULLIF(t->>'rejected_reason', 'NONE') AS rejected_reason "
	    "FROM jsonb_array_elements($4::jsonb) AS t "
	    "WHERE jsonb_typeof(t) = 'object' "
	    "AND length(t->>'name') BETWEEN 1 AND 512 "
	    "AND length(t->>'language') BETWEEN 1 AND 16 "
	    "AND length(t->>'status') BETWEEN 1 AND 32 "
	    "AND (t->>'id' IS NULL OR length(t->>'id') BETWEEN 1 AND 64) "
	    "ORDER BY t->>'name', t->>'language') AS m "
	    "ON CONFLICT (org_id, waba_id, name, language) DO UPDATE SET "
	    "account_id = EXCLUDED.account_id, meta_id = EXCLUDED.meta_id, "
	    "category = EXCLUDED.category, status = EXCLUDED.status, "
	    "components = EXCLUDED.components, "
	    "rejected_reason = EXCLUDED.rejected_reason, "
	    "status_at = CASE WHEN wa.templates.status = EXCLUDED.status "
	    "THEN wa.templates.status_at "
	    "ELSE date_trunc('second', now()) - interval '1 second' END, "
	    "updated_at = now()";
	static const char sql_gone[] =
	    "DELETE FROM wa.templates WHERE waba_id = $1 "
	    "AND ($3::text IS NULL OR name = $3) AND NOT EXISTS "
	    "(SELECT 1 FROM jsonb_array_elements($2::jsonb) AS t "
	    "WHERE t->>'name' = wa.templates.name "
	    "AND t->>'language' = wa.templates.language)";
	const char	*json = wa_json_print(data);
	PGresult	*res;

	if (wa_db_q(r, &res, sql_upsert, 4, a->org_id, a->id, a->waba_id,
	    json) != WA_OK)
		return r->err.code;
	if (complete && wa_db_q(r, &res, sql_gone, 3, a->waba_id, json,
	    name) != WA_OK)
		return r->err.code;
	return WA_OK;
}
