/*
 * libmicrohttpd glue: one access handler for Graph paths
 * (/vNN.N/...), the carrier's sandbox (/telnyx/v2/..., telnyx.c), the
 * billing sandbox (/stripe/..., stripe.c), the control API (/_sim/...)
 * and the media downloads.  Faults and the request log apply to Graph,
 * carrier and billing paths alike.
 *
 * A fault with latency (or a timeout) suspends the connection and
 * schedules its resumption on the timer thread, so a slow answer never
 * holds a pool thread.  "drop" closes the connection without a byte of
 * answer (MHD_NO from the handler).
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <microhttpd.h>

#include "crypto.h"
#include "json.h"
#include "metasim.h"

enum phase {
	PH_NEW = 0,
	PH_BODY,
	PH_HELD,	/* suspended by a latency or timeout fault */
	PH_RESUMED
};

struct conn {
	enum phase		 phase;
	struct sbuf		 body;
	char			*form;	/* the body decoded as a form */
	int			 too_large;
	struct sim_fault	 fault;	/* the fault being applied */
	int			 has_fault;
};

/* one daemon per listening address (127.0.0.1, ::1), one shared state */
#define MAX_LISTEN	4
static struct MHD_Daemon	*daemons[MAX_LISTEN];
static int			 ndaemons;
static char			*cert_pem, *key_pem;

/* ---- request accessors --------------------------------------------- */

static const char *
kv_find(const struct skv *kv, int n, const char *key)
{
	int	i;

	for (i = 0; i < n; i++)
		if (strcmp(kv[i].key, key) == 0)
			return kv[i].val;
	return NULL;
}

const char *
query(const struct sreq *q, const char *name)
{
	return kv_find(q->query, q->nquery, name);
}

const char *
param(const struct sreq *q, const char *name)
{
	const cJSON	*v;
	const char	*s;

	if (q->json != NULL) {
		v = cJSON_GetObjectItemCaseSensitive(q->json, name);
		if (cJSON_IsString(v))
			return v->valuestring;
	}
	if ((s = kv_find(q->form, q->nform, name)) != NULL)
		return s;
	return query(q, name);
}

const char *
header(const struct sreq *q, const char *name)
{
	return MHD_lookup_connection_value(q->conn, MHD_HEADER_KIND, name);
}

/* ---- answers --------------------------------------------------------- */

void
resp_json(struct sresp *rs, int status, cJSON *v)
{
	rs->status = status;
	free(rs->body);
	rs->body = plain_json(v);
	rs->ctype = "application/json";
	cJSON_Delete(v);
}

void
resp_success(struct sresp *rs)
{
	cJSON	*o = cJSON_CreateObject();

	cJSON_AddTrueToObject(o, "success");
	resp_json(rs, 200, o);
}

/* HTTP status of an error code under the status profile (§2.3). */
static int
status_for(long code)
{
	if (code == 190 || code == 0)
		return 401;
	if (code == 2 || code == 131016 || code == 133004)
		return 503;
	if (code == 131000 || (sim.cfg.documented && code == 3))
		return 500;
	if (!sim.cfg.documented)
		return 400;
	if (code == 10 || (code >= 200 && code <= 299) || code == 368 ||
	    code == 131031)
		return 403;
	if (code == 4 || code == 17 || code == 80007 || code == 130429 ||
	    code == 131048 || code == 131056)
		return 429;
	return 400;
}

static void
fbtrace(char *out, size_t n)
{
	rand_token(out, n > 24 ? 23 : n - 1);
}

