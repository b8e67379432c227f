/* Key derivations: MTProto 2.0 KDF, auth_key_id, tmp_aes_key/iv, MTProto 1.0
 * KDF. Vectors from /work/shared/spec/test-vectors.md (sections named). */
#include "harness/unit/common/mt_test.h"
#include "core/crypto/mt_crypto.h"

static void assert_hex(const uint8_t *got, const char *hex)
{
    size_t n;
    uint8_t *want = mt_test_hex(hex, &n);
    char g[2 * 256 + 1];
    mt_hex_encode(got, n, g);
    assert_string_equal(g, hex);
    free(want);
}

static void seq_bytes(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)i;
}

/* 3.1 KDF (grammers calc_client_key / calc_server_key) */
static void test_kdf2_vectors(void **st)
{
    (void)st;
    uint8_t ak[256], mk[16], key[32], iv[32];
    seq_bytes(ak, 256);
    seq_bytes(mk, 16);
    mt_kdf2(ak, mk, MT_X_CLIENT, key, iv);
    assert_hex(key, "704ed09c8b41668ae8f99d244738f71dbddc44469b6bbd4aa8573dd042bd059e");
    assert_hex(iv, "4d266000a550edabbf4c7ce40fd0043cc92230184cd317a5cc9c2482fd3b9318");
    mt_kdf2(ak, mk, MT_X_SERVER, key, iv);
    assert_hex(key, "217725799b245806458174a1fcfbc883906807b15033fdd0ea2b4d69cf9c364e");
    assert_hex(iv, "669a6538917a4fa56ca32360a431c9160be4ad887140980dab91ce7bdc47ffbc");
}

/* 3.3: the KDF of a real server message (x = 8) */
static void test_kdf2_server_message(void **st)
{
    (void)st;
    uint8_t *ak = mt_test_hex(
        "5d2e7d65f49ec28bd029a88761ea27b8a4c79f12226525443e7d7c596ef33035"
        "30db2107e89aa997c7a0164ab694187adeff156bd6ef7118a1962347753c0e7e"
        "89a0354b8ec364f9997e71bc6923fb86e8e43491e010606a6ce845e2fa019409"
        "77ef0aa32adf5a97dbf6d428ec0434d717a2d3ad19622cc05887642113c7965f"
        "fb862a3e3ccb0ab95addda57f89245dbd76b492348f8e94bd5a7c0e0b8480852"
        "3cfd1ea80b32fe9ad198bc2e103fceb7d52492ecc0273a28674bc923eee59265"
        "ab17a002df1f4aa2c59b819a5e5e1d105ec117336f5c76c6b187037d4b4270ce"
        "e9cc21071d97e9bca220c6d7b01b998cf2e5cdb9a50ecda1852a36e635690c8e", NULL);
    uint8_t *mk = mt_test_hex("f945fa9a9abd35e7c3840b61f045304f", NULL);
    uint8_t key[32], iv[32];
    mt_kdf2(ak, mk, MT_X_SERVER, key, iv);
    assert_hex(key, "39ed549b653074095a86a6b00d999fb90b98bcb81b4e53a5e6410e7e13320579");
    assert_hex(iv, "f319644a55bd36949fbf5f0e202bd931408b008c533002cb7ae956aeb11583fb");
    struct mt_auth_key k;
    mt_auth_key_set(&k, ak);
    assert_hex(k.id, "7a7183c2c10e4f4d");
    free(ak);
    free(mk);
}

/* 4.1 auth_key_id (grammers auth_key.rs) */
static void test_auth_key_id(void **st)
{
    (void)st;
    uint8_t ak[256];
    seq_bytes(ak, 256);
    struct mt_auth_key k;
    mt_auth_key_set(&k, ak);
    assert_hex(k.id, "32d1586ea457dfc8");
    assert_true(k.id64 == 0xc8df57a46e58d132ull);
    assert_memory_equal(k.key, ak, 256);
}

