/*
 * Unit tests for lib/send/pace.c: a lane's token bucket sends at its
 * rate, never faster over any window, evenly, and slows down and
 * recovers after Meta's throughput error.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdint.h>

#include "helpers.h"
#include "send/send.h"

#define SEC	1000000LL

/* A sender that takes tokens every tick for `secs` seconds: how many
 * it got, and the most it got in any one window of `win` us. */
static long
drive(struct wa_send_pace *p, int64_t start, int64_t tick, int secs,
    int64_t win, long *max_in_win)
{
	int64_t	 t, end = start + (int64_t)secs * SEC;
	long	 total = 0, nwin = 0;
	int64_t	 win_start = start;

	*max_in_win = 0;
	for (t = start; t < end; t += tick) {
		if (t - win_start >= win) {
			if (nwin > *max_in_win)
				*max_in_win = nwin;
			nwin = 0;
			win_start = t;
		}
		int n = wa_send_pace_take(p, 1000, t);
		total += n;
		nwin += n;
	}
	if (nwin > *max_in_win)
		*max_in_win = nwin;
	return total;
}

static void
test_rate(void **state)
{
	static const struct {
		double	mps;
		int64_t	tick;
	} cases[] = {
		{ 80, 1000 }, { 80, 50000 }, { 250, 3000 }, { 1000, 1000 },
		{ 1000, 20000 }, { 1, 10000 }, { 7, 50000 },
	};
	struct wa_send_pace	p;
	long			total, maxwin, want;
	size_t			i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		wa_send_pace_init(&p, cases[i].mps, 0);
		total = drive(&p, 0, cases[i].tick, 60, SEC, &maxwin);
		want = (long)(cases[i].mps * 60);
		/* within 1% (and the bucket's start) of the rate */
		if (total < want - want / 100 - 1 ||
		    total > want + (long)(cases[i].mps / 10) + 2)
			fail_msg("case %zu: %ld in 60 s, want %ld", i, total,
			    want);
		/* never more than a second's worth plus the bucket in any
		 * second: what Meta's own bucket takes */
		if (maxwin > (long)(cases[i].mps + cases[i].mps / 10) + 2)
			fail_msg("case %zu: %ld in one second", i, maxwin);
	}
}

/* Evenly: at 80/s a lane gets at most 8 at a time. */
static void
test_even(void **state)
{
	struct wa_send_pace	p;
	int64_t			t;
	int			n;

	(void)state;
	wa_send_pace_init(&p, 80, 0);
	for (t = 0; t < 10 * SEC; t += 200000) {
		n = wa_send_pace_take(&p, 1000, t);
		assert_true(n <= 8);
	}
	/* the wait until the next token is about 1/80 s */
	wa_send_pace_init(&p, 80, 0);
	(void)wa_send_pace_take(&p, 1000, 0);
	assert_true(wa_send_pace_wait(&p, 0) > 10000);
	assert_true(wa_send_pace_wait(&p, 0) <= 12600);
	assert_int_equal(wa_send_pace_wait(&p, SEC), 0);
	/* refunds never overfill */
	wa_send_pace_refund(&p, 1000);
	assert_true(wa_send_pace_take(&p, 1000, SEC) <= 8);
}

static void
test_slow(void **state)
{
	struct wa_send_pace	p;
	long			total, maxwin;

	(void)state;
	wa_send_pace_init(&p, 1000, 0);
	wa_send_pace_slow(&p, 0);
	assert_true(p.rate <= 500.0);
	/* a burst of refusals within the calm period is one signal */
	wa_send_pace_slow(&p, 100000);
	wa_send_pace_slow(&p, 200000);
	assert_true(p.rate >= 499.0);
	/* the next second runs at about half */
	total = drive(&p, 300000, 1000, 1, SEC, &maxwin);
	assert_true(total < 600);
	/* and ten calm seconds later it is back */
	(void)drive(&p, 2 * SEC, 1000, 12, SEC, &maxwin);
	assert_true(p.rate >= 999.0);
	/* never below one a second */
	wa_send_pace_init(&p, 1, 0);
	wa_send_pace_slow(&p, 0);
	assert_true(p.rate >= 1.0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rate),
		cmocka_unit_test(test_even),
		cmocka_unit_test(test_slow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
