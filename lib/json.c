/*
 * The pre-scan in wa_json_parse exists because cJSON accepts what we
 * must not: unbounded nesting (recursion depth), invalid UTF-8,
 * "\u0000", which cJSON silently turns into a truncated C string, and
 * raw control characters inside strings (RFC 8259 forbids them; they
 * were stored as they came, in names shown to people).  After
 * the parse, a key twice in one object is refused too (dup_key).
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "buf.h"
#include "json.h"
#include "req.h"
#include "utf8.h"

static struct wa_arena	*cur_arena;

static void *
hook_malloc(size_t n)
{
	if (cur_arena == NULL)
		return malloc(n);
	return wa_arena_alloc(cur_arena, n);
}

static void
hook_free(void *p)
{
	/* Arena memory is released by the reset; the fallback (no arena
	 * set yet, only during start-up) leaks deliberately little. */
	(void)p;
}

void
wa_json_use_arena(struct wa_arena *a)
{
	static int	hooked;
	cJSON_Hooks	h = { hook_malloc, hook_free };

	cur_arena = a;
	if (!hooked) {
		cJSON_InitHooks(&h);
		hooked = 1;
	}
}

struct wa_arena *
wa_json_arena(void)
{
	return cur_arena;
}

/* Depth, UTF-8, \u0000 and raw control character scan over the raw
 * text. */
