/* Unit tests for lib/flow_tmpl.c: {{variable|default}} templates. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "helpers.h"
#include "flow_helpers.h"
#include "flow/tmpl.h"
#include "flow/vars.h"

static void
test_render_table(void **state)
{
	static const struct {
		const char	*t;
		int		 mode;
		size_t		 max;
		const char	*want;
		int		 trunc;
	} cases[] = {
		{ "plain text", 0, 4096, "plain text", 0 },
		{ "", 0, 4096, "", 0 },
		{ "Hi {{contact.name}}!", 0, 4096, "Hi Ana!", 0 },
		{ "Hi {{ contact.name }}!", 0, 4096, "Hi Ana!", 0 },
		{ "{{name}}", 0, 4096, "Bob", 0 },	/* flow.name */
		{ "{{flow.missing}}", 0, 4096, "", 0 },
		{ "Hi {{flow.missing|friend}}", 0, 4096, "Hi friend", 0 },
		{ "Hi {{flow.missing | my friend }}", 0, 4096,
		    "Hi my friend", 0 },
		{ "{{flow.missing|\"  spaced  \"}}", 0, 4096, "  spaced  ",
		    0 },
		{ "{{flow.missing|'q'}}", 0, 4096, "q", 0 },
		{ "{{flow.missing|}}", 0, 4096, "", 0 },
		{ "{{flow.empty|none}}", 0, 4096, "none", 0 },
		{ "{{flow.nil|none}}", 0, 4096, "none", 0 },
		{ "{{flow.zero|none}}", 0, 4096, "0", 0 },	/* 0 is set */
		{ "{{flow.no|none}}", 0, 4096, "false", 0 },
		{ "{{flow.total}} EUR", 0, 4096, "12.5 EUR", 0 },
		{ "{{flow.count}}", 0, 4096, "3", 0 },
		{ "{{flow.obj}}", 0, 4096, "{\"a\":[1,2]}", 0 },
		{ "{{flow.obj.a.1}}", 0, 4096, "2", 0 },
		{ "{{system.channel}}", 0, 4096, "whatsapp", 0 },
		{ "{{a}}{{b}}", 0, 4096, "", 0 },
		{ "a }} b", 0, 4096, "a }} b", 0 },
		{ "{{contact.name}}{{contact.name}}", 0, 4, "AnaA", 1 },
		{ "\xc3\xa9\xc3\xa9\xc3\xa9", 0, 2, "\xc3\xa9\xc3\xa9", 1 },
		{ "abc", 0, 3, "abc", 0 },
		{ "https://x.test/u?e={{flow.email}}&n={{contact.name}}", 1,
		    4096, "https://x.test/u?e=ana%2Bx%40example.com&n=Ana", 0 },
		{ "https://x.test/{{flow.path}}", 1, 4096,
		    "https://x.test/a%2Fb%20%C3%A9", 0 },
		{ "{{flow.missing|a b}}", 1, 4096, "a%20b", 0 },
	};
	static const char vars[] = "{\"flow\": {\"name\": \"Bob\", "
	    "\"empty\": \"\", \"nil\": null, \"zero\": 0, \"no\": false, "
	    "\"total\": 12.5, \"count\": 3, \"obj\": {\"a\": [1, 2]}, "
	    "\"email\": \"ana+x@example.com\", \"path\": \"a/b \xc3\xa9\"}, "
	    "\"contact\": {\"name\": \"Ana\"}, \"system\": {\"channel\": "
	    "\"whatsapp\"}}";
	cJSON			*v = cJSON_Parse(vars);
	struct wa_flow_tmpl	*t;
	const char		*why, *out;
	size_t			 i;
	int			 trunc;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		t = wa_flow_tmpl_parse(arena, cases[i].t, &why);
		if (t == NULL)
			fail_msg("%s: %s", cases[i].t, why);
		out = wa_flow_tmpl_render(arena, t, v, cases[i].mode ?
		    WA_FLOW_TMPL_URL : WA_FLOW_TMPL_TEXT, cases[i].max,
		    &trunc);
		if (strcmp(out, cases[i].want) != 0 ||
		    trunc != cases[i].trunc)
			fail_msg("case %zu \"%s\": got \"%s\" (%d)", i,
			    cases[i].t, out, trunc);
	}
}

static void
test_parse(void **state)
{
	static const struct {
		const char	*t;
		const char	*err;	/* NULL: accepted */
		size_t		 nvars;
	} cases[] = {
		{ "no placeholders", NULL, 0 },
		{ "{{a}} and {{contact.b|x}}", NULL, 2 },
		{ "{{", "without its }}", 0 },
		{ "Hi {{name", "without its }}", 0 },
		{ "{{}}", "empty", 0 },
		{ "{{ | x}}", "empty", 0 },
		{ "{{a b}}", "variable name", 0 },
		{ "{{flow}}", "variable name", 0 },
		{ "{{system.secret}}", "variable name", 0 },
		{ "{{ {{a}} }}", "variable name", 0 },
		{ "{{a.}}", "variable name", 0 },
		{ "{{1x}}", "variable name", 0 },
	};
	struct wa_flow_tmpl	*t;
	const char		*why;
	size_t			 i;
	char			 many[1024];
	int			 def;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		t = wa_flow_tmpl_parse(arena, cases[i].t, &why);
		if (cases[i].err == NULL) {
			if (t == NULL)
				fail_msg("%s: %s", cases[i].t, why);
			assert_int_equal(wa_flow_tmpl_nvars(t),
			    cases[i].nvars);
			assert_int_equal(wa_flow_tmpl_literal(t),
			    cases[i].nvars == 0);
		} else if (t != NULL || strstr(why, cases[i].err) == NULL)
			fail_msg("%s: %s", cases[i].t, t ? "accepted" : why);
	}
	t = wa_flow_tmpl_parse(arena, "{{a|x}}{{contact.b}}", &why);
	assert_string_equal(wa_flow_tmpl_var(t, 0, &def)->text, "flow.a");
	assert_int_equal(def, 1);
	assert_string_equal(wa_flow_tmpl_var(t, 1, &def)->text, "contact.b");
	assert_int_equal(def, 0);
	/* at most 64 placeholders */
	many[0] = '\0';
	for (i = 0; i < 65; i++)
		strncat(many, "{{a}}", sizeof(many) - strlen(many) - 1);
	assert_null(wa_flow_tmpl_parse(arena, many, &why));
	assert_non_null(strstr(why, "64"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		FLOW_TEST(test_render_table),
		FLOW_TEST(test_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
