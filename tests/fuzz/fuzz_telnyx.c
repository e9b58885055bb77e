/*
 * libFuzzer target: wa_telnyx_numbers_of(), the reading of a carrier's
 * search answer (outside bytes: Telnyx's, or whatever answers at
 * WA_TELNYX_URL), after wa_json_parse() as the client does it.
 *
 * Properties: the count is -1 only without a data array, else at most
 * the room given; every number kept is E.164; every string kept is a
 * string of the tree (non-NULL pointers are NUL-terminated text).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "json.h"
#include "telnyx.h"
#include "valid.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct wa_arena	*arena;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct wa_telnyx_number	 out[8];
	const char		*why;
	cJSON			*v;
	long			 n, i;

	if (arena == NULL)
		arena = wa_arena_new(0);
	wa_arena_reset(arena);
	wa_json_use_arena(arena);
	if ((v = wa_json_parse((const char *)data, len, WA_JSON_DEPTH_MAX,
	    &why)) == NULL)
		return 0;
	n = wa_telnyx_numbers_of(v, out, sizeof(out) / sizeof(out[0]));
	if (n < -1 || n > (long)(sizeof(out) / sizeof(out[0])))
		abort();
	if (n == -1 && cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(v,
	    "data")))
		abort();
	for (i = 0; i < n; i++) {
		if (out[i].phone_number == NULL ||
		    !wa_valid_e164(out[i].phone_number))
			abort();
		if ((out[i].locality != NULL && strlen(out[i].locality) >
		    len) || (out[i].currency != NULL &&
		    strlen(out[i].currency) > len))
			abort();
	}
	return 0;
}
