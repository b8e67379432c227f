/* Per-thread CSPRNG: AES-256-CTR keystream seeded by getrandom(). Each
 * refill makes sizeof buf bytes and uses the first 32 as the next key ("fast
 * key erasure"), so a later state leak cannot reveal earlier output; bytes
 * are zeroed in the buffer as they are handed out, for the same reason.
 * Reseeded from the OS every 2^32 bytes. */
#include <errno.h>
#include <sys/random.h>

#include "core/crypto/crypto_impl.h"

#define RNG_RESEED_BYTES (1ull << 32)

int mt_random_bytes(void *out, size_t n)
{
    uint8_t *p = out;
    while (n) {
        ssize_t r = getrandom(p, n, 0);
        if (r < 0) {
            if (errno == EINTR) continue;
            return MT_E_RANDOM;
        }
        p += r; n -= (size_t)r;
    }
    return 0;
}

static int rng_seed(struct mt_rng *rng)
{
    uint8_t seed[48];
    if (mt_random_bytes(seed, sizeof seed)) return MT_E_RANDOM;
    memcpy(rng->key, seed, 32);
    memcpy(rng->ctr, seed + 32, 16);
    mt_wipe(seed, sizeof seed);
    rng->produced = 0;
    rng->pos = sizeof rng->buf;
    return 0;
}

int mt_rng_init(struct mt_rng *rng)
{
    memset(rng, 0, sizeof *rng);
    return rng_seed(rng);
}

static void rng_refill(struct mt_rng *rng)
{
    /* if the OS fails to reseed, the key-erasing stream goes on safely */
    if (rng->produced >= RNG_RESEED_BYTES) (void)rng_seed(rng);
    mt_crypto_impl()->ctr_stream(rng->key, rng->ctr, rng->buf, sizeof rng->buf);
    memcpy(rng->key, rng->buf, 32);
    rng->pos = 32;
}

/* n <= sizeof buf - pos. Handed-out bytes are zeroed at once: a state leak
 * between two calls must not show output already given away. */
static inline void rng_take(struct mt_rng *rng, uint8_t *p, size_t n)
{
    uint8_t *src = rng->buf + rng->pos;
    memcpy(p, src, n);
    memset(src, 0, n);
    rng->pos += n;
}

void mt_rng_bytes(struct mt_rng *rng, void *out, size_t n)
{
    uint8_t *p = out;
    rng->produced += n;
    for (;;) {
        size_t avail = sizeof rng->buf - rng->pos;
        if (MT_LIKELY(n <= avail)) {
            rng_take(rng, p, n);
            return;
        }
        rng_take(rng, p, avail);
        p += avail; n -= avail;
        rng_refill(rng);
    }
}

/* Fixed-size draws (n a constant once inlined): one load and one store in
 * the common case instead of a call and two libc calls. */
static inline __attribute__((always_inline)) void rng_draw_fixed(struct mt_rng *rng, void *v, size_t n)
{
    if (MT_LIKELY(rng->pos <= sizeof rng->buf - n)) {
        rng->produced += n;
        rng_take(rng, v, n);
    } else {
        mt_rng_bytes(rng, v, n);
    }
}

uint64_t mt_rng_u64(struct mt_rng *rng)
{
    uint64_t v;
    rng_draw_fixed(rng, &v, sizeof v);
    return v;
}

/* Lemire's multiply-and-reject: unbiased, one multiply in the common case. */
uint32_t mt_rng_uniform(struct mt_rng *rng, uint32_t bound)
{
    if (bound <= 1) return 0;
    uint32_t x;
    rng_draw_fixed(rng, &x, sizeof x);
    uint64_t m = (uint64_t)x * bound;
    if ((uint32_t)m < bound) {
        uint32_t threshold = (uint32_t)(-bound) % bound;
        while ((uint32_t)m < threshold) {
            mt_rng_bytes(rng, &x, sizeof x);
            m = (uint64_t)x * bound;
        }
    }
    return (uint32_t)(m >> 32);
}

void mt_rng_free(struct mt_rng *rng) { mt_wipe(rng, sizeof *rng); }
