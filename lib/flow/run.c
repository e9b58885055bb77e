/*
 * The step runner.  One loop iteration executes one step (or one
 * attempt at a question) and appends one trace entry; the iteration
 * count is the step budget.  A step returns the index of the next step,
 * WA_FLOW_END_OF_FLOW, or WA_FLOW_STOP after setting the status.
 *
 * Test-runs answer http_request steps from the mocks; the runner has
 * no other way to make a call.  The trace is measured as it grows
 * (the walk stops at what is left of WA_FLOW_TRACE_MAX), so a mock
 * with a large body repeated in a loop stops the run instead of
 * filling memory.
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "clock.h"
#include "expr.h"
#include "flow.h"
#include "json.h"
#include "re.h"
#include "run.h"
#include "tmpl.h"
#include "valid.h"

const char *const wa_flow_status_names[WA_FLOW_ST__MAX] = {
	"completed", "waiting_input", "handoff", "error", "delayed"
};

/* Stops the run with an error at step s. */
int
wa_flow_fail(struct wa_flow_runner *r, const struct wa_flow_step *s, cJSON *out,
    const char *msg)
{
	r->out->status = WA_FLOW_ST_ERROR;
	r->out->error = s != NULL ? wa_arena_printf(r->a, "step %s: %s",
	    s->id, msg) : msg;
	r->out->at = s != NULL ? s->id : NULL;
	if (out != NULL)
		cJSON_AddStringToObject(out, "error", msg);
	return WA_FLOW_STOP;
}

int
wa_flow_take(struct wa_flow_runner *r, const struct wa_flow_step *s, size_t k,
    cJSON *out)
{
	int	t = s->exits[k].target;

	r->xhit[r->xbase[s - r->f->steps] + k] = 1;
	cJSON_AddStringToObject(out, "exit", s->exits[k].name);
	if (t >= 0)
		cJSON_AddStringToObject(out, "next", r->f->steps[t].id);
	else
		cJSON_AddNullToObject(out, "next");
	return t;
}

static void
set_now(struct wa_flow_runner *r)
{
	struct wa_flow_path	 p;
	char			*ts;

	ts = wa_arena_alloc(r->a, WA_CLOCK_RFC3339_LEN);
	wa_clock_rfc3339(ts, WA_CLOCK_RFC3339_LEN, r->now_ms);
	(void)wa_flow_path_parse(r->a, "system.now", 10, &p);
	(void)wa_flow_vars_set(r->vars, &p, cJSON_CreateStringReference(ts));
}

/* A copy of v for the trace: strings by reference, the rest copied
 * (a later step may change an object that a variable holds). */
static cJSON *
snapshot(const cJSON *v)
{
	if (v == NULL)
		return cJSON_CreateNull();
	if (cJSON_IsString(v))
		return cJSON_CreateStringReference(v->valuestring);
	return cJSON_Duplicate(v, 1);
}

/* Sets a variable and notes it in the step's output.variables. */
const char *
wa_flow_assign(struct wa_flow_runner *r, const struct wa_flow_path *p, cJSON *v,
    cJSON *out)
{
	cJSON		*ch;
	const char	*why;

	if ((why = wa_flow_vars_set(r->vars, p, v)) != NULL)
		return why;
	if ((ch = cJSON_GetObjectItemCaseSensitive(out, "variables")) == NULL)
		ch = cJSON_AddObjectToObject(out, "variables");
	if (cJSON_HasObjectItem(ch, p->text))
		cJSON_DetachItemFromObjectCaseSensitive(ch, p->text);
	cJSON_AddItemToObject(ch, p->text, snapshot(v));
	return NULL;
}

const char *
wa_flow_render(struct wa_flow_runner *r, const struct wa_flow_tmpl *t,
    size_t max, int url, int *trunc)
{
	return wa_flow_tmpl_render(r->a, t, r->vars, url ? WA_FLOW_TMPL_URL :
	    WA_FLOW_TMPL_TEXT, max, trunc);
}

