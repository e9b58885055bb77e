/*
 * flow: the bot-flow engine.  A definition (the JSON array of steps
 * that docs/flows.md describes) is compiled once, which validates it
 * and lints it, and then run against a conversation: scripted
 * messages, variables, a contact, mocked HTTP responses and a clock.
 * The run yields a trace of every step, the final variables, a status
 * and the coverage of steps and exits.
 *
 * Nothing here knows about HTTP requests, the database or the network:
 * an http_request step is answered from the mocks, never sent.  All
 * memory comes from the arena given (cJSON items from the current
 * cJSON arena, json.h, which must be the same one); nothing is freed.
 *
 * Every input is bounded by the limits below, and a run by its step
 * budget, its matcher fuel, the size of its trace and the memory it
 * takes from the arena: no definition and no input makes a run loop
 * or grow without end.
 */
#ifndef WA_FLOW_H
#define WA_FLOW_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "cond.h"
#include "vars.h"

struct wa_arena;
struct wa_flow_expr;
struct wa_flow_re;
struct wa_flow_tmpl;

/* Definition limits. */
#define WA_FLOW_STEPS_MAX	500
#define WA_FLOW_ID_MAX		64	/* [A-Za-z0-9_-] */
#define WA_FLOW_TEXT_MAX	4096	/* texts, also once rendered */
#define WA_FLOW_NAME_MAX	100	/* option titles, team, ... */
#define WA_FLOW_OPTIONS_MAX	10
#define WA_FLOW_BRANCHES_MAX	20
#define WA_FLOW_CMPS_MAX	50	/* comparisons in one step */
#define WA_FLOW_COND_DEPTH_MAX	4	/* all/any groups inside groups */
#define WA_FLOW_ASSIGN_MAX	20
#define WA_FLOW_HEADERS_MAX	20
#define WA_FLOW_HEADER_MAX	1024	/* a header value */
#define WA_FLOW_MAPPING_MAX	20
#define WA_FLOW_BODY_MAX	16384	/* an http_request body, printed */
#define WA_FLOW_URL_MAX		2048
#define WA_FLOW_ATTEMPTS_MAX	10
#define WA_FLOW_ATTEMPTS_DEFAULT 3
#define WA_FLOW_JUMPS_MAX	100
#define WA_FLOW_DELAY_MAX	86400		/* seconds */
#define WA_FLOW_TIMEOUT_MAX	604800		/* question timeout, s */
#define WA_FLOW_HTTP_TIMEOUT_MIN 100		/* ms */
#define WA_FLOW_HTTP_TIMEOUT_MAX 30000		/* ms */
#define WA_FLOW_HTTP_TIMEOUT_DEFAULT 10000	/* ms */
#define WA_FLOW_ISSUES_MAX	100	/* errors kept; lint the same */

/* Run limits. */
#define WA_FLOW_STEP_BUDGET	1000	/* steps executed in one run */
#define WA_FLOW_MESSAGES_MAX	200	/* scripted messages */
#define WA_FLOW_MOCKS_MAX	200	/* mocked steps */
#define WA_FLOW_MOCK_SEQ_MAX	50	/* responses for one step */
#define WA_FLOW_FUEL		(20ul * 1000 * 1000) /* matcher steps */
#define WA_FLOW_TRACE_MAX	(2u * 1024 * 1024)   /* trace bytes */
#define WA_FLOW_MEM_MAX		(64u * 1024 * 1024)  /* arena bytes */
#define WA_FLOW_RENDERED_BODY_MAX (4 * WA_FLOW_BODY_MAX) /* filled in */

enum wa_flow_type {
	WA_FLOW_MESSAGE = 0,
	WA_FLOW_QUESTION,
	WA_FLOW_CONDITION,
	WA_FLOW_SET_VARIABLE,
	WA_FLOW_HTTP_REQUEST,
	WA_FLOW_DELAY,
	WA_FLOW_JUMP,
	WA_FLOW_HANDOFF,
	WA_FLOW_END,
	WA_FLOW_TYPE__MAX
};

extern const char *const wa_flow_type_names[WA_FLOW_TYPE__MAX];

enum wa_flow_input {
	WA_FLOW_IN_TEXT = 0,
	WA_FLOW_IN_NUMBER,
	WA_FLOW_IN_EMAIL,
	WA_FLOW_IN_PHONE,
	WA_FLOW_IN_DATE,
	WA_FLOW_IN_CHOICE,
	WA_FLOW_IN_REGEX,
	WA_FLOW_IN__MAX
};

extern const char *const wa_flow_input_names[WA_FLOW_IN__MAX];

#define WA_FLOW_END_OF_FLOW	(-1)	/* exit target: the flow ends */

/* One way out of a step; a step's exits are listed in a fixed order
 * per type (see the X_ indices below). */
struct wa_flow_exit {
	const char	*name;		/* "next", "on_invalid", ... */
	int		 target;	/* step index or WA_FLOW_END_OF_FLOW */
};

/* Exit indices. */
#define WA_FLOW_X_NEXT		0	/* message, set_variable, delay,
					 * question (valid answer) */
