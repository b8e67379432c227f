/* msg_id generation (parity, monotonicity, time correction), the 300 s / 30 s
 * window edges, the replay window, seq_no rules, the inner header. */
#include "harness/unit/common/mt_test.h"
#include "core/mtproto/session.h"

#define T0 1700000000.0

static void test_client_ids_parity_and_increase(void **state)
{
    (void)state;
    struct mt_msgid_gen g = { 0, 0 };
    uint64_t prev = 0;
    for (int i = 0; i < 10000; i++) {
        uint64_t id = mt_msgid_next(&g, T0, 0);   /* clock does not move */
        assert_int_equal(id & 3, 0);
        assert_true(id > prev);
        prev = id;
    }
    assert_int_equal(prev >> 32, (uint64_t)T0);   /* 10000 bumps of 4 stay in the second */
    uint64_t id = mt_msgid_next(&g, T0 + 0.5, 0);
    assert_int_equal(id >> 32, (uint64_t)T0);
    assert_true((uint32_t)id >= 0x7fff0000u);        /* the fraction is the low half */
}

static void test_server_ids_parity(void **state)
{
    (void)state;
    struct mt_msgid_gen g = { 0, 0 };
    uint64_t prev = 0;
    for (int i = 0; i < 1000; i++) {
        unsigned parity = (i & 1) ? 1 : 3;
        uint64_t id = mt_msgid_next(&g, T0 + i * 1e-6, parity);
        assert_int_equal(id & 3, parity);
        assert_true(id > prev);
        prev = id;
    }
}

static void test_time_offset_and_correction(void **state)
{
    (void)state;
    struct mt_msgid_gen g = { 0, 100.0 };           /* client thinks server is 100 s ahead */
    uint64_t id = mt_msgid_next(&g, T0, 0);
    assert_int_equal(id >> 32, (uint64_t)T0 + 100);
    /* the server says it is T0 - 50: ids must go lower from now on */
    uint64_t server = ((uint64_t)(T0 - 50) << 32) | 1;
    mt_msgid_correct(&g, server, T0);
    assert_true(g.offset > -50.001 && g.offset < -49.999);
    uint64_t id2 = mt_msgid_next(&g, T0, 0);
    assert_int_equal(id2 >> 32, (uint64_t)T0 - 50);
    assert_true(id2 < id);
    assert_int_equal(mt_msgid_check_time(id2, T0 - 50), 0);
}

static void test_window_edges(void **state)
{
    (void)state;
    double now = T0;
    uint64_t at = (uint64_t)T0 << 32;
    assert_int_equal(mt_msgid_check_time(at, now), 0);
    assert_int_equal(mt_msgid_check_time(at - (300ull << 32), now), 0);          /* exactly 300 s */
    assert_int_equal(mt_msgid_check_time(at - (300ull << 32) - (1ull << 31), now), MT_BAD_MSG_ID_LOW);
    assert_int_equal(mt_msgid_check_time(at + (30ull << 32), now), 0);           /* exactly 30 s */
    assert_int_equal(mt_msgid_check_time(at + (30ull << 32) + (1ull << 31), now), MT_BAD_MSG_ID_HIGH);
    assert_int_equal(mt_msgid_check_time(0, now), MT_BAD_MSG_ID_LOW);
    assert_int_equal(mt_msgid_check_time(UINT64_MAX, now), MT_BAD_MSG_ID_HIGH);
}

static void test_seqno(void **state)
{
    (void)state;
    uint32_t n = 0;
    assert_int_equal(mt_seqno_next(&n, 0), 0);   /* ack before anything */
    assert_int_equal(mt_seqno_next(&n, 1), 1);
    assert_int_equal(mt_seqno_next(&n, 1), 3);
    assert_int_equal(mt_seqno_next(&n, 0), 4);   /* container after two queries */
    assert_int_equal(mt_seqno_next(&n, 1), 5);
    assert_int_equal(n, 3);
}

static void test_replay_window(void **state)
{
    (void)state;
    struct mt_msgid_window w;
    mt_msgid_window_init(&w);
    uint64_t base = (uint64_t)T0 << 32;
    /* in order, then every one replayed */
    for (uint64_t i = 1; i <= 200; i++) {
        assert_int_equal(mt_msgid_window_check(&w, base + 4 * i), 0);
        mt_msgid_window_insert(&w, base + 4 * i);
    }
    for (uint64_t i = 200 - MT_SESS_RECENT_IDS + 1; i <= 200; i++)
        assert_int_equal(mt_msgid_window_check(&w, base + 4 * i), 1);
    /* below every stored id with the window full: too old */
    assert_int_equal(mt_msgid_window_check(&w, base + 4), 2);
    assert_int_equal(mt_msgid_window_check(&w, base + 4 * (200 - MT_SESS_RECENT_IDS)), 2);
    /* a gap inside the range is new (reordering is allowed) */
    uint64_t gap = base + 4 * 190 + 2;
    assert_int_equal(mt_msgid_window_check(&w, gap), 0);
    mt_msgid_window_insert(&w, gap);
    assert_int_equal(mt_msgid_window_check(&w, gap), 1);
    /* the lowest was evicted */
    assert_int_equal(mt_msgid_window_check(&w, base + 4 * (200 - MT_SESS_RECENT_IDS + 1)), 2);
    /* states for msgs_state_info */
    assert_int_equal(mt_msgid_window_state(&w, gap), 4);
    assert_int_equal(mt_msgid_window_state(&w, base + 4 * 190 + 1), 2);
    assert_int_equal(mt_msgid_window_state(&w, base + 4 * 500), 3);
    assert_int_equal(mt_msgid_window_state(&w, base), 1);
}

