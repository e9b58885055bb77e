/*
 * JSON-lines logging.  Each record is assembled in a fixed stack buffer
 * and written with one write(2), so lines from the workers of a family
 * sharing one stderr do not interleave.  A record that would not fit is
 * cut (its string fields end in "..."), never split.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "utf8.h"

#define LINE_MAX_BYTES	4096
#define FIELD_MAX	1024

static const char	*family = "wagate";
static enum wa_log_level min_level = WA_LOG_INFO;

static const char *const level_names[WA_LOG__MAX] = {
	"debug",	/* WA_LOG_DEBUG */
	"info",		/* WA_LOG_INFO */
	"warn",		/* WA_LOG_WARN */
	"error",	/* WA_LOG_ERROR */
	"fatal",	/* WA_LOG_FATAL */
};

void
wa_log_init(const char *fam, enum wa_log_level min)
{
	if (fam != NULL)
		family = fam;
	min_level = min;
}

enum wa_log_level
wa_log_level_parse(const char *s)
{
	int	i;

	if (s == NULL)
		return WA_LOG_INFO;
	for (i = 0; i < WA_LOG__MAX; i++)
		if (strcmp(s, level_names[i]) == 0)
			return (enum wa_log_level)i;
	return WA_LOG_INFO;
}

size_t
wa_log_escape(char *dst, size_t dstsz, const char *src, size_t len)
{
	const unsigned char	*s = (const unsigned char *)src;
	static const char	 hex[] = "0123456789abcdef";
	char			 tmp[8];
	size_t			 i = 0, o = 0, n, tn;

	if (dstsz == 0)
		return 0;
	while (i < len) {
		n = wa_utf8_seq(s + i, len - i);
		if (n == 0) {
			/* not UTF-8: show the byte as the text \xNN */
			tmp[0] = '\\'; tmp[1] = '\\'; tmp[2] = 'x';
			tmp[3] = hex[s[i] >> 4]; tmp[4] = hex[s[i] & 15];
			tn = 5;
			n = 1;
		} else if (n == 1 && (s[i] < 0x20 || s[i] == 0x7f)) {
			tn = 0;
			tmp[tn++] = '\\';
			switch (s[i]) {
			case '\n': tmp[tn++] = 'n'; break;
			case '\r': tmp[tn++] = 'r'; break;
			case '\t': tmp[tn++] = 't'; break;
			default:
				tmp[tn++] = 'u'; tmp[tn++] = '0';
				tmp[tn++] = '0';
				tmp[tn++] = hex[s[i] >> 4];
				tmp[tn++] = hex[s[i] & 15];
				break;
			}
		} else if (n == 1 && (s[i] == '"' || s[i] == '\\')) {
			tmp[0] = '\\';
			tmp[1] = (char)s[i];
			tn = 2;
		} else {
			memcpy(tmp, s + i, n);
			tn = n;
		}
		/* keep room for the NUL, and for "..." unless this is the
		 * last character */
		if (o + tn + (i + n < len ? 4 : 1) > dstsz) {
			if (o + 4 <= dstsz) {
				memcpy(dst + o, "...", 3);
				o += 3;
			}
			break;
		}
		memcpy(dst + o, tmp, tn);
		o += tn;
		i += n;
	}
	dst[o] = '\0';
	return o;
}

/* Appends to a line buffer; silently stops at the end. */
struct line {
	char	buf[LINE_MAX_BYTES];
	size_t	len;
};

static void
line_raw(struct line *l, const char *s)
{
	size_t	n = strlen(s);

	if (n > sizeof(l->buf) - 2 - l->len)
		n = sizeof(l->buf) - 2 - l->len;
	memcpy(l->buf + l->len, s, n);
	l->len += n;
}

static void
line_str(struct line *l, const char *key, const char *val)
{
	char	esc[FIELD_MAX];

	line_raw(l, ",\"");
	line_raw(l, key);
	if (val == NULL) {
		line_raw(l, "\":null");
		return;
	}
	line_raw(l, "\":\"");
	wa_log_escape(esc, sizeof(esc), val, strlen(val));
	line_raw(l, esc);
	line_raw(l, "\"");
}

static void
line_begin(struct line *l, enum wa_log_level lvl)
{
	char	ts[WA_CLOCK_RFC3339_LEN], num[32];

	l->len = 0;
	line_raw(l, "{\"ts\":\"");
	line_raw(l, wa_clock_rfc3339(ts, sizeof(ts), wa_clock_now_ms()));
	line_raw(l, "\"");
	line_str(l, "level", level_names[lvl]);
	line_str(l, "family", family);
	snprintf(num, sizeof(num), ",\"pid\":%ld", (long)getpid());
	line_raw(l, num);
}

static void
line_end(struct line *l)
{
	ssize_t	w;
	size_t	off = 0;

	l->buf[l->len++] = '}';
	l->buf[l->len++] = '\n';
	while (off < l->len) {
		w = write(STDERR_FILENO, l->buf + off, l->len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		off += (size_t)w;
	}
}

static void
vlog(enum wa_log_level lvl, const char *fmt, va_list ap)
{
	struct line	l;
	char		msg[FIELD_MAX];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	line_begin(&l, lvl);
	line_str(&l, "msg", msg);
	line_end(&l);
}

void
wa_log(enum wa_log_level lvl, const char *fmt, ...)
{
	va_list	ap;

	if (lvl < min_level || lvl >= WA_LOG__MAX)
		return;
	va_start(ap, fmt);
	vlog(lvl, fmt, ap);
	va_end(ap);
}

void
wa_log_fatal(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vlog(WA_LOG_FATAL, fmt, ap);
	va_end(ap);
}

void
wa_log_access(const struct wa_log_access *a)
{
	struct line	l;
	char		num[64];

	line_begin(&l, WA_LOG_INFO);
	line_str(&l, "msg", "request");
	line_str(&l, "request_id", a->request_id);
	line_str(&l, "org", a->org_id);
	line_str(&l, "method", a->method);
	line_str(&l, "path", a->path);
	snprintf(num, sizeof(num), ",\"status\":%d,\"duration_ms\":%.3f",
	    a->status, a->duration_ms);
	line_raw(&l, num);
	if (a->error_code != NULL)
		line_str(&l, "error", a->error_code);
	if (a->error_detail != NULL)
		line_str(&l, "detail", a->error_detail);
	line_end(&l);
}
