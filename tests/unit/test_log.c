/* Unit tests for lib/log.c: escaping of untrusted bytes, JSON lines. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "helpers.h"
#include "log.h"
#include "utf8.h"

struct bytes {
	const char	*s;
	size_t		 len;
};
#define B(lit)	{ lit, sizeof(lit) - 1 }

static void
test_level_parse(void **state)
{
	static const struct {
		const char		*in;
		enum wa_log_level	 want;
	} cases[] = {
		{ "debug", WA_LOG_DEBUG }, { "info", WA_LOG_INFO },
		{ "warn", WA_LOG_WARN }, { "error", WA_LOG_ERROR },
		{ "fatal", WA_LOG_FATAL },
		{ "", WA_LOG_INFO }, { "INFO", WA_LOG_INFO },
		{ "Debug", WA_LOG_INFO }, { "warning", WA_LOG_INFO },
		{ "debug ", WA_LOG_INFO }, { NULL, WA_LOG_INFO },
	};
	size_t	i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++)
		assert_int_equal(wa_log_level_parse(cases[i].in),
		    cases[i].want);
}

static void
test_escape(void **state)
{
	static const struct {
		struct bytes	 in;
		size_t		 dstsz;
		const char	*want;
	} cases[] = {
		{ B("abc"), 64, "abc" },
		{ B(""), 64, "" },
		{ B("a\"b\\c"), 64, "a\\\"b\\\\c" },
		{ B("\n\r\t"), 64, "\\n\\r\\t" },
		{ B("\x01\x1f\x7f"), 64, "\\u0001\\u001f\\u007f" },
		{ B("a\0b"), 64, "a\\u0000b" },
		{ B("\x1b[31mred"), 64, "\\u001b[31mred" },
		/* valid UTF-8 passes through */
		{ B("h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80"), 64,
		    "h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80" },
		/* invalid bytes become the text \xNN */
		{ B("\xff"), 64, "\\\\xff" },
		{ B("a\x80z"), 64, "a\\\\x80z" },
		/* overlong, surrogate, truncated */
		{ B("\xc0\xaf"), 64, "\\\\xc0\\\\xaf" },
		{ B("\xed\xa0\x80"), 64, "\\\\xed\\\\xa0\\\\x80" },
		{ B("\xe2\x82"), 64, "\\\\xe2\\\\x82" },
		{ B("\xf5\x80\x80\x80"), 64,
		    "\\\\xf5\\\\x80\\\\x80\\\\x80" },
		/* cut: room is kept for "..." and the NUL */
		{ B("abcdefghij"), 8, "abcd..." },
		{ B("abcdefghij"), 5, "a..." },
		{ B("abcdefghij"), 4, "..." },
		{ B("abcdefghij"), 3, "" },
		{ B("abcdefghij"), 1, "" },
		/* never inside a character or an escape */
		{ B("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"), 8,
		    "\xc3\xa9\xc3\xa9..." },
		{ B("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"), 7, "\xc3\xa9..." },
		/* an exact fit is kept whole; one byte less cuts */
		{ B("\xf0\x9f\x98\x80\xf0\x9f\x98\x80"), 9,
		    "\xf0\x9f\x98\x80\xf0\x9f\x98\x80" },
		{ B("\xf0\x9f\x98\x80\xf0\x9f\x98\x80"), 8,
		    "\xf0\x9f\x98\x80..." },
		{ B("\xf0\x9f\x98\x80\xf0\x9f\x98\x80"), 7, "..." },
		{ B("\n\n\n\n"), 7, "\\n..." },
		{ B("\x01\x01"), 12, "\\u0001..." },
		{ B("\xff\xff"), 10, "\\\\xff..." },
	};
	char	dst[128];
	size_t	i, n;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		memset(dst, '#', sizeof(dst));
		n = wa_log_escape(dst, cases[i].dstsz, cases[i].in.s,
		    cases[i].in.len);
		if (strcmp(dst, cases[i].want) != 0)
			fail_msg("case %zu: got \"%s\" want \"%s\"", i, dst,
			    cases[i].want);
		assert_int_equal(n, strlen(cases[i].want));
		assert_int_equal(dst[cases[i].dstsz], '#');
	}
	/* a zero-size destination is not touched */
	dst[0] = '#';
	assert_int_equal(wa_log_escape(dst, 0, "abc", 3), 0);
	assert_int_equal(dst[0], '#');
}

/*
 * Whatever the input and the size, the result fits, is valid UTF-8, and
 * is the inside of a JSON string that decodes back without forging a
 * field.
 */
static void
test_escape_invariants(void **state)
{
	static const struct bytes inputs[] = {
		B("plain"), B("\"},\"level\":\"fatal"), B("\\\\\\\""),
		B("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a"),
		B("\xff\xfe\xfd\xc0\x80\xed\xa0\x80\xf4\x90\x80\x80"),
		B("mixed \xc3\xa9\xff\n\xe2\x82\xac\"\x7f\xf0\x9f\x98\x80"),
		B("\xe2\x82\xe2\x82\xac\xe2"),
	};
	struct wa_arena	*a = wa_arena_new(0);
	char		 dst[256];
	char		*json;
	cJSON		*v;
	size_t		 i, sz, n;

	(void)state;
	wa_json_use_arena(a);
	for (i = 0; i < NELEM(inputs); i++)
		for (sz = 1; sz <= sizeof(dst); sz++) {
			n = wa_log_escape(dst, sz, inputs[i].s, inputs[i].len);
			assert_true(n < sz);
			assert_int_equal(strlen(dst), n);
			assert_true(wa_utf8_valid(dst, n));
			json = wa_arena_printf(a, "{\"k\":\"%s\"}", dst);
			v = cJSON_Parse(json);
			if (v == NULL || cJSON_GetArraySize(v) != 1 ||
			    !cJSON_IsString(cJSON_GetObjectItem(v, "k")))
				fail_msg("input %zu size %zu: %s", i, sz, json);
		}
	wa_json_use_arena(NULL);
	wa_arena_free(a);
}

