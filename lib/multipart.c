/*
 * The core of multipart.h: an incremental multipart/form-data parser
 * (RFC 7578, RFC 2046) that keeps nothing of the body but what it must.
 *
 * A part's body ends at the delimiter "\r\n--boundary".  Bytes that may
 * be the start of one are held back and released as data when they
 * turn out not to be; since the boundary holds neither CR nor LF, the
 * bytes held are always the first `match` bytes of the delimiter
 * itself, so nothing needs copying and a CR is the only byte that can
 * restart a match.  The body is taken as if preceded by CRLF, so that a
 * first boundary at its very start is found like any other.
 *
 * What is refused rather than guessed at: a boundary followed by
 * anything but "--", transport padding and CRLF; header lines that do
 * not end in CRLF, hold control bytes, are folded or too long; a part
 * without Content-Disposition: form-data and a name; a name, filename
 * or content type that is not UTF-8.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "multipart.h"
#include "utf8.h"

enum state {
	S_PREAMBLE = 0,	/* before the first boundary: ignored */
	S_AFTER,	/* "--boundary" seen: "--", padding or CRLF next */
	S_DASH,		/* "--boundary-" */
	S_PAD,		/* transport padding after a boundary */
	S_LF,		/* the CR ending a boundary line */
	S_HEADER,	/* a part's header lines */
	S_BODY,		/* a part's body */
	S_EPILOGUE,	/* after "--boundary--": ignored */
	S_FAILED
};

#define MALFORMED	"Malformed multipart body: "

