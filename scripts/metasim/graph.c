/*
 * Meta's Graph endpoints (contract §4, §6-§8) over the simulated state;
 * templates are in tpl.c.  Runs with sim.lock held.
 */
#include <sys/socket.h>
#include <netinet/in.h>

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

static int
is(const struct sreq *q, const char *m)
{
	return strcmp(q->method, m) == 0;
}

static void
bad_param(struct sresp *rs, const char *details)
{
	meta_error(rs, 100, 0, NULL, "Invalid parameter", details, NULL, NULL);
}

static size_t
nchars(const char *s)
{
	return wa_utf8_count(s, strlen(s));
}

/* ---- tokens ---------------------------------------------------------- */

static int
token_ok(struct sreq *q, struct sresp *rs)
{
	struct sim_token	*t;
	char			 msg[256];

	if (q->token == NULL) {
		meta_error(rs, 104, 0, NULL, "An access token is required to "
		    "request this resource.", NULL, NULL, NULL);
		return 0;
	}
	/* a new token appears covering nothing: it can only provision
	 * ids nobody holds (graph_route) */
	t = token_get(q->token, sim.cfg.auto_provision &&
	    strlen(q->token) <= 512 &&
	    strspn(q->token, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstu"
	    "vwxyz0123456789_.-|") == strlen(q->token));
	if (t == NULL || t->invalid) {
		meta_error(rs, 190, 0, NULL, "Malformed access token", NULL,
		    NULL, NULL);
		return 0;
	}
	if (t->expired) {
		snprintf(msg, sizeof(msg), "Error validating access token: "
		    "Session has expired on Saturday, 29-Jun-24 09:00:00 PDT. "
		    "The current time is Monday, 01-Jul-24 11:06:30 PDT.");
		meta_error(rs, 190, 463, NULL, msg, NULL, NULL, NULL);
		return 0;
	}
	return 1;
}

/*
 * An object that exists but that the token does not cover: Meta's
 * permission error (contract §11 item 2, code 200), whose HTTP status
 * the status profile picks (400 classic, 403 documented).
 */
static void
not_covered(struct sresp *rs, const char *what, const char *id)
{
	char	d[160];

	snprintf(d, sizeof(d), "the access token does not cover %s %.64s",
	    what, id);
	meta_error(rs, 200, 0, NULL, "Permissions error", d, NULL, NULL);
}

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

static unsigned	client_port(const struct sreq *);

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

static void
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

/* ---- business profile (§6) -------------------------------------------- */

static const char *const verticals[] = {
	"", "ALCOHOL", "APPAREL", "AUTO", "BEAUTY", "EDU", "ENTERTAIN",
	"EVENT_PLAN", "FINANCE", "GOVT", "GROCERY", "HEALTH", "HOTEL",
	"NONPROFIT", "ONLINE_GAMBLING", "OTC_DRUGS", "OTHER",
	"PHYSICAL_GAMBLING", "PROF_SERVICES", "RESTAURANT", "RETAIL",
	"TRAVEL", "UNDEFINED", "NOT_A_BIZ", NULL
};

static void
profile_get(struct sreq *q, struct sresp *rs, struct sim_phone *p)
{
	cJSON		*o, *data, *item, *it;
	const char	*fields = query(q, "fields");
	char		 want[64];

	o = cJSON_CreateObject();
	data = cJSON_AddArrayToObject(o, "data");
	item = cJSON_CreateObject();
	cJSON_ArrayForEach(it, p->profile) {
		snprintf(want, sizeof(want), ",%s,", it->string);
		if (fields != NULL) {
			char	*f = NULL;
			size_t	 n = strlen(fields) + 3;

			f = xcalloc(n, 1);
			snprintf(f, n, ",%s,", fields);
			if (strstr(f, want) == NULL) {
				free(f);
				continue;
			}
			free(f);
		}
		cJSON_AddItemToObject(item, it->string,
		    cJSON_Duplicate(it, 1));
	}
	cJSON_AddStringToObject(item, "messaging_product", "whatsapp");
	cJSON_AddItemToArray(data, item);
	resp_json(rs, 200, o);
}

