/*
 * Many sends at once on one libcurl multi handle, for queue workers.
 *
 * A transfer is a slot: its own arena and request context (so that the
 * helpers of graph.c, which take a struct wa_req, work unchanged), its
 * easy handle, and the public struct wa_graph_xfer the caller sees.
 * Slots are made on demand up to max_inflight and then reused: a
 * released slot keeps its easy handle (curl_easy_reset at the next
 * send) and its arena's first block.  Finished slots wait in a queue,
 * in the order they finished, until the caller takes them.
 *
 * The connection pool is the multi handle's.  Its cache is sized
 * explicitly: by default libcurl keeps four connections per easy handle
 * added, which drops to four when the last transfers of a burst finish
 * and would close the pool just before the next burst needs it.  TLS
 * sessions are shared between the easy handles (a share handle, no
 * locks: one thread), so that a new connection resumes a session.
 *
 * A multi handle belongs to the process that made it, as graph.c's
 * easy handle does: after fork() the child must not run the parent's
 * transfers, read from its sockets or close its TLS sessions (a
 * close_notify would go out on the parent's connection), so in the
 * child every send finishes at once and free releases only our own
 * memory, not libcurl's.
 */
#include <sys/types.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "accounts.h"
#include "arena.h"
#include "cfg.h"
#include "clock.h"
#include "extern.h"
#include "graph.h"
#include "json.h"
#include "log.h"
#include "req.h"

#define HOST_CONNECTIONS	64	/* per host: Meta is one host */
#define ARENA_FIRST		(16 * 1024)	/* a send uses a few KiB */

enum slot_state {
	SLOT_FREE = 0,
	SLOT_RUNNING,		/* in the multi handle */
	SLOT_DONE,		/* in the done queue */
	SLOT_TAKEN		/* handed out, not yet released */
};

struct slot {
	struct wa_graph_xfer	 x;	/* first: the caller's pointer */
	struct wa_graph_multi	*m;
	enum slot_state		 state;
	struct wa_req		 req;	/* arena and cfg for graph.c */
	struct wa_graph_easy	 easy;
	CURL			*c;	/* kept across sends */
	struct slot		*next;	/* free list or done queue */
	struct slot		*all;	/* every slot, for free */
};

struct wa_graph_multi {
	const struct wa_cfg	*cfg;
	pid_t			 pid;
	CURLM			*multi;
	CURLSH			*share;
	size_t			 max;
	size_t			 used;		/* slots not free */
	size_t			 running;
	struct slot		*slots;		/* every slot */
	struct slot		*free;
	struct slot		*done_head;
	struct slot		*done_tail;
};

static int
ours(const struct wa_graph_multi *m)
{
	return m->pid == getpid();
}

