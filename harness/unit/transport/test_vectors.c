/* Known-answer tests of the transports: test-vectors.md sections 7.1 (full
 * transport CRC32), 7.2 (abridged and intermediate headers), 7.3 (error
 * packets, quick-ack encodings) and 8.1-8.3 (obfuscation headers, keys,
 * streams). */
#include "tr_test_util.h"

static struct mt_rng rng;

static int setup(void **state)
{
    (void)state;
    mt_crypto_init();
    return mt_rng_init(&rng);
}

static void client(struct mt_tr *t, enum mt_tr_kind kind, bool obf)
{
    struct mt_tr_config cfg = {.kind = kind, .obfuscated = obf};
    assert_int_equal(mt_tr_init_client(t, &cfg, &rng), 0);
}

static void assert_hex(const uint8_t *got, size_t n, const char *hex)
{
    size_t len;
    uint8_t *want = mt_test_hex(hex, &len);
    assert_int_equal(n, len);
    assert_memory_equal(got, want, len);
    free(want);
}

/* Frame payload (n bytes) and return the frame in out (with its length). */
static size_t frame(struct mt_tr *t, const uint8_t *payload, size_t n, unsigned flags,
                    uint8_t *out)
{
    uint8_t buf[2048], *start;
    size_t total, hdr = mt_tr_header_len(t, n, flags);
    memcpy(buf + hdr, payload, n);
    assert_int_equal(mt_tr_frame(t, buf, hdr, n, sizeof buf, flags, &start, &total), 0);
    memcpy(out, start, total);
    return total;
}

/* 7.1: full transport; empty payload at seq 0; payload 00..7f at seq 0, 1. */
static void test_full_crc(void **state)
{
    (void)state;
    struct mt_tr t;
    uint8_t pre[MT_TR_PREAMBLE_MAX], payload[128], out[256];
    for (int i = 0; i < 128; i++) payload[i] = (uint8_t)i;

    client(&t, MT_TR_FULL, false);
    assert_int_equal(mt_tr_client_preamble(&t, pre), 0);
    size_t n = frame(&t, payload, 0, 0, out);
    assert_hex(out, n, "0c0000000000000026ca8d32");
    mt_tr_free(&t);

    client(&t, MT_TR_FULL, false);
    assert_int_equal(mt_tr_client_preamble(&t, pre), 0);
    n = frame(&t, payload, 128, 0, out);
    assert_int_equal(n, 140);
    assert_hex(out, 8, "8c00000000000000");
    assert_memory_equal(out + 8, payload, 128);
    assert_hex(out + 136, 4, "86739537");
    n = frame(&t, payload, 128, 0, out);
    assert_hex(out, 8, "8c00000001000000");
    assert_hex(out + 136, 4, "9609f04a");

    /* and the server side accepts both packets in order */
    struct mt_tr s;
    mt_tr_init_server(&s, NULL, &rng);
    uint8_t wire[280];
    mt_tr_free(&t);
    client(&t, MT_TR_FULL, false);
    assert_int_equal(mt_tr_client_preamble(&t, pre), 0);
    size_t a = frame(&t, payload, 128, 0, wire);
    size_t b = frame(&t, payload, 128, 0, wire + a);
    assert_int_equal(mt_tr_accept(&s, NULL, wire, a + b), 0);
    assert_int_equal(s.ops->kind, MT_TR_FULL);
    struct mt_tr_pkt pkt;
    assert_int_equal(mt_tr_deframe(&s, wire, a + b, &pkt), 140);
    assert_int_equal(pkt.len, 128);
    assert_int_equal(mt_tr_deframe(&s, wire + 140, b, &pkt), 140);
    assert_int_equal(s.recv_seq, 2);
    mt_tr_free(&t);
    mt_tr_free(&s);
}