static struct sim_upload *
upload_by_handle(const char *h)
{
	return h != NULL ? smap_get(&sim.handles, h) : NULL;
}

static void
profile_update(struct sreq *q, struct sresp *rs, struct sim_phone *p)
{
	static const struct { const char *name; size_t min, max; } strs[] = {
		{ "about", 1, 139 }, { "address", 0, 256 },
		{ "description", 0, 512 }, { "email", 0, 128 },
	};
	const char *const	*v;
	const cJSON		*it, *web;
	const char		*s, *mp = param(q, "messaging_product");
	struct sim_upload	*u;
	char			 d[160];
	size_t			 i;

	if (mp == NULL || strcmp(mp, "whatsapp") != 0) {
		meta_error(rs, 100, 0, NULL, "The parameter messaging_product "
		    "is required.", NULL, NULL, NULL);
		return;
	}
	for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		if ((s = param(q, strs[i].name)) == NULL)
			continue;
		if (nchars(s) < strs[i].min || nchars(s) > strs[i].max ||
		    (strcmp(strs[i].name, "email") == 0 && s[0] != '\0' &&
		    (strchr(s, '@') == NULL || strchr(s, '@') == s))) {
			snprintf(d, sizeof(d), "Param %s is not valid (%zu-%zu "
			    "characters%s)", strs[i].name, strs[i].min,
			    strs[i].max, strcmp(strs[i].name, "email") == 0 ?
			    ", an e-mail address" : "");
			bad_param(rs, d);
			return;
		}
	}
	if ((s = param(q, "vertical")) != NULL) {
		for (v = verticals; *v != NULL && strcmp(*v, s) != 0; v++)
			;
		if (*v == NULL) {
			bad_param(rs, "Param vertical must be one of the "
			    "documented verticals");
			return;
		}
	}
	web = q->json != NULL ? cJSON_GetObjectItemCaseSensitive(q->json,
	    "websites") : NULL;
	if (web != NULL) {
		if (!cJSON_IsArray(web) || cJSON_GetArraySize(web) > 2) {
			bad_param(rs, "Param websites must be an array of at "
			    "most 2 URLs");
			return;
		}
		cJSON_ArrayForEach(it, web) {
			s = cJSON_GetStringValue(it);
			if (s == NULL || strlen(s) > 256 ||
			    (strncmp(s, "http://", 7) != 0 &&
			    strncmp(s, "https://", 8) != 0)) {
				bad_param(rs, "Param websites[] must be "
				    "http(s) URLs of at most 256 characters");
				return;
			}
		}
	}
	s = param(q, "profile_picture_handle");
	u = upload_by_handle(s);
	if (s != NULL && u == NULL) {
		bad_param(rs, "Param profile_picture_handle is not a valid "
		    "upload handle");
		return;
	}
	for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		if ((s = param(q, strs[i].name)) != NULL) {
			cJSON_DeleteItemFromObject(p->profile, strs[i].name);
			if (s[0] != '\0')
				cJSON_AddStringToObject(p->profile,
				    strs[i].name, s);
		}
	if ((s = param(q, "vertical")) != NULL) {
		cJSON_DeleteItemFromObject(p->profile, "vertical");
		if (s[0] != '\0')
			cJSON_AddStringToObject(p->profile, "vertical", s);
	}
	if (web != NULL) {
		cJSON_DeleteItemFromObject(p->profile, "websites");
		cJSON_AddItemToObject(p->profile, "websites",
		    cJSON_Duplicate(web, 1));
	}
	if (u != NULL) {
		snprintf(d, sizeof(d), "%s/pps/%s", sim.base_url,
		    u->handle + strlen(u->handle) - 16);
		cJSON_DeleteItemFromObject(p->profile, "profile_picture_url");
		cJSON_AddStringToObject(p->profile, "profile_picture_url", d);
	}
	resp_success(rs);
}

