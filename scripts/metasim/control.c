/*
 * The control API, for tests and for people trying the sandbox: not
 * Meta's, under /_sim/, on the same (loopback-only) port.  Bodies are
 * JSON; answers are JSON.  docs/meta.md lists the endpoints.  Runs with
 * sim.lock held, except around the webhook handshake.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crypto.h"
#include "metasim.h"
#include "utf8.h"

static int
is(const struct sreq *q, const char *m)
{
	return strcmp(q->method, m) == 0;
}

static void
ctl_error(struct sresp *rs, int status, const char *msg)
{
	cJSON	*o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "error", msg);
	resp_json(rs, status, o);
}

static void
ok(struct sresp *rs)
{
	cJSON	*o = cJSON_CreateObject();

	cJSON_AddTrueToObject(o, "ok");
	resp_json(rs, 200, o);
}

static const char *
jstr(const cJSON *o, const char *k)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, k));
}

/* An integer member, or def when absent; -2 when present but wrong. */
static long
jint(const cJSON *o, const char *k, long def, long min, long max)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, k);

	if (v == NULL)
		return def;
	if (cJSON_IsBool(v))
		return cJSON_IsTrue(v);
	if (!cJSON_IsNumber(v) || v->valuedouble < min ||
	    v->valuedouble > max || v->valuedouble != (long)v->valuedouble)
		return -2;
	return (long)v->valuedouble;
}

static int
id_ok(const char *s)
{
	return s != NULL && s[0] != '\0' && strlen(s) <= SIM_ID_MAX &&
	    strspn(s, "0123456789") == strlen(s);
}

/* ---- config ------------------------------------------------------------- */

static cJSON *
config_json(void)
{
	const struct sim_config	*c = &sim.cfg;
	cJSON			*o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "template_review_ms", c->review_ms);
	cJSON_AddNumberToObject(o, "status_delay_ms", c->status_delay_ms);
	cJSON_AddBoolToObject(o, "statuses", c->statuses);
	cJSON_AddBoolToObject(o, "limits", c->limits);
	cJSON_AddNumberToObject(o, "mps", c->mps);
	cJSON_AddNumberToObject(o, "pair_burst", c->pair_burst);
	cJSON_AddBoolToObject(o, "window", c->window);
	cJSON_AddBoolToObject(o, "auto_provision", c->auto_provision);
	cJSON_AddStringToObject(o, "status_profile", c->documented ?
	    "documented" : "classic");
	cJSON_AddNumberToObject(o, "retry_base_ms", c->retry_base_ms);
	cJSON_AddNumberToObject(o, "retry_max", c->retry_max);
	cJSON_AddNumberToObject(o, "status_batch", c->status_batch);
	cJSON_AddStringToObject(o, "webhook_url", c->webhook_url);
	cJSON_AddStringToObject(o, "stripe_webhook_url", c->stripe_webhook_url);
	cJSON_AddStringToObject(o, "app_id", sim.app_id);
	cJSON_AddStringToObject(o, "version", sim.version);
	return o;
}

/* A webhook URL: "" (none) or http(s), fitting sim_config's. */
static int
hook_url_ok(const char *s)
{
	return strlen(s) < sizeof(sim.cfg.webhook_url) && (s[0] == '\0' ||
	    strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0);
}

