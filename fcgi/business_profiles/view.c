/*
 * What is kept of Meta's profile, and how each face shows it: one table
 * of Meta's members and the faces' keys instead of a call per member.
 */
#include <string.h>

#include "json.h"

#include "bprof.h"

static const struct {
	const char	*meta;
	const char	*api;		/* both faces: camelCase */
	int		 array;		/* websites: strings */
} members[] = {
	{ "about", "about", 0 },
	{ "address", "address", 0 },
	{ "description", "description", 0 },
	{ "email", "email", 0 },
	{ "profile_picture_url", "profilePictureUrl", 0 },
	{ "websites", "websites", 1 },
	{ "vertical", "vertical", 0 },
};

#define NMEMBERS	(sizeof(members) / sizeof(members[0]))

/* Strings only (websites: an array of strings, the others dropped). */
static cJSON *
copy_member(const cJSON *v, int array)
{
	const cJSON	*it;
	cJSON		*out;

	if (!array)
		return cJSON_IsString(v) ? cJSON_CreateString(v->valuestring) :
		    NULL;
	if (!cJSON_IsArray(v))
		return NULL;
	out = cJSON_CreateArray();
	cJSON_ArrayForEach(it, v)
		if (cJSON_IsString(it))
			cJSON_AddItemToArray(out,
			    cJSON_CreateString(it->valuestring));
	return out;
}

/* The members p has, under Meta's names or the faces' (unset ones
 * omitted, as Meta omits them). */
static void
copy_members(cJSON *out, const cJSON *p, int api)
{
	cJSON	*v;
	size_t	 i;

	for (i = 0; i < NMEMBERS; i++)
		if ((v = copy_member(cJSON_GetObjectItemCaseSensitive(p,
		    members[i].meta), members[i].array)) != NULL)
			cJSON_AddItemToObject(out, api ? members[i].api :
			    members[i].meta, v);
}

cJSON *
bp_pick(const cJSON *p)
{
	cJSON	*out = cJSON_CreateObject();

	copy_members(out, p, 0);
	return out;
}

cJSON *
bp_render_mosend(const struct bp_number *n, const struct bp_view *v)
{
	cJSON	*out = cJSON_CreateObject();

	cJSON_AddStringToObject(out, "id", n->acc.id);
	cJSON_AddStringToObject(out, "phoneNumberId", n->acc.phone_number_id);
	wa_json_add_strn(out, "displayPhoneNumber",
	    n->acc.display_phone_number);
	copy_members(out, v->profile, 1);
	wa_json_add_strn(out, "syncedAt", v->synced_at);
	cJSON_AddBoolToObject(out, "stale", v->stale);
	return out;
}

cJSON *
bp_render_late(const struct bp_view *v)
{
	cJSON	*out = cJSON_CreateObject(), *bp;

	bp = cJSON_AddObjectToObject(out, "businessProfile");
	copy_members(bp, v->profile, 1);
	cJSON_AddBoolToObject(out, "stale", v->stale);
	wa_json_add_strn(out, "syncedAt", v->synced_at);
	return out;
}
