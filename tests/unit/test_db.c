/*
 * Unit tests for lib/db.c that need no database: the SQLSTATE table,
 * result accessors on results built with libpq's own constructors, and
 * every entry point with no handle or an unreachable server.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "db.h"
#include "helpers.h"

static void
test_sqlstate_table(void **state)
{
	static const struct {
		const char	*st;
		enum wa_err	 want;
	} cases[] = {
		{ NULL, WA_ERR_UNAVAILABLE },		/* no result */
		{ "23505", WA_ERR_CONFLICT },		/* unique_violation */
		{ "23503", WA_ERR_CONFLICT },	/* foreign_key_violation */
		{ "08000", WA_ERR_UNAVAILABLE },	/* connection_exc. */
		{ "08003", WA_ERR_UNAVAILABLE },
		{ "08006", WA_ERR_UNAVAILABLE },
		{ "08P01", WA_ERR_UNAVAILABLE },
		{ "57P01", WA_ERR_UNAVAILABLE },	/* admin_shutdown */
		{ "57P02", WA_ERR_UNAVAILABLE },	/* crash_shutdown */
		{ "57P03", WA_ERR_UNAVAILABLE },	/* cannot_connect_now */
		{ "57014", WA_ERR_UNAVAILABLE },	/* query_canceled */
		{ "53300", WA_ERR_UNAVAILABLE },	/* too_many_conn. */
		{ "40001", WA_ERR_UNAVAILABLE },	/* serialization */
		{ "40P01", WA_ERR_UNAVAILABLE },	/* deadlock_detected */
		{ "55P03", WA_ERR_UNAVAILABLE },	/* lock_not_available */
		{ "22P02", WA_ERR_VALIDATION },		/* invalid_text_repr. */
		{ "22001", WA_ERR_VALIDATION },		/* right truncation */
		{ "22003", WA_ERR_VALIDATION },		/* out of range */
		{ "22007", WA_ERR_VALIDATION },		/* datetime format */
		{ "22008", WA_ERR_VALIDATION },		/* datetime overflow */
		{ "23514", WA_ERR_VALIDATION },		/* check_violation */
		{ "23502", WA_ERR_INTERNAL },		/* not_null_violation */
		{ "42P01", WA_ERR_INTERNAL },		/* undefined_table */
		{ "42501", WA_ERR_INTERNAL },		/* privilege */
		{ "XX000", WA_ERR_INTERNAL },
		{ "57P04", WA_ERR_INTERNAL },
		{ "2350", WA_ERR_INTERNAL },
		{ "235050", WA_ERR_INTERNAL },
		{ "", WA_ERR_INTERNAL },
		{ "0", WA_ERR_INTERNAL },
	};
	size_t	i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++)
		if (wa_db_sqlstate_err(cases[i].st) != cases[i].want)
			fail_msg("sqlstate %s: want %d", cases[i].st != NULL ?
			    cases[i].st : "(null)", cases[i].want);
}

/* What a client is told: a duplicate and a removed reference are both
 * 409, but not the same sentence. */
static void
test_sqlstate_message(void **state)
{
	static const struct {
		const char	*st;
		const char	*want;
	} cases[] = {
		{ "23505", "Resource already exists" },
		{ "23503", "A record this request refers to was removed by "
		    "another request" },
		{ NULL, "Database temporarily unavailable" },
		{ "40001", "Database temporarily unavailable" },
		{ "22P02", "Invalid value in request" },
		{ "XX000", "Internal error" },
		{ "", "Internal error" },
	};
	size_t	i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++)
		assert_string_equal(wa_db_sqlstate_message(cases[i].st),
		    cases[i].want);
}

/* A result with columns (name, flag) and the given rows; NULL = SQL NULL. */
static PGresult *
make_result(const char *const (*rows)[2], int nrows)
{
	PGresAttDesc	 att[2];
	PGresult	*res;
	int		 i, c;

	memset(att, 0, sizeof(att));
	att[0].name = (char *)"name";
	att[0].typid = 25;	/* text */
	att[0].typlen = -1;
	att[1].name = (char *)"flag";
	att[1].typid = 16;	/* bool */
	att[1].typlen = 1;
	res = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
	assert_non_null(res);
	assert_int_equal(PQsetResultAttrs(res, 2, att), 1);
	for (i = 0; i < nrows; i++)
		for (c = 0; c < 2; c++)
			assert_int_equal(PQsetvalue(res, i, c,
			    (char *)rows[i][c], rows[i][c] != NULL ?
			    (int)strlen(rows[i][c]) : -1), 1);
	return res;
}

