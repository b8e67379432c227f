/* The exporters wired together the way both programs use them: open before
 * the run, one tick per interval from the reporter, finish and close after. */
#include "core/metrics/mt_metrics.h"

#include <jansson.h>
#include <stdlib.h>

#define OUTPUTS_MAX_THRESHOLDS 64

struct mt_metrics_outputs {
    struct mt_metrics_outputs_cfg cfg;
    struct mt_csv *csv;
    struct mt_hlog *hlog;
    struct mt_prom *prom;
    double start_wall;
    int n_thr;
    struct mt_threshold thr[OUTPUTS_MAX_THRESHOLDS];
    struct mt_threshold_result res[OUTPUTS_MAX_THRESHOLDS];
};

static int open_files(struct mt_metrics_outputs *o, const struct mt_metrics_outputs_cfg *cfg)
{
    if (cfg->csv_path && !(o->csv = mt_csv_open(cfg->csv_path))) {
        fprintf(stderr, "cannot write %s\n", cfg->csv_path);
        return MT_E_SYSTEM;
    }
    if (cfg->hlog_path && !(o->hlog = mt_hlog_open(cfg->hlog_path, o->start_wall))) {
        fprintf(stderr, "cannot write %s\n", cfg->hlog_path);
        return MT_E_SYSTEM;
    }
    if (cfg->prom_addr) {
        const char *tr = cfg->env && cfg->env->transport ? cfg->env->transport : "";
        if (!(o->prom = mt_prom_start(cfg->prom_addr, tr))) {
            fprintf(stderr, "cannot serve Prometheus metrics on %s\n", cfg->prom_addr);
            return MT_E_SYSTEM;
        }
    }
    return 0;
}

int mt_metrics_outputs_open(struct mt_metrics_outputs **out, const struct mt_metrics_outputs_cfg *cfg,
                            double start_wall)
{
    *out = NULL;
    if (cfg->n_thresholds < 0 || cfg->n_thresholds > OUTPUTS_MAX_THRESHOLDS)
        return MT_E_INVAL;
    struct mt_metrics_outputs *o = calloc(1, sizeof(*o));
    if (!o)
        return MT_E_NOMEM;
    o->cfg = *cfg;
    o->start_wall = start_wall;
    for (int i = 0; i < cfg->n_thresholds; i++) {
        if (mt_threshold_parse(cfg->thresholds[i], &o->thr[i])) {
            fprintf(stderr, "bad threshold '%s'\n", cfg->thresholds[i]);
            free(o);
            return MT_E_INVAL;
        }
    }
    o->n_thr = cfg->n_thresholds;
    int rc = open_files(o, cfg);
    if (rc) {
        mt_metrics_outputs_close(o, NULL);
        return rc;
    }
    if (o->prom) {
        /* an empty page until the first interval: scrapes never 404 */
        struct mt_metrics_report *empty = mt_metrics_report_new(0, 0, 0);
        if (empty) {
            mt_prom_update(o->prom, empty);
            mt_metrics_report_free(empty);
        }
    }
    *out = o;
    return 0;
}

int mt_metrics_outputs_prom_port(const struct mt_metrics_outputs *o)
{
    return o && o->prom ? mt_prom_port(o->prom) : 0;
}

int mt_metrics_outputs_tick(struct mt_metrics_outputs *o, struct mt_metrics_reporter *rep, mt_ns now)
{
    int taken = mt_metrics_collect(rep, now);
    if (o->prom)
        mt_prom_update(o->prom, rep->total);
    if (taken <= 0)
        return 0; /* nothing published since the last tick: no interval to write */
    const struct mt_metrics_report *iv = rep->interval;
    int rc = 0;
    if (o->csv && mt_csv_write_interval(o->csv, iv->ended_at, iv->duration_s, iv))
        rc = MT_E_SYSTEM;
    if (o->hlog && mt_hlog_write_interval(o->hlog, iv->started_at, iv->duration_s, iv))
        rc = MT_E_SYSTEM;
    return rc ? rc : taken;
}

int mt_metrics_outputs_finish(struct mt_metrics_outputs *o, const struct mt_metrics_report *total,
                              FILE *summary)
{
    if (o->prom)
        mt_prom_update(o->prom, total);
    int failed = 0;
    for (int i = 0; i < o->n_thr; i++) {
        if (mt_threshold_eval(&o->thr[i], total, &o->res[i]))
            o->res[i].ok = 0;
        failed += !o->res[i].ok;
    }
    if (summary) {
        mt_metrics_print_summary(summary, total);
        if (o->n_thr)
            mt_threshold_report(summary, o->thr, o->res, o->n_thr);
        fflush(summary);
    }
    if (o->cfg.json_path) {
        int rc = mt_metrics_write_json(o->cfg.json_path, o->cfg.kind ? o->cfg.kind : "run", total,
                                       o->cfg.env, o->cfg.config, o->thr, o->res, o->n_thr);
        if (rc) {
            fprintf(stderr, "cannot write %s\n", o->cfg.json_path);
            return rc;
        }
    }
    return failed;
}

void mt_metrics_outputs_close(struct mt_metrics_outputs *o, const volatile int *stop)
{
    if (!o)
        return;
    mt_csv_close(o->csv);
    mt_hlog_close(o->hlog);
    if (o->prom)
        mt_prom_stop(o->prom, o->cfg.linger_s, stop);
    free(o);
}
