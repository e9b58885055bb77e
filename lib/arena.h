/*
 * arena: region allocation for one request (or one process).
 *
 * Everything a request allocates comes from its arena and is released
 * in one step by wa_arena_reset() at the end of the request.  Resources
 * that are not arena memory (PGresult, FILE, ...) are registered with
 * wa_arena_defer() and released by the same reset, last in first out.
 *
 * Allocation never returns NULL: on real memory exhaustion the process
 * logs and aborts, and the family's master forks a fresh worker.
 */
#ifndef WA_ARENA_H
#define WA_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct wa_arena;

/* Creates an arena whose first block holds `first` bytes.  Caller owns
 * the result and releases it with wa_arena_free(). */
struct wa_arena	*wa_arena_new(size_t first);

/* Runs the deferred cleanups and releases every block. */
void		 wa_arena_free(struct wa_arena *);

/* Runs the deferred cleanups (LIFO) and releases all memory but the
 * first block, which is kept for the next request. */
void		 wa_arena_reset(struct wa_arena *);

/* Uninitialised memory, 16-byte aligned; never NULL.  A zero size
 * yields a valid unique pointer. */
void		*wa_arena_alloc(struct wa_arena *, size_t);

/* Zeroed memory for n objects of size sz; aborts on overflow. */
void		*wa_arena_calloc(struct wa_arena *, size_t n, size_t sz);

/* NUL-terminated copies; never NULL (a NULL input yields NULL). */
char		*wa_arena_strdup(struct wa_arena *, const char *);
char		*wa_arena_strndup(struct wa_arena *, const char *, size_t);

/* printf into the arena; never NULL. */
char		*wa_arena_printf(struct wa_arena *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
char		*wa_arena_vprintf(struct wa_arena *, const char *, va_list);

/* Registers fn(ptr) to run at the next reset or free.  A NULL ptr is
 * accepted and ignored. */
void		 wa_arena_defer(struct wa_arena *, void (*fn)(void *),
		    void *ptr);

/* Bytes handed out since the last reset (statistics and tests). */
size_t		 wa_arena_used(const struct wa_arena *);

#endif /* WA_ARENA_H */
