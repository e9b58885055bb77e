/*
 * utf8: strict UTF-8 decoding (RFC 3629): no overlong forms, no
 * surrogates, nothing above U+10FFFF.
 */
#ifndef WA_UTF8_H
#define WA_UTF8_H

#include <stddef.h>

/* Length (1-4) of the valid sequence at s[0..len), or 0 if s does not
 * start with one.  len must be > 0. */
size_t	wa_utf8_seq(const unsigned char *s, size_t len);

/* 1 if s[0..len) is entirely valid UTF-8 with no NUL byte, else 0. */
int	wa_utf8_valid(const char *s, size_t len);

/* Number of code points in a valid string (counts invalid bytes as
 * one each, so it never exceeds len). */
size_t	wa_utf8_count(const char *s, size_t len);

#endif /* WA_UTF8_H */
