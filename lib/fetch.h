/*
 * fetch: an HTTP call to a URL a tenant chose (a bot's http_request
 * step), with the limits a hosted service needs:
 *
 *   - http and https only; the answer's body at most max_bytes; one
 *     deadline for the whole call, redirects included;
 *   - no request to a loopback, private, link-local (cloud metadata:
 *     169.254.169.254), shared, multicast or reserved address, IPv4 or
 *     IPv6 (mapped and NAT64 forms included), unless the operator
 *     allows the host (WA_BOT_HTTP_ALLOW: "host[:port],...").  The
 *     host is resolved once, every address is checked, and the call is
 *     pinned to the address checked (CURLOPT_RESOLVE): a name that
 *     resolves to something else a moment later is not followed;
 *   - redirects are followed only to the same host (and checked again),
 *     at most 3;
 *   - a header value with a line break is refused; nothing of the
 *     request (its headers may carry secrets) is logged.
 *
 * libcurl's easy interface, one call at a time (the bot worker runs one
 * conversation at a time).
 */
#ifndef WA_FETCH_H
#define WA_FETCH_H

#include <stddef.h>
#include <sys/socket.h>

#include <cjson/cJSON.h>

struct wa_arena;

#define WA_FETCH_REDIRECTS_MAX	3
#define WA_FETCH_HEADERS_MAX	50	/* of an answer, kept */

struct wa_fetch_opts {
	int		 timeout_ms;
	size_t		 max_bytes;	/* of the answer's body */
	const char	*allow;		/* "host[:port],..." or NULL */
	const char	*ca_file;	/* or NULL: the system's */
};

struct wa_fetch_req {
	const char	*method;	/* GET, POST, PUT, PATCH, DELETE */
	const char	*url;
	const char	**names;	/* headers */
	const char	**values;
	size_t		 nheaders;
	const char	*body;		/* JSON text, or NULL */
	size_t		 body_len;	/* 0: strlen(body); else bytes */
};

struct wa_fetch_resp {
	const char	*error;		/* why the call failed, or NULL */
	int		 status;
	char		*body;		/* arena, NUL-terminated */
	size_t		 len;
	cJSON		*headers;	/* lower-case name -> value */
};

/* Makes the call; fills resp (error set on any failure). */
void		 wa_fetch(struct wa_arena *, const struct wa_fetch_opts *,
		    const struct wa_fetch_req *, struct wa_fetch_resp *);

/*
 * One line of an answer's header, as libcurl hands it over (CRLF
 * included), into headers: the name (an HTTP token) in lower case, the
 * value without blanks around it.  A line that is no header, a value
 * that is not UTF-8 text or holds a control character (a tab aside),
 * a name already there (the first wins) or one
 * past WA_FETCH_HEADERS_MAX is left out.  1 if it was kept.
 */
int		 wa_fetch_header(struct wa_arena *, cJSON *headers,
		    const char *line, size_t len);

/* Why a is not an address a tenant's call may reach ("loopback",
 * "private", ...), or NULL when it is a public one. */
const char	*wa_fetch_addr_refused(const struct sockaddr *a);

/* 1 if host (and port) is on the allow list "host[:port],...": a host
 * without a port allows every port of it; case does not count. */
int		 wa_fetch_allowed(const char *allow, const char *host,
		    long port);

#endif /* WA_FETCH_H */
