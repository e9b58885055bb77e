/*
 * A tenant's HTTP call (fetch.h).  The URL is taken apart by libcurl's
 * own parser (curl_url), so the host checked is the host curl connects
 * to; the name is resolved here, every address checked, and curl is
 * told to use the one checked.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <netdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "arena.h"
#include "clock.h"
#include "fetch.h"
#include "utf8.h"

struct sink {
	struct wa_arena	*a;
	char		*buf;
	size_t		 len, cap, max;
	int		 over;
	cJSON		*headers;
};

/* ---- addresses -------------------------------------------------------- */

struct net4 {
	uint32_t	 net;
	int		 bits;
	const char	*why;
};

static const struct net4 refused4[] = {
	{ 0x00000000, 8, "a \"this network\" address" },
	{ 0x0a000000, 8, "private" },
	{ 0x64400000, 10, "a shared (carrier-grade NAT) address" },
	{ 0x7f000000, 8, "loopback" },
	{ 0xa9fe0000, 16, "link-local (where cloud metadata lives)" },
	{ 0xac100000, 12, "private" },
	{ 0xc0000000, 24, "reserved (IETF protocol assignments)" },
	{ 0xc0000200, 24, "reserved for documentation" },
	{ 0xc0a80000, 16, "private" },
	{ 0xc6120000, 15, "reserved for benchmarks" },
	{ 0xc6336400, 24, "reserved for documentation" },
	{ 0xcb007100, 24, "reserved for documentation" },
	{ 0xe0000000, 4, "multicast" },
	{ 0xf0000000, 4, "reserved" },
};

static const char *
refused_v4(uint32_t a)
{
	size_t	i;

	for (i = 0; i < sizeof(refused4) / sizeof(refused4[0]); i++)
		if ((a >> (32 - refused4[i].bits)) ==
		    (refused4[i].net >> (32 - refused4[i].bits)))
			return refused4[i].why;
	return NULL;
}

static const char *
refused_v6(const unsigned char *b)
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0, 0xff, 0xff };
	static const unsigned char nat64[12] = { 0, 0x64, 0xff, 0x9b };
	static const unsigned char zero[16];
	uint32_t	v4;

	if (memcmp(b, mapped, 12) == 0 || memcmp(b, nat64, 12) == 0 ||
	    (memcmp(b, zero, 12) == 0 && b[12] != 0)) {
		v4 = (uint32_t)b[12] << 24 | (uint32_t)b[13] << 16 |
		    (uint32_t)b[14] << 8 | b[15];
		return refused_v4(v4);
	}
	if (memcmp(b, zero, 15) == 0)
		return b[15] == 1 ? "loopback" : "unspecified";
	if ((b[0] & 0xfe) == 0xfc)
		return "private (unique local)";
	if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
		return "link-local";
	if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0)
		return "site-local";
	if (b[0] == 0xff)
		return "multicast";
	if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8)
		return "reserved for documentation";
	return NULL;
}

const char *
wa_fetch_addr_refused(const struct sockaddr *a)
{
	const struct sockaddr_in	*v4;
	const struct sockaddr_in6	*v6;

	if (a->sa_family == AF_INET) {
		v4 = (const struct sockaddr_in *)(const void *)a;
		return refused_v4(ntohl(v4->sin_addr.s_addr));
	}
	if (a->sa_family == AF_INET6) {
		v6 = (const struct sockaddr_in6 *)(const void *)a;
		return refused_v6(v6->sin6_addr.s6_addr);
	}
	return "not an internet address";
}

