/*
 * Message templates (contract §5): list with fields and cursors,
 * create (PENDING, then reviewed), edit, delete, get.  The component
 * rules are lib/graph/tpl.c's, answered the way Meta answers them: code
 * 100 with a subcode, error_user_title and error_user_msg.  Runs with
 * sim.lock held.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "graph/graph.h"
#include "metasim.h"

#define DAY_MS		(24LL * 3600 * 1000)

struct first {
	char	path[160];
	char	msg[256];
	long	subcode;
	int	n;
};

static void
on_problem(void *ctx, const char *path, const char *msg, long subcode)
{
	struct first	*f = ctx;

	if (f->n++ > 0)
		return;
	snprintf(f->path, sizeof(f->path), "%s", path);
	snprintf(f->msg, sizeof(f->msg), "%s", msg);
	f->subcode = subcode;
}

static int
handle_known(const char *h)
{
	return smap_get(&sim.handles, h) != NULL;
}

/* Meta's answer to a template that breaks a rule: 1 if it did. */
static int
components_bad(struct sresp *rs, const cJSON *comps, const char *category)
{
	struct first	f;
	char		d[480];

	memset(&f, 0, sizeof(f));
	if (wa_graph_tpl_check(comps, category, handle_known, on_problem,
	    &f) == 0)
		return 0;
	snprintf(d, sizeof(d), "%s %s", f.path, f.msg);
	meta_error(rs, 100, f.subcode, NULL, "Invalid parameter", d,
	    "Message template is not valid", d);
	return 1;
}

static void
upper(char *s)
{
	for (; *s != '\0'; s++)
		if (*s >= 'a' && *s <= 'z')
			*s = (char)(*s - 'a' + 'A');
}

static int64_t
review_due(const struct sim_waba *w)
{
	int	ms = w->review_ms >= 0 ? w->review_ms : sim.cfg.review_ms;

	return ms > 0 ? now_ms() + ms : 0;
}

/* ---- JSON of a template ----------------------------------------------- */

static int
wanted(const char *fields, const char *name)
{
	const char	*p;
	size_t		 n = strlen(name);

	if (fields == NULL || strcmp(name, "id") == 0)
		return 1;
	for (p = fields; (p = strstr(p, name)) != NULL; p += n)
		if ((p == fields || p[-1] == ',') && (p[n] == ',' ||
		    p[n] == '\0'))
			return 1;
	return 0;
}

cJSON *
tpl_json(const struct sim_tpl *t, const char *fields)
{
	cJSON	*o = cJSON_CreateObject();

	if (wanted(fields, "name"))
		cJSON_AddStringToObject(o, "name", t->name);
	if (wanted(fields, "parameter_format"))
		cJSON_AddStringToObject(o, "parameter_format", t->format);
	if (wanted(fields, "components"))
		cJSON_AddItemToObject(o, "components",
		    cJSON_Duplicate(t->components, 1));
	if (wanted(fields, "language"))
		cJSON_AddStringToObject(o, "language", t->lang);
	if (wanted(fields, "status"))
		cJSON_AddStringToObject(o, "status", t->status);
	if (wanted(fields, "category"))
		cJSON_AddStringToObject(o, "category", t->category);
	if (fields != NULL && wanted(fields, "rejected_reason"))
		cJSON_AddStringToObject(o, "rejected_reason",
		    t->reason[0] != '\0' ? t->reason : "NONE");
	if (fields != NULL && wanted(fields, "message_send_ttl_seconds") &&
	    t->ttl > 0)
		cJSON_AddNumberToObject(o, "message_send_ttl_seconds", t->ttl);
	cJSON_AddStringToObject(o, "id", t->id);
	return o;
}

/* ---- list --------------------------------------------------------------- */

