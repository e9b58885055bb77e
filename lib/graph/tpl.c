/*
 * Meta's template rules (graph.h), written once for both sides of the
 * wire: the templates family checks a template before it spends a
 * round trip to Meta, and the simulator refuses what Meta refuses.
 * Limits come from Meta's template guidelines (contract §5.2); where
 * the contract is silent the numbers are Meta's documented ones (button
 * text 25, URL buttons 2, phone-number buttons 1, 10 buttons in all).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "graph.h"
#include "utf8.h"

#define HEADER_MAX	60
#define BODY_MAX	1024
#define FOOTER_MAX	60
#define BUTTON_TEXT_MAX	25
#define BUTTONS_MAX	10
#define URL_MAX		2000
#define PHONE_MAX	20
#define CODE_MAX	15

static const char *const languages[] = {	/* sorted: bsearch */
	"af", "ar", "az", "bg", "bn", "ca", "cs", "da", "de", "el", "en",
	"en_GB", "en_US", "es", "es_AR", "es_ES", "es_MX", "et", "fa", "fi",
	"fil", "fr", "ga", "gu", "ha", "he", "hi", "hr", "hu", "id", "it",
	"ja", "ka", "kk", "kn", "ko", "ky_KG", "lo", "lt", "lv", "mk", "ml",
	"mr", "ms", "nb", "nl", "pa", "pl", "pt_BR", "pt_PT", "ro", "ru",
	"rw_RW", "sk", "sl", "sq", "sr", "sv", "sw", "ta", "te", "th", "tr",
	"uk", "ur", "uz", "vi", "zh_CN", "zh_HK", "zh_TW", "zu"
};

int
wa_graph_language_ok(const char *s)
{
	size_t	lo = 0, hi = sizeof(languages) / sizeof(languages[0]), mid;
	int	c;

	if (s == NULL)
		return 0;
	while (lo < hi) {
		mid = (lo + hi) / 2;
		if ((c = strcmp(s, languages[mid])) == 0)
			return 1;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return 0;
}

int
wa_graph_tpl_name_ok(const char *s, int letter_first)
{
	size_t	n;

	if (s == NULL || (n = strlen(s)) == 0 || n > WA_GRAPH_TPL_NAME_MAX)
		return 0;
	if (letter_first && !(s[0] >= 'a' && s[0] <= 'z'))
		return 0;
	return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_") == n;
}

int
wa_graph_tpl_category_ok(const char *s)
{
	return s != NULL && (strcmp(s, "AUTHENTICATION") == 0 ||
	    strcmp(s, "MARKETING") == 0 || strcmp(s, "UTILITY") == 0);
}

int
wa_graph_placeholders(const char *text)
{
	unsigned char	seen[101];
	const char	*p = text, *end;
	long		 n;
	int		 max = 0, i;

	memset(seen, 0, sizeof(seen));
	while ((p = strstr(p, "{{")) != NULL) {
		if ((end = strstr(p + 2, "}}")) == NULL)
			return -1;
		n = 0;
		for (p += 2; p < end; p++) {
			if (*p < '0' || *p > '9' || n > 100)
				return -1;
			n = n * 10 + (*p - '0');
		}
		if (n < 1 || n > 100)
			return -1;
		seen[n] = 1;
		if (n > max)
			max = (int)n;
		p = end + 2;
	}
	for (i = 1; i <= max; i++)
		if (!seen[i])
			return -1;
	return max;
}

/* ---- component checks -------------------------------------------------- */

struct ck {
	wa_graph_tpl_cb	 cb;
	void		*ctx;
	int		 (*handle_ok)(const char *);
	int		 n;
};

static void
problem(struct ck *k, long sub, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
problem(struct ck *k, long sub, const char *path, const char *fmt, ...)
{
	char	msg[256];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	k->n++;
	k->cb(k->ctx, path, msg, sub);
}

static const char *
str(const cJSON *o, const char *name)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, name));
}

static size_t
nchars(const char *s)
{
	return wa_utf8_count(s, strlen(s));
}

