/*
 * Shutdown without races: SIGTERM is blocked in a worker except inside
 * ppoll(), which waits for the listening socket to become readable.  A
 * signal that arrives while a request is served stays pending until the
 * request is done; one that arrives while idle interrupts ppoll().  The
 * listening socket is non-blocking so that a worker woken together with
 * its siblings does not block in accept() when another one won.
 */
#define _GNU_SOURCE
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "arena.h"
#include "cfg.h"
#include "clock.h"
#include "db.h"
#include "dispatch.h"
#include "fcgi.h"
#include "idem.h"
#include "json.h"
#include "log.h"
#include "req.h"
#include "tenant.h"
#include "route.h"

#define BACKLOG		1024
#define RESPAWN_FAST_S	1	/* a worker dying sooner is throttled */

static volatile sig_atomic_t	got_term;
static volatile sig_atomic_t	got_chld;

static void
on_term(int sig)
{
	(void)sig;
	got_term = 1;
}

static void
on_chld(int sig)
{
	(void)sig;
	got_chld = 1;
}

static void
set_handler(int sig, void (*fn)(int))
{
	struct sigaction	sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;	/* no SA_RESTART: we want EINTR */
	sigaction(sig, &sa, NULL);
}

/* ---- worker ---------------------------------------------------------- */

static long
fcgi_read(void *ctx, char *buf, size_t len)
{
	FCGX_Request	*req = ctx;
	int		 n = len > 65536 ? 65536 : (int)len;

	return FCGX_GetStr(buf, n, req->in);
}

static void
write_response(FCGX_Request *req, const struct wa_req *r)
{
	const struct wa_resp	*rp = &r->resp;
	size_t			 i;
	int			 status = rp->status > 0 ? rp->status : 500;
	int			 typed = 0;

	/* A handler may answer in another type (Meta's webhook
	 * handshake echoes a bare challenge); JSON otherwise. */
	for (i = 0; i < rp->nheaders; i++)
		if (strcasecmp(rp->headers[i].key, "Content-Type") == 0)
			typed = 1;
	FCGX_FPrintF(req->out, "Status: %d %s\r\n", status,
	    wa_err_reason(status));
	if (status != 204 && status != 304 && !typed)
		FCGX_PutS("Content-Type: application/json\r\n", req->out);
	FCGX_FPrintF(req->out, "X-Request-Id: %s\r\n", r->request_id);
	for (i = 0; i < rp->nheaders; i++)
		FCGX_FPrintF(req->out, "%s: %s\r\n", rp->headers[i].key,
		    rp->headers[i].val);
	FCGX_PutS("\r\n", req->out);
	if (r->method != WA_M_HEAD && rp->body_len > 0)
		FCGX_PutStr(rp->body, (int)rp->body_len, req->out);
}

static pid_t	master_pid;
static const struct wa_job *job;
static int	job_index = -1;

int
wa_job_index(void)
{
	return job_index;
}

/*
 * What every worker does first: die with the master, block SIGTERM
 * except in *waitmask (the one place it waits), open its arena and
 * database handle, run the family's worker_init.  0, or -1 to exit.
 */
static int
worker_setup(const struct wa_cfg *cfg, const struct wa_family *fam,
    sigset_t *waitmask, struct wa_arena **arena, struct wa_db **db)
{
	sigset_t	block;

	/* Die with the master; re-check in case it is already gone. */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != master_pid)
		return -1;
	set_handler(SIGTERM, on_term);
	set_handler(SIGINT, on_term);
	signal(SIGCHLD, SIG_DFL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, waitmask);
	sigdelset(waitmask, SIGTERM);
	sigdelset(waitmask, SIGINT);

	*arena = wa_arena_new(64 * 1024);
	wa_json_use_arena(*arena);
	if ((*db = wa_db_new(cfg->db_conninfo, cfg->db_connect_timeout_s)) ==
	    NULL)
		return -1;
	if (wa_db_ensure(*db) != 0)
		wa_log(WA_LOG_WARN, "database not reachable yet: %s",
		    wa_db_errmsg(*db));
	if (fam->worker_init != NULL && fam->worker_init(cfg) != 0)
		return -1;
	return 0;
}

/*
 * The waiter on the listening socket: an epoll set of the worker's own
 * with EPOLLEXCLUSIVE, so that a new connection wakes one idle worker
 * rather than all of them (each then racing to accept it, all but one
 * for nothing: issue 17 measured 14.7 accepts a request with 16
 * workers).  -1 (then ppoll, every worker woken) where the kernel has no
 * EPOLLEXCLUSIVE.
 */
