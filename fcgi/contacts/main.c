/*
 * contacts: Late's contacts and groups, /v1/whatsapp/contacts... and
 * /v1/whatsapp/groups.  Any key of the organization may use them
 * (docs/contacts.md, "Roles").  `contacts --worker` merges the search
 * index's pending entries after large inserts (sql/0003_contacts.sql).
 */
#include "db.h"
#include "dispatch.h"
#include "fcgi.h"
#include "route.h"

#include "contacts.h"

#define ROUTE(m, p, h)	WA_ROUTE_KEY(m, p, h, WA_ROLE_MEMBER, WA_FACE_LATE)

static const struct wa_route routes[] = {
	ROUTE(WA_M_GET, "/v1/whatsapp/contacts", contacts_list),
	ROUTE(WA_M_POST, "/v1/whatsapp/contacts", contacts_create),
	ROUTE(WA_M_POST, "/v1/whatsapp/contacts/import", contacts_import),
	ROUTE(WA_M_POST, "/v1/whatsapp/contacts/bulk", contacts_bulk),
	ROUTE(WA_M_DELETE, "/v1/whatsapp/contacts/bulk",
	    contacts_bulk_delete),
	ROUTE(WA_M_GET, "/v1/whatsapp/contacts/{contactId}", contacts_get),
	ROUTE(WA_M_PUT, "/v1/whatsapp/contacts/{contactId}", contacts_update),
	ROUTE(WA_M_DELETE, "/v1/whatsapp/contacts/{contactId}",
	    contacts_delete),
	ROUTE(WA_M_GET, "/v1/whatsapp/groups", groups_list),
	ROUTE(WA_M_POST, "/v1/whatsapp/groups", groups_rename),
	ROUTE(WA_M_DELETE, "/v1/whatsapp/groups", groups_delete),
	WA_ROUTE_END
};

static const struct wa_family family = {
	"contacts",	/* name */
	routes,		/* routes */
	NULL,		/* worker_init */
	0,		/* body_max */
	0,		/* workers */
};

/* Merges the trigram index's pending list into the index, so that no
 * import pays for it; then waits for the next large insert. */
static int
merge_search(struct wa_req *r)
{
	PGresult	*res;

	if (wa_db_q(r, &res, "SELECT wa.contacts_search_merge() AS pages",
	    0) != WA_OK)
		return -1;
	return 0;
}

/* Woken by the NOTIFY of an insert of 100 contacts or more; every 10 s
 * as well, for the entries of smaller ones. */
static const struct wa_job job = {
	merge_search,		/* run */
	"wa_contacts",		/* channel */
	10000,			/* idle_ms */
	NULL,			/* stop */
	1,			/* workers */
};

int
main(int argc, char **argv)
{
	return wa_fcgi_main_jobs(argc, argv, &family, &job);
}
