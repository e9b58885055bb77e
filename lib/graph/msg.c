/*
 * Messages and media (contract §4, §8.1).  The body builder refuses a
 * message Meta would refuse for its shape (missing body, id and link
 * together, a caption on audio), so such a message never costs a round
 * trip; what depends on Meta's state (templates, windows, limits) is
 * Meta's to answer.
 */
#include <string.h>

#include "accounts.h"
#include "arena.h"
#include "graph.h"
#include "json.h"
#include "utf8.h"

static const char *const type_names[] = {
	"text", "template", "image", "video", "audio", "document", "sticker"
};

static int
chars_ok(const char *s, size_t max)
{
	size_t	n;

	if (s == NULL || s[0] == '\0')
		return 0;
	n = strlen(s);
	return wa_utf8_valid(s, n) && wa_utf8_count(s, n) <= max;
}

static cJSON *
media_json(const struct wa_graph_msg *m, const char **why)
{
	cJSON	*o = cJSON_CreateObject();
	int	 captioned = m->type == WA_GRAPH_MSG_IMAGE ||
		    m->type == WA_GRAPH_MSG_VIDEO ||
		    m->type == WA_GRAPH_MSG_DOCUMENT;

	if ((m->media_id == NULL) == (m->media_link == NULL)) {
		*why = "media needs an id or a link, not both";
		return NULL;
	}
	if (m->media_id != NULL) {
		if (!wa_account_valid_meta_id(m->media_id)) {
			*why = "media id is not a Meta id";
			return NULL;
		}
		cJSON_AddStringToObject(o, "id", m->media_id);
	} else {
		if (strncmp(m->media_link, "https://", 8) != 0 &&
		    strncmp(m->media_link, "http://", 7) != 0) {
			*why = "media link must be an http(s) URL";
			return NULL;
		}
		cJSON_AddStringToObject(o, "link", m->media_link);
	}
	if (m->caption != NULL) {
		if (!captioned || !chars_ok(m->caption, WA_GRAPH_CAPTION_MAX)) {
			*why = "caption only on image, video and document, "
			    "at most 1024 characters";
			return NULL;
		}
		cJSON_AddStringToObject(o, "caption", m->caption);
	}
	if (m->filename != NULL) {
		if (m->type != WA_GRAPH_MSG_DOCUMENT ||
		    !chars_ok(m->filename, 240)) {
			*why = "filename only on documents";
			return NULL;
		}
		cJSON_AddStringToObject(o, "filename", m->filename);
	}
	return o;
}

static cJSON *
template_json(const struct wa_graph_msg *m, const char **why)
{
	cJSON	*o, *lang;

	if (!chars_ok(m->tpl_name, 512) || !chars_ok(m->tpl_language, 16)) {
		*why = "a template needs a name and a language";
		return NULL;
	}
	if (m->tpl_components != NULL && !cJSON_IsArray(m->tpl_components)) {
		*why = "template components must be an array";
		return NULL;
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "name", m->tpl_name);
	lang = cJSON_AddObjectToObject(o, "language");
	cJSON_AddStringToObject(lang, "code", m->tpl_language);
	if (m->tpl_components != NULL &&
	    cJSON_GetArraySize(m->tpl_components) > 0)
		cJSON_AddItemToObject(o, "components",
		    cJSON_Duplicate(m->tpl_components, 1));
	return o;
}

cJSON *
wa_graph_msg_json(const struct wa_graph_msg *m, const char **why)
{
	cJSON	*b, *part, *ctx;

	*why = NULL;
	if ((unsigned)m->type > WA_GRAPH_MSG_STICKER) {
		*why = "unknown message type";
		return NULL;
	}
	if (!chars_ok(m->to, 32)) {
		*why = "no recipient";
		return NULL;
	}
	if (m->opaque != NULL && (m->opaque[0] == '\0' ||
	    strlen(m->opaque) > WA_GRAPH_OPAQUE_MAX)) {
		*why = "biz_opaque_callback_data is 1-512 bytes";
		return NULL;
	}
	switch (m->type) {
	case WA_GRAPH_MSG_TEXT:
		if (!chars_ok(m->text, WA_GRAPH_TEXT_MAX)) {
			*why = "text body is 1-4096 characters";
			return NULL;
		}
		part = cJSON_CreateObject();
		cJSON_AddBoolToObject(part, "preview_url", m->preview_url);
		cJSON_AddStringToObject(part, "body", m->text);
		break;
	case WA_GRAPH_MSG_TEMPLATE:
		part = template_json(m, why);
		break;
	default:
		part = media_json(m, why);
		break;
	}
	if (part == NULL)
		return NULL;
	b = cJSON_CreateObject();
	cJSON_AddStringToObject(b, "messaging_product", "whatsapp");
	cJSON_AddStringToObject(b, "recipient_type", "individual");
	cJSON_AddStringToObject(b, "to", m->to);
	if (m->reply_to != NULL) {
		if (!chars_ok(m->reply_to, 256)) {
			*why = "reply context needs a message id";
			return NULL;
		}
		ctx = cJSON_AddObjectToObject(b, "context");
		cJSON_AddStringToObject(ctx, "message_id", m->reply_to);
	}
	if (m->opaque != NULL)
		cJSON_AddStringToObject(b, "biz_opaque_callback_data",
		    m->opaque);
	cJSON_AddStringToObject(b, "type", type_names[m->type]);
	cJSON_AddItemToObject(b, type_names[m->type], part);
	return b;
}

