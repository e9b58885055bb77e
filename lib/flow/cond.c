/*
 * Case folding keeps byte lengths (ASCII and Latin-1 capitals map to
 * letters of the same UTF-8 length), so text comparisons fold copies
 * and then use the plain C string functions.
 */
#include <string.h>

#include "arena.h"
#include "cond.h"
#include "re.h"
#include "vars.h"

const char *const wa_flow_op_names[WA_FLOW_OP__MAX] = {
	"eq", "ne", "contains", "not_contains", "gt", "gte", "lt", "lte",
	"is_set", "is_empty", "starts_with", "ends_with", "matches"
};

int
wa_flow_op_parse(const char *s)
{
	int	i;

	for (i = 0; s != NULL && i < WA_FLOW_OP__MAX; i++)
		if (strcmp(s, wa_flow_op_names[i]) == 0)
			return i;
	return -1;
}

int
wa_flow_op_unary(enum wa_flow_op op)
{
	return op == WA_FLOW_OP_IS_SET || op == WA_FLOW_OP_IS_EMPTY;
}

/* The text of v, folded unless case matters. */
static const char *
text(struct wa_arena *a, const cJSON *v, unsigned flags)
{
	const char	*s = wa_flow_value_text(a, v);
	unsigned char	*f;
	size_t		 i, n;

	if (flags & WA_FLOW_CMP_CASE)
		return s;
	n = strlen(s);
	f = (unsigned char *)wa_arena_strndup(a, s, n);
	for (i = 0; i < n; i++) {
		if (f[i] >= 'A' && f[i] <= 'Z')
			f[i] += 32;
		else if (f[i] == 0xc3 && i + 1 < n && f[i + 1] >= 0x80 &&
		    f[i + 1] <= 0x9e && f[i + 1] != 0x97) {
			f[i + 1] += 32;
			i++;
		}
	}
	return (const char *)f;
}

static int
unset(const cJSON *v)
{
	return v == NULL || cJSON_IsNull(v);
}

static int
eq(struct wa_arena *a, const cJSON *l, const cJSON *r, unsigned flags)
{
	double	x, y;

	if (unset(l) || unset(r))
		return unset(l) && unset(r);
	if ((cJSON_IsNumber(l) || cJSON_IsNumber(r)) &&
	    wa_flow_value_num(l, &x) && wa_flow_value_num(r, &y))
		return x == y;
	if ((cJSON_IsArray(l) || cJSON_IsObject(l)) &&
	    (cJSON_IsArray(r) || cJSON_IsObject(r)))
		return cJSON_Compare(l, r, 1);
	return strcmp(text(a, l, flags), text(a, r, flags)) == 0;
}

static int
contains(struct wa_arena *a, const cJSON *l, const cJSON *r, unsigned flags)
{
	const cJSON	*it;

	if (unset(l))
		return 0;
	if (cJSON_IsArray(l)) {
		cJSON_ArrayForEach(it, l)
			if (eq(a, it, r, flags))
				return 1;
		return 0;
	}
	return strstr(text(a, l, flags), text(a, r, flags)) != NULL;
}

/* -1, 0, 1 in *c; 0 if the two cannot be ordered. */
static int
order(const cJSON *l, const cJSON *r, int *c)
{
	double	x, y;

	if (unset(l) || unset(r))
		return 0;
	if (wa_flow_value_num(l, &x) && wa_flow_value_num(r, &y)) {
		*c = x < y ? -1 : x > y;
		return 1;
	}
	if (cJSON_IsString(l) && cJSON_IsString(r)) {
		*c = strcmp(l->valuestring, r->valuestring);
		*c = *c < 0 ? -1 : *c > 0;
		return 1;
	}
	return 0;
}

static int
blank(const char *s)
{
	for (; *s != '\0'; s++)
		if (strchr(" \t\r\n", *s) == NULL)
			return 0;
	return 1;
}

static int
affix(struct wa_arena *a, const cJSON *l, const cJSON *r, unsigned flags,
    int end)
{
	const char	*s, *p;
	size_t		 sn, pn;

	if (unset(l))
		return 0;
	s = text(a, l, flags);
	p = text(a, r, flags);
	sn = strlen(s);
	pn = strlen(p);
	if (pn > sn)
		return 0;
	return memcmp(end ? s + sn - pn : s, p, pn) == 0;
}

int
wa_flow_cmp(struct wa_arena *a, enum wa_flow_op op, const cJSON *l,
    const cJSON *r, const struct wa_flow_re *re, unsigned flags,
    unsigned long *fuel)
{
	const char	*s;
	int		 c;

	switch (op) {
	case WA_FLOW_OP_EQ:
		return eq(a, l, r, flags);
	case WA_FLOW_OP_NE:
		return !eq(a, l, r, flags);
	case WA_FLOW_OP_CONTAINS:
		return contains(a, l, r, flags);
	case WA_FLOW_OP_NOT_CONTAINS:
		return !contains(a, l, r, flags);
	case WA_FLOW_OP_GT:
		return order(l, r, &c) && c > 0;
	case WA_FLOW_OP_GTE:
		return order(l, r, &c) && c >= 0;
	case WA_FLOW_OP_LT:
		return order(l, r, &c) && c < 0;
	case WA_FLOW_OP_LTE:
		return order(l, r, &c) && c <= 0;
	case WA_FLOW_OP_IS_SET:
		return !unset(l);
	case WA_FLOW_OP_IS_EMPTY:
		if (unset(l))
			return 1;
		if (cJSON_IsString(l))
			return blank(l->valuestring);
		if (cJSON_IsArray(l) || cJSON_IsObject(l))
			return l->child == NULL;
		return 0;
	case WA_FLOW_OP_STARTS_WITH:
		return affix(a, l, r, flags, 0);
	case WA_FLOW_OP_ENDS_WITH:
		return affix(a, l, r, flags, 1);
	case WA_FLOW_OP_MATCHES:
		if (unset(l) || re == NULL)
			return 0;
		s = wa_flow_value_text(a, l);
		return wa_flow_re_search(re, s, strlen(s), fuel);
	default:
		return 0;
	}
}
