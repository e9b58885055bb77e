/* Unit tests for lib/url.c: percent-decoding of paths and queries. */
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include "helpers.h"
#include "url.h"

static void
test_decode(void **state)
{
	static const struct {
		const char	*in;
		size_t		 len;	/* 0: strlen(in) */
		int		 plus;
		const char	*want;	/* NULL: refused */
		size_t		 wantlen;
	} cases[] = {
		{ "", 0, 0, "", 0 },
		{ "abc", 0, 0, "abc", 3 },
		{ "a%20b", 0, 0, "a b", 3 },
		{ "a+b", 0, 1, "a b", 3 },
		{ "a+b", 0, 0, "a+b", 3 },
		{ "%2B", 0, 1, "+", 1 },		/* encoded plus stays */
		{ "%2F", 0, 0, "/", 1 },
		{ "%2f", 0, 0, "/", 1 },
		{ "%41%42%43", 0, 0, "ABC", 3 },
		{ "%c3%A9", 0, 0, "\xc3\xa9", 2 },
		{ "%FF", 0, 0, "\xff", 1 },		/* bytes, not UTF-8 */
		{ "%01", 0, 0, "\x01", 1 },
		{ "100%25", 0, 0, "100%", 4 },
		{ "%2525", 0, 0, "%25", 3 },		/* decoded once */
		{ "abcdef", 3, 0, "abc", 3 },		/* len bounds input */
		{ "%41zz", 3, 0, "A", 1 },
		/* hostile: truncated, non-hex, NUL */
		{ "%", 0, 0, NULL, 0 },
		{ "%4", 0, 0, NULL, 0 },
		{ "a%", 0, 0, NULL, 0 },
		{ "a%4", 0, 1, NULL, 0 },
		{ "%G0", 0, 0, NULL, 0 },
		{ "%0G", 0, 0, NULL, 0 },
		{ "%%41", 0, 0, NULL, 0 },
		{ "% 1", 0, 0, NULL, 0 },
		{ "%-1", 0, 0, NULL, 0 },
		{ "%00", 0, 0, NULL, 0 },
		{ "ok%00ok", 0, 1, NULL, 0 },
		{ "%414", 2, 0, NULL, 0 },		/* escape cut by len */
		{ "a\0b", 3, 0, NULL, 0 },		/* raw NUL */
	};
	struct wa_arena	*a = wa_arena_new(0);
	const char	*got;
	size_t		 i, len, outlen;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		len = cases[i].len != 0 ? cases[i].len : strlen(cases[i].in);
		outlen = 12345;
		got = wa_url_decode(a, cases[i].in, len, cases[i].plus,
		    &outlen);
		if (cases[i].want == NULL) {
			if (got != NULL)
				fail_msg("case %zu (%s): accepted", i,
				    cases[i].in);
			continue;
		}
		if (got == NULL)
			fail_msg("case %zu (%s): refused", i, cases[i].in);
		assert_int_equal(outlen, cases[i].wantlen);
		assert_memory_equal(got, cases[i].want, outlen + 1);
		/* outlen may be omitted */
		assert_non_null(wa_url_decode(a, cases[i].in, len,
		    cases[i].plus, NULL));
	}
	wa_arena_free(a);
}

/* Every byte value round-trips through its %XX form. */
static void
test_every_byte(void **state)
{
	struct wa_arena	*a = wa_arena_new(0);
	char		 in[4];
	const char	*got;
	size_t		 outlen;
	int		 c;

	(void)state;
	for (c = 1; c < 256; c++) {
		snprintf(in, sizeof(in), "%%%02X", c);
		got = wa_url_decode(a, in, 3, 0, &outlen);
		assert_non_null(got);
		assert_int_equal(outlen, 1);
		assert_int_equal((unsigned char)got[0], c);
	}
	wa_arena_free(a);
}

/* Encoding keeps the unreserved bytes and escapes the rest; decoding
 * it gives the input back. */
static void
test_encode(void **state)
{
	struct wa_arena	*a = wa_arena_new(0);
	char		 in[256];
	const char	*enc, *dec;
	size_t		 outlen;
	int		 c;

	(void)state;
	assert_string_equal(wa_url_encode(a, "agent 7/ä&x=y"),
	    "agent%207%2F%C3%A4%26x%3Dy");
	assert_string_equal(wa_url_encode(a, "A-z_0.~"), "A-z_0.~");
	assert_string_equal(wa_url_encode(a, ""), "");
	for (c = 1; c < 256; c++)
		in[c - 1] = (char)c;
	in[255] = '\0';
	enc = wa_url_encode(a, in);
	dec = wa_url_decode(a, enc, strlen(enc), 0, &outlen);
	assert_int_equal(outlen, 255);
	assert_memory_equal(dec, in, 255);
	wa_arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode),
		cmocka_unit_test(test_every_byte),
		cmocka_unit_test(test_encode),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
