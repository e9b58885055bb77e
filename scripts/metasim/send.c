/*
 * Meta's message sends (contract §3, §4) over the simulated state: the
 * limits, the template and payload checks, the statuses a send
 * schedules.  Runs with sim.lock held (graph.c routes here).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <microhttpd.h>

#include "crypto.h"
#include "graph/graph.h"
#include "metasim.h"
#include "utf8.h"

struct bucket {
	double	 tokens;
	int64_t	 at_ms;
};

/* ---- limits (§3) ------------------------------------------------------ */

static int
take(double *tokens, int64_t *at, double cap, double per_ms)
{
	int64_t	now = now_ms();

	if (*tokens < 0) {
		*tokens = cap;
		*at = now;
	}
	*tokens += (double)(now - *at) * per_ms;
	if (*tokens > cap)
		*tokens = cap;
	*at = now;
	if (*tokens < 1.0)
		return 0;
	*tokens -= 1.0;
	return 1;
}

/*
 * The number's throughput is a token bucket of one second's messages
 * (capacity = mps, refilled at mps a second, full at the start): a
 * sender that keeps to the rate, in bursts of up to a second's worth,
 * is never refused, and one above it is refused once it has sent a
 * second's worth more than the rate allows (at 1.2 times the rate
 * after 5 s, at twice the rate after 1 s).  The bucket measures when
 * requests are served here, so client and network jitter eat into the
 * same second.
 */
static int
limits_ok(struct sim_phone *p, const char *wa_id, struct sresp *rs)
{
	struct bucket	*b;
	char		 key[128];
	double		 mps = p->mps > 0 ? p->mps : sim.cfg.mps;

	if (!sim.cfg.limits)
		return 1;
	if (!take(&p->bucket, &p->bucket_ms, mps, mps / 1000.0)) {
		meta_error(rs, 130429, 2494055, NULL, "Rate limit hit",
		    "Cloud API message throughput has been reached.", NULL,
		    NULL);
		return 0;
	}
	snprintf(key, sizeof(key), "%s|%s", p->id, wa_id);
	if ((b = smap_get(&sim.pairs, key)) == NULL) {
		if (sim.pairs.n >= SIM_MAP_CAP)
			smap_clear(&sim.pairs, free);
		b = xcalloc(1, sizeof(*b));
		b->tokens = -1;
		smap_put(&sim.pairs, key, b);
	}
	if (!take(&b->tokens, &b->at_ms, sim.cfg.pair_burst, 1.0 / 6000.0)) {
		meta_error(rs, 131056, 0, NULL, "(Business Account, Consumer "
		    "Account) pair rate limit hit", "Message failed to send "
		    "because there were too many messages sent from this phone "
		    "number to the same phone number in a short period of "
		    "time.",
		    NULL, NULL);
		return 0;
	}
	return 1;
}

/* ---- messages (§4) ---------------------------------------------------- */

static const char *const msg_types[] = {
	"text", "image", "audio", "video", "document", "sticker", "location",
	"contacts", "interactive", "template", "reaction", NULL
};

/* Parameters given for one template component type ("body"). */
static int
tpl_given(const cJSON *comps, const char *type)
{
	const cJSON	*c, *p;

	cJSON_ArrayForEach(c, comps) {
		const char *t = cJSON_GetStringValue(
		    cJSON_GetObjectItemCaseSensitive(c, "type"));

		if (t != NULL && strcasecmp(t, type) == 0) {
			p = cJSON_GetObjectItemCaseSensitive(c, "parameters");
			return cJSON_IsArray(p) ? cJSON_GetArraySize(p) : 0;
		}
	}
	return 0;
}

/* The component of a template by type ("BODY"), or NULL. */
static const cJSON *
tpl_comp(const struct sim_tpl *t, const char *type)
{
	const cJSON	*c;

	cJSON_ArrayForEach(c, t->components) {
		const char *ct = cJSON_GetStringValue(
		    cJSON_GetObjectItemCaseSensitive(c, "type"));

		if (ct != NULL && strcasecmp(ct, type) == 0)
			return c;
	}
	return NULL;
}

