/* Unit tests for lib/auth.c: key format, presentation, scope rules. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "auth.h"
#include "helpers.h"
#include "utf8.h"

#define P12	"AbCdEf012345"
#define S32	"0123456789abcdefghijABCDEFGHIJkl"

static void
test_parse_table(void **state)
{
	static const struct {
		const char	*in;
		int		 rc;
		int		 test;
	} cases[] = {
		{ "mk_live_" P12 "." S32, 0, 0 },
		{ "mk_test_" P12 "." S32, 0, 1 },
		{ "mk_live_000000000000."
		    "00000000000000000000000000000000", 0, 0 },
		/* wrong lengths */
		{ "mk_live_AbCdEf01234." S32, -1, 0 },		/* prefix 11 */
		{ "mk_live_AbCdEf0123456." S32, -1, 0 },	/* prefix 13 */
		{ "mk_live_" P12 ".0123456789abcdefghijABCDEFGHIJk", -1, 0 },
		{ "mk_live_" P12 ".0123456789abcdefghijABCDEFGHIJklm", -1, 0 },
		{ "mk_live_AbCdEf0123456.0123456789abcdefghijABCDEFGHIJk",
		    -1, 0 },		/* 53 bytes, dot one place late */
		{ "mk_live_" P12, -1, 0 },
		{ "mk_live_", -1, 0 },
		{ "", -1, 0 },
		{ NULL, -1, 0 },
		/* missing or doubled dot */
		{ "mk_live_" P12 "x" S32, -1, 0 },
		{ "mk_live_" P12 S32 "x", -1, 0 },
		{ "mk_live_AbCdEf01234.." S32, -1, 0 },
		/* non-alphanumeric characters */
		{ "mk_live_AbCdEf_12345." S32, -1, 0 },
		{ "mk_live_AbCdEf-12345." S32, -1, 0 },
		{ "mk_live_AbCdEf 12345." S32, -1, 0 },
		{ "mk_live_" P12 ".0123456789abcdefghijABCDEFGHIJ+/", -1, 0 },
		{ "mk_live_" P12 ".0123456789abcdefghijABCDEFGHIJ==", -1, 0 },
		{ "mk_live_" P12 ".0123456789abcdefghijABCDEFGHIJk\n", -1, 0 },
		{ "mk_live_" P12 ".0123456789abcdefghijABCDEFGHIJk\x7f", -1,
		    0 },
		/* unicode: same byte length, not ASCII */
		{ "mk_live_AbCdEf0123\xc3\xa9." S32, -1, 0 },
		{ "mk_live_" P12 ".0123456789abcdefghijABCDEFGHIJ\xc3\xa9", -1,
		    0 },
		{ "mk_live_" P12 ".0123456789abcdefghijABCDEFGHIJk\xff", -1,
		    0 },
		/* other prefixes */
		{ "sk_live_" P12 "." S32, -1, 0 },
		{ "sk_test_" P12 "." S32, -1, 0 },
		{ "MK_LIVE_" P12 "." S32, -1, 0 },
		{ "mk_prod_" P12 "." S32, -1, 0 },
		{ "mk-live_" P12 "." S32, -1, 0 },
		{ " mk_live_" P12 "." S32, -1, 0 },
		{ "mk_live_" P12 "." S32 " ", -1, 0 },
		{ "Bearer mk_live_" P12 "." S32, -1, 0 },
	};
	struct wa_key	k;
	size_t		i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		memset(&k, 0, sizeof(k));
		if (wa_auth_parse(cases[i].in, &k) != cases[i].rc)
			fail_msg("case %zu (%s): want %d", i,
			    cases[i].in != NULL ? cases[i].in : "(null)",
			    cases[i].rc);
		if (cases[i].rc != 0)
			continue;
		assert_int_equal(k.test, cases[i].test);
		assert_int_equal(strlen(k.prefix), WA_KEY_PREFIX_LEN);
		assert_int_equal(strlen(k.secret), WA_KEY_SECRET_LEN);
		assert_memory_equal(k.prefix, cases[i].in + 8,
		    WA_KEY_PREFIX_LEN);
		assert_memory_equal(k.secret, cases[i].in + 21,
		    WA_KEY_SECRET_LEN);
	}
}