static void
test_get_bool(void **state)
{
	static const char *const rows[][2] = {
		{ "alice", "t" }, { NULL, "f" }, { "", NULL }, { "bob", "x" },
	};
	static const struct {
		int		 row;
		const char	*col;
		const char	*get;	/* NULL: NULL */
		int		 boolv;	/* default 7 */
	} cases[] = {
		{ 0, "name", "alice", 0 }, { 0, "flag", "t", 1 },
		{ 1, "name", NULL, 7 }, { 1, "flag", "f", 0 },
		{ 2, "name", "", 0 }, { 2, "flag", NULL, 7 },
		{ 3, "flag", "x", 0 },
		{ 0, "nope", NULL, 7 },		/* no such column */
		{ 4, "name", NULL, 7 },		/* no such row */
		{ 100, "flag", NULL, 7 },
	};
	PGresult	*res;
	const char	*got;
	size_t		 i;

	(void)state;
	res = make_result(rows, 4);
	for (i = 0; i < NELEM(cases); i++) {
		got = wa_db_get(res, cases[i].row, cases[i].col);
		if (cases[i].get == NULL)
			assert_null(got);
		else
			assert_string_equal(got, cases[i].get);
		if (wa_db_bool(res, cases[i].row, cases[i].col, 7) !=
		    cases[i].boolv)
			fail_msg("case %zu: bool want %d", i, cases[i].boolv);
	}
	PQclear(res);
}

/* Integers as the statements return them (count, sum, a version), and
 * the default for what is no integer. */
static void
test_int(void **state)
{
	static const char *const rows[][2] = {
		{ "42", "t" }, { "-7", NULL }, { NULL, "f" }, { "", "t" },
		{ "9007199254740993", "t" }, { "12.5", "t" }, { "x1", "t" },
		{ "99999999999999999999", "t" },
	};
	static const long long want[] = { 42, -7, -1, -1,
	    9007199254740993LL, 12, -1, -1 };
	PGresult	*res;
	size_t		 i;

	(void)state;
	res = make_result(rows, (int)NELEM(rows));
	for (i = 0; i < NELEM(rows); i++)
		if (wa_db_int(res, (int)i, "name", -1) != want[i])
			fail_msg("row %zu: %lld", i,
			    wa_db_int(res, (int)i, "name", -1));
	/* no such column, no such row */
	assert_int_equal(wa_db_int(res, 0, "nope", 5), 5);
	assert_int_equal(wa_db_int(res, 99, "name", 6), 6);
	PQclear(res);
}

static void
test_one_or_fail(void **state)
{
	static const char *const rows[][2] = { { "a", "t" }, { "b", "f" } };
	static const struct {
		int		 nrows;	/* -1: NULL result */
		enum wa_err	 want;
	} cases[] = {
		{ 1, WA_OK }, { 0, WA_ERR_NOT_FOUND }, { 2, WA_ERR_NOT_FOUND },
		{ -1, WA_ERR_NOT_FOUND },
	};
	struct wa_cfg	 cfg;
	struct wa_req	 r;
	PGresult	*res;
	size_t		 i;

	(void)state;
	t_cfg_init(&cfg);
	for (i = 0; i < NELEM(cases); i++) {
		t_req_init(&r, &cfg);
		res = cases[i].nrows >= 0 ? make_result(rows, cases[i].nrows) :
		    NULL;
		wa_arena_defer(r.arena, (void (*)(void *))PQclear, res);
		assert_int_equal(wa_db_one_or_fail(&r, res, "RESOURCE_014",
		    "template"), cases[i].want);
		if (cases[i].want != WA_OK) {
			assert_string_equal(r.err.message,
			    "template not found");
			assert_string_equal(r.err.face_code, "RESOURCE_014");
		}
		t_req_free(&r);
	}
}

static const char	sql_one[] = "SELECT 1";

/* Every entry point with r->db == NULL records a 500; none crashes. */
static void
test_no_handle(void **state)
{
	static const int	 counts[] = { 0, 1, 2, 65, -1 };
	struct wa_cfg		 cfg;
	struct wa_req		 r;
	PGresult		*res;
	size_t			 i;

	(void)state;
	t_cfg_init(&cfg);
	for (i = 0; i < NELEM(counts); i++) {
		t_req_init(&r, &cfg);
		res = (PGresult *)&cfg;
		assert_int_equal(wa_db_q(&r, &res, sql_one, counts[i],
		    "a", "b"), WA_ERR_INTERNAL);
		assert_int_equal(r.err.code, WA_ERR_INTERNAL);
		t_req_free(&r);
	}
	t_req_init(&r, &cfg);
	res = (PGresult *)&cfg;
	assert_int_equal(wa_db_exec(&r, &res, sql_one, 0, NULL),
	    WA_ERR_INTERNAL);
	assert_null(res);
	t_req_free(&r);

	t_req_init(&r, &cfg);
	assert_int_equal(wa_db_begin(&r), WA_ERR_INTERNAL);
	assert_int_equal(r.in_tx, 0);
	assert_int_equal(wa_db_commit(&r), WA_ERR_INTERNAL);
	assert_int_equal(wa_db_savepoint(&r), WA_ERR_INTERNAL);
	assert_int_equal(wa_db_set_org(&r, "org"), WA_ERR_INTERNAL);
	r.in_tx = 1;
	wa_db_rollback(&r);
	assert_int_equal(r.in_tx, 0);
	wa_db_rollback(&r);			/* not in a transaction */
	t_req_free(&r);
}