/* Checks a template send against the WABA's templates (§4.4). */
static const struct sim_tpl *
check_template(struct sim_phone *p, const cJSON *tpl, struct sresp *rs)
{
	const char	*name, *lang, *text, *fmt;
	const cJSON	*comps, *c;
	struct sim_waba	*w = phone_waba(p);
	struct sim_tpl	*t = NULL;
	char		 d[300];
	int		 want, given;

	name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(tpl,
	    "name"));
	lang = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(tpl, "language"), "code"));
	if (name == NULL || lang == NULL) {
		meta_error(rs, 131008, 0, NULL, "Required parameter is missing",
		    "template['name'] and template['language']['code'] are "
		    "required", NULL, NULL);
		return NULL;
	}
	if (w != NULL)
		t = tpl_find(w, name, lang);
	if (t == NULL || strcmp(t->status, "APPROVED") != 0) {
		if (t != NULL && strcmp(t->status, "PAUSED") == 0)
			meta_error(rs, 132015, 0, NULL, "Template is Paused",
			    "the template is paused for low quality", NULL,
			    NULL);
		else if (t != NULL && strcmp(t->status, "DISABLED") == 0)
			meta_error(rs, 132016, 0, NULL, "Template is disabled",
			    "the template was disabled", NULL, NULL);
		else {
			snprintf(d, sizeof(d), "template name (%.200s) does "
			    "not exist in %.16s", name, lang);
			meta_error(rs, 132001, 0, NULL, "Template name does "
			    "not exist in the translation", d, NULL, NULL);
		}
		return NULL;
	}
	comps = cJSON_GetObjectItemCaseSensitive(tpl, "components");
	c = tpl_comp(t, "BODY");
	text = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c,
	    "text"));
	want = text != NULL ? wa_graph_placeholders(text) : 0;
	given = tpl_given(comps, "body");
	c = tpl_comp(t, "HEADER");
	fmt = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c,
	    "format"));
	text = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c,
	    "text"));
	if (want != given || (fmt != NULL && strcasecmp(fmt, "TEXT") != 0 &&
	    strcasecmp(fmt, "LOCATION") != 0 && tpl_given(comps, "header") !=
	    1) || (text != NULL && wa_graph_placeholders(text) > 0 &&
	    tpl_given(comps, "header") != 1)) {
		snprintf(d, sizeof(d), "body: number of localizable_params "
		    "(%d) does not match the expected number of params (%d)",
		    given, want);
		meta_error(rs, 132000, 0, NULL, "Number of parameters does not "
		    "match the expected number of params", d, NULL, NULL);
		return NULL;
	}
	return t;
}

static int
media_ok(struct sim_phone *p, const char *type, const cJSON *m,
    struct sresp *rs)
{
	const char	*id, *link, *cap;
	struct sim_media *md;

	id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(m, "id"));
	link = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(m,
	    "link"));
	cap = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(m,
	    "caption"));
	if ((id == NULL) == (link == NULL)) {
		meta_error(rs, 131008, 0, NULL, "Required parameter is missing",
		    "exactly one of id and link is required", NULL, NULL);
		return 0;
	}
	if (id != NULL && ((md = smap_get(&sim.media, id)) == NULL ||
	    strcmp(md->phone, p->id) != 0)) {
		meta_error(rs, 131009, 0, NULL, "Parameter value is not valid",
		    "media id not found", NULL, NULL);
		return 0;
	}
	if (link != NULL && strncmp(link, "https://", 8) != 0 &&
	    strncmp(link, "http://", 7) != 0) {
		meta_error(rs, 131009, 0, NULL, "Parameter value is not valid",
		    "link must be an http(s) URL", NULL, NULL);
		return 0;
	}
	if (cap != NULL && (strcmp(type, "audio") == 0 ||
	    strcmp(type, "sticker") == 0 || nchars(cap) > 1024)) {
		meta_error(rs, 131009, 0, NULL, "Parameter value is not valid",
		    "caption is not allowed here or longer than 1024", NULL,
		    NULL);
		return 0;
	}
	return 1;
}