#define WA_FLOW_X_INVALID	1	/* question */
#define WA_FLOW_X_TIMEOUT	2	/* question with timeout_s */
#define WA_FLOW_X_SUCCESS	0	/* http_request */
#define WA_FLOW_X_ERROR		1	/* http_request with on_error */
#define WA_FLOW_X_TARGET	0	/* jump */
#define WA_FLOW_X_EXHAUSTED	1	/* jump */
/* condition: branch i is exit i, the default is exit nbranches */

struct wa_flow_option {
	const char	*id;
	const char	*title;
	const cJSON	*value;		/* saved; the id when not given */
};

struct wa_flow_cmp {
	struct wa_flow_path	 var;
	enum wa_flow_op		 op;
	const cJSON		*value;	/* NULL for is_set, is_empty */
	struct wa_flow_tmpl	*tmpl;	/* a text value with {{ }} */
	struct wa_flow_re	*re;	/* matches */
	unsigned		 flags;	/* WA_FLOW_CMP_* */
};

/* "all" or "any" of items; an item is a comparison or a group. */
struct wa_flow_group {
	int			 any;
	size_t			 n;
	struct wa_flow_group	**groups;	/* [i] or NULL */
	struct wa_flow_cmp	**cmps;		/* [i] or NULL */
};

struct wa_flow_assign {
	struct wa_flow_path	 var;
	struct wa_flow_expr	*expr;	/* or: */
	const cJSON		*value;	/* a literal ... */
	struct wa_flow_tmpl	*tmpl;	/* ... or text with {{ }} */
};

struct wa_flow_header {
	const char		*name;
	struct wa_flow_tmpl	*value;
};

struct wa_flow_mapping {
	struct wa_flow_path	 var;
	const char		*from;	/* "status", "body.a.0.b", ... */
};

struct wa_flow_step {
	const char		*id;
	enum wa_flow_type	 type;
	const cJSON		*json;		/* as defined */
	struct wa_flow_exit	*exits;
	size_t			 nexits;

	/* message text, question prompt, handoff and end message */
	struct wa_flow_tmpl	*text;
	/* message media */
	const char		*media_type;
	struct wa_flow_tmpl	*media_url;
	struct wa_flow_tmpl	*caption;
	const char		*filename;

	/* question */
	enum wa_flow_input	 input;
	struct wa_flow_option	*options;
	size_t			 noptions;
	struct wa_flow_re	*pattern;
	int			 has_min, has_max;
	double			 min, max;
	int			 has_save;
	struct wa_flow_path	 save_to;
	int			 max_attempts;
	struct wa_flow_tmpl	*retry;
	int			 timeout_s;	/* 0 = none */

	/* condition */
	struct wa_flow_group	**branches;
	size_t			 nbranches;

	/* set_variable */
	struct wa_flow_assign	*assigns;
	size_t			 nassigns;

	/* http_request */
	const char		*method;
	struct wa_flow_tmpl	*url;
	struct wa_flow_header	*headers;
	size_t			 nheaders;
	const cJSON		*body;		/* strings are templates */
	int			 timeout_ms;
	struct wa_flow_mapping	*mappings;
	size_t			 nmappings;

	/* delay */
	int			 seconds;

	/* jump */
	int			 max_jumps;

	/* handoff */
	const char		*team;
	const char		*department;
};

struct wa_flow {
	struct wa_flow_step	*steps;
	size_t			 nsteps;
	size_t			 nexits;	/* over all steps */
};

/* One problem found in a definition.  path is the JSON path of the
 * member at fault ("steps[2].next"); rule names a lint rule (NULL for
 * an error). */
struct wa_flow_issue {
	const char	*path;
	const char	*step_id;	/* or NULL */
	const char	*rule;
	const char	*msg;		/* completes the path: "must ..." */
};

struct wa_flow_report {
	struct wa_flow_issue	*errors;
	size_t			 nerrors;
	size_t			 errors_more;	/* not kept, over the max */
	struct wa_flow_issue	*lint;
	size_t			 nlint;
	size_t			 lint_more;
};

/*
 * Compiles the definition `steps` (a JSON array) whose JSON path is
 * `path` ("steps", "json").  Fills rep with every error (up to
 * WA_FLOW_ISSUES_MAX) and, when there is none, the lint warnings, and
 * returns the compiled flow; returns NULL when there are errors.
 */
struct wa_flow	*wa_flow_compile(struct wa_arena *, const cJSON *steps,
		    const char *path, struct wa_flow_report *rep);

/* lint.c: the warnings for a compiled flow, added to rep.  Rules:
 * unreachable, read_before_write, endless_loop, no_on_error,
 * unknown_field (that one is found by wa_flow_compile). */
void		 wa_flow_lint(struct wa_arena *, const struct wa_flow *,
		    const char *path, struct wa_flow_report *rep);

/* Adds an issue to rep (errors when rule is NULL), formatting the
 * message; drops it when the list is full. */
