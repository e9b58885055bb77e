/*
 * POST /v1/whatsapp/contacts/import: up to 1000 contacts in one
 * statement, inside the request's one transaction (a crash half-way
 * leaves nothing).  Each row is validated on its own, so a bad row is
 * reported and the others go in; a phone that exists (in the account,
 * or earlier in the same import) is skipped or failed as skipDuplicates
 * says.
 */
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "contacts.h"
#include "hash.h"
#include "db.h"
#include "json.h"
#include "resp.h"

enum row_state {
	ROW_INSERT = 0,	/* valid, first of its phone: sent to the insert */
	ROW_INVALID,
	ROW_REPEAT	/* valid, phone of an earlier row of this import */
};

struct row {
	enum row_state	 state;
	const char	*phone;		/* normalized if valid, else as sent */
	const char	*name;
	const char	*error;		/* ROW_INVALID */
	size_t		 first;		/* ROW_REPEAT: the earlier row */
	const char	*id;		/* created */
	const char	*existing_id;	/* phone already in the account */
};

#define SEEN_SLOTS	2048	/* > 2 * CT_IMPORT_MAX, a power of two */

/* Index + 1 of the earlier row with phone, or 0 after recording i. */
static size_t
seen(size_t *slots, struct row *rows, const char *phone, size_t i)
{
	size_t	k;

	for (k = wa_hash_str(phone) & (SEEN_SLOTS - 1); slots[k] != 0;
	    k = (k + 1) & (SEEN_SLOTS - 1))
		if (strcmp(rows[slots[k] - 1].phone, phone) == 0)
			return slots[k];
	slots[k] = i + 1;
	return 0;
}

/* The row's problems as one sentence list ("phone must be ...; ..."). */
static const char *
row_error(struct wa_req *r, const struct wa_error *e)
{
	struct wa_buf	b;
	size_t		i;

	if (e->nfields == 0)
		return e->message;
	wa_buf_init(&b, r->arena, 4096);
	for (i = 0; i < e->nfields; i++)
		if (wa_buf_addf(&b, "%s%s %s", i > 0 ? "; " : "",
		    e->fields[i].field, e->fields[i].msg) != WA_OK)
			break;
	return b.data;
}

/* Validates every row into rows[]; the insertable ones go to ins.  A
 * row's problems are collected in a record of its own. */
static void
check_rows(struct wa_req *r, const struct ct_import *imp, struct row *rows,
    cJSON *ins)
{
	struct wa_error	 e;
	struct ct_new	 nw;
	const cJSON	*it;
	size_t		*slots, i = 0, prev;

	slots = wa_arena_calloc(r->arena, SEEN_SLOTS, sizeof(*slots));
	cJSON_ArrayForEach(it, imp->rows) {
		struct row *w = &rows[i];

		memset(&e, 0, sizeof(e));
		w->phone = wa_json_str(it, "phone");
		w->name = wa_json_str(it, "name");
		if (!cJSON_IsObject(it)) {
			w->state = ROW_INVALID;
			w->error = "contact must be a JSON object";
		} else if (ct_new_parse(r, &e, it, imp, &nw) != WA_OK) {
			w->state = ROW_INVALID;
			w->error = row_error(r, &e);
		} else {
			w->phone = wa_arena_strdup(r->arena, nw.phone);
			w->name = nw.name;
			if ((prev = seen(slots, rows, w->phone, i)) != 0) {
				w->state = ROW_REPEAT;
				w->first = prev - 1;
			} else
				cJSON_AddItemToArray(ins, nw.row);
		}
		i++;
	}
}

static cJSON *
result(const struct row *w, int success, const char *id, const char *error)
{
	cJSON	*o = cJSON_CreateObject();

	wa_json_add_strn(o, "phone", w->phone);
	wa_json_add_strn(o, "name", w->name);
	cJSON_AddBoolToObject(o, "success", success);
	wa_json_add_strn(o, "contactId", id);
	wa_json_add_strn(o, "error", error);
	return o;
}

enum wa_err
contacts_import(struct wa_req *r)
{
	struct ct_import	 imp;
	struct wa_account	 acc;
	struct row		*rows;
	cJSON			*body, *ins, *data, *arr, *sum;
	PGresult		*res;
	const char		*dup;
	size_t			 n, i, k;
	int			 created = 0, skipped = 0, failed = 0;

	if (wa_json_body(r, &body) != WA_OK ||
	    ct_import_parse(r, body, &imp) != WA_OK ||
	    wa_account_get(r, wa_json_str(body, "accountId"), &acc) != WA_OK)
		return r->err.code;
	n = (size_t)cJSON_GetArraySize(imp.rows);
	rows = wa_arena_calloc(r->arena, n, sizeof(*rows));
	ins = cJSON_CreateArray();
	check_rows(r, &imp, rows, ins);

	if (cJSON_GetArraySize(ins) > 0) {
		if (ct_insert(r, &acc, ins, 0, &res) != WA_OK)
			return r->err.code;
		/* the insert's rows are the ROW_INSERT rows, in order */
		for (i = 0, k = 0; k < (size_t)PQntuples(res); i++) {
			if (rows[i].state != ROW_INSERT)
				continue;
			rows[i].id = wa_db_get(res, (int)k, "id");
			rows[i].existing_id = wa_db_get(res, (int)k,
			    "existing_id");
			k++;
		}
	}

	dup = imp.skip_duplicates ? "Skipped: a contact with this phone "
	    "number already exists" : "Contact with this phone number "
	    "already exists";
	data = cJSON_CreateObject();
	sum = cJSON_AddObjectToObject(data, "summary");
	arr = cJSON_AddArrayToObject(data, "results");
	for (i = 0; i < n; i++) {
		const struct row *w = &rows[i], *f = w;

		if (w->state == ROW_INVALID) {
			failed++;
			cJSON_AddItemToArray(arr, result(w, 0, NULL, w->error));
			continue;
		}
		if (w->state == ROW_REPEAT)
			f = &rows[w->first];
		if (w->state == ROW_INSERT && w->id != NULL) {
			created++;
			cJSON_AddItemToArray(arr, result(w, 1, w->id, NULL));
			continue;
		}
		/* a duplicate: of a contact that existed, or of one this
		 * import has just created */
		if (imp.skip_duplicates)
			skipped++;
		else
			failed++;
		cJSON_AddItemToArray(arr, result(w, 0, f->id != NULL ? f->id :
		    f->existing_id, dup));
	}
	cJSON_AddNumberToObject(sum, "total", (double)n);
	cJSON_AddNumberToObject(sum, "created", created);
	cJSON_AddNumberToObject(sum, "skipped", skipped);
	cJSON_AddNumberToObject(sum, "failed", failed);
	return wa_resp_ok(r, 200, data);
}
