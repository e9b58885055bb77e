/*
 * The validators are deliberately conservative: they accept what the
 * platforms we mimic document and what real data looks like, and they
 * never try to be a full grammar (RFC 5322 addresses with comments are
 * refused, as every mail form on the web does).
 */
#include <ctype.h>
#include <string.h>
#include <time.h>

#include "utf8.h"
#include "valid.h"

static int
is_hex(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

int
wa_valid_uuid(const char *s)
{
	size_t	i;

	if (s == NULL || strlen(s) != 36)
		return 0;
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!is_hex((unsigned char)s[i]))
			return 0;
	}
	return 1;
}

int
wa_valid_e164(const char *s)
{
	size_t	n;

	if (s == NULL || s[0] != '+' || s[1] < '1' || s[1] > '9')
		return 0;
	for (n = 1; s[n] != '\0'; n++)
		if (!is_digit((unsigned char)s[n]))
			return 0;
	/* ITU-T E.164: at most 15 digits; 7 is the shortest in use. */
	return n - 1 >= 7 && n - 1 <= 15;
}

int
wa_e164_normalize(const char *in, char *out, size_t outsz)
{
	size_t	o = 0;
	const char *p = in;

	if (in == NULL || outsz < WA_E164_MAX + 1)
		return 0;
	while (*p == ' ' || *p == '\t')
		p++;
	if (p[0] == '0' && p[1] == '0')
		p += 2;
	else if (p[0] == '+')
		p++;
	else
		return 0;
	out[o++] = '+';
	for (; *p != '\0'; p++) {
		if (*p == ' ' || *p == '-' || *p == '.' || *p == '(' ||
		    *p == ')' || *p == '\t')
			continue;
		if (!is_digit((unsigned char)*p) || o >= WA_E164_MAX)
			return 0;
		out[o++] = *p;
	}
	out[o] = '\0';
	return wa_valid_e164(out);
}

static int
valid_label(const char *s, size_t n)
{
	size_t	i;

	if (n == 0 || n > 63 || s[0] == '-' || s[n - 1] == '-')
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!is_alpha(c) && !is_digit(c) && c != '-' && c < 0x80)
			return 0;
		if (c < 0x80 && c <= ' ')
			return 0;
	}
	return 1;
}

/* host: dot-separated labels, at least two, or an IPv4 literal. */
static int
valid_host(const char *s, size_t n, int need_dot)
{
	size_t	i, start = 0, labels = 0;

	if (n == 0 || n > 253)
		return 0;
	for (i = 0; i <= n; i++) {
		if (i == n || s[i] == '.') {
			if (!valid_label(s + start, i - start))
				return 0;
			labels++;
			start = i + 1;
		}
	}
	return !need_dot || labels >= 2;
}

int
wa_valid_email(const char *s)
{
	const char	*at;
	size_t		 n, local, i;

	if (s == NULL || (n = strlen(s)) == 0 || n > WA_EMAIL_MAX)
		return 0;
	if ((at = strchr(s, '@')) == NULL || strchr(at + 1, '@') != NULL)
		return 0;
	local = (size_t)(at - s);
	if (local == 0 || local > 64 || s[0] == '.' || s[local - 1] == '.')
		return 0;
	for (i = 0; i < local; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c <= ' ' || c == 0x7f || strchr("\"(),:;<>[\\]", c))
			return 0;
		if (c == '.' && s[i + 1] == '.')
			return 0;
	}
	/* an internationalized domain must at least be UTF-8 */
	if (!wa_utf8_valid(at + 1, n - local - 1))
		return 0;
	return valid_host(at + 1, n - local - 1, 1);
}

