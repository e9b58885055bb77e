/* Unit tests for lib/cfg.c: configuration from the environment. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "cfg.h"
#include "helpers.h"

static const char *const vars[] = {
	"WA_DATABASE_URL", "WA_SOCKET", "WA_SOCKET_MODE", "WA_SOCKET_GROUP",
	"WA_WORKERS", "WA_BODY_MAX", "WA_LOG_LEVEL", "WA_SECRET_KEY",
	"WA_DOC_URL_BASE", "WA_SHUTDOWN_GRACE", "WA_DB_CONNECT_TIMEOUT",
	"WA_GRAPH_URL", "WA_GRAPH_CA_FILE", "WA_GRAPH_CONNECT_TIMEOUT_MS",
	"WA_GRAPH_TIMEOUT_MS", "WA_META_APP_ID", "WA_META_APP_SECRET",
	"WA_META_VERIFY_TOKEN", "WA_PUBLIC_URL",
};

static int
clear_env(void **state)
{
	size_t	i;

	(void)state;
	for (i = 0; i < NELEM(vars); i++)
		unsetenv(vars[i]);
	return 0;
}

static void
test_defaults(void **state)
{
	struct wa_cfg	c;
	char		err[256] = "";

	(void)state;
	memset(&c, 0xff, sizeof(c));
	assert_int_equal(wa_cfg_load(&c, "fam", err, sizeof(err)), 0);
	assert_string_equal(c.family, "fam");
	assert_string_equal(c.db_conninfo, "dbname=wagate");
	assert_null(c.socket_path);
	assert_null(c.socket_group);
	assert_null(c.doc_url_base);
	assert_int_equal(c.socket_mode, 0660);
	assert_int_equal(c.workers, 2);
	assert_int_equal(c.body_max, 1024 * 1024);
	assert_int_equal(c.log_level, WA_LOG_INFO);
	assert_int_equal(c.have_secret_key, 0);
	assert_int_equal(c.shutdown_grace_s, 20);
	assert_int_equal(c.db_connect_timeout_s, 2);
	assert_string_equal(err, "");
}

/* One variable at a time: accepted with its value, or refused. */
static void
test_values(void **state)
{
	static const struct {
		const char	*var;
		const char	*val;
		int		 ok;
		long		 want;	/* the parsed number when ok */
	} cases[] = {
		{ "WA_WORKERS", "1", 1, 1 },
		{ "WA_WORKERS", "64", 1, 64 },
		{ "WA_WORKERS", "", 1, 2 },		/* empty = unset */
		{ "WA_WORKERS", "0", 0, 0 },
		{ "WA_WORKERS", "65", 0, 0 },
		{ "WA_WORKERS", "-1", 0, 0 },
		{ "WA_WORKERS", "two", 0, 0 },
		{ "WA_WORKERS", "2x", 0, 0 },
		{ "WA_WORKERS", "2 ", 0, 0 },
		{ "WA_WORKERS", "0x10", 0, 0 },
		{ "WA_WORKERS", "99999999999999999999999", 0, 0 },
		{ "WA_SOCKET_MODE", "0600", 1, 0600 },
		{ "WA_SOCKET_MODE", "600", 1, 0600 },	/* octal either way */
		{ "WA_SOCKET_MODE", "0", 1, 0 },
		{ "WA_SOCKET_MODE", "0777", 1, 0777 },
		{ "WA_SOCKET_MODE", "01000", 0, 0 },
		{ "WA_SOCKET_MODE", "0680", 0, 0 },
		{ "WA_SOCKET_MODE", "rw-rw----", 0, 0 },
		{ "WA_BODY_MAX", "1024", 1, 1024 },
		{ "WA_BODY_MAX", "16777216", 1, 16777216 },
		{ "WA_BODY_MAX", "1023", 0, 0 },
		{ "WA_BODY_MAX", "16777217", 0, 0 },
		{ "WA_BODY_MAX", "1M", 0, 0 },
		{ "WA_SHUTDOWN_GRACE", "600", 1, 600 },
		{ "WA_SHUTDOWN_GRACE", "0", 0, 0 },
		{ "WA_SHUTDOWN_GRACE", "601", 0, 0 },
		{ "WA_DB_CONNECT_TIMEOUT", "60", 1, 60 },
		{ "WA_DB_CONNECT_TIMEOUT", "61", 0, 0 },
		{ "WA_DB_CONNECT_TIMEOUT", "1.5", 0, 0 },
		{ "WA_LOG_LEVEL", "debug", 1, WA_LOG_DEBUG },
		{ "WA_LOG_LEVEL", "info", 1, WA_LOG_INFO },
		{ "WA_LOG_LEVEL", "warn", 1, WA_LOG_WARN },
		{ "WA_LOG_LEVEL", "error", 1, WA_LOG_ERROR },
		{ "WA_LOG_LEVEL", "", 1, WA_LOG_INFO },
		/* a typo must not fall back to info in silence */
		{ "WA_LOG_LEVEL", "verbose", 0, 0 },
		{ "WA_LOG_LEVEL", "DEBUG", 0, 0 },
		{ "WA_LOG_LEVEL", "warning", 0, 0 },
	};
	struct wa_cfg	c;
	char		err[256];
	long		got;
	size_t		i;
	int		rc;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		clear_env(NULL);
		setenv(cases[i].var, cases[i].val, 1);
		err[0] = '\0';
		rc = wa_cfg_load(&c, "fam", err, sizeof(err));
		if (rc != (cases[i].ok ? 0 : -1))
			fail_msg("%s=\"%s\": rc %d", cases[i].var,
			    cases[i].val, rc);
		if (!cases[i].ok) {
			/* the message names the variable */
			if (strstr(err, cases[i].var) == NULL)
				fail_msg("%s=\"%s\": message \"%s\"",
				    cases[i].var, cases[i].val, err);
			continue;
		}
		if (strcmp(cases[i].var, "WA_WORKERS") == 0)
			got = c.workers;
		else if (strcmp(cases[i].var, "WA_SOCKET_MODE") == 0)
			got = c.socket_mode;
		else if (strcmp(cases[i].var, "WA_BODY_MAX") == 0)
			got = (long)c.body_max;
		else if (strcmp(cases[i].var, "WA_SHUTDOWN_GRACE") == 0)
			got = c.shutdown_grace_s;
		else if (strcmp(cases[i].var, "WA_DB_CONNECT_TIMEOUT") == 0)
			got = c.db_connect_timeout_s;
		else
			got = (long)c.log_level;
		if (got != cases[i].want)
			fail_msg("%s=\"%s\": got %ld want %ld", cases[i].var,
			    cases[i].val, got, cases[i].want);
	}
	clear_env(NULL);
}

