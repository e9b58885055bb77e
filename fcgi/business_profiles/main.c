/*
 * business_profiles: the WhatsApp business profile of a number, on
 * Mosend's face and Late's (bprof.h).  Members read it; changing what
 * every customer sees takes an admin key, as other configuration does.
 */
#include "dispatch.h"
#include "fcgi.h"
#include "route.h"

#include "bprof.h"

#define MOSEND	"/organizations/{orgId}/phone-numbers/{phoneId}/profile"
#define LATE	"/v1/whatsapp/business-profile"

static const struct wa_route routes[] = {
	WA_ROUTE_KEY(WA_M_GET, MOSEND, bp_mosend_get, WA_ROLE_MEMBER,
	    WA_FACE_MOSEND),
	WA_ROUTE_KEY(WA_M_PUT, MOSEND, bp_mosend_put, WA_ROLE_ADMIN,
	    WA_FACE_MOSEND),
	WA_ROUTE_UPLOAD(WA_M_POST, MOSEND "/picture", bp_mosend_picture,
	    WA_ROLE_ADMIN, WA_FACE_MOSEND, BP_UPLOAD_MAX),
	WA_ROUTE_KEY(WA_M_GET, LATE, bp_late_get, WA_ROLE_MEMBER,
	    WA_FACE_LATE),
	WA_ROUTE_KEY(WA_M_POST, LATE, bp_late_post, WA_ROLE_ADMIN,
	    WA_FACE_LATE),
	WA_ROUTE_UPLOAD(WA_M_POST, LATE "/photo", bp_late_photo,
	    WA_ROLE_ADMIN, WA_FACE_LATE, BP_UPLOAD_MAX),
	WA_ROUTE_END
};

static const struct wa_family family = {
	"business_profiles",	/* name */
	routes,			/* routes */
	NULL,			/* worker_init */
	0,			/* body_max */
	4,			/* workers: requests wait on Meta */
};

int
main(int argc, char **argv)
{
	return wa_fcgi_main(argc, argv, &family);
}
