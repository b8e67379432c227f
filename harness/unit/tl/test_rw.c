/* The inline TL reader and writer of core/tl/mt_tl.h: every base type, both
 * bytes length forms and their padding, Bool, Vector with forged counts,
 * flags with conditional fields, and truncation at every offset. Examples
 * from mtproto-serialize.md ("Editor's note (worked examples)"). */
#include "harness/unit/common/mt_test.h"
#include "core/tl/mt_tl.h"

static void test_ints_le(void **state)
{
    (void)state;
    uint8_t buf[64];
    struct mt_tl_writer w;
    mt_tl_writer_init(&w, buf, sizeof buf);
    mt_tl_w32(&w, 0x01020304u);
    mt_tl_w64(&w, 0x1122334455667788ull);
    mt_tl_wdouble(&w, -1.5);
    uint8_t nonce[16];
    for (int i = 0; i < 16; i++) nonce[i] = (uint8_t)i;
    mt_tl_wraw(&w, nonce, 16);
    assert_int_equal(w.pos, 36);
    assert_false(w.overflow);
    static const uint8_t head[12] = { 4, 3, 2, 1, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11 };
    assert_memory_equal(buf, head, 12);
    assert_memory_equal(buf + 20, nonce, 16);       /* int128 raw, never swapped */

    struct mt_tl_reader r;
    mt_tl_reader_init(&r, buf, w.pos);
    assert_int_equal(mt_tl_u32(&r), 0x01020304u);
    assert_true(mt_tl_i64(&r) == 0x1122334455667788ll);
    assert_true(mt_tl_double(&r) == -1.5);
    uint8_t got[16];
    assert_int_equal(mt_tl_raw(&r, got, 16), 0);
    assert_memory_equal(got, nonce, 16);
    assert_int_equal(mt_tl_left(&r), 0);
    assert_true(mt_tl_ok(&r));
    /* negative int */
    mt_tl_writer_init(&w, buf, 4);
    mt_tl_w32(&w, (uint32_t)-404);
    mt_tl_reader_init(&r, buf, 4);
    assert_int_equal(mt_tl_i32(&r), -404);
}

/* mtproto-serialize.md: "" -> 00 00 00 00; "abc" -> 03 61 62 63;
 * "abcd" -> 04 61 62 63 64 00 00 00; 256 bytes -> FE 00 01 00 + data;
 * 592 bytes -> FE 50 02 00 + data. */
static void test_bytes_forms(void **state)
{
    (void)state;
    static const size_t lens[] = { 0, 1, 2, 3, 4, 5, 252, 253, 254, 255, 256, 257, 592, 1000, 70000 };
    uint8_t *src = malloc(70000), *buf = malloc(70016);
    assert_non_null(src); assert_non_null(buf);
    for (size_t i = 0; i < 70000; i++) src[i] = (uint8_t)(i * 7 + 1);
    for (size_t k = 0; k < MT_ARRAY_LEN(lens); k++) {
        size_t n = lens[k];
        struct mt_tl_writer w;
        mt_tl_writer_init(&w, buf, 70016);
        memset(buf, 0xcc, 70016);
        mt_tl_wbytes(&w, src, n);
        size_t hdr = n < 254 ? 1 : 4;
        assert_int_equal(w.pos, (hdr + n + 3) / 4 * 4);
        assert_int_equal(w.pos, mt_tl_bytes_size(n));
        if (n < 254) assert_int_equal(buf[0], n);
        else {
            assert_int_equal(buf[0], 254);
            assert_int_equal(buf[1] | buf[2] << 8 | buf[3] << 16, n);
        }
        for (size_t p = hdr + n; p < w.pos; p++) assert_int_equal(buf[p], 0);
        /* padding content is ignored by the reader */
        for (size_t p = hdr + n; p < w.pos; p++) buf[p] = 0x5a;
        struct mt_tl_reader r;
        mt_tl_reader_init(&r, buf, w.pos);
        size_t got;
        const uint8_t *q = mt_tl_bytes(&r, &got);
        assert_non_null(q);
        assert_int_equal(got, n);
        if (n) assert_memory_equal(q, src, n);
        assert_int_equal(mt_tl_left(&r), 0);
    }
    static const uint8_t abcd[8] = { 4, 'a', 'b', 'c', 'd', 0, 0, 0 };
    struct mt_tl_writer w;
    mt_tl_writer_init(&w, buf, 64);
    mt_tl_wbytes(&w, "abcd", 4);
    assert_memory_equal(buf, abcd, 8);
    mt_tl_writer_init(&w, buf, 64);
    mt_tl_wbytes(&w, "abc", 3);
    assert_int_equal(w.pos, 4);
    assert_memory_equal(buf, "\x03" "abc", 4);
    /* 255 as a length byte is invalid */
    static const uint8_t bad[8] = { 255, 0, 0, 0, 0, 0, 0, 0 };
    struct mt_tl_reader r;
    mt_tl_reader_init(&r, bad, 8);
    size_t n;
    assert_null(mt_tl_bytes(&r, &n));
    assert_int_equal(r.err, MT_E_TL_VALUE);
    assert_int_equal(r.err_pos, 0);
    /* missing padding is short */
    mt_tl_reader_init(&r, abcd, 5);
    assert_null(mt_tl_bytes(&r, &n));
    assert_int_equal(r.err, MT_E_TL_SHORT);
    assert_int_equal(r.err_pos, 0);
    free(src); free(buf);
}

