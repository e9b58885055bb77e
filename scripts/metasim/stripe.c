/*
 * The billing sandbox: the part of Stripe's API that wagate's client
 * (lib/stripe.h) calls, under /stripe/v1/ on the simulator's own port,
 * so that WA_STRIPE_URL=https://localhost:PORT/stripe stands in for
 * https://api.stripe.com, and Checkout's hosted page under
 * /stripe/pay/{session}.  Runs with sim.lock held; faults and the
 * request log apply as to Graph paths (http.c).
 *
 * One account sells one thing: PRICE_ID, a number a month.  A Checkout
 * Session (mode subscription) is paid on its page as a test card would
 * be: the session completes with a new customer and an active
 * subscription of the session's quantity, and a signed
 * checkout.session.completed event goes to --stripe-webhook-url
 * (hooks.c: Stripe-Signature "t=...,v1=...", retried as Meta's
 * webhooks are).  Ids look like Stripe's (cs_test_..., sub_..., si_...,
 * cus_..., evt_..., in_...).
 *
 * Bodies are form-encoded, as Stripe takes them (a JSON body carries no
 * parameters there either); an unknown parameter is refused, as at
 * Stripe.  A POST with an Idempotency-Key is answered once: the same
 * key, path and body again replay the first answer (Idempotent-Replayed:
 * true), the same key with anything else is an idempotency_error.  Only
 * successes are kept, as Stripe keeps no result of a request that
 * failed its validation.
 *
 * Auth: "Authorization: Bearer <key>" (or Basic, the key as user name)
 * with --stripe-key or METASIM_STRIPE_KEY (default sk_test_sandbox),
 * else 401.  The page needs none: a browser opens it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crypto.h"
#include "metasim.h"

#define S		(sim.stripe)
#define KEY_SANDBOX	"sk_test_sandbox"
#define PRICE_ID	"price_sandbox_number"
#define PRODUCT_ID	"prod_sandbox_number"
#define UNIT_AMOUNT	300		/* cents a number a month */
#define API_VERSION	"2024-06-20"
#define REF_MAX		200		/* client_reference_id */
#define URL_MAX		5000		/* success_url, cancel_url */
#define IDEM_MAX	255
#define QUANTITY_MAX	999999L
#define DAY_S		86400
#define PERIOD_S	(30 * DAY_S)

/* A Checkout Session, kept as answered. */
struct ssession {
	unsigned long	 seq;
	cJSON		*json;
};

/* A subscription (S.subs by id, S.items by its one item's id). */
struct ssub {
	unsigned long	 seq;
	char		 id[32];
	char		 item[24];
	char		 customer[24];
	char		 status[24];	/* active, past_due, canceled */
	long		 quantity;
	int64_t		 created;	/* Unix seconds */
	int64_t		 canceled_at;	/* 0: not */
	int64_t		 item_created;
};

/* An event sent, for GET /_sim/stripe and resending. */
struct sevent {
	unsigned long	 seq;
	char		 id[32];
	char		*type;
	char		*body;
	int64_t		 created;
	unsigned long	 logseq;	/* its last delivery's hook log */
};

/* A POST answered under an Idempotency-Key. */
struct sidem {
	char		*what;		/* "POST /stripe/v1/...\nk=v..." */
	int		 status;
	char		*body;
};

static void
session_free(void *p)
{
	struct ssession	*s = p;

	cJSON_Delete(s->json);
	free(s);
}

static void
event_free(void *p)
{
	struct sevent	*e = p;

	free(e->type);
	free(e->body);
	free(e);
}

static void
idem_free(void *p)
{
	struct sidem	*i = p;

	free(i->what);
	free(i->body);
	free(i);
}

void
stripe_reset(void)
{
	smap_clear(&S.items, NULL);	/* the same as subs' */
	smap_clear(&S.subs, free);
	smap_clear(&S.sessions, session_free);
	smap_clear(&S.events, event_free);
	smap_clear(&S.idem, idem_free);
}

/* prefix and n random letters and digits into out. */
static void
new_id(char *out, size_t outsz, const char *prefix, size_t n)
{
	size_t	k = strlen(prefix);

	if (k + n >= outsz || wa_crypto_token(out + k, n) != 0)
		abort();
	memcpy(out, prefix, k);
}

static int64_t
now_s(void)
{
	return now_ms() / 1000;
}

/* ---- answers ------------------------------------------------------------- */

void
stripe_error(struct sresp *rs, int status, const char *type,
    const char *code, const char *message, const char *param)
{
	cJSON	*o = cJSON_CreateObject(), *e;
	char	 url[96], *p;

	e = cJSON_AddObjectToObject(o, "error");
	if (code != NULL) {
		cJSON_AddStringToObject(e, "code", code);
		snprintf(url, sizeof(url), "https://stripe.com/docs/"
		    "error-codes/%s", code);
		for (p = url + 34; *p != '\0'; p++)
			if (*p == '_')
				*p = '-';
		cJSON_AddStringToObject(e, "doc_url", url);
	}
	cJSON_AddStringToObject(e, "message", message);
	if (param != NULL)
		cJSON_AddStringToObject(e, "param", param);
	cJSON_AddStringToObject(e, "type", type);
	resp_json(rs, status, o);
}

