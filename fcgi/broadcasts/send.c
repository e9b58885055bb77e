/*
 * Sending a broadcast, now or at a time, and the dry run.
 *
 * POST .../send moves a draft (or scheduled) broadcast to `sending` and
 * puts its first BC_CHUNK recipients in the queue; the worker queues the
 * rest and sends.  The dispatcher commits that, and the finish step
 * waits for the broadcast to end within WA_SEND_WAIT_MS: Late's final
 * {status, sent, failed, total} when it does, the live counts with
 * status `sending` when it does not (docs/sending.md, "Broadcasts").
 *
 * Scheduling only records the time; the worker starts the broadcast
 * (start.c).  Whichever of the worker's start and a cancel locks the
 * row first wins; the other finds its status changed.
 */
#include <string.h>

#include "arena.h"
#include "cfg.h"
#include "clock.h"
#include "db.h"
#include "json.h"
#include "resp.h"
#include "send/send.h"

#include "broadcasts.h"

/* A broadcast the key may see, locked for the transaction. */
struct bc {
	const char		*id;
	const char		*status;
	long long		 recipients;
	struct wa_send_tpl	 t;
	struct wa_account	 acc;
	int			 mps;
};

static enum wa_err
lock(struct wa_req *r, const char *id, struct bc *b)
{
	static const char sql[] =
	    "SELECT b.status, b.recipient_count, b.account_id, "
	    "b.template_name, b.template_language, "
	    "b.template_components::text AS components, "
	    "a.messages_per_second AS mps "
	    "FROM wa.broadcasts b JOIN wa.wa_accounts a ON a.id = b.account_id "
	    "WHERE b.id = $1 AND " BC_VISIBLE("$2") " FOR UPDATE OF b";
	PGresult	*res;
	const char	*c, *why;

	memset(b, 0, sizeof(*b));
	if (wa_db_q(r, &res, sql, 2, id, r->auth.profile_id) != WA_OK)
		return r->err.code;
	if (wa_db_one_or_fail(r, res, NULL, "Broadcast") != WA_OK)
		return r->err.code;
	b->id = id;
	b->status = wa_arena_strdup(r->arena, wa_db_get(res, 0, "status"));
	b->recipients = wa_db_int(res, 0, "recipient_count", 0);
	b->t.name = wa_arena_strdup(r->arena, wa_db_get(res, 0,
	    "template_name"));
	b->t.language = wa_arena_strdup(r->arena, wa_db_get(res, 0,
	    "template_language"));
	c = wa_db_get(res, 0, "components");
	b->t.components = c != NULL ? wa_json_parse(c, strlen(c),
	    WA_JSON_DEPTH_MAX, &why) : NULL;
	if (!cJSON_IsArray(b->t.components))
		b->t.components = cJSON_CreateArray();
	b->mps = (int)wa_db_int(res, 0, "mps", 80);
	return wa_account_get(r, wa_db_get(res, 0, "account_id"), &b->acc);
}

static int
is(const struct bc *b, const char *status)
{
	return strcmp(b->status, status) == 0;
}

/* ---- the dry run ----------------------------------------------------- */

