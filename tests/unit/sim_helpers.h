/*
 * sim_helpers: what the unit tests that run the simulator share.  The
 * simulator is build/.../bin/metasim next to the test's build/.../tests
 * directory; t_sim_setup() starts it on a free loopback port with the
 * test's arguments and environment, t_sim_teardown() stops it with
 * SIGTERM and fails unless it exits 0 (under the sanitizer build that
 * includes its leak check).  Its control API (/_sim/...) answers JSON
 * in the arena of the test's request.  A second simulator, with TLS
 * under a self-signed certificate, is started with t_sim_start().
 *
 * Include after <cmocka.h>.  Everything here is static inline so that a
 * test file that does not use a helper does not warn about it.
 */
#ifndef WA_TEST_SIM_HELPERS_H
#define WA_TEST_SIM_HELPERS_H

#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "arena.h"
#include "buf.h"
#include "json.h"
#include "req.h"
#include "helpers.h"

#define T_SIM_ARGS_MAX	16

/* One test's simulator: the first five members are the test's. */
struct t_sim {
	const char		 *name;	/* the test's, for its messages */
	const char		 *dir;	/* /tmp/<dir>.XXXXXX, its logs */
	const char *const	 *args;	/* metasim's, after --listen */
	const char *const	 *env;	/* name, value, ..., NULL */
	struct wa_req		 *req;	/* whose arena answers are in */
	char			  bin[PATH_MAX];
	char			  tmpdir[64];
	char			  base[64];	/* http://127.0.0.1:port */
	int			  port;
	pid_t			  pid;
};

/* Whether something accepts connections on 127.0.0.1:port. */
static inline int
t_sim_accepting(int port)
{
	struct sockaddr_in	sa;
	int			fd = socket(AF_INET, SOCK_STREAM, 0), ok;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ok = fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	if (fd >= 0)
		close(fd);
	return ok;
}

/* Runs argv with stdout and stderr appended to log and s->env set; its
 * pid, or -1. */
static inline pid_t
t_sim_spawn(const struct t_sim *s, char *const argv[], const char *log)
{
	const char *const	*e;
	pid_t			 pid = fork();
	int			 fd;

	if (pid != 0)
		return pid;
	if ((fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600)) >= 0) {
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		close(fd);
	}
	for (e = s->env; e != NULL && e[0] != NULL; e += 2)
		setenv(e[0], e[1], 1);
	execv(argv[0], argv);
	_exit(127);
}

/*
 * Starts the simulator on 127.0.0.1:port (over TLS where cert is not
 * NULL), logging to metasim.log in s->tmpdir; 0 once it accepts
 * connections (5 seconds at most), else -1.
 */
static inline int
t_sim_start(const struct t_sim *s, int port, const char *cert,
    const char *key, pid_t *pid)
{
	char	 addr[64], log[128];
	char	*argv[T_SIM_ARGS_MAX + 8];
	int	 n = 0, i;

	snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
	snprintf(log, sizeof(log), "%s/metasim.log", s->tmpdir);
	argv[n++] = (char *)s->bin;
	argv[n++] = "--listen";
	argv[n++] = addr;
	for (i = 0; s->args != NULL && s->args[i] != NULL; i++) {
		if (i == T_SIM_ARGS_MAX)
			return -1;
		argv[n++] = (char *)s->args[i];
	}
	if (cert != NULL) {
		argv[n++] = "--cert";
		argv[n++] = (char *)cert;
		argv[n++] = "--key";
		argv[n++] = (char *)key;
	}
	argv[n] = NULL;
	if ((*pid = t_sim_spawn(s, argv, log)) < 0)
		return -1;
	for (i = 0; i < 200 && !t_sim_accepting(port); i++)
		usleep(25 * 1000);
	return t_sim_accepting(port) ? 0 : -1;
}

/* Stops a simulator with SIGTERM: its exit status (128 + the signal
 * that killed it). */
