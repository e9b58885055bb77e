/*
 * graph: the one way wagate talks to Meta's Graph API (the WhatsApp
 * Cloud API, spec/meta-graph-contract.md), or to the bundled simulator
 * (scripts/metasim) that stands in for it.
 *
 * Transport: one libcurl easy handle per process, made on first use and
 * reused by every call, so connections stay open between requests
 * (keep-alive; HTTP/2 when a TLS server offers it).  A family worker
 * serves one request at a time, so the handle is never shared between
 * threads.  TLS peers are verified (WA_GRAPH_CA_FILE, else the system
 * store); redirects are never followed; a connection is bounded by
 * WA_GRAPH_CONNECT_TIMEOUT_MS and all the calls of one request together
 * by WA_GRAPH_TIMEOUT_MS; response bodies are capped at
 * WA_GRAPH_BODY_MAX.  Queue workers keep many sends in flight on one
 * libcurl multi handle instead (wa_graph_multi_*, below), built and
 * typed by the same code.
 *
 * Secrets: the access token of an account is opened into the request
 * arena (wa_graph_acct_open), travels only in the Authorization header
 * and never reaches a log line or an error body.
 *
 * Results are typed (enum wa_graph_status).  Meta's error object is
 * parsed into struct wa_graph_error, and one table (errors.c, from
 * the contract's catalogue §2.3) says for each error code whether a
 * retry can help, after how long, and which wagate error the caller's
 * client receives (wa_graph_fail).  Callers key every decision on the code,
 * never on the HTTP status (Meta's advice, contract §2.1).
 *
 * Memory: everything a call returns (bodies, strings) lives in the
 * request arena; cJSON must be routed to it (wa_json_use_arena).
 */
#ifndef WA_GRAPH_H
#define WA_GRAPH_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "err.h"
#include "req.h"

struct wa_account;
struct wa_cfg;

#define WA_GRAPH_BODY_MAX	(4u * 1024 * 1024)	/* response cap */
#define WA_GRAPH_TEMPLATES_MAX	6000	/* Meta's per-WABA ceiling */
#define WA_GRAPH_PAGE_LIMIT	100	/* templates per page asked for */
#define WA_GRAPH_TEXT_MAX	4096	/* text.body, characters */
#define WA_GRAPH_CAPTION_MAX	1024
#define WA_GRAPH_OPAQUE_MAX	512	/* biz_opaque_callback_data, bytes */
#define WA_GRAPH_MEDIA_MAX	(100u * 1024 * 1024)

enum wa_graph_status {
	WA_GRAPH_OK = 0,	/* 2xx with the JSON the operation expects */
	WA_GRAPH_META,		/* Meta's error object (err is filled) */
	WA_GRAPH_HTTP,		/* non-2xx without an error object */
	WA_GRAPH_REFUSED,	/* no connection: refused, unresolvable */
	WA_GRAPH_TIMEOUT,	/* connect or total timeout */
	WA_GRAPH_DROPPED,	/* connection lost before a full answer */
	WA_GRAPH_MALFORMED,	/* 2xx whose body is not what was expected */
	WA_GRAPH_REDIRECT,	/* 3xx: never followed */
	WA_GRAPH_TLS,		/* certificate or handshake failure */
	WA_GRAPH_TOO_LARGE,	/* body over WA_GRAPH_BODY_MAX */
	WA_GRAPH_CONFIG,	/* not configured for this call */
	WA_GRAPH__MAX
};

/* Meta's error object (contract §2.1); strings arena-owned or NULL. */
struct wa_graph_error {
	long		 code;		/* error.code; 0 if absent */
	long		 subcode;	/* error.error_subcode; 0 if absent */
	const char	*type;		/* "OAuthException" */
	const char	*message;	/* "(#130429) Rate limit hit" */
	const char	*details;	/* error.error_data.details */
	const char	*user_title;	/* error.error_user_title */
	const char	*user_msg;	/* error.error_user_msg */
	const char	*fbtrace_id;
	int		 transient;	/* error.is_transient */
};

/* How a failure may be retried. */
enum wa_graph_retry {
	WA_GRAPH_NO_RETRY = 0,	/* permanent for this request */
	WA_GRAPH_RETRY,		/* after after_s, then backing off */
	WA_GRAPH_RETRY_PAIR,	/* same recipient after 4^n s (131056) */
	WA_GRAPH_RETRY_LATER	/* only after the long wait after_s */
};

