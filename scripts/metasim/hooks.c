/*
 * Webhooks and the timer (contract §10).  Every webhook body is
 * written once, in Meta's escaping (meta_json), signed over exactly
 * those bytes with the app secret, and posted by a delivery thread; a
 * non-200 answer, a timeout or a refused connection is retried with an
 * exponential back-off (retry_base_ms, doubling, at most 60 s) up to
 * retry_max attempts, then dropped and logged.  The billing sandbox's
 * events (stripe.c) take the same way to their own URL
 * (stripe_webhook_url), signed as Stripe signs (Stripe-Signature:
 * t=<now>,v1=<HMAC-SHA256 of "t.body">), anew at each attempt; any 2xx
 * delivers them.
 *
 * The timer keeps a min-heap of events by due time: template reviews,
 * message statuses, held connections to answer, webhook retries.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "crypto.h"
#include "metasim.h"

#define DELIVERY_THREADS_MAX	8

static pthread_t	timer_thr;
static pthread_t	workers[DELIVERY_THREADS_MAX];
static int		nworkers;

/* ---- the heap ----------------------------------------------------------- */

static void
swap(size_t a, size_t b)
{
	struct sim_event	t = sim.heap[a];

	sim.heap[a] = sim.heap[b];
	sim.heap[b] = t;
}

static void
heap_push(const struct sim_event *ev)
{
	size_t	i, p;

	if (sim.nheap == sim.capheap) {
		sim.capheap = sim.capheap == 0 ? 256 : sim.capheap * 2;
		sim.heap = realloc(sim.heap, sim.capheap * sizeof(*sim.heap));
		if (sim.heap == NULL)
			abort();
	}
	i = sim.nheap++;
	sim.heap[i] = *ev;
	while (i > 0 && sim.heap[p = (i - 1) / 2].due_ms > sim.heap[i].due_ms) {
		swap(i, p);
		i = p;
	}
}

static void
heap_pop(struct sim_event *out)
{
	size_t	i = 0, l, r, m;

	*out = sim.heap[0];
	sim.heap[0] = sim.heap[--sim.nheap];
	for (;;) {
		l = 2 * i + 1;
		r = l + 1;
		m = i;
		if (l < sim.nheap && sim.heap[l].due_ms < sim.heap[m].due_ms)
			m = l;
		if (r < sim.nheap && sim.heap[r].due_ms < sim.heap[m].due_ms)
			m = r;
		if (m == i)
			break;
		swap(i, m);
		i = m;
	}
}

void
sched(int64_t due_ms, enum sim_ev_kind kind, const char *a, const char *b,
    long code, void *ptr)
{
	struct sim_event	ev;

	memset(&ev, 0, sizeof(ev));
	ev.due_ms = due_ms;
	ev.kind = kind;
	if (a != NULL)
		snprintf(ev.a, sizeof(ev.a), "%s", a);
	if (b != NULL)
		snprintf(ev.b, sizeof(ev.b), "%s", b);
	ev.code = code;
	ev.ptr = ptr;
	heap_push(&ev);
	pthread_cond_signal(&sim.timer_cv);
}

/* ---- queueing a webhook -------------------------------------------------- */

static void
delivery_free(struct sim_delivery *d)
{
	free(d->body);
	free(d->signature);
	free(d);
}

struct sim_hooklog *
hooklog_find(unsigned long seq)
{
	struct sim_hooklog	*h = &sim.hooklog[seq % SIM_LOG_MAX];

	return h->seq == seq ? h : NULL;
}

static void
ready_push(struct sim_delivery *d)
{
	struct sim_delivery	**nr;
	size_t			  i, cap;

	if (sim.nready == sim.capready) {
		cap = sim.capready == 0 ? 64 : sim.capready * 2;
		nr = xcalloc(cap, sizeof(*nr));
		for (i = 0; i < sim.nready; i++)
			nr[i] = sim.ready[(sim.readyhead + i) % sim.capready];
		free(sim.ready);
		sim.ready = nr;
		sim.capready = cap;
		sim.readyhead = 0;
	}
	sim.ready[(sim.readyhead + sim.nready++) % sim.capready] = d;
	pthread_cond_signal(&sim.work_cv);
}

