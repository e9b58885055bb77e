/*
 * Meta's media (contract §8) and resumable uploads (§6.3) over the
 * simulated state.  Runs with sim.lock held (graph.c routes here).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <microhttpd.h>

#include "crypto.h"
#include "graph/graph.h"
#include "metasim.h"
#include "utf8.h"

/* ---- media (§8) ------------------------------------------------------- */

static const struct {
	const char	*mime;
	size_t		 max;
} media_types[] = {
	{ "audio/aac", 16u << 20 }, { "audio/amr", 16u << 20 },
	{ "audio/mpeg", 16u << 20 }, { "audio/mp4", 16u << 20 },
	{ "audio/ogg", 16u << 20 }, { "text/plain", 100u << 20 },
	{ "application/pdf", 100u << 20 },
	{ "application/msword", 100u << 20 },
	{ "application/vnd.openxmlformats-officedocument.wordprocessingml."
	    "document", 100u << 20 },
	{ "application/vnd.ms-excel", 100u << 20 },
	{ "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	    100u << 20 },
	{ "application/vnd.ms-powerpoint", 100u << 20 },
	{ "application/vnd.openxmlformats-officedocument.presentationml."
	    "presentation", 100u << 20 },
	{ "image/jpeg", 5u << 20 }, { "image/png", 5u << 20 },
	{ "image/webp", 500u << 10 }, { "video/mp4", 16u << 20 },
	{ "video/3gpp", 16u << 20 },
};

struct part {
	const char	*name;
	size_t		 name_len;
	const char	*ctype;
	size_t		 ctype_len;
	const char	*data;
	size_t		 len;
};

static const char *
memfind(const char *h, size_t hn, const char *n, size_t nn)
{
	size_t	i;

	for (i = 0; nn <= hn && i <= hn - nn; i++)
		if (memcmp(h + i, n, nn) == 0)
			return h + i;
	return NULL;
}

/* A small multipart/form-data reader: up to max parts. */
static int
multipart(const struct sreq *q, struct part *parts, int max)
{
	const char	*b, *p, *end, *hdr_end, *next, *v;
	char		 delim[200];
	size_t		 dn;
	int		 n = 0;

	if (q->ctype == NULL || (b = strstr(q->ctype, "boundary=")) == NULL)
		return -1;
	b += 9;
	dn = (size_t)snprintf(delim, sizeof(delim), "\r\n--%.*s",
	    (int)strcspn(b, "; \""), b + (*b == '"'));
	if (dn >= sizeof(delim))
		return -1;
	end = q->body + q->len;
	/* the first delimiter has no CRLF before it */
	if ((p = memfind(q->body, q->len, delim + 2, dn - 2)) == NULL)
		return -1;
	p += dn - 2;
	while (n < max && p + 2 <= end && memcmp(p, "--", 2) != 0) {
		p += 2;			/* CRLF after the delimiter */
		if ((hdr_end = memfind(p, (size_t)(end - p), "\r\n\r\n",
		    4)) == NULL)
			return -1;
		memset(&parts[n], 0, sizeof(parts[n]));
		if ((v = memfind(p, (size_t)(hdr_end - p), "name=\"", 6)) !=
		    NULL) {
			parts[n].name = v + 6;
			parts[n].name_len = strcspn(v + 6, "\"");
		}
		if ((v = memfind(p, (size_t)(hdr_end - p), "Content-Type: ",
		    14)) != NULL) {
			parts[n].ctype = v + 14;
			parts[n].ctype_len = strcspn(v + 14, "\r");
		}
		parts[n].data = hdr_end + 4;
		if ((next = memfind(parts[n].data, (size_t)(end -
		    parts[n].data), delim, dn)) == NULL)
			return -1;
		parts[n].len = (size_t)(next - parts[n].data);
		n++;
		p = next + dn;
	}
	return n;
}

static const struct part *
part_named(const struct part *parts, int n, const char *name)
{
	int	i;

	for (i = 0; i < n; i++)
		if (parts[i].name != NULL &&
		    parts[i].name_len == strlen(name) &&
		    strncmp(parts[i].name, name, parts[i].name_len) == 0)
			return &parts[i];
	return NULL;
}

void
media_upload(struct sreq *q, struct sresp *rs, struct sim_phone *p)
{
	struct part		 parts[8];
	const struct part	*mp, *ty, *file;
	struct sim_media	*m;
	unsigned char		 sum[32];
	char			 mime[128];
	size_t			 i;
	int			 n;
	cJSON			*o;

	if ((n = multipart(q, parts, 8)) < 0) {
		bad_param(rs, "the body must be multipart/form-data");
		return;
	}
	mp = part_named(parts, n, "messaging_product");
	ty = part_named(parts, n, "type");
	file = part_named(parts, n, "file");
	if (mp == NULL || mp->len != 8 || memcmp(mp->data, "whatsapp", 8)) {
		meta_error(rs, 100, 0, NULL, "The parameter messaging_product "
		    "is required.", NULL, NULL, NULL);
		return;
	}
	if (ty == NULL || file == NULL || file->len == 0 ||
	    ty->len >= sizeof(mime)) {
		bad_param(rs, "Params type and file are required");
		return;
	}
	snprintf(mime, sizeof(mime), "%.*s", (int)ty->len, ty->data);
	for (i = 0; i < sizeof(media_types) / sizeof(media_types[0]); i++)
		if (strcmp(media_types[i].mime, mime) == 0)
			break;
	if (i == sizeof(media_types) / sizeof(media_types[0]) ||
	    (file->ctype != NULL && (file->ctype_len != strlen(mime) ||
	    strncmp(file->ctype, mime, file->ctype_len) != 0))) {
		meta_error(rs, 131053, 0, NULL, "Media upload error",
		    "Param file must be a file of a supported type matching "
		    "Param type", NULL, NULL);
		return;
	}
	if (file->len > media_types[i].max ||
	    sim.media_bytes + file->len > SIM_MEDIA_TOTAL) {
		meta_error(rs, 131053, 0, NULL, "Media upload error",
		    "the file is larger than its type allows", NULL, NULL);
		return;
	}
	m = xcalloc(1, sizeof(*m));
	rand_digits(m->id, 16);
	snprintf(m->phone, sizeof(m->phone), "%s", p->id);
	m->mime = xstrdup(mime);
	m->data = xcalloc(file->len, 1);
	memcpy(m->data, file->data, file->len);
	m->len = file->len;
	wa_crypto_sha256(m->data, m->len, sum);
	wa_crypto_hex(sum, sizeof(sum), m->sha256);
	rand_token(m->sig, 20);
	sim.media_bytes += m->len;
	smap_put(&sim.media, m->id, m);
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "id", m->id);
	resp_json(rs, 200, o);
}