/*
 * What a failure concerns, for queue workers (wa_graph_outcome): whose
 * sends it stops.  docs/meta.md's error table has the column.
 */
enum wa_graph_scope {
	WA_GRAPH_SCOPE_MESSAGE = 0,	/* this message or recipient only */
	WA_GRAPH_SCOPE_TEMPLATE,	/* the template: every send of it */
	WA_GRAPH_SCOPE_ACCOUNT,		/* the account or number: its token,
					 * state, payment, policy block,
					 * maintenance; pause all its sends */
	WA_GRAPH_SCOPE_THROUGHPUT,	/* the number's rate (130429) or the
					 * app's or WABA's (4, 17, 80007) */
	WA_GRAPH_SCOPE_PAIR,		/* this recipient, later (131056) */
	WA_GRAPH_SCOPE_TRANSIENT	/* Meta or the network: retry */
};

/* One row of the table: codes code..code_max (code_max 0 = just code)
 * with subcode (0 = any). */
struct wa_graph_rule {
	long			 code;
	long			 code_max;
	long			 subcode;
	enum wa_graph_retry	 retry;
	int			 after_s;
	enum wa_graph_scope	 scope;
	enum wa_err		 err;
	const char		*message;	/* to wagate's own client */
};

struct wa_graph_res {
	enum wa_graph_status	 status;
	long			 http_status;	/* 0: no HTTP answer */
	cJSON			*body;		/* parsed body, or NULL */
	struct wa_graph_error	 err;		/* WA_GRAPH_META */
	const struct wa_graph_rule *rule;	/* set for every failure */
	const char		*detail;	/* transport detail, for logs */
	const char		*method;	/* of the last call, for logs */
	const char		*path;
};

/* Whom a call acts for: an account's ids and its opened token. */
struct wa_graph_acct {
	const char	*account_id;	/* wagate's, for logs; may be NULL */
	const char	*token;
	const char	*waba_id;
	const char	*phone_number_id;	/* NULL if none */
};

/* One part of a multipart/form-data body. */
struct wa_graph_part {
	const char	*name;
	const void	*data;
	size_t		 len;
	const char	*type;		/* MIME type of a file, or NULL */
	const char	*filename;	/* makes it a file part, or NULL */
};

/* A body read from a file as it is sent, never held in memory. */
struct wa_graph_file {
	int		 fd;
	size_t		 off;		/* first byte sent */
	size_t		 len;		/* bytes from off */
};

/* An answer written to a file as it arrives (a 2xx only; an error's
 * body is kept and typed as usual), at most max bytes. */
struct wa_graph_sink {
	int		 fd;
	size_t		 max;
};

/* A raw call; the operations below are built on it. */
struct wa_graph_call {
	const char		*method;	/* "GET", "POST", "DELETE" */
	const char		*path;		/* "/123/messages" */
	/* absolute URL instead of graph_url + path (a media download,
	 * where Meta's answer names it); http(s) only */
	const char		*url;
	const struct wa_graph_sink *sink;	/* answer to a file, or NULL */
	const struct wa_kv	*query;		/* values are escaped here */
	size_t			 nquery;
	const cJSON		*json;		/* JSON body, or NULL */
	const void		*body;		/* raw body, or NULL */
	size_t			 body_len;
	const char		*ctype;		/* of the raw or file body */
	const struct wa_graph_file *file;	/* file body, or NULL */
	const struct wa_graph_part *parts;	/* multipart body */
	size_t			 nparts;
	const char		*auth_scheme;	/* "Bearer" (NULL) or "OAuth" */
	const struct wa_kv	*headers;	/* extra request headers */
	size_t			 nheaders;
	int64_t			 deadline_us;	/* 0: wa_graph_deadline() */
};

/*
 * Opens account a for calls: its ids and its token (wa_account_token).
 * Records the failure on r and returns it.
 */
enum wa_err	wa_graph_acct_open(struct wa_req *, const struct wa_account *,
		    struct wa_graph_acct *);