static int
status_in(const char *list, const char *status)
{
	char	buf[256], *p, *save = NULL;

	if (list == NULL)
		return 1;
	snprintf(buf, sizeof(buf), "%s", list);
	for (p = strtok_r(buf, ",", &save); p != NULL;
	    p = strtok_r(NULL, ",", &save))
		if (strcasecmp(p, status) == 0)
			return 1;
	return 0;
}

static char *
cursor(size_t pos)
{
	char	raw[32];

	snprintf(raw, sizeof(raw), "pos:%zu", pos);
	return b64((const unsigned char *)raw, strlen(raw));
}

/* A cursor back to a position; (size_t)-1 if it is not ours. */
static size_t
uncursor(const char *c)
{
	unsigned char	raw[32];
	char		*end;
	int		 n;
	unsigned long	 pos;

	if ((n = b64dec(c, raw, sizeof(raw) - 1)) < 5 ||
	    memcmp(raw, "pos:", 4) != 0)
		return (size_t)-1;
	raw[n] = '\0';
	pos = strtoul((char *)raw + 4, &end, 10);
	if (*end != '\0' || end == (char *)raw + 4 || pos > 1000000)
		return (size_t)-1;
	return pos;
}

void
tpl_list(struct sreq *q, struct sresp *rs, struct sim_waba *w)
{
	const char	*fields = query(q, "fields"), *lim = query(q, "limit");
	const char	*name = query(q, "name"), *st = query(q, "status");
	const char	*cat = query(q, "category");
	const char	*lang = query(q, "language");
	const char	*after = query(q, "after");
	struct sim_tpl	**match;
	size_t		 n = 0, i, start = 0, limit = 25, end;
	cJSON		*o, *data, *paging, *cur;
	char		*c, url[1024];

	if (lim != NULL) {
		limit = strtoul(lim, NULL, 10);
		if (limit == 0 || limit > 1000)
			limit = 25;
	}
	if (after != NULL && (start = uncursor(after)) == (size_t)-1) {
		meta_error(rs, 100, 0, NULL, "Invalid parameter",
		    "the after cursor is not valid", NULL, NULL);
		return;
	}
	match = xcalloc(w->ntpls, sizeof(*match));
	for (i = 0; i < w->ntpls; i++) {
		struct sim_tpl *t = w->tpls[i];

		if ((name != NULL && strcmp(t->name, name) != 0) ||
		    !status_in(st, t->status) || (cat != NULL &&
		    strcasecmp(cat, t->category) != 0) || (lang != NULL &&
		    strcmp(lang, t->lang) != 0))
			continue;
		match[n++] = t;
	}
	o = cJSON_CreateObject();
	data = cJSON_AddArrayToObject(o, "data");
	end = start + limit < n ? start + limit : n;
	for (i = start; i < end; i++)
		cJSON_AddItemToArray(data, tpl_json(match[i], fields));
	if (end > start) {
		paging = cJSON_AddObjectToObject(o, "paging");
		cur = cJSON_AddObjectToObject(paging, "cursors");
		c = cursor(start);
		cJSON_AddStringToObject(cur, "before", c);
		free(c);
		c = cursor(end);
		cJSON_AddStringToObject(cur, "after", c);
		if (end < n) {
			/* Graph's next embeds the token (contract §1.5) */
			snprintf(url, sizeof(url), "%s/%s/%s/message_templates?"
			    "limit=%zu&after=%s&access_token=%.200s",
			    sim.base_url, sim.version, w->id, limit, c,
			    q->token);
			cJSON_AddStringToObject(paging, "next", url);
		}
		free(c);
	}
	free(match);
	resp_json(rs, 200, o);
}

/* ---- create, edit, delete, get ----------------------------------------- */

