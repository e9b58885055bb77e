/*
 * Definition -> struct wa_flow.  Validation and compilation are one
 * pass over each step (after a first pass that collects the ids, so
 * that references can point forward): what is checked is what the
 * runner will rely on, and every problem is reported, not only the
 * first.  Arrays are measured before they are walked, so a huge array
 * costs one error, not a walk.
 */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include "arena.h"
#include "flow.h"
#include "expr.h"
#include "hash.h"
#include "re.h"
#include "tmpl.h"
#include "utf8.h"
#include "valid.h"

const char *const wa_flow_type_names[WA_FLOW_TYPE__MAX] = {
	"message", "question", "condition", "set_variable", "http_request",
	"delay", "jump", "handoff", "end"
};

const char *const wa_flow_input_names[WA_FLOW_IN__MAX] = {
	"text", "number", "email", "phone", "date", "choice", "regex"
};

static const char *const methods[] = {
	"GET", "POST", "PUT", "PATCH", "DELETE"
};

static const char *const media_types[] = {
	"image", "video", "audio", "document"
};

#define NWORDS(a)	(sizeof(a) / sizeof((a)[0]))

/* Members each type reads; anything else gets an unknown_field lint.
 * Members an editor keeps for itself are accepted everywhere. */
static const char *const common_fields[] = {
	"id", "type", "name", "label", "description", "notes", "position",
	"meta", NULL
};

static const char *const type_fields[WA_FLOW_TYPE__MAX][14] = {
	{ "text", "media", "next", NULL },
	{ "prompt", "input", "options", "pattern", "min", "max", "save_to",
	    "max_attempts", "retry_message", "on_invalid", "timeout_s",
	    "on_timeout", "next", NULL },
	{ "branches", "default", NULL },
	{ "assignments", "next", NULL },
	{ "method", "url", "headers", "body", "timeout_ms", "mapping",
	    "on_success", "on_error", "next", NULL },
	{ "seconds", "next", NULL },
	{ "target", "max_jumps", "on_exhausted", NULL },
	{ "team", "department", "message", NULL },
	{ "message", NULL },
};

void
wa_flow_issue(struct wa_arena *a, struct wa_flow_report *rep,
    const char *path, const char *step_id, const char *rule,
    const char *fmt, ...)
{
	struct wa_flow_issue	*list, *it;
	size_t			*n, *more;
	va_list			 ap;

	list = rule == NULL ? rep->errors : rep->lint;
	n = rule == NULL ? &rep->nerrors : &rep->nlint;
	more = rule == NULL ? &rep->errors_more : &rep->lint_more;
	if (*n >= WA_FLOW_ISSUES_MAX) {
		(*more)++;
		return;
	}
	if (list == NULL) {
		list = wa_arena_calloc(a, WA_FLOW_ISSUES_MAX, sizeof(*list));
		if (rule == NULL)
			rep->errors = list;
		else
			rep->lint = list;
	}
	it = &list[(*n)++];
	it->path = path;
	it->step_id = step_id;
	it->rule = rule;
	va_start(ap, fmt);
	it->msg = wa_arena_vprintf(a, fmt, ap);
	va_end(ap);
}

/* Compile context. */
struct cc {
	struct wa_arena		*a;
	struct wa_flow_report	*rep;
	struct wa_flow		*f;
	const char		*path;		/* "steps" */
	struct wa_flow_step	*s;		/* current step */
	size_t			 si;
	const char		*spath;		/* "steps[3]" */
	size_t			 ncmps;		/* of the current step */
	int			*hash;		/* id -> index + 1 */
	size_t			 hmask;
};

static void	cerr(struct cc *, const char *, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

/* An error at spath.field (field "" = the step itself). */
static void
cerr(struct cc *c, const char *field, const char *fmt, ...)
{
	va_list	 ap;
	char	*m;

	va_start(ap, fmt);
	m = wa_arena_vprintf(c->a, fmt, ap);
	va_end(ap);
	wa_flow_issue(c->a, c->rep, *field == '\0' ? c->spath :
	    wa_arena_printf(c->a, "%s.%s", c->spath, field),
	    c->s != NULL ? c->s->id : NULL, NULL, "%s", m);
}

/*
 * "field.member" and "field[i]".  Paths are made for every member
 * checked but read only on an error: concatenated by hand, which is
 * much cheaper than printf when a 200-step flow is compiled for every
 * test-run.
 */
static const char *
join(struct cc *c, const char *a, const char *sep, const char *b,
    const char *end)
{
	size_t	 na = strlen(a), ns = strlen(sep), nb = strlen(b);
	size_t	 ne = strlen(end);
	char	*s = wa_arena_alloc(c->a, na + ns + nb + ne + 1);

	memcpy(s, a, na);
	memcpy(s + na, sep, ns);
	memcpy(s + na + ns, b, nb);
	memcpy(s + na + ns + nb, end, ne + 1);
	return s;
}

static const char *
sub(struct cc *c, const char *field, const char *member)
{
	return join(c, field, ".", member, "");
}

static const char *
item(struct cc *c, const char *field, size_t i)
{
	char	num[24], *p = num + sizeof(num) - 1;

	*p = '\0';
	do
		*--p = (char)('0' + i % 10);
	while ((i /= 10) > 0);
	return join(c, field, "[", p, "]");
}

static int
find(const struct cc *c, const char *id)
{
	size_t	i = (size_t)wa_hash_str(id) & c->hmask;

	for (; c->hash[i] != 0; i = (i + 1) & c->hmask)
		if (strcmp(c->f->steps[c->hash[i] - 1].id, id) == 0)
			return c->hash[i] - 1;
	return -1;
}

static void
insert(struct cc *c, size_t idx)
{
	size_t	i = (size_t)wa_hash_str(c->f->steps[idx].id) & c->hmask;

	while (c->hash[i] != 0)
		i = (i + 1) & c->hmask;
	c->hash[i] = (int)idx + 1;
}

static int
valid_id(const char *s)
{
	size_t	n = strlen(s), i;

	if (n == 0 || n > WA_FLOW_ID_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' &&
		    s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '_' || s[i] == '-'))
			return 0;
	return 1;
}

