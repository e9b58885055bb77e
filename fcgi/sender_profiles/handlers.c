/*
 * The five operations of /v3/profiles.  The dispatcher has already
 * authenticated the key, set the tenant, checked the role and applied
 * x-profile-id, and runs each handler inside one transaction.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "accounts.h"
#include "arena.h"
#include "crypto.h"
#include "db.h"
#include "json.h"
#include "profiles.h"
#include "resp.h"

static const char *
scope(const struct wa_req *r)
{
	return r->auth.profile_id[0] != '\0' ? r->auth.profile_id : NULL;
}

/* The {profileId} of the path if it can name a profile in scope. */
static enum wa_err
path_id(struct wa_req *r, const char **id)
{
	if ((*id = wa_req_id(r, "profileId", PROFILE_NOT_FOUND,
	    "Profile")) == NULL)
		return r->err.code;
	if (scope(r) != NULL && strcasecmp(*id, scope(r)) != 0)
		return wa_fail_not_found(r, PROFILE_NOT_FOUND, "Profile");
	return WA_OK;
}

static enum wa_err
respond_detail(struct wa_req *r, const char *id, int status)
{
	PGresult	*res;

	/* path_id() has already applied the profile scope */
	if (wa_db_q(r, &res, profile_sql_get, 1, id) != WA_OK ||
	    wa_db_one_or_fail(r, res, PROFILE_NOT_FOUND, "Profile") != WA_OK)
		return r->err.code;
	return wa_resp_ok(r, status, profile_render(r, res, 0));
}

/*
 * Sent's SDK lists profiles without paging, and an organization has at
 * most its quota of them; a page still bounds what one request returns:
 * 100 by default (?page=&page_size=), the body as the seed has it, and
 * headers saying how many there are and where the next page is.
 */
enum wa_err
profiles_list(struct wa_req *r)
{
	long		 page, size;
	long long	 total = 1;
	PGresult	*res, *cnt;
	cJSON		*data, *arr;
	int		 i;

	page = wa_req_query_long(r, "page", 1, 1, 1000000);
	size = wa_req_query_long(r, "page_size", PROFILE_PAGE_MAX, 1,
	    PROFILE_PAGE_MAX);
	if (r->err.code != WA_OK)
		return r->err.code;
	/* a scoped caller sees its one profile */
	if (scope(r) != NULL) {
		if (wa_db_q(r, &res, profile_sql_get, 1, scope(r)) != WA_OK)
			return r->err.code;
		total = PQntuples(res);
		if (page > 1)
			res = NULL;
	} else if (wa_db_q(r, &res, profile_sql_list, 2,
	    wa_arena_printf(r->arena, "%ld", size), wa_arena_printf(r->arena,
	    "%ld", (page - 1) * size)) != WA_OK ||
	    wa_db_q(r, &cnt, profile_sql_count, 0) != WA_OK)
		return r->err.code;
	else
		total = wa_db_int(cnt, 0, "n", 0);
	data = cJSON_CreateObject();
	arr = cJSON_AddArrayToObject(data, "profiles");
	for (i = 0; res != NULL && i < PQntuples(res); i++)
		cJSON_AddItemToArray(arr, profile_render(r, res, i));
	wa_resp_paging(r, page * size < total, wa_arena_printf(r->arena,
	    "/v3/profiles?page=%ld&page_size=%ld", page + 1, size), total);
	return wa_resp_ok(r, 200, data);
}

enum wa_err
profiles_get(struct wa_req *r)
{
	const char	*id;

	if (path_id(r, &id) != WA_OK)
		return r->err.code;
	return respond_detail(r, id, 200);
}

/* Card data is checked, then refused: wagate has no payment processor,
 * and it is never stored or logged. */
static enum wa_err
refuse_payment(struct wa_req *r)
{
	return wa_fail_as(r, WA_ERR_UNPROCESSABLE, PROFILE_NO_PAYMENTS,
	    "payment_details cannot be processed: no payment processor is "
	    "configured on this server; omit payment_details and bill "
	    "through billing_contact");
}

static enum wa_err
save_brand(struct wa_req *r, const char *id, const struct profile_input *in)
{
	static const char sql[] =
	    "INSERT INTO wa.profile_brands (org_id, profile_id, contact, "
	    "business, compliance, updated_at) VALUES ($1, $2, $3::jsonb, "
	    "NULLIF($4::jsonb, 'null'::jsonb), $5::jsonb, now()) "
	    "ON CONFLICT (org_id, profile_id) DO UPDATE SET "
	    "contact = EXCLUDED.contact, compliance = EXCLUDED.compliance, "
	    "business = CASE WHEN $6::boolean THEN EXCLUDED.business "
	    "ELSE wa.profile_brands.business END, updated_at = now()";
	PGresult	*res;

	if (!in->brand)
		return WA_OK;
	return wa_db_q(r, &res, sql, 6, r->auth.org_id, id,
	    wa_json_print(in->brand_contact),
	    in->brand_business != NULL ? wa_json_print(in->brand_business) :
	    "null", wa_json_print(in->brand_compliance),
	    in->brand_business != NULL ? "true" : "false");
}

