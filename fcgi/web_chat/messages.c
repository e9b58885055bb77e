/*
 * A visitor's messages: POST /web-chat/{token}/messages (what the
 * visitor writes) and GET /web-chat/{token}/history (the conversation,
 * oldest first; ?after= for what a reconnecting widget missed).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "db.h"
#include "json.h"
#include "media.h"
#include "resp.h"
#include "valid.h"

#include "web_chat.h"

/* Out of hours with an offline action that takes no messages: 422 with
 * the channel's offline message. */
static enum wa_err
offline_refuses(struct wa_req *r)
{
	static const char sql[] =
	    "SELECT NOT wa.web_chat_online(operating_hours) AND "
	    "coalesce(offline_action->>'type', 'accept') IN ('reject', 'hide') "
	    "AS refuses, offline_message FROM wa.web_chat_channels "
	    "WHERE id = $1";
	PGresult	*res;
	const char	*m;

	if (wa_db_q(r, &res, sql, 1, wc_cur.channel_id) != WA_OK)
		return r->err.code;
	if (PQntuples(res) == 1 && wa_db_bool(res, 0, "refuses", 0)) {
		m = wa_db_get(res, 0, "offline_message");
		return wa_fail(r, WA_ERR_UNPROCESSABLE, "%s", m != NULL ? m :
		    "The chat is offline: outside its operating hours, it "
		    "takes no messages");
	}
	return WA_OK;
}

/* At most WC_MESSAGES_PER_MIN messages of a visitor a minute. */
static enum wa_err
rate_ok(struct wa_req *r)
{
	static const char sql[] =
	    "SELECT count(*) >= $2::integer AS full FROM (SELECT 1 "
	    "FROM wa.web_chat_messages WHERE conversation_id = $1 AND "
	    "direction = 'inbound' AND created_at > now() - interval "
	    "'1 minute' LIMIT $2::integer) x";
	PGresult	*res;

	if (wa_db_q(r, &res, sql, 2, wc_cur.conversation_id,
	    wa_arena_printf(r->arena, "%d", WC_MESSAGES_PER_MIN)) != WA_OK)
		return r->err.code;
	if (wa_db_bool(res, 0, "full", 0)) {
		r->err.retry_after = 10;
		return wa_fail(r, WA_ERR_RATE_LIMITED, "Too many messages in "
		    "the last minute; retry after Retry-After");
	}
	return WA_OK;
}

/* replyToMessageId, when given, is a message of this conversation. */
static enum wa_err
reply_ok(struct wa_req *r, const char *reply)
{
	static const char sql[] =
	    "SELECT 1 FROM wa.web_chat_messages WHERE id = $1::uuid "
	    "AND conversation_id = $2";
	PGresult	*res;

	if (reply == NULL)
		return WA_OK;
	return wa_db_ref(r, &res, "replyToMessageId", reply, sql,
	    wc_cur.conversation_id, "must be the id of a message of this "
	    "conversation");
}

/* The message's type from its attachment, which the visitor uploaded
 * (POST upload): "text" without one. */
static enum wa_err
attachment(struct wa_req *r, const char *media, const char **type)
{
	static const char sql[] =
	    "SELECT wa.media_kind(mime) AS kind FROM wa.media "
	    "WHERE id = $1::uuid AND visitor_id = $2";
	PGresult	*res;

	*type = "text";
	if (media == NULL)
		return WA_OK;
	if (wa_db_ref(r, &res, "mediaAssetId", media, sql, wc_cur.visitor_id,
	    "must be the id of a file this visitor uploaded") != WA_OK)
		return r->err.code;
	*type = wa_arena_strdup(r->arena, wa_db_get(res, 0, "kind"));
	return WA_OK;
}

/* POST messages: {body?, mediaAssetId?, replyToMessageId?}, a text, an
 * attachment, or both; 201 with the message. */
