/*
 * Meta's error codes, from the catalogue of spec/meta-graph-contract.md
 * §2.3, keyed on error.code (and error_subcode where Meta reuses code
 * 100).  What wagate answers its own client for each is a choice the
 * contract leaves open; docs/meta.md explains the columns:
 *   - 400 meta_invalid_request: the request's content was refused; the
 *     caller must change it.
 *   - 422 meta_auth_error: the account's token is expired, invalid or
 *     lacks a permission; only a new token helps.
 *   - 422 meta_refused: the account, number, template or recipient is
 *     in a state that forbids the operation.
 *   - 429 meta_rate_limited and 503 meta_unavailable: retry after
 *     Retry-After.
 *   - 404 and 409 where the meaning is exactly wagate's own.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "graph.h"
#include "json.h"

#define R	WA_GRAPH_RETRY
#define NO	WA_GRAPH_NO_RETRY
#define LATER	WA_GRAPH_RETRY_LATER
#define PAIR	WA_GRAPH_RETRY_PAIR
#define MSG	WA_GRAPH_SCOPE_MESSAGE
#define TPL	WA_GRAPH_SCOPE_TEMPLATE
#define ACCT	WA_GRAPH_SCOPE_ACCOUNT
#define THR	WA_GRAPH_SCOPE_THROUGHPUT
#define SPAIR	WA_GRAPH_SCOPE_PAIR
#define TRANS	WA_GRAPH_SCOPE_TRANSIENT

const struct wa_graph_rule wa_graph_rules[] = {
	/* authentication and permissions */
	{ 0, 0, 0, NO, 0, ACCT, WA_ERR_META_AUTH,
	    "Meta could not authenticate the account's access token" },
	{ 3, 0, 0, NO, 0, ACCT, WA_ERR_META_AUTH,
	    "the account's app lacks the capability for this call" },
	{ 10, 0, 0, NO, 0, ACCT, WA_ERR_META_AUTH,
	    "the account's access token lacks a permission" },
	{ 190, 0, 0, NO, 0, ACCT, WA_ERR_META_AUTH,
	    "the account's Meta access token is expired or invalid; "
	    "update the account's token" },
	{ 200, 299, 0, NO, 0, ACCT, WA_ERR_META_AUTH,
	    "the account's access token lacks a permission" },
	{ 131005, 0, 0, NO, 0, ACCT, WA_ERR_META_AUTH,
	    "access denied for the account's access token" },
	/* rate limits */
	{ 4, 0, 0, R, 60, THR, WA_ERR_META_RATE_LIMITED,
	    "Meta's app rate limit was reached" },
	{ 17, 0, 0, R, 60, THR, WA_ERR_META_RATE_LIMITED,
	    "Meta's user request limit was reached" },
	{ 80007, 0, 0, R, 60, THR, WA_ERR_META_RATE_LIMITED,
	    "the WhatsApp Business Account's rate limit was reached" },
	{ 130429, 0, 0, R, 1, THR, WA_ERR_META_RATE_LIMITED,
	    "the phone number's message throughput was reached" },
	{ 131048, 0, 0, LATER, 3600, ACCT, WA_ERR_META_RATE_LIMITED,
	    "the spam rate limit was hit; pause sending" },
	{ 131056, 0, 0, PAIR, 1, SPAIR, WA_ERR_META_RATE_LIMITED,
	    "too many messages to this recipient in a short time" },
	{ 133008, 133009, 0, LATER, 300, MSG, WA_ERR_META_RATE_LIMITED,
	    "too many PIN attempts; wait before trying again" },
	{ 133016, 0, 0, LATER, 259200, MSG, WA_ERR_META_RATE_LIMITED,
	    "too many registration changes for this number (10 in 72 "
	    "hours)" },
	/* Meta trouble: retry */
	{ 1, 0, 0, R, 5, TRANS, WA_ERR_META_UNAVAILABLE,
	    "Meta reported an unknown or temporary error" },
	{ 2, 0, 0, R, 5, TRANS, WA_ERR_META_UNAVAILABLE,
	    "Meta's service is temporarily unavailable" },
	{ 131000, 0, 0, R, 5, TRANS, WA_ERR_META_UNAVAILABLE,
	    "something went wrong at Meta" },
	{ 131016, 0, 0, R, 5, TRANS, WA_ERR_META_UNAVAILABLE,
	    "Meta's service is temporarily unavailable" },
	{ 131057, 0, 0, R, 60, ACCT, WA_ERR_META_UNAVAILABLE,
	    "the business account is in maintenance mode" },
	{ 133004, 0, 0, R, 5, TRANS, WA_ERR_META_UNAVAILABLE,
	    "Meta's server is temporarily unavailable" },
	{ 2494100, 0, 0, R, 300, ACCT, WA_ERR_META_UNAVAILABLE,
	    "the account is in maintenance mode" },
	/* code 100 by subcode, then the generic invalid parameter */
	{ 100, 0, 33, NO, 0, ACCT, WA_ERR_META_REFUSED,
	    "Meta does not know this object, or the account's token cannot "
	    "reach it" },
	{ 100, 0, 2388024, NO, 0, TPL, WA_ERR_CONFLICT,
	    "a template with this name and language already exists" },
	{ 100, 0, 2388019, NO, 0, TPL, WA_ERR_META_REFUSED,
	    "the account has reached its template limit" },
	{ 100, 0, 2388023, NO, 0, TPL, WA_ERR_META_REFUSED,
	    "a template of this name was deleted recently; the name is "
	    "free again 30 days later" },
	{ 100, 0, 2388039, NO, 0, TPL, WA_ERR_META_REFUSED,
	    "the template cannot be edited in its current state" },
	{ 100, 0, 0, NO, 0, MSG, WA_ERR_META_INVALID,
	    "Meta rejected a parameter" },
	{ 2388019, 0, 0, NO, 0, TPL, WA_ERR_META_REFUSED,
	    "the account has reached its template limit" },
	{ 2388024, 0, 0, NO, 0, TPL, WA_ERR_CONFLICT,
	    "a template with this name and language already exists" },
	/* the request's content */
	{ 131008, 0, 0, NO, 0, MSG, WA_ERR_META_INVALID,
	    "a required parameter is missing" },
	{ 131009, 0, 0, NO, 0, MSG, WA_ERR_META_INVALID,
	    "a parameter value is not valid" },
	{ 131021, 0, 0, NO, 0, MSG, WA_ERR_META_INVALID,
	    "the recipient cannot be the sender" },
	{ 131051, 0, 0, NO, 0, MSG, WA_ERR_META_INVALID,
	    "unsupported message type" },
	{ 131053, 0, 0, NO, 0, MSG, WA_ERR_META_INVALID,
	    "the media could not be uploaded (check its type and size)" },
	{ 132000, 0, 0, NO, 0, TPL, WA_ERR_META_INVALID,
	    "the number of template parameters does not match" },
	{ 132005, 0, 0, NO, 0, TPL, WA_ERR_META_INVALID,
	    "the translated text is too long" },
	{ 132007, 0, 0, NO, 0, TPL, WA_ERR_META_INVALID,
	    "the template content violates a policy" },
	{ 132012, 0, 0, NO, 0, TPL, WA_ERR_META_INVALID,
	    "a template parameter has the wrong format" },
	{ 132018, 0, 0, NO, 0, TPL, WA_ERR_META_INVALID,
	    "the template's parameters are not valid" },
	{ 133005, 0, 0, NO, 0, MSG, WA_ERR_META_INVALID,
	    "the two-step verification PIN is incorrect" },
	{ 135000, 0, 0, NO, 0, MSG, WA_ERR_META_INVALID,
	    "Meta refused the request's parameters" },
	{ 136025, 0, 0, NO, 0, MSG, WA_ERR_META_INVALID,
	    "the verification code is wrong or has expired" },
	{ 2388039, 2388299, 0, NO, 0, TPL, WA_ERR_META_INVALID,
	    "the template's format is not accepted" },
	/* templates */
	{ 132001, 0, 0, NO, 0, TPL, WA_ERR_NOT_FOUND,
	    "the template does not exist in that language or is not "
	    "approved" },
	{ 132015, 0, 0, NO, 0, TPL, WA_ERR_META_REFUSED,
	    "the template is paused for low quality" },
	{ 132016, 0, 0, NO, 0, TPL, WA_ERR_META_REFUSED,
	    "the template is disabled" },
	{ 132068, 132069, 0, NO, 0, MSG, WA_ERR_META_REFUSED,
	    "the flow is blocked or throttled" },
	/* account, number and recipient state */
	{ 33, 0, 0, NO, 0, ACCT, WA_ERR_META_REFUSED,
	    "the business phone number was deleted" },
	{ 368, 0, 0, NO, 0, ACCT, WA_ERR_META_REFUSED,
	    "the account is temporarily blocked for policy violations" },
	{ 130472, 0, 0, NO, 0, MSG, WA_ERR_META_REFUSED,
	    "the recipient is part of a Meta experiment" },
	{ 130497, 0, 0, NO, 0, MSG, WA_ERR_META_REFUSED,
	    "the account may not message users in this country" },
	{ 131026, 0, 0, NO, 0, MSG, WA_ERR_META_REFUSED,
	    "the message is undeliverable to this recipient" },
	{ 131030, 0, 0, NO, 0, MSG, WA_ERR_META_REFUSED,
	    "the recipient is not on the test number's allowed list" },
	{ 131031, 0, 0, NO, 0, ACCT, WA_ERR_META_REFUSED,
	    "the business account is locked" },
	{ 131037, 0, 0, NO, 0, ACCT, WA_ERR_META_REFUSED,
	    "the number has no approved display name" },
	{ 131042, 0, 0, NO, 0, ACCT, WA_ERR_META_REFUSED,
	    "the business account has a payment issue" },
	{ 131045, 0, 0, NO, 0, ACCT, WA_ERR_META_REFUSED,
	    "the phone number is not registered (certificate)" },
	{ 131047, 0, 0, NO, 0, MSG, WA_ERR_META_REFUSED,
	    "more than 24 hours passed since the recipient last wrote; "
	    "send a template" },
	{ 131049, 0, 0, LATER, 86400, MSG, WA_ERR_META_REFUSED,
	    "not delivered to keep ecosystem engagement healthy" },
	{ 131050, 0, 0, NO, 0, MSG, WA_ERR_META_REFUSED,
	    "the recipient stopped marketing messages" },
	{ 131052, 0, 0, NO, 0, MSG, WA_ERR_META_REFUSED,
	    "the media could not be downloaded" },
	{ 131063, 0, 0, NO, 0, TPL, WA_ERR_META_REFUSED,
	    "marketing templates are disabled for this account" },
	{ 131064, 0, 0, NO, 0, ACCT, WA_ERR_META_REFUSED,
	    "the messaging limit was hit after template violations" },
	{ 133000, 0, 0, NO, 0, ACCT, WA_ERR_META_REFUSED,
	    "a previous deregistration failed; deregister again" },
	{ 133006, 0, 0, NO, 0, ACCT, WA_ERR_META_REFUSED,
	    "the phone number must be verified first" },
	{ 133010, 0, 0, NO, 0, ACCT, WA_ERR_META_REFUSED,
	    "the phone number is not registered" },
	{ 133015, 0, 0, LATER, 300, ACCT, WA_ERR_META_REFUSED,
	    "the number was deleted recently; wait 5 minutes" },
	{ 134011, 0, 0, NO, 0, ACCT, WA_ERR_META_REFUSED,
	    "the payments terms of service are pending" },
	{ 137000, 0, 0, NO, 0, MSG, WA_ERR_META_REFUSED,
	    "the recipient's identity key changed" },
	{ 0, 0, 0, NO, 0, MSG, WA_OK, NULL }
};

