/*
 * valid: pure validators for values that arrive from outside.
 *
 * Each takes a NUL-terminated string and returns 1 if it is acceptable,
 * 0 if not.  None allocates; all are safe on any input, including NULL.
 */
#ifndef WA_VALID_H
#define WA_VALID_H

#include <stddef.h>
#include <stdint.h>

#define WA_E164_MAX		16	/* '+' and up to 15 digits */
#define WA_EMAIL_MAX		254
#define WA_URL_MAX		2048
#define WA_IDEM_KEY_MAX		255

int	wa_valid_uuid(const char *);
int	wa_valid_e164(const char *);
int	wa_valid_email(const char *);
int	wa_valid_url(const char *);	/* absolute http(s) URL */
int	wa_valid_country(const char *);	/* ISO 3166-1 alpha-2, upper case */
int	wa_valid_luhn(const char *);	/* digits only, checksum ok */
int	wa_valid_card_number(const char *);	/* 13-19 digits + Luhn */
int	wa_valid_cvc(const char *);	/* 3 or 4 digits */
int	wa_valid_zip(const char *);	/* 3-10 letters, digits, space, '-' */
int	wa_valid_short_name(const char *); /* 3-11 alnum/space, >=1 letter */
int	wa_valid_idem_key(const char *); /* 1-255 printable ASCII, no space */

/* MM/YY, month 01-12, not before the month of now_ms (UTC). */
int	wa_valid_expiry(const char *, int64_t now_ms);

/*
 * Normalizes a phone number written by a person ("+1 (555) 010-2030",
 * "0044 20 7946 0958") to E.164 into out (WA_E164_MAX + 1 bytes).
 * Spaces, dots, dashes and parentheses are dropped; a leading "00"
 * becomes "+".  Returns 1 and fills out if the result is valid E.164.
 */
int	wa_e164_normalize(const char *in, char *out, size_t outsz);

#endif /* WA_VALID_H */
