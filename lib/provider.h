/*
 * provider: one call of a provider's HTTP API that a secret key opens
 * (the carrier, lib/telnyx.h; billing, lib/stripe.h), through lib/fetch
 * (one deadline, a bounded answer; the host of the configured base URL
 * is the one address allowed besides public ones).
 *
 * What every such client answers its caller is decided here, once: a
 * provider that cannot be reached is 503 with Retry-After: 5; one that
 * answers 429 or 5xx is 503 with its own Retry-After (1 to 3600 s, else
 * 5); any other error is 502; a success that is not a JSON object is
 * 502.  The provider's words (its error object, read by the client's
 * own error_of) are logged and kept in the request's log detail, never
 * answered; the key travels only in the Authorization header and is
 * never logged.
 */
#ifndef WA_PROVIDER_H
#define WA_PROVIDER_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "err.h"
#include "req.h"

#define WA_PROVIDER_RETRY_S	5	/* Retry-After when unreachable */

struct wa_arena;

struct wa_provider {
	const char	*name;		/* "telnyx": in the log */
	const char	*who;		/* "The carrier": in messages */
	const char	*url;		/* the configured base URL */
	const char	*key;		/* sent as "Bearer <key>" */
	const char	*ca_file;	/* or NULL: the system's */
	const char	*ctype;		/* of a request's body */
	int		 timeout_ms;
	size_t		 max_bytes;	/* of an answer */
	/* The code and the words of an error answer (v its JSON, or
	 * NULL), for the log; "-" where there is none. */
	void		(*error_of)(struct wa_arena *, const cJSON *v,
			    const char **code, const char **words);
};

/*
 * method path ("/v2/...", its query encoded) with body (or NULL) and,
 * when idem is not NULL, an Idempotency-Key header.  WA_OK with the
 * answer's JSON object in *out for a 2xx, or with *out NULL for a 404
 * when ok404 is set; otherwise the error recorded (see above) and
 * returned, *out NULL.
 */
enum wa_err	wa_provider_call(struct wa_req *, const struct wa_provider *,
		    const char *method, const char *path, const char *idem,
		    const char *body, int ok404, cJSON **out);

/* An answer that is not the shape its call promised: 502, what
 * logged. */
enum wa_err	wa_provider_unexpected(struct wa_req *,
		    const struct wa_provider *, const char *what);

#endif /* WA_PROVIDER_H */
