#include "utf8.h"

/* Continuation bytes: 10xxxxxx. */
#define CONT(b)	(((b) & 0xc0) == 0x80)

size_t
wa_utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
	unsigned char	c = s[0];
	uint32_t	v;
	size_t		n;

	if (c < 0x80) {
		v = c;
		n = 1;
	} else if (c >= 0xc2 && c <= 0xdf) {
		if (len < 2 || !CONT(s[1]))
			return 0;
		v = (uint32_t)(c & 0x1f) << 6 | (s[1] & 0x3f);
		n = 2;
	} else if (c >= 0xe0 && c <= 0xef) {
		if (len < 3 || !CONT(s[1]) || !CONT(s[2]))
			return 0;
		if (c == 0xe0 && s[1] < 0xa0)
			return 0;	/* overlong */
		if (c == 0xed && s[1] >= 0xa0)
			return 0;	/* UTF-16 surrogate */
		v = (uint32_t)(c & 0x0f) << 12 | (uint32_t)(s[1] & 0x3f) << 6 |
		    (s[2] & 0x3f);
		n = 3;
	} else if (c >= 0xf0 && c <= 0xf4) {
		if (len < 4 || !CONT(s[1]) || !CONT(s[2]) || !CONT(s[3]))
			return 0;
		if (c == 0xf0 && s[1] < 0x90)
			return 0;	/* overlong */
		if (c == 0xf4 && s[1] >= 0x90)
			return 0;	/* above U+10FFFF */
		v = (uint32_t)(c & 0x07) << 18 | (uint32_t)(s[1] & 0x3f) << 12 |
		    (uint32_t)(s[2] & 0x3f) << 6 | (s[3] & 0x3f);
		n = 4;
	} else
		return 0;
	if (cp != NULL)
		*cp = v;
	return n;
}

size_t
wa_utf8_seq(const unsigned char *s, size_t len)
{
	return wa_utf8_decode(s, len, NULL);
}

uint32_t
wa_utf8_next(const char *s, size_t len, size_t *i)
{
	const unsigned char	*p = (const unsigned char *)s + *i;
	uint32_t		 cp;
	size_t			 n;

	if ((n = wa_utf8_decode(p, len - *i, &cp)) == 0) {
		cp = p[0];
		n = 1;
	}
	*i += n;
	return cp;
}

int
wa_utf8_valid(const char *s, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i = 0, n;

	while (i < len) {
		if (p[i] == '\0')
			return 0;
		if ((n = wa_utf8_seq(p + i, len - i)) == 0)
			return 0;
		i += n;
	}
	return 1;
}

size_t
wa_utf8_count(const char *s, size_t len)
{
	size_t	i = 0, cnt = 0;

	while (i < len) {
		(void)wa_utf8_next(s, len, &i);
		cnt++;
	}
	return cnt;
}

size_t
wa_utf8_prefix(const char *s, size_t len, size_t max)
{
	size_t	i = 0, n = 0;

	while (i < len && n < max) {
		(void)wa_utf8_next(s, len, &i);
		n++;
	}
	return i;
}

size_t
wa_utf8_cut(const char *s, size_t len, size_t max)
{
	size_t	i = 0, j;

	if (len <= max)
		return len;
	for (;;) {
		j = i;
		(void)wa_utf8_next(s, len, &j);
		if (j > max)
			return i;
		i = j;
	}
}
