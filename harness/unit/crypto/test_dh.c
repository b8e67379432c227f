/* DH: parameter checks (the published prime, g conditions, another safe
 * prime), public value range boundaries, modexp against OpenSSL BN_mod_exp,
 * and a full key agreement. */
#include <openssl/bn.h>
#include "harness/unit/common/mt_test.h"
#include "core/crypto/mt_crypto.h"

static void to_bytes(const BIGNUM *x, uint8_t out[256])
{
    assert_int_equal(BN_bn2binpad(x, out, 256), 256);
}

static void test_published_prime(void **st)
{
    (void)st;
    static const uint8_t head[8] = { 0xc7, 0x1c, 0xae, 0xb9, 0xc6, 0xb1, 0xc9, 0x04 };
    static const uint8_t tail[4] = { 0x2f, 0xcc, 0x5b };
    assert_memory_equal(mt_dh_prime_2048, head, 8);
    assert_memory_equal(mt_dh_prime_2048 + 253, tail, 3);
    const uint8_t *p = mt_dh_prime_2048;
    /* p mod 8 = 3, mod 3 = 2, mod 5 = 3, mod 24 = 11, mod 7 = 6 */
    assert_int_equal(mt_dh_check_params(p, 256, 3), 0);
    assert_int_equal(mt_dh_check_params(p, 256, 4), 0);
    assert_int_equal(mt_dh_check_params(p, 256, 7), 0);
    assert_int_equal(mt_dh_check_params(p, 256, 2), MT_E_DH_G);
    assert_int_equal(mt_dh_check_params(p, 256, 5), MT_E_DH_G);
    assert_int_equal(mt_dh_check_params(p, 256, 6), MT_E_DH_G);
    assert_int_equal(mt_dh_check_params(p, 256, 1), MT_E_DH_G);
    assert_int_equal(mt_dh_check_params(p, 256, 8), MT_E_DH_G);
    assert_int_equal(mt_dh_check_params(p, 255, 3), MT_E_DH_PRIME);
    assert_int_equal(mt_dh_check_params(NULL, 256, 3), MT_E_DH_PRIME);
}

static void test_other_primes(void **st)
{
    (void)st;
    uint8_t p[256];
    /* RFC 3526 group 14: a 2048-bit safe prime, p mod 8 = 7 (g = 2 fits),
     * tested for primality since it is not the published one (once: the
     * two Miller-Rabin runs are the slowest part of this suite). */
    BIGNUM *bp = BN_get_rfc3526_prime_2048(NULL);
    assert_non_null(bp);
    to_bytes(bp, p);
    assert_int_equal(mt_dh_check_params(p, 256, 2), 0);
    BN_free(bp);
    /* the published prime + 2: odd, top bit set, composite */
    memcpy(p, mt_dh_prime_2048, 256);
    p[255] += 2;   /* ...5b -> ...5d, no carry */
    assert_int_equal(mt_dh_check_params(p, 256, 4), MT_E_DH_PRIME);
    /* below 2^2047 */
    memcpy(p, mt_dh_prime_2048, 256);
    p[0] &= 0x7f;
    assert_int_equal(mt_dh_check_params(p, 256, 4), MT_E_DH_PRIME);
    /* even */
    memcpy(p, mt_dh_prime_2048, 256);
    p[255] ^= 1;
    assert_int_equal(mt_dh_check_params(p, 256, 4), MT_E_DH_PRIME);
}

static int check_bn(const BIGNUM *x)
{
    uint8_t b[256];
    if (BN_num_bytes(x) > 256)
        return MT_E_DH_RANGE;
    to_bytes(x, b);
    return mt_dh_check_public(b, 256, mt_dh_prime_2048, 256);
}

static void test_public_range(void **st)
{
    (void)st;
    BIGNUM *p = BN_bin2bn(mt_dh_prime_2048, 256, NULL), *lo = BN_new(), *x = BN_new();
    BN_set_word(lo, 1);
    BN_lshift(lo, lo, 2048 - 64);
    assert_int_equal(check_bn(lo), 0);                    /* 2^1984 */
    BN_sub(x, lo, BN_value_one());
    assert_int_equal(check_bn(x), MT_E_DH_RANGE);         /* 2^1984 - 1 */
    BN_sub(x, p, lo);
    assert_int_equal(check_bn(x), 0);                     /* p - 2^1984 */
    BN_add_word(x, 1);
    assert_int_equal(check_bn(x), MT_E_DH_RANGE);         /* p - 2^1984 + 1 */
    static const BN_ULONG small[] = { 0, 1, 2, 3 };
    for (size_t i = 0; i < MT_ARRAY_LEN(small); i++) {
        BN_set_word(x, small[i]);
        assert_int_equal(check_bn(x), MT_E_DH_RANGE);
    }
    BN_copy(x, p);
    BN_sub_word(x, 1);
    assert_int_equal(check_bn(x), MT_E_DH_RANGE);         /* p - 1 */
    assert_int_equal(check_bn(p), MT_E_DH_RANGE);         /* p */
    BN_add_word(x, 2);
    assert_int_equal(check_bn(x), MT_E_DH_RANGE);         /* p + 1 */
    /* shorter encodings are numbers too */
    uint8_t one[1] = { 1 }, mid[256];
    assert_int_equal(mt_dh_check_public(one, 1, mt_dh_prime_2048, 256), MT_E_DH_RANGE);
    BN_rshift1(x, p);
    to_bytes(x, mid);
    assert_int_equal(mt_dh_check_public(mid, 256, mt_dh_prime_2048, 256), 0);
    assert_int_equal(mt_dh_check_public(mid + 1, 255, mt_dh_prime_2048, 256), 0);
    BN_free(p);
    BN_free(lo);
    BN_free(x);
}

