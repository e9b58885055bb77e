/*
 * templates: Late's /v1/whatsapp/templates.  Members read; changing a
 * template (which Meta reviews again) takes an admin key, as other
 * configuration does.
 */
#include "dispatch.h"
#include "fcgi.h"
#include "route.h"

#include "templates.h"

static const struct wa_route routes[] = {
	{ WA_M_GET, "/v1/whatsapp/templates", tpl_list, WA_ROLE_MEMBER,
	    WA_FACE_LATE, 0 },
	{ WA_M_POST, "/v1/whatsapp/templates", tpl_create, WA_ROLE_ADMIN,
	    WA_FACE_LATE, 0 },
	{ WA_M_GET, "/v1/whatsapp/templates/{templateName}", tpl_get,
	    WA_ROLE_MEMBER, WA_FACE_LATE, 0 },
	{ WA_M_PATCH, "/v1/whatsapp/templates/{templateName}", tpl_update,
	    WA_ROLE_ADMIN, WA_FACE_LATE, 0 },
	{ WA_M_DELETE, "/v1/whatsapp/templates/{templateName}", tpl_delete,
	    WA_ROLE_ADMIN, WA_FACE_LATE, 0 },
	{ 0, NULL, NULL, 0, 0, 0 }
};

static const struct wa_family family = {
	"templates",		/* name */
	routes,			/* routes */
	NULL,			/* worker_init */
};

int
main(int argc, char **argv)
{
	return wa_fcgi_main(argc, argv, &family);
}
