/*
 * Variables live in one cJSON tree because everything around them is
 * JSON already: test-run input, mocked HTTP bodies, the final
 * variables of the output.  The limits are checked on the way in, so
 * a value read back never needs checking again.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "vars.h"
#include "utf8.h"

const char *const wa_flow_ns_names[WA_FLOW_NS__MAX] = {
	"flow", "contact", "system"
};

static const char *const system_names[] = { "now", "channel", "phone", NULL };

static int
seg_char(int c)
{
	return isalnum(c) || c == '_';
}

const char *
wa_flow_path_parse(struct wa_arena *a, const char *s, size_t len,
    struct wa_flow_path *out)
{
	const char	*segs[WA_FLOW_PATH_SEGS_MAX + 1];
	size_t		 lens[WA_FLOW_PATH_SEGS_MAX + 1];
	size_t		 n = 0, i = 0, start, k, first = 0;
	const char *const *sn;

	memset(out, 0, sizeof(*out));
	if (len == 0)
		return "is an empty variable name";
	while (i <= len) {
		start = i;
		while (i < len && seg_char((unsigned char)s[i]))
			i++;
		if (i == start)
			return "is not a variable name: use letters, digits "
			    "and _ separated by dots, such as flow.email";
		if (i - start > WA_FLOW_SEG_MAX)
			return "has a name segment longer than 64 characters";
		if (n == WA_FLOW_PATH_SEGS_MAX + 1)
			return "has too many segments (at most 8 after the "
			    "namespace)";
		segs[n] = s + start;
		lens[n++] = i - start;
		if (i == len)
			break;
		if (s[i] != '.')
			return "is not a variable name: use letters, digits "
			    "and _ separated by dots, such as flow.email";
		i++;
		if (i == len)
			return "ends with a dot";
	}
	if (isdigit((unsigned char)segs[0][0]))
		return "must start with a letter or _";
	out->ns = WA_FLOW_NS_FLOW;
	for (k = 0; k < WA_FLOW_NS__MAX; k++)
		if (lens[0] == strlen(wa_flow_ns_names[k]) &&
		    memcmp(segs[0], wa_flow_ns_names[k], lens[0]) == 0) {
			out->ns = (enum wa_flow_ns)k;
			first = 1;
			break;
		}
	if (n - first == 0)
		return "names a namespace, not a variable (such as "
		    "flow.email)";
	if (n - first > WA_FLOW_PATH_SEGS_MAX)
		return "has too many segments (at most 8 after the namespace)";
	for (k = first; k < n; k++)
		out->seg[out->nseg++] = wa_arena_strndup(a, segs[k], lens[k]);
	if (out->ns == WA_FLOW_NS_SYSTEM) {
		for (sn = system_names; *sn != NULL; sn++)
			if (strcmp(*sn, out->seg[0]) == 0)
				break;
		if (*sn == NULL)
			return "is not a system variable (system.now, "
			    "system.channel, system.phone)";
		if (out->nseg > 1)
			return "reads inside a system variable, which is text";
	}
	out->text = first ? wa_arena_strndup(a, s, len) :
	    wa_arena_printf(a, "flow.%.*s", (int)len, s);
	return NULL;
}

int
wa_flow_path_writable(const struct wa_flow_path *p)
{
	return p->ns == WA_FLOW_NS_FLOW || p->ns == WA_FLOW_NS_CONTACT;
}

cJSON *
wa_flow_vars_new(void)
{
	cJSON	*v = cJSON_CreateObject();
	size_t	 k;

	for (k = 0; k < WA_FLOW_NS__MAX; k++)
		cJSON_AddObjectToObject(v, wa_flow_ns_names[k]);
	return v;
}

/* Array index from a segment of digits, or -1. */
static int
seg_index(const char *s)
{
	size_t	i, n = strlen(s);

	if (n == 0 || n > 6)
		return -1;
	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return -1;
	return (int)strtol(s, NULL, 10);
}

const cJSON *
wa_flow_vars_get(const cJSON *vars, const struct wa_flow_path *p)
{
	const cJSON	*v;
	size_t		 i;
	int		 ix;

	v = cJSON_GetObjectItemCaseSensitive(vars, wa_flow_ns_names[p->ns]);
	for (i = 0; i < p->nseg && v != NULL; i++) {
		if (cJSON_IsObject(v))
			v = cJSON_GetObjectItemCaseSensitive(v, p->seg[i]);
		else if (cJSON_IsArray(v) && (ix = seg_index(p->seg[i])) >= 0)
			v = cJSON_GetArrayItem(v, ix);
		else
			v = NULL;
	}
	return v;
}

/* Adds an estimate of v's printed size to *size; 0 once over the
 * limits (the walk stops there, so a huge value costs little). */
static int
measure(const cJSON *v, size_t depth, size_t *size)
{
	const cJSON	*c;

	if (depth > WA_FLOW_VALUE_DEPTH_MAX)
		return 0;
	*size += v->string != NULL ? strlen(v->string) + 4 : 1;
	if (cJSON_IsString(v))
		*size += strlen(v->valuestring) + 2;
	else if (cJSON_IsNumber(v) || cJSON_IsBool(v) || cJSON_IsNull(v))
		*size += 24;
	else if (cJSON_IsArray(v) || cJSON_IsObject(v)) {
		*size += 2;
		for (c = v->child; c != NULL; c = c->next)
			if (*size > WA_FLOW_VALUE_MAX ||
			    !measure(c, depth + 1, size))
				return 0;
	}
	return *size <= WA_FLOW_VALUE_MAX;
}