void
tpl_create(struct sreq *q, struct sresp *rs, struct sim_waba *w)
{
	const char	*name = param(q, "name"), *lang = param(q, "language");
	const char	*cat = param(q, "category");
	const char	*fmt = param(q, "parameter_format");
	const cJSON	*comps = q->json != NULL ?
			    cJSON_GetObjectItemCaseSensitive(q->json,
			    "components") : NULL;
	struct sim_tpl	*t;
	char		 category[16];
	size_t		 i;
	cJSON		*o;

	if (!wa_graph_tpl_name_ok(name, 0)) {
		meta_error(rs, 100, 0, NULL, "Invalid parameter", "name must "
		    "be 1-512 lower-case letters, digits and underscores",
		    "Template name is not valid", "Use only lower-case "
		    "letters, numbers and underscores.");
		return;
	}
	if (!wa_graph_language_ok(lang)) {
		meta_error(rs, 100, 0, NULL, "Invalid parameter", "language is "
		    "not a supported template language", NULL, NULL);
		return;
	}
	snprintf(category, sizeof(category), "%s", cat != NULL ? cat : "");
	upper(category);
	if (!wa_graph_tpl_category_ok(category)) {
		meta_error(rs, 100, 0, NULL, "Invalid parameter", "category "
		    "must be one of MARKETING, UTILITY, AUTHENTICATION", NULL,
		    NULL);
		return;
	}
	if (fmt != NULL && strcasecmp(fmt, "positional") != 0) {
		meta_error(rs, 100, 0, NULL, "Invalid parameter", "this "
		    "simulator accepts positional parameters only", NULL, NULL);
		return;
	}
	if (components_bad(rs, comps, category))
		return;
	if (tpl_find(w, name, lang) != NULL) {
		meta_error(rs, 100, 2388024, NULL, "Invalid parameter",
		    "Content in This Language Already Exists",
		    "Content in This Language Already Exists", "There is "
		    "already content for this template in this language.");
		return;
	}
	for (i = 0; i < w->ngone; i++)
		if (strcmp(w->gone[i].name, name) == 0 &&
		    now_ms() - w->gone[i].at_ms < 30 * DAY_MS) {
			meta_error(rs, 100, 2388023, NULL, "Invalid parameter",
			    "the name of a deleted template can be used again "
			    "after 30 days", "Message template is being "
			    "deleted", "Use another name.");
			return;
		}
	if (w->ntpls >= SIM_TPL_MAX) {
		meta_error(rs, 100, 2388019, NULL, "Invalid parameter",
		    "Message template limit exceeded", NULL, NULL);
		return;
	}
	t = xcalloc(1, sizeof(*t));
	rand_digits(t->id, 16);
	t->name = xstrdup(name);
	snprintf(t->lang, sizeof(t->lang), "%s", lang);
	snprintf(t->category, sizeof(t->category), "%s", category);
	snprintf(t->status, sizeof(t->status), "PENDING");
	snprintf(t->format, sizeof(t->format), "POSITIONAL");
	t->components = cJSON_Duplicate(comps, 1);
	t->created_ms = now_ms();
	t->waba = w;
	if (w->ntpls == w->cap) {
		w->cap = w->cap == 0 ? 8 : w->cap * 2;
		w->tpls = realloc(w->tpls, w->cap * sizeof(*w->tpls));
		if (w->tpls == NULL)
			abort();
	}
	w->tpls[w->ntpls++] = t;
	smap_put(&sim.tpls, t->id, t);
	if (review_due(w) > 0)
		sched(review_due(w), EV_REVIEW, t->id, NULL, 0, NULL);
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "id", t->id);
	cJSON_AddStringToObject(o, "status", t->status);
	cJSON_AddStringToObject(o, "category", t->category);
	resp_json(rs, 200, o);
}

void
tpl_get(struct sreq *q, struct sresp *rs, struct sim_tpl *t)
{
	resp_json(rs, 200, tpl_json(t, query(q, "fields")));
}

