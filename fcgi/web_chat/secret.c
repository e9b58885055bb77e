/*
 * What a channel gives the business's site: the install snippet, and
 * the identity secret the site signs its visitors' ids with (shown
 * once, kept sealed under WA_SECRET_KEY).
 */
#include <string.h>

#include "arena.h"
#include "cfg.h"
#include "crypto.h"
#include "db.h"
#include "json.h"
#include "resp.h"
#include "secret.h"

#include "web_chat.h"

/*
 * GET .../snippet: the tag that loads the widget for this channel,
 * {channelId, token, scriptUrl, snippet}.  The token is [A-Za-z0-9_]
 * and the base has no character an attribute would quote.
 */
enum wa_err
wc_snippet(struct wa_req *r)
{
	static const char sql[] =
	    "SELECT token FROM wa.web_chat_channels WHERE id = $1";
	const char	*id, *base, *token, *script;
	PGresult	*res;
	cJSON		*out;

	if ((id = wc_path_id(r)) == NULL ||
	    wa_db_q(r, &res, sql, 1, id) != WA_OK ||
	    wa_db_one_or_fail(r, res, NULL, WC_WHAT) != WA_OK)
		return r->err.code;
	if ((base = wa_req_public_base(r)) == NULL)
		return wa_fail(r, WA_ERR_BAD_REQUEST, "The request names no "
		    "host to load the widget from; the operator sets "
		    "WA_PUBLIC_URL");
	token = wa_db_get(res, 0, "token");
	script = wa_arena_printf(r->arena, "%s/web-chat/widget.js", base);
	out = cJSON_CreateObject();
	cJSON_AddStringToObject(out, "channelId", id);
	cJSON_AddStringToObject(out, "token", token);
	cJSON_AddStringToObject(out, "scriptUrl", script);
	cJSON_AddStringToObject(out, "snippet", wa_arena_printf(r->arena,
	    "<script src=\"%s\" data-wagate-channel=\"%s\" async></script>",
	    script, token));
	return wa_resp_ok(r, 200, out);
}

/*
 * POST .../identity-secret: a new secret (the old one stops working at
 * once), answered this one time: 201 {secret, createdAt}.
 */
enum wa_err
wc_secret_rotate(struct wa_req *r)
{
	static const char sql[] =
	    "UPDATE wa.web_chat_channels SET identity_secret_enc = "
	    "decode($2, 'hex'), identity_secret_at = now(), "
	    "updated_at = now() WHERE id = $1 "
	    "RETURNING wa.rfc3339(identity_secret_at) AS at";
	unsigned char	 raw[WC_SECRET_BYTES];
	char		 secret[2 * WC_SECRET_BYTES + 1];
	const char	*id, *sealed;
	PGresult	*res;
	cJSON		*out;

	if ((id = wc_path_id(r)) == NULL)
		return r->err.code;
	if (wa_crypto_random(raw, sizeof(raw)) != 0)
		return wa_fail(r, WA_ERR_INTERNAL, "Internal error");
	wa_crypto_hex(raw, sizeof(raw), secret);
	wa_crypto_wipe(raw, sizeof(raw));
	if (wa_secret_seal(r, wa_arena_printf(r->arena,
	    "web_chat_channels.identity_secret:%s", id), secret,
	    &sealed) != WA_OK ||
	    wa_db_q(r, &res, sql, 2, id, sealed) != WA_OK ||
	    wa_db_one_or_fail(r, res, NULL, WC_WHAT) != WA_OK)
		return r->err.code;
	out = cJSON_CreateObject();
	cJSON_AddStringToObject(out, "channelId", id);
	cJSON_AddStringToObject(out, "secret", secret);
	cJSON_AddStringToObject(out, "createdAt", wa_db_get(res, 0, "at"));
	wa_crypto_wipe(secret, sizeof(secret));
	return wa_resp_ok(r, 201, out);
}

/* DELETE .../identity-secret: no secret; answers the channel. */
enum wa_err
wc_secret_revoke(struct wa_req *r)
{
	return wc_change(r, "UPDATE wa.web_chat_channels SET "
	    "identity_secret_enc = NULL, identity_secret_at = NULL, "
	    "updated_at = now() WHERE id = $1");
}
