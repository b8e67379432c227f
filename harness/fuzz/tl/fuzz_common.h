/* Shared by the TL fuzz targets: the default schema, built once. */
#ifndef MT_FUZZ_TL_COMMON_H
#define MT_FUZZ_TL_COMMON_H
#include <stdlib.h>
#include <jansson.h>
#include "core/tl/mt_tl.h"

static inline struct mt_tl_schema *fuzz_schema(void)
{
    static struct mt_tl_schema *s;
    if (!s) {
        struct mt_tl_error err;
        if (mt_tl_schema_default(&s, &err) != 0) abort();
    }
    return s;
}

/* What the encoder wrote must decode completely, and the JSON it decodes to
 * must encode again. (Bytes may differ: flag bits the schema does not know
 * pass through the encoder but are not shown by the decoder.) */
static inline void fuzz_check_reencode(const uint8_t *bytes, size_t n)
{
    struct mt_tl_schema *s = fuzz_schema();
    struct mt_tl_reader r;
    struct mt_tl_error err;
    mt_tl_reader_init(&r, bytes, n);
    json_t *v = mt_tl_decode_json(s, &r, NULL, &err);
    if (!v || mt_tl_left(&r) != 0) abort();
    static uint8_t again[1 << 16];
    struct mt_tl_writer w;
    mt_tl_writer_init(&w, again, sizeof again);
    if (mt_tl_encode_jv(s, v, &w, &err) != 0) abort();
    json_decref(v);
}
#endif
