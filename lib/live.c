#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "live.h"

struct wa_live {
	CURL	*curl;
	char	*socket_path;
};

struct wa_live *
wa_live_new(const char *socket_path)
{
	struct wa_live	*l;

	if (socket_path == NULL || (l = calloc(1, sizeof(*l))) == NULL)
		return NULL;
	if ((l->socket_path = strdup(socket_path)) == NULL ||
	    (l->curl = curl_easy_init()) == NULL) {
		wa_live_free(l);
		return NULL;
	}
	return l;
}

void
wa_live_free(struct wa_live *l)
{
	if (l == NULL)
		return;
	if (l->curl != NULL)
		curl_easy_cleanup(l->curl);
	free(l->socket_path);
	free(l);
}

static int
channel_ok(const char *c)
{
	size_t	n = strlen(c);

	return n > 0 && n <= WA_LIVE_CHANNEL_MAX && strspn(c,
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	    "-_.") == n;
}

/* nchan answers with the channel's state; only the status matters. */
static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return size * n;
}

int
wa_live_publish(struct wa_live *l, const char *channel, const char *body,
    size_t len, char *err, size_t errsz)
{
	struct curl_slist	*h = NULL;
	char			 url[32 + WA_LIVE_CHANNEL_MAX];
	char			 ebuf[CURL_ERROR_SIZE] = "";
	CURL			*c = l->curl;
	CURLcode		 rc;
	long			 status = 0;

	if (!channel_ok(channel)) {
		snprintf(err, errsz, "bad channel id");
		return -1;
	}
	snprintf(url, sizeof(url), "http://localhost/pub/%s", channel);
	h = curl_slist_append(h, "Content-Type: application/json");
	h = h != NULL ? curl_slist_append(h, "Accept: text/plain") : NULL;
	if (h == NULL) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, l->socket_path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http");
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 1000L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)WA_LIVE_TIMEOUT_MS);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
	rc = curl_easy_perform(c);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, NULL);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(h);
	if (rc != CURLE_OK) {
		snprintf(err, errsz, "%s", ebuf[0] != '\0' ? ebuf :
		    curl_easy_strerror(rc));
		return -1;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	if (status == 201)
		return 1;
	if (status == 202)
		return 0;
	snprintf(err, errsz, "nchan answered %ld", status);
	return -1;
}
