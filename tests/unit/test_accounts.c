/*
 * Unit tests for lib/accounts.c: Meta ids, and the checks that come
 * before the insert (secret key configured, token size and bytes).
 * The proof at Meta is tested against the simulator
 * (test_graph_sim.c, test_account_prove).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "accounts.h"
#include "crypto.h"
#include "helpers.h"
#include "valid.h"

static void
test_valid_meta_id(void **state)
{
	static char	max[66], over[66];
	static const struct {
		const char	*in;
		int		 want;
	} cases[] = {
		{ "1234567890", 1 }, { "106540352242922", 1 },
		{ "a", 1 }, { "A_b-C", 1 },
		{ "", 0 }, { NULL, 0 },
		{ "12 34", 0 }, { "12.34", 0 }, { "12/34", 0 },
		{ "../etc", 0 }, { "12%2F", 0 }, { "id?x=1", 0 },
		{ "caf\xc3\xa9", 0 }, { "\xff", 0 }, { "12\n", 0 },
		{ max, 1 }, { over, 0 },
	};
	size_t	i;

	(void)state;
	memset(max, '7', 64);
	memset(over, '7', 65);
	for (i = 0; i < NELEM(cases); i++)
		if (wa_account_valid_meta_id(cases[i].in) != cases[i].want)
			fail_msg("case %zu (%s): want %d", i,
			    cases[i].in != NULL ? cases[i].in : "(null)",
			    cases[i].want);
}

static void
test_create_checks(void **state)
{
	static const struct {
		int		 have_cfg;
		int		 have_key;
		size_t		 token_len;
		enum wa_err	 want;
		int		 retry_after;
	} cases[] = {
		{ 0, 0, 10, WA_ERR_UNAVAILABLE, 0 },	/* no cfg at all */
		{ 1, 0, 10, WA_ERR_UNAVAILABLE, 0 },	/* no WA_SECRET_KEY */
		{ 1, 1, 0, WA_ERR_VALIDATION, 0 },	/* empty token */
		{ 1, 1, 4097, WA_ERR_VALIDATION, 0 },	/* token too long */
		/* sealed, then the insert has no database */
		{ 1, 1, 1, WA_ERR_INTERNAL, 0 },
		{ 1, 1, 4096, WA_ERR_INTERNAL, 0 },
	};
	struct wa_cfg		 cfg;
	struct wa_req		 r;
	struct wa_account_new	 a;
	char			 id[WA_UUID_LEN];
	char			*tok;
	size_t			 i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		t_cfg_init(&cfg);
		if (cases[i].have_key) {
			memset(cfg.secret_key, 0x42, sizeof(cfg.secret_key));
			cfg.have_secret_key = 1;
		}
		t_req_init(&r, cases[i].have_cfg ? &cfg : NULL);
		tok = wa_arena_alloc(r.arena, cases[i].token_len + 1);
		memset(tok, 't', cases[i].token_len);
		tok[cases[i].token_len] = '\0';
		memset(&a, 0, sizeof(a));
		a.org_id = "11111111-1111-4111-8111-111111111111";
		a.waba_id = "123";
		a.phone_number_id = "456";
		a.display_phone_number = "+14155550100";
		a.access_token = tok;
		memset(id, 0, sizeof(id));
		if (wa_account_create(&r, &a, id) != cases[i].want)
			fail_msg("case %zu: want %d, got %d (%s)", i,
			    cases[i].want, r.err.code, r.err.message);
		assert_int_equal(r.err.retry_after, cases[i].retry_after);
		if (cases[i].want == WA_ERR_UNAVAILABLE)
			assert_non_null(strstr(r.err.log_detail,
			    "WA_SECRET_KEY"));
		if (cases[i].want == WA_ERR_VALIDATION)
			assert_string_equal(r.err.fields[0].field,
			    "access_token");
		if (cases[i].want == WA_ERR_INTERNAL)
			assert_true(wa_valid_uuid(id));
		/* the token never reaches a message */
		if (cases[i].token_len >= 8)
			assert_null(strstr(r.err.message, tok));
		t_req_free(&r);
	}
}

