/*
 * What one live run did, kept in the job's transaction: the messages it
 * sent (queued for the sending engine, in order, origin 'bot'), the
 * session (where it goes on, its variables and jumps, or how it ended),
 * the conversation (who answers it now), and the job that resumes it.
 */
#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "cfg.h"
#include "clock.h"
#include "crypto.h"
#include "db.h"
#include "json.h"

#include "live.h"

static const char *const ended[WA_FLOW_ST__MAX] = {
	"completed", "waiting", "handoff", "error", "delayed"
};

/* Meta's object of one message a step sent: a text (a choice's options
 * numbered under it, as the question accepts them), or media by link. */
static cJSON *
row_of(struct wa_req *r, const cJSON *m)
{
	const char	*type = wa_json_str(m, "type");
	const cJSON	*o;
	cJSON		*row = cJSON_CreateObject(), *b;
	const char	*text;
	int		 i = 0;

	b = cJSON_CreateObject();
	if (type != NULL && strcmp(type, "text") == 0) {
		text = wa_json_str(m, "text");
		cJSON_ArrayForEach(o, cJSON_GetObjectItemCaseSensitive(m,
		    "options"))
			text = wa_arena_printf(r->arena, "%s%s%d. %s", text,
			    i == 0 ? "\n\n" : "\n", i + 1, o->valuestring),
			    i++;
		cJSON_AddStringToObject(b, "body", text);
	} else {
		wa_json_add_strn(b, "link", wa_json_str(m, "url"));
		wa_json_add_strn(b, "caption", wa_json_str(m, "caption"));
		wa_json_add_strn(b, "filename", wa_json_str(m, "filename"));
	}
	cJSON_AddStringToObject(row, "type", type != NULL ? type : "text");
	cJSON_AddItemToObject(row, "body", b);
	return row;
}

/* The messages of the run's trace, in order: [{type, body}]. */
static cJSON *
outbox(struct wa_req *r, const cJSON *trace, int *n)
{
	const cJSON	*e, *m;
	cJSON		*rows = cJSON_CreateArray();

	*n = 0;
	cJSON_ArrayForEach(e, trace) {
		cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(
		    cJSON_GetObjectItemCaseSensitive(e, "output"), "sent")) {
			if (++*n <= BOT_SENDS_MAX)
				cJSON_AddItemToArray(rows, row_of(r, m));
		}
	}
	return rows;
}

static enum wa_err
send_all(struct wa_req *r, const struct bot_job *j, const struct bot_conv *c,
    const cJSON *rows)
{
	static const char sql[] =
	    "INSERT INTO wa.messages (org_id, account_id, origin, batch_id, "
	    "seq, priority, to_phone, contact_id, type, body, status, "
	    "error_code, error, failed_at) "
	    "SELECT $1, $2, 'bot', $3, x.ord, 0, $4, $5::uuid, x.type, x.body, "
	    "CASE WHEN s.why IS NOT NULL THEN 'skipped' "
	    "WHEN NOT $6::boolean THEN 'failed' ELSE 'queued' END, "
	    "CASE WHEN s.why IS NOT NULL THEN s.why "
	    "WHEN NOT $6::boolean THEN 'outside_window' END, "
	    "CASE WHEN s.why IS NOT NULL THEN wa.suppression_words(s.why) "
	    "WHEN NOT $6::boolean THEN 'the 24-hour customer service window "
	    "is closed: a bot answers only inside it' END, "
	    "CASE WHEN s.why IS NULL AND NOT $6::boolean THEN now() END "
	    "FROM ROWS FROM (jsonb_to_recordset($7::jsonb) AS (type text, "
	    "body jsonb)) WITH ORDINALITY AS x (type, body, ord) "
	    "CROSS JOIN (SELECT wa.suppressed($2, $4) AS why) s";
	/* web chat: the visitor reads text (a media message: its caption
	 * and link) */
	static const char sql_web[] =
	    "INSERT INTO wa.web_chat_messages (org_id, conversation_id, "
	    "direction, sender, body) "
	    "SELECT $1, $2, 'outbound', 'bot', left(t.body, 4096) "
	    "FROM ROWS FROM (jsonb_to_recordset($3::jsonb) AS (type text, "
	    "body jsonb)) WITH ORDINALITY AS x (type, body, ord) "
	    "CROSS JOIN LATERAL (SELECT CASE WHEN x.type = 'text' "
	    "THEN x.body->>'body' ELSE concat_ws(E'\\n', "
	    "x.body->>'caption', x.body->>'link') END AS body) t "
	    "WHERE coalesce(t.body, '') <> '' ORDER BY x.ord";
	const char	*vals[7];
	char		 batch[WA_UUID_LEN];
	PGresult	*res;

	if (cJSON_GetArraySize(rows) == 0)
		return WA_OK;
	if (c->web)
		return wa_db_q(r, &res, sql_web, 3, j->org_id, j->conv_id,
		    wa_json_print(rows));
	if (wa_crypto_uuid7((uint64_t)wa_clock_now_ms(), batch) != 0)
		return wa_fail(r, WA_ERR_INTERNAL, "no random bytes");
	vals[0] = j->org_id;
	vals[1] = c->account_id;
	vals[2] = batch;
	vals[3] = c->peer;
	vals[4] = c->contact_id;
	vals[5] = c->window_open ? "true" : "false";
	vals[6] = wa_json_print(rows);
	return wa_db_exec(r, &res, sql, 7, vals);
}

