/*
 * A provider's call (provider.h).  The clients differ in their routes,
 * their bodies and their error objects; how a call is made, and what a
 * failure becomes for wagate's caller, is the same for all of them.
 */
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "fetch.h"
#include "json.h"
#include "log.h"
#include "provider.h"

/* Seconds a 429 or 5xx asks to wait (Retry-After), 1 to 3600. */
static int
retry_of(const struct wa_fetch_resp *resp)
{
	const char	*v = wa_json_str(resp->headers, "retry-after");
	char		*end;
	long		 s;

	if (v == NULL)
		return WA_PROVIDER_RETRY_S;
	s = strtol(v, &end, 10);
	return end != v && *end == '\0' && s >= 1 && s <= 3600 ? (int)s :
	    WA_PROVIDER_RETRY_S;
}

/*
 * The provider answered with an error: its words are logged (never the
 * key, which only the request's headers held), the client is told 502,
 * or 503 with Retry-After when the provider is throttling or failing.
 */
static enum wa_err
refused(struct wa_req *r, const struct wa_provider *p, const char *method,
    const char *path, const struct wa_fetch_resp *resp)
{
	const char	*why, *code = "-", *words = "-";
	cJSON		*v;
	int		 n = (int)strcspn(path, "?");

	v = wa_json_parse(resp->body, resp->len, WA_JSON_DEPTH_MAX, &why);
	p->error_of(r->arena, v, &code, &words);
	wa_log(WA_LOG_WARN, "request %s: %s %s %.*s: HTTP %d, code %s: %s",
	    r->request_id, p->name, method, n, path, resp->status, code,
	    words);
	wa_fail_log(r, "%s %s %.*s: HTTP %d, code %s: %s", p->name, method,
	    n, path, resp->status, code, words);
	if (resp->status == 429 || resp->status >= 500) {
		if (r->err.code == WA_OK)
			r->err.retry_after = retry_of(resp);
		return wa_fail(r, WA_ERR_UNAVAILABLE, "%s is unavailable; "
		    "retry later", p->who);
	}
	return wa_fail(r, WA_ERR_UPSTREAM, "%s refused the request", p->who);
}

enum wa_err
wa_provider_unexpected(struct wa_req *r, const struct wa_provider *p,
    const char *what)
{
	wa_fail_log(r, "%s: %s", p->name, what);
	return wa_fail(r, WA_ERR_UPSTREAM, "%s answered something "
	    "unexpected", p->who);
}

enum wa_err
wa_provider_call(struct wa_req *r, const struct wa_provider *p,
    const char *method, const char *path, const char *idem,
    const char *body, int ok404, cJSON **out)
{
	struct wa_fetch_opts	 o;
	struct wa_fetch_req	 q;
	struct wa_fetch_resp	 resp;
	const char		*names[4], *values[4], *host, *why;
	size_t			 nh = 0;
	int			 n = (int)strcspn(path, "?");

	*out = NULL;
	host = strstr(p->url, "://");
	host = host != NULL ? host + 3 : p->url;
	memset(&o, 0, sizeof(o));
	o.timeout_ms = p->timeout_ms;
	o.max_bytes = p->max_bytes;
	o.allow = wa_arena_strndup(r->arena, host, strcspn(host, "/"));
	o.ca_file = p->ca_file;
	names[nh] = "Authorization";
	values[nh++] = wa_arena_printf(r->arena, "Bearer %s", p->key);
	names[nh] = "Accept";
	values[nh++] = "application/json";
	if (body != NULL) {
		names[nh] = "Content-Type";
		values[nh++] = p->ctype;
	}
	if (idem != NULL) {
		names[nh] = "Idempotency-Key";
		values[nh++] = idem;
	}
	memset(&q, 0, sizeof(q));
	q.method = method;
	q.url = wa_arena_printf(r->arena, "%s%s", p->url, path);
	q.names = names;
	q.values = values;
	q.nheaders = nh;
	q.body = body;
	wa_fetch(r->arena, &o, &q, &resp);
	if (resp.error != NULL) {
		wa_log(WA_LOG_WARN, "request %s: %s %s %.*s: %s",
		    r->request_id, p->name, method, n, path, resp.error);
		wa_fail_log(r, "%s %s %.*s: %s", p->name, method, n, path,
		    resp.error);
		if (r->err.code == WA_OK)
			r->err.retry_after = WA_PROVIDER_RETRY_S;
		return wa_fail(r, WA_ERR_UNAVAILABLE, "%s cannot be reached; "
		    "retry later", p->who);
	}
	if (resp.status == 404 && ok404)
		return WA_OK;
	if (resp.status < 200 || resp.status > 299)
		return refused(r, p, method, path, &resp);
	*out = wa_json_parse(resp.body, resp.len, WA_JSON_DEPTH_MAX, &why);
	if (!cJSON_IsObject(*out)) {
		wa_fail_log(r, "%s %s %.*s: HTTP %d, not a JSON object (%s)",
		    p->name, method, n, path, resp.status, *out == NULL ? why :
		    "another JSON value");
		*out = NULL;
		return wa_fail(r, WA_ERR_UPSTREAM, "%s answered something "
		    "unexpected", p->who);
	}
	return WA_OK;
}
