/* mtload compare: base vs new, per operation (mtload results) or per
 * benchmark name (Google Benchmark --benchmark_format=json).
 *
 * mtload results: throughput (rate) must not drop, and p50 / p99 must not
 * grow, by more than the limit; p90, p99.9 and max are shown but do not gate
 * (tails of short runs are noise). Google Benchmark: items_per_second, else
 * bytes_per_second, else real_time; repetitions collapse to their median
 * (the "median" aggregate when present). */
#include "core/metrics/mt_metrics.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>

int mt_metrics_load_doc(json_t *doc, struct mt_metrics_report **out); /* export_json.c */

struct cmp_row {
    const char *name, *metric;
    double base, neu;
    int higher_is_better, gating;
};

static int print_row(FILE *out, const struct cmp_row *r, double limit)
{
    double change = r->base != 0 ? (r->neu - r->base) / r->base : (r->neu != 0 ? INFINITY : 0);
    double worse = r->higher_is_better ? -change : change;
    int regressed = r->gating && worse > limit;
    const char *verdict = regressed ? "REGRESSION" : !r->gating ? "(info)" : worse < -limit ? "better" : "ok";
    fprintf(out, "%-40s %-18s %14.3f %14.3f %+9.2f%%  %s\n", r->name, r->metric, r->base, r->neu,
            change * 100, verdict);
    return regressed;
}

static void print_header(FILE *out)
{
    fprintf(out, "%-40s %-18s %14s %14s %10s  %s\n", "name", "metric", "base", "new", "change", "verdict");
}

/* ---- mtload results ---------------------------------------------------------- */

static int compare_results(const struct mt_metrics_report *a, const struct mt_metrics_report *b,
                           double limit, FILE *out)
{
    int regressions = 0, matched = 0;
    print_header(out);
    for (int i = 0; i < a->n_ops; i++) {
        int j = mt_metrics_report_find_op(b, a->op[i].name);
        if (j < 0) {
            fprintf(out, "%-40s missing in new results\n", a->op[i].name);
            regressions++;
            continue;
        }
        matched++;
        const struct mt_hist *ha = &a->op[i].hist, *hb = &b->op[j].hist;
        struct cmp_row rows[] = {
            {a->op[i].name, "rate (ops/s)", a->duration_s > 0 ? (double)ha->total_count / a->duration_s : 0,
             b->duration_s > 0 ? (double)hb->total_count / b->duration_s : 0, 1, 1},
            {a->op[i].name, "p50 (us)", (double)mt_hist_percentile(ha, 50) / 1e3,
             (double)mt_hist_percentile(hb, 50) / 1e3, 0, 1},
            {a->op[i].name, "p90 (us)", (double)mt_hist_percentile(ha, 90) / 1e3,
             (double)mt_hist_percentile(hb, 90) / 1e3, 0, 0},
            {a->op[i].name, "p99 (us)", (double)mt_hist_percentile(ha, 99) / 1e3,
             (double)mt_hist_percentile(hb, 99) / 1e3, 0, 1},
            {a->op[i].name, "p999 (us)", (double)mt_hist_percentile(ha, 99.9) / 1e3,
             (double)mt_hist_percentile(hb, 99.9) / 1e3, 0, 0},
            {a->op[i].name, "max (us)", (double)mt_hist_max(ha) / 1e3, (double)mt_hist_max(hb) / 1e3, 0, 0},
        };
        for (size_t k = 0; k < MT_ARRAY_LEN(rows); k++)
            regressions += print_row(out, &rows[k], limit);
    }
    for (int j = 0; j < b->n_ops; j++)
        if (mt_metrics_report_find_op(a, b->op[j].name) < 0)
            fprintf(out, "%-40s new operation (not in base)\n", b->op[j].name);
    fprintf(out, "%d regression(s) beyond %.2f%% over %d operation(s)\n", regressions, limit * 100,
            matched);
    return regressions ? 1 : 0;
}

/* ---- Google Benchmark ---------------------------------------------------------- */

