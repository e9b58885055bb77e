/*
 * The step runner.  One loop iteration executes one step (or one
 * attempt at a question) and appends one trace entry; the iteration
 * count is the step budget.  A step returns the index of the next step,
 * WA_FLOW_END_OF_FLOW, or STOP after setting the status.
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
#include "flow.h"
#include "expr.h"
#include "re.h"
#include "tmpl.h"
#include "json.h"
#include "valid.h"

#define STOP	(-2)

const char *const wa_flow_status_names[WA_FLOW_ST__MAX] = {
	"completed", "waiting_input", "handoff", "error"
};

struct run {
	struct wa_arena			*a;
	const struct wa_flow_run_in	*in;
	struct wa_flow_run_out		*out;
	const struct wa_flow		*f;
	cJSON				*vars;
	size_t				 msg, nmsgs;
	int64_t				 now_ms;
	unsigned long			 fuel;
	size_t				 trace_bytes;
	int				*jumps;		/* per step */
	int				*mock_pos;	/* per step */
	unsigned char			*hit;		/* per step */
	unsigned char			*xhit;		/* per exit */
	size_t				*xbase;		/* first exit of step */
	int				 attempt;	/* of the question */
	int				 retrying;
};

/* Stops the run with an error at step s. */
static int
fail(struct run *r, const struct wa_flow_step *s, cJSON *out,
    const char *msg)
{
	r->out->status = WA_FLOW_ST_ERROR;
	r->out->error = s != NULL ? wa_arena_printf(r->a, "step %s: %s",
	    s->id, msg) : msg;
	r->out->at = s != NULL ? s->id : NULL;
	if (out != NULL)
		cJSON_AddStringToObject(out, "error", msg);
	return STOP;
}

static int
take(struct run *r, const struct wa_flow_step *s, size_t k, cJSON *out)
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
set_now(struct run *r)
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
static const char *
assign(struct run *r, const struct wa_flow_path *p, cJSON *v, cJSON *out)
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

static const char *
render(struct run *r, const struct wa_flow_tmpl *t, size_t max, int url,
    int *trunc)
{
	return wa_flow_tmpl_render(r->a, t, r->vars, url ? WA_FLOW_TMPL_URL :
	    WA_FLOW_TMPL_TEXT, max, trunc);
}

static cJSON *
text_message(struct run *r, const struct wa_flow_tmpl *t)
{
	cJSON	*m = cJSON_CreateObject();
	int	 trunc;

	cJSON_AddStringToObject(m, "type", "text");
	cJSON_AddItemToObject(m, "text", cJSON_CreateStringReference(
	    render(r, t, WA_FLOW_TEXT_MAX, 0, &trunc)));
	if (trunc)
		cJSON_AddTrueToObject(m, "truncated");
	return m;
}

static int
exec_message(struct run *r, const struct wa_flow_step *s, cJSON *out)
{
	cJSON	*sent = cJSON_AddArrayToObject(out, "sent"), *m;

	if (s->text != NULL)
		cJSON_AddItemToArray(sent, text_message(r, s->text));
	if (s->media_type != NULL && s->media_url != NULL) {
		m = cJSON_CreateObject();
		cJSON_AddStringToObject(m, "type", s->media_type);
		cJSON_AddItemToObject(m, "url", cJSON_CreateStringReference(
		    render(r, s->media_url, WA_FLOW_URL_MAX, 1, NULL)));
		if (s->caption != NULL)
			cJSON_AddItemToObject(m, "caption",
			    cJSON_CreateStringReference(render(r, s->caption,
			    1024, 0, NULL)));
		if (s->filename != NULL)
			cJSON_AddStringToObject(m, "filename", s->filename);
		cJSON_AddItemToArray(sent, m);
	}
	return take(r, s, WA_FLOW_X_NEXT, out);
}

