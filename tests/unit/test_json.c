/* Unit tests for lib/json.c: the hardened parser and field tables. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>

#include "helpers.h"
#include "json.h"
#include "valid.h"

/* n copies of s, arena-owned. */
static char *
rep(struct wa_arena *a, const char *s, size_t n)
{
	size_t	 len = strlen(s), i;
	char	*p = wa_arena_alloc(a, len * n + 1);

	for (i = 0; i < n; i++)
		memcpy(p + i * len, s, len);
	p[len * n] = '\0';
	return p;
}

#define DEEP	(-1)	/* input built in the test, see below */

static void
test_parse_table(void **state)
{
	static const struct {
		const char	*in;
		size_t		 len;	/* 0: strlen */
		int		 maxdepth;
		const char	*why;	/* NULL: accepted */
	} cases[] = {
		{ "{}", 0, 32, NULL },
		{ "[]", 0, 32, NULL },
		{ "\"x\"", 0, 32, NULL },
		{ "1", 0, 32, NULL },
		{ "null", 0, 32, NULL },
		{ " \t\r\n{} \t\r\n", 0, 32, NULL },
		{ "{\"a\":[1,{\"b\":null}]}", 0, 32, NULL },
		{ "{\"k\":\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"}", 0, 32,
		    NULL },
		{ "{\"k\":\"\\u00e9\\ud83d\\ude00\"}", 0, 32, NULL },
		/* an escaped backslash before u0000 is plain text */
		{ "{\"a\":\"x\\\\u0000\"}", 0, 32, NULL },
		/* brackets inside strings do not count */
		{ "{\"a\":\"[[[[{{{{\"}", 0, 1, NULL },
		{ "{}garbage", 2, 32, NULL },		/* len bounds input */
		/* huge and odd numbers parse; fields judge them later */
		{ "1e999", 0, 32, NULL },
		{ "-1e999", 0, 32, NULL },
		{ "1e308", 0, 32, NULL },
		{ "9007199254740993", 0, 32, NULL },
		{ "1e-400", 0, 32, NULL },
		{ "-0", 0, 32, NULL },
		/* refused */
		{ "", 0, 32, "body is not valid JSON" },
		{ "   ", 0, 32, "body is not valid JSON" },
		{ "{", 0, 32, "body is not valid JSON" },
		{ "{\"a\":}", 0, 32, "body is not valid JSON" },
		{ "[1,]", 0, 32, "body is not valid JSON" },
		{ "{\"a\":1,}", 0, 32, "body is not valid JSON" },
		{ "{'a':1}", 0, 32, "body is not valid JSON" },
		{ "nul", 0, 32, "body is not valid JSON" },
		{ "\"abc", 0, 32, "body is not valid JSON" },
		{ "\"abc\\", 0, 32, "unterminated string" },
		{ "\"\\ud800\"", 0, 32, "body is not valid JSON" },
		{ "\"\\udc00\"", 0, 32, "body is not valid JSON" },
		{ "{} x", 0, 32, "unexpected data after the JSON value" },
		{ "{}{}", 0, 32, "unexpected data after the JSON value" },
		{ "[1] ]", 0, 32, "unexpected data after the JSON value" },
		{ "1 2", 0, 32, "unexpected data after the JSON value" },
		{ "{\"a\":\"\\u0000\"}", 0, 32,
		    "strings may not contain \\u0000" },
		{ "{\"a\\u0000b\":1}", 0, 32,
		  "strings may not contain \\u0000" },
		/* RFC 8259: control characters in strings are escaped;
		 * between tokens, tab, CR and LF are whitespace */
		{ "{\"a\":\"x\ty\"}", 0, 32, "a control character inside "
		    "a string must be escaped (RFC 8259: \\n, \\t, "
		    "\\u0001)" },
		{ "{\"a\x01\":1}", 0, 32, "a control character inside "
		    "a string must be escaped (RFC 8259: \\n, \\t, "
		    "\\u0001)" },
		{ "{\"a\":\"x\\ty\\u001f\"}", 0, 32, NULL },
		{ "{\"a\":\"x\0y\"}", 11, 32, "body contains a NUL byte" },
		{ "{}\0", 3, 32, "body contains a NUL byte" },
		{ "{\"a\":\"\xc0\xaf\"}", 0, 32, "body is not valid UTF-8" },
		{ "{\"a\":\"\xed\xa0\x80\"}", 0, 32,
		  "body is not valid UTF-8" },
		{ "{\"a\":\"\xf5\x80\x80\x80\"}", 0, 32,
		    "body is not valid UTF-8" },
		{ "{\"a\":\"\xe2\x82\"}", 0, 32, "body is not valid UTF-8" },
		{ "{\"a\":\"\xff\"}", 0, 32, "body is not valid UTF-8" },
		{ "\"\xf0\x9f\x98", 0, 32, "body is not valid UTF-8" },
		{ "[[[]]]", 0, 3, NULL },
		{ "[[[[]]]]", 0, 3, "JSON nested too deeply" },
		{ "{\"a\":{\"b\":{\"c\":{}}}}", 0, 3,
		  "JSON nested too deeply" },
	};
	struct wa_arena	*a = wa_arena_new(0);
	const char	*why;
	cJSON		*v;
	size_t		 i, len;

	(void)state;
	wa_json_use_arena(a);
	for (i = 0; i < NELEM(cases); i++) {
		len = cases[i].len != 0 ? cases[i].len : strlen(cases[i].in);
		why = "unset";
		v = wa_json_parse(cases[i].in, len, cases[i].maxdepth, &why);
		if (cases[i].why == NULL) {
			if (v == NULL)
				fail_msg("case %zu (%s): refused: %s", i,
				    cases[i].in, why);
			assert_null(why);
			continue;
		}
		if (v != NULL)
			fail_msg("case %zu (%s): accepted", i, cases[i].in);
		assert_non_null(why);
		if (strcmp(why, cases[i].why) != 0)
			fail_msg("case %zu (%s): why \"%s\"", i, cases[i].in,
			    why);
	}
	wa_json_use_arena(NULL);
	wa_arena_free(a);
}

