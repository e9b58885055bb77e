/*
 * libFuzzer target: wa_s3_error_code(), the scan of an S3 error's XML
 * body for its <Code>, and wa_s3_encode_path().
 *
 * The first byte picks the size of the code's buffer (0 to 63 bytes);
 * the rest is the body, not NUL-terminated, as libcurl hands it over.
 *
 * Properties: a code found is not empty, fits its buffer, is only
 * letters, digits, '.', '-' and '_', and "<Code>CODE</Code>" is in the
 * body; no code leaves the buffer "".  The body encoded as a path is
 * only unreserved bytes, '/' and %XX escapes, and decodes back to it.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "arena.h"
#include "s3.h"
#include "url.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct wa_arena	*arena;

/* 1 if needle[0..n) is in hay[0..len). */
static int
contains(const char *hay, size_t len, const char *needle, size_t n)
{
	size_t	i;

	for (i = 0; i + n <= len; i++)
		if (memcmp(hay + i, needle, n) == 0)
			return 1;
	return 0;
}

static void
check_code(const char *body, size_t len, size_t outsz)
{
	char	out[64], *want;
	size_t	n;

	memset(out, 'x', sizeof(out));
	if (wa_s3_error_code(body, len, out, outsz) != 0) {
		if (outsz > 0 && out[0] != '\0')
			__builtin_trap();
		return;
	}
	n = strnlen(out, outsz);
	if (outsz == 0 || n == 0 || n >= outsz ||
	    strspn(out, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789.-_") != n)
		__builtin_trap();
	want = wa_arena_printf(arena, "<Code>%s</Code>", out);
	if (!contains(body, len, want, strlen(want)))
		__builtin_trap();
}

static void
check_path(const char *body, size_t len)
{
	char	*s, *enc, *back;
	size_t	 backlen;

	s = wa_arena_strndup(arena, body, len);	/* up to a NUL */
	enc = wa_s3_encode_path(arena, s);
	if (strspn(enc, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789-._~%/") != strlen(enc))
		__builtin_trap();
	back = wa_url_decode(arena, enc, strlen(enc), 0, &backlen);
	if (back == NULL || backlen != strlen(s) || strcmp(back, s) != 0)
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	if (arena == NULL)
		arena = wa_arena_new(0);
	if (len == 0)
		return 0;
	check_code((const char *)data + 1, len - 1, data[0] % 64);
	check_path((const char *)data + 1, len - 1);
	wa_arena_reset(arena);
	return 0;
}