const char *
wa_flow_value_check(const cJSON *v)
{
	size_t	size = 0;

	if (v == NULL)
		return NULL;
	if (cJSON_IsString(v)) {
		if (wa_utf8_count(v->valuestring, strlen(v->valuestring)) >
		    WA_FLOW_STR_MAX)
			return "is a string longer than 4096 characters";
		return NULL;
	}
	if (cJSON_IsNumber(v)) {
		if (!isfinite(v->valuedouble) ||
		    fabs(v->valuedouble) > WA_FLOW_NUM_MAX)
			return "is a number outside +-9007199254740991";
		return NULL;
	}
	if (!measure(v, 0, &size))
		return "is a value larger than 16384 bytes or nested deeper "
		    "than 8";
	return NULL;
}

/*
 * Puts v where old is in parent's list of children, under old's name.
 * By hand: cJSON_InsertItemInArray() of the libcjson that Debian 12
 * ships refuses any position but the first, and cJSON_Replace*()
 * would delete old, which a trace may still show.  cJSON keeps the
 * last child in child->prev.
 */
static void
replace(cJSON *parent, cJSON *old, cJSON *v)
{
	v->string = old->string;
	v->type &= ~cJSON_StringIsConst;
	old->string = NULL;
	v->next = old->next;
	v->prev = old->prev == old ? v : old->prev;
	if (v->next != NULL)
		v->next->prev = v;
	if (parent->child == old)
		parent->child = v;
	else
		v->prev->next = v;
	if (parent->child->prev == old)
		parent->child->prev = v;
	old->next = old->prev = NULL;
}

const char *
wa_flow_vars_set(cJSON *vars, const struct wa_flow_path *p, cJSON *v)
{
	cJSON		*o, *c;
	const char	*why;
	size_t		 i;

	if ((why = wa_flow_value_check(v)) != NULL)
		return why;
	o = cJSON_GetObjectItemCaseSensitive(vars, wa_flow_ns_names[p->ns]);
	if (o == NULL)
		return "has no namespace";
	for (i = 0; i + 1 < p->nseg; i++) {
		c = cJSON_GetObjectItemCaseSensitive(o, p->seg[i]);
		if (c == NULL) {
			if (i == 0 && cJSON_GetArraySize(o) >=
			    WA_FLOW_VARS_MAX)
				return "would be more than 200 variables";
			c = cJSON_AddObjectToObject(o, p->seg[i]);
		} else if (!cJSON_IsObject(c))
			return "is inside a variable that is not an object";
		o = c;
	}
	/* Keep the position of a variable that is set again, so that
	 * the final variables read in the order they were first set. */
	for (c = o->child; c != NULL; c = c->next)
		if (c->string != NULL && strcmp(c->string, p->seg[i]) == 0)
			break;
	if (c == NULL) {
		if (i == 0 && cJSON_GetArraySize(o) >= WA_FLOW_VARS_MAX)
			return "would be more than 200 variables";
		cJSON_AddItemToObject(o, p->seg[i], v);
		return NULL;
	}
	replace(o, c, v);
	return NULL;
}

void
wa_flow_num_format(double d, char *buf, size_t bufsz)
{
	if (d == 0)
		d = 0;	/* no "-0" */
	if (d == floor(d) && fabs(d) < 1e15)
		snprintf(buf, bufsz, "%.0f", d);
	else
		snprintf(buf, bufsz, "%.15g", d);
}

const char *
wa_flow_value_text(struct wa_arena *a, const cJSON *v)
{
	char	*buf, *s;

	if (v == NULL || cJSON_IsNull(v))
		return "";
	if (cJSON_IsString(v))
		return v->valuestring;
	if (cJSON_IsTrue(v))
		return "true";
	if (cJSON_IsFalse(v))
		return "false";
	if (cJSON_IsNumber(v)) {
		buf = wa_arena_alloc(a, 32);
		wa_flow_num_format(v->valuedouble, buf, 32);
		return buf;
	}
	s = cJSON_PrintUnformatted(v);
	return s != NULL ? s : "";
}

int
wa_flow_num_parse(const char *s, double *out)
{
	const char	*p = s, *start, *end;
	char		 buf[64];
	int		 digits = 0;
	double		 d;

	while (*p == ' ' || *p == '\t')
		p++;
	start = p;
	if (*p == '-' || *p == '+')
		p++;
	while (isdigit((unsigned char)*p)) {
		p++;
		digits++;
	}
	if (*p == '.') {
		p++;
		while (isdigit((unsigned char)*p)) {
			p++;
			digits++;
		}
	}
	if (digits == 0)
		return 0;
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '-' || *p == '+')
			p++;
		if (!isdigit((unsigned char)*p))
			return 0;
		while (isdigit((unsigned char)*p))
			p++;
	}
	end = p;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p != '\0' || (size_t)(end - start) >= sizeof(buf))
		return 0;
	memcpy(buf, start, (size_t)(end - start));
	buf[end - start] = '\0';
	d = strtod(buf, NULL);
	if (!isfinite(d) || fabs(d) > WA_FLOW_NUM_MAX)
		return 0;
	*out = d;
	return 1;
}

int
wa_flow_value_num(const cJSON *v, double *out)
{
	if (cJSON_IsNumber(v)) {
		if (!isfinite(v->valuedouble))
			return 0;
		*out = v->valuedouble;
		return 1;
	}
	if (cJSON_IsString(v))
		return wa_flow_num_parse(v->valuestring, out);
	return 0;
}

cJSON *
wa_flow_string(struct wa_arena *a, const char *s, size_t len)
{
	return cJSON_CreateString(wa_arena_strndup(a, s, len));
}

uint32_t
wa_flow_cp_fold(uint32_t c)
{
	if ((c >= 'A' && c <= 'Z') || (c >= 0xc0 && c <= 0xde && c != 0xd7))
		return c + 32;
	return c;
}