static int
listen_waiter(int lfd)
{
	struct epoll_event	ev;
	int			ep;

	if ((ep = epoll_create1(EPOLL_CLOEXEC)) < 0)
		return -1;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN | EPOLLEXCLUSIVE;
	ev.data.fd = lfd;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev) != 0) {
		close(ep);
		return -1;
	}
	return ep;
}

/* Sleeps until a connection may be waiting (> 0), a signal (-1, EINTR)
 * or an error (-1). */
static int
listen_wait(int ep, int lfd, const sigset_t *waitmask)
{
	struct epoll_event	ev;
	struct pollfd		pfd;

	if (ep >= 0)
		return epoll_pwait(ep, &ev, 1, -1, waitmask);
	pfd.fd = lfd;
	pfd.events = POLLIN;
	pfd.revents = 0;
	return ppoll(&pfd, 1, NULL, waitmask);
}

static int
worker(int lfd, const struct wa_cfg *cfg, const struct wa_family *fam)
{
	FCGX_Request	 req;
	struct wa_req	 r;
	struct wa_arena	*arena;
	struct wa_db	*db;
	sigset_t	 waitmask;
	enum wa_err	 parsed;
	int		 rc, ep;

	if (FCGX_Init() != 0) {
		wa_log(WA_LOG_ERROR, "FCGX_Init failed");
		return 1;
	}
	if (worker_setup(cfg, fam, &waitmask, &arena, &db) != 0)
		return getppid() != master_pid ? 0 : 1;
	FCGX_InitRequest(&req, lfd, FCGI_FAIL_ACCEPT_ON_INTR);
	ep = listen_waiter(lfd);

	memset(&r, 0, sizeof(r));
	while (!got_term) {
		rc = listen_wait(ep, lfd, &waitmask);
		if (rc < 0) {
			if (errno == EINTR)
				continue;
			wa_log(WA_LOG_ERROR, "poll: %s", strerror(errno));
			break;
		}
		rc = FCGX_Accept_r(&req);
		if (rc < 0) {
			if (rc == -EAGAIN || rc == -EWOULDBLOCK ||
			    rc == -EINTR || rc == -ECONNABORTED)
				continue;
			wa_log(WA_LOG_ERROR, "accept: %d", rc);
			break;
		}
		wa_arena_reset(arena);
		r.arena = arena;
		r.cfg = cfg;
		r.db = db;
		parsed = wa_req_parse_head(&r, req.envp, fcgi_read, &req);
		wa_dispatch(&r, fam, parsed);
		wa_req_body_drain(&r);
		write_response(&req, &r);
		FCGX_Finish_r(&req);
		wa_idem_purge_maybe(&r);
	}
	if (ep >= 0)
		close(ep);
	FCGX_Free(&req, 1);
	wa_db_free(db);
	wa_arena_free(arena);
	return 0;
}

/* ---- job worker (--worker) ------------------------------------------ */

/* LISTEN on the connection once per connection (a reconnect drops it).
 * The channel is the family's constant, quoted all the same. */
static PGconn *
job_listen(struct wa_db *db, const char *channel, PGconn *listening)
{
	PGconn		*conn;
	PGresult	*res;
	char		*id, sql[128];

	if (channel == NULL || wa_db_ensure(db) != 0)
		return NULL;
	if ((conn = wa_db_conn(db)) == listening)
		return listening;
	if ((id = PQescapeIdentifier(conn, channel, strlen(channel))) == NULL)
		return NULL;
	snprintf(sql, sizeof(sql), "LISTEN %s", id);
	PQfreemem(id);
	res = PQexec(conn, sql);
	if (res == NULL || PQresultStatus(res) != PGRES_COMMAND_OK) {
		wa_log(WA_LOG_WARN, "LISTEN %s failed: %s", channel,
		    PQerrorMessage(conn));
		conn = NULL;
	}
	PQclear(res);
	return conn;
}

/* Sleeps until a notification, a signal or idle_ms. */
static void
job_wait(struct wa_db *db, PGconn *conn, int idle_ms,
    const sigset_t *waitmask)
{
	struct timespec	 ts;
	struct pollfd	 pfd;

	ts.tv_sec = idle_ms / 1000;
	ts.tv_nsec = (long)(idle_ms % 1000) * 1000000L;
	pfd.fd = conn != NULL ? PQsocket(conn) : -1;
	pfd.events = POLLIN;
	pfd.revents = 0;
	if (ppoll(&pfd, pfd.fd >= 0 ? 1 : 0, &ts, waitmask) > 0)
		(void)wa_db_notified(db);
}

