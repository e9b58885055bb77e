/*
 * tenant: how many requests of one organization a family serves at once.
 *
 * A family's workers share a table in memory that the master maps
 * before it forks them: a slot per organization with requests in
 * flight, and the slot each worker holds.  The dispatcher takes the
 * request's organization's slot once it is authenticated, and gives it
 * back when the request ends; past the bound (WA_TENANT_INFLIGHT, by
 * default one worker fewer than the family has) the request is refused
 * with 429, so that no tenant can hold every worker of a family while
 * another waits (docs/architecture.md, "Fairness").  The master gives
 * back the slot of a worker that died holding it.
 *
 * Without a table (unit tests, tools) every request enters.
 */
#ifndef WA_TENANT_H
#define WA_TENANT_H

/* The master, before forking: a table for `workers` workers letting
 * `limit` requests of one organization in at once.  0, or -1. */
int	wa_tenant_init(int workers, int limit);

/* In a worker: which of the workers (0..workers-1) it is. */
void	wa_tenant_worker(int index);

/* 1 if the organization's request may run now (and it holds a place
 * until wa_tenant_leave), 0 if the organization is at its bound. */
int	wa_tenant_enter(const char *org_id);
void	wa_tenant_leave(void);

/* The master: worker `index` is gone; give back what it held. */
void	wa_tenant_reap(int index);

#endif /* WA_TENANT_H */
