/*
 * A channel's settings: the field tables of seed 001 and the subset,
 * and what they cannot say (times after times, unique names, what a
 * kind of field or trigger needs).  The shapes of the JSON settings
 * are wagate's where the seed is silent (docs/web-chat.md):
 *
 *   operatingHours   {enabled, timezone, schedule: [{day, open, close}]}
 *   offlineAction    {type: accept | collect_email | reject | hide}
 *   prechatFields    [{name, label, type, required, options}]
 *   departments      [{id, name}]
 *   proactiveTriggers [{type, message, delaySeconds, urlPattern, enabled}]
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "arena.h"
#include "json.h"

#include "web_chat.h"

static const char *const days[] = { "mon", "tue", "wed", "thu", "fri",
    "sat", "sun", NULL };
static const char *const offline_types[] = { "accept", "collect_email",
    "reject", "hide", NULL };
static const char *const field_types[] = { "text", "email", "phone",
    "textarea", "select", NULL };
static const char *const trigger_types[] = { "time_on_page", "url_match",
    "exit_intent", NULL };

/* "#1a2b3c" or "#abc", either case. */
static int
color_ok(const char *s)
{
	size_t	n = strlen(s);

	return (n == 7 || n == 4) && s[0] == '#' &&
	    strspn(s + 1, "0123456789abcdefABCDEF") == n - 1;
}

/* "HH:MM", 00:00 to 24:00. */
static int
hhmm_ok(const char *s)
{
	return strlen(s) == 5 && isdigit((unsigned char)s[0]) &&
	    isdigit((unsigned char)s[1]) && s[2] == ':' &&
	    isdigit((unsigned char)s[3]) && isdigit((unsigned char)s[4]) &&
	    ((s[0] - '0') * 10 + (s[1] - '0') < 24 ? s[3] < '6' :
	    strcmp(s, "24:00") == 0);
}

/* An IANA time zone this machine knows ("America/Bogota", "UTC"). */
static int
timezone_ok(const char *s)
{
	char		path[128], magic[4];
	struct stat	st;
	size_t		n = strlen(s);
	FILE		*f;
	int		ok;

	if (n == 0 || n > 64 || s[0] == '/' || s[0] == '.' ||
	    strstr(s, "..") != NULL || strspn(s, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/_+-") != n)
		return 0;
	snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", s);
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) ||
	    (f = fopen(path, "rb")) == NULL)
		return 0;
	/* a zone, not one of the directory's tables (zone.tab,
	 * tzdata.zi), which PostgreSQL would refuse at every use */
	ok = fread(magic, 1, 4, f) == 4 && memcmp(magic, "TZif", 4) == 0;
	fclose(f);
	return ok;
}

/* A name a program may use: a letter, then letters, digits, '_'. */
static int
slug_ok(const char *s)
{
	size_t	n = strlen(s);

	return n >= 1 && n <= 40 && isalpha((unsigned char)s[0]) &&
	    strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789_-") == n;
}

/* A host, a "*." wildcard of one, localhost or an IPv4 address. */
static int
host_ok(const char *h, size_t n)
{
	size_t	label = 0, i;

	if (n > 2 && h[0] == '*' && h[1] == '.') {
		h += 2;
		n -= 2;
	}
	if (n == 0 || n > 253 || h[0] == '.' || h[n - 1] == '.' ||
	    h[0] == '-')
		return 0;
	for (i = 0; i < n; i++) {
		if (h[i] == '.') {
			if (label == 0 || h[i - 1] == '-')
				return 0;
			label = 0;
		} else if (isalnum((unsigned char)h[i]) || h[i] == '-') {
			if (++label > 63)
				return 0;
		} else
			return 0;
	}
	return 1;
}

/*
 * An allowed domain: a host ("shop.example.com", "*.example.com"), or
 * an origin with its scheme and port ("https://shop.example.com",
 * "http://localhost:8080").  No path.
 */