static void
test_hash_generate(void **state)
{
	static const int	 modes[] = { 0, 1 };
	struct wa_key		 k, back;
	unsigned char		 h1[WA_SHA256_LEN], h2[WA_SHA256_LEN];
	char			 full[WA_KEY_MAX], other[WA_KEY_MAX];
	size_t			 i;

	(void)state;
	/* the hash is SHA-256 of "prefix.secret" */
	assert_int_equal(wa_auth_parse("mk_live_" P12 "." S32, &k), 0);
	wa_auth_hash(&k, h1);
	wa_crypto_sha256(P12 "." S32, strlen(P12 "." S32), h2);
	assert_memory_equal(h1, h2, WA_SHA256_LEN);

	for (i = 0; i < NELEM(modes); i++) {
		assert_int_equal(wa_auth_generate(modes[i], &k, full,
		    sizeof(full)), 0);
		assert_int_equal(strlen(full), WA_KEY_MAX - 1);
		assert_memory_equal(full, modes[i] ? "mk_test_" : "mk_live_",
		    8);
		assert_int_equal(wa_auth_parse(full, &back), 0);
		assert_int_equal(back.test, modes[i]);
		assert_string_equal(back.prefix, k.prefix);
		assert_string_equal(back.secret, k.secret);
		wa_auth_hash(&k, h1);
		wa_auth_hash(&back, h2);
		assert_memory_equal(h1, h2, WA_SHA256_LEN);
		assert_int_equal(wa_auth_generate(modes[i], &k, other,
		    sizeof(other)), 0);
		assert_string_not_equal(full, other);
	}
	assert_int_equal(wa_auth_generate(0, &k, full, WA_KEY_MAX - 1), -1);
}

static void
test_role_parse(void **state)
{
	static const struct {
		const char	*in;
		int		 want;
	} cases[] = {
		{ "admin", WA_ROLE_ADMIN }, { "member", WA_ROLE_MEMBER },
		{ "Admin", -1 }, { "owner", -1 }, { "public", -1 },
		{ "", -1 }, { NULL, -1 },
	};
	size_t	i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++)
		assert_int_equal(wa_auth_role_parse(cases[i].in),
		    cases[i].want);
}

/* Where the key comes from, and what is refused before any database. */
static void
test_presented(void **state)
{
	static const struct {
		const char	*xkey;	/* X-Api-Key */
		const char	*authz;	/* Authorization */
		const char	*want;	/* wa_auth_presented */
		enum wa_err	 err;	/* wa_auth_presented_key */
	} cases[] = {
		{ "mk_live_" P12 "." S32, NULL, "mk_live_" P12 "." S32, WA_OK },
		{ NULL, "Bearer mk_test_" P12 "." S32, "mk_test_" P12 "." S32,
		    WA_OK },
		{ NULL, "bearer    mk_live_" P12 "." S32,
		    "mk_live_" P12 "." S32, WA_OK },
		{ NULL, "BEARER mk_live_" P12 "." S32, "mk_live_" P12 "." S32,
		    WA_OK },
		/* X-Api-Key wins over Authorization */
		{ "mk_live_" P12 "." S32, "Bearer garbage",
		    "mk_live_" P12 "." S32, WA_OK },
		/* an empty X-Api-Key falls through to Authorization */
		{ "", "Bearer mk_live_" P12 "." S32, "mk_live_" P12 "." S32,
		    WA_OK },
		{ NULL, NULL, NULL, WA_ERR_UNAUTHENTICATED },
		{ "", NULL, NULL, WA_ERR_UNAUTHENTICATED },
		{ NULL, "Bearer ", NULL, WA_ERR_UNAUTHENTICATED },
		{ NULL, "Bearer     ", NULL, WA_ERR_UNAUTHENTICATED },
		{ NULL, "Bearer", NULL, WA_ERR_UNAUTHENTICATED },
		{ NULL, "Basic dXNlcjpwYXNz", NULL, WA_ERR_UNAUTHENTICATED },
		{ NULL, "mk_live_" P12 "." S32, NULL, WA_ERR_UNAUTHENTICATED },
		{ "garbage", NULL, "garbage", WA_ERR_INVALID_KEY },
		{ "sk_live_" P12 "." S32, NULL, "sk_live_" P12 "." S32,
		    WA_ERR_INVALID_KEY },
		{ NULL, "Bearer mk_live_short", "mk_live_short",
		    WA_ERR_INVALID_KEY },
		{ " mk_live_" P12 "." S32, NULL, " mk_live_" P12 "." S32,
		    WA_ERR_INVALID_KEY },
	};
	struct wa_cfg	 cfg;
	struct wa_req	 r;
	struct wa_key	 k;
	char		*env[4];
	const char	*got;
	size_t		 i, n;

	(void)state;
	t_cfg_init(&cfg);
	for (i = 0; i < NELEM(cases); i++) {
		t_req_init(&r, &cfg);
		n = 0;
		env[n++] = "REQUEST_URI=/v3/x";
		if (cases[i].xkey != NULL)
			env[n++] = wa_arena_printf(r.arena, "HTTP_X_API_KEY=%s",
			    cases[i].xkey);
		if (cases[i].authz != NULL)
			env[n++] = wa_arena_printf(r.arena,
			    "HTTP_AUTHORIZATION=%s", cases[i].authz);
		env[n] = NULL;
		assert_int_equal(t_req_parse(&r, env, NULL, 0), WA_OK);
		got = wa_auth_presented(&r);
		if (cases[i].want == NULL)
			assert_null(got);
		else
			assert_string_equal(got, cases[i].want);
		if (wa_auth_presented_key(&r, &k) != cases[i].err)
			fail_msg("case %zu: want err %d", i, cases[i].err);
		assert_int_equal(r.err.code, cases[i].err);
		if (cases[i].err == WA_OK)
			assert_string_equal(r.auth.key_prefix, P12);
		else
			assert_string_equal(r.auth.key_prefix, "");
		assert_int_equal(r.auth.ok, 0);
		t_req_free(&r);
	}
}

