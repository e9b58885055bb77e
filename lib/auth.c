#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "auth.h"
#include "db.h"
#include "req.h"
#include "route.h"
#include "utf8.h"
#include "valid.h"

#define BAD_KEY	"Invalid or revoked API key"

static int
alnum_run(const char *s, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) || (unsigned char)s[i] > 0x7f)
			return 0;
	return 1;
}

int
wa_auth_parse(const char *raw, struct wa_key *k)
{
	const char	*p;

	if (raw == NULL || strlen(raw) != WA_KEY_MAX - 1)
		return -1;
	if (strncmp(raw, "mk_live_", 8) == 0)
		k->test = 0;
	else if (strncmp(raw, "mk_test_", 8) == 0)
		k->test = 1;
	else
		return -1;
	p = raw + 8;
	if (!alnum_run(p, WA_KEY_PREFIX_LEN) || p[WA_KEY_PREFIX_LEN] != '.' ||
	    !alnum_run(p + WA_KEY_PREFIX_LEN + 1, WA_KEY_SECRET_LEN))
		return -1;
	memcpy(k->prefix, p, WA_KEY_PREFIX_LEN);
	k->prefix[WA_KEY_PREFIX_LEN] = '\0';
	memcpy(k->secret, p + WA_KEY_PREFIX_LEN + 1, WA_KEY_SECRET_LEN);
	k->secret[WA_KEY_SECRET_LEN] = '\0';
	return 0;
}

void
wa_auth_hash(const struct wa_key *k, unsigned char out[WA_SHA256_LEN])
{
	char	buf[WA_KEY_PREFIX_LEN + 1 + WA_KEY_SECRET_LEN + 1];

	snprintf(buf, sizeof(buf), "%s.%s", k->prefix, k->secret);
	wa_crypto_sha256(buf, strlen(buf), out);
}

int
wa_auth_generate(int test, struct wa_key *k, char *full, size_t fullsz)
{
	if (fullsz < WA_KEY_MAX)
		return -1;
	if (wa_crypto_token(k->prefix, WA_KEY_PREFIX_LEN) != 0 ||
	    wa_crypto_token(k->secret, WA_KEY_SECRET_LEN) != 0)
		return -1;
	k->test = test;
	snprintf(full, fullsz, "mk_%s_%s.%s", test ? "test" : "live",
	    k->prefix, k->secret);
	return 0;
}

const char *
wa_auth_presented(const struct wa_req *r)
{
	const char	*v;

	if ((v = wa_req_header(r, "x-api-key")) != NULL && *v != '\0')
		return v;
	v = wa_req_header(r, "authorization");
	if (v != NULL && strncasecmp(v, "Bearer ", 7) == 0) {
		v += 7;
		while (*v == ' ')
			v++;
		return *v != '\0' ? v : NULL;
	}
	return NULL;
}

int
wa_auth_role_parse(const char *s)
{
	if (s == NULL)
		return -1;
	if (strcmp(s, "admin") == 0)
		return WA_ROLE_ADMIN;
	if (strcmp(s, "member") == 0)
		return WA_ROLE_MEMBER;
	return -1;
}

static void
copy_id(char dst[WA_UUID_LEN], const char *src)
{
	snprintf(dst, WA_UUID_LEN, "%s", src != NULL ? src : "");
}

enum wa_err
wa_auth_presented_key(struct wa_req *r, struct wa_key *k)
{
	const char	*raw;

	if ((raw = wa_auth_presented(r)) == NULL)
		return wa_fail(r, WA_ERR_UNAUTHENTICATED, "API key is "
		    "required: send it as X-Api-Key or Authorization: Bearer");
	if (wa_auth_parse(raw, k) != 0)
		return wa_fail(r, WA_ERR_INVALID_KEY, BAD_KEY);
	snprintf(r->auth.key_prefix, sizeof(r->auth.key_prefix), "%s",
	    k->prefix);
	return WA_OK;
}

