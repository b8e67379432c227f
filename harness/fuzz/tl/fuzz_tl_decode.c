/* Arbitrary bytes decoded as a boxed object of the default schema. When
 * they decode, the JSON must encode again, and that encoding must decode to
 * the same JSON (a canonical fixed point). */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mt_tl_schema *s = fuzz_schema();
    struct mt_tl_reader r;
    struct mt_tl_error err;
    mt_tl_reader_init(&r, data, size);
    json_t *v = mt_tl_decode_json(s, &r, NULL, &err);
    if (!v) {
        if (err.code == 0 || mt_tl_ok(&r)) abort();   /* a failure always says why */
        return 0;
    }
    static uint8_t buf[1 << 16];
    struct mt_tl_writer w;
    mt_tl_writer_init(&w, buf, sizeof buf);
    if (mt_tl_encode_jv(s, v, &w, &err) != 0) abort();
    struct mt_tl_reader r2;
    mt_tl_reader_init(&r2, buf, w.pos);
    json_t *v2 = mt_tl_decode_json(s, &r2, NULL, &err);
    if (!v2 || !json_equal(v, v2) || mt_tl_left(&r2)) abort();
    json_decref(v);
    json_decref(v2);
    char type[128];
    (void)mt_tl_call_result_type(s, data, size, type, sizeof type, &err);
    return 0;
}
