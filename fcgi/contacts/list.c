/*
 * GET /v1/whatsapp/contacts.  Which statement serves a page depends on
 * the filters, so that each has one plan that is right for every value
 * (the families' role plans generically; docs/contacts.md shows them):
 *
 *   search, 3+ letters   trigram index on contacts.search_key
 *   search, shorter      the account's contacts, one by one
 *   tag and/or group     walk of the label's members in name order
 *   neither              walk of the account's contacts in name order
 *
 * A page is the ids of a walk (an index-only scan), then one lookup by
 * id per contact of the page.  Totals and `filters` come from the live
 * counts in wa.contact_labels, except where a search or two labels make
 * the set ad hoc: then the statement counts it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "contacts.h"
#include "db.h"
#include "json.h"
#include "pgval.h"
#include "resp.h"
#include "utf8.h"

/*
 * Every statement that reads a page has the same frame: the walk `p`
 * yields the page's (id, sort_name), each contact is looked up by id
 * into CT_JSON_ITEM, and the page comes back as one JSON array text in
 * name order (`contacts`, which goes into the response as it is) with
 * its length (`n`).  A walk goes in name order, or backwards from the end: a
 * page past the middle is walked from the end (its total is known from
 * the counts), so that no walk is longer than half the set; the frame
 * puts the page back in name order.
 */

/* The account's contacts: $1 account, $2 optedIn, $3 offset, $4 limit */
static const char sql_all[] =
    "SELECT coalesce(json_agg(x.j ORDER BY x.sort_name, x.id), "
    "'[]')::text AS contacts, count(*) AS n "
    "FROM (SELECT p.id, p.sort_name, (SELECT " CT_JSON_ITEM
    " FROM wa.contacts c WHERE c.id = p.id) AS j FROM ("
    "SELECT id, sort_name FROM wa.contacts WHERE account_id = $1 "
    "AND ($2::boolean IS NULL OR is_opted_in = $2) "
    "ORDER BY sort_name, id OFFSET $3 LIMIT $4"
    ") p) x";

static const char sql_all_desc[] =
    "SELECT coalesce(json_agg(x.j ORDER BY x.sort_name, x.id), "
    "'[]')::text AS contacts, count(*) AS n "
    "FROM (SELECT p.id, p.sort_name, (SELECT " CT_JSON_ITEM
    " FROM wa.contacts c WHERE c.id = p.id) AS j FROM ("
    "SELECT id, sort_name FROM wa.contacts WHERE account_id = $1 "
    "AND ($2::boolean IS NULL OR is_opted_in = $2) "
    "ORDER BY sort_name DESC, id DESC OFFSET $3 LIMIT $4"
    ") p) x";

/* The members of label ($2 kind, $3 name) of account $1, optedIn $4,
 * also in group $5 (NULL = any); $6 offset, $7 limit */
static const char sql_label[] =
    "SELECT coalesce(json_agg(x.j ORDER BY x.sort_name, x.id), "
    "'[]')::text AS contacts, count(*) AS n "
    "FROM (SELECT p.id, p.sort_name, (SELECT " CT_JSON_ITEM
    " FROM wa.contacts c WHERE c.id = p.id) AS j FROM ("
    "SELECT m.contact_id AS id, m.sort_name "
    "FROM wa.contact_label_members m WHERE m.label_id = "
    "(SELECT l.id FROM wa.contact_labels l WHERE l.account_id = $1 "
    "AND l.kind = $2 AND l.label = $3) "
    "AND ($4::boolean IS NULL OR m.opted_in = $4) "
    "AND ($5::text IS NULL OR EXISTS (SELECT 1 "
    "FROM wa.contact_label_members g WHERE g.label_id = "
    "(SELECT l.id FROM wa.contact_labels l WHERE l.account_id = $1 "
    "AND l.kind = 'group' AND l.label = $5) "
    "AND g.sort_name = m.sort_name AND g.contact_id = m.contact_id)) "
    "ORDER BY m.sort_name, m.contact_id OFFSET $6 LIMIT $7"
    ") p) x";

