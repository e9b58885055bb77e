/*
 * s3: the S3-compatible object store client (s3.h).
 *
 * One easy handle per process, kept as lib/graph keeps its own: a
 * forked child that finds its parent's handle makes one of its own.
 * curl_easy_reset() before each call sets every option from scratch,
 * and after it forgets the pointers into the call's memory (header
 * list, error buffer, callbacks' data); the connection cache stays.
 *
 * libcurl 7.88 signs (CURLOPT_AWS_SIGV4) with the payload hash it is
 * given in an x-amz-content-sha256 header and sends that header only
 * when given one, which S3 requires on every request: a PUT gives
 * UNSIGNED-PAYLOAD (its body is streamed from the file, never hashed),
 * the other methods the hash of an empty body.
 */
#include <sys/types.h>
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "arena.h"
#include "buf.h"
#include "cfg.h"
#include "crypto.h"
#include "req.h"
#include "s3.h"
#include "url.h"

/* the SHA-256 of no bytes: the payload hash of a request without body */
#define EMPTY_SHA256	"e3b0c44298fc1c149afbf4c8996fb924" \
			"27ae41e4649b934ca495991b7852b855"
#define CODE_MAX	64	/* an S3 error code, NUL included */

static CURL	*easy;
static pid_t	 easy_pid;

/* One call: what it sends, where the answer goes, what came back. */
struct call {
	struct wa_req	*r;
	CURL		*c;
	const char	*method;
	const char	*key;
	int		 in_fd;		/* a PUT's body, or -1 */
	size_t		 in_size, in_pos;
	int		 out_fd;	/* a GET's 2xx body, or -1 */
	size_t		 max, got;
	int		 too_large;
	int		 file_errno;	/* reading or writing the file */
	int		 short_file;	/* the PUT's file ended early */
	struct wa_buf	 err;		/* an error answer's start */
	long		 status;
	curl_off_t	 length;	/* Content-Length, -1 unknown */
	curl_off_t	 pretransfer_us;
	char		 ebuf[CURL_ERROR_SIZE];
};

static CURL *
handle(void)
{
	static int	inited;

	if (easy != NULL && easy_pid == getpid())
		return easy;
	if (!inited) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			return NULL;
		inited = 1;
	}
	easy = curl_easy_init();
	easy_pid = getpid();
	return easy;
}

int
wa_s3_configured(const struct wa_cfg *cfg)
{
	return cfg != NULL && cfg->s3_endpoint != NULL &&
	    cfg->s3_endpoint[0] != '\0' && cfg->s3_bucket != NULL &&
	    cfg->s3_bucket[0] != '\0' && cfg->s3_access_key != NULL &&
	    cfg->s3_access_key[0] != '\0' && cfg->s3_secret_key != NULL &&
	    cfg->s3_secret_key[0] != '\0';
}

static const char *
region(const struct wa_cfg *cfg)
{
	return cfg->s3_region != NULL && cfg->s3_region[0] != '\0' ?
	    cfg->s3_region : "us-east-1";
}

/* ---- names and signatures ------------------------------------------ */

/* RFC 3986's unreserved characters, whatever the locale. */
static int
unreserved(unsigned char ch)
{
	return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
	    (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' || ch == '_' ||
	    ch == '~';
}

char *
wa_s3_encode_path(struct wa_arena *a, const char *s)
{
	static const char	 hex[] = "0123456789ABCDEF";
	unsigned char		 ch;
	char			*out, *p;

	p = out = wa_arena_alloc(a, 3 * strlen(s) + 1);
	for (; *s != '\0'; s++) {
		ch = (unsigned char)*s;
		if (unreserved(ch) || ch == '/')
			*p++ = (char)ch;
		else {
			*p++ = '%';
			*p++ = hex[ch >> 4];
			*p++ = hex[ch & 15];
		}
	}
	*p = '\0';
	return out;
}

/* A key as S3 keeps it and libcurl sends it unchanged: segments that are
 * not empty, ".", ".." (a URL's dot segments), no control bytes. */
static int
key_ok(const char *key)
{
	const char	*seg, *end;
	size_t		 n, i;

	if (key == NULL || (n = strlen(key)) == 0 || n > WA_S3_KEY_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)key[i] < 0x20 || key[i] == 0x7f)
			return 0;
	for (seg = key; ; seg = end + 1) {
		end = strchr(seg, '/');
		n = end != NULL ? (size_t)(end - seg) : strlen(seg);
		if (n == 0 || (n == 1 && seg[0] == '.') ||
		    (n == 2 && seg[0] == '.' && seg[1] == '.'))
			return 0;
		if (end == NULL)
			return 1;
	}
}

