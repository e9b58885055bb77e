/*
 * The carrier's sandbox: the part of Telnyx's API v2 that wagate's
 * client (lib/telnyx.h) calls, under /telnyx/v2/ on the simulator's own
 * port, so that WA_TELNYX_URL=https://localhost:PORT/telnyx stands in
 * for https://api.telnyx.com.  Runs with sim.lock held; faults and the
 * request log apply as to Graph paths (http.c).
 *
 * The inventory is fixed: in each of eight US area codes, the hundred
 * numbers +1 NDC 555-0100..0199 (the fictional 555-01xx range).  An
 * order completes at once; a number bought leaves the inventory until
 * it is released (DELETE /v2/phone_numbers/{id}).  Ids look like
 * Telnyx's: orders and order lines are UUIDs, a phone number's id is
 * a 19-digit string (the one DELETE takes; not its order line's).
 *
 * Auth: "Authorization: Bearer <key>" with the key of --telnyx-key or
 * METASIM_TELNYX_KEY (default KEY_SANDBOX), else 401 with 10009.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "crypto.h"
#include "metasim.h"

#define T		(sim.telnyx)
#define PER_AREA	100
#define REF_MAX		255
#define ORDER_NUMS_MAX	100
#define LIMIT_DEFAULT	20
#define LIMIT_MAX	100
#define PAGE_DEFAULT	20
#define PAGE_MAX	250

struct area {
	const char	*ndc;
	const char	*city;
	const char	*state;
	const char	*rate_center;
};

static const struct area areas[] = {
	{ "212", "New York", "NY", "NEW YORK" },
	{ "646", "New York", "NY", "NEW YORK" },
	{ "415", "San Francisco", "CA", "SAN FRANCISCO" },
	{ "305", "Miami", "FL", "MIAMI" },
	{ "512", "Austin", "TX", "AUSTIN" },
	{ "206", "Seattle", "WA", "SEATTLE" },
	{ "312", "Chicago", "IL", "CHICAGO" },
	{ "617", "Boston", "MA", "BOSTON" },
};
#define NAREAS	(sizeof(areas) / sizeof(areas[0]))

/* A number bought (T.owned by E.164, T.ids by id). */
struct tnum {
	char	 id[24];
	char	 e164[16];
	char	*ref;		/* customer_reference, or NULL */
	char	 order_id[37];
	int64_t	 at_ms;
};

/* An order, kept as answered. */
struct torder {
	unsigned long	 seq;
	cJSON		*json;
};

static void
tnum_free(void *p)
{
	struct tnum	*n = p;

	free(n->ref);
	free(n);
}

static void
torder_free(void *p)
{
	struct torder	*o = p;

	cJSON_Delete(o->json);
	free(o);
}

void
telnyx_reset(void)
{
	smap_clear(&T.ids, NULL);	/* the same as owned's */
	smap_clear(&T.owned, tnum_free);
	smap_clear(&T.orders, torder_free);
	T.norders = 0;
	T.nreleases = 0;
}

/* ---- answers ------------------------------------------------------------- */

void
telnyx_error(struct sresp *rs, int status, const char *code,
    const char *title, const char *detail, const char *pointer)
{
	cJSON	*o = cJSON_CreateObject(), *e, *m;
	char	 url[96];

	e = cJSON_CreateObject();
	cJSON_AddItemToArray(cJSON_AddArrayToObject(o, "errors"), e);
	cJSON_AddStringToObject(e, "code", code);
	cJSON_AddStringToObject(e, "title", title);
	cJSON_AddStringToObject(e, "detail", detail);
	if (pointer != NULL)
		cJSON_AddStringToObject(cJSON_AddObjectToObject(e, "source"),
		    "pointer", pointer);
	m = cJSON_AddObjectToObject(e, "meta");
	snprintf(url, sizeof(url), "https://developers.telnyx.com/docs/"
	    "overview/errors/%s", code);
	cJSON_AddStringToObject(m, "url", url);
	resp_json(rs, status, o);
}

