/*
 * hash: the one string hash of wagate's in-memory tables (FNV-1a,
 * 64 bits).  Not for anything an attacker can aim at a small table
 * without a bound on its probes, and never for secrets.
 */
#ifndef WA_HASH_H
#define WA_HASH_H

#include <stdint.h>

/* FNV-1a of the NUL-terminated s. */
uint64_t	wa_hash_str(const char *s);

#endif /* WA_HASH_H */
