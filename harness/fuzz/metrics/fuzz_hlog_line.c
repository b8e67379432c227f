/* One hlog line of arbitrary text. */
#include "core/metrics/mt_metrics.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mt_hlog_entry e;
    int is_data = 0;
    if (mt_hlog_parse_line((const char *)data, size, &e, &is_data) == 0 && is_data)
        mt_hist_free(&e.hist);
    return 0;
}
