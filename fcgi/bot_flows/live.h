/*
 * live: the bot worker (`bot_flows --worker`), which runs published
 * flows in live conversations (docs/flows.md, "Live").  live.c takes a
 * job and decides what to run; save.c keeps what a run did: the
 * messages it sends, the session, the conversation, the next job.
 */
#ifndef LIVE_H
#define LIVE_H

#include <cjson/cJSON.h>

#include "flow/flow.h"
#include "req.h"

#define BOT_SENDS_MAX		20	/* messages one run may send */
#define BOT_CALLS_MS		30000	/* http_request time of one run */
#define BOT_JOB_ATTEMPTS	5	/* then a failing job is dropped */

struct bot_job {
	const char	*id;
	const char	*org_id;
	const char	*conv_id;
	const char	*kind;		/* message, resume */
	const char	*inbound_id;
	const char	*session_id;
	int		 attempts;
};

/* The conversation of a job, locked. */
struct bot_conv {
	int		 web;		/* a web chat conversation */
	const char	*name;		/* web chat: the visitor's */
	const char	*account_id;	/* whatsapp: the number */
	const char	*peer;
	const char	*contact_id;
	const char	*handler;
	const char	*display;	/* the number, system.phone */
	int		 window_open;
};

/* The live session (id NULL: none), or the one a run starts. */
struct bot_session {
	const char	*id;
	int		 fresh;		/* started by this run */
	const char	*flow_id;
	int		 version;
	const char	*status;
	int		 step;
	int		 attempt;
	const cJSON	*jumps;
	cJSON		*vars;
	int		 due;		/* resume_at has come */
};

/* save.c: what one run did, in the job's transaction. */
enum wa_err	bot_save(struct wa_req *, const struct bot_job *,
		    const struct bot_conv *, const struct bot_session *,
		    const struct wa_flow *, const struct wa_flow_run_out *);

/* live.c: struct wa_job's run and the transport of http_request. */
int		bot_job_run(struct wa_req *);

#endif /* LIVE_H */
