/* Unit tests for lib/flow_run.c and lib/flow_input.c: every step type
 * and every exit, answers of each input kind, mocks, the clock, the
 * step budget and the trace limit, coverage. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "helpers.h"
#include "flow_helpers.h"
#include "flow/flow.h"

#define NOW	"2026-05-01T09:00:00.000Z"

/* Compiles def and runs it on input (JSON, ' for "). */
static void
run(const char *def, const char *input, struct wa_flow_run_out *out,
    struct wa_flow_run_in *in)
{
	struct wa_flow_report	 rep;
	struct wa_flow		*f;

	f = wa_flow_compile(arena, J(def), "steps", &rep);
	if (f == NULL)
		fail_msg("%s: %s %s", def, rep.errors[0].path,
		    rep.errors[0].msg);
	if (wa_flow_run_input(arena, J(input), "+15550001111", 0, in,
	    &rep) != 0)
		fail_msg("%s: %s %s", input, rep.errors[0].path,
		    rep.errors[0].msg);
	in->flow = f;
	wa_flow_run(arena, in, out);
}

/* "id>exit id>exit ...": the path the run took. */
static const char *
path_of(const struct wa_flow_run_out *out)
{
	const cJSON	*e, *x;
	char		*s = wa_arena_strdup(arena, "");

	cJSON_ArrayForEach(e, out->trace) {
		x = cJSON_GetObjectItem(cJSON_GetObjectItem(e, "output"),
		    "exit");
		s = wa_arena_printf(arena, "%s%s%s%s%s", s, *s ? " " : "",
		    cJSON_GetObjectItem(e, "stepId")->valuestring,
		    x != NULL ? ">" : "", x != NULL ? x->valuestring : "");
	}
	return s;
}

