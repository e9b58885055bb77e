/*
 * live: publications to nginx's pub/sub (nchan, Debian's
 * libnginx-mod-nchan), whose subscribers are open browser connections
 * (EventSource, WebSocket) that nginx holds without a FastCGI worker.
 * The publisher location listens on a unix socket only the families
 * reach (WA_LIVE_SOCKET; nginx/nginx.conf.in): a POST of a message to
 * /pub/<channel> hands it to every subscriber of that channel.  Used
 * for the web chat widget (docs/web-chat.md, "Live delivery").
 */
#ifndef WA_LIVE_H
#define WA_LIVE_H

#include <stddef.h>

#define WA_LIVE_TIMEOUT_MS	2000
#define WA_LIVE_CHANNEL_MAX	64	/* letters, digits, '-', '_', '.' */

struct wa_live;

/* A publisher for the socket at path (one connection, kept). */
struct wa_live	*wa_live_new(const char *socket_path);
void		 wa_live_free(struct wa_live *);

/*
 * Publishes body (len bytes, JSON) to channel: the number of its
 * subscribers that took it (nchan's 201 says some, 202 none: 1 or 0),
 * or -1 with why in err (no nginx, a bad channel, another answer).
 */
int		 wa_live_publish(struct wa_live *, const char *channel,
		    const char *body, size_t len, char *err, size_t errsz);

#endif /* WA_LIVE_H */
