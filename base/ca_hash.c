/* ca_hash.c: MurmurHash3 x64-128 (see ca_hash.h).  Loads go through memcpy, so any alignment
 * of the input is fine; the result is the reference algorithm's on a little-endian machine. */
#include "ca_hash.h"

#include <stdio.h>
#include <string.h>

static uint64_t rotl(uint64_t x, int r)
{
    return (x << r) | (x >> (64 - r));
}

static uint64_t fmix(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdull;
    k ^= k >> 33;
    k *= 0xc4ceb9fe1a85ec53ull;
    return k ^ (k >> 33);
}

static uint64_t load64(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

struct ca_hash ca_hash128(const void *data, size_t len, uint64_t seed)
{
    const unsigned char *p = data, *tail;
    const uint64_t c1 = 0x87c37b91114253d5ull, c2 = 0x4cf5ad432745937full;
    uint64_t h1 = seed, h2 = seed, k1 = 0, k2 = 0;
    size_t nblocks = len / 16, rest = len & 15;
    struct ca_hash out;
    for (size_t i = 0; i < nblocks; i++) {
        k1 = load64(p + 16 * i);
        k2 = load64(p + 16 * i + 8);
        k1 *= c1; k1 = rotl(k1, 31); k1 *= c2; h1 ^= k1;
        h1 = rotl(h1, 27); h1 += h2; h1 = h1 * 5 + 0x52dce729;
        k2 *= c2; k2 = rotl(k2, 33); k2 *= c1; h2 ^= k2;
        h2 = rotl(h2, 31); h2 += h1; h2 = h2 * 5 + 0x38495ab5;
    }
    tail = p + 16 * nblocks;
    k1 = k2 = 0;
    for (size_t i = rest; i > 8; i--) k2 ^= (uint64_t)tail[i - 1] << (8 * (i - 9));
    if (rest > 8) { k2 *= c2; k2 = rotl(k2, 33); k2 *= c1; h2 ^= k2; }
    for (size_t i = rest < 8 ? rest : 8; i > 0; i--) k1 ^= (uint64_t)tail[i - 1] << (8 * (i - 1));
    if (rest > 0) { k1 *= c1; k1 = rotl(k1, 31); k1 *= c2; h1 ^= k1; }
    h1 ^= (uint64_t)len; h2 ^= (uint64_t)len;
    h1 += h2; h2 += h1;
    h1 = fmix(h1); h2 = fmix(h2);
    h1 += h2; h2 += h1;
    out.h1 = h1;
    out.h2 = h2;
    return out;
}

void ca_hash_hex(struct ca_hash h, char out[33])
{
    snprintf(out, 33, "%016llx%016llx", (unsigned long long)h.h1, (unsigned long long)h.h2);
}
