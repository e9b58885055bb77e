/*
 * The JSON input of a test-run, checked before anything runs: the
 * runner itself tolerates any shape (a live conversation fills its
 * input in C), but a caller who sent a wrong shape deserves a 400 that
 * names it, not a run that silently ignores it.
 */
#include <stdarg.h>
#include <string.h>

#include "arena.h"
#include "clock.h"
#include "flow.h"
#include "utf8.h"

struct in {
	struct wa_arena		*a;
	struct wa_flow_report	*rep;
};

static void	bad(struct in *, const char *, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

static void
bad(struct in *c, const char *path, const char *fmt, ...)
{
	va_list	 ap;
	char	*m;

	va_start(ap, fmt);
	m = wa_arena_vprintf(c->a, fmt, ap);
	va_end(ap);
	wa_flow_issue(c->a, c->rep, path, NULL, NULL, "%s", m);
}

static int
text_ok(const char *s)
{
	return wa_utf8_count(s, strlen(s)) <= WA_FLOW_TEXT_MAX;
}

static void
messages(struct in *c, const cJSON *m)
{
	const cJSON	*it, *t;
	const char	*p;
	int		 i = 0;

	/* none (Mosend's own example sends none): the run goes until the
	 * flow first waits for the user */
	if (m == NULL || cJSON_IsNull(m))
		return;
	if (!cJSON_IsArray(m)) {
		bad(c, "messages", "must be an array");
		return;
	}
	if (cJSON_GetArraySize(m) > WA_FLOW_MESSAGES_MAX) {
		bad(c, "messages", "must have at most %d items",
		    WA_FLOW_MESSAGES_MAX);
		return;
	}
	cJSON_ArrayForEach(it, m) {
		p = wa_arena_printf(c->a, "messages[%d]", i++);
		if (cJSON_IsString(it)) {
			if (!text_ok(it->valuestring))
				bad(c, p, "must be at most %d characters",
				    WA_FLOW_TEXT_MAX);
			continue;
		}
		t = cJSON_GetObjectItemCaseSensitive(it, "text");
		if (cJSON_IsObject(it) && cJSON_IsString(t)) {
			if (!text_ok(t->valuestring))
				bad(c, p, "must be at most %d characters",
				    WA_FLOW_TEXT_MAX);
			continue;
		}
		if (cJSON_IsObject(it) && cJSON_IsTrue(
		    cJSON_GetObjectItemCaseSensitive(it, "timeout")))
			continue;
		bad(c, p, "must be a string, {\"text\": \"...\"} or "
		    "{\"timeout\": true}");
	}
}

/* variables or contact: name -> value, into vars. */
static void
values(struct in *c, const cJSON *o, const char *name, int contact,
    cJSON *vars)
{
	struct wa_flow_path	 p;
	const cJSON		*it;
	const char		*f, *why, *key;

	if (o == NULL || cJSON_IsNull(o))
		return;
	if (!cJSON_IsObject(o)) {
		bad(c, name, "must be an object");
		return;
	}
	if (cJSON_GetArraySize(o) > WA_FLOW_VARS_MAX) {
		bad(c, name, "must have at most %d members", WA_FLOW_VARS_MAX);
		return;
	}
	cJSON_ArrayForEach(it, o) {
		f = wa_arena_printf(c->a, "%s.%s", name, it->string);
		key = contact ? wa_arena_printf(c->a, "contact.%s",
		    it->string) : it->string;
		if ((why = wa_flow_path_parse(c->a, key, strlen(key), &p)) !=
		    NULL) {
			bad(c, f, "%s", why);
			continue;
		}
		if (!wa_flow_path_writable(&p) || (contact && p.nseg != 1)) {
			bad(c, f, "is not a %s variable", contact ? "contact" :
			    "flow or contact");
			continue;
		}
		if ((why = wa_flow_vars_set(vars, &p,
		    cJSON_Duplicate(it, 1))) != NULL)
			bad(c, f, "%s", why);
	}
}

static void
mock(struct in *c, const cJSON *m, const char *p)
{
	const cJSON	*v, *h;

	if (!cJSON_IsObject(m)) {
		bad(c, p, "must be an object {status, body, headers, "
		    "delay_ms} or {error}");
		return;
	}
	v = cJSON_GetObjectItemCaseSensitive(m, "status");
	if (v != NULL && (!cJSON_IsNumber(v) || v->valuedouble < 100 ||
	    v->valuedouble > 599 || v->valuedouble != (int)v->valuedouble))
		bad(c, wa_arena_printf(c->a, "%s.status", p), "must be an "
		    "HTTP status from 100 to 599");
	v = cJSON_GetObjectItemCaseSensitive(m, "delay_ms");
	if (v != NULL && (!cJSON_IsNumber(v) || v->valuedouble < 0 ||
	    v->valuedouble > 3600000))
		bad(c, wa_arena_printf(c->a, "%s.delay_ms", p), "must be a "
		    "number of milliseconds from 0 to 3600000");
	v = cJSON_GetObjectItemCaseSensitive(m, "error");
	if (v != NULL && (!cJSON_IsString(v) || strlen(v->valuestring) == 0 ||
	    strlen(v->valuestring) > 200))
		bad(c, wa_arena_printf(c->a, "%s.error", p), "must be a "
		    "string of 1 to 200 bytes");
	h = cJSON_GetObjectItemCaseSensitive(m, "headers");
	if (h == NULL)
		return;
	if (!cJSON_IsObject(h) || cJSON_GetArraySize(h) > 100) {
		bad(c, wa_arena_printf(c->a, "%s.headers", p), "must be an "
		    "object of at most 100 headers");
		return;
	}
	cJSON_ArrayForEach(v, h)
		if (!cJSON_IsString(v) || strlen(v->valuestring) > 8192)
			bad(c, wa_arena_printf(c->a, "%s.headers.%s", p,
			    v->string), "must be a string of at most 8192 "
			    "bytes");
}

static void
mocks(struct in *c, const cJSON *m)
{
	const cJSON	*it, *x;
	const char	*p;
	int		 i;

	if (m == NULL || cJSON_IsNull(m))
		return;
	if (!cJSON_IsObject(m) || cJSON_GetArraySize(m) > WA_FLOW_MOCKS_MAX) {
		bad(c, "mocks", "must be an object of at most %d step ids",
		    WA_FLOW_MOCKS_MAX);
		return;
	}
	cJSON_ArrayForEach(it, m) {
		p = wa_arena_printf(c->a, "mocks.%s", it->string);
		if (!cJSON_IsArray(it)) {
			mock(c, it, p);
			continue;
		}
		if (cJSON_GetArraySize(it) == 0 ||
		    cJSON_GetArraySize(it) > WA_FLOW_MOCK_SEQ_MAX) {
			bad(c, p, "must have 1 to %d responses",
			    WA_FLOW_MOCK_SEQ_MAX);
			continue;
		}
		i = 0;
		cJSON_ArrayForEach(x, it)
			mock(c, x, wa_arena_printf(c->a, "%s[%d]", p, i++));
	}
}

int
wa_flow_run_input(struct wa_arena *a, const cJSON *input, const char *phone,
    int64_t now_ms, struct wa_flow_run_in *in, struct wa_flow_report *rep)
{
	struct in	 c;
	const cJSON	*now;
	cJSON		*sys;

	memset(rep, 0, sizeof(*rep));
	memset(in, 0, sizeof(*in));
	c.a = a;
	c.rep = rep;
	in->vars = wa_flow_vars_new();
	in->now_ms = now_ms;
	in->messages = cJSON_GetObjectItemCaseSensitive(input, "messages");
	messages(&c, in->messages);
	values(&c, cJSON_GetObjectItemCaseSensitive(input, "variables"),
	    "variables", 0, in->vars);
	values(&c, cJSON_GetObjectItemCaseSensitive(input, "contact"),
	    "contact", 1, in->vars);
	in->mocks = cJSON_GetObjectItemCaseSensitive(input, "mocks");
	mocks(&c, in->mocks);
	now = cJSON_GetObjectItemCaseSensitive(input, "now");
	if (now != NULL && !cJSON_IsNull(now) && (!cJSON_IsString(now) ||
	    !wa_clock_parse(now->valuestring, &in->now_ms)))
		bad(&c, "now", "must be an RFC 3339 timestamp such as "
		    "2026-05-01T09:00:00Z");
	sys = cJSON_GetObjectItemCaseSensitive(in->vars, "system");
	cJSON_AddNullToObject(sys, "now");	/* the run sets it */
	cJSON_AddStringToObject(sys, "channel", "whatsapp");
	if (phone != NULL)
		cJSON_AddStringToObject(sys, "phone", phone);
	else
		cJSON_AddNullToObject(sys, "phone");
	return rep->nerrors > 0 ? -1 : 0;
}
