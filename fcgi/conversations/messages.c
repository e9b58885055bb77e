/*
 * A conversation's messages: what the customer sent (wa.inbound_messages)
 * and what wagate sent them (wa.messages, every path), one list in the
 * order wagate had them, read by keyset in either direction; and an
 * agent's reply, which goes out through the sending engine like every
 * other message (docs/sending.md) and is answered with its outcome.
 */
#include <string.h>

#include "accounts.h"
#include "arena.h"
#include "clock.h"
#include "crypto.h"
#include "db.h"
#include "json.h"
#include "media.h"
#include "pgval.h"
#include "resp.h"
#include "send/send.h"
#include "valid.h"

#include "conversations.h"

/* One message as JSON: the same members for both directions. */
#define OUT_JSON(conv) \
	"json_build_object('id', m.id, 'conversationId', " conv ", " \
	"'direction', 'outbound', 'type', m.type, " \
	"'text', CASE WHEN m.type = 'text' THEN m.body->>'body' " \
	"ELSE m.body->>'caption' END, 'content', m.body, " \
	"'status', m.status, 'origin', m.origin, 'wamid', m.wamid, " \
	"'replyTo', NULL, 'error', CASE WHEN m.status IN ('failed', " \
	"'skipped', 'unknown') AND m.error_code IS NOT NULL THEN " \
	"json_build_object('code', m.error_code, 'message', m.error) END, " \
	"'createdAt', wa.rfc3339(m.created_at), " \
	"'sentAt', wa.rfc3339(m.sent_at), " \
	"'deliveredAt', wa.rfc3339(m.delivered_at), " \
	"'readAt', wa.rfc3339(m.read_at))"
#define IN_JSON(conv) \
	"json_build_object('id', i.id, 'conversationId', " conv ", " \
	"'direction', 'inbound', 'type', i.type, " \
	"'text', coalesce(i.message->'text'->>'body', " \
	"i.message->'button'->>'text', " \
	"i.message->'interactive'->'button_reply'->>'title', " \
	"i.message->'interactive'->'list_reply'->>'title', " \
	"i.message->(i.type)->>'caption'), " \
	"'content', CASE WHEN i.media_id IS NULL THEN i.message->(i.type) " \
	"ELSE (i.message->(i.type)) || (SELECT jsonb_build_object(" \
	"'stored', jsonb_build_object('id', d.id, 'mimeType', d.mime, " \
	"'bytes', d.bytes, 'mediaKey', d.object_key)) FROM wa.media d " \
	"WHERE d.id = i.media_id) END, 'status', 'received', " \
	"'origin', NULL, 'wamid', i.wamid, 'replyTo', i.context_wamid, " \
	"'error', NULL, 'createdAt', wa.rfc3339(i.received_at), " \
	"'sentAt', wa.rfc3339(i.sent_at), 'deliveredAt', NULL, " \
	"'readAt', NULL)"

/*
 * $1 account, $2 phone, $3 the phone's digits (Meta's wa_id), $4 $5 the
 * cursor, $6 how many, $7 the conversation.  Each side reads at most
 * $6 rows from its index (account, phone, time, id), then the two are
 * merged.
 */
#define PAGE(cmp, dir) \
	"SELECT x.data::text AS data, " \
	WA_PGVAL_CURSOR_TIME("x.at") " AS cursor_at, x.id FROM (" \
	"(SELECT m.created_at AS at, m.id, " OUT_JSON("$7::uuid") " AS data " \
	"FROM wa.messages m WHERE m.account_id = $1 AND m.to_phone = $2 " \
	"AND (m.created_at, m.id) " cmp " ($4::timestamptz, $5::uuid) " \
	"ORDER BY m.created_at " dir ", m.id " dir " LIMIT $6::integer) " \
	"UNION ALL " \
	"(SELECT i.received_at, i.id, " IN_JSON("$7::uuid") " " \
	"FROM wa.inbound_messages i WHERE i.account_id = $1 " \
	"AND i.from_wa_id = $3 " \
	"AND (i.received_at, i.id) " cmp " ($4::timestamptz, $5::uuid) " \
	"ORDER BY i.received_at " dir ", i.id " dir " LIMIT $6::integer)" \
	") x ORDER BY x.at " dir ", x.id " dir " LIMIT $6::integer"