void
tpl_edit(struct sreq *q, struct sresp *rs, struct sim_tpl *t)
{
	const cJSON	*comps = q->json != NULL ?
			    cJSON_GetObjectItemCaseSensitive(q->json,
			    "components") : NULL;
	const cJSON	*ttl = q->json != NULL ?
			    cJSON_GetObjectItemCaseSensitive(q->json,
			    "message_send_ttl_seconds") : NULL;
	const char	*cat = param(q, "category");
	char		 category[16];
	int64_t		 now = now_ms();
	int		 i, recent = 0, approved;

	approved = strcmp(t->status, "APPROVED") == 0;
	if (!approved && strcmp(t->status, "REJECTED") != 0 &&
	    strcmp(t->status, "PAUSED") != 0) {
		meta_error(rs, 100, 2388039, NULL, "Invalid parameter",
		    "only APPROVED, REJECTED or PAUSED templates can be "
		    "edited", "Message template can't be edited", NULL);
		return;
	}
	if (comps == NULL && cat == NULL && ttl == NULL) {
		meta_error(rs, 100, 0, NULL, "Invalid parameter", "nothing to "
		    "edit: give components, category or "
		    "message_send_ttl_seconds", NULL, NULL);
		return;
	}
	snprintf(category, sizeof(category), "%s", cat != NULL ? cat :
	    t->category);
	upper(category);
	if (!wa_graph_tpl_category_ok(category) || (approved &&
	    strcmp(category, t->category) != 0)) {
		meta_error(rs, 100, 0, NULL, "Invalid parameter", approved ?
		    "the category of an APPROVED template cannot change" :
		    "category must be one of MARKETING, UTILITY, "
		    "AUTHENTICATION", NULL, NULL);
		return;
	}
	if (ttl != NULL && (!cJSON_IsNumber(ttl) || ttl->valuedouble < 30 ||
	    ttl->valuedouble > 2592000)) {
		meta_error(rs, 100, 0, NULL, "Invalid parameter",
		    "message_send_ttl_seconds must be 30-2592000", NULL, NULL);
		return;
	}
	if (comps != NULL && components_bad(rs, comps, category))
		return;
	if (comps == NULL && strcmp(category, t->category) == 0) {
		/* a TTL-only edit: no review, not counted */
		t->ttl = (int)ttl->valuedouble;
		resp_success(rs);
		return;
	}
	if (approved) {
		/* at most 1 edit in 24 hours and 10 in 30 days */
		for (i = 0; i < t->nedits; i++)
			if (now - t->edit_ms[i] < DAY_MS)
				recent++;
		if (recent > 0 || (t->nedits == 10 &&
		    now - t->edit_ms[0] < 30 * DAY_MS)) {
			meta_error(rs, 100, 2388039, NULL, "Invalid parameter",
			    "an APPROVED template can be edited once a day "
			    "and 10 times in 30 days", "Edit limit reached",
			    NULL);
			return;
		}
		if (t->nedits == 10) {
			memmove(t->edit_ms, t->edit_ms + 1,
			    9 * sizeof(t->edit_ms[0]));
			t->nedits--;
		}
		t->edit_ms[t->nedits++] = now;
	}
	if (comps != NULL) {
		cJSON_Delete(t->components);
		t->components = cJSON_Duplicate(comps, 1);
	}
	snprintf(t->category, sizeof(t->category), "%s", category);
	if (ttl != NULL)
		t->ttl = (int)ttl->valuedouble;
	/* an edit goes back through review (contract §5.3) */
	snprintf(t->status, sizeof(t->status), "PENDING");
	t->reason[0] = '\0';
	if (review_due(t->waba) > 0)
		sched(review_due(t->waba), EV_REVIEW, t->id, NULL, 0, NULL);
	resp_success(rs);
}

