/*
 * libFuzzer target: wa_stripe_signature_ok(), the check of a webhook's
 * Stripe-Signature header (outside bytes: anyone may post to the
 * webhook route) over its body.
 *
 * The first byte picks the mode.  Even: the rest is a header up to the
 * first newline (cut at a NUL, as a header is text) and the body after
 * it, checked under a fixed secret.  Odd: the rest is a secret (its
 * first byte is its length) and a body, signed here as Stripe signs, at
 * a time that the next byte puts up to 600 s on either side of now.
 *
 * Properties: the answer is 0 or -1, with why NULL exactly when 0 and
 * one of the documented reasons otherwise; a header accepted holds
 * "v1=" and the HMAC-SHA256 of "<its t>.<body>" under the secret; a
 * header signed here is accepted exactly when its time is within the
 * tolerance, and refused as "bad signature" once a byte of the body
 * changes.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "stripe.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define NOW	1700000000
#define SECRET	"whsec_fuzz"

static int
reason_ok(int rc, const char *why)
{
	static const char *const known[] = { "no signature",
	    "bad signature header", "bad signature", "too old",
	    "from the future", "out of memory", NULL };
	const char *const	*k;

	if (rc == 0)
		return why == NULL;
	if (rc != -1 || why == NULL)
		return 0;
	for (k = known; *k != NULL; k++)
		if (strcmp(*k, why) == 0)
			return 1;
	return 0;
}

/* The lower-case hex HMAC of "<t>.<body>" under secret into hex[65]. */
static void
sign(const char *secret, const char *t, size_t tn, const char *body,
    size_t len, char hex[65])
{
	unsigned char	 mac[WA_SHA256_LEN];
	char		*m = malloc(tn + 1 + len + 1);

	if (m == NULL)
		abort();
	memcpy(m, t, tn);
	m[tn] = '.';
	memcpy(m + tn + 1, body, len);
	wa_crypto_hmac_sha256(secret, strlen(secret), m, tn + 1 + len, mac);
	wa_crypto_hex(mac, sizeof(mac), hex);
	free(m);
}

/* 1 if some "t=<digits>" of h and some "v1=<64 hex digits>" of h make
 * the signature of body (hex in either case). */
static int
holds(const char *h, const char *body, size_t blen)
{
	const char	*t, *v;
	char		 hex[65];
	size_t		 tn, i;

	for (t = strstr(h, "t="); t != NULL; t = strstr(t + 1, "t=")) {
		if ((tn = strspn(t + 2, "0123456789")) == 0)
			continue;
		sign(SECRET, t + 2, tn, body, blen, hex);
		for (v = strstr(h, "v1="); v != NULL; v = strstr(v + 1,
		    "v1=")) {
			for (i = 0; i < 64 && v[3 + i] != '\0' &&
			    (v[3 + i] | 0x20) == hex[i]; i++)
				;
			if (i == 64)
				return 1;
		}
	}
	return 0;
}

/* Mode even: any header; accepted only with the real signature. */
static void
any_header(const char *data, size_t len)
{
	const char	*nl = memchr(data, '\n', len), *why;
	size_t		 hn = nl != NULL ? (size_t)(nl - data) : len;
	const char	*body = nl != NULL ? nl + 1 : data + len;
	size_t		 blen = nl != NULL ? len - hn - 1 : 0;
	char		*h;
	int		 rc;

	if ((h = malloc(hn + 1)) == NULL)
		abort();
	memcpy(h, data, hn);
	h[hn] = '\0';
	rc = wa_stripe_signature_ok(SECRET, h, body, blen, NOW, &why);
	if (!reason_ok(rc, why) || (rc == 0 && !holds(h, body, blen)))
		abort();
	free(h);
}

/* Mode odd: a header signed here. */
static void
signed_header(const uint8_t *data, size_t len)
{
	char		 secret[64], t[24], hex[65], header[160], *body;
	const char	*why;
	size_t		 sn, blen;
	long		 skew;
	int		 rc;

	if (len < 2)
		return;
	skew = (long)data[0] * 600 / 255 - 300;	/* -300 .. 300 */
	skew += data[0] & 1 ? 1 : -1;		/* and just past it */
	sn = data[1] % sizeof(secret);
	data += 2;
	len -= 2;
	if (sn > len)
		sn = len;
	memcpy(secret, data, sn);
	secret[sn] = '\0';		/* up to a NUL, as a secret is text */
	if (secret[0] == '\0')
		snprintf(secret, sizeof(secret), "%s", SECRET);
	blen = len - sn;
	if ((body = malloc(blen + 1)) == NULL)
		abort();
	memcpy(body, data + sn, blen);
	snprintf(t, sizeof(t), "%ld", (long)NOW + skew);
	sign(secret, t, strlen(t), body, blen, hex);
	snprintf(header, sizeof(header), "t=%s,v1=%s,v0=%s", t, hex, hex);
	rc = wa_stripe_signature_ok(secret, header, body, blen, NOW, &why);
	if (!reason_ok(rc, why))
		abort();
	if ((rc == 0) != (skew >= -WA_STRIPE_TOLERANCE_S &&
	    skew <= WA_STRIPE_TOLERANCE_S))
		abort();
	if (blen > 0) {
		body[blen / 2] ^= 0x01;
		rc = wa_stripe_signature_ok(secret, header, body, blen, NOW,
		    &why);
		if (rc != -1 || why == NULL || strcmp(why, "bad signature") !=
		    0)
			abort();
	}
	free(body);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	if (len == 0)
		return 0;
	if (data[0] & 1)
		signed_header(data + 1, len - 1);
	else
		any_header((const char *)data + 1, len - 1);
	return 0;
}