#undef R
#undef NO
#undef LATER
#undef PAIR
#undef MSG
#undef TPL
#undef ACCT
#undef THR
#undef SPAIR
#undef TRANS

/* Unknown codes: transient ones may be retried. */
static const struct wa_graph_rule unknown_rule = {
	0, 0, 0, WA_GRAPH_NO_RETRY, 0, WA_GRAPH_SCOPE_MESSAGE, WA_ERR_UPSTREAM,
	"Meta returned an error wagate does not know"
};
static const struct wa_graph_rule unknown_transient = {
	0, 0, 0, WA_GRAPH_RETRY, 5, WA_GRAPH_SCOPE_TRANSIENT,
	WA_ERR_META_UNAVAILABLE,
	"Meta reported a transient error"
};

const struct wa_graph_rule *
wa_graph_rule_for(const struct wa_graph_error *e)
{
	const struct wa_graph_rule	*r, *any = NULL;
	long				 code = e->code, subcode = e->subcode;

	/* the 0 row is real (AuthException): the table ends at NULL */
	for (r = wa_graph_rules; r->message != NULL; r++) {
		if (r->code_max != 0 ? (code < r->code || code > r->code_max) :
		    code != r->code)
			continue;
		if (r->subcode != 0 && r->subcode == subcode)
			return r;
		if (r->subcode == 0 && any == NULL)
			any = r;
	}
	if (any != NULL)
		return any;
	return e->transient ? &unknown_transient : &unknown_rule;
}

