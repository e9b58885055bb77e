/*
 * Small tools: strings, a hash map, time, random ids and the two JSON
 * printers.  Allocation failure aborts: the simulator is a test tool
 * and a half-built answer would only hide the cause.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "crypto.h"
#include "hash.h"
#include "metasim.h"
#include "utf8.h"

static void *
must(void *p)
{
	if (p == NULL) {
		fprintf(stderr, "metasim: out of memory\n");
		abort();
	}
	return p;
}

void *
xcalloc(size_t n, size_t sz)
{
	return must(calloc(n == 0 ? 1 : n, sz == 0 ? 1 : sz));
}

char *
xstrdup(const char *s)
{
	return s == NULL ? NULL : must(strdup(s));
}

void
sb_add(struct sbuf *b, const void *p, size_t n)
{
	size_t	want = b->len + n + 1;

	if (want > b->cap) {
		b->cap = b->cap == 0 ? 256 : b->cap;
		while (b->cap < want)
			b->cap *= 2;
		b->s = must(realloc(b->s, b->cap));
	}
	memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void
sb_adds(struct sbuf *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

void
sb_addf(struct sbuf *b, const char *fmt, ...)
{
	char	tmp[512], *big;
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(tmp)) {
		sb_add(b, tmp, (size_t)n);
		return;
	}
	big = must(malloc((size_t)n + 1));
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb_add(b, big, (size_t)n);
	free(big);
}

char *
sb_take(struct sbuf *b)
{
	char	*s = b->s != NULL ? b->s : xstrdup("");

	memset(b, 0, sizeof(*b));
	return s;
}

/* ---- map ------------------------------------------------------------- */

void *
smap_get(const struct smap *m, const char *key)
{
	struct smap_ent	*e;

	if (m->nb == 0 || key == NULL)
		return NULL;
	for (e = m->b[wa_hash_str(key) % m->nb]; e != NULL; e = e->next)
		if (strcmp(e->key, key) == 0)
			return e->val;
	return NULL;
}

static void
grow(struct smap *m)
{
	struct smap_ent	**nb, *e, *next;
	size_t		  n = m->nb == 0 ? 64 : m->nb * 4, i, h;

	nb = xcalloc(n, sizeof(*nb));
	for (i = 0; i < m->nb; i++)
		for (e = m->b[i]; e != NULL; e = next) {
			next = e->next;
			h = wa_hash_str(e->key) % n;
			e->next = nb[h];
			nb[h] = e;
		}
	free(m->b);
	m->b = nb;
	m->nb = n;
}

void
smap_put(struct smap *m, const char *key, void *val)
{
	struct smap_ent	*e;
	size_t		 h;

	if (m->n + 1 > m->nb)
		grow(m);
	h = wa_hash_str(key) % m->nb;
	for (e = m->b[h]; e != NULL; e = e->next)
		if (strcmp(e->key, key) == 0) {
			e->val = val;
			return;
		}
	e = xcalloc(1, sizeof(*e));
	e->key = xstrdup(key);
	e->val = val;
	e->next = m->b[h];
	m->b[h] = e;
	m->n++;
}

void *
smap_del(struct smap *m, const char *key)
{
	struct smap_ent	**pp, *e;
	void		 *v;

	if (m->nb == 0)
		return NULL;
	for (pp = &m->b[wa_hash_str(key) % m->nb]; (e = *pp) != NULL;
	    pp = &e->next)
		if (strcmp(e->key, key) == 0) {
			*pp = e->next;
			v = e->val;
			free(e->key);
			free(e);
			m->n--;
			return v;
		}
	return NULL;
}

void
smap_clear(struct smap *m, void (*fn)(void *))
{
	struct smap_ent	*e, *next;
	size_t		 i;

	for (i = 0; i < m->nb; i++)
		for (e = m->b[i]; e != NULL; e = next) {
			next = e->next;
			if (fn != NULL)
				fn(e->val);
			free(e->key);
			free(e);
		}
	free(m->b);
	memset(m, 0, sizeof(*m));
}

struct smap_ent *
smap_first(const struct smap *m, size_t *i)
{
	for (*i = 0; *i < m->nb; (*i)++)
		if (m->b[*i] != NULL)
			return m->b[*i];
	return NULL;
}

struct smap_ent *
smap_next(const struct smap *m, struct smap_ent *e, size_t *i)
{
	if (e->next != NULL)
		return e->next;
	for ((*i)++; *i < m->nb; (*i)++)
		if (m->b[*i] != NULL)
			return m->b[*i];
	return NULL;
}

void **
smap_sorted(const struct smap *m, int (*cmp)(const void *, const void *))
{
	struct smap_ent	*e;
	void		**v = xcalloc(m->n + 1, sizeof(*v));
	size_t		 i, k = 0;

	for (e = smap_first(m, &i); e != NULL; e = smap_next(m, e, &i))
		v[k++] = e->val;
	qsort(v, k, sizeof(*v), cmp);
	return v;
}

/* ---- time and ids ------------------------------------------------------ */

int64_t
now_ms(void)
{
	return wa_clock_now_ms();
}

/* n characters of set (of setlen <= 256) plus NUL into out[n + 1];
 * n is capped at 128. */
static void
rand_from(char *out, size_t n, const char *set, unsigned setlen)
{
	unsigned char	r[128];
	size_t		i;

	if (n > sizeof(r))
		n = sizeof(r);
	if (wa_crypto_random(r, n) != 0)
		abort();
	for (i = 0; i < n; i++)
		out[i] = set[r[i] % setlen];
	out[n] = '\0';
}

