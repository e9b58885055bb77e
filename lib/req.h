/*
 * req: one HTTP request as a family sees it, and the response it builds.
 *
 * A wa_req is filled from FastCGI parameters and the body stream by
 * wa_req_parse(); everything it points to is owned by r->arena and dies
 * at the end of the request.  Handlers read it, record failures with
 * wa_fail*() and write the response through resp.h.
 */
#ifndef WA_REQ_H
#define WA_REQ_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct wa_arena;
struct wa_cfg;
struct wa_db;

enum wa_face {
	WA_FACE_MOSEND = 0,	/* /organizations/..., /web-chat/... */
	WA_FACE_LATE,		/* /v1/... */
	WA_FACE_SENT,		/* /v3/... */
	WA_FACE__MAX
};

enum wa_method {
	WA_M_GET = 0x01,
	WA_M_POST = 0x02,
	WA_M_PUT = 0x04,
	WA_M_PATCH = 0x08,
	WA_M_DELETE = 0x10,
	WA_M_HEAD = 0x20,
	WA_M_OPTIONS = 0x40,
	WA_M_OTHER = 0x80
};

enum wa_role {
	WA_ROLE_NONE = 0,	/* a caller without an API key */
	WA_ROLE_MEMBER,
	WA_ROLE_ADMIN
};

#define WA_REQ_SEGS_MAX		32
#define WA_REQ_QUERY_MAX	64
#define WA_REQ_PARAMS_MAX	8
#define WA_REQ_HEADERS_MAX	16	/* extra response headers */
#define WA_REQ_ID_MAX		129	/* incl. NUL */
#define WA_UUID_LEN		37	/* incl. NUL */

struct wa_kv {
	const char	*key;
	const char	*val;
};

/* Who is calling; filled by auth.c. */
struct wa_auth {
	int		 ok;
	int		 test;		/* mk_test_ key */
	enum wa_role	 role;
	char		 key_id[WA_UUID_LEN];
	char		 key_prefix[33];
	char		 org_id[WA_UUID_LEN];
	char		 key_profile_id[WA_UUID_LEN];	/* "" = org key */
	/* Effective profile scope: the key's profile, or Sent's
	 * x-profile-id on an org key; "" = whole organization. */
	char		 profile_id[WA_UUID_LEN];
};

struct wa_resp {
	int		 status;	/* 0 = not set */
	const char	*body;		/* arena-owned */
	size_t		 body_len;
	struct wa_kv	 headers[WA_REQ_HEADERS_MAX];
	size_t		 nheaders;
	int		 replayed;	/* served from the idempotency store */
};

struct wa_req {
	struct wa_arena		*arena;
	const struct wa_cfg	*cfg;
	struct wa_db		*db;
	char *const		*env;		/* FastCGI params, NULL-ended */

	enum wa_face		 face;
	const char		*method_str;
	unsigned		 method;	/* one enum wa_method bit */
	const char		*uri;		/* raw REQUEST_URI */
	const char		*path;		/* decoded, for logs */
	const char		*segs[WA_REQ_SEGS_MAX];	/* decoded segments */
	size_t			 nsegs;
	struct wa_kv		 query[WA_REQ_QUERY_MAX];
	size_t			 nquery;
	const char		*body;		/* NUL-terminated */
	size_t			 body_len;
	/* The body still on the stream (wa_req_parse_head): Content-Length
	 * bytes, read by wa_req_read_body() or, on a route that takes an
	 * upload, by the route's handler through wa_req_body_read(). */
	long			(*body_rd)(void *, char *, size_t);
	void			*body_ctx;
	unsigned long long	 body_left;	/* bytes not yet read */
	size_t			 body_off;	/* read of a read body */
	int			 body_pending;	/* parse_head left it */
	struct wa_kv		 params[WA_REQ_PARAMS_MAX]; /* {params} */
	size_t			 nparams;
	char			 request_id[WA_REQ_ID_MAX];
	int64_t			 started_us;

	struct wa_auth		 auth;
	const void		*route;		/* matched struct wa_route */
	int			 in_tx;		/* transaction open */
	char			 resume[WA_REQ_ID_MAX]; /* route.h finish */
	int			 tx_deferred;	/* BEGIN owed (db.h) */
	int			 tenant_held;	/* a place (tenant.h) */
	int			 dry_run;	/* roll back, not commit */

	struct wa_error		 err;
	struct wa_resp		 resp;
};

/* Reads from the body stream: returns bytes read (0 at end), -1 on error. */
typedef long (*wa_req_reader)(void *ctx, char *buf, size_t len);

