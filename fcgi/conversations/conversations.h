/*
 * conversations: the agents' API, Mosend-style,
 * /organizations/{orgId}/conversations... (docs/conversations.md).  A
 * conversation is the thread of one contact with one WhatsApp number;
 * it is made and moved by the messages themselves (sql/0009_conversations.sql:
 * inbound messages through the webhook worker, outbound ones through
 * the queue), and read, answered, assigned and closed here.  Mosend
 * envelope, camelCase; POSTs answer 201 as NestJS does.
 */
#ifndef CONVERSATIONS_H
#define CONVERSATIONS_H

#include <libpq-fe.h>

#include "err.h"
#include "req.h"

#define CONV_WHAT		"Conversation"
#define CONV_PAGE_DEFAULT	50
#define CONV_PAGE_MAX		100
#define CONV_TEXT_MAX		4096	/* Meta's limit of a text body */
#define CONV_CAPTION_MAX	1024
#define CONV_FILENAME_MAX	255
#define CONV_ASSIGNEE_MAX	128
#define CONV_TEAM_MAX		100

/* A conversation as JSON, from wa.conversations c and its contact k
 * (CONV_FROM). */
#define CONV_JSON \
	"json_build_object('id', c.id, 'channel', c.channel, " \
	"'phoneNumberId', c.account_id, 'contactId', c.contact_id, " \
	"'phone', c.peer, 'name', coalesce(k.name, c.name), " \
	"'status', c.status, 'handler', c.handler, " \
	"'assigneeId', c.assignee_id, 'team', c.team, " \
	"'department', c.department, 'unreadCount', c.unread_count, " \
	"'lastMessage', CASE WHEN c.last_direction IS NOT NULL THEN " \
	"json_build_object('direction', c.last_direction, " \
	"'preview', c.last_preview) END, " \
	"'lastMessageAt', wa.rfc3339(c.last_message_at), " \
	"'lastInboundAt', wa.rfc3339(c.last_inbound_at), " \
	"'windowExpiresAt', wa.rfc3339(c.last_inbound_at + " \
	"interval '24 hours'), " \
	"'windowOpen', coalesce(c.last_inbound_at > now() - " \
	"interval '24 hours', false), " \
	"'webChatChannelId', c.channel_id, " \
	"'visitor', CASE WHEN v.id IS NOT NULL THEN json_build_object(" \
	"'id', v.id, 'mode', v.mode, 'name', v.name, 'email', v.email, " \
	"'userId', v.user_id, 'prechat', v.prechat, " \
	"'presence', CASE WHEN v.presence_at > now() - interval '2 minutes' " \
	"THEN v.presence ELSE 'offline' END, " \
	"'lastSeenAt', wa.rfc3339(v.last_seen_at)) END, " \
	"'createdAt', wa.rfc3339(c.created_at), " \
	"'updatedAt', wa.rfc3339(c.updated_at))"
/* (a web chat conversation's peer is its visitor's id) */
#define CONV_FROM \
	"FROM wa.conversations c " \
	"LEFT JOIN wa.contacts k ON k.id = c.contact_id " \
	"LEFT JOIN wa.web_chat_visitors v ON v.id = CASE WHEN " \
	"c.channel = 'web_chat' THEN c.peer::uuid END "

/* What the handlers need of a conversation. */
struct conv {
	const char	*id;
	const char	*channel;
	const char	*account_id;
	const char	*peer;
	const char	*contact_id;
	const char	*last_inbound_wamid;
	const char	*window_end;	/* RFC 3339, or NULL: never wrote */
	int		 window_open;
};

/* A conversation's statuses (conv.c), NULL-ended. */
extern const char *const conv_statuses[];

/* webchat.c: a web chat conversation's page of messages, as the
 * list's (the cursor's id; newer ascending, else older descending;
 * limit + 1 rows), and an agent's reply */
enum wa_err	wcm_page(struct wa_req *, const char *conv_id,
		    const char *cursor_id, int newer, long limit, PGresult **);
enum wa_err	wcm_send(struct wa_req *);
/* POST .../web-chat/media: an agent's file for web-chat/send, in the
 * media store (at most WA_MEDIA_MAX and multipart's framing). */
enum wa_err	wcm_media(struct wa_req *);
#define WCM_UPLOAD_MAX	(100u * 1024 * 1024 + 64u * 1024)

/* list.c */
enum wa_err	conv_list(struct wa_req *);

/* conv.c */
enum wa_err	conv_open(struct wa_req *);
enum wa_err	conv_get(struct wa_req *);
enum wa_err	conv_update(struct wa_req *);
enum wa_err	conv_read(struct wa_req *);
/* {conversationId} of the path, or NULL with the 404 recorded. */
const char	*conv_path_id(struct wa_req *);
/* The conversation, locked when lock is set: 404 when it is not the
 * organization's. */
enum wa_err	conv_load(struct wa_req *, const char *id, int lock,
		    struct conv *out);
/* The JSON array of the column "data" of the first n rows. */
const char	*conv_rows_json(struct wa_req *, const PGresult *, int n);
/* Answers with the conversation as JSON. */
enum wa_err	conv_respond(struct wa_req *, const char *id, int status);

/* messages.c */
enum wa_err	msg_list(struct wa_req *);
enum wa_err	msg_send(struct wa_req *);
enum wa_err	msg_send_finish(struct wa_req *);

/* keywords.c */
enum wa_err	kw_get(struct wa_req *);
enum wa_err	kw_put(struct wa_req *);

#endif /* CONVERSATIONS_H */
