/* The 16-lane MTProto message hash kernels called directly (the batch code
 * picks them only for groups of at least msg_x16_min messages), against
 * OpenSSL's SHA-256 and the KDF written out from mtproto-description.md:
 * 1..16 lanes, each with its own auth_key, both directions, data of every
 * length from 0 to ~2 KiB, and data that ends right before an unmapped page
 * (a partial block must not read past the message). */
#include <openssl/sha.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/crypto/crypto_impl.h"
#include "core/crypto/mt_crypto.h"
#include "harness/unit/crypto/crypto_test_util.h"

/* SHA-256(auth_key[88 + x, 32) + data), the spec's msg_key_large. */
static void msgkey_reference(const uint8_t *auth, const uint8_t *data, size_t len, int x,
                             uint8_t out[32])
{
    uint8_t *in = malloc(32 + len);
    assert_non_null(in);
    memcpy(in, auth + 88 + x, 32);
    if (len) memcpy(in + 32, data, len);
    SHA256(in, 32 + len, out);
    free(in);
}

static int have_x16(void)
{
    const struct mt_cpu_features *f = mt_cpu();
    return f->avx512f && f->avx512bw && f->avx512vl;
}

/* aes_key/aes_iv as the spec writes them, with OpenSSL's SHA-256. */
static void kdf2_reference(const uint8_t *auth, const uint8_t *msg_key, int x, uint8_t out[64])
{
    uint8_t in[52], a[32], b[32];
    memcpy(in, msg_key, 16);
    memcpy(in + 16, auth + x, 36);
    SHA256(in, 52, a);
    memcpy(in, auth + 40 + x, 36);
    memcpy(in + 36, msg_key, 16);
    SHA256(in, 52, b);
    memcpy(out, a, 8);
    memcpy(out + 8, b + 8, 16);
    memcpy(out + 24, a + 24, 8);
    memcpy(out + 32, b, 8);
    memcpy(out + 40, a + 8, 16);
    memcpy(out + 56, b + 24, 8);
}

static void test_kdf2_x16(void **state)
{
    (void)state;
    if (!have_x16()) skip();
    struct mt_test_prng r;
    mt_test_prng_seed(&r, 0x6b6466);
    uint8_t auth[16][256], mk[16][16], out[16][64], want[64];
    const uint8_t *ap[16], *mp[16];
    uint8_t *op[16];
    for (int it = 0; it < 2000; it++) {
        size_t n = 1 + mt_test_next(&r) % 16;
        int x = (it & 1) ? MT_X_SERVER : MT_X_CLIENT;
        for (size_t i = 0; i < n; i++) {
            mt_test_fill(&r, auth[i], 256);
            mt_test_fill(&r, mk[i], 16);
            ap[i] = auth[i]; mp[i] = mk[i]; op[i] = out[i];
        }
        memset(out, 0xa5, sizeof out);
        mt_kdf2_x16_avx512(ap, mp, x, op, n);
        for (size_t i = 0; i < n; i++) {
            kdf2_reference(auth[i], mk[i], x, want);
            assert_memory_equal(out[i], want, 64);
        }
        for (size_t i = n; i < 16; i++)   /* lanes past n: nothing written */
            for (size_t b = 0; b < 64; b++) assert_int_equal(out[i][b], 0xa5);
    }
}

static void test_msgkey_x16(void **state)
{
    (void)state;
    if (!have_x16()) skip();
    struct mt_test_prng r;
    mt_test_prng_seed(&r, 0x6d6b);
    enum { MAX = 2100 };
    uint8_t auth[16][256], out[16][32], want[32], *data = malloc(16 * MAX);
    const uint8_t *ap[16], *dp[16];
    uint8_t *op[16];
    size_t len[16];
    assert_non_null(data);
    for (int it = 0; it < 3000; it++) {
        size_t n = 1 + mt_test_next(&r) % 16;
        int x = (it & 1) ? MT_X_SERVER : MT_X_CLIENT;
        for (size_t i = 0; i < n; i++) {
            uint64_t v = mt_test_next(&r);
            /* every length near the block edges; MTProto's are multiples of 16 */
            len[i] = it < 1000 ? (size_t)(v % 300) : (v % 4 ? (v >> 8) % MAX & ~(size_t)15 : (v >> 8) % MAX);
            mt_test_fill(&r, auth[i], 256);
            mt_test_fill(&r, data + i * MAX, len[i]);
            ap[i] = auth[i]; dp[i] = data + i * MAX; op[i] = out[i];
        }
        mt_msgkey_x16_avx512(ap, dp, len, x, op, n);
        for (size_t i = 0; i < n; i++) {
            msgkey_reference(auth[i], data + i * MAX, len[i], x, want);
            assert_memory_equal(out[i], want, 32);
        }
    }
    free(data);
}

/* Data that ends where an inaccessible page starts: the masked loads of a
 * partial last block must not touch it (a read would fault). */
static void test_msgkey_x16_page_edge(void **state)
{
    (void)state;
    if (!have_x16()) skip();
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    uint8_t *map = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(map != MAP_FAILED);
    assert_int_equal(mprotect(map + page, page, PROT_NONE), 0);
    struct mt_test_prng r;
    mt_test_prng_seed(&r, 0xed6e);
    mt_test_fill(&r, map, page);
    uint8_t auth[256], out[16][32], want[32];
    mt_test_fill(&r, auth, sizeof auth);
    const uint8_t *ap[16], *dp[16];
    uint8_t *op[16];
    size_t len[16];
    for (size_t base = 0; base < 200; base += 16) {
        for (size_t i = 0; i < 16; i++) {
            len[i] = base + i;
            ap[i] = auth; dp[i] = map + page - len[i]; op[i] = out[i];
        }
        mt_msgkey_x16_avx512(ap, dp, len, MT_X_CLIENT, op, 16);
        for (size_t i = 0; i < 16; i++) {
            msgkey_reference(auth, dp[i], len[i], MT_X_CLIENT, want);
            assert_memory_equal(out[i], want, 32);
        }
    }
    munmap(map, 2 * page);
}

int main(void)
{
    mt_crypto_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kdf2_x16),
        cmocka_unit_test(test_msgkey_x16),
        cmocka_unit_test(test_msgkey_x16_page_edge),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
