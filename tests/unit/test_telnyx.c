/*
 * The carrier's client (lib/telnyx.c) against the carrier's sandbox in
 * the simulator (scripts/metasim/telnyx.c), started on a free loopback
 * port: the search and each of its filters, an order and its retry
 * under the same reference, a release and its repetition, and what the
 * client's caller is told when the key is wrong, Telnyx refuses or
 * fails (injected faults), cannot be reached, or is not configured;
 * TLS with WA_TELNYX_CA_FILE; WA_TELNYX_URL's checks in wa_cfg_load.
 *
 * The simulator is build/.../bin/metasim next to this binary's
 * build/.../tests directory; it is stopped with SIGTERM at the end and
 * must exit 0 (under the sanitizer build that includes its leak check).
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
#include "log.h"
#include "telnyx.h"
#include "helpers.h"
#include "sim_helpers.h"

#define KEY	"KEY_TEST_SANDBOX"

static char		 url[96];
static struct wa_req	 r;
static struct wa_cfg	 cfg;

/* ---- the simulator ------------------------------------------------------- */

static const char *const sim_args[] = { "--no-statuses", NULL };
static const char *const sim_env[] = { "WA_META_APP_SECRET",
    "sim-test-secret", "METASIM_TELNYX_KEY", KEY, NULL };
static struct t_sim	 sim = { .name = "test_telnyx",
    .dir = "wa-telnyx", .args = sim_args, .env = sim_env, .req = &r };

/* A control call; the answer's JSON (arena). */
static cJSON *
ctl(const char *method, const char *path, const char *body)
{
	return t_sim_ctl(&sim, method, path, body);
}

/* The carrier's state: {owned: [...], orders, releases}. */
static cJSON *
carrier(void)
{
	return ctl("GET", "/_sim/telnyx", NULL);
}

/* The path (with its decoded query) of the last request received. */
static const char *
last_path(void)
{
	cJSON	*reqs = t_sim_requests(&sim, NULL);

	return wa_json_str(cJSON_GetArrayItem(reqs,
	    cJSON_GetArraySize(reqs) - 1), "path");
}

/* ---- fixtures ------------------------------------------------------------ */

