/*
 * Unit tests for lib/multipart.c and lib/mpread.c: the boundary of a
 * Content-Type, the parser core over every split of its input, what it
 * refuses, and wa_mp_read() over a streamed request body.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>

#include "helpers.h"
#include "multipart.h"

#define MIB	(1024 * 1024)

/* ---- wa_mp_boundary ------------------------------------------------ */

static void
test_boundary(void **state)
{
	static const struct {
		const char	*ct;
		const char	*want;	/* NULL: refused */
	} t[] = {
		{ "multipart/form-data; boundary=abc", "abc" },
		{ "multipart/form-data;boundary=----WebKitFormBoundary7MA4YW"
		    "xkTrZu0gW", "----WebKitFormBoundary7MA4YWxkTrZu0gW" },
		{ "Multipart/Form-Data; BOUNDARY=\"a b:c=?\"", "a b:c=?" },
		{ "  multipart/form-data ; charset=utf-8; Boundary=x_y ",
		    "x_y" },
		{ "multipart/form-data; boundary=\"a\\bc\"", "abc" },
		{ "multipart/form-data; boundary=abc; charset=\"utf-8\"",
		    "abc" },
		{ "multipart/form-data; boundary=abc;", "abc" },
		{ "multipart/form-data; boundary='()+_,-./:=?",
		    "'()+_,-./:=?" },
		{ "multipart/form-data; boundary=1234567890123456789012345678"
		    "901234567890123456789012345678901234567890",
		    "1234567890123456789012345678901234567890123456789012345678"
		    "901234567890" },
		{ "multipart/form-data; boundary=1234567890123456789012345678"
		    "9012345678901234567890123456789012345678901", NULL },
		{ "multipart/form-data", NULL },
		{ "multipart/form-data;", NULL },
		{ "multipart/form-data; boundary=", NULL },
		{ "multipart/form-data; boundary=\"\"", NULL },
		{ "multipart/form-data; boundary=\"abc", NULL },
		{ "multipart/form-data; boundary=ab@c", NULL },
		{ "multipart/form-data; boundary=\"ab\\\"c\"", NULL },
		{ "multipart/form-data; boundary=\"abc \"", NULL },
		{ "multipart/form-data; boundary=\"a\tb\"", NULL },
		{ "multipart/form-data; boundary=a\x01z", NULL },
		{ "multipart/form-data; boundary=a; boundary=a", NULL },
		{ "multipart/form-data; boundary = abc", NULL },
		{ "multipart/form-data boundary=abc", NULL },
		{ "multipart/form-dataX; boundary=abc", NULL },
		{ "multipart/mixed; boundary=abc", NULL },
		{ "application/json", NULL },
		{ "", NULL },
	};
	char	out[WA_MP_BOUNDARY_MAX + 1];
	size_t	i;

	(void)state;
	for (i = 0; i < NELEM(t); i++) {
		memset(out, 'x', sizeof(out));
		if (wa_mp_boundary(t[i].ct, out) != (t[i].want != NULL))
			fail_msg("%s: wrong verdict", t[i].ct);
		assert_string_equal(out, t[i].want != NULL ? t[i].want : "");
	}
	assert_int_equal(wa_mp_boundary(NULL, out), 0);
	assert_string_equal(out, "");
}

/* ---- the core ------------------------------------------------------ */

/* What the callbacks saw: "<part name|filename|type>", the data, and
 * "<end>" per part, with ~ for NULL. */
struct rec {
	struct wa_mp	 mp;
	char		 buf[8192];
	size_t		 len;
	int		 in_part;
	size_t		 nparts;
	size_t		 ndata;		/* data callbacks */
	size_t		 stop_part;	/* refuse this part (1-based) */
	int		 stop_data;	/* data returns -1 */
};

static void
rec_add(struct rec *rc, const char *p, size_t n)
{
	assert_true(n <= sizeof(rc->buf) - rc->len);
	memcpy(rc->buf + rc->len, p, n);
	rc->len += n;
}