static struct sim_delivery *
ready_pop(void)
{
	struct sim_delivery	*d = sim.ready[sim.readyhead];

	sim.readyhead = (sim.readyhead + 1) % sim.capready;
	sim.nready--;
	return d;
}

/* Stripe-Signature of a body at time t: "t=<t>,v1=<hex HMAC-SHA256 of
 * "<t>.<body>" under the webhook secret>" (malloc'd). */
static char *
stripe_sign(const char *body, size_t len, int64_t t)
{
	struct sbuf	b;
	unsigned char	mac[32];
	char		hex[65];

	memset(&b, 0, sizeof(b));
	sb_addf(&b, "%lld.", (long long)t);
	sb_add(&b, body, len);
	wa_crypto_hmac_sha256(sim.stripe.webhook_secret,
	    strlen(sim.stripe.webhook_secret), b.s, b.len, mac);
	wa_crypto_hex(mac, sizeof(mac), hex);
	free(b.s);
	memset(&b, 0, sizeof(b));
	sb_addf(&b, "t=%lld,v1=%s", (long long)t, hex);
	return sb_take(&b);
}

/* Queues body (taken) under field, logged; its log sequence, or 0 when
 * the queue is full (dropped). */
static unsigned long
queue(char *body, const char *field, int stripe)
{
	struct sim_delivery	*d;
	struct sim_hooklog	*h;
	unsigned char		 mac[32];
	char			 hex[65];

	if (sim.queued >= SIM_QUEUE_MAX) {
		sim.dropped++;
		free(body);
		return 0;
	}
	d = xcalloc(1, sizeof(*d));
	d->body = body;
	d->len = strlen(d->body);
	d->stripe = stripe;
	if (stripe)
		d->signature = stripe_sign(d->body, d->len, now_ms() / 1000);
	else {
		wa_crypto_hmac_sha256(sim.app_secret, strlen(sim.app_secret),
		    d->body, d->len, mac);
		wa_crypto_hex(mac, sizeof(mac), hex);
		d->signature = xcalloc(8 + 65, 1);
		snprintf(d->signature, 8 + 65, "sha256=%s", hex);
	}
	d->logseq = ++sim.hookseq;
	h = &sim.hooklog[d->logseq % SIM_LOG_MAX];
	hooklog_clear(h);
	h->seq = d->logseq;
	h->at_ms = now_ms();
	h->field = xstrdup(field);
	h->body = xstrdup(d->body);
	h->signature = xstrdup(d->signature);
	sim.queued++;
	ready_push(d);
	return d->logseq;
}

static void
enqueue(cJSON *root, const char *field)
{
	char	*body = meta_json(root);

	cJSON_Delete(root);
	queue(body, field, 0);
}

unsigned long
hook_stripe(const char *type, char *body)
{
	return queue(body, type, 1);
}

void
hook_change(const char *entry_id, const char *field, cJSON *value,
    int with_time)
{
	cJSON	*root = cJSON_CreateObject(), *entry, *e, *changes, *ch;

	entry = cJSON_AddArrayToObject(root, "entry");
	e = cJSON_CreateObject();
	cJSON_AddStringToObject(e, "id", entry_id);
	if (with_time)
		cJSON_AddNumberToObject(e, "time", (double)(now_ms() / 1000));
	changes = cJSON_AddArrayToObject(e, "changes");
	ch = cJSON_CreateObject();
	cJSON_AddItemToObject(ch, "value", value);
	cJSON_AddStringToObject(ch, "field", field);
	cJSON_AddItemToArray(changes, ch);
	cJSON_AddItemToArray(entry, e);
	cJSON_AddStringToObject(root, "object", "whatsapp_business_account");
	enqueue(root, field);
}

/* value{messaging_product, metadata} of a "messages" change */
static cJSON *
messages_value(const struct sim_phone *p)
{
	cJSON	*v = cJSON_CreateObject(), *md;
	char	 digits[24];

	cJSON_AddStringToObject(v, "messaging_product", "whatsapp");
	md = cJSON_AddObjectToObject(v, "metadata");
	digits_of(p->display, digits, sizeof(digits));
	cJSON_AddStringToObject(md, "display_phone_number", digits);
	cJSON_AddStringToObject(md, "phone_number_id", p->id);
	return v;
}