/* The session row: made by the run that started it, then changed. */
static enum wa_err
session_save(struct wa_req *r, const struct bot_job *j,
    const struct bot_session *s, const struct wa_flow *f,
    const struct wa_flow_run_out *out, const char *status,
    const char *error, const char **id)
{
	static const char sql[] =
	    "INSERT INTO wa.bot_sessions AS b (id, org_id, conversation_id, "
	    "flow_id, version, status, step, step_id, attempt, jumps, vars, "
	    "resume_at, expires_at, runs, steps_run, error, ended_at) "
	    "VALUES ($1, $2, $3, $4, $5::int, $6, $7::int, $8, $9::int, "
	    "$10::jsonb, $11::jsonb, "
	    "now() + make_interval(secs => $12::int), "
	    "now() + make_interval(secs => $13::int), 1, $14::int, $15, "
	    "CASE WHEN $6 IN ('waiting', 'delayed') THEN NULL ELSE now() END) "
	    "ON CONFLICT (id) DO UPDATE SET status = excluded.status, "
	    "step = excluded.step, step_id = excluded.step_id, "
	    "attempt = excluded.attempt, jumps = excluded.jumps, "
	    "vars = excluded.vars, resume_at = excluded.resume_at, "
	    "expires_at = excluded.expires_at, runs = b.runs + 1, "
	    "steps_run = b.steps_run + excluded.steps_run, "
	    "error = excluded.error, ended_at = excluded.ended_at, "
	    "updated_at = now()";
	const char	*vals[15];
	char		 nid[WA_UUID_LEN];
	int		 live, resume_s = 0;
	PGresult	*res;

	live = out->status == WA_FLOW_ST_WAITING ||
	    out->status == WA_FLOW_ST_DELAYED;
	if (out->status == WA_FLOW_ST_DELAYED)
		resume_s = out->delay_s;
	else if (out->status == WA_FLOW_ST_WAITING)
		resume_s = out->timeout_s;
	if (s->id == NULL && wa_crypto_uuid7((uint64_t)wa_clock_now_ms(),
	    nid) != 0)
		return wa_fail(r, WA_ERR_INTERNAL, "no random bytes");
	*id = s->id != NULL ? s->id : wa_arena_strdup(r->arena, nid);
	vals[0] = *id;
	vals[1] = j->org_id;
	vals[2] = j->conv_id;
	vals[3] = s->flow_id;
	vals[4] = wa_arena_printf(r->arena, "%d", s->version);
	vals[5] = status;
	vals[6] = live ? wa_arena_printf(r->arena, "%d", out->resume_step) :
	    NULL;
	vals[7] = live && out->resume_step >= 0 ?
	    f->steps[out->resume_step].id : NULL;
	vals[8] = wa_arena_printf(r->arena, "%d", out->attempt);
	vals[9] = wa_json_print(out->jumps);
	vals[10] = wa_json_print(s->vars);
	vals[11] = resume_s > 0 ? wa_arena_printf(r->arena, "%d", resume_s) :
	    NULL;
	vals[12] = live ? wa_arena_printf(r->arena, "%d", resume_s +
	    r->cfg->bot_session_ttl_s) : NULL;
	vals[13] = wa_arena_printf(r->arena, "%zu", out->steps_run);
	vals[14] = error;
	return wa_db_exec(r, &res, sql, 15, vals);
}