void
meta_error(struct sresp *rs, long code, long subcode, const char *type,
    const char *title, const char *details, const char *user_title,
    const char *user_msg)
{
	cJSON	*o = cJSON_CreateObject(), *e, *d;
	char	 msg[600], tr[24];
	int	 st = rs->status >= 400 ? rs->status : status_for(code);

	e = cJSON_AddObjectToObject(o, "error");
	snprintf(msg, sizeof(msg), "(#%ld) %s", code, title);
	cJSON_AddStringToObject(e, "message", code == 190 ? title : msg);
	cJSON_AddStringToObject(e, "type", type != NULL ? type :
	    "OAuthException");
	cJSON_AddNumberToObject(e, "code", (double)code);
	if (details != NULL) {
		d = cJSON_AddObjectToObject(e, "error_data");
		cJSON_AddStringToObject(d, "messaging_product", "whatsapp");
		cJSON_AddStringToObject(d, "details", details);
	}
	if (subcode != 0)
		cJSON_AddNumberToObject(e, "error_subcode", (double)subcode);
	if (user_title != NULL)
		cJSON_AddStringToObject(e, "error_user_title", user_title);
	if (user_msg != NULL)
		cJSON_AddStringToObject(e, "error_user_msg", user_msg);
	if (code == 1 || code == 2 || code == 4 || code == 131000 ||
	    code == 131016 || code == 133004)
		cJSON_AddTrueToObject(e, "is_transient");
	fbtrace(tr, sizeof(tr));
	cJSON_AddStringToObject(e, "fbtrace_id", tr);
	rs->oauth = strcmp(type != NULL ? type : "OAuthException",
	    "OAuthException") == 0;
	resp_json(rs, st, o);
}

void
unknown_object(struct sresp *rs, const struct sreq *q, const char *id)
{
	cJSON	*o = cJSON_CreateObject(), *e;
	char	 t[400], tr[24];

	/* Graph's own text (contract §1.1): no "(#100) " prefix */
	snprintf(t, sizeof(t), "Unsupported %s request. Object with ID '%.64s' "
	    "does not exist, cannot be loaded due to missing permissions, or "
	    "does not support this operation. Please read the Graph API "
	    "documentation at https://developers.facebook.com/docs/graph-api",
	    strcmp(q->method, "GET") == 0 ? "get" : strcmp(q->method,
	    "DELETE") == 0 ? "delete" : "post", id);
	e = cJSON_AddObjectToObject(o, "error");
	cJSON_AddStringToObject(e, "message", t);
	cJSON_AddStringToObject(e, "type", "GraphMethodException");
	cJSON_AddNumberToObject(e, "code", 100);
	cJSON_AddNumberToObject(e, "error_subcode", 33);
	fbtrace(tr, sizeof(tr));
	cJSON_AddStringToObject(e, "fbtrace_id", tr);
	resp_json(rs, 400, o);
}

/* ---- request parsing ------------------------------------------------- */

struct collect {
	struct skv	*kv;
	int		*n;
	int		 max;
};

static enum MHD_Result
on_arg(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	struct collect	*c = cls;

	(void)kind;
	if (*c->n < c->max) {
		c->kv[*c->n].key = key;
		c->kv[*c->n].val = value != NULL ? value : "";
		(*c->n)++;
	}
	return MHD_YES;
}

/* Decodes a form value in place. */
static void
form_decode(char *s)
{
	char	*o = s;

	for (; *s != '\0'; s++) {
		if (*s == '+')
			*o++ = ' ';
		else if (*s == '%' && wa_crypto_hexdigit(s[1]) >= 0 &&
		    wa_crypto_hexdigit(s[2]) >= 0) {
			*o++ = (char)(wa_crypto_hexdigit(s[1]) * 16 +
			    wa_crypto_hexdigit(s[2]));
			s += 2;
		} else
			*o++ = *s;
	}
	*o = '\0';
}

static void
parse_form(struct sreq *q, char *body)
{
	char	*p = body, *amp, *eq;

	while (p != NULL && *p != '\0' && q->nform < 32) {
		if ((amp = strchr(p, '&')) != NULL)
			*amp = '\0';
		if ((eq = strchr(p, '=')) != NULL) {
			*eq = '\0';
			form_decode(p);
			form_decode(eq + 1);
			q->form[q->nform].key = p;
			q->form[q->nform].val = eq + 1;
			q->nform++;
		}
		p = amp != NULL ? amp + 1 : NULL;
	}
}

/* The token from the Authorization header or ?access_token=. */
static void
find_token(struct sreq *q)
{
	const char	*a = header(q, "Authorization");

	if (a != NULL && strncasecmp(a, "Bearer ", 7) == 0) {
		q->token = a + 7;
		q->auth_scheme = "Bearer";
	} else if (a != NULL && strncasecmp(a, "OAuth ", 6) == 0) {
		q->token = a + 6;
		q->auth_scheme = "OAuth";
	} else if ((q->token = query(q, "access_token")) != NULL)
		q->auth_scheme = "query";
	while (q->token != NULL && *q->token == ' ')
		q->token++;
	if (q->token != NULL && *q->token == '\0')
		q->token = NULL;
}

