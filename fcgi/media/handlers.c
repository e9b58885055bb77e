/*
 * The media family's handlers (main.c).  An upload's type is what its
 * bytes are, never its name or declared type, and the store keeps
 * WhatsApp's types at WhatsApp's sizes (lib/media: wa_media_upload).
 */
#include <string.h>

#include "accounts.h"
#include "arena.h"
#include "clock.h"
#include "graph/graph.h"
#include "image.h"
#include "json.h"
#include "media.h"
#include "multipart.h"
#include "resp.h"

#include "media_family.h"

static cJSON *
render(struct wa_req *r, const struct wa_media *m, int ttl_s)
{
	cJSON		*o = cJSON_CreateObject();
	const char	*url;
	int64_t		 exp = 0;
	char		 ts[40];

	cJSON_AddStringToObject(o, "id", m->id);
	cJSON_AddStringToObject(o, "mimeType", m->mime);
	cJSON_AddNumberToObject(o, "bytes", (double)m->bytes);
	cJSON_AddStringToObject(o, "sha256", m->sha256);
	wa_json_add_strn(o, "fileName", m->filename);
	if (m->width > 0) {
		cJSON_AddNumberToObject(o, "width", m->width);
		cJSON_AddNumberToObject(o, "height", m->height);
	}
	cJSON_AddStringToObject(o, "source", m->source);
	wa_json_add_strn(o, "metaMediaId", m->meta_media_id);
	cJSON_AddStringToObject(o, "createdAt", m->created_at);
	if ((url = wa_media_link(r, m, ttl_s, &exp)) == NULL)
		return NULL;
	cJSON_AddStringToObject(o, "url", url);
	cJSON_AddStringToObject(o, "urlExpiresAt", wa_clock_rfc3339(ts,
	    sizeof(ts), exp * 1000));
	return o;
}

static enum wa_err
answer(struct wa_req *r, int status, const struct wa_media *m, int ttl_s)
{
	cJSON	*o;

	if ((o = render(r, m, ttl_s)) == NULL)
		return r->err.code;
	return wa_resp_ok(r, status, o);
}

enum wa_err
md_upload(struct wa_req *r)
{
	struct wa_media_rules	rules;
	struct wa_media		m;

	memset(&rules, 0, sizeof(rules));
	if (wa_media_upload(r, &rules, &m) != WA_OK)
		return r->err.code;
	return answer(r, 201, &m, 0);
}

enum wa_err
md_get(struct wa_req *r)
{
	struct wa_media	m;
	long		ttl;

	/* the link's life, in seconds (WA_MEDIA_LINK_TTL_S by default) */
	ttl = wa_req_query_long(r, "linkTtl", 0, 1, 604800);
	if (r->err.code != WA_OK ||
	    wa_media_get(r, wa_req_param(r, "mediaId"), &m) != WA_OK)
		return r->err.code;
	return answer(r, 200, &m, (int)ttl);
}

enum wa_err
md_delete(struct wa_req *r)
{
	if (wa_media_delete(r, wa_req_param(r, "mediaId")) != WA_OK)
		return r->err.code;
	return wa_resp_empty(r, 204);
}

static const struct wa_field from_meta_fields[] = {
	WA_FIELD_STR("phoneNumberId", WA_F_REQUIRED_TEXT, 64),
	WA_FIELD_STR_CHECK("mediaId", WA_F_REQUIRED_TEXT, 64,
	    wa_account_valid_meta_id, "must be Meta's media id"),
	WA_FIELD_END
};

/* POST .../media/from-meta {phoneNumberId, mediaId}: a medium Meta
 * holds for one of the organization's numbers (an inbound image's id
 * from a webhook) into the store, with the number's token. */
enum wa_err
md_from_meta(struct wa_req *r)
{
	struct wa_account	 acc;
	struct wa_graph_acct	 g;
	struct wa_media		 m;
	cJSON			*body;

	if (wa_json_body(r, &body) != WA_OK ||
	    wa_json_validate(r, body, from_meta_fields, NULL) != WA_OK ||
	    wa_account_get(r, wa_json_str(body, "phoneNumberId"), &acc) !=
	    WA_OK || wa_graph_acct_open(r, &acc, &g) != WA_OK ||
	    wa_media_from_meta(r, &g, wa_json_str(body, "mediaId"), &m) !=
	    WA_OK)
		return r->err.code;
	return answer(r, 201, &m, 0);
}
