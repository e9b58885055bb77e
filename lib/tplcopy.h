/*
 * tplcopy: wagate's copy of the message templates Meta holds per WABA
 * (wa.templates), refreshed from Meta's list.  Shared by the templates
 * family (every list and lookup refreshes it) and the sending worker
 * (a template Meta refused is refreshed before more messages use it).
 *
 * Meta's answers are checked before they are stored: the statement
 * skips items whose fields would break a column's limits, and keeps one
 * item per (name, language), so one odd item in Meta's list can neither
 * fail the caller nor be blamed on it.  status_at orders Meta's status
 * events (docs/webhooks.md): what Meta answers now is as fresh as it
 * gets, so a refresh stamps the time, a second early (Meta's event times
 * are whole seconds: an event of the same second still applies).
 */
#ifndef WA_TPLCOPY_H
#define WA_TPLCOPY_H

#include <cjson/cJSON.h>

#include "err.h"

struct wa_req;
struct wa_account;

/*
 * Stores Meta's template objects `data` (the array of
 * wa_graph_templates_list) for account a, inside the caller's
 * transaction and tenant.  complete: data is all Meta has of `name`
 * (NULL: of the whole WABA), so what the copy has beyond it is deleted.
 */
enum wa_err	wa_tplcopy_sync(struct wa_req *, const struct wa_account *a,
		    const char *name, const cJSON *data, int complete);

#endif /* WA_TPLCOPY_H */
