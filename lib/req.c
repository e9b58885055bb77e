/*
 * Request parsing.  nginx hands us REQUEST_URI untouched; we split it
 * into segments *before* decoding, so "%2F" inside a template name stays
 * inside its segment, and decode each segment on its own.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "cfg.h"
#include "clock.h"
#include "crypto.h"
#include "req.h"
#include "url.h"
#include "utf8.h"
#include "valid.h"

const char *
wa_req_env(const struct wa_req *r, const char *name)
{
	size_t		 n = strlen(name);
	char *const	*e;

	if (r->env == NULL)
		return NULL;
	for (e = r->env; *e != NULL; e++)
		if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
			return *e + n + 1;
	return NULL;
}

const char *
wa_req_header(const struct wa_req *r, const char *name)
{
	char	key[128];
	size_t	i, n = strlen(name);

	if (strcasecmp(name, "content-type") == 0)
		return wa_req_env(r, "CONTENT_TYPE");
	if (strcasecmp(name, "content-length") == 0)
		return wa_req_env(r, "CONTENT_LENGTH");
	if (n + 6 > sizeof(key))
		return NULL;
	memcpy(key, "HTTP_", 5);
	for (i = 0; i < n; i++)
		key[5 + i] = name[i] == '-' ? '_' :
		    (char)toupper((unsigned char)name[i]);
	key[5 + n] = '\0';
	return wa_req_env(r, key);
}

/* Value of the first pair with this key, or NULL. */
static const char *
kv_find(const struct wa_kv *kv, size_t n, const char *key)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (strcmp(kv[i].key, key) == 0)
			return kv[i].val;
	return NULL;
}

const char *
wa_req_query(const struct wa_req *r, const char *key)
{
	return kv_find(r->query, r->nquery, key);
}

long
wa_req_query_long(struct wa_req *r, const char *key, long def, long min,
    long max)
{
	const char	*v = wa_req_query(r, key);
	char		*end;
	long		 n;

	if (v == NULL)
		return def;
	errno = 0;
	n = strtol(v, &end, 10);
	if (*v == '\0' || *end != '\0' || errno != 0 || n < min || n > max) {
		wa_fail_field(r, key, "must be an integer from %ld to %ld",
		    min, max);
		return def;
	}
	return n;
}

const char *
wa_req_param(const struct wa_req *r, const char *name)
{
	return kv_find(r->params, r->nparams, name);
}

const char *
wa_req_id(struct wa_req *r, const char *name, const char *code,
    const char *what)
{
	const char	*id = wa_req_param(r, name);

	if (wa_valid_uuid(id))
		return id;
	wa_fail_not_found(r, code, what);
	return NULL;
}

unsigned
wa_method_parse(const char *m)
{
	static const struct { const char *name; unsigned bit; } tab[] = {
		{ "GET", WA_M_GET }, { "POST", WA_M_POST },
		{ "PUT", WA_M_PUT }, { "PATCH", WA_M_PATCH },
		{ "DELETE", WA_M_DELETE }, { "HEAD", WA_M_HEAD },
		{ "OPTIONS", WA_M_OPTIONS },
	};
	size_t	i;

	if (m == NULL)
		return WA_M_OTHER;
	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (strcmp(m, tab[i].name) == 0)
			return tab[i].bit;
	return WA_M_OTHER;
}

enum wa_face
wa_face_for_path(const char *path)
{
	if (path == NULL)
		return WA_FACE_MOSEND;
	if (strncmp(path, "/v3/", 4) == 0 || strcmp(path, "/v3") == 0)
		return WA_FACE_SENT;
	if (strncmp(path, "/v1/", 4) == 0 || strcmp(path, "/v1") == 0)
		return WA_FACE_LATE;
	return WA_FACE_MOSEND;
}

/* [A-Za-z0-9._:-]{1,128}: what we echo back in X-Request-Id. */
static int
sane_request_id(const char *s)
{
	size_t	n, i;

	if (s == NULL || (n = strlen(s)) == 0 || n >= WA_REQ_ID_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("._:-", s[i]))
			return 0;
	return 1;
}

static void
set_request_id(struct wa_req *r)
{
	const char	*v;
	char		 tok[21];

	v = wa_req_env(r, "REQUEST_ID");
	if (!sane_request_id(v))
		v = wa_req_header(r, "x-request-id");
	if (sane_request_id(v)) {
		snprintf(r->request_id, sizeof(r->request_id), "%s", v);
		return;
	}
	if (wa_crypto_token(tok, 20) != 0)
		snprintf(tok, sizeof(tok), "%lld",
		    (long long)wa_clock_mono_us());
	snprintf(r->request_id, sizeof(r->request_id), "req_%s", tok);
}

