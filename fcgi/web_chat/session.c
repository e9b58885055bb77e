/*
 * POST /web-chat/{token}/sessions: a visitor of the channel, new or
 * resumed, its conversation, and a visitor token for the other routes
 * (docs/web-chat.md, "The widget's API").  Modes:
 *
 *   anonymous        nothing known but what the prechat form says;
 *   identified       a name and/or e-mail the visitor typed (not
 *                    verified);
 *   host-identified  the host site's user (userId, else email) and its
 *                    hash: HMAC-SHA256 under the channel's identity
 *                    secret, compared in constant time.  The same user
 *                    is the same visitor on every device.
 *
 * With identityRequired only host-identified sessions are taken.  An
 * anonymous or identified visitor comes back with its visitorId and
 * resumeToken (a reload; a new visitor token after an hour); a pair
 * that does not match makes a new visitor.
 */
#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "cfg.h"
#include "clock.h"
#include "crypto.h"
#include "db.h"
#include "json.h"
#include "media.h"
#include "resp.h"
#include "secret.h"
#include "valid.h"
#include "vtoken.h"

#include "web_chat.h"

static const char *const modes[] = { "anonymous", "identified",
    "verify-otp", "host-identified", NULL };


static int
hex64_ok(const char *s)
{
	return strlen(s) == 64 && strspn(s, "0123456789abcdefABCDEF") == 64;
}

static const struct wa_field fields[] = {
	WA_FIELD_ENUM("mode", 0, modes),
	WA_FIELD_STR("visitorId", 0, 36),
	WA_FIELD_STR("resumeToken", 0, 64),
	WA_FIELD_STR("userId", WA_F_NONEMPTY, 255),
	WA_FIELD_STR_CHECK("email", 0, 254, wa_valid_email,
	    "must be an e-mail address"),
	WA_FIELD_STR("name", WA_F_NONEMPTY, 255),
	WA_FIELD_STR_CHECK("hash", 0, 64, hex64_ok, "must be 64 hex digits "
	    "(HMAC-SHA256 of userId, or of email, under the identity secret)"),
	WA_FIELD_INT("hashTimestamp", 0, 1, 99999999999.0),
	WA_FIELD_OBJ("prechat", 0, NULL),
	WC_FIELD_CODE,
	WA_FIELD_END
};

/* What a session needs of its channel. */
struct chan {
	int		 identity_required;
	int		 precapture;
	const char	*secret_hex;	/* sealed, or NULL */
	const char	*prechat_fields;	/* JSON array */
	const char	*public_json;	/* the widget's view of it */
};

static enum wa_err
chan_load(struct wa_req *r, struct chan *c)
{
	static const char sql[] =
	    "SELECT identity_required, precapture_enabled, "
	    "encode(identity_secret_enc, 'hex') AS secret, "
	    "prechat_fields::text AS prechat, " WC_PUBLIC_JSON "::text AS pub "
	    "FROM wa.web_chat_channels c WHERE c.id = $1";
	PGresult	*res;

	if (wa_db_q(r, &res, sql, 1, wc_cur.channel_id) != WA_OK)
		return r->err.code;
	if (PQntuples(res) != 1)
		return wa_fail_not_found(r, NULL, "Unknown web chat channel");
	c->identity_required = wa_db_bool(res, 0, "identity_required", 0);
	c->precapture = wa_db_bool(res, 0, "precapture_enabled", 0);
	c->secret_hex = wa_db_get(res, 0, "secret");
	c->prechat_fields = wa_db_get(res, 0, "prechat");
	c->public_json = wa_db_get(res, 0, "pub");
	return WA_OK;
}

/* The host site's hash of userId (else email), checked; the identity
 * key into *identity.  With hashTimestamp (Unix seconds) the hash is of
 * "<userId>:<hashTimestamp>" and holds WC_IDENTITY_MAX_AGE_S: a host
 * that signs the time bounds how long a copied hash works. */
