#include <string.h>

#include "arena.h"
#include "crypto.h"
#include "url.h"

char *
wa_url_decode(struct wa_arena *a, const char *s, size_t len,
    int plus_is_space, size_t *outlen)
{
	char	*out;
	size_t	 i, o = 0;
	int	 hi, lo;

	out = wa_arena_alloc(a, len + 1);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '%') {
			if (len - i < 3)
				return NULL;
			hi = wa_crypto_hexdigit((unsigned char)s[i + 1]);
			lo = wa_crypto_hexdigit((unsigned char)s[i + 2]);
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
				return NULL;
			out[o++] = (char)(hi * 16 + lo);
			i += 2;
		} else if (c == '+' && plus_is_space)
			out[o++] = ' ';
		else if (c == '\0')
			return NULL;
		else
			out[o++] = (char)c;
	}
	out[o] = '\0';
	if (outlen != NULL)
		*outlen = o;
	return out;
}

char *
wa_url_encode(struct wa_arena *a, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char	*p;
	char			*out, *o;

	o = out = wa_arena_alloc(a, 3 * strlen(s) + 1);
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' ||
		    *p == '_' || *p == '~') {
			*o++ = (char)*p;
			continue;
		}
		*o++ = '%';
		*o++ = hex[*p >> 4];
		*o++ = hex[*p & 15];
	}
	*o = '\0';
	return out;
}