enum wa_err
wa_auth_check(struct wa_req *r, const struct wa_key *kp)
{
	/* The tenant is set in the same statement, before the hash is
	 * compared below: safe, because the setting is local to the
	 * transaction and any failure here rolls it back before another
	 * statement runs.  It saves a round trip on every request. */
	static const char sql[] =
	    "SELECT key_id, org_id, profile_id, role, mode, "
	    "encode(secret_hash, 'hex') AS h, "
	    "set_config('wa.org_id', org_id::text, true) AS tenant "
	    "FROM wa.auth_key($1)";
	const struct wa_key k = *kp;
	const char	*hex, *mode;
	unsigned char	 want[WA_SHA256_LEN], have[WA_SHA256_LEN];
	PGresult	*res;
	int		 role;

	if (wa_db_q(r, &res, sql, 1, k.prefix) != WA_OK)
		return r->err.code;
	wa_auth_hash(&k, want);
	hex = PQntuples(res) == 1 ? wa_db_get(res, 0, "h") : NULL;
	if (hex == NULL || wa_crypto_unhex(hex, have, sizeof(have)) != 0)
		memset(have, 0xff, sizeof(have));
	mode = PQntuples(res) == 1 ? wa_db_get(res, 0, "mode") : "";
	/* compare even when the prefix was unknown: same work either way */
	if (!wa_crypto_eq(want, have, sizeof(want)) || hex == NULL ||
	    strcmp(mode, k.test ? "test" : "live") != 0)
		return wa_fail(r, WA_ERR_INVALID_KEY, BAD_KEY);
	if ((role = wa_auth_role_parse(wa_db_get(res, 0, "role"))) < 0)
		return wa_fail(r, WA_ERR_INVALID_KEY, BAD_KEY);
	r->auth.ok = 1;
	r->auth.test = k.test;
	r->auth.role = (enum wa_role)role;
	copy_id(r->auth.key_id, wa_db_get(res, 0, "key_id"));
	copy_id(r->auth.org_id, wa_db_get(res, 0, "org_id"));
	copy_id(r->auth.key_profile_id, wa_db_get(res, 0, "profile_id"));
	copy_id(r->auth.profile_id, r->auth.key_profile_id);
	return WA_OK;
}

static enum wa_err
scope_sent(struct wa_req *r)
{
	static const char sql[] =
	    "SELECT 1 FROM wa.profiles WHERE id = $1 AND deleted_at IS NULL";
	const char	*pid = wa_req_header(r, "x-profile-id");
	PGresult	*res;

	if (pid == NULL || *pid == '\0')
		return WA_OK;
	if (!wa_valid_uuid(pid))
		return wa_fail(r, WA_ERR_FORBIDDEN, "x-profile-id must be the "
		    "UUID of a profile of this organization");
	if (r->auth.key_profile_id[0] != '\0') {
		if (strcasecmp(pid, r->auth.key_profile_id) != 0)
			return wa_fail(r, WA_ERR_FORBIDDEN, "This API key is "
			    "scoped to another profile; only organization "
			    "keys may use x-profile-id");
		return WA_OK;
	}
	/* RLS limits the lookup to the caller's organization. */
	if (wa_db_q(r, &res, sql, 1, pid) != WA_OK)
		return r->err.code;
	if (PQntuples(res) != 1)
		return wa_fail(r, WA_ERR_FORBIDDEN, "x-profile-id does not "
		    "name a profile of this organization");
	copy_id(r->auth.profile_id, pid);
	return WA_OK;
}

static enum wa_err
scope_mosend(struct wa_req *r)
{
	const char	*org = wa_req_param(r, "orgId");

	if (org == NULL)
		return WA_OK;
	/* the path's {orgId} is quoted back: at most 64 bytes of it,
	 * never half a character */
	if (strcasecmp(org, r->auth.org_id) != 0)
		return wa_fail(r, WA_ERR_FORBIDDEN,
		    "This API key does not belong to organization %.*s",
		    (int)wa_utf8_cut(org, strlen(org), 64), org);
	return WA_OK;
}

enum wa_err
wa_auth_scope(struct wa_req *r)
{
	switch (r->face) {
	case WA_FACE_SENT:
		return scope_sent(r);
	case WA_FACE_MOSEND:
		return scope_mosend(r);
	default:
		return WA_OK;
	}
}

/* ---- the API-key strategy of routes ----------------------------------- */

static enum wa_err
key_check(struct wa_req *r)
{
	struct wa_key	k;
	enum wa_err	e;

	e = wa_auth_presented_key(r, &k);
	wa_crypto_wipe(&k, sizeof(k));
	return e;
}

static enum wa_err
key_resolve(struct wa_req *r)
{
	const struct wa_route	*rt = r->route;
	struct wa_key		 k;
	enum wa_err		 e;

	/* parsed again rather than kept: the secret lives no longer than
	 * the statement that needs it */
	if ((e = wa_auth_presented_key(r, &k)) == WA_OK)
		e = wa_auth_check(r, &k);
	wa_crypto_wipe(&k, sizeof(k));
	if (e != WA_OK)
		return e;
	if (r->auth.role < rt->role)
		return wa_fail(r, WA_ERR_FORBIDDEN,
		    "This operation requires an admin API key");
	return wa_auth_scope(r);
}

const struct wa_authn wa_authn_key = {
	"api_key",		/* name */
	key_check,		/* check */
	key_resolve,		/* resolve */
};

const struct wa_authn wa_authn_none = {
	"none",			/* name */
	NULL,			/* check */
	NULL,			/* resolve */
};
