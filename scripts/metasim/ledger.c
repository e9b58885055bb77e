/*
 * The send ledger: every send the simulator accepted or refused, in a
 * ring of SIM_SENDS_MAX entries, for tests and benchmarks that must
 * check what reached "Meta" (at most one send per recipient, the rate
 * achieved, how many 130429 answers) rather than what the sender
 * believes.  Runs with sim.lock held.
 *
 * The ring is allocated on the first send, so a simulator that sends
 * nothing costs nothing.  Phone number ids are kept once (the numbers
 * are few) and pointed to; an entry is about a hundred bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metasim.h"

#define DUPS_MAX	100	/* duplicated recipients listed */
#define OPAQUES_MAX	10	/* opaque values listed per duplicate */
#define SECONDS_MAX	3600	/* per-second counts listed */

struct sim_send {
	unsigned long	 seq;
	int64_t		 at_ms;
	long		 code;		/* 0: accepted */
	unsigned	 port;		/* the client's: tells connections */
	const char	*phone;		/* in ledger.phones */
	char		 to[16];
	char		 wamid[48];
	char		*opaque;
};

static struct {
	struct sim_send	*ring;
	unsigned long	 seq;		/* the last entry's */
	struct smap	 phones;	/* id -> its one copy */
} ledger;

static void
entry_clear(struct sim_send *e)
{
	free(e->opaque);
	memset(e, 0, sizeof(*e));
}

void
ledger_reset(void)
{
	size_t	i;

	if (ledger.ring != NULL)
		for (i = 0; i < SIM_SENDS_MAX; i++)
			entry_clear(&ledger.ring[i]);
	free(ledger.ring);
	ledger.ring = NULL;
	ledger.seq = 0;
	smap_clear(&ledger.phones, free);
}

void
ledger_add(const char *phone, const char *to, const char *wamid,
    const char *opaque, long code, unsigned port)
{
	struct sim_send	*e;
	char		*id;

	if (ledger.ring == NULL)
		ledger.ring = xcalloc(SIM_SENDS_MAX, sizeof(*ledger.ring));
	if ((id = smap_get(&ledger.phones, phone)) == NULL) {
		if (ledger.phones.n >= SIM_MAP_CAP)
			phone = "?";	/* a flood of made-up ids */
		if ((id = smap_get(&ledger.phones, phone)) == NULL) {
			id = xstrdup(phone);
			smap_put(&ledger.phones, phone, id);
		}
	}
	e = &ledger.ring[++ledger.seq % SIM_SENDS_MAX];
	entry_clear(e);
	e->seq = ledger.seq;
	e->at_ms = now_ms();
	e->code = code;
	e->port = port;
	e->phone = id;
	digits_of(to, e->to, sizeof(e->to));
	snprintf(e->wamid, sizeof(e->wamid), "%s", wamid != NULL ? wamid :
	    "");
	e->opaque = opaque != NULL ? xstrdup(opaque) : NULL;
}

/* The entries after since still in the ring, of phone (NULL: all). */
static struct sim_send *
walk(unsigned long *s, const char *phone)
{
	struct sim_send	*e;

	while (ledger.ring != NULL && ++*s <= ledger.seq) {
		e = &ledger.ring[*s % SIM_SENDS_MAX];
		if (e->seq == *s && (phone == NULL ||
		    strcmp(e->phone, phone) == 0))
			return e;
	}
	return NULL;
}

static unsigned long
first_kept(void)
{
	return ledger.seq >= SIM_SENDS_MAX ? ledger.seq - SIM_SENDS_MAX : 0;
}

