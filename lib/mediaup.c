/*
 * The media store's uploads and links inside other answers (media.h):
 * a multipart/form-data file, its type by its bytes, WhatsApp's types
 * and sizes (contract §8.1).
 */
#include <string.h>

#include "arena.h"
#include "clock.h"
#include "image.h"
#include "json.h"
#include "media.h"
#include "multipart.h"
#include "resp.h"

#define MB	(1024u * 1024)

/* WhatsApp's limit for a type's kind. */
static size_t
kind_max(const char *mime, const struct wa_media_rules *rules)
{
	int	image = strncmp(mime, "image/", 6) == 0;

	if (image && rules->image_max > 0)
		return rules->image_max;
	if (strcmp(mime, "image/webp") == 0)
		return 500u * 1024;	/* a sticker */
	if (image)
		return 5 * MB;
	if (strncmp(mime, "audio/", 6) == 0 || strncmp(mime, "video/", 6) == 0)
		return 16 * MB;
	return WA_MEDIA_MAX;
}

/* The file part, probed: its type and, for an image, its size. */
static enum wa_err
probe(struct wa_req *r, const struct wa_mp_field *f,
    const struct wa_media_rules *rules, struct wa_media_new *n)
{
	struct wa_image	img;
	int		ok = wa_image_probe_fd(f->fd, f->size, &img) == 0;

	n->mime = ok ? wa_image_mime(img.type) : wa_arena_strdup(r->arena,
	    img.mime);
	if (rules->images_only && !ok)
		return wa_fail_field(r, "file", "must be a PNG, JPG or WebP "
		    "image (its content is %s)", n->mime);
	if (wa_media_ext(n->mime) == NULL)
		return wa_fail_field(r, "file", "is of a type WhatsApp does "
		    "not take (its content is %s)", n->mime);
	if (f->size > kind_max(n->mime, rules))
		return wa_fail(r, WA_ERR_TOO_LARGE, "A file of type %s may "
		    "have at most %zu bytes", n->mime,
		    kind_max(n->mime, rules));
	if (ok) {
		n->width = img.width;
		n->height = img.height;
	}
	return WA_OK;
}

enum wa_err
wa_media_upload(struct wa_req *r, const struct wa_media_rules *rules,
    struct wa_media *out)
{
	struct wa_mp_limits		 lim;
	struct wa_mp_form		 form;
	const struct wa_mp_field	*f;
	struct wa_media_new		 n;

	memset(&lim, 0, sizeof(lim));
	lim.file_max = rules->max > 0 ? rules->max : WA_MEDIA_MAX;
	lim.value_max = 1024;
	lim.fields_max = 4;
	if (wa_mp_read(r, &lim, &form) != WA_OK)
		return r->err.code;
	f = wa_mp_get(&form, "file");
	if (f == NULL || f->filename == NULL)
		return wa_fail_field(r, "file", "is required: the "
		    "multipart/form-data file part \"file\"");
	if (f->size == 0)
		return wa_fail_field(r, "file", "is empty");
	memset(&n, 0, sizeof(n));
	n.filename = f->filename[0] != '\0' ? f->filename : NULL;
	n.source = "upload";
	n.visitor_id = rules->visitor_id;
	if (probe(r, f, rules, &n) != WA_OK)
		return r->err.code;
	return wa_media_put(r, f->fd, f->size, &n, out);
}

cJSON *
wa_media_asset_json(struct wa_req *r, const struct wa_media *m)
{
	const char	*url;
	cJSON		*o;
	int64_t		 exp;
	char		 ts[40];

	if ((url = wa_media_link(r, m, 0, &exp)) == NULL)
		return NULL;
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "mediaAssetId", m->id);
	cJSON_AddStringToObject(o, "mimeType", m->mime);
	cJSON_AddNumberToObject(o, "bytes", (double)m->bytes);
	wa_json_add_strn(o, "fileName", m->filename);
	if (m->width > 0) {
		cJSON_AddNumberToObject(o, "width", m->width);
		cJSON_AddNumberToObject(o, "height", m->height);
	}
	cJSON_AddStringToObject(o, "url", url);
	cJSON_AddStringToObject(o, "urlExpiresAt", wa_clock_rfc3339(ts,
	    sizeof(ts), exp * 1000));
	return o;
}

/* The link of an object {"mediaKey": k}, or NULL (not one, or the
 * failure recorded). */
static const char *
link_of(struct wa_req *r, const cJSON *o, int64_t *exp)
{
	struct wa_media	 m;
	const cJSON	*key = cJSON_GetObjectItemCaseSensitive(o, "mediaKey");

	if (!cJSON_IsObject(o) || !cJSON_IsString(key))
		return NULL;
	memset(&m, 0, sizeof(m));
	m.key = key->valuestring;
	return wa_media_link(r, &m, 0, exp);
}

static int
ends_url(const char *name)
{
	size_t	n = name != NULL ? strlen(name) : 0;

	return n > 3 && strcmp(name + n - 3, "Url") == 0;
}

enum wa_err
wa_media_link_tree(struct wa_req *r, cJSON *node)
{
	const char	*url;
	cJSON		*it, *s;
	int64_t		 exp;
	char		 ts[40];

	if ((url = link_of(r, node, &exp)) != NULL) {
		cJSON_DeleteItemFromObjectCaseSensitive(node, "mediaKey");
		cJSON_AddStringToObject(node, "url", url);
		cJSON_AddStringToObject(node, "urlExpiresAt",
		    wa_clock_rfc3339(ts, sizeof(ts), exp * 1000));
	}
	if (r->err.code != WA_OK)
		return r->err.code;
	for (it = node != NULL ? node->child : NULL; it != NULL;
	    it = it->next) {
		if (cJSON_IsObject(node) && ends_url(it->string) &&
		    (url = link_of(r, it, &exp)) != NULL) {
			/* the new item takes the old one's place (and next) */
			s = cJSON_CreateString(url);
			cJSON_ReplaceItemInObjectCaseSensitive(node, it->string,
			    s);
			it = s;
			continue;
		}
		if (r->err.code != WA_OK ||
		    wa_media_link_tree(r, it) != WA_OK)
			return r->err.code;
	}
	return WA_OK;
}

enum wa_err
wa_media_resp_raw(struct wa_req *r, int status, const char *json,
    int whole)
{
	const char	*why;
	cJSON		*tree;
	char		*s;

	if (json == NULL || (tree = wa_json_parse(json, strlen(json), 64,
	    &why)) == NULL)
		return wa_fail(r, WA_ERR_INTERNAL, "Internal error");
	if (wa_media_link_tree(r, tree) != WA_OK)
		return r->err.code;
	if (!whole)
		return wa_resp_ok(r, status, tree);
	s = wa_json_print(tree);
	wa_resp_set(r, status, s, strlen(s));
	return WA_OK;
}
