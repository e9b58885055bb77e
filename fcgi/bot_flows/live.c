/*
 * The bot worker's job (docs/flows.md, "Live").  One job, one
 * transaction: claimed (wa.bot_job_claim: a conversation's jobs one at
 * a time, in order), its conversation locked, then
 *
 *   - a customer's message: the live session waiting at a question
 *     takes it as its answer; without a live session, the published
 *     flow whose trigger matches starts (KEYWORD, then AUTO_REPLY; the
 *     number's flows before the organization's), pinned to its version;
 *     a session in a delay, or agents answering, leave the message to
 *     the agents;
 *   - a resume: the session's delay is over (it goes on at the next
 *     step), or its question has waited timeout_s (on_timeout);
 *
 * and the run goes through the same runner as a test-run (lib/flow),
 * live: delays stop it, http_request steps make the call (lib/fetch.h,
 * under the run's time budget).  save.c keeps the result.
 */
#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "cfg.h"
#include "clock.h"
#include "crypto.h"
#include "db.h"
#include "fetch.h"
#include "json.h"
#include "log.h"

#include "live.h"

struct pass {
	struct bot_job		 job;
	int			 found;
	const char		*outcome;	/* for the log */
};

/* The run's calls share one deadline. */
struct calls {
	struct wa_req	*r;
	int64_t		 deadline_us;
};

static void
transport(void *arg, const struct wa_flow_http_req *q,
    struct wa_flow_http_resp *a)
{
	struct calls		*c = arg;
	struct wa_fetch_opts	 o;
	struct wa_fetch_req	 fq;
	struct wa_fetch_resp	 fr;
	int64_t			 left;

	left = (c->deadline_us - wa_clock_mono_us()) / 1000;
	if (left < 100) {
		a->error = wa_arena_printf(c->r->arena, "the run's %d ms for "
		    "calls are used up", BOT_CALLS_MS);
		return;
	}
	memset(&o, 0, sizeof(o));
	o.timeout_ms = q->timeout_ms < left ? q->timeout_ms : (int)left;
	o.max_bytes = c->r->cfg->bot_http_max_bytes;
	o.allow = c->r->cfg->bot_http_allow;
	fq.method = q->method;
	fq.url = q->url;
	fq.names = q->names;
	fq.values = q->values;
	fq.nheaders = q->nheaders;
	fq.body = q->body;
	fq.body_len = 0;
	wa_fetch(c->r->arena, &o, &fq, &fr);
	a->error = fr.error;
	a->status = fr.status;
	a->body = fr.body;
	a->len = fr.len;
	a->headers = fr.headers;
}

static enum wa_err
claim(struct wa_req *r, struct pass *p)
{
	static const char sql[] =
	    "SELECT job_id, org_id, conversation_id, kind, inbound_id, "
	    "session_id, attempts FROM wa.bot_job_claim()";
	PGresult	*res;

	if (wa_db_q(r, &res, sql, 0) != WA_OK || PQntuples(res) == 0)
		return r->err.code;
	p->found = 1;
	p->job.id = wa_db_get(res, 0, "job_id");
	p->job.org_id = wa_db_get(res, 0, "org_id");
	p->job.conv_id = wa_db_get(res, 0, "conversation_id");
	p->job.kind = wa_db_get(res, 0, "kind");
	p->job.inbound_id = wa_db_get(res, 0, "inbound_id");
	p->job.session_id = wa_db_get(res, 0, "session_id");
	p->job.attempts = (int)wa_db_int(res, 0, "attempts", 0);
	return wa_db_set_org(r, p->job.org_id);
}

static enum wa_err
conv_lock(struct wa_req *r, const char *id, struct bot_conv *c)
{
	/* web chat has no 24-hour window (and no number) */
	static const char sql[] =
	    "SELECT c.channel = 'web_chat' AS web, c.name, c.account_id, "
	    "c.peer, c.contact_id, c.handler, c.channel = 'web_chat' OR "
	    "coalesce(c.last_inbound_at > now() - interval '24 hours', false) "
	    "AS window_open, a.display_phone_number "
	    "FROM wa.conversations c LEFT JOIN wa.wa_accounts a "
	    "ON a.id = c.account_id WHERE c.id = $1 FOR UPDATE OF c";
	PGresult	*res;

	memset(c, 0, sizeof(*c));
	if (wa_db_q(r, &res, sql, 1, id) != WA_OK)
		return r->err.code;
	if (PQntuples(res) != 1) {
		c->handler = "agent";		/* gone: nothing to do */
		return WA_OK;
	}
	c->web = wa_db_bool(res, 0, "web", 0);
	c->name = wa_db_get(res, 0, "name");
	c->account_id = wa_db_get(res, 0, "account_id");
	c->peer = wa_db_get(res, 0, "peer");
	c->contact_id = wa_db_get(res, 0, "contact_id");
	c->handler = wa_db_get(res, 0, "handler");
	c->window_open = wa_db_bool(res, 0, "window_open", 0);
	c->display = wa_db_get(res, 0, "display_phone_number");
	return WA_OK;
}

