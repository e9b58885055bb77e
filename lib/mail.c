/*
 * One e-mail over SMTP with libcurl (mail.h).  A handle per message:
 * mail is rare (one-time codes), and a handle kept open would hold a
 * connection the server will drop anyway.
 */
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "arena.h"
#include "buf.h"
#include "cfg.h"
#include "crypto.h"
#include "mail.h"
#include "valid.h"

struct body {
	const char	*p;
	size_t		 left;
};

static size_t
on_read(char *buf, size_t size, size_t n, void *arg)
{
	struct body	*b = arg;
	size_t		 k = size * n;

	if (k > b->left)
		k = b->left;
	memcpy(buf, b->p, k);
	b->p += k;
	b->left -= k;
	return k;
}

static void
free_easy(void *p)
{
	curl_easy_cleanup(p);
}

static void
free_slist(void *p)
{
	curl_slist_free_all(p);
}

int
wa_mail_configured(const struct wa_cfg *cfg)
{
	return cfg->smtp_url != NULL && cfg->smtp_from != NULL;
}

/* The message: headers, a blank line, the text with CRLF line ends. */
static const char *
message(struct wa_req *r, const char *to, const char *subject,
    const char *text)
{
	struct wa_buf	 b;
	char		 date[64], id[33];
	time_t		 now = time(NULL);
	struct tm	 tm;
	const char	*p;

	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	if (wa_crypto_token(id, 32) != 0)
		return NULL;
	wa_buf_init(&b, r->arena, WA_MAIL_TEXT_MAX + 2048);
	if (wa_buf_addf(&b, "Date: %s\r\nFrom: <%s>\r\nTo: <%s>\r\n"
	    "Message-ID: <%s@wagate>\r\nSubject: %s\r\nMIME-Version: 1.0\r\n"
	    "Content-Type: text/plain; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: 8bit\r\n\r\n", date,
	    r->cfg->smtp_from, to, id, subject) != WA_OK)
		return NULL;
	for (p = text; *p != '\0'; p++)
		if ((*p == '\n' ? wa_buf_adds(&b, "\r\n") : *p == '\r' ?
		    WA_OK : wa_buf_addc(&b, *p)) != WA_OK)
			return NULL;
	return wa_buf_adds(&b, "\r\n") == WA_OK ? b.data : NULL;
}

/* What a failed transfer is for the client. */
static enum wa_err
failed(struct wa_req *r, CURLcode cc, const char *ebuf)
{
	wa_fail_log(r, "smtp: %s", ebuf[0] != '\0' ? ebuf :
	    curl_easy_strerror(cc));
	switch (cc) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_OPERATION_TIMEDOUT:
		return wa_fail(r, WA_ERR_UNAVAILABLE, "The mail server cannot "
		    "be reached; retry later");
	default:
		return wa_fail(r, WA_ERR_UPSTREAM, "The mail server refused "
		    "the message");
	}
}

enum wa_err
wa_mail_send(struct wa_req *r, const char *to, const char *subject,
    const char *text)
{
	const struct wa_cfg	*cfg = r->cfg;
	struct curl_slist	*rcpt;
	struct body		 b;
	char			 ebuf[CURL_ERROR_SIZE];
	const char		*msg;
	CURL			*c;
	CURLcode		 cc;

	if (!wa_mail_configured(cfg))
		return wa_fail(r, WA_ERR_UNAVAILABLE, "E-mail is not "
		    "configured on this server (WA_SMTP_URL, WA_SMTP_FROM)");
	if (!wa_valid_email(to) || strpbrk(subject, "\r\n") != NULL ||
	    strlen(text) > WA_MAIL_TEXT_MAX ||
	    (msg = message(r, to, subject, text)) == NULL)
		return wa_fail(r, WA_ERR_INTERNAL, "Internal error");
	if ((c = curl_easy_init()) == NULL)
		return wa_fail(r, WA_ERR_INTERNAL, "Internal error");
	wa_arena_defer(r->arena, free_easy, c);
	rcpt = curl_slist_append(NULL, wa_arena_printf(r->arena, "<%s>", to));
	wa_arena_defer(r->arena, free_slist, rcpt);
	b.p = msg;
	b.left = strlen(msg);
	ebuf[0] = '\0';
	curl_easy_setopt(c, CURLOPT_URL, cfg->smtp_url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_TRY);
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, wa_arena_printf(r->arena,
	    "<%s>", cfg->smtp_from));
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
	if (cfg->smtp_user != NULL) {
		curl_easy_setopt(c, CURLOPT_USERNAME, cfg->smtp_user);
		curl_easy_setopt(c, CURLOPT_PASSWORD, cfg->smtp_password);
	}
	curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
	curl_easy_setopt(c, CURLOPT_READDATA, &b);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)WA_MAIL_TIMEOUT_MS);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
	cc = curl_easy_perform(c);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, NULL);
	if (cc != CURLE_OK)
		return failed(r, cc, ebuf);
	return WA_OK;
}
