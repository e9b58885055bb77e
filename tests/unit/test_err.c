/* Unit tests for lib/err.c: the one table of error codes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "arena.h"
#include "err.h"
#include "helpers.h"
#include "utf8.h"

/* Numbers are part of the log format: this table pins them. */
static const struct {
	enum wa_err	 code;
	int		 num;
	int		 status;
	const char	*slug;
	const char	*sent_code;
} pinned[] = {
	{ WA_OK, 0, 200, "ok", "OK" },
	{ WA_ERR_VALIDATION, 1, 400, "validation_error", "VALIDATION_001" },
	{ WA_ERR_BAD_REQUEST, 2, 400, "invalid_request", "VALIDATION_002" },
	{ WA_ERR_UNAUTHENTICATED, 3, 401, "unauthorized", "AUTH_001" },
	{ WA_ERR_INVALID_KEY, 4, 401, "invalid_api_key", "AUTH_002" },
	{ WA_ERR_FORBIDDEN, 5, 403, "forbidden", "AUTH_004" },
	{ WA_ERR_NOT_FOUND, 6, 404, "not_found", "RESOURCE_001" },
	{ WA_ERR_NO_ROUTE, 7, 404, "not_found", "RESOURCE_000" },
	{ WA_ERR_METHOD, 8, 405, "method_not_allowed", "REQUEST_405" },
	{ WA_ERR_CONFLICT, 9, 409, "conflict", "CONFLICT_001" },
	{ WA_ERR_IDEM_BUSY, 10, 409, "idempotency_in_progress",
	    "IDEMPOTENCY_002" },
	{ WA_ERR_TOO_LARGE, 11, 413, "payload_too_large", "REQUEST_413" },
	{ WA_ERR_UNPROCESSABLE, 12, 422, "unprocessable", "BUSINESS_001" },
	{ WA_ERR_IDEM_MISMATCH, 13, 422, "idempotency_key_reused",
	    "IDEMPOTENCY_001" },
	{ WA_ERR_RATE_LIMITED, 14, 429, "rate_limit_exceeded",
	    "RATE_LIMIT_001" },
	{ WA_ERR_INTERNAL, 15, 500, "internal_error", "INTERNAL_001" },
	{ WA_ERR_UPSTREAM, 16, 502, "upstream_error", "UPSTREAM_001" },
	{ WA_ERR_UNAVAILABLE, 17, 503, "service_unavailable", "SERVICE_001" },
	{ WA_ERR_UPSTREAM_TIMEOUT, 18, 504, "upstream_timeout",
	    "UPSTREAM_002" },
	{ WA_ERR_META_INVALID, 19, 400, "meta_invalid_request",
	    "UPSTREAM_003" },
	{ WA_ERR_META_AUTH, 20, 422, "meta_auth_error", "UPSTREAM_004" },
	{ WA_ERR_META_REFUSED, 21, 422, "meta_refused", "UPSTREAM_005" },
	{ WA_ERR_META_RATE_LIMITED, 22, 429, "meta_rate_limited",
	    "UPSTREAM_006" },
	{ WA_ERR_META_UNAVAILABLE, 23, 503, "meta_unavailable",
	    "UPSTREAM_007" },
	{ WA_ERR_OUTCOME_UNKNOWN, 24, 503, "outcome_unknown", "SERVICE_003" },
	{ WA_ERR_UNSUPPORTED_MEDIA, 25, 415, "unsupported_media_type",
	    "REQUEST_415" },
	{ WA_ERR_QUOTA, 26, 422, "quota_exceeded", "QUOTA_001" },
	{ WA_ERR_NUMBER_UNPROVEN, 27, 422, "number_not_proven",
	    "BUSINESS_016" },
	{ WA_ERR_NUMBER_TAKEN, 28, 409, "number_taken", "CONFLICT_015" },
};

static void
test_table_pinned(void **state)
{
	size_t	i;

	(void)state;
	assert_int_equal(NELEM(pinned), WA_ERR__MAX);
	for (i = 0; i < NELEM(pinned); i++) {
		assert_int_equal((int)pinned[i].code, pinned[i].num);
		assert_int_equal(wa_err_status(pinned[i].code),
		    pinned[i].status);
		assert_string_equal(wa_errs[pinned[i].code].slug,
		    pinned[i].slug);
		assert_string_equal(wa_errs[pinned[i].code].sent_code,
		    pinned[i].sent_code);
	}
}

/* Every row is complete and its reason agrees with wa_err_reason(). */
static void
test_table_consistent(void **state)
{
	size_t	i, j;

	(void)state;
	for (i = 0; i < WA_ERR__MAX; i++) {
		assert_non_null(wa_errs[i].reason);
		assert_non_null(wa_errs[i].slug);
		assert_non_null(wa_errs[i].sent_code);
		assert_non_null(wa_errs[i].message);
		assert_true(wa_errs[i].message[0] != '\0');
		assert_string_equal(wa_errs[i].reason,
		    wa_err_reason(wa_errs[i].status));
		/* Sent codes identify the error: no two alike */
		for (j = i + 1; j < WA_ERR__MAX; j++)
			assert_string_not_equal(wa_errs[i].sent_code,
			    wa_errs[j].sent_code);
	}
}

