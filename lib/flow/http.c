/*
 * http_request steps: the request built from the step's templates, then
 * answered by the run's transport (a live run: a real call, made by the
 * caller's wa_flow_http_fn) or by the test-run's mocks, and the answer
 * mapped into variables.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "flow.h"
#include "json.h"
#include "run.h"
#include "tmpl.h"
#include "utf8.h"
#include "valid.h"

/* A copy of an http body with every string rendered; NULL once the
 * rendered strings exceed *left bytes. */
static cJSON *
render_body(struct wa_flow_runner *r, const cJSON *v, int depth, size_t *left)
{
	struct wa_flow_tmpl	*t;
	const cJSON		*it;
	const char		*why, *s;
	cJSON			*o, *c;

	if (cJSON_IsString(v)) {
		s = v->valuestring;
		if (depth <= WA_FLOW_VALUE_DEPTH_MAX && (t = wa_flow_tmpl_parse(
		    r->a, v->valuestring, &why)) != NULL)
			s = wa_flow_render(r, t, WA_FLOW_STR_MAX, 0, NULL);
		if (strlen(s) > *left)
			return NULL;
		*left -= strlen(s);
		return cJSON_CreateStringReference(s);
	}
	if (!cJSON_IsArray(v) && !cJSON_IsObject(v))
		return cJSON_Duplicate(v, 0);
	o = cJSON_IsArray(v) ? cJSON_CreateArray() : cJSON_CreateObject();
	cJSON_ArrayForEach(it, v) {
		if ((c = render_body(r, it, depth + 1, left)) == NULL)
			return NULL;
		if (cJSON_IsArray(o))
			cJSON_AddItemToArray(o, c);
		else
			cJSON_AddItemToObject(o, it->string, c);
	}
	return o;
}

/* The response value a mapping names, or NULL. */
static const cJSON *
response_value(struct wa_flow_runner *r, const cJSON *resp, const char *from)
{
	const cJSON	*v;
	const char	*p, *dot;
	char		*seg;
	long		 ix;
	int		 headers;

	if (strcmp(from, "status") == 0)
		return cJSON_GetObjectItemCaseSensitive(resp, "status");
	headers = strncmp(from, "headers.", 8) == 0;
	v = cJSON_GetObjectItemCaseSensitive(resp, headers ? "headers" :
	    "body");
	if (strcmp(from, "body") == 0)
		return v;
	for (p = from + (headers ? 8 : 5); v != NULL; p = dot + 1) {
		dot = strchr(p, '.');
		seg = wa_arena_strndup(r->a, p, dot != NULL ?
		    (size_t)(dot - p) : strlen(p));
		if (headers)
			v = cJSON_GetObjectItem(v, seg);	/* any case */
		else if (cJSON_IsArray(v) && isdigit((unsigned char)*seg) &&
		    strlen(seg) <= 6) {
			ix = strtol(seg, NULL, 10);
			v = cJSON_GetArrayItem(v, (int)ix);
		} else
			v = cJSON_IsObject(v) ?
			    cJSON_GetObjectItemCaseSensitive(v, seg) : NULL;
		if (dot == NULL)
			break;
	}
	return v;
}

/* The mock answering step s this time, or NULL. */
static const cJSON *
mock_for(struct wa_flow_runner *r, const struct wa_flow_step *s)
{
	const cJSON	*m;
	size_t		 i = (size_t)(s - r->f->steps);
	int		 n;

	m = cJSON_GetObjectItemCaseSensitive(r->in->mocks, s->id);
	if (!cJSON_IsArray(m))
		return cJSON_IsObject(m) ? m : NULL;
	if ((n = cJSON_GetArraySize(m)) == 0)
		return NULL;
	return cJSON_GetArrayItem(m, r->mock_pos[i] < n ? r->mock_pos[i]++ :
	    n - 1);
}

static int
call_failed(struct wa_flow_runner *r, const struct wa_flow_step *s,
    cJSON *out, const char *why)
{
	cJSON_AddStringToObject(out, "error", why);
	if (s->nexits > WA_FLOW_X_ERROR)
		return wa_flow_take(r, s, WA_FLOW_X_ERROR, out);
	return wa_flow_fail(r, s, NULL, wa_arena_printf(r->a, "%s (the step "
	    "has no on_error)", why));
}

/* The live answer to the request, as a mock would give it: {status,
 * headers, body} (a body that is JSON parsed), or {error}. */
static const cJSON *
live_answer(struct wa_flow_runner *r, const struct wa_flow_step *s,
    const char *url, const cJSON *body)
{
	struct wa_flow_http_req		 q;
	struct wa_flow_http_resp	 a;
	const char			*why;
	cJSON				*o = cJSON_CreateObject(), *b;
	size_t				 i;

	memset(&q, 0, sizeof(q));
	memset(&a, 0, sizeof(a));
	q.method = s->method;
	q.url = url;
	q.nheaders = s->nheaders;
	q.names = wa_arena_calloc(r->a, s->nheaders + 1, sizeof(char *));
	q.values = wa_arena_calloc(r->a, s->nheaders + 1, sizeof(char *));
	for (i = 0; i < s->nheaders; i++) {
		q.names[i] = s->headers[i].name;
		q.values[i] = wa_flow_render(r, s->headers[i].value,
		    WA_FLOW_HEADER_MAX, 0, NULL);
	}
	q.body = body != NULL ? wa_json_print(body) : NULL;
	q.timeout_ms = s->timeout_ms;
	r->in->http(r->in->http_arg, &q, &a);
	if (a.error != NULL) {
		cJSON_AddStringToObject(o, "error", a.error);
		return o;
	}
	cJSON_AddNumberToObject(o, "status", a.status);
	if (a.headers != NULL)
		cJSON_AddItemToObject(o, "headers", a.headers);
	b = a.len > 0 ? wa_json_parse(a.body, a.len, WA_FLOW_VALUE_DEPTH_MAX,
	    &why) : NULL;
	if (b == NULL && a.len > 0) {
		if (memchr(a.body, '\0', a.len) != NULL ||
		    !wa_utf8_valid(a.body, a.len)) {
			cJSON_AddStringToObject(o, "error", "the answer is "
			    "neither JSON nor UTF-8 text");
			return o;
		}
		b = wa_flow_string(r->a, a.body, a.len);
	}
	cJSON_AddItemToObject(o, "body", b != NULL ? b : cJSON_CreateNull());
	return o;
}

