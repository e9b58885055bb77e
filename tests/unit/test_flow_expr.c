/* Unit tests for lib/flow_expr.c and lib/flow_vars.c: the expression
 * language (precedence, concatenation, division by zero, overflow,
 * bounds) and the variables it reads. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "helpers.h"
#include "clock.h"
#include "flow_helpers.h"
#include "flow/expr.h"
#include "flow/vars.h"

/* Variables for the expression tests. */
static cJSON *
vars(void)
{
	static const char src[] = "{\"flow\": {\"qty\": 3, \"price\": 2.5, "
	    "\"name\": \"Ana\", \"n\": \"42\", \"zero\": 0, \"yes\": true, "
	    "\"nil\": null, \"big\": 9007199254740991, \"order\": "
	    "{\"items\": [{\"sku\": \"A-1\"}, {\"sku\": \"B-2\"}]}}, "
	    "\"contact\": {\"name\": \"Ana Ruiz\", \"plan\": \"pro\"}, "
	    "\"system\": {\"channel\": \"whatsapp\"}}";

	return cJSON_Parse(src);
}

static void
test_eval_table(void **state)
{
	static const struct {
		const char	*src;
		const char	*want;	/* printed result, or NULL */
		const char	*err;	/* part of the error, or NULL */
	} cases[] = {
		{ "1 + 2 * 3", "7", NULL },		/* precedence */
		{ "(1 + 2) * 3", "9", NULL },
		{ "10 - 4 - 3", "3", NULL },		/* left to right */
		{ "100 / 10 / 5", "2", NULL },
		{ "2 * -3", "-6", NULL },
		{ "--4", "4", NULL },
		{ "-(2 + 3) * 2", "-10", NULL },
		{ "7 / 2", "3.5", NULL },
		{ "0.1 + 0.2", "0.3", NULL },		/* as cJSON prints */
		{ "1e3 + .5", "1000.5", NULL },
		{ "flow.qty * flow.price", "7.5", NULL },
		{ "qty * 2", "6", NULL },		/* flow.* shorthand */
		{ "flow.n * 2", "84", NULL },		/* numeric text */
		{ "flow.n + 1", "\"421\"", NULL },	/* + on text joins */
		{ "'Hi ' + contact.name", "\"Hi Ana Ruiz\"", NULL },
		{ "\"a\" + 1 + 2", "\"a12\"", NULL },
		{ "1 + 2 + \"a\"", "\"3a\"", NULL },
		{ "'x' + flow.missing + 'y'", "\"xy\"", NULL },
		{ "'x' + flow.nil", "\"x\"", NULL },
		{ "'v=' + flow.yes", "\"v=true\"", NULL },
		{ "'it''s'", NULL, "operator" },
		{ "'it\\'s' + \"\\\"q\\\"\\n\"", "\"it's\\\"q\\\"\\n\"",
		    NULL },
		{ "flow.order.items.1.sku", "\"B-2\"", NULL },
		{ "flow.order.items.7.sku", "null", NULL },
		{ "flow.missing", "null", NULL },
		{ "true", "true", NULL },
		{ "null", "null", NULL },
		{ "system.channel + ':' + contact.plan", "\"whatsapp:pro\"",
		    NULL },
		{ "flow.big - 9007199254740990", "1", NULL },
		{ "-flow.big + 9007199254740990", "-1", NULL },
		/* errors */
		{ "1 / 0", NULL, "division by zero" },
		{ "flow.qty / flow.zero", NULL, "division by zero" },
		{ "1 / (2 - 2)", NULL, "division by zero" },
		{ "flow.big + 1", NULL, "number overflow" },
		{ "flow.big * flow.big", NULL, "number overflow" },
		{ "-flow.big - 2", NULL, "number overflow" },
		{ "flow.missing + 1", NULL, "flow.missing is not set" },
		{ "flow.missing * 2", NULL, "flow.missing is not set" },
		{ "-flow.missing", NULL, "flow.missing is not set" },
		{ "flow.name * 2", NULL, "flow.name is the text \"Ana\"" },
		{ "flow.yes + 1", NULL, "flow.yes is true" },
		{ "flow.order - 1", NULL, "is an object" },
		{ "flow.nil - 1", NULL, "flow.nil is null" },
		{ "2 - 'x'", NULL, "the right operand is the text" },
	};
	const char	*why;
	cJSON		*v = vars(), *res;
	size_t		 i;
	struct wa_flow_expr *e;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		e = wa_flow_expr_parse(arena, cases[i].src, &why);
		if (e == NULL) {
			if (cases[i].err != NULL &&
			    strstr(why, cases[i].err) != NULL)
				continue;
			fail_msg("%s: parse: %s", cases[i].src, why);
		}
		res = wa_flow_expr_eval(arena, e, v, &why);
		if (cases[i].want != NULL) {
			if (res == NULL)
				fail_msg("%s: %s", cases[i].src, why);
			assert_string_equal(cJSON_PrintUnformatted(res),
			    cases[i].want);
		} else {
			if (res != NULL)
				fail_msg("%s: got %s", cases[i].src,
				    cJSON_PrintUnformatted(res));
			if (strstr(why, cases[i].err) == NULL)
				fail_msg("%s: \"%s\" lacks \"%s\"",
				    cases[i].src, why, cases[i].err);
		}
	}
}