/* ---- phone numbers (§7) ----------------------------------------------- */

static cJSON *
phone_json(const struct sim_phone *p, const char *fields)
{
	cJSON	*all = cJSON_CreateObject(), *o, *it, *next;
	char	 want[64], *f;
	size_t	 n;

	cJSON_AddStringToObject(all, "verified_name", p->verified_name);
	cJSON_AddStringToObject(all, "code_verification_status",
	    p->verified ? "VERIFIED" : "UNVERIFIED");
	cJSON_AddStringToObject(all, "display_phone_number", p->display);
	cJSON_AddStringToObject(all, "quality_rating", "GREEN");
	cJSON_AddStringToObject(all, "platform_type", "CLOUD_API");
	cJSON_AddStringToObject(all, "status", p->registered ? "CONNECTED" :
	    "PENDING");
	cJSON_AddStringToObject(all, "name_status", "APPROVED");
	cJSON_AddStringToObject(all, "account_mode", "SANDBOX");
	it = cJSON_AddObjectToObject(all, "throughput");
	cJSON_AddStringToObject(it, "level", "STANDARD");
	cJSON_AddStringToObject(all, "id", p->id);
	if (fields == NULL)
		fields = "verified_name,code_verification_status,"
		    "display_phone_number,quality_rating";
	n = strlen(fields) + 3;
	f = xcalloc(n, 1);
	snprintf(f, n, ",%s,", fields);
	o = cJSON_CreateObject();
	for (it = all->child; it != NULL; it = next) {
		next = it->next;
		snprintf(want, sizeof(want), ",%s,", it->string);
		if (strstr(f, want) != NULL || strcmp(it->string, "id") == 0)
			cJSON_AddItemToObject(o, it->string,
			    cJSON_DetachItemViaPointer(all, it));
	}
	free(f);
	cJSON_Delete(all);
	return o;
}

static void
request_code(struct sreq *q, struct sresp *rs, struct sim_phone *p)
{
	const char	*m = param(q, "code_method");
	const char	*lang = param(q, "language");

	if (lang == NULL)
		lang = param(q, "locale");
	if (m == NULL || (strcasecmp(m, "SMS") != 0 &&
	    strcasecmp(m, "VOICE") != 0)) {
		bad_param(rs, "Param code_method must be one of {SMS, VOICE}");
		return;
	}
	if (lang == NULL || strlen(lang) < 2 || strlen(lang) > 8) {
		bad_param(rs, "Param language is required");
		return;
	}
	rand_digits(p->code, 6);
	p->code_expires_ms = now_ms() + 10 * 60 * 1000;
	resp_success(rs);
}

static void
verify_code(struct sreq *q, struct sresp *rs, struct sim_phone *p)
{
	const char	*code = param(q, "code");

	if (code == NULL) {
		bad_param(rs, "Param code is required");
		return;
	}
	if (p->code[0] == '\0' || now_ms() > p->code_expires_ms ||
	    strcmp(code, p->code) != 0) {
		meta_error(rs, 136025, 0, NULL, "Verify code error",
		    "the code is wrong or has expired; request a new one",
		    NULL, NULL);
		return;
	}
	p->code[0] = '\0';
	p->verified = 1;
	resp_success(rs);
}

/* ---- media (§8) ------------------------------------------------------- */

