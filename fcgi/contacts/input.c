/*
 * Field tables and normalization.  Validation is declarative (the
 * tables); what a table cannot say (custom field members, trimming,
 * duplicate labels) follows in code.
 */
#include <string.h>

#include "accounts.h"
#include "arena.h"
#include "clock.h"
#include "contacts.h"
#include "crypto.h"
#include "json.h"
#include "pgval.h"
#include "utf8.h"
#include "valid.h"

#define MSG_E164	"must be an E.164 phone number such as +14155550100"
#define MSG_EMAIL	"must be a valid email address"
#define MSG_LABEL	"must be a non-empty string without control " \
	"characters"

static int
has_control(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

static int
blank(const char *s)
{
	return s[strspn(s, " \t\r\n")] == '\0';
}

int
ct_label_ok(const char *s)
{
	return !blank(s) && !has_control(s);
}

/* s without the blanks around it: start, and the length in *n. */
static const char *
span(const char *s, size_t *n)
{
	s += strspn(s, " \t\r\n");
	*n = strlen(s);
	while (*n > 0 && strchr(" \t\r\n", s[*n - 1]) != NULL)
		(*n)--;
	return s;
}

/* An address, blanks around it allowed (they are trimmed). */
static int
valid_email(const char *s)
{
	char	buf[WA_EMAIL_MAX + 1];
	size_t	n;

	s = span(s, &n);
	if (n >= sizeof(buf))
		return 0;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return wa_valid_email(buf);
}

static int
valid_phone(const char *s)
{
	char	out[WA_E164_MAX + 1];

	return wa_e164_normalize(s, out, sizeof(out));
}

#define LABELS(n, fl) WA_FIELD_ARR_STR_CHECK(n, fl, 0, CT_LABELS_MAX, \
	CT_LABEL_MAX, ct_label_ok, MSG_LABEL)

/* POST /contacts and each row of an import (which has no accountId and
 * no isOptedIn of its own in the seed; wagate takes it, see
 * docs/contacts.md). */
static const struct wa_field new_fields[] = {
	WA_FIELD_STR_CHECK("phone", WA_F_REQUIRED_TEXT, CT_PHONE_IN_MAX,
	    valid_phone, MSG_E164),
	WA_FIELD_STR("name", WA_F_REQUIRED_TEXT, CT_NAME_MAX),
	WA_FIELD_STR_CHECK("email", WA_F_NULLABLE, WA_EMAIL_MAX, valid_email,
	    MSG_EMAIL),
	WA_FIELD_STR("company", WA_F_NULLABLE, CT_COMPANY_MAX),
	WA_FIELD_STR("notes", WA_F_NULLABLE, CT_NOTES_MAX),
	LABELS("tags", WA_F_NULLABLE),
	LABELS("groups", WA_F_NULLABLE),
	WA_FIELD_BOOL("isOptedIn", WA_F_NULLABLE),
	WA_FIELD_OBJ("customFields", WA_F_NULLABLE, NULL),
	WA_FIELD_END
};

static const struct wa_field account_field[] = {
	WA_FIELD_STR("accountId", WA_F_REQUIRED_TEXT, 64),
	WA_FIELD_END
};

/* PUT /contacts/{id}: all optional; null clears email, company and
 * notes, and is refused where there is nothing to clear to. */
static const struct wa_field update_fields[] = {
	WA_FIELD_STR("name", WA_F_NONEMPTY, CT_NAME_MAX),
	WA_FIELD_STR_CHECK("email", WA_F_NULLABLE, WA_EMAIL_MAX, valid_email,
	    MSG_EMAIL),
	WA_FIELD_STR("company", WA_F_NULLABLE, CT_COMPANY_MAX),
	WA_FIELD_STR("notes", WA_F_NULLABLE, CT_NOTES_MAX),
	LABELS("tags", 0),
	LABELS("groups", 0),
	WA_FIELD_BOOL("isOptedIn", 0),
	WA_FIELD_BOOL("isBlocked", 0),
	WA_FIELD_OBJ("customFields", 0, NULL),
	WA_FIELD_END
};

static const char *const actions[] = {
	"addTags", "removeTags", "addGroups", "removeGroups", "optIn",
	"optOut", "block", "unblock", NULL
};

#define IDS	WA_FIELD_ARR_STR("contactIds", WA_F_REQUIRED, 1, CT_BULK_MAX, \
	64)