static void
test_paths_table(void **state)
{
	static const struct {
		const char	*name;
		const char	*def;
		const char	*input;
		const char	*status;
		const char	*path;
		const char	*has;	/* in the printed trace, or NULL */
	} cases[] = {
	{ "message then end",
	  "[{'id':'m','type':'message','text':'Hi {{contact.name|you}}'},"
	  "{'id':'e','type':'end','message':'Bye'}]",
	  "{'messages':[],'contact':{'name':'Ana'}}", "completed",
	  "m>next e", "\"text\":\"Hi Ana\"" },
	{ "past the last step", "[{'id':'m','type':'message','text':'x'}]",
	  "{'messages':[]}", "completed", "m>next", "\"next\":null" },
	{ "media", "[{'id':'m','type':'message','media':{'type':'image',"
	  "'url':'https://cdn.test/{{flow.f}}.png','caption':'{{flow.f}}'}}]",
	  "{'messages':[],'variables':{'f':'a b'}}", "completed", "m>next",
	  "{\"type\":\"image\",\"url\":\"https://cdn.test/a%20b.png\","
	  "\"caption\":\"a b\"}" },
	{ "question: valid answer", "[{'id':'q','type':'question','prompt':"
	  "'Name?','save_to':'name','on_invalid':'q'},{'id':'e','type':'end',"
	  "'message':'Hi {{name}}'}]", "{'messages':['  Ana  ']}", "completed",
	  "q>next e", "\"variables\":{\"flow.name\":\"Ana\"}" },
	{ "question: waits", "[{'id':'q','type':'question','prompt':'Name?',"
	  "'on_invalid':'q'}]", "{'messages':[]}", "waiting_input", "q",
	  "\"waiting\":true" },
	{ "question: retry, then valid",
	  "[{'id':'q','type':'question','prompt':'Email?','input':'email',"
	  "'save_to':'email','on_invalid':'h','retry_message':'Again?'},"
	  "{'id':'e','type':'end'},{'id':'h','type':'handoff'}]",
	  "{'messages':['nope','a@b.co']}", "completed", "q>retry q>next e",
	  "\"sent\":[{\"type\":\"text\",\"text\":\"Again?\"}],\"attempt\":2" },
	{ "question: attempts used up",
	  "[{'id':'q','type':'question','prompt':'Age?','input':'number',"
	  "'max_attempts':2,'on_invalid':'h'},{'id':'e','type':'end'},"
	  "{'id':'h','type':'handoff','team':'support'}]",
	  "{'messages':['x','y','20']}", "handoff", "q>retry q>on_invalid h",
	  "\"reason\":\"is not a number\"" },
	{ "question: default retry text",
	  "[{'id':'q','type':'question','prompt':'Age?','input':'number',"
	  "'on_invalid':'q'}]", "{'messages':['x']}", "waiting_input",
	  "q>retry q", "Please try again" },
	{ "question: timeout", "[{'id':'q','type':'question','prompt':'?',"
	  "'on_invalid':'q','timeout_s':3600,'on_timeout':'t'},"
	  "{'id':'e','type':'end'},{'id':'t','type':'end','message':"
	  "'{{system.now}}'}]", "{'messages':[{'timeout':true}],'now':"
	  "'" NOW "'}", "completed", "q>on_timeout t",
	  "2026-05-01T10:00:00.000Z" },
	{ "question: no timeout to take", "[{'id':'q','type':'question',"
	  "'prompt':'?','on_invalid':'q'}]", "{'messages':[{'timeout':true},"
	  "'x']}", "waiting_input", "q", NULL },
	{ "question: {text} message", "[{'id':'q','type':'question','prompt':"
	  "'?','on_invalid':'q','save_to':'a'}]", "{'messages':[{'text':"
	  "'hey'}]}", "completed", "q>next", "\"flow.a\":\"hey\"" },
	{ "question: blank answer", "[{'id':'q','type':'question','prompt':"
	  "'?','on_invalid':'q','max_attempts':1}]", "{'messages':['   ']}",
	  "waiting_input", "q>on_invalid q", "the answer is empty" },
	{ "condition: first branch", "[{'id':'c','type':'condition',"
	  "'branches':[{'when':{'all':[{'var':'plan','op':'eq','value':'pro'}"
	  ",{'var':'age','op':'gte','value':18}]},'next':'a'},{'when':{'any':"
	  "[{'var':'plan','op':'eq','value':'free'}]},'next':'b'}],"
	  "'default':'d'},{'id':'a','type':'end'},{'id':'b','type':'end'},"
	  "{'id':'d','type':'end'}]", "{'messages':[],'variables':{'plan':"
	  "'PRO','age':'21'}}", "completed", "c>branches[0] a",
	  "\"branch\":0" },
	{ "condition: second branch", "[{'id':'c','type':'condition',"
	  "'branches':[{'when':{'all':[{'var':'plan','op':'eq','value':'pro'}"
	  ",{'var':'age','op':'gte','value':18}]},'next':'a'},{'when':{'any':"
	  "[{'var':'x','op':'is_set'},{'var':'plan','op':'eq','value':"
	  "'free'}]},'next':'b'}],'default':'d'},{'id':'a','type':'end'},"
	  "{'id':'b','type':'end'},{'id':'d','type':'end'}]",
	  "{'messages':[],'variables':{'plan':'free'}}", "completed",
	  "c>branches[1] b", "\"actual\":null,\"result\":false" },
	{ "condition: default", "[{'id':'c','type':'condition','branches':["
	  "{'when':{'all':[{'var':'plan','op':'eq','value':'pro'}]},'next':"
	  "'a'}],'default':'d'},{'id':'a','type':'end'},{'id':'d','type':"
	  "'end'}]", "{'messages':[]}", "completed", "c>default d",
	  "\"branch\":null" },
	{ "condition: nested groups and a template value",
	  "[{'id':'c','type':'condition','branches':[{'when':{'all':["
	  "{'var':'contact.email','op':'eq','value':'{{flow.email}}'},"
	  "{'any':[{'var':'contact.city','op':'matches','value':'^mad'},"
	  "{'var':'contact.city','op':'eq','value':'Barcelona'}]}]},"
	  "'next':'a'}]},{'id':'a','type':'end'}]",
	  "{'messages':[],'variables':{'email':'A@X.COM'},'contact':{"
	  "'email':'a@x.com','city':'Madrid'}}", "completed",
	  "c>branches[0] a", "\"value\":\"A@X.COM\"" },
	{ "set_variable", "[{'id':'s','type':'set_variable','assignments':["
	  "{'var':'n','value':2},{'var':'total','expr':'flow.n * 10 + 1'},"
	  "{'var':'msg','value':'total {{flow.total}}'},{'var':'contact.tier',"
	  "'value':'gold'},{'var':'o','value':{'a':[1]}}]}]",
	  "{'messages':[]}", "completed", "s>next",
	  "\"variables\":{\"flow.n\":2,\"flow.total\":21,\"flow.msg\":"
	  "\"total 21\",\"contact.tier\":\"gold\",\"flow.o\":{\"a\":[1]}}" },
	{ "set_variable: division by zero", "[{'id':'s','type':"
	  "'set_variable','assignments':[{'var':'x','expr':'1 / flow.z'}]},"
	  "{'id':'e','type':'end'}]", "{'messages':[],'variables':{'z':0}}",
	  "error", "s", "assignments[0] (flow.x): division by zero" },
	{ "http: success and mapping", "[{'id':'h','type':'http_request',"
	  "'method':'POST','url':'https://api.test/u?e={{flow.e}}','headers':"
	  "{'Authorization':'Bearer {{flow.t}}'},'body':{'email':'{{flow.e}}'"
	  ",'n':[1,'{{flow.t}}']},'mapping':{'flow.id':'body.data.id',"
	  "'flow.first':'body.data.items.0','flow.code':'status','flow.rid':"
	  "'headers.x-request-id','flow.none':'body.nope'},'on_error':'x'},"
	  "{'id':'ok','type':'end'},{'id':'x','type':'end'}]",
	  "{'messages':[],'variables':{'e':'a+b@x.co','t':'tok'},'mocks':{"
	  "'h':{'status':201,'headers':{'X-Request-Id':'r1'},'body':{'data':"
	  "{'id':'c_9','items':['p','q']}}}}}", "completed", "h>on_success ok",
	  "\"url\":\"https://api.test/u?e=a%2Bb%40x.co\",\"headers\":{"
	  "\"Authorization\":\"Bearer tok\"},\"body\":{\"email\":\"a+b@x.co\","
	  "\"n\":[1,\"tok\"]}" },
	{ "http: error status", "[{'id':'h','type':'http_request','url':"
	  "'https://api.test','on_error':'x'},{'id':'ok','type':'end'},"
	  "{'id':'x','type':'end'}]", "{'messages':[],'mocks':{'h':{'status':"
	  "503}}}", "completed", "h>on_error x",
	  "\"error\":\"the server answered HTTP 503\"" },
	{ "http: mocked failure", "[{'id':'h','type':'http_request','url':"
	  "'https://api.test','on_error':'x'},{'id':'x','type':'end'}]",
	  "{'messages':[],'mocks':{'h':{'error':'connection refused'}}}",
	  "completed", "h>on_error x", "connection refused" },
	{ "http: timeout", "[{'id':'h','type':'http_request','url':"
	  "'https://api.test','timeout_ms':500,'on_error':'x'},{'id':'x',"
	  "'type':'end'}]", "{'messages':[],'mocks':{'h':{'delay_ms':800}}}",
	  "completed", "h>on_error x", "timed out after 500 ms" },
	{ "http: no mock, never a network call", "[{'id':'h','type':"
	  "'http_request','url':'https://api.test','on_error':'x'},{'id':"
	  "'x','type':'end'}]", "{'messages':[]}", "completed",
	  "h>on_error x", "no mock for step h" },
	{ "http: failure without on_error", "[{'id':'h','type':"
	  "'http_request','url':'https://api.test'},{'id':'e','type':'end'}]",
	  "{'messages':[],'mocks':{'h':{'status':404}}}", "error", "h",
	  "HTTP 404" },
	{ "http: a URL variable that is not a URL", "[{'id':'h','type':"
	  "'http_request','url':'{{flow.u}}','on_error':'x'},{'id':'x',"
	  "'type':'end'}]", "{'messages':[],'variables':{'u':'javascript:1'},"
	  "'mocks':{'h':{}}}", "completed", "h>on_error x",
	  "not an absolute http(s) URL" },
	{ "http: mocks in turn, the last repeats", "[{'id':'h','type':"
	  "'http_request','url':'https://api.test','on_error':'j'},{'id':"
	  "'ok','type':'end'},{'id':'j','type':'jump','target':'h',"
	  "'max_jumps':5}]", "{'messages':[],'mocks':{'h':[{'status':500},"
	  "{'status':502},{'status':200}]}}", "completed",
	  "h>on_error j>target h>on_error j>target h>on_success ok", NULL },
	{ "delay", "[{'id':'d','type':'delay','seconds':90},{'id':'e','type':"
	  "'end','message':'{{system.now}}'}]", "{'messages':[],'now':'" NOW
	  "'}", "completed", "d>next e", "\"now\":\"2026-05-01T09:01:30.000Z\""
	},
	{ "jump: target, then on_exhausted", "[{'id':'a','type':'message',"
	  "'text':'x'},{'id':'j','type':'jump','target':'a','max_jumps':2,"
	  "'on_exhausted':'e'},{'id':'e','type':'end'}]", "{'messages':[]}",
	  "completed", "a>next j>target a>next j>target a>next j>on_exhausted "
	  "e",
	  "\"jumps\":2" },
	{ "jump: a retry loop around a question", "[{'id':'q','type':"
	  "'question','prompt':'Code?','input':'regex','pattern':'^\\\\d{4}$',"
	  "'max_attempts':1,'on_invalid':'j','save_to':'code'},{'id':'ok',"
	  "'type':'end'},{'id':'j','type':'jump','target':'q','max_jumps':1,"
	  "'on_exhausted':'h'},{'id':'h','type':'handoff'}]",
	  "{'messages':['12','abcd','1234']}", "handoff",
	  "q>on_invalid j>target q>on_invalid j>on_exhausted h", NULL },
	{ "handoff", "[{'id':'h','type':'handoff','team':'sales','department'"
	  ":'EU','message':'A human will answer'}]", "{'messages':[]}",
	  "handoff", "h", "\"team\":\"sales\",\"department\":\"EU\"" },
	{ "end stops the flow", "[{'id':'e','type':'end'},{'id':'m','type':"
	  "'message','text':'never'}]", "{'messages':[]}", "completed", "e",
	  NULL },
	{ "empty flow", "[]", "{'messages':['x']}", "completed", "", NULL },
	};
	struct wa_flow_run_out	 out;
	struct wa_flow_run_in	 in;
	const char		*trace;
	size_t			 i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		run(cases[i].def, cases[i].input, &out, &in);
		trace = cJSON_PrintUnformatted(out.trace);
		if (strcmp(wa_flow_status_names[out.status],
		    cases[i].status) != 0 ||
		    strcmp(path_of(&out), cases[i].path) != 0)
			fail_msg("%s: %s \"%s\" (%s)\n%s", cases[i].name,
			    wa_flow_status_names[out.status], path_of(&out),
			    out.error ? out.error : "", trace);
		if (cases[i].has != NULL && strstr(trace, cases[i].has) ==
		    NULL && (out.error == NULL || strstr(out.error,
		    cases[i].has) == NULL))
			fail_msg("%s: no %s in\n%s", cases[i].name,
			    cases[i].has, trace);
	}
}