/* Depth: the limit itself passes, one more is refused, 10000 neither
 * crashes nor recurses. */
static void
test_parse_depth(void **state)
{
	static const struct {
		const char	*open;
		const char	*mid;
		const char	*close;
		size_t		 n;
		int		 ok;
	} cases[] = {
		{ "[", "", "]", WA_JSON_DEPTH_MAX, 1 },
		{ "[", "", "]", WA_JSON_DEPTH_MAX + 1, 0 },
		{ "{\"a\":", "1", "}", WA_JSON_DEPTH_MAX, 1 },
		{ "{\"a\":", "1", "}", WA_JSON_DEPTH_MAX + 1, 0 },
		{ "[", "", "]", 10000, 0 },
		{ "[", "", "", 10000, 0 },		/* unclosed */
		{ "{\"a\":", "", "", 10000, 0 },
		{ "[{\"a\":", "1", "}]", 5000, 0 },
		{ "[", "", "", 1000000, 0 },
	};
	struct wa_arena	*a = wa_arena_new(0);
	const char	*why, *s;
	cJSON		*v;
	size_t		 i;

	(void)state;
	wa_json_use_arena(a);
	for (i = 0; i < NELEM(cases); i++) {
		s = wa_arena_printf(a, "%s%s%s", rep(a, cases[i].open,
		    cases[i].n), cases[i].mid, rep(a, cases[i].close,
		    cases[i].n));
		v = wa_json_parse(s, strlen(s), WA_JSON_DEPTH_MAX, &why);
		if (cases[i].ok) {
			assert_non_null(v);
			continue;
		}
		assert_null(v);
		assert_string_equal(why, "JSON nested too deeply");
		wa_arena_reset(a);
	}
	wa_json_use_arena(NULL);
	wa_arena_free(a);
}