/* Splits the path after "/vNN.N" into segments (q->path keeps it). */
static int
split_path(struct sreq *q, const char *url)
{
	char	*p, *save = NULL, *s;
	size_t	 n;

	if (url[0] != '/' || url[1] != 'v')
		return -1;
	n = strspn(url + 2, "0123456789");
	if (n == 0 || url[2 + n] != '.' ||
	    strspn(url + 3 + n, "0123456789") == 0)
		return -1;
	p = strchr(url + 1, '/');
	q->path = xstrdup(p != NULL ? p : "/");
	s = xstrdup(q->path);
	for (p = strtok_r(s, "/", &save); p != NULL && q->nsegs < 8;
	    p = strtok_r(NULL, "/", &save))
		q->segs[q->nsegs++] = xstrdup(p);
	free(s);
	return 0;
}

static void
sreq_free(struct sreq *q)
{
	int	i;

	free(q->path);
	for (i = 0; i < q->nsegs; i++)
		free(q->segs[i]);
	cJSON_Delete(q->json);
}

/* The real answer: Graph's, the carrier's or billing's. */
static void
route(struct sreq *q, struct sresp *rs)
{
	if (q->telnyx)
		telnyx_route(q, rs);
	else if (q->stripe)
		stripe_route(q, rs);
	else
		graph_route(q, rs);
}

/* ---- faults ---------------------------------------------------------- */

static int
fault_match(struct sreq *q, struct sim_fault *out)
{
	size_t	i;

	for (i = 0; i < sim.nfaults; i++) {
		struct sim_fault *f = &sim.faults[i];

		if (f->count == 0)
			continue;
		if (f->method[0] != '\0' && strcasecmp(f->method,
		    q->method) != 0)
			continue;
		if (fnmatch(f->pattern, q->path, 0) != 0)
			continue;
		if (f->count > 0)
			f->count--;
		f->hits++;
		*out = *f;
		return 1;
	}
	return 0;
}

/* What a fault does once its latency (if any) has passed. */
static void
fault_apply(struct sreq *q, struct sresp *rs, const struct sim_fault *f)
{
	char	loc[256];

	if (f->drop || f->timeout) {
		rs->drop = 1;
		return;
	}
	if (f->malformed) {
		rs->status = 200;
		rs->body = xstrdup(q->telnyx ? "{\"data\":[{\"phone_number\":" :
		    q->stripe ? "{\"id\":\"cs_test_\",\"object\":" :
		    "{\"messaging_product\":\"whatsapp\",\"data\":[{\"id\":");
		rs->ctype = "application/json";
		return;
	}
	if (f->redirect) {
		snprintf(loc, sizeof(loc), "%s/moved%s", sim.base_url,
		    q->path);
		rs->status = 302;
		rs->location = xstrdup(loc);
		rs->body = xstrdup("");
		rs->ctype = "text/html";
		return;
	}
	if ((f->status > 0 || f->code > 0) && q->telnyx) {
		telnyx_fault(rs, f->status, f->code);
		return;
	}
	if ((f->status > 0 || f->code > 0) && q->stripe) {
		stripe_fault(rs, f->status);
		return;
	}
	if (f->status > 0 || f->code > 0) {
		rs->status = f->status;
		meta_error(rs, f->code > 0 ? f->code : 1, f->subcode, NULL,
		    f->code == 130429 ? "Rate limit hit" :
		    f->code == 131056 ? "(Business Account, Consumer "
		    "Account) pair rate limit hit" : "Injected fault",
		    "fault injected by the simulator's control API", NULL,
		    NULL);
		return;
	}
	route(q, rs);		/* latency only: then the real answer */
}

static void
fault_name(const struct sim_fault *f, char *out, size_t n)
{
	snprintf(out, n, "#%d%s%s%s%s%s status=%d code=%ld latency=%d", f->id,
	    f->drop ? " drop" : "", f->timeout ? " timeout" : "",
	    f->malformed ? " malformed" : "", f->redirect ? " redirect" : "",
	    "", f->status, f->code, f->latency_ms);
}

/* ---- downloads: media URLs and profile pictures ---------------------- */

/*
 * What serving a request decided, made under sim.lock and sent after
 * it: an answer (rs), or a file copied out of the state (bytes), or
 * nothing yet (held: suspended until a latency fault has passed).
 */