void
stripe_fault(struct sresp *rs, int status)
{
	if (status <= 0)
		status = 500;
	if (status == 429)
		stripe_error(rs, status, "invalid_request_error", "rate_limit",
		    "Too many requests hit the API too quickly (fault "
		    "injected by the simulator's control API).", NULL);
	else if (status >= 500)
		stripe_error(rs, status, "api_error", NULL, "Something went "
		    "wrong on Stripe's end (fault injected by the simulator's "
		    "control API).", NULL);
	else if (status == 402)
		stripe_error(rs, status, "card_error", "card_declined", "Your "
		    "card was declined (fault injected by the simulator's "
		    "control API).", NULL);
	else
		stripe_error(rs, status, "invalid_request_error", NULL,
		    "Fault injected by the simulator's control API.", NULL);
}

static void
no_such(struct sresp *rs, const char *what, const char *id,
    const char *param)
{
	char	msg[160];

	snprintf(msg, sizeof(msg), "No such %s: '%.64s'", what, id);
	stripe_error(rs, 404, "invalid_request_error", "resource_missing",
	    msg, param);
}

static void
invalid(struct sresp *rs, const char *code, const char *msg,
    const char *param)
{
	stripe_error(rs, 400, "invalid_request_error", code, msg, param);
}

static void
missing(struct sresp *rs, const char *param)
{
	char	msg[96];

	snprintf(msg, sizeof(msg), "Missing required param: %s.", param);
	invalid(rs, "parameter_missing", msg, param);
}

/* ---- parameters ---------------------------------------------------------- */

/* The first parameter of the form not in known (a NULL-ended list of
 * names, or of prefixes ending in '['), or NULL. */
static const char *
unknown_param(const struct sreq *q, const char *const *known)
{
	const char *const	*k;
	size_t			 n;
	int			 i;

	for (i = 0; i < q->nform; i++) {
		for (k = known; *k != NULL; k++) {
			n = strlen(*k);
			if ((*k)[n - 1] == '[' ? strncmp(q->form[i].key, *k,
			    n) == 0 : strcmp(q->form[i].key, *k) == 0)
				break;
		}
		if (*k == NULL)
			return q->form[i].key;
	}
	return NULL;
}

/* 1 if no parameter is unknown; else answered. */
static int
params_ok(const struct sreq *q, struct sresp *rs, const char *const *known)
{
	const char	*u = unknown_param(q, known);
	char		 msg[128];

	if (u == NULL)
		return 1;
	snprintf(msg, sizeof(msg), "Received unknown parameter: %.64s", u);
	invalid(rs, "parameter_unknown", msg, u);
	return 0;
}

/* An integer parameter 0..max, or -1 (absent) or -2 (answered). */
static long
integer(const struct sreq *q, struct sresp *rs, const char *name, long max)
{
	const char	*v = param(q, name);
	char		*end, msg[96];
	long		 n;

	if (v == NULL)
		return -1;
	n = strtol(v, &end, 10);
	if (end == v || *end != '\0' || n < 0 || n > max) {
		snprintf(msg, sizeof(msg), "Invalid integer: %.32s", v);
		invalid(rs, "parameter_invalid_integer", msg, name);
		return -2;
	}
	return n;
}

/* 1 if an optional URL parameter is absent or an http(s) URL without
 * blanks or controls; else answered. */
static int
url_ok(const struct sreq *q, struct sresp *rs, const char *name)
{
	const char	*v = param(q, name);
	const char	*p;

	if (v == NULL)
		return 1;
	for (p = v; *p != '\0' && (unsigned char)*p > 0x20 && *p != 0x7f;
	    p++)
		;
	if (*p == '\0' && strlen(v) <= URL_MAX && (strncmp(v, "https://",
	    8) == 0 || strncmp(v, "http://", 7) == 0) && strlen(v) > 8)
		return 1;
	invalid(rs, "url_invalid", "Not a valid URL", name);
	return 0;
}

/* ---- objects ------------------------------------------------------------- */

static cJSON *
price_json(void)
{
	cJSON	*o = cJSON_CreateObject(), *r;

	cJSON_AddStringToObject(o, "id", PRICE_ID);
	cJSON_AddStringToObject(o, "object", "price");
	cJSON_AddTrueToObject(o, "active");
	cJSON_AddStringToObject(o, "billing_scheme", "per_unit");
	cJSON_AddStringToObject(o, "currency", "usd");
	cJSON_AddFalseToObject(o, "livemode");
	cJSON_AddStringToObject(o, "nickname", "A phone number");
	cJSON_AddStringToObject(o, "product", PRODUCT_ID);
	r = cJSON_AddObjectToObject(o, "recurring");
	cJSON_AddStringToObject(r, "interval", "month");
	cJSON_AddNumberToObject(r, "interval_count", 1);
	cJSON_AddStringToObject(r, "usage_type", "licensed");
	cJSON_AddStringToObject(o, "type", "recurring");
	cJSON_AddNumberToObject(o, "unit_amount", UNIT_AMOUNT);
	cJSON_AddStringToObject(o, "unit_amount_decimal", "300");
	return o;
}

