/*
 * The sending worker (send.h): one pass of wa_send_run() is
 *
 *   1. housekeeping, four times a second or on a NOTIFY: lease the due
 *      lanes (and renew ours), and every few seconds turn the messages
 *      of workers that died mid-send into `unknown`;
 *   2. for each lane, as many messages as its bucket allows (and the
 *      in-flight bound): claimed in one statement, started on the multi
 *      handle;
 *   3. the multi handle runs until a token is due or a transfer ends
 *      (or a NOTIFY comes);
 *   4. finished transfers are classified and their results written in
 *      one statement per lane; lanes with nothing left are released.
 *
 * What lives from one pass to the next (lanes, transfers, results) is
 * malloc'd here: the job's arena is reset before every pass.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accounts.h"
#include "arena.h"
#include "cfg.h"
#include "clock.h"
#include "crypto.h"
#include "db.h"
#include "graph/graph.h"
#include "json.h"
#include "log.h"
#include "pgval.h"
#include "req.h"
#include "send.h"
#include "work.h"

static struct sender	S;

/* ---- small tools ------------------------------------------------------- */

static char *
xstrdup(const char *s)
{
	char	*d;

	if (s == NULL)
		return NULL;
	if ((d = strdup(s)) == NULL)
		abort();
	return d;
}

static void
lane_free(struct lane *l)
{
	if (l->token != NULL) {
		wa_crypto_wipe(l->token, strlen(l->token));
		free(l->token);
	}
	free(l->waba_id);
	free(l->phone_id);
	free(l);
}

static struct lane *
lane_find(const char *account_id)
{
	size_t	i;

	for (i = 0; i < S.nlanes; i++)
		if (strcmp(S.lanes[i]->account_id, account_id) == 0)
			return S.lanes[i];
	return NULL;
}

/* Drops the lanes that are done with: released or paused, and with
 * nothing in flight or waiting to be written. */
static void
lanes_sweep(void)
{
	size_t	i = 0;

	while (i < S.nlanes) {
		if (S.lanes[i]->gone && S.lanes[i]->inflight == 0 &&
		    S.lanes[i]->nres == 0) {
			lane_free(S.lanes[i]);
			S.lanes[i] = S.lanes[--S.nlanes];
		} else
			i++;
	}
}

/* ---- lanes ------------------------------------------------------------- */

struct load {
	struct lane	*l;
};

/* The account of a new lane: its Meta ids, token and pace. */
static enum wa_err
lane_load(struct wa_req *r, void *arg)
{
	static const char sql[] =
	    "SELECT messages_per_second AS mps FROM wa.wa_accounts "
	    "WHERE id = $1";
	struct lane		*l = ((struct load *)arg)->l;
	struct wa_account	 a;
	const char		*tok;
	PGresult		*res;

	if (wa_account_get(r, l->account_id, &a) != WA_OK ||
	    wa_account_token(r, &a, &tok) != WA_OK ||
	    wa_db_q(r, &res, sql, 1, l->account_id) != WA_OK)
		return r->err.code;
	l->waba_id = xstrdup(a.waba_id);
	l->phone_id = xstrdup(a.phone_number_id);
	l->token = xstrdup(tok);
	wa_send_pace_init(&l->pace, (double)wa_db_int(res, 0, "mps", 80),
	    wa_clock_mono_us());
	return WA_OK;
}

struct pause {
	struct lane	*l;
	const char	*reason;
	int		 code;
};

static enum wa_err
lane_pause_tx(struct wa_req *r, void *arg)
{
	static const char sql[] =
	    "UPDATE wa.send_lanes SET paused_at = now(), paused_reason = $2, "
	    "paused_code = nullif($3, '')::integer, owner = NULL, "
	    "lease_until = NULL, updated_at = now() WHERE account_id = $1";
	struct pause	*p = arg;
	PGresult	*res;

	return wa_db_q(r, &res, sql, 3, p->l->account_id, p->reason,
	    p->code != 0 ? wa_arena_printf(r->arena, "%d", p->code) : "");
}

/* Meta refused the account itself: nothing more goes out for it until
 * its token or number changes (docs/sending.md, "Paused accounts"). */
