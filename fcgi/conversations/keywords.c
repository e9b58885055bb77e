/*
 * A number's own opt-out and opt-in keywords, besides the built-in
 * STOP, UNSUBSCRIBE, BAJA, CANCELAR and START, ALTA
 * (docs/conversations.md, "Opt-out keywords"):
 * GET|PUT /organizations/{orgId}/conversations/keywords/{phoneNumberId}.
 * Keywords are kept as they are compared (wa.keyword_norm: upper case,
 * no blanks around, no punctuation after).
 */
#include <string.h>

#include "accounts.h"
#include "arena.h"
#include "db.h"
#include "json.h"
#include "pgval.h"
#include "resp.h"

#include "conversations.h"

#define KEYWORDS_MAX	20	/* of each kind */
#define KEYWORD_MAX	64	/* characters */

static const char *const builtin_out[] = { "STOP", "UNSUBSCRIBE", "BAJA",
    "CANCELAR", NULL };
static const char *const builtin_in[] = { "START", "ALTA", NULL };

static int
listed(const char *const *list, const char *k)
{
	for (; *list != NULL; list++)
		if (strcmp(*list, k) == 0)
			return 1;
	return 0;
}

static enum wa_err
respond(struct wa_req *r, const char *account_id)
{
	static const char sql[] =
	    "SELECT json_build_object('phoneNumberId', id, "
	    "'optOut', opt_out_keywords, 'optIn', opt_in_keywords, "
	    "'builtIn', json_build_object('optOut', ARRAY['STOP', "
	    "'UNSUBSCRIBE', 'BAJA', 'CANCELAR'], "
	    "'optIn', ARRAY['START', 'ALTA']))::text AS data "
	    "FROM wa.wa_accounts WHERE id = $1";
	PGresult	*res;

	if (wa_db_q(r, &res, sql, 1, account_id) != WA_OK)
		return r->err.code;
	return wa_resp_ok_raw(r, 200, wa_db_get(res, 0, "data"));
}

enum wa_err
kw_get(struct wa_req *r)
{
	struct wa_account	acc;

	if (wa_account_get(r, wa_req_param(r, "phoneNumberId"), &acc) != WA_OK)
		return r->err.code;
	return respond(r, acc.id);
}

/* The keywords of member `field`, normalized, checked against the
 * built-in ones of the other kind (other) and the list mine: a text[]
 * literal. */
static const char *
normalize(struct wa_req *r, const cJSON *body, const char *field,
    const char *const *other, const char **mine, size_t *n)
{
	static const char sql[] =
	    "SELECT wa.keyword_norm(k) AS k FROM unnest($1::text[]) k";
	const char	*items[KEYWORDS_MAX];
	const char	*k;
	const cJSON	*it;
	PGresult	*res;
	size_t		 i = 0, j;
	int		 row;

	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(body, field))
		items[i++] = it->valuestring;
	if (wa_db_q(r, &res, sql, 1, wa_pgval_text_array(r->arena, items, i))
	    != WA_OK)
		return NULL;
	*n = 0;
	for (row = 0; row < PQntuples(res); row++) {
		k = wa_db_get(res, row, "k");
		if (k == NULL) {
			wa_fail_field(r, wa_arena_printf(r->arena, "%s[%d]",
			    field, row), "must have a letter or a digit");
			continue;
		}
		if (listed(other, k)) {
			wa_fail_field(r, wa_arena_printf(r->arena, "%s[%d]",
			    field, row), "is a built-in keyword of the other "
			    "kind (%s)", k);
			continue;
		}
		for (j = 0; j < *n && strcmp(mine[j], k) != 0; j++)
			;
		if (j == *n)
			mine[(*n)++] = k;
	}
	return wa_pgval_text_array(r->arena, mine, *n);
}

/* PUT: both lists, replaced; a keyword may not be in both. */
enum wa_err
kw_put(struct wa_req *r)
{
	static const struct wa_field fields[] = {
		WA_FIELD_ARR_STR("optOut", WA_F_REQUIRED, 0, KEYWORDS_MAX,
		    KEYWORD_MAX),
		WA_FIELD_ARR_STR("optIn", WA_F_REQUIRED, 0, KEYWORDS_MAX,
		    KEYWORD_MAX),
		WA_FIELD_END
	};
	static const char sql[] =
	    "UPDATE wa.wa_accounts SET opt_out_keywords = $2::text[], "
	    "opt_in_keywords = $3::text[] WHERE id = $1";
	struct wa_account	 acc;
	const char		*outs[KEYWORDS_MAX], *ins[KEYWORDS_MAX];
	const char		*out, *in;
	size_t			 nout, nin, i, j;
	PGresult		*res;
	cJSON			*body;

	if (wa_json_body(r, &body) != WA_OK ||
	    wa_json_validate(r, body, fields, NULL) != WA_OK ||
	    wa_account_get(r, wa_req_param(r, "phoneNumberId"), &acc) != WA_OK)
		return r->err.code;
	out = normalize(r, body, "optOut", builtin_in, outs, &nout);
	in = normalize(r, body, "optIn", builtin_out, ins, &nin);
	if (r->err.code != WA_OK)
		return r->err.code;
	for (i = 0; i < nout; i++)
		for (j = 0; j < nin; j++)
			if (strcmp(outs[i], ins[j]) == 0)
				return wa_fail_field(r, "optIn", "repeats %s, "
				    "an opt-out keyword", ins[j]);
	if (wa_db_q(r, &res, sql, 3, acc.id, out, in) != WA_OK)
		return r->err.code;
	return respond(r, acc.id);
}