/* Each input kind: what it takes, what it saves. */
static void
test_inputs_table(void **state)
{
	static const struct {
		const char	*input;		/* the question's extras */
		const char	*answer;
		const char	*saved;		/* JSON, NULL = invalid */
	} cases[] = {
		{ "'input':'text'", "hello", "\"hello\"" },
		{ "'input':'number'", "42", "42" },
		{ "'input':'number'", " -3.5 ", "-3.5" },
		{ "'input':'number'", "3,5", "3.5" },
		{ "'input':'number'", "1,000,000", NULL },
		{ "'input':'number'", "forty", NULL },
		{ "'input':'number','min':18,'max':99", "17", NULL },
		{ "'input':'number','min':18,'max':99", "100", NULL },
		{ "'input':'number','min':18,'max':99", "18", "18" },
		{ "'input':'email'", " ana@example.com "
		    "", "\"ana@example.com\"" },
		{ "'input':'email'", "ana@", NULL },
		{ "'input':'phone'", "+34 612 34 56 78", "\"+34612345678\"" },
		{ "'input':'phone'", "0044 20 7946 0958", "\"+442079460958\"" },
		{ "'input':'phone'", "call me", NULL },
		{ "'input':'date'", "2026-02-28", "\"2026-02-28\"" },
		{ "'input':'date'", "31/12/2025", "\"2025-12-31\"" },
		{ "'input':'date'", "01.06.2026", "\"2026-06-01\"" },
		{ "'input':'date'", "29/02/2025", NULL },
		{ "'input':'date'", "29/02/2024", "\"2024-02-29\"" },
		{ "'input':'date'", "2026-13-01", NULL },
		{ "'input':'date'", "tomorrow", NULL },
		{ "'input':'choice','options':['Sales',{'id':'sup','title':"
		    "'Support','value':7}]", "2", "7" },
		{ "'input':'choice','options':['Sales',{'id':'sup','title':"
		    "'Support','value':7}]", "SUP", "7" },
		{ "'input':'choice','options':['Sales',{'id':'sup','title':"
		    "'Support','value':7}]", "sales", "\"Sales\"" },
		{ "'input':'choice','options':[{'id':'a','title':'Alpha'}]",
		    "alpha", "\"a\"" },
		{ "'input':'choice','options':['Sales','Support']", "3", NULL },
		{ "'input':'choice','options':['Sales','Support']", "Billing",
		    NULL },
		{ "'input':'regex','pattern':'^[A-Z]{2}\\\\d{3}$'", "AB123",
		    "\"AB123\"" },
		{ "'input':'regex','pattern':'^[A-Z]{2}\\\\d{3}$'", "ab123",
		    NULL },
		{ "'input':'regex','pattern':'(?i)^[A-Z]{2}\\\\d{3}$'", "ab123",
		    "\"ab123\"" },
	};
	struct wa_flow_run_out	 out;
	struct wa_flow_run_in	 in;
	const cJSON		*o, *v;
	const char		*def, *input;
	size_t			 i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		def = wa_arena_printf(arena, "[{'id':'q','type':'question',"
		    "'prompt':'?','save_to':'a','max_attempts':1,"
		    "'on_invalid':'bad',%s},{'id':'ok','type':'end'},"
		    "{'id':'bad','type':'end'}]", cases[i].input);
		input = wa_arena_printf(arena, "{\"messages\":[\"%s\"]}",
		    cases[i].answer);
		run(def, input, &out, &in);
		o = cJSON_GetObjectItem(cJSON_GetArrayItem(out.trace, 0),
		    "output");
		v = cJSON_GetObjectItem(cJSON_GetObjectItem(in.vars, "flow"),
		    "a");
		if (cases[i].saved == NULL) {
			if (!cJSON_IsFalse(cJSON_GetObjectItem(o, "valid")) ||
			    v != NULL)
				fail_msg("%s: \"%s\" accepted", cases[i].input,
				    cases[i].answer);
			continue;
		}
		if (v == NULL)
			fail_msg("%s: \"%s\" refused: %s", cases[i].input,
			    cases[i].answer, cJSON_PrintUnformatted(o));
		assert_string_equal(cJSON_PrintUnformatted(v), cases[i].saved);
	}
}

