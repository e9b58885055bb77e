/* Unit tests for lib/flow_def.c and lib/flow_lint.c: what a definition
 * may be, every error message, the lint rules, and hostile definitions
 * (huge arrays, deep nesting, cycles). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "helpers.h"
#include "flow_helpers.h"
#include "flow/flow.h"

/* Every issue of a list as "path msg" lines. */
static const char *
issues(const struct wa_flow_issue *v, size_t n)
{
	char	*s = wa_arena_strdup(arena, "");
	size_t	 i;

	for (i = 0; i < n; i++)
		s = wa_arena_printf(arena, "%s%s %s%s%s\n", s, v[i].path,
		    v[i].msg, v[i].rule != NULL ? " #" : "",
		    v[i].rule != NULL ? v[i].rule : "");
	return s;
}

static void
test_errors_table(void **state)
{
	static const struct {
		const char	*def;
		const char	*want;	/* in the "path msg" lines */
	} cases[] = {
		{ "{}", "steps must be an array of steps" },
		{ "[1]", "steps[0] must be an object" },
		{ "[{'type':'end'}]", "steps[0].id is required" },
		{ "[{'id':'a b','type':'end'}]",
		    "steps[0].id must be 1 to 64 letters, digits, _ or -" },
		{ "[{'id':'','type':'end'}]", "steps[0].id must not be empty" },
		{ "[{'id':7,'type':'end'}]", "steps[0].id must be a string" },
		{ "[{'id':'a','type':'end'},{'id':'a','type':'end'}]",
		    "steps[1].id repeats the id \"a\"" },
		{ "[{'id':'a'}]", "steps[0].type is required" },
		{ "[{'id':'a','type':'goto'}]", "steps[0].type must be one of: "
		    "message, question, condition, set_variable, http_request, "
		    "delay, jump, handoff, end" },
		/* message */
		{ "[{'id':'a','type':'message'}]", "steps[0] needs text or "
		    "media" },
		{ "[{'id':'a','type':'message','text':5}]",
		    "steps[0].text must be a string" },
		{ "[{'id':'a','type':'message','text':'x','next':'zz'}]",
		    "steps[0].next must name a step of this flow (there is no "
		    "step \"zz\")" },
		{ "[{'id':'a','type':'message','text':'Hi {{name'}]",
		    "steps[0].text has {{ without its }}" },
		{ "[{'id':'a','type':'message','text':'Hi {{na me}}'}]",
		    "steps[0].text has a {{ }} that does not hold a variable" },
		{ "[{'id':'a','type':'message','media':{'type':'gif',"
		    "'url':'ftp://x'}}]", "steps[0].media.type must be one of: "
		    "image, video, audio, document" },
		{ "[{'id':'a','type':'message','media':{'type':'image',"
		    "'url':'ftp://x'}}]", "steps[0].media.url must be an "
		    "absolute http(s) URL" },
		{ "[{'id':'a','type':'message','media':{'type':'image'}}]",
		    "steps[0].media.url is required" },
		{ "[{'id':'a','type':'message','media':'x.png'}]",
		    "steps[0].media must be an object" },
		/* question */
		{ "[{'id':'a','type':'question','prompt':'?'}]",
		    "steps[0].on_invalid is required" },
		{ "[{'id':'a','type':'question','on_invalid':'a'}]",
		    "steps[0].prompt is required" },
		{ "[{'id':'a','type':'question','prompt':'?','on_invalid':'a',"
		    "'input':'colour'}]", "steps[0].input must be one of: "
		    "text, "
		    "number, email, phone, date, choice, regex" },
		{ "[{'id':'a','type':'question','prompt':'?','on_invalid':'a',"
		    "'input':'choice'}]", "steps[0].options is required" },
		{ "[{'id':'a','type':'question','prompt':'?','on_invalid':'a',"
		    "'input':'choice','options':[]}]",
		    "steps[0].options must have 1 to 10 items" },
		{ "[{'id':'a','type':'question','prompt':'?','on_invalid':'a',"
		    "'input':'choice','options':['1','2','3','4','5','6','7',"
		    "'8','9','10','11']}]",
		    "steps[0].options must have 1 to 10 items" },
		{ "[{'id':'a','type':'question','prompt':'?','on_invalid':'a',"
		    "'input':'choice','options':['Yes',{'title':'Yes'}]}]",
		    "steps[0].options[1] repeats the option \"Yes\"" },
		{ "[{'id':'a','type':'question','prompt':'?','on_invalid':'a',"
		    "'input':'choice','options':[{'id':'y'}]}]",
		    "steps[0].options[0].title is required" },
		{ "[{'id':'a','type':'question','prompt':'?','on_invalid':'a',"
		    "'input':'choice','options':[{'title':'Y','value':[1]}]}]",
		    "steps[0].options[0].value must be a string, number or "
		    "boolean" },
		{ "[{'id':'a','type':'question','prompt':'?','on_invalid':'a',"
		    "'input':'choice','options':[3]}]",
		    "steps[0].options[0] must be a string or an object" },
		{ "[{'id':'a','type':'question','prompt':'?','on_invalid':'a',"
		    "'input':'regex'}]", "steps[0].pattern is required" },
		{ "[{'id':'a','type':'question','prompt':'?','on_invalid':'a',"
		    "'input':'regex','pattern':'(ab'}]",
		    "steps[0].pattern has a ( without its )" },
		{ "[{'id':'a','type':'question','prompt':'?','on_invalid':'a',"
		    "'input':'number','min':5,'max':1}]",
		    "steps[0].max must not be less than min" },
		{ "[{'id':'a','type':'question','prompt':'?','on_invalid':'a',"
		    "'input':'number','min':'5'}]", "steps[0].min must be a "
		    "number" },
		{ "[{'id':'a','type':'question','prompt':'?','on_invalid':'a',"
		    "'save_to':'system.now'}]", "steps[0].save_to names a "
		    "read-only system variable" },
		{ "[{'id':'a','type':'question','prompt':'?','on_invalid':'a',"
		    "'save_to':'my email'}]", "steps[0].save_to is not a "
		    "variable name" },
		{ "[{'id':'a','type':'question','prompt':'?','on_invalid':'a',"
		    "'max_attempts':0}]", "steps[0].max_attempts must be an "
		    "integer from 1 to 10" },
		{ "[{'id':'a','type':'question','prompt':'?','on_invalid':'a',"
		    "'max_attempts':2.5}]", "steps[0].max_attempts must be an "
		    "integer from 1 to 10" },
		{ "[{'id':'a','type':'question','prompt':'?','on_invalid':'a',"
		    "'timeout_s':60}]", "steps[0].on_timeout is required" },
		{ "[{'id':'a','type':'question','prompt':'?','on_invalid':'a',"
		    "'timeout_s':604801,'on_timeout':'a'}]",
		    "steps[0].timeout_s must be an integer from 1 to 604800" },
		{ "[{'id':'a','type':'question','prompt':'?','on_invalid':'a',"
		    "'on_timeout':'a'}]", "steps[0].on_timeout needs "
		    "timeout_s" },
		/* condition */
		{ "[{'id':'a','type':'condition'}]",
		    "steps[0].branches is required" },
		{ "[{'id':'a','type':'condition','branches':[{'when':{'all':"
		    "[{'var':'x','op':'is_set'}]}}]}]",
		    "steps[0].branches[0].next is required" },
		{ "[{'id':'a','type':'condition','branches':[{'next':'a'}]}]",
		    "steps[0].branches[0].when is required" },
		{ "[{'id':'a','type':'condition','branches':[{'when':{'all':[],"
		    "'any':[]},'next':'a'}]}]", "steps[0].branches[0].when "
		    "must have either all or any" },
		{ "[{'id':'a','type':'condition','branches':[{'when':"
		    "{'all':[]},'next':'a'}]}]",
		    "steps[0].branches[0].when.all must have "
		    "1 to 50 items" },
		{ "[{'id':'a','type':'condition','branches':[{'when':{'all':"
		    "[{'var':'x','op':'like','value':1}]},'next':'a'}]}]",
		    "steps[0].branches[0].when.all[0].op must be one of: eq, "
		    "ne, "
		    "contains, not_contains, gt, gte, lt, lte, is_set, "
		    "is_empty, starts_with, ends_with, matches" },
		{ "[{'id':'a','type':'condition','branches':[{'when':{'any':"
		    "[{'var':'x','op':'gt'}]},'next':'a'}]}]",
		    "steps[0].branches[0].when.any[0].value is required for "
		    "gt" },
		{ "[{'id':'a','type':'condition','branches':[{'when':{'any':"
		    "[{'op':'gt','value':1}]},'next':'a'}]}]",
		    "steps[0].branches[0].when.any[0].var is required" },
		{ "[{'id':'a','type':'condition','branches':[{'when':{'any':"
		    "[{'var':'x','op':'eq','value':[1]}]},'next':'a'}]}]",
		    "steps[0].branches[0].when.any[0].value must be a string, "
		    "number, boolean or null" },
		{ "[{'id':'a','type':'condition','branches':[{'when':{'any':"
		    "[{'var':'x','op':'matches','value':'[a-'}]},'next':'a'}]}]"
		    "",
		    "steps[0].branches[0].when.any[0].value has a [ without "
		    "its ]" },
		{ "[{'id':'a','type':'condition','branches':[{'when':{'any':"
		    "[{'var':'x','op':'matches','value':5}]},'next':'a'}]}]",
		    "steps[0].branches[0].when.any[0].value must be a "
		    "pattern" },
		{ "[{'id':'a','type':'condition','branches':[{'when':{'any':"
		    "[{'var':'x','op':'eq','value':1,'case_sensitive':1}]},"
		    "'next':'a'}]}]", "steps[0].branches[0].when.any[0]."
		    "case_sensitive must be a boolean" },
		{ "[{'id':'a','type':'condition','branches':[{'when':{'any':"
		    "[5]},'next':'a'}]}]", "steps[0].branches[0].when.any[0] "
		    "must be a comparison" },
		{ "[{'id':'a','type':'condition','branches':[{'when':{'any':"
		    "[{'any':[{'any':[{'any':[{'any':[{'var':'x','op':'is_set'"
		    "}]}]}]}]}]},'next':'a'}]}]", "steps[0].branches[0].when."
		    "any[0].any[0].any[0].any[0] nests all/any deeper than 4" },
		{ "[{'id':'a','type':'condition','branches':[{'when':{'any':"
		    "[{'var':'x','op':'is_set'}]},'next':'a'}],'default':'q'}]",
		    "steps[0].default must name a step of this flow" },
		/* set_variable */
		{ "[{'id':'a','type':'set_variable'}]",
		    "steps[0].assignments is required" },
		{ "[{'id':'a','type':'set_variable','assignments':[{'var':'x',"
		    "'value':1,'expr':'2'}]}]",
		    "steps[0].assignments[0] must have either value or expr" },
		{ "[{'id':'a','type':'set_variable','assignments':[{'var':'x'}]"
		    "}]", "steps[0].assignments[0] must have either value or "
		    "expr" },
		{ "[{'id':'a','type':'set_variable','assignments':[{'var':"
		    "'system.now','value':1}]}]", "steps[0].assignments[0].var "
		    "names a read-only system variable" },
		{ "[{'id':'a','type':'set_variable','assignments':[{'var':'x',"
		    "'expr':'1 +'}]}]", "steps[0].assignments[0].expr has "
		    "nothing where a value was expected (at character 4)" },
		{ "[{'id':'a','type':'set_variable','assignments':[{'var':'x',"
		    "'expr':5}]}]", "steps[0].assignments[0].expr must be a "
		    "string" },
		{ "[{'id':'a','type':'set_variable','assignments':[{'var':'x',"
		    "'value':'{{y'}]}]", "steps[0].assignments[0].value has {{ "
		    "without its }}" },
		/* http_request */
		{ "[{'id':'a','type':'http_request'}]",
		    "steps[0].url is required" },
		{ "[{'id':'a','type':'http_request','url':'file:///etc/passwd'}"
		    "]", "steps[0].url must be an absolute http(s) URL" },
		{ "[{'id':'a','type':'http_request','url':'https://x.test',"
		    "'method':'TRACE'}]", "steps[0].method must be one of: "
		    "GET, "
		    "POST, PUT, PATCH, DELETE" },
		{ "[{'id':'a','type':'http_request','url':'https://x.test',"
		    "'headers':{'Bad Name':'x'}}]", "steps[0].headers.Bad Name "
		    "is not a valid header name" },
		{ "[{'id':'a','type':'http_request','url':'https://x.test',"
		    "'headers':{'X-A':5}}]", "steps[0].headers.X-A must be a "
		    "string" },
		{ "[{'id':'a','type':'http_request','url':'https://x.test',"
		    "'headers':[]}]", "steps[0].headers must be an object" },
		{ "[{'id':'a','type':'http_request','url':'https://x.test',"
		    "'timeout_ms':50}]", "steps[0].timeout_ms must be an "
		    "integer from 100 to 30000" },
		{ "[{'id':'a','type':'http_request','url':'https://x.test',"
		    "'mapping':{'flow.x':'data.id'}}]"
		    "", "steps[0].mapping.flow.x "
		    "must be a response path" },
		{ "[{'id':'a','type':'http_request','url':'https://x.test',"
		    "'mapping':{'system.now':'status'}}]",
		    "steps[0].mapping.system.now names a read-only" },
		{ "[{'id':'a','type':'http_request','url':'https://x.test',"
		    "'mapping':{'a b':'status'}}]",
		    "steps[0].mapping.a b is not a variable" },
		{ "[{'id':'a','type':'http_request','url':'https://x.test',"
		    "'body':{'a':'{{x'}}]", "steps[0].body.a has {{ without "
		    "its "
		    "}}" },
		{ "[{'id':'a','type':'http_request','url':'https://x.test',"
		    "'body':[[[[[[[[[[1]]]]]]]]]]}]", "steps[0].body is a "
		    "value "
		    "larger than 16384 bytes or nested deeper than 8" },
		{ "[{'id':'a','type':'http_request','url':'https://x.test',"
		    "'on_error':'nope'}]", "steps[0].on_error must name a "
		    "step" },
		/* delay, jump, handoff, end */
		{ "[{'id':'a','type':'delay'}]", "steps[0].seconds is "
		    "required" },
		{ "[{'id':'a','type':'delay','seconds':0}]",
		    "steps[0].seconds must be an integer from 1 to 86400" },
		{ "[{'id':'a','type':'delay','seconds':86401}]",
		    "steps[0].seconds must be an integer from 1 to 86400" },
		{ "[{'id':'a','type':'jump','target':'a'}]",
		    "steps[0].max_jumps is required" },
		{ "[{'id':'a','type':'jump','max_jumps':3}]",
		    "steps[0].target is required" },
		{ "[{'id':'a','type':'jump','target':'a','max_jumps':101}]",
		    "steps[0].max_jumps must be an integer from 1 to 100" },
		{ "[{'id':'a','type':'jump','target':'a','max_jumps':2,"
		    "'on_exhausted':'b'}]", "steps[0].on_exhausted must name a "
		    "step of this flow (there is no step \"b\")" },
		{ "[{'id':'a','type':'handoff','team':5}]",
		    "steps[0].team must be a string" },
		{ "[{'id':'a','type':'end','message':'{{'}]",
		    "steps[0].message has {{ without its }}" },
	};
	struct wa_flow_report	 rep;
	const char		*got;
	size_t			 i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		if (wa_flow_compile(arena, J(cases[i].def), "steps", &rep) !=
		    NULL)
			fail_msg("case %zu compiled: %s", i, cases[i].def);
		got = issues(rep.errors, rep.nerrors);
		if (strstr(got, cases[i].want) == NULL)
			fail_msg("case %zu: want \"%s\" in:\n%s", i,
			    cases[i].want, got);
		assert_int_equal(rep.nlint, 0);
	}
}