static int
rec_part(void *ctx, const char *name, const char *filename, const char *type)
{
	struct rec	*rc = ctx;
	char		 s[1024];

	assert_false(rc->in_part);
	if (++rc->nparts == rc->stop_part) {
		wa_mp_stop(&rc->mp, "Too many parts");
		return -1;
	}
	rc->in_part = 1;
	snprintf(s, sizeof(s), "<part %s|%s|%s>", name,
	    filename != NULL ? filename : "~", type != NULL ? type : "~");
	rec_add(rc, s, strlen(s));
	return 0;
}

static int
rec_data(void *ctx, const char *buf, size_t len)
{
	struct rec	*rc = ctx;

	assert_true(rc->in_part);
	assert_true(len > 0);
	if (rc->stop_data)
		return -1;
	rc->ndata++;
	rec_add(rc, buf, len);
	return 0;
}

static int
rec_end(void *ctx)
{
	struct rec	*rc = ctx;

	assert_true(rc->in_part);
	rc->in_part = 0;
	rec_add(rc, "<end>", 5);
	return 0;
}

static void
rec_init(struct rec *rc, const char *boundary)
{
	struct wa_mp_cb	cb = { rec_part, rec_data, rec_end, NULL };

	memset(rc, 0, sizeof(*rc));
	cb.ctx = rc;
	wa_mp_init(&rc->mp, boundary, &cb);
}

/* Feeds body in pieces of chunk bytes (0: whole), then finishes; 0, or
 * -1 at the first failure. */
static int
run(struct rec *rc, const char *body, size_t len, size_t chunk)
{
	size_t	off = 0, n;

	rec_init(rc, "XyZ");
	if (chunk == 0)
		chunk = len;
	while (off < len) {
		n = len - off < chunk ? len - off : chunk;
		if (wa_mp_feed(&rc->mp, body + off, n) == -1)
			return -1;
		off += n;
	}
	return wa_mp_finish(&rc->mp);
}

/* Feeds body in the pieces cut at a and b (a <= b), then finishes. */
static int
run3(struct rec *rc, const char *body, size_t len, size_t a, size_t b)
{
	rec_init(rc, "XyZ");
	if (wa_mp_feed(&rc->mp, body, a) == -1 ||
	    wa_mp_feed(&rc->mp, body + a, b - a) == -1 ||
	    wa_mp_feed(&rc->mp, body + b, len - b) == -1)
		return -1;
	return wa_mp_finish(&rc->mp);
}

#define FILEBYTES \
	"\x00\x01\xff\r\n--Xy\r\n--XyY\r\r\n-\r\n--Xz a--XyZ\n--XyZ\r\r\n--X\r"

static const char body3[] =
    "This is the preamble; --XyZ is not at a line start.\r\n"
    "--XyZ\r\n"
    "Content-Disposition: form-data; name=\"title\"\r\n"
    "\r\n"
    "Hello, world\r\n"
    "--XyZ\r\n"
    "content-disposition: Form-Data; name=\"say \\\"hi\\\"\"\r\n"
    "Content-Type:text/plain; charset=utf-8  \r\n"
    "X-Ignored: yes\r\n"
    "\r\n"
    "line 1\r\nline 2\r\n--Xy\r\n"
    "--XyZ \t\r\n"
    "Content-Disposition: form-data; name=file; filename=\"a b.bin\"\r\n"
    "Content-Type: application/octet-stream\r\n"
    "\r\n"
    FILEBYTES
    "\r\n--XyZ--\r\n"
    "epilogue\r\n--XyZ\r\nnot a part, --XyZ-- ignored\r\n";

static const char want3[] =
    "<part title|~|~>Hello, world<end>"
    "<part say \"hi\"|~|text/plain; charset=utf-8>line 1\r\nline 2\r\n--Xy<end>"
    "<part file|a b.bin|application/octet-stream>" FILEBYTES "<end>";

static void
check3(struct rec *rc, int rv)
{
	if (rv != 0)
		fail_msg("%s", wa_mp_error(&rc->mp));
	assert_int_equal(rc->len, sizeof(want3) - 1);
	assert_memory_equal(rc->buf, want3, sizeof(want3) - 1);
	assert_string_equal(wa_mp_error(&rc->mp), "");
	assert_int_equal(rc->nparts, 3);
	assert_false(rc->in_part);
}

/* The same result whatever the split: whole, byte by byte, every
 * 2-split and a sample of 3-splits. */
