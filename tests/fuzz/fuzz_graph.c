/*
 * libFuzzer target: what the Graph client reads from Meta (or from
 * whoever answers at WA_GRAPH_URL) and what arrives with a webhook.
 * The bytes go, as JSON, through Meta's error object, the table, a
 * send's answer, a business profile and the template rules; and, as
 * text, through the upload-session check, the webhook signature check
 * and the placeholder scanner.
 *
 * Properties beyond "no crash, no leak": every error code maps to a
 * rule that is never a 500, a retry delay is -1 or positive, a parsed
 * wamid is never empty, and the template rules count what they report.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "arena.h"
#include "graph/graph.h"
#include "json.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct wa_arena	*arena;
static int		 reported;

static void
count(void *ctx, const char *path, const char *msg, long subcode)
{
	(void)ctx;
	if (path == NULL || msg == NULL || subcode == 0)
		__builtin_trap();
	reported++;
}

static void
json_side(const cJSON *v)
{
	const struct wa_graph_rule	*rule;
	struct wa_graph_error		 e;
	struct wa_graph_sent		 s;
	struct wa_graph_res		 res;
	int				 n;

	if (wa_graph_parse_error(v, &e)) {
		rule = wa_graph_rule_for(&e);
		if (rule == NULL || rule->err == WA_OK ||
		    rule->err == WA_ERR_INTERNAL || rule->message == NULL)
			__builtin_trap();
		memset(&res, 0, sizeof(res));
		res.status = WA_GRAPH_META;
		res.rule = rule;
		n = wa_graph_retry_delay(&res, (int)(e.code & 7));
		if (n == 0 || n < -1)
			__builtin_trap();
	}
	if (wa_graph_parse_sent(v, &s) == 0 &&
	    (s.wamid == NULL || s.wamid[0] == '\0'))
		__builtin_trap();
	(void)wa_graph_parse_profile(v);
	reported = 0;
	n = wa_graph_tpl_check(v, "UTILITY", NULL, count, NULL);
	if (n != reported)
		__builtin_trap();
	reported = 0;
	n = wa_graph_tpl_check(v, "AUTHENTICATION", NULL, count, NULL);
	if (n != reported)
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	const char	*why;
	char		*s;
	cJSON		*v;

	if (arena == NULL)
		arena = wa_arena_new(0);
	wa_json_use_arena(arena);
	if ((v = wa_json_parse((const char *)data, len, WA_JSON_DEPTH_MAX,
	    &why)) != NULL)
		json_side(v);

	/* the same bytes as text */
	s = wa_arena_strndup(arena, (const char *)data, len);
	(void)wa_graph_valid_session(s);
	(void)wa_graph_placeholders(s);
	(void)wa_graph_tpl_name_ok(s, 1);
	(void)wa_graph_language_ok(s);
	if (wa_graph_signature_ok("fuzz-secret", data, len, s))
		__builtin_trap();	/* the header signing itself: no */
	(void)wa_graph_signature_ok("fuzz-secret", s, strlen(s),
	    "sha256=0123456789abcdef0123456789abcdef0123456789abcdef"
	    "0123456789abcdef");
	wa_arena_reset(arena);
	return 0;
}