struct wa_graph_multi *
wa_graph_multi_new(const struct wa_cfg *cfg, size_t max_inflight)
{
	struct wa_graph_multi	*m;
	long			 conns;

	if (wa_graph_curl_init() != 0 || (m = calloc(1, sizeof(*m))) == NULL)
		return NULL;
	m->cfg = cfg;
	m->pid = getpid();
	m->max = max_inflight > 0 ? max_inflight : 1;
	if ((m->multi = curl_multi_init()) == NULL) {
		free(m);
		return NULL;
	}
	conns = m->max > HOST_CONNECTIONS ? HOST_CONNECTIONS : (long)m->max;
	curl_multi_setopt(m->multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
	curl_multi_setopt(m->multi, CURLMOPT_MAX_HOST_CONNECTIONS, conns);
	curl_multi_setopt(m->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, conns);
	curl_multi_setopt(m->multi, CURLMOPT_MAXCONNECTS, conns);
	if ((m->share = curl_share_init()) != NULL)
		curl_share_setopt(m->share, CURLSHOPT_SHARE,
		    CURL_LOCK_DATA_SSL_SESSION);
	return m;
}

void
wa_graph_multi_free(struct wa_graph_multi *m)
{
	struct slot	*s, *next;
	int		 mine;

	if (m == NULL)
		return;
	mine = ours(m);
	for (s = m->slots; s != NULL; s = next) {
		next = s->all;
		if (mine && s->c != NULL) {
			if (s->state == SLOT_RUNNING)
				curl_multi_remove_handle(m->multi, s->c);
			curl_easy_cleanup(s->c);
		}
		wa_arena_free(s->req.arena);
		free(s);
	}
	if (mine) {
		curl_multi_cleanup(m->multi);
		if (m->share != NULL)
			curl_share_cleanup(m->share);
	}
	free(m);
}

/* A free slot, made if there is none yet; NULL when all are used. */
static struct slot *
slot_take(struct wa_graph_multi *m)
{
	struct slot	*s;

	if (m->used >= m->max)
		return NULL;
	if ((s = m->free) != NULL)
		m->free = s->next;
	else {
		if ((s = calloc(1, sizeof(*s))) == NULL)
			return NULL;
		s->m = m;
		s->req.arena = wa_arena_new(ARENA_FIRST);
		s->req.cfg = m->cfg;
		s->all = m->slots;
		m->slots = s;
	}
	m->used++;
	s->next = NULL;
	memset(&s->x, 0, sizeof(s->x));
	return s;
}

static void
done_push(struct wa_graph_multi *m, struct slot *s)
{
	s->x.done_us = wa_clock_mono_us();
	s->state = SLOT_DONE;
	s->next = NULL;
	if (m->done_tail != NULL)
		m->done_tail->next = s;
	else
		m->done_head = s;
	m->done_tail = s;
}

/* The Graph account's strings into the slot's arena. */
static void
acct_copy(struct wa_arena *a, const struct wa_graph_acct *in,
    struct wa_graph_acct *out)
{
	memset(out, 0, sizeof(*out));
	if (in == NULL)
		return;
	out->account_id = wa_arena_strdup(a, in->account_id);
	out->token = wa_arena_strdup(a, in->token);
	out->waba_id = wa_arena_strdup(a, in->waba_id);
	out->phone_number_id = wa_arena_strdup(a, in->phone_number_id);
}

/* Builds the send of msg on slot s and adds it to the multi handle:
 * WA_GRAPH_OK, or the failure finished into s->x.res. */
static enum wa_graph_status
start(struct wa_graph_multi *m, struct slot *s,
    const struct wa_graph_acct *in, const struct wa_graph_msg *msg,
    int timeout_ms)
{
	struct wa_graph_res	*res = &s->x.res;
	struct wa_graph_acct	 acct;
	struct wa_graph_call	 call;
	const char		*why;
	cJSON			*body;

	memset(res, 0, sizeof(*res));
	res->method = "POST";
	if (!ours(m))
		return wa_graph_finish(res, WA_GRAPH_CONFIG,
		    "the multi handle belongs to another process");
	acct_copy(s->req.arena, in, &acct);
	if (!wa_account_valid_meta_id(acct.phone_number_id))
		return wa_graph_finish(res, WA_GRAPH_CONFIG,
		    "the account has no phone number id");
	if ((body = wa_graph_msg_json(msg, &why)) == NULL)
		return wa_graph_finish(res, WA_GRAPH_CONFIG, why);
	memset(&call, 0, sizeof(call));
	call.method = "POST";
	call.path = wa_arena_printf(s->req.arena, "/%s/messages",
	    acct.phone_number_id);
	call.json = body;
	if (s->c == NULL)
		s->c = curl_easy_init();
	if (wa_graph_easy_setup(&s->req, &s->easy, s->c, &acct, &call,
	    timeout_ms, res) != WA_GRAPH_OK)
		return res->status;
	curl_easy_setopt(s->c, CURLOPT_PRIVATE, s);
	/* over TLS, wait for a connection that may multiplex (HTTP/2)
	 * rather than open one more */
	curl_easy_setopt(s->c, CURLOPT_PIPEWAIT, 1L);
	if (m->share != NULL)
		curl_easy_setopt(s->c, CURLOPT_SHARE, m->share);
	if (curl_multi_add_handle(m->multi, s->c) != CURLM_OK) {
		curl_easy_setopt(s->c, CURLOPT_HTTPHEADER, NULL);
		curl_easy_setopt(s->c, CURLOPT_ERRORBUFFER, NULL);
		return wa_graph_finish(res, WA_GRAPH_CONFIG,
		    "libcurl refused the transfer");
	}
	return WA_GRAPH_OK;
}

int
wa_graph_multi_send(struct wa_graph_multi *m,
    const struct wa_graph_acct *acct, const struct wa_graph_msg *msg,
    int timeout_ms, void *udata)
{
	struct wa_arena	*saved = wa_json_arena();
	struct slot	*s;

	if ((s = slot_take(m)) == NULL)
		return -1;
	s->x.udata = udata;
	s->x.started_us = wa_clock_mono_us();
	/* the body's cJSON tree lives and dies with the transfer */
	wa_json_use_arena(s->req.arena);
	if (start(m, s, acct, msg, timeout_ms) == WA_GRAPH_OK) {
		s->state = SLOT_RUNNING;
		m->running++;
	} else
		done_push(m, s);
	wa_json_use_arena(saved);
	return 0;
}

/* A transfer curl has finished: type it as graph.c types a call. */
static void
complete(struct wa_graph_multi *m, struct slot *s, CURLcode cc)
{
	struct wa_arena		*saved = wa_json_arena();
	struct wa_graph_res	*res = &s->x.res;

	m->running--;
	wa_json_use_arena(s->req.arena);
	if (wa_graph_easy_done(&s->req, &s->easy, cc, res) == WA_GRAPH_OK &&
	    wa_graph_parse_sent(res->body, &s->x.sent) != 0)
		wa_graph_finish(res, WA_GRAPH_MALFORMED, "no messages[0].id");
	wa_json_use_arena(saved);
	/* a byte of the request on the wire: it may have reached Meta */
	s->x.written = s->easy.request_size > 0;
	s->x.connects = (int)s->easy.connects;
	done_push(m, s);
}

static void
harvest(struct wa_graph_multi *m)
{
	struct slot	*s;
	CURLMsg		*msg;
	CURLcode	 cc;
	CURL		*c;
	char		*p;
	int		 left;

	while ((msg = curl_multi_info_read(m->multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		/* msg dies with the removal: read it first */
		c = msg->easy_handle;
		cc = msg->data.result;
		p = NULL;
		curl_easy_getinfo(c, CURLINFO_PRIVATE, &p);
		curl_multi_remove_handle(m->multi, c);
		if ((s = (struct slot *)(void *)p) == NULL ||
		    s->state != SLOT_RUNNING)
			continue;
		complete(m, s, cc);
	}
}

size_t
wa_graph_multi_poll(struct wa_graph_multi *m, int timeout_ms, int fd)
{
	struct curl_waitfd	 w;
	int			 n, still;

	if (!ours(m))
		return 0;
	curl_multi_perform(m->multi, &still);
	harvest(m);
	if (m->done_head != NULL || timeout_ms <= 0)
		return m->running;
	memset(&w, 0, sizeof(w));
	w.fd = fd;
	w.events = CURL_WAIT_POLLIN;
	curl_multi_poll(m->multi, fd >= 0 ? &w : NULL, fd >= 0 ? 1 : 0,
	    timeout_ms, &n);
	curl_multi_perform(m->multi, &still);
	harvest(m);
	return m->running;
}

struct wa_graph_xfer *
wa_graph_multi_next(struct wa_graph_multi *m)
{
	struct slot	*s = m->done_head;

	if (s == NULL)
		return NULL;
	if ((m->done_head = s->next) == NULL)
		m->done_tail = NULL;
	s->next = NULL;
	s->state = SLOT_TAKEN;
	return &s->x;
}

void
wa_graph_multi_release(struct wa_graph_multi *m, struct wa_graph_xfer *x)
{
	struct slot	*s = (struct slot *)(void *)x;

	if (x == NULL || s->m != m || s->state != SLOT_TAKEN)
		return;
	/* the answer's strings and cJSON tree go with the arena */
	wa_arena_reset(s->req.arena);
	memset(&s->x, 0, sizeof(s->x));
	s->state = SLOT_FREE;
	s->next = m->free;
	m->free = s;
	m->used--;
}

size_t
wa_graph_multi_inflight(const struct wa_graph_multi *m)
{
	return m->running;
}
