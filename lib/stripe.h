/*
 * stripe: the billing provider of phone numbers (docs/phone-numbers.md),
 * Stripe's API (https://api.stripe.com/v1, form-encoded bodies, Basic or
 * Bearer secret key), or the sandbox's (scripts/metasim: the same routes
 * under /stripe/v1, and a checkout page of its own).  WA_STRIPE_URL
 * (without /v1), WA_STRIPE_SECRET_KEY (a secret), WA_STRIPE_PRICE_ID (the
 * price of one number a month), WA_STRIPE_WEBHOOK_SECRET (whsec_...: the
 * signing secret of the webhooks Stripe sends) and WA_STRIPE_CA_FILE
 * configure it.
 *
 * Calls go through lib/fetch, as lib/telnyx's do; every POST carries an
 * Idempotency-Key (Stripe keeps them 24 hours), so a retried step never
 * creates twice.  Failures: 503 unreachable, throttled or failing, 502
 * refused; Stripe's own words are logged, never the key.
 */
#ifndef WA_STRIPE_H
#define WA_STRIPE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "req.h"

#define WA_STRIPE_TIMEOUT_MS	10000
#define WA_STRIPE_BODY_MAX	(1024u * 1024)
#define WA_STRIPE_TOLERANCE_S	300	/* a webhook's signed time */

/* A Checkout Session (mode subscription, one line of the number's
 * price, quantity 1). */
struct wa_stripe_checkout {
	const char	*id;		/* cs_... */
	const char	*url;		/* where the buyer pays */
	const char	*status;	/* open, complete, expired */
	const char	*subscription;	/* sub_..., once complete */
	const char	*customer;	/* cus_... */
};

int		wa_stripe_configured(const struct wa_cfg *);

/* POST /v1/checkout/sessions: mode=subscription, line_items[0][price]=
 * WA_STRIPE_PRICE_ID, quantity 1, client_reference_id=ref (wagate's
 * purchase id), success_url and cancel_url; Idempotency-Key ref. */
enum wa_err	wa_stripe_checkout_create(struct wa_req *, const char *ref,
		    const char *success_url, const char *cancel_url,
		    struct wa_stripe_checkout *out);

/* GET /v1/checkout/sessions/{id}. */
enum wa_err	wa_stripe_checkout_get(struct wa_req *, const char *id,
		    struct wa_stripe_checkout *out);

/* The subscription's quantity of numbers: its single item's quantity
 * set to n (POST /v1/subscription_items/{item}), or the subscription
 * cancelled when n is 0 (DELETE /v1/subscriptions/{id}); idem the
 * Idempotency-Key.  The subscription is read first (GET): one already
 * at n is left alone, one that has ended (canceled) counts as
 * cancelled, and refuses any other quantity with a 409. */
enum wa_err	wa_stripe_quantity(struct wa_req *, const char *subscription,
		    long n, const char *idem);

/*
 * A webhook's Stripe-Signature header ("t=...,v1=...[,v1=...]") over
 * the raw body, checked against secret (whsec_...): HMAC-SHA256 of
 * "<t>.<body>", compared in constant time with every v1; the time
 * within WA_STRIPE_TOLERANCE_S of now (Unix seconds), either way.
 * Other schemes (v0) are ignored; any bytes may come in header.  0 if
 * it holds, else -1 with why ("no signature", "bad signature header",
 * "bad signature", "too old", "from the future").
 */
int		wa_stripe_signature_ok(const char *secret, const char *header,
		    const char *body, size_t len, int64_t now,
		    const char **why);

#endif /* WA_STRIPE_H */
