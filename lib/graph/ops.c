/*
 * Operations on WABA-level objects: message templates, the business
 * profile, the resumable upload, what a token reaches (a number and its
 * WABA), phone-number verification.  Each
 * checks the answer's shape: a 2xx that lacks what the contract
 * promises is WA_GRAPH_MALFORMED, never a success with holes.
 *
 * Object ids go into paths, so they are checked first
 * (wa_account_valid_meta_id); names and other values go into the query
 * string, which wa_graph_call escapes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accounts.h"
#include "arena.h"
#include "cfg.h"
#include "graph.h"
#include "json.h"

static enum wa_graph_status
fail(struct wa_graph_res *res, enum wa_graph_status st, const char *detail)
{
	res->status = st;
	res->detail = detail;
	res->rule = wa_graph_rule_status(st, res->http_status);
	return st;
}

/* An id that may go into a path, else a CONFIG failure. */
static int
id_ok(struct wa_graph_res *res, const char *id, const char *what)
{
	memset(res, 0, sizeof(*res));
	if (wa_account_valid_meta_id(id))
		return 1;
	fail(res, WA_GRAPH_CONFIG, what);
	return 0;
}

/* {"success": true} answers. */
static enum wa_graph_status
expect_success(struct wa_graph_res *res)
{
	if (res->status != WA_GRAPH_OK)
		return res->status;
	if (!wa_json_bool(res->body, "success", 0))
		return fail(res, WA_GRAPH_MALFORMED, "no \"success\": true");
	return WA_GRAPH_OK;
}

/* ---- templates ------------------------------------------------------- */

static const char tpl_fields[] =
    "id,name,status,category,language,components,parameter_format,"
    "rejected_reason";

enum wa_graph_status
wa_graph_templates_list(struct wa_req *r, const struct wa_graph_acct *a,
    const struct wa_graph_tpl_query *q, struct wa_graph_res *res)
{
	struct wa_graph_call	 c;
	struct wa_kv		 qs[6];
	cJSON			*all, *data, *it, *next;
	const cJSON		*paging, *cursors;
	const char		*after = NULL;
	char			 limit[16];
	size_t			 n;
	int			 total = 0, pages = 0;

	if (!id_ok(res, a->waba_id, "bad WABA id"))
		return res->status;
	all = cJSON_CreateObject();
	data = cJSON_AddArrayToObject(all, "data");
	snprintf(limit, sizeof(limit), "%d", WA_GRAPH_PAGE_LIMIT);
	memset(&c, 0, sizeof(c));
	c.method = "GET";
	c.path = wa_arena_printf(r->arena, "/%s/message_templates",
	    a->waba_id);
	/* the pages share one budget */
	c.deadline_us = wa_graph_deadline(r);
	c.query = qs;
	do {
		n = 0;
		qs[n].key = "fields";
		qs[n++].val = tpl_fields;
		qs[n].key = "limit";
		qs[n++].val = limit;
		if (q != NULL && q->name != NULL) {
			qs[n].key = "name";
			qs[n++].val = q->name;
		}
		if (q != NULL && q->status != NULL) {
			qs[n].key = "status";
			qs[n++].val = q->status;
		}
		if (after != NULL) {
			qs[n].key = "after";
			qs[n++].val = after;
		}
		c.nquery = n;
		if (wa_graph_call(r, a, &c, res) != WA_GRAPH_OK)
			return res->status;
		it = cJSON_GetObjectItemCaseSensitive(res->body, "data");
		if (!cJSON_IsArray(it))
			return fail(res, WA_GRAPH_MALFORMED, "no data array");
		while ((next = it->child) != NULL) {
			cJSON_DetachItemViaPointer(it, next);
			if (!cJSON_IsObject(next) ||
			    wa_json_str(next, "name") == NULL)
				return fail(res, WA_GRAPH_MALFORMED,
				    "a template without a name");
			if (++total > WA_GRAPH_TEMPLATES_MAX)
				return fail(res, WA_GRAPH_TOO_LARGE,
				    "more templates than any WABA may have");
			cJSON_AddItemToArray(data, next);
		}
		/*
		 * Not paging.next itself: it is a URL that carries the
		 * token and could name any host.  The cursor is enough.
		 */
		paging = cJSON_GetObjectItemCaseSensitive(res->body, "paging");
		cursors = cJSON_GetObjectItemCaseSensitive(paging, "cursors");
		after = wa_json_str(paging, "next") != NULL ?
		    wa_json_str(cursors, "after") : NULL;
		if (after != NULL && (after[0] == '\0' || strlen(after) > 512))
			return fail(res, WA_GRAPH_MALFORMED, "bad cursor");
	} while (after != NULL && ++pages < WA_GRAPH_TEMPLATES_MAX /
	    WA_GRAPH_PAGE_LIMIT + 1);
	res->body = all;
	return WA_GRAPH_OK;
}

