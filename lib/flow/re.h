/*
 * re: the regular expressions of flow definitions (the `matches`
 * operator, `regex` questions), built so that no pattern can make a
 * match expensive.
 *
 * A pattern compiles to a Thompson NFA that is simulated in lock step
 * (every thread advances one code point at a time), so a match costs
 * at most O(length of the input * length of the program), never
 * exponential time; every step is also drawn from the caller's fuel.
 * Syntax (a subset of ECMAScript / POSIX ERE):
 *
 *   literals, .  [abc] [^a-z] [\d_]  \d \D \w \W \s \S  \n \t \r
 *   \ before any punctuation   ^ $ (whole input)   ( ) (?: )   |
 *   * + ? {n} {n,} {n,m} (n, m <= 100; a trailing ? is accepted)
 *   (?i) at the very start: ignore case
 *
 * There are no back-references, look-arounds or word boundaries.  A
 * match is a search: "b" matches "abc"; anchor with ^ and $.  Matching
 * is over code points of UTF-8 text; \d \w \s are ASCII.
 */
#ifndef WA_FLOW_RE_H
#define WA_FLOW_RE_H

#include <stddef.h>

struct wa_arena;
struct wa_flow_re;

#define WA_FLOW_RE_PATTERN_MAX	256	/* code points of a pattern */
#define WA_FLOW_RE_PROG_MAX	2000	/* compiled instructions */
#define WA_FLOW_RE_REPEAT_MAX	100	/* bound of {n,m} */
#define WA_FLOW_RE_DEPTH_MAX	16	/* nested groups */
#define WA_FLOW_RE_INPUT_MAX	4096	/* code points of an input */

/*
 * Compiles pattern (NUL-terminated UTF-8) into a, ignoring case if
 * icase (as does a leading "(?i)").  Returns NULL with a static reason
 * in *why for a pattern it refuses.
 */
struct wa_flow_re	*wa_flow_re_compile(struct wa_arena *a,
			    const char *pattern, int icase,
			    const char **why);

/*
 * Searches s[0..len) for re: 1 found, 0 not found, -1 when the input
 * is longer than WA_FLOW_RE_INPUT_MAX or *fuel ran out (each thread
 * step costs one unit).
 */
int			 wa_flow_re_search(const struct wa_flow_re *re,
			    const char *s, size_t len, unsigned long *fuel);

#endif /* WA_FLOW_RE_H */
