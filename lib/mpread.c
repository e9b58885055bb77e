/*
 * The request level of multipart.h: wa_mp_read() drives the parser core
 * (multipart.c) over a streamed request body, WA_MP_CHUNK bytes at a
 * time, and keeps each part: a text part in the arena under value_max,
 * a file part in a spool file under file_max.
 *
 * A spool file never has a name for long: O_TMPFILE where the system
 * and the file system have it, else mkstemp() and an unlink() at once.
 * Its descriptor is closed by the arena's reset, so a handler that
 * fails half way leaks nothing.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "buf.h"
#include "multipart.h"
#include "req.h"

#define MIB	(1024 * 1024)

/* One wa_mp_read(): the callbacks' context. */
struct reading {
	struct wa_req			*r;
	const struct wa_mp_limits	*lim;
	struct wa_mp_form		*form;
	struct wa_mp			 mp;
	struct wa_mp_field		*cur;
	struct wa_buf			 text;
	size_t				 fields_max;
	const char			*dir;
	enum wa_err			 code;	/* of a stop */
};

/* Stops the parse with code and a message. */
static int
stop(struct reading *rd, enum wa_err code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
stop(struct reading *rd, enum wa_err code, const char *fmt, ...)
{
	char	msg[WA_MP_ERROR_MAX];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	rd->code = code;
	wa_mp_stop(&rd->mp, msg);
	return -1;
}

/* A spool file could not be made or written: a 500, errno logged. */
static int
spool_failed(struct reading *rd, const char *what)
{
	wa_fail_log(rd->r, "multipart spool in %s: %s: %s", rd->dir, what,
	    strerror(errno));
	return stop(rd, WA_ERR_INTERNAL, "Internal error");
}

static void
close_fd(void *p)
{
	close(*(int *)p);
}

int
wa_mp_spool(struct wa_arena *a, const char *dir)
{
	char		*path;
	int		*fdp, fd = -1, saved;

	if (dir == NULL && ((dir = getenv("TMPDIR")) == NULL || *dir == '\0'))
		dir = "/tmp";
#ifdef O_TMPFILE
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
#endif
	if (fd == -1) {
		path = wa_arena_printf(a, "%s/wa-upload-XXXXXX", dir);
		if ((fd = mkstemp(path)) == -1)
			return -1;
		if (unlink(path) == -1 ||
		    fcntl(fd, F_SETFD, FD_CLOEXEC) == -1) {
			saved = errno;
			unlink(path);
			close(fd);
			errno = saved;
			return -1;
		}
	}
	fdp = wa_arena_alloc(a, sizeof(*fdp));
	*fdp = fd;
	wa_arena_defer(a, close_fd, fdp);
	return fd;
}

static int
spool_open(struct reading *rd)
{
	return wa_mp_spool(rd->r->arena, rd->dir);
}

static int
part(void *ctx, const char *name, const char *filename, const char *type)
{
	struct reading		*rd = ctx;
	struct wa_arena		*a = rd->r->arena;
	struct wa_mp_field	*f;

	if (rd->form->nfields >= rd->fields_max)
		return stop(rd, WA_ERR_TOO_LARGE, "Too many parts in the form "
		    "(at most %zu)", rd->fields_max);
	f = rd->cur = &rd->form->fields[rd->form->nfields++];
	memset(f, 0, sizeof(*f));
	f->name = wa_arena_strdup(a, name);
	f->filename = wa_arena_strdup(a, filename);
	f->content_type = wa_arena_strdup(a, type);
	f->fd = -1;
	if (filename == NULL) {
		wa_buf_init(&rd->text, a, rd->lim->value_max);
		return 0;
	}
	if ((f->fd = spool_open(rd)) == -1)
		return spool_failed(rd, "open");
	return 0;
}

static int
file_data(struct reading *rd, const char *buf, size_t len)
{
	struct wa_mp_field	*f = rd->cur;
	size_t			 max = rd->lim->file_max;
	ssize_t			 k;

	if (len > max - f->size) {
		if (max > 0 && max % MIB == 0)
			return stop(rd, WA_ERR_TOO_LARGE, "File exceeds %zu MB",
			    max / MIB);
		return stop(rd, WA_ERR_TOO_LARGE, "File exceeds %zu bytes",
		    max);
	}
	f->size += len;
	while (len > 0) {
		if ((k = write(f->fd, buf, len)) == -1) {
			if (errno == EINTR)
				continue;
			return spool_failed(rd, "write");
		}
		buf += k;
		len -= (size_t)k;
	}
	return 0;
}

static int
data(void *ctx, const char *buf, size_t len)
{
	struct reading	*rd = ctx;

	if (rd->cur->filename != NULL)
		return file_data(rd, buf, len);
	if (wa_buf_add(&rd->text, buf, len) != WA_OK)
		return stop(rd, WA_ERR_TOO_LARGE, "Field \"%s\" exceeds %zu "
		    "bytes", rd->cur->name, rd->lim->value_max);
	return 0;
}

static int
end(void *ctx)
{
	struct reading		*rd = ctx;
	struct wa_mp_field	*f = rd->cur;

	rd->cur = NULL;
	if (f->filename != NULL) {
		if (lseek(f->fd, 0, SEEK_SET) == -1)
			return spool_failed(rd, "lseek");
		return 0;
	}
	f->value = rd->text.data != NULL ? rd->text.data : "";
	f->size = rd->text.len;
	return 0;
}

enum wa_err
wa_mp_read(struct wa_req *r, const struct wa_mp_limits *lim,
    struct wa_mp_form *out)
{
	struct wa_mp_cb	 cb = { part, data, end, NULL };
	struct reading	 rd;
	char		 b[WA_MP_BOUNDARY_MAX + 1], *buf;
	const char	*dir;
	long		 n;

	memset(out, 0, sizeof(*out));
	if (!wa_mp_boundary(wa_req_header(r, "content-type"), b))
		return wa_fail(r, WA_ERR_UNSUPPORTED_MEDIA, "Content-Type "
		    "must be multipart/form-data with a boundary");
	memset(&rd, 0, sizeof(rd));
	rd.r = r;
	rd.lim = lim;
	rd.form = out;
	rd.code = WA_ERR_BAD_REQUEST;
	rd.fields_max = lim->fields_max;
	if (rd.fields_max == 0 || rd.fields_max > WA_MP_FIELDS_MAX)
		rd.fields_max = WA_MP_FIELDS_MAX;
	if ((dir = lim->spool_dir) == NULL &&
	    ((dir = getenv("TMPDIR")) == NULL || *dir == '\0'))
		dir = "/tmp";
	rd.dir = dir;
	cb.ctx = &rd;
	wa_mp_init(&rd.mp, b, &cb);
	buf = wa_arena_alloc(r->arena, WA_MP_CHUNK);
	while ((n = wa_req_body_read(r, buf, WA_MP_CHUNK)) > 0)
		if (wa_mp_feed(&rd.mp, buf, (size_t)n) == -1)
			return wa_fail(r, rd.code, "%s", wa_mp_error(&rd.mp));
	if (n < 0)
		return r->err.code != WA_OK ? r->err.code :
		    wa_fail(r, WA_ERR_BAD_REQUEST, "Truncated request body");
	if (wa_mp_finish(&rd.mp) == -1)
		return wa_fail(r, WA_ERR_BAD_REQUEST, "%s",
		    wa_mp_error(&rd.mp));
	return WA_OK;
}

const struct wa_mp_field *
wa_mp_get(const struct wa_mp_form *form, const char *name)
{
	size_t	i;

	for (i = 0; i < form->nfields; i++)
		if (strcmp(form->fields[i].name, name) == 0)
			return &form->fields[i];
	return NULL;
}
