/*
 * libFuzzer target: wa_pgval_text_array(), wa_pgval_like() and
 * wa_pgval_cursor() over outside strings (the input split at '\n' into
 * items, NUL bytes cut).
 *
 * Properties: the literal is one allocation of exactly its length; read
 * back as PostgreSQL reads a fully quoted array literal (a backslash
 * takes the next byte), it gives every item; the LIKE pattern, read
 * with backslash as the escape character, is the input with every
 * '%' and '_' literal, between the two wildcards; a cursor that is
 * taken is a time of the lists' shape and a UUID, written back as it
 * came.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "arena.h"
#include "pgval.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define ITEMS_MAX	64

static struct wa_arena	*arena;

/* Item k of a quoted literal, or NULL if it is not well formed. */
static char *
item(const char *lit, size_t k)
{
	const char	*p = lit + 1;
	char		*out = wa_arena_alloc(arena, strlen(lit) + 1), *o;
	size_t		 i;

	if (lit[0] != '{')
		return NULL;
	for (i = 0;; i++) {
		if (*p++ != '"')
			return NULL;
		for (o = out; *p != '"'; *o++ = *p++) {
			if (*p == '\0')
				return NULL;
			if (*p == '\\' && *++p == '\0')
				return NULL;
		}
		*o = '\0';
		p++;
		if (i == k)
			return out;
		if (*p++ != ',')
			return NULL;
	}
}

static void
check_like(const char *s)
{
	const char	*pat = wa_pgval_like(arena, s, 1), *p;
	size_t		 n = strlen(pat);

	if (n < 2 || pat[0] != '%' || pat[n - 1] != '%')
		__builtin_trap();
	for (p = pat + 1; p < pat + n - 1; p++, s++) {
		if (*p == '%' || *p == '_')
			__builtin_trap();	/* an unescaped wildcard */
		if (*p == '\\')
			p++;
		if (*p != *s)
			__builtin_trap();
	}
	if (*s != '\0')
		__builtin_trap();
}

static void
check_cursor(const char *s)
{
	const char	*at, *id;

	if (wa_pgval_cursor(arena, s, &at, &id) != 0)
		return;
	if (strlen(at) != 27 || strlen(id) != 36 ||
	    strcmp(wa_arena_printf(arena, "%s_%s", at, id), s) != 0)
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	const char	*items[ITEMS_MAX];
	char		*buf, *lit, *got;
	size_t		 n = 0, i;

	if (arena == NULL)
		arena = wa_arena_new(0);
	buf = wa_arena_alloc(arena, len + 1);
	memcpy(buf, data, len);
	buf[len] = '\0';
	items[n++] = buf;
	for (i = 0; i < len && buf[i] != '\0'; i++)
		if (buf[i] == '\n' && n < ITEMS_MAX) {
			buf[i] = '\0';
			items[n++] = buf + i + 1;
		}
	lit = wa_pgval_text_array(arena, items, n);
	if (lit[strlen(lit) - 1] != '}')
		__builtin_trap();
	for (i = 0; i < n; i++)
		if ((got = item(lit, i)) == NULL || strcmp(got, items[i]) != 0)
			__builtin_trap();
	for (i = 0; i < n; i++) {
		check_like(items[i]);
		check_cursor(items[i]);
	}
	wa_arena_reset(arena);
	return 0;
}