static void
hook_tpl(struct sim_tpl *t, const char *event, const char *reason)
{
	cJSON	*v = cJSON_CreateObject(), *ri;

	cJSON_AddStringToObject(v, "event", event);
	/* an integer in Meta's payload (contract §1.4) */
	cJSON_AddNumberToObject(v, "message_template_id",
	    strtod(t->id, NULL));
	cJSON_AddStringToObject(v, "message_template_name", t->name);
	cJSON_AddStringToObject(v, "message_template_language", t->lang);
	if (reason != NULL)
		cJSON_AddStringToObject(v, "reason", reason);
	else
		cJSON_AddNullToObject(v, "reason");
	cJSON_AddStringToObject(v, "message_template_category", t->category);
	if (reason != NULL && strcmp(reason, "INVALID_FORMAT") == 0) {
		ri = cJSON_AddObjectToObject(v, "rejection_info");
		cJSON_AddStringToObject(ri, "reason", "Your template has "
		    "parameters placed next to each other, which is not "
		    "allowed.");
		cJSON_AddStringToObject(ri, "recommendation", "Separate "
		    "parameters with words.");
	}
	hook_change(t->waba->id, "message_template_status_update", v, 1);
}

void
tpl_review(struct sim_tpl *t, const char *status, const char *reason)
{
	const cJSON	*c;
	const char	*text;

	if (status == NULL) {
		/* the timer's verdict: Meta's review rules we can check */
		if (strcmp(t->status, "PENDING") != 0)
			return;
		status = "APPROVED";
		reason = "NONE";
		cJSON_ArrayForEach(c, t->components) {
			text = cJSON_GetStringValue(
			    cJSON_GetObjectItemCaseSensitive(c, "text"));
			if (text != NULL && (strstr(text, "}}{{") != NULL ||
			    strstr(text, "}} {{") != NULL)) {
				status = "REJECTED";
				reason = "INVALID_FORMAT";
			}
		}
	}
	snprintf(t->status, sizeof(t->status), "%s", status);
	snprintf(t->reason, sizeof(t->reason), "%s",
	    strcmp(status, "REJECTED") == 0 && reason != NULL ? reason : "");
	hook_tpl(t, status, reason != NULL ? reason : "NONE");
}

void
tpl_delete(struct sreq *q, struct sresp *rs, struct sim_waba *w)
{
	const char	*name = query(q, "name"), *hsm = query(q, "hsm_id");
	const char	*ids = query(q, "hsm_ids");
	struct sim_tpl	*t;
	size_t		 i, n = 0;

	if (ids != NULL) {
		meta_error(rs, 100, 0, NULL, "Invalid parameter", "this "
		    "simulator deletes by name or by hsm_id and name", NULL,
		    NULL);
		return;
	}
	if (name == NULL) {
		meta_error(rs, 100, 0, NULL, "Invalid parameter", "name is "
		    "required", NULL, NULL);
		return;
	}
	for (i = 0; i < w->ntpls; i++) {
		t = w->tpls[i];
		if (strcmp(t->name, name) != 0 || (hsm != NULL &&
		    strcmp(t->id, hsm) != 0))
			continue;
		if (strcmp(t->status, "DISABLED") == 0) {
			meta_error(rs, 100, 0, NULL, "Invalid parameter",
			    "a DISABLED template cannot be deleted", NULL,
			    NULL);
			return;
		}
		n++;
	}
	if (n == 0) {
		meta_error(rs, 100, 0, NULL, "Invalid parameter", "Message "
		    "template not found", NULL, NULL);
		return;
	}
	for (i = 0; i < w->ntpls; ) {
		t = w->tpls[i];
		if (strcmp(t->name, name) != 0 || (hsm != NULL &&
		    strcmp(t->id, hsm) != 0)) {
			i++;
			continue;
		}
		if (strcmp(t->status, "APPROVED") == 0) {
			w->gone = realloc(w->gone, (w->ngone + 1) *
			    sizeof(*w->gone));
			if (w->gone == NULL)
				abort();
			w->gone[w->ngone].name = xstrdup(t->name);
			w->gone[w->ngone++].at_ms = now_ms();
		}
		hook_tpl(t, "DELETED", NULL);
		tpl_remove(t);
	}
	resp_success(rs);
}