static void
lane_pause(struct wa_req *r, struct lane *l, const char *reason, int code)
{
	struct pause	p;

	if (l->gone)
		return;
	l->gone = 1;
	p.l = l;
	p.reason = reason;
	p.code = code;
	wa_log(WA_LOG_WARN, "sending paused for account %s: %s",
	    l->account_id, reason);
	if (wa_db_tx_org(r, l->org_id, lane_pause_tx, &p) != WA_OK) {
		wa_log(WA_LOG_WARN, "pausing account %s: %s", l->account_id,
		    r->err.log_detail);
		wa_req_clear_err(r);
	}
}

/* The lane is locked first (FOR UPDATE waits for the transactions still
 * queuing into it, sql/0010), then the queue is read in a statement of
 * its own, whose snapshot sees what they queued: a message due now
 * keeps the lane. */
static enum wa_err
lane_release_tx(struct wa_req *r, void *arg)
{
	static const char sql_lock[] =
	    "SELECT 1 FROM wa.send_lanes WHERE account_id = $1 AND owner = $2 "
	    "FOR UPDATE";
	static const char sql_due[] =
	    "SELECT min(next_attempt_at) AS due, "
	    "coalesce(min(next_attempt_at) <= now(), false) AS now "
	    "FROM wa.messages WHERE account_id = $1 AND status = 'queued'";
	static const char sql_rel[] =
	    "UPDATE wa.send_lanes SET due_at = $2::timestamptz, owner = NULL, "
	    "lease_until = NULL, updated_at = now() WHERE account_id = $1";
	struct lane	*l = arg;
	PGresult	*res;

	if (wa_db_q(r, &res, sql_lock, 2, l->account_id, S.owner) != WA_OK)
		return r->err.code;
	if (PQntuples(res) == 0)
		return WA_OK;		/* another worker's now */
	if (wa_db_q(r, &res, sql_due, 1, l->account_id) != WA_OK)
		return r->err.code;
	if (wa_db_bool(res, 0, "now", 0))
		return WA_OK;		/* queued meanwhile: keep it */
	if (wa_db_q(r, &res, sql_rel, 2, l->account_id,
	    wa_db_get(res, 0, "due")) != WA_OK)
		return r->err.code;
	l->gone = 1;
	return WA_OK;
}

/* Nothing due now: hand the lane back with when it is next due, unless
 * a message came meanwhile. */
static void
lane_release(struct wa_req *r, struct lane *l)
{
	if (l->gone || l->inflight > 0 || l->nres > 0)
		return;
	if (wa_db_tx_org(r, l->org_id, lane_release_tx, l) != WA_OK) {
		wa_log(WA_LOG_WARN, "releasing lane %s: %s", l->account_id,
		    r->err.log_detail);
		wa_req_clear_err(r);
	}
}

static enum wa_err
lanes_claim_tx(struct wa_req *r, void *arg)
{
	static const char sql[] =
	    "SELECT org_id, account_id, gen "
	    "FROM wa.send_lanes_claim($1, $2::integer, $3::integer)";
	PGresult	**res = arg;

	return wa_db_q(r, res, sql, 3, S.owner,
	    wa_arena_printf(r->arena, "%d", WA_SEND_LANE_LEASE_S),
	    wa_arena_printf(r->arena, "%d", WA_SEND_LANES_MAX));
}

static enum wa_err
recover_tx(struct wa_req *r, void *arg)
{
	PGresult	*res;
	long long	 n;

	(void)arg;
	if (wa_db_q(r, &res, "SELECT wa.send_recover() AS n", 0) != WA_OK)
		return r->err.code;
	if ((n = wa_db_int(res, 0, "n", 0)) > 0)
		wa_log(WA_LOG_WARN, "%lld messages of a stopped worker are "
		    "now of unknown outcome", n);
	return WA_OK;
}

