/*
 * idem: Idempotency-Key for mutating requests, on every face.
 *
 * Runs inside the request's transaction, after authentication:
 *   - a transaction-scoped advisory lock on (org, key) makes a
 *     concurrent duplicate fail at once with 409 (x-should-retry: false);
 *   - a stored record with the same request hash is replayed (status and
 *     body); with another hash the request is refused with 422;
 *   - otherwise the handler runs and its response (any status below 500)
 *     is stored in the same transaction as its effects, so either both
 *     commit or neither does.
 * Records are per organization and expire after 24 hours.
 */
#ifndef WA_IDEM_H
#define WA_IDEM_H

#include "crypto.h"
#include "err.h"

struct wa_req;

struct wa_idem {
	int		 active;	/* request carries a key */
	int		 pending;	/* its first run's finish step is not
					 * done: run it again (route.h) */
	const char	*key;
	char		 hash[2 * WA_SHA256_LEN + 1];
};

/* 1 for methods that take a key: POST, PUT, PATCH, DELETE. */
int		wa_idem_applies(unsigned method);

/*
 * Checks the header and the store.  Returns WA_OK and leaves st->active
 * set when the handler should run; returns WA_OK with r->resp set and
 * r->resp.replayed = 1 for a replay; otherwise an error (400 malformed
 * key, 409 busy, 422 mismatch, 503).
 */
enum wa_err	wa_idem_begin(struct wa_req *, struct wa_idem *st);

/* Saves r->resp under the key (only if st->active and status < 500). */
enum wa_err	wa_idem_store(struct wa_req *, const struct wa_idem *st);

/*
 * Routes with a finish step (route.h): before the commit, the key is
 * saved as pending (status 0) with r->resume; after finish(), in a
 * transaction of its own, the final response replaces it (status <
 * 500; a 5xx leaves it pending, so a retry finishes again).
 */
enum wa_err	wa_idem_store_pending(struct wa_req *,
		    const struct wa_idem *st);
enum wa_err	wa_idem_finish(struct wa_req *, const struct wa_idem *st);

/* Deletes expired records of every tenant, at most once an hour per
 * process; call outside a request transaction. */
void		wa_idem_purge_maybe(struct wa_req *);

#endif /* WA_IDEM_H */
