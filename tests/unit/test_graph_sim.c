/*
 * The Graph client (lib/graph*.c) against the Meta simulator
 * (scripts/metasim), started on a free loopback port: every operation,
 * and every fault class the client types (Meta's 429 with 130429, 5xx,
 * timeout, dropped connection, malformed body, redirect, refused
 * connection, untrusted TLS certificate, expired token), under both of
 * the simulator's status profiles.
 *
 * The simulator is build/.../bin/metasim next to this binary's
 * build/.../tests directory; the test fails if it is missing.  It is
 * stopped with SIGTERM at the end and must exit 0 (under the sanitizer
 * build that includes its leak check).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "accounts.h"
#include "arena.h"
#include "buf.h"
#include "graph/graph.h"
#include "helpers.h"
#include "sim_helpers.h"

#define TOKEN	"sim-test-token"
#define WABA	"200000000000001"
#define PHONE	"300000000000001"
#define APP	"100000000000000"

static struct wa_req	 r;
static struct wa_cfg	 cfg;
static struct wa_graph_acct ga;

/* ---- the simulator and its control API ---------------------------------- */

static const char *const sim_args[] = { "--review-ms", "0",
    "--no-statuses", "--app-id", APP, NULL };
static const char *const sim_env[] = { "WA_META_APP_SECRET",
    "sim-test-secret", NULL };
static struct t_sim	 sim = { .name = "test_graph_sim",
    .dir = "wa-graph-sim", .args = sim_args, .env = sim_env, .req = &r };

/* A control call; returns the answer's JSON (arena). */
static cJSON *
ctl(const char *method, const char *path, const char *body)
{
	return t_sim_ctl(&sim, method, path, body);
}

/* Replaces the simulator's faults with this one. */
static void
fault(const char *json)
{
	t_sim_fault(&sim, json);
}

/* The size of what a GET of url answers, -1 unless 200. */
static long
fetch_size(const char *url)
{
	struct wa_buf	b;
	long		code = 0;
	CURL		*c = curl_easy_init();

	wa_buf_init(&b, r.arena, 4u << 20);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, t_sim_sink);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_cleanup(c);
	return code == 200 ? (long)b.len : -1;
}

/* JSON text (a fixture) as a tree in the arena. */
static cJSON *
J(const char *s)
{
	const char	*why;
	cJSON		*v;

	v = wa_json_parse(s, strlen(s), WA_JSON_DEPTH_MAX, &why);

	if (v == NULL)
		fail_msg("fixture is not JSON (%s): %s", why, s);
	return v;
}

/* The requests the simulator received whose path holds `sub`. */
static cJSON *
received(const char *sub)
{
	return t_sim_requests(&sim, wa_arena_printf(r.arena, "path=%s", sub));
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
	ga.token = TOKEN;
	ga.waba_id = WABA;
	ga.phone_number_id = PHONE;
	ctl("POST", "/_sim/reset", "{}");
	ctl("POST", "/_sim/accounts", "{\"waba_id\":\"" WABA "\","
	    "\"phone_number_id\":\"" PHONE "\",\"token\":\"" TOKEN "\","
	    "\"display_phone_number\":\"+15550100001\"}");
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	t_req_free(&r);
	return 0;
}

static cJSON *
tpl(const char *name, const char *text)
{
	return J(wa_arena_printf(r.arena, "{\"name\":\"%s\",\"language\":"
	    "\"en_US\",\"category\":\"UTILITY\",\"components\":[{\"type\":"
	    "\"BODY\",\"text\":\"%s\",\"example\":{\"body_text\":"
	    "[[\"A1\"]]}}]}", name, text));
}

/* Creates a template and has the simulator approve it: its id. */
static const char *
approved(const char *name)
{
	struct wa_graph_res	res;
	const char		*id;

	assert_int_equal(wa_graph_template_create(&r, &ga,
	    tpl(name, "Your order {{1}} is confirmed."), &res), WA_GRAPH_OK);
	id = wa_arena_strdup(r.arena, wa_json_str(res.body, "id"));
	ctl("POST", wa_arena_printf(r.arena, "/_sim/templates/%s/review", id),
	    "{\"status\":\"APPROVED\"}");
	return id;
}

/* ---- operations ---------------------------------------------------------- */

