/*
 * Sizes are computed before writing, so each result is one allocation
 * of exactly the bytes it needs.
 */
#include <string.h>

#include "arena.h"
#include "pgval.h"
#include "valid.h"

char *
wa_pgval_text_array(struct wa_arena *a, const char *const *items, size_t n)
{
	const char	*p;
	size_t		 i, len = 2;	/* braces */
	char		*out, *o;

	for (i = 0; i < n; i++) {
		len += 2 + (i > 0);	/* quotes, comma */
		for (p = items[i]; *p != '\0'; p++)
			len += (*p == '"' || *p == '\\') ? 2 : 1;
	}
	o = out = wa_arena_alloc(a, len + 1);
	*o++ = '{';
	for (i = 0; i < n; i++) {
		if (i > 0)
			*o++ = ',';
		*o++ = '"';
		for (p = items[i]; *p != '\0'; p++) {
			if (*p == '"' || *p == '\\')
				*o++ = '\\';
			*o++ = *p;
		}
		*o++ = '"';
	}
	*o++ = '}';
	*o = '\0';
	return out;
}

char *
wa_pgval_like(struct wa_arena *a, const char *s, int contains)
{
	const char	*p;
	size_t		 len = contains ? 2 : 0;
	char		*out, *o;

	for (p = s; *p != '\0'; p++)
		len += strchr("\\%_", *p) != NULL ? 2 : 1;
	o = out = wa_arena_alloc(a, len + 1);
	if (contains)
		*o++ = '%';
	for (p = s; *p != '\0'; p++) {
		if (strchr("\\%_", *p) != NULL)
			*o++ = '\\';
		*o++ = *p;
	}
	if (contains)
		*o++ = '%';
	*o = '\0';
	return out;
}

/* The time of a cursor: 2026-05-01T03:42:18.123456Z. */
static int
cursor_time_ok(const char *s, size_t n)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:dd.ddddddZ";
	size_t	i;

	if (n != sizeof(shape) - 1)
		return 0;
	for (i = 0; i < n; i++)
		if (shape[i] == 'd' ? s[i] < '0' || s[i] > '9' :
		    s[i] != shape[i])
			return 0;
	return 1;
}

int
wa_pgval_cursor(struct wa_arena *a, const char *c, const char **at,
    const char **id)
{
	const char	*u;

	*at = *id = NULL;
	if (c == NULL) {
		*at = "infinity";
		*id = "ffffffff-ffff-ffff-ffff-ffffffffffff";
		return 0;
	}
	u = strrchr(c, '_');
	if (u == NULL || !cursor_time_ok(c, (size_t)(u - c)) ||
	    !wa_valid_uuid(u + 1))
		return -1;
	*at = wa_arena_strndup(a, c, (size_t)(u - c));
	*id = u + 1;
	return 0;
}
