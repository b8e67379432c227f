/* Threshold expressions: parse, then evaluate against a small report. */
#include "core/metrics/mt_metrics.h"

#include <stdlib.h>

static struct mt_metrics_report *report;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!report) {
        report = mt_metrics_report_new(0, 0, 0);
        int op = mt_metrics_report_op(report, "ping");
        for (int i = 1; i < 100; i++)
            mt_hist_record(&report->op[op].hist, i * 1000);
        report->duration_s = 1;
    }
    char text[256];
    if (size >= sizeof(text))
        size = sizeof(text) - 1;
    memcpy(text, data, size);
    text[size] = 0;
    struct mt_threshold t;
    if (mt_threshold_parse(text, &t) == 0) {
        struct mt_threshold_result res;
        mt_threshold_eval(&t, report, &res);
        char buf[48];
        mt_threshold_format_value(&t, res.actual, buf, sizeof(buf));
    }
    return 0;
}