/*
 * When the Graph calls of request r must be done: WA_GRAPH_TIMEOUT_MS
 * after the request started (after now when it has no start time), so
 * that two calls of one request cannot take twice the budget nginx
 * waits for.  Monotonic microseconds.
 */
int64_t		wa_graph_deadline(const struct wa_req *);

/*
 * Performs c against cfg->graph_url with acct's token and types the
 * answer into res (every member set; body parsed when it is JSON).
 * Returns res->status.  Records nothing on r: see wa_graph_fail().
 */
enum wa_graph_status wa_graph_call(struct wa_req *,
		    const struct wa_graph_acct *, const struct wa_graph_call *,
		    struct wa_graph_res *);

/*
 * Records a failed result on r as the table says: wagate error, a
 * message that names what Meta said, Meta's error in details.meta (or
 * the transport failure in details.upstream), Retry-After on 429 and
 * 503, and the log detail (code, subcode, fbtrace_id).  `what` names
 * the operation ("create the template").  Returns the recorded error.
 */
enum wa_err	wa_graph_fail(struct wa_req *, const struct wa_graph_res *,
		    const char *what);

/* Meta's error object of a body: 1 if body has one (out filled). */
int		wa_graph_parse_error(const cJSON *body,
		    struct wa_graph_error *out);

/* The table's row for Meta's error (never NULL: an unknown code gets a
 * catch-all row, retryable if Meta marked it transient), and the rows
 * for the other statuses. */
const struct wa_graph_rule *wa_graph_rule_for(const struct wa_graph_error *);
const struct wa_graph_rule *wa_graph_rule_status(enum wa_graph_status,
		    long http_status);
/* The whole table, for documentation and tests; ends with code 0. */
extern const struct wa_graph_rule wa_graph_rules[];

/* "timeout" for WA_GRAPH_TIMEOUT; "?" out of range. */
const char	*wa_graph_status_name(enum wa_graph_status);

/*
 * For queue workers: seconds to wait before attempt number `attempt`
 * (1 = the first retry) of a call that failed with res, or -1 when it
 * must not be retried.  Backs off exponentially from the table's
 * after_s; 131056 waits 4^(attempt-1) seconds as Meta asks.
 */
int		wa_graph_retry_delay(const struct wa_graph_res *, int attempt);

/* ---- message templates (contract §5) ------------------------------- */

struct wa_graph_tpl_query {
	const char	*name;		/* exact name, every language */
	const char	*status;	/* APPROVED, ... or NULL */
};

/* Every template of the WABA matching q, following the pages: body is
 * {"data": [...]} with all pages in order.  At most
 * WA_GRAPH_TEMPLATES_MAX items, within the request's budget. */
enum wa_graph_status wa_graph_templates_list(struct wa_req *,
		    const struct wa_graph_acct *,
		    const struct wa_graph_tpl_query *, struct wa_graph_res *);
/* POST /{waba}/message_templates with tpl; OK needs body.id. */
enum wa_graph_status wa_graph_template_create(struct wa_req *,
		    const struct wa_graph_acct *, const cJSON *tpl,
		    struct wa_graph_res *);
/* GET /{template-id}?fields=... (fields NULL: Meta's default). */
enum wa_graph_status wa_graph_template_get(struct wa_req *,
		    const struct wa_graph_acct *, const char *template_id,
		    const char *fields, struct wa_graph_res *);
/* POST /{template-id} with {components?, category?, ...}. */
enum wa_graph_status wa_graph_template_edit(struct wa_req *,
		    const struct wa_graph_acct *, const char *template_id,
		    const cJSON *edit, struct wa_graph_res *);
/* DELETE /{waba}/message_templates?name=[&hsm_id=]: every language of
 * the name, or just the template hsm_id. */
enum wa_graph_status wa_graph_template_delete(struct wa_req *,
		    const struct wa_graph_acct *, const char *name,
		    const char *hsm_id, struct wa_graph_res *);

/* Meta's template languages ("en_US", "pt_BR", "fil", ...). */
int		wa_graph_language_ok(const char *);

