/* HdrHistogram encodings: round trips, two known vectors, and rejection of
 * corrupted or truncated input with error codes.
 *
 * Known vector 1 (hand-made from the format description, not by this code):
 *   histogram lowest=1 highest=1000 sig=2 -> sub_bucket_count 256, half 128,
 *   unit magnitude 0. Values: 1 x1, 5 x3, 100 x2, 300 x1. Counts indexes:
 *   1 -> 1, 5 -> 5, 100 -> 100, 300 -> bucket 1, sub-bucket 150, index
 *   (2 << 7) + 150 - 128 = 278. Payload over indexes 0..278, ZigZag LEB128:
 *   idx0 single zero -> 00; idx1 count 1 -> 02; idx2-4 run of 3 zeros (-3)
 *   -> 05; idx5 count 3 -> 06; idx6-99 run of 94 (-94 -> 187) -> bb 01;
 *   idx100 count 2 -> 04; idx101-277 run of 177 (-177 -> 353) -> e1 02;
 *   idx278 count 1 -> 02. Header (big-endian): cookie 0x1c849313 (V2 with
 *   the 0x10 word-size nibble Java writes), payload length 10, normalizing
 *   offset 0, sig 2, lowest 1, highest 1000, ratio 1.0 (0x3ff0...).
 *   The compressed form was then made with Python's zlib.compress (level 6)
 *   behind cookie 0x1c849314 and the deflated length, and base64-encoded.
 *
 * Known vector 2 (produced by the Java HdrHistogram, from a jHiccup interval
 * log: "Tag=A,0.127,1.007,2.769,HISTFAAAAEV4..."): lowest 20000, highest
 * 3.6e12, sig 2; 741 values, the largest in the bucket starting 2752512 ns
 * (Interval_Max 2.769 ms in the log line). The totals were checked with an
 * independent Python decoder written from the format description. */
#include "harness/unit/common/mt_test.h"
#include "core/metrics/mt_metrics.h"

static const char V1_RAW_HEX[] =
    "1c8493130000000a0000000000000002000000000000000100000000000003e83ff0000000000000"
    "000205" "06bb01" "04e102" "02";
static const char V1_B64[] = "HISTFAAAACZ4nJNpmSzMwMDAxQABTFCaEUIxv7D/AJNhZdvNyPKQiQkAbWAFIA==";
static const char V2_JAVA_B64[] =
    "HISTFAAAAEV42pNpmSzMwMCgyAABTBDKT4GBgdnNYMcCBvsPEBEJISEuATEZMQ4uASkhIR4nrxg9v2lMaxhvMe"
    "kILGZkKmcCAEf2CsI=";

static void fill_v1(struct mt_hist *h)
{
    assert_int_equal(mt_hist_init(h, 1, 1000, 2), 0);
    mt_hist_record(h, 1);
    mt_hist_record_n(h, 5, 3);
    mt_hist_record_n(h, 100, 2);
    mt_hist_record(h, 300);
}

static void test_known_vector_encode(void **state)
{
    (void)state;
    struct mt_hist h;
    fill_v1(&h);
    size_t raw_len;
    uint8_t *raw = mt_test_hex(V1_RAW_HEX, &raw_len);
    uint8_t buf[4096];
    assert_true(mt_hist_encode_v2_bound(&h) <= sizeof(buf));
    int n = mt_hist_encode_v2(&h, buf, sizeof(buf));
    assert_int_equal(n, (int)raw_len);
    assert_memory_equal(buf, raw, raw_len);
    free(raw);
    mt_hist_free(&h);
}

static void test_known_vector_decode(void **state)
{
    (void)state;
    struct mt_hist h;
    assert_int_equal(mt_hist_from_base64(&h, V1_B64, strlen(V1_B64)), 0);
    assert_int_equal(h.lowest, 1);
    assert_int_equal(h.highest, 1000);
    assert_int_equal(h.sig_figs, 2);
    assert_int_equal(h.total_count, 7);
    assert_int_equal(mt_hist_count_le(&h, 1), 1);
    assert_int_equal(mt_hist_count_le(&h, 5), 4);
    assert_int_equal(mt_hist_count_le(&h, 100), 6);
    assert_int_equal(mt_hist_min(&h), 1);
    assert_int_equal(mt_hist_max(&h), 301); /* 300 and 301 share a bucket */
    mt_hist_free(&h);

    assert_int_equal(mt_hist_from_base64(&h, V2_JAVA_B64, strlen(V2_JAVA_B64)), 0);
    assert_int_equal(h.lowest, 20000);
    assert_int_equal(h.highest, 3600000000000ll);
    assert_int_equal(h.sig_figs, 2);
    assert_int_equal(h.total_count, 741);
    assert_int_equal(mt_hist_max(&h), 2752512 + 16384 - 1);
    assert_int_equal(mt_hist_count_le(&h, 16383), 12);
    /* median: 741/2 -> rank 371; cumulative counts reach 371 at 327680 */
    assert_int_equal(mt_hist_percentile(&h, 50), 327680 + 16384 - 1);
    /* re-encoding and decoding keeps every count */
    char *again = mt_hist_to_base64(&h);
    assert_non_null(again);
    struct mt_hist h2;
    assert_int_equal(mt_hist_from_base64(&h2, again, strlen(again)), 0);
    assert_memory_equal(h.counts, h2.counts, (size_t)h.counts_len * sizeof(int64_t));
    free(again);
    mt_hist_free(&h2);
    mt_hist_free(&h);
}

