/*
 * contacts: Late's contacts and groups of a WhatsApp account,
 * /v1/whatsapp/contacts... and /v1/whatsapp/groups (seed 002,
 * spec/sdk-clients.md §2.3, docs/contacts.md).  Late envelope; request
 * and response members are camelCase.
 *
 * The schema (sql/0003_contacts.sql) keeps tags, groups and their counts
 * current in the same transaction as every change of a contact, so the
 * handlers never count or aggregate a whole account.
 */
#ifndef CONTACTS_H
#define CONTACTS_H

#include <cjson/cJSON.h>
#include <libpq-fe.h>

#include "accounts.h"
#include "err.h"
#include "req.h"

/* Limits (docs/contacts.md, "Rules"). */
#define CT_NAME_MAX		255
#define CT_COMPANY_MAX		255
#define CT_NOTES_MAX		5000
#define CT_LABEL_MAX		100	/* characters of a tag or group */
#define CT_LABELS_MAX		50	/* tags, or groups, of one contact */
#define CT_FIELDS_MAX		50	/* customFields members */
#define CT_FIELD_KEY_MAX	100
#define CT_FIELD_VALUE_MAX	1000
#define CT_PHONE_IN_MAX		32	/* as written, before normalizing */
#define CT_IMPORT_MAX		1000
#define CT_BULK_MAX		500
#define CT_LIMIT_DEFAULT	50
#define CT_LIMIT_MAX		100
#define CT_SKIP_MAX		10000000
#define CT_SEARCH_MAX		100

/* A list of tags or groups, trimmed and without duplicates. */
struct ct_labels {
	const char	**v;
	size_t		  n;
};

/* One contact as create and import take it, validated and normalized;
 * `row` is the JSON object the insert statement reads. */
struct ct_new {
	/* a v7 UUID, made here (the column's default costs a function
	 * call per row) */
	char		 id[37];
	char		 phone[20];
	const char	*name;
	cJSON		*row;
};

/* An import request, validated (the rows are not, yet). */
struct ct_import {
	const cJSON	*rows;
	const cJSON	*default_tags;		/* or NULL */
	const cJSON	*default_groups;	/* or NULL */
	int		 skip_duplicates;
};

/* A bulk action, validated; the arrays are PostgreSQL literals. */
struct ct_bulk {
	const char	*action;
	const char	*ids;		/* uuid[]: only well-formed ids */
	const char	*tags;		/* text[] */
	const char	*groups;	/* text[] */
};

/* input.c: validation and normalization */

/* Validates a create body, or with imp one row of that import (no
 * accountId; the import's default tags and groups merged in), into
 * out; records its problems in e (&r->err for a create, the row's own
 * record for an import) and returns the code e holds. */
enum wa_err	ct_new_parse(struct wa_req *, struct wa_error *e,
		    const cJSON *obj, const struct ct_import *imp,
		    struct ct_new *out);
/* Validates an import body up to its rows. */
enum wa_err	ct_import_parse(struct wa_req *, const cJSON *body,
		    struct ct_import *imp);
/* Validates a bulk action; ct_ids_parse a bulk delete's contactIds. */
enum wa_err	ct_bulk_parse(struct wa_req *, const cJSON *body,
		    struct ct_bulk *);
enum wa_err	ct_ids_parse(struct wa_req *, const cJSON *body,
		    const char **ids);
/* Validates a PUT body into patch (the JSON the update reads). */
enum wa_err	ct_update_parse(struct wa_req *, const cJSON *body,
		    cJSON **patch);
/* Trims, drops blanks and duplicates of a validated array of strings
 * (NULL = none) and appends extra; *labels are arena-owned. */
void		ct_labels_from(struct wa_req *, const cJSON *arr,
		    const cJSON *extra, struct ct_labels *out);
/* Leading and trailing blanks removed; arena copy. */
char		*ct_trim(struct wa_req *, const char *);
/* The accountId query parameter: required, then an account of the
 * caller (404 otherwise). */
enum wa_err	ct_account(struct wa_req *, const char *id,
		    struct wa_account *out);
/* Validates the accountId member of a body (required string). */
void		ct_check_account(struct wa_req *, const cJSON *body);
/* A required group name member (oldName, groupName...), trimmed, or
 * NULL with the problem recorded. */
