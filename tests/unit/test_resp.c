/* Unit tests for lib/resp.c: the three envelopes, success and error. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "helpers.h"
#include "resp.h"

/* The response body as a tree; fails the test if it is not JSON. */
static cJSON *
body(struct wa_req *r)
{
	const char	*why;
	cJSON		*v;

	assert_non_null(r->resp.body);
	assert_int_equal(strlen(r->resp.body), r->resp.body_len);
	v = wa_json_parse(r->resp.body, r->resp.body_len, 64, &why);
	if (v == NULL)
		fail_msg("not JSON (%s): %s", why, r->resp.body);
	return v;
}

static const char *
header(const struct wa_req *r, const char *name)
{
	size_t	i;

	for (i = 0; i < r->resp.nheaders; i++)
		if (strcasecmp(r->resp.headers[i].key, name) == 0)
			return r->resp.headers[i].val;
	return NULL;
}

/* 2026-05-01T03:42:18.123Z */
static int
is_ts(const char *s)
{
	static const char	shape[] = "dddd-dd-ddTdd:dd:dd.dddZ";
	size_t			i;

	if (s == NULL || strlen(s) != sizeof(shape) - 1)
		return 0;
	for (i = 0; shape[i] != '\0'; i++)
		if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') :
		    s[i] != shape[i])
			return 0;
	return 1;
}

static cJSON *
sample(void)
{
	cJSON	*d = cJSON_CreateObject();

	cJSON_AddStringToObject(d, "id", "p1");
	cJSON_AddNumberToObject(d, "n", 2);
	cJSON_AddNullToObject(d, "z");
	return d;
}

static void
test_ok_envelopes(void **state)
{
	static const enum wa_face faces[] = { WA_FACE_SENT, WA_FACE_LATE,
	    WA_FACE_MOSEND };
	static const int statuses[] = { 200, 201 };
	struct wa_cfg	 cfg;
	struct wa_req	 r;
	cJSON		*v, *d, *m;
	const cJSON	*it;
	size_t		 i, k;

	(void)state;
	t_cfg_init(&cfg);
	for (i = 0; i < NELEM(faces); i++)
		for (k = 0; k < NELEM(statuses); k++) {
			t_req_init(&r, &cfg);
			r.face = faces[i];
			assert_int_equal(wa_resp_ok(&r, statuses[k], sample()),
			    WA_OK);
			assert_int_equal(r.resp.status, statuses[k]);
			v = body(&r);
			switch (faces[i]) {
			case WA_FACE_SENT:
				assert_true(cJSON_IsTrue(
				    cJSON_GetObjectItem(v, "success")));
				d = cJSON_GetObjectItem(v, "data");
				assert_string_equal(wa_json_str(d, "id"), "p1");
				assert_true(wa_json_is_null(v, "error"));
				m = cJSON_GetObjectItem(v, "meta");
				assert_string_equal(wa_json_str(m,
				    "request_id"), "req_test");
				assert_string_equal(wa_json_str(m, "version"),
				    "v3");
				assert_true(is_ts(wa_json_str(m, "timestamp")));
				assert_int_equal(cJSON_GetArraySize(v), 4);
				break;
			case WA_FACE_LATE:
				/* members moved up, in order, after success */
				it = v->child;
				assert_string_equal(it->string, "success");
				assert_true(cJSON_IsTrue(it));
				assert_string_equal(it->next->string, "id");
				it = it->next->next;
				assert_string_equal(it->string, "n");
				assert_string_equal(it->next->string, "z");
				assert_int_equal(cJSON_GetArraySize(v), 4);
				break;
			default:
				d = cJSON_GetObjectItem(v, "data");
				assert_string_equal(wa_json_str(d, "id"), "p1");
				assert_true(is_ts(wa_json_str(v, "timestamp")));
				assert_int_equal(cJSON_GetArraySize(v), 2);
				break;
			}
			t_req_free(&r);
		}
}

/* JSON text a statement built goes in as it is, in each envelope, the
 * same as the tree it stands for would. */
