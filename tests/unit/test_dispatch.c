/*
 * Unit tests for lib/dispatch.c: what the pipeline decides before any
 * database work.  Every request here runs with r->db == NULL, so a key
 * check that reached the database would show up as a 500, and a
 * protected handler that ran would be counted.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "dispatch.h"
#include "helpers.h"
#include "resp.h"

static int	protected_calls;
static int	public_calls;

static enum wa_err
must_not_run(struct wa_req *r)
{
	protected_calls++;
	return wa_resp_ok(r, 200, NULL);
}

static enum wa_err
public_ok(struct wa_req *r)
{
	cJSON	*d = cJSON_CreateObject();

	public_calls++;
	cJSON_AddStringToObject(d, "hello", "world");
	return wa_resp_ok(r, 200, d);
}

static enum wa_err
public_silent(struct wa_req *r)
{
	/* returns WA_OK without a response: a bug the pipeline catches */
	(void)r;
	public_calls++;
	return WA_OK;
}

static enum wa_err
public_fail(struct wa_req *r)
{
	public_calls++;
	return wa_fail(r, WA_ERR_NOT_FOUND, "thing %s not found",
	    wa_req_param(r, "id"));
}

/* A strategy of a family's own: a header that must say "yes". */
static enum wa_err
yes_check(struct wa_req *r)
{
	const char	*v = wa_req_header(r, "x-yes");

	if (v == NULL || strcmp(v, "yes") != 0)
		return wa_fail(r, WA_ERR_UNAUTHENTICATED, "say yes");
	return WA_OK;
}

static const struct wa_authn yes = { "yes", yes_check, NULL };

#define NONE	(&wa_authn_none)

static const struct wa_route routes[] = {
	WA_ROUTE_KEY(WA_M_GET, "/v3/things", must_not_run, WA_ROLE_MEMBER,
	    WA_FACE_SENT),
	WA_ROUTE_KEY(WA_M_POST, "/v3/things", must_not_run, WA_ROLE_ADMIN,
	    WA_FACE_SENT),
	WA_ROUTE_KEY(WA_M_GET, "/v1/things", must_not_run, WA_ROLE_MEMBER,
	    WA_FACE_LATE),
	WA_ROUTE_KEY(WA_M_PUT, "/organizations/{orgId}/things", must_not_run,
	    WA_ROLE_MEMBER, WA_FACE_MOSEND),
	WA_ROUTE_AS(WA_M_GET, "/v3/public", public_ok, NONE, WA_FACE_SENT),
	WA_ROUTE_AS(WA_M_GET, "/v3/silent", public_silent, NONE,
	    WA_FACE_SENT),
	WA_ROUTE_AS(WA_M_GET, "/v3/public/{id}", public_fail, NONE,
	    WA_FACE_SENT),
	WA_ROUTE_AS(WA_M_POST, "/v1/yes", public_ok, &yes, WA_FACE_LATE),
	WA_ROUTE_END
};

static const struct wa_family family = { "unit", routes, NULL, 0, 0 };

#define KEY	"mk_live_AbCdEf012345.0123456789abcdefghijABCDEFGHIJkl"