int
wa_fetch_allowed(const char *allow, const char *host, long port)
{
	const char	*p, *e, *c;
	size_t		 hl = strlen(host), n;
	char		 ps[16];

	if (allow == NULL)
		return 0;
	snprintf(ps, sizeof(ps), "%ld", port);
	for (p = allow; *p != '\0'; p = *e == ',' ? e + 1 : e) {
		while (*p == ' ')
			p++;
		e = p + strcspn(p, ",");
		n = (size_t)(e - p);
		while (n > 0 && p[n - 1] == ' ')
			n--;
		/* host:port, [v6]:port, or a host alone */
		for (c = p + n; c > p && c[-1] != ':' && c[-1] != ']'; c--)
			;
		c = c > p && c[-1] == ':' ? c - 1 : NULL;
		if (c != NULL && memchr(p, ']', n) == NULL &&
		    memchr(p, ':', (size_t)(c - p)) != NULL)
			c = NULL;		/* a bare IPv6 address */
		if (c != NULL && (size_t)(e - c - 1) == strlen(ps) &&
		    strncmp(c + 1, ps, strlen(ps)) == 0)
			n = (size_t)(c - p);
		else if (c != NULL)
			continue;
		if (n >= 2 && p[0] == '[' && p[n - 1] == ']') {
			p++;
			n -= 2;
		}
		if (n == hl && strncasecmp(p, host, n) == 0)
			return 1;
	}
	return 0;
}

/* ---- the call ------------------------------------------------------- */

static size_t
on_body(char *data, size_t size, size_t n, void *arg)
{
	struct sink	*s = arg;
	size_t		 len = size * n;
	char		*nb;

	if (s->len + len > s->max) {
		s->over = 1;
		return 0;		/* aborts the transfer */
	}
	if (s->len + len + 1 > s->cap) {
		s->cap = (s->len + len + 1) * 2 < s->max + 1 ?
		    (s->len + len + 1) * 2 : s->max + 1;
		nb = wa_arena_alloc(s->a, s->cap);
		if (s->len > 0)
			memcpy(nb, s->buf, s->len);
		s->buf = nb;
	}
	memcpy(s->buf + s->len, data, len);
	s->len += len;
	s->buf[s->len] = '\0';
	return len;
}

static int
token_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

int
wa_fetch_header(struct wa_arena *a, cJSON *headers, const char *line,
    size_t len)
{
	size_t	k, v, i;
	char	*name;

	for (k = 0; k < len && line[k] != ':'; k++)
		if (line[k] == '\0' || !token_char((unsigned char)line[k]))
			return 0;
	if (k == 0 || k == len || cJSON_GetArraySize(headers) >=
	    WA_FETCH_HEADERS_MAX)
		return 0;
	for (v = k + 1; v < len && (line[v] == ' ' || line[v] == '\t'); v++)
		;
	while (len > v && (line[len - 1] == '\r' || line[len - 1] == '\n' ||
	    line[len - 1] == ' ' || line[len - 1] == '\t'))
		len--;
	for (i = v; i < len; i++)
		if (((unsigned char)line[i] < 0x20 && line[i] != '\t') ||
		    line[i] == 0x7f)
			return 0;	/* a control character: no header */
	if (!wa_utf8_valid(line + v, len - v))
		return 0;
	name = wa_arena_strndup(a, line, k);
	for (i = 0; i < k; i++)
		if (name[i] >= 'A' && name[i] <= 'Z')
			name[i] = (char)(name[i] - 'A' + 'a');
	if (cJSON_HasObjectItem(headers, name))
		return 0;
	cJSON_AddItemToObject(headers, name, cJSON_CreateString(
	    wa_arena_strndup(a, line + v, len - v)));
	return 1;
}

/* Keeps the answer's headers: the last response's (a new status line
 * starts them over). */
static size_t
on_header(char *data, size_t size, size_t n, void *arg)
{
	struct sink	*s = arg;
	size_t		 len = size * n;

	if (len >= 5 && strncmp(data, "HTTP/", 5) == 0)
		s->headers = cJSON_CreateObject();
	else if (s->headers != NULL)
		(void)wa_fetch_header(s->a, s->headers, data, len);
	return len;
}

