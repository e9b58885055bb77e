/*
 * One-time codes by e-mail (docs/web-chat.md, "Verified e-mail"): the
 * sessions of mode verify-otp, POST sessions/resend-otp and POST
 * sessions/link-email.  A code is six digits, valid ten minutes, good
 * for five tries; a new one is sent at most every 30 seconds and five
 * times an hour per address.  Only its hash is kept (wa.web_chat_otps),
 * and the mail goes out inside the request's transaction: a code the
 * server could not send is not kept.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <openssl/rand.h>

#include "arena.h"
#include "db.h"
#include "json.h"
#include "mail.h"
#include "resp.h"
#include "valid.h"

#include "web_chat.h"

#define OTP_TTL		"10 minutes"
#define OTP_TRIES	5
#define OTP_PER_HOUR	5
#define OTP_GAP_S	30

const char *
wc_email_lower(struct wa_req *r, const char *email)
{
	char	*s = wa_arena_strdup(r->arena, email);
	size_t	 i;

	for (i = 0; s[i] != '\0'; i++)
		s[i] = (char)tolower((unsigned char)s[i]);
	return s;
}

/* Six uniform digits. */
static int
new_code(char out[7])
{
	unsigned int	v;

	do {
		if (RAND_bytes((unsigned char *)&v, sizeof(v)) != 1)
			return -1;
	} while (v >= 4294000000u);	/* 4294 * 10^6: no bias */
	snprintf(out, 7, "%06u", v % 1000000u);
	return 0;
}

/* A fresh code for (email, visitor) into the challenge; 429 when the
 * last one is too recent or the hour's are used up. */
static enum wa_err
store_code(struct wa_req *r, const char *email, const char *visitor,
    const char *code, const char **expires)
{
	static const char sql[] =
	    "WITH x AS (SELECT wa.uuid7() AS id) "
	    "INSERT INTO wa.web_chat_otps AS o (id, org_id, channel_id, "
	    "email, visitor_id, code_hash, expires_at) SELECT x.id, $1, $2, "
	    "$3, $4::uuid, sha256(convert_to(x.id::text || ':' || $5, "
	    "'UTF8')), now() + interval '" OTP_TTL "' FROM x "
	    "ON CONFLICT (channel_id, email, visitor_id) DO UPDATE SET "
	    "code_hash = sha256(convert_to(o.id::text || ':' || $5, 'UTF8')), "
	    "expires_at = excluded.expires_at, attempts = 0, sent_at = now(), "
	    "sends = CASE WHEN o.window_at > now() - interval '1 hour' "
	    "THEN o.sends + 1 ELSE 1 END, "
	    "window_at = CASE WHEN o.window_at > now() - interval '1 hour' "
	    "THEN o.window_at ELSE now() END "
	    "WHERE o.sent_at <= now() - make_interval(secs => $6::integer) "
	    "AND (o.window_at <= now() - interval '1 hour' OR "
	    "o.sends < $7::integer) "
	    "RETURNING wa.rfc3339(o.expires_at) AS expires_at";
	PGresult	*res;
	char		 gap[16], per[16];

	snprintf(gap, sizeof(gap), "%d", OTP_GAP_S);
	snprintf(per, sizeof(per), "%d", OTP_PER_HOUR);
	if (wa_db_q(r, &res, sql, 7, r->auth.org_id, wc_cur.channel_id,
	    email, visitor, code, gap, per) != WA_OK)
		return r->err.code;
	if (PQntuples(res) != 1) {
		r->err.retry_after = OTP_GAP_S;
		return wa_fail(r, WA_ERR_RATE_LIMITED, "A code was sent to "
		    "this address moments ago, or too many this hour; retry "
		    "after Retry-After");
	}
	*expires = wa_db_get(res, 0, "expires_at");
	return WA_OK;
}

/* The code by e-mail, in the channel's name. */
static enum wa_err
mail_code(struct wa_req *r, const char *email, const char *code)
{
	PGresult	*res;
	const char	*name;

	if (wa_db_q(r, &res, "SELECT name FROM wa.web_chat_channels "
	    "WHERE id = $1", 1, wc_cur.channel_id) != WA_OK)
		return r->err.code;
	name = PQntuples(res) == 1 ? wa_db_get(res, 0, "name") : "the chat";
	return wa_mail_send(r, email, "Your verification code",
	    wa_arena_printf(r->arena, "Your code for %s is %s.\n\nIt expires "
	    "in 10 minutes.  If you did not ask for it, ignore this "
	    "message.\n", name, code));
}

