/*
 * libFuzzer target: a request as nginx hands it over.  Input layout:
 *   byte 0       bits 0-2 method, bits 3-4 Content-Length mode
 *                (exact, absent, one too many, over body_max),
 *                bit 5 body read one byte at a time
 *   up to '\n'   REQUEST_URI (raw, as the client sent it)
 *   the rest     the body
 * The request is parsed, routed against a small table, its body read as
 * JSON, and rendered (error envelope or success) in its face.
 *
 * Properties: the parser stays inside its limits, and every response
 * body is JSON that our own strict parser accepts (valid UTF-8, no NUL).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "arena.h"
#include "cfg.h"
#include "json.h"
#include "req.h"
#include "resp.h"
#include "route.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static enum wa_err
h(struct wa_req *r)
{
	(void)r;
	return WA_OK;
}

#define MEMBER(m, p, face)	WA_ROUTE_KEY(m, p, h, WA_ROLE_MEMBER, face)

static const struct wa_route routes[] = {
	MEMBER(WA_M_GET, "/v3/profiles", WA_FACE_SENT),
	MEMBER(WA_M_POST, "/v3/profiles", WA_FACE_SENT),
	MEMBER(WA_M_GET, "/v3/profiles/{profileId}", WA_FACE_SENT),
	MEMBER(WA_M_PATCH, "/v3/profiles/{profileId}", WA_FACE_SENT),
	MEMBER(WA_M_GET, "/v3/profiles/bulk", WA_FACE_SENT),
	MEMBER(WA_M_POST, "/v1/whatsapp/{id}/messages", WA_FACE_LATE),
	WA_ROUTE_KEY(WA_M_PUT, "/organizations/{orgId}/things/{thingId}", h,
	    WA_ROLE_ADMIN, WA_FACE_MOSEND),
	WA_ROUTE_END
};

static const char *const methods[] = {
	"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "BREW"
};

struct mem {
	const char	*p;
	size_t		 len, off;
	int		 bytewise;
};

static long
mem_read(void *ctx, char *buf, size_t len)
{
	struct mem	*m = ctx;
	size_t		 n = m->len - m->off;

	if (n > len)
		n = len;
	if (m->bytewise && n > 1)
		n = 1;
	memcpy(buf, m->p + m->off, n);
	m->off += n;
	return (long)n;
}

static struct wa_arena	*arena;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct wa_cfg		 cfg;
	struct wa_req		 r;
	struct mem		 m;
	const struct wa_route	*rt;
	const char		*in = (const char *)data + 1, *nl, *why;
	char			*env[5];
	size_t			 n, urilen, i;
	unsigned		 allowed;
	cJSON			*body;
	enum wa_err		 e;

	if (len < 1)
		return 0;
	if (arena == NULL)
		arena = wa_arena_new(0);
	wa_json_use_arena(arena);
	memset(&cfg, 0, sizeof(cfg));
	cfg.body_max = 4096;
	memset(&r, 0, sizeof(r));
	r.arena = arena;
	r.cfg = &cfg;

	len--;
	nl = memchr(in, '\n', len);
	urilen = nl != NULL ? (size_t)(nl - in) : len;
	m.p = nl != NULL ? nl + 1 : in + len;
	m.len = len - (size_t)(m.p - in);
	m.off = 0;
	m.bytewise = (data[0] >> 5) & 1;

	n = 0;
	env[n++] = wa_arena_printf(arena, "REQUEST_METHOD=%s",
	    methods[data[0] & 7]);
	env[n++] = wa_arena_printf(arena, "REQUEST_URI=%.*s", (int)urilen,
	    in);
	switch ((data[0] >> 3) & 3) {
	case 0:
		env[n++] = wa_arena_printf(arena, "CONTENT_LENGTH=%zu", m.len);
		break;
	case 1:
		break;
	case 2:
		env[n++] = wa_arena_printf(arena, "CONTENT_LENGTH=%zu",
		    m.len + 1);
		break;
	default:
		env[n++] = wa_arena_printf(arena, "CONTENT_LENGTH=%zu",
		    m.len + cfg.body_max);
		break;
	}
	env[n] = NULL;

	e = wa_req_parse(&r, env, mem_read, &m);
	if (e != r.err.code || r.path == NULL || r.path[0] != '/' ||
	    r.nsegs > WA_REQ_SEGS_MAX || r.nquery > WA_REQ_QUERY_MAX)
		__builtin_trap();
	if (e == WA_OK) {
		if (r.body == NULL || r.body[r.body_len] != '\0' ||
		    r.body_len > cfg.body_max)
			__builtin_trap();
		e = wa_route_match(&r, routes, &rt, &allowed);
		if (e == WA_OK) {
			if (r.nparams > WA_REQ_PARAMS_MAX)
				__builtin_trap();
			for (i = 0; i < r.nparams; i++)
				if (r.params[i].val[0] == '\0')
					__builtin_trap();
			r.face = rt->face;
			if (wa_json_body(&r, &body) == WA_OK)
				(void)wa_resp_ok(&r, 200, body);
		} else if (e == WA_ERR_METHOD) {
			if (allowed == 0)
				__builtin_trap();
			(void)wa_fail(&r, e, "Method %s not allowed on %s",
			    r.method_str, r.path);
		} else
			(void)wa_fail(&r, e, "Route not found: %s %s",
			    r.method_str, r.path);
	}
	if (r.err.code != WA_OK)
		wa_resp_error(&r);
	if (r.resp.body == NULL || wa_json_parse(r.resp.body,
	    r.resp.body_len, WA_JSON_DEPTH_MAX + 8, &why) == NULL)
		__builtin_trap();

	wa_arena_reset(arena);
	return 0;
}