static void
test_numbers(void **state)
{
	static const struct {
		const char	*in;
		int		 finite;
		double		 val;
	} cases[] = {
		{ "1e308", 1, 1e308 },
		{ "-1e308", 1, -1e308 },
		{ "1e999", 0, 0 },
		{ "-1e999", 0, 0 },
		{ "9007199254740993", 1, 9007199254740992.0 },
		{ "1e-400", 1, 0 },
	};
	struct wa_arena	*a = wa_arena_new(0);
	const char	*why;
	cJSON		*v;
	size_t		 i;

	(void)state;
	wa_json_use_arena(a);
	for (i = 0; i < NELEM(cases); i++) {
		v = wa_json_parse(cases[i].in, strlen(cases[i].in), 32, &why);
		assert_non_null(v);
		assert_true(cJSON_IsNumber(v));
		assert_int_equal(isfinite(v->valuedouble) != 0,
		    cases[i].finite);
		if (cases[i].finite)
			assert_true(v->valuedouble == cases[i].val);
		/* printing never produces invalid JSON */
		assert_non_null(wa_json_parse(wa_json_print(v),
		    strlen(wa_json_print(v)), 32, &why));
	}
	wa_json_use_arena(NULL);
	wa_arena_free(a);
}

static void
test_body(void **state)
{
	static const struct {
		const char	*body;
		enum wa_err	 want;
		int		 members;
		const char	*msg;	/* substring of the message */
	} cases[] = {
		{ "", WA_OK, 0, NULL },
		{ " \r\n\t ", WA_OK, 0, NULL },
		{ "{}", WA_OK, 0, NULL },
		{ "{\"a\":1,\"b\":2}", WA_OK, 2, NULL },
		{ "[]", WA_ERR_BAD_REQUEST, 0, "must be a JSON object" },
		{ "\"s\"", WA_ERR_BAD_REQUEST, 0, "must be a JSON object" },
		{ "null", WA_ERR_BAD_REQUEST, 0, "must be a JSON object" },
		{ "{", WA_ERR_BAD_REQUEST, 0,
		  "Invalid JSON body: body is not" },
		{ "{} {}", WA_ERR_BAD_REQUEST, 0, "unexpected data" },
		{ "{\"a\":\"\\u0000\"}", WA_ERR_BAD_REQUEST, 0, "\\u0000" },
		{ "{\"a\":\"\xff\"}", WA_ERR_BAD_REQUEST, 0, "UTF-8" },
	};
	struct wa_cfg	 cfg;
	struct wa_req	 r;
	cJSON		*out;
	size_t		 i;

	(void)state;
	t_cfg_init(&cfg);
	for (i = 0; i < NELEM(cases); i++) {
		t_req_init(&r, &cfg);
		r.body = cases[i].body;
		r.body_len = strlen(cases[i].body);
		out = NULL;
		assert_int_equal(wa_json_body(&r, &out), cases[i].want);
		assert_int_equal(r.err.code, cases[i].want);
		if (cases[i].want == WA_OK) {
			assert_true(cJSON_IsObject(out));
			assert_int_equal(cJSON_GetArraySize(out),
			    cases[i].members);
		} else if (strstr(r.err.message, cases[i].msg) == NULL)
			fail_msg("case %zu: message \"%s\"", i, r.err.message);
		t_req_free(&r);
	}

	/* 10000 '[' as a body is a 400, not a crash */
	t_req_init(&r, &cfg);
	r.body = rep(r.arena, "[", 10000);
	r.body_len = 10000;
	assert_int_equal(wa_json_body(&r, &out), WA_ERR_BAD_REQUEST);
	assert_non_null(strstr(r.err.message, "nested too deeply"));
	t_req_free(&r);
}

static const char *const kinds[] = { "sms", "whatsapp", NULL };

static const struct wa_field contact_fields[] = {
	{ .name = "email", .type = WA_J_STRING, .check = wa_valid_email,
	    .check_msg = "must be a valid email address" },
	{ .name = "phone", .type = WA_J_STRING, .flags = WA_F_REQUIRED,
	    .check = wa_valid_e164 },
	{ .name = NULL }
};

static const struct wa_field item_fields[] = {
	{ .name = "id", .type = WA_J_STRING, .flags = WA_F_REQUIRED },
	{ .name = "qty", .type = WA_J_INT, .imin = 1, .imax = 9 },
	{ .name = NULL }
};

