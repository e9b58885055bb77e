#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "cfg.h"
#include "clock.h"
#include "db.h"
#include "dispatch.h"
#include "idem.h"
#include "log.h"
#include "req.h"
#include "resp.h"
#include "tenant.h"

static enum wa_err
route(struct wa_req *r, const struct wa_family *fam)
{
	const struct wa_route	*rt;
	unsigned		 allowed;
	char			*allow;
	enum wa_err		 e;

	e = wa_route_match(r, fam->routes, &rt, &allowed);
	if (e == WA_ERR_NO_ROUTE) {
		if (r->face == WA_FACE_MOSEND)
			return wa_fail(r, e, "Cannot %s %s", r->method_str,
			    r->path);
		return wa_fail(r, e, "Route not found: %s %s", r->method_str,
		    r->path);
	}
	if (e == WA_ERR_METHOD) {
		allow = wa_arena_alloc(r->arena, 64);
		wa_route_allow(allowed, allow, 64);
		wa_resp_header(r, "Allow", allow);
		return wa_fail(r, e, "Method %s not allowed on %s",
		    r->method_str, r->path);
	}
	r->route = rt;
	r->face = rt->face;
	if (rt->upload_max > 0)
		return wa_req_stream_body(r, rt->upload_max);
	return wa_req_read_body(r, r->cfg->body_max);
}

/*
 * A route's finish step (route.h): what the handler did is committed
 * (with the key pending under Idempotency-Key), then finish() waits
 * outside any transaction and renders the answer the key keeps.
 */
static enum wa_err
finish(struct wa_req *r, const struct wa_route *rt, struct wa_idem *idem)
{
	if (rt->finish == NULL)
		return wa_fail(r, WA_ERR_IDEM_BUSY, "A request with this "
		    "Idempotency-Key is still being processed");
	if (wa_idem_store_pending(r, idem) != WA_OK ||
	    wa_db_commit(r) != WA_OK)
		return r->err.code;
	if (rt->finish(r) != WA_OK)
		return r->err.code;
	if (r->resp.status == 0)
		return wa_fail(r, WA_ERR_INTERNAL, "Internal error");
	/* the answer stands even if it cannot be kept: the key stays
	 * pending, and a replay finishes again to the same answer */
	if (wa_idem_finish(r, idem) != WA_OK) {
		wa_log(WA_LOG_WARN, "request %s: Idempotency-Key left pending: "
		    "%s", r->request_id, r->err.log_detail);
		wa_req_clear_err(r);
	}
	return WA_OK;
}

/*
 * Everything after routing: the route's authentication, then one
 * transaction around the tenant, idempotency and the handler.
 */
static enum wa_err
run(struct wa_req *r, const struct wa_route *rt)
{
	const struct wa_authn	*an = rt->authn;
	struct wa_idem		 idem;
	enum wa_err		 e;

	if (an->check != NULL && an->check(r) != WA_OK)
		return r->err.code;
	wa_db_begin_deferred(r);
	if (an->resolve != NULL && an->resolve(r) != WA_OK)
		return r->err.code;
	/* records are per organization: a route without a tenant has
	 * nowhere to keep one, and ignores the header */
	memset(&idem, 0, sizeof(idem));
	if (r->auth.ok && wa_idem_begin(r, &idem) != WA_OK)
		return r->err.code;
	if (r->resp.replayed)
		return wa_db_commit(r);
	/* one tenant cannot hold every worker (tenant.h); a replay that
	 * waits for its first request's outcome holds one too */
	if (r->auth.ok && !(r->tenant_held = wa_tenant_enter(
	    r->auth.org_id))) {
		r->err.retry_after = 1;
		return wa_fail(r, WA_ERR_RATE_LIMITED, "Too many requests of "
		    "this organization at once; retry after Retry-After");
	}
	if (idem.pending)
		return finish(r, rt, &idem);
	if (idem.active && wa_db_savepoint(r) != WA_OK)
		return r->err.code;

	e = rt->handler(r);
	if (e == WA_OK && r->resp.status == 0 && rt->finish != NULL &&
	    r->resume[0] != '\0')
		return finish(r, rt, &idem);
	if (e == WA_OK && r->resp.status == 0)
		e = wa_fail(r, WA_ERR_INTERNAL, "Internal error");
	if (e != WA_OK) {
		/* Keep a deterministic failure under the key, minus what
		 * the handler wrote. */
		if (!idem.active || wa_err_status(r->err.code) >= 500 ||
		    wa_db_rollback_to_savepoint(r) != WA_OK)
			return r->err.code;
		wa_resp_error(r);
	}
	if (r->dry_run) {
		/* Sent's "sandbox": everything ran, nothing is kept. */
		wa_db_rollback(r);
		return WA_OK;
	}
	if (wa_idem_store(r, &idem) != WA_OK)
		return r->err.code;
	if (wa_db_commit(r) != WA_OK)
		return r->err.code;
	return WA_OK;
}

static void
access_log(struct wa_req *r)
{
	struct wa_log_access	a;

	memset(&a, 0, sizeof(a));
	a.request_id = r->request_id;
	a.org_id = r->auth.ok ? r->auth.org_id : NULL;
	a.method = r->method_str;
	a.path = r->path;
	a.status = r->resp.status;
	a.duration_ms = (double)(wa_clock_mono_us() - r->started_us) / 1000.0;
	if (r->err.code != WA_OK && r->err.code < WA_ERR__MAX) {
		a.error_code = wa_errs[r->err.code].slug;
		a.error_detail = r->err.log_detail[0] != '\0' ?
		    r->err.log_detail : NULL;
	}
	wa_log_access(&a);
}

void
wa_dispatch(struct wa_req *r, const struct wa_family *fam, enum wa_err parsed)
{
	enum wa_err	e = parsed;

	if (e == WA_OK)
		e = route(r, fam);
	if (e == WA_OK) {
		e = run(r, r->route);
		if (e == WA_OK && r->resp.status == 0)
			e = wa_fail(r, WA_ERR_INTERNAL, "Internal error");
	}
	wa_db_rollback(r);
	if (r->tenant_held) {
		wa_tenant_leave();
		r->tenant_held = 0;
	}
	if (e != WA_OK)
		wa_resp_error(r);
	if (r->err.code == WA_ERR_INTERNAL)
		wa_log(WA_LOG_ERROR, "request %s failed: %s", r->request_id,
		    r->err.log_detail[0] != '\0' ? r->err.log_detail :
		    r->err.message);
	access_log(r);
}
