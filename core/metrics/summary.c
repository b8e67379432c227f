/* The human-readable summary both programs print at the end of a run. */
#include "core/metrics/mt_metrics.h"

static void print_op(FILE *out, const char *name, const struct mt_hist *h, uint64_t errors,
                     double duration)
{
    fprintf(out, "%-28s %12lld %12.1f %10.1f %10.1f %10.1f %10.1f %10.1f %8llu\n", name,
            (long long)h->total_count, duration > 0 ? (double)h->total_count / duration : 0.0,
            (double)mt_hist_percentile(h, 50) / 1e3, (double)mt_hist_percentile(h, 90) / 1e3,
            (double)mt_hist_percentile(h, 99) / 1e3, (double)mt_hist_percentile(h, 99.9) / 1e3,
            (double)mt_hist_max(h) / 1e3, (unsigned long long)errors);
}

void mt_metrics_print_summary(FILE *out, const struct mt_metrics_report *r)
{
    fprintf(out, "duration %.3f s%s%s\n", r->duration_s, r->interrupted ? " (interrupted)" : "",
            r->shards > 1 ? " (merged shards)" : "");
    fprintf(out, "%-28s %12s %12s %10s %10s %10s %10s %10s %8s\n", "operation", "count", "rate/s",
            "p50 us", "p90 us", "p99 us", "p99.9 us", "max us", "errors");
    for (int i = 0; i < r->n_ops; i++)
        print_op(out, r->op[i].name, &r->op[i].hist, r->op[i].errors, r->duration_s);
    if (r->n_err) {
        fprintf(out, "errors by class:\n");
        for (int i = 0; i < r->n_err; i++)
            fprintf(out, "  %-10s %6d %-40s %llu\n", mt_metrics_err_kind_name(r->err[i].kind),
                    r->err[i].code, r->err[i].message, (unsigned long long)r->err[i].count);
    }
    if (r->err_dropped)
        fprintf(out, "  (%llu errors of further kinds not itemised)\n",
                (unsigned long long)r->err_dropped);
}