static void
test_ok_raw(void **state)
{
	static const enum wa_face faces[] = { WA_FACE_SENT, WA_FACE_LATE,
	    WA_FACE_MOSEND };
	/* PostgreSQL's json spacing */
	static const char pg[] = "{\"contact\" : {\"id\" : \"c1\", "
	    "\"tags\" : [\"a\", \"b\"]}, \"n\" : 2}";
	struct wa_cfg	 cfg;
	struct wa_req	 r;
	const char	*why;
	cJSON		*v, *want;
	size_t		 i;

	(void)state;
	t_cfg_init(&cfg);
	for (i = 0; i < NELEM(faces); i++) {
		t_req_init(&r, &cfg);
		r.face = faces[i];
		assert_int_equal(wa_resp_ok_raw(&r, 201, pg), WA_OK);
		assert_int_equal(r.resp.status, 201);
		v = body(&r);
		want = wa_json_parse(pg, strlen(pg), 64, &why);
		if (faces[i] == WA_FACE_LATE) {
			assert_true(cJSON_IsTrue(v->child));
			assert_string_equal(v->child->next->string, "contact");
			cJSON_DeleteItemFromObject(v, "success");
			assert_true(cJSON_Compare(v, want, 1));
		} else
			assert_true(cJSON_Compare(cJSON_GetObjectItem(v,
			    "data"), want, 1));
		t_req_free(&r);
	}
	/* an empty object, for Late */
	t_req_init(&r, &cfg);
	r.face = WA_FACE_LATE;
	assert_int_equal(wa_resp_ok_raw(&r, 200, " {\n}"), WA_OK);
	assert_string_equal(r.resp.body, "{\"success\":true}");
	t_req_free(&r);
	/* no text, or no object for Late: a bug, said once */
	t_req_init(&r, &cfg);
	r.face = WA_FACE_LATE;
	assert_int_equal(wa_resp_ok_raw(&r, 200, "[1, 2]"), WA_ERR_INTERNAL);
	t_req_free(&r);
	t_req_init(&r, &cfg);
	r.face = WA_FACE_SENT;
	assert_int_equal(wa_resp_ok_raw(&r, 200, NULL), WA_ERR_INTERNAL);
	t_req_free(&r);
}

static void
test_ok_odd_data(void **state)
{
	struct wa_cfg	 cfg;
	struct wa_req	 r;
	cJSON		*v;

	(void)state;
	t_cfg_init(&cfg);
	/* NULL data is null */
	t_req_init(&r, &cfg);
	r.face = WA_FACE_SENT;
	wa_resp_ok(&r, 200, NULL);
	v = body(&r);
	assert_true(wa_json_is_null(v, "data"));
	t_req_free(&r);
	t_req_init(&r, &cfg);
	r.face = WA_FACE_MOSEND;
	wa_resp_ok(&r, 200, cJSON_CreateArray());
	v = body(&r);
	assert_true(cJSON_IsArray(cJSON_GetObjectItem(v, "data")));
	t_req_free(&r);
	/* Late with an array has nothing to move up */
	t_req_init(&r, &cfg);
	r.face = WA_FACE_LATE;
	wa_resp_ok(&r, 200, cJSON_CreateArray());
	v = body(&r);
	assert_int_equal(cJSON_GetArraySize(v), 1);
	t_req_free(&r);
	/* raw and empty */
	t_req_init(&r, &cfg);
	v = sample();
	assert_int_equal(wa_resp_raw(&r, 202, v), WA_OK);
	assert_int_equal(r.resp.status, 202);
	assert_string_equal(r.resp.body, "{\"id\":\"p1\",\"n\":2,\"z\":null}");
	assert_int_equal(wa_resp_empty(&r, 204), WA_OK);
	assert_int_equal(r.resp.status, 204);
	assert_string_equal(r.resp.body, "");
	assert_int_equal(r.resp.body_len, 0);
	t_req_free(&r);
}

