/*
 * The widget's routes, /web-chat/{token}/...: who may call them.  Two
 * strategies (struct wa_authn):
 *
 *   channel   the public token names an enabled channel, and the page's
 *             Origin is one of its allowed domains (any, when it has
 *             none); the channel's organization is the tenant.
 *   visitor   the same, and a visitor token of that channel
 *             (Authorization: Bearer, lib/vtoken.h) whose visitor still
 *             exists.
 *
 * An allowed Origin is answered with CORS headers, errors included, so
 * that the widget can read them; a foreign one gets none.  OPTIONS (a
 * browser's preflight) answers 204 with what the routes accept.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "cfg.h"
#include "clock.h"
#include "crypto.h"
#include "db.h"
#include "json.h"
#include "log.h"
#include "resp.h"
#include "route.h"
#include "vtoken.h"

#include "web_chat.h"

struct wc_public	wc_cur;

#define NO_CHANNEL	"Unknown web chat channel"

/* The token of the path: wc_ and 32 letters and digits. */
static const char *
path_token(struct wa_req *r)
{
	const char	*t = wa_req_param(r, "token");

	if (t == NULL || strlen(t) != 35 || strncmp(t, "wc_", 3) != 0 ||
	    strspn(t + 3, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789") != 32)
		return NULL;
	return t;
}

/*
 * An Origin ("https://shop.example.com:8443") against one allowed
 * domain: a host matches any scheme and port of it, "*.example.com" its
 * subdomains, an origin with a scheme exactly that origin (the default
 * port being the same as none).
 */
static int
domain_match(const char *origin, const char *d)
{
	const char	*host, *end, *colon;
	size_t		 hl, dl;

	if (strncmp(d, "http://", 7) == 0 || strncmp(d, "https://", 8) == 0) {
		if (strcasecmp(origin, d) == 0)
			return 1;
		/* https://x:443 is https://x */
		dl = strlen(d);
		return (strncmp(d, "https://", 8) == 0 &&
		    strncasecmp(origin, d, dl) == 0 &&
		    strcmp(origin + dl, ":443") == 0) ||
		    (strncmp(d, "http://", 7) == 0 &&
		    strncasecmp(origin, d, dl) == 0 &&
		    strcmp(origin + dl, ":80") == 0);
	}
	if ((host = strstr(origin, "://")) == NULL)
		return 0;
	host += 3;
	colon = strchr(host, ':');
	end = colon != NULL ? colon : host + strlen(host);
	hl = (size_t)(end - host);
	if (strncmp(d, "*.", 2) == 0) {
		dl = strlen(d + 1);	/* ".example.com" */
		return hl > dl && strncasecmp(end - dl, d + 1, dl) == 0;
	}
	return hl == strlen(d) && strncasecmp(host, d, hl) == 0;
}

/* 1 if origin may use a channel allowing domains (a text[] literal
 * from PostgreSQL, "{a,b}"; its items need no quoting: host and origin
 * characters only). */
static int
origin_allowed(struct wa_req *r, const char *origin, const char *domains)
{
	char	*list, *item, *save = NULL;

	if (domains == NULL || strcmp(domains, "{}") == 0)
		return 1;
	if (origin == NULL || strlen(origin) > 300)
		return 0;
	list = wa_arena_strdup(r->arena, domains + 1);
	list[strlen(list) - 1] = '\0';
	for (item = strtok_r(list, ",", &save); item != NULL;
	    item = strtok_r(NULL, ",", &save))
		if (domain_match(origin, item))
			return 1;
	return 0;
}

static void
cors(struct wa_req *r, const char *origin)
{
	if (origin == NULL)
		return;
	wa_resp_header(r, "Access-Control-Allow-Origin", origin);
	wa_resp_header(r, "Vary", "Origin");
	wa_resp_header(r, "Access-Control-Expose-Headers", "Retry-After");
}

static enum wa_err
channel_check(struct wa_req *r)
{
	memset(&wc_cur, 0, sizeof(wc_cur));
	if (path_token(r) == NULL)
		return wa_fail_not_found(r, NULL, NO_CHANNEL);
	return WA_OK;
}

/* The channel, the Origin, the tenant; with_cors: the answer carries
 * CORS headers (not nchan's question: nchan adds its own). */
static enum wa_err
channel_of(struct wa_req *r, int with_cors)
{
	static const char sql[] =
	    "SELECT org_id, id, enabled, allowed_domains::text AS domains, "
	    "set_config('wa.org_id', org_id::text, true) AS tenant "
	    "FROM wa.web_chat_channel($1)";
	const char	*origin = wa_req_header(r, "Origin");
	PGresult	*res;

	if (wa_db_q(r, &res, sql, 1, path_token(r)) != WA_OK)
		return r->err.code;
	if (PQntuples(res) != 1)
		return wa_fail_not_found(r, NULL, NO_CHANNEL);
	if (!origin_allowed(r, origin, wa_db_get(res, 0, "domains")))
		return wa_fail(r, WA_ERR_FORBIDDEN, "This site (%s) may not "
		    "use this chat", origin != NULL ? origin : "no Origin");
	if (with_cors)
		cors(r, origin);
	if (!wa_db_bool(res, 0, "enabled", 0))
		return wa_fail(r, WA_ERR_FORBIDDEN, "This chat is disabled");
	snprintf(wc_cur.channel_id, sizeof(wc_cur.channel_id), "%s",
	    wa_db_get(res, 0, "id"));
	r->auth.ok = 1;
	r->auth.role = WA_ROLE_MEMBER;
	snprintf(r->auth.org_id, sizeof(r->auth.org_id), "%s",
	    wa_db_get(res, 0, "org_id"));
	return WA_OK;
}

static enum wa_err
channel_resolve(struct wa_req *r)
{
	return channel_of(r, 1);
}

#define BAD_VISITOR	"Invalid or expired visitor token"

static enum wa_err
visitor_check(struct wa_req *r)
{
	const char	*h = wa_req_header(r, "Authorization");

	if (channel_check(r) != WA_OK)
		return r->err.code;
	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
		return wa_fail(r, WA_ERR_UNAUTHENTICATED, "A visitor token is "
		    "required (Authorization: Bearer, from POST sessions)");
	return WA_OK;
}

/* The visitor of a token of this channel, and its conversation. */
static enum wa_err
visitor_of(struct wa_req *r, const char *tok, int with_cors)
{
	static const char sql[] =
	    "UPDATE wa.web_chat_visitors v SET last_seen_at = now() "
	    "WHERE v.id = $1 AND v.channel_id = $2 RETURNING "
	    "(SELECT c.id FROM wa.conversations c WHERE c.channel = "
	    "'web_chat' AND c.channel_id = v.channel_id AND "
	    "c.peer = v.id::text) AS conversation_id";
	struct wa_vtoken	 t;
	unsigned char		 key[32];
	PGresult		*res;
	int			 ok;

	if (channel_of(r, with_cors) != WA_OK)
		return r->err.code;
	if (r->cfg == NULL || !r->cfg->have_secret_key)
		return wa_fail(r, WA_ERR_INVALID_KEY, BAD_VISITOR);
	wa_vtoken_key(r->cfg->secret_key, key);
	ok = wa_vtoken_check(key, tok, wa_clock_now_ms() / 1000, &t) == 0 &&
	    strcmp(t.channel_id, wc_cur.channel_id) == 0 &&
	    strcmp(t.org_id, r->auth.org_id) == 0;
	wa_crypto_wipe(key, sizeof(key));
	if (!ok)
		return wa_fail(r, WA_ERR_INVALID_KEY, BAD_VISITOR);
	if (wa_db_q(r, &res, sql, 2, t.visitor_id, wc_cur.channel_id) !=
	    WA_OK)
		return r->err.code;
	if (PQntuples(res) != 1 ||
	    wa_db_get(res, 0, "conversation_id") == NULL)
		return wa_fail(r, WA_ERR_INVALID_KEY, BAD_VISITOR);
	snprintf(wc_cur.visitor_id, sizeof(wc_cur.visitor_id), "%s",
	    t.visitor_id);
	snprintf(wc_cur.conversation_id, sizeof(wc_cur.conversation_id), "%s",
	    wa_db_get(res, 0, "conversation_id"));
	return WA_OK;
}

static enum wa_err
visitor_resolve(struct wa_req *r)
{
	return visitor_of(r, wa_req_header(r, "Authorization") + 7, 1);
}

/* A live connection's: the token is ?access_token= (an EventSource
 * sends no Authorization; nginx's log withholds the query). */
static enum wa_err
live_check(struct wa_req *r)
{
	if (channel_check(r) != WA_OK)
		return r->err.code;
	if (wa_req_query(r, "access_token") == NULL)
		return wa_fail(r, WA_ERR_UNAUTHENTICATED, "A visitor token is "
		    "required (?access_token=, from POST sessions)");
	return WA_OK;
}

static enum wa_err
live_resolve(struct wa_req *r)
{
	return visitor_of(r, wa_req_query(r, "access_token"), 0);
}

const struct wa_authn wc_authn_channel = {
	"web_chat_channel",	/* name */
	channel_check,		/* check */
	channel_resolve,	/* resolve */
};

const struct wa_authn wc_authn_visitor = {
	"web_chat_visitor",	/* name */
	visitor_check,		/* check */
	visitor_resolve,	/* resolve */
};

const struct wa_authn wc_authn_live = {
	"web_chat_live",	/* name */
	live_check,		/* check */
	live_resolve,		/* resolve */
};

/* OPTIONS: the browser's preflight of a route (channel strategy). */
enum wa_err
wv_preflight(struct wa_req *r)
{
	wa_resp_header(r, "Access-Control-Allow-Methods", "GET, POST");
	wa_resp_header(r, "Access-Control-Allow-Headers",
	    "Authorization, Content-Type");
	wa_resp_header(r, "Access-Control-Max-Age", "600");
	return wa_resp_empty(r, 204);
}

/*
 * POST client-error: the widget reports an error of its own (a script
 * error on the host page, a failed request); it is logged for the
 * operator with its channel, and answered 204.  At most
 * WC_CLIENT_ERRORS_PER_MIN lines a minute per worker: a broken page
 * cannot flood the log.
 */
enum wa_err
wv_client_error(struct wa_req *r)
{
	static const struct wa_field fields[] = {
		WA_FIELD_STR("message", WA_F_REQUIRED_TEXT, 1000),
		WA_FIELD_STR("stack", 0, 8000),
		WA_FIELD_STR("url", 0, 2000),
		WA_FIELD_INT("line", 0, 0, 10000000),
		WA_FIELD_INT("column", 0, 0, 10000000),
		WA_FIELD_STR("userAgent", 0, 500),
		WA_FIELD_END
	};
	static int64_t	 window;
	static int	 n;
	int64_t		 now = wa_clock_now_ms() / 60000;
	cJSON		*body;

	if (wa_json_body(r, &body) != WA_OK ||
	    wa_json_validate(r, body, fields, NULL) != WA_OK)
		return r->err.code;
	if (now != window) {
		window = now;
		n = 0;
	}
	if (n++ < WC_CLIENT_ERRORS_PER_MIN)
		wa_log(WA_LOG_WARN, "web chat widget error: channel %s, "
		    "url %s: %s", wc_cur.channel_id,
		    wa_json_str(body, "url") != NULL ?
		    wa_json_str(body, "url") : "-",
		    wa_json_str(body, "message"));
	return wa_resp_empty(r, 204);
}