static const struct wa_field fields[] = {
	{ .name = "name", .type = WA_J_STRING,
	    .flags = WA_F_REQUIRED | WA_F_NONEMPTY, .max = 5 },
	{ .name = "kind", .type = WA_J_STRING, .enumv = kinds },
	{ .name = "note", .type = WA_J_STRING, .flags = WA_F_NULLABLE,
	    .min = 2 },
	{ .name = "count", .type = WA_J_INT, .imin = 1, .imax = 100 },
	{ .name = "big", .type = WA_J_INT },
	{ .name = "ratio", .type = WA_J_NUMBER },
	{ .name = "temp", .type = WA_J_NUMBER, .imin = -10.5, .imax = 10.5 },
	{ .name = "flag", .type = WA_J_BOOL },
	{ .name = "contact", .type = WA_J_OBJECT, .sub = contact_fields },
	{ .name = "tags", .type = WA_J_ARRAY, .min = 1, .max = 3,
	    .item = WA_J_STRING, .item_max = 4, .enumv = NULL },
	{ .name = "channels", .type = WA_J_ARRAY, .item = WA_J_STRING,
	    .enumv = kinds },
	{ .name = "items", .type = WA_J_ARRAY, .item = WA_J_OBJECT,
	    .sub = item_fields },
	{ .name = "phones", .type = WA_J_ARRAY, .item = WA_J_STRING,
	    .check = wa_valid_e164 },
	{ .name = "any", .type = WA_J_ARRAY },
	{ .name = NULL }
};