static void
config_set(struct sreq *q, struct sresp *rs)
{
	static const struct {
		const char	*key;
		size_t		 off;
		long		 min, max;
	} ints[] = {
		{ "template_review_ms", offsetof(struct sim_config, review_ms),
		    0, 86400000 },
		{ "status_delay_ms", offsetof(struct sim_config,
		    status_delay_ms), 0, 3600000 },
		{ "statuses", offsetof(struct sim_config, statuses), 0, 1 },
		{ "limits", offsetof(struct sim_config, limits), 0, 1 },
		{ "mps", offsetof(struct sim_config, mps), 1, 100000 },
		{ "pair_burst", offsetof(struct sim_config, pair_burst), 1,
		    1000 },
		{ "window", offsetof(struct sim_config, window), 0, 1 },
		{ "auto_provision", offsetof(struct sim_config,
		    auto_provision), 0, 1 },
		{ "retry_base_ms", offsetof(struct sim_config, retry_base_ms),
		    1, 3600000 },
		{ "retry_max", offsetof(struct sim_config, retry_max), 1, 100 },
		{ "status_batch", offsetof(struct sim_config, status_batch), 1,
		    SIM_BATCH_MAX },
	};
	struct sim_config	c = sim.cfg;
	const char		*s;
	size_t			i;
	long			v;

	for (i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
		v = jint(q->json, ints[i].key, -3, ints[i].min, ints[i].max);
		if (v == -2) {
			ctl_error(rs, 400, ints[i].key);
			return;
		}
		if (v != -3)
			*(int *)((char *)&c + ints[i].off) = (int)v;
	}
	if ((s = jstr(q->json, "status_profile")) != NULL) {
		if (strcmp(s, "classic") != 0 && strcmp(s, "documented") != 0) {
			ctl_error(rs, 400, "status_profile: classic or "
			    "documented");
			return;
		}
		c.documented = strcmp(s, "documented") == 0;
	}
	if ((s = jstr(q->json, "webhook_url")) != NULL) {
		if (!hook_url_ok(s)) {
			ctl_error(rs, 400, "webhook_url: an http(s) URL");
			return;
		}
		snprintf(c.webhook_url, sizeof(c.webhook_url), "%s", s);
	}
	if ((s = jstr(q->json, "stripe_webhook_url")) != NULL) {
		if (!hook_url_ok(s)) {
			ctl_error(rs, 400, "stripe_webhook_url: an http(s) "
			    "URL");
			return;
		}
		snprintf(c.stripe_webhook_url, sizeof(c.stripe_webhook_url),
		    "%s", s);
	}
	sim.cfg = c;
	resp_json(rs, 200, config_json());
}

/* ---- accounts, tokens, numbers, templates ------------------------------- */

static void
account_set(struct sreq *q, struct sresp *rs)
{
	const char		*waba = jstr(q->json, "waba_id");
	const char		*phone = jstr(q->json, "phone_number_id");
	const char		*tok = jstr(q->json, "token");
	const char		*disp = jstr(q->json, "display_phone_number");
	const char		*vn = jstr(q->json, "verified_name");
	struct sim_waba		*w;
	struct sim_phone	*p = NULL;
	long			 reg = jint(q->json, "registered", 1, 0, 1);
	long			 ver = jint(q->json, "verified", 1, 0, 1);

	if (!id_ok(waba) || (phone != NULL && !id_ok(phone)) || tok == NULL ||
	    tok[0] == '\0' || strlen(tok) > 512 || reg < 0 || ver < 0 ||
	    (disp != NULL && strlen(disp) > 20)) {
		ctl_error(rs, 400, "waba_id and token are required; ids are "
		    "digits");
		return;
	}
	/* the token covers the WABA from now on, next to any other
	 * token that does; the number is bound to the WABA */
	if ((w = waba_get(waba, tok, 1)) == NULL ||
	    (phone != NULL && phone_get(phone, tok, 1) == NULL)) {
		ctl_error(rs, 503, "the simulator holds too many objects");
		return;
	}
	token_grant(tok, w);
	if (phone != NULL) {
		p = phone_get(phone, tok, 0);
		p->waba = w;
		p->registered = (int)reg;
		p->verified = (int)ver;
		if (disp != NULL)
			snprintf(p->display, sizeof(p->display), "%s", disp);
		if (vn != NULL)
			snprintf(p->verified_name, sizeof(p->verified_name),
			    "%s", vn);
	}
	ok(rs);
}

static void
token_set(struct sreq *q, struct sresp *rs)
{
	const char		*tok = jstr(q->json, "token");
	const char		*st = jstr(q->json, "state");
	struct sim_token	*t;

	if (tok == NULL || st == NULL || (strcmp(st, "valid") != 0 &&
	    strcmp(st, "expired") != 0 && strcmp(st, "invalid") != 0)) {
		ctl_error(rs, 400, "token and state (valid, expired, "
		    "invalid) are required");
		return;
	}
	if ((t = token_get(tok, 1)) == NULL) {
		ctl_error(rs, 503, "the simulator holds too many tokens");
		return;
	}
	t->expired = strcmp(st, "expired") == 0;
	t->invalid = strcmp(st, "invalid") == 0;
	ok(rs);
}

