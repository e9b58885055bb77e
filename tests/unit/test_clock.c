/* Unit tests for lib/clock.c: the RFC 3339 form every face prints. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "clock.h"
#include "helpers.h"

static void
test_rfc3339(void **state)
{
	static const struct {
		int64_t		 ms;
		const char	*want;
	} cases[] = {
		{ 0, "1970-01-01T00:00:00.000Z" },
		{ 1, "1970-01-01T00:00:00.001Z" },
		{ 999, "1970-01-01T00:00:00.999Z" },
		{ 1000, "1970-01-01T00:00:01.000Z" },
		{ -1, "1969-12-31T23:59:59.999Z" },
		{ -1000, "1969-12-31T23:59:59.000Z" },
		{ -1001, "1969-12-31T23:59:58.999Z" },
		{ 951782400000, "2000-02-29T00:00:00.000Z" },
		{ 1777606938123, "2026-05-01T03:42:18.123Z" },
		{ 4102444799999, "2099-12-31T23:59:59.999Z" },
		{ 253402300799999, "9999-12-31T23:59:59.999Z" },
	};
	char	buf[WA_CLOCK_RFC3339_LEN];
	size_t	i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		assert_ptr_equal(wa_clock_rfc3339(buf, sizeof(buf),
		    cases[i].ms), buf);
		assert_string_equal(buf, cases[i].want);
		assert_int_equal(strlen(buf), WA_CLOCK_RFC3339_LEN - 1);
	}
}

/* A short buffer is cut and terminated, a zero-size one left alone. */
static void
test_rfc3339_short(void **state)
{
	static const struct {
		size_t		 sz;
		const char	*want;
	} cases[] = {
		{ 1, "" }, { 5, "2026" }, { 11, "2026-05-01" },
		{ WA_CLOCK_RFC3339_LEN - 1, "2026-05-01T03:42:18.123" },
	};
	char	buf[WA_CLOCK_RFC3339_LEN + 8];
	size_t	i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		memset(buf, '#', sizeof(buf));
		wa_clock_rfc3339(buf, cases[i].sz, 1777606938123);
		assert_string_equal(buf, cases[i].want);
		assert_int_equal(buf[cases[i].sz], '#');
	}
	memset(buf, '#', sizeof(buf));
	wa_clock_rfc3339(buf, 0, 0);
	assert_int_equal(buf[0], '#');
}

static void
test_now(void **state)
{
	int64_t	a, b, m1, m2;
	char	buf[WA_CLOCK_RFC3339_LEN];

	(void)state;
	a = wa_clock_now_ms();
	m1 = wa_clock_mono_us();
	m2 = wa_clock_mono_us();
	b = wa_clock_now_ms();
	assert_true(a > 1700000000000LL);	/* after November 2023 */
	assert_true(b >= a);
	assert_true(m2 >= m1);
	wa_clock_rfc3339(buf, sizeof(buf), a);
	assert_int_equal(buf[4], '-');
	assert_int_equal(buf[10], 'T');
	assert_int_equal(buf[23], 'Z');
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc3339),
		cmocka_unit_test(test_rfc3339_short),
		cmocka_unit_test(test_now),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
