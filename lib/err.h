/*
 * err: the one error vocabulary of wagate.
 *
 * Handlers return an enum wa_err; exactly one table maps it to the HTTP
 * status and to each face's code, and one place (resp.c) renders it in
 * the face's envelope.  Numbers are part of the log format: never
 * renumber or reuse one, append new codes before WA_ERR__MAX.
 */
#ifndef WA_ERR_H
#define WA_ERR_H

#include <stdarg.h>
#include <stddef.h>

struct wa_arena;

enum wa_err {
	WA_OK = 0,
	WA_ERR_VALIDATION = 1,		/* 400 field-level problems */
	WA_ERR_BAD_REQUEST = 2,		/* 400 malformed body, path, header */
	WA_ERR_UNAUTHENTICATED = 3,	/* 401 no key */
	WA_ERR_INVALID_KEY = 4,		/* 401 malformed, unknown, revoked */
	WA_ERR_FORBIDDEN = 5,		/* 403 key not allowed here */
	WA_ERR_NOT_FOUND = 6,		/* 404 resource */
	WA_ERR_NO_ROUTE = 7,		/* 404 path */
	WA_ERR_METHOD = 8,		/* 405 */
	WA_ERR_CONFLICT = 9,		/* 409 */
	WA_ERR_IDEM_BUSY = 10,		/* 409 same key still running */
	WA_ERR_TOO_LARGE = 11,		/* 413 */
	WA_ERR_UNPROCESSABLE = 12,	/* 422 */
	WA_ERR_IDEM_MISMATCH = 13,	/* 422 key reused, other request */
	WA_ERR_RATE_LIMITED = 14,	/* 429 */
	WA_ERR_INTERNAL = 15,		/* 500: always a bug */
	WA_ERR_UPSTREAM = 16,		/* 502 */
	WA_ERR_UNAVAILABLE = 17,	/* 503 database or dependency down */
	WA_ERR_UPSTREAM_TIMEOUT = 18,	/* 504 */
	/* Meta's Graph API refused a call (lib/graph.h's table) */
	WA_ERR_META_INVALID = 19,	/* 400 parameters Meta refused */
	WA_ERR_META_AUTH = 20,		/* 422 account token or permission */
	WA_ERR_META_REFUSED = 21,	/* 422 account or recipient state */
	WA_ERR_META_RATE_LIMITED = 22,	/* 429 a Meta limit was reached */
	WA_ERR_META_UNAVAILABLE = 23,	/* 503 Meta down, retry later */
	/* the database went away during COMMIT: done or not, nobody knows
	 * (x-should-retry: false; retry with the same Idempotency-Key) */
	WA_ERR_OUTCOME_UNKNOWN = 24,	/* 503 */
	WA_ERR_UNSUPPORTED_MEDIA = 25,	/* 415 a body that is not JSON */
	WA_ERR_QUOTA = 26,		/* 422 a tenant's quota is reached */
	/* attaching a WhatsApp number (lib/accounts.h) */
	WA_ERR_NUMBER_UNPROVEN = 27,	/* 422 the token cannot reach it */
	WA_ERR_NUMBER_TAKEN = 28,	/* 409 another organization's */
	WA_ERR__MAX
};

struct wa_errdesc {
	int		 status;	/* HTTP status */
	const char	*reason;	/* HTTP reason phrase */
	const char	*slug;		/* Late face `code`, log field */
	const char	*sent_code;	/* Sent face `error.code` */
	const char	*message;	/* default client message */
};

extern const struct wa_errdesc wa_errs[WA_ERR__MAX];

#define WA_ERR_FIELDS_MAX	32
#define WA_ERR_MESSAGE_MAX	512

struct wa_field_error {
	const char	*field;	/* "brand.contact.email"; arena-owned */
	const char	*msg;	/* "must be a valid email address" */
};

/*
 * What went wrong: in one request (r->err), or in one part of it that is
 * reported on its own (a row of an import).  The first recorded error
 * wins: later calls do not overwrite code or message, so the root cause
 * reaches the client.  Field errors accumulate while the error is a
 * validation one.  A zeroed record holds no error.
 */
struct wa_error {
	enum wa_err		 code;
	/* face's own code, static, e.g. "RESOURCE_014"; NULL = table's */
	const char		*face_code;
	char			 message[WA_ERR_MESSAGE_MAX];
	/* for the log only, never sent */
	char			 log_detail[WA_ERR_MESSAGE_MAX];
	struct wa_field_error	 fields[WA_ERR_FIELDS_MAX];
	size_t			 nfields;
	int			 retry_after;	/* seconds; 0 = no header */
	/* cJSON object merged into the envelope's details, or NULL */
	void			*details;
};

/*
 * Recording into a record, first error wins.  Each returns the code the
 * record holds afterwards (the one given, unless an earlier one stays),
 * so a caller can write `return wa_err_fail(e, WA_ERR_X, NULL, "...")`.
 * Messages are cut to WA_ERR_MESSAGE_MAX - 1 bytes on a character
 * boundary: text quoted from input stays UTF-8.  req.h's wa_fail*()
 * are the same on the request's record.
 */
/* The error and its message; face_code is the face's own code
 * ("RESOURCE_014", static, not copied) or NULL for the table's. */
enum wa_err	 wa_err_fail(struct wa_error *, enum wa_err,
		    const char *face_code, const char *fmt, ...)
		    __attribute__((format(printf, 4, 5)));
enum wa_err	 wa_err_vfail(struct wa_error *, enum wa_err,
		    const char *face_code, const char *fmt, va_list);
/* One field problem (field and message copied into the arena); makes
 * the error a validation error if none was recorded.  Ignored, like
 * any later error, when another kind of error came first. */
enum wa_err	 wa_err_field(struct wa_error *, struct wa_arena *,
		    const char *field, const char *fmt, ...)
		    __attribute__((format(printf, 4, 5)));
enum wa_err	 wa_err_vfield(struct wa_error *, struct wa_arena *,
		    const char *field, const char *fmt, va_list);
/* Log-only detail (SQL state, constraint...); the first one stays. */
void		 wa_err_vlog(struct wa_error *, const char *fmt, va_list);

/* Status for a code; 500 for out-of-range values. */
int		 wa_err_status(enum wa_err);

/* Reason phrase for any HTTP status ("Not Found"). */
const char	*wa_err_reason(int status);

#endif /* WA_ERR_H */
