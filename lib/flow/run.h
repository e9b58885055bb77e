/*
 * The step runner's state, shared by its files: run.c (the loop and
 * most steps) and http.c (http_request steps).  Not the engine's API,
 * which is flow.h.
 */
#ifndef WA_FLOW_RUN_H
#define WA_FLOW_RUN_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "flow.h"

/* A step's return: stop the run (the status is set). */
#define WA_FLOW_STOP	(-2)

struct wa_flow_tmpl;

struct wa_flow_runner {
	struct wa_arena			*a;
	const struct wa_flow_run_in	*in;
	struct wa_flow_run_out		*out;
	const struct wa_flow		*f;
	cJSON				*vars;
	size_t				 msg, nmsgs;
	int64_t				 now_ms;
	unsigned long			 fuel;
	size_t				 trace_bytes;
	int				*jumps;		/* per step */
	int				*mock_pos;	/* per step */
	unsigned char			*hit;		/* per step */
	unsigned char			*xhit;		/* per exit */
	size_t				*xbase;		/* first exit of step */
	int				 attempt;	/* of the question */
	int				 retrying;
	int				 prompted;	/* resumed: the question
							 * was asked already */
};

/* Stops the run with an error at step s (NULL: the run's own). */
int		 wa_flow_fail(struct wa_flow_runner *,
		    const struct wa_flow_step *s, cJSON *out, const char *msg);
/* Leaves s by its exit k (noted in out and the coverage): the next
 * step's index, or WA_FLOW_END_OF_FLOW. */
int		 wa_flow_take(struct wa_flow_runner *,
		    const struct wa_flow_step *s, size_t k, cJSON *out);
/* Sets a variable and notes it in out.variables; NULL, or why not. */
const char	*wa_flow_assign(struct wa_flow_runner *,
		    const struct wa_flow_path *, cJSON *v, cJSON *out);
/* A template filled in (url: its variables percent-encoded). */
const char	*wa_flow_render(struct wa_flow_runner *,
		    const struct wa_flow_tmpl *, size_t max, int url,
		    int *trunc);

/* http.c */
int		 wa_flow_exec_http(struct wa_flow_runner *,
		    const struct wa_flow_step *, cJSON *out);

#endif /* WA_FLOW_RUN_H */
