/*
 * business_profiles: a number's WhatsApp business profile on Mosend's
 * face (/organizations/{orgId}/phone-numbers/{phoneId}/profile) and
 * Late's (/v1/whatsapp/business-profile), and its picture
 * (docs/profiles.md, "Business profiles").  Meta is the source of
 * truth: reads ask Meta and refresh wagate's copy, writes go to Meta
 * first; the copy is served, flagged stale, only when Meta cannot be
 * reached.
 */
#ifndef BPROF_H
#define BPROF_H

#include <cjson/cJSON.h>

#include "accounts.h"
#include "graph/graph.h"
#include "req.h"

/* The profile picture: a JPG or PNG of at most 5 MB, by its content. */
#define BP_PICTURE_MAX		(5u * 1024 * 1024)
#define BP_PICTURE_DIM_MIN	192
#define BP_PICTURE_DIM_MAX	8192
/* What the picture route takes in all: the file and multipart's
 * framing (nginx is told, route.h). */
#define BP_UPLOAD_MAX		(BP_PICTURE_MAX + 64u * 1024)

/* A number whose profile is read or written, opened for Meta. */
struct bp_number {
	struct wa_account	 acc;
	struct wa_graph_acct	 g;
};

/* A profile as answered: Meta's members (snake_case, known only). */
struct bp_view {
	cJSON		*profile;
	const char	*synced_at;	/* RFC 3339 */
	int		 stale;		/* Meta unreachable: the copy */
};

/* handlers.c */
enum wa_err	bp_mosend_get(struct wa_req *);
enum wa_err	bp_mosend_put(struct wa_req *);
enum wa_err	bp_late_get(struct wa_req *);
enum wa_err	bp_late_post(struct wa_req *);
enum wa_err	bp_open(struct wa_req *, const char *account_id,
		    struct bp_number *);
enum wa_err	bp_read(struct wa_req *, struct bp_number *,
		    struct bp_view *);

/* picture.c */
enum wa_err	bp_mosend_picture(struct wa_req *);
enum wa_err	bp_late_photo(struct wa_req *);

/* input.c: the fields of an update, as Meta names them (an object,
 * maybe empty); NULL with the field errors recorded. */
cJSON		*bp_parse_update(struct wa_req *, const cJSON *body, int late);

/* view.c */
cJSON		*bp_pick(const cJSON *meta_profile);
cJSON		*bp_render_mosend(const struct bp_number *,
		    const struct bp_view *);
cJSON		*bp_render_late(const struct bp_view *);

/* store.c: the copy */
enum wa_err	bp_store_save(struct wa_req *, const char *account_id,
		    struct bp_view *);
enum wa_err	bp_store_merge(struct wa_req *, const char *account_id,
		    const cJSON *fields, struct bp_view *);
/* 1 and v filled if there is a copy, 0 if none, -1 on error. */
int		bp_store_load(struct wa_req *, const char *account_id,
		    struct bp_view *);
enum wa_err	bp_store_picture(struct wa_req *, const char *account_id,
		    size_t bytes, const char *type);

#endif /* BPROF_H */
