/*
 * The worker: claims a batch of stored events (up to HOOK_BATCH, FOR
 * UPDATE SKIP LOCKED, so several workers share the queue), applies
 * everything in them in one transaction, and marks them done in the
 * same transaction: one commit for the batch.  The message statuses of
 * a batch go in one statement per account, so the trigger that moves
 * the messages runs once for all of them.  A database failure rolls the
 * batch back; its events are then taken one at a time (a batch of one),
 * and a single event that fails gets a retry, backing off.  An event
 * that cannot be understood is marked done with the reason, never
 * retried forever.
 *
 * Applied once: the same bytes are stored once (wa.webhook_events'
 * body_sha256), and each item has a natural key its table holds unique
 * (wamid and status; wamid; template id, event and time), so a
 * redelivery in a different batch changes nothing either.  Template
 * statuses also never move back to an older event's.
 *
 * Tenancy: an item names Meta's phone-number id (messages) or WABA id
 * (templates); wa.webhook_route() maps it to the accounts, and the
 * worker sets each account's organization in the transaction before it
 * writes that organization's rows.  A number is held by one account of
 * one organization (sql/0007_number_claims.sql); a WABA's template
 * events reach the organizations that proved it (docs/webhooks.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "clock.h"
#include "crypto.h"
#include "db.h"
#include "json.h"
#include "log.h"

#include "webhooks.h"

#define PURGE_EVERY_US	(3600LL * 1000000)

struct target {
	const char	*org_id;
	const char	*account_id;
};

/* The statuses of a batch for one account, written together. */
struct bucket {
	struct target	 t;
	cJSON		*rows;
};

struct pass {
	struct wa_req	*r;
	int		 limit;		/* events claimed at most */
	int		 events;	/* claimed */
	const char	*event_id;	/* the event being applied, or NULL */
	const char	*note;		/* why its items were skipped */
	const char	*why;		/* why the pass failed */
	int		 items;		/* its items, for the cap */
	int		 applied;	/* new rows of the batch */
	int		 unrouted;
	cJSON		*done;		/* [{id, note}] */
	struct bucket	 buckets[HOOK_BUCKETS];
	int		 nbuckets;
};

/* The accounts an item is for (arena-owned), or -1 on a database
 * error (recorded on r). */
static int
route(struct pass *p, const char *phone_number_id, const char *waba_id,
    struct target **out)
{
	static const char sql[] =
	    "SELECT org_id, account_id FROM wa.webhook_route($1, $2)";
	PGresult	*res;
	int		 i, n;

	if (wa_db_q(p->r, &res, sql, 2, phone_number_id, waba_id) != WA_OK)
		return -1;
	n = PQntuples(res);
	*out = wa_arena_calloc(p->r->arena, (size_t)n + 1, sizeof(**out));
	for (i = 0; i < n; i++) {
		(*out)[i].org_id = wa_arena_strdup(p->r->arena,
		    wa_db_get(res, i, "org_id"));
		(*out)[i].account_id = wa_arena_strdup(p->r->arena,
		    wa_db_get(res, i, "account_id"));
	}
	if (n == 0)
		p->unrouted++;
	return n;
}

/* Meta's Unix-seconds string ("1749416383"), or NULL. */
static const char *
unix_secs(const char *s)
{
	size_t	n = s != NULL ? strlen(s) : 0;

	return n > 0 && n <= 12 && strspn(s, "0123456789") == n ? s : NULL;
}

static const char *
short_str(const cJSON *o, const char *name, size_t max)
{
	const char	*s = wa_json_str(o, name);

	return s != NULL && s[0] != '\0' && strlen(s) <= max ? s : NULL;
}

/* 1 if an INSERT ... ON CONFLICT DO NOTHING wrote its row. */
static int
inserted(const PGresult *res)
{
	return strcmp(PQcmdTuples((PGresult *)res), "1") == 0;
}

/* ---- messages: statuses and inbound messages ------------------------ */

/* A value of a status row: the string, or JSON null. */
static void
put_str(cJSON *row, const char *key, const char *s)
{
	if (s != NULL)
		cJSON_AddStringToObject(row, key, s);
	else
		cJSON_AddNullToObject(row, key);
}

/* A status item as a row of the batch apply_statuses() writes, or NULL
 * when it has no key (wamid and status). */