static double time_to_ns(double v, const char *unit)
{
    if (!unit || !strcmp(unit, "ns"))
        return v;
    if (!strcmp(unit, "us"))
        return v * 1e3;
    if (!strcmp(unit, "ms"))
        return v * 1e6;
    if (!strcmp(unit, "s"))
        return v * 1e9;
    return v;
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

/* The value of one metric for a benchmark name: the "median" aggregate if
 * present, else the median of its iteration entries. NAN if absent. */
static double gbench_value(json_t *benches, const char *name, const char *metric)
{
    double vals[256];
    size_t n = 0, i;
    json_t *b;
    json_array_foreach(benches, i, b) {
        const char *run_name = json_string_value(json_object_get(b, "run_name"));
        const char *bname = json_string_value(json_object_get(b, "name"));
        const char *type = json_string_value(json_object_get(b, "run_type"));
        const char *agg = json_string_value(json_object_get(b, "aggregate_name"));
        if (json_is_true(json_object_get(b, "error_occurred")))
            continue;
        json_t *v = json_object_get(b, metric);
        if (!json_is_number(v))
            continue;
        double x = json_number_value(v);
        if (!strcmp(metric, "real_time"))
            x = time_to_ns(x, json_string_value(json_object_get(b, "time_unit")));
        if (type && !strcmp(type, "aggregate")) {
            if (agg && !strcmp(agg, "median") && run_name && !strcmp(run_name, name))
                return x;
            continue;
        }
        if (bname && !strcmp(bname, name) && n < MT_ARRAY_LEN(vals))
            vals[n++] = x;
    }
    if (!n)
        return NAN;
    qsort(vals, n, sizeof(double), cmp_double);
    return n % 2 ? vals[n / 2] : (vals[n / 2 - 1] + vals[n / 2]) / 2;
}

/* Benchmark identity: run_name for aggregates, name otherwise. */
static const char *gbench_key(json_t *b)
{
    const char *type = json_string_value(json_object_get(b, "run_type"));
    if (type && !strcmp(type, "aggregate"))
        return json_string_value(json_object_get(b, "run_name"));
    const char *rn = json_string_value(json_object_get(b, "run_name"));
    return rn ? rn : json_string_value(json_object_get(b, "name"));
}

static int compare_gbench(json_t *a, json_t *b, double limit, FILE *out)
{
    json_t *ba = json_object_get(a, "benchmarks"), *bb = json_object_get(b, "benchmarks");
    int regressions = 0, matched = 0;
    print_header(out);
    size_t i;
    json_t *e;
    json_array_foreach(ba, i, e) {
        const char *key = gbench_key(e);
        if (!key)
            continue;
        /* each name once: skip it if an earlier entry had the same key */
        int seen = 0;
        for (size_t k = 0; k < i && !seen; k++) {
            const char *prev = gbench_key(json_array_get(ba, k));
            seen = prev && !strcmp(prev, key);
        }
        if (seen)
            continue;
        static const struct { const char *m; int higher; } metrics[] = {
            {"items_per_second", 1}, {"bytes_per_second", 1}, {"real_time", 0},
        };
        for (size_t m = 0; m < MT_ARRAY_LEN(metrics); m++) {
            double va = gbench_value(ba, key, metrics[m].m);
            if (isnan(va))
                continue;
            double vb = gbench_value(bb, key, metrics[m].m);
            if (isnan(vb)) {
                fprintf(out, "%-40s missing in new results\n", key);
                regressions++;
                break;
            }
            struct cmp_row row = {key, !strcmp(metrics[m].m, "real_time") ? "real_time (ns)" : metrics[m].m,
                                  va, vb, metrics[m].higher, 1};
            regressions += print_row(out, &row, limit);
            matched++;
            break;
        }
    }
    fprintf(out, "%d regression(s) beyond %.2f%% over %d benchmark(s)\n", regressions, limit * 100,
            matched);
    return regressions ? 1 : 0;
}

int mt_metrics_compare_files(const char *base_path, const char *new_path, double max_regression,
                             FILE *out)
{
    json_error_t err;
    json_t *a = json_load_file(base_path, 0, &err);
    if (!a) {
        fprintf(stderr, "compare: %s: %s (line %d)\n", base_path, err.text, err.line);
        return MT_E_TL_INPUT;
    }
    json_t *b = json_load_file(new_path, 0, &err);
    if (!b) {
        fprintf(stderr, "compare: %s: %s (line %d)\n", new_path, err.text, err.line);
        json_decref(a);
        return MT_E_TL_INPUT;
    }
    int ga = json_is_array(json_object_get(a, "benchmarks"));
    int gb = json_is_array(json_object_get(b, "benchmarks"));
    int rc;
    if (ga && gb) {
        rc = compare_gbench(a, b, max_regression, out);
    } else if (ga || gb) {
        fprintf(stderr, "compare: one file is Google Benchmark output, the other is not\n");
        rc = MT_E_INVAL;
    } else {
        struct mt_metrics_report *ra = NULL, *rb = NULL;
        rc = mt_metrics_load_doc(a, &ra);
        if (!rc)
            rc = mt_metrics_load_doc(b, &rb);
        if (!rc)
            rc = compare_results(ra, rb, max_regression, out);
        else
            fprintf(stderr, "compare: not an mtload results file (%s)\n", mt_strerror(rc));
        mt_metrics_report_free(ra);
        mt_metrics_report_free(rb);
    }
    json_decref(a);
    json_decref(b);
    return rc;
}
