/*
 * conversations: the agents' API (docs/conversations.md).  Reading
 * and answering are a member's everyday work: a member's key; a
 * number's opt-out keywords are changed with an admin's.
 */
#include "dispatch.h"
#include "fcgi.h"
#include "route.h"

#include "conversations.h"

#define ALL	"/organizations/{orgId}/conversations"
#define ONE	ALL "/{conversationId}"
#define ROUTE(m, p, h) \
	WA_ROUTE_KEY(m, p, h, WA_ROLE_MEMBER, WA_FACE_MOSEND)
#define ADMIN(m, p, h) \
	WA_ROUTE_KEY(m, p, h, WA_ROLE_ADMIN, WA_FACE_MOSEND)
#define ROUTE_THEN(m, p, h, fin) \
	WA_ROUTE_KEY_THEN(m, p, h, fin, WA_ROLE_MEMBER, WA_FACE_MOSEND)

static const struct wa_route routes[] = {
	ROUTE(WA_M_GET, ALL, conv_list),
	ROUTE(WA_M_POST, ALL, conv_open),
	ROUTE(WA_M_GET, ONE, conv_get),
	ROUTE(WA_M_PATCH, ONE, conv_update),
	ROUTE(WA_M_POST, ONE "/read", conv_read),
	ROUTE(WA_M_GET, ONE "/messages", msg_list),
	ROUTE_THEN(WA_M_POST, ONE "/messages", msg_send, msg_send_finish),
	ROUTE(WA_M_POST, ONE "/web-chat/send", wcm_send),
	WA_ROUTE_UPLOAD(WA_M_POST, ONE "/web-chat/media", wcm_media,
	    WA_ROLE_MEMBER, WA_FACE_MOSEND, WCM_UPLOAD_MAX),
	ROUTE(WA_M_GET, ALL "/keywords/{phoneNumberId}", kw_get),
	ADMIN(WA_M_PUT, ALL "/keywords/{phoneNumberId}", kw_put),
	WA_ROUTE_END
};

static const struct wa_family family = {
	"conversations",	/* name */
	routes,			/* routes */
	NULL,			/* worker_init */
	0,			/* body_max */
	4,			/* workers: a reply waits up to
				 * WA_SEND_WAIT_MS for Meta */
};

int
main(int argc, char **argv)
{
	return wa_fcgi_main(argc, argv, &family);
}
