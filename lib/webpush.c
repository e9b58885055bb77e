/*
 * Web Push (webpush.h) on OpenSSL 3: the P-256 keys are built from
 * their raw forms with EVP_PKEY_fromdata, the public point of a scalar
 * computed with the EC_POINT functions (not deprecated, unlike EC_KEY),
 * ECDH is EVP_PKEY_derive, HKDF is written out over HMAC-SHA256 (every
 * output here fits in one HMAC block), and the ES256 signature of the
 * VAPID JWT is converted from DER to the raw r || s of JOSE.
 *
 * Secrets (scalars, ECDH output, derived keys) are wiped before
 * return; OpenSSL objects are freed before return; what is returned is
 * arena memory.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>

#include "arena.h"
#include "crypto.h"
#include "webpush.h"

#define PUB_LEN		65	/* 0x04 || X || Y */
#define PRIV_LEN	32
#define AUTH_LEN	16
#define SALT_LEN	16
#define CEK_LEN		16
#define NONCE_LEN	12
#define TAG_LEN		16
#define SUBJECT_MAX	255

_Static_assert(WA_WEBPUSH_PAYLOAD_MAX + 1 + TAG_LEN <= WA_WEBPUSH_RS,
    "a push is one record");

static const char b64alpha[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static int
b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

/*
 * Decodes s, base64url without padding, of exactly n bytes into out:
 * 0, or -1 (NULL, wrong length, a character outside the alphabet,
 * unused low bits not zero).
 */
static int
b64url_decode(const char *s, unsigned char *out, size_t n)
{
	uint32_t	acc = 0;
	size_t		i, o = 0;
	int		bits = 0, v;

	if (s == NULL || strlen(s) != (n * 8 + 5) / 6)
		return -1;
	for (i = 0; s[i] != '\0'; i++) {
		if ((v = b64val((unsigned char)s[i])) < 0)
			return -1;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	return acc == 0 ? 0 : -1;
}

/* in[0..n) as base64url without padding, arena-owned. */
static char *
b64url_encode(struct wa_arena *a, const void *in, size_t n)
{
	const unsigned char	*p = in;
	char			*out, *q;
	uint32_t		 acc = 0;
	size_t			 i;
	int			 bits = 0;

	out = q = wa_arena_alloc(a, n / 3 * 4 + 5);
	for (i = 0; i < n; i++) {
		acc = (acc << 8) | p[i];
		bits += 8;
		while (bits >= 6) {
			bits -= 6;
			*q++ = b64alpha[(acc >> bits) & 63];
		}
		acc &= (1u << bits) - 1;
	}
	if (bits > 0)
		*q++ = b64alpha[(acc << (6 - bits)) & 63];
	*q = '\0';
	return out;
}

static EC_GROUP *
p256(void)
{
	return EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
}

/*
 * The uncompressed public point of the scalar d into pub: 0, or -1 if
 * d is not in [1, n) (n the order of the group).
 */
static int
ec_public(const unsigned char d[PRIV_LEN], unsigned char pub[PUB_LEN])
{
	EC_GROUP	*g;
	EC_POINT	*pt = NULL;
	BIGNUM		*bn = NULL;
	BN_CTX		*ctx = NULL;
	int		 ok = 0;

	if ((g = p256()) == NULL)
		return -1;
	if ((bn = BN_secure_new()) == NULL ||
	    BN_bin2bn(d, PRIV_LEN, bn) == NULL ||
	    (ctx = BN_CTX_new()) == NULL || (pt = EC_POINT_new(g)) == NULL)
		goto out;
	if (BN_is_zero(bn) || BN_cmp(bn, EC_GROUP_get0_order(g)) >= 0)
		goto out;
	if (EC_POINT_mul(g, pt, bn, NULL, NULL, ctx) != 1 ||
	    EC_POINT_point2oct(g, pt, POINT_CONVERSION_UNCOMPRESSED, pub,
	    PUB_LEN, ctx) != PUB_LEN)
		goto out;
	ok = 1;
out:
	EC_POINT_free(pt);
	BN_CTX_free(ctx);
	BN_clear_free(bn);
	EC_GROUP_free(g);
	if (!ok)
		ERR_clear_error();
	return ok ? 0 : -1;
}

/* 1 if pub is an uncompressed point on P-256 (not infinity), else 0. */
static int
ec_point_ok(const unsigned char pub[PUB_LEN])
{
	EC_GROUP	*g;
	EC_POINT	*pt = NULL;
	int		 ok;

	if (pub[0] != 0x04 || (g = p256()) == NULL)
		return 0;
	ok = (pt = EC_POINT_new(g)) != NULL &&
	    EC_POINT_oct2point(g, pt, pub, PUB_LEN, NULL) == 1 &&
	    EC_POINT_is_on_curve(g, pt, NULL) == 1 &&
	    EC_POINT_is_at_infinity(g, pt) == 0;
	EC_POINT_free(pt);
	EC_GROUP_free(g);
	if (!ok)
		ERR_clear_error();
	return ok;
}

/*
 * A P-256 EVP_PKEY: the pair (d, pub) if d is non-NULL, else the public
 * key pub alone.  NULL on failure.
 */
static EVP_PKEY *
ec_pkey(const unsigned char *d, const unsigned char pub[PUB_LEN])
{
	OSSL_PARAM_BLD	*b;
	OSSL_PARAM	*params = NULL;
	BIGNUM		*bn = NULL;
	EVP_PKEY_CTX	*ctx = NULL;
	EVP_PKEY	*pk = NULL;

	if ((b = OSSL_PARAM_BLD_new()) == NULL)
		return NULL;
	if (OSSL_PARAM_BLD_push_utf8_string(b, OSSL_PKEY_PARAM_GROUP_NAME,
	    "prime256v1", 0) != 1 ||
	    OSSL_PARAM_BLD_push_octet_string(b, OSSL_PKEY_PARAM_PUB_KEY,
	    pub, PUB_LEN) != 1)
		goto out;
	if (d != NULL && ((bn = BN_secure_new()) == NULL ||
	    BN_bin2bn(d, PRIV_LEN, bn) == NULL ||
	    OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_PRIV_KEY, bn) != 1))
		goto out;
	if ((params = OSSL_PARAM_BLD_to_param(b)) == NULL ||
	    (ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &pk, d != NULL ? EVP_PKEY_KEYPAIR :
	    EVP_PKEY_PUBLIC_KEY, params) != 1) {
		EVP_PKEY_free(pk);
		pk = NULL;
	}
out:
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);	/* secure part: cleansed */
	BN_clear_free(bn);
	OSSL_PARAM_BLD_free(b);
	if (pk == NULL)
		ERR_clear_error();
	return pk;
}

