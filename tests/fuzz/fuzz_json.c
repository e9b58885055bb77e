/*
 * libFuzzer target: request bodies.  wa_json_parse() with the
 * production depth limit, wa_json_body(), wa_json_validate() against a
 * table that uses every field kind, and printing the tree back.
 *
 * Properties beyond "no crash, no leak": a refusal always has a reason,
 * validation never records more than WA_ERR_FIELDS_MAX fields, and what
 * we print parses again.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "arena.h"
#include "cfg.h"
#include "json.h"
#include "req.h"
#include "valid.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char *const kinds[] = { "sms", "whatsapp", NULL };

static const struct wa_field item_fields[] = {
	{ .name = "id", .type = WA_J_STRING, .flags = WA_F_REQUIRED,
	    .check = wa_valid_uuid },
	{ .name = "qty", .type = WA_J_INT, .imin = 1, .imax = 100 },
	{ .name = NULL }
};

static const struct wa_field contact_fields[] = {
	{ .name = "email", .type = WA_J_STRING, .check = wa_valid_email },
	{ .name = "phone", .type = WA_J_STRING, .flags = WA_F_NULLABLE,
	    .check = wa_valid_e164 },
	{ .name = "url", .type = WA_J_STRING, .max = WA_URL_MAX,
	    .check = wa_valid_url },
	{ .name = NULL }
};

static const struct wa_field fields[] = {
	{ .name = "name", .type = WA_J_STRING,
	    .flags = WA_F_REQUIRED | WA_F_NONEMPTY, .min = 1, .max = 11 },
	{ .name = "kind", .type = WA_J_STRING, .enumv = kinds },
	{ .name = "count", .type = WA_J_INT, .imin = -5, .imax = 5 },
	{ .name = "big", .type = WA_J_INT },
	{ .name = "ratio", .type = WA_J_NUMBER },
	{ .name = "flag", .type = WA_J_BOOL, .flags = WA_F_NULLABLE },
	{ .name = "contact", .type = WA_J_OBJECT, .sub = contact_fields },
	{ .name = "tags", .type = WA_J_ARRAY, .min = 1, .max = 50,
	    .item = WA_J_STRING, .item_max = 8, .enumv = kinds },
	{ .name = "items", .type = WA_J_ARRAY, .item = WA_J_OBJECT,
	    .sub = item_fields },
	{ .name = "any", .type = WA_J_ARRAY },
	{ .name = NULL }
};

static struct wa_arena	*arena;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct wa_cfg	 cfg;
	struct wa_req	 r;
	const char	*why, *s;
	cJSON		*v, *body;

	if (arena == NULL)
		arena = wa_arena_new(0);
	wa_json_use_arena(arena);
	memset(&cfg, 0, sizeof(cfg));
	cfg.body_max = 1024 * 1024;
	memset(&r, 0, sizeof(r));
	r.arena = arena;
	r.cfg = &cfg;
	r.path = "/";

	v = wa_json_parse((const char *)data, len, WA_JSON_DEPTH_MAX, &why);
	if (v == NULL && why == NULL)
		__builtin_trap();
	if (v != NULL) {
		if (cJSON_IsObject(v))
			(void)wa_json_validate(&r, v, fields, NULL);
		if (r.err.nfields > WA_ERR_FIELDS_MAX)
			__builtin_trap();
		s = wa_json_print(v);
		if (wa_json_parse(s, strlen(s), WA_JSON_DEPTH_MAX,
		    &why) == NULL)
			__builtin_trap();
	}

	/* the same bytes as a request body */
	memset(&r, 0, sizeof(r));
	r.arena = arena;
	r.cfg = &cfg;
	r.body = (const char *)data;
	r.body_len = len;
	if (wa_json_body(&r, &body) == WA_OK) {
		if (!cJSON_IsObject(body))
			__builtin_trap();
		(void)wa_json_validate(&r, body, fields, "body");
	} else if (r.err.code != WA_ERR_BAD_REQUEST)
		__builtin_trap();

	wa_arena_reset(arena);
	return 0;
}
