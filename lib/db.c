#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "db.h"
#include "log.h"
#include "req.h"
#include "valid.h"

#define STMT_CACHE_MAX	256

struct stmt {
	const char	*sql;		/* identity: the pointer */
	char		 name[16];
};

struct wa_db {
	char		*conninfo;
	PGconn		*conn;
	struct stmt	 stmts[STMT_CACHE_MAX];
	size_t		 nstmts;
	unsigned	 next_id;
	char		 errmsg[256];
};

struct wa_db *
wa_db_new(const char *conninfo, int connect_timeout_s)
{
	struct wa_db	*db;
	size_t		 n;

	if ((db = calloc(1, sizeof(*db))) == NULL)
		return NULL;
	/* connect_timeout bounds a dead server; keepalives catch a
	 * half-open socket on long idle periods. */
	n = strlen(conninfo) + 128;
	if ((db->conninfo = malloc(n)) == NULL) {
		free(db);
		return NULL;
	}
	snprintf(db->conninfo, n, "%s connect_timeout=%d "
	    "application_name=wagate", conninfo, connect_timeout_s);
	return db;
}

void
wa_db_free(struct wa_db *db)
{
	if (db == NULL)
		return;
	if (db->conn != NULL)
		PQfinish(db->conn);
	free(db->conninfo);
	free(db);
}

PGconn *
wa_db_conn(struct wa_db *db)
{
	return db->conn;
}

const char *
wa_db_errmsg(struct wa_db *db)
{
	return db->errmsg;
}

static void
save_err(struct wa_db *db, const char *msg)
{
	size_t	n;

	snprintf(db->errmsg, sizeof(db->errmsg), "%s", msg != NULL ? msg : "");
	n = strlen(db->errmsg);
	while (n > 0 && (db->errmsg[n - 1] == '\n' || db->errmsg[n - 1] == ' '))
		db->errmsg[--n] = '\0';
}

int
wa_db_ensure(struct wa_db *db)
{
	if (db->conn != NULL && PQstatus(db->conn) == CONNECTION_OK)
		return 0;
	if (db->conn != NULL) {
		PQfinish(db->conn);
		db->conn = NULL;
	}
	db->nstmts = 0;		/* prepared statements died with it */
	db->conn = PQconnectdb(db->conninfo);
	if (PQstatus(db->conn) != CONNECTION_OK) {
		save_err(db, PQerrorMessage(db->conn));
		PQfinish(db->conn);
		db->conn = NULL;
		return -1;
	}
	return 0;
}

enum wa_err
wa_db_sqlstate_err(const char *st)
{
	if (st == NULL)
		return WA_ERR_UNAVAILABLE;	/* no result: connection */
	/* a duplicate, or a referenced row deleted by a concurrent request
	 * (the request named it, and it was there when checked) */
	if (strcmp(st, "23505") == 0 || strcmp(st, "23503") == 0)
		return WA_ERR_CONFLICT;
	/* wagate's own: a tenant's quota (sql/0008_quotas.sql) */
	if (strcmp(st, "WA001") == 0)
		return WA_ERR_QUOTA;
	if (strncmp(st, "08", 2) == 0 || strcmp(st, "57P01") == 0 ||
	    strcmp(st, "57P02") == 0 || strcmp(st, "57P03") == 0 ||
	    strcmp(st, "57014") == 0 || strcmp(st, "53300") == 0 ||
	    strcmp(st, "40001") == 0 || strcmp(st, "40P01") == 0 ||
	    strcmp(st, "55P03") == 0)
		return WA_ERR_UNAVAILABLE;
	if (strcmp(st, "22P02") == 0 || strcmp(st, "22001") == 0 ||
	    strcmp(st, "22003") == 0 || strcmp(st, "22007") == 0 ||
	    strcmp(st, "22008") == 0 || strcmp(st, "23514") == 0)
		return WA_ERR_VALIDATION;
	return WA_ERR_INTERNAL;
}

const char *
wa_db_sqlstate_message(const char *st)
{
	switch (wa_db_sqlstate_err(st)) {
	case WA_ERR_CONFLICT:
		if (strcmp(st, "23503") == 0)
			return "A record this request refers to was removed "
			    "by another request";
		return "Resource already exists";
	case WA_ERR_UNAVAILABLE:
		return "Database temporarily unavailable";
	case WA_ERR_VALIDATION:
		return "Invalid value in request";
	case WA_ERR_QUOTA:
		return "The organization has reached a limit";
	default:
		return "Internal error";
	}
}

