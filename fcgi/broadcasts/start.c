/*
 * The worker's part of broadcasts: scheduled broadcasts start when due,
 * and sending ones have their recipients put in the queue, BC_CHUNK per
 * transaction (a broadcast of 100,000 is not one statement), before the
 * sending engine's pass (lib/send/send.h).
 *
 * Exactly once: wa.broadcasts_due() hands each due broadcast, locked,
 * to one worker; the start (scheduled -> sending) and its first chunk
 * commit together.  A cancel of the schedule that comes first leaves
 * nothing due; one that comes later finds the broadcast sending.
 */
#include <string.h>

#include "arena.h"
#include "clock.h"
#include "db.h"
#include "log.h"
#include "send/send.h"

#include "broadcasts.h"

#define START_EVERY_US	500000	/* look for due broadcasts */
#define STARTS_MAX	8	/* broadcasts handled per pass */

enum wa_err
bc_enqueue_chunk(struct wa_req *r, const char *id, long *queued)
{
	static const char sql[] =
	    "WITH b AS (SELECT b.id, b.org_id, b.account_id, b.template_name, "
	    "b.template_language, b.template_components, b.enqueue_cursor, "
	    "a.waba_id FROM wa.broadcasts b "
	    "JOIN wa.wa_accounts a ON a.id = b.account_id "
	    "WHERE b.id = $1 AND b.status = 'sending'), "
	    "n AS (SELECT coalesce((SELECT wa.template_body_params("
	    "t.components) FROM wa.templates t, b WHERE t.waba_id = b.waba_id "
	    "AND t.name = b.template_name AND t.language = "
	    "b.template_language), 0) AS n), "
	    "r AS (SELECT r.seq, r.phone, r.variables "
	    "FROM wa.broadcast_recipients r, b "
	    "WHERE r.broadcast_id = b.id AND r.seq > b.enqueue_cursor "
	    "ORDER BY r.seq LIMIT $2::integer), "
	    "ins AS (INSERT INTO wa.messages (org_id, account_id, origin, "
	    "batch_id, seq, priority, to_phone, contact_id, type, body, "
	    "template_name, template_language, status, error_code, error, "
	    "failed_at) "
	    "SELECT b.org_id, b.account_id, 'broadcast', b.id, r.seq, 1, "
	    "r.phone, (SELECT c.id FROM wa.contacts c "
	    "WHERE c.account_id = b.account_id "
	    "AND c.phone = r.phone COLLATE \"C\"), 'template', "
	    "wa.template_object(b.template_name, b.template_language, "
	    "b.template_components, r.variables, n.n), b.template_name, "
	    "b.template_language, "
	    "CASE WHEN s.why IS NOT NULL THEN 'skipped' "
	    "WHEN p.problem IS NOT NULL THEN 'failed' ELSE 'queued' END, "
	    "coalesce(s.why, CASE WHEN p.problem IS NOT NULL "
	    "THEN 'template_params' END), "
	    "coalesce(wa.suppression_words(s.why), p.problem), "
	    "CASE WHEN s.why IS NULL AND p.problem IS NOT NULL THEN now() END "
	    "FROM b, n, r "
	    "CROSS JOIN LATERAL (SELECT wa.suppressed(b.account_id, r.phone) "
	    "AS why) s "
	    "CROSS JOIN LATERAL (SELECT wa.template_vars_problem(r.variables, "
	    "b.template_components, n.n) AS problem) p "
	    "RETURNING seq) "
	    "UPDATE wa.broadcasts x SET "
	    "enqueue_cursor = coalesce((SELECT max(seq) FROM ins), "
	    "x.enqueue_cursor), "
	    "enqueued_count = x.enqueued_count + (SELECT count(*) FROM ins), "
	    "updated_at = now() FROM b WHERE x.id = b.id "
	    "RETURNING (SELECT count(*) FROM ins) AS queued";
	PGresult	*res;

	*queued = 0;
	if (wa_db_q(r, &res, sql, 2, id, wa_arena_printf(r->arena, "%d",
	    BC_CHUNK)) != WA_OK)
		return r->err.code;
	*queued = (long)wa_db_int(res, 0, "queued", 0);
	return WA_OK;
}

struct due {
	const char	*id;
	long		 queued;
	int		 started;
};

/* One due broadcast, locked: started if it was scheduled, and its next
 * chunk queued. */
static enum wa_err
due_tx(struct wa_req *r, void *arg)
{
	static const char sql_due[] =
	    "SELECT org_id, broadcast_id FROM wa.broadcasts_due(1)";
	static const char sql_start[] =
	    "UPDATE wa.broadcasts SET status = 'sending', "
	    "started_at = now(), updated_at = now() "
	    "WHERE id = $1 AND status = 'scheduled'";
	struct due	*d = arg;
	PGresult	*res;

	if (wa_db_q(r, &res, sql_due, 0) != WA_OK)
		return r->err.code;
	if (PQntuples(res) != 1)
		return WA_OK;
	d->id = wa_arena_strdup(r->arena, wa_db_get(res, 0, "broadcast_id"));
	if (wa_db_set_org(r, wa_db_get(res, 0, "org_id")) != WA_OK ||
	    wa_db_q(r, &res, sql_start, 1, d->id) != WA_OK)
		return r->err.code;
	d->started = strcmp(PQcmdTuples(res), "1") == 0;
	return bc_enqueue_chunk(r, d->id, &d->queued);
}

static void
starts(struct wa_req *r)
{
	static int64_t	next;
	struct due	d;
	int64_t		now = wa_clock_mono_us();
	int		i;

	if (now < next)
		return;
	next = now + START_EVERY_US;
	for (i = 0; i < STARTS_MAX; i++) {
		d.id = NULL;
		d.queued = 0;
		d.started = 0;
		if (wa_db_tx(r, due_tx, &d) != WA_OK) {
			wa_log(WA_LOG_WARN, "starting broadcasts: %s",
			    r->err.log_detail);
			wa_req_clear_err(r);
			return;
		}
		if (d.id == NULL)
			return;
		if (d.started)
			wa_log(WA_LOG_INFO, "broadcast %s started", d.id);
		/* more of it next time round: let the sends go meanwhile */
		if (d.queued > 0)
			next = 0;
	}
}

int
bc_job_run(struct wa_req *r)
{
	starts(r);
	return wa_send_run(r);
}

void
bc_job_stop(struct wa_req *r)
{
	wa_send_stop(r);
}
