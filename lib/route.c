#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "route.h"

/*
 * Scores a pattern against the segments: -1 if it does not match,
 * otherwise a number whose bits, from the most significant, say which
 * segments matched literally, so the more literal route scores higher.
 */
static long
score(const char *pat, const char *const *segs, size_t nsegs)
{
	const char	*p = pat, *e;
	size_t		 i = 0, n;
	long		 sc = 0;

	while (*p == '/')
		p++;
	while (*p != '\0') {
		e = strchr(p, '/');
		n = e != NULL ? (size_t)(e - p) : strlen(p);
		if (i >= nsegs)
			return -1;
		sc <<= 1;
		if (n >= 2 && p[0] == '{' && p[n - 1] == '}') {
			if (segs[i][0] == '\0')
				return -1;
		} else if (strlen(segs[i]) != n || memcmp(p, segs[i], n) != 0)
			return -1;
		else
			sc |= 1;
		i++;
		p += n;
		while (*p == '/')
			p++;
	}
	return i == nsegs ? sc : -1;
}

static void
bind_params(struct wa_req *r, const char *pat)
{
	const char	*p = pat, *e;
	size_t		 i = 0, n;

	r->nparams = 0;
	while (*p == '/')
		p++;
	while (*p != '\0') {
		e = strchr(p, '/');
		n = e != NULL ? (size_t)(e - p) : strlen(p);
		if (n >= 2 && p[0] == '{' && p[n - 1] == '}' &&
		    r->nparams < WA_REQ_PARAMS_MAX) {
			r->params[r->nparams].key =
			    wa_arena_strndup(r->arena, p + 1, n - 2);
			r->params[r->nparams].val = r->segs[i];
			r->nparams++;
		}
		i++;
		p += n;
		while (*p == '/')
			p++;
	}
}

enum wa_err
wa_route_match(struct wa_req *r, const struct wa_route *routes,
    const struct wa_route **out, unsigned *allowed)
{
	const struct wa_route	*rt, *best = NULL;
	long			 sc, best_sc = -1;
	unsigned		 method = r->method, mask = 0;

	/* HEAD is served by the GET route; the body is dropped on output. */
	if (method == WA_M_HEAD)
		method = WA_M_GET;
	*out = NULL;
	*allowed = 0;
	for (rt = routes; rt->pattern != NULL; rt++) {
		if ((sc = score(rt->pattern, r->segs, r->nsegs)) < 0)
			continue;
		mask |= rt->method;
		if (rt->method == method && sc > best_sc) {
			best = rt;
			best_sc = sc;
		}
	}
	if (best != NULL) {
		bind_params(r, best->pattern);
		*out = best;
		return WA_OK;
	}
	if (mask != 0) {
		*allowed = mask;
		return WA_ERR_METHOD;
	}
	return WA_ERR_NO_ROUTE;
}

void
wa_route_allow(unsigned mask, char *buf, size_t bufsz)
{
	static const struct { unsigned bit; const char *name; } tab[] = {
		{ WA_M_GET, "GET" }, { WA_M_POST, "POST" },
		{ WA_M_PUT, "PUT" }, { WA_M_PATCH, "PATCH" },
		{ WA_M_DELETE, "DELETE" }, { WA_M_OPTIONS, "OPTIONS" },
	};
	size_t	i, o = 0;

	if (bufsz == 0)
		return;
	buf[0] = '\0';
	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		if (!(mask & tab[i].bit))
			continue;
		o += (size_t)snprintf(buf + o, o < bufsz ? bufsz - o : 0,
		    "%s%s", o > 0 ? ", " : "", tab[i].name);
		if (o >= bufsz)
			break;
	}
	if (mask & WA_M_GET)
		snprintf(buf + (o < bufsz ? o : bufsz - 1),
		    o < bufsz ? bufsz - o : 1, "%s", ", HEAD");
}