static cJSON *
item_json(const struct ssub *s)
{
	cJSON	*o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "id", s->item);
	cJSON_AddStringToObject(o, "object", "subscription_item");
	cJSON_AddNumberToObject(o, "created", (double)s->item_created);
	cJSON_AddObjectToObject(o, "metadata");
	cJSON_AddItemToObject(o, "price", price_json());
	cJSON_AddNumberToObject(o, "quantity", (double)s->quantity);
	cJSON_AddStringToObject(o, "subscription", s->id);
	return o;
}

static void
time_or_null(cJSON *o, const char *name, int64_t t)
{
	if (t != 0)
		cJSON_AddNumberToObject(o, name, (double)t);
	else
		cJSON_AddNullToObject(o, name);
}

static cJSON *
sub_json(const struct ssub *s)
{
	cJSON	*o = cJSON_CreateObject(), *items;
	char	 url[96];
	int64_t	 start = s->created;

	/* the period the subscription is in, a month at a time */
	while (start + PERIOD_S <= now_s())
		start += PERIOD_S;
	cJSON_AddStringToObject(o, "id", s->id);
	cJSON_AddStringToObject(o, "object", "subscription");
	cJSON_AddFalseToObject(o, "cancel_at_period_end");
	time_or_null(o, "canceled_at", s->canceled_at);
	cJSON_AddStringToObject(o, "collection_method",
	    "charge_automatically");
	cJSON_AddNumberToObject(o, "created", (double)s->created);
	cJSON_AddStringToObject(o, "currency", "usd");
	cJSON_AddNumberToObject(o, "current_period_end",
	    (double)(start + PERIOD_S));
	cJSON_AddNumberToObject(o, "current_period_start", (double)start);
	cJSON_AddStringToObject(o, "customer", s->customer);
	time_or_null(o, "ended_at", s->canceled_at);
	items = cJSON_AddObjectToObject(o, "items");
	cJSON_AddStringToObject(items, "object", "list");
	cJSON_AddItemToArray(cJSON_AddArrayToObject(items, "data"),
	    item_json(s));
	cJSON_AddFalseToObject(items, "has_more");
	cJSON_AddNumberToObject(items, "total_count", 1);
	snprintf(url, sizeof(url), "/v1/subscription_items?subscription=%s",
	    s->id);
	cJSON_AddStringToObject(items, "url", url);
	cJSON_AddFalseToObject(o, "livemode");
	cJSON_AddObjectToObject(o, "metadata");
	cJSON_AddNumberToObject(o, "quantity", (double)s->quantity);
	cJSON_AddNumberToObject(o, "start_date", (double)s->created);
	cJSON_AddStringToObject(o, "status", s->status);
	return o;
}

/* ---- events -------------------------------------------------------------- */

/* Sends an event of type about object (taken); the event's id. */
static const char *
event_send(const char *type, cJSON *object)
{
	struct sevent	*e;
	cJSON		*o = cJSON_CreateObject(), *rq;

	if (S.events.n >= SIM_STRIPE_MAX)
		smap_clear(&S.events, event_free);
	e = xcalloc(1, sizeof(*e));
	e->seq = ++S.seq;
	do
		new_id(e->id, sizeof(e->id), "evt_", 24);
	while (smap_get(&S.events, e->id) != NULL);
	e->type = xstrdup(type);
	e->created = now_s();
	cJSON_AddStringToObject(o, "id", e->id);
	cJSON_AddStringToObject(o, "object", "event");
	cJSON_AddStringToObject(o, "api_version", API_VERSION);
	cJSON_AddNumberToObject(o, "created", (double)e->created);
	cJSON_AddItemToObject(cJSON_AddObjectToObject(o, "data"), "object",
	    object);
	cJSON_AddFalseToObject(o, "livemode");
	cJSON_AddNumberToObject(o, "pending_webhooks", 1);
	rq = cJSON_AddObjectToObject(o, "request");
	cJSON_AddNullToObject(rq, "id");
	cJSON_AddNullToObject(rq, "idempotency_key");
	cJSON_AddStringToObject(o, "type", type);
	e->body = plain_json(o);
	cJSON_Delete(o);
	e->logseq = hook_stripe(type, xstrdup(e->body));
	smap_put(&S.events, e->id, e);
	return e->id;
}

/* ---- Checkout ------------------------------------------------------------ */

/* The session as Stripe answers it: the quantity its line item asked
 * for is the sandbox's own note. */
static cJSON *
session_json(const struct ssession *s)
{
	cJSON	*o = cJSON_Duplicate(s->json, 1);

	cJSON_DeleteItemFromObjectCaseSensitive(o, "quantity");
	return o;
}