static void
fail(struct wa_mp *mp, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The first failure: "Malformed multipart body: " and why. */
static void
fail(struct wa_mp *mp, const char *fmt, ...)
{
	va_list	ap;
	size_t	n = sizeof(MALFORMED) - 1;

	if (mp->state == S_FAILED)
		return;
	memcpy(mp->error, MALFORMED, n);
	va_start(ap, fmt);
	vsnprintf(mp->error + n, sizeof(mp->error) - n, fmt, ap);
	va_end(ap);
	mp->state = S_FAILED;
}

/* After a callback: -1 if the parse is over, by the callback's word. */
static int
called(struct wa_mp *mp, int rc)
{
	if (rc != 0 && mp->state != S_FAILED)
		wa_mp_stop(mp, "Multipart body refused by its reader");
	return mp->state == S_FAILED ? -1 : 0;
}

void
wa_mp_stop(struct wa_mp *mp, const char *msg)
{
	size_t	n;

	if (mp->state == S_FAILED)
		return;
	n = wa_utf8_cut(msg, strlen(msg), sizeof(mp->error) - 1);
	memcpy(mp->error, msg, n);
	mp->error[n] = '\0';
	mp->state = S_FAILED;
}

const char *
wa_mp_error(const struct wa_mp *mp)
{
	return mp->error;
}

static int
is_ows(char c)
{
	return c == ' ' || c == '\t';
}

static const char *
skip_ows(const char *p)
{
	while (is_ows(*p))
		p++;
	return p;
}

/* A tchar of RFC 9110: what header and parameter names are made of. */
static int
is_tchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (c != '\0' &&
	    strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static int
is_ctl(char c)
{
	return ((unsigned char)c < 0x20 && c != '\t') || c == 0x7f;
}

/* The bchars of RFC 2046, a space never last; 1 to 70 of them. */
static int
valid_boundary(const char *b, size_t n)
{
	size_t	i;
	char	c;

	if (n == 0 || n > WA_MP_BOUNDARY_MAX || b[n - 1] == ' ')
		return 0;
	for (i = 0; i < n; i++) {
		c = b[i];
		if (!(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') &&
		    !(c >= '0' && c <= '9') &&
		    (c == '\0' || strchr("'()+_,-./:=? ", c) == NULL))
			return 0;
	}
	return 1;
}

/*
 * A parameter's value at *pp, a quoted string (backslash escapes any
 * byte) or a bare run of bytes up to ';' or white space, copied into
 * out[0..outsz) with a NUL (out NULL: skipped); *pp moves past it.
 * 0, -1 if malformed (empty bare value, unterminated quote, a control
 * byte), -2 if it does not fit.
 */
static int
param(const char **pp, char *out, size_t outsz)
{
	const char	*p = *pp;
	size_t		 n = 0;
	int		 quoted = *p == '"';
	char		 c;

	if (quoted)
		p++;
	for (;;) {
		c = *p;
		if (c == '\0' && quoted)
			return -1;
		if (c == '\0' || (!quoted && (c == ';' || is_ows(c))))
			break;
		if (is_ctl(c) || (!quoted && (c == '"' || c == '\\')))
			return -1;
		p++;
		if (quoted && c == '"')
			break;
		if (quoted && c == '\\') {
			if (*p == '\0' || is_ctl(*p))
				return -1;
			c = *p++;
		}
		if (out != NULL && n + 1 >= outsz)
			return -2;
		if (out != NULL)
			out[n] = c;
		n++;
	}
	if (!quoted && n == 0)
		return -1;
	if (out != NULL)
		out[n] = '\0';
	*pp = p;
	return 0;
}

/*
 * The next "; name=value" of a header value at *pp: the name's start
 * and length in *name, *len (*len 0: the end of the value); the caller
 * then reads the value with param().  -1 if malformed.
 */
static int
next_param(const char **pp, const char **name, size_t *len)
{
	const char	*p = skip_ows(*pp);
	size_t		 n = 0;

	*len = 0;
	if (*p == '\0') {
		*pp = p;
		return 0;
	}
	if (*p++ != ';')
		return -1;
	p = skip_ows(p);
	if (*p == '\0') {
		*pp = p;
		return 0;
	}
	while (is_tchar(p[n]))
		n++;
	if (n == 0 || p[n] != '=')
		return -1;
	*name = p;
	*len = n;
	*pp = p + n + 1;
	return 0;
}

static int
is_name(const char *s, size_t n, const char *want)
{
	return n == strlen(want) && strncasecmp(s, want, n) == 0;
}

int
wa_mp_boundary(const char *ct, char out[WA_MP_BOUNDARY_MAX + 1])
{
	static const char	 type[] = "multipart/form-data";
	char			 b[WA_MP_BOUNDARY_MAX + 1];
	const char		*p, *name;
	size_t			 n;
	int			 found = 0;

	out[0] = '\0';
	if (ct == NULL)
		return 0;
	p = skip_ows(ct);
	if (strncasecmp(p, type, sizeof(type) - 1) != 0)
		return 0;
	p += sizeof(type) - 1;
	for (;;) {
		if (next_param(&p, &name, &n) == -1)
			return 0;
		if (n == 0)
			break;
		if (!is_name(name, n, "boundary")) {
			if (param(&p, NULL, 0) != 0)
				return 0;
			continue;
		}
		if (found++ || param(&p, b, sizeof(b)) != 0)
			return 0;
	}
	if (!found || !valid_boundary(b, strlen(b)))
		return 0;
	memcpy(out, b, strlen(b) + 1);
	return 1;
}

void
wa_mp_init(struct wa_mp *mp, const char *boundary, const struct wa_mp_cb *cb)
{
	size_t	n = boundary != NULL ? strlen(boundary) : 0;

	memset(mp, 0, sizeof(*mp));
	if (cb != NULL)
		mp->cb = *cb;
	if (!valid_boundary(boundary, n)) {
		fail(mp, "no usable boundary");
		return;
	}
	memcpy(mp->delim, "\r\n--", 4);
	memcpy(mp->delim + 4, boundary, n);
	mp->dlen = 4 + n;
	mp->match = 2;		/* the CRLF before the body */
	mp->state = S_PREAMBLE;
}

/* One parameter of Content-Disposition into buf; -1 if it failed. */
static int
disposition_param(struct wa_mp *mp, const char **pp, char *buf, int *seen,
    const char *what)
{
	int	rc;

	if ((*seen)++) {
		fail(mp, "a part's %s is given twice", what);
		return -1;
	}
	if ((rc = param(pp, buf, WA_MP_NAME_MAX + 1)) == -2)
		fail(mp, "a part's %s is longer than %d bytes", what,
		    WA_MP_NAME_MAX);
	else if (rc != 0)
		fail(mp, "a part's Content-Disposition is malformed");
	return rc != 0 ? -1 : 0;
}

/* Content-Disposition: form-data; name="..."; filename="..." */
static void
disposition(struct wa_mp *mp, const char *v)
{
	const char	*name;
	size_t		 n;
	int		 seen_name = 0;

	if (mp->has_cd++) {
		fail(mp, "a part has two Content-Disposition headers");
		return;
	}
	n = strcspn(v, "; \t");
	if (!is_name(v, n, "form-data")) {
		fail(mp, "a part's Content-Disposition is not form-data");
		return;
	}
	v += n;
	for (;;) {
		if (next_param(&v, &name, &n) == -1) {
			fail(mp, "a part's Content-Disposition is malformed");
			return;
		}
		if (n == 0)
			break;
		if (is_name(name, n, "name")) {
			if (disposition_param(mp, &v, mp->name, &seen_name,
			    "name") == -1)
				return;
		} else if (is_name(name, n, "filename")) {
			if (disposition_param(mp, &v, mp->filename,
			    &mp->has_filename, "filename") == -1)
				return;
		} else if (param(&v, NULL, 0) != 0) {
			fail(mp, "a part's Content-Disposition is malformed");
			return;
		}
	}
}

/* One complete header line, NUL-terminated, without its CRLF. */
static void
header(struct wa_mp *mp, char *line, size_t len)
{
	char	*colon, *v, *end;
	size_t	 i;

	if (is_ows(line[0])) {
		fail(mp, "folded part header lines are not supported");
		return;
	}
	if ((colon = memchr(line, ':', len)) == NULL || colon == line) {
		fail(mp, "a part header line is not \"Name: value\"");
		return;
	}
	for (i = 0; line + i < colon; i++)
		if (!is_tchar(line[i])) {
			fail(mp, "a part header's name is malformed");
			return;
		}
	v = (char *)skip_ows(colon + 1);
	for (end = line + len; end > v && is_ows(end[-1]); end--)
		continue;
	*end = '\0';
	if (is_name(line, (size_t)(colon - line), "content-disposition"))
		disposition(mp, v);
	else if (is_name(line, (size_t)(colon - line), "content-type")) {
		if (mp->has_type++)
			fail(mp, "a part has two Content-Type headers");
		else if (*v == '\0')
			fail(mp, "a part's Content-Type is empty");
		else if ((size_t)(end - v) > WA_MP_NAME_MAX)
			fail(mp, "a part's Content-Type is longer than %d "
			    "bytes", WA_MP_NAME_MAX);
		else
			memcpy(mp->type, v, (size_t)(end - v) + 1);
	}
}

/* The blank line after a part's headers: the part begins. */
static void
headers_done(struct wa_mp *mp)
{
	int	rc = 0;

	if (!mp->has_cd) {
		fail(mp, "a part has no Content-Disposition: form-data "
		    "header");
		return;
	}
	if (mp->name[0] == '\0') {
		fail(mp, "a part has no name");
		return;
	}
	if (!wa_utf8_valid(mp->name, strlen(mp->name)) ||
	    !wa_utf8_valid(mp->filename, strlen(mp->filename)) ||
	    !wa_utf8_valid(mp->type, strlen(mp->type))) {
		fail(mp, "a part's name, filename or Content-Type is not "
		    "UTF-8");
		return;
	}
	if (mp->cb.part != NULL)
		rc = mp->cb.part(mp->cb.ctx, mp->name,
		    mp->has_filename ? mp->filename : NULL,
		    mp->has_type ? mp->type : NULL);
	if (called(mp, rc) == 0) {
		mp->state = S_BODY;
		mp->match = 0;
	}
}

static void
line_done(struct wa_mp *mp)
{
	size_t	len = mp->linelen;

	mp->line[len] = '\0';
	mp->linelen = 0;
	if (len == 0)
		headers_done(mp);
	else if (++mp->nlines > WA_MP_LINES_MAX)
		fail(mp, "a part has more than %d header lines",
		    WA_MP_LINES_MAX);
	else
		header(mp, mp->line, len);
}

/* Header bytes, up to the end of one line; returns the bytes used. */
static size_t
header_bytes(struct wa_mp *mp, const char *p, size_t n)
{
	size_t	i;
	char	c;

	for (i = 0; i < n; i++) {
		c = p[i];
		if (mp->cr) {
			mp->cr = 0;
			if (c != '\n')
				fail(mp, "a part header line holds a bare CR");
			else
				line_done(mp);
			return i + 1;
		}
		if (c == '\r')
			mp->cr = 1;
		else if (c == '\n') {
			fail(mp, "a part header line does not end with CRLF");
			return i + 1;
		} else if (is_ctl(c)) {
			fail(mp, "a part header holds a control byte");
			return i + 1;
		} else if (mp->linelen == WA_MP_LINE_MAX) {
			fail(mp, "a part header line is longer than %d "
			    "bytes", WA_MP_LINE_MAX);
			return i + 1;
		} else
			mp->line[mp->linelen++] = c;
	}
	return n;
}

/* Body bytes to the callback; the preamble's go nowhere. */
static int
emit(struct wa_mp *mp, const char *p, size_t n)
{
	if (mp->state != S_BODY || n == 0 || mp->cb.data == NULL)
		return 0;
	return called(mp, mp->cb.data(mp->cb.ctx, p, n));
}

/* The delimiter is complete: the body before it, if any, has ended. */
static void
delimiter(struct wa_mp *mp)
{
	int	rc = 0;

	mp->match = 0;
	if (mp->state == S_BODY && mp->cb.end != NULL)
		rc = mp->cb.end(mp->cb.ctx);
	if (called(mp, rc) == 0)
		mp->state = S_AFTER;
}

/*
 * Preamble or body bytes, up to the end of the next delimiter; returns
 * the bytes used.  A match held from the last feed is settled first;
 * then memchr() goes from CR to CR, and the data between delimiters
 * goes out in one piece per feed.
 */
static size_t
scan(struct wa_mp *mp, const char *p, size_t n)
{
	const char	*cr;
	size_t		 i = 0, from, k, m;

	while (mp->match > 0 && i < n) {
		if (p[i] == mp->delim[mp->match]) {
			i++;
			if (++mp->match == mp->dlen) {
				delimiter(mp);
				return i;
			}
		} else {
			/* held back for nothing: data after all, and p[i]
			 * is looked at again */
			if (emit(mp, mp->delim, mp->match) == -1)
				return n;
			mp->match = 0;
		}
	}
	for (from = i; i < n; i = k + 1) {
		if ((cr = memchr(p + i, '\r', n - i)) == NULL)
			break;
		k = (size_t)(cr - p);
		m = n - k < mp->dlen ? n - k : mp->dlen;
		if (memcmp(cr, mp->delim, m) != 0)
			continue;
		/* a delimiter, or what may begin one at the end */
		if (emit(mp, p + from, k - from) == -1)
			return n;
		mp->match = m;
		if (m < mp->dlen)
			return n;
		delimiter(mp);
		return k + m;
	}
	emit(mp, p + from, n - from);
	return n;
}

/* The bytes that follow a boundary, one at a time. */
static void
after(struct wa_mp *mp, char c)
{
	switch (mp->state) {
	case S_AFTER:
	case S_PAD:
		if (c == '-' && mp->state == S_AFTER)
			mp->state = S_DASH;
		else if (is_ows(c))
			mp->state = S_PAD;
		else if (c == '\r')
			mp->state = S_LF;
		else if (c == '\n')
			fail(mp, "a boundary line does not end with CRLF");
		else
			fail(mp, "a boundary is followed by other text");
		break;
	case S_DASH:
		if (c == '-')
			mp->state = S_EPILOGUE;
		else
			fail(mp, "a boundary is followed by other text");
		break;
	default:
		if (c != '\n') {
			fail(mp, "a boundary line does not end with CRLF");
			break;
		}
		mp->state = S_HEADER;
		mp->cr = 0;
		mp->linelen = mp->nlines = 0;
		mp->has_cd = mp->has_filename = mp->has_type = 0;
		mp->name[0] = mp->filename[0] = mp->type[0] = '\0';
		break;
	}
}

int
wa_mp_feed(struct wa_mp *mp, const char *buf, size_t len)
{
	size_t	i = 0;

	while (i < len && mp->state != S_FAILED &&
	    mp->state != S_EPILOGUE) {
		switch (mp->state) {
		case S_PREAMBLE:
		case S_BODY:
			i += scan(mp, buf + i, len - i);
			break;
		case S_HEADER:
			i += header_bytes(mp, buf + i, len - i);
			break;
		default:
			after(mp, buf[i++]);
			break;
		}
	}
	return mp->state == S_FAILED ? -1 : 0;
}

int
wa_mp_finish(struct wa_mp *mp)
{
	if (mp->state == S_EPILOGUE)
		return 0;
	if (mp->state != S_FAILED) {
		snprintf(mp->error, sizeof(mp->error),
		    "Truncated multipart body");
		mp->state = S_FAILED;
	}
	return -1;
}