static const char *
entry_of(struct sim_phone *p)
{
	struct sim_waba	*w = phone_waba(p);

	return w != NULL ? w->id : p->id;
}

const char *
hook_failure_title(long code)
{
	switch (code) {
	case 131026:	return "Message undeliverable";
	case 131047:	return "Re-engagement message";
	case 131049:	return "This message was not delivered to maintain "
			    "healthy ecosystem engagement.";
	case 131050:	return "User stopped marketing messages";
	case 131053:	return "Media upload error";
	default:	return "Message failed to send";
	}
}

/* One item of value.statuses[] (§10.6). */
static cJSON *
status_item(const struct sim_msg *m, const char *status, long code)
{
	cJSON	*s, *o, *errs, *e, *ed;
	char	 ts[24], hex[33];
	unsigned char r[16];
	int	 service = strcmp(m->category, "service") == 0;

	s = cJSON_CreateObject();
	cJSON_AddStringToObject(s, "id", m->wamid);
	cJSON_AddStringToObject(s, "status", status);
	snprintf(ts, sizeof(ts), "%lld", (long long)(now_ms() / 1000));
	cJSON_AddStringToObject(s, "timestamp", ts);
	cJSON_AddStringToObject(s, "recipient_id", m->to);
	if (m->opaque != NULL)
		cJSON_AddStringToObject(s, "biz_opaque_callback_data",
		    m->opaque);
	if (strcmp(status, "failed") == 0) {
		errs = cJSON_AddArrayToObject(s, "errors");
		e = cJSON_CreateObject();
		cJSON_AddNumberToObject(e, "code", (double)code);
		cJSON_AddStringToObject(e, "title", hook_failure_title(code));
		cJSON_AddStringToObject(e, "message",
		    hook_failure_title(code));
		ed = cJSON_AddObjectToObject(e, "error_data");
		cJSON_AddStringToObject(ed, "details",
		    hook_failure_title(code));
		cJSON_AddStringToObject(e, "href", "/documentation/business-"
		    "messaging/whatsapp/support/error-codes");
		cJSON_AddItemToArray(errs, e);
	} else if (strcmp(status, "read") != 0) {
		/* conversation and pricing on sent and delivered (v23) */
		o = cJSON_AddObjectToObject(s, "conversation");
		if (wa_crypto_random(r, sizeof(r)) != 0)
			abort();
		wa_crypto_hex(r, sizeof(r), hex);
		cJSON_AddStringToObject(o, "id", hex);
		if (strcmp(status, "sent") == 0) {
			snprintf(ts, sizeof(ts), "%lld", (long long)(now_ms() /
			    1000 + 86400));
			cJSON_AddStringToObject(o, "expiration_timestamp", ts);
		}
		cJSON_AddStringToObject(cJSON_AddObjectToObject(o, "origin"),
		    "type", m->category);
		o = cJSON_AddObjectToObject(s, "pricing");
		cJSON_AddBoolToObject(o, "billable", !service);
		cJSON_AddStringToObject(o, "pricing_model", "PMP");
		cJSON_AddStringToObject(o, "type", service ?
		    "free_customer_service" : "regular");
		cJSON_AddStringToObject(o, "category", m->category);
	}
	return s;
}

void
hook_status(const struct sim_msg *m, const char *status, long code)
{
	struct sim_phone	*p = smap_get(&sim.phones, m->phone);
	cJSON			*v, *arr;

	if (p == NULL)
		return;
	v = messages_value(p);
	arr = cJSON_AddArrayToObject(v, "statuses");
	cJSON_AddItemToArray(arr, status_item(m, status, code));
	hook_change(entry_of(p), "messages", v, 0);
}

static void
batch_flush(struct sim_phone *p)
{
	if (p->batch == NULL)
		return;
	hook_change(entry_of(p), "messages", p->batch, 0);
	p->batch = NULL;
	p->nbatch = 0;
}