static void
waba_ctl(struct sreq *q, struct sresp *rs, const char *id)
{
	struct sim_waba	*w = smap_get(&sim.wabas, id);
	cJSON		*o, *arr;
	size_t		 i;
	long		 ms;

	if (w == NULL) {
		ctl_error(rs, 404, "no such WABA");
		return;
	}
	if (is(q, "POST")) {
		if ((ms = jint(q->json, "review_ms", -3, -1, 86400000)) == -2) {
			ctl_error(rs, 400, "review_ms: -1 (global) or "
			    "0-86400000");
			return;
		}
		if (ms != -3)
			w->review_ms = (int)ms;
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "id", w->id);
	cJSON_AddNumberToObject(o, "review_ms", w->review_ms);
	arr = cJSON_AddArrayToObject(o, "templates");
	for (i = 0; i < w->ntpls; i++)
		cJSON_AddItemToArray(arr, tpl_json(w->tpls[i],
		    "name,language,status,category,components,"
		    "rejected_reason,parameter_format"));
	resp_json(rs, 200, o);
}

static void
review_ctl(struct sreq *q, struct sresp *rs, const char *id)
{
	static const char *const ok_status[] = {
		"APPROVED", "REJECTED", "PAUSED", "DISABLED", "PENDING",
		"IN_APPEAL", "FLAGGED", "REINSTATED", NULL
	};
	const char *const	*s;
	struct sim_tpl		*t = smap_get(&sim.tpls, id);
	const char		*st = jstr(q->json, "status");
	const char		*reason = jstr(q->json, "reason");

	if (t == NULL) {
		ctl_error(rs, 404, "no such template");
		return;
	}
	for (s = ok_status; st != NULL && *s != NULL; s++)
		if (strcmp(*s, st) == 0)
			break;
	if (st == NULL || *s == NULL || (reason != NULL && strlen(reason) >
	    30)) {
		ctl_error(rs, 400, "status: APPROVED, REJECTED, PAUSED, "
		    "DISABLED, ...");
		return;
	}
	if (reason == NULL)
		reason = strcmp(st, "REJECTED") == 0 ? "INVALID_FORMAT" :
		    "NONE";
	tpl_review(t, st, reason);
	resp_json(rs, 200, tpl_json(t, NULL));
}

static void
phone_ctl(struct sreq *q, struct sresp *rs, const char *id)
{
	struct sim_phone	*p = smap_get(&sim.phones, id);
	cJSON			*o;
	long			 reg, ver, mps;

	if (p == NULL) {
		ctl_error(rs, 404, "no such phone number");
		return;
	}
	if (is(q, "POST")) {
		reg = jint(q->json, "registered", p->registered, 0, 1);
		ver = jint(q->json, "verified", p->verified, 0, 1);
		mps = jint(q->json, "mps", p->mps, 0, 100000);
		if (reg < 0 || ver < 0 || mps < 0 ||
		    cJSON_IsBool(cJSON_GetObjectItem(q->json, "mps"))) {
			ctl_error(rs, 400, "registered and verified are "
			    "booleans, mps 0 (the global setting) to 100000");
			return;
		}
		p->registered = (int)reg;
		p->verified = (int)ver;
		if (mps != p->mps) {
			p->mps = (int)mps;
			p->bucket = -1;		/* full at the new rate */
		}
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "id", p->id);
	cJSON_AddStringToObject(o, "waba_id", phone_waba(p) != NULL ?
	    phone_waba(p)->id : "");
	cJSON_AddStringToObject(o, "display_phone_number", p->display);
	cJSON_AddBoolToObject(o, "registered", p->registered);
	cJSON_AddBoolToObject(o, "verified", p->verified);
	cJSON_AddNumberToObject(o, "mps", p->mps);
	cJSON_AddNumberToObject(o, "effective_mps", p->mps > 0 ? p->mps :
	    sim.cfg.mps);
	if (p->code[0] != '\0')
		cJSON_AddStringToObject(o, "code", p->code);
	else
		cJSON_AddNullToObject(o, "code");
	cJSON_AddItemToObject(o, "profile", cJSON_Duplicate(p->profile, 1));
	resp_json(rs, 200, o);
}

