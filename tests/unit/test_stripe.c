/*
 * The billing client (lib/stripe.c) against the billing sandbox in the
 * simulator (scripts/metasim/stripe.c), started on a free loopback
 * port: a Checkout Session created (and created again under the same
 * Idempotency-Key), read, paid through the sandbox's page, and the
 * signed event that follows checked by wa_stripe_signature_ok(); the
 * subscription's quantity up, unchanged, and to 0 (cancelled, and again);
 * what the caller is told when the key is wrong, Stripe refuses or fails
 * (injected faults), cannot be reached, or is not configured; the
 * events' retries; and wa_stripe_signature_ok() on its own, on the
 * shapes of Stripe's documentation and on garbage.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "cfg.h"
#include "clock.h"
#include "log.h"
#include "stripe.h"
#include "helpers.h"
#include "sim_helpers.h"

#define KEY		"sk_test_unit_sandbox"
#define PRICE		"price_sandbox_number"
#define WHSEC		"whsec_unit_sandbox"
#define SUCCESS		"https://app.test/numbers/done?s={CHECKOUT_SESSION_ID}"
#define CANCEL		"https://app.test/numbers?canceled=1"

static char		 url[96];
static struct wa_req	 r;
static struct wa_cfg	 cfg;

/* ---- the simulator ------------------------------------------------------- */

static const char *const sim_args[] = { "--no-statuses", NULL };
static const char *const sim_env[] = { "WA_META_APP_SECRET",
    "sim-test-secret", "METASIM_STRIPE_KEY", KEY,
    "METASIM_STRIPE_WEBHOOK_SECRET", WHSEC, NULL };
static struct t_sim	 sim = { .name = "test_stripe",
    .dir = "wa-stripe", .args = sim_args, .env = sim_env, .req = &r };

static cJSON *
ctl(const char *method, const char *path, const char *body)
{
	return t_sim_ctl(&sim, method, path, body);
}

/* Billing's state: {sessions, subscriptions, events}. */
static cJSON *
billing(void)
{
	return ctl("GET", "/_sim/stripe", NULL);
}

static cJSON *
billing_list(const char *name)
{
	return cJSON_GetObjectItem(billing(), name);
}

/* The last request received, of those query selects. */
static cJSON *
last_request(const char *query)
{
	cJSON	*reqs = t_sim_requests(&sim, query);

	return cJSON_GetArrayItem(reqs, cJSON_GetArraySize(reqs) - 1);
}

/* A browser's call of the sandbox's page: the status; the Location
 * header (arena) in *loc, if any. */
static long
browse(const char *method, const char *path, const char **loc)
{
	struct wa_buf	 b;
	char		 u[256], *l = NULL;
	long		 status = 0;
	CURL		*c = curl_easy_init();

	wa_buf_init(&b, r.arena, 1u << 20);
	snprintf(u, sizeof(u), "%s%s", sim.base, path);
	curl_easy_setopt(c, CURLOPT_URL, u);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (strcmp(method, "POST") == 0)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, t_sim_sink);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	assert_int_equal(curl_easy_perform(c), CURLE_OK);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &l);
	if (loc != NULL)
		*loc = l != NULL ? wa_arena_strdup(r.arena, l) : NULL;
	if (strcmp(method, "GET") == 0)
		assert_non_null(strstr(b.data, "<button type=\"submit\">Pay"));
	curl_easy_cleanup(c);
	return status;
}

/* ---- fixtures ------------------------------------------------------------ */

static int
group_setup(void **state)
{
	(void)state;
	if (t_sim_setup(&sim) != 0)
		return -1;
	snprintf(url, sizeof(url), "%s/stripe", sim.base);
	wa_log_init("test", WA_LOG_ERROR);
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	return t_sim_teardown(&sim);
}

static int
setup(void **state)
{
	(void)state;
	t_cfg_init(&cfg);
	cfg.stripe_url = url;
	cfg.stripe_secret_key = KEY;
	cfg.stripe_price_id = PRICE;
	cfg.stripe_webhook_secret = WHSEC;
	t_req_init(&r, &cfg);
	ctl("POST", "/_sim/reset", "{}");
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	t_req_free(&r);
	return 0;
}