/* Scope rules that need no database, and the one that does with none. */
static void
test_scope(void **state)
{
	static const struct {
		enum wa_face	 face;
		const char	*org;		/* the key's */
		const char	*key_profile;	/* "" = org key */
		const char	*param_org;	/* {orgId}, NULL: none */
		const char	*xprofile;	/* header, NULL: none */
		enum wa_err	 want;
		const char	*profile;	/* effective, when WA_OK */
	} cases[] = {
		{ WA_FACE_LATE, "11111111-1111-4111-8111-111111111111", "",
		    "22222222-2222-4222-8222-222222222222", NULL, WA_OK, "" },
		{ WA_FACE_MOSEND, "11111111-1111-4111-8111-111111111111", "",
		    NULL, NULL, WA_OK, "" },
		{ WA_FACE_MOSEND, "11111111-1111-4111-8111-111111111111", "",
		    "11111111-1111-4111-8111-111111111111", NULL, WA_OK, "" },
		{ WA_FACE_MOSEND, "aaaaaaaa-1111-4111-8111-111111111111", "",
		    "AAAAAAAA-1111-4111-8111-111111111111", NULL, WA_OK, "" },
		{ WA_FACE_MOSEND, "11111111-1111-4111-8111-111111111111", "",
		    "22222222-2222-4222-8222-222222222222", NULL,
		    WA_ERR_FORBIDDEN, NULL },
		{ WA_FACE_MOSEND, "11111111-1111-4111-8111-111111111111", "",
		    "", NULL, WA_ERR_FORBIDDEN, NULL },
		{ WA_FACE_SENT, "11111111-1111-4111-8111-111111111111", "",
		    NULL, NULL, WA_OK, "" },
		{ WA_FACE_SENT, "11111111-1111-4111-8111-111111111111", "",
		    NULL, "", WA_OK, "" },
		{ WA_FACE_SENT, "11111111-1111-4111-8111-111111111111", "",
		    NULL, "not-a-uuid", WA_ERR_FORBIDDEN, NULL },
		{ WA_FACE_SENT, "11111111-1111-4111-8111-111111111111", "",
		    NULL, "33333333-3333-4333-8333-33333333333' OR 1=1",
		    WA_ERR_FORBIDDEN, NULL },
		/* a profile key may name its own profile, no other */
		{ WA_FACE_SENT, "11111111-1111-4111-8111-111111111111",
		    "33333333-3333-4333-8333-333333333333", NULL,
		    "33333333-3333-4333-8333-333333333333", WA_OK,
		    "33333333-3333-4333-8333-333333333333" },
		{ WA_FACE_SENT, "11111111-1111-4111-8111-111111111111",
		    "33333333-3333-4333-8333-333333333333", NULL,
		    "44444444-4444-4444-8444-444444444444", WA_ERR_FORBIDDEN,
		    NULL },
		/* an org key naming a profile must ask the database: with
		 * none, a 500 and no crash */
		{ WA_FACE_SENT, "11111111-1111-4111-8111-111111111111", "",
		    NULL, "44444444-4444-4444-8444-444444444444",
		    WA_ERR_INTERNAL, NULL },
	};
	struct wa_cfg	 cfg;
	struct wa_req	 r;
	char		*env[3];
	size_t		 i, n;

	(void)state;
	t_cfg_init(&cfg);
	for (i = 0; i < NELEM(cases); i++) {
		t_req_init(&r, &cfg);
		n = 0;
		env[n++] = "REQUEST_URI=/x";
		if (cases[i].xprofile != NULL)
			env[n++] = wa_arena_printf(r.arena,
			    "HTTP_X_PROFILE_ID=%s", cases[i].xprofile);
		env[n] = NULL;
		assert_int_equal(t_req_parse(&r, env, NULL, 0), WA_OK);
		r.face = cases[i].face;
		r.auth.ok = 1;
		snprintf(r.auth.org_id, sizeof(r.auth.org_id), "%s",
		    cases[i].org);
		snprintf(r.auth.key_profile_id, sizeof(r.auth.key_profile_id),
		    "%s", cases[i].key_profile);
		snprintf(r.auth.profile_id, sizeof(r.auth.profile_id), "%s",
		    cases[i].key_profile);
		if (cases[i].param_org != NULL) {
			r.params[0].key = "orgId";
			r.params[0].val = cases[i].param_org;
			r.nparams = 1;
		}
		if (wa_auth_scope(&r) != cases[i].want)
			fail_msg("case %zu: want %d, got %d (%s)", i,
			    cases[i].want, r.err.code, r.err.message);
		if (cases[i].want == WA_OK)
			assert_string_equal(r.auth.profile_id,
			    cases[i].profile);
		t_req_free(&r);
	}
}

