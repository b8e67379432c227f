/* Threshold expressions: [op:]metric cmp value[unit]
 *   p99<5ms   ping:p50<=200us   p999<20ms   p99.99<50ms   max<1s   mean<1ms
 *   error_rate<0.1%   rps>100k   count>=1M   errors<=0
 * The op prefix is everything before the LAST ':' ahead of the metric, so
 * that op names such as "rpc:help.getConfig" work ("rpc:help.getConfig:p99<5ms"). */
#include "core/metrics/mt_metrics.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>

static int parse_percentile(const char *s, size_t n, double *pct)
{
    if (n == 0 || n > 12)
        return MT_E_INVAL;
    char buf[16];
    memcpy(buf, s, n);
    buf[n] = 0;
    int dots = 0;
    for (size_t i = 0; i < n; i++) {
        if (buf[i] == '.')
            dots++;
        else if (!isdigit((unsigned char)buf[i]))
            return MT_E_INVAL;
    }
    if (dots > 1 || buf[0] == '.' || buf[n - 1] == '.')
        return MT_E_INVAL;
    double v;
    if (dots || n <= 2) {
        v = strtod(buf, NULL);
    } else if (!strcmp(buf, "100")) {
        v = 100;
    } else if (strncmp(buf, "99", 2)) {
        return MT_E_INVAL; /* p1000, p500: not a percentile */
    } else {
        /* p999 = 99.9, p9999 = 99.99: the digits after the first two are decimals */
        char tmp[24];
        snprintf(tmp, sizeof(tmp), "%.2s.%s", buf, buf + 2);
        v = strtod(tmp, NULL);
    }
    if (v < 0 || v > 100)
        return MT_E_INVAL;
    *pct = v;
    return 0;
}

static int parse_metric(const char *s, size_t n, struct mt_threshold *t)
{
    static const struct { const char *name; enum mt_threshold_metric m; } names[] = {
        {"min", MT_THR_MIN}, {"max", MT_THR_MAX}, {"mean", MT_THR_MEAN}, {"avg", MT_THR_MEAN},
        {"error_rate", MT_THR_ERROR_RATE}, {"rps", MT_THR_RPS}, {"count", MT_THR_COUNT},
        {"errors", MT_THR_ERRORS},
    };
    for (size_t i = 0; i < MT_ARRAY_LEN(names); i++) {
        if (strlen(names[i].name) == n && !memcmp(s, names[i].name, n)) {
            t->metric = names[i].m;
            return 0;
        }
    }
    if (n >= 2 && s[0] == 'p') {
        t->metric = MT_THR_PERCENTILE;
        return parse_percentile(s + 1, n - 1, &t->percentile);
    }
    return MT_E_INVAL;
}

static int is_latency(enum mt_threshold_metric m)
{
    return m == MT_THR_PERCENTILE || m == MT_THR_MIN || m == MT_THR_MAX || m == MT_THR_MEAN;
}

/* The number and its unit, converted to the metric's base unit. */
static int parse_value(const char *s, enum mt_threshold_metric m, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || errno || !isfinite(v) || v < 0)
        return MT_E_INVAL;
    const char *u = end;
    double scale;
    if (is_latency(m)) {
        static const struct { const char *u; double ns; } units[] = {
            {"ns", 1}, {"us", 1e3}, {"\xc2\xb5s", 1e3}, {"ms", 1e6}, {"s", 1e9}, {"m", 60e9},
        };
        scale = -1;
        for (size_t i = 0; i < MT_ARRAY_LEN(units); i++)
            if (!strcmp(u, units[i].u))
                scale = units[i].ns;
        if (scale < 0)
            return MT_E_INVAL; /* a latency without a unit is ambiguous */
    } else if (m == MT_THR_ERROR_RATE) {
        if (!strcmp(u, "%"))
            scale = 0.01;
        else if (!*u)
            scale = 1;
        else
            return MT_E_INVAL;
    } else {
        if (!*u)
            scale = 1;
        else if (!strcmp(u, "k") || !strcmp(u, "K"))
            scale = 1e3;
        else if (!strcmp(u, "M"))
            scale = 1e6;
        else if (!strcmp(u, "G"))
            scale = 1e9;
        else
            return MT_E_INVAL;
    }
    *out = v * scale;
    return 0;
}

