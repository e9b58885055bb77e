/*
 * web_chat: Mosend's web chat (docs/web-chat.md).  The channels a
 * business configures, /organizations/{orgId}/web-chat/channels...:
 * a widget's settings, its install snippet and its identity secret.
 * Mosend envelope, camelCase; POSTs answer 201 as NestJS does.
 */
#ifndef WEB_CHAT_H
#define WEB_CHAT_H

#include <cjson/cJSON.h>

#include "err.h"
#include "json.h"
#include "req.h"
#include "route.h"

#define WC_WHAT			"Channel"
#define WC_NAME_MAX		100
#define WC_TEXT_MAX		1000	/* welcome and offline messages */
#define WC_DOMAINS_MAX		50
#define WC_DOMAIN_MAX		300	/* scheme, host, port */
#define WC_SLOTS_MAX		28	/* operating hours: 4 a day */
#define WC_FIELDS_MAX		10	/* prechat fields */
#define WC_OPTIONS_MAX		50
#define WC_DEPARTMENTS_MAX	20
#define WC_TRIGGERS_MAX		10
#define WC_LABEL_MAX		100
#define WC_TRIGGER_TEXT_MAX	500
#define WC_SECRET_BYTES		32	/* the identity secret, random */
#define WC_BODY_MAX		4096	/* a message */
#define WC_HISTORY_PAGE		50
#define WC_HISTORY_MAX		100
#define WC_NEW_VISITORS		600	/* new visitors of a channel a minute */
#define WC_MESSAGES_PER_MIN	30	/* messages of a visitor a minute */
#define WC_CLIENT_ERRORS_PER_MIN 60	/* logged a minute per worker */
#define WC_UPLOADS_PER_MIN	10	/* a visitor's files a minute */
#define WC_UPLOAD_MAX		(16u * 1024 * 1024)	/* a visitor's file */
#define WC_IDENTITY_MAX_AGE_S	86400	/* a hash with hashTimestamp */
#define WC_IDENTITY_SKEW_S	300	/* its clock ahead of ours */
#define WC_AVATAR_MAX		(8u * 1024 * 1024)	/* a channel's avatar */
#define WC_FORM_SLACK		(64u * 1024)	/* multipart's framing */

/* A channel's avatar, {mediaKey} until lib/media links it (avatarUrl),
 * or null. */
#define WC_AVATAR \
	"(SELECT json_build_object('mediaKey', d.object_key) FROM wa.media d " \
	"WHERE d.id = c.avatar_media_id)"

/* A message's attachment (its media_id, on table alias t), {id,
 * mimeType, bytes, fileName, width, height, mediaKey} until lib/media
 * links it (url, urlExpiresAt), or null. */
#define WC_MEDIA(t) \
	"(SELECT json_build_object('id', d.id, 'mimeType', d.mime, " \
	"'bytes', d.bytes, 'fileName', d.filename, 'width', d.width, " \
	"'height', d.height, 'mediaKey', d.object_key) FROM wa.media d " \
	"WHERE d.id = " t ".media_id)"

/* A message as the widget sees it, from wa.web_chat_messages m (its
 * media to be linked). */
#define WC_MSG_JSON \
	"json_build_object('id', m.id, 'conversationId', m.conversation_id, " \
	"'direction', m.direction, 'sender', m.sender, 'type', m.type, " \
	"'body', m.body, 'replyToMessageId', m.reply_to, " \
	"'mediaAssetId', m.media_id, 'media', " WC_MEDIA("m") ", " \
	"'createdAt', wa.rfc3339(m.created_at))"

/* A channel as JSON, from wa.web_chat_channels c. */
#define WC_JSON \
	"json_build_object('id', c.id, 'name', c.name, 'token', c.token, " \
	"'color', c.color, 'welcomeMessage', c.welcome_message, " \
	"'avatarUrl', " WC_AVATAR ", 'avatarMediaId', c.avatar_media_id, " \
	"'allowedDomains', to_json(c.allowed_domains), " \
	"'precaptureEnabled', c.precapture_enabled, " \
	"'botEnabled', c.bot_enabled, 'enabled', c.enabled, " \
	"'identityRequired', c.identity_required, " \
	"'hasIdentitySecret', c.identity_secret_enc IS NOT NULL, " \
	"'identitySecretCreatedAt', wa.rfc3339(c.identity_secret_at), " \
	"'operatingHours', c.operating_hours, " \
	"'offlineAction', c.offline_action, " \
	"'offlineMessage', c.offline_message, " \
	"'prechatFields', c.prechat_fields, " \
	"'departments', c.departments, " \
	"'proactiveTriggers', c.proactive_triggers, " \
	"'linkEmailBannerEnabled', c.link_email_banner_enabled, " \
	"'createdAt', wa.rfc3339(c.created_at), " \
	"'updatedAt', wa.rfc3339(c.updated_at))"

