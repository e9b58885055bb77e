/*
 * route: the const route table of a family binary.
 *
 * The dispatcher matches method and path, authenticates the caller the
 * way the route declares, and only then calls the handler: a 404 or 405
 * never reaches handler code, and no handler authenticates anybody.
 */
#ifndef WA_ROUTE_H
#define WA_ROUTE_H

#include "err.h"
#include "req.h"

typedef enum wa_err (*wa_handler)(struct wa_req *);

/*
 * How the caller of a route proves who it is: a strategy the dispatcher
 * runs around the request's one transaction (dispatch.h).
 *
 *   check()    before any database work: the credential is present and
 *              well-formed, a signature matches the raw body.  Fails
 *              with 401 (or 503 when the server lacks what it needs to
 *              check).  NULL: nothing to check.
 *   resolve()  first thing inside the transaction: finds the tenant the
 *              credential belongs to, sets it (wa_db_set_org() or the
 *              lookup's own set_config) and fills r->auth (ok, org_id;
 *              role for API keys).  NULL: the route has no tenant; its
 *              statements must go through SECURITY DEFINER functions
 *              that route the data themselves, and Idempotency-Key does
 *              not apply.
 *
 * lib/ provides wa_authn_key (auth.h), wa_authn_none (auth.h) and
 * Meta's signature (graph/graph.h); a family may declare its own (a
 * web-chat channel token, a provider's signature) next to its routes.
 */
struct wa_authn {
	const char	*name;		/* "api_key": logs, docs */
	enum wa_err	(*check)(struct wa_req *);
	enum wa_err	(*resolve)(struct wa_req *);
};

/*
 * The strategies lib/ provides (auth.c):
 *   wa_authn_key   an API key: its form is checked before any database
 *                  work (401); inside the transaction it is verified,
 *                  its tenant set, the route's role (403) and the
 *                  face's scope (403) applied.
 *   wa_authn_none  anyone, no tenant.
 */
extern const struct wa_authn wa_authn_key;
extern const struct wa_authn wa_authn_none;

struct wa_route {
	unsigned		 method;	/* one WA_M_* bit */
	const char		*pattern;	/* "/v3/profiles/{id}" */
	wa_handler		 handler;
	const struct wa_authn	*authn;		/* how callers prove it */
	enum wa_role		 role;		/* API keys: minimum role */
	enum wa_face		 face;		/* envelope of responses */
	/*
	 * Optional: work the client waits for that must not be inside
	 * the transaction (messages are committed before they are sent).
	 * When the handler succeeds leaving no response and r->resume set
	 * (an id of what it started), the dispatcher commits, then calls
	 * finish() outside any transaction; it waits, reads in short
	 * transactions of its own (wa_db_tx_org) and renders the response.
	 * Idempotency-Key keeps that final response; a replay that finds
	 * the first one still pending (it is waiting, or its process died)
	 * runs finish() again with the same r->resume.
	 */
	wa_handler		 finish;
	/*
	 * Optional: the route takes an upload of up to this many bytes
	 * (the whole body, multipart framing included).  Its body is not
	 * read into memory: the handler streams it (multipart.h), and
	 * nginx is told the limit (`<binary> --routes`, stack.sh).  0:
	 * the family's body_max, read whole before the handler runs.
	 */
	size_t			 upload_max;
};

/* Rows of a route table: a route for API keys of at least `role` (with
 * a finish step, or taking an upload), a route of another strategy
 * (taking an upload), and the end. */
#define WA_ROUTE_KEY(m, pat, h, role, face) \
	{ (m), (pat), (h), &wa_authn_key, (role), (face), NULL, 0 }
#define WA_ROUTE_KEY_THEN(m, pat, h, fin, role, face) \
	{ (m), (pat), (h), &wa_authn_key, (role), (face), (fin), 0 }
#define WA_ROUTE_UPLOAD(m, pat, h, role, face, max) \
	{ (m), (pat), (h), &wa_authn_key, (role), (face), NULL, (max) }
#define WA_ROUTE_UPLOAD_AS(m, pat, h, authn, face, max) \
	{ (m), (pat), (h), (authn), WA_ROLE_NONE, (face), NULL, (max) }
#define WA_ROUTE_AS(m, pat, h, authn, face) \
	{ (m), (pat), (h), (authn), WA_ROLE_NONE, (face), NULL, 0 }
#define WA_ROUTE_END \
	{ 0, NULL, NULL, NULL, WA_ROLE_NONE, WA_FACE_MOSEND, NULL, 0 }

/*
 * Finds the route for r->method and r->segs.  Literal segments beat
 * {params}, so "/contacts/bulk" wins over "/contacts/{id}".  On a match,
 * fills r->params and returns WA_OK with *out set.  Otherwise returns
 * WA_ERR_NO_ROUTE, or WA_ERR_METHOD with the methods the path does take
 * in *allowed (WA_M_* bits).  Records nothing in r->err.
 */
enum wa_err	wa_route_match(struct wa_req *r, const struct wa_route *routes,
		    const struct wa_route **out, unsigned *allowed);

/* "GET, POST" for a mask, into buf. */
void		wa_route_allow(unsigned mask, char *buf, size_t bufsz);

#endif /* WA_ROUTE_H */