/* The type-specific part of a send; a template answers t. */
static int
payload_ok(struct sim_phone *p, const char *type, const cJSON *part,
    const struct sim_tpl **t, struct sresp *rs)
{
	const char	*s;
	const cJSON	*btns;

	if (!cJSON_IsObject(part)) {
		meta_error(rs, 131008, 0, NULL, "Required parameter is missing",
		    "the object named by type is missing", NULL, NULL);
		return 0;
	}
	if (strcmp(type, "text") == 0) {
		s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(part,
		    "body"));
		if (s == NULL || s[0] == '\0') {
			meta_error(rs, 131008, 0, NULL, "Required parameter is "
			    "missing", "text['body'] is required", NULL, NULL);
			return 0;
		}
		if (nchars(s) > 4096) {
			meta_error(rs, 131009, 0, NULL, "Parameter value is "
			    "not valid", "text['body'] must be at most 4096 "
			    "characters", NULL, NULL);
			return 0;
		}
		return 1;
	}
	if (strcmp(type, "template") == 0)
		return (*t = check_template(p, part, rs)) != NULL;
	if (strcmp(type, "interactive") == 0) {
		btns = cJSON_GetObjectItemCaseSensitive(
		    cJSON_GetObjectItemCaseSensitive(part, "action"),
		    "buttons");
		if (cJSON_IsArray(btns) && cJSON_GetArraySize(btns) > 3) {
			meta_error(rs, 131009, 0, NULL, "Parameter value is "
			    "not valid", "at most 3 buttons", NULL, NULL);
			return 0;
		}
		return 1;
	}
	if (strcmp(type, "image") == 0 || strcmp(type, "audio") == 0 ||
	    strcmp(type, "video") == 0 || strcmp(type, "document") == 0 ||
	    strcmp(type, "sticker") == 0)
		return media_ok(p, type, part, rs);
	return 1;
}

static void
schedule_statuses(const struct sim_msg *m, int is_template)
{
	int64_t		 t = now_ms(), d = sim.cfg.status_delay_ms;
	struct sim_fail	*fail;
	long		 code = 0;
	int64_t		*last;
	char		 key[128];

	if (!sim.cfg.statuses)
		return;
	if ((fail = smap_get(&sim.fails, m->to)) != NULL && !fail->sync)
		code = fail->code;
	snprintf(key, sizeof(key), "%s|%s", m->phone, m->to);
	last = smap_get(&sim.windows, key);
	if (code == 0 && !is_template && sim.cfg.window &&
	    (last == NULL || t - *last > 24LL * 3600 * 1000))
		code = 131047;
	if (code != 0) {
		sched(t + d, EV_STATUS, m->wamid, "failed", code, NULL);
		return;
	}
	sched(t + d, EV_STATUS, m->wamid, "sent", 0, NULL);
	sched(t + 2 * d, EV_STATUS, m->wamid, "delivered", 0, NULL);
	sched(t + 3 * d, EV_STATUS, m->wamid, "read", 0, NULL);
}

