/*
 * Unit tests for lib/graph*.c against bodies recorded in
 * spec/meta-graph-contract.md: Meta's error object and the table that
 * maps its codes, the message bodies the client builds (§4.2), the
 * answers it reads (§4.3, §5.1, §6.1, §6.3), webhook signatures
 * (§10.3), and the template rules.  The client against a live
 * simulator is tests/unit/test_graph_sim.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "clock.h"
#include "crypto.h"
#include "graph/graph.h"
#include "helpers.h"
#include "resp.h"

static struct wa_req	 r;
static struct wa_cfg	 cfg;

static int
setup(void **state)
{
	(void)state;
	t_cfg_init(&cfg);
	t_req_init(&r, &cfg);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	t_req_free(&r);
	return 0;
}

static cJSON *
parse(const char *s)
{
	const char	*why;
	cJSON		*v;

	v = wa_json_parse(s, strlen(s), WA_JSON_DEPTH_MAX, &why);

	if (v == NULL)
		fail_msg("fixture is not JSON: %s", why);
	return v;
}

/* ---- Meta's error object (§1.2, §2.1) ---------------------------------- */

static void
test_parse_error(void **state)
{
	static const struct {
		const char	*body;
		long		 code, subcode;
		const char	*type, *details, *trace;
	} cases[] = {
		/* Meta's own example (D-err) */
		{ "{\"error\":{\"message\":\"(#130429) Rate limit hit\","
		  "\"type\":\"OAuthException\",\"code\":130429,\"error_data\":"
		  "{\"messaging_product\":\"whatsapp\",\"details\":\"Cloud API "
		  "message throughput has been reached.\"},\"error_subcode\":"
		  "2494055,\"fbtrace_id\":\"Az8or2yhqkZfEZ-_4Qn_Bam\"}}",
		  130429, 2494055, "OAuthException",
		  "Cloud API message throughput has been reached.",
		  "Az8or2yhqkZfEZ-_4Qn_Bam" },
		/* chatwoot#9708 */
		{ "{\"error\":{\"message\":\"Error validating access token: "
		  "Session has expired on Saturday, 29-Jun-24 09:00:00 PDT. "
		  "The current time is Monday, 01-Jul-24 11:06:30 PDT.\","
		  "\"type\":"
		  "\"OAuthException\",\"code\":190,\"error_subcode\":463,"
		  "\"fbtrace_id\":\"AZ-HzGEkqc5Vf3E0gy-eAcV\"}}",
		  190, 463, "OAuthException", NULL, "AZ-HzGEkqc5Vf3E0gy-eAcV" },
		{ "{\"error\":{\"message\":\"(#132001) Template name does not "
		  "exist in the translation\",\"type\":\"OAuthException\","
		  "\"code\":132001,\"error_data\":{\"messaging_product\":"
		  "\"whatsapp\",\"details\":\"template name "
		  "(notificacion_paquete) does not exist in es\"},"
		  "\"fbtrace_id\":"
		  "\"AKCYcYG8nDBghnNaaYAQx3M\"}}",
		  132001, 0, "OAuthException",
		  "template name (notificacion_paquete) does not exist in es",
		  "AKCYcYG8nDBghnNaaYAQx3M" },
		{ "{\"error\":{\"message\":\"(#131056) (Business Account, "
		  "Consumer Account) pair rate limit hit\",\"type\":"
		  "\"OAuthException\",\"code\":131056,\"error_data\":"
		  "{\"messaging_product\":\"whatsapp\",\"details\":\"Message "
		  "failed to send because there were too many messages sent "
		  "from this phone number to the same phone number in a short "
		  "period of time.\"},\"fbtrace_id\":\"A4O5a8RAgePwbcGSu\"}}",
		  131056, 0, "OAuthException", NULL, "A4O5a8RAgePwbcGSu" },
		{ "{\"error\":{\"message\":\"Unsupported post request. Object "
		  "with ID '123' does not exist, cannot be loaded due to "
		  "missing permissions, or does not support this operation.\","
		  "\"type\":"
		  "\"GraphMethodException\",\"code\":100,\"error_subcode\":33,"
		  "\"fbtrace_id\":\"x\"}}",
		  100, 33, "GraphMethodException", NULL, "x" },
		{ "{\"error\":{\"message\":\"Unknown path components: /foo\","
		  "\"type\":\"OAuthException\",\"code\":2500,\"fbtrace_id\":"
		  "\"AbCdEf\"}}", 2500, 0, "OAuthException", NULL, "AbCdEf" },
		/* tolerated oddities: a code as a string, no type, no trace */
		{ "{\"error\":{\"code\":\"131000\",\"message\":\"(#131000) "
		  "Something went wrong\"}}", 131000, 0, NULL, NULL, NULL },
		{ "{\"error\":{\"code\":1.5}}", 0, 0, NULL, NULL, NULL },
		{ "{\"error\":{\"code\":1e300,\"error_subcode\":-7}}", 0, -7,
		  NULL, NULL, NULL },
	};
	struct wa_graph_error	e;
	size_t			i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		assert_int_equal(wa_graph_parse_error(parse(cases[i].body), &e),
		    1);
		assert_int_equal(e.code, cases[i].code);
		assert_int_equal(e.subcode, cases[i].subcode);
		if (cases[i].type == NULL)
			assert_null(e.type);
		else
			assert_string_equal(e.type, cases[i].type);
		if (cases[i].details != NULL)
			assert_string_equal(e.details, cases[i].details);
		if (cases[i].trace == NULL)
			assert_null(e.fbtrace_id);
		else
			assert_string_equal(e.fbtrace_id, cases[i].trace);
	}
	/* not an error object */
	assert_int_equal(wa_graph_parse_error(parse("{\"error\":\"x\"}"), &e),
	    0);
	assert_int_equal(wa_graph_parse_error(parse("{\"data\":[]}"), &e), 0);
	assert_int_equal(wa_graph_parse_error(parse("[]"), &e), 0);
	assert_int_equal(wa_graph_parse_error(NULL, &e), 0);
}

/* ---- the table (§2.3) --------------------------------------------------- */

