/* Unit tests for lib/live.c: a publication as nchan's publisher sees it
 * (method, path, type, body over the unix socket) and its answers (201
 * some subscribers, 202 none, anything else an error), a refused
 * channel id, no nginx at the socket.  The publisher is a child process
 * on a socket of the test's own. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "live.h"
#include "helpers.h"

static char	sock_path[108];

/* Answers one request per connection with the status of its turn;
 * writes each request it read (head and body) to fd out. */
static void
serve(int lfd, const int *statuses, int n, int out)
{
	char	buf[8192], resp[128];
	ssize_t	got;
	size_t	len;
	int	i, c;

	for (i = 0; i < n; i++) {
		if ((c = accept(lfd, NULL, NULL)) < 0)
			_exit(1);
		len = 0;
		/* the head and a small body arrive together or soon */
		while (len < sizeof(buf) - 1 && (got = read(c, buf + len,
		    sizeof(buf) - 1 - len)) > 0) {
			len += (size_t)got;
			buf[len] = '\0';
			if (strstr(buf, "\r\n\r\n") != NULL &&
			    strstr(buf, "}") != NULL)
				break;
		}
		snprintf(resp, sizeof(resp), "HTTP/1.1 %d X\r\nContent-Length: "
		    "0\r\nConnection: close\r\n\r\n", statuses[i]);
		if (write(out, buf, len) != (ssize_t)len ||
		    write(out, "\n--\n", 4) != 4 ||
		    write(c, resp, strlen(resp)) != (ssize_t)strlen(resp))
			_exit(1);
		close(c);
	}
	_exit(0);
}

static pid_t
publisher(const int *statuses, int n, int *rd)
{
	struct sockaddr_un	sa;
	int			lfd, p[2];
	pid_t			pid;

	snprintf(sock_path, sizeof(sock_path), "/tmp/wa-test-live.%ld.sock",
	    (long)getpid());
	unlink(sock_path);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock_path);
	assert_true((lfd = socket(AF_UNIX, SOCK_STREAM, 0)) >= 0);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(lfd, 8), 0);
	assert_int_equal(pipe(p), 0);
	if ((pid = fork()) == 0) {
		close(p[0]);
		serve(lfd, statuses, n, p[1]);
	}
	close(lfd);
	close(p[1]);
	*rd = p[0];
	return pid;
}

static void
test_publish(void **state)
{
	static const int	 statuses[] = { 201, 202, 403 };
	struct wa_live		*l;
	char			 err[256], seen[16384];
	ssize_t			 got;
	size_t			 len = 0;
	int			 rd, st;
	pid_t			 pid;

	(void)state;
	pid = publisher(statuses, 3, &rd);
	assert_non_null(l = wa_live_new(sock_path));
	assert_int_equal(wa_live_publish(l, "wc-0193c1e2-aaaa", "{\"a\":1}",
	    7, err, sizeof(err)), 1);
	assert_int_equal(wa_live_publish(l, "wc-b", "{\"b\":2}", 7, err,
	    sizeof(err)), 0);
	assert_int_equal(wa_live_publish(l, "wc-c", "{\"c\":3}", 7, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "nchan answered 403");
	wa_live_free(l);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	while ((got = read(rd, seen + len, sizeof(seen) - 1 - len)) > 0)
		len += (size_t)got;
	seen[len] = '\0';
	close(rd);
	assert_non_null(strstr(seen, "POST /pub/wc-0193c1e2-aaaa HTTP/1.1"));
	assert_non_null(strstr(seen, "Content-Type: application/json"));
	assert_non_null(strstr(seen, "\r\n\r\n{\"a\":1}"));
	assert_non_null(strstr(seen, "POST /pub/wc-b HTTP/1.1"));
	unlink(sock_path);
}

static void
test_refused(void **state)
{
	static const char *const bad[] = {
		"", "wc/1", "wc 1", "../x", "wc-1?x=1", "wc%2f",
		"wc-0123456789abcdef0123456789abcdef0123456789abcdef"
		    "0123456789abcdef",		/* 67: longer than a channel */
	};
	struct wa_live	*l;
	char		 err[256];
	size_t		 i;

	(void)state;
	assert_null(wa_live_new(NULL));
	assert_non_null(l = wa_live_new("/nonexistent/wa-live.sock"));
	for (i = 0; i < NELEM(bad); i++) {
		assert_int_equal(wa_live_publish(l, bad[i], "{}", 2, err,
		    sizeof(err)), -1);
		assert_string_equal(err, "bad channel id");
	}
	/* nobody at the socket */
	assert_int_equal(wa_live_publish(l, "wc-1", "{}", 2, err,
	    sizeof(err)), -1);
	assert_true(strlen(err) > 0);
	wa_live_free(l);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_publish),
		cmocka_unit_test(test_refused),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
