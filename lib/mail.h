/*
 * mail: one plain-text e-mail over SMTP, sent by libcurl (smtp:// with
 * STARTTLS when the server offers it, or smtps://).  WA_SMTP_URL says
 * where, WA_SMTP_FROM who sends, WA_SMTP_USER and WA_SMTP_PASSWORD
 * how to log in (docs/configuration.md).  Used for the web chat's
 * one-time codes (docs/web-chat.md).
 */
#ifndef WA_MAIL_H
#define WA_MAIL_H

#include "err.h"
#include "req.h"

#define WA_MAIL_TIMEOUT_MS	10000
#define WA_MAIL_TEXT_MAX	8192

/* 1 if WA_SMTP_URL and WA_SMTP_FROM are set. */
int		wa_mail_configured(const struct wa_cfg *);

/*
 * Sends text (UTF-8, lines of at most 998 bytes) to the address `to`
 * with the subject (ASCII printable).  503 when mail is not configured
 * or the server cannot be reached, 502 when it refuses the message (its
 * answer logged), 500 for an address or subject with line breaks.
 */
enum wa_err	wa_mail_send(struct wa_req *, const char *to,
		    const char *subject, const char *text);

#endif /* WA_MAIL_H */
