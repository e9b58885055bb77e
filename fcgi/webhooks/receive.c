/*
 * The request side: the handshake and the store.  Nothing is parsed
 * before the signature is checked, and the signature is checked over
 * the body exactly as it arrived (contract §10.3): re-serialized JSON
 * would not match Meta's \u-escaped bytes.
 */
#include <string.h>

#include "arena.h"
#include "cfg.h"
#include "crypto.h"
#include "db.h"
#include "graph/graph.h"
#include "json.h"
#include "resp.h"

#include "webhooks.h"

/* The challenge is echoed as text/plain: printable ASCII only. */
static int
challenge_ok(const char *s)
{
	size_t	i, n;

	if (s == NULL || (n = strlen(s)) == 0 || n > HOOK_CHALLENGE_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] < 0x21 || s[i] > 0x7e || s[i] == '<' || s[i] == '>')
			return 0;
	return 1;
}

/* Constant time for equal lengths; the length itself is not secret. */
static int
token_eq(const char *want, const char *got)
{
	size_t	n = strlen(want);

	return got != NULL && strlen(got) == n && wa_crypto_eq(want, got, n);
}

enum wa_err
hook_verify(struct wa_req *r)
{
	const char	*mode = wa_req_query(r, "hub.mode");
	const char	*token = wa_req_query(r, "hub.verify_token");
	const char	*challenge = wa_req_query(r, "hub.challenge");

	if (r->cfg->meta_verify_token == NULL) {
		wa_fail_log(r, "WA_META_VERIFY_TOKEN is not set");
		return wa_fail(r, WA_ERR_UNAVAILABLE, "Webhook verification is "
		    "not configured on this server");
	}
	if (mode == NULL || strcmp(mode, "subscribe") != 0 ||
	    !challenge_ok(challenge))
		return wa_fail(r, WA_ERR_BAD_REQUEST, "Expected hub.mode="
		    "subscribe, hub.verify_token and hub.challenge");
	if (!token_eq(r->cfg->meta_verify_token, token))
		return wa_fail(r, WA_ERR_FORBIDDEN, "hub.verify_token does "
		    "not match");
	/* Meta wants the bare challenge back, not JSON */
	wa_resp_header(r, "Content-Type", "text/plain");
	wa_resp_set(r, 200, challenge, strlen(challenge));
	return WA_OK;
}

/* The signature was checked before this runs (wa_graph_signed). */
enum wa_err
hook_receive(struct wa_req *r)
{
	static const char sql[] =
	    "SELECT wa.webhook_receive(decode($1, 'hex'), $2) AS fresh";
	char		*hex;
	PGresult	*res;
	cJSON		*data;

	hex = wa_arena_alloc(r->arena, 2 * r->body_len + 1);
	wa_crypto_hex((const unsigned char *)r->body, r->body_len, hex);
	if (wa_db_q(r, &res, sql, 2, hex, r->request_id) != WA_OK)
		return r->err.code;
	data = cJSON_CreateObject();
	cJSON_AddTrueToObject(data, "received");
	cJSON_AddBoolToObject(data, "duplicate", !wa_db_bool(res, 0, "fresh",
	    0));
	return wa_resp_ok(r, 200, data);
}
