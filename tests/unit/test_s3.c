/*
 * The S3 client (lib/s3.c): AWS's presigned-URL example as a known
 * vector, then every operation against S3rver, an S3-compatible server
 * in Node (scripts/s3sim.mjs, which adds the SigV4 check S3rver
 * lacks), started on a free loopback port: a put from a file, head, a
 * get into a file, presigned links (good, expired, badly signed), a
 * wrong secret key (SignatureDoesNotMatch), a missing bucket, delete,
 * a get past its limit, and a closed port.
 *
 * The live tests are skipped, with the reason printed, when `node` is
 * not on PATH or tests/e2e/node_modules/s3rver is missing (cd tests/e2e
 * && npm ci).  The server gets its stdin from a pipe and exits when the
 * pipe closes, so a test that dies leaves nothing running.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "arena.h"
#include "buf.h"
#include "helpers.h"
#include "s3.h"

#define BUCKET		"wagate-test"
#define ACCESS		"S3RVER"
#define SECRET		"S3RVER"
#define BIG		(300u * 1024)

static char		 root[PATH_MAX - 64];	/* the repository */
static char		 tmpdir[64];
static char		 srv_log[128];
static char		 endpoint[64];
static const char	*skip_why;	/* the live tests' skip, or NULL */
static pid_t		 srv_pid;
static int		 srv_in = -1;	/* the server's stdin */
static struct wa_req	 r;
static struct wa_cfg	 cfg;
static unsigned		 nkeys;

/* ---- finding and starting S3rver ----------------------------------- */

static int
exists(const char *dir, const char *file)
{
	char	p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", dir, file);
	return access(p, F_OK) == 0;
}

/* The repository: the working directory (make's), or up from the
 * binary (build/tests/, build/asan/tests/). */
static int
find_root(void)
{
	char	*slash;
	ssize_t	 n;
	int	 i;

	if (getcwd(root, sizeof(root)) != NULL &&
	    exists(root, "scripts/s3sim.mjs"))
		return 0;
	n = readlink("/proc/self/exe", root, sizeof(root) - 1);
	if (n <= 0)
		return -1;
	root[n] = '\0';
	for (i = 0; i < 5; i++) {
		if ((slash = strrchr(root, '/')) == NULL)
			return -1;
		*slash = '\0';
		if (exists(root, "scripts/s3sim.mjs"))
			return 0;
	}
	return -1;
}

static int
on_path(const char *prog)
{
	const char	*path = getenv("PATH"), *p, *e;
	char		 f[PATH_MAX];

	for (p = path; p != NULL && *p != '\0'; p = *e != '\0' ? e + 1 : e) {
		e = strchr(p, ':');
		if (e == NULL)
			e = p + strlen(p);
		snprintf(f, sizeof(f), "%.*s/%s", (int)(e - p), p, prog);
		if (access(f, X_OK) == 0)
			return 1;
	}
	return 0;
}

/* The port S3rver prints, or -1 (it exited or took too long). */
static int
read_port(int fd)
{
	struct pollfd	 pfd = { fd, POLLIN, 0 };
	char		 line[32];
	size_t		 len = 0;
	ssize_t		 n;

	while (len < sizeof(line) - 1) {
		if (poll(&pfd, 1, 60 * 1000) <= 0)
			return -1;
		if ((n = read(fd, line + len, 1)) <= 0)
			return -1;
		if (line[len] == '\n') {
			line[len] = '\0';
			return (int)strtol(line, NULL, 10);
		}
		len++;
	}
	return -1;
}

