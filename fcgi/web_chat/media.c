/*
 * Files of web chat, in the media store (lib/media, docs/media.md):
 * a channel's avatar (POST/DELETE .../channels/{id}/avatar: a PNG, JPG
 * or WebP of at most 8 MB, by its content) and a visitor's upload
 * (POST /web-chat/{token}/upload), which its next message attaches
 * with mediaAssetId.
 */
#include <string.h>

#include "arena.h"
#include "db.h"
#include "json.h"
#include "media.h"
#include "resp.h"

#include "web_chat.h"

enum wa_err
wc_avatar_set(struct wa_req *r)
{
	static const char sql[] =
	    "UPDATE wa.web_chat_channels SET avatar_media_id = $2, "
	    "updated_at = now() WHERE id = $1";
	struct wa_media_rules	 rules;
	struct wa_media		 m;
	const char		*id;
	PGresult		*res;

	memset(&rules, 0, sizeof(rules));
	rules.max = WC_AVATAR_MAX;
	rules.images_only = 1;
	rules.image_max = WC_AVATAR_MAX;
	/* the channel first: another tenant's is 404 whatever the file */
	if ((id = wc_path_id(r)) == NULL ||
	    wa_db_q(r, &res, "SELECT 1 FROM wa.web_chat_channels "
	    "WHERE id = $1", 1, id) != WA_OK ||
	    wa_db_one_or_fail(r, res, NULL, WC_WHAT) != WA_OK ||
	    wa_media_upload(r, &rules, &m) != WA_OK ||
	    wa_db_q(r, &res, sql, 2, id, m.id) != WA_OK)
		return r->err.code;
	return wc_respond(r, id, 201);
}

enum wa_err
wc_avatar_delete(struct wa_req *r)
{
	return wc_change(r, "UPDATE wa.web_chat_channels SET "
	    "avatar_media_id = NULL, updated_at = now() WHERE id = $1");
}

/* At most WC_UPLOADS_PER_MIN files of a visitor a minute. */
static enum wa_err
upload_rate_ok(struct wa_req *r)
{
	static const char sql[] =
	    "SELECT count(*) >= $2::integer AS full FROM (SELECT 1 "
	    "FROM wa.media WHERE visitor_id = $1 AND created_at > now() - "
	    "interval '1 minute' LIMIT $2::integer) x";
	PGresult	*res;

	if (wa_db_q(r, &res, sql, 2, wc_cur.visitor_id,
	    wa_arena_printf(r->arena, "%d", WC_UPLOADS_PER_MIN)) != WA_OK)
		return r->err.code;
	if (wa_db_bool(res, 0, "full", 0)) {
		r->err.retry_after = 10;
		return wa_fail(r, WA_ERR_RATE_LIMITED, "Too many uploads in "
		    "the last minute; retry after Retry-After");
	}
	return WA_OK;
}

/* POST /web-chat/{token}/upload: 201 with the file
 * (wa_media_asset_json). */
enum wa_err
wv_upload(struct wa_req *r)
{
	struct wa_media_rules	 rules;
	struct wa_media		 m;
	cJSON			*o;

	memset(&rules, 0, sizeof(rules));
	rules.max = WC_UPLOAD_MAX;
	rules.visitor_id = wc_cur.visitor_id;
	if (upload_rate_ok(r) != WA_OK ||
	    wa_media_upload(r, &rules, &m) != WA_OK ||
	    (o = wa_media_asset_json(r, &m)) == NULL)
		return r->err.code;
	return wa_resp_ok(r, 201, o);
}
