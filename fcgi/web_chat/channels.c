/*
 * Channels: list, create, read, change, delete.  A body is checked and
 * reduced by wc_settings() and goes to the statement as one jsonb
 * parameter, whose members map to the columns here; a member an update
 * does not name leaves its column alone, and null clears the ones that
 * may be empty.
 */
#include <string.h>

#include "arena.h"
#include "crypto.h"
#include "db.h"
#include "json.h"
#include "media.h"
#include "resp.h"

#include "web_chat.h"

const char *
wc_path_id(struct wa_req *r)
{
	return wa_req_id(r, "channelId", NULL, WC_WHAT);
}

enum wa_err
wc_respond(struct wa_req *r, const char *id, int status)
{
	static const char sql[] =
	    "SELECT " WC_JSON "::text AS data FROM wa.web_chat_channels c "
	    "WHERE c.id = $1";
	PGresult	*res;

	if (wa_db_q(r, &res, sql, 1, id) != WA_OK ||
	    wa_db_one_or_fail(r, res, NULL, WC_WHAT) != WA_OK)
		return r->err.code;
	return wa_media_resp_raw(r, status, wa_db_get(res, 0, "data"), 0);
}

enum wa_err
wc_change(struct wa_req *r, const char *sql)
{
	const char	*id;
	PGresult	*res;

	if ((id = wc_path_id(r)) == NULL ||
	    wa_db_q(r, &res, sql, 1, id) != WA_OK)
		return r->err.code;
	if (strcmp(PQcmdTuples(res), "1") != 0)
		return wa_fail_not_found(r, NULL, WC_WHAT);
	return wc_respond(r, id, 200);
}

enum wa_err
wc_list(struct wa_req *r)
{
	static const char sql[] =
	    "SELECT coalesce(json_agg(" WC_JSON " ORDER BY c.created_at, "
	    "c.id), '[]')::text AS data FROM (SELECT * FROM "
	    "wa.web_chat_channels ORDER BY created_at, id "
	    "LIMIT 500) c";	/* more than any quota: one page */
	PGresult	*res;

	if (wa_db_q(r, &res, sql, 0) != WA_OK)
		return r->err.code;
	return wa_media_resp_raw(r, 200, wa_db_get(res, 0, "data"), 0);
}

enum wa_err
wc_get(struct wa_req *r)
{
	const char	*id;

	if ((id = wc_path_id(r)) == NULL)
		return r->err.code;
	return wc_respond(r, id, 200);
}

/* The members of p (the settings) as columns: what create and update
 * share.  A JSON null is SQL NULL. */
#define ARR(k)	"ARRAY(SELECT jsonb_array_elements_text(p->'" k "'))"
#define OBJ(k)	"nullif(p->'" k "', 'null'::jsonb)"

enum wa_err
wc_create(struct wa_req *r)
{
	static const char sql[] =
	    "INSERT INTO wa.web_chat_channels (org_id, token, name, color, "
	    "welcome_message, allowed_domains, precapture_enabled, "
	    "bot_enabled, enabled, identity_required, operating_hours, "
	    "offline_action, offline_message, prechat_fields, departments, "
	    "proactive_triggers, link_email_banner_enabled) "
	    "SELECT $1, $2, p->>'name', coalesce(p->>'color', '#25d366'), "
	    "p->>'welcomeMessage', coalesce(" ARR("allowedDomains") ", '{}'), "
	    "coalesce((p->>'precaptureEnabled')::boolean, false), "
	    "coalesce((p->>'botEnabled')::boolean, true), "
	    "coalesce((p->>'enabled')::boolean, true), "
	    "coalesce((p->>'identityRequired')::boolean, false), "
	    OBJ("operatingHours") ", " OBJ("offlineAction") ", "
	    "p->>'offlineMessage', coalesce(p->'prechatFields', '[]'), "
	    "coalesce(p->'departments', '[]'), "
	    "coalesce(p->'proactiveTriggers', '[]'), "
	    "coalesce((p->>'linkEmailBannerEnabled')::boolean, false) "
	    "FROM (SELECT $3::jsonb AS p) x RETURNING id";
	char		 token[3 + 32 + 1];
	cJSON		*body, *set;
	PGresult	*res;

	if (wa_json_body(r, &body) != WA_OK ||
	    (set = wc_settings(r, body, 1)) == NULL)
		return r->err.code;
	memcpy(token, "wc_", 3);
	if (wa_crypto_token(token + 3, 32) != 0)
		return wa_fail(r, WA_ERR_INTERNAL, "Internal error");
	if (wa_db_q(r, &res, sql, 3, r->auth.org_id, token,
	    wa_json_print(set)) != WA_OK)
		return r->err.code;
	return wc_respond(r, wa_db_get(res, 0, "id"), 201);
}

enum wa_err
wc_update(struct wa_req *r)
{
#define SET(col, expr, k) \
	col " = CASE WHEN p ? '" k "' THEN " expr " ELSE c." col " END, "
	static const char sql[] =
	    "UPDATE wa.web_chat_channels c SET "
	    SET("name", "p->>'name'", "name")
	    SET("color", "p->>'color'", "color")
	    SET("welcome_message", "p->>'welcomeMessage'", "welcomeMessage")
	    SET("allowed_domains", ARR("allowedDomains"), "allowedDomains")
	    SET("precapture_enabled", "(p->>'precaptureEnabled')::boolean",
		"precaptureEnabled")
	    SET("bot_enabled", "(p->>'botEnabled')::boolean", "botEnabled")
	    SET("enabled", "(p->>'enabled')::boolean", "enabled")
	    SET("identity_required", "(p->>'identityRequired')::boolean",
		"identityRequired")
	    SET("operating_hours", OBJ("operatingHours"), "operatingHours")
	    SET("offline_action", OBJ("offlineAction"), "offlineAction")
	    SET("offline_message", "p->>'offlineMessage'", "offlineMessage")
	    SET("prechat_fields", "p->'prechatFields'", "prechatFields")
	    SET("departments", "p->'departments'", "departments")
	    SET("proactive_triggers", "p->'proactiveTriggers'",
		"proactiveTriggers")
	    SET("link_email_banner_enabled",
		"(p->>'linkEmailBannerEnabled')::boolean",
		"linkEmailBannerEnabled")
	    "updated_at = now() "
	    "FROM (SELECT $2::jsonb AS p) x WHERE c.id = $1";
#undef SET
	const char	*id;
	cJSON		*body, *set;
	PGresult	*res;

	if ((id = wc_path_id(r)) == NULL || wa_json_body(r, &body) != WA_OK ||
	    (set = wc_settings(r, body, 0)) == NULL)
		return r->err.code;
	if (wa_db_q(r, &res, sql, 2, id, wa_json_print(set)) != WA_OK)
		return r->err.code;
	if (strcmp(PQcmdTuples(res), "1") != 0)
		return wa_fail_not_found(r, NULL, WC_WHAT);
	return wc_respond(r, id, 200);
}

/* The channel as it was, once gone. */
enum wa_err
wc_delete(struct wa_req *r)
{
	static const char sql[] =
	    "DELETE FROM wa.web_chat_channels c WHERE c.id = $1 "
	    "RETURNING " WC_JSON "::text AS data";
	const char	*id;
	PGresult	*res;

	if ((id = wc_path_id(r)) == NULL ||
	    wa_db_q(r, &res, sql, 1, id) != WA_OK ||
	    wa_db_one_or_fail(r, res, NULL, WC_WHAT) != WA_OK)
		return r->err.code;
	return wa_media_resp_raw(r, 200, wa_db_get(res, 0, "data"), 0);
}
