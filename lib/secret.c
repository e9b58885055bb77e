/*
 * Values sealed under WA_SECRET_KEY (secret.h).
 */
#include <string.h>

#include "arena.h"
#include "cfg.h"
#include "crypto.h"
#include "secret.h"

enum wa_err
wa_secret_seal(struct wa_req *r, const char *aad, const char *plain,
    const char **hex)
{
	unsigned char	*sealed;
	char		*out;
	size_t		 n = strlen(plain), slen;

	*hex = NULL;
	if (r->cfg == NULL || !r->cfg->have_secret_key) {
		wa_fail_log(r, "WA_SECRET_KEY is not configured");
		r->err.retry_after = 0;
		return wa_fail(r, WA_ERR_UNAVAILABLE, "Secret storage is not "
		    "configured on this server");
	}
	sealed = wa_arena_alloc(r->arena, n + WA_SEAL_OVERHEAD);
	if (wa_crypto_seal(r->cfg->secret_key, aad, strlen(aad), plain, n,
	    sealed, &slen) != 0)
		return wa_fail(r, WA_ERR_INTERNAL, "Internal error");
	out = wa_arena_alloc(r->arena, 2 * slen + 1);
	wa_crypto_hex(sealed, slen, out);
	*hex = out;
	return WA_OK;
}

enum wa_err
wa_secret_open(struct wa_req *r, const char *aad, const char *hex,
    const char **plain)
{
	unsigned char	*sealed, *out;
	size_t		 n = hex != NULL ? strlen(hex) / 2 : 0, len;

	*plain = NULL;
	sealed = wa_arena_alloc(r->arena, n + 1);
	out = wa_arena_alloc(r->arena, n + 1);
	if (r->cfg == NULL || !r->cfg->have_secret_key ||
	    n < WA_SEAL_OVERHEAD || wa_crypto_unhex(hex, sealed, n) != 0 ||
	    wa_crypto_open(r->cfg->secret_key, aad, strlen(aad), sealed, n,
	    out, &len) != 0) {
		wa_fail_log(r, "%s: does not open with WA_SECRET_KEY", aad);
		return wa_fail(r, WA_ERR_INTERNAL, "Internal error");
	}
	out[len] = '\0';
	*plain = (const char *)out;
	return WA_OK;
}
