/*
 * libFuzzer target: the multipart/form-data parser core (multipart.h),
 * over the boundary "XyZ".
 *
 * The first byte is the chunk size of the feeds (0: the whole input at
 * once); the low four bits of the second are the part the part callback
 * refuses (0: none); the rest is the body.  The body is also parsed
 * whole, and its first bytes are read as a Content-Type by
 * wa_mp_boundary().
 *
 * Properties: no crash or leak; callbacks come in order (part, data,
 * end), data is never empty and never more in total than the input;
 * what a part announces is bounded and UTF-8; after a failure every
 * feed fails; a finished parse is not inside a part; and the chunking
 * changes nothing: the same callbacks with the same bytes (a running
 * hash), the same verdict and the same message.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "multipart.h"
#include "utf8.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct run {
	struct wa_mp	 mp;
	uint64_t	 hash;
	size_t		 total;		/* data bytes */
	size_t		 size;		/* input bytes */
	size_t		 nparts;
	size_t		 stop_part;
	int		 in_part;
};

static void
mix(struct run *rn, const void *p, size_t n)
{
	const unsigned char	*s = p;
	size_t			 i;

	for (i = 0; i < n; i++)
		rn->hash = (rn->hash ^ s[i]) * 0x100000001b3ULL;
}

static void
check_str(const char *s)
{
	if (s != NULL && (strlen(s) > WA_MP_NAME_MAX ||
	    !wa_utf8_valid(s, strlen(s))))
		__builtin_trap();
}

static int
on_part(void *ctx, const char *name, const char *filename, const char *type)
{
	struct run	*rn = ctx;

	if (rn->in_part || name == NULL || *name == '\0')
		__builtin_trap();
	check_str(name);
	check_str(filename);
	check_str(type);
	if (++rn->nparts == rn->stop_part) {
		wa_mp_stop(&rn->mp, "Too many parts");
		return -1;
	}
	rn->in_part = 1;
	mix(rn, "P", 1);
	mix(rn, name, strlen(name) + 1);
	mix(rn, filename != NULL ? filename : "\1", filename != NULL ?
	    strlen(filename) + 1 : 1);
	mix(rn, type != NULL ? type : "\1", type != NULL ? strlen(type) + 1 :
	    1);
	return 0;
}

static int
on_data(void *ctx, const char *buf, size_t len)
{
	struct run	*rn = ctx;

	if (!rn->in_part || len == 0 || len > rn->size - rn->total)
		__builtin_trap();
	rn->total += len;
	mix(rn, buf, len);
	return 0;
}

static int
on_end(void *ctx)
{
	struct run	*rn = ctx;

	if (!rn->in_part)
		__builtin_trap();
	rn->in_part = 0;
	mix(rn, "E", 1);
	return 0;
}

/* Parses body in pieces of chunk bytes; the verdict. */
static int
parse(struct run *rn, const char *body, size_t len, size_t chunk,
    size_t stop_part)
{
	struct wa_mp_cb	cb = { on_part, on_data, on_end, NULL };
	size_t		off = 0, n;
	int		rc = 0;

	memset(rn, 0, sizeof(*rn));
	rn->size = len;
	rn->stop_part = stop_part;
	cb.ctx = rn;
	wa_mp_init(&rn->mp, "XyZ", &cb);
	while (off < len && rc == 0) {
		n = len - off < chunk ? len - off : chunk;
		rc = wa_mp_feed(&rn->mp, body + off, n);
		off += n;
	}
	if (rc == -1) {
		if (wa_mp_feed(&rn->mp, "\r\n--XyZ--", 9) != -1 ||
		    wa_mp_error(&rn->mp)[0] == '\0')
			__builtin_trap();
	}
	rc = wa_mp_finish(&rn->mp);
	if (rc == 0 && rn->in_part)
		__builtin_trap();
	if (rc == -1 && wa_mp_error(&rn->mp)[0] == '\0')
		__builtin_trap();
	return rc;
}

static void
boundary(const uint8_t *data, size_t size)
{
	char	ct[256], out[WA_MP_BOUNDARY_MAX + 1];
	size_t	n = size < sizeof(ct) - 1 ? size : sizeof(ct) - 1;

	memcpy(ct, data, n);
	ct[n] = '\0';
	if (wa_mp_boundary(ct, out)) {
		n = strlen(out);
		if (n == 0 || n > WA_MP_BOUNDARY_MAX ||
		    strpbrk(out, "\r\n\"\\;") != NULL || out[n - 1] == ' ')
			__builtin_trap();
	} else if (out[0] != '\0')
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct run	 a, b;
	const char		*body;
	size_t			 len, chunk, stop;
	int			 ra, rb;

	if (size < 2 || size > 65536)
		return 0;
	chunk = data[0] != 0 ? data[0] : size;
	stop = data[1] & 15;
	body = (const char *)data + 2;
	len = size - 2;
	boundary(data + 2, len);
	ra = parse(&a, body, len, len > 0 ? len : 1, stop);
	rb = parse(&b, body, len, chunk, stop);
	if (ra != rb || a.hash != b.hash || a.total != b.total ||
	    a.nparts != b.nparts ||
	    strcmp(wa_mp_error(&a.mp), wa_mp_error(&b.mp)) != 0)
		__builtin_trap();
	return 0;
}