static const struct {
	const char	*mime;
	size_t		 max;
} media_types[] = {
	{ "audio/aac", 16u << 20 }, { "audio/amr", 16u << 20 },
	{ "audio/mpeg", 16u << 20 }, { "audio/mp4", 16u << 20 },
	{ "audio/ogg", 16u << 20 }, { "text/plain", 100u << 20 },
	{ "application/pdf", 100u << 20 },
	{ "application/msword", 100u << 20 },
	{ "application/vnd.openxmlformats-officedocument.wordprocessingml."
	    "document", 100u << 20 },
	{ "application/vnd.ms-excel", 100u << 20 },
	{ "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	    100u << 20 },
	{ "application/vnd.ms-powerpoint", 100u << 20 },
	{ "application/vnd.openxmlformats-officedocument.presentationml."
	    "presentation", 100u << 20 },
	{ "image/jpeg", 5u << 20 }, { "image/png", 5u << 20 },
	{ "image/webp", 500u << 10 }, { "video/mp4", 16u << 20 },
	{ "video/3gpp", 16u << 20 },
};

struct part {
	const char	*name;
	size_t		 name_len;
	const char	*ctype;
	size_t		 ctype_len;
	const char	*data;
	size_t		 len;
};

static const char *
memfind(const char *h, size_t hn, const char *n, size_t nn)
{
	size_t	i;

	for (i = 0; nn <= hn && i <= hn - nn; i++)
		if (memcmp(h + i, n, nn) == 0)
			return h + i;
	return NULL;
}

/* A small multipart/form-data reader: up to max parts. */
static int
multipart(const struct sreq *q, struct part *parts, int max)
{
	const char	*b, *p, *end, *hdr_end, *next, *v;
	char		 delim[200];
	size_t		 dn;
	int		 n = 0;

	if (q->ctype == NULL || (b = strstr(q->ctype, "boundary=")) == NULL)
		return -1;
	b += 9;
	dn = (size_t)snprintf(delim, sizeof(delim), "\r\n--%.*s",
	    (int)strcspn(b, "; \""), b + (*b == '"'));
	if (dn >= sizeof(delim))
		return -1;
	end = q->body + q->len;
	/* the first delimiter has no CRLF before it */
	if ((p = memfind(q->body, q->len, delim + 2, dn - 2)) == NULL)
		return -1;
	p += dn - 2;
	while (n < max && p + 2 <= end && memcmp(p, "--", 2) != 0) {
		p += 2;			/* CRLF after the delimiter */
		if ((hdr_end = memfind(p, (size_t)(end - p), "\r\n\r\n",
		    4)) == NULL)
			return -1;
		memset(&parts[n], 0, sizeof(parts[n]));
		if ((v = memfind(p, (size_t)(hdr_end - p), "name=\"", 6)) !=
		    NULL) {
			parts[n].name = v + 6;
			parts[n].name_len = strcspn(v + 6, "\"");
		}
		if ((v = memfind(p, (size_t)(hdr_end - p), "Content-Type: ",
		    14)) != NULL) {
			parts[n].ctype = v + 14;
			parts[n].ctype_len = strcspn(v + 14, "\r");
		}
		parts[n].data = hdr_end + 4;
		if ((next = memfind(parts[n].data, (size_t)(end -
		    parts[n].data), delim, dn)) == NULL)
			return -1;
		parts[n].len = (size_t)(next - parts[n].data);
		n++;
		p = next + dn;
	}
	return n;
}

static const struct part *
part_named(const struct part *parts, int n, const char *name)
{
	int	i;

	for (i = 0; i < n; i++)
		if (parts[i].name != NULL &&
		    parts[i].name_len == strlen(name) &&
		    strncmp(parts[i].name, name, parts[i].name_len) == 0)
			return &parts[i];
	return NULL;
}

static void
media_upload(struct sreq *q, struct sresp *rs, struct sim_phone *p)
{
	struct part		 parts[8];
	const struct part	*mp, *ty, *file;
	struct sim_media	*m;
	unsigned char		 sum[32];
	char			 mime[128];
	size_t			 i;
	int			 n;
	cJSON			*o;

	if ((n = multipart(q, parts, 8)) < 0) {
		bad_param(rs, "the body must be multipart/form-data");
		return;
	}
	mp = part_named(parts, n, "messaging_product");
	ty = part_named(parts, n, "type");
	file = part_named(parts, n, "file");
	if (mp == NULL || mp->len != 8 || memcmp(mp->data, "whatsapp", 8)) {
		meta_error(rs, 100, 0, NULL, "The parameter messaging_product "
		    "is required.", NULL, NULL, NULL);
		return;
	}
	if (ty == NULL || file == NULL || file->len == 0 ||
	    ty->len >= sizeof(mime)) {
		bad_param(rs, "Params type and file are required");
		return;
	}
	snprintf(mime, sizeof(mime), "%.*s", (int)ty->len, ty->data);
	for (i = 0; i < sizeof(media_types) / sizeof(media_types[0]); i++)
		if (strcmp(media_types[i].mime, mime) == 0)
			break;
	if (i == sizeof(media_types) / sizeof(media_types[0]) ||
	    (file->ctype != NULL && (file->ctype_len != strlen(mime) ||
	    strncmp(file->ctype, mime, file->ctype_len) != 0))) {
		meta_error(rs, 131053, 0, NULL, "Media upload error",
		    "Param file must be a file of a supported type matching "
		    "Param type", NULL, NULL);
		return;
	}
	if (file->len > media_types[i].max ||
	    sim.media_bytes + file->len > SIM_MEDIA_TOTAL) {
		meta_error(rs, 131053, 0, NULL, "Media upload error",
		    "the file is larger than its type allows", NULL, NULL);
		return;
	}
	m = xcalloc(1, sizeof(*m));
	rand_digits(m->id, 16);
	snprintf(m->phone, sizeof(m->phone), "%s", p->id);
	m->mime = xstrdup(mime);
	m->data = xcalloc(file->len, 1);
	memcpy(m->data, file->data, file->len);
	m->len = file->len;
	wa_crypto_sha256(m->data, m->len, sum);
	wa_crypto_hex(sum, sizeof(sum), m->sha256);
	rand_token(m->sig, 20);
	sim.media_bytes += m->len;
	smap_put(&sim.media, m->id, m);
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "id", m->id);
	resp_json(rs, 200, o);
}

