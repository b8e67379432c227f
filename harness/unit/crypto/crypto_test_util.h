/* Helpers shared by the crypto tests: the tdlib test-data generator
 * (test-vectors.md section 2.3) and a length distribution that covers
 * 16 B .. 64 KiB while keeping the run short. */
#ifndef MT_CRYPTO_TEST_UTIL_H
#define MT_CRYPTO_TEST_UTIL_H
#include "harness/unit/common/mt_test.h"

/* seed = seed * 123457567 + 987651241 (mod 2^32); byte = (seed >> 23) & 255 */
static inline void tdlib_gen(uint32_t *seed, uint8_t *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        *seed = *seed * 123457567u + 987651241u;
        out[i] = (uint8_t)((*seed >> 23) & 255);
    }
}

/* Mostly small (as MTProto traffic is), sometimes up to `max`. */
static inline size_t test_len(struct mt_test_prng *r, size_t max)
{
    uint64_t v = mt_test_next(r);
    size_t cap = (v % 100) < 70 ? 1024 : (v % 100) < 95 ? 8192 : max;
    if (cap > max) cap = max;
    return (size_t)((v >> 8) % (cap + 1));
}
#endif