/*
 * A status that is due.  With status_batch > 1 the statuses of one
 * number are gathered into one webhook (Meta sends up to 1,000 updates
 * in one, §10.4): it goes when it is full, or status_delay_ms after its
 * first status.  A message's statuses fall due in their order, so they
 * stay in it, within a webhook and from one webhook to the next.
 */
static void
status_due(const struct sim_msg *m, const char *status, long code)
{
	struct sim_phone	*p = smap_get(&sim.phones, m->phone);

	if (p == NULL)
		return;
	if (sim.cfg.status_batch <= 1) {
		batch_flush(p);		/* batching was just turned off */
		hook_status(m, status, code);
		return;
	}
	if (p->batch == NULL) {
		p->batch = messages_value(p);
		cJSON_AddArrayToObject(p->batch, "statuses");
		p->nbatch = 0;
		p->batch_seq++;
		sched(now_ms() + sim.cfg.status_delay_ms, EV_FLUSH, p->id,
		    NULL, (long)p->batch_seq, NULL);
	}
	cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(p->batch,
	    "statuses"), status_item(m, status, code));
	if (++p->nbatch >= sim.cfg.status_batch)
		batch_flush(p);
}

int
hook_inbound(struct sim_phone *p, const cJSON *spec, char *wamid,
    size_t wamidsz, char *err, size_t errsz)
{
	const char	*from, *name, *type, *text, *ctx;
	const cJSON	*part;
	cJSON		*v, *arr, *c, *m, *o;
	char		 wa_id[24], ts[24], key[128];
	int64_t		*last;

	from = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(spec,
	    "from"));
	name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(spec,
	    "name"));
	type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(spec,
	    "type"));
	text = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(spec,
	    "text"));
	ctx = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(spec,
	    "context"));
	if (type == NULL)
		type = "text";
	digits_of(from, wa_id, sizeof(wa_id));
	if (strlen(wa_id) < 5 || strlen(wa_id) > 15) {
		snprintf(err, errsz, "from must be a phone number");
		return -1;
	}
	part = cJSON_GetObjectItemCaseSensitive(spec, type);
	if (strcmp(type, "text") == 0 ? text == NULL : !cJSON_IsObject(part) ||
	    strlen(type) > 16) {
		snprintf(err, errsz, "give text, or type and an object named "
		    "by it");
		return -1;
	}
	new_wamid(wamid, wamidsz);
	v = messages_value(p);
	arr = cJSON_AddArrayToObject(v, "contacts");
	c = cJSON_CreateObject();
	o = cJSON_AddObjectToObject(c, "profile");
	cJSON_AddStringToObject(o, "name", name != NULL ? name :
	    "Sandbox User");
	cJSON_AddStringToObject(c, "wa_id", wa_id);
	cJSON_AddItemToArray(arr, c);
	arr = cJSON_AddArrayToObject(v, "messages");
	m = cJSON_CreateObject();
	cJSON_AddStringToObject(m, "from", wa_id);
	cJSON_AddStringToObject(m, "id", wamid);
	snprintf(ts, sizeof(ts), "%lld", (long long)(now_ms() / 1000));
	cJSON_AddStringToObject(m, "timestamp", ts);
	cJSON_AddStringToObject(m, "type", type);
	if (strcmp(type, "text") == 0)
		cJSON_AddStringToObject(cJSON_AddObjectToObject(m, "text"),
		    "body", text);
	else
		cJSON_AddItemToObject(m, type, cJSON_Duplicate(part, 1));
	if (ctx != NULL) {
		o = cJSON_AddObjectToObject(m, "context");
		cJSON_AddStringToObject(o, "from", p->display + 1);
		cJSON_AddStringToObject(o, "id", ctx);
	}
	cJSON_AddItemToArray(arr, m);
	/* the customer wrote: the 24-hour window opens */
	snprintf(key, sizeof(key), "%s|%s", p->id, wa_id);
	if ((last = smap_get(&sim.windows, key)) == NULL) {
		if (sim.windows.n >= SIM_MAP_CAP)
			smap_clear(&sim.windows, free);
		last = xcalloc(1, sizeof(*last));
		smap_put(&sim.windows, key, last);
	}
	*last = now_ms();
	hook_change(entry_of(p), "messages", v, 0);
	return 0;
}

