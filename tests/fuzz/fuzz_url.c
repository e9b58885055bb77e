/*
 * libFuzzer target: wa_url_decode() in both modes (path and query), and
 * wa_url_encode().
 *
 * Properties: a decoded string is never longer than its input, is
 * NUL-terminated at outlen and holds no NUL before it; encoding every
 * byte of it as %XX and decoding again gives it back; so does
 * wa_url_encode(), whose output is only unreserved bytes and escapes.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "arena.h"
#include "url.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct wa_arena	*arena;

static void
check(const char *in, size_t len, int plus)
{
	static const char	 hex[] = "0123456789ABCDEF";
	char			*out, *enc, *back;
	size_t			 outlen = (size_t)-1, backlen, i;

	out = wa_url_decode(arena, in, len, plus, &outlen);
	if (out == NULL)
		return;
	if (outlen > len || out[outlen] != '\0' ||
	    memchr(out, '\0', outlen) != NULL)
		__builtin_trap();
	enc = wa_arena_alloc(arena, 3 * outlen + 1);
	for (i = 0; i < outlen; i++) {
		enc[3 * i] = '%';
		enc[3 * i + 1] = hex[(unsigned char)out[i] >> 4];
		enc[3 * i + 2] = hex[(unsigned char)out[i] & 15];
	}
	back = wa_url_decode(arena, enc, 3 * outlen, plus, &backlen);
	if (back == NULL || backlen != outlen ||
	    memcmp(back, out, outlen) != 0)
		__builtin_trap();
	/* out holds no NUL: the whole of it is encoded */
	enc = wa_url_encode(arena, out);
	if (strspn(enc, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789-._~%") != strlen(enc))
		__builtin_trap();
	back = wa_url_decode(arena, enc, strlen(enc), plus, &backlen);
	if (back == NULL || backlen != outlen ||
	    memcmp(back, out, outlen) != 0)
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	if (arena == NULL)
		arena = wa_arena_new(0);
	check((const char *)data, len, 0);
	check((const char *)data, len, 1);
	wa_arena_reset(arena);
	return 0;
}
