/*
 * auth: API keys.
 *
 * A key is "mk_live_<prefix>.<secret>" or "mk_test_<prefix>.<secret>",
 * prefix 12 and secret 32 characters of [A-Za-z0-9].  The prefix is
 * public and finds the key; only SHA-256(prefix "." secret) is stored,
 * and it is compared in constant time.  A malformed key is refused
 * before any database query.  As the authentication of routes, this is
 * wa_authn_key (route.h).
 */
#ifndef WA_AUTH_H
#define WA_AUTH_H

#include <stddef.h>

#include "crypto.h"
#include "err.h"

struct wa_req;

#define WA_KEY_PREFIX_LEN	12
#define WA_KEY_SECRET_LEN	32
/* "mk_live_" prefix "." secret NUL */
#define WA_KEY_MAX	(8 + WA_KEY_PREFIX_LEN + 1 + WA_KEY_SECRET_LEN + 1)

struct wa_key {
	int	test;				/* mk_test_ */
	char	prefix[WA_KEY_PREFIX_LEN + 1];
	char	secret[WA_KEY_SECRET_LEN + 1];
};

/* Parses a presented key: 0, or -1 if it is not of the form above. */
int	wa_auth_parse(const char *raw, struct wa_key *);

/* The stored hash of a parsed key. */
void	wa_auth_hash(const struct wa_key *, unsigned char out[WA_SHA256_LEN]);

/* Makes a new random key and its printable form (WA_KEY_MAX bytes). */
int	wa_auth_generate(int test, struct wa_key *, char *full, size_t fullsz);

/* The key the request presents: X-Api-Key, else "Authorization: Bearer
 * ...", else NULL. */
const char *wa_auth_presented(const struct wa_req *);

/*
 * Finds and parses the presented key without touching the database:
 * 401 if there is none or it is malformed.
 */
enum wa_err	wa_auth_presented_key(struct wa_req *, struct wa_key *);

/*
 * Verifies a parsed key inside r's open transaction and sets the
 * tenant: 401 for an unknown or revoked key; fills r->auth.
 */
enum wa_err	wa_auth_check(struct wa_req *, const struct wa_key *);

/*
 * Applies the face's scoping rules after wa_auth_check():
 *   Sent:   x-profile-id narrows an org key to one of its profiles;
 *           another org's profile, or a profile key naming a different
 *           profile, is 403.
 *   Mosend: the {orgId} path parameter must be the key's org (403).
 */
enum wa_err	wa_auth_scope(struct wa_req *);

/* "admin" / "member" -> role; -1 for anything else. */
int		wa_auth_role_parse(const char *);

#endif /* WA_AUTH_H */