static void
test_rules(void **state)
{
	static const struct {
		long			code, subcode;
		int			transient;
		enum wa_err		err;
		enum wa_graph_retry	retry;
		int			after;
	} cases[] = {
		{ 0, 0, 0, WA_ERR_META_AUTH, WA_GRAPH_NO_RETRY, 0 },
		{ 190, 463, 0, WA_ERR_META_AUTH, WA_GRAPH_NO_RETRY, 0 },
		{ 250, 0, 0, WA_ERR_META_AUTH, WA_GRAPH_NO_RETRY, 0 },
		{ 4, 0, 0, WA_ERR_META_RATE_LIMITED, WA_GRAPH_RETRY, 60 },
		{ 80007, 0, 0, WA_ERR_META_RATE_LIMITED, WA_GRAPH_RETRY, 60 },
		{ 130429, 2494055, 0, WA_ERR_META_RATE_LIMITED, WA_GRAPH_RETRY,
		  1 },
		{ 131056, 0, 0, WA_ERR_META_RATE_LIMITED, WA_GRAPH_RETRY_PAIR,
		  1 },
		{ 133016, 0, 0, WA_ERR_META_RATE_LIMITED, WA_GRAPH_RETRY_LATER,
		  259200 },
		{ 1, 0, 0, WA_ERR_META_UNAVAILABLE, WA_GRAPH_RETRY, 5 },
		{ 2, 0, 0, WA_ERR_META_UNAVAILABLE, WA_GRAPH_RETRY, 5 },
		{ 131000, 0, 0, WA_ERR_META_UNAVAILABLE, WA_GRAPH_RETRY, 5 },
		{ 131057, 0, 0, WA_ERR_META_UNAVAILABLE, WA_GRAPH_RETRY, 60 },
		{ 100, 0, 0, WA_ERR_META_INVALID, WA_GRAPH_NO_RETRY, 0 },
		{ 100, 33, 0, WA_ERR_META_REFUSED, WA_GRAPH_NO_RETRY, 0 },
		{ 100, 2388024, 0, WA_ERR_CONFLICT, WA_GRAPH_NO_RETRY, 0 },
		{ 100, 2388039, 0, WA_ERR_META_REFUSED, WA_GRAPH_NO_RETRY, 0 },
		{ 100, 9999, 0, WA_ERR_META_INVALID, WA_GRAPH_NO_RETRY, 0 },
		{ 132001, 0, 0, WA_ERR_NOT_FOUND, WA_GRAPH_NO_RETRY, 0 },
		{ 132000, 0, 0, WA_ERR_META_INVALID, WA_GRAPH_NO_RETRY, 0 },
		{ 131047, 0, 0, WA_ERR_META_REFUSED, WA_GRAPH_NO_RETRY, 0 },
		{ 131049, 0, 0, WA_ERR_META_REFUSED, WA_GRAPH_RETRY_LATER,
		  86400 },
		{ 136025, 0, 0, WA_ERR_META_INVALID, WA_GRAPH_NO_RETRY, 0 },
		{ 2388100, 0, 0, WA_ERR_META_INVALID, WA_GRAPH_NO_RETRY, 0 },
		/* unknown: 502, unless Meta calls it transient */
		{ 424242, 0, 0, WA_ERR_UPSTREAM, WA_GRAPH_NO_RETRY, 0 },
		{ 424242, 0, 1, WA_ERR_META_UNAVAILABLE, WA_GRAPH_RETRY, 5 },
	};
	const struct wa_graph_rule	*rule;
	struct wa_graph_error		 e;
	size_t				 i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		memset(&e, 0, sizeof(e));
		e.code = cases[i].code;
		e.subcode = cases[i].subcode;
		e.transient = cases[i].transient;
		rule = wa_graph_rule_for(&e);
		if (rule->err != cases[i].err ||
		    rule->retry != cases[i].retry ||
		    rule->after_s != cases[i].after)
			fail_msg("code %ld/%ld: err %d retry %d after %d",
			    cases[i].code, cases[i].subcode, rule->err,
			    rule->retry, rule->after_s);
		assert_non_null(rule->message);
	}
	/* every row is complete, and never a 500 */
	for (rule = wa_graph_rules; rule->message != NULL; rule++) {
		assert_true(rule->err != WA_OK && rule->err != WA_ERR_INTERNAL);
		assert_true(rule->code_max == 0 || rule->code_max > rule->code);
		assert_true(rule->retry == WA_GRAPH_NO_RETRY ||
		    rule->after_s > 0);
	}
}

static void
test_status_rules(void **state)
{
	static const struct {
		enum wa_graph_status	st;
		long			http;
		enum wa_err		err;
		int			retry;
	} cases[] = {
		{ WA_GRAPH_REFUSED, 0, WA_ERR_UPSTREAM, 1 },
		{ WA_GRAPH_TIMEOUT, 0, WA_ERR_UPSTREAM_TIMEOUT, 1 },
		{ WA_GRAPH_DROPPED, 0, WA_ERR_UPSTREAM, 1 },
		{ WA_GRAPH_MALFORMED, 200, WA_ERR_UPSTREAM, 0 },
		{ WA_GRAPH_REDIRECT, 302, WA_ERR_UPSTREAM, 0 },
		{ WA_GRAPH_TLS, 0, WA_ERR_UPSTREAM, 0 },
		{ WA_GRAPH_TOO_LARGE, 200, WA_ERR_UPSTREAM, 0 },
		{ WA_GRAPH_CONFIG, 0, WA_ERR_UPSTREAM, 0 },
		{ WA_GRAPH_HTTP, 503, WA_ERR_META_UNAVAILABLE, 1 },
		{ WA_GRAPH_HTTP, 500, WA_ERR_META_UNAVAILABLE, 1 },
		{ WA_GRAPH_HTTP, 429, WA_ERR_META_RATE_LIMITED, 1 },
		{ WA_GRAPH_HTTP, 401, WA_ERR_META_AUTH, 0 },
		{ WA_GRAPH_HTTP, 404, WA_ERR_UPSTREAM, 0 },
		{ (enum wa_graph_status)99, 0, WA_ERR_UPSTREAM, 0 },
	};
	const struct wa_graph_rule	*rule;
	size_t				 i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		rule = wa_graph_rule_status(cases[i].st, cases[i].http);
		assert_int_equal(rule->err, cases[i].err);
		assert_int_equal(rule->retry != WA_GRAPH_NO_RETRY,
		    cases[i].retry);
	}
	assert_string_equal(wa_graph_status_name(WA_GRAPH_TIMEOUT), "timeout");
	assert_string_equal(wa_graph_status_name(WA_GRAPH_REDIRECT),
	    "redirect");
	assert_string_equal(wa_graph_status_name(WA_GRAPH__MAX), "?");
}