static void test_bool(void **state)
{
    (void)state;
    uint8_t buf[12];
    struct mt_tl_writer w;
    mt_tl_writer_init(&w, buf, sizeof buf);
    mt_tl_wbool(&w, 1);
    mt_tl_wbool(&w, 0);
    mt_tl_w32(&w, 0x12345678);
    assert_int_equal(mt_load_le32(buf), 0x997275b5u);
    assert_int_equal(mt_load_le32(buf + 4), 0xbc799737u);
    struct mt_tl_reader r;
    mt_tl_reader_init(&r, buf, sizeof buf);
    assert_int_equal(mt_tl_bool(&r), 1);
    assert_int_equal(mt_tl_bool(&r), 0);
    assert_true(mt_tl_ok(&r));
    assert_int_equal(mt_tl_bool(&r), 0);
    assert_int_equal(r.err, MT_E_TL_VALUE);
    assert_int_equal(r.err_pos, 8);
    /* sticky: later reads return zero */
    assert_int_equal(mt_tl_u32(&r), 0);
    assert_int_equal(r.err_pos, 8);
}

static void test_vector(void **state)
{
    (void)state;
    /* mtproto-serialize.md: Vector<long> {1, 2} */
    static const char *hex = "15c4b51c02000000" "0100000000000000" "0200000000000000";
    size_t n;
    uint8_t *v = mt_test_hex(hex, &n);
    struct mt_tl_reader r;
    mt_tl_reader_init(&r, v, n);
    assert_int_equal(mt_tl_vector(&r, 8), 2);
    assert_int_equal(mt_tl_i64(&r), 1);
    assert_int_equal(mt_tl_i64(&r), 2);
    assert_true(mt_tl_ok(&r));
    /* forged count: 3 longs announced, 2 present */
    v[4] = 3;
    mt_tl_reader_init(&r, v, n);
    assert_int_equal(mt_tl_vector(&r, 8), 0);
    assert_int_equal(r.err, MT_E_TL_VALUE);
    assert_int_equal(r.err_pos, 4);
    v[4] = 0xff; v[5] = 0xff; v[6] = 0xff; v[7] = 0xff;
    mt_tl_reader_init(&r, v, n);
    assert_int_equal(mt_tl_vector(&r, 4), 0);
    assert_int_equal(r.err, MT_E_TL_VALUE);
    /* wrong id */
    v[0] = 0;
    mt_tl_reader_init(&r, v, n);
    assert_int_equal(mt_tl_vector(&r, 8), 0);
    assert_int_equal(r.err, MT_E_TL_CTOR);
    assert_int_equal(r.err_pos, 0);
    free(v);
}

/* flags:# a:flags.0?int b:flags.3?long c:flags.1?true: write with a and b
 * present, read back following the flags the way generated code does. */
static void test_flags(void **state)
{
    (void)state;
    uint8_t buf[32];
    struct mt_tl_writer w;
    mt_tl_writer_init(&w, buf, sizeof buf);
    uint32_t flags = 1u << 0 | 1u << 3 | 1u << 1;
    mt_tl_w32(&w, flags);
    mt_tl_w32(&w, 42);
    mt_tl_w64(&w, 7);
    assert_int_equal(w.pos, 16);          /* the true flag takes no bytes */
    struct mt_tl_reader r;
    mt_tl_reader_init(&r, buf, w.pos);
    uint32_t f = mt_tl_u32(&r);
    int32_t a = (f & 1) ? mt_tl_i32(&r) : -1;
    int64_t b = (f & 8) ? mt_tl_i64(&r) : -1;
    assert_int_equal(a, 42);
    assert_int_equal(b, 7);
    assert_true(f & 2);
    assert_int_equal(mt_tl_left(&r), 0);
}

