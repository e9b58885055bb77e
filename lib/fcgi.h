/*
 * fcgi: the process model of a family binary, and the only user of
 * libfcgi.
 *
 * The master binds the unix socket, forks cfg.workers workers, restarts
 * any that dies, and on SIGTERM/SIGINT stops them gracefully: each worker
 * finishes the request it is serving, then exits; stragglers are killed
 * after WA_SHUTDOWN_GRACE seconds.  Each worker owns one database
 * connection and one arena, and serves one request at a time.
 */
#ifndef WA_FCGI_H
#define WA_FCGI_H

struct wa_family;
struct wa_req;

/* main() of a family binary.  Options: --socket PATH, --workers N.
 * Returns the process exit status. */
int	wa_fcgi_main(int argc, char **argv, const struct wa_family *);

/*
 * Background work of a family (DESIGN.md: "workers: the same binaries
 * started with --worker"): `<binary> --worker` runs cfg.workers job
 * workers under the same master (no socket; same restarts and graceful
 * stop).  run() is called in a loop with a request that has an arena
 * (reset before each call), cfg and db but no HTTP request, and runs
 * its own transactions (db.h's wa_db_tx).  It returns how many items
 * it handled: > 0 calls it again at once; 0 (idle) or -1 (failed,
 * logged) waits for a NOTIFY on `channel` or idle_ms.  SIGTERM is
 * noticed between two calls, even when run() never idles; then stop(),
 * when there is one, is called once to finish what run() left in flight
 * (a job that keeps work across calls, such as the sending engine's
 * transfers), and the worker exits.
 */
struct wa_job {
	int		(*run)(struct wa_req *);
	const char	*channel;	/* LISTEN channel, or NULL */
	int		 idle_ms;	/* 0 = 1000 */
	void		(*stop)(struct wa_req *);	/* or NULL */
	int		 workers;	/* job workers when WA_WORKERS and
					 * --workers are not set (0: 1) */
};

/* In a job worker, its place among the job's workers (0 to
 * workers - 1, kept by its replacement when one dies): a job can give
 * one worker a duty of its own.  -1 elsewhere. */
int	wa_job_index(void);

/* wa_fcgi_main() plus --worker (job) and --has-worker (exit 0). */
int	wa_fcgi_main_jobs(int argc, char **argv, const struct wa_family *,
	    const struct wa_job *);

#endif /* WA_FCGI_H */
