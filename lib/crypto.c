#include <limits.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "crypto.h"

void
wa_crypto_sha256(const void *p, size_t n, unsigned char out[WA_SHA256_LEN])
{
	unsigned int	len = WA_SHA256_LEN;

	EVP_Digest(p, n, out, &len, EVP_sha256(), NULL);
}

void
wa_crypto_hmac_sha256(const void *key, size_t keylen, const void *data,
    size_t len, unsigned char out[WA_SHA256_LEN])
{
	unsigned int	olen = WA_SHA256_LEN;

	if (keylen > INT_MAX)
		keylen = INT_MAX;
	HMAC(EVP_sha256(), key, (int)keylen, data, len, out, &olen);
}

int
wa_crypto_eq(const void *a, const void *b, size_t n)
{
	return CRYPTO_memcmp(a, b, n) == 0;
}

void
wa_crypto_wipe(void *p, size_t n)
{
	OPENSSL_cleanse(p, n);
}

int
wa_crypto_random(void *p, size_t n)
{
	if (n > INT_MAX)
		return -1;
	return RAND_bytes(p, (int)n) == 1 ? 0 : -1;
}

void
wa_crypto_hex(const unsigned char *in, size_t n, char *out)
{
	static const char	hex[] = "0123456789abcdef";
	size_t			i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hex[in[i] >> 4];
		out[2 * i + 1] = hex[in[i] & 15];
	}
	out[2 * n] = '\0';
}

int
wa_crypto_hexdigit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
wa_crypto_unhex(const char *in, unsigned char *out, size_t outlen)
{
	size_t	i;
	int	hi, lo;

	if (in == NULL || strlen(in) != outlen * 2)
		return -1;
	for (i = 0; i < outlen; i++) {
		if ((hi = wa_crypto_hexdigit((unsigned char)in[2 * i])) < 0 ||
		    (lo = wa_crypto_hexdigit((unsigned char)in[2 * i + 1])) < 0)
			return -1;
		out[i] = (unsigned char)(hi * 16 + lo);
	}
	return 0;
}

/* The 16 bytes b with version v and the RFC 9562 variant, as text. */
static void
uuid_format(unsigned char b[16], unsigned v, char out[37])
{
	char	hex[33];

	b[6] = (unsigned char)((b[6] & 0x0f) | (v << 4));
	b[8] = (b[8] & 0x3f) | 0x80;
	wa_crypto_hex(b, 16, hex);
	memcpy(out, hex, 8);
	out[8] = '-';
	memcpy(out + 9, hex + 8, 4);
	out[13] = '-';
	memcpy(out + 14, hex + 12, 4);
	out[18] = '-';
	memcpy(out + 19, hex + 16, 4);
	out[23] = '-';
	memcpy(out + 24, hex + 20, 12);
	out[36] = '\0';
}

int
wa_crypto_uuid4(char out[37])
{
	unsigned char	b[16];

	if (wa_crypto_random(b, sizeof(b)) != 0)
		return -1;
	uuid_format(b, 4, out);
	return 0;
}

int
wa_crypto_uuid7(uint64_t unix_ms, char out[37])
{
	unsigned char	b[16];
	int		i;

	if (wa_crypto_random(b + 6, sizeof(b) - 6) != 0)
		return -1;
	for (i = 5; i >= 0; i--, unix_ms >>= 8)
		b[i] = (unsigned char)(unix_ms & 0xff);
	uuid_format(b, 7, out);
	return 0;
}

int
wa_crypto_token(char *out, size_t n)
{
	static const char	alpha[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	unsigned char		b[64];
	size_t			i = 0, j;

	/* Rejection sampling: 62 * 4 = 248, so bytes >= 248 are dropped
	 * and every character is equally likely. */
	while (i < n) {
		if (wa_crypto_random(b, sizeof(b)) != 0)
			return -1;
		for (j = 0; j < sizeof(b) && i < n; j++)
			if (b[j] < 248)
				out[i++] = alpha[b[j] % 62];
	}
	out[n] = '\0';
	return 0;
}

int
wa_crypto_seal(const unsigned char key[32], const void *aad, size_t aadlen,
    const void *plain, size_t len, unsigned char *out, size_t *outlen)
{
	EVP_CIPHER_CTX	*ctx;
	unsigned char	*nonce = out + 1, *ct = out + 13;
	int		 n, ok = 0;

	if (len > INT_MAX - 64 || aadlen > INT_MAX)
		return -1;
	out[0] = 0x01;
	if (wa_crypto_random(nonce, 12) != 0)
		return -1;
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL)
		return -1;
	if (EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, nonce) != 1)
		goto out;
	if (aadlen > 0 &&
	    EVP_EncryptUpdate(ctx, NULL, &n, aad, (int)aadlen) != 1)
		goto out;
	if (EVP_EncryptUpdate(ctx, ct, &n, plain, (int)len) != 1)
		goto out;
	if (EVP_EncryptFinal_ex(ctx, ct + n, &n) != 1)
		goto out;
	if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, ct + len) != 1)
		goto out;
	*outlen = len + WA_SEAL_OVERHEAD;
	ok = 1;
out:
	EVP_CIPHER_CTX_free(ctx);
	return ok ? 0 : -1;
}

int
wa_crypto_open(const unsigned char key[32], const void *aad, size_t aadlen,
    const unsigned char *sealed, size_t len, unsigned char *out,
    size_t *outlen)
{
	EVP_CIPHER_CTX	*ctx;
	unsigned char	 tag[16];
	size_t		 ctlen;
	int		 n, ok = 0;

	if (len < WA_SEAL_OVERHEAD || sealed[0] != 0x01 ||
	    len > INT_MAX || aadlen > INT_MAX)
		return -1;
	ctlen = len - WA_SEAL_OVERHEAD;
	memcpy(tag, sealed + 13 + ctlen, 16);
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL)
		return -1;
	if (EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key,
	    sealed + 1) != 1)
		goto out;
	if (aadlen > 0 &&
	    EVP_DecryptUpdate(ctx, NULL, &n, aad, (int)aadlen) != 1)
		goto out;
	if (EVP_DecryptUpdate(ctx, out, &n, sealed + 13, (int)ctlen) != 1)
		goto out;
	if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, tag) != 1)
		goto out;
	if (EVP_DecryptFinal_ex(ctx, out + n, &n) != 1)
		goto out;
	*outlen = ctlen;
	ok = 1;
out:
	EVP_CIPHER_CTX_free(ctx);
	if (!ok)
		OPENSSL_cleanse(out, ctlen);
	return ok ? 0 : -1;
}
