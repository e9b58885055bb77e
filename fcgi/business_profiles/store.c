/*
 * The copy of each number's profile (sql/0013_business_profiles.sql):
 * replaced by what Meta answers, merged with what wagate wrote when the
 * read-back failed, read when Meta cannot be reached.
 */
#include <string.h>

#include "db.h"
#include "json.h"

#include "bprof.h"

static const char sql_save[] =
    "INSERT INTO wa.business_profiles (account_id, org_id, profile) "
    "VALUES ($1, wa.current_org(), $2::jsonb) "
    "ON CONFLICT (account_id) DO UPDATE "
    "SET profile = EXCLUDED.profile, synced_at = now() "
    "RETURNING profile::text AS profile, "
    "wa.rfc3339(synced_at) AS synced_at";

/* Meta took the fields: the copy has them (the handle is not kept). */
static const char sql_merge[] =
    "INSERT INTO wa.business_profiles (account_id, org_id, profile) "
    "VALUES ($1, wa.current_org(), $2::jsonb - 'profile_picture_handle') "
    "ON CONFLICT (account_id) DO UPDATE "
    "SET profile = wa.business_profiles.profile || EXCLUDED.profile, "
    "synced_at = now() "
    "RETURNING profile::text AS profile, "
    "wa.rfc3339(synced_at) AS synced_at";

static const char sql_load[] =
    "SELECT profile::text AS profile, wa.rfc3339(synced_at) AS synced_at "
    "FROM wa.business_profiles WHERE account_id = $1";

static const char sql_picture[] =
    "UPDATE wa.business_profiles SET picture_bytes = $2::integer, "
    "picture_type = $3, picture_at = now() WHERE account_id = $1";

/* One row of profile and synced_at into v. */
static enum wa_err
fill(struct wa_req *r, PGresult *res, struct bp_view *v)
{
	const char	*p = wa_db_get(res, 0, "profile"), *why;

	v->profile = p != NULL ? wa_json_parse(p, strlen(p), 8, &why) : NULL;
	if (v->profile == NULL)
		return wa_fail(r, WA_ERR_INTERNAL, "Internal error");
	v->synced_at = wa_db_get(res, 0, "synced_at");
	return WA_OK;
}

static enum wa_err
write_copy(struct wa_req *r, const char *sql, const char *account_id,
    const cJSON *profile, struct bp_view *v)
{
	PGresult	*res;

	if (wa_db_q(r, &res, sql, 2, account_id,
	    wa_json_print(profile)) != WA_OK)
		return r->err.code;
	v->stale = 0;
	return fill(r, res, v);
}

enum wa_err
bp_store_save(struct wa_req *r, const char *account_id, struct bp_view *v)
{
	return write_copy(r, sql_save, account_id, v->profile, v);
}

enum wa_err
bp_store_merge(struct wa_req *r, const char *account_id,
    const cJSON *fields, struct bp_view *v)
{
	return write_copy(r, sql_merge, account_id, fields, v);
}

int
bp_store_load(struct wa_req *r, const char *account_id, struct bp_view *v)
{
	PGresult	*res;

	if (wa_db_q(r, &res, sql_load, 1, account_id) != WA_OK)
		return -1;
	if (PQntuples(res) != 1)
		return 0;
	return fill(r, res, v) == WA_OK ? 1 : -1;
}

enum wa_err
bp_store_picture(struct wa_req *r, const char *account_id, size_t bytes,
    const char *type)
{
	PGresult	*res;
	char		 n[24];

	snprintf(n, sizeof(n), "%zu", bytes);
	return wa_db_q(r, &res, sql_picture, 3, account_id, n, type);
}
