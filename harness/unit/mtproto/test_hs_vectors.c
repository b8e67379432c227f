/* The official worked handshake (mtproto-samples-auth_key.md, test-vectors.md
 * section 9) replayed through the client FSM value by value, with the
 * example's nonce, new_nonce, b and padding injected; plus the handshake
 * helper values of test-vectors.md section 4.1 and the server-side AES
 * wrapping of the example's answer. */
#include "harness/unit/common/mt_test.h"
#include "core/mtproto/handshake.h"
#include "core/mtproto/hs_internal.h"

/* test-vectors.md 5.1: the production public key (fingerprint 85fd64de851d9dd0). */
static const char PROD_PEM[] =
    "-----BEGIN RSA PUBLIC KEY-----\n"
    "MIIBCgKCAQEA6LszBcC1LGzyr992NzE0ieY+BSaOW622Aa9Bd4ZHLl+TuFQ4lo4g\n"
    "5nKaMBwK/BIb9xUfg0Q29/2mgIR6Zr9krM7HjuIcCzFvDtr+L0GQjae9H0pRB2OO\n"
    "62cECs5HKhT5DZ98K33vmWiLowc621dQuwKWSQKjWf50XYFw42h21P2KXUGyp2y/\n"
    "+aEyZ+uVgLLQbRA1dEjSDZ2iGRy12Mk5gpYc397aYp438fsJoHIgJ2lgMv5h7WY9\n"
    "t6N/byY9Nw9p21Og3AoXSL2q/2IJ1WRUhebgAdGVMlV1fkuOQoEzR7EdpqtQD9Cs\n"
    "5+bfo3Nhmcyvk5ftB0WkJ9z6bNZ7yxrP8wIDAQAB\n"
    "-----END RSA PUBLIC KEY-----\n";

/* mtproto-samples-auth_key.md hexdumps (wire bytes, envelope included for
 * the six messages; the three server messages carry message_length values
 * larger than their bodies on the page, see README #18). */
static const char HEX_REQ_PQ_MULTI[] =
    "0000000000000000d4720600503dc56514000000f18e7ebe406709f612fadfbe"
    "c3f0289d0aa67eef";
static const char HEX_RES_PQ[] =
    "000000000000000001d83175503dc565a800000063241605406709f612fadfbe"
    "c3f0289d0aa67eefe11dbc3bc97d91a26154f932af01994308256595edb77667"
    "9700000015c4b51c03000000a5b7f709355fc30b216be86c022bb4c385fd64de"
    "851d9dd0";
static const char HEX_P_Q_INNER_DATA_DC[] =
    "955ff5a908256595edb7766797000000045a300d4b000000046a26db65000000"
    "406709f612fadfbec3f0289d0aa67eefe11dbc3bc97d91a26154f932af019943"
    "a8bbc849512dac6c67b6efd9157d6ca7377a1776307d84265c6be9bdcf802ac1"
    "02000000";
static const char HEX_REQ_DH_PARAMS[] =
    "0000000000000000d8720600503dc56540010000bee412d7406709f612fadfbe"
    "c3f0289d0aa67eefe11dbc3bc97d91a26154f932af019943045a300d4b000000"
    "046a26db6500000085fd64de851d9dd0fe000100b80632b3f0d1ab28efae2cf9"
    "74c4a2d51a77fcb6defd415e1ec284cab2b5f88d5c4c5b19aff5e940ce14ccb6"
    "a7f340ec88df7c1f091fb6f7323b047c02dc63212d0debe4b3b7a0310e26db12"
    "89cba24112df37506c90deab797623e4aff4643d2a921891346bc176c4e1cce1"
    "4f64fa59526dd021effa428e8f8aceeb96dbd4729e99bbb26dddc744d584b732"
    "415dffe20418953f4eafc81dade5c6606a1e7faa3edb90f36ecf405422c97c36"
    "0cc31a444b1eeb6c33d62c5802165c72bbc85d1adbccd17988de7f43da0f3405"
    "02744b52b196a78ef1ed1372c6ea1232603fdb9c28f7f8783f29098ffd0fe9b0"
    "66c460ecba0a2962b82398c1b32d3dcb3bc3a59e";
