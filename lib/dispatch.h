/*
 * dispatch: the request pipeline every family shares.
 *
 *   route -> (405/404)
 *   -> the route's authentication, check: credential present and
 *      well-formed, signature over the body (401; no database)
 *   -> BEGIN (deferred to the first statement)
 *   -> the route's authentication, resolve: key valid (401), tenant
 *      set, role (403), face scope (403)
 *   -> Idempotency-Key (replay/409/422; routes with a tenant)
 *   -> handler -> store response -> COMMIT -> access log
 *
 * Every route, whatever its authentication, runs in this one
 * transaction: no handler begins, commits or rolls back.  Any failure
 * on the way is rendered once, in the face's envelope.
 */
#ifndef WA_DISPATCH_H
#define WA_DISPATCH_H

#include <stddef.h>

#include "err.h"
#include "route.h"

struct wa_cfg;
struct wa_req;

struct wa_family {
	const char		*name;
	const struct wa_route	*routes;
	/* Optional, once per worker after the database handle exists:
	 * 0, or -1 to make the worker exit. */
	int			(*worker_init)(const struct wa_cfg *);
	/* Largest request body, in bytes; 0 = WA_FAMILY_BODY_MAX.  The
	 * stack gives the family's nginx location the same limit
	 * (`<binary> --body-max`); WA_BODY_MAX overrides both. */
	size_t			 body_max;
	/* Request workers when WA_WORKERS (--workers) is not given; 0 =
	 * cfg's 2.  A family whose requests wait (a bulk send waits for
	 * Meta's answers) declares more: a waiting worker costs a process
	 * asleep in poll(), and one organization may hold all but one. */
	int			 workers;
};

#define WA_FAMILY_BODY_MAX	(1024u * 1024)

/* Runs the pipeline on a request parsed with result `parsed`; leaves
 * the response in r->resp and writes the access-log line. */
void	wa_dispatch(struct wa_req *, const struct wa_family *,
	    enum wa_err parsed);

#endif /* WA_DISPATCH_H */