static void
lane_add(struct wa_req *r, const char *org_id, const char *account_id)
{
	struct lane	*l;
	struct load	 ld;

	if (S.nlanes == WA_SEND_LANES_MAX)
		return;
	if ((l = calloc(1, sizeof(*l))) == NULL)
		abort();
	snprintf(l->org_id, sizeof(l->org_id), "%s", org_id);
	snprintf(l->account_id, sizeof(l->account_id), "%s", account_id);
	ld.l = l;
	if (wa_db_tx_org(r, org_id, lane_load, &ld) != WA_OK) {
		/* gone or unreadable: pause it with the reason */
		S.lanes[S.nlanes++] = l;
		lane_pause(r, l, r->err.code == WA_ERR_NOT_FOUND ?
		    "the WhatsApp account no longer exists" :
		    "the account's access token cannot be opened", 0);
		wa_req_clear_err(r);
		return;
	}
	l->busy_us = wa_clock_mono_us();	/* claimed: it has work */
	S.lanes[S.nlanes++] = l;
}

static void
housekeeping(struct wa_req *r, int64_t now)
{
	PGresult	*res;
	struct lane	*l;
	int		 i, n;

	S.house_us = now + WA_SEND_HOUSE_US;
	if (!S.stopping && wa_db_tx(r, lanes_claim_tx, &res) == WA_OK) {
		n = PQntuples(res);
		for (i = 0; i < n; i++) {
			if ((l = lane_find(wa_db_get(res, i, "account_id")))
			    == NULL)
				lane_add(r, wa_db_get(res, i, "org_id"),
				    wa_db_get(res, i, "account_id"));
			else {
				/* due again (a new message): at once, not
				 * after the idle wait of its last claim */
				l->gone = 0;
				l->idle_until = 0;
			}
		}
	} else
		wa_req_clear_err(r);
	if (now >= S.recover_us) {
		S.recover_us = now + WA_SEND_RECOVER_US;
		if (wa_db_tx(r, recover_tx, NULL) != WA_OK)
			wa_req_clear_err(r);
	}
}

/* ---- claims and sends -------------------------------------------------- */

struct claim {
	struct lane	*l;
	int		 want;
	PGresult	*res;
};

/*
 * Takes up to want due messages of the lane, in the order they were
 * queued (a broadcast's or a bulk request's own order by seq), and
 * returns them in that order.  One recipient's messages go one at a
 * time, in the order they were queued: a message is taken only when
 * no other of its phone is in flight or queued ahead of it (by
 * priority, so that a bot's answer does not wait for a broadcast's
 * message to the same phone far down the queue, then created_at and
 * its batch's seq: wa.send_held, sql/0019).  Each is set
 * `sending` under a lease, or `skipped` when the ledger now suppresses
 * the phone (except wagate's own answer to an opt-out keyword, origin
 * 'system').  The locking subquery is a MATERIALIZED CTE, run once: as
 * a subquery in FROM the planner may put it on the inner side of a
 * nested loop and run it again for every outer row, each run locking
 * the next want rows, so that one claim took the whole queue.
 */
static enum wa_err
claim_tx(struct wa_req *r, void *arg)
{
	static const char sql[] =
	    "WITH s AS MATERIALIZED (SELECT id, "
	    "CASE WHEN origin <> 'system' THEN "
	    "wa.suppressed(account_id, to_phone) END AS why "
	    "FROM wa.messages q WHERE account_id = $1 AND status = 'queued' "
	    "AND next_attempt_at <= now() AND NOT wa.send_held(q) "
	    "ORDER BY priority, next_attempt_at, seq, id LIMIT $2::integer "
	    "FOR UPDATE SKIP LOCKED), "
	    "u AS (UPDATE wa.messages m SET "
	    "status = CASE WHEN s.why IS NULL THEN 'sending' "
	    "ELSE 'skipped' END, "
	    "attempts = m.attempts + (s.why IS NULL)::integer, "
	    "lease_until = CASE WHEN s.why IS NULL THEN now() + "
	    "make_interval(secs => $3::integer) END, "
	    "error_code = coalesce(s.why, m.error_code), "
	    "error = CASE WHEN s.why IS NULL THEN m.error "
	    "ELSE wa.suppression_words(s.why) END, "
	    "updated_at = now() "
	    "FROM s WHERE m.id = s.id "
	    "RETURNING m.id, m.status, m.to_phone, m.type, m.body::text, "
	    "m.attempts, m.priority, m.next_attempt_at, m.seq) "
	    "SELECT id, status, to_phone, type, body, attempts FROM u "
	    "ORDER BY priority, next_attempt_at, seq, id";
	struct claim	*c = arg;

	return wa_db_q(r, &c->res, sql, 3, c->l->account_id,
	    wa_arena_printf(r->arena, "%d", c->want),
	    wa_arena_printf(r->arena, "%d", r->cfg->send_lease_s));
}

