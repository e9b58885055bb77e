/*
 * The simulated Meta: WABAs, phone numbers, templates, media, upload
 * sessions, tokens.  Every function here runs with sim.lock held.
 *
 * Tokens and WABAs are tied as at Meta (contract §11 item 2): a token
 * covers a set of WABAs, and reaches those WABAs, their templates and
 * their numbers; anything else that exists answers it with Meta's
 * permission error.  A WABA may be covered by several tokens (a
 * business's system users).
 *
 * Provisioning: the control API creates accounts exactly
 * (POST /_sim/accounts grants the token the WABA and binds the number
 * to it).  With auto_provision on (the sandbox), an unknown WABA or
 * number id is created on first use and belongs to the token that used
 * it -- only an unknown one: an id that exists is never handed to
 * another token.  An auto-provisioned number is bound to a WABA when
 * its token first lists that WABA's numbers (GET /{waba}/phone_numbers)
 * or, failing that, to the first WABA its token covers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metasim.h"

struct sim sim;

static int
id_ok(const char *id)
{
	size_t	n = strlen(id);

	return n > 0 && n <= SIM_ID_MAX && strspn(id, "0123456789") == n;
}

void
digits_of(const char *in, char *out, size_t outsz)
{
	size_t	o = 0;

	for (; in != NULL && *in != '\0' && o + 1 < outsz; in++)
		if (*in >= '0' && *in <= '9')
			out[o++] = *in;
	out[o] = '\0';
}

void
tpl_free(void *p)
{
	struct sim_tpl	*t = p;

	if (t == NULL)
		return;
	free(t->name);
	cJSON_Delete(t->components);
	free(t);
}

static void
waba_free(void *p)
{
	struct sim_waba	*w = p;
	size_t		 i;

	for (i = 0; i < w->ntpls; i++)
		tpl_free(w->tpls[i]);
	for (i = 0; i < w->ngone; i++)
		free(w->gone[i].name);
	free(w->gone);
	free(w->tpls);
	free(w);
}

void
token_free(void *p)
{
	struct sim_token	*t = p;
	size_t			 i;

	if (t == NULL)
		return;
	for (i = 0; i < t->nwabas; i++)
		free(t->wabas[i]);
	free(t->wabas);
	free(t);
}

static void
phone_free(void *p)
{
	struct sim_phone	*ph = p;

	cJSON_Delete(ph->profile);
	cJSON_Delete(ph->batch);
	free(ph->token);
	free(ph);
}

void
msg_free(void *p)
{
	struct sim_msg	*m = p;

	free(m->opaque);
	free(m);
}

void
media_free(void *p)
{
	struct sim_media	*m = p;

	free(m->mime);
	free(m->data);
	free(m);
}

void
upload_free(void *p)
{
	struct sim_upload	*u = p;

	free(u->session);
	free(u->file_name);
	free(u->type);
	free(u->data);
	free(u->handle);
	free(u);
}

void
logent_clear(struct sim_logent *l)
{
	free(l->method);
	free(l->path);
	free(l->body);
	free(l->ctype);
	free(l->auth);
	free(l->extra);
	free(l->fault);
	memset(l, 0, sizeof(*l));
}

void
hooklog_clear(struct sim_hooklog *h)
{
	free(h->field);
	free(h->body);
	free(h->signature);
	memset(h, 0, sizeof(*h));
}

void
state_init(void)
{
	pthread_mutex_init(&sim.lock, NULL);
	pthread_cond_init(&sim.timer_cv, NULL);
	pthread_cond_init(&sim.work_cv, NULL);
}

void
state_reset(void)
{
	size_t	i;

	smap_clear(&sim.tpls, NULL);	/* owned by their WABA */
	smap_clear(&sim.wabas, waba_free);
	smap_clear(&sim.phones, phone_free);
	smap_clear(&sim.tokens, token_free);
	smap_clear(&sim.media, media_free);
	smap_clear(&sim.handles, NULL);	/* owned by uploads */
	smap_clear(&sim.uploads, upload_free);
	smap_clear(&sim.msgs, msg_free);
	smap_clear(&sim.pairs, free);
	smap_clear(&sim.windows, free);
	smap_clear(&sim.fails, free);
	sim.media_bytes = 0;
	ledger_reset();
	memset(sim.ports, 0, sizeof(sim.ports));
	sim.connections = 0;
	free(sim.faults);
	sim.faults = NULL;
	sim.nfaults = 0;
	for (i = 0; i < SIM_LOG_MAX; i++) {
		logent_clear(&sim.reqlog[i]);
		hooklog_clear(&sim.hooklog[i]);
	}
	sim.generation++;
}

void
state_free(void)
{
	state_reset();
}

