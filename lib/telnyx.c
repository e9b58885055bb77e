/*
 * The carrier's client (telnyx.h).  Every call is one
 * wa_provider_call() (provider.h: the key in a Bearer header, what a
 * failure becomes); the answer is Telnyx's JSON:API-like envelope,
 * {"data": ...} or {"errors": [{code, title, detail}]}.
 *
 * An order is made idempotent by its customer_reference: before buying,
 * the orders carrying it are listed, so a retried provisioning step
 * finds what the first attempt bought.  The id an order gives its
 * phone_numbers[] is the order line's, not the number's: the number's
 * own id (what DELETE /v2/phone_numbers/{id} takes) is looked up in
 * GET /v2/phone_numbers once the order line succeeded.
 */
#include <string.h>

#include "arena.h"
#include "cfg.h"
#include "json.h"
#include "provider.h"
#include "telnyx.h"
#include "url.h"
#include "valid.h"

#define REF_MAX		255	/* a customer_reference */
#define ID_MAX		128	/* an id of Telnyx's */

int
wa_telnyx_configured(const struct wa_cfg *cfg)
{
	return cfg->telnyx_url != NULL && cfg->telnyx_api_key != NULL;
}

static enum wa_err
not_configured(struct wa_req *r)
{
	return wa_fail(r, WA_ERR_UNAVAILABLE, "The carrier is not configured "
	    "on this server (WA_TELNYX_URL, WA_TELNYX_API_KEY)");
}

/* A member of an error object as text (Telnyx writes codes as strings,
 * a number is taken too), or "-". */
static const char *
member(struct wa_arena *a, const cJSON *o, const char *name)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, name);

	if (cJSON_IsString(v))
		return v->valuestring;
	if (cJSON_IsNumber(v))
		return wa_arena_printf(a, "%.0f", v->valuedouble);
	return "-";
}

/* Telnyx's error answer, {"errors": [{code, title, detail}]}: the first
 * error's code, and its title and detail. */
static void
error_of(struct wa_arena *a, const cJSON *v, const char **code,
    const char **words)
{
	const cJSON	*e;

	e = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(v, "errors"),
	    0);
	*code = member(a, e, "code");
	*words = wa_arena_printf(a, "%s: %s", member(a, e, "title"),
	    member(a, e, "detail"));
}

/* The carrier as provider.h calls it. */
static void
provider(const struct wa_cfg *cfg, struct wa_provider *p)
{
	memset(p, 0, sizeof(*p));
	p->name = "telnyx";
	p->who = "The carrier";
	p->url = cfg->telnyx_url;
	p->key = cfg->telnyx_api_key;
	p->ca_file = cfg->telnyx_ca_file;
	p->ctype = "application/json";
	p->timeout_ms = WA_TELNYX_TIMEOUT_MS;
	p->max_bytes = WA_TELNYX_BODY_MAX;
	p->error_of = error_of;
}

/*
 * One call of path ("/v2/...", query encoded) with an optional JSON
 * body (provider.h): WA_OK with Telnyx's JSON object in *out for a 2xx,
 * or with *out NULL for a 404 when ok404 is set.
 */
static enum wa_err
call(struct wa_req *r, const char *method, const char *path,
    const char *body, int ok404, cJSON **out)
{
	struct wa_provider	p;

	provider(r->cfg, &p);
	return wa_provider_call(r, &p, method, path, NULL, body, ok404, out);
}

/* An answer that is not the shape its call promised. */
static enum wa_err
unexpected(struct wa_req *r, const char *what)
{
	struct wa_provider	p;

	provider(r->cfg, &p);
	return wa_provider_unexpected(r, &p, what);
}

/* path plus one filter, its value percent-encoded. */
static const char *
filter(struct wa_arena *a, const char *path, const char *key,
    const char *value)
{
	return wa_arena_printf(a, "%s%c%s=%s", path, strchr(path, '?') !=
	    NULL ? '&' : '?', key, wa_url_encode(a, value));
}

/* ---- search ------------------------------------------------------------ */

/* One available number from Telnyx's record; 0 if it has no E.164
 * number (skipped). */