/* A session for ref, paid on the sandbox's page: its subscription. */
static const char *
bought(const char *ref)
{
	struct wa_stripe_checkout	co;

	assert_int_equal(wa_stripe_checkout_create(&r, ref, SUCCESS, CANCEL,
	    &co), WA_OK);
	assert_int_equal(browse("POST", wa_arena_printf(r.arena,
	    "/stripe/pay/%s", co.id), NULL), 303);
	assert_int_equal(wa_stripe_checkout_get(&r, co.id, &co), WA_OK);
	assert_non_null(co.subscription);
	return co.subscription;
}

/* ---- Checkout ------------------------------------------------------------ */

static void
test_checkout_create(void **state)
{
	struct wa_stripe_checkout	 co, again;
	const char			*body;
	cJSON				*rq;

	(void)state;
	assert_int_equal(wa_stripe_checkout_create(&r, "purchase-1", SUCCESS,
	    CANCEL, &co), WA_OK);
	assert_int_equal(strncmp(co.id, "cs_test_", 8), 0);
	assert_string_equal(co.status, "open");
	assert_null(co.subscription);
	assert_null(co.customer);
	assert_string_equal(co.url, wa_arena_printf(r.arena,
	    "http://localhost:%d/stripe/pay/%s", sim.port, co.id));
	/* Stripe's form, every key and value percent-encoded */
	rq = last_request("method=POST");
	assert_string_equal(wa_json_str(rq, "path"),
	    "/stripe/v1/checkout/sessions");
	assert_string_equal(wa_json_str(rq, "contentType"),
	    "application/x-www-form-urlencoded");
	assert_int_equal(strncmp(wa_json_str(rq, "auth"), "Bearer:", 7), 0);
	body = wa_json_str(rq, "body");
	assert_string_equal(body, "mode=subscription"
	    "&line_items%5B0%5D%5Bprice%5D=price_sandbox_number"
	    "&line_items%5B0%5D%5Bquantity%5D=1"
	    "&client_reference_id=purchase-1"
	    "&success_url=https%3A%2F%2Fapp.test%2Fnumbers%2Fdone%3Fs%3D"
	    "%7BCHECKOUT_SESSION_ID%7D"
	    "&cancel_url=https%3A%2F%2Fapp.test%2Fnumbers%3Fcanceled%3D1");

	/* the same purchase again (Idempotency-Key: its reference): the
	 * same session, no second one */
	assert_int_equal(wa_stripe_checkout_create(&r, "purchase-1", SUCCESS,
	    CANCEL, &again), WA_OK);
	assert_string_equal(again.id, co.id);
	assert_int_equal(cJSON_GetArraySize(billing_list("sessions")), 1);

	/* the same key for another request: Stripe refuses it */
	assert_int_equal(wa_stripe_checkout_create(&r, "purchase-1",
	    "https://app.test/elsewhere", CANCEL, &again), WA_ERR_UPSTREAM);
	assert_int_equal(wa_err_status(r.err.code), 502);
	assert_non_null(strstr(r.err.log_detail, "idempotency_error"));
	assert_null(again.id);
	wa_req_clear_err(&r);

	/* a price the account does not sell */
	cfg.stripe_price_id = "price_unknown";
	assert_int_equal(wa_stripe_checkout_create(&r, "purchase-2", SUCCESS,
	    CANCEL, &co), WA_ERR_UPSTREAM);
	assert_non_null(strstr(r.err.log_detail, "resource_missing"));
	assert_non_null(strstr(r.err.log_detail, "price_unknown"));
	assert_int_equal(cJSON_GetArraySize(billing_list("sessions")), 1);
}

