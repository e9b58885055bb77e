/*
 * The transport.  The easy handle belongs to the process that made it:
 * a forked child that finds one made by its parent (pid differs) makes
 * its own instead of sharing the parent's connections; the old one is
 * left alone, since cleaning it up would close sockets the parent owns.
 *
 * curl_easy_reset() between calls clears every option but keeps the
 * connection cache, the DNS cache and TLS sessions: each call sets the
 * options it needs from scratch and still reuses the open connection.
 *
 * Building a call's handle (wa_graph_easy_setup) and typing its answer
 * (wa_graph_easy_done) are shared with the many-calls client of
 * multi.c, which runs them on handles of its own (extern.h).
 */
#include <sys/types.h>
#include <errno.h>

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <curl/curl.h>

#include "accounts.h"
#include "arena.h"
#include "buf.h"
#include "cfg.h"
#include "clock.h"
#include "crypto.h"
#include "extern.h"
#include "graph.h"
#include "json.h"
#include "log.h"
#include "req.h"
#include "route.h"

static CURL	*easy;
static pid_t	 easy_pid;

int
wa_graph_curl_init(void)
{
	static int	inited;

	if (!inited) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			return -1;
		inited = 1;
	}
	return 0;
}

static CURL *
handle(void)
{
	if (easy != NULL && easy_pid == getpid())
		return easy;
	if (wa_graph_curl_init() != 0)
		return NULL;
	easy = curl_easy_init();
	easy_pid = getpid();
	return easy;
}

enum wa_err
wa_graph_acct_open(struct wa_req *r, const struct wa_account *a,
    struct wa_graph_acct *g)
{
	memset(g, 0, sizeof(*g));
	g->account_id = a->id;
	g->waba_id = a->waba_id;
	g->phone_number_id = a->phone_number_id;
	return wa_account_token(r, a, &g->token);
}

int64_t
wa_graph_deadline(const struct wa_req *r)
{
	int64_t	start = r->started_us > 0 ? r->started_us :
		    wa_clock_mono_us();

	return start + (int64_t)r->cfg->graph_timeout_ms * 1000;
}

/* ---- one call -------------------------------------------------------- */

/* A 2xx answer into the sink's file; 0 aborts the transfer. */
static size_t
to_sink(struct wa_graph_easy *e, const char *p, size_t len)
{
	size_t	off = 0;
	ssize_t	k;

	if (len > e->sink->max - e->sunk) {
		e->too_large = 1;
		return 0;
	}
	while (off < len) {
		k = write(e->sink->fd, p + off, len - off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			e->sink_failed = 1;
			return 0;
		}
		off += (size_t)k;
	}
	e->sunk += len;
	return len;
}

static size_t
on_body(char *p, size_t sz, size_t n, void *ctx)
{
	struct wa_graph_easy	*e = ctx;
	long			 code = 0;

	if (e->sink != NULL) {
		curl_easy_getinfo(e->c, CURLINFO_RESPONSE_CODE, &code);
		if (code >= 200 && code < 300)
			return to_sink(e, p, sz * n);
	}
	if (wa_buf_add(&e->body, p, sz * n) != WA_OK) {
		e->too_large = 1;
		return 0;	/* aborts the transfer */
	}
	return sz * n;
}

static void
free_slist(void *p)
{
	curl_slist_free_all(p);
}

static void
free_mime(void *p)
{
	curl_mime_free(p);
}

static void
free_curl_str(void *p)
{
	curl_free(p);
}

/* Query values escaped by curl, into the arena. */
static char *
build_url(struct wa_req *r, CURL *c, const struct wa_graph_call *call)
{
	struct wa_buf	 b;
	char		*k, *v;
	size_t		 i;

	wa_buf_init(&b, r->arena, 16 * 1024);
	if (call->url != NULL) {
		if (strncmp(call->url, "https://", 8) != 0 &&
		    strncmp(call->url, "http://", 7) != 0)
			return NULL;
		return wa_buf_adds(&b, call->url) == WA_OK ? b.data : NULL;
	}
	if (wa_buf_adds(&b, r->cfg->graph_url) != WA_OK ||
	    wa_buf_adds(&b, call->path) != WA_OK)
		return NULL;
	for (i = 0; i < call->nquery; i++) {
		if (call->query[i].val == NULL)
			continue;
		k = curl_easy_escape(c, call->query[i].key, 0);
		v = curl_easy_escape(c, call->query[i].val, 0);
		wa_arena_defer(r->arena, free_curl_str, k);
		wa_arena_defer(r->arena, free_curl_str, v);
		if (k == NULL || v == NULL ||
		    wa_buf_addf(&b, "%c%s=%s", strchr(b.data, '?') != NULL ?
		    '&' : '?', k, v) != WA_OK)
			return NULL;
	}
	return b.data;
}

