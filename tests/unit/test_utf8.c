/* Unit tests for lib/utf8.c: strict RFC 3629 decoding. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdint.h>

#include "helpers.h"
#include "utf8.h"

struct bytes {
	const char	*s;
	size_t		 len;
};
#define B(lit)	{ lit, sizeof(lit) - 1 }

static void
test_seq(void **state)
{
	static const struct {
		struct bytes	in;
		size_t		want;
	} cases[] = {
		{ B("a"), 1 }, { B("\x7f"), 1 }, { B("\0"), 1 },
		{ B("\xc2\x80"), 2 }, { B("\xdf\xbf"), 2 },
		{ B("\xe0\xa0\x80"), 3 }, { B("\xef\xbf\xbf"), 3 },
		{ B("\xed\x9f\xbf"), 3 },		/* U+D7FF */
		{ B("\xee\x80\x80"), 3 },		/* U+E000 */
		{ B("\xf0\x90\x80\x80"), 4 }, { B("\xf4\x8f\xbf\xbf"), 4 },
		{ B("\xf0\x9f\x98\x80"), 4 },		/* emoji */
		/* continuation bytes alone */
		{ B("\x80"), 0 }, { B("\xbf"), 0 },
		/* overlong forms */
		{ B("\xc0\x80"), 0 }, { B("\xc0\xaf"), 0 },
		{ B("\xc1\xbf"), 0 },
		{ B("\xe0\x80\xaf"), 0 }, { B("\xe0\x9f\xbf"), 0 },
		{ B("\xf0\x80\x80\xaf"), 0 }, { B("\xf0\x8f\xbf\xbf"), 0 },
		/* UTF-16 surrogates */
		{ B("\xed\xa0\x80"), 0 }, { B("\xed\xaf\xbf"), 0 },
		{ B("\xed\xb0\x80"), 0 }, { B("\xed\xbf\xbf"), 0 },
		/* above U+10FFFF and bytes that never start a sequence */
		{ B("\xf4\x90\x80\x80"), 0 }, { B("\xf5\x80\x80\x80"), 0 },
		{ B("\xf7\xbf\xbf\xbf"), 0 }, { B("\xf8\x88\x80\x80\x80"), 0 },
		{ B("\xfc\x84\x80\x80\x80\x80"), 0 }, { B("\xfe"), 0 },
		{ B("\xff"), 0 },
		/* truncated sequences */
		{ B("\xc2"), 0 }, { B("\xe2\x82"), 0 }, { B("\xe2"), 0 },
		{ B("\xf0\x9f\x98"), 0 }, { B("\xf0\x9f"), 0 },
		/* a non-continuation where one is due */
		{ B("\xc2\x41"), 0 }, { B("\xe2\x82\x41"), 0 },
		{ B("\xe2\xc2\xa2"), 0 }, { B("\xf0\x9f\x98\x41"), 0 },
	};
	size_t	i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++)
		if (wa_utf8_seq((const unsigned char *)cases[i].in.s,
		    cases[i].in.len) != cases[i].want)
			fail_msg("case %zu: want %zu", i, cases[i].want);
}

/* The length is honoured: a valid sequence cut by len is refused. */
static void
test_seq_len_bound(void **state)
{
	static const char	*full[] = { "\xc3\xa9", "\xe2\x82\xac",
	    "\xf0\x9f\x98\x80" };
	size_t			 i, n;

	(void)state;
	for (i = 0; i < NELEM(full); i++)
		for (n = 1; n < i + 2; n++)
			assert_int_equal(wa_utf8_seq(
			    (const unsigned char *)full[i], n), 0);
}

