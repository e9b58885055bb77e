/*
 * The media store (media.h): rows in wa.media, objects in a directory
 * served by nginx (file) or in an S3-compatible bucket (s3).
 */
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "arena.h"
#include "cfg.h"
#include "clock.h"
#include "crypto.h"
#include "db.h"
#include "graph/graph.h"
#include "media.h"
#include "multipart.h"
#include "s3.h"
#include "valid.h"

#define CHUNK	(64 * 1024)

/* The types the store keeps: WhatsApp's media (contract §8.1), and
 * its extension, which also gives nginx the Content-Type. */
static const struct {
	const char	*mime;
	const char	*ext;
} types[] = {
	{ "image/jpeg", "jpg" }, { "image/png", "png" },
	{ "image/webp", "webp" },
	{ "audio/aac", "aac" }, { "audio/amr", "amr" },
	{ "audio/mpeg", "mp3" }, { "audio/mp4", "m4a" },
	{ "audio/ogg", "ogg" },
	{ "video/mp4", "mp4" }, { "video/3gpp", "3gp" },
	{ "text/plain", "txt" }, { "application/pdf", "pdf" },
	{ "application/msword", "doc" },
	{ "application/vnd.openxmlformats-officedocument."
	    "wordprocessingml.document", "docx" },
	{ "application/vnd.ms-excel", "xls" },
	{ "application/vnd.openxmlformats-officedocument."
	    "spreadsheetml.sheet", "xlsx" },
	{ "application/vnd.ms-powerpoint", "ppt" },
	{ "application/vnd.openxmlformats-officedocument."
	    "presentationml.presentation", "pptx" },
};

const char *
wa_media_ext(const char *mime)
{
	size_t	i;

	for (i = 0; mime != NULL && i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(types[i].mime, mime) == 0)
			return types[i].ext;
	return NULL;
}

static int
is_s3(const struct wa_cfg *cfg)
{
	return strcmp(cfg->media_backend, "s3") == 0;
}

static enum wa_err
configured(struct wa_req *r)
{
	const struct wa_cfg	*c = r->cfg;

	if (is_s3(c) ? wa_s3_configured(c) : (c->media_dir != NULL &&
	    c->media_link_secret != NULL))
		return WA_OK;
	return wa_fail(r, WA_ERR_UNAVAILABLE, "The media store is not "
	    "configured");
}

/* A backend failure: 500, with what failed for the log. */
static enum wa_err
io_failed(struct wa_req *r, const char *what, const char *path)
{
	wa_fail_log(r, "media store: %s %s: %s", what, path, strerror(errno));
	return wa_fail(r, WA_ERR_INTERNAL, "Internal error");
}

/* Up to want bytes of fd at off (EINTR retried): bytes read, 0 at the
 * end, -1. */
static ssize_t
read_at(int fd, char *buf, size_t want, size_t off)
{
	ssize_t	k;

	do
		k = pread(fd, buf, want < CHUNK ? want : CHUNK, (off_t)off);
	while (k < 0 && errno == EINTR);
	return k;
}

/* SHA-256 of the size bytes of fd, hex. */
static enum wa_err
hash_fd(struct wa_req *r, int fd, size_t size, char out[WA_MEDIA_SHA_LEN])
{
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen = 0;
	EVP_MD_CTX	*ctx;
	char		*buf;
	size_t		 off = 0;
	ssize_t		 k;

	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(ctx);
		return wa_fail(r, WA_ERR_INTERNAL, "Internal error");
	}
	buf = wa_arena_alloc(r->arena, CHUNK);
	while (off < size) {
		if ((k = read_at(fd, buf, size - off, off)) <= 0)
			break;
		EVP_DigestUpdate(ctx, buf, (size_t)k);
		off += (size_t)k;
	}
	EVP_DigestFinal_ex(ctx, md, &mdlen);
	EVP_MD_CTX_free(ctx);
	if (off != size)
		return io_failed(r, "read", "the spool file");
	wa_crypto_hex(md, mdlen, out);
	return WA_OK;
}

/* mkdir -p of the directories of path (under media_dir, 0755). */
static int
make_dirs(char *path)
{
	char	*p;

	for (p = strchr(path + 1, '/'); p != NULL; p = strchr(p + 1, '/')) {
		*p = '\0';
		if (mkdir(path, 0755) == -1 && errno != EEXIST) {
			*p = '/';
			return -1;
		}
		*p = '/';
	}
	return 0;
}

/* Copies size bytes of fd into a new file next to path, then renames
 * it there: readers never see half a file. */
