/*
 * extern: internal to lib/graph (kcgi's extern.h): what the one-call
 * client (graph.c) shares with the many-calls client (multi.c), so that
 * both build a call's easy handle and type its answer the same way.
 * Nothing outside lib/graph includes this.
 */
#ifndef WA_GRAPH_EXTERN_H
#define WA_GRAPH_EXTERN_H

#include <stdint.h>

#include <curl/curl.h>

#include "buf.h"
#include "graph.h"

struct wa_req;

/* One call on an easy handle: where its answer goes, curl's words. */
struct wa_graph_easy {
	CURL		*c;
	struct wa_buf	 body;		/* the answer, in the call's arena */
	int		 too_large;	/* over WA_GRAPH_BODY_MAX */
	long		 request_size;	/* CURLINFO_REQUEST_SIZE at the end */
	long		 connects;	/* CURLINFO_NUM_CONNECTS */
	const struct wa_graph_sink *sink;	/* a 2xx answer goes there */
	size_t		 sunk;		/* bytes written to it */
	int		 sink_failed;	/* a write failed */
	char		 ebuf[CURL_ERROR_SIZE];
};

/* curl_global_init, once per process: 0, or -1. */
int		wa_graph_curl_init(void);

/*
 * Starts a call: clears res (method and path of call), checks that r's
 * configuration and acct allow one, then resets c and sets every option
 * of call on it: URL, headers (Authorization with acct's token), body,
 * TLS verification and CA file, protocols, no redirects, connect
 * timeout, timeout_ms for the whole call, the body cap and e as the
 * write sink (e must stay where it is until wa_graph_easy_done).  What
 * the options point to lives in r->arena.  WA_GRAPH_OK when c is ready
 * to run; otherwise the failure, finished into res (c may be NULL: a
 * CONFIG failure).
 */
enum wa_graph_status wa_graph_easy_setup(struct wa_req *,
		    struct wa_graph_easy *, CURL *,
		    const struct wa_graph_acct *,
		    const struct wa_graph_call *, int64_t timeout_ms,
		    struct wa_graph_res *);

/*
 * Types what the transfer of e ended with (cc) into res: the HTTP
 * status, the body parsed with the cJSON allocator of the moment, and
 * the rule of a failure; e->request_size and e->connects are set, and
 * e->c forgets what pointed into r's arena.  Returns res->status.
 */
enum wa_graph_status wa_graph_easy_done(struct wa_req *,
		    struct wa_graph_easy *, CURLcode,
		    struct wa_graph_res *);

/* Sets res->status to st (and detail if not NULL) and, for a failure,
 * res->rule.  Returns st. */
enum wa_graph_status wa_graph_finish(struct wa_graph_res *,
		    enum wa_graph_status, const char *detail);

#endif /* WA_GRAPH_EXTERN_H */
