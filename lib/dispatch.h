/*
 * dispatch: the request pipeline every family shares.
 *
 *   route -> (405/404) -> key present and well-formed (401, no database)
 *   -> BEGIN -> key valid (401) -> set tenant -> role (403)
 *   -> face scope (403) -> Idempotency-Key (replay/409/422)
 *   -> handler -> store response -> COMMIT -> access log
 *
 * Any failure on the way is rendered once, in the face's envelope.
 */
#ifndef WA_DISPATCH_H
#define WA_DISPATCH_H

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
};

/* Runs the pipeline on a request parsed with result `parsed`; leaves
 * the response in r->resp and writes the access-log line. */
void	wa_dispatch(struct wa_req *, const struct wa_family *,
	    enum wa_err parsed);

#endif /* WA_DISPATCH_H */
