/*
 * The billing client (stripe.h).  Every call is one wa_provider_call()
 * (provider.h: the secret key in a Bearer header, what a failure
 * becomes).  Stripe takes form bodies, its nested keys written with
 * brackets ("line_items[0][price]"), every key and value
 * percent-encoded; it answers its objects as JSON, or
 * {"error": {type, code, message, param}}.
 *
 * Idempotency: Stripe keeps the answer of a POST that carried an
 * Idempotency-Key for 24 hours, and answers it again for the same key
 * and parameters, so a retried step creates nothing twice; the same key
 * with other parameters is refused (idempotency_error, a 502 here).
 * DELETE needs none: cancelling is looked at first.
 */
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "cfg.h"
#include "crypto.h"
#include "json.h"
#include "provider.h"
#include "stripe.h"
#include "url.h"

#define ID_MAX		255	/* an id of Stripe's, a reference, a key */
#define QUANTITY_MAX	1000000L
#define T_DIGITS_MAX	12	/* a signed time, Unix seconds */

int
wa_stripe_configured(const struct wa_cfg *cfg)
{
	return cfg->stripe_url != NULL && cfg->stripe_secret_key != NULL &&
	    cfg->stripe_price_id != NULL;
}

static enum wa_err
not_configured(struct wa_req *r)
{
	return wa_fail(r, WA_ERR_UNAVAILABLE, "Billing is not configured on "
	    "this server (WA_STRIPE_URL, WA_STRIPE_SECRET_KEY, "
	    "WA_STRIPE_PRICE_ID)");
}

/* A bad argument of the caller's: a bug, not Stripe's doing. */
static enum wa_err
misused(struct wa_req *r, const char *what)
{
	wa_fail_log(r, "stripe: %s", what);
	return wa_fail(r, WA_ERR_INTERNAL, "Internal error");
}

static int
id_ok(const char *s)
{
	return s != NULL && s[0] != '\0' && strlen(s) <= ID_MAX;
}

/* Stripe's error answer: {"error": {type, code, message, param}}; its
 * code (else its type), and its words. */
static void
error_of(struct wa_arena *a, const cJSON *v, const char **code,
    const char **words)
{
	const cJSON	*e = cJSON_GetObjectItemCaseSensitive(v, "error");
	const char	*type = wa_json_str(e, "type");
	const char	*param = wa_json_str(e, "param");
	const char	*msg = wa_json_str(e, "message");

	if ((*code = wa_json_str(e, "code")) == NULL)
		*code = type != NULL ? type : "-";
	*words = wa_arena_printf(a, "%s (type %s, param %s)", msg != NULL ?
	    msg : "-", type != NULL ? type : "-", param != NULL ? param : "-");
}

/* Stripe as provider.h calls it. */
static void
provider(const struct wa_cfg *cfg, struct wa_provider *p)
{
	memset(p, 0, sizeof(*p));
	p->name = "stripe";
	p->who = "The billing provider";
	p->url = cfg->stripe_url;
	p->key = cfg->stripe_secret_key;
	p->ca_file = cfg->stripe_ca_file;
	p->ctype = "application/x-www-form-urlencoded";
	p->timeout_ms = WA_STRIPE_TIMEOUT_MS;
	p->max_bytes = WA_STRIPE_BODY_MAX;
	p->error_of = error_of;
}

/* One call of path ("/v1/..."): provider.h's wa_provider_call(). */
static enum wa_err
call(struct wa_req *r, const char *method, const char *path,
    const char *idem, const char *body, int ok404, cJSON **out)
{
	struct wa_provider	p;

	provider(r->cfg, &p);
	return wa_provider_call(r, &p, method, path, idem, body, ok404, out);
}

static enum wa_err
unexpected(struct wa_req *r, const char *what)
{
	struct wa_provider	p;

	provider(r->cfg, &p);
	return wa_provider_unexpected(r, &p, what);
}

/* form plus key=value, the value percent-encoded (the key is given
 * encoded). */
static char *
form(struct wa_arena *a, const char *f, const char *key, const char *value)
{
	return wa_arena_printf(a, "%s%s%s=%s", f, f[0] != '\0' ? "&" : "",
	    key, wa_url_encode(a, value));
}

