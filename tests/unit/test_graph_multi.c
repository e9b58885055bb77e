/*
 * The many-sends client (lib/graph/multi.c) and the outcomes a queue
 * worker reads from it, against the Meta simulator (scripts/metasim)
 * started on free loopback ports, as in test_graph_sim.c: sends in
 * flight together on a pool of connections (plain and TLS), each fault
 * class and what it means for the queue (sent or not, retry, slow down,
 * pause the account, ...), the slots' bound, a forked child, and the
 * simulator's send ledger, status batching, opaque data and
 * throughput bucket.
 *
 * WA_GRAPH_MULTI_N sets how many sends the TLS pool test makes (1000),
 * which then prints what one process achieves.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/wait.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "clock.h"
#include "graph/graph.h"
#include "helpers.h"
#include "sim_helpers.h"

#define TOKEN	"multi-test-token"
#define WABA	"200000000000002"
#define PHONE	"300000000000002"
#define APP	"100000000000000"

static struct wa_req	 r;
static struct wa_cfg	 cfg;
static struct wa_graph_acct ga;

/* ---- the simulator ------------------------------------------------------ */

static const char *const sim_args[] = { "--review-ms", "0",
    "--no-statuses", "--no-window", "--app-id", APP, NULL };
static const char *const sim_env[] = { "WA_META_APP_SECRET",
    "multi-test-secret", NULL };
static struct t_sim	 sim = { .name = "test_graph_multi",
    .dir = "wa-graph-multi", .args = sim_args, .env = sim_env, .req = &r };

static cJSON *
ctl(const char *method, const char *path, const char *body)
{
	return t_sim_ctl(&sim, method, path, body);
}

static double
num(const cJSON *o, const char *name)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, name);

	if (!cJSON_IsNumber(v))
		fail_msg("no number %s", name);
	return v->valuedouble;
}

/* ---- fixtures ------------------------------------------------------------ */

static int
group_setup(void **state)
{
	(void)state;
	return t_sim_setup(&sim);
}

static int
group_teardown(void **state)
{
	(void)state;
	return t_sim_teardown(&sim);
}

static int
setup(void **state)
{
	static char	url[96];

	(void)state;
	t_cfg_init(&cfg);
	snprintf(url, sizeof(url), "%s/v23.0", sim.base);
	cfg.graph_url = url;
	cfg.graph_connect_timeout_ms = 1000;
	cfg.graph_timeout_ms = 2000;
	cfg.meta_app_id = APP;
	t_req_init(&r, &cfg);
	memset(&ga, 0, sizeof(ga));
	ga.account_id = "acct-1";
	ga.token = TOKEN;
	ga.waba_id = WABA;
	ga.phone_number_id = PHONE;
	ctl("POST", "/_sim/reset", "{}");
	ctl("POST", "/_sim/accounts", "{\"waba_id\":\"" WABA "\","
	    "\"phone_number_id\":\"" PHONE "\",\"token\":\"" TOKEN "\","
	    "\"display_phone_number\":\"+15550100002\"}");
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	t_req_free(&r);
	return 0;
}

/* ---- helpers ---------------------------------------------------------- */

static void
text(struct wa_graph_msg *m, const char *to, const char *opaque)
{
	memset(m, 0, sizeof(*m));
	m->type = WA_GRAPH_MSG_TEXT;
	m->to = to;
	m->text = "Your order has shipped";
	m->opaque = opaque;
}

/* What a run of sends came to. */
struct tally {
	size_t		 done;
	size_t		 sent;
	size_t		 outcomes[WA_GRAPH_O__MAX];
	long		 connects;
	char		**wamids;
};