void
telnyx_fault(struct sresp *rs, int status, long code)
{
	char	c[24];

	if (status <= 0)
		status = 500;
	if (code > 0)
		snprintf(c, sizeof(c), "%ld", code);
	else
		snprintf(c, sizeof(c), "%s", status == 429 ? "10011" :
		    status == 401 ? "10009" : status == 404 ? "10005" :
		    "10007");
	telnyx_error(rs, status, c, strcmp(c, "10011") == 0 ?
	    "Too many requests" : strcmp(c, "10009") == 0 ?
	    "Authentication failed" : strcmp(c, "10005") == 0 ?
	    "Resource not found" : strcmp(c, "10015") == 0 ? "Bad Request" :
	    "Unexpected error",
	    "fault injected by the simulator's control API", NULL);
}

static void
not_found(struct sresp *rs)
{
	telnyx_error(rs, 404, "10005", "Resource not found", "The requested "
	    "resource or URL could not be found.", NULL);
}

static void
bad_request(struct sresp *rs, int status, const char *detail,
    const char *pointer)
{
	telnyx_error(rs, status, "10015", "Bad Request", detail, pointer);
}

/* RFC 3339 with milliseconds, as Telnyx writes times. */
static void
stamp(int64_t ms, char *out, size_t n)
{
	time_t		t = (time_t)(ms / 1000);
	struct tm	tm;
	size_t		k;

	gmtime_r(&t, &tm);
	k = strftime(out, n, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + k, n - k, ".%03dZ", (int)(ms % 1000));
}

/* ---- the inventory ------------------------------------------------------- */

static int
digits(const char *s)
{
	return s[0] != '\0' && strspn(s, "0123456789") == strlen(s);
}

/* The area of an inventory number ("+1" NDC "55501" NN), or NULL. */
static const struct area *
area_of(const char *e164)
{
	size_t	i;

	if (strlen(e164) != 12 || strncmp(e164, "+1", 2) != 0 ||
	    !digits(e164 + 2) || strncmp(e164 + 5, "55501", 5) != 0)
		return NULL;
	for (i = 0; i < NAREAS; i++)
		if (strncmp(e164 + 2, areas[i].ndc, 3) == 0)
			return &areas[i];
	return NULL;
}

static void
region(cJSON *arr, const char *type, const char *name)
{
	cJSON	*r = cJSON_CreateObject();

	cJSON_AddStringToObject(r, "region_type", type);
	cJSON_AddStringToObject(r, "region_name", name);
	cJSON_AddItemToArray(arr, r);
}

static cJSON *
available_json(const char *e164, const struct area *a)
{
	static const char *const feats[] = { "sms", "mms", "voice",
	    "emergency" };
	cJSON	*o = cJSON_CreateObject(), *arr, *c;
	size_t	 i;

	cJSON_AddStringToObject(o, "record_type", "available_phone_number");
	cJSON_AddStringToObject(o, "phone_number", e164);
	cJSON_AddStringToObject(o, "vanity_format", "");
	cJSON_AddFalseToObject(o, "best_effort");
	cJSON_AddTrueToObject(o, "quickship");
	cJSON_AddTrueToObject(o, "reservable");
	arr = cJSON_AddArrayToObject(o, "region_information");
	region(arr, "country_code", "US");
	region(arr, "state", a->state);
	region(arr, "rate_center", a->rate_center);
	region(arr, "location", a->city);
	c = cJSON_AddObjectToObject(o, "cost_information");
	cJSON_AddStringToObject(c, "upfront_cost", "1.00");
	cJSON_AddStringToObject(c, "monthly_cost", "1.00");
	cJSON_AddStringToObject(c, "currency", "USD");
	arr = cJSON_AddArrayToObject(o, "features");
	for (i = 0; i < sizeof(feats) / sizeof(feats[0]); i++) {
		c = cJSON_CreateObject();
		cJSON_AddStringToObject(c, "name", feats[i]);
		cJSON_AddItemToArray(arr, c);
	}
	return o;
}

