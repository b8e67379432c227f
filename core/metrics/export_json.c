/* Results JSON: one self-describing document per run (schema in
 * results/README.md). Each operation carries its whole histogram in the
 * compressed HdrHistogram encoding, so that results merge exactly later. */
#include "core/metrics/mt_metrics.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <unistd.h>

#define MT_RESULTS_SCHEMA_VERSION 1
#define MT_RESULTS_MAX_COUNTS (1 << 22) /* as the histogram decoder allows */

json_t *mt_metrics_env_json(const struct mt_metrics_env *env);

static double us(int64_t ns) { return (double)ns / 1e3; }

static json_t *latency_json(const struct mt_hist *h)
{
    json_t *o = json_object();
    json_object_set_new(o, "min", json_real(us(mt_hist_min(h))));
    json_object_set_new(o, "mean", json_real(mt_hist_mean(h) / 1e3));
    json_object_set_new(o, "stddev", json_real(mt_hist_stddev(h) / 1e3));
    static const struct { const char *k; double p; } pcts[] = {
        {"p50", 50}, {"p90", 90}, {"p99", 99}, {"p999", 99.9}, {"p9999", 99.99},
    };
    for (size_t i = 0; i < MT_ARRAY_LEN(pcts); i++)
        json_object_set_new(o, pcts[i].k, json_real(us(mt_hist_percentile(h, pcts[i].p))));
    json_object_set_new(o, "max", json_real(us(mt_hist_max(h))));
    return o;
}

static double rate_of(double count, double duration)
{
    return duration > 0 ? count / duration : 0;
}

static json_t *ops_json(const struct mt_metrics_report *r)
{
    json_t *arr = json_array();
    for (int i = 0; i < r->n_ops; i++) {
        const struct mt_metrics_op_total *op = &r->op[i];
        json_t *o = json_object();
        double count = (double)op->hist.total_count, errors = (double)op->errors;
        json_object_set_new(o, "name", json_string(op->name));
        json_object_set_new(o, "count", json_integer(op->hist.total_count));
        json_object_set_new(o, "errors", json_integer((json_int_t)op->errors));
        json_object_set_new(o, "rate", json_real(rate_of(count, r->duration_s)));
        json_object_set_new(o, "error_rate", json_real(count + errors > 0 ? errors / (count + errors) : 0));
        json_object_set_new(o, "latency_us", latency_json(&op->hist));
        json_object_set_new(o, "latency_sum_ns", json_real(op->hist.sum));
        char *b64 = mt_hist_to_base64(&op->hist);
        json_object_set_new(o, "histogram", b64 ? json_string(b64) : json_null());
        free(b64);
        json_array_append_new(arr, o);
    }
    return arr;
}

static json_t *errors_json(const struct mt_metrics_report *r)
{
    json_t *arr = json_array();
    for (int i = 0; i < r->n_err; i++) {
        const struct mt_metrics_error *e = &r->err[i];
        json_t *o = json_object();
        json_object_set_new(o, "class", json_string(mt_metrics_err_kind_name(e->kind)));
        json_object_set_new(o, "code", json_integer(e->code));
        json_object_set_new(o, "message", json_string(e->message));
        if (e->kind == MT_ERRK_PROTO || e->kind == MT_ERRK_IO) /* local MT_E_* code: its family */
            json_object_set_new(o, "group", json_string(mt_err_class(e->code)));
        json_object_set_new(o, "count", json_integer((json_int_t)e->count));
        json_array_append_new(arr, o);
    }
    return arr;
}

static const char *metric_name(const struct mt_threshold *t, char *buf, size_t cap)
{
    static const char *const names[] = {"percentile", "min", "max", "mean", "error_rate",
                                        "rps", "count", "errors"};
    if (t->metric == MT_THR_PERCENTILE) {
        snprintf(buf, cap, "p%g", t->percentile);
        return buf;
    }
    return names[t->metric];
}

