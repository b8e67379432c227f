/* pq factorization for the handshake (pq <= 2^63 - 1, a product of two
 * 32-bit primes). mt_pq_factor: Pollard-Brent with the polynomial y^2 + c,
 * a 128-bit product reduced by Montgomery's REDC (no 128-bit division), and
 * the differences of m = 128 steps multiplied together so that one gcd
 * covers them (Brent 1980). mt_pq_factor_rho, plain Pollard rho (Floyd cycle
 * finding, 128-bit `%`, a gcd every step), is kept only as the benchmark
 * baseline. */
#include "core/crypto/mt_crypto.h"

#define BRENT_BATCH 128
#define MAX_ROUNDS (1u << 26)   /* far beyond sqrt(2^32): a failed run */

static inline uint64_t step(uint64_t y, uint64_t c, uint64_t n)
{
    return (uint64_t)(((unsigned __int128)y * y + c) % n);
}

/* Montgomery arithmetic mod an odd n < 2^64, R = 2^64. The map
 * y -> y*y/R + c is as good a pseudo-random quadratic map as y*y + c, and
 * differences stay coprime-equivalent (R is a unit mod n), so Brent's
 * iteration runs in the Montgomery domain without conversions. */
struct mont { uint64_t n, ninv; };   /* ninv = n^-1 mod 2^64 */

static struct mont mont_init(uint64_t n)
{
    uint64_t inv = n;                 /* correct to 3 bits for odd n */
    for (int i = 0; i < 5; i++)
        inv *= 2 - n * inv;           /* Newton: doubles the correct bits */
    return (struct mont){ n, inv };
}

/* a * b / R mod n, for a, b < n: hi(T) - hi(m * n) where m * n has the
 * same low word as T; no overflow for any n < 2^64. */
static inline uint64_t mont_mul(const struct mont *m, uint64_t a, uint64_t b)
{
    unsigned __int128 t = (unsigned __int128)a * b;
    uint64_t lo = (uint64_t)t, hi = (uint64_t)(t >> 64);
    uint64_t k = lo * m->ninv;
    uint64_t mn_hi = (uint64_t)(((unsigned __int128)k * m->n) >> 64);
    return hi >= mn_hi ? hi - mn_hi : hi - mn_hi + m->n;
}

static inline uint64_t mont_step(const struct mont *m, uint64_t y, uint64_t c)
{
    uint64_t s = mont_mul(m, y, y), r = s + c;
    return (r < s || r >= m->n) ? r - m->n : r;
}

static inline uint64_t absdiff(uint64_t a, uint64_t b) { return a > b ? a - b : b - a; }

/* Binary gcd: shifts and subtractions instead of 64-bit divisions. */
static uint64_t gcd64(uint64_t a, uint64_t b)
{
    if (!a || !b)
        return a | b;
    int shift = __builtin_ctzll(a | b);
    a >>= __builtin_ctzll(a);
    do {
        b >>= __builtin_ctzll(b);
        if (a > b) {
            uint64_t t = a;
            a = b;
            b = t;
        }
        b -= a;
    } while (b);
    return a << shift;
}

/* A divisor of n (odd) found from start y0 and constant c: in (1, n), or
 * n / 1 on failure (then retry with another c). */
static uint64_t brent(uint64_t n, uint64_t y0, uint64_t c)
{
    const struct mont m = mont_init(n);
    uint64_t y = y0 % n, x = y, ys = y, q = 1, g = 1;
    c %= n;
    for (uint64_t r = 1; g == 1 && r <= MAX_ROUNDS; r <<= 1) {
        x = y;
        for (uint64_t i = 0; i < r; i++)
            y = mont_step(&m, y, c);
        for (uint64_t k = 0; k < r && g == 1; k += BRENT_BATCH) {
            ys = y;
            uint64_t lim = r - k < BRENT_BATCH ? r - k : BRENT_BATCH;
            for (uint64_t i = 0; i < lim; i++) {
                y = mont_step(&m, y, c);
                q = mont_mul(&m, q, absdiff(x, y));
            }
            g = gcd64(q, n);
        }
    }
    if (g == n) {
        /* The batch overshot (or q hit 0): replay it one gcd at a time. */
        do {
            ys = mont_step(&m, ys, c);
            g = gcd64(absdiff(x, ys), n);
        } while (g == 1);
    }
    return g;
}

static uint64_t rho(uint64_t n, uint64_t y0, uint64_t c)
{
    uint64_t x = y0, y = y0, d = 1;
    for (uint64_t i = 0; d == 1 && i < MAX_ROUNDS; i++) {
        x = step(x, c, n);
        y = step(step(y, c, n), c, n);
        d = gcd64(absdiff(x, y), n);
    }
    return d;
}

/* Split d * (pq / d) into p < q, both prime and 32-bit. */
static int finish(uint64_t pq, uint64_t d, uint32_t *p, uint32_t *q)
{
    uint64_t a = d, b = pq / d;
    if (a > b) {
        uint64_t t = a;
        a = b;
        b = t;
    }
    if (a == b || b > UINT32_MAX || !mt_is_prime_u64(a) || !mt_is_prime_u64(b))
        return MT_E_PQ;
    *p = (uint32_t)a;
    *q = (uint32_t)b;
    return 0;
}

static int factor_with(uint64_t pq, uint32_t *p, uint32_t *q,
                       uint64_t (*find)(uint64_t, uint64_t, uint64_t))
{
    if (!p || !q)
        return MT_E_INVAL;
    if (pq < 6 || mt_is_prime_u64(pq))
        return MT_E_PQ;
    if (!(pq & 1))
        return finish(pq, 2, p, q);
    /* Fixed starts keep run times reproducible; a few constants c are
     * always enough for a genuine product of two primes. */
    for (uint64_t c = 1; c <= 32; c++) {
        uint64_t d = find(pq, 2 + c, c);
        if (d > 1 && d < pq)
            return finish(pq, d, p, q);
    }
    return MT_E_PQ;
}

int mt_pq_factor(uint64_t pq, uint32_t *p, uint32_t *q)
{
    return factor_with(pq, p, q, brent);
}

int mt_pq_factor_rho(uint64_t pq, uint32_t *p, uint32_t *q)
{
    return factor_with(pq, p, q, rho);
}