static void
test_splits(void **state)
{
	struct rec	rc;
	size_t		len = sizeof(body3) - 1, i, j, c;

	(void)state;
	check3(&rc, run(&rc, body3, len, 0));
	/* fed whole, each part's body comes in one piece */
	assert_int_equal(rc.ndata, 3);
	for (c = 1; c <= 80; c++)
		check3(&rc, run(&rc, body3, len, c));
	for (i = 0; i <= len; i++)
		check3(&rc, run3(&rc, body3, len, i, i));
	for (i = 0; i <= len; i += 3)
		for (j = i; j <= len; j += 7)
			check3(&rc, run3(&rc, body3, len, i, j));
}

/* Bytes that may begin a delimiter are held back, then released. */
static void
test_hold_back(void **state)
{
	static const char	head[] = "--XyZ\r\nContent-Disposition: "
	    "form-data; name=a\r\n\r\n";
	struct rec		rc;

	(void)state;
	rec_init(&rc, "XyZ");
	assert_int_equal(wa_mp_feed(&rc.mp, head, sizeof(head) - 1), 0);
	assert_int_equal(wa_mp_feed(&rc.mp, "body\r\n--Xy", 10), 0);
	assert_int_equal(rc.len, 12 + 4);
	assert_memory_equal(rc.buf, "<part a|~|~>body", 16);
	assert_int_equal(wa_mp_feed(&rc.mp, "Q\r", 2), 0);
	assert_memory_equal(rc.buf, "<part a|~|~>body\r\n--XyQ", 23);
	assert_int_equal(rc.len, 23);
	/* the delimiter split across three feeds */
	assert_int_equal(wa_mp_feed(&rc.mp, "\n-", 2), 0);
	assert_int_equal(wa_mp_feed(&rc.mp, "-XyZ", 4), 0);
	assert_true(rc.in_part == 0);
	assert_int_equal(wa_mp_feed(&rc.mp, "-", 1), 0);
	assert_int_equal(wa_mp_finish(&rc.mp), -1);
	assert_string_equal(wa_mp_error(&rc.mp), "Truncated multipart body");

	rec_init(&rc, "XyZ");
	assert_int_equal(wa_mp_feed(&rc.mp, head, sizeof(head) - 1), 0);
	assert_int_equal(wa_mp_feed(&rc.mp, "\r\n--XyZ--", 9), 0);
	assert_int_equal(wa_mp_finish(&rc.mp), 0);
	assert_int_equal(rc.len, 12 + 5);
	assert_memory_equal(rc.buf, "<part a|~|~><end>", 17);
}

/* Forms that are fine: empty, no preamble, padding, empty values. */
static void
test_good(void **state)
{
	static const struct {
		const char	*body;
		const char	*want;
	} t[] = {
		{ "--XyZ--", "" },
		{ "--XyZ--\r\n", "" },
		{ "pre\r\n--XyZ--garbage", "" },
		{ "--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\n"
		    "\r\n--XyZ--", "<part a|~|~><end>" },
		{ "--XyZ\r\nContent-Disposition: form-data; name=a; "
		    "filename=\"\"\r\n\r\n\r\n--XyZ--",
		    "<part a||~><end>" },
		{ "--XyZ\r\nContent-Disposition:form-data;name=\"\xc3\xa9\";"
		    "filename*=UTF-8''x;filename=\"\xe2\x82\xac.txt\"\r\n\r\n"
		    "v\r\n--XyZ--",
		    "<part \xc3\xa9|\xe2\x82\xac.txt|~>v<end>" },
		{ "--XyZ\r\nContent-Disposition: form-data; name=\"a;b\\\\\""
		    "\t; x=y\r\n\r\nv\r\n--XyZ\r\nContent-Disposition: "
		    "form-data; name=b\r\n\r\nw\r\n--XyZ--",
		    "<part a;b\\|~|~>v<end><part b|~|~>w<end>" },
	};
	struct rec	rc;
	size_t		i;

	(void)state;
	for (i = 0; i < NELEM(t); i++) {
		if (run(&rc, t[i].body, strlen(t[i].body), 0) != 0 ||
		    rc.len != strlen(t[i].want) ||
		    memcmp(rc.buf, t[i].want, rc.len) != 0)
			fail_msg("%zu: %s", i, wa_mp_error(&rc.mp));
		assert_int_equal(run(&rc, t[i].body, strlen(t[i].body), 1), 0);
		assert_memory_equal(rc.buf, t[i].want, rc.len);
	}
}