static enum wa_err
dry_run(struct wa_req *r, const struct bc *b,
    const struct wa_send_tpl_check *chk)
{
	static const char sql_counts[] =
	    "SELECT count(*) AS total, "
	    "count(*) FILTER (WHERE s.why IS NOT NULL) AS suppressed, "
	    "count(*) FILTER (WHERE s.why IS NULL AND p.problem IS NOT NULL) "
	    "AS mismatched "
	    "FROM wa.broadcast_recipients r "
	    "CROSS JOIN LATERAL (SELECT wa.suppressed($2, r.phone) AS why) s "
	    "CROSS JOIN LATERAL (SELECT wa.template_vars_problem(r.variables, "
	    "$3::jsonb, $4::integer) AS problem) p "
	    "WHERE r.broadcast_id = $1";
	static const char sql_list[] =
	    "SELECT r.phone, coalesce(s.why, 'template_params') AS reason, "
	    "coalesce(wa.suppression_words(s.why), p.problem) AS error "
	    "FROM wa.broadcast_recipients r "
	    "CROSS JOIN LATERAL (SELECT wa.suppressed($2, r.phone) AS why) s "
	    "CROSS JOIN LATERAL (SELECT wa.template_vars_problem(r.variables, "
	    "$3::jsonb, $4::integer) AS problem) p "
	    "WHERE r.broadcast_id = $1 AND (s.why IS NOT NULL OR "
	    "p.problem IS NOT NULL) ORDER BY r.seq LIMIT $5::integer";
	const char	*comps = wa_json_print(b->t.components);
	const char	*n = wa_arena_printf(r->arena, "%d", chk->body_params);
	PGresult	*cnt, *res;
	cJSON		*data, *arr, *o;
	long long	 sendable;
	int		 i;

	if (wa_db_q(r, &cnt, sql_counts, 4, b->id, b->acc.id, comps, n) !=
	    WA_OK || wa_db_q(r, &res, sql_list, 5, b->id, b->acc.id, comps, n,
	    wa_arena_printf(r->arena, "%d", BC_DRY_LIST_MAX)) != WA_OK)
		return r->err.code;
	sendable = wa_db_int(cnt, 0, "total", 0) -
	    wa_db_int(cnt, 0, "suppressed", 0) -
	    wa_db_int(cnt, 0, "mismatched", 0);
	data = cJSON_CreateObject();
	cJSON_AddBoolToObject(data, "dryRun", 1);
	cJSON_AddStringToObject(data, "status", b->status);
	cJSON_AddNumberToObject(data, "total",
	    (double)wa_db_int(cnt, 0, "total", 0));
	cJSON_AddNumberToObject(data, "sendable", (double)sendable);
	cJSON_AddNumberToObject(data, "suppressed",
	    (double)wa_db_int(cnt, 0, "suppressed", 0));
	cJSON_AddNumberToObject(data, "mismatched",
	    (double)wa_db_int(cnt, 0, "mismatched", 0));
	arr = cJSON_AddArrayToObject(data, "recipients");
	for (i = 0; i < PQntuples(res); i++) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "phone", wa_db_get(res, i, "phone"));
		cJSON_AddStringToObject(o, "reason",
		    wa_db_get(res, i, "reason"));
		cJSON_AddStringToObject(o, "error", wa_db_get(res, i, "error"));
		cJSON_AddItemToArray(arr, o);
	}
	cJSON_AddNumberToObject(data, "messagesPerSecond", b->mps);
	cJSON_AddNumberToObject(data, "estimatedSeconds",
	    (double)((sendable + b->mps - 1) / b->mps));
	return wa_resp_ok(r, 200, data);
}

/* ---- send ------------------------------------------------------------ */

/* ?dryRun=true|false */
static int
dry_param(struct wa_req *r)
{
	const char	*v = wa_req_query(r, "dryRun");

	if (v == NULL || strcmp(v, "false") == 0)
		return 0;
	if (strcmp(v, "true") == 0)
		return 1;
	wa_fail_field(r, "dryRun", "must be true or false");
	return 0;
}

enum wa_err
broadcasts_send(struct wa_req *r)
{
	static const char sql[] =
	    "UPDATE wa.broadcasts SET status = 'sending', started_at = now(), "
	    "updated_at = now() WHERE id = $1";
	struct bc		 b;
	struct wa_send_tpl_check	 chk;
	const char		*id, *paused;
	PGresult		*res;
	long			 queued;
	int			 dry;

	if ((id = bc_path_id(r)) == NULL)
		return r->err.code;
	dry = dry_param(r);
	if (r->err.code != WA_OK || lock(r, id, &b) != WA_OK)
		return r->err.code;
	if (!is(&b, "draft") && !is(&b, "scheduled"))
		return wa_fail_as(r, WA_ERR_BAD_REQUEST, "invalid_status",
		    "Only a draft or scheduled broadcast can be sent; this "
		    "one is %s", b.status);
	if (b.recipients == 0)
		return wa_fail_as(r, WA_ERR_BAD_REQUEST, "no_recipients",
		    "The broadcast has no recipients");
	if (wa_send_paused(r, b.acc.id, &paused) != WA_OK)
		return r->err.code;
	if (paused != NULL)
		return wa_fail_as(r, WA_ERR_UNPROCESSABLE, "account_paused",
		    "Sending from this account is paused: %s", paused);
	if (wa_send_tpl_check(r, &b.acc, &b.t, &chk) != WA_OK)
		return r->err.code;
	/* a template Meta will refuse must not fail every recipient: the
	 * broadcast stays what it was */
	if (chk.problem != NULL)
		return wa_fail_as(r, WA_ERR_UNPROCESSABLE,
		    "template_not_sendable", "The broadcast cannot be sent: "
		    "%s", chk.problem);
	if (dry)
		return dry_run(r, &b, &chk);
	if (wa_db_q(r, &res, sql, 1, id) != WA_OK ||
	    bc_enqueue_chunk(r, id, &queued) != WA_OK)
		return r->err.code;
	snprintf(r->resume, sizeof(r->resume), "%s", id);
	return WA_OK;
}

struct outcome {
	const char	*id;
	PGresult	*res;
};

static enum wa_err
look(struct wa_req *r, void *arg, int *done)
{
	static const char sql[] =
	    "SELECT status, sent_count, failed_count, unknown_count, "
	    "recipient_count FROM wa.broadcasts WHERE id = $1";
	struct outcome	*o = arg;

	if (wa_db_q(r, &o->res, sql, 1, o->id) != WA_OK)
		return r->err.code;
	*done = PQntuples(o->res) != 1 ||
	    strcmp(wa_db_get(o->res, 0, "status"), "sending") != 0;
	return WA_OK;
}

