/* Schema text parser: load, merge with itself, free. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mt_tl_schema *s = NULL, *m = NULL;
    struct mt_tl_error err;
    if (mt_tl_schema_load((const char *)data, size, "fuzz.tl", &s, &err) != 0) {
        if (s || err.code == 0) abort();
        return 0;
    }
    const struct mt_tl_schema *parts[2] = { s, s };
    if (mt_tl_schema_merge(parts, 2, &m, &err) != 0) abort();
    if (mt_tl_schema_count(m, 0) != mt_tl_schema_count(s, 0)) abort();
    mt_tl_schema_free(m);
    mt_tl_schema_free(s);
    return 0;
}