/* Meta's message object of a row (its type's object as stored). */
static int
msg_of(struct wa_req *r, const char *type, const char *body,
    struct wa_graph_msg *m)
{
	static const struct {
		const char		*name;
		enum wa_graph_msg_type	 type;
	} media[] = {
		{ "image", WA_GRAPH_MSG_IMAGE },
		{ "video", WA_GRAPH_MSG_VIDEO },
		{ "audio", WA_GRAPH_MSG_AUDIO },
		{ "document", WA_GRAPH_MSG_DOCUMENT },
	};
	const char	*why;
	cJSON		*b;
	size_t		 i;

	memset(m, 0, sizeof(*m));
	if ((b = wa_json_parse(body, strlen(body), WA_JSON_DEPTH_MAX, &why))
	    == NULL)
		return -1;
	(void)r;
	if (strcmp(type, "template") == 0) {
		m->type = WA_GRAPH_MSG_TEMPLATE;
		m->tpl_name = wa_json_str(b, "name");
		m->tpl_language = wa_json_str(cJSON_GetObjectItemCaseSensitive(
		    b, "language"), "code");
		m->tpl_components = cJSON_GetObjectItemCaseSensitive(b,
		    "components");
		return 0;
	}
	if (strcmp(type, "text") == 0) {
		m->type = WA_GRAPH_MSG_TEXT;
		m->text = wa_json_str(b, "body");
		m->preview_url = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
		    b, "preview_url"));
		return 0;
	}
	for (i = 0; i < sizeof(media) / sizeof(media[0]); i++)
		if (strcmp(type, media[i].name) == 0) {
			m->type = media[i].type;
			m->media_id = wa_json_str(b, "id");
			m->media_link = wa_json_str(b, "link");
			m->caption = wa_json_str(b, "caption");
			m->filename = wa_json_str(b, "filename");
			return 0;
		}
	return -1;
}

static void start(struct wa_req *, struct lane *, const PGresult *, int);

/* As many messages as the lane's bucket and the in-flight bound allow. */
static void
feed(struct wa_req *r, struct lane *l, int64_t now)
{
	struct claim	c;
	size_t		room;
	int		i, n;

	if (l->gone || S.stopping || now < l->idle_until)
		return;
	room = (size_t)r->cfg->send_inflight - S.inflight;
	if (room == 0)
		return;
	c.want = wa_send_pace_take(&l->pace, room < WA_SEND_CLAIM_MAX ?
	    (int)room : WA_SEND_CLAIM_MAX, now);
	if (c.want == 0)
		return;
	c.l = l;
	if (wa_db_tx_org(r, l->org_id, claim_tx, &c) != WA_OK) {
		wa_log(WA_LOG_WARN, "claiming for account %s: %s",
		    l->account_id, r->err.log_detail);
		wa_req_clear_err(r);
		wa_send_pace_refund(&l->pace, c.want);
		l->idle_until = now + WA_SEND_HOUSE_US;
		return;
	}
	n = PQntuples(c.res);
	for (i = 0; i < n; i++)
		start(r, l, c.res, i);
	wa_send_pace_refund(&l->pace, c.want - n);
	if (n > 0)
		l->busy_us = now;
	else if (now - l->busy_us < WA_SEND_KEEP_US)
		l->idle_until = now + WA_SEND_RECHECK_US;
	else {
		/* nothing due for a while: give the lane back, or look
		 * again soon if something is still in flight */
		lane_release(r, l);
		l->idle_until = now + WA_SEND_HOUSE_US;
	}
}

static void
result_add(struct lane *l, const char *id, const char *status,
    const char *wamid, const char *code, const char *error, int meta,
    int delay_s)
{
	struct result	*x;

	if (l->nres == l->capres) {
		l->capres = l->capres == 0 ? 64 : l->capres * 2;
		if ((l->res = reallocarray(l->res, l->capres,
		    sizeof(*l->res))) == NULL)
			abort();
	}
	x = &l->res[l->nres++];
	memset(x, 0, sizeof(*x));
	snprintf(x->id, sizeof(x->id), "%s", id);
	x->status = status;
	x->wamid = xstrdup(wamid);
	x->error_code = xstrdup(code);
	x->error = xstrdup(error);
	x->meta_code = meta;
	x->delay_s = delay_s;
}

