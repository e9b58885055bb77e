/*
 * Region allocator.  Blocks form a singly linked list; one block (the
 * largest up to BLOCK_KEEP) survives resets, so a steady-state request
 * allocates from memory that is already mapped.  An allocation that
 * does not fit the current block and is large gets a block of its own
 * on a side list, so one big body does not make every later block big.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "log.h"

#define ALIGN		16
#define BLOCK_MIN	(16 * 1024)
#define BLOCK_KEEP	(1024 * 1024)	/* most kept across resets */

struct block {
	struct block	*next;
	size_t		 size;	/* usable bytes after the header */
	size_t		 used;
	/* data follows, ALIGN-aligned */
};

struct cleanup {
	struct cleanup	*next;
	void		(*fn)(void *);
	void		*ptr;
};

struct wa_arena {
	struct block	*head;	/* current block; the first block is last */
	struct block	*first;
	struct block	*large;	/* oversized allocations */
	struct cleanup	*cleanups;
	size_t		 total;
};

#define HDR	((sizeof(struct block) + ALIGN - 1) & ~(size_t)(ALIGN - 1))

static void
oom(size_t sz)
{
	wa_log_fatal("out of memory allocating %zu bytes", sz);
	abort();
}

static struct block *
block_new(size_t size)
{
	struct block	*b;

	if (size > SIZE_MAX - HDR)
		oom(size);
	if ((b = malloc(HDR + size)) == NULL)
		oom(HDR + size);
	b->next = NULL;
	b->size = size;
	b->used = 0;
	return b;
}

static inline char *
block_data(struct block *b)
{
	return (char *)b + HDR;
}

struct wa_arena *
wa_arena_new(size_t first)
{
	struct wa_arena	*a;

	if ((a = calloc(1, sizeof(*a))) == NULL)
		oom(sizeof(*a));
	if (first < BLOCK_MIN)
		first = BLOCK_MIN;
	a->first = a->head = block_new(first);
	return a;
}

static void
run_cleanups(struct wa_arena *a)
{
	struct cleanup	*c;

	/* A cleanup may not allocate from this arena: the list is
	 * detached first so a misbehaving callback cannot loop. */
	c = a->cleanups;
	a->cleanups = NULL;
	for (; c != NULL; c = c->next)
		c->fn(c->ptr);
}

void
wa_arena_reset(struct wa_arena *a)
{
	struct block	*b, *next, *keep;

	run_cleanups(a);
	/* Keep the largest small block (they double, so it is the head)
	 * for the next request, up to BLOCK_KEEP: a worker whose requests
	 * need a megabyte stops allocating one every time. */
	keep = a->first;
	if (a->head != a->first && a->head->size <= BLOCK_KEEP)
		keep = a->head;
	for (b = a->head; b != NULL; b = next) {
		next = b->next;
		if (b != keep)
			free(b);
	}
	for (b = a->large; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	a->large = NULL;
	a->first = a->head = keep;
	keep->used = 0;
	keep->next = NULL;
	a->total = 0;
}

void
wa_arena_free(struct wa_arena *a)
{
	if (a == NULL)
		return;
	wa_arena_reset(a);
	free(a->first);
	free(a);
}

void *
wa_arena_alloc(struct wa_arena *a, size_t sz)
{
	struct block	*b;
	size_t		 need, bsz;
	void		*p;

	if (sz > SIZE_MAX - ALIGN)
		oom(sz);
	need = (sz + ALIGN - 1) & ~(size_t)(ALIGN - 1);
	if (need == 0)
		need = ALIGN;
	a->total += need;

	b = a->head;
	if (b->size - b->used < need && need > BLOCK_MIN / 4 &&
	    need > b->size / 4) {
		/* Own block on the side list, so one big body does not
		 * waste the free space of the current small block. */
		b = block_new(need);
		b->used = need;
		b->next = a->large;
		a->large = b;
		return block_data(b);
	}
	if (b->size - b->used < need) {
		bsz = b->size * 2;
		if (bsz > 1024 * 1024)
			bsz = 1024 * 1024;
		b = block_new(bsz);
		b->next = a->head;
		a->head = b;
	}
	p = block_data(b) + b->used;
	b->used += need;
	return p;
}

void *
wa_arena_calloc(struct wa_arena *a, size_t n, size_t sz)
{
	void	*p;

	if (sz != 0 && n > SIZE_MAX / sz)
		oom(SIZE_MAX);
	p = wa_arena_alloc(a, n * sz);
	memset(p, 0, n * sz);
	return p;
}

char *
wa_arena_strndup(struct wa_arena *a, const char *s, size_t n)
{
	char	*p;

	if (s == NULL)
		return NULL;
	p = wa_arena_alloc(a, n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
wa_arena_strdup(struct wa_arena *a, const char *s)
{
	if (s == NULL)
		return NULL;
	return wa_arena_strndup(a, s, strlen(s));
}

char *
wa_arena_vprintf(struct wa_arena *a, const char *fmt, va_list ap)
{
	va_list	 cp;
	char	*p;
	int	 n;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		oom(0);
	p = wa_arena_alloc(a, (size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *
wa_arena_printf(struct wa_arena *a, const char *fmt, ...)
{
	va_list	 ap;
	char	*p;

	va_start(ap, fmt);
	p = wa_arena_vprintf(a, fmt, ap);
	va_end(ap);
	return p;
}

void
wa_arena_defer(struct wa_arena *a, void (*fn)(void *), void *ptr)
{
	struct cleanup	*c;

	if (ptr == NULL)
		return;
	c = wa_arena_alloc(a, sizeof(*c));
	c->fn = fn;
	c->ptr = ptr;
	c->next = a->cleanups;
	a->cleanups = c;
}

size_t
wa_arena_used(const struct wa_arena *a)
{
	return a->total;
}
