/*
 * Unit tests for lib/webpush.c: RFC 8291's test vector, a round trip
 * through a decrypter written here the way a browser decrypts (ECDH with
 * the subscription's private key, HKDF from OpenSSL's EVP_KDF, not the
 * library's), the validation of subscription keys, VAPID key pairs, and
 * the VAPID header's JWT checked and its ES256 signature verified.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/param_build.h>

#include "helpers.h"
#include "webpush.h"

/* RFC 8291 Appendix A */
#define PLAIN	"When I grow up, I want to be a watermelon"
#define UA_PRIV	"q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94"
#define UA_PUB	"BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4" \
		"bjyPjs7Vd8pZGH6SRpkNtoIAiw4"
#define AUTH	"BTBZMqHH6r4Tts7J_aSIgg"
#define AS_PRIV	"yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw"
#define AS_PUB	"BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmY" \
		"WAmS6TlzAC8wEqKK6PBru3jl7A8"
#define SALT	"DGv6ra1nlYgDCS1FRnbzlw"
#define BODY	"DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgc" \
		"y27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_" \
		"yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNW" \
		"QexSgSxsj_Qulcy4a-fN"
#define NOW	1796000000
#define SUBJ	"mailto:ops@example.org"

/* base64url without padding into out; the length, or -1. */
static int
unb64(const char *s, unsigned char *out, size_t max)
{
	unsigned char	 buf[1024];
	char		*t;
	size_t		 n = strlen(s), i;
	int		 len;

	t = malloc(n + 4);
	assert_non_null(t);
	for (i = 0; i < n; i++)
		t[i] = s[i] == '-' ? '+' : s[i] == '_' ? '/' : s[i];
	while (i % 4 != 0)
		t[i++] = '=';
	t[i] = '\0';
	assert_true(i / 4 * 3 <= sizeof(buf));
	len = EVP_DecodeBlock(buf, (unsigned char *)t, (int)i);
	free(t);
	/* EVP_DecodeBlock counts the padding as zero bytes */
	if (len >= 0)
		len -= (int)(i - n);
	if (len < 0 || (size_t)len > max)
		return -1;
	memcpy(out, buf, (size_t)len);
	return len;
}

/* base64url without padding, arena-owned. */
static char *
b64(struct wa_arena *a, const unsigned char *in, size_t n)
{
	char	*out = wa_arena_alloc(a, 4 * (n / 3 + 1) + 1);
	int	 len, i;

	len = EVP_EncodeBlock((unsigned char *)out, in, (int)n);
	while (len > 0 && out[len - 1] == '=')
		len--;
	for (i = 0; i < len; i++)
		out[i] = out[i] == '+' ? '-' : out[i] == '/' ? '_' : out[i];
	out[len] = '\0';
	return out;
}

/* A P-256 key: public alone (priv NULL) or the pair, as base64url. */
static EVP_PKEY *
pkey(const char *priv_b64, const char *pub_b64)
{
	unsigned char	 d[32], pub[65];
	OSSL_PARAM_BLD	*b = OSSL_PARAM_BLD_new();
	OSSL_PARAM	*params;
	EVP_PKEY_CTX	*ctx;
	EVP_PKEY	*pk = NULL;
	BIGNUM		*bn = NULL;

	assert_int_equal(unb64(pub_b64, pub, sizeof(pub)), 65);
	OSSL_PARAM_BLD_push_utf8_string(b, OSSL_PKEY_PARAM_GROUP_NAME,
	    "prime256v1", 0);
	OSSL_PARAM_BLD_push_octet_string(b, OSSL_PKEY_PARAM_PUB_KEY, pub, 65);
	if (priv_b64 != NULL) {
		assert_int_equal(unb64(priv_b64, d, sizeof(d)), 32);
		bn = BN_bin2bn(d, 32, NULL);
		OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_PRIV_KEY, bn);
	}
	params = OSSL_PARAM_BLD_to_param(b);
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	assert_int_equal(EVP_PKEY_fromdata_init(ctx), 1);
	assert_int_equal(EVP_PKEY_fromdata(ctx, &pk, priv_b64 != NULL ?
	    EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params), 1);
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(b);
	BN_free(bn);
	return pk;
}

