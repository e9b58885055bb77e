/*
 * broadcasts: Late's bulk send and broadcasts, /v1/whatsapp/bulk and
 * /v1/whatsapp/broadcasts... (seed 002, spec/sdk-clients.md §2.3,
 * docs/sending.md), and the sending worker (`broadcasts --worker`),
 * which drains the outbound queue of every family (lib/send/send.h)
 * and starts and feeds the broadcasts.  Late envelope, camelCase.
 */
#ifndef BROADCASTS_H
#define BROADCASTS_H

#include <cjson/cJSON.h>
#include <libpq-fe.h>

#include "accounts.h"
#include "err.h"
#include "req.h"
#include "send/send.h"

/* Limits (docs/sending.md, "Rules"). */
#define BC_NAME_MAX		255
#define BC_DESCRIPTION_MAX	1024
#define BC_BULK_MAX		100	/* recipients of one POST /bulk */
#define BC_ADD_MAX		1000	/* recipients added by one call */
#define BC_RECIPIENTS_MAX	100000	/* recipients of one broadcast */
#define BC_VARS_MAX		20	/* variables of one recipient */
#define BC_VAR_MAX		1024	/* characters of one variable */
#define BC_LIMIT_DEFAULT	50	/* broadcasts listed */
#define BC_LIMIT_MAX		100
#define BC_RECIPIENTS_DEFAULT	100	/* recipients listed */
#define BC_RECIPIENTS_LIST_MAX	1000
#define BC_SKIP_MAX		10000000
#define BC_SCHEDULE_DAYS	30
#define BC_CHUNK		5000	/* recipients queued per statement */
#define BC_DRY_LIST_MAX		100	/* recipients named by a dry run */

/* input.c: validation */

/*
 * Recipients (array member `field` of body, at most max): each phone
 * normalized to E.164, name, variables; problems recorded with their
 * paths.  *rows is the JSON array the statements read ([{phone, name,
 * variables}]) and *dups the number of phones that came twice (kept
 * once, or in order when keep_dups).
 */
void		bc_recipients_parse(struct wa_req *, const cJSON *body,
		    const char *field, size_t min, size_t max, int keep_dups,
		    cJSON **rows, long *dups);
/* The accountId member or query parameter: required, an account of the
 * caller (404 otherwise). */
enum wa_err	bc_account(struct wa_req *, const char *id,
		    struct wa_account *out);
/* {broadcastId}: a malformed id is as absent as another tenant's. */
const char	*bc_path_id(struct wa_req *);
enum wa_err	bc_not_found(struct wa_req *);
/* limit (1..max, def when absent) and skip query parameters. */
void		bc_page(struct wa_req *, long def, long max, long *limit,
		    long *skip);

/* bulk.c */
enum wa_err	bulk_send(struct wa_req *);
enum wa_err	bulk_finish(struct wa_req *);

/* broadcasts.c */
enum wa_err	broadcasts_list(struct wa_req *);
enum wa_err	broadcasts_create(struct wa_req *);
enum wa_err	broadcasts_get(struct wa_req *);
enum wa_err	broadcasts_delete(struct wa_req *);
/* The broadcast's JSON object (list: without updatedAt). */
cJSON		*bc_render(struct wa_req *, const PGresult *, int row,
		    int full);
/* Columns bc_render reads, for the statements that feed it. */
#define BC_COLUMNS \
	"b.id, b.name, b.description, b.template_name, " \
	"b.template_language, b.template_components::text AS components, " \
	"b.status, b.recipient_count, wa.rfc3339(b.scheduled_at) AS sched, " \
	"wa.rfc3339(b.started_at) AS started, " \
	"wa.rfc3339(b.completed_at) AS completed, b.sent_count, " \
	"b.delivered_count, b.read_count, b.failed_count, b.unknown_count, " \
	"wa.rfc3339(b.created_at) AS created, " \
	"wa.rfc3339(b.updated_at) AS updated, " \
	"(SELECT l.paused_reason FROM wa.send_lanes l " \
	"WHERE l.account_id = b.account_id) AS paused"
/* A broadcast the key may see: of the organization (row-level
 * security) and of an account the key may use. */
#define BC_VISIBLE(n)	"EXISTS (SELECT 1 FROM wa.wa_accounts a " \
	"WHERE a.id = b.account_id AND (" n " = '' " \
	"OR a.profile_id IS NULL OR a.profile_id = NULLIF(" n ", '')::uuid))"

/* recipients.c */
enum wa_err	recipients_list(struct wa_req *);
enum wa_err	recipients_add(struct wa_req *);
enum wa_err	recipients_remove(struct wa_req *);
/* Adds rows (bc_recipients_parse) to a locked draft: the number added
 * (duplicates of its recipients skipped) and the new total. */
enum wa_err	bc_recipients_insert(struct wa_req *, const char *id,
		    const cJSON *rows, long *added, long long *total);

/* send.c */
enum wa_err	broadcasts_send(struct wa_req *);
enum wa_err	broadcasts_send_finish(struct wa_req *);
enum wa_err	broadcasts_schedule(struct wa_req *);
enum wa_err	broadcasts_unschedule(struct wa_req *);

/* start.c: the worker's part and the statement both use */

/* Puts the next BC_CHUNK recipients of a sending broadcast in the queue
 * (inside the caller's transaction and tenant): how many. */
enum wa_err	bc_enqueue_chunk(struct wa_req *, const char *broadcast_id,
		    long *queued);
/* The job: starts due scheduled broadcasts, queues recipients, then a
 * pass of the sending engine. */
int		bc_job_run(struct wa_req *);
void		bc_job_stop(struct wa_req *);

#endif /* BROADCASTS_H */