static void
test_step_budget(void **state)
{
	struct wa_flow_run_out	 out;
	struct wa_flow_run_in	 in;

	(void)state;
	/* a loop that waits for nothing stops at the budget */
	run("[{'id':'a','type':'message','text':'x'},{'id':'b','type':"
	    "'set_variable','assignments':[{'var':'n','expr':'0'}],"
	    "'next':'a'}]", "{'messages':[]}", &out, &in);
	assert_string_equal(wa_flow_status_names[out.status], "error");
	assert_int_equal(out.steps_run, WA_FLOW_STEP_BUDGET);
	assert_int_equal(cJSON_GetArraySize(out.trace), WA_FLOW_STEP_BUDGET);
	assert_non_null(strstr(out.error, "after 1000 steps, the step "
	    "budget"));
	/* a smaller budget */
	in.step_budget = 7;
	wa_flow_run(arena, &in, &out);
	assert_int_equal(out.steps_run, 7);
	assert_string_equal(out.at, "b");
	/* a counter loop that ends is fine */
	run("[{'id':'i','type':'set_variable','assignments':[{'var':'n',"
	    "'value':0}]},{'id':'inc','type':'set_variable','assignments':["
	    "{'var':'n','expr':'n + 1'}]},{'id':'c','type':'condition',"
	    "'branches':[{'when':{'all':[{'var':'n','op':'lt','value':10}]},"
	    "'next':'inc'}]},{'id':'e','type':'end','message':'{{n}}'}]",
	    "{'messages':[]}", &out, &in);
	assert_string_equal(wa_flow_status_names[out.status], "completed");
	assert_int_equal(out.steps_run, 1 + 10 * 2 + 1);
	/* the same counter with no exit runs into the budget */
	run("[{'id':'i','type':'set_variable','assignments':[{'var':'n',"
	    "'value':0}]},{'id':'inc','type':'set_variable','assignments':["
	    "{'var':'n','expr':'n + 1'}]},{'id':'c','type':'condition',"
	    "'branches':[{'when':{'all':[{'var':'n','op':'gt','value':-1}]},"
	    "'next':'inc'}]}]", "{'messages':[]}", &out, &in);
	assert_string_equal(wa_flow_status_names[out.status], "error");
	/* a question that loops onto itself consumes the script, then
	 * waits: input-driven loops end with the input */
	run("[{'id':'q','type':'question','prompt':'?','on_invalid':'q',"
	    "'next':'q'}]", "{'messages':['a','b','c']}", &out, &in);
	assert_string_equal(wa_flow_status_names[out.status],
	    "waiting_input");
	assert_int_equal(out.messages_used, 3);
	assert_int_equal(out.messages_left, 0);
}