static const struct wa_field bulk_fields[] = {
	WA_FIELD_ENUM("action", WA_F_REQUIRED, actions),
	IDS,
	LABELS("tags", WA_F_NULLABLE),
	LABELS("groups", WA_F_NULLABLE),
	WA_FIELD_END
};

static const struct wa_field ids_fields[] = {
	IDS,
	WA_FIELD_END
};

const char *
ct_scope(const struct wa_req *r)
{
	return r->auth.profile_id;
}

char *
ct_trim(struct wa_req *r, const char *s)
{
	size_t	n;

	s = span(s, &n);
	return wa_arena_strndup(r->arena, s, n);
}

static void
labels_add(struct wa_req *r, const cJSON *arr, struct ct_labels *out)
{
	const cJSON	*it;
	const char	*s;
	size_t		 i;

	cJSON_ArrayForEach(it, arr) {
		if (!cJSON_IsString(it))
			continue;
		s = ct_trim(r, it->valuestring);
		if (*s == '\0')
			continue;
		for (i = 0; i < out->n; i++)
			if (strcmp(out->v[i], s) == 0)
				break;
		if (i == out->n)
			out->v[out->n++] = s;
	}
}

void
ct_labels_from(struct wa_req *r, const cJSON *arr, const cJSON *extra,
    struct ct_labels *out)
{
	size_t	cap = (size_t)cJSON_GetArraySize(arr) +
		    (size_t)cJSON_GetArraySize(extra);

	out->n = 0;
	out->v = wa_arena_calloc(r->arena, cap + 1, sizeof(*out->v));
	labels_add(r, arr, out);
	labels_add(r, extra, out);
}

/* customFields: at most CT_FIELDS_MAX members, each a string (or, on
 * update, null to remove it); keys and values bounded.  Problems go to
 * e. */
static void
check_custom(struct wa_req *r, struct wa_error *e, const cJSON *obj,
    int nulls, const char *pfx)
{
	const cJSON	*it;
	const char	*path;
	size_t		 n = 0;

	if (!cJSON_IsObject(obj))
		return;
	cJSON_ArrayForEach(it, obj) {
		n++;
		path = wa_arena_printf(r->arena, "%scustomFields.%s", pfx,
		    it->string);
		if (wa_utf8_count(it->string, strlen(it->string)) >
		    CT_FIELD_KEY_MAX || blank(it->string) ||
		    has_control(it->string)) {
			/* the key itself is the problem: do not echo it */
			wa_err_field(e, r->arena, wa_arena_printf(r->arena,
			    "%scustomFields", pfx), "keys must be 1-%d "
			    "characters without control characters",
			    CT_FIELD_KEY_MAX);
			continue;
		}
		if (cJSON_IsNull(it) && nulls)
			continue;
		if (!cJSON_IsString(it))
			wa_err_field(e, r->arena, path, nulls ? "must be a "
			    "string or null" : "must be a string");
		else if (wa_utf8_count(it->valuestring,
		    strlen(it->valuestring)) > CT_FIELD_VALUE_MAX)
			wa_err_field(e, r->arena, path, "must be at most %d "
			    "characters", CT_FIELD_VALUE_MAX);
	}
	if (n > CT_FIELDS_MAX)
		wa_err_field(e, r->arena, wa_arena_printf(r->arena,
		    "%scustomFields", pfx), "must have at most %d members",
		    CT_FIELDS_MAX);
}

/* "email": "  " is no e-mail at all; trimmed copies of the strings. */
static void
add_text(struct wa_req *r, cJSON *row, const cJSON *in, const char *name,
    int keep_null)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(in, name);
	const char	*s;

	if (v == NULL)
		return;
	if (cJSON_IsNull(v)) {
		if (keep_null)
			cJSON_AddNullToObject(row, name);
		return;
	}
	s = strcmp(name, "notes") == 0 ? v->valuestring :
	    ct_trim(r, v->valuestring);
	if (*s == '\0')
		cJSON_AddNullToObject(row, name);
	else
		cJSON_AddStringToObject(row, name, s);
}

/* name: the labels of in, with those of extra (import defaults) after
 * them; more than CT_LABELS_MAX in all is a problem of `name`, in e. */