static enum wa_graph_status
transport_status(CURLcode cc, const struct wa_graph_easy *e)
{
	switch (cc) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		return WA_GRAPH_REFUSED;
	case CURLE_OPERATION_TIMEDOUT:
		return WA_GRAPH_TIMEOUT;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_ENGINE_INITFAILED:
		return WA_GRAPH_TLS;
	case CURLE_FILESIZE_EXCEEDED:
		return WA_GRAPH_TOO_LARGE;
	case CURLE_WRITE_ERROR:
		return e->too_large ? WA_GRAPH_TOO_LARGE : WA_GRAPH_DROPPED;
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
	case CURLE_FAILED_INIT:
		return WA_GRAPH_CONFIG;
	default:
		/* GOT_NOTHING, RECV_ERROR, SEND_ERROR, PARTIAL_FILE, HTTP2 */
		return WA_GRAPH_DROPPED;
	}
}

/* Types a complete HTTP answer. */
static void
type_answer(struct wa_graph_res *res, const struct wa_graph_easy *e)
{
	const char	*why;
	cJSON		*body = NULL;

	if (e->body.len > 0)
		body = wa_json_parse(e->body.data, e->body.len,
		    WA_JSON_DEPTH_MAX, &why);
	res->body = body;
	if (res->http_status >= 300 && res->http_status < 400) {
		res->status = WA_GRAPH_REDIRECT;
		res->detail = "redirect not followed";
		return;
	}
	if (body != NULL && wa_graph_parse_error(body, &res->err)) {
		res->status = WA_GRAPH_META;
		return;
	}
	if (res->http_status < 200 || res->http_status >= 300) {
		res->status = WA_GRAPH_HTTP;
		res->detail = "error status without Meta's error object";
		return;
	}
	if (e->sink != NULL) {
		res->status = WA_GRAPH_OK;	/* the bytes are in the file */
		return;
	}
	if (!cJSON_IsObject(body)) {
		res->status = WA_GRAPH_MALFORMED;
		res->detail = body == NULL ? "body is not JSON" :
		    "body is not a JSON object";
		return;
	}
	res->status = WA_GRAPH_OK;
}

/* A file body's position, for curl's read and seek callbacks. */
struct file_pos {
	int		 fd;
	size_t		 start, pos, end;
};

static size_t
file_read(char *buf, size_t size, size_t n, void *arg)
{
	struct file_pos	*f = arg;
	size_t		 want = size * n;
	ssize_t		 k;

	if (want > f->end - f->pos)
		want = f->end - f->pos;
	if (want == 0)
		return 0;
	do
		k = pread(f->fd, buf, want, (off_t)f->pos);
	while (k < 0 && errno == EINTR);
	if (k <= 0)
		return CURL_READFUNC_ABORT;
	f->pos += (size_t)k;
	return (size_t)k;
}

static int
file_seek(void *arg, curl_off_t off, int origin)
{
	struct file_pos	*f = arg;

	if (origin != SEEK_SET || off < 0 ||
	    (size_t)off > f->end - f->start)
		return CURL_SEEKFUNC_CANTSEEK;
	f->pos = f->start + (size_t)off;
	return CURL_SEEKFUNC_OK;
}

static void
set_file_body(struct wa_req *r, CURL *c, const struct wa_graph_file *file)
{
	struct file_pos	*f;

	f = wa_arena_alloc(r->arena, sizeof(*f));
	f->fd = file->fd;
	f->start = f->pos = file->off;
	f->end = file->off + file->len;
	curl_easy_setopt(c, CURLOPT_POST, 1L);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, file_read);
	curl_easy_setopt(c, CURLOPT_READDATA, f);
	curl_easy_setopt(c, CURLOPT_SEEKFUNCTION, file_seek);
	curl_easy_setopt(c, CURLOPT_SEEKDATA, f);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
	    (curl_off_t)file->len);
}

static int
set_body(struct wa_req *r, CURL *c, const struct wa_graph_call *call,
    struct curl_slist **hdrs)
{
	curl_mime	*mime;
	curl_mimepart	*part;
	const char	*s;
	size_t		 i;

