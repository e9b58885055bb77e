/*
 * Pattern -> syntax tree -> program -> lock-step simulation (Thompson
 * 1968, as Pike's VM runs it, without captures).  The tree exists so
 * that counted repetition can emit its operand several times; the
 * program size is checked on every emitted instruction, so a nest of
 * {100} cannot make compilation itself expensive.
 */
#include <stdint.h>
#include <string.h>

#include "arena.h"
#include "re.h"
#include "vars.h"
#include "utf8.h"

enum node_type {
	N_EMPTY, N_CHAR, N_ANY, N_CLASS, N_BOL, N_EOL, N_CAT, N_ALT, N_REP
};

/* Shorthands that may appear inside [...]. */
#define SH_D	0x01
#define SH_ND	0x02
#define SH_W	0x04
#define SH_NW	0x08
#define SH_S	0x10
#define SH_NS	0x20

struct range {
	uint32_t	lo, hi;
};

struct cls {
	int		 negate;
	unsigned	 shorthands;
	size_t		 n;
	struct range	*r;
};

struct node {
	enum node_type	 t;
	uint32_t	 c;
	struct cls	*cls;
	struct node	*l, *r;
	int		 min, max;	/* N_REP; max -1 = unbounded */
};

enum op { I_CHAR, I_ANY, I_CLASS, I_SPLIT, I_JMP, I_BOL, I_EOL, I_MATCH };

struct inst {
	enum op		 op;
	uint32_t	 c;
	int		 x, y;
	const struct cls *cls;
};

struct wa_flow_re {
	int		 icase;
	size_t		 n;
	struct inst	*prog;
};

struct parser {
	struct wa_arena	*a;
	uint32_t	 cp[WA_FLOW_RE_PATTERN_MAX];
	size_t		 n, pos;
	int		 depth, icase;
	const char	*why;
};

static struct node *parse_alt(struct parser *);

static struct node *
mk(struct parser *p, enum node_type t)
{
	struct node	*n = wa_arena_calloc(p->a, 1, sizeof(*n));

	n->t = t;
	return n;
}

static struct node *
fail(struct parser *p, const char *why)
{
	if (p->why == NULL)
		p->why = why;
	return NULL;
}

static int
peek(const struct parser *p, uint32_t c)
{
	return p->pos < p->n && p->cp[p->pos] == c;
}

static uint32_t
cp_upper(uint32_t c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 0xe0 && c <= 0xfe && c != 0xf7))
		return c - 32;
	return c;
}

static int
is_digit(uint32_t c)
{
	return c >= '0' && c <= '9';
}

static int
is_word(uint32_t c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z') || c == '_';
}

