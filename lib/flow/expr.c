/*
 * A recursive-descent parser over a hand-written lexer; the tree it
 * builds is evaluated recursively.  Both recursions are bounded: the
 * parser by WA_FLOW_EXPR_DEPTH_MAX, the evaluator by the node count
 * (a chain a+b+c+... is as deep as it is long).
 */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "expr.h"
#include "vars.h"
#include "utf8.h"

enum tok {
	T_END, T_NUM, T_STR, T_VAR, T_TRUE, T_FALSE, T_NULL, T_PLUS, T_MINUS,
	T_STAR, T_SLASH, T_LP, T_RP, T_BAD
};

enum etype { E_LIT, E_VAR, E_NEG, E_ADD, E_SUB, E_MUL, E_DIV };

struct enode {
	enum etype		 t;
	cJSON			*lit;
	struct wa_flow_path	*var;
	struct enode		*l, *r;
};

struct wa_flow_expr {
	struct enode		*root;
	struct wa_flow_path	*reads;
	size_t			 nreads;
};

struct lexer {
	struct wa_arena		*a;
	const char		*src;
	size_t			 len, pos, tstart;
	enum tok		 tok;
	cJSON			*val;		/* T_NUM, T_STR */
	struct wa_flow_path	 path;		/* T_VAR */
	const char		*why;
	size_t			 nodes, depth;
	struct wa_flow_path	*reads;
	size_t			 nreads, capreads;
};

