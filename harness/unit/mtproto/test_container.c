/* msg_container build and parse: round trip, the 1024-item limit, nesting,
 * item msg_id above the container's, truncation and trailing bytes. */
#include "harness/unit/common/mt_test.h"
#include "core/mtproto/session.h"

#define CID 0x6000000000000000ull

static size_t build(uint8_t *buf, size_t cap, uint32_t n, uint64_t cid_base)
{
    struct mt_tl_writer w;
    struct mt_container_w c;
    mt_tl_writer_init(&w, buf, cap);
    mt_container_start(&c, &w);
    for (uint32_t i = 0; i < n; i++) {
        uint8_t body[12];
        mt_store_le32(body, 0x7abe77ecu);
        mt_store_le64(body + 4, i);
        mt_container_add(&c, cid_base + 4 * (uint64_t)i, 2 * i + 1, body, sizeof(body));
    }
    assert_int_equal(mt_container_finish(&c), n > MT_SESS_CONTAINER_MAX ? MT_E_CONTAINER : 0);
    return w.pos;
}

static void test_round_trip(void **state)
{
    (void)state;
    static uint8_t buf[64 * 1024];
    size_t len = build(buf, sizeof(buf), 5, CID - 100);
    assert_int_equal(len, 8 + 5 * (16 + 12));
    struct mt_container_iter it;
    struct mt_msg_item item;
    assert_int_equal(mt_container_iter_init(&it, buf, len, CID), 0);
    for (uint32_t i = 0; i < 5; i++) {
        assert_int_equal(mt_container_next(&it, &item), 1);
        assert_true(item.msg_id == CID - 100 + 4 * i);
        assert_int_equal(item.seq_no, 2 * i + 1);
        assert_int_equal(item.len, 12);
        assert_int_equal(mt_load_le64(item.body + 4), i);
    }
    assert_int_equal(mt_container_next(&it, &item), 0);
    /* empty containers are allowed */
    len = build(buf, sizeof(buf), 0, 0);
    assert_int_equal(mt_container_iter_init(&it, buf, len, CID), 0);
    assert_int_equal(mt_container_next(&it, &item), 0);
}

static void test_limit_1024(void **state)
{
    (void)state;
    static uint8_t buf[64 * 1024];
    size_t len = build(buf, sizeof(buf), 1024, CID - 100000);
    struct mt_container_iter it;
    struct mt_msg_item item;
    assert_int_equal(mt_container_iter_init(&it, buf, len, CID), 0);
    uint32_t n = 0;
    while (mt_container_next(&it, &item) == 1) n++;
    assert_int_equal(n, 1024);
    len = build(buf, sizeof(buf), 1025, CID - 100000);
    mt_store_le32(buf + 4, 1025);   /* finish refused to patch it: force it */
    assert_int_equal(mt_container_iter_init(&it, buf, len, CID), MT_E_CONTAINER);
}

static void test_item_id_must_be_below(void **state)
{
    (void)state;
    uint8_t buf[1024];
    size_t len = build(buf, sizeof(buf), 3, CID - 8);   /* third item == CID */
    struct mt_container_iter it;
    struct mt_msg_item item;
    assert_int_equal(mt_container_iter_init(&it, buf, len, CID), 0);
    assert_int_equal(mt_container_next(&it, &item), 1);
    assert_int_equal(mt_container_next(&it, &item), 1);
    assert_int_equal(mt_container_next(&it, &item), MT_E_CONTAINER);
}

static void test_nested_rejected(void **state)
{
    (void)state;
    uint8_t inner[256], buf[512];
    size_t ilen = build(inner, sizeof(inner), 2, CID - 100);
    struct mt_tl_writer w;
    struct mt_container_w c;
    mt_tl_writer_init(&w, buf, sizeof(buf));
    mt_container_start(&c, &w);
    mt_container_add(&c, CID - 4, 0, inner, ilen);
    assert_int_equal(mt_container_finish(&c), 0);
    struct mt_container_iter it;
    struct mt_msg_item item;
    assert_int_equal(mt_container_iter_init(&it, buf, w.pos, CID), 0);
    assert_int_equal(mt_container_next(&it, &item), MT_E_CONTAINER);
}

static void test_malformed(void **state)
{
    (void)state;
    uint8_t buf[1024];
    size_t len = build(buf, sizeof(buf), 3, CID - 100);
    struct mt_container_iter it;
    struct mt_msg_item item;
    /* truncated at every length: never reads past, always an error or short count */
    for (size_t cut = 0; cut < len; cut++) {
        int rc = mt_container_iter_init(&it, buf, cut, CID);
        if (rc == 0) {
            while ((rc = mt_container_next(&it, &item)) == 1) {}
            assert_int_equal(rc, MT_E_CONTAINER);
        }
    }
    /* trailing bytes after the last item */
    uint8_t big[1100];
    memcpy(big, buf, len);
    memset(big + len, 0, 8);
    assert_int_equal(mt_container_iter_init(&it, big, len + 8, CID), 0);
    int rc;
    while ((rc = mt_container_next(&it, &item)) == 1) {}
    assert_int_equal(rc, MT_E_CONTAINER);
    /* item length not a multiple of 4 */
    mt_store_le32(buf + 8 + 12, 10);
    assert_int_equal(mt_container_iter_init(&it, buf, len, CID), 0);
    assert_int_equal(mt_container_next(&it, &item), MT_E_CONTAINER);
    /* item length past the end */
    mt_store_le32(buf + 8 + 12, 4000);
    assert_int_equal(mt_container_iter_init(&it, buf, len, CID), 0);
    assert_int_equal(mt_container_next(&it, &item), MT_E_CONTAINER);
    /* wrong constructor */
    mt_store_le32(buf, 0x12345678u);
    assert_int_equal(mt_container_iter_init(&it, buf, len, CID), MT_E_CONTAINER);
}

static void test_writer_overflow(void **state)
{
    (void)state;
    uint8_t buf[100];
    struct mt_tl_writer w;
    struct mt_container_w c;
    mt_tl_writer_init(&w, buf, sizeof(buf));
    mt_container_start(&c, &w);
    uint8_t body[64] = { 0 };
    mt_container_add(&c, 4, 1, body, sizeof(body));
    mt_container_add(&c, 8, 3, body, sizeof(body));
    assert_int_equal(mt_container_finish(&c), MT_E_OVERFLOW);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_limit_1024),
        cmocka_unit_test(test_item_id_must_be_below),
        cmocka_unit_test(test_nested_rejected),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_writer_overflow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
