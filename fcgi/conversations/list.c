/*
 * GET /organizations/{orgId}/conversations: newest activity first, a
 * page of `limit` after the keyset cursor, filtered by any of status,
 * channel, phoneNumberId, assigneeId, team and unread.
 *
 * Each combination of filters is its own statement, written once from
 * the table below into static storage: the SQL text stays fixed (the
 * statement cache knows statements by their address) and each gets the
 * plan of its own conditions, not one generic plan of "$n IS NULL OR"
 * alternatives.  Values are parameters, never SQL text.
 */
#include <stdio.h>
#include <string.h>

#include "accounts.h"
#include "arena.h"
#include "db.h"
#include "pgval.h"
#include "resp.h"
#include "url.h"
#include "valid.h"

#include "conversations.h"

static const char *const channels[] = { "whatsapp", "web_chat", NULL };
static const char *const bools[] = { "true", "false", NULL };

struct filter {
	const char		*query;		/* the query parameter */
	const char		*cond;		/* with its $%d */
	const char *const	*values;	/* allowed, or NULL */
	size_t			 max;		/* characters */
};

static const struct filter filters[] = {
	{ "status", "c.status = $%d", conv_statuses, 0 },
	{ "channel", "c.channel = $%d", channels, 0 },
	{ "phoneNumberId", "c.account_id = $%d::uuid", NULL, 64 },
	{ "assigneeId", "c.assignee_id = $%d", NULL, CONV_ASSIGNEE_MAX },
	{ "team", "c.team = $%d", NULL, CONV_TEAM_MAX },
	{ "unread", "(c.unread_count > 0) = $%d::boolean", bools, 0 },
};
#define NFILTERS	(sizeof(filters) / sizeof(filters[0]))

#define LIST_HEAD \
	"SELECT " CONV_JSON "::text AS data, " \
	WA_PGVAL_CURSOR_TIME("c.last_message_at") " AS cursor_at, c.id " \
	CONV_FROM "WHERE (c.last_message_at, c.id) < " \
	"($1::timestamptz, $2::uuid)"
#define LIST_TAIL \
	" ORDER BY c.last_message_at DESC, c.id DESC LIMIT $3::integer"

static char	sql_list[1 << NFILTERS][sizeof(LIST_HEAD) + sizeof(LIST_TAIL) +
		    NFILTERS * 48];

/* The statement of the filters in mask (bit i: filters[i]). */
static const char *
statement(unsigned mask)
{
	char	*s = sql_list[mask];
	size_t	 i, n;
	int	 param = 4;

	if (s[0] != '\0')
		return s;
	n = (size_t)snprintf(s, sizeof(sql_list[0]), "%s", LIST_HEAD);
	for (i = 0; i < NFILTERS; i++) {
		if ((mask & (1u << i)) == 0)
			continue;
		n += (size_t)snprintf(s + n, sizeof(sql_list[0]) - n, " AND ");
		n += (size_t)snprintf(s + n, sizeof(sql_list[0]) - n,
		    filters[i].cond, param++);
	}
	(void)snprintf(s + n, sizeof(sql_list[0]) - n, "%s", LIST_TAIL);
	return s;
}

static int
allowed(const char *const *values, const char *v)
{
	for (; *values != NULL; values++)
		if (strcmp(*values, v) == 0)
			return 1;
	return 0;
}

/* "a, b or c" */
static const char *
one_of(struct wa_req *r, const char *const *values)
{
	const char	*s = values[0];
	size_t		 i;

	for (i = 1; values[i] != NULL; i++)
		s = wa_arena_printf(r->arena, "%s%s%s", s,
		    values[i + 1] != NULL ? ", " : " or ", values[i]);
	return s;
}

/* The filters given (an empty value is none): their mask, their values
 * in vals[3...], and the query string the next page repeats. */
static unsigned
filters_of(struct wa_req *r, const char **vals, const char **query)
{
	struct wa_account	 acc;
	const struct filter	*f;
	const char		*v;
	unsigned		 mask = 0;
	size_t			 i, k = 3;

	*query = "";
	for (i = 0; i < NFILTERS; i++) {
		f = &filters[i];
		if ((v = wa_req_query(r, f->query)) == NULL || *v == '\0')
			continue;
		if (f->values != NULL && !allowed(f->values, v))
			wa_fail_field(r, f->query, "must be one of %s",
			    one_of(r, f->values));
		else if (f->max > 0 && strlen(v) > f->max)
			wa_fail_field(r, f->query, "must be at most %zu "
			    "characters", f->max);
		else if (strcmp(f->query, "phoneNumberId") == 0 &&
		    r->err.code == WA_OK && wa_account_get(r, v, &acc) != WA_OK)
			return 0;
		mask |= 1u << i;
		vals[k++] = v;
		*query = wa_arena_printf(r->arena, "%s&%s=%s", *query,
		    f->query, wa_url_encode(r->arena, v));
	}
	return mask;
}

enum wa_err
conv_list(struct wa_req *r)
{
	const char	*vals[3 + NFILTERS], *query, *next = NULL;
	PGresult	*res;
	unsigned	 mask;
	long		 limit;
	int		 n, rows;

	limit = wa_req_query_long(r, "limit", CONV_PAGE_DEFAULT, 1,
	    CONV_PAGE_MAX);
	if (wa_pgval_cursor(r->arena, wa_req_query(r, "cursor"), &vals[0],
	    &vals[1]) != 0)
		wa_fail_field(r, "cursor", "must be one this list gave in its "
		    "Link header");
	mask = filters_of(r, vals, &query);
	if (r->err.code != WA_OK)
		return r->err.code;
	/* one more than the page: is there a next one? */
	vals[2] = wa_arena_printf(r->arena, "%ld", limit + 1);
	n = 3 + __builtin_popcount(mask);
	if (wa_db_exec(r, &res, statement(mask), n, vals) != WA_OK)
		return r->err.code;
	rows = PQntuples(res) > limit ? (int)limit : PQntuples(res);
	if (rows > 0 && PQntuples(res) > limit)
		next = wa_arena_printf(r->arena, "/organizations/%s/"
		    "conversations?limit=%ld&cursor=%s_%s%s", r->auth.org_id,
		    limit, wa_db_get(res, rows - 1, "cursor_at"),
		    wa_db_get(res, rows - 1, "id"), query);
	wa_resp_paging(r, next != NULL, next, -1);
	return wa_resp_ok_raw(r, 200, conv_rows_json(r, res, rows));
}
