/* Malformed input gives an error code and never reads out of bounds: each
 * input is copied into a heap block of exactly its size, so ASan catches any
 * read past it. Also random garbage into every deframer and the detector. */
#include "tr_test_util.h"

static struct mt_rng rng;

static int setup(void **state)
{
    (void)state;
    mt_crypto_init();
    return mt_rng_init(&rng);
}

static void ready(struct mt_tr *t, enum mt_tr_kind kind, enum mt_tr_role role, uint32_t max_frame)
{
    uint8_t pre[MT_TR_PREAMBLE_MAX];
    struct mt_tr_config cfg = {.kind = kind, .max_frame = max_frame};
    assert_int_equal(mt_tr_init_client(t, &cfg, &rng), 0);
    assert_true(mt_tr_client_preamble(t, pre) >= 0);
    t->role = role;  /* same codec state; the role only changes how acks read */
}

/* Deframe hex input from an exact-size heap copy. */
static int deframe_hex(struct mt_tr *t, const char *hex)
{
    size_t n;
    uint8_t *tmp = mt_test_hex(hex, &n);
    uint8_t *in = malloc(n ? n : 1);
    memcpy(in, tmp, n);
    struct mt_tr_pkt pkt;
    int rc = mt_tr_deframe(t, in, n, &pkt);
    free(in);
    free(tmp);
    return rc;
}

static void test_lengths(void **state)
{
    (void)state;
    struct mt_tr t;
    for (int role = 0; role < 2; role++) {
        ready(&t, MT_TR_ABRIDGED, (enum mt_tr_role)role, 1024);
        assert_int_equal(deframe_hex(&t, ""), MT_E_AGAIN);
        assert_int_equal(deframe_hex(&t, "00"), MT_E_FRAME_LEN);          /* zero */
        assert_int_equal(deframe_hex(&t, "7f"), MT_E_AGAIN);              /* truncated header */
        assert_int_equal(deframe_hex(&t, "7f0001"), MT_E_AGAIN);
        assert_int_equal(deframe_hex(&t, "7f000000"), MT_E_FRAME_LEN);    /* long form zero */
        assert_int_equal(deframe_hex(&t, "7f010100"), MT_E_FRAME_LEN);    /* 1028 > 1024 */
        assert_int_equal(deframe_hex(&t, "7fffffff"), MT_E_FRAME_LEN);    /* 64 MiB */
        assert_int_equal(deframe_hex(&t, "02aabbcc"), MT_E_AGAIN);        /* truncated body */

        ready(&t, MT_TR_INTERMEDIATE, (enum mt_tr_role)role, 1024);
        assert_int_equal(deframe_hex(&t, "000000"), MT_E_AGAIN);
        assert_int_equal(deframe_hex(&t, "00000000"), MT_E_FRAME_LEN);
        assert_int_equal(deframe_hex(&t, "05000000aabbccddee"), MT_E_FRAME_LEN);  /* unaligned */
        assert_int_equal(deframe_hex(&t, "04040000"), MT_E_FRAME_LEN);    /* 1028 */
        assert_int_equal(deframe_hex(&t, "08000000aabbccdd"), MT_E_AGAIN);
        if (role == MT_TR_SERVER) {
            /* 2^31 with the quick-ack bit = length 0; 0xffffffff = 2^31-1 */
            assert_int_equal(deframe_hex(&t, "00000080"), MT_E_FRAME_LEN);
            assert_int_equal(deframe_hex(&t, "ffffffff"), MT_E_FRAME_LEN);
        }

        ready(&t, MT_TR_PADDED, (enum mt_tr_role)role, 1024);
        assert_int_equal(deframe_hex(&t, "00000000"), MT_E_FRAME_LEN);
        assert_int_equal(deframe_hex(&t, "01040000"), MT_E_FRAME_LEN);
        assert_int_equal(deframe_hex(&t, "0300000001"), MT_E_AGAIN);
        if (role == MT_TR_CLIENT)
            assert_int_equal(deframe_hex(&t, "00000080"), MT_E_FRAME_LEN);

        ready(&t, MT_TR_FULL, (enum mt_tr_role)role, 1024);
        assert_int_equal(deframe_hex(&t, "0c0000"), MT_E_AGAIN);
        assert_int_equal(deframe_hex(&t, "00000000"), MT_E_FRAME_LEN);
        assert_int_equal(deframe_hex(&t, "0c00000000000000" "26ca8d32"), MT_E_FRAME_LEN); /* empty */
        assert_int_equal(deframe_hex(&t, "0d000000"), MT_E_FRAME_LEN);    /* unaligned */
        assert_int_equal(deframe_hex(&t, "00000080"), MT_E_FRAME_LEN);    /* 2^31 */
        assert_int_equal(deframe_hex(&t, "ffffffff"), MT_E_FRAME_LEN);
        assert_int_equal(deframe_hex(&t, "10040000"), MT_E_FRAME_LEN);    /* payload 1028 */
        assert_int_equal(deframe_hex(&t, "1000000000000000aabbccdd"), MT_E_AGAIN);
    }
}

