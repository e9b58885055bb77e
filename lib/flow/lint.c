/*
 * Lint: what is legal but probably wrong.  Everything here works on
 * the compiled flow, whose exits are one table per step, so the graph
 * algorithms below do not need to know the step types.
 *
 * read_before_write is a "may be set" data-flow analysis: a flow
 * variable read at a step is fine if at least one path from the first
 * step sets it before; a question sets its variable only on its valid
 * exit, an http_request only on success.  Reads guarded by a default
 * ({{x|...}}) or by is_set/is_empty are not reported.
 */
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include "arena.h"
#include "flow.h"
#include "expr.h"
#include "tmpl.h"

#define NAMES_MAX	256	/* flow variables the analysis follows */
#define WORDS		(NAMES_MAX / 64)

struct ev {
	int		 write;
	int		 bit;
	const char	*text;		/* "flow.email" */
	const char	*field;		/* "text", "assignments[0].expr" */
};

struct evlist {
	struct ev	*v;
	size_t		 n, cap;
};

struct lint {
	struct wa_arena		*a;
	const struct wa_flow	*f;
	const char		*path;
	struct wa_flow_report	*rep;
	const char		*names[NAMES_MAX];
	size_t			 nnames;
	struct evlist		*evs;		/* per step */
	int			*reach;
};

static int
intern(struct lint *l, const char *name)
{
	size_t	i;

	for (i = 0; i < l->nnames; i++)
		if (strcmp(l->names[i], name) == 0)
			return (int)i;
	if (l->nnames == NAMES_MAX)
		return -1;
	l->names[l->nnames] = name;
	return (int)l->nnames++;
}

static void
ev_add(struct lint *l, struct evlist *el, int write,
    const struct wa_flow_path *p, const char *field)
{
	struct ev	*nv;
	int		 bit;

	if (p == NULL || p->ns != WA_FLOW_NS_FLOW || p->nseg == 0 ||
	    (bit = intern(l, p->seg[0])) < 0)
		return;
	if (el->n == el->cap) {
		el->cap = el->cap == 0 ? 8 : 2 * el->cap;
		nv = wa_arena_calloc(l->a, el->cap, sizeof(*nv));
		if (el->n > 0)
			memcpy(nv, el->v, el->n * sizeof(*nv));
		el->v = nv;
	}
	el->v[el->n].write = write;
	el->v[el->n].bit = bit;
	el->v[el->n].text = p->text;
	el->v[el->n++].field = field;
}

static void
ev_tmpl(struct lint *l, struct evlist *el, const struct wa_flow_tmpl *t,
    const char *field)
{
	size_t	i;
	int	def;
	const struct wa_flow_path *p;

	if (t == NULL)
		return;
	for (i = 0; i < wa_flow_tmpl_nvars(t); i++) {
		p = wa_flow_tmpl_var(t, i, &def);
		if (!def)
			ev_add(l, el, 0, p, field);
	}
}

static void
ev_group(struct lint *l, struct evlist *el, const struct wa_flow_group *g,
    const char *field)
{
	const struct wa_flow_cmp	*m;
	size_t				 i;

	for (i = 0; g != NULL && i < g->n; i++) {
		if (g->groups[i] != NULL) {
			ev_group(l, el, g->groups[i], field);
			continue;
		}
		if ((m = g->cmps[i]) == NULL)
			continue;
		if (!wa_flow_op_unary(m->op))
			ev_add(l, el, 0, &m->var, field);
		ev_tmpl(l, el, m->tmpl, field);
	}
}

static void
ev_body(struct lint *l, struct evlist *el, const cJSON *v, int depth)
{
	const cJSON		*it;
	struct wa_flow_tmpl	*t;
	const char		*why;

	if (depth > WA_FLOW_VALUE_DEPTH_MAX)
		return;
	if (cJSON_IsString(v)) {
		if ((t = wa_flow_tmpl_parse(l->a, v->valuestring, &why)))
			ev_tmpl(l, el, t, "body");
		return;
	}
	cJSON_ArrayForEach(it, v)
		ev_body(l, el, it, depth + 1);
}