#define CD	"Content-Disposition: form-data; name=a\r\n"

static void
expect_fail(const char *body, size_t len, const char *why)
{
	struct rec	rc;
	size_t		chunk;

	for (chunk = 0; chunk <= 1; chunk++) {
		if (run(&rc, body, len, chunk) != -1)
			fail_msg("accepted: %s", body);
		if (strstr(wa_mp_error(&rc.mp), why) == NULL)
			fail_msg("%s: got \"%s\", want \"%s\"", body,
			    wa_mp_error(&rc.mp), why);
		assert_int_equal(wa_mp_feed(&rc.mp, "--XyZ--", 7), -1);
		assert_int_equal(wa_mp_finish(&rc.mp), -1);
		assert_non_null(strstr(wa_mp_error(&rc.mp), why));
	}
}

static void
test_malformed(void **state)
{
	static const struct {
		const char	*body;
		const char	*why;
	} t[] = {
		{ "--XyZ\r\nContent-Disposition: form-data; filename=\"x\""
		    "\r\n\r\nabc\r\n--XyZ--", "a part has no name" },
		{ "--XyZ\r\nContent-Disposition: form-data; name=\"\"\r\n\r\n"
		    "abc\r\n--XyZ--", "a part has no name" },
		{ "--XyZ\r\nContent-Type: text/plain\r\n\r\nabc\r\n--XyZ--",
		    "no Content-Disposition: form-data" },
		{ "--XyZ\r\nContent-Disposition: attachment; name=a\r\n\r\n"
		    "\r\n--XyZ--", "not form-data" },
		{ "--XyZ\r\nContent-Disposition: form-data; name=a; name=b"
		    "\r\n\r\n", "name is given twice" },
		{ "--XyZ\r\n" CD CD "\r\n", "two Content-Disposition" },
		{ "--XyZ\r\n" CD "Content-Type: a\r\nContent-Type: b\r\n",
		    "two Content-Type" },
		{ "--XyZ\r\n" CD "Content-Type:  \r\n",
		    "Content-Type is empty" },
		{ "--XyZ\r\nContent-Disposition: form-data; name=\"abc\r\n",
		    "Content-Disposition is malformed" },
		{ "--XyZ\r\nContent-Disposition: form-data; name=\"a\"b\r\n",
		    "Content-Disposition is malformed" },
		{ "--XyZ\r\nContent-Disposition: form-data; name\r\n",
		    "Content-Disposition is malformed" },
		{ "--XyZ\r\nContent-Disposition: form-data; name=\xff\r\n\r\n",
		    "not UTF-8" },
		{ "--XyZ\r\nContent-Disposition: form-data; name=a\n\r\n",
		    "does not end with CRLF" },
		{ "--XyZ\r\nContent-Disposition: form-data; name=a\rx",
		    "bare CR" },
		{ "--XyZ\r\n" CD "X-A: a\x01z\r\n", "control byte" },
		{ "--XyZ\r\n" CD "X-A: a\r\n b\r\n", "folded" },
		{ "--XyZ\r\n" CD "garbage\r\n", "not \"Name: value\"" },
		{ "--XyZ\r\n" CD ": x\r\n", "not \"Name: value\"" },
		{ "--XyZ\r\n" CD "X A: x\r\n", "header's name is malformed" },
		{ "--XyZabc\r\n", "a boundary is followed by other text" },
		{ "--XyZ-x", "a boundary is followed by other text" },
		{ "--XyZ \t-\r\n", "a boundary is followed by other text" },
		{ "--XyZ\n", "a boundary line does not end with CRLF" },
		{ "--XyZ\rx", "a boundary line does not end with CRLF" },
		{ "--XyZ\r\n" CD "\r\nabc\r\n--XyZabc\r\n",
		    "a boundary is followed by other text" },
		{ "pre\r\n--XyZ+\r\n", "a boundary is followed by other text" },
	};
	size_t	i;

	(void)state;
	for (i = 0; i < NELEM(t); i++)
		expect_fail(t[i].body, strlen(t[i].body), t[i].why);
}