static int
group_setup(void **state)
{
	(void)state;
	if (t_sim_setup(&sim) != 0)
		return -1;
	snprintf(url, sizeof(url), "%s/telnyx", sim.base);
	/* the client's warnings only where a test reads them */
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
	cfg.telnyx_url = url;
	cfg.telnyx_api_key = KEY;
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

/* Searches with these filters; the count found. */
static size_t
search(const char *area, const char *locality, const char *contains,
    int limit, struct wa_telnyx_number **nums)
{
	struct wa_telnyx_query	q;
	size_t			n;

	memset(&q, 0, sizeof(q));
	q.area_code = area;
	q.locality = locality;
	q.contains = contains;
	q.limit = limit;
	assert_int_equal(wa_telnyx_search(&r, &q, nums, &n), WA_OK);
	return n;
}

/* ---- the search ---------------------------------------------------------- */

static void
test_search(void **state)
{
	struct wa_telnyx_number	*nums;
	size_t			 i, n;

	(void)state;
	/* no filter but the country: Telnyx's default limit (20) */
	n = search(NULL, NULL, NULL, 0, &nums);
	assert_int_equal(n, 20);
	assert_string_equal(last_path(), "/telnyx/v2/available_phone_numbers"
	    "?filter[country_code]=US");
	assert_string_equal(nums[0].phone_number, "+12125550100");
	assert_string_equal(nums[0].locality, "New York");
	assert_string_equal(nums[0].region, "NY");
	assert_string_equal(nums[0].monthly_cost, "1.00");
	assert_string_equal(nums[0].upfront_cost, "1.00");
	assert_string_equal(nums[0].currency, "USD");
	assert_true(nums[0].sms && nums[0].voice);

	/* the area code */
	n = search("415", NULL, NULL, 0, &nums);
	assert_int_equal(n, 20);
	for (i = 0; i < n; i++) {
		assert_int_equal(strncmp(nums[i].phone_number, "+1415", 5), 0);
		assert_string_equal(nums[i].locality, "San Francisco");
		assert_string_equal(nums[i].region, "CA");
	}
	assert_non_null(strstr(last_path(),
	    "&filter[national_destination_code]=415"));

	/* the city, any case, percent-encoded: two area codes */
	n = search(NULL, "new york", NULL, 100, &nums);
	assert_int_equal(n, 100);
	assert_non_null(strstr(last_path(), "&filter[locality]=new york"));
	n = search(NULL, "NEW YORK", "010", 100, &nums);
	assert_int_equal(n, 20);	/* +1212555010x, +1646555010x */
	assert_string_equal(nums[10].phone_number, "+16465550100");
	n = search(NULL, "Atlantis", NULL, 10, &nums);
	assert_int_equal(n, 0);

	/* the digits it contains */
	n = search("212", NULL, "0142", 0, &nums);
	assert_int_equal(n, 1);
	assert_string_equal(nums[0].phone_number, "+12125550142");
	assert_non_null(strstr(last_path(),
	    "&filter[phone_number][contains]=0142"));
	n = search(NULL, NULL, "5550199", 100, &nums);
	assert_int_equal(n, 8);		/* one an area code */

	/* the limit: as asked, and at most 100 */
	n = search(NULL, NULL, NULL, 7, &nums);
	assert_int_equal(n, 7);
	assert_non_null(strstr(last_path(), "&filter[limit]=7"));
	n = search(NULL, NULL, NULL, 500, &nums);
	assert_int_equal(n, WA_TELNYX_SEARCH_MAX);
	assert_non_null(strstr(last_path(), "&filter[limit]=100"));
	n = search("206", "Seattle", "55501", -3, &nums);
	assert_int_equal(n, 1);
	assert_non_null(strstr(last_path(), "&filter[limit]=1"));
}

/* ---- orders and releases ------------------------------------------------- */

/* The id the carrier gave the number it sold (its phone number id). */
static const char *
owned_id(size_t i)
{
	cJSON	*owned = cJSON_GetObjectItem(carrier(), "owned");

	return wa_json_str(cJSON_GetArrayItem(owned, (int)i), "id");
}

static void
test_order(void **state)
{
	struct wa_telnyx_order	 o, again;
	struct wa_telnyx_number	*nums;
	cJSON			*st;

	(void)state;
	assert_int_equal(wa_telnyx_order(&r, "+13055550100", "purchase-1", &o),
	    WA_OK);
	assert_string_equal(o.status, "success");
	assert_string_equal(o.phone_number, "+13055550100");
	assert_non_null(o.order_id);
	/* the number's own id, which DELETE takes, not the order line's */
	assert_non_null(o.number_id);
	assert_string_equal(o.number_id, owned_id(0));
	st = carrier();
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(st, "owned")),
	    1);
	assert_string_equal(wa_json_str(cJSON_GetArrayItem(
	    cJSON_GetObjectItem(st, "owned"), 0), "customer_reference"),
	    "purchase-1");

	/* a retry under the same reference finds the first order */
	assert_int_equal(wa_telnyx_order(&r, "+13055550100", "purchase-1",
	    &again), WA_OK);
	assert_string_equal(again.order_id, o.order_id);
	assert_string_equal(again.number_id, o.number_id);
	assert_int_equal(cJSON_GetObjectItem(carrier(), "orders")->valueint,
	    1);

	/* bought: no longer offered */
	assert_int_equal(search("305", NULL, NULL, 100, &nums), 99);
	assert_string_equal(nums[0].phone_number, "+13055550101");

	/* a number the carrier does not have: refused (422 there) */
	assert_int_equal(wa_telnyx_order(&r, "+19995550100", "purchase-2",
	    &o), WA_ERR_UPSTREAM);
	assert_int_equal(wa_err_status(r.err.code), 502);
	assert_int_equal(cJSON_GetObjectItem(carrier(), "orders")->valueint,
	    1);
}