static inline int
t_sim_stop(pid_t pid)
{
	int	st = 0;

	if (pid <= 0)
		return 0;
	kill(pid, SIGTERM);
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* A self-signed certificate and its key in s->tmpdir. */
struct t_sim_cert {
	char	cert[128];
	char	key[128];
};

/* Makes one for localhost and 127.0.0.1 with openssl(1): 0, or -1. */
static inline int
t_sim_cert_make(const struct t_sim *s, struct t_sim_cert *c)
{
	char	*argv[] = { "/usr/bin/openssl", "req", "-x509", "-newkey", "ec",
		    "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
		    "-days", "2", "-subj", "/CN=localhost", "-addext",
		    "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout",
		    c->key, "-out", c->cert, NULL };
	char	log[128];
	pid_t	pid;
	int	st;

	snprintf(c->cert, sizeof(c->cert), "%s/cert.pem", s->tmpdir);
	snprintf(c->key, sizeof(c->key), "%s/key.pem", s->tmpdir);
	snprintf(log, sizeof(log), "%s/openssl.log", s->tmpdir);
	if ((pid = t_sim_spawn(s, argv, log)) < 0 ||
	    waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

/* Removes the certificate, its key and openssl's log. */
static inline void
t_sim_cert_remove(const struct t_sim *s, const struct t_sim_cert *c)
{
	char	log[128];

	unlink(c->cert);
	unlink(c->key);
	snprintf(log, sizeof(log), "%s/openssl.log", s->tmpdir);
	unlink(log);
}

/* A curl write callback into a struct wa_buf. */
static inline size_t
t_sim_sink(char *p, size_t sz, size_t n, void *ctx)
{
	wa_buf_add(ctx, p, sz * n);
	return sz * n;
}

/* A control call to the simulator at base (whose certificate ca signs,
 * or NULL); its JSON answer (arena).  The call must succeed. */
static inline cJSON *
t_sim_ctl_at(const struct t_sim *s, const char *base, const char *ca,
    const char *method, const char *path, const char *body)
{
	struct curl_slist	*h = NULL;
	struct wa_buf		 b;
	const char		*why;
	char			 url[512];
	CURL			*c = curl_easy_init();
	cJSON			*v;

	wa_buf_init(&b, s->req->arena, 64u << 20);
	snprintf(url, sizeof(url), "%s%s", base, path);
	h = curl_slist_append(h, "Content-Type: application/json");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, t_sim_sink);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	if (ca != NULL)
		curl_easy_setopt(c, CURLOPT_CAINFO, ca);
	if (body != NULL)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	assert_int_equal(curl_easy_perform(c), CURLE_OK);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	v = wa_json_parse(b.data, b.len, WA_JSON_DEPTH_MAX, &why);
	if (v == NULL)
		fail_msg("control %s %s: %s", method, path, b.data);
	return v;
}

/* A control call to the test's simulator. */
static inline cJSON *
t_sim_ctl(const struct t_sim *s, const char *method, const char *path,
    const char *body)
{
	return t_sim_ctl_at(s, s->base, NULL, method, path, body);
}

/* Replaces the simulator's faults with this one (JSON). */
static inline void
t_sim_fault(const struct t_sim *s, const char *json)
{
	t_sim_ctl(s, "DELETE", "/_sim/faults", NULL);
	t_sim_ctl(s, "POST", "/_sim/faults", json);
}

/* The requests the simulator received, those query selects (as
 * "path=...", "method=...") or all. */
static inline cJSON *
t_sim_requests(const struct t_sim *s, const char *query)
{
	const char	*path = "/_sim/requests";

	if (query != NULL)
		path = wa_arena_printf(s->req->arena, "%s?%s", path, query);
	return cJSON_GetObjectItemCaseSensitive(t_sim_ctl(s, "GET", path,
	    NULL), "requests");
}

/*
 * A group setup: curl, the simulator's binary, a temporary directory,
 * and the simulator started on a free port; 0, or -1 (the test fails
 * to start).
 */
static inline int
t_sim_setup(struct t_sim *s)
{
	char	self[PATH_MAX - 32], *slash;
	ssize_t	n;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return -1;
	self[n] = '\0';
	if ((slash = strrchr(self, '/')) == NULL)
		return -1;
	*slash = '\0';
	snprintf(s->bin, sizeof(s->bin), "%s/../bin/metasim", self);
	if (access(s->bin, X_OK) != 0) {
		fprintf(stderr, "%s: %s is missing (make all)\n", s->name,
		    s->bin);
		return -1;
	}
	snprintf(s->tmpdir, sizeof(s->tmpdir), "/tmp/%s.XXXXXX", s->dir);
	if (mkdtemp(s->tmpdir) == NULL || (s->port = t_free_port()) < 0 ||
	    t_sim_start(s, s->port, NULL, NULL, &s->pid) != 0)
		return -1;
	snprintf(s->base, sizeof(s->base), "http://127.0.0.1:%d", s->port);
	return 0;
}

/* The group teardown: -1 if the simulator did not exit 0 (its log is
 * kept and named), else its directory is removed. */
static inline int
t_sim_teardown(struct t_sim *s)
{
	char	log[128];
	int	rc;

	rc = t_sim_stop(s->pid);
	snprintf(log, sizeof(log), "%s/metasim.log", s->tmpdir);
	if (rc != 0) {
		fprintf(stderr, "%s: metasim exited with %d; its log is %s\n",
		    s->name, rc, log);
		return -1;
	}
	unlink(log);
	snprintf(log, sizeof(log), "%s/openssl.log", s->tmpdir);
	unlink(log);
	rmdir(s->tmpdir);
	curl_global_cleanup();
	return 0;
}

#endif /* WA_TEST_SIM_HELPERS_H */