static void
take(struct wa_graph_multi *m, struct tally *t)
{
	struct wa_graph_xfer	*x;
	int			 d;
	enum wa_graph_outcome	 o;

	while ((x = wa_graph_multi_next(m)) != NULL) {
		o = wa_graph_outcome(x, 1, &d);
		t->outcomes[o]++;
		t->connects += x->connects;
		assert_true(x->done_us >= x->started_us);
		if (o == WA_GRAPH_O_SENT) {
			assert_int_equal(strncmp(x->sent.wamid, "wamid.", 6),
			    0);
			if (t->wamids != NULL)
				t->wamids[t->sent] = wa_arena_strdup(r.arena,
				    x->sent.wamid);
			t->sent++;
		} else if (t->outcomes[o] == 1)
			fprintf(stderr, "  %s: %s (%s)\n",
			    wa_graph_outcome_name(o),
			    wa_graph_status_name(x->res.status),
			    x->res.detail != NULL ? x->res.detail : "-");
		t->done++;
		wa_graph_multi_release(m, x);
	}
}

/* Sends n texts to `recipients` numbers, as fast as the slots allow. */
static void
blast(struct wa_graph_multi *m, size_t n, int recipients, struct tally *t)
{
	struct wa_graph_msg	 msg;
	size_t			 queued = 0;
	char			*to, *op;

	while (t->done < n) {
		while (queued < n) {
			to = wa_arena_printf(r.arena, "+1650555%04zu",
			    queued % (size_t)recipients);
			op = wa_arena_printf(r.arena, "op-%zu", queued);
			text(&msg, to, op);
			if (wa_graph_multi_send(m, &ga, &msg, 5000, NULL) != 0)
				break;
			queued++;
		}
		wa_graph_multi_poll(m, 100, -1);
		/* cJSON went back to the caller's arena */
		assert_ptr_equal(wa_json_arena(), r.arena);
		take(m, t);
	}
	assert_int_equal(wa_graph_multi_inflight(m), 0);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* ---- sends in flight together ---------------------------------------- */

static void
test_sends(void **state)
{
	struct wa_graph_multi	*m;
	struct tally		 t;
	const cJSON		*sum, *dups, *d, *sends, *e;
	size_t			 i;

	(void)state;
	memset(&t, 0, sizeof(t));
	t.wamids = wa_arena_calloc(r.arena, 200, sizeof(char *));
	assert_non_null(m = wa_graph_multi_new(&cfg, 32));
	blast(m, 200, 5, &t);
	assert_int_equal(t.outcomes[WA_GRAPH_O_SENT], 200);
	/* every wamid is its own */
	qsort(t.wamids, 200, sizeof(char *), cmp_str);
	for (i = 1; i < 200; i++)
		assert_string_not_equal(t.wamids[i - 1], t.wamids[i]);
	/* the pool: at most one connection per slot, none per message */
	assert_true(t.connects >= 1 && t.connects <= 32);
	assert_true(num(ctl("GET", "/_sim/health", NULL), "connections") <=
	    32);
	/* the simulator's ledger agrees */
	sum = ctl("GET", "/_sim/sends/summary?phone_number_id=" PHONE, NULL);
	assert_int_equal(num(sum, "accepted"), 200);
	assert_int_equal(num(sum, "refused"), 0);
	assert_int_equal(num(sum, "recipients"), 5);
	assert_int_equal(num(sum, "max_per_recipient"), 40);
	assert_true(num(sum, "connections") <= 32);
	assert_true(num(sum, "rate") > 0);
	dups = cJSON_GetObjectItemCaseSensitive(sum, "duplicates");
	assert_int_equal(cJSON_GetArraySize(dups), 5);
	cJSON_ArrayForEach(d, dups) {
		assert_int_equal(num(d, "count"), 40);
		assert_string_equal(wa_json_str(d, "phone_number_id"), PHONE);
		assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(d,
		    "opaques")), 10);
		assert_int_equal(strncmp(wa_json_str(d, "to"), "1650555", 7),
		    0);
	}
	sends = cJSON_GetObjectItemCaseSensitive(ctl("GET",
	    "/_sim/sends?limit=10&since=5", NULL), "sends");
	assert_int_equal(cJSON_GetArraySize(sends), 10);
	e = sends->child;
	assert_int_equal(num(e, "seq"), 6);
	assert_int_equal(num(e, "code"), 0);
	assert_int_equal(strncmp(wa_json_str(e, "wamid"), "wamid.", 6), 0);
	assert_int_equal(strncmp(wa_json_str(e, "opaque"), "op-", 3), 0);
	/* another number has sent nothing */
	sum = ctl("GET", "/_sim/sends/summary?phone_number_id=1", NULL);
	assert_int_equal(num(sum, "accepted"), 0);
	wa_graph_multi_free(m);
}