/* SIGTERM and SIGINT stay blocked while a job runs: one that came
 * meanwhile is pending, and a busy job (always more to do) must still
 * see it. */
static int
term_pending(void)
{
	sigset_t	set;

	if (sigpending(&set) != 0)
		return 0;
	return sigismember(&set, SIGTERM) || sigismember(&set, SIGINT);
}

static void
job_req(struct wa_req *r, struct wa_arena *arena, const struct wa_cfg *cfg,
    struct wa_db *db, unsigned long seq)
{
	wa_arena_reset(arena);
	memset(r, 0, sizeof(*r));
	r->arena = arena;
	r->cfg = cfg;
	r->db = db;
	r->path = "/";
	r->method_str = "JOB";
	r->started_us = wa_clock_mono_us();
	snprintf(r->request_id, sizeof(r->request_id), "job_%ld_%lu",
	    (long)getpid(), seq);
}

static int
job_worker(const struct wa_cfg *cfg, const struct wa_family *fam)
{
	struct wa_req	 r;
	struct wa_arena	*arena;
	struct wa_db	*db;
	sigset_t	 waitmask;
	PGconn		*listening = NULL;
	int		 n, idle_ms;
	unsigned long	 seq = 0;

	if (worker_setup(cfg, fam, &waitmask, &arena, &db) != 0)
		return getppid() != master_pid ? 0 : 1;
	idle_ms = job->idle_ms > 0 ? job->idle_ms : 1000;
	while (!got_term) {
		job_req(&r, arena, cfg, db, ++seq);
		listening = job_listen(db, job->channel, listening);
		n = job->run(&r);
		if (r.in_tx)
			wa_db_rollback(&r);
		if (term_pending())
			got_term = 1;
		if (n > 0 || got_term)
			continue;
		if (n < 0) {
			wa_log(WA_LOG_WARN, "job failed: %s",
			    r.err.log_detail[0] != '\0' ? r.err.log_detail :
			    r.err.message);
			/* a new connection may sit at the old address:
			 * LISTEN again rather than trust the pointer */
			listening = NULL;
		}
		/* a NOTIFY that came while the job ran is already here */
		if (n == 0 && listening != NULL && wa_db_notified(db))
			continue;
		job_wait(db, listening, idle_ms, &waitmask);
	}
	if (job->stop != NULL) {
		job_req(&r, arena, cfg, db, ++seq);
		job->stop(&r);
		if (r.in_tx)
			wa_db_rollback(&r);
	}
	wa_db_free(db);
	wa_arena_free(arena);
	return 0;
}

/* ---- master ---------------------------------------------------------- */

struct slot {
	pid_t	pid;
	time_t	started;
};

static pid_t
spawn(int lfd, const struct wa_cfg *cfg, const struct wa_family *fam,
    int index)
{
	pid_t	pid;

	if ((pid = fork()) == -1) {
		wa_log(WA_LOG_ERROR, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		wa_tenant_worker(index);
		if (lfd < 0)
			job_index = index;
		_exit(lfd >= 0 ? worker(lfd, cfg, fam) : job_worker(cfg, fam));
	}
	return pid;
}

static int
open_socket(const struct wa_cfg *cfg)
{
	struct stat	 st;
	struct group	*gr;
	int		 fd, fl;

	if (lstat(cfg->socket_path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			wa_log(WA_LOG_ERROR, "%s exists and is not a socket",
			    cfg->socket_path);
			return -1;
		}
		unlink(cfg->socket_path);
	}
	if ((fd = FCGX_OpenSocket(cfg->socket_path, BACKLOG)) < 0) {
		wa_log(WA_LOG_ERROR, "cannot listen on %s: %s",
		    cfg->socket_path, strerror(errno));
		return -1;
	}
	if (chmod(cfg->socket_path, (mode_t)cfg->socket_mode) != 0)
		wa_log(WA_LOG_WARN, "chmod %s: %s", cfg->socket_path,
		    strerror(errno));
	if (cfg->socket_group != NULL) {
		if ((gr = getgrnam(cfg->socket_group)) == NULL ||
		    chown(cfg->socket_path, (uid_t)-1, gr->gr_gid) != 0)
			wa_log(WA_LOG_WARN, "cannot give %s to group %s",
			    cfg->socket_path, cfg->socket_group);
	}
	fl = fcntl(fd, F_GETFL);
	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	return fd;
}

static void
reap(struct slot *slots, int n, int *alive)
{
	pid_t	pid;
	int	status, i;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (i = 0; i < n; i++) {
			if (slots[i].pid != pid)
				continue;
			slots[i].pid = 0;
			(*alive)--;
			/* what it held of its tenant's places */
			wa_tenant_reap(i);
			if (!got_term) {
				if (WIFSIGNALED(status))
					wa_log(WA_LOG_WARN, "worker %ld killed "
					    "by signal %d; restarting",
					    (long)pid, WTERMSIG(status));
				else
					wa_log(WA_LOG_WARN, "worker %ld exited "
					    "with %d; restarting", (long)pid,
					    WEXITSTATUS(status));
			}
		}
	}
}