static enum wa_err
parse_path(struct wa_req *r, const char *p, size_t len)
{
	size_t		 i = 0, start, slen;
	char		*seg, *out;
	size_t		 cap = 1, o = 0;

	r->nsegs = 0;
	while (i < len) {
		while (i < len && p[i] == '/')
			i++;
		if (i >= len)
			break;
		start = i;
		while (i < len && p[i] != '/')
			i++;
		if (r->nsegs == WA_REQ_SEGS_MAX)
			return wa_fail(r, WA_ERR_NO_ROUTE, "Route not found");
		seg = wa_url_decode(r->arena, p + start, i - start, 0, &slen);
		if (seg == NULL)
			return wa_fail(r, WA_ERR_BAD_REQUEST,
			    "Malformed percent-encoding in path");
		/* the path is echoed in error bodies: JSON must stay UTF-8 */
		if (!wa_utf8_valid(seg, slen))
			return wa_fail(r, WA_ERR_BAD_REQUEST,
			    "Path is not valid UTF-8");
		r->segs[r->nsegs++] = seg;
		cap += slen + 1;
	}
	/* the decoded path, for logs and error bodies */
	out = wa_arena_alloc(r->arena, cap + 1);
	for (i = 0; i < r->nsegs; i++) {
		slen = strlen(r->segs[i]);
		out[o++] = '/';
		memcpy(out + o, r->segs[i], slen);
		o += slen;
	}
	if (o == 0)
		out[o++] = '/';
	out[o] = '\0';
	r->path = out;
	return WA_OK;
}

static enum wa_err
parse_query(struct wa_req *r, const char *q)
{
	const char	*p = q, *amp, *eq;
	char		*k, *v;
	size_t		 n;

	r->nquery = 0;
	while (p != NULL && *p != '\0') {
		amp = strchr(p, '&');
		n = amp != NULL ? (size_t)(amp - p) : strlen(p);
		if (n > 0) {
			if (r->nquery == WA_REQ_QUERY_MAX)
				return wa_fail(r, WA_ERR_BAD_REQUEST,
				    "Too many query parameters");
			eq = memchr(p, '=', n);
			k = wa_url_decode(r->arena, p,
			    eq != NULL ? (size_t)(eq - p) : n, 1, NULL);
			v = eq != NULL ? wa_url_decode(r->arena, eq + 1,
			    n - (size_t)(eq + 1 - p), 1, NULL) :
			    wa_arena_strdup(r->arena, "");
			if (k == NULL || v == NULL)
				return wa_fail(r, WA_ERR_BAD_REQUEST,
				    "Malformed percent-encoding in query");
			if (!wa_utf8_valid(k, strlen(k)) ||
			    !wa_utf8_valid(v, strlen(v)))
				return wa_fail(r, WA_ERR_BAD_REQUEST,
				    "Query string is not valid UTF-8");
			r->query[r->nquery].key = k;
			r->query[r->nquery].val = v;
			r->nquery++;
		}
		p = amp != NULL ? amp + 1 : NULL;
	}
	return WA_OK;
}

/* Content-Length into r->body_left; the stream is kept for later. */
static enum wa_err
body_head(struct wa_req *r, wa_req_reader rd, void *ctx)
{
	const char	*cl = wa_req_env(r, "CONTENT_LENGTH");
	char		*end;
	unsigned long long n;

	r->body = "";
	r->body_len = 0;
	r->body_rd = rd;
	r->body_ctx = ctx;
	r->body_pending = 1;
	if (cl == NULL || *cl == '\0')
		return WA_OK;
	errno = 0;
	n = strtoull(cl, &end, 10);
	if (errno != 0 || *end != '\0' || cl[0] == '-') {
		r->body_pending = 0;
		return wa_fail(r, WA_ERR_BAD_REQUEST, "Invalid Content-Length");
	}
	r->body_left = n;
	return WA_OK;
}

static enum wa_err
too_large(struct wa_req *r, size_t max)
{
	r->body_pending = 0;
	return wa_fail(r, WA_ERR_TOO_LARGE, "Request body exceeds %zu bytes",
	    max);
}

