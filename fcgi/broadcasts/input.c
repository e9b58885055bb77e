/*
 * Validation of what the routes take: templates, recipients, the
 * account, path ids and pages.  Declarative where a table can say it;
 * phones are normalized to E.164 (as contacts are), so "+1 415 555 0100"
 * and "+14155550100" are one recipient.
 */
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "json.h"
#include "utf8.h"
#include "valid.h"

#include "broadcasts.h"

#define MSG_E164	"must be an E.164 phone number such as +14155550100"

static int
phone_ok(const char *s)
{
	char	out[WA_E164_MAX + 1];

	return wa_e164_normalize(s, out, sizeof(out));
}

static const struct wa_field recipient_fields[] = {
	WA_FIELD_STR_CHECK("phone", WA_F_REQUIRED_TEXT, 32, phone_ok,
	    MSG_E164),
	WA_FIELD_STR("name", WA_F_NULLABLE, 255),
	WA_FIELD_OBJ("variables", WA_F_NULLABLE, NULL),
	WA_FIELD_END
};

/* variables: {"1": "Ann", ...}: keys 1-999 without leading zeros,
 * values strings; what Meta's body parameters can be. */
static void
check_vars(struct wa_req *r, const cJSON *vars, const char *path)
{
	const cJSON	*v;
	size_t		 n = 0, k;

	if (!cJSON_IsObject(vars))
		return;
	cJSON_ArrayForEach(v, vars) {
		n++;
		k = strlen(v->string);
		if (k == 0 || k > 3 || strspn(v->string, "0123456789") != k ||
		    v->string[0] == '0') {
			wa_fail_field(r, path, "keys must be parameter "
			    "numbers \"1\", \"2\", ...");
			continue;
		}
		if (!cJSON_IsString(v))
			wa_fail_field(r, wa_arena_printf(r->arena, "%s.%s",
			    path, v->string), "must be a string");
		else if (wa_utf8_count(v->valuestring,
		    strlen(v->valuestring)) > BC_VAR_MAX)
			wa_fail_field(r, wa_arena_printf(r->arena, "%s.%s",
			    path, v->string), "must be at most %d "
			    "characters", BC_VAR_MAX);
	}
	if (n > BC_VARS_MAX)
		wa_fail_field(r, path, "must have at most %d members",
		    BC_VARS_MAX);
}

void
bc_recipients_parse(struct wa_req *r, const cJSON *body, const char *field,
    size_t min, size_t max, int keep_dups, cJSON **rows, long *dups)
{
	const struct wa_field	f[] = {
		WA_FIELD_ARR_OBJ(field, min > 0 ? WA_F_REQUIRED :
		    WA_F_NULLABLE, min, max, NULL),
		WA_FIELD_END
	};
	const cJSON	*arr, *it, *v;
	const char	*path, **seen;
	char		 phone[WA_E164_MAX + 1];
	cJSON		*row;
	size_t		 i = 0, j, n = 0, before;

	*rows = cJSON_CreateArray();
	*dups = 0;
	/* every recipient's problems are named, whatever other fields
	 * said before: a recipient is skipped by its own problems only */
	before = r->err.nfields;
	wa_json_validate(r, body, f, NULL);
	arr = cJSON_GetObjectItemCaseSensitive(body, field);
	if (r->err.nfields > before || !cJSON_IsArray(arr))
		return;
	seen = wa_arena_calloc(r->arena, (size_t)cJSON_GetArraySize(arr) + 1,
	    sizeof(*seen));
	cJSON_ArrayForEach(it, arr) {
		path = wa_arena_printf(r->arena, "%s[%zu]", field, i++);
		before = r->err.nfields;
		wa_json_validate(r, it, recipient_fields, path);
		if (r->err.nfields > before)
			continue;
		check_vars(r, cJSON_GetObjectItemCaseSensitive(it, "variables"),
		    wa_arena_printf(r->arena, "%s.variables", path));
		if (r->err.nfields > before)
			continue;
		wa_e164_normalize(wa_json_str(it, "phone"), phone,
		    sizeof(phone));
		for (j = 0; j < n && strcmp(seen[j], phone) != 0; j++)
			;
		if (j < n && !keep_dups) {
			(*dups)++;
			continue;
		}
		if (j == n)
			seen[n++] = wa_arena_strdup(r->arena, phone);
		row = cJSON_CreateObject();
		cJSON_AddStringToObject(row, "phone", phone);
		wa_json_add_strn(row, "name", wa_json_str(it, "name"));
		v = cJSON_GetObjectItemCaseSensitive(it, "variables");
		cJSON_AddItemToObject(row, "variables", cJSON_IsObject(v) ?
		    cJSON_Duplicate(v, 1) : cJSON_CreateObject());
		cJSON_AddItemToArray(*rows, row);
	}
}

enum wa_err
bc_account(struct wa_req *r, const char *id, struct wa_account *out)
{
	if (id == NULL || *id == '\0')
		return wa_fail_field(r, "accountId", "is required");
	return wa_account_get(r, id, out);
}

enum wa_err
bc_not_found(struct wa_req *r)
{
	return wa_fail_not_found(r, NULL, "Broadcast");
}

const char *
bc_path_id(struct wa_req *r)
{
	return wa_req_id(r, "broadcastId", NULL, "Broadcast");
}

void
bc_page(struct wa_req *r, long def, long max, long *limit, long *skip)
{
	*limit = wa_req_query_long(r, "limit", def, 1, max);
	*skip = wa_req_query_long(r, "skip", 0, 0, BC_SKIP_MAX);
}