/* The organization's own WhatsApp account, which profiles inherit. */
static enum wa_err
require_org_account(struct wa_req *r)
{
	static const char sql[] =
	    "SELECT 1 FROM wa.wa_accounts WHERE profile_id IS NULL "
	    "AND deleted_at IS NULL LIMIT 1";
	PGresult	*res;

	if (wa_db_q(r, &res, sql, 0) != WA_OK)
		return r->err.code;
	if (PQntuples(res) == 0)
		return wa_fail_as(r, WA_ERR_UNPROCESSABLE, PROFILE_NO_WABA,
		    "The organization has no WhatsApp Business Account to "
		    "inherit; provide whatsapp_business_account with waba_id, "
		    "phone_number_id and access_token");
	return WA_OK;
}

/* The profile's own account as whatsapp_business_account gives it. */
static void
own_account(struct wa_req *r, const char *id, const cJSON *waba,
    struct wa_account_new *acc)
{
	memset(acc, 0, sizeof(*acc));
	acc->org_id = r->auth.org_id;
	acc->profile_id = id;
	acc->waba_id = wa_json_str(waba, "waba_id");
	acc->phone_number_id = wa_json_str(waba, "phone_number_id");
	acc->access_token = wa_json_str(waba, "access_token");
}

static int
same(const char *a, const char *b)
{
	return a == NULL ? b == NULL : b != NULL && strcmp(a, b) == 0;
}

/*
 * whatsapp_business_account in a PATCH: the profile's own number from
 * now on, proven at Meta like any other (lib/accounts.h).  The WABA and
 * number of a live own account: only its token is replaced, so the
 * account keeps its id, contacts and history.  Anything else retires
 * the profile's own accounts and attaches the new one.
 */
static enum wa_err
attach_own(struct wa_req *r, const char *id, const cJSON *waba)
{
	static const char sql_own[] =
	    "SELECT id, waba_id, phone_number_id FROM wa.wa_accounts "
	    "WHERE profile_id = $1 AND deleted_at IS NULL "
	    "ORDER BY created_at, id FOR UPDATE";
	static const char sql_retire[] =
	    "UPDATE wa.wa_accounts SET deleted_at = now(), "
	    "updated_at = now(), deleted_reason = 'replaced by "
	    "whatsapp_business_account in PATCH /v3/profiles/{id}' "
	    "WHERE profile_id = $1 AND deleted_at IS NULL";
	struct wa_account_new	 acc;
	PGresult		*res;
	char			 acc_id[WA_UUID_LEN];
	int			 i;

	own_account(r, id, waba, &acc);
	if (wa_db_q(r, &res, sql_own, 1, id) != WA_OK)
		return r->err.code;
	for (i = 0; i < PQntuples(res); i++)
		if (same(wa_db_get(res, i, "waba_id"), acc.waba_id) &&
		    same(wa_db_get(res, i, "phone_number_id"),
		    acc.phone_number_id))
			return wa_account_set_token(r,
			    wa_db_get(res, i, "id"), &acc);
	if (wa_db_q(r, &res, sql_retire, 1, id) != WA_OK)
		return r->err.code;
	return wa_account_create(r, &acc, acc_id);
}

