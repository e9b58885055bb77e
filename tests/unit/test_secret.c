/* Unit tests for lib/secret.c: values sealed under WA_SECRET_KEY. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "helpers.h"
#include "secret.h"

static void
key_init(struct wa_cfg *cfg, unsigned char fill)
{
	t_cfg_init(cfg);
	memset(cfg->secret_key, fill, sizeof(cfg->secret_key));
	cfg->have_secret_key = 1;
}

/* A value opens with its key and aad only; the hex is not the value. */
static void
test_round_trip(void **state)
{
	static const char *const values[] = { "", "x",
	    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
	    "EAAG\xc3\xa9 token with spaces" };
	struct wa_cfg	 cfg, other;
	struct wa_req	 r;
	const char	*hex, *hex2, *plain;
	char		 kept[512];
	size_t		 i;

	(void)state;
	key_init(&cfg, 0x11);
	key_init(&other, 0x22);
	for (i = 0; i < NELEM(values); i++) {
		t_req_init(&r, &cfg);
		assert_int_equal(wa_secret_seal(&r, "t.c:1", values[i], &hex),
		    WA_OK);
		assert_int_equal(strlen(hex), 2 * (strlen(values[i]) + 29));
		if (values[i][0] != '\0')
			assert_null(strstr(hex, values[i]));
		/* a fresh nonce each time */
		assert_int_equal(wa_secret_seal(&r, "t.c:1", values[i],
		    &hex2), WA_OK);
		assert_string_not_equal(hex, hex2);
		assert_int_equal(wa_secret_open(&r, "t.c:1", hex, &plain),
		    WA_OK);
		assert_string_equal(plain, values[i]);
		/* another row's aad, another key: 500, nothing opened */
		assert_int_equal(wa_secret_open(&r, "t.c:2", hex, &plain),
		    WA_ERR_INTERNAL);
		assert_null(plain);
		/* (hex dies with the arena) */
		snprintf(kept, sizeof(kept), "%s", hex);
		t_req_free(&r);
		t_req_init(&r, &other);
		assert_int_equal(wa_secret_open(&r, "t.c:1", kept, &plain),
		    WA_ERR_INTERNAL);
		t_req_free(&r);
	}
}

/* Damaged input never opens, and never crashes. */
static void
test_bad_input(void **state)
{
	static const char *const bad[] = { NULL, "", "00", "zz",
	    "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d",
	    "01020304050607080g" };
	struct wa_cfg	 cfg;
	struct wa_req	 r;
	const char	*hex, *plain;
	char		*flip;
	size_t		 i;

	(void)state;
	key_init(&cfg, 0x11);
	for (i = 0; i < NELEM(bad); i++) {
		t_req_init(&r, &cfg);
		assert_int_equal(wa_secret_open(&r, "a", bad[i], &plain),
		    WA_ERR_INTERNAL);
		t_req_free(&r);
	}
	t_req_init(&r, &cfg);
	assert_int_equal(wa_secret_seal(&r, "a", "secret", &hex), WA_OK);
	flip = wa_arena_strdup(r.arena, hex);
	flip[strlen(flip) - 1] = flip[strlen(flip) - 1] == '0' ? '1' : '0';
	wa_req_clear_err(&r);
	assert_int_equal(wa_secret_open(&r, "a", flip, &plain),
	    WA_ERR_INTERNAL);
	t_req_free(&r);
}

/* Without WA_SECRET_KEY: 503, the server cannot keep secrets. */
static void
test_no_key(void **state)
{
	struct wa_cfg	 cfg;
	struct wa_req	 r;
	const char	*hex;

	(void)state;
	t_cfg_init(&cfg);
	t_req_init(&r, &cfg);
	assert_int_equal(wa_secret_seal(&r, "a", "s", &hex),
	    WA_ERR_UNAVAILABLE);
	assert_null(hex);
	assert_string_equal(r.err.message, "Secret storage is not configured "
	    "on this server");
	t_req_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_no_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
