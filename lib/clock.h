/*
 * clock: wall and monotonic time, and the one timestamp format every
 * face uses (RFC 3339, UTC, milliseconds: 2026-05-01T03:42:18.123Z).
 */
#ifndef WA_CLOCK_H
#define WA_CLOCK_H

#include <stddef.h>
#include <stdint.h>

#define WA_CLOCK_RFC3339_LEN	25	/* including the NUL */

/* Milliseconds since the epoch (CLOCK_REALTIME). */
int64_t	wa_clock_now_ms(void);

/* Microseconds on CLOCK_MONOTONIC, for durations. */
int64_t	wa_clock_mono_us(void);

/* Formats epoch milliseconds; buf must hold WA_CLOCK_RFC3339_LEN bytes.
 * Returns buf. */
char	*wa_clock_rfc3339(char *buf, size_t bufsz, int64_t ms);

/* An RFC 3339 timestamp ("2026-05-01T03:42:18.123Z", "...+02:00";
 * seconds required, fraction optional) to epoch milliseconds: 1 and
 * *ms, or 0. */
int	wa_clock_parse(const char *s, int64_t *ms);

#endif /* WA_CLOCK_H */