/*
 * A key pair (d, pub): d decoded from b64 if non-NULL, else random.
 * 0, or -1 (a bad b64, the RNG failed).
 */
static int
keypair(const char *b64, unsigned char d[PRIV_LEN],
    unsigned char pub[PUB_LEN])
{
	int	i;

	if (b64 != NULL) {
		if (b64url_decode(b64, d, PRIV_LEN) == 0 &&
		    ec_public(d, pub) == 0)
			return 0;
		wa_crypto_wipe(d, PRIV_LEN);
		return -1;
	}
	/* a random 256-bit number is >= n once in 2^32 draws */
	for (i = 0; i < 16; i++)
		if (wa_crypto_random(d, PRIV_LEN) == 0 &&
		    ec_public(d, pub) == 0)
			return 0;
	wa_crypto_wipe(d, PRIV_LEN);
	return -1;
}

/* ECDH of the private key mine with the public key peer: 0 or -1. */
static int
ecdh(EVP_PKEY *mine, EVP_PKEY *peer, unsigned char secret[32])
{
	EVP_PKEY_CTX	*ctx;
	size_t		 n = 32;
	int		 ok;

	if ((ctx = EVP_PKEY_CTX_new_from_pkey(NULL, mine, NULL)) == NULL)
		return -1;
	ok = EVP_PKEY_derive_init(ctx) == 1 &&
	    EVP_PKEY_derive_set_peer(ctx, peer) == 1 &&
	    EVP_PKEY_derive(ctx, secret, &n) == 1 && n == 32;
	EVP_PKEY_CTX_free(ctx);
	if (!ok)
		ERR_clear_error();
	return ok ? 0 : -1;
}

/* HKDF-Expand (RFC 5869) of n <= 32 bytes: T(1) cut to n. */
static void
hkdf_expand(const unsigned char prk[32], const void *info, size_t infolen,
    unsigned char *out, size_t n)
{
	unsigned char	buf[160], t[32];

	memcpy(buf, info, infolen);
	buf[infolen] = 0x01;
	wa_crypto_hmac_sha256(prk, 32, buf, infolen + 1, t);
	memcpy(out, t, n);
	wa_crypto_wipe(t, sizeof(t));
}