static void
inbound_ctl(struct sreq *q, struct sresp *rs)
{
	struct sim_phone	*p;
	char			 wamid[80], err[128];
	cJSON			*o;

	p = smap_get(&sim.phones, jstr(q->json, "phone_number_id") != NULL ?
	    jstr(q->json, "phone_number_id") : "");
	if (p == NULL) {
		ctl_error(rs, 404, "phone_number_id names no number");
		return;
	}
	if (hook_inbound(p, q->json, wamid, sizeof(wamid), err,
	    sizeof(err)) != 0) {
		ctl_error(rs, 400, err);
		return;
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "wamid", wamid);
	resp_json(rs, 200, o);
}

static void
status_ctl(struct sreq *q, struct sresp *rs)
{
	const char	*wamid = jstr(q->json, "wamid");
	const char	*st = jstr(q->json, "status");
	long		 code = jint(q->json, "code", 0, 0, 99999999);

	if (wamid == NULL || smap_get(&sim.msgs, wamid) == NULL) {
		ctl_error(rs, 404, "wamid names no message sent here");
		return;
	}
	if (st == NULL || (strcmp(st, "sent") != 0 && strcmp(st, "delivered")
	    != 0 && strcmp(st, "read") != 0 && strcmp(st, "failed") != 0) ||
	    code < 0 || (strcmp(st, "failed") == 0) != (code > 0)) {
		ctl_error(rs, 400, "status sent, delivered, read, or failed "
		    "with a code");
		return;
	}
	hook_status(smap_get(&sim.msgs, wamid), st, code);
	ok(rs);
}

static void
recipient_ctl(struct sreq *q, struct sresp *rs)
{
	const char	*wa = jstr(q->json, "wa_id");
	const char	*mode = jstr(q->json, "mode");
	long		 code = jint(q->json, "fail_code", 0, 0, 99999999);
	struct sim_fail	*f;
	char		 d[24];

	digits_of(wa, d, sizeof(d));
	if (wa == NULL || d[0] == '\0' || code < 0 || (mode != NULL &&
	    strcmp(mode, "sync") != 0 && strcmp(mode, "async") != 0)) {
		ctl_error(rs, 400, "wa_id and fail_code (0 clears), mode "
		    "(async: a failed status; sync: the send is refused)");
		return;
	}
	free(smap_del(&sim.fails, d));
	if (code > 0) {
		f = xcalloc(1, sizeof(*f));
		f->code = code;
		f->sync = mode != NULL && strcmp(mode, "sync") == 0;
		smap_put(&sim.fails, d, f);
	}
	ok(rs);
}

/* ---- faults ----------------------------------------------------------- */

static cJSON *
fault_json(const struct sim_fault *f)
{
	cJSON	*o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "id", f->id);
	cJSON_AddStringToObject(o, "method", f->method);
	cJSON_AddStringToObject(o, "path", f->pattern);
	cJSON_AddNumberToObject(o, "status", f->status);
	cJSON_AddNumberToObject(o, "code", (double)f->code);
	cJSON_AddNumberToObject(o, "subcode", (double)f->subcode);
	cJSON_AddNumberToObject(o, "latency_ms", f->latency_ms);
	cJSON_AddBoolToObject(o, "timeout", f->timeout);
	cJSON_AddBoolToObject(o, "drop", f->drop);
	cJSON_AddBoolToObject(o, "malformed", f->malformed);
	cJSON_AddBoolToObject(o, "redirect", f->redirect);
	cJSON_AddNumberToObject(o, "count", f->count);
	cJSON_AddNumberToObject(o, "hits", f->hits);
	return o;
}

