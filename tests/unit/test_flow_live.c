/* Unit tests of the runner's live mode (lib/flow/run.c, http.c): a run
 * that stops at a question and resumes with the answer without asking
 * again, delays that stop the run, jumps counted across runs, the
 * transport of http_request steps, question timeouts on the real
 * clock. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "helpers.h"
#include "flow_helpers.h"
#include "flow/flow.h"
#include "json.h"

#define T0	1777626000000LL		/* 2026-05-01T09:00:00Z */

static struct wa_flow *
compile(const char *def)
{
	struct wa_flow_report	 rep;
	struct wa_flow		*f;

	if ((f = wa_flow_compile(arena, J(def), "steps", &rep)) == NULL)
		fail_msg("%s: %s %s", def, rep.errors[0].path,
		    rep.errors[0].msg);
	return f;
}

/* A live run of f from rs (NULL: the start) with the messages (JSON). */
static void
live(const struct wa_flow *f, const struct wa_flow_resume *rs,
    const char *msgs, cJSON *vars, struct wa_flow_run_out *out)
{
	struct wa_flow_run_in	in;

	memset(&in, 0, sizeof(in));
	in.flow = f;
	in.messages = msgs != NULL ? J(msgs) : NULL;
	in.vars = vars;
	in.mocks = NULL;
	in.now_ms = T0;
	in.live = 1;
	in.resume = rs;
	wa_flow_run(arena, &in, out);
}

/* The texts the run sent, joined by '|'. */
static const char *
sent(const struct wa_flow_run_out *out)
{
	const cJSON	*e, *m;
	char		*s = wa_arena_strdup(arena, "");

	cJSON_ArrayForEach(e, out->trace) {
		cJSON_ArrayForEach(m, cJSON_GetObjectItem(cJSON_GetObjectItem(
		    e, "output"), "sent"))
			s = wa_arena_printf(arena, "%s%s%s", s, *s ? "|" : "",
			    wa_json_str(m, "text"));
	}
	return s;
}

static void
test_question_resumes(void **state)
{
	struct wa_flow		*f;
	struct wa_flow_run_out	 out;
	struct wa_flow_resume	 rs;
	cJSON			*vars = wa_flow_vars_new();

	(void)state;
	f = compile("[{'id':'hi','type':'message','text':'Hi!'},"
	    "{'id':'q','type':'question','prompt':'Your email?','input':"
	    "'email','save_to':'email','retry_message':'Again?',"
	    "'on_invalid':'bye'},{'id':'ok','type':'message','text':"
	    "'Thanks {{flow.email}}'},{'id':'bye','type':'end'}]");
	live(f, NULL, NULL, vars, &out);
	assert_int_equal(out.status, WA_FLOW_ST_WAITING);
	assert_string_equal(sent(&out), "Hi!|Your email?");
	assert_int_equal(out.resume_step, 1);
	assert_int_equal(out.attempt, 1);
	/* a wrong answer: asked again (the retry), waiting at attempt 2 */
	memset(&rs, 0, sizeof(rs));
	rs.step = out.resume_step;
	rs.attempt = out.attempt;
	live(f, &rs, "['nope']", vars, &out);
	assert_int_equal(out.status, WA_FLOW_ST_WAITING);
	assert_string_equal(sent(&out), "Again?");
	assert_int_equal(out.attempt, 2);
	/* the answer: not asked again, saved, on to the end */
	rs.attempt = out.attempt;
	live(f, &rs, "['ana@acme.io']", vars, &out);
	assert_int_equal(out.status, WA_FLOW_ST_COMPLETED);
	assert_string_equal(sent(&out), "Thanks ana@acme.io");
}

static void
test_delay_stops(void **state)
{
	struct wa_flow		*f;
	struct wa_flow_run_out	 out;
	struct wa_flow_resume	 rs;
	cJSON			*vars = wa_flow_vars_new();

	(void)state;
	f = compile("[{'id':'a','type':'message','text':'one'},"
	    "{'id':'w','type':'delay','seconds':90},"
	    "{'id':'b','type':'message','text':'two'},"
	    "{'id':'w2','type':'delay','seconds':5}]");
	live(f, NULL, NULL, vars, &out);
	assert_int_equal(out.status, WA_FLOW_ST_DELAYED);
	assert_string_equal(wa_flow_status_names[out.status], "delayed");
	assert_string_equal(out.at, "w");
	assert_int_equal(out.delay_s, 90);
	assert_int_equal(out.resume_step, 2);
	assert_string_equal(sent(&out), "one");
	memset(&rs, 0, sizeof(rs));
	rs.step = out.resume_step;
	live(f, &rs, NULL, vars, &out);
	assert_int_equal(out.status, WA_FLOW_ST_DELAYED);
	assert_string_equal(sent(&out), "two");
	/* the last step: the flow ends when it is resumed */
	assert_int_equal(out.resume_step, WA_FLOW_END_OF_FLOW);
}

