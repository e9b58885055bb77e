/*
 * libFuzzer target: the little languages of flow definitions.  The
 * same bytes (as a NUL-terminated string) are parsed as an expression
 * and evaluated, parsed as a template and rendered in both modes, and
 * compiled as a pattern and searched for in a fixed text and in
 * themselves.
 *
 * Properties beyond "no crash, no leak, no hang": a refusal always has
 * a reason and a success none, evaluation yields a value or a reason,
 * a number result stays within +-2^53, a rendered template respects its
 * length cap, and a search ends within its fuel.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "arena.h"
#include "flow/expr.h"
#include "flow/re.h"
#include "flow/tmpl.h"
#include "flow/vars.h"
#include "json.h"
#include "utf8.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct wa_arena	*arena;

static const char vars_json[] = "{\"flow\": {\"n\": 3, \"x\": 2.5, "
    "\"big\": 9007199254740991, \"s\": \"abc\", \"num\": \"42\", "
    "\"t\": true, \"z\": 0, \"nil\": null, \"o\": {\"a\": [1, {\"b\": "
    "\"c\"}]}}, \"contact\": {\"name\": \"Ana\"}, \"system\": "
    "{\"now\": \"2026-05-01T09:00:00.000Z\", \"channel\": \"whatsapp\"}}";

static const char subject[] = "Hola, soy Ana: ana@example.com, "
    "+34 612 345 678, 2026-05-01 \xe2\x82\xac 42";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct wa_flow_expr	*e;
	struct wa_flow_tmpl	*t;
	struct wa_flow_re	*re;
	const char		*why, *out;
	unsigned long		 fuel;
	cJSON			*vars, *res;
	char			*s;
	int			 trunc, m;

	if (len > 4096)
		return 0;
	if (arena == NULL)
		arena = wa_arena_new(0);
	wa_json_use_arena(arena);
	s = wa_arena_strndup(arena, (const char *)data, len);
	vars = cJSON_Parse(vars_json);

	e = wa_flow_expr_parse(arena, s, &why);
	if ((e == NULL) == (why == NULL))
		__builtin_trap();
	if (e != NULL) {
		res = wa_flow_expr_eval(arena, e, vars, &why);
		if ((res == NULL) == (why == NULL))
			__builtin_trap();
		if (res != NULL && cJSON_IsNumber(res) &&
		    (!isfinite(res->valuedouble) ||
		    fabs(res->valuedouble) > WA_FLOW_NUM_MAX))
			__builtin_trap();
		if (res != NULL && cJSON_IsString(res) &&
		    wa_utf8_count(res->valuestring, strlen(res->valuestring)) >
		    WA_FLOW_STR_MAX)
			__builtin_trap();
	}

	t = wa_flow_tmpl_parse(arena, s, &why);
	if ((t == NULL) == (why == NULL))
		__builtin_trap();
	if (t != NULL) {
		out = wa_flow_tmpl_render(arena, t, vars, WA_FLOW_TMPL_TEXT,
		    100, &trunc);
		if (wa_utf8_count(out, strlen(out)) > 100)
			__builtin_trap();
		(void)wa_flow_tmpl_render(arena, t, vars, WA_FLOW_TMPL_URL,
		    4096, &trunc);
	}

	re = wa_flow_re_compile(arena, s, len > 0 && data[0] & 1, &why);
	if ((re == NULL) == (why == NULL))
		__builtin_trap();
	if (re != NULL) {
		fuel = 1000000;
		m = wa_flow_re_search(re, subject, strlen(subject), &fuel);
		if (m < -1 || m > 1 || (m == -1 && fuel != 0))
			__builtin_trap();
		fuel = 1000000;
		(void)wa_flow_re_search(re, s, strlen(s), &fuel);
	}
	wa_arena_reset(arena);
	return 0;
}
