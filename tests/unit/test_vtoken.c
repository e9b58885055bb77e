/* Unit tests for lib/vtoken.c: the web chat's visitor tokens. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jwt.h>

#include "helpers.h"
#include "vtoken.h"

#define ORG	"0193c1e2-0000-7000-8000-000000000001"
#define CHN	"0193c1e2-0000-7000-8000-000000000002"
#define VIS	"0193c1e2-0000-7000-8000-000000000003"
#define NOW	1796000000

static void
cfg_key(struct wa_cfg *cfg)
{
	t_cfg_init(cfg);
	memset(cfg->secret_key, 0x42, sizeof(cfg->secret_key));
	cfg->have_secret_key = 1;
}

static const char *
issue(struct wa_req *r, int64_t iat, int64_t exp)
{
	struct wa_vtoken	 t;
	const char		*out;

	memset(&t, 0, sizeof(t));
	snprintf(t.org_id, sizeof(t.org_id), "%s", ORG);
	snprintf(t.channel_id, sizeof(t.channel_id), "%s", CHN);
	snprintf(t.visitor_id, sizeof(t.visitor_id), "%s", VIS);
	t.iat = iat;
	t.exp = exp;
	assert_int_equal(wa_vtoken_issue(r, &t, &out), WA_OK);
	return out;
}

/* A token made here with libjwt: alg, key, and which claims. */
static const char *
craft(struct wa_req *r, jwt_alg_t alg, const unsigned char *key, int keylen,
    const char *skip, const char *iss)
{
	static const char *const names[] = { "org", "chn", "sub" };
	static const char *const vals[] = { ORG, CHN, VIS };
	jwt_t		*jwt;
	char		*s;
	const char	*out;
	size_t		 i;

	assert_int_equal(jwt_new(&jwt), 0);
	jwt_add_grant(jwt, "iss", iss);
	jwt_add_grant(jwt, "aud", "web-chat");
	for (i = 0; i < NELEM(names); i++)
		if (skip == NULL || strcmp(skip, names[i]) != 0)
			jwt_add_grant(jwt, names[i], vals[i]);
	jwt_add_grant_int(jwt, "iat", NOW);
	if (skip == NULL || strcmp(skip, "exp") != 0)
		jwt_add_grant_int(jwt, "exp", NOW + 600);
	assert_int_equal(jwt_set_alg(jwt, alg, key, keylen), 0);
	s = jwt_encode_str(jwt);
	assert_non_null(s);
	out = wa_arena_strdup(r->arena, s);
	free(s);
	jwt_free(jwt);
	return out;
}

static void
test_round_trip(void **state)
{
	struct wa_cfg		 cfg;
	struct wa_req		 r;
	struct wa_vtoken	 t;
	unsigned char		 key[32];
	const char		*tok;

	(void)state;
	cfg_key(&cfg);
	t_req_init(&r, &cfg);
	wa_vtoken_key(cfg.secret_key, key);
	tok = issue(&r, NOW, NOW + WA_VTOKEN_TTL_S);
	assert_int_equal(wa_vtoken_check(key, tok, NOW + 10, &t), 0);
	assert_string_equal(t.org_id, ORG);
	assert_string_equal(t.channel_id, CHN);
	assert_string_equal(t.visitor_id, VIS);
	assert_int_equal(t.iat, NOW);
	assert_int_equal(t.exp, NOW + WA_VTOKEN_TTL_S);
	/* the times: expired at exp, not before iat (a minute of skew) */
	assert_int_equal(wa_vtoken_check(key, tok, NOW + WA_VTOKEN_TTL_S, &t),
	    -1);
	assert_string_equal(t.visitor_id, "");
	assert_int_equal(wa_vtoken_check(key, tok, NOW - 60, &t), 0);
	assert_int_equal(wa_vtoken_check(key, tok, NOW - 61, &t), -1);
	t_req_free(&r);
}

/* Everything that is not a token of ours, signed by us, is refused. */
static void
test_refused(void **state)
{
	struct wa_cfg		 cfg;
	struct wa_req		 r;
	struct wa_vtoken	 t;
	unsigned char		 key[32], other[32];
	const char		*tok, *bad[16];
	char			*flip;
	size_t			 i, n = 0, k;

	(void)state;
	cfg_key(&cfg);
	t_req_init(&r, &cfg);
	wa_vtoken_key(cfg.secret_key, key);
	memset(other, 7, sizeof(other));
	tok = issue(&r, NOW, NOW + 600);
	/* a byte of the payload changed */
	flip = wa_arena_strdup(r.arena, tok);
	k = (size_t)(strchr(flip, '.') - flip) + 5;
	flip[k] = flip[k] == 'A' ? 'B' : 'A';
	bad[n++] = flip;
	/* the signature cut */
	bad[n++] = wa_arena_printf(r.arena, "%.*s.",
	    (int)(strrchr(tok, '.') - tok), tok);
	/* alg none, HS512 under the same key, another key */
	bad[n++] = craft(&r, JWT_ALG_NONE, NULL, 0, NULL, "wagate");
	bad[n++] = craft(&r, JWT_ALG_HS512, key, 32, NULL, "wagate");
	bad[n++] = craft(&r, JWT_ALG_HS256, other, 32, NULL, "wagate");
	/* well signed, but a claim missing or wrong */
	bad[n++] = craft(&r, JWT_ALG_HS256, key, 32, "chn", "wagate");
	bad[n++] = craft(&r, JWT_ALG_HS256, key, 32, "sub", "wagate");
	bad[n++] = craft(&r, JWT_ALG_HS256, key, 32, "exp", "wagate");
	bad[n++] = craft(&r, JWT_ALG_HS256, key, 32, NULL, "someone");
	bad[n++] = "";
	bad[n++] = "a.b.c";
	bad[n++] = "not a token";
	bad[n++] = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.";
	bad[n++] = wa_arena_printf(r.arena, "%s%0*d", tok,
	    WA_VTOKEN_MAX, 0);
	/* the same token is good with the right key */
	assert_int_equal(wa_vtoken_check(key, craft(&r, JWT_ALG_HS256, key,
	    32, NULL, "wagate"), NOW, &t), 0);
	for (i = 0; i < n; i++)
		if (wa_vtoken_check(key, bad[i], NOW, &t) != -1)
			fail_msg("token %zu was accepted: %s", i, bad[i]);
	assert_int_equal(wa_vtoken_check(key, NULL, NOW, &t), -1);
	t_req_free(&r);
}

static void
test_no_key(void **state)
{
	struct wa_cfg		 cfg;
	struct wa_req		 r;
	struct wa_vtoken	 t;
	const char		*out;

	(void)state;
	t_cfg_init(&cfg);
	t_req_init(&r, &cfg);
	memset(&t, 0, sizeof(t));
	assert_int_equal(wa_vtoken_issue(&r, &t, &out), WA_ERR_UNAVAILABLE);
	assert_null(out);
	t_req_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_no_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