/* "/<bucket>/<key>", encoded. */
static char *
object_path(struct wa_arena *a, const struct wa_cfg *cfg, const char *key)
{
	return wa_arena_printf(a, "/%s/%s", wa_s3_encode_path(a,
	    cfg->s3_bucket), wa_s3_encode_path(a, key));
}

/* The Host a client sends for endpoint: lower case, no default port. */
static char *
sign_host(struct wa_arena *a, const char *endpoint)
{
	const char	*h = endpoint, *dflt = NULL;
	char		*host, *p;
	size_t		 n;

	if (strncmp(h, "https://", 8) == 0) {
		h += 8;
		dflt = ":443";
	} else if (strncmp(h, "http://", 7) == 0) {
		h += 7;
		dflt = ":80";
	}
	host = wa_arena_strndup(a, h, strcspn(h, "/"));
	for (p = host; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	n = strlen(host);
	if (dflt != NULL && n > strlen(dflt) &&
	    strcmp(host + n - strlen(dflt), dflt) == 0)
		host[n - strlen(dflt)] = '\0';
	return host;
}

/* SigV4's signing key of one day, region and service s3. */
static void
signing_key(struct wa_arena *a, const char *secret, const char *day,
    const char *reg, unsigned char key[WA_SHA256_LEN])
{
	unsigned char	 k[WA_SHA256_LEN];
	char		*s4;

	s4 = wa_arena_printf(a, "AWS4%s", secret);
	wa_crypto_hmac_sha256(s4, strlen(s4), day, strlen(day), k);
	wa_crypto_wipe(s4, strlen(s4));
	wa_crypto_hmac_sha256(k, sizeof(k), reg, strlen(reg), key);
	wa_crypto_hmac_sha256(key, WA_SHA256_LEN, "s3", 2, k);
	wa_crypto_hmac_sha256(k, sizeof(k), "aws4_request", 12, key);
	wa_crypto_wipe(k, sizeof(k));
}

char *
wa_s3_presign_url(struct wa_arena *a, const struct wa_s3_sign *s,
    int ttl_s, int64_t now_s)
{
	unsigned char	 h[WA_SHA256_LEN], key[WA_SHA256_LEN];
	char		 stamp[32], day[9], hex[2 * WA_SHA256_LEN + 1];
	char		 sig[2 * WA_SHA256_LEN + 1];
	char		*query, *creq, *sts;
	struct tm	 tm;
	time_t		 t = (time_t)now_s;

	if ((int64_t)t != now_s || gmtime_r(&t, &tm) == NULL ||
	    strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm) != 16)
		return NULL;
	memcpy(day, stamp, 8);
	day[8] = '\0';
	query = wa_arena_printf(a, "X-Amz-Algorithm=AWS4-HMAC-SHA256&"
	    "X-Amz-Credential=%s%%2F%s%%2F%s%%2Fs3%%2Faws4_request&"
	    "X-Amz-Date=%s&X-Amz-Expires=%d&X-Amz-SignedHeaders=host",
	    wa_url_encode(a, s->access_key), day, wa_url_encode(a, s->region),
	    stamp, ttl_s);
	creq = wa_arena_printf(a, "GET\n%s\n%s\nhost:%s\n\nhost\n"
	    "UNSIGNED-PAYLOAD", s->path, query, sign_host(a, s->endpoint));
	wa_crypto_sha256(creq, strlen(creq), h);
	wa_crypto_hex(h, sizeof(h), hex);
	sts = wa_arena_printf(a, "AWS4-HMAC-SHA256\n%s\n%s/%s/s3/aws4_request"
	    "\n%s", stamp, day, s->region, hex);
	signing_key(a, s->secret_key, day, s->region, key);
	wa_crypto_hmac_sha256(key, sizeof(key), sts, strlen(sts), h);
	wa_crypto_wipe(key, sizeof(key));
	wa_crypto_hex(h, sizeof(h), sig);
	return wa_arena_printf(a, "%s%s?%s&X-Amz-Signature=%s", s->endpoint,
	    s->path, query, sig);
}