int
wa_valid_url(const char *s)
{
	const char	*p, *host, *end;
	size_t		 n, i;

	if (s == NULL || (n = strlen(s)) == 0 || n > WA_URL_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c <= ' ' || c == 0x7f || c == '"' || c == '<' ||
		    c == '>' || c == '\\')
			return 0;
	}
	if (strncmp(s, "https://", 8) == 0)
		host = s + 8;
	else if (strncmp(s, "http://", 7) == 0)
		host = s + 7;
	else
		return 0;
	/* userinfo is refused: it hides the real host from readers */
	end = host + strcspn(host, "/?#");
	for (p = host; p < end; p++)
		if (*p == '@')
			return 0;
	/* optional :port */
	for (p = host; p < end && *p != ':'; p++)
		;
	if (p < end) {
		const char *q;
		long port = 0;
		if (p + 1 == end)
			return 0;
		for (q = p + 1; q < end; q++) {
			if (!is_digit((unsigned char)*q))
				return 0;
			port = port * 10 + (*q - '0');
			if (port > 65535)
				return 0;
		}
		if (port == 0)
			return 0;
	}
	if (p - host == 9 && strncmp(host, "localhost", 9) == 0)
		return 1;
	return valid_host(host, (size_t)(p - host), 1);
}

int
wa_valid_country(const char *s)
{
	return s != NULL && s[0] >= 'A' && s[0] <= 'Z' &&
	    s[1] >= 'A' && s[1] <= 'Z' && s[2] == '\0';
}

int
wa_valid_luhn(const char *s)
{
	size_t	n, i;
	int	sum = 0, d, dbl = 0;

	if (s == NULL || (n = strlen(s)) == 0)
		return 0;
	for (i = n; i-- > 0;) {
		if (!is_digit((unsigned char)s[i]))
			return 0;
		d = s[i] - '0';
		if (dbl) {
			d *= 2;
			if (d > 9)
				d -= 9;
		}
		sum += d;
		dbl = !dbl;
	}
	return sum % 10 == 0;
}

int
wa_valid_card_number(const char *s)
{
	size_t	n;

	if (s == NULL || (n = strlen(s)) < 13 || n > 19)
		return 0;
	return wa_valid_luhn(s);
}

int
wa_valid_cvc(const char *s)
{
	size_t	n;

	if (s == NULL || ((n = strlen(s)) != 3 && n != 4))
		return 0;
	return is_digit((unsigned char)s[0]) && is_digit((unsigned char)s[1]) &&
	    is_digit((unsigned char)s[2]) &&
	    (n == 3 || is_digit((unsigned char)s[3]));
}

int
wa_valid_zip(const char *s)
{
	size_t	n, i, alnum = 0;

	if (s == NULL || (n = strlen(s)) < 3 || n > 10)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (is_alpha(c) || is_digit(c))
			alnum++;
		else if (c != ' ' && c != '-')
			return 0;
	}
	return alnum >= 3;
}

int
wa_valid_expiry(const char *s, int64_t now_ms)
{
	struct tm	tm;
	time_t		t;
	int		mm, yy;

	if (s == NULL || strlen(s) != 5 || s[2] != '/' ||
	    !is_digit((unsigned char)s[0]) || !is_digit((unsigned char)s[1]) ||
	    !is_digit((unsigned char)s[3]) || !is_digit((unsigned char)s[4]))
		return 0;
	mm = (s[0] - '0') * 10 + (s[1] - '0');
	yy = (s[3] - '0') * 10 + (s[4] - '0');
	if (mm < 1 || mm > 12)
		return 0;
	t = (time_t)(now_ms / 1000);
	if (gmtime_r(&t, &tm) == NULL)
		return 0;
	/* A card is valid through the last day of its expiry month. */
	return 2000 + yy > tm.tm_year + 1900 ||
	    (2000 + yy == tm.tm_year + 1900 && mm >= tm.tm_mon + 1);
}

int
wa_valid_short_name(const char *s)
{
	size_t	n, i;
	int	letter = 0;

	if (s == NULL || (n = strlen(s)) < 3 || n > 11)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (is_alpha(c))
			letter = 1;
		else if (!is_digit(c) && c != ' ')
			return 0;
	}
	return letter;
}

int
wa_valid_idem_key(const char *s)
{
	size_t	n, i;

	if (s == NULL || (n = strlen(s)) == 0 || n > WA_IDEM_KEY_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f)
			return 0;
	return 1;
}