static cJSON *
text_message(struct wa_flow_runner *r, const struct wa_flow_tmpl *t)
{
	cJSON	*m = cJSON_CreateObject();
	int	 trunc;

	cJSON_AddStringToObject(m, "type", "text");
	cJSON_AddItemToObject(m, "text", cJSON_CreateStringReference(
	    wa_flow_render(r, t, WA_FLOW_TEXT_MAX, 0, &trunc)));
	if (trunc)
		cJSON_AddTrueToObject(m, "truncated");
	return m;
}

static int
exec_message(struct wa_flow_runner *r, const struct wa_flow_step *s, cJSON *out)
{
	cJSON	*sent = cJSON_AddArrayToObject(out, "sent"), *m;

	if (s->text != NULL)
		cJSON_AddItemToArray(sent, text_message(r, s->text));
	if (s->media_type != NULL && s->media_url != NULL) {
		m = cJSON_CreateObject();
		cJSON_AddStringToObject(m, "type", s->media_type);
		cJSON_AddItemToObject(m, "url", cJSON_CreateStringReference(
		    wa_flow_render(r, s->media_url, WA_FLOW_URL_MAX, 1,
		    NULL)));
		if (s->caption != NULL)
			cJSON_AddItemToObject(m, "caption",
			    cJSON_CreateStringReference(wa_flow_render(r,
			    s->caption, 1024, 0, NULL)));
		if (s->filename != NULL)
			cJSON_AddStringToObject(m, "filename", s->filename);
		cJSON_AddItemToArray(sent, m);
	}
	return wa_flow_take(r, s, WA_FLOW_X_NEXT, out);
}

static const char *
trimmed(struct wa_flow_runner *r, const char *s)
{
	size_t	n = strlen(s);

	while (n > 0 && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	return wa_arena_strndup(r->a, s, n);
}

static int
two(const char *s, int *v)
{
	if (!isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]))
		return 0;
	*v = (s[0] - '0') * 10 + (s[1] - '0');
	return 1;
}

static int
four(const char *s, int *v)
{
	int	hi, lo;

	if (!two(s, &hi) || !two(s + 2, &lo))
		return 0;
	*v = hi * 100 + lo;
	return 1;
}

/* YYYY-MM-DD, or day first: DD/MM/YYYY, DD-MM-YYYY, DD.MM.YYYY. */
static const char *
parse_date(struct wa_flow_runner *r, const char *s)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	int	y, m, d;

	if (strlen(s) != 10)
		return NULL;
	if (s[4] == '-' && s[7] == '-') {
		if (!four(s, &y) || !two(s + 5, &m) || !two(s + 8, &d))
			return NULL;
	} else if ((s[2] == '/' || s[2] == '-' || s[2] == '.') &&
	    s[5] == s[2]) {
		if (!two(s, &d) || !two(s + 3, &m) || !four(s + 6, &y))
			return NULL;
	} else
		return NULL;
	if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1] || y < 1)
		return NULL;
	if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) ||
	    y % 400 == 0))
		return NULL;
	return wa_arena_printf(r->a, "%04d-%02d-%02d", y, m, d);
}

static int
num_answer(struct wa_flow_runner *r, const char *s, double *d)
{
	char	*c;

	if (wa_flow_num_parse(s, d))
		return 1;
	/* "3,5": a decimal comma, as written in much of the world */
	if (strchr(s, '.') == NULL && (c = strchr(s, ',')) != NULL &&
	    strchr(c + 1, ',') == NULL) {
		c = wa_arena_strdup(r->a, s);
		*strchr(c, ',') = '.';
		return wa_flow_num_parse(c, d);
	}
	return 0;
}

static const struct wa_flow_option *
choose(const struct wa_flow_step *s, const char *ans)
{
	double	d;
	size_t	i;

	if (wa_flow_num_parse(ans, &d) && d >= 1 && d <= (double)s->noptions &&
	    floor(d) == d)
		return &s->options[(size_t)d - 1];
	for (i = 0; i < s->noptions; i++)
		if (strcasecmp(s->options[i].id, ans) == 0)
			return &s->options[i];
	for (i = 0; i < s->noptions; i++)
		if (strcasecmp(s->options[i].title, ans) == 0)
			return &s->options[i];
	return NULL;
}

/*
 * Checks an answer: the value to save in *val, or NULL with the reason
 * in *why.  -1 if the matcher ran out of fuel.
 */