static void
test_validate_table(void **state)
{
	static const struct {
		const char	*json;
		const char	*want;	/* t_fields() form; "" = valid */
	} cases[] = {
		{ "{\"name\":\"ab\"}", "" },
		{ "{\"name\":\"ab\",\"unknown\":[1,2]}", "" },
		{ "{}", "name=is required" },
		{ "{\"name\":null}", "name=is required" },
		{ "{\"name\":\" \\t\\n \"}", "name=must not be empty" },
		{ "{\"name\":\"\"}", "name=must not be empty" },
		{ "{\"name\":5}", "name=must be a string" },
		{ "{\"name\":[\"a\"]}", "name=must be a string" },
		/* max counts characters, not bytes */
		{ "{\"name\":\"abcde\"}", "" },
		{ "{\"name\":\"abcdef\"}",
		  "name=must be at most 5 characters" },
		{ "{\"name\":\"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\"}",
		  "" },
		{ "{\"name\":\"\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80"
		  "\xf0\x9f\x98\x80\xf0\x9f\x98\x80\"}", "" },
		{ "{\"name\":\"\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80"
		  "\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\"}",
		  "name=must be at most 5 characters" },
		{ "{\"name\":\"\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\"}", "" },
		/* enum, nullable, min */
		{ "{\"name\":\"a\",\"kind\":\"sms\"}", "" },
		{ "{\"name\":\"a\",\"kind\":\"fax\"}",
		  "kind=must be one of: sms, whatsapp" },
		{ "{\"name\":\"a\",\"kind\":\"SMS\"}",
		  "kind=must be one of: sms, whatsapp" },
		{ "{\"name\":\"a\",\"kind\":null}", "kind=must not be null" },
		{ "{\"name\":\"a\",\"note\":null}", "" },
		{ "{\"name\":\"a\",\"note\":\"x\"}",
		  "note=must be at least 2 characters" },
		/* integers and numbers, including hostile ones */
		{ "{\"name\":\"a\",\"count\":1}", "" },
		{ "{\"name\":\"a\",\"count\":100}", "" },
		{ "{\"name\":\"a\",\"count\":1e2}", "" },
		{ "{\"name\":\"a\",\"count\":0}",
		  "count=must be between 1 and 100" },
		{ "{\"name\":\"a\",\"count\":101}",
		  "count=must be between 1 and 100" },
		{ "{\"name\":\"a\",\"count\":-5}",
		  "count=must be between 1 and 100" },
		{ "{\"name\":\"a\",\"count\":1.5}",
		  "count=must be an integer" },
		{ "{\"name\":\"a\",\"count\":\"5\"}",
		  "count=must be an integer" },
		{ "{\"name\":\"a\",\"count\":true}",
		  "count=must be an integer" },
		{ "{\"name\":\"a\",\"count\":1e999}",
		  "count=must be an integer" },
		{ "{\"name\":\"a\",\"count\":-1e999}",
		  "count=must be an integer" },
		{ "{\"name\":\"a\",\"big\":9007199254740991}", "" },
		{ "{\"name\":\"a\",\"big\":-9007199254740991}", "" },
		{ "{\"name\":\"a\",\"big\":0}", "" },
		{ "{\"name\":\"a\",\"big\":9007199254740992}",
		  "big=must be an integer" },
		{ "{\"name\":\"a\",\"big\":9007199254740993}",
		  "big=must be an integer" },
		{ "{\"name\":\"a\",\"big\":-9007199254740993}",
		  "big=must be an integer" },
		{ "{\"name\":\"a\",\"big\":1e308}", "big=must be an integer" },
		{ "{\"name\":\"a\",\"ratio\":1e308}", "" },
		{ "{\"name\":\"a\",\"ratio\":-0.5}", "" },
		{ "{\"name\":\"a\",\"ratio\":1e999}",
		  "ratio=must be a number" },
		{ "{\"name\":\"a\",\"ratio\":-1e999}",
		  "ratio=must be a number" },
		{ "{\"name\":\"a\",\"ratio\":\"1\"}",
		  "ratio=must be a number" },
		{ "{\"name\":\"a\",\"temp\":10.5}", "" },
		{ "{\"name\":\"a\",\"temp\":10.6}",
		  "temp=must be between -10.5 and 10.5" },
		{ "{\"name\":\"a\",\"flag\":false}", "" },
		{ "{\"name\":\"a\",\"flag\":\"true\"}",
		  "flag=must be a boolean" },
		{ "{\"name\":\"a\",\"flag\":1}", "flag=must be a boolean" },
		/* nested objects: dotted paths */
		{ "{\"name\":\"a\",\"contact\":{\"phone\":\"+14155550100\"}}",
		  "" },
		{ "{\"name\":\"a\",\"contact\":{\"phone\":\"+14155550100\","
		  "\"email\":\"bad\"}}",
		  "contact.email=must be a valid email address" },
		{ "{\"name\":\"a\",\"contact\":{\"phone\":\"12\"}}",
		  "contact.phone=is invalid" },
		{ "{\"name\":\"a\",\"contact\":{}}",
		  "contact.phone=is required" },
		{ "{\"name\":\"a\",\"contact\":\"x\"}",
		  "contact=must be an object" },
		{ "{\"name\":\"a\",\"contact\":[]}",
		  "contact=must be an object" },
		/* arrays: item types, limits, "field[3].id" paths */
		{ "{\"name\":\"a\",\"tags\":[\"a\",\"bcd\",\"efgh\"]}", "" },
		{ "{\"name\":\"a\",\"tags\":[]}",
		  "tags=must have at least 1 items" },
		{ "{\"name\":\"a\",\"tags\":[\"a\",\"b\",\"c\",\"d\"]}",
		  "tags=must have at most 3 items" },
		{ "{\"name\":\"a\",\"tags\":[\"abcde\"]}",
		  "tags[0]=must be at most 4 characters" },
		{ "{\"name\":\"a\",\"tags\":[\"ok\",5,null]}",
		  "tags[1]=must be a string|tags[2]=must be a string" },
		{ "{\"name\":\"a\",\"tags\":{\"0\":\"a\"}}",
		  "tags=must be an array" },
		{ "{\"name\":\"a\",\"channels\":[\"sms\",\"fax\"]}",
		  "channels[1]=must be one of: sms, whatsapp" },
		{ "{\"name\":\"a\",\"items\":[{\"id\":\"a\"},{\"id\":\"b\"},"
		  "{\"id\":\"c\"},{}]}", "items[3].id=is required" },
		{ "{\"name\":\"a\",\"items\":[{\"id\":\"a\",\"qty\":10}]}",
		  "items[0].qty=must be between 1 and 9" },
		{ "{\"name\":\"a\",\"items\":[7]}",
		  "items[0]=must be an object" },
		{ "{\"name\":\"a\",\"phones\":[\"+14155550100\",\"12\"]}",
		  "phones[1]=is invalid" },
		{ "{\"name\":\"a\",\"any\":[1,\"x\",null,{},[]]}", "" },
		/* every problem is reported, in table order */
		{ "{\"kind\":\"x\",\"count\":0,\"flag\":null}",
		  "name=is required|kind=must be one of: sms, whatsapp|"
		  "count=must be between 1 and 100|flag=must not be null" },
	};
	struct wa_cfg	 cfg;
	struct wa_req	 r;
	const char	*why;
	cJSON		*obj;
	enum wa_err	 e;
	size_t		 i;

	(void)state;
	t_cfg_init(&cfg);
	for (i = 0; i < NELEM(cases); i++) {
		t_req_init(&r, &cfg);
		obj = wa_json_parse(cases[i].json, strlen(cases[i].json), 32,
		    &why);
		if (obj == NULL)
			fail_msg("case %zu: bad test JSON: %s", i, why);
		e = wa_json_validate(&r, obj, fields, NULL);
		if (strcmp(t_fields(&r), cases[i].want) != 0)
			fail_msg("case %zu %s:\n got  \"%s\"\n want \"%s\"", i,
			    cases[i].json, t_fields(&r), cases[i].want);
		assert_int_equal(e, cases[i].want[0] == '\0' ? WA_OK :
		    WA_ERR_VALIDATION);
		t_req_free(&r);
	}
}