cJSON *
ledger_json(const char *phone, unsigned long since, size_t limit)
{
	struct sim_send	*e;
	unsigned long	 s = since > first_kept() ? since : first_kept();
	size_t		 n = 0;
	cJSON		*o = cJSON_CreateObject(), *arr, *it;

	cJSON_AddNumberToObject(o, "last", (double)ledger.seq);
	arr = cJSON_AddArrayToObject(o, "sends");
	while (n < limit && (e = walk(&s, phone)) != NULL) {
		it = cJSON_CreateObject();
		cJSON_AddNumberToObject(it, "seq", (double)e->seq);
		cJSON_AddNumberToObject(it, "at_ms", (double)e->at_ms);
		cJSON_AddStringToObject(it, "phone_number_id", e->phone);
		cJSON_AddStringToObject(it, "to", e->to);
		if (e->wamid[0] != '\0')
			cJSON_AddStringToObject(it, "wamid", e->wamid);
		else
			cJSON_AddNullToObject(it, "wamid");
		if (e->opaque != NULL)
			cJSON_AddStringToObject(it, "opaque", e->opaque);
		else
			cJSON_AddNullToObject(it, "opaque");
		cJSON_AddNumberToObject(it, "code", (double)e->code);
		cJSON_AddItemToArray(arr, it);
		n++;
	}
	/* where the next page starts: after the last entry walked, which
	 * is never past the newest (a walk that ran off the end stopped one
	 * past it, and an entry written there later would be skipped) */
	if (s > ledger.seq)
		s = ledger.seq;
	cJSON_AddNumberToObject(o, "next", (double)(n > 0 ? s : ledger.seq));
	return o;
}

struct tally {
	size_t	 count;
	cJSON	*opaques;	/* of a duplicate, or NULL */
};

static void
tally_free(void *p)
{
	struct tally	*t = p;

	cJSON_Delete(t->opaques);
	free(t);
}

/* Per-second counts: one object per second that saw a send. */
static void
second_add(cJSON *arr, int64_t *cur, cJSON **it, const struct sim_send *e,
    size_t *listed)
{
	int64_t	 sec = e->at_ms / 1000;
	cJSON	*v;

	if (*it == NULL || sec != *cur) {
		if (*listed >= SECONDS_MAX) {
			*it = NULL;
			return;
		}
		*it = cJSON_CreateObject();
		cJSON_AddNumberToObject(*it, "second", (double)sec);
		cJSON_AddNumberToObject(*it, "accepted", 0);
		cJSON_AddNumberToObject(*it, "refused", 0);
		cJSON_AddNumberToObject(*it, "throughput_refused", 0);
		cJSON_AddItemToArray(arr, *it);
		*cur = sec;
		(*listed)++;
	}
	v = cJSON_GetObjectItemCaseSensitive(*it, e->code == 0 ? "accepted" :
	    "refused");
	cJSON_SetNumberValue(v, v->valuedouble + 1);
	if (e->code == 130429) {
		v = cJSON_GetObjectItemCaseSensitive(*it,
		    "throughput_refused");
		cJSON_SetNumberValue(v, v->valuedouble + 1);
	}
}

