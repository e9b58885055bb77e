/*
 * sender_profiles: Sent's sender profiles, /v3/profiles.
 */
#include "dispatch.h"
#include "fcgi.h"
#include "route.h"

#include "profiles.h"

#define ONE	"/v3/profiles/{profileId}"
#define MEMBER(m, p, h)	WA_ROUTE_KEY(m, p, h, WA_ROLE_MEMBER, WA_FACE_SENT)
#define ADMIN(m, p, h)	WA_ROUTE_KEY(m, p, h, WA_ROLE_ADMIN, WA_FACE_SENT)

static const struct wa_route routes[] = {
	MEMBER(WA_M_GET, "/v3/profiles", profiles_list),
	ADMIN(WA_M_POST, "/v3/profiles", profiles_create),
	MEMBER(WA_M_GET, ONE, profiles_get),
	ADMIN(WA_M_PATCH, ONE, profiles_update),
	ADMIN(WA_M_DELETE, ONE, profiles_delete),
	WA_ROUTE_END
};

static const struct wa_family family = {
	"sender_profiles",	/* name */
	routes,			/* routes */
	NULL,			/* worker_init */
	0,			/* body_max */
	0,			/* workers */
};

int
main(int argc, char **argv)
{
	return wa_fcgi_main(argc, argv, &family);
}
