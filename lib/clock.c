#include <ctype.h>
#include <stdio.h>
#include <string.h>
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

static int
digits(const char *s, size_t n, int *out)
{
	size_t	i;
	int	v = 0;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return 0;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 1;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static int64_t
days_from_civil(int y, int m, int d)
{
	int64_t	era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int
month_days(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return days[m - 1];
}

int
wa_clock_parse(const char *s, int64_t *ms)
{
	int		 y, mo, d, h, mi, sec, oh, om, frac = 0, scale = 100;
	size_t		 n = strlen(s), i = 19;
	int64_t		 off = 0;

	if (n < 20 || n > 40 || s[4] != '-' || s[7] != '-' ||
	    (s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':' ||
	    !digits(s, 4, &y) || !digits(s + 5, 2, &mo) ||
	    !digits(s + 8, 2, &d) || !digits(s + 11, 2, &h) ||
	    !digits(s + 14, 2, &mi) || !digits(s + 17, 2, &sec))
		return 0;
	if (mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo) || h > 23 ||
	    mi > 59 || sec > 59)
		return 0;
	if (s[i] == '.') {
		if (!isdigit((unsigned char)s[++i]))
			return 0;
		for (; isdigit((unsigned char)s[i]); i++) {
			frac += (s[i] - '0') * scale;
			scale /= 10;
		}
	}
	if ((s[i] == 'Z' || s[i] == 'z') && s[i + 1] == '\0')
		off = 0;
	else if ((s[i] == '+' || s[i] == '-') && n - i == 6 &&
	    s[i + 3] == ':' && digits(s + i + 1, 2, &oh) &&
	    digits(s + i + 4, 2, &om) && oh <= 23 && om <= 59)
		off = (s[i] == '+' ? 1 : -1) * (int64_t)(oh * 60 + om) * 60000;
	else
		return 0;
	*ms = ((days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 +
	    sec) * 1000 + frac) - off;
	return 1;
}