/* ---- the timer ----------------------------------------------------------- */

static int
rank(const char *status)
{
	if (strcmp(status, "sent") == 0)
		return 1;
	if (strcmp(status, "delivered") == 0)
		return 2;
	if (strcmp(status, "read") == 0)
		return 3;
	return 4;	/* failed: always sent */
}

static void
run_event(const struct sim_event *ev)
{
	struct sim_tpl		*t;
	struct sim_msg		*m;
	struct sim_phone	*p;

	switch (ev->kind) {
	case EV_REVIEW:
		if ((t = smap_get(&sim.tpls, ev->a)) != NULL)
			tpl_review(t, NULL, NULL);
		break;
	case EV_STATUS:
		m = smap_get(&sim.msgs, ev->a);
		/* statuses only move forward (§10.6) */
		if (m != NULL && (rank(ev->b) > m->rank || rank(ev->b) == 4)) {
			m->rank = rank(ev->b) == 4 ? m->rank : rank(ev->b);
			status_due(m, ev->b, ev->code);
		}
		break;
	case EV_FLUSH:
		p = smap_get(&sim.phones, ev->a);
		if (p != NULL && p->batch_seq == (unsigned long)ev->code)
			batch_flush(p);
		break;
	case EV_DELIVER:
		ready_push(ev->ptr);
		break;
	default:
		break;
	}
}

static void *
timer_main(void *arg)
{
	struct sim_event	 ev;
	struct timespec		 ts;
	void			*held[64];
	int			 nheld, i;
	int64_t			 due;

	(void)arg;
	pthread_mutex_lock(&sim.lock);
	for (;;) {
		nheld = 0;
		while (sim.nheap > 0 && nheld < 64 &&
		    (sim.heap[0].due_ms <= now_ms() || sim.stopping)) {
			heap_pop(&ev);
			if (ev.kind == EV_RESUME)
				held[nheld++] = ev.ptr;
			else if (sim.stopping && ev.kind == EV_DELIVER) {
				delivery_free(ev.ptr);
			} else if (!sim.stopping)
				run_event(&ev);
		}
		if (nheld > 0) {
			/* not under our lock: MHD takes its own */
			pthread_mutex_unlock(&sim.lock);
			for (i = 0; i < nheld; i++)
				http_resume(held[i]);
			pthread_mutex_lock(&sim.lock);
			continue;
		}
		if (sim.stopping)
			break;
		if (sim.nheap == 0)
			pthread_cond_wait(&sim.timer_cv, &sim.lock);
		else {
			due = sim.heap[0].due_ms;
			ts.tv_sec = (time_t)(due / 1000);
			ts.tv_nsec = (long)(due % 1000) * 1000000L;
			pthread_cond_timedwait(&sim.timer_cv, &sim.lock, &ts);
		}
	}
	pthread_mutex_unlock(&sim.lock);
	return NULL;
}

/* ---- delivery --------------------------------------------------------- */

static size_t
discard(char *p, size_t sz, size_t n, void *ctx)
{
	(void)p;
	(void)ctx;
	return sz * n;
}

/* Posts a webhook (sig its signature, copied under the lock); the
 * HTTP status, or 0 when there was no answer. */
static long
post(CURL *c, const char *url, const struct sim_delivery *d,
    const char *signature)
{
	struct curl_slist	*h = NULL;
	char			 sig[200];
	long			 code = 0;

	snprintf(sig, sizeof(sig), "%s: %s", d->stripe ? "Stripe-Signature" :
	    "X-Hub-Signature-256", signature);
	h = curl_slist_append(h, d->stripe ?
	    "Content-Type: application/json; charset=utf-8" :
	    "Content-Type: application/json");
	h = curl_slist_append(h, sig);
	h = curl_slist_append(h, "Expect:");
	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_USERAGENT, d->stripe ?
	    "Stripe/1.0 (+https://stripe.com/docs/webhooks)" :
	    "facebookexternalua");
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, d->body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)d->len);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 3000L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 10000L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	if (sim.ca_file[0] != '\0')
		curl_easy_setopt(c, CURLOPT_CAINFO, sim.ca_file);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	curl_slist_free_all(h);
	return code;
}

