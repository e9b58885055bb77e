/* Unit tests for lib/flow_re.c: syntax, matching, and the bounds that
 * keep hostile patterns cheap. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "helpers.h"
#include "flow_helpers.h"
#include "flow/re.h"

static int
search(const char *pattern, int icase, const char *in)
{
	struct wa_flow_re	*re;
	const char		*why;
	unsigned long		 fuel = 1000000;

	re = wa_flow_re_compile(arena, pattern, icase, &why);
	if (re == NULL)
		fail_msg("%s: %s", pattern, why);
	return wa_flow_re_search(re, in, strlen(in), &fuel);
}

static void
test_match_table(void **state)
{
	static const struct {
		const char	*pattern;
		int		 icase;
		const char	*in;
		int		 want;
	} cases[] = {
		{ "abc", 0, "xxabcxx", 1 },		/* a search */
		{ "abc", 0, "ab", 0 },
		{ "^abc$", 0, "abc", 1 },
		{ "^abc$", 0, "abcd", 0 },
		{ "^abc$", 0, "xabc", 0 },
		{ "", 0, "", 1 },
		{ "", 0, "anything", 1 },
		{ "^$", 0, "", 1 },
		{ "^$", 0, "x", 0 },
		{ "a.c", 0, "abc", 1 },
		{ "a.c", 0, "a\xc3\xa9" "c", 1 },	/* . is a code point */
		{ "^.$", 0, "\xe2\x82\xac", 1 },
		{ "^..$", 0, "\xe2\x82\xac", 0 },
		{ "a*", 0, "", 1 },
		{ "^a*$", 0, "aaaa", 1 },
		{ "^a+$", 0, "", 0 },
		{ "^a+$", 0, "aaa", 1 },
		{ "^ab?c$", 0, "ac", 1 },
		{ "^ab?c$", 0, "abc", 1 },
		{ "^ab?c$", 0, "abbc", 0 },
		{ "^a{3}$", 0, "aaa", 1 },
		{ "^a{3}$", 0, "aa", 0 },
		{ "^a{2,}$", 0, "aaaaa", 1 },
		{ "^a{2,}$", 0, "a", 0 },
		{ "^a{2,3}$", 0, "aaaa", 0 },
		{ "^a{2,3}$", 0, "aaa", 1 },
		{ "^a{0,1}b$", 0, "b", 1 },
		{ "^a+?$", 0, "aa", 1 },		/* lazy = greedy here */
		{ "^(ab)+$", 0, "ababab", 1 },
		{ "^(ab)+$", 0, "ababa", 0 },
		{ "^(?:ab|cd)$", 0, "cd", 1 },
		{ "^cat|dog$", 0, "hotdog", 1 },
		{ "^(cat|dog)$", 0, "hotdog", 0 },
		{ "^[abc]+$", 0, "abcabc", 1 },
		{ "^[abc]+$", 0, "abd", 0 },
		{ "^[^abc]+$", 0, "xyz", 1 },
		{ "^[^abc]+$", 0, "xaz", 0 },
		{ "^[a-z0-9_]+$", 0, "user_01", 1 },
		{ "^[a-z]+$", 0, "User", 0 },
		{ "^[]a]+$", 0, "]a]", 1 },		/* ] first is literal */
		{ "^[a-]+$", 0, "a-a", 1 },		/* - last is literal */
		{ "^[\\d-]+$", 0, "12-34", 1 },
		{ "^[\\w.]+@[\\w.]+$", 0, "ana.b@example.com", 1 },
		{ "^\\d{5}$", 0, "28013", 1 },
		{ "^\\d{5}$", 0, "2801a", 0 },
		{ "^\\D+$", 0, "abc", 1 },
		{ "^\\D+$", 0, "ab1", 0 },
		{ "^\\w+$", 0, "abc_9", 1 },
		{ "\\W", 0, "abc", 0 },
		{ "\\s", 0, "a b", 1 },
		{ "^\\S+$", 0, "a b", 0 },
		{ "^\\+34 ?\\d{9}$", 0, "+34 612345678", 1 },
		{ "^\\.\\*\\?\\(\\)\\[\\]\\{\\}\\|\\^\\$\\\\/$", 0,
		    ".*?()[]{}|^$\\/", 1 },
		{ "a\\tb", 0, "a\tb", 1 },
		{ "^SI$", 1, "si", 1 },
		{ "^si$", 1, "SI", 1 },
		{ "(?i)^yes$", 0, "YeS", 1 },
		{ "^yes$", 0, "YES", 0 },
		{ "^[a-z]+$", 1, "ABC", 1 },
		{ "^[A-Z]+$", 1, "abc", 1 },
		{ "^\xc3\xa9t\xc3\xa9$", 1, "\xc3\x89T\xc3\x89", 1 },
		{ "^(a*)*$", 0, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaab", 0 },
		{ "^(a|a)*$", 0, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaab", 0 },
		{ "^(a+)+b$", 0, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaab", 1 },
	};
	size_t	i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		int got = search(cases[i].pattern, cases[i].icase,
		    cases[i].in);
		if (got != cases[i].want)
			fail_msg("case %zu: /%s/ on \"%s\": got %d, want %d",
			    i, cases[i].pattern, cases[i].in, got,
			    cases[i].want);
	}
}