/* Plain errors: status, code per face, headers. */
static void
test_error_plain(void **state)
{
	static const struct {
		enum wa_err	 code;
		const char	*face_code;
		const char	*msg;		/* "" = default message */
		int		 retry_after;
		int		 status;
		const char	*should_retry;	/* header or NULL */
		const char	*retry_hdr;
	} cases[] = {
		{ WA_ERR_NOT_FOUND, NULL, "profile not found", 0, 404, NULL,
		    NULL },
		{ WA_ERR_NOT_FOUND, "RESOURCE_014", "template not found", 0,
		    404, NULL, NULL },
		{ WA_ERR_UNAUTHENTICATED, NULL, "", 0, 401, NULL, NULL },
		{ WA_ERR_CONFLICT, NULL, "exists", 0, 409, "false", NULL },
		{ WA_ERR_IDEM_BUSY, NULL, "busy", 0, 409, "false", NULL },
		{ WA_ERR_TOO_LARGE, NULL, "big", 0, 413, NULL, NULL },
		{ WA_ERR_RATE_LIMITED, NULL, "slow down", 30, 429, NULL, "30" },
		{ WA_ERR_INTERNAL, NULL, "oops", 0, 500, "false", NULL },
		{ WA_ERR_UPSTREAM, NULL, "meta", 0, 502, "false", NULL },
		{ WA_ERR_UNAVAILABLE, NULL, "db", 1, 503, NULL, "1" },
		{ WA_ERR_UPSTREAM_TIMEOUT, NULL, "slow", 0, 504, "false",
		    NULL },
	};
	static const enum wa_face faces[] = { WA_FACE_SENT, WA_FACE_LATE,
	    WA_FACE_MOSEND };
	struct wa_cfg	 cfg;
	struct wa_req	 r;
	cJSON		*v, *e;
	const char	*msg, *code;
	size_t		 i, f;

	(void)state;
	t_cfg_init(&cfg);
	for (i = 0; i < NELEM(cases); i++)
		for (f = 0; f < NELEM(faces); f++) {
			t_req_init(&r, &cfg);
			r.face = faces[f];
			r.path = "/some/path";
			if (cases[i].face_code != NULL)
				wa_fail_as(&r, cases[i].code,
				    cases[i].face_code, "%s", cases[i].msg);
			else
				wa_fail(&r, cases[i].code, "%s", cases[i].msg);
			r.err.retry_after = cases[i].retry_after;
			wa_resp_error(&r);
			msg = cases[i].msg[0] != '\0' ? cases[i].msg :
			    wa_errs[cases[i].code].message;
			assert_int_equal(r.resp.status, cases[i].status);
			v = body(&r);
			switch (faces[f]) {
			case WA_FACE_SENT:
				code = cases[i].face_code != NULL ?
				    cases[i].face_code :
				    wa_errs[cases[i].code].sent_code;
				assert_false(cJSON_IsTrue(
				    cJSON_GetObjectItem(v, "success")));
				assert_true(wa_json_is_null(v, "data"));
				e = cJSON_GetObjectItem(v, "error");
				assert_string_equal(wa_json_str(e, "code"),
				    code);
				assert_string_equal(wa_json_str(e, "message"),
				    msg);
				assert_true(wa_json_is_null(e, "details"));
				assert_true(wa_json_is_null(e, "doc_url"));
				assert_true(cJSON_IsObject(
				    cJSON_GetObjectItem(v, "meta")));
				break;
			case WA_FACE_LATE:
				code = cases[i].face_code != NULL ?
				    cases[i].face_code :
				    wa_errs[cases[i].code].slug;
				assert_false(cJSON_IsTrue(
				    cJSON_GetObjectItem(v, "success")));
				assert_string_equal(wa_json_str(v, "error"),
				    msg);
				assert_string_equal(wa_json_str(v, "code"),
				    code);
				assert_false(wa_json_has(v, "details"));
				break;
			default:
				assert_int_equal(cJSON_GetObjectItem(v,
				    "statusCode")->valuedouble,
				    cases[i].status);
				assert_string_equal(wa_json_str(v, "error"),
				    wa_err_reason(cases[i].status));
				assert_string_equal(wa_json_str(v, "message"),
				    msg);
				assert_string_equal(wa_json_str(v, "path"),
				    "/some/path");
				assert_true(is_ts(wa_json_str(v,
				    "timestamp")));
				break;
			}
			if (cases[i].should_retry == NULL)
				assert_null(header(&r, "x-should-retry"));
			else
				assert_string_equal(header(&r,
				    "x-should-retry"), cases[i].should_retry);
			if (cases[i].retry_hdr == NULL)
				assert_null(header(&r, "Retry-After"));
			else
				assert_string_equal(header(&r, "Retry-After"),
				    cases[i].retry_hdr);
			t_req_free(&r);
		}
}

