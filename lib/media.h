/*
 * media: the media store (docs/media.md).  Files an organization keeps
 * (uploads, media fetched from Meta) are content-addressed: an object's
 * key is its organization, its SHA-256 and an extension of its type,
 * "<org>/<2 hex>/<sha256>.<ext>", written once per organization and
 * shared by every row of wa.media that has those bytes.  Two backends
 * behind one interface, chosen by WA_MEDIA_BACKEND:
 *
 *   file  under WA_MEDIA_DIR, served by nginx at /media/<key> with
 *         expiring links signed for its secure_link module (an MD5 of
 *         the expiry, the URI and WA_MEDIA_LINK_SECRET);
 *   s3    an S3-compatible bucket (lib/s3.h), served by presigned GETs.
 *
 * A row is the organization's (row-level security): another
 * organization's id is 404, as an unknown one is.  Files are read from
 * and written to open descriptors, never held in memory.
 */
#ifndef WA_MEDIA_H
#define WA_MEDIA_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "err.h"
#include "req.h"

struct wa_graph_acct;

#define WA_MEDIA_MAX		(100u * 1024 * 1024)	/* Meta's largest */
#define WA_MEDIA_SHA_LEN	65			/* hex, incl. NUL */

struct wa_media {
	char		 id[WA_UUID_LEN];
	char		 sha256[WA_MEDIA_SHA_LEN];
	size_t		 bytes;
	const char	*mime;
	const char	*filename;	/* or NULL */
	const char	*key;		/* the object's key */
	const char	*source;	/* "upload", "meta" */
	const char	*meta_media_id;	/* or NULL */
	unsigned	 width, height;	/* an image's, else 0 */
	const char	*created_at;	/* RFC 3339 */
};

/* What a new medium is: its type as its bytes say (lib/image), its
 * name as the client gave it, where it came from. */
struct wa_media_new {
	const char	*mime;
	const char	*filename;	/* or NULL */
	const char	*source;	/* "upload", "meta" */
	const char	*meta_media_id;	/* or NULL */
	const char	*visitor_id;	/* the web chat visitor's, or NULL */
	unsigned	 width, height;
};

/* The extension of a type the store keeps ("png"), or NULL: a type
 * the store refuses. */
const char	*wa_media_ext(const char *mime);

/*
 * Stores the `size` bytes of the open file fd (read with pread from 0)
 * for the request's organization: hashes them, writes the object
 * unless the organization has it already, and inserts its row (inside
 * the request's transaction).  503 if the store is not configured;
 * 500 with a log detail if the backend fails.
 */
enum wa_err	wa_media_put(struct wa_req *, int fd, size_t size,
		    const struct wa_media_new *, struct wa_media *out);

/* The row `id` of the caller's organization; 404 "Media not found". */
enum wa_err	wa_media_get(struct wa_req *, const char *id,
		    struct wa_media *out);

/* A link to m that works until *expires (unix seconds): ttl_s from
 * now, or WA_MEDIA_LINK_TTL_S when ttl_s is 0; arena-owned, or NULL
 * with the failure recorded. */
const char	*wa_media_link(struct wa_req *, const struct wa_media *m,
		    int ttl_s, int64_t *expires);

/* Removes the row; the object too when no other row of the
 * organization has it.  404 as wa_media_get. */
enum wa_err	wa_media_delete(struct wa_req *, const char *id);

/*
 * A medium Meta holds (an inbound image, a document; its id from a
 * webhook) into the store with the account's token: Meta's URL and
 * type (GET /{media-id}), the bytes into a spool file (at most
 * WA_MEDIA_MAX), then wa_media_put() with source "meta".  Meta's
 * failures are recorded as wa_graph_fail() says.
 */
enum wa_err	wa_media_from_meta(struct wa_req *,
		    const struct wa_graph_acct *, const char *meta_media_id,
		    struct wa_media *out);

/* What an upload may be (wa_media_upload). */
struct wa_media_rules {
	size_t		 max;		/* any file; 0: WA_MEDIA_MAX */
	int		 images_only;	/* PNG, JPEG, WebP (an avatar) */
	size_t		 image_max;	/* 0: WhatsApp's (5 MB, WebP 500 KB) */
	const char	*visitor_id;	/* a web chat visitor's, or NULL */
};

/*
 * Reads the request's multipart/form-data body (lib/multipart), takes
 * its file part "file", decides its type by its content (lib/image),
 * checks it against rules and WhatsApp's types and sizes (docs/media.md)
 * and stores it (wa_media_put, source "upload").  400 for a missing,
 * empty or refused file (naming what its content is), 413 for one over
 * its kind's size, as wa_mp_read for the body.
 */
enum wa_err	wa_media_upload(struct wa_req *, const struct wa_media_rules *,
		    struct wa_media *out);

/*
 * Links in a tree a statement built: every object with a string member
 * "mediaKey" (an object key) loses it and gains "url" and
 * "urlExpiresAt", a link as wa_media_link() makes; such an object that
 * is the value of a member named "...Url" becomes the link itself.
 * For media inside other answers (a message's attachment, a channel's
 * avatarUrl).
 */
enum wa_err	wa_media_link_tree(struct wa_req *, cJSON *);

/* wa_resp_ok_raw() of JSON a statement built, its media linked
 * (wa_media_link_tree); data NULL: the whole body as is (wa_resp_set),
 * linked. */
enum wa_err	wa_media_resp_raw(struct wa_req *, int status,
		    const char *json, int whole);

/* A file as an upload route answers it, {mediaAssetId, mimeType,
 * bytes, fileName, width?, height?, url, urlExpiresAt}; NULL with the
 * failure recorded. */
cJSON		*wa_media_asset_json(struct wa_req *, const struct wa_media *);

/* An unlinked spool file, closed by the request's arena; -1 with 500
 * recorded. */
int		wa_media_spool(struct wa_req *);

#endif /* WA_MEDIA_H */