static void
test_validate_prefix_cap_prior(void **state)
{
	struct wa_cfg	 cfg;
	struct wa_req	 r;
	const char	*why, *s;
	cJSON		*obj;
	size_t		 i;

	(void)state;
	t_cfg_init(&cfg);

	/* a prefix names the enclosing object */
	t_req_init(&r, &cfg);
	obj = wa_json_parse("{}", 2, 32, &why);
	assert_int_equal(wa_json_validate(&r, obj, fields, "body"),
	    WA_ERR_VALIDATION);
	assert_string_equal(t_fields(&r), "body.name=is required");
	t_req_free(&r);

	/* 100 bad items stop at WA_ERR_FIELDS_MAX */
	t_req_init(&r, &cfg);
	s = "{\"name\":\"a\",\"tags\":[1";
	for (i = 1; i < 100; i++)
		s = wa_arena_printf(r.arena, "%s,1", s);
	s = wa_arena_printf(r.arena, "%s]}", s);
	obj = wa_json_parse(s, strlen(s), 32, &why);
	assert_non_null(obj);
	assert_int_equal(wa_json_validate(&r, obj, fields, NULL),
	    WA_ERR_VALIDATION);
	assert_int_equal(r.err.nfields, 1);	/* "at most 3 items" */
	t_req_free(&r);
	t_req_init(&r, &cfg);
	s = "{\"name\":\"a\",\"channels\":[1";
	for (i = 1; i < 100; i++)
		s = wa_arena_printf(r.arena, "%s,1", s);
	s = wa_arena_printf(r.arena, "%s]}", s);
	obj = wa_json_parse(s, strlen(s), 32, &why);
	assert_int_equal(wa_json_validate(&r, obj, fields, NULL),
	    WA_ERR_VALIDATION);
	assert_int_equal(r.err.nfields, WA_ERR_FIELDS_MAX);
	assert_string_equal(r.err.fields[WA_ERR_FIELDS_MAX - 1].field,
	    "channels[31]");
	t_req_free(&r);

	/* an earlier non-validation error is kept and returned */
	t_req_init(&r, &cfg);
	wa_fail(&r, WA_ERR_NOT_FOUND, "gone");
	obj = wa_json_parse("{}", 2, 32, &why);
	assert_int_equal(wa_json_validate(&r, obj, fields, NULL),
	    WA_ERR_NOT_FOUND);
	assert_int_equal(r.err.nfields, 0);
	t_req_free(&r);
}