static const char HEX_SERVER_DH_PARAMS_OK[] =
    "0000000000000000014c6e1e513dc565c40200005c07e8d0406709f612fadfbe"
    "c3f0289d0aa67eefe11dbc3bc97d91a26154f932af019943fe5002006ad7dd5d"
    "8b2526c761abe50e93c82a6f331b1eae0ad011893da976e3771d4aa45209d234"
    "fea65642985386b817bf8980f517f6d32dbeb47e34534556f950ddf960db721a"
    "48480231619161112682c6046d5629c71cd1ec8061dfcdd704703ec7a8aebdcb"
    "d159579fc8886d9fa51e009af49b5ab90c7628eb81c9788a2eb6ac0e757a7deb"
    "e3d949f80a990bedb4d2dbae43f00328b82f4d8fc83a9b9cfeef467e1593bb45"
    "79ee32412f167a780cfa517650bd0eb51cbfb50e3afe978839466131fcd95671"
    "1e63614f006a55ed35ed2b1f833c29f4fd7a84f0c8f1c10dfc1a1aaf9a8a5710"
    "8decf206e3968406f0fb25e922df154f497b51527e4834202fab477a137d0a99"
    "d1c347196fba10699f52ea56f01ef93829b310a5c97db95fd57e64417e526eb9"
    "20d261157c6e38791bdd5389eeb744e075d952db33a8151207d0ab3c629e30a7"
    "23a5205f8fa18398937ed2714a4e76a5f4512508a4be1b4d6ae46fd156c6f063"
    "47af5e07ce49279195133b07cce4bc6775d88f3611180d23c4c70946619ad759"
    "ab9f183a385ccf9bf19315fadbe8a4fdc748af52df930345909c870de4b48901"
    "e9f90e56d74ca534d8e1fe3a35a92a18d676958eb8fc3d82f9cee308df2a9e4c"
    "cd23ff89ea255b9eedbc3378148879666ffc2e19a431cbb57ae1a010ffe5cb39"
    "abf131add9e90bf969a112c435509b78960e0b20031c822190841561e8390446"
    "227660bbaccf3d53574bfba33bf476e3bdc9eb680aa2a17fd6756f652725ed03"
    "13e5eb0fd6a9c8c949eefbe809a89311bf20f40055ca25fd169dc13ee14b3150"
    "92fde4184638d849682fd862";
static const char HEX_SERVER_DH_INNER_DATA[] =
    "ba0d89b5406709f612fadfbec3f0289d0aa67eefe11dbc3bc97d91a26154f932"
    "af01994303000000fe000100c71caeb9c6b1c9048e6c522f70f13f73980d4023"
    "8e3e21c14934d037563d930f48198a0aa7c14058229493d22530f4dbfa336f6e"
    "0ac925139543aed44cce7c3720fd51f69458705ac68cd4fe6b6b13abdc974651"
    "2969328454f18faf8c595f642477fe96bb2a941d5bcd1d4ac8cc49880708fa9b"
    "378e3c4f3a9060bee67cf9a4a4a695811051907e162753b56b0f6b410dba74d8"
    "a84b2a14b3144e0ef1284754fd17ed950d5965b4b9dd46582db1178d169c6bc4"
    "65b0d6ff9ca3928fef5b9ae4e418fc15e83ebea0f87fa9ff5eed70050ded2849"
    "f47bf959d956850ce929851f0d8115f635b105ee2e4e15d04b2454bf6f4fadf0"
    "34b10403119cd8e3b92fcc5bfe0001000a77200bdff6e6c4c126a2c41df310ab"
    "3a3bdbd698cd480749e1f3c64fb1cfc9dfc70ac6f1aa671019620a640055b2cf"
    "7d7d99cc86533645c0fa000954de2987bad68d7450cf134c9f0305f34c1bb285"
    "da8233f65970a01c4bd3afd5ea3cd5864b8f1dcb35d5e9737df15063c54cf530"
    "48ef519a280498dddaf23764f29ffb0c5813caad90c319be8592b78c4be815e6"
    "5ada7c62ea23754b5a2c5a86c4721872d0cc48e0f895c3ebe186e81e5f0e88a6"
    "b3f09101c409af3410b64238fbf2a2095e3f3b7ffc7eb3a02a319b99a155647b"
    "c59958bcdfed8a1cc6eb7f13f8600e521d9d0247b0f639f2fa3b09f72987781f"
    "71c0e8aa950167de5092380b4853e7f1513dc565";