/*
 * Transport and bare-HTTP failures.  Scope: the network and Meta's
 * troubles are transient; a TLS peer that cannot be verified and a
 * redirect mean the Graph URL or the CA file is wrong, which no retry
 * mends, so the account's sending stops until someone looks (a queue
 * worker pauses it rather than failing every message).
 */
#define ST(retry, after, scope, err, msg) \
	{ 0, 0, 0, retry, after, WA_GRAPH_SCOPE_##scope, err, msg }
static const struct wa_graph_rule status_rules[WA_GRAPH__MAX] = {
	/* WA_GRAPH_OK: not a failure, never used */
	ST(WA_GRAPH_NO_RETRY, 0, MESSAGE, WA_ERR_INTERNAL, "no error"),
	/* WA_GRAPH_META: see the table */
	ST(WA_GRAPH_NO_RETRY, 0, MESSAGE, WA_ERR_UPSTREAM,
	    "Meta returned an error"),
	/* WA_GRAPH_HTTP: by status below */
	ST(WA_GRAPH_NO_RETRY, 0, MESSAGE, WA_ERR_UPSTREAM,
	    "Meta's Graph API answered with an unexpected status"),
	/* WA_GRAPH_REFUSED */
	ST(WA_GRAPH_RETRY, 5, TRANSIENT, WA_ERR_UPSTREAM,
	    "could not connect to Meta's Graph API"),
	/* WA_GRAPH_TIMEOUT */
	ST(WA_GRAPH_RETRY, 5, TRANSIENT, WA_ERR_UPSTREAM_TIMEOUT,
	    "Meta's Graph API did not answer in time"),
	/* WA_GRAPH_DROPPED */
	ST(WA_GRAPH_RETRY, 5, TRANSIENT, WA_ERR_UPSTREAM,
	    "the connection to Meta's Graph API broke before an answer"),
	/* WA_GRAPH_MALFORMED */
	ST(WA_GRAPH_NO_RETRY, 0, TRANSIENT, WA_ERR_UPSTREAM,
	    "Meta's Graph API answered with a malformed body"),
	/* WA_GRAPH_REDIRECT */
	ST(WA_GRAPH_NO_RETRY, 0, ACCOUNT, WA_ERR_UPSTREAM,
	    "Meta's Graph API answered with an unexpected redirect"),
	/* WA_GRAPH_TLS */
	ST(WA_GRAPH_NO_RETRY, 0, ACCOUNT, WA_ERR_UPSTREAM,
	    "the TLS connection to Meta's Graph API could not be verified"),
	/* WA_GRAPH_TOO_LARGE */
	ST(WA_GRAPH_NO_RETRY, 0, TRANSIENT, WA_ERR_UPSTREAM,
	    "Meta's Graph API answered with a body that is too large"),
	/* WA_GRAPH_CONFIG */
	ST(WA_GRAPH_NO_RETRY, 0, MESSAGE, WA_ERR_UPSTREAM,
	    "the Graph API client is not configured for this call"),
};
static const struct wa_graph_rule http_5xx =
	ST(WA_GRAPH_RETRY, 5, TRANSIENT, WA_ERR_META_UNAVAILABLE,
	    "Meta's Graph API is temporarily unavailable");
static const struct wa_graph_rule http_429 =
	ST(WA_GRAPH_RETRY, 60, THROUGHPUT, WA_ERR_META_RATE_LIMITED,
	    "Meta's Graph API rate limit was reached");
static const struct wa_graph_rule http_auth =
	ST(WA_GRAPH_NO_RETRY, 0, ACCOUNT, WA_ERR_META_AUTH,
	    "Meta's Graph API refused the account's access token");
#undef ST

const struct wa_graph_rule *
wa_graph_rule_status(enum wa_graph_status st, long http)
{
	if ((unsigned)st >= WA_GRAPH__MAX)
		return &unknown_rule;
	if (st == WA_GRAPH_HTTP) {
		if (http >= 500)
			return &http_5xx;
		if (http == 429)
			return &http_429;
		if (http == 401 || http == 403)
			return &http_auth;
	}
	return &status_rules[st];
}

const char *
wa_graph_status_name(enum wa_graph_status st)
{
	static const char *const names[WA_GRAPH__MAX] = {
		"ok", "meta_error", "http_error", "refused", "timeout",
		"dropped", "malformed", "redirect", "tls", "too_large",
		"config"
	};

	if ((unsigned)st >= WA_GRAPH__MAX)
		return "?";
	return names[st];
}

static const char *
str_or_null(const cJSON *obj, const char *name)
{
	const char	*s = wa_json_str(obj, name);

	return s != NULL && s[0] != '\0' ? s : NULL;
}

/* A JSON number that is an integer in long range, else 0. */
static long
int_member(const cJSON *obj, const char *name)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(obj, name);
	double		 d;

	if (cJSON_IsString(v) && v->valuestring[0] != '\0' &&
	    strspn(v->valuestring, "0123456789") == strlen(v->valuestring) &&
	    strlen(v->valuestring) < 12)
		return strtol(v->valuestring, NULL, 10);
	if (!cJSON_IsNumber(v))
		return 0;
	d = v->valuedouble;
	if (!(d >= -2147483647.0 && d <= 2147483647.0) || d != (double)(long)d)
		return 0;
	return (long)d;
}