static cJSON *
status_row(const cJSON *s)
{
	static const char *const objects[] = {
		"errors", "pricing", "conversation",
	};
	const char	*wamid = short_str(s, "id", 256);
	const char	*status = short_str(s, "status", 32);
	const cJSON	*v;
	cJSON		*row;
	size_t		 i;

	if (wamid == NULL || status == NULL)
		return NULL;
	row = cJSON_CreateObject();
	put_str(row, "wamid", wamid);
	put_str(row, "status", status);
	put_str(row, "ts", unix_secs(wa_json_str(s, "timestamp")));
	put_str(row, "recipient_id", short_str(s, "recipient_id", 64));
	put_str(row, "opaque", short_str(s, "biz_opaque_callback_data",
	    512));
	for (i = 0; i < sizeof(objects) / sizeof(objects[0]); i++) {
		v = cJSON_GetObjectItemCaseSensitive(s, objects[i]);
		if (v != NULL && !cJSON_IsNull(v))
			cJSON_AddItemReferenceToObject(row, objects[i],
			    (cJSON *)v);
		else
			cJSON_AddNullToObject(row, objects[i]);
	}
	cJSON_AddItemReferenceToObject(row, "payload", (cJSON *)s);
	return row;
}

/* The statuses collected for the accounts, one statement each: the
 * trigger that moves the messages (wa.message_statuses_apply) then runs
 * once per account and batch, not once per item. */
static enum wa_err
flush_statuses(struct pass *p)
{
	static const char sql[] =
	    "INSERT INTO wa.message_statuses (org_id, account_id, wamid, "
	    "status, status_time, recipient_id, errors, pricing, "
	    "conversation, biz_opaque_callback_data, payload, "
	    "webhook_event_id) SELECT $1, $2, x.wamid, x.status, "
	    "to_timestamp(x.ts), x.recipient_id, x.errors, x.pricing, "
	    "x.conversation, x.opaque, x.payload, x.event_id "
	    "FROM jsonb_to_recordset($3::jsonb) AS x (wamid text, "
	    "status text, ts double precision, recipient_id text, "
	    "errors jsonb, pricing jsonb, conversation jsonb, opaque text, "
	    "payload jsonb, event_id bigint) "
	    "ON CONFLICT (org_id, account_id, wamid, status) DO NOTHING";
	struct bucket	*b;
	PGresult	*res;
	int		 i;

	for (i = 0; i < p->nbuckets; i++) {
		b = &p->buckets[i];
		if (wa_db_set_org(p->r, b->t.org_id) != WA_OK ||
		    wa_db_q(p->r, &res, sql, 3, b->t.org_id, b->t.account_id,
		    wa_json_print(b->rows)) != WA_OK)
			return p->r->err.code;
		p->applied += (int)strtol(PQcmdTuples(res), NULL, 10);
	}
	p->nbuckets = 0;
	return WA_OK;
}

/* The statuses of a value for one account, kept for flush_statuses()
 * (which runs early when every bucket is taken). */
static enum wa_err
apply_statuses(struct pass *p, const struct target *t, const cJSON *list)
{
	const cJSON	*it;
	struct bucket	*b = NULL;
	cJSON		*row;
	int		 i;

	cJSON_ArrayForEach(it, list) {
		if (++p->items > HOOK_ITEMS_MAX)
			break;
		if (!cJSON_IsObject(it) || (row = status_row(it)) == NULL)
			continue;
		cJSON_AddItemToObject(row, "event_id",
		    cJSON_CreateRaw(p->event_id));
		for (i = 0; b == NULL && i < p->nbuckets; i++)
			if (strcmp(p->buckets[i].t.account_id,
			    t->account_id) == 0)
				b = &p->buckets[i];
		if (b == NULL) {
			if (p->nbuckets == HOOK_BUCKETS &&
			    flush_statuses(p) != WA_OK) {
				return p->r->err.code;
			}
			b = &p->buckets[p->nbuckets++];
			b->t = *t;
			b->rows = cJSON_CreateArray();
		}
		cJSON_AddItemToArray(b->rows, row);
	}
	return WA_OK;
}

/* The name a message's sender gave in value.contacts[], or NULL. */
static const char *
contact_name(const cJSON *value, const char *wa_id)
{
	const cJSON	*c;

	if (wa_id == NULL)
		return NULL;
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(value,
	    "contacts")) {
		const char *w = wa_json_str(c, "wa_id");

		if (w != NULL && strcmp(w, wa_id) == 0)
			return short_str(cJSON_GetObjectItemCaseSensitive(c,
			    "profile"), "name", 256);
	}
	return NULL;
}