static enum wa_err
file_write(struct wa_req *r, int fd, size_t size, char *path)
{
	char	*tmp, *buf;
	size_t	 off = 0;
	ssize_t	 k;
	int	 out;

	if (access(path, F_OK) == 0)
		return WA_OK;		/* the organization has it */
	if (make_dirs(path) == -1)
		return io_failed(r, "mkdir", path);
	tmp = wa_arena_printf(r->arena, "%s.tmp-XXXXXX", path);
	if ((out = mkstemp(tmp)) == -1)
		return io_failed(r, "create", tmp);
	buf = wa_arena_alloc(r->arena, CHUNK);
	while (off < size) {
		if ((k = read_at(fd, buf, size - off, off)) <= 0 ||
		    write(out, buf, (size_t)k) != k)
			break;
		off += (size_t)k;
	}
	if (off != size || fchmod(out, 0644) == -1 || fsync(out) == -1 ||
	    close(out) == -1 || rename(tmp, path) == -1) {
		io_failed(r, "write", tmp);
		unlink(tmp);
		return r->err.code;
	}
	return WA_OK;
}

static enum wa_err
object_put(struct wa_req *r, int fd, size_t size, const char *key,
    const char *mime)
{
	int	exists = 0;
	size_t	have;

	if (!is_s3(r->cfg))
		return file_write(r, fd, size, wa_arena_printf(r->arena,
		    "%s/%s", r->cfg->media_dir, key));
	if (wa_s3_head(r, key, &exists, &have) != WA_OK)
		return r->err.code;
	if (exists && have == size)
		return WA_OK;
	return wa_s3_put_fd(r, key, fd, size, mime);
}

static enum wa_err
object_delete(struct wa_req *r, const char *key)
{
	char	*path;

	if (is_s3(r->cfg))
		return wa_s3_delete(r, key);
	path = wa_arena_printf(r->arena, "%s/%s", r->cfg->media_dir, key);
	if (unlink(path) == -1 && errno != ENOENT)
		return io_failed(r, "unlink", path);
	return WA_OK;
}

#define MEDIA_COLS \
	"id, sha256, bytes, mime, filename, object_key, source, " \
	"meta_media_id, width, height, wa.rfc3339(created_at) AS created_at"

static void
fill(struct wa_req *r, const PGresult *res, struct wa_media *m)
{
	memset(m, 0, sizeof(*m));
	snprintf(m->id, sizeof(m->id), "%s", wa_db_get(res, 0, "id"));
	snprintf(m->sha256, sizeof(m->sha256), "%s",
	    wa_db_get(res, 0, "sha256"));
	m->bytes = (size_t)wa_db_int(res, 0, "bytes", 0);
	m->mime = wa_arena_strdup(r->arena, wa_db_get(res, 0, "mime"));
	m->filename = wa_arena_strdup(r->arena, wa_db_get(res, 0,
	    "filename"));
	m->key = wa_arena_strdup(r->arena, wa_db_get(res, 0, "object_key"));
	m->source = wa_arena_strdup(r->arena, wa_db_get(res, 0, "source"));
	m->meta_media_id = wa_arena_strdup(r->arena, wa_db_get(res, 0,
	    "meta_media_id"));
	m->width = (unsigned)wa_db_int(res, 0, "width", 0);
	m->height = (unsigned)wa_db_int(res, 0, "height", 0);
	m->created_at = wa_arena_strdup(r->arena, wa_db_get(res, 0,
	    "created_at"));
}

enum wa_err
wa_media_put(struct wa_req *r, int fd, size_t size,
    const struct wa_media_new *n, struct wa_media *out)
{
	static const char sql[] =
	    "INSERT INTO wa.media (org_id, sha256, bytes, mime, filename, "
	    "object_key, backend, source, meta_media_id, width, height, "
	    "visitor_id) "
	    "VALUES (wa.current_org(), $1, $2::bigint, $3, $4, $5, $6, $7, "
	    "$8, NULLIF($9, '0')::integer, NULLIF($10, '0')::integer, "
	    "$11::uuid) RETURNING " MEDIA_COLS;
	char		 sha[WA_MEDIA_SHA_LEN], bytes[24], w[16], h[16];
	const char	*ext = wa_media_ext(n->mime), *key;
	PGresult	*res;

	if (configured(r) != WA_OK)
		return r->err.code;
	if (ext == NULL)
		return wa_fail(r, WA_ERR_INTERNAL, "Internal error");
	if (hash_fd(r, fd, size, sha) != WA_OK)
		return r->err.code;
	key = wa_arena_printf(r->arena, "%s/%.2s/%s.%s", r->auth.org_id, sha,
	    sha, ext);
	if (object_put(r, fd, size, key, n->mime) != WA_OK)
		return r->err.code;
	snprintf(bytes, sizeof(bytes), "%zu", size);
	snprintf(w, sizeof(w), "%u", n->width);
	snprintf(h, sizeof(h), "%u", n->height);
	if (wa_db_q(r, &res, sql, 11, sha, bytes, n->mime, n->filename, key,
	    r->cfg->media_backend, n->source, n->meta_media_id, w, h,
	    n->visitor_id) != WA_OK)
		return r->err.code;
	fill(r, res, out);
	return WA_OK;
}

enum wa_err
wa_media_get(struct wa_req *r, const char *id, struct wa_media *out)
{
	static const char sql[] =
	    "SELECT " MEDIA_COLS " FROM wa.media WHERE id = $1";
	PGresult	*res;

	if (id == NULL || !wa_valid_uuid(id))
		return wa_fail_not_found(r, NULL, "Media");
	if (wa_db_q(r, &res, sql, 1, id) != WA_OK ||
	    wa_db_one_or_fail(r, res, NULL, "Media") != WA_OK)
		return r->err.code;
	fill(r, res, out);
	return WA_OK;
}

