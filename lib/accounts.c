#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "accounts.h"
#include "arena.h"
#include "cfg.h"
#include "crypto.h"
#include "db.h"
#include "graph/graph.h"
#include "secret.h"
#include "valid.h"

#define TOKEN_MAX	4096
#define ACCOUNT		"WhatsApp account"	/* what its 404 names */

int
wa_account_valid_meta_id(const char *s)
{
	size_t	n, i;

	if (s == NULL || (n = strlen(s)) == 0 || n > 64)
		return 0;
	for (i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
		    (c >= 'A' && c <= 'Z') || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

enum wa_err
wa_account_get(struct wa_req *r, const char *id, struct wa_account *out)
{
	static const char sql[] =
	    "SELECT id, org_id, profile_id, waba_id, phone_number_id, "
	    "display_phone_number, encode(access_token_enc, 'hex') AS tok "
	    "FROM wa.wa_accounts WHERE id = $1 AND deleted_at IS NULL";
	const char	*scope = r->auth.profile_id, *pid, *hex;
	PGresult	*res;
	size_t		 n;
	unsigned char	*tok;

	memset(out, 0, sizeof(*out));
	if (!wa_valid_uuid(id))
		return wa_fail_not_found(r, NULL, ACCOUNT);
	if (wa_db_q(r, &res, sql, 1, id) != WA_OK ||
	    wa_db_one_or_fail(r, res, NULL, ACCOUNT) != WA_OK)
		return r->err.code;
	pid = wa_db_get(res, 0, "profile_id");
	if (scope[0] != '\0' && pid != NULL && strcasecmp(pid, scope) != 0)
		return wa_fail_not_found(r, NULL, ACCOUNT);
	snprintf(out->id, sizeof(out->id), "%s", wa_db_get(res, 0, "id"));
	snprintf(out->org_id, sizeof(out->org_id), "%s",
	    wa_db_get(res, 0, "org_id"));
	snprintf(out->profile_id, sizeof(out->profile_id), "%s",
	    pid != NULL ? pid : "");
	out->waba_id = wa_arena_strdup(r->arena, wa_db_get(res, 0, "waba_id"));
	out->phone_number_id = wa_arena_strdup(r->arena,
	    wa_db_get(res, 0, "phone_number_id"));
	out->display_phone_number = wa_arena_strdup(r->arena,
	    wa_db_get(res, 0, "display_phone_number"));
	hex = wa_db_get(res, 0, "tok");
	n = hex != NULL ? strlen(hex) / 2 : 0;
	tok = wa_arena_alloc(r->arena, n + 1);
	if (hex == NULL || wa_crypto_unhex(hex, tok, n) != 0)
		n = 0;
	out->token_sealed = tok;
	out->token_sealed_len = n;
	return WA_OK;
}

enum wa_err
wa_account_token(struct wa_req *r, const struct wa_account *a,
    const char **token)
{
	char		 aad[64];
	unsigned char	*plain;
	size_t		 n;

	*token = NULL;
	if (r->cfg == NULL || !r->cfg->have_secret_key ||
	    a->token_sealed_len < WA_SEAL_OVERHEAD) {
		wa_fail_log(r, "account %s: no secret key or no token", a->id);
		return wa_fail(r, WA_ERR_INTERNAL, "Internal error");
	}
	snprintf(aad, sizeof(aad), "wa_accounts.access_token:%s", a->id);
	plain = wa_arena_alloc(r->arena, a->token_sealed_len + 1);
	if (wa_crypto_open(r->cfg->secret_key, aad, strlen(aad),
	    a->token_sealed, a->token_sealed_len, plain, &n) != 0) {
		wa_fail_log(r, "account %s: token does not open with "
		    "WA_SECRET_KEY", a->id);
		return wa_fail(r, WA_ERR_INTERNAL, "Internal error");
	}
	plain[n] = '\0';
	*token = (const char *)plain;
	return WA_OK;
}

/* The token sealed for account id, hex for decode($n, 'hex'). */
static enum wa_err
seal(struct wa_req *r, const char *id, const char *token, const char **hex)
{
	return wa_secret_seal(r, wa_arena_printf(r->arena,
	    "wa_accounts.access_token:%s", id), token, hex);
}

/* What every attach needs before anything else: the key, a token. */
static enum wa_err
can_seal(struct wa_req *r, const struct wa_account_new *a)
{
	size_t		 n = a->access_token != NULL ?
			    strlen(a->access_token) : 0;
	const char	*t;

	if (r->cfg == NULL || !r->cfg->have_secret_key) {
		wa_fail_log(r, "WA_SECRET_KEY is not configured");
		r->err.retry_after = 0;
		return wa_fail(r, WA_ERR_UNAVAILABLE, "Secret storage is not "
		    "configured on this server");
	}
	if (n == 0 || n > TOKEN_MAX)
		return wa_fail_field(r, "access_token",
		    "must be 1-%d characters", TOKEN_MAX);
	/* it travels in an HTTP header: no space, control byte or
	 * anything outside ASCII (Meta's tokens are base64-like) */
	for (t = a->access_token; *t != '\0'; t++)
		if (*t < 0x21 || *t > 0x7e)
			return wa_fail_field(r, "access_token", "must be "
			    "printable ASCII without spaces");
	return WA_OK;
}

/* Meta's display number ("+1 631-555-5555", "15555555555") as E.164,
 * or NULL. */
static const char *
e164(struct wa_req *r, const char *meta)
{
	char	*out;
	size_t	 o = 1;

	if (meta == NULL || strlen(meta) > 32)
		return NULL;
	out = wa_arena_alloc(r->arena, strlen(meta) + 2);
	out[0] = '+';
	for (; *meta != '\0'; meta++)
		if (*meta >= '0' && *meta <= '9')
			out[o++] = *meta;
	out[o] = '\0';
	return wa_valid_e164(out) ? out : NULL;
}

/* Meta said no: a token, permission or object error, or the number of
 * another WABA.  Unavailability is not a refusal. */
static int
refused(const struct wa_graph_res *res)
{
	enum wa_err	e = res->rule != NULL ? res->rule->err : WA_OK;

	return (res->status == WA_GRAPH_META ||
	    res->status == WA_GRAPH_HTTP) && (e == WA_ERR_META_AUTH ||
	    e == WA_ERR_META_REFUSED || e == WA_ERR_META_INVALID ||
	    e == WA_ERR_NOT_FOUND);
}

enum wa_err
wa_account_prove(struct wa_req *r, const struct wa_account_new *a,
    struct wa_account_proof *out)
{
	struct wa_graph_acct	 g;
	struct wa_graph_res	 res;
	struct wa_graph_number	 n;
	const char		*words;

	memset(out, 0, sizeof(*out));
	memset(&g, 0, sizeof(g));
	g.token = a->access_token;
	g.waba_id = a->waba_id;
	g.phone_number_id = a->phone_number_id;
	if (wa_graph_number_check(r, &g, &res, &n) == WA_GRAPH_OK) {
		if (a->phone_number_id == NULL || n.in_waba) {
			out->display_phone_number = e164(r,
			    n.display_phone_number);
			out->verified_name = n.verified_name;
			return WA_OK;
		}
		return wa_fail(r, WA_ERR_NUMBER_UNPROVEN, "WhatsApp phone "
		    "number %s does not belong to WhatsApp Business Account "
		    "%s at Meta; give the WABA the number is registered in",
		    a->phone_number_id, a->waba_id);
	}
	if (!refused(&res))
		return wa_graph_fail(r, &res,
		    "verify the WhatsApp number with Meta");
	words = res.status == WA_GRAPH_META ? (res.err.details != NULL ?
	    res.err.details : res.err.message) : NULL;
	if (words == NULL)
		words = res.rule->message;
	wa_fail_log(r, "number check refused: %s %s code=%ld subcode=%ld "
	    "fbtrace_id=%s", res.method, res.path, res.err.code,
	    res.err.subcode, res.err.fbtrace_id != NULL ?
	    res.err.fbtrace_id : "-");
	if (n.step == WA_GRAPH_CHECK_NUMBER)
		wa_fail(r, WA_ERR_NUMBER_UNPROVEN, "The access token cannot "
		    "reach WhatsApp phone number %s at Meta (Meta: %s)",
		    a->phone_number_id, words);
	else
		wa_fail(r, WA_ERR_NUMBER_UNPROVEN, "The access token cannot "
		    "reach WhatsApp Business Account %s at Meta (Meta: %s)",
		    a->waba_id, words);
	r->err.details = wa_graph_fail_details(&res);
	return r->err.code;
}

/* 1 if a's organization has a live account with a's number, 0 if not,
 * -1 on a database error (recorded).  Says nothing of other
 * organizations: under row-level security they are not there, and
 * wa-admin's role sees them but the org_id condition leaves them out. */
static int
held_here(struct wa_req *r, const struct wa_account_new *a)
{
	static const char sql[] =
	    "SELECT 1 FROM wa.wa_accounts WHERE org_id = $1 "
	    "AND phone_number_id = $2 AND deleted_at IS NULL";
	PGresult	*res;

	if (a->phone_number_id == NULL)
		return 0;
	if (wa_db_q(r, &res, sql, 2, a->org_id, a->phone_number_id) != WA_OK)
		return -1;
	return PQntuples(res) > 0;
}

static enum wa_err
held_here_fail(struct wa_req *r)
{
	return wa_fail(r, WA_ERR_CONFLICT, "A WhatsApp account with this "
	    "phone_number_id already exists");
}

enum wa_err
wa_account_create(struct wa_req *r, const struct wa_account_new *a,
    char id_out[WA_UUID_LEN])
{
	/*
	 * A number that is taken is no row, not an error: the conflict is
	 * then recorded with its own sentence.  The number's unique index
	 * is global (wa_accounts_number): an organization learns that
	 * someone else holds the number it proved, and nothing more.
	 */
	static const char sql[] =
	    "INSERT INTO wa.wa_accounts (id, org_id, profile_id, waba_id, "
	    "phone_number_id, display_phone_number, access_token_enc, "
	    "proof, verified_at) "
	    "VALUES ($1, $2, $3, $4, $5, $6, decode($7, 'hex'), $8, "
	    "CASE WHEN $8 = 'meta' THEN now() END) "
	    "ON CONFLICT DO NOTHING RETURNING id";
	struct wa_account_proof	 proof;
	const char		*display = a->display_phone_number;
	const char		*hex;
	PGresult		*res;
	int			 here;

	if (can_seal(r, a) != WA_OK)
		return r->err.code;
	if (wa_crypto_uuid4(id_out) != 0)
		return wa_fail(r, WA_ERR_INTERNAL, "Internal error");
	if (seal(r, id_out, a->access_token, &hex) != WA_OK)
		return r->err.code;
	/* the organization's own duplicate needs no call to Meta */
	if ((here = held_here(r, a)) != 0)
		return here < 0 ? r->err.code : held_here_fail(r);
	if (!a->unproven) {
		if (wa_account_prove(r, a, &proof) != WA_OK)
			return r->err.code;
		if (display == NULL)
			display = proof.display_phone_number;
	}
	if (wa_db_q(r, &res, sql, 8, id_out, a->org_id, a->profile_id,
	    a->waba_id, a->phone_number_id, display, hex,
	    a->unproven ? "operator" : "meta") != WA_OK)
		return r->err.code;
	if (PQntuples(res) > 0)
		return WA_OK;
	/* taken meanwhile here, or held by another organization */
	if ((here = held_here(r, a)) != 0)
		return here < 0 ? r->err.code : held_here_fail(r);
	wa_fail_log(r, "phone number id %s is held by another organization",
	    a->phone_number_id != NULL ? a->phone_number_id : "-");
	return wa_fail(r, WA_ERR_NUMBER_TAKEN, "This WhatsApp phone number "
	    "is already connected to another organization; ask the operator "
	    "to move it (wa-admin account move)");
}

enum wa_err
wa_account_set_token(struct wa_req *r, const char *id,
    const struct wa_account_new *a)
{
	static const char sql[] =
	    "UPDATE wa.wa_accounts SET access_token_enc = decode($3, 'hex'), "
	    "proof = $4, verified_at = CASE WHEN $4 = 'meta' THEN now() "
	    "ELSE verified_at END, updated_at = now() "
	    "WHERE id = $1 AND org_id = $2 AND deleted_at IS NULL "
	    "AND waba_id = $5 AND phone_number_id IS NOT DISTINCT FROM $6 "
	    "RETURNING id";
	struct wa_account_proof	 proof;
	const char		*hex;
	PGresult		*res;

	if (can_seal(r, a) != WA_OK || seal(r, id, a->access_token, &hex) !=
	    WA_OK)
		return r->err.code;
	if (!a->unproven && wa_account_prove(r, a, &proof) != WA_OK)
		return r->err.code;
	if (wa_db_q(r, &res, sql, 6, id, a->org_id, hex,
	    a->unproven ? "operator" : "meta", a->waba_id,
	    a->phone_number_id) != WA_OK)
		return r->err.code;
	if (PQntuples(res) == 0)
		return wa_fail_not_found(r, NULL, ACCOUNT);
	return WA_OK;
}