static const char sql_label_desc[] =
    "SELECT coalesce(json_agg(x.j ORDER BY x.sort_name, x.id), "
    "'[]')::text AS contacts, count(*) AS n "
    "FROM (SELECT p.id, p.sort_name, (SELECT " CT_JSON_ITEM
    " FROM wa.contacts c WHERE c.id = p.id) AS j FROM ("
    "SELECT m.contact_id AS id, m.sort_name "
    "FROM wa.contact_label_members m WHERE m.label_id = "
    "(SELECT l.id FROM wa.contact_labels l WHERE l.account_id = $1 "
    "AND l.kind = $2 AND l.label = $3) "
    "AND ($4::boolean IS NULL OR m.opted_in = $4) "
    "AND ($5::text IS NULL OR EXISTS (SELECT 1 "
    "FROM wa.contact_label_members g WHERE g.label_id = "
    "(SELECT l.id FROM wa.contact_labels l WHERE l.account_id = $1 "
    "AND l.kind = 'group' AND l.label = $5) "
    "AND g.sort_name = m.sort_name AND g.contact_id = m.contact_id)) "
    "ORDER BY m.sort_name DESC, m.contact_id DESC OFFSET $6 LIMIT $7"
    ") p) x";

/* How many members sql_label walks: $1 to $5 as there */
static const char sql_label_count[] =
    "SELECT count(*) AS total "
    "FROM wa.contact_label_members m WHERE m.label_id = "
    "(SELECT l.id FROM wa.contact_labels l WHERE l.account_id = $1 "
    "AND l.kind = $2 AND l.label = $3) "
    "AND ($4::boolean IS NULL OR m.opted_in = $4) "
    "AND ($5::text IS NULL OR EXISTS (SELECT 1 "
    "FROM wa.contact_label_members g WHERE g.label_id = "
    "(SELECT l.id FROM wa.contact_labels l WHERE l.account_id = $1 "
    "AND l.kind = 'group' AND l.label = $5) "
    "AND g.sort_name = m.sort_name AND g.contact_id = m.contact_id)) ";

/*
 * Search: the candidates `m`, then the filters `f`, the count and the
 * page.  The trigram statement matches the text alone in a CTE of its
 * own, so that the planner has no account or tenant condition to AND
 * with the trigram bitmap (a bitmap of a million rows); both are
 * checked on the candidates.  The text and the pattern are in the
 * account's alphabet (wa.search_key(), sql/0003_contacts.sql), so the
 * candidates are nearly all the account's own; the mapped pattern is a
 * subquery, computed once, not for every candidate.  $1 account, $2 a
 * LIKE pattern (trigram) or the fragment (scan), $3 tag, $4 group,
 * $5 optedIn, $6 offset, $7 limit.
 */
static const char sql_search[] =
    "WITH m AS MATERIALIZED (SELECT id, account_id, sort_name, tags, "
    "groups, is_opted_in FROM wa.contacts "
    "WHERE search_key OPERATOR(wa.~~) "
    "(SELECT wa.search_key($1, lower($2)))), "
    "f AS (SELECT id, sort_name FROM m WHERE account_id = $1 "
    "AND ($3::text IS NULL OR $3 = ANY (tags)) "
    "AND ($4::text IS NULL OR $4 = ANY (groups)) "
    "AND ($5::boolean IS NULL OR is_opted_in = $5)) "
    "SELECT (SELECT count(*) FROM f) AS total, "
    "coalesce(json_agg(x.j ORDER BY x.sort_name, x.id), "
    "'[]')::text AS contacts, count(*) AS n "
    "FROM (SELECT p.id, p.sort_name, (SELECT " CT_JSON_ITEM
    " FROM wa.contacts c WHERE c.id = p.id) AS j FROM ("
    "SELECT id, sort_name FROM f ORDER BY sort_name, id OFFSET $6 LIMIT $7"
    ") p) x";

static const char sql_scan[] =
    "WITH m AS MATERIALIZED (SELECT id, account_id, sort_name, tags, "
    "groups, is_opted_in FROM wa.contacts "
    "WHERE account_id = $1 AND strpos(search_key, "
    "(SELECT wa.search_key($1, lower($2)))) > 0), "
    "f AS (SELECT id, sort_name FROM m WHERE account_id = $1 "
    "AND ($3::text IS NULL OR $3 = ANY (tags)) "
    "AND ($4::text IS NULL OR $4 = ANY (groups)) "
    "AND ($5::boolean IS NULL OR is_opted_in = $5)) "
    "SELECT (SELECT count(*) FROM f) AS total, "
    "coalesce(json_agg(x.j ORDER BY x.sort_name, x.id), "
    "'[]')::text AS contacts, count(*) AS n "
    "FROM (SELECT p.id, p.sort_name, (SELECT " CT_JSON_ITEM
    " FROM wa.contacts c WHERE c.id = p.id) AS j FROM ("
    "SELECT id, sort_name FROM f ORDER BY sort_name, id OFFSET $6 LIMIT $7"
    ") p) x";