/* 1 if the area passes the filters of the query that name areas. */
static int
area_ok(const struct sreq *q, const struct area *a)
{
	const char	*v;

	if ((v = query(q, "filter[national_destination_code]")) != NULL &&
	    strcmp(v, a->ndc) != 0)
		return 0;
	if ((v = query(q, "filter[locality]")) != NULL &&
	    strcasecmp(v, a->city) != 0)
		return 0;
	if ((v = query(q, "filter[administrative_area]")) != NULL &&
	    strcasecmp(v, a->state) != 0)
		return 0;
	if ((v = query(q, "filter[rate_center]")) != NULL &&
	    strcasecmp(v, a->rate_center) != 0)
		return 0;
	return 1;
}

/* An integer query parameter from 1 (def when absent); -1 if bad. */
static long
positive(const struct sreq *q, const char *name, long def)
{
	const char	*v = query(q, name);
	char		*end;
	long		 n;

	if (v == NULL)
		return def;
	n = strtol(v, &end, 10);
	return end != v && *end == '\0' && n >= 1 ? n : -1;
}

/* GET /v2/available_phone_numbers */
static void
search(struct sreq *q, struct sresp *rs)
{
	const char	*cc = query(q, "filter[country_code]");
	const char	*type = query(q, "filter[phone_number_type]");
	const char	*has = query(q, "filter[phone_number][contains]");
	long		 limit = positive(q, "filter[limit]", LIMIT_DEFAULT);
	size_t		 i, nn, total = 0;
	char		 e164[16];
	cJSON		*o, *data, *m;

	if (limit < 0) {
		bad_request(rs, 400, "filter[limit] must be a positive "
		    "integer", NULL);
		return;
	}
	if (limit > LIMIT_MAX)
		limit = LIMIT_MAX;
	o = cJSON_CreateObject();
	data = cJSON_AddArrayToObject(o, "data");
	/* US local numbers only; Telnyx finds nothing for a pattern that
	 * is not digits */
	for (i = 0; i < NAREAS && (cc == NULL || strcasecmp(cc, "US") == 0) &&
	    (type == NULL || strcmp(type, "local") == 0) &&
	    (has == NULL || digits(has)); i++) {
		if (!area_ok(q, &areas[i]))
			continue;
		for (nn = 0; nn < PER_AREA; nn++) {
			snprintf(e164, sizeof(e164), "+1%s55501%02zu",
			    areas[i].ndc, nn);
			if (smap_get(&T.owned, e164) != NULL ||
			    (has != NULL && strstr(e164 + 2, has) == NULL))
				continue;
			if (total++ < (size_t)limit)
				cJSON_AddItemToArray(data,
				    available_json(e164, &areas[i]));
		}
	}
	m = cJSON_AddObjectToObject(o, "meta");
	cJSON_AddNumberToObject(m, "total_results", (double)total);
	cJSON_AddNumberToObject(m, "best_effort_results", 0);
	cJSON_AddItemToObject(o, "metadata", cJSON_Duplicate(m, 1));
	resp_json(rs, 200, o);
}

/* ---- lists ------------------------------------------------------------ */