enum wa_err
wa_req_read_body(struct wa_req *r, size_t max)
{
	char	*buf;
	size_t	 got = 0, n;
	long	 k;

	if (!r->body_pending)
		return WA_OK;
	if (r->body_left > max)
		return too_large(r, max);
	r->body_pending = 0;
	if ((n = (size_t)r->body_left) == 0)
		return WA_OK;
	buf = wa_arena_alloc(r->arena, n + 1);
	while (got < n && r->body_rd != NULL) {
		k = r->body_rd(r->body_ctx, buf + got, n - got);
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	r->body_left -= got;
	if (got != n)
		return wa_fail(r, WA_ERR_BAD_REQUEST, "Truncated request body");
	buf[got] = '\0';
	r->body = buf;
	r->body_len = got;
	return WA_OK;
}

enum wa_err
wa_req_stream_body(struct wa_req *r, size_t max)
{
	if (r->body_pending && r->body_left > max)
		return too_large(r, max);
	return WA_OK;
}

long
wa_req_body_read(struct wa_req *r, char *buf, size_t len)
{
	long	k;

	if (!r->body_pending) {
		if (len > r->body_len - r->body_off)
			len = r->body_len - r->body_off;
		memcpy(buf, r->body + r->body_off, len);
		r->body_off += len;
		return (long)len;
	}
	if (r->body_left == 0 || len == 0)
		return 0;
	if (len > r->body_left)
		len = (size_t)r->body_left;
	k = r->body_rd != NULL ? r->body_rd(r->body_ctx, buf, len) : 0;
	if (k <= 0) {
		r->body_pending = 0;
		r->body_left = 0;
		wa_fail(r, WA_ERR_BAD_REQUEST, "Truncated request body");
		return -1;
	}
	r->body_left -= (unsigned long long)k;
	return k;
}

void
wa_req_body_drain(struct wa_req *r)
{
	char	buf[16384];
	long	k;

	while (r->body_pending && r->body_left > 0 && r->body_rd != NULL) {
		k = r->body_rd(r->body_ctx, buf, r->body_left < sizeof(buf) ?
		    (size_t)r->body_left : sizeof(buf));
		if (k <= 0)
			break;
		r->body_left -= (unsigned long long)k;
	}
	r->body_pending = 0;
	r->body_left = 0;
}

enum wa_err
wa_req_parse(struct wa_req *r, char *const *env, wa_req_reader rd, void *ctx)
{
	enum wa_err	e;

	if ((e = wa_req_parse_head(r, env, rd, ctx)) != WA_OK)
		return e;
	return wa_req_read_body(r, r->cfg->body_max);
}

enum wa_err
wa_req_parse_head(struct wa_req *r, char *const *env, wa_req_reader rd,
    void *ctx)
{
	struct wa_arena		*arena = r->arena;
	const struct wa_cfg	*cfg = r->cfg;
	struct wa_db		*db = r->db;
	const char		*uri, *q;
	enum wa_err		 e;

	memset(r, 0, sizeof(*r));
	r->arena = arena;
	r->cfg = cfg;
	r->db = db;
	r->env = env;
	r->started_us = wa_clock_mono_us();
	r->path = "/";
	r->body = "";
	set_request_id(r);

	r->method_str = wa_req_env(r, "REQUEST_METHOD");
	if (r->method_str == NULL)
		r->method_str = "GET";
	r->method = wa_method_parse(r->method_str);

	if ((uri = wa_req_env(r, "REQUEST_URI")) == NULL &&
	    (uri = wa_req_env(r, "DOCUMENT_URI")) == NULL)
		uri = "/";
	r->uri = uri;
	r->face = wa_face_for_path(uri);
	q = strchr(uri, '?');
	if ((e = parse_path(r, uri, q != NULL ? (size_t)(q - uri) :
	    strlen(uri))) != WA_OK)
		return e;
	r->face = wa_face_for_path(r->path);
	if (q != NULL && (e = parse_query(r, q + 1)) != WA_OK)
		return e;
	return body_head(r, rd, ctx);
}

const char *
wa_req_public_base(struct wa_req *r)
{
	const char	*host = wa_req_header(r, "Host");

	if (r->cfg != NULL && r->cfg->public_url != NULL)
		return r->cfg->public_url;
	if (host == NULL || *host == '\0' || strlen(host) > 255 ||
	    strspn(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789.-:[]") != strlen(host))
		return NULL;
	return wa_arena_printf(r->arena, "https://%s", host);
}

void
wa_req_clear_err(struct wa_req *r)
{
	memset(&r->err, 0, sizeof(r->err));
}

/* The request's record: err.h's functions on r->err. */
enum wa_err
wa_fail(struct wa_req *r, enum wa_err code, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	code = wa_err_vfail(&r->err, code, NULL, fmt, ap);
	va_end(ap);
	return code;
}

enum wa_err
wa_fail_as(struct wa_req *r, enum wa_err code, const char *face_code,
    const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	code = wa_err_vfail(&r->err, code, face_code, fmt, ap);
	va_end(ap);
	return code;
}

enum wa_err
wa_fail_field(struct wa_req *r, const char *field, const char *fmt, ...)
{
	va_list		ap;
	enum wa_err	code;

	va_start(ap, fmt);
	code = wa_err_vfield(&r->err, r->arena, field, fmt, ap);
	va_end(ap);
	return code;
}

enum wa_err
wa_fail_not_found(struct wa_req *r, const char *code, const char *what)
{
	return wa_fail_as(r, WA_ERR_NOT_FOUND, code, "%s not found", what);
}

void
wa_fail_log(struct wa_req *r, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	wa_err_vlog(&r->err, fmt, ap);
	va_end(ap);
}
