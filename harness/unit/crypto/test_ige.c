/* AES-256-IGE: vectors of test-vectors.md 2.2 (grammers) and 2.3 (tdlib
 * bulk, CRC32 of the ciphertext), then the active tier's single-stream and
 * batch paths against OpenSSL's AES_ige_encrypt on seeded random inputs,
 * chunked == one-shot, in-place, and decrypt(encrypt(x)) == x. */
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <openssl/aes.h>

#include "core/crypto/mt_crypto.h"
#include "harness/unit/crypto/crypto_test_util.h"

static void ref_ige(const uint8_t key[32], uint8_t iv[32], const uint8_t *in, uint8_t *out,
                    size_t len, int enc)
{
    AES_KEY k;
    if (enc) AES_set_encrypt_key(key, 256, &k);
    else AES_set_decrypt_key(key, 256, &k);
    if (len) AES_ige_encrypt(in, out, len, &k, iv, enc ? AES_ENCRYPT : AES_DECRYPT);
}

static void test_grammers(void **state)   /* 2.2 */
{
    (void)state;
    uint8_t k[32], iv[32], out[32], *want;
    for (int i = 0; i < 32; i++) k[i] = (uint8_t)i;
    memcpy(iv, k, 32);
    want = mt_test_hex("e28112a53e5c89c7b1ea8071c133699fd4e86b26c4bac9fc5af1ab8ce27a44a4", NULL);
    assert_int_equal(mt_ige256_encrypt(k, iv, k, out, 32), 0);
    assert_memory_equal(out, want, 32);
    free(want);
    memcpy(iv, k, 32);
    want = mt_test_hex("e5777afacd7b2c16f7ac40cae61ef603fee6098fb8a8860ab9ee672cd7e5bacc", NULL);
    assert_int_equal(mt_ige256_decrypt(k, iv, k, out, 32), 0);
    assert_memory_equal(out, want, 32);
    free(want);
    assert_int_equal(mt_ige256_encrypt(k, iv, k, out, 17), MT_E_INVAL);
}

/* 2.3: plaintext, key, iv from the tdlib generator seeded with L. */
static const struct { size_t len; uint32_t crc; } tdlib_ige[] = {
    { 0, 0 }, { 16, 2045698207u }, { 32, 2423540300u }, { 256, 525522475u },
    { 1024, 1545267325u }, { 65536, 724143417u },
};

static void test_tdlib_bulk(void **state)
{
    (void)state;
    enum { N = MT_ARRAY_LEN(tdlib_ige) };
    uint8_t *data[N], *back[N], keys[N][32], ivs[N][32], ivs0[N][32];
    struct mt_ige_job jobs[N];
    for (size_t i = 0; i < N; i++) {
        size_t L = tdlib_ige[i].len;
        uint32_t seed = (uint32_t)L;
        data[i] = malloc(L + 1); back[i] = malloc(L + 1);
        tdlib_gen(&seed, data[i], L);
        tdlib_gen(&seed, keys[i], 32);
        tdlib_gen(&seed, ivs[i], 32);
        memcpy(ivs0[i], ivs[i], 32);
        jobs[i] = (struct mt_ige_job){ keys[i], ivs[i], data[i], back[i], L };
    }
    /* single stream */
    for (size_t i = 0; i < N; i++) {
        uint8_t iv[32];
        memcpy(iv, ivs0[i], 32);
        assert_int_equal(mt_ige256_encrypt(keys[i], iv, data[i], back[i], tdlib_ige[i].len), 0);
        assert_int_equal(mt_crc32(0, back[i], tdlib_ige[i].len), tdlib_ige[i].crc);
    }
    /* one batch with all the lengths, then decrypt it in place */
    memset(back[N - 1], 0, tdlib_ige[N - 1].len);
    assert_int_equal(mt_ige256_encrypt_batch(jobs, N), 0);
    for (size_t i = 0; i < N; i++) {
        assert_int_equal(mt_crc32(0, back[i], tdlib_ige[i].len), tdlib_ige[i].crc);
        memcpy(ivs[i], ivs0[i], 32);
        jobs[i].in = back[i];
    }
    assert_int_equal(mt_ige256_decrypt_batch(jobs, N), 0);
    for (size_t i = 0; i < N; i++) {
        assert_memory_equal(back[i], data[i], tdlib_ige[i].len);
        free(data[i]); free(back[i]);
    }
    /* one bad length rejects the whole batch untouched */
    uint8_t k[32] = { 0 }, iv[32] = { 0 }, buf[32] = { 0 }, zero[32] = { 0 };
    struct mt_ige_job bad[2] = { { k, iv, buf, buf, 32 }, { k, iv, buf, buf, 8 } };
    assert_int_equal(mt_ige256_encrypt_batch(bad, 2), MT_E_INVAL);
    assert_memory_equal(buf, zero, 32);
}