static cJSON *
one_line(const char *out)
{
	const char	*nl = strchr(out, '\n');
	cJSON		*v;

	assert_non_null(nl);
	assert_int_equal(nl[1], '\0');		/* exactly one line */
	v = cJSON_ParseWithLength(out, (size_t)(nl - out));
	if (v == NULL)
		fail_msg("not JSON: %s", out);
	return v;
}

static void
test_log_lines(void **state)
{
	static const struct {
		enum wa_log_level	 min;
		enum wa_log_level	 lvl;
		int			 written;
		const char		*level;
	} cases[] = {
		{ WA_LOG_INFO, WA_LOG_DEBUG, 0, NULL },
		{ WA_LOG_INFO, WA_LOG_INFO, 1, "info" },
		{ WA_LOG_INFO, WA_LOG_ERROR, 1, "error" },
		{ WA_LOG_WARN, WA_LOG_INFO, 0, NULL },
		{ WA_LOG_DEBUG, WA_LOG_DEBUG, 1, "debug" },
		{ WA_LOG_ERROR, WA_LOG_WARN, 0, NULL },
		{ WA_LOG_INFO, WA_LOG__MAX, 0, NULL },
	};
	struct wa_arena		*a = wa_arena_new(0);
	struct t_capture	 c;
	char			*out;
	cJSON			*v;
	size_t			 i;

	(void)state;
	wa_json_use_arena(a);
	for (i = 0; i < NELEM(cases); i++) {
		wa_log_init("unit", cases[i].min);
		t_capture_begin(&c);
		wa_log(cases[i].lvl, "hello %s", "\"world\"\n\xff");
		out = t_capture_end(&c, a);
		if (!cases[i].written) {
			assert_string_equal(out, "");
			continue;
		}
		v = one_line(out);
		assert_string_equal(wa_json_str(v, "level"), cases[i].level);
		assert_string_equal(wa_json_str(v, "family"), "unit");
		assert_string_equal(wa_json_str(v, "msg"),
		    "hello \"world\"\n\\xff");
		assert_non_null(wa_json_str(v, "ts"));
		assert_true(cJSON_IsNumber(cJSON_GetObjectItem(v, "pid")));
	}
	/* fatal is written whatever the level */
	wa_log_init("unit", WA_LOG_ERROR);
	t_capture_begin(&c);
	wa_log_fatal("bye %d", 1);
	out = t_capture_end(&c, a);
	v = one_line(out);
	assert_string_equal(wa_json_str(v, "level"), "fatal");
	assert_string_equal(wa_json_str(v, "msg"), "bye 1");
	wa_log_init("unit", WA_LOG_INFO);
	wa_json_use_arena(NULL);
	wa_arena_free(a);
}

/* A hostile path cannot break the line or add fields; long ones are cut. */
static void
test_access_line(void **state)
{
	struct wa_arena		*a = wa_arena_new(0);
	struct t_capture	 c;
	struct wa_log_access	 la;
	char			 longpath[6000];
	const char		*s;
	char			*out;
	cJSON			*v;

	(void)state;
	wa_json_use_arena(a);
	memset(&la, 0, sizeof(la));
	la.request_id = "req_1";
	la.method = "GET";
	la.path = "/v3/x\",\"status\":200,\"y\":\"\n\r\x01\xc0\xaf";
	la.status = 404;
	la.duration_ms = 1.5;
	la.error_code = "not_found";
	t_capture_begin(&c);
	wa_log_access(&la);
	out = t_capture_end(&c, a);
	v = one_line(out);
	assert_string_equal(wa_json_str(v, "msg"), "request");
	assert_string_equal(wa_json_str(v, "request_id"), "req_1");
	assert_true(wa_json_is_null(v, "org"));
	assert_string_equal(wa_json_str(v, "path"),
	    "/v3/x\",\"status\":200,\"y\":\"\n\r\x01\\xc0\\xaf");
	assert_int_equal(cJSON_GetObjectItem(v, "status")->valuedouble, 404);
	assert_false(wa_json_has(v, "y"));
	assert_string_equal(wa_json_str(v, "error"), "not_found");
	assert_false(wa_json_has(v, "detail"));

	/* long fields are cut with "...", and the line stays whole */
	memset(longpath, 'p', sizeof(longpath) - 1);
	longpath[sizeof(longpath) - 1] = '\0';
	longpath[1019] = '\xe2';	/* a character across the cut */
	longpath[1020] = '\x82';
	longpath[1021] = '\xac';
	la.path = longpath;
	la.method = longpath;
	la.org_id = "org";
	la.error_detail = longpath;
	t_capture_begin(&c);
	wa_log_access(&la);
	out = t_capture_end(&c, a);
	assert_true(strlen(out) <= 4096);
	v = one_line(out);
	s = wa_json_str(v, "path");
	assert_non_null(s);
	assert_true(strlen(s) < 1024);
	assert_string_equal(s + strlen(s) - 3, "...");
	assert_true(wa_utf8_valid(s, strlen(s)));
	assert_string_equal(wa_json_str(v, "org"), "org");
	assert_non_null(wa_json_str(v, "detail"));
	wa_json_use_arena(NULL);
	wa_arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_level_parse),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_escape_invariants),
		cmocka_unit_test(test_log_lines),
		cmocka_unit_test(test_access_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