/* Answers a page of all (taken): page[number], page[size]. */
static void
page(struct sreq *q, struct sresp *rs, cJSON *all)
{
	long	 size = positive(q, "page[size]", PAGE_DEFAULT);
	long	 num = positive(q, "page[number]", 1);
	long	 total = cJSON_GetArraySize(all), i;
	cJSON	*o, *data, *m;

	if (size < 0 || num < 0 || size > PAGE_MAX) {
		cJSON_Delete(all);
		bad_request(rs, 400, "page[number] and page[size] (1-250) "
		    "must be positive integers", NULL);
		return;
	}
	o = cJSON_CreateObject();
	data = cJSON_AddArrayToObject(o, "data");
	for (i = (num - 1) * size; num <= total && i < num * size &&
	    i < total; i++)
		cJSON_AddItemToArray(data, cJSON_Duplicate(
		    cJSON_GetArrayItem(all, (int)i), 1));
	m = cJSON_AddObjectToObject(o, "meta");
	cJSON_AddNumberToObject(m, "total_pages", (double)((total + size - 1) /
	    size));
	cJSON_AddNumberToObject(m, "total_results", (double)total);
	cJSON_AddNumberToObject(m, "page_number", (double)num);
	cJSON_AddNumberToObject(m, "page_size", (double)size);
	cJSON_Delete(all);
	resp_json(rs, 200, o);
}

