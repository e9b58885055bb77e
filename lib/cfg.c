#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "valid.h"
#include "crypto.h"

static int
env_long(const char *name, long def, long min, long max, int base, long *out,
    char *err, size_t errsz)
{
	const char	*v = getenv(name);
	char		*end;
	long		 n;

	if (v == NULL || *v == '\0') {
		*out = def;
		return 0;
	}
	errno = 0;
	n = strtol(v, &end, base);
	if (errno != 0 || *end != '\0' || end == v || n < min || n > max) {
		snprintf(err, errsz, "%s: expected a number in [%ld, %ld], "
		    "got \"%.64s\"", name, min, max, v);
		return -1;
	}
	*out = n;
	return 0;
}

static const char *
env_str(const char *name, const char *def)
{
	const char	*v = getenv(name);

	return v != NULL && *v != '\0' ? v : def;
}

/*
 * The host of a provider's base URL u (a token or key travels to it):
 * https, or plain http only to a loopback host, so that a secret never
 * crosses a network in clear text; no query, fragment, userinfo or
 * blank.  NULL when u is none of that.
 */
static const char *
provider_host(const char *u)
{
	const char	*host;
	size_t		 hl;

	if (strlen(u) > WA_CFG_URL_MAX || strpbrk(u, "?#@ \t\r\n") != NULL)
		return NULL;
	if (strncmp(u, "https://", 8) == 0)
		host = u + 8;
	else if (strncmp(u, "http://", 7) == 0)
		host = u + 7;
	else
		return NULL;
	hl = strcspn(host, ":/");
	if (host[0] == '[')
		hl = strchr(host, ']') != NULL ?
		    (size_t)(strchr(host, ']') - host + 1) : 0;
	if (hl == 0)
		return NULL;
	if (host == u + 7 && !((hl == 9 && strncmp(host, "localhost", 9) ==
	    0) || (hl == 9 && strncmp(host, "127.0.0.1", 9) == 0) ||
	    (hl == 5 && strncmp(host, "[::1]", 5) == 0)))
		return NULL;
	return host;
}

/*
 * WA_GRAPH_URL: an absolute URL whose last segment is the Graph version
 * ("https://graph.facebook.com/v23.0"), to a provider_host().
 */
static int
graph_url_ok(const char *u)
{
	const char	*host, *end, *last;
	int		 dots = 0;

	if ((host = provider_host(u)) == NULL ||
	    (end = strchr(host, '/')) == NULL || end == host)
		return 0;
	last = strrchr(u, '/') + 1;
	if (last[0] != 'v' || last[1] < '0' || last[1] > '9')
		return 0;
	for (last++; *last != '\0'; last++) {
		if (*last == '.')
			dots++;
		else if (*last < '0' || *last > '9')
			return 0;
	}
	return dots == 1 && u[strlen(u) - 1] != '.';
}

static int
env_secret(const char *name, const char **out, char *err, size_t errsz)
{
	const char	*v = env_str(name, NULL);

	*out = v;
	if (v != NULL && strlen(v) > WA_CFG_SECRET_MAX) {
		snprintf(err, errsz, "%s: longer than %d characters", name,
		    WA_CFG_SECRET_MAX);
		return -1;
	}
	return 0;
}

/*
 * WA_PUBLIC_URL: http(s)://host[:port], no path, query or trailing
 * slash, and nothing that would need quoting in an HTML attribute.
 */