static void
test_templates(void **state)
{
	struct wa_graph_tpl_query	 q;
	struct wa_graph_res		 res;
	const cJSON			*data, *t;
	const char			*id;
	cJSON				*edit;

	(void)state;
	assert_int_equal(wa_graph_template_create(&r, &ga,
	    tpl("order_confirmation", "Your order {{1}} is confirmed."), &res),
	    WA_GRAPH_OK);
	assert_string_equal(wa_json_str(res.body, "status"), "PENDING");
	assert_string_equal(wa_json_str(res.body, "category"), "UTILITY");
	id = wa_arena_strdup(r.arena, wa_json_str(res.body, "id"));
	assert_true(wa_account_valid_meta_id(id));

	assert_int_equal(wa_graph_templates_list(&r, &ga, NULL, &res),
	    WA_GRAPH_OK);
	data = cJSON_GetObjectItemCaseSensitive(res.body, "data");
	assert_int_equal(cJSON_GetArraySize(data), 1);
	t = data->child;
	assert_string_equal(wa_json_str(t, "name"), "order_confirmation");
	assert_string_equal(wa_json_str(t, "status"), "PENDING");
	assert_true(cJSON_IsArray(cJSON_GetObjectItem(t, "components")));

	/* PENDING cannot be edited: Meta's rule, typed as state */
	edit = J("{\"components\":[{\"type\":\"BODY\",\"text\":"
	    "\"Updated {{1}}\",\"example\":{\"body_text\":[[\"x\"]]}}]}");
	id = wa_arena_strdup(r.arena, wa_json_str(t, "id"));
	assert_int_equal(wa_graph_template_edit(&r, &ga, id, edit, &res),
	    WA_GRAPH_META);
	assert_int_equal(res.err.code, 100);
	assert_int_equal(res.rule->err, WA_ERR_META_REFUSED);

	ctl("POST", wa_arena_printf(r.arena, "/_sim/templates/%s/review", id),
	    "{\"status\":\"APPROVED\"}");
	memset(&q, 0, sizeof(q));
	q.status = "APPROVED";
	assert_int_equal(wa_graph_templates_list(&r, &ga, &q, &res),
	    WA_GRAPH_OK);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(res.body,
	    "data")), 1);
	assert_int_equal(wa_graph_template_get(&r, &ga, id, "id,status",
	    &res), WA_GRAPH_OK);
	assert_string_equal(wa_json_str(res.body, "status"), "APPROVED");
	assert_int_equal(wa_graph_template_edit(&r, &ga, id, edit, &res),
	    WA_GRAPH_OK);
	assert_int_equal(wa_graph_template_get(&r, &ga, id, NULL, &res),
	    WA_GRAPH_OK);
	assert_string_equal(wa_json_str(res.body, "status"), "PENDING");

	/* same name and language: Meta's 100/2388024, a conflict */
	assert_int_equal(wa_graph_template_create(&r, &ga,
	    tpl("order_confirmation", "Again {{1}}."), &res), WA_GRAPH_META);
	assert_int_equal(res.err.subcode, 2388024);
	assert_int_equal(res.rule->err, WA_ERR_CONFLICT);
	/* a name Meta refuses */
	assert_int_equal(wa_graph_template_create(&r, &ga,
	    tpl("Order", "x {{1}}"), &res), WA_GRAPH_META);
	assert_int_equal(res.rule->err, WA_ERR_META_INVALID);

	assert_int_equal(wa_graph_template_delete(&r, &ga,
	    "order_confirmation", NULL, &res), WA_GRAPH_OK);
	assert_int_equal(wa_graph_template_delete(&r, &ga,
	    "order_confirmation", NULL, &res), WA_GRAPH_META);
	assert_int_equal(wa_graph_templates_list(&r, &ga, NULL, &res),
	    WA_GRAPH_OK);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(res.body,
	    "data")), 0);
	/* ids that could leave the path are refused before any call */
	assert_int_equal(wa_graph_template_get(&r, &ga, "../x", NULL, &res),
	    WA_GRAPH_CONFIG);
}

/* More templates than one page: the client follows the cursor. */
static void
test_template_pages(void **state)
{
	struct wa_graph_res	res;
	const cJSON		*reqs, *it;
	int			i, afters = 0;

	(void)state;
	for (i = 0; i < WA_GRAPH_PAGE_LIMIT + 20; i++)
		assert_int_equal(wa_graph_template_create(&r, &ga, tpl(
		    wa_arena_printf(r.arena, "t_%03d", i), "T {{1}}"), &res),
		    WA_GRAPH_OK);
	assert_int_equal(wa_graph_templates_list(&r, &ga, NULL, &res),
	    WA_GRAPH_OK);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(res.body,
	    "data")), WA_GRAPH_PAGE_LIMIT + 20);
	reqs = received("message_templates?fields");
	cJSON_ArrayForEach(it, reqs)
		if (strstr(wa_json_str(it, "path"), "after=") != NULL)
			afters++;
	assert_int_equal(afters, 1);
}

/* An unlinked temporary file holding buf, at offset 0. */
static int
fd_of(const void *buf, size_t len)
{
	char	path[] = "/tmp/wagate-test-XXXXXX";
	int	fd;

	fd = mkstemp(path);
	assert_true(fd >= 0);
	unlink(path);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	return fd;
}

/* A medium Meta holds: its URL and type, then its bytes into a file,
 * not memory; a limit below its size stops the download. */