static size_t
chars(const char *s)
{
	return wa_utf8_count(s, strlen(s));
}

/* The string member name of o, or NULL. */
static const char *
jstr(const cJSON *o, const char *name)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int
jnull(const cJSON *o, const char *name)
{
	return cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(o, name));
}

/* Member name of o, or NULL when it is absent or null (an error at
 * field when it is required). */
static const cJSON *
member(struct cc *c, const cJSON *o, const char *name, const char *field,
    int required)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, name);

	if (v != NULL && !cJSON_IsNull(v))
		return v;
	if (required)
		cerr(c, field, "is required");
	return NULL;
}

/*
 * A string member: its value, or NULL when absent (an error if
 * required) or wrong (an error).
 */
static const char *
str_at(struct cc *c, const cJSON *o, const char *name, const char *field,
    int required, size_t max)
{
	const cJSON	*v;

	if ((v = member(c, o, name, field, required)) == NULL)
		return NULL;
	if (!cJSON_IsString(v)) {
		cerr(c, field, "must be a string");
		return NULL;
	}
	if (required && v->valuestring[0] == '\0') {
		cerr(c, field, "must not be empty");
		return NULL;
	}
	if (chars(v->valuestring) > max) {
		cerr(c, field, "must be at most %zu characters", max);
		return NULL;
	}
	return v->valuestring;
}

static const char *
str(struct cc *c, const cJSON *o, const char *name, int required,
    size_t max)
{
	return str_at(c, o, name, name, required, max);
}

/* One of n words; -1 if absent (and not required) or wrong. */
static int
word_at(struct cc *c, const cJSON *o, const char *name, const char *field,
    int required, const char *const *words, size_t n)
{
	const char	*s = str_at(c, o, name, field, required, 64);
	size_t		 i;
	char		*list;

	if (s == NULL)
		return -1;
	for (i = 0; i < n; i++)
		if (strcmp(words[i], s) == 0)
			return (int)i;
	list = wa_arena_strdup(c->a, words[0]);
	for (i = 1; i < n; i++)
		list = wa_arena_printf(c->a, "%s, %s", list, words[i]);
	cerr(c, field, "must be one of: %s", list);
	return -1;
}

static int
word(struct cc *c, const cJSON *o, const char *name, int required,
    const char *const *words, size_t n)
{
	return word_at(c, o, name, name, required, words, n);
}

/* An integer member in [min, max]; def when absent; -1 on error. */
static int
integer(struct cc *c, const cJSON *o, const char *name, int required,
    int min, int max, int def)
{
	const cJSON	*v;

	if ((v = member(c, o, name, name, required)) == NULL)
		return required ? -1 : def;
	if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) ||
	    floor(v->valuedouble) != v->valuedouble ||
	    v->valuedouble < min || v->valuedouble > max) {
		cerr(c, name, "must be an integer from %d to %d", min, max);
		return -1;
	}
	return (int)v->valuedouble;
}

static int
following(const struct cc *c)
{
	return c->si + 1 < c->f->nsteps ? (int)c->si + 1 : WA_FLOW_END_OF_FLOW;
}

/* A step reference at o.name: its index; def when absent (an error if
 * required, def then returned anyway so that compilation goes on). */
static int
ref_at(struct cc *c, const cJSON *o, const char *name, const char *field,
    int required, int def)
{
	const char	*id = str_at(c, o, name, field, required,
	    WA_FLOW_ID_MAX);
	int		 i;

	if (id == NULL)
		return def;
	if ((i = find(c, id)) < 0) {
		cerr(c, field, "must name a step of this flow (there is no "
		    "step \"%s\")", id);
		return def;
	}
	return i;
}

static int
ref(struct cc *c, const cJSON *o, const char *name, int required, int def)
{
	return ref_at(c, o, name, name, required, def);
}

static struct wa_flow_tmpl *
tmpl_at(struct cc *c, const cJSON *o, const char *name, const char *field,
    int required, size_t max)
{
	const char		*s = str_at(c, o, name, field, required, max);
	const char		*why;
	struct wa_flow_tmpl	*t;

	if (s == NULL)
		return NULL;
	if ((t = wa_flow_tmpl_parse(c->a, s, &why)) == NULL)
		cerr(c, field, "%s", why);
	return t;
}

