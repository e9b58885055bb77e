/*
 * web_chat: the web chat channels of an organization, and the widget's
 * public routes (docs/web-chat.md).  Configuring a channel is an
 * admin's work (its identity secret signs who visitors are); reading
 * them a member's; the widget's routes take the channel's public token
 * and the visitor's token (public.c).
 */
#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "dispatch.h"
#include "fcgi.h"
#include "route.h"
#include "webpush.h"

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
	PUBLIC(WA_M_GET, "/channel", wv_channel, wc_authn_channel),
	PUBLIC(WA_M_OPTIONS, "/channel", wv_preflight, wc_authn_channel),
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
	PUBLIC(WA_M_GET, "/push/vapid", wv_push_vapid, wc_authn_channel),
	PUBLIC(WA_M_OPTIONS, "/push/vapid", wv_preflight, wc_authn_channel),
	PUBLIC(WA_M_POST, "/push/subscribe", wv_push_subscribe,
	    wc_authn_visitor),
	PUBLIC(WA_M_OPTIONS, "/push/subscribe", wv_preflight,
	    wc_authn_channel),
	PUBLIC(WA_M_POST, "/push/unsubscribe", wv_push_unsubscribe,
	    wc_authn_visitor),
	PUBLIC(WA_M_OPTIONS, "/push/unsubscribe", wv_preflight,
	    wc_authn_channel),
	PUBLIC(WA_M_OPTIONS, "/client-error", wv_preflight, wc_authn_channel),
	/* nchan's question for a live connection (live.c) */
	PUBLIC(WA_M_GET, "/live/{conversationId}", wv_live, wc_authn_live),
	WA_ROUTE_END
};

static const struct wa_family family = {
	"web_chat",		/* name */
	routes,			/* routes */
	NULL,			/* worker_init */
	0,			/* body_max */
	0,			/* workers */
};

/* Publishes messages to the widgets that have them open (live.c) and
 * delivers Web Push (push.c): woken by the triggers that owe either
 * (sql/0018, sql/0020), polls every 5 s for pushes that came due. */
static const struct wa_job job = {
	wc_job_run,		/* run */
	"wa_web_chat",		/* channel */
	5000,			/* idle_ms */
	NULL,			/* stop */
	2,			/* workers: one publishes, one pushes */
};

/* `web_chat --vapid-keys`: a new VAPID key pair as the stack keeps it
 * (WA_VAPID_PRIVATE_KEY=..., WA_VAPID_PUBLIC_KEY=...). */
static int
vapid_keys(void)
{
	struct wa_arena	*a = wa_arena_new(0);
	const char	*priv, *pub;
	int		 rc = 1;

	if (wa_vapid_generate(a, &priv, &pub) == 0) {
		printf("WA_VAPID_PRIVATE_KEY=%s\nWA_VAPID_PUBLIC_KEY=%s\n",
		    priv, pub);
		rc = fflush(stdout) == 0 ? 0 : 1;
	}
	wa_arena_free(a);
	return rc;
}

int
main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--vapid-keys") == 0)
		return vapid_keys();
	return wa_fcgi_main_jobs(argc, argv, &family, &job);
}
