/* TL text -> encode with the default schema; whatever encodes must decode. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t buf[1 << 16];
    struct mt_tl_writer w;
    struct mt_tl_error err;
    mt_tl_writer_init(&w, buf, sizeof buf);
    if (mt_tl_encode_text(fuzz_schema(), (const char *)data, size, &w, &err) == 0)
        fuzz_check_reencode(buf, w.pos);
    else if (err.code == 0)
        abort();
    return 0;
}