void
media_get(struct sreq *q, struct sresp *rs, struct sim_media *m)
{
	cJSON	*o = cJSON_CreateObject();
	char	 url[256], size[24];

	(void)q;
	snprintf(url, sizeof(url), "%s/_media/%s?sig=%s", sim.base_url, m->id,
	    m->sig);
	snprintf(size, sizeof(size), "%zu", m->len);
	cJSON_AddStringToObject(o, "messaging_product", "whatsapp");
	cJSON_AddStringToObject(o, "url", url);
	cJSON_AddStringToObject(o, "mime_type", m->mime);
	cJSON_AddStringToObject(o, "sha256", m->sha256);
	cJSON_AddStringToObject(o, "file_size", size);
	cJSON_AddStringToObject(o, "id", m->id);
	resp_json(rs, 200, o);
}

/* ---- resumable upload (§6.3) ------------------------------------------ */

static const char *const upload_types[] = {
	"application/pdf", "image/jpeg", "image/jpg", "image/png",
	"video/mp4", NULL
};

void
upload_start(struct sreq *q, struct sresp *rs)
{
	const char *const	*t;
	const char		*name = param(q, "file_name");
	const char		*len = param(q, "file_length");
	const char		*type = param(q, "file_type");
	struct sim_upload	*u;
	unsigned char		 raw[24];
	char			*id, sig[24], sess[128];
	unsigned long		 n;
	cJSON			*o;

	if (name == NULL || name[0] == '\0' || strlen(name) > 255 ||
	    len == NULL || strspn(len, "0123456789") != strlen(len) ||
	    len[0] == '\0' || strlen(len) > 10 || type == NULL) {
		bad_param(rs, "Params file_name, file_length and file_type are "
		    "required");
		return;
	}
	for (t = upload_types; *t != NULL && strcmp(*t, type) != 0; t++)
		;
	if (sim.uploads.n >= SIM_UPLOADS_MAX) {
		meta_error(rs, 4, 0, NULL, "Application request limit reached",
		    "too many open upload sessions", NULL, NULL);
		return;
	}
	n = strtoul(len, NULL, 10);
	if (*t == NULL || n == 0 || n > SIM_BODY_MAX) {
		bad_param(rs, "Param file_type must be one of application/pdf, "
		    "image/jpeg, image/jpg, image/png, video/mp4, and "
		    "file_length 1-33554432");
		return;
	}
	if (wa_crypto_random(raw, sizeof(raw)) != 0)
		abort();
	id = b64(raw, sizeof(raw));
	/* a path segment: no "/" in it */
	for (char *c = id; *c != '\0'; c++)
		if (*c == '/')
			*c = '_';
	rand_token(sig, 19);
	snprintf(sess, sizeof(sess), "upload:%s?sig=%s", id, sig);
	free(id);
	u = xcalloc(1, sizeof(*u));
	u->session = xstrdup(sess);
	u->file_name = xstrdup(name);
	u->type = xstrdup(type);
	u->length = n;
	smap_put(&sim.uploads, sess, u);
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "id", sess);
	resp_json(rs, 200, o);
}