/* The 403 of a foreign {orgId} quotes at most 64 bytes of it, cut
 * before a character that would not fit whole. */
static void
test_scope_quotes_whole_characters(void **state)
{
	struct wa_cfg	 cfg;
	struct wa_req	 r;
	char		*env[2] = { "REQUEST_URI=/x", NULL };
	char		 org[80];
	const char	*m;

	(void)state;
	t_cfg_init(&cfg);
	t_req_init(&r, &cfg);
	assert_int_equal(t_req_parse(&r, env, NULL, 0), WA_OK);
	/* 63 bytes of 'a', then U+00E9 in bytes 64 and 65 */
	memset(org, 'a', 63);
	memcpy(org + 63, "\xc3\xa9zz", 5);
	r.face = WA_FACE_MOSEND;
	r.auth.ok = 1;
	snprintf(r.auth.org_id, sizeof(r.auth.org_id), "%s",
	    "11111111-1111-4111-8111-111111111111");
	r.params[0].key = "orgId";
	r.params[0].val = org;
	r.nparams = 1;
	assert_int_equal(wa_auth_scope(&r), WA_ERR_FORBIDDEN);
	m = r.err.message;
	assert_true(wa_utf8_valid(m, strlen(m)));
	assert_int_equal(strlen(m), strlen("This API key does not belong to "
	    "organization ") + 63);
	t_req_free(&r);
}

/* wa_auth_check needs the database: without one it fails cleanly. */
static void
test_check_without_db(void **state)
{
	struct wa_cfg	cfg;
	struct wa_req	r;
	struct wa_key	k;

	(void)state;
	t_cfg_init(&cfg);
	t_req_init(&r, &cfg);
	assert_int_equal(wa_auth_parse("mk_live_" P12 "." S32, &k), 0);
	assert_int_equal(wa_auth_check(&r, &k), WA_ERR_INTERNAL);
	assert_int_equal(r.auth.ok, 0);
	assert_string_equal(r.auth.org_id, "");
	t_req_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_table),
		cmocka_unit_test(test_hash_generate),
		cmocka_unit_test(test_role_parse),
		cmocka_unit_test(test_presented),
		cmocka_unit_test(test_scope),
		cmocka_unit_test(test_scope_quotes_whole_characters),
		cmocka_unit_test(test_check_without_db),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