void
rand_digits(char *out, size_t n)
{
	rand_from(out, n, "0123456789", 10);
	if (n > 0)	/* 1-8: no leading zero, 16 digits stay under 2^53 */
		out[0] = (char)('1' + (out[0] - '0') % 8);
}

void
rand_token(char *out, size_t n)
{
	rand_from(out, n, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789_-", 64);
}

char *
b64(const unsigned char *in, size_t n)
{
	static const char	t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/";
	char			*out = xcalloc(4 * ((n + 2) / 3) + 1, 1);
	size_t			 i, o = 0;
	unsigned		 v;

	for (i = 0; i + 2 < n; i += 3) {
		v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8 |
		    in[i + 2];
		out[o++] = t[v >> 18];
		out[o++] = t[(v >> 12) & 63];
		out[o++] = t[(v >> 6) & 63];
		out[o++] = t[v & 63];
	}
	if (i < n) {
		v = (unsigned)in[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)in[i + 1] << 8;
		out[o++] = t[v >> 18];
		out[o++] = t[(v >> 12) & 63];
		out[o++] = i + 1 < n ? t[(v >> 6) & 63] : '=';
		out[o++] = '=';
	}
	out[o] = '\0';
	return out;
}

int
b64dec(const char *in, unsigned char *out, size_t outsz)
{
	static const char	t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/";
	const char		*p;
	unsigned		 v = 0;
	size_t			 o = 0;
	int			 bits = 0;

	for (; *in != '\0' && *in != '='; in++) {
		if ((p = strchr(t, *in)) == NULL)
			return -1;
		v = v << 6 | (unsigned)(p - t);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o == outsz)
				return -1;
			out[o++] = (unsigned char)(v >> bits);
			v &= (1u << bits) - 1;
		}
	}
	return (int)o;
}

void
new_wamid(char *out, size_t outsz)
{
	unsigned char	r[30];
	char		*s;

	/* Meta's look: a protobuf-ish prefix, then random bytes */
	r[0] = 0x1c;
	r[1] = 0x18;
	if (wa_crypto_random(r + 2, sizeof(r) - 2) != 0)
		abort();
	s = b64(r, sizeof(r));
	snprintf(out, outsz, "wamid.%s", s);
	free(s);
}

/* ---- JSON printers ----------------------------------------------------- */

static void
esc_u(struct sbuf *b, unsigned v)
{
	sb_addf(b, "\\u%04x", v);
}

static void
meta_string(struct sbuf *b, const char *s)
{
	size_t		 i = 0, len = strlen(s);
	uint32_t	 cp;

	sb_adds(b, "\"");
	while (i < len) {
		if ((unsigned char)s[i] < 0x80) {
			switch (s[i]) {
			case '"':	sb_adds(b, "\\\""); break;
			case '\\':	sb_adds(b, "\\\\"); break;
			case '/':	sb_adds(b, "\\/"); break;
			case '\b':	sb_adds(b, "\\b"); break;
			case '\f':	sb_adds(b, "\\f"); break;
			case '\n':	sb_adds(b, "\\n"); break;
			case '\r':	sb_adds(b, "\\r"); break;
			case '\t':	sb_adds(b, "\\t"); break;
			default:
				if ((unsigned char)s[i] < 0x20)
					esc_u(b, (unsigned char)s[i]);
				else
					sb_add(b, s + i, 1);
			}
			i++;
			continue;
		}
		/* cJSON strings here are valid UTF-8 (we made them, or
		 * wa_json_parse checked them) */
		cp = wa_utf8_next(s, len, &i);
		if (cp >= 0x10000) {
			cp -= 0x10000;
			esc_u(b, 0xd800 + (cp >> 10));
			esc_u(b, 0xdc00 + (cp & 0x3ff));
		} else
			esc_u(b, cp);
	}
	sb_adds(b, "\"");
}

static void
meta_value(struct sbuf *b, const cJSON *v)
{
	const cJSON	*it;
	double		 d;

	if (cJSON_IsObject(v) || cJSON_IsArray(v)) {
		sb_adds(b, cJSON_IsObject(v) ? "{" : "[");
		for (it = v->child; it != NULL; it = it->next) {
			if (it != v->child)
				sb_adds(b, ",");
			if (cJSON_IsObject(v)) {
				meta_string(b, it->string);
				sb_adds(b, ":");
			}
			meta_value(b, it);
		}
		sb_adds(b, cJSON_IsObject(v) ? "}" : "]");
	} else if (cJSON_IsString(v))
		meta_string(b, v->valuestring);
	else if (cJSON_IsNumber(v)) {
		d = v->valuedouble;
		if (d == (double)(int64_t)d && d < 9007199254740992.0 &&
		    d > -9007199254740992.0)
			sb_addf(b, "%lld", (long long)d);
		else
			sb_addf(b, "%.17g", d);
	} else if (cJSON_IsTrue(v))
		sb_adds(b, "true");
	else if (cJSON_IsFalse(v))
		sb_adds(b, "false");
	else
		sb_adds(b, "null");
}

char *
meta_json(const cJSON *v)
{
	struct sbuf	b;

	memset(&b, 0, sizeof(b));
	meta_value(&b, v);
	return sb_take(&b);
}

char *
plain_json(const cJSON *v)
{
	char	*s = cJSON_PrintUnformatted(v);

	return s != NULL ? s : must(NULL);
}
