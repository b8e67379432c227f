/* Results JSON loading (what `mtload merge` and `compare` read). */
#include "core/metrics/mt_metrics.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mt_metrics_report *r = NULL;
    if (mt_metrics_load_json_text((const char *)data, size, &r) == 0) {
        struct mt_metrics_report *copy = mt_metrics_report_new(0, 0, 0);
        if (copy) {
            mt_metrics_report_merge(copy, r);
            mt_metrics_report_free(copy);
        }
        mt_metrics_report_free(r);
    }
    return 0;
}
