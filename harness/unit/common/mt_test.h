/* Shared by the cmocka tests: includes in the order cmocka needs, a hex
 * helper and a seeded PRNG for differential tests (never for keys). */
#ifndef MT_TEST_H
#define MT_TEST_H
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <cmocka.h>
#include "core/base/mt_base.h"

/* Decode a hex literal into a fresh buffer; fails the test on bad hex. */
static inline uint8_t *mt_test_hex(const char *hex, size_t *len)
{
    size_t cap = strlen(hex) / 2 + 1;
    uint8_t *out = malloc(cap);
    assert_non_null(out);
    int n = mt_hex_decode(hex, out, cap);
    assert_true(n >= 0);
    if (len) *len = (size_t)n;
    return out;
}

/* xoshiro256** seeded by splitmix64: reproducible test inputs. */
struct mt_test_prng { uint64_t s[4]; };
static inline uint64_t mt_test_rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
static inline void mt_test_prng_seed(struct mt_test_prng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++) {
        uint64_t z = (seed += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        r->s[i] = z ^ (z >> 31);
    }
}
static inline uint64_t mt_test_next(struct mt_test_prng *r)
{
    uint64_t *s = r->s, res = mt_test_rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t;
    s[3] = mt_test_rotl(s[3], 45);
    return res;
}
static inline void mt_test_fill(struct mt_test_prng *r, void *p, size_t n)
{
    uint8_t *b = p;
    while (n) {
        uint64_t v = mt_test_next(r);
        size_t k = n < 8 ? n : 8;
        memcpy(b, &v, k); b += k; n -= k;
    }
}
#endif