/* A definition that uses everything compiles, with no lint. */
static const char onboarding[] = "["
    "{'id':'hello','type':'message','text':'Hi {{contact.name|there}}!'},"
    "{'id':'ask_email','type':'question','prompt':'Your email?',"
    " 'input':'email','save_to':'email','max_attempts':2,"
    " 'retry_message':'That is not an email, try again',"
    " 'on_invalid':'human','timeout_s':3600,'on_timeout':'bye'},"
    "{'id':'ask_plan','type':'question','prompt':'Which plan?',"
    " 'input':'choice','options':[{'id':'free','title':'Free'},"
    " {'id':'pro','title':'Pro','value':'PRO'}],'save_to':'plan',"
    " 'on_invalid':'human'},"
    "{'id':'route','type':'condition','branches':["
    " {'when':{'all':[{'var':'plan','op':'eq','value':'PRO'}]},"
    "  'next':'lookup'}],'default':'bye'},"
    "{'id':'lookup','type':'http_request','method':'POST',"
    " 'url':'https://crm.example.com/leads?e={{flow.email}}',"
    " 'headers':{'Authorization':'Bearer t'},'body':{'email':"
    " '{{flow.email}}','plan':'{{flow.plan}}'},'timeout_ms':5000,"
    " 'mapping':{'flow.lead_id':'body.id','flow.code':'status'},"
    " 'on_error':'human'},"
    "{'id':'count','type':'set_variable','assignments':["
    " {'var':'greeting','expr':'\\'Lead \\' + flow.lead_id'},"
    " {'var':'contact.tier','value':'gold'}]},"
    "{'id':'wait','type':'delay','seconds':5},"
    "{'id':'human','type':'handoff','team':'sales','message':'One moment'},"
    "{'id':'bye','type':'end','message':'Bye {{flow.email|}}'}"
    "]";