static enum wa_err
fail_result(struct wa_req *r, PGresult *res)
{
	struct wa_db	*db = r->db;
	const char	*st = res != NULL ?
			    PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char	*cons = res != NULL ?
			    PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME) :
			    NULL;
	enum wa_err	 e = wa_db_sqlstate_err(st);

	save_err(db, db->conn != NULL ? PQerrorMessage(db->conn) : "");
	if (db->conn != NULL && PQstatus(db->conn) != CONNECTION_OK) {
		e = WA_ERR_UNAVAILABLE;
		db->nstmts = 0;
	}
	wa_fail_log(r, "sqlstate=%s constraint=%s: %s", st != NULL ? st : "-",
	    cons != NULL ? cons : "-", db->errmsg);
	switch (e) {
	case WA_ERR_CONFLICT:
		wa_fail(r, e, "%s", wa_db_sqlstate_message(st));
		break;
	case WA_ERR_UNAVAILABLE:
		r->err.retry_after = 1;
		wa_fail(r, e, "Database temporarily unavailable");
		break;
	case WA_ERR_VALIDATION:
		wa_fail(r, WA_ERR_BAD_REQUEST, "%s",
		    wa_db_sqlstate_message(st));
		break;
	case WA_ERR_QUOTA:
		/* the words are wagate's own, written by the trigger */
		wa_fail(r, e, "%s", PQresultErrorField(res,
		    PG_DIAG_MESSAGE_PRIMARY) != NULL ? PQresultErrorField(res,
		    PG_DIAG_MESSAGE_PRIMARY) : "The organization has reached "
		    "a limit");
		break;
	default:
		wa_log(WA_LOG_ERROR, "database error: %s", r->err.log_detail);
		wa_fail(r, WA_ERR_INTERNAL, "Internal error");
		break;
	}
	if (res != NULL)
		PQclear(res);
	return r->err.code;
}

/* PQclear through the arena's cleanup signature (no function-pointer
 * cast: calling through a mismatched type is undefined). */
static void
clear_result(void *res)
{
	PQclear(res);
}

static const char *
prepared(struct wa_req *r, const char *sql, int n)
{
	struct wa_db	*db = r->db;
	PGresult	*res;
	size_t		 i;
	struct stmt	*s;

	for (i = 0; i < db->nstmts; i++)
		if (db->stmts[i].sql == sql)
			return db->stmts[i].name;
	if (db->nstmts == STMT_CACHE_MAX)
		return NULL;		/* fall back to unnamed statements */
	s = &db->stmts[db->nstmts];
	snprintf(s->name, sizeof(s->name), "wa%u", db->next_id++);
	res = PQprepare(db->conn, s->name, sql, n, NULL);
	if (res == NULL || PQresultStatus(res) != PGRES_COMMAND_OK) {
		fail_result(r, res);
		return "";
	}
	PQclear(res);
	s->sql = sql;
	db->nstmts++;
	return s->name;
}

enum wa_err
wa_db_exec(struct wa_req *r, PGresult **out, const char *sql, int n,
    const char *const *vals)
{
	struct wa_db	*db = r->db;
	const char	*name;
	PGresult	*res;
	ExecStatusType	 st;

	*out = NULL;
	if (db == NULL)
		return wa_fail(r, WA_ERR_INTERNAL, "Internal error");
	if (r->tx_deferred) {
		r->tx_deferred = 0;
		if (wa_db_begin(r) != WA_OK)
			return r->err.code;
	}
	if (db->conn == NULL || PQstatus(db->conn) != CONNECTION_OK) {
		/* Reconnecting inside a transaction would silently drop
		 * its earlier statements: only do it at its start. */
		if (r->in_tx || wa_db_ensure(db) != 0) {
			r->err.retry_after = 1;
			wa_fail_log(r, "database: %s", db->errmsg);
			return wa_fail(r, WA_ERR_UNAVAILABLE,
			    "Database temporarily unavailable");
		}
	}
	if ((name = prepared(r, sql, n)) == NULL)
		res = PQexecParams(db->conn, sql, n, NULL, vals, NULL, NULL, 0);
	else if (*name == '\0')
		return r->err.code;
	else
		res = PQexecPrepared(db->conn, name, n, vals, NULL, NULL, 0);
	st = res != NULL ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK)
		return fail_result(r, res);
	wa_arena_defer(r->arena, clear_result, res);
	*out = res;
	return WA_OK;
}

