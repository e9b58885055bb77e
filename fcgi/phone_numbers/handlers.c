/*
 * The routes (pn.h): the organization's numbers, one number, and the
 * carrier's numbers available to buy.
 */
#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "db.h"
#include "json.h"
#include "resp.h"
#include "telnyx.h"
#include "valid.h"

#include "pn.h"

/* A number as the list shows it (wa.phone_numbers n, wa.profiles p). */
#define PN_ITEM \
	"json_build_object('_id', n.id, 'phoneNumber', n.phone_number, " \
	"'country', n.country, 'status', n.status, " \
	"'profileId', json_build_object('_id', p.id, 'name', p.name), " \
	"'provisionedAt', wa.rfc3339(n.provisioned_at), " \
	"'metaPreverifiedId', n.meta_preverified_id, " \
	"'metaVerificationStatus', n.meta_verification_status, " \
	"'createdAt', wa.rfc3339(n.created_at))"

static const char *const statuses[] = { "pending_payment", "provisioning",
    "active", "suspended", "releasing", "released", NULL };

static int
one_of(const char *v, const char *const *set)
{
	for (; *set != NULL; set++)
		if (strcmp(v, *set) == 0)
			return 1;
	return 0;
}

/* Late's body as it is, without an envelope. */
static enum wa_err
answer(struct wa_req *r, int status, const char *json)
{
	if (json == NULL)
		return wa_fail(r, WA_ERR_INTERNAL, "Internal error");
	wa_resp_set(r, status, json, strlen(json));
	return WA_OK;
}

/*
 * GET: {numbers: [...]}, newest first; released ones only when asked
 * for (?status=released); ?profileId= one profile's.
 */
enum wa_err
pn_list(struct wa_req *r)
{
	static const char sql[] =
	    "SELECT json_build_object('numbers', coalesce(json_agg(x.j "
	    "ORDER BY x.created_at DESC, x.id DESC), '[]'))::text AS body "
	    "FROM (SELECT n.created_at, n.id, " PN_ITEM " AS j "
	    "FROM wa.phone_numbers n JOIN wa.profiles p ON p.id = n.profile_id "
	    "WHERE CASE WHEN $1::text IS NULL THEN n.status <> 'released' "
	    "ELSE n.status = $1 END "
	    "AND ($2::uuid IS NULL OR n.profile_id = $2) "
	    "ORDER BY n.created_at DESC, n.id DESC LIMIT $3::integer) x";
	const char	*st = wa_req_query(r, "status");
	const char	*prof = wa_req_query(r, "profileId");
	PGresult	*res;

	if (st != NULL && !one_of(st, statuses))
		(void)wa_fail_field(r, "status", "must be one of "
		    "pending_payment, provisioning, active, suspended, "
		    "releasing, released");
	if (prof != NULL && !wa_valid_uuid(prof))
		(void)wa_fail_field(r, "profileId", "must be a profile's id");
	if (r->err.code != WA_OK)
		return r->err.code;
	if (wa_db_q(r, &res, sql, 3, st, prof, wa_arena_printf(r->arena,
	    "%d", PN_LIST_MAX)) != WA_OK)
		return r->err.code;
	return answer(r, 200, wa_db_get(res, 0, "body"));
}

/* GET {phoneNumberId}: {phoneNumber: {...}}. */
enum wa_err
pn_get(struct wa_req *r)
{
	static const char sql[] =
	    "SELECT json_build_object('phoneNumber', json_build_object("
	    "'id', n.id, 'phoneNumber', n.phone_number, 'status', n.status, "
	    "'country', n.country, 'metaPreverifiedId', n.meta_preverified_id, "
	    "'metaVerificationStatus', n.meta_verification_status, "
	    "'provisionedAt', wa.rfc3339(n.provisioned_at), "
	    "'profileId', n.profile_id, "
	    "'createdAt', wa.rfc3339(n.created_at)))::text AS body "
	    "FROM wa.phone_numbers n WHERE n.id = $1";
	const char	*id = wa_req_param(r, "phoneNumberId");
	PGresult	*res;

	if (!wa_valid_uuid(id))
		return wa_fail_not_found(r, NULL, "Phone number");
	if (wa_db_q(r, &res, sql, 1, id) != WA_OK ||
	    wa_db_one_or_fail(r, res, NULL, "Phone number") != WA_OK)
		return r->err.code;
	return answer(r, 200, wa_db_get(res, 0, "body"));
}