/* A header line of 1024 bytes is taken, one of 1025 is not; 16 header
 * lines are taken, 17 are not; names of 255 bytes, not 256. */
static void
test_limits(void **state)
{
	char		 body[4096], pad[1100];
	struct rec	 rc;
	size_t		 i;
	int		 n;

	(void)state;
	memset(pad, 'x', sizeof(pad));
	n = snprintf(body, sizeof(body), "--XyZ\r\n" CD "X-Pad: %.*s\r\n\r\n"
	    "v\r\n--XyZ--", 1024 - 7, pad);
	assert_int_equal(run(&rc, body, (size_t)n, 0), 0);
	n = snprintf(body, sizeof(body), "--XyZ\r\n" CD "X-Pad: %.*s\r\n\r\n"
	    "v\r\n--XyZ--", 1024 - 6, pad);
	expect_fail(body, (size_t)n, "longer than 1024 bytes");

	n = snprintf(body, sizeof(body), "--XyZ\r\n" CD);
	for (i = 1; i < 16; i++)
		n += snprintf(body + n, sizeof(body) - (size_t)n, "X: y\r\n");
	n += snprintf(body + n, sizeof(body) - (size_t)n, "\r\nv\r\n--XyZ--");
	assert_int_equal(run(&rc, body, (size_t)n, 0), 0);
	n = snprintf(body, sizeof(body), "--XyZ\r\n" CD);
	for (i = 1; i < 17; i++)
		n += snprintf(body + n, sizeof(body) - (size_t)n, "X: y\r\n");
	n += snprintf(body + n, sizeof(body) - (size_t)n, "\r\nv\r\n--XyZ--");
	expect_fail(body, (size_t)n, "more than 16 header lines");

	n = snprintf(body, sizeof(body), "--XyZ\r\nContent-Disposition: "
	    "form-data; name=\"%.*s\"; filename=%.*s\r\n\r\nv\r\n--XyZ--",
	    255, pad, 255, pad);
	assert_int_equal(run(&rc, body, (size_t)n, 0), 0);
	n = snprintf(body, sizeof(body), "--XyZ\r\nContent-Disposition: "
	    "form-data; name=\"%.*s\"\r\n\r\nv\r\n--XyZ--", 256, pad);
	expect_fail(body, (size_t)n, "name is longer than 255 bytes");
	n = snprintf(body, sizeof(body), "--XyZ\r\nContent-Disposition: "
	    "form-data; name=a; filename=%.*s\r\n\r\nv\r\n--XyZ--", 256, pad);
	expect_fail(body, (size_t)n, "filename is longer than 255 bytes");
	n = snprintf(body, sizeof(body), "--XyZ\r\n" CD "Content-Type: %.*s"
	    "\r\n\r\nv\r\n--XyZ--", 256, pad);
	expect_fail(body, (size_t)n, "Content-Type is longer than 255 bytes");
}

static void
test_truncated(void **state)
{
	static const char *const t[] = {
		"",
		"preamble only\r\n",
		"--XyZ",
		"--XyZ\r\n",
		"--XyZ\r\n" CD,
		"--XyZ\r\n" CD "\r\nabc",
		"--XyZ\r\n" CD "\r\nabc\r\n--Xy",
		"--XyZ\r\n" CD "\r\nabc\r\n--XyZ",
		"--XyZ\r\n" CD "\r\nabc\r\n--XyZ-",
		"--XyZ\r\n" CD "\r\nabc\r\n--XyZ\r\n",
	};
	struct rec	rc;
	size_t		i;

	(void)state;
	for (i = 0; i < NELEM(t); i++) {
		assert_int_equal(run(&rc, t[i], strlen(t[i]), 0), -1);
		assert_string_equal(wa_mp_error(&rc.mp),
		    "Truncated multipart body");
	}
}

