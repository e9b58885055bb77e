/*
 * An update of the profile, checked before anything reaches Meta, with
 * Meta's own rules (contract §6.2): about 1-139 characters, address
 * 256, description 512, e-mail 128 and well-formed, at most two
 * websites of http(s), a vertical from Meta's list ("" clears it).  Late
 * and Mosend take the same members; Late names the account in the body.
 */
#include <string.h>

#include "json.h"
#include "valid.h"

#include "bprof.h"

static const char *const verticals[] = {
	"", "ALCOHOL", "APPAREL", "AUTO", "BEAUTY", "EDU", "ENTERTAIN",
	"EVENT_PLAN", "FINANCE", "GOVT", "GROCERY", "HEALTH", "HOTEL",
	"NONPROFIT", "ONLINE_GAMBLING", "OTC_DRUGS", "OTHER",
	"PHYSICAL_GAMBLING", "PROF_SERVICES", "RESTAURANT", "RETAIL",
	"TRAVEL", NULL
};

#define PROFILE_FIELDS \
	WA_FIELD_STR("about", WA_F_NONEMPTY, 139), \
	WA_FIELD_STR("address", 0, 256), \
	WA_FIELD_STR("description", 0, 512), \
	WA_FIELD_STR_CHECK("email", 0, 128, email_ok, \
	    "must be a valid e-mail address"), \
	WA_FIELD_ARR_STR_CHECK("websites", 0, 0, 2, 256, wa_valid_url, \
	    "must be an http:// or https:// URL"), \
	WA_FIELD_ENUM("vertical", 0, verticals), \
	WA_FIELD_STR("profilePictureHandle", WA_F_NONEMPTY, 512)

/* "" clears the address at Meta; anything else must be an address. */
static int
email_ok(const char *s)
{
	return s[0] == '\0' || wa_valid_email(s);
}

static const struct wa_field mosend_fields[] = {
	PROFILE_FIELDS,
	WA_FIELD_END
};

static const struct wa_field late_fields[] = {
	WA_FIELD_STR("accountId", WA_F_REQUIRED_TEXT, 64),
	PROFILE_FIELDS,
	WA_FIELD_END
};

/* The client's name of each member, and Meta's. */
static const struct {
	const char	*api;
	const char	*meta;
} names[] = {
	{ "about", "about" },
	{ "address", "address" },
	{ "description", "description" },
	{ "email", "email" },
	{ "websites", "websites" },
	{ "vertical", "vertical" },
	{ "profilePictureHandle", "profile_picture_handle" },
};

cJSON *
bp_parse_update(struct wa_req *r, const cJSON *body, int late)
{
	const cJSON	*v;
	cJSON		*out;
	size_t		 i;

	wa_json_validate(r, body, late ? late_fields : mosend_fields, NULL);
	/* the display name is Meta's verified name: it changes through
	 * Meta's name review, not through the profile */
	if (!late && wa_json_has(body, "name"))
		wa_fail_field(r, "name", "is the number's display name, which "
		    "Meta reviews; it cannot be set through the profile");
	if (r->err.code != WA_OK)
		return NULL;
	out = cJSON_CreateObject();
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if ((v = cJSON_GetObjectItemCaseSensitive(body,
		    names[i].api)) != NULL)
			cJSON_AddItemToObject(out, names[i].meta,
			    cJSON_Duplicate(v, 1));
	return out;
}
