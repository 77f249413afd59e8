/* ca_hash.h: a fast 128-bit content hash (MurmurHash3 x64-128, Austin Appleby, public domain)
 * for cache keys and change detection.  Not cryptographic: the cache is the user's own, nobody
 * crafts collisions against it; what matters is speed on megabytes of headers and a collision
 * chance that 128 bits make negligible. */
#ifndef CA_HASH_H
#define CA_HASH_H

#include <stddef.h>
#include <stdint.h>

struct ca_hash {
    uint64_t h1, h2;
};

/* The hash of data[0, len) with `seed` (0 unless a second independent hash is wanted). */
struct ca_hash ca_hash128(const void *data, size_t len, uint64_t seed);

/* 32 lowercase hex digits and a NUL into out[33]. */
void ca_hash_hex(struct ca_hash h, char out[33]);

static inline int ca_hash_eq(struct ca_hash a, struct ca_hash b)
{
    return a.h1 == b.h1 && a.h2 == b.h2;
}

#endif
