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

/* main() of a family binary.  Options: --socket PATH, --workers N.
 * Returns the process exit status. */
int	wa_fcgi_main(int argc, char **argv, const struct wa_family *);

#endif /* WA_FCGI_H */