static void
test_checkout_pay(void **state)
{
	struct wa_stripe_checkout	 co, got;
	const char			*loc, *body, *sig, *why;
	cJSON				*ev, *v, *o, *sub;

	(void)state;
	assert_int_equal(wa_stripe_checkout_create(&r, "purchase-3", SUCCESS,
	    CANCEL, &co), WA_OK);
	assert_int_equal(wa_stripe_checkout_get(&r, co.id, &got), WA_OK);
	assert_string_equal(got.id, co.id);
	assert_string_equal(got.status, "open");
	assert_null(got.subscription);
	assert_string_equal(wa_json_str(last_request("method=GET"), "path"),
	    wa_arena_printf(r.arena, "/stripe/v1/checkout/sessions/%s",
	    co.id));

	/* the page, then its button: back to success_url */
	assert_int_equal(browse("GET", co.url + strlen("http://localhost:") +
	    strcspn(co.url + strlen("http://localhost:"), "/"), NULL), 200);
	assert_int_equal(browse("POST", wa_arena_printf(r.arena,
	    "/stripe/pay/%s", co.id), &loc), 303);
	assert_string_equal(loc, wa_arena_printf(r.arena,
	    "https://app.test/numbers/done?s=%s", co.id));

	assert_int_equal(wa_stripe_checkout_get(&r, co.id, &got), WA_OK);
	assert_string_equal(got.status, "complete");
	assert_int_equal(strncmp(got.subscription, "sub_", 4), 0);
	assert_int_equal(strncmp(got.customer, "cus_", 4), 0);
	sub = cJSON_GetArrayItem(billing_list("subscriptions"), 0);
	assert_string_equal(wa_json_str(sub, "id"), got.subscription);
	assert_string_equal(wa_json_str(sub, "status"), "active");
	assert_int_equal(cJSON_GetObjectItem(sub, "quantity")->valueint, 1);

	/* paid twice: one subscription, one event */
	assert_int_equal(browse("POST", wa_arena_printf(r.arena,
	    "/stripe/pay/%s", co.id), NULL), 303);
	assert_int_equal(cJSON_GetArraySize(billing_list("subscriptions")),
	    1);
	ev = billing_list("events");
	assert_int_equal(cJSON_GetArraySize(ev), 1);
	ev = cJSON_GetArrayItem(ev, 0);
	assert_string_equal(wa_json_str(ev, "type"),
	    "checkout.session.completed");

	/* the event as Stripe writes and signs it */
	body = wa_json_str(ev, "body");
	sig = wa_json_str(ev, "signature");
	assert_non_null(body);
	assert_non_null(sig);
	assert_int_equal(strncmp(sig, "t=", 2), 0);
	assert_non_null(strstr(sig, ",v1="));
	assert_int_equal(wa_stripe_signature_ok(WHSEC, sig, body,
	    strlen(body), wa_clock_now_ms() / 1000, &why), 0);
	assert_null(why);
	assert_int_equal(wa_stripe_signature_ok("whsec_sandbox", sig, body,
	    strlen(body), wa_clock_now_ms() / 1000, &why), -1);
	v = wa_json_parse(body, strlen(body), WA_JSON_DEPTH_MAX, &why);
	assert_int_equal(strncmp(wa_json_str(v, "id"), "evt_", 4), 0);
	assert_string_equal(wa_json_str(v, "type"),
	    "checkout.session.completed");
	o = cJSON_GetObjectItem(cJSON_GetObjectItem(v, "data"), "object");
	assert_string_equal(wa_json_str(o, "id"), co.id);
	assert_string_equal(wa_json_str(o, "client_reference_id"),
	    "purchase-3");
	assert_string_equal(wa_json_str(o, "subscription"), got.subscription);
	assert_string_equal(wa_json_str(o, "status"), "complete");

	/* an unknown session */
	assert_int_equal(wa_stripe_checkout_get(&r, "cs_test_nope", &got),
	    WA_ERR_UPSTREAM);
	assert_null(got.id);
}

/* ---- the subscription's quantity ----------------------------------------- */

/* The sandbox's subscription: its quantity and status. */
static void
sub_state(long *quantity, const char **status)
{
	cJSON	*sub = cJSON_GetArrayItem(billing_list("subscriptions"), 0);

	*quantity = (long)cJSON_GetObjectItem(sub, "quantity")->valuedouble;
	*status = wa_json_str(sub, "status");
}

static int
count(const char *query)
{
	return cJSON_GetArraySize(t_sim_requests(&sim, query));
}