/* HKDF-SHA256 (extract and expand) with OpenSSL's EVP_KDF. */
static void
hkdf(const unsigned char *salt, size_t saltlen, const unsigned char *ikm,
    size_t ikmlen, const void *info, size_t infolen, unsigned char *out,
    size_t n)
{
	EVP_KDF		*kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	EVP_KDF_CTX	*ctx = EVP_KDF_CTX_new(kdf);
	OSSL_PARAM	 p[5];

	p[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
	    "SHA256", 0);
	p[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
	    (void *)salt, saltlen);
	p[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
	    (void *)ikm, ikmlen);
	p[3] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
	    (void *)info, infolen);
	p[4] = OSSL_PARAM_construct_end();
	assert_int_equal(EVP_KDF_derive(ctx, out, n, p), 1);
	EVP_KDF_CTX_free(ctx);
	EVP_KDF_free(kdf);
}

/* The keys of a body as the browser derives them. */
static void
ua_keys(const char *ua_priv, const char *ua_pub, const char *auth_b64,
    const unsigned char *body, unsigned char cek[16], unsigned char n[12])
{
	unsigned char	 ua[65], auth[16], secret[32], ikm[32], info[144];
	EVP_PKEY	*mine, *peer;
	EVP_PKEY_CTX	*ctx;
	struct wa_arena	*a = wa_arena_new(0);
	size_t		 len = sizeof(secret);

	assert_int_equal(unb64(ua_pub, ua, sizeof(ua)), 65);
	assert_int_equal(unb64(auth_b64, auth, sizeof(auth)), 16);
	mine = pkey(ua_priv, ua_pub);
	peer = pkey(NULL, b64(a, body + 21, 65));
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, mine, NULL);
	assert_int_equal(EVP_PKEY_derive_init(ctx), 1);
	assert_int_equal(EVP_PKEY_derive_set_peer(ctx, peer), 1);
	assert_int_equal(EVP_PKEY_derive(ctx, secret, &len), 1);
	assert_int_equal(len, 32);
	memcpy(info, "WebPush: info", 14);
	memcpy(info + 14, ua, 65);
	memcpy(info + 79, body + 21, 65);
	hkdf(auth, 16, secret, 32, info, sizeof(info), ikm, 32);
	hkdf(body, 16, ikm, 32, "Content-Encoding: aes128gcm", 28, cek, 16);
	hkdf(body, 16, ikm, 32, "Content-Encoding: nonce", 24, n, 12);
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(mine);
	EVP_PKEY_free(peer);
	wa_arena_free(a);
}

/*
 * Decrypts an aes128gcm body of one record with the subscription's
 * private key: the plaintext (malloc'd) and its length, or NULL.
 */
static unsigned char *
ua_decrypt(const char *ua_priv, const char *ua_pub, const char *auth_b64,
    const unsigned char *body, size_t len, size_t *plen)
{
	unsigned char	 cek[16], nonce[12], *out;
	EVP_CIPHER_CTX	*ctx;
	size_t		 ct;
	int		 n, m, ok;

	assert_true(len >= 86 + 17);
	assert_memory_equal(body + 16, "\x00\x00\x10\x00\x41", 5);
	assert_int_equal(body[21], 0x04);
	ua_keys(ua_priv, ua_pub, auth_b64, body, cek, nonce);
	ct = len - 86 - 16;
	out = malloc(ct + 1);
	assert_non_null(out);
	ctx = EVP_CIPHER_CTX_new();
	ok = EVP_DecryptInit_ex(ctx, EVP_aes_128_gcm(), NULL, cek,
	    nonce) == 1 &&
	    EVP_DecryptUpdate(ctx, out, &n, body + 86, (int)ct) == 1 &&
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16,
	    (void *)(body + len - 16)) == 1 &&
	    EVP_DecryptFinal_ex(ctx, out + n, &m) == 1;
	EVP_CIPHER_CTX_free(ctx);
	/* the last record: padding is 0x02 then zeros */
	while (ok && ct > 0 && out[ct - 1] == 0)
		ct--;
	if (!ok || ct == 0 || out[ct - 1] != 0x02) {
		free(out);
		return NULL;
	}
	*plen = ct - 1;
	return out;
}

