#include <stdio.h>
#include <string.h>

#include "accounts.h"
#include "arena.h"
#include "cfg.h"
#include "crypto.h"
#include "db.h"

#define TOKEN_MAX	4096

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
wa_account_create(struct wa_req *r, const struct wa_account_new *a,
    char id_out[WA_UUID_LEN])
{
	static const char sql[] =
	    "INSERT INTO wa.wa_accounts (id, org_id, profile_id, waba_id, "
	    "phone_number_id, display_phone_number, access_token_enc) "
	    "VALUES ($1, $2, $3, $4, $5, $6, decode($7, 'hex'))";
	unsigned char	*sealed;
	char		*hex, aad[64];
	size_t		 n = strlen(a->access_token), slen;
	PGresult	*res;
	enum wa_err	 e;

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
	e = wa_db_q(r, &res, sql, 7, id_out, a->org_id, a->profile_id,
	    a->waba_id, a->phone_number_id, a->display_phone_number, hex);
	if (e == WA_ERR_CONFLICT) {
		/* first error wins: reword the generic conflict */
		snprintf(r->err.message, sizeof(r->err.message), "A WhatsApp "
		    "account with this phone_number_id already exists");
	}
	return e;
}
