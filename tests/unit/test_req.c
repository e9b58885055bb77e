/* Unit tests for lib/req.c: parsing a request, recording failures. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "helpers.h"
#include "req.h"

#define X32	"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"

static void
test_method_parse(void **state)
{
	static const struct {
		const char	*in;
		unsigned	 want;
	} cases[] = {
		{ "GET", WA_M_GET }, { "POST", WA_M_POST }, { "PUT", WA_M_PUT },
		{ "PATCH", WA_M_PATCH }, { "DELETE", WA_M_DELETE },
		{ "HEAD", WA_M_HEAD }, { "OPTIONS", WA_M_OPTIONS },
		{ "get", WA_M_OTHER }, { "GETX", WA_M_OTHER },
		{ "GE", WA_M_OTHER }, { "PROPFIND", WA_M_OTHER },
		{ "", WA_M_OTHER }, { NULL, WA_M_OTHER },
	};
	size_t	i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++)
		assert_int_equal(wa_method_parse(cases[i].in), cases[i].want);
}

static void
test_face_for_path(void **state)
{
	static const struct {
		const char	*in;
		enum wa_face	 want;
	} cases[] = {
		{ "/v3/profiles", WA_FACE_SENT }, { "/v3", WA_FACE_SENT },
		{ "/v3/", WA_FACE_SENT }, { "/v1/whatsapp", WA_FACE_LATE },
		{ "/v1", WA_FACE_LATE }, { "/v30/x", WA_FACE_MOSEND },
		{ "/v1x", WA_FACE_MOSEND }, { "/V3/x", WA_FACE_MOSEND },
		{ "/organizations/o/x", WA_FACE_MOSEND },
		{ "/web-chat/x", WA_FACE_MOSEND }, { "/", WA_FACE_MOSEND },
		{ "", WA_FACE_MOSEND }, { NULL, WA_FACE_MOSEND },
	};
	size_t	i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++)
		assert_int_equal(wa_face_for_path(cases[i].in), cases[i].want);
}

/* A URI of n segments "/s/s/...", or n query pairs "?k0=v&k1=v...". */
static char *
many(struct wa_arena *a, const char *head, const char *fmt, size_t n)
{
	char	*s = wa_arena_strdup(a, head);
	size_t	 i;

	for (i = 0; i < n; i++)
		s = wa_arena_printf(a, fmt, s, i == 0 ? "" : "&", i);
	return s;
}