static struct wa_flow_tmpl *
tmpl(struct cc *c, const cJSON *o, const char *name, int required,
    size_t max)
{
	return tmpl_at(c, o, name, name, required, max);
}

/* A variable the step writes. */
static int
var_at(struct cc *c, const cJSON *o, const char *name, const char *field,
    int writable, struct wa_flow_path *out)
{
	const char	*s = str_at(c, o, name, field, 1, 600), *why;

	if (s == NULL)
		return 0;
	if ((why = wa_flow_path_parse(c->a, s, strlen(s), out)) != NULL) {
		cerr(c, field, "%s", why);
		return 0;
	}
	if (writable && !wa_flow_path_writable(out)) {
		cerr(c, field, "names a read-only system variable; steps "
		    "write flow.* and contact.*");
		return 0;
	}
	return 1;
}

static void
exits(struct cc *c, size_t n)
{
	c->s->exits = wa_arena_calloc(c->a, n, sizeof(*c->s->exits));
	c->s->nexits = n;
	c->f->nexits += n;
}

static void
set_exit(struct cc *c, size_t i, const char *name, int target)
{
	c->s->exits[i].name = name;
	c->s->exits[i].target = target;
}

/* An array member of 1..max items; NULL when absent or wrong. */
static const cJSON *
array(struct cc *c, const cJSON *o, const char *name, const char *field,
    int required, size_t max)
{
	const cJSON	*v;
	size_t		 n;

	if ((v = member(c, o, name, field, required)) == NULL)
		return NULL;
	if (!cJSON_IsArray(v)) {
		cerr(c, field, "must be an array");
		return NULL;
	}
	n = (size_t)cJSON_GetArraySize(v);
	if (n == 0 || n > max) {
		cerr(c, field, "must have 1 to %zu items", max);
		return NULL;
	}
	return v;
}

static void
compile_message(struct cc *c, const cJSON *o)
{
	const cJSON	*m = cJSON_GetObjectItemCaseSensitive(o, "media");
	const char	*url;
	int		 t;

	c->s->text = tmpl(c, o, "text", 0, WA_FLOW_TEXT_MAX);
	if (m != NULL && !cJSON_IsNull(m)) {
		if (!cJSON_IsObject(m))
			cerr(c, "media", "must be an object");
		else {
			t = word_at(c, m, "type", "media.type", 1, media_types,
			    NWORDS(media_types));
			if (t >= 0)
				c->s->media_type = media_types[t];
			c->s->media_url = tmpl_at(c, m, "url", "media.url", 1,
			    WA_FLOW_URL_MAX);
			url = jstr(m, "url");
			if (c->s->media_url != NULL &&
			    wa_flow_tmpl_literal(c->s->media_url) &&
			    !wa_valid_url(url))
				cerr(c, "media.url", "must be an absolute "
				    "http(s) URL");
			c->s->caption = tmpl_at(c, m, "caption",
			    "media.caption", 0, 1024);
			c->s->filename = str_at(c, m, "filename",
			    "media.filename", 0, 255);
		}
	} else if (cJSON_GetObjectItemCaseSensitive(o, "text") == NULL)
		cerr(c, "", "needs text or media");
	exits(c, 1);
	set_exit(c, WA_FLOW_X_NEXT, "next", ref(c, o, "next", 0,
	    following(c)));
}

static void
compile_options(struct cc *c, const cJSON *o)
{
	const cJSON		*arr, *it;
	struct wa_flow_option	*op;
	const char		*f;
	size_t			 i = 0, j;

	if ((arr = array(c, o, "options", "options", 1,
	    WA_FLOW_OPTIONS_MAX)) == NULL)
		return;
	c->s->options = wa_arena_calloc(c->a, (size_t)cJSON_GetArraySize(arr),
	    sizeof(*c->s->options));
	cJSON_ArrayForEach(it, arr) {
		f = item(c, "options", i++);
		op = &c->s->options[c->s->noptions];
		if (cJSON_IsString(it)) {
			if (it->valuestring[0] == '\0' ||
			    chars(it->valuestring) > WA_FLOW_NAME_MAX) {
				cerr(c, f, "must be 1 to %d characters",
				    WA_FLOW_NAME_MAX);
				continue;
			}
			op->id = op->title = it->valuestring;
			op->value = it;
		} else if (cJSON_IsObject(it)) {
			op->title = str_at(c, it, "title", sub(c, f, "title"),
			    1, WA_FLOW_NAME_MAX);
			op->id = str_at(c, it, "id", sub(c, f, "id"), 0,
			    WA_FLOW_NAME_MAX);
			if (op->title == NULL)
				continue;
			if (op->id == NULL)
				op->id = op->title;
			op->value = cJSON_GetObjectItemCaseSensitive(it,
			    "value");
			if (op->value == NULL)
				op->value = cJSON_GetObjectItemCaseSensitive(it,
				    op->id == op->title ? "title" : "id");
			else if (!cJSON_IsString(op->value) &&
			    !cJSON_IsNumber(op->value) &&
			    !cJSON_IsBool(op->value)) {
				cerr(c, sub(c, f, "value"), "must be a string, "
				    "number or boolean");
				continue;
			}
		} else {
			cerr(c, f, "must be a string or an object with title "
			    "(and id, value)");
			continue;
		}
		for (j = 0; j < c->s->noptions; j++)
			if (strcmp(c->s->options[j].id, op->id) == 0)
				break;
		if (j < c->s->noptions) {
			cerr(c, f, "repeats the option \"%s\"", op->id);
			continue;
		}
		c->s->noptions++;
	}
}