/* 7.2: first packets with the protocol tag. */
static void test_headers(void **state)
{
    (void)state;
    struct mt_tr t;
    uint8_t pre[MT_TR_PREAMBLE_MAX], payload[1024] = {0}, out[1100];

    client(&t, MT_TR_ABRIDGED, false);
    assert_int_equal(mt_tr_client_preamble(&t, pre), 1);
    assert_hex(pre, 1, "ef");
    assert_hex(out, frame(&t, payload, 0, 0, out), "00");
    size_t n = frame(&t, payload, 128, 0, out);
    assert_int_equal(n, 129);
    assert_hex(out, 1, "20");
    n = frame(&t, payload, 1024, 0, out);
    assert_int_equal(n, 1028);
    assert_hex(out, 4, "7f000100");
    /* 20 and 1000 bytes (editor's note examples) */
    assert_hex(out, frame(&t, payload, 20, 0, out) - 20, "05");
    assert_hex(out, frame(&t, payload, 1000, 0, out) - 1000, "7ffa0000");
    /* quick-ack request: MSB of the length byte / 0xff long form */
    assert_hex(out, frame(&t, payload, 20, MT_TR_F_QUICK_ACK, out) - 20, "85");
    assert_hex(out, frame(&t, payload, 1000, MT_TR_F_QUICK_ACK, out) - 1000, "fffa0000");
    mt_tr_free(&t);

    client(&t, MT_TR_INTERMEDIATE, false);
    assert_int_equal(mt_tr_client_preamble(&t, pre), 4);
    assert_hex(pre, 4, "eeeeeeee");
    n = frame(&t, payload, 128, 0, out);
    assert_int_equal(n, 132);
    assert_hex(out, 4, "80000000");
    assert_hex(out, frame(&t, payload, 20, MT_TR_F_QUICK_ACK, out) - 20, "14000080");
    mt_tr_free(&t);

    client(&t, MT_TR_PADDED, false);
    assert_int_equal(mt_tr_client_preamble(&t, pre), 4);
    assert_hex(pre, 4, "dddddddd");
    for (int i = 0; i < 50; i++) {
        n = frame(&t, payload, 40, 0, out);
        assert_true(n >= 44 && n <= 44 + 15);
        assert_int_equal(mt_load_le32(out), n - 4);
    }
    mt_tr_free(&t);
}

