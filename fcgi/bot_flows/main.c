/*
 * bot_flows: Mosend's bot flows, /organizations/{orgId}/bot/flows.
 * Reading and test-running take a member key; changing a flow takes an
 * admin key.  The dispatcher checks that {orgId} is the key's
 * organization.
 */
#include "dispatch.h"
#include "fcgi.h"
#include "route.h"

#include "flows.h"

#define BASE	"/organizations/{orgId}/bot/flows"
#define ONE	BASE "/{id}"

static const struct wa_route routes[] = {
	{ WA_M_GET, BASE, flows_list, WA_ROLE_MEMBER, WA_FACE_MOSEND, 0 },
	{ WA_M_POST, BASE, flows_create, WA_ROLE_ADMIN, WA_FACE_MOSEND, 0 },
	{ WA_M_GET, ONE, flows_get, WA_ROLE_MEMBER, WA_FACE_MOSEND, 0 },
	{ WA_M_PATCH, ONE, flows_update, WA_ROLE_ADMIN, WA_FACE_MOSEND, 0 },
	{ WA_M_DELETE, ONE, flows_delete, WA_ROLE_ADMIN, WA_FACE_MOSEND, 0 },
	{ WA_M_POST, ONE "/publish", flows_publish, WA_ROLE_ADMIN,
	    WA_FACE_MOSEND, 0 },
	{ WA_M_POST, ONE "/unpublish", flows_unpublish, WA_ROLE_ADMIN,
	    WA_FACE_MOSEND, 0 },
	{ WA_M_POST, ONE "/duplicate", flows_duplicate, WA_ROLE_ADMIN,
	    WA_FACE_MOSEND, 0 },
	{ WA_M_POST, ONE "/test-run", flows_test_run, WA_ROLE_MEMBER,
	    WA_FACE_MOSEND, 0 },
	{ 0, NULL, NULL, 0, 0, 0 }
};

static const struct wa_family family = {
	"bot_flows",		/* name */
	routes,			/* routes */
	NULL,			/* worker_init */
};

int
main(int argc, char **argv)
{
	return wa_fcgi_main(argc, argv, &family);
}
