/*
 * templates: Late's /v1/whatsapp/templates.  Members read; changing a
 * template (which Meta reviews again) takes an admin key, as other
 * configuration does.
 */
#include "dispatch.h"
#include "fcgi.h"
#include "route.h"

#include "templates.h"

#define ALL	"/v1/whatsapp/templates"
#define ONE	ALL "/{templateName}"
#define MEMBER(m, p, h)	WA_ROUTE_KEY(m, p, h, WA_ROLE_MEMBER, WA_FACE_LATE)
#define ADMIN(m, p, h)	WA_ROUTE_KEY(m, p, h, WA_ROLE_ADMIN, WA_FACE_LATE)

static const struct wa_route routes[] = {
	MEMBER(WA_M_GET, ALL, tpl_list),
	ADMIN(WA_M_POST, ALL, tpl_create),
	MEMBER(WA_M_GET, ONE, tpl_get),
	ADMIN(WA_M_PATCH, ONE, tpl_update),
	ADMIN(WA_M_DELETE, ONE, tpl_delete),
	WA_ROUTE_END
};

static const struct wa_family family = {
	"templates",		/* name */
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