/* Callbacks stop the parse; a boundary that is not one stops it too. */
static void
test_stop(void **state)
{
	struct rec	rc;

	(void)state;
	rec_init(&rc, "XyZ");
	rc.stop_part = 2;
	assert_int_equal(wa_mp_feed(&rc.mp, body3, sizeof(body3) - 1), -1);
	assert_string_equal(wa_mp_error(&rc.mp), "Too many parts");
	assert_int_equal(rc.nparts, 2);
	assert_int_equal(wa_mp_feed(&rc.mp, "x", 1), -1);
	assert_int_equal(wa_mp_finish(&rc.mp), -1);
	assert_string_equal(wa_mp_error(&rc.mp), "Too many parts");

	rec_init(&rc, "XyZ");
	rc.stop_data = 1;
	assert_int_equal(wa_mp_feed(&rc.mp, body3, sizeof(body3) - 1), -1);
	assert_string_equal(wa_mp_error(&rc.mp),
	    "Multipart body refused by its reader");

	rec_init(&rc, "");
	assert_int_equal(wa_mp_feed(&rc.mp, "--", 2), -1);
	assert_string_equal(wa_mp_error(&rc.mp),
	    "Malformed multipart body: no usable boundary");
	rec_init(&rc, "a\r\nb");
	assert_int_equal(wa_mp_feed(&rc.mp, "--", 2), -1);
	rec_init(&rc, NULL);
	assert_int_equal(wa_mp_finish(&rc.mp), -1);
}

/* ---- wa_mp_read ---------------------------------------------------- */

/* A request whose body streams from memory, chunk bytes a read. */
struct upload {
	char		 cl[64];
	char		 ct[256];
	char		*env[5];
	struct t_mem	 m;
	struct wa_cfg	 cfg;
	struct wa_req	 r;
	char		 dir[64];
	struct wa_mp_limits lim;
	struct wa_mp_form form;
};

static void
up_init(struct upload *u)
{
	memset(u, 0, sizeof(*u));
	t_cfg_init(&u->cfg);
	t_req_init(&u->r, &u->cfg);
	snprintf(u->dir, sizeof(u->dir), "/tmp/wa-test-mp-XXXXXX");
	assert_non_null(mkdtemp(u->dir));
	u->lim.file_max = 5 * MIB;
	u->lim.value_max = 4096;
	u->lim.fields_max = 4;
	u->lim.spool_dir = u->dir;
}

/* The spool directory is empty: every spool file was unlinked. */
static void
up_free(struct upload *u)
{
	DIR		*d;
	struct dirent	*e;

	t_req_free(&u->r);
	assert_non_null(d = opendir(u->dir));
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			fail_msg("left in the spool: %s", e->d_name);
	closedir(d);
	assert_int_equal(rmdir(u->dir), 0);
}

static enum wa_err
up_read(struct upload *u, const char *ct, const char *body, size_t len,
    size_t sent, size_t chunk)
{
	snprintf(u->cl, sizeof(u->cl), "CONTENT_LENGTH=%zu", len);
	snprintf(u->ct, sizeof(u->ct), "CONTENT_TYPE=%s", ct);
	u->env[0] = "REQUEST_METHOD=POST";
	u->env[1] = "REQUEST_URI=/v1/upload";
	u->env[2] = u->cl;
	u->env[3] = u->ct;
	u->env[4] = NULL;
	u->m.p = body;
	u->m.len = sent;
	u->m.chunk = chunk;
	assert_int_equal(wa_req_parse_head(&u->r, u->env, t_mem_read, &u->m),
	    WA_OK);
	return wa_mp_read(&u->r, &u->lim, &u->form);
}

#define CT	"multipart/form-data; boundary=XyZ"

static void
check_file(int fd, const char *want, size_t len)
{
	char	buf[256];

	assert_true(len < sizeof(buf));
	assert_int_equal(lseek(fd, 0, SEEK_CUR), 0);
	assert_int_equal(read(fd, buf, sizeof(buf)), (ssize_t)len);
	assert_memory_equal(buf, want, len);
}