/* The URL's scheme, host and port (curl's parse); NULL, or why not. */
static const char *
url_parts(struct wa_arena *a, const char *url, const char **host,
    long *port, int *tls)
{
	CURLU		*u = curl_url();
	char		*scheme = NULL, *h = NULL, *p = NULL;
	const char	*why = NULL;

	if (u == NULL)
		return "out of memory";
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &h, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PORT, &p, CURLU_DEFAULT_PORT) !=
	    CURLUE_OK)
		why = "the URL cannot be read";
	else if (strcasecmp(scheme, "http") != 0 &&
	    strcasecmp(scheme, "https") != 0)
		why = "only http and https URLs are called";
	else {
		*tls = strcasecmp(scheme, "https") == 0;
		*port = strtol(p, NULL, 10);
		/* curl writes an IPv6 host in brackets */
		if (h[0] == '[' && h[strlen(h) - 1] == ']')
			*host = wa_arena_strndup(a, h + 1, strlen(h) - 2);
		else
			*host = wa_arena_strdup(a, h);
	}
	curl_free(scheme);
	curl_free(h);
	curl_free(p);
	curl_url_cleanup(u);
	return why;
}

/*
 * Resolves host and checks its addresses: the CURLOPT_RESOLVE entry
 * that pins the call to the one it will use, or NULL with *why.
 */
static const char *
pin(struct wa_arena *a, const struct wa_fetch_opts *o, const char *host,
    long port, const char **why)
{
	struct addrinfo	 hints, *res, *ai;
	const char	*bad;
	char		 txt[INET6_ADDRSTRLEN];
	const char	*pinned = NULL;
	int		 allowed = wa_fetch_allowed(o->allow, host, port), rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((rc = getaddrinfo(host, NULL, &hints, &res)) != 0) {
		*why = wa_arena_printf(a, "the host %s cannot be resolved "
		    "(%s)", host, gai_strerror(rc));
		return NULL;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if (getnameinfo(ai->ai_addr, ai->ai_addrlen, txt, sizeof(txt),
		    NULL, 0, NI_NUMERICHOST) != 0)
			continue;
		if (!allowed && (bad = wa_fetch_addr_refused(ai->ai_addr)) !=
		    NULL) {
			*why = wa_arena_printf(a, "the address %s of %s is %s: "
			    "a bot may not call it (the operator can allow a "
			    "host: WA_BOT_HTTP_ALLOW)", txt, host, bad);
			pinned = NULL;
			break;
		}
		if (pinned == NULL)
			pinned = wa_arena_printf(a, ai->ai_family == AF_INET6 ?
			    "%s:%ld:[%s]" : "%s:%ld:%s", host, port, txt);
	}
	freeaddrinfo(res);
	if (pinned == NULL && *why == NULL)
		*why = wa_arena_printf(a, "the host %s has no address", host);
	return pinned;
}

/* One request of the call (a redirect makes another). */
static CURLcode
perform(CURL *c, const struct wa_fetch_opts *o, const struct wa_fetch_req *q,
    const char *url, struct curl_slist *hdrs, struct curl_slist *resolve,
    long timeout_ms, struct sink *s)
{
	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(c, CURLOPT_RESOLVE, resolve);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "wagate-bot/1");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, s);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, s);
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)o->max_bytes);
	if (o->ca_file != NULL)
		curl_easy_setopt(c, CURLOPT_CAINFO, o->ca_file);
	if (strcmp(q->method, "GET") == 0)
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	else {
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, q->method);
		if (q->body != NULL) {
			curl_easy_setopt(c, CURLOPT_POSTFIELDS, q->body);
			curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE,
			    (long)(q->body_len > 0 ? q->body_len :
			    strlen(q->body)));
		}
	}
	return curl_easy_perform(c);
}

static struct curl_slist *
headers_of(struct wa_arena *a, const struct wa_fetch_req *q, const char **why)
{
	struct curl_slist	*h = NULL;
	int			 ctype = 0;
	size_t			 i;

	for (i = 0; i < q->nheaders; i++) {
		if (strpbrk(q->values[i], "\r\n") != NULL) {
			*why = wa_arena_printf(a, "the header %s holds a line "
			    "break once its variables are filled in",
			    q->names[i]);
			curl_slist_free_all(h);
			return NULL;
		}
		if (strcasecmp(q->names[i], "Content-Type") == 0)
			ctype = 1;
		h = curl_slist_append(h, wa_arena_printf(a, "%s: %s",
		    q->names[i], q->values[i]));
	}
	if (q->body != NULL && !ctype)
		h = curl_slist_append(h, "Content-Type: application/json");
	h = curl_slist_append(h, "Expect:");
	return h;
}