static void
test_quantity(void **state)
{
	const char	*sub, *status;
	cJSON		*rq;
	long		 n;

	(void)state;
	sub = bought("purchase-4");
	assert_int_equal(wa_stripe_quantity(&r, sub, 3, "purchase-5"), WA_OK);
	sub_state(&n, &status);
	assert_int_equal(n, 3);
	assert_string_equal(status, "active");
	rq = last_request("method=POST");
	assert_int_equal(strncmp(wa_json_str(rq, "path"),
	    "/stripe/v1/subscription_items/si_", 33), 0);
	assert_string_equal(wa_json_str(rq, "body"),
	    "quantity=3&proration_behavior=create_prorations");
	/* read first: a quantity it already has is left alone */
	n = count("method=POST");
	assert_int_equal(wa_stripe_quantity(&r, sub, 3, "purchase-5"), WA_OK);
	assert_int_equal(count("method=POST"), n);
	assert_int_equal(wa_stripe_quantity(&r, sub, 2, "release-1"), WA_OK);
	sub_state(&n, &status);
	assert_int_equal(n, 2);

	/* to 0: cancelled */
	assert_int_equal(wa_stripe_quantity(&r, sub, 0, NULL), WA_OK);
	sub_state(&n, &status);
	assert_string_equal(status, "canceled");
	assert_string_equal(wa_json_str(last_request("method=DELETE"),
	    "path"), wa_arena_printf(r.arena, "/stripe/v1/subscriptions/%s",
	    sub));
	assert_int_equal(count("method=DELETE"), 1);
	/* again: already cancelled counts as done, nothing is sent */
	assert_int_equal(wa_stripe_quantity(&r, sub, 0, NULL), WA_OK);
	assert_int_equal(count("method=DELETE"), 1);
	/* an ended subscription takes no other quantity */
	assert_int_equal(wa_stripe_quantity(&r, sub, 1, "purchase-6"),
	    WA_ERR_CONFLICT);
	wa_req_clear_err(&r);
	/* one Stripe does not know */
	assert_int_equal(wa_stripe_quantity(&r, "sub_nope", 0, NULL),
	    WA_ERR_UPSTREAM);
	wa_req_clear_err(&r);
	/* the caller's mistakes */
	assert_int_equal(wa_stripe_quantity(&r, sub, -1, "x"),
	    WA_ERR_INTERNAL);
	wa_req_clear_err(&r);
	assert_int_equal(wa_stripe_quantity(&r, sub, 2, NULL),
	    WA_ERR_INTERNAL);
}

/* ---- failures ------------------------------------------------------------ */

static void
test_wrong_key(void **state)
{
	struct wa_stripe_checkout	 co;
	struct t_capture		 cap;
	const char			*log;

	(void)state;
	cfg.stripe_secret_key = "sk_test_WRONG_AND_SECRET_9876";
	wa_log_init("test", WA_LOG_INFO);
	t_capture_begin(&cap);
	assert_int_equal(wa_stripe_checkout_create(&r, "purchase-7", SUCCESS,
	    CANCEL, &co), WA_ERR_UPSTREAM);
	log = t_capture_end(&cap, r.arena);
	wa_log_init("test", WA_LOG_ERROR);
	assert_int_equal(wa_err_status(r.err.code), 502);
	assert_string_equal(r.err.message,
	    "The billing provider refused the request");
	assert_int_equal(r.err.retry_after, 0);
	/* Stripe's words are logged, the key never */
	assert_non_null(strstr(log, "HTTP 401"));
	assert_non_null(strstr(log, "Invalid API Key provided"));
	assert_non_null(strstr(log, "invalid_request_error"));
	assert_null(strstr(log, "WRONG_AND_SECRET"));
	assert_null(strstr(r.err.log_detail, "WRONG_AND_SECRET"));
	assert_null(strstr(r.err.message, "Invalid"));
	assert_null(co.id);
}

static void
test_unreachable(void **state)
{
	struct wa_stripe_checkout	co;
	int				closed = t_free_port();

	(void)state;
	cfg.stripe_url = wa_arena_printf(r.arena, "http://127.0.0.1:%d/stripe",
	    closed);
	assert_int_equal(wa_stripe_checkout_create(&r, "purchase-8", SUCCESS,
	    CANCEL, &co), WA_ERR_UNAVAILABLE);
	assert_int_equal(wa_err_status(r.err.code), 503);
	assert_int_equal(r.err.retry_after, 5);
	assert_string_equal(r.err.message,
	    "The billing provider cannot be reached; retry later");
	wa_req_clear_err(&r);
	assert_int_equal(wa_stripe_quantity(&r, "sub_x", 0, NULL),
	    WA_ERR_UNAVAILABLE);
}

