/*
 * helpers: what several unit tests share.  A request is built by hand
 * (arena, config, environment) the way lib/fcgi.c builds it, a body is
 * read from memory, and stderr can be captured to check log lines.
 *
 * Include after <cmocka.h>.  Everything here is static inline so that a
 * test file that does not use a helper does not warn about it.
 */
#ifndef WA_TEST_HELPERS_H
#define WA_TEST_HELPERS_H

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "cfg.h"
#include "json.h"
#include "req.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* A body stream over memory; chunk > 0 limits each read. */
struct t_mem {
	const char	*p;
	size_t		 len;
	size_t		 off;
	size_t		 chunk;
	int		 fail;	/* return -1 once the data is used up */
};

static inline long
t_mem_read(void *ctx, char *buf, size_t len)
{
	struct t_mem	*m = ctx;
	size_t		 n = m->len - m->off;

	if (n == 0)
		return m->fail ? -1 : 0;
	if (n > len)
		n = len;
	if (m->chunk > 0 && n > m->chunk)
		n = m->chunk;
	memcpy(buf, m->p + m->off, n);
	m->off += n;
	return (long)n;
}

/* A TCP port free on 127.0.0.1 now (for a server a test starts), or
 * -1. */
static inline int
t_free_port(void)
{
	struct sockaddr_in	sa;
	socklen_t		len = sizeof(sa);
	int			fd = socket(AF_INET, SOCK_STREAM, 0), p;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) != 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	p = ntohs(sa.sin_port);
	close(fd);
	return p;
}

/* Test defaults for a config; strings are static. */
static inline void
t_cfg_init(struct wa_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->family = "test";
	cfg->db_conninfo = "dbname=none";
	cfg->workers = 1;
	cfg->body_max = 1024;
	cfg->log_level = WA_LOG_INFO;
}

/* A zeroed request with its own arena; cJSON allocates from it.  Free
 * with t_req_free(). */
static inline void
t_req_init(struct wa_req *r, struct wa_cfg *cfg)
{
	memset(r, 0, sizeof(*r));
	r->arena = wa_arena_new(0);
	r->cfg = cfg;
	r->path = "/";
	snprintf(r->request_id, sizeof(r->request_id), "req_test");
	wa_json_use_arena(r->arena);
}

static inline void
t_req_free(struct wa_req *r)
{
	wa_arena_free(r->arena);
	r->arena = NULL;
	wa_json_use_arena(NULL);
}

/*
 * Parses a request from a NULL-terminated environment and a body in
 * memory (CONTENT_LENGTH must be in env if there is one).
 */
static inline enum wa_err
t_req_parse(struct wa_req *r, char *const *env, const char *body,
    size_t len)
{
	struct t_mem	m = { body, len, 0, 0, 0 };

	return wa_req_parse(r, env, t_mem_read, &m);
}

/* The field errors of r as "path=msg|path=msg", arena-owned. */
static inline const char *
t_fields(struct wa_req *r)
{
	char	*s = wa_arena_strdup(r->arena, "");
	size_t	 i;

	for (i = 0; i < r->err.nfields; i++)
		s = wa_arena_printf(r->arena, "%s%s%s=%s", s, i ? "|" : "",
		    r->err.fields[i].field, r->err.fields[i].msg);
	return s;
}

/* Redirects stderr into a temporary file until t_capture_end(). */
struct t_capture {
	int	 saved;
	FILE	*f;
};

static inline void
t_capture_begin(struct t_capture *c)
{
	fflush(stderr);
	c->f = tmpfile();
	c->saved = dup(STDERR_FILENO);
	if (c->f != NULL)
		dup2(fileno(c->f), STDERR_FILENO);
}

/* Restores stderr and returns what was written, arena-owned. */
static inline char *
t_capture_end(struct t_capture *c, struct wa_arena *a)
{
	char	*out;
	long	 n;

	fflush(stderr);
	dup2(c->saved, STDERR_FILENO);
	close(c->saved);
	if (c->f == NULL)
		return wa_arena_strdup(a, "");
	n = ftell(c->f);
	if (n < 0)
		n = 0;
	out = wa_arena_alloc(a, (size_t)n + 1);
	rewind(c->f);
	n = (long)fread(out, 1, (size_t)n, c->f);
	out[n] = '\0';
	fclose(c->f);
	return out;
}

#endif /* WA_TEST_HELPERS_H */