enum wa_graph_status
wa_graph_template_create(struct wa_req *r, const struct wa_graph_acct *a,
    const cJSON *tpl, struct wa_graph_res *res)
{
	struct wa_graph_call	c;
	const char		*id;

	if (!id_ok(res, a->waba_id, "bad WABA id"))
		return res->status;
	memset(&c, 0, sizeof(c));
	c.method = "POST";
	c.path = wa_arena_printf(r->arena, "/%s/message_templates",
	    a->waba_id);
	c.json = tpl;
	if (wa_graph_call(r, a, &c, res) != WA_GRAPH_OK)
		return res->status;
	id = wa_json_str(res->body, "id");
	if (!wa_account_valid_meta_id(id))
		return fail(res, WA_GRAPH_MALFORMED, "no template id");
	return WA_GRAPH_OK;
}

enum wa_graph_status
wa_graph_template_get(struct wa_req *r, const struct wa_graph_acct *a,
    const char *template_id, const char *fields, struct wa_graph_res *res)
{
	struct wa_graph_call	c;
	struct wa_kv		q = { "fields", fields };

	if (!id_ok(res, template_id, "bad template id"))
		return res->status;
	memset(&c, 0, sizeof(c));
	c.method = "GET";
	c.path = wa_arena_printf(r->arena, "/%s", template_id);
	c.query = &q;
	c.nquery = fields != NULL ? 1 : 0;
	if (wa_graph_call(r, a, &c, res) != WA_GRAPH_OK)
		return res->status;
	if (wa_json_str(res->body, "id") == NULL)
		return fail(res, WA_GRAPH_MALFORMED, "no template id");
	return WA_GRAPH_OK;
}

enum wa_graph_status
wa_graph_template_edit(struct wa_req *r, const struct wa_graph_acct *a,
    const char *template_id, const cJSON *edit, struct wa_graph_res *res)
{
	struct wa_graph_call	c;

	if (!id_ok(res, template_id, "bad template id"))
		return res->status;
	memset(&c, 0, sizeof(c));
	c.method = "POST";
	c.path = wa_arena_printf(r->arena, "/%s", template_id);
	c.json = edit;
	wa_graph_call(r, a, &c, res);
	return expect_success(res);
}

enum wa_graph_status
wa_graph_template_delete(struct wa_req *r, const struct wa_graph_acct *a,
    const char *name, const char *hsm_id, struct wa_graph_res *res)
{
	struct wa_graph_call	c;
	struct wa_kv		q[2] = { { "name", name },
				    { "hsm_id", hsm_id } };

	if (!id_ok(res, a->waba_id, "bad WABA id"))
		return res->status;
	if (hsm_id != NULL && !id_ok(res, hsm_id, "bad template id"))
		return res->status;
	if (name == NULL || name[0] == '\0')
		return fail(res, WA_GRAPH_CONFIG, "no template name");
	memset(&c, 0, sizeof(c));
	c.method = "DELETE";
	c.path = wa_arena_printf(r->arena, "/%s/message_templates",
	    a->waba_id);
	c.query = q;
	c.nquery = hsm_id != NULL ? 2 : 1;
	wa_graph_call(r, a, &c, res);
	return expect_success(res);
}

/* ---- business profile ------------------------------------------------ */

