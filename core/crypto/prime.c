/* Small primes: a deterministic Miller-Rabin for 64-bit integers (the first
 * twelve prime bases are exact below 3.3e24) and random primes of a given bit
 * length for a server's pq. */
#include "core/crypto/mt_crypto.h"

static uint64_t mulmod64(uint64_t a, uint64_t b, uint64_t n)
{
    return (uint64_t)((unsigned __int128)a * b % n);
}

static uint64_t powmod64(uint64_t b, uint64_t e, uint64_t n)
{
    uint64_t r = 1;
    b %= n;
    while (e) {
        if (e & 1)
            r = mulmod64(r, b, n);
        b = mulmod64(b, b, n);
        e >>= 1;
    }
    return r;
}

int mt_is_prime_u64(uint64_t n)
{
    static const uint64_t bases[] = { 2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37 };
    if (n < 2)
        return 0;
    for (size_t i = 0; i < MT_ARRAY_LEN(bases); i++) {
        if (n == bases[i])
            return 1;
        if (n % bases[i] == 0)
            return 0;
    }
    uint64_t d = n - 1;
    int s = 0;
    while (!(d & 1)) {
        d >>= 1;
        s++;
    }
    for (size_t i = 0; i < MT_ARRAY_LEN(bases); i++) {
        uint64_t x = powmod64(bases[i], d, n);
        if (x == 1 || x == n - 1)
            continue;
        int witness = 1;
        for (int r = 1; r < s && witness; r++) {
            x = mulmod64(x, x, n);
            if (x == n - 1)
                witness = 0;
        }
        if (witness)
            return 0;
    }
    return 1;
}

uint32_t mt_random_prime32(struct mt_rng *rng, int bits)
{
    if (!rng || bits < 2 || bits > 32)
        return 0;
    uint32_t mask = bits == 32 ? 0xffffffffu : (1u << bits) - 1;
    for (;;) {
        uint32_t v = ((uint32_t)mt_rng_u64(rng) & mask) | (1u << (bits - 1));
        if (bits > 2)
            v |= 1;
        if (mt_is_prime_u64(v))
            return v;
    }
}