/* The one line item: its quantity, or -1 (answered). */
static long
line_item(const struct sreq *q, struct sresp *rs)
{
	const char	*price = param(q, "line_items[0][price]");
	char		 msg[160];
	long		 n;
	int		 i;

	for (i = 0; i < q->nform; i++)
		if (strncmp(q->form[i].key, "line_items[", 11) == 0 &&
		    strncmp(q->form[i].key, "line_items[0][", 14) != 0) {
			invalid(rs, "parameter_unknown", "The sandbox sells "
			    "one line item: line_items[0]", q->form[i].key);
			return -1;
		}
	if (price == NULL) {
		missing(rs, "line_items");
		return -1;
	}
	if (strcmp(price, PRICE_ID) != 0) {
		snprintf(msg, sizeof(msg), "No such price: '%.64s'", price);
		stripe_error(rs, 400, "invalid_request_error",
		    "resource_missing", msg, "line_items[0][price]");
		return -1;
	}
	if ((n = integer(q, rs, "line_items[0][quantity]", QUANTITY_MAX)) ==
	    -2)
		return -1;
	if (n <= 0) {
		invalid(rs, "parameter_missing", "Quantity is required. Add "
		    "`quantity` to `line_items[0]`", "line_items[0][quantity]");
		return -1;
	}
	return n;
}

static void
str_or_null(cJSON *o, const char *name, const char *v)
{
	if (v != NULL)
		cJSON_AddStringToObject(o, name, v);
	else
		cJSON_AddNullToObject(o, name);
}

/* POST /v1/checkout/sessions */
static void
checkout_create(struct sreq *q, struct sresp *rs)
{
	static const char *const known[] = { "mode", "line_items[",
	    "client_reference_id", "success_url", "cancel_url",
	    "customer_email", "metadata[", "subscription_data[metadata][",
	    "expand[", NULL };
	const char	*mode = param(q, "mode");
	const char	*ref = param(q, "client_reference_id");
	struct ssession	*s;
	cJSON		*o;
	char		 id[80], url[256];
	int64_t		 now = now_s();
	long		 n;

	if (!params_ok(q, rs, known))
		return;
	if (mode == NULL) {
		missing(rs, "mode");
		return;
	}
	if (strcmp(mode, "subscription") != 0) {
		invalid(rs, NULL, strcmp(mode, "payment") == 0 ||
		    strcmp(mode, "setup") == 0 ? "The sandbox takes "
		    "mode=subscription only" : "Invalid mode: must be one of "
		    "payment, setup, or subscription", "mode");
		return;
	}
	if ((n = line_item(q, rs)) < 0)
		return;
	if (param(q, "success_url") == NULL) {
		missing(rs, "success_url");
		return;
	}
	if (!url_ok(q, rs, "success_url") || !url_ok(q, rs, "cancel_url"))
		return;
	if (ref != NULL && (ref[0] == '\0' || strlen(ref) > REF_MAX)) {
		invalid(rs, NULL, "client_reference_id: 1 to 200 characters",
		    "client_reference_id");
		return;
	}
	if (S.sessions.n >= SIM_STRIPE_MAX) {
		stripe_error(rs, 429, "invalid_request_error", "rate_limit",
		    "The sandbox keeps 10000 Checkout Sessions; DELETE "
		    "/_sim/stripe empties it", NULL);
		return;
	}
	do
		new_id(id, sizeof(id), "cs_test_", 58);
	while (smap_get(&S.sessions, id) != NULL);
	snprintf(url, sizeof(url), "%s/stripe/pay/%s", sim.base_url, id);
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "id", id);
	cJSON_AddStringToObject(o, "object", "checkout.session");
	cJSON_AddNumberToObject(o, "amount_subtotal", (double)(n *
	    UNIT_AMOUNT));
	cJSON_AddNumberToObject(o, "amount_total", (double)(n * UNIT_AMOUNT));
	str_or_null(o, "cancel_url", param(q, "cancel_url"));
	str_or_null(o, "client_reference_id", ref);
	cJSON_AddNumberToObject(o, "created", (double)now);
	cJSON_AddStringToObject(o, "currency", "usd");
	cJSON_AddNullToObject(o, "customer");
	str_or_null(o, "customer_email", param(q, "customer_email"));
	cJSON_AddNumberToObject(o, "expires_at", (double)(now + DAY_S));
	cJSON_AddFalseToObject(o, "livemode");
	cJSON_AddObjectToObject(o, "metadata");
	cJSON_AddStringToObject(o, "mode", "subscription");
	cJSON_AddStringToObject(o, "payment_status", "unpaid");
	cJSON_AddNumberToObject(o, "quantity", (double)n);	/* sandbox's */
	cJSON_AddStringToObject(o, "status", "open");
	cJSON_AddNullToObject(o, "subscription");
	cJSON_AddStringToObject(o, "success_url", param(q, "success_url"));
	cJSON_AddStringToObject(o, "ui_mode", "hosted");
	cJSON_AddStringToObject(o, "url", url);
	s = xcalloc(1, sizeof(*s));
	s->seq = ++S.seq;
	s->json = o;
	smap_put(&S.sessions, id, s);
	resp_json(rs, 200, session_json(s));
}

