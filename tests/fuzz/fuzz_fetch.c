/*
 * libFuzzer target: what lib/fetch.c reads from outside: the header
 * lines of an answer (wa_fetch_header), the operator's allow list
 * (wa_fetch_allowed) and the addresses a name resolves to
 * (wa_fetch_addr_refused).
 *
 * Properties: every header kept has a name of lower-case token
 * characters and a value of UTF-8 text without NUL, line breaks or
 * blanks around it; no more than WA_FETCH_HEADERS_MAX are kept; the
 * allow list and the address checks never read past their input and
 * give the same answer twice.
 */
#include <sys/socket.h>
#include <netinet/in.h>

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "arena.h"
#include "fetch.h"
#include "json.h"
#include "utf8.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct wa_arena	*arena;

static void
check_headers(const char *buf, size_t len)
{
	cJSON		*h = cJSON_CreateObject();
	const cJSON	*it;
	const char	*p = buf, *nl, *v;
	size_t		 n;

	while (p < buf + len) {
		nl = memchr(p, '\n', (size_t)(buf + len - p));
		n = nl != NULL ? (size_t)(nl - p) + 1 : (size_t)(buf + len - p);
		(void)wa_fetch_header(arena, h, p, n);
		p += n;
	}
	if (cJSON_GetArraySize(h) > WA_FETCH_HEADERS_MAX)
		__builtin_trap();
	cJSON_ArrayForEach(it, h) {
		if (strspn(it->string, "abcdefghijklmnopqrstuvwxyz0123456789"
		    "!#$%&'*+-.^_`|~") != strlen(it->string) ||
		    it->string[0] == '\0')
			__builtin_trap();
		v = it->valuestring;
		n = strlen(v);
		if (strpbrk(v, "\r\n") != NULL || !wa_utf8_valid(v, n) ||
		    (n > 0 && (v[0] == ' ' || v[0] == '\t' ||
		    v[n - 1] == ' ' || v[n - 1] == '\t')))
			__builtin_trap();
	}
}

static void
check_addresses(const uint8_t *data, size_t len)
{
	struct sockaddr_in	v4;
	struct sockaddr_in6	v6;
	const char		*a, *b;

	if (len < 16)
		return;
	memset(&v4, 0, sizeof(v4));
	memset(&v6, 0, sizeof(v6));
	v4.sin_family = AF_INET;
	memcpy(&v4.sin_addr, data, 4);
	v6.sin6_family = AF_INET6;
	memcpy(&v6.sin6_addr, data, 16);
	a = wa_fetch_addr_refused((struct sockaddr *)&v4);
	b = wa_fetch_addr_refused((struct sockaddr *)&v4);
	if (a != b)
		__builtin_trap();
	a = wa_fetch_addr_refused((struct sockaddr *)&v6);
	b = wa_fetch_addr_refused((struct sockaddr *)&v6);
	if (a != b)
		__builtin_trap();
	/* IPv4-mapped: the IPv4 address's own answer */
	memset(&v6.sin6_addr, 0, 10);
	v6.sin6_addr.s6_addr[10] = 0xff;
	v6.sin6_addr.s6_addr[11] = 0xff;
	memcpy(&v6.sin6_addr.s6_addr[12], data, 4);
	if ((wa_fetch_addr_refused((struct sockaddr *)&v6) == NULL) !=
	    (wa_fetch_addr_refused((struct sockaddr *)&v4) == NULL))
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	char	*s;

	if (arena == NULL)
		arena = wa_arena_new(0);
	wa_json_use_arena(arena);
	check_headers((const char *)data, len);
	check_addresses(data, len);
	s = wa_arena_strndup(arena, (const char *)data, len);
	if (wa_fetch_allowed(s, "localhost", 80) !=
	    wa_fetch_allowed(s, "LOCALHOST", 80))
		__builtin_trap();
	(void)wa_fetch_allowed(s, "::1", 8444);
	(void)wa_fetch_allowed(s, "", 0);
	wa_json_use_arena(NULL);
	wa_arena_reset(arena);
	return 0;
}