static void
media_fetch(const char *media)
{
	struct wa_graph_res	res;
	struct wa_graph_media	info;
	char			buf[16];
	size_t			size;
	int			fd;

	assert_int_equal(wa_graph_media_info(&r, &ga, media, &res, &info),
	    WA_GRAPH_OK);
	assert_string_equal(info.mime_type, "image/png");
	assert_int_equal(info.file_size, 8);
	fd = fd_of("", 0);
	assert_int_equal(wa_graph_media_download(&r, &ga, info.url, fd, 100,
	    &res, &size), WA_GRAPH_OK);
	assert_int_equal(size, 8);
	assert_int_equal(pread(fd, buf, sizeof(buf), 0), 8);
	assert_memory_equal(buf, "\x89PNG\r\n\x1a\n", 8);
	assert_int_equal(wa_graph_media_download(&r, &ga, info.url, fd, 4,
	    &res, &size), WA_GRAPH_TOO_LARGE);
	close(fd);
	/* an id that is not a medium: no url, not one */
	assert_int_not_equal(wa_graph_media_info(&r, &ga, "999999", &res,
	    &info), WA_GRAPH_OK);
}

static void
test_send(void **state)
{
	struct wa_graph_msg	 m;
	struct wa_graph_res	 res;
	struct wa_graph_sent	 sent;
	const char		*media;
	const cJSON		*reqs, *last, *it;
	cJSON			*body;

	(void)state;
	memset(&m, 0, sizeof(m));
	m.type = WA_GRAPH_MSG_TEXT;
	m.to = "+16505551234";
	m.text = "Hello from wagate";
	assert_int_equal(wa_graph_send(&r, &ga, &m, &res, &sent),
	    WA_GRAPH_OK);
	assert_int_equal(strncmp(sent.wamid, "wamid.", 6), 0);
	assert_string_equal(sent.wa_id, "16505551234");
	assert_string_equal(sent.input, "+16505551234");
	/* what went over the wire is the body of §4.2 */
	reqs = received("/messages");
	last = cJSON_GetArrayItem(reqs, cJSON_GetArraySize(reqs) - 1);
	body = J(wa_json_str(last, "body"));
	assert_string_equal(wa_json_str(body, "messaging_product"),
	    "whatsapp");
	assert_string_equal(wa_json_str(cJSON_GetObjectItem(body, "text"),
	    "body"), "Hello from wagate");
	assert_non_null(strstr(wa_json_str(last, "auth"), "Bearer:"));

	/* a reply: context.message_id */
	m.reply_to = wa_arena_strdup(r.arena, sent.wamid);
	assert_int_equal(wa_graph_send(&r, &ga, &m, &res, &sent),
	    WA_GRAPH_OK);

	/* a template with components; then one that does not exist */
	approved("order_update");
	memset(&m, 0, sizeof(m));
	m.type = WA_GRAPH_MSG_TEMPLATE;
	m.to = "+16505551234";
	m.tpl_name = "order_update";
	m.tpl_language = "en_US";
	m.tpl_components = J("[{\"type\":\"body\",\"parameters\":"
	    "[{\"type\":\"text\",\"text\":\"A-17\"}]}]");
	assert_int_equal(wa_graph_send(&r, &ga, &m, &res, &sent),
	    WA_GRAPH_OK);
	assert_string_equal(sent.message_status, "accepted");
	m.tpl_components = NULL;	/* one parameter short */
	assert_int_equal(wa_graph_send(&r, &ga, &m, &res, &sent),
	    WA_GRAPH_META);
	assert_int_equal(res.err.code, 132000);
	m.tpl_name = "nope";
	assert_int_equal(wa_graph_send(&r, &ga, &m, &res, &sent),
	    WA_GRAPH_META);
	assert_int_equal(res.err.code, 132001);
	assert_int_equal(res.rule->err, WA_ERR_NOT_FOUND);
	assert_non_null(strstr(res.err.details, "does not exist in en_US"));

	/* media: upload, then send by id; and by link */
	assert_int_equal(wa_graph_media_upload(&r, &ga, "image/png",
	    "dot.png", "\x89PNG\r\n\x1a\n", 8, &res, &media), WA_GRAPH_OK);
	media_fetch(media);
	memset(&m, 0, sizeof(m));
	m.type = WA_GRAPH_MSG_IMAGE;
	m.to = "16505551234";
	m.media_id = media;
	m.caption = "Receipt";
	assert_int_equal(wa_graph_send(&r, &ga, &m, &res, &sent),
	    WA_GRAPH_OK);
	m.type = WA_GRAPH_MSG_DOCUMENT;
	m.media_id = NULL;
	m.media_link = "https://example.com/invoice.pdf";
	m.filename = "invoice.pdf";
	assert_int_equal(wa_graph_send(&r, &ga, &m, &res, &sent),
	    WA_GRAPH_OK);
	/* a media id Meta does not have */
	m.media_link = NULL;
	m.media_id = "999999";
	assert_int_equal(wa_graph_send(&r, &ga, &m, &res, &sent),
	    WA_GRAPH_META);
	assert_int_equal(res.err.code, 131009);
	/* to ourselves: 131021 */
	memset(&m, 0, sizeof(m));
	m.to = "+15550100001";
	m.text = "me";
	assert_int_equal(wa_graph_send(&r, &ga, &m, &res, &sent),
	    WA_GRAPH_META);
	assert_int_equal(res.err.code, 131021);
	/* a message the client can refuse itself costs no request */
	m.text = "";
	assert_int_equal(wa_graph_send(&r, &ga, &m, &res, &sent),
	    WA_GRAPH_CONFIG);
	it = received("/messages");
	assert_int_equal(cJSON_GetArraySize(it), 9);
}