static const char *
prescan(const char *buf, size_t len, int maxdepth)
{
	size_t	i = 0, n;
	int	depth = 0, in_str = 0;

	while (i < len) {
		unsigned char c = (unsigned char)buf[i];
		if (c == '\0')
			return "body contains a NUL byte";
		if (c >= 0x80) {
			if ((n = wa_utf8_seq((const unsigned char *)buf + i,
			    len - i)) == 0)
				return "body is not valid UTF-8";
			i += n;
			continue;
		}
		if (in_str) {
			if (c == '\\') {
				if (i + 1 >= len)
					return "unterminated string";
				if (buf[i + 1] == 'u' && i + 5 < len &&
				    memcmp(buf + i + 2, "0000", 4) == 0)
					return "strings may not contain "
					    "\\u0000";
				i += 2;
				continue;
			}
			if (c == '"')
				in_str = 0;
			else if (c < 0x20)
				return "a control character inside a string "
				    "must be escaped (RFC 8259: \\n, \\t, "
				    "\\u0001)";
		} else if (c == '"')
			in_str = 1;
		else if (c == '{' || c == '[') {
			if (++depth > maxdepth)
				return "JSON nested too deeply";
		} else if (c == '}' || c == ']')
			depth--;
		i++;
	}
	return NULL;
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * The keys that come twice in the first object of v that has any, depth
 * first, with where it is, into msg; 0 when there is none.  cJSON keeps
 * both members of {"a":1,"a":2} and its lookups find the first, while
 * PostgreSQL's jsonb keeps the last and Meta receives both: one body
 * would be validated as one thing and stored or sent as another.  The
 * names of an object are sorted to compare (a hostile object of 100,000
 * members costs n log n, not n squared).
 */
#define DUP_NAMED	4	/* duplicate names an error lists */

static int
dup_key(const cJSON *v, const char *path, char *msg, size_t msgsz)
{
	const cJSON	*c;
	const char	**names, *here;
	char		 sub[256], keys[DUP_NAMED * 72];
	size_t		 n = 0, i, k, room, used;
	int		 found = 0;

	if (!cJSON_IsObject(v) && !cJSON_IsArray(v))
		return 0;
	for (c = v->child; c != NULL; c = c->next)
		n++;
	if (cJSON_IsObject(v) && n > 1) {
		if ((names = calloc(n, sizeof(*names))) == NULL)
			abort();
		for (i = 0, c = v->child; c != NULL; c = c->next)
			names[i++] = c->string;
		qsort(names, n, sizeof(*names), cmp_names);
		/* each name that comes more than once, once, in order */
		keys[0] = '\0';
		for (i = 1; i < n; i++) {
			if (strcmp(names[i - 1], names[i]) != 0 || (i > 1 &&
			    strcmp(names[i - 2], names[i]) == 0))
				continue;
			if (++found > DUP_NAMED)
				continue;
			k = wa_utf8_cut(names[i], strlen(names[i]), 64);
			used = strlen(keys);
			snprintf(keys + used, sizeof(keys) - used, "%s\"%.*s\"",
			    found > 1 ? ", " : "", (int)k, names[i]);
		}
		free(names);
		if (found > 0) {
			snprintf(msg, msgsz, "duplicate key%s %s%s%s%s",
			    found > 1 ? "s" : "", keys, found > DUP_NAMED ?
			    " and more" : "", path[0] != '\0' ? " in " : "",
			    path);
			return 1;
		}
	}
	for (i = 0, c = v->child; c != NULL; c = c->next, i++) {
		if (!cJSON_IsObject(c) && !cJSON_IsArray(c))
			continue;
		/* the path is cut on a character boundary, never mid-way;
		 * one too deep to write out is said as far as it goes */
		if (strlen(path) + 32 >= sizeof(sub)) {
			if (dup_key(c, path, msg, msgsz))
				return 1;
			continue;
		}
		room = sizeof(sub) - strlen(path) - 24;
		if (cJSON_IsArray(v))
			snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
		else {
			here = c->string;
			k = wa_utf8_cut(here, strlen(here), room < 64 ?
			    room : 64);
			snprintf(sub, sizeof(sub), "%s%s%.*s", path,
			    path[0] != '\0' ? "." : "", (int)k, here);
		}
		if (dup_key(c, sub, msg, msgsz))
			return 1;
	}
	return 0;
}

cJSON *
wa_json_parse(const char *buf, size_t len, int maxdepth, const char **why)
{
	static char	 dupmsg[512];
	const char	*end = NULL, *w;
	cJSON		*v;
	size_t		 off;

	*why = NULL;
	if ((w = prescan(buf, len, maxdepth)) != NULL) {
		*why = w;
		return NULL;
	}
	v = cJSON_ParseWithLengthOpts(buf, len, &end, 0);
	if (v == NULL) {
		*why = "body is not valid JSON";
		return NULL;
	}
	off = end != NULL ? (size_t)(end - buf) : len;
	for (; off < len; off++)
		if (!strchr(" \t\r\n", buf[off])) {
			*why = "unexpected data after the JSON value";
			return NULL;
		}
	if (dup_key(v, "", dupmsg, sizeof(dupmsg))) {
		*why = dupmsg;
		return NULL;
	}
	return v;
}

int
wa_json_ctype_ok(const char *ct)
{
	size_t	n;

	if (ct == NULL)
		return 1;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	n = strcspn(ct, ";");
	while (n > 0 && (ct[n - 1] == ' ' || ct[n - 1] == '\t'))
		n--;
	/* nginx passes an absent header as ""; a value with parameters
	 * but no type (";x=1") is no JSON */
	if (n == 0)
		return ct[0] == '\0';
	if (n == 16 && strncasecmp(ct, "application/json", 16) == 0)
		return 1;
	/* application/<something>+json: problem+json, merge-patch+json */
	return n > 17 && strncasecmp(ct, "application/", 12) == 0 &&
	    strncasecmp(ct + n - 5, "+json", 5) == 0 &&
	    memchr(ct, '/', n) == ct + 11 && memchr(ct + 12, '/', n - 12) ==
	    NULL;
}

enum wa_err
wa_json_body(struct wa_req *r, cJSON **out)
{
	const char	*why;
	cJSON		*v;
	size_t		 i;

	for (i = 0; i < r->body_len; i++)
		if (!strchr(" \t\r\n", r->body[i]))
			break;
	if (i == r->body_len) {
		*out = cJSON_CreateObject();
		return WA_OK;
	}
	if (!wa_json_ctype_ok(wa_req_env(r, "CONTENT_TYPE")))
		return wa_fail(r, WA_ERR_UNSUPPORTED_MEDIA, "Request body must "
		    "be JSON: send it with Content-Type: application/json");
	if ((v = wa_json_parse(r->body, r->body_len, WA_JSON_DEPTH_MAX,
	    &why)) == NULL)
		return wa_fail(r, WA_ERR_BAD_REQUEST, "Invalid JSON body: %s",
		    why);
	if (!cJSON_IsObject(v))
		return wa_fail(r, WA_ERR_BAD_REQUEST,
		    "Request body must be a JSON object");
	*out = v;
	return WA_OK;
}

static const char *const type_names[] = {
	"", "a string", "a boolean", "an integer", "a number", "an object",
	"an array"
};

static int
type_ok(const cJSON *v, enum wa_jtype t)
{
	switch (t) {
	case WA_J_STRING:	return cJSON_IsString(v);
	case WA_J_BOOL:		return cJSON_IsBool(v);
	case WA_J_NUMBER:
		return cJSON_IsNumber(v) && isfinite(v->valuedouble);
	case WA_J_INT:
		/* At most 2^53 - 1: 9007199254740993 parses to the double
		 * 2^53 as well, so 2^53 cannot be told from a value that
		 * was silently rounded. */
		return cJSON_IsNumber(v) && isfinite(v->valuedouble) &&
		    floor(v->valuedouble) == v->valuedouble &&
		    fabs(v->valuedouble) <= 9007199254740991.0;
	case WA_J_OBJECT:	return cJSON_IsObject(v);
	case WA_J_ARRAY:	return cJSON_IsArray(v);
	}
	return 0;
}

static int
blank(const char *s)
{
	for (; *s != '\0'; s++)
		if (!strchr(" \t\r\n", *s))
			return 0;
	return 1;
}

/* Where validation records: the arena of paths and messages, and the
 * error record. */
struct vctx {
	struct wa_arena		*a;
	struct wa_error		*e;
};

static void	bad(struct vctx *, const char *, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
static void	check_value(struct vctx *, const cJSON *,
		    const struct wa_field *, const char *);
static void	check_fields(struct vctx *, const cJSON *,
		    const struct wa_field *, const char *);

static void
bad(struct vctx *c, const char *path, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	wa_err_vfield(c->e, c->a, path, fmt, ap);
	va_end(ap);
}

/* "a, b, c" for an error message; arena-owned. */
static const char *
enum_list(struct vctx *c, const char *const *e)
{
	struct wa_buf	b;

	wa_buf_init(&b, c->a, 1024);
	for (; *e != NULL; e++)
		if (wa_buf_addf(&b, "%s%s", b.len > 0 ? ", " : "", *e) != WA_OK)
			break;
	return b.data != NULL ? b.data : "";
}

static void
check_string(struct vctx *c, const cJSON *v, const struct wa_field *f,
    const char *path)
{
	const char	*s = v->valuestring;
	size_t		 n = wa_utf8_count(s, strlen(s));
	const char *const *e;

	if ((f->flags & WA_F_NONEMPTY) && blank(s)) {
		bad(c, path, "must not be empty");
		return;
	}
	if (f->max > 0 && n > f->max) {
		bad(c, path, "must be at most %zu characters", f->max);
		return;
	}
	if (f->min > 0 && n < f->min) {
		bad(c, path, "must be at least %zu characters", f->min);
		return;
	}
	if (f->enumv != NULL) {
		for (e = f->enumv; *e != NULL; e++)
			if (strcmp(*e, s) == 0)
				break;
		if (*e == NULL) {
			bad(c, path, "must be one of: %s",
			    enum_list(c, f->enumv));
			return;
		}
	}
	if (f->check != NULL && !f->check(s))
		bad(c, path, "%s", f->check_msg != NULL ? f->check_msg :
		    "is invalid");
}

static void
check_value(struct vctx *c, const cJSON *v, const struct wa_field *f,
    const char *path)
{
	const cJSON	*it;
	char		*ipath;
	int		 i = 0;

	if (!type_ok(v, f->type)) {
		bad(c, path, "must be %s", type_names[f->type]);
		return;
	}
	switch (f->type) {
	case WA_J_STRING:
		check_string(c, v, f, path);
		break;
	case WA_J_INT:
	case WA_J_NUMBER:
		if ((f->imin != 0 || f->imax != 0) &&
		    (v->valuedouble < f->imin || v->valuedouble > f->imax))
			bad(c, path, "must be between %g and %g", f->imin,
			    f->imax);
		break;
	case WA_J_OBJECT:
		if (f->sub != NULL)
			check_fields(c, v, f->sub, path);
		break;
	case WA_J_ARRAY:
		if (f->max > 0 && (size_t)cJSON_GetArraySize(v) > f->max) {
			bad(c, path, "must have at most %zu items", f->max);
			break;
		}
		if (f->min > 0 && (size_t)cJSON_GetArraySize(v) < f->min) {
			bad(c, path, "must have at least %zu items", f->min);
			break;
		}
		if (f->item == 0)
			break;
		cJSON_ArrayForEach(it, v) {
			struct wa_field itf = *f;

			/* items inherit enumv, check and sub */
			itf.type = f->item;
			itf.flags = 0;
			itf.min = 0;
			itf.max = f->item_max;
			itf.item = 0;
			ipath = wa_arena_printf(c->a, "%s[%d]", path, i++);
			check_value(c, it, &itf, ipath);
		}
		break;
	default:
		break;
	}
}

static void
check_fields(struct vctx *c, const cJSON *obj, const struct wa_field *fields,
    const char *prefix)
{
	const struct wa_field	*f;
	const cJSON		*v;
	const char		*path;

	for (f = fields; f->name != NULL; f++) {
		path = prefix != NULL && *prefix != '\0' ?
		    wa_arena_printf(c->a, "%s.%s", prefix, f->name) :
		    f->name;
		v = cJSON_GetObjectItemCaseSensitive(obj, f->name);
		if (v == NULL) {
			if (f->flags & WA_F_REQUIRED)
				bad(c, path, "is required");
			continue;
		}
		if (cJSON_IsNull(v)) {
			if (f->flags & WA_F_REQUIRED)
				bad(c, path, "is required");
			else if (!(f->flags & WA_F_NULLABLE))
				bad(c, path, "must not be null");
			continue;
		}
		check_value(c, v, f, path);
	}
}

enum wa_err
wa_json_check(struct wa_arena *a, struct wa_error *e, const cJSON *obj,
    const struct wa_field *fields, const char *prefix)
{
	struct vctx	c = { a, e };

	check_fields(&c, obj, fields, prefix);
	return e->code;
}

enum wa_err
wa_json_validate(struct wa_req *r, const cJSON *obj,
    const struct wa_field *fields, const char *prefix)
{
	return wa_json_check(r->arena, &r->err, obj, fields, prefix);
}

static cJSON *
pick_value(const cJSON *v, const struct wa_field *f)
{
	const cJSON	*it;
	cJSON		*out;

	if (f->sub == NULL || cJSON_IsNull(v))
		return cJSON_Duplicate(v, 1);
	if (f->type == WA_J_OBJECT)
		return wa_json_pick(v, f->sub);
	out = cJSON_CreateArray();
	cJSON_ArrayForEach(it, v)
		cJSON_AddItemToArray(out, wa_json_pick(it, f->sub));
	return out;
}

cJSON *
wa_json_pick(const cJSON *obj, const struct wa_field *fields)
{
	const struct wa_field	*f;
	const cJSON		*v;
	cJSON			*out = cJSON_CreateObject();

	for (f = fields; f->name != NULL; f++)
		if ((v = cJSON_GetObjectItemCaseSensitive(obj, f->name)) !=
		    NULL)
			cJSON_AddItemToObject(out, f->name, pick_value(v, f));
	return out;
}

const char *
wa_json_str(const cJSON *obj, const char *name)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(obj, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

int
wa_json_bool(const cJSON *obj, const char *name, int def)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(obj, name);

	if (!cJSON_IsBool(v))
		return def;
	return cJSON_IsTrue(v);
}

int
wa_json_has(const cJSON *obj, const char *name)
{
	return cJSON_GetObjectItemCaseSensitive(obj, name) != NULL;
}

int
wa_json_is_null(const cJSON *obj, const char *name)
{
	return cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(obj, name));
}

void
wa_json_add_strn(cJSON *obj, const char *name, const char *s)
{
	if (s == NULL)
		cJSON_AddNullToObject(obj, name);
	else
		cJSON_AddStringToObject(obj, name, s);
}

char *
wa_json_print(const cJSON *v)
{
	char	*s = cJSON_PrintUnformatted(v);

	if (s == NULL) {
		/* Only on allocation failure, which aborts in the arena. */
		return (char *)"null";
	}
	return s;
}
