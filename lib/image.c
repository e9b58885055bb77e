/*
 * image: the type and the dimensions of an uploaded image, from its
 * bytes.
 *
 * libmagic names the content (one cookie per process, opened on first
 * use and kept); when it says PNG, JPEG or WebP, that format's own
 * library decodes the header -- libpng up to the first IDAT, libjpeg up
 * to the first scan, WebPGetInfo -- from memory, with their errors
 * caught (libpng's and libjpeg's longjmp) and their messages silenced.
 * Nothing past the first WA_IMAGE_READ_MAX bytes is read; this module
 * is the one place of lib/ that uses malloc(3), for that buffer, and
 * frees it before returning.
 */
#include <sys/types.h>

#include <errno.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jpeglib.h>
#include <jerror.h>
#include <magic.h>
#include <png.h>
#include <webp/decode.h>

#include "image.h"
#include "log.h"

#define OCTET	"application/octet-stream"

static const char *const mimes[] = {
	NULL,		/* WA_IMAGE_NONE */
	"image/png",	/* WA_IMAGE_PNG */
	"image/jpeg",	/* WA_IMAGE_JPEG */
	"image/webp",	/* WA_IMAGE_WEBP */
};

/* The process's libmagic: not tried yet, loaded, or unavailable. */
static magic_t	 cookie;
static int	 magic_tried;

/* Bytes in memory as libpng reads them. */
struct memsrc {
	const unsigned char	*p;
	size_t			 len;
	size_t			 off;
};

/* libjpeg's error manager with the way back out. */
struct jerr {
	struct jpeg_error_mgr	 pub;
	jmp_buf			 jb;
	int			 eof;	/* the data ended early */
};

const char *
wa_image_mime(enum wa_image_type t)
{
	if ((size_t)t >= sizeof(mimes) / sizeof(mimes[0]))
		return NULL;
	return mimes[t];
}

/*
 * The cookie, or NULL without libmagic or its database (warned once).
 * Decompression is off: a gzip is named, never opened.
 */
static magic_t
libmagic(void)
{
	const char	*why;

	if (magic_tried)
		return cookie;
	magic_tried = 1;
	cookie = magic_open(MAGIC_MIME_TYPE | MAGIC_NO_CHECK_COMPRESS);
	if (cookie == NULL) {
		wa_log(WA_LOG_WARN, "image: libmagic unavailable (%s): "
		    "PNG, JPEG and WebP known by signature only",
		    strerror(errno));
		return NULL;
	}
	if (magic_load(cookie, NULL) != 0) {
		why = magic_error(cookie);
		wa_log(WA_LOG_WARN, "image: no libmagic database (%s): "
		    "PNG, JPEG and WebP known by signature only",
		    why != NULL ? why : "unknown error");
		magic_close(cookie);
		cookie = NULL;
	}
	return cookie;
}

/* The type by its signature alone (no libmagic). */
static enum wa_image_type
sniff(const unsigned char *p, size_t n)
{
	static const unsigned char png[8] = {
		0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'
	};

	if (n >= sizeof(png) && memcmp(p, png, sizeof(png)) == 0)
		return WA_IMAGE_PNG;
	if (n >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff)
		return WA_IMAGE_JPEG;
	if (n >= 12 && memcmp(p, "RIFF", 4) == 0 &&
	    memcmp(p + 8, "WEBP", 4) == 0)
		return WA_IMAGE_WEBP;
	return WA_IMAGE_NONE;
}

/* The MIME type of p[0..n) into mime, and the type it names. */
static enum wa_image_type
classify(const unsigned char *p, size_t n, char *mime, size_t mimesz)
{
	enum wa_image_type	 t;
	const char		*s = NULL;
	magic_t			 m;

	if ((m = libmagic()) != NULL)
		s = magic_buffer(m, p, n < WA_IMAGE_MAGIC_MAX ? n :
		    WA_IMAGE_MAGIC_MAX);
	if (s == NULL) {
		t = sniff(p, n);
		s = t == WA_IMAGE_NONE ? OCTET : mimes[t];
	} else {
		for (t = WA_IMAGE_PNG; t <= WA_IMAGE_WEBP; t++)
			if (strcmp(s, mimes[t]) == 0)
				break;
		if (t > WA_IMAGE_WEBP)
			t = WA_IMAGE_NONE;
	}
	snprintf(mime, mimesz, "%s", *s != '\0' ? s : OCTET);
	return t;
}

static void
png_fail(png_structp png, png_const_charp msg)
{
	(void)msg;
	png_longjmp(png, 1);
}

static void
png_quiet(png_structp png, png_const_charp msg)
{
	(void)png;
	(void)msg;
}

static void
png_memread(png_structp png, png_bytep out, size_t n)
{
	struct memsrc	*s = png_get_io_ptr(png);

	if (n > s->len - s->off)
		png_error(png, "truncated");
	memcpy(out, s->p + s->off, n);
	s->off += n;
}