static void
test_secret_key(void **state)
{
	static const struct {
		const char	*val;
		int		 ok;
	} cases[] = {
		{ "000102030405060708090a0b0c0d0e0f"
		  "101112131415161718191a1b1c1d1e1f", 1 },
		{ "000102030405060708090A0B0C0D0E0F"
		  "101112131415161718191A1B1C1D1E1F", 1 },
		{ "", 1 },					/* unset */
		{ "000102030405060708090a0b0c0d0e0f"
		  "101112131415161718191a1b1c1d1e1", 0 },		/* 63 */
		{ "000102030405060708090a0b0c0d0e0f"
		  "101112131415161718191a1b1c1d1e1f0", 0 },		/* 65 */
		{ "000102030405060708090a0b0c0d0e0f", 0 },		/* 32 */
		{ "g00102030405060708090a0b0c0d0e0f"
		  "101112131415161718191a1b1c1d1e1f", 0 },
		{ " 00102030405060708090a0b0c0d0e0f"
		  "101112131415161718191a1b1c1d1e1f", 0 },
		{ "0x0102030405060708090a0b0c0d0e0f"
		  "101112131415161718191a1b1c1d1e1f", 0 },
		{ "secret", 0 },
	};
	struct wa_cfg	c;
	char		err[256];
	size_t		i, k;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		clear_env(NULL);
		setenv("WA_SECRET_KEY", cases[i].val, 1);
		err[0] = '\0';
		if (wa_cfg_load(&c, "fam", err, sizeof(err)) !=
		    (cases[i].ok ? 0 : -1))
			fail_msg("WA_SECRET_KEY=\"%s\"", cases[i].val);
		if (!cases[i].ok) {
			assert_non_null(strstr(err, "WA_SECRET_KEY"));
			/* the message never echoes the secret */
			assert_null(strstr(err, cases[i].val));
			continue;
		}
		assert_int_equal(c.have_secret_key, cases[i].val[0] != '\0');
		if (c.have_secret_key)
			for (k = 0; k < 32; k++)
				assert_int_equal(c.secret_key[k], k);
	}
	clear_env(NULL);
}