static void
test_trace_limit(void **state)
{
	struct wa_flow_run_out	 out;
	struct wa_flow_run_in	 in;
	struct wa_flow_report	 rep;
	cJSON			*input, *body, *arr;
	int			 i;

	(void)state;
	/* a 100 kB mocked body, answered up to 101 times: the trace would
	 * be 10 MB, so the run stops at 2 MB */
	input = J("{'messages':[],'mocks':{'h':{'status':200}}}");
	body = cJSON_AddObjectToObject(cJSON_GetObjectItem(
	    cJSON_GetObjectItem(input, "mocks"), "h"), "body");
	arr = cJSON_AddArrayToObject(body, "rows");
	for (i = 0; i < 1000; i++)
		cJSON_AddItemToArray(arr, cJSON_CreateString(
		    "0123456789012345678901234567890123456789012345678901234"
		    "5678901234567890123456789012345678901234"));
	assert_int_equal(wa_flow_run_input(arena, input, NULL, 0, &in, &rep),
	    0);
	in.flow = wa_flow_compile(arena, J("[{'id':'h','type':'http_request',"
	    "'url':'https://x.test','on_error':'h'},{'id':'j','type':'jump',"
	    "'target':'h','max_jumps':100}]"), "steps", &rep);
	wa_flow_run(arena, &in, &out);
	assert_string_equal(wa_flow_status_names[out.status], "error");
	assert_non_null(strstr(out.error, "trace grew past"));
	assert_true(out.steps_run < 60);
}