/* A member that is an id, or an expanded object's id; NULL if none. */
static const char *
id_of(const cJSON *o, const char *name)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, name);

	if (cJSON_IsObject(v))
		return wa_json_str(v, "id");
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* ---- Checkout ------------------------------------------------------------ */

static enum wa_err
checkout_of(struct wa_req *r, const cJSON *v, struct wa_stripe_checkout *out)
{
	out->id = wa_json_str(v, "id");
	out->status = wa_json_str(v, "status");
	if (!id_ok(out->id) || out->status == NULL) {
		memset(out, 0, sizeof(*out));
		return unexpected(r, "a Checkout Session without id or status");
	}
	out->url = wa_json_str(v, "url");
	out->subscription = id_of(v, "subscription");
	out->customer = id_of(v, "customer");
	return WA_OK;
}

enum wa_err
wa_stripe_checkout_create(struct wa_req *r, const char *ref,
    const char *success_url, const char *cancel_url,
    struct wa_stripe_checkout *out)
{
	struct wa_arena	*a = r->arena;
	const char	*body = "";
	cJSON		*v;

	memset(out, 0, sizeof(*out));
	if (!wa_stripe_configured(r->cfg))
		return not_configured(r);
	/* client_reference_id: at most 200 characters at Stripe */
	if (!id_ok(ref) || strlen(ref) > 200 || success_url == NULL ||
	    cancel_url == NULL)
		return misused(r, "a Checkout Session needs a reference and "
		    "its two URLs");
	body = form(a, body, "mode", "subscription");
	body = form(a, body, "line_items%5B0%5D%5Bprice%5D",
	    r->cfg->stripe_price_id);
	body = form(a, body, "line_items%5B0%5D%5Bquantity%5D", "1");
	body = form(a, body, "client_reference_id", ref);
	body = form(a, body, "success_url", success_url);
	body = form(a, body, "cancel_url", cancel_url);
	if (call(r, "POST", "/v1/checkout/sessions", ref, body, 0, &v) !=
	    WA_OK)
		return r->err.code;
	return checkout_of(r, v, out);
}

enum wa_err
wa_stripe_checkout_get(struct wa_req *r, const char *id,
    struct wa_stripe_checkout *out)
{
	cJSON	*v;

	memset(out, 0, sizeof(*out));
	if (!wa_stripe_configured(r->cfg))
		return not_configured(r);
	if (!id_ok(id))
		return misused(r, "a Checkout Session's id is needed");
	if (call(r, "GET", wa_arena_printf(r->arena, "/v1/checkout/sessions/"
	    "%s", wa_url_encode(r->arena, id)), NULL, NULL, 0, &v) != WA_OK)
		return r->err.code;
	return checkout_of(r, v, out);
}

/* ---- the subscription's quantity ----------------------------------------- */

enum wa_err
wa_stripe_quantity(struct wa_req *r, const char *subscription, long n,
    const char *idem)
{
	struct wa_arena	*a = r->arena;
	const cJSON	*item, *q;
	const char	*sub, *status, *id;
	cJSON		*v;

	if (!wa_stripe_configured(r->cfg))
		return not_configured(r);
	if (!id_ok(subscription) || n < 0 || n > QUANTITY_MAX ||
	    (n > 0 && !id_ok(idem)))
		return misused(r, "a quantity needs the subscription, a count "
		    "and an idempotency key");
	sub = wa_url_encode(a, subscription);
	if (call(r, "GET", wa_arena_printf(a, "/v1/subscriptions/%s", sub),
	    NULL, NULL, 0, &v) != WA_OK)
		return r->err.code;
	if ((status = wa_json_str(v, "status")) == NULL)
		return unexpected(r, "a subscription without a status");
	/* ended for good: nothing left to cancel, nothing to change */
	if (strcmp(status, "canceled") == 0 ||
	    strcmp(status, "incomplete_expired") == 0) {
		if (n == 0)
			return WA_OK;
		wa_fail_log(r, "stripe: subscription %s is %s", subscription,
		    status);
		return wa_fail(r, WA_ERR_CONFLICT, "The subscription has "
		    "ended");
	}
	if (n == 0)
		/* a 404 here: cancelled since the GET, done */
		return call(r, "DELETE", wa_arena_printf(a,
		    "/v1/subscriptions/%s", sub), NULL, NULL, 1, &v);
	item = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(v, "items"), "data"), 0);
	if (!id_ok(id = wa_json_str(item, "id")))
		return unexpected(r, "a subscription without an item");
	q = cJSON_GetObjectItemCaseSensitive(item, "quantity");
	if (cJSON_IsNumber(q) && q->valuedouble == (double)n)
		return WA_OK;
	return call(r, "POST", wa_arena_printf(a, "/v1/subscription_items/%s",
	    wa_url_encode(a, id)), idem, wa_arena_printf(a, "quantity=%ld&"
	    "proration_behavior=create_prorations", n), 0, &v);
}