static void
shutdown_workers(struct slot *slots, int n, int alive, int grace)
{
	struct timespec	 ts = { 0, 50 * 1000 * 1000 };
	time_t		 deadline = time(NULL) + grace;
	int		 i;

	for (i = 0; i < n; i++)
		if (slots[i].pid > 0)
			kill(slots[i].pid, SIGTERM);
	while (alive > 0 && time(NULL) < deadline) {
		reap(slots, n, &alive);
		if (alive > 0)
			nanosleep(&ts, NULL);
	}
	for (i = 0; i < n; i++)
		if (slots[i].pid > 0) {
			wa_log(WA_LOG_WARN, "worker %ld did not stop in %ds; "
			    "killing it", (long)slots[i].pid, grace);
			kill(slots[i].pid, SIGKILL);
		}
	reap(slots, n, &alive);
}

static int
master(int lfd, const struct wa_cfg *cfg, const struct wa_family *fam)
{
	struct slot	 slots[WA_CFG_WORKERS_MAX];
	sigset_t	 block, waitmask;
	struct timespec	 tick = { 1, 0 };
	int		 i, alive = 0;
	time_t		 now;

	memset(slots, 0, sizeof(slots));
	set_handler(SIGTERM, on_term);
	set_handler(SIGINT, on_term);
	set_handler(SIGCHLD, on_chld);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, &waitmask);

	master_pid = getpid();
	/* one tenant may hold all but one of the workers (tenant.h) */
	if (lfd >= 0 && wa_tenant_init(cfg->workers, cfg->tenant_inflight >
	    0 ? cfg->tenant_inflight : cfg->workers - 1) != 0)
		wa_log(WA_LOG_WARN, "no table of tenants' requests in flight: "
		    "their bound is off");
	if (lfd >= 0)
		wa_log(WA_LOG_INFO, "listening on %s with %d workers",
		    cfg->socket_path, cfg->workers);
	else
		wa_log(WA_LOG_INFO, "running %d job workers", cfg->workers);
	while (!got_term) {
		got_chld = 0;
		reap(slots, cfg->workers, &alive);
		now = time(NULL);
		for (i = 0; i < cfg->workers && !got_term; i++) {
			if (slots[i].pid != 0)
				continue;
			/* A worker that died right after starting would
			 * otherwise be respawned in a tight loop. */
			if (slots[i].started != 0 &&
			    now - slots[i].started < RESPAWN_FAST_S)
				continue;
			sigprocmask(SIG_SETMASK, &waitmask, NULL);
			slots[i].pid = spawn(lfd, cfg, fam, i);
			sigprocmask(SIG_BLOCK, &block, NULL);
			slots[i].started = now;
			if (slots[i].pid > 0)
				alive++;
			else
				slots[i].pid = 0;
		}
		/* Sleep until a signal, or a tick to retry throttled slots. */
		if (!got_term && !got_chld)
			pselect(0, NULL, NULL, NULL, &tick, &waitmask);
	}
	wa_log(WA_LOG_INFO, "stopping: waiting for %d workers", alive);
	shutdown_workers(slots, cfg->workers, alive, cfg->shutdown_grace_s);
	if (lfd >= 0) {
		close(lfd);
		unlink(cfg->socket_path);
	}
	wa_log(WA_LOG_INFO, "stopped");
	return 0;
}

