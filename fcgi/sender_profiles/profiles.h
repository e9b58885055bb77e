/*
 * sender_profiles: Sent's /v3/profiles (seed 004, spec/sdk-clients.md
 * §1.3).  Requests use snake_case, except brand sections, which the Sent
 * SDK sends in camelCase; responses are snake_case throughout.
 */
#ifndef PROFILES_H
#define PROFILES_H

#include <cjson/cJSON.h>
#include <libpq-fe.h>

#include "err.h"
#include "req.h"

#define PROFILE_PAGE_MAX	100	/* profiles per page */
#define PROFILE_NOT_FOUND	"RESOURCE_014"
#define PROFILE_CONFLICT	"CONFLICT_014"
#define PROFILE_NO_WABA		"BUSINESS_014"
#define PROFILE_NO_PAYMENTS	"BUSINESS_015"

/* The request, validated and normalized. */
struct profile_input {
	cJSON		*patch;		/* column -> value; null = clear */
	int		 brand;		/* brand given */
	cJSON		*brand_contact;	/* snake_case sections */
	/* NULL = keep, JSON null = clear */
	cJSON		*brand_business;
	cJSON		*brand_compliance;
	/* whatsapp_business_account (create, update) or NULL */
	const cJSON	*waba;
	int		 payment;	/* valid payment_details given */
	int		 sandbox;
};

/* The stored values an update is checked against. */
struct profile_current {
	const char	*billing_model;
	int		 has_billing_contact;
	int		 inherit_tcr_brand;
};

/* fields.c: validates body for create (cur == NULL) or update and
 * fills in; records every problem, returns WA_OK or the error. */
enum wa_err	profile_input_parse(struct wa_req *, const cJSON *body,
		    const struct profile_current *cur,
		    struct profile_input *in);

/* fields.c: validates a DELETE body; a "sandbox" that is not a
 * boolean is a 400, not a real delete. */
enum wa_err	profile_delete_parse(struct wa_req *, const cJSON *body,
		    int *sandbox);

/* handlers.c */
enum wa_err	profiles_list(struct wa_req *);
enum wa_err	profiles_get(struct wa_req *);
enum wa_err	profiles_create(struct wa_req *);
enum wa_err	profiles_update(struct wa_req *);
enum wa_err	profiles_delete(struct wa_req *);

/* render.c */
extern const char profile_sql_get[];	/* $1 id */
extern const char profile_sql_list[];	/* $1 limit, $2 offset */
extern const char profile_sql_count[];	/* every live profile */
cJSON		*profile_render(struct wa_req *, const PGresult *, int row);

#endif /* PROFILES_H */
