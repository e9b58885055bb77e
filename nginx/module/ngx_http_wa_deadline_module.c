/*
 * ngx_http_wa_deadline_module: a total deadline on receiving a request.
 *
 * nginx bounds each read of a request body (client_body_timeout), not
 * the whole: a client that sends a byte every few seconds holds its
 * connection and buffer for as long as it likes (issue 11 item 8).
 *
 *     wa_body_deadline 30s;    (http, server, location; 0 turns it off)
 *
 * counts from the request's first byte.  A request whose body is still
 * being read when it expires ends as a body read timeout does: its read
 * event is made to time out, so nginx's own body reader (HTTP/1.1 and
 * HTTP/2 alike) finalizes it with 408, which closes the connection (or
 * resets the stream) without an answer.  A request whose body is in,
 * or that has none, is not touched; the timer goes with its pool.  A
 * body nginx discards (after a 413, say) is bounded by lingering_time
 * already.
 */

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

typedef struct {
	ngx_msec_t	 deadline;
} ngx_http_wa_deadline_conf_t;

static ngx_int_t ngx_http_wa_deadline_init(ngx_conf_t *cf);
static void *ngx_http_wa_deadline_create_conf(ngx_conf_t *cf);
static char *ngx_http_wa_deadline_merge_conf(ngx_conf_t *cf, void *parent,
    void *child);

static ngx_command_t ngx_http_wa_deadline_commands[] = {
	{ ngx_string("wa_body_deadline"),
	  NGX_HTTP_MAIN_CONF | NGX_HTTP_SRV_CONF | NGX_HTTP_LOC_CONF |
	  NGX_CONF_TAKE1,
	  ngx_conf_set_msec_slot,
	  NGX_HTTP_LOC_CONF_OFFSET,
	  offsetof(ngx_http_wa_deadline_conf_t, deadline),
	  NULL },
	ngx_null_command
};

static ngx_http_module_t ngx_http_wa_deadline_module_ctx = {
	NULL,				/* preconfiguration */
	ngx_http_wa_deadline_init,	/* postconfiguration */
	NULL, NULL,			/* main conf */
	NULL, NULL,			/* server conf */
	ngx_http_wa_deadline_create_conf,
	ngx_http_wa_deadline_merge_conf
};

ngx_module_t ngx_http_wa_deadline_module = {
	NGX_MODULE_V1,
	&ngx_http_wa_deadline_module_ctx,
	ngx_http_wa_deadline_commands,
	NGX_HTTP_MODULE,
	NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	NGX_MODULE_V1_PADDING
};

/* The deadline passed: if the body is still coming, time its read out. */
static void
ngx_http_wa_deadline_expired(ngx_event_t *ev)
{
	ngx_http_request_t	*r = ev->data;
	ngx_event_t		*rev = r->connection->read;

	/* not started (no body, or not yet read) or all in: nothing to do;
	 * rest is what the reader still waits for, as nginx keeps it */
	if (r->request_body == NULL || r->request_body->rest == 0 ||
	    r->discard_body)
		return;
	ngx_log_error(NGX_LOG_INFO, r->connection->log, NGX_ETIMEDOUT,
	    "client did not send the request body within wa_body_deadline");
	/* as ngx_event_expire_timers() does for the read's own timer */
	if (rev->timer_set)
		ngx_del_timer(rev);
	rev->timedout = 1;
	rev->handler(rev);
}

static void
ngx_http_wa_deadline_cleanup(void *data)
{
	ngx_event_t	*ev = data;

	if (ev->timer_set)
		ngx_del_timer(ev);
}

static ngx_int_t
ngx_http_wa_deadline_handler(ngx_http_request_t *r)
{
	ngx_http_wa_deadline_conf_t	*conf;
	ngx_pool_cleanup_t		*cln;
	ngx_event_t			*ev;
	ngx_msec_int_t			 left;
	ngx_time_t			*tp;

	/* once per request: the main one, before any internal redirect */
	if (r != r->main || r->internal)
		return NGX_DECLINED;
	conf = ngx_http_get_module_loc_conf(r, ngx_http_wa_deadline_module);
	if (conf->deadline == 0)
		return NGX_DECLINED;
	/* nothing to wait for (an HTTP/2 stream with a body and no length
	 * is marked chunked by nginx) */
	if (r->headers_in.content_length_n <= 0 && !r->headers_in.chunked)
		return NGX_DECLINED;

	tp = ngx_timeofday();
	left = (ngx_msec_int_t)conf->deadline -
	    ((ngx_msec_int_t)(tp->sec - r->start_sec) * 1000 +
	    (ngx_msec_int_t)(tp->msec - r->start_msec));
	if (left < 1)
		left = 1;

	ev = ngx_pcalloc(r->pool, sizeof(ngx_event_t));
	cln = ngx_pool_cleanup_add(r->pool, 0);
	if (ev == NULL || cln == NULL)
		return NGX_HTTP_INTERNAL_SERVER_ERROR;
	ev->handler = ngx_http_wa_deadline_expired;
	ev->data = r;
	ev->log = r->connection->log;
	ev->cancelable = 1;
	cln->handler = ngx_http_wa_deadline_cleanup;
	cln->data = ev;
	ngx_add_timer(ev, (ngx_msec_t)left);
	return NGX_DECLINED;
}

static void *
ngx_http_wa_deadline_create_conf(ngx_conf_t *cf)
{
	ngx_http_wa_deadline_conf_t	*conf;

	conf = ngx_pcalloc(cf->pool, sizeof(*conf));
	if (conf == NULL)
		return NULL;
	conf->deadline = NGX_CONF_UNSET_MSEC;
	return conf;
}

static char *
ngx_http_wa_deadline_merge_conf(ngx_conf_t *cf, void *parent, void *child)
{
	ngx_http_wa_deadline_conf_t	*prev = parent;
	ngx_http_wa_deadline_conf_t	*conf = child;

	(void)cf;
	ngx_conf_merge_msec_value(conf->deadline, prev->deadline, 0);
	return NGX_CONF_OK;
}

/* In the pre-access phase: the location, and so its deadline, is known,
 * and no module has started reading the body yet. */
static ngx_int_t
ngx_http_wa_deadline_init(ngx_conf_t *cf)
{
	ngx_http_core_main_conf_t	*cmcf;
	ngx_http_handler_pt		*h;

	cmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_core_module);
	h = ngx_array_push(&cmcf->phases[NGX_HTTP_PREACCESS_PHASE].handlers);
	if (h == NULL)
		return NGX_ERROR;
	*h = ngx_http_wa_deadline_handler;
	return NGX_OK;
}
