/* The AES-CTR rng: output of every tier equals the portable keystream for
 * the same state, fast key erasure changes the key, uniform() stays in
 * range without visible bias, getrandom() wrapper works. */
#include "core/crypto/mt_crypto.h"
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
    uint8_t ref[3000], got[3000];
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
        cmocka_unit_test(test_seeded),
        cmocka_unit_test(test_uniform),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