static void
media_get(struct sreq *q, struct sresp *rs, struct sim_media *m)
{
	cJSON	*o = cJSON_CreateObject();
	char	 url[256], size[24];

	(void)q;
	snprintf(url, sizeof(url), "%s/_media/%s?sig=%s", sim.base_url, m->id,
	    m->sig);
	snprintf(size, sizeof(size), "%zu", m->len);
	cJSON_AddStringToObject(o, "messaging_product", "whatsapp");
	cJSON_AddStringToObject(o, "url", url);
	cJSON_AddStringToObject(o, "mime_type", m->mime);
	cJSON_AddStringToObject(o, "sha256", m->sha256);
	cJSON_AddStringToObject(o, "file_size", size);
	cJSON_AddStringToObject(o, "id", m->id);
	resp_json(rs, 200, o);
}

/* ---- resumable upload (§6.3) ------------------------------------------ */

static const char *const upload_types[] = {
	"application/pdf", "image/jpeg", "image/jpg", "image/png",
	"video/mp4", NULL
};

static void
upload_start(struct sreq *q, struct sresp *rs)
{
	const char *const	*t;
	const char		*name = param(q, "file_name");
	const char		*len = param(q, "file_length");
	const char		*type = param(q, "file_type");
	struct sim_upload	*u;
	unsigned char		 raw[24];
	char			*id, sig[24], sess[128];
	unsigned long		 n;
	cJSON			*o;

	if (name == NULL || name[0] == '\0' || strlen(name) > 255 ||
	    len == NULL || strspn(len, "0123456789") != strlen(len) ||
	    len[0] == '\0' || strlen(len) > 10 || type == NULL) {
		bad_param(rs, "Params file_name, file_length and file_type are "
		    "required");
		return;
	}
	for (t = upload_types; *t != NULL && strcmp(*t, type) != 0; t++)
		;
	if (sim.uploads.n >= SIM_UPLOADS_MAX) {
		meta_error(rs, 4, 0, NULL, "Application request limit reached",
		    "too many open upload sessions", NULL, NULL);
		return;
	}
	n = strtoul(len, NULL, 10);
	if (*t == NULL || n == 0 || n > SIM_BODY_MAX) {
		bad_param(rs, "Param file_type must be one of application/pdf, "
		    "image/jpeg, image/jpg, image/png, video/mp4, and "
		    "file_length 1-33554432");
		return;
	}
	if (wa_crypto_random(raw, sizeof(raw)) != 0)
		abort();
	id = b64(raw, sizeof(raw));
	/* a path segment: no "/" in it */
	for (char *c = id; *c != '\0'; c++)
		if (*c == '/')
			*c = '_';
	rand_token(sig, 19);
	snprintf(sess, sizeof(sess), "upload:%s?sig=%s", id, sig);
	free(id);
	u = xcalloc(1, sizeof(*u));
	u->session = xstrdup(sess);
	u->file_name = xstrdup(name);
	u->type = xstrdup(type);
	u->length = n;
	smap_put(&sim.uploads, sess, u);
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "id", sess);
	resp_json(rs, 200, o);
}