/*
 * Template rules Meta applies when a template is created or edited
 * (contract §5.2), shared by the templates family (before it calls
 * Meta) and the simulator (which answers like Meta):
 *   - name ^[a-z0-9_]+$, at most 512 (wagate's own rule is stricter:
 *     a letter first, wa_graph_tpl_name_ok(..., 1));
 *   - category AUTHENTICATION, MARKETING or UTILITY;
 *   - components: at most one each of HEADER, BODY, FOOTER, BUTTONS
 *     (type in either case), BODY required; text limits (header 60,
 *     body 1024, footer 60, button 25); positional {{n}} placeholders
 *     numbered from 1 without gaps, none in the footer, at most one in
 *     a text header and at the end of a URL; examples wherever there are
 *     placeholders and for media headers (header_handle); button limits
 *     (10 in all, 2 URL, 1 phone number); OTP buttons only, and
 *     required, in AUTHENTICATION templates.
 * Every problem is reported through cb with a dotted path
 * ("components[0].text"), a message ("must be at most 1024 characters")
 * and the subcode Meta uses for its class (100 errors).  handle_ok, if
 * not NULL, also checks each header_handle.  Returns the number of
 * problems.
 */
#define WA_GRAPH_TPL_NAME_MAX	512
#define WA_GRAPH_SUB_LENGTH	2388040	/* a text is too long */
#define WA_GRAPH_SUB_PARAMS	2388042	/* placeholders out of order */
#define WA_GRAPH_SUB_EXAMPLE	2388043	/* an example is missing */
#define WA_GRAPH_SUB_FORMAT	2388047	/* a component is malformed */
typedef void	(*wa_graph_tpl_cb)(void *ctx, const char *path,
		    const char *msg, long subcode);
int		wa_graph_tpl_check(const cJSON *components,
		    const char *category, int (*handle_ok)(const char *),
		    wa_graph_tpl_cb cb, void *ctx);
int		wa_graph_tpl_name_ok(const char *, int letter_first);
int		wa_graph_tpl_category_ok(const char *);
/* The highest n of positional {{n}} placeholders when they are exactly
 * 1..n (repeats allowed); 0 with none; -1 for anything else inside
 * {{ }} or a gap. */
int		wa_graph_placeholders(const char *text);

/* ---- messages (contract §4) ---------------------------------------- */

enum wa_graph_msg_type {
	WA_GRAPH_MSG_TEXT = 0,
	WA_GRAPH_MSG_TEMPLATE,
	WA_GRAPH_MSG_IMAGE,
	WA_GRAPH_MSG_VIDEO,
	WA_GRAPH_MSG_AUDIO,
	WA_GRAPH_MSG_DOCUMENT,
	WA_GRAPH_MSG_STICKER
};

struct wa_graph_msg {
	enum wa_graph_msg_type	 type;
	const char		*to;		/* "+16505551234" */
	const char		*reply_to;	/* wamid quoted, or NULL */
	const char		*opaque;	/* biz_opaque_callback_data */
	/* text */
	const char		*text;
	int			 preview_url;
	/* template */
	const char		*tpl_name;
	const char		*tpl_language;
	const cJSON		*tpl_components;	/* array or NULL */
	/* media: id or link, not both */
	const char		*media_id;
	const char		*media_link;
	const char		*caption;	/* image, video, document */
	const char		*filename;	/* document */
};

/* What Meta answered to a send (contract §4.3). */
struct wa_graph_sent {
	const char	*wamid;
	const char	*wa_id;
	const char	*input;
	const char	*message_status;	/* optional, or NULL */
};

/* The request body of m, or NULL with a reason in *why (static). */
cJSON		*wa_graph_msg_json(const struct wa_graph_msg *,
		    const char **why);
/* messages[0].id and contacts[0] of a send's answer: 0, or -1. */
int		wa_graph_parse_sent(const cJSON *body,
		    struct wa_graph_sent *out);
/* POST /{phone-number-id}/messages.  A message the client cannot
 * build is WA_GRAPH_CONFIG with the reason in res->detail. */
enum wa_graph_status wa_graph_send(struct wa_req *,
		    const struct wa_graph_acct *, const struct wa_graph_msg *,
		    struct wa_graph_res *, struct wa_graph_sent *out);

/* Marks the inbound message wamid read (Meta's read receipt: the
 * customer sees blue ticks), POST /{phone-number-id}/messages. */
enum wa_graph_status wa_graph_mark_read(struct wa_req *,
		    const struct wa_graph_acct *, const char *wamid,
		    struct wa_graph_res *);