/* The content encryption key and nonce of RFC 8291 section 3.4. */
static void
derive(const unsigned char secret[32], const unsigned char auth[AUTH_LEN],
    const unsigned char ua[PUB_LEN], const unsigned char as[PUB_LEN],
    const unsigned char salt[SALT_LEN], unsigned char cek[CEK_LEN],
    unsigned char nonce[NONCE_LEN])
{
	static const char	kinfo[] = "WebPush: info";
	static const char	cinfo[] = "Content-Encoding: aes128gcm";
	static const char	ninfo[] = "Content-Encoding: nonce";
	unsigned char		info[sizeof(kinfo) + 2 * PUB_LEN];
	unsigned char		prk[32], ikm[32];

	/* the three labels are used with their NUL */
	memcpy(info, kinfo, sizeof(kinfo));
	memcpy(info + sizeof(kinfo), ua, PUB_LEN);
	memcpy(info + sizeof(kinfo) + PUB_LEN, as, PUB_LEN);
	wa_crypto_hmac_sha256(auth, AUTH_LEN, secret, 32, prk);
	hkdf_expand(prk, info, sizeof(info), ikm, sizeof(ikm));
	wa_crypto_hmac_sha256(salt, SALT_LEN, ikm, sizeof(ikm), prk);
	hkdf_expand(prk, cinfo, sizeof(cinfo), cek, CEK_LEN);
	hkdf_expand(prk, ninfo, sizeof(ninfo), nonce, NONCE_LEN);
	wa_crypto_wipe(prk, sizeof(prk));
	wa_crypto_wipe(ikm, sizeof(ikm));
}

/* The one record: AES-128-GCM of plain || 0x02, then the tag, into out
 * (len + 1 + TAG_LEN bytes).  0 or -1. */
static int
seal(const unsigned char cek[CEK_LEN], const unsigned char nonce[NONCE_LEN],
    const void *plain, size_t len, unsigned char *out)
{
	static const unsigned char	 delim = 0x02;
	EVP_CIPHER_CTX			*ctx;
	int				 n, m, ok;

	if ((ctx = EVP_CIPHER_CTX_new()) == NULL)
		return -1;
	n = 0;
	ok = EVP_EncryptInit_ex(ctx, EVP_aes_128_gcm(), NULL, cek,
	    nonce) == 1 &&
	    (len == 0 || EVP_EncryptUpdate(ctx, out, &n, plain,
	    (int)len) == 1) &&
	    EVP_EncryptUpdate(ctx, out + n, &m, &delim, 1) == 1 &&
	    EVP_EncryptFinal_ex(ctx, out + n + m, &m) == 1 &&
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, TAG_LEN,
	    out + len + 1) == 1;
	EVP_CIPHER_CTX_free(ctx);
	return ok ? 0 : -1;
}

static int
keys_decode(const char *p256dh_b64, const char *auth_b64,
    unsigned char ua[PUB_LEN], unsigned char auth[AUTH_LEN])
{
	return b64url_decode(p256dh_b64, ua, PUB_LEN) == 0 &&
	    b64url_decode(auth_b64, auth, AUTH_LEN) == 0 && ec_point_ok(ua);
}

int
wa_webpush_keys_valid(const char *p256dh_b64, const char *auth_b64)
{
	unsigned char	ua[PUB_LEN], auth[AUTH_LEN];
	int		ok;

	ok = keys_decode(p256dh_b64, auth_b64, ua, auth);
	wa_crypto_wipe(auth, sizeof(auth));
	return ok;
}

/* The aes128gcm header (RFC 8188 section 2.1) into out. */
static void
header(unsigned char *out, const unsigned char salt[SALT_LEN],
    const unsigned char as[PUB_LEN])
{
	memcpy(out, salt, SALT_LEN);
	out[16] = (WA_WEBPUSH_RS >> 24) & 0xff;
	out[17] = (WA_WEBPUSH_RS >> 16) & 0xff;
	out[18] = (WA_WEBPUSH_RS >> 8) & 0xff;
	out[19] = WA_WEBPUSH_RS & 0xff;
	out[20] = PUB_LEN;
	memcpy(out + 21, as, PUB_LEN);
}