/* Sends a new code: 202 {otpRequired, email, expiresAt}. */
enum wa_err
wc_otp_challenge(struct wa_req *r, const char *email, const char *visitor)
{
	const char	*expires = NULL;
	char		 code[7];
	cJSON		*out;

	if (!wa_mail_configured(r->cfg))
		return wa_fail(r, WA_ERR_UNAVAILABLE, "E-mail is not "
		    "configured on this server: codes cannot be sent");
	if (new_code(code) != 0)
		return wa_fail(r, WA_ERR_INTERNAL, "Internal error");
	email = wc_email_lower(r, email);
	if (store_code(r, email, visitor, code, &expires) != WA_OK ||
	    mail_code(r, email, code) != WA_OK)
		return r->err.code;
	out = cJSON_CreateObject();
	cJSON_AddBoolToObject(out, "otpRequired", 1);
	cJSON_AddStringToObject(out, "email", email);
	cJSON_AddStringToObject(out, "expiresAt", expires);
	return wa_resp_ok(r, 202, out);
}

/*
 * The code for (email, visitor) is right: the challenge is used up.
 * A wrong code counts (committed at once, whatever the answer) and is
 * a field error; five wrong ones, or an expired code, need a new code.
 */
enum wa_err
wc_otp_verify(struct wa_req *r, const char *email, const char *visitor,
    const char *code)
{
	static const char sql[] =
	    "SELECT id, expires_at < now() AS expired, attempts >= $4::integer "
	    "AS spent, code_hash = sha256(convert_to(id::text || ':' || $5, "
	    "'UTF8')) AS ok FROM wa.web_chat_otps WHERE channel_id = $1 "
	    "AND email = $2 AND visitor_id IS NOT DISTINCT FROM $3::uuid "
	    "FOR UPDATE";
	PGresult	*res;
	char		 tries[16];

	snprintf(tries, sizeof(tries), "%d", OTP_TRIES);
	email = wc_email_lower(r, email);
	if (wa_db_q(r, &res, sql, 5, wc_cur.channel_id, email, visitor,
	    tries, code) != WA_OK)
		return r->err.code;
	if (PQntuples(res) != 1 || wa_db_bool(res, 0, "expired", 1) ||
	    wa_db_bool(res, 0, "spent", 1))
		return wa_fail_field(r, "code", "is expired or was never sent; "
		    "ask for a new one");
	if (!wa_db_bool(res, 0, "ok", 0)) {
		if (wa_db_q(r, &res, "UPDATE wa.web_chat_otps SET attempts = "
		    "attempts + 1 WHERE id = $1", 1, wa_db_get(res, 0, "id")) !=
		    WA_OK || wa_db_commit(r) != WA_OK)
			return r->err.code;
		return wa_fail_field(r, "code", "is not the code that was "
		    "sent");
	}
	return wa_db_q(r, &res, "DELETE FROM wa.web_chat_otps WHERE id = $1",
	    1, wa_db_get(res, 0, "id"));
}

int
wc_code_ok(const char *s)
{
	return strlen(s) == 6 && strspn(s, "0123456789") == 6;
}

static const struct wa_field fields[] = {
	WA_FIELD_STR_CHECK("email", WA_F_REQUIRED, 254, wa_valid_email,
	    "must be an e-mail address"),
	WC_FIELD_CODE,
	WA_FIELD_END
};

/* POST sessions/resend-otp {email}: a new code for a verify-otp
 * session to come, 202. */
enum wa_err
wv_resend_otp(struct wa_req *r)
{
	cJSON	*body;

	if (wa_json_body(r, &body) != WA_OK ||
	    wa_json_validate(r, body, fields, NULL) != WA_OK)
		return r->err.code;
	return wc_otp_challenge(r, wa_json_str(body, "email"), NULL);
}

/*
 * POST sessions/link-email {email, code?} (the visitor's token): without
 * a code, one is sent to the address (202); with the right one, the
 * address is the visitor's, verified: 200 {email, verified}.
 */
enum wa_err
wv_link_email(struct wa_req *r)
{
	static const char sql[] =
	    "UPDATE wa.web_chat_visitors SET email = $2, "
	    "email_verified_at = now() WHERE id = $1";
	const char	*email, *code;
	cJSON		*body, *out;
	PGresult	*res;

	if (wa_json_body(r, &body) != WA_OK ||
	    wa_json_validate(r, body, fields, NULL) != WA_OK)
		return r->err.code;
	email = wa_json_str(body, "email");
	if ((code = wa_json_str(body, "code")) == NULL)
		return wc_otp_challenge(r, email, wc_cur.visitor_id);
	if (wc_otp_verify(r, email, wc_cur.visitor_id, code) != WA_OK ||
	    wa_db_q(r, &res, sql, 2, wc_cur.visitor_id, email) != WA_OK)
		return r->err.code;
	out = cJSON_CreateObject();
	cJSON_AddStringToObject(out, "email", email);
	cJSON_AddBoolToObject(out, "verified", 1);
	return wa_resp_ok(r, 200, out);
}