static json_t *thresholds_json(const struct mt_threshold *thr,
                               const struct mt_threshold_result *res, int n, int *all_ok)
{
    json_t *arr = json_array();
    *all_ok = 1;
    for (int i = 0; i < n; i++) {
        json_t *o = json_object();
        char buf[32];
        int lat = thr[i].metric <= MT_THR_MEAN;
        json_object_set_new(o, "expression", json_string(thr[i].text));
        json_object_set_new(o, "operation", json_string(thr[i].op));
        json_object_set_new(o, "metric", json_string(metric_name(&thr[i], buf, sizeof(buf))));
        /* latencies in microseconds, like every other latency in the file */
        double scale = lat ? 1e-3 : 1;
        json_object_set_new(o, "unit", json_string(lat ? "us" : thr[i].metric == MT_THR_ERROR_RATE
                                                                ? "fraction" : thr[i].metric == MT_THR_RPS
                                                                ? "ops/s" : "count"));
        json_object_set_new(o, "limit", json_real(thr[i].limit * scale));
        json_object_set_new(o, "actual", isnan(res[i].actual) ? json_null()
                                                               : json_real(res[i].actual * scale));
        json_object_set_new(o, "ok", json_boolean(res[i].ok));
        if (res[i].missing)
            json_object_set_new(o, "missing", json_true());
        *all_ok &= res[i].ok;
        json_array_append_new(arr, o);
    }
    return arr;
}

json_t *mt_metrics_json_build(const char *kind, const struct mt_metrics_report *r,
                              const struct mt_metrics_env *env, json_t *config,
                              const struct mt_threshold *thr,
                              const struct mt_threshold_result *thr_res, int n_thr)
{
    json_t *doc = json_object();
    if (!doc)
        return NULL;
    json_object_set_new(doc, "schema_version", json_integer(MT_RESULTS_SCHEMA_VERSION));
    json_object_set_new(doc, "tool", json_string("mtload"));
    json_object_set_new(doc, "kind", json_string(kind ? kind : "run"));
    json_object_set_new(doc, "started_at", json_real(r->started_at));
    json_object_set_new(doc, "ended_at", json_real(r->ended_at));
    json_object_set_new(doc, "duration_s", json_real(r->duration_s));
    json_object_set_new(doc, "interrupted", json_boolean(r->interrupted));
    json_object_set_new(doc, "shards", json_integer(r->shards));
    json_object_set_new(doc, "environment", mt_metrics_env_json(env));
    json_object_set_new(doc, "config", config ? json_incref(config) : json_object());
    json_t *layout = json_object();
    json_object_set_new(layout, "unit", json_string("ns"));
    json_object_set_new(layout, "lowest_discernible_value", json_integer(r->hist_lowest));
    json_object_set_new(layout, "highest_trackable_value", json_integer(r->hist_highest));
    json_object_set_new(layout, "significant_digits", json_integer(r->hist_sig_figs));
    json_object_set_new(layout, "encoding", json_string("HdrHistogram V2 compressed, base64"));
    json_object_set_new(doc, "histogram_layout", layout);
    json_object_set_new(doc, "operations", ops_json(r));
    double count = (double)mt_metrics_report_count(r, -1);
    double errors = (double)mt_metrics_report_errors(r, -1);
    json_t *tot = json_object();
    json_object_set_new(tot, "count", json_integer((json_int_t)count));
    json_object_set_new(tot, "errors", json_integer((json_int_t)errors));
    json_object_set_new(tot, "rate", json_real(rate_of(count, r->duration_s)));
    json_object_set_new(tot, "error_rate", json_real(count + errors > 0 ? errors / (count + errors) : 0));
    json_object_set_new(doc, "totals", tot);
    json_t *cnt = json_object();
    for (int c = 0; c < MT_CNT__COUNT; c++)
        json_object_set_new(cnt, mt_metrics_counter_name(c), json_integer((json_int_t)r->counter[c]));
    json_object_set_new(cnt, "flood_wait_max_seconds", json_integer(r->flood_wait_max_s));
    json_object_set_new(doc, "counters", cnt);
    json_t *g = json_object();
    json_object_set_new(g, "sessions", json_integer(r->sessions));
    json_object_set_new(g, "connections", json_integer(r->connections));
    json_object_set_new(doc, "gauges", g);
    json_object_set_new(doc, "errors", errors_json(r));
    json_object_set_new(doc, "errors_dropped", json_integer((json_int_t)r->err_dropped));
    int all_ok = 1;
    json_object_set_new(doc, "thresholds", thresholds_json(thr, thr_res, n_thr, &all_ok));
    json_object_set_new(doc, "thresholds_ok", json_boolean(all_ok));
    return doc;
}

