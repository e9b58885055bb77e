#include "hash.h"

uint64_t
wa_hash_str(const char *s)
{
	uint64_t	h = 14695981039346656037ull;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}