static void
faults_ctl(struct sreq *q, struct sresp *rs, const char *id)
{
	struct sim_fault	 f;
	const char		*path, *m;
	cJSON			*o, *arr;
	size_t			 i;

	if (is(q, "DELETE")) {
		for (i = 0; i < sim.nfaults; i++)
			if (id == NULL || sim.faults[i].id ==
			    (int)strtol(id, NULL, 10)) {
				memmove(&sim.faults[i], &sim.faults[i + 1],
				    (sim.nfaults - i - 1) * sizeof(f));
				sim.nfaults--;
				i--;
			}
		ok(rs);
		return;
	}
	if (is(q, "GET")) {
		o = cJSON_CreateObject();
		arr = cJSON_AddArrayToObject(o, "faults");
		for (i = 0; i < sim.nfaults; i++)
			cJSON_AddItemToArray(arr, fault_json(&sim.faults[i]));
		resp_json(rs, 200, o);
		return;
	}
	memset(&f, 0, sizeof(f));
	path = jstr(q->json, "path");
	m = jstr(q->json, "method");
	f.status = (int)jint(q->json, "status", 0, 100, 599);
	f.code = jint(q->json, "code", 0, 0, 99999999);
	f.subcode = jint(q->json, "subcode", 0, 0, 99999999);
	f.latency_ms = (int)jint(q->json, "latency_ms", 0, 0, 600000);
	f.timeout = (int)jint(q->json, "timeout", 0, 0, 1);
	f.drop = (int)jint(q->json, "drop", 0, 0, 1);
	f.malformed = (int)jint(q->json, "malformed", 0, 0, 1);
	f.redirect = (int)jint(q->json, "redirect", 0, 0, 1);
	f.count = (int)jint(q->json, "count", 1, -1, 1000000);
	if (path == NULL || strlen(path) >= sizeof(f.pattern) ||
	    (m != NULL && strlen(m) >= sizeof(f.method)) || f.status == -2 ||
	    f.code == -2 || f.subcode == -2 || f.latency_ms == -2 ||
	    f.timeout < 0 || f.drop < 0 || f.malformed < 0 || f.redirect < 0 ||
	    f.count == -2 || f.count == 0 || sim.nfaults >= 256) {
		ctl_error(rs, 400, "path (fnmatch pattern on the path without "
		    "the version), and method, status, code, subcode, "
		    "latency_ms, timeout, drop, malformed, redirect, count");
		return;
	}
	snprintf(f.pattern, sizeof(f.pattern), "%s", path);
	snprintf(f.method, sizeof(f.method), "%s", m != NULL ? m : "");
	f.id = ++sim.fault_seq;
	sim.faults = realloc(sim.faults, (sim.nfaults + 1) * sizeof(f));
	if (sim.faults == NULL)
		abort();
	sim.faults[sim.nfaults++] = f;
	resp_json(rs, 200, fault_json(&f));
}

/* ---- what was received --------------------------------------------------- */

void
reqlog_add(const struct sreq *q, int status, const char *fault)
{
	struct sim_logent	*l;
	struct sbuf		 b;
	unsigned char		 sum[32];
	char			 hex[65];
	int			 i;

	l = &sim.reqlog[++sim.reqseq % SIM_LOG_MAX];
	logent_clear(l);
	l->seq = sim.reqseq;
	l->at_ms = now_ms();
	l->method = xstrdup(q->method);
	memset(&b, 0, sizeof(b));
	sb_adds(&b, q->path != NULL ? q->path : "");
	for (i = 0; i < q->nquery; i++)
		sb_addf(&b, "%c%s=%s", i == 0 ? '?' : '&', q->query[i].key,
		    strcmp(q->query[i].key, "access_token") == 0 ?
		    "REDACTED" : q->query[i].val);
	l->path = sb_take(&b);
	/* bytes that are not text are summed up, not kept */
	if (q->len > 0 && q->len <= SIM_LOG_BODY &&
	    wa_utf8_valid(q->body, q->len))
		l->body = strndup(q->body, q->len);
	else if (q->len > 0) {
		memset(&b, 0, sizeof(b));
		sb_addf(&b, "(%zu bytes%s)", q->len, q->len > SIM_LOG_BODY ?
		    "" : ", not UTF-8");
		l->body = sb_take(&b);
	}
	l->ctype = xstrdup(q->ctype);
	if (q->token != NULL) {
		/* who called, without keeping the token itself */
		wa_crypto_sha256(q->token, strlen(q->token), sum);
		wa_crypto_hex(sum, sizeof(sum), hex);
		hex[12] = '\0';
		memset(&b, 0, sizeof(b));
		sb_addf(&b, "%s:%s", q->auth_scheme, hex);
		l->auth = sb_take(&b);
	}
	if (q->file_offset != NULL) {
		memset(&b, 0, sizeof(b));
		sb_addf(&b, "file_offset=%.20s", q->file_offset);
		l->extra = sb_take(&b);
	}
	l->status = status;
	l->fault = xstrdup(fault);
}

