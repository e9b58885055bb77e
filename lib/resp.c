/*
 * Envelopes.  Field errors are kept face-neutral in r->err (a dotted
 * path and a predicate such as "must be a string") and phrased here the
 * way each platform's clients expect:
 *   Mosend: message: ["name must be a string", ...] (NestJS)
 *   Late:   details.fields: {"phone": "phone must be ..."} (ValidationError)
 *   Sent:   error.details: {"phone": ["phone must be ..."]}
 */
#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "cfg.h"
#include "clock.h"
#include "json.h"
#include "resp.h"

void
wa_resp_header(struct wa_req *r, const char *name, const char *value)
{
	size_t	i;

	/* a value that would end the header (input echoed) is dropped */
	if (strpbrk(value, "\r\n") != NULL)
		return;
	for (i = 0; i < r->resp.nheaders; i++)
		if (strcasecmp(r->resp.headers[i].key, name) == 0) {
			r->resp.headers[i].val = value;
			return;
		}
	if (r->resp.nheaders == WA_REQ_HEADERS_MAX)
		return;
	r->resp.headers[r->resp.nheaders].key = name;
	r->resp.headers[r->resp.nheaders].val = value;
	r->resp.nheaders++;
}

void
wa_resp_set(struct wa_req *r, int status, const char *body, size_t len)
{
	r->resp.status = status;
	r->resp.body = body;
	r->resp.body_len = len;
}

static const char *
now_ts(struct wa_req *r)
{
	char	*ts = wa_arena_alloc(r->arena, WA_CLOCK_RFC3339_LEN);

	return wa_clock_rfc3339(ts, WA_CLOCK_RFC3339_LEN, wa_clock_now_ms());
}

static cJSON *
sent_meta(struct wa_req *r)
{
	cJSON	*m = cJSON_CreateObject();

	cJSON_AddStringToObject(m, "request_id", r->request_id);
	cJSON_AddStringToObject(m, "timestamp", now_ts(r));
	cJSON_AddStringToObject(m, "version", "v3");
	return m;
}

static void
finish(struct wa_req *r, int status, cJSON *body)
{
	char	*s = wa_json_print(body);

	wa_resp_set(r, status, s, strlen(s));
}

enum wa_err
wa_resp_ok(struct wa_req *r, int status, cJSON *data)
{
	cJSON	*env, *it, *next;

	if (data == NULL)
		data = cJSON_CreateNull();
	switch (r->face) {
	case WA_FACE_SENT:
		env = cJSON_CreateObject();
		cJSON_AddTrueToObject(env, "success");
		cJSON_AddItemToObject(env, "data", data);
		cJSON_AddNullToObject(env, "error");
		cJSON_AddItemToObject(env, "meta", sent_meta(r));
		break;
	case WA_FACE_LATE:
		env = cJSON_CreateObject();
		cJSON_AddTrueToObject(env, "success");
		if (cJSON_IsObject(data)) {
			/* move the members up, keeping their order */
			for (it = data->child; it != NULL; it = next) {
				next = it->next;
				cJSON_DetachItemViaPointer(data, it);
				cJSON_AddItemToObject(env, it->string, it);
			}
		}
		break;
	default:
		env = cJSON_CreateObject();
		cJSON_AddItemToObject(env, "data", data);
		cJSON_AddStringToObject(env, "timestamp", now_ts(r));
		break;
	}
	finish(r, status, env);
	return WA_OK;
}

enum wa_err
wa_resp_ok_raw(struct wa_req *r, int status, const char *json)
{
	const char	*in;
	char		*s;

	if (json == NULL)
		return wa_fail(r, WA_ERR_INTERNAL, "Internal error");
	if (r->face != WA_FACE_LATE)
		return wa_resp_ok(r, status, cJSON_CreateRaw(json));
	/* {"success":true, then the object's members and its brace */
	in = json + strspn(json, " \t\r\n");
	if (*in++ != '{')
		return wa_fail(r, WA_ERR_INTERNAL, "Internal error");
	in += strspn(in, " \t\r\n");
	s = wa_arena_printf(r->arena, "{\"success\":true%s%s",
	    *in == '}' ? "" : ",", in);
	wa_resp_set(r, status, s, strlen(s));
	return WA_OK;
}

void
wa_resp_paging(struct wa_req *r, int has_more, const char *next,
    long long total)
{
	wa_resp_header(r, "X-Has-More", has_more ? "true" : "false");
	if (has_more && next != NULL)
		wa_resp_header(r, "Link", wa_arena_printf(r->arena,
		    "<%s>; rel=\"next\"", next));
	if (total >= 0)
		wa_resp_header(r, "X-Total-Count", wa_arena_printf(r->arena,
		    "%lld", total));
}

enum wa_err
wa_resp_raw(struct wa_req *r, int status, const cJSON *body)
{
	finish(r, status, (cJSON *)body);
	return WA_OK;
}

enum wa_err
wa_resp_empty(struct wa_req *r, int status)
{
	wa_resp_set(r, status, "", 0);
	return WA_OK;
}

static const char *
field_sentence(struct wa_req *r, const struct wa_field_error *f)
{
	return wa_arena_printf(r->arena, "%s %s", f->field, f->msg);
}

static void
merge_details(cJSON *into, const struct wa_error *e)
{
	const cJSON	*it;

	if (e->details == NULL)
		return;
	cJSON_ArrayForEach(it, (const cJSON *)e->details)
		cJSON_AddItemToObject(into, it->string,
		    cJSON_Duplicate(it, 1));
}