static const char HEX_CLIENT_DH_INNER_DATA[] =
    "54b64366406709f612fadfbec3f0289d0aa67eefe11dbc3bc97d91a26154f932"
    "af0199430000000000000000fe000100a215d057bc6648453d68c2f418a38d9d"
    "4f4fa47e5d520ac7ebc2adc3b00075090c10a1e9d96a5dda127317f2ddc165c5"
    "f6c8c2854648c106d0d9df684dae70b0e6021658806245b494b762b1979e8bd5"
    "97b5cc8e43a80f96ca47fb0765c98d40529f3d94c82113ae32c603aa24411ef8"
    "b330565a1d66ea6b89c9d4f8affeea397c4b247564215d147b6ad0df7f3fb449"
    "9e89e34304531d87448b91967b5bd53093f09386c0f78940c1dd6aa7c8667e15"
    "857453e6aad275f94cd386468cf49108fb7c54282596a4d0314dce9efed4066a"
    "6e072471439aeaaa74157db7dd53f01982982534dee8740610ba433bf459b3df"
    "e38674561f31991ce007ba112dda6718";
static const char HEX_SET_CLIENT_DH_PARAMS[] =
    "0000000000000000185c0700513dc565780100001f5f04f5406709f612fadfbe"
    "c3f0289d0aa67eefe11dbc3bc97d91a26154f932af019943fe50010014d185e5"
    "75255986c29be3a0437d525ba22430cba0cd755225945ad3a1acefb536518514"
    "f5086892e6e3fa84d1cbb644bc8f7bebcde74e31ba8a073f47623ebb6e7d94b3"
    "a676a4c1afd4689c52d05f73d21c33f64fe6aeabd04273d9117cd064e467e1f8"
    "e6c887bcae4679e0399ad35db1302a80629618f8c8485248d89a4e3568b464ff"
    "7b608cbe24b51eeb81b65d76224b62a1669eaa48a99c122e5e8a778e13dd441d"
    "c52175160088a498f186a2b99c736fe8c5c3e274d804c629564a0f15ddabc5b4"
    "49356a7990900652a7432afb1499c7ce09246f6b29006425df2926465b04f17c"
    "0077b6a336a50e46b675ad5607f05818f84eadec1f4847bf311027e742f8b1e1"
    "83c01810c4ce964f2a0f36e257849c144c9b0b93b4a7a9e57391db0ccb0d757a"
    "2b7a77257c8ff55553d66b6e1d45e9d8ca88e5a47b16322ff2ed5f5abe099e70"
    "06b2d29c829d746b704130b1";
static const char HEX_DH_GEN_OK[] =
    "00000000000000000100be91513dc5657400000034f7cb3b406709f612fadfbe"
    "c3f0289d0aa67eefe11dbc3bc97d91a26154f932af0199431142871352165e59"
    "e1124036b48b97d3";
static const char HEX_B[] =
    "1376a5a6bf7a9f874b47028f3d5cff0689fd52f58949bb0ee9bacdbe81dd1ced"
    "07101844eb6f2ae19e61120b84799431f445785e33a18141399821479ae96786"
    "e0f4e9c5c6c9e46bf562c21c96b0f8f7438c8caba3dfcb3dd3b886c2a37b95ed"
    "804315335c0ddffeb3a278243d89f964278bc734d1087d6d4b554c1f78397a41"
    "4f440e38ba9a4f1211b20ae835437762f81a45fdb035bb2220d939693084b39a"
    "3c7be2481309ab9ae378eab8bb3a15a69eba80bef683582e2218fa604e823eab"
    "d111553d31dbb46b9383a0d8eef615fff9cf266c970800aa28ac5e962d203513"
    "11a815ffa7562989ca6d6323bf2b5af40ef3f45021b7445664852d07b80172ce";