static enum wa_err
apply_inbound(struct pass *p, const struct target *t, const cJSON *value,
    const cJSON *m)
{
	static const char sql[] =
	    "INSERT INTO wa.inbound_messages (org_id, account_id, wamid, "
	    "from_wa_id, contact_name, type, sent_at, context_wamid, message, "
	    "webhook_event_id) VALUES ($1, $2, $3, $4, $5, $6, "
	    "to_timestamp($7::double precision), $8, $9::jsonb, $10::bigint) "
	    "ON CONFLICT (org_id, account_id, wamid) DO NOTHING";
	const char	*vals[10];
	PGresult	*res;

	vals[2] = short_str(m, "id", 256);
	vals[5] = short_str(m, "type", 32);
	if (vals[2] == NULL || vals[5] == NULL)
		return WA_OK;
	vals[0] = t->org_id;
	vals[1] = t->account_id;
	/* `from` may be missing for users with usernames (contract §10.5) */
	vals[3] = short_str(m, "from", 64);
	vals[4] = contact_name(value, vals[3]);
	vals[6] = unix_secs(wa_json_str(m, "timestamp"));
	vals[7] = short_str(cJSON_GetObjectItemCaseSensitive(m, "context"),
	    "id", 256);
	vals[8] = wa_json_print(m);
	vals[9] = p->event_id;
	if (wa_db_exec(p->r, &res, sql, 10, vals) != WA_OK)
		return p->r->err.code;
	p->applied += inserted(res);
	return WA_OK;
}

static enum wa_err
apply_messages(struct pass *p, const char *waba_id, const cJSON *value)
{
	const cJSON	*md, *it;
	const char	*phone;
	struct target	*t;
	int		 n, i;

	md = cJSON_GetObjectItemCaseSensitive(value, "metadata");
	phone = short_str(md, "phone_number_id", 64);
	/* route by the number, falling back to the WABA (§10.4) */
	if ((n = route(p, phone, phone != NULL ? NULL : waba_id, &t)) < 0)
		return p->r->err.code;
	for (i = 0; i < n; i++) {
		if (wa_db_set_org(p->r, t[i].org_id) != WA_OK)
			return p->r->err.code;
		if (apply_statuses(p, &t[i], cJSON_GetObjectItemCaseSensitive(
		    value, "statuses")) != WA_OK)
			return p->r->err.code;
		if (p->items > HOOK_ITEMS_MAX)
			return WA_OK;
		cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(value,
		    "messages")) {
			if (++p->items > HOOK_ITEMS_MAX)
				return WA_OK;
			if (cJSON_IsObject(it) &&
			    apply_inbound(p, &t[i], value, it) != WA_OK)
				return p->r->err.code;
		}
	}
	return WA_OK;
}

/* ---- message_template_status_update ------------------------------- */

/* Meta writes "en-US" here and "en_US" in the template API (§10.7). */
static const char *
language(struct pass *p, const cJSON *v)
{
	const char	*l = short_str(v, "message_template_language", 16);
	char		*c, *d;

	if (l == NULL)
		return NULL;
	c = wa_arena_strdup(p->r->arena, l);
	for (d = c; *d != '\0'; d++)
		if (*d == '-')
			*d = '_';
	return c;
}

/* message_template_id is a JSON integer (§1.4): exact below 2^53. */
static const char *
template_id(struct pass *p, const cJSON *v)
{
	const cJSON	*id = cJSON_GetObjectItemCaseSensitive(v,
			    "message_template_id");

	if (cJSON_IsString(id))
		return short_str(v, "message_template_id", 64);
	if (!cJSON_IsNumber(id) || id->valuedouble < 1 ||
	    id->valuedouble > 9007199254740991.0)
		return NULL;
	return wa_arena_printf(p->r->arena, "%.0f", id->valuedouble);
}