static int
by_seq(const void *a, const void *b)
{
	const struct torder	*x = *(struct torder *const *)a;
	const struct torder	*y = *(struct torder *const *)b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int
by_time(const void *a, const void *b)
{
	const struct tnum	*x = *(struct tnum *const *)a;
	const struct tnum	*y = *(struct tnum *const *)b;

	if (x->at_ms != y->at_ms)
		return x->at_ms < y->at_ms ? -1 : 1;
	return strcmp(x->e164, y->e164);
}

/* GET /v2/number_orders: filter[customer_reference], filter[status] */
static void
orders_list(struct sreq *q, struct sresp *rs)
{
	const char	*ref = query(q, "filter[customer_reference]");
	const char	*st = query(q, "filter[status]");
	struct torder	**v = (struct torder **)smap_sorted(&T.orders, by_seq);
	const char	*s;
	cJSON		*all = cJSON_CreateArray();
	size_t		 i;

	for (i = 0; i < T.orders.n; i++) {
		s = cJSON_GetStringValue(cJSON_GetObjectItem(v[i]->json,
		    "customer_reference"));
		if (ref != NULL && (s == NULL || strcmp(s, ref) != 0))
			continue;
		s = cJSON_GetStringValue(cJSON_GetObjectItem(v[i]->json,
		    "status"));
		if (st != NULL && strcmp(s, st) != 0)
			continue;
		cJSON_AddItemToArray(all, cJSON_Duplicate(v[i]->json, 1));
	}
	free(v);
	page(q, rs, all);
}

static cJSON *
number_json(const struct tnum *n, const char *status)
{
	cJSON	*o = cJSON_CreateObject();
	char	 at[40];

	stamp(n->at_ms, at, sizeof(at));
	cJSON_AddStringToObject(o, "id", n->id);
	cJSON_AddStringToObject(o, "record_type", "phone_number");
	cJSON_AddStringToObject(o, "phone_number", n->e164);
	cJSON_AddStringToObject(o, "status", status);
	cJSON_AddArrayToObject(o, "tags");
	cJSON_AddNullToObject(o, "connection_id");
	cJSON_AddNullToObject(o, "messaging_profile_id");
	cJSON_AddNullToObject(o, "billing_group_id");
	if (n->ref != NULL)
		cJSON_AddStringToObject(o, "customer_reference", n->ref);
	else
		cJSON_AddNullToObject(o, "customer_reference");
	cJSON_AddStringToObject(o, "phone_number_type", "local");
	cJSON_AddFalseToObject(o, "emergency_enabled");
	cJSON_AddFalseToObject(o, "deletion_lock_enabled");
	cJSON_AddStringToObject(o, "purchased_at", at);
	cJSON_AddStringToObject(o, "created_at", at);
	cJSON_AddStringToObject(o, "updated_at", at);
	return o;
}

/* GET /v2/phone_numbers: filter[phone_number] (digits, a part of the
 * number), filter[customer_reference] */
static void
numbers_list(struct sreq *q, struct sresp *rs)
{
	const char	*pn = query(q, "filter[phone_number]");
	const char	*ref = query(q, "filter[customer_reference]");
	struct tnum	**v = (struct tnum **)smap_sorted(&T.owned, by_time);
	cJSON		*all = cJSON_CreateArray();
	size_t		 i;

	for (i = 0; i < T.owned.n; i++) {
		/* as at Telnyx: anything but digits finds nothing */
		if (pn != NULL && (!digits(pn) || strstr(v[i]->e164 + 1,
		    pn) == NULL))
			continue;
		if (ref != NULL && (v[i]->ref == NULL ||
		    strcmp(v[i]->ref, ref) != 0))
			continue;
		cJSON_AddItemToArray(all, number_json(v[i], "active"));
	}
	free(v);
	page(q, rs, all);
}

/* ---- orders and releases ------------------------------------------------- */

/* Checks an order's numbers into pn[]: their count, or -1 (answered). */
static int
order_numbers(const struct sreq *q, struct sresp *rs, const char **pn)
{
	const cJSON	*nums = cJSON_GetObjectItem(q->json, "phone_numbers");
	const cJSON	*it;
	char		 ptr[64], msg[128];
	int		 n = 0, i;

	if (!cJSON_IsArray(nums) || cJSON_GetArraySize(nums) == 0) {
		telnyx_error(rs, 422, "10004", "Missing required parameter",
		    "phone_numbers is required: [{\"phone_number\": "
		    "\"+1...\"}]", "/phone_numbers");
		return -1;
	}
	if (cJSON_GetArraySize(nums) > ORDER_NUMS_MAX) {
		bad_request(rs, 422, "at most 100 phone_numbers an order",
		    "/phone_numbers");
		return -1;
	}
	cJSON_ArrayForEach(it, nums) {
		snprintf(ptr, sizeof(ptr), "/phone_numbers/%d/phone_number", n);
		pn[n] = cJSON_GetStringValue(cJSON_GetObjectItem(it,
		    "phone_number"));
		if (pn[n] == NULL || pn[n][0] != '+' || strlen(pn[n]) < 9 ||
		    strlen(pn[n]) > 16 || !digits(pn[n] + 1)) {
			telnyx_error(rs, 422, "10016", "Phone number must be "
			    "in +E.164 format", "The specified phone number "
			    "parameter must be in +E.164 format.", ptr);
			return -1;
		}
		for (i = 0; i < n && strcmp(pn[i], pn[n]) != 0; i++)
			;
		if (area_of(pn[n]) == NULL || smap_get(&T.owned, pn[n]) !=
		    NULL || i < n) {
			snprintf(msg, sizeof(msg), "%s is not available for "
			    "ordering", pn[n]);
			telnyx_error(rs, 422, "10002", "Invalid phone number",
			    msg, ptr);
			return -1;
		}
		n++;
	}
	return n;
}

/* A new number bought by an order; its order line into lines. */
static void
buy(const char *e164, const char *ref, const char *order_id, int64_t at,
    cJSON *lines)
{
	struct tnum	*n = xcalloc(1, sizeof(*n));
	cJSON		*l = cJSON_CreateObject();
	char		 uuid[37];

	do
		rand_digits(n->id, 19);
	while (smap_get(&T.ids, n->id) != NULL);
	snprintf(n->e164, sizeof(n->e164), "%s", e164);
	n->ref = ref != NULL ? xstrdup(ref) : NULL;
	snprintf(n->order_id, sizeof(n->order_id), "%s", order_id);
	n->at_ms = at;
	smap_put(&T.owned, n->e164, n);
	smap_put(&T.ids, n->id, n);
	if (wa_crypto_uuid4(uuid) != 0)
		abort();
	cJSON_AddStringToObject(l, "id", uuid);
	cJSON_AddStringToObject(l, "record_type", "number_order_phone_number");
	cJSON_AddStringToObject(l, "phone_number", e164);
	cJSON_AddStringToObject(l, "status", "success");
	cJSON_AddTrueToObject(l, "requirements_met");
	cJSON_AddArrayToObject(l, "regulatory_requirements");
	cJSON_AddItemToArray(lines, l);
}

/* One resource: {data: v} (taken), or 404. */
static void
one(struct sresp *rs, cJSON *v)
{
	cJSON	*o;

	if (v == NULL) {
		not_found(rs);
		return;
	}
	o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "data", v);
	resp_json(rs, 200, o);
}

