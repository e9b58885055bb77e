/*
 * libFuzzer target: flow definitions.  The bytes are parsed as JSON
 * the way a request body is; an array is compiled as the steps of a
 * flow, an object {"steps": [...], "input": {...}} as steps plus the
 * input of a test-run.  What compiles is run.
 *
 * Properties beyond "no crash, no leak, no hang": a refused definition
 * has at least one error and never more than the cap, every issue has
 * a path and a message, a compiled one lints without errors, and a run
 * ends within its step budget with a known status, a trace entry per
 * step and coverage that never exceeds its totals.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "arena.h"
#include "flow/flow.h"
#include "json.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct wa_arena	*arena;

static const char default_input[] = "{\"messages\": [\"hi\", \"a@b.co\", "
    "\"2\", {\"timeout\": true}, \"x\", \"+34 612 345 678\", "
    "\"2026-01-31\"], \"variables\": {\"n\": 3, \"name\": \"Ana\"}, "
    "\"contact\": {\"name\": \"Ana\", \"plan\": \"pro\"}, "
    "\"mocks\": {\"h\": {\"status\": 200, \"body\": {\"id\": 1}}}}";

static void
check_issues(const struct wa_flow_issue *v, size_t n)
{
	size_t	i;

	if (n > WA_FLOW_ISSUES_MAX)
		__builtin_trap();
	for (i = 0; i < n; i++)
		if (v[i].path == NULL || v[i].msg == NULL ||
		    v[i].msg[0] == '\0')
			__builtin_trap();
}

static void
run(const struct wa_flow *f, const cJSON *input)
{
	struct wa_flow_report	 rep;
	struct wa_flow_run_in	 in;
	struct wa_flow_run_out	 out;
	const cJSON		*c;

	if (wa_flow_run_input(arena, input, "+15550001111", 0, &in,
	    &rep) != 0) {
		if (rep.nerrors == 0)
			__builtin_trap();
		check_issues(rep.errors, rep.nerrors);
		return;
	}
	in.flow = f;
	wa_flow_run(arena, &in, &out);
	if ((unsigned)out.status >= WA_FLOW_ST__MAX ||
	    out.steps_run > WA_FLOW_STEP_BUDGET ||
	    (size_t)cJSON_GetArraySize(out.trace) != out.steps_run ||
	    (out.status == WA_FLOW_ST_ERROR) != (out.error != NULL))
		__builtin_trap();
	c = cJSON_GetObjectItem(out.coverage, "steps");
	if (cJSON_GetObjectItem(c, "hit")->valuedouble > (double)f->nsteps)
		__builtin_trap();
	c = cJSON_GetObjectItem(out.coverage, "exits");
	if (cJSON_GetObjectItem(c, "hit")->valuedouble > (double)f->nexits)
		__builtin_trap();
	(void)wa_json_print(out.trace);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct wa_flow_report	 rep;
	struct wa_flow		*f;
	const char		*why;
	const cJSON		*steps, *input = NULL;
	cJSON			*v;

	if (arena == NULL)
		arena = wa_arena_new(0);
	wa_json_use_arena(arena);
	v = wa_json_parse((const char *)data, len, WA_JSON_DEPTH_MAX, &why);
	if (v == NULL)
		goto out;
	steps = v;
	if (cJSON_IsObject(v)) {
		steps = cJSON_GetObjectItemCaseSensitive(v, "steps");
		input = cJSON_GetObjectItemCaseSensitive(v, "input");
	}
	f = wa_flow_compile(arena, steps, "steps", &rep);
	check_issues(rep.errors, rep.nerrors);
	check_issues(rep.lint, rep.nlint);
	if (f == NULL) {
		if (rep.nerrors == 0 || rep.nlint != 0)
			__builtin_trap();
		goto out;
	}
	if (rep.nerrors != 0)
		__builtin_trap();
	if (!cJSON_IsObject(input))
		input = cJSON_Parse(default_input);
	run(f, input);
out:
	wa_arena_reset(arena);
	return 0;
}