enum wa_err
wv_message(struct wa_req *r)
{
	static const struct wa_field fields[] = {
		WA_FIELD_STR("body", WA_F_NONEMPTY, WC_BODY_MAX),
		WA_FIELD_STR("replyToMessageId", 0, 36),
		WA_FIELD_STR("mediaAssetId", 0, 36),
		WA_FIELD_END
	};
	static const char sql[] =
	    "INSERT INTO wa.web_chat_messages AS m (org_id, conversation_id, "
	    "direction, sender, type, body, reply_to, media_id) VALUES ($1, "
	    "$2, 'inbound', 'visitor', $3, $4, $5::uuid, $6::uuid) "
	    "RETURNING " WC_MSG_JSON "::text AS data";
	const char	*reply, *media, *type;
	cJSON		*body;
	PGresult	*res;

	if (wa_json_body(r, &body) != WA_OK)
		return r->err.code;
	(void)wa_json_validate(r, body, fields, NULL);
	media = wa_json_str(body, "mediaAssetId");
	if (media == NULL && wa_json_str(body, "body") == NULL)
		(void)wa_fail_field(r, "body", "is required without "
		    "mediaAssetId");
	if (r->err.code != WA_OK)
		return r->err.code;
	reply = wa_json_str(body, "replyToMessageId");
	if (reply_ok(r, reply) != WA_OK || attachment(r, media, &type) !=
	    WA_OK || offline_refuses(r) != WA_OK || rate_ok(r) != WA_OK ||
	    wa_db_q(r, &res, sql, 6, r->auth.org_id, wc_cur.conversation_id,
	    type, wa_json_str(body, "body"), reply, media) != WA_OK)
		return r->err.code;
	return wa_media_resp_raw(r, 201, wa_db_get(res, 0, "data"), 0);
}

/*
 * GET history: {data: [messages, oldest first], hasMore, timestamp}.
 * Without ?after, the latest page (hasMore: older ones exist); with it,
 * the page after that message (hasMore: newer ones exist).
 */
enum wa_err
wv_history(struct wa_req *r)
{
#define PAGE(inner) \
	"SELECT json_build_object('data', coalesce(json_agg(" WC_MSG_JSON \
	" ORDER BY m.id) FILTER (WHERE m.n <= $3::integer), '[]'), " \
	"'hasMore', count(*) > $3::integer, " \
	"'timestamp', wa.rfc3339(now()))::text AS body FROM (" inner ") m"
	static const char sql_latest[] = PAGE(
	    "SELECT x.*, row_number() OVER (ORDER BY x.id DESC) AS n "
	    "FROM wa.web_chat_messages x WHERE x.conversation_id = $1 "
	    "AND $2::uuid IS NULL ORDER BY x.id DESC "
	    "LIMIT $3::integer + 1");
	static const char sql_after[] = PAGE(
	    "SELECT x.*, row_number() OVER (ORDER BY x.id) AS n "
	    "FROM wa.web_chat_messages x WHERE x.conversation_id = $1 "
	    "AND x.id > $2::uuid ORDER BY x.id LIMIT $3::integer + 1");
#undef PAGE
	const char	*after = wa_req_query(r, "after"), *b;
	long		 limit;
	PGresult	*res;

	limit = wa_req_query_long(r, "limit", WC_HISTORY_PAGE, 1,
	    WC_HISTORY_MAX);
	if (r->err.code != WA_OK)
		return r->err.code;
	if (after != NULL && !wa_valid_uuid(after))
		return wa_fail_field(r, "after", "must be the id of a message");
	if (wa_db_q(r, &res, after != NULL ? sql_after : sql_latest, 3,
	    wc_cur.conversation_id, after, wa_arena_printf(r->arena, "%ld",
	    limit)) != WA_OK)
		return r->err.code;
	b = wa_db_get(res, 0, "body");
	return wa_media_resp_raw(r, 200, b, 1);
}

/* POST presence: {state: active | away | typing}, 204; agents see it
 * in the conversation's visitor for two minutes. */
enum wa_err
wv_presence(struct wa_req *r)
{
	static const char *const states[] = { "active", "away", "typing",
	    NULL };
	static const struct wa_field fields[] = {
		WA_FIELD_ENUM("state", WA_F_REQUIRED, states),
		WA_FIELD_END
	};
	static const char sql[] =
	    "UPDATE wa.web_chat_visitors SET presence = $2, "
	    "presence_at = now() WHERE id = $1";
	cJSON		*body;
	PGresult	*res;

	if (wa_json_body(r, &body) != WA_OK ||
	    wa_json_validate(r, body, fields, NULL) != WA_OK ||
	    wa_db_q(r, &res, sql, 2, wc_cur.visitor_id,
	    wa_json_str(body, "state")) != WA_OK)
		return r->err.code;
	return wa_resp_empty(r, 204);
}
