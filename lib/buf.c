#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "buf.h"

void
wa_buf_init(struct wa_buf *b, struct wa_arena *a, size_t max)
{
	b->arena = a;
	b->data = NULL;
	b->len = b->cap = 0;
	b->max = max;
}

static enum wa_err
reserve(struct wa_buf *b, size_t extra)
{
	size_t	 ncap;
	char	*nd;

	if (extra > b->max || b->len > b->max - extra)
		return WA_ERR_TOO_LARGE;
	if (b->data != NULL && b->len + extra <= b->cap)
		return WA_OK;
	ncap = b->cap < 256 ? 256 : b->cap;
	while (ncap < b->len + extra)
		ncap *= 2;
	if (ncap > b->max)
		ncap = b->max;
	nd = wa_arena_alloc(b->arena, ncap + 1);
	if (b->len > 0)
		memcpy(nd, b->data, b->len);
	nd[b->len] = '\0';
	b->data = nd;
	b->cap = ncap;
	return WA_OK;
}

enum wa_err
wa_buf_add(struct wa_buf *b, const void *p, size_t n)
{
	enum wa_err	e;

	if ((e = reserve(b, n)) != WA_OK)
		return e;
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return WA_OK;
}

enum wa_err
wa_buf_adds(struct wa_buf *b, const char *s)
{
	return wa_buf_add(b, s, strlen(s));
}

enum wa_err
wa_buf_addc(struct wa_buf *b, char c)
{
	return wa_buf_add(b, &c, 1);
}

enum wa_err
wa_buf_addf(struct wa_buf *b, const char *fmt, ...)
{
	va_list		ap;
	char		small[256];
	char		*big;
	int		n;
	enum wa_err	e;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return WA_ERR_INTERNAL;
	if ((size_t)n < sizeof(small))
		return wa_buf_add(b, small, (size_t)n);
	if ((e = reserve(b, (size_t)n)) != WA_OK)
		return e;
	big = b->data + b->len;
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return WA_OK;
}

void
wa_buf_reset(struct wa_buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}