static void
test_compiles(void **state)
{
	struct wa_flow_report	 rep;
	struct wa_flow		*f;
	const struct wa_flow_step *s;

	(void)state;
	f = wa_flow_compile(arena, J(onboarding), "steps", &rep);
	if (f == NULL)
		fail_msg("%s", issues(rep.errors, rep.nerrors));
	if (rep.nlint != 0)
		fail_msg("lint: %s", issues(rep.lint, rep.nlint));
	assert_int_equal(f->nsteps, 9);
	/* exits in their fixed order; next defaults to the next step */
	s = &f->steps[1];
	assert_int_equal(s->nexits, 3);
	assert_string_equal(s->exits[WA_FLOW_X_NEXT].name, "next");
	assert_int_equal(s->exits[WA_FLOW_X_NEXT].target, 2);
	assert_int_equal(s->exits[WA_FLOW_X_INVALID].target, 7);
	assert_int_equal(s->exits[WA_FLOW_X_TIMEOUT].target, 8);
	assert_int_equal(s->max_attempts, 2);
	s = &f->steps[3];
	assert_int_equal(s->nexits, 2);
	assert_string_equal(s->exits[0].name, "branches[0]");
	assert_string_equal(s->exits[1].name, "default");
	s = &f->steps[4];
	assert_string_equal(s->exits[WA_FLOW_X_SUCCESS].name, "on_success");
	assert_int_equal(s->exits[WA_FLOW_X_SUCCESS].target, 5);
	assert_int_equal(s->exits[WA_FLOW_X_ERROR].target, 7);
	assert_int_equal(f->steps[6].exits[0].target, 7);
	assert_int_equal(f->steps[7].nexits, 0);	/* handoff */
	assert_int_equal(f->steps[8].nexits, 0);	/* end */
	assert_int_equal(f->nexits, 1 + 3 + 2 + 2 + 2 + 1 + 1);
	/* the last step's next is the end of the flow */
	f = wa_flow_compile(arena, J("[{'id':'a','type':'message','text':"
	    "'x'}]"), "steps", &rep);
	assert_int_equal(f->steps[0].exits[0].target, WA_FLOW_END_OF_FLOW);
	/* an empty flow is a valid draft */
	f = wa_flow_compile(arena, J("[]"), "steps", &rep);
	assert_non_null(f);
	assert_int_equal(f->nsteps, 0);
}