static void
test_parse_errors(void **state)
{
	static const struct {
		const char	*src;
		const char	*err;
	} cases[] = {
		{ "", "empty" },
		{ "   ", "empty" },
		{ "1 +", "nothing where a value was expected" },
		{ "* 2", "'*' where a value" },
		{ "(1 + 2", "where ')' was expected" },
		{ "1 + 2)", "')' where an operator" },
		{ "1 2", "value where an operator" },
		{ "a = 1", "unexpected character" },
		{ "flow.x; rm -rf /", "unexpected character" },
		{ "exec('ls')", "'(' where an operator" },
		{ "system.secret", "not a system variable" },
		{ "'abc", "unterminated string" },
		{ "'\\x'", "unknown escape" },
		{ "1.2.3", "bad number" },
		{ "1e999", "bad number" },
		{ "99999999999999999", "bad number" },
		{ "flow.", "ends with a dot" },
		{ "flow..x", "not a variable name" },
		{ "flow", "names a namespace" },
		{ "a.b.c.d.e.f.g.h.i.j", "too many segments" },
		{ "f(1)", "where an operator" },
		{ "1 ^ 2", "unexpected character" },
		{ "1 % 2", "unexpected character" },
		{ "1 == 1", "unexpected character" },
	};
	const char	*why;
	size_t		 i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		if (wa_flow_expr_parse(arena, cases[i].src, &why) != NULL)
			fail_msg("\"%s\" parsed", cases[i].src);
		if (strstr(why, cases[i].err) == NULL)
			fail_msg("\"%s\": \"%s\" lacks \"%s\"", cases[i].src,
			    why, cases[i].err);
	}
	/* the position is given */
	assert_null(wa_flow_expr_parse(arena, "1 + )", &why));
	assert_non_null(strstr(why, "at character 5"));
}

/* Deep nesting, long chains and long sources are refused or bounded,
 * never a stack overflow. */
static void
test_bounds(void **state)
{
	const char		*why;
	char			 src[4096];
	size_t			 i, n;
	struct wa_flow_expr	*e;
	cJSON			*res;

	(void)state;
	for (n = 0, i = 0; i < 40; i++)
		src[n++] = '(';
	src[n++] = '1';
	for (i = 0; i < 40; i++)
		src[n++] = ')';
	src[n] = '\0';
	assert_null(wa_flow_expr_parse(arena, src, &why));
	assert_non_null(strstr(why, "deeper than 32"));
	for (n = 0, i = 0; i < 40; i++)
		src[n++] = '-';
	src[n++] = '1';
	src[n] = '\0';
	assert_null(wa_flow_expr_parse(arena, src, &why));
	/* 30 levels are fine */
	for (n = 0, i = 0; i < 30; i++)
		src[n++] = '(';
	src[n++] = '2';
	for (i = 0; i < 30; i++)
		src[n++] = ')';
	src[n] = '\0';
	assert_non_null(e = wa_flow_expr_parse(arena, src, &why));
	res = wa_flow_expr_eval(arena, e, vars(), &why);
	assert_int_equal(res->valuedouble, 2);
	/* 300 operands: over the node cap */
	for (n = 0, i = 0; i < 300; i++) {
		src[n++] = '1';
		src[n++] = '+';
	}
	src[n++] = '1';
	src[n] = '\0';
	assert_null(wa_flow_expr_parse(arena, src, &why));
	assert_non_null(strstr(why, "256"));
	/* 100 operands are fine, evaluated left to right */
	for (n = 0, i = 0; i < 99; i++) {
		src[n++] = '1';
		src[n++] = '+';
	}
	src[n++] = '1';
	src[n] = '\0';
	assert_non_null(e = wa_flow_expr_parse(arena, src, &why));
	res = wa_flow_expr_eval(arena, e, vars(), &why);
	assert_int_equal(res->valuedouble, 100);
	memset(src, ' ', 1100);
	src[1100] = '\0';
	src[0] = '1';
	assert_null(wa_flow_expr_parse(arena, src, &why));
	assert_non_null(strstr(why, "1024"));
}