static void test_differential_single(void **state)
{
    (void)state;
    struct mt_test_prng r;
    mt_test_prng_seed(&r, 0x16e);
    enum { MAX = 65536 };
    uint8_t *pt = malloc(MAX), *ct = malloc(MAX), *ref = malloc(MAX), *tmp = malloc(MAX);
    for (int it = 0; it < 2500; it++) {
        uint8_t key[32], iv0[32], iv_ref[32], iv[32];
        size_t n = (test_len(&r, MAX) & ~(size_t)15) + 16;
        if (n > MAX) n = MAX;
        mt_test_fill(&r, key, 32); mt_test_fill(&r, iv0, 32); mt_test_fill(&r, pt, n);
        memcpy(iv_ref, iv0, 32);
        ref_ige(key, iv_ref, pt, ref, n, 1);
        /* chunked at random block boundaries, sometimes in place */
        memcpy(iv, iv0, 32);
        int inplace = it & 1;
        if (inplace) memcpy(ct, pt, n);
        for (size_t off = 0; off < n;) {
            size_t k = 16 * (1 + mt_test_next(&r) % 40);
            if (k > n - off || (it & 2)) k = n - off;
            assert_int_equal(mt_ige256_encrypt(key, iv, inplace ? ct + off : pt + off, ct + off, k), 0);
            off += k;
        }
        assert_memory_equal(ct, ref, n);
        assert_memory_equal(iv, iv_ref, 32);
        memcpy(iv, iv0, 32);
        memcpy(iv_ref, iv0, 32);
        ref_ige(key, iv_ref, ct, tmp, n, 0);
        assert_int_equal(mt_ige256_decrypt(key, iv, ct, ct, n), 0);
        assert_memory_equal(ct, pt, n);
        assert_memory_equal(iv, iv_ref, 32);
    }
    free(pt); free(ct); free(ref); free(tmp);
}

/* Batches of 1..64 jobs with mixed (or equal) lengths, some in place. */
static void test_differential_batch(void **state)
{
    (void)state;
    struct mt_test_prng r;
    mt_test_prng_seed(&r, 0xba7);
    enum { NJ = 64, MAX = 65536 };
    uint8_t *pt = malloc((size_t)NJ * MAX), *ct = malloc((size_t)NJ * MAX), *ref = malloc(MAX);
    uint8_t keys[NJ][32], ivs[NJ][32], iv0[NJ][32], ivr[32];
    struct mt_ige_job jobs[NJ];
    size_t total = 0;
    while (total < 8000) {
        size_t n = 1 + mt_test_next(&r) % NJ;
        int same = (mt_test_next(&r) % 3) == 0;
        size_t common = 16 * (1 + mt_test_next(&r) % 70);
        for (size_t i = 0; i < n; i++) {
            size_t len = same ? common : test_len(&r, MAX) & ~(size_t)15;
            uint8_t *p = pt + i * MAX, *c = ct + i * MAX;
            mt_test_fill(&r, keys[i], 32); mt_test_fill(&r, iv0[i], 32); mt_test_fill(&r, p, len);
            memcpy(ivs[i], iv0[i], 32);
            int inplace = mt_test_next(&r) & 1;
            if (inplace) memcpy(c, p, len);
            jobs[i] = (struct mt_ige_job){ keys[i], ivs[i], inplace ? c : p, c, len };
        }
        assert_int_equal(mt_ige256_encrypt_batch(jobs, n), 0);
        for (size_t i = 0; i < n; i++) {
            memcpy(ivr, iv0[i], 32);
            ref_ige(keys[i], ivr, pt + i * MAX, ref, jobs[i].len, 1);
            assert_memory_equal(ct + i * MAX, ref, jobs[i].len);
            assert_memory_equal(ivs[i], ivr, 32);
            memcpy(ivs[i], iv0[i], 32);
            jobs[i].in = jobs[i].out;    /* decrypt in place */
        }
        assert_int_equal(mt_ige256_decrypt_batch(jobs, n), 0);
        for (size_t i = 0; i < n; i++)
            assert_memory_equal(ct + i * MAX, pt + i * MAX, jobs[i].len);
        total += n;
    }
    free(pt); free(ct); free(ref);
}