static void
compile_question(struct cc *c, const cJSON *o)
{
	struct wa_flow_step	*s = c->s;
	const cJSON		*v;
	const char		*p, *why;
	int			 k;

	s->text = tmpl(c, o, "prompt", 1, WA_FLOW_TEXT_MAX);
	k = word(c, o, "input", 0, wa_flow_input_names, WA_FLOW_IN__MAX);
	s->input = k < 0 ? WA_FLOW_IN_TEXT : (enum wa_flow_input)k;
	if (s->input == WA_FLOW_IN_CHOICE)
		compile_options(c, o);
	if (s->input == WA_FLOW_IN_REGEX &&
	    (p = str(c, o, "pattern", 1, 1024)) != NULL &&
	    (s->pattern = wa_flow_re_compile(c->a, p, 0, &why)) == NULL)
		cerr(c, "pattern", "%s", why);
	if (s->input == WA_FLOW_IN_NUMBER) {
		if ((v = cJSON_GetObjectItemCaseSensitive(o, "min")) != NULL &&
		    !cJSON_IsNull(v)) {
			if (cJSON_IsNumber(v) && isfinite(v->valuedouble)) {
				s->has_min = 1;
				s->min = v->valuedouble;
			} else
				cerr(c, "min", "must be a number");
		}
		if ((v = cJSON_GetObjectItemCaseSensitive(o, "max")) != NULL &&
		    !cJSON_IsNull(v)) {
			if (cJSON_IsNumber(v) && isfinite(v->valuedouble)) {
				s->has_max = 1;
				s->max = v->valuedouble;
			} else
				cerr(c, "max", "must be a number");
		}
		if (s->has_min && s->has_max && s->min > s->max)
			cerr(c, "max", "must not be less than min");
	}
	if (cJSON_GetObjectItemCaseSensitive(o, "save_to") != NULL &&
	    !jnull(o, "save_to"))
		s->has_save = var_at(c, o, "save_to", "save_to", 1,
		    &s->save_to);
	s->max_attempts = integer(c, o, "max_attempts", 0, 1,
	    WA_FLOW_ATTEMPTS_MAX, WA_FLOW_ATTEMPTS_DEFAULT);
	s->retry = tmpl(c, o, "retry_message", 0, WA_FLOW_TEXT_MAX);
	s->timeout_s = integer(c, o, "timeout_s", 0, 1, WA_FLOW_TIMEOUT_MAX,
	    0);
	if (s->timeout_s < 0)
		s->timeout_s = 0;
	exits(c, s->timeout_s > 0 ? 3 : 2);
	set_exit(c, WA_FLOW_X_NEXT, "next", ref(c, o, "next", 0,
	    following(c)));
	set_exit(c, WA_FLOW_X_INVALID, "on_invalid", ref(c, o, "on_invalid",
	    1, WA_FLOW_END_OF_FLOW));
	if (s->timeout_s > 0)
		set_exit(c, WA_FLOW_X_TIMEOUT, "on_timeout", ref(c, o,
		    "on_timeout", 1, WA_FLOW_END_OF_FLOW));
	else if (cJSON_GetObjectItemCaseSensitive(o, "on_timeout") != NULL &&
	    !jnull(o, "on_timeout") &&
	    cJSON_GetObjectItemCaseSensitive(o, "timeout_s") == NULL)
		cerr(c, "on_timeout", "needs timeout_s");
}

static struct wa_flow_group *compile_group(struct cc *, const cJSON *,
    const char *, int);