static void
test_not_configured(void **state)
{
	struct wa_stripe_checkout	co;

	(void)state;
	assert_true(wa_stripe_configured(&cfg));
	cfg.stripe_price_id = NULL;
	assert_false(wa_stripe_configured(&cfg));
	assert_int_equal(wa_stripe_checkout_create(&r, "purchase-9", SUCCESS,
	    CANCEL, &co), WA_ERR_UNAVAILABLE);
	assert_int_equal(wa_err_status(r.err.code), 503);
	wa_req_clear_err(&r);
	cfg.stripe_price_id = PRICE;
	cfg.stripe_secret_key = NULL;
	assert_false(wa_stripe_configured(&cfg));
	assert_int_equal(wa_stripe_checkout_get(&r, "cs_test_x", &co),
	    WA_ERR_UNAVAILABLE);
	wa_req_clear_err(&r);
	cfg.stripe_secret_key = KEY;
	cfg.stripe_url = NULL;
	assert_false(wa_stripe_configured(&cfg));
	assert_int_equal(wa_stripe_quantity(&r, "sub_x", 1, "k"),
	    WA_ERR_UNAVAILABLE);
	/* nothing was called */
	assert_int_equal(cJSON_GetArraySize(t_sim_requests(&sim, NULL)), 0);
}

static void
test_faults(void **state)
{
	struct wa_stripe_checkout	 co;
	cJSON				*rq;

	(void)state;
	/* Stripe failing: 503, its Retry-After or ours */
	t_sim_fault(&sim, "{\"path\":\"/stripe/v1/checkout/sessions\","
	    "\"method\":\"POST\",\"status\":500}");
	assert_int_equal(wa_stripe_checkout_create(&r, "purchase-10", SUCCESS,
	    CANCEL, &co), WA_ERR_UNAVAILABLE);
	assert_int_equal(r.err.retry_after, 5);
	assert_non_null(strstr(r.err.log_detail, "api_error"));
	rq = last_request("method=POST");
	assert_int_equal(cJSON_GetObjectItem(rq, "status")->valueint, 500);
	assert_non_null(wa_json_str(rq, "fault"));
	assert_int_equal(cJSON_GetArraySize(billing_list("sessions")), 0);
	wa_req_clear_err(&r);
	/* throttled */
	t_sim_fault(&sim, "{\"path\":\"/stripe/v1/checkout/sessions/*\","
	    "\"status\":429}");
	assert_int_equal(wa_stripe_checkout_get(&r, "cs_test_x", &co),
	    WA_ERR_UNAVAILABLE);
	assert_non_null(strstr(r.err.log_detail, "rate_limit"));
	wa_req_clear_err(&r);
	/* an answer that is not JSON */
	t_sim_fault(&sim, "{\"path\":\"/stripe/v1/checkout/sessions\","
	    "\"malformed\":true}");
	assert_int_equal(wa_stripe_checkout_create(&r, "purchase-10", SUCCESS,
	    CANCEL, &co), WA_ERR_UPSTREAM);
	wa_req_clear_err(&r);
	/* a dropped connection */
	t_sim_fault(&sim, "{\"path\":\"/stripe/v1/*\",\"drop\":true,"
	    "\"count\":-1}");
	assert_int_equal(wa_stripe_checkout_create(&r, "purchase-10", SUCCESS,
	    CANCEL, &co), WA_ERR_UNAVAILABLE);
	wa_req_clear_err(&r);
	/* back: the session, once (the failures kept nothing under the
	 * key) */
	ctl("DELETE", "/_sim/faults", NULL);
	assert_int_equal(wa_stripe_checkout_create(&r, "purchase-10", SUCCESS,
	    CANCEL, &co), WA_OK);
	assert_int_equal(cJSON_GetArraySize(billing_list("sessions")), 1);
}

/* ---- events -------------------------------------------------------------- */

/* The sandbox's events once every delivery is over (2 s at most). */
static cJSON *
events_done(int n)
{
	cJSON	*ev, *e;
	int	 i, done;

	for (i = 0; i < 80; i++) {
		ev = billing_list("events");
		done = cJSON_GetArraySize(ev) == n;
		cJSON_ArrayForEach(e, ev)
			if (!cJSON_IsTrue(cJSON_GetObjectItem(e, "dropped")))
				done = 0;
		if (done)
			return ev;
		usleep(25 * 1000);
	}
	fail_msg("the events' deliveries did not end");
	return NULL;
}