cJSON *
ledger_summary(const char *phone)
{
	struct sim_send	*e;
	struct smap	 per, codes, ports;
	struct smap_ent	*ent;
	struct tally	*t;
	unsigned long	 s = first_kept();
	size_t		 accepted = 0, refused = 0, maxper = 0, ndup = 0;
	size_t		 i, listed = 0, maxsec = 0;
	int64_t		 first = 0, last = 0, cur = 0;
	char		 key[128], *bar;
	cJSON		*o, *dups, *secs, *codes_o, *it = NULL, *d, *v;

	memset(&per, 0, sizeof(per));
	memset(&codes, 0, sizeof(codes));
	memset(&ports, 0, sizeof(ports));
	o = cJSON_CreateObject();
	secs = cJSON_CreateArray();
	while ((e = walk(&s, phone)) != NULL) {
		snprintf(key, sizeof(key), "%u", e->port);
		if (smap_get(&ports, key) == NULL)
			smap_put(&ports, key, &ports);
		second_add(secs, &cur, &it, e, &listed);
		if (e->code != 0) {
			refused++;
			snprintf(key, sizeof(key), "%ld", e->code);
			if ((t = smap_get(&codes, key)) == NULL) {
				t = xcalloc(1, sizeof(*t));
				smap_put(&codes, key, t);
			}
			t->count++;
			continue;
		}
		if (accepted++ == 0)
			first = e->at_ms;
		last = e->at_ms;
		snprintf(key, sizeof(key), "%s|%s", e->phone, e->to);
		if ((t = smap_get(&per, key)) == NULL) {
			t = xcalloc(1, sizeof(*t));
			smap_put(&per, key, t);
		}
		if (++t->count > maxper)
			maxper = t->count;
		if (t->count == 2)
			t->opaques = cJSON_CreateArray();
	}
	/* the opaque values of each duplicated recipient, in send order */
	s = first_kept();
	while ((e = walk(&s, phone)) != NULL) {
		if (e->code != 0)
			continue;
		snprintf(key, sizeof(key), "%s|%s", e->phone, e->to);
		t = smap_get(&per, key);
		if (t->opaques != NULL && cJSON_GetArraySize(t->opaques) <
		    OPAQUES_MAX)
			cJSON_AddItemToArray(t->opaques, e->opaque != NULL ?
			    cJSON_CreateString(e->opaque) : cJSON_CreateNull());
	}
	cJSON_AddNumberToObject(o, "from_seq", (double)(first_kept() + 1));
	cJSON_AddNumberToObject(o, "last", (double)ledger.seq);
	cJSON_AddBoolToObject(o, "wrapped", first_kept() > 0);
	cJSON_AddNumberToObject(o, "accepted", (double)accepted);
	cJSON_AddNumberToObject(o, "recipients", (double)per.n);
	cJSON_AddNumberToObject(o, "max_per_recipient", (double)maxper);
	dups = cJSON_AddArrayToObject(o, "duplicates");
	for (ent = smap_first(&per, &i); ent != NULL;
	    ent = smap_next(&per, ent, &i)) {
		t = ent->val;
		if (t->count < 2 || ndup++ >= DUPS_MAX)
			continue;
		snprintf(key, sizeof(key), "%s", ent->key);
		bar = strchr(key, '|');
		*bar = '\0';
		d = cJSON_CreateObject();
		cJSON_AddStringToObject(d, "phone_number_id", key);
		cJSON_AddStringToObject(d, "to", bar + 1);
		cJSON_AddNumberToObject(d, "count", (double)t->count);
		cJSON_AddItemToObject(d, "opaques", t->opaques);
		t->opaques = NULL;
		cJSON_AddItemToArray(dups, d);
	}
	cJSON_AddNumberToObject(o, "duplicates_total", (double)ndup);
	cJSON_AddNumberToObject(o, "refused", (double)refused);
	codes_o = cJSON_AddObjectToObject(o, "refused_codes");
	for (ent = smap_first(&codes, &i); ent != NULL;
	    ent = smap_next(&codes, ent, &i))
		cJSON_AddNumberToObject(codes_o, ent->key,
		    (double)((struct tally *)ent->val)->count);
	cJSON_AddNumberToObject(o, "connections", (double)ports.n);
	cJSON_AddNumberToObject(o, "first_ms", (double)first);
	cJSON_AddNumberToObject(o, "last_ms", (double)last);
	cJSON_AddNumberToObject(o, "rate", accepted > 1 && last > first ?
	    (double)(accepted - 1) * 1000.0 / (double)(last - first) : 0.0);
	cJSON_ArrayForEach(v, secs) {
		d = cJSON_GetObjectItemCaseSensitive(v, "accepted");
		if ((size_t)d->valuedouble > maxsec)
			maxsec = (size_t)d->valuedouble;
	}
	cJSON_AddNumberToObject(o, "max_per_second", (double)maxsec);
	cJSON_AddItemToObject(o, "per_second", secs);
	smap_clear(&per, tally_free);
	smap_clear(&codes, tally_free);
	smap_clear(&ports, NULL);
	return o;
}