static int
check_answer(struct wa_flow_runner *r, const struct wa_flow_step *s,
    const char *raw, cJSON **val, const char **why, cJSON *out)
{
	const struct wa_flow_option	*op;
	const char			*t = trimmed(r, raw), *d;
	char				 e164[WA_E164_MAX + 1], num[32];
	double				 n;
	int				 m;

	*val = NULL;
	*why = NULL;
	if (*t == '\0') {
		*why = "the answer is empty";
		return 0;
	}
	switch (s->input) {
	case WA_FLOW_IN_NUMBER:
		if (!num_answer(r, t, &n))
			*why = "is not a number";
		else if (s->has_min && n < s->min) {
			wa_flow_num_format(s->min, num, sizeof(num));
			*why = wa_arena_printf(r->a, "must be at least %s",
			    num);
		} else if (s->has_max && n > s->max) {
			wa_flow_num_format(s->max, num, sizeof(num));
			*why = wa_arena_printf(r->a, "must be at most %s", num);
		} else
			*val = cJSON_CreateNumber(n);
		break;
	case WA_FLOW_IN_EMAIL:
		if (!wa_valid_email(t))
			*why = "is not an email address";
		else
			*val = cJSON_CreateStringReference(t);
		break;
	case WA_FLOW_IN_PHONE:
		if (!wa_e164_normalize(t, e164, sizeof(e164)))
			*why = "is not a phone number with its country code "
			    "(such as +34 612 345 678)";
		else
			*val = cJSON_CreateString(e164);
		break;
	case WA_FLOW_IN_DATE:
		if ((d = parse_date(r, t)) == NULL)
			*why = "is not a date (YYYY-MM-DD or DD/MM/YYYY)";
		else
			*val = cJSON_CreateStringReference(d);
		break;
	case WA_FLOW_IN_CHOICE:
		if ((op = choose(s, t)) == NULL)
			*why = "is not one of the options";
		else {
			cJSON_AddStringToObject(out, "option", op->id);
			*val = cJSON_Duplicate(op->value, 1);
		}
		break;
	case WA_FLOW_IN_REGEX:
		if ((m = wa_flow_re_search(s->pattern, t, strlen(t),
		    &r->fuel)) < 0)
			return -1;
		if (m == 0)
			*why = "does not have the expected format";
		else
			*val = cJSON_CreateStringReference(t);
		break;
	default:
		*val = cJSON_CreateStringReference(t);
		break;
	}
	return 0;
}

/* The run stops at question s for the customer's answer. */
static int
waiting(struct wa_flow_runner *r, const struct wa_flow_step *s, cJSON *out,
    int attempt)
{
	cJSON_AddTrueToObject(out, "waiting");
	r->out->status = WA_FLOW_ST_WAITING;
	r->out->at = s->id;
	r->out->resume_step = (int)(s - r->f->steps);
	r->out->attempt = attempt;
	r->out->timeout_s = s->timeout_s;
	return WA_FLOW_STOP;
}

