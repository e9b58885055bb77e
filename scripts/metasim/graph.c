/*
 * Meta's Graph endpoints (contract §4, §6-§8) over the simulated state:
 * the routing, tokens, business profiles and phone numbers; messages are
 * in send.c, media and uploads in media.c, templates in tpl.c.  Runs
 * with sim.lock held.
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

int
method_is(const struct sreq *q, const char *m)
{
	return strcmp(q->method, m) == 0;
}

void
bad_param(struct sresp *rs, const char *details)
{
	meta_error(rs, 100, 0, NULL, "Invalid parameter", details, NULL, NULL);
}

size_t
nchars(const char *s)
{
	return wa_utf8_count(s, strlen(s));
}

/* ---- tokens ---------------------------------------------------------- */

int
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
void
not_covered(struct sresp *rs, const char *what, const char *id)
{
	char	d[160];

	snprintf(d, sizeof(d), "the access token does not cover %s %.64s",
	    what, id);
	meta_error(rs, 200, 0, NULL, "Permissions error", d, NULL, NULL);
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

/* ---- routing ----------------------------------------------------------- */

static void
waba_route(struct sreq *q, struct sresp *rs, struct sim_waba *w)
{
	const char		*edge = q->nsegs > 1 ? q->segs[1] : NULL;
	struct smap_ent		*e;
	size_t			 i;
	cJSON			*o, *data;

	if (edge == NULL && method_is(q, "GET")) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "id", w->id);
		cJSON_AddStringToObject(o, "name", "Sandbox Business");
		cJSON_AddStringToObject(o, "timezone_id", "1");
		cJSON_AddStringToObject(o, "message_template_namespace", w->ns);
		resp_json(rs, 200, o);
	} else if (edge != NULL && strcmp(edge, "message_templates") == 0 &&
	    q->nsegs == 2) {
		if (method_is(q, "GET"))
			tpl_list(q, rs, w);
		else if (method_is(q, "POST"))
			tpl_create(q, rs, w);
		else if (method_is(q, "DELETE"))
			tpl_delete(q, rs, w);
		else
			unknown_object(rs, q, w->id);
	} else if (edge != NULL && strcmp(edge, "phone_numbers") == 0 &&
	    method_is(q, "GET")) {
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

	if (edge == NULL && method_is(q, "GET"))
		resp_json(rs, 200, phone_json(p, query(q, "fields")));
	else if (edge == NULL)
		unknown_object(rs, q, p->id);
	else if (strcmp(edge, "messages") == 0 && method_is(q, "POST"))
		send_message(q, rs, p);
	else if (strcmp(edge, "whatsapp_business_profile") == 0 &&
	    method_is(q, "GET"))
		profile_get(q, rs, p);
	else if (strcmp(edge, "whatsapp_business_profile") == 0 &&
	    method_is(q, "POST"))
		profile_update(q, rs, p);
	else if (strcmp(edge, "request_code") == 0 && method_is(q, "POST"))
		request_code(q, rs, p);
	else if (strcmp(edge, "verify_code") == 0 && method_is(q, "POST"))
		verify_code(q, rs, p);
	else if (strcmp(edge, "media") == 0 && method_is(q, "POST"))
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
		    method_is(q, "POST") && q->nsegs == 2)
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
	bare = edge == NULL && method_is(q, "GET") &&
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
		else if (method_is(q, "GET"))
			tpl_get(q, rs, t);
		else if (method_is(q, "POST"))
			tpl_edit(q, rs, t);
		else
			unknown_object(rs, q, id);
		return;
	}
	if ((m = smap_get(&sim.media, id)) != NULL && q->nsegs == 1 &&
	    (p = smap_get(&sim.phones, m->phone)) != NULL &&
	    token_reaches(q->token, p)) {
		if (method_is(q, "GET"))
			media_get(q, rs, m);
		else if (method_is(q, "DELETE")) {
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
unsigned
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
	    method_is(q, "POST") && ((st = param(q, "status")) == NULL ||
	    strcmp(st, "read") != 0);
	if (send && rs->status != 200)
		ledger_add(q->segs[0], param(q, "to") != NULL ?
		    param(q, "to") : "", NULL, param(q,
		    "biz_opaque_callback_data"), answer_code(rs), port);
}