/* Concatenation stops at 4096 characters. */
static void
test_string_cap(void **state)
{
	const char		*why;
	cJSON			*v = vars(), *res;
	struct wa_flow_path	 p;
	struct wa_flow_expr	*e;
	char			*s = wa_arena_alloc(arena, 4097);

	(void)state;
	memset(s, 'x', 4000);
	s[4000] = '\0';
	wa_flow_path_parse(arena, "flow.long", 9, &p);
	assert_null(wa_flow_vars_set(v, &p, cJSON_CreateString(s)));
	e = wa_flow_expr_parse(arena, "flow.long + flow.long", &why);
	assert_null(wa_flow_expr_eval(arena, e, v, &why));
	assert_non_null(strstr(why, "4096"));
	e = wa_flow_expr_parse(arena, "flow.long + 'abc'", &why);
	res = wa_flow_expr_eval(arena, e, v, &why);
	assert_int_equal(strlen(res->valuestring), 4003);
	/* each + copies both sides: 20 of them on 3000-character texts
	 * would build 60 kB * 20; the evaluation stops at 64 KiB */
	s[3000] = '\0';
	assert_null(wa_flow_vars_set(v, &p, cJSON_CreateString(s)));
	e = wa_flow_expr_parse(arena, "(flow.long + '') + (flow.long + '') "
	    "+ (flow.long + '') + (flow.long + '') + (flow.long + '') + "
	    "(flow.long + '') + (flow.long + '') + (flow.long + '') + "
	    "(flow.long + '') + (flow.long + '') + (flow.long + '') + "
	    "(flow.long + '') + (flow.long + '')", &why);
	assert_non_null(e);
	assert_null(wa_flow_expr_eval(arena, e, v, &why));
	assert_non_null(strstr(why, "4096"));
	e = wa_flow_expr_parse(arena, "flow.long + '' + '' + '' + '' + '' + "
	    "'' + '' + '' + '' + '' + '' + '' + '' + '' + '' + '' + '' + '' + "
	    "'' + '' + '' + '' + '' + ''", &why);
	assert_null(wa_flow_expr_eval(arena, e, v, &why));
	assert_string_equal(why, "the expression builds more than 64 KiB of "
	    "text");
}

static void
test_reads(void **state)
{
	const struct wa_flow_path	*r;
	const char			*why;
	size_t				 n;
	struct wa_flow_expr		*e;

	(void)state;
	e = wa_flow_expr_parse(arena, "a + contact.b * (flow.c - 1)", &why);
	r = wa_flow_expr_reads(e, &n);
	assert_int_equal(n, 3);
	assert_string_equal(r[0].text, "flow.a");
	assert_string_equal(r[1].text, "contact.b");
	assert_int_equal(r[1].ns, WA_FLOW_NS_CONTACT);
	assert_string_equal(r[2].text, "flow.c");
}

