/*
 * vars: the variables of a flow run and the values they hold.
 *
 * A run's variables are one cJSON object with three namespaces:
 *
 *   {"flow": {...}, "contact": {...}, "system": {...}}
 *
 * flow.* belongs to the flow, contact.* to the person talking to it
 * (name, phone, custom fields), system.* is read-only (now, channel,
 * phone).  A variable is named by a path: "flow.email",
 * "contact.plan", "flow.order.items.0.sku"; a name without one of the
 * three namespaces is short for flow.* ("email" is "flow.email").
 *
 * Values are cJSON items allocated from the current cJSON arena
 * (json.h).  Nothing here frees: replaced values stay valid until the
 * arena is reset, so a trace may keep pointing at them.
 */
#ifndef WA_FLOW_VARS_H
#define WA_FLOW_VARS_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

struct wa_arena;

#define WA_FLOW_PATH_SEGS_MAX	8	/* segments after the namespace */
#define WA_FLOW_SEG_MAX		64	/* bytes of one segment */
#define WA_FLOW_STR_MAX		4096	/* code points of a string value */
#define WA_FLOW_VALUE_MAX	16384	/* bytes of an object or array value */
#define WA_FLOW_VALUE_DEPTH_MAX	8	/* nesting of an object or array */
#define WA_FLOW_VARS_MAX	200	/* variables in one namespace */
/* Integers are exact up to 2^53 - 1 in every JSON client; numbers
 * outside +-WA_FLOW_NUM_MAX are an overflow. */
#define WA_FLOW_NUM_MAX		9007199254740991.0

enum wa_flow_ns {
	WA_FLOW_NS_FLOW = 0,
	WA_FLOW_NS_CONTACT,
	WA_FLOW_NS_SYSTEM,
	WA_FLOW_NS__MAX
};

extern const char *const wa_flow_ns_names[WA_FLOW_NS__MAX];

struct wa_flow_path {
	enum wa_flow_ns	 ns;
	const char	*text;		/* canonical: "flow.email" */
	size_t		 nseg;		/* 1..WA_FLOW_PATH_SEGS_MAX */
	const char	*seg[WA_FLOW_PATH_SEGS_MAX];
};

/*
 * Parses s[0..len) into out (strings arena-owned).  Segments are
 * [A-Za-z0-9_]+, the first one starting with a letter or '_';
 * system.* has only now, channel and phone.  Returns NULL, or a static
 * reason.
 */
const char	*wa_flow_path_parse(struct wa_arena *, const char *s,
		    size_t len, struct wa_flow_path *out);

/* 1 if a step may write the variable (flow.* and contact.*). */
int		 wa_flow_path_writable(const struct wa_flow_path *);

/* A new, empty set of variables. */
cJSON		*wa_flow_vars_new(void);

/* The value at path, or NULL when unset.  Numeric segments index
 * arrays. */
const cJSON	*wa_flow_vars_get(const cJSON *vars,
		    const struct wa_flow_path *);

/*
 * Sets path to v (which the variables then own; v must not belong to
 * another tree), creating intermediate objects.  Refuses, with a
 * static reason, a value over the size limits, an intermediate value
 * that is not an object, and a namespace already holding
 * WA_FLOW_VARS_MAX variables.  Returns NULL on success.
 */
const char	*wa_flow_vars_set(cJSON *vars, const struct wa_flow_path *,
		    cJSON *v);

/* NULL if v fits the value limits, else a static reason. */
const char	*wa_flow_value_check(const cJSON *v);

/*
 * The text of a value, as templates and concatenation show it: a
 * string as is, a number in its shortest exact form ("3", "0.5"),
 * true/false, unset and null as "", an object or array as compact
 * JSON.  Arena-owned; never NULL.
 */
const char	*wa_flow_value_text(struct wa_arena *, const cJSON *v);

/* 1 and *out for a finite number, or a string that is one ("42",
 * " -1.5 "); 0 otherwise. */
int		 wa_flow_value_num(const cJSON *v, double *out);

/* Strict decimal number: optional sign, digits, fraction, exponent,
 * surrounding blanks.  1 and *out, or 0. */
int		 wa_flow_num_parse(const char *s, double *out);

/* Shortest "%.15g"-style form of a finite number into buf (>= 32). */
void		 wa_flow_num_format(double, char *buf, size_t bufsz);

/* A string cJSON item holding a copy of s[0..len). */
cJSON		*wa_flow_string(struct wa_arena *, const char *s, size_t len);

/* Simple case folding of a code point: ASCII and Latin-1 upper case to
 * lower case; everything else unchanged. */
uint32_t	 wa_flow_cp_fold(uint32_t);

#endif /* WA_FLOW_VARS_H */