static void
test_retry_delay(void **state)
{
	struct wa_graph_res	res;
	struct wa_graph_error	e;

	(void)state;
	memset(&res, 0, sizeof(res));
	memset(&e, 0, sizeof(e));
	res.status = WA_GRAPH_META;
	e.code = 130429;
	res.rule = wa_graph_rule_for(&e);
	assert_int_equal(wa_graph_retry_delay(&res, 1), 1);
	assert_int_equal(wa_graph_retry_delay(&res, 2), 2);
	assert_int_equal(wa_graph_retry_delay(&res, 4), 8);
	assert_int_equal(wa_graph_retry_delay(&res, 40), 3600);
	/* 131056: 4^X seconds, as Meta asks */
	e.code = 131056;
	res.rule = wa_graph_rule_for(&e);
	assert_int_equal(wa_graph_retry_delay(&res, 1), 1);
	assert_int_equal(wa_graph_retry_delay(&res, 2), 4);
	assert_int_equal(wa_graph_retry_delay(&res, 3), 16);
	e.code = 131049;
	res.rule = wa_graph_rule_for(&e);
	assert_int_equal(wa_graph_retry_delay(&res, 1), 86400);
	assert_int_equal(wa_graph_retry_delay(&res, 2), -1);
	e.code = 100;
	res.rule = wa_graph_rule_for(&e);
	assert_int_equal(wa_graph_retry_delay(&res, 1), -1);
	/* no rule yet: taken from the status */
	res.rule = NULL;
	res.status = WA_GRAPH_TIMEOUT;
	assert_int_equal(wa_graph_retry_delay(&res, 0), 5);
}

/* ---- scopes and outcomes for queue workers ------------------------------ */

static void
test_scopes(void **state)
{
	static const struct {
		long			code, subcode;
		enum wa_graph_scope	scope;
	} cases[] = {
		{ 0, 0, WA_GRAPH_SCOPE_ACCOUNT },
		{ 3, 0, WA_GRAPH_SCOPE_ACCOUNT },
		{ 10, 0, WA_GRAPH_SCOPE_ACCOUNT },
		{ 190, 463, WA_GRAPH_SCOPE_ACCOUNT },
		{ 250, 0, WA_GRAPH_SCOPE_ACCOUNT },
		{ 131005, 0, WA_GRAPH_SCOPE_ACCOUNT },
		{ 131031, 0, WA_GRAPH_SCOPE_ACCOUNT },
		{ 131042, 0, WA_GRAPH_SCOPE_ACCOUNT },
		{ 131045, 0, WA_GRAPH_SCOPE_ACCOUNT },
		{ 133010, 0, WA_GRAPH_SCOPE_ACCOUNT },
		{ 368, 0, WA_GRAPH_SCOPE_ACCOUNT },
		{ 33, 0, WA_GRAPH_SCOPE_ACCOUNT },
		{ 100, 33, WA_GRAPH_SCOPE_ACCOUNT },
		{ 131048, 0, WA_GRAPH_SCOPE_ACCOUNT },
		{ 131057, 0, WA_GRAPH_SCOPE_ACCOUNT },
		{ 2494100, 0, WA_GRAPH_SCOPE_ACCOUNT },
		{ 130429, 0, WA_GRAPH_SCOPE_THROUGHPUT },
		{ 4, 0, WA_GRAPH_SCOPE_THROUGHPUT },
		{ 17, 0, WA_GRAPH_SCOPE_THROUGHPUT },
		{ 80007, 0, WA_GRAPH_SCOPE_THROUGHPUT },
		{ 131056, 0, WA_GRAPH_SCOPE_PAIR },
		{ 132000, 0, WA_GRAPH_SCOPE_TEMPLATE },
		{ 132001, 0, WA_GRAPH_SCOPE_TEMPLATE },
		{ 132005, 0, WA_GRAPH_SCOPE_TEMPLATE },
		{ 132007, 0, WA_GRAPH_SCOPE_TEMPLATE },
		{ 132012, 0, WA_GRAPH_SCOPE_TEMPLATE },
		{ 132015, 0, WA_GRAPH_SCOPE_TEMPLATE },
		{ 132016, 0, WA_GRAPH_SCOPE_TEMPLATE },
		{ 132018, 0, WA_GRAPH_SCOPE_TEMPLATE },
		{ 1, 0, WA_GRAPH_SCOPE_TRANSIENT },
		{ 2, 0, WA_GRAPH_SCOPE_TRANSIENT },
		{ 131000, 0, WA_GRAPH_SCOPE_TRANSIENT },
		{ 131016, 0, WA_GRAPH_SCOPE_TRANSIENT },
		{ 133004, 0, WA_GRAPH_SCOPE_TRANSIENT },
		{ 100, 0, WA_GRAPH_SCOPE_MESSAGE },
		{ 131026, 0, WA_GRAPH_SCOPE_MESSAGE },
		{ 131047, 0, WA_GRAPH_SCOPE_MESSAGE },
		{ 131049, 0, WA_GRAPH_SCOPE_MESSAGE },
		{ 131050, 0, WA_GRAPH_SCOPE_MESSAGE },
		{ 424242, 0, WA_GRAPH_SCOPE_MESSAGE },
	};
	const struct wa_graph_rule	*rule;
	struct wa_graph_error		 e;
	size_t				 i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		memset(&e, 0, sizeof(e));
		e.code = cases[i].code;
		e.subcode = cases[i].subcode;
		rule = wa_graph_rule_for(&e);
		if (rule->scope != cases[i].scope)
			fail_msg("code %ld/%ld: scope %d, want %d",
			    cases[i].code, cases[i].subcode, rule->scope,
			    cases[i].scope);
	}
	/* a transient unknown code is Meta's trouble */
	e.code = 424242;
	e.transient = 1;
	assert_int_equal(wa_graph_rule_for(&e)->scope,
	    WA_GRAPH_SCOPE_TRANSIENT);
	/* every retryable row of the table that is not a limit or an
	 * account's wait is transient, and a pair limit is a pair */
	for (rule = wa_graph_rules; rule->message != NULL; rule++) {
		assert_true(rule->scope <= WA_GRAPH_SCOPE_TRANSIENT);
		if (rule->retry == WA_GRAPH_RETRY_PAIR)
			assert_int_equal(rule->scope, WA_GRAPH_SCOPE_PAIR);
		if (rule->scope == WA_GRAPH_SCOPE_TRANSIENT)
			assert_int_equal(rule->retry, WA_GRAPH_RETRY);
	}
	assert_int_equal(wa_graph_rule_status(WA_GRAPH_TIMEOUT, 0)->scope,
	    WA_GRAPH_SCOPE_TRANSIENT);
	assert_int_equal(wa_graph_rule_status(WA_GRAPH_TLS, 0)->scope,
	    WA_GRAPH_SCOPE_ACCOUNT);
	assert_int_equal(wa_graph_rule_status(WA_GRAPH_HTTP, 503)->scope,
	    WA_GRAPH_SCOPE_TRANSIENT);
	assert_int_equal(wa_graph_rule_status(WA_GRAPH_HTTP, 429)->scope,
	    WA_GRAPH_SCOPE_THROUGHPUT);
	assert_int_equal(wa_graph_rule_status(WA_GRAPH_HTTP, 401)->scope,
	    WA_GRAPH_SCOPE_ACCOUNT);
	assert_int_equal(wa_graph_rule_status(WA_GRAPH_CONFIG, 0)->scope,
	    WA_GRAPH_SCOPE_MESSAGE);
}