/* What GET /{media-id} says of a medium (contract §8.2); strings are
 * arena-owned. */
struct wa_graph_media {
	const char	*url;		/* valid 5 minutes, needs the token */
	const char	*mime_type;
	const char	*sha256;	/* or NULL */
	size_t		 file_size;	/* 0 if Meta did not say */
};
enum wa_graph_status wa_graph_media_info(struct wa_req *,
		    const struct wa_graph_acct *, const char *media_id,
		    struct wa_graph_res *, struct wa_graph_media *out);
/* GET the medium's url with the token into fd, at most max bytes
 * (more: WA_GRAPH_TOO_LARGE); *size written. */
enum wa_graph_status wa_graph_media_download(struct wa_req *,
		    const struct wa_graph_acct *, const char *url, int fd,
		    size_t max, struct wa_graph_res *, size_t *size);

/* POST /{phone-number-id}/media (multipart): the new media id. */
enum wa_graph_status wa_graph_media_upload(struct wa_req *,
		    const struct wa_graph_acct *, const char *mime,
		    const char *filename, const void *data, size_t len,
		    struct wa_graph_res *, const char **media_id);

/* ---- many calls at once (multi.c) ----------------------------------- */

/*
 * For queue workers: calls in flight together on one libcurl multi
 * handle and its connection pool (keep-alive; HTTP/2 multiplexing where
 * the server offers it over TLS), no thread per call.  Each transfer
 * owns its memory (an arena of its own, released with
 * wa_graph_multi_release), so results outlive the caller's per-pass
 * arena.  Not for requests: a request calls wa_graph_send().
 *
 * One thread at a time, and only the process that made it: in a forked
 * child every send finishes at once as WA_GRAPH_CONFIG and the child
 * must make its own (the parent's connections are not touched).
 * Transfers and easy handles are pooled: the memory is bounded by
 * max_inflight transfers of at most WA_GRAPH_BODY_MAX each.  While
 * cJSON works for a transfer (building its body, parsing the answer)
 * its allocator points at the transfer's arena, and is put back to
 * whatever arena was current before (wa_json_arena).
 */
struct wa_graph_multi;

struct wa_graph_xfer {
	void			*udata;		/* as given */
	struct wa_graph_res	 res;		/* typed as wa_graph_call's */
	struct wa_graph_sent	 sent;		/* sends: messages[0].id ... */
	int			 written;	/* any byte of the request
						 * went out: a failure after it
						 * may still have been sent */
	int			 connects;	/* new connections this transfer
						 * opened (0: a pooled one) */
	int64_t			 started_us;	/* monotonic */
	int64_t			 done_us;
};

/* max_inflight bounds the transfers at once (and so the memory): a
 * finished transfer keeps its place until it is released.  cfg (its
 * Graph URL, CA file, connect timeout) must outlive the multi.  NULL
 * only when libcurl cannot start. */
struct wa_graph_multi *wa_graph_multi_new(const struct wa_cfg *,
		    size_t max_inflight);
/* Frees it and every transfer, released or not. */
void		wa_graph_multi_free(struct wa_graph_multi *);
/* Starts sending m for acct; strings are copied, timeout_ms bounds the
 * whole call (connect included; also the wait for a free connection).
 * 0; -1 when max_inflight transfers are in flight (nothing started).
 * A message the client cannot build finishes at once as
 * WA_GRAPH_CONFIG (res.detail says why) through wa_graph_multi_next(),
 * like any other.  The request goes out on the next poll. */
int		wa_graph_multi_send(struct wa_graph_multi *,
		    const struct wa_graph_acct *, const struct wa_graph_msg *,
		    int timeout_ms, void *udata);
/* Runs the transfers, waiting at most timeout_ms for progress (not at
 * all while finished transfers wait for wa_graph_multi_next); fd >= 0
 * also ends the wait when readable (the worker's LISTEN socket).
 * Returns the number still in flight. */
size_t		wa_graph_multi_poll(struct wa_graph_multi *, int timeout_ms,
		    int fd);
/* The next finished transfer (in the order they finished) or NULL;
 * release each one. */
