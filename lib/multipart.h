/*
 * multipart: a streaming reader of multipart/form-data bodies (RFC 7578
 * over RFC 2046), in two layers.
 *
 * The core (wa_mp_*) is a pure, incremental parser: it takes the body in
 * pieces of any size, does no I/O and no allocation, and hands each
 * part's headers and body bytes to callbacks.  Its memory is the struct
 * wa_mp and nothing else, whatever the input: a part's header lines,
 * their number and the names they carry are bounded, and body bytes
 * pass through without being kept.
 *
 * The request level (wa_mp_read) reads a request's whole body through
 * the core: text parts into the arena, file parts into unlinked spool
 * files, under the caller's limits.
 */
#ifndef WA_MULTIPART_H
#define WA_MULTIPART_H

#include <stddef.h>

#include "err.h"

struct wa_arena;
struct wa_req;

#define WA_MP_BOUNDARY_MAX	70	/* RFC 2046 */
#define WA_MP_LINE_MAX		1024	/* a part's header line, no CRLF */
#define WA_MP_LINES_MAX		16	/* header lines of one part */
#define WA_MP_NAME_MAX		255	/* name, filename, content type */
#define WA_MP_ERROR_MAX		160

/*
 * The boundary of a Content-Type "multipart/form-data; boundary=..."
 * (quoted or not, case-insensitive type and parameter name): 1 with
 * the boundary in out; 0 and out = "" if the type is not
 * multipart/form-data or the boundary is missing, given twice, empty,
 * longer than 70 or has characters RFC 2046 refuses.
 */
int		 wa_mp_boundary(const char *content_type,
		    char out[WA_MP_BOUNDARY_MAX + 1]);

struct wa_mp_cb {
	/* a part's headers are complete: name (from Content-Disposition:
	 * form-data; name="..."), filename (or NULL), content type (or
	 * NULL), valid for the call only; return 0 to go on, -1 to stop
	 * (the feed then fails with the message the callback set with
	 * wa_mp_stop()) */
	int	(*part)(void *ctx, const char *name, const char *filename,
		    const char *content_type);
	/* bytes of the current part's body, in order, any chunking; the
	 * pointer is valid for the call only */
	int	(*data)(void *ctx, const char *buf, size_t len);
	/* the current part's body ended */
	int	(*end)(void *ctx);
	void	*ctx;
};

/* One parse; opaque to callers, here so that it can live on the stack. */
struct wa_mp {
	struct wa_mp_cb	 cb;
	int		 state;
	/* "\r\n--" boundary: what ends a part's body */
	char		 delim[4 + WA_MP_BOUNDARY_MAX + 1];
	size_t		 dlen;
	size_t		 match;		/* delim[0..match) held back */
	int		 cr;		/* a header line's CR was seen */
	char		 line[WA_MP_LINE_MAX + 1];
	size_t		 linelen;
	size_t		 nlines;
	int		 has_cd;
	int		 has_filename;
	int		 has_type;
	char		 name[WA_MP_NAME_MAX + 1];
	char		 filename[WA_MP_NAME_MAX + 1];
	char		 type[WA_MP_NAME_MAX + 1];
	char		 error[WA_MP_ERROR_MAX];
};

/* Starts a parse of a body with this boundary (wa_mp_boundary()'s);
 * the callbacks are copied, any of them may be NULL.  A boundary that
 * wa_mp_boundary() would refuse makes every feed fail. */
void		 wa_mp_init(struct wa_mp *, const char *boundary,
		    const struct wa_mp_cb *);
/* Feeds the next bytes of the body (any split, down to 1 byte at a
 * time): 0 ok, -1 malformed or stopped, and wa_mp_error() says why in
 * plain English ("Malformed multipart body: ...").  After -1 every
 * further feed returns -1. */
int		 wa_mp_feed(struct wa_mp *, const char *buf, size_t len);
/* End of input: 0 if the closing boundary ("--boundary--") was seen,
 * else -1 ("Truncated multipart body", or the earlier error). */
int		 wa_mp_finish(struct wa_mp *);
/* Why the parse failed; "" while it has not. */
const char	*wa_mp_error(const struct wa_mp *);
/* For callbacks: fail the parse with msg (copied, cut to fit), unless
 * it failed already; the callback then returns -1. */
void		 wa_mp_stop(struct wa_mp *, const char *msg);

/* One part of a form read by wa_mp_read(). */
struct wa_mp_field {
	const char	*name;		/* arena */
	const char	*filename;	/* arena or NULL: a file part */
	const char	*content_type;	/* arena or NULL */
	/* a text part (filename NULL): its value, NUL-terminated, arena;
	 * bytes as sent (neither UTF-8 nor the absence of NUL is
	 * checked): size is the length */
	const char	*value;
	size_t		 size;		/* bytes of the body */
	/* a file part: an open, already unlinked spool file, positioned at
	 * 0; closed by the arena's reset (wa_arena_defer).  -1 for a text
	 * part. */
	int		 fd;
};

#define WA_MP_FIELDS_MAX	16
#define WA_MP_CHUNK		(64 * 1024)	/* bytes read at a time */

struct wa_mp_limits {
	size_t		 file_max;	/* bytes per file part */
	size_t		 value_max;	/* bytes per text part (e.g. 4096) */
	size_t		 fields_max;	/* parts; 0 or over: FIELDS_MAX */
	const char	*spool_dir;	/* NULL: getenv("TMPDIR") or /tmp */
};

struct wa_mp_form {
	struct wa_mp_field	 fields[WA_MP_FIELDS_MAX];
	size_t			 nfields;
};

/*
 * Reads the request's whole body as multipart/form-data into out: the
 * boundary from its Content-Type, the bytes through wa_req_body_read()
 * WA_MP_CHUNK at a time (never the whole body in memory), file parts
 * spooled to disk (O_TMPFILE, or mkstemp and unlink, in the spool
 * directory), text parts in the arena.  Errors are recorded with
 * wa_fail() and returned:
 *  - not multipart/form-data or no usable boundary: 415
 *    WA_ERR_UNSUPPORTED_MEDIA;
 *  - malformed or truncated: WA_ERR_BAD_REQUEST with the parser's
 *    message;
 *  - a file part over file_max ("File exceeds 5 MB"), a text part over
 *    value_max, more parts than fields_max: WA_ERR_TOO_LARGE;
 *  - a spool file that cannot be made or written: WA_ERR_INTERNAL, the
 *    system's reason in the log detail.
 * After an error the rest of the body is left unread, and out holds
 * the parts met so far, the last one possibly incomplete.
 */
enum wa_err	 wa_mp_read(struct wa_req *, const struct wa_mp_limits *,
		    struct wa_mp_form *out);

/* An open spool file in dir (NULL: TMPDIR, else /tmp), already
 * unlinked, closed at the arena's reset; -1 with errno set. */
int		 wa_mp_spool(struct wa_arena *, const char *dir);

/* The first part named name, or NULL. */
const struct wa_mp_field *wa_mp_get(const struct wa_mp_form *,
		    const char *name);

#endif /* WA_MULTIPART_H */