/* An order's record as Telnyx answers it; its lines come after. */
static cJSON *
order_json(const char *id, const char *ref, int n, const char *at)
{
	cJSON	*o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "id", id);
	cJSON_AddStringToObject(o, "record_type", "number_order");
	cJSON_AddNumberToObject(o, "phone_numbers_count", n);
	cJSON_AddArrayToObject(o, "phone_numbers");
	cJSON_AddNullToObject(o, "connection_id");
	cJSON_AddNullToObject(o, "messaging_profile_id");
	cJSON_AddNullToObject(o, "billing_group_id");
	cJSON_AddArrayToObject(o, "sub_number_orders_ids");
	cJSON_AddStringToObject(o, "status", "success");
	if (ref != NULL)
		cJSON_AddStringToObject(o, "customer_reference", ref);
	else
		cJSON_AddNullToObject(o, "customer_reference");
	cJSON_AddStringToObject(o, "created_at", at);
	cJSON_AddStringToObject(o, "updated_at", at);
	cJSON_AddTrueToObject(o, "requirements_met");
	return o;
}

/* POST /v2/number_orders: completes at once. */
static void
order_create(struct sreq *q, struct sresp *rs)
{
	const char	*pn[ORDER_NUMS_MAX], *ref;
	const cJSON	*rv;
	struct torder	*o;
	char		 id[37], at[40];
	int64_t		 now = now_ms();
	int		 n, i;

	rv = cJSON_GetObjectItem(q->json, "customer_reference");
	if (rv != NULL && !cJSON_IsNull(rv) && (!cJSON_IsString(rv) ||
	    strlen(rv->valuestring) > REF_MAX)) {
		bad_request(rs, 422, "customer_reference must be a string of "
		    "at most 255 characters", "/customer_reference");
		return;
	}
	ref = cJSON_GetStringValue(rv);
	if ((n = order_numbers(q, rs, pn)) < 0)
		return;
	if (T.orders.n >= SIM_TELNYX_MAX || T.owned.n + (size_t)n >
	    SIM_TELNYX_MAX) {
		telnyx_error(rs, 429, "10011", "Too many requests", "the "
		    "sandbox keeps 10000 orders and numbers; DELETE "
		    "/_sim/telnyx empties it", NULL);
		return;
	}
	if (wa_crypto_uuid4(id) != 0)
		abort();
	stamp(now, at, sizeof(at));
	o = xcalloc(1, sizeof(*o));
	o->seq = ++T.seq;
	o->json = order_json(id, ref, n, at);
	for (i = 0; i < n; i++)
		buy(pn[i], ref, id, now, cJSON_GetObjectItem(o->json,
		    "phone_numbers"));
	smap_put(&T.orders, id, o);
	T.norders++;
	one(rs, cJSON_Duplicate(o->json, 1));
}

/* DELETE /v2/phone_numbers/{id}: the number is available again. */
static void
release(struct sresp *rs, const char *id)
{
	struct tnum	*n = smap_get(&T.ids, id);

	if (n == NULL) {
		not_found(rs);
		return;
	}
	one(rs, number_json(n, "deleted"));
	smap_del(&T.ids, n->id);
	smap_del(&T.owned, n->e164);
	tnum_free(n);
	T.nreleases++;
}

/* ---- routing ------------------------------------------------------------ */

