/* Unit tests for lib/fetch.c: which addresses a tenant's call may
 * reach, the operator's allow list, and calls refused before any
 * connection (scheme, private and loopback addresses, header
 * injection). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "arena.h"
#include "fetch.h"
#include "helpers.h"

static const char *
refused(const char *txt)
{
	struct sockaddr_in	v4;
	struct sockaddr_in6	v6;

	memset(&v4, 0, sizeof(v4));
	memset(&v6, 0, sizeof(v6));
	if (inet_pton(AF_INET, txt, &v4.sin_addr) == 1) {
		v4.sin_family = AF_INET;
		return wa_fetch_addr_refused((struct sockaddr *)&v4);
	}
	assert_int_equal(inet_pton(AF_INET6, txt, &v6.sin6_addr), 1);
	v6.sin6_family = AF_INET6;
	return wa_fetch_addr_refused((struct sockaddr *)&v6);
}

static void
test_addresses(void **state)
{
	static const char *const bad[] = {
		"127.0.0.1", "127.255.0.9", "10.1.2.3", "172.16.0.1",
		"172.31.255.255", "192.168.1.1", "169.254.169.254",
		"100.64.0.1", "0.0.0.0", "224.0.0.1", "255.255.255.255",
		"198.18.0.1", "::1", "::", "fe80::1", "fc00::1",
		"fd00:ec2::254", "ff02::1", "::ffff:127.0.0.1",
		"::ffff:10.0.0.1", "64:ff9b::a9fe:a9fe", "::127.0.0.1",
		"2001:db8::1", "fec0::1",
	};
	static const char *const good[] = {
		"8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1",
		"193.0.14.129", "2606:4700:4700::1111", "2a00:1450::1",
		"::ffff:8.8.8.8",
	};
	size_t	i;

	(void)state;
	for (i = 0; i < NELEM(bad); i++)
		if (refused(bad[i]) == NULL)
			fail_msg("%s is not refused", bad[i]);
	for (i = 0; i < NELEM(good); i++)
		if (refused(good[i]) != NULL)
			fail_msg("%s is refused: %s", good[i],
			    refused(good[i]));
	assert_string_equal(refused("127.0.0.1"), "loopback");
	assert_string_equal(refused("169.254.169.254"),
	    "link-local (where cloud metadata lives)");
}

static void
test_allow_list(void **state)
{
	const char	*list = "localhost, 127.0.0.1:8444,[::1]:9000,::2,"
			    "api.example.com:443";

	(void)state;
	assert_true(wa_fetch_allowed(list, "localhost", 80));
	assert_true(wa_fetch_allowed(list, "LOCALHOST", 1));
	assert_true(wa_fetch_allowed(list, "127.0.0.1", 8444));
	assert_false(wa_fetch_allowed(list, "127.0.0.1", 8445));
	assert_true(wa_fetch_allowed(list, "::1", 9000));
	assert_false(wa_fetch_allowed(list, "::1", 9001));
	assert_true(wa_fetch_allowed(list, "::2", 80));
	assert_true(wa_fetch_allowed(list, "api.example.com", 443));
	assert_false(wa_fetch_allowed(list, "api.example.com", 80));
	assert_false(wa_fetch_allowed(list, "example.com", 443));
	assert_false(wa_fetch_allowed(list, "127.0.0.2", 8444));
	assert_false(wa_fetch_allowed(NULL, "localhost", 80));
	assert_false(wa_fetch_allowed("", "localhost", 80));
}

static const char *
call(struct wa_arena *a, const char *url, const char *allow,
    const char *hvalue)
{
	struct wa_fetch_opts	 o;
	struct wa_fetch_req	 q;
	struct wa_fetch_resp	 r;
	const char		*names[1] = { "X-Key" };
	const char		*values[1];

	memset(&o, 0, sizeof(o));
	memset(&q, 0, sizeof(q));
	o.timeout_ms = 2000;
	o.max_bytes = 1024;
	o.allow = allow;
	q.method = "GET";
	q.url = url;
	values[0] = hvalue;
	q.names = names;
	q.values = values;
	q.nheaders = hvalue != NULL ? 1 : 0;
	wa_fetch(a, &o, &q, &r);
	return r.error;
}

static void
test_refused_calls(void **state)
{
	struct wa_arena	*a = wa_arena_new(0);
	const char	*e;

	(void)state;
	e = call(a, "http://127.0.0.1:1/x", NULL, NULL);
	assert_non_null(e);
	assert_non_null(strstr(e, "127.0.0.1 of 127.0.0.1 is loopback"));
	e = call(a, "http://169.254.169.254/latest/meta-data/", NULL, NULL);
	assert_non_null(strstr(e, "link-local"));
	e = call(a, "http://[::1]:1/", NULL, NULL);
	assert_non_null(strstr(e, "is loopback"));
	e = call(a, "http://localhost:1/", NULL, NULL);
	assert_non_null(strstr(e, "is loopback"));
	e = call(a, "ftp://8.8.8.8/", NULL, NULL);
	assert_string_equal(e, "only http and https URLs are called");
	e = call(a, "http://8.8.8.8/", NULL, "a\r\nX-Evil: 1");
	assert_non_null(strstr(e, "line break"));
	/* allowed: it gets as far as connecting (port 1: refused) */
	e = call(a, "http://127.0.0.1:1/x", "127.0.0.1", NULL);
	assert_non_null(e);
	assert_null(strstr(e, "loopback"));
	wa_arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_allow_list),
		cmocka_unit_test(test_refused_calls),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