static void
test_refused(void **state)
{
	static const struct {
		const char	*pattern;
		const char	*why;		/* a word of the reason */
	} cases[] = {
		{ "(", "without its )" },
		{ "a)", "without its (" },
		{ "[abc", "without its ]" },
		{ "*a", "nothing to repeat" },
		{ "a**", "two quantifiers" },
		{ "a{2", "without its }" },
		{ "a{x}", "not a quantifier" },
		{ "a{3,2}", "less than n" },
		{ "a{101}", "more than {100}" },
		{ "(a)\\1", "not supported" },
		{ "\\bword", "not supported" },
		{ "(?=a)", "not supported" },
		{ "(?<n>a)", "not supported" },
		{ "a\\", "ends with" },
		{ "[z-a]", "out of order" },
		{ "^*", "repeats ^" },
		{ "((((((((((((((((((a))))))))))))))))))", "deeper than 16" },
		{ "(a{100}){100}", "too complex" },
		{ "((a{100}){100}){100}", "too complex" },
		{ "\xff", "UTF-8" },
	};
	const char	*why;
	size_t		 i;
	char		 big[400];

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		if (wa_flow_re_compile(arena, cases[i].pattern, 0, &why) !=
		    NULL)
			fail_msg("/%s/ compiled", cases[i].pattern);
		if (strstr(why, cases[i].why) == NULL)
			fail_msg("/%s/: \"%s\" lacks \"%s\"",
			    cases[i].pattern, why, cases[i].why);
	}
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_null(wa_flow_re_compile(arena, big, 0, &why));
	assert_non_null(strstr(why, "256"));
}

/* The classic catastrophic patterns stay linear: the fuel they use
 * grows with input length times program size, not exponentially. */
static void
test_no_backtracking(void **state)
{
	struct wa_flow_re	*re;
	const char		*why;
	unsigned long		 fuel;
	char			 in[4097];

	(void)state;
	memset(in, 'a', 4096);
	in[4096] = '\0';
	re = wa_flow_re_compile(arena, "^(a+)+$", 0, &why);
	assert_non_null(re);
	in[4095] = 'b';
	fuel = 1000000;
	assert_int_equal(wa_flow_re_search(re, in, 4096, &fuel), 0);
	assert_true(fuel > 0);
	re = wa_flow_re_compile(arena, "(x+x+)+y", 0, &why);
	fuel = 1000000;
	assert_int_equal(wa_flow_re_search(re, in, 4096, &fuel), 0);
	/* expensive enough: the fuel runs out and says so */
	re = wa_flow_re_compile(arena, "(a?){100}a{100}", 0, &why);
	assert_non_null(re);
	fuel = 1000;
	assert_int_equal(wa_flow_re_search(re, in, 4096, &fuel), -1);
	assert_int_equal(fuel, 0);
}

static void
test_input_cap(void **state)
{
	struct wa_flow_re	*re;
	const char		*why;
	unsigned long		 fuel = 1000000;
	char			*in = wa_arena_alloc(arena, 5000);

	(void)state;
	memset(in, 'a', 4097);
	in[4097] = '\0';
	re = wa_flow_re_compile(arena, "a", 0, &why);
	assert_int_equal(wa_flow_re_search(re, in, 4097, &fuel), -1);
	assert_int_equal(wa_flow_re_search(re, in, 4096, &fuel), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		FLOW_TEST(test_match_table),
		FLOW_TEST(test_refused),
		FLOW_TEST(test_no_backtracking),
		FLOW_TEST(test_input_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
