/*
 * cfg: configuration, read once from the environment at start.
 * docs/configuration.md lists every variable; keep the two in step.
 */
#ifndef WA_CFG_H
#define WA_CFG_H

#include <stddef.h>

#include "log.h"

#define WA_CFG_BODY_MAX_LIMIT	(16u * 1024 * 1024)
#define WA_CFG_WORKERS_MAX	64
#define WA_CFG_GRAPH_URL	"https://graph.facebook.com/v23.0"
#define WA_CFG_URL_MAX		512
#define WA_CFG_SECRET_MAX	256

struct wa_cfg {
	const char	*family;
	const char	*db_conninfo;	/* WA_DATABASE_URL */
	const char	*socket_path;	/* WA_SOCKET */
	int		 socket_mode;	/* WA_SOCKET_MODE (octal) */
	const char	*socket_group;	/* WA_SOCKET_GROUP, or NULL */
	int		 workers;	/* WA_WORKERS */
	int		 workers_set;	/* WA_WORKERS was given */
	int		 tenant_inflight; /* WA_TENANT_INFLIGHT (0: -1) */
	size_t		 body_max;	/* WA_BODY_MAX (bytes) */
	int		 body_max_set;	/* WA_BODY_MAX was given */
	enum wa_log_level log_level;	/* WA_LOG_LEVEL */
	unsigned char	 secret_key[32];/* WA_SECRET_KEY (64 hex digits) */
	int		 have_secret_key;
	const char	*doc_url_base;	/* WA_DOC_URL_BASE, or NULL */
	int		 shutdown_grace_s; /* WA_SHUTDOWN_GRACE */
	int		 db_connect_timeout_s; /* WA_DB_CONNECT_TIMEOUT */
	/* Meta's Graph API (lib/graph.h) and its webhooks */
	const char	*graph_url;	/* WA_GRAPH_URL, with version */
	const char	*graph_ca_file;	/* WA_GRAPH_CA_FILE, or NULL */
	int		 graph_connect_timeout_ms;
					/* WA_GRAPH_CONNECT_TIMEOUT_MS */
	int		 graph_timeout_ms; /* WA_GRAPH_TIMEOUT_MS */
	const char	*meta_app_id;	/* WA_META_APP_ID, or NULL */
	const char	*meta_app_secret; /* WA_META_APP_SECRET, or NULL */
	const char	*meta_verify_token; /* WA_META_VERIFY_TOKEN, or NULL */
	/* sending (lib/send/send.h) */
	int		 send_wait_ms;	/* WA_SEND_WAIT_MS */
	int		 send_lease_s;	/* WA_SEND_LEASE_S */
	int		 send_inflight;	/* WA_SEND_INFLIGHT */
	/* live bots (fcgi/bot_flows, lib/fetch.h) */
	const char	*bot_http_allow; /* WA_BOT_HTTP_ALLOW, or NULL */
	size_t		 bot_http_max_bytes; /* WA_BOT_HTTP_MAX_BYTES */
	int		 bot_session_ttl_s; /* WA_BOT_SESSION_TTL_S */
	/* where browsers reach wagate (the web chat's snippet), or NULL:
	 * https:// and the request's Host */
	const char	*public_url;	/* WA_PUBLIC_URL */
	/* the media store (lib/media.h, docs/media.md) */
	const char	*media_backend;	/* WA_MEDIA_BACKEND: file, s3 */
	const char	*media_dir;	/* WA_MEDIA_DIR (file), or NULL */
	const char	*media_link_secret; /* WA_MEDIA_LINK_SECRET */
	int		 media_link_ttl_s; /* WA_MEDIA_LINK_TTL_S */
	const char	*s3_endpoint;	/* WA_S3_ENDPOINT, http(s)://h[:p] */
	const char	*s3_bucket;	/* WA_S3_BUCKET */
	const char	*s3_region;	/* WA_S3_REGION */
	const char	*s3_access_key;	/* WA_S3_ACCESS_KEY */
	const char	*s3_secret_key;	/* WA_S3_SECRET_KEY */
	const char	*s3_ca_file;	/* WA_S3_CA_FILE, or NULL */
	/* e-mail (lib/mail.h) */
	const char	*smtp_url;	/* WA_SMTP_URL, or NULL */
	const char	*smtp_from;	/* WA_SMTP_FROM, an address */
	const char	*smtp_user;	/* WA_SMTP_USER, or NULL */
	const char	*smtp_password;	/* WA_SMTP_PASSWORD, or NULL */
	/* Web Push (lib/webpush.h) */
	const char	*vapid_private;	/* WA_VAPID_PRIVATE_KEY, or NULL */
	const char	*vapid_public;	/* WA_VAPID_PUBLIC_KEY, or NULL */
	const char	*vapid_subject;	/* WA_VAPID_SUBJECT */
	const char	*push_allow;	/* WA_PUSH_ALLOW, or NULL */
	/* nginx's pub/sub publisher (lib/live.h) */
	const char	*live_socket;	/* WA_LIVE_SOCKET, or NULL */
	/* the carrier (lib/telnyx.h) */
	const char	*telnyx_url;	/* WA_TELNYX_URL, no /v2, or NULL */
	const char	*telnyx_api_key; /* WA_TELNYX_API_KEY, or NULL */
	const char	*telnyx_ca_file; /* WA_TELNYX_CA_FILE, or NULL */
	/* billing (lib/stripe.h) */
	const char	*stripe_url;	/* WA_STRIPE_URL, no /v1, or NULL */
	const char	*stripe_secret_key; /* WA_STRIPE_SECRET_KEY, or NULL */
	const char	*stripe_price_id; /* WA_STRIPE_PRICE_ID, or NULL */
	const char	*stripe_webhook_secret;
					/* WA_STRIPE_WEBHOOK_SECRET, or NULL */
	const char	*stripe_ca_file; /* WA_STRIPE_CA_FILE, or NULL */
};

/*
 * Fills cfg from the environment with defaults for what is unset.
 * Returns 0, or -1 with a message in err for a value that is set but
 * wrong (a silent fallback would hide a typo in production).
 * Strings point into the environment: not copied.
 */
int	wa_cfg_load(struct wa_cfg *, const char *family, char *err,
	    size_t errsz);

#endif /* WA_CFG_H */