int
wa_graph_parse_sent(const cJSON *body, struct wa_graph_sent *out)
{
	const cJSON	*msgs, *contacts;

	memset(out, 0, sizeof(*out));
	msgs = cJSON_GetObjectItemCaseSensitive(body, "messages");
	if (!cJSON_IsArray(msgs) || !cJSON_IsObject(msgs->child))
		return -1;
	out->wamid = wa_json_str(msgs->child, "id");
	if (out->wamid == NULL || out->wamid[0] == '\0' ||
	    strlen(out->wamid) > 256) {
		out->wamid = NULL;
		return -1;
	}
	out->message_status = wa_json_str(msgs->child, "message_status");
	contacts = cJSON_GetObjectItemCaseSensitive(body, "contacts");
	if (cJSON_IsArray(contacts) && cJSON_IsObject(contacts->child)) {
		out->wa_id = wa_json_str(contacts->child, "wa_id");
		out->input = wa_json_str(contacts->child, "input");
	}
	return 0;
}

enum wa_graph_status
wa_graph_send(struct wa_req *r, const struct wa_graph_acct *a,
    const struct wa_graph_msg *m, struct wa_graph_res *res,
    struct wa_graph_sent *out)
{
	struct wa_graph_call	 c;
	const char		*why;
	cJSON			*body = NULL;

	memset(res, 0, sizeof(*res));
	memset(out, 0, sizeof(*out));
	if (!wa_account_valid_meta_id(a->phone_number_id))
		why = "the account has no phone number id";
	else if ((body = wa_graph_msg_json(m, &why)) != NULL)
		why = NULL;
	if (why != NULL) {
		res->status = WA_GRAPH_CONFIG;
		res->detail = why;
		res->rule = wa_graph_rule_status(WA_GRAPH_CONFIG, 0);
		return res->status;
	}
	memset(&c, 0, sizeof(c));
	c.method = "POST";
	c.path = wa_arena_printf(r->arena, "/%s/messages", a->phone_number_id);
	c.json = body;
	if (wa_graph_call(r, a, &c, res) != WA_GRAPH_OK)
		return res->status;
	if (wa_graph_parse_sent(res->body, out) != 0) {
		res->status = WA_GRAPH_MALFORMED;
		res->detail = "no messages[0].id";
		res->rule = wa_graph_rule_status(WA_GRAPH_MALFORMED, 0);
	}
	return res->status;
}

enum wa_graph_status
wa_graph_media_upload(struct wa_req *r, const struct wa_graph_acct *a,
    const char *mime, const char *filename, const void *data, size_t len,
    struct wa_graph_res *res, const char **media_id)
{
	struct wa_graph_call	c;
	struct wa_graph_part	p[3];

	*media_id = NULL;
	memset(res, 0, sizeof(*res));
	if (!wa_account_valid_meta_id(a->phone_number_id) || mime == NULL ||
	    strchr(mime, '/') == NULL || strlen(mime) > 127 ||
	    len == 0 || len > WA_GRAPH_MEDIA_MAX) {
		res->status = WA_GRAPH_CONFIG;
		res->detail = "no phone number id, MIME type or data";
		res->rule = wa_graph_rule_status(WA_GRAPH_CONFIG, 0);
		return res->status;
	}
	memset(p, 0, sizeof(p));
	p[0].name = "messaging_product";
	p[0].data = "whatsapp";
	p[0].len = 8;
	p[1].name = "type";
	p[1].data = mime;
	p[1].len = strlen(mime);
	p[2].name = "file";
	p[2].data = data;
	p[2].len = len;
	p[2].type = mime;
	p[2].filename = filename != NULL ? filename : "file";
	memset(&c, 0, sizeof(c));
	c.method = "POST";
	c.path = wa_arena_printf(r->arena, "/%s/media", a->phone_number_id);
	c.parts = p;
	c.nparts = 3;
	if (wa_graph_call(r, a, &c, res) != WA_GRAPH_OK)
		return res->status;
	*media_id = wa_json_str(res->body, "id");
	if (!wa_account_valid_meta_id(*media_id)) {
		*media_id = NULL;
		res->status = WA_GRAPH_MALFORMED;
		res->detail = "no media id";
		res->rule = wa_graph_rule_status(WA_GRAPH_MALFORMED, 0);
	}
	return res->status;
}

enum wa_graph_status
wa_graph_mark_read(struct wa_req *r, const struct wa_graph_acct *a,
    const char *wamid, struct wa_graph_res *res)
{
	struct wa_graph_call	 c;
	cJSON			*body;

	memset(res, 0, sizeof(*res));
	if (!wa_account_valid_meta_id(a->phone_number_id)) {
		res->status = WA_GRAPH_CONFIG;
		res->detail = "the account has no phone number id";
		res->rule = wa_graph_rule_status(WA_GRAPH_CONFIG, 0);
		return res->status;
	}
	body = cJSON_CreateObject();
	cJSON_AddStringToObject(body, "messaging_product", "whatsapp");
	cJSON_AddStringToObject(body, "status", "read");
	cJSON_AddStringToObject(body, "message_id", wamid);
	memset(&c, 0, sizeof(c));
	c.method = "POST";
	c.path = wa_arena_printf(r->arena, "/%s/messages", a->phone_number_id);
	c.json = body;
	return wa_graph_call(r, a, &c, res);
}