static void test_round_trip_random(void **state)
{
    (void)state;
    struct mt_test_prng r;
    mt_test_prng_seed(&r, 99);
    for (int round = 0; round < 20; round++) {
        struct mt_hist h, d;
        assert_int_equal(mt_hist_init_default(&h), 0);
        int n = (int)(mt_test_next(&r) % 5000);
        for (int i = 0; i < n; i++)
            mt_hist_record_n(&h, (int64_t)(mt_test_next(&r) % 50000000000ull) >> (mt_test_next(&r) % 30),
                             (int64_t)(mt_test_next(&r) % 3) + 1);
        char *b64 = mt_hist_to_base64(&h);
        assert_non_null(b64);
        assert_int_equal(mt_hist_from_base64(&d, b64, strlen(b64)), 0);
        assert_int_equal(d.total_count, h.total_count);
        assert_memory_equal(d.counts, h.counts, (size_t)h.counts_len * sizeof(int64_t));
        assert_int_equal(mt_hist_max(&d), mt_hist_max(&h));
        assert_int_equal(mt_hist_min(&d), mt_hist_min(&h));
        /* plain V2 too */
        size_t cap = mt_hist_encode_v2_bound(&h);
        uint8_t *raw = malloc(cap);
        int len = mt_hist_encode_v2(&h, raw, cap);
        assert_true(len >= 40);
        mt_hist_free(&d);
        assert_int_equal(mt_hist_decode_v2(&d, raw, (size_t)len), 0);
        assert_int_equal(d.total_count, h.total_count);
        free(raw);
        free(b64);
        mt_hist_free(&d);
        mt_hist_free(&h);
    }
}

static void test_rejects_corruption(void **state)
{
    (void)state;
    size_t raw_len;
    uint8_t *raw = mt_test_hex(V1_RAW_HEX, &raw_len);
    struct mt_hist h;
    /* every truncation is an error, never a crash */
    for (size_t n = 0; n < raw_len; n++)
        assert_true(mt_hist_decode_v2(&h, raw, n) < 0);
    uint8_t bad[64];
    memcpy(bad, raw, raw_len);
    bad[0] ^= 0x01; /* cookie */
    assert_int_equal(mt_hist_decode_v2(&h, bad, raw_len), MT_E_INVAL);
    memcpy(bad, raw, raw_len);
    bad[15] = 9; /* significant figures */
    assert_int_equal(mt_hist_decode_v2(&h, bad, raw_len), MT_E_INVAL);
    memcpy(bad, raw, raw_len);
    bad[40 + 4] = 0x7f; /* run of zeros (-64) ... */
    bad[40 + 6] = 0xff; /* ... and a run far past the counts array */
    bad[40 + 7] = 0x7f;
    assert_true(mt_hist_decode_v2(&h, bad, raw_len) < 0);
    memcpy(bad, raw, raw_len);
    bad[raw_len - 1] = 0x80; /* last varint left unterminated */
    assert_int_equal(mt_hist_decode_v2(&h, bad, raw_len), MT_E_TL_SHORT);
    memcpy(bad, raw, raw_len);
    mt_store_be64(bad + 24, (uint64_t)INT64_MAX); /* forged huge layout */
    mt_store_be32(bad + 12, 5);
    assert_int_equal(mt_hist_decode_v2(&h, bad, raw_len), MT_E_RANGE);
    free(raw);
    /* two counts of 2^62 each: their total does not fit in int64 */
    uint8_t over[64];
    size_t over_len;
    uint8_t *hdr = mt_test_hex(V1_RAW_HEX, &over_len);
    memcpy(over, hdr, 40);
    free(hdr);
    size_t pos = 40;
    for (int k = 0; k < 2; k++) {
        /* ZigZag(2^62) = 2^63: eight 0x80 bytes then the ninth byte 0x80 */
        for (int b = 0; b < 8; b++)
            over[pos++] = 0x80;
        over[pos++] = 0x80;
    }
    mt_store_be32(over + 4, (uint32_t)(pos - 40));
    assert_int_equal(mt_hist_decode_v2(&h, over, pos), MT_E_RANGE);

    uint8_t *bin;
    size_t n;
    assert_true(mt_base64_decode(V1_B64, strlen(V1_B64), &bin, &n) > 0);
    for (size_t k = 0; k < n; k++)
        assert_true(mt_hist_decode_compressed(&h, bin, k) < 0);
    bin[20] ^= 0x40; /* deflate stream damaged */
    assert_true(mt_hist_decode_compressed(&h, bin, n) < 0);
    free(bin);
    assert_int_equal(mt_hist_from_base64(&h, "HIST*AAA", 8), MT_E_INVAL);
    assert_int_equal(mt_hist_from_base64(&h, "HIS", 3), MT_E_INVAL);
}

static void test_base64(void **state)
{
    (void)state;
    static const char *const plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    static const char *const enc[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
    for (size_t i = 0; i < MT_ARRAY_LEN(plain); i++) {
        char *e = mt_base64_encode((const uint8_t *)plain[i], strlen(plain[i]));
        assert_string_equal(e, enc[i]);
        uint8_t *d;
        size_t n;
        assert_int_equal(mt_base64_decode(e, strlen(e), &d, &n), (int)strlen(plain[i]));
        assert_memory_equal(d, plain[i], n);
        free(d);
        free(e);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_vector_encode),
        cmocka_unit_test(test_known_vector_decode),
        cmocka_unit_test(test_round_trip_random),
        cmocka_unit_test(test_rejects_corruption),
        cmocka_unit_test(test_base64),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