static int
exec_question(struct wa_flow_runner *r, const struct wa_flow_step *s,
    cJSON *out)
{
	const cJSON	*msg;
	cJSON		*sent, *m, *val, *opts;
	const char	*text, *why;
	int		 attempt;
	size_t		 i;

	attempt = r->retrying ? r->attempt : 1;
	r->retrying = 0;
	r->attempt = attempt;
	sent = cJSON_AddArrayToObject(out, "sent");
	if (r->prompted)
		m = NULL;	/* resumed: asked in the run before */
	else if (attempt == 1 || s->retry != NULL)
		m = text_message(r, attempt == 1 ? s->text : s->retry);
	else {
		m = cJSON_CreateObject();
		cJSON_AddStringToObject(m, "type", "text");
		cJSON_AddStringToObject(m, "text", "Sorry, I did not "
		    "understand that. Please try again.");
	}
	if (m != NULL && s->input == WA_FLOW_IN_CHOICE) {
		opts = cJSON_AddArrayToObject(m, "options");
		for (i = 0; i < s->noptions; i++)
			cJSON_AddItemToArray(opts, cJSON_CreateStringReference(
			    s->options[i].title));
	}
	if (m != NULL)
		cJSON_AddItemToArray(sent, m);
	r->prompted = 0;
	cJSON_AddNumberToObject(out, "attempt", attempt);
	if (r->msg >= r->nmsgs)
		return waiting(r, s, out, attempt);
	msg = cJSON_GetArrayItem(r->in->messages, (int)r->msg++);
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(msg, "timeout"))) {
		cJSON_AddItemToObject(out, "input", cJSON_CreateObjectReference(
		    msg->child));
		if (s->timeout_s == 0)	/* nothing to time out: it waits */
			return waiting(r, s, out, attempt);
		/* a live run's clock is the real one, already past it */
		if (!r->in->live) {
			r->now_ms += (int64_t)s->timeout_s * 1000;
			set_now(r);
		}
		return wa_flow_take(r, s, WA_FLOW_X_TIMEOUT, out);
	}
	text = cJSON_IsString(msg) ? msg->valuestring :
	    cJSON_IsString(cJSON_GetObjectItemCaseSensitive(msg, "text")) ?
	    cJSON_GetObjectItemCaseSensitive(msg, "text")->valuestring : "";
	cJSON_AddItemToObject(out, "input", cJSON_CreateStringReference(text));
	if (check_answer(r, s, text, &val, &why, out) < 0)
		return wa_flow_fail(r, s, out, "the pattern used up the run's "
		    "matching budget");
	if (val != NULL) {
		cJSON_AddTrueToObject(out, "valid");
		if (s->has_save && (why = wa_flow_assign(r, &s->save_to, val,
		    out)) != NULL)
			return wa_flow_fail(r, s, out, wa_arena_printf(r->a,
			    "%s %s", s->save_to.text, why));
		return wa_flow_take(r, s, WA_FLOW_X_NEXT, out);
	}
	cJSON_AddFalseToObject(out, "valid");
	cJSON_AddStringToObject(out, "reason", why);
	if (attempt < s->max_attempts) {
		cJSON_AddStringToObject(out, "exit", "retry");
		cJSON_AddStringToObject(out, "next", s->id);
		r->retrying = 1;
		r->attempt = attempt + 1;
		return (int)(s - r->f->steps);
	}
	return wa_flow_take(r, s, WA_FLOW_X_INVALID, out);
}

/* 1, 0, or -1 (out of fuel); every comparison made goes to checks. */
static int
eval_group(struct wa_flow_runner *r, const struct wa_flow_group *g,
    cJSON *checks)
{
	const struct wa_flow_cmp	*m;
	const cJSON			*left, *right;
	cJSON				*c;
	size_t				 i;
	int				 v;

	for (i = 0; i < g->n; i++) {
		if (g->groups[i] != NULL)
			v = eval_group(r, g->groups[i], checks);
		else {
			m = g->cmps[i];
			left = wa_flow_vars_get(r->vars, &m->var);
			right = m->tmpl != NULL ? cJSON_CreateStringReference(
			    wa_flow_render(r, m->tmpl, WA_FLOW_TEXT_MAX, 0,
			    NULL)) : m->value;
			v = wa_flow_cmp(r->a, m->op, left, right, m->re,
			    m->flags, &r->fuel);
			c = cJSON_CreateObject();
			cJSON_AddStringToObject(c, "var", m->var.text);
			cJSON_AddStringToObject(c, "op",
			    wa_flow_op_names[m->op]);
			if (right != NULL)
				cJSON_AddItemToObject(c, "value",
				    snapshot(right));
			cJSON_AddItemToObject(c, "actual", snapshot(left));
			cJSON_AddBoolToObject(c, "result", v == 1);
			cJSON_AddItemToArray(checks, c);
		}
		if (v < 0)
			return -1;
		if (g->any ? v == 1 : v == 0)
			return v;
	}
	return g->any ? 0 : 1;
}

static int
exec_condition(struct wa_flow_runner *r, const struct wa_flow_step *s,
    cJSON *out)
{
	cJSON	*checks = cJSON_AddArrayToObject(out, "checks");
	size_t	 i;
	int	 v;

	for (i = 0; i < s->nbranches; i++) {
		if ((v = eval_group(r, s->branches[i], checks)) < 0)
			return wa_flow_fail(r, s, out, "a pattern used up the "
			    "run's matching budget");
		if (v == 1) {
			cJSON_AddNumberToObject(out, "branch", (double)i);
			return wa_flow_take(r, s, i, out);
		}
	}
	cJSON_AddNullToObject(out, "branch");
	return wa_flow_take(r, s, s->nbranches, out);
}

