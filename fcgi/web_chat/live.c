/*
 * Live delivery (docs/web-chat.md, "Live delivery").  The widget keeps
 * an EventSource (or WebSocket) open on GET /web-chat/{token}/live/
 * {conversationId}?access_token=<visitor token>; nginx holds it with
 * nchan, no FastCGI worker, after asking this family whether it may
 * (nchan_authorize_request: wv_live, the same checks as every visitor
 * route, with the token in the query since a browser's EventSource
 * sends no headers of its own).  Every message of a web chat
 * conversation is owed to its subscribers (sql/0020, a trigger); the
 * worker publishes it to nchan's channel wc-<conversationId> over
 * nginx's publisher socket (lib/live.h).
 */
#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "cfg.h"
#include "db.h"
#include "fcgi.h"
#include "json.h"
#include "live.h"
#include "log.h"
#include "media.h"
#include "pgval.h"
#include "resp.h"

#include "web_chat.h"

#define LIVE_CLAIM	200	/* publications per claim */

/* GET live/{conversationId}: 204 when it is the visitor's own. */
enum wa_err
wv_live(struct wa_req *r)
{
	const char	*id = wa_req_param(r, "conversationId");

	if (id == NULL || strcmp(id, wc_cur.conversation_id) != 0)
		return wa_fail(r, WA_ERR_FORBIDDEN, "This is not the "
		    "visitor's conversation");
	return wa_resp_empty(r, 204);
}

/* ---- the publisher ----------------------------------------------------- */

struct batch {
	PGresult	*res;
	const char	*org_id;
	const char	**ids;
	size_t		 n;
	const char	**unheard;	/* answers no connection took */
	size_t		 nunheard;
};

static enum wa_err
claim(struct wa_req *r, void *arg)
{
	static const char sql[] =
	    "SELECT org_id, message_id FROM wa.web_chat_live_claim($1)";

	return wa_db_q(r, (PGresult **)arg, sql, 1,
	    wa_arena_printf(r->arena, "%d", LIVE_CLAIM));
}

static enum wa_err
load(struct wa_req *r, void *arg)
{
	static const char sql[] =
	    "SELECT m.id, m.conversation_id, m.direction, "
	    WC_MSG_JSON "::text AS data "
	    "FROM wa.web_chat_messages m WHERE m.id = ANY($1::uuid[]) "
	    "ORDER BY m.created_at, m.id";
	struct batch	*b = arg;

	return wa_db_q(r, &b->res, sql, 1,
	    wa_pgval_text_array(r->arena, b->ids, b->n));
}

/*
 * An answer to a visitor that no live connection took owes a push to
 * each of the visitor's subscriptions (docs/web-chat.md, "Web Push"),
 * unless the trigger already owed it (the visitor away or silent).
 */
static enum wa_err
owe_pushes(struct wa_req *r, void *arg)
{
	static const char sql[] =
	    "WITH p AS (INSERT INTO wa.web_chat_pushes (org_id, sub_id, "
	    "message_id) SELECT s.org_id, s.id, m.id "
	    "FROM wa.web_chat_messages m "
	    "JOIN wa.conversations c ON c.id = m.conversation_id "
	    "JOIN wa.web_chat_push_subs s ON s.visitor_id::text = c.peer "
	    "AND s.channel_id = c.channel_id "
	    "WHERE m.id = ANY($1::uuid[]) AND NOT EXISTS (SELECT 1 FROM "
	    "wa.web_chat_pushes x WHERE x.sub_id = s.id AND "
	    "x.message_id = m.id) RETURNING 1) "
	    "SELECT pg_notify('wa_web_chat', '') FROM (SELECT count(*) AS n "
	    "FROM p) k WHERE k.n > 0";
	struct batch	*b = arg;
	PGresult	*res;

	return wa_db_q(r, &res, sql, 1,
	    wa_pgval_text_array(r->arena, b->unheard, b->nunheard));
}