static void
test_parse_table(void **state)
{
	static const struct {
		const char	*method;	/* NULL: not sent */
		const char	*uri;		/* NULL: not sent */
		const char	*cl;		/* CONTENT_LENGTH, NULL: none */
		const char	*body;
		size_t		 body_len;
		enum wa_err	 err;
		const char	*path;
		size_t		 nsegs;
		size_t		 nquery;
		enum wa_face	 face;
	} cases[] = {
		{ "POST", "/v3/profiles?x=1", "2", "{}", 2, WA_OK,
		    "/v3/profiles", 2, 1, WA_FACE_SENT },
		{ "GET", "/", NULL, NULL, 0, WA_OK, "/", 0, 0, WA_FACE_MOSEND },
		{ NULL, NULL, NULL, NULL, 0, WA_OK, "/", 0, 0,
		    WA_FACE_MOSEND },
		{ "GET", "", NULL, NULL, 0, WA_OK, "/", 0, 0, WA_FACE_MOSEND },
		{ "GET", "//v1///whatsapp//", NULL, NULL, 0, WA_OK,
		    "/v1/whatsapp", 2, 0, WA_FACE_LATE },
		{ "GET", "/v3/templates/a%2Fb", NULL, NULL, 0, WA_OK,
		    "/v3/templates/a/b", 3, 0, WA_FACE_SENT },
		{ "GET", "/%76%33/x", NULL, NULL, 0, WA_OK, "/v3/x", 2, 0,
		    WA_FACE_SENT },		/* face from the decoded path */
		{ "GET", "/x?", NULL, NULL, 0, WA_OK, "/x", 1, 0,
		    WA_FACE_MOSEND },
		{ "GET", "/x?&&a&&", NULL, NULL, 0, WA_OK, "/x", 1, 1,
		    WA_FACE_MOSEND },
		/* truncated or bad percent-escapes, in the path and query */
		{ "GET", "/x%", NULL, NULL, 0, WA_ERR_BAD_REQUEST, NULL, 0, 0,
		    WA_FACE_MOSEND },
		{ "GET", "/x%4", NULL, NULL, 0, WA_ERR_BAD_REQUEST, NULL, 0, 0,
		    WA_FACE_MOSEND },
		{ "GET", "/v3/x%G0", NULL, NULL, 0, WA_ERR_BAD_REQUEST, NULL,
		    0, 0, WA_FACE_SENT },
		{ "GET", "/x%00y", NULL, NULL, 0, WA_ERR_BAD_REQUEST, NULL, 0,
		    0, WA_FACE_MOSEND },
		{ "GET", "/x?a=%", NULL, NULL, 0, WA_ERR_BAD_REQUEST, NULL, 0,
		    0, WA_FACE_MOSEND },
		{ "GET", "/x?a=%4", NULL, NULL, 0, WA_ERR_BAD_REQUEST, NULL, 0,
		    0, WA_FACE_MOSEND },
		{ "GET", "/x?%G0=1", NULL, NULL, 0, WA_ERR_BAD_REQUEST, NULL,
		    0, 0, WA_FACE_MOSEND },
		{ "GET", "/x?a=%00", NULL, NULL, 0, WA_ERR_BAD_REQUEST, NULL,
		    0, 0, WA_FACE_MOSEND },
		/* decoded, the path and query must be UTF-8: they are
		 * echoed in JSON error bodies and logs */
		{ "GET", "/caf%C3%A9/\xc3\xa9?k=%E2%82%AC", NULL, NULL, 0,
		    WA_OK, "/caf\xc3\xa9/\xc3\xa9", 2, 1, WA_FACE_MOSEND },
		{ "GET", "/v3/x%FF", NULL, NULL, 0, WA_ERR_BAD_REQUEST, NULL,
		    0, 0, WA_FACE_SENT },
		{ "GET", "/v3/profil\xc5" "es", NULL, NULL, 0,
		    WA_ERR_BAD_REQUEST, NULL, 0, 0, WA_FACE_SENT },
		{ "GET", "/x%C0%AF", NULL, NULL, 0, WA_ERR_BAD_REQUEST, NULL,
		    0, 0, WA_FACE_MOSEND },
		{ "GET", "/x%ED%A0%80", NULL, NULL, 0, WA_ERR_BAD_REQUEST,
		    NULL, 0, 0, WA_FACE_MOSEND },
		{ "GET", "/x%E2%82", NULL, NULL, 0, WA_ERR_BAD_REQUEST, NULL,
		    0, 0, WA_FACE_MOSEND },
		{ "GET", "/x?a=%FF", NULL, NULL, 0, WA_ERR_BAD_REQUEST, NULL,
		    0, 0, WA_FACE_MOSEND },
		{ "GET", "/x?\xf5=1", NULL, NULL, 0, WA_ERR_BAD_REQUEST, NULL,
		    0, 0, WA_FACE_MOSEND },
		/* Content-Length against body_max (1024) and the body */
		{ "POST", "/x", "", NULL, 0, WA_OK, "/x", 1, 0,
		    WA_FACE_MOSEND },
		{ "POST", "/x", "0", NULL, 0, WA_OK, "/x", 1, 0,
		    WA_FACE_MOSEND },
		{ "POST", "/x", "3", "a\0b", 3, WA_OK, "/x", 1, 0,
		    WA_FACE_MOSEND },
		{ "POST", "/x", "1025", NULL, 0, WA_ERR_TOO_LARGE, NULL, 1, 0,
		    WA_FACE_MOSEND },
		{ "POST", "/x", "18446744073709551615", NULL, 0,
		    WA_ERR_TOO_LARGE, NULL, 1, 0, WA_FACE_MOSEND },
		{ "POST", "/x", "99999999999999999999999", NULL, 0,
		    WA_ERR_BAD_REQUEST, NULL, 1, 0, WA_FACE_MOSEND },
		{ "POST", "/x", "10", "short", 5, WA_ERR_BAD_REQUEST, NULL, 1,
		    0, WA_FACE_MOSEND },
		{ "POST", "/x", "abc", NULL, 0, WA_ERR_BAD_REQUEST, NULL, 1, 0,
		    WA_FACE_MOSEND },
		{ "POST", "/x", "-1", NULL, 0, WA_ERR_BAD_REQUEST, NULL, 1, 0,
		    WA_FACE_MOSEND },
		{ "POST", "/x", "12abc", NULL, 0, WA_ERR_BAD_REQUEST, NULL, 1,
		    0, WA_FACE_MOSEND },
		{ "POST", "/x", "2", "{}garbage", 9, WA_OK, "/x", 1, 0,
		    WA_FACE_MOSEND },		/* reads Content-Length */
	};
	struct wa_cfg	 cfg;
	struct wa_req	 r;
	char		*env[8];
	size_t		 i, n;
	enum wa_err	 e;

	(void)state;
	t_cfg_init(&cfg);
	for (i = 0; i < NELEM(cases); i++) {
		t_req_init(&r, &cfg);
		n = 0;
		if (cases[i].method != NULL)
			env[n++] = wa_arena_printf(r.arena, "REQUEST_METHOD=%s",
			    cases[i].method);
		if (cases[i].uri != NULL)
			env[n++] = wa_arena_printf(r.arena, "REQUEST_URI=%s",
			    cases[i].uri);
		if (cases[i].cl != NULL)
			env[n++] = wa_arena_printf(r.arena, "CONTENT_LENGTH=%s",
			    cases[i].cl);
		env[n] = NULL;
		e = t_req_parse(&r, env, cases[i].body, cases[i].body_len);
		if (e != cases[i].err)
			fail_msg("case %zu (%s): err %d want %d", i,
			    cases[i].uri, e, cases[i].err);
		assert_int_equal(r.err.code, e);
		assert_int_equal(r.face, cases[i].face);
		assert_non_null(r.path);
		if (e != WA_OK) {
			assert_true(r.err.message[0] != '\0');
			t_req_free(&r);
			continue;
		}
		assert_string_equal(r.path, cases[i].path);
		assert_non_null(r.body);
		assert_int_equal(r.nsegs, cases[i].nsegs);
		assert_int_equal(r.nquery, cases[i].nquery);
		assert_string_equal(r.method_str, cases[i].method != NULL ?
		    cases[i].method : "GET");
		if (cases[i].cl != NULL && cases[i].body != NULL) {
			assert_int_equal(r.body_len, strtoul(cases[i].cl, NULL,
			    10));
			assert_memory_equal(r.body, cases[i].body, r.body_len);
		} else
			assert_int_equal(r.body_len, 0);
		assert_int_equal(r.body[r.body_len], '\0');
		t_req_free(&r);
	}
}