static void
test_profile_and_upload(void **state)
{
	struct wa_graph_res	 res;
	const cJSON		*p;
	const char		*session, *handle;
	size_t			 off;
	cJSON			*upd;
	char			 jpg[3000];
	int			 fd;

	(void)state;
	assert_int_equal(wa_graph_profile_get(&r, &ga, &res, &p),
	    WA_GRAPH_OK);
	assert_string_equal(wa_json_str(p, "about"),
	    "Hey there! I am using WhatsApp.");
	/* the resumable upload: session, offset, bytes, handle */
	memset(jpg, 0xab, sizeof(jpg));
	assert_int_equal(wa_graph_upload_start(&r, &ga, "logo.jpg",
	    sizeof(jpg), "image/jpeg", &res, &session), WA_GRAPH_OK);
	assert_true(wa_graph_valid_session(session));
	assert_int_equal(wa_graph_upload_offset(&r, &ga, session, &res,
	    &off), WA_GRAPH_OK);
	assert_int_equal(off, 0);
	assert_int_equal(wa_graph_upload_send(&r, &ga, session, 0, jpg,
	    sizeof(jpg), &res, &handle), WA_GRAPH_OK);
	assert_int_equal(strncmp(handle, "4::", 3), 0);
	/* the bytes went with "OAuth" and the file_offset header */
	p = cJSON_GetArrayItem(received("upload:"), 1);
	assert_string_equal(wa_json_str(p, "method"), "POST");
	assert_non_null(strstr(wa_json_str(p, "auth"), "OAuth:"));
	assert_string_equal(wa_json_str(p, "extra"), "file_offset=0");
	assert_int_equal(wa_graph_upload_offset(&r, &ga, session, &res,
	    &off), WA_GRAPH_OK);
	assert_int_equal(off, sizeof(jpg));
	/* from a file, resumed: the first 1000 bytes, then the rest from
	 * the offset Meta reports, read from the file as they are sent */
	assert_int_equal(wa_graph_upload_start(&r, &ga, "logo.jpg",
	    sizeof(jpg), "image/jpeg", &res, &session), WA_GRAPH_OK);
	assert_int_equal(wa_graph_upload_send(&r, &ga, session, 0, jpg,
	    1000, &res, &handle), WA_GRAPH_MALFORMED);	/* not complete */
	fd = fd_of(jpg, sizeof(jpg));
	assert_int_equal(wa_graph_upload_offset(&r, &ga, session, &res,
	    &off), WA_GRAPH_OK);
	assert_int_equal(off, 1000);
	assert_int_equal(wa_graph_upload_send_fd(&r, &ga, session, off, fd,
	    sizeof(jpg), &res, &handle), WA_GRAPH_OK);
	assert_int_equal(strncmp(handle, "4::", 3), 0);
	assert_int_equal(lseek(fd, 0, SEEK_CUR), 0);	/* pread only */
	close(fd);
	/* an unknown type is Meta's 100 */
	assert_int_equal(wa_graph_upload_start(&r, &ga, "x.gif", 10,
	    "image/gif", &res, &session), WA_GRAPH_META);

	upd = J(wa_arena_printf(r.arena, "{\"about\":\"Succulent "
	    "specialists!\",\"vertical\":\"RETAIL\",\"websites\":["
	    "\"https://www.luckyshrub.com/\"],\"profile_picture_handle\":"
	    "\"%s\"}", handle));
	assert_int_equal(wa_graph_profile_update(&r, &ga, upd, &res),
	    WA_GRAPH_OK);
	assert_int_equal(wa_graph_profile_get(&r, &ga, &res, &p),
	    WA_GRAPH_OK);
	assert_string_equal(wa_json_str(p, "about"), "Succulent specialists!");
	assert_string_equal(wa_json_str(p, "vertical"), "RETAIL");
	/* the picture is served where the profile says */
	assert_int_equal(fetch_size(wa_json_str(p, "profile_picture_url")),
	    sizeof(jpg));
	/* Meta's limits: about is 1-139 characters */
	upd = J("{\"about\":\"\"}");
	assert_int_equal(wa_graph_profile_update(&r, &ga, upd, &res),
	    WA_GRAPH_META);
	assert_int_equal(res.rule->err, WA_ERR_META_INVALID);
}

