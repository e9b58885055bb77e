/*
 * The table, and the recording of errors into a struct wa_error.
 */
#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "err.h"
#include "utf8.h"

const struct wa_errdesc wa_errs[WA_ERR__MAX] = {
	/* WA_OK */
	{ 200, "OK", "ok", "OK",
	    "ok" },
	/* WA_ERR_VALIDATION */
	{ 400, "Bad Request", "validation_error", "VALIDATION_001",
	    "Request validation failed" },
	/* WA_ERR_BAD_REQUEST */
	{ 400, "Bad Request", "invalid_request", "VALIDATION_002",
	    "Malformed request" },
	/* WA_ERR_UNAUTHENTICATED */
	{ 401, "Unauthorized", "unauthorized", "AUTH_001",
	    "API key is required" },
	/* WA_ERR_INVALID_KEY */
	{ 401, "Unauthorized", "invalid_api_key", "AUTH_002",
	    "Invalid or revoked API key" },
	/* WA_ERR_FORBIDDEN */
	{ 403, "Forbidden", "forbidden", "AUTH_004",
	    "Insufficient permissions for this operation" },
	/* WA_ERR_NOT_FOUND */
	{ 404, "Not Found", "not_found", "RESOURCE_001",
	    "Resource not found" },
	/* WA_ERR_NO_ROUTE */
	{ 404, "Not Found", "not_found", "RESOURCE_000",
	    "Route not found" },
	/* WA_ERR_METHOD */
	{ 405, "Method Not Allowed", "method_not_allowed", "REQUEST_405",
	    "Method not allowed" },
	/* WA_ERR_CONFLICT */
	{ 409, "Conflict", "conflict", "CONFLICT_001",
	    "Resource conflict" },
	/* WA_ERR_IDEM_BUSY */
	{ 409, "Conflict", "idempotency_in_progress", "IDEMPOTENCY_002",
	    "A request with this Idempotency-Key is still being processed" },
	/* WA_ERR_TOO_LARGE */
	{ 413, "Payload Too Large", "payload_too_large", "REQUEST_413",
	    "Request body too large" },
	/* WA_ERR_UNPROCESSABLE */
	{ 422, "Unprocessable Entity", "unprocessable", "BUSINESS_001",
	    "Request cannot be processed" },
	/* WA_ERR_IDEM_MISMATCH */
	{ 422, "Unprocessable Entity", "idempotency_key_reused",
	    "IDEMPOTENCY_001",
	    "Idempotency-Key was already used for a different request" },
	/* WA_ERR_RATE_LIMITED */
	{ 429, "Too Many Requests", "rate_limit_exceeded", "RATE_LIMIT_001",
	    "Too many requests" },
	/* WA_ERR_INTERNAL */
	{ 500, "Internal Server Error", "internal_error", "INTERNAL_001",
	    "Internal error" },
	/* WA_ERR_UPSTREAM */
	{ 502, "Bad Gateway", "upstream_error", "UPSTREAM_001",
	    "Upstream service error" },
	/* WA_ERR_UNAVAILABLE */
	{ 503, "Service Unavailable", "service_unavailable", "SERVICE_001",
	    "Service temporarily unavailable" },
	/* WA_ERR_UPSTREAM_TIMEOUT */
	{ 504, "Gateway Timeout", "upstream_timeout", "UPSTREAM_002",
	    "Upstream service timed out" },
	/* WA_ERR_META_INVALID */
	{ 400, "Bad Request", "meta_invalid_request", "UPSTREAM_003",
	    "Meta rejected the request as invalid" },
	/* WA_ERR_META_AUTH */
	{ 422, "Unprocessable Entity", "meta_auth_error", "UPSTREAM_004",
	    "Meta refused the WhatsApp account's access token" },
	/* WA_ERR_META_REFUSED */
	{ 422, "Unprocessable Entity", "meta_refused", "UPSTREAM_005",
	    "Meta refused the request" },
	/* WA_ERR_META_RATE_LIMITED */
	{ 429, "Too Many Requests", "meta_rate_limited", "UPSTREAM_006",
	    "A Meta rate limit was reached" },
	/* WA_ERR_META_UNAVAILABLE */
	{ 503, "Service Unavailable", "meta_unavailable", "UPSTREAM_007",
	    "Meta is temporarily unavailable" },
	/* WA_ERR_OUTCOME_UNKNOWN */
	{ 503, "Service Unavailable", "outcome_unknown", "SERVICE_003",
	    "The change may or may not have been saved" },
	/* WA_ERR_UNSUPPORTED_MEDIA */
	{ 415, "Unsupported Media Type", "unsupported_media_type",
	    "REQUEST_415", "Request body must be JSON" },
	/* WA_ERR_QUOTA */
	{ 422, "Unprocessable Entity", "quota_exceeded", "QUOTA_001",
	    "The organization has reached a limit" },
	/* WA_ERR_NUMBER_UNPROVEN */
	{ 422, "Unprocessable Entity", "number_not_proven", "BUSINESS_016",
	    "The access token cannot reach this WhatsApp number at Meta" },
	/* WA_ERR_NUMBER_TAKEN */
	{ 409, "Conflict", "number_taken", "CONFLICT_015",
	    "This WhatsApp phone number is already connected to another "
	    "organization" },
};