/* A token travels in an HTTP header: a byte that could split or bend
 * the header is refused before anything is sealed or sent. */
static void
test_token_bytes(void **state)
{
	static const struct {
		const char	*token;
		enum wa_err	 want;
	} cases[] = {
		/* accepted; then there is no database */
		{ "EAAG-abc_123.xyz|9", WA_ERR_INTERNAL },
		{ "two words", WA_ERR_VALIDATION },
		{ "line\r\nX-Injected: 1", WA_ERR_VALIDATION },
		{ "tab\t", WA_ERR_VALIDATION },
		{ "caf\xc3\xa9", WA_ERR_VALIDATION },
		{ "del\x7f", WA_ERR_VALIDATION },
	};
	struct wa_cfg		 cfg;
	struct wa_req		 r;
	struct wa_account_new	 a;
	char			 id[WA_UUID_LEN];
	size_t			 i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		t_cfg_init(&cfg);
		memset(cfg.secret_key, 0x42, sizeof(cfg.secret_key));
		cfg.have_secret_key = 1;
		t_req_init(&r, &cfg);
		memset(&a, 0, sizeof(a));
		a.org_id = "11111111-1111-4111-8111-111111111111";
		a.waba_id = "123";
		a.phone_number_id = "456";
		a.access_token = cases[i].token;
		if (wa_account_create(&r, &a, id) != cases[i].want)
			fail_msg("case %zu: want %d, got %d (%s)", i,
			    cases[i].want, r.err.code, r.err.message);
		if (cases[i].want == WA_ERR_VALIDATION)
			assert_string_equal(r.err.fields[0].field,
			    "access_token");
		t_req_free(&r);
	}
}

/* A token sealed for one account opens for it, and for no other id,
 * key or tampered byte. */
static void
test_token_open(void **state)
{
	static const char	*token = "EAAG-meta-access-token";
	static const struct {
		const char	*sealed_for;	/* AAD account id */
		const char	*opened_as;	/* account id at open */
		int		 key_byte;	/* key at open */
		int		 flip;		/* byte to tamper, -1 none */
		enum wa_err	 want;
	} cases[] = {
		{ "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa",
		    "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa", 0x42, -1, WA_OK },
		{ "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa",
		    "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb", 0x42, -1,
		    WA_ERR_INTERNAL },
		{ "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa",
		    "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa", 0x43, -1,
		    WA_ERR_INTERNAL },
		{ "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa",
		    "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa", 0x42, 20,
		    WA_ERR_INTERNAL },
	};
	struct wa_cfg		 cfg;
	struct wa_req		 r;
	struct wa_account	 a;
	unsigned char		 key[32], sealed[128];
	char			 aad[64];
	const char		*got;
	size_t			 i, n;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		memset(key, 0x42, sizeof(key));
		snprintf(aad, sizeof(aad), "wa_accounts.access_token:%s",
		    cases[i].sealed_for);
		assert_int_equal(wa_crypto_seal(key, aad, strlen(aad), token,
		    strlen(token), sealed, &n), 0);
		if (cases[i].flip >= 0)
			sealed[cases[i].flip] ^= 1;
		t_cfg_init(&cfg);
		memset(cfg.secret_key, cases[i].key_byte,
		    sizeof(cfg.secret_key));
		cfg.have_secret_key = 1;
		t_req_init(&r, &cfg);
		memset(&a, 0, sizeof(a));
		snprintf(a.id, sizeof(a.id), "%s", cases[i].opened_as);
		a.token_sealed = sealed;
		a.token_sealed_len = n;
		if (wa_account_token(&r, &a, &got) != cases[i].want)
			fail_msg("case %zu: got %d", i, r.err.code);
		if (cases[i].want == WA_OK)
			assert_string_equal(got, token);
		else {
			assert_null(got);
			assert_null(strstr(r.err.message, token));
		}
		t_req_free(&r);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_meta_id),
		cmocka_unit_test(test_create_checks),
		cmocka_unit_test(test_token_bytes),
		cmocka_unit_test(test_token_open),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