static void
test_phone_code(void **state)
{
	struct wa_graph_res	 res;
	const char		*code;

	(void)state;
	assert_int_equal(wa_graph_verify_code(&r, &ga, "123456", &res),
	    WA_GRAPH_META);	/* none requested */
	assert_int_equal(res.err.code, 136025);
	assert_int_equal(wa_graph_request_code(&r, &ga, "SMS", "en_US",
	    &res), WA_GRAPH_OK);
	code = wa_json_str(ctl("GET", "/_sim/phones/" PHONE, NULL), "code");
	assert_non_null(code);
	assert_int_equal(strlen(code), 6);
	assert_int_equal(wa_graph_verify_code(&r, &ga, "000000", &res),
	    WA_GRAPH_META);
	assert_int_equal(res.rule->err, WA_ERR_META_INVALID);
	assert_int_equal(wa_graph_verify_code(&r, &ga, code, &res),
	    WA_GRAPH_OK);
	assert_int_equal(wa_graph_request_code(&r, &ga, "PIGEON", "en_US",
	    &res), WA_GRAPH_META);
}

/* What a token reaches: (waba, phone, token) through the client. */
static enum wa_graph_status
check(const char *waba, const char *phone, const char *token,
    struct wa_graph_res *res, struct wa_graph_number *n)
{
	struct wa_graph_acct	a;

	memset(&a, 0, sizeof(a));
	a.waba_id = waba;
	a.phone_number_id = phone;
	a.token = token;
	return wa_graph_number_check(&r, &a, res, n);
}

/* Meta's permission error (contract §11 item 2), on the step given. */
static void
refused(enum wa_graph_status st, const struct wa_graph_res *res,
    const struct wa_graph_number *n, enum wa_graph_check_step step)
{
	assert_int_equal(st, WA_GRAPH_META);
	assert_int_equal(res->err.code, 200);
	assert_int_equal(res->rule->err, WA_ERR_META_AUTH);
	assert_int_equal(n->step, step);
	assert_int_equal(n->in_waba, 0);
}

#define WABA2	"200000000000002"
#define PHONE2	"300000000000002"
#define TOKEN2	"sim-other-token"

static void
test_number_check(void **state)
{
	struct wa_graph_res	res;
	struct wa_graph_number	n;
	cJSON			*req;

	(void)state;
	ctl("POST", "/_sim/accounts", "{\"waba_id\":\"" WABA2 "\","
	    "\"phone_number_id\":\"" PHONE2 "\",\"token\":\"" TOKEN2 "\"}");
	/* the token's own: the number answers and its WABA lists it */
	assert_int_equal(check(WABA, PHONE, TOKEN, &res, &n), WA_GRAPH_OK);
	assert_int_equal(n.in_waba, 1);
	assert_int_equal(n.step, WA_GRAPH_CHECK_WABA);
	assert_string_equal(n.display_phone_number, "+15550100001");
	assert_string_equal(n.code_verification_status, "VERIFIED");
	assert_string_equal(n.status, "CONNECTED");
	req = cJSON_GetArrayItem(received("/" PHONE), 0);
	assert_non_null(strstr(wa_json_str(req, "path"),
	    "fields=id,display_phone_number"));
	assert_non_null(strstr(wa_json_str(cJSON_GetArrayItem(
	    received("/" WABA "/phone_numbers"), 0), "path"), "limit=100"));
	/* another token's number, or its WABA: Meta's 200 */
	refused(check(WABA, PHONE2, TOKEN, &res, &n), &res, &n,
	    WA_GRAPH_CHECK_NUMBER);
	refused(check(WABA2, PHONE, TOKEN, &res, &n), &res, &n,
	    WA_GRAPH_CHECK_WABA);
	/* a token that covers both WABAs: the number is not in this one */
	ctl("POST", "/_sim/accounts", "{\"waba_id\":\"" WABA "\","
	    "\"token\":\"" TOKEN2 "\"}");
	assert_int_equal(check(WABA, PHONE2, TOKEN2, &res, &n), WA_GRAPH_OK);
	assert_int_equal(n.in_waba, 0);
	assert_int_equal(check(WABA, PHONE, TOKEN2, &res, &n), WA_GRAPH_OK);
	assert_int_equal(n.in_waba, 1);
	/* ... and the first token still reaches its own */
	assert_int_equal(check(WABA, PHONE, TOKEN, &res, &n), WA_GRAPH_OK);
	/* a WABA alone: the listing proves it */
	assert_int_equal(check(WABA, NULL, TOKEN, &res, &n), WA_GRAPH_OK);
	assert_int_equal(n.step, WA_GRAPH_CHECK_WABA);
	refused(check(WABA2, NULL, TOKEN, &res, &n), &res, &n,
	    WA_GRAPH_CHECK_WABA);
	/* ids that cannot go into a path: refused before any call */
	assert_int_equal(check("../x", PHONE, TOKEN, &res, &n),
	    WA_GRAPH_CONFIG);
	assert_int_equal(check(WABA, "1/2", TOKEN, &res, &n),
	    WA_GRAPH_CONFIG);
}

/* The sandbox's auto-provisioning: a new token gets new ids, never
 * ids another token holds. */