/* 7.3: transport errors as the client sees them, and quick-ack replies. */
static void test_errors_and_quick_ack(void **state)
{
    (void)state;
    static const struct { int32_t code; const char *intermediate, *abridged; } v[] = {
        {-404, "040000006cfeffff", "016cfeffff"},
        {-429, "0400000053feffff", "0153feffff"},
        {-444, "0400000044feffff", "0144feffff"},
        {-403, "040000006dfeffff", "016dfeffff"},
    };
    uint8_t out[64];
    for (size_t i = 0; i < MT_ARRAY_LEN(v); i++) {
        struct mt_tr s, c;
        size_t len;
        uint8_t *wire = mt_test_hex(v[i].intermediate, &len);
        mt_tr_init_server(&s, NULL, &rng);
        assert_int_equal(mt_tr_accept(&s, NULL, (const uint8_t *)"\xee\xee\xee\xee", 4), 4);
        assert_hex(out, mt_tr_frame_error(&s, v[i].code, out, sizeof out), v[i].intermediate);
        client(&c, MT_TR_INTERMEDIATE, false);
        assert_int_equal(mt_tr_client_preamble(&c, out), 4);
        struct mt_tr_pkt pkt;
        assert_int_equal(mt_tr_deframe(&c, wire, len, &pkt), 8);
        assert_int_equal(pkt.kind, MT_TR_PKT_ERROR);
        assert_int_equal(pkt.error, v[i].code);
        free(wire);

        wire = mt_test_hex(v[i].abridged, &len);
        mt_tr_init_server(&s, NULL, &rng);
        assert_int_equal(mt_tr_accept(&s, NULL, (const uint8_t *)"\xef", 1), 1);
        assert_hex(out, mt_tr_frame_error(&s, v[i].code, out, sizeof out), v[i].abridged);
        client(&c, MT_TR_ABRIDGED, false);
        assert_int_equal(mt_tr_client_preamble(&c, out), 1);
        assert_int_equal(mt_tr_deframe(&c, wire, len, &pkt), 5);
        assert_int_equal(pkt.kind, MT_TR_PKT_ERROR);
        assert_int_equal(pkt.error, v[i].code);
        free(wire);
    }

    /* quick-ack token 0xcd571d02 (section 3.2's payload) */
    struct mt_tr s, c;
    struct mt_tr_pkt pkt;
    uint8_t pre[MT_TR_PREAMBLE_MAX];
    mt_tr_init_server(&s, NULL, &rng);
    assert_int_equal(mt_tr_accept(&s, NULL, (const uint8_t *)"\xee\xee\xee\xee", 4), 4);
    assert_hex(out, mt_tr_frame_quick_ack(&s, 0xcd571d02u, out), "021d57cd");
    client(&c, MT_TR_INTERMEDIATE, false);
    mt_tr_client_preamble(&c, pre);
    assert_int_equal(mt_tr_deframe(&c, out, 4, &pkt), 4);
    assert_int_equal(pkt.kind, MT_TR_PKT_QUICK_ACK);
    assert_int_equal(pkt.token, 0xcd571d02u);

    mt_tr_init_server(&s, NULL, &rng);
    assert_int_equal(mt_tr_accept(&s, NULL, (const uint8_t *)"\xef", 1), 1);
    assert_hex(out, mt_tr_frame_quick_ack(&s, 0xcd571d02u, out), "cd571d02");
    client(&c, MT_TR_ABRIDGED, false);
    mt_tr_client_preamble(&c, pre);
    assert_int_equal(mt_tr_deframe(&c, out, 4, &pkt), 4);
    assert_int_equal(pkt.kind, MT_TR_PKT_QUICK_ACK);
    assert_int_equal(pkt.token, 0xcd571d02u);

    mt_tr_init_server(&s, NULL, &rng);
    assert_int_equal(mt_tr_accept(&s, NULL, (const uint8_t *)"\xdd\xdd\xdd\xdd", 4), 4);
    int n = mt_tr_frame_quick_ack(&s, 0xcd571d02u, out);
    assert_true(n >= 12 && n <= 20);
    assert_hex(out + 4, 8, "ffffffff021d57cd");
    client(&c, MT_TR_PADDED, false);
    mt_tr_client_preamble(&c, pre);
    assert_int_equal(mt_tr_deframe(&c, out, (size_t)n, &pkt), n);
    assert_int_equal(pkt.kind, MT_TR_PKT_QUICK_ACK);
    assert_int_equal(pkt.token, 0xcd571d02u);

    mt_tr_init_server(&s, NULL, &rng);
    assert_int_equal(mt_tr_accept(&s, NULL, (const uint8_t *)"\x10\0\0\0\0\0\0\0", 8), 0);
    assert_int_equal(mt_tr_frame_quick_ack(&s, 1, out), MT_E_UNSUPPORTED);
}

/* 8.1: MTProxy header with a secret, padded tag, DC 2 (gotd TestEncrypt). */
static void test_obf_mtproxy(void **state)
{
    (void)state;
    uint8_t *rnd = mt_test_hex("f5768f50b731260a46be1027c2eeaa39350624f0b6da59eba56c81fe4510c2e0"
                               "b61d3dd323ee02388633e3837a0c1c24fa6f29ccd724be6f416ff7b026f6cce6", NULL);
    uint8_t *secret = mt_test_hex("8a96ef6e42a18c21837580cd1c91c5a8", NULL);
    struct mt_tr_config cfg = {.kind = MT_TR_PADDED, .obfuscated = true, .has_secret = true, .dc_id = 2};
    memcpy(cfg.secret, secret, 16);
    struct mt_tr t;
    uint8_t hdr[64], buf[4] = "abcd";
    assert_int_equal(mt_tr_init_client(&t, &cfg, &rng), 0);
    assert_int_equal(mt_tr_client_preamble_from(&t, rnd, hdr), 64);
    assert_hex(hdr, 64, "f5768f50b731260a46be1027c2eeaa39350624f0b6da59eba56c81fe4510c2e0"
                        "b61d3dd323ee02388633e3837a0c1c24fa6f29ccd724be6fbea2dde16dc59dd2");
    mt_ctr_xor(&t.enc, buf, buf, 4);          /* keystream offset 64 */
    assert_hex(buf, 4, "ca7a8226");
    memcpy(buf, "abcd", 4);
    mt_tr_rx_decrypt(&t, buf, 4);             /* fresh decrypt stream */
    assert_hex(buf, 4, "8f711982");

    /* the server finds the transport, the DC id and the secret */
    const uint8_t (*secrets)[16] = (const uint8_t (*)[16])secret;
    struct mt_tr_server_config scfg = {.secrets = secrets, .nsecrets = 1};
    struct mt_tr_detected d;
    assert_int_equal(mt_tr_detect(hdr, 64, &scfg, &d), 64);
    assert_int_equal(d.kind, MT_TR_PADDED);
    assert_true(d.obfuscated);
    assert_int_equal(d.secret_index, 0);
    assert_int_equal(d.dc_id, 2);
    /* without the secret it is not recognised */
    struct mt_tr_server_config none = {.allow_obfuscated = true, .allow_plain = true};
    assert_int_equal(mt_tr_detect(hdr, 64, &none, &d), MT_E_TR_DETECT);
    mt_tr_free(&t);
    free(rnd);
    free(secret);
}

