/*
 * pgval: values that go to PostgreSQL as text parameters of a
 * statement (never into SQL text): array literals and LIKE patterns.
 *
 * Everything returned is arena-owned and NUL-terminated.  The inputs
 * are NUL-terminated strings that came from outside (already valid
 * UTF-8 and free of NUL bytes, as lib/json.c and lib/req.c ensure).
 */
#ifndef WA_PGVAL_H
#define WA_PGVAL_H

#include <stddef.h>

struct wa_arena;

/*
 * A text[] literal of the n items: {"a","b \"c\""}.  Every item is
 * double-quoted with '"' and '\' escaped by a backslash, so that any
 * text, including {, }, commas, blanks and the word NULL, is read back
 * exactly.  n == 0 gives "{}".
 */
char	*wa_pgval_text_array(struct wa_arena *, const char *const *items,
	    size_t n);

/*
 * s as a LIKE pattern that matches exactly s (backslash is the escape
 * character, PostgreSQL's default): '\', '%' and '_' get a backslash.
 * With contains set, the result is wrapped in '%' on both sides, a
 * pattern that matches any text containing s.
 */
char	*wa_pgval_like(struct wa_arena *, const char *s, int contains);

/*
 * A list's keyset cursor, "<time>_<uuid>" with the time as lists write
 * it (2026-05-01T03:42:18.123456Z, microseconds, UTC): *at and *id, the
 * parameters of the page's "(time, id) < ($at, $id)".  A NULL cursor
 * is the start: "infinity" and the largest UUID.  -1 if c is not one.
 */
int	 wa_pgval_cursor(struct wa_arena *, const char *c, const char **at,
	    const char **id);
/* The SQL of a cursor's time, for a list's statement. */
#define WA_PGVAL_CURSOR_TIME(col) \
	"to_char(" col " AT TIME ZONE 'UTC', " \
	"'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

#endif /* WA_PGVAL_H */
