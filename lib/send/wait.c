/*
 * A request waiting for the sends it committed (send.h): it polls the
 * batch's messages, backing off from 20 ms to 200 ms, each look a short
 * transaction of the request's tenant.  The worker's results are written
 * in batches a few times a second, so a finer wait would only cost
 * queries.
 */
#include <time.h>

#include "cfg.h"
#include "clock.h"
#include "db.h"
#include "req.h"
#include "send.h"

struct look {
	const char	*batch_id;
	long		 pending;
};

struct poll {
	wa_send_look_fn	 fn;
	void		*arg;
	int		 done;
};

static enum wa_err
look(struct wa_req *r, void *arg, int *done)
{
	static const char sql[] =
	    "SELECT count(*) AS n FROM wa.messages "
	    "WHERE batch_id = $1 AND status IN ('queued', 'sending')";
	struct look	*l = arg;
	PGresult	*res;

	if (wa_db_q(r, &res, sql, 1, l->batch_id) != WA_OK)
		return r->err.code;
	l->pending = wa_db_int(res, 0, "n", 0);
	*done = l->pending == 0;
	return WA_OK;
}

int64_t
wa_send_deadline(const struct wa_req *r)
{
	int64_t	start = r->started_us > 0 ? r->started_us :
		    wa_clock_mono_us();

	return start + (int64_t)r->cfg->send_wait_ms * 1000;
}

static enum wa_err
poll_tx(struct wa_req *r, void *arg)
{
	struct poll	*p = arg;

	return p->fn(r, p->arg, &p->done);
}

enum wa_err
wa_send_poll(struct wa_req *r, wa_send_look_fn fn, void *arg,
    int64_t deadline)
{
	struct poll	 p;
	struct timespec	 ts;
	int64_t		 left, step = 20000;

	p.fn = fn;
	p.arg = arg;
	for (;;) {
		p.done = 0;
		if (wa_db_tx_org(r, r->auth.org_id, poll_tx, &p) != WA_OK)
			return r->err.code;
		left = deadline - wa_clock_mono_us();
		if (p.done || left <= 0)
			return WA_OK;
		if (step > left)
			step = left;
		ts.tv_sec = step / 1000000;
		ts.tv_nsec = (long)(step % 1000000) * 1000;
		nanosleep(&ts, NULL);
		if (step < 200000)
			step = step * 3 / 2;
	}
}

enum wa_err
wa_send_wait(struct wa_req *r, const char *batch_id, int64_t deadline,
    long *pending)
{
	struct look	l;

	l.batch_id = batch_id;
	l.pending = 0;
	if (wa_send_poll(r, look, &l, deadline) != WA_OK)
		return r->err.code;
	*pending = l.pending;
	return WA_OK;
}
