/*
 * webhooks: Meta's webhooks at /webhooks/meta, and the worker that
 * applies them (`webhooks --worker`).  The routes are public: Meta
 * sends no API key; the POST proves itself with its signature.
 */
#include <stdlib.h>

#include "dispatch.h"
#include "fcgi.h"
#include "route.h"

#include "webhooks.h"

static const struct wa_route routes[] = {
	{ WA_M_GET, "/webhooks/meta", hook_verify, WA_ROLE_PUBLIC,
	    WA_FACE_MOSEND, 0 },
	{ WA_M_POST, "/webhooks/meta", hook_receive, WA_ROLE_PUBLIC,
	    WA_FACE_MOSEND, 0 },
	{ 0, NULL, NULL, 0, 0, 0 }
};

static const struct wa_family family = {
	"webhooks",		/* name */
	routes,			/* routes */
	NULL,			/* worker_init */
};

/* Woken by wa.webhook_receive()'s NOTIFY; polls every 2 s as well for
 * events whose retry came due. */
static const struct wa_job job = {
	hook_process,		/* run */
	"wa_webhooks",		/* channel */
	2000,			/* idle_ms */
};

int
main(int argc, char **argv)
{
	/* a larger default body than the other families (WA_BODY_MAX
	 * still wins when it is set) */
	setenv("WA_BODY_MAX", HOOK_BODY_MAX, 0);
	return wa_fcgi_main_jobs(argc, argv, &family, &job);
}
