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
/* The arena cJSON allocates from now (NULL before any was set), so
 * that code which borrows the hooks for a while can put it back. */
struct wa_arena	*wa_json_arena(void);

/*
 * Parses buf[0..len) as one JSON value.  Refuses, with a reason in *why
 * (static storage, good until the next call): invalid UTF-8, a NUL byte
 * or \u0000 escape, nesting deeper than maxdepth, trailing data, a key
 * twice in one object (named, with its path: `duplicate key "type" in
 * steps[0]`).  Returns the tree or NULL.
 */
cJSON	*wa_json_parse(const char *buf, size_t len, int maxdepth,
	    const char **why);

/*
 * The request body as a JSON object.  An empty body is an empty object
 * (SDKs send DELETE with and without "{}").  A body whose Content-Type
 * says it is something else than JSON is 415 (no Content-Type at all is
 * taken as JSON).  Otherwise records a WA_ERR_BAD_REQUEST and returns
 * it.
 */
enum wa_err	wa_json_body(struct wa_req *, cJSON **out);

/* 1 for a Content-Type that says JSON (application/json or
 * application/...+json, any parameters), or none at all. */
int		wa_json_ctype_ok(const char *content_type);

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
#define WA_F_REQUIRED_TEXT	(WA_F_REQUIRED | WA_F_NONEMPTY)

/*
 * One field of a request body.  Tables are written with the
 * WA_FIELD_*() rows below and end with WA_FIELD_END.
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
 * The rows of a field table, one macro per kind of value; a table ends
 * with WA_FIELD_END.  fl is WA_F_* flags; mx is a string's limit in
 * characters or an array's in items (0: none); lo and mn are lower
 * limits.  A check function fn returns 1 for a good string; msg is
 * what a bad one is told ("must be ...").
 *
 *   WA_FIELD_STR(name, fl, mx)			a string
 *   WA_FIELD_STR_CHECK(name, fl, mx, fn, msg)	a string fn accepts
 *   WA_FIELD_ENUM(name, fl, values)		one of values (NULL-ended)
 *   WA_FIELD_BOOL(name, fl)			true or false
 *   WA_FIELD_INT(name, fl, lo, hi)		an integer in [lo, hi]
 *   WA_FIELD_OBJ(name, fl, sub)		an object; sub is the table
 *						of its members, or NULL
 *   WA_FIELD_ARR(name, fl, mn, mx)		an array, items unchecked
 *   WA_FIELD_ARR_STR(name, fl, mn, mx, imx)	strings of imx characters
 *   WA_FIELD_ARR_STR_CHECK(name, fl, mn, mx, imx, fn, msg)
 *   WA_FIELD_ARR_OBJ(name, fl, mn, mx, sub)	objects, each against sub
 */
#define WA_FIELD_STR(n, fl, mx) \
	{ .name = (n), .type = WA_J_STRING, .flags = (fl), .max = (mx) }
#define WA_FIELD_STR_CHECK(n, fl, mx, fn, msg) \
	{ .name = (n), .type = WA_J_STRING, .flags = (fl), .max = (mx), \
	    .check = (fn), .check_msg = (msg) }
#define WA_FIELD_ENUM(n, fl, ev) \
	{ .name = (n), .type = WA_J_STRING, .flags = (fl), .enumv = (ev) }
#define WA_FIELD_BOOL(n, fl) \
	{ .name = (n), .type = WA_J_BOOL, .flags = (fl) }
#define WA_FIELD_INT(n, fl, lo, hi) \
	{ .name = (n), .type = WA_J_INT, .flags = (fl), .imin = (lo), \
	    .imax = (hi) }
#define WA_FIELD_OBJ(n, fl, sb) \
	{ .name = (n), .type = WA_J_OBJECT, .flags = (fl), .sub = (sb) }
#define WA_FIELD_ARR(n, fl, mn, mx) \
	{ .name = (n), .type = WA_J_ARRAY, .flags = (fl), .min = (mn), \
	    .max = (mx) }
#define WA_FIELD_ARR_STR(n, fl, mn, mx, imx) \
	{ .name = (n), .type = WA_J_ARRAY, .flags = (fl), .min = (mn), \
	    .max = (mx), .item = WA_J_STRING, .item_max = (imx) }
#define WA_FIELD_ARR_STR_CHECK(n, fl, mn, mx, imx, fn, msg) \
	{ .name = (n), .type = WA_J_ARRAY, .flags = (fl), .min = (mn), \
	    .max = (mx), .item = WA_J_STRING, .item_max = (imx), \
	    .check = (fn), .check_msg = (msg) }
#define WA_FIELD_ARR_OBJ(n, fl, mn, mx, sb) \
	{ .name = (n), .type = WA_J_ARRAY, .flags = (fl), .min = (mn), \
	    .max = (mx), .item = WA_J_OBJECT, .sub = (sb) }
#define WA_FIELD_END	{ .name = NULL }

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

/*
 * A copy of obj (checked against fields first) with only the members
 * fields names, in the table's order, recursing into objects and arrays
 * of objects that have a sub table: what a store keeps of a client's
 * JSON.  Absent members stay absent, nulls stay null.  Arena-owned.
 */
cJSON		*wa_json_pick(const cJSON *obj, const struct wa_field *fields);

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
