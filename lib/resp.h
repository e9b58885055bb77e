/*
 * resp: the three response envelopes of DESIGN.md, for success and for
 * errors.  Handlers call wa_resp_ok() (or wa_resp_ok_raw() for JSON a
 * statement built), wa_resp_raw() or wa_resp_empty(); only the
 * dispatcher calls wa_resp_error().
 *
 *   Mosend  {"data": D, "timestamp": T}
 *   Late    {"success": true, ...members of D}
 *   Sent    {"success": true, "data": D, "error": null, "meta": {...}}
 */
#ifndef WA_RESP_H
#define WA_RESP_H

#include <cjson/cJSON.h>

#include "err.h"
#include "req.h"

/* Wraps data (any JSON value; Late needs an object) in the face's
 * envelope and sets the response.  Always returns WA_OK. */
enum wa_err	wa_resp_ok(struct wa_req *, int status, cJSON *data);

/*
 * The same with data already serialized: JSON text that one of our
 * statements built (json_build_object, json_agg) goes into the envelope
 * as it is, without a parse and a print.  Late needs an object, whose
 * members go up into the envelope.  json must be one JSON value, as
 * PostgreSQL's json output is: never text from a client.  NULL, or not
 * an object for Late, is a bug (500).  (A statement that builds only a
 * member of data: cJSON_AddRawToObject() puts it in, as it is.)
 */
enum wa_err	wa_resp_ok_raw(struct wa_req *, int status, const char *json);

/* Sends body as is (Late's phone-number routes have no `success`). */
enum wa_err	wa_resp_raw(struct wa_req *, int status, const cJSON *body);

/* A response without a body (204). */
enum wa_err	wa_resp_empty(struct wa_req *, int status);

/* Renders r->err in the face's envelope, with its status and headers
 * (Retry-After, x-should-retry, Allow where they apply). */
void		wa_resp_error(struct wa_req *);

/* Adds a response header; name and value are not copied.  A value with
 * CR or LF is dropped (it would end the header). */
void		wa_resp_header(struct wa_req *, const char *name,
		    const char *value);

/*
 * Paging of a list whose body the face's seed fixes (Sent's profiles,
 * Mosend's flows: no paging in their shapes): told in headers, the body
 * untouched.  X-Has-More: true|false; with a next page, Link: <next>;
 * rel="next" (next: the path and query of the next page); total >= 0
 * adds X-Total-Count.
 */
void		wa_resp_paging(struct wa_req *, int has_more,
		    const char *next, long long total);

/* Sets a stored response (idempotent replay). body is not copied. */
void		wa_resp_set(struct wa_req *, int status, const char *body,
		    size_t len);

#endif /* WA_RESP_H */
