/*
 * The drift guard (docs/sending.md): Meta refused a template message
 * wagate had checked against its copy (132000 parameter count, 132001
 * not in that language, 132015 paused, 132016 disabled, ...), so the
 * copy is stale.  At the end of the pass the worker reads the template
 * back from Meta, stores what Meta says (lib/tplcopy.h), and fails at
 * once every queued message of that template the fresh copy cannot
 * carry - not APPROVED any more, gone, or another number of body
 * parameters - rather than let each of them cost a refused request.
 * Messages the fresh copy still fits go on.
 */
#include <stdlib.h>
#include <string.h>

#include "accounts.h"
#include "db.h"
#include "graph/graph.h"
#include "log.h"
#include "tplcopy.h"
#include "work.h"

void
work_template_changed(struct wa_req *r, struct lane *l, const char *name,
    const char *language)
{
	size_t	i;

	(void)r;
	if (name == NULL || language == NULL)
		return;
	for (i = 0; i < l->nrefresh; i++)
		if (strcmp(l->refresh[i].name, name) == 0 &&
		    strcmp(l->refresh[i].language, language) == 0)
			return;
	if (l->nrefresh == WA_SEND_REFRESH_MAX)
		return;
	if ((l->refresh[l->nrefresh].name = strdup(name)) == NULL ||
	    (l->refresh[l->nrefresh].language = strdup(language)) == NULL)
		abort();
	l->nrefresh++;
}

struct fresh {
	struct lane		*l;
	struct wa_account	 a;
	const struct refresh	*t;
	const cJSON		*data;
	long long		 failed;
};

static enum wa_err
store_tx(struct wa_req *r, void *arg)
{
	/* every queued message of the template the fresh copy cannot
	 * carry (a copy that is gone fails them too) */
	static const char sql[] =
	    "UPDATE wa.messages m SET status = 'failed', failed_at = now(), "
	    "error_code = 'template_changed', "
	    "error = CASE WHEN t.status IS NULL THEN format('template %s (%s) "
	    "no longer exists at Meta', m.template_name, "
	    "m.template_language) WHEN t.status <> 'APPROVED' THEN "
	    "format('template %s (%s) is %s at Meta', m.template_name, "
	    "m.template_language, t.status) ELSE format('template %s (%s) "
	    "now has %s body parameters at Meta; this message has %s', "
	    "m.template_name, m.template_language, "
	    "wa.template_body_params(t.components), "
	    "wa.message_body_params(m.body)) END, "
	    "updated_at = now() "
	    "FROM (SELECT 1) one "
	    "LEFT JOIN wa.templates t ON t.waba_id = $4 AND t.name = $2 "
	    "AND t.language = $3 "
	    "WHERE m.account_id = $1 AND m.status = 'queued' "
	    "AND m.template_name = $2 AND m.template_language = $3 "
	    "AND (t.status IS DISTINCT FROM 'APPROVED' OR "
	    "wa.template_body_params(t.components) <> "
	    "wa.message_body_params(m.body))";
	struct fresh	*f = arg;
	PGresult	*res;

	if (wa_tplcopy_sync(r, &f->a, f->t->name, f->data, 1) != WA_OK ||
	    wa_db_q(r, &res, sql, 4, f->l->account_id, f->t->name,
	    f->t->language, f->l->waba_id) != WA_OK)
		return r->err.code;
	f->failed = strtoll(PQcmdTuples(res), NULL, 10);
	return WA_OK;
}

static void
refresh_one(struct wa_req *r, struct lane *l, const struct refresh *t)
{
	struct wa_graph_tpl_query	 q;
	struct wa_graph_acct		 g;
	struct wa_graph_res		 res;
	struct fresh			 f;

	memset(&g, 0, sizeof(g));
	g.account_id = l->account_id;
	g.token = l->token;
	g.waba_id = l->waba_id;
	g.phone_number_id = l->phone_id;
	q.name = t->name;
	q.status = NULL;
	if (wa_graph_templates_list(r, &g, &q, &res) != WA_GRAPH_OK) {
		wa_log(WA_LOG_WARN, "refreshing template %s of account %s: "
		    "%s", t->name, l->account_id,
		    wa_graph_status_name(res.status));
		return;
	}
	memset(&f, 0, sizeof(f));
	f.l = l;
	f.t = t;
	f.data = cJSON_GetObjectItemCaseSensitive(res.body, "data");
	snprintf(f.a.id, sizeof(f.a.id), "%s", l->account_id);
	snprintf(f.a.org_id, sizeof(f.a.org_id), "%s", l->org_id);
	f.a.waba_id = l->waba_id;
	if (wa_db_tx_org(r, l->org_id, store_tx, &f) != WA_OK) {
		wa_log(WA_LOG_WARN, "refreshing template %s: %s", t->name,
		    r->err.log_detail);
		wa_req_clear_err(r);
		return;
	}
	wa_log(WA_LOG_INFO, "template %s (%s) of account %s refreshed from "
	    "Meta; %lld queued messages it no longer fits failed", t->name,
	    t->language, l->account_id, f.failed);
}

void
work_templates(struct wa_req *r, struct lane *const *lanes, size_t n)
{
	struct lane	*l;
	size_t		 i, k;

	for (i = 0; i < n; i++) {
		l = lanes[i];
		for (k = 0; k < l->nrefresh; k++) {
			if (!l->gone)
				refresh_one(r, l, &l->refresh[k]);
			free(l->refresh[k].name);
			free(l->refresh[k].language);
		}
		l->nrefresh = 0;
	}
}