/* The job that resumes the session when its delay or question's
 * timeout is over. */
static enum wa_err
resume_later(struct wa_req *r, const struct bot_job *j, const char *id,
    int secs)
{
	static const char sql[] =
	    "INSERT INTO wa.bot_jobs (org_id, conversation_id, kind, "
	    "session_id, due_at) VALUES ($1, $2, 'resume', $3, "
	    "now() + make_interval(secs => $4::int))";
	PGresult	*res;

	return wa_db_q(r, &res, sql, 4, j->org_id, j->conv_id, id,
	    wa_arena_printf(r->arena, "%d", secs));
}

/* Who answers the conversation now: the bot while its session lives,
 * agents after a handoff (open, with the step's team and department),
 * else nobody. */
static enum wa_err
conv_save(struct wa_req *r, const struct bot_job *j, const struct wa_flow *f,
    const struct wa_flow_run_out *out)
{
	static const char sql[] =
	    "UPDATE wa.conversations SET handler = $2, "
	    "status = CASE WHEN $2 = 'agent' THEN 'open' ELSE status END, "
	    "team = coalesce($3, team), department = coalesce($4, department), "
	    "updated_at = now() WHERE id = $1 AND (handler <> $2 "
	    "OR ($2 = 'agent' AND status <> 'open') "
	    "OR team IS DISTINCT FROM coalesce($3, team) "
	    "OR department IS DISTINCT FROM coalesce($4, department))";
	const struct wa_flow_step	*h = NULL;
	const char			*handler;
	size_t				 i;
	PGresult			*res;

	if (out->status == WA_FLOW_ST_HANDOFF) {
		handler = "agent";
		for (i = 0; i < f->nsteps && out->at != NULL; i++)
			if (strcmp(f->steps[i].id, out->at) == 0)
				h = &f->steps[i];
	} else if (out->status == WA_FLOW_ST_WAITING ||
	    out->status == WA_FLOW_ST_DELAYED)
		handler = "bot";
	else
		handler = "none";
	return wa_db_q(r, &res, sql, 4, j->conv_id, handler,
	    h != NULL ? h->team : NULL, h != NULL ? h->department : NULL);
}

enum wa_err
bot_save(struct wa_req *r, const struct bot_job *j, const struct bot_conv *c,
    const struct bot_session *s, const struct wa_flow *f,
    const struct wa_flow_run_out *out)
{
	struct wa_flow_run_out	 o = *out;
	const char		*status, *id = NULL, *error = out->error;
	cJSON			*rows;
	int			 n;

	rows = outbox(r, out->trace, &n);
	if (n > BOT_SENDS_MAX) {
		/* a loop that never waits: nothing of it goes out */
		rows = cJSON_CreateArray();
		o.status = WA_FLOW_ST_ERROR;
		error = wa_arena_printf(r->arena, "the run sent %d messages "
		    "without waiting for the customer (at most %d): none was "
		    "sent", n, BOT_SENDS_MAX);
	}
	status = ended[o.status];
	if (session_save(r, j, s, f, &o, status, error, &id) != WA_OK ||
	    conv_save(r, j, f, &o) != WA_OK)
		return r->err.code;
	if (o.status == WA_FLOW_ST_DELAYED &&
	    resume_later(r, j, id, o.delay_s) != WA_OK)
		return r->err.code;
	if (o.status == WA_FLOW_ST_WAITING && o.timeout_s > 0 &&
	    resume_later(r, j, id, o.timeout_s) != WA_OK)
		return r->err.code;
	/* last: queueing takes the number's lane row (sql/0006_sending.sql),
	 * which every sender of the number needs; it is held until the
	 * commit that follows at once */
	return send_all(r, j, c, rows);
}
