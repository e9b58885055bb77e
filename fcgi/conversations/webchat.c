/*
 * Web chat conversations (docs/web-chat.md) in the agents' API: their
 * messages (wa.web_chat_messages) in the same list and shape as
 * WhatsApp's, and an agent's reply, POST .../{id}/web-chat/send, which
 * the visitor's widget reads from its history.
 */
#include <string.h>

#include "arena.h"
#include "db.h"
#include "json.h"
#include "media.h"
#include "pgval.h"
#include "resp.h"
#include "valid.h"

#include "conversations.h"

/* A web chat message as the agents' list shows every message. */
#define WCM_JSON \
	"json_build_object('id', m.id, 'conversationId', m.conversation_id, " \
	"'direction', m.direction, 'type', m.type, 'text', m.body, " \
	"'content', json_build_object('body', m.body), " \
	"'status', CASE m.direction WHEN 'inbound' THEN 'received' " \
	"ELSE 'sent' END, " \
	"'origin', CASE m.direction WHEN 'outbound' THEN m.sender END, " \
	"'wamid', NULL, 'replyTo', m.reply_to, 'error', NULL, " \
	"'mediaAssetId', m.media_id, 'media', (SELECT json_build_object(" \
	"'id', d.id, 'mimeType', d.mime, 'bytes', d.bytes, " \
	"'fileName', d.filename, 'mediaKey', d.object_key) FROM wa.media d " \
	"WHERE d.id = m.media_id), " \
	"'createdAt', wa.rfc3339(m.created_at), " \
	"'sentAt', wa.rfc3339(m.created_at), 'deliveredAt', NULL, " \
	"'readAt', NULL)"

/* $1 the cursor's id (ids are UUIDv7: their order is the time's), $2
 * how many, $3 the conversation. */
#define PAGE(cmp, dir) \
	"SELECT " WCM_JSON "::text AS data, " \
	WA_PGVAL_CURSOR_TIME("m.created_at") " AS cursor_at, m.id " \
	"FROM wa.web_chat_messages m WHERE m.conversation_id = $3::uuid " \
	"AND m.id " cmp " $1::uuid ORDER BY m.id " dir " LIMIT $2::integer"

static const char sql_older[] = PAGE("<", "DESC");
static const char sql_newer[] = PAGE(">", "ASC");

enum wa_err
wcm_page(struct wa_req *r, const char *conv_id, const char *cursor_id,
    int newer, long limit, PGresult **res)
{
	return wa_db_q(r, res, newer ? sql_newer : sql_older, 3, cursor_id,
	    wa_arena_printf(r->arena, "%ld", limit + 1), conv_id);
}

static const char *const types[] = { "text", "image", "video", "audio",
    "document", NULL };

/* The type of a message with the organization's medium `media`: what
 * its MIME type is a kind of; the one the agent named must agree. */
static enum wa_err
attachment(struct wa_req *r, const char *media, const char **type)
{
	static const char sql[] =
	    "SELECT wa.media_kind(mime) AS kind FROM wa.media "
	    "WHERE id = $1::uuid";
	PGresult	*res;
	const char	*kind;

	if (wa_db_ref(r, &res, "mediaAssetId", media, sql, NULL, "must be "
	    "the id of a file of the media store (POST .../web-chat/media)")
	    != WA_OK)
		return r->err.code;
	kind = wa_arena_strdup(r->arena, wa_db_get(res, 0, "kind"));
	if (*type != NULL && strcmp(*type, kind) != 0)
		return wa_fail_field(r, "type", "is %s, but the file is of "
		    "type %s", *type, kind);
	*type = kind;
	return WA_OK;
}

/* replyToMessageId, when given, is a message of conversation id. */
static enum wa_err
reply_ok(struct wa_req *r, const char *id, const char *reply)
{
	static const char sql[] =
	    "SELECT 1 FROM wa.web_chat_messages WHERE id = $1::uuid "
	    "AND conversation_id = $2";
	PGresult	*res;

	if (reply == NULL)
		return WA_OK;
	return wa_db_ref(r, &res, "replyToMessageId", reply, sql, id,
	    "must be the id of a message of this conversation");
}

