/* Round trips of every codec, plain and obfuscated (with and without an
 * MTProxy secret), in both directions, delivered in random pieces and one
 * byte at a time; quick acks and errors; server-side detection of every
 * form; the codec table. */
#include "tr_test_util.h"

static struct mt_rng rng;
static const uint8_t secret[1][16] = {{0x8a, 0x96, 0xef, 0x6e, 0x42, 0xa1, 0x8c, 0x21,
                                       0x83, 0x75, 0x80, 0xcd, 0x1c, 0x91, 0xc5, 0xa8}};
static const struct mt_tr_server_config scfg = {
    .secrets = secret, .nsecrets = 1, .allow_plain = true, .allow_obfuscated = true};

static int setup(void **state)
{
    (void)state;
    mt_crypto_init();
    return mt_rng_init(&rng);
}

#define NPKT 40
#define MAXLEN 3000

/* mode: 0 plain, 1 obfuscated, 2 obfuscated with the secret */
static void round_trip(enum mt_tr_kind kind, int mode, size_t piece, uint64_t seed)
{
    struct mt_test_prng r;
    mt_test_prng_seed(&r, seed);
    struct mt_tr_config cfg = {.kind = kind, .obfuscated = mode > 0, .has_secret = mode == 2,
                               .dc_id = mode == 2 ? -4 : 0};
    memcpy(cfg.secret, secret[0], 16);
    struct mt_tr c, s;
    assert_int_equal(mt_tr_init_client(&c, &cfg, &rng), 0);
    mt_tr_init_server(&s, &scfg, &rng);

    struct wire up = {0}, down = {0};
    uint8_t pre[MT_TR_PREAMBLE_MAX];
    int n = mt_tr_client_preamble(&c, pre);
    assert_true(n >= 0);
    wire_put(&up, pre, (size_t)n);
    static uint8_t sent[NPKT][MAXLEN];
    size_t sent_len[NPKT];
    for (int i = 0; i < NPKT; i++) {
        sent_len[i] = test_payload(&r, kind, sent[i], i == 3 ? MAXLEN : 600);
        wire_frame(&up, &c, sent[i], sent_len[i], (i % 3 == 0) ? MT_TR_F_QUICK_ACK : 0);
    }
    struct got got[2 * NPKT];
    int cnt = wire_deliver(&r, &up, &s, &scfg, piece, got, 2 * NPKT);
    assert_int_equal(cnt, NPKT);
    assert_int_equal(s.ops->kind, kind);
    assert_int_equal(s.obfuscated, mode > 0);
    if (mode == 2) assert_int_equal(s.dc_id, -4);
    for (int i = 0; i < NPKT; i++) {
        assert_int_equal(got[i].kind, MT_TR_PKT_DATA);
        assert_int_equal(got[i].len, sent_len[i]);
        assert_memory_equal(got[i].data, sent[i], sent_len[i]);
        bool qa_expected = (i % 3 == 0) && kind != MT_TR_FULL;
        assert_int_equal(got[i].qa, qa_expected);
    }
    got_free(got, cnt);

    /* server -> client: data, quick acks, an error */
    for (int i = 0; i < NPKT; i++) {
        wire_frame(&down, &s, sent[i], sent_len[i], 0);
        if (i % 5 == 0 && kind != MT_TR_FULL) {
            uint8_t qa[MT_TR_QUICK_ACK_MAX];
            int k = mt_tr_frame_quick_ack(&s, 0x12345678u + (uint32_t)i, qa);
            assert_true(k > 0);
            wire_put(&down, qa, (size_t)k);
        }
    }
    uint8_t err[64];
    int k = mt_tr_frame_error(&s, -429, err, sizeof err);
    assert_true(k > 0);
    wire_put(&down, err, (size_t)k);
    cnt = wire_deliver(&r, &down, &c, NULL, piece, got, 2 * NPKT);
    int di = 0;
    for (int i = 0; i < cnt; i++) {
        if (got[i].kind == MT_TR_PKT_DATA) {
            assert_int_equal(got[i].len, sent_len[di]);
            assert_memory_equal(got[i].data, sent[di], sent_len[di]);
            di++;
        } else if (got[i].kind == MT_TR_PKT_QUICK_ACK) {
            assert_int_equal(got[i].token, (0x12345678u + (uint32_t)(di - 1)) | 0x80000000u);
        } else {
            assert_int_equal(got[i].kind, MT_TR_PKT_ERROR);
            assert_int_equal(got[i].error, -429);
            assert_int_equal(i, cnt - 1);
        }
    }
    assert_int_equal(di, NPKT);
    got_free(got, cnt);
    free(up.p);
    free(down.p);
    mt_tr_free(&c);
    mt_tr_free(&s);
}