static void
test_rfc8291_vector(void **state)
{
	struct wa_arena	*a = wa_arena_new(0);
	unsigned char	 salt[16], *out, *plain;
	size_t		 outlen, plen;

	(void)state;
	assert_int_equal(unb64(SALT, salt, sizeof(salt)), 16);
	assert_int_equal(wa_webpush_encrypt(a, UA_PUB, AUTH, PLAIN,
	    strlen(PLAIN), salt, AS_PRIV, &out, &outlen), 0);
	assert_int_equal(outlen, WA_WEBPUSH_OVERHEAD + strlen(PLAIN));
	assert_string_equal(b64(a, out, outlen), BODY);
	assert_string_equal(b64(a, out + 21, 65), AS_PUB);
	/* and the decrypter of this file opens it */
	plain = ua_decrypt(UA_PRIV, UA_PUB, AUTH, out, outlen, &plen);
	assert_non_null(plain);
	assert_int_equal(plen, strlen(PLAIN));
	assert_memory_equal(plain, PLAIN, plen);
	free(plain);
	wa_arena_free(a);
}

/* Random keys, random salt: what the browser decrypts is what was
 * sent, at every length up to the maximum, and never beyond it. */
static void
test_round_trip(void **state)
{
	static const size_t	 lens[] = { 0, 1, 15, 16, 17, 1000,
				    WA_WEBPUSH_PAYLOAD_MAX };
	struct wa_arena		*a = wa_arena_new(0);
	const char		*priv, *pub;
	unsigned char		 auth[16], msg[WA_WEBPUSH_PAYLOAD_MAX + 1];
	unsigned char		*out, *out2, *plain;
	size_t			 i, outlen, plen;

	(void)state;
	assert_int_equal(wa_vapid_generate(a, &priv, &pub), 0);
	for (i = 0; i < sizeof(auth); i++)
		auth[i] = (unsigned char)(i * 37 + 1);
	for (i = 0; i < sizeof(msg); i++)
		msg[i] = (unsigned char)(i * 7);
	for (i = 0; i < NELEM(lens); i++) {
		assert_int_equal(wa_webpush_encrypt(a, pub, b64(a, auth, 16),
		    msg, lens[i], NULL, NULL, &out, &outlen), 0);
		assert_int_equal(outlen, WA_WEBPUSH_OVERHEAD + lens[i]);
		plain = ua_decrypt(priv, pub, b64(a, auth, 16), out, outlen,
		    &plen);
		assert_non_null(plain);
		assert_int_equal(plen, lens[i]);
		assert_memory_equal(plain, msg, plen);
		free(plain);
	}
	/* fresh salt and ephemeral key every time */
	assert_int_equal(wa_webpush_encrypt(a, pub, b64(a, auth, 16), msg, 10,
	    NULL, NULL, &out2, &outlen), 0);
	assert_memory_not_equal(out, out2, 16);
	assert_memory_not_equal(out + 21, out2 + 21, 65);
	/* a tampered body does not open */
	out2[100] ^= 1;
	assert_null(ua_decrypt(priv, pub, b64(a, auth, 16), out2, outlen,
	    &plen));
	/* too long */
	assert_int_equal(wa_webpush_encrypt(a, pub, b64(a, auth, 16), msg,
	    WA_WEBPUSH_PAYLOAD_MAX + 1, NULL, NULL, &out, &outlen), -1);
	assert_null(out);
	assert_int_equal(outlen, 0);
	wa_arena_free(a);
}

