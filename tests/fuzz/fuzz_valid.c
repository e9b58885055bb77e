/*
 * libFuzzer target: every validator on the NUL-terminated input, the
 * phone normalizer, and the UTF-8 and log-escaping code that sees the
 * same untrusted bytes.
 *
 * Properties: validators agree with each other where they must (a card
 * number passes Luhn, a normalized phone is valid E.164); log escaping
 * always yields bounded, valid UTF-8.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "accounts.h"
#include "arena.h"
#include "log.h"
#include "utf8.h"
#include "valid.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct wa_arena	*arena;

static void
escape(const char *s, size_t len, size_t dstsz)
{
	char	*dst = wa_arena_alloc(arena, dstsz);
	size_t	 n;

	n = wa_log_escape(dst, dstsz, s, len);
	if (n >= dstsz || strlen(dst) != n || !wa_utf8_valid(dst, n))
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static const int64_t	 now = 1778846400000LL;	/* 2026-05-15 */
	const char		*raw = (const char *)data;
	char			*s, out[WA_E164_MAX + 1];
	size_t			 n;

	if (arena == NULL)
		arena = wa_arena_new(0);
	s = wa_arena_strndup(arena, raw, len);

	(void)wa_valid_uuid(s);
	(void)wa_valid_e164(s);
	(void)wa_valid_email(s);
	(void)wa_valid_url(s);
	(void)wa_valid_country(s);
	(void)wa_valid_cvc(s);
	(void)wa_valid_zip(s);
	(void)wa_valid_short_name(s);
	(void)wa_valid_idem_key(s);
	(void)wa_valid_expiry(s, now);
	(void)wa_account_valid_meta_id(s);
	if (wa_valid_card_number(s) && !wa_valid_luhn(s))
		__builtin_trap();
	if (wa_e164_normalize(s, out, sizeof(out)) &&
	    (!wa_valid_e164(out) || strlen(out) > WA_E164_MAX))
		__builtin_trap();

	n = wa_utf8_count(raw, len);
	if (n > len || (len > 0 && n == 0))
		__builtin_trap();
	if (wa_utf8_valid(raw, len) && memchr(raw, '\0', len) != NULL)
		__builtin_trap();
	escape(raw, len, 1);
	escape(raw, len, 7);
	escape(raw, len, 64);
	escape(raw, len, 4 * len + 8);

	wa_arena_reset(arena);
	return 0;
}
