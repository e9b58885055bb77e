/*
 * crypto: hashing, MACs, authenticated encryption and random ids, on
 * OpenSSL.  Secrets handled here are never logged by callers.
 */
#ifndef WA_CRYPTO_H
#define WA_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#define WA_SHA256_LEN		32
#define WA_SEAL_OVERHEAD	(1 + 12 + 16)	/* version, nonce, tag */

void	wa_crypto_sha256(const void *, size_t,
	    unsigned char out[WA_SHA256_LEN]);
void	wa_crypto_hmac_sha256(const void *key, size_t keylen,
	    const void *data, size_t len, unsigned char out[WA_SHA256_LEN]);

/* Constant-time comparison of n bytes: 1 if equal, 0 if not. */
int	wa_crypto_eq(const void *, const void *, size_t n);

/* Zeroes n bytes the compiler may not optimise away (a secret). */
void	wa_crypto_wipe(void *, size_t n);

/* Cryptographically strong random bytes: 0, or -1 if the RNG failed. */
int	wa_crypto_random(void *, size_t);

/* Random UUID v4, lower case, into out[37]: 0 or -1. */
int	wa_crypto_uuid4(char out[37]);

/* UUID v7 (RFC 9562): 48 bits of unix_ms, then random bits; ids made so
 * grow at the right end of an index.  Into out[37]: 0 or -1. */
int	wa_crypto_uuid7(uint64_t unix_ms, char out[37]);

/* n random characters from [A-Za-z0-9] plus NUL into out[n + 1]. */
int	wa_crypto_token(char *out, size_t n);

/* Lower-case hex of in[0..n) into out[2n + 1]. */
void	wa_crypto_hex(const unsigned char *in, size_t n, char *out);

/* Value of one hex digit (either case), or -1. */
int	wa_crypto_hexdigit(int c);

/* Parses exactly 2*outlen hex digits: 0, or -1 on any other input. */
int	wa_crypto_unhex(const char *in, unsigned char *out, size_t outlen);

/*
 * AES-256-GCM.  Sealed form: 0x01 | nonce(12) | ciphertext | tag(16), so
 * out needs len + WA_SEAL_OVERHEAD bytes.  `aad` binds the ciphertext to
 * its context (an org id and a column name): a value copied to another
 * row does not open.  Both return 0, or -1 (open: wrong key, wrong aad,
 * tampered data).
 */
int	wa_crypto_seal(const unsigned char key[32], const void *aad,
	    size_t aadlen, const void *plain, size_t len, unsigned char *out,
	    size_t *outlen);
int	wa_crypto_open(const unsigned char key[32], const void *aad,
	    size_t aadlen, const unsigned char *sealed, size_t len,
	    unsigned char *out, size_t *outlen);

#endif /* WA_CRYPTO_H */