/* A mocked body is measured before a mapping copies it, and a body
 * filled in with long variables is capped. */
static void
test_http_sizes(void **state)
{
	struct wa_flow_run_out	 out;
	struct wa_flow_run_in	 in;
	struct wa_flow_report	 rep;
	cJSON			*input, *rows, *body;
	const char		*trace;
	char			*s;
	int			 i;

	(void)state;
	input = J("{'messages':[],'mocks':{'h':{'body':{'rows':[]}}}}");
	rows = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(
	    cJSON_GetObjectItem(input, "mocks"), "h"), "body"), "rows");
	for (i = 0; i < 2000; i++)
		cJSON_AddItemToArray(rows, cJSON_CreateString("0123456789"));
	assert_int_equal(wa_flow_run_input(arena, input, NULL, 0, &in, &rep),
	    0);
	in.flow = wa_flow_compile(arena, J("[{'id':'h','type':'http_request',"
	    "'url':'https://x.test','mapping':{'flow.all':'body',"
	    "'flow.n':'body.rows.1999'},'on_error':'x'},{'id':'x','type':"
	    "'end'}]"), "steps", &rep);
	wa_flow_run(arena, &in, &out);
	trace = cJSON_PrintUnformatted(out.trace);
	assert_non_null(strstr(trace, "\"exit\":\"on_error\""));
	assert_non_null(strstr(trace, "mapping flow.all: the response part "
	    "is a value larger than 16384 bytes"));
	/* 40 strings of a 4000-character variable: 160 kB filled in */
	body = cJSON_CreateArray();
	for (i = 0; i < 40; i++)
		cJSON_AddItemToArray(body, cJSON_CreateString("{{flow.s}}"));
	input = J("{'messages':[],'mocks':{'h':{}},'variables':{}}");
	s = wa_arena_alloc(arena, 4001);
	memset(s, 'x', 4000);
	s[4000] = '\0';
	cJSON_AddStringToObject(cJSON_GetObjectItem(input, "variables"), "s",
	    s);
	assert_int_equal(wa_flow_run_input(arena, input, NULL, 0, &in, &rep),
	    0);
	in.flow = wa_flow_compile(arena, J("[{'id':'h','type':'http_request',"
	    "'method':'POST','url':'https://x.test','on_error':'x'},{'id':'x',"
	    "'type':'end'}]"), "steps", &rep);
	in.flow->steps[0].body = body;
	wa_flow_run(arena, &in, &out);
	trace = cJSON_PrintUnformatted(out.trace);
	assert_non_null(strstr(trace, "the body is larger than 64 KiB once "
	    "its variables are filled in"));
}

