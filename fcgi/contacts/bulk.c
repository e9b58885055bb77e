/*
 * POST and DELETE /v1/whatsapp/contacts/bulk: up to 500 contacts by id,
 * without an accountId (the SDK sends none).  An id counts in `matched`
 * only if it names a contact the key may see; `modified` counts the rows
 * the action really changed (adding a tag a contact has is no change).
 */
#include "contacts.h"
#include "db.h"
#include "json.h"
#include "resp.h"

/* One statement for every action: $2 picks the column and the change,
 * and the WHERE keeps the rows it would not change out of the update
 * (and out of `modified`). */
static const char sql_bulk[] =
    "WITH m AS (SELECT c.id FROM wa.contacts c "
    "WHERE c.id = ANY ($1::uuid[]) AND " CT_VISIBLE("$5") "), "
    "u AS (UPDATE wa.contacts c SET "
    "tags = CASE $2 WHEN 'addTags' THEN wa.labels_add(tags, $3::text[]) "
    "WHEN 'removeTags' THEN wa.labels_remove(tags, $3::text[]) "
    "ELSE tags END, "
    "groups = CASE $2 WHEN 'addGroups' THEN "
    "wa.labels_add(groups, $4::text[]) WHEN 'removeGroups' THEN "
    "wa.labels_remove(groups, $4::text[]) ELSE groups END, "
    "is_opted_in = CASE $2 WHEN 'optIn' THEN true WHEN 'optOut' THEN false "
    "ELSE is_opted_in END, "
    "opt_in_date = CASE $2 WHEN 'optIn' THEN now() ELSE opt_in_date END, "
    "opt_out_date = CASE $2 WHEN 'optOut' THEN now() "
    "ELSE opt_out_date END, "
    "is_blocked = CASE $2 WHEN 'block' THEN true WHEN 'unblock' THEN false "
    "ELSE is_blocked END, "
    "updated_at = now() "
    "WHERE c.id = ANY ($1::uuid[]) AND " CT_VISIBLE("$5") " AND CASE $2 "
    "WHEN 'addTags' THEN NOT tags @> $3::text[] "
    "WHEN 'removeTags' THEN tags && $3::text[] "
    "WHEN 'addGroups' THEN NOT groups @> $4::text[] "
    "WHEN 'removeGroups' THEN groups && $4::text[] "
    "WHEN 'optIn' THEN NOT is_opted_in WHEN 'optOut' THEN is_opted_in "
    "WHEN 'block' THEN NOT is_blocked WHEN 'unblock' THEN is_blocked "
    "ELSE false END RETURNING 1) "
    "SELECT (SELECT count(*) FROM m) AS matched, "
    "(SELECT count(*) FROM u) AS modified";

static const char sql_delete[] =
    "WITH d AS (DELETE FROM wa.contacts c WHERE c.id = ANY ($1::uuid[]) "
    "AND " CT_VISIBLE("$2") " RETURNING 1) SELECT count(*) AS deleted "
    "FROM d";

enum wa_err
contacts_bulk(struct wa_req *r)
{
	struct ct_bulk	 b;
	cJSON		*body, *data;
	PGresult	*res;

	if (wa_json_body(r, &body) != WA_OK ||
	    ct_bulk_parse(r, body, &b) != WA_OK ||
	    wa_db_q(r, &res, sql_bulk, 5, b.ids, b.action, b.tags, b.groups,
	    ct_scope(r)) != WA_OK)
		return r->err.code;
	data = cJSON_CreateObject();
	cJSON_AddStringToObject(data, "action", b.action);
	cJSON_AddNumberToObject(data, "modified",
	    (double)wa_db_int(res, 0, "modified", 0));
	cJSON_AddNumberToObject(data, "matched",
	    (double)wa_db_int(res, 0, "matched", 0));
	return wa_resp_ok(r, 200, data);
}

enum wa_err
contacts_bulk_delete(struct wa_req *r)
{
	const char	*ids;
	cJSON		*body, *data;
	PGresult	*res;

	if (wa_json_body(r, &body) != WA_OK ||
	    ct_ids_parse(r, body, &ids) != WA_OK ||
	    wa_db_q(r, &res, sql_delete, 2, ids, ct_scope(r)) != WA_OK)
		return r->err.code;
	data = cJSON_CreateObject();
	cJSON_AddNumberToObject(data, "deleted",
	    (double)wa_db_int(res, 0, "deleted", 0));
	return wa_resp_ok(r, 200, data);
}