struct answer {
	struct sresp	 rs;
	unsigned char	*bytes;		/* malloc'd, or NULL */
	size_t		 nbytes;
	char		 mime[128];
	int		 held;
};

/* A copy of a file for a->bytes: the state may drop it once the lock
 * is released. */
static void
take_file(struct answer *a, const unsigned char *data, size_t len,
    const char *mime)
{
	a->bytes = xcalloc(1, len > 0 ? len : 1);
	memcpy(a->bytes, data, len);
	a->nbytes = len;
	snprintf(a->mime, sizeof(a->mime), "%s", mime != NULL ? mime :
	    "application/octet-stream");
}

static void
download(struct sreq *q, const char *url, struct answer *a)
{
	struct sim_media	*m;
	struct sim_upload	*u;
	struct smap_ent		*e;
	const char		*sig = query(q, "sig");
	size_t			 i;

	if (strncmp(url, "/_media/", 8) == 0) {
		m = smap_get(&sim.media, url + 8);
		/* §8.4: the bearer token is required */
		if (m != NULL && sig != NULL && strcmp(sig, m->sig) == 0 &&
		    q->token != NULL && smap_get(&sim.phones, m->phone) !=
		    NULL && strcmp(((struct sim_phone *)smap_get(&sim.phones,
		    m->phone))->token, q->token) == 0) {
			take_file(a, m->data, m->len, m->mime);
			return;
		}
	} else {
		/* "/pps/<the last 16 characters of the upload's handle>" */
		for (e = smap_first(&sim.uploads, &i); e != NULL;
		    e = smap_next(&sim.uploads, e, &i)) {
			u = e->val;
			if (u->handle != NULL && strlen(u->handle) > 16 &&
			    strcmp(u->handle + strlen(u->handle) - 16,
			    url + 5) == 0) {
				take_file(a, u->data, u->length, u->type);
				return;
			}
		}
	}
	a->rs.status = 404;
	a->rs.body = xstrdup("{\"error\":\"not found\"}");
}

/* ---- the handler ------------------------------------------------------- */

static enum MHD_Result
send_resp(struct MHD_Connection *c, struct sresp *rs)
{
	struct MHD_Response	*mr;
	enum MHD_Result		 ret;
	char			 tr[24];
	const char		*body = rs->body != NULL ? rs->body : "";

	mr = MHD_create_response_from_buffer(strlen(body), (void *)body,
	    MHD_RESPMEM_MUST_COPY);
	if (mr == NULL)
		return MHD_NO;
	MHD_add_response_header(mr, "Content-Type", rs->ctype != NULL ?
	    rs->ctype : "application/json");
	fbtrace(tr, sizeof(tr));
	MHD_add_response_header(mr, "x-fb-trace-id", tr);
	MHD_add_response_header(mr, "x-fb-request-id", tr);
	MHD_add_response_header(mr, "facebook-api-version", sim.version);
	MHD_add_response_header(mr, "Cache-Control", "no-store");
	MHD_add_response_header(mr, "Pragma", "no-cache");
	MHD_add_response_header(mr, "Expires",
	    "Sat, 01 Jan 2000 00:00:00 GMT");
	if (rs->oauth)
		MHD_add_response_header(mr, "WWW-Authenticate",
		    "OAuth \"Facebook Platform\" \"invalid_request\"");
	if (rs->location != NULL)
		MHD_add_response_header(mr, "Location", rs->location);
	if (rs->replayed)
		MHD_add_response_header(mr, "Idempotent-Replayed", "true");
	ret = MHD_queue_response(c, (unsigned)rs->status, mr);
	MHD_destroy_response(mr);
	return ret;
}

static enum MHD_Result
send_bytes(struct MHD_Connection *c, const unsigned char *data, size_t len,
    const char *mime)
{
	struct MHD_Response	*mr;
	enum MHD_Result		 ret;

	mr = MHD_create_response_from_buffer(len, (void *)data,
	    MHD_RESPMEM_MUST_COPY);
	if (mr == NULL)
		return MHD_NO;
	MHD_add_response_header(mr, "Content-Type", mime);
	ret = MHD_queue_response(c, 200, mr);
	MHD_destroy_response(mr);
	return ret;
}

