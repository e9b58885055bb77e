/*
 * Unit tests for lib/pgval.c: text[] literals (exact output, and every
 * item read back as PostgreSQL's array input would read a fully quoted
 * literal) and LIKE patterns.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "helpers.h"
#include "pgval.h"

static void
test_text_array(void **state)
{
	static const char *const empty_item[] = { "" };
	static const char *const plain[] = { "vip", "new leads" };
	static const char *const hostile[] = { "a\"b", "c\\d", "{x,y}",
	    "NULL", " pad ", "caf\xc3\xa9", "\\\"" };
	static const struct {
		const char *const	*items;
		size_t			 n;
		const char		*want;
	} cases[] = {
		{ NULL, 0, "{}" },
		{ empty_item, 1, "{\"\"}" },
		{ plain, 2, "{\"vip\",\"new leads\"}" },
		{ hostile, 7, "{\"a\\\"b\",\"c\\\\d\",\"{x,y}\",\"NULL\","
		    "\" pad \",\"caf\xc3\xa9\",\"\\\\\\\"\"}" },
	};
	struct wa_cfg	cfg;
	struct wa_req	r;
	size_t		i;

	(void)state;
	t_cfg_init(&cfg);
	t_req_init(&r, &cfg);
	for (i = 0; i < NELEM(cases); i++)
		assert_string_equal(wa_pgval_text_array(r.arena,
		    cases[i].items, cases[i].n), cases[i].want);
	t_req_free(&r);
}

/* Reads item k of a literal made of quoted items, as PostgreSQL does:
 * a backslash takes the next byte literally. */
static char *
item_of(struct wa_arena *a, const char *lit, size_t k)
{
	const char	*p = lit + 1;
	char		*out = wa_arena_alloc(a, strlen(lit) + 1), *o;
	size_t		 i;

	for (i = 0;; i++) {
		if (*p != '"')
			return NULL;
		p++;
		o = out;
		while (*p != '"') {
			if (*p == '\0')
				return NULL;
			if (*p == '\\')
				p++;
			*o++ = *p++;
		}
		*o = '\0';
		p++;
		if (i == k)
			return out;
		if (*p != ',')
			return NULL;
		p++;
	}
}

static void
test_text_array_round_trip(void **state)
{
	static const char alphabet[] = "ab\"\\{},  NUL\xc3\xa9'%_";
	struct wa_cfg	 cfg;
	struct wa_req	 r;
	const char	*items[8];
	char		 buf[8][16];
	unsigned	 seed = 7;
	size_t		 round, i, j, n, len;
	char		*lit;

	(void)state;
	t_cfg_init(&cfg);
	t_req_init(&r, &cfg);
	for (round = 0; round < 2000; round++) {
		n = 1 + round % 8;
		for (i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			len = (seed >> 16) % 15;
			for (j = 0; j < len; j++) {
				seed = seed * 1103515245u + 12345u;
				buf[i][j] = alphabet[(seed >> 16) %
				    (sizeof(alphabet) - 1)];
			}
			buf[i][len] = '\0';
			items[i] = buf[i];
		}
		lit = wa_pgval_text_array(r.arena, items, n);
		assert_int_equal(lit[0], '{');
		assert_int_equal(lit[strlen(lit) - 1], '}');
		for (i = 0; i < n; i++) {
			const char *got = item_of(r.arena, lit, i);

			if (got == NULL || strcmp(got, items[i]) != 0)
				fail_msg("round %zu item %zu: %s", round, i,
				    lit);
		}
	}
	t_req_free(&r);
}

static void
test_like(void **state)
{
	static const struct {
		const char	*in;
		int		 contains;
		const char	*want;
	} cases[] = {
		{ "", 0, "" },
		{ "", 1, "%%" },
		{ "garcia", 1, "%garcia%" },
		{ "50%", 1, "%50\\%%" },
		{ "a_b", 0, "a\\_b" },
		{ "c:\\dir", 1, "%c:\\\\dir%" },
		{ "%_\\", 0, "\\%\\_\\\\" },
		{ "caf\xc3\xa9", 1, "%caf\xc3\xa9%" },
	};
	struct wa_cfg	cfg;
	struct wa_req	r;
	size_t		i;

	(void)state;
	t_cfg_init(&cfg);
	t_req_init(&r, &cfg);
	for (i = 0; i < NELEM(cases); i++)
		assert_string_equal(wa_pgval_like(r.arena, cases[i].in,
		    cases[i].contains), cases[i].want);
	t_req_free(&r);
}

static void
test_cursor(void **state)
{
	struct wa_arena	*a = wa_arena_new(0);
	const char	*at, *id;

	(void)state;
	assert_int_equal(wa_pgval_cursor(a, NULL, &at, &id), 0);
	assert_string_equal(at, "infinity");
	assert_int_equal(wa_pgval_cursor(a, "2026-05-01T03:42:18.123456Z_"
	    "01a2424d-e2ac-7339-a824-32faf3a23d8a", &at, &id), 0);
	assert_string_equal(at, "2026-05-01T03:42:18.123456Z");
	assert_string_equal(id, "01a2424d-e2ac-7339-a824-32faf3a23d8a");
	assert_int_equal(wa_pgval_cursor(a, "nope", &at, &id), -1);
	assert_int_equal(wa_pgval_cursor(a, "2026-05-01T03:42:18Z_"
	    "01a2424d-e2ac-7339-a824-32faf3a23d8a", &at, &id), -1);
	assert_int_equal(wa_pgval_cursor(a, "2026-05-01T03:42:18.123456Z_"
	    "01a2424d", &at, &id), -1);
	assert_int_equal(wa_pgval_cursor(a, "_", &at, &id), -1);
	wa_arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_array),
		cmocka_unit_test(test_text_array_round_trip),
		cmocka_unit_test(test_like),
		cmocka_unit_test(test_cursor),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
