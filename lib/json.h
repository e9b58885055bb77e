/*
 * json: cJSON with arena ownership, a hardened parser and declarative
 * validation of request bodies.
 *
 * Ownership: wa_json_use_arena() routes every cJSON allocation of this
 * process into the given arena, so trees die with the request and no
 * handler calls cJSON_Delete.  Each worker serves one request at a time,
 * which is what makes this one process-wide setting safe.
 */
#ifndef WA_JSON_H
#define WA_JSON_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "err.h"

struct wa_arena;
struct wa_req;

#define WA_JSON_DEPTH_MAX	32

/* All later cJSON allocations come from `a` (never NULL). */
void	wa_json_use_arena(struct wa_arena *a);

/*
 * Parses buf[0..len) as one JSON value.  Refuses, with a reason in *why
 * (static string): invalid UTF-8, a NUL byte or \u0000 escape, nesting
 * deeper than maxdepth, trailing data.  Returns the tree or NULL.
 */
cJSON	*wa_json_parse(const char *buf, size_t len, int maxdepth,
	    const char **why);

/*
 * The request body as a JSON object.  An empty body is an empty object
 * (SDKs send DELETE with and without "{}").  Otherwise records a
 * WA_ERR_BAD_REQUEST and returns it.
 */
enum wa_err	wa_json_body(struct wa_req *, cJSON **out);

/* Value types a field may have. */
enum wa_jtype {
	WA_J_STRING = 1,
	WA_J_BOOL,
	WA_J_INT,
	WA_J_NUMBER,
	WA_J_OBJECT,
	WA_J_ARRAY
};

#define WA_F_REQUIRED	0x01	/* must be present */
#define WA_F_NULLABLE	0x02	/* null accepted (means "clear") */
#define WA_F_NONEMPTY	0x04	/* string not blank */

/*
 * One field of a request body.  Tables end with a { NULL } row.
 * For strings, max is the limit in characters; for arrays, in items.
 * `check` (strings) returns 1 for a good value; its failure is reported
 * with check_msg.  `sub` describes an object's members.  For an array,
 * `item` is the type of its items and `item_max` their length limit;
 * enumv, check and sub then apply to each item.
 */
struct wa_field {
	const char		*name;
	enum wa_jtype		 type;
	unsigned		 flags;
	size_t			 min;
	size_t			 max;
	const char *const	*enumv;		/* allowed, NULL-ended */
	int			(*check)(const char *);
	const char		*check_msg;
	const struct wa_field	*sub;
	enum wa_jtype		 item;
	size_t			 item_max;
	double			 imin, imax;	/* number range, if set */
};

/*
 * Checks obj against fields, recording every problem as a field error
 * of e (err.h's wa_err_field(), paths and messages in the arena) under
 * its dotted path (prefix may be NULL).  Unknown members are ignored.
 * Returns the code e holds afterwards: WA_OK, WA_ERR_VALIDATION, or an
 * error recorded before.
 */
enum wa_err	wa_json_check(struct wa_arena *, struct wa_error *,
		    const cJSON *obj, const struct wa_field *fields,
		    const char *prefix);
/* The same on the request's record (r->arena, r->err). */
enum wa_err	wa_json_validate(struct wa_req *, const cJSON *obj,
		    const struct wa_field *fields, const char *prefix);

/* Accessors that treat a missing member, null and a wrong type alike. */
const char	*wa_json_str(const cJSON *obj, const char *name);
int		 wa_json_bool(const cJSON *obj, const char *name, int def);
/* 1 if the member exists (even as null). */
int		 wa_json_has(const cJSON *obj, const char *name);
/* 1 if the member exists and is null. */
int		 wa_json_is_null(const cJSON *obj, const char *name);

/* Adds name: string, or name: null when s is NULL. */
void		 wa_json_add_strn(cJSON *obj, const char *name, const char *s);

/* Serializes without formatting into the current arena; never NULL. */
char		*wa_json_print(const cJSON *);

#endif /* WA_JSON_H */