static void *
worker_main(void *arg)
{
	struct sim_delivery	*d;
	struct sim_hooklog	*h;
	unsigned long		 gen;
	char			 url[512], sig[160];
	long			 code;
	int64_t			 wait;
	int			 ok;
	CURL			*c = curl_easy_init();

	(void)arg;
	pthread_mutex_lock(&sim.lock);
	while (!sim.stopping) {
		if (sim.nready == 0) {
			pthread_cond_wait(&sim.work_cv, &sim.lock);
			continue;
		}
		d = ready_pop();
		gen = sim.generation;
		snprintf(url, sizeof(url), "%s", d->stripe ?
		    sim.cfg.stripe_webhook_url : sim.cfg.webhook_url);
		if (d->stripe) {
			/* Stripe signs each attempt at its own time */
			free(d->signature);
			d->signature = stripe_sign(d->body, d->len,
			    now_ms() / 1000);
			if ((h = hooklog_find(d->logseq)) != NULL) {
				free(h->signature);
				h->signature = xstrdup(d->signature);
			}
		}
		snprintf(sig, sizeof(sig), "%s", d->signature);
		pthread_mutex_unlock(&sim.lock);
		code = url[0] != '\0' && c != NULL ? post(c, url, d, sig) :
		    -1;
		pthread_mutex_lock(&sim.lock);
		if (gen != sim.generation) {	/* a reset came meanwhile */
			delivery_free(d);
			continue;
		}
		d->attempts++;
		if ((h = hooklog_find(d->logseq)) != NULL) {
			h->attempts = d->attempts;
			h->last_status = (int)code;
		}
		/* Meta's webhooks want a 200, Stripe's events any 2xx */
		ok = d->stripe ? code >= 200 && code <= 299 : code == 200;
		if (ok || code < 0 || d->attempts >= sim.cfg.retry_max) {
			if (h != NULL) {
				h->delivered = ok;
				h->dropped = !ok;
			}
			if (!ok) {
				sim.dropped++;
				fprintf(stderr, "metasim: webhook %lu dropped "
				    "after %d attempts (last status %ld)\n",
				    d->logseq, d->attempts, code);
			}
			sim.queued--;
			delivery_free(d);
			continue;
		}
		wait = (int64_t)sim.cfg.retry_base_ms << (d->attempts - 1 > 16 ?
		    16 : d->attempts - 1);
		sched(now_ms() + (wait > 60000 ? 60000 : wait), EV_DELIVER,
		    NULL, NULL, 0, d);
	}
	pthread_mutex_unlock(&sim.lock);
	curl_easy_cleanup(c);
	return NULL;
}

int
hooks_start(int threads)
{
	int	i;

	if (threads < 1)
		threads = 1;
	if (threads > DELIVERY_THREADS_MAX)
		threads = DELIVERY_THREADS_MAX;
	if (pthread_create(&timer_thr, NULL, timer_main, NULL) != 0)
		return -1;
	for (i = 0; i < threads; i++)
		if (pthread_create(&workers[nworkers], NULL, worker_main,
		    NULL) == 0)
			nworkers++;
	return nworkers > 0 ? 0 : -1;
}

void
hooks_reset(void)
{
	size_t	i, n = 0;

	for (i = 0; i < sim.nheap; i++) {
		if (sim.heap[i].kind == EV_RESUME) {
			sim.heap[i].due_ms = 0;	/* answer them now */
			sim.heap[n++] = sim.heap[i];
		} else if (sim.heap[i].kind == EV_DELIVER)
			delivery_free(sim.heap[i].ptr);
	}
	sim.nheap = n;
	while (sim.nready > 0)
		delivery_free(ready_pop());
	sim.queued = 0;
	sim.dropped = 0;
	pthread_cond_signal(&sim.timer_cv);
}