int
wa_webpush_encrypt(struct wa_arena *a, const char *p256dh_b64,
    const char *auth_b64, const void *plaintext, size_t len,
    const unsigned char *salt16, const char *as_private_b64,
    unsigned char **out, size_t *outlen)
{
	unsigned char	 ua[PUB_LEN], auth[AUTH_LEN], d[PRIV_LEN];
	unsigned char	 as[PUB_LEN], salt[SALT_LEN], secret[32];
	unsigned char	 cek[CEK_LEN], nonce[NONCE_LEN], *body;
	EVP_PKEY	*mine = NULL, *peer = NULL;
	int		 ok = 0;

	*out = NULL;
	*outlen = 0;
	if (len > WA_WEBPUSH_PAYLOAD_MAX || (plaintext == NULL && len > 0))
		return -1;
	if (!keys_decode(p256dh_b64, auth_b64, ua, auth) ||
	    keypair(as_private_b64, d, as) != 0)
		goto out;
	if (salt16 != NULL)
		memcpy(salt, salt16, SALT_LEN);
	else if (wa_crypto_random(salt, SALT_LEN) != 0)
		goto out;
	if ((mine = ec_pkey(d, as)) == NULL ||
	    (peer = ec_pkey(NULL, ua)) == NULL ||
	    ecdh(mine, peer, secret) != 0)
		goto out;
	derive(secret, auth, ua, as, salt, cek, nonce);
	body = wa_arena_alloc(a, WA_WEBPUSH_OVERHEAD + len);
	header(body, salt, as);
	if (seal(cek, nonce, plaintext, len,
	    body + WA_WEBPUSH_HEADER_LEN) != 0)
		goto out;
	*out = body;
	*outlen = WA_WEBPUSH_OVERHEAD + len;
	ok = 1;
out:
	EVP_PKEY_free(mine);
	EVP_PKEY_free(peer);
	wa_crypto_wipe(auth, sizeof(auth));
	wa_crypto_wipe(d, sizeof(d));
	wa_crypto_wipe(secret, sizeof(secret));
	wa_crypto_wipe(cek, sizeof(cek));
	wa_crypto_wipe(nonce, sizeof(nonce));
	return ok ? 0 : -1;
}

int
wa_vapid_generate(struct wa_arena *a, const char **private_b64,
    const char **public_b64)
{
	unsigned char	d[PRIV_LEN], pub[PUB_LEN];

	*private_b64 = *public_b64 = NULL;
	if (keypair(NULL, d, pub) != 0)
		return -1;
	*private_b64 = b64url_encode(a, d, sizeof(d));
	*public_b64 = b64url_encode(a, pub, sizeof(pub));
	wa_crypto_wipe(d, sizeof(d));
	return 0;
}

/* "mailto:" or "https://" and more, printable ASCII but ' ', '"', '\'. */
static int
subject_ok(const char *s)
{
	size_t	i;

	if (s == NULL || strlen(s) > SUBJECT_MAX ||
	    (strncmp(s, "mailto:", 7) != 0 && strncmp(s, "https://", 8) != 0))
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if (s[i] <= ' ' || s[i] > '~' || s[i] == '"' || s[i] == '\\')
			return 0;
	return strlen(s) > (s[0] == 'm' ? 7 : 8);
}

/* The pair of v decoded, pub the private key's own: 0, or -1. */
static int
vapid_key(const struct wa_vapid *v, unsigned char d[PRIV_LEN],
    unsigned char pub[PUB_LEN])
{
	unsigned char	given[PUB_LEN];

	if (v == NULL || !subject_ok(v->subject) ||
	    b64url_decode(v->public_b64, given, PUB_LEN) != 0 ||
	    keypair(v->private_b64, d, pub) != 0)
		return -1;
	if (!wa_crypto_eq(pub, given, PUB_LEN)) {
		wa_crypto_wipe(d, PRIV_LEN);
		return -1;
	}
	return 0;
}

int
wa_vapid_valid(const struct wa_vapid *v)
{
	unsigned char	d[PRIV_LEN], pub[PUB_LEN];

	if (vapid_key(v, d, pub) != 0)
		return 0;
	wa_crypto_wipe(d, sizeof(d));
	return 1;
}

/* Length of a host at s: a name of [A-Za-z0-9._-] or a bracketed IPv6
 * literal; 0 if there is none. */