static const char sql_older[] = PAGE("<", "DESC");
static const char sql_newer[] = PAGE(">", "ASC");

/*
 * GET .../messages: newest first, `limit` (1-100, 50) older than
 * ?before= (a cursor this list gave); or with ?after=, the ones newer
 * than it, oldest first (what arrived since).  The next page's path is
 * in Link.
 */
enum wa_err
msg_list(struct wa_req *r)
{
	const char	*before = wa_req_query(r, "before");
	const char	*after = wa_req_query(r, "after");
	const char	*id, *at, *cid, *next = NULL;
	struct conv	 c;
	PGresult	*res;
	long		 limit;
	int		 rows;

	limit = wa_req_query_long(r, "limit", CONV_PAGE_DEFAULT, 1,
	    CONV_PAGE_MAX);
	if (before != NULL && after != NULL)
		wa_fail_field(r, "after", "cannot be given with before");
	else if (after != NULL && wa_pgval_cursor(r->arena, after, &at,
	    &cid) != 0)
		wa_fail_field(r, "after", "must be a cursor this list gave");
	else if (after == NULL && wa_pgval_cursor(r->arena, before, &at,
	    &cid) != 0)
		wa_fail_field(r, "before", "must be a cursor this list gave");
	if ((id = conv_path_id(r)) == NULL || r->err.code != WA_OK ||
	    conv_load(r, id, 0, &c) != WA_OK)
		return r->err.code;
	if (strcmp(c.channel, "web_chat") == 0) {
		if (wcm_page(r, id, cid, after != NULL, limit, &res) != WA_OK)
			return r->err.code;
	} else if (wa_db_q(r, &res, after != NULL ? sql_newer : sql_older, 7,
	    c.account_id, c.peer, c.peer + 1, at, cid,
	    wa_arena_printf(r->arena, "%ld", limit + 1), id) != WA_OK)
		return r->err.code;
	rows = PQntuples(res) > limit ? (int)limit : PQntuples(res);
	if (rows > 0 && PQntuples(res) > limit)
		next = wa_arena_printf(r->arena, "/organizations/%s/"
		    "conversations/%s/messages?limit=%ld&%s=%s_%s",
		    r->auth.org_id, id, limit, after != NULL ? "after" :
		    "before", wa_db_get(res, rows - 1, "cursor_at"),
		    wa_db_get(res, rows - 1, "id"));
	wa_resp_paging(r, next != NULL, next, -1);
	return wa_media_resp_raw(r, 200, conv_rows_json(r, res, rows), 0);
}

/* ---- an agent's reply ---------------------------------------------- */

static const char *const types[] = { "text", "template", "image", "video",
    "audio", "document", NULL };

static int
media_id_ok(const char *s)
{
	return wa_account_valid_meta_id(s);
}

static const struct wa_field media_fields[] = {
	WA_FIELD_STR_CHECK("url", WA_F_NONEMPTY, 2048, wa_valid_url,
	    "must be an absolute http(s) URL"),
	WA_FIELD_STR_CHECK("id", WA_F_NONEMPTY, 64, media_id_ok,
	    "must be a media id Meta gave"),
	WA_FIELD_STR("caption", 0, CONV_CAPTION_MAX),
	WA_FIELD_STR("filename", WA_F_NONEMPTY, CONV_FILENAME_MAX),
	WA_FIELD_END
};

static const struct wa_field send_fields[] = {
	WA_FIELD_ENUM("type", 0, types),
	WA_FIELD_STR("text", WA_F_NONEMPTY, CONV_TEXT_MAX),
	WA_FIELD_BOOL("previewUrl", 0),
	WA_FIELD_OBJ("media", 0, media_fields),
	WA_FIELD_END
};

/* Meta's object of a text or media message, as the queue stores it;
 * NULL with the problem recorded. */