/* ---- subscriptions ------------------------------------------------------- */

/* DELETE /v1/subscriptions/{id}: cancelled now; one that is already
 * cancelled is, as at Stripe, no longer there to cancel. */
static void
sub_cancel(struct sreq *q, struct sresp *rs, struct ssub *s,
    const char *id)
{
	static const char *const known[] = { "invoice_now", "prorate",
	    "cancellation_details[", "expand[", NULL };

	if (!params_ok(q, rs, known))
		return;
	if (s == NULL || strcmp(s->status, "canceled") == 0) {
		no_such(rs, "subscription", id, "id");
		return;
	}
	snprintf(s->status, sizeof(s->status), "canceled");
	s->canceled_at = now_s();
	resp_json(rs, 200, sub_json(s));
	event_send("customer.subscription.deleted", sub_json(s));
}

/* POST /v1/subscription_items/{id}: its quantity. */
static void
item_update(struct sreq *q, struct sresp *rs, struct ssub *s,
    const char *id)
{
	static const char *const known[] = { "quantity", "proration_behavior",
	    "proration_date", "payment_behavior", "metadata[", "expand[",
	    NULL };
	const char	*pb = param(q, "proration_behavior");
	long		 n;

	if (!params_ok(q, rs, known))
		return;
	if (s == NULL) {
		no_such(rs, "subscription item", id, "id");
		return;
	}
	if (pb != NULL && strcmp(pb, "create_prorations") != 0 &&
	    strcmp(pb, "none") != 0 && strcmp(pb, "always_invoice") != 0) {
		invalid(rs, NULL, "Invalid proration_behavior: must be one of "
		    "create_prorations, none, or always_invoice",
		    "proration_behavior");
		return;
	}
	if ((n = integer(q, rs, "quantity", QUANTITY_MAX)) == -2)
		return;
	if (strcmp(s->status, "canceled") == 0) {
		invalid(rs, NULL, "A canceled subscription can only update its "
		    "cancellation_details and metadata.", NULL);
		return;
	}
	if (n >= 0)
		s->quantity = n;
	resp_json(rs, 200, item_json(s));
}

/* ---- the page of a session ----------------------------------------------- */

static void
page(struct sresp *rs, int status, const char *title, const char *text,
    const char *form_action)
{
	struct sbuf	b;

	memset(&b, 0, sizeof(b));
	sb_addf(&b, "<!doctype html>\n<html lang=\"en\"><head><meta "
	    "charset=\"utf-8\"><title>%s</title></head>\n<body>\n<h1>%s"
	    "</h1>\n<p>%s</p>\n", title, title, text);
	if (form_action != NULL)
		sb_addf(&b, "<form method=\"post\" action=\"%s\">"
		    "<button type=\"submit\">Pay</button></form>\n",
		    form_action);
	sb_adds(&b, "</body></html>\n");
	rs->status = status;
	free(rs->body);
	rs->body = sb_take(&b);
	rs->ctype = "text/html; charset=utf-8";
}

/* success_url with {CHECKOUT_SESSION_ID} replaced, malloc'd. */
static char *
success_of(const cJSON *o, const char *id)
{
	const char	*u = cJSON_GetStringValue(cJSON_GetObjectItem(o,
			    "success_url"));
	const char	*m = strstr(u, "{CHECKOUT_SESSION_ID}");
	struct sbuf	 b;

	memset(&b, 0, sizeof(b));
	if (m == NULL)
		sb_adds(&b, u);
	else {
		sb_add(&b, u, (size_t)(m - u));
		sb_adds(&b, id);
		sb_adds(&b, m + 21);
	}
	return sb_take(&b);
}

/* POST /stripe/pay/{id}: paid with a test card.  The session completes
 * with a customer and a subscription of its quantity, the event is
 * sent, and the buyer goes to success_url (303).  Paid twice: the same
 * way back, nothing more. */
static void
pay(struct sresp *rs, struct ssession *ss, const char *id)
{
	struct ssub	*s;
	cJSON		*o = ss->json;
	const char	*st = cJSON_GetStringValue(cJSON_GetObjectItem(o,
			    "status"));

	if (strcmp(st, "open") == 0) {
		if (S.subs.n >= SIM_STRIPE_MAX) {
			page(rs, 429, "Too many subscriptions", "The sandbox "
			    "keeps 10000; DELETE /_sim/stripe empties it.",
			    NULL);
			return;
		}
		s = xcalloc(1, sizeof(*s));
		s->seq = ++S.seq;
		do
			new_id(s->id, sizeof(s->id), "sub_", 24);
		while (smap_get(&S.subs, s->id) != NULL);
		do
			new_id(s->item, sizeof(s->item), "si_", 14);
		while (smap_get(&S.items, s->item) != NULL);
		new_id(s->customer, sizeof(s->customer), "cus_", 14);
		snprintf(s->status, sizeof(s->status), "active");
		s->quantity = (long)cJSON_GetObjectItem(o,
		    "quantity")->valuedouble;
		s->created = s->item_created = now_s();
		smap_put(&S.subs, s->id, s);
		smap_put(&S.items, s->item, s);
		cJSON_ReplaceItemInObject(o, "status",
		    cJSON_CreateString("complete"));
		cJSON_ReplaceItemInObject(o, "payment_status",
		    cJSON_CreateString("paid"));
		cJSON_ReplaceItemInObject(o, "customer",
		    cJSON_CreateString(s->customer));
		cJSON_ReplaceItemInObject(o, "subscription",
		    cJSON_CreateString(s->id));
		event_send("checkout.session.completed", session_json(ss));
	} else if (strcmp(st, "complete") != 0) {
		page(rs, 400, "Checkout expired", "This Checkout Session can "
		    "no longer be paid.", NULL);
		return;
	}
	page(rs, 303, "Paid", "The payment went through.", NULL);
	rs->location = success_of(o, id);
}