/* nginx's secure_link_md5 "$secure_link_expires$uri <secret>": the MD5
 * in base64url without padding. */
static const char *
file_link(struct wa_req *r, const struct wa_media *m, int64_t expires)
{
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen = 0;
	const char	*base, *uri, *in;
	char		 b64[64];
	int		 n, i;

	if ((base = wa_req_public_base(r)) == NULL) {
		wa_fail(r, WA_ERR_BAD_REQUEST, "No Host to make a link for");
		return NULL;
	}
	uri = wa_arena_printf(r->arena, "/media/%s", m->key);
	in = wa_arena_printf(r->arena, "%lld%s %s", (long long)expires, uri,
	    r->cfg->media_link_secret);
	EVP_Digest(in, strlen(in), md, &mdlen, EVP_md5(), NULL);
	n = EVP_EncodeBlock((unsigned char *)b64, md, (int)mdlen);
	while (n > 0 && b64[n - 1] == '=')
		n--;
	b64[n] = '\0';
	for (i = 0; i < n; i++)
		b64[i] = b64[i] == '+' ? '-' : b64[i] == '/' ? '_' : b64[i];
	return wa_arena_printf(r->arena, "%s%s?md5=%s&expires=%lld", base,
	    uri, b64, (long long)expires);
}

const char *
wa_media_link(struct wa_req *r, const struct wa_media *m, int ttl_s,
    int64_t *expires)
{
	int64_t		now = wa_clock_now_ms() / 1000;
	const char	*url;

	if (configured(r) != WA_OK)
		return NULL;
	if (ttl_s <= 0)
		ttl_s = r->cfg->media_link_ttl_s;
	*expires = now + ttl_s;
	if (!is_s3(r->cfg))
		return file_link(r, m, *expires);
	if ((url = wa_s3_presign_get(r, m->key, ttl_s, now)) == NULL &&
	    r->err.code == WA_OK)
		wa_fail(r, WA_ERR_INTERNAL, "Internal error");
	return url;
}

enum wa_err
wa_media_delete(struct wa_req *r, const char *id)
{
	static const char sql_del[] =
	    "DELETE FROM wa.media WHERE id = $1 RETURNING object_key";
	static const char sql_left[] =
	    "SELECT count(*) AS n FROM wa.media WHERE object_key = $1";
	PGresult	*res;
	const char	*key;

	if (id == NULL || !wa_valid_uuid(id))
		return wa_fail_not_found(r, NULL, "Media");
	if (configured(r) != WA_OK ||
	    wa_db_q(r, &res, sql_del, 1, id) != WA_OK ||
	    wa_db_one_or_fail(r, res, NULL, "Media") != WA_OK)
		return r->err.code;
	key = wa_arena_strdup(r->arena, wa_db_get(res, 0, "object_key"));
	if (wa_db_q(r, &res, sql_left, 1, key) != WA_OK)
		return r->err.code;
	if (wa_db_int(res, 0, "n", 1) > 0)
		return WA_OK;
	return object_delete(r, key);
}

int
wa_media_spool(struct wa_req *r)
{
	int	fd;

	if ((fd = wa_mp_spool(r->arena, NULL)) == -1) {
		io_failed(r, "create", "a spool file");
		return -1;
	}
	return fd;
}

enum wa_err
wa_media_from_meta(struct wa_req *r, const struct wa_graph_acct *g,
    const char *meta_media_id, struct wa_media *out)
{
	struct wa_graph_res	 res;
	struct wa_graph_media	 info;
	struct wa_media_new	 n;
	size_t			 size;
	int			 fd;

	if (configured(r) != WA_OK)
		return r->err.code;
	if (wa_graph_media_info(r, g, meta_media_id, &res, &info) ==
	    WA_GRAPH_MALFORMED && res.http_status / 100 == 2)
		/* Meta has an object of that id, but not a medium */
		return wa_fail(r, WA_ERR_UNPROCESSABLE, "Meta has no medium "
		    "%s: the id names something else", meta_media_id);
	if (res.status != WA_GRAPH_OK)
		return wa_graph_fail(r, &res, "read the medium from Meta");
	if (wa_media_ext(info.mime_type) == NULL)
		return wa_fail(r, WA_ERR_UNPROCESSABLE, "Meta's medium is of "
		    "a type the store does not keep (%s)", info.mime_type);
	if ((fd = wa_media_spool(r)) == -1)
		return r->err.code;
	if (wa_graph_media_download(r, g, info.url, fd, WA_MEDIA_MAX, &res,
	    &size) != WA_GRAPH_OK)
		return wa_graph_fail(r, &res, "download the medium from Meta");
	memset(&n, 0, sizeof(n));
	n.mime = info.mime_type;
	n.source = "meta";
	n.meta_media_id = meta_media_id;
	return wa_media_put(r, fd, size, &n, out);
}