static void	err(struct lexer *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

/* Records the first error, with the position of the current token. */
static void
err(struct lexer *x, const char *fmt, ...)
{
	va_list	ap;
	char	*m;

	if (x->why != NULL)
		return;
	va_start(ap, fmt);
	m = wa_arena_vprintf(x->a, fmt, ap);
	va_end(ap);
	x->why = wa_arena_printf(x->a, "%s (at character %zu)", m,
	    x->tstart + 1);
}

static void
lex_string(struct lexer *x, char q)
{
	struct wa_buf	b;
	char		c;

	wa_buf_init(&b, x->a, WA_FLOW_EXPR_MAX);
	x->pos++;
	for (;;) {
		if (x->pos >= x->len) {
			err(x, "has an unterminated string");
			x->tok = T_BAD;
			return;
		}
		c = x->src[x->pos++];
		if (c == q)
			break;
		if (c == '\\') {
			if (x->pos >= x->len)
				continue;
			c = x->src[x->pos++];
			switch (c) {
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case '\\': case '\'': case '"': break;
			default:
				err(x, "has an unknown escape (use \\\\ \\' "
				    "\\\" \\n \\t)");
				x->tok = T_BAD;
				return;
			}
		}
		(void)wa_buf_addc(&b, c);
	}
	x->tok = T_STR;
	x->val = cJSON_CreateString(b.data != NULL ? b.data : "");
}

static int
ident_char(int c)
{
	return isalnum(c) || c == '_' || c == '.';
}

static void
lex_word(struct lexer *x)
{
	size_t		 start = x->pos, n;
	const char	*w = x->src + start, *why;

	while (x->pos < x->len && ident_char((unsigned char)x->src[x->pos]))
		x->pos++;
	n = x->pos - start;
	if (n == 4 && memcmp(w, "true", 4) == 0)
		x->tok = T_TRUE;
	else if (n == 5 && memcmp(w, "false", 5) == 0)
		x->tok = T_FALSE;
	else if (n == 4 && memcmp(w, "null", 4) == 0)
		x->tok = T_NULL;
	else if ((why = wa_flow_path_parse(x->a, w, n, &x->path)) != NULL) {
		err(x, "has a variable that %s", why);
		x->tok = T_BAD;
	} else
		x->tok = T_VAR;
}

static void
lex_number(struct lexer *x)
{
	size_t		 start = x->pos;
	char		*s;
	double		 d;

	while (x->pos < x->len && (isalnum((unsigned char)x->src[x->pos]) ||
	    x->src[x->pos] == '.' || ((x->src[x->pos] == '+' ||
	    x->src[x->pos] == '-') && (x->src[x->pos - 1] == 'e' ||
	    x->src[x->pos - 1] == 'E'))))
		x->pos++;
	s = wa_arena_strndup(x->a, x->src + start, x->pos - start);
	if (!wa_flow_num_parse(s, &d)) {
		err(x, "has a bad number or one outside "
		    "+-9007199254740991");
		x->tok = T_BAD;
		return;
	}
	x->tok = T_NUM;
	x->val = cJSON_CreateNumber(d);
}

static void
next(struct lexer *x)
{
	char	c;

	while (x->pos < x->len && isspace((unsigned char)x->src[x->pos]))
		x->pos++;
	x->tstart = x->pos;
	if (x->pos >= x->len) {
		x->tok = T_END;
		return;
	}
	c = x->src[x->pos];
	if (c == '\'' || c == '"') {
		lex_string(x, c);
		return;
	}
	if (isdigit((unsigned char)c) || (c == '.' && x->pos + 1 < x->len &&
	    isdigit((unsigned char)x->src[x->pos + 1]))) {
		lex_number(x);
		return;
	}
	if (isalpha((unsigned char)c) || c == '_') {
		lex_word(x);
		return;
	}
	x->pos++;
	switch (c) {
	case '+': x->tok = T_PLUS; break;
	case '-': x->tok = T_MINUS; break;
	case '*': x->tok = T_STAR; break;
	case '/': x->tok = T_SLASH; break;
	case '(': x->tok = T_LP; break;
	case ')': x->tok = T_RP; break;
	default:
		err(x, "has an unexpected character (operators are + - * / "
		    "and parentheses)");
		x->tok = T_BAD;
		break;
	}
}

static struct enode *
node(struct lexer *x, enum etype t, struct enode *l, struct enode *r)
{
	struct enode	*n;

	if (++x->nodes > WA_FLOW_EXPR_NODES_MAX) {
		err(x, "is too long: more than 256 operands and operators");
		return NULL;
	}
	n = wa_arena_calloc(x->a, 1, sizeof(*n));
	n->t = t;
	n->l = l;
	n->r = r;
	return n;
}

static struct enode *parse_sum(struct lexer *);

static const char *
tok_name(enum tok t)
{
	switch (t) {
	case T_END: return "end";
	case T_RP: return "')'";
	case T_PLUS: return "'+'";
	case T_MINUS: return "'-'";
	case T_STAR: return "'*'";
	case T_SLASH: return "'/'";
	case T_LP: return "'('";
	default: return "value";
	}
}

/* Notes a variable read; the list grows as needed (most expressions
 * read one or two). */
static void
add_read(struct lexer *x, const struct wa_flow_path *p)
{
	struct wa_flow_path	*nr;

	if (x->nreads == x->capreads) {
		x->capreads = x->capreads == 0 ? 4 : 2 * x->capreads;
		nr = wa_arena_alloc(x->a, x->capreads * sizeof(*nr));
		if (x->nreads > 0)
			memcpy(nr, x->reads, x->nreads * sizeof(*nr));
		x->reads = nr;
	}
	x->reads[x->nreads++] = *p;
}

static struct enode *
parse_primary(struct lexer *x)
{
	struct enode	*n = NULL;

	switch (x->tok) {
	case T_NUM:
	case T_STR:
		if ((n = node(x, E_LIT, NULL, NULL)) != NULL)
			n->lit = x->val;
		break;
	case T_TRUE:
	case T_FALSE:
	case T_NULL:
		if ((n = node(x, E_LIT, NULL, NULL)) != NULL)
			n->lit = x->tok == T_NULL ? cJSON_CreateNull() :
			    cJSON_CreateBool(x->tok == T_TRUE);
		break;
	case T_VAR:
		if ((n = node(x, E_VAR, NULL, NULL)) == NULL)
			break;
		n->var = wa_arena_alloc(x->a, sizeof(*n->var));
		*n->var = x->path;
		add_read(x, &x->path);
		break;
	case T_LP:
		if (++x->depth > WA_FLOW_EXPR_DEPTH_MAX) {
			err(x, "nests deeper than 32");
			return NULL;
		}
		next(x);
		if ((n = parse_sum(x)) == NULL)
			return NULL;
		if (x->tok != T_RP) {
			err(x, "has %s where ')' was expected",
			    tok_name(x->tok));
			return NULL;
		}
		x->depth--;
		break;
	case T_BAD:
		return NULL;
	default:
		err(x, "has %s where a value was expected",
		    x->tok == T_END ? "nothing" : tok_name(x->tok));
		return NULL;
	}
	if (n != NULL)
		next(x);
	return n;
}

static struct enode *
parse_unary(struct lexer *x)
{
	struct enode	*l;

	if (x->tok != T_MINUS)
		return parse_primary(x);
	if (++x->depth > WA_FLOW_EXPR_DEPTH_MAX) {
		err(x, "nests deeper than 32");
		return NULL;
	}
	next(x);
	if ((l = parse_unary(x)) == NULL)
		return NULL;
	x->depth--;
	return node(x, E_NEG, l, NULL);
}

/* Left-associative binary operators, by precedence: sums, then
 * products, then unary minus. */
static const struct {
	enum tok	t1, t2;
	enum etype	e1, e2;
} levels[] = {
	{ T_PLUS, T_MINUS, E_ADD, E_SUB },
	{ T_STAR, T_SLASH, E_MUL, E_DIV },
};

static struct enode *
parse_level(struct lexer *x, size_t lv)
{
	struct enode	*l, *r;
	enum etype	 t;

	if (lv == sizeof(levels) / sizeof(levels[0]))
		return parse_unary(x);
	if ((l = parse_level(x, lv + 1)) == NULL)
		return NULL;
	while (x->tok == levels[lv].t1 || x->tok == levels[lv].t2) {
		t = x->tok == levels[lv].t1 ? levels[lv].e1 : levels[lv].e2;
		next(x);
		if ((r = parse_level(x, lv + 1)) == NULL ||
		    (l = node(x, t, l, r)) == NULL)
			return NULL;
	}
	return l;
}

static struct enode *
parse_sum(struct lexer *x)
{
	return parse_level(x, 0);
}

struct wa_flow_expr *
wa_flow_expr_parse(struct wa_arena *a, const char *src, const char **why)
{
	struct lexer		 x;
	struct enode		*root;
	struct wa_flow_expr	*e;

	*why = NULL;
	memset(&x, 0, sizeof(x));
	x.a = a;
	x.src = src;
	x.len = strlen(src);
	if (x.len > WA_FLOW_EXPR_MAX)
		return (*why = "is longer than 1024 bytes", NULL);
	if (!wa_utf8_valid(src, x.len))
		return (*why = "is not valid UTF-8", NULL);
	next(&x);
	root = x.tok == T_END ? NULL : parse_sum(&x);
	if (root != NULL && x.tok != T_END) {
		err(&x, "has %s where an operator was expected",
		    tok_name(x.tok));
		root = NULL;
	}
	if (root == NULL) {
		*why = x.why != NULL ? x.why : "is empty";
		return NULL;
	}
	e = wa_arena_calloc(a, 1, sizeof(*e));
	e->root = root;
	e->reads = x.reads;
	e->nreads = x.nreads;
	return e;
}

const struct wa_flow_path *
wa_flow_expr_reads(const struct wa_flow_expr *e, size_t *n)
{
	*n = e->nreads;
	return e->reads;
}

struct eval {
	struct wa_arena	*a;
	const cJSON	*vars;
	const char	*why;
	size_t		 built;		/* bytes of text made so far */
};

/* "flow.total is not set", "the left operand is text "abc"" */
static const char *
describe(struct eval *ev, const struct enode *n, const cJSON *v,
    const char *side)
{
	const char	*who = n->t == E_VAR ? n->var->text :
	    wa_arena_printf(ev->a, "the %s operand", side);
	const char	*s;
	size_t		 len;

	if (v == NULL)
		return wa_arena_printf(ev->a, "%s is not set", who);
	if (cJSON_IsNull(v))
		return wa_arena_printf(ev->a, "%s is null", who);
	if (cJSON_IsBool(v))
		return wa_arena_printf(ev->a, "%s is %s", who,
		    cJSON_IsTrue(v) ? "true" : "false");
	if (cJSON_IsString(v)) {
		s = v->valuestring;
		len = wa_utf8_prefix(s, strlen(s), 24);
		return wa_arena_printf(ev->a, "%s is the text \"%.*s%s\"",
		    who, (int)len, s, s[len] != '\0' ? "..." : "");
	}
	return wa_arena_printf(ev->a, "%s is %s", who,
	    cJSON_IsArray(v) ? "a list" : "an object");
}

static cJSON *
number(struct eval *ev, double d)
{
	if (!isfinite(d) || fabs(d) > WA_FLOW_NUM_MAX) {
		ev->why = "number overflow: the result is outside "
		    "+-9007199254740991";
		return NULL;
	}
	return cJSON_CreateNumber(d == 0 ? 0 : d);
}

static cJSON *eval(struct eval *, const struct enode *, const cJSON **);

static cJSON *
concat(struct eval *ev, const cJSON *l, const cJSON *r)
{
	const char	*ls = wa_flow_value_text(ev->a, l);
	const char	*rs = wa_flow_value_text(ev->a, r);
	size_t		 ln = strlen(ls), rn = strlen(rs);
	char		*s;

	if (wa_utf8_count(ls, ln) + wa_utf8_count(rs, rn) > WA_FLOW_STR_MAX) {
		ev->why = "the text would be longer than 4096 characters";
		return NULL;
	}
	/* each + copies both sides: a long chain of them on long texts
	 * must not cost without bound */
	if ((ev->built += ln + rn) > WA_FLOW_EXPR_WORK_MAX) {
		ev->why = "the expression builds more than 64 KiB of text";
		return NULL;
	}
	s = wa_arena_alloc(ev->a, ln + rn + 1);
	memcpy(s, ls, ln);
	memcpy(s + ln, rs, rn + 1);
	return cJSON_CreateStringReference(s);
}

static cJSON *
binary(struct eval *ev, const struct enode *n)
{
	static const char *const ops[] = { "", "", "-", "+", "-", "*", "/" };
	const cJSON	*l, *r;
	double		 a, b;

	if (eval(ev, n->l, &l) == NULL && ev->why != NULL)
		return NULL;
	if (eval(ev, n->r, &r) == NULL && ev->why != NULL)
		return NULL;
	if (n->t == E_ADD && (cJSON_IsString(l) || cJSON_IsString(r)))
		return concat(ev, l, r);
	if (n->t == E_ADD ? !cJSON_IsNumber(l) : !wa_flow_value_num(l, &a)) {
		ev->why = wa_arena_printf(ev->a, "%s needs numbers%s; %s",
		    ops[n->t], n->t == E_ADD ? " or text" : "",
		    describe(ev, n->l, l, "left"));
		return NULL;
	}
	if (n->t == E_ADD ? !cJSON_IsNumber(r) : !wa_flow_value_num(r, &b)) {
		ev->why = wa_arena_printf(ev->a, "%s needs numbers%s; %s",
		    ops[n->t], n->t == E_ADD ? " or text" : "",
		    describe(ev, n->r, r, "right"));
		return NULL;
	}
	if (n->t == E_ADD) {
		a = l->valuedouble;
		b = r->valuedouble;
	}
	switch (n->t) {
	case E_ADD:
		return number(ev, a + b);
	case E_SUB:
		return number(ev, a - b);
	case E_MUL:
		return number(ev, a * b);
	default:
		if (b == 0) {
			ev->why = "division by zero";
			return NULL;
		}
		return number(ev, a / b);
	}
}

/*
 * The value of n in *out (NULL for an unset variable).  Returns a
 * value that is safe to store: a variable's value is referenced, not
 * copied; NULL with ev->why set on error.
 */
static cJSON *
eval(struct eval *ev, const struct enode *n, const cJSON **out)
{
	const cJSON	*v;
	cJSON		*res;
	double		 d;

	*out = NULL;
	switch (n->t) {
	case E_LIT:
		*out = n->lit;
		return n->lit;
	case E_VAR:
		if ((v = wa_flow_vars_get(ev->vars, n->var)) == NULL)
			return NULL;
		*out = v;
		return (cJSON *)v;
	case E_NEG:
		if (eval(ev, n->l, &v) == NULL && ev->why != NULL)
			return NULL;
		if (!wa_flow_value_num(v, &d)) {
			ev->why = wa_arena_printf(ev->a, "- needs a number; "
			    "%s", describe(ev, n->l, v, "right"));
			return NULL;
		}
		res = number(ev, -d);
		break;
	default:
		res = binary(ev, n);
		break;
	}
	*out = res;
	return res;
}

cJSON *
wa_flow_expr_eval(struct wa_arena *a, const struct wa_flow_expr *e,
    const cJSON *vars, const char **why)
{
	struct eval	 ev;
	const cJSON	*v;

	ev.a = a;
	ev.vars = vars;
	ev.why = NULL;
	ev.built = 0;
	(void)eval(&ev, e->root, &v);
	*why = ev.why;
	if (ev.why != NULL)
		return NULL;
	/* A fresh item: the caller stores it in the variables, and an
	 * item lives in one tree only. */
	if (v == NULL)
		return cJSON_CreateNull();
	return cJSON_Duplicate(v, 1);
}