/* WA_REQ_SEGS_MAX segments route; one more is a 404, not an overflow. */
static void
test_limits(void **state)
{
	static const struct {
		const char	*head;
		const char	*fmt;
		size_t		 n;
		enum wa_err	 err;
	} cases[] = {
		{ "", "%s/s%.0s%zu", WA_REQ_SEGS_MAX, WA_OK },
		{ "", "%s/s%.0s%zu", WA_REQ_SEGS_MAX + 1, WA_ERR_NO_ROUTE },
		{ "", "%s/s%.0s%zu", 1000, WA_ERR_NO_ROUTE },
		{ "/x?", "%s%sk%zu=v", WA_REQ_QUERY_MAX, WA_OK },
		{ "/x?", "%s%sk%zu=v", WA_REQ_QUERY_MAX + 1,
		    WA_ERR_BAD_REQUEST },
		{ "/x?", "%s%sk%zu=v", 1000, WA_ERR_BAD_REQUEST },
	};
	struct wa_cfg	 cfg;
	struct wa_req	 r;
	char		*env[2];
	size_t		 i;

	(void)state;
	t_cfg_init(&cfg);
	for (i = 0; i < NELEM(cases); i++) {
		t_req_init(&r, &cfg);
		env[0] = wa_arena_printf(r.arena, "REQUEST_URI=%s",
		    many(r.arena, cases[i].head, cases[i].fmt, cases[i].n));
		env[1] = NULL;
		assert_int_equal(t_req_parse(&r, env, NULL, 0), cases[i].err);
		assert_int_equal(wa_err_status(r.err.code),
		    cases[i].err == WA_OK ? 200 : wa_errs[cases[i].err].status);
		if (cases[i].err == WA_OK && cases[i].head[0] == '\0')
			assert_int_equal(r.nsegs, cases[i].n);
		if (cases[i].err == WA_OK && cases[i].head[0] != '\0') {
			assert_int_equal(r.nquery, cases[i].n);
			assert_string_equal(wa_req_query(&r, "k63"), "v");
		}
		t_req_free(&r);
	}
}