static const char *
trimmed(struct run *r, const char *s)
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
parse_date(struct run *r, const char *s)
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
num_answer(struct run *r, const char *s, double *d)
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
check_answer(struct run *r, const struct wa_flow_step *s, const char *raw,
    cJSON **val, const char **why, cJSON *out)
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

static int
exec_question(struct run *r, const struct wa_flow_step *s, cJSON *out)
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
	if (attempt == 1 || s->retry != NULL)
		m = text_message(r, attempt == 1 ? s->text : s->retry);
	else {
		m = cJSON_CreateObject();
		cJSON_AddStringToObject(m, "type", "text");
		cJSON_AddStringToObject(m, "text", "Sorry, I did not "
		    "understand that. Please try again.");
	}
	if (s->input == WA_FLOW_IN_CHOICE) {
		opts = cJSON_AddArrayToObject(m, "options");
		for (i = 0; i < s->noptions; i++)
			cJSON_AddItemToArray(opts, cJSON_CreateStringReference(
			    s->options[i].title));
	}
	cJSON_AddItemToArray(sent, m);
	cJSON_AddNumberToObject(out, "attempt", attempt);
	if (r->msg >= r->nmsgs) {
		cJSON_AddTrueToObject(out, "waiting");
		r->out->status = WA_FLOW_ST_WAITING;
		r->out->at = s->id;
		return STOP;
	}
	msg = cJSON_GetArrayItem(r->in->messages, (int)r->msg++);
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(msg, "timeout"))) {
		cJSON_AddItemToObject(out, "input", cJSON_CreateObjectReference(
		    msg->child));
		if (s->timeout_s == 0) {
			/* nothing to time out: the conversation waits */
			cJSON_AddTrueToObject(out, "waiting");
			r->out->status = WA_FLOW_ST_WAITING;
			r->out->at = s->id;
			return STOP;
		}
		r->now_ms += (int64_t)s->timeout_s * 1000;
		set_now(r);
		return take(r, s, WA_FLOW_X_TIMEOUT, out);
	}
	text = cJSON_IsString(msg) ? msg->valuestring :
	    cJSON_IsString(cJSON_GetObjectItemCaseSensitive(msg, "text")) ?
	    cJSON_GetObjectItemCaseSensitive(msg, "text")->valuestring : "";
	cJSON_AddItemToObject(out, "input", cJSON_CreateStringReference(text));
	if (check_answer(r, s, text, &val, &why, out) < 0)
		return fail(r, s, out, "the pattern used up the run's "
		    "matching budget");
	if (val != NULL) {
		cJSON_AddTrueToObject(out, "valid");
		if (s->has_save && (why = assign(r, &s->save_to, val,
		    out)) != NULL)
			return fail(r, s, out, wa_arena_printf(r->a, "%s %s",
			    s->save_to.text, why));
		return take(r, s, WA_FLOW_X_NEXT, out);
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
	return take(r, s, WA_FLOW_X_INVALID, out);
}

/* 1, 0, or -1 (out of fuel); every comparison made goes to checks. */
static int
eval_group(struct run *r, const struct wa_flow_group *g, cJSON *checks)
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
			    render(r, m->tmpl, WA_FLOW_TEXT_MAX, 0, NULL)) :
			    m->value;
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
exec_condition(struct run *r, const struct wa_flow_step *s, cJSON *out)
{
	cJSON	*checks = cJSON_AddArrayToObject(out, "checks");
	size_t	 i;
	int	 v;

	for (i = 0; i < s->nbranches; i++) {
		if ((v = eval_group(r, s->branches[i], checks)) < 0)
			return fail(r, s, out, "a pattern used up the run's "
			    "matching budget");
		if (v == 1) {
			cJSON_AddNumberToObject(out, "branch", (double)i);
			return take(r, s, i, out);
		}
	}
	cJSON_AddNullToObject(out, "branch");
	return take(r, s, s->nbranches, out);
}