/* A text with placeholders: returns their count, or -1 (reported). */
static int
text_ok(struct ck *k, const char *path, const char *s, size_t max,
    int required)
{
	int	n;

	if (s == NULL || s[0] == '\0') {
		if (required)
			problem(k, WA_GRAPH_SUB_FORMAT, path, "is required");
		return required ? -1 : 0;
	}
	if (nchars(s) > max) {
		problem(k, WA_GRAPH_SUB_LENGTH, path,
		    "must be at most %zu characters", max);
		return -1;
	}
	if ((n = wa_graph_placeholders(s)) < 0) {
		problem(k, WA_GRAPH_SUB_PARAMS, path, "placeholders must be "
		    "{{1}}, {{2}}, ... numbered from 1 without gaps");
		return -1;
	}
	return n;
}

/* example.<key> must be an array of n strings (a nested array when
 * nested: body_text is [["a", "b"]]). */
static void
example_ok(struct ck *k, const char *path, const cJSON *comp,
    const char *key, int n, int nested)
{
	const cJSON	*ex, *arr, *it;
	char		 p[160];
	int		 got = 0, bad = 0;

	/* key "": the example array sits on the object (URL buttons) */
	snprintf(p, sizeof(p), "%s.example%s%s", path, key[0] != '\0' ?
	    "." : "", key);
	ex = cJSON_GetObjectItemCaseSensitive(comp, "example");
	if (key[0] != '\0')
		ex = cJSON_GetObjectItemCaseSensitive(ex, key);
	arr = ex;
	if (nested)
		arr = cJSON_IsArray(ex) ? ex->child : NULL;
	if (!cJSON_IsArray(arr)) {
		problem(k, WA_GRAPH_SUB_EXAMPLE, p, "is required: %s %d "
		    "example value%s for the placeholders", nested ?
		    "an array holding an array of" : "an array of", n,
		    n == 1 ? "" : "s");
		return;
	}
	cJSON_ArrayForEach(it, arr) {
		got++;
		if (!cJSON_IsString(it) || it->valuestring[0] == '\0' ||
		    strlen(it->valuestring) > 1024)
			bad = 1;
	}
	if (got != n || bad)
		problem(k, WA_GRAPH_SUB_EXAMPLE, p, "must hold %d non-empty "
		    "example string%s, one per placeholder", n,
		    n == 1 ? "" : "s");
}

static void
header_ok(struct ck *k, const char *path, const cJSON *c)
{
	const char	*fmt = str(c, "format"), *h;
	const cJSON	*hh;
	char		 p[160];
	int		 n;

	snprintf(p, sizeof(p), "%s.format", path);
	if (fmt == NULL)
		fmt = "TEXT";
	if (strcasecmp(fmt, "TEXT") == 0) {
		snprintf(p, sizeof(p), "%s.text", path);
		n = text_ok(k, p, str(c, "text"), HEADER_MAX, 1);
		if (n > 1)
			problem(k, WA_GRAPH_SUB_PARAMS, p,
			    "may hold at most one placeholder, {{1}}");
		else if (n == 1)
			example_ok(k, path, c, "header_text", 1, 0);
		return;
	}
	if (strcasecmp(fmt, "LOCATION") == 0)
		return;
	if (strcasecmp(fmt, "IMAGE") != 0 && strcasecmp(fmt, "VIDEO") != 0 &&
	    strcasecmp(fmt, "DOCUMENT") != 0) {
		problem(k, WA_GRAPH_SUB_FORMAT, p, "must be one of: TEXT, "
		    "IMAGE, VIDEO, DOCUMENT, LOCATION");
		return;
	}
	example_ok(k, path, c, "header_handle", 1, 0);
	hh = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(c, "example"), "header_handle");
	h = cJSON_IsArray(hh) ? cJSON_GetStringValue(hh->child) : NULL;
	if (h != NULL && k->handle_ok != NULL && !k->handle_ok(h)) {
		snprintf(p, sizeof(p), "%s.example.header_handle[0]", path);
		problem(k, WA_GRAPH_SUB_EXAMPLE, p, "is not a handle from the "
		    "resumable upload API");
	}
}