/* Follows one redirect: the next URL (same host), or NULL with *why or
 * without (not a redirect). */
static const char *
redirect(struct wa_arena *a, CURL *c, const char *url, const char *host,
    const char **why)
{
	char		*loc = NULL;
	const char	*next, *h2;
	long		 st = 0, port;
	int		 tls;

	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &st);
	if (st < 300 || st > 399 || curl_easy_getinfo(c,
	    CURLINFO_REDIRECT_URL, &loc) != CURLE_OK || loc == NULL)
		return NULL;
	next = wa_arena_strdup(a, loc);
	if ((*why = url_parts(a, next, &h2, &port, &tls)) != NULL)
		return NULL;
	if (strcasecmp(h2, host) != 0) {
		*why = wa_arena_printf(a, "%s redirected to another host (%s): "
		    "a bot's call follows redirects only on its own host",
		    url, h2);
		return NULL;
	}
	return next;
}

void
wa_fetch(struct wa_arena *a, const struct wa_fetch_opts *o,
    const struct wa_fetch_req *q, struct wa_fetch_resp *resp)
{
	static CURL		*c;
	struct sink		 s;
	struct curl_slist	*hdrs, *resolve = NULL;
	const char		*url = q->url, *host, *pinned, *why = NULL;
	int64_t			 deadline;
	long			 port, st = 0, left;
	int			 tls, hops;
	CURLcode		 rc = CURLE_OK;

	memset(resp, 0, sizeof(*resp));
	if (c == NULL && (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK ||
	    (c = curl_easy_init()) == NULL)) {
		resp->error = "the HTTP client cannot start";
		return;
	}
	if ((hdrs = headers_of(a, q, &why)) == NULL) {
		resp->error = why;
		return;
	}
	deadline = wa_clock_mono_us() + (int64_t)o->timeout_ms * 1000;
	for (hops = 0; why == NULL; hops++) {
		memset(&s, 0, sizeof(s));
		s.a = a;
		s.max = o->max_bytes;
		if ((why = url_parts(a, url, &host, &port, &tls)) != NULL ||
		    (pinned = pin(a, o, host, port, &why)) == NULL)
			break;
		curl_slist_free_all(resolve);
		resolve = curl_slist_append(NULL, pinned);
		left = (long)((deadline - wa_clock_mono_us()) / 1000);
		if (left <= 0) {
			why = wa_arena_printf(a, "timed out after %d ms",
			    o->timeout_ms);
			break;
		}
		rc = perform(c, o, q, url, hdrs, resolve, left, &s);
		if (rc != CURLE_OK)
			break;
		if ((url = redirect(a, c, url, host, &why)) == NULL)
			break;
		if (hops == WA_FETCH_REDIRECTS_MAX)
			why = wa_arena_printf(a, "more than %d redirects",
			    WA_FETCH_REDIRECTS_MAX);
	}
	curl_slist_free_all(hdrs);
	curl_slist_free_all(resolve);
	if (why == NULL && (s.over || rc == CURLE_FILESIZE_EXCEEDED))
		why = wa_arena_printf(a, "the answer is larger than %zu bytes",
		    o->max_bytes);
	else if (why == NULL && rc == CURLE_OPERATION_TIMEDOUT)
		why = wa_arena_printf(a, "timed out after %d ms",
		    o->timeout_ms);
	else if (why == NULL && rc != CURLE_OK)
		why = wa_arena_printf(a, "the call failed: %s",
		    curl_easy_strerror(rc));
	if (why != NULL) {
		resp->error = why;
		return;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &st);
	resp->status = (int)st;
	resp->body = s.buf != NULL ? s.buf : wa_arena_strdup(a, "");
	resp->len = s.len;
	resp->headers = s.headers;
}
