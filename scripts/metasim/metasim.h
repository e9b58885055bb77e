/*
 * metasim: a local stand-in for Meta's Graph API (WhatsApp Cloud API)
 * and its webhooks, following spec/meta-graph-contract.md.  It keeps
 * real state per WABA and phone number, answers the endpoints wagate's
 * client (lib/graph/graph.h) uses, sends signed webhooks, and takes faults and
 * commands from tests through a control API under /_sim/.  docs/meta.md
 * describes it for users.
 *
 * Threads: libmicrohttpd's pool serves requests; one timer thread runs
 * scheduled events (template reviews, message statuses, delayed
 * answers, webhook retries); a few delivery threads POST webhooks.  All
 * state sits behind one mutex (sim.lock); nothing blocks while holding
 * it.  cJSON uses the C allocator here (the library's arena hooks are
 * never installed in this program).
 */
#ifndef METASIM_H
#define METASIM_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#define SIM_ID_MAX	64
#define SIM_BODY_MAX	(32u * 1024 * 1024)
#define SIM_LOG_MAX	2000	/* requests and deliveries remembered */
#define SIM_LOG_BODY	(64u * 1024)
#define SIM_TPL_MAX	250	/* templates per WABA (unverified) */
#define SIM_MAP_CAP	200000	/* entries in a cache-like map */
#define SIM_QUEUE_MAX	100000	/* webhooks waiting */
#define SIM_MEDIA_TOTAL	(256u * 1024 * 1024)
#define SIM_UPLOADS_MAX	256	/* resumable upload sessions kept */
#define SIM_SENDS_MAX	200000	/* send ledger entries (a ring) */
#define SIM_BATCH_MAX	1000	/* statuses in one webhook (§10.4) */
#define SIM_TELNYX_MAX	10000	/* the carrier's orders, and numbers */
#define SIM_STRIPE_MAX	10000	/* billing's sessions, subscriptions,
				 * events and idempotency keys, each */

/* ---- util.c ---------------------------------------------------------- */

/* Growable string; s is NUL-terminated and malloc'd. */
struct sbuf {
	char	*s;
	size_t	 len;
	size_t	 cap;
};