static void
body_ok(struct ck *k, const char *path, const cJSON *c, int auth)
{
	char	p[160];
	int	n;

	snprintf(p, sizeof(p), "%s.text", path);
	n = text_ok(k, p, str(c, "text"), BODY_MAX, !auth);
	if (n > 0)
		example_ok(k, path, c, "body_text", n, 1);
}

static void
footer_ok(struct ck *k, const char *path, const cJSON *c, int auth)
{
	char	p[160];
	int	n;

	snprintf(p, sizeof(p), "%s.text", path);
	n = text_ok(k, p, str(c, "text"), FOOTER_MAX, !auth);
	if (n > 0)
		problem(k, WA_GRAPH_SUB_PARAMS, p, "may not hold placeholders");
}

static const char *const button_types[] = {
	"QUICK_REPLY", "URL", "PHONE_NUMBER", "COPY_CODE", "OTP", "FLOW",
	"CATALOG", "MPM", "VOICE_CALL", NULL
};

static void
button_ok(struct ck *k, const char *path, const cJSON *b, int auth,
    int *urls, int *phones)
{
	const char *const	*t;
	const char		*type = str(b, "type"), *s;
	char			 p[200];
	int			 n;

	snprintf(p, sizeof(p), "%s.type", path);
	for (t = button_types; type != NULL && *t != NULL; t++)
		if (strcasecmp(*t, type) == 0)
			break;
	if (type == NULL || *t == NULL) {
		problem(k, WA_GRAPH_SUB_FORMAT, p, "must be one of: "
		    "QUICK_REPLY, URL, PHONE_NUMBER, COPY_CODE, OTP, FLOW, "
		    "CATALOG, MPM, VOICE_CALL");
		return;
	}
	if ((strcmp(*t, "OTP") == 0) != auth) {
		problem(k, WA_GRAPH_SUB_FORMAT, p, auth ? "must be OTP in an "
		    "AUTHENTICATION template" : "OTP buttons belong to "
		    "AUTHENTICATION templates");
		return;
	}
	snprintf(p, sizeof(p), "%s.text", path);
	if (strcmp(*t, "OTP") != 0 && strcmp(*t, "COPY_CODE") != 0 &&
	    strcmp(*t, "CATALOG") != 0 && strcmp(*t, "MPM") != 0 &&
	    text_ok(k, p, str(b, "text"), BUTTON_TEXT_MAX, 1) > 0)
		problem(k, WA_GRAPH_SUB_PARAMS, p, "may not hold placeholders");
	if (strcmp(*t, "URL") == 0) {
		(*urls)++;
		snprintf(p, sizeof(p), "%s.url", path);
		s = str(b, "url");
		if (s == NULL || (strncmp(s, "https://", 8) != 0 &&
		    strncmp(s, "http://", 7) != 0) || strlen(s) > URL_MAX) {
			problem(k, WA_GRAPH_SUB_FORMAT, p, "must be an http(s) "
			    "URL of at most %d characters", URL_MAX);
			return;
		}
		n = wa_graph_placeholders(s);
		if (n < 0 || n > 1 || (n == 1 &&
		    strcmp(s + strlen(s) - 5, "{{1}}") != 0))
			problem(k, WA_GRAPH_SUB_PARAMS, p, "may hold one "
			    "placeholder, {{1}}, at its end");
		else if (n == 1)
			example_ok(k, path, b, "", 1, 0);
	} else if (strcmp(*t, "PHONE_NUMBER") == 0) {
		(*phones)++;
		snprintf(p, sizeof(p), "%s.phone_number", path);
		s = str(b, "phone_number");
		if (s == NULL || s[0] == '\0' || strlen(s) > PHONE_MAX ||
		    strspn(s, "+0123456789") != strlen(s))
			problem(k, WA_GRAPH_SUB_FORMAT, p, "must be a phone "
			    "number of at most %d characters", PHONE_MAX);
	} else if (strcmp(*t, "COPY_CODE") == 0) {
		snprintf(p, sizeof(p), "%s.example", path);
		s = str(b, "example");
		if (s == NULL || s[0] == '\0' || nchars(s) > CODE_MAX)
			problem(k, WA_GRAPH_SUB_EXAMPLE, p, "must be the code "
			    "to copy, 1-%d characters", CODE_MAX);
	} else if (strcmp(*t, "OTP") == 0) {
		snprintf(p, sizeof(p), "%s.otp_type", path);
		s = str(b, "otp_type");
		if (s == NULL || (strcasecmp(s, "COPY_CODE") != 0 &&
		    strcasecmp(s, "ONE_TAP") != 0 &&
		    strcasecmp(s, "ZERO_TAP") != 0))
			problem(k, WA_GRAPH_SUB_FORMAT, p, "must be one of: "
			    "COPY_CODE, ONE_TAP, ZERO_TAP");
	}
}