static const char HEX_G_B[] =
    "a215d057bc6648453d68c2f418a38d9d4f4fa47e5d520ac7ebc2adc3b0007509"
    "0c10a1e9d96a5dda127317f2ddc165c5f6c8c2854648c106d0d9df684dae70b0"
    "e6021658806245b494b762b1979e8bd597b5cc8e43a80f96ca47fb0765c98d40"
    "529f3d94c82113ae32c603aa24411ef8b330565a1d66ea6b89c9d4f8affeea39"
    "7c4b247564215d147b6ad0df7f3fb4499e89e34304531d87448b91967b5bd530"
    "93f09386c0f78940c1dd6aa7c8667e15857453e6aad275f94cd386468cf49108"
    "fb7c54282596a4d0314dce9efed4066a6e072471439aeaaa74157db7dd53f019"
    "82982534dee8740610ba433bf459b3dfe38674561f31991ce007ba112dda6718";
static const char HEX_AUTH_KEY[] =
    "aca2547baa3b4b3e6ad9129adee796042fc4acaaaba40dce7a1196640595829e"
    "2ba85c5e68e5d2b7b713b28720ccd0e65da3b80cd8a9282bde895755b924f4cb"
    "bced119dee057d3066d7095c25771a53d9ad6ec3464ee0e7fe1a4d9851f17b6c"
    "c7d6e636e0bdea7d66153cf37005835a528e65673c1f5adaa27465964ba89aa6"
    "fd045108b25b1dc9ab2d979864858c9eacbfa4a399cdbf2154d2cc6743c5caa4"
    "0683343d80a36c7f1289dc5ac5ee585dea1e1cd296444ea6cd8f6c3564b2d355"
    "b310a3c02608eea5ec36d38e941bf811489ab7a24c069e44ff54714cb4a45eee"
    "2f310fddc0a1b08bd3dff8801e27c8508efd7ad51ef3c13ef1d9a02ee4601741";

/* test-vectors.md section 9 */
static const char HEX_NONCE[] = "406709f612fadfbec3f0289d0aa67eef";
static const char HEX_SERVER_NONCE[] = "e11dbc3bc97d91a26154f932af019943";
static const char HEX_NEW_NONCE[] = "a8bbc849512dac6c67b6efd9157d6ca7377a1776307d84265c6be9bdcf802ac1";
static const char HEX_CLIENT_PAD[] = "74876952857ba6aaa495a20d";
static const char HEX_ANSWER_PAD[] = "c26f8049523e89d2";
static const char HEX_AUTH_KEY_ID[] = "65588b3350ef784e";
static const char HEX_AUX_HASH[] = "20b5c361a4f5a3d0";
static const char HEX_NNH1[] = "1142871352165e59e1124036b48b97d3";
static const char HEX_NNH2[] = "20d87dd307142b798b67a8dea2c22140";
static const char HEX_NNH3[] = "141c6db2686ef8df4e08e685ccd31510";
static const char HEX_SALT[] = "49a6747298503dce";
#define SERVER_TIME 1707425105

struct inject {
    uint8_t *nonce, *new_nonce, *b, *pad;
    size_t pad_len;
    int calls[5];
};

static void inject_rand(void *ctx, enum mt_hs_rand_kind kind, void *out, size_t n)
{
    struct inject *in = ctx;
    in->calls[kind]++;
    switch (kind) {
    case MT_HS_RAND_NONCE: assert_int_equal(n, 16); memcpy(out, in->nonce, n); break;
    case MT_HS_RAND_NEW_NONCE: assert_int_equal(n, 32); memcpy(out, in->new_nonce, n); break;
    case MT_HS_RAND_DH_EXP: assert_int_equal(n, 256); memcpy(out, in->b, n); break;
    case MT_HS_RAND_PAD: assert_int_equal(n, in->pad_len); memcpy(out, in->pad, n); break;
    default: fail_msg("unexpected randomness kind %d", (int)kind);
    }
}

/* A server message of the page with its length field set to the body's. */
static uint8_t *fixed_msg(const char *hex, size_t *len)
{
    uint8_t *m = mt_test_hex(hex, len);
    mt_store_le32(m + 16, (uint32_t)(*len - 20));
    return m;
}

static int setup(void **state)
{
    (void)state;
    mt_crypto_init();
    return 0;
}

