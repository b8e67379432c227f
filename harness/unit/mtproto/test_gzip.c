/* gzip_packed: gzip and zlib streams inflate, the output bound holds, bad and
 * truncated streams are MT_E_GZIP, deflate + pack round-trip. */
#include "harness/unit/common/mt_test.h"
#include "core/mtproto/session.h"

#include <zlib.h>

/* Compress with zlib directly: windowBits 15 (zlib) or 31 (gzip). */
static size_t zcompress(const void *in, size_t len, uint8_t *out, size_t cap, int wbits)
{
    z_stream z;
    memset(&z, 0, sizeof(z));
    assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, wbits, 8, Z_DEFAULT_STRATEGY), Z_OK);
    z.next_in = (Bytef *)(uintptr_t)in;
    z.avail_in = (uInt)len;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    size_t n = cap - z.avail_out;
    deflateEnd(&z);
    return n;
}

static uint8_t *sample(size_t n)
{
    uint8_t *p = malloc(n);
    assert_non_null(p);
    for (size_t i = 0; i < n; i++) p[i] = (uint8_t)("mtload session layer "[i % 21] ^ (i / 997));
    return p;
}

static void test_gzip_and_zlib_streams(void **state)
{
    (void)state;
    struct mt_gzip *gz = mt_gzip_new(0);
    assert_non_null(gz);
    size_t n = 100000;
    uint8_t *in = sample(n), *c = malloc(n + 1024);
    const uint8_t *out;
    size_t out_len;
    for (int wbits = 15; wbits <= 31; wbits += 16) {
        size_t cl = zcompress(in, n, c, n + 1024, wbits);
        assert_int_equal(mt_gzip_inflate(gz, c, cl, &out, &out_len), 0);
        assert_int_equal(out_len, n);
        assert_memory_equal(out, in, n);
    }
    /* the gzip header's magic: known-answer check that it is RFC 1952 */
    size_t cl = zcompress(in, 10, c, n, 31);
    assert_int_equal(c[0], 0x1f);
    assert_int_equal(c[1], 0x8b);
    assert_int_equal(mt_gzip_inflate(gz, c, cl, &out, &out_len), 0);
    assert_int_equal(out_len, 10);
    free(in);
    free(c);
    mt_gzip_free(gz);
}

static void test_bounded_output(void **state)
{
    (void)state;
    struct mt_gzip *gz = mt_gzip_new(4096);
    size_t n = 4096;
    uint8_t *in = sample(n + 1), *c = malloc(8192);
    const uint8_t *out;
    size_t out_len;
    size_t cl = zcompress(in, n, c, 8192, 31);
    assert_int_equal(mt_gzip_inflate(gz, c, cl, &out, &out_len), 0);   /* exactly the bound */
    assert_int_equal(out_len, n);
    cl = zcompress(in, n + 1, c, 8192, 31);
    assert_int_equal(mt_gzip_inflate(gz, c, cl, &out, &out_len), MT_E_GZIP);
    /* a zip bomb: 64 MiB of zeros compressed to ~64 KiB, bound 1 MiB */
    struct mt_gzip *gz2 = mt_gzip_new(0);
    size_t big = 64u << 20;
    uint8_t *zeros = calloc(1, big), *bc = malloc(1 << 20);
    size_t bl = zcompress(zeros, big, bc, 1 << 20, 31);
    assert_int_equal(mt_gzip_inflate(gz2, bc, bl, &out, &out_len), MT_E_GZIP);
    free(zeros);
    free(bc);
    mt_gzip_free(gz2);
    free(in);
    free(c);
    mt_gzip_free(gz);
}