/* The live session of the conversation, locked; one that waited past
 * its expiry is ended as expired first. */
static enum wa_err
session_load(struct wa_req *r, const char *conv, struct bot_session *s)
{
	static const char sql[] =
	    "SELECT id, flow_id, version, status, step, attempt, "
	    "jumps::text AS jumps, vars::text AS vars, "
	    "coalesce(resume_at <= now(), false) AS due, "
	    "coalesce(expires_at <= now(), false) AS expired "
	    "FROM wa.bot_sessions WHERE conversation_id = $1 "
	    "AND status IN ('waiting', 'delayed') FOR UPDATE";
	static const char sql_expire[] =
	    "UPDATE wa.bot_sessions SET status = 'expired', ended_at = now(), "
	    "updated_at = now(), resume_at = NULL WHERE id = $1";
	PGresult	*res, *done;
	const char	*why, *t;

	memset(s, 0, sizeof(*s));
	if (wa_db_q(r, &res, sql, 1, conv) != WA_OK || PQntuples(res) != 1)
		return r->err.code;
	if (wa_db_bool(res, 0, "expired", 0))
		return wa_db_q(r, &done, sql_expire, 1,
		    wa_db_get(res, 0, "id"));
	s->id = wa_db_get(res, 0, "id");
	s->flow_id = wa_db_get(res, 0, "flow_id");
	s->version = (int)wa_db_int(res, 0, "version", 0);
	s->status = wa_db_get(res, 0, "status");
	s->step = (int)wa_db_int(res, 0, "step", -1);
	s->attempt = (int)wa_db_int(res, 0, "attempt", 0);
	s->due = wa_db_bool(res, 0, "due", 0);
	t = wa_db_get(res, 0, "jumps");
	s->jumps = wa_json_parse(t, strlen(t), WA_JSON_DEPTH_MAX, &why);
	t = wa_db_get(res, 0, "vars");
	s->vars = wa_json_parse(t, strlen(t), WA_JSON_DEPTH_MAX, &why);
	if (s->vars == NULL)
		s->vars = wa_flow_vars_new();
	return WA_OK;
}

/* What the customer wrote: a text, a button's or a reply's title, a
 * caption; "" for anything else. */
static enum wa_err
inbound_text(struct wa_req *r, const struct bot_conv *c, const char *id,
    const char **text)
{
	static const char sql[] =
	    "SELECT coalesce(message->'text'->>'body', "
	    "message->'button'->>'text', "
	    "message->'interactive'->'button_reply'->>'title', "
	    "message->'interactive'->'list_reply'->>'title', "
	    "message->(type)->>'caption', '') AS text "
	    "FROM wa.inbound_messages WHERE id = $1";
	static const char sql_web[] =
	    "SELECT body AS text FROM wa.web_chat_messages WHERE id = $1 "
	    "AND direction = 'inbound'";
	PGresult	*res;

	*text = "";
	if (wa_db_q(r, &res, c->web ? sql_web : sql, 1, id) != WA_OK)
		return r->err.code;
	if (PQntuples(res) == 1)
		*text = wa_db_get(res, 0, "text");
	return WA_OK;
}

/*
 * The flow a message starts, if any: published and enabled, on the
 * conversation's number or on all numbers; KEYWORD (the message is a
 * keyword, or with "match": "contains" holds one as words) before
 * AUTO_REPLY, the number's before the organization's, the latest
 * published first.  *steps is its version's definition.
 */
static enum wa_err
flow_match(struct wa_req *r, const struct bot_conv *c, const char *text,
    struct bot_session *s, const char **steps)
{
	static const char sql[] =
	    "SELECT f.id, f.published_version AS version, "
	    "v.steps::text AS steps FROM wa.bot_flows f "
	    "JOIN wa.bot_flow_versions v ON v.flow_id = f.id "
	    "AND v.version = f.published_version "
	    "CROSS JOIN (SELECT wa.keyword_norm($2) AS k, "
	    "wa.keyword_words($2) AS w) m "
	    "WHERE f.deleted_at IS NULL AND f.enabled "
	    "AND f.published_version IS NOT NULL "
	    "AND (f.phone_number_id = $1 OR f.phone_number_id IS NULL) "
	    "AND (f.trigger_type = 'AUTO_REPLY' OR (f.trigger_type = "
	    "'KEYWORD' AND EXISTS (SELECT 1 FROM json_array_elements_text("
	    "CASE WHEN json_typeof(f.trigger_config->'keywords') = 'array' "
	    "THEN f.trigger_config->'keywords' ELSE '[]' END) kw "
	    "WHERE wa.keyword_norm(kw) = m.k OR "
	    "(f.trigger_config->>'match' = 'contains' AND "
	    "position(wa.keyword_words(kw) IN m.w) > 0)))) "
	    "ORDER BY f.trigger_type = 'AUTO_REPLY', "
	    "f.phone_number_id IS NULL, f.published_at DESC, f.id LIMIT 1";
	PGresult	*res;