/*
 * Resets r for a new request (keeping arena, cfg, db) and parses the
 * FastCGI environment and body.  On malformed input (bad escape, a
 * path or query that is not UTF-8 once decoded, body over
 * cfg->body_max, too many segments) it records the error in r->err and
 * returns it; r stays usable for rendering that error.
 */
enum wa_err	 wa_req_parse(struct wa_req *r, char *const *env,
		    wa_req_reader rd, void *rdctx);

/*
 * wa_req_parse() in two steps, for the FastCGI worker, which reads the
 * body only once a route is known (dispatch.c): parse_head does all but
 * the body (Content-Length checked, nothing read); read_body reads the
 * whole body into the arena, 413 past max; stream_body leaves it on the
 * stream for the handler (wa_req_body_read), 413 if Content-Length is
 * past max.  Both are no-ops on a body already read.
 */
enum wa_err	 wa_req_parse_head(struct wa_req *r, char *const *env,
		    wa_req_reader rd, void *rdctx);
enum wa_err	 wa_req_read_body(struct wa_req *, size_t max);
enum wa_err	 wa_req_stream_body(struct wa_req *, size_t max);

/*
 * Reads up to len bytes of a streamed body (a route with upload_max):
 * returns bytes read, 0 at the end of the body, -1 (with 400 "Truncated
 * request body" recorded) if the stream ends before Content-Length.  A
 * body already read (wa_req_parse) is served from memory.
 */
long		 wa_req_body_read(struct wa_req *, char *buf, size_t len);

/* Reads and drops what is left of the body, so the connection ends
 * cleanly when a handler stopped early (bounded by nginx's limit). */
void		 wa_req_body_drain(struct wa_req *);

/* A FastCGI parameter ("REQUEST_METHOD"), or NULL. */
const char	*wa_req_env(const struct wa_req *, const char *name);

/* A request header by its HTTP name, case-insensitive ("x-api-key"). */
const char	*wa_req_header(const struct wa_req *, const char *name);

/* First query value for key, or NULL.  Values are decoded. */
const char	*wa_req_query(const struct wa_req *, const char *key);

/* The query parameter `key` as an integer from min to max: def when
 * it is absent; otherwise a field error ("must be an integer from 1 to
 * 100") and def. */
long		 wa_req_query_long(struct wa_req *, const char *key, long def,
		    long min, long max);

/* Where browsers reach wagate: WA_PUBLIC_URL, else https:// and the
 * Host of the request (nginx has checked it is a host name), or NULL;
 * never with a trailing slash. */
const char	*wa_req_public_base(struct wa_req *);

/* A route parameter ("profileId"), decoded; NULL if absent. */
const char	*wa_req_param(const struct wa_req *, const char *name);

/*
 * The route parameter `name` when it is a well-formed UUID.  Otherwise
 * records the 404 of wa_fail_not_found(r, code, what), since a
 * malformed id is as absent as another tenant's, and returns NULL.
 */
const char	*wa_req_id(struct wa_req *, const char *name,
		    const char *code, const char *what);

/* Face that owns a path by its prefix (used before a route matches). */
enum wa_face	 wa_face_for_path(const char *path);

/* "GET" -> WA_M_GET; unknown -> WA_M_OTHER. */
unsigned	 wa_method_parse(const char *);

/*
 * Failure recording on the request's record r->err: err.h's wa_err_*()
 * (first error wins, messages cut on a character boundary).  Each
 * returns the code r->err holds, so a handler can write
 * `return wa_fail(r, WA_ERR_X, "...")`.
 */
enum wa_err	 wa_fail(struct wa_req *, enum wa_err, const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));
/* Same, with the face's own error code ("RESOURCE_014"); not copied. */
enum wa_err	 wa_fail_as(struct wa_req *, enum wa_err, const char *code,
		    const char *fmt, ...)
		    __attribute__((format(printf, 4, 5)));
/* Adds one field problem; makes the error a validation error if none
 * was recorded.  `field` is copied.  Returns WA_ERR_VALIDATION. */
enum wa_err	 wa_fail_field(struct wa_req *, const char *field,
		    const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));
/* The 404 of a resource: "<what> not found" ("Contact", "flow"), with
 * the face's own code ("RESOURCE_014") or NULL for the table's. */
enum wa_err	 wa_fail_not_found(struct wa_req *, const char *code,
		    const char *what);
/* Forgets the recorded error: for job workers, which run several
 * transactions on one wa_req (db.h's wa_db_tx). */
void		 wa_req_clear_err(struct wa_req *);
/* Log-only detail for the recorded error (SQL state, constraint...). */
void		 wa_fail_log(struct wa_req *, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));

#endif /* WA_REQ_H */