static void test_bad_streams(void **state)
{
    (void)state;
    struct mt_gzip *gz = mt_gzip_new(0);
    const uint8_t *out;
    size_t out_len;
    uint8_t junk[64];
    memset(junk, 0x5a, sizeof(junk));
    assert_int_equal(mt_gzip_inflate(gz, junk, sizeof(junk), &out, &out_len), MT_E_GZIP);
    assert_int_equal(mt_gzip_inflate(gz, junk, 0, &out, &out_len), MT_E_GZIP);
    size_t n = 5000;
    uint8_t *in = sample(n), *c = malloc(8192);
    size_t cl = zcompress(in, n, c, 8192, 31);
    for (size_t cut = 1; cut < cl; cut += 7)     /* every truncation fails */
        assert_int_equal(mt_gzip_inflate(gz, c, cut, &out, &out_len), MT_E_GZIP);
    c[cl - 5] ^= 0xff;                            /* CRC32 / ISIZE trailer corrupted */
    assert_int_equal(mt_gzip_inflate(gz, c, cl, &out, &out_len), MT_E_GZIP);
    /* the context is still usable afterwards */
    c[cl - 5] ^= 0xff;
    assert_int_equal(mt_gzip_inflate(gz, c, cl, &out, &out_len), 0);
    free(in);
    free(c);
    mt_gzip_free(gz);
}

static void test_deflate_and_pack(void **state)
{
    (void)state;
    struct mt_gzip *gz = mt_gzip_new(0);
    size_t n = 20000;
    uint8_t *in = sample(n), *buf = malloc(n + 64);
    size_t cl;
    assert_int_equal(mt_gzip_deflate(gz, in, n, buf, n + 64, &cl), 0);
    assert_int_equal(buf[0], 0x1f);
    uint8_t *copy = malloc(cl);
    memcpy(copy, buf, cl);
    const uint8_t *out;
    size_t out_len;
    assert_int_equal(mt_gzip_inflate(gz, copy, cl, &out, &out_len), 0);
    assert_int_equal(out_len, n);
    assert_memory_equal(out, in, n);
    free(copy);
    /* pack: gzip_packed#3072cfa1 packed_data:bytes */
    struct mt_tl_writer w;
    mt_tl_writer_init(&w, buf, n + 64);
    assert_int_equal(mt_gzip_pack(gz, in, n, &w), 0);
    assert_true(w.pos < n / 4);
    struct mt_tl_reader r;
    mt_tl_reader_init(&r, buf, w.pos);
    assert_int_equal(mt_tl_u32(&r), 0x3072cfa1u);
    size_t pl;
    const uint8_t *packed = mt_tl_bytes(&r, &pl);
    assert_true(mt_tl_ok(&r));
    assert_int_equal(mt_tl_left(&r), 0);
    assert_int_equal(mt_gzip_inflate(gz, packed, pl, &out, &out_len), 0);
    assert_int_equal(out_len, n);
    assert_memory_equal(out, in, n);
    /* short pack (1-byte length header) */
    uint8_t small[400];
    memset(small, 'a', sizeof(small));
    mt_tl_writer_init(&w, buf, n);
    assert_int_equal(mt_gzip_pack(gz, small, sizeof(small), &w), 0);
    mt_tl_reader_init(&r, buf, w.pos);
    assert_int_equal(mt_tl_u32(&r), 0x3072cfa1u);
    packed = mt_tl_bytes(&r, &pl);
    assert_true(pl < 254);
    assert_int_equal(mt_tl_left(&r), 0);
    assert_int_equal(mt_gzip_inflate(gz, packed, pl, &out, &out_len), 0);
    assert_int_equal(out_len, sizeof(small));
    /* incompressible data: no gain, nothing written */
    struct mt_test_prng pr;
    mt_test_prng_seed(&pr, 1);
    mt_test_fill(&pr, in, 1000);
    mt_tl_writer_init(&w, buf, n);
    assert_int_equal(mt_gzip_pack(gz, in, 1000, &w), MT_E_RANGE);
    assert_int_equal(w.pos, 0);
    /* deflate into a too small buffer */
    assert_int_equal(mt_gzip_deflate(gz, in, 1000, buf, 10, &cl), MT_E_OVERFLOW);
    free(in);
    free(buf);
    mt_gzip_free(gz);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gzip_and_zlib_streams),
        cmocka_unit_test(test_bounded_output),
        cmocka_unit_test(test_bad_streams),
        cmocka_unit_test(test_deflate_and_pack),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
