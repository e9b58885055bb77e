/*
 * POST /v1/whatsapp/bulk: one template to at most 100 recipients, each
 * with its own body variables.  Every recipient becomes a message row of
 * the request's batch, in request order: queued, or at once skipped
 * (the ledger suppresses the phone) or failed (the template cannot be
 * sent, its variables do not fill it).  The rows are committed before
 * anything is sent; then the dispatcher's finish step (bulk_finish)
 * waits for the sending worker and answers with every recipient's
 * result (docs/sending.md, "Bulk").
 */
#include <string.h>

#include "arena.h"
#include "cfg.h"
#include "clock.h"
#include "crypto.h"
#include "db.h"
#include "json.h"
#include "resp.h"
#include "send/send.h"

#include "broadcasts.h"

static enum wa_err
enqueue(struct wa_req *r, const struct wa_account *a, const char *batch,
    const struct wa_send_tpl *t, const struct wa_send_tpl_check *chk,
    const cJSON *rows)
{
	static const char sql[] =
	    "INSERT INTO wa.messages (org_id, account_id, origin, batch_id, "
	    "seq, priority, to_phone, contact_id, type, body, template_name, "
	    "template_language, status, error_code, error, failed_at) "
	    "SELECT $1, $2, 'bulk', $3, x.ord, 0, x.phone, "
	    "(SELECT c.id FROM wa.contacts c WHERE c.account_id = $2 "
	    "AND c.phone = x.phone COLLATE \"C\"), 'template', "
	    "wa.template_object($4, $5, $6::jsonb, x.variables, "
	    "$7::integer), $4, $5, "
	    "CASE WHEN $8::text IS NOT NULL THEN 'failed' "
	    "WHEN s.why IS NOT NULL THEN 'skipped' "
	    "WHEN p.problem IS NOT NULL THEN 'failed' ELSE 'queued' END, "
	    "CASE WHEN $8::text IS NOT NULL THEN 'template_not_sendable' "
	    "WHEN s.why IS NOT NULL THEN s.why "
	    "WHEN p.problem IS NOT NULL THEN 'template_params' END, "
	    "CASE WHEN $8::text IS NOT NULL THEN $8 "
	    "WHEN s.why IS NOT NULL THEN wa.suppression_words(s.why) "
	    "ELSE p.problem END, "
	    "CASE WHEN s.why IS NULL AND ($8::text IS NOT NULL OR "
	    "p.problem IS NOT NULL) THEN now() END "
	    "FROM ROWS FROM (json_to_recordset($9::json) AS (phone text, "
	    "variables jsonb)) WITH ORDINALITY AS x (phone, variables, ord) "
	    "CROSS JOIN LATERAL (SELECT wa.suppressed($2, x.phone) AS why) s "
	    "CROSS JOIN LATERAL (SELECT wa.template_vars_problem(x.variables, "
	    "$6::jsonb, $7::integer) AS problem) p";
	const char	*vals[9];
	PGresult	*res;

	vals[0] = a->org_id;
	vals[1] = a->id;
	vals[2] = batch;
	vals[3] = t->name;
	vals[4] = t->language;
	vals[5] = wa_json_print(t->components);
	vals[6] = wa_arena_printf(r->arena, "%d", chk->body_params);
	vals[7] = chk->problem;
	vals[8] = wa_json_print(rows);
	return wa_db_exec(r, &res, sql, 9, vals);
}