static void test_client_official_example(void **state)
{
    (void)state;
    struct mt_rng rng;
    assert_int_equal(mt_rng_init(&rng), 0);
    struct mt_rsa *key = mt_rsa_load_pem(PROD_PEM, strlen(PROD_PEM), NULL, 0);
    assert_non_null(key);
    assert_int_equal(mt_rsa_fingerprint(key), 0xd09d1d85de64fd85ull);
    struct inject in = { 0 };
    in.nonce = mt_test_hex(HEX_NONCE, NULL);
    in.new_nonce = mt_test_hex(HEX_NEW_NONCE, NULL);
    in.b = mt_test_hex(HEX_B, NULL);
    in.pad = mt_test_hex(HEX_CLIENT_PAD, &in.pad_len);
    struct mt_rsa *keys[1] = { key };
    struct mt_hs_client_config cfg = { .keys = keys, .nkeys = 1, .dc_id = 2,
                                       .rand = { inject_rand, &in } };
    struct mt_hs_client *c = mt_hs_client_new(&cfg, &rng);
    assert_non_null(c);
    uint8_t out[MT_HS_MAX_MSG];
    size_t out_len, len;
    double now = 1707425104.0;

    /* 1) req_pq_multi: the body is the page's byte for byte. */
    assert_int_equal(mt_hs_client_start(c, now, out, sizeof out, &out_len), MT_HS_SEND);
    uint8_t *m = mt_test_hex(HEX_REQ_PQ_MULTI, &len);
    assert_int_equal(out_len, len);
    assert_memory_equal(out, m, 8);                        /* auth_key_id 0 */
    assert_memory_equal(out + 16, m + 16, len - 16);       /* length + body */
    uint64_t id = mt_load_le64(out + 8);
    assert_int_equal(id >> 32, 0x65c53d50u);
    assert_int_equal(id & 3, 0);
    free(m);

    /* 2) resPQ -> 5) req_DH_params: everything but RSA_PAD's random part. */
    m = fixed_msg(HEX_RES_PQ, &len);
    assert_int_equal(mt_hs_client_feed(c, m, len, now + 0.5, out, sizeof out, &out_len), MT_HS_SEND);
    free(m);
    m = mt_test_hex(HEX_REQ_DH_PARAMS, &len);
    assert_int_equal(out_len, len);
    assert_memory_equal(out + 16, m + 16, 84 - 16);        /* length .. fingerprint, FE 00 01 00 */
    assert_true(mt_load_le64(out + 8) > id);
    assert_int_equal(mt_load_le64(out + 8) & 3, 0);
    id = mt_load_le64(out + 8);
    free(m);

    /* 6) server_DH_params_ok -> 7) set_client_DH_params: with the page's b
     * and padding the whole message body is the page's, byte for byte. */
    m = fixed_msg(HEX_SERVER_DH_PARAMS_OK, &len);
    now = 1707425105.0;
    assert_int_equal(mt_hs_client_feed(c, m, len, now, out, sizeof out, &out_len), MT_HS_SEND);
    free(m);
    m = mt_test_hex(HEX_SET_CLIENT_DH_PARAMS, &len);
    assert_int_equal(out_len, len);
    assert_memory_equal(out + 16, m + 16, len - 16);
    assert_true(mt_load_le64(out + 8) > id);
    free(m);

    /* 9) dh_gen_ok: the key, its id, the first salt, the time offset. */
    m = fixed_msg(HEX_DH_GEN_OK, &len);
    assert_int_equal(mt_hs_client_feed(c, m, len, now + 0.25, out, sizeof out, &out_len), MT_HS_DONE);
    assert_int_equal(out_len, 0);
    free(m);
    struct mt_hs_result res;
    assert_int_equal(mt_hs_client_result(c, &res), 0);
    uint8_t *ak = mt_test_hex(HEX_AUTH_KEY, NULL), *akid = mt_test_hex(HEX_AUTH_KEY_ID, NULL);
    uint8_t *salt = mt_test_hex(HEX_SALT, NULL);
    assert_memory_equal(res.key.key, ak, 256);
    assert_memory_equal(res.key.id, akid, 8);
    assert_int_equal(res.key.id64, 0x4e78ef50338b5865ull);
    assert_int_equal(res.server_salt, mt_load_le64(salt));
    assert_int_equal(res.server_salt, 0xce3d50987274a649ull);
    assert_int_equal(res.server_time, SERVER_TIME);
    assert_true(res.time_offset == (double)SERVER_TIME - now);
    assert_int_equal(res.temp, 0);
    assert_int_equal(res.retries, 0);
    assert_int_equal(in.calls[MT_HS_RAND_NONCE], 1);
    assert_int_equal(in.calls[MT_HS_RAND_NEW_NONCE], 1);
    assert_int_equal(in.calls[MT_HS_RAND_DH_EXP], 1);
    assert_int_equal(in.calls[MT_HS_RAND_PAD], 1);
    free(ak); free(akid); free(salt);
    free(in.nonce); free(in.new_nonce); free(in.b); free(in.pad);
    mt_hs_client_free(c);
    mt_rsa_free(key);
    mt_rng_free(&rng);
}