/* 9: auth_key_id of the samples-auth_key key */
static void test_auth_key_id_sample(void **st)
{
    (void)st;
    uint8_t *ak = mt_test_hex(
        "aca2547baa3b4b3e6ad9129adee796042fc4acaaaba40dce7a1196640595829e"
        "2ba85c5e68e5d2b7b713b28720ccd0e65da3b80cd8a9282bde895755b924f4cb"
        "bced119dee057d3066d7095c25771a53d9ad6ec3464ee0e7fe1a4d9851f17b6c"
        "c7d6e636e0bdea7d66153cf37005835a528e65673c1f5adaa27465964ba89aa6"
        "fd045108b25b1dc9ab2d979864858c9eacbfa4a399cdbf2154d2cc6743c5caa4"
        "0683343d80a36c7f1289dc5ac5ee585dea1e1cd296444ea6cd8f6c3564b2d355"
        "b310a3c02608eea5ec36d38e941bf811489ab7a24c069e44ff54714cb4a45eee"
        "2f310fddc0a1b08bd3dff8801e27c8508efd7ad51ef3c13ef1d9a02ee4601741", NULL);
    struct mt_auth_key k;
    mt_auth_key_set(&k, ak);
    assert_hex(k.id, "65588b3350ef784e");
    assert_true(k.id64 == 0x4e78ef50338b5865ull);
    free(ak);
}

/* 4.2 a/b/c tmp_aes_key / tmp_aes_iv */
static void test_tmp_aes(void **st)
{
    (void)st;
    static const struct { const char *nn, *sn, *key, *iv; } v[] = {
        { "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
          "000102030405060708090a0b0c0d0e0f",
          "0758f1533b615d24f6e8a94a6fcbee0a55eaab2217d7295ca9213d1a2d7d16a6",
          "5a84108e9805656ce864070e166e6218f6783e8511471a5ab7802cf200010203" },
        { "311c85db234aa2640afc4a76a735cf5b1f0fd68bd17fa181e1229ad867cc024d",
          "a5cf4d33f4a11ea877ba4aa573907330",
          "f011280887c7bb01df0fc4e17830e0b91fbb8be4b2267cb985ae25f33b527253",
          "3212d579ee35452ed23e0d0c92841aa7d31b2e9bdef2151e80d15860311c85db" },
        { "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
          "002122232425262728292a2b2c2d2e2f",
          "0a2d0f607499a866848e41798a34315e4922c39fe55c6caf5bc322c4b8c08c6a",
          "9cb702d4fd6e5d25e864070e166e6218f6783e8511471a5ab7802cf200010203" },
        /* 9: the samples-auth_key handshake */
        { "a8bbc849512dac6c67b6efd9157d6ca7377a1776307d84265c6be9bdcf802ac1",
          "e11dbc3bc97d91a26154f932af019943",
          "5ea702f743e850f5546e857f08b7d5337bbaedf9b61248751594851be2e8c297",
          "1cef8e372a63d97ebfa805c0dbb018bc7c1e0931693fbcb1a1afc0c0a8bbc849" },
    };
    for (size_t i = 0; i < MT_ARRAY_LEN(v); i++) {
        uint8_t *nn = mt_test_hex(v[i].nn, NULL), *sn = mt_test_hex(v[i].sn, NULL);
        uint8_t key[32], iv[32];
        mt_hs_tmp_aes(nn, sn, key, iv);
        assert_hex(key, v[i].key);
        assert_hex(iv, v[i].iv);
        free(nn);
        free(sn);
    }
}

/* 4.3 MTProto 1.0 KDF (gotd kdf_v1_test.go) */
static void test_kdf1_vector(void **st)
{
    (void)st;
    uint8_t ak[256], mk[16], key[32], iv[32];
    seq_bytes(ak, 256);
    seq_bytes(mk, 16);
    mt_kdf1(ak, mk, MT_X_CLIENT, key, iv);
    assert_hex(key, "17d7295ca9213d1ab656acdb1ad48b2ea7f3a8f7095098d5508b900bbd5fccfc");
    assert_hex(iv, "2d7d16a65a84108e9805656caa474501cc580aa2edc33abfd0bfad785464d1c6");
}

int main(void)
{
    mt_crypto_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kdf2_vectors),
        cmocka_unit_test(test_kdf2_server_message),
        cmocka_unit_test(test_auth_key_id),
        cmocka_unit_test(test_auth_key_id_sample),
        cmocka_unit_test(test_tmp_aes),
        cmocka_unit_test(test_kdf1_vector),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