static void
test_keys_valid(void **state)
{
	struct wa_arena	*a = wa_arena_new(0);
	unsigned char	 pt[65], auth[17];
	const char	*bad_pub[12], *bad_auth[10];
	unsigned char	*out;
	size_t		 i, np = 0, na = 0, outlen;

	(void)state;
	assert_int_equal(wa_webpush_keys_valid(UA_PUB, AUTH), 1);
	assert_int_equal(wa_webpush_keys_valid(AS_PUB, AUTH), 1);
	assert_int_equal(unb64(UA_PUB, pt, sizeof(pt)), 65);
	/* Y changed: off the curve */
	pt[64] ^= 1;
	bad_pub[np++] = b64(a, pt, 65);
	pt[64] ^= 1;
	/* another point format byte */
	pt[0] = 0x05;
	bad_pub[np++] = b64(a, pt, 65);
	pt[0] = 0x04;
	/* all zeros; compressed form (33 bytes); 64 and 66 bytes */
	bad_pub[np++] = b64(a, (unsigned char[65]){ 4 }, 65);
	pt[0] = 0x02;
	bad_pub[np++] = b64(a, pt, 33);
	pt[0] = 0x04;
	bad_pub[np++] = b64(a, pt, 64);
	bad_pub[np++] = wa_arena_printf(a, "%sA", UA_PUB);
	/* padding; '+' and '/' of plain base64; not canonical; junk */
	bad_pub[np++] = wa_arena_printf(a, "%.86s=", UA_PUB);
	bad_pub[np++] = wa_arena_printf(a, "BCVxsr7N/eNg%s", UA_PUB + 12);
	bad_pub[np++] = wa_arena_printf(a, "%.4s+%s", UA_PUB, UA_PUB + 5);
	bad_pub[np++] = wa_arena_printf(a, "%.86sx", UA_PUB);
	bad_pub[np++] = wa_arena_printf(a, "%.40s %s", UA_PUB, UA_PUB + 41);
	bad_pub[np++] = "";
	for (i = 0; i < np; i++) {
		assert_int_equal(wa_webpush_keys_valid(bad_pub[i], AUTH), 0);
		assert_int_equal(wa_webpush_encrypt(a, bad_pub[i], AUTH, "x",
		    1, NULL, NULL, &out, &outlen), -1);
	}
	assert_int_equal(wa_webpush_keys_valid(NULL, AUTH), 0);
	memset(auth, 0x5a, sizeof(auth));
	bad_auth[na++] = b64(a, auth, 15);
	bad_auth[na++] = b64(a, auth, 17);
	bad_auth[na++] = wa_arena_printf(a, "%s==", AUTH);
	bad_auth[na++] = "BTBZMqHH6r4Tts7J_aSIgh";	/* low bits set */
	bad_auth[na++] = "BTBZMqHH6r4Tts7J/aSIgg";
	bad_auth[na++] = "BTBZMqHH6r4Tts7J_aSIg\xc3";
	bad_auth[na++] = "";
	bad_auth[na++] = NULL;
	for (i = 0; i < na; i++) {
		assert_int_equal(wa_webpush_keys_valid(UA_PUB, bad_auth[i]), 0);
		assert_int_equal(wa_webpush_encrypt(a, UA_PUB, bad_auth[i], "x",
		    1, NULL, NULL, &out, &outlen), -1);
	}
	/* a bad ephemeral key given for a test */
	assert_int_equal(wa_webpush_encrypt(a, UA_PUB, AUTH, "x", 1, NULL,
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", &out, &outlen), -1);
	assert_int_equal(wa_webpush_encrypt(a, UA_PUB, AUTH, "x", 1, NULL,
	    AUTH, &out, &outlen), -1);
	wa_arena_free(a);
}

static void
test_vapid_pairs(void **state)
{
	struct wa_arena	*a = wa_arena_new(0);
	struct wa_vapid	 v, w;

	(void)state;
	assert_int_equal(wa_vapid_generate(a, &v.private_b64, &v.public_b64),
	    0);
	assert_int_equal(strlen(v.private_b64), 43);
	assert_int_equal(strlen(v.public_b64), 87);
	assert_int_equal(v.public_b64[0], 'B');	/* 0x04 */
	v.subject = SUBJ;
	assert_int_equal(wa_vapid_valid(&v), 1);
	assert_int_equal(wa_vapid_generate(a, &w.private_b64, &w.public_b64),
	    0);
	assert_string_not_equal(v.private_b64, w.private_b64);
	/* the RFC's pairs are pairs; crossed ones are not */
	w.subject = "https://example.org/contact";
	assert_int_equal(wa_vapid_valid(&w), 1);
	w.private_b64 = UA_PRIV;
	w.public_b64 = UA_PUB;
	assert_int_equal(wa_vapid_valid(&w), 1);
	w.public_b64 = AS_PUB;
	assert_int_equal(wa_vapid_valid(&w), 0);
	w.public_b64 = v.public_b64;
	assert_int_equal(wa_vapid_valid(&w), 0);
	/* the subject */
	w.public_b64 = UA_PUB;
	w.subject = NULL;
	assert_int_equal(wa_vapid_valid(&w), 0);
	w.subject = "ops@example.org";
	assert_int_equal(wa_vapid_valid(&w), 0);
	w.subject = "mailto:";
	assert_int_equal(wa_vapid_valid(&w), 0);
	w.subject = "mailto:a\"b@example.org";
	assert_int_equal(wa_vapid_valid(&w), 0);
	w.subject = "http://example.org";
	assert_int_equal(wa_vapid_valid(&w), 0);
	/* the private key: zero, the group order, bad text */
	w.subject = SUBJ;
	w.private_b64 = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
	assert_int_equal(wa_vapid_valid(&w), 0);
	w.private_b64 = "_____wAAAAD__________7zm-q2nF56E87nKwvxjJVE";
	assert_int_equal(wa_vapid_valid(&w), 0);
	w.private_b64 = "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM9";
	assert_int_equal(wa_vapid_valid(&w), 0);
	assert_int_equal(wa_vapid_valid(NULL), 0);
	wa_arena_free(a);
}

/* The JWT of a VAPID header: its parts checked, the claims returned. */
static cJSON *
jwt_check(struct wa_arena *a, const char *hdr, const struct wa_vapid *v)
{
	unsigned char	 raw[512], der[80], *p = der;
	char		*tok, *dot1, *dot2;
	const char	*k;
	ECDSA_SIG	*sig;
	EVP_PKEY	*pk;
	EVP_MD_CTX	*md;
	cJSON		*claims;
	int		 n, derlen;

	assert_int_equal(strncmp(hdr, "vapid t=", 8), 0);
	k = strstr(hdr, ", k=");
	assert_non_null(k);
	assert_string_equal(k + 4, v->public_b64);
	tok = wa_arena_strndup(a, hdr + 8, (size_t)(k - hdr - 8));
	dot1 = strchr(tok, '.');
	assert_non_null(dot1);
	dot2 = strchr(dot1 + 1, '.');
	assert_non_null(dot2);
	assert_null(strchr(dot2 + 1, '.'));
	*dot1 = '\0';
	n = unb64(tok, raw, sizeof(raw) - 1);
	raw[n] = '\0';
	assert_string_equal(raw, "{\"typ\":\"JWT\",\"alg\":\"ES256\"}");
	*dot2 = '\0';
	n = unb64(dot1 + 1, raw, sizeof(raw) - 1);
	raw[n] = '\0';
	claims = cJSON_Parse((char *)raw);
	assert_non_null(claims);
	/* the signature: raw r || s back to DER, verified */
	assert_int_equal(unb64(dot2 + 1, raw, sizeof(raw)), 64);
	sig = ECDSA_SIG_new();
	assert_int_equal(ECDSA_SIG_set0(sig, BN_bin2bn(raw, 32, NULL),
	    BN_bin2bn(raw + 32, 32, NULL)), 1);
	derlen = i2d_ECDSA_SIG(sig, &p);
	assert_true(derlen > 0);
	ECDSA_SIG_free(sig);
	*dot1 = '.';
	pk = pkey(NULL, v->public_b64);
	md = EVP_MD_CTX_new();
	assert_int_equal(EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL,
	    pk), 1);
	assert_int_equal(EVP_DigestVerify(md, der, (size_t)derlen,
	    (unsigned char *)tok, strlen(tok)), 1);
	/* and not over other bytes */
	tok[strlen(tok) - 1] ^= 1;
	EVP_MD_CTX_reset(md);
	assert_int_equal(EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL,
	    pk), 1);
	assert_int_not_equal(EVP_DigestVerify(md, der, (size_t)derlen,
	    (unsigned char *)tok, strlen(tok)), 1);
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(pk);
	return claims;
}