static void
upload_session(struct sreq *q, struct sresp *rs)
{
	struct sim_upload	*u;
	const char		*sig = query(q, "sig");
	char			 sess[256], tok[24], *mime, h[400];
	unsigned long		 off;
	cJSON			*o;

	/* the ?sig= of the session id arrives as a query parameter */
	snprintf(sess, sizeof(sess), "%s?sig=%s", q->segs[0], sig != NULL ?
	    sig : "");
	if ((u = smap_get(&sim.uploads, sess)) == NULL) {
		unknown_object(rs, q, q->segs[0]);
		return;
	}
	if (strcmp(q->method, "GET") == 0) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "id", u->session);
		cJSON_AddNumberToObject(o, "file_offset", (double)u->offset);
		resp_json(rs, 200, o);
		return;
	}
	if (strcmp(q->auth_scheme, "query") == 0) {
		bad_param(rs, "the access token must be sent in the "
		    "Authorization header");
		return;
	}
	if (q->file_offset == NULL || q->file_offset[0] == '\0' ||
	    strspn(q->file_offset, "0123456789") != strlen(q->file_offset) ||
	    (off = strtoul(q->file_offset, NULL, 10)) != u->offset) {
		snprintf(h, sizeof(h), "the file_offset header must be the "
		    "session's offset, %zu", u->offset);
		bad_param(rs, h);
		return;
	}
	if (u->handle != NULL || q->len > u->length - u->offset) {
		bad_param(rs, "more bytes than file_length");
		return;
	}
	if (u->data == NULL)
		u->data = xcalloc(u->length, 1);
	memcpy(u->data + u->offset, q->body, q->len);
	u->offset += q->len;
	o = cJSON_CreateObject();
	if (u->offset < u->length) {
		cJSON_AddStringToObject(o, "id", u->session);
		cJSON_AddNumberToObject(o, "file_offset", (double)u->offset);
		resp_json(rs, 200, o);
		return;
	}
	mime = b64((const unsigned char *)u->type, strlen(u->type));
	rand_token(tok, 16);
	snprintf(h, sizeof(h), "4::%s:%s:e:%lld:%s:%s", mime, tok,
	    (long long)(now_ms() / 1000 + 30 * 86400), sim.app_id, tok);
	free(mime);
	u->handle = xstrdup(h);
	smap_put(&sim.handles, u->handle, u);
	cJSON_AddStringToObject(o, "h", u->handle);
	resp_json(rs, 200, o);
}

/* ---- routing ----------------------------------------------------------- */