/* Over TLS (HTTP/1.1 only): a pool of connections, not one per send. */
static void
test_tls_pool(void **state)
{
	struct wa_graph_multi	*m;
	struct wa_cfg		 tcfg = cfg;
	struct tally		 t;
	const cJSON		*sum;
	const char		*env = getenv("WA_GRAPH_MULTI_N");
	struct t_sim_cert	 tc;
	char			 tbase[64];
	size_t			 n;
	int64_t			 t0, t1;
	pid_t			 tpid;
	int			 tport;

	(void)state;
	if (env == NULL || (n = strtoul(env, NULL, 10)) == 0)
		n = 1000;
	assert_int_equal(t_sim_cert_make(&sim, &tc), 0);
	tport = t_free_port();
	assert_int_equal(t_sim_start(&sim, tport, tc.cert, tc.key, &tpid), 0);
	snprintf(tbase, sizeof(tbase), "https://localhost:%d", tport);
	tcfg.graph_url = wa_arena_printf(r.arena, "%s/v23.0", tbase);
	tcfg.graph_ca_file = tc.cert;
	/* what is measured is the pool, not the handshakes' speed: a
	 * loaded machine (a sanitizer build beside another suite) takes
	 * longer than the other tests' second for a TLS handshake */
	tcfg.graph_connect_timeout_ms = 10000;
	tcfg.graph_timeout_ms = 20000;
	t_sim_ctl_at(&sim, tbase, tc.cert, "POST", "/_sim/accounts",
	    "{\"waba_id\":\"" WABA "\",\"phone_number_id\":\"" PHONE
	    "\",\"token\":\"" TOKEN "\",\"display_phone_number\":"
	    "\"+15550100002\"}");

	memset(&t, 0, sizeof(t));
	assert_non_null(m = wa_graph_multi_new(&tcfg, 32));
	t0 = wa_clock_mono_us();
	blast(m, n, 50, &t);
	t1 = wa_clock_mono_us();
	assert_int_equal(t.outcomes[WA_GRAPH_O_SENT], n);
	assert_true(t.connects >= 1 && t.connects <= 32);
	sum = t_sim_ctl_at(&sim, tbase, tc.cert, "GET", "/_sim/sends/summary",
	    NULL);
	assert_int_equal(num(sum, "accepted"), n);
	assert_true(num(sum, "connections") <= 32);
	fprintf(stderr, "  multi over TLS: %zu sends in %lld ms = %.0f/s "
	    "(max_inflight 32, %ld connections opened, simulator saw %.0f; "
	    "its rate %.0f/s)\n", n, (long long)(t1 - t0) / 1000,
	    (double)n * 1e6 / (double)(t1 - t0), t.connects,
	    num(sum, "connections"), num(sum, "rate"));
	wa_graph_multi_free(m);
	assert_int_equal(t_sim_stop(tpid), 0);
	t_sim_cert_remove(&sim, &tc);
}

/* ---- each fault, and what it means for the queue ------------------------ */

enum setup_kind {
	S_FAULT = 0,	/* a /_sim/faults entry */
	S_EXPIRED,	/* the token expired */
	S_TEMPLATE,	/* a template that does not exist */
	S_RECIPIENT,	/* /_sim/recipients: the recipient fails */
	S_REFUSED,	/* no server at the Graph URL */
	S_UNBUILDABLE	/* a message the client refuses */
};

