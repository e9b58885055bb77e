/*
 * flow_helpers: what the flow engine's unit tests share: one arena per
 * test, which cJSON also allocates from (as the engine requires), and
 * J(), JSON written with ' for " so that definitions stay readable.
 *
 * Include after <cmocka.h> and helpers.h.
 */
#ifndef WA_TEST_FLOW_HELPERS_H
#define WA_TEST_FLOW_HELPERS_H

static struct wa_arena	*arena;

static inline int
flow_setup(void **state)
{
	(void)state;
	arena = wa_arena_new(0);
	wa_json_use_arena(arena);
	return 0;
}

static inline int
flow_teardown(void **state)
{
	(void)state;
	wa_json_use_arena(NULL);
	wa_arena_free(arena);
	return 0;
}

static inline cJSON *
J(const char *s)
{
	char	*c = wa_arena_strdup(arena, s), *p;
	cJSON	*v;

	for (p = c; *p != '\0'; p++)
		if (*p == '\'')
			*p = '"';
	if ((v = cJSON_Parse(c)) == NULL)
		fail_msg("bad test JSON: %s", s);
	return v;
}

#define FLOW_TEST(fn)	cmocka_unit_test_setup_teardown(fn, flow_setup, \
	flow_teardown)

#endif /* WA_TEST_FLOW_HELPERS_H */