/* Field errors: phrased per face, duplicates handled per face. */
static void
test_error_fields(void **state)
{
	struct wa_cfg	 cfg;
	struct wa_req	 r;
	cJSON		*v, *e, *d, *arr, *fl;
	enum wa_face	 f;

	(void)state;
	t_cfg_init(&cfg);
	for (f = WA_FACE_MOSEND; f < WA_FACE__MAX; f++) {
		t_req_init(&r, &cfg);
		r.face = f;
		r.path = "/p";
		wa_fail_field(&r, "name", "must be a string");
		wa_fail_field(&r, "brand.email", "must be a valid email");
		wa_fail_field(&r, "name", "must not be empty");
		wa_resp_error(&r);
		assert_int_equal(r.resp.status, 400);
		assert_null(header(&r, "x-should-retry"));
		v = body(&r);
		switch (f) {
		case WA_FACE_SENT:
			/* details: {field: [sentence, ...]} */
			e = cJSON_GetObjectItem(v, "error");
			assert_string_equal(wa_json_str(e, "code"),
			    "VALIDATION_001");
			assert_string_equal(wa_json_str(e, "message"),
			    "Request validation failed");
			d = cJSON_GetObjectItem(e, "details");
			assert_int_equal(cJSON_GetArraySize(d), 2);
			arr = cJSON_GetObjectItem(d, "name");
			assert_int_equal(cJSON_GetArraySize(arr), 2);
			assert_string_equal(cJSON_GetArrayItem(arr, 0)->
			    valuestring, "name must be a string");
			assert_string_equal(cJSON_GetArrayItem(arr, 1)->
			    valuestring, "name must not be empty");
			arr = cJSON_GetObjectItem(d, "brand.email");
			assert_string_equal(cJSON_GetArrayItem(arr, 0)->
			    valuestring, "brand.email must be a valid email");
			break;
		case WA_FACE_LATE:
			/* error names the first; details.fields {f: msg} */
			assert_string_equal(wa_json_str(v, "error"),
			    "Request validation failed: name must be a "
			    "string");
			assert_string_equal(wa_json_str(v, "code"),
			    "validation_error");
			d = cJSON_GetObjectItem(v, "details");
			fl = cJSON_GetObjectItem(d, "fields");
			assert_int_equal(cJSON_GetArraySize(fl), 2);
			assert_string_equal(wa_json_str(fl, "name"),
			    "name must be a string");	/* first kept */
			assert_string_equal(wa_json_str(fl, "brand.email"),
			    "brand.email must be a valid email");
			break;
		default:
			/* message: [sentence, ...] in order */
			assert_int_equal(cJSON_GetObjectItem(v,
			    "statusCode")->valuedouble, 400);
			assert_string_equal(wa_json_str(v, "error"),
			    "Bad Request");
			arr = cJSON_GetObjectItem(v, "message");
			assert_int_equal(cJSON_GetArraySize(arr), 3);
			assert_string_equal(cJSON_GetArrayItem(arr, 0)->
			    valuestring, "name must be a string");
			assert_string_equal(cJSON_GetArrayItem(arr, 1)->
			    valuestring, "brand.email must be a valid email");
			assert_string_equal(cJSON_GetArrayItem(arr, 2)->
			    valuestring, "name must not be empty");
			break;
		}
		t_req_free(&r);
	}
}