static void test_round_trips(void **state)
{
    (void)state;
    for (int kind = 0; kind < MT_TR_KIND_COUNT; kind++)
        for (int mode = 0; mode < 3; mode++) {
            if (kind == MT_TR_FULL && mode > 0)
                continue;   /* no tag: full cannot be obfuscated (no tag4) */
            round_trip((enum mt_tr_kind)kind, mode, 0, 100 + (uint64_t)kind * 3 + (uint64_t)mode);
            round_trip((enum mt_tr_kind)kind, mode, 1, 200 + (uint64_t)kind * 3 + (uint64_t)mode);
            round_trip((enum mt_tr_kind)kind, mode, 4096, 300 + (uint64_t)kind);
        }
}

/* Detection: every plain tag, full, obfuscated with each tag, with and
 * without the secret, HTTP, partial input. */
static void test_detect(void **state)
{
    (void)state;
    struct mt_tr_detected d;
    assert_int_equal(mt_tr_detect((const uint8_t *)"", 0, &scfg, &d), MT_E_AGAIN);
    assert_int_equal(mt_tr_detect((const uint8_t *)"\xef", 1, &scfg, &d), 1);
    assert_int_equal(d.kind, MT_TR_ABRIDGED);
    assert_int_equal(mt_tr_detect((const uint8_t *)"\xee\xee", 2, &scfg, &d), MT_E_AGAIN);
    assert_int_equal(mt_tr_detect((const uint8_t *)"\xee\xee\xee\xee", 4, &scfg, &d), 4);
    assert_int_equal(d.kind, MT_TR_INTERMEDIATE);
    assert_int_equal(mt_tr_detect((const uint8_t *)"\xdd\xdd\xdd\xdd", 4, &scfg, &d), 4);
    assert_int_equal(d.kind, MT_TR_PADDED);
    assert_int_equal(mt_tr_detect((const uint8_t *)"\x10\0\0\0\0\0", 6, &scfg, &d), MT_E_AGAIN);
    assert_int_equal(mt_tr_detect((const uint8_t *)"\x10\0\0\0\0\0\0\0", 8, &scfg, &d), 0);
    assert_int_equal(d.kind, MT_TR_FULL);
    /* implausible full lengths */
    assert_int_equal(mt_tr_detect((const uint8_t *)"\x0c\0\0\0\0\0\0\0", 8, &scfg, &d), MT_E_TR_DETECT);
    assert_int_equal(mt_tr_detect((const uint8_t *)"\x11\0\0\0\0\0\0\0", 8, &scfg, &d), MT_E_TR_DETECT);
    assert_int_equal(mt_tr_detect((const uint8_t *)"\0\0\0\x80\0\0\0\0", 8, &scfg, &d), MT_E_TR_DETECT);
    assert_int_equal(mt_tr_detect((const uint8_t *)"POST /api", 9, &scfg, &d), MT_E_TR_DETECT);
    assert_int_equal(mt_tr_detect((const uint8_t *)"GET /", 5, &scfg, &d), MT_E_TR_DETECT);
    /* plain refused when not allowed */
    struct mt_tr_server_config obf_only = {.allow_obfuscated = true};
    assert_int_equal(mt_tr_detect((const uint8_t *)"\xef", 1, &obf_only, &d), MT_E_TR_DETECT);

    for (int kind = 0; kind < MT_TR_FULL; kind++)
        for (int sec = 0; sec < 2; sec++) {
            struct mt_tr_config cfg = {.kind = (enum mt_tr_kind)kind, .obfuscated = true,
                                       .has_secret = sec == 1, .dc_id = (int16_t)(kind + 1)};
            memcpy(cfg.secret, secret[0], 16);
            struct mt_tr c;
            uint8_t h[64];
            assert_int_equal(mt_tr_init_client(&c, &cfg, &rng), 0);
            assert_int_equal(mt_tr_client_preamble(&c, h), 64);
            for (size_t n = 1; n < 64; n++) {
                int rc = mt_tr_detect(h, n, &scfg, &d);
                assert_int_equal(rc, MT_E_AGAIN);
            }
            assert_int_equal(mt_tr_detect(h, 64, &scfg, &d), 64);
            assert_int_equal(d.kind, kind);
            assert_true(d.obfuscated);
            assert_int_equal(d.secret_index, sec ? 0 : -1);
            assert_int_equal(d.dc_id, kind + 1);
            /* the server without this secret does not recognise it */
            if (sec) {
                struct mt_tr_server_config nos = {.allow_obfuscated = true, .allow_plain = true};
                assert_int_equal(mt_tr_detect(h, 64, &nos, &d), MT_E_TR_DETECT);
            }
            mt_tr_free(&c);
        }
    /* the generated headers avoid every forbidden prefix */
    for (int i = 0; i < 2000; i++) {
        struct mt_tr_config cfg = {.kind = MT_TR_ABRIDGED, .obfuscated = true};
        struct mt_tr c;
        uint8_t h[64];
        mt_tr_init_client(&c, &cfg, &rng);
        assert_int_equal(mt_tr_client_preamble(&c, h), 64);
        assert_int_not_equal(h[0], 0xef);
        assert_int_not_equal(mt_load_le32(h + 4), 0);
        uint32_t f = mt_load_le32(h);
        assert_true(f != 0xddddddddu && f != 0xeeeeeeeeu && f != 0x54534f50u && f != 0x20544547u);
        mt_tr_free(&c);
    }
    /* the forbidden prefixes are refused for a given header */
    struct mt_tr c;
    struct mt_tr_config cfg = {.kind = MT_TR_ABRIDGED, .obfuscated = true};
    uint8_t bad[64], h[64];
    memset(bad, 1, sizeof bad);
    memcpy(bad, "HEAD", 4);
    mt_tr_init_client(&c, &cfg, &rng);
    assert_int_equal(mt_tr_client_preamble_from(&c, bad, h), MT_E_TR_HEADER);
}