/* The one-wave path of the batch scheduler: 3..16 jobs of one length, so
 * that every lane starts and ends together, with lanes left idle (n below
 * the kernel's 8 or 16) and lengths past the 64 blocks that the idle lanes'
 * scratch area holds (run in 64-block pieces). Each job against OpenSSL. */
static void test_batch_one_wave(void **state)
{
    (void)state;
    struct mt_test_prng r;
    mt_test_prng_seed(&r, 0x3a5e);
    enum { NJ = 16, MAX = 300 * 16 };
    static const size_t blocks[] = { 1, 5, 63, 64, 65, 70, 128, 129, 300 };
    uint8_t *pt = malloc((size_t)NJ * MAX), *ct = malloc((size_t)NJ * MAX), *ref = malloc(MAX);
    uint8_t keys[NJ][32], ivs[NJ][32], iv0[NJ][32], ivr[32];
    struct mt_ige_job jobs[NJ];
    for (size_t bi = 0; bi < MT_ARRAY_LEN(blocks); bi++) {
        for (size_t n = 3; n <= NJ; n++) {
            size_t len = 16 * blocks[bi];
            for (size_t i = 0; i < n; i++) {
                mt_test_fill(&r, keys[i], 32); mt_test_fill(&r, iv0[i], 32);
                mt_test_fill(&r, pt + i * MAX, len);
                memcpy(ivs[i], iv0[i], 32);
                jobs[i] = (struct mt_ige_job){ keys[i], ivs[i], pt + i * MAX, ct + i * MAX, len };
            }
            assert_int_equal(mt_ige256_encrypt_batch(jobs, n), 0);
            for (size_t i = 0; i < n; i++) {
                memcpy(ivr, iv0[i], 32);
                ref_ige(keys[i], ivr, pt + i * MAX, ref, len, 1);
                assert_memory_equal(ct + i * MAX, ref, len);
                assert_memory_equal(ivs[i], ivr, 32);
                memcpy(ivs[i], iv0[i], 32);
                jobs[i] = (struct mt_ige_job){ keys[i], ivs[i], ct + i * MAX, ct + i * MAX, len };
            }
            assert_int_equal(mt_ige256_decrypt_batch(jobs, n), 0);
            for (size_t i = 0; i < n; i++) {
                assert_memory_equal(ct + i * MAX, pt + i * MAX, len);
                memcpy(ivr, iv0[i], 32);
                ref_ige(keys[i], ivr, pt + i * MAX, ref, len, 1);   /* the IV chain after encrypt */
                assert_memory_equal(ivs[i], ivr, 32);
            }
        }
    }
    free(pt); free(ct); free(ref);
}

int main(void)
{
    mt_crypto_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grammers),
        cmocka_unit_test(test_tdlib_bulk),
        cmocka_unit_test(test_differential_single),
        cmocka_unit_test(test_differential_batch),
        cmocka_unit_test(test_batch_one_wave),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