/* The first tag in s[0..len), or NULL (no memmem without _GNU_SOURCE). */
static const char *
find_tag(const char *s, size_t len, const char *tag)
{
	size_t		 n = strlen(tag);
	const char	*p, *end = s + len;

	while (len >= n && (p = memchr(s, tag[0], len - n + 1)) != NULL) {
		if (memcmp(p, tag, n) == 0)
			return p;
		s = p + 1;
		len = (size_t)(end - s);
	}
	return NULL;
}

int
wa_s3_error_code(const char *body, size_t len, char *out, size_t outsz)
{
	const char	*p;
	size_t		 n;

	if (outsz == 0)
		return -1;
	out[0] = '\0';
	if (body == NULL || (p = find_tag(body, len, "<Code>")) == NULL)
		return -1;
	p += 6;
	len -= (size_t)(p - body);
	for (n = 0; n < len && unreserved((unsigned char)p[n]) &&
	    p[n] != '~'; n++)
		continue;
	if (n == 0 || n >= outsz || len - n < 7 ||
	    memcmp(p + n, "</Code>", 7) != 0)
		return -1;
	memcpy(out, p, n);
	out[n] = '\0';
	return 0;
}

/* ---- the transfer ---------------------------------------------------- */

static size_t
on_read(char *buf, size_t size, size_t n, void *arg)
{
	struct call	*k = arg;
	size_t		 want = size * n;
	ssize_t		 got;

	if (want > k->in_size - k->in_pos)
		want = k->in_size - k->in_pos;
	if (want == 0)
		return 0;
	do
		got = pread(k->in_fd, buf, want, (off_t)k->in_pos);
	while (got < 0 && errno == EINTR);
	if (got <= 0) {
		if (got < 0)
			k->file_errno = errno;
		else
			k->short_file = 1;
		return CURL_READFUNC_ABORT;
	}
	k->in_pos += (size_t)got;
	return (size_t)got;
}

static int
on_seek(void *arg, curl_off_t off, int origin)
{
	struct call	*k = arg;

	if (origin != SEEK_SET || off < 0 || (size_t)off > k->in_size)
		return CURL_SEEKFUNC_CANTSEEK;
	k->in_pos = (size_t)off;
	return CURL_SEEKFUNC_OK;
}

/* A GET's body into its file; 0 (the transfer aborts) past max. */
static size_t
to_file(struct call *k, const char *p, size_t len)
{
	curl_off_t	cl = -1;
	size_t		off = 0;
	ssize_t		w;

	if (k->got == 0)	/* refused early by its Content-Length */
		curl_easy_getinfo(k->c, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T,
		    &cl);
	if (len > k->max - k->got || (cl > 0 && (uintmax_t)cl > k->max)) {
		k->too_large = 1;
		return 0;
	}
	while (off < len) {
		w = write(k->out_fd, p + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			k->file_errno = w < 0 ? errno : EIO;
			return 0;
		}
		off += (size_t)w;
	}
	k->got += len;
	return len;
}

/* A 2xx body goes to the GET's file (any other is dropped); an error's
 * first WA_S3_ERROR_BODY_MAX bytes are kept, and the rest not read. */
