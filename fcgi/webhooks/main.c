/*
 * webhooks: Meta's webhooks at /webhooks/meta, and the worker that
 * applies them (`webhooks --worker`).  The routes are public: Meta
 * sends no API key; the POST proves itself with its signature.
 */
#include "dispatch.h"
#include "fcgi.h"
#include "graph/graph.h"
#include "route.h"

#include "webhooks.h"

/* The handshake proves itself with hub.verify_token, which the handler
 * compares: Meta's protocol answers its own 400 and 403 there. */
static const struct wa_route routes[] = {
	WA_ROUTE_AS(WA_M_GET, "/webhooks/meta", hook_verify, &wa_authn_none,
	    WA_FACE_MOSEND),
	WA_ROUTE_AS(WA_M_POST, "/webhooks/meta", hook_receive,
	    &wa_graph_signed, WA_FACE_MOSEND),
	WA_ROUTE_END
};

static const struct wa_family family = {
	"webhooks",		/* name */
	routes,			/* routes */
	NULL,			/* worker_init */
	HOOK_BODY_MAX,		/* body_max */
	0,			/* workers */
};

/* Woken by wa.webhook_receive()'s NOTIFY; polls every 2 s as well for
 * events whose retry came due. */
static const struct wa_job job = {
	hook_process,		/* run */
	"wa_webhooks",		/* channel */
	2000,			/* idle_ms */
	NULL,			/* stop */
	1,			/* workers */
};

int
main(int argc, char **argv)
{
	return wa_fcgi_main_jobs(argc, argv, &family, &job);
}