void
upload_session(struct sreq *q, struct sresp *rs)
{
	struct sim_upload	*u;
	const char		*sig = query(q, "sig");
	char			 sess[256], tok[24], *mime, h[400];
	unsigned long		 off;
	cJSON			*o;

	/* the ?sig= of the session id arrives as a query parameter */
	snprintf(sess, sizeof(sess), "%s?sig=%s", q->segs[0], sig != NULL ?
	    sig : "");
	if ((u = smap_get(&sim.uploads, sess)) == NULL) {
		unknown_object(rs, q, q->segs[0]);
		return;
	}
	if (strcmp(q->method, "GET") == 0) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "id", u->session);
		cJSON_AddNumberToObject(o, "file_offset", (double)u->offset);
		resp_json(rs, 200, o);
		return;
	}
	if (strcmp(q->auth_scheme, "query") == 0) {
		bad_param(rs, "the access token must be sent in the "
		    "Authorization header");
		return;
	}
	if (q->file_offset == NULL || q->file_offset[0] == '\0' ||
	    strspn(q->file_offset, "0123456789") != strlen(q->file_offset) ||
	    (off = strtoul(q->file_offset, NULL, 10)) != u->offset) {
		snprintf(h, sizeof(h), "the file_offset header must be the "
		    "session's offset, %zu", u->offset);
		bad_param(rs, h);
		return;
	}
	if (u->handle != NULL || q->len > u->length - u->offset) {
		bad_param(rs, "more bytes than file_length");
		return;
	}
	if (u->data == NULL)
		u->data = xcalloc(u->length, 1);
	memcpy(u->data + u->offset, q->body, q->len);
	u->offset += q->len;
	o = cJSON_CreateObject();
	if (u->offset < u->length) {
		cJSON_AddStringToObject(o, "id", u->session);
		cJSON_AddNumberToObject(o, "file_offset", (double)u->offset);
		resp_json(rs, 200, o);
		return;
	}
	mime = b64((const unsigned char *)u->type, strlen(u->type));
	rand_token(tok, 16);
	snprintf(h, sizeof(h), "4::%s:%s:e:%lld:%s:%s", mime, tok,
	    (long long)(now_ms() / 1000 + 30 * 86400), sim.app_id, tok);
	free(mime);
	u->handle = xstrdup(h);
	smap_put(&sim.handles, u->handle, u);
	cJSON_AddStringToObject(o, "h", u->handle);
	resp_json(rs, 200, o);
}

