/*
 * phone_numbers: numbers bought for WhatsApp, Late's
 * /v1/whatsapp/phone-numbers (docs/phone-numbers.md).  Numbers come
 * from the carrier (lib/telnyx.h); an organization's plan says whether
 * it may buy and how many (sql/0022_phone_numbers.sql).  Late's shapes
 * for these routes carry no `success` key (the seed's, and the SDK's).
 */
#ifndef PN_H
#define PN_H

#include "req.h"

#define PN_LIST_MAX		1000	/* numbers a list answers */
#define PN_SEARCH_DEFAULT	20
#define PN_LOCALITY_MAX		100

/* handlers.c */
enum wa_err	pn_list(struct wa_req *);
enum wa_err	pn_get(struct wa_req *);
enum wa_err	pn_available(struct wa_req *);

#endif /* PN_H */