/* GET /stripe/pay/{id}: the page with its Pay button. */
static void
pay_page(struct sresp *rs, struct ssession *ss, const char *id)
{
	const char	*st = cJSON_GetStringValue(cJSON_GetObjectItem(ss->json,
			    "status"));
	char		 text[256], action[128];

	if (strcmp(st, "open") != 0) {
		page(rs, 200, "Checkout", strcmp(st, "complete") == 0 ?
		    "This Checkout Session is paid." : "This Checkout Session "
		    "can no longer be paid.", NULL);
		return;
	}
	snprintf(text, sizeof(text), "%d phone number(s), $%d.%02d a month "
	    "each (%s).  The sandbox pays with a test card "
	    "(4242 4242 4242 4242): no money moves.",
	    (int)cJSON_GetObjectItem(ss->json, "quantity")->valuedouble,
	    UNIT_AMOUNT / 100, UNIT_AMOUNT % 100, PRICE_ID);
	snprintf(action, sizeof(action), "/stripe/pay/%s", id);
	page(rs, 200, "Sandbox checkout", text, action);
}

/* ---- routing ------------------------------------------------------------- */

static int
authorized(const struct sreq *q)
{
	const char	*a = header(q, "Authorization");
	unsigned char	 dec[300];
	int		 n;

	if (S.key[0] == '\0' || a == NULL)
		return 0;
	if (q->token != NULL && q->auth_scheme != NULL &&
	    strcmp(q->auth_scheme, "Bearer") == 0)
		return strcmp(q->token, S.key) == 0;
	/* Basic: the key as user name, no password */
	if (strncasecmp(a, "Basic ", 6) != 0 || strlen(a + 6) > 400 ||
	    (n = b64dec(a + 6, dec, sizeof(dec) - 1)) < 1)
		return 0;
	dec[n] = '\0';
	return dec[n - 1] == ':' && (size_t)n - 1 == strlen(S.key) &&
	    strncmp((char *)dec, S.key, (size_t)n - 1) == 0;
}

static void
unauthorized(const struct sreq *q, struct sresp *rs)
{
	const char	*k = q->token;
	char		 msg[160];
	size_t		 n;

	if (header(q, "Authorization") == NULL) {
		stripe_error(rs, 401, "invalid_request_error", NULL, "You did "
		    "not provide an API key. You need to provide your API key "
		    "in the Authorization header, using Bearer auth (e.g. "
		    "'Authorization: Bearer YOUR_SECRET_KEY').", NULL);
		return;
	}
	/* as Stripe does: the key shown by its last four characters */
	n = k != NULL ? strlen(k) : 0;
	snprintf(msg, sizeof(msg), "Invalid API Key provided: %s%s",
	    n > 12 ? "sk_****" : "****", n > 12 ? k + n - 4 : "");
	stripe_error(rs, 401, "invalid_request_error", NULL, msg, NULL);
}

static void
not_found(const struct sreq *q, struct sresp *rs)
{
	char	msg[200];

	snprintf(msg, sizeof(msg), "Unrecognized request URL (%s: %.80s). "
	    "Please see https://stripe.com/docs or we can help at "
	    "https://support.stripe.com/.", q->method, q->path + 7);
	stripe_error(rs, 404, "invalid_request_error", NULL, msg, NULL);
}

/* The API's routes: seg[0] "stripe", seg[1] "v1". */
static void
api(struct sreq *q, struct sresp *rs, char **seg, int n)
{
	struct ssession	*ss;
	struct ssub	*s;

	if (n == 4 && strcmp(seg[2], "checkout") == 0 &&
	    strcmp(seg[3], "sessions") == 0 && method_is(q, "POST"))
		checkout_create(q, rs);
	else if (n == 5 && strcmp(seg[2], "checkout") == 0 &&
	    strcmp(seg[3], "sessions") == 0 && method_is(q, "GET")) {
		if ((ss = smap_get(&S.sessions, seg[4])) == NULL)
			no_such(rs, "checkout.session", seg[4], "session");
		else
			resp_json(rs, 200, session_json(ss));
	} else if (n == 4 && strcmp(seg[2], "subscriptions") == 0 &&
	    method_is(q, "GET")) {
		if ((s = smap_get(&S.subs, seg[3])) == NULL)
			no_such(rs, "subscription", seg[3], "id");
		else
			resp_json(rs, 200, sub_json(s));
	} else if (n == 4 && strcmp(seg[2], "subscriptions") == 0 &&
	    method_is(q, "DELETE"))
		sub_cancel(q, rs, smap_get(&S.subs, seg[3]), seg[3]);
	else if (n == 4 && strcmp(seg[2], "subscription_items") == 0 &&
	    method_is(q, "GET")) {
		if ((s = smap_get(&S.items, seg[3])) == NULL)
			no_such(rs, "subscription item", seg[3], "id");
		else
			resp_json(rs, 200, item_json(s));
	} else if (n == 4 && strcmp(seg[2], "subscription_items") == 0 &&
	    method_is(q, "POST"))
		item_update(q, rs, smap_get(&S.items, seg[3]), seg[3]);
	else
		not_found(q, rs);
}