static void
test_paths(void **state)
{
	static const struct {
		const char	*in;
		const char	*text;	/* canonical, NULL = refused */
		int		 writable;
	} cases[] = {
		{ "email", "flow.email", 1 },
		{ "flow.email", "flow.email", 1 },
		{ "contact.name", "contact.name", 1 },
		{ "contact.custom_1", "contact.custom_1", 1 },
		{ "system.now", "system.now", 0 },
		{ "system.phone", "system.phone", 0 },
		{ "flow.order.items.0.sku", "flow.order.items.0.sku", 1 },
		{ "_x", "flow._x", 1 },
		{ "system.now.x", NULL, 0 },
		{ "system.foo", NULL, 0 },
		{ "1abc", NULL, 0 },
		{ "flow", NULL, 0 },
		{ "contact", NULL, 0 },
		{ "a-b", NULL, 0 },
		{ "a b", NULL, 0 },
		{ ".a", NULL, 0 },
		{ "a.", NULL, 0 },
		{ "", NULL, 0 },
		{ "flow.a.b.c.d.e.f.g.h", "flow.a.b.c.d.e.f.g.h", 1 },
		{ "flow.a.b.c.d.e.f.g.h.i", NULL, 0 },
		{ "a.b.c.d.e.f.g.h", "flow.a.b.c.d.e.f.g.h", 1 },
		{ "a.b.c.d.e.f.g.h.i", NULL, 0 },
	};
	struct wa_flow_path	 p;
	const char		*why;
	size_t			 i;
	char			 seg[80];

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		why = wa_flow_path_parse(arena, cases[i].in,
		    strlen(cases[i].in), &p);
		if (cases[i].text == NULL) {
			if (why == NULL)
				fail_msg("%s accepted", cases[i].in);
			continue;
		}
		if (why != NULL)
			fail_msg("%s: %s", cases[i].in, why);
		assert_string_equal(p.text, cases[i].text);
		assert_int_equal(wa_flow_path_writable(&p),
		    cases[i].writable);
	}
	memset(seg, 'a', 65);
	seg[65] = '\0';
	assert_non_null(wa_flow_path_parse(arena, seg, 65, &p));
	assert_null(wa_flow_path_parse(arena, seg, 64, &p));
}

static void
test_vars_set(void **state)
{
	struct wa_flow_path	 p;
	cJSON			*v = wa_flow_vars_new(), *big;
	char			 name[16];
	int			 i;

	(void)state;
	wa_flow_path_parse(arena, "a", 1, &p);
	assert_null(wa_flow_vars_set(v, &p, cJSON_CreateNumber(1)));
	wa_flow_path_parse(arena, "b", 1, &p);
	assert_null(wa_flow_vars_set(v, &p, cJSON_CreateNumber(2)));
	wa_flow_path_parse(arena, "a", 1, &p);
	assert_null(wa_flow_vars_set(v, &p, cJSON_CreateString("x")));
	/* set again keeps its place: first, middle, last, only */
	assert_string_equal(cJSON_PrintUnformatted(v),
	    "{\"flow\":{\"a\":\"x\",\"b\":2},\"contact\":{},\"system\":{}}");
	wa_flow_path_parse(arena, "c", 1, &p);
	assert_null(wa_flow_vars_set(v, &p, cJSON_CreateNumber(3)));
	wa_flow_path_parse(arena, "b", 1, &p);
	assert_null(wa_flow_vars_set(v, &p, cJSON_CreateNumber(4)));
	wa_flow_path_parse(arena, "c", 1, &p);
	assert_null(wa_flow_vars_set(v, &p, cJSON_CreateNumber(5)));
	assert_string_equal(cJSON_PrintUnformatted(cJSON_GetObjectItem(v,
	    "flow")), "{\"a\":\"x\",\"b\":4,\"c\":5}");
	wa_flow_path_parse(arena, "contact.k", 9, &p);
	assert_null(wa_flow_vars_set(v, &p, cJSON_CreateNumber(1)));
	assert_null(wa_flow_vars_set(v, &p, cJSON_CreateNumber(2)));
	assert_int_equal(wa_flow_vars_get(v, &p)->valuedouble, 2);
	assert_string_equal(cJSON_PrintUnformatted(cJSON_GetObjectItem(v,
	    "contact")), "{\"k\":2}");
	/* the list stays whole: append after a replaced last child */
	wa_flow_path_parse(arena, "d", 1, &p);
	assert_null(wa_flow_vars_set(v, &p, cJSON_CreateNumber(6)));
	assert_string_equal(cJSON_PrintUnformatted(cJSON_GetObjectItem(v,
	    "flow")), "{\"a\":\"x\",\"b\":4,\"c\":5,\"d\":6}");
	wa_flow_path_parse(arena, "a", 1, &p);
	wa_flow_vars_set(v, &p, cJSON_CreateNumber(0));
	wa_flow_path_parse(arena, "c", 1, &p);
	wa_flow_vars_set(v, &p, cJSON_CreateNumber(0));
	wa_flow_path_parse(arena, "e", 1, &p);
	wa_flow_vars_set(v, &p, cJSON_CreateNumber(7));
	assert_string_equal(cJSON_PrintUnformatted(cJSON_GetObjectItem(v,
	    "flow")), "{\"a\":0,\"b\":4,\"c\":0,\"d\":6,\"e\":7}");
	wa_flow_path_parse(arena, "o.d.e", 5, &p);
	assert_null(wa_flow_vars_set(v, &p, cJSON_CreateTrue()));
	assert_true(cJSON_IsTrue(wa_flow_vars_get(v, &p)));
	wa_flow_path_parse(arena, "a.z", 3, &p);
	assert_non_null(wa_flow_vars_set(v, &p, cJSON_CreateTrue()));
	for (i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "v%d", i);
		wa_flow_path_parse(arena, name, strlen(name), &p);
		if (wa_flow_vars_set(v, &p, cJSON_CreateNumber(i)) != NULL)
			break;
	}
	assert_int_equal(i, 200 - 6);		/* a, b, c, d, e, o first */
	/* value limits */
	wa_flow_path_parse(arena, "contact.x", 9, &p);
	big = cJSON_CreateArray();
	for (i = 0; i < 3000; i++)
		cJSON_AddItemToArray(big, cJSON_CreateNumber(i));
	assert_non_null(wa_flow_vars_set(v, &p, big));
	assert_non_null(wa_flow_vars_set(v, &p,
	    cJSON_Parse("[[[[[[[[[[1]]]]]]]]]]")));
	assert_non_null(wa_flow_vars_set(v, &p, cJSON_CreateNumber(1e300)));
	assert_null(wa_flow_vars_set(v, &p, cJSON_Parse("[[[[[[[1]]]]]]]")));
}

