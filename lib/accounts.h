/*
 * accounts: WhatsApp Business accounts of a tenant (table wa_accounts),
 * shared by the families that create them and by wa-admin.
 *
 * The Meta access token is sealed with AES-256-GCM under WA_SECRET_KEY,
 * bound to the account id, and only ever opened in memory.
 */
#ifndef WA_ACCOUNTS_H
#define WA_ACCOUNTS_H

#include "err.h"
#include "req.h"

struct wa_account_new {
	const char	*org_id;
	const char	*profile_id;	/* NULL = the organization's own */
	const char	*waba_id;
	const char	*phone_number_id;	/* Meta's id, may be NULL */
	const char	*display_phone_number;	/* E.164, may be NULL */
	const char	*access_token;
};

/*
 * Inserts the account inside r's transaction (tenant already set) and
 * writes its new id into id_out.  503 if no secret key is configured,
 * 409 if the phone-number id is already registered in the org.
 */
enum wa_err	wa_account_create(struct wa_req *,
		    const struct wa_account_new *, char id_out[WA_UUID_LEN]);

/* One account as the families see it; strings are arena-owned. */
struct wa_account {
	char		 id[WA_UUID_LEN];
	char		 org_id[WA_UUID_LEN];
	char		 profile_id[WA_UUID_LEN];	/* "" = org's own */
	const char	*waba_id;
	const char	*phone_number_id;	/* Meta's id, or NULL */
	const char	*display_phone_number;	/* or NULL */
	const unsigned char *token_sealed;
	size_t		 token_sealed_len;
};

/*
 * The account `id` (Late's accountId, Mosend's phoneId) as the caller
 * may use it: of the caller's organization (row-level security), not
 * deleted, and when the request is narrowed to a profile, that
 * profile's own account or the organization's.  Anything else,
 * including a malformed id, records 404 "WhatsApp account not found"
 * and returns it.  Needs the request's transaction.
 */
enum wa_err	wa_account_get(struct wa_req *, const char *id,
		    struct wa_account *out);

/* The Meta access token of a, opened in memory (arena-owned; never log
 * it).  500 if it does not open (wrong WA_SECRET_KEY). */
enum wa_err	wa_account_token(struct wa_req *, const struct wa_account *a,
		    const char **token);

/* Valid Meta object id: 1-64 of [A-Za-z0-9_-]. */
int		wa_account_valid_meta_id(const char *);

#endif /* WA_ACCOUNTS_H */