enum wa_err
profiles_create(struct wa_req *r)
{
	static const char sql[] =
	    "INSERT INTO wa.profiles (id, org_id, name, short_name, "
	    "description, icon, allow_contact_sharing, allow_template_sharing, "
	    "inherit_contacts, inherit_templates, inherit_tcr_brand, "
	    "inherit_tcr_campaign, billing_model, billing_contact, updated_at) "
	    "SELECT $1, $2, j->>'name', j->>'short_name', j->>'description', "
	    "j->>'icon', "
	    "COALESCE((j->>'allow_contact_sharing')::boolean, false), "
	    "COALESCE((j->>'allow_template_sharing')::boolean, false), "
	    "COALESCE((j->>'inherit_contacts')::boolean, true), "
	    "COALESCE((j->>'inherit_templates')::boolean, true), "
	    "COALESCE((j->>'inherit_tcr_brand')::boolean, true), "
	    "COALESCE((j->>'inherit_tcr_campaign')::boolean, true), "
	    "COALESCE(j->>'billing_model', 'profile'), "
	    "NULLIF(j->'billing_contact', 'null'::jsonb), now() "
	    "FROM (SELECT $3::jsonb AS j) AS x";
	struct profile_input	 in;
	struct wa_account_new	 acc;
	cJSON			*body;
	PGresult		*res;
	char			 id[WA_UUID_LEN], acc_id[WA_UUID_LEN];

	if (scope(r) != NULL)
		return wa_fail(r, WA_ERR_FORBIDDEN, "Profiles are created with "
		    "an organization key, without x-profile-id");
	if (wa_json_body(r, &body) != WA_OK ||
	    profile_input_parse(r, body, NULL, &in) != WA_OK)
		return r->err.code;
	if (in.payment)
		return refuse_payment(r);
	if (in.waba == NULL && require_org_account(r) != WA_OK)
		return r->err.code;
	if (wa_crypto_uuid4(id) != 0)
		return wa_fail(r, WA_ERR_INTERNAL, "Internal error");
	if (wa_db_q(r, &res, sql, 3, id, r->auth.org_id,
	    wa_json_print(in.patch)) != WA_OK)
		return r->err.code;
	/* proven at Meta first (lib/accounts.h) */
	if (in.waba != NULL) {
		own_account(r, id, in.waba, &acc);
		if (wa_account_create(r, &acc, acc_id) != WA_OK)
			return r->err.code;
	}
	if (save_brand(r, id, &in) != WA_OK)
		return r->err.code;
	r->dry_run = in.sandbox;
	return respond_detail(r, id, 201);
}

/* Locks the profile for the update and reads what the rules need. */
static enum wa_err
load_current(struct wa_req *r, const char *id, struct profile_current *cur)
{
	static const char sql[] =
	    "SELECT billing_model, billing_contact IS NOT NULL AS has_bc, "
	    "inherit_tcr_brand FROM wa.profiles "
	    "WHERE id = $1 AND deleted_at IS NULL FOR UPDATE";
	PGresult	*res;

	if (wa_db_q(r, &res, sql, 1, id) != WA_OK ||
	    wa_db_one_or_fail(r, res, PROFILE_NOT_FOUND, "Profile") != WA_OK)
		return r->err.code;
	cur->billing_model = wa_arena_strdup(r->arena,
	    wa_db_get(res, 0, "billing_model"));
	cur->has_billing_contact = wa_db_bool(res, 0, "has_bc", 0);
	cur->inherit_tcr_brand = wa_db_bool(res, 0, "inherit_tcr_brand", 1);
	return WA_OK;
}

/* sending_*_profile_id must name another live profile of the org. */
static enum wa_err
check_refs(struct wa_req *r, const char *id, const cJSON *patch)
{
	static const char sql[] =
	    "SELECT 1 FROM wa.profiles WHERE id = $1 AND deleted_at IS NULL";
	static const char *const refs[] = {
		"sending_phone_number_profile_id",
		"sending_whatsapp_number_profile_id", NULL
	};
	const char *const *f;
	const char	*v;
	PGresult	*res;

	for (f = refs; *f != NULL; f++) {
		if ((v = wa_json_str(patch, *f)) == NULL)
			continue;
		if (strcasecmp(v, id) == 0) {
			wa_fail_field(r, *f, "must name another profile");
			continue;
		}
		if (wa_db_q(r, &res, sql, 1, v) != WA_OK)
			return r->err.code;
		if (PQntuples(res) == 0)
			wa_fail_field(r, *f, "must name a profile of this "
			    "organization");
	}
	return r->err.code;
}

