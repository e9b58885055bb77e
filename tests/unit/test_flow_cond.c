/* Unit tests for lib/flow_cond.c: every comparison operator, on every
 * kind of value, with and without case. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "helpers.h"
#include "flow_helpers.h"
#include "flow/cond.h"
#include "flow/re.h"

#define CS	WA_FLOW_CMP_CASE
#define UNSET	NULL

static void
test_operators(void **state)
{
	static const struct {
		const char	*op;
		const char	*left;	/* JSON, or UNSET */
		const char	*right;	/* JSON */
		unsigned	 flags;
		int		 want;
	} cases[] = {
		/* eq, ne */
		{ "eq", "\"pro\"", "\"pro\"", 0, 1 },
		{ "eq", "\"PRO\"", "\"pro\"", 0, 1 },
		{ "eq", "\"PRO\"", "\"pro\"", CS, 0 },
		{ "eq", "\"\xc3\x89L\"", "\"\xc3\xa9l\"", 0, 1 },
		{ "eq", "10", "10", 0, 1 },
		{ "eq", "\"10\"", "10", 0, 1 },
		{ "eq", "10", "\"10.0\"", 0, 1 },
		{ "eq", "\"10\"", "\"10.0\"", 0, 0 },	/* both text */
		{ "eq", "true", "true", 0, 1 },
		{ "eq", "true", "\"true\"", 0, 1 },
		{ "eq", "[1,2]", "[1,2]", 0, 1 },
		{ "eq", UNSET, "null", 0, 1 },
		{ "eq", "null", "null", 0, 1 },
		{ "eq", UNSET, "\"\"", 0, 0 },
		{ "eq", "\"x\"", "null", 0, 0 },
		{ "ne", "\"pro\"", "\"free\"", 0, 1 },
		{ "ne", "\"pro\"", "\"PRO\"", 0, 0 },
		{ "ne", "\"pro\"", "\"PRO\"", CS, 1 },
		{ "ne", UNSET, "\"x\"", 0, 1 },
		{ "ne", "3", "3", 0, 0 },
		/* contains, not_contains */
		{ "contains", "\"I want a refund\"", "\"REFUND\"", 0, 1 },
		{ "contains", "\"I want a refund\"", "\"REFUND\"", CS, 0 },
		{ "contains", "\"abc\"", "\"\"", 0, 1 },
		{ "contains", "[\"a\",\"b\"]", "\"B\"", 0, 1 },
		{ "contains", "[1,2,3]", "2", 0, 1 },
		{ "contains", "[1,2,3]", "4", 0, 0 },
		{ "contains", "12345", "\"234\"", 0, 1 },
		{ "contains", UNSET, "\"a\"", 0, 0 },
		{ "not_contains", "\"hello\"", "\"bye\"", 0, 1 },
		{ "not_contains", "\"hello\"", "\"ELL\"", 0, 0 },
		{ "not_contains", UNSET, "\"a\"", 0, 1 },
		/* gt, gte, lt, lte */
		{ "gt", "18", "17", 0, 1 },
		{ "gt", "17", "17", 0, 0 },
		{ "gt", "\"18\"", "9", 0, 1 },		/* numbers, not text */
		{ "gt", "\"b\"", "\"a\"", 0, 1 },
		{ "gt", "\"B\"", "\"a\"", 0, 0 },	/* code point order */
		{ "gt", "\"2026-05-02\"", "\"2026-05-01\"", 0, 1 },
		{ "gt", "\"abc\"", "3", 0, 0 },
		{ "gt", UNSET, "0", 0, 0 },
		{ "gt", "true", "0", 0, 0 },
		{ "gte", "17", "17", 0, 1 },
		{ "gte", "16.5", "17", 0, 0 },
		{ "lt", "-1", "0", 0, 1 },
		{ "lt", "0", "0", 0, 0 },
		{ "lt", UNSET, "0", 0, 0 },
		{ "lte", "0", "0", 0, 1 },
		{ "lte", "\"2026-01-01T00:00:00Z\"", "\"2026-01-01T00:00:00Z\"",
		    0, 1 },
		{ "lte", "1", "0", 0, 0 },
		/* is_set, is_empty */
		{ "is_set", "\"x\"", "null", 0, 1 },
		{ "is_set", "\"\"", "null", 0, 1 },
		{ "is_set", "0", "null", 0, 1 },
		{ "is_set", "null", "null", 0, 0 },
		{ "is_set", UNSET, "null", 0, 0 },
		{ "is_empty", UNSET, "null", 0, 1 },
		{ "is_empty", "null", "null", 0, 1 },
		{ "is_empty", "\"\"", "null", 0, 1 },
		{ "is_empty", "\"  \"", "null", 0, 1 },
		{ "is_empty", "[]", "null", 0, 1 },
		{ "is_empty", "{}", "null", 0, 1 },
		{ "is_empty", "\"x\"", "null", 0, 0 },
		{ "is_empty", "0", "null", 0, 0 },
		{ "is_empty", "false", "null", 0, 0 },
		{ "is_empty", "[0]", "null", 0, 0 },
		/* starts_with, ends_with */
		{ "starts_with", "\"+34612\"", "\"+34\"", 0, 1 },
		{ "starts_with", "\"+44612\"", "\"+34\"", 0, 0 },
		{ "starts_with", "\"Hola\"", "\"hol\"", 0, 1 },
		{ "starts_with", "\"Hola\"", "\"hol\"", CS, 0 },
		{ "starts_with", "\"ab\"", "\"abc\"", 0, 0 },
		{ "starts_with", UNSET, "\"\"", 0, 0 },
		{ "ends_with", "\"ana@gmail.com\"", "\"@GMAIL.COM\"", 0, 1 },
		{ "ends_with", "\"ana@gmail.com\"", "\"@yahoo.com\"", 0, 0 },
		{ "ends_with", "1200", "\"00\"", 0, 1 },
		{ "ends_with", "\"c\"", "\"abc\"", 0, 0 },
	};
	cJSON	*l, *r;
	size_t	 i;
	int	 op, got;
	unsigned long fuel = 1000000;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		op = wa_flow_op_parse(cases[i].op);
		assert_true(op >= 0);
		l = cases[i].left != UNSET ? cJSON_Parse(cases[i].left) : NULL;
		r = cJSON_Parse(cases[i].right);
		got = wa_flow_cmp(arena, (enum wa_flow_op)op, l, r, NULL,
		    cases[i].flags, &fuel);
		if (got != cases[i].want)
			fail_msg("case %zu: %s %s %s: got %d", i,
			    cases[i].left ? cases[i].left : "(unset)",
			    cases[i].op, cases[i].right, got);
	}
}