static void
test_number_check_sandbox(void **state)
{
	struct wa_graph_res	res;
	struct wa_graph_number	n;

	(void)state;
	assert_int_equal(check("200000000000077", "300000000000077",
	    "fresh-token", &res, &n), WA_GRAPH_OK);
	assert_int_equal(n.in_waba, 1);
	assert_non_null(n.display_phone_number);
	/* the same again: still its own */
	assert_int_equal(check("200000000000077", "300000000000077",
	    "fresh-token", &res, &n), WA_GRAPH_OK);
	assert_int_equal(n.in_waba, 1);
	/* another new token on those ids, or on the registered ones */
	refused(check("200000000000077", "300000000000077", "late-token",
	    &res, &n), &res, &n, WA_GRAPH_CHECK_NUMBER);
	refused(check(WABA, PHONE, "late-token", &res, &n), &res, &n,
	    WA_GRAPH_CHECK_NUMBER);
	refused(check(WABA, "300000000000078", "late-token", &res, &n),
	    &res, &n, WA_GRAPH_CHECK_WABA);
	refused(check("200000000000078", PHONE, "late-token", &res, &n),
	    &res, &n, WA_GRAPH_CHECK_NUMBER);
	/* a new number of the token's own WABA joins it */
	assert_int_equal(check(WABA, "300000000000079", TOKEN, &res, &n),
	    WA_GRAPH_OK);
	assert_int_equal(n.in_waba, 1);
	/* without auto-provisioning an unknown number is 100/33 */
	ctl("POST", "/_sim/config", "{\"auto_provision\":false}");
	assert_int_equal(check(WABA, "300000000000080", TOKEN, &res, &n),
	    WA_GRAPH_META);
	assert_int_equal(res.err.code, 100);
	assert_int_equal(res.err.subcode, 33);
	assert_int_equal(n.step, WA_GRAPH_CHECK_NUMBER);
	assert_int_equal(check(WABA, PHONE, "unheard-of", &res, &n),
	    WA_GRAPH_META);
	assert_int_equal(res.err.code, 190);
	/* Meta in trouble is not a refusal */
	ctl("POST", "/_sim/config", "{\"auto_provision\":true}");
	fault("{\"path\":\"/*/phone_numbers\",\"code\":2}");
	assert_int_equal(check(WABA, PHONE, TOKEN, &res, &n), WA_GRAPH_META);
	assert_int_equal(n.step, WA_GRAPH_CHECK_WABA);
	assert_int_equal(res.rule->err, WA_ERR_META_UNAVAILABLE);
	ctl("DELETE", "/_sim/faults", NULL);
}

/* lib/accounts.c's proof of a number, on the client above: what each
 * refusal says, and Meta unavailable is not a refusal. */
static void
test_account_prove(void **state)
{
	static const struct {
		const char	*waba, *phone, *token;
		enum wa_err	 want;
		const char	*says;
	} cases[] = {
		{ WABA, PHONE, TOKEN, WA_OK, NULL },
		{ WABA, NULL, TOKEN, WA_OK, NULL },
		{ WABA, PHONE2, TOKEN, WA_ERR_NUMBER_UNPROVEN,
		    "cannot reach WhatsApp phone number " PHONE2 " at Meta" },
		{ WABA2, PHONE, TOKEN, WA_ERR_NUMBER_UNPROVEN,
		    "cannot reach WhatsApp Business Account " WABA2
		    " at Meta" },
		{ WABA2, NULL, TOKEN, WA_ERR_NUMBER_UNPROVEN,
		    "cannot reach WhatsApp Business Account " WABA2 },
		{ WABA, PHONE2, TOKEN2, WA_ERR_NUMBER_UNPROVEN,
		    "WhatsApp phone number " PHONE2 " does not belong to "
		    "WhatsApp Business Account " WABA },
		{ WABA, PHONE, "revoked-token", WA_ERR_NUMBER_UNPROVEN,
		    "Malformed access token" },
	};
	struct wa_account_new	a;
	struct wa_account_proof	p;
	size_t			i;

	(void)state;
	ctl("POST", "/_sim/accounts", "{\"waba_id\":\"" WABA2 "\","
	    "\"phone_number_id\":\"" PHONE2 "\",\"token\":\"" TOKEN2 "\"}");
	ctl("POST", "/_sim/accounts", "{\"waba_id\":\"" WABA "\","
	    "\"token\":\"" TOKEN2 "\"}");
	ctl("POST", "/_sim/tokens", "{\"token\":\"revoked-token\","
	    "\"state\":\"invalid\"}");
	for (i = 0; i < NELEM(cases); i++) {
		memset(&a, 0, sizeof(a));
		a.waba_id = cases[i].waba;
		a.phone_number_id = cases[i].phone;
		a.access_token = cases[i].token;
		wa_req_clear_err(&r);
		if (wa_account_prove(&r, &a, &p) != cases[i].want)
			fail_msg("case %zu: got %d (%s)", i, r.err.code,
			    r.err.message);
		if (cases[i].says != NULL &&
		    strstr(r.err.message, cases[i].says) == NULL)
			fail_msg("case %zu: %s", i, r.err.message);
		/* the token never reaches a message */
		assert_null(strstr(r.err.message, cases[i].token));
		if (cases[i].want == WA_OK && cases[i].phone != NULL)
			assert_string_equal(p.display_phone_number,
			    "+15550100001");
		/* Meta's refusal comes along, in details.meta */
		if (cases[i].want != WA_OK &&
		    strstr(cases[i].says, "belong") == NULL)
			assert_non_null(r.err.details);
	}
	/* Meta unavailable: its own error, to be retried */
	wa_req_clear_err(&r);
	fault("{\"path\":\"/" PHONE "\",\"code\":2}");
	memset(&a, 0, sizeof(a));
	a.waba_id = WABA;
	a.phone_number_id = PHONE;
	a.access_token = TOKEN;
	assert_int_equal(wa_account_prove(&r, &a, &p),
	    WA_ERR_META_UNAVAILABLE);
	assert_int_equal(r.err.retry_after, 5);
	ctl("DELETE", "/_sim/faults", NULL);
}