static void
test_query_values(void **state)
{
	static const struct {
		const char	*key;
		const char	*want;	/* NULL: absent */
	} cases[] = {
		{ "a", "1" },		/* first of two wins */
		{ "b", "" }, { "c", "" },
		{ "q", "a b+c" },
		{ "sp ce", "x" },
		{ "e", "=x=" },
		{ "", "empty-key" },
		{ "none", NULL },
		{ "A", NULL },		/* case-sensitive */
	};
	static char *const env[] = {
		"REQUEST_URI=/x?a=1&b=&c&q=a+b%2Bc&a=2&sp+ce=x&e==x="
		    "&=empty-key",
		NULL
	};
	struct wa_cfg	cfg;
	struct wa_req	r;
	const char	*got;
	size_t		i;

	(void)state;
	t_cfg_init(&cfg);
	t_req_init(&r, &cfg);
	assert_int_equal(t_req_parse(&r, env, NULL, 0), WA_OK);
	for (i = 0; i < NELEM(cases); i++) {
		got = wa_req_query(&r, cases[i].key);
		if (cases[i].want == NULL)
			assert_null(got);
		else if (got == NULL || strcmp(got, cases[i].want) != 0)
			fail_msg("query %s: got %s", cases[i].key,
			    got != NULL ? got : "(null)");
	}
	t_req_free(&r);
}

static void
test_query_long(void **state)
{
	static const struct {
		const char	*key;
		long		 want;
		int		 bad;	/* a field error is recorded */
	} cases[] = {
		{ "none", 7, 0 }, { "ok", 42, 0 }, { "lo", 1, 0 },
		{ "hi", 100, 0 }, { "zero", 7, 1 }, { "big", 7, 1 },
		{ "neg", 7, 1 }, { "word", 7, 1 }, { "empty", 7, 1 },
		{ "tail", 7, 1 }, { "huge", 7, 1 },
	};
	static char *const env[] = {
		"REQUEST_URI=/x?ok=42&lo=1&hi=100&zero=0&big=101&neg=-3"
		    "&word=ten&empty=&tail=5x&huge=99999999999999999999999",
		NULL
	};
	struct wa_cfg	cfg;
	struct wa_req	r;
	size_t		i, before;

	(void)state;
	t_cfg_init(&cfg);
	t_req_init(&r, &cfg);
	assert_int_equal(t_req_parse(&r, env, NULL, 0), WA_OK);
	for (i = 0; i < NELEM(cases); i++) {
		before = r.err.nfields;
		if (wa_req_query_long(&r, cases[i].key, 7, 1, 100) !=
		    cases[i].want || (r.err.nfields > before) != cases[i].bad)
			fail_msg("case %zu (%s)", i, cases[i].key);
	}
	assert_string_equal(r.err.fields[0].field, "zero");
	assert_string_equal(r.err.fields[0].msg,
	    "must be an integer from 1 to 100");
	t_req_free(&r);
}