static enum wa_err
apply_template(struct pass *p, const char *org_id, const char *waba_id,
    const cJSON *time, const cJSON *v)
{
	static const char sql_event[] =
	    "INSERT INTO wa.template_events (org_id, waba_id, "
	    "meta_template_id, name, language, event, reason, event_time, "
	    "payload, webhook_event_id) VALUES ($1, $2, $3, $4, $5, $6, $7, "
	    "to_timestamp($8::double precision), $9::jsonb, $10::bigint) "
	    "ON CONFLICT (org_id, waba_id, meta_template_id, event, "
	    "event_time) DO NOTHING";
	static const char sql_apply[] =
	    "UPDATE wa.templates SET status = $4, "
	    "rejected_reason = CASE WHEN $4 = 'REJECTED' THEN $5 END, "
	    "meta_id = COALESCE(meta_id, $6), "
	    "status_at = to_timestamp($7::double precision), "
	    "updated_at = now() "
	    "WHERE waba_id = $1 AND name = $2 AND language = $3 "
	    "AND (meta_id IS NULL OR meta_id = $6) "
	    "AND (status_at IS NULL OR "
	    "status_at <= to_timestamp($7::double precision))";
	const char	*vals[10], *at;
	PGresult	*res;

	vals[2] = template_id(p, v);
	vals[3] = short_str(v, "message_template_name", 512);
	vals[4] = language(p, v);
	vals[5] = short_str(v, "event", 32);
	if (vals[2] == NULL || vals[3] == NULL || vals[4] == NULL ||
	    vals[5] == NULL || !cJSON_IsNumber(time) || time->valuedouble < 0 ||
	    time->valuedouble > 1e11)
		return WA_OK;
	at = wa_arena_printf(p->r->arena, "%.0f", time->valuedouble);
	vals[0] = org_id;
	vals[1] = waba_id;
	vals[6] = short_str(v, "reason", 64);
	vals[7] = at;
	vals[8] = wa_json_print(v);
	vals[9] = p->event_id;
	if (wa_db_set_org(p->r, org_id) != WA_OK ||
	    wa_db_exec(p->r, &res, sql_event, 10, vals) != WA_OK)
		return p->r->err.code;
	if (!inserted(res))
		return WA_OK;	/* applied before: a redelivery */
	if (wa_db_q(p->r, &res, sql_apply, 7, waba_id, vals[3], vals[4],
	    vals[5], vals[6], vals[2], at) != WA_OK)
		return p->r->err.code;
	p->applied++;
	return WA_OK;
}

static enum wa_err
apply_templates(struct pass *p, const char *waba_id, const cJSON *time,
    const cJSON *value)
{
	struct target	*t;
	int		 n, i, j;

	if (waba_id == NULL)
		return WA_OK;
	if ((n = route(p, NULL, waba_id, &t)) < 0)
		return p->r->err.code;
	for (i = 0; i < n; i++) {
		/* several numbers of one WABA: once per organization */
		for (j = 0; j < i; j++)
			if (strcmp(t[j].org_id, t[i].org_id) == 0)
				break;
		if (j < i)
			continue;
		if (apply_template(p, t[i].org_id, waba_id, time,
		    value) != WA_OK)
			return p->r->err.code;
	}
	return WA_OK;
}

/* ---- one event -------------------------------------------------------- */

/* Applies an event; a non-NULL *note says why (part of) it was set
 * aside.  Returns a database error, or WA_OK. */
static enum wa_err
apply(struct pass *p, const cJSON *root, const char **note)
{
	const cJSON	*entry, *ch, *value;
	const char	*field, *waba;

	*note = NULL;
	if (!cJSON_IsObject(root) || wa_json_str(root, "object") == NULL ||
	    strcmp(wa_json_str(root, "object"),
	    "whatsapp_business_account") != 0) {
		*note = "not a whatsapp_business_account event";
		return WA_OK;
	}
	/* every entry and every change: batches happen (§10.4) */
	cJSON_ArrayForEach(entry, cJSON_GetObjectItemCaseSensitive(root,
	    "entry")) {
		waba = short_str(entry, "id", 64);
		cJSON_ArrayForEach(ch, cJSON_GetObjectItemCaseSensitive(entry,
		    "changes")) {
			if (++p->items > HOOK_ITEMS_MAX) {
				*note = "more items than one event may hold";
				return WA_OK;
			}
			field = wa_json_str(ch, "field");
			value = cJSON_GetObjectItemCaseSensitive(ch, "value");
			if (field == NULL || !cJSON_IsObject(value))
				continue;
			if (strcmp(field, "messages") == 0 &&
			    apply_messages(p, waba, value) != WA_OK)
				return p->r->err.code;
			if (strcmp(field, "message_template_status_update") ==
			    0 && apply_templates(p, waba,
			    cJSON_GetObjectItemCaseSensitive(entry, "time"),
			    value) != WA_OK)
				return p->r->err.code;
			/* other fields: acknowledged and ignored */
		}
	}
	if (p->unrouted > 0 && *note == NULL)
		*note = "some items name no account of any organization";
	return WA_OK;
}

static void
purge_maybe(struct wa_req *r)
{
	static const char sql[] = "SELECT wa.webhook_purge()";
	static int64_t	last;
	PGresult	*res;
	int64_t		now = wa_clock_mono_us();

	if (last != 0 && now - last < PURGE_EVERY_US)
		return;
	last = now;
	if (wa_db_q(r, &res, sql, 0) != WA_OK)
		wa_log(WA_LOG_WARN, "webhook purge failed: %s",
		    r->err.log_detail);
}