/* ---- webhooks' signatures ----------------------------------------------- */

/*
 * The Stripe-Signature header is a list of scheme=value elements
 * separated by commas: one t (the signed time), one v1 per signing
 * secret in use (two while a secret is rolled), and schemes of other
 * kinds (v0, Stripe's test signature) that are ignored.  Nothing of it
 * is trusted: a t that is not 1-12 digits, or a second t, fails the
 * whole header; a v1 that is not 64 hex digits matches nothing.
 */
int
wa_stripe_signature_ok(const char *secret, const char *header,
    const char *body, size_t len, int64_t now, const char **why)
{
	unsigned char	 mac[WA_SHA256_LEN], sig[WA_SHA256_LEN];
	const char	*p, *e, *t = NULL;
	size_t		 tn = 0, n;
	char		*signed_, hex[2 * WA_SHA256_LEN + 1];
	int64_t		 at = 0;
	int		 match = 0, nv1 = 0;

	*why = "no signature";
	if (secret == NULL || secret[0] == '\0' || header == NULL ||
	    (body == NULL && len > 0))
		return -1;
	for (p = header; *p != '\0'; p = *e == ',' ? e + 1 : e) {
		while (*p == ' ' || *p == '\t')
			p++;
		e = p + strcspn(p, ",");
		n = (size_t)(e - p);
		if (n > 2 && p[0] == 't' && p[1] == '=') {
			if (t != NULL || n - 2 > T_DIGITS_MAX ||
			    strspn(p + 2, "0123456789") < n - 2) {
				*why = "bad signature header";
				return -1;
			}
			t = p + 2;
			tn = n - 2;
		} else if (n > 3 && strncmp(p, "v1=", 3) == 0)
			nv1++;
	}
	if (t == NULL || nv1 == 0)
		return -1;
	for (n = 0; n < tn; n++)
		at = at * 10 + (t[n] - '0');
	/* HMAC-SHA256 under the secret of "<t>.<body>" */
	if ((signed_ = malloc(tn + 1 + len + 1)) == NULL) {
		*why = "out of memory";
		return -1;
	}
	memcpy(signed_, t, tn);
	signed_[tn] = '.';
	if (len > 0)
		memcpy(signed_ + tn + 1, body, len);
	wa_crypto_hmac_sha256(secret, strlen(secret), signed_, tn + 1 + len,
	    mac);
	free(signed_);
	/* every v1 is looked at, in constant time each */
	for (p = header; *p != '\0'; p = *e == ',' ? e + 1 : e) {
		while (*p == ' ' || *p == '\t')
			p++;
		e = p + strcspn(p, ",");
		if ((size_t)(e - p) != 3 + 2 * WA_SHA256_LEN ||
		    strncmp(p, "v1=", 3) != 0)
			continue;
		memcpy(hex, p + 3, 2 * WA_SHA256_LEN);
		hex[2 * WA_SHA256_LEN] = '\0';
		if (wa_crypto_unhex(hex, sig, sizeof(sig)) == 0)
			match |= wa_crypto_eq(mac, sig, sizeof(mac));
	}
	wa_crypto_wipe(mac, sizeof(mac));
	if (!match) {
		*why = "bad signature";
		return -1;
	}
	if (now - at > WA_STRIPE_TOLERANCE_S) {
		*why = "too old";
		return -1;
	}
	if (at - now > WA_STRIPE_TOLERANCE_S) {
		*why = "from the future";
		return -1;
	}
	*why = NULL;
	return 0;
}