static void
check_form(const struct wa_mp_form *f)
{
	const struct wa_mp_field	*x;

	assert_int_equal(f->nfields, 3);
	assert_non_null(x = wa_mp_get(f, "title"));
	assert_ptr_equal(x, &f->fields[0]);
	assert_string_equal(x->value, "Hello, world");
	assert_int_equal(x->size, 12);
	assert_null(x->filename);
	assert_null(x->content_type);
	assert_int_equal(x->fd, -1);
	assert_non_null(x = wa_mp_get(f, "say \"hi\""));
	assert_string_equal(x->value, "line 1\r\nline 2\r\n--Xy");
	assert_string_equal(x->content_type, "text/plain; charset=utf-8");
	assert_non_null(x = wa_mp_get(f, "file"));
	assert_string_equal(x->filename, "a b.bin");
	assert_string_equal(x->content_type, "application/octet-stream");
	assert_null(x->value);
	assert_int_equal(x->size, sizeof(FILEBYTES) - 1);
	assert_true(x->fd >= 0);
	check_file(x->fd, FILEBYTES, sizeof(FILEBYTES) - 1);
	assert_null(wa_mp_get(f, "nope"));
}

static void
test_read(void **state)
{
	struct upload	u;
	size_t		chunk;
	int		fd;

	(void)state;
	for (chunk = 1; chunk < 100; chunk += 13) {
		up_init(&u);
		assert_int_equal(up_read(&u, CT, body3, sizeof(body3) - 1,
		    sizeof(body3) - 1, chunk), WA_OK);
		check_form(&u.form);
		fd = u.form.fields[2].fd;
		up_free(&u);
		/* the reset closed it */
		assert_int_equal(fcntl(fd, F_GETFD), -1);
		assert_int_equal(errno, EBADF);
	}

	/* a body already read whole (wa_req_parse) is read from memory */
	up_init(&u);
	u.cfg.body_max = 4096;
	snprintf(u.cl, sizeof(u.cl), "CONTENT_LENGTH=%zu", sizeof(body3) - 1);
	u.env[0] = u.cl;
	u.env[1] = "CONTENT_TYPE=" CT;
	assert_int_equal(t_req_parse(&u.r, u.env, body3, sizeof(body3) - 1),
	    WA_OK);
	assert_int_equal(wa_mp_read(&u.r, &u.lim, &u.form), WA_OK);
	check_form(&u.form);
	up_free(&u);

	/* the spool directory from TMPDIR */
	up_init(&u);
	u.lim.spool_dir = NULL;
	assert_int_equal(setenv("TMPDIR", u.dir, 1), 0);
	assert_int_equal(up_read(&u, CT, body3, sizeof(body3) - 1,
	    sizeof(body3) - 1, 0), WA_OK);
	check_form(&u.form);
	unsetenv("TMPDIR");
	up_free(&u);
}

static void
expect_read(const char *ct, const char *body, size_t len, size_t sent,
    size_t fields_max, size_t file_max, enum wa_err code, const char *msg)
{
	struct upload	u;

	up_init(&u);
	u.lim.fields_max = fields_max;
	u.lim.file_max = file_max;
	if (up_read(&u, ct, body, len, sent, 5) != code)
		fail_msg("got %d \"%s\"", u.r.err.code, u.r.err.message);
	assert_int_equal(u.r.err.code, code);
	assert_string_equal(u.r.err.message, msg);
	up_free(&u);
}