/* 8.2: degenerate all-"a" header, secret aa x 16, tag dd, DC 2. */
static void test_obf_all_a(void **state)
{
    (void)state;
    uint8_t rnd[64], hdr[64];
    memset(rnd, 'a', sizeof rnd);
    struct mt_tr_config cfg = {.kind = MT_TR_PADDED, .obfuscated = true, .has_secret = true, .dc_id = 2};
    memset(cfg.secret, 0xaa, 16);
    struct mt_tr t;
    assert_int_equal(mt_tr_init_client(&t, &cfg, &rng), 0);
    assert_int_equal(mt_tr_client_preamble_from(&t, rnd, hdr), 64);
    assert_hex(hdr, 64, "6161616161616161616161616161616161616161616161616161616161616161"
                        "616161616161616161616161616161616161616161616161ab4162424f66fddc");
    mt_tr_free(&t);
}

/* 8.3: direct obfuscated abridged connection, no secret. */
static void test_obf_direct(void **state)
{
    (void)state;
    uint8_t rnd[64], hdr[64], payload[20] = {0}, out[64];
    for (int i = 0; i < 64; i++) rnd[i] = (uint8_t)(37 * i + 11);
    struct mt_tr t;
    client(&t, MT_TR_ABRIDGED, true);
    assert_int_equal(mt_tr_client_preamble_from(&t, rnd, hdr), 64);
    assert_hex(hdr, 64, "0b30557a9fc4e90e33587da2c7ec11365b80a5caef14395e83a8cdf2173c6186"
                        "abd0f51a3f6489aed3f81d42678cb1d6fb20456a8fb4d9feef2ca40144c3eb30");
    size_t n = frame(&t, payload, 20, 0, out);
    assert_hex(out, n, "8f0f59ad75c68a82feace539f9e777a5fd702a8188");

    /* server side: header then packet, through the rx buffer */
    struct mt_tr s;
    struct mt_tr_rx rx;
    struct mt_tr_pkt pkt;
    struct mt_tr_server_config scfg = {.allow_obfuscated = true};
    mt_tr_init_server(&s, &scfg, &rng);
    assert_int_equal(mt_tr_rx_init(&rx, 16, 4096), 0);
    assert_int_equal(mt_tr_rx_push(&s, &rx, hdr, 64), 0);
    assert_int_equal(mt_tr_rx_push(&s, &rx, out, n), 0);
    assert_int_equal(mt_tr_rx_next(&s, &rx, &scfg, &pkt), 1);
    assert_int_equal(s.ops->kind, MT_TR_ABRIDGED);
    assert_true(s.obfuscated);
    assert_int_equal(pkt.kind, MT_TR_PKT_DATA);
    assert_int_equal(pkt.len, 20);
    assert_memory_equal(pkt.data, payload, 20);
    mt_tr_rx_free(&rx);
    mt_tr_free(&s);
    mt_tr_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_crc),
        cmocka_unit_test(test_headers),
        cmocka_unit_test(test_errors_and_quick_ack),
        cmocka_unit_test(test_obf_mtproxy),
        cmocka_unit_test(test_obf_all_a),
        cmocka_unit_test(test_obf_direct),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