static void
waba_route(struct sreq *q, struct sresp *rs, struct sim_waba *w)
{
	const char		*edge = q->nsegs > 1 ? q->segs[1] : NULL;
	struct smap_ent		*e;
	size_t			 i;
	cJSON			*o, *data;

	if (edge == NULL && is(q, "GET")) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "id", w->id);
		cJSON_AddStringToObject(o, "name", "Sandbox Business");
		cJSON_AddStringToObject(o, "timezone_id", "1");
		cJSON_AddStringToObject(o, "message_template_namespace", w->ns);
		resp_json(rs, 200, o);
	} else if (edge != NULL && strcmp(edge, "message_templates") == 0 &&
	    q->nsegs == 2) {
		if (is(q, "GET"))
			tpl_list(q, rs, w);
		else if (is(q, "POST"))
			tpl_create(q, rs, w);
		else if (is(q, "DELETE"))
			tpl_delete(q, rs, w);
		else
			unknown_object(rs, q, w->id);
	} else if (edge != NULL && strcmp(edge, "phone_numbers") == 0 &&
	    is(q, "GET")) {
		o = cJSON_CreateObject();
		data = cJSON_AddArrayToObject(o, "data");
		for (e = smap_first(&sim.phones, &i); e != NULL;
		    e = smap_next(&sim.phones, e, &i)) {
			struct sim_phone *p = e->val;

			/* the caller's own unbound numbers join the WABA
			 * it lists (it covers it: checked by the caller) */
			if (p->waba == NULL && strcmp(p->token, q->token) == 0)
				p->waba = w;
			if (phone_waba(p) == w)
				cJSON_AddItemToArray(data, phone_json(p,
				    query(q, "fields")));
		}
		resp_json(rs, 200, o);
	} else
		meta_error(rs, 2500, 0, NULL, "Unknown path components", NULL,
		    NULL, NULL);
}

static void
phone_route(struct sreq *q, struct sresp *rs, struct sim_phone *p)
{
	const char	*edge = q->nsegs > 1 ? q->segs[1] : NULL;

	if (edge == NULL && is(q, "GET"))
		resp_json(rs, 200, phone_json(p, query(q, "fields")));
	else if (edge == NULL)
		unknown_object(rs, q, p->id);
	else if (strcmp(edge, "messages") == 0 && is(q, "POST"))
		send_message(q, rs, p);
	else if (strcmp(edge, "whatsapp_business_profile") == 0 &&
	    is(q, "GET"))
		profile_get(q, rs, p);
	else if (strcmp(edge, "whatsapp_business_profile") == 0 &&
	    is(q, "POST"))
		profile_update(q, rs, p);
	else if (strcmp(edge, "request_code") == 0 && is(q, "POST"))
		request_code(q, rs, p);
	else if (strcmp(edge, "verify_code") == 0 && is(q, "POST"))
		verify_code(q, rs, p);
	else if (strcmp(edge, "media") == 0 && is(q, "POST"))
		media_upload(q, rs, p);
	else
		meta_error(rs, 2500, 0, NULL, "Unknown path components", NULL,
		    NULL, NULL);
}

/* Edges that tell an unknown id's kind, for auto-provisioning. */
static int
phone_edge(const char *e)
{
	return e != NULL && (strcmp(e, "messages") == 0 ||
	    strcmp(e, "whatsapp_business_profile") == 0 ||
	    strcmp(e, "request_code") == 0 || strcmp(e, "verify_code") == 0 ||
	    strcmp(e, "media") == 0);
}