static void test_replay_window_reordered(void **state)
{
    (void)state;
    struct mt_msgid_window w;
    mt_msgid_window_init(&w);
    uint64_t base = (uint64_t)T0 << 32;
    struct mt_test_prng r;
    mt_test_prng_seed(&r, 7);
    uint64_t ids[MT_SESS_RECENT_IDS];
    for (int i = 0; i < MT_SESS_RECENT_IDS; i++) ids[i] = base + 4 * (uint64_t)(i + 1);
    for (int i = MT_SESS_RECENT_IDS - 1; i > 0; i--) {
        int j = (int)(mt_test_next(&r) % (uint64_t)(i + 1));
        uint64_t t = ids[i]; ids[i] = ids[j]; ids[j] = t;
    }
    for (int i = 0; i < MT_SESS_RECENT_IDS; i++) {
        assert_int_equal(mt_msgid_window_check(&w, ids[i]), 0);
        mt_msgid_window_insert(&w, ids[i]);
    }
    for (int i = 0; i < MT_SESS_RECENT_IDS; i++) assert_int_equal(mt_msgid_window_check(&w, ids[i]), 1);
}

static void test_header(void **state)
{
    (void)state;
    uint8_t buf[64] = { 0 };
    struct mt_msg_hdr h = { 0x1122334455667788ull, 0xa1a2a3a4a5a6a7a8ull, 0x51e5000000000004ull, 7, 16 }, p;
    mt_msg_hdr_write(buf, &h);
    /* little-endian on the wire */
    assert_int_equal(buf[0], 0x88);
    assert_int_equal(buf[24], 7);
    assert_int_equal(buf[28], 16);
    const uint8_t *body;
    assert_int_equal(mt_msg_hdr_parse(buf, 48, &p, &body), 0);
    assert_memory_equal(&p, &h, sizeof(h));
    assert_ptr_equal(body, buf + 32);
    assert_int_equal(mt_msg_hdr_parse(buf, 47, &p, &body), MT_E_RANGE);   /* length past the data */
    assert_int_equal(mt_msg_hdr_parse(buf, 31, &p, &body), MT_E_RANGE);
    mt_store_le32(buf + 28, 6);
    assert_int_equal(mt_msg_hdr_parse(buf, 64, &p, &body), MT_E_RANGE);   /* not % 4 */
    uint64_t sid;
    assert_int_equal(mt_sess_peek_session_id(buf, 32, &sid), 0);
    assert_true(sid == h.session_id);
}

static void test_rpc_error_parse(void **state)
{
    (void)state;
    uint8_t b[64];
    struct mt_tl_writer w;
    mt_tl_writer_init(&w, b, sizeof(b));
    mt_tl_w32(&w, 0x2144ca19u);
    mt_tl_w32(&w, 420);
    mt_tl_wbytes(&w, "FLOOD_WAIT_37", 13);
    int32_t code, wait;
    const char *m;
    size_t ml;
    assert_int_equal(mt_rpc_error_parse(b, w.pos, &code, &m, &ml, &wait), 0);
    assert_int_equal(code, 420);
    assert_int_equal(ml, 13);
    assert_memory_equal(m, "FLOOD_WAIT_37", 13);
    assert_int_equal(wait, 37);
    assert_int_not_equal(mt_rpc_error_parse(b, w.pos - 4, &code, &m, &ml, &wait), 0);
    mt_tl_writer_init(&w, b, sizeof(b));
    mt_tl_w32(&w, 0x2144ca19u);
    mt_tl_w32(&w, 400);
    mt_tl_wbytes(&w, "FLOOD_WAIT_X", 12);
    assert_int_equal(mt_rpc_error_parse(b, w.pos, &code, &m, &ml, &wait), 0);
    assert_int_equal(wait, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_client_ids_parity_and_increase),
        cmocka_unit_test(test_server_ids_parity),
        cmocka_unit_test(test_time_offset_and_correction),
        cmocka_unit_test(test_window_edges),
        cmocka_unit_test(test_seqno),
        cmocka_unit_test(test_replay_window),
        cmocka_unit_test(test_replay_window_reordered),
        cmocka_unit_test(test_header),
        cmocka_unit_test(test_rpc_error_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