/* ---- faults -------------------------------------------------------------- */

static enum wa_graph_status
send_text(struct wa_graph_res *res)
{
	struct wa_graph_msg	m;
	struct wa_graph_sent	s;

	memset(&m, 0, sizeof(m));
	m.to = "+16505551234";
	m.text = "hi";
	return wa_graph_send(&r, &ga, &m, res, &s);
}

static void
test_fault_rate_limit(void **state)
{
	struct wa_graph_res	res;
	int			i;

	(void)state;
	/* the same code under both status profiles: the same result */
	for (i = 0; i < 2; i++) {
		ctl("POST", "/_sim/config", i == 0 ?
		    "{\"status_profile\":\"classic\"}" :
		    "{\"status_profile\":\"documented\"}");
		fault("{\"path\":\"/*/messages\",\"code\":130429}");
		assert_int_equal(send_text(&res), WA_GRAPH_META);
		assert_int_equal(res.http_status, i == 0 ? 400 : 429);
		assert_int_equal(res.err.code, 130429);
		assert_int_equal(res.rule->err, WA_ERR_META_RATE_LIMITED);
		assert_int_equal(wa_graph_retry_delay(&res, 1), 1);
	}
	/* the simulator's own limits (§3): pair limit after the burst */
	ctl("POST", "/_sim/config", "{\"limits\":true,\"pair_burst\":2}");
	assert_int_equal(send_text(&res), WA_GRAPH_OK);
	assert_int_equal(send_text(&res), WA_GRAPH_OK);
	assert_int_equal(send_text(&res), WA_GRAPH_META);
	assert_int_equal(res.err.code, 131056);
	assert_int_equal(res.rule->retry, WA_GRAPH_RETRY_PAIR);
	/* the number's throughput: 1 message a second */
	ctl("POST", "/_sim/config", "{\"pair_burst\":45,\"mps\":1}");
	send_text(&res);
	assert_int_equal(send_text(&res), WA_GRAPH_META);
	assert_int_equal(res.err.code, 130429);
}

static void
test_fault_5xx(void **state)
{
	struct wa_graph_res	res;

	(void)state;
	fault("{\"path\":\"/*/message_templates\",\"status\":500,"
	    "\"code\":131000}");
	assert_int_equal(wa_graph_templates_list(&r, &ga, NULL, &res),
	    WA_GRAPH_META);
	assert_int_equal(res.http_status, 500);
	assert_int_equal(res.rule->err, WA_ERR_META_UNAVAILABLE);
	assert_true(res.err.transient);
	fault("{\"path\":\"/*/messages\",\"status\":503,\"code\":2}");
	assert_int_equal(send_text(&res), WA_GRAPH_META);
	assert_int_equal(res.http_status, 503);
	assert_int_equal(res.rule->retry, WA_GRAPH_RETRY);
	/* the fault is used up: the next call goes through */
	assert_int_equal(send_text(&res), WA_GRAPH_OK);
}

static void
test_fault_timeout(void **state)
{
	struct wa_graph_res	res;
	struct timespec		a, b;

	(void)state;
	/* slower than usual, within the budget: fine */
	fault("{\"path\":\"/*/messages\",\"latency_ms\":300}");
	assert_int_equal(send_text(&res), WA_GRAPH_OK);
	/* no answer within WA_GRAPH_TIMEOUT_MS (2 s here) */
	fault("{\"path\":\"/*/messages\",\"timeout\":true,"
	    "\"latency_ms\":4000}");
	clock_gettime(CLOCK_MONOTONIC, &a);
	assert_int_equal(send_text(&res), WA_GRAPH_TIMEOUT);
	clock_gettime(CLOCK_MONOTONIC, &b);
	assert_true(b.tv_sec - a.tv_sec < 4);
	assert_int_equal(res.rule->err, WA_ERR_UPSTREAM_TIMEOUT);
	assert_int_equal(res.http_status, 0);
}

