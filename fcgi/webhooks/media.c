/*
 * Inbound media into the media store (docs/conversations.md, "Media"):
 * when no webhook waits, the worker takes the next medium a customer
 * sent (wa.inbound_media_claim(), leased five minutes), fetches it from
 * Meta with its number's token (lib/media: wa_media_from_meta) and
 * links it to the message.  A failure is tried again after 1, 2, 4, 8
 * minutes; after five it is given up (media_state failed, the reason
 * kept), as Meta forgets inbound media after seven days anyway.
 */
#include <stdio.h>
#include <string.h>

#include "accounts.h"
#include "arena.h"
#include "clock.h"
#include "db.h"
#include "graph/graph.h"
#include "log.h"
#include "media.h"

#include "webhooks.h"

#define MEDIA_TRIES	5

struct claim {
	int		 found;
	char		 id[WA_UUID_LEN];
	char		 org_id[WA_UUID_LEN];
	char		 account_id[WA_UUID_LEN];
	char		 media[80];
	int		 attempts;
	const char	*why;
};

static enum wa_err
take(struct wa_req *r, void *arg)
{
	struct claim	*c = arg;
	PGresult	*res;

	if (wa_db_q(r, &res, "SELECT * FROM wa.inbound_media_claim()", 0) !=
	    WA_OK)
		return r->err.code;
	if ((c->found = PQntuples(res) == 1)) {
		snprintf(c->id, sizeof(c->id), "%s", wa_db_get(res, 0, "id"));
		snprintf(c->org_id, sizeof(c->org_id), "%s",
		    wa_db_get(res, 0, "org_id"));
		snprintf(c->account_id, sizeof(c->account_id), "%s",
		    wa_db_get(res, 0, "account_id"));
		snprintf(c->media, sizeof(c->media), "%s",
		    wa_db_get(res, 0, "media"));
		c->attempts = (int)wa_db_int(res, 0, "attempts", 0);
	}
	return WA_OK;
}

static enum wa_err
fetch(struct wa_req *r, void *arg)
{
	static const char sql[] =
	    "UPDATE wa.inbound_messages SET media_id = $2, media_state = "
	    "'stored', media_error = NULL, media_next_at = NULL, "
	    "media_attempts = media_attempts + 1 WHERE id = $1";
	struct claim		*c = arg;
	struct wa_account	 acc;
	struct wa_graph_acct	 g;
	struct wa_media		 m;
	PGresult		*res;

	if (wa_account_get(r, c->account_id, &acc) != WA_OK ||
	    wa_graph_acct_open(r, &acc, &g) != WA_OK ||
	    wa_media_from_meta(r, &g, c->media, &m) != WA_OK)
		return r->err.code;
	return wa_db_q(r, &res, sql, 2, c->id, m.id);
}

static enum wa_err
failed(struct wa_req *r, void *arg)
{
	static const char sql[] =
	    "UPDATE wa.inbound_messages SET media_attempts = "
	    "media_attempts + 1, media_error = left($2, 512), "
	    "media_state = CASE WHEN media_attempts + 1 >= $3::integer "
	    "THEN 'failed' ELSE 'pending' END, "
	    "media_next_at = CASE WHEN media_attempts + 1 >= $3::integer "
	    "THEN NULL ELSE now() + make_interval(mins => "
	    "power(2, media_attempts)::integer) END WHERE id = $1";
	struct claim	*c = arg;
	PGresult	*res;
	char		 tries[16];

	snprintf(tries, sizeof(tries), "%d", MEDIA_TRIES);
	return wa_db_q(r, &res, sql, 3, c->id, c->why, tries);
}

static int
one(struct wa_req *r)
{
	struct claim	c;

	memset(&c, 0, sizeof(c));
	if (wa_db_tx(r, take, &c) != WA_OK)
		return -1;
	if (!c.found)
		return 0;
	/* the store keys objects by the organization; Meta's calls get
	 * a budget of their own */
	snprintf(r->auth.org_id, sizeof(r->auth.org_id), "%s", c.org_id);
	r->started_us = wa_clock_mono_us();
	if (wa_db_tx_org(r, c.org_id, fetch, &c) == WA_OK) {
		wa_log(WA_LOG_INFO, "inbound medium %s of message %s stored",
		    c.media, c.id);
		return 1;
	}
	c.why = wa_arena_strdup(r->arena, r->err.log_detail[0] != '\0' ?
	    r->err.log_detail : r->err.message);
	wa_req_clear_err(r);
	wa_log(WA_LOG_WARN, "inbound medium %s of message %s: %s (try %d "
	    "of %d)", c.media, c.id, c.why, c.attempts + 1, MEDIA_TRIES);
	return wa_db_tx_org(r, c.org_id, failed, &c) == WA_OK ? 1 : -1;
}

int
hook_media(struct wa_req *r)
{
	int	rc = one(r);

	memset(&r->auth, 0, sizeof(r->auth));
	return rc;
}