static void test_modexp_matches_openssl(void **st)
{
    (void)st;
    struct mt_test_prng r;
    mt_test_prng_seed(&r, 3);
    BN_CTX *ctx = BN_CTX_new();
    BIGNUM *p = BN_bin2bn(mt_dh_prime_2048, 256, NULL), *b = BN_new(), *e = BN_new(), *want = BN_new();
    BIGNUM *rfc = BN_get_rfc3526_prime_2048(NULL);
    uint8_t base[300], exp[256], out[256], wantb[256], rfcb[256];
    to_bytes(rfc, rfcb);
    static const size_t elens[] = { 256, 32, 1, 0, 255 };
    for (int i = 0; i < 12; i++) {
        int use_rfc = i % 3 == 2;
        const uint8_t *mod = use_rfc ? rfcb : mt_dh_prime_2048;
        size_t blen = i % 4 == 3 ? 300 : 256;          /* base larger than p */
        size_t elen = elens[i % MT_ARRAY_LEN(elens)];
        mt_test_fill(&r, base, blen);
        mt_test_fill(&r, exp, elen);
        BN_bin2bn(base, (int)blen, b);
        BN_bin2bn(exp, (int)elen, e);
        assert_true(BN_mod_exp(want, b, e, use_rfc ? rfc : p, ctx));
        to_bytes(want, wantb);
        assert_int_equal(mt_dh_modexp(base, blen, exp, elen, mod, 256, out), 0);
        assert_memory_equal(out, wantb, 256);
        uint32_t g = 2 + (uint32_t)i % 6;
        BN_set_word(b, g);
        assert_true(BN_mod_exp(want, b, e, use_rfc ? rfc : p, ctx));
        to_bytes(want, wantb);
        assert_int_equal(mt_dh_modexp_g(g, exp, elen, mod, 256, out), 0);
        assert_memory_equal(out, wantb, 256);
    }
    /* exponent 0 -> 1, left-padded */
    assert_int_equal(mt_dh_modexp_g(3, exp, 0, mt_dh_prime_2048, 256, out), 0);
    for (int i = 0; i < 255; i++)
        assert_int_equal(out[i], 0);
    assert_int_equal(out[255], 1);
    /* even modulus */
    uint8_t even[256];
    memcpy(even, mt_dh_prime_2048, 256);
    even[255] ^= 1;
    assert_int_equal(mt_dh_modexp_g(3, exp, 32, even, 256, out), MT_E_INVAL);
    BN_free(p);
    BN_free(b);
    BN_free(e);
    BN_free(want);
    BN_free(rfc);
    BN_CTX_free(ctx);
}

/* test-vectors.md 9 (samples-auth_key): g = 3, the client's b, g_b, and
 * auth_key = g_a^b mod dh_prime. */
static const char *SAMPLE_GA =
    "0a77200bdff6e6c4c126a2c41df310ab3a3bdbd698cd480749e1f3c64fb1cfc9"
    "dfc70ac6f1aa671019620a640055b2cf7d7d99cc86533645c0fa000954de2987"
    "bad68d7450cf134c9f0305f34c1bb285da8233f65970a01c4bd3afd5ea3cd586"
    "4b8f1dcb35d5e9737df15063c54cf53048ef519a280498dddaf23764f29ffb0c"
    "5813caad90c319be8592b78c4be815e65ada7c62ea23754b5a2c5a86c4721872"
    "d0cc48e0f895c3ebe186e81e5f0e88a6b3f09101c409af3410b64238fbf2a209"
    "5e3f3b7ffc7eb3a02a319b99a155647bc59958bcdfed8a1cc6eb7f13f8600e52"
    "1d9d0247b0f639f2fa3b09f72987781f71c0e8aa950167de5092380b4853e7f1";