static void
test_accessors(void **state)
{
	static const struct {
		const char	*name;
		const char	*str;	/* wa_json_str */
		int		 boolv;	/* wa_json_bool, default 7 */
		int		 has;
		int		 is_null;
	} cases[] = {
		{ "s", "x", 7, 1, 0 },
		{ "t", NULL, 1, 1, 0 },
		{ "f", NULL, 0, 1, 0 },
		{ "n", NULL, 7, 1, 1 },
		{ "i", NULL, 7, 1, 0 },
		{ "o", NULL, 7, 1, 0 },
		{ "S", NULL, 7, 0, 0 },		/* case-sensitive */
		{ "missing", NULL, 7, 0, 0 },
	};
	struct wa_arena	*a = wa_arena_new(0);
	const char	*why, *got, *s;
	cJSON		*obj;
	size_t		 i;
	char		*out;

	(void)state;
	wa_json_use_arena(a);
	s = "{\"s\":\"x\",\"t\":true,\"f\":false,\"n\":null,\"i\":1,"
	    "\"o\":{}}";
	obj = wa_json_parse(s, strlen(s), 32, &why);
	assert_non_null(obj);
	for (i = 0; i < NELEM(cases); i++) {
		got = wa_json_str(obj, cases[i].name);
		if (cases[i].str == NULL)
			assert_null(got);
		else
			assert_string_equal(got, cases[i].str);
		assert_int_equal(wa_json_bool(obj, cases[i].name, 7),
		    cases[i].boolv);
		assert_int_equal(wa_json_has(obj, cases[i].name),
		    cases[i].has);
		assert_int_equal(wa_json_is_null(obj, cases[i].name),
		    cases[i].is_null);
	}
	obj = cJSON_CreateObject();
	wa_json_add_strn(obj, "a", "v");
	wa_json_add_strn(obj, "b", NULL);
	wa_json_add_strn(obj, "c", "\"q\"\n\xc3\xa9");
	out = wa_json_print(obj);
	assert_string_equal(out, "{\"a\":\"v\",\"b\":null,"
	    "\"c\":\"\\\"q\\\"\\n\xc3\xa9\"}");
	wa_json_use_arena(NULL);
	wa_arena_free(a);
}

static void
test_content_type(void **state)
{
	static const struct {
		const char	*ct;
		int		 ok;
	} cases[] = {
		{ NULL, 1 }, { "", 1 }, { "application/json", 1 },
		{ "Application/JSON", 1 },
		{ "application/json; charset=utf-8", 1 },
		{ " application/json ;charset=UTF-8", 1 },
		{ "application/merge-patch+json", 1 },
		{ "application/problem+json; x=y", 1 },
		{ "text/plain", 0 }, { "application/x-www-form-urlencoded", 0 },
		{ "multipart/form-data; boundary=x", 0 }, { "text/json", 0 },
		{ "application/jsonx", 0 }, { "application/+json", 0 },
		{ "application/a/b+json", 0 }, { "json", 0 },
		/* parameters without a type; blanks alone are no header */
		{ ";alert(123);", 0 }, { " ;charset=utf-8", 0 }, { "  ", 1 },
	};
	size_t	i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++)
		if (wa_json_ctype_ok(cases[i].ct) != cases[i].ok)
			fail_msg("case %zu (%s): want %d", i,
			    cases[i].ct != NULL ? cases[i].ct : "NULL",
			    cases[i].ok);
}

/* A key twice in one object is refused, named with its path; the same
 * key in two objects is fine. */
