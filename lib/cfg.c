#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
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
	if (env_long("WA_SOCKET_MODE", 0660, 0, 0777, 8, &n, err, errsz) == -1)
		return -1;
	c->socket_mode = (int)n;
	if (env_long("WA_BODY_MAX", 1024 * 1024, 1024, WA_CFG_BODY_MAX_LIMIT,
	    10, &n, err, errsz) == -1)
		return -1;
	c->body_max = (size_t)n;
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
	return 0;
}