static void
test_outcome(void **state)
{
	/* lo..hi: the delay with its jitter of a fifth either way */
	static const struct {
		enum wa_graph_status	st;
		long			http, code, subcode;
		int			written, attempt;
		enum wa_graph_outcome	want;
		int			lo, hi;
	} cases[] = {
		/* Meta answered with its error object: not sent */
		{ WA_GRAPH_META, 400, 130429, 0, 1, 1, WA_GRAPH_O_SLOW, 1, 1 },
		{ WA_GRAPH_META, 400, 130429, 0, 1, 4, WA_GRAPH_O_SLOW, 6, 10 },
		{ WA_GRAPH_META, 400, 130429, 0, 1, 30, WA_GRAPH_O_SLOW,
		  2880, 4320 },
		{ WA_GRAPH_META, 429, 80007, 0, 1, 1, WA_GRAPH_O_SLOW,
		  48, 72 },
		{ WA_GRAPH_META, 400, 131056, 0, 1, 1, WA_GRAPH_O_PAIR, 1, 1 },
		{ WA_GRAPH_META, 400, 131056, 0, 1, 3, WA_GRAPH_O_PAIR,
		  12, 20 },
		{ WA_GRAPH_META, 400, 131056, 0, 1, 8, WA_GRAPH_O_FAILED,
		  0, 0 },
		{ WA_GRAPH_META, 401, 190, 463, 1, 1, WA_GRAPH_O_PAUSE, 0, 0 },
		{ WA_GRAPH_META, 403, 368, 0, 1, 1, WA_GRAPH_O_PAUSE, 0, 0 },
		{ WA_GRAPH_META, 400, 131057, 0, 1, 1, WA_GRAPH_O_PAUSE,
		  48, 72 },
		{ WA_GRAPH_META, 400, 131048, 0, 1, 5, WA_GRAPH_O_PAUSE,
		  2880, 4320 },
		{ WA_GRAPH_META, 400, 132001, 0, 1, 1, WA_GRAPH_O_TEMPLATE,
		  0, 0 },
		{ WA_GRAPH_META, 400, 132015, 0, 1, 1, WA_GRAPH_O_TEMPLATE,
		  0, 0 },
		{ WA_GRAPH_META, 400, 131026, 0, 1, 1, WA_GRAPH_O_FAILED,
		  0, 0 },
		{ WA_GRAPH_META, 400, 100, 0, 1, 1, WA_GRAPH_O_FAILED, 0, 0 },
		{ WA_GRAPH_META, 400, 131049, 0, 1, 1, WA_GRAPH_O_RETRY,
		  69120, 103680 },
		{ WA_GRAPH_META, 400, 131049, 0, 1, 2, WA_GRAPH_O_FAILED,
		  0, 0 },
		{ WA_GRAPH_META, 500, 131000, 0, 1, 1, WA_GRAPH_O_RETRY, 4, 6 },
		{ WA_GRAPH_META, 503, 2, 0, 1, 2, WA_GRAPH_O_RETRY, 8, 12 },
		{ WA_GRAPH_META, 500, 131000, 0, 1, 8, WA_GRAPH_O_FAILED,
		  0, 0 },
		/* no object, and the request went out: it may be sent */
		{ WA_GRAPH_TIMEOUT, 0, 0, 0, 1, 1, WA_GRAPH_O_UNKNOWN, 0, 0 },
		{ WA_GRAPH_DROPPED, 0, 0, 0, 1, 1, WA_GRAPH_O_UNKNOWN, 0, 0 },
		{ WA_GRAPH_HTTP, 502, 0, 0, 1, 1, WA_GRAPH_O_UNKNOWN, 0, 0 },
		{ WA_GRAPH_MALFORMED, 200, 0, 0, 1, 1, WA_GRAPH_O_UNKNOWN,
		  0, 0 },
		{ WA_GRAPH_TOO_LARGE, 200, 0, 0, 1, 1, WA_GRAPH_O_UNKNOWN,
		  0, 0 },
		{ WA_GRAPH_OK, 200, 0, 0, 1, 1, WA_GRAPH_O_UNKNOWN, 0, 0 },
		/* never left: safe to try again */
		{ WA_GRAPH_REFUSED, 0, 0, 0, 0, 1, WA_GRAPH_O_RETRY, 4, 6 },
		{ WA_GRAPH_TIMEOUT, 0, 0, 0, 0, 2, WA_GRAPH_O_RETRY, 8, 12 },
		{ WA_GRAPH_DROPPED, 0, 0, 0, 0, 1, WA_GRAPH_O_RETRY, 4, 6 },
		{ WA_GRAPH_REFUSED, 0, 0, 0, 0, 8, WA_GRAPH_O_FAILED, 0, 0 },
		{ WA_GRAPH_TLS, 0, 0, 0, 0, 1, WA_GRAPH_O_PAUSE, 0, 0 },
		{ WA_GRAPH_CONFIG, 0, 0, 0, 0, 1, WA_GRAPH_O_FAILED, 0, 0 },
		/* an answer without Meta's object that refuses the call */
		{ WA_GRAPH_HTTP, 429, 0, 0, 1, 1, WA_GRAPH_O_SLOW, 48, 72 },
		{ WA_GRAPH_HTTP, 401, 0, 0, 1, 1, WA_GRAPH_O_PAUSE, 0, 0 },
		{ WA_GRAPH_HTTP, 404, 0, 0, 1, 1, WA_GRAPH_O_FAILED, 0, 0 },
		{ WA_GRAPH_REDIRECT, 302, 0, 0, 1, 1, WA_GRAPH_O_PAUSE, 0, 0 },
	};
	struct wa_graph_xfer	x;
	size_t			i;
	int			d, k;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		memset(&x, 0, sizeof(x));
		x.res.status = cases[i].st;
		x.res.http_status = cases[i].http;
		x.res.err.code = cases[i].code;
		x.res.err.subcode = cases[i].subcode;
		x.written = cases[i].written;
		/* with and without the rule wa_graph_finish sets */
		for (k = 0; k < 2; k++) {
			x.res.rule = k == 0 ? NULL : cases[i].st ==
			    WA_GRAPH_META ? wa_graph_rule_for(&x.res.err) :
			    wa_graph_rule_status(cases[i].st,
			    cases[i].http);
			if (cases[i].st == WA_GRAPH_OK)
				x.res.rule = NULL;
			d = -1;
			if (wa_graph_outcome(&x, cases[i].attempt, &d) !=
			    cases[i].want || d < cases[i].lo ||
			    d > cases[i].hi)
				fail_msg("case %zu (%s %ld/%ld written %d "
				    "attempt %d): %s after %d, want %s",
				    i, wa_graph_status_name(cases[i].st),
				    cases[i].http, cases[i].code,
				    cases[i].written, cases[i].attempt,
				    wa_graph_outcome_name(wa_graph_outcome(
				    &x, cases[i].attempt, &d)), d,
				    wa_graph_outcome_name(cases[i].want));
		}
	}
	/* accepted with an id */
	memset(&x, 0, sizeof(x));
	x.written = 1;
	x.sent.wamid = "wamid.X";
	assert_int_equal(wa_graph_outcome(&x, 1, &d), WA_GRAPH_O_SENT);
	assert_int_equal(d, 0);
	/* attempt 0 counts as the first */
	x.sent.wamid = NULL;
	x.written = 0;
	x.res.status = WA_GRAPH_REFUSED;
	assert_int_equal(wa_graph_outcome(&x, 0, &d), WA_GRAPH_O_RETRY);
	assert_true(d >= 4 && d <= 6);
	assert_string_equal(wa_graph_outcome_name(WA_GRAPH_O_UNKNOWN),
	    "unknown");
	assert_string_equal(wa_graph_outcome_name(WA_GRAPH_O__MAX), "?");
}