void	 sb_add(struct sbuf *, const void *, size_t);
void	 sb_adds(struct sbuf *, const char *);
void	 sb_addf(struct sbuf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
char	*sb_take(struct sbuf *);	/* the string; the buffer resets */

/* String-keyed hash map; values are owned by the caller. */
struct smap_ent {
	char		*key;
	void		*val;
	struct smap_ent	*next;
};
struct smap {
	struct smap_ent	**b;
	size_t		  nb;
	size_t		  n;
};
void	*smap_get(const struct smap *, const char *);
void	 smap_put(struct smap *, const char *, void *);
void	*smap_del(struct smap *, const char *);
/* Calls fn(val) for every entry and empties the map. */
void	 smap_clear(struct smap *, void (*fn)(void *));
/* Iteration: for (e = smap_first(m, &i); e; e = smap_next(m, e, &i)) */
struct smap_ent *smap_first(const struct smap *, size_t *);
struct smap_ent *smap_next(const struct smap *, struct smap_ent *, size_t *);
/* The values, sorted by cmp (of two pointers to values), in an array
 * of n + 1 (a NULL last); free() it. */
void	**smap_sorted(const struct smap *,
	    int (*cmp)(const void *, const void *));

int64_t	 now_ms(void);
char	*xstrdup(const char *);
void	*xcalloc(size_t, size_t);
/* n random decimal digits, first one 1-8 (stays under 2^53). */
void	 rand_digits(char *out, size_t n);
/* n random characters of [A-Za-z0-9_-]. */
void	 rand_token(char *out, size_t n);
/* "wamid." + base64 of random bytes. */
void	 new_wamid(char *out, size_t outsz);
/* Standard base64 of in[0..n), and back (-1 if not base64). */
char	*b64(const unsigned char *in, size_t n);
int	 b64dec(const char *in, unsigned char *out, size_t outsz);

/*
 * JSON the way Meta writes webhook bodies (contract §10.3): no spaces,
 * every non-ASCII character as \uXXXX with lowercase hex (surrogate
 * pairs above U+FFFF), "/" as "\/".  Integers print exactly.
 */
char	*meta_json(const cJSON *);
/* Plain compact JSON (cJSON's own printer). */
char	*plain_json(const cJSON *);

/* ---- config ---------------------------------------------------------- */

struct sim_config {
	int	 review_ms;	/* template review delay; 0 = by control */
	int	 status_delay_ms;	/* between sent, delivered, read */
	int	 statuses;	/* send status webhooks */
	int	 limits;	/* enforce throughput and pair limits */
	int	 mps;		/* messages per second per number */
	int	 pair_burst;	/* per recipient, refilled 1 per 6 s */
	int	 window;	/* 24-hour customer-service window */
	int	 auto_provision;	/* unknown ids and tokens appear */
	int	 documented;	/* status profile: 0 classic, 1 documented */
	int	 retry_base_ms;	/* webhook retry back-off base */
	int	 retry_max;	/* webhook attempts */
	int	 status_batch;	/* statuses gathered in one webhook */
	char	 webhook_url[512];
	char	 stripe_webhook_url[512];	/* billing's events */
};

/* ---- state ----------------------------------------------------------- */

struct sim_tpl {
	char	 id[24];
	char	*name;
	char	 lang[16];
	char	 category[16];
	char	 status[20];
	char	 reason[32];
	char	 format[12];	/* POSITIONAL or NAMED */
	cJSON	*components;
	int64_t	 created_ms;
	int64_t	 edit_ms[10];	/* last edits of an APPROVED template */
	int	 nedits;
	int	 ttl;		/* message_send_ttl_seconds, 0 = unset */
	struct sim_waba *waba;
};

struct sim_gone {	/* a deleted APPROVED name: not reusable for 30 days */
	char	*name;
	int64_t	 at_ms;
};

struct sim_waba {
	char		  id[SIM_ID_MAX + 1];
	struct sim_tpl	**tpls;
	size_t		  ntpls;
	size_t		  cap;
	struct sim_gone	 *gone;
	size_t		  ngone;
	int		  review_ms;	/* -1: the global setting */
	char		  ns[40];
};

struct sim_phone {
	char		 id[SIM_ID_MAX + 1];
	char		*token;		/* the one that provisioned it */
	struct sim_waba	*waba;		/* NULL until it is bound to one */
	char		 display[24];
	char		 verified_name[64];
	int		 registered;
	int		 verified;
	char		 code[8];
	int64_t		 code_expires_ms;
	cJSON		*profile;
	int		 mps;		/* throughput; 0: the global one */
	double		 bucket;
	int64_t		 bucket_ms;
	cJSON		*batch;		/* statuses gathered, or NULL */
	int		 nbatch;
	unsigned long	 batch_seq;	/* which batch a flush is for */
};

struct sim_media {
	char		 id[24];
	char		 phone[SIM_ID_MAX + 1];
	char		*mime;
	unsigned char	*data;
	size_t		 len;
	char		 sha256[65];
	char		 sig[24];
};

struct sim_upload {
	char		*session;
	char		*file_name;
	char		*type;
	size_t		 length;
	size_t		 offset;
	unsigned char	*data;
	char		*handle;
};

struct sim_msg {
	char	 wamid[80];
	char	 phone[SIM_ID_MAX + 1];
	char	 to[24];
	char	 category[24];
	int	 rank;		/* highest status sent: 1 sent .. 3 read */
	char	*opaque;	/* biz_opaque_callback_data, or NULL */
};

/* A recipient whose messages fail (POST /_sim/recipients). */
struct sim_fail {
	long	 code;
	int	 sync;		/* the send is refused, not a status */
};

struct sim_fault {
	int	 id;
	char	 method[8];	/* "" = any */
	char	 pattern[256];	/* fnmatch on the path without version */
	int	 status;	/* HTTP status of a Meta error, 0 = none */
	long	 code;
	long	 subcode;
	int	 latency_ms;
	int	 timeout;	/* hold the connection, then drop it */
	int	 drop;
	int	 malformed;
	int	 redirect;
	int	 count;		/* left; -1 = until removed */
	int	 hits;
};

struct sim_logent {
	unsigned long	 seq;
	int64_t		 at_ms;
	char		*method;
	char		*path;		/* with the query, token redacted */
	char		*body;
	char		*ctype;
	char		*auth;		/* scheme and token hash prefix */
	char		*extra;		/* file_offset header, ... */
	int		 status;
	char		*fault;
};

struct sim_hooklog {
	unsigned long	 seq;
	int64_t		 at_ms;
	char		*field;
	char		*body;
	char		*signature;
	int		 attempts;
	int		 last_status;
	int		 delivered;
	int		 dropped;
};

/* A webhook on its way; body is exactly what is signed and sent.  A
 * Stripe event goes to its own URL, signed anew at each attempt. */
struct sim_delivery {
	char		*body;
	size_t		 len;
	char		*signature;
	int		 attempts;
	unsigned long	 logseq;
	int		 stripe;
};

enum sim_ev_kind {
	EV_REVIEW = 1,		/* template review decision */
	EV_STATUS,		/* a message status webhook */
	EV_RESUME,		/* answer a held connection */
	EV_DELIVER,		/* (re)try a webhook */
	EV_FLUSH		/* send a number's gathered statuses */
};

struct sim_event {
	int64_t		 due_ms;
	enum sim_ev_kind kind;
	char		 a[96];		/* template id / wamid */
	char		 b[24];		/* status */
	long		 code;		/* failure code */
	void		*ptr;		/* connection / delivery */
};

/* The carrier's sandbox (telnyx.c): what its one account bought. */
struct sim_telnyx {
	char		 key[257];	/* the API key it accepts */
	struct smap	 owned;		/* E.164 -> number bought */
	struct smap	 ids;		/* its id -> the same number */
	struct smap	 orders;	/* id -> order */
	unsigned long	 seq;		/* orders ever made: their order */
	unsigned long	 norders;	/* orders since the reset */
	unsigned long	 nreleases;
};

/* The billing sandbox (stripe.c): its one account's objects. */
struct sim_stripe {
	char		 key[257];	/* the secret key it accepts */
	char		 webhook_secret[257];	/* signs its events */
	struct smap	 sessions;	/* cs_... -> Checkout Session */
	struct smap	 subs;		/* sub_... -> subscription */
	struct smap	 items;		/* si_... -> the same subscription */
	struct smap	 events;	/* evt_... -> event sent */
	struct smap	 idem;		/* Idempotency-Key -> answer */
	unsigned long	 seq;		/* objects ever made: their order */
};

struct sim {
	pthread_mutex_t	 lock;
	pthread_cond_t	 timer_cv;	/* events changed */
	pthread_cond_t	 work_cv;	/* deliveries ready */
	struct sim_config cfg;
	struct sim_config cfg0;		/* the start-up settings */
	char		 app_id[33];
	char		 app_secret[257];
	char		 verify_token[257];
	char		 base_url[128];	/* how clients reach us */
	char		 version[16];	/* echoed in paging URLs */
	char		 ca_file[512];	/* to verify the webhook URL */
	struct smap	 tokens;	/* token -> struct sim_token */
	struct smap	 wabas;
	struct smap	 phones;
	struct smap	 tpls;		/* id -> struct sim_tpl (in wabas) */
	struct smap	 media;
	struct smap	 uploads;
	struct smap	 handles;	/* upload handle -> upload */
	struct smap	 msgs;		/* wamid -> struct sim_msg */
	struct smap	 pairs;		/* "phone|wa_id" -> struct bucket */
	struct smap	 windows;	/* "phone|wa_id" -> int64 ms */
	struct smap	 fails;		/* wa_id -> struct sim_fail */
	size_t		 media_bytes;
	struct sim_fault *faults;
	size_t		 nfaults;
	int		 fault_seq;
	struct sim_logent reqlog[SIM_LOG_MAX];
	unsigned long	 reqseq;
	struct sim_hooklog hooklog[SIM_LOG_MAX];
	unsigned long	 hookseq;
	struct sim_event *heap;
	size_t		 nheap;
	size_t		 capheap;
	struct sim_delivery **ready;	/* due deliveries, a ring */
	size_t		 readyhead;
	size_t		 nready;
	size_t		 capready;
	size_t		 queued;	/* deliveries not yet done */
	unsigned long	 dropped;	/* webhooks given up or refused */
	unsigned long	 served;
	unsigned char	 ports[65536 / 8];	/* client ports seen */
	unsigned long	 connections;	/* distinct ones since reset */
	int		 stopping;
	unsigned long	 generation;	/* bumped by reset */
	struct sim_telnyx telnyx;
	struct sim_stripe stripe;
};

/*
 * A token and the WABAs it covers (contract §11 item 2): it reaches
 * those WABAs, their templates and their numbers, and nothing else.
 */
struct sim_token {
	int	  expired;
	int	  invalid;
	char	**wabas;	/* ids, in the order they were granted */
	size_t	  nwabas;
	size_t	  cap;
};

extern struct sim sim;

/* ---- state.c (caller holds sim.lock) --------------------------------- */

void	 state_init(void);
void	 state_reset(void);		/* everything but the config */
void	 state_free(void);
/* The token named, made (with no WABA) when create is set; NULL if
 * unknown or the map is full. */
struct sim_token *token_get(const char *tok, int create);
void	 token_free(void *);
/* Lets tok reach w (and w's numbers); idempotent. */
void	 token_grant(const char *tok, struct sim_waba *w);
/* 1 if tok covers w. */
int	 token_covers(const char *tok, const struct sim_waba *w);
/* 1 if tok reaches p: its WABA's tokens, or before p is bound to a
 * WABA, the token that provisioned it. */
int	 token_reaches(const char *tok, const struct sim_phone *p);
/* An id, made when create is set (and granted to token, for a WABA). */
struct sim_waba *waba_get(const char *id, const char *token, int create);
struct sim_phone *phone_get(const char *id, const char *token, int create);
/* The phone's WABA; an unbound phone is bound to the first WABA its
 * provisioning token covers, if any. */
struct sim_waba *phone_waba(struct sim_phone *);
struct sim_tpl	*tpl_find(struct sim_waba *, const char *name,
		    const char *lang);
void	 tpl_remove(struct sim_tpl *);
void	 tpl_free(void *);
void	 media_free(void *);
void	 upload_free(void *);
void	 msg_free(void *);
/* Frees what a log entry holds and zeroes it. */
void	 logent_clear(struct sim_logent *);
void	 hooklog_clear(struct sim_hooklog *);
/* Digits only of a phone number ("+1 555" -> "1555"). */
void	 digits_of(const char *in, char *out, size_t outsz);

/* ---- http.c ---------------------------------------------------------- */

struct skv {
	const char	*key;
	const char	*val;
};

/* One request as the handlers see it. */
struct sreq {
	const char	*method;
	char		*path;		/* without the version */
	char		*segs[8];
	int		 nsegs;
	struct skv	 query[32];
	int		 nquery;
	struct skv	 form[32];	/* x-www-form-urlencoded body */
	int		 nform;
	cJSON		*json;		/* JSON body object, or NULL */
	const char	*body;
	size_t		 len;
	const char	*ctype;
	const char	*token;		/* presented token, or NULL */
	const char	*auth_scheme;	/* "Bearer", "OAuth", "query" */
	const char	*file_offset;	/* header */
	void		*conn;		/* struct MHD_Connection */
	int		 telnyx;	/* under /telnyx/: the carrier's */
	int		 stripe;	/* under /stripe/: billing's */
};

struct sresp {
	int		 status;
	char		*body;		/* malloc'd */
	const char	*ctype;
	char		*location;
	int		 oauth;		/* add WWW-Authenticate */
	int		 drop;		/* close without an answer */
	int		 replayed;	/* Idempotent-Replayed: true */
};

/* A parameter from the JSON body, the form body or the query, in that
 * order; NULL if absent or not a string. */
const char	*param(const struct sreq *, const char *name);
const char	*query(const struct sreq *, const char *name);
const char	*header(const struct sreq *, const char *name);

void	 resp_json(struct sresp *, int status, cJSON *); /* takes it */
void	 resp_success(struct sresp *);
/* Meta's error object; status chosen by the status profile unless
 * http_status is given (> 0). */
void	 meta_error(struct sresp *, long code, long subcode,
	    const char *type, const char *title, const char *details,
	    const char *user_title, const char *user_msg);
void	 unknown_object(struct sresp *, const struct sreq *, const char *id);

/* one listener on "127.x.x.x:PORT" or "[::1]:PORT"; again for another */
int	 http_start(const char *addr, const char *cert, const char *key,
	    int threads);
void	 http_stop(void);
void	 http_resume(void *conn);

/* ---- graph.c, tpl.c: Meta's endpoints --------------------------------- */

void	 graph_route(struct sreq *, struct sresp *);	/* holds lock */
/* graph.c: what its routes share with send.c and media.c */
int	 method_is(const struct sreq *, const char *method);
void	 bad_param(struct sresp *, const char *details);
size_t	 nchars(const char *);		/* UTF-8 characters */
int	 token_ok(struct sreq *, struct sresp *);
void	 not_covered(struct sresp *, const char *what, const char *id);
unsigned client_port(const struct sreq *);
/* send.c */
void	 send_message(struct sreq *, struct sresp *, struct sim_phone *);
/* media.c */
void	 media_upload(struct sreq *, struct sresp *, struct sim_phone *);
void	 media_get(struct sreq *, struct sresp *, struct sim_media *);
void	 upload_start(struct sreq *, struct sresp *);
void	 upload_session(struct sreq *, struct sresp *);
void	 tpl_list(struct sreq *, struct sresp *, struct sim_waba *);
void	 tpl_create(struct sreq *, struct sresp *, struct sim_waba *);
void	 tpl_delete(struct sreq *, struct sresp *, struct sim_waba *);
void	 tpl_get(struct sreq *, struct sresp *, struct sim_tpl *);
void	 tpl_edit(struct sreq *, struct sresp *, struct sim_tpl *);
/* Decides a pending template now (status NULL: by the review rules). */
void	 tpl_review(struct sim_tpl *, const char *status, const char *reason);
cJSON	*tpl_json(const struct sim_tpl *, const char *fields);

/* ---- telnyx.c: the carrier's sandbox, /telnyx/v2/... (lock held) ----- */

void	 telnyx_route(struct sreq *, struct sresp *);
/* Telnyx's error body: {"errors": [{code, title, detail, source}]}. */
void	 telnyx_error(struct sresp *, int status, const char *code,
	    const char *title, const char *detail, const char *pointer);
/* An injected fault's answer (status 0: 500; code 0: by the status). */
void	 telnyx_fault(struct sresp *, int status, long code);
/* GET /_sim/telnyx (DELETE: after a reset). */
void	 telnyx_ctl(struct sreq *, struct sresp *);
void	 telnyx_reset(void);		/* the carrier's state, not its key */

/* ---- stripe.c: the billing sandbox, /stripe/... (lock held) ---------- */

/* /stripe/v1/... (Stripe's API) and /stripe/pay/{session} (its page) */
void	 stripe_route(struct sreq *, struct sresp *);
/* Stripe's error body: {"error": {type, code, message, param}}. */
void	 stripe_error(struct sresp *, int status, const char *type,
	    const char *code, const char *message, const char *param);
/* An injected fault's answer (status 0: 500). */
void	 stripe_fault(struct sresp *, int status);
/* GET and DELETE /_sim/stripe, POST /_sim/stripe/fail/{subscription},
 * POST /_sim/stripe/resend/{event}: segs after "stripe", n of them. */
void	 stripe_ctl(struct sreq *, struct sresp *, char **segs, int n);
void	 stripe_reset(void);		/* billing's state, not its keys */

/* ---- hooks.c --------------------------------------------------------- */

int	 hooks_start(int threads);
void	 hooks_stop(void);
void	 hooks_reset(void);		/* drops queued events (lock held) */
void	 sched(int64_t due_ms, enum sim_ev_kind, const char *a,
	    const char *b, long code, void *ptr);	/* lock held */
/* Queues a webhook with this value under field for entry id. */
void	 hook_change(const char *entry_id, const char *field,
	    cJSON *value, int with_time);		/* lock held; takes */
/* Status webhook for a message, at once (lock held). */
void	 hook_status(const struct sim_msg *, const char *status, long code);
/* The title Meta gives a failure code. */
const char *hook_failure_title(long code);
/* An inbound message; returns its wamid (lock held). */
int	 hook_inbound(struct sim_phone *, const cJSON *spec, char *wamid,
	    size_t wamidsz, char *err, size_t errsz);
/* Queues a Stripe event's body (taken) to the Stripe webhook URL,
 * signed at each attempt; its hook log sequence (lock held). */
unsigned long hook_stripe(const char *type, char *body);
/* The hook log's entry seq, or NULL once overwritten (lock held). */
struct sim_hooklog *hooklog_find(unsigned long seq);
/* Adds a delivery's signature, attempts, lastStatus, delivered and
 * dropped to o. */
void	 hooklog_delivery(cJSON *o, const struct sim_hooklog *);
/* The GET handshake against the webhook URL (no lock held). */
cJSON	*hook_verify(void);
void	 hooklog_json(cJSON *arr, unsigned long since);

/* ---- control.c ------------------------------------------------------- */

void	 control_route(struct sreq *, struct sresp *);	/* holds lock */
void	 reqlog_add(const struct sreq *, int status, const char *fault);

/* ---- ledger.c: every send accepted or refused (lock held) ----------- */

/* code 0: accepted (wamid set); port: the client's TCP port. */
void	 ledger_add(const char *phone, const char *to, const char *wamid,
	    const char *opaque, long code, unsigned port);
void	 ledger_reset(void);
/* {last, next, sends: [...]}: up to limit entries after seq since. */
cJSON	*ledger_json(const char *phone, unsigned long since, size_t limit);
/* Counts per recipient and per second, refusals by code. */
cJSON	*ledger_summary(const char *phone);

#endif /* METASIM_H */
