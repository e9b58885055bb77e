/*
 * expr: the expression language of set_variable steps.  It reads
 * variables and computes; it cannot call, loop, assign or reach
 * anything outside the run's variables.
 *
 *   expr    = term { ("+" | "-") term }
 *   term    = unary { ("*" | "/") unary }
 *   unary   = "-" unary | primary
 *   primary = number | string | "true" | "false" | "null"
 *           | variable | "(" expr ")"
 *   number  = digits [ "." digits ] [ ("e" | "E") [ "+" | "-" ] digits ]
 *   string  = '...' or "..." with \\ \' \" \n \t escapes
 *   variable = flow.x, contact.x, system.x or x (= flow.x), see
 *              vars.h
 *
 * "+" adds two numbers, or concatenates when either side is a string
 * (unset and null read as ""); "-", "*" and "/" take numbers or
 * strings that are numbers.  Division by zero, a result outside
 * +-9007199254740991, a string over 4096 characters and more than
 * WA_FLOW_EXPR_WORK_MAX bytes of text built in all are errors, as is
 * arithmetic on an unset variable.
 */
#ifndef WA_FLOW_EXPR_H
#define WA_FLOW_EXPR_H

#include <stddef.h>

#include <cjson/cJSON.h>

struct wa_arena;
struct wa_flow_expr;
struct wa_flow_path;

#define WA_FLOW_EXPR_MAX	1024	/* bytes of source */
#define WA_FLOW_EXPR_DEPTH_MAX	32	/* nested parentheses and "-" */
#define WA_FLOW_EXPR_NODES_MAX	256	/* operands and operators */
#define WA_FLOW_EXPR_WORK_MAX	65536	/* bytes of text one evaluation
					 * may build, intermediate results
					 * included */

/*
 * Parses the NUL-terminated src into a.  Returns NULL with a reason in
 * *why (arena-owned, it names the position: "has an unexpected ')' at
 * character 7").
 */
struct wa_flow_expr	*wa_flow_expr_parse(struct wa_arena *a,
			    const char *src, const char **why);

/* The variables the expression reads, in order; *n is their number. */
const struct wa_flow_path *wa_flow_expr_reads(const struct wa_flow_expr *,
			    size_t *n);

/*
 * Evaluates against vars (vars.h).  Returns a new cJSON value, or
 * NULL with the reason in *why (arena-owned): "division by zero",
 * "number overflow ...", "- needs numbers; flow.total is not set".
 */
cJSON			*wa_flow_expr_eval(struct wa_arena *a,
			    const struct wa_flow_expr *, const cJSON *vars,
			    const char **why);

#endif /* WA_FLOW_EXPR_H */
