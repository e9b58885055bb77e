/*
 * route: the const route table of a family binary.
 *
 * The dispatcher matches method and path, checks the role and the body
 * limits, and only then calls the handler: a 404 or 405 never reaches
 * handler code.
 */
#ifndef WA_ROUTE_H
#define WA_ROUTE_H

#include "err.h"
#include "req.h"

typedef enum wa_err (*wa_handler)(struct wa_req *);

#define WA_RF_NO_TX	0x01	/* handler manages its own transaction */

struct wa_route {
	unsigned	 method;	/* one WA_M_* bit */
	const char	*pattern;	/* "/v3/profiles/{profileId}" */
	wa_handler	 handler;
	enum wa_role	 role;		/* minimum role; PUBLIC = no key */
	enum wa_face	 face;		/* envelope of its responses */
	unsigned	 flags;		/* WA_RF_* */
};

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
