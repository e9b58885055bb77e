/*
 * bot_flows: Mosend's bot flows, /organizations/{orgId}/bot/flows
 * (seed 003, docs/flows.md).  The flow engine is lib/flow.h; this
 * family stores definitions, versions them and runs test-runs.
 */
#ifndef FLOWS_H
#define FLOWS_H

#include <cjson/cJSON.h>
#include <libpq-fe.h>

#include "err.h"
#include "flow/flow.h"
#include "req.h"

/* A create or PATCH body, validated.  NULL members are not given. */
struct flow_input {
	const char	*name;
	int		 set_description;
	const char	*description;		/* NULL = clear */
	int		 set_phone;
	const char	*phone_number_id;	/* NULL = all numbers */
	const char	*trigger_type;
	int		 set_trigger_config;
	const char	*trigger_config;	/* JSON text, NULL = clear */
	int		 enabled;		/* -1 = not given */
	const char	*steps;			/* JSON text of the new
						 * definition, or NULL */
	struct wa_flow_report lint;		/* of the new definition */
};

/* What a PATCH is checked against. */
struct flow_current {
	const char	*trigger_type;
	const char	*trigger_config;	/* JSON text or NULL */
};

/* fields.c: validates a create (cur == NULL) or PATCH body, recording
 * every problem; returns WA_OK or the error. */
enum wa_err	flow_input_parse(struct wa_req *, const cJSON *body,
		    const struct flow_current *cur, struct flow_input *in);

/* fields.c: records a report's errors as field errors (a 400 with one
 * message each) and returns WA_ERR_VALIDATION. */
enum wa_err	flow_report_fail(struct wa_req *,
		    const struct wa_flow_report *);

/* fields.c: the definition stored as text, compiled; a stored
 * definition that no longer compiles is a 422. */
enum wa_err	flow_load(struct wa_req *, const char *text,
		    struct wa_flow **f, struct wa_flow_report *rep);

/* render.c */
extern const char flow_sql_get[];	/* $1 id */
extern const char flow_sql_list[];	/* a page: $1 time, $2 id, $3 n */
extern const char flow_sql_list_phone[];	/* and $4 account id */
#define FLOW_PAGE_MAX	100	/* flows listed at once */
cJSON		*flow_render(struct wa_req *, const PGresult *, int row,
		    int full);
/* The lint warnings as [{stepId, path, rule, message}]. */
cJSON		*flow_lint_json(struct wa_req *,
		    const struct wa_flow_report *);
/* Answers with the flow `id` (detail and lint) and status. */
enum wa_err	flow_respond(struct wa_req *, const char *id, int status);

/* handlers.c */
enum wa_err	flows_list(struct wa_req *);
enum wa_err	flows_get(struct wa_req *);
enum wa_err	flows_create(struct wa_req *);
enum wa_err	flows_update(struct wa_req *);
enum wa_err	flows_delete(struct wa_req *);
enum wa_err	flows_publish(struct wa_req *);
enum wa_err	flows_unpublish(struct wa_req *);
enum wa_err	flows_duplicate(struct wa_req *);
/* What a flow's 404 names: "flow not found" (wa_fail_not_found()). */
#define FLOW_WHAT	"flow"
/* The {id} of the path if it is a UUID, else NULL and a 404. */
const char	*flow_id(struct wa_req *);

/* testrun.c */
enum wa_err	flows_test_run(struct wa_req *);

#endif /* FLOWS_H */
