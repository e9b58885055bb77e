/*
 * Web Push for visitors who left (docs/web-chat.md, "Web Push"): the
 * widget's push/vapid, push/subscribe and push/unsubscribe, and the
 * worker (web_chat --worker) that delivers what an agent's or a bot's
 * answer owes a visitor who is not there (sql/0018_web_chat_push.sql):
 * the payload encrypted for the browser (RFC 8291, lib/webpush), the
 * request signed for the push service (VAPID, RFC 8292), sent with
 * lib/fetch (no private address unless WA_PUSH_ALLOW names it).
 */
#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "cfg.h"
#include "clock.h"
#include "db.h"
#include "fetch.h"
#include "json.h"
#include "log.h"
#include "resp.h"
#include "valid.h"
#include "webpush.h"

#include "web_chat.h"

#define PUSH_SUBS_MAX	5	/* a visitor's browsers */
#define PUSH_TRIES	5
#define PUSH_TIMEOUT_MS	10000
#define PUSH_TTL	"86400"	/* a push service keeps it a day */

static enum wa_err
vapid_ready(struct wa_req *r)
{
	if (r->cfg->vapid_private == NULL || r->cfg->vapid_public == NULL)
		return wa_fail(r, WA_ERR_UNAVAILABLE, "Web Push is not "
		    "configured on this server (WA_VAPID_*)");
	return WA_OK;
}

/* GET push/vapid: {publicKey}, the applicationServerKey of
 * pushManager.subscribe(). */
enum wa_err
wv_push_vapid(struct wa_req *r)
{
	cJSON	*out;

	if (vapid_ready(r) != WA_OK)
		return r->err.code;
	out = cJSON_CreateObject();
	cJSON_AddStringToObject(out, "publicKey", r->cfg->vapid_public);
	return wa_resp_ok(r, 200, out);
}

static const struct wa_field key_fields[] = {
	WA_FIELD_STR("p256dh", WA_F_REQUIRED_TEXT, 87),
	WA_FIELD_STR("auth", WA_F_REQUIRED_TEXT, 22),
	WA_FIELD_END
};

static const struct wa_field sub_fields[] = {
	WA_FIELD_STR_CHECK("endpoint", WA_F_REQUIRED, 1024, wa_valid_url,
	    "must be the push service's http(s) URL"),
	WA_FIELD_OBJ("keys", WA_F_REQUIRED, key_fields),
	WA_FIELD_END
};

/* POST push/subscribe: a PushSubscription's JSON ({endpoint, keys:
 * {p256dh, auth}}); 201 {id}.  At most PUSH_SUBS_MAX per visitor. */
enum wa_err
wv_push_subscribe(struct wa_req *r)
{
	static const char sql[] =
	    "INSERT INTO wa.web_chat_push_subs AS s (org_id, channel_id, "
	    "visitor_id, endpoint, p256dh, auth) SELECT $1, $2, $3, $4, $5, "
	    "$6 WHERE (SELECT count(*) FROM wa.web_chat_push_subs WHERE "
	    "visitor_id = $3 AND endpoint <> $4) < $7::integer "
	    "ON CONFLICT (visitor_id, endpoint) DO UPDATE SET "
	    "p256dh = excluded.p256dh, auth = excluded.auth, failures = 0 "
	    "RETURNING id";
	const cJSON	*keys;
	cJSON		*body, *out;
	PGresult	*res;
	char		 max[16];

	if (vapid_ready(r) != WA_OK || wa_json_body(r, &body) != WA_OK ||
	    wa_json_validate(r, body, sub_fields, NULL) != WA_OK)
		return r->err.code;
	keys = cJSON_GetObjectItemCaseSensitive(body, "keys");
	if (!wa_webpush_keys_valid(wa_json_str(keys, "p256dh"),
	    wa_json_str(keys, "auth")))
		return wa_fail_field(r, "keys", "must be the subscription's "
		    "keys: p256dh a P-256 public key, auth 16 bytes, both "
		    "base64url");
	snprintf(max, sizeof(max), "%d", PUSH_SUBS_MAX);
	if (wa_db_q(r, &res, sql, 7, r->auth.org_id, wc_cur.channel_id,
	    wc_cur.visitor_id, wa_json_str(body, "endpoint"),
	    wa_json_str(keys, "p256dh"), wa_json_str(keys, "auth"), max) !=
	    WA_OK)
		return r->err.code;
	if (PQntuples(res) != 1)
		return wa_fail(r, WA_ERR_UNPROCESSABLE, "A visitor has at most "
		    "%d push subscriptions; unsubscribe one first",
		    PUSH_SUBS_MAX);
	out = cJSON_CreateObject();
	cJSON_AddStringToObject(out, "id", wa_db_get(res, 0, "id"));
	return wa_resp_ok(r, 201, out);
}