static enum wa_err
host_identity(struct wa_req *r, const struct chan *c, const cJSON *body,
    const char **identity)
{
	const char	*user = wa_json_str(body, "userId");
	const char	*email = wa_json_str(body, "email");
	const char	*hash = wa_json_str(body, "hash"), *secret;
	unsigned char	 want[WA_SHA256_LEN], got[WA_SHA256_LEN];
	const char	*what = user != NULL ? user : email;
	const cJSON	*ts;
	int64_t		 age;
	int		 ok;

	if (what == NULL)
		return wa_fail_field(r, "userId", "give userId or email: who "
		    "the host site says the visitor is");
	if (hash == NULL)
		return wa_fail_field(r, "hash", "is required in mode "
		    "host-identified");
	if (c->secret_hex == NULL)
		return wa_fail(r, WA_ERR_UNPROCESSABLE, "This channel has no "
		    "identity secret; its admin makes one (POST "
		    "identity-secret)");
	if (wa_secret_open(r, wa_arena_printf(r->arena,
	    "web_chat_channels.identity_secret:%s", wc_cur.channel_id),
	    c->secret_hex, &secret) != WA_OK)
		return r->err.code;
	ts = cJSON_GetObjectItemCaseSensitive(body, "hashTimestamp");
	if (ts != NULL) {
		age = wa_clock_now_ms() / 1000 - (int64_t)ts->valuedouble;
		if (age > WC_IDENTITY_MAX_AGE_S || age < -WC_IDENTITY_SKEW_S)
			return wa_fail(r, WA_ERR_INVALID_KEY, "The identity "
			    "hash has expired: hashTimestamp must be within "
			    "the last %d hours", WC_IDENTITY_MAX_AGE_S / 3600);
		what = wa_arena_printf(r->arena, "%s:%lld", what,
		    (long long)ts->valuedouble);
	}
	wa_crypto_hmac_sha256(secret, strlen(secret), what, strlen(what),
	    want);
	if (wa_crypto_unhex(hash, got, sizeof(got)) != 0)
		memset(got, 0, sizeof(got));
	ok = wa_crypto_eq(want, got, sizeof(want));
	wa_crypto_wipe(want, sizeof(want));
	if (!ok)
		return wa_fail(r, WA_ERR_INVALID_KEY, "The identity hash does "
		    "not match: it is the HMAC-SHA256 of %s under the "
		    "channel's identity secret", user != NULL ? "userId" :
		    "email");
	if (user != NULL) {
		*identity = user;
		return WA_OK;
	}
	*identity = wa_arena_printf(r->arena, "email:%s",
	    wc_email_lower(r, email));
	return WA_OK;
}

/* The prechat answers against the channel's fields: only those, each
 * of its type; the required ones when require (a new visitor, and the
 * channel asks them first). */
static cJSON *
prechat(struct wa_req *r, const struct chan *c, const cJSON *given,
    int require)
{
	const cJSON	*f, *opt;
	cJSON		*defs, *out = cJSON_CreateObject();
	const char	*name, *type, *v, *why;
	char		 e164[WA_E164_MAX + 1];
	int		 found;

	defs = wa_json_parse(c->prechat_fields, strlen(c->prechat_fields), 8,
	    &why);
	cJSON_ArrayForEach(f, defs) {
		name = wa_json_str(f, "name");
		type = wa_json_str(f, "type");
		v = wa_json_str(given, name);
		if (v == NULL || *v == '\0') {
			if (require && wa_json_bool(f, "required", 0))
				(void)wa_fail_field(r, wa_arena_printf(
				    r->arena, "prechat.%s", name),
				    "is required");
			continue;
		}
		why = NULL;
		if (strlen(v) > WC_TEXT_MAX)
			why = "must be at most 1000 characters";
		else if (strcmp(type, "email") == 0 && !wa_valid_email(v))
			why = "must be an e-mail address";
		else if (strcmp(type, "phone") == 0 &&
		    !wa_e164_normalize(v, e164, sizeof(e164)))
			why = "must be a phone number such as +14155550100";
		else if (strcmp(type, "select") == 0) {
			found = 0;
			cJSON_ArrayForEach(opt,
			    cJSON_GetObjectItemCaseSensitive(f, "options"))
				found |= cJSON_IsString(opt) &&
				    strcmp(opt->valuestring, v) == 0;
			if (!found)
				why = "must be one of the field's options";
		}
		if (why != NULL)
			(void)wa_fail_field(r, wa_arena_printf(r->arena,
			    "prechat.%s", name), "%s", why);
		else
			cJSON_AddStringToObject(out, name, v);
	}
	return r->err.code == WA_OK ? out : NULL;
}