enum wa_err
wa_db_q(struct wa_req *r, PGresult **res, const char *sql, int n, ...)
{
	const char	*vals[WA_DB_PARAMS_MAX];
	va_list		 ap;
	int		 i;

	if (n < 0 || n > WA_DB_PARAMS_MAX)
		return wa_fail(r, WA_ERR_INTERNAL, "Internal error");
	va_start(ap, n);
	for (i = 0; i < n; i++)
		vals[i] = va_arg(ap, const char *);
	va_end(ap);
	return wa_db_exec(r, res, sql, n, vals);
}

static enum wa_err
simple(struct wa_req *r, const char *sql)
{
	PGresult	*res;

	return wa_db_exec(r, &res, sql, 0, NULL);
}

enum wa_err
wa_db_begin(struct wa_req *r)
{
	static const char sql[] = "BEGIN";
	PGresult	*res;

	/* A connection that died while the worker was idle (database
	 * restarted) is only noticed here; nothing has run yet, so one
	 * reconnect and retry is safe and spares the client a 503. */
	if (r->db != NULL && r->db->conn != NULL &&
	    PQstatus(r->db->conn) == CONNECTION_OK) {
		res = PQexec(r->db->conn, sql);
		if (res != NULL && PQresultStatus(res) == PGRES_COMMAND_OK) {
			PQclear(res);
			r->in_tx = 1;
			return WA_OK;
		}
		PQclear(res);
		if (PQstatus(r->db->conn) == CONNECTION_OK)
			return fail_result(r, NULL);
	}
	if (simple(r, sql) != WA_OK)
		return r->err.code;
	r->in_tx = 1;
	return WA_OK;
}

void
wa_db_begin_deferred(struct wa_req *r)
{
	r->tx_deferred = 1;
}

enum wa_err
wa_db_commit(struct wa_req *r)
{
	static const char sql[] = "COMMIT";
	PGresult	*res;
	const char	*st;
	enum wa_err	 e;

	if (r->tx_deferred) {
		r->tx_deferred = 0;	/* nothing ran: nothing to end */
		return WA_OK;
	}
	if (r->db == NULL || r->db->conn == NULL ||
	    PQstatus(r->db->conn) != CONNECTION_OK) {
		/* lost before COMMIT was sent: nothing was committed */
		e = simple(r, sql);
		r->in_tx = 0;
		return e;
	}
	res = PQexec(r->db->conn, sql);
	r->in_tx = 0;
	if (res != NULL && PQresultStatus(res) == PGRES_COMMAND_OK) {
		PQclear(res);
		return WA_OK;
	}
	st = res != NULL ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	/*
	 * The server answered with an error of its own (a serialization
	 * failure, a deferred constraint): it rolled back, a known
	 * outcome.  No answer, or the connection gone with it: COMMIT may
	 * or may not have been applied - the client must not be told to
	 * retry (docs/errors.md, "Outcome unknown").
	 */
	if (st != NULL && PQstatus(r->db->conn) == CONNECTION_OK &&
	    strncmp(st, "08", 2) != 0 && strncmp(st, "57P0", 4) != 0)
		return fail_result(r, res);
	save_err(r->db, PQerrorMessage(r->db->conn));
	r->db->nstmts = 0;
	wa_fail_log(r, "COMMIT without an answer (sqlstate=%s): %s",
	    st != NULL ? st : "-", r->db->errmsg);
	PQclear(res);
	return wa_fail(r, WA_ERR_OUTCOME_UNKNOWN, "The database connection "
	    "was lost while the change was being committed: it may or may "
	    "not have been saved.  Retry with the same Idempotency-Key to "
	    "find out, or check before retrying");
}

void
wa_db_rollback(struct wa_req *r)
{
	PGresult	*res;

	r->tx_deferred = 0;
	if (!r->in_tx)
		return;
	r->in_tx = 0;
	if (r->db == NULL || r->db->conn == NULL ||
	    PQstatus(r->db->conn) != CONNECTION_OK)
		return;
	/* Not through wa_db_exec: a failing ROLLBACK must not replace
	 * the error that caused it. */
	res = PQexec(r->db->conn, "ROLLBACK");
	PQclear(res);
}