/* POST push/unsubscribe {endpoint}: 204, whether it was there or not. */
enum wa_err
wv_push_unsubscribe(struct wa_req *r)
{
	static const struct wa_field fields[] = {
		WA_FIELD_STR("endpoint", WA_F_REQUIRED_TEXT, 1024),
		WA_FIELD_END
	};
	cJSON		*body;
	PGresult	*res;

	if (wa_json_body(r, &body) != WA_OK ||
	    wa_json_validate(r, body, fields, NULL) != WA_OK ||
	    wa_db_q(r, &res, "DELETE FROM wa.web_chat_push_subs WHERE "
	    "visitor_id = $1 AND endpoint = $2", 2, wc_cur.visitor_id,
	    wa_json_str(body, "endpoint")) != WA_OK)
		return r->err.code;
	return wa_resp_empty(r, 204);
}

/* ---- the worker ---------------------------------------------------- */

struct push {
	char		 id[24];
	char		 org_id[WA_UUID_LEN];
	int		 attempts;
	int		 found;
	const char	*endpoint, *p256dh, *auth, *sub_id, *payload;
	int		 status;
	const char	*error;
};

static enum wa_err
claim(struct wa_req *r, void *arg)
{
	struct push	*p = arg;
	PGresult	*res;

	if (wa_db_q(r, &res, "SELECT * FROM wa.web_chat_push_claim()", 0) !=
	    WA_OK)
		return r->err.code;
	if ((p->found = PQntuples(res) == 1)) {
		snprintf(p->id, sizeof(p->id), "%s", wa_db_get(res, 0, "id"));
		snprintf(p->org_id, sizeof(p->org_id), "%s",
		    wa_db_get(res, 0, "org_id"));
		p->attempts = (int)wa_db_int(res, 0, "attempts", 0);
	}
	return WA_OK;
}

/* The subscription and the payload: {type, channel, conversationId,
 * messageId, sender, body}. */
static enum wa_err
load(struct wa_req *r, void *arg)
{
	static const char sql[] =
	    "SELECT s.id AS sub_id, s.endpoint, s.p256dh, s.auth, "
	    "json_build_object('type', 'message', 'channel', h.name, "
	    "'conversationId', m.conversation_id, 'messageId', m.id, "
	    "'sender', m.sender, 'body', left(coalesce(m.body, "
	    "'[' || m.type || ']'), 500))::text AS payload "
	    "FROM wa.web_chat_pushes p "
	    "JOIN wa.web_chat_push_subs s ON s.id = p.sub_id "
	    "JOIN wa.web_chat_messages m ON m.id = p.message_id "
	    "JOIN wa.web_chat_channels h ON h.id = s.channel_id "
	    "WHERE p.id = $1::bigint";
	struct push	*p = arg;
	PGresult	*res;

	if (wa_db_q(r, &res, sql, 1, p->id) != WA_OK)
		return r->err.code;
	if (PQntuples(res) != 1)
		return wa_fail(r, WA_ERR_NOT_FOUND, "gone");
	p->sub_id = wa_arena_strdup(r->arena, wa_db_get(res, 0, "sub_id"));
	p->endpoint = wa_arena_strdup(r->arena, wa_db_get(res, 0,
	    "endpoint"));
	p->p256dh = wa_arena_strdup(r->arena, wa_db_get(res, 0, "p256dh"));
	p->auth = wa_arena_strdup(r->arena, wa_db_get(res, 0, "auth"));
	p->payload = wa_arena_strdup(r->arena, wa_db_get(res, 0,
	    "payload"));
	return WA_OK;
}