static void
test_release(void **state)
{
	struct wa_telnyx_order	 o;
	struct wa_telnyx_number	*nums;
	cJSON			*st;
	const char		*id;

	(void)state;
	assert_int_equal(wa_telnyx_order(&r, "+15125550177", "purchase-3", &o),
	    WA_OK);
	id = o.number_id;
	assert_int_equal(search("512", NULL, "0177", 0, &nums), 0);
	assert_int_equal(wa_telnyx_release(&r, id), WA_OK);
	assert_string_equal(last_path(), wa_arena_printf(r.arena,
	    "/telnyx/v2/phone_numbers/%s", id));
	st = carrier();
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(st, "owned")),
	    0);
	assert_int_equal(cJSON_GetObjectItem(st, "releases")->valueint, 1);
	/* available again */
	assert_int_equal(search("512", NULL, "0177", 0, &nums), 1);
	/* released twice: Telnyx's 404 is a release done */
	assert_int_equal(wa_telnyx_release(&r, id), WA_OK);
	assert_int_equal(r.err.code, WA_OK);
	assert_int_equal(cJSON_GetObjectItem(carrier(), "releases")->valueint,
	    1);
	/* an id with characters a path cannot hold is encoded */
	assert_int_equal(wa_telnyx_release(&r, "a/b c"), WA_OK);
	assert_string_equal(last_path(), "/telnyx/v2/phone_numbers/a/b c");
}

/* ---- failures ------------------------------------------------------------ */

static void
test_wrong_key(void **state)
{
	struct wa_telnyx_number	*nums;
	struct wa_telnyx_query	 q;
	struct t_capture	 cap;
	const char		*log;
	size_t			 n;

	(void)state;
	cfg.telnyx_api_key = "KEY_WRONG_AND_SECRET";
	memset(&q, 0, sizeof(q));
	wa_log_init("test", WA_LOG_INFO);
	t_capture_begin(&cap);
	assert_int_equal(wa_telnyx_search(&r, &q, &nums, &n), WA_ERR_UPSTREAM);
	log = t_capture_end(&cap, r.arena);
	wa_log_init("test", WA_LOG_ERROR);
	assert_int_equal(n, 0);
	assert_int_equal(wa_err_status(r.err.code), 502);
	assert_string_equal(r.err.message, "The carrier refused the request");
	/* the carrier's words are logged, the key never */
	assert_non_null(strstr(log, "10009"));
	assert_non_null(strstr(log, "Authentication failed"));
	assert_non_null(strstr(log, "Could not understand"));
	assert_null(strstr(log, "KEY_WRONG_AND_SECRET"));
	assert_null(strstr(r.err.log_detail, "KEY_WRONG"));
	assert_null(strstr(r.err.message, "10009"));
}

static void
test_unreachable(void **state)
{
	struct wa_telnyx_order	o;
	int			closed = t_free_port();

	(void)state;
	cfg.telnyx_url = wa_arena_printf(r.arena, "http://127.0.0.1:%d/telnyx",
	    closed);
	assert_int_equal(wa_telnyx_order(&r, "+12125550100", "p-4", &o),
	    WA_ERR_UNAVAILABLE);
	assert_int_equal(wa_err_status(r.err.code), 503);
	assert_int_equal(r.err.retry_after, 5);
	assert_null(o.order_id);
}

