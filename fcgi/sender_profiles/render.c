/*
 * ProfileDetail, in the order of seed 004's example.  The whole detail
 * comes from one query: profile, organization e-mail, the WhatsApp
 * account in effect (the profile's own, else the organization's), and
 * the brand.
 */
#include <string.h>

#include "db.h"
#include "json.h"
#include "profiles.h"

#define PROFILE_SELECT \
	"SELECT p.id, p.org_id, p.name, o.email AS org_email, p.icon, " \
	"p.description, p.short_name, " \
	"CASE WHEN a.phone_number_id IS NOT NULL THEN 'approved' " \
	"ELSE 'incomplete' END AS status, " \
	"wa.rfc3339(p.created_at) AS created_at, " \
	"wa.rfc3339(p.updated_at) AS updated_at, " \
	"p.allow_contact_sharing, p.allow_template_sharing, " \
	"p.inherit_contacts, p.inherit_templates, p.inherit_tcr_brand, " \
	"p.inherit_tcr_campaign, p.billing_model, " \
	"p.sending_phone_number_profile_id, " \
	"p.sending_whatsapp_number_profile_id, p.sending_phone_number, " \
	"COALESCE(p.whatsapp_phone_number, a.display_phone_number) " \
	"AS whatsapp_phone_number, " \
	"p.allow_number_change_during_onboarding, a.waba_id, " \
	"p.billing_contact::text AS billing_contact, " \
	"b.id AS brand_id, b.tcr_brand_id, b.status AS brand_status, " \
	"b.identity_status, b.universal_ein, b.csp_id, b.submitted_to_tcr, " \
	"wa.rfc3339(b.submitted_at) AS brand_submitted_at, " \
	"wa.rfc3339(b.created_at) AS brand_created_at, " \
	"wa.rfc3339(b.updated_at) AS brand_updated_at, " \
	"b.contact::text AS brand_contact, " \
	"b.business::text AS brand_business, " \
	"b.compliance::text AS brand_compliance " \
	"FROM wa.profiles p JOIN wa.organizations o ON o.id = p.org_id " \
	"LEFT JOIN LATERAL (SELECT w.waba_id, w.phone_number_id, " \
	"w.display_phone_number FROM wa.wa_accounts w " \
	"WHERE w.deleted_at IS NULL AND (w.profile_id = p.id OR " \
	"w.profile_id IS NULL) ORDER BY w.profile_id IS NULL, w.created_at " \
	"LIMIT 1) a ON true " \
	"LEFT JOIN wa.profile_brands b ON b.org_id = p.org_id " \
	"AND b.profile_id = p.id "

/* Each its own statement, without "$n IS NULL OR" alternatives, so a
 * generic plan serves every call. */
const char profile_sql_get[] = PROFILE_SELECT
    "WHERE p.id = $1 AND p.deleted_at IS NULL";

const char profile_sql_list[] = PROFILE_SELECT
    "WHERE p.deleted_at IS NULL ORDER BY p.created_at, p.id "
    "LIMIT $1::integer OFFSET $2::bigint";

const char profile_sql_count[] =
    "SELECT count(*) AS n FROM wa.profiles WHERE deleted_at IS NULL";

/* Key order of the JSON sections, as seed 004 shows them (jsonb keeps
 * its own order). */
static const char *const contact_keys[] = { "name", "business_name", "role",
    "phone", "email", "phone_country_code", NULL };
static const char *const business_keys[] = { "legal_name", "tax_id",
    "tax_id_type", "entity_type", "street", "city", "state", "postal_code",
    "country", "url", "country_of_registration", NULL };
static const char *const compliance_keys[] = { "vertical",
    "brand_relationship", "primary_use_case", "expected_messaging_volume",
    "is_tcr_application", "phone_number_prefix", "destination_countries",
    "notes", NULL };
static const char *const billing_keys[] = { "name", "email", "phone",
    "address", NULL };

enum coltype { S, B, J };

struct col {
	const char	*col;
	const char	*key;
	enum coltype	 type;
	const char *const *order;	/* J: key order, or NULL */
};

