/*
 * POST .../profile/picture: one JPG or PNG of at most 5 MB, sent as the
 * multipart/form-data part `file`.  What it is comes from its bytes
 * (lib/image: libmagic, then libpng or libjpeg for the dimensions),
 * never from its name or its declared type.  The file streams from the
 * request to a spool file (lib/multipart) and from there to Meta's
 * resumable upload; it is never held in memory.  The handle Meta gives
 * becomes the profile's profile_picture_handle; the profile is then
 * read back (its new profile_picture_url) and answered, 201.
 */
#include <string.h>

#include "image.h"
#include "json.h"
#include "multipart.h"
#include "resp.h"

#include "bprof.h"

/* The request's form: at most a picture and a few fields. */
static enum wa_err
read_form(struct wa_req *r, struct wa_mp_form *form)
{
	struct wa_mp_limits	lim;

	memset(&lim, 0, sizeof(lim));
	lim.file_max = BP_PICTURE_MAX;
	lim.value_max = 1024;
	lim.fields_max = 4;
	return wa_mp_read(r, &lim, form);
}

/* The file part of form, checked by its content: *img filled. */
static enum wa_err
take_file(struct wa_req *r, const struct wa_mp_form *form,
    const struct wa_mp_field **out, struct wa_image *img)
{
	const struct wa_mp_field	*f;

	f = wa_mp_get(form, "file");
	if (f == NULL || f->filename == NULL)
		return wa_fail_field(r, "file", "is required: one JPG or PNG "
		    "image, as the multipart/form-data file part \"file\"");
	if (f->size == 0)
		return wa_fail_field(r, "file", "is empty");
	if (wa_image_probe_fd(f->fd, f->size, img) != 0 ||
	    (img->type != WA_IMAGE_PNG && img->type != WA_IMAGE_JPEG))
		return wa_fail_field(r, "file", "must be a JPG or PNG image "
		    "(its content is %s)", img->type == WA_IMAGE_WEBP ?
		    "image/webp" : img->mime);
	if (img->width < BP_PICTURE_DIM_MIN ||
	    img->height < BP_PICTURE_DIM_MIN ||
	    img->width > BP_PICTURE_DIM_MAX || img->height > BP_PICTURE_DIM_MAX)
		return wa_fail_field(r, "file", "must be from %d to %d pixels "
		    "wide and high (it is %ux%u)", BP_PICTURE_DIM_MIN,
		    BP_PICTURE_DIM_MAX, img->width, img->height);
	*out = f;
	return WA_OK;
}

/* The file to Meta by resumable upload: the handle. */
static enum wa_err
upload(struct wa_req *r, struct bp_number *n, const struct wa_mp_field *f,
    const struct wa_image *img, const char **handle)
{
	struct wa_graph_res	 res;
	const char		*mime = wa_image_mime(img->type), *session;

	if (wa_graph_upload_start(r, &n->g, img->type == WA_IMAGE_PNG ?
	    "profile.png" : "profile.jpg", f->size, mime, &res,
	    &session) != WA_GRAPH_OK)
		return wa_graph_fail(r, &res, "start the picture's upload");
	if (wa_graph_upload_send_fd(r, &n->g, session, 0, f->fd, f->size,
	    &res, handle) != WA_GRAPH_OK)
		return wa_graph_fail(r, &res, "upload the picture to Meta");
	return WA_OK;
}

/* The picture to Meta, set on the profile, read back into *v. */
static enum wa_err
set_picture(struct wa_req *r, struct bp_number *n,
    const struct wa_mp_field *f, const struct wa_image *img,
    struct bp_view *v)
{
	struct wa_graph_res	 res;
	const char		*handle;
	cJSON			*fields;

	if (upload(r, n, f, img, &handle) != WA_OK)
		return r->err.code;
	fields = cJSON_CreateObject();
	cJSON_AddStringToObject(fields, "profile_picture_handle", handle);
	if (wa_graph_profile_update(r, &n->g, fields, &res) != WA_GRAPH_OK)
		return wa_graph_fail(r, &res,
		    "set the profile picture at Meta");
	if (bp_read(r, n, v) != WA_OK) {
		wa_req_clear_err(r);
		if (bp_store_merge(r, n->acc.id, fields, v) != WA_OK)
			return r->err.code;
	}
	return bp_store_picture(r, n->acc.id, f->size,
	    wa_image_mime(img->type));
}

enum wa_err
bp_mosend_picture(struct wa_req *r)
{
	const struct wa_mp_field	*f = NULL;
	struct wa_mp_form		 form;
	struct wa_image			 img;
	struct bp_number		 n;
	struct bp_view			 v;
	cJSON				*out, *pic;

	if (bp_open(r, wa_req_param(r, "phoneId"), &n) != WA_OK ||
	    read_form(r, &form) != WA_OK ||
	    take_file(r, &form, &f, &img) != WA_OK ||
	    set_picture(r, &n, f, &img, &v) != WA_OK)
		return r->err.code;
	out = bp_render_mosend(&n, &v);
	pic = cJSON_AddObjectToObject(out, "picture");
	cJSON_AddStringToObject(pic, "type", wa_image_mime(img.type));
	cJSON_AddNumberToObject(pic, "bytes", (double)f->size);
	cJSON_AddNumberToObject(pic, "width", img.width);
	cJSON_AddNumberToObject(pic, "height", img.height);
	return wa_resp_ok(r, 201, out);
}

/* Late's POST /v1/whatsapp/business-profile/photo: the parts accountId
 * and file. */
enum wa_err
bp_late_photo(struct wa_req *r)
{
	const struct wa_mp_field	*f = NULL, *id;
	struct wa_mp_form		 form;
	struct wa_image			 img;
	struct bp_number		 n;
	struct bp_view			 v;
	cJSON				*out;

	/* the account first: another tenant's is 404 whatever the file */
	if (read_form(r, &form) != WA_OK)
		return r->err.code;
	id = wa_mp_get(&form, "accountId");
	if (id == NULL || id->filename != NULL || id->value[0] == '\0')
		return wa_fail_field(r, "accountId", "is required");
	if (bp_open(r, id->value, &n) != WA_OK ||
	    take_file(r, &form, &f, &img) != WA_OK ||
	    set_picture(r, &n, f, &img, &v) != WA_OK)
		return r->err.code;
	out = cJSON_CreateObject();
	cJSON_AddStringToObject(out, "message",
	    "Profile picture updated successfully");
	return wa_resp_ok(r, 200, out);
}