static void
test_faults(void **state)
{
	static const struct {
		const char		*name;
		enum setup_kind		 kind;
		const char		*json;
		int			 timeout_ms;
		enum wa_graph_status	 status;
		long			 code;
		int			 written;
		enum wa_graph_outcome	 want;
	} cases[] = {
		{ "throughput", S_FAULT, "{\"path\":\"/*/messages\","
		  "\"code\":130429}", 2000, WA_GRAPH_META, 130429, 1,
		  WA_GRAPH_O_SLOW },
		{ "pair limit", S_FAULT, "{\"path\":\"/*/messages\","
		  "\"code\":131056}", 2000, WA_GRAPH_META, 131056, 1,
		  WA_GRAPH_O_PAIR },
		{ "expired token", S_EXPIRED, NULL, 2000, WA_GRAPH_META, 190, 1,
		  WA_GRAPH_O_PAUSE },
		{ "no template", S_TEMPLATE, NULL, 2000, WA_GRAPH_META, 132001,
		  1, WA_GRAPH_O_TEMPLATE },
		{ "undeliverable", S_RECIPIENT, "{\"wa_id\":\"16505550199\","
		  "\"fail_code\":131026,\"mode\":\"sync\"}", 2000,
		  WA_GRAPH_META, 131026, 1, WA_GRAPH_O_FAILED },
		{ "undeliverable later", S_RECIPIENT, "{\"wa_id\":"
		  "\"16505550199\",\"fail_code\":131026}", 2000, WA_GRAPH_OK,
		  0, 1, WA_GRAPH_O_SENT },
		{ "meta trouble", S_FAULT, "{\"path\":\"/*/messages\","
		  "\"status\":500,\"code\":131000}", 2000, WA_GRAPH_META,
		  131000, 1, WA_GRAPH_O_RETRY },
		{ "timeout", S_FAULT, "{\"path\":\"/*/messages\","
		  "\"timeout\":true,\"latency_ms\":3000}", 400,
		  WA_GRAPH_TIMEOUT, 0, 1, WA_GRAPH_O_UNKNOWN },
		{ "drop", S_FAULT, "{\"path\":\"/*/messages\",\"drop\":true,"
		  "\"count\":-1}", 2000, WA_GRAPH_DROPPED, 0, 1,
		  WA_GRAPH_O_UNKNOWN },
		{ "malformed", S_FAULT, "{\"path\":\"/*/messages\","
		  "\"malformed\":true}", 2000, WA_GRAPH_MALFORMED, 0, 1,
		  WA_GRAPH_O_UNKNOWN },
		{ "refused", S_REFUSED, NULL, 2000, WA_GRAPH_REFUSED, 0, 0,
		  WA_GRAPH_O_RETRY },
		{ "unbuildable", S_UNBUILDABLE, NULL, 2000, WA_GRAPH_CONFIG, 0,
		  0, WA_GRAPH_O_FAILED },
	};
	struct wa_graph_multi	*m;
	struct wa_graph_xfer	*x;
	struct wa_graph_msg	 msg;
	struct wa_cfg		 fcfg;
	size_t			 i;
	int			 d, udata;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		fcfg = cfg;
		ctl("DELETE", "/_sim/faults", NULL);
		ctl("POST", "/_sim/tokens", "{\"token\":\"" TOKEN "\","
		    "\"state\":\"valid\"}");
		ctl("POST", "/_sim/recipients", "{\"wa_id\":\"16505550199\","
		    "\"fail_code\":0}");
		text(&msg, "+16505550199", "case");
		switch (cases[i].kind) {
		case S_FAULT:
			t_sim_fault(&sim, cases[i].json);
			break;
		case S_EXPIRED:
			ctl("POST", "/_sim/tokens", "{\"token\":\"" TOKEN
			    "\",\"state\":\"expired\"}");
			break;
		case S_TEMPLATE:
			msg.type = WA_GRAPH_MSG_TEMPLATE;
			msg.tpl_name = "nope";
			msg.tpl_language = "en_US";
			break;
		case S_RECIPIENT:
			ctl("POST", "/_sim/recipients", cases[i].json);
			break;
		case S_REFUSED:
			fcfg.graph_url = wa_arena_printf(r.arena,
			    "http://127.0.0.1:%d/v23.0", t_free_port());
			break;
		case S_UNBUILDABLE:
			msg.text = "";
			break;
		}
		assert_non_null(m = wa_graph_multi_new(&fcfg, 4));
		assert_int_equal(wa_graph_multi_send(m, &ga, &msg,
		    cases[i].timeout_ms, &udata), 0);
		while (wa_graph_multi_inflight(m) > 0)
			wa_graph_multi_poll(m, 1000, -1);
		assert_non_null(x = wa_graph_multi_next(m));
		assert_null(wa_graph_multi_next(m));
		assert_ptr_equal(x->udata, &udata);
		if (x->res.status != cases[i].status ||
		    x->res.err.code != cases[i].code ||
		    x->written != cases[i].written ||
		    wa_graph_outcome(x, 1, &d) != cases[i].want)
			fail_msg("%s: %s code %ld written %d: %s (%s)",
			    cases[i].name, wa_graph_status_name(x->res.status),
			    x->res.err.code, x->written, wa_graph_outcome_name(
			    wa_graph_outcome(x, 1, &d)), x->res.detail != NULL ?
			    x->res.detail : "-");
		if (cases[i].status != WA_GRAPH_OK)
			assert_non_null(x->res.rule);
		wa_graph_multi_release(m, x);
		wa_graph_multi_free(m);
	}
	ctl("DELETE", "/_sim/faults", NULL);
	/* the unbuildable message never reached the simulator; the sync
	 * refusal did, with its code, the async one was accepted */
	{
		const cJSON	*sends, *e;
		int		 refused = 0, accepted = 0;

		sends = cJSON_GetObjectItemCaseSensitive(ctl("GET",
		    "/_sim/sends", NULL), "sends");
		cJSON_ArrayForEach(e, sends) {
			if (num(e, "code") == 131026)
				refused++;
			else if (num(e, "code") == 0)
				accepted++;
		}
		assert_int_equal(refused, 1);
		assert_int_equal(accepted, 1);
	}
}