void
send_message(struct sreq *q, struct sresp *rs, struct sim_phone *p)
{
	const char		*mp, *to, *type, *st, *opaque;
	const struct sim_tpl	*t = NULL;
	struct sim_msg		*m;
	struct sim_fail		*fail;
	const char *const	*ty;
	char			 wa_id[24], own[24], d[128];
	cJSON			*o, *a, *it;

	if (q->json == NULL) {
		bad_param(rs, "the body must be JSON");
		return;
	}
	mp = param(q, "messaging_product");
	if (mp == NULL || strcasecmp(mp, "whatsapp") != 0) {
		if (mp == NULL)
			meta_error(rs, 100, 0, NULL, "The parameter "
			    "messaging_product is required.", NULL, NULL, NULL);
		else {
			snprintf(d, sizeof(d), "Param messaging_product must "
			    "be one of {WHATSAPP} - got \"%.32s\".", mp);
			meta_error(rs, 100, 0, NULL, d, NULL, NULL, NULL);
		}
		return;
	}
	if (!p->registered) {
		meta_error(rs, 133010, 0, NULL, "Account not registered",
		    "the phone number is not registered", NULL, NULL);
		return;
	}
	/* mark-as-read: same endpoint, no "to" */
	if ((st = param(q, "status")) != NULL && strcmp(st, "read") == 0) {
		if (param(q, "message_id") == NULL) {
			meta_error(rs, 100, 0, NULL, "The parameter message_id "
			    "is required.", NULL, NULL, NULL);
			return;
		}
		resp_success(rs);
		return;
	}
	if ((to = param(q, "to")) == NULL) {
		meta_error(rs, 100, 0, NULL, "The parameter to is required.",
		    NULL, NULL, NULL);
		return;
	}
	digits_of(to, wa_id, sizeof(wa_id));
	if (strlen(wa_id) < 5 || strlen(wa_id) > 15 || strlen(to) > 32 ||
	    strspn(to, "+0123456789 -()") != strlen(to)) {
		meta_error(rs, 131009, 0, NULL, "Parameter value is not valid",
		    "to is not a valid phone number", NULL, NULL);
		return;
	}
	digits_of(p->display, own, sizeof(own));
	if (strcmp(own, wa_id) == 0) {
		meta_error(rs, 131021, 0, NULL, "Recipient cannot be sender",
		    "Sender and recipient phone number is the same.", NULL,
		    NULL);
		return;
	}
	type = param(q, "type") != NULL ? param(q, "type") : "text";
	for (ty = msg_types; *ty != NULL && strcmp(*ty, type) != 0; ty++)
		;
	if (*ty == NULL) {
		bad_param(rs, "type is not a supported message type");
		return;
	}
	opaque = param(q, "biz_opaque_callback_data");
	if (opaque != NULL && (opaque[0] == '\0' || strlen(opaque) > 512)) {
		meta_error(rs, 131009, 0, NULL, "Parameter value is not valid",
		    "biz_opaque_callback_data must be 1-512 bytes", NULL,
		    NULL);
		return;
	}
	if (!payload_ok(p, type, cJSON_GetObjectItemCaseSensitive(q->json,
	    type), &t, rs) || !limits_ok(p, wa_id, rs))
		return;
	/* a recipient set to fail at once (POST /_sim/recipients) */
	if ((fail = smap_get(&sim.fails, wa_id)) != NULL && fail->sync) {
		meta_error(rs, fail->code, 0, NULL,
		    hook_failure_title(fail->code),
		    hook_failure_title(fail->code), NULL, NULL);
		return;
	}

	if (sim.msgs.n >= SIM_MAP_CAP)
		smap_clear(&sim.msgs, msg_free);
	m = xcalloc(1, sizeof(*m));
	new_wamid(m->wamid, sizeof(m->wamid));
	snprintf(m->phone, sizeof(m->phone), "%s", p->id);
	snprintf(m->to, sizeof(m->to), "%s", wa_id);
	/* lower case in pricing and origin, as Meta writes them */
	snprintf(m->category, sizeof(m->category), "%s", t != NULL ?
	    t->category : "service");
	for (char *c = m->category; *c != '\0'; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	m->opaque = opaque != NULL ? xstrdup(opaque) : NULL;
	smap_put(&sim.msgs, m->wamid, m);
	ledger_add(p->id, wa_id, m->wamid, m->opaque, 0, client_port(q));
	schedule_statuses(m, t != NULL);

	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "messaging_product", "whatsapp");
	a = cJSON_AddArrayToObject(o, "contacts");
	it = cJSON_CreateObject();
	cJSON_AddStringToObject(it, "input", to);
	cJSON_AddStringToObject(it, "wa_id", wa_id);
	cJSON_AddItemToArray(a, it);
	a = cJSON_AddArrayToObject(o, "messages");
	it = cJSON_CreateObject();
	cJSON_AddStringToObject(it, "id", m->wamid);
	if (t != NULL)
		cJSON_AddStringToObject(it, "message_status", "accepted");
	cJSON_AddItemToArray(a, it);
	resp_json(rs, 200, o);
}