void
hooks_stop(void)
{
	int	i;

	pthread_mutex_lock(&sim.lock);
	sim.stopping = 1;
	pthread_cond_broadcast(&sim.timer_cv);
	pthread_cond_broadcast(&sim.work_cv);
	pthread_mutex_unlock(&sim.lock);
	pthread_join(timer_thr, NULL);
	for (i = 0; i < nworkers; i++)
		pthread_join(workers[i], NULL);
	pthread_mutex_lock(&sim.lock);
	while (sim.nready > 0)
		delivery_free(ready_pop());
	free(sim.ready);
	sim.ready = NULL;
	sim.nready = 0;
	free(sim.heap);
	sim.heap = NULL;
	sim.nheap = 0;
	pthread_mutex_unlock(&sim.lock);
}

/* ---- the GET handshake (§10.1) ----------------------------------------- */

struct grab {
	struct sbuf	b;
};

static size_t
keep(char *p, size_t sz, size_t n, void *ctx)
{
	struct grab	*g = ctx;

	if (g->b.len + sz * n < 4096)
		sb_add(&g->b, p, sz * n);
	return sz * n;
}

cJSON *
hook_verify(void)
{
	struct grab	 g;
	char		 url[1024], base[512], token[257], challenge[16], *esc;
	cJSON		*o = cJSON_CreateObject();
	long		 code = 0;
	CURL		*c;

	pthread_mutex_lock(&sim.lock);
	snprintf(base, sizeof(base), "%s", sim.cfg.webhook_url);
	snprintf(token, sizeof(token), "%s", sim.verify_token);
	pthread_mutex_unlock(&sim.lock);
	rand_digits(challenge, 10);
	memset(&g, 0, sizeof(g));
	if ((c = curl_easy_init()) == NULL || base[0] == '\0') {
		cJSON_AddBoolToObject(o, "ok", 0);
		cJSON_AddStringToObject(o, "error", "no webhook URL");
		if (c != NULL)
			curl_easy_cleanup(c);
		return o;
	}
	esc = curl_easy_escape(c, token, 0);
	snprintf(url, sizeof(url), "%s?hub.mode=subscribe&hub.challenge=%s&"
	    "hub.verify_token=%s", base, challenge, esc != NULL ? esc : "");
	curl_free(esc);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 10000L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, keep);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &g);
	if (sim.ca_file[0] != '\0')
		curl_easy_setopt(c, CURLOPT_CAINFO, sim.ca_file);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_cleanup(c);
	cJSON_AddNumberToObject(o, "status", (double)code);
	cJSON_AddStringToObject(o, "challenge", challenge);
	cJSON_AddStringToObject(o, "body", g.b.s != NULL ? g.b.s : "");
	cJSON_AddBoolToObject(o, "ok", code == 200 && g.b.s != NULL &&
	    strcmp(g.b.s, challenge) == 0);
	free(g.b.s);
	return o;
}

void
hooklog_delivery(cJSON *o, const struct sim_hooklog *h)
{
	cJSON_AddStringToObject(o, "signature", h->signature);
	cJSON_AddNumberToObject(o, "attempts", h->attempts);
	cJSON_AddNumberToObject(o, "lastStatus", h->last_status);
	cJSON_AddBoolToObject(o, "delivered", h->delivered);
	cJSON_AddBoolToObject(o, "dropped", h->dropped);
}

void
hooklog_json(cJSON *arr, unsigned long since)
{
	unsigned long	 s, first;
	struct sim_hooklog *h;
	cJSON		*o;

	first = sim.hookseq > SIM_LOG_MAX ? sim.hookseq - SIM_LOG_MAX + 1 : 1;
	for (s = since + 1 > first ? since + 1 : first; s <= sim.hookseq;
	    s++) {
		if ((h = hooklog_find(s)) == NULL)
			continue;
		o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "seq", (double)h->seq);
		cJSON_AddNumberToObject(o, "at", (double)h->at_ms);
		cJSON_AddStringToObject(o, "field", h->field);
		cJSON_AddStringToObject(o, "body", h->body);
		hooklog_delivery(o, h);
		cJSON_AddItemToArray(arr, o);
	}
}