/* The channel as the widget sees it (POST sessions), from
 * wa.web_chat_channels c. */
#define WC_PUBLIC_JSON \
	"json_build_object('id', c.id, 'name', c.name, 'color', c.color, " \
	"'welcomeMessage', c.welcome_message, 'avatarUrl', " WC_AVATAR ", " \
	"'online', wa.web_chat_online(c.operating_hours), " \
	"'offlineAction', c.offline_action, " \
	"'offlineMessage', c.offline_message, " \
	"'operatingHours', c.operating_hours, " \
	"'precaptureEnabled', c.precapture_enabled, " \
	"'prechatFields', c.prechat_fields, " \
	"'identityRequired', c.identity_required, " \
	"'departments', c.departments, " \
	"'proactiveTriggers', c.proactive_triggers, " \
	"'linkEmailBannerEnabled', c.link_email_banner_enabled)"

/* public.c: the widget's routes.  What the strategies found, for the
 * handlers (one request at a time per worker). */
struct wc_public {
	char		channel_id[WA_UUID_LEN];
	char		visitor_id[WA_UUID_LEN];
	char		conversation_id[WA_UUID_LEN];
};
extern struct wc_public		wc_cur;
extern const struct wa_authn	wc_authn_channel;
extern const struct wa_authn	wc_authn_visitor;
extern const struct wa_authn	wc_authn_live;	/* ?access_token= */
enum wa_err	wv_preflight(struct wa_req *);
enum wa_err	wv_client_error(struct wa_req *);

/* session.c */
enum wa_err	wv_session(struct wa_req *);
enum wa_err	wv_channel(struct wa_req *);

/* media.c: the channel's avatar, a visitor's upload */
enum wa_err	wc_avatar_set(struct wa_req *);
enum wa_err	wc_avatar_delete(struct wa_req *);
enum wa_err	wv_upload(struct wa_req *);

/* otp.c: one-time codes by e-mail; an address as identities and codes
 * key it (lower case) */
const char	*wc_email_lower(struct wa_req *, const char *email);
/* six digits; the field of a code */
int		 wc_code_ok(const char *);
#define WC_FIELD_CODE \
	WA_FIELD_STR_CHECK("code", 0, 6, wc_code_ok, "must be the six " \
	    "digits of the e-mail")
enum wa_err	wc_otp_challenge(struct wa_req *, const char *email,
		    const char *visitor_id);
enum wa_err	wc_otp_verify(struct wa_req *, const char *email,
		    const char *visitor_id, const char *code);
enum wa_err	wv_resend_otp(struct wa_req *);
enum wa_err	wv_link_email(struct wa_req *);

/* push.c: Web Push; the worker's job */
enum wa_err	wv_push_vapid(struct wa_req *);
enum wa_err	wv_push_subscribe(struct wa_req *);
enum wa_err	wv_push_unsubscribe(struct wa_req *);
int		wc_push_run(struct wa_req *);

/* live.c: live delivery (nchan); the worker's job (live and push) */
enum wa_err	wv_live(struct wa_req *);
int		wc_job_run(struct wa_req *);

/* messages.c */
enum wa_err	wv_message(struct wa_req *);
enum wa_err	wv_history(struct wa_req *);
enum wa_err	wv_presence(struct wa_req *);

/* settings.c: the body of a create (all of it) or an update (what it
 * names), checked, normalized and reduced to the members wagate keeps;
 * NULL with the errors recorded. */
cJSON		*wc_settings(struct wa_req *, const cJSON *body, int create);

/* channels.c */
enum wa_err	wc_list(struct wa_req *);
enum wa_err	wc_create(struct wa_req *);
enum wa_err	wc_get(struct wa_req *);
enum wa_err	wc_update(struct wa_req *);
enum wa_err	wc_delete(struct wa_req *);
/* {channelId} of the path, or NULL with the 404 recorded. */
const char	*wc_path_id(struct wa_req *);
/* Answers with the channel as JSON. */
enum wa_err	wc_respond(struct wa_req *, const char *id, int status);
/* Runs sql ($1 the path's channel: 404 if it changes no row), then
 * answers the channel, 200. */
enum wa_err	wc_change(struct wa_req *, const char *sql);

/* secret.c */
enum wa_err	wc_snippet(struct wa_req *);
enum wa_err	wc_secret_rotate(struct wa_req *);
enum wa_err	wc_secret_revoke(struct wa_req *);

#endif /* WEB_CHAT_H */