int
wa_graph_parse_error(const cJSON *body, struct wa_graph_error *out)
{
	const cJSON	*e, *data;

	memset(out, 0, sizeof(*out));
	e = cJSON_GetObjectItemCaseSensitive(body, "error");
	if (!cJSON_IsObject(e))
		return 0;
	out->code = int_member(e, "code");
	out->subcode = int_member(e, "error_subcode");
	out->type = str_or_null(e, "type");
	out->message = str_or_null(e, "message");
	out->user_title = str_or_null(e, "error_user_title");
	out->user_msg = str_or_null(e, "error_user_msg");
	out->fbtrace_id = str_or_null(e, "fbtrace_id");
	out->transient = wa_json_bool(e, "is_transient", 0);
	data = cJSON_GetObjectItemCaseSensitive(e, "error_data");
	if (cJSON_IsObject(data))
		out->details = str_or_null(data, "details");
	else if (cJSON_IsString(data))
		out->details = str_or_null(e, "error_data");
	return 1;
}

/* ---- outcomes for queue workers ---------------------------------------- */

/* d seconds, give or take a fifth, so that retries do not march in
 * step. */
static int
jitter(int d)
{
	uint32_t	r;
	int64_t		j;

	if (d <= 0 || wa_crypto_random(&r, sizeof(r)) != 0)
		return d;
	j = (int64_t)d * (int64_t)(r % 41) / 100;	/* 0 .. 40% */
	j = d + j - (int64_t)d * 20 / 100;
	return j < 1 ? 1 : (int)j;
}