int mt_threshold_parse(const char *text, struct mt_threshold *t)
{
    memset(t, 0, sizeof(*t));
    if (!text || strlen(text) >= sizeof(t->text))
        return MT_E_INVAL;
    snprintf(t->text, sizeof(t->text), "%s", text);
    /* strip spaces: "p99 < 5 ms" is accepted too */
    char s[sizeof(t->text)];
    size_t n = 0;
    for (const char *p = text; *p; p++)
        if (!isspace((unsigned char)*p))
            s[n++] = *p;
    s[n] = 0;
    char *cmp = strpbrk(s, "<>");
    if (!cmp || cmp == s)
        return MT_E_INVAL;
    size_t cmp_len = 1;
    if (cmp[1] == '=') {
        t->cmp = cmp[0] == '<' ? MT_CMP_LE : MT_CMP_GE;
        cmp_len = 2;
    } else {
        t->cmp = cmp[0] == '<' ? MT_CMP_LT : MT_CMP_GT;
    }
    *cmp = 0;
    const char *metric = s;
    char *colon = strrchr(s, ':');
    if (colon) {
        if (colon == s || (size_t)(colon - s) >= sizeof(t->op))
            return MT_E_INVAL;
        memcpy(t->op, s, (size_t)(colon - s));
        t->op[colon - s] = 0;
        metric = colon + 1;
    }
    int rc = parse_metric(metric, strlen(metric), t);
    if (rc)
        return rc;
    return parse_value(cmp + cmp_len, t->metric, &t->limit);
}

static double metric_value(const struct mt_threshold *t, const struct mt_metrics_report *r,
                           int op)
{
    /* all operations: one histogram of everything */
    const struct mt_hist *h = op >= 0 ? &r->op[op].hist : NULL;
    struct mt_hist all;
    int own = 0;
    if (!h && is_latency(t->metric)) {
        if (mt_hist_init(&all, r->hist_lowest, r->hist_highest, r->hist_sig_figs))
            return NAN;
        for (int i = 0; i < r->n_ops; i++)
            mt_hist_add(&all, &r->op[i].hist);
        h = &all;
        own = 1;
    }
    double v = NAN;
    double count = (double)mt_metrics_report_count(r, op);
    double errors = (double)mt_metrics_report_errors(r, op);
    switch (t->metric) {
    case MT_THR_PERCENTILE: v = (double)mt_hist_percentile(h, t->percentile); break;
    case MT_THR_MIN: v = (double)mt_hist_min(h); break;
    case MT_THR_MAX: v = (double)mt_hist_max(h); break;
    case MT_THR_MEAN: v = mt_hist_mean(h); break;
    case MT_THR_ERROR_RATE: v = count + errors > 0 ? errors / (count + errors) : 0; break;
    case MT_THR_RPS: v = r->duration_s > 0 ? count / r->duration_s : 0; break;
    case MT_THR_COUNT: v = count; break;
    case MT_THR_ERRORS: v = errors; break;
    }
    if (own)
        mt_hist_free(&all);
    return v;
}

int mt_threshold_eval(const struct mt_threshold *t, const struct mt_metrics_report *r,
                      struct mt_threshold_result *res)
{
    memset(res, 0, sizeof(*res));
    int op = -1;
    if (t->op[0]) {
        op = mt_metrics_report_find_op(r, t->op);
        if (op < 0) {
            res->missing = 1;
            res->actual = NAN;
            return 0;
        }
    }
    double v = metric_value(t, r, op);
    res->actual = v;
    if (isnan(v))
        return MT_E_NOMEM;
    switch (t->cmp) {
    case MT_CMP_LT: res->ok = v < t->limit; break;
    case MT_CMP_LE: res->ok = v <= t->limit; break;
    case MT_CMP_GT: res->ok = v > t->limit; break;
    case MT_CMP_GE: res->ok = v >= t->limit; break;
    }
    /* a latency threshold on an op that never completed proves nothing */
    if (is_latency(t->metric) && mt_metrics_report_count(r, op) == 0)
        res->ok = 0;
    return 0;
}

void mt_threshold_format_value(const struct mt_threshold *t, double v, char *buf, size_t cap)
{
    if (isnan(v)) {
        snprintf(buf, cap, "n/a");
    } else if (is_latency(t->metric)) {
        if (v >= 1e9)
            snprintf(buf, cap, "%.3fs", v / 1e9);
        else if (v >= 1e6)
            snprintf(buf, cap, "%.3fms", v / 1e6);
        else if (v >= 1e3)
            snprintf(buf, cap, "%.3fus", v / 1e3);
        else
            snprintf(buf, cap, "%.0fns", v);
    } else if (t->metric == MT_THR_ERROR_RATE) {
        snprintf(buf, cap, "%.4f%%", v * 100);
    } else {
        snprintf(buf, cap, "%.1f", v);
    }
}

int mt_threshold_report(FILE *out, const struct mt_threshold *t,
                        const struct mt_threshold_result *res, int n)
{
    int failed = 0;
    for (int i = 0; i < n; i++) {
        char actual[48];
        mt_threshold_format_value(&t[i], res[i].actual, actual, sizeof(actual));
        if (!res[i].ok)
            failed++;
        fprintf(out, "%-6s %-32s actual %s%s\n", res[i].ok ? "ok" : "FAILED", t[i].text, actual,
                res[i].missing ? " (operation not in results)" : "");
    }
    return failed;
}
