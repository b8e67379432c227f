/* SHA-1, SHA-256 (one-shot, parts, incremental, batch) and CRC32: the
 * known-answer vectors of test-vectors.md section 1 (and 7.1 for CRC32),
 * then every SHA-256 path of the active tier against OpenSSL on seeded
 * random inputs. */
#include <openssl/sha.h>

#include "core/crypto/crypto_impl.h"  /* kernels that no tier of this CPU may pick */
#include "core/crypto/mt_crypto.h"
#include "harness/unit/crypto/crypto_test_util.h"

struct hash_vec { const char *in; const char *sha1, *sha256; uint32_t crc; };

/* test-vectors.md 1.1 (FIPS 180-2) and 1.2 (tdlib crypto.cpp) */
static const struct hash_vec vecs[] = {
    { "abc", "a9993e364706816aba3e25717850c26c9cd0d89d",
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", 0x352441c2 },
    { "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
      "84983e441c3bd26ebaae4aa1f95129e5e54670f1",
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1", 0x171a3f5f },
    { "", "da39a3ee5e6b4b0d3255bfef95601890afd80709",
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", 0 },
    { "1", "356a192b7913b04c54574d18c28d46e6395428ab",
      "6b86b273ff34fce19d6b804eff5a3f5747ada4eaa22f1d49c01e52ddb7875b4b", 2212294583u },
    { "short test string", "b91cac430a1ac74a4d25e042dfece9433272d6b0",
      "c8f31a63b43c3ca3f00acc3ae149c30f99a145c8adb84260ccb64cbebd0ef296", 3013144151u },
};

static void assert_hex(const uint8_t *got, size_t n, const char *want)
{
    char hex[129];
    mt_hex_encode(got, n, hex);
    assert_string_equal(hex, want);
}

static void test_vectors(void **state)
{
    (void)state;
    for (size_t i = 0; i < MT_ARRAY_LEN(vecs); i++) {
        const struct hash_vec *v = &vecs[i];
        size_t n = strlen(v->in);
        uint8_t d1[20], d2[32];
        mt_sha1(v->in, n, d1);
        assert_hex(d1, 20, v->sha1);
        mt_sha256(v->in, n, d2);
        assert_hex(d2, 32, v->sha256);
        /* the abc and 448-bit CRCs are computed here (zlib), the rest tdlib's */
        assert_int_equal(mt_crc32(0, v->in, n), v->crc);
        struct mt_sha256_job job = { .part = { { v->in, n } }, .out = d2 };
        memset(d2, 0, 32);
        mt_sha256_batch(&job, 1);
        assert_hex(d2, 32, v->sha256);
    }
}

static void test_million_a(void **state)
{
    (void)state;
    size_t n = 1000000;
    uint8_t *a = malloc(n), d1[20], d2[32];
    assert_non_null(a);
    memset(a, 'a', n);
    mt_sha1(a, n, d1);
    assert_hex(d1, 20, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
    mt_sha256(a, n, d2);
    assert_hex(d2, 32, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    assert_int_equal(mt_crc32(0, a, n), 3693461436u);
    struct mt_sha256_ctx c;                 /* odd chunking through the ctx */
    mt_sha256_init(&c);
    for (size_t off = 0; off < n;) {
        size_t k = (off * 7 + 13) % 997 + 1;
        if (k > n - off) k = n - off;
        mt_sha256_update(&c, a + off, k);
        off += k;
    }
    mt_sha256_final(&c, d2);
    assert_hex(d2, 32, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    free(a);
}

static void test_crc32(void **state)
{
    (void)state;
    assert_int_equal(mt_crc32(0, "123456789", 9), 0xCBF43926u);   /* 1.2 check value */
    static const uint8_t hdr[8] = { 0x0c, 0, 0, 0, 0, 0, 0, 0 };  /* 7.1 empty packet */
    assert_int_equal(mt_crc32(0, hdr, 8), 0x328dca26u);
    uint8_t pkt[8 + 128];                                         /* 7.1 seq 0 and 1 */
    memcpy(pkt, "\x8c\0\0\0\0\0\0\0", 8);
    for (int i = 0; i < 128; i++) pkt[8 + i] = (uint8_t)i;
    assert_int_equal(mt_crc32(0, pkt, sizeof pkt), 0x37957386u);
    pkt[4] = 1;
    assert_int_equal(mt_crc32(0, pkt, sizeof pkt), 0x4af00996u);
    /* continuation: crc of a split buffer equals the whole */
    uint32_t c = mt_crc32(0, pkt, 50);
    assert_int_equal(mt_crc32(c, pkt + 50, sizeof pkt - 50), 0x4af00996u);
}

/* Split a message into up to 3 parts at random points. */
static void split3(struct mt_test_prng *r, const uint8_t *m, size_t n, struct mt_span p[3])
{
    size_t a = n ? mt_test_next(r) % (n + 1) : 0, b = n ? mt_test_next(r) % (n + 1) : 0;
    if (a > b) { size_t t = a; a = b; b = t; }
    p[0] = (struct mt_span){ m, a };
    p[1] = (struct mt_span){ m + a, b - a };
    p[2] = (struct mt_span){ m + b, n - b };
}

static void test_differential_single(void **state)
{
    (void)state;
    struct mt_test_prng r;
    mt_test_prng_seed(&r, 0x5a256);
    enum { MAX = 65536 };
    uint8_t *m = malloc(MAX), want[32], got[32];
    assert_non_null(m);
    for (int it = 0; it < 4000; it++) {
        size_t n = test_len(&r, MAX);
        mt_test_fill(&r, m, n);
        SHA256(m, n, want);
        mt_sha256(m, n, got);
        assert_memory_equal(got, want, 32);
        struct mt_span p[3];
        split3(&r, m, n, p);
        mt_sha256_v(p, 3, got);
        assert_memory_equal(got, want, 32);
        struct mt_sha256_ctx c;
        mt_sha256_init(&c);
        for (size_t off = 0; off < n;) {
            size_t k = mt_test_next(&r) % 200;
            if (k > n - off) k = n - off;
            mt_sha256_update(&c, m + off, k);
            off += k;
        }
        mt_sha256_final(&c, got);
        assert_memory_equal(got, want, 32);
    }
    free(m);
}

/* Batches of 1..64 jobs with mixed (or, half the time, equal) lengths. */
static void test_differential_batch(void **state)
{
    (void)state;
    struct mt_test_prng r;
    mt_test_prng_seed(&r, 0xba7c4);
    enum { NJ = 64, MAX = 65536 };
    uint8_t *msgs = malloc((size_t)NJ * MAX), outs[NJ][32], want[32];
    struct mt_sha256_job jobs[NJ];
    size_t lens[NJ];
    assert_non_null(msgs);
    size_t total = 0;
    while (total < 10000) {
        size_t n = 1 + mt_test_next(&r) % NJ;
        int same = mt_test_next(&r) & 1;
        size_t common = 40 + mt_test_next(&r) % 100;
        for (size_t i = 0; i < n; i++) {
            uint8_t *m = msgs + i * MAX;
            lens[i] = same ? common : test_len(&r, MAX);
            mt_test_fill(&r, m, lens[i]);
            memset(&jobs[i], 0, sizeof jobs[i]);
            split3(&r, m, lens[i], jobs[i].part);
            jobs[i].out = outs[i];
        }
        mt_sha256_batch(jobs, n);
        for (size_t i = 0; i < n; i++) {
            SHA256(msgs + i * MAX, lens[i], want);
            assert_memory_equal(outs[i], want, 32);
        }
        total += n;
    }
    free(msgs);
}

/* Each multi-buffer kernel directly (the scheduler may never pick one, e.g.
 * AVX2 x8 on a CPU with SHA-NI), with 1..width jobs of mixed lengths. */
static void test_kernels_direct(void **state)
{
    (void)state;
    const struct mt_cpu_features *f = mt_cpu();
    struct { mt_sha256_mb_fn fn; size_t width; int ok; } k[] = {
        { mt_sha256_x16_avx512, 16, f->avx512f && f->avx512bw && f->avx512vl },
        { mt_sha256_x8_avx2, 8, f->avx2 },
        { mt_sha256_x2_shani, 2, f->sha_ni && f->sse41 && f->ssse3 },
    };
    struct mt_test_prng r;
    mt_test_prng_seed(&r, 0x4e4e);
    enum { MAX = 4096 };
    uint8_t *msgs = malloc(16 * MAX), outs[16][32], want[32];
    struct mt_sha256_job jobs[16];
    size_t lens[16];
    for (size_t ki = 0; ki < MT_ARRAY_LEN(k); ki++) {
        if (!k[ki].ok) continue;
        for (int it = 0; it < 300; it++) {
            size_t n = 1 + mt_test_next(&r) % k[ki].width;
            for (size_t i = 0; i < n; i++) {
                lens[i] = (it & 1) ? 52 + mt_test_next(&r) % 70 : mt_test_next(&r) % MAX;
                mt_test_fill(&r, msgs + i * MAX, lens[i]);
                memset(&jobs[i], 0, sizeof jobs[i]);
                split3(&r, msgs + i * MAX, lens[i], jobs[i].part);
                jobs[i].out = outs[i];
            }
            k[ki].fn(jobs, n);
            for (size_t i = 0; i < n; i++) {
                SHA256(msgs + i * MAX, lens[i], want);
                assert_memory_equal(outs[i], want, 32);
            }
        }
    }
    free(msgs);
}

int main(void)
{
    mt_crypto_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors),
        cmocka_unit_test(test_million_a),
        cmocka_unit_test(test_crc32),
        cmocka_unit_test(test_differential_single),
        cmocka_unit_test(test_differential_batch),
        cmocka_unit_test(test_kernels_direct),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