static const char *
body_of(struct wa_req *r, const char *type, const cJSON *in)
{
	const cJSON	*m = cJSON_GetObjectItemCaseSensitive(in, "media");
	cJSON		*o = cJSON_CreateObject();

	if (strcmp(type, "text") == 0) {
		if (wa_json_str(in, "text") == NULL) {
			wa_fail_field(r, "text", "is required for a text");
			return NULL;
		}
		cJSON_AddStringToObject(o, "body", wa_json_str(in, "text"));
		if (wa_json_bool(in, "previewUrl", 0))
			cJSON_AddTrueToObject(o, "preview_url");
		return wa_json_print(o);
	}
	if ((wa_json_str(m, "url") == NULL) == (wa_json_str(m, "id") == NULL)) {
		wa_fail_field(r, "media", "needs url or id (one of them)");
		return NULL;
	}
	if (wa_json_str(m, "caption") != NULL && strcmp(type, "audio") == 0) {
		wa_fail_field(r, "media.caption", "cannot go with audio");
		return NULL;
	}
	if (wa_json_str(m, "filename") != NULL &&
	    strcmp(type, "document") != 0) {
		wa_fail_field(r, "media.filename", "is for documents only");
		return NULL;
	}
	wa_json_add_strn(o, "link", wa_json_str(m, "url"));
	wa_json_add_strn(o, "id", wa_json_str(m, "id"));
	wa_json_add_strn(o, "caption", wa_json_str(m, "caption"));
	wa_json_add_strn(o, "filename", wa_json_str(m, "filename"));
	return wa_json_print(o);
}

/* A template reply: checked against wagate's copy; its base components
 * must fill the body.  The body of the queued message is built by the
 * statement (wa.template_object). */
static enum wa_err
template_of(struct wa_req *r, const struct wa_account *acc,
    const cJSON *in, struct wa_send_tpl *t, const char **n)
{
	static const char sql[] =
	    "SELECT wa.template_vars_problem(NULL, $1::jsonb, $2::integer) "
	    "AS problem";
	struct wa_send_tpl_check	 chk;
	PGresult			*res;

	wa_send_tpl_parse(r, in, "template", t);
	if (r->err.code != WA_OK || wa_send_tpl_check(r, acc, t, &chk) !=
	    WA_OK)
		return r->err.code;
	if (chk.problem != NULL)
		return wa_fail_as(r, WA_ERR_UNPROCESSABLE,
		    "template_not_sendable", "The template cannot be sent: %s",
		    chk.problem);
	*n = wa_arena_printf(r->arena, "%d", chk.body_params);
	if (wa_db_q(r, &res, sql, 2, wa_json_print(t->components), *n) !=
	    WA_OK)
		return r->err.code;
	if (wa_db_get(res, 0, "problem") != NULL)
		return wa_fail_as(r, WA_ERR_UNPROCESSABLE, "template_params",
		    "The template cannot be sent: %s (give them in "
		    "template.components)", wa_db_get(res, 0, "problem"));
	return WA_OK;
}

static enum wa_err
enqueue(struct wa_req *r, const struct conv *c, const char *batch,
    const char *type, const char *body, const struct wa_send_tpl *t,
    const char *n)
{
	static const char sql[] =
	    "WITH q AS (INSERT INTO wa.messages (org_id, account_id, origin, "
	    "batch_id, seq, priority, to_phone, contact_id, type, body, "
	    "template_name, template_language, status, error_code, error) "
	    "SELECT $1, $2, 'agent', $3, 1, 0, $4, $5::uuid, $6, "
	    "CASE WHEN $6 = 'template' THEN wa.template_object($8, $9, "
	    "$10::jsonb, NULL, $11::integer) ELSE $7::jsonb END, $8, $9, "
	    "CASE WHEN s.why IS NULL THEN 'queued' ELSE 'skipped' END, "
	    "s.why, wa.suppression_words(s.why) "
	    "FROM (SELECT wa.suppressed($2, $4) AS why) s RETURNING id) "
	    "UPDATE wa.conversations SET handler = 'agent', "
	    "updated_at = now() WHERE id = $12";
	const char	*vals[12];
	PGresult	*res;

	vals[0] = r->auth.org_id;
	vals[1] = c->account_id;
	vals[2] = batch;
	vals[3] = c->peer;
	vals[4] = c->contact_id;
	vals[5] = type;
	vals[6] = body;
	vals[7] = t->name;
	vals[8] = t->language;
	vals[9] = t->components != NULL ? wa_json_print(t->components) : NULL;
	vals[10] = n;
	vals[11] = c->id;
	return wa_db_exec(r, &res, sql, 12, vals);
}

