/*
 * Unit tests for lib/idem.c: which requests take an Idempotency-Key and
 * what is refused before the store is asked.  The store itself is
 * exercised end to end against PostgreSQL.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "helpers.h"
#include "idem.h"
#include "valid.h"

static void
test_applies(void **state)
{
	static const struct {
		unsigned	method;
		int		want;
	} cases[] = {
		{ WA_M_POST, 1 }, { WA_M_PUT, 1 }, { WA_M_PATCH, 1 },
		{ WA_M_DELETE, 1 }, { WA_M_GET, 0 }, { WA_M_HEAD, 0 },
		{ WA_M_OPTIONS, 0 }, { WA_M_OTHER, 0 }, { 0, 0 },
	};
	size_t	i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++)
		assert_int_equal(wa_idem_applies(cases[i].method),
		    cases[i].want);
}

static void
test_begin_without_store(void **state)
{
	static char	longkey[WA_IDEM_KEY_MAX + 2];
	static const struct {
		const char	*method;
		const char	*key;	/* NULL: no header */
		enum wa_err	 want;
	} cases[] = {
		/* nothing to do: no database needed */
		{ "GET", "k-1", WA_OK },
		{ "HEAD", "k-1", WA_OK },
		{ "POST", NULL, WA_OK },
		{ "DELETE", NULL, WA_OK },
		/* malformed keys: 400 on the header, no database needed */
		{ "POST", "", WA_ERR_VALIDATION },
		{ "POST", "has space", WA_ERR_VALIDATION },
		{ "PUT", "tab\there", WA_ERR_VALIDATION },
		{ "PATCH", "caf\xc3\xa9", WA_ERR_VALIDATION },
		{ "POST", "\x01", WA_ERR_VALIDATION },
		{ "POST", "\x7f", WA_ERR_VALIDATION },
		{ "POST", longkey, WA_ERR_VALIDATION },
		/* a good key must ask the store: with none, a 500 */
		{ "POST", "order-123", WA_ERR_INTERNAL },
	};
	struct wa_cfg	 cfg;
	struct wa_req	 r;
	struct wa_idem	 st;
	char		*env[4];
	size_t		 i, n;

	(void)state;
	memset(longkey, 'k', WA_IDEM_KEY_MAX + 1);
	t_cfg_init(&cfg);
	for (i = 0; i < NELEM(cases); i++) {
		t_req_init(&r, &cfg);
		n = 0;
		env[n++] = "REQUEST_URI=/v3/x";
		env[n++] = wa_arena_printf(r.arena, "REQUEST_METHOD=%s",
		    cases[i].method);
		if (cases[i].key != NULL)
			env[n++] = wa_arena_printf(r.arena,
			    "HTTP_IDEMPOTENCY_KEY=%s", cases[i].key);
		env[n] = NULL;
		assert_int_equal(t_req_parse(&r, env, NULL, 0), WA_OK);
		memset(&st, 0xff, sizeof(st));
		if (wa_idem_begin(&r, &st) != cases[i].want)
			fail_msg("case %zu: want %d, got %d", i, cases[i].want,
			    r.err.code);
		assert_int_equal(st.active, 0);
		assert_int_equal(r.resp.replayed, 0);
		if (cases[i].want == WA_ERR_VALIDATION) {
			assert_int_equal(r.err.nfields, 1);
			assert_string_equal(r.err.fields[0].field,
			    "Idempotency-Key");
		}
		t_req_free(&r);
	}
}

static void
test_store_without_store(void **state)
{
	static const struct {
		int		 active;
		int		 status;
		enum wa_err	 want;
	} cases[] = {
		{ 0, 200, WA_OK },		/* no key: nothing stored */
		{ 1, 500, WA_OK },		/* 5xx are never stored */
		{ 1, 503, WA_OK },
		{ 1, 201, WA_ERR_INTERNAL },	/* would store: no database */
		{ 1, 422, WA_ERR_INTERNAL },
	};
	struct wa_cfg	cfg;
	struct wa_req	r;
	struct wa_idem	st;
	size_t		i;

	(void)state;
	t_cfg_init(&cfg);
	for (i = 0; i < NELEM(cases); i++) {
		t_req_init(&r, &cfg);
		memset(&st, 0, sizeof(st));
		st.active = cases[i].active;
		st.key = "k";
		r.resp.status = cases[i].status;
		r.resp.body = "{}";
		assert_int_equal(wa_idem_store(&r, &st), cases[i].want);
		t_req_free(&r);
	}
	/* the purge needs a database and quietly skips without one */
	t_req_init(&r, &cfg);
	wa_idem_purge_maybe(&r);
	assert_int_equal(r.err.code, WA_OK);
	t_req_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_applies),
		cmocka_unit_test(test_begin_without_store),
		cmocka_unit_test(test_store_without_store),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