/* Tags and groups in use, the account's counts and one label's. */
static const char sql_counts[] =
    "SELECT json_build_object("
    "'tags', coalesce(json_agg(l.label ORDER BY l.label) "
    "FILTER (WHERE l.kind = 'tag'), '[]'), "
    "'groups', coalesce(json_agg(l.label ORDER BY l.label) "
    "FILTER (WHERE l.kind = 'group'), '[]'))::text AS filters, "
    "coalesce(sum(l.total) FILTER (WHERE l.kind = 'all'), 0) AS all_total, "
    "coalesce(sum(l.opted_in) FILTER (WHERE l.kind = 'all'), 0) "
    "AS all_opted, "
    "coalesce(sum(l.total) FILTER (WHERE l.kind = $2 AND l.label = $3), 0) "
    "AS label_total, "
    "coalesce(sum(l.opted_in) FILTER (WHERE l.kind = $2 "
    "AND l.label = $3), 0) AS label_opted "
    "FROM wa.contact_labels l WHERE l.account_id = $1 AND l.total > 0";

struct list_q {
	struct wa_account	 acc;
	const char		*search;	/* trimmed, or NULL */
	const char		*tag;
	const char		*group;
	const char		*opted;		/* "true", "false", NULL */
	long			 limit;
	long			 skip;
};

/* A non-negative decimal integer in [min, max], or -1. */
static long
uint_arg(const char *s, long min, long max)
{
	char	*end;
	long	 v;

	if (s == NULL || *s < '0' || *s > '9' || strlen(s) > 9)
		return -1;
	v = strtol(s, &end, 10);
	if (*end != '\0' || v < min || v > max)
		return -1;
	return v;
}

/* tag, group, search: trimmed, empty = not given, capped, no control
 * characters. */
static const char *
text_arg(struct wa_req *r, const char *name, size_t max)
{
	const char	*v = wa_req_query(r, name), *s;

	if (v == NULL)
		return NULL;
	s = ct_trim(r, v);
	if (wa_utf8_count(s, strlen(s)) > max) {
		wa_fail_field(r, name, "must be at most %zu characters", max);
		return NULL;
	}
	if (*s == '\0')
		return NULL;
	if (!ct_label_ok(s)) {
		wa_fail_field(r, name, "must not contain control characters");
		return NULL;
	}
	return s;
}

static enum wa_err
parse_query(struct wa_req *r, struct list_q *q)
{
	const char	*v;

	memset(q, 0, sizeof(*q));
	q->search = text_arg(r, "search", CT_SEARCH_MAX);
	q->tag = text_arg(r, "tag", CT_LABEL_MAX);
	q->group = text_arg(r, "group", CT_LABEL_MAX);
	if ((v = wa_req_query(r, "optedIn")) != NULL) {
		if (strcmp(v, "true") == 0 || strcmp(v, "false") == 0)
			q->opted = v;
		else
			wa_fail_field(r, "optedIn", "must be true or false");
	}
	q->limit = CT_LIMIT_DEFAULT;
	if ((v = wa_req_query(r, "limit")) != NULL &&
	    (q->limit = uint_arg(v, 1, CT_LIMIT_MAX)) < 0)
		wa_fail_field(r, "limit", "must be an integer from 1 to %d",
		    CT_LIMIT_MAX);
	if ((v = wa_req_query(r, "skip")) != NULL &&
	    (q->skip = uint_arg(v, 0, CT_SKIP_MAX)) < 0)
		wa_fail_field(r, "skip", "must be an integer from 0 to %d",
		    CT_SKIP_MAX);
	v = wa_req_query(r, "accountId");
	if (v == NULL || *v == '\0')
		wa_fail_field(r, "accountId", "is required");
	if (r->err.code != WA_OK)
		return r->err.code;
	return wa_account_get(r, v, &q->acc);
}

/*
 * pg_trgm finds trigrams only in runs of three or more word characters;
 * a fragment without one would make the trigram index return every row.
 * Word characters here: ASCII letters and digits, and letters of the
 * Latin, Greek, Cyrillic, kana, CJK and Hangul blocks.
 */
