/*
 * utf8: the one UTF-8 decoder of wagate, strict (RFC 3629): no overlong
 * forms, no surrogates, nothing above U+10FFFF.
 */
#ifndef WA_UTF8_H
#define WA_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Decodes the valid sequence at s[0..len) into *cp (may be NULL) and
 * returns its length (1-4), or 0 if s does not start with one.  len
 * must be > 0. */
size_t		wa_utf8_decode(const unsigned char *s, size_t len,
		    uint32_t *cp);

/* Length (1-4) of the valid sequence at s[0..len), or 0. */
size_t		wa_utf8_seq(const unsigned char *s, size_t len);

/* The code point at s[*i], advancing *i past it; a byte that starts no
 * valid sequence is returned as its own value and skipped alone. */
uint32_t	wa_utf8_next(const char *s, size_t len, size_t *i);

/* 1 if s[0..len) is entirely valid UTF-8 with no NUL byte, else 0. */
int		wa_utf8_valid(const char *s, size_t len);

/* Number of code points in a valid string (counts invalid bytes as
 * one each, so it never exceeds len). */
size_t		wa_utf8_count(const char *s, size_t len);

/* Bytes taken by the first max code points of s[0..len). */
size_t		wa_utf8_prefix(const char *s, size_t len, size_t max);

/* The longest prefix of s[0..len) of at most max bytes that does not
 * end inside a sequence: where to cut text that is quoted back. */
size_t		wa_utf8_cut(const char *s, size_t len, size_t max);

#endif /* WA_UTF8_H */