static void
test_headers_env(void **state)
{
	static const struct {
		const char	*name;
		const char	*want;
	} cases[] = {
		{ "x-api-key", "k1" }, { "X-Api-Key", "k1" },
		{ "X-API-KEY", "k1" }, { "content-type", "application/json" },
		{ "Content-Length", "0" }, { "idempotency-key", "i-1" },
		{ "x-api", "" }, { "missing", NULL },
		{ "x-api-key-extra", NULL },
		{ X32 X32 X32 X32 X32, NULL },		/* too long */
	};
	static char *const env[] = {
		"REQUEST_URI=/x", "HTTP_X_API_KEYS=wrong", "HTTP_X_API_KEY=k1",
		"CONTENT_TYPE=application/json", "CONTENT_LENGTH=0",
		"HTTP_IDEMPOTENCY_KEY=i-1", "HTTP_X_API=", NULL
	};
	struct wa_cfg	cfg;
	struct wa_req	r;
	const char	*got;
	size_t		i;

	(void)state;
	t_cfg_init(&cfg);
	t_req_init(&r, &cfg);
	assert_int_equal(t_req_parse(&r, env, NULL, 0), WA_OK);
	for (i = 0; i < NELEM(cases); i++) {
		got = wa_req_header(&r, cases[i].name);
		if (cases[i].want == NULL)
			assert_null(got);
		else
			assert_string_equal(got, cases[i].want);
	}
	assert_string_equal(wa_req_env(&r, "REQUEST_URI"), "/x");
	assert_null(wa_req_env(&r, "REQUEST"));
	r.env = NULL;
	assert_null(wa_req_env(&r, "REQUEST_URI"));
	assert_null(wa_req_header(&r, "x-api-key"));
	t_req_free(&r);
}