/* {type: "message", data: the message, linked}, printed. */
static const char *
event_of(struct wa_req *r, const char *json)
{
	const char	*why;
	cJSON		*msg, *ev;

	if ((msg = wa_json_parse(json, strlen(json), 64, &why)) == NULL ||
	    wa_media_link_tree(r, msg) != WA_OK)
		return NULL;
	ev = cJSON_CreateObject();
	cJSON_AddStringToObject(ev, "type", "message");
	cJSON_AddItemToObject(ev, "data", msg);
	return wa_json_print(ev);
}

/* One organization's publications, in their order. */
static void
publish(struct wa_req *r, struct wa_live *pub, struct batch *b)
{
	const char	*ev, *conv;
	char		 chan[WA_LIVE_CHANNEL_MAX + 1], err[256];
	int		 i, heard;

	if (wa_db_tx_org(r, b->org_id, load, b) != WA_OK) {
		wa_log(WA_LOG_WARN, "live: reading messages: %s",
		    r->err.log_detail);
		wa_req_clear_err(r);
		return;
	}
	for (i = 0; i < PQntuples(b->res); i++) {
		conv = wa_db_get(b->res, i, "conversation_id");
		if ((ev = event_of(r, wa_db_get(b->res, i, "data"))) == NULL) {
			wa_req_clear_err(r);
			continue;
		}
		snprintf(chan, sizeof(chan), "wc-%s", conv);
		if ((heard = wa_live_publish(pub, chan, ev, strlen(ev), err,
		    sizeof(err))) < 0)
			wa_log(WA_LOG_WARN, "live: publishing to %s: %s",
			    chan, err);
		if (heard == 0 && strcmp(wa_db_get(b->res, i, "direction"),
		    "outbound") == 0)
			b->unheard[b->nunheard++] = wa_db_get(b->res, i, "id");
	}
	if (b->nunheard > 0 && wa_db_tx_org(r, b->org_id, owe_pushes, b) !=
	    WA_OK) {
		wa_log(WA_LOG_WARN, "live: owing pushes: %s",
		    r->err.log_detail);
		wa_req_clear_err(r);
	}
}

/* Takes what is owed and publishes it: how many were taken. */
static int
live_run(struct wa_req *r)
{
	static struct wa_live	*pub;
	struct batch		 b;
	PGresult		*res;
	int			 i, n, start;

	if (r->cfg->live_socket != NULL && pub == NULL &&
	    (pub = wa_live_new(r->cfg->live_socket)) == NULL)
		return -1;
	if (wa_db_tx(r, claim, &res) != WA_OK)
		return -1;
	if ((n = PQntuples(res)) == 0 || pub == NULL)
		return n;	/* no nginx to publish to: dropped */
	for (start = 0; start < n; start = i) {
		memset(&b, 0, sizeof(b));
		b.org_id = wa_arena_strdup(r->arena,
		    wa_db_get(res, start, "org_id"));
		for (i = start; i < n && strcmp(b.org_id,
		    wa_db_get(res, i, "org_id")) == 0; i++)
			;
		b.n = (size_t)(i - start);
		b.ids = wa_arena_calloc(r->arena, b.n, sizeof(char *));
		b.unheard = wa_arena_calloc(r->arena, b.n, sizeof(char *));
		for (size_t k = 0; k < b.n; k++)
			b.ids[k] = wa_db_get(res, start + (int)k,
			    "message_id");
		publish(r, pub, &b);
	}
	return n;
}

/*
 * The worker's job.  Its first worker publishes (at once: a widget
 * waits), the others deliver Web Push (which can take a push service's
 * ten seconds); a lone worker does both.
 */
int
wc_job_run(struct wa_req *r)
{
	int	idx = wa_job_index(), n = 0, m;

	if (idx <= 0 && (n = live_run(r)) < 0)
		return -1;
	if (idx != 0 || r->cfg->workers <= 1) {
		if ((m = wc_push_run(r)) < 0)
			return -1;
		n += m;
	}
	return n;
}