static void
test_fault_dropped(void **state)
{
	struct wa_graph_res	res;

	(void)state;
	/* every time (libcurl may retry a reused connection that died
	 * before any byte came back once, on its own) */
	fault("{\"path\":\"/*/messages\",\"drop\":true,\"count\":-1}");
	assert_int_equal(send_text(&res), WA_GRAPH_DROPPED);
	assert_int_equal(res.rule->err, WA_ERR_UPSTREAM);
	assert_int_equal(res.http_status, 0);
	ctl("DELETE", "/_sim/faults", NULL);
	assert_int_equal(send_text(&res), WA_GRAPH_OK);
}

static void
test_fault_malformed(void **state)
{
	struct wa_graph_res	res;

	(void)state;
	fault("{\"path\":\"/*/message_templates\",\"malformed\":true}");
	assert_int_equal(wa_graph_templates_list(&r, &ga, NULL, &res),
	    WA_GRAPH_MALFORMED);
	assert_int_equal(res.http_status, 200);
	assert_int_equal(res.rule->err, WA_ERR_UPSTREAM);
	fault("{\"path\":\"/*/messages\",\"malformed\":true}");
	assert_int_equal(send_text(&res), WA_GRAPH_MALFORMED);
}

static void
test_fault_redirect(void **state)
{
	struct wa_graph_res	res;

	(void)state;
	fault("{\"path\":\"/*/whatsapp_business_profile\",\"redirect\":true}");
	{
		const cJSON	*p;

		assert_int_equal(wa_graph_profile_get(&r, &ga, &res, &p),
		    WA_GRAPH_REDIRECT);
	}
	assert_int_equal(res.http_status, 302);
	/* not followed: nothing asked for the new location */
	assert_int_equal(cJSON_GetArraySize(received("moved")), 0);
}

static void
test_fault_refused_and_token(void **state)
{
	struct wa_graph_res	 res;
	const char		*saved = cfg.graph_url;
	int			 dead = t_free_port();

	(void)state;
	cfg.graph_url = wa_arena_printf(r.arena, "http://127.0.0.1:%d/v23.0",
	    dead);
	assert_int_equal(send_text(&res), WA_GRAPH_REFUSED);
	assert_int_equal(res.rule->err, WA_ERR_UPSTREAM);
	cfg.graph_url = saved;
	/* an expired token: 190/463, the account's credential is bad */
	ctl("POST", "/_sim/tokens", "{\"token\":\"" TOKEN "\",\"state\":"
	    "\"expired\"}");
	assert_int_equal(send_text(&res), WA_GRAPH_META);
	assert_int_equal(res.http_status, 401);
	assert_int_equal(res.err.code, 190);
	assert_int_equal(res.err.subcode, 463);
	assert_int_equal(res.rule->err, WA_ERR_META_AUTH);
	/* a token that does not cover this WABA: Meta's permission
	 * error (contract §11 item 2) */
	ctl("POST", "/_sim/tokens", "{\"token\":\"" TOKEN "\",\"state\":"
	    "\"valid\"}");
	ga.token = "someone-else";
	assert_int_equal(wa_graph_templates_list(&r, &ga, NULL, &res),
	    WA_GRAPH_META);
	assert_int_equal(res.err.code, 200);
	assert_int_equal(res.http_status, 400);
	assert_int_equal(res.rule->err, WA_ERR_META_AUTH);
	assert_int_equal(send_text(&res), WA_GRAPH_META);
	assert_int_equal(res.err.code, 200);
	/* no token at all: refused before any call */
	ga.token = NULL;
	assert_int_equal(send_text(&res), WA_GRAPH_CONFIG);
}

static void
test_tls(void **state)
{
	struct wa_graph_res	 res;
	struct t_sim_cert	 tc;
	const char		*saved = cfg.graph_url;
	pid_t			 tls_pid;
	int			 tls_port;

	(void)state;
	assert_int_equal(t_sim_cert_make(&sim, &tc), 0);
	tls_port = t_free_port();
	assert_int_equal(t_sim_start(&sim, tls_port, tc.cert, tc.key,
	    &tls_pid), 0);
	cfg.graph_url = wa_arena_printf(r.arena, "https://localhost:%d/v23.0",
	    tls_port);
	/* the system store does not know our certificate: refused */
	assert_int_equal(send_text(&res), WA_GRAPH_TLS);
	assert_int_equal(res.rule->err, WA_ERR_UPSTREAM);
	/* with WA_GRAPH_CA_FILE it is trusted */
	cfg.graph_ca_file = tc.cert;
	assert_int_equal(send_text(&res), WA_GRAPH_OK);
	cfg.graph_url = saved;
	cfg.graph_ca_file = NULL;
	assert_int_equal(t_sim_stop(tls_pid), 0);
	t_sim_cert_remove(&sim, &tc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_templates, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_template_pages, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_send, setup, teardown),
		cmocka_unit_test_setup_teardown(test_profile_and_upload, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_phone_code, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_number_check, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_number_check_sandbox,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_account_prove, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_fault_rate_limit, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_fault_5xx, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_fault_timeout, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_fault_dropped, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_fault_malformed, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_fault_redirect, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_fault_refused_and_token,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_tls, setup, teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