static cJSON *
error_sent(struct wa_req *r, const struct wa_error *e)
{
	cJSON	*env, *err, *det, *arr;
	size_t	 i;
	const char *code = e->face_code != NULL ? e->face_code :
	    wa_errs[e->code].sent_code;

	env = cJSON_CreateObject();
	cJSON_AddFalseToObject(env, "success");
	cJSON_AddNullToObject(env, "data");
	err = cJSON_AddObjectToObject(env, "error");
	cJSON_AddStringToObject(err, "code", code);
	cJSON_AddStringToObject(err, "message", e->message);
	if (e->nfields > 0 || e->details != NULL) {
		det = cJSON_AddObjectToObject(err, "details");
		for (i = 0; i < e->nfields; i++) {
			arr = cJSON_GetObjectItemCaseSensitive(det,
			    e->fields[i].field);
			if (arr == NULL)
				arr = cJSON_AddArrayToObject(det,
				    e->fields[i].field);
			cJSON_AddItemToArray(arr, cJSON_CreateString(
			    field_sentence(r, &e->fields[i])));
		}
		merge_details(det, e);
	} else
		cJSON_AddNullToObject(err, "details");
	if (r->cfg != NULL && r->cfg->doc_url_base != NULL)
		cJSON_AddStringToObject(err, "doc_url", wa_arena_printf(
		    r->arena, "%s%s", r->cfg->doc_url_base, code));
	else
		cJSON_AddNullToObject(err, "doc_url");
	cJSON_AddItemToObject(env, "meta", sent_meta(r));
	return env;
}

static cJSON *
error_late(struct wa_req *r, const struct wa_error *e)
{
	cJSON	*env, *det, *fields;
	size_t	 i;
	const char *msg = e->message;

	env = cJSON_CreateObject();
	cJSON_AddFalseToObject(env, "success");
	if (e->nfields > 0)
		msg = wa_arena_printf(r->arena, "%s: %s", e->message,
		    field_sentence(r, &e->fields[0]));
	cJSON_AddStringToObject(env, "error", msg);
	cJSON_AddStringToObject(env, "code", e->face_code != NULL ?
	    e->face_code : wa_errs[e->code].slug);
	if (e->nfields > 0 || e->details != NULL) {
		det = cJSON_AddObjectToObject(env, "details");
		if (e->nfields > 0) {
			fields = cJSON_AddObjectToObject(det, "fields");
			for (i = 0; i < e->nfields; i++)
				if (!cJSON_HasObjectItem(fields,
				    e->fields[i].field))
					cJSON_AddStringToObject(fields,
					    e->fields[i].field,
					    field_sentence(r, &e->fields[i]));
		}
		merge_details(det, e);
	}
	return env;
}

static cJSON *
error_mosend(struct wa_req *r, const struct wa_error *e, int status)
{
	cJSON	*env, *msgs;
	size_t	 i;

	env = cJSON_CreateObject();
	cJSON_AddNumberToObject(env, "statusCode", status);
	cJSON_AddStringToObject(env, "error", wa_err_reason(status));
	if (e->nfields > 0) {
		msgs = cJSON_AddArrayToObject(env, "message");
		for (i = 0; i < e->nfields; i++)
			cJSON_AddItemToArray(msgs, cJSON_CreateString(
			    field_sentence(r, &e->fields[i])));
	} else
		cJSON_AddStringToObject(env, "message", e->message);
	cJSON_AddStringToObject(env, "timestamp", now_ts(r));
	cJSON_AddStringToObject(env, "path", r->path);
	if (e->details != NULL) {
		cJSON *det = cJSON_AddObjectToObject(env, "details");
		merge_details(det, e);
	}
	return env;
}

void
wa_resp_error(struct wa_req *r)
{
	struct wa_error	*e = &r->err;
	int		 status;
	cJSON		*body;
	char		*ra;

	/* wa_fail() keeps a recorded code, even a bogus one: clear it
	 * first, or wa_errs[] below is read out of bounds. */
	if ((unsigned)e->code >= WA_ERR__MAX) {
		e->code = WA_OK;
		e->message[0] = '\0';
	}
	if (e->code == WA_OK)
		wa_fail(r, WA_ERR_INTERNAL, "%s",
		    wa_errs[WA_ERR_INTERNAL].message);
	if (e->message[0] == '\0')
		snprintf(e->message, sizeof(e->message), "%s",
		    wa_errs[e->code].message);
	status = wa_errs[e->code].status;
	switch (r->face) {
	case WA_FACE_SENT:
		body = error_sent(r, e);
		break;
	case WA_FACE_LATE:
		body = error_late(r, e);
		break;
	default:
		body = error_mosend(r, e, status);
		break;
	}
	/* Sent's SDK retries 409 and 5xx unless told otherwise; an outcome
	 * nobody knows must not be retried blindly. */
	if (status == 409 || (status >= 500 && status != 503) ||
	    e->code == WA_ERR_OUTCOME_UNKNOWN)
		wa_resp_header(r, "x-should-retry", "false");
	if (e->retry_after > 0) {
		ra = wa_arena_printf(r->arena, "%d", e->retry_after);
		wa_resp_header(r, "Retry-After", ra);
	}
	finish(r, status, body);
}