static void
requests_ctl(struct sreq *q, struct sresp *rs)
{
	const char		*sv = query(q, "since");
	const char		*path = query(q, "path");
	const char		*m = query(q, "method");
	unsigned long		 since = sv != NULL ? strtoul(sv, NULL, 10) : 0;
	unsigned long		 s, first;
	struct sim_logent	*l;
	cJSON			*o, *arr, *e;

	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "last", (double)sim.reqseq);
	arr = cJSON_AddArrayToObject(o, "requests");
	first = sim.reqseq > SIM_LOG_MAX ? sim.reqseq - SIM_LOG_MAX + 1 : 1;
	for (s = since + 1 > first ? since + 1 : first; s <= sim.reqseq; s++) {
		l = &sim.reqlog[s % SIM_LOG_MAX];
		if (l->seq != s || (path != NULL && strstr(l->path, path) ==
		    NULL) || (m != NULL && strcasecmp(m, l->method) != 0))
			continue;
		e = cJSON_CreateObject();
		cJSON_AddNumberToObject(e, "seq", (double)l->seq);
		cJSON_AddNumberToObject(e, "at", (double)l->at_ms);
		cJSON_AddStringToObject(e, "method", l->method);
		cJSON_AddStringToObject(e, "path", l->path);
		if (l->ctype != NULL)
			cJSON_AddStringToObject(e, "contentType", l->ctype);
		if (l->body != NULL)
			cJSON_AddStringToObject(e, "body", l->body);
		if (l->auth != NULL)
			cJSON_AddStringToObject(e, "auth", l->auth);
		if (l->extra != NULL)
			cJSON_AddStringToObject(e, "extra", l->extra);
		cJSON_AddNumberToObject(e, "status", l->status);
		if (l->fault != NULL)
			cJSON_AddStringToObject(e, "fault", l->fault);
		cJSON_AddItemToArray(arr, e);
	}
	resp_json(rs, 200, o);
}

static void
sends_ctl(struct sreq *q, struct sresp *rs)
{
	const char	*sv = query(q, "since"), *lv = query(q, "limit");
	unsigned long	 since = sv != NULL ? strtoul(sv, NULL, 10) : 0;
	unsigned long	 limit = lv != NULL ? strtoul(lv, NULL, 10) : 1000;

	if (limit == 0 || limit > 100000)
		limit = 100000;
	resp_json(rs, 200, ledger_json(query(q, "phone_number_id"), since,
	    (size_t)limit));
}

/* ---- routing ---------------------------------------------------------- */