static void
test_vapid_header(void **state)
{
	static const struct {
		const char	*endpoint;
		const char	*aud;
	} cases[] = {
		{ "https://push.example.net:8443/wpush/v2/gAAA?x=1",
		    "https://push.example.net:8443" },
		{ "https://FCM.googleapis.com/fcm/send/dQw4w9WgXcQ:APA91b",
		    "https://fcm.googleapis.com" },
		{ "https://updates.push.services.mozilla.com:443/wpush/v2/x",
		    "https://updates.push.services.mozilla.com" },
		{ "HTTP://127.0.0.1:8080", "http://127.0.0.1:8080" },
		{ "http://[::1]:80/push#frag", "http://[::1]" },
		{ "https://web.push.apple.com?x",
		    "https://web.push.apple.com" },
	};
	static const char *const bad[] = {
		"ftp://push.example.net/x", "https://", "https:///x",
		"https://user@push.example.net/x", "https://host:0/",
		"https://host:65536/", "https://host:/", "https://ho st/",
		"https://host:123456/", "https://[::1/", "push.example.net/x",
		"", NULL,
	};
	struct wa_arena	*a = wa_arena_new(0);
	struct wa_vapid	 v;
	const char	*h;
	cJSON		*c;
	size_t		 i;

	(void)state;
	assert_int_equal(wa_vapid_generate(a, &v.private_b64, &v.public_b64),
	    0);
	v.subject = SUBJ;
	for (i = 0; i < NELEM(cases); i++) {
		h = wa_vapid_header(a, &v, cases[i].endpoint, NOW);
		assert_non_null(h);
		c = jwt_check(a, h, &v);
		assert_int_equal(cJSON_GetArraySize(c), 3);
		assert_string_equal(cJSON_GetStringValue(
		    cJSON_GetObjectItemCaseSensitive(c, "aud")), cases[i].aud);
		assert_string_equal(cJSON_GetStringValue(
		    cJSON_GetObjectItemCaseSensitive(c, "sub")), SUBJ);
		assert_true(cJSON_GetNumberValue(
		    cJSON_GetObjectItemCaseSensitive(c, "exp")) ==
		    (double)(NOW + 43200));
		cJSON_Delete(c);
	}
	for (i = 0; i < NELEM(bad); i++)
		assert_null(wa_vapid_header(a, &v, bad[i], NOW));
	assert_null(wa_vapid_header(a, &v, cases[0].endpoint, -1));
	assert_null(wa_vapid_header(a, &v, cases[0].endpoint, INT64_MAX));
	/* not a valid pair: no header */
	v.public_b64 = UA_PUB;
	assert_null(wa_vapid_header(a, &v, cases[0].endpoint, NOW));
	v.private_b64 = UA_PRIV;
	v.subject = NULL;
	assert_null(wa_vapid_header(a, &v, cases[0].endpoint, NOW));
	wa_arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc8291_vector),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_keys_valid),
		cmocka_unit_test(test_vapid_pairs),
		cmocka_unit_test(test_vapid_header),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
