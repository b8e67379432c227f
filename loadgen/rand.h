/* loadgen/rand: a fast seeded PRNG (xoshiro256** seeded by splitmix64) for
 * scheduling decisions — which operation to send, echo sizes, pacing phases,
 * backoff jitter, fault injection. Not for anything secret: keys, nonces and
 * padding come from core/crypto's mt_rng. One per thread, caller-owned. */
#ifndef MT_LG_RAND_H
#define MT_LG_RAND_H

#include <stdint.h>

struct mt_rand { uint64_t s[4]; };

static inline void mt_rand_seed(struct mt_rand *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++) {
        uint64_t z = (seed += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        r->s[i] = z ^ (z >> 31);
    }
}

static inline uint64_t mt_rand_rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static inline uint64_t mt_rand_u64(struct mt_rand *r)
{
    uint64_t *s = r->s, res = mt_rand_rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t;
    s[3] = mt_rand_rotl(s[3], 45);
    return res;
}

/* A seed for stream (a, b) of a run seeded with `base` (e.g. worker, session):
 * distinct, well-mixed seeds from one --seed, so a run is reproducible. */
static inline uint64_t mt_rand_derive(uint64_t base, uint64_t a, uint64_t b)
{
    struct mt_rand r;
    mt_rand_seed(&r, base ^ (a * 0x9e3779b97f4a7c15ull) ^ (b * 0xc2b2ae3d27d4eb4full));
    return mt_rand_u64(&r);
}

/* Uniform in [0, 1) with 53 random bits. */
static inline double mt_rand_unit(struct mt_rand *r)
{
    return (double)(mt_rand_u64(r) >> 11) * 0x1.0p-53;
}

/* Uniform in [0, bound) by multiply-shift (bias < bound / 2^64, negligible
 * for scheduling). bound 0 gives 0. */
static inline uint64_t mt_rand_below(struct mt_rand *r, uint64_t bound)
{
    return (uint64_t)(((unsigned __int128)mt_rand_u64(r) * bound) >> 64);
}

#endif
