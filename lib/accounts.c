#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "accounts.h"
#include "arena.h"
#include "cfg.h"
#include "crypto.h"
#include "db.h"
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

enum wa_err
wa_account_create(struct wa_req *r, const struct wa_account_new *a,
    char id_out[WA_UUID_LEN])
{
	/* a number taken in the organization is no row, not an error:
	 * the conflict is then recorded with its own sentence */
	static const char sql[] =
	    "INSERT INTO wa.wa_accounts (id, org_id, profile_id, waba_id, "
	    "phone_number_id, display_phone_number, access_token_enc) "
	    "VALUES ($1, $2, $3, $4, $5, $6, decode($7, 'hex')) "
	    "ON CONFLICT DO NOTHING RETURNING id";
	unsigned char	*sealed;
	char		*hex, aad[64];
	size_t		 n = strlen(a->access_token), slen;
	PGresult	*res;

	if (r->cfg == NULL || !r->cfg->have_secret_key) {
		wa_fail_log(r, "WA_SECRET_KEY is not configured");
		r->err.retry_after = 0;
		return wa_fail(r, WA_ERR_UNAVAILABLE, "Secret storage is not "
		    "configured on this server");
	}
	if (n == 0 || n > TOKEN_MAX)
		return wa_fail_field(r, "access_token",
		    "must be 1-%d characters", TOKEN_MAX);
	if (wa_crypto_uuid4(id_out) != 0)
		return wa_fail(r, WA_ERR_INTERNAL, "Internal error");
	snprintf(aad, sizeof(aad), "wa_accounts.access_token:%s", id_out);
	sealed = wa_arena_alloc(r->arena, n + WA_SEAL_OVERHEAD);
	if (wa_crypto_seal(r->cfg->secret_key, aad, strlen(aad),
	    a->access_token, n, sealed, &slen) != 0)
		return wa_fail(r, WA_ERR_INTERNAL, "Internal error");
	hex = wa_arena_alloc(r->arena, 2 * slen + 1);
	wa_crypto_hex(sealed, slen, hex);
	if (wa_db_q(r, &res, sql, 7, id_out, a->org_id, a->profile_id,
	    a->waba_id, a->phone_number_id, a->display_phone_number, hex) !=
	    WA_OK)
		return r->err.code;
	if (PQntuples(res) == 0)
		return wa_fail(r, WA_ERR_CONFLICT, "A WhatsApp account with "
		    "this phone_number_id already exists");
	return WA_OK;
}