/* WA_PUBLIC_URL: a scheme and a host, nothing an HTML attribute would
 * have to quote. */
static void
test_public_url(void **state)
{
	static const struct {
		const char	*val;
		int		 ok;
	} cases[] = {
		{ "https://chat.example.com", 1 },
		{ "https://127.0.0.1:8443", 1 },
		{ "http://localhost:8080", 1 },
		{ "https://[::1]:8443", 1 },
		{ "", 1 },				/* unset */
		{ "https://chat.example.com/", 0 },
		{ "https://chat.example.com/w", 0 },
		{ "ftp://chat.example.com", 0 },
		{ "https://", 0 },
		{ "https://a\"onload=\"x", 0 },
		{ "https://a b", 0 },
		{ "https://a?q", 0 },
		{ "chat.example.com", 0 },
	};
	struct wa_cfg	c;
	char		err[256];
	size_t		i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		clear_env(NULL);
		setenv("WA_PUBLIC_URL", cases[i].val, 1);
		err[0] = '\0';
		if (wa_cfg_load(&c, "fam", err, sizeof(err)) !=
		    (cases[i].ok ? 0 : -1))
			fail_msg("WA_PUBLIC_URL=\"%s\"", cases[i].val);
		if (!cases[i].ok)
			assert_non_null(strstr(err, "WA_PUBLIC_URL"));
		else if (cases[i].val[0] != '\0')
			assert_string_equal(c.public_url, cases[i].val);
		else
			assert_null(c.public_url);
	}
	clear_env(NULL);
}

static void
test_strings_and_short_err(void **state)
{
	struct wa_cfg	c;
	char		err[8];

	(void)state;
	setenv("WA_DATABASE_URL", "host=/tmp dbname=x", 1);
	setenv("WA_SOCKET", "/run/wa.sock", 1);
	setenv("WA_SOCKET_GROUP", "www-data", 1);
	setenv("WA_DOC_URL_BASE", "https://docs.example/errors/", 1);
	assert_int_equal(wa_cfg_load(&c, "fam", err, sizeof(err)), 0);
	assert_string_equal(c.db_conninfo, "host=/tmp dbname=x");
	assert_string_equal(c.socket_path, "/run/wa.sock");
	assert_string_equal(c.socket_group, "www-data");
	assert_string_equal(c.doc_url_base, "https://docs.example/errors/");
	/* a message longer than err is cut, not overrun */
	setenv("WA_WORKERS", "bogus", 1);
	memset(err, '#', sizeof(err));
	assert_int_equal(wa_cfg_load(&c, "fam", err, sizeof(err)), -1);
	assert_int_equal(strlen(err), sizeof(err) - 1);
	clear_env(NULL);
}

/* The Graph client's settings: a versioned URL, https unless the host
 * is this machine, timeouts in range, an app id of digits. */