void
control_route(struct sreq *q, struct sresp *rs)
{
	char		*segs[4], *copy, *p, *save = NULL;
	const char	*sv;
	int		 n = 0;
	cJSON		*o, *arr;

	if (q->len > 0 && q->json == NULL) {
		ctl_error(rs, 400, "the body must be a JSON object");
		return;
	}
	if (q->json == NULL)
		q->json = cJSON_CreateObject();
	copy = xstrdup(q->path);
	for (p = strtok_r(copy, "/", &save); p != NULL && n < 4;
	    p = strtok_r(NULL, "/", &save))
		segs[n++] = p;
	/* segs[0] is "_sim" */
	if (n == 2 && strcmp(segs[1], "health") == 0) {
		o = config_json();
		cJSON_AddTrueToObject(o, "ok");
		cJSON_AddNumberToObject(o, "served", (double)sim.served);
		cJSON_AddNumberToObject(o, "connections",
		    (double)sim.connections);
		cJSON_AddNumberToObject(o, "webhooks_queued",
		    (double)sim.queued);
		cJSON_AddNumberToObject(o, "webhooks_dropped",
		    (double)sim.dropped);
		resp_json(rs, 200, o);
	} else if (n == 2 && strcmp(segs[1], "config") == 0 && is(q, "POST"))
		config_set(q, rs);
	else if (n == 2 && strcmp(segs[1], "config") == 0)
		resp_json(rs, 200, config_json());
	else if (n == 2 && strcmp(segs[1], "reset") == 0 && is(q, "POST")) {
		state_reset();
		hooks_reset();
		telnyx_reset();
		stripe_reset();
		sim.cfg = sim.cfg0;
		ok(rs);
	} else if (n == 2 && strcmp(segs[1], "accounts") == 0 && is(q, "POST"))
		account_set(q, rs);
	else if (n == 2 && strcmp(segs[1], "tokens") == 0 && is(q, "POST"))
		token_set(q, rs);
	else if (n == 3 && strcmp(segs[1], "wabas") == 0)
		waba_ctl(q, rs, segs[2]);
	else if (n == 4 && strcmp(segs[1], "templates") == 0 &&
	    strcmp(segs[3], "review") == 0 && is(q, "POST"))
		review_ctl(q, rs, segs[2]);
	else if (n == 3 && strcmp(segs[1], "phones") == 0)
		phone_ctl(q, rs, segs[2]);
	else if (n == 2 && strcmp(segs[1], "inbound") == 0 && is(q, "POST"))
		inbound_ctl(q, rs);
	else if (n == 2 && strcmp(segs[1], "statuses") == 0 && is(q, "POST"))
		status_ctl(q, rs);
	else if (n == 2 && strcmp(segs[1], "recipients") == 0 && is(q, "POST"))
		recipient_ctl(q, rs);
	else if (n == 2 && strcmp(segs[1], "faults") == 0)
		faults_ctl(q, rs, NULL);
	else if (n == 3 && strcmp(segs[1], "faults") == 0 && is(q, "DELETE"))
		faults_ctl(q, rs, segs[2]);
	else if (n == 2 && strcmp(segs[1], "requests") == 0)
		requests_ctl(q, rs);
	else if (n == 2 && strcmp(segs[1], "telnyx") == 0 && (is(q, "GET") ||
	    is(q, "DELETE")))
		telnyx_ctl(q, rs);
	else if (n >= 2 && strcmp(segs[1], "stripe") == 0)
		stripe_ctl(q, rs, segs + 2, n - 2);
	else if (n == 2 && strcmp(segs[1], "sends") == 0 && is(q, "GET"))
		sends_ctl(q, rs);
	else if (n == 3 && strcmp(segs[1], "sends") == 0 &&
	    strcmp(segs[2], "summary") == 0 && is(q, "GET"))
		resp_json(rs, 200, ledger_summary(query(q,
		    "phone_number_id")));
	else if (n == 2 && strcmp(segs[1], "webhooks") == 0) {
		sv = query(q, "since");
		o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "last", (double)sim.hookseq);
		arr = cJSON_AddArrayToObject(o, "webhooks");
		hooklog_json(arr, sv != NULL ? strtoul(sv, NULL, 10) : 0);
		resp_json(rs, 200, o);
	} else if (n == 3 && strcmp(segs[1], "webhook") == 0 &&
	    strcmp(segs[2], "verify") == 0 && is(q, "POST")) {
		pthread_mutex_unlock(&sim.lock);
		o = hook_verify();
		pthread_mutex_lock(&sim.lock);
		resp_json(rs, 200, o);
	} else
		ctl_error(rs, 404, "no such control endpoint");
	free(copy);
}
