/* MTProto 1.0 message crypto for bind_auth_key_inner (api-pfs.md):
 * test-vectors.md 4.3 msg_key, round trips and rejections. */
#include "harness/unit/common/mt_test.h"
#include "core/crypto/mt_crypto.h"

static void assert_hex(const uint8_t *got, const char *hex)
{
    char g[256];
    mt_hex_encode(got, strlen(hex) / 2, g);
    assert_string_equal(g, hex);
}

static struct mt_auth_key seq_key(void)
{
    uint8_t raw[256];
    for (int i = 0; i < 256; i++)
        raw[i] = (uint8_t)i;
    struct mt_auth_key k;
    mt_auth_key_set(&k, raw);
    return k;
}

/* 4.3 msg_key_v1("bind-message-test-payload") */
static void test_msg_key_vector(void **st)
{
    (void)st;
    struct mt_auth_key k = seq_key();
    struct mt_rng rng;
    assert_int_equal(mt_rng_init(&rng), 0);
    const char *s = "bind-message-test-payload";
    uint8_t out[64];
    size_t n = 0;
    assert_int_equal(mt_msg1_encrypt(&k, s, strlen(s), out, sizeof out, &n, &rng), 0);
    assert_int_equal(n, 24 + 32);
    assert_memory_equal(out, k.id, 8);
    assert_hex(out + 8, "fc11a3669566de22b87f66550dc3de6d");
    /* The ciphertext is IGE under the 1.0 KDF of that msg_key. */
    uint8_t key[32], iv[32], dec[32];
    mt_kdf1(k.key, out + 8, MT_X_CLIENT, key, iv);
    assert_int_equal(mt_ige256_decrypt(key, iv, out + 24, dec, 32), 0);
    assert_memory_equal(dec, s, strlen(s));
    assert_int_equal(mt_msg1_encrypt(&k, s, strlen(s), out, 24 + 31, &n, &rng), MT_E_OVERFLOW);
    mt_rng_free(&rng);
}

/* The binding message layout: random(16) msg_id(8) seqno(4) msg_len(4)
 * bind_auth_key_inner (40 bytes) -> 72 bytes, padded to 80, 104 on the wire. */
static void make_bind(uint8_t *p, uint32_t msg_len, struct mt_test_prng *r)
{
    mt_test_fill(r, p, 28);
    mt_store_le32(p + 28, msg_len);
    mt_test_fill(r, p + 32, msg_len);
}

static void test_round_trip(void **st)
{
    (void)st;
    struct mt_auth_key k = seq_key();
    struct mt_rng rng;
    struct mt_test_prng r;
    assert_int_equal(mt_rng_init(&rng), 0);
    mt_test_prng_seed(&r, 11);
    uint8_t plain[600], out[700];
    for (uint32_t body = 0; body <= 512; body += 4) {
        make_bind(plain, body, &r);
        size_t n;
        assert_int_equal(mt_msg1_encrypt(&k, plain, 32 + body, out, sizeof out, &n, &rng), 0);
        assert_int_equal(n, 24 + ((32 + body + 15) / 16) * 16);
        const uint8_t *p;
        size_t plen;
        assert_int_equal(mt_msg1_decrypt(&k, out, n, &p, &plen), 0);
        assert_int_equal(plen, 32 + body);
        assert_memory_equal(p, plain, plen);
    }
    /* in place: plaintext already at out + 24 */
    make_bind(out + 24, 40, &r);
    memcpy(plain, out + 24, 72);
    size_t n;
    assert_int_equal(mt_msg1_encrypt(&k, out + 24, 72, out, sizeof out, &n, &rng), 0);
    assert_int_equal(n, 104);
    const uint8_t *p;
    size_t plen;
    assert_int_equal(mt_msg1_decrypt(&k, out, n, &p, &plen), 0);
    assert_memory_equal(p, plain, 72);
    mt_rng_free(&rng);
}

static void test_rejects(void **st)
{
    (void)st;
    struct mt_auth_key k = seq_key();
    struct mt_rng rng;
    struct mt_test_prng r;
    assert_int_equal(mt_rng_init(&rng), 0);
    mt_test_prng_seed(&r, 12);
    uint8_t plain[128], out[160], save[160];
    const uint8_t *p;
    size_t n, plen;
    make_bind(plain, 40, &r);
    assert_int_equal(mt_msg1_encrypt(&k, plain, 72, out, sizeof out, &n, &rng), 0);
    memcpy(save, out, n);
    out[24 + 40] ^= 1;   /* tampered body */
    assert_int_equal(mt_msg1_decrypt(&k, out, n, &p, &plen), MT_E_MSG_KEY);
    assert_null(p);
    memcpy(out, save, n);
    out[9] ^= 1;         /* wrong msg_key: another KDF, garbage plaintext */
    int rc = mt_msg1_decrypt(&k, out, n, &p, &plen);
    assert_true(rc == MT_E_MSG_KEY || rc == MT_E_MSG_PAD);
    memcpy(out, save, n);
    assert_int_equal(mt_msg1_decrypt(&k, out, n - 1, &p, &plen), MT_E_MSG_LEN);
    assert_int_equal(mt_msg1_decrypt(&k, out, 24 + 16, &p, &plen), MT_E_MSG_LEN);
    /* length field past the end / leaving 16 or more bytes of padding */
    make_bind(plain, 80, &r);
    assert_int_equal(mt_msg1_encrypt(&k, plain, 72, out, sizeof out, &n, &rng), 0);
    assert_int_equal(mt_msg1_decrypt(&k, out, n, &p, &plen), MT_E_MSG_PAD);
    make_bind(plain, 16, &r);
    assert_int_equal(mt_msg1_encrypt(&k, plain, 72, out, sizeof out, &n, &rng), 0);
    assert_int_equal(mt_msg1_decrypt(&k, out, n, &p, &plen), MT_E_MSG_PAD);
    make_bind(plain, 38, &r);
    assert_int_equal(mt_msg1_encrypt(&k, plain, 72, out, sizeof out, &n, &rng), 0);
    assert_int_equal(mt_msg1_decrypt(&k, out, n, &p, &plen), MT_E_MSG_PAD);
    mt_rng_free(&rng);
}

int main(void)
{
    mt_crypto_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_msg_key_vector),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_rejects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