	if (call->nparts > 0) {
		if ((mime = curl_mime_init(c)) == NULL)
			return -1;
		wa_arena_defer(r->arena, free_mime, mime);
		for (i = 0; i < call->nparts; i++) {
			const struct wa_graph_part *p = &call->parts[i];

			part = curl_mime_addpart(mime);
			if (part == NULL ||
			    curl_mime_name(part, p->name) != CURLE_OK ||
			    curl_mime_data(part, p->data, p->len) != CURLE_OK)
				return -1;
			if (p->type != NULL &&
			    curl_mime_type(part, p->type) != CURLE_OK)
				return -1;
			if (p->filename != NULL &&
			    curl_mime_filename(part, p->filename) != CURLE_OK)
				return -1;
		}
		curl_easy_setopt(c, CURLOPT_MIMEPOST, mime);
		return 0;
	}
	if (call->json != NULL) {
		s = wa_json_print(call->json);
		*hdrs = curl_slist_append(*hdrs,
		    "Content-Type: application/json");
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)strlen(s));
		curl_easy_setopt(c, CURLOPT_COPYPOSTFIELDS, s);
		return 0;
	}
	if (call->file != NULL) {
		*hdrs = curl_slist_append(*hdrs, wa_arena_printf(r->arena,
		    "Content-Type: %s", call->ctype != NULL ? call->ctype :
		    "application/octet-stream"));
		set_file_body(r, c, call->file);
		return 0;
	}
	if (call->body != NULL) {
		*hdrs = curl_slist_append(*hdrs, wa_arena_printf(r->arena,
		    "Content-Type: %s", call->ctype != NULL ? call->ctype :
		    "application/octet-stream"));
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)call->body_len);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, call->body);
		return 0;
	}
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)0);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
	return 0;
}

enum wa_graph_status
wa_graph_finish(struct wa_graph_res *res, enum wa_graph_status st,
    const char *detail)
{
	res->status = st;
	if (detail != NULL)
		res->detail = detail;
	if (st != WA_GRAPH_OK)
		res->rule = st == WA_GRAPH_META ?
		    wa_graph_rule_for(&res->err) :
		    wa_graph_rule_status(st, res->http_status);
	return st;
}

enum wa_graph_status
wa_graph_easy_setup(struct wa_req *r, struct wa_graph_easy *e, CURL *c,
    const struct wa_graph_acct *acct, const struct wa_graph_call *call,
    int64_t timeout_ms, struct wa_graph_res *res)
{
	const struct wa_cfg	*cfg = r->cfg;
	struct curl_slist	*hdrs = NULL;
	const char		*url;
	size_t			 i;

	memset(res, 0, sizeof(*res));
	res->method = call->method;
	res->path = call->path;
	e->c = c;
	e->too_large = 0;
	e->request_size = 0;
	e->connects = 0;
	e->sink = call->sink;
	e->sunk = 0;
	e->sink_failed = 0;
	e->ebuf[0] = '\0';
	wa_buf_init(&e->body, r->arena, WA_GRAPH_BODY_MAX);
	if (cfg == NULL || cfg->graph_url == NULL || acct == NULL ||
	    acct->token == NULL || acct->token[0] == '\0')
		return wa_graph_finish(res, WA_GRAPH_CONFIG,
		    "no Graph URL or token");
	if (c == NULL)
		return wa_graph_finish(res, WA_GRAPH_CONFIG,
		    "libcurl unavailable");
	if (timeout_ms <= 0)
		return wa_graph_finish(res, WA_GRAPH_TIMEOUT,
		    "no time left for the call");
	curl_easy_reset(c);
	if ((url = build_url(r, c, call)) == NULL)
		return wa_graph_finish(res, WA_GRAPH_CONFIG, "URL too long");

	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 1L);
	curl_easy_setopt(c, CURLOPT_HTTP_VERSION,
	    (long)CURL_HTTP_VERSION_2TLS);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (cfg->graph_ca_file != NULL)
		curl_easy_setopt(c, CURLOPT_CAINFO, cfg->graph_ca_file);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
	    (long)cfg->graph_connect_timeout_ms);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
	curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)
	    (call->sink != NULL ? call->sink->max : WA_GRAPH_BODY_MAX));
	curl_easy_setopt(c, CURLOPT_USERAGENT, "wagate/1");
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, e->ebuf);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, e);

	hdrs = curl_slist_append(hdrs, wa_arena_printf(r->arena,
	    "Authorization: %s %s", call->auth_scheme != NULL ?
	    call->auth_scheme : "Bearer", acct->token));
	hdrs = curl_slist_append(hdrs, "Accept: application/json");
	/* no "Expect: 100-continue" wait before a large body */
	hdrs = curl_slist_append(hdrs, "Expect:");
	for (i = 0; i < call->nheaders; i++)
		hdrs = curl_slist_append(hdrs, wa_arena_printf(r->arena,
		    "%s: %s", call->headers[i].key, call->headers[i].val));
	if (strcmp(call->method, "GET") == 0)
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	else {
		if (strcmp(call->method, "POST") != 0)
			curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST,
			    call->method);
		if (set_body(r, c, call, &hdrs) != 0) {
			curl_slist_free_all(hdrs);
			curl_easy_setopt(c, CURLOPT_ERRORBUFFER, NULL);
			return wa_graph_finish(res, WA_GRAPH_CONFIG,
			    "cannot build the body");
		}
	}
	wa_arena_defer(r->arena, free_slist, hdrs);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	return WA_GRAPH_OK;
}

