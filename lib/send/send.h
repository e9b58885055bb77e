/*
 * send: the outbound engine, the one path of every message wagate sends
 * (docs/sending.md).
 *
 * A message is a row of wa.messages before it is a request to Meta
 * (sql/0006_sending.sql).  Families put rows in the queue inside their
 * request's transaction; the sending worker (`broadcasts --worker`,
 * wa_send_run as its job) drains it:
 *
 *   - lanes: one per account (phone number) with queued messages.  A
 *     worker leases the lanes it drains (wa.send_lanes_claim), so one
 *     worker at a time sends for a number, and any number of workers,
 *     on any number of hosts, share the numbers;
 *   - pacing: each lane is a token bucket at the account's messages
 *     per second (80 by default, up to 1,000); Meta's throughput error
 *     (130429) halves a lane's rate for a while, a pair-rate error
 *     (131056) defers only its recipient;
 *   - concurrency: every send of every lane in flight together on one
 *     libcurl multi handle (lib/graph/graph.h, wa_graph_multi);
 *   - outcomes: Meta's error table says what each failure means
 *     (wa_graph_outcome): retried with backoff and jitter, failed at
 *     once, the whole account paused with a reason, the template
 *     refreshed from Meta, or - when the request may have reached Meta
 *     - `unknown`, never sent again; the status webhook that echoes the
 *     message's id (biz_opaque_callback_data) resolves it;
 *   - suppression: a message to a phone the ledger suppresses is
 *     skipped when it is claimed, whatever queued it.
 *
 * A request that must answer with the outcome of its sends commits them
 * first (the dispatcher's finish step, route.h) and then waits with
 * wa_send_wait().
 */
#ifndef WA_SEND_H
#define WA_SEND_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "err.h"

struct wa_account;
struct wa_req;

/* ---- pacing (pace.c) -------------------------------------------------- */

/*
 * A token bucket at `rate` messages per second holding at most a
 * tenth of a second of them, so that a lane sends evenly rather
 * than in bursts Meta's own bucket would refuse.  After Meta's 130429
 * the rate halves (never below 1/s) and, after a calm second, climbs
 * back by a tenth of the configured rate per second.
 */
struct wa_send_pace {
	double		 max;		/* configured messages per second */
	double		 rate;		/* now */
	double		 tokens;
	int64_t		 at_us;		/* last refill, monotonic */
	int64_t		 calm_us;	/* no recovery before */
};

void	 wa_send_pace_init(struct wa_send_pace *, double mps, int64_t now_us);
/* Takes up to want tokens: how many it took. */
int	 wa_send_pace_take(struct wa_send_pace *, int want, int64_t now_us);
/* Gives back n tokens taken and not used. */
void	 wa_send_pace_refund(struct wa_send_pace *, int n);
/* Microseconds until a token is there (0: there is one). */
int64_t	 wa_send_pace_wait(struct wa_send_pace *, int64_t now_us);
/* Meta's throughput error: slow down. */
void	 wa_send_pace_slow(struct wa_send_pace *, int64_t now_us);

/* ---- requests (wait.c) ------------------------------------------------ */

/* When a request may wait for its sends until (monotonic): WA_SEND_WAIT_MS
 * after it started, within nginx's time for it. */
int64_t		wa_send_deadline(const struct wa_req *);

/*
 * Outside any transaction (the dispatcher's finish step): calls fn(r,
 * arg, &done) in short transactions of the request's tenant, backing
 * off from 20 ms to 200 ms, until fn sets done or deadline_us passes.
 */
typedef enum wa_err (*wa_send_look_fn)(struct wa_req *, void *arg,
		    int *done);
enum wa_err	wa_send_poll(struct wa_req *, wa_send_look_fn, void *arg,
		    int64_t deadline_us);

/*
 * The same for a batch of messages: waits until
 * no message of batch_id is queued or sending, or until deadline_us;
 * *pending says how many are left.  Reads in short transactions of the
 * request's tenant.
 */
enum wa_err	wa_send_wait(struct wa_req *, const char *batch_id,
		    int64_t deadline_us, long *pending);

/* ---- templates (template.c) ------------------------------------------- */

#define WA_SEND_TPL_COMPONENTS_MAX 10	/* base components of a send */

/* The template of a send, as the request gives it. */
struct wa_send_tpl {
	const char	*name;
	const char	*language;
	const cJSON	*components;	/* array, maybe empty */
};

/* What wagate's copy of a template says about sending it. */
struct wa_send_tpl_check {
	const char	*problem;	/* NULL: fine */
	int		 body_params;	/* {{n}} of its body */
};

/* A template object member {name, language, components} of body;
 * problems recorded under `field`. */
void		wa_send_tpl_parse(struct wa_req *, const cJSON *body,
		    const char *field, struct wa_send_tpl *out);
/* Checks t against wagate's copy of the account's templates, refreshed
 * from Meta when it lacks t or does not have it APPROVED (needs the
 * request's transaction). */
enum wa_err	wa_send_tpl_check(struct wa_req *, const struct wa_account *,
		    const struct wa_send_tpl *, struct wa_send_tpl_check *out);
/* The reason sending from the account is paused, or NULL. */
enum wa_err	wa_send_paused(struct wa_req *, const char *account_id,
		    const char **reason);

/* ---- the sending worker (worker.c) -------------------------------------- */

/* One pass: lanes, claims, sends, results (struct wa_job's run). */
int		wa_send_run(struct wa_req *);

/* Stopping: no new sends; what is in flight finishes and is recorded. */
void		wa_send_stop(struct wa_req *);

#endif /* WA_SEND_H */