static int
has_trigram(const char *s)
{
	size_t		 i = 0, len = strlen(s);
	uint32_t	 cp;
	int		 run = 0;

	while (i < len) {
		cp = wa_utf8_next(s, len, &i);
		if ((cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') ||
		    (cp >= 'A' && cp <= 'Z') || (cp >= 0xc0 && cp <= 0x52f &&
		    cp != 0xd7 && cp != 0xf7) || (cp >= 0x3040 &&
		    cp <= 0x9fff) || (cp >= 0xac00 && cp <= 0xd7af)) {
			if (++run >= 3)
				return 1;
		} else
			run = 0;
	}
	return 0;
}

/* total of a count pair: everyone, the opted-in, or the others */
static long long
by_opted(const char *opted, long long total, long long in)
{
	if (opted == NULL)
		return total;
	return strcmp(opted, "true") == 0 ? in : total - in;
}

/*
 * The page [skip, skip + limit) of a set of `total`: as offset and
 * limit of the walk from the start, or (*desc) from the end.
 */
static void
window(long long total, long skip, long limit, long long *off,
    long long *lim, int *desc)
{
	long long	end = skip + limit < total ? skip + limit : total;

	*desc = skip > total - end;
	*off = *desc ? total - end : skip;
	*lim = end > skip ? end - skip : 0;
}

enum wa_err
contacts_list(struct wa_req *r)
{
	struct list_q	 q;
	PGresult	*page, *cnt, *res;
	const char	*kind = NULL, *label = NULL, *also = NULL;
	const char	*lim, *off, *arr, *filters;
	cJSON		*data, *pg;
	long long	 total = 0, o, l, n;
	int		 desc = 0;

	if (parse_query(r, &q) != WA_OK)
		return r->err.code;
	if (q.tag != NULL) {
		kind = "tag";
		label = q.tag;
		also = q.group;
	} else if (q.group != NULL) {
		kind = "group";
		label = q.group;
	}
	if (wa_db_q(r, &cnt, sql_counts, 3, q.acc.id, kind, label) != WA_OK)
		return r->err.code;
	if (label != NULL)
		total = by_opted(q.opted, wa_db_int(cnt, 0, "label_total", 0),
		    wa_db_int(cnt, 0, "label_opted", 0));
	else
		total = by_opted(q.opted, wa_db_int(cnt, 0, "all_total", 0),
		    wa_db_int(cnt, 0, "all_opted", 0));
	/* ad hoc sets are counted by their statements and walked forward */
	if (q.search != NULL || also != NULL) {
		o = q.skip;
		l = q.limit;
	} else
		window(total, q.skip, q.limit, &o, &l, &desc);
	off = wa_arena_printf(r->arena, "%lld", o);
	lim = wa_arena_printf(r->arena, "%lld", l);

	if (q.search != NULL) {
		if (wa_db_q(r, &page, has_trigram(q.search) ? sql_search :
		    sql_scan, 7, q.acc.id, has_trigram(q.search) ?
		    wa_pgval_like(r->arena, q.search, 1) : q.search, q.tag,
		    q.group, q.opted, off, lim) != WA_OK)
			return r->err.code;
		total = wa_db_int(page, 0, "total", 0);
	} else if (label != NULL) {
		if (wa_db_q(r, &page, desc ? sql_label_desc : sql_label, 7,
		    q.acc.id, kind, label, q.opted, also, off, lim) != WA_OK)
			return r->err.code;
	} else if (wa_db_q(r, &page, desc ? sql_all_desc : sql_all, 4,
	    q.acc.id, q.opted, off, lim) != WA_OK)
		return r->err.code;
	if (also != NULL) {
		if (wa_db_q(r, &res, sql_label_count, 5, q.acc.id, kind, label,
		    q.opted, also) != WA_OK)
			return r->err.code;
		total = wa_db_int(res, 0, "total", 0);
	}

	/* the statements' own JSON, as it is */
	if ((arr = wa_db_get(page, 0, "contacts")) == NULL ||
	    (filters = wa_db_get(cnt, 0, "filters")) == NULL)
		return wa_fail(r, WA_ERR_INTERNAL, "Internal error");
	n = wa_db_int(page, 0, "n", 0);
	data = cJSON_CreateObject();
	cJSON_AddRawToObject(data, "contacts", arr);
	cJSON_AddRawToObject(data, "filters", filters);
	pg = cJSON_AddObjectToObject(data, "pagination");
	cJSON_AddNumberToObject(pg, "total", (double)total);
	cJSON_AddNumberToObject(pg, "limit", (double)q.limit);
	cJSON_AddNumberToObject(pg, "skip", (double)q.skip);
	cJSON_AddBoolToObject(pg, "hasMore", q.skip + n < total);
	return wa_resp_ok(r, 200, data);
}