struct wa_graph_xfer *wa_graph_multi_next(struct wa_graph_multi *);
void		wa_graph_multi_release(struct wa_graph_multi *,
		    struct wa_graph_xfer *);
/* Transfers started and not yet finished. */
size_t		wa_graph_multi_inflight(const struct wa_graph_multi *);

/* ---- what a queue worker does with a finished send (errors.c) ------- */

enum wa_graph_outcome {
	WA_GRAPH_O_SENT = 0,	/* accepted: sent.wamid */
	WA_GRAPH_O_RETRY,	/* not sent: try again after *delay_s */
	WA_GRAPH_O_SLOW,	/* throughput: retry after *delay_s, slow the
				 * number */
	WA_GRAPH_O_PAIR,	/* this recipient only, after *delay_s */
	WA_GRAPH_O_PAUSE,	/* the account: pause its sending (reason:
				 * res.rule->message); *delay_s > 0: may
				 * resume then, 0: when someone acts */
	WA_GRAPH_O_TEMPLATE,	/* the template: refresh wagate's copy, fail */
	WA_GRAPH_O_FAILED,	/* permanent for this message */
	WA_GRAPH_O_UNKNOWN,	/* may have been sent: never send blindly */
	WA_GRAPH_O__MAX
};

/* Tries of a transient failure (or 131056) before it is FAILED. */
#define WA_GRAPH_ATTEMPTS_MAX	8

/*
 * The outcome of send x, which was try number `attempt` (1 = the first)
 * of its message; *delay_s is when to try again (0 when not to):
 *   - Meta's error object means Meta answered and did not send: the
 *     row's scope decides (MESSAGE: FAILED, or RETRY for a row that
 *     allows one, like 131049 after a day; TEMPLATE; ACCOUNT: PAUSE;
 *     THROUGHPUT: SLOW; PAIR; TRANSIENT: RETRY);
 *   - no such object and x->written: a timeout, a dropped connection,
 *     HTTP 5xx, a malformed 2xx or one without messages[0].id may have
 *     been sent: UNKNOWN;
 *   - not written (refused, DNS, TLS handshake, connect timeout): what
 *     the row says, a transient one is RETRY;
 *   - HTTP 429 without Meta's object: SLOW; 401/403: PAUSE; a TLS
 *     failure or a redirect: PAUSE (the Graph URL or CA file is wrong);
 *     a message the client cannot build: FAILED.
 * Delays are wa_graph_retry_delay()'s (exponential from the row's
 * after_s; 4^(attempt-1) for 131056) with ±20% of jitter; PAUSE waits
 * the row's after_s (maintenance, spam limit) or 0.  A transient
 * failure or 131056 whose try number reaches WA_GRAPH_ATTEMPTS_MAX is
 * FAILED; SLOW has no such limit (pacing the number is the cure).
 */
enum wa_graph_outcome wa_graph_outcome(const struct wa_graph_xfer *,
		    int attempt, int *delay_s);
/* "sent", "retry", ...; "?" out of range. */
const char	*wa_graph_outcome_name(enum wa_graph_outcome);

/* ---- business profile (contract §6) -------------------------------- */

/* The profile object of a GET answer, flat under data[0], or nested in
 * data[0].business_profile (Meta's Postman form); NULL if neither. */
const cJSON	*wa_graph_parse_profile(const cJSON *body);
/* GET /{phone-number-id}/whatsapp_business_profile: *profile is the
 * flat object (about, address, ..., websites, vertical). */
enum wa_graph_status wa_graph_profile_get(struct wa_req *,
		    const struct wa_graph_acct *, struct wa_graph_res *,
		    const cJSON **profile);
/* POST the given fields (messaging_product is added). */
enum wa_graph_status wa_graph_profile_update(struct wa_req *,
		    const struct wa_graph_acct *, const cJSON *fields,
		    struct wa_graph_res *);

/* ---- resumable upload (contract §6.3) ------------------------------ */

/* "upload:<id>?sig=<sig>" as Meta hands it out: 1 if well-formed. */
int		wa_graph_valid_session(const char *);
/* POST /{app-id}/uploads (cfg->meta_app_id): the session id. */
enum wa_graph_status wa_graph_upload_start(struct wa_req *,
		    const struct wa_graph_acct *, const char *file_name,
		    size_t length, const char *file_type,
		    struct wa_graph_res *, const char **session);