/* Encrypts, signs and sends p: p->status (0: no answer) and p->error. */
static void
deliver(struct wa_req *r, struct push *p)
{
	static const char *names[] = { "TTL", "Content-Encoding",
	    "Content-Type", "Authorization", "Urgency" };
	const char		*values[5];
	struct wa_vapid		 v;
	struct wa_fetch_opts	 o;
	struct wa_fetch_req	 q;
	struct wa_fetch_resp	 a;
	unsigned char		*body;
	size_t			 len;

	v.private_b64 = r->cfg->vapid_private;
	v.public_b64 = r->cfg->vapid_public;
	v.subject = r->cfg->vapid_subject;
	if (wa_webpush_encrypt(r->arena, p->p256dh, p->auth, p->payload,
	    strlen(p->payload), NULL, NULL, &body, &len) != 0 ||
	    (values[3] = wa_vapid_header(r->arena, &v, p->endpoint,
	    wa_clock_now_ms() / 1000)) == NULL) {
		p->error = "cannot encrypt or sign (keys)";
		return;
	}
	values[0] = PUSH_TTL;
	values[1] = "aes128gcm";
	values[2] = "application/octet-stream";
	values[4] = "normal";
	memset(&o, 0, sizeof(o));
	o.timeout_ms = PUSH_TIMEOUT_MS;
	o.max_bytes = 16 * 1024;
	o.allow = r->cfg->push_allow;
	memset(&q, 0, sizeof(q));
	q.method = "POST";
	q.url = p->endpoint;
	q.names = names;
	q.values = values;
	q.nheaders = 5;
	q.body = (const char *)body;
	q.body_len = len;
	wa_fetch(r->arena, &o, &q, &a);
	p->status = a.error == NULL ? a.status : 0;
	p->error = a.error;
}

/* What the push service said: sent; gone (404, 410: the subscription
 * is deleted, and its pushes); or failed, tried again while it may
 * help. */
static enum wa_err
record(struct wa_req *r, void *arg)
{
	static const char sql_sent[] =
	    "WITH s AS (UPDATE wa.web_chat_push_subs SET last_ok_at = now(), "
	    "failures = 0 WHERE id = $2) UPDATE wa.web_chat_pushes SET "
	    "state = 'sent', status = $3::integer, attempts = attempts + 1 "
	    "WHERE id = $1::bigint";
	static const char sql_gone[] =
	    "DELETE FROM wa.web_chat_push_subs WHERE id = $1";
	static const char sql_failed[] =
	    "UPDATE wa.web_chat_pushes SET attempts = attempts + 1, "
	    "status = NULLIF($2, '0')::integer, error = left($3, 512), "
	    "state = CASE WHEN $4::boolean OR attempts + 1 >= $5::integer "
	    "THEN 'failed' ELSE 'pending' END, next_at = now() + "
	    "make_interval(mins => power(2, attempts)::integer) "
	    "WHERE id = $1::bigint";
	struct push	*p = arg;
	PGresult	*res;
	char		 st[16], tries[16];
	int		 retry;

	snprintf(st, sizeof(st), "%d", p->status);
	if (p->status >= 200 && p->status < 300)
		return wa_db_q(r, &res, sql_sent, 3, p->id, p->sub_id, st);
	if (p->status == 404 || p->status == 410)
		return wa_db_q(r, &res, sql_gone, 1, p->sub_id);
	retry = p->status == 0 || p->status == 429 || p->status >= 500;
	snprintf(tries, sizeof(tries), "%d", PUSH_TRIES);
	return wa_db_q(r, &res, sql_failed, 5, p->id, st, p->error != NULL ?
	    p->error : "refused by the push service", retry ? "false" :
	    "true", tries);
}

int
wc_push_run(struct wa_req *r)
{
	struct push	p;

	memset(&p, 0, sizeof(p));
	if (wa_db_tx(r, claim, &p) != WA_OK)
		return -1;
	if (!p.found)
		return 0;
	if (wa_db_tx_org(r, p.org_id, load, &p) != WA_OK) {
		wa_req_clear_err(r);	/* gone with its subscription */
		return 1;
	}
	deliver(r, &p);
	if (p.status < 200 || p.status >= 300)
		wa_log(WA_LOG_WARN, "web push %s: %d %s", p.id, p.status,
		    p.error != NULL ? p.error : "refused");
	return wa_db_tx_org(r, p.org_id, record, &p) == WA_OK ? 1 : -1;
}