static void
test_lint_table(void **state)
{
	static const struct {
		const char	*def;
		const char	*want;	/* NULL: no lint at all */
	} cases[] = {
		{ "[{'id':'a','type':'end'},{'id':'b','type':'end'}]",
		    "steps[1] is not reachable from the first step #unreachable"
		},
		{ "[{'id':'a','type':'message','text':'Hi {{flow.name}}'}]",
		    "steps[0].text reads flow.name, which no path from the "
		    "first step sets before it #read_before_write" },
		{ "[{'id':'a','type':'message','text':'Hi {{flow.name|you}}'}]",
		    NULL },
		{ "[{'id':'a','type':'message','text':'Hi {{contact.name}} "
		    "{{system.now}}'}]", NULL },
		{ "[{'id':'s','type':'set_variable','assignments':[{'var':'n',"
		    "'value':'x'}]},{'id':'a','type':'message','text':"
		    "'{{flow.n}}'}]", NULL },
		{ "[{'id':'s','type':'set_variable','assignments':[{'var':'a',"
		    "'expr':'b + 1'},{'var':'b','value':1}]}]",
		    "steps[0].assignments[0] reads flow.b" },
		{ "[{'id':'s','type':'set_variable','assignments':[{'var':'b',"
		    "'value':1},{'var':'a','expr':'b + 1'}]}]", NULL },
		/* a question sets its variable on its valid exit only */
		{ "[{'id':'q','type':'question','prompt':'?','save_to':'e',"
		    "'on_invalid':'x'},{'id':'ok','type':'end','message':"
		    "'{{e}}'},{'id':'x','type':'end','message':'{{e}}'}]",
		    "steps[2].message reads flow.e" },
		{ "[{'id':'q','type':'question','prompt':'?','save_to':'e',"
		    "'on_invalid':'q'},{'id':'ok','type':'end','message':"
		    "'{{e}}'}]", NULL },
		/* set on one branch only: may be set, fine */
		{ "[{'id':'c','type':'condition','branches':[{'when':{'all':["
		    "{'var':'contact.vip','op':'eq','value':true}]},'next':'s'}"
		    "],'default':'m'},{'id':'s','type':'set_variable',"
		    "'assignments':[{'var':'x','value':1}]},{'id':'m','type':"
		    "'message','text':'{{x}}'}]", NULL },
		{ "[{'id':'c','type':'condition','branches':[{'when':{'all':["
		    "{'var':'flow.seen','op':'is_set'}]},'next':'m'}]},"
		    "{'id':'m','type':'end'}]", NULL },
		{ "[{'id':'c','type':'condition','branches':[{'when':{'all':["
		    "{'var':'flow.seen','op':'eq','value':1}]},'next':'m'}]},"
		    "{'id':'m','type':'end'}]",
		    "steps[0].branches[0].when reads flow.seen" },
		{ "[{'id':'h','type':'http_request','url':'https://x.test/"
		    "{{flow.id}}','mapping':{'flow.id':'body.id'},'on_error':"
		    "'e'},{'id':'e','type':'end'}]", "steps[0].url reads "
		    "flow.id" },
		{ "[{'id':'a','type':'message','text':'x','next':'b'},"
		    "{'id':'b','type':'set_variable','assignments':[{'var':"
		    "'i','value':1}],'next':'a'}]", "steps[0] starts a loop "
		    "that waits for nothing and never ends (a -> b -> a)" },
		{ "[{'id':'a','type':'delay','seconds':1,'next':'a'}]",
		    "(a -> a)" },
		{ "[{'id':'a','type':'http_request','url':'https://x.test'}]",
		    "steps[0] has no on_error: a failed call ends the "
		    "conversation "
		    "with an error #no_on_error" },
		{ "[{'id':'a','type':'message','text':'x','txet':'y'}]",
		    "steps[0].txet is not used by a message step and is "
		    "ignored #unknown_field" },
		{ "[{'id':'a','type':'end','next':'a'}]",
		    "steps[0].next is not used by an end step" },
		{ "[{'id':'a','type':'message','text':'x','name':'Greeting',"
		    "'position':{'x':1,'y':2}}]", NULL },
		/* jump loops are bounded: no endless_loop */
		{ "[{'id':'a','type':'message','text':'x'},{'id':'j','type':"
		    "'jump','target':'a','max_jumps':3}]", NULL },
	};
	struct wa_flow_report	 rep;
	const char		*got;
	size_t			 i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		if (wa_flow_compile(arena, J(cases[i].def), "steps", &rep) ==
		    NULL)
			fail_msg("case %zu: %s", i, issues(rep.errors,
			    rep.nerrors));
		got = issues(rep.lint, rep.nlint);
		if (cases[i].want == NULL ? rep.nlint != 0 :
		    strstr(got, cases[i].want) == NULL)
			fail_msg("case %zu: want \"%s\" in:\n%s", i,
			    cases[i].want ? cases[i].want : "(nothing)", got);
	}
	/* lint is not reported for a definition with errors */
	assert_null(wa_flow_compile(arena, J("[{'id':'a','type':'end'},"
	    "{'id':'b','type':'end','x':1},{'id':'c','type':'delay'}]"),
	    "steps", &rep));
	assert_int_equal(rep.nlint, 0);
}