	*steps = NULL;
	if (wa_db_q(r, &res, sql, 2, c->account_id, text) != WA_OK ||
	    PQntuples(res) == 0)
		return r->err.code;
	s->fresh = 1;
	s->flow_id = wa_db_get(res, 0, "id");
	s->version = (int)wa_db_int(res, 0, "version", 0);
	*steps = wa_db_get(res, 0, "steps");
	return WA_OK;
}

/* The variables a new session starts with: the contact (name, phone,
 * custom fields; those that are no variable names are left out),
 * system.phone the number. */
static enum wa_err
vars_new(struct wa_req *r, const struct bot_conv *c, cJSON **vars)
{
	static const char sql[] =
	    "SELECT json_build_object('contact', custom_fields || "
	    "jsonb_build_object('name', name, 'phone', phone))::text AS v "
	    "FROM wa.contacts WHERE id = $1";
	struct wa_flow_run_in	 in;
	struct wa_flow_report	 rep;
	PGresult		*res;
	const char		*why, *input = "{}";
	cJSON			*j;

	if (c->contact_id != NULL) {
		if (wa_db_q(r, &res, sql, 1, c->contact_id) != WA_OK)
			return r->err.code;
		if (PQntuples(res) == 1)
			input = wa_db_get(res, 0, "v");
	}
	j = wa_json_parse(input, strlen(input), WA_JSON_DEPTH_MAX, &why);
	if (c->web) {
		/* a visitor: the name it gave, no phone */
		j = cJSON_CreateObject();
		if (c->name != NULL)
			cJSON_AddItemToObject(cJSON_AddObjectToObject(j,
			    "contact"), "name", cJSON_CreateString(c->name));
	}
	if (wa_flow_run_input(r->arena, j, c->display, 0, &in, &rep) != 0) {
		j = cJSON_CreateObject();
		if (!c->web)
			cJSON_AddItemToObject(cJSON_AddObjectToObject(j,
			    "contact"), "phone", cJSON_CreateString(c->peer));
		(void)wa_flow_run_input(r->arena, j, c->display, 0, &in, &rep);
	}
	if (c->web)
		cJSON_ReplaceItemInObjectCaseSensitive(
		    cJSON_GetObjectItemCaseSensitive(in.vars, "system"),
		    "channel", cJSON_CreateString("web_chat"));
	*vars = in.vars;
	return WA_OK;
}

static enum wa_err
version_steps(struct wa_req *r, const struct bot_session *s,
    const char **steps)
{
	static const char sql[] =
	    "SELECT steps::text AS steps FROM wa.bot_flow_versions "
	    "WHERE flow_id = $1 AND version = $2::int";
	PGresult	*res;

	*steps = NULL;
	if (wa_db_q(r, &res, sql, 2, s->flow_id, wa_arena_printf(r->arena,
	    "%d", s->version)) != WA_OK)
		return r->err.code;
	if (PQntuples(res) == 1)
		*steps = wa_db_get(res, 0, "steps");
	return WA_OK;
}

/* What the job asks: the run's input (steps NULL: nothing to run). */
static enum wa_err
decide(struct wa_req *r, const struct bot_job *j, const struct bot_conv *c,
    struct bot_session *s, const char **steps, cJSON **msgs)
{
	const char	*text;
	cJSON		*t;

	*steps = NULL;
	*msgs = NULL;
	if (strcmp(j->kind, "resume") == 0) {
		if (s->id == NULL || j->session_id == NULL ||
		    strcmp(s->id, j->session_id) != 0 || !s->due)
			return WA_OK;		/* answered, stopped: stale */
		if (strcmp(s->status, "waiting") == 0) {
			*msgs = cJSON_CreateArray();
			t = cJSON_CreateObject();
			cJSON_AddTrueToObject(t, "timeout");
			cJSON_AddItemToArray(*msgs, t);
		}
		return version_steps(r, s, steps);
	}
	if (s->id != NULL && strcmp(s->status, "delayed") == 0)
		return WA_OK;			/* for the agents */
	if (j->inbound_id == NULL || inbound_text(r, c, j->inbound_id, &text) !=
	    WA_OK)
		return r->err.code;
	*msgs = cJSON_CreateArray();
	cJSON_AddItemToArray(*msgs, cJSON_CreateString(text));
	if (s->id != NULL)
		return version_steps(r, s, steps);
	if (flow_match(r, c, text, s, steps) != WA_OK || *steps == NULL)
		return r->err.code;
	/* the message that starts a flow is not an answer to it */
	*msgs = NULL;
	return vars_new(r, c, &s->vars);
}