static int
public_url_ok(const char *u)
{
	const char	*host;
	size_t		 n = strlen(u);

	if (strncmp(u, "https://", 8) == 0)
		host = u + 8;
	else if (strncmp(u, "http://", 7) == 0)
		host = u + 7;
	else
		return 0;
	return n <= WA_CFG_URL_MAX && *host != '\0' && u[n - 1] != '/' &&
	    strspn(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789.-:[]") == strlen(host);
}

static int
graph_load(struct wa_cfg *c, char *err, size_t errsz)
{
	const char	*v;
	long		 n;

	c->graph_url = env_str("WA_GRAPH_URL", WA_CFG_GRAPH_URL);
	if (!graph_url_ok(c->graph_url)) {
		snprintf(err, errsz, "WA_GRAPH_URL: expected https://host/vN.N "
		    "(http only to localhost), got \"%.64s\"", c->graph_url);
		return -1;
	}
	c->graph_ca_file = env_str("WA_GRAPH_CA_FILE", NULL);
	if (env_long("WA_GRAPH_CONNECT_TIMEOUT_MS", 5000, 100, 60000, 10, &n,
	    err, errsz) == -1)
		return -1;
	c->graph_connect_timeout_ms = (int)n;
	if (env_long("WA_GRAPH_TIMEOUT_MS", 15000, 200, 120000, 10, &n,
	    err, errsz) == -1)
		return -1;
	c->graph_timeout_ms = (int)n;
	if ((v = env_str("WA_META_APP_ID", NULL)) != NULL &&
	    (strlen(v) > 32 || strspn(v, "0123456789") != strlen(v))) {
		snprintf(err, errsz, "WA_META_APP_ID: expected 1-32 digits");
		return -1;
	}
	c->meta_app_id = v;
	if (env_secret("WA_META_APP_SECRET", &c->meta_app_secret, err,
	    errsz) == -1 || env_secret("WA_META_VERIFY_TOKEN",
	    &c->meta_verify_token, err, errsz) == -1)
		return -1;
	return 0;
}

/*
 * A provider's API without its version (WA_TELNYX_URL's
 * "https://api.telnyx.com", the sandbox's "https://localhost:8444/telnyx";
 * WA_STRIPE_URL's "https://api.stripe.com"): to a provider_host(), no
 * trailing slash, not ending in the version the client adds ("/v2").
 */
static int
base_url_ok(const char *u, const char *version)
{
	size_t	n = strlen(u), k = strlen(version);

	return provider_host(u) != NULL && u[n - 1] != '/' &&
	    !(n >= k && strcmp(u + n - k, version) == 0);
}

/* The carrier (lib/telnyx.h, docs/phone-numbers.md). */
static int
telnyx_load(struct wa_cfg *c, char *err, size_t errsz)
{
	c->telnyx_url = env_str("WA_TELNYX_URL", NULL);
	if (c->telnyx_url != NULL && !base_url_ok(c->telnyx_url, "/v2")) {
		snprintf(err, errsz, "WA_TELNYX_URL: expected "
		    "https://host[/path] without /v2 or a trailing slash (http "
		    "only to localhost), got \"%.64s\"", c->telnyx_url);
		return -1;
	}
	c->telnyx_ca_file = env_str("WA_TELNYX_CA_FILE", NULL);
	return env_secret("WA_TELNYX_API_KEY", &c->telnyx_api_key, err, errsz);
}

/* Billing (lib/stripe.h, docs/phone-numbers.md). */
static int
stripe_load(struct wa_cfg *c, char *err, size_t errsz)
{
	const char	*v;

	c->stripe_url = env_str("WA_STRIPE_URL", NULL);
	if (c->stripe_url != NULL && !base_url_ok(c->stripe_url, "/v1")) {
		snprintf(err, errsz, "WA_STRIPE_URL: expected "
		    "https://host[/path] without /v1 or a trailing slash (http "
		    "only to localhost), got \"%.64s\"", c->stripe_url);
		return -1;
	}
	/* an id of Stripe's goes into a form body as it is */
	if ((v = env_str("WA_STRIPE_PRICE_ID", NULL)) != NULL &&
	    (strlen(v) > 255 || strspn(v, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") != strlen(v))) {
		snprintf(err, errsz, "WA_STRIPE_PRICE_ID: expected a price id "
		    "(price_...), got \"%.64s\"", v);
		return -1;
	}
	c->stripe_price_id = v;
	c->stripe_ca_file = env_str("WA_STRIPE_CA_FILE", NULL);
	if (env_secret("WA_STRIPE_SECRET_KEY", &c->stripe_secret_key, err,
	    errsz) == -1)
		return -1;
	return env_secret("WA_STRIPE_WEBHOOK_SECRET", &c->stripe_webhook_secret,
	    err, errsz);
}

/* The sending engine (lib/send/send.h, docs/sending.md). */
static int
send_load(struct wa_cfg *c, char *err, size_t errsz)
{
	long	n;

	if (env_long("WA_SEND_WAIT_MS", 20000, 0, 25000, 10, &n, err,
	    errsz) == -1)
		return -1;
	c->send_wait_ms = (int)n;
	if (env_long("WA_SEND_LEASE_S", 60, 5, 3600, 10, &n, err,
	    errsz) == -1)
		return -1;
	c->send_lease_s = (int)n;
	if (env_long("WA_SEND_INFLIGHT", 256, 1, 4096, 10, &n, err,
	    errsz) == -1)
		return -1;
	c->send_inflight = (int)n;
	return 0;
}

/* Live bots (fcgi/bot_flows, docs/flows.md "Live"). */
static int
bot_load(struct wa_cfg *c, char *err, size_t errsz)
{
	long	n;

	c->bot_http_allow = env_str("WA_BOT_HTTP_ALLOW", NULL);
	if (c->bot_http_allow != NULL && strlen(c->bot_http_allow) > 1024) {
		snprintf(err, errsz, "WA_BOT_HTTP_ALLOW: at most 1024 "
		    "characters of host[:port],...");
		return -1;
	}
	if (env_long("WA_BOT_HTTP_MAX_BYTES", 262144, 1024, 16777216, 10, &n,
	    err, errsz) == -1)
		return -1;
	c->bot_http_max_bytes = (size_t)n;
	if (env_long("WA_BOT_SESSION_TTL_S", 86400, 60, 2592000, 10, &n, err,
	    errsz) == -1)
		return -1;
	c->bot_session_ttl_s = (int)n;
	return 0;
}

/* The media store (lib/media.h, docs/media.md). */
static int
media_load(struct wa_cfg *c, char *err, size_t errsz)
{
	long	n;

	c->media_backend = env_str("WA_MEDIA_BACKEND", "file");
	if (strcmp(c->media_backend, "file") != 0 &&
	    strcmp(c->media_backend, "s3") != 0) {
		snprintf(err, errsz, "WA_MEDIA_BACKEND: expected file or s3, "
		    "got \"%.64s\"", c->media_backend);
		return -1;
	}
	c->media_dir = env_str("WA_MEDIA_DIR", NULL);
	if (c->media_dir != NULL && c->media_dir[0] != '/') {
		snprintf(err, errsz, "WA_MEDIA_DIR: expected an absolute path");
		return -1;
	}
	if (env_long("WA_MEDIA_LINK_TTL_S", 3600, 10, 604800, 10, &n, err,
	    errsz) == -1)
		return -1;
	c->media_link_ttl_s = (int)n;
	c->s3_endpoint = env_str("WA_S3_ENDPOINT", NULL);
	if (c->s3_endpoint != NULL && !public_url_ok(c->s3_endpoint)) {
		snprintf(err, errsz, "WA_S3_ENDPOINT: expected "
		    "http(s)://host[:port] without a path");
		return -1;
	}
	c->s3_bucket = env_str("WA_S3_BUCKET", NULL);
	if (c->s3_bucket != NULL && (strlen(c->s3_bucket) < 3 ||
	    strlen(c->s3_bucket) > 63 || strspn(c->s3_bucket,
	    "abcdefghijklmnopqrstuvwxyz0123456789.-") !=
	    strlen(c->s3_bucket))) {
		snprintf(err, errsz, "WA_S3_BUCKET: expected 3-63 lower-case "
		    "letters, digits, dots and hyphens");
		return -1;
	}
	c->s3_region = env_str("WA_S3_REGION", "us-east-1");
	if (strlen(c->s3_region) > 32 || strspn(c->s3_region,
	    "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(c->s3_region)) {
		snprintf(err, errsz, "WA_S3_REGION: expected a region name");
		return -1;
	}
	c->s3_ca_file = env_str("WA_S3_CA_FILE", NULL);
	c->smtp_url = env_str("WA_SMTP_URL", NULL);
	if (c->smtp_url != NULL && strncmp(c->smtp_url, "smtp://", 7) != 0 &&
	    strncmp(c->smtp_url, "smtps://", 8) != 0) {
		snprintf(err, errsz, "WA_SMTP_URL: expected smtp:// or "
		    "smtps://host[:port]");
		return -1;
	}
	c->smtp_from = env_str("WA_SMTP_FROM", NULL);
	if (c->smtp_from != NULL && !wa_valid_email(c->smtp_from)) {
		snprintf(err, errsz, "WA_SMTP_FROM: expected an e-mail "
		    "address");
		return -1;
	}
	c->vapid_public = env_str("WA_VAPID_PUBLIC_KEY", NULL);
	c->vapid_subject = env_str("WA_VAPID_SUBJECT",
	    "mailto:operator@localhost");
	c->push_allow = env_str("WA_PUSH_ALLOW", NULL);
	c->live_socket = env_str("WA_LIVE_SOCKET", NULL);
	if (c->live_socket != NULL && c->live_socket[0] != '/') {
		snprintf(err, errsz, "WA_LIVE_SOCKET: expected the absolute "
		    "path of nginx's publisher socket");
		return -1;
	}
	if (env_secret("WA_VAPID_PRIVATE_KEY", &c->vapid_private, err,
	    errsz) == -1)
		return -1;
	c->smtp_user = env_str("WA_SMTP_USER", NULL);
	if (env_secret("WA_SMTP_PASSWORD", &c->smtp_password, err,
	    errsz) == -1)
		return -1;
	if (env_secret("WA_S3_ACCESS_KEY", &c->s3_access_key, err,
	    errsz) == -1 || env_secret("WA_S3_SECRET_KEY",
	    &c->s3_secret_key, err, errsz) == -1 ||
	    env_secret("WA_MEDIA_LINK_SECRET", &c->media_link_secret, err,
	    errsz) == -1)
		return -1;
	return 0;
}

int
wa_cfg_load(struct wa_cfg *c, const char *family, char *err, size_t errsz)
{
	const char	*v;
	long		 n;

	memset(c, 0, sizeof(*c));
	c->family = family;
	c->db_conninfo = env_str("WA_DATABASE_URL", "dbname=wagate");
	c->socket_path = env_str("WA_SOCKET", NULL);
	c->socket_group = env_str("WA_SOCKET_GROUP", NULL);
	c->doc_url_base = env_str("WA_DOC_URL_BASE", NULL);
	c->public_url = env_str("WA_PUBLIC_URL", NULL);
	if (c->public_url != NULL && !public_url_ok(c->public_url)) {
		snprintf(err, errsz, "WA_PUBLIC_URL: expected "
		    "https://host[:port] without a path, got \"%.64s\"",
		    c->public_url);
		return -1;
	}
	/* wa_log_level_parse() maps anything unknown to info: check the
	 * name here so that a typo stops the program instead. */
	v = env_str("WA_LOG_LEVEL", "info");
	if (strcmp(v, "debug") != 0 && strcmp(v, "info") != 0 &&
	    strcmp(v, "warn") != 0 && strcmp(v, "error") != 0) {
		snprintf(err, errsz, "WA_LOG_LEVEL: expected debug, info, "
		    "warn or error, got \"%.64s\"", v);
		return -1;
	}
	c->log_level = wa_log_level_parse(v);

	if (env_long("WA_WORKERS", 2, 1, WA_CFG_WORKERS_MAX, 10, &n,
	    err, errsz) == -1)
		return -1;
	c->workers = (int)n;
	c->workers_set = env_str("WA_WORKERS", NULL) != NULL;
	if (env_long("WA_TENANT_INFLIGHT", 0, 0, WA_CFG_WORKERS_MAX, 10, &n,
	    err, errsz) == -1)
		return -1;
	c->tenant_inflight = (int)n;
	if (env_long("WA_SOCKET_MODE", 0660, 0, 0777, 8, &n, err, errsz) == -1)
		return -1;
	c->socket_mode = (int)n;
	if (env_long("WA_BODY_MAX", 1024 * 1024, 1024, WA_CFG_BODY_MAX_LIMIT,
	    10, &n, err, errsz) == -1)
		return -1;
	c->body_max = (size_t)n;
	c->body_max_set = env_str("WA_BODY_MAX", NULL) != NULL;
	if (env_long("WA_SHUTDOWN_GRACE", 20, 1, 600, 10, &n, err, errsz) == -1)
		return -1;
	c->shutdown_grace_s = (int)n;
	if (env_long("WA_DB_CONNECT_TIMEOUT", 2, 1, 60, 10, &n,
	    err, errsz) == -1)
		return -1;
	c->db_connect_timeout_s = (int)n;

	if ((v = env_str("WA_SECRET_KEY", NULL)) != NULL) {
		if (strlen(v) != 64 || wa_crypto_unhex(v, c->secret_key,
		    sizeof(c->secret_key)) != 0) {
			snprintf(err, errsz, "WA_SECRET_KEY: expected 64 hex "
			    "digits (32 bytes)");
			return -1;
		}
		c->have_secret_key = 1;
	}
	if (send_load(c, err, errsz) != 0 || bot_load(c, err, errsz) != 0 ||
	    media_load(c, err, errsz) != 0 || telnyx_load(c, err, errsz) != 0 ||
	    stripe_load(c, err, errsz) != 0)
		return -1;
	return graph_load(c, err, errsz);
}
