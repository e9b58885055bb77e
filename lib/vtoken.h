/*
 * vtoken: the web chat's visitor tokens (docs/web-chat.md).  A visitor
 * token is a JWT (RFC 7519, made and checked by Debian's libjwt), HS256
 * under a key derived from WA_SECRET_KEY, short-lived and bound to one
 * organization, channel and visitor:
 *
 *   {"iss": "wagate", "aud": "web-chat", "org": <org id>,
 *    "chn": <channel id>, "sub": <visitor id>, "iat": n, "exp": n}
 *
 * The widget sends it back as "Authorization: Bearer" on the visitor's
 * routes.  Checking refuses any other algorithm ("none" included), a bad
 * signature, a token past its exp (or with an iat in the future), and
 * claims that are not all there and well formed.
 */
#ifndef WA_VTOKEN_H
#define WA_VTOKEN_H

#include <stdint.h>

#include "err.h"
#include "req.h"

#define WA_VTOKEN_MAX		1024	/* longer is not ours */
#define WA_VTOKEN_TTL_S		3600

struct wa_vtoken {
	char		org_id[WA_UUID_LEN];
	char		channel_id[WA_UUID_LEN];
	char		visitor_id[WA_UUID_LEN];
	int64_t		iat;		/* unix seconds */
	int64_t		exp;
};

/* The token of t (ids, iat and exp as given) into *out (arena).  500 or
 * 503 (no WA_SECRET_KEY) recorded on failure. */
enum wa_err	wa_vtoken_issue(struct wa_req *, const struct wa_vtoken *t,
		    const char **out);

/*
 * Checks token at unix time now; 0 and *t filled, or -1 (no detail: a
 * client is told only that its token is not valid).  key is the
 * derived key (wa_vtoken_key()).
 */
int		wa_vtoken_check(const unsigned char key[32], const char *token,
		    int64_t now, struct wa_vtoken *t);

/* The signing key derived from the secret key: HMAC-SHA256(secret,
 * "wagate web-chat visitor token v1"). */
void		wa_vtoken_key(const unsigned char secret[32],
		    unsigned char key[32]);

#endif /* WA_VTOKEN_H */