static void
test_numbers_and_time(void **state)
{
	static const struct {
		const char	*in;
		int		 ok;
		double		 v;
	} nums[] = {
		{ "42", 1, 42 }, { " -1.5 ", 1, -1.5 }, { "+3", 1, 3 },
		{ ".5", 1, 0.5 }, { "5.", 1, 5 }, { "1e3", 1, 1000 },
		{ "", 0, 0 }, { "abc", 0, 0 }, { "1e", 0, 0 }, { "--1", 0, 0 },
		{ "0x10", 0, 0 }, { "1 2", 0, 0 }, { "nan", 0, 0 },
		{ "inf", 0, 0 }, { "1e400", 0, 0 },
		{ "9007199254740992", 0, 0 },
	};
	static const struct {
		const char	*in;
		int64_t		 ms;	/* -1 = refused */
	} times[] = {
		{ "1970-01-01T00:00:00Z", 0 },
		{ "2026-05-01T03:42:18.123Z", 1777606938123LL },
		{ "2026-05-01T05:42:18.123+02:00", 1777606938123LL },
		{ "2026-05-01T03:42:18z", 1777606938000LL },
		{ "2024-02-29T00:00:00Z", 1709164800000LL },
		{ "2023-02-29T00:00:00Z", -1 },
		{ "2026-13-01T00:00:00Z", -1 },
		{ "2026-05-01 03:42:18Z", -1 },
		{ "2026-05-01T03:42:18", -1 },
		{ "2026-05-01T24:00:00Z", -1 },
		{ "yesterday", -1 },
	};
	char	buf[32];
	double	d;
	int64_t	ms;
	size_t	i;

	(void)state;
	for (i = 0; i < NELEM(nums); i++) {
		int ok = wa_flow_num_parse(nums[i].in, &d);
		if (ok != nums[i].ok || (ok && d != nums[i].v))
			fail_msg("number \"%s\"", nums[i].in);
	}
	for (i = 0; i < NELEM(times); i++) {
		int ok = wa_clock_parse(times[i].in, &ms);
		if (ok != (times[i].ms >= 0) || (ok && ms != times[i].ms))
			fail_msg("time \"%s\": %d %lld", times[i].in, ok,
			    (long long)ms);
	}
	wa_flow_num_format(3, buf, sizeof(buf));
	assert_string_equal(buf, "3");
	wa_flow_num_format(-0.0, buf, sizeof(buf));
	assert_string_equal(buf, "0");
	wa_flow_num_format(2.5, buf, sizeof(buf));
	assert_string_equal(buf, "2.5");
	wa_flow_num_format(1e20, buf, sizeof(buf));
	assert_string_equal(buf, "1e+20");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		FLOW_TEST(test_eval_table),
		FLOW_TEST(test_parse_errors),
		FLOW_TEST(test_bounds),
		FLOW_TEST(test_string_cap),
		FLOW_TEST(test_reads),
		FLOW_TEST(test_paths),
		FLOW_TEST(test_vars_set),
		FLOW_TEST(test_numbers_and_time),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