static struct wa_flow_cmp *
compile_cmp(struct cc *c, const cJSON *o, const char *f)
{
	struct wa_flow_cmp	*m = wa_arena_calloc(c->a, 1, sizeof(*m));
	const cJSON		*v, *cs;
	const char		*why;
	int			 op;

	if (++c->ncmps == WA_FLOW_CMPS_MAX + 1)
		cerr(c, "branches", "must hold at most %d comparisons in all",
		    WA_FLOW_CMPS_MAX);
	if (c->ncmps > WA_FLOW_CMPS_MAX)
		return NULL;
	(void)var_at(c, o, "var", sub(c, f, "var"), 0, &m->var);
	op = wa_flow_op_parse(str_at(c, o, "op", sub(c, f, "op"), 1, 64));
	if (op < 0 && jstr(o, "op") != NULL)
		cerr(c, sub(c, f, "op"), "must be one of: eq, ne, contains, "
		    "not_contains, gt, gte, lt, lte, is_set, is_empty, "
		    "starts_with, ends_with, matches");
	cs = cJSON_GetObjectItemCaseSensitive(o, "case_sensitive");
	if (cs != NULL && !cJSON_IsNull(cs)) {
		if (!cJSON_IsBool(cs))
			cerr(c, sub(c, f, "case_sensitive"),
			    "must be a boolean");
		else if (cJSON_IsTrue(cs))
			m->flags |= WA_FLOW_CMP_CASE;
	}
	if (op < 0)
		return NULL;
	m->op = (enum wa_flow_op)op;
	v = cJSON_GetObjectItemCaseSensitive(o, "value");
	if (wa_flow_op_unary(m->op))
		return m;
	if (v == NULL) {
		cerr(c, sub(c, f, "value"), "is required for %s",
		    wa_flow_op_names[op]);
		return NULL;
	}
	if (cJSON_IsArray(v) || cJSON_IsObject(v)) {
		cerr(c, sub(c, f, "value"), "must be a string, number, "
		    "boolean or null");
		return NULL;
	}
	m->value = v;
	if (m->op == WA_FLOW_OP_MATCHES) {
		if (!cJSON_IsString(v))
			cerr(c, sub(c, f, "value"), "must be a pattern "
			    "(a string)");
		else if ((m->re = wa_flow_re_compile(c->a, v->valuestring,
		    !(m->flags & WA_FLOW_CMP_CASE), &why)) == NULL)
			cerr(c, sub(c, f, "value"), "%s", why);
		return m;
	}
	if (cJSON_IsString(v)) {
		if (chars(v->valuestring) > WA_FLOW_TEXT_MAX)
			cerr(c, sub(c, f, "value"), "must be at most %d "
			    "characters", WA_FLOW_TEXT_MAX);
		else if ((m->tmpl = wa_flow_tmpl_parse(c->a, v->valuestring,
		    &why)) == NULL)
			cerr(c, sub(c, f, "value"), "%s", why);
		else if (wa_flow_tmpl_literal(m->tmpl))
			m->tmpl = NULL;
	}
	return m;
}

static struct wa_flow_group *
compile_group(struct cc *c, const cJSON *o, const char *f, int depth)
{
	struct wa_flow_group	*g;
	const cJSON		*all, *any, *arr, *it;
	const char		*af, *itf;
	size_t			 n, i = 0;

	if (!cJSON_IsObject(o)) {
		cerr(c, f, "must be an object with all or any");
		return NULL;
	}
	if (depth > WA_FLOW_COND_DEPTH_MAX) {
		cerr(c, f, "nests all/any deeper than %d",
		    WA_FLOW_COND_DEPTH_MAX);
		return NULL;
	}
	all = cJSON_GetObjectItemCaseSensitive(o, "all");
	any = cJSON_GetObjectItemCaseSensitive(o, "any");
	if ((all == NULL) == (any == NULL)) {
		cerr(c, f, "must have either all or any (a list of "
		    "comparisons)");
		return NULL;
	}
	af = sub(c, f, all != NULL ? "all" : "any");
	if ((arr = array(c, o, all != NULL ? "all" : "any", af, 1,
	    WA_FLOW_CMPS_MAX)) == NULL)
		return NULL;
	n = (size_t)cJSON_GetArraySize(arr);
	g = wa_arena_calloc(c->a, 1, sizeof(*g));
	g->any = any != NULL;
	g->n = n;
	g->groups = wa_arena_calloc(c->a, n, sizeof(*g->groups));
	g->cmps = wa_arena_calloc(c->a, n, sizeof(*g->cmps));
	cJSON_ArrayForEach(it, arr) {
		itf = item(c, af, i);
		if (!cJSON_IsObject(it))
			cerr(c, itf, "must be a comparison {var, op, value} or "
			    "a group {all|any}");
		else if (cJSON_HasObjectItem(it, "all") ||
		    cJSON_HasObjectItem(it, "any"))
			g->groups[i] = compile_group(c, it, itf, depth + 1);
		else
			g->cmps[i] = compile_cmp(c, it, itf);
		if (g->groups[i] == NULL && g->cmps[i] == NULL)
			return NULL;
		i++;
	}
	return g;
}

static void
compile_condition(struct cc *c, const cJSON *o)
{
	struct wa_flow_step	*s = c->s;
	const cJSON		*arr, *it;
	const char		*f;
	size_t			 i = 0, n;

	arr = array(c, o, "branches", "branches", 1, WA_FLOW_BRANCHES_MAX);
	n = arr != NULL ? (size_t)cJSON_GetArraySize(arr) : 0;
	s->branches = wa_arena_calloc(c->a, n + 1, sizeof(*s->branches));
	s->nbranches = n;
	exits(c, n + 1);
	cJSON_ArrayForEach(it, arr) {
		f = item(c, "branches", i);
		set_exit(c, i, wa_arena_printf(c->a, "branches[%zu]", i),
		    WA_FLOW_END_OF_FLOW);
		if (!cJSON_IsObject(it)) {
			cerr(c, f, "must be an object with when and next");
			i++;
			continue;
		}
		if (!cJSON_HasObjectItem(it, "when"))
			cerr(c, sub(c, f, "when"), "is required");
		else
			s->branches[i] = compile_group(c,
			    cJSON_GetObjectItemCaseSensitive(it, "when"),
			    sub(c, f, "when"), 1);
		s->exits[i].target = ref_at(c, it, "next", sub(c, f, "next"),
		    1, WA_FLOW_END_OF_FLOW);
		i++;
	}
	set_exit(c, n, "default", ref(c, o, "default", 0, following(c)));
}