static void
test_events(void **state)
{
	const char	*sub, *why, *id;
	cJSON		*ev, *e, *v, *in;

	(void)state;
	/* a webhook URL nobody answers: two attempts, then dropped */
	ctl("POST", "/_sim/config", wa_arena_printf(r.arena,
	    "{\"stripe_webhook_url\":\"http://127.0.0.1:%d/hooks/stripe\","
	    "\"retry_base_ms\":20,\"retry_max\":2}", t_free_port()));
	sub = bought("purchase-11");
	ev = events_done(1);
	e = cJSON_GetArrayItem(ev, 0);
	assert_int_equal(cJSON_GetObjectItem(e, "attempts")->valueint, 2);
	assert_false(cJSON_IsTrue(cJSON_GetObjectItem(e, "delivered")));
	id = wa_json_str(e, "id");

	/* a payment failed */
	v = ctl("POST", wa_arena_printf(r.arena, "/_sim/stripe/fail/%s", sub),
	    "{}");
	assert_int_equal(strncmp(wa_json_str(v, "event"), "evt_", 4), 0);
	ev = events_done(2);
	e = cJSON_GetArrayItem(ev, 1);
	assert_string_equal(wa_json_str(e, "type"), "invoice.payment_failed");
	assert_int_equal(wa_stripe_signature_ok(WHSEC, wa_json_str(e,
	    "signature"), wa_json_str(e, "body"), strlen(wa_json_str(e,
	    "body")), wa_clock_now_ms() / 1000, &why), 0);
	v = wa_json_parse(wa_json_str(e, "body"), strlen(wa_json_str(e,
	    "body")), WA_JSON_DEPTH_MAX, &why);
	in = cJSON_GetObjectItem(cJSON_GetObjectItem(v, "data"), "object");
	assert_string_equal(wa_json_str(in, "object"), "invoice");
	assert_string_equal(wa_json_str(in, "subscription"), sub);
	assert_string_equal(wa_json_str(cJSON_GetArrayItem(
	    billing_list("subscriptions"), 0), "status"), "past_due");

	/* sent again: the same event */
	v = ctl("POST", wa_arena_printf(r.arena, "/_sim/stripe/resend/%s",
	    id), "{}");
	assert_string_equal(wa_json_str(v, "event"), id);
	ev = ctl("GET", "/_sim/webhooks", NULL);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(ev,
	    "webhooks")), 3);
	e = cJSON_GetArrayItem(cJSON_GetObjectItem(ev, "webhooks"), 2);
	assert_string_equal(wa_json_str(e, "field"),
	    "checkout.session.completed");
	assert_non_null(strstr(wa_json_str(e, "body"), id));
	assert_int_equal(cJSON_GetArraySize(events_done(2)), 2);
}

/* ---- signatures ---------------------------------------------------------- */

/* Stripe's documented shape, signed (openssl dgst -sha256 -hmac) under
 * whsec_test_secret, and under whsec_other. */
#define T0	"1492774577"
#define T0N	1492774577
#define BODY	"{\"id\":\"evt_test_webhook\",\"object\":\"event\"}"
#define GOOD	"88a022085c6bdb887b02cb26ff76dd68" \
	"1234d9675c0f22844059f55552a8883a"
#define OTHER	"f7fbfe028f788b928bb3ff2f751a2cfc" \
	"93fe4ae1dce7f57ef97c1af9f54964f6"
#define V0	"6ffbb59b2300aae63f272406069a9788" \
	"598b792a944a07aba816edb039989a39"

