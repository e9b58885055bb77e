/* Unit tests for lib/route.c: matching, 404/405, bound parameters. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "helpers.h"
#include "route.h"

static enum wa_err
h(struct wa_req *r)
{
	(void)r;
	return WA_OK;
}

enum {
	R_LIST, R_CREATE, R_GET, R_PATCH, R_DELETE, R_BULK, R_MSG, R_ORG,
	R_MANY, R_ROOTISH
};

/* The {param} route comes first so "literal beats param" is not an
 * accident of order. */
#define M	WA_ROLE_MEMBER
#define S	WA_FACE_SENT

static const struct wa_route routes[] = {
	WA_ROUTE_KEY(WA_M_GET, "/v3/contacts", h, M, S),
	WA_ROUTE_KEY(WA_M_POST, "/v3/contacts", h, M, S),
	WA_ROUTE_KEY(WA_M_GET, "/v3/contacts/{contactId}", h, M, S),
	WA_ROUTE_KEY(WA_M_PATCH, "/v3/contacts/{contactId}", h, M, S),
	WA_ROUTE_KEY(WA_M_DELETE, "/v3/contacts/{contactId}", h,
	    WA_ROLE_ADMIN, S),
	WA_ROUTE_KEY(WA_M_GET, "/v3/contacts/bulk", h, M, S),
	WA_ROUTE_KEY(WA_M_GET, "/v3/contacts/{contactId}/messages/{messageId}",
	    h, M, S),
	WA_ROUTE_KEY(WA_M_PUT, "/organizations/{orgId}/things", h, M,
	    WA_FACE_MOSEND),
	WA_ROUTE_AS(WA_M_GET, "/p/{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}/{i}/{j}", h,
	    &wa_authn_none, WA_FACE_MOSEND),
	WA_ROUTE_AS(WA_M_GET, "/v1/{x}", h, &wa_authn_none, WA_FACE_LATE),
	WA_ROUTE_END
};

