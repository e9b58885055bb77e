/*
 * templates: Late's message templates, /v1/whatsapp/templates and
 * /v1/whatsapp/templates/{templateName} (seed 002, TEMPLATES;
 * spec/sdk-clients.md §2; docs/templates.md).
 *
 * Meta holds the templates; wagate keeps a copy per organization and
 * WABA (wa.templates).  The list is Meta's, and refreshes the copy; a
 * single template is read from the copy, which create, update, the
 * list and Meta's status webhooks keep current (falling back to Meta
 * for a template the copy does not know).
 */
#ifndef TEMPLATES_H
#define TEMPLATES_H

#include <cjson/cJSON.h>
#include <libpq-fe.h>

#include "err.h"
#include "graph/graph.h"
#include "req.h"

struct wa_account;

/* input.c: bodies and queries, validated and made ready for Meta. */
struct tpl_create {
	const char	*account_id;
	const char	*name;
	const char	*category;
	const char	*language;
	cJSON		*components;	/* normalized (upper-case types) */
};

struct tpl_update {
	const char	*account_id;
	const char	*language;	/* or NULL */
	const cJSON	*components;	/* as sent, or NULL (TTL only) */
	int		 ttl;		/* message_send_ttl_seconds, 0 */
};

enum wa_err	tpl_parse_create(struct wa_req *, const cJSON *body,
		    struct tpl_create *);
enum wa_err	tpl_parse_update(struct wa_req *, const cJSON *body,
		    struct tpl_update *);
/* Checks components against Meta's rules for category, recording each
 * problem as a field error.  Returns the normalized copy, or NULL. */
cJSON		*tpl_components(struct wa_req *, const cJSON *components,
		    const char *category);
/* accountId from the query (GET, DELETE): 400 if missing. */
enum wa_err	tpl_query_account(struct wa_req *, const char **id);
/* The optional ?language= (latest SDK): 400 if not a language. */
enum wa_err	tpl_query_language(struct wa_req *, const char **lang);
/* {templateName}: NULL when it cannot name a template. */
const char	*tpl_path_name(struct wa_req *);

/* store.c: wagate's copy. */
struct tpl_row {
	const char	*meta_id;
	const char	*name;
	const char	*language;
	const char	*category;
	const char	*status;
	const char	*rejected_reason;	/* or NULL */
	cJSON		*components;
};

/* What tpl_render() writes. */
enum tpl_shape {
	TPL_SHAPE_CREATED,	/* id, name, status, category, language */
	TPL_SHAPE_UPDATED,	/* id, name, language, status */
	TPL_SHAPE_FULL		/* CREATED's, components, rejected_reason */
};

enum wa_err	tpl_store_created(struct wa_req *, const struct wa_account *,
		    const struct tpl_create *, const cJSON *answer);
enum wa_err	tpl_store_updated(struct wa_req *, const struct wa_account *,
		    const struct tpl_row *, const cJSON *components,
		    const char *status);
enum wa_err	tpl_store_deleted(struct wa_req *, const struct wa_account *,
		    const char *name, const char *language);
#define TPL_LANGUAGES_MAX	128	/* variants of one name looked at */

/* The copy's variants of name (language NULL: every language), at
 * most max: their number, or -1 on a database error. */
int		tpl_store_rows(struct wa_req *, const struct wa_account *,
		    const char *name, const char *language,
		    struct tpl_row *rows, int max);
/* A template of Meta's list as a row. */
void		tpl_row_from_meta(const cJSON *t, struct tpl_row *);
/* Late's template object. */
cJSON		*tpl_render(const struct tpl_row *, enum tpl_shape);

/* handlers.c */
enum wa_err	tpl_list(struct wa_req *);
enum wa_err	tpl_create(struct wa_req *);
enum wa_err	tpl_get(struct wa_req *);
enum wa_err	tpl_update(struct wa_req *);
enum wa_err	tpl_delete(struct wa_req *);

#endif /* TEMPLATES_H */