static void test_crc_and_seq(void **state)
{
    (void)state;
    struct mt_tr c, s;
    struct wire w = {0};
    uint8_t payload[64] = {1, 2, 3};
    ready(&c, MT_TR_FULL, MT_TR_CLIENT, 0);
    ready(&s, MT_TR_FULL, MT_TR_SERVER, 0);
    wire_frame(&w, &c, payload, 64, 0);
    wire_frame(&w, &c, payload, 64, 0);
    size_t one = 8 + 64 + 4;
    struct mt_tr_pkt pkt;
    /* a flipped payload bit and a flipped CRC bit */
    for (size_t pos = 8; pos < one; pos += 7) {
        w.p[pos] ^= 0x10;
        assert_int_equal(mt_tr_deframe(&s, w.p, w.n, &pkt), MT_E_CRC);
        w.p[pos] ^= 0x10;
    }
    /* the second packet first: wrong seqno (its CRC is fine) */
    assert_int_equal(mt_tr_deframe(&s, w.p + one, one, &pkt), MT_E_TR_SEQ);
    assert_int_equal(s.recv_seq, 0);
    assert_int_equal(mt_tr_deframe(&s, w.p, w.n, &pkt), (int)one);
    assert_int_equal(mt_tr_deframe(&s, w.p, one, &pkt), MT_E_TR_SEQ);    /* replay */
    assert_int_equal(mt_tr_deframe(&s, w.p + one, one, &pkt), (int)one);
    free(w.p);
}

static void test_frame_errors(void **state)
{
    (void)state;
    struct mt_tr t;
    uint8_t buf[64], *start;
    size_t total;
    struct mt_tr_config cfg = {.kind = MT_TR_INTERMEDIATE, .max_frame = 32};
    assert_int_equal(mt_tr_init_client(&t, &cfg, &rng), 0);
    assert_int_equal(mt_tr_frame(&t, buf, 4, 8, sizeof buf, 0, &start, &total), MT_E_STATE);
    assert_true(mt_tr_client_preamble(&t, buf) == 4);
    assert_int_equal(mt_tr_frame(&t, buf, 3, 8, sizeof buf, 0, &start, &total), MT_E_OVERFLOW);
    assert_int_equal(mt_tr_frame(&t, buf, 4, 8, 11, 0, &start, &total), MT_E_OVERFLOW);
    assert_int_equal(mt_tr_frame(&t, buf, 4, 6, sizeof buf, 0, &start, &total), MT_E_FRAME_LEN);
    assert_int_equal(mt_tr_frame(&t, buf, 4, 36, sizeof buf, 0, &start, &total), MT_E_FRAME_LEN);
    assert_int_equal(mt_tr_frame(&t, buf, 4, 8, sizeof buf, 0, &start, &total), 0);
    struct mt_tr_config bad = {.kind = MT_TR_KIND_COUNT};
    assert_int_equal(mt_tr_init_client(&t, &bad, &rng), MT_E_INVAL);
    /* rx buffer bound */
    struct mt_tr_rx rx;
    struct mt_tr s;
    struct mt_tr_pkt pkt;
    assert_int_equal(mt_tr_rx_init(&rx, 8, 64), 0);
    mt_tr_init_server(&s, NULL, &rng);
    assert_int_equal(mt_tr_rx_push(&s, &rx, "\xee\xee\xee\xee\x80\0\0\0", 8), 0);
    assert_int_equal(mt_tr_rx_next(&s, &rx, NULL, &pkt), 0);
    uint8_t big[64] = {0};
    assert_int_equal(mt_tr_rx_push(&s, &rx, big, 64), MT_E_LIMIT);
    mt_tr_rx_free(&rx);
    /* detection failure surfaces through rx */
    assert_int_equal(mt_tr_rx_init(&rx, 8, 64), 0);
    mt_tr_init_server(&s, NULL, &rng);
    assert_int_equal(mt_tr_rx_push(&s, &rx, "GET / HTTP/1.1\r\n", 16), 0);
    assert_int_equal(mt_tr_rx_next(&s, &rx, NULL, &pkt), MT_E_TR_DETECT);
    mt_tr_rx_free(&rx);
}

/* Random bytes into every deframer (both roles) and the detector. */
static void test_garbage(void **state)
{
    (void)state;
    struct mt_test_prng r;
    mt_test_prng_seed(&r, 42);
    struct mt_tr_server_config scfg = {.allow_plain = true, .allow_obfuscated = true};
    for (int iter = 0; iter < 3000; iter++) {
        size_t n = mt_test_next(&r) % 80;
        uint8_t *in = malloc(n ? n : 1);
        mt_test_fill(&r, in, n);
        if (n && iter % 3 == 0) in[0] &= 0x3f;     /* plausible short lengths */
        for (int k = 0; k < MT_TR_KIND_COUNT; k++)
            for (int role = 0; role < 2; role++) {
                struct mt_tr t;
                struct mt_tr_pkt pkt;
                ready(&t, (enum mt_tr_kind)k, (enum mt_tr_role)role, 4096);
                size_t off = 0;
                int rc;
                while ((rc = mt_tr_deframe(&t, in + off, n - off, &pkt)) > 0) {
                    assert_true((size_t)rc <= n - off);
                    if (pkt.kind == MT_TR_PKT_DATA)
                        assert_true(pkt.data >= in + off && pkt.data + pkt.len <= in + n);
                    off += (size_t)rc;
                }
                assert_true(rc == MT_E_AGAIN || (rc <= MT_E_FRAME && rc > MT_E_FRAME - 100));
            }
        struct mt_tr_detected d;
        int rc = mt_tr_detect(in, n, &scfg, &d);
        assert_true(rc == MT_E_AGAIN || rc == MT_E_TR_DETECT || (rc >= 0 && (size_t)rc <= n));
        free(in);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lengths),
        cmocka_unit_test(test_crc_and_seq),
        cmocka_unit_test(test_frame_errors),
        cmocka_unit_test(test_garbage),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
