/*
 * Field tables and normalization.  Validation is declarative (the
 * tables); what the tables cannot say (rules between fields) follows in
 * profile_input_parse().
 */
#include <ctype.h>
#include <string.h>

#include "accounts.h"
#include "arena.h"
#include "clock.h"
#include "json.h"
#include "profiles.h"
#include "valid.h"

static int
valid_expiry_now(const char *s)
{
	return wa_valid_expiry(s, wa_clock_now_ms());
}

static int
valid_phone_prefix(const char *s)
{
	size_t	i, n = strlen(s);

	if (n < 2 || n > 5 || s[0] != '+')
		return 0;
	for (i = 1; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

static int
valid_country_code(const char *s)
{
	size_t	i, n = strlen(s);

	if (n < 1 || n > 4)
		return 0;
	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

#define MSG_EMAIL	"must be a valid email address"
#define MSG_URL		"must be an absolute http(s) URL"
#define MSG_E164	"must be an E.164 phone number such as +14155550100"
#define MSG_UUID	"must be a UUID"
#define MSG_COUNTRY	"must be an ISO 3166-1 alpha-2 country code such as US"

static const char *const billing_models[] = {
	"profile", "organization", "profile_and_organization", NULL
};
static const char *const entity_types[] = {
	"PRIVATE_PROFIT", "PUBLIC_PROFIT", "NON_PROFIT", "SOLE_PROPRIETOR",
	"GOVERNMENT", NULL
};
static const char *const relationships[] = {
	"BASIC_ACCOUNT", "MEDIUM_ACCOUNT", "LARGE_ACCOUNT", "SMALL_ACCOUNT",
	"KEY_ACCOUNT", NULL
};
static const char *const verticals[] = {
	"PROFESSIONAL", "REAL_ESTATE", "HEALTHCARE", "HUMAN_RESOURCES",
	"ENERGY", "ENTERTAINMENT", "RETAIL", "TRANSPORTATION", "AGRICULTURE",
	"INSURANCE", "POSTAL", "EDUCATION", "HOSPITALITY", "FINANCIAL",
	"POLITICAL", "GAMBLING", "LEGAL", "CONSTRUCTION", "NGO",
	"MANUFACTURING", "GOVERNMENT", "TECHNOLOGY", "COMMUNICATION", NULL
};

static const struct wa_field brand_contact[] = {
	WA_FIELD_STR("name", WA_F_REQUIRED_TEXT, 255),
	WA_FIELD_STR("businessName", WA_F_NULLABLE, 255),
	WA_FIELD_STR_CHECK("email", WA_F_NULLABLE, 254, wa_valid_email,
	    MSG_EMAIL),
	WA_FIELD_STR_CHECK("phone", WA_F_NULLABLE, 16, wa_valid_e164, MSG_E164),
	WA_FIELD_STR_CHECK("phoneCountryCode", WA_F_NULLABLE, 4,
	    valid_country_code, "must be 1-4 digits such as 1"),
	WA_FIELD_STR("role", WA_F_NULLABLE, 100),
	WA_FIELD_END
};

static const struct wa_field brand_business[] = {
	WA_FIELD_STR("legalName", WA_F_NULLABLE, 255),
	WA_FIELD_STR("taxId", WA_F_NULLABLE, 64),
	WA_FIELD_STR("taxIdType", WA_F_NULLABLE, 32),
	WA_FIELD_ENUM("entityType", WA_F_NULLABLE, entity_types),
	WA_FIELD_STR("street", WA_F_NULLABLE, 255),
	WA_FIELD_STR("city", WA_F_NULLABLE, 100),
	WA_FIELD_STR("state", WA_F_NULLABLE, 100),
	WA_FIELD_STR("postalCode", WA_F_NULLABLE, 20),
	WA_FIELD_STR_CHECK("country", WA_F_NULLABLE, 2, wa_valid_country,
	    MSG_COUNTRY),
	WA_FIELD_STR_CHECK("countryOfRegistration", WA_F_NULLABLE, 2,
	    wa_valid_country, MSG_COUNTRY),
	WA_FIELD_STR_CHECK("url", WA_F_NULLABLE, 2048, wa_valid_url, MSG_URL),
	WA_FIELD_END
};

static const struct wa_field destination_country[] = {
	WA_FIELD_STR_CHECK("id", WA_F_REQUIRED, 2, wa_valid_country,
	    MSG_COUNTRY),
	WA_FIELD_BOOL("isMain", WA_F_NULLABLE),
	WA_FIELD_END
};

static const struct wa_field brand_compliance[] = {
	WA_FIELD_ENUM("brandRelationship", WA_F_REQUIRED, relationships),
	WA_FIELD_ENUM("vertical", WA_F_REQUIRED, verticals),
	WA_FIELD_ARR_OBJ("destinationCountries", WA_F_NULLABLE, 0, 250,
	    destination_country),
	WA_FIELD_STR("expectedMessagingVolume", WA_F_NULLABLE, 100),
	WA_FIELD_BOOL("isTcrApplication", WA_F_NULLABLE),
	WA_FIELD_STR("notes", WA_F_NULLABLE, 2000),
	WA_FIELD_STR_CHECK("phoneNumberPrefix", WA_F_NULLABLE, 5,
	    valid_phone_prefix, "must be + and 1-4 digits such as +1"),
	WA_FIELD_STR("primaryUseCase", WA_F_NULLABLE, 500),
	WA_FIELD_END
};

static const struct wa_field brand[] = {
	WA_FIELD_OBJ("contact", WA_F_REQUIRED, brand_contact),
	WA_FIELD_OBJ("business", WA_F_NULLABLE, brand_business),
	WA_FIELD_OBJ("compliance", WA_F_REQUIRED, brand_compliance),
	WA_FIELD_END
};

static const struct wa_field billing_contact[] = {
	WA_FIELD_STR_CHECK("email", WA_F_REQUIRED, 254, wa_valid_email,
	    MSG_EMAIL),
	WA_FIELD_STR("name", WA_F_REQUIRED_TEXT, 255),
	WA_FIELD_STR("address", WA_F_NULLABLE, 500),
	WA_FIELD_STR_CHECK("phone", WA_F_NULLABLE, 16, wa_valid_e164, MSG_E164),
	WA_FIELD_END
};

static const struct wa_field payment_details[] = {
	WA_FIELD_STR_CHECK("card_number", WA_F_REQUIRED, 19,
	    wa_valid_card_number,
	    "must be 13-19 digits with a valid check digit"),
	WA_FIELD_STR_CHECK("cvc", WA_F_REQUIRED, 4, wa_valid_cvc,
	    "must be 3 or 4 digits"),
	WA_FIELD_STR_CHECK("expiry", WA_F_REQUIRED, 5, valid_expiry_now,
	    "must be MM/YY and not in the past"),
	WA_FIELD_STR_CHECK("zip_code", WA_F_REQUIRED, 10, wa_valid_zip,
	    "must be a postal code of 3-10 letters, digits, spaces or dashes"),
	WA_FIELD_END
};

static const struct wa_field waba[] = {
	WA_FIELD_STR_CHECK("waba_id", WA_F_REQUIRED, 64,
	    wa_account_valid_meta_id,
	    "must be a Meta WhatsApp Business Account id"),
	WA_FIELD_STR("access_token", WA_F_REQUIRED_TEXT, 4096),
	WA_FIELD_STR_CHECK("phone_number_id", WA_F_NULLABLE, 64,
	    wa_account_valid_meta_id, "must be a Meta phone number id"),
	WA_FIELD_END
};

/* Fields of both create and update. */
static const struct wa_field common[] = {
	WA_FIELD_STR_CHECK("short_name", WA_F_NULLABLE, 11, wa_valid_short_name,
	    "must be 3-11 letters, digits or spaces and contain at least one "
	    "letter"),
	WA_FIELD_STR("description", WA_F_NULLABLE, 1000),
	WA_FIELD_STR_CHECK("icon", WA_F_NULLABLE, 2048, wa_valid_url, MSG_URL),
	WA_FIELD_BOOL("allow_contact_sharing", WA_F_NULLABLE),
	WA_FIELD_BOOL("allow_template_sharing", WA_F_NULLABLE),
	WA_FIELD_BOOL("inherit_contacts", WA_F_NULLABLE),
	WA_FIELD_BOOL("inherit_templates", WA_F_NULLABLE),
	WA_FIELD_BOOL("inherit_tcr_brand", WA_F_NULLABLE),
	WA_FIELD_BOOL("inherit_tcr_campaign", WA_F_NULLABLE),
	WA_FIELD_ENUM("billing_model", WA_F_NULLABLE, billing_models),
	WA_FIELD_OBJ("billing_contact", WA_F_NULLABLE, billing_contact),
	WA_FIELD_OBJ("payment_details", WA_F_NULLABLE, payment_details),
	WA_FIELD_OBJ("brand", WA_F_NULLABLE, brand),
	WA_FIELD_BOOL("sandbox", WA_F_NULLABLE),
	WA_FIELD_END
};

static const struct wa_field create_only[] = {
	WA_FIELD_STR("name", WA_F_REQUIRED_TEXT, 255),
	WA_FIELD_OBJ("whatsapp_business_account", WA_F_NULLABLE, waba),
	WA_FIELD_END
};

static const struct wa_field update_only[] = {
	WA_FIELD_STR("name", WA_F_NULLABLE | WA_F_NONEMPTY, 255),
	WA_FIELD_OBJ("whatsapp_business_account", WA_F_NULLABLE, waba),
	WA_FIELD_STR_CHECK("sending_phone_number", WA_F_NULLABLE, 16,
	    wa_valid_e164, MSG_E164),
	WA_FIELD_STR_CHECK("sending_phone_number_profile_id", WA_F_NULLABLE, 36,
	    wa_valid_uuid, MSG_UUID),
	WA_FIELD_STR_CHECK("sending_whatsapp_number_profile_id", WA_F_NULLABLE,
	    36, wa_valid_uuid, MSG_UUID),
	WA_FIELD_STR_CHECK("whatsapp_phone_number", WA_F_NULLABLE, 16,
	    wa_valid_e164, MSG_E164),
	WA_FIELD_BOOL("allow_number_change_during_onboarding", WA_F_NULLABLE),
	WA_FIELD_END
};

/* DELETE takes no more than the SDK sends: {} or {"sandbox": bool}. */
static const struct wa_field delete_body[] = {
	WA_FIELD_BOOL("sandbox", WA_F_NULLABLE),
	WA_FIELD_END
};

/* Columns a request may set, and whether JSON null clears them
 * (otherwise null means "leave as is"). */
static const struct {
	const char	*name;
	int		 clearable;
	int		 update_only;
} columns[] = {
	{ "name", 0, 0 },
	{ "short_name", 1, 0 },
	{ "description", 1, 0 },
	{ "icon", 1, 0 },
	{ "allow_contact_sharing", 0, 0 },
	{ "allow_template_sharing", 0, 0 },
	{ "inherit_contacts", 0, 0 },
	{ "inherit_templates", 0, 0 },
	{ "inherit_tcr_brand", 0, 0 },
	{ "inherit_tcr_campaign", 0, 0 },
	{ "billing_model", 0, 0 },
	{ "billing_contact", 1, 0 },
	{ "sending_phone_number", 1, 1 },
	{ "sending_phone_number_profile_id", 1, 1 },
	{ "sending_whatsapp_number_profile_id", 1, 1 },
	{ "whatsapp_phone_number", 1, 1 },
	{ "allow_number_change_during_onboarding", 1, 1 },
};

/* "countryOfRegistration" -> "country_of_registration" */
static char *
snake(struct wa_req *r, const char *camel)
{
	size_t	 n = strlen(camel), i, o = 0;
	char	*s = wa_arena_alloc(r->arena, 2 * n + 1);

	for (i = 0; i < n; i++) {
		if (isupper((unsigned char)camel[i])) {
			s[o++] = '_';
			s[o++] = (char)tolower((unsigned char)camel[i]);
		} else
			s[o++] = camel[i];
	}
	s[o] = '\0';
	return s;
}

/* A brand section in the response's shape: every field of the table,
 * snake_case, null when absent. */
static cJSON *
section(struct wa_req *r, const cJSON *in, const struct wa_field *tab)
{
	const struct wa_field	*f;
	const cJSON		*v, *it;
	cJSON			*out = cJSON_CreateObject(), *arr, *o;

	for (f = tab; f->name != NULL; f++) {
		v = cJSON_GetObjectItemCaseSensitive(in, f->name);
		if (f->type == WA_J_ARRAY) {
			/* destination countries keep {id, isMain}, as the
			 * platform returns them */
			arr = cJSON_AddArrayToObject(out, snake(r, f->name));
			cJSON_ArrayForEach(it, v) {
				o = cJSON_CreateObject();
				cJSON_AddStringToObject(o, "id",
				    wa_json_str(it, "id"));
				cJSON_AddBoolToObject(o, "isMain",
				    wa_json_bool(it, "isMain", 0));
				cJSON_AddItemToArray(arr, o);
			}
		} else if (v == NULL || cJSON_IsNull(v)) {
			if (f->type == WA_J_BOOL)
				cJSON_AddFalseToObject(out, snake(r, f->name));
			else
				cJSON_AddNullToObject(out, snake(r, f->name));
		} else
			cJSON_AddItemToObject(out, snake(r, f->name),
			    cJSON_Duplicate(v, 1));
	}
	return out;
}

static void
build_patch(struct wa_req *r, const cJSON *body, int creating,
    struct profile_input *in)
{
	const cJSON	*v;
	size_t		 i;

	in->patch = cJSON_CreateObject();
	for (i = 0; i < sizeof(columns) / sizeof(columns[0]); i++) {
		if (creating && columns[i].update_only)
			continue;
		v = cJSON_GetObjectItemCaseSensitive(body, columns[i].name);
		if (v == NULL)
			continue;
		if (cJSON_IsNull(v) && (creating || !columns[i].clearable))
			continue;
		if (strcmp(columns[i].name, "billing_contact") == 0 &&
		    !cJSON_IsNull(v)) {
			cJSON *bc = cJSON_CreateObject();
			wa_json_add_strn(bc, "address",
			    wa_json_str(v, "address"));
			wa_json_add_strn(bc, "email", wa_json_str(v, "email"));
			wa_json_add_strn(bc, "name", wa_json_str(v, "name"));
			wa_json_add_strn(bc, "phone", wa_json_str(v, "phone"));
			cJSON_AddItemToObject(in->patch, columns[i].name, bc);
			continue;
		}
		cJSON_AddItemToObject(in->patch, columns[i].name,
		    cJSON_Duplicate(v, 1));
	}
	(void)r;
}

static int
present(const cJSON *body, const char *name)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(body, name);

	return v != NULL && !cJSON_IsNull(v);
}

/* Rules between fields. */
static void
cross_checks(struct wa_req *r, const cJSON *body,
    const struct profile_current *cur, struct profile_input *in)
{
	const char	*bm = wa_json_str(body, "billing_model");
	const char	*model;
	int		 has_contact;

	model = bm != NULL ? bm : cur != NULL ? cur->billing_model : "profile";
	has_contact = present(body, "billing_contact") ||
	    (cur != NULL && cur->has_billing_contact &&
	    !wa_json_is_null(body, "billing_contact"));
	/* An explicit choice of profile billing needs someone to bill;
	 * when the model is left at its default, the organization's
	 * details stand in until a contact is added. */
	if (bm != NULL && strcmp(bm, "organization") != 0 && !has_contact)
		wa_fail_field(r, "billing_contact", "is required when "
		    "billing_model is %s", bm);
	if (present(body, "payment_details") &&
	    strcmp(model, "organization") == 0)
		wa_fail_field(r, "payment_details", "is not allowed when "
		    "billing_model is organization");
	if (present(body, "brand")) {
		in->brand = 1;
		if (wa_json_bool(body, "inherit_tcr_brand", 0))
			wa_fail_field(r, "brand", "cannot be given when "
			    "inherit_tcr_brand is true");
		else if (!wa_json_has(body, "inherit_tcr_brand") ||
		    wa_json_is_null(body, "inherit_tcr_brand"))
			/* a profile that brings its own brand does not
			 * inherit the organization's */
			cJSON_AddFalseToObject(in->patch, "inherit_tcr_brand");
	}
}

enum wa_err
profile_input_parse(struct wa_req *r, const cJSON *body,
    const struct profile_current *cur, struct profile_input *in)
{
	const cJSON	*b;

	memset(in, 0, sizeof(*in));
	wa_json_validate(r, body, cur == NULL ? create_only : update_only,
	    NULL);
	wa_json_validate(r, body, common, NULL);
	if (r->err.code != WA_OK)
		return r->err.code;
	build_patch(r, body, cur == NULL, in);
	cross_checks(r, body, cur, in);
	if (r->err.code != WA_OK)
		return r->err.code;

	if (in->brand) {
		b = cJSON_GetObjectItemCaseSensitive(body, "brand");
		in->brand_contact = section(r, cJSON_GetObjectItemCaseSensitive(
		    b, "contact"), brand_contact);
		in->brand_compliance = section(r,
		    cJSON_GetObjectItemCaseSensitive(b, "compliance"),
		    brand_compliance);
		if (present(b, "business"))
			in->brand_business = section(r,
			    cJSON_GetObjectItemCaseSensitive(b, "business"),
			    brand_business);
		else if (wa_json_is_null(b, "business") || cur == NULL)
			in->brand_business = cJSON_CreateNull();
	}
	if (present(body, "whatsapp_business_account"))
		in->waba = cJSON_GetObjectItemCaseSensitive(body,
		    "whatsapp_business_account");
	in->payment = present(body, "payment_details");
	in->sandbox = wa_json_bool(body, "sandbox", 0);
	return WA_OK;
}

enum wa_err
profile_delete_parse(struct wa_req *r, const cJSON *body, int *sandbox)
{
	if (wa_json_validate(r, body, delete_body, NULL) != WA_OK)
		return r->err.code;
	*sandbox = wa_json_bool(body, "sandbox", 0);
	return WA_OK;
}