static int
number_of(const cJSON *it, struct wa_telnyx_number *nb)
{
	const cJSON	*ri, *f, *cost;
	const char	*type, *name, *rate_center = NULL;

	memset(nb, 0, sizeof(*nb));
	nb->phone_number = wa_json_str(it, "phone_number");
	if (nb->phone_number == NULL || !wa_valid_e164(nb->phone_number))
		return 0;
	cJSON_ArrayForEach(ri, cJSON_GetObjectItemCaseSensitive(it,
	    "region_information")) {
		type = wa_json_str(ri, "region_type");
		name = wa_json_str(ri, "region_name");
		if (type == NULL || name == NULL)
			continue;
		if (strcmp(type, "location") == 0)
			nb->locality = name;
		else if (strcmp(type, "rate_center") == 0)
			rate_center = name;
		else if (strcmp(type, "state") == 0)
			nb->region = name;
	}
	if (nb->locality == NULL)
		nb->locality = rate_center;
	cost = cJSON_GetObjectItemCaseSensitive(it, "cost_information");
	nb->monthly_cost = wa_json_str(cost, "monthly_cost");
	nb->upfront_cost = wa_json_str(cost, "upfront_cost");
	nb->currency = wa_json_str(cost, "currency");
	cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(it,
	    "features")) {
		name = wa_json_str(f, "name");
		if (name != NULL && strcmp(name, "sms") == 0)
			nb->sms = 1;
		else if (name != NULL && strcmp(name, "voice") == 0)
			nb->voice = 1;
	}
	return 1;
}

enum wa_err
wa_telnyx_search(struct wa_req *r, const struct wa_telnyx_query *q,
    struct wa_telnyx_number **out, size_t *n)
{
	const char	*path = "/v2/available_phone_numbers";
	cJSON		*v;
	long		 k;
	int		 limit = q->limit > WA_TELNYX_SEARCH_MAX ?
			    WA_TELNYX_SEARCH_MAX : q->limit;

	*out = NULL;
	*n = 0;
	if (!wa_telnyx_configured(r->cfg))
		return not_configured(r);
	path = filter(r->arena, path, "filter%5Bcountry_code%5D", "US");
	if (q->area_code != NULL)
		path = filter(r->arena, path,
		    "filter%5Bnational_destination_code%5D", q->area_code);
	if (q->locality != NULL)
		path = filter(r->arena, path, "filter%5Blocality%5D",
		    q->locality);
	if (q->contains != NULL)
		path = filter(r->arena, path,
		    "filter%5Bphone_number%5D%5Bcontains%5D", q->contains);
	if (limit != 0)
		path = filter(r->arena, path, "filter%5Blimit%5D",
		    wa_arena_printf(r->arena, "%d", limit < 1 ? 1 : limit));
	if (call(r, "GET", path, NULL, 0, &v) != WA_OK)
		return r->err.code;
	*out = wa_arena_calloc(r->arena, WA_TELNYX_SEARCH_MAX,
	    sizeof(**out));
	if ((k = wa_telnyx_numbers_of(v, *out, WA_TELNYX_SEARCH_MAX)) < 0)
		return unexpected(r, "a search without a data array");
	*n = (size_t)k;
	return WA_OK;
}

long
wa_telnyx_numbers_of(const cJSON *answer, struct wa_telnyx_number *out,
    size_t max)
{
	const cJSON	*data, *it;
	size_t		 n = 0;

	data = cJSON_GetObjectItemCaseSensitive(answer, "data");
	if (!cJSON_IsArray(data))
		return -1;
	cJSON_ArrayForEach(it, data) {
		if (n == max)
			break;
		if (number_of(it, &out[n]))
			n++;
	}
	return (long)n;
}

/* ---- orders -------------------------------------------------------------- */

/* The number's own id (GET /v2/phone_numbers), or NULL if Telnyx does
 * not list it yet. */
static enum wa_err
number_id_of(struct wa_req *r, const char *e164, const char **id)
{
	const cJSON	*it;
	cJSON		*v;
	const char	*path, *pn, *nid;

	*id = NULL;
	/* Telnyx's filter takes digits only ("+" finds nothing) */
	path = filter(r->arena, "/v2/phone_numbers",
	    "filter%5Bphone_number%5D", e164 + 1);
	if (call(r, "GET", path, NULL, 0, &v) != WA_OK)
		return r->err.code;
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(v, "data")) {
		pn = wa_json_str(it, "phone_number");
		nid = wa_json_str(it, "id");
		if (pn != NULL && strcmp(pn, e164) == 0 && nid != NULL &&
		    nid[0] != '\0' && strlen(nid) <= ID_MAX) {
			*id = nid;
			break;
		}
	}
	return WA_OK;
}

