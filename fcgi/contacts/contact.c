/*
 * One contact: create, get, update, delete.  A contact is found by its
 * id alone (the SDK sends no accountId there); row-level security
 * limits it to the caller's organization and CT_VISIBLE to the accounts
 * the key may use, so another tenant's id is a plain 404.
 */
#include <string.h>

#include "arena.h"
#include "contacts.h"
#include "db.h"
#include "json.h"
#include "resp.h"

/* {contactId}: a malformed id is as absent as another tenant's. */
static const char *
path_id(struct wa_req *r)
{
	return wa_req_id(r, "contactId", NULL, "Contact");
}

/* The statements build the whole answer, {"contact": {...}}, in
 * column `data`: it goes out as it is. */
static enum wa_err
respond_contact(struct wa_req *r, const PGresult *res)
{
	return wa_resp_ok_raw(r, 200, wa_db_get(res, 0, "data"));
}

/*
 * Inserts are serialized per account by an advisory lock (every path
 * that inserts contacts comes here), so the phones already there are
 * known before the insert, which is then a plain one: ON CONFLICT's
 * speculative insertion cost a tenth of an import.  (Writers of one
 * account wait for each other at its count rows anyway.)
 *
 * The phones are looked up one by one (a subquery, not a join: planned
 * generically, a join may read the whole account), and by a plain
 * column: under row-level security an index serves only conditions free
 * of non-leakproof functions of columns, so `e.phone = i.j->>'phone'`
 * would read the table.  The rows' phones are distinct (the callers see
 * to it).
 */
/* $1 org, $2 account, $3 the rows; RETURNING (ret) of the insert */
#define CT_INSERT(ret) \
	"WITH input AS (SELECT * FROM ROWS FROM (json_to_recordset(" \
	"$3::json) AS (id uuid, phone text, name text, email text, " \
	"company text, notes text, tags text, groups text, " \
	"\"isOptedIn\" boolean, \"customFields\" text)) WITH ORDINALITY " \
	"AS x(id, phone, name, email, company, notes, tags, groups, opted, " \
	"fields, ord)), " \
	"old AS (SELECT i.ord, (SELECT e.id FROM wa.contacts e " \
	"WHERE e.account_id = $2 AND e.phone = i.phone COLLATE \"C\") " \
	"AS existing_id FROM input i), " \
	"ins AS (INSERT INTO wa.contacts AS c (id, org_id, account_id, " \
	"phone, wa_id, name, email, company, notes, tags, groups, " \
	"is_opted_in, opt_in_date, opt_out_date, custom_fields) " \
	"SELECT i.id, $1, $2, i.phone, substr(i.phone, 2), i.name, i.email, " \
	"i.company, i.notes, i.tags::text[], i.groups::text[], i.opted, " \
	"CASE WHEN i.opted THEN now() END, " \
	"CASE WHEN NOT i.opted THEN now() END, i.fields::jsonb " \
	"FROM input i JOIN old o ON o.ord = i.ord " \
	"WHERE o.existing_id IS NULL " \
	"RETURNING c.id, c.phone" ret ") " \
	"SELECT i.ord, ins.*, o.existing_id FROM input i " \
	"JOIN old o ON o.ord = i.ord " \
	"LEFT JOIN ins ON ins.phone = i.phone COLLATE \"C\" ORDER BY i.ord"

enum wa_err
ct_insert(struct wa_req *r, const struct wa_account *acc, const cJSON *rows,
    int with_json, PGresult **res)
{
	/* class 0x77616374, "wact"; the two-key form never meets the
	 * one-key locks of lib/idem.c */
	static const char sql_lock[] =
	    "SELECT pg_advisory_xact_lock(2002871156, hashtext($1))";
	static const char sql_json[] =
	    CT_INSERT(", json_build_object('contact', " CT_JSON_CREATED
	    ")::text AS data");
	static const char sql_ids[] = CT_INSERT("");
	PGresult	*lock;

	if (wa_db_q(r, &lock, sql_lock, 1, acc->id) != WA_OK)
		return r->err.code;
	return wa_db_q(r, res, with_json ? sql_json : sql_ids, 3, acc->org_id,
	    acc->id, wa_json_print(rows));
}

enum wa_err
contacts_create(struct wa_req *r)
{
	struct wa_account	 acc;
	struct ct_new		 nw;
	cJSON			*body, *rows;
	PGresult		*res;

	if (wa_json_body(r, &body) != WA_OK ||
	    ct_new_parse(r, &r->err, body, NULL, &nw) != WA_OK ||
	    wa_account_get(r, wa_json_str(body, "accountId"), &acc) != WA_OK)
		return r->err.code;
	rows = cJSON_CreateArray();
	cJSON_AddItemReferenceToArray(rows, nw.row);
	if (ct_insert(r, &acc, rows, 1, &res) != WA_OK)
		return r->err.code;
	if (PQntuples(res) != 1 || wa_db_get(res, 0, "id") == NULL)
		return wa_fail(r, WA_ERR_CONFLICT, "Contact with this phone "
		    "number already exists");
	return respond_contact(r, res);
}