static int
start_server(void)
{
	char	script[PATH_MAX];
	int	in[2], out[2], fd, p;

	snprintf(script, sizeof(script), "%s/scripts/s3sim.mjs", root);
	if (pipe(in) != 0 || pipe(out) != 0)
		return -1;
	fcntl(in[1], F_SETFD, FD_CLOEXEC);	/* only the server holds */
	fcntl(out[0], F_SETFD, FD_CLOEXEC);	/* its ends of the pipes */
	if ((srv_pid = fork()) < 0)
		return -1;
	if (srv_pid == 0) {
		dup2(in[0], STDIN_FILENO);
		dup2(out[1], STDOUT_FILENO);
		close(in[0]);
		close(out[1]);
		if ((fd = open(srv_log, O_WRONLY | O_CREAT | O_APPEND,
		    0600)) >= 0)
			dup2(fd, STDERR_FILENO);
		execlp("node", "node", script, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	srv_in = in[1];
	p = read_port(out[0]);
	close(out[0]);
	if (p <= 0 || p > 65535)
		return -1;
	snprintf(endpoint, sizeof(endpoint), "http://127.0.0.1:%d", p);
	return 0;
}

/* Closes the server's stdin and waits for it: its exit status. */
static int
stop_server(void)
{
	int	st = 0, i;

	if (srv_pid <= 0)
		return 0;
	close(srv_in);
	srv_in = -1;
	for (i = 0; i < 200; i++) {
		if (waitpid(srv_pid, &st, WNOHANG) == srv_pid)
			break;
		usleep(50 * 1000);
	}
	if (i == 200) {
		kill(srv_pid, SIGKILL);
		waitpid(srv_pid, &st, 0);
	}
	srv_pid = 0;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int
group_setup(void **state)
{
	(void)state;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/wa-s3-test.XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	snprintf(srv_log, sizeof(srv_log), "%s/s3rver.log", tmpdir);
	if (find_root() != 0)
		skip_why = "scripts/s3sim.mjs not found (run from the "
		    "repository)";
	else if (!on_path("node"))
		skip_why = "node is not on PATH";
	else if (!exists(root, "tests/e2e/node_modules/s3rver/package.json"))
		skip_why = "tests/e2e/node_modules/s3rver is missing (cd "
		    "tests/e2e && npm ci)";
	if (skip_why != NULL) {
		fprintf(stderr, "test_s3: live tests skipped: %s\n", skip_why);
		return 0;
	}
	if (start_server() != 0) {
		fprintf(stderr, "test_s3: s3rver did not start; its log is "
		    "%s\n", srv_log);
		stop_server();
		return -1;
	}
	return 0;
}

static int
group_teardown(void **state)
{
	int	rc;

	(void)state;
	if ((rc = stop_server()) != 0) {
		fprintf(stderr, "test_s3: s3rver exited with %d; its log is "
		    "%s\n", rc, srv_log);
		return -1;
	}
	unlink(srv_log);
	rmdir(tmpdir);
	curl_global_cleanup();
	return 0;
}

static int
setup(void **state)
{
	(void)state;
	t_cfg_init(&cfg);
	cfg.s3_endpoint = endpoint;
	cfg.s3_bucket = BUCKET;
	cfg.s3_region = "us-east-1";
	cfg.s3_access_key = ACCESS;
	cfg.s3_secret_key = SECRET;
	t_req_init(&r, &cfg);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	t_req_free(&r);
	return 0;
}

#define LIVE() do {							\
	if (skip_why != NULL) {						\
		print_message("skipped: %s\n", skip_why);		\
		skip();							\
	}								\
} while (0)

/* ---- files and keys ------------------------------------------------- */

/* An unlinked temporary file holding len pseudo-random bytes (seed),
 * its offset at the end. */
static int
data_file(size_t len, uint32_t seed)
{
	char		 path[128], buf[4096];
	size_t		 i, n;
	int		 fd;

	snprintf(path, sizeof(path), "%s/data.XXXXXX", tmpdir);
	assert_true((fd = mkstemp(path)) >= 0);
	unlink(path);
	while (len > 0) {
		n = len < sizeof(buf) ? len : sizeof(buf);
		for (i = 0; i < n; i++) {
			seed ^= seed << 13;
			seed ^= seed >> 17;
			seed ^= seed << 5;
			buf[i] = (char)(seed & 0xff);
		}
		assert_int_equal(write(fd, buf, n), (ssize_t)n);
		len -= n;
	}
	return fd;
}

/* 1 if a[aoff..aoff+len) and b[boff..boff+len) hold the same bytes. */
static int
same_bytes(int a, off_t aoff, int b, off_t boff, size_t len)
{
	char	x[4096], y[4096];
	size_t	n;

	while (len > 0) {
		n = len < sizeof(x) ? len : sizeof(x);
		if (pread(a, x, n, aoff) != (ssize_t)n ||
		    pread(b, y, n, boff) != (ssize_t)n ||
		    memcmp(x, y, n) != 0)
			return 0;
		aoff += (off_t)n;
		boff += (off_t)n;
		len -= n;
	}
	return 1;
}

/* A key no other test uses, wagate's shape. */
static const char *
new_key(void)
{
	return wa_arena_printf(r.arena, "media/ab/%d-%u.sha256", (int)getpid(),
	    ++nkeys);
}


static size_t
sink(char *p, size_t sz, size_t n, void *ctx)
{
	return wa_buf_add(ctx, p, sz * n) == WA_OK ? sz * n : 0;
}

/* A plain GET of url (no signing): its status, the body in *b. */
static long
plain_get(const char *url, struct wa_buf *b)
{
	long	code = 0;
	CURL	*c = curl_easy_init();

	wa_buf_init(b, r.arena, 4u << 20);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, b);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_cleanup(c);
	return code;
}

/* r's error is code, with status, and its log detail holds `log`. */
static void
check_err(enum wa_err code, const char *log)
{
	assert_int_equal(r.err.code, code);
	if (log != NULL && strstr(r.err.log_detail, log) == NULL)
		fail_msg("log detail \"%s\" lacks \"%s\"", r.err.log_detail,
		    log);
	wa_req_clear_err(&r);
}

/* ---- without a server ----------------------------------------------- */

/* AWS's example of a presigned URL (Signature Version 4, "Authenticating
 * Requests: Using Query Parameters"), virtual-host style. */
static void
test_presign_vector(void **state)
{
	struct wa_s3_sign	 s;
	const char		*url;

	(void)state;
	s.endpoint = "https://examplebucket.s3.amazonaws.com";
	s.path = "/test.txt";
	s.region = "us-east-1";
	s.access_key = "AKIAIOSFODNN7EXAMPLE";
	s.secret_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
	/* 20130524T000000Z */
	url = wa_s3_presign_url(r.arena, &s, 86400, 1369353600);
	assert_non_null(url);
	assert_string_equal(url, "https://examplebucket.s3.amazonaws.com/"
	    "test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential="
	    "AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2F"
	    "aws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&"
	    "X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109"
	    "b86d86835f995330da4c265957d157751f604d404");

	/* the Host signed: lower case, a default port dropped */
	s.endpoint = "https://ExampleBucket.s3.amazonaws.com:443";
	url = wa_s3_presign_url(r.arena, &s, 86400, 1369353600);
	assert_non_null(strstr(url, "X-Amz-Signature=aeeed9bbccd4d02ee5c0109"
	    "b86d86835f995330da4c265957d157751f604d404"));
	s.endpoint = "https://examplebucket.s3.amazonaws.com:8443";
	url = wa_s3_presign_url(r.arena, &s, 86400, 1369353600);
	assert_null(strstr(url, "aeeed9bbccd4d02ee5c0109"));
}

static void
test_names(void **state)
{
	const char	*url, *want = "https://s3.example.com/" BUCKET
			    "/media/a%20b/c?X-Amz-Algorithm=AWS4-HMAC-SHA256&";
	char		 code[16];

	(void)state;
	assert_string_equal(wa_s3_encode_path(r.arena,
	    "media/a b/\xc3\xa9~+(1)*.bin"),
	    "media/a%20b/%C3%A9~%2B%281%29%2A.bin");
	assert_string_equal(wa_s3_encode_path(r.arena, ""), "");

	/* the public link is path style, the key's segments encoded */
	cfg.s3_endpoint = "https://s3.example.com";
	url = wa_s3_presign_get(&r, "media/a b/c", 60, 1700000000);
	assert_non_null(url);
	assert_true(strncmp(url, want, strlen(want)) == 0);
	assert_non_null(strstr(url, "X-Amz-Credential=" ACCESS
	    "%2F20231114%2Fus-east-1%2Fs3%2Faws4_request&"));
	assert_non_null(strstr(url, "X-Amz-Expires=60&"));
	assert_null(wa_s3_presign_get(&r, "media/a b/c", 0, 1700000000));
	check_err(WA_ERR_INTERNAL, "ttl 0");
	assert_null(wa_s3_presign_get(&r, "media/../c", 60, 1700000000));
	check_err(WA_ERR_INTERNAL, "invalid key");

	assert_int_equal(wa_s3_error_code("<Error><Code>NoSuchKey</Code>",
	    29, code, sizeof(code)), 0);
	assert_string_equal(code, "NoSuchKey");
	assert_int_equal(wa_s3_error_code("<Code>NoSuchKey</Code>", 21, code,
	    sizeof(code)), -1);	/* cut before the end tag */
	assert_string_equal(code, "");
	assert_int_equal(wa_s3_error_code("<Code>A\nB</Code>", 16, code,
	    sizeof(code)), -1);
	assert_int_equal(wa_s3_error_code("<Code>0123456789abcdef</Code>",
	    29, code, sizeof(code)), -1);	/* longer than out */
	assert_int_equal(wa_s3_error_code("<Code></Code>", 13, code,
	    sizeof(code)), -1);
	assert_int_equal(wa_s3_error_code(NULL, 0, code, sizeof(code)), -1);
}

static void
test_not_configured(void **state)
{
	size_t	size;
	int	there;

	(void)state;
	cfg.s3_endpoint = NULL;
	assert_false(wa_s3_configured(&cfg));
	assert_int_equal(wa_s3_put_fd(&r, "media/x", 0, 0, NULL),
	    WA_ERR_UNAVAILABLE);
	assert_int_equal(wa_err_status(r.err.code), 503);
	assert_string_equal(r.err.message,
	    "The media store is not configured");
	wa_req_clear_err(&r);
	assert_int_equal(wa_s3_head(&r, "media/x", &there, &size),
	    WA_ERR_UNAVAILABLE);
	wa_req_clear_err(&r);
	assert_int_equal(wa_s3_get_fd(&r, "media/x", 1, 10, &size),
	    WA_ERR_UNAVAILABLE);
	wa_req_clear_err(&r);
	assert_int_equal(wa_s3_delete(&r, "media/x"), WA_ERR_UNAVAILABLE);
	wa_req_clear_err(&r);
	assert_null(wa_s3_presign_get(&r, "media/x", 60, 1700000000));
	check_err(WA_ERR_UNAVAILABLE, NULL);
	cfg.s3_endpoint = "http://127.0.0.1:1";
	cfg.s3_secret_key = "";
	assert_false(wa_s3_configured(&cfg));
	cfg.s3_secret_key = SECRET;
	assert_true(wa_s3_configured(&cfg));

	/* keys wagate would never make: a bug, before any traffic */
	assert_int_equal(wa_s3_delete(&r, ""), WA_ERR_INTERNAL);
	check_err(WA_ERR_INTERNAL, "invalid key");
	assert_int_equal(wa_s3_delete(&r, "media//x"), WA_ERR_INTERNAL);
	check_err(WA_ERR_INTERNAL, NULL);
	assert_int_equal(wa_s3_delete(&r, "/media/x"), WA_ERR_INTERNAL);
	check_err(WA_ERR_INTERNAL, NULL);
	assert_int_equal(wa_s3_delete(&r, "media/./x"), WA_ERR_INTERNAL);
	check_err(WA_ERR_INTERNAL, NULL);
	assert_int_equal(wa_s3_delete(&r, "media/x\n"), WA_ERR_INTERNAL);
	check_err(WA_ERR_INTERNAL, NULL);
}

static void
test_closed_port(void **state)
{
	char	ep[64];
	size_t	size;
	int	there, fd;

	(void)state;
	snprintf(ep, sizeof(ep), "http://127.0.0.1:%d", t_free_port());
	cfg.s3_endpoint = ep;
	fd = data_file(1000, 7);
	assert_int_equal(wa_s3_put_fd(&r, "media/x", fd, 1000, NULL),
	    WA_ERR_UNAVAILABLE);
	assert_int_equal(wa_err_status(r.err.code), 503);
	check_err(WA_ERR_UNAVAILABLE, "s3 PUT media/x");
	assert_int_equal(wa_s3_head(&r, "media/x", &there, &size),
	    WA_ERR_UNAVAILABLE);
	check_err(WA_ERR_UNAVAILABLE, NULL);
	close(fd);
}

/* ---- against S3rver -------------------------------------------------- */

static void
test_put_head_get(void **state)
{
	const char	*key = new_key();
	size_t		 size = 1;
	int		 fd, out, there = 0;

	(void)state;
	LIVE();
	fd = data_file(BIG, 1);
	assert_int_equal(lseek(fd, 1234, SEEK_SET), 1234);
	assert_int_equal(wa_s3_put_fd(&r, key, fd, BIG, "image/png"), WA_OK);
	assert_int_equal(lseek(fd, 0, SEEK_CUR), 1234);

	assert_int_equal(wa_s3_head(&r, key, &there, &size), WA_OK);
	assert_int_equal(there, 1);
	assert_int_equal(size, BIG);

	out = data_file(3, 2);	/* written from its offset, 3 */
	assert_int_equal(wa_s3_get_fd(&r, key, out, 1u << 20, &size), WA_OK);
	assert_int_equal(size, BIG);
	assert_int_equal(lseek(out, 0, SEEK_CUR), 3 + BIG);
	assert_true(same_bytes(fd, 0, out, 3, BIG));
	assert_int_equal(r.err.code, WA_OK);

	/* the same key again: replaced */
	close(fd);
	fd = data_file(5000, 3);
	assert_int_equal(wa_s3_put_fd(&r, key, fd, 5000, NULL), WA_OK);
	assert_int_equal(wa_s3_head(&r, key, &there, &size), WA_OK);
	assert_int_equal(size, 5000);
	close(fd);
	close(out);
}

/* Empty objects, and keys with bytes to encode. */
static void
test_odd_objects(void **state)
{
	const char	*keys[] = { "media/x y/\xc3\xa9+(1)~!*'.bin",
			    "media/ab/%41;=&?#" };
	size_t		 size = 1, i;
	int		 fd, out, there = 0;

	(void)state;
	LIVE();
	fd = data_file(0, 4);
	assert_int_equal(wa_s3_put_fd(&r, "media/empty", fd, 0, NULL), WA_OK);
	assert_int_equal(wa_s3_head(&r, "media/empty", &there, &size), WA_OK);
	assert_int_equal(there, 1);
	assert_int_equal(size, 0);
	close(fd);

	for (i = 0; i < NELEM(keys); i++) {
		fd = data_file(2000, 5);
		out = data_file(0, 6);
		assert_int_equal(wa_s3_put_fd(&r, keys[i], fd, 2000, NULL),
		    WA_OK);
		assert_int_equal(wa_s3_head(&r, keys[i], &there, &size),
		    WA_OK);
		assert_int_equal(size, 2000);
		assert_int_equal(wa_s3_get_fd(&r, keys[i], out, 2000, &size),
		    WA_OK);
		assert_true(same_bytes(fd, 0, out, 0, 2000));
		assert_int_equal(wa_s3_delete(&r, keys[i]), WA_OK);
		close(fd);
		close(out);
	}
}

static void
test_presigned(void **state)
{
	const char	*key = new_key(), *url;
	struct wa_buf	 b;
	char		*got = wa_arena_alloc(r.arena, BIG);
	int		 fd;

	(void)state;
	LIVE();
	fd = data_file(BIG, 8);
	assert_int_equal(wa_s3_put_fd(&r, key, fd, BIG, NULL), WA_OK);
	assert_int_equal(pread(fd, got, BIG, 0), (ssize_t)BIG);

	url = wa_s3_presign_get(&r, key, 60, (int64_t)time(NULL));
	assert_non_null(url);
	assert_true(strncmp(url, endpoint, strlen(endpoint)) == 0);
	assert_int_equal(plain_get(url, &b), 200);
	assert_int_equal(b.len, BIG);
	assert_memory_equal(b.data, got, BIG);

	/* made an hour ago for a minute */
	url = wa_s3_presign_get(&r, key, 60, (int64_t)time(NULL) - 3600);
	assert_int_equal(plain_get(url, &b), 403);
	assert_non_null(strstr(b.data, "<Code>AccessDenied</Code>"));

	/* signed with another secret; or for another key */
	cfg.s3_secret_key = "not-the-secret";
	url = wa_s3_presign_get(&r, key, 60, (int64_t)time(NULL));
	assert_int_equal(plain_get(url, &b), 403);
	assert_non_null(strstr(b.data, "SignatureDoesNotMatch"));
	cfg.s3_secret_key = SECRET;
	url = wa_s3_presign_get(&r, "media/other", 60, (int64_t)time(NULL));
	url = wa_arena_printf(r.arena, "%s/%s/%s%s", endpoint, BUCKET, key,
	    strchr(url, '?'));
	assert_int_equal(plain_get(url, &b), 403);
	assert_non_null(strstr(b.data, "SignatureDoesNotMatch"));
	assert_int_equal(r.err.code, WA_OK);
	close(fd);
}

static void
test_wrong_secret(void **state)
{
	const char	*key = new_key();
	size_t		 size;
	int		 fd, there;

	(void)state;
	LIVE();
	fd = data_file(BIG, 9);
	cfg.s3_secret_key = "not-the-secret";
	assert_int_equal(wa_s3_put_fd(&r, key, fd, BIG, NULL),
	    WA_ERR_UPSTREAM);
	assert_int_equal(wa_err_status(r.err.code), 502);
	assert_string_equal(r.err.message, "The media store failed");
	check_err(WA_ERR_UPSTREAM, "http=403 code=SignatureDoesNotMatch");
	assert_int_equal(wa_s3_get_fd(&r, key, fd, 10, &size),
	    WA_ERR_UPSTREAM);
	check_err(WA_ERR_UPSTREAM, "code=SignatureDoesNotMatch");
	assert_int_equal(wa_s3_head(&r, key, &there, &size),
	    WA_ERR_UPSTREAM);
	check_err(WA_ERR_UPSTREAM, "http=403");
	assert_int_equal(wa_s3_delete(&r, key), WA_ERR_UPSTREAM);
	check_err(WA_ERR_UPSTREAM, "code=SignatureDoesNotMatch");

	/* an access key S3 does not know */
	cfg.s3_secret_key = SECRET;
	cfg.s3_access_key = "NOBODY";
	assert_int_equal(wa_s3_put_fd(&r, key, fd, BIG, NULL),
	    WA_ERR_UPSTREAM);
	check_err(WA_ERR_UPSTREAM, "code=InvalidAccessKeyId");
	close(fd);
}

static void
test_missing_bucket(void **state)
{
	const char	*key = new_key();
	size_t		 size;
	int		 fd;

	(void)state;
	LIVE();
	fd = data_file(1000, 10);
	cfg.s3_bucket = "wagate-missing";
	assert_int_equal(wa_s3_put_fd(&r, key, fd, 1000, NULL),
	    WA_ERR_UPSTREAM);
	assert_int_equal(wa_err_status(r.err.code), 502);
	check_err(WA_ERR_UPSTREAM, "http=404 code=NoSuchBucket");
	assert_int_equal(wa_s3_get_fd(&r, key, fd, 1000, &size),
	    WA_ERR_UPSTREAM);
	check_err(WA_ERR_UPSTREAM, "code=NoSuchBucket");
	assert_int_equal(wa_s3_delete(&r, key), WA_ERR_UPSTREAM);
	check_err(WA_ERR_UPSTREAM, "code=NoSuchBucket");
	close(fd);
}

static void
test_delete(void **state)
{
	const char	*key = new_key();
	size_t		 size = 1;
	int		 fd, there = 1;

	(void)state;
	LIVE();
	fd = data_file(1000, 11);
	assert_int_equal(wa_s3_put_fd(&r, key, fd, 1000, NULL), WA_OK);
	assert_int_equal(wa_s3_delete(&r, key), WA_OK);
	assert_int_equal(wa_s3_head(&r, key, &there, &size), WA_OK);
	assert_int_equal(there, 0);
	assert_int_equal(size, 0);
	assert_int_equal(wa_s3_delete(&r, key), WA_OK);	/* absent: fine */
	assert_int_equal(wa_s3_get_fd(&r, key, fd, 1000, &size),
	    WA_ERR_NOT_FOUND);
	assert_int_equal(wa_err_status(r.err.code), 404);
	close(fd);
}

static void
test_too_large(void **state)
{
	const char	*key = new_key();
	size_t		 size = 1;
	int		 fd, out;

	(void)state;
	LIVE();
	fd = data_file(BIG, 12);
	assert_int_equal(wa_s3_put_fd(&r, key, fd, BIG, NULL), WA_OK);
	out = data_file(0, 13);
	assert_int_equal(wa_s3_get_fd(&r, key, out, BIG - 1, &size),
	    WA_ERR_TOO_LARGE);
	assert_int_equal(wa_err_status(r.err.code), 413);
	assert_int_equal(size, 0);
	wa_req_clear_err(&r);
	/* the connection is usable after the refusal; exactly max is fine */
	assert_int_equal(ftruncate(out, 0), 0);
	assert_int_equal(lseek(out, 0, SEEK_SET), 0);
	assert_int_equal(wa_s3_get_fd(&r, key, out, BIG, &size), WA_OK);
	assert_int_equal(size, BIG);
	assert_true(same_bytes(fd, 0, out, 0, BIG));
	close(fd);
	close(out);
}

/* A file shorter than the size given: the caller's bug, the transfer
 * aborted.  (What the server keeps of an aborted PUT is the server's:
 * S3 keeps nothing, S3rver sometimes a part, so it is not checked.) */
static void
test_short_file(void **state)
{
	const char	*key = new_key();
	int		 fd;

	(void)state;
	LIVE();
	fd = data_file(1000, 14);
	assert_int_equal(wa_s3_put_fd(&r, key, fd, 2000, NULL),
	    WA_ERR_INTERNAL);
	check_err(WA_ERR_INTERNAL, "shorter than its size");
	close(fd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_presign_vector, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_configured, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_closed_port, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_put_head_get, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_odd_objects, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_presigned, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_wrong_secret, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_missing_bucket, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_delete, setup, teardown),
		cmocka_unit_test_setup_teardown(test_too_large, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_short_file, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
