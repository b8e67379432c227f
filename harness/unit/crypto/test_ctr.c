/* AES-256-CTR stream: the tdlib bulk vectors of test-vectors.md 2.3 (CRC32
 * of the ciphertext, generated IV and all-0xff IV for the counter wrap),
 * and a stream fed in random pieces equals one call. */
#include <openssl/evp.h>

#include "core/crypto/mt_crypto.h"
#include "harness/unit/crypto/crypto_test_util.h"

static const struct { size_t len; uint32_t crc_a, crc_b; } tdlib_ctr[] = {
    { 0, 0, 0 },
    { 1, 1141589763u, 2053451992u },
    { 31, 596296607u, 1384063362u },
    { 32, 3673001485u, 3266188502u },
    { 33, 2302125528u, 2893295118u },
    { 9999, 330967191u, 780356167u },
    { 10000, 2047392231u, 1904947434u },
    { 10001, 3537459563u, 2043402406u },
    { 999999, 307747798u, 472080809u },
    { 1000001, 2149598133u, 1807109488u },
};

static void test_tdlib_bulk(void **state)
{
    (void)state;
    for (size_t i = 0; i < MT_ARRAY_LEN(tdlib_ctr); i++) {
        size_t L = tdlib_ctr[i].len;
        uint32_t seed = (uint32_t)L;
        uint8_t *data = malloc(L + 1), *out = malloc(L + 1), key[32], iv[16], ff[16];
        tdlib_gen(&seed, data, L);
        tdlib_gen(&seed, key, 32);
        tdlib_gen(&seed, iv, 16);
        memset(ff, 0xff, 16);
        struct mt_ctr s;
        assert_int_equal(mt_ctr_init(&s, key, iv), 0);
        mt_ctr_xor(&s, data, out, L);
        mt_ctr_free(&s);
        assert_int_equal(mt_crc32(0, out, L), tdlib_ctr[i].crc_a);
        assert_int_equal(mt_ctr_init(&s, key, ff), 0);   /* B: wraps 2^128-1 -> 0 */
        mt_ctr_xor(&s, data, out, L);
        mt_ctr_free(&s);
        assert_int_equal(mt_crc32(0, out, L), tdlib_ctr[i].crc_b);
        free(data);
        free(out);
    }
}

static void test_chunked(void **state)
{
    (void)state;
    struct mt_test_prng r;
    mt_test_prng_seed(&r, 0xc7);
    enum { MAX = 65536 };
    uint8_t *in = malloc(MAX), *one = malloc(MAX), *pieces = malloc(MAX), key[32], iv[16];
    for (int it = 0; it < 300; it++) {
        size_t n = test_len(&r, MAX);
        mt_test_fill(&r, in, n); mt_test_fill(&r, key, 32); mt_test_fill(&r, iv, 16);
        struct mt_ctr a, b;
        assert_int_equal(mt_ctr_init(&a, key, iv), 0);
        assert_int_equal(mt_ctr_init(&b, key, iv), 0);
        mt_ctr_xor(&a, in, one, n);
        memcpy(pieces, in, n);
        for (size_t off = 0; off < n;) {           /* in place, odd pieces */
            size_t k = mt_test_next(&r) % 100;
            if (k > n - off) k = n - off;
            mt_ctr_xor(&b, pieces + off, pieces + off, k);
            off += k;
        }
        assert_memory_equal(one, pieces, n);
        mt_ctr_free(&a);
        mt_ctr_free(&b);
        assert_int_equal(mt_ctr_init(&a, key, iv), 0);   /* a fresh stream decrypts */
        mt_ctr_xor(&a, one, one, n);
        assert_memory_equal(one, in, n);
        mt_ctr_free(&a);
    }
    free(in); free(one); free(pieces);
}

int main(void)
{
    mt_crypto_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tdlib_bulk),
        cmocka_unit_test(test_chunked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