static void
route(struct sreq *q, struct sresp *rs)
{
	const char		*id, *edge;
	struct sim_waba		*w;
	struct sim_phone	*p;
	struct sim_tpl		*t;
	struct sim_media	*m;
	int			 ap = sim.cfg.auto_provision, bare;

	if (q->nsegs == 0) {
		meta_error(rs, 2500, 0, NULL, "Unknown path components", NULL,
		    NULL, NULL);
		return;
	}
	if (!token_ok(q, rs))
		return;
	id = q->segs[0];
	edge = q->nsegs > 1 ? q->segs[1] : NULL;
	if (strncmp(id, "upload:", 7) == 0 && q->nsegs == 1) {
		upload_session(q, rs);
		return;
	}
	if (strcmp(id, sim.app_id) == 0) {
		if (edge != NULL && strcmp(edge, "uploads") == 0 &&
		    is(q, "POST") && q->nsegs == 2)
			upload_start(q, rs);
		else
			unknown_object(rs, q, id);
		return;
	}
	/*
	 * Auto-provisioning makes only ids nobody holds, for the token
	 * that named them: the lookups below find an existing object
	 * first, and an existing one the token does not cover is Meta's
	 * permission error, whoever asks.
	 */
	if ((w = waba_get(id, q->token, ap && edge != NULL &&
	    (strcmp(edge, "message_templates") == 0 ||
	    strcmp(edge, "phone_numbers") == 0))) != NULL) {
		if (!token_covers(q->token, w))
			not_covered(rs, "WhatsApp Business Account", id);
		else
			waba_route(q, rs, w);
		return;
	}
	/* a bare GET of an unknown id (no template, no media) reads a
	 * number, as wagate does before it attaches one */
	bare = edge == NULL && is(q, "GET") &&
	    smap_get(&sim.tpls, id) == NULL && smap_get(&sim.media, id) == NULL;
	if ((p = phone_get(id, q->token, ap && (phone_edge(edge) ||
	    bare))) != NULL) {
		if (!token_reaches(q->token, p))
			not_covered(rs, "phone number", id);
		else
			phone_route(q, rs, p);
		return;
	}
	if ((t = smap_get(&sim.tpls, id)) != NULL && q->nsegs == 1) {
		if (!token_covers(q->token, t->waba))
			not_covered(rs, "message template", id);
		else if (is(q, "GET"))
			tpl_get(q, rs, t);
		else if (is(q, "POST"))
			tpl_edit(q, rs, t);
		else
			unknown_object(rs, q, id);
		return;
	}
	if ((m = smap_get(&sim.media, id)) != NULL && q->nsegs == 1 &&
	    (p = smap_get(&sim.phones, m->phone)) != NULL &&
	    token_reaches(q->token, p)) {
		if (is(q, "GET"))
			media_get(q, rs, m);
		else if (is(q, "DELETE")) {
			smap_del(&sim.media, id);
			sim.media_bytes -= m->len;
			media_free(m);
			resp_success(rs);
		} else
			unknown_object(rs, q, id);
		return;
	}
	unknown_object(rs, q, id);
}

/* The client's TCP port, which tells its connections apart. */
static unsigned
client_port(const struct sreq *q)
{
	const union MHD_ConnectionInfo	*ci;
	const struct sockaddr		*sa;

	if (q->conn == NULL || (ci = MHD_get_connection_info(q->conn,
	    MHD_CONNECTION_INFO_CLIENT_ADDRESS)) == NULL ||
	    (sa = ci->client_addr) == NULL)
		return 0;
	if (sa->sa_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)(const void *)
		    sa)->sin_port);
	if (sa->sa_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)(const void *)
		    sa)->sin6_port);
	return 0;
}

/* The code of the Meta error an answer carries, or 1. */
static long
answer_code(const struct sresp *rs)
{
	cJSON	*v;
	long	 code = 1;
	double	 d;

	if (rs->body == NULL || (v = cJSON_Parse(rs->body)) == NULL)
		return code;
	d = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(v, "error"), "code"));
	if (d >= 1 && d < 1e9)
		code = (long)d;
	cJSON_Delete(v);
	return code;
}

void
graph_route(struct sreq *q, struct sresp *rs)
{
	const char	*st;
	unsigned	 port = client_port(q);
	int		 send;

	if (port != 0 && !(sim.ports[port / 8] & (1u << (port % 8)))) {
		sim.ports[port / 8] |= (unsigned char)(1u << (port % 8));
		sim.connections++;
	}
	route(q, rs);
	/* a refused send goes into the ledger (an accepted one did) */
	send = q->nsegs == 2 && strcmp(q->segs[1], "messages") == 0 &&
	    is(q, "POST") && ((st = param(q, "status")) == NULL ||
	    strcmp(st, "read") != 0);
	if (send && rs->status != 200)
		ledger_add(q->segs[0], param(q, "to") != NULL ?
		    param(q, "to") : "", NULL, param(q,
		    "biz_opaque_callback_data"), answer_code(rs), port);
}