/* The reads and writes of step s, in the order the runner does them. */
static void
events(struct lint *l, const struct wa_flow_step *s, struct evlist *el)
{
	const struct wa_flow_path	*r;
	size_t				 i, j, n;
	const char			*f;

	ev_tmpl(l, el, s->text, s->type == WA_FLOW_QUESTION ? "prompt" :
	    s->type == WA_FLOW_MESSAGE ? "text" : "message");
	ev_tmpl(l, el, s->media_url, "media.url");
	ev_tmpl(l, el, s->caption, "media.caption");
	ev_tmpl(l, el, s->retry, "retry_message");
	if (s->has_save)
		ev_add(l, el, 1, &s->save_to, "save_to");
	for (i = 0; i < s->nbranches; i++)
		ev_group(l, el, s->branches[i], wa_arena_printf(l->a,
		    "branches[%zu].when", i));
	for (i = 0; i < s->nassigns; i++) {
		f = wa_arena_printf(l->a, "assignments[%zu]", i);
		if (s->assigns[i].expr != NULL) {
			r = wa_flow_expr_reads(s->assigns[i].expr, &n);
			for (j = 0; j < n; j++)
				ev_add(l, el, 0, &r[j], f);
		}
		ev_tmpl(l, el, s->assigns[i].tmpl, f);
		ev_add(l, el, 1, &s->assigns[i].var, f);
	}
	ev_tmpl(l, el, s->url, "url");
	for (i = 0; i < s->nheaders; i++)
		ev_tmpl(l, el, s->headers[i].value, "headers");
	if (s->body != NULL)
		ev_body(l, el, s->body, 0);
	for (i = 0; i < s->nmappings; i++)
		ev_add(l, el, 1, &s->mappings[i].var, "mapping");
}

static void	warn(struct lint *, size_t, const char *, const char *,
		    const char *, ...) __attribute__((format(printf, 5, 6)));

static void
warn(struct lint *l, size_t i, const char *field, const char *rule,
    const char *fmt, ...)
{
	const char	*p = wa_arena_printf(l->a, "%s[%zu]%s%s", l->path, i,
	    field != NULL ? "." : "", field != NULL ? field : "");
	va_list		 ap;
	char		*m;

	va_start(ap, fmt);
	m = wa_arena_vprintf(l->a, fmt, ap);
	va_end(ap);
	wa_flow_issue(l->a, l->rep, p, l->f->steps[i].id, rule, "%s", m);
}

static void
reachability(struct lint *l)
{
	const struct wa_flow	*f = l->f;
	size_t			*queue, head = 0, tail = 0, i, k;
	int			 t;

	l->reach = wa_arena_calloc(l->a, f->nsteps + 1, sizeof(int));
	queue = wa_arena_calloc(l->a, f->nsteps + 1, sizeof(*queue));
	if (f->nsteps == 0)
		return;
	l->reach[0] = 1;
	queue[tail++] = 0;
	while (head < tail) {
		i = queue[head++];
		for (k = 0; k < f->steps[i].nexits; k++) {
			t = f->steps[i].exits[k].target;
			if (t >= 0 && !l->reach[t]) {
				l->reach[t] = 1;
				queue[tail++] = (size_t)t;
			}
		}
	}
	for (i = 1; i < f->nsteps; i++)
		if (!l->reach[i])
			warn(l, i, NULL, "unreachable", "is not reachable from "
			    "the first step");
}

/* Single-exit steps that never wait: a cycle of them never ends. */
static int
passes(const struct wa_flow_step *s)
{
	return (s->type == WA_FLOW_MESSAGE || s->type == WA_FLOW_SET_VARIABLE ||
	    s->type == WA_FLOW_DELAY || s->type == WA_FLOW_HTTP_REQUEST) &&
	    s->nexits == 1;
}

