/* mt_sess_client_cancel: a request the caller gave up on is forgotten (not
 * re-sent), whether still queued or already sent. */
#include "harness/unit/common/mt_test.h"
#include "core/mtproto/mt_mtproto.h"

static void t_cancel(void **st)
{
    struct mt_sess_client_cfg cfg = {.session_id = 1, .salt = 2};
    struct mt_sess_client_cb cb = {0};
    struct mt_sess_client *c = mt_sess_client_new(&cfg, &cb);
    assert_non_null(c);
    uint8_t body[8] = {0x26, 0x30, 0xb3, 0x1f}; /* help.getNearestDc, padded */
    uint64_t id1, id2, id3;
    double wall = 1.7e9;
    assert_int_equal(mt_sess_client_query(c, body, 4, 7, 100, wall, &id1), 0);
    assert_int_equal(mt_sess_client_query(c, body, 4, 8, 100, wall, &id2), 0);
    assert_int_equal(mt_sess_client_ping(c, 9, 0, 100, wall, &id3), 0);
    assert_int_equal(mt_sess_client_inflight(c), 3);
    /* cancel one while queued */
    assert_int_equal(mt_sess_client_cancel(c, 8), 0);
    assert_int_equal(mt_sess_client_inflight(c), 2);
    uint8_t out[4096];
    int n = mt_sess_client_build(c, out, sizeof out, 200, wall, 0);
    assert_true(n > 0);
    /* and one after it was sent; twice is an error */
    assert_int_equal(mt_sess_client_cancel(c, 7), 0);
    assert_int_equal(mt_sess_client_cancel(c, 7), MT_E_INVAL);
    assert_int_equal(mt_sess_client_cancel(c, 9), 0);
    assert_int_equal(mt_sess_client_inflight(c), 0);
    /* nothing left to re-send after a reconnect */
    mt_sess_client_resend_all(c);
    assert_int_equal(mt_sess_client_inflight(c), 0);
    mt_sess_client_free(c);
}

/* mt_sess_client_peek_msg_id tells the id the next query gets (the bind of
 * a temporary key encrypts it), without consuming it. */
static void t_peek(void **st)
{
    struct mt_sess_client_cfg cfg = {.session_id = 1, .salt = 2};
    struct mt_sess_client_cb cb = {0};
    struct mt_sess_client *c = mt_sess_client_new(&cfg, &cb);
    assert_non_null(c);
    uint8_t body[4] = {0x26, 0x30, 0xb3, 0x1f};
    double wall = 1.7e9;
    for (int i = 0; i < 100; i++, wall += (i % 3) * 1e-6) {
        uint64_t peek = mt_sess_client_peek_msg_id(c, wall), peek2 = mt_sess_client_peek_msg_id(c, wall), id;
        assert_true(peek == peek2);
        assert_int_equal(peek % 4, 0);
        assert_int_equal(mt_sess_client_query(c, body, 4, (uint64_t)i, 0, wall, &id), 0);
        assert_true(id == peek);
    }
    mt_sess_client_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(t_cancel), cmocka_unit_test(t_peek)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