static size_t
host_len(const char *s)
{
	size_t	n;

	if (s[0] == '[') {
		n = 1 + strspn(s + 1, "0123456789abcdefABCDEF:.");
		return s[n] == ']' && n > 1 ? n + 1 : 0;
	}
	return strspn(s, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_");
}

/*
 * The origin of an http(s) URL (RFC 6454 section 6.2): scheme://host,
 * then :port unless it is the scheme's default, lower case.  NULL if
 * url is not an http(s) URL with a host (userinfo is refused).
 */
static char *
origin(struct wa_arena *a, const char *url)
{
	const char	*h, *p;
	char		*o, port[16] = "";
	size_t		 hl, pl, i;
	int		 https, pv = 0;

	if (url == NULL)
		return NULL;
	if ((https = strncasecmp(url, "https://", 8) == 0))
		h = url + 8;
	else if (strncasecmp(url, "http://", 7) == 0)
		h = url + 7;
	else
		return NULL;
	if ((hl = host_len(h)) == 0)
		return NULL;
	p = h + hl;
	if (*p == ':') {
		pl = strspn(p + 1, "0123456789");
		if (pl == 0 || pl > 5)
			return NULL;
		for (i = 1; i <= pl; i++)
			pv = pv * 10 + (p[i] - '0');
		if (pv == 0 || pv > 65535)
			return NULL;
		if (pv != (https ? 443 : 80))
			snprintf(port, sizeof(port), ":%d", pv);
		p += 1 + pl;
	}
	if (*p != '\0' && *p != '/' && *p != '?' && *p != '#')
		return NULL;
	o = wa_arena_printf(a, "%s://%.*s%s", https ? "https" : "http",
	    (int)hl, h, port);
	for (i = 0; o[i] != '\0'; i++)
		o[i] = (char)tolower((unsigned char)o[i]);
	return o;
}

/* The DER ECDSA signature der as JOSE's raw r || s into rs: 0 or -1. */
static int
der_to_raw(const unsigned char *der, size_t len, unsigned char rs[64])
{
	const unsigned char	*p = der;
	const BIGNUM		*r, *s;
	ECDSA_SIG		*sig;
	int			 ok;

	if ((sig = d2i_ECDSA_SIG(NULL, &p, (long)len)) == NULL)
		return -1;
	ECDSA_SIG_get0(sig, &r, &s);
	ok = BN_bn2binpad(r, rs, 32) == 32 &&
	    BN_bn2binpad(s, rs + 32, 32) == 32;
	ECDSA_SIG_free(sig);
	return ok ? 0 : -1;
}

/* The JWT ES256 of {aud, exp, sub} under the key k, or NULL. */
static char *
jwt_es256(struct wa_arena *a, EVP_PKEY *k, const char *aud, int64_t exp,
    const char *sub)
{
	static const char	 hdr[] = "{\"typ\":\"JWT\",\"alg\":\"ES256\"}";
	EVP_MD_CTX		*md;
	unsigned char		 der[128], rs[64];
	size_t			 derlen = sizeof(der);
	char			*claims, *input;
	int			 ok;

	claims = wa_arena_printf(a, "{\"aud\":\"%s\",\"exp\":%lld,"
	    "\"sub\":\"%s\"}", aud, (long long)exp, sub);
	input = wa_arena_printf(a, "%s.%s",
	    b64url_encode(a, hdr, sizeof(hdr) - 1),
	    b64url_encode(a, claims, strlen(claims)));
	if ((md = EVP_MD_CTX_new()) == NULL)
		return NULL;
	ok = EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, k) == 1 &&
	    EVP_DigestSign(md, der, &derlen, (unsigned char *)input,
	    strlen(input)) == 1 &&
	    der_to_raw(der, derlen, rs) == 0;
	EVP_MD_CTX_free(md);
	if (!ok) {
		ERR_clear_error();
		return NULL;
	}
	return wa_arena_printf(a, "%s.%s", input,
	    b64url_encode(a, rs, sizeof(rs)));
}

const char *
wa_vapid_header(struct wa_arena *a, const struct wa_vapid *v,
    const char *endpoint, int64_t now_s)
{
	unsigned char	 d[PRIV_LEN], pub[PUB_LEN];
	EVP_PKEY	*k;
	const char	*aud, *jwt;

	if (now_s < 0 || now_s > INT64_MAX - WA_VAPID_TTL_S ||
	    (aud = origin(a, endpoint)) == NULL || vapid_key(v, d, pub) != 0)
		return NULL;
	k = ec_pkey(d, pub);
	wa_crypto_wipe(d, sizeof(d));
	if (k == NULL)
		return NULL;
	jwt = jwt_es256(a, k, aud, now_s + WA_VAPID_TTL_S, v->subject);
	EVP_PKEY_free(k);
	if (jwt == NULL)
		return NULL;
	return wa_arena_printf(a, "vapid t=%s, k=%s", jwt, v->public_b64);
}