static void
start(struct wa_req *r, struct lane *l, const PGresult *res, int i)
{
	struct wa_graph_acct	 a;
	struct wa_graph_msg	 m;
	struct item		*it;
	const char		*id = wa_db_get(res, i, "id");

	if (strcmp(wa_db_get(res, i, "status"), "skipped") == 0)
		return;		/* written by the claim itself */
	if (msg_of(r, wa_db_get(res, i, "type"), wa_db_get(res, i, "body"),
	    &m) != 0) {
		result_add(l, id, "failed", NULL, "bad_message",
		    "the stored message cannot be read", 0, 0);
		return;
	}
	if ((it = calloc(1, sizeof(*it))) == NULL)
		abort();
	it->lane = l;
	snprintf(it->id, sizeof(it->id), "%s", id);
	it->attempts = (int)wa_db_int(res, i, "attempts", 1);
	if (m.type == WA_GRAPH_MSG_TEMPLATE) {
		it->tpl_name = xstrdup(m.tpl_name);
		it->tpl_language = xstrdup(m.tpl_language);
	}
	m.to = wa_db_get(res, i, "to_phone");
	m.opaque = it->id;	/* Meta echoes it in the status webhooks */
	memset(&a, 0, sizeof(a));
	a.account_id = l->account_id;
	a.token = l->token;
	a.waba_id = l->waba_id;
	a.phone_number_id = l->phone_id;
	if (wa_graph_multi_send(S.multi, &a, &m, r->cfg->graph_timeout_ms,
	    it) != 0) {
		/* the in-flight bound was checked: not expected */
		result_add(l, id, "queued", NULL, "busy",
		    "the worker had too much in flight", 0, 1);
		free(it->tpl_name);
		free(it->tpl_language);
		free(it);
		return;
	}
	l->inflight++;
	S.inflight++;
}

/* ---- outcomes ---------------------------------------------------------- */

/* A failure's words: Meta's own, else the transport's. */
static const char *
why_of(struct wa_req *r, const struct wa_graph_xfer *x)
{
	const struct wa_graph_res	*res = &x->res;

	if (res->status == WA_GRAPH_META)
		return wa_arena_printf(r->arena, "Meta %ld: %s%s%s",
		    res->err.code, res->err.message != NULL ?
		    res->err.message : "error", res->err.details != NULL ?
		    ": " : "", res->err.details != NULL ?
		    res->err.details : "");
	return wa_arena_printf(r->arena, "%s%s%s",
	    wa_graph_status_name(res->status), res->detail != NULL ? ": " :
	    "", res->detail != NULL ? res->detail : "");
}

static const char *
code_of(struct wa_req *r, const struct wa_graph_xfer *x)
{
	if (x->res.status == WA_GRAPH_META)
		return wa_arena_printf(r->arena, "meta_%ld", x->res.err.code);
	return wa_graph_status_name(x->res.status);
}

static void
outcome(struct wa_req *r, struct wa_graph_xfer *x)
{
	struct item	*it = x->udata;
	struct lane	*l = it->lane;
	int		 delay = 0, meta;

	meta = x->res.status == WA_GRAPH_META ? (int)x->res.err.code : 0;
	switch (wa_graph_outcome(x, it->attempts, &delay)) {
	case WA_GRAPH_O_SENT:
		result_add(l, it->id, "sent", x->sent.wamid, NULL, NULL, 0, 0);
		break;
	case WA_GRAPH_O_SLOW:
		wa_send_pace_slow(&l->pace, wa_clock_mono_us());
		/* FALLTHROUGH */
	case WA_GRAPH_O_RETRY:
	case WA_GRAPH_O_PAIR:
		result_add(l, it->id, "queued", NULL, code_of(r, x),
		    why_of(r, x), meta, delay);
		break;
	case WA_GRAPH_O_PAUSE:
		result_add(l, it->id, "queued", NULL, code_of(r, x),
		    why_of(r, x), meta, delay);
		/* a wait Meta names (maintenance, the spam limit) the lane
		 * sits out; anything else waits for someone to act */
		if (delay > 0)
			l->idle_until = wa_clock_mono_us() +
			    (int64_t)delay * 1000000;
		else
			lane_pause(r, l, why_of(r, x), meta);
		break;
	case WA_GRAPH_O_TEMPLATE:
		result_add(l, it->id, "failed", NULL, code_of(r, x),
		    why_of(r, x), meta, 0);
		work_template_changed(r, l, it->tpl_name, it->tpl_language);
		break;
	case WA_GRAPH_O_FAILED:
		result_add(l, it->id, "failed", NULL, code_of(r, x),
		    why_of(r, x), meta, 0);
		break;
	case WA_GRAPH_O_UNKNOWN:
	default:
		result_add(l, it->id, "unknown", x->sent.wamid,
		    "outcome_unknown", wa_arena_printf(r->arena, "Meta may "
		    "have sent it (%s); its status webhook will tell",
		    why_of(r, x)), meta, 0);
		break;
	}
}

