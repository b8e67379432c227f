/* CSV of the intervals: one header row, then one row per interval and
 * operation, flushed each interval so that a killed run keeps what it
 * measured. Fields are quoted per RFC 4180 (only where needed: op names are
 * user-chosen and may hold commas or quotes). Lines end in CRLF as the RFC
 * says; Python's csv module and spreadsheets read both. */
#include "core/metrics/mt_metrics.h"

#include <stdlib.h>

struct mt_csv {
    FILE *f;
};

static const char CSV_HEADER[] =
    "timestamp,op,count,rate,p50_us,p90_us,p99_us,p999_us,max_us,errors\r\n";

void mt_csv_write_field(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

struct mt_csv *mt_csv_open(const char *path)
{
    struct mt_csv *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    c->f = fopen(path, "w");
    if (!c->f) {
        free(c);
        return NULL;
    }
    fputs(CSV_HEADER, c->f);
    fflush(c->f);
    return c;
}

int mt_csv_write_interval(struct mt_csv *c, double epoch_s, double interval_s,
                          const struct mt_metrics_report *iv)
{
    for (int i = 0; i < iv->n_ops; i++) {
        const struct mt_metrics_op_total *op = &iv->op[i];
        const struct mt_hist *h = &op->hist;
        fprintf(c->f, "%.3f,", epoch_s);
        mt_csv_write_field(c->f, op->name);
        fprintf(c->f, ",%lld,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%llu\r\n", (long long)h->total_count,
                interval_s > 0 ? (double)h->total_count / interval_s : 0.0,
                (double)mt_hist_percentile(h, 50) / 1e3, (double)mt_hist_percentile(h, 90) / 1e3,
                (double)mt_hist_percentile(h, 99) / 1e3, (double)mt_hist_percentile(h, 99.9) / 1e3,
                (double)mt_hist_max(h) / 1e3, (unsigned long long)op->errors);
    }
    if (fflush(c->f) != 0 || ferror(c->f))
        return MT_E_SYSTEM;
    return 0;
}

void mt_csv_close(struct mt_csv *c)
{
    if (!c)
        return;
    fclose(c->f);
    free(c);
}