const cJSON *
wa_graph_parse_profile(const cJSON *body)
{
	const cJSON	*data, *p, *nested;

	data = cJSON_GetObjectItemCaseSensitive(body, "data");
	if (!cJSON_IsArray(data) || !cJSON_IsObject(p = data->child))
		return NULL;
	nested = cJSON_GetObjectItemCaseSensitive(p, "business_profile");
	return cJSON_IsObject(nested) ? nested : p;
}

enum wa_graph_status
wa_graph_profile_get(struct wa_req *r, const struct wa_graph_acct *a,
    struct wa_graph_res *res, const cJSON **profile)
{
	struct wa_graph_call	c;
	struct wa_kv		q = { "fields", "about,address,description,"
				    "email,profile_picture_url,websites,"
				    "vertical" };

	*profile = NULL;
	if (!id_ok(res, a->phone_number_id, "bad phone number id"))
		return res->status;
	memset(&c, 0, sizeof(c));
	c.method = "GET";
	c.path = wa_arena_printf(r->arena, "/%s/whatsapp_business_profile",
	    a->phone_number_id);
	c.query = &q;
	c.nquery = 1;
	if (wa_graph_call(r, a, &c, res) != WA_GRAPH_OK)
		return res->status;
	if ((*profile = wa_graph_parse_profile(res->body)) == NULL)
		return fail(res, WA_GRAPH_MALFORMED, "no data[0] profile");
	return WA_GRAPH_OK;
}

enum wa_graph_status
wa_graph_profile_update(struct wa_req *r, const struct wa_graph_acct *a,
    const cJSON *fields, struct wa_graph_res *res)
{
	struct wa_graph_call	 c;
	cJSON			*body;
	const cJSON		*it;

	if (!id_ok(res, a->phone_number_id, "bad phone number id"))
		return res->status;
	body = cJSON_CreateObject();
	cJSON_AddStringToObject(body, "messaging_product", "whatsapp");
	cJSON_ArrayForEach(it, fields)
		if (it->string != NULL &&
		    strcmp(it->string, "messaging_product") != 0)
			cJSON_AddItemToObject(body, it->string,
			    cJSON_Duplicate(it, 1));
	memset(&c, 0, sizeof(c));
	c.method = "POST";
	c.path = wa_arena_printf(r->arena, "/%s/whatsapp_business_profile",
	    a->phone_number_id);
	c.json = body;
	wa_graph_call(r, a, &c, res);
	return expect_success(res);
}

/* ---- media: what Meta holds, and its bytes ------------------------- */

enum wa_graph_status
wa_graph_media_info(struct wa_req *r, const struct wa_graph_acct *a,
    const char *media_id, struct wa_graph_res *res,
    struct wa_graph_media *out)
{
	struct wa_graph_call	 c;
	const char		*size;

	memset(out, 0, sizeof(*out));
	if (!id_ok(res, media_id, "bad media id"))
		return res->status;
	memset(&c, 0, sizeof(c));
	c.method = "GET";
	c.path = wa_arena_printf(r->arena, "/%s", media_id);
	if (wa_graph_call(r, a, &c, res) != WA_GRAPH_OK)
		return res->status;
	out->url = wa_json_str(res->body, "url");
	out->mime_type = wa_json_str(res->body, "mime_type");
	out->sha256 = wa_json_str(res->body, "sha256");
	/* Meta writes the size as a string */
	if ((size = wa_json_str(res->body, "file_size")) != NULL)
		out->file_size = (size_t)strtoull(size, NULL, 10);
	else if (cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(res->body,
	    "file_size")))
		out->file_size = (size_t)cJSON_GetObjectItemCaseSensitive(
		    res->body, "file_size")->valuedouble;
	if (out->url == NULL || out->mime_type == NULL)
		return fail(res, WA_GRAPH_MALFORMED, "no media url or type");
	return WA_GRAPH_OK;
}

