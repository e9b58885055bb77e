/*
 * libFuzzer target: lib/webpush.c, the subscription keys a browser
 * sends (base64url decoding, the point on the curve) and the encryption
 * of any plaintext.
 *
 * The input's first byte k splits the rest in two: the first k bytes
 * are keys.p256dh, the others keys.auth.  Then the whole input is the
 * plaintext of a push to a fixed, valid subscription.
 *
 * Properties: no crash or leak; encrypting for the fuzzed keys succeeds
 * exactly when wa_webpush_keys_valid() says they are valid; a plaintext
 * of at most WA_WEBPUSH_PAYLOAD_MAX bytes gives a body of that length
 * plus WA_WEBPUSH_OVERHEAD, a longer one -1.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "webpush.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* RFC 8291 Appendix A's subscription */
#define UA_PUB	"BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4" \
		"bjyPjs7Vd8pZGH6SRpkNtoIAiw4"
#define AUTH	"BTBZMqHH6r4Tts7J_aSIgg"

static struct wa_arena	*arena;

static void
keys(struct wa_arena *a, const uint8_t *data, size_t size)
{
	unsigned char	*out;
	size_t		 k, outlen;
	char		*p256dh, *auth;
	int		 valid, rc;

	k = data[0];
	if (k > size - 1)
		k = size - 1;
	p256dh = wa_arena_strndup(a, (const char *)data + 1, k);
	auth = wa_arena_strndup(a, (const char *)data + 1 + k, size - 1 - k);
	valid = wa_webpush_keys_valid(p256dh, auth);
	if (valid != 0 && valid != 1)
		__builtin_trap();
	if (valid && (strlen(p256dh) != 87 || strlen(auth) != 22))
		__builtin_trap();
	rc = wa_webpush_encrypt(a, p256dh, auth, "x", 1, NULL, NULL, &out,
	    &outlen);
	if (rc != (valid ? 0 : -1) ||
	    (rc == 0 && outlen != WA_WEBPUSH_OVERHEAD + 1))
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char	*out;
	size_t		 outlen;
	int		 rc;

	if (size < 1 || size > 8192)
		return 0;
	if (arena == NULL)
		arena = wa_arena_new(0);
	keys(arena, data, size);
	rc = wa_webpush_encrypt(arena, UA_PUB, AUTH, data, size, NULL, NULL,
	    &out, &outlen);
	if (size > WA_WEBPUSH_PAYLOAD_MAX ? rc != -1 || out != NULL :
	    rc != 0 || outlen != WA_WEBPUSH_OVERHEAD + size ||
	    out[20] != 65 || out[21] != 0x04)
		__builtin_trap();
	wa_arena_reset(arena);
	return 0;
}