static void
test_duplicate_keys(void **state)
{
	static const struct {
		const char	*in;
		const char	*why;	/* NULL: accepted */
	} cases[] = {
		{ "{\"a\":1,\"b\":2}", NULL },
		{ "{\"a\":{\"x\":1},\"b\":{\"x\":2}}", NULL },
		{ "[{\"a\":1},{\"a\":2}]", NULL },
		{ "{\"a\":1,\"a\":2}", "duplicate key \"a\"" },
		{ "{\"a\":1,\"b\":2,\"a\":3}", "duplicate key \"a\"" },
		{ "{\"steps\":[{\"id\":\"s\",\"type\":\"m\",\"type\":\"e\"}]}",
		    "duplicate key \"type\" in steps[0]" },
		{ "{\"o\":{\"p\":{\"\u00e9\":1,\"\u00e9\":2}}}",
		    "duplicate key \"\xc3\xa9\" in o.p" },
		{ "{\"\":1,\"\":2}", "duplicate key \"\"" },
		/* every name twice (or more) is named, once, in order */
		{ "{\"steps\":[{\"id\":\"a\",\"type\":\"m\",\"next\":\"b\","
		    "\"type\":\"h\",\"next\":\"n\",\"type\":\"x\"}]}",
		    "duplicate keys \"next\", \"type\" in steps[0]" },
		{ "{\"a\":1,\"a\":1,\"b\":1,\"b\":1,\"c\":1,\"c\":1,\"d\":1,"
		    "\"d\":1,\"e\":1,\"e\":1}",
		    "duplicate keys \"a\", \"b\", \"c\", \"d\" and more" },
	};
	struct wa_arena	*a = wa_arena_new(0);
	const char	*why;
	char		*big, *p;
	size_t		 i, n = 20000;

	(void)state;
	wa_json_use_arena(a);
	for (i = 0; i < NELEM(cases); i++) {
		why = NULL;
		if ((wa_json_parse(cases[i].in, strlen(cases[i].in), 32,
		    &why) == NULL) != (cases[i].why != NULL))
			fail_msg("case %zu: %s", i, why != NULL ? why : "ok");
		if (cases[i].why != NULL)
			assert_string_equal(why, cases[i].why);
	}
	/* 20,000 members, the last two equal: found, and fast */
	big = p = wa_arena_alloc(a, n * 16 + 16);
	*p++ = '{';
	for (i = 0; i < n; i++)
		p += snprintf(p, 16, "%s\"k%zu\":1", i > 0 ? "," : "",
		    i == n - 1 ? n - 2 : i);
	*p++ = '}';
	*p = '\0';
	assert_null(wa_json_parse(big, strlen(big), 32, &why));
	assert_non_null(strstr(why, "duplicate key \"k19998\""));
	wa_json_use_arena(NULL);
	wa_arena_free(a);
}

/* wa_json_pick: only the members a table names, in its order, into
 * sub tables of objects and of arrays of objects. */
static void
test_pick(void **state)
{
	static const struct wa_field slot[] = {
		WA_FIELD_STR("open", 0, 5),
		WA_FIELD_STR("close", 0, 5),
		WA_FIELD_END
	};
	static const struct wa_field hours[] = {
		WA_FIELD_STR("timezone", 0, 64),
		WA_FIELD_ARR_OBJ("slots", 0, 0, 10, slot),
		WA_FIELD_END
	};
	static const struct wa_field top[] = {
		WA_FIELD_STR("name", 0, 10),
		WA_FIELD_OBJ("hours", WA_F_NULLABLE, hours),
		WA_FIELD_ARR("tags", 0, 0, 5),
		WA_FIELD_OBJ("free", 0, NULL),
		WA_FIELD_END
	};
	static const struct {
		const char	*in;
		const char	*out;
	} cases[] = {
		{ "{}", "{}" },
		{ "{\"x\":1,\"name\":\"a\"}", "{\"name\":\"a\"}" },
		/* the table's order, not the input's */
		{ "{\"tags\":[1,{\"y\":2}],\"name\":\"a\"}",
		    "{\"name\":\"a\",\"tags\":[1,{\"y\":2}]}" },
		{ "{\"hours\":null}", "{\"hours\":null}" },
		{ "{\"hours\":{\"evil\":[1],\"timezone\":\"UTC\","
		    "\"slots\":[{\"open\":\"09:00\",\"x\":1},{}]}}",
		    "{\"hours\":{\"timezone\":\"UTC\",\"slots\":"
		    "[{\"open\":\"09:00\"},{}]}}" },
		/* no sub table: kept whole */
		{ "{\"free\":{\"a\":{\"b\":1}}}",
		    "{\"free\":{\"a\":{\"b\":1}}}" },
	};
	struct wa_arena	*a = wa_arena_new(0);
	const char	*why;
	cJSON		*in;
	size_t		 i;

	(void)state;
	wa_json_use_arena(a);
	for (i = 0; i < NELEM(cases); i++) {
		in = wa_json_parse(cases[i].in, strlen(cases[i].in), 32, &why);
		assert_non_null(in);
		assert_string_equal(wa_json_print(wa_json_pick(in, top)),
		    cases[i].out);
	}
	wa_json_use_arena(NULL);
	wa_arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_table),
		cmocka_unit_test(test_parse_depth),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_body),
		cmocka_unit_test(test_validate_table),
		cmocka_unit_test(test_validate_prefix_cap_prior),
		cmocka_unit_test(test_accessors),
		cmocka_unit_test(test_duplicate_keys),
		cmocka_unit_test(test_content_type),
		cmocka_unit_test(test_pick),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