enum wa_err
bulk_send(struct wa_req *r)
{
	static const struct wa_field fields[] = {
		WA_FIELD_STR("accountId", WA_F_REQUIRED_TEXT, 64),
		WA_FIELD_END
	};
	struct wa_account	 acc;
	struct wa_send_tpl	 t;
	struct wa_send_tpl_check	 chk;
	const char		*paused;
	char			 batch[WA_UUID_LEN];
	cJSON			*body, *rows;
	long			 dups;

	if (wa_json_body(r, &body) != WA_OK)
		return r->err.code;
	wa_json_validate(r, body, fields, NULL);
	wa_send_tpl_parse(r, body, "template", &t);
	bc_recipients_parse(r, body, "recipients", 1, BC_BULK_MAX, 1, &rows,
	    &dups);
	if (r->err.code != WA_OK ||
	    bc_account(r, wa_json_str(body, "accountId"), &acc) != WA_OK ||
	    wa_send_paused(r, acc.id, &paused) != WA_OK)
		return r->err.code;
	if (paused != NULL)
		return wa_fail_as(r, WA_ERR_UNPROCESSABLE, "account_paused",
		    "Sending from this account is paused: %s", paused);
	if (wa_send_tpl_check(r, &acc, &t, &chk) != WA_OK)
		return r->err.code;
	if (wa_crypto_uuid7((uint64_t)wa_clock_now_ms(), batch) != 0)
		return wa_fail(r, WA_ERR_INTERNAL, "no random bytes");
	if (enqueue(r, &acc, batch, &t, &chk, rows) != WA_OK)
		return r->err.code;
	/* committed by the dispatcher, then bulk_finish() */
	snprintf(r->resume, sizeof(r->resume), "%s", batch);
	return WA_OK;
}

static enum wa_err
results_tx(struct wa_req *r, void *arg)
{
	static const char sql[] =
	    "SELECT id, to_phone, status, wamid, error FROM wa.messages "
	    "WHERE batch_id = $1 ORDER BY seq";

	return wa_db_q(r, (PGresult **)arg, sql, 1, r->resume);
}

/* One recipient's result: success when Meta accepted it. */
static cJSON *
result(struct wa_req *r, const PGresult *res, int i, long *counts)
{
	const char	*st = wa_db_get(res, i, "status");
	const char	*err = wa_db_get(res, i, "error");
	cJSON		*o = cJSON_CreateObject();
	int		 ok;

	ok = strcmp(st, "sent") == 0 || strcmp(st, "delivered") == 0 ||
	    strcmp(st, "read") == 0;
	cJSON_AddStringToObject(o, "phone", wa_db_get(res, i, "to_phone"));
	cJSON_AddBoolToObject(o, "success", ok);
	if (wa_db_get(res, i, "wamid") != NULL)
		cJSON_AddStringToObject(o, "messageId",
		    wa_db_get(res, i, "wamid"));
	cJSON_AddStringToObject(o, "id", wa_db_get(res, i, "id"));
	cJSON_AddStringToObject(o, "status", st);
	if (ok)
		counts[0]++;
	else if (strcmp(st, "queued") == 0 || strcmp(st, "sending") == 0) {
		counts[2]++;
		err = wa_arena_printf(r->arena, "not sent yet: still %s after "
		    "%d s; it will be sent (GET the conversation or wait for "
		    "its status)", st, r->cfg->send_wait_ms / 1000);
	} else if (strcmp(st, "unknown") == 0)
		counts[3]++;
	else
		counts[1]++;
	if (!ok)
		wa_json_add_strn(o, "error", err != NULL ? err : st);
	return o;
}

enum wa_err
bulk_finish(struct wa_req *r)
{
	PGresult	*res;
	cJSON		*data, *sum, *arr;
	long		 pending, counts[4] = { 0, 0, 0, 0 };
	int		 i, n;

	if (wa_send_wait(r, r->resume, wa_send_deadline(r), &pending) !=
	    WA_OK || wa_db_tx_org(r, r->auth.org_id, results_tx, &res) !=
	    WA_OK)
		return r->err.code;
	n = PQntuples(res);
	data = cJSON_CreateObject();
	sum = cJSON_AddObjectToObject(data, "summary");
	arr = cJSON_AddArrayToObject(data, "results");
	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(arr, result(r, res, i, counts));
	cJSON_AddNumberToObject(sum, "total", n);
	cJSON_AddNumberToObject(sum, "sent", (double)counts[0]);
	cJSON_AddNumberToObject(sum, "failed", (double)counts[1]);
	cJSON_AddNumberToObject(sum, "pending", (double)counts[2]);
	cJSON_AddNumberToObject(sum, "unknown", (double)counts[3]);
	return wa_resp_ok(r, 200, data);
}