static size_t
on_body(char *p, size_t sz, size_t n, void *arg)
{
	struct call	*k = arg;
	size_t		 len = sz * n, room = k->err.max - k->err.len;
	long		 code = 0;

	curl_easy_getinfo(k->c, CURLINFO_RESPONSE_CODE, &code);
	if (code >= 200 && code < 300)
		return k->out_fd >= 0 ? to_file(k, p, len) : len;
	if (len > room) {
		wa_buf_add(&k->err, p, room);
		return 0;
	}
	wa_buf_add(&k->err, p, len);
	return len;
}

static void
set_common(struct call *k, const struct wa_cfg *cfg)
{
	CURL	*c = k->c;

	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (cfg->s3_ca_file != NULL)
		curl_easy_setopt(c, CURLOPT_CAINFO, cfg->s3_ca_file);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
	    (long)WA_S3_CONNECT_TIMEOUT_MS);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)WA_S3_TIMEOUT_MS);
	curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "wagate/1");
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, k->ebuf);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, k);
	curl_easy_setopt(c, CURLOPT_AWS_SIGV4, wa_arena_printf(k->r->arena,
	    "aws:amz:%s:s3", region(cfg)));
	curl_easy_setopt(c, CURLOPT_USERNAME, cfg->s3_access_key);
	curl_easy_setopt(c, CURLOPT_PASSWORD, cfg->s3_secret_key);
}

/*
 * Starts a call of method on key: WA_OK with the handle reset and set
 * for it (the method's own options are the caller's), or the failure
 * recorded.
 */
static enum wa_err
begin(struct wa_req *r, struct call *k, const char *method, const char *key)
{
	const struct wa_cfg	*cfg = r->cfg;

	memset(k, 0, sizeof(*k));
	k->r = r;
	k->method = method;
	k->key = key != NULL ? key : "(null)";
	k->in_fd = k->out_fd = -1;
	k->length = -1;
	wa_buf_init(&k->err, r->arena, WA_S3_ERROR_BODY_MAX);
	if (!wa_s3_configured(cfg)) {
		wa_fail(r, WA_ERR_UNAVAILABLE,
		    "The media store is not configured");
		wa_fail_log(r, "s3: WA_S3_ENDPOINT, WA_S3_BUCKET, "
		    "WA_S3_ACCESS_KEY or WA_S3_SECRET_KEY is not set");
		return r->err.code;
	}
	if (!key_ok(key)) {
		wa_fail(r, WA_ERR_INTERNAL, "Invalid media key");
		wa_fail_log(r, "s3 %s: invalid key \"%.64s\"", method, k->key);
		return r->err.code;
	}
	if ((k->c = handle()) == NULL) {
		wa_fail(r, WA_ERR_INTERNAL, "The media store failed");
		wa_fail_log(r, "s3: libcurl could not start");
		return r->err.code;
	}
	curl_easy_reset(k->c);
	curl_easy_setopt(k->c, CURLOPT_URL, wa_arena_printf(r->arena,
	    "%s%s", cfg->s3_endpoint, object_path(r->arena, cfg, key)));
	set_common(k, cfg);
	return WA_OK;
}

/* Runs the call; the handle forgets it, the header list is freed. */
static CURLcode
perform(struct call *k, struct curl_slist *hdrs)
{
	CURLcode	cc;

	curl_easy_setopt(k->c, CURLOPT_HTTPHEADER, hdrs);
	cc = curl_easy_perform(k->c);
	curl_easy_getinfo(k->c, CURLINFO_RESPONSE_CODE, &k->status);
	curl_easy_getinfo(k->c, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T,
	    &k->length);
	curl_easy_getinfo(k->c, CURLINFO_PRETRANSFER_TIME_T,
	    &k->pretransfer_us);
	curl_easy_reset(k->c);
	curl_slist_free_all(hdrs);
	return cc;
}

