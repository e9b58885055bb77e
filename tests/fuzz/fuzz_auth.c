/*
 * libFuzzer target: API keys as presented (wa_auth_parse, and the
 * header path of wa_auth_presented_key).
 *
 * Properties: an accepted key has the documented shape and prints back
 * to exactly the input; the header path accepts exactly what the parser
 * accepts, and never reaches for the database.
 */
#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "auth.h"
#include "cfg.h"
#include "req.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct wa_arena	*arena;

static int
alnum(const char *s)
{
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) || (unsigned char)*s > 0x7f)
			return 0;
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct wa_cfg	 cfg;
	struct wa_req	 r;
	struct wa_key	 k, k2;
	unsigned char	 h[WA_SHA256_LEN];
	char		 full[WA_KEY_MAX + 8];
	char		*raw, *env[3];
	int		 rc;
	enum wa_err	 e;

	if (arena == NULL)
		arena = wa_arena_new(0);
	raw = wa_arena_strndup(arena, (const char *)data, len);

	rc = wa_auth_parse(raw, &k);
	if (rc == 0) {
		if (strlen(k.prefix) != WA_KEY_PREFIX_LEN ||
		    strlen(k.secret) != WA_KEY_SECRET_LEN ||
		    !alnum(k.prefix) || !alnum(k.secret))
			__builtin_trap();
		snprintf(full, sizeof(full), "mk_%s_%s.%s",
		    k.test ? "test" : "live", k.prefix, k.secret);
		if (strcmp(full, raw) != 0)
			__builtin_trap();
		wa_auth_hash(&k, h);
	} else if (rc != -1)
		__builtin_trap();

	/* the same key in X-Api-Key, with no database behind it */
	memset(&cfg, 0, sizeof(cfg));
	cfg.body_max = 1024;
	memset(&r, 0, sizeof(r));
	r.arena = arena;
	r.cfg = &cfg;
	env[0] = "REQUEST_URI=/v3/x";
	env[1] = wa_arena_printf(arena, "HTTP_X_API_KEY=%s", raw);
	env[2] = NULL;
	if (wa_req_parse(&r, env, NULL, NULL) != WA_OK)
		__builtin_trap();
	e = wa_auth_presented_key(&r, &k2);
	if (raw[0] == '\0' ? e != WA_ERR_UNAUTHENTICATED :
	    (rc == 0) != (e == WA_OK))
		__builtin_trap();
	if (e != WA_OK && e != WA_ERR_UNAUTHENTICATED &&
	    e != WA_ERR_INVALID_KEY)
		__builtin_trap();

	wa_arena_reset(arena);
	return 0;
}