static void
test_read_errors(void **state)
{
	static const char	ct_msg[] = "Content-Type must be "
	    "multipart/form-data with a boundary";
	static const char	two[] = "--XyZ\r\n" CD "\r\n1\r\n--XyZ\r\n"
	    CD "\r\n2\r\n--XyZ--";
	size_t			len = sizeof(body3) - 1;

	(void)state;
	expect_read("application/json", body3, len, len, 4, MIB,
	    WA_ERR_UNSUPPORTED_MEDIA, ct_msg);
	expect_read("multipart/form-data", body3, len, len, 4, MIB,
	    WA_ERR_UNSUPPORTED_MEDIA, ct_msg);
	expect_read("multipart/form-data; boundary=a@b", body3, len, len, 4,
	    MIB, WA_ERR_UNSUPPORTED_MEDIA, ct_msg);
	/* the stream ends before Content-Length */
	expect_read(CT, body3, len, len - 20, 4, MIB, WA_ERR_BAD_REQUEST,
	    "Truncated request body");
	/* Content-Length ends before the closing boundary */
	expect_read(CT, body3, 300, 300, 4, MIB, WA_ERR_BAD_REQUEST,
	    "Truncated multipart body");
	expect_read(CT, "--XyZ\r\nX: y\r\n\r\n--XyZ--", 22, 22, 4, MIB,
	    WA_ERR_BAD_REQUEST, "Malformed multipart body: a part has no "
	    "Content-Disposition: form-data header");
	expect_read(CT, body3, len, len, 2, MIB, WA_ERR_TOO_LARGE,
	    "Too many parts in the form (at most 2)");
	expect_read(CT, two, sizeof(two) - 1, sizeof(two) - 1, 2, MIB,
	    WA_OK, "");
	expect_read(CT, two, sizeof(two) - 1, sizeof(two) - 1, 1, MIB,
	    WA_ERR_TOO_LARGE, "Too many parts in the form (at most 1)");
	/* 0 or more than WA_MP_FIELDS_MAX: WA_MP_FIELDS_MAX */
	expect_read(CT, body3, len, len, 0, MIB, WA_OK, "");
	expect_read(CT, body3, len, len, 99, MIB, WA_OK, "");
	expect_read(CT, body3, len, len, 4, sizeof(FILEBYTES) - 1, WA_OK, "");
	expect_read(CT, body3, len, len, 4, sizeof(FILEBYTES) - 2,
	    WA_ERR_TOO_LARGE, "File exceeds 45 bytes");
	expect_read(CT, body3, len, len, 4, 0, WA_ERR_TOO_LARGE,
	    "File exceeds 0 bytes");
}

static void
test_read_limits(void **state)
{
	static const char	head[] = "--XyZ\r\nContent-Disposition: "
	    "form-data; name=f; filename=big\r\n\r\n";
	static const char	tail[] = "\r\n--XyZ--";
	struct upload		u;
	static char		 pad[4200];
	char			*body, text[4200];
	size_t			 len;
	int			 n;

	(void)state;
	/* a file of exactly file_max, then one byte more */
	len = sizeof(head) - 1 + MIB + 1 + sizeof(tail) - 1;
	assert_non_null(body = malloc(len));
	memcpy(body, head, sizeof(head) - 1);
	memset(body + sizeof(head) - 1, 'z', MIB + 1);
	memcpy(body + len - (sizeof(tail) - 1), tail, sizeof(tail) - 1);
	expect_read(CT, body, len, len, 4, MIB + 1, WA_OK, "");
	expect_read(CT, body, len, len, 4, MIB, WA_ERR_TOO_LARGE,
	    "File exceeds 1 MB");
	up_init(&u);
	u.lim.file_max = MIB + 1;
	assert_int_equal(up_read(&u, CT, body, len, len, 0), WA_OK);
	assert_int_equal(u.form.fields[0].size, MIB + 1);
	assert_int_equal(lseek(u.form.fields[0].fd, 0, SEEK_END), MIB + 1);
	up_free(&u);
	free(body);

	/* a text part of value_max, then one byte more */
	memset(pad, 'v', sizeof(pad));
	n = snprintf(text, sizeof(text), "--XyZ\r\n" CD "\r\n%.*s\r\n--XyZ--",
	    4096, pad);
	expect_read(CT, text, (size_t)n, (size_t)n, 4, MIB, WA_OK, "");
	n = snprintf(text, sizeof(text), "--XyZ\r\n" CD "\r\n%.*s\r\n--XyZ--",
	    4097, pad);
	expect_read(CT, text, (size_t)n, (size_t)n, 4, MIB, WA_ERR_TOO_LARGE,
	    "Field \"a\" exceeds 4096 bytes");

	/* a spool directory that cannot be written: 500, logged */
	up_init(&u);
	u.lim.spool_dir = "/nonexistent/wa-test";
	assert_int_equal(up_read(&u, CT, body3, sizeof(body3) - 1,
	    sizeof(body3) - 1, 0), WA_ERR_INTERNAL);
	assert_string_equal(u.r.err.message, "Internal error");
	assert_non_null(strstr(u.r.err.log_detail,
	    "multipart spool in /nonexistent/wa-test: open: "));
	up_free(&u);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_boundary),
		cmocka_unit_test(test_splits),
		cmocka_unit_test(test_hold_back),
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_stop),
		cmocka_unit_test(test_read),
		cmocka_unit_test(test_read_errors),
		cmocka_unit_test(test_read_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