/*
 * POST .../messages: a text, a media message (by URL or Meta's media
 * id) or a template.  Inside the customer service window anything
 * goes; outside it only a template, and anything else is refused
 * before Meta sees it.  The message is committed, then the finish step
 * waits for its outcome (as bulk sends do) and answers 201 with it.
 */
enum wa_err
msg_send(struct wa_req *r)
{
	struct conv		 c;
	struct wa_account	 acc;
	struct wa_send_tpl	 t;
	const char		*id, *type, *body = NULL, *n = NULL, *paused;
	char			 batch[WA_UUID_LEN];
	cJSON			*in;

	memset(&t, 0, sizeof(t));
	if ((id = conv_path_id(r)) == NULL || wa_json_body(r, &in) != WA_OK ||
	    wa_json_validate(r, in, send_fields, NULL) != WA_OK)
		return r->err.code;
	if ((type = wa_json_str(in, "type")) == NULL)
		type = wa_json_has(in, "template") ? "template" :
		    wa_json_has(in, "media") ? "image" : "text";
	if (strcmp(type, "template") != 0 && strcmp(type, "text") != 0 &&
	    !wa_json_has(in, "media"))
		return wa_fail_field(r, "media", "is required for %s", type);
	if (strcmp(type, "template") != 0 &&
	    (body = body_of(r, type, in)) == NULL)
		return r->err.code;
	if (conv_load(r, id, 1, &c) != WA_OK)
		return r->err.code;
	if (strcmp(c.channel, "whatsapp") != 0)
		return wa_fail_as(r, WA_ERR_UNPROCESSABLE, "wrong_channel",
		    "This conversation is not a WhatsApp conversation");
	if (wa_account_get(r, c.account_id, &acc) != WA_OK ||
	    wa_send_paused(r, acc.id, &paused) != WA_OK)
		return r->err.code;
	if (paused != NULL)
		return wa_fail_as(r, WA_ERR_UNPROCESSABLE, "account_paused",
		    "Sending from this account is paused: %s", paused);
	if (strcmp(type, "template") != 0 && !c.window_open)
		return c.window_end == NULL ? wa_fail_as(r,
		    WA_ERR_UNPROCESSABLE, "outside_window", "The customer has "
		    "not written to this number: only a template can start "
		    "the conversation") : wa_fail_as(r, WA_ERR_UNPROCESSABLE,
		    "outside_window", "The 24-hour customer service window "
		    "ended at %s (24 hours after the customer's last message): "
		    "only a template can be sent until the customer writes "
		    "again", c.window_end);
	if (strcmp(type, "template") == 0 &&
	    template_of(r, &acc, in, &t, &n) != WA_OK)
		return r->err.code;
	if (wa_crypto_uuid7((uint64_t)wa_clock_now_ms(), batch) != 0)
		return wa_fail(r, WA_ERR_INTERNAL, "no random bytes");
	if (enqueue(r, &c, batch, type, body, &t, n) != WA_OK)
		return r->err.code;
	/* committed by the dispatcher, then msg_send_finish() */
	snprintf(r->resume, sizeof(r->resume), "%s", batch);
	return WA_OK;
}

static enum wa_err
sent_tx(struct wa_req *r, void *arg)
{
	static const char sql[] =
	    "SELECT " OUT_JSON("c.id") "::text AS data FROM wa.messages m "
	    "JOIN wa.conversations c ON c.account_id = m.account_id "
	    "AND c.peer = m.to_phone AND c.channel = 'whatsapp' "
	    "WHERE m.batch_id = $1";

	return wa_db_q(r, (PGresult **)arg, sql, 1, r->resume);
}

enum wa_err
msg_send_finish(struct wa_req *r)
{
	PGresult	*res;
	long		 pending;

	if (wa_send_wait(r, r->resume, wa_send_deadline(r), &pending) !=
	    WA_OK || wa_db_tx_org(r, r->auth.org_id, sent_tx, &res) != WA_OK)
		return r->err.code;
	if (PQntuples(res) != 1)
		return wa_fail(r, WA_ERR_INTERNAL, "Internal error");
	return wa_resp_ok_raw(r, 201, wa_db_get(res, 0, "data"));
}