/* ---- failures as wagate errors ---------------------------------------- */

static void
test_fail(void **state)
{
	struct wa_graph_res	 res;
	const cJSON		*m;
	cJSON			*body;

	(void)state;
	memset(&res, 0, sizeof(res));
	body = parse("{\"error\":{\"message\":\"(#130429) Rate limit hit\","
	    "\"type\":\"OAuthException\",\"code\":130429,\"error_data\":{"
	    "\"details\":\"Cloud API message throughput has been reached.\"},"
	    "\"error_subcode\":2494055,\"fbtrace_id\":\"Az8or\"}}");
	res.status = WA_GRAPH_META;
	res.http_status = 400;
	res.method = "POST";
	res.path = "/1/messages";
	wa_graph_parse_error(body, &res.err);
	res.rule = wa_graph_rule_for(&res.err);
	r.face = WA_FACE_LATE;
	assert_int_equal(wa_graph_fail(&r, &res, "send the message"),
	    WA_ERR_META_RATE_LIMITED);
	assert_int_equal(r.err.retry_after, 1);
	assert_non_null(strstr(r.err.message, "send the message"));
	assert_non_null(strstr(r.err.message, "throughput"));
	m = cJSON_GetObjectItemCaseSensitive(r.err.details, "meta");
	assert_int_equal(cJSON_GetObjectItem(m, "code")->valueint, 130429);
	assert_int_equal(cJSON_GetObjectItem(m, "subcode")->valueint,
	    2494055);
	assert_string_equal(wa_json_str(m, "fbtraceId"), "Az8or");
	assert_true(wa_json_bool(r.err.details, "retryable", 0));
	assert_non_null(strstr(r.err.log_detail, "fbtrace_id=Az8or"));
	/* rendered in Late's envelope: 429 with Meta's code in details */
	wa_resp_error(&r);
	assert_int_equal(r.resp.status, 429);
	assert_non_null(strstr(r.resp.body, "\"meta_rate_limited\""));
	assert_non_null(strstr(r.resp.body, "\"code\":130429"));

	/* first error wins; a transport failure names itself */
	memset(&r.err, 0, sizeof(r.err));
	memset(&res, 0, sizeof(res));
	res.status = WA_GRAPH_TIMEOUT;
	res.detail = "Operation timed out after 3000 milliseconds";
	assert_int_equal(wa_graph_fail(&r, &res, "list the templates"),
	    WA_ERR_UPSTREAM_TIMEOUT);
	assert_int_equal(r.err.retry_after, 0);	/* 504: no Retry-After */
	assert_string_equal(wa_json_str(r.err.details, "upstream"), "timeout");
	res.status = WA_GRAPH_REFUSED;
	assert_int_equal(wa_graph_fail(&r, &res, "x"),
	    WA_ERR_UPSTREAM_TIMEOUT);
}

/* One budget per request: a request that has used it up makes no call
 * at all; without a start time each call gets the whole budget. */
static void
test_deadline(void **state)
{
	struct wa_graph_acct	a = { "acc", "token", "1", "2" };
	struct wa_graph_call	c;
	struct wa_graph_res	res;
	int64_t			now = wa_clock_mono_us();

	(void)state;
	cfg.graph_url = "http://127.0.0.1:9/v23.0";
	cfg.graph_timeout_ms = 1000;
	r.started_us = now - 1000 * 1000 - 1;
	assert_true(wa_graph_deadline(&r) < now);
	memset(&c, 0, sizeof(c));
	c.method = "GET";
	c.path = "/1";
	assert_int_equal(wa_graph_call(&r, &a, &c, &res), WA_GRAPH_TIMEOUT);
	assert_string_equal(res.detail, "no time left for the call");
	assert_int_equal(res.rule->err, WA_ERR_UPSTREAM_TIMEOUT);
	r.started_us = 0;
	assert_true(wa_graph_deadline(&r) >= now + 1000 * 1000);
	/* no token: nothing is sent */
	a.token = NULL;
	assert_int_equal(wa_graph_call(&r, &a, &c, &res), WA_GRAPH_CONFIG);
}

/* ---- messages (§4.2, §4.3) -------------------------------------------- */

static void
expect_json(const cJSON *got, const char *want)
{
	cJSON	*w = parse(want);

	if (!cJSON_Compare(got, w, 1))
		fail_msg("got %s\nwant %s", wa_json_print(got), want);
}

