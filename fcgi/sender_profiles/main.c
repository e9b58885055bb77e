/*
 * sender_profiles: Sent's sender profiles, /v3/profiles.
 */
#include "dispatch.h"
#include "fcgi.h"
#include "route.h"

#include "profiles.h"

static const struct wa_route routes[] = {
	{ WA_M_GET, "/v3/profiles", profiles_list, WA_ROLE_MEMBER,
	    WA_FACE_SENT, 0 },
	{ WA_M_POST, "/v3/profiles", profiles_create, WA_ROLE_ADMIN,
	    WA_FACE_SENT, 0 },
	{ WA_M_GET, "/v3/profiles/{profileId}", profiles_get, WA_ROLE_MEMBER,
	    WA_FACE_SENT, 0 },
	{ WA_M_PATCH, "/v3/profiles/{profileId}", profiles_update,
	    WA_ROLE_ADMIN, WA_FACE_SENT, 0 },
	{ WA_M_DELETE, "/v3/profiles/{profileId}", profiles_delete,
	    WA_ROLE_ADMIN, WA_FACE_SENT, 0 },
	{ 0, NULL, NULL, 0, 0, 0 }
};

static const struct wa_family family = {
	"sender_profiles",	/* name */
	routes,			/* routes */
	NULL,			/* worker_init */
};

int
main(int argc, char **argv)
{
	return wa_fcgi_main(argc, argv, &family);
}