/* *known: the session is a visitor's who came before (its resume pair,
 * or its identity), whose prechat answers were asked when it was new. */
static enum wa_err
known_visitor(struct wa_req *r, const char *identity, const cJSON *body,
    int *known)
{
	static const char sql[] =
	    "SELECT 1 FROM wa.web_chat_visitors WHERE channel_id = $1 AND "
	    "CASE WHEN $2::text IS NOT NULL THEN identity = $2 ELSE "
	    "identity IS NULL AND id = $3::uuid AND "
	    "resume_hash = sha256(convert_to($4, 'UTF8')) END";
	const char	*vid = wa_json_str(body, "visitorId");
	const char	*resume = wa_json_str(body, "resumeToken");
	PGresult	*res;

	*known = 0;
	if (identity == NULL && (vid == NULL || resume == NULL ||
	    !wa_valid_uuid(vid)))
		return WA_OK;
	if (wa_db_q(r, &res, sql, 4, wc_cur.channel_id, identity,
	    identity == NULL ? vid : NULL, resume) != WA_OK)
		return r->err.code;
	*known = PQntuples(res) > 0;
	return WA_OK;
}

/* At most WC_NEW_VISITORS new visitors of a channel a minute. */
static enum wa_err
new_visitor_allowed(struct wa_req *r)
{
	static const char sql[] =
	    "SELECT count(*) >= $2::integer AS full FROM (SELECT 1 "
	    "FROM wa.web_chat_visitors WHERE channel_id = $1 AND "
	    "created_at > now() - interval '1 minute' LIMIT $2::integer) x";
	PGresult	*res;

	if (wa_db_q(r, &res, sql, 2, wc_cur.channel_id,
	    wa_arena_printf(r->arena, "%d", WC_NEW_VISITORS)) != WA_OK)
		return r->err.code;
	if (wa_db_bool(res, 0, "full", 0)) {
		r->err.retry_after = 60;
		return wa_fail(r, WA_ERR_RATE_LIMITED, "Too many new visitors "
		    "of this chat in the last minute; retry after "
		    "Retry-After");
	}
	return WA_OK;
}

struct visitor {
	const char	*id;
	const char	*resume;	/* the token the widget keeps */
};

/* The visitor of this session: found by identity or resume token, or
 * made. */