/*
 * A POST under an Idempotency-Key: 1 if it was answered from what the
 * key holds (or refused), 0 if it is to be served (and *what is the
 * request, malloc'd, to keep its answer under).
 */
static int
idem_replay(struct sreq *q, struct sresp *rs, const char *key, char **what)
{
	struct sidem	*i;
	struct sbuf	 b;
	char		 msg[600];
	int		 n;

	*what = NULL;
	if (strlen(key) > IDEM_MAX || key[0] == '\0') {
		invalid(rs, NULL, "Idempotency-Key: 1 to 255 characters",
		    NULL);
		return 1;
	}
	/* the parameters, as Stripe compares them, not the bytes */
	memset(&b, 0, sizeof(b));
	sb_addf(&b, "%s %s", q->method, q->path);
	for (n = 0; n < q->nform; n++)
		sb_addf(&b, "\n%s=%s", q->form[n].key, q->form[n].val);
	*what = sb_take(&b);
	if ((i = smap_get(&S.idem, key)) == NULL)
		return 0;
	if (strcmp(i->what, *what) != 0) {
		snprintf(msg, sizeof(msg), "Keys for idempotent requests can "
		    "only be used with the same parameters they were first "
		    "used with. Try using a key other than '%.255s' if you "
		    "meant to execute a different request.", key);
		stripe_error(rs, 400, "idempotency_error", NULL, msg, NULL);
	} else {
		rs->status = i->status;
		rs->body = xstrdup(i->body);
		rs->ctype = "application/json";
		rs->replayed = 1;
	}
	free(*what);
	*what = NULL;
	return 1;
}

static void
idem_keep(const char *key, char *what, const struct sresp *rs)
{
	struct sidem	*i;

	if (rs->status < 200 || rs->status > 299) {
		free(what);
		return;
	}
	if (S.idem.n >= SIM_STRIPE_MAX)
		smap_clear(&S.idem, idem_free);
	i = xcalloc(1, sizeof(*i));
	i->what = what;
	i->status = rs->status;
	i->body = xstrdup(rs->body);
	smap_put(&S.idem, key, i);
}

void
stripe_route(struct sreq *q, struct sresp *rs)
{
	char		*copy, *seg[8], *p, *save = NULL, *what;
	const char	*key;
	struct ssession	*ss;
	int		 n = 0;

	copy = xstrdup(q->path);
	for (p = strtok_r(copy, "/", &save); p != NULL && n < 8;
	    p = strtok_r(NULL, "/", &save))
		seg[n++] = p;
	/* seg[0] is "stripe" */
	if (n == 3 && strcmp(seg[1], "pay") == 0 && (method_is(q, "GET") ||
	    method_is(q, "POST"))) {
		if ((ss = smap_get(&S.sessions, seg[2])) == NULL)
			page(rs, 404, "Not found", "No such Checkout Session.",
			    NULL);
		else if (method_is(q, "POST"))
			pay(rs, ss, seg[2]);
		else
			pay_page(rs, ss, seg[2]);
	} else if (n < 2 || strcmp(seg[1], "v1") != 0)
		not_found(q, rs);
	else if (!authorized(q))
		unauthorized(q, rs);
	else if (method_is(q, "POST") &&
	    (key = header(q, "Idempotency-Key")) != NULL) {
		if (!idem_replay(q, rs, key, &what)) {
			api(q, rs, seg, n);
			idem_keep(key, what, rs);
		}
	} else
		api(q, rs, seg, n);
	free(copy);
}

/* ---- control: /_sim/stripe ----------------------------------------------- */

static int
by_seq(const void *a, const void *b)
{
	unsigned long	x = **(const unsigned long *const *)a;
	unsigned long	y = **(const unsigned long *const *)b;

	return x < y ? -1 : x > y;
}

/* The values of a map in the order they were made (each starts with
 * its seq); free() the array. */
static void **
ordered(const struct smap *m)
{
	return smap_sorted(m, by_seq);
}