static int
exec_set(struct run *r, const struct wa_flow_step *s, cJSON *out)
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
			v = cJSON_CreateStringReference(render(r, as->tmpl,
			    WA_FLOW_STR_MAX, 0, NULL));
		else
			v = cJSON_Duplicate(as->value, 1);
		if (v == NULL || (why = assign(r, &as->var, v, out)) != NULL)
			return fail(r, s, out, wa_arena_printf(r->a,
			    "assignments[%zu] (%s): %s", i, as->var.text,
			    why != NULL ? why : "no value"));
	}
	return take(r, s, WA_FLOW_X_NEXT, out);
}

/* A copy of an http body with every string rendered; NULL once the
 * rendered strings exceed *left bytes. */
static cJSON *
render_body(struct run *r, const cJSON *v, int depth, size_t *left)
{
	struct wa_flow_tmpl	*t;
	const cJSON		*it;
	const char		*why, *s;
	cJSON			*o, *c;

	if (cJSON_IsString(v)) {
		s = v->valuestring;
		if (depth <= WA_FLOW_VALUE_DEPTH_MAX && (t = wa_flow_tmpl_parse(
		    r->a, v->valuestring, &why)) != NULL)
			s = render(r, t, WA_FLOW_STR_MAX, 0, NULL);
		if (strlen(s) > *left)
			return NULL;
		*left -= strlen(s);
		return cJSON_CreateStringReference(s);
	}
	if (!cJSON_IsArray(v) && !cJSON_IsObject(v))
		return cJSON_Duplicate(v, 0);
	o = cJSON_IsArray(v) ? cJSON_CreateArray() : cJSON_CreateObject();
	cJSON_ArrayForEach(it, v) {
		if ((c = render_body(r, it, depth + 1, left)) == NULL)
			return NULL;
		if (cJSON_IsArray(o))
			cJSON_AddItemToArray(o, c);
		else
			cJSON_AddItemToObject(o, it->string, c);
	}
	return o;
}

/* The response value a mapping names, or NULL. */
static const cJSON *
response_value(struct run *r, const cJSON *resp, const char *from)
{
	const cJSON	*v;
	const char	*p, *dot;
	char		*seg;
	long		 ix;
	int		 headers;

	if (strcmp(from, "status") == 0)
		return cJSON_GetObjectItemCaseSensitive(resp, "status");
	headers = strncmp(from, "headers.", 8) == 0;
	v = cJSON_GetObjectItemCaseSensitive(resp, headers ? "headers" :
	    "body");
	if (strcmp(from, "body") == 0)
		return v;
	for (p = from + (headers ? 8 : 5); v != NULL; p = dot + 1) {
		dot = strchr(p, '.');
		seg = wa_arena_strndup(r->a, p, dot != NULL ?
		    (size_t)(dot - p) : strlen(p));
		if (headers)
			v = cJSON_GetObjectItem(v, seg);	/* any case */
		else if (cJSON_IsArray(v) && isdigit((unsigned char)*seg) &&
		    strlen(seg) <= 6) {
			ix = strtol(seg, NULL, 10);
			v = cJSON_GetArrayItem(v, (int)ix);
		} else
			v = cJSON_IsObject(v) ?
			    cJSON_GetObjectItemCaseSensitive(v, seg) : NULL;
		if (dot == NULL)
			break;
	}
	return v;
}

/* The mock answering step s this time, or NULL. */
static const cJSON *
mock_for(struct run *r, const struct wa_flow_step *s)
{
	const cJSON	*m;
	size_t		 i = (size_t)(s - r->f->steps);
	int		 n;

	m = cJSON_GetObjectItemCaseSensitive(r->in->mocks, s->id);
	if (!cJSON_IsArray(m))
		return cJSON_IsObject(m) ? m : NULL;
	if ((n = cJSON_GetArraySize(m)) == 0)
		return NULL;
	return cJSON_GetArrayItem(m, r->mock_pos[i] < n ? r->mock_pos[i]++ :
	    n - 1);
}