const char	*ct_label_arg(struct wa_req *, const cJSON *body,
		    const char *field);
/* 1 if s may name a tag or group: not blank, no control characters. */
int		ct_label_ok(const char *);

/* The visibility of a contact for a key narrowed to a profile: its
 * account must be one the key may use (the profile's own or the
 * organization's).  "" = organization key. */
const char	*ct_scope(const struct wa_req *);

/* contact.c */
enum wa_err	contacts_create(struct wa_req *);
enum wa_err	contacts_get(struct wa_req *);
enum wa_err	contacts_update(struct wa_req *);
enum wa_err	contacts_delete(struct wa_req *);
/* Inserts rows (a JSON array of ct_new.row objects) into the account;
 * res has per row: ord, id (NULL when the phone existed), phone,
 * existing_id, and with with_json `data`: {"contact": the created
 * contact}, the JSON text of the answer. */
enum wa_err	ct_insert(struct wa_req *, const struct wa_account *,
		    const cJSON *rows, int with_json, PGresult **res);

/* list.c */
enum wa_err	contacts_list(struct wa_req *);

/* import.c */
enum wa_err	contacts_import(struct wa_req *);

/* bulk.c */
enum wa_err	contacts_bulk(struct wa_req *);
enum wa_err	contacts_bulk_delete(struct wa_req *);

/* groups.c */
enum wa_err	groups_list(struct wa_req *);
enum wa_err	groups_rename(struct wa_req *);
enum wa_err	groups_delete(struct wa_req *);

/*
 * The contact objects of the seed, built by the statements themselves
 * (json_build_object keeps the seed's key order) from a row `c` of
 * wa.contacts.  Absent values are null; timestamps RFC 3339.
 */
#define CT_J_HEAD	"'id', c.id, 'phone', c.phone, "
#define CT_J_WAID	"'waId', c.wa_id, "
#define CT_J_BODY	"'name', c.name, 'email', c.email, " \
	"'company', c.company, 'tags', c.tags, 'groups', c.groups, " \
	"'isOptedIn', c.is_opted_in, "
#define CT_J_MESSAGES	"'lastMessageSentAt', " \
	"wa.rfc3339(c.last_message_sent_at), 'lastMessageReceivedAt', " \
	"wa.rfc3339(c.last_message_received_at), 'messagesSentCount', " \
	"c.messages_sent_count, 'messagesReceivedCount', " \
	"c.messages_received_count, "
#define CT_J_FIELDS	"'customFields', c.custom_fields, 'notes', c.notes, "
#define CT_J_CREATED_AT	"'createdAt', wa.rfc3339(c.created_at)"
#define CT_J_UPDATED_AT	"'updatedAt', wa.rfc3339(c.updated_at)"

/* GET /contacts items */
#define CT_JSON_ITEM	"json_build_object(" CT_J_HEAD CT_J_WAID \
	CT_J_BODY CT_J_MESSAGES CT_J_FIELDS CT_J_CREATED_AT ")"
/* POST /contacts */
#define CT_JSON_CREATED	"json_build_object(" CT_J_HEAD CT_J_BODY \
	CT_J_CREATED_AT ")"
/* GET /contacts/{id} */
#define CT_JSON_DETAIL	"json_build_object(" CT_J_HEAD CT_J_WAID \
	CT_J_BODY "'optInDate', wa.rfc3339(c.opt_in_date), 'optOutDate', " \
	"wa.rfc3339(c.opt_out_date), 'isBlocked', c.is_blocked, " \
	CT_J_MESSAGES CT_J_FIELDS CT_J_CREATED_AT ", " CT_J_UPDATED_AT ")"
/* PUT /contacts/{id} */
#define CT_JSON_UPDATED	"json_build_object(" CT_J_HEAD CT_J_BODY \
	"'isBlocked', c.is_blocked, " CT_J_FIELDS CT_J_UPDATED_AT ")"

/* The contact `c` may be used by the request's key; $N is ct_scope(). */
#define CT_VISIBLE(n)	"EXISTS (SELECT 1 FROM wa.wa_accounts a " \
	"WHERE a.id = c.account_id AND a.deleted_at IS NULL AND (" n " = '' " \
	"OR a.profile_id IS NULL OR a.profile_id = NULLIF(" n ", '')::uuid))"

#endif /* CONTACTS_H */