static cJSON *
event_ctl_json(const struct sevent *e)
{
	struct sim_hooklog	*h = hooklog_find(e->logseq);
	cJSON			*o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "id", e->id);
	cJSON_AddStringToObject(o, "type", e->type);
	cJSON_AddNumberToObject(o, "created", (double)e->created);
	cJSON_AddStringToObject(o, "body", e->body);
	/* the last delivery, while the hook log holds it */
	if (e->logseq != 0 && h != NULL)
		hooklog_delivery(o, h);
	return o;
}

static cJSON *
state_json(void)
{
	cJSON	*o = cJSON_CreateObject(), *arr;
	void	**v;
	size_t	 i;

	cJSON_AddStringToObject(o, "webhook_url", sim.cfg.stripe_webhook_url);
	cJSON_AddStringToObject(o, "price", PRICE_ID);
	arr = cJSON_AddArrayToObject(o, "sessions");
	v = ordered(&S.sessions);
	for (i = 0; i < S.sessions.n; i++)
		cJSON_AddItemToArray(arr, session_json(v[i]));
	free(v);
	arr = cJSON_AddArrayToObject(o, "subscriptions");
	v = ordered(&S.subs);
	for (i = 0; i < S.subs.n; i++)
		cJSON_AddItemToArray(arr, sub_json(v[i]));
	free(v);
	arr = cJSON_AddArrayToObject(o, "events");
	v = ordered(&S.events);
	for (i = 0; i < S.events.n; i++)
		cJSON_AddItemToArray(arr, event_ctl_json(v[i]));
	free(v);
	return o;
}

static void
ctl_answer(struct sresp *rs, int status, const char *key, const char *v)
{
	cJSON	*o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, key, v);
	resp_json(rs, status, o);
}

/* POST /_sim/stripe/fail/{subscription}: its renewal's payment failed;
 * the subscription is past due. */
static void
fail_ctl(struct sresp *rs, const char *id)
{
	struct ssub	*s = smap_get(&S.subs, id);
	cJSON		*in, *par;
	char		 inv[32];
	int64_t		 now = now_s();

	if (s == NULL || strcmp(s->status, "canceled") == 0) {
		ctl_answer(rs, 404, "error", "no such subscription, or it is "
		    "canceled");
		return;
	}
	snprintf(s->status, sizeof(s->status), "past_due");
	new_id(inv, sizeof(inv), "in_", 24);
	in = cJSON_CreateObject();
	cJSON_AddStringToObject(in, "id", inv);
	cJSON_AddStringToObject(in, "object", "invoice");
	cJSON_AddNumberToObject(in, "amount_due", (double)(s->quantity *
	    UNIT_AMOUNT));
	cJSON_AddNumberToObject(in, "amount_paid", 0);
	cJSON_AddNumberToObject(in, "amount_remaining", (double)(s->quantity *
	    UNIT_AMOUNT));
	cJSON_AddNumberToObject(in, "attempt_count", 1);
	cJSON_AddTrueToObject(in, "attempted");
	cJSON_AddStringToObject(in, "billing_reason", "subscription_cycle");
	cJSON_AddStringToObject(in, "collection_method",
	    "charge_automatically");
	cJSON_AddNumberToObject(in, "created", (double)now);
	cJSON_AddStringToObject(in, "currency", "usd");
	cJSON_AddStringToObject(in, "customer", s->customer);
	cJSON_AddFalseToObject(in, "livemode");
	cJSON_AddNumberToObject(in, "next_payment_attempt",
	    (double)(now + 3 * DAY_S));
	cJSON_AddFalseToObject(in, "paid");
	/* where newer API versions name it, too */
	par = cJSON_AddObjectToObject(in, "parent");
	cJSON_AddStringToObject(par, "type", "subscription_details");
	cJSON_AddStringToObject(cJSON_AddObjectToObject(par,
	    "subscription_details"), "subscription", s->id);
	cJSON_AddStringToObject(in, "status", "open");
	cJSON_AddStringToObject(in, "subscription", s->id);
	ctl_answer(rs, 200, "event", event_send("invoice.payment_failed", in));
}

/* POST /_sim/stripe/resend/{event}: the same event, delivered again. */
static void
resend_ctl(struct sresp *rs, const char *id)
{
	struct sevent	*e = smap_get(&S.events, id);

	if (e == NULL) {
		ctl_answer(rs, 404, "error", "no such event");
		return;
	}
	e->logseq = hook_stripe(e->type, xstrdup(e->body));
	ctl_answer(rs, 200, "event", e->id);
}

void
stripe_ctl(struct sreq *q, struct sresp *rs, char **segs, int n)
{
	if (n == 0 && method_is(q, "GET"))
		resp_json(rs, 200, state_json());
	else if (n == 0 && method_is(q, "DELETE")) {
		stripe_reset();
		resp_json(rs, 200, state_json());
	} else if (n == 2 && strcmp(segs[0], "fail") == 0 &&
	    method_is(q, "POST"))
		fail_ctl(rs, segs[1]);
	else if (n == 2 && strcmp(segs[0], "resend") == 0 &&
	    method_is(q, "POST"))
		resend_ctl(rs, segs[1]);
	else
		ctl_answer(rs, 404, "error", "no such control endpoint");
}