enum wa_err
contacts_get(struct wa_req *r)
{
	static const char sql[] =
	    "SELECT json_build_object('contact', " CT_JSON_DETAIL
	    ")::text AS data FROM wa.contacts c "
	    "WHERE c.id = $1 AND " CT_VISIBLE("$2");
	const char	*id;
	PGresult	*res;

	if ((id = path_id(r)) == NULL ||
	    wa_db_q(r, &res, sql, 2, id, ct_scope(r)) != WA_OK ||
	    wa_db_one_or_fail(r, res, NULL, "Contact") != WA_OK)
		return r->err.code;
	return respond_contact(r, res);
}

enum wa_err
contacts_update(struct wa_req *r)
{
	/* customFields merge: null members are removed by stripping the
	 * nulls of the merged object (stored values are never null). */
	static const char sql[] =
	    "UPDATE wa.contacts c SET "
	    "name = CASE WHEN j ? 'name' THEN j->>'name' ELSE name END, "
	    "email = CASE WHEN j ? 'email' THEN j->>'email' ELSE email END, "
	    "company = CASE WHEN j ? 'company' THEN j->>'company' "
	    "ELSE company END, "
	    "notes = CASE WHEN j ? 'notes' THEN j->>'notes' ELSE notes END, "
	    "tags = CASE WHEN j ? 'tags' THEN (j->>'tags')::text[] "
	    "ELSE tags END, "
	    "groups = CASE WHEN j ? 'groups' THEN (j->>'groups')::text[] "
	    "ELSE groups END, "
	    "opt_in_date = CASE WHEN (j->>'isOptedIn')::boolean "
	    "AND NOT is_opted_in THEN now() ELSE opt_in_date END, "
	    "opt_out_date = CASE WHEN NOT (j->>'isOptedIn')::boolean "
	    "AND is_opted_in THEN now() ELSE opt_out_date END, "
	    "is_opted_in = COALESCE((j->>'isOptedIn')::boolean, is_opted_in), "
	    "is_blocked = COALESCE((j->>'isBlocked')::boolean, is_blocked), "
	    "custom_fields = CASE WHEN j ? 'customFields' THEN "
	    "jsonb_strip_nulls(custom_fields || (j->'customFields')) "
	    "ELSE custom_fields END, "
	    "updated_at = CASE WHEN j = '{}' THEN updated_at ELSE now() END "
	    "FROM (SELECT $2::jsonb AS j) AS x "
	    "WHERE c.id = $1 AND " CT_VISIBLE("$3") " "
	    "RETURNING json_build_object('contact', " CT_JSON_UPDATED
	    ")::text AS data, "
	    "(SELECT count(*) FROM jsonb_object_keys(c.custom_fields)) "
	    "AS nfields";
	const char	*id;
	cJSON		*body, *patch;
	PGresult	*res;

	if ((id = path_id(r)) == NULL || wa_json_body(r, &body) != WA_OK ||
	    ct_update_parse(r, body, &patch) != WA_OK)
		return r->err.code;
	if (wa_db_q(r, &res, sql, 3, id, wa_json_print(patch),
	    ct_scope(r)) != WA_OK ||
	    wa_db_one_or_fail(r, res, NULL, "Contact") != WA_OK)
		return r->err.code;
	/* The merge may push the stored fields over the limit; failing
	 * here rolls the update back. */
	if (wa_db_int(res, 0, "nfields", 0) > CT_FIELDS_MAX)
		return wa_fail_field(r, "customFields", "would have more than "
		    "%d members after the merge", CT_FIELDS_MAX);
	return respond_contact(r, res);
}

enum wa_err
contacts_delete(struct wa_req *r)
{
	static const char sql[] =
	    "DELETE FROM wa.contacts c WHERE c.id = $1 AND " CT_VISIBLE("$2")
	    " RETURNING c.id";
	const char	*id;
	cJSON		*body, *data;
	PGresult	*res;

	/* the SDK sends no body; one that is sent must at least be JSON */
	if ((id = path_id(r)) == NULL || wa_json_body(r, &body) != WA_OK ||
	    wa_db_q(r, &res, sql, 2, id, ct_scope(r)) != WA_OK ||
	    wa_db_one_or_fail(r, res, NULL, "Contact") != WA_OK)
		return r->err.code;
	data = cJSON_CreateObject();
	cJSON_AddStringToObject(data, "message",
	    "Contact deleted successfully");
	return wa_resp_ok(r, 200, data);
}