int
wa_err_status(enum wa_err e)
{
	if ((int)e < 0 || e >= WA_ERR__MAX)
		return 500;
	return wa_errs[e].status;
}

const char *
wa_err_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 204: return "No Content";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 409: return "Conflict";
	case 413: return "Payload Too Large";
	case 414: return "URI Too Long";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Entity";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	default:  return "Unknown";
	}
}

/*
 * fmt into dst[WA_ERR_MESSAGE_MAX], cut on a character boundary.  The
 * scratch buffer holds 4 bytes more than dst keeps, so the sequence
 * that straddles the end is seen whole and cut before, not inside.
 */
static void
format(char *dst, const char *fmt, va_list ap)
{
	char	buf[WA_ERR_MESSAGE_MAX + 4];
	size_t	n;

	if (vsnprintf(buf, sizeof(buf), fmt, ap) < 0)
		buf[0] = '\0';
	n = wa_utf8_cut(buf, strlen(buf), WA_ERR_MESSAGE_MAX - 1);
	memcpy(dst, buf, n);
	dst[n] = '\0';
}

enum wa_err
wa_err_vfail(struct wa_error *e, enum wa_err code, const char *face_code,
    const char *fmt, va_list ap)
{
	if (e->code != WA_OK)
		return e->code;
	e->code = code;
	e->face_code = face_code;
	format(e->message, fmt, ap);
	return code;
}

enum wa_err
wa_err_fail(struct wa_error *e, enum wa_err code, const char *face_code,
    const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	code = wa_err_vfail(e, code, face_code, fmt, ap);
	va_end(ap);
	return code;
}

enum wa_err
wa_err_vfield(struct wa_error *e, struct wa_arena *a, const char *field,
    const char *fmt, va_list ap)
{
	struct wa_field_error	*f;

	if (e->code == WA_OK) {
		e->code = WA_ERR_VALIDATION;
		snprintf(e->message, sizeof(e->message), "%s",
		    wa_errs[WA_ERR_VALIDATION].message);
	}
	if (e->code != WA_ERR_VALIDATION || e->nfields == WA_ERR_FIELDS_MAX)
		return e->code;
	f = &e->fields[e->nfields++];
	f->field = wa_arena_strdup(a, field);
	f->msg = wa_arena_vprintf(a, fmt, ap);
	return e->code;
}

enum wa_err
wa_err_field(struct wa_error *e, struct wa_arena *a, const char *field,
    const char *fmt, ...)
{
	va_list		ap;
	enum wa_err	code;

	va_start(ap, fmt);
	code = wa_err_vfield(e, a, field, fmt, ap);
	va_end(ap);
	return code;
}

void
wa_err_vlog(struct wa_error *e, const char *fmt, va_list ap)
{
	if (e->log_detail[0] == '\0')
		format(e->log_detail, fmt, ap);
}