int
wa_flow_exec_http(struct wa_flow_runner *r, const struct wa_flow_step *s,
    cJSON *out)
{
	const cJSON	*mock, *st, *v;
	const char	*url, *why;
	cJSON		*req, *hdr, *resp, *val, *body = NULL;
	size_t		 i, left;
	int		 status;

	req = cJSON_AddObjectToObject(out, "request");
	cJSON_AddStringToObject(req, "method", s->method);
	url = wa_flow_render(r, s->url, WA_FLOW_URL_MAX, 1, NULL);
	cJSON_AddItemToObject(req, "url", cJSON_CreateStringReference(url));
	hdr = cJSON_AddObjectToObject(req, "headers");
	for (i = 0; i < s->nheaders; i++)
		cJSON_AddItemToObject(hdr, s->headers[i].name,
		    cJSON_CreateStringReference(wa_flow_render(r,
		    s->headers[i].value, WA_FLOW_HEADER_MAX, 0, NULL)));
	left = WA_FLOW_RENDERED_BODY_MAX;
	if (s->body != NULL && (body = render_body(r, s->body, 0, &left)) ==
	    NULL)
		return call_failed(r, s, out, "the body is larger than 64 KiB "
		    "once its variables are filled in");
	if (s->body != NULL)
		cJSON_AddItemToObject(req, "body", body);
	cJSON_AddNumberToObject(req, "timeoutMs", s->timeout_ms);
	if (!wa_valid_url(url))
		return call_failed(r, s, out, "the URL is not an absolute "
		    "http(s) URL once its variables are filled in");
	if (r->in->http != NULL)
		mock = live_answer(r, s, url, body);
	else if ((mock = mock_for(r, s)) == NULL)
		return call_failed(r, s, out, wa_arena_printf(r->a, "no mock "
		    "for step %s (a test-run makes no network calls; give "
		    "mocks.%s)", s->id, s->id));
	else
		cJSON_AddTrueToObject(out, "mocked");
	if (cJSON_IsString(v = cJSON_GetObjectItemCaseSensitive(mock, "error")))
		return call_failed(r, s, out, v->valuestring);
	if (cJSON_IsNumber(v = cJSON_GetObjectItemCaseSensitive(mock,
	    "delay_ms")) && v->valuedouble > s->timeout_ms)
		return call_failed(r, s, out, wa_arena_printf(r->a, "timed "
		    "out after %d ms", s->timeout_ms));
	st = cJSON_GetObjectItemCaseSensitive(mock, "status");
	status = cJSON_IsNumber(st) ? (int)st->valuedouble : 200;
	resp = cJSON_AddObjectToObject(out, "response");
	cJSON_AddNumberToObject(resp, "status", status);
	if ((v = cJSON_GetObjectItemCaseSensitive(mock, "headers")) != NULL)
		cJSON_AddItemToObject(resp, "headers",
		    cJSON_CreateObjectReference(v->child));
	v = cJSON_GetObjectItemCaseSensitive(mock, "body");
	cJSON_AddItemToObject(resp, "body", v == NULL ? cJSON_CreateNull() :
	    cJSON_IsArray(v) ? cJSON_CreateArrayReference(v->child) :
	    cJSON_IsObject(v) ? cJSON_CreateObjectReference(v->child) :
	    cJSON_Duplicate(v, 0));
	if (status < 200 || status > 299)
		return call_failed(r, s, out, wa_arena_printf(r->a, "the "
		    "server answered HTTP %d", status));
	for (i = 0; i < s->nmappings; i++) {
		v = response_value(r, mock, s->mappings[i].from);
		if (strcmp(s->mappings[i].from, "status") == 0)
			v = cJSON_GetObjectItemCaseSensitive(resp, "status");
		/* measured before it is copied: a body may be big */
		if ((why = wa_flow_value_check(v)) != NULL)
			return call_failed(r, s, out, wa_arena_printf(r->a,
			    "mapping %s: the response part %s",
			    s->mappings[i].var.text, why));
		val = v != NULL ? cJSON_Duplicate(v, 1) : cJSON_CreateNull();
		if ((why = wa_flow_assign(r, &s->mappings[i].var, val, out)) !=
		    NULL)
			return call_failed(r, s, out, wa_arena_printf(r->a,
			    "mapping %s: %s", s->mappings[i].var.text, why));
	}
	return wa_flow_take(r, s, WA_FLOW_X_SUCCESS, out);
}