/*
 * POST .../web-chat/send: {type, body, mediaAssetId, replyToMessageId}:
 * a text, an attachment of the media store, or both; the conversation
 * is the agents' from then on (a bot in it stops).
 */
enum wa_err
wcm_send(struct wa_req *r)
{
	static const struct wa_field fields[] = {
		WA_FIELD_ENUM("type", 0, types),
		WA_FIELD_STR("body", WA_F_NONEMPTY, CONV_TEXT_MAX),
		WA_FIELD_STR("mediaAssetId", 0, 36),
		WA_FIELD_STR("replyToMessageId", 0, 36),
		WA_FIELD_END
	};
	static const char sql[] =
	    "WITH h AS (UPDATE wa.conversations SET handler = 'agent', "
	    "updated_at = now() WHERE id = $2 AND handler <> 'agent') "
	    "INSERT INTO wa.web_chat_messages AS m (org_id, conversation_id, "
	    "direction, sender, type, body, reply_to, media_id) VALUES ($1, "
	    "$2, 'outbound', 'agent', $3, $4, $5::uuid, $6::uuid) "
	    "RETURNING " WCM_JSON "::text AS data";
	const char	*id, *type, *media;
	struct conv	 c;
	cJSON		*in;
	PGresult	*res;

	if ((id = conv_path_id(r)) == NULL || wa_json_body(r, &in) != WA_OK)
		return r->err.code;
	(void)wa_json_validate(r, in, fields, NULL);
	type = wa_json_str(in, "type");
	media = wa_json_str(in, "mediaAssetId");
	if (media == NULL && type != NULL && strcmp(type, "text") != 0)
		(void)wa_fail_field(r, "mediaAssetId", "is required for %s",
		    type);
	else if (media == NULL && wa_json_str(in, "body") == NULL)
		(void)wa_fail_field(r, "body", "is required for a text");
	if (r->err.code != WA_OK || conv_load(r, id, 1, &c) != WA_OK)
		return r->err.code;
	if (strcmp(c.channel, "web_chat") != 0)
		return wa_fail_as(r, WA_ERR_UNPROCESSABLE, "wrong_channel",
		    "This conversation is not a web chat conversation: "
		    "answer it with POST .../messages");
	if (media != NULL && attachment(r, media, &type) != WA_OK)
		return r->err.code;
	if (reply_ok(r, id, wa_json_str(in, "replyToMessageId")) != WA_OK ||
	    wa_db_q(r, &res, sql, 6, r->auth.org_id, id, type != NULL ? type :
	    "text", wa_json_str(in, "body"), wa_json_str(in,
	    "replyToMessageId"), media) != WA_OK)
		return r->err.code;
	return wa_media_resp_raw(r, 201, wa_db_get(res, 0, "data"), 0);
}

/* POST .../web-chat/media: 201 {mediaAssetId, mimeType, bytes,
 * fileName, url, urlExpiresAt} for a web chat conversation. */
enum wa_err
wcm_media(struct wa_req *r)
{
	struct wa_media_rules	 rules;
	struct wa_media		 m;
	struct conv		 c;
	const char		*id;
	cJSON			*o;

	memset(&rules, 0, sizeof(rules));
	if ((id = conv_path_id(r)) == NULL || conv_load(r, id, 0, &c) != WA_OK)
		return r->err.code;
	if (strcmp(c.channel, "web_chat") != 0)
		return wa_fail_as(r, WA_ERR_UNPROCESSABLE, "wrong_channel",
		    "This conversation is not a web chat conversation");
	if (wa_media_upload(r, &rules, &m) != WA_OK ||
	    (o = wa_media_asset_json(r, &m)) == NULL)
		return r->err.code;
	return wa_resp_ok(r, 201, o);
}