static int
call_failed(struct run *r, const struct wa_flow_step *s, cJSON *out,
    const char *why)
{
	cJSON_AddStringToObject(out, "error", why);
	if (s->nexits > WA_FLOW_X_ERROR)
		return take(r, s, WA_FLOW_X_ERROR, out);
	return fail(r, s, NULL, wa_arena_printf(r->a, "%s (the step has no "
	    "on_error)", why));
}

static int
exec_http(struct run *r, const struct wa_flow_step *s, cJSON *out)
{
	const cJSON	*mock, *st, *v;
	const char	*url, *why;
	cJSON		*req, *hdr, *resp, *val, *body = NULL;
	size_t		 i, left;
	int		 status;

	req = cJSON_AddObjectToObject(out, "request");
	cJSON_AddStringToObject(req, "method", s->method);
	url = render(r, s->url, WA_FLOW_URL_MAX, 1, NULL);
	cJSON_AddItemToObject(req, "url", cJSON_CreateStringReference(url));
	hdr = cJSON_AddObjectToObject(req, "headers");
	for (i = 0; i < s->nheaders; i++)
		cJSON_AddItemToObject(hdr, s->headers[i].name,
		    cJSON_CreateStringReference(render(r, s->headers[i].value,
		    WA_FLOW_HEADER_MAX, 0, NULL)));
	left = WA_FLOW_RENDERED_BODY_MAX;
	if (s->body != NULL && (body = render_body(r, s->body, 0, &left)) ==
	    NULL)
		return call_failed(r, s, out, "the body is larger than 64 KiB "
		    "once its variables are filled in");
	if (s->body != NULL)
		cJSON_AddItemToObject(req, "body", body);
	cJSON_AddNumberToObject(req, "timeoutMs", s->timeout_ms);
	if (!wa_valid_url(url))
		return call_failed(r, s, out, "the URL is not an absolute "
		    "http(s) URL once its variables are filled in");
	if ((mock = mock_for(r, s)) == NULL)
		return call_failed(r, s, out, wa_arena_printf(r->a, "no mock "
		    "for step %s (a test-run makes no network calls; give "
		    "mocks.%s)", s->id, s->id));
	cJSON_AddTrueToObject(out, "mocked");
	if (cJSON_IsString(v = cJSON_GetObjectItemCaseSensitive(mock, "error")))
		return call_failed(r, s, out, v->valuestring);
	if (cJSON_IsNumber(v = cJSON_GetObjectItemCaseSensitive(mock,
	    "delay_ms")) && v->valuedouble > s->timeout_ms)
		return call_failed(r, s, out, wa_arena_printf(r->a, "timed "
		    "out after %d ms", s->timeout_ms));
	st = cJSON_GetObjectItemCaseSensitive(mock, "status");
	status = cJSON_IsNumber(st) ? (int)st->valuedouble : 200;
	resp = cJSON_AddObjectToObject(out, "response");
	cJSON_AddNumberToObject(resp, "status", status);
	if ((v = cJSON_GetObjectItemCaseSensitive(mock, "headers")) != NULL)
		cJSON_AddItemToObject(resp, "headers",
		    cJSON_CreateObjectReference(v->child));
	v = cJSON_GetObjectItemCaseSensitive(mock, "body");
	cJSON_AddItemToObject(resp, "body", v == NULL ? cJSON_CreateNull() :
	    cJSON_IsArray(v) ? cJSON_CreateArrayReference(v->child) :
	    cJSON_IsObject(v) ? cJSON_CreateObjectReference(v->child) :
	    cJSON_Duplicate(v, 0));
	if (status < 200 || status > 299)
		return call_failed(r, s, out, wa_arena_printf(r->a, "the "
		    "server answered HTTP %d", status));
	for (i = 0; i < s->nmappings; i++) {
		v = response_value(r, mock, s->mappings[i].from);
		if (strcmp(s->mappings[i].from, "status") == 0)
			v = cJSON_GetObjectItemCaseSensitive(resp, "status");
		/* measured before it is copied: a mocked body may be big */
		if ((why = wa_flow_value_check(v)) != NULL)
			return call_failed(r, s, out, wa_arena_printf(r->a,
			    "mapping %s: the response part %s",
			    s->mappings[i].var.text, why));
		val = v != NULL ? cJSON_Duplicate(v, 1) : cJSON_CreateNull();
		if ((why = assign(r, &s->mappings[i].var, val, out)) != NULL)
			return call_failed(r, s, out, wa_arena_printf(r->a,
			    "mapping %s: %s", s->mappings[i].var.text, why));
	}
	return take(r, s, WA_FLOW_X_SUCCESS, out);
}