static void
body_parse(struct sreq *q, struct conn *cx, struct sresp *rs)
{
	const char	*why;
	cJSON		*v;

	q->body = cx->body.s != NULL ? cx->body.s : "";
	q->len = cx->body.len;
	q->ctype = header(q, "Content-Type");
	if (q->len == 0 || q->ctype == NULL)
		return;
	/* Stripe takes form bodies only: a JSON one carries nothing */
	if (strncasecmp(q->ctype, "application/json", 16) == 0 && !q->stripe) {
		v = wa_json_parse(q->body, q->len, WA_JSON_DEPTH_MAX, &why);
		if (cJSON_IsObject(v))
			q->json = v;
		else if (q->telnyx) {
			cJSON_Delete(v);
			telnyx_error(rs, 400, "10023", "Invalid JSON",
			    "the body is not a JSON object", NULL);
		} else {
			cJSON_Delete(v);
			rs->status = 400;
			meta_error(rs, 100, 0, NULL, "Invalid parameter",
			    "the body is not a JSON object", NULL, NULL);
		}
	} else if (strncasecmp(q->ctype,
	    "application/x-www-form-urlencoded", 33) == 0) {
		/* decoded in a copy: the body stays as it came, for the
		 * request log and a second reading after a held answer */
		free(cx->form);
		cx->form = xstrdup(q->body);
		parse_form(q, cx->form);
	}
}

/* Reads the request line: method, query, token, the path after the
 * version.  Returns 1 for a Graph path (/vNN.N/...). */
static int
sreq_init(struct sreq *q, struct MHD_Connection *c, const char *url,
    const char *method)
{
	struct collect	col;

	memset(q, 0, sizeof(*q));
	q->method = method;
	q->conn = c;
	col.kv = q->query;
	col.n = &q->nquery;
	col.max = 32;
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, on_arg, &col);
	find_token(q);
	q->file_offset = header(q, "file_offset");
	if (split_path(q, url) == 0)
		return 1;
	q->path = xstrdup(url);
	q->telnyx = strncmp(url, "/telnyx/", 8) == 0;
	q->stripe = strncmp(url, "/stripe/", 8) == 0;
	return 0;
}

/* ---- serving, sim.lock held ------------------------------------------ */

/* Back from a latency or timeout fault: the fault's own answer. */
static void
serve_resumed(struct conn *cx, struct sreq *q, struct sresp *rs)
{
	char	fname[128];

	cx->phase = PH_RESUMED;
	body_parse(q, cx, rs);
	if (rs->status == 0)
		fault_apply(q, rs, &cx->fault);
	fault_name(&cx->fault, fname, sizeof(fname));
	reqlog_add(q, rs->drop ? 0 : rs->status, fname);
}

static void
serve_control(struct conn *cx, struct sreq *q, struct sresp *rs)
{
	body_parse(q, cx, rs);
	if (rs->status == 0)
		control_route(q, rs);
}

/* Not /vNN.N/...: Graph's answer, word for word. */
static void
serve_unknown(struct sreq *q, struct sresp *rs)
{
	rs->status = 400;
	rs->oauth = 1;
	rs->ctype = "application/json";
	rs->body = xstrdup("{\"error\":{\"message\":\"Unknown path "
	    "components: /\",\"type\":\"OAuthException\","
	    "\"code\":2500,\"fbtrace_id\":\"AbCdEfGhIjK\"}}");
	reqlog_add(q, rs->status, NULL);
}

/* A Graph, carrier or billing call: the injected fault that matches
 * it, or the real answer.
 * A fault with latency suspends the connection and schedules its
 * resumption (under the lock, so the timer cannot resume it first). */
static void
serve_graph(struct conn *cx, struct MHD_Connection *c, struct sreq *q,
    struct answer *a)
{
	struct sresp	*rs = &a->rs;
	char		 fname[128];