/* The page's own length fields exceed the bodies: taken as they are, the
 * client must refuse them (security_guidelines.md, checking message length). */
static void test_client_rejects_page_lengths(void **state)
{
    (void)state;
    struct mt_rng rng;
    assert_int_equal(mt_rng_init(&rng), 0);
    struct mt_rsa *key = mt_rsa_load_pem(PROD_PEM, strlen(PROD_PEM), NULL, 0);
    struct mt_rsa *keys[1] = { key };
    struct inject in = { 0 };
    in.nonce = mt_test_hex(HEX_NONCE, NULL);
    struct mt_hs_client_config cfg = { .keys = keys, .nkeys = 1, .dc_id = 2,
                                       .rand = { inject_rand, &in } };
    struct mt_hs_client *c = mt_hs_client_new(&cfg, &rng);
    uint8_t out[MT_HS_MAX_MSG];
    size_t out_len, len;
    assert_int_equal(mt_hs_client_start(c, 1707425104.0, out, sizeof out, &out_len), MT_HS_SEND);
    uint8_t *m = mt_test_hex(HEX_RES_PQ, &len);
    assert_int_equal(mt_hs_client_feed(c, m, len, 1707425104.5, out, sizeof out, &out_len),
                     MT_E_TL_SHORT);
    assert_int_equal(mt_hs_client_detail(c), MT_HS_E_ENV_SHORT);
    assert_non_null(strstr(mt_hs_client_error(c), "WAIT_RES_PQ"));
    assert_int_equal(mt_hs_client_state(c), MT_HS_FAILED);
    free(m);
    free(in.nonce);
    mt_hs_client_free(c);
    mt_rsa_free(key);
    mt_rng_free(&rng);
}

/* test-vectors.md 4.1: auth_key = 00..ff, new_nonce = 00..1f. */
static void test_nonce_hashes_grammers(void **state)
{
    (void)state;
    uint8_t key[256], nn[32], aux[8], h[16];
    for (int i = 0; i < 256; i++) key[i] = (uint8_t)i;
    for (int i = 0; i < 32; i++) nn[i] = (uint8_t)i;
    struct mt_auth_key k;
    hs_auth_key_from_dh(key, 256, &k, aux);
    uint8_t *want = mt_test_hex("4916d6bdb7f78e68", NULL);
    assert_memory_equal(aux, want, 8);
    free(want);
    want = mt_test_hex("32d1586ea457dfc8", NULL);
    assert_memory_equal(k.id, want, 8);
    assert_int_equal(k.id64, 0xc8df57a46e58d132ull);
    free(want);
    static const char *const nnh[3] = { "c2ced2b33e593a55d27f4a5dabee7c67",
                                        "f4318e85bd2ff3be84d9fefce3dce39f",
                                        "4bf9d7b37db413ee431d28517631cb3d" };
    for (int n = 1; n <= 3; n++) {
        hs_new_nonce_hash(nn, n, aux, h);
        want = mt_test_hex(nnh[n - 1], NULL);
        assert_memory_equal(h, want, 16);
        free(want);
    }
}

/* test-vectors.md section 9: aux hash, new_nonce_hash1/2/3 and salt of the
 * example key; and a short DH result is left-padded, never shifted. */