static void
buttons_ok(struct ck *k, const char *path, const cJSON *c, int auth)
{
	const cJSON	*arr = cJSON_GetObjectItemCaseSensitive(c, "buttons");
	const cJSON	*b;
	char		 p[160];
	int		 i = 0, urls = 0, phones = 0;

	snprintf(p, sizeof(p), "%s.buttons", path);
	if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) < 1 ||
	    cJSON_GetArraySize(arr) > BUTTONS_MAX) {
		problem(k, WA_GRAPH_SUB_FORMAT, p, "must be an array of 1-%d "
		    "buttons", BUTTONS_MAX);
		return;
	}
	cJSON_ArrayForEach(b, arr) {
		snprintf(p, sizeof(p), "%s.buttons[%d]", path, i++);
		if (!cJSON_IsObject(b))
			problem(k, WA_GRAPH_SUB_FORMAT, p, "must be an object");
		else
			button_ok(k, p, b, auth, &urls, &phones);
	}
	snprintf(p, sizeof(p), "%s.buttons", path);
	if (urls > 2)
		problem(k, WA_GRAPH_SUB_FORMAT, p, "may hold at most 2 URL "
		    "buttons");
	if (phones > 1)
		problem(k, WA_GRAPH_SUB_FORMAT, p, "may hold at most 1 "
		    "PHONE_NUMBER button");
}

int
wa_graph_tpl_check(const cJSON *comps, const char *category,
    int (*handle_ok)(const char *), wa_graph_tpl_cb cb, void *ctx)
{
	static const char *const kinds[] = {
		"HEADER", "BODY", "FOOTER", "BUTTONS"
	};
	struct ck	 k = { cb, ctx, handle_ok, 0 };
	const cJSON	*c;
	const char	*type;
	char		 p[64];
	int		 seen[4] = { 0, 0, 0, 0 }, i = 0, j;
	int		 auth = category != NULL &&
			    strcmp(category, "AUTHENTICATION") == 0;

	if (!cJSON_IsArray(comps) || cJSON_GetArraySize(comps) < 1 ||
	    cJSON_GetArraySize(comps) > 4) {
		problem(&k, WA_GRAPH_SUB_FORMAT, "components", "must be an "
		    "array of 1-4 components (header, body, footer, buttons)");
		return k.n;
	}
	cJSON_ArrayForEach(c, comps) {
		snprintf(p, sizeof(p), "components[%d]", i++);
		type = str(c, "type");
		for (j = 0; type != NULL && j < 4; j++)
			if (strcasecmp(type, kinds[j]) == 0)
				break;
		if (!cJSON_IsObject(c) || type == NULL || j == 4) {
			problem(&k, WA_GRAPH_SUB_FORMAT, p, "must be an object "
			    "whose type is one of: header, body, footer, "
			    "buttons");
			continue;
		}
		if (seen[j]++) {
			problem(&k, WA_GRAPH_SUB_FORMAT, p, "repeats a %s "
			    "component", kinds[j]);
			continue;
		}
		switch (j) {
		case 0:
			header_ok(&k, p, c);
			break;
		case 1:
			body_ok(&k, p, c, auth);
			break;
		case 2:
			footer_ok(&k, p, c, auth);
			break;
		default:
			buttons_ok(&k, p, c, auth);
			break;
		}
	}
	if (!seen[1])
		problem(&k, WA_GRAPH_SUB_FORMAT, "components",
		    "must include a body component");
	if (auth && !seen[3])
		problem(&k, WA_GRAPH_SUB_FORMAT, "components", "must include "
		    "an OTP button in an AUTHENTICATION template");
	return k.n;
}