static void
test_graph(void **state)
{
	static const struct {
		const char	*var;
		const char	*val;
		int		 ok;
	} cases[] = {
		{ "WA_GRAPH_URL", "https://graph.facebook.com/v23.0", 1 },
		{ "WA_GRAPH_URL", "https://localhost:8444/v23.0", 1 },
		{ "WA_GRAPH_URL", "http://localhost:8444/v21.0", 1 },
		{ "WA_GRAPH_URL", "http://127.0.0.1:9/v1.0", 1 },
		{ "WA_GRAPH_URL", "http://[::1]:9/v25.0", 1 },
		{ "WA_GRAPH_URL", "https://proxy.example/meta/v23.0", 1 },
		{ "WA_GRAPH_URL", "http://graph.facebook.com/v23.0", 0 },
		{ "WA_GRAPH_URL", "http://localhost.evil/v23.0", 0 },
		{ "WA_GRAPH_URL", "https://graph.facebook.com", 0 },
		{ "WA_GRAPH_URL", "https://graph.facebook.com/", 0 },
		{ "WA_GRAPH_URL", "https://graph.facebook.com/v23.0/", 0 },
		{ "WA_GRAPH_URL", "https://graph.facebook.com/v23", 0 },
		{ "WA_GRAPH_URL", "https://graph.facebook.com/v23.0.1", 0 },
		{ "WA_GRAPH_URL", "https://graph.facebook.com/23.0", 0 },
		{ "WA_GRAPH_URL", "https://graph.facebook.com/v23.0?x=1", 0 },
		{ "WA_GRAPH_URL", "https://u@graph.facebook.com/v23.0", 0 },
		{ "WA_GRAPH_URL", "ftp://graph.facebook.com/v23.0", 0 },
		{ "WA_GRAPH_URL", "https:///v23.0", 0 },
		{ "WA_GRAPH_CONNECT_TIMEOUT_MS", "100", 1 },
		{ "WA_GRAPH_CONNECT_TIMEOUT_MS", "99", 0 },
		{ "WA_GRAPH_CONNECT_TIMEOUT_MS", "60001", 0 },
		{ "WA_GRAPH_TIMEOUT_MS", "120000", 1 },
		{ "WA_GRAPH_TIMEOUT_MS", "120001", 0 },
		{ "WA_GRAPH_TIMEOUT_MS", "1s", 0 },
		{ "WA_META_APP_ID", "100000000000000", 1 },
		{ "WA_META_APP_ID", "app", 0 },
		{ "WA_META_APP_ID", "123456789012345678901234567890123", 0 },
	};
	struct wa_cfg	c;
	char		err[256], big[300];
	size_t		i;

	(void)state;
	clear_env(NULL);
	assert_int_equal(wa_cfg_load(&c, "fam", err, sizeof(err)), 0);
	assert_string_equal(c.graph_url, "https://graph.facebook.com/v23.0");
	assert_null(c.graph_ca_file);
	assert_int_equal(c.graph_connect_timeout_ms, 5000);
	assert_int_equal(c.graph_timeout_ms, 15000);
	assert_null(c.meta_app_id);
	assert_null(c.meta_app_secret);
	assert_null(c.meta_verify_token);
	for (i = 0; i < NELEM(cases); i++) {
		clear_env(NULL);
		setenv(cases[i].var, cases[i].val, 1);
		err[0] = '\0';
		if (wa_cfg_load(&c, "fam", err, sizeof(err)) !=
		    (cases[i].ok ? 0 : -1))
			fail_msg("%s=\"%s\"", cases[i].var, cases[i].val);
		if (!cases[i].ok)
			assert_non_null(strstr(err, cases[i].var));
	}
	/* a secret over the limit is refused without being echoed */
	clear_env(NULL);
	memset(big, 's', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	setenv("WA_META_APP_SECRET", big, 1);
	assert_int_equal(wa_cfg_load(&c, "fam", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "WA_META_APP_SECRET"));
	assert_null(strstr(err, "ssssssss"));
	clear_env(NULL);
	setenv("WA_META_APP_SECRET", "s3cret", 1);
	setenv("WA_META_VERIFY_TOKEN", "tok", 1);
	setenv("WA_GRAPH_CA_FILE", "/etc/ca.pem", 1);
	assert_int_equal(wa_cfg_load(&c, "fam", err, sizeof(err)), 0);
	assert_string_equal(c.meta_app_secret, "s3cret");
	assert_string_equal(c.meta_verify_token, "tok");
	assert_string_equal(c.graph_ca_file, "/etc/ca.pem");
	clear_env(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_graph, clear_env),
		cmocka_unit_test_setup(test_defaults, clear_env),
		cmocka_unit_test_setup(test_values, clear_env),
		cmocka_unit_test_setup(test_secret_key, clear_env),
		cmocka_unit_test_setup(test_public_url, clear_env),
		cmocka_unit_test_setup(test_strings_and_short_err, clear_env),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