static int
is_space(uint32_t c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

static unsigned
shorthand(uint32_t c)
{
	switch (c) {
	case 'd': return SH_D;
	case 'D': return SH_ND;
	case 'w': return SH_W;
	case 'W': return SH_NW;
	case 's': return SH_S;
	case 'S': return SH_NS;
	default: return 0;
	}
}

/* The character an escape stands for, or 0 if it is not allowed. */
static uint32_t
escaped(uint32_t c)
{
	switch (c) {
	case 'n': return '\n';
	case 't': return '\t';
	case 'r': return '\r';
	case 'f': return '\f';
	case 'v': return '\v';
	default:
		if (c < 0x80 && c > ' ' && !is_word(c))
			return c;	/* any ASCII punctuation */
		return 0;
	}
}

static struct node *
parse_class(struct parser *p)
{
	struct node	*n = mk(p, N_CLASS);
	struct cls	*k = wa_arena_calloc(p->a, 1, sizeof(*k));
	uint32_t	 lo, hi;
	unsigned	 sh;
	int		 first = 1;

	k->r = wa_arena_calloc(p->a, p->n, sizeof(*k->r));
	n->cls = k;
	if (peek(p, '^')) {
		k->negate = 1;
		p->pos++;
	}
	for (;;) {
		if (p->pos >= p->n)
			return fail(p, "has a [ without its ]");
		lo = p->cp[p->pos++];
		if (lo == ']' && !first)
			break;
		first = 0;
		if (lo == '\\') {
			if (p->pos >= p->n)
				return fail(p, "ends with \\");
			if ((sh = shorthand(p->cp[p->pos])) != 0) {
				k->shorthands |= sh;
				p->pos++;
				continue;
			}
			if ((lo = escaped(p->cp[p->pos++])) == 0)
				return fail(p, "has an escape that is not "
				    "supported (no back-references or \\b)");
		}
		hi = lo;
		if (peek(p, '-') && p->pos + 1 < p->n &&
		    p->cp[p->pos + 1] != ']') {
			p->pos++;
			hi = p->cp[p->pos++];
			if (hi == '\\') {
				if (p->pos >= p->n ||
				    (hi = escaped(p->cp[p->pos++])) == 0)
					return fail(p, "has a range that ends "
					    "in something other than a "
					    "character");
			}
			if (hi < lo)
				return fail(p, "has a range out of order");
		}
		k->r[k->n].lo = lo;
		k->r[k->n++].hi = hi;
	}
	return n;
}

static struct node *
parse_atom(struct parser *p)
{
	struct node	*n;
	uint32_t	 c = p->cp[p->pos++];
	unsigned	 sh;

	switch (c) {
	case '(':
		if (++p->depth > WA_FLOW_RE_DEPTH_MAX)
			return fail(p, "nests groups deeper than 16");
		if (peek(p, '?')) {
			if (p->pos + 1 < p->n && p->cp[p->pos + 1] == ':')
				p->pos += 2;
			else
				return fail(p, "has a (? group that is not "
				    "supported (only (?:...) and a leading "
				    "(?i))");
		}
		if ((n = parse_alt(p)) == NULL)
			return NULL;
		if (!peek(p, ')'))
			return fail(p, "has a ( without its )");
		p->pos++;
		p->depth--;
		return n;
	case '[':
		return parse_class(p);
	case '.':
		return mk(p, N_ANY);
	case '^':
		return mk(p, N_BOL);
	case '$':
		return mk(p, N_EOL);
	case '*': case '+': case '?': case '{':
		return fail(p, "has a quantifier with nothing to repeat "
		    "(escape a literal one with \\)");
	case '\\':
		if (p->pos >= p->n)
			return fail(p, "ends with \\");
		c = p->cp[p->pos++];
		if ((sh = shorthand(c)) != 0) {
			n = mk(p, N_CLASS);
			n->cls = wa_arena_calloc(p->a, 1, sizeof(*n->cls));
			n->cls->shorthands = sh;
			return n;
		}
		if ((c = escaped(c)) == 0)
			return fail(p, "has an escape that is not supported "
			    "(no back-references or \\b)");
		break;
	default:
		break;
	}
	n = mk(p, N_CHAR);
	n->c = p->icase ? wa_flow_cp_fold(c) : c;
	return n;
}

/* Up to 3 digits; -1 if there are none. */
static int
number(struct parser *p)
{
	int	v = 0, k = 0;

	while (p->pos < p->n && is_digit(p->cp[p->pos]) && k < 4) {
		v = v * 10 + (int)(p->cp[p->pos++] - '0');
		k++;
	}
	return k == 0 ? -1 : v;
}

static struct node *
parse_repeat(struct parser *p)
{
	struct node	*a, *n;
	uint32_t	 q;
	int		 min, max;

	if ((a = parse_atom(p)) == NULL)
		return NULL;
	if (p->pos >= p->n)
		return a;
	q = p->cp[p->pos];
	if (q != '*' && q != '+' && q != '?' && q != '{')
		return a;
	if (a->t == N_BOL || a->t == N_EOL)
		return fail(p, "repeats ^ or $");
	p->pos++;
	switch (q) {
	case '*': min = 0; max = -1; break;
	case '+': min = 1; max = -1; break;
	case '?': min = 0; max = 1; break;
	default:
		if ((min = number(p)) < 0)
			return fail(p, "has a { that is not a quantifier "
			    "such as {2,5} (escape a literal one with \\)");
		max = min;
		if (peek(p, ',')) {
			p->pos++;
			max = peek(p, '}') ? -1 : number(p);
			if (max == -1 && !peek(p, '}'))
				return fail(p, "has a { that is not a "
				    "quantifier such as {2,5}");
		}
		if (!peek(p, '}'))
			return fail(p, "has a { without its }");
		p->pos++;
		if (min > WA_FLOW_RE_REPEAT_MAX || max > WA_FLOW_RE_REPEAT_MAX)
			return fail(p, "repeats more than {100}");
		if (max != -1 && max < min)
			return fail(p, "has a {n,m} with m less than n");
		break;
	}
	if (peek(p, '?'))
		p->pos++;	/* lazy: the same for a yes/no answer */
	if (p->pos < p->n && (p->cp[p->pos] == '*' || p->cp[p->pos] == '+' ||
	    p->cp[p->pos] == '?' || p->cp[p->pos] == '{'))
		return fail(p, "has two quantifiers in a row");
	n = mk(p, N_REP);
	n->l = a;
	n->min = min;
	n->max = max;
	return n;
}

static struct node *
parse_cat(struct parser *p)
{
	struct node	*n = mk(p, N_EMPTY), *a, *c;

	while (p->pos < p->n && !peek(p, '|') && !peek(p, ')')) {
		if ((a = parse_repeat(p)) == NULL)
			return NULL;
		if (n->t == N_EMPTY)
			n = a;
		else {
			c = mk(p, N_CAT);
			c->l = n;
			c->r = a;
			n = c;
		}
	}
	return n;
}

static struct node *
parse_alt(struct parser *p)
{
	struct node	*l, *r, *n;

	if ((l = parse_cat(p)) == NULL)
		return NULL;
	while (peek(p, '|')) {
		p->pos++;
		if ((r = parse_cat(p)) == NULL)
			return NULL;
		n = mk(p, N_ALT);
		n->l = l;
		n->r = r;
		l = n;
	}
	return l;
}

struct gen {
	struct inst	*prog;
	size_t		 n;
	int		 full;
};

static int
emit(struct gen *g, enum op op)
{
	if (g->n >= WA_FLOW_RE_PROG_MAX) {
		g->full = 1;
		return -1;
	}
	memset(&g->prog[g->n], 0, sizeof(g->prog[0]));
	g->prog[g->n].op = op;
	return (int)g->n++;
}

static void
gen_node(struct gen *g, const struct node *n)
{
	int	i, s, j, loop;

	if (g->full)
		return;
	switch (n->t) {
	case N_EMPTY:
		break;
	case N_CHAR:
		if ((i = emit(g, I_CHAR)) >= 0)
			g->prog[i].c = n->c;
		break;
	case N_ANY:
		(void)emit(g, I_ANY);
		break;
	case N_CLASS:
		if ((i = emit(g, I_CLASS)) >= 0)
			g->prog[i].cls = n->cls;
		break;
	case N_BOL:
		(void)emit(g, I_BOL);
		break;
	case N_EOL:
		(void)emit(g, I_EOL);
		break;
	case N_CAT:
		gen_node(g, n->l);
		gen_node(g, n->r);
		break;
	case N_ALT:
		if ((s = emit(g, I_SPLIT)) < 0)
			return;
		g->prog[s].x = s + 1;
		gen_node(g, n->l);
		if ((j = emit(g, I_JMP)) < 0)
			return;
		g->prog[s].y = (int)g->n;
		gen_node(g, n->r);
		g->prog[j].x = (int)g->n;
		break;
	case N_REP:
		for (i = 0; i < n->min && !g->full; i++)
			gen_node(g, n->l);
		if (n->max == -1) {
			/* L: split body, out; body; jmp L */
			if ((loop = emit(g, I_SPLIT)) < 0)
				return;
			g->prog[loop].x = loop + 1;
			gen_node(g, n->l);
			if ((j = emit(g, I_JMP)) < 0)
				return;
			g->prog[j].x = loop;
			g->prog[loop].y = (int)g->n;
			break;
		}
		for (i = n->min; i < n->max && !g->full; i++) {
			if ((s = emit(g, I_SPLIT)) < 0)
				return;
			g->prog[s].x = s + 1;
			gen_node(g, n->l);
			g->prog[s].y = (int)g->n;
		}
		break;
	}
}

struct wa_flow_re *
wa_flow_re_compile(struct wa_arena *a, const char *pattern, int icase,
    const char **why)
{
	static struct inst	 scratch[WA_FLOW_RE_PROG_MAX];	/* one at a
								 * time */
	struct parser		*p;
	struct node		*root;
	struct gen		 g;
	struct wa_flow_re	*re;
	size_t			 len = strlen(pattern), i = 0;

	*why = NULL;
	if (!wa_utf8_valid(pattern, len))
		return (*why = "is not valid UTF-8", NULL);
	if (wa_utf8_count(pattern, len) > WA_FLOW_RE_PATTERN_MAX)
		return (*why = "is longer than 256 characters", NULL);
	p = wa_arena_calloc(a, 1, sizeof(*p));
	p->a = a;
	while (i < len)
		p->cp[p->n++] = wa_utf8_next(pattern, len, &i);
	if (p->n >= 4 && p->cp[0] == '(' && p->cp[1] == '?' &&
	    p->cp[2] == 'i' && p->cp[3] == ')') {
		icase = 1;
		p->pos = 4;
	}
	p->icase = icase;
	root = parse_alt(p);
	if (root != NULL && p->pos < p->n)
		root = fail(p, "has a ) without its (");
	if (root == NULL)
		return (*why = p->why != NULL ? p->why : "is not valid", NULL);
	/* generated into scratch space, kept at its real size */
	memset(&g, 0, sizeof(g));
	g.prog = scratch;
	gen_node(&g, root);
	if (emit(&g, I_MATCH) < 0 || g.full)
		return (*why = "is too complex (repetitions expand to more "
		    "than 2000 steps)", NULL);
	re = wa_arena_calloc(a, 1, sizeof(*re));
	re->icase = icase;
	re->n = g.n;
	re->prog = wa_arena_alloc(a, g.n * sizeof(*re->prog));
	memcpy(re->prog, scratch, g.n * sizeof(*re->prog));
	return re;
}

static int
in_class(const struct cls *k, uint32_t c)
{
	unsigned	sh = k->shorthands;
	size_t		i;

	if (((sh & SH_D) && is_digit(c)) || ((sh & SH_ND) && !is_digit(c)) ||
	    ((sh & SH_W) && is_word(c)) || ((sh & SH_NW) && !is_word(c)) ||
	    ((sh & SH_S) && is_space(c)) || ((sh & SH_NS) && !is_space(c)))
		return 1;
	for (i = 0; i < k->n; i++)
		if (c >= k->r[i].lo && c <= k->r[i].hi)
			return 1;
	return 0;
}

static int
class_match(const struct wa_flow_re *re, const struct cls *k, uint32_t c)
{
	int	m = in_class(k, c);

	if (!m && re->icase)
		m = in_class(k, wa_flow_cp_fold(c)) || in_class(k, cp_upper(c));
	return k->negate ? !m : m;
}

struct list {
	size_t	n;
	int	pc[WA_FLOW_RE_PROG_MAX];
};

struct vm {
	const struct wa_flow_re	*re;
	unsigned		 mark[WA_FLOW_RE_PROG_MAX];
	int			 stack[2 * WA_FLOW_RE_PROG_MAX + 2];
	struct list		 l[2];
};

/* Adds pc and what it reaches without consuming input to list, once
 * per position (mark holds position + 1). */
static void
add(struct vm *vm, struct list *l, int pc, unsigned gen, int bol, int eol)
{
	const struct inst	*in;
	size_t			 sp = 0;

	vm->stack[sp++] = pc;
	while (sp > 0) {
		pc = vm->stack[--sp];
		if (vm->mark[pc] == gen)
			continue;
		vm->mark[pc] = gen;
		in = &vm->re->prog[pc];
		switch (in->op) {
		case I_JMP:
			vm->stack[sp++] = in->x;
			break;
		case I_SPLIT:
			vm->stack[sp++] = in->y;
			vm->stack[sp++] = in->x;
			break;
		case I_BOL:
			if (bol)
				vm->stack[sp++] = pc + 1;
			break;
		case I_EOL:
			if (eol)
				vm->stack[sp++] = pc + 1;
			break;
		default:
			l->pc[l->n++] = pc;
			break;
		}
	}
}

int
wa_flow_re_search(const struct wa_flow_re *re, const char *s, size_t len,
    unsigned long *fuel)
{
	static struct vm	 vm;	/* one run at a time per process */
	struct list		*cl, *nl, *t;
	const struct inst	*in;
	size_t			 i = 0, next, k;
	unsigned		 pos = 0;
	uint32_t		 c = 0;
	int			 end, ok;

	if (wa_utf8_count(s, len) > WA_FLOW_RE_INPUT_MAX)
		return -1;
	memset(vm.mark, 0, re->n * sizeof(vm.mark[0]));
	vm.re = re;
	cl = &vm.l[0];
	nl = &vm.l[1];
	cl->n = nl->n = 0;
	for (;;) {
		end = i == len;
		next = i;
		if (!end)
			c = wa_utf8_next(s, len, &next);
		/* a new attempt at every position: a search */
		add(&vm, cl, 0, pos + 1, pos == 0, end);
		for (k = 0; k < cl->n; k++) {
			if (*fuel == 0)
				return -1;
			(*fuel)--;
			in = &re->prog[cl->pc[k]];
			switch (in->op) {
			case I_MATCH:
				return 1;
			case I_CHAR:
				ok = !end && (re->icase ?
				    wa_flow_cp_fold(c) : c) == in->c;
				break;
			case I_ANY:
				ok = !end;
				break;
			case I_CLASS:
				ok = !end && class_match(re, in->cls, c);
				break;
			default:
				ok = 0;
				break;
			}
			if (ok)
				add(&vm, nl, cl->pc[k] + 1, pos + 2, 0,
				    next == len);
		}
		if (end)
			return 0;
		i = next;
		pos++;
		t = cl;
		cl = nl;
		nl = t;
		nl->n = 0;
	}
}
