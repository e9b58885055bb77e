/*
 * cond: the comparison operators of condition steps.
 *
 * A comparison reads one variable (the left side; NULL when unset) and
 * compares it with a value (the right side):
 *
 *   eq, ne             equal: numerically when either side is a number
 *                      and both read as numbers ("10" eq 10); lists and
 *                      objects structurally; otherwise as text.  An
 *                      unset variable equals only null.  ne is not eq.
 *   contains,          text contains the value's text; a list contains
 *   not_contains       an item eq to the value.  not_contains is not
 *                      contains (so it holds for an unset variable).
 *   gt, gte, lt, lte   numerically when both sides read as numbers,
 *                      else by code point order when both are text
 *                      (ISO dates and times order correctly); false
 *                      otherwise, and for an unset variable.
 *   is_set             set and not null (no value).
 *   is_empty           unset, null, blank text, [] or {} (no value).
 *   starts_with,       on the text of both sides.
 *   ends_with
 *   matches            the variable's text contains a match of a
 *                      pattern (re.h).
 *
 * Text comparisons (eq, ne, contains, not_contains, starts_with,
 * ends_with, matches) ignore ASCII and Latin-1 case unless
 * WA_FLOW_CMP_CASE is given; gt/lt on text never do.
 */
#ifndef WA_FLOW_COND_H
#define WA_FLOW_COND_H

#include <cjson/cJSON.h>

struct wa_arena;
struct wa_flow_re;

enum wa_flow_op {
	WA_FLOW_OP_EQ = 0,
	WA_FLOW_OP_NE,
	WA_FLOW_OP_CONTAINS,
	WA_FLOW_OP_NOT_CONTAINS,
	WA_FLOW_OP_GT,
	WA_FLOW_OP_GTE,
	WA_FLOW_OP_LT,
	WA_FLOW_OP_LTE,
	WA_FLOW_OP_IS_SET,
	WA_FLOW_OP_IS_EMPTY,
	WA_FLOW_OP_STARTS_WITH,
	WA_FLOW_OP_ENDS_WITH,
	WA_FLOW_OP_MATCHES,
	WA_FLOW_OP__MAX
};

extern const char *const wa_flow_op_names[WA_FLOW_OP__MAX];

#define WA_FLOW_CMP_CASE	0x01	/* text comparisons respect case */

/* The operator named s ("starts_with"), or -1. */
int	wa_flow_op_parse(const char *s);

/* 1 for the operators that take no value (is_set, is_empty). */
int	wa_flow_op_unary(enum wa_flow_op);

/*
 * Applies op to left (NULL = unset) and right.  For matches, re is the
 * compiled pattern (right is then ignored).  Returns 1 or 0, or -1 if
 * the matcher ran out of *fuel.
 */
int	wa_flow_cmp(struct wa_arena *, enum wa_flow_op op, const cJSON *left,
	    const cJSON *right, const struct wa_flow_re *re, unsigned flags,
	    unsigned long *fuel);

#endif /* WA_FLOW_COND_H */