/* max_inflight bounds the slots, finished ones included until released */
static void
test_slots(void **state)
{
	struct wa_graph_multi	*m;
	struct wa_graph_xfer	*x, *y;
	struct wa_graph_msg	 msg;

	(void)state;
	assert_non_null(m = wa_graph_multi_new(&cfg, 2));
	text(&msg, "+16505551234", NULL);
	assert_int_equal(wa_graph_multi_send(m, &ga, &msg, 2000, NULL), 0);
	msg.text = "";	/* finishes at once, and takes a slot */
	assert_int_equal(wa_graph_multi_send(m, &ga, &msg, 2000, NULL), 0);
	assert_int_equal(wa_graph_multi_inflight(m), 1);
	msg.text = "third";
	assert_int_equal(wa_graph_multi_send(m, &ga, &msg, 2000, NULL), -1);
	/* the CONFIG one is there already, without a poll */
	assert_non_null(x = wa_graph_multi_next(m));
	assert_int_equal(x->res.status, WA_GRAPH_CONFIG);
	assert_string_equal(x->res.detail, "text body is 1-4096 characters");
	assert_int_equal(x->written, 0);
	/* taken but not released: still no slot */
	assert_int_equal(wa_graph_multi_send(m, &ga, &msg, 2000, NULL), -1);
	wa_graph_multi_release(m, x);
	assert_int_equal(wa_graph_multi_send(m, &ga, &msg, 2000, NULL), 0);
	while (wa_graph_multi_inflight(m) > 0)
		wa_graph_multi_poll(m, 1000, -1);
	assert_non_null(x = wa_graph_multi_next(m));
	assert_non_null(y = wa_graph_multi_next(m));
	assert_null(wa_graph_multi_next(m));
	assert_int_equal(x->res.status, WA_GRAPH_OK);
	assert_int_equal(y->res.status, WA_GRAPH_OK);
	assert_string_not_equal(x->sent.wamid, y->sent.wamid);
	wa_graph_multi_release(m, x);
	/* freed with y still taken */
	wa_graph_multi_free(m);
	/* a poll with nothing in flight waits for its fd, or the time */
	assert_non_null(m = wa_graph_multi_new(&cfg, 2));
	{
		int64_t	t0 = wa_clock_mono_us();
		int	fds[2];

		assert_int_equal(wa_graph_multi_poll(m, 100, -1), 0);
		assert_true(wa_clock_mono_us() - t0 >= 90 * 1000);
		assert_int_equal(pipe(fds), 0);
		assert_int_equal(write(fds[1], "x", 1), 1);
		t0 = wa_clock_mono_us();
		assert_int_equal(wa_graph_multi_poll(m, 5000, fds[0]), 0);
		assert_true(wa_clock_mono_us() - t0 < 2000 * 1000);
		close(fds[0]);
		close(fds[1]);
	}
	wa_graph_multi_free(m);
}