static void
endless(struct lint *l)
{
	const struct wa_flow	*f = l->f;
	int			*walk;
	size_t			 i, j, k;
	int			 t;
	char			*ids;

	walk = wa_arena_calloc(l->a, f->nsteps + 1, sizeof(int));
	for (i = 0; i < f->nsteps; i++) {
		if (walk[i] != 0)
			continue;
		/* follow the only exit until the chain leaves, ends or
		 * comes back to a step of this walk */
		for (j = i; ; j = (size_t)t) {
			walk[j] = (int)i + 1;
			if (!passes(&f->steps[j]))
				break;
			t = f->steps[j].exits[0].target;
			if (t < 0 || (walk[t] != 0 && walk[t] != (int)i + 1))
				break;
			if (walk[t] == (int)i + 1) {
				ids = wa_arena_strdup(l->a, f->steps[t].id);
				for (k = (size_t)f->steps[t].exits[0].target;
				    k != (size_t)t;
				    k = (size_t)f->steps[k].exits[0].target)
					ids = wa_arena_printf(l->a, "%s -> %s",
					    ids, f->steps[k].id);
				warn(l, (size_t)t, NULL, "endless_loop",
				    "starts a loop that waits for nothing and "
				    "never ends (%s -> %s); the run stops at "
				    "the step budget", ids, f->steps[t].id);
				break;
			}
		}
	}
}

typedef uint64_t bits[WORDS];

static int
merge(uint64_t *into, const uint64_t *from, const uint64_t *plus)
{
	size_t		k;
	uint64_t	v;
	int		changed = 0;

	for (k = 0; k < WORDS; k++) {
		v = into[k] | from[k] | (plus != NULL ? plus[k] : 0);
		changed |= v != into[k];
		into[k] = v;
	}
	return changed;
}

/* Whether the writes of s happen on its exit k. */
static int
writes_on(const struct wa_flow_step *s, size_t k)
{
	if (s->type == WA_FLOW_QUESTION)
		return k == WA_FLOW_X_NEXT;
	if (s->type == WA_FLOW_HTTP_REQUEST)
		return k == WA_FLOW_X_SUCCESS;
	return 1;
}

static void
reads_before_writes(struct lint *l)
{
	const struct wa_flow	*f = l->f;
	bits			*in, *w, cur;
	size_t			 i, k, e;
	int			 t, changed;

	in = wa_arena_calloc(l->a, f->nsteps + 1, sizeof(*in));
	w = wa_arena_calloc(l->a, f->nsteps + 1, sizeof(*w));
	l->evs = wa_arena_calloc(l->a, f->nsteps + 1, sizeof(*l->evs));
	for (i = 0; i < f->nsteps; i++) {
		events(l, &f->steps[i], &l->evs[i]);
		for (e = 0; e < l->evs[i].n; e++)
			if (l->evs[i].v[e].write)
				w[i][l->evs[i].v[e].bit / 64] |=
				    (uint64_t)1 << (l->evs[i].v[e].bit % 64);
	}
	/* to a fixed point; each pass can only add bits, so at most
	 * NAMES_MAX * nsteps passes, in practice a few */
	do {
		changed = 0;
		for (i = 0; i < f->nsteps; i++) {
			if (!l->reach[i])
				continue;
			for (k = 0; k < f->steps[i].nexits; k++) {
				t = f->steps[i].exits[k].target;
				if (t >= 0)
					changed |= merge(in[t], in[i],
					    writes_on(&f->steps[i], k) ? w[i] :
					    NULL);
			}
		}
	} while (changed);
	for (i = 0; i < f->nsteps; i++) {
		if (!l->reach[i])
			continue;
		memcpy(cur, in[i], sizeof(cur));
		for (e = 0; e < l->evs[i].n; e++) {
			const struct ev *v = &l->evs[i].v[e];
			uint64_t m = (uint64_t)1 << (v->bit % 64);

			if (v->write)
				cur[v->bit / 64] |= m;
			else if (!(cur[v->bit / 64] & m)) {
				warn(l, i, v->field, "read_before_write",
				    "reads %s, which no path from the first "
				    "step sets before it", v->text);
				/* once per variable and step */
				cur[v->bit / 64] |= m;
			}
		}
	}
}

void
wa_flow_lint(struct wa_arena *a, const struct wa_flow *f, const char *path,
    struct wa_flow_report *rep)
{
	struct lint	l;
	size_t		i;

	memset(&l, 0, sizeof(l));
	l.a = a;
	l.f = f;
	l.path = path;
	l.rep = rep;
	reachability(&l);
	endless(&l);
	for (i = 0; i < f->nsteps; i++)
		if (f->steps[i].type == WA_FLOW_HTTP_REQUEST &&
		    f->steps[i].nexits < 2)
			warn(&l, i, NULL, "no_on_error", "has no on_error: a "
			    "failed call ends the conversation with an "
			    "error");
	reads_before_writes(&l);
}