static enum wa_err
visitor_take(struct wa_req *r, const char *mode, const char *identity,
    const cJSON *body, const cJSON *pre, struct visitor *v)
{
	static const char sql_resume[] =
	    "UPDATE wa.web_chat_visitors SET last_seen_at = now(), "
	    "mode = $4, name = coalesce($5, name), "
	    "email = coalesce($6, email), "
	    "prechat = prechat || $7::jsonb "
	    "WHERE id = $1::uuid AND channel_id = $2 AND identity IS NULL "
	    "AND resume_hash = sha256(convert_to($3, 'UTF8')) RETURNING id";
	static const char sql_upsert[] =
	    "INSERT INTO wa.web_chat_visitors AS v (org_id, channel_id, mode, "
	    "identity, user_id, email, name, prechat, resume_hash) "
	    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, "
	    "sha256(convert_to($9, 'UTF8'))) "
	    "ON CONFLICT (channel_id, identity) WHERE identity IS NOT NULL "
	    "DO UPDATE SET last_seen_at = now(), "
	    "email = coalesce(excluded.email, v.email), "
	    "name = coalesce(excluded.name, v.name), "
	    "prechat = v.prechat || excluded.prechat, "
	    "resume_hash = excluded.resume_hash "
	    "RETURNING id, (xmax = 0) AS made";
	const char	*vid = wa_json_str(body, "visitorId");
	const char	*resume = wa_json_str(body, "resumeToken");
	const char	*name = wa_json_str(body, "name");
	const char	*email = wa_json_str(body, "email");
	const char	*pj = wa_json_print(pre);
	char		*tok = wa_arena_alloc(r->arena, 33);
	PGresult	*res;

	if (identity == NULL && vid != NULL && resume != NULL &&
	    wa_valid_uuid(vid)) {
		if (wa_db_q(r, &res, sql_resume, 7, vid, wc_cur.channel_id,
		    resume, mode, name, email, pj) != WA_OK)
			return r->err.code;
		if (PQntuples(res) == 1) {
			v->id = wa_db_get(res, 0, "id");
			v->resume = resume;
			return WA_OK;
		}
	}
	if (wa_crypto_token(tok, 32) != 0)
		return wa_fail(r, WA_ERR_INTERNAL, "Internal error");
	{
		const char *vals[9] = { r->auth.org_id, wc_cur.channel_id,
		    mode, identity, wa_json_str(body, "userId"), email, name,
		    pj, tok };

		if (identity == NULL && new_visitor_allowed(r) != WA_OK)
			return r->err.code;
		if (wa_db_exec(r, &res, sql_upsert, 9, vals) != WA_OK)
			return r->err.code;
	}
	if (identity != NULL && wa_db_bool(res, 0, "made", 0) &&
	    new_visitor_allowed(r) != WA_OK)
		return r->err.code;
	v->id = wa_db_get(res, 0, "id");
	v->resume = tok;
	return WA_OK;
}

/* The visitor's conversation, made closed (nobody has to answer until
 * the visitor writes). */
static enum wa_err
conversation(struct wa_req *r, const struct visitor *v, const char *name,
    const char **id)
{
	static const char sql[] =
	    "INSERT INTO wa.conversations AS c (org_id, channel, channel_id, "
	    "peer, name, status) VALUES ($1, 'web_chat', $2, $3, $4, "
	    "'closed') ON CONFLICT (channel_id, peer) WHERE channel = "
	    "'web_chat' DO UPDATE SET name = coalesce(excluded.name, c.name) "
	    "RETURNING id";
	PGresult	*res;

	if (wa_db_q(r, &res, sql, 4, r->auth.org_id, wc_cur.channel_id, v->id,
	    name) != WA_OK)
		return r->err.code;
	*id = wa_db_get(res, 0, "id");
	return WA_OK;
}

/*
 * What the mode asks of the body, and the identity it gives: the host's
 * hash (host-identified), a name or e-mail (identified), a code sent to
 * the e-mail (verify-otp: without a code, one is sent and the answer,
 * 202, is made: *sent).
 */
static enum wa_err
mode_identity(struct wa_req *r, const struct chan *c, const cJSON *body,
    const char *mode, const char **identity, int *sent)
{
	const char	*email = wa_json_str(body, "email");
	const char	*code = wa_json_str(body, "code");

	if (c->identity_required && strcmp(mode, "host-identified") != 0)
		return wa_fail(r, WA_ERR_FORBIDDEN, "This chat takes only "
		    "visitors the host site identifies (mode host-identified)");
	if (strcmp(mode, "host-identified") == 0)
		return host_identity(r, c, body, identity);
	if (strcmp(mode, "identified") == 0 && wa_json_str(body, "name") ==
	    NULL && email == NULL)
		return wa_fail_field(r, "name", "give name or email in mode "
		    "identified");
	if (strcmp(mode, "verify-otp") != 0)
		return WA_OK;
	if (email == NULL)
		return wa_fail_field(r, "email", "is required in mode "
		    "verify-otp");
	if (code == NULL) {
		*sent = 1;
		return wc_otp_challenge(r, email, NULL);
	}
	if (wc_otp_verify(r, email, NULL, code) != WA_OK)
		return r->err.code;
	*identity = wa_arena_printf(r->arena, "email:%s",
	    wc_email_lower(r, email));
	return WA_OK;
}