static int
exec_set(struct wa_flow_runner *r, const struct wa_flow_step *s, cJSON *out)
{
	const struct wa_flow_assign	*as;
	const char			*why;
	cJSON				*v;
	size_t				 i;

	for (i = 0; i < s->nassigns; i++) {
		as = &s->assigns[i];
		if (as->expr != NULL)
			v = wa_flow_expr_eval(r->a, as->expr, r->vars, &why);
		else if (as->tmpl != NULL)
			v = cJSON_CreateStringReference(wa_flow_render(r,
			    as->tmpl, WA_FLOW_STR_MAX, 0, NULL));
		else
			v = cJSON_Duplicate(as->value, 1);
		if (v == NULL ||
		    (why = wa_flow_assign(r, &as->var, v, out)) != NULL)
			return wa_flow_fail(r, s, out, wa_arena_printf(r->a,
			    "assignments[%zu] (%s): %s", i, as->var.text,
			    why != NULL ? why : "no value"));
	}
	return wa_flow_take(r, s, WA_FLOW_X_NEXT, out);
}

static int
exec_jump(struct wa_flow_runner *r, const struct wa_flow_step *s, cJSON *out)
{
	size_t	i = (size_t)(s - r->f->steps);

	cJSON_AddNumberToObject(out, "maxJumps", s->max_jumps);
	if (r->jumps[i] < s->max_jumps) {
		cJSON_AddNumberToObject(out, "jumps", ++r->jumps[i]);
		return wa_flow_take(r, s, WA_FLOW_X_TARGET, out);
	}
	cJSON_AddNumberToObject(out, "jumps", r->jumps[i]);
	return wa_flow_take(r, s, WA_FLOW_X_EXHAUSTED, out);
}

/* A test-run moves its clock; a live run stops, to be resumed at the
 * next step when the time has come. */
static int
exec_delay(struct wa_flow_runner *r, const struct wa_flow_step *s,
    cJSON *out)
{
	int	next;

	cJSON_AddNumberToObject(out, "seconds", s->seconds);
	if (r->in->live) {
		next = wa_flow_take(r, s, WA_FLOW_X_NEXT, out);
		r->out->status = WA_FLOW_ST_DELAYED;
		r->out->at = s->id;
		r->out->resume_step = next;
		r->out->delay_s = s->seconds;
		return WA_FLOW_STOP;
	}
	r->now_ms += (int64_t)s->seconds * 1000;
	set_now(r);
	cJSON_AddItemToObject(out, "now", snapshot(
	    cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItem(
	    r->vars, "system"), "now")));
	return wa_flow_take(r, s, WA_FLOW_X_NEXT, out);
}

static int
exec_step(struct wa_flow_runner *r, const struct wa_flow_step *s, cJSON *out)
{
	cJSON	*sent;

	switch (s->type) {
	case WA_FLOW_MESSAGE:
		return exec_message(r, s, out);
	case WA_FLOW_QUESTION:
		return exec_question(r, s, out);
	case WA_FLOW_CONDITION:
		return exec_condition(r, s, out);
	case WA_FLOW_SET_VARIABLE:
		return exec_set(r, s, out);
	case WA_FLOW_HTTP_REQUEST:
		return wa_flow_exec_http(r, s, out);
	case WA_FLOW_DELAY:
		return exec_delay(r, s, out);
	case WA_FLOW_JUMP:
		return exec_jump(r, s, out);
	case WA_FLOW_HANDOFF:
	case WA_FLOW_END:
		sent = cJSON_AddArrayToObject(out, "sent");
		if (s->text != NULL)
			cJSON_AddItemToArray(sent, text_message(r, s->text));
		if (s->type == WA_FLOW_END) {
			r->out->status = WA_FLOW_ST_COMPLETED;
			return WA_FLOW_STOP;
		}
		wa_json_add_strn(out, "team", s->team);
		wa_json_add_strn(out, "department", s->department);
		r->out->status = WA_FLOW_ST_HANDOFF;
		r->out->at = s->id;
		return WA_FLOW_STOP;
	default:
		return wa_flow_fail(r, s, out, "has no type");
	}
}

