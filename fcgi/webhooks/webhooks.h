/*
 * webhooks: Meta's webhooks, /webhooks/meta (contract §10,
 * docs/webhooks.md).
 *
 * The request path only verifies and stores: GET answers the
 * subscription handshake, POST checks X-Hub-Signature-256 over the raw
 * body and keeps the body in wa.webhook_events.  The worker
 * (`webhooks --worker`) applies the stored events: template status
 * updates to wa.templates, message statuses and inbound messages to
 * their tables, each item once.
 */
#ifndef WEBHOOKS_H
#define WEBHOOKS_H

#include "err.h"
#include "req.h"

/* Longest hub.challenge echoed back. */
#define HOOK_CHALLENGE_MAX	256
/* Meta's payloads reach 3 MB (contract §10.4). */
#define HOOK_BODY_MAX		(4u * 1024 * 1024)
/* Items of one event applied at most (Meta batches up to 1,000). */
#define HOOK_ITEMS_MAX		5000
/* Events applied in one transaction at most (process.c). */
#define HOOK_BATCH		32
/* Accounts whose statuses one batch collects before writing them. */
#define HOOK_BUCKETS		8

/* receive.c */
enum wa_err	hook_verify(struct wa_req *);
enum wa_err	hook_receive(struct wa_req *);

/* process.c: one pass of the worker (struct wa_job.run). */
int		hook_process(struct wa_req *);
/* media.c: one inbound medium into the media store: 1 done, 0 none,
 * -1 the database failed */
int		hook_media(struct wa_req *);

#endif /* WEBHOOKS_H */
