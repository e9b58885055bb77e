#include <stdio.h>
#include <time.h>

#include "clock.h"

int64_t
wa_clock_now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
wa_clock_mono_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

char *
wa_clock_rfc3339(char *buf, size_t bufsz, int64_t ms)
{
	struct tm	tm;
	time_t		t;
	int		msec;

	if (bufsz == 0)
		return buf;
	t = (time_t)(ms / 1000);
	msec = (int)(ms % 1000);
	if (msec < 0) {
		msec += 1000;
		t--;
	}
	if (gmtime_r(&t, &tm) == NULL) {
		buf[0] = '\0';
		return buf;
	}
	snprintf(buf, bufsz, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
	    tm.tm_hour, tm.tm_min, tm.tm_sec, msec);
	return buf;
}