static void
test_pipeline(void **state)
{
	static const struct {
		const char	*method;
		const char	*uri;
		const char	*xkey;		/* X-Api-Key */
		const char	*authz;		/* Authorization */
		const char	*cl;		/* Content-Length */
		int		 status;
		const char	*code;		/* face code in the body */
		const char	*allow;		/* Allow header */
		int		 pub;		/* public handler calls */
	} cases[] = {
		/* 401 before any database work, handler untouched */
		{ "GET", "/v3/things", NULL, NULL, NULL, 401, "AUTH_001",
		    NULL, 0 },
		{ "POST", "/v3/things", NULL, NULL, NULL, 401, "AUTH_001",
		    NULL, 0 },
		{ "GET", "/v3/things", "garbage", NULL, NULL, 401, "AUTH_002",
		    NULL, 0 },
		{ "GET", "/v3/things", "", NULL, NULL, 401, "AUTH_001", NULL,
		    0 },
		{ "GET", "/v3/things", NULL, "Bearer mk_live_short", NULL,
		    401, "AUTH_002", NULL, 0 },
		{ "GET", "/v3/things", NULL, "Basic dXNlcjpwYXNz", NULL, 401,
		    "AUTH_001", NULL, 0 },
		{ "GET", "/v3/things", "sk_live_AbCdEf012345."
		    "0123456789abcdefghijABCDEFGHIJkl", NULL, NULL, 401,
		    "AUTH_002", NULL, 0 },
		{ "GET", "/v3/things", "mk_live_AbCdEf0123\xc3\xa9."
		    "0123456789abcdefghijABCDEFGHIJkl", NULL, NULL, 401,
		    "AUTH_002", NULL, 0 },
		{ "GET", "/v1/things", "mk_live_x", NULL, NULL, 401,
		    "invalid_api_key", NULL, 0 },
		{ "PUT", "/organizations/o1/things", NULL, NULL, NULL, 401,
		    NULL, NULL, 0 },
		/* 404 and 405 before authentication */
		{ "GET", "/v3/nothing", KEY, NULL, NULL, 404, "RESOURCE_000",
		    NULL, 0 },
		{ "GET", "/nothing", NULL, NULL, NULL, 404, NULL, NULL, 0 },
		{ "DELETE", "/v3/things", NULL, NULL, NULL, 405, "REQUEST_405",
		    "GET, POST, HEAD", 0 },
		{ "PATCH", "/v3/public", KEY, NULL, NULL, 405, "REQUEST_405",
		    "GET, HEAD", 0 },
		{ "GET", "/organizations/o1/things", NULL, NULL, NULL, 405,
		    NULL, "PUT", 0 },
		/* a parse failure is rendered, nothing routed */
		{ "POST", "/v3/things", KEY, NULL, "99999", 413, "REQUEST_413",
		    NULL, 0 },
		{ "GET", "/v3/public%", NULL, NULL, NULL, 400,
		    "VALIDATION_002", NULL, 0 },
		{ "GET", "/v3/nothing%FF", NULL, NULL, NULL, 400,
		    "VALIDATION_002", NULL, 0 },
		{ "GET", "/organizations/\xc5", NULL, NULL, NULL, 400, NULL,
		    NULL, 0 },
		/* public routes run without a key or a database */
		{ "GET", "/v3/public", NULL, NULL, NULL, 200, NULL, NULL, 1 },
		{ "HEAD", "/v3/public", NULL, NULL, NULL, 200, NULL, NULL, 1 },
		{ "GET", "/v3/silent", NULL, NULL, NULL, 500, "INTERNAL_001",
		    NULL, 1 },
		{ "GET", "/v3/public/p9", NULL, NULL, NULL, 404,
		    "RESOURCE_001", NULL, 1 },
		/* a route's own strategy: refused before anything, or the
		 * handler runs without a tenant (and without a database:
		 * the transaction's BEGIN waits for a statement) */
		{ "POST", "/v1/yes", NULL, NULL, NULL, 401, "unauthorized",
		    NULL, 0 },
		{ "POST", "/v1/yes", KEY, NULL, NULL, 401, "unauthorized",
		    NULL, 0 },
		/* a well-formed key goes on to BEGIN: no database is a 500,
		 * still without running the handler */
		{ "GET", "/v3/things", KEY, NULL, NULL, 500, "INTERNAL_001",
		    NULL, 0 },
		{ "GET", "/v3/things", NULL, "Bearer " KEY, NULL, 500,
		    "INTERNAL_001", NULL, 0 },
	};
	struct wa_cfg		 cfg;
	struct wa_req		 r;
	struct t_capture	 c;
	char			*env[6], *log;
	const char		*why, *allow;
	cJSON			*v, *e;
	size_t			 i, n, k;
	enum wa_err		 parsed;

	(void)state;
	t_cfg_init(&cfg);
	for (i = 0; i < NELEM(cases); i++) {
		t_req_init(&r, &cfg);
		n = 0;
		env[n++] = wa_arena_printf(r.arena, "REQUEST_METHOD=%s",
		    cases[i].method);
		env[n++] = wa_arena_printf(r.arena, "REQUEST_URI=%s",
		    cases[i].uri);
		if (cases[i].xkey != NULL)
			env[n++] = wa_arena_printf(r.arena, "HTTP_X_API_KEY=%s",
			    cases[i].xkey);
		if (cases[i].authz != NULL)
			env[n++] = wa_arena_printf(r.arena,
			    "HTTP_AUTHORIZATION=%s", cases[i].authz);
		if (cases[i].cl != NULL)
			env[n++] = wa_arena_printf(r.arena,
			    "CONTENT_LENGTH=%s", cases[i].cl);
		env[n] = NULL;
		protected_calls = public_calls = 0;
		parsed = t_req_parse(&r, env, NULL, 0);
		assert_null(r.db);
		t_capture_begin(&c);
		wa_dispatch(&r, &family, parsed);
		log = t_capture_end(&c, r.arena);

		if (r.resp.status != cases[i].status)
			fail_msg("case %zu %s %s: status %d want %d (%s)", i,
			    cases[i].method, cases[i].uri, r.resp.status,
			    cases[i].status, r.err.message);
		assert_int_equal(protected_calls, 0);
		assert_int_equal(public_calls, cases[i].pub);
		assert_int_equal(r.in_tx, 0);

		/* strict: a byte that is not UTF-8 would be refused */
		v = wa_json_parse(r.resp.body, r.resp.body_len, 32, &why);
		if (v == NULL)
			fail_msg("case %zu: body %s: %s", i, why, r.resp.body);
		if (cases[i].code != NULL) {
			e = cJSON_GetObjectItem(v, "error");
			if (cJSON_IsObject(e))		/* Sent */
				assert_string_equal(wa_json_str(e, "code"),
				    cases[i].code);
			else				/* Late */
				assert_string_equal(wa_json_str(v, "code"),
				    cases[i].code);
		}
		if (r.face == WA_FACE_MOSEND && cases[i].status >= 400)
			assert_int_equal(cJSON_GetObjectItem(v,
			    "statusCode")->valuedouble, cases[i].status);

		allow = NULL;
		for (k = 0; k < r.resp.nheaders; k++)
			if (strcmp(r.resp.headers[k].key, "Allow") == 0)
				allow = r.resp.headers[k].val;
		if (cases[i].allow == NULL)
			assert_null(allow);
		else
			assert_string_equal(allow, cases[i].allow);

		/* one access-log line with the status, never the key */
		assert_non_null(strstr(log, "\"msg\":\"request\""));
		assert_non_null(strstr(log, wa_arena_printf(r.arena,
		    "\"status\":%d", cases[i].status)));
		assert_null(strstr(log, "0123456789abcdefghijABCDEFGHIJkl"));
		t_req_free(&r);
	}
}

/* The same route with its credential: the handler runs, with no tenant
 * and no transaction ever sent (there is no database here). */
static void
test_own_strategy(void **state)
{
	struct wa_cfg		 cfg;
	struct wa_req		 r;
	struct t_capture	 c;
	char			*env[] = { "REQUEST_METHOD=POST",
				    "REQUEST_URI=/v1/yes", "HTTP_X_YES=yes",
				    "HTTP_IDEMPOTENCY_KEY=k1", NULL };
	enum wa_err		 parsed;

	(void)state;
	t_cfg_init(&cfg);
	t_req_init(&r, &cfg);
	public_calls = 0;
	parsed = t_req_parse(&r, env, NULL, 0);
	t_capture_begin(&c);
	wa_dispatch(&r, &family, parsed);
	(void)t_capture_end(&c, r.arena);
	assert_int_equal(r.resp.status, 200);
	assert_int_equal(public_calls, 1);
	assert_int_equal(r.auth.ok, 0);
	assert_int_equal(r.in_tx, 0);
	assert_int_equal(r.tx_deferred, 0);
	t_req_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pipeline),
		cmocka_unit_test(test_own_strategy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