static int
domain_ok(const char *s)
{
	const char	*h = s, *colon;
	size_t		 n;
	long		 port;
	char		*end;

	if (strncmp(s, "https://", 8) == 0)
		h = s + 8;
	else if (strncmp(s, "http://", 7) == 0)
		h = s + 7;
	n = strlen(h);
	if ((colon = strchr(h, ':')) != NULL) {
		if (h == s)
			return 0;	/* a port needs its scheme */
		port = strtol(colon + 1, &end, 10);
		if (*end != '\0' || end == colon + 1 || port < 1 ||
		    port > 65535 || colon[1] == '0')
			return 0;
		n = (size_t)(colon - h);
	}
	return host_ok(h, n);
}

#define MSG_COLOR	"must be a color such as #25d366"
#define MSG_HHMM	"must be a time HH:MM (00:00 to 24:00)"
#define MSG_TZ		"must be an IANA time zone such as America/Bogota"
#define MSG_SLUG	"must be 1-40 letters, digits, '_' or '-', " \
			"starting with a letter"
#define MSG_DOMAIN	"must be a host (shop.example.com, *.example.com) " \
			"or an origin (https://shop.example.com:8443)"

static const struct wa_field slot_fields[] = {
	WA_FIELD_ENUM("day", WA_F_REQUIRED, days),
	WA_FIELD_STR_CHECK("open", WA_F_REQUIRED, 5, hhmm_ok, MSG_HHMM),
	WA_FIELD_STR_CHECK("close", WA_F_REQUIRED, 5, hhmm_ok, MSG_HHMM),
	WA_FIELD_END
};

static const struct wa_field hours_fields[] = {
	WA_FIELD_BOOL("enabled", 0),
	WA_FIELD_STR_CHECK("timezone", WA_F_REQUIRED, 64, timezone_ok,
	    MSG_TZ),
	WA_FIELD_ARR_OBJ("schedule", WA_F_REQUIRED, 0, WC_SLOTS_MAX,
	    slot_fields),
	WA_FIELD_END
};

static const struct wa_field offline_fields[] = {
	WA_FIELD_ENUM("type", WA_F_REQUIRED, offline_types),
	WA_FIELD_END
};

static const struct wa_field prechat_fields[] = {
	WA_FIELD_STR_CHECK("name", WA_F_REQUIRED, 40, slug_ok, MSG_SLUG),
	WA_FIELD_STR("label", WA_F_REQUIRED_TEXT, WC_LABEL_MAX),
	WA_FIELD_ENUM("type", WA_F_REQUIRED, field_types),
	WA_FIELD_BOOL("required", 0),
	WA_FIELD_ARR_STR("options", 0, 0, WC_OPTIONS_MAX, WC_LABEL_MAX),
	WA_FIELD_END
};

static const struct wa_field department_fields[] = {
	WA_FIELD_STR_CHECK("id", WA_F_REQUIRED, 40, slug_ok, MSG_SLUG),
	WA_FIELD_STR("name", WA_F_REQUIRED_TEXT, WC_LABEL_MAX),
	WA_FIELD_END
};

static const struct wa_field trigger_fields[] = {
	WA_FIELD_ENUM("type", WA_F_REQUIRED, trigger_types),
	WA_FIELD_STR("message", WA_F_REQUIRED_TEXT, WC_TRIGGER_TEXT_MAX),
	WA_FIELD_INT("delaySeconds", 0, 0, 3600),
	WA_FIELD_STR("urlPattern", WA_F_NONEMPTY, WC_TRIGGER_TEXT_MAX),
	WA_FIELD_BOOL("enabled", 0),
	WA_FIELD_END
};