/* A transfer that ended without a complete answer. */
static enum wa_err
fail_transfer(struct call *k, CURLcode cc)
{
	struct wa_req	*r = k->r;
	const char	*why = k->ebuf[0] != '\0' ? k->ebuf :
			    curl_easy_strerror(cc);

	if (k->file_errno != 0 || k->short_file) {
		wa_fail(r, WA_ERR_INTERNAL,
		    "Could not transfer the media file");
		wa_fail_log(r, "s3 %s %s: the file: %s", k->method, k->key,
		    k->short_file ? "shorter than its size" :
		    strerror(k->file_errno));
		return r->err.code;
	}
	switch (cc) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		wa_fail(r, WA_ERR_UNAVAILABLE,
		    "The media store is unavailable");
		break;
	case CURLE_OPERATION_TIMEDOUT:
		if (k->status == 0 && k->pretransfer_us == 0)
			wa_fail(r, WA_ERR_UNAVAILABLE,
			    "The media store is unavailable");
		else
			wa_fail(r, WA_ERR_UPSTREAM_TIMEOUT,
			    "The media store did not answer in time");
		break;
	default:
		wa_fail(r, WA_ERR_UPSTREAM, "The media store failed");
		break;
	}
	wa_fail_log(r, "s3 %s %s: %s", k->method, k->key, why);
	return r->err.code;
}

/* An answer with a status S3 gives to a failure. */
static enum wa_err
fail_status(struct call *k, const char *code)
{
	wa_fail(k->r, WA_ERR_UPSTREAM, "The media store failed");
	wa_fail_log(k->r, "s3 %s %s: http=%ld code=%s", k->method, k->key,
	    k->status, code[0] != '\0' ? code : "-");
	return k->r->err.code;
}

/*
 * The outcome of a call: WA_OK for a 2xx, *code S3's error code of
 * another status (or ""), and a failure recorded unless the status is
 * `fine` (a 404 the caller takes; 0: none is).
 */
static enum wa_err
outcome(struct call *k, CURLcode cc, long fine, char code[CODE_MAX])
{
	code[0] = '\0';
	if (cc == CURLE_WRITE_ERROR && k->status >= 300)
		cc = CURLE_OK;	/* an error body past what is kept */
	if (k->too_large)
		return wa_fail(k->r, WA_ERR_TOO_LARGE,
		    "The media file is larger than %zu bytes", k->max);
	if (cc != CURLE_OK)
		return fail_transfer(k, cc);
	if (k->status >= 200 && k->status < 300)
		return WA_OK;
	wa_s3_error_code(k->err.data, k->err.len, code, CODE_MAX);
	if (fine != 0 && k->status == fine)
		return WA_OK;
	return fail_status(k, code);
}

/* ---- the operations -------------------------------------------------- */

enum wa_err
wa_s3_put_fd(struct wa_req *r, const char *key, int fd, size_t size,
    const char *content_type)
{
	struct curl_slist	*h = NULL;
	struct call		 k;
	char			 code[CODE_MAX];

	if (content_type == NULL)
		content_type = "application/octet-stream";
	if (begin(r, &k, "PUT", key) != WA_OK)
		return r->err.code;
	if (strpbrk(content_type, "\r\n") != NULL) {
		curl_easy_reset(k.c);
		return wa_fail(r, WA_ERR_INTERNAL, "Invalid media type");
	}
	k.in_fd = fd;
	k.in_size = size;
	curl_easy_setopt(k.c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(k.c, CURLOPT_READFUNCTION, on_read);
	curl_easy_setopt(k.c, CURLOPT_READDATA, &k);
	curl_easy_setopt(k.c, CURLOPT_SEEKFUNCTION, on_seek);
	curl_easy_setopt(k.c, CURLOPT_SEEKDATA, &k);
	curl_easy_setopt(k.c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)size);
	h = curl_slist_append(h, wa_arena_printf(r->arena,
	    "Content-Type: %s", content_type));
	h = curl_slist_append(h, "x-amz-content-sha256: UNSIGNED-PAYLOAD");
	return outcome(&k, perform(&k, h), 0, code);
}