static void
test_jumps_across_runs(void **state)
{
	struct wa_flow		*f;
	struct wa_flow_run_out	 out;
	struct wa_flow_resume	 rs;
	cJSON			*vars = wa_flow_vars_new();

	(void)state;
	f = compile("[{'id':'q','type':'question','prompt':'?',"
	    "'on_invalid':'q'},{'id':'j','type':'jump','target':'q',"
	    "'max_jumps':2,'on_exhausted':'done'},"
	    "{'id':'done','type':'end','message':'enough'}]");
	live(f, NULL, NULL, vars, &out);
	memset(&rs, 0, sizeof(rs));
	rs.step = out.resume_step;
	rs.attempt = out.attempt;
	live(f, &rs, "['a']", vars, &out);	/* jump 1 */
	assert_int_equal(out.status, WA_FLOW_ST_WAITING);
	rs.jumps = out.jumps;
	rs.attempt = out.attempt;
	live(f, &rs, "['b']", vars, &out);	/* jump 2 */
	rs.jumps = out.jumps;
	assert_int_equal(cJSON_GetObjectItem(out.jumps, "j")->valueint, 2);
	live(f, &rs, "['c']", vars, &out);	/* exhausted */
	assert_int_equal(out.status, WA_FLOW_ST_COMPLETED);
	assert_string_equal(sent(&out), "enough");
}

static void
test_timeout_real_clock(void **state)
{
	struct wa_flow		*f;
	struct wa_flow_run_out	 out;
	struct wa_flow_resume	 rs;
	cJSON			*vars = wa_flow_vars_new();

	(void)state;
	f = compile("[{'id':'q','type':'question','prompt':'?',"
	    "'on_invalid':'q','timeout_s':600,'on_timeout':'t'},"
	    "{'id':'t','type':'message','text':'at {{system.now}}'}]");
	live(f, NULL, NULL, vars, &out);
	assert_int_equal(out.timeout_s, 600);
	memset(&rs, 0, sizeof(rs));
	rs.step = out.resume_step;
	rs.attempt = out.attempt;
	live(f, &rs, "[{'timeout':true}]", vars, &out);
	assert_int_equal(out.status, WA_FLOW_ST_COMPLETED);
	/* the real clock, not the question's start plus its timeout */
	assert_string_equal(sent(&out), "at 2026-05-01T09:00:00.000Z");
}

struct call {
	int		 n;
	const char	*url, *body, *auth;
	const char	*error;
	int		 status;
	const char	*answer;
};

static void
transport(void *arg, const struct wa_flow_http_req *q,
    struct wa_flow_http_resp *a)
{
	struct call	*c = arg;
	size_t		 i;

	c->n++;
	c->url = q->url;
	c->body = q->body;
	for (i = 0; i < q->nheaders; i++)
		if (strcmp(q->names[i], "Authorization") == 0)
			c->auth = q->values[i];
	a->error = c->error;
	a->status = c->status;
	a->body = c->answer;
	a->len = c->answer != NULL ? strlen(c->answer) : 0;
}

static void
test_http_transport(void **state)
{
	static const char def[] =
	    "[{'id':'h','type':'http_request','method':'POST','url':"
	    "'https://crm.example.com/leads?e={{flow.email}}','headers':"
	    "{'Authorization':'Bearer {{flow.key}}'},'body':{'e':"
	    "'{{flow.email}}'},'mapping':{'flow.lead':'body.lead.id',"
	    "'flow.st':'status'},'on_error':'err'},"
	    "{'id':'ok','type':'end','message':'lead {{flow.lead}} "
	    "{{flow.st}}'},{'id':'err','type':'end','message':'failed'}]";
	struct wa_flow_run_in	 in;
	struct wa_flow_run_out	 out;
	struct call		 c;

	(void)state;
	memset(&c, 0, sizeof(c));
	memset(&in, 0, sizeof(in));
	in.flow = compile(def);
	in.vars = J("{'flow':{'email':'a b@x.io','key':'s3cret'},"
	    "'contact':{},'system':{}}");
	in.now_ms = T0;
	in.live = 1;
	in.http = transport;
	in.http_arg = &c;
	c.status = 201;
	c.answer = "{\"lead\":{\"id\":\"L-7\"}}";
	wa_flow_run(arena, &in, &out);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.url,
	    "https://crm.example.com/leads?e=a%20b%40x.io");
	assert_string_equal(c.body, "{\"e\":\"a b@x.io\"}");
	assert_string_equal(c.auth, "Bearer s3cret");
	assert_string_equal(sent(&out), "lead L-7 201");
	/* no "mocked" in a live trace */
	assert_null(cJSON_GetObjectItem(cJSON_GetObjectItem(
	    cJSON_GetArrayItem(out.trace, 0), "output"), "mocked"));
	/* a body that is not JSON is text; a failure leaves by on_error */
	c.answer = "plain";
	c.status = 500;
	wa_flow_run(arena, &in, &out);
	assert_string_equal(sent(&out), "failed");
	c.error = "the address 10.0.0.1 is private";
	c.status = 200;
	wa_flow_run(arena, &in, &out);
	assert_string_equal(sent(&out), "failed");
	assert_string_equal(wa_json_str(cJSON_GetObjectItem(
	    cJSON_GetArrayItem(out.trace, 0), "output"), "error"),
	    "the address 10.0.0.1 is private");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		FLOW_TEST(test_question_resumes),
		FLOW_TEST(test_delay_stops),
		FLOW_TEST(test_jumps_across_runs),
		FLOW_TEST(test_timeout_real_clock),
		FLOW_TEST(test_http_transport),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
