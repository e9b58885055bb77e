/*
 * db: one libpq connection per process, parameterized statements only.
 *
 * Statements are prepared on first use per connection (keyed by the
 * address of the SQL string, which must therefore be a string literal or
 * other static storage) and re-prepared after a reconnect.  Results are
 * registered with the request arena: callers never PQclear.
 *
 * Errors are recorded on the request with wa_fail() and mapped from the
 * SQLSTATE: unique violation -> 409 "Resource already exists", foreign
 * key violation (a row the request named was deleted under it) -> 409
 * with a message that says so, lost connection / cannot connect -> 503,
 * statement timeout -> 503, serialization failure -> 503 with
 * Retry-After; anything else -> 500 with the detail in the log only.
 */
#ifndef WA_DB_H
#define WA_DB_H

#include <libpq-fe.h>

#include "err.h"

struct wa_req;
struct wa_db;

#define WA_DB_PARAMS_MAX	64

/* Creates the handle; does not connect.  conninfo is copied. */
struct wa_db	*wa_db_new(const char *conninfo, int connect_timeout_s);
void		 wa_db_free(struct wa_db *);

/* Connects if not connected or the connection was lost: 0 or -1. */
int		 wa_db_ensure(struct wa_db *);

/* The raw connection, for tools and tests (may be NULL). */
PGconn		*wa_db_conn(struct wa_db *);

/* The last libpq error text, for logs (never for clients). */
const char	*wa_db_errmsg(struct wa_db *);

/*
 * Runs sql with n text parameters (NULL = SQL NULL).  On success *res is
 * the result (arena-owned) and WA_OK is returned; otherwise the mapped
 * error is recorded on r and returned.
 */
enum wa_err	 wa_db_exec(struct wa_req *, PGresult **res, const char *sql,
		    int n, const char *const *vals);

/* Same with the parameters as variadic const char * arguments. */
enum wa_err	 wa_db_q(struct wa_req *, PGresult **res, const char *sql,
		    int n, ...);

/* Transaction control on r->db; set r->in_tx.  begin() fails with 503
 * when the database cannot be reached. */
enum wa_err	 wa_db_begin(struct wa_req *);
enum wa_err	 wa_db_commit(struct wa_req *);
void		 wa_db_rollback(struct wa_req *);

/*
 * The dispatcher's transaction: BEGIN is sent before the request's
 * first statement, and a request that runs none (a handshake, a check
 * that failed) costs the database nothing.  commit() and rollback() end
 * it either way.
 */
void		 wa_db_begin_deferred(struct wa_req *);

/*
 * One unit of a job worker's work in a transaction of its own: BEGIN,
 * fn(r, arg), then COMMIT if it returned WA_OK, else ROLLBACK.  Returns
 * fn's failure or COMMIT's.  Requests never call this: the dispatcher
 * holds theirs.  A job that must record a failure does so in a second
 * wa_db_tx() after clearing r->err (wa_req_clear_err()).
 */
typedef enum wa_err (*wa_db_tx_fn)(struct wa_req *, void *arg);
enum wa_err	 wa_db_tx(struct wa_req *, wa_db_tx_fn, void *arg);
/* The same with the tenant set first: a job's unit of one organization's
 * work, or a request reading after its own transaction committed (the
 * dispatcher's finish step). */
enum wa_err	 wa_db_tx_org(struct wa_req *, const char *org_id,
		    wa_db_tx_fn, void *arg);

/* For job workers that wait on other things too: the connection's
 * socket (-1 when there is none) and the draining of its NOTIFYs (1 if
 * there was any). */
int		 wa_db_socket(struct wa_db *);
int		 wa_db_notified(struct wa_db *);
/* The one savepoint the dispatcher sets around a handler. */
enum wa_err	 wa_db_savepoint(struct wa_req *);
enum wa_err	 wa_db_rollback_to_savepoint(struct wa_req *);

/* Sets the tenant of the open transaction (wa.org_id, local). */
enum wa_err	 wa_db_set_org(struct wa_req *, const char *org_id);

/* WA_OK if res has exactly one row; else records the 404 of
 * wa_fail_not_found(r, code, what) ("<what> not found") and returns
 * it. */
enum wa_err	 wa_db_one_or_fail(struct wa_req *, const PGresult *res,
		    const char *code, const char *what);

/* A body field naming a row: WA_OK with res holding it when id is a
 * UUID and sql ($1 the id, $2 arg unless NULL) returns one row; else
 * the field's 400 "<field> <words>". */
enum wa_err	 wa_db_ref(struct wa_req *, PGresult **res, const char *field,
		    const char *id, const char *sql, const char *arg,
		    const char *words);

/* Column value by name of row i, or NULL for SQL NULL / no column. */
const char	*wa_db_get(const PGresult *, int row, const char *col);
/* An integer column of row i; def for SQL NULL, no column, or a value
 * that does not start with a number. */
long long	 wa_db_int(const PGresult *, int row, const char *col,
		    long long def);
/* "t"/"f" column as 1/0; def for NULL. */
int		 wa_db_bool(const PGresult *, int row, const char *col,
		    int def);

/* Maps a SQLSTATE to a code, and to the message a client gets for it
 * (exposed for tests). */
enum wa_err	 wa_db_sqlstate_err(const char *sqlstate);
const char	*wa_db_sqlstate_message(const char *sqlstate);

#endif /* WA_DB_H */