static void
compile_assign(struct cc *c, const cJSON *o, const char *f,
    struct wa_flow_assign *as)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, "value");
	const cJSON	*e = cJSON_GetObjectItemCaseSensitive(o, "expr");
	const char	*why;

	(void)var_at(c, o, "var", sub(c, f, "var"), 1, &as->var);
	if ((v == NULL) == (e == NULL)) {
		cerr(c, f, "must have either value or expr");
		return;
	}
	if (e != NULL) {
		if (!cJSON_IsString(e))
			cerr(c, sub(c, f, "expr"), "must be a string");
		else if ((as->expr = wa_flow_expr_parse(c->a, e->valuestring,
		    &why)) == NULL)
			cerr(c, sub(c, f, "expr"), "%s", why);
		return;
	}
	if ((why = wa_flow_value_check(v)) != NULL) {
		cerr(c, sub(c, f, "value"), "%s", why);
		return;
	}
	as->value = v;
	if (cJSON_IsString(v)) {
		if ((as->tmpl = wa_flow_tmpl_parse(c->a, v->valuestring,
		    &why)) == NULL)
			cerr(c, sub(c, f, "value"), "%s", why);
		else if (wa_flow_tmpl_literal(as->tmpl))
			as->tmpl = NULL;
	}
}

static void
compile_set(struct cc *c, const cJSON *o)
{
	const cJSON	*arr, *it;
	const char	*f;
	size_t		 i = 0;

	if ((arr = array(c, o, "assignments", "assignments", 1,
	    WA_FLOW_ASSIGN_MAX)) != NULL) {
		c->s->assigns = wa_arena_calloc(c->a,
		    (size_t)cJSON_GetArraySize(arr), sizeof(*c->s->assigns));
		cJSON_ArrayForEach(it, arr) {
			f = item(c, "assignments", i++);
			if (!cJSON_IsObject(it))
				cerr(c, f, "must be an object with var and "
				    "value or expr");
			else
				compile_assign(c, it, f,
				    &c->s->assigns[c->s->nassigns++]);
		}
	}
	exits(c, 1);
	set_exit(c, WA_FLOW_X_NEXT, "next", ref(c, o, "next", 0,
	    following(c)));
}

/* An HTTP header name (RFC 9110 token), 1-64 characters. */
static int
valid_token(const char *s)
{
	size_t	i, n = strlen(s);

	if (n == 0 || n > 64)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') ||
		    strchr("!#$%&'*+.^_`|~-", s[i]) != NULL))
			return 0;
	return 1;
}

/* Every string inside an http body is a template. */
static void
body_templates(struct cc *c, const cJSON *v, const char *f, int depth)
{
	const cJSON	*it;
	const char	*why;
	size_t		 i = 0;

	if (depth > WA_FLOW_VALUE_DEPTH_MAX)
		return;
	if (cJSON_IsString(v)) {
		if (wa_flow_tmpl_parse(c->a, v->valuestring, &why) == NULL)
			cerr(c, f, "%s", why);
		return;
	}
	cJSON_ArrayForEach(it, v) {
		body_templates(c, it, cJSON_IsArray(v) ? item(c, f, i) :
		    sub(c, f, it->string), depth + 1);
		i++;
	}
}

/* "status", "body", "body.a.0", "headers.x-id" */
static int
valid_response_path(const char *s)
{
	size_t	seg = 0, nseg = 0, i;

	if (strcmp(s, "status") == 0 || strcmp(s, "body") == 0)
		return 1;
	if (strncmp(s, "body.", 5) == 0)
		i = 5;
	else if (strncmp(s, "headers.", 8) == 0)
		i = 8;
	else
		return 0;
	for (; ; i++) {
		if (s[i] == '.' || s[i] == '\0') {
			if (seg == 0 || seg > WA_FLOW_SEG_MAX ||
			    ++nseg > WA_FLOW_PATH_SEGS_MAX)
				return 0;
			seg = 0;
			if (s[i] == '\0')
				return 1;
		} else
			seg++;
	}
}

static void
map_entry(struct cc *c, const cJSON *it)
{
	struct wa_flow_mapping	*mp = &c->s->mappings[c->s->nmappings];
	const char		*f = sub(c, "mapping", it->string), *why;

	if (!cJSON_IsString(it) || !valid_response_path(it->valuestring)) {
		cerr(c, f, "must be a response path: status, body, "
		    "body.<field>... or headers.<name>");
		return;
	}
	if ((why = wa_flow_path_parse(c->a, it->string, strlen(it->string),
	    &mp->var)) != NULL) {
		cerr(c, f, "is not a variable: it %s", why);
		return;
	}
	if (!wa_flow_path_writable(&mp->var)) {
		cerr(c, f, "names a read-only system variable");
		return;
	}
	mp->from = it->valuestring;
	c->s->nmappings++;
}