enum wa_graph_status
wa_graph_media_download(struct wa_req *r, const struct wa_graph_acct *a,
    const char *url, int fd, size_t max, struct wa_graph_res *res,
    size_t *size)
{
	struct wa_graph_call	c;
	struct wa_graph_sink	sink = { fd, max };
	off_t			before, after;

	*size = 0;
	memset(&c, 0, sizeof(c));
	c.method = "GET";
	c.path = "";
	c.url = url;
	c.sink = &sink;
	before = lseek(fd, 0, SEEK_CUR);
	if (wa_graph_call(r, a, &c, res) != WA_GRAPH_OK)
		return res->status;
	after = lseek(fd, 0, SEEK_CUR);
	*size = before >= 0 && after >= before ? (size_t)(after - before) : 0;
	return WA_GRAPH_OK;
}

/* ---- resumable upload ------------------------------------------------ */

int
wa_graph_valid_session(const char *s)
{
	const char	*sig;
	size_t		 n;

	if (s == NULL || strncmp(s, "upload:", 7) != 0 ||
	    (sig = strstr(s, "?sig=")) == NULL || strlen(s) > 1024)
		return 0;
	n = (size_t)(sig - (s + 7));
	if (n == 0 || strspn(s + 7, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/=_-:.") < n ||
	    memchr(s + 7, '/', n) != NULL)
		return 0;
	sig += 5;
	return sig[0] != '\0' && strspn(sig, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789_-") == strlen(sig);
}

enum wa_graph_status
wa_graph_upload_start(struct wa_req *r, const struct wa_graph_acct *a,
    const char *file_name, size_t length, const char *file_type,
    struct wa_graph_res *res, const char **session)
{
	struct wa_graph_call	c;
	struct wa_kv		q[3];
	const char		*app = r->cfg->meta_app_id;

	*session = NULL;
	if (!id_ok(res, app, "WA_META_APP_ID is not set"))
		return res->status;
	q[0].key = "file_name";
	q[0].val = file_name;
	q[1].key = "file_length";
	q[1].val = wa_arena_printf(r->arena, "%zu", length);
	q[2].key = "file_type";
	q[2].val = file_type;
	memset(&c, 0, sizeof(c));
	c.method = "POST";
	c.path = wa_arena_printf(r->arena, "/%s/uploads", app);
	c.query = q;
	c.nquery = 3;
	if (wa_graph_call(r, a, &c, res) != WA_GRAPH_OK)
		return res->status;
	*session = wa_json_str(res->body, "id");
	if (!wa_graph_valid_session(*session)) {
		*session = NULL;
		return fail(res, WA_GRAPH_MALFORMED, "no upload session id");
	}
	return WA_GRAPH_OK;
}

/* POSTs c's body (raw or file, set by the caller) to the session from
 * offset; the handle Meta answers with once the file is complete. */
static enum wa_graph_status
upload_post(struct wa_req *r, const struct wa_graph_acct *a,
    const char *session, size_t offset, struct wa_graph_call *c,
    struct wa_graph_res *res, const char **handle)
{
	struct wa_kv	*h;

	h = wa_arena_alloc(r->arena, sizeof(*h));
	h->key = "file_offset";
	h->val = wa_arena_printf(r->arena, "%zu", offset);
	c->method = "POST";
	/* verbatim: the ?sig= part becomes the query, as Meta expects */
	c->path = wa_arena_printf(r->arena, "/%s", session);
	c->auth_scheme = "OAuth";
	c->headers = h;
	c->nheaders = 1;
	c->ctype = "application/octet-stream";
	if (wa_graph_call(r, a, c, res) != WA_GRAPH_OK)
		return res->status;
	*handle = wa_json_str(res->body, "h");
	if (*handle == NULL || (*handle)[0] == '\0') {
		*handle = NULL;
		return fail(res, WA_GRAPH_MALFORMED, "no upload handle");
	}
	return WA_GRAPH_OK;
}

enum wa_graph_status
wa_graph_upload_send(struct wa_req *r, const struct wa_graph_acct *a,
    const char *session, size_t offset, const void *data, size_t len,
    struct wa_graph_res *res, const char **handle)
{
	struct wa_graph_call	c;

	*handle = NULL;
	memset(res, 0, sizeof(*res));
	if (!wa_graph_valid_session(session) || offset > len)
		return fail(res, WA_GRAPH_CONFIG, "bad upload session");
	memset(&c, 0, sizeof(c));
	c.body = (const char *)data + offset;
	c.body_len = len - offset;
	return upload_post(r, a, session, offset, &c, res, handle);
}

enum wa_graph_status
wa_graph_upload_send_fd(struct wa_req *r, const struct wa_graph_acct *a,
    const char *session, size_t offset, int fd, size_t len,
    struct wa_graph_res *res, const char **handle)
{
	struct wa_graph_call	c;
	struct wa_graph_file	*f;

	*handle = NULL;
	memset(res, 0, sizeof(*res));
	if (!wa_graph_valid_session(session) || offset > len || fd < 0)
		return fail(res, WA_GRAPH_CONFIG, "bad upload session");
	f = wa_arena_alloc(r->arena, sizeof(*f));
	f->fd = fd;
	f->off = offset;
	f->len = len - offset;
	memset(&c, 0, sizeof(c));
	c.file = f;
	return upload_post(r, a, session, offset, &c, res, handle);
}

enum wa_graph_status
wa_graph_upload_offset(struct wa_req *r, const struct wa_graph_acct *a,
    const char *session, struct wa_graph_res *res, size_t *offset)
{
	struct wa_graph_call	 c;
	const cJSON		*v;

	*offset = 0;
	memset(res, 0, sizeof(*res));
	if (!wa_graph_valid_session(session))
		return fail(res, WA_GRAPH_CONFIG, "bad upload session");
	memset(&c, 0, sizeof(c));
	c.method = "GET";
	c.path = wa_arena_printf(r->arena, "/%s", session);
	c.auth_scheme = "OAuth";
	if (wa_graph_call(r, a, &c, res) != WA_GRAPH_OK)
		return res->status;
	v = cJSON_GetObjectItemCaseSensitive(res->body, "file_offset");
	if (!cJSON_IsNumber(v) || v->valuedouble < 0 ||
	    v->valuedouble > (double)WA_GRAPH_MEDIA_MAX)
		return fail(res, WA_GRAPH_MALFORMED, "no file_offset");
	*offset = (size_t)v->valuedouble;
	return WA_GRAPH_OK;
}

/* ---- phone numbers: what a token reaches ----------------------------- */

static const char number_fields[] =
    "id,display_phone_number,verified_name,code_verification_status,"
    "status";

/* GET /{phone-number-id}: the number must answer as itself. */
static enum wa_graph_status
number_get(struct wa_req *r, const struct wa_graph_acct *a,
    int64_t deadline, struct wa_graph_res *res, struct wa_graph_number *out)
{
	struct wa_graph_call	c;
	struct wa_kv		q = { "fields", number_fields };
	const char		*id;

	out->step = WA_GRAPH_CHECK_NUMBER;
	memset(&c, 0, sizeof(c));
	c.method = "GET";
	c.path = wa_arena_printf(r->arena, "/%s", a->phone_number_id);
	c.query = &q;
	c.nquery = 1;
	c.deadline_us = deadline;
	if (wa_graph_call(r, a, &c, res) != WA_GRAPH_OK)
		return res->status;
	id = wa_json_str(res->body, "id");
	if (id == NULL || strcmp(id, a->phone_number_id) != 0)
		return fail(res, WA_GRAPH_MALFORMED, "another number answered");
	out->display_phone_number = wa_json_str(res->body,
	    "display_phone_number");
	out->verified_name = wa_json_str(res->body, "verified_name");
	out->code_verification_status = wa_json_str(res->body,
	    "code_verification_status");
	out->status = wa_json_str(res->body, "status");
	return WA_GRAPH_OK;
}

/* GET /{waba-id}/phone_numbers, page after page, until the number is
 * found (or, without a number, after the first page). */
static enum wa_graph_status
number_listed(struct wa_req *r, const struct wa_graph_acct *a,
    int64_t deadline, struct wa_graph_res *res, struct wa_graph_number *out)
{
	struct wa_graph_call	 c;
	struct wa_kv		 qs[3];
	const cJSON		*data, *it, *paging;
	const char		*after = NULL, *id;
	char			 limit[16];
	int			 pages = 0;

	out->step = WA_GRAPH_CHECK_WABA;
	snprintf(limit, sizeof(limit), "%d", WA_GRAPH_PAGE_LIMIT);
	memset(&c, 0, sizeof(c));
	c.method = "GET";
	c.path = wa_arena_printf(r->arena, "/%s/phone_numbers", a->waba_id);
	c.query = qs;
	c.deadline_us = deadline;
	qs[0].key = "fields";
	qs[0].val = "id,display_phone_number";
	qs[1].key = "limit";
	qs[1].val = limit;
	do {
		qs[2].key = "after";
		qs[2].val = after;
		c.nquery = after != NULL ? 3 : 2;
		if (wa_graph_call(r, a, &c, res) != WA_GRAPH_OK)
			return res->status;
		data = cJSON_GetObjectItemCaseSensitive(res->body, "data");
		if (!cJSON_IsArray(data))
			return fail(res, WA_GRAPH_MALFORMED, "no data array");
		if (a->phone_number_id == NULL)
			return WA_GRAPH_OK;
		cJSON_ArrayForEach(it, data) {
			id = wa_json_str(it, "id");
			if (id != NULL && strcmp(id, a->phone_number_id) == 0) {
				out->in_waba = 1;
				return WA_GRAPH_OK;
			}
		}
		/* the cursor, not paging.next (templates_list says why) */
		paging = cJSON_GetObjectItemCaseSensitive(res->body, "paging");
		after = wa_json_str(paging, "next") != NULL ? wa_json_str(
		    cJSON_GetObjectItemCaseSensitive(paging, "cursors"),
		    "after") : NULL;
		if (after != NULL && (after[0] == '\0' || strlen(after) > 512))
			return fail(res, WA_GRAPH_MALFORMED, "bad cursor");
	} while (after != NULL && ++pages < WA_GRAPH_NUMBERS_PAGES);
	return WA_GRAPH_OK;
}

enum wa_graph_status
wa_graph_number_check(struct wa_req *r, const struct wa_graph_acct *a,
    struct wa_graph_res *res, struct wa_graph_number *out)
{
	/* both calls share one budget */
	int64_t	deadline = wa_graph_deadline(r);

	memset(out, 0, sizeof(*out));
	out->step = WA_GRAPH_CHECK_WABA;
	if (!id_ok(res, a->waba_id, "bad WABA id"))
		return res->status;
	if (a->phone_number_id != NULL) {
		out->step = WA_GRAPH_CHECK_NUMBER;
		if (!id_ok(res, a->phone_number_id, "bad phone number id"))
			return res->status;
		if (number_get(r, a, deadline, res, out) != WA_GRAPH_OK)
			return res->status;
	}
	return number_listed(r, a, deadline, res, out);
}

/* ---- phone-number verification --------------------------------------- */

/* POST /{phone-number-id}/<edge> with body; {"success": true}. */
static enum wa_graph_status
phone_post(struct wa_req *r, const struct wa_graph_acct *a, const char *edge,
    const cJSON *body, struct wa_graph_res *res)
{
	struct wa_graph_call	c;

	if (!id_ok(res, a->phone_number_id, "bad phone number id"))
		return res->status;
	memset(&c, 0, sizeof(c));
	c.method = "POST";
	c.path = wa_arena_printf(r->arena, "/%s/%s", a->phone_number_id, edge);
	c.json = body;
	wa_graph_call(r, a, &c, res);
	return expect_success(res);
}

enum wa_graph_status
wa_graph_request_code(struct wa_req *r, const struct wa_graph_acct *a,
    const char *method, const char *language, struct wa_graph_res *res)
{
	cJSON	*body = cJSON_CreateObject();

	cJSON_AddStringToObject(body, "code_method", method);
	cJSON_AddStringToObject(body, "language", language);
	return phone_post(r, a, "request_code", body, res);
}

enum wa_graph_status
wa_graph_verify_code(struct wa_req *r, const struct wa_graph_acct *a,
    const char *code, struct wa_graph_res *res)
{
	cJSON	*body = cJSON_CreateObject();

	cJSON_AddStringToObject(body, "code", code);
	return phone_post(r, a, "verify_code", body, res);
}