enum wa_err
wv_session(struct wa_req *r)
{
	struct chan		 c;
	struct visitor		 v;
	struct wa_vtoken	 t;
	const char		*mode, *identity = NULL, *conv = NULL, *tok;
	const char		*name, *s;
	cJSON			*body, *pre, *out;
	PGresult		*res;
	int			 sent = 0, known;
	int64_t			 now = wa_clock_now_ms() / 1000;
	char			 exp[WA_CLOCK_RFC3339_LEN];

	memset(&c, 0, sizeof(c));
	memset(&v, 0, sizeof(v));

	if (wa_json_body(r, &body) != WA_OK ||
	    wa_json_validate(r, body, fields, NULL) != WA_OK ||
	    chan_load(r, &c) != WA_OK)
		return r->err.code;
	mode = wa_json_str(body, "mode") != NULL ? wa_json_str(body, "mode") :
	    "anonymous";
	if (mode_identity(r, &c, body, mode, &identity, &sent) != WA_OK ||
	    sent)
		return r->err.code;
	if (known_visitor(r, identity, body, &known) != WA_OK ||
	    (pre = prechat(r, &c, cJSON_GetObjectItemCaseSensitive(body,
	    "prechat"), c.precapture && !known)) == NULL)
		return r->err.code;
	if (visitor_take(r, mode, identity, body, pre, &v) != WA_OK)
		return r->err.code;
	if (strcmp(mode, "verify-otp") == 0 && wa_db_q(r, &res,
	    "UPDATE wa.web_chat_visitors SET email_verified_at = now() "
	    "WHERE id = $1", 1, v.id) != WA_OK)
		return r->err.code;
	name = wa_json_str(body, "name") != NULL ? wa_json_str(body, "name") :
	    wa_json_str(body, "email");
	if (conversation(r, &v, name, &conv) != WA_OK)
		return r->err.code;
	memset(&t, 0, sizeof(t));
	snprintf(t.org_id, sizeof(t.org_id), "%s", r->auth.org_id);
	snprintf(t.channel_id, sizeof(t.channel_id), "%s", wc_cur.channel_id);
	snprintf(t.visitor_id, sizeof(t.visitor_id), "%s", v.id);
	t.iat = now;
	t.exp = now + WA_VTOKEN_TTL_S;
	if (wa_vtoken_issue(r, &t, &tok) != WA_OK)
		return r->err.code;
	out = cJSON_CreateObject();
	cJSON_AddStringToObject(out, "token", tok);
	cJSON_AddStringToObject(out, "expiresAt", wa_clock_rfc3339(exp,
	    sizeof(exp), t.exp * 1000));
	cJSON_AddStringToObject(out, "visitorId", v.id);
	cJSON_AddStringToObject(out, "resumeToken", v.resume);
	cJSON_AddStringToObject(out, "conversationId", conv);
	cJSON_AddStringToObject(out, "mode", mode);
	cJSON_AddItemToObject(out, "channel", cJSON_CreateRaw(c.public_json));
	s = wa_json_print(out);
	return wa_media_resp_raw(r, 201, s, 0);
}

/* GET channel: what the widget shows before there is a session (the
 * prechat form, the operating hours): the channel as a session's
 * `channel` says it. */
enum wa_err
wv_channel(struct wa_req *r)
{
	static const char sql[] =
	    "SELECT " WC_PUBLIC_JSON "::text AS data "
	    "FROM wa.web_chat_channels c WHERE c.id = $1";
	PGresult	*res;

	if (wa_db_q(r, &res, sql, 1, wc_cur.channel_id) != WA_OK)
		return r->err.code;
	return wa_media_resp_raw(r, 200, wa_db_get(res, 0, "data"), 0);
}