static void
test_not_configured(void **state)
{
	struct wa_telnyx_number	*nums;
	struct wa_telnyx_query	 q;
	struct wa_telnyx_order	 o;
	size_t			 n;

	(void)state;
	memset(&q, 0, sizeof(q));
	assert_true(wa_telnyx_configured(&cfg));
	cfg.telnyx_api_key = NULL;
	assert_false(wa_telnyx_configured(&cfg));
	assert_int_equal(wa_telnyx_search(&r, &q, &nums, &n),
	    WA_ERR_UNAVAILABLE);
	assert_int_equal(wa_err_status(r.err.code), 503);
	wa_req_clear_err(&r);
	cfg.telnyx_api_key = KEY;
	cfg.telnyx_url = NULL;
	assert_int_equal(wa_telnyx_order(&r, "+12125550100", "p-5", &o),
	    WA_ERR_UNAVAILABLE);
	wa_req_clear_err(&r);
	assert_int_equal(wa_telnyx_release(&r, "123"), WA_ERR_UNAVAILABLE);
	/* nothing was called */
	assert_int_equal(cJSON_GetArraySize(t_sim_requests(&sim, NULL)), 0);
}

static void
test_faults(void **state)
{
	struct wa_telnyx_number	*nums;
	struct wa_telnyx_query	 q;
	struct wa_telnyx_order	 o;
	cJSON			*reqs;
	size_t			 n;

	(void)state;
	memset(&q, 0, sizeof(q));
	/* the carrier failing: 503, its Retry-After or ours */
	t_sim_fault(&sim, "{\"path\":\"/telnyx/v2/number_orders\","
	    "\"method\":\"POST\",\"status\":503}");
	assert_int_equal(wa_telnyx_order(&r, "+12125550100", "p-6", &o),
	    WA_ERR_UNAVAILABLE);
	assert_int_equal(r.err.retry_after, 5);
	/* the fault was logged with the request, and nothing was bought */
	reqs = t_sim_requests(&sim, "method=POST");
	assert_int_equal(cJSON_GetArraySize(reqs), 1);
	assert_int_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(reqs, 0),
	    "status")->valueint, 503);
	assert_non_null(wa_json_str(cJSON_GetArrayItem(reqs, 0), "fault"));
	assert_int_equal(cJSON_GetObjectItem(carrier(), "orders")->valueint,
	    0);
	wa_req_clear_err(&r);
	/* throttled */
	t_sim_fault(&sim, "{\"path\":"
	    "\"/telnyx/v2/available_phone_numbers\",\"status\":429}");
	assert_int_equal(wa_telnyx_search(&r, &q, &nums, &n),
	    WA_ERR_UNAVAILABLE);
	wa_req_clear_err(&r);
	/* refused with the carrier's own code */
	t_sim_fault(&sim, "{\"path\":\"/telnyx/v2/number_orders\","
	    "\"status\":422,\"code\":10015}");
	assert_int_equal(wa_telnyx_order(&r, "+12125550100", "p-6", &o),
	    WA_ERR_UPSTREAM);
	assert_non_null(strstr(r.err.log_detail, "10015"));
	wa_req_clear_err(&r);
	/* an answer that is not JSON */
	t_sim_fault(&sim, "{\"path\":"
	    "\"/telnyx/v2/available_phone_numbers\",\"malformed\":true}");
	assert_int_equal(wa_telnyx_search(&r, &q, &nums, &n), WA_ERR_UPSTREAM);
	wa_req_clear_err(&r);
	/* the connection dropped, every time (curl tries a reused
	 * connection that died once more on a new one) */
	t_sim_fault(&sim, "{\"path\":\"/telnyx/v2/*\",\"drop\":true,"
	    "\"count\":-1}");
	assert_int_equal(wa_telnyx_search(&r, &q, &nums, &n),
	    WA_ERR_UNAVAILABLE);
	wa_req_clear_err(&r);
	/* slow but in time: the real answer */
	t_sim_fault(&sim, "{\"path\":"
	    "\"/telnyx/v2/available_phone_numbers\",\"latency_ms\":200}");
	assert_int_equal(wa_telnyx_search(&r, &q, &nums, &n), WA_OK);
	assert_int_equal(n, 20);
	/* the order once the carrier is back */
	assert_int_equal(wa_telnyx_order(&r, "+12125550100", "p-6", &o),
	    WA_OK);
	assert_string_equal(o.status, "success");
}