static void
compile_http(struct cc *c, const cJSON *o)
{
	struct wa_flow_step	*s = c->s;
	const cJSON		*h, *m, *it, *b;
	const char		*f, *why, *u;
	struct wa_flow_tmpl	*t;
	int			 k, next;

	k = word(c, o, "method", 0, methods, NWORDS(methods));
	s->method = k < 0 ? "GET" : methods[k];
	s->url = tmpl(c, o, "url", 1, WA_FLOW_URL_MAX);
	u = jstr(o, "url");
	if (s->url != NULL && wa_flow_tmpl_literal(s->url) && !wa_valid_url(u))
		cerr(c, "url", "must be an absolute http(s) URL");
	if ((h = cJSON_GetObjectItemCaseSensitive(o, "headers")) != NULL &&
	    !cJSON_IsNull(h)) {
		if (!cJSON_IsObject(h))
			cerr(c, "headers", "must be an object of names and "
			    "values");
		else if (cJSON_GetArraySize(h) > WA_FLOW_HEADERS_MAX)
			cerr(c, "headers", "must have at most %d headers",
			    WA_FLOW_HEADERS_MAX);
		else {
			s->headers = wa_arena_calloc(c->a,
			    (size_t)cJSON_GetArraySize(h), sizeof(*s->headers));
			cJSON_ArrayForEach(it, h) {
				f = sub(c, "headers", it->string);
				if (!valid_token(it->string))
					cerr(c, f, "is not a valid header "
					    "name");
				else if ((t = tmpl_at(c, h, it->string, f, 0,
				    WA_FLOW_HEADER_MAX)) != NULL) {
					s->headers[s->nheaders].name =
					    it->string;
					s->headers[s->nheaders++].value = t;
				}
			}
		}
	}
	if ((b = cJSON_GetObjectItemCaseSensitive(o, "body")) != NULL &&
	    !cJSON_IsNull(b)) {
		if ((why = wa_flow_value_check(b)) != NULL)
			cerr(c, "body", "%s", why);
		else {
			s->body = b;
			body_templates(c, b, "body", 0);
		}
	}
	s->timeout_ms = integer(c, o, "timeout_ms", 0,
	    WA_FLOW_HTTP_TIMEOUT_MIN, WA_FLOW_HTTP_TIMEOUT_MAX,
	    WA_FLOW_HTTP_TIMEOUT_DEFAULT);
	if ((m = cJSON_GetObjectItemCaseSensitive(o, "mapping")) != NULL &&
	    !cJSON_IsNull(m)) {
		if (!cJSON_IsObject(m))
			cerr(c, "mapping", "must be an object of variable -> "
			    "response path");
		else if (cJSON_GetArraySize(m) > WA_FLOW_MAPPING_MAX)
			cerr(c, "mapping", "must have at most %d entries",
			    WA_FLOW_MAPPING_MAX);
		else {
			s->mappings = wa_arena_calloc(c->a,
			    (size_t)cJSON_GetArraySize(m),
			    sizeof(*s->mappings));
			cJSON_ArrayForEach(it, m)
				map_entry(c, it);
		}
	}
	next = ref(c, o, "next", 0, following(c));
	exits(c, cJSON_GetObjectItemCaseSensitive(o, "on_error") != NULL &&
	    !jnull(o, "on_error") ? 2 : 1);
	set_exit(c, WA_FLOW_X_SUCCESS, "on_success", ref(c, o, "on_success",
	    0, next));
	if (s->nexits == 2)
		set_exit(c, WA_FLOW_X_ERROR, "on_error", ref(c, o, "on_error",
		    1, WA_FLOW_END_OF_FLOW));
}

static void
compile_jump(struct cc *c, const cJSON *o)
{
	c->s->max_jumps = integer(c, o, "max_jumps", 1, 1, WA_FLOW_JUMPS_MAX,
	    0);
	exits(c, 2);
	set_exit(c, WA_FLOW_X_TARGET, "target", ref(c, o, "target", 1,
	    WA_FLOW_END_OF_FLOW));
	set_exit(c, WA_FLOW_X_EXHAUSTED, "on_exhausted", ref(c, o,
	    "on_exhausted", 0, following(c)));
}

