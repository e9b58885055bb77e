/*
 * phone_numbers: numbers an organization buys for WhatsApp (pn.h).
 * Members read them; buying and releasing take an admin key.
 */
#include "dispatch.h"
#include "fcgi.h"
#include "route.h"

#include "pn.h"

#define ALL	"/v1/whatsapp/phone-numbers"
#define MEMBER(m, p, h)	WA_ROUTE_KEY(m, p, h, WA_ROLE_MEMBER, WA_FACE_LATE)

static const struct wa_route routes[] = {
	MEMBER(WA_M_GET, ALL, pn_list),
	MEMBER(WA_M_GET, ALL "/available", pn_available),
	MEMBER(WA_M_GET, ALL "/{phoneNumberId}", pn_get),
	WA_ROUTE_END
};

static const struct wa_family family = {
	"phone_numbers",	/* name */
	routes,			/* routes */
	NULL,			/* worker_init */
	0,			/* body_max */
	2,			/* workers: a search waits on the carrier */
};

int
main(int argc, char **argv)
{
	return wa_fcgi_main(argc, argv, &family);
}