/* err.details is merged into each face's details; doc_url from cfg. */
static void
test_error_details_doc_url(void **state)
{
	struct wa_cfg	 cfg;
	struct wa_req	 r;
	cJSON		*v, *e, *d, *det;
	enum wa_face	 f;

	(void)state;
	t_cfg_init(&cfg);
	cfg.doc_url_base = "https://docs.example/errors/";
	for (f = WA_FACE_MOSEND; f < WA_FACE__MAX; f++) {
		t_req_init(&r, &cfg);
		r.face = f;
		wa_fail(&r, WA_ERR_UNPROCESSABLE, "limit reached");
		det = cJSON_CreateObject();
		cJSON_AddNumberToObject(det, "limit", 5);
		cJSON_AddStringToObject(det, "resource", "profiles");
		r.err.details = det;
		wa_resp_error(&r);
		assert_int_equal(r.resp.status, 422);
		v = body(&r);
		switch (f) {
		case WA_FACE_SENT:
			e = cJSON_GetObjectItem(v, "error");
			assert_string_equal(wa_json_str(e, "doc_url"),
			    "https://docs.example/errors/BUSINESS_001");
			d = cJSON_GetObjectItem(e, "details");
			break;
		default:
			d = cJSON_GetObjectItem(v, "details");
			break;
		}
		assert_non_null(d);
		assert_int_equal(cJSON_GetObjectItem(d, "limit")->valuedouble,
		    5);
		assert_string_equal(wa_json_str(d, "resource"), "profiles");
		t_req_free(&r);
	}
}

/* No error recorded, or a code out of range, renders as 500. */
static void
test_error_fallbacks(void **state)
{
	static const struct {
		int		 code;
		const char	*msg;
	} cases[] = {
		{ WA_OK, "Internal error" },
		{ WA_ERR__MAX, "Internal error" },
		{ WA_ERR__MAX + 7, "Internal error" },
		{ 31, "Internal error" },
	};
	struct wa_cfg	 cfg;
	struct wa_req	 r;
	cJSON		*v, *e;
	size_t		 i;

	(void)state;
	t_cfg_init(&cfg);
	for (i = 0; i < NELEM(cases); i++) {
		t_req_init(&r, &cfg);
		r.face = WA_FACE_SENT;
		r.err.code = (enum wa_err)cases[i].code;
		wa_resp_error(&r);
		assert_int_equal(r.resp.status, 500);
		assert_int_equal(r.err.code, WA_ERR_INTERNAL);
		v = body(&r);
		e = cJSON_GetObjectItem(v, "error");
		assert_string_equal(wa_json_str(e, "code"), "INTERNAL_001");
		assert_string_equal(wa_json_str(e, "message"), cases[i].msg);
		assert_string_equal(header(&r, "x-should-retry"), "false");
		t_req_free(&r);
	}
}

static void
test_headers(void **state)
{
	static const char *const names[] = {
		"h0", "h1", "h2", "h3", "h4", "h5", "h6", "h7", "h8", "h9",
		"h10", "h11", "h12", "h13", "h14", "h15", "h16", "h17",
	};
	struct wa_cfg	cfg;
	struct wa_req	r;
	size_t		i;

	(void)state;
	t_cfg_init(&cfg);
	t_req_init(&r, &cfg);
	wa_resp_header(&r, "Allow", "GET");
	wa_resp_header(&r, "allow", "POST");	/* replaces, any case */
	assert_int_equal(r.resp.nheaders, 1);
	assert_string_equal(header(&r, "Allow"), "POST");
	/* past WA_REQ_HEADERS_MAX, new names are dropped */
	for (i = 0; i < NELEM(names); i++)
		wa_resp_header(&r, names[i], "v");
	assert_int_equal(r.resp.nheaders, WA_REQ_HEADERS_MAX);
	assert_null(header(&r, "h15"));
	assert_string_equal(header(&r, "h14"), "v");
	wa_resp_header(&r, "Allow", "PUT");	/* replacing still works */
	assert_string_equal(header(&r, "Allow"), "PUT");
	wa_resp_set(&r, 200, "{\"a\":1}", 7);
	assert_int_equal(r.resp.status, 200);
	assert_int_equal(r.resp.body_len, 7);
	t_req_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ok_envelopes),
		cmocka_unit_test(test_ok_raw),
		cmocka_unit_test(test_ok_odd_data),
		cmocka_unit_test(test_error_plain),
		cmocka_unit_test(test_error_fields),
		cmocka_unit_test(test_error_details_doc_url),
		cmocka_unit_test(test_error_fallbacks),
		cmocka_unit_test(test_headers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