static void
add_labels(struct wa_req *r, struct wa_error *e, cJSON *row, const cJSON *in,
    const char *name, const cJSON *extra)
{
	struct ct_labels	l;

	ct_labels_from(r, cJSON_GetObjectItemCaseSensitive(in, name), extra,
	    &l);
	if (l.n > CT_LABELS_MAX)
		wa_err_field(e, r->arena, name, "must have at most %d items "
		    "together with the defaults", CT_LABELS_MAX);
	/* a text[] literal: cast by the statement, several times cheaper
	 * than populating a text[] from a JSON array */
	cJSON_AddStringToObject(row, name,
	    wa_pgval_text_array(r->arena, l.v, l.n));
}

enum wa_err
ct_new_parse(struct wa_req *r, struct wa_error *e, const cJSON *obj,
    const struct ct_import *imp, struct ct_new *out)
{
	const cJSON	*cf;

	memset(out, 0, sizeof(*out));
	if (imp == NULL)
		wa_json_check(r->arena, e, obj, account_field, NULL);
	wa_json_check(r->arena, e, obj, new_fields, NULL);
	check_custom(r, e, cJSON_GetObjectItemCaseSensitive(obj,
	    "customFields"), 0, "");
	if (e->code != WA_OK)
		return e->code;

	wa_e164_normalize(wa_json_str(obj, "phone"), out->phone,
	    sizeof(out->phone));
	out->name = ct_trim(r, wa_json_str(obj, "name"));
	if (wa_crypto_uuid7((uint64_t)wa_clock_now_ms(), out->id) != 0)
		return wa_err_fail(e, WA_ERR_INTERNAL, NULL, "no random bytes");
	out->row = cJSON_CreateObject();
	cJSON_AddStringToObject(out->row, "id", out->id);
	cJSON_AddStringToObject(out->row, "phone", out->phone);
	cJSON_AddStringToObject(out->row, "name", out->name);
	add_text(r, out->row, obj, "email", 0);
	add_text(r, out->row, obj, "company", 0);
	add_text(r, out->row, obj, "notes", 0);
	add_labels(r, e, out->row, obj, "tags",
	    imp != NULL ? imp->default_tags : NULL);
	add_labels(r, e, out->row, obj, "groups",
	    imp != NULL ? imp->default_groups : NULL);
	cJSON_AddBoolToObject(out->row, "isOptedIn",
	    wa_json_bool(obj, "isOptedIn", 1));
	cf = cJSON_GetObjectItemCaseSensitive(obj, "customFields");
	cJSON_AddItemToObject(out->row, "customFields", cJSON_IsObject(cf) ?
	    cJSON_Duplicate(cf, 1) : cJSON_CreateObject());
	return e->code;
}

enum wa_err
ct_import_parse(struct wa_req *r, const cJSON *body, struct ct_import *imp)
{
	static const struct wa_field fields[] = {
		WA_FIELD_STR("accountId", WA_F_REQUIRED_TEXT, 64),
		/* rows are checked one by one: a bad row fails alone */
		WA_FIELD_ARR("contacts", WA_F_REQUIRED, 1, CT_IMPORT_MAX),
		LABELS("defaultTags", WA_F_NULLABLE),
		LABELS("defaultGroups", WA_F_NULLABLE),
		WA_FIELD_BOOL("skipDuplicates", WA_F_NULLABLE),
		WA_FIELD_END
	};

	memset(imp, 0, sizeof(*imp));
	if (wa_json_validate(r, body, fields, NULL) != WA_OK)
		return r->err.code;
	imp->rows = cJSON_GetObjectItemCaseSensitive(body, "contacts");
	imp->default_tags = cJSON_GetObjectItemCaseSensitive(body,
	    "defaultTags");
	imp->default_groups = cJSON_GetObjectItemCaseSensitive(body,
	    "defaultGroups");
	imp->skip_duplicates = wa_json_bool(body, "skipDuplicates", 1);
	return WA_OK;
}