static void
test_request_id(void **state)
{
	static const struct {
		const char	*env_id;	/* REQUEST_ID */
		const char	*hdr_id;	/* X-Request-Id */
		const char	*want;		/* NULL: generated */
	} cases[] = {
		{ "nginx-1", "client-1", "nginx-1" },
		{ NULL, "client.1:a_b-c", "client.1:a_b-c" },
		{ "bad id", "client-2", "client-2" },
		{ NULL, "<script>", NULL },
		{ NULL, "a\"b", NULL },
		{ NULL, "caf\xc3\xa9", NULL },
		{ NULL, "", NULL },
		{ NULL, NULL, NULL },
		{ NULL, X32 X32 X32 X32 "x", NULL },	/* 129 */
	};
	struct wa_cfg	 cfg;
	struct wa_req	 r;
	char		*env[4];
	size_t		 i, n;

	(void)state;
	t_cfg_init(&cfg);
	for (i = 0; i < NELEM(cases); i++) {
		t_req_init(&r, &cfg);
		n = 0;
		if (cases[i].env_id != NULL)
			env[n++] = wa_arena_printf(r.arena, "REQUEST_ID=%s",
			    cases[i].env_id);
		if (cases[i].hdr_id != NULL)
			env[n++] = wa_arena_printf(r.arena,
			    "HTTP_X_REQUEST_ID=%s", cases[i].hdr_id);
		env[n] = NULL;
		assert_int_equal(t_req_parse(&r, env, NULL, 0), WA_OK);
		if (cases[i].want != NULL)
			assert_string_equal(r.request_id, cases[i].want);
		else {
			assert_int_equal(strlen(r.request_id), 24);
			assert_memory_equal(r.request_id, "req_", 4);
			assert_int_equal(strspn(r.request_id + 4,
			    "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "abcdefghijklmnopqrstuvwxyz0123456789"), 20);
		}
		t_req_free(&r);
	}
}

/* A body read in small chunks is whole; a failing reader truncates. */
static void
test_body_reader(void **state)
{
	static const struct {
		size_t		 chunk;
		int		 fail;
		size_t		 have;	/* bytes the stream holds */
		enum wa_err	 want;
	} cases[] = {
		{ 1, 0, 1000, WA_OK }, { 7, 0, 1000, WA_OK },
		{ 0, 0, 1000, WA_OK }, { 1, 1, 999, WA_ERR_BAD_REQUEST },
		{ 3, 0, 10, WA_ERR_BAD_REQUEST },
	};
	static char *const env[] = { "REQUEST_METHOD=POST", "REQUEST_URI=/x",
	    "CONTENT_LENGTH=1000", NULL };
	struct wa_cfg	cfg;
	struct wa_req	r;
	struct t_mem	m;
	char		body[1000];
	size_t		i;

	(void)state;
	for (i = 0; i < sizeof(body); i++)
		body[i] = (char)('a' + i % 26);
	t_cfg_init(&cfg);
	for (i = 0; i < NELEM(cases); i++) {
		t_req_init(&r, &cfg);
		m.p = body;
		m.len = cases[i].have;
		m.off = 0;
		m.chunk = cases[i].chunk;
		m.fail = cases[i].fail;
		assert_int_equal(wa_req_parse(&r, env, t_mem_read, &m),
		    cases[i].want);
		if (cases[i].want == WA_OK) {
			assert_int_equal(r.body_len, 1000);
			assert_memory_equal(r.body, body, 1000);
		}
		t_req_free(&r);
	}
	/* no reader at all with a Content-Length: truncated */
	t_req_init(&r, &cfg);
	assert_int_equal(wa_req_parse(&r, env, NULL, NULL), WA_ERR_BAD_REQUEST);
	t_req_free(&r);
}

/*
 * The two-step parse of the FastCGI worker: parse_head reads nothing;
 * stream_body refuses a Content-Length past its limit and leaves the
 * body to wa_req_body_read, which reads what there is and no more,
 * 400 when the stream ends early; drain reads the rest.  A body read
 * whole is served from memory.
 */
/* A request of Content-Length 100 whose body stream holds len bytes
 * of body, its head parsed and nothing read. */
static void
head(struct wa_req *r, struct wa_cfg *cfg, struct t_mem *m,
    const char *body, size_t len)
{
	static char *const env[] = { "REQUEST_METHOD=POST", "REQUEST_URI=/x",
	    "CONTENT_LENGTH=100", NULL };

	t_req_init(r, cfg);
	memset(m, 0, sizeof(*m));
	m->p = body;
	m->len = len;
	assert_int_equal(wa_req_parse_head(r, env, t_mem_read, m), WA_OK);
	assert_int_equal(m->off, 0);
}

static void
test_body_stream(void **state)
{
	static char *const env[] = { "REQUEST_METHOD=POST", "REQUEST_URI=/x",
	    "CONTENT_LENGTH=100", NULL };
	struct wa_cfg	cfg;
	struct wa_req	r;
	struct t_mem	m;
	char		body[120], buf[64];
	size_t		i, got;
	long		k;

	(void)state;
	for (i = 0; i < sizeof(body); i++)
		body[i] = (char)('a' + i % 26);
	t_cfg_init(&cfg);

	/* streamed in chunks of 7: exactly the 100 bytes, then 0 */
	head(&r, &cfg, &m, body, sizeof(body));	/* more than announced */
	m.chunk = 7;
	assert_int_equal(m.off, 0);
	assert_int_equal(wa_req_stream_body(&r, 100), WA_OK);
	got = 0;
	while ((k = wa_req_body_read(&r, buf, sizeof(buf))) > 0) {
		assert_memory_equal(buf, body + got, (size_t)k);
		got += (size_t)k;
	}
	assert_int_equal(k, 0);
	assert_int_equal(got, 100);
	assert_int_equal(m.off, 100);
	t_req_free(&r);

	/* over the route's limit: 413 before a byte is read */
	head(&r, &cfg, &m, body, 100);
	assert_int_equal(wa_req_stream_body(&r, 99), WA_ERR_TOO_LARGE);
	assert_int_equal(m.off, 0);
	t_req_free(&r);

	/* the stream ends at 40: -1 and 400 */
	head(&r, &cfg, &m, body, 40);
	got = 0;
	while ((k = wa_req_body_read(&r, buf, sizeof(buf))) > 0)
		got += (size_t)k;
	assert_int_equal(k, -1);
	assert_int_equal(got, 40);
	assert_int_equal(r.err.code, WA_ERR_BAD_REQUEST);
	t_req_free(&r);

	/* drain after a handler that read 10 */
	head(&r, &cfg, &m, body, 100);
	assert_int_equal(wa_req_body_read(&r, buf, 10), 10);
	wa_req_body_drain(&r);
	assert_int_equal(m.off, 100);
	t_req_free(&r);

	/* read whole first: wa_req_body_read serves it from memory */
	t_req_init(&r, &cfg);
	assert_int_equal(t_req_parse(&r, env, body, 100), WA_OK);
	assert_int_equal(wa_req_stream_body(&r, 10), WA_OK);
	got = 0;
	while ((k = wa_req_body_read(&r, buf, sizeof(buf))) > 0) {
		assert_memory_equal(buf, body + got, (size_t)k);
		got += (size_t)k;
	}
	assert_int_equal(got, 100);
	t_req_free(&r);
}

/* wa_req_parse starts from a clean request but keeps arena, cfg, db. */
static void
test_parse_resets(void **state)
{
	static char *const env[] = { "REQUEST_URI=/v1/x", NULL };
	struct wa_cfg	 cfg;
	struct wa_req	 r;
	struct wa_arena	*a;

	(void)state;
	t_cfg_init(&cfg);
	t_req_init(&r, &cfg);
	a = r.arena;
	r.db = (struct wa_db *)&cfg;	/* any non-NULL marker */
	wa_fail(&r, WA_ERR_INTERNAL, "left over");
	r.nparams = 3;
	r.resp.status = 500;
	r.auth.ok = 1;
	r.in_tx = 1;
	assert_int_equal(t_req_parse(&r, env, NULL, 0), WA_OK);
	assert_ptr_equal(r.arena, a);
	assert_ptr_equal(r.cfg, &cfg);
	assert_ptr_equal(r.db, (struct wa_db *)&cfg);
	assert_int_equal(r.err.code, WA_OK);
	assert_string_equal(r.err.message, "");
	assert_int_equal(r.nparams, 0);
	assert_int_equal(r.resp.status, 0);
	assert_int_equal(r.auth.ok, 0);
	assert_int_equal(r.in_tx, 0);
	assert_int_equal(r.face, WA_FACE_LATE);
	assert_true(r.started_us > 0);
	r.db = NULL;
	t_req_free(&r);
}

static void
test_params(void **state)
{
	struct wa_cfg	cfg;
	struct wa_req	r;

	(void)state;
	t_cfg_init(&cfg);
	t_req_init(&r, &cfg);
	r.params[0].key = "profileId";
	r.params[0].val = "p1";
	r.params[1].key = "id";
	r.params[1].val = "i1";
	r.nparams = 2;
	assert_string_equal(wa_req_param(&r, "profileId"), "p1");
	assert_string_equal(wa_req_param(&r, "id"), "i1");
	assert_null(wa_req_param(&r, "ProfileId"));
	assert_null(wa_req_param(&r, ""));
	t_req_free(&r);
}

/* First error wins; the return value is what a handler passes on. */
/* A path id is a UUID or a 404 named as the face names it. */
static void
test_path_id(void **state)
{
	static const struct {
		const char	*val;		/* NULL: no such parameter */
		const char	*code;
		int		 ok;
	} cases[] = {
		{ "0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b", NULL, 1 },
		{ "0190A1B2-C3D4-7E5F-8A6B-7C8D9E0F1A2B", "RESOURCE_014", 1 },
		{ "0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2", NULL, 0 },
		{ "0190a1b2c3d47e5f8a6b7c8d9e0f1a2b", "RESOURCE_014", 0 },
		{ "' OR 1=1 --", NULL, 0 },
		{ "", NULL, 0 },
		{ NULL, "RESOURCE_014", 0 },
	};
	struct wa_cfg	 cfg;
	struct wa_req	 r;
	const char	*id;
	size_t		 i;

	(void)state;
	t_cfg_init(&cfg);
	for (i = 0; i < NELEM(cases); i++) {
		t_req_init(&r, &cfg);
		if (cases[i].val != NULL) {
			r.params[0].key = "profileId";
			r.params[0].val = cases[i].val;
			r.nparams = 1;
		}
		id = wa_req_id(&r, "profileId", cases[i].code, "Profile");
		if (cases[i].ok) {
			assert_ptr_equal(id, cases[i].val);
			assert_int_equal(r.err.code, WA_OK);
		} else {
			assert_null(id);
			assert_int_equal(r.err.code, WA_ERR_NOT_FOUND);
			assert_string_equal(r.err.message,
			    "Profile not found");
			if (cases[i].code == NULL)
				assert_null(r.err.face_code);
			else
				assert_string_equal(r.err.face_code,
				    cases[i].code);
		}
		t_req_free(&r);
	}
}

static void
test_fail_first_wins(void **state)
{
	struct wa_cfg	 cfg;
	struct wa_req	 r;
	char		 big[2000];

	(void)state;
	t_cfg_init(&cfg);
	t_req_init(&r, &cfg);
	assert_int_equal(wa_fail(&r, WA_ERR_NOT_FOUND, "profile %s", "p1"),
	    WA_ERR_NOT_FOUND);
	assert_int_equal(wa_fail(&r, WA_ERR_INTERNAL, "later"),
	    WA_ERR_NOT_FOUND);
	assert_int_equal(wa_fail_as(&r, WA_ERR_CONFLICT, "X_1", "later"),
	    WA_ERR_NOT_FOUND);
	assert_int_equal(r.err.code, WA_ERR_NOT_FOUND);
	assert_string_equal(r.err.message, "profile p1");
	assert_null(r.err.face_code);
	/* a field error does not turn it into a validation error */
	assert_int_equal(wa_fail_field(&r, "name", "is required"),
	    WA_ERR_NOT_FOUND);
	assert_int_equal(r.err.nfields, 0);
	wa_fail_log(&r, "first %d", 1);
	wa_fail_log(&r, "second");
	assert_string_equal(r.err.log_detail, "first 1");
	t_req_free(&r);

	t_req_init(&r, &cfg);
	assert_int_equal(wa_fail_as(&r, WA_ERR_NOT_FOUND, "RESOURCE_014",
	    "%s not found", "template"), WA_ERR_NOT_FOUND);
	assert_string_equal(r.err.face_code, "RESOURCE_014");
	assert_string_equal(r.err.message, "template not found");
	t_req_free(&r);

	/* messages are cut to the buffer */
	t_req_init(&r, &cfg);
	memset(big, 'm', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	wa_fail(&r, WA_ERR_BAD_REQUEST, "%s", big);
	assert_int_equal(strlen(r.err.message), WA_ERR_MESSAGE_MAX - 1);
	wa_fail_log(&r, "%s", big);
	assert_int_equal(strlen(r.err.log_detail), WA_ERR_MESSAGE_MAX - 1);
	t_req_free(&r);
}

static void
test_fail_fields(void **state)
{
	struct wa_cfg	 cfg;
	struct wa_req	 r;
	char		 name[32];
	size_t		 i;

	(void)state;
	t_cfg_init(&cfg);
	t_req_init(&r, &cfg);
	snprintf(name, sizeof(name), "brand.name");
	assert_int_equal(wa_fail_field(&r, name, "must be %s", "a string"),
	    WA_ERR_VALIDATION);
	name[0] = 'X';			/* the field was copied */
	assert_int_equal(r.err.code, WA_ERR_VALIDATION);
	assert_string_equal(r.err.message, wa_errs[WA_ERR_VALIDATION].message);
	assert_string_equal(r.err.fields[0].field, "brand.name");
	assert_string_equal(r.err.fields[0].msg, "must be a string");
	/* accumulates up to the cap, then drops the rest */
	for (i = 1; i < WA_ERR_FIELDS_MAX + 10; i++) {
		snprintf(name, sizeof(name), "f%zu", i);
		assert_int_equal(wa_fail_field(&r, name, "bad %zu", i),
		    WA_ERR_VALIDATION);
	}
	assert_int_equal(r.err.nfields, WA_ERR_FIELDS_MAX);
	assert_string_equal(r.err.fields[WA_ERR_FIELDS_MAX - 1].field,
	    "f31");
	/* a later non-validation error does not replace it */
	assert_int_equal(wa_fail(&r, WA_ERR_INTERNAL, "x"), WA_ERR_VALIDATION);
	t_req_free(&r);

	/* wa_fail(VALIDATION) first keeps its message and takes fields */
	t_req_init(&r, &cfg);
	wa_fail(&r, WA_ERR_VALIDATION, "custom");
	wa_fail_field(&r, "a", "b");
	assert_string_equal(r.err.message, "custom");
	assert_int_equal(r.err.nfields, 1);
	assert_string_equal(t_fields(&r), "a=b");
	t_req_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_method_parse),
		cmocka_unit_test(test_face_for_path),
		cmocka_unit_test(test_parse_table),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_query_values),
		cmocka_unit_test(test_query_long),
		cmocka_unit_test(test_headers_env),
		cmocka_unit_test(test_request_id),
		cmocka_unit_test(test_body_reader),
		cmocka_unit_test(test_parse_resets),
		cmocka_unit_test(test_params),
		cmocka_unit_test(test_body_stream),
		cmocka_unit_test(test_path_id),
		cmocka_unit_test(test_fail_first_wins),
		cmocka_unit_test(test_fail_fields),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
