/*
 * web_chat: the web chat channels of an organization, and the widget's
 * public routes (docs/web-chat.md).  Configuring a channel is an
 * admin's work (its identity secret signs who visitors are); reading
 * them a member's; the widget's routes take the channel's public token
 * and the visitor's token (public.c).
 */
#include "dispatch.h"
#include "fcgi.h"
#include "route.h"

#include "web_chat.h"

#define ALL	"/organizations/{orgId}/web-chat/channels"
#define ONE	ALL "/{channelId}"
#define MEMBER(m, p, h) \
	WA_ROUTE_KEY(m, p, h, WA_ROLE_MEMBER, WA_FACE_MOSEND)
#define ADMIN(m, p, h) \
	WA_ROUTE_KEY(m, p, h, WA_ROLE_ADMIN, WA_FACE_MOSEND)
#define WIDGET	"/web-chat/{token}"
#define PUBLIC(m, p, h, s) \
	WA_ROUTE_AS(m, WIDGET p, h, &(s), WA_FACE_MOSEND)

static const struct wa_route routes[] = {
	MEMBER(WA_M_GET, ALL, wc_list),
	ADMIN(WA_M_POST, ALL, wc_create),
	MEMBER(WA_M_GET, ONE, wc_get),
	ADMIN(WA_M_PATCH, ONE, wc_update),
	ADMIN(WA_M_DELETE, ONE, wc_delete),
	MEMBER(WA_M_GET, ONE "/snippet", wc_snippet),
	ADMIN(WA_M_POST, ONE "/identity-secret", wc_secret_rotate),
	ADMIN(WA_M_DELETE, ONE "/identity-secret", wc_secret_revoke),
	WA_ROUTE_UPLOAD(WA_M_POST, ONE "/avatar", wc_avatar_set,
	    WA_ROLE_ADMIN, WA_FACE_MOSEND, WC_AVATAR_MAX + WC_FORM_SLACK),
	ADMIN(WA_M_DELETE, ONE "/avatar", wc_avatar_delete),
	/* the widget's (public.c) */
	PUBLIC(WA_M_POST, "/sessions", wv_session, wc_authn_channel),
	PUBLIC(WA_M_POST, "/messages", wv_message, wc_authn_visitor),
	PUBLIC(WA_M_GET, "/history", wv_history, wc_authn_visitor),
	PUBLIC(WA_M_OPTIONS, "/sessions", wv_preflight, wc_authn_channel),
	PUBLIC(WA_M_POST, "/sessions/resend-otp", wv_resend_otp,
	    wc_authn_channel),
	PUBLIC(WA_M_OPTIONS, "/sessions/resend-otp", wv_preflight,
	    wc_authn_channel),
	PUBLIC(WA_M_POST, "/sessions/link-email", wv_link_email,
	    wc_authn_visitor),
	PUBLIC(WA_M_OPTIONS, "/sessions/link-email", wv_preflight,
	    wc_authn_channel),
	PUBLIC(WA_M_OPTIONS, "/messages", wv_preflight, wc_authn_channel),
	PUBLIC(WA_M_OPTIONS, "/history", wv_preflight, wc_authn_channel),
	PUBLIC(WA_M_POST, "/presence", wv_presence, wc_authn_visitor),
	PUBLIC(WA_M_OPTIONS, "/presence", wv_preflight, wc_authn_channel),
	PUBLIC(WA_M_POST, "/client-error", wv_client_error, wc_authn_channel),
	WA_ROUTE_UPLOAD_AS(WA_M_POST, WIDGET "/upload", wv_upload,
	    &wc_authn_visitor, WA_FACE_MOSEND, WC_UPLOAD_MAX + WC_FORM_SLACK),
	PUBLIC(WA_M_OPTIONS, "/upload", wv_preflight, wc_authn_channel),
	PUBLIC(WA_M_OPTIONS, "/client-error", wv_preflight, wc_authn_channel),
	WA_ROUTE_END
};

static const struct wa_family family = {
	"web_chat",		/* name */
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