int mt_metrics_write_json(const char *path, const char *kind, const struct mt_metrics_report *r,
                          const struct mt_metrics_env *env, json_t *config,
                          const struct mt_threshold *thr, const struct mt_threshold_result *thr_res,
                          int n_thr)
{
    json_t *doc = mt_metrics_json_build(kind, r, env, config, thr, thr_res, n_thr);
    if (!doc)
        return MT_E_NOMEM;
    /* temp file + rename: a reader never sees half a document */
    size_t n = strlen(path) + 16;
    char *tmp = malloc(n);
    if (!tmp) {
        json_decref(doc);
        return MT_E_NOMEM;
    }
    snprintf(tmp, n, "%s.tmp", path);
    int rc = json_dump_file(doc, tmp, JSON_INDENT(2) | JSON_REAL_PRECISION(17)) ? MT_E_SYSTEM : 0;
    json_decref(doc);
    if (!rc && rename(tmp, path) != 0)
        rc = MT_E_SYSTEM;
    if (rc)
        unlink(tmp);
    free(tmp);
    return rc;
}

/* ---- loading --------------------------------------------------------------- */

static int kind_from_name(const char *s)
{
    for (int k = 0; k < MT_ERRK__COUNT; k++)
        if (!strcmp(s, mt_metrics_err_kind_name(k)))
            return k;
    return MT_E_INVAL;
}

static int load_ops(struct mt_metrics_report *r, json_t *ops)
{
    size_t i;
    json_t *o;
    json_array_foreach(ops, i, o) {
        const char *name = json_string_value(json_object_get(o, "name"));
        const char *b64 = json_string_value(json_object_get(o, "histogram"));
        if (!name || !b64)
            return MT_E_TL_INPUT;
        struct mt_hist h;
        int rc = mt_hist_from_base64(&h, b64, strlen(b64));
        if (rc)
            return rc;
        json_t *sum = json_object_get(o, "latency_sum_ns");
        if (json_is_number(sum)) /* the exact sum, when the writer recorded it */
            h.sum = json_number_value(sum);
        int id = mt_metrics_report_op(r, name);
        if (id < 0) {
            mt_hist_free(&h);
            return id;
        }
        rc = mt_hist_add(&r->op[id].hist, &h);
        mt_hist_free(&h);
        r->op[id].errors += (uint64_t)json_integer_value(json_object_get(o, "errors"));
        if (rc)
            return rc;
    }
    return 0;
}

static int load_errors(struct mt_metrics_report *r, json_t *errs)
{
    size_t i;
    json_t *o;
    json_array_foreach(errs, i, o) {
        const char *cls = json_string_value(json_object_get(o, "class"));
        const char *msg = json_string_value(json_object_get(o, "message"));
        int k = cls ? kind_from_name(cls) : MT_E_INVAL;
        if (k < 0 || !msg)
            return MT_E_TL_INPUT;
        struct mt_metrics_error e = {.kind = (uint8_t)k,
                                     .code = (int32_t)json_integer_value(json_object_get(o, "code")),
                                     .count = (uint64_t)json_integer_value(json_object_get(o, "count"))};
        snprintf(e.message, sizeof(e.message), "%s", msg);
        mt_metrics_report_add_error(r, &e);
    }
    return 0;
}