static void test_example_key_values(void **state)
{
    (void)state;
    uint8_t *ak = mt_test_hex(HEX_AUTH_KEY, NULL), *nn = mt_test_hex(HEX_NEW_NONCE, NULL);
    uint8_t *sn = mt_test_hex(HEX_SERVER_NONCE, NULL), aux[8], h[16];
    struct mt_auth_key k;
    hs_auth_key_from_dh(ak, 256, &k, aux);
    uint8_t *want = mt_test_hex(HEX_AUX_HASH, NULL);
    assert_memory_equal(aux, want, 8);
    free(want);
    const char *const nnh[3] = { HEX_NNH1, HEX_NNH2, HEX_NNH3 };
    for (int n = 1; n <= 3; n++) {
        hs_new_nonce_hash(nn, n, aux, h);
        want = mt_test_hex(nnh[n - 1], NULL);
        assert_memory_equal(h, want, 16);
        free(want);
    }
    assert_int_equal(hs_first_salt(nn, sn), 0xce3d50987274a649ull);
    /* 255 significant bytes -> byte 0 of the key is zero. */
    uint8_t short_dh[255], full[256] = { 0 };
    memset(short_dh, 0x5a, sizeof short_dh);
    memcpy(full + 1, short_dh, 255);
    struct mt_auth_key k2, k3;
    hs_auth_key_from_dh(short_dh, sizeof short_dh, &k2, aux);
    mt_auth_key_set(&k3, full);
    assert_memory_equal(k2.key, full, 256);
    assert_memory_equal(k2.id, k3.id, 8);
    free(ak); free(nn); free(sn);
}

/* The server's answer_with_hash wrapping reproduces the page's
 * encrypted_answer with its 8 padding bytes; unwrapping + parsing finds
 * the 564-byte object and checks its SHA1 and padding. */
static void test_answer_with_hash(void **state)
{
    (void)state;
    struct mt_rng rng;
    assert_int_equal(mt_rng_init(&rng), 0);
    size_t alen, mlen;
    uint8_t *answer = mt_test_hex(HEX_SERVER_DH_INNER_DATA, &alen);
    uint8_t *msg = mt_test_hex(HEX_SERVER_DH_PARAMS_OK, &mlen);
    uint8_t *nn = mt_test_hex(HEX_NEW_NONCE, NULL), *sn = mt_test_hex(HEX_SERVER_NONCE, NULL);
    struct inject in = { 0 };
    in.pad = mt_test_hex(HEX_ANSWER_PAD, &in.pad_len);
    struct mt_hs_rand r = { inject_rand, &in };
    uint8_t enc[HS_AES_MAX], plain[HS_AES_MAX];
    size_t enclen;
    assert_int_equal(alen, 564);
    assert_int_equal(hs_aes_wrap(nn, sn, answer, alen, &r, &rng, enc, sizeof enc, &enclen), 0);
    assert_int_equal(enclen, 592);
    assert_memory_equal(enc, msg + 60, 592);               /* after FE 50 02 00 */
    int detail = 0;
    assert_int_equal(hs_aes_unwrap(nn, sn, msg + 60, 592, plain, &detail), 0);
    assert_int_equal(hs_aes_check(plain, 592, 564, &detail), 0);
    assert_int_equal(hs_aes_check(plain, 592, 560, &detail), MT_E_HASH);
    assert_int_equal(detail, MT_HS_E_AES_HASH);
    plain[100] ^= 1;
    assert_int_equal(hs_aes_check(plain, 592, 564, &detail), MT_E_HASH);
    assert_int_equal(hs_aes_unwrap(nn, sn, msg + 60, 590, plain, &detail), MT_E_RANGE);
    assert_int_equal(detail, MT_HS_E_AES_LEN);
    free(answer); free(msg); free(nn); free(sn); free(in.pad);
    mt_rng_free(&rng);
}

/* p_q_inner_data_dc of the page, byte for byte: the example's resPQ with
 * the fingerprint of a key generated here (the page's server key is
 * private), so that the RSA_PAD payload can be opened and compared. */