static const char *SAMPLE_B =
    "1376a5a6bf7a9f874b47028f3d5cff0689fd52f58949bb0ee9bacdbe81dd1ced"
    "07101844eb6f2ae19e61120b84799431f445785e33a18141399821479ae96786"
    "e0f4e9c5c6c9e46bf562c21c96b0f8f7438c8caba3dfcb3dd3b886c2a37b95ed"
    "804315335c0ddffeb3a278243d89f964278bc734d1087d6d4b554c1f78397a41"
    "4f440e38ba9a4f1211b20ae835437762f81a45fdb035bb2220d939693084b39a"
    "3c7be2481309ab9ae378eab8bb3a15a69eba80bef683582e2218fa604e823eab"
    "d111553d31dbb46b9383a0d8eef615fff9cf266c970800aa28ac5e962d203513"
    "11a815ffa7562989ca6d6323bf2b5af40ef3f45021b7445664852d07b80172ce";
static const char *SAMPLE_GB =
    "a215d057bc6648453d68c2f418a38d9d4f4fa47e5d520ac7ebc2adc3b0007509"
    "0c10a1e9d96a5dda127317f2ddc165c5f6c8c2854648c106d0d9df684dae70b0"
    "e6021658806245b494b762b1979e8bd597b5cc8e43a80f96ca47fb0765c98d40"
    "529f3d94c82113ae32c603aa24411ef8b330565a1d66ea6b89c9d4f8affeea39"
    "7c4b247564215d147b6ad0df7f3fb4499e89e34304531d87448b91967b5bd530"
    "93f09386c0f78940c1dd6aa7c8667e15857453e6aad275f94cd386468cf49108"
    "fb7c54282596a4d0314dce9efed4066a6e072471439aeaaa74157db7dd53f019"
    "82982534dee8740610ba433bf459b3dfe38674561f31991ce007ba112dda6718";
static const char *SAMPLE_AUTH_KEY =
    "aca2547baa3b4b3e6ad9129adee796042fc4acaaaba40dce7a1196640595829e"
    "2ba85c5e68e5d2b7b713b28720ccd0e65da3b80cd8a9282bde895755b924f4cb"
    "bced119dee057d3066d7095c25771a53d9ad6ec3464ee0e7fe1a4d9851f17b6c"
    "c7d6e636e0bdea7d66153cf37005835a528e65673c1f5adaa27465964ba89aa6"
    "fd045108b25b1dc9ab2d979864858c9eacbfa4a399cdbf2154d2cc6743c5caa4"
    "0683343d80a36c7f1289dc5ac5ee585dea1e1cd296444ea6cd8f6c3564b2d355"
    "b310a3c02608eea5ec36d38e941bf811489ab7a24c069e44ff54714cb4a45eee"
    "2f310fddc0a1b08bd3dff8801e27c8508efd7ad51ef3c13ef1d9a02ee4601741";

static void test_sample_handshake(void **st)
{
    (void)st;
    uint8_t *ga = mt_test_hex(SAMPLE_GA, NULL), *b = mt_test_hex(SAMPLE_B, NULL);
    uint8_t *gb = mt_test_hex(SAMPLE_GB, NULL), *ak = mt_test_hex(SAMPLE_AUTH_KEY, NULL);
    uint8_t out[256];
    const uint8_t *p = mt_dh_prime_2048;
    assert_int_equal(mt_dh_check_params(p, 256, 3), 0);
    assert_int_equal(mt_dh_check_public(ga, 256, p, 256), 0);
    assert_int_equal(mt_dh_modexp_g(3, b, 256, p, 256, out), 0);
    assert_memory_equal(out, gb, 256);
    assert_int_equal(mt_dh_check_public(out, 256, p, 256), 0);
    assert_int_equal(mt_dh_modexp(ga, 256, b, 256, p, 256, out), 0);
    assert_memory_equal(out, ak, 256);
    free(ga);
    free(b);
    free(gb);
    free(ak);
}

static void test_key_agreement(void **st)
{
    (void)st;
    uint8_t a[256], b[256], ga[256], gb[256], k1[256], k2[256];
    assert_int_equal(mt_random_bytes(a, sizeof a), 0);
    assert_int_equal(mt_random_bytes(b, 32), 0);   /* a short client exponent */
    const uint8_t *p = mt_dh_prime_2048;
    assert_int_equal(mt_dh_modexp_g(3, a, 256, p, 256, ga), 0);
    assert_int_equal(mt_dh_modexp_g(3, b, 32, p, 256, gb), 0);
    assert_int_equal(mt_dh_check_public(ga, 256, p, 256), 0);
    assert_int_equal(mt_dh_check_public(gb, 256, p, 256), 0);
    assert_int_equal(mt_dh_modexp(gb, 256, a, 256, p, 256, k1), 0);
    assert_int_equal(mt_dh_modexp(ga, 256, b, 32, p, 256, k2), 0);
    assert_memory_equal(k1, k2, 256);
}

int main(void)
{
    mt_crypto_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_published_prime),
        cmocka_unit_test(test_other_primes),
        cmocka_unit_test(test_public_range),
        cmocka_unit_test(test_modexp_matches_openssl),
        cmocka_unit_test(test_sample_handshake),
        cmocka_unit_test(test_key_agreement),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