static int
authorized(const struct sreq *q)
{
	return q->token != NULL && q->auth_scheme != NULL &&
	    strcmp(q->auth_scheme, "Bearer") == 0 && T.key[0] != '\0' &&
	    strcmp(q->token, T.key) == 0;
}

void
telnyx_route(struct sreq *q, struct sresp *rs)
{
	char		*copy, *seg[6], *p, *save = NULL;
	int		 n = 0;
	struct torder	*o;
	struct tnum	*nb;

	if (!authorized(q)) {
		telnyx_error(rs, 401, "10009", "Authentication failed",
		    "Could not understand the provided credentials.", NULL);
		return;
	}
	copy = xstrdup(q->path);
	for (p = strtok_r(copy, "/", &save); p != NULL && n < 6;
	    p = strtok_r(NULL, "/", &save))
		seg[n++] = p;
	/* seg[0] is "telnyx" */
	if (n < 3 || n > 4 || strcmp(seg[1], "v2") != 0)
		not_found(rs);
	else if (n == 3 && strcmp(seg[2], "available_phone_numbers") == 0 &&
	    method_is(q, "GET"))
		search(q, rs);
	else if (n == 3 && strcmp(seg[2], "number_orders") == 0 &&
	    method_is(q, "GET"))
		orders_list(q, rs);
	else if (n == 3 && strcmp(seg[2], "number_orders") == 0 &&
	    method_is(q, "POST")) {
		if (q->json == NULL)
			bad_request(rs, 400, "The request body must be a JSON "
			    "object (Content-Type: application/json)", NULL);
		else
			order_create(q, rs);
	} else if (n == 4 && strcmp(seg[2], "number_orders") == 0 &&
	    method_is(q, "GET")) {
		o = smap_get(&T.orders, seg[3]);
		one(rs, o != NULL ? cJSON_Duplicate(o->json, 1) : NULL);
	} else if (n == 3 && strcmp(seg[2], "phone_numbers") == 0 &&
	    method_is(q, "GET"))
		numbers_list(q, rs);
	else if (n == 4 && strcmp(seg[2], "phone_numbers") == 0 &&
	    method_is(q, "GET")) {
		nb = smap_get(&T.ids, seg[3]);
		one(rs, nb != NULL ? number_json(nb, "active") : NULL);
	} else if (n == 4 && strcmp(seg[2], "phone_numbers") == 0 &&
	    method_is(q, "DELETE"))
		release(rs, seg[3]);
	else
		not_found(rs);
	free(copy);
}

/* ---- control: GET and DELETE /_sim/telnyx -------------------------------- */

void
telnyx_ctl(struct sreq *q, struct sresp *rs)
{
	struct tnum	**v;
	cJSON		*o, *arr, *e;
	char		 at[40];
	size_t		 i;

	if (method_is(q, "DELETE"))
		telnyx_reset();
	o = cJSON_CreateObject();
	arr = cJSON_AddArrayToObject(o, "owned");
	v = (struct tnum **)smap_sorted(&T.owned, by_time);
	for (i = 0; i < T.owned.n; i++) {
		e = cJSON_CreateObject();
		cJSON_AddStringToObject(e, "id", v[i]->id);
		cJSON_AddStringToObject(e, "phone_number", v[i]->e164);
		if (v[i]->ref != NULL)
			cJSON_AddStringToObject(e, "customer_reference",
			    v[i]->ref);
		else
			cJSON_AddNullToObject(e, "customer_reference");
		cJSON_AddStringToObject(e, "order_id", v[i]->order_id);
		stamp(v[i]->at_ms, at, sizeof(at));
		cJSON_AddStringToObject(e, "ordered_at", at);
		cJSON_AddItemToArray(arr, e);
	}
	free(v);
	cJSON_AddNumberToObject(o, "orders", (double)T.norders);
	cJSON_AddNumberToObject(o, "releases", (double)T.nreleases);
	resp_json(rs, 200, o);
}
