/*
 * telnyx: the carrier wagate buys phone numbers from (docs/phone-numbers.md),
 * Telnyx's public API v2 (https://api.telnyx.com/v2), or the sandbox's
 * (scripts/metasim: the same routes under /telnyx/v2).  WA_TELNYX_URL
 * (without /v2), WA_TELNYX_API_KEY (a secret: only in the Authorization
 * header, never logged) and WA_TELNYX_CA_FILE configure it.
 *
 * Calls go through lib/fetch (one deadline, a bounded answer; the host
 * of WA_TELNYX_URL is the one address allowed besides public ones).
 * Results live in the request arena.  A failure records the request's
 * error (wa_fail): 503 when Telnyx cannot be reached or is not
 * configured, 502 when it answers with an error or something that is
 * not its JSON; the carrier's own words are logged, not answered.
 * (A 429 or 5xx of Telnyx's counts as unavailable: 503, with its
 * Retry-After; an unreachable Telnyx gives Retry-After: 5.)
 */
#ifndef WA_TELNYX_H
#define WA_TELNYX_H

#include <cjson/cJSON.h>

#include "err.h"
#include "req.h"

#define WA_TELNYX_TIMEOUT_MS	10000
#define WA_TELNYX_BODY_MAX	(1024u * 1024)
#define WA_TELNYX_SEARCH_MAX	100	/* numbers a search answers */

/* A search of available US numbers; NULL members are not filtered. */
struct wa_telnyx_query {
	const char	*area_code;	/* filter[national_destination_code] */
	const char	*locality;	/* filter[locality] */
	const char	*contains;	/* filter[phone_number][contains] */
	int		 limit;		/* filter[limit], 1..100; 0: not
					 * sent (Telnyx's default) */
};

/* An available number as wagate answers it. */
struct wa_telnyx_number {
	const char	*phone_number;	/* E.164 */
	const char	*locality;	/* region_information: "location",
					 * else "rate_center" */
	const char	*region;	/* the state, "NY" */
	const char	*monthly_cost;	/* "1.00" */
	const char	*upfront_cost;
	const char	*currency;	/* "USD" */
	int		 sms;		/* features */
	int		 voice;
};

/* An order's outcome (POST /v2/number_orders). */
struct wa_telnyx_order {
	const char	*order_id;	/* the number order's id */
	const char	*number_id;	/* the phone number's id, once done:
					 * GET /v2/phone_numbers's, which
					 * DELETE takes (not the order
					 * line's); NULL while pending or
					 * not listed yet: order again */
	const char	*phone_number;
	const char	*status;	/* "pending", "success", "failure" */
};

/* 1 if WA_TELNYX_URL and WA_TELNYX_API_KEY are set. */
int		wa_telnyx_configured(const struct wa_cfg *);

/* GET /v2/available_phone_numbers (country US): *out, *n numbers. */
enum wa_err	wa_telnyx_search(struct wa_req *,
		    const struct wa_telnyx_query *,
		    struct wa_telnyx_number **out, size_t *n);

/* The available numbers of a search's answer ({"data": [...]}) into
 * out, at most max, skipping records without an E.164 number: how many,
 * or -1 when there is no data array.  Strings point into answer. */
long		wa_telnyx_numbers_of(const cJSON *answer,
		    struct wa_telnyx_number *out, size_t max);

/* POST /v2/number_orders for one number; customer_ref (wagate's id of
 * the purchase) makes a retried order find the first one instead of
 * buying twice (GET /v2/number_orders?filter[customer_reference]=). */
enum wa_err	wa_telnyx_order(struct wa_req *, const char *phone_number,
		    const char *customer_ref, struct wa_telnyx_order *out);

/* DELETE /v2/phone_numbers/{id}: released; a number Telnyx no longer
 * has (404) counts as released. */
enum wa_err	wa_telnyx_release(struct wa_req *, const char *number_id);

#endif /* WA_TELNYX_H */