static void
test_tls(void **state)
{
	struct wa_telnyx_number	*nums;
	struct wa_telnyx_query	 q;
	struct t_sim_cert	 tc;
	pid_t			 pid;
	size_t			 n;
	int			 p = t_free_port();

	(void)state;
	memset(&q, 0, sizeof(q));
	assert_int_equal(t_sim_cert_make(&sim, &tc), 0);
	assert_int_equal(t_sim_start(&sim, p, tc.cert, tc.key, &pid), 0);
	cfg.telnyx_url = wa_arena_printf(r.arena, "https://127.0.0.1:%d/telnyx",
	    p);
	/* a certificate nobody vouches for: cannot be reached */
	assert_int_equal(wa_telnyx_search(&r, &q, &nums, &n),
	    WA_ERR_UNAVAILABLE);
	wa_req_clear_err(&r);
	cfg.telnyx_ca_file = tc.cert;
	assert_int_equal(wa_telnyx_search(&r, &q, &nums, &n), WA_OK);
	assert_int_equal(n, 20);
	assert_int_equal(t_sim_stop(pid), 0);
	t_sim_cert_remove(&sim, &tc);
}

/* WA_TELNYX_URL, WA_TELNYX_API_KEY, WA_TELNYX_CA_FILE in wa_cfg_load. */
static void
test_cfg(void **state)
{
	static const struct {
		const char	*url;
		int		 ok;
	} cases[] = {
		{ "https://api.telnyx.com", 1 },
		{ "https://localhost:8444/telnyx", 1 },
		{ "http://localhost:8444/telnyx", 1 },
		{ "http://127.0.0.1:8444/telnyx", 1 },
		{ "http://[::1]:8444/telnyx", 1 },
		{ "http://api.telnyx.com", 0 },		/* clear text */
		{ "https://api.telnyx.com/", 0 },
		{ "https://api.telnyx.com/v2", 0 },
		{ "https://api.telnyx.com?x=1", 0 },
		{ "https://user@api.telnyx.com", 0 },
		{ "ftp://api.telnyx.com", 0 },
		{ "https://", 0 },
	};
	struct wa_cfg	c;
	char		err[256];
	size_t		i;

	(void)state;
	setenv("WA_TELNYX_API_KEY", "KEY_X", 1);
	setenv("WA_TELNYX_CA_FILE", "/tmp/ca.pem", 1);
	for (i = 0; i < NELEM(cases); i++) {
		setenv("WA_TELNYX_URL", cases[i].url, 1);
		err[0] = '\0';
		if ((wa_cfg_load(&c, "test", err, sizeof(err)) == 0) !=
		    cases[i].ok)
			fail_msg("%s: %s", cases[i].url, err);
		if (!cases[i].ok)
			assert_non_null(strstr(err, "WA_TELNYX_URL"));
	}
	setenv("WA_TELNYX_URL", "https://api.telnyx.com", 1);
	assert_int_equal(wa_cfg_load(&c, "test", err, sizeof(err)), 0);
	assert_string_equal(c.telnyx_url, "https://api.telnyx.com");
	assert_string_equal(c.telnyx_api_key, "KEY_X");
	assert_string_equal(c.telnyx_ca_file, "/tmp/ca.pem");
	assert_true(wa_telnyx_configured(&c));
	unsetenv("WA_TELNYX_URL");
	unsetenv("WA_TELNYX_API_KEY");
	unsetenv("WA_TELNYX_CA_FILE");
	assert_int_equal(wa_cfg_load(&c, "test", err, sizeof(err)), 0);
	assert_null(c.telnyx_url);
	assert_null(c.telnyx_api_key);
	assert_false(wa_telnyx_configured(&c));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_search, setup, teardown),
		cmocka_unit_test_setup_teardown(test_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_release, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_key, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_unreachable, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_not_configured, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_faults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tls, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cfg, setup, teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