enum wa_graph_status
wa_graph_easy_done(struct wa_req *r, struct wa_graph_easy *e, CURLcode cc,
    struct wa_graph_res *res)
{
	long	code = 0;

	curl_easy_getinfo(e->c, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_getinfo(e->c, CURLINFO_REQUEST_SIZE, &e->request_size);
	curl_easy_getinfo(e->c, CURLINFO_NUM_CONNECTS, &e->connects);
	/* the header list dies with the arena: forget it now */
	curl_easy_setopt(e->c, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(e->c, CURLOPT_ERRORBUFFER, NULL);
	res->http_status = code;
	if (cc != CURLE_OK) {
		res->http_status = 0;
		return wa_graph_finish(res, transport_status(cc, e),
		    wa_arena_strdup(r->arena, e->ebuf[0] != '\0' ? e->ebuf :
		    curl_easy_strerror(cc)));
	}
	type_answer(res, e);
	return wa_graph_finish(res, res->status, NULL);
}

enum wa_graph_status
wa_graph_call(struct wa_req *r, const struct wa_graph_acct *acct,
    const struct wa_graph_call *call, struct wa_graph_res *res)
{
	struct wa_graph_easy	 e;
	int64_t			 left_ms = 0;
	CURL			*c = NULL;

	if (r->cfg != NULL && r->cfg->graph_url != NULL && acct != NULL &&
	    acct->token != NULL && acct->token[0] != '\0') {
		c = handle();
		/* every call of one request shares one budget */
		left_ms = ((call->deadline_us != 0 ? call->deadline_us :
		    wa_graph_deadline(r)) - wa_clock_mono_us()) / 1000;
	}
	if (wa_graph_easy_setup(r, &e, c, acct, call, left_ms, res) !=
	    WA_GRAPH_OK)
		return res->status;
	return wa_graph_easy_done(r, &e, curl_easy_perform(c), res);
}

/* ---- failures as wagate errors --------------------------------------- */

static cJSON *
meta_details(const struct wa_graph_res *res)
{
	const struct wa_graph_error	*e = &res->err;
	cJSON				*m = cJSON_CreateObject();

	cJSON_AddNumberToObject(m, "code", (double)e->code);
	if (e->subcode != 0)
		cJSON_AddNumberToObject(m, "subcode", (double)e->subcode);
	if (e->type != NULL)
		cJSON_AddStringToObject(m, "type", e->type);
	if (e->message != NULL)
		cJSON_AddStringToObject(m, "message", e->message);
	if (e->details != NULL)
		cJSON_AddStringToObject(m, "details", e->details);
	if (e->user_title != NULL)
		cJSON_AddStringToObject(m, "userTitle", e->user_title);
	if (e->user_msg != NULL)
		cJSON_AddStringToObject(m, "userMessage", e->user_msg);
	if (e->fbtrace_id != NULL)
		cJSON_AddStringToObject(m, "fbtraceId", e->fbtrace_id);
	return m;
}

/* What Meta said, for the client's message: the most specific text. */
static const char *
meta_words(const struct wa_graph_error *e)
{
	if (e->user_msg != NULL)
		return e->user_msg;
	if (e->details != NULL)
		return e->details;
	return e->message;
}

cJSON *
wa_graph_fail_details(const struct wa_graph_res *res)
{
	const struct wa_graph_rule	*rule = res->rule;
	cJSON				*d = cJSON_CreateObject();

	if (rule == NULL)
		rule = wa_graph_rule_status(res->status, res->http_status);
	if (res->status == WA_GRAPH_META)
		cJSON_AddItemToObject(d, "meta", meta_details(res));
	else
		cJSON_AddStringToObject(d, "upstream",
		    wa_graph_status_name(res->status));
	cJSON_AddBoolToObject(d, "retryable", rule->retry != WA_GRAPH_NO_RETRY);
	return d;
}

enum wa_err
wa_graph_fail(struct wa_req *r, const struct wa_graph_res *res,
    const char *what)
{
	const struct wa_graph_rule	*rule = res->rule;
	const char			*words = NULL;
	int				 status;

	if (rule == NULL)
		rule = wa_graph_rule_status(res->status, res->http_status);
	if (r->err.code != WA_OK)
		return r->err.code;
	if (res->status == WA_GRAPH_META)
		words = meta_words(&res->err);
	if (words != NULL)
		wa_fail(r, rule->err, "Could not %s: %s: %s", what,
		    rule->message, words);
	else
		wa_fail(r, rule->err, "Could not %s: %s", what, rule->message);
	r->err.details = wa_graph_fail_details(res);
	status = wa_err_status(rule->err);
	if ((status == 429 || status == 503) && rule->after_s > 0)
		r->err.retry_after = rule->after_s;
	wa_fail_log(r, "graph %s %s: %s http=%ld code=%ld subcode=%ld "
	    "fbtrace_id=%s detail=%s", res->method != NULL ? res->method : "-",
	    res->path != NULL ? res->path : "-",
	    wa_graph_status_name(res->status), res->http_status, res->err.code,
	    res->err.subcode, res->err.fbtrace_id != NULL ?
	    res->err.fbtrace_id : "-", res->status == WA_GRAPH_META ?
	    (res->err.details != NULL ? res->err.details : "-") :
	    (res->detail != NULL ? res->detail : "-"));
	return r->err.code;
}

int
wa_graph_retry_delay(const struct wa_graph_res *res, int attempt)
{
	const struct wa_graph_rule	*rule = res->rule;
	long				 d;
	int				 i;

	if (rule == NULL)
		rule = wa_graph_rule_status(res->status, res->http_status);
	if (attempt < 1)
		attempt = 1;
	switch (rule->retry) {
	case WA_GRAPH_RETRY:
		d = rule->after_s > 0 ? rule->after_s : 1;
		for (i = 1; i < attempt && d < 3600; i++)
			d *= 2;
		return (int)(d > 3600 ? 3600 : d);
	case WA_GRAPH_RETRY_PAIR:
		d = 1;
		for (i = 1; i < attempt && d < 4096; i++)
			d *= 4;
		return (int)d;
	case WA_GRAPH_RETRY_LATER:
		return attempt == 1 ? rule->after_s : -1;
	default:
		return -1;
	}
}

int
wa_graph_signature_ok(const char *secret, const void *body, size_t len,
    const char *header)
{
	unsigned char	want[WA_SHA256_LEN], got[WA_SHA256_LEN];

	if (secret == NULL || secret[0] == '\0' || header == NULL ||
	    strncasecmp(header, "sha256=", 7) != 0 ||
	    strlen(header + 7) != 2 * WA_SHA256_LEN ||
	    wa_crypto_unhex(header + 7, got, sizeof(got)) != 0)
		return 0;
	wa_crypto_hmac_sha256(secret, strlen(secret), body, len, want);
	return wa_crypto_eq(want, got, sizeof(want));
}

static enum wa_err
signed_check(struct wa_req *r)
{
	const char	*sig = wa_req_header(r, "x-hub-signature-256");

	if (r->cfg->meta_app_secret == NULL) {
		wa_fail_log(r, "WA_META_APP_SECRET is not set");
		return wa_fail(r, WA_ERR_UNAVAILABLE, "Webhooks are not "
		    "configured on this server");
	}
	if (sig == NULL)
		return wa_fail(r, WA_ERR_UNAUTHENTICATED,
		    "X-Hub-Signature-256 is required");
	if (!wa_graph_signature_ok(r->cfg->meta_app_secret, r->body,
	    r->body_len, sig))
		return wa_fail(r, WA_ERR_UNAUTHENTICATED,
		    "X-Hub-Signature-256 does not match the body");
	return WA_OK;
}

const struct wa_authn wa_graph_signed = {
	"meta_signature",	/* name */
	signed_check,		/* check */
	NULL,			/* resolve */
};