/* 403 unless the organization's plan is a paid one. */
static enum wa_err
paid_plan(struct wa_req *r)
{
	static const char sql[] =
	    "SELECT plan = 'paid' AS paid FROM wa.organizations WHERE id = $1";
	PGresult	*res;

	if (wa_db_q(r, &res, sql, 1, r->auth.org_id) != WA_OK)
		return r->err.code;
	if (!wa_db_bool(res, 0, "paid", 0))
		return wa_fail(r, WA_ERR_FORBIDDEN, "A paid plan is required "
		    "to buy phone numbers; the operator sets it (wa-admin org "
		    "plan)");
	return WA_OK;
}

static int
digits_ok(const char *s, size_t lo, size_t hi)
{
	size_t	n = strlen(s);

	return n >= lo && n <= hi && strspn(s, "0123456789") == n;
}

/* The search's filters from the query, each checked. */
static enum wa_err
query_of(struct wa_req *r, struct wa_telnyx_query *q)
{
	memset(q, 0, sizeof(*q));
	q->area_code = wa_req_query(r, "prefix");
	q->locality = wa_req_query(r, "locality");
	q->contains = wa_req_query(r, "contains");
	q->limit = (int)wa_req_query_long(r, "limit", PN_SEARCH_DEFAULT, 1,
	    WA_TELNYX_SEARCH_MAX);
	if (q->area_code != NULL && !digits_ok(q->area_code, 3, 3))
		(void)wa_fail_field(r, "prefix", "must be a US area code "
		    "(three digits, \"212\")");
	if (q->locality != NULL && (strlen(q->locality) == 0 ||
	    strlen(q->locality) > PN_LOCALITY_MAX))
		(void)wa_fail_field(r, "locality", "must be a city's name of "
		    "at most %d characters", PN_LOCALITY_MAX);
	if (q->contains != NULL && !digits_ok(q->contains, 1, 10))
		(void)wa_fail_field(r, "contains", "must be 1 to 10 digits");
	return r->err.code;
}

/*
 * GET available: the carrier's US numbers to buy, {country, numberType,
 * numbers: [{phoneNumber, locality, region, bestEffort, monthlyCost,
 * upfrontCost, currency, features}]}.
 */
enum wa_err
pn_available(struct wa_req *r)
{
	struct wa_telnyx_query	 q;
	struct wa_telnyx_number	*nums;
	size_t			 n, i;
	cJSON			*out, *arr, *o, *f;

	if (query_of(r, &q) != WA_OK || paid_plan(r) != WA_OK ||
	    wa_telnyx_search(r, &q, &nums, &n) != WA_OK)
		return r->err.code;
	out = cJSON_CreateObject();
	cJSON_AddStringToObject(out, "country", "US");
	cJSON_AddStringToObject(out, "numberType", "local");
	arr = cJSON_AddArrayToObject(out, "numbers");
	for (i = 0; i < n; i++) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "phoneNumber", nums[i].phone_number);
		wa_json_add_strn(o, "locality", nums[i].locality);
		wa_json_add_strn(o, "region", nums[i].region);
		cJSON_AddFalseToObject(o, "bestEffort");
		wa_json_add_strn(o, "monthlyCost", nums[i].monthly_cost);
		wa_json_add_strn(o, "upfrontCost", nums[i].upfront_cost);
		wa_json_add_strn(o, "currency", nums[i].currency);
		f = cJSON_AddArrayToObject(o, "features");
		if (nums[i].sms)
			cJSON_AddItemToArray(f, cJSON_CreateString("sms"));
		if (nums[i].voice)
			cJSON_AddItemToArray(f, cJSON_CreateString("voice"));
		cJSON_AddItemToArray(arr, o);
	}
	return answer(r, 200, wa_json_print(out));
}
