/*
 * media: the family's handlers (handlers.c), named by its route table
 * (main.c); docs/media.md.
 */
#ifndef MEDIA_FAMILY_H
#define MEDIA_FAMILY_H

#include "req.h"

enum wa_err	md_upload(struct wa_req *);
enum wa_err	md_get(struct wa_req *);
enum wa_err	md_delete(struct wa_req *);
enum wa_err	md_from_meta(struct wa_req *);

#endif /* MEDIA_FAMILY_H */