static void
test_signature(void **state)
{
	static const struct {
		const char	*secret;
		const char	*header;
		const char	*body;
		int64_t		 now;
		const char	*why;	/* NULL: it holds */
	} cases[] = {
		{ "whsec_test_secret", "t=" T0 ",v1=" GOOD ",v0=" V0, BODY,
		    T0N + 10, NULL },
		{ "whsec_test_secret", "t=" T0 ",v1=" GOOD, BODY, T0N, NULL },
		/* the body changed, the secret another */
		{ "whsec_test_secret", "t=" T0 ",v1=" GOOD, BODY " ", T0N,
		    "bad signature" },
		{ "whsec_test_secret", "t=" T0 ",v1=" GOOD,
		    "{\"id\":\"evt_test_webhook\",\"object\":\"evenT\"}", T0N,
		    "bad signature" },
		{ "whsec_other", "t=" T0 ",v1=" GOOD, BODY, T0N,
		    "bad signature" },
		{ "whsec_other", "t=" T0 ",v1=" OTHER, BODY, T0N, NULL },
		/* the time is signed too */
		{ "whsec_test_secret", "t=1492774578,v1=" GOOD, BODY, T0N,
		    "bad signature" },
		/* two v1 while a secret is rolled: either one */
		{ "whsec_test_secret", "t=" T0 ",v1=" OTHER ",v1=" GOOD, BODY,
		    T0N, NULL },
		{ "whsec_test_secret", "t=" T0 ",v1=" GOOD ",v1=" OTHER, BODY,
		    T0N, NULL },
		{ "whsec_other", "t=" T0 ",v1=" GOOD ",v1=" OTHER, BODY, T0N,
		    NULL },
		{ "whsec_test_secret", "v1=" GOOD ",t=" T0, BODY, T0N, NULL },
		/* only another scheme: no signature */
		{ "whsec_test_secret", "t=" T0 ",v0=" GOOD, BODY, T0N,
		    "no signature" },
		/* the tolerance, both ways */
		{ "whsec_test_secret", "t=" T0 ",v1=" GOOD, BODY, T0N + 300,
		    NULL },
		{ "whsec_test_secret", "t=" T0 ",v1=" GOOD, BODY, T0N + 301,
		    "too old" },
		{ "whsec_test_secret", "t=" T0 ",v1=" GOOD, BODY, T0N + 86400,
		    "too old" },
		{ "whsec_test_secret", "t=" T0 ",v1=" GOOD, BODY, T0N - 300,
		    NULL },
		{ "whsec_test_secret", "t=" T0 ",v1=" GOOD, BODY, T0N - 301,
		    "from the future" },
		/* a forgery past its time is still a forgery */
		{ "whsec_test_secret", "t=" T0 ",v1=" OTHER, BODY, T0N + 9999,
		    "bad signature" },
		/* blanks after a comma are let through */
		{ "whsec_test_secret", "t=" T0 ", v1=" GOOD, BODY, T0N, NULL },
		/* garbage */
		{ "whsec_test_secret", "", BODY, T0N, "no signature" },
		{ "whsec_test_secret", "garbage", BODY, T0N, "no signature" },
		{ "whsec_test_secret", ",,,,", BODY, T0N, "no signature" },
		{ "whsec_test_secret", "t=,v1=", BODY, T0N, "no signature" },
		{ "whsec_test_secret", "t=" T0, BODY, T0N, "no signature" },
		{ "whsec_test_secret", "v1=" GOOD, BODY, T0N, "no signature" },
		{ "whsec_test_secret", "t=abc,v1=" GOOD, BODY, T0N,
		    "bad signature header" },
		{ "whsec_test_secret", "t=-1492774577,v1=" GOOD, BODY, T0N,
		    "bad signature header" },
		{ "whsec_test_secret", "t=1492774577000,v1=" GOOD, BODY, T0N,
		    "bad signature header" },
		{ "whsec_test_secret", "t=" T0 ",t=" T0 ",v1=" GOOD, BODY, T0N,
		    "bad signature header" },
		{ "whsec_test_secret", "t=" T0 ",v1=" GOOD "0", BODY, T0N,
		    "bad signature" },
		{ "whsec_test_secret", "t=" T0 ",v1=" GOOD "\xff", BODY, T0N,
		    "bad signature" },
		{ "whsec_test_secret", "t=" T0 ",v1=\xff\xfe\x01=,=", BODY, T0N,
		    "bad signature" },
		{ "whsec_test_secret", "t=" T0 ",v1=zz22085c6bdb887b02cb26ff76"
		    "dd681234d9675c0f22844059f55552a8883a", BODY, T0N,
		    "bad signature" },
		{ "whsec_test_secret", "t=" T0 ",v1=" GOOD, "", T0N,
		    "bad signature" },
		{ "", "t=" T0 ",v1=" GOOD, BODY, T0N, "no signature" },
	};
	const char	*why;
	size_t		 i;
	int		 rc;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		why = "unset";
		rc = wa_stripe_signature_ok(cases[i].secret, cases[i].header,
		    cases[i].body, strlen(cases[i].body), cases[i].now, &why);
		if (cases[i].why == NULL ? rc != 0 || why != NULL : rc != -1 ||
		    why == NULL || strcmp(why, cases[i].why) != 0)
			fail_msg("case %zu (%s): %d, %s", i,
			    cases[i].header, rc, why != NULL ? why : "(null)");
	}
	assert_int_equal(wa_stripe_signature_ok("whsec_test_secret", NULL,
	    BODY, strlen(BODY), T0N, &why), -1);
	assert_string_equal(why, "no signature");
	assert_int_equal(wa_stripe_signature_ok(NULL, "t=" T0 ",v1=" GOOD,
	    BODY, strlen(BODY), T0N, &why), -1);
	/* the body's bytes, not its string: a NUL inside counts */
	assert_int_equal(wa_stripe_signature_ok("whsec_test_secret",
	    "t=" T0 ",v1=" GOOD, BODY "\0x", strlen(BODY) + 2, T0N, &why), -1);
}