void		 wa_flow_issue(struct wa_arena *, struct wa_flow_report *,
		    const char *path, const char *step_id, const char *rule,
		    const char *fmt, ...)
		    __attribute__((format(printf, 6, 7)));

enum wa_flow_status {
	WA_FLOW_ST_COMPLETED = 0,	/* an end step, or past the last step */
	WA_FLOW_ST_WAITING,	/* a question, and no message left */
	WA_FLOW_ST_HANDOFF,	/* a handoff step */
	WA_FLOW_ST_ERROR,		/* see run_out.error */
	WA_FLOW_ST_DELAYED,	/* live runs: a delay step */
	WA_FLOW_ST__MAX
};

extern const char *const wa_flow_status_names[WA_FLOW_ST__MAX];

/*
 * An http_request a live run makes for real, and what came back.  The
 * transport (struct wa_flow_run_in's http) owns every limit of the
 * call: addresses, redirects, its timeout, the size of the answer.
 */
struct wa_flow_http_req {
	const char	*method;
	const char	*url;
	const char	**names;	/* headers: names[i]: values[i] */
	const char	**values;
	size_t		 nheaders;
	const char	*body;		/* JSON text, or NULL */
	int		 timeout_ms;
};

struct wa_flow_http_resp {
	const char	*error;		/* the call failed: why; else NULL */
	int		 status;
	const char	*body;		/* bytes (arena), len of them */
	size_t		 len;
	cJSON		*headers;	/* name -> value, or NULL */
};

typedef void	(*wa_flow_http_fn)(void *arg, const struct wa_flow_http_req *,
		    struct wa_flow_http_resp *);

/* Where a live session's run starts again (struct wa_flow_run_out's
 * resume_step, attempt and jumps of the run before). */
struct wa_flow_resume {
	int		 step;		/* a step index */
	int		 attempt;	/* > 0: the question was asked */
	const cJSON	*jumps;		/* step id -> jumps taken, or NULL */
};

/*
 * What one run starts from.  wa_flow_run_input() builds it from the
 * JSON a test-run receives; a live conversation fills it itself.
 */
struct wa_flow_run_in {
	const struct wa_flow	*flow;
	const cJSON		*messages;	/* array or NULL, see below */
	cJSON			*vars;		/* wa_flow_vars_new(); the run
						 * changes it */
	const cJSON		*mocks;		/* object: step id -> mock */
	int64_t			 now_ms;	/* system.now */
	size_t			 step_budget;	/* 0: WA_FLOW_STEP_BUDGET */
	/* live runs (a conversation; all zero for a test-run): */
	int			 live;		/* delays stop the run, the
						 * clock is the real one */
	const struct wa_flow_resume *resume;	/* NULL: the first step */
	wa_flow_http_fn		 http;		/* NULL: the mocks */
	void			*http_arg;
};

/*
 * Validates the JSON input of a test-run and fills in (flow and now_ms
 * excepted; system.now is set by the run):
 *
 *   messages   array of at most WA_FLOW_MESSAGES_MAX items, each a
 *              string, {"text": "..."} or {"timeout": true} (the user
 *              says nothing until the question times out); absent or
 *              null: none, the run stops where the flow first waits
 *   variables  object: flow variables to start with ("plan" or
 *              "flow.plan" -> value)
 *   contact    object: contact.* (name, phone, custom fields)
 *   mocks      object: step id -> {"status", "body", "headers",
 *              "delay_ms"} or {"error": "..."}, or an array of those
 *              used in turn (the last one repeats)
 *   now        RFC 3339 timestamp (the caller's clock otherwise)
 *
 * system.channel is "whatsapp" and system.phone is phone (may be NULL).
 * Problems go to rep as errors under their JSON path.  Returns 0, or
 * -1 if there was any.
 */
int		 wa_flow_run_input(struct wa_arena *, const cJSON *input,
		    const char *phone, int64_t now_ms,
		    struct wa_flow_run_in *in, struct wa_flow_report *rep);

struct wa_flow_run_out {
	enum wa_flow_status	 status;
	const char		*error;		/* WA_FLOW_ST_ERROR: why */
	const char		*at;		/* step where it stopped, or
						 * NULL */
	cJSON			*trace;		/* [{stepId, type, output}] */
	cJSON			*coverage;
	size_t			 steps_run;
	size_t			 messages_used;
	size_t			 messages_left;
	/* to resume: WAITING at the question resume_step (its attempt,
	 * timeout_s), or DELAYED for delay_s seconds before resume_step
	 * (WA_FLOW_END_OF_FLOW: the flow then ends); the jumps taken */
	int			 resume_step;
	int			 attempt;
	int			 timeout_s;
	int			 delay_s;
	cJSON			*jumps;
};

/*
 * Runs in->flow from its first step (or in->resume) until it ends,
 * hands off, waits for input the script does not have, waits out a
 * delay (live runs), or fails (the step budget, an
 * expression error, a failed call without on_error, the trace or
 * memory limit).  Always fills out.
 */
void		 wa_flow_run(struct wa_arena *, const struct wa_flow_run_in *in,
		    struct wa_flow_run_out *out);

#endif /* WA_FLOW_H */