static const struct col profile_cols[] = {
	{ "id", "id", S, NULL },
	{ "org_id", "organization_id", S, NULL },
	{ "name", "name", S, NULL },
	{ "org_email", "email", S, NULL },
	{ "icon", "icon", S, NULL },
	{ "description", "description", S, NULL },
	{ "short_name", "short_name", S, NULL },
	{ "status", "status", S, NULL },
	{ "created_at", "created_at", S, NULL },
	{ "updated_at", "updated_at", S, NULL },
	{ "allow_contact_sharing", "allow_contact_sharing", B, NULL },
	{ "allow_template_sharing", "allow_template_sharing", B, NULL },
	{ "inherit_contacts", "inherit_contacts", B, NULL },
	{ "inherit_templates", "inherit_templates", B, NULL },
	{ "inherit_tcr_brand", "inherit_tcr_brand", B, NULL },
	{ "inherit_tcr_campaign", "inherit_tcr_campaign", B, NULL },
	{ "billing_model", "billing_model", S, NULL },
	{ "sending_phone_number_profile_id",
	    "sending_phone_number_profile_id", S, NULL },
	{ "sending_whatsapp_number_profile_id",
	    "sending_whatsapp_number_profile_id", S, NULL },
	{ "sending_phone_number", "sending_phone_number", S, NULL },
	{ "whatsapp_phone_number", "whatsapp_phone_number", S, NULL },
	{ "allow_number_change_during_onboarding",
	    "allow_number_change_during_onboarding", B, NULL },
	{ "waba_id", "waba_id", S, NULL },
	{ "billing_contact", "billing_contact", J, billing_keys },
	{ NULL, NULL, S, NULL }
};

static const struct col brand_cols[] = {
	{ "brand_id", "id", S, NULL },
	{ "tcr_brand_id", "tcr_brand_id", S, NULL },
	{ "brand_status", "status", S, NULL },
	{ "identity_status", "identity_status", S, NULL },
	{ "universal_ein", "universal_ein", S, NULL },
	{ "csp_id", "csp_id", S, NULL },
	{ "submitted_to_tcr", "submitted_to_tcr", B, NULL },
	{ "brand_submitted_at", "submitted_at", S, NULL },
	{ NULL, "is_inherited", B, NULL },	/* no org-level brands */
	{ "brand_created_at", "created_at", S, NULL },
	{ "brand_updated_at", "updated_at", S, NULL },
	{ "brand_contact", "contact", J, contact_keys },
	{ "brand_business", "business", J, business_keys },
	{ "brand_compliance", "compliance", J, compliance_keys },
	{ NULL, NULL, S, NULL }
};

static cJSON *
ordered(cJSON *obj, const char *const *keys)
{
	cJSON	*out, *it;

	if (!cJSON_IsObject(obj) || keys == NULL)
		return obj;
	out = cJSON_CreateObject();
	for (; *keys != NULL; keys++)
		if ((it = cJSON_DetachItemFromObjectCaseSensitive(obj, *keys)))
			cJSON_AddItemToObject(out, *keys, it);
	while ((it = obj->child) != NULL) {
		cJSON_DetachItemViaPointer(obj, it);
		cJSON_AddItemToObject(out, it->string, it);
	}
	return out;
}

static void
add_cols(cJSON *obj, const PGresult *res, int row, const struct col *cols)
{
	const struct col	*c;
	const char		*v, *why;
	cJSON			*j;

	for (c = cols; c->key != NULL; c++) {
		v = c->col != NULL ? wa_db_get(res, row, c->col) : NULL;
		if (v == NULL) {
			if (c->type == B && c->col == NULL)
				cJSON_AddFalseToObject(obj, c->key);
			else
				cJSON_AddNullToObject(obj, c->key);
			continue;
		}
		switch (c->type) {
		case B:
			cJSON_AddBoolToObject(obj, c->key, v[0] == 't');
			break;
		case J:
			/* our own jsonb: trusted shape, still parsed
			 * with the hardened parser */
			j = wa_json_parse(v, strlen(v), 64, &why);
			cJSON_AddItemToObject(obj, c->key, j != NULL ?
			    ordered(j, c->order) : cJSON_CreateNull());
			break;
		default:
			cJSON_AddStringToObject(obj, c->key, v);
			break;
		}
	}
}

cJSON *
profile_render(struct wa_req *r, const PGresult *res, int row)
{
	cJSON	*p = cJSON_CreateObject(), *b;

	(void)r;
	add_cols(p, res, row, profile_cols);
	if (wa_db_get(res, row, "brand_id") == NULL)
		cJSON_AddNullToObject(p, "brand");
	else {
		b = cJSON_AddObjectToObject(p, "brand");
		add_cols(b, res, row, brand_cols);
	}
	return p;
}
