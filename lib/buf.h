/*
 * buf: growable byte buffer with a mandatory cap, backed by an arena.
 *
 * Appends past the cap fail with WA_ERR_TOO_LARGE and leave the buffer
 * as it was, so a caller can report the limit instead of running out of
 * memory.  The contents are always NUL-terminated.
 */
#ifndef WA_BUF_H
#define WA_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "err.h"

struct wa_arena;

struct wa_buf {
	struct wa_arena	*arena;
	char		*data;	/* arena-owned; NUL-terminated */
	size_t		 len;
	size_t		 cap;	/* allocated, excluding the NUL */
	size_t		 max;	/* hard limit on len */
};

/* Named caps: every buffer says how big it may get. */
#define WA_BUF_RESPONSE_MAX	(8u * 1024 * 1024)
#define WA_BUF_SQL_LIST_MAX	(256u * 1024)

void		wa_buf_init(struct wa_buf *, struct wa_arena *, size_t max);
enum wa_err	wa_buf_add(struct wa_buf *, const void *, size_t);
enum wa_err	wa_buf_adds(struct wa_buf *, const char *);
enum wa_err	wa_buf_addc(struct wa_buf *, char);
enum wa_err	wa_buf_addf(struct wa_buf *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
void		wa_buf_reset(struct wa_buf *);

#endif /* WA_BUF_H */