/* Bytes v adds to the trace, counting at most up to limit. */
static size_t
measure(const cJSON *v, size_t limit, int depth)
{
	const cJSON	*c;
	size_t		 n = 8;

	if (v->string != NULL)
		n += strlen(v->string);
	if (cJSON_IsString(v))
		n += strlen(v->valuestring);
	if (depth > 64)
		return n;
	for (c = v->child; c != NULL && n <= limit; c = c->next)
		n += measure(c, limit - n, depth + 1);
	return n;
}

static double
percent(size_t hit, size_t total)
{
	if (total == 0)
		return 100;
	return floor(1000.0 * (double)hit / (double)total + 0.5) / 10;
}

static cJSON *
coverage(struct wa_flow_runner *r)
{
	const struct wa_flow	*f = r->f;
	cJSON			*c = cJSON_CreateObject(), *o, *ms, *mx, *x;
	size_t			 i, k, sh = 0, xh = 0;

	ms = cJSON_CreateArray();
	mx = cJSON_CreateArray();
	for (i = 0; i < f->nsteps; i++) {
		if (r->hit[i])
			sh++;
		else
			cJSON_AddItemToArray(ms, cJSON_CreateStringReference(
			    f->steps[i].id));
		for (k = 0; k < f->steps[i].nexits; k++) {
			if (r->xhit[r->xbase[i] + k]) {
				xh++;
				continue;
			}
			x = cJSON_CreateObject();
			cJSON_AddItemToObject(x, "stepId",
			    cJSON_CreateStringReference(f->steps[i].id));
			cJSON_AddItemToObject(x, "exit",
			    cJSON_CreateStringReference(
			    f->steps[i].exits[k].name));
			cJSON_AddItemToArray(mx, x);
		}
	}
	o = cJSON_AddObjectToObject(c, "steps");
	cJSON_AddNumberToObject(o, "hit", (double)sh);
	cJSON_AddNumberToObject(o, "total", (double)f->nsteps);
	cJSON_AddNumberToObject(o, "percent", percent(sh, f->nsteps));
	o = cJSON_AddObjectToObject(c, "exits");
	cJSON_AddNumberToObject(o, "hit", (double)xh);
	cJSON_AddNumberToObject(o, "total", (double)f->nexits);
	cJSON_AddNumberToObject(o, "percent", percent(xh, f->nexits));
	cJSON_AddItemToObject(c, "missedSteps", ms);
	cJSON_AddItemToObject(c, "missedExits", mx);
	return c;
}

/* The run's own bounds, checked after each step: stops it, saying why,
 * when its trace or its memory is past them. */
static int
over_limits(struct wa_flow_runner *r, const struct wa_flow_step *s,
    size_t mem0)
{
	const char	*why = NULL;

	if (r->trace_bytes > WA_FLOW_TRACE_MAX)
		why = wa_arena_printf(r->a, "the run stopped at step %s: its "
		    "trace grew past %u bytes", s->id, WA_FLOW_TRACE_MAX);
	/* what a step makes and drops (texts built, copies) is not in the
	 * trace, but it is in the arena */
	else if (wa_arena_used(r->a) - mem0 > WA_FLOW_MEM_MAX)
		why = wa_arena_printf(r->a, "the run stopped at step %s: it "
		    "used more than %u bytes of memory", s->id,
		    WA_FLOW_MEM_MAX);
	if (why == NULL)
		return 0;
	(void)wa_flow_fail(r, NULL, NULL, why);
	r->out->at = s->id;
	return 1;
}

/* Where the run starts: the first step, or where a live session stopped
 * (with its question's attempt and the jumps it has taken). */