/* WA_STRIPE_* in wa_cfg_load. */
static void
test_cfg(void **state)
{
	static const struct {
		const char	*url;
		int		 ok;
	} cases[] = {
		{ "https://api.stripe.com", 1 },
		{ "https://localhost:8444/stripe", 1 },
		{ "http://127.0.0.1:8444/stripe", 1 },
		{ "http://api.stripe.com", 0 },		/* clear text */
		{ "https://api.stripe.com/", 0 },
		{ "https://api.stripe.com/v1", 0 },
		{ "https://api.stripe.com?x=1", 0 },
		{ "https://sk_live_x@api.stripe.com", 0 },
	};
	struct wa_cfg	c;
	char		err[256];
	size_t		i;

	(void)state;
	setenv("WA_STRIPE_SECRET_KEY", "sk_test_x", 1);
	setenv("WA_STRIPE_PRICE_ID", "price_1OzqKZ2eZvKYlo2C", 1);
	setenv("WA_STRIPE_WEBHOOK_SECRET", "whsec_x", 1);
	setenv("WA_STRIPE_CA_FILE", "/tmp/ca.pem", 1);
	for (i = 0; i < NELEM(cases); i++) {
		setenv("WA_STRIPE_URL", cases[i].url, 1);
		err[0] = '\0';
		if ((wa_cfg_load(&c, "test", err, sizeof(err)) == 0) !=
		    cases[i].ok)
			fail_msg("%s: %s", cases[i].url, err);
		if (!cases[i].ok)
			assert_non_null(strstr(err, "WA_STRIPE_URL"));
	}
	setenv("WA_STRIPE_URL", "https://api.stripe.com", 1);
	assert_int_equal(wa_cfg_load(&c, "test", err, sizeof(err)), 0);
	assert_string_equal(c.stripe_url, "https://api.stripe.com");
	assert_string_equal(c.stripe_secret_key, "sk_test_x");
	assert_string_equal(c.stripe_price_id, "price_1OzqKZ2eZvKYlo2C");
	assert_string_equal(c.stripe_webhook_secret, "whsec_x");
	assert_string_equal(c.stripe_ca_file, "/tmp/ca.pem");
	assert_true(wa_stripe_configured(&c));
	setenv("WA_STRIPE_PRICE_ID", "price x&y=1", 1);
	assert_int_equal(wa_cfg_load(&c, "test", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "WA_STRIPE_PRICE_ID"));
	unsetenv("WA_STRIPE_URL");
	unsetenv("WA_STRIPE_SECRET_KEY");
	unsetenv("WA_STRIPE_PRICE_ID");
	unsetenv("WA_STRIPE_WEBHOOK_SECRET");
	unsetenv("WA_STRIPE_CA_FILE");
	assert_int_equal(wa_cfg_load(&c, "test", err, sizeof(err)), 0);
	assert_null(c.stripe_url);
	assert_null(c.stripe_webhook_secret);
	assert_false(wa_stripe_configured(&c));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_checkout_create, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_checkout_pay, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_quantity, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_wrong_key, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_unreachable, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_not_configured, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_faults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_events, setup, teardown),
		cmocka_unit_test_setup_teardown(test_signature, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_cfg, setup, teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
