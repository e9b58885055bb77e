/*
 * url: percent-decoding and -encoding of paths and query strings
 * (RFC 3986).
 */
#ifndef WA_URL_H
#define WA_URL_H

#include <stddef.h>

struct wa_arena;

/*
 * Decodes s[0..len) into a new arena string.  With plus_is_space, '+'
 * becomes ' ' (query strings).  Fails (returns NULL) on a truncated or
 * non-hex escape and on an encoded NUL; *outlen gets the decoded length.
 */
char	*wa_url_decode(struct wa_arena *, const char *s, size_t len,
	    int plus_is_space, size_t *outlen);

/*
 * s percent-encoded for a query value: every byte but the unreserved
 * ALPHA / DIGIT / "-" / "." / "_" / "~" becomes %XX.
 */
char	*wa_url_encode(struct wa_arena *, const char *s);

#endif /* WA_URL_H */
