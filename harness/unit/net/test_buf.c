/* The chunk-list buffer: reserve/commit in place, iovecs, consume across
 * chunks, the cap, trim. */
#include "harness/unit/common/mt_test.h"
#include "core/net/mt_net.h"

static void test_fifo(void **state)
{
    (void)state;
    struct mt_buf b;
    struct mt_test_prng r;
    mt_test_prng_seed(&r, 7);
    mt_buf_init(&b, 100, 0);
    uint8_t *ref = malloc(1 << 20), *tmp = malloc(1 << 20);
    size_t head = 0, tail = 0;
    for (int i = 0; i < 5000; i++) {
        size_t n = mt_test_next(&r) % 300;
        if (mt_test_next(&r) % 2 && tail + n < (1 << 20)) {
            int err = 0;
            size_t room = n + mt_test_next(&r) % 50;
            uint8_t *p = mt_buf_reserve(&b, room, &err);
            assert_non_null(p);
            mt_test_fill(&r, p, n);
            memcpy(ref + tail, p, n);
            mt_buf_commit(&b, n);
            tail += n;
        } else {
            size_t have = tail - head, k = n < have ? n : have;
            struct iovec iov[8];
            int cnt = mt_buf_iov(&b, iov, 8);
            size_t off = 0;
            for (int j = 0; j < cnt; j++) {
                memcpy(tmp + off, iov[j].iov_base, iov[j].iov_len);
                off += iov[j].iov_len;
            }
            assert_true(off <= have);
            assert_memory_equal(tmp, ref + head, off);
            mt_buf_peek(&b, tmp, k);
            assert_memory_equal(tmp, ref + head, k);
            mt_buf_consume(&b, k);
            head += k;
        }
        assert_int_equal(mt_buf_len(&b), tail - head);
    }
    mt_buf_free(&b);
    free(ref);
    free(tmp);
}

static void test_cap_and_trim(void **state)
{
    (void)state;
    struct mt_buf b;
    int err = 0;
    mt_buf_init(&b, 64, 1000);
    uint8_t data[600] = {1};
    assert_int_equal(mt_buf_append(&b, data, 600), 0);
    assert_int_equal(mt_buf_append(&b, data, 400), 0);
    assert_int_equal(mt_buf_append(&b, data, 1), MT_E_LIMIT);
    assert_null(mt_buf_reserve(&b, 1, &err));
    assert_int_equal(err, MT_E_LIMIT);
    mt_buf_consume(&b, 1000);
    assert_int_equal(mt_buf_len(&b), 0);
    mt_buf_trim(&b);
    assert_null(b.head);
    assert_null(b.spare);
    assert_int_equal(mt_buf_append(&b, data, 10), 0);
    assert_int_equal(mt_buf_len(&b), 10);
    mt_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fifo),
        cmocka_unit_test(test_cap_and_trim),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