/* A multi made before fork() is not the child's to use. */
static void
test_fork(void **state)
{
	struct wa_graph_multi	*m;
	struct wa_graph_msg	 msg;
	int			 st;
	pid_t			 pid;

	(void)state;
	assert_non_null(m = wa_graph_multi_new(&cfg, 2));
	text(&msg, "+16505551234", NULL);
	/* a connection in the pool that the child must leave alone */
	assert_int_equal(wa_graph_multi_send(m, &ga, &msg, 2000, NULL), 0);
	while (wa_graph_multi_inflight(m) > 0)
		wa_graph_multi_poll(m, 1000, -1);
	wa_graph_multi_release(m, wa_graph_multi_next(m));
	if ((pid = fork()) == 0) {
		struct wa_graph_xfer	*x;
		int			 ok;

		ok = wa_graph_multi_send(m, &ga, &msg, 2000, NULL) == 0 &&
		    wa_graph_multi_poll(m, 0, -1) == 0 &&
		    (x = wa_graph_multi_next(m)) != NULL &&
		    x->res.status == WA_GRAPH_CONFIG && x->written == 0;
		wa_graph_multi_free(m);
		_exit(ok ? 0 : 1);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	/* the parent's pool still works */
	assert_int_equal(wa_graph_multi_send(m, &ga, &msg, 2000, NULL), 0);
	while (wa_graph_multi_inflight(m) > 0)
		wa_graph_multi_poll(m, 1000, -1);
	assert_int_equal(wa_graph_multi_next(m)->res.status, WA_GRAPH_OK);
	wa_graph_multi_free(m);
	assert_int_equal(num(ctl("GET", "/_sim/sends/summary", NULL),
	    "accepted"), 2);
}

/* ---- the simulator: statuses, opaque data, batching ------------------- */

/* Every status item of the message webhooks logged after seq since. */
static cJSON *
statuses_since(unsigned long since, int *hooks)
{
	const cJSON	*w, *body, *e, *ch, *s;
	cJSON		*all = cJSON_CreateArray();
	const char	*why, *b;

	*hooks = 0;
	cJSON_ArrayForEach(w, cJSON_GetObjectItemCaseSensitive(ctl("GET",
	    wa_arena_printf(r.arena, "/_sim/webhooks?since=%lu", since),
	    NULL), "webhooks")) {
		if (strcmp(wa_json_str(w, "field"), "messages") != 0)
			continue;
		b = wa_json_str(w, "body");
		body = wa_json_parse(b, strlen(b), WA_JSON_DEPTH_MAX, &why);
		assert_non_null(body);
		(*hooks)++;
		cJSON_ArrayForEach(e, cJSON_GetObjectItem(body, "entry"))
			cJSON_ArrayForEach(ch, cJSON_GetObjectItem(e,
			    "changes"))
				cJSON_ArrayForEach(s, cJSON_GetObjectItem(
				    cJSON_GetObjectItem(ch, "value"),
				    "statuses"))
					cJSON_AddItemReferenceToArray(all,
					    (cJSON *)s);
	}
	return all;
}

static void
send_some(int n, const char *prefix)
{
	struct wa_graph_multi	*m;
	struct tally		 t;
	struct wa_graph_msg	 msg;
	int			 i;

	assert_non_null(m = wa_graph_multi_new(&cfg, 8));
	memset(&t, 0, sizeof(t));
	for (i = 0; i < n; i++) {
		text(&msg, wa_arena_printf(r.arena, "+1650555%04d", i),
		    wa_arena_printf(r.arena, "%s-%d", prefix, i));
		while (wa_graph_multi_send(m, &ga, &msg, 2000, NULL) != 0) {
			wa_graph_multi_poll(m, 100, -1);
			take(m, &t);
		}
	}
	while (wa_graph_multi_inflight(m) > 0 || t.done < (size_t)n) {
		wa_graph_multi_poll(m, 100, -1);
		take(m, &t);
	}
	assert_int_equal(t.sent, n);
	wa_graph_multi_free(m);
}

static void
test_statuses(void **state)
{
	const cJSON	*s, *it;
	cJSON		*all;
	unsigned long	 since;
	int		 hooks, i, last;
	char		 want[32];

	(void)state;
	ctl("POST", "/_sim/config", "{\"statuses\":true,"
	    "\"status_delay_ms\":40,\"status_batch\":50}");
	assert_int_equal(num(ctl("GET", "/_sim/config", NULL),
	    "status_batch"), 50);
	ctl("POST", "/_sim/recipients", "{\"wa_id\":\"16505550019\","
	    "\"fail_code\":131026}");
	since = (unsigned long)num(ctl("GET", "/_sim/webhooks", NULL), "last");
	send_some(20, "batch");
	usleep(600 * 1000);
	all = statuses_since(since, &hooks);
	/* 19 messages sent, delivered, read; one failed */
	assert_int_equal(cJSON_GetArraySize(all), 19 * 3 + 1);
	assert_true(hooks >= 2 && hooks < 20);
	/* each status names its message's opaque data, in order */
	for (i = 0; i < 20; i++) {
		snprintf(want, sizeof(want), "batch-%d", i);
		last = 0;
		cJSON_ArrayForEach(s, all) {
			it = cJSON_GetObjectItem(s, "biz_opaque_callback_data");
			assert_non_null(it);
			if (strcmp(it->valuestring, want) != 0)
				continue;
			if (i == 19) {
				assert_string_equal(wa_json_str(s, "status"),
				    "failed");
				continue;
			}
			if (strcmp(wa_json_str(s, "status"), "sent") == 0)
				assert_int_equal(last++, 0);
			else if (strcmp(wa_json_str(s, "status"),
			    "delivered") == 0)
				assert_int_equal(last++, 1);
			else
				assert_int_equal(last++, 2);
		}
		if (i < 19)
			assert_int_equal(last, 3);
	}
	/* one status a webhook again */
	ctl("POST", "/_sim/config", "{\"status_batch\":1}");
	since = (unsigned long)num(ctl("GET", "/_sim/webhooks", NULL), "last");
	send_some(3, "single");
	usleep(400 * 1000);
	all = statuses_since(since, &hooks);
	assert_int_equal(cJSON_GetArraySize(all), 9);
	assert_int_equal(hooks, 9);
	/* out of range */
	assert_non_null(wa_json_str(ctl("POST", "/_sim/config",
	    "{\"status_batch\":1001}"), "error"));
}

/* ---- the simulator's throughput bucket -------------------------------- */

/* Sends `seconds` of `per_tick` texts every 100 ms: what came of it. */
static void
pace(struct wa_graph_multi *m, int per_tick, int seconds, struct tally *t)
{
	struct wa_graph_msg	 msg;
	int64_t			 start = wa_clock_mono_us(), due, now;
	int			 tick, i, n = 0;

	for (tick = 0; tick < seconds * 10; tick++) {
		due = start + (int64_t)tick * 100000;
		while ((now = wa_clock_mono_us()) < due) {
			wa_graph_multi_poll(m, (int)((due - now) / 1000) + 1,
			    -1);
			take(m, t);
		}
		for (i = 0; i < per_tick; i++, n++) {
			text(&msg, wa_arena_printf(r.arena, "+1650666%04d",
			    n % 500), NULL);
			while (wa_graph_multi_send(m, &ga, &msg, 5000, NULL) !=
			    0) {
				wa_graph_multi_poll(m, 10, -1);
				take(m, t);
			}
		}
	}
	while (wa_graph_multi_inflight(m) > 0) {
		wa_graph_multi_poll(m, 100, -1);
		take(m, t);
	}
	take(m, t);
}

static void
test_throughput(void **state)
{
	struct wa_graph_multi	*m;
	struct tally		 t;
	const cJSON		*sum, *codes;

	(void)state;
	ctl("POST", "/_sim/config", "{\"limits\":true,\"pair_burst\":1000}");
	/* this number's own rate: 200 a second */
	assert_int_equal(num(ctl("POST", "/_sim/phones/" PHONE,
	    "{\"mps\":200}"), "effective_mps"), 200);
	assert_non_null(m = wa_graph_multi_new(&cfg, 64));
	/* exactly the rate, in bursts of a tenth of it */
	memset(&t, 0, sizeof(t));
	pace(m, 20, 3, &t);
	assert_int_equal(t.done, 600);
	assert_int_equal(t.outcomes[WA_GRAPH_O_SENT], 600);
	sum = ctl("GET", "/_sim/sends/summary?phone_number_id=" PHONE, NULL);
	assert_int_equal(num(sum, "refused"), 0);
	assert_true(num(sum, "max_per_second") <= 260);
	/* twice the rate: 130429 within the first seconds */
	ctl("POST", "/_sim/reset", "{}");
	ctl("POST", "/_sim/accounts", "{\"waba_id\":\"" WABA "\","
	    "\"phone_number_id\":\"" PHONE "\",\"token\":\"" TOKEN "\"}");
	ctl("POST", "/_sim/config", "{\"limits\":true,\"pair_burst\":1000}");
	ctl("POST", "/_sim/phones/" PHONE, "{\"mps\":200}");
	memset(&t, 0, sizeof(t));
	pace(m, 40, 3, &t);
	assert_int_equal(t.done, 1200);
	assert_true(t.outcomes[WA_GRAPH_O_SLOW] > 0);
	assert_int_equal(t.outcomes[WA_GRAPH_O_SLOW] +
	    t.outcomes[WA_GRAPH_O_SENT], 1200);
	sum = ctl("GET", "/_sim/sends/summary?phone_number_id=" PHONE, NULL);
	codes = cJSON_GetObjectItemCaseSensitive(sum, "refused_codes");
	assert_int_equal(num(codes, "130429"), t.outcomes[WA_GRAPH_O_SLOW]);
	/* what got through is about the rate plus one second's bucket */
	assert_true(num(sum, "accepted") <= 200 * 3 + 200 + 40);
	fprintf(stderr, "  at twice the rate: %.0f accepted, %.0f refused "
	    "with 130429 in 3 s\n", num(sum, "accepted"),
	    num(codes, "130429"));
	wa_graph_multi_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sends, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tls_pool, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_faults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_slots, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fork, setup, teardown),
		cmocka_unit_test_setup_teardown(test_statuses, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_throughput, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
