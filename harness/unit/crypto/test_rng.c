/* The AES-CTR rng: output of every tier equals the portable keystream for
 * the same state, each tier's CTR kernel equals the portable one (lengths,
 * counter carries and wraps, no write past the end), handed-out bytes do
 * not stay in the buffer, fast key erasure changes the key, uniform() stays
 * in range without visible bias, getrandom() wrapper works. */
#include "core/crypto/crypto_impl.h"   /* the ctr_stream kernel of each tier */
#include "harness/unit/crypto/crypto_test_util.h"

static void fixed_state(struct mt_rng *r)
{
    memset(r, 0, sizeof *r);
    for (int i = 0; i < 32; i++) r->key[i] = (uint8_t)(i * 7 + 1);
    memset(r->ctr, 0xff, 16);        /* wraps on the first block */
    r->ctr[0] = 0x7f;
    r->pos = sizeof r->buf;          /* empty: the first read refills */
}

static void test_tiers_agree(void **state)
{
    (void)state;
    enum mt_cpu_tier start = mt_crypto_tier();
    uint8_t ref[5000], got[5000];   /* crosses two refills */
    struct mt_rng r;
    mt_crypto_set_tier(MT_TIER_PORTABLE);
    fixed_state(&r);
    mt_rng_bytes(&r, ref, sizeof ref);
    uint8_t key_after[32];
    memcpy(key_after, r.key, 32);
    for (int t = MT_TIER_AESNI; t <= (int)mt_crypto_max_tier(); t++) {
        assert_int_equal(mt_crypto_set_tier((enum mt_cpu_tier)t), 0);
        fixed_state(&r);
        for (size_t off = 0; off < sizeof got;) {  /* odd pieces */
            size_t k = (off * 13 + 5) % 300;
            if (k > sizeof got - off) k = sizeof got - off;
            mt_rng_bytes(&r, got + off, k);
            off += k;
        }
        assert_memory_equal(got, ref, sizeof ref);
        assert_memory_equal(r.key, key_after, 32);
    }
    mt_crypto_set_tier(start);
}

/* Every tier's kernel against the portable (OpenSSL EVP) one, lengths
 * 16..4096, counters whose low 64 bits carry inside the call, the 2^128
 * wrap, and a canary after the end (the wide kernels use masked stores). */
static void test_ctr_kernels(void **state)
{
    (void)state;
    enum mt_cpu_tier start = mt_crypto_tier();
    enum { MAX = 4096, CANARY = 64 };
    static uint8_t ref[MAX + CANARY], got[MAX + CANARY];
    uint8_t key[32], c0[16], cref[16], cgot[16];
    struct mt_test_prng r;
    mt_test_prng_seed(&r, 0x5eed);
    for (int t = MT_TIER_AESNI; t <= (int)mt_crypto_max_tier(); t++) {
        assert_int_equal(mt_crypto_set_tier((enum mt_cpu_tier)t), 0);
        mt_ctr_stream_fn fn = mt_crypto_impl()->ctr_stream;
        for (size_t n = 16; n <= MAX; n += 16) {
            mt_test_fill(&r, key, 32);
            mt_test_fill(&r, c0, 16);
            switch (n / 16 % 4) {           /* 0: random counter */
            case 1: memset(c0 + 8, 0xff, 8); c0[15] -= (uint8_t)(n / 16 % 7); break;
            case 2: memset(c0, 0xff, 16); break;
            case 3: memset(c0 + 8, 0xff, 7); c0[15] = 0xf0; break;
            }
            memcpy(cref, c0, 16);
            memcpy(cgot, c0, 16);
            memset(ref, 0xa5, sizeof ref);
            memset(got, 0xa5, sizeof got);
            mt_ctr_stream_portable(key, cref, ref, n);
            fn(key, cgot, got, n);
            assert_memory_equal(got, ref, n + CANARY);
            assert_memory_equal(cgot, cref, 16);
        }
    }
    mt_crypto_set_tier(start);
}

/* What was handed out is zeroed in the buffer at once; only the bytes not
 * yet drawn (and the next key at the front) hold keystream. */
static void test_output_not_kept(void **state)
{
    (void)state;
    struct mt_rng r;
    assert_int_equal(mt_rng_init(&r), 0);
    uint8_t out[700];
    for (int i = 0; i < 40; i++) {
        size_t n = (size_t)(i * 37 % 700) + 1;
        mt_rng_bytes(&r, out, n);
        if (i % 3 == 0) (void)mt_rng_uniform(&r, 1000);
        if (i % 5 == 0) (void)mt_rng_u64(&r);
        assert_true(r.pos >= 32 && r.pos <= sizeof r.buf);
        assert_memory_equal(r.buf, r.key, 32);
        for (size_t k = 32; k < r.pos; k++) assert_int_equal(r.buf[k], 0);
    }
    mt_rng_free(&r);
}

static void test_seeded(void **state)
{
    (void)state;
    struct mt_rng a, b;
    assert_int_equal(mt_rng_init(&a), 0);
    assert_int_equal(mt_rng_init(&b), 0);
    uint8_t x[64], y[64], zero[64] = { 0 };
    uint8_t key0[32];
    memcpy(key0, a.key, 32);
    mt_rng_bytes(&a, x, sizeof x);
    mt_rng_bytes(&b, y, sizeof y);
    assert_memory_not_equal(x, y, 64);
    assert_memory_not_equal(x, zero, 64);
    assert_memory_not_equal(a.key, key0, 32);   /* key erased after the refill */
    assert_int_not_equal(mt_rng_u64(&a), mt_rng_u64(&a));
    mt_rng_free(&a);
    assert_memory_equal(a.key, zero, 32);
    mt_rng_free(&b);
    assert_int_equal(mt_random_bytes(x, sizeof x), 0);
    assert_int_equal(mt_random_bytes(y, sizeof y), 0);
    assert_memory_not_equal(x, y, 64);
}

static void test_uniform(void **state)
{
    (void)state;
    struct mt_rng r;
    assert_int_equal(mt_rng_init(&r), 0);
    assert_int_equal(mt_rng_uniform(&r, 0), 0);
    assert_int_equal(mt_rng_uniform(&r, 1), 0);
    /* chi-square over 6 buckets, 60000 draws: 5 dof, p = 0.0001 at 25.7 */
    enum { B = 6, N = 60000 };
    unsigned cnt[B] = { 0 };
    for (int i = 0; i < N; i++) {
        uint32_t v = mt_rng_uniform(&r, B);
        assert_true(v < B);
        cnt[v]++;
    }
    double chi = 0, e = (double)N / B;
    for (int i = 0; i < B; i++) chi += (cnt[i] - e) * (cnt[i] - e) / e;
    assert_true(chi < 25.7);
    /* a bound just above 2^31 rejects about half the draws: still in range
     * and both halves are reached */
    uint32_t big = 0x80000001u;
    int low = 0, high = 0;
    for (int i = 0; i < 2000; i++) {
        uint32_t v = mt_rng_uniform(&r, big);
        assert_true(v < big);
        if (v < big / 2) low++; else high++;
    }
    assert_true(low > 800 && high > 800);
    mt_rng_free(&r);
}

int main(void)
{
    mt_crypto_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tiers_agree),
        cmocka_unit_test(test_ctr_kernels),
        cmocka_unit_test(test_output_not_kept),
        cmocka_unit_test(test_seeded),
        cmocka_unit_test(test_uniform),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