static int
exec_jump(struct run *r, const struct wa_flow_step *s, cJSON *out)
{
	size_t	i = (size_t)(s - r->f->steps);

	cJSON_AddNumberToObject(out, "maxJumps", s->max_jumps);
	if (r->jumps[i] < s->max_jumps) {
		cJSON_AddNumberToObject(out, "jumps", ++r->jumps[i]);
		return take(r, s, WA_FLOW_X_TARGET, out);
	}
	cJSON_AddNumberToObject(out, "jumps", r->jumps[i]);
	return take(r, s, WA_FLOW_X_EXHAUSTED, out);
}

static int
exec_step(struct run *r, const struct wa_flow_step *s, cJSON *out)
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
		return exec_http(r, s, out);
	case WA_FLOW_DELAY:
		r->now_ms += (int64_t)s->seconds * 1000;
		set_now(r);
		cJSON_AddNumberToObject(out, "seconds", s->seconds);
		cJSON_AddItemToObject(out, "now", snapshot(
		    cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItem(
		    r->vars, "system"), "now")));
		return take(r, s, WA_FLOW_X_NEXT, out);
	case WA_FLOW_JUMP:
		return exec_jump(r, s, out);
	case WA_FLOW_HANDOFF:
	case WA_FLOW_END:
		sent = cJSON_AddArrayToObject(out, "sent");
		if (s->text != NULL)
			cJSON_AddItemToArray(sent, text_message(r, s->text));
		if (s->type == WA_FLOW_END) {
			r->out->status = WA_FLOW_ST_COMPLETED;
			return STOP;
		}
		wa_json_add_strn(out, "team", s->team);
		wa_json_add_strn(out, "department", s->department);
		r->out->status = WA_FLOW_ST_HANDOFF;
		r->out->at = s->id;
		return STOP;
	default:
		return fail(r, s, out, "has no type");
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
coverage(struct run *r)
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

void
wa_flow_run(struct wa_arena *a, const struct wa_flow_run_in *in,
    struct wa_flow_run_out *out)
{
	struct run		 r;
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
	cur = f->nsteps > 0 ? 0 : WA_FLOW_END_OF_FLOW;
	while (cur >= 0) {
		s = &f->steps[cur];
		if (out->steps_run == budget) {
			(void)fail(&r, NULL, NULL, wa_arena_printf(a, "the run "
			    "stopped at step %s after %zu steps, the step "
			    "budget: the flow loops without waiting for "
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
		if (r.trace_bytes > WA_FLOW_TRACE_MAX) {
			(void)fail(&r, NULL, NULL, wa_arena_printf(a, "the run "
			    "stopped at step %s: its trace grew past %u "
			    "bytes", s->id, WA_FLOW_TRACE_MAX));
			out->at = s->id;
			break;
		}
		/* what a step makes and drops (texts built, copies) is not
		 * in the trace, but it is in the arena */
		if (wa_arena_used(a) - mem0 > WA_FLOW_MEM_MAX) {
			(void)fail(&r, NULL, NULL, wa_arena_printf(a, "the run "
			    "stopped at step %s: it used more than %u bytes "
			    "of memory", s->id, WA_FLOW_MEM_MAX));
			out->at = s->id;
			break;
		}
	}
	out->messages_used = r.msg;
	out->messages_left = r.nmsgs - r.msg;
	out->coverage = coverage(&r);
}
