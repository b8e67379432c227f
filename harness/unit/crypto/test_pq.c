/* pq factorization (test-vectors.md section 6) with Brent and the rho
 * baseline, random products of two 31-bit primes, rejections; the 64-bit
 * prime test and random primes. */
#include "harness/unit/common/mt_test.h"
#include "core/crypto/mt_crypto.h"

static void test_vectors(void **st)
{
    (void)st;
    static const struct { uint64_t pq; uint32_t p, q; } v[] = {
        { 1724114033281923457ull, 1229739323u, 1402015859u },
        { 378221ull, 613u, 617u },
        { 15ull, 3u, 5u },
        { 2694724800268887959ull, 1513098571u, 1780931429u },
    };
    for (size_t i = 0; i < MT_ARRAY_LEN(v); i++) {
        uint32_t p = 0, q = 0;
        assert_int_equal(mt_pq_factor(v[i].pq, &p, &q), 0);
        assert_int_equal(p, v[i].p);
        assert_int_equal(q, v[i].q);
        p = q = 0;
        assert_int_equal(mt_pq_factor_rho(v[i].pq, &p, &q), 0);
        assert_int_equal(p, v[i].p);
        assert_int_equal(q, v[i].q);
    }
}

static void test_random_products(void **st)
{
    (void)st;
    struct mt_rng rng;
    assert_int_equal(mt_rng_init(&rng), 0);
    for (int i = 0; i < 200; i++) {
        int bits = i < 150 ? 31 : 32 - (i % 20);
        uint32_t a = mt_random_prime32(&rng, bits), b = mt_random_prime32(&rng, bits);
        assert_true(a >> (bits - 1) == 1 && b >> (bits - 1) == 1);
        assert_true(mt_is_prime_u64(a) && mt_is_prime_u64(b));
        if (a == b)
            continue;
        uint32_t p, q;
        assert_int_equal(mt_pq_factor((uint64_t)a * b, &p, &q), 0);
        assert_int_equal(p, a < b ? a : b);
        assert_int_equal(q, a < b ? b : a);
        if (i % 40 == 0) {   /* the baseline is ~50x slower: a few only */
            assert_int_equal(mt_pq_factor_rho((uint64_t)a * b, &p, &q), 0);
            assert_int_equal(p, a < b ? a : b);
        }
    }
    assert_int_equal(mt_random_prime32(&rng, 1), 0);
    assert_int_equal(mt_random_prime32(&rng, 33), 0);
    uint32_t two = mt_random_prime32(&rng, 2);
    assert_true(two == 2 || two == 3);
    mt_rng_free(&rng);
}

static void test_rejects(void **st)
{
    (void)st;
    uint32_t p, q;
    assert_int_equal(mt_pq_factor(0, &p, &q), MT_E_PQ);
    assert_int_equal(mt_pq_factor(1, &p, &q), MT_E_PQ);
    assert_int_equal(mt_pq_factor(4, &p, &q), MT_E_PQ);                 /* 2 * 2 */
    assert_int_equal(mt_pq_factor(1229739323ull, &p, &q), MT_E_PQ);     /* prime */
    assert_int_equal(mt_pq_factor(1229739323ull * 1229739323ull, &p, &q), MT_E_PQ);
    assert_int_equal(mt_pq_factor(3ull * 5 * 7 * 11, &p, &q), MT_E_PQ); /* > 2 factors */
    assert_int_equal(mt_pq_factor(18446744073709551557ull, &p, &q), MT_E_PQ);   /* prime */
    /* a factor above 32 bits */
    assert_int_equal(mt_pq_factor(3ull * 4294967311ull, &p, &q), MT_E_PQ);
    assert_int_equal(mt_pq_factor(2ull * 1402015859u, &p, &q), 0);
    assert_int_equal(p, 2);
    assert_int_equal(mt_pq_factor(15, NULL, &q), MT_E_INVAL);
}

static void test_is_prime(void **st)
{
    (void)st;
    static const uint64_t primes[] = { 2, 3, 5, 37, 41, 65537, 4294967291ull, 4294967311ull,
                                       18446744073709551557ull, 1000000000000000003ull };
    static const uint64_t composites[] = { 0, 1, 4, 9, 561, 1105, 3215031751ull,
                                           3825123056546413051ull, 18446744073709551615ull,
                                           4294967291ull * 3 };
    for (size_t i = 0; i < MT_ARRAY_LEN(primes); i++)
        assert_true(mt_is_prime_u64(primes[i]));
    for (size_t i = 0; i < MT_ARRAY_LEN(composites); i++)
        assert_false(mt_is_prime_u64(composites[i]));
    /* against trial division on a range */
    for (uint64_t n = 0; n < 3000; n++) {
        int pr = n >= 2;
        for (uint64_t d = 2; d * d <= n && pr; d++)
            pr = n % d != 0;
        assert_int_equal(mt_is_prime_u64(n), pr);
    }
}

int main(void)
{
    mt_crypto_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors),
        cmocka_unit_test(test_random_products),
        cmocka_unit_test(test_rejects),
        cmocka_unit_test(test_is_prime),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