enum wa_err
ct_update_parse(struct wa_req *r, const cJSON *body, cJSON **patch)
{
	const cJSON	*v;
	cJSON		*p;

	wa_json_validate(r, body, update_fields, NULL);
	check_custom(r, &r->err, cJSON_GetObjectItemCaseSensitive(body,
	    "customFields"), 1, "");
	if (r->err.code != WA_OK)
		return r->err.code;

	*patch = p = cJSON_CreateObject();
	if ((v = cJSON_GetObjectItemCaseSensitive(body, "name")) != NULL)
		cJSON_AddStringToObject(p, "name", ct_trim(r, v->valuestring));
	add_text(r, p, body, "email", 1);
	add_text(r, p, body, "company", 1);
	add_text(r, p, body, "notes", 1);
	if (wa_json_has(body, "tags"))
		add_labels(r, &r->err, p, body, "tags", NULL);
	if (wa_json_has(body, "groups"))
		add_labels(r, &r->err, p, body, "groups", NULL);
	if ((v = cJSON_GetObjectItemCaseSensitive(body, "isOptedIn")) != NULL)
		cJSON_AddBoolToObject(p, "isOptedIn", cJSON_IsTrue(v));
	if ((v = cJSON_GetObjectItemCaseSensitive(body, "isBlocked")) != NULL)
		cJSON_AddBoolToObject(p, "isBlocked", cJSON_IsTrue(v));
	if ((v = cJSON_GetObjectItemCaseSensitive(body, "customFields")))
		cJSON_AddItemToObject(p, "customFields",
		    cJSON_Duplicate(v, 1));
	return WA_OK;
}

enum wa_err
ct_account(struct wa_req *r, const char *id, struct wa_account *out)
{
	if (id == NULL || *id == '\0')
		return wa_fail_field(r, "accountId", "is required");
	return wa_account_get(r, id, out);
}

void
ct_check_account(struct wa_req *r, const cJSON *body)
{
	wa_json_validate(r, body, account_field, NULL);
}

const char *
ct_label_arg(struct wa_req *r, const cJSON *body, const char *field)
{
	const struct wa_field	f[] = {
		WA_FIELD_STR_CHECK(field, WA_F_REQUIRED_TEXT, CT_LABEL_MAX,
		    ct_label_ok, MSG_LABEL),
		WA_FIELD_END
	};
	size_t	before = r->err.nfields;

	wa_json_validate(r, body, f, NULL);
	if (r->err.nfields != before ||
	    !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(body, field)))
		return NULL;
	return ct_trim(r, wa_json_str(body, field));
}

/* The ids that can name a contact, as a uuid[] literal; the others
 * match nothing, as an id of another tenant does. */
static const char *
uuid_array(struct wa_req *r, const cJSON *arr)
{
	const cJSON	*it;
	const char	**v;
	size_t		 n = 0;

	v = wa_arena_calloc(r->arena, (size_t)cJSON_GetArraySize(arr) + 1,
	    sizeof(*v));
	cJSON_ArrayForEach(it, arr)
		if (wa_valid_uuid(it->valuestring))
			v[n++] = it->valuestring;
	return wa_pgval_text_array(r->arena, v, n);
}

static const char *
labels_array(struct wa_req *r, const cJSON *arr)
{
	struct ct_labels	l;

	ct_labels_from(r, arr, NULL, &l);
	return wa_pgval_text_array(r->arena, l.v, l.n);
}

enum wa_err
ct_bulk_parse(struct wa_req *r, const cJSON *body, struct ct_bulk *b)
{
	const cJSON	*tags, *groups;
	const char	*a;

	memset(b, 0, sizeof(*b));
	if (wa_json_validate(r, body, bulk_fields, NULL) != WA_OK)
		return r->err.code;
	a = wa_json_str(body, "action");
	tags = cJSON_GetObjectItemCaseSensitive(body, "tags");
	groups = cJSON_GetObjectItemCaseSensitive(body, "groups");
	if (strstr(a, "Tags") != NULL && cJSON_GetArraySize(tags) == 0)
		wa_fail_field(r, "tags", "is required for %s", a);
	if (strstr(a, "Groups") != NULL && cJSON_GetArraySize(groups) == 0)
		wa_fail_field(r, "groups", "is required for %s", a);
	if (r->err.code != WA_OK)
		return r->err.code;
	b->action = a;
	b->ids = uuid_array(r, cJSON_GetObjectItemCaseSensitive(body,
	    "contactIds"));
	b->tags = labels_array(r, tags);
	b->groups = labels_array(r, groups);
	return WA_OK;
}

enum wa_err
ct_ids_parse(struct wa_req *r, const cJSON *body, const char **ids)
{
	if (wa_json_validate(r, body, ids_fields, NULL) != WA_OK)
		return r->err.code;
	*ids = uuid_array(r, cJSON_GetObjectItemCaseSensitive(body,
	    "contactIds"));
	return WA_OK;
}
