/* Unit tests for lib/buf.c: capped appends that fail without damage. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "buf.h"
#include "helpers.h"

/* A sequence of appends, each expected to succeed or hit the cap. */
static void
test_append_table(void **state)
{
	static const struct {
		size_t		 max;
		const char	*pieces[5];
		enum wa_err	 want[5];
		const char	*data;
	} cases[] = {
		{ 10, { "abc", "def", NULL }, { WA_OK, WA_OK }, "abcdef" },
		{ 6, { "abc", "def", "g", NULL },
		    { WA_OK, WA_OK, WA_ERR_TOO_LARGE }, "abcdef" },
		{ 5, { "abcdef", "abcde", "x", NULL },
		    { WA_ERR_TOO_LARGE, WA_OK, WA_ERR_TOO_LARGE }, "abcde" },
		{ 0, { "", "a", NULL }, { WA_OK, WA_ERR_TOO_LARGE }, "" },
		{ 3, { "", "", "abc", "", NULL },
		    { WA_OK, WA_OK, WA_OK, WA_OK }, "abc" },
		{ 4, { "ab", "abc", "cd", NULL },
		    { WA_OK, WA_ERR_TOO_LARGE, WA_OK }, "abcd" },
	};
	struct wa_arena	*a = wa_arena_new(0);
	struct wa_buf	 b;
	size_t		 i, k;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		wa_buf_init(&b, a, cases[i].max);
		for (k = 0; cases[i].pieces[k] != NULL; k++)
			assert_int_equal(wa_buf_adds(&b, cases[i].pieces[k]),
			    cases[i].want[k]);
		assert_non_null(b.data);
		assert_string_equal(b.data, cases[i].data);
		assert_int_equal(b.len, strlen(cases[i].data));
		assert_true(b.len <= b.max);
	}
	wa_arena_free(a);
}

/* Growth over many doublings keeps every byte, and binary data. */
static void
test_growth_binary(void **state)
{
	struct wa_arena	*a = wa_arena_new(0);
	struct wa_buf	 b;
	size_t		 i;

	(void)state;
	wa_buf_init(&b, a, 100000);
	for (i = 0; i < 100000; i++)
		assert_int_equal(wa_buf_addc(&b, (char)(i % 251)), WA_OK);
	assert_int_equal(wa_buf_addc(&b, 'x'), WA_ERR_TOO_LARGE);
	assert_int_equal(b.len, 100000);
	assert_int_equal(b.data[b.len], '\0');
	for (i = 0; i < 100000; i++)
		assert_int_equal((unsigned char)b.data[i], i % 251);
	wa_buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.data, "");
	assert_int_equal(wa_buf_add(&b, "a\0b", 3), WA_OK);
	assert_int_equal(b.len, 3);
	assert_memory_equal(b.data, "a\0b", 4);
	wa_arena_free(a);
}

static void
test_addf(void **state)
{
	static const struct {
		size_t		 max;
		int		 width;	/* %*s pad: crosses the stack buffer */
		enum wa_err	 want;
		size_t		 len;
	} cases[] = {
		{ 1000, 0, WA_OK, 3 },
		{ 1000, 253, WA_OK, 255 },	/* fits the stack buffer */
		{ 1000, 254, WA_OK, 256 },	/* first one that does not */
		{ 1000, 900, WA_OK, 902 },
		{ 1000, 998, WA_OK, 1000 },
		{ 1000, 999, WA_ERR_TOO_LARGE, 0 },
		{ 100, 200, WA_ERR_TOO_LARGE, 0 },
	};
	struct wa_arena	*a = wa_arena_new(0);
	struct wa_buf	 b;
	size_t		 i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		wa_buf_init(&b, a, cases[i].max);
		assert_int_equal(wa_buf_addf(&b, "<%*s>", cases[i].width, "x"),
		    cases[i].want);
		assert_int_equal(b.len, cases[i].len);
		if (cases[i].want == WA_OK) {
			assert_int_equal(b.data[0], '<');
			assert_int_equal(b.data[b.len - 2], 'x');
			assert_int_equal(b.data[b.len - 1], '>');
			assert_int_equal(b.data[b.len], '\0');
		}
	}
	/* a failed addf leaves earlier content intact */
	wa_buf_init(&b, a, 10);
	assert_int_equal(wa_buf_addf(&b, "%d", 12345), WA_OK);
	assert_int_equal(wa_buf_addf(&b, "%s", "abcdefghijkl"),
	    WA_ERR_TOO_LARGE);
	assert_string_equal(b.data, "12345");
	assert_int_equal(wa_buf_addf(&b, "%s", "abcde"), WA_OK);
	assert_string_equal(b.data, "12345abcde");
	wa_arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_append_table),
		cmocka_unit_test(test_growth_binary),
		cmocka_unit_test(test_addf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