static void
compile_step(struct cc *c, const cJSON *o)
{
	struct wa_flow_step	*s = c->s;

	switch (s->type) {
	case WA_FLOW_MESSAGE:
		compile_message(c, o);
		break;
	case WA_FLOW_QUESTION:
		compile_question(c, o);
		break;
	case WA_FLOW_CONDITION:
		compile_condition(c, o);
		break;
	case WA_FLOW_SET_VARIABLE:
		compile_set(c, o);
		break;
	case WA_FLOW_HTTP_REQUEST:
		compile_http(c, o);
		break;
	case WA_FLOW_DELAY:
		s->seconds = integer(c, o, "seconds", 1, 1, WA_FLOW_DELAY_MAX,
		    0);
		exits(c, 1);
		set_exit(c, WA_FLOW_X_NEXT, "next", ref(c, o, "next", 0,
		    following(c)));
		break;
	case WA_FLOW_JUMP:
		compile_jump(c, o);
		break;
	case WA_FLOW_HANDOFF:
		s->team = str(c, o, "team", 0, WA_FLOW_NAME_MAX);
		s->department = str(c, o, "department", 0, WA_FLOW_NAME_MAX);
		s->text = tmpl(c, o, "message", 0, WA_FLOW_TEXT_MAX);
		break;
	case WA_FLOW_END:
		s->text = tmpl(c, o, "message", 0, WA_FLOW_TEXT_MAX);
		break;
	default:
		break;
	}
}

static int
listed(const char *const *list, const char *s)
{
	for (; *list != NULL; list++)
		if (strcmp(*list, s) == 0)
			return 1;
	return 0;
}

/* Members the step's type does not read: typos, mostly. */
static void
unknown_fields(struct cc *c, const cJSON *o)
{
	const cJSON	*it;

	cJSON_ArrayForEach(it, o) {
		if (listed(common_fields, it->string) ||
		    listed(type_fields[c->s->type], it->string))
			continue;
		wa_flow_issue(c->a, c->rep, wa_arena_printf(c->a, "%s.%s",
		    c->spath, it->string), c->s->id, "unknown_field",
		    "is not used by %s %s step and is ignored",
		    c->s->type == WA_FLOW_END ||
		    c->s->type == WA_FLOW_HTTP_REQUEST ? "an" : "a",
		    wa_flow_type_names[c->s->type]);
	}
}

/* First pass: ids and types, so that references may point forward. */
static int
collect(struct cc *c, const cJSON *steps)
{
	const cJSON		*o;
	struct wa_flow_step	*s;
	const char		*id;
	size_t			 i = 0, cap;
	int			 t, ok = 1;

	for (cap = 16; cap < 2 * c->f->nsteps; cap *= 2)
		;
	c->hash = wa_arena_calloc(c->a, cap, sizeof(*c->hash));
	c->hmask = cap - 1;
	cJSON_ArrayForEach(o, steps) {
		c->si = i;
		c->s = s = &c->f->steps[i];
		c->spath = wa_arena_printf(c->a, "%s[%zu]", c->path, i++);
		s->json = o;
		s->id = "";
		s->type = WA_FLOW_TYPE__MAX;
		if (!cJSON_IsObject(o)) {
			cerr(c, "", "must be an object");
			ok = 0;
			continue;
		}
		if ((id = str(c, o, "id", 1, WA_FLOW_ID_MAX)) != NULL) {
			if (!valid_id(id))
				cerr(c, "id", "must be 1 to %d letters, "
				    "digits, _ or -", WA_FLOW_ID_MAX);
			else {
				s->id = id;
				if (find(c, id) >= 0)
					cerr(c, "id", "repeats the id \"%s\" "
					    "(step ids are unique)", id);
				else
					insert(c, (size_t)(s - c->f->steps));
			}
		}
		t = word(c, o, "type", 1, wa_flow_type_names,
		    WA_FLOW_TYPE__MAX);
		if (t < 0)
			ok = 0;
		else
			s->type = (enum wa_flow_type)t;
	}
	return ok;
}

struct wa_flow *
wa_flow_compile(struct wa_arena *a, const cJSON *steps, const char *path,
    struct wa_flow_report *rep)
{
	struct cc	 c;
	struct wa_flow	*f;
	const cJSON	*o;
	size_t		 n, i = 0;

	memset(rep, 0, sizeof(*rep));
	memset(&c, 0, sizeof(c));
	c.a = a;
	c.rep = rep;
	c.path = path;
	c.spath = path;
	if (!cJSON_IsArray(steps)) {
		wa_flow_issue(a, rep, path, NULL, NULL, "must be an array of "
		    "steps");
		return NULL;
	}
	if ((n = (size_t)cJSON_GetArraySize(steps)) > WA_FLOW_STEPS_MAX) {
		wa_flow_issue(a, rep, path, NULL, NULL, "must have at most %d "
		    "steps", WA_FLOW_STEPS_MAX);
		return NULL;
	}
	f = c.f = wa_arena_calloc(a, 1, sizeof(*f));
	f->nsteps = n;
	f->steps = wa_arena_calloc(a, n + 1, sizeof(*f->steps));
	(void)collect(&c, steps);
	cJSON_ArrayForEach(o, steps) {
		c.si = i;
		c.s = &f->steps[i];
		c.spath = wa_arena_printf(a, "%s[%zu]", path, i++);
		c.ncmps = 0;
		if (c.s->type == WA_FLOW_TYPE__MAX)
			continue;
		compile_step(&c, o);
		unknown_fields(&c, o);
	}
	if (rep->nerrors > 0) {
		/* warnings about a definition that is refused would only
		 * be noise */
		rep->nlint = rep->lint_more = 0;
		return NULL;
	}
	wa_flow_lint(a, f, path, rep);
	return f;
}
