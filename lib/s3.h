/*
 * s3: a client of an S3-compatible object store, the media store's s3
 * backend (WA_MEDIA_BACKEND=s3, cfg.h's s3_* fields).
 *
 * Objects live at path-style URLs, <s3_endpoint>/<bucket>/<key>, each
 * segment of the key URI-encoded as Signature Version 4 wants it.
 * Requests are signed by libcurl (CURLOPT_AWS_SIGV4) with the payload
 * hash in x-amz-content-sha256 (UNSIGNED-PAYLOAD for a PUT's streamed
 * body); presigned GET links are computed here.  TLS is verified
 * (s3_ca_file as the trust store when set), redirects are not followed.
 *
 * Every call records its failure with wa_fail() and returns it: the
 * store not configured or not reachable is WA_ERR_UNAVAILABLE (503),
 * out of time WA_ERR_UPSTREAM_TIMEOUT (504), an S3 error status
 * WA_ERR_UPSTREAM (502), with the HTTP status and S3's error <Code> in
 * the log detail.
 */
#ifndef WA_S3_H
#define WA_S3_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct wa_arena;
struct wa_cfg;
struct wa_req;

#define WA_S3_CONNECT_TIMEOUT_MS	5000
#define WA_S3_TIMEOUT_MS		60000	/* a whole call */
#define WA_S3_ERROR_BODY_MAX		4096	/* of an error's XML kept */
#define WA_S3_TTL_MAX			604800	/* a presigned link, S3's */
#define WA_S3_KEY_MAX			1024	/* bytes, S3's */

/* 1 if cfg has what the S3 backend needs (endpoint, bucket, both
 * keys), 0 if not. */
int		 wa_s3_configured(const struct wa_cfg *);

/* PUT key from an open file of size bytes (read with pread from offset
 * 0: the fd's offset is untouched), with Content-Type content_type
 * (NULL: application/octet-stream). */
enum wa_err	 wa_s3_put_fd(struct wa_req *, const char *key, int fd,
		    size_t size, const char *content_type);

/* HEAD: *exists 1 and *size its size, or *exists 0 (a 404: a HEAD has
 * no body, so a missing bucket looks like a missing key here). */
enum wa_err	 wa_s3_head(struct wa_req *, const char *key, int *exists,
		    size_t *size);

/* GET into an open file, written from its current offset; *size gets
 * the bytes written.  More than max bytes: WA_ERR_TOO_LARGE (what was
 * written stays: the caller drops the file).  A missing key is
 * WA_ERR_NOT_FOUND (404 "Media not found"). */
enum wa_err	 wa_s3_get_fd(struct wa_req *, const char *key, int fd,
		    size_t max, size_t *size);

/* DELETE; a key already absent is fine. */
enum wa_err	 wa_s3_delete(struct wa_req *, const char *key);

/* A presigned GET URL of key, valid ttl_s (1 to WA_S3_TTL_MAX) seconds
 * from now_s (unix time), arena-owned; NULL with the failure recorded
 * if the store is not configured (503) or key or ttl_s is invalid (a
 * bug: 500).  Keys that are not wagate's shape (empty, '.' or '..' or
 * empty segments, control bytes) are refused the same way everywhere. */
const char	*wa_s3_presign_get(struct wa_req *, const char *key,
		    int ttl_s, int64_t now_s);

/* ---- internals, exported for the unit tests and the fuzz target ---- */

/* What a presigned URL is computed from: endpoint "http(s)://host[:port]"
 * (the Host signed is its host, lower case, without a default port) and
 * path "/..." already URI-encoded. */
struct wa_s3_sign {
	const char	*endpoint;
	const char	*path;
	const char	*region;
	const char	*access_key;
	const char	*secret_key;
};

/* endpoint + path + the SigV4 query (X-Amz-Algorithm, -Credential,
 * -Date, -Expires, -SignedHeaders=host, -Signature), arena-owned. */
char		*wa_s3_presign_url(struct wa_arena *, const struct wa_s3_sign *,
		    int ttl_s, int64_t now_s);

/* Each '/'-separated segment of s URI-encoded (all but A-Za-z0-9-._~
 * as %XX), the slashes kept; arena-owned. */
char		*wa_s3_encode_path(struct wa_arena *, const char *s);

/* S3's error <Code> in an XML body body[0..len) (not NUL-terminated)
 * into out[outsz]: 0, or -1 (no "<Code>...</Code>", or one empty, too
 * long, or with bytes other than letters, digits, '.', '-', '_'), out
 * then "".  Only the first <Code> is looked at. */
int		 wa_s3_error_code(const char *body, size_t len, char *out,
		    size_t outsz);

#endif /* WA_S3_H */
