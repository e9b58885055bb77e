#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "db.h"
#include "idem.h"
#include "log.h"
#include "req.h"
#include "resp.h"
#include "valid.h"

int
wa_idem_applies(unsigned method)
{
	return (method & (WA_M_POST | WA_M_PUT | WA_M_PATCH |
	    WA_M_DELETE)) != 0;
}

/* SHA-256 over method, URI, profile scope and body, NUL-separated. */
static void
request_hash(const struct wa_req *r, char out[2 * WA_SHA256_LEN + 1])
{
	EVP_MD_CTX	*ctx = EVP_MD_CTX_new();
	unsigned char	 md[WA_SHA256_LEN];
	unsigned int	 len = sizeof(md);
	const char	*parts[3] = {
		r->method_str, r->uri, r->auth.profile_id
	};
	size_t		 i;

	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	for (i = 0; i < 3; i++)
		EVP_DigestUpdate(ctx, parts[i], strlen(parts[i]) + 1);
	EVP_DigestUpdate(ctx, r->body, r->body_len);
	EVP_DigestFinal_ex(ctx, md, &len);
	EVP_MD_CTX_free(ctx);
	wa_crypto_hex(md, sizeof(md), out);
}

enum wa_err
wa_idem_begin(struct wa_req *r, struct wa_idem *st)
{
	static const char sql_lock[] =
	    "SELECT pg_try_advisory_xact_lock("
	    "hashtextextended($1 || ':' || $2, 0)) AS ok";
	static const char sql_get[] =
	    "SELECT status, body, encode(request_hash, 'hex') AS h, "
	    "created_at < now() - interval '24 hours' AS expired "
	    "FROM wa.idempotency_keys WHERE org_id = $1 AND key = $2";
	static const char sql_del[] =
	    "DELETE FROM wa.idempotency_keys WHERE org_id = $1 AND key = $2";
	const char	*key;
	PGresult	*res;
	int		 code;

	memset(st, 0, sizeof(*st));
	if (!wa_idem_applies(r->method) ||
	    (key = wa_req_header(r, "idempotency-key")) == NULL)
		return WA_OK;
	if (!wa_valid_idem_key(key))
		return wa_fail_field(r, "Idempotency-Key", "must be 1-255 "
		    "printable ASCII characters without spaces");
	if (wa_db_q(r, &res, sql_lock, 2, r->auth.org_id, key) != WA_OK)
		return r->err.code;
	if (!wa_db_bool(res, 0, "ok", 0))
		return wa_fail(r, WA_ERR_IDEM_BUSY, "A request with this "
		    "Idempotency-Key is still being processed");
	if (wa_db_q(r, &res, sql_get, 2, r->auth.org_id, key) != WA_OK)
		return r->err.code;
	request_hash(r, st->hash);
	if (PQntuples(res) == 1 && wa_db_bool(res, 0, "expired", 0)) {
		if (wa_db_q(r, &res, sql_del, 2, r->auth.org_id, key) != WA_OK)
			return r->err.code;
	} else if (PQntuples(res) == 1) {
		if (strcmp(wa_db_get(res, 0, "h"), st->hash) != 0)
			return wa_fail(r, WA_ERR_IDEM_MISMATCH,
			    "Idempotency-Key was already used for a "
			    "different request");
		code = (int)wa_db_int(res, 0, "status", 200);
		if (code == 0) {
			/* committed, its finish step not done: resume it */
			st->active = st->pending = 1;
			st->key = key;
			snprintf(r->resume, sizeof(r->resume), "%s",
			    wa_db_get(res, 0, "body"));
			return WA_OK;
		}
		wa_resp_set(r, code, wa_db_get(res, 0, "body"),
		    strlen(wa_db_get(res, 0, "body")));
		r->resp.replayed = 1;
		wa_resp_header(r, "Idempotent-Replayed", "true");
		/* Headers are not stored: restore the one a stored status
		 * implies (wa_resp_error), or the Sent SDK retries a replayed
		 * conflict. */
		if (code == 409)
			wa_resp_header(r, "x-should-retry", "false");
		return WA_OK;
	}
	st->active = 1;
	st->key = key;
	return WA_OK;
}

enum wa_err
wa_idem_store_pending(struct wa_req *r, const struct wa_idem *st)
{
	static const char sql[] =
	    "INSERT INTO wa.idempotency_keys "
	    "(org_id, key, request_hash, status, body) "
	    "VALUES ($1, $2, decode($3, 'hex'), 0, $4)";
	PGresult	*res;

	if (!st->active || st->pending)
		return WA_OK;
	return wa_db_q(r, &res, sql, 4, r->auth.org_id, st->key, st->hash,
	    r->resume);
}

static enum wa_err
finish_store(struct wa_req *r, void *arg)
{
	static const char sql[] =
	    "UPDATE wa.idempotency_keys SET status = $3, body = $4 "
	    "WHERE org_id = $1 AND key = $2 AND status = 0";
	const struct wa_idem	*st = arg;
	char			 status[16];
	PGresult		*res;

	snprintf(status, sizeof(status), "%d", r->resp.status);
	return wa_db_q(r, &res, sql, 4, r->auth.org_id, st->key, status,
	    r->resp.body != NULL ? r->resp.body : "");
}

enum wa_err
wa_idem_finish(struct wa_req *r, const struct wa_idem *st)
{
	if (!st->active || r->resp.status >= 500)
		return WA_OK;
	return wa_db_tx_org(r, r->auth.org_id, finish_store, (void *)st);
}

enum wa_err
wa_idem_store(struct wa_req *r, const struct wa_idem *st)
{
	static const char sql[] =
	    "INSERT INTO wa.idempotency_keys "
	    "(org_id, key, request_hash, status, body) "
	    "VALUES ($1, $2, decode($3, 'hex'), $4, $5)";
	char		 status[16];
	PGresult	*res;

	if (!st->active || r->resp.status >= 500)
		return WA_OK;
	snprintf(status, sizeof(status), "%d", r->resp.status);
	return wa_db_q(r, &res, sql, 5, r->auth.org_id, st->key, st->hash,
	    status, r->resp.body != NULL ? r->resp.body : "");
}

void
wa_idem_purge_maybe(struct wa_req *r)
{
	static const char sql[] = "SELECT wa.purge_idempotency() AS n";
	static time_t	 last;
	time_t		 now = time(NULL);
	PGresult	*res;

	if (now - last < 3600 || r->db == NULL)
		return;
	last = now;
	if (wa_db_q(r, &res, sql, 0) == WA_OK)
		wa_log(WA_LOG_DEBUG, "purged %s idempotency records",
		    wa_db_get(res, 0, "n"));
}
