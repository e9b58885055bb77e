/*
 * Visitor tokens of the web chat (vtoken.h), with libjwt.  libjwt
 * checks the signature; what it does not check is done here: the
 * algorithm (a token of another one, "none" included, never passes,
 * whatever libjwt makes of it), the times and every claim's shape.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jwt.h>

#include "arena.h"
#include "cfg.h"
#include "crypto.h"
#include "valid.h"
#include "vtoken.h"

#define ISS	"wagate"
#define AUD	"web-chat"

void
wa_vtoken_key(const unsigned char secret[32], unsigned char key[32])
{
	static const char label[] = "wagate web-chat visitor token v1";

	wa_crypto_hmac_sha256(secret, 32, label, sizeof(label) - 1, key);
}

enum wa_err
wa_vtoken_issue(struct wa_req *r, const struct wa_vtoken *t,
    const char **out)
{
	unsigned char	 key[32];
	jwt_t		*jwt = NULL;
	char		*s = NULL;
	int		 bad;

	*out = NULL;
	if (r->cfg == NULL || !r->cfg->have_secret_key) {
		wa_fail_log(r, "WA_SECRET_KEY is not configured");
		r->err.retry_after = 0;
		return wa_fail(r, WA_ERR_UNAVAILABLE, "Visitor sessions are "
		    "not configured on this server");
	}
	wa_vtoken_key(r->cfg->secret_key, key);
	bad = jwt_new(&jwt) != 0 ||
	    jwt_add_grant(jwt, "iss", ISS) != 0 ||
	    jwt_add_grant(jwt, "aud", AUD) != 0 ||
	    jwt_add_grant(jwt, "org", t->org_id) != 0 ||
	    jwt_add_grant(jwt, "chn", t->channel_id) != 0 ||
	    jwt_add_grant(jwt, "sub", t->visitor_id) != 0 ||
	    jwt_add_grant_int(jwt, "iat", (long)t->iat) != 0 ||
	    jwt_add_grant_int(jwt, "exp", (long)t->exp) != 0 ||
	    jwt_set_alg(jwt, JWT_ALG_HS256, key, sizeof(key)) != 0 ||
	    (s = jwt_encode_str(jwt)) == NULL;
	wa_crypto_wipe(key, sizeof(key));
	if (!bad)
		*out = wa_arena_strdup(r->arena, s);
	free(s);
	jwt_free(jwt);
	if (bad)
		return wa_fail(r, WA_ERR_INTERNAL, "Internal error");
	return WA_OK;
}

/* A claim that is a string of the expected form, copied into out. */
static int
claim_id(jwt_t *jwt, const char *name, char out[WA_UUID_LEN])
{
	const char	*v = jwt_get_grant(jwt, name);

	if (v == NULL || !wa_valid_uuid(v))
		return -1;
	snprintf(out, WA_UUID_LEN, "%s", v);
	return 0;
}

static int
claim_is(jwt_t *jwt, const char *name, const char *want)
{
	const char	*v = jwt_get_grant(jwt, name);

	return v != NULL && strcmp(v, want) == 0;
}

/* A number claim; -1 when absent or not a number. */
static int64_t
claim_time(jwt_t *jwt, const char *name)
{
	long	v;

	errno = 0;
	v = jwt_get_grant_int(jwt, name);
	return errno != 0 || v <= 0 ? -1 : (int64_t)v;
}

int
wa_vtoken_check(const unsigned char key[32], const char *token, int64_t now,
    struct wa_vtoken *t)
{
	jwt_t	*jwt = NULL;
	int	 ok;

	memset(t, 0, sizeof(*t));
	if (token == NULL || strlen(token) > WA_VTOKEN_MAX ||
	    strspn(token, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789-_.") != strlen(token))
		return -1;
	if (jwt_decode(&jwt, token, key, 32) != 0 || jwt == NULL)
		return -1;
	ok = jwt_get_alg(jwt) == JWT_ALG_HS256 &&
	    claim_is(jwt, "iss", ISS) && claim_is(jwt, "aud", AUD) &&
	    claim_id(jwt, "org", t->org_id) == 0 &&
	    claim_id(jwt, "chn", t->channel_id) == 0 &&
	    claim_id(jwt, "sub", t->visitor_id) == 0 &&
	    (t->iat = claim_time(jwt, "iat")) > 0 &&
	    (t->exp = claim_time(jwt, "exp")) > 0 &&
	    t->iat <= now + 60 && now < t->exp;
	jwt_free(jwt);
	if (!ok)
		memset(t, 0, sizeof(*t));
	return ok ? 0 : -1;
}
