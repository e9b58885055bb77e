/*
 * log: JSON lines on stderr, one per event.
 *
 * Every string that may come from outside (paths, ids, messages that
 * embed input) is escaped: control characters, quotes and bytes that
 * are not valid UTF-8 can neither break the line nor forge a field.
 * Secrets never reach this module: callers log key prefixes, never keys.
 */
#ifndef WA_LOG_H
#define WA_LOG_H

#include <stddef.h>

enum wa_log_level {
	WA_LOG_DEBUG = 0,
	WA_LOG_INFO,
	WA_LOG_WARN,
	WA_LOG_ERROR,
	WA_LOG_FATAL,
	WA_LOG__MAX
};

/* One access-log record; NULL strings are written as null. */
struct wa_log_access {
	const char	*request_id;
	const char	*org_id;
	const char	*method;
	const char	*path;
	int		 status;
	double		 duration_ms;
	const char	*error_code;	/* face-neutral slug, or NULL */
	const char	*error_detail;	/* log-only detail, or NULL */
};

/* Sets the family name stamped on every line and the minimum level.
 * `family` is not copied. */
void	wa_log_init(const char *family, enum wa_log_level min);

/* Parses "debug|info|warn|error"; unknown yields WA_LOG_INFO. */
enum wa_log_level wa_log_level_parse(const char *);

void	wa_log(enum wa_log_level, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	wa_log_fatal(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));
void	wa_log_access(const struct wa_log_access *);

/*
 * JSON-escapes src[0..len) into dst (always NUL-terminated when
 * dstsz > 0) without the surrounding quotes.  A byte that is not part
 * of valid UTF-8 becomes the text \\xNN, so a reader sees which byte
 * arrived.  Output that does not fit is cut at a character boundary and
 * ends in "...".  Returns the bytes written, excluding the NUL.
 */
size_t	wa_log_escape(char *dst, size_t dstsz, const char *src, size_t len);

#endif /* WA_LOG_H */