/* Create and update take the same members; create needs a name. */
#define CHANNEL_FIELDS(name_flags) \
	WA_FIELD_STR("name", (name_flags), WC_NAME_MAX), \
	WA_FIELD_STR_CHECK("color", 0, 7, color_ok, MSG_COLOR), \
	WA_FIELD_STR("welcomeMessage", WA_F_NULLABLE, WC_TEXT_MAX), \
	WA_FIELD_ARR_STR_CHECK("allowedDomains", 0, 0, WC_DOMAINS_MAX, \
	    WC_DOMAIN_MAX, domain_ok, MSG_DOMAIN), \
	WA_FIELD_BOOL("precaptureEnabled", 0), \
	WA_FIELD_BOOL("botEnabled", 0), \
	WA_FIELD_BOOL("enabled", 0), \
	WA_FIELD_BOOL("identityRequired", 0), \
	WA_FIELD_OBJ("operatingHours", WA_F_NULLABLE, hours_fields), \
	WA_FIELD_OBJ("offlineAction", WA_F_NULLABLE, offline_fields), \
	WA_FIELD_STR("offlineMessage", WA_F_NULLABLE, WC_TEXT_MAX), \
	WA_FIELD_ARR_OBJ("prechatFields", 0, 0, WC_FIELDS_MAX, \
	    prechat_fields), \
	WA_FIELD_ARR_OBJ("departments", 0, 0, WC_DEPARTMENTS_MAX, \
	    department_fields), \
	WA_FIELD_ARR_OBJ("proactiveTriggers", 0, 0, WC_TRIGGERS_MAX, \
	    trigger_fields), \
	WA_FIELD_BOOL("linkEmailBannerEnabled", 0), \
	WA_FIELD_END

static const struct wa_field create_fields[] = {
	CHANNEL_FIELDS(WA_F_REQUIRED_TEXT)
};

static const struct wa_field update_fields[] = {
	CHANNEL_FIELDS(WA_F_NONEMPTY)
};

/* 1 if member key of some earlier item of arr has the same string. */
static int
seen_before(const cJSON *arr, int upto, const char *key, const char *v)
{
	int	i;

	for (i = 0; i < upto; i++)
		if (wa_json_str(cJSON_GetArrayItem(arr, i), key) != NULL &&
		    strcmp(wa_json_str(cJSON_GetArrayItem(arr, i), key), v) ==
		    0)
			return 1;
	return 0;
}

static void
check_hours(struct wa_req *r, const cJSON *hours)
{
	const cJSON	*slot;
	const char	*open, *close;
	int		 i = 0;

	cJSON_ArrayForEach(slot, cJSON_GetObjectItemCaseSensitive(hours,
	    "schedule")) {
		open = wa_json_str(slot, "open");
		close = wa_json_str(slot, "close");
		if (open != NULL && close != NULL && hhmm_ok(open) &&
		    hhmm_ok(close) && strcmp(close, open) <= 0)
			(void)wa_fail_field(r, wa_arena_printf(r->arena,
			    "operatingHours.schedule[%d].close", i),
			    "must be after open (%s)", open);
		i++;
	}
}

static void
check_prechat(struct wa_req *r, const cJSON *fields)
{
	const cJSON	*f, *opts;
	const char	*name, *type;
	int		 i = 0, select;

	cJSON_ArrayForEach(f, fields) {
		name = wa_json_str(f, "name");
		type = wa_json_str(f, "type");
		opts = cJSON_GetObjectItemCaseSensitive(f, "options");
		select = type != NULL && strcmp(type, "select") == 0;
		if (name != NULL && seen_before(fields, i, "name", name))
			(void)wa_fail_field(r, wa_arena_printf(r->arena,
			    "prechatFields[%d].name", i), "must be unique "
			    "(\"%s\" is given twice)", name);
		if (select && cJSON_GetArraySize(opts) == 0)
			(void)wa_fail_field(r, wa_arena_printf(r->arena,
			    "prechatFields[%d].options", i), "must list the "
			    "choices of a select field");
		if (type != NULL && !select && cJSON_GetArraySize(opts) > 0)
			(void)wa_fail_field(r, wa_arena_printf(r->arena,
			    "prechatFields[%d].options", i), "only a select "
			    "field has options");
		i++;
	}
}