static void test_client_inner_data_example(void **state)
{
    (void)state;
    struct mt_rng rng;
    assert_int_equal(mt_rng_init(&rng), 0);
    struct mt_rsa *key = mt_rsa_generate(2048, NULL, 0);
    assert_non_null(key);
    struct mt_rsa *keys[1] = { key };
    struct inject in = { 0 };
    in.nonce = mt_test_hex(HEX_NONCE, NULL);
    in.new_nonce = mt_test_hex(HEX_NEW_NONCE, NULL);
    struct mt_hs_client_config cfg = { .keys = keys, .nkeys = 1, .dc_id = 2,
                                       .rand = { inject_rand, &in } };
    struct mt_hs_client *c = mt_hs_client_new(&cfg, &rng);
    uint8_t out[MT_HS_MAX_MSG], res_pq[96], data[192];
    size_t out_len, len, dlen;
    assert_int_equal(mt_hs_client_start(c, 1707425104.0, out, sizeof out, &out_len), MT_HS_SEND);
    uint8_t *page = mt_test_hex(HEX_RES_PQ, &len);
    memcpy(res_pq, page, 68);                       /* envelope .. pq */
    mt_store_le32(res_pq + 68, MT_TL_VECTOR);
    mt_store_le32(res_pq + 72, 1);
    mt_store_le64(res_pq + 76, mt_rsa_fingerprint(key));
    mt_store_le32(res_pq + 16, 84 - 20);
    assert_int_equal(mt_hs_client_feed(c, res_pq, 84, 1707425104.5, out, sizeof out, &out_len),
                     MT_HS_SEND);
    assert_int_equal(out_len, 340);
    assert_int_equal(mt_rsa_pad_decrypt(key, out + 84, data, &dlen), 0);
    uint8_t *inner = mt_test_hex(HEX_P_Q_INNER_DATA_DC, &len);
    assert_int_equal(len, 100);
    assert_memory_equal(data, inner, 100);
    free(inner); free(page); free(in.nonce); free(in.new_nonce);
    mt_hs_client_free(c);
    mt_rsa_free(key);
    mt_rng_free(&rng);
}

/* g_b of the page from its b, and client_DH_inner_data as the page shows
 * it inside the client's set_client_DH_params. */
static void test_client_dh_inner_example(void **state)
{
    (void)state;
    uint8_t *b = mt_test_hex(HEX_B, NULL), *gb = mt_test_hex(HEX_G_B, NULL), out[256];
    assert_int_equal(mt_dh_modexp_g(3, b, 256, mt_dh_prime_2048, 256, out), 0);
    assert_memory_equal(out, gb, 256);
    size_t len, mlen;
    uint8_t *inner = mt_test_hex(HEX_CLIENT_DH_INNER_DATA, &len);
    uint8_t *msg = mt_test_hex(HEX_SET_CLIENT_DH_PARAMS, &mlen);
    uint8_t *nn = mt_test_hex(HEX_NEW_NONCE, NULL), *sn = mt_test_hex(HEX_SERVER_NONCE, NULL);
    uint8_t plain[HS_AES_MAX];
    int detail = 0;
    assert_int_equal(len, 304);
    assert_memory_equal(inner + 48, gb, 256);       /* retry_id at 36, g_b (FE 00 01 00 +) at 44 */
    assert_int_equal(hs_aes_unwrap(nn, sn, msg + 60, 336, plain, &detail), 0);
    assert_memory_equal(plain + 20, inner, 304);
    assert_int_equal(hs_aes_check(plain, 336, 304, &detail), 0);
    free(b); free(gb); free(inner); free(msg); free(nn); free(sn);
}

static void test_msg_id(void **state)
{
    (void)state;
    uint64_t id = mt_hs_msg_id(1707425104.25, 0, 0);
    assert_int_equal(id >> 32, 0x65c53d50u);
    assert_int_equal(id & 3, 0);
    assert_int_equal((uint32_t)id, 0x40000000u);
    uint64_t next = mt_hs_msg_id(1707425104.25, id, 0);
    assert_int_equal(next, id + 4);
    uint64_t srv = mt_hs_msg_id(1707425104.25, next, 1);
    assert_true(srv > next);
    assert_int_equal(srv & 3, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_client_official_example),
        cmocka_unit_test(test_client_rejects_page_lengths),
        cmocka_unit_test(test_client_inner_data_example),
        cmocka_unit_test(test_client_dh_inner_example),
        cmocka_unit_test(test_nonce_hashes_grammers),
        cmocka_unit_test(test_example_key_values),
        cmocka_unit_test(test_answer_with_hash),
        cmocka_unit_test(test_msg_id),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