int mt_metrics_load_doc(json_t *doc, struct mt_metrics_report **out);
int mt_metrics_load_doc(json_t *doc, struct mt_metrics_report **out)
{
    *out = NULL;
    if (!json_is_object(doc) || json_integer_value(json_object_get(doc, "schema_version")) != 1)
        return MT_E_TL_INPUT;
    json_t *ops = json_object_get(doc, "operations");
    if (!json_is_array(ops))
        return MT_E_TL_INPUT;
    json_t *layout = json_object_get(doc, "histogram_layout");
    json_int_t lowest = json_integer_value(json_object_get(layout, "lowest_discernible_value"));
    json_int_t highest = json_integer_value(json_object_get(layout, "highest_trackable_value"));
    json_int_t sig = json_integer_value(json_object_get(layout, "significant_digits"));
    /* a layout we could not decode a histogram of is refused before any
     * allocation of its size (a forged file must not exhaust memory) */
    struct mt_hist probe;
    if (sig < 0 || sig > 5 || (sig && mt_hist_layout(&probe, lowest, highest, (int)sig)))
        return MT_E_TL_INPUT;
    if (sig && probe.counts_len > MT_RESULTS_MAX_COUNTS)
        return MT_E_RANGE;
    struct mt_metrics_report *r = mt_metrics_report_new(lowest, highest, (int)sig);
    if (!r)
        return MT_E_TL_INPUT;
    int rc = load_ops(r, ops);
    json_t *errs = json_object_get(doc, "errors");
    if (!rc && json_is_array(errs))
        rc = load_errors(r, errs);
    json_t *cnt = json_object_get(doc, "counters");
    for (int c = 0; c < MT_CNT__COUNT && json_is_object(cnt); c++)
        r->counter[c] = (uint64_t)json_integer_value(json_object_get(cnt, mt_metrics_counter_name(c)));
    if (json_is_object(cnt))
        r->flood_wait_max_s = json_integer_value(json_object_get(cnt, "flood_wait_max_seconds"));
    r->started_at = json_number_value(json_object_get(doc, "started_at"));
    r->ended_at = json_number_value(json_object_get(doc, "ended_at"));
    r->duration_s = json_number_value(json_object_get(doc, "duration_s"));
    r->interrupted = json_is_true(json_object_get(doc, "interrupted"));
    json_int_t shards = json_integer_value(json_object_get(doc, "shards"));
    r->shards = shards > 0 && shards < 1000000 ? (int)shards : 1;
    r->err_dropped = (uint64_t)json_integer_value(json_object_get(doc, "errors_dropped"));
    json_t *g = json_object_get(doc, "gauges");
    r->sessions = json_integer_value(json_object_get(g, "sessions"));
    r->connections = json_integer_value(json_object_get(g, "connections"));
    if (rc || !isfinite(r->duration_s) || r->duration_s < 0) {
        mt_metrics_report_free(r);
        return rc ? rc : MT_E_TL_INPUT;
    }
    *out = r;
    return 0;
}

int mt_metrics_load_json_text(const char *text, size_t len, struct mt_metrics_report **out)
{
    *out = NULL;
    json_error_t err;
    json_t *doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
    if (!doc)
        return MT_E_TL_INPUT;
    int rc = mt_metrics_load_doc(doc, out);
    json_decref(doc);
    return rc;
}

int mt_metrics_load_json(const char *path, struct mt_metrics_report **out)
{
    *out = NULL;
    json_error_t err;
    json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &err);
    if (!doc)
        return MT_E_TL_INPUT;
    int rc = mt_metrics_load_doc(doc, out);
    json_decref(doc);
    return rc;
}