/* Every problem is reported, each once, under its own path. */
static void
test_every_problem(void **state)
{
	struct wa_flow_report	rep;

	(void)state;
	assert_null(wa_flow_compile(arena, J("[{'id':'a','type':'message'},"
	    "{'id':'b','type':'question','prompt':'?'},{'id':'b','type':"
	    "'jump'},{'type':'end'}]"), "json", &rep));
	assert_string_equal(issues(rep.errors, rep.nerrors),
	    "json[2].id repeats the id \"b\" (step ids are unique)\n"
	    "json[3].id is required\n"
	    "json[0] needs text or media\n"
	    "json[1].on_invalid is required\n"
	    "json[2].max_jumps is required\n"
	    "json[2].target is required\n");
}

static cJSON *
repeat_steps(size_t n, const char *fmt)
{
	cJSON	*a = cJSON_CreateArray();
	size_t	 i;

	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(a, J(wa_arena_printf(arena, fmt, i,
		    i + 1)));
	return a;
}

static void
test_hostile(void **state)
{
	struct wa_flow_report	 rep;
	struct wa_flow		*f;
	cJSON			*def, *s, *when, *g;
	size_t			 i;
	char			*big;

	(void)state;
	/* too many steps: one error, nothing walked */
	def = repeat_steps(501, "{'id':'s%zu','type':'end','n':%zu}");
	assert_null(wa_flow_compile(arena, def, "steps", &rep));
	assert_int_equal(rep.nerrors, 1);
	assert_string_equal(issues(rep.errors, rep.nerrors),
	    "steps must have at most 500 steps\n");
	/* 500 is fine, with references forward and back */
	def = repeat_steps(500, "{'id':'s%zu','type':'message','text':'x',"
	    "'next':'s%zu'}");
	cJSON_ReplaceItemInObject(cJSON_GetArrayItem(def, 499), "next",
	    cJSON_CreateString("s0"));
	assert_non_null(f = wa_flow_compile(arena, def, "steps", &rep));
	/* a 500-step cycle of messages: endless_loop, found once */
	assert_int_equal(rep.nlint, 1);
	assert_string_equal(rep.lint[0].rule, "endless_loop");
	/* many broken steps: the first 100 problems, the rest counted */
	def = repeat_steps(300, "{'id':'s%zu','type':'delay','s':%zu}");
	assert_null(wa_flow_compile(arena, def, "steps", &rep));
	assert_int_equal(rep.nerrors, WA_FLOW_ISSUES_MAX);
	assert_int_equal(rep.errors_more, 200);
	/* a huge options array is one error */
	s = J("{'id':'q','type':'question','prompt':'?','input':'choice',"
	    "'on_invalid':'q','options':[]}");
	g = cJSON_GetObjectItem(s, "options");
	for (i = 0; i < 10000; i++)
		cJSON_AddItemToArray(g, cJSON_CreateString("o"));
	def = cJSON_CreateArray();
	cJSON_AddItemToArray(def, s);
	assert_null(wa_flow_compile(arena, def, "steps", &rep));
	assert_int_equal(rep.nerrors, 1);
	/* 60 comparisons in one step: over 50 */
	s = J("{'id':'c','type':'condition','branches':[{'when':{'any':[]},"
	    "'next':'c'}]}");
	when = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetArrayItem(
	    cJSON_GetObjectItem(s, "branches"), 0), "when"), "any");
	for (i = 0; i < 50; i++)
		cJSON_AddItemToArray(when, J("{'var':'x','op':'is_set'}"));
	def = cJSON_CreateArray();
	cJSON_AddItemToArray(def, s);
	assert_non_null(wa_flow_compile(arena, def, "steps", &rep));
	cJSON_AddItemToArray(when, J("{'var':'x','op':'is_set'}"));
	assert_null(wa_flow_compile(arena, def, "steps", &rep));
	assert_non_null(strstr(issues(rep.errors, rep.nerrors),
	    "must have 1 to 50 items"));
	/* long strings */
	big = wa_arena_alloc(arena, 5000);
	memset(big, 'x', 4097);
	big[4097] = '\0';
	s = J("{'id':'m','type':'message'}");
	cJSON_AddStringToObject(s, "text", big);
	def = cJSON_CreateArray();
	cJSON_AddItemToArray(def, s);
	assert_null(wa_flow_compile(arena, def, "steps", &rep));
	assert_non_null(strstr(issues(rep.errors, rep.nerrors),
	    "steps[0].text must be at most 4096 characters"));
	/* a pattern built to explode */
	assert_null(wa_flow_compile(arena, J("[{'id':'q','type':'question',"
	    "'prompt':'?','input':'regex','pattern':'((a{100}){100}){100}',"
	    "'on_invalid':'q'}]"), "steps", &rep));
	assert_non_null(strstr(issues(rep.errors, rep.nerrors),
	    "too complex"));
	/* a long expression */
	memset(big, '1', 2000);
	big[2000] = '\0';
	s = J("{'id':'s','type':'set_variable','assignments':[{'var':'x'}]}");
	cJSON_AddStringToObject(cJSON_GetArrayItem(cJSON_GetObjectItem(s,
	    "assignments"), 0), "expr", big);
	def = cJSON_CreateArray();
	cJSON_AddItemToArray(def, s);
	assert_null(wa_flow_compile(arena, def, "steps", &rep));
	assert_non_null(strstr(issues(rep.errors, rep.nerrors), "1024"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		FLOW_TEST(test_errors_table),
		FLOW_TEST(test_compiles),
		FLOW_TEST(test_lint_table),
		FLOW_TEST(test_every_problem),
		FLOW_TEST(test_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