static void
test_match_table(void **state)
{
	static const struct {
		const char	*method;
		const char	*uri;
		enum wa_err	 err;
		int		 route;		/* index, -1: none */
		unsigned	 allowed;
		const char	*params;	/* "k=v|k=v" */
	} cases[] = {
		{ "GET", "/v3/contacts", WA_OK, R_LIST, 0, "" },
		{ "GET", "/v3/contacts/", WA_OK, R_LIST, 0, "" },
		{ "GET", "//v3//contacts", WA_OK, R_LIST, 0, "" },
		{ "POST", "/v3/contacts", WA_OK, R_CREATE, 0, "" },
		{ "HEAD", "/v3/contacts", WA_OK, R_LIST, 0, "" },
		{ "PUT", "/v3/contacts", WA_ERR_METHOD, -1,
		    WA_M_GET | WA_M_POST, NULL },
		{ "OPTIONS", "/v3/contacts", WA_ERR_METHOD, -1,
		    WA_M_GET | WA_M_POST, NULL },
		{ "BREW", "/v3/contacts", WA_ERR_METHOD, -1,
		    WA_M_GET | WA_M_POST, NULL },
		/* literal beats {param} */
		{ "GET", "/v3/contacts/bulk", WA_OK, R_BULK, 0, "" },
		/* ... but only for its own method */
		{ "PATCH", "/v3/contacts/bulk", WA_OK, R_PATCH, 0,
		    "contactId=bulk" },
		{ "GET", "/v3/contacts/abc", WA_OK, R_GET, 0, "contactId=abc" },
		{ "HEAD", "/v3/contacts/abc", WA_OK, R_GET, 0,
		    "contactId=abc" },
		{ "DELETE", "/v3/contacts/abc", WA_OK, R_DELETE, 0,
		    "contactId=abc" },
		{ "POST", "/v3/contacts/abc", WA_ERR_METHOD, -1,
		    WA_M_GET | WA_M_PATCH | WA_M_DELETE, NULL },
		/* parameters are bound decoded */
		{ "GET", "/v3/contacts/a%20b", WA_OK, R_GET, 0,
		    "contactId=a b" },
		{ "GET", "/v3/contacts/a%2Fb", WA_OK, R_GET, 0,
		    "contactId=a/b" },
		{ "GET", "/v3/contacts/%7Bx%7D", WA_OK, R_GET, 0,
		    "contactId={x}" },
		{ "GET", "/v3/contacts/c1/messages/m1", WA_OK, R_MSG, 0,
		    "contactId=c1|messageId=m1" },
		{ "PUT", "/organizations/o1/things?x=1", WA_OK, R_ORG, 0,
		    "orgId=o1" },
		{ "GET", "/organizations/o1/things", WA_ERR_METHOD, -1,
		    WA_M_PUT, NULL },
		/* more {params} than WA_REQ_PARAMS_MAX: the rest unbound */
		{ "GET", "/p/1/2/3/4/5/6/7/8/9/10", WA_OK, R_MANY, 0,
		    "a=1|b=2|c=3|d=4|e=5|f=6|g=7|h=8" },
		{ "GET", "/v1/only", WA_OK, R_ROOTISH, 0, "x=only" },
		/* no route */
		{ "GET", "/v3/contacts/c1/messages", WA_ERR_NO_ROUTE, -1, 0,
		    NULL },
		{ "GET", "/v3/contacts/c1/messages/m1/x", WA_ERR_NO_ROUTE, -1,
		    0, NULL },
		{ "GET", "/v3", WA_ERR_NO_ROUTE, -1, 0, NULL },
		{ "GET", "/", WA_ERR_NO_ROUTE, -1, 0, NULL },
		{ "GET", "/V3/contacts", WA_ERR_NO_ROUTE, -1, 0, NULL },
		{ "GET", "/v3/contactsx", WA_ERR_NO_ROUTE, -1, 0, NULL },
		{ "GET", "/v3/contact", WA_ERR_NO_ROUTE, -1, 0, NULL },
		{ "GET", "/v1", WA_ERR_NO_ROUTE, -1, 0, NULL },
		{ "DELETE", "/nothing/here", WA_ERR_NO_ROUTE, -1, 0, NULL },
	};
	struct wa_cfg		 cfg;
	struct wa_req		 r;
	const struct wa_route	*rt;
	char			*env[3];
	const char		*params;
	unsigned		 allowed;
	size_t			 i, k;
	enum wa_err		 e;

	(void)state;
	t_cfg_init(&cfg);
	for (i = 0; i < NELEM(cases); i++) {
		t_req_init(&r, &cfg);
		env[0] = wa_arena_printf(r.arena, "REQUEST_METHOD=%s",
		    cases[i].method);
		env[1] = wa_arena_printf(r.arena, "REQUEST_URI=%s",
		    cases[i].uri);
		env[2] = NULL;
		assert_int_equal(t_req_parse(&r, env, NULL, 0), WA_OK);
		allowed = 12345;
		e = wa_route_match(&r, routes, &rt, &allowed);
		if (e != cases[i].err)
			fail_msg("%s %s: err %d want %d", cases[i].method,
			    cases[i].uri, e, cases[i].err);
		assert_int_equal(allowed, cases[i].allowed);
		assert_int_equal(r.err.code, WA_OK);	/* records nothing */
		if (cases[i].route < 0) {
			assert_null(rt);
			t_req_free(&r);
			continue;
		}
		if (rt != &routes[cases[i].route])
			fail_msg("%s %s: matched %s", cases[i].method,
			    cases[i].uri, rt != NULL ? rt->pattern : "none");
		params = "";
		for (k = 0; k < r.nparams; k++)
			params = wa_arena_printf(r.arena, "%s%s%s=%s", params,
			    k ? "|" : "", r.params[k].key, r.params[k].val);
		assert_string_equal(params, cases[i].params);
		t_req_free(&r);
	}
}

#define ALL5	(WA_M_GET | WA_M_POST | WA_M_PUT | WA_M_PATCH | WA_M_DELETE)

static void
test_allow(void **state)
{
	static const struct {
		unsigned	 mask;
		size_t		 bufsz;
		const char	*want;
	} cases[] = {
		{ WA_M_GET, 64, "GET, HEAD" },
		{ WA_M_GET | WA_M_POST, 64, "GET, POST, HEAD" },
		{ WA_M_POST | WA_M_DELETE, 64, "POST, DELETE" },
		{ WA_M_PUT, 64, "PUT" },
		{ ALL5, 64, "GET, POST, PUT, PATCH, DELETE, HEAD" },
		{ 0, 64, "" },
		/* cut to the buffer, always terminated */
		{ WA_M_GET | WA_M_POST, 8, "GET, PO" },
		{ WA_M_GET, 4, "GET" },
		{ WA_M_GET, 3, "GE" },
		{ ALL5, 20, "GET, POST, PUT, PAT" },
		{ WA_M_POST, 1, "" },
	};
	char	*buf;
	size_t	 i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		/* exact-size heap buffers, so ASan sees any overrun */
		buf = malloc(cases[i].bufsz);
		assert_non_null(buf);
		wa_route_allow(cases[i].mask, buf, cases[i].bufsz);
		assert_string_equal(buf, cases[i].want);
		free(buf);
	}
	wa_route_allow(WA_M_GET, NULL, 0);	/* zero size: untouched */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match_table),
		cmocka_unit_test(test_allow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