static void
collect(struct wa_req *r)
{
	struct wa_graph_xfer	*x;
	struct item		*it;

	while ((x = wa_graph_multi_next(S.multi)) != NULL) {
		it = x->udata;
		outcome(r, x);
		it->lane->inflight--;
		S.inflight--;
		wa_graph_multi_release(S.multi, x);
		free(it->tpl_name);
		free(it->tpl_language);
		free(it);
	}
}

/* ---- results ----------------------------------------------------------- */

static enum wa_err
flush_tx(struct wa_req *r, void *arg)
{
	static const char sql[] =
	    "UPDATE wa.messages m SET "
	    "status = wa.message_next(m.status, v.status), "
	    "wamid = coalesce(m.wamid, nullif(v.wamid, '')), "
	    "sent_at = CASE WHEN v.status = 'sent' THEN "
	    "coalesce(m.sent_at, now()) ELSE m.sent_at END, "
	    "failed_at = CASE WHEN wa.message_next(m.status, v.status) = "
	    "'failed' THEN coalesce(m.failed_at, now()) ELSE m.failed_at END, "
	    "next_attempt_at = CASE WHEN v.status = 'queued' THEN now() + "
	    "make_interval(secs => v.delay::integer) "
	    "ELSE m.next_attempt_at END, "
	    "error_code = CASE WHEN v.status = 'sent' THEN NULL "
	    "ELSE coalesce(nullif(v.code, ''), m.error_code) END, "
	    "error = CASE WHEN v.status = 'sent' THEN NULL "
	    "ELSE coalesce(nullif(v.error, ''), m.error) END, "
	    "meta_code = CASE WHEN v.status = 'sent' THEN NULL "
	    "ELSE coalesce(nullif(v.meta, '')::integer, m.meta_code) END, "
	    "lease_until = NULL, updated_at = now() "
	    "FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], "
	    "$5::text[], $6::text[], $7::text[]) "
	    "AS v (id, status, wamid, code, error, meta, delay) "
	    "WHERE m.id = v.id";
	struct lane	*l = arg;
	const char	**col[7];
	const char	*vals[7];
	size_t		 i, k;
	PGresult	*res;

	for (k = 0; k < 7; k++)
		col[k] = wa_arena_calloc(r->arena, l->nres, sizeof(char *));
	for (i = 0; i < l->nres; i++) {
		col[0][i] = l->res[i].id;
		col[1][i] = l->res[i].status;
		col[2][i] = l->res[i].wamid != NULL ? l->res[i].wamid : "";
		col[3][i] = l->res[i].error_code != NULL ?
		    l->res[i].error_code : "";
		col[4][i] = l->res[i].error != NULL ? l->res[i].error : "";
		col[5][i] = l->res[i].meta_code != 0 ? wa_arena_printf(
		    r->arena, "%d", l->res[i].meta_code) : "";
		col[6][i] = wa_arena_printf(r->arena, "%d", l->res[i].delay_s);
	}
	for (k = 0; k < 7; k++)
		vals[k] = wa_pgval_text_array(r->arena, col[k], l->nres);
	return wa_db_exec(r, &res, sql, 7, vals);
}