enum wa_err
profiles_update(struct wa_req *r)
{
	static const char sql[] =
	    "UPDATE wa.profiles SET "
	    "name = CASE WHEN j ? 'name' THEN j->>'name' ELSE name END, "
	    "short_name = CASE WHEN j ? 'short_name' THEN j->>'short_name' "
	    "ELSE short_name END, "
	    "description = CASE WHEN j ? 'description' THEN j->>'description' "
	    "ELSE description END, "
	    "icon = CASE WHEN j ? 'icon' THEN j->>'icon' ELSE icon END, "
	    "allow_contact_sharing = COALESCE((j->>'allow_contact_sharing')"
	    "::boolean, allow_contact_sharing), "
	    "allow_template_sharing = COALESCE((j->>'allow_template_sharing')"
	    "::boolean, allow_template_sharing), "
	    "inherit_contacts = COALESCE((j->>'inherit_contacts')::boolean, "
	    "inherit_contacts), "
	    "inherit_templates = COALESCE((j->>'inherit_templates')::boolean, "
	    "inherit_templates), "
	    "inherit_tcr_brand = COALESCE((j->>'inherit_tcr_brand')::boolean, "
	    "inherit_tcr_brand), "
	    "inherit_tcr_campaign = COALESCE((j->>'inherit_tcr_campaign')"
	    "::boolean, inherit_tcr_campaign), "
	    "billing_model = COALESCE(j->>'billing_model', billing_model), "
	    "billing_contact = CASE WHEN j ? 'billing_contact' THEN "
	    "NULLIF(j->'billing_contact', 'null'::jsonb) "
	    "ELSE billing_contact END, "
	    "sending_phone_number = CASE WHEN j ? 'sending_phone_number' "
	    "THEN j->>'sending_phone_number' ELSE sending_phone_number END, "
	    "sending_phone_number_profile_id = CASE WHEN "
	    "j ? 'sending_phone_number_profile_id' THEN "
	    "(j->>'sending_phone_number_profile_id')::uuid "
	    "ELSE sending_phone_number_profile_id END, "
	    "sending_whatsapp_number_profile_id = CASE WHEN "
	    "j ? 'sending_whatsapp_number_profile_id' THEN "
	    "(j->>'sending_whatsapp_number_profile_id')::uuid "
	    "ELSE sending_whatsapp_number_profile_id END, "
	    "whatsapp_phone_number = CASE WHEN j ? 'whatsapp_phone_number' "
	    "THEN j->>'whatsapp_phone_number' ELSE whatsapp_phone_number END, "
	    "allow_number_change_during_onboarding = CASE WHEN "
	    "j ? 'allow_number_change_during_onboarding' THEN "
	    "(j->>'allow_number_change_during_onboarding')::boolean "
	    "ELSE allow_number_change_during_onboarding END, "
	    "updated_at = now() "
	    "FROM (SELECT $2::jsonb AS j) AS x "
	    "WHERE id = $1 AND deleted_at IS NULL";
	struct profile_current	 cur;
	struct profile_input	 in;
	const char		*id;
	cJSON			*body;
	PGresult		*res;

	if (path_id(r, &id) != WA_OK || load_current(r, id, &cur) != WA_OK)
		return r->err.code;
	if (wa_json_body(r, &body) != WA_OK ||
	    profile_input_parse(r, body, &cur, &in) != WA_OK ||
	    check_refs(r, id, in.patch) != WA_OK)
		return r->err.code;
	if (in.payment)
		return refuse_payment(r);
	if (wa_db_q(r, &res, sql, 2, id, wa_json_print(in.patch)) != WA_OK ||
	    save_brand(r, id, &in) != WA_OK)
		return r->err.code;
	if (in.waba != NULL && attach_own(r, id, in.waba) != WA_OK)
		return r->err.code;
	r->dry_run = in.sandbox;
	return respond_detail(r, id, 200);
}

enum wa_err
profiles_delete(struct wa_req *r)
{
	static const char sql_refs[] =
	    "SELECT id FROM wa.profiles WHERE deleted_at IS NULL AND id <> $1 "
	    "AND ($1 IN (sending_phone_number_profile_id, "
	    "sending_whatsapp_number_profile_id)) ORDER BY created_at LIMIT 1";
	static const char sql_del[] =
	    "UPDATE wa.profiles SET deleted_at = now(), updated_at = now() "
	    "WHERE id = $1 AND deleted_at IS NULL";
	static const char sql_acc[] =
	    "UPDATE wa.wa_accounts SET deleted_at = now() "
	    "WHERE profile_id = $1 AND deleted_at IS NULL";
	static const char sql_keys[] =
	    "UPDATE wa.api_keys SET revoked_at = now() "
	    "WHERE profile_id = $1 AND revoked_at IS NULL";
	struct profile_current	 cur;
	const char		*id;
	cJSON			*body;
	PGresult		*res;
	int			 sandbox;

	if (path_id(r, &id) != WA_OK || load_current(r, id, &cur) != WA_OK)
		return r->err.code;
	if (wa_json_body(r, &body) != WA_OK ||
	    profile_delete_parse(r, body, &sandbox) != WA_OK)
		return r->err.code;
	if (wa_db_q(r, &res, sql_refs, 1, id) != WA_OK)
		return r->err.code;
	if (PQntuples(res) > 0)
		return wa_fail_as(r, WA_ERR_CONFLICT, PROFILE_CONFLICT,
		    "Profile %s sends through this profile; clear its "
		    "sending_*_profile_id first", wa_db_get(res, 0, "id"));
	if (wa_db_q(r, &res, sql_del, 1, id) != WA_OK ||
	    wa_db_q(r, &res, sql_acc, 1, id) != WA_OK ||
	    wa_db_q(r, &res, sql_keys, 1, id) != WA_OK)
		return r->err.code;
	r->dry_run = sandbox;
	return wa_resp_empty(r, 204);
}