	if (cx->too_large && q->telnyx)
		telnyx_error(rs, 413, "10015", "Bad Request",
		    "the request body is too large", NULL);
	else if (cx->too_large && q->stripe)
		stripe_error(rs, 413, "invalid_request_error", NULL,
		    "The request body is too large.", NULL);
	else if (cx->too_large) {
		rs->status = 413;
		meta_error(rs, 100, 0, NULL, "Invalid parameter",
		    "the request body is too large", NULL, NULL);
	}
	if (cx->too_large) {
		reqlog_add(q, rs->status, NULL);
		return;
	}
	body_parse(q, cx, rs);
	if (!fault_match(q, &cx->fault)) {
		if (rs->status == 0)
			route(q, rs);
		reqlog_add(q, rs->status, NULL);
		return;
	}
	cx->has_fault = 1;
	if (cx->fault.latency_ms > 0 || cx->fault.timeout) {
		cx->phase = PH_HELD;
		MHD_suspend_connection(c);
		sched(now_ms() + (cx->fault.latency_ms > 0 ?
		    cx->fault.latency_ms : 60000), EV_RESUME, NULL, NULL, 0, c);
		a->held = 1;
		return;
	}
	if (rs->status == 0)
		fault_apply(q, rs, &cx->fault);
	fault_name(&cx->fault, fname, sizeof(fname));
	reqlog_add(q, rs->drop ? 0 : rs->status, fname);
}

static void
serve(struct conn *cx, struct MHD_Connection *c, struct sreq *q,
    const char *url, int graph, struct answer *a)
{
	if (cx->phase == PH_HELD) {
		serve_resumed(cx, q, &a->rs);
		return;
	}
	sim.served++;
	if (strncmp(url, "/_sim/", 6) == 0 || strcmp(url, "/_sim") == 0)
		serve_control(cx, q, &a->rs);
	else if (strncmp(url, "/_media/", 8) == 0 ||
	    strncmp(url, "/pps/", 5) == 0)
		download(q, url, a);
	else if (!graph && !q->telnyx && !q->stripe)
		serve_unknown(q, &a->rs);
	else
		serve_graph(cx, c, q, a);
}

/* ---- answering, no lock held ----------------------------------------- */

static enum MHD_Result
respond(struct MHD_Connection *c, struct answer *a)
{
	enum MHD_Result	ret;

	if (a->held)
		ret = MHD_YES;
	else if (a->bytes != NULL)
		ret = send_bytes(c, a->bytes, a->nbytes, a->mime);
	else if (a->rs.drop)
		ret = MHD_NO;		/* close without a byte */
	else {
		if (a->rs.status == 0) {
			a->rs.status = 500;
			free(a->rs.body);
			a->rs.body = xstrdup("{\"error\":{\"message\":\"(#1) "
			    "An unknown error occurred\",\"type\":"
			    "\"OAuthException\",\"code\":1}}");
		}
		ret = send_resp(c, &a->rs);
	}
	free(a->bytes);
	free(a->rs.body);
	free(a->rs.location);
	return ret;
}

/*
 * libmicrohttpd calls this once when the headers are in, once per piece
 * of the body, and once more at its end: then the request is read
 * (outside the lock), served against the state (inside it), and
 * answered (outside it again).
 */