/* Independent decoder, to compare against over whole byte ranges. */
static size_t
ref_seq(const unsigned char *s, size_t len)
{
	uint32_t	cp;
	size_t		n, i;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0)
		n = 2, cp = s[0] & 0x1f;
	else if ((s[0] & 0xf0) == 0xe0)
		n = 3, cp = s[0] & 0x0f;
	else if ((s[0] & 0xf8) == 0xf0)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) ||
	    (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

static void
test_seq_exhaustive(void **state)
{
	static const unsigned char tails[] = { 0x00, 0x41, 0x7f, 0x80, 0x8f,
	    0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xf4, 0xff };
	unsigned char	b[4];
	unsigned	c0, c1;
	size_t		i, j;

	(void)state;
	for (c0 = 0; c0 < 256; c0++)
		for (c1 = 0; c1 < 256; c1++)
			for (i = 0; i < NELEM(tails); i++)
				for (j = 0; j < NELEM(tails); j++) {
					b[0] = (unsigned char)c0;
					b[1] = (unsigned char)c1;
					b[2] = tails[i];
					b[3] = tails[j];
					if (wa_utf8_seq(b, 4) != ref_seq(b, 4))
						fail_msg("%02x %02x %02x %02x",
						    b[0], b[1], b[2], b[3]);
					if (wa_utf8_seq(b, 2) != ref_seq(b, 2))
						fail_msg("%02x %02x (len 2)",
						    b[0], b[1]);
				}
}

static void
test_valid_count(void **state)
{
	static const struct {
		struct bytes	in;
		int		valid;
		size_t		count;
	} cases[] = {
		{ B(""), 1, 0 },
		{ B("hello"), 1, 5 },
		{ B("h\xc3\xa9llo"), 1, 5 },
		{ B("\xe2\x82\xac" "1"), 1, 2 },
		{ B("\xf0\x9f\x98\x80\xf0\x9f\x98\x80"), 1, 2 },
		{ B("a\0b"), 0, 3 },			/* NUL refused */
		{ B("\xff"), 0, 1 },
		{ B("ab\xc0\xaf"), 0, 4 },		/* one per bad byte */
		{ B("\xed\xa0\x80"), 0, 3 },
		{ B("ok\xe2\x82"), 0, 4 },
		{ B("\xf4\x90\x80\x80"), 0, 4 },
	};
	size_t	i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		if (wa_utf8_valid(cases[i].in.s, cases[i].in.len) !=
		    cases[i].valid)
			fail_msg("case %zu: valid want %d", i, cases[i].valid);
		if (wa_utf8_count(cases[i].in.s, cases[i].in.len) !=
		    cases[i].count)
			fail_msg("case %zu: count want %zu", i,
			    cases[i].count);
	}
}

static void
test_decode_next(void **state)
{
	static const struct {
		struct bytes	in;
		uint32_t	cps[4];
		size_t		n;
	} cases[] = {
		{ B("a"), { 'a' }, 1 },
		{ B("\xc3\xa9"), { 0xe9 }, 1 },
		{ B("\xe2\x82\xac"), { 0x20ac }, 1 },
		{ B("\xf0\x9f\x98\x80"), { 0x1f600 }, 1 },
		{ B("\xf4\x8f\xbf\xbf"), { 0x10ffff }, 1 },
		/* bad bytes come back as themselves, one each */
		{ B("\xff" "a"), { 0xff, 'a' }, 2 },
		{ B("\xc0\xaf"), { 0xc0, 0xaf }, 2 },
		{ B("\xe2\x82"), { 0xe2, 0x82 }, 2 },
	};
	size_t		i, j, at;
	uint32_t	cp;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		at = 0;
		for (j = 0; j < cases[i].n; j++)
			if (wa_utf8_next(cases[i].in.s, cases[i].in.len,
			    &at) != cases[i].cps[j])
				fail_msg("case %zu: code point %zu", i, j);
		assert_int_equal(at, cases[i].in.len);
	}
	assert_int_equal(wa_utf8_decode((const unsigned char *)"\xe2\x82\xac",
	    3, &cp), 3);
	assert_int_equal(cp, 0x20ac);
	assert_int_equal(wa_utf8_decode((const unsigned char *)"\xed\xa0\x80",
	    3, &cp), 0);
}

/* Cutting never splits a sequence; prefix counts code points. */
static void
test_cut_prefix(void **state)
{
	static const struct {
		struct bytes	in;
		size_t		max;
		size_t		cut;
	} cases[] = {
		{ B("abc"), 2, 2 }, { B("abc"), 3, 3 }, { B("abc"), 9, 3 },
		{ B("a\xc3\xa9"), 2, 1 }, { B("a\xc3\xa9"), 3, 3 },
		{ B("\xe2\x82\xac\xe2\x82\xac"), 5, 3 },
		{ B("\xf0\x9f\x98\x80"), 3, 0 }, { B("ab"), 0, 0 },
		{ B("a\xff" "b"), 2, 2 },
	};
	size_t	i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++)
		if (wa_utf8_cut(cases[i].in.s, cases[i].in.len,
		    cases[i].max) != cases[i].cut)
			fail_msg("case %zu: want %zu", i, cases[i].cut);
	assert_int_equal(wa_utf8_prefix("a\xc3\xa9\xe2\x82\xac", 6, 2), 3);
	assert_int_equal(wa_utf8_prefix("a\xc3\xa9\xe2\x82\xac", 6, 9), 6);
	assert_int_equal(wa_utf8_prefix("abc", 3, 0), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seq),
		cmocka_unit_test(test_seq_len_bound),
		cmocka_unit_test(test_seq_exhaustive),
		cmocka_unit_test(test_valid_count),
		cmocka_unit_test(test_decode_next),
		cmocka_unit_test(test_cut_prefix),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