static void
test_matches(void **state)
{
	static const struct {
		const char	*pattern;
		int		 icase;
		const char	*left;
		int		 want;
	} cases[] = {
		{ "^\\d{5}$", 1, "\"28013\"", 1 },
		{ "^\\d{5}$", 1, "28013", 1 },		/* number's text */
		{ "^\\d{5}$", 1, "\"2801\"", 0 },
		{ "refund|money back", 1, "\"I want my MONEY BACK\"", 1 },
		{ "refund|money back", 0, "\"I want my MONEY BACK\"", 0 },
		{ "x", 1, "null", 0 },
		{ "x", 1, NULL, 0 },
	};
	struct wa_flow_re	*re;
	const char		*why;
	cJSON			*l;
	size_t			 i;
	unsigned long		 fuel = 1000000;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		re = wa_flow_re_compile(arena, cases[i].pattern,
		    cases[i].icase, &why);
		assert_non_null(re);
		l = cases[i].left != NULL ? cJSON_Parse(cases[i].left) : NULL;
		assert_int_equal(wa_flow_cmp(arena, WA_FLOW_OP_MATCHES, l,
		    NULL, re, 0, &fuel), cases[i].want);
	}
	/* out of fuel is -1, not a false "no match" */
	re = wa_flow_re_compile(arena, "(a|aa)*c", 0, &why);
	l = cJSON_CreateString("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	fuel = 10;
	assert_int_equal(wa_flow_cmp(arena, WA_FLOW_OP_MATCHES, l, NULL, re,
	    0, &fuel), -1);
}

static void
test_names(void **state)
{
	int	i;

	(void)state;
	for (i = 0; i < WA_FLOW_OP__MAX; i++)
		assert_int_equal(wa_flow_op_parse(wa_flow_op_names[i]), i);
	assert_int_equal(wa_flow_op_parse("EQ"), -1);
	assert_int_equal(wa_flow_op_parse("=="), -1);
	assert_int_equal(wa_flow_op_parse(NULL), -1);
	assert_true(wa_flow_op_unary(WA_FLOW_OP_IS_SET));
	assert_true(wa_flow_op_unary(WA_FLOW_OP_IS_EMPTY));
	assert_false(wa_flow_op_unary(WA_FLOW_OP_EQ));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		FLOW_TEST(test_operators),
		FLOW_TEST(test_matches),
		FLOW_TEST(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