struct sim_token *
token_get(const char *tok, int create)
{
	struct sim_token	*t;

	if (tok == NULL)
		return NULL;
	if ((t = smap_get(&sim.tokens, tok)) != NULL || !create ||
	    sim.tokens.n >= SIM_MAP_CAP)
		return t;
	t = xcalloc(1, sizeof(*t));
	smap_put(&sim.tokens, tok, t);
	return t;
}

int
token_covers(const char *tok, const struct sim_waba *w)
{
	struct sim_token	*t = token_get(tok, 0);
	size_t			 i;

	if (t == NULL || w == NULL)
		return 0;
	for (i = 0; i < t->nwabas; i++)
		if (strcmp(t->wabas[i], w->id) == 0)
			return 1;
	return 0;
}

void
token_grant(const char *tok, struct sim_waba *w)
{
	struct sim_token	*t = token_get(tok, 1);

	if (t == NULL || token_covers(tok, w))
		return;
	if (t->nwabas == t->cap) {
		t->cap = t->cap == 0 ? 4 : 2 * t->cap;
		t->wabas = realloc(t->wabas, t->cap * sizeof(t->wabas[0]));
		if (t->wabas == NULL)
			abort();
	}
	t->wabas[t->nwabas++] = xstrdup(w->id);
}

int
token_reaches(const char *tok, const struct sim_phone *p)
{
	if (tok == NULL || p == NULL)
		return 0;
	if (p->waba != NULL)
		return token_covers(tok, p->waba);
	return strcmp(p->token, tok) == 0;
}

struct sim_waba *
waba_get(const char *id, const char *token, int create)
{
	struct sim_waba	*w = smap_get(&sim.wabas, id);
	char		 ns[40];

	if (w != NULL || !create || !id_ok(id) || token == NULL ||
	    sim.wabas.n >= SIM_MAP_CAP)
		return w;
	w = xcalloc(1, sizeof(*w));
	snprintf(w->id, sizeof(w->id), "%s", id);
	w->review_ms = -1;
	rand_token(ns, 32);
	snprintf(w->ns, sizeof(w->ns), "%.8s_%.4s_%.4s_%.4s_%.12s", ns, ns + 8,
	    ns + 12, ns + 16, ns + 20);
	smap_put(&sim.wabas, id, w);
	token_grant(token, w);
	return w;
}

struct sim_phone *
phone_get(const char *id, const char *token, int create)
{
	struct sim_phone	*p = smap_get(&sim.phones, id);

	if (p != NULL || !create || !id_ok(id) || token == NULL ||
	    sim.phones.n >= SIM_MAP_CAP)
		return p;
	p = xcalloc(1, sizeof(*p));
	snprintf(p->id, sizeof(p->id), "%s", id);
	p->token = xstrdup(token);
	/* a display number derived from the id, as a sandbox would */
	snprintf(p->display, sizeof(p->display), "+1555%07lu",
	    strtoul(id + (strlen(id) > 7 ? strlen(id) - 7 : 0), NULL, 10) %
	    10000000ul);
	snprintf(p->verified_name, sizeof(p->verified_name), "Sandbox %s",
	    id + (strlen(id) > 4 ? strlen(id) - 4 : 0));
	p->registered = 1;
	p->verified = 1;
	p->profile = cJSON_CreateObject();
	cJSON_AddStringToObject(p->profile, "about",
	    "Hey there! I am using WhatsApp.");
	p->bucket = -1;
	smap_put(&sim.phones, id, p);
	return p;
}

struct sim_waba *
phone_waba(struct sim_phone *p)
{
	struct sim_token	*t;

	if (p->waba != NULL)
		return p->waba;
	if ((t = token_get(p->token, 0)) != NULL && t->nwabas > 0)
		p->waba = smap_get(&sim.wabas, t->wabas[0]);
	return p->waba;
}

struct sim_tpl *
tpl_find(struct sim_waba *w, const char *name, const char *lang)
{
	size_t	i;

	for (i = 0; i < w->ntpls; i++)
		if (strcmp(w->tpls[i]->name, name) == 0 &&
		    (lang == NULL || strcmp(w->tpls[i]->lang, lang) == 0))
			return w->tpls[i];
	return NULL;
}

void
tpl_remove(struct sim_tpl *t)
{
	struct sim_waba	*w = t->waba;
	size_t		 i;

	for (i = 0; i < w->ntpls; i++)
		if (w->tpls[i] == t) {
			memmove(&w->tpls[i], &w->tpls[i + 1],
			    (w->ntpls - i - 1) * sizeof(w->tpls[0]));
			w->ntpls--;
			break;
		}
	smap_del(&sim.tpls, t->id);
	tpl_free(t);
}
