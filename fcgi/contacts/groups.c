/*
 * /v1/whatsapp/groups.  Groups exist only as names on contacts (seed
 * 002); their counts are the live ones of wa.contact_labels, and a
 * rename or delete rewrites the `groups` of each member, whose rows the
 * label's member list finds without reading the account.
 */
#include <string.h>

#include "arena.h"
#include "contacts.h"
#include "db.h"
#include "json.h"
#include "resp.h"

static const char sql_list[] =
    "SELECT coalesce(json_agg(json_build_object('name', l.label, "
    "'totalCount', l.total, 'optedInCount', l.opted_in) ORDER BY l.label) "
    "FILTER (WHERE l.kind = 'group'), '[]')::text AS groups, "
    "coalesce(sum(l.total) FILTER (WHERE l.kind = 'all'), 0) AS total, "
    "coalesce(sum(l.opted_in) FILTER (WHERE l.kind = 'all'), 0) AS opted, "
    "count(*) FILTER (WHERE l.kind = 'group') AS n "
    "FROM wa.contact_labels l WHERE l.account_id = $1 AND l.total > 0";

/* The members of group $2 of account $1, by id (an index scan of the
 * primary key for any size of group). */
#define GROUP_MEMBERS \
	"c.id = ANY (ARRAY(SELECT m.contact_id " \
	"FROM wa.contact_label_members m WHERE m.label_id = (SELECT l.id " \
	"FROM wa.contact_labels l WHERE l.account_id = $1 " \
	"AND l.kind = 'group' AND l.label = $2))) " \
	"AND c.account_id = $1 AND $2 = ANY (c.groups)"

static const char sql_rename[] =
    "WITH u AS (UPDATE wa.contacts c SET "
    "groups = wa.labels_rename(c.groups, $2, $3), updated_at = now() "
    "WHERE " GROUP_MEMBERS " RETURNING 1) SELECT count(*) AS n FROM u";

static const char sql_delete[] =
    "WITH u AS (UPDATE wa.contacts c SET "
    "groups = array_remove(c.groups, $2), updated_at = now() "
    "WHERE " GROUP_MEMBERS " RETURNING 1) SELECT count(*) AS n FROM u";

enum wa_err
groups_list(struct wa_req *r)
{
	struct wa_account	 acc;
	PGresult		*res;
	const char		*groups;
	cJSON			*data, *sum;

	if (ct_account(r, wa_req_query(r, "accountId"), &acc) != WA_OK ||
	    wa_db_q(r, &res, sql_list, 1, acc.id) != WA_OK)
		return r->err.code;
	/* the statement's own JSON, as it is */
	if ((groups = wa_db_get(res, 0, "groups")) == NULL)
		return wa_fail(r, WA_ERR_INTERNAL, "Internal error");
	data = cJSON_CreateObject();
	cJSON_AddRawToObject(data, "groups", groups);
	sum = cJSON_AddObjectToObject(data, "summary");
	cJSON_AddNumberToObject(sum, "totalContacts",
	    (double)wa_db_int(res, 0, "total", 0));
	cJSON_AddNumberToObject(sum, "optedInContacts",
	    (double)wa_db_int(res, 0, "opted", 0));
	cJSON_AddNumberToObject(sum, "groupCount",
	    (double)wa_db_int(res, 0, "n", 0));
	return wa_resp_ok(r, 200, data);
}

/*
 * Rename (from, to) or delete (from only): validates the body, finds the
 * account, runs sql with ($1 account, $2 from[, $3 to]) and answers
 * {"message": ..., "modified": n}.
 */
static enum wa_err
change(struct wa_req *r, const char *sql, const char *from_field,
    const char *to_field, const char *message)
{
	struct wa_account	 acc;
	const char		*from, *to = NULL;
	cJSON			*body, *data;
	PGresult		*res;

	if (wa_json_body(r, &body) != WA_OK)
		return r->err.code;
	ct_check_account(r, body);
	from = ct_label_arg(r, body, from_field);
	if (to_field != NULL) {
		to = ct_label_arg(r, body, to_field);
		if (from != NULL && to != NULL && strcmp(from, to) == 0)
			wa_fail_field(r, to_field, "must differ from %s",
			    from_field);
	}
	if (r->err.code != WA_OK ||
	    wa_account_get(r, wa_json_str(body, "accountId"), &acc) != WA_OK ||
	    wa_db_q(r, &res, sql, to != NULL ? 3 : 2, acc.id, from, to) !=
	    WA_OK)
		return r->err.code;
	data = cJSON_CreateObject();
	cJSON_AddStringToObject(data, "message", message);
	cJSON_AddNumberToObject(data, "modified",
	    (double)wa_db_int(res, 0, "n", 0));
	return wa_resp_ok(r, 200, data);
}

enum wa_err
groups_rename(struct wa_req *r)
{
	return change(r, sql_rename, "oldName", "newName",
	    "Group renamed successfully");
}

enum wa_err
groups_delete(struct wa_req *r)
{
	return change(r, sql_delete, "groupName", NULL,
	    "Group deleted successfully");
}