static void
results_free(struct lane *l)
{
	size_t	i;

	for (i = 0; i < l->nres; i++) {
		free(l->res[i].wamid);
		free(l->res[i].error_code);
		free(l->res[i].error);
	}
	l->nres = 0;
}

/* One statement per lane.  A failure keeps the results for the next
 * pass (the messages stay `sending` meanwhile, under their lease).  A
 * lane whose results are written is looked at again at once: a
 * recipient's next message waited for these. */
static void
flush(struct wa_req *r)
{
	size_t	i;

	for (i = 0; i < S.nlanes; i++) {
		if (S.lanes[i]->nres == 0)
			continue;
		if (wa_db_tx_org(r, S.lanes[i]->org_id, flush_tx,
		    S.lanes[i]) != WA_OK) {
			wa_log(WA_LOG_WARN, "writing results of account %s: "
			    "%s", S.lanes[i]->account_id, r->err.log_detail);
			wa_req_clear_err(r);
			continue;
		}
		results_free(S.lanes[i]);
		/* a recipient's next message may be due now (a wait Meta
		 * named, longer than a look's, stands) */
		if (S.lanes[i]->idle_until - wa_clock_mono_us() <=
		    WA_SEND_HOUSE_US)
			S.lanes[i]->idle_until = 0;
	}
}

/* ---- the pass ---------------------------------------------------------- */

static int
setup(struct wa_req *r)
{
	char	host[64];

	if (S.multi != NULL && S.pid == getpid())
		return 0;
	memset(&S, 0, sizeof(S));
	S.pid = getpid();
	if (gethostname(host, sizeof(host)) != 0)
		snprintf(host, sizeof(host), "host");
	host[sizeof(host) - 1] = '\0';
	snprintf(S.owner, sizeof(S.owner), "%.40s:%ld:%lld", host,
	    (long)S.pid, (long long)wa_clock_now_ms());
	S.multi = wa_graph_multi_new(r->cfg, (size_t)r->cfg->send_inflight);
	return S.multi != NULL ? 0 : -1;
}

/* How long the multi handle may wait: until the next token of a lane
 * with work, or the next look at a kept lane, at most WA_SEND_POLL_MS. */
static int
wait_ms(int64_t now)
{
	int64_t	w = (int64_t)WA_SEND_POLL_MS * 1000, t;
	size_t	i;

	for (i = 0; i < S.nlanes; i++) {
		if (S.lanes[i]->gone)
			continue;
		t = now < S.lanes[i]->idle_until ? S.lanes[i]->idle_until -
		    now : wa_send_pace_wait(&S.lanes[i]->pace, now);
		if (t < w)
			w = t;
	}
	return (int)((w + 999) / 1000);
}

int
wa_send_run(struct wa_req *r)
{
	int64_t	now = wa_clock_mono_us();
	size_t	i;

	if (setup(r) != 0)
		return -1;
	if (wa_db_notified(r->db) || now >= S.house_us)
		housekeeping(r, now);
	for (i = 0; i < S.nlanes; i++)
		feed(r, S.lanes[i], now);
	if (S.inflight > 0 || S.nlanes > 0)
		(void)wa_graph_multi_poll(S.multi, wait_ms(wa_clock_mono_us()),
		    wa_db_socket(r->db));
	collect(r);
	flush(r);
	work_templates(r, S.lanes, S.nlanes);
	lanes_sweep();
	return S.inflight > 0 || S.nlanes > 0 ? 1 : 0;
}

void
wa_send_stop(struct wa_req *r)
{
	int64_t	until;
	size_t	i;

	if (S.multi == NULL || S.pid != getpid())
		return;
	S.stopping = 1;
	until = wa_clock_mono_us() + (int64_t)r->cfg->graph_timeout_ms * 1000;
	while (S.inflight > 0 && wa_clock_mono_us() < until) {
		(void)wa_graph_multi_poll(S.multi, 100, -1);
		collect(r);
	}
	flush(r);
	for (i = 0; i < S.nlanes; i++) {
		S.lanes[i]->idle_until = 0;
		lane_release(r, S.lanes[i]);
	}
	if (S.inflight > 0)
		wa_log(WA_LOG_WARN, "stopping with %zu sends in flight: their "
		    "outcome will be unknown", S.inflight);
}
