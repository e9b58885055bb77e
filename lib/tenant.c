/*
 * The table is lock-free: a slot is one 64-bit word, the organization's
 * hash in its high 48 bits and its requests in flight in the low 16,
 * changed only by compare-and-swap, and zero when free.  Two workers
 * that both find no slot for one organization may take two; the one
 * that took the later slot gives it back and joins the other.
 */
#include <sys/mman.h>

#include <stddef.h>
#include <stdint.h>

#include "hash.h"
#include "tenant.h"

#define SLOTS		256	/* > WA_CFG_WORKERS_MAX: never full */
#define WORKERS_MAX	256

struct table {
	int		 limit;
	uint64_t	 slot[SLOTS];
	int		 held[WORKERS_MAX];	/* slot + 1, or 0 */
};

static struct table	*T;
static int		 me = -1;

#define KEY(w)		((w) >> 16)
#define COUNT(w)	((w) & 0xffff)

int
wa_tenant_init(int workers, int limit)
{
	void	*p;

	if (workers < 1 || workers > WORKERS_MAX)
		return -1;
	p = mmap(NULL, sizeof(*T), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	T = p;
	T->limit = limit < 1 ? 1 : limit;
	return 0;
}

void
wa_tenant_worker(int index)
{
	me = index;
}

static uint64_t
key_of(const char *org)
{
	uint64_t	k = wa_hash_str(org) & 0xffffffffffffULL;

	return k != 0 ? k : 1;
}

/* Gives back one place of slot i. */
static void
release(int i)
{
	uint64_t	w, n;

	w = __atomic_load_n(&T->slot[i], __ATOMIC_ACQUIRE);
	do {
		if (COUNT(w) == 0)
			return;
		n = COUNT(w) == 1 ? 0 : w - 1;
	} while (!__atomic_compare_exchange_n(&T->slot[i], &w, n, 0,
	    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE));
}

/* The slot holding k, or -1. */
static int
find(uint64_t k)
{
	int	i;

	for (i = 0; i < SLOTS; i++)
		if (KEY(__atomic_load_n(&T->slot[i], __ATOMIC_ACQUIRE)) == k)
			return i;
	return -1;
}

/* One more place in slot i of k: 1, 0 at the bound, -1 when the slot
 * is no longer k's. */
static int
take(int i, uint64_t k)
{
	uint64_t	w, n;

	w = __atomic_load_n(&T->slot[i], __ATOMIC_ACQUIRE);
	do {
		if (KEY(w) != k)
			return -1;
		if (COUNT(w) >= (uint64_t)T->limit)
			return 0;
		n = w + 1;
	} while (!__atomic_compare_exchange_n(&T->slot[i], &w, n, 0,
	    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE));
	return 1;
}

/* A free slot made k's with one place: its index, or -1. */
static int
claim(uint64_t k)
{
	uint64_t	zero;
	int		i, j;

	for (i = 0; i < SLOTS; i++) {
		zero = 0;
		if (!__atomic_compare_exchange_n(&T->slot[i], &zero,
		    k << 16 | 1, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			continue;
		/* another worker may have taken one for k meanwhile */
		j = find(k);
		if (j != i) {
			release(i);
			return -1;
		}
		return i;
	}
	return -1;
}

int
wa_tenant_enter(const char *org)
{
	uint64_t	k;
	int		i, r, tries;

	if (T == NULL || me < 0 || org == NULL)
		return 1;
	k = key_of(org);
	for (tries = 0; tries < 8; tries++) {
		if ((i = find(k)) >= 0) {
			if ((r = take(i, k)) < 0)
				continue;
			if (r == 0)
				return 0;
		} else if ((i = claim(k)) < 0)
			continue;
		T->held[me] = i + 1;
		return 1;
	}
	return 1;	/* a table in flux is no reason to refuse */
}

void
wa_tenant_leave(void)
{
	if (T == NULL || me < 0 || T->held[me] == 0)
		return;
	release(T->held[me] - 1);
	T->held[me] = 0;
}

void
wa_tenant_reap(int index)
{
	if (T == NULL || index < 0 || index >= WORKERS_MAX ||
	    T->held[index] == 0)
		return;
	release(T->held[index] - 1);
	T->held[index] = 0;
}
