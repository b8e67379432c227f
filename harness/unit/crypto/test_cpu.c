/* CPU dispatch: tier names, MTLOAD_CPU handling (a tier the CPU lacks falls
 * back to the best available), forcing each supported tier, and the
 * descriptive strings. */
#include <stdlib.h>

#include "core/crypto/mt_crypto.h"
#include "harness/unit/common/mt_test.h"

static void test_parse_names(void **state)
{
    (void)state;
    enum mt_cpu_tier t;
    for (int i = MT_TIER_PORTABLE; i <= MT_TIER_AVX512; i++) {
        const char *name = mt_crypto_tier_name((enum mt_cpu_tier)i);
        assert_int_equal(mt_crypto_tier_parse(name, &t), 0);
        assert_int_equal(t, i);
    }
    assert_int_equal(mt_crypto_tier_parse("sse9", &t), MT_E_INVAL);
    assert_int_equal(mt_crypto_tier_parse("", &t), MT_E_INVAL);
    assert_int_equal(mt_crypto_tier_parse(NULL, &t), MT_E_INVAL);
    assert_string_equal(mt_crypto_tier_name((enum mt_cpu_tier)42), "unknown");
}

/* What init did with this process's MTLOAD_CPU (CTest sets each tier). */
static void test_init_env(void **state)
{
    (void)state;
    const char *env = getenv("MTLOAD_CPU");
    int rc = mt_crypto_init();
    assert_int_equal(mt_crypto_init(), rc);               /* idempotent */
    enum mt_cpu_tier max = mt_crypto_max_tier(), want;
    if (!env || !*env) {
        assert_int_equal(rc, 0);
        assert_int_equal(mt_crypto_tier(), max);
    } else if (mt_crypto_tier_parse(env, &want) != 0) {
        assert_int_equal(rc, MT_E_INVAL);
        assert_int_equal(mt_crypto_tier(), max);
    } else if (want > max) {
        assert_int_equal(rc, MT_E_UNSUPPORTED);               /* falls back */
        assert_int_equal(mt_crypto_tier(), max);
    } else {
        assert_int_equal(rc, 0);
        assert_int_equal(mt_crypto_tier(), want);
    }
}

static void test_set_tier(void **state)
{
    (void)state;
    enum mt_cpu_tier start = mt_crypto_tier(), max = mt_crypto_max_tier();
    const struct mt_cpu_features *f = mt_cpu();
    for (int i = MT_TIER_PORTABLE; i <= MT_TIER_AVX512; i++) {
        int rc = mt_crypto_set_tier((enum mt_cpu_tier)i);
        if (i <= (int)max) {
            assert_int_equal(rc, 0);
            assert_int_equal(mt_crypto_tier(), i);
            assert_non_null(strstr(mt_crypto_describe(), mt_crypto_tier_name((enum mt_cpu_tier)i)));
        } else {
            assert_int_equal(rc, MT_E_UNSUPPORTED);
            assert_int_equal(mt_crypto_tier(), max);  /* unchanged: last set was max */
        }
    }
    assert_int_equal(mt_crypto_set_tier((enum mt_cpu_tier)7), MT_E_INVAL);
    /* the tiers' requirements, as documented */
    if (max >= MT_TIER_AESNI) assert_true(f->aesni && f->ssse3 && f->sse41);
    if (max >= MT_TIER_AVX2) assert_true(f->avx2 && f->vaes);
    if (max >= MT_TIER_AVX512) assert_true(f->avx512f && f->avx512bw && f->avx512vl && f->os_zmm);
    assert_int_equal(mt_crypto_set_tier(start), 0);
}

static void test_strings(void **state)
{
    (void)state;
    assert_true(strlen(mt_cpu_model()) > 0);
    assert_true(strlen(mt_crypto_describe()) > 0);
    /* every tier hashes and encrypts the same (quick cross-check) */
    uint8_t ref[32], got[32], key[32] = { 1 }, iv[32] = { 2 }, buf[64] = { 3 }, ct[64], ct_ref[64];
    enum mt_cpu_tier start = mt_crypto_tier();
    mt_crypto_set_tier(MT_TIER_PORTABLE);
    mt_sha256("mtload", 6, ref);
    uint8_t iv0[32];
    memcpy(iv0, iv, 32);
    mt_ige256_encrypt(key, iv0, buf, ct_ref, 64);
    for (int i = MT_TIER_AESNI; i <= (int)mt_crypto_max_tier(); i++) {
        assert_int_equal(mt_crypto_set_tier((enum mt_cpu_tier)i), 0);
        mt_sha256("mtload", 6, got);
        assert_memory_equal(got, ref, 32);
        memcpy(iv0, iv, 32);
        mt_ige256_encrypt(key, iv0, buf, ct, 64);
        assert_memory_equal(ct, ct_ref, 64);
    }
    mt_crypto_set_tier(start);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_names),
        cmocka_unit_test(test_init_env),
        cmocka_unit_test(test_set_tier),
        cmocka_unit_test(test_strings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