static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **ctx)
{
	struct conn	*cx = *ctx;
	struct sreq	 q;
	struct answer	 a;
	int		 graph;

	(void)cls;
	(void)version;
	if (cx == NULL) {
		*ctx = cx = xcalloc(1, sizeof(*cx));
		cx->phase = PH_BODY;
		return MHD_YES;
	}
	if (*upload_size > 0) {
		if (cx->body.len + *upload_size > SIM_BODY_MAX)
			cx->too_large = 1;
		else
			sb_add(&cx->body, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	memset(&a, 0, sizeof(a));
	graph = sreq_init(&q, c, url, method);
	pthread_mutex_lock(&sim.lock);
	serve(cx, c, &q, url, graph, &a);
	pthread_mutex_unlock(&sim.lock);
	sreq_free(&q);
	return respond(c, &a);
}

static void
on_done(void *cls, struct MHD_Connection *c, void **ctx,
    enum MHD_RequestTerminationCode toe)
{
	struct conn	*cx = *ctx;

	(void)cls;
	(void)c;
	(void)toe;
	if (cx == NULL)
		return;
	free(cx->body.s);
	free(cx->form);
	free(cx);
	*ctx = NULL;
}

void
http_resume(void *conn)
{
	MHD_resume_connection(conn);
}

static char *
slurp(const char *path)
{
	FILE		*f = fopen(path, "r");
	struct sbuf	 b;
	char		 buf[4096];
	size_t		 n;

	if (f == NULL)
		return NULL;
	memset(&b, 0, sizeof(b));
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sb_add(&b, buf, n);
	fclose(f);
	return sb_take(&b);
}

/*
 * "127.x.x.x:PORT" or "[::1]:PORT" into sa: a loopback address only,
 * the simulator has no authentication.  Returns 0 or -1.
 */
static int
parse_listen(const char *addr, struct sockaddr_storage *sa)
{
	struct sockaddr_in	*in = (struct sockaddr_in *)sa;
	struct sockaddr_in6	*in6 = (struct sockaddr_in6 *)sa;
	const char		*h = addr, *p;
	char			 host[64], *end;
	size_t			 n;
	long			 port;

	if (addr[0] == '[') {
		h = addr + 1;
		if ((p = strchr(h, ']')) == NULL || p[1] != ':')
			return -1;
		n = (size_t)(p - h);
		p += 2;
	} else {
		if ((p = strrchr(addr, ':')) == NULL)
			return -1;
		n = (size_t)(p - addr);
		p++;
	}
	if (n == 0 || n >= sizeof(host))
		return -1;
	memcpy(host, h, n);
	host[n] = '\0';
	port = strtol(p, &end, 10);
	if (end == p || *end != '\0' || port < 1 || port > 65535)
		return -1;
	memset(sa, 0, sizeof(*sa));
	if (h == addr) {
		in->sin_family = AF_INET;
		in->sin_port = htons((unsigned short)port);
		if (inet_pton(AF_INET, host, &in->sin_addr) != 1 ||
		    (ntohl(in->sin_addr.s_addr) >> 24) != 127)
			return -1;
	} else {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((unsigned short)port);
		if (inet_pton(AF_INET6, host, &in6->sin6_addr) != 1 ||
		    !IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr))
			return -1;
	}
	return 0;
}

int
http_start(const char *addr, const char *cert, const char *key,
    int threads)
{
	struct sockaddr_storage	 sa;
	struct MHD_Daemon	*d;
	unsigned		 flags = MHD_USE_INTERNAL_POLLING_THREAD |
				    MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME |
				    MHD_USE_ERROR_LOG;

	if (parse_listen(addr, &sa) != 0) {
		fprintf(stderr, "metasim: listen on 127.x.x.x:PORT or "
		    "[::1]:PORT, not %s\n", addr);
		return -1;
	}
	if (ndaemons == MAX_LISTEN) {
		fprintf(stderr, "metasim: at most %d --listen\n", MAX_LISTEN);
		return -1;
	}
	if (sa.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (cert != NULL && cert_pem == NULL) {
		if ((cert_pem = slurp(cert)) == NULL ||
		    (key_pem = slurp(key)) == NULL) {
			fprintf(stderr, "metasim: cannot read %s or %s\n",
			    cert, key);
			return -1;
		}
	}
	if (cert != NULL) {
		flags |= MHD_USE_TLS;
		d = MHD_start_daemon(flags, 0, NULL, NULL, on_request,
		    NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
		    MHD_OPTION_THREAD_POOL_SIZE, (unsigned)threads,
		    MHD_OPTION_CONNECTION_LIMIT, 4000u,
		    MHD_OPTION_CONNECTION_TIMEOUT, 120u,
		    MHD_OPTION_NOTIFY_COMPLETED, on_done, NULL,
		    MHD_OPTION_HTTPS_MEM_CERT, cert_pem,
		    MHD_OPTION_HTTPS_MEM_KEY, key_pem, MHD_OPTION_END);
	} else
		d = MHD_start_daemon(flags, 0, NULL, NULL, on_request,
		    NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
		    MHD_OPTION_THREAD_POOL_SIZE, (unsigned)threads,
		    MHD_OPTION_CONNECTION_LIMIT, 4000u,
		    MHD_OPTION_CONNECTION_TIMEOUT, 120u,
		    MHD_OPTION_NOTIFY_COMPLETED, on_done, NULL, MHD_OPTION_END);
	if (d == NULL) {
		fprintf(stderr, "metasim: cannot listen on %s\n", addr);
		return -1;
	}
	daemons[ndaemons++] = d;
	return 0;
}

void
http_stop(void)
{
	while (ndaemons > 0)
		MHD_stop_daemon(daemons[--ndaemons]);
	free(cert_pem);
	free(key_pem);
	cert_pem = key_pem = NULL;
}