/* Matching costs fuel; a run that uses it all up stops. */
static void
test_fuel(void **state)
{
	struct wa_flow_run_out	 out;
	struct wa_flow_run_in	 in;
	struct wa_flow_report	 rep;
	cJSON			*def, *any, *input;
	char			*s;
	int			 i;

	(void)state;
	def = J("[{'id':'c','type':'condition','branches':[{'when':{'any':"
	    "[]},'next':'c'}]}]");
	any = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetArrayItem(
	    cJSON_GetObjectItem(cJSON_GetArrayItem(def, 0), "branches"), 0),
	    "when"), "any");
	for (i = 0; i < 50; i++)
		cJSON_AddItemToArray(any, J("{'var':'s','op':'matches',"
		    "'value':'(a?){100}a{100}x'}"));
	s = wa_arena_alloc(arena, 4097);
	memset(s, 'a', 4096);
	s[4096] = '\0';
	input = J("{'messages':[],'variables':{}}");
	cJSON_AddStringToObject(cJSON_GetObjectItem(input, "variables"), "s",
	    s);
	assert_int_equal(wa_flow_run_input(arena, input, NULL, 0, &in, &rep),
	    0);
	in.flow = wa_flow_compile(arena, def, "steps", &rep);
	assert_non_null(in.flow);
	wa_flow_run(arena, &in, &out);
	assert_string_equal(wa_flow_status_names[out.status], "error");
	assert_non_null(strstr(out.error, "matching budget"));
}

static void
test_coverage(void **state)
{
	struct wa_flow_run_out	 out;
	struct wa_flow_run_in	 in;
	const cJSON		*c = NULL;

	(void)state;
	run("[{'id':'q','type':'question','prompt':'?','input':'number',"
	    "'on_invalid':'h','save_to':'n'},{'id':'c','type':'condition',"
	    "'branches':[{'when':{'all':[{'var':'n','op':'gt','value':5}]},"
	    "'next':'big'}],'default':'small'},{'id':'big','type':'end'},"
	    "{'id':'small','type':'end'},{'id':'h','type':'handoff'}]",
	    "{'messages':['9']}", &out, &in);
	c = out.coverage;
	/* steps q, c, big of 5; exits q.next and c.branches[0] of 4 */
	assert_string_equal(cJSON_PrintUnformatted(c),
	    "{\"steps\":{\"hit\":3,\"total\":5,\"percent\":60},"
	    "\"exits\":{\"hit\":2,\"total\":4,\"percent\":50},"
	    "\"missedSteps\":[\"small\",\"h\"],"
	    "\"missedExits\":[{\"stepId\":\"q\",\"exit\":\"on_invalid\"},"
	    "{\"stepId\":\"c\",\"exit\":\"default\"}]}");
	assert_string_equal(cJSON_PrintUnformatted(cJSON_GetObjectItem(
	    in.vars, "system")), "{\"now\":\"1970-01-01T00:00:00.000Z\","
	    "\"channel\":\"whatsapp\",\"phone\":\"+15550001111\"}");
}

/* No messages, as Mosend's own example of a test-run sends: the run
 * goes until the flow first waits for the user. */
