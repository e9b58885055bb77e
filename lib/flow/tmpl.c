/*
 * A template is parsed once (when the definition is compiled) into
 * alternating text and placeholder parts, so rendering is a walk that
 * copies.
 */
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "tmpl.h"
#include "utf8.h"
#include "vars.h"

struct part {
	const char		*text;		/* text part, else NULL */
	size_t			 len;
	struct wa_flow_path	 var;
	const char		*def;		/* default, or NULL */
};

struct wa_flow_tmpl {
	struct part	*parts;
	size_t		 nparts;
	size_t		 nvars;
	size_t		*vars;		/* index of each placeholder part */
};

static void
trim(const char **s, size_t *len)
{
	while (*len > 0 && strchr(" \t\r\n", (*s)[0]) != NULL) {
		(*s)++;
		(*len)--;
	}
	while (*len > 0 && strchr(" \t\r\n", (*s)[*len - 1]) != NULL)
		(*len)--;
}

static const char *
placeholder(struct wa_arena *a, const char *s, size_t len, struct part *p)
{
	const char	*bar = memchr(s, '|', len), *v = s, *d;
	size_t		 vlen = bar != NULL ? (size_t)(bar - s) : len, dlen;

	trim(&v, &vlen);
	if (vlen == 0)
		return "has an empty {{ }}";
	if (wa_flow_path_parse(a, v, vlen, &p->var) != NULL)
		return "has a {{ }} that does not hold a variable name such "
		    "as {{flow.email}} or {{contact.name|friend}}";
	if (bar != NULL) {
		d = bar + 1;
		dlen = len - (size_t)(d - s);
		trim(&d, &dlen);
		if (dlen >= 2 && (d[0] == '"' || d[0] == '\'') &&
		    d[dlen - 1] == d[0]) {
			d++;
			dlen -= 2;
		}
		p->def = wa_arena_strndup(a, d, dlen);
	}
	return NULL;
}

struct wa_flow_tmpl *
wa_flow_tmpl_parse(struct wa_arena *a, const char *s, const char **why)
{
	struct wa_flow_tmpl	*t;
	const char		*open, *close, *p = s;
	size_t			 cap = 1;

	*why = NULL;
	for (open = s; (open = strstr(open, "{{")) != NULL; open += 2)
		cap += 2;
	t = wa_arena_calloc(a, 1, sizeof(*t));
	t->parts = wa_arena_calloc(a, cap, sizeof(*t->parts));
	t->vars = wa_arena_calloc(a, cap, sizeof(*t->vars));
	while ((open = strstr(p, "{{")) != NULL) {
		if ((close = strstr(open + 2, "}}")) == NULL)
			return (*why = "has {{ without its }}", NULL);
		if (t->nvars == WA_FLOW_TMPL_VARS_MAX)
			return (*why = "has more than 64 {{ }}", NULL);
		if (open > p) {
			t->parts[t->nparts].text = p;
			t->parts[t->nparts++].len = (size_t)(open - p);
		}
		if ((*why = placeholder(a, open + 2, (size_t)(close - open - 2),
		    &t->parts[t->nparts])) != NULL)
			return NULL;
		t->vars[t->nvars++] = t->nparts++;
		p = close + 2;
	}
	if (*p != '\0') {
		t->parts[t->nparts].text = p;
		t->parts[t->nparts++].len = strlen(p);
	}
	return t;
}

int
wa_flow_tmpl_literal(const struct wa_flow_tmpl *t)
{
	return t->nvars == 0;
}

size_t
wa_flow_tmpl_nvars(const struct wa_flow_tmpl *t)
{
	return t->nvars;
}

const struct wa_flow_path *
wa_flow_tmpl_var(const struct wa_flow_tmpl *t, size_t i, int *has_default)
{
	const struct part	*p = &t->parts[t->vars[i]];

	if (has_default != NULL)
		*has_default = p->def != NULL;
	return &p->var;
}

/* Appends up to *left code points of s[0..len); 0 once cut. */
static int
append(struct wa_buf *b, const char *s, size_t len, size_t *left, int url)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t		  i = 0, j, start;
	unsigned char	  c;

	while (i < len) {
		if (*left == 0)
			return 0;
		start = i;
		(void)wa_utf8_next(s, len, &i);
		(*left)--;
		if (!url) {
			(void)wa_buf_add(b, s + start, i - start);
			continue;
		}
		for (j = start; j < i; j++) {
			c = (unsigned char)s[j];
			if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			    (c >= '0' && c <= '9') || strchr("-._~", c) != NULL)
				(void)wa_buf_addc(b, (char)c);
			else {
				(void)wa_buf_addc(b, '%');
				(void)wa_buf_addc(b, hex[c >> 4]);
				(void)wa_buf_addc(b, hex[c & 15]);
			}
		}
	}
	return 1;
}

const char *
wa_flow_tmpl_render(struct wa_arena *a, const struct wa_flow_tmpl *t,
    const cJSON *vars, enum wa_flow_tmpl_mode mode, size_t max,
    int *truncated)
{
	struct wa_buf		 b;
	const struct part	*p;
	const cJSON		*v;
	const char		*s;
	size_t			 i, left = max;
	int			 ok = 1;

	/* 4 bytes a code point, 3 characters per byte percent-encoded */
	wa_buf_init(&b, a, max * 12 + 1);
	for (i = 0; i < t->nparts && ok; i++) {
		p = &t->parts[i];
		if (p->text != NULL) {
			ok = append(&b, p->text, p->len, &left, 0);
			continue;
		}
		v = wa_flow_vars_get(vars, &p->var);
		s = wa_flow_value_text(a, v);
		if (*s == '\0' && p->def != NULL)
			s = p->def;
		ok = append(&b, s, strlen(s), &left, mode == WA_FLOW_TMPL_URL);
	}
	if (truncated != NULL)
		*truncated = !ok;
	return b.data != NULL ? b.data : "";
}