static void test_ops_table(void **state)
{
    (void)state;
    enum mt_tr_kind k;
    bool obf;
    assert_int_equal(mt_tr_parse_name("abridged", &k, &obf), 0);
    assert_int_equal(k, MT_TR_ABRIDGED);
    assert_false(obf);
    assert_int_equal(mt_tr_parse_name("obf-padded", &k, &obf), 0);
    assert_int_equal(k, MT_TR_PADDED);
    assert_true(obf);
    assert_int_equal(mt_tr_parse_name("obfuscated-intermediate", &k, &obf), 0);
    assert_int_equal(k, MT_TR_INTERMEDIATE);
    assert_int_equal(mt_tr_parse_name("full", &k, &obf), 0);
    assert_int_equal(mt_tr_parse_name("http", &k, &obf), MT_E_INVAL);
    assert_null(mt_tr_ops_by_name("nope"));
    assert_null(mt_tr_ops_get(MT_TR_KIND_COUNT));
    for (int i = 0; i < MT_TR_KIND_COUNT; i++) {
        const struct mt_tr_ops *o = mt_tr_ops_get((enum mt_tr_kind)i);
        assert_ptr_equal(mt_tr_ops_by_name(o->name), o);
        assert_true(o->header_len(1000, 0) <= MT_TR_HEADROOM);
        assert_true(o->overhead_max(1000) <= MT_TR_HEADROOM + MT_TR_TAILROOM);
    }
    assert_int_equal(mt_tr_ops_get(MT_TR_ABRIDGED)->header_len(504, 0), 1);
    assert_int_equal(mt_tr_ops_get(MT_TR_ABRIDGED)->header_len(508, 0), 4);
    assert_int_equal(mt_tr_ops_get(MT_TR_FULL)->overhead_max(100), 12);
}

static void test_secret_forms(void **state)
{
    (void)state;
    struct mt_tr_config cfg = {.kind = MT_TR_ABRIDGED};
    assert_int_equal(mt_tr_config_secret(&cfg, "8a96ef6e42a18c21837580cd1c91c5a8"), 0);
    assert_true(cfg.has_secret && cfg.obfuscated);
    assert_int_equal(cfg.kind, MT_TR_ABRIDGED);
    assert_memory_equal(cfg.secret, secret[0], 16);
    assert_int_equal(mt_tr_config_secret(&cfg, "dd99999999999999999999999999999999"), 0);
    assert_int_equal(cfg.kind, MT_TR_PADDED);
    assert_int_equal(cfg.secret[0], 0x99);
    assert_int_equal(mt_tr_config_secret(&cfg, "ee99999999999999999999999999999999"), MT_E_UNSUPPORTED);
    assert_int_equal(mt_tr_config_secret(&cfg, "dd9999"), MT_E_INVAL);
    assert_int_equal(mt_tr_config_secret(&cfg, "zz99999999999999999999999999999999"), MT_E_INVAL);
    assert_int_equal(mt_tr_config_secret(&cfg, NULL), MT_E_INVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trips),
        cmocka_unit_test(test_detect),
        cmocka_unit_test(test_ops_table),
        cmocka_unit_test(test_secret_forms),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
