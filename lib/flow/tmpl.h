/*
 * tmpl: text with {{variables}}, as messages, prompts, URLs,
 * headers and HTTP bodies of a flow use it.
 *
 *   "Hi {{contact.name|there}}, your code is {{flow.code}}"
 *
 * Inside {{ }}: a variable (vars.h; blanks around it are
 * ignored), optionally "|" and a default shown when the variable is
 * unset, null or "" (quotes around the default are dropped).  There is
 * no other syntax: no filters, no logic, no escapes; a "{{" without
 * its "}}" is an error, a lone "}}" is text.
 */
#ifndef WA_FLOW_TMPL_H
#define WA_FLOW_TMPL_H

#include <stddef.h>

#include <cjson/cJSON.h>

struct wa_arena;
struct wa_flow_path;
struct wa_flow_tmpl;

#define WA_FLOW_TMPL_VARS_MAX	64	/* placeholders in one template */

enum wa_flow_tmpl_mode {
	WA_FLOW_TMPL_TEXT = 0,	/* values as they are */
	WA_FLOW_TMPL_URL	/* values percent-encoded (RFC 3986) */
};

/* Parses s into a; NULL with a static reason in *why. */
struct wa_flow_tmpl	*wa_flow_tmpl_parse(struct wa_arena *a,
			    const char *s, const char **why);

/* 1 if t has no placeholder (its text is the source). */
int			 wa_flow_tmpl_literal(const struct wa_flow_tmpl *t);

/* Number of placeholders, and the variable of the i-th; *has_default
 * tells whether it has a default. */
size_t			 wa_flow_tmpl_nvars(const struct wa_flow_tmpl *t);
const struct wa_flow_path *wa_flow_tmpl_var(const struct wa_flow_tmpl *t,
			    size_t i, int *has_default);

/*
 * Renders t against vars into a, keeping at most max code points;
 * *truncated (may be NULL) tells whether text was cut.  Never NULL.
 */
const char		*wa_flow_tmpl_render(struct wa_arena *a,
			    const struct wa_flow_tmpl *t, const cJSON *vars,
			    enum wa_flow_tmpl_mode mode, size_t max,
			    int *truncated);

#endif /* WA_FLOW_TMPL_H */