static void
test_status_out_of_range(void **state)
{
	static const int bad[] = { -1, WA_ERR__MAX, WA_ERR__MAX + 1, 1000,
	    0x7fffffff };
	size_t	i;

	(void)state;
	for (i = 0; i < NELEM(bad); i++)
		assert_int_equal(wa_err_status((enum wa_err)bad[i]), 500);
}

static void
test_reason(void **state)
{
	static const struct { int status; const char *reason; } cases[] = {
		{ 200, "OK" }, { 201, "Created" }, { 202, "Accepted" },
		{ 204, "No Content" }, { 400, "Bad Request" },
		{ 401, "Unauthorized" }, { 403, "Forbidden" },
		{ 404, "Not Found" }, { 405, "Method Not Allowed" },
		{ 408, "Request Timeout" }, { 409, "Conflict" },
		{ 413, "Payload Too Large" }, { 414, "URI Too Long" },
		{ 422, "Unprocessable Entity" }, { 429, "Too Many Requests" },
		{ 500, "Internal Server Error" }, { 502, "Bad Gateway" },
		{ 503, "Service Unavailable" }, { 504, "Gateway Timeout" },
		{ 418, "Unknown" }, { 0, "Unknown" }, { -1, "Unknown" },
		{ 999, "Unknown" },
	};
	size_t	i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++)
		assert_string_equal(wa_err_reason(cases[i].status),
		    cases[i].reason);
}

/* A record keeps its first error; field errors pile up only while it
 * is a validation error. */
static void
test_record_first_wins(void **state)
{
	struct wa_arena	*a = wa_arena_new(0);
	struct wa_error	 e;

	(void)state;
	memset(&e, 0, sizeof(e));
	assert_int_equal(wa_err_field(&e, a, "phone", "is %s", "required"),
	    WA_ERR_VALIDATION);
	assert_int_equal(wa_err_field(&e, a, "name", "must be a string"),
	    WA_ERR_VALIDATION);
	assert_int_equal(wa_err_fail(&e, WA_ERR_INTERNAL, NULL, "later"),
	    WA_ERR_VALIDATION);
	assert_int_equal(e.nfields, 2);
	assert_string_equal(e.fields[0].field, "phone");
	assert_string_equal(e.fields[0].msg, "is required");
	assert_string_equal(e.message, "Request validation failed");

	memset(&e, 0, sizeof(e));
	assert_int_equal(wa_err_fail(&e, WA_ERR_NOT_FOUND, "RESOURCE_014",
	    "%s not found", "Profile"), WA_ERR_NOT_FOUND);
	assert_int_equal(wa_err_fail(&e, WA_ERR_CONFLICT, NULL, "second"),
	    WA_ERR_NOT_FOUND);
	assert_int_equal(wa_err_field(&e, a, "x", "ignored"),
	    WA_ERR_NOT_FOUND);
	assert_string_equal(e.message, "Profile not found");
	assert_string_equal(e.face_code, "RESOURCE_014");
	assert_int_equal(e.nfields, 0);
	wa_arena_free(a);
}

/* A message made from input is cut where a character starts, never
 * inside one, whatever the byte the buffer ends at. */
static void
test_record_cut_utf8(void **state)
{
	struct wa_error	 e;
	char		 in[WA_ERR_MESSAGE_MAX * 2];
	size_t		 skew, n;

	(void)state;
	for (skew = 0; skew < 4; skew++) {
		/* "x" * skew, then U+1F600 (4 bytes) over and over */
		memset(in, 'x', skew);
		for (n = skew; n + 4 < sizeof(in); n += 4)
			memcpy(in + n, "\xf0\x9f\x98\x80", 4);
		in[n] = '\0';
		memset(&e, 0, sizeof(e));
		wa_err_fail(&e, WA_ERR_NO_ROUTE, NULL, "Cannot GET /%s", in);
		n = strlen(e.message);
		assert_true(n <= WA_ERR_MESSAGE_MAX - 1);
		assert_true(n > WA_ERR_MESSAGE_MAX - 5);
		assert_true(wa_utf8_valid(e.message, n));
		memset(&e, 0, sizeof(e));
	}
	/* short messages are kept whole */
	wa_err_fail(&e, WA_ERR_FORBIDDEN, NULL, "org %s", "\xc3\xa9t\xc3\xa9");
	assert_string_equal(e.message, "org \xc3\xa9t\xc3\xa9");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_pinned),
		cmocka_unit_test(test_table_consistent),
		cmocka_unit_test(test_status_out_of_range),
		cmocka_unit_test(test_reason),
		cmocka_unit_test(test_record_first_wins),
		cmocka_unit_test(test_record_cut_utf8),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
