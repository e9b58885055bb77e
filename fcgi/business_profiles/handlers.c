/*
 * Reading and writing the profile, both faces.  Meta is asked inside
 * the request's transaction, as templates are: the copy commits with
 * Meta's answer.  A read refreshes the copy; when Meta cannot be reached
 * (a connection or a timeout, its 5xx) the copy is served with stale
 * true, and without one the failure is the answer.  A write goes to
 * Meta first; once Meta took it, the profile is read back (the picture's
 * URL is Meta's to say), or, if that read fails, the copy is merged with
 * what was written.
 */
#include <string.h>

#include "json.h"
#include "log.h"
#include "resp.h"

#include "bprof.h"

#define MSG_UPDATED	"Business profile updated successfully"

enum wa_err
bp_open(struct wa_req *r, const char *account_id, struct bp_number *n)
{
	if (wa_account_get(r, account_id, &n->acc) != WA_OK)
		return r->err.code;
	if (n->acc.phone_number_id == NULL)
		return wa_fail(r, WA_ERR_BAD_REQUEST, "Phone number ID not "
		    "found for this WhatsApp account");
	return wa_graph_acct_open(r, &n->acc, &n->g);
}

/* Meta cannot be reached, or is failing: what a copy may stand in for. */
static int
unreachable(enum wa_err e)
{
	return e == WA_ERR_UPSTREAM || e == WA_ERR_UNAVAILABLE ||
	    e == WA_ERR_UPSTREAM_TIMEOUT || e == WA_ERR_META_UNAVAILABLE;
}

enum wa_err
bp_read(struct wa_req *r, struct bp_number *n, struct bp_view *v)
{
	struct wa_graph_res	 res;
	const cJSON		*p;
	int			 have;

	memset(v, 0, sizeof(*v));
	if (wa_graph_profile_get(r, &n->g, &res, &p) == WA_GRAPH_OK) {
		v->profile = bp_pick(p);
		return bp_store_save(r, n->acc.id, v);
	}
	if (!unreachable(wa_graph_fail(r, &res,
	    "read the business profile from Meta")))
		return r->err.code;
	wa_req_clear_err(r);
	if ((have = bp_store_load(r, n->acc.id, v)) < 0)
		return r->err.code;
	if (have == 0)
		return wa_graph_fail(r, &res,
		    "read the business profile from Meta");
	wa_log(WA_LOG_WARN, "request %s: account %s: Meta unreachable, "
	    "profile served from the copy of %s", r->request_id, n->acc.id,
	    v->synced_at);
	v->stale = 1;
	return WA_OK;
}

/* Sends fields to Meta (nothing to send: a read), then the profile. */
static enum wa_err
write_read(struct wa_req *r, struct bp_number *n, const cJSON *fields,
    struct bp_view *v)
{
	struct wa_graph_res	res;

	if (cJSON_GetArraySize(fields) == 0)
		return bp_read(r, n, v);
	if (wa_graph_profile_update(r, &n->g, fields, &res) != WA_GRAPH_OK)
		return wa_graph_fail(r, &res,
		    "update the business profile at Meta");
	memset(v, 0, sizeof(*v));
	if (bp_read(r, n, v) == WA_OK && !v->stale)
		return WA_OK;
	/* Meta has the change; its read-back failed */
	wa_req_clear_err(r);
	return bp_store_merge(r, n->acc.id, fields, v);
}

enum wa_err
bp_mosend_get(struct wa_req *r)
{
	struct bp_number	n;
	struct bp_view		v;

	if (bp_open(r, wa_req_param(r, "phoneId"), &n) != WA_OK ||
	    bp_read(r, &n, &v) != WA_OK)
		return r->err.code;
	return wa_resp_ok(r, 200, bp_render_mosend(&n, &v));
}

enum wa_err
bp_mosend_put(struct wa_req *r)
{
	struct bp_number	 n;
	struct bp_view		 v;
	cJSON			*body, *fields;

	if (wa_json_body(r, &body) != WA_OK ||
	    (fields = bp_parse_update(r, body, 0)) == NULL ||
	    bp_open(r, wa_req_param(r, "phoneId"), &n) != WA_OK ||
	    write_read(r, &n, fields, &v) != WA_OK)
		return r->err.code;
	return wa_resp_ok(r, 200, bp_render_mosend(&n, &v));
}

enum wa_err
bp_late_get(struct wa_req *r)
{
	struct bp_number	 n;
	struct bp_view		 v;
	const char		*id = wa_req_query(r, "accountId");

	if (id == NULL || id[0] == '\0')
		return wa_fail_field(r, "accountId", "is required");
	if (bp_open(r, id, &n) != WA_OK || bp_read(r, &n, &v) != WA_OK)
		return r->err.code;
	return wa_resp_ok(r, 200, bp_render_late(&v));
}

enum wa_err
bp_late_post(struct wa_req *r)
{
	struct bp_number	 n;
	struct bp_view		 v;
	cJSON			*body, *fields, *out;

	if (wa_json_body(r, &body) != WA_OK ||
	    (fields = bp_parse_update(r, body, 1)) == NULL ||
	    bp_open(r, wa_json_str(body, "accountId"), &n) != WA_OK ||
	    write_read(r, &n, fields, &v) != WA_OK)
		return r->err.code;
	out = cJSON_CreateObject();
	cJSON_AddStringToObject(out, "message", MSG_UPDATED);
	return wa_resp_ok(r, 200, out);
}
