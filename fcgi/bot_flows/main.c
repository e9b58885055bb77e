/*
 * bot_flows: Mosend's bot flows, /organizations/{orgId}/bot/flows.
 * Reading and test-running take a member key; changing a flow takes an
 * admin key.  The dispatcher checks that {orgId} is the key's
 * organization.  `bot_flows --worker` runs the published flows in live
 * conversations (live.c).
 */
#include "dispatch.h"
#include "fcgi.h"
#include "route.h"

#include "flows.h"
#include "live.h"

#define BASE	"/organizations/{orgId}/bot/flows"
#define ONE	BASE "/{id}"

#define MEMBER(m, p, h)	WA_ROUTE_KEY(m, p, h, WA_ROLE_MEMBER, WA_FACE_MOSEND)
#define ADMIN(m, p, h)	WA_ROUTE_KEY(m, p, h, WA_ROLE_ADMIN, WA_FACE_MOSEND)

static const struct wa_route routes[] = {
	MEMBER(WA_M_GET, BASE, flows_list),
	ADMIN(WA_M_POST, BASE, flows_create),
	MEMBER(WA_M_GET, ONE, flows_get),
	ADMIN(WA_M_PATCH, ONE, flows_update),
	ADMIN(WA_M_DELETE, ONE, flows_delete),
	ADMIN(WA_M_POST, ONE "/publish", flows_publish),
	ADMIN(WA_M_POST, ONE "/unpublish", flows_unpublish),
	ADMIN(WA_M_POST, ONE "/duplicate", flows_duplicate),
	MEMBER(WA_M_POST, ONE "/test-run", flows_test_run),
	WA_ROUTE_END
};

static const struct wa_family family = {
	"bot_flows",		/* name */
	routes,			/* routes */
	NULL,			/* worker_init */
	0,			/* body_max */
	0,			/* workers */
};

/* The bot worker (live.c): woken by wa.bot_enqueue()'s NOTIFY; polls
 * four times a second for sessions whose delay or question timeout has
 * come (docs/flows.md, "Live").  Four of them: a bot's http_request may
 * wait seconds for a tenant's server, and must not hold up the others'
 * conversations. */
static const struct wa_job job = {
	bot_job_run,		/* run */
	"wa_bot",		/* channel */
	250,			/* idle_ms */
	NULL,			/* stop */
	4,			/* workers */
};

int
main(int argc, char **argv)
{
	return wa_fcgi_main_jobs(argc, argv, &family, &job);
}