/* The order (Telnyx's data object) into out; the number's id once its
 * order line succeeded. */
static enum wa_err
order_of(struct wa_req *r, const cJSON *d, const char *e164,
    struct wa_telnyx_order *out)
{
	const cJSON	*line = NULL, *it;
	const char	*pn;

	out->order_id = wa_json_str(d, "id");
	out->status = wa_json_str(d, "status");
	if (out->order_id == NULL || out->order_id[0] == '\0' ||
	    out->status == NULL)
		return unexpected(r, "an order without id or status");
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(d,
	    "phone_numbers"))
		if ((pn = wa_json_str(it, "phone_number")) != NULL &&
		    strcmp(pn, e164) == 0) {
			line = it;
			break;
		}
	if (line == NULL)
		line = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(d,
		    "phone_numbers"), 0);
	out->phone_number = wa_json_str(line, "phone_number");
	if (out->phone_number == NULL || strcmp(out->phone_number, e164) != 0) {
		wa_fail_log(r, "telnyx: the order %s is for another number",
		    out->order_id);
		return wa_fail(r, WA_ERR_CONFLICT, "The carrier's order under "
		    "this reference is for another number");
	}
	/* the line's status, else the order's (one number an order) */
	if ((pn = wa_json_str(line, "status")) == NULL)
		pn = out->status;
	if (strcmp(pn, "success") == 0)
		return number_id_of(r, e164, &out->number_id);
	return WA_OK;
}

/* The first order carrying customer_ref, or NULL. */
static enum wa_err
order_find(struct wa_req *r, const char *customer_ref, const cJSON **d)
{
	const cJSON	*it;
	cJSON		*v;
	const char	*ref;

	*d = NULL;
	if (call(r, "GET", filter(r->arena, "/v2/number_orders",
	    "filter%5Bcustomer_reference%5D", customer_ref), NULL, 0,
	    &v) != WA_OK)
		return r->err.code;
	if (!cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(v, "data")))
		return unexpected(r, "a list of orders without a data array");
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(v, "data"))
		if ((ref = wa_json_str(it, "customer_reference")) != NULL &&
		    strcmp(ref, customer_ref) == 0) {
			*d = it;
			break;
		}
	return WA_OK;
}

enum wa_err
wa_telnyx_order(struct wa_req *r, const char *phone_number,
    const char *customer_ref, struct wa_telnyx_order *out)
{
	const cJSON	*d;
	cJSON		*body, *nums, *one, *v;

	memset(out, 0, sizeof(*out));
	if (!wa_telnyx_configured(r->cfg))
		return not_configured(r);
	if (phone_number == NULL || !wa_valid_e164(phone_number) ||
	    customer_ref == NULL || customer_ref[0] == '\0' ||
	    strlen(customer_ref) > REF_MAX) {
		wa_fail_log(r, "telnyx: an order needs an E.164 number and a "
		    "reference");
		return wa_fail(r, WA_ERR_INTERNAL, "Internal error");
	}
	if (order_find(r, customer_ref, &d) != WA_OK)
		return r->err.code;
	if (d == NULL) {
		body = cJSON_CreateObject();
		nums = cJSON_AddArrayToObject(body, "phone_numbers");
		one = cJSON_CreateObject();
		cJSON_AddStringToObject(one, "phone_number", phone_number);
		cJSON_AddItemToArray(nums, one);
		cJSON_AddStringToObject(body, "customer_reference",
		    customer_ref);
		if (call(r, "POST", "/v2/number_orders", wa_json_print(body), 0,
		    &v) != WA_OK)
			return r->err.code;
		d = cJSON_GetObjectItemCaseSensitive(v, "data");
	}
	return order_of(r, d, phone_number, out);
}

/* ---- release ------------------------------------------------------------- */

enum wa_err
wa_telnyx_release(struct wa_req *r, const char *number_id)
{
	cJSON	*v;

	if (!wa_telnyx_configured(r->cfg))
		return not_configured(r);
	if (number_id == NULL || number_id[0] == '\0' ||
	    strlen(number_id) > ID_MAX) {
		wa_fail_log(r, "telnyx: a release needs the number's id");
		return wa_fail(r, WA_ERR_INTERNAL, "Internal error");
	}
	return call(r, "DELETE", wa_arena_printf(r->arena,
	    "/v2/phone_numbers/%s", wa_url_encode(r->arena, number_id)), NULL,
	    1, &v);
}