static void
check_lists(struct wa_req *r, const cJSON *body)
{
	const cJSON	*list, *it;
	const char	*v, *type;
	int		 i = 0;

	list = cJSON_GetObjectItemCaseSensitive(body, "departments");
	if (!cJSON_IsArray(list) ||
	    cJSON_GetArraySize(list) > WC_DEPARTMENTS_MAX)
		list = NULL;
	cJSON_ArrayForEach(it, list) {
		if ((v = wa_json_str(it, "id")) != NULL &&
		    seen_before(list, i, "id", v))
			(void)wa_fail_field(r, wa_arena_printf(r->arena,
			    "departments[%d].id", i), "must be unique "
			    "(\"%s\" is given twice)", v);
		i++;
	}
	i = 0;
	list = cJSON_GetObjectItemCaseSensitive(body, "proactiveTriggers");
	if (!cJSON_IsArray(list))
		list = NULL;
	cJSON_ArrayForEach(it, list) {
		type = wa_json_str(it, "type");
		if (type != NULL && strcmp(type, "time_on_page") == 0 &&
		    !cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(it,
		    "delaySeconds")))
			(void)wa_fail_field(r, wa_arena_printf(r->arena,
			    "proactiveTriggers[%d].delaySeconds", i),
			    "is required for a time_on_page trigger");
		if (type != NULL && strcmp(type, "url_match") == 0 &&
		    wa_json_str(it, "urlPattern") == NULL)
			(void)wa_fail_field(r, wa_arena_printf(r->arena,
			    "proactiveTriggers[%d].urlPattern", i),
			    "is required for a url_match trigger");
		i++;
	}
}

/* "#ABC" -> "#aabbcc". */
static const char *
color_norm(struct wa_req *r, const char *c)
{
	char	*o = wa_arena_alloc(r->arena, 8);
	size_t	 i;

	if (strlen(c) == 4)
		snprintf(o, 8, "#%c%c%c%c%c%c", c[1], c[1], c[2], c[2], c[3],
		    c[3]);
	else
		snprintf(o, 8, "%s", c);
	for (i = 1; i < 7; i++)
		o[i] = (char)tolower((unsigned char)o[i]);
	return o;
}

/* Domains in lower case, each once, in the order given. */
static cJSON *
domains_norm(struct wa_req *r, const cJSON *in)
{
	const cJSON	*it, *d;
	cJSON		*out = cJSON_CreateArray();
	char		*s, *p;
	int		 dup;

	cJSON_ArrayForEach(it, in) {
		s = wa_arena_strdup(r->arena, it->valuestring);
		for (p = s; *p != '\0'; p++)
			*p = (char)tolower((unsigned char)*p);
		dup = 0;
		cJSON_ArrayForEach(d, out)
			dup |= strcmp(d->valuestring, s) == 0;
		if (!dup)
			cJSON_AddItemToArray(out, cJSON_CreateString(s));
	}
	return out;
}

cJSON *
wc_settings(struct wa_req *r, const cJSON *body, int create)
{
	const struct wa_field	*fields = create ? create_fields :
				    update_fields;
	const cJSON		*v;
	cJSON			*out;

	/* the rules between members are checked too: every problem of
	 * the body is listed at once */
	(void)wa_json_validate(r, body, fields, NULL);
	if (cJSON_IsObject(v = cJSON_GetObjectItemCaseSensitive(body,
	    "operatingHours")) && cJSON_IsArray(
	    cJSON_GetObjectItemCaseSensitive(v, "schedule")))
		check_hours(r, v);
	/* (the uniqueness checks are quadratic: within the limits only) */
	if (cJSON_IsArray(v = cJSON_GetObjectItemCaseSensitive(body,
	    "prechatFields")) && cJSON_GetArraySize(v) <= WC_FIELDS_MAX)
		check_prechat(r, v);
	check_lists(r, body);
	if (r->err.code != WA_OK)
		return NULL;
	out = wa_json_pick(body, fields);
	if ((v = cJSON_GetObjectItemCaseSensitive(out, "color")) != NULL)
		cJSON_ReplaceItemInObjectCaseSensitive(out, "color",
		    cJSON_CreateString(color_norm(r, v->valuestring)));
	if ((v = cJSON_GetObjectItemCaseSensitive(out, "allowedDomains")) !=
	    NULL)
		cJSON_ReplaceItemInObjectCaseSensitive(out, "allowedDomains",
		    domains_norm(r, v));
	return out;
}