enum wa_graph_outcome
wa_graph_outcome(const struct wa_graph_xfer *x, int attempt, int *delay_s)
{
	const struct wa_graph_res	*res = &x->res;
	const struct wa_graph_rule	*rule = res->rule;
	struct wa_graph_res		 ruled;
	int				 d;

	*delay_s = 0;
	if (attempt < 1)
		attempt = 1;
	if (res->status == WA_GRAPH_OK)
		/* accepted, but with no id we cannot tell which message */
		return x->sent.wamid != NULL ? WA_GRAPH_O_SENT :
		    WA_GRAPH_O_UNKNOWN;
	if (rule == NULL)
		rule = res->status == WA_GRAPH_META ?
		    wa_graph_rule_for(&res->err) :
		    wa_graph_rule_status(res->status, res->http_status);
	/* no word from Meta after the request went out: it may be sent */
	if (res->status != WA_GRAPH_META && x->written &&
	    rule->scope == WA_GRAPH_SCOPE_TRANSIENT)
		return WA_GRAPH_O_UNKNOWN;
	ruled = *res;
	ruled.rule = rule;
	d = wa_graph_retry_delay(&ruled, attempt);
	switch (rule->scope) {
	case WA_GRAPH_SCOPE_TEMPLATE:
		return WA_GRAPH_O_TEMPLATE;
	case WA_GRAPH_SCOPE_ACCOUNT:
		if (rule->retry != WA_GRAPH_NO_RETRY)
			*delay_s = jitter(rule->after_s);
		return WA_GRAPH_O_PAUSE;
	case WA_GRAPH_SCOPE_THROUGHPUT:
		*delay_s = jitter(d > 0 ? d : 1);
		return WA_GRAPH_O_SLOW;
	case WA_GRAPH_SCOPE_PAIR:
		if (attempt >= WA_GRAPH_ATTEMPTS_MAX || d < 0)
			return WA_GRAPH_O_FAILED;
		*delay_s = jitter(d);
		return WA_GRAPH_O_PAIR;
	case WA_GRAPH_SCOPE_TRANSIENT:
		if (attempt >= WA_GRAPH_ATTEMPTS_MAX || d < 0)
			return WA_GRAPH_O_FAILED;
		*delay_s = jitter(d);
		return WA_GRAPH_O_RETRY;
	default:
		if (d < 0)
			return WA_GRAPH_O_FAILED;
		*delay_s = jitter(d);
		return WA_GRAPH_O_RETRY;
	}
}

const char *
wa_graph_outcome_name(enum wa_graph_outcome o)
{
	static const char *const names[WA_GRAPH_O__MAX] = {
		"sent", "retry", "slow", "pair", "pause", "template",
		"failed", "unknown"
	};

	if ((unsigned)o >= WA_GRAPH_O__MAX)
		return "?";
	return names[o];
}