static void
usage(const char *prog)
{
	fprintf(stderr, "usage: %s [--socket PATH] [--workers N]\n"
	    "       %s --worker [--workers N]    background jobs\n"
	    "       %s --has-worker              exit 0 if there are any\n"
	    "       %s --body-max                largest body, in bytes\n"
	    "       %s --upload-max              largest upload, in bytes\n"
	    "       %s --routes                  the route table, JSON lines\n"
	    "configuration comes from WA_* environment variables "
	    "(docs/configuration.md)\n", prog, prog, prog, prog, prog, prog);
}

/* The route table as JSON lines, for tools and tests that cover every
 * route of every family (the hostile-input suite) without a list of
 * their own. */
static int
print_routes(const struct wa_family *fam)
{
	static const char *const faces[] = { "mosend", "late", "sent" };
	static const char *const roles[] = { "none", "member", "admin" };
	const struct wa_route	*rt;
	char			 m[64];

	for (rt = fam->routes; rt->pattern != NULL; rt++) {
		wa_route_allow(rt->method, m, sizeof(m));
		m[strcspn(m, ",")] = '\0';	/* GET, not "GET, HEAD" */
		printf("{\"family\":\"%s\",\"method\":\"%s\","
		    "\"pattern\":\"%s\",\"auth\":\"%s\",\"role\":\"%s\","
		    "\"face\":\"%s\",\"uploadMax\":%zu}\n", fam->name, m,
		    rt->pattern, rt->authn->name, roles[rt->role],
		    faces[rt->face], rt->upload_max);
	}
	return fflush(stdout) == 0 ? 0 : 1;
}

/* The largest upload a route of the family takes (route.h), for nginx's
 * client_max_body_size on the family's upload locations; 0 if none. */
static int
print_upload_max(const struct wa_family *fam)
{
	const struct wa_route	*rt;
	size_t			 max = 0;

	for (rt = fam->routes; rt->pattern != NULL; rt++)
		if (rt->upload_max > max)
			max = rt->upload_max;
	printf("%zu\n", max);
	return fflush(stdout) == 0 ? 0 : 1;
}

int
wa_fcgi_main(int argc, char **argv, const struct wa_family *fam)
{
	return wa_fcgi_main_jobs(argc, argv, fam, NULL);
}

int
wa_fcgi_main_jobs(int argc, char **argv, const struct wa_family *fam,
    const struct wa_job *jb)
{
	static struct wa_cfg	cfg;
	static char		workers_env[16];
	char			err[256];
	int			i, lfd, jobs = 0, body_max = 0;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--has-worker") == 0)
			return jb != NULL ? 0 : 1;
		if (strcmp(argv[i], "--routes") == 0)
			return print_routes(fam);
		if (strcmp(argv[i], "--upload-max") == 0)
			return print_upload_max(fam);
		if (strcmp(argv[i], "--worker") == 0)
			jobs = 1;
		else if (strcmp(argv[i], "--body-max") == 0)
			body_max = 1;
		else if (strcmp(argv[i], "--socket") == 0 && i + 1 < argc)
			setenv("WA_SOCKET", argv[++i], 1);
		else if (strcmp(argv[i], "--workers") == 0 && i + 1 < argc) {
			snprintf(workers_env, sizeof(workers_env), "%s",
			    argv[++i]);
			setenv("WA_WORKERS", workers_env, 1);
		} else {
			usage(argv[0]);
			return 2;
		}
	}
	if (wa_cfg_load(&cfg, fam->name, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s: %s\n", fam->name, err);
		return 2;
	}
	if (!cfg.body_max_set)
		cfg.body_max = fam->body_max != 0 ? fam->body_max :
		    WA_FAMILY_BODY_MAX;
	if (body_max) {
		printf("%zu\n", cfg.body_max);
		return 0;
	}
	wa_log_init(fam->name, cfg.log_level);
	if (jobs) {
		if ((job = jb) == NULL) {
			fprintf(stderr, "%s: no --worker mode\n", fam->name);
			return 2;
		}
		if (!cfg.workers_set)
			cfg.workers = jb->workers > 0 ? jb->workers : 1;
		return master(-1, &cfg, fam);
	}
	if (!cfg.workers_set && fam->workers > 0)
		cfg.workers = fam->workers;
	if (cfg.socket_path == NULL) {
		fprintf(stderr, "%s: set WA_SOCKET or --socket\n", fam->name);
		return 2;
	}
	if ((lfd = open_socket(&cfg)) < 0)
		return 1;
	return master(lfd, &cfg, fam);
}