/* A server that cannot be reached is a 503 with Retry-After. */
static void
test_unreachable(void **state)
{
	struct wa_cfg	 cfg;
	struct wa_req	 r;
	struct wa_db	*db;
	PGresult	*res;

	(void)state;
	t_cfg_init(&cfg);
	db = wa_db_new("host=/nonexistent/wagate-unit-test dbname=none", 1);
	assert_non_null(db);
	assert_null(wa_db_conn(db));
	assert_string_equal(wa_db_errmsg(db), "");
	assert_int_equal(wa_db_ensure(db), -1);
	assert_null(wa_db_conn(db));
	assert_true(wa_db_errmsg(db)[0] != '\0');

	t_req_init(&r, &cfg);
	r.db = db;
	assert_int_equal(wa_db_q(&r, &res, sql_one, 0), WA_ERR_UNAVAILABLE);
	assert_null(res);
	assert_int_equal(r.err.retry_after, 1);
	assert_non_null(strstr(r.err.log_detail, "database:"));
	t_req_free(&r);

	t_req_init(&r, &cfg);
	r.db = db;
	assert_int_equal(wa_db_begin(&r), WA_ERR_UNAVAILABLE);
	assert_int_equal(r.in_tx, 0);
	t_req_free(&r);

	/* inside a transaction there is no silent reconnect */
	t_req_init(&r, &cfg);
	r.db = db;
	r.in_tx = 1;
	assert_int_equal(wa_db_q(&r, &res, sql_one, 0), WA_ERR_UNAVAILABLE);
	assert_int_equal(wa_db_rollback_to_savepoint(&r), WA_ERR_UNAVAILABLE);
	wa_db_rollback(&r);
	assert_int_equal(r.in_tx, 0);
	t_req_free(&r);

	wa_db_free(db);
	wa_db_free(NULL);
}

static int	tx_calls;

static enum wa_err
tx_ok(struct wa_req *r, void *arg)
{
	(void)r;
	(void)arg;
	tx_calls++;
	return WA_OK;
}

/*
 * The dispatcher's deferred BEGIN costs nothing until a statement runs,
 * and is sent before it; wa_db_tx() begins eagerly and never runs fn
 * when BEGIN failed.
 */
static void
test_deferred_and_tx(void **state)
{
	struct wa_cfg	 cfg;
	struct wa_req	 r;
	struct wa_db	*db;
	PGresult	*res;

	(void)state;
	t_cfg_init(&cfg);
	t_req_init(&r, &cfg);
	wa_db_begin_deferred(&r);
	assert_int_equal(r.in_tx, 0);
	assert_int_equal(wa_db_commit(&r), WA_OK);	/* nothing ran */
	assert_int_equal(r.tx_deferred, 0);
	assert_int_equal(r.err.code, WA_OK);
	wa_db_begin_deferred(&r);
	wa_db_rollback(&r);
	assert_int_equal(r.tx_deferred, 0);
	t_req_free(&r);

	/* the first statement sends the BEGIN: unreachable is a 503 */
	db = wa_db_new("host=/nonexistent/wagate-unit-test dbname=none", 1);
	t_req_init(&r, &cfg);
	r.db = db;
	wa_db_begin_deferred(&r);
	assert_int_equal(wa_db_q(&r, &res, "SELECT 1", 0),
	    WA_ERR_UNAVAILABLE);
	assert_int_equal(r.tx_deferred, 0);
	assert_int_equal(r.in_tx, 0);
	t_req_free(&r);

	t_req_init(&r, &cfg);
	r.db = db;
	tx_calls = 0;
	assert_int_equal(wa_db_tx(&r, tx_ok, NULL), WA_ERR_UNAVAILABLE);
	assert_int_equal(tx_calls, 0);
	assert_int_equal(r.in_tx, 0);
	t_req_free(&r);
	wa_db_free(db);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sqlstate_table),
		cmocka_unit_test(test_sqlstate_message),
		cmocka_unit_test(test_get_bool),
		cmocka_unit_test(test_int),
		cmocka_unit_test(test_one_or_fail),
		cmocka_unit_test(test_no_handle),
		cmocka_unit_test(test_unreachable),
		cmocka_unit_test(test_deferred_and_tx),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
