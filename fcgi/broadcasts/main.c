/*
 * broadcasts: Late's bulk send and broadcasts, and the sending worker
 * (`broadcasts --worker`).  Every route takes a member's API key:
 * sending is the everyday work of an account.
 */
#include "dispatch.h"
#include "fcgi.h"
#include "route.h"

#include "broadcasts.h"

#define ALL	"/v1/whatsapp/broadcasts"
#define ONE	ALL "/{broadcastId}"
#define ROUTE(m, p, h) \
	WA_ROUTE_KEY(m, p, h, WA_ROLE_MEMBER, WA_FACE_LATE)
#define ROUTE_THEN(m, p, h, fin) \
	WA_ROUTE_KEY_THEN(m, p, h, fin, WA_ROLE_MEMBER, WA_FACE_LATE)

static const struct wa_route routes[] = {
	ROUTE_THEN(WA_M_POST, "/v1/whatsapp/bulk", bulk_send, bulk_finish),
	ROUTE(WA_M_GET, ALL, broadcasts_list),
	ROUTE(WA_M_POST, ALL, broadcasts_create),
	ROUTE(WA_M_GET, ONE, broadcasts_get),
	ROUTE(WA_M_DELETE, ONE, broadcasts_delete),
	ROUTE_THEN(WA_M_POST, ONE "/send", broadcasts_send,
	    broadcasts_send_finish),
	ROUTE(WA_M_POST, ONE "/schedule", broadcasts_schedule),
	ROUTE(WA_M_DELETE, ONE "/schedule", broadcasts_unschedule),
	ROUTE(WA_M_GET, ONE "/recipients", recipients_list),
	ROUTE(WA_M_PATCH, ONE "/recipients", recipients_add),
	ROUTE(WA_M_DELETE, ONE "/recipients", recipients_remove),
	WA_ROUTE_END
};

static const struct wa_family family = {
	"broadcasts",		/* name */
	routes,			/* routes */
	NULL,			/* worker_init */
	0,			/* body_max */
	8,			/* workers: a bulk send or a send waits
				 * up to WA_SEND_WAIT_MS for Meta */
};

/* Woken by the queue's NOTIFY (wa_send); the pass itself polls while it
 * has lanes, and starts scheduled broadcasts at least every second. */
static const struct wa_job job = {
	bc_job_run,		/* run */
	"wa_send",		/* channel */
	1000,			/* idle_ms */
	bc_job_stop,		/* stop */
	1,			/* workers */
};

int
main(int argc, char **argv)
{
	return wa_fcgi_main_jobs(argc, argv, &family, &job);
}