/* POST the bytes from offset: the handle ("h") once complete. */
enum wa_graph_status wa_graph_upload_send(struct wa_req *,
		    const struct wa_graph_acct *, const char *session,
		    size_t offset, const void *data, size_t len,
		    struct wa_graph_res *, const char **handle);
/* The same from an open file of len bytes, read as it is sent. */
enum wa_graph_status wa_graph_upload_send_fd(struct wa_req *,
		    const struct wa_graph_acct *, const char *session,
		    size_t offset, int fd, size_t len,
		    struct wa_graph_res *, const char **handle);
/* GET the session: how many bytes Meta has, to resume from. */
enum wa_graph_status wa_graph_upload_offset(struct wa_req *,
		    const struct wa_graph_acct *, const char *session,
		    struct wa_graph_res *, size_t *offset);

/* ---- phone numbers: what a token reaches (contract §7.1, §7.2) ----- */

#define WA_GRAPH_NUMBERS_PAGES	20	/* pages of a WABA's numbers read */

/* Which call of wa_graph_number_check() answered last. */
enum wa_graph_check_step {
	WA_GRAPH_CHECK_NUMBER = 1,	/* GET /{phone-number-id} */
	WA_GRAPH_CHECK_WABA		/* GET /{waba-id}/phone_numbers */
};

/* What Meta said of a number; strings arena-owned or NULL. */
struct wa_graph_number {
	enum wa_graph_check_step step;
	const char	*display_phone_number;	/* as Meta writes it */
	const char	*verified_name;
	const char	*code_verification_status;
	const char	*status;		/* CONNECTED, ... */
	int		 in_waba;	/* listed among the WABA's numbers */
};

/*
 * Whether a's token reaches a's WABA and number at Meta, and whether
 * the number belongs to the WABA -- Meta's own way of saying so, in
 * two calls:
 *   1. GET /{phone-number-id}?fields=id,display_phone_number,... must
 *      answer that number (skipped when a has no phone_number_id);
 *   2. GET /{waba-id}/phone_numbers (following `after` cursors, at most
 *      WA_GRAPH_NUMBERS_PAGES pages of 100) must list it.  The listing
 *      needs the WABA's permission, so it also proves the token
 *      reaches the WABA.
 * The number is read first: a number that answers but is not listed
 * is in another WABA.  Returns the status of the last call (out->step
 * names it); OK with out->in_waba 0 means the number is not in the
 * WABA.  The caller turns a refusal into its own error
 * (lib/accounts.c).
 */
enum wa_graph_status wa_graph_number_check(struct wa_req *,
		    const struct wa_graph_acct *, struct wa_graph_res *,
		    struct wa_graph_number *out);

/*
 * The details wa_graph_fail() records for a failed result: {"meta":
 * Meta's error, "retryable": ...} or {"upstream": ..., "retryable":
 * ...}; for a caller that records an error of its own.
 */
cJSON		*wa_graph_fail_details(const struct wa_graph_res *);

/* ---- phone-number verification (contract §7.4, §7.5) -------------- */

/* method "SMS" or "VOICE"; language such as "en_US". */
enum wa_graph_status wa_graph_request_code(struct wa_req *,
		    const struct wa_graph_acct *, const char *method,
		    const char *language, struct wa_graph_res *);
enum wa_graph_status wa_graph_verify_code(struct wa_req *,
		    const struct wa_graph_acct *, const char *code,
		    struct wa_graph_res *);

/* ---- webhooks (contract §10.3) ------------------------------------- */

/* 1 if header is "sha256=" + the hex HMAC-SHA256 of body[0..len) under
 * secret (compared in constant time); 0 otherwise, also for NULL. */
int		wa_graph_signature_ok(const char *secret, const void *body,
		    size_t len, const char *header);

/*
 * The authentication of routes (route.h) that receive Meta's webhooks:
 * X-Hub-Signature-256 over the body exactly as it arrived, under
 * WA_META_APP_SECRET (401 missing or wrong, 503 when the secret is not
 * configured), before anything is parsed.  The hex digest may be in
 * either case.  No tenant: one delivery may concern several.
 */
extern const struct wa_authn wa_graph_signed;

#endif /* WA_GRAPH_H */