/* One claimed event: parsed, applied, and its {id, note} added to
 * p->done. */
static enum wa_err
apply_event(struct pass *p, const PGresult *res, int i)
{
	struct wa_req	*r = p->r;
	const char	*hex, *why;
	unsigned char	*body;
	size_t		 n;
	cJSON		*root, *d;

	p->event_id = wa_arena_strdup(r->arena, wa_db_get(res, i, "event_id"));
	p->note = NULL;
	p->items = p->unrouted = 0;
	hex = wa_db_get(res, i, "body");
	n = hex != NULL ? strlen(hex) / 2 : 0;
	body = wa_arena_alloc(r->arena, n + 1);
	if (hex == NULL || wa_crypto_unhex(hex, body, n) != 0)
		n = 0;
	body[n] = '\0';
	root = wa_json_parse((const char *)body, n, WA_JSON_DEPTH_MAX, &why);
	if (root == NULL)
		p->note = wa_arena_printf(r->arena, "not JSON: %s", why);
	else if (apply(p, root, &p->note) != WA_OK)
		return r->err.code;
	if (p->note != NULL)
		wa_log(WA_LOG_INFO, "webhook event %s: %s", p->event_id,
		    p->note);
	d = cJSON_CreateObject();
	cJSON_AddItemToObject(d, "id", cJSON_CreateRaw(p->event_id));
	put_str(d, "note", p->note);
	cJSON_AddItemToArray(p->done, d);
	return WA_OK;
}

/* A batch: claimed, applied and marked done in one transaction
 * (wa_db_tx); p->events stays 0 when there was nothing to do. */
static enum wa_err
apply_batch(struct wa_req *r, void *arg)
{
	static const char sql_claim[] =
	    "SELECT event_id, encode(body, 'hex') AS body, attempts "
	    "FROM wa.webhook_claim($1::integer)";
	static const char sql_done[] =
	    "SELECT wa.webhook_done_batch($1::jsonb)";
	struct pass	*p = arg;
	PGresult	*res, *claimed;
	char		 limit[16];
	int		 i;

	snprintf(limit, sizeof(limit), "%d", p->limit);
	if (wa_db_q(r, &claimed, sql_claim, 1, limit) != WA_OK)
		return r->err.code;
	if ((p->events = PQntuples(claimed)) == 0) {
		purge_maybe(r);
		return WA_OK;
	}
	p->done = cJSON_CreateArray();
	for (i = 0; i < p->events; i++)
		if (apply_event(p, claimed, i) != WA_OK)
			return r->err.code;
	if (flush_statuses(p) != WA_OK)
		return r->err.code;
	return wa_db_q(r, &res, sql_done, 1, wa_json_print(p->done));
}

/* After a failed event (rolled back, the claim's lock with it): the
 * retry, in a transaction of its own. */
static enum wa_err
retry_later(struct wa_req *r, void *arg)
{
	static const char sql[] = "SELECT wa.webhook_retry($1::bigint, $2)";
	struct pass	*p = arg;
	PGresult	*res;

	return wa_db_q(r, &res, sql, 2, p->event_id, p->why);
}

int
hook_process(struct wa_req *r)
{
	/* events to take one at a time after a batch failed */
	static int	 singles;
	struct pass	 p;

	memset(&p, 0, sizeof(p));
	p.r = r;
	p.limit = singles > 0 ? 1 : HOOK_BATCH;
	if (singles > 0)
		singles--;
	if (wa_db_tx(r, apply_batch, &p) == WA_OK) {
		if (p.events == 0)
			return hook_media(r);
		wa_log(WA_LOG_INFO, "webhook events applied: %d (%d new rows)",
		    p.events, p.applied);
		return 1;
	}
	if (p.events == 0)
		return -1;		/* the claim itself failed */
	p.why = wa_arena_strdup(r->arena, r->err.log_detail[0] != '\0' ?
	    r->err.log_detail : r->err.message);
	wa_req_clear_err(r);
	if (p.events > 1) {
		wa_log(WA_LOG_WARN, "webhook batch of %d events: %s; taking "
		    "them one at a time", p.events, p.why);
		singles = p.events;
		return 1;
	}
	wa_log(WA_LOG_WARN, "webhook event %s: %s; retrying later",
	    p.event_id, p.why);
	return wa_db_tx(r, retry_later, &p) == WA_OK ? 1 : -1;
}