enum wa_err
wa_db_tx(struct wa_req *r, wa_db_tx_fn fn, void *arg)
{
	if (wa_db_begin(r) != WA_OK)
		return r->err.code;
	if (fn(r, arg) != WA_OK) {
		if (r->err.code == WA_OK)
			wa_fail(r, WA_ERR_INTERNAL, "Internal error");
		wa_db_rollback(r);
		return r->err.code;
	}
	return wa_db_commit(r);
}

struct tx_org {
	const char	*org_id;
	wa_db_tx_fn	 fn;
	void		*arg;
};

static enum wa_err
in_org(struct wa_req *r, void *arg)
{
	struct tx_org	*t = arg;

	if (wa_db_set_org(r, t->org_id) != WA_OK)
		return r->err.code;
	return t->fn(r, t->arg);
}

enum wa_err
wa_db_tx_org(struct wa_req *r, const char *org_id, wa_db_tx_fn fn, void *arg)
{
	struct tx_org	t;

	t.org_id = org_id;
	t.fn = fn;
	t.arg = arg;
	return wa_db_tx(r, in_org, &t);
}

int
wa_db_socket(struct wa_db *db)
{
	return db != NULL && db->conn != NULL ? PQsocket(db->conn) : -1;
}

int
wa_db_notified(struct wa_db *db)
{
	PGnotify	*n;
	int		 got = 0;

	if (db == NULL || db->conn == NULL || PQconsumeInput(db->conn) == 0)
		return 0;
	while ((n = PQnotifies(db->conn)) != NULL) {
		PQfreemem(n);
		got = 1;
	}
	return got;
}

enum wa_err
wa_db_savepoint(struct wa_req *r)
{
	static const char sql[] = "SAVEPOINT wa_handler";

	return simple(r, sql);
}

enum wa_err
wa_db_rollback_to_savepoint(struct wa_req *r)
{
	PGresult	*res;
	int		 ok;

	if (r->db == NULL || r->db->conn == NULL)
		return WA_ERR_UNAVAILABLE;
	res = PQexec(r->db->conn, "ROLLBACK TO SAVEPOINT wa_handler");
	ok = res != NULL && PQresultStatus(res) == PGRES_COMMAND_OK;
	PQclear(res);
	return ok ? WA_OK : WA_ERR_UNAVAILABLE;
}

enum wa_err
wa_db_set_org(struct wa_req *r, const char *org_id)
{
	static const char sql[] =
	    "SELECT set_config('wa.org_id', $1, true)";
	PGresult	*res;

	return wa_db_q(r, &res, sql, 1, org_id);
}

enum wa_err
wa_db_one_or_fail(struct wa_req *r, const PGresult *res, const char *code,
    const char *what)
{
	if (res != NULL && PQntuples(res) == 1)
		return WA_OK;
	return wa_fail_not_found(r, code, what);
}

enum wa_err
wa_db_ref(struct wa_req *r, PGresult **res, const char *field,
    const char *id, const char *sql, const char *arg, const char *words)
{
	if (!wa_valid_uuid(id))
		return wa_fail_field(r, field, "%s", words);
	if (wa_db_q(r, res, sql, arg != NULL ? 2 : 1, id, arg) != WA_OK)
		return r->err.code;
	if (PQntuples(*res) != 1)
		return wa_fail_field(r, field, "%s", words);
	return WA_OK;
}

const char *
wa_db_get(const PGresult *res, int row, const char *col)
{
	int	c = PQfnumber(res, col);

	if (c < 0 || row >= PQntuples(res) || PQgetisnull(res, row, c))
		return NULL;
	return PQgetvalue(res, row, c);
}

long long
wa_db_int(const PGresult *res, int row, const char *col, long long def)
{
	const char	*v = wa_db_get(res, row, col);
	char		*end;
	long long	 n;

	if (v == NULL)
		return def;
	errno = 0;
	n = strtoll(v, &end, 10);
	return end == v || errno != 0 ? def : n;
}

int
wa_db_bool(const PGresult *res, int row, const char *col, int def)
{
	const char	*v = wa_db_get(res, row, col);

	if (v == NULL)
		return def;
	return v[0] == 't';
}