/* A message of every shape, cut at every length: the first failing read
 * reports MT_E_TL_SHORT at the offset of the field that is cut. */
static void test_truncation_everywhere(void **state)
{
    (void)state;
    uint8_t buf[1024], big[300];
    memset(big, 0x42, sizeof big);
    struct mt_tl_writer w;
    mt_tl_writer_init(&w, buf, sizeof buf);
    size_t starts[16] = { 0 };
    int k = 0;
    starts[k++] = w.pos; mt_tl_w32(&w, 0x7abe77ec);
    starts[k++] = w.pos; mt_tl_w64(&w, 99);
    starts[k++] = w.pos; mt_tl_wbytes(&w, "hello", 5);
    starts[k++] = w.pos; mt_tl_wraw(&w, big, 16);
    starts[k++] = w.pos; mt_tl_wbytes(&w, big, 300);
    starts[k++] = w.pos; mt_tl_wbool(&w, 1);
    starts[k++] = w.pos; mt_tl_w32(&w, MT_TL_VECTOR); mt_tl_w32(&w, 2); mt_tl_w64(&w, 1); mt_tl_w64(&w, 2);
    starts[k++] = w.pos; mt_tl_wdouble(&w, 2.5);
    starts[k] = w.pos;
    size_t total = w.pos;
    for (size_t cut = 0; cut <= total; cut++) {
        struct mt_tl_reader r;
        mt_tl_reader_init(&r, buf, cut);
        size_t n;
        uint8_t raw[16];
        (void)mt_tl_u32(&r);
        (void)mt_tl_i64(&r);
        (void)mt_tl_bytes(&r, &n);
        (void)mt_tl_raw(&r, raw, 16);
        (void)mt_tl_bytes(&r, &n);
        (void)mt_tl_bool(&r);
        uint32_t cnt = mt_tl_vector(&r, 8);
        for (uint32_t i = 0; i < cnt; i++) (void)mt_tl_i64(&r);
        (void)mt_tl_double(&r);
        if (cut == total) { assert_true(mt_tl_ok(&r)); continue; }
        /* the field containing byte `cut` */
        int fld = 0;
        while (starts[fld + 1] <= cut) fld++;
        assert_int_equal(r.err == MT_E_TL_SHORT || r.err == MT_E_TL_VALUE, 1);
        if (r.err == MT_E_TL_VALUE) {
            /* only the vector count check can say VALUE: count cut off below 2 longs */
            assert_int_equal(fld, 6);
            assert_int_equal(r.err_pos, starts[6] + 4);
        } else if (fld == 6 && cut >= starts[6] + 4) {
            /* the count, then each element is a field of its own */
            size_t sub = cut < starts[6] + 8 ? starts[6] + 4 : starts[6] + 8 + (cut - starts[6] - 8) / 8 * 8;
            assert_int_equal(r.err_pos, sub);
        } else {
            assert_int_equal(r.err_pos, starts[fld]);
        }
    }
}

static void test_writer_overflow(void **state)
{
    (void)state;
    uint8_t buf[8];
    struct mt_tl_writer w;
    mt_tl_writer_init(&w, buf, sizeof buf);
    mt_tl_w32(&w, 1);
    mt_tl_w64(&w, 2);
    assert_true(w.overflow);
    assert_int_equal(w.pos, 4);
    mt_tl_w32(&w, 3);                       /* sticky */
    assert_int_equal(w.pos, 4);
    mt_tl_writer_init(&w, buf, sizeof buf);
    mt_tl_wbytes(&w, "abcdefgh", 8);        /* 12 bytes */
    assert_true(w.overflow);
    mt_tl_writer_init(&w, buf, sizeof buf);
    mt_tl_wbytes(&w, buf, 1u << 24);        /* over the bytes limit */
    assert_true(w.overflow);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ints_le),
        cmocka_unit_test(test_bytes_forms),
        cmocka_unit_test(test_bool),
        cmocka_unit_test(test_vector),
        cmocka_unit_test(test_flags),
        cmocka_unit_test(test_truncation_everywhere),
        cmocka_unit_test(test_writer_overflow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