static void
test_msg_json(void **state)
{
	struct wa_graph_msg	 m;
	const char		*why;
	cJSON			*comps;
	char			 big[4200];

	(void)state;
	memset(&m, 0, sizeof(m));
	m.type = WA_GRAPH_MSG_TEXT;
	m.to = "+16505551234";
	m.text = "As requested, here's the link: "
	    "https://www.meta.com/quest/quest-3/";
	m.preview_url = 1;
	expect_json(wa_graph_msg_json(&m, &why), "{\"messaging_product\":"
	    "\"whatsapp\",\"recipient_type\":\"individual\",\"to\":"
	    "\"+16505551234\",\"type\":\"text\",\"text\":{\"preview_url\":"
	    "true,\"body\":\"As requested, here's the link: "
	    "https://www.meta.com/quest/quest-3/\"}}");

	/* the quoted reply of §4.2 */
	m.to = "16505551234";
	m.text = "Thanks, received.";
	m.preview_url = 0;
	m.reply_to = "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEw"
	    "MTQ0RgA=";
	expect_json(wa_graph_msg_json(&m, &why), "{\"messaging_product\":"
	    "\"whatsapp\",\"recipient_type\":\"individual\",\"to\":"
	    "\"16505551234\",\"context\":{\"message_id\":\"wamid.HBgLMTY1MDM4"
	    "Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=\"},\"type\":"
	    "\"text\",\"text\":{\"preview_url\":false,\"body\":\"Thanks, "
	    "received.\"}}");

	/* a template with components, as §4.2 writes it */
	memset(&m, 0, sizeof(m));
	m.type = WA_GRAPH_MSG_TEMPLATE;
	m.to = "+16505551234";
	m.tpl_name = "order_confirmation";
	m.tpl_language = "en_US";
	comps = parse("[{\"type\":\"body\",\"parameters\":[{\"type\":\"text\","
	    "\"text\":\"Jessica\"},{\"type\":\"currency\",\"currency\":{"
	    "\"fallback_value\":\"$100.99\",\"code\":\"USD\",\"amount_1000\":"
	    "100990}}]},{\"type\":\"button\",\"sub_type\":\"url\",\"index\":"
	    "\"1\",\"parameters\":[{\"type\":\"text\",\"text\":"
	    "\"summer2023\"}]}]");
	m.tpl_components = comps;
	m.opaque = "campaign-7";
	expect_json(wa_graph_msg_json(&m, &why), wa_arena_printf(r.arena,
	    "{\"messaging_product\":\"whatsapp\",\"recipient_type\":"
	    "\"individual\",\"to\":\"+16505551234\","
	    "\"biz_opaque_callback_data\":\"campaign-7\",\"type\":"
	    "\"template\",\"template\":{\"name\":\"order_confirmation\","
	    "\"language\":{\"code\":\"en_US\"},\"components\":%s}}",
	    wa_json_print(comps)));
	/* the minimal hello_world: no components member */
	m.tpl_components = NULL;
	m.tpl_name = "hello_world";
	m.opaque = NULL;
	expect_json(wa_graph_msg_json(&m, &why), "{\"messaging_product\":"
	    "\"whatsapp\",\"recipient_type\":\"individual\",\"to\":"
	    "\"+16505551234\",\"type\":\"template\",\"template\":{\"name\":"
	    "\"hello_world\",\"language\":{\"code\":\"en_US\"}}}");

	/* media by id and by link */
	memset(&m, 0, sizeof(m));
	m.type = WA_GRAPH_MSG_IMAGE;
	m.to = "16505551234";
	m.media_id = "1037543291543636";
	expect_json(wa_graph_msg_json(&m, &why), "{\"messaging_product\":"
	    "\"whatsapp\",\"recipient_type\":\"individual\",\"to\":"
	    "\"16505551234\",\"type\":\"image\",\"image\":{\"id\":"
	    "\"1037543291543636\"}}");
	m.type = WA_GRAPH_MSG_DOCUMENT;
	m.media_id = NULL;
	m.media_link = "https://example.com/invoice.pdf";
	m.caption = "Invoice";
	m.filename = "invoice.pdf";
	expect_json(wa_graph_msg_json(&m, &why), "{\"messaging_product\":"
	    "\"whatsapp\",\"recipient_type\":\"individual\",\"to\":"
	    "\"16505551234\",\"type\":\"document\",\"document\":{\"link\":"
	    "\"https://example.com/invoice.pdf\",\"caption\":\"Invoice\","
	    "\"filename\":\"invoice.pdf\"}}");

	/* what Meta would refuse for its shape is refused here */
	m.type = WA_GRAPH_MSG_AUDIO;
	m.filename = NULL;
	assert_null(wa_graph_msg_json(&m, &why));	/* caption on audio */
	assert_non_null(why);
	m.caption = NULL;
	m.media_id = "1";
	assert_null(wa_graph_msg_json(&m, &why));	/* id and link */
	m.media_link = NULL;
	m.media_id = "../../x";
	assert_null(wa_graph_msg_json(&m, &why));
	m.media_link = "ftp://x";
	m.media_id = NULL;
	assert_null(wa_graph_msg_json(&m, &why));
	memset(&m, 0, sizeof(m));
	m.to = "+1";
	m.text = "";
	assert_null(wa_graph_msg_json(&m, &why));
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	m.text = big;
	assert_null(wa_graph_msg_json(&m, &why));
	big[4096] = '\0';
	assert_non_null(wa_graph_msg_json(&m, &why));
	m.to = NULL;
	assert_null(wa_graph_msg_json(&m, &why));
	m.to = "+1";
	m.type = (enum wa_graph_msg_type)42;
	assert_null(wa_graph_msg_json(&m, &why));
	m.type = WA_GRAPH_MSG_TEMPLATE;
	assert_null(wa_graph_msg_json(&m, &why));	/* no name */
}

static void
test_parse_sent(void **state)
{
	struct wa_graph_sent	s;

	(void)state;
	assert_int_equal(wa_graph_parse_sent(parse("{\"messaging_product\":"
	    "\"whatsapp\",\"contacts\":[{\"input\":\"+16505551234\",\"wa_id\":"
	    "\"16505551234\"}],\"messages\":[{\"id\":\"wamid.HBgLMTY0NjcwND"
	    "M1OTUVAgARGBI1RjQyNUE3NEYxMzAzMzQ5MkEA\"}]}"), &s), 0);
	assert_string_equal(s.wamid, "wamid.HBgLMTY0NjcwNDM1OTUVAgARGBI1RjQy"
	    "NUE3NEYxMzAzMzQ5MkEA");
	assert_string_equal(s.wa_id, "16505551234");
	assert_string_equal(s.input, "+16505551234");
	assert_null(s.message_status);
	assert_int_equal(wa_graph_parse_sent(parse("{\"messages\":[{\"id\":"
	    "\"wamid.x\",\"message_status\":\"held_for_quality_assessment\"}],"
	    "\"user_id\":\"u\"}"), &s), 0);
	assert_string_equal(s.message_status, "held_for_quality_assessment");
	assert_null(s.wa_id);
	assert_int_equal(wa_graph_parse_sent(parse("{\"messages\":[]}"), &s),
	    -1);
	assert_int_equal(wa_graph_parse_sent(parse("{\"messages\":[{\"id\":"
	    "\"\"}]}"), &s), -1);
	assert_int_equal(wa_graph_parse_sent(parse("{\"messages\":[{\"id\":"
	    "7}]}"), &s), -1);
	assert_int_equal(wa_graph_parse_sent(parse("{}"), &s), -1);
}

/* ---- business profile, upload sessions (§6) ---------------------------- */

