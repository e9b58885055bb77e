/*
 * image: what an uploaded image really is, by its content.
 *
 * The type comes from the bytes alone (libmagic, then the format's own
 * header decoded by libpng, libjpeg or libwebp); a file name or a
 * declared Content-Type is never consulted.  Only the headers are
 * read, never the pixels, and only the first WA_IMAGE_READ_MAX bytes.
 * One libmagic handle serves the whole process: not for use from
 * several threads at once.
 */
#ifndef WA_IMAGE_H
#define WA_IMAGE_H

#include <stddef.h>

#define WA_IMAGE_READ_MAX	(1024 * 1024)	/* bytes a probe looks at */
#define WA_IMAGE_MAGIC_MAX	(64 * 1024)	/* of which libmagic sees */
#define WA_IMAGE_MIME_MAX	128		/* incl. NUL */

enum wa_image_type {
	WA_IMAGE_NONE = 0,
	WA_IMAGE_PNG,
	WA_IMAGE_JPEG,
	WA_IMAGE_WEBP
};

struct wa_image {
	enum wa_image_type	 type;
	/* libmagic's MIME type ("text/plain" for a renamed text file), cut
	 * to fit; "application/octet-stream" when nothing is known */
	char			 mime[WA_IMAGE_MIME_MAX];
	unsigned		 width, height;
};

/*
 * Probes the `size` bytes of an open file: reads its first bytes with
 * pread(2) from offset 0 (the offset of fd does not move; fd stays
 * open).  Returns 0 when the content is a PNG, JPEG or WebP whose
 * header is sound (type, mime, width and height > 0 set); -1 otherwise,
 * with type WA_IMAGE_NONE, width and height 0 and mime what libmagic
 * said.  A PNG or JPEG whose header is broken, or cut before the image
 * data begins, is -1.  Never prints, never aborts.
 *
 * Without libmagic's database (logged once as a warning) PNG, JPEG and
 * WebP are recognised by their signatures and mime is theirs, or
 * "application/octet-stream" for the rest.
 */
int		 wa_image_probe_fd(int fd, size_t size, struct wa_image *out);

/* The same over memory: buf[0..len), of which the first
 * WA_IMAGE_READ_MAX bytes are looked at.  buf may be NULL if len is 0. */
int		 wa_image_probe_mem(const void *buf, size_t len,
		    struct wa_image *out);

/* "image/png", "image/jpeg", "image/webp"; NULL for WA_IMAGE_NONE. */
const char	*wa_image_mime(enum wa_image_type);

#endif /* WA_IMAGE_H */