static int
resume(struct wa_flow_runner *r)
{
	const struct wa_flow_resume	*rs = r->in->resume;
	const cJSON			*j;
	size_t				 i;

	if (rs == NULL)
		return r->f->nsteps > 0 ? 0 : WA_FLOW_END_OF_FLOW;
	cJSON_ArrayForEach(j, rs->jumps) {
		for (i = 0; i < r->f->nsteps; i++)
			if (strcmp(r->f->steps[i].id, j->string) == 0 &&
			    cJSON_IsNumber(j) && j->valuedouble >= 0 &&
			    j->valuedouble <= WA_FLOW_JUMPS_MAX)
				r->jumps[i] = (int)j->valuedouble;
	}
	if (rs->step < 0 || (size_t)rs->step >= r->f->nsteps)
		return WA_FLOW_END_OF_FLOW;
	if (rs->attempt > 0 &&
	    r->f->steps[rs->step].type == WA_FLOW_QUESTION) {
		r->retrying = 1;
		r->attempt = rs->attempt;
		r->prompted = 1;
	}
	return rs->step;
}

/* The jumps taken so far, for a live session to keep: step id ->
 * count. */
static cJSON *
jumps_out(struct wa_flow_runner *r)
{
	cJSON	*o = cJSON_CreateObject();
	size_t	 i;

	for (i = 0; i < r->f->nsteps; i++)
		if (r->jumps[i] > 0)
			cJSON_AddNumberToObject(o, r->f->steps[i].id,
			    r->jumps[i]);
	return o;
}

void
wa_flow_run(struct wa_arena *a, const struct wa_flow_run_in *in,
    struct wa_flow_run_out *out)
{
	struct wa_flow_runner	 r;
	const struct wa_flow	*f = in->flow;
	const struct wa_flow_step *s;
	size_t			 budget, i, x = 0, mem0 = wa_arena_used(a);
	cJSON			*e, *o;
	int			 cur;

	memset(out, 0, sizeof(*out));
	memset(&r, 0, sizeof(r));
	r.a = a;
	r.in = in;
	r.out = out;
	r.f = f;
	r.vars = in->vars;
	r.nmsgs = cJSON_IsArray(in->messages) ?
	    (size_t)cJSON_GetArraySize(in->messages) : 0;
	r.now_ms = in->now_ms;
	r.fuel = WA_FLOW_FUEL;
	r.jumps = wa_arena_calloc(a, f->nsteps + 1, sizeof(int));
	r.mock_pos = wa_arena_calloc(a, f->nsteps + 1, sizeof(int));
	r.hit = wa_arena_calloc(a, f->nsteps + 1, 1);
	r.xhit = wa_arena_calloc(a, f->nexits + 1, 1);
	r.xbase = wa_arena_calloc(a, f->nsteps + 1, sizeof(size_t));
	for (i = 0; i < f->nsteps; i++) {
		r.xbase[i] = x;
		x += f->steps[i].nexits;
	}
	budget = in->step_budget > 0 ? in->step_budget : WA_FLOW_STEP_BUDGET;
	set_now(&r);
	out->status = WA_FLOW_ST_COMPLETED;
	out->trace = cJSON_CreateArray();
	out->resume_step = WA_FLOW_END_OF_FLOW;
	cur = resume(&r);
	while (cur >= 0) {
		s = &f->steps[cur];
		if (out->steps_run == budget) {
			(void)wa_flow_fail(&r, NULL, NULL, wa_arena_printf(a,
			    "the run stopped at step %s after %zu steps, the "
			    "step budget: the flow loops without waiting for "
			    "input", s->id, budget));
			out->at = s->id;
			break;
		}
		out->steps_run++;
		r.hit[cur] = 1;
		e = cJSON_CreateObject();
		cJSON_AddItemToObject(e, "stepId",
		    cJSON_CreateStringReference(s->id));
		cJSON_AddItemToObject(e, "type", cJSON_CreateStringReference(
		    wa_flow_type_names[s->type]));
		o = cJSON_AddObjectToObject(e, "output");
		cur = exec_step(&r, s, o);
		cJSON_AddItemToArray(out->trace, e);
		r.trace_bytes += measure(e, WA_FLOW_TRACE_MAX - r.trace_bytes +
		    1, 0);
		if (cur < 0)
			break;		/* the end, or a stop */
		if (over_limits(&r, s, mem0))
			break;
	}
	out->messages_used = r.msg;
	out->messages_left = r.nmsgs - r.msg;
	out->coverage = coverage(&r);
	out->jumps = jumps_out(&r);
}