static void
test_profile(void **state)
{
	const cJSON	*p;

	(void)state;
	p = wa_graph_parse_profile(parse("{\"data\":[{\"about\":\"Succulent "
	    "specialists!\",\"address\":\"1 Hacker Way, Menlo Park, CA 94025\","
	    "\"email\":\"lucky@luckyshrub.com\",\"websites\":["
	    "\"https://www.luckyshrub.com/\"],\"vertical\":\"RETAIL\","
	    "\"messaging_product\":\"whatsapp\"}]}"));
	assert_string_equal(wa_json_str(p, "about"), "Succulent specialists!");
	assert_string_equal(wa_json_str(p, "vertical"), "RETAIL");
	/* Meta's Postman form nests it */
	p = wa_graph_parse_profile(parse("{\"data\":[{\"business_profile\":{"
	    "\"about\":\"Nested\"},\"messaging_product\":\"whatsapp\"}]}"));
	assert_string_equal(wa_json_str(p, "about"), "Nested");
	assert_null(wa_graph_parse_profile(parse("{\"data\":[]}")));
	assert_null(wa_graph_parse_profile(parse("{\"data\":{}}")));
	assert_null(wa_graph_parse_profile(parse("{\"data\":[1]}")));
}

static void
test_session(void **state)
{
	static const struct {
		const char	*s;
		int		 ok;
	} cases[] = {
		{ "upload:MTphdHRhY2htZW50Ojlk2mJiZxUwLWV6MDUtNDIwMy05yTA3LWQ4"
		  "ZDPmZGFkNTM0NT8=?sig=ARZqkGCA_uQMxC8nHKI", 1 },
		{ "upload:abc?sig=x-y_z", 1 },
		{ "upload:?sig=x", 0 },
		{ "upload:abc", 0 },
		{ "upload:abc?sig=", 0 },
		{ "upload:a/../b?sig=x", 0 },
		{ "upload:abc?sig=x&access_token=y", 0 },
		{ "upload:a b?sig=x", 0 },
		{ "uploads:abc?sig=x", 0 },
		{ "https://evil/upload:abc?sig=x", 0 },
		{ NULL, 0 },
	};
	size_t	i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++)
		if (wa_graph_valid_session(cases[i].s) != cases[i].ok)
			fail_msg("%s", cases[i].s != NULL ? cases[i].s :
			    "NULL");
}

/* ---- webhook signatures (§10.3) ---------------------------------------- */

static void
test_signature(void **state)
{
	/* Meta escapes "/" and non-ASCII: the bytes signed are these */
	static const char body[] = "{\"object\":\"whatsapp_business_account\","
	    "\"entry\":[{\"id\":\"1\",\"changes\":[{\"value\":{\"text\":"
	    "\"\\u00e4\\u00f6\\u00e5 http:\\/\\/x\"},\"field\":"
	    "\"messages\"}]}]}";
	unsigned char	mac[WA_SHA256_LEN];
	char		hex[2 * WA_SHA256_LEN + 1], *hdr, *upper, *c;

	(void)state;
	wa_crypto_hmac_sha256("app-secret", 10, body, strlen(body), mac);
	wa_crypto_hex(mac, sizeof(mac), hex);
	hdr = wa_arena_printf(r.arena, "sha256=%s", hex);
	assert_true(wa_graph_signature_ok("app-secret", body, strlen(body),
	    hdr));
	/* hex digits in upper case are the same signature */
	upper = wa_arena_strdup(r.arena, hdr);
	for (c = upper + 7; *c != '\0'; c++)
		if (*c >= 'a' && *c <= 'f')
			*c = (char)(*c - 'a' + 'A');
	assert_true(wa_graph_signature_ok("app-secret", body, strlen(body),
	    upper));
	/* a tampered body, the wrong secret, no header, a bad header */
	assert_false(wa_graph_signature_ok("app-secret", body,
	    strlen(body) - 1, hdr));
	assert_false(wa_graph_signature_ok("other", body, strlen(body), hdr));
	assert_false(wa_graph_signature_ok("app-secret", body, strlen(body),
	    NULL));
	assert_false(wa_graph_signature_ok(NULL, body, strlen(body), hdr));
	assert_false(wa_graph_signature_ok("", body, strlen(body), hdr));
	assert_false(wa_graph_signature_ok("app-secret", body, strlen(body),
	    hdr + 7));
	assert_false(wa_graph_signature_ok("app-secret", body, strlen(body),
	    wa_arena_printf(r.arena, "sha1=%s", hex)));
	assert_false(wa_graph_signature_ok("app-secret", body, strlen(body),
	    wa_arena_printf(r.arena, "%s0", hdr)));
	assert_false(wa_graph_signature_ok("app-secret", body, strlen(body),
	    "sha256=zz"));
}

/* ---- template rules (§5.2) --------------------------------------------- */

static void
collect(void *ctx, const char *path, const char *msg, long subcode)
{
	struct wa_req	*q = ctx;

	(void)subcode;
	wa_fail_field(q, path, "%s", msg);
}

static void
test_placeholders(void **state)
{
	static const struct {
		const char	*text;
		int		 want;
	} cases[] = {
		{ "no params", 0 },
		{ "Hi {{1}}!", 1 },
		{ "Your order {{1}} has been confirmed. Expected delivery: "
		  "{{2}}", 2 },
		{ "{{2}} then {{1}} then {{1}}", 2 },
		{ "{{1}} {{3}}", -1 },
		{ "{{2}}", -1 },
		{ "{{0}}", -1 },
		{ "{{first_name}}", -1 },
		{ "{{ 1 }}", -1 },
		{ "{{1}", -1 },
		{ "{{101}}", -1 },
		{ "{{}}", -1 },
	};
	size_t	i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++)
		if (wa_graph_placeholders(cases[i].text) != cases[i].want)
			fail_msg("\"%s\": %d", cases[i].text,
			    wa_graph_placeholders(cases[i].text));
	assert_true(wa_graph_tpl_name_ok("order_confirmation", 1));
	assert_false(wa_graph_tpl_name_ok("1order", 1));
	assert_true(wa_graph_tpl_name_ok("1order", 0));
	assert_false(wa_graph_tpl_name_ok("Order", 0));
	assert_false(wa_graph_tpl_name_ok("order-confirmation", 0));
	assert_false(wa_graph_tpl_name_ok("", 0));
	assert_true(wa_graph_tpl_category_ok("UTILITY"));
	assert_false(wa_graph_tpl_category_ok("utility"));
	assert_true(wa_graph_language_ok("en_US"));
	assert_true(wa_graph_language_ok("af"));
	assert_true(wa_graph_language_ok("zu"));
	assert_true(wa_graph_language_ok("fil"));
	assert_false(wa_graph_language_ok("en-US"));
	assert_false(wa_graph_language_ok("xx"));
	assert_false(wa_graph_language_ok(NULL));
}