enum wa_err
broadcasts_send_finish(struct wa_req *r)
{
	struct outcome	 o;
	cJSON		*data;

	o.id = r->resume;
	if (wa_send_poll(r, look, &o, wa_send_deadline(r)) != WA_OK)
		return r->err.code;
	if (PQntuples(o.res) != 1)
		return bc_not_found(r);
	data = cJSON_CreateObject();
	cJSON_AddStringToObject(data, "status", wa_db_get(o.res, 0, "status"));
	cJSON_AddNumberToObject(data, "sent",
	    (double)wa_db_int(o.res, 0, "sent_count", 0));
	cJSON_AddNumberToObject(data, "failed",
	    (double)wa_db_int(o.res, 0, "failed_count", 0));
	cJSON_AddNumberToObject(data, "unknown",
	    (double)wa_db_int(o.res, 0, "unknown_count", 0));
	cJSON_AddNumberToObject(data, "total",
	    (double)wa_db_int(o.res, 0, "recipient_count", 0));
	return wa_resp_ok(r, 200, data);
}

/* ---- schedule -------------------------------------------------------- */

enum wa_err
broadcasts_schedule(struct wa_req *r)
{
	static const struct wa_field fields[] = {
		WA_FIELD_STR("scheduledAt", WA_F_REQUIRED_TEXT, 40),
		WA_FIELD_END
	};
	static const char sql[] =
	    "UPDATE wa.broadcasts SET status = 'scheduled', "
	    "scheduled_at = to_timestamp($2::double precision / 1000), "
	    "updated_at = now() WHERE id = $1 "
	    "RETURNING wa.rfc3339(scheduled_at) AS at";
	struct bc	 b;
	const char	*id;
	PGresult	*res;
	cJSON		*body, *data, *o;
	int64_t		 at, now = wa_clock_now_ms();

	if ((id = bc_path_id(r)) == NULL || wa_json_body(r, &body) != WA_OK ||
	    wa_json_validate(r, body, fields, NULL) != WA_OK)
		return r->err.code;
	if (!wa_clock_parse(wa_json_str(body, "scheduledAt"), &at))
		return wa_fail_field(r, "scheduledAt", "must be an ISO 8601 "
		    "date-time with a time zone, such as "
		    "2026-03-15T10:00:00Z");
	if (at <= now)
		return wa_fail_field(r, "scheduledAt", "must be in the "
		    "future");
	if (at > now + (int64_t)BC_SCHEDULE_DAYS * 86400000)
		return wa_fail_field(r, "scheduledAt", "must be at most %d "
		    "days ahead", BC_SCHEDULE_DAYS);
	if (lock(r, id, &b) != WA_OK)
		return r->err.code;
	if (!is(&b, "draft"))
		return wa_fail_as(r, WA_ERR_BAD_REQUEST, "invalid_status",
		    "Only a draft broadcast can be scheduled; this one is %s%s",
		    b.status, is(&b, "scheduled") ? " (cancel its schedule "
		    "first)" : "");
	if (b.recipients == 0)
		return wa_fail_as(r, WA_ERR_BAD_REQUEST, "no_recipients",
		    "The broadcast has no recipients");
	if (wa_db_q(r, &res, sql, 2, id, wa_arena_printf(r->arena, "%lld",
	    (long long)at)) != WA_OK)
		return r->err.code;
	data = cJSON_CreateObject();
	o = cJSON_AddObjectToObject(data, "broadcast");
	cJSON_AddStringToObject(o, "id", id);
	cJSON_AddStringToObject(o, "status", "scheduled");
	cJSON_AddStringToObject(o, "scheduledAt", wa_db_get(res, 0, "at"));
	return wa_resp_ok(r, 200, data);
}

enum wa_err
broadcasts_unschedule(struct wa_req *r)
{
	static const char sql[] =
	    "UPDATE wa.broadcasts SET status = 'draft', scheduled_at = NULL, "
	    "updated_at = now() WHERE id = $1";
	struct bc	 b;
	const char	*id;
	PGresult	*res;
	cJSON		*data, *o;

	if ((id = bc_path_id(r)) == NULL || lock(r, id, &b) != WA_OK)
		return r->err.code;
	if (!is(&b, "scheduled"))
		return wa_fail_as(r, WA_ERR_BAD_REQUEST, "invalid_status",
		    "Broadcast is not scheduled; it is %s", b.status);
	if (wa_db_q(r, &res, sql, 1, id) != WA_OK)
		return r->err.code;
	data = cJSON_CreateObject();
	o = cJSON_AddObjectToObject(data, "broadcast");
	cJSON_AddStringToObject(o, "id", id);
	cJSON_AddStringToObject(o, "status", "draft");
	cJSON_AddStringToObject(data, "message",
	    "Broadcast returned to draft status");
	return wa_resp_ok(r, 200, data);
}
