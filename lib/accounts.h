/*
 * accounts: WhatsApp Business accounts of a tenant (table wa_accounts),
 * shared by the families that create them and by wa-admin.
 *
 * The Meta access token is sealed with AES-256-GCM under WA_SECRET_KEY,
 * bound to the account id, and only ever opened in memory.
 *
 * Claims (issue 11): a number is attached only once it is proven at
 * Meta -- the token given must reach the WABA and the number, and the
 * number must be one of the WABA's (wa_account_prove) -- and one Meta
 * phone-number id belongs to one organization at a time (the unique
 * index wa_accounts_number, sql/0007_number_claims.sql).  Every path
 * that attaches a number goes through wa_account_create() or
 * wa_account_set_token(), which prove it unless the operator says
 * otherwise (wa-admin --no-verify).
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
	/* E.164, or NULL: then Meta's, when the number is proven */
	const char	*display_phone_number;
	const char	*access_token;
	/* 1: the operator's word, not checked at Meta (wa-admin
	 * --no-verify); recorded as such (wa_accounts.proof) */
	int		 unproven;
};

/* What Meta confirmed of a number; strings arena-owned or NULL. */
struct wa_account_proof {
	const char	*display_phone_number;	/* E.164 */
	const char	*verified_name;
};

/*
 * Proves a at Meta with its own token (wa_graph_number_check): the
 * token reaches the WABA, and the number when a has one, and the
 * number is listed among the WABA's.  Meta refusing (a permission or
 * token error, an unknown object) and a number of another WABA record
 * 422 WA_ERR_NUMBER_UNPROVEN with a message that names what failed
 * (and details.meta: Meta's error); Meta unavailable records what
 * wa_graph_fail() says (429, 502, 503, 504).  Runs no SQL.
 */
enum wa_err	wa_account_prove(struct wa_req *,
		    const struct wa_account_new *, struct wa_account_proof *);

/*
 * Attaches a number: proves it (unless a->unproven), then inserts the
 * account inside r's transaction (tenant set, or wa-admin's role) and
 * writes its new id into id_out.  503 if no secret key is configured;
 * 409 CONFLICT if the organization already has a live account with
 * this phone-number id (checked before Meta is asked); 422 or a Meta
 * failure from wa_account_prove(); 409 WA_ERR_NUMBER_TAKEN, saying no
 * more, if another organization holds the number.
 */
enum wa_err	wa_account_create(struct wa_req *,
		    const struct wa_account_new *, char id_out[WA_UUID_LEN]);

/*
 * Replaces the token of the live account `id` with a->access_token,
 * proven first (unless a->unproven) against the account's own ids,
 * which a must repeat (a->waba_id, a->phone_number_id).  The proof is
 * recorded.  404 if there is no such live account in a->org_id.
 */
enum wa_err	wa_account_set_token(struct wa_req *, const char *id,
		    const struct wa_account_new *a);

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