static void
test_tpl_check(void **state)
{
	static const struct {
		const char	*category;
		const char	*components;
		const char	*fields;	/* "" = valid */
	} cases[] = {
		{ "UTILITY", "[{\"type\":\"body\",\"text\":\"Your order {{1}} "
		  "has been confirmed.\",\"example\":{\"body_text\":"
		  "[[\"A1\"]]}}]", "" },
		{ "MARKETING", "[{\"type\":\"HEADER\",\"format\":\"TEXT\","
		  "\"text\":\"Hi {{1}}\",\"example\":{\"header_text\":"
		  "[\"Ann\"]}},{\"type\":\"BODY\",\"text\":\"Sale\"},"
		  "{\"type\":\"FOOTER\",\"text\":\"Shop\"},{\"type\":"
		  "\"BUTTONS\",\"buttons\":[{\"type\":\"QUICK_REPLY\","
		  "\"text\":\"Stop\"},{\"type\":\"URL\",\"text\":"
		  "\"Go\",\"url\":\"https://x.example/{{1}}\",\"example\":"
		  "[\"a\"]},{\"type\":\"PHONE_NUMBER\",\"text\":\"Call\","
		  "\"phone_number\":\"+16467043595\"}]}]", "" },
		{ "MARKETING", "[{\"type\":\"header\",\"format\":\"image\","
		  "\"example\":{\"header_handle\":[\"4::aW\"]}},{\"type\":"
		  "\"body\",\"text\":\"x\"}]", "" },
		{ "AUTHENTICATION", "[{\"type\":\"BODY\","
		  "\"add_security_recommendation\":true},{\"type\":\"FOOTER\","
		  "\"code_expiration_minutes\":5},{\"type\":\"BUTTONS\","
		  "\"buttons\":[{\"type\":\"OTP\",\"otp_type\":"
		  "\"COPY_CODE\"}]}]",
		  "" },
		{ "UTILITY", "[]", "components" },
		{ "UTILITY", "{}", "components" },
		{ "UTILITY", "[{\"type\":\"FOOTER\",\"text\":\"f\"}]",
		  "components" },
		{ "UTILITY", "[{\"type\":\"BODY\",\"text\":\"a\"},{\"type\":"
		  "\"body\",\"text\":\"b\"}]", "components[1]" },
		{ "UTILITY", "[{\"type\":\"CAROUSEL\"},{\"type\":\"BODY\","
		  "\"text\":\"b\"}]", "components[0]" },
		{ "UTILITY", "[{\"type\":\"BODY\",\"text\":\"Hi {{1}}\"}]",
		  "components[0].example.body_text" },
		{ "UTILITY", "[{\"type\":\"BODY\",\"text\":\"Hi {{1}} {{2}}\","
		  "\"example\":{\"body_text\":[[\"a\"]]}}]",
		  "components[0].example.body_text" },
		{ "UTILITY", "[{\"type\":\"BODY\",\"text\":\"Hi {{2}}\"}]",
		  "components[0].text" },
		{ "UTILITY", "[{\"type\":\"BODY\"}]", "components[0].text" },
		{ "UTILITY", "[{\"type\":\"HEADER\",\"format\":\"TEXT\","
		  "\"text\":\"{{1}} {{2}}\"},{\"type\":\"BODY\",\"text\":"
		  "\"b\"}]",
		  "components[0].text" },
		{ "UTILITY", "[{\"type\":\"HEADER\",\"format\":\"GIF\"},"
		  "{\"type\":\"BODY\",\"text\":\"b\"}]",
		  "components[0].format" },
		{ "UTILITY", "[{\"type\":\"HEADER\",\"format\":\"VIDEO\"},"
		  "{\"type\":\"BODY\",\"text\":\"b\"}]",
		  "components[0].example.header_handle" },
		{ "UTILITY", "[{\"type\":\"BODY\",\"text\":\"b\"},{\"type\":"
		  "\"FOOTER\",\"text\":\"{{1}}\"}]", "components[1].text" },
		{ "UTILITY", "[{\"type\":\"BODY\",\"text\":\"b\"},{\"type\":"
		  "\"BUTTONS\",\"buttons\":[{\"type\":\"URL\",\"text\":\"Go\","
		  "\"url\":\"https://x/{{1}}/y\"}]}]",
		  "components[1].buttons[0].url" },
		{ "UTILITY", "[{\"type\":\"BODY\",\"text\":\"b\"},{\"type\":"
		  "\"BUTTONS\",\"buttons\":[{\"type\":\"QUICK_REPLY\",\"text\":"
		  "\"this text is longer than twenty-five\"}]}]",
		  "components[1].buttons[0].text" },
		{ "UTILITY", "[{\"type\":\"BODY\",\"text\":\"b\"},{\"type\":"
		  "\"BUTTONS\",\"buttons\":[{\"type\":\"OTP\",\"otp_type\":"
		  "\"COPY_CODE\"}]}]", "components[1].buttons[0].type" },
		{ "AUTHENTICATION", "[{\"type\":\"BODY\"}]", "components" },
		{ "UTILITY", "[{\"type\":\"BODY\",\"text\":\"b\"},{\"type\":"
		  "\"BUTTONS\",\"buttons\":[]}]", "components[1].buttons" },
	};
	const char	*why;
	cJSON		*c;
	size_t		 i;
	int		 n;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		memset(&r.err, 0, sizeof(r.err));
		c = wa_json_parse(cases[i].components,
		    strlen(cases[i].components), WA_JSON_DEPTH_MAX, &why);
		n = wa_graph_tpl_check(c, cases[i].category, NULL, collect, &r);
		if (cases[i].fields[0] == '\0') {
			if (n != 0)
				fail_msg("case %zu: %s", i, t_fields(&r));
			continue;
		}
		if (n == 0 || strncmp(t_fields(&r), cases[i].fields,
		    strlen(cases[i].fields)) != 0 ||
		    t_fields(&r)[strlen(cases[i].fields)] != '=')
			fail_msg("case %zu: want %s, got %s", i,
			    cases[i].fields, t_fields(&r));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_error),
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_status_rules),
		cmocka_unit_test(test_retry_delay),
		cmocka_unit_test(test_scopes),
		cmocka_unit_test(test_outcome),
		cmocka_unit_test(test_fail),
		cmocka_unit_test(test_deadline),
		cmocka_unit_test(test_msg_json),
		cmocka_unit_test(test_parse_sent),
		cmocka_unit_test(test_profile),
		cmocka_unit_test(test_session),
		cmocka_unit_test(test_signature),
		cmocka_unit_test(test_placeholders),
		cmocka_unit_test(test_tpl_check),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
