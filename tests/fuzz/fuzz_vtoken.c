/*
 * libFuzzer target: wa_vtoken_check(), the web chat's visitor tokens.
 *
 * The first byte picks the mode: odd, the rest is a token as a client
 * may send it; even, the rest is the token's payload (any bytes, JSON or
 * not) under a header and a signature made here with the right key, so
 * that libjwt's JSON parsing and the claim checks behind the signature
 * are reached too.
 *
 * Properties: no crash or leak; a token accepted has the three ids as
 * UUIDs and now inside [iat - 60, exp).
 */
#include <openssl/evp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "valid.h"
#include "vtoken.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define NOW	1796000000

/* base64url without padding of in[0..n) into out (4n/3 + 4 bytes). */
static size_t
b64url(const uint8_t *in, size_t n, char *out)
{
	size_t	len, i;

	len = (size_t)EVP_EncodeBlock((unsigned char *)out, in, (int)n);
	while (len > 0 && out[len - 1] == '=')
		len--;
	for (i = 0; i < len; i++)
		out[i] = out[i] == '+' ? '-' : out[i] == '/' ? '_' : out[i];
	out[len] = '\0';
	return len;
}

static void
check(const unsigned char key[32], const char *tok)
{
	struct wa_vtoken	t;

	if (wa_vtoken_check(key, tok, NOW, &t) == 0 &&
	    (!wa_valid_uuid(t.org_id) || !wa_valid_uuid(t.channel_id) ||
	    !wa_valid_uuid(t.visitor_id) || NOW < t.iat - 60 ||
	    NOW >= t.exp))
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char	 hdr[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
	unsigned char		 secret[32], key[32], mac[32];
	char			*tok, *p;
	size_t			 n;

	if (size < 1 || size > 4096)
		return 0;
	memset(secret, 0x5a, sizeof(secret));
	wa_vtoken_key(secret, key);
	tok = malloc(2 * size + 256);
	if (tok == NULL)
		return 0;
	if (data[0] & 1) {
		memcpy(tok, data + 1, size - 1);
		tok[size - 1] = '\0';
	} else {
		n = b64url((const uint8_t *)hdr, sizeof(hdr) - 1, tok);
		tok[n++] = '.';
		n += b64url(data + 1, size - 1, tok + n);
		wa_crypto_hmac_sha256(key, sizeof(key), tok, n, mac);
		p = tok + n;
		*p++ = '.';
		b64url(mac, sizeof(mac), p);
	}
	check(key, tok);
	free(tok);
	return 0;
}