/*
 * A PNG's dimensions: its chunks up to the first IDAT, the critical
 * ones checked (signature, CRCs, IHDR's fields), the ancillary ones
 * skipped unread.
 */
static int
png_dims(const unsigned char *p, size_t n, unsigned *w, unsigned *h)
{
	struct memsrc	 s = { p, n, 0 };
	png_structp	 png;
	png_infop	 info;
	volatile int	 rc = -1;

	png = png_create_read_struct(PNG_LIBPNG_VER_STRING, NULL, png_fail,
	    png_quiet);
	if (png == NULL)
		return -1;
	if ((info = png_create_info_struct(png)) == NULL) {
		png_destroy_read_struct(&png, NULL, NULL);
		return -1;
	}
	if (setjmp(png_jmpbuf(png)) == 0) {
		png_set_read_fn(png, &s, png_memread);
		png_set_keep_unknown_chunks(png, PNG_HANDLE_CHUNK_NEVER,
		    NULL, -1);
		png_read_info(png, info);
		*w = png_get_image_width(png, info);
		*h = png_get_image_height(png, info);
		rc = 0;
	}
	png_destroy_read_struct(&png, &info, NULL);
	return rc;
}

static void
jpeg_fail(j_common_ptr c)
{
	struct jerr	*e = (struct jerr *)c->err;

	longjmp(e->jb, 1);
}

/* Messages are not shown; the end of the data is noted. */
static void
jpeg_quiet(j_common_ptr c, int level)
{
	struct jerr	*e = (struct jerr *)c->err;

	if (level < 0 && c->err->msg_code == JWRN_JPEG_EOF)
		e->eof = 1;
}

static void
jpeg_silent(j_common_ptr c)
{
	(void)c;
}

/*
 * A JPEG's dimensions: its markers up to the first scan (SOI, the
 * tables, a frame header, SOS).  Warnings (extraneous bytes) are
 * tolerated, an end before the first scan's header is complete is not.
 */
static int
jpeg_dims(const unsigned char *p, size_t n, unsigned *w, unsigned *h)
{
	struct jpeg_decompress_struct	 cinfo;
	struct jerr			 err;
	volatile int			 rc = -1;

	memset(&cinfo, 0, sizeof(cinfo));
	cinfo.err = jpeg_std_error(&err.pub);
	err.eof = 0;
	err.pub.error_exit = jpeg_fail;
	err.pub.emit_message = jpeg_quiet;
	err.pub.output_message = jpeg_silent;
	if (setjmp(err.jb) == 0) {
		jpeg_create_decompress(&cinfo);
		jpeg_mem_src(&cinfo, p, (unsigned long)n);
		if (jpeg_read_header(&cinfo, TRUE) == JPEG_HEADER_OK &&
		    !err.eof) {
			*w = cinfo.image_width;
			*h = cinfo.image_height;
			rc = 0;
		}
	}
	jpeg_destroy_decompress(&cinfo);
	return rc;
}

static int
webp_dims(const unsigned char *p, size_t n, unsigned *w, unsigned *h)
{
	int	iw, ih;

	if (!WebPGetInfo(p, n, &iw, &ih) || iw <= 0 || ih <= 0)
		return -1;
	*w = (unsigned)iw;
	*h = (unsigned)ih;
	return 0;
}

int
wa_image_probe_mem(const void *buf, size_t len, struct wa_image *out)
{
	const unsigned char	*p = buf;
	enum wa_image_type	 t;
	unsigned		 w = 0, h = 0;
	int			 rc;

	memset(out, 0, sizeof(*out));
	if (p == NULL || len == 0) {
		p = (const unsigned char *)"";
		len = 0;
	}
	if (len > WA_IMAGE_READ_MAX)
		len = WA_IMAGE_READ_MAX;
	t = classify(p, len, out->mime, sizeof(out->mime));
	switch (t) {
	case WA_IMAGE_PNG:
		rc = png_dims(p, len, &w, &h);
		break;
	case WA_IMAGE_JPEG:
		rc = jpeg_dims(p, len, &w, &h);
		break;
	case WA_IMAGE_WEBP:
		rc = webp_dims(p, len, &w, &h);
		break;
	default:
		rc = -1;
		break;
	}
	if (rc != 0 || w == 0 || h == 0)
		return -1;
	out->type = t;
	out->width = w;
	out->height = h;
	return 0;
}

int
wa_image_probe_fd(int fd, size_t size, struct wa_image *out)
{
	unsigned char	*buf;
	size_t		 want, got = 0;
	ssize_t		 n;
	int		 rc;

	want = size < WA_IMAGE_READ_MAX ? size : WA_IMAGE_READ_MAX;
	if ((buf = malloc(want > 0 ? want : 1)) == NULL)
		goto fail;
	while (got < want) {
		n = pread(fd, buf + got, want - got, (off_t)got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			free(buf);
			goto fail;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	rc = wa_image_probe_mem(buf, got, out);
	free(buf);
	return rc;
fail:
	memset(out, 0, sizeof(*out));
	snprintf(out->mime, sizeof(out->mime), "%s", OCTET);
	return -1;
}