static void
test_input_without_messages(void **state)
{
	static const char *const inputs[] = {
		"{}", "{'messages':null}", "{'name':'string',"
		    "'description':'string'}",
	};
	struct wa_flow_run_out	 out;
	struct wa_flow_run_in	 in;
	struct wa_flow_report	 rep;
	size_t			 i;

	(void)state;
	for (i = 0; i < NELEM(inputs); i++) {
		assert_int_equal(wa_flow_run_input(arena, J(inputs[i]), NULL,
		    0, &in, &rep), 0);
		in.flow = wa_flow_compile(arena, J("[{'id':'m','type':"
		    "'message','text':'hi'},{'id':'q','type':'question',"
		    "'prompt':'?','save_to':'a','on_invalid':'q'}]"), "steps",
		    &rep);
		assert_non_null(in.flow);
		wa_flow_run(arena, &in, &out);
		assert_string_equal(wa_flow_status_names[out.status],
		    "waiting_input");
		assert_string_equal(out.at, "q");
		assert_int_equal(out.steps_run, 2);
		assert_int_equal(out.messages_used, 0);
		assert_int_equal(out.messages_left, 0);
	}
}

static void
test_input_errors(void **state)
{
	static const struct {
		const char	*input;
		const char	*want;
	} cases[] = {
		{ "{'messages':'hi'}", "messages must be an array" },
		{ "{'messages':[1]}", "messages[0] must be a string, "
		    "{\"text\": \"...\"} or {\"timeout\": true}" },
		{ "{'messages':[{'timeout':false}]}", "messages[0] must be" },
		{ "{'messages':[],'variables':[]}", "variables must be an "
		    "object" },
		{ "{'messages':[],'variables':{'system.now':1}}",
		    "variables.system.now is not a flow or contact variable" },
		{ "{'messages':[],'variables':{'a b':1}}",
		    "variables.a b is not a variable name" },
		{ "{'messages':[],'contact':{'a.b':1}}",
		    "contact.a.b is not a contact variable" },
		{ "{'messages':[],'contact':{'x':[[[[[[[[[[1]]]]]]]]]]}}",
		    "contact.x is a value larger" },
		{ "{'messages':[],'mocks':{'h':5}}", "mocks.h must be an "
		    "object" },
		{ "{'messages':[],'mocks':{'h':{'status':99}}}",
		    "mocks.h.status must be an HTTP status from 100 to 599" },
		{ "{'messages':[],'mocks':{'h':[]}}", "mocks.h must have 1 to "
		    "50 responses" },
		{ "{'messages':[],'mocks':{'h':[{'status':200},{'delay_ms':-1}"
		    "]}}", "mocks.h[1].delay_ms must be" },
		{ "{'messages':[],'mocks':{'h':{'error':''}}}",
		    "mocks.h.error must be a string" },
		{ "{'messages':[],'mocks':{'h':{'headers':{'a':1}}}}",
		    "mocks.h.headers.a must be a string" },
		{ "{'messages':[],'now':'soon'}", "now must be an RFC 3339 "
		    "timestamp" },
	};
	struct wa_flow_report	 rep;
	struct wa_flow_run_in	 in;
	size_t			 i, k;
	int			 found;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		if (wa_flow_run_input(arena, J(cases[i].input), NULL, 0, &in,
		    &rep) == 0)
			fail_msg("%s accepted", cases[i].input);
		for (found = 0, k = 0; k < rep.nerrors; k++)
			if (strstr(wa_arena_printf(arena, "%s %s",
			    rep.errors[k].path, rep.errors[k].msg),
			    cases[i].want) != NULL)
				found = 1;
		if (!found)
			fail_msg("%s: no \"%s\" (first: %s %s)",
			    cases[i].input, cases[i].want, rep.errors[0].path,
			    rep.errors[0].msg);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		FLOW_TEST(test_paths_table),
		FLOW_TEST(test_inputs_table),
		FLOW_TEST(test_step_budget),
		FLOW_TEST(test_trace_limit),
		FLOW_TEST(test_http_sizes),
		FLOW_TEST(test_fuel),
		FLOW_TEST(test_coverage),
		FLOW_TEST(test_input_without_messages),
		FLOW_TEST(test_input_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