static enum wa_err
job_done(struct wa_req *r, const char *id)
{
	static const char sql[] = "DELETE FROM wa.bot_jobs WHERE id = $1";
	PGresult	*res;

	return wa_db_q(r, &res, sql, 1, id);
}

static enum wa_err
run(struct wa_req *r, struct pass *p, const struct bot_conv *c,
    struct bot_session *s, const char *steps, const cJSON *msgs)
{
	struct wa_flow_report	 rep;
	struct wa_flow_run_in	 in;
	struct wa_flow_run_out	 out;
	struct wa_flow_resume	 rs;
	struct calls		 calls;
	const char		*why;
	cJSON			*def;

	def = wa_json_parse(steps, strlen(steps), WA_JSON_DEPTH_MAX, &why);
	memset(&in, 0, sizeof(in));
	if ((in.flow = wa_flow_compile(r->arena, def, "steps", &rep)) ==
	    NULL) {
		p->outcome = "the flow's version no longer compiles";
		return WA_OK;
	}
	calls.r = r;
	calls.deadline_us = wa_clock_mono_us() + BOT_CALLS_MS * 1000LL;
	in.messages = msgs;
	in.vars = s->vars;
	in.now_ms = wa_clock_now_ms();
	in.live = 1;
	in.http = transport;
	in.http_arg = &calls;
	if (!s->fresh) {
		memset(&rs, 0, sizeof(rs));
		rs.step = s->step;
		rs.attempt = s->attempt;
		rs.jumps = s->jumps;
		in.resume = &rs;
	}
	wa_flow_run(r->arena, &in, &out);
	p->outcome = wa_arena_printf(r->arena, "flow %s v%d: %s%s%s",
	    s->flow_id, s->version, wa_flow_status_names[out.status],
	    out.error != NULL ? ": " : "", out.error != NULL ? out.error : "");
	return bot_save(r, &p->job, c, s, in.flow, &out);
}

/* One job, in the transaction wa_db_tx gives it. */
static enum wa_err
pass_tx(struct wa_req *r, void *arg)
{
	struct pass		*p = arg;
	struct bot_conv		 c;
	struct bot_session	 s;
	const char		*steps;
	cJSON			*msgs;

	/* the job is done in this transaction, or not at all; what the
	 * run queues comes last (save.c) */
	if (claim(r, p) != WA_OK || !p->found ||
	    job_done(r, p->job.id) != WA_OK ||
	    conv_lock(r, p->job.conv_id, &c) != WA_OK)
		return r->err.code;
	if (strcmp(c.handler, "agent") == 0)
		return WA_OK;
	if (session_load(r, p->job.conv_id, &s) != WA_OK ||
	    decide(r, &p->job, &c, &s, &steps, &msgs) != WA_OK)
		return r->err.code;
	if (steps != NULL)
		return run(r, p, &c, &s, steps, msgs);
	return WA_OK;
}

/* After a failed pass: the job again later (1, 2, 4... s), or dropped
 * after BOT_JOB_ATTEMPTS. */
static enum wa_err
retry_tx(struct wa_req *r, void *arg)
{
	static const char sql[] =
	    "UPDATE wa.bot_jobs SET attempts = attempts + 1, "
	    "due_at = now() + make_interval(secs => $2::int) "
	    "WHERE id = $1";
	struct pass	*p = arg;
	PGresult	*res;

	if (p->job.attempts + 1 >= BOT_JOB_ATTEMPTS)
		return job_done(r, p->job.id);
	return wa_db_q(r, &res, sql, 2, p->job.id, wa_arena_printf(r->arena,
	    "%d", 1 << p->job.attempts));
}

int
bot_job_run(struct wa_req *r)
{
	struct pass	p;

	memset(&p, 0, sizeof(p));
	if (wa_db_tx(r, pass_tx, &p) == WA_OK) {
		if (!p.found)
			return 0;
		if (p.outcome != NULL)
			wa_log(WA_LOG_INFO, "bot job %s (%s): %s", p.job.id,
			    p.job.kind, p.outcome);
		return 1;
	}
	if (!p.found)
		return -1;		/* the claim itself failed */
	wa_log(WA_LOG_WARN, "bot job %s: %s; attempt %d of %d", p.job.id,
	    r->err.log_detail[0] != '\0' ? r->err.log_detail : r->err.message,
	    p.job.attempts + 1, BOT_JOB_ATTEMPTS);
	wa_req_clear_err(r);
	return wa_db_tx_org(r, p.job.org_id, retry_tx, &p) == WA_OK ? 1 : -1;
}
