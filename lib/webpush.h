/*
 * webpush: Web Push messages to browsers, on OpenSSL 3.  The body of
 * a push is encrypted for the subscription (RFC 8291 over the
 * aes128gcm content coding of RFC 8188), and the request to the push
 * service carries a VAPID Authorization header (RFC 8292): a JWT, ES256,
 * signed with the server's P-256 key, and that key's public half.
 *
 * Keys travel as base64url without padding: a private key is its
 * 32-byte scalar (43 characters), a public key its 65-byte uncompressed
 * point (87 characters), an auth secret 16 bytes (22 characters).
 * Decoding is strict: padding, characters outside the alphabet, a wrong
 * length or non-zero unused low bits are refused.
 */
#ifndef WA_WEBPUSH_H
#define WA_WEBPUSH_H

#include <stddef.h>
#include <stdint.h>

#define WA_WEBPUSH_PAYLOAD_MAX	3000	/* plaintext bytes we send */
#define WA_WEBPUSH_RS		4096	/* record size */
/* salt 16, rs 4, idlen 1, keyid 65 */
#define WA_WEBPUSH_HEADER_LEN	86
/* header, then plaintext || 0x02 || GCM tag (16) */
#define WA_WEBPUSH_OVERHEAD	(WA_WEBPUSH_HEADER_LEN + 1 + 16)
#define WA_VAPID_TTL_S		43200	/* exp = now + 12 h */

struct wa_arena;

/* A VAPID key pair: P-256.  Private key as 32-byte scalar base64url
 * (d), public as the 65-byte uncompressed point base64url. */
struct wa_vapid {
	const char	*private_b64;	/* 43 chars */
	const char	*public_b64;	/* 87 chars */
	const char	*subject;	/* "mailto:..." or "https://..." */
};

/* Makes a new key pair (for install: scripts generate it once); out
 * strings arena-owned.  0 or -1. */
int		 wa_vapid_generate(struct wa_arena *,
		    const char **private_b64, const char **public_b64);

/* 1 if the pair is well-formed and the public key is the private
 * key's, and the subject a "mailto:" or "https://" and more, of at most
 * 255 printable ASCII characters but space, '"' and '\\'; 0 if not. */
int		 wa_vapid_valid(const struct wa_vapid *);

/* A subscription's keys as the browser gives them (PushSubscription
 * toJSON: keys.p256dh base64url 65-byte uncompressed P-256 point on the
 * curve, keys.auth base64url 16 bytes): 1 if valid, 0 if not. */
int		 wa_webpush_keys_valid(const char *p256dh_b64,
		    const char *auth_b64);

/*
 * RFC 8291 encryption of plaintext for the subscription: the whole
 * request body, WA_WEBPUSH_OVERHEAD + len bytes (header: salt 16, rs 4
 * big-endian = WA_WEBPUSH_RS, idlen 1 = 65, keyid = the sender's
 * ephemeral public key; then one record: AES-128-GCM of plaintext ||
 * 0x02).  The salt and the ephemeral key are random unless given (for
 * the RFC's test vector): salt16 non-NULL fixes the salt, as_private_b64
 * non-NULL the ephemeral private key.  *out arena-owned.  0, or -1 (bad
 * keys, len over WA_WEBPUSH_PAYLOAD_MAX, OpenSSL failure).
 */
int		 wa_webpush_encrypt(struct wa_arena *, const char *p256dh_b64,
		    const char *auth_b64, const void *plaintext, size_t len,
		    const unsigned char *salt16, const char *as_private_b64,
		    unsigned char **out, size_t *outlen);

/*
 * The VAPID Authorization header value for a push endpoint:
 * "vapid t=<JWT>, k=<public_b64>", the JWT ES256 over
 * {"aud": origin of endpoint, "exp": now_s + WA_VAPID_TTL_S, "sub":
 * subject}.  The origin is scheme://host[:port] (http or https; scheme
 * and host lower case, a default port left out).  Arena string, or NULL
 * (pair not wa_vapid_valid(), endpoint not an http(s) URL, signing
 * failed).
 */
const char	*wa_vapid_header(struct wa_arena *, const struct wa_vapid *,
		    const char *endpoint, int64_t now_s);

#endif /* WA_WEBPUSH_H */
