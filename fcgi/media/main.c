/*
 * media: an organization's media store on Mosend's face
 * (docs/media.md): uploads checked by their content, media fetched
 * from Meta with a number's token, and expiring links to either.
 * Members upload and read (agents attach files); deleting is an
 * admin's.
 */
#include "dispatch.h"
#include "fcgi.h"
#include "route.h"

#include "media.h"

#include "media_family.h"

#define ALL	"/organizations/{orgId}/media"
#define ONE	ALL "/{mediaId}"

static const struct wa_route routes[] = {
	WA_ROUTE_UPLOAD(WA_M_POST, ALL, md_upload, WA_ROLE_MEMBER,
	    WA_FACE_MOSEND, WA_MEDIA_MAX + 64u * 1024),
	WA_ROUTE_KEY(WA_M_POST, ALL "/from-meta", md_from_meta,
	    WA_ROLE_MEMBER, WA_FACE_MOSEND),
	WA_ROUTE_KEY(WA_M_GET, ONE, md_get, WA_ROLE_MEMBER, WA_FACE_MOSEND),
	WA_ROUTE_KEY(WA_M_DELETE, ONE, md_delete, WA_ROLE_ADMIN,
	    WA_FACE_MOSEND),
	WA_ROUTE_END
};

static const struct wa_family family = {
	"media",		/* name */
	routes,			/* routes */
	NULL,			/* worker_init */
	0,			/* body_max */
	4,			/* workers: uploads and Meta take time */
};

int
main(int argc, char **argv)
{
	return wa_fcgi_main(argc, argv, &family);
}
