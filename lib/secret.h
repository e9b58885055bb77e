/*
 * secret: values kept sealed in the database under WA_SECRET_KEY
 * (AES-256-GCM, lib/crypto.h), bound by their aad to their row and
 * column ("web_chat_channels.identity_secret:<id>"), so that a value
 * copied to another row does not open.  The sealed bytes travel as hex
 * (decode($n, 'hex') / encode(col, 'hex')).
 */
#ifndef WA_SECRET_H
#define WA_SECRET_H

#include "err.h"
#include "req.h"

/* plain sealed into *hex (arena).  Without WA_SECRET_KEY: 503 (the
 * server cannot store secrets), recorded. */
enum wa_err	wa_secret_seal(struct wa_req *, const char *aad,
		    const char *plain, const char **hex);

/* The value sealed in hex, opened into *plain (arena, NUL-ended).  A
 * value that does not open (another key, another row): 500, recorded
 * with the reason in the log. */
enum wa_err	wa_secret_open(struct wa_req *, const char *aad,
		    const char *hex, const char **plain);

#endif /* WA_SECRET_H */