enum wa_err
wa_s3_head(struct wa_req *r, const char *key, int *exists, size_t *size)
{
	struct curl_slist	*h = NULL;
	struct call		 k;
	char			 code[CODE_MAX];

	*exists = 0;
	*size = 0;
	if (begin(r, &k, "HEAD", key) != WA_OK)
		return r->err.code;
	curl_easy_setopt(k.c, CURLOPT_NOBODY, 1L);
	h = curl_slist_append(h, "x-amz-content-sha256: " EMPTY_SHA256);
	if (outcome(&k, perform(&k, h), 404, code) != WA_OK)
		return r->err.code;
	if (k.status == 404)
		return WA_OK;
	if (k.length < 0) {
		wa_fail(r, WA_ERR_UPSTREAM, "The media store failed");
		wa_fail_log(r, "s3 HEAD %s: no Content-Length", k.key);
		return r->err.code;
	}
	*exists = 1;
	*size = (size_t)k.length;
	return WA_OK;
}

enum wa_err
wa_s3_get_fd(struct wa_req *r, const char *key, int fd, size_t max,
    size_t *size)
{
	struct curl_slist	*h = NULL;
	struct call		 k;
	char			 code[CODE_MAX];

	*size = 0;
	if (begin(r, &k, "GET", key) != WA_OK)
		return r->err.code;
	k.out_fd = fd;
	k.max = max;
	curl_easy_setopt(k.c, CURLOPT_HTTPGET, 1L);
	h = curl_slist_append(h, "x-amz-content-sha256: " EMPTY_SHA256);
	if (outcome(&k, perform(&k, h), 404, code) != WA_OK)
		return r->err.code;
	if (k.status == 404) {
		if (strcmp(code, "NoSuchKey") != 0)
			return fail_status(&k, code);
		return wa_fail_not_found(r, NULL, "Media");
	}
	*size = k.got;
	return WA_OK;
}

enum wa_err
wa_s3_delete(struct wa_req *r, const char *key)
{
	struct curl_slist	*h = NULL;
	struct call		 k;
	char			 code[CODE_MAX];

	if (begin(r, &k, "DELETE", key) != WA_OK)
		return r->err.code;
	curl_easy_setopt(k.c, CURLOPT_CUSTOMREQUEST, "DELETE");
	h = curl_slist_append(h, "x-amz-content-sha256: " EMPTY_SHA256);
	if (outcome(&k, perform(&k, h), 404, code) != WA_OK)
		return r->err.code;
	if (k.status == 404 && code[0] != '\0' &&
	    strcmp(code, "NoSuchKey") != 0)
		return fail_status(&k, code);
	return WA_OK;
}

const char *
wa_s3_presign_get(struct wa_req *r, const char *key, int ttl_s,
    int64_t now_s)
{
	const struct wa_cfg	*cfg = r->cfg;
	struct wa_s3_sign	 s;
	char			*url;

	if (!wa_s3_configured(cfg)) {
		wa_fail(r, WA_ERR_UNAVAILABLE,
		    "The media store is not configured");
		return NULL;
	}
	if (!key_ok(key) || ttl_s < 1 || ttl_s > WA_S3_TTL_MAX) {
		wa_fail(r, WA_ERR_INTERNAL, "Invalid media link");
		wa_fail_log(r, "s3 presign: invalid key \"%.64s\" or ttl %d",
		    key != NULL ? key : "(null)", ttl_s);
		return NULL;
	}
	s.endpoint = cfg->s3_endpoint;
	s.path = object_path(r->arena, cfg, key);
	s.region = region(cfg);
	s.access_key = cfg->s3_access_key;
	s.secret_key = cfg->s3_secret_key;
	if ((url = wa_s3_presign_url(r->arena, &s, ttl_s, now_s)) == NULL) {
		wa_fail(r, WA_ERR_INTERNAL, "Invalid media link");
		wa_fail_log(r, "s3 presign: time %lld out of range",
		    (long long)now_s);
	}
	return url;
}
