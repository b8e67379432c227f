/* Reports (merged results) and the reporter that builds them from the
 * workers' published snapshots. */
#include "core/metrics/mt_metrics.h"

#include <stdlib.h>

struct mt_metrics_report *mt_metrics_report_new(int64_t lowest, int64_t highest, int sig_figs)
{
    struct mt_metrics_report *r = calloc(1, sizeof(*r));
    if (!r)
        return NULL;
    r->hist_lowest = lowest ? lowest : MT_HIST_LOWEST_DEFAULT;
    r->hist_highest = highest ? highest : MT_HIST_HIGHEST_DEFAULT;
    r->hist_sig_figs = sig_figs ? sig_figs : MT_HIST_SIGFIG_DEFAULT;
    struct mt_hist probe;
    if (mt_hist_init(&probe, r->hist_lowest, r->hist_highest, r->hist_sig_figs)) {
        free(r);
        return NULL;
    }
    mt_hist_free(&probe);
    r->shards = 1;
    return r;
}

void mt_metrics_report_free(struct mt_metrics_report *r)
{
    if (!r)
        return;
    for (int i = 0; i < r->n_ops; i++)
        mt_hist_free(&r->op[i].hist);
    free(r);
}

/* Clears the data but keeps the ops (and their histograms) for reuse. */
void mt_metrics_report_reset(struct mt_metrics_report *r)
{
    for (int i = 0; i < r->n_ops; i++) {
        mt_hist_reset(&r->op[i].hist);
        r->op[i].errors = 0;
    }
    memset(r->counter, 0, sizeof(r->counter));
    memset(r->err, 0, sizeof(r->err));
    r->n_err = 0;
    r->err_dropped = 0;
    r->flood_wait_max_s = 0;
}

int mt_metrics_report_find_op(const struct mt_metrics_report *r, const char *name)
{
    for (int i = 0; i < r->n_ops; i++)
        if (!strcmp(r->op[i].name, name))
            return i;
    return MT_E_INVAL;
}

int mt_metrics_report_op(struct mt_metrics_report *r, const char *name)
{
    if (!name || !*name || strlen(name) >= MT_METRICS_OP_NAME_MAX)
        return MT_E_INVAL;
    int id = mt_metrics_report_find_op(r, name);
    if (id >= 0)
        return id;
    if (r->n_ops >= MT_METRICS_MAX_OPS)
        return MT_E_LIMIT;
    id = r->n_ops;
    int rc = mt_hist_init(&r->op[id].hist, r->hist_lowest, r->hist_highest, r->hist_sig_figs);
    if (rc)
        return rc;
    strcpy(r->op[id].name, name);
    r->op[id].errors = 0;
    r->n_ops = id + 1;
    return id;
}

void mt_metrics_report_add_error(struct mt_metrics_report *r, const struct mt_metrics_error *e)
{
    for (int i = 0; i < r->n_err; i++) {
        struct mt_metrics_error *x = &r->err[i];
        if (x->kind == e->kind && x->code == e->code && !strcmp(x->message, e->message)) {
            x->count += e->count;
            return;
        }
    }
    if (r->n_err >= MT_METRICS_MAX_ERRORS) {
        r->err_dropped += e->count;
        return;
    }
    r->err[r->n_err++] = *e;
}

/* Adds only the data (ops, counters, errors), not the time span. */
static int report_add_data(struct mt_metrics_report *dst, const struct mt_metrics_report *src)
{
    int rc = 0;
    for (int i = 0; i < src->n_ops; i++) {
        int id = mt_metrics_report_op(dst, src->op[i].name);
        if (id < 0)
            return id;
        int r2 = mt_hist_add(&dst->op[id].hist, &src->op[i].hist);
        if (r2)
            rc = r2;
        dst->op[id].errors += src->op[i].errors;
    }
    for (int c = 0; c < MT_CNT__COUNT; c++)
        dst->counter[c] += src->counter[c];
    for (int i = 0; i < src->n_err; i++)
        mt_metrics_report_add_error(dst, &src->err[i]);
    dst->err_dropped += src->err_dropped;
    if (src->flood_wait_max_s > dst->flood_wait_max_s)
        dst->flood_wait_max_s = src->flood_wait_max_s;
    return rc;
}

int mt_metrics_report_merge(struct mt_metrics_report *dst, const struct mt_metrics_report *src)
{
    int empty = dst->shards == 0 || (dst->started_at == 0 && dst->ended_at == 0);
    int rc = report_add_data(dst, src);
    if (empty) {
        dst->started_at = src->started_at;
        dst->ended_at = src->ended_at;
        dst->duration_s = src->duration_s;
        dst->shards = src->shards;
    } else {
        if (src->started_at < dst->started_at)
            dst->started_at = src->started_at;
        if (src->ended_at > dst->ended_at)
            dst->ended_at = src->ended_at;
        if (src->duration_s > dst->duration_s)
            dst->duration_s = src->duration_s;
        dst->shards += src->shards;
    }
    dst->interrupted |= src->interrupted;
    dst->sessions += src->sessions;
    dst->connections += src->connections;
    return rc;
}

uint64_t mt_metrics_report_count(const struct mt_metrics_report *r, int op)
{
    if (op >= 0)
        return op < r->n_ops ? (uint64_t)r->op[op].hist.total_count : 0;
    uint64_t n = 0;
    for (int i = 0; i < r->n_ops; i++)
        n += (uint64_t)r->op[i].hist.total_count;
    return n;
}

uint64_t mt_metrics_report_errors(const struct mt_metrics_report *r, int op)
{
    if (op >= 0)
        return op < r->n_ops ? r->op[op].errors : 0;
    return r->counter[MT_CNT_ERRORS];
}

/* ---- reporter -------------------------------------------------------------- */

struct mt_metrics_reporter *mt_metrics_reporter_new(struct mt_metrics_worker **workers, int n,
                                                    double started_at_wall, mt_ns start_ns)
{
    if (n < 0 || (n > 0 && !workers))
        return NULL;
    struct mt_metrics_reporter *rep = calloc(1, sizeof(*rep));
    if (!rep)
        return NULL;
    int64_t lo = n ? workers[0]->hist_lowest : 0, hi = n ? workers[0]->hist_highest : 0;
    int sig = n ? workers[0]->hist_sig_figs : 0;
    rep->workers = workers;
    rep->n_workers = n;
    rep->total = mt_metrics_report_new(lo, hi, sig);
    rep->interval = mt_metrics_report_new(lo, hi, sig);
    if (!rep->total || !rep->interval) {
        mt_metrics_reporter_free(rep);
        return NULL;
    }
    rep->total->started_at = started_at_wall;
    rep->run_start_ns = start_ns;
    rep->last_collect_ns = start_ns;
    return rep;
}

void mt_metrics_reporter_free(struct mt_metrics_reporter *rep)
{
    if (!rep)
        return;
    mt_metrics_report_free(rep->total);
    mt_metrics_report_free(rep->interval);
    free(rep);
}

/* Move one published worker buffer into the interval report, then clear it
 * for the worker's next use. */
static void take_buffer(struct mt_metrics_reporter *rep, struct mt_metrics_worker *w,
                        struct mt_metrics_buffer *b)
{
    struct mt_metrics_report *iv = rep->interval;
    for (int i = 0; i < b->n_ops; i++) {
        int id = mt_metrics_report_op(iv, w->op_name[i]);
        if (id >= 0) {
            mt_hist_add(&iv->op[id].hist, &b->op[i].hist);
            iv->op[id].errors += b->op[i].errors;
        }
        mt_hist_reset(&b->op[i].hist);
        b->op[i].errors = 0;
    }
    for (int c = 0; c < MT_CNT__COUNT; c++)
        iv->counter[c] += b->counter[c];
    for (int i = 0; i < b->n_err; i++)
        mt_metrics_report_add_error(iv, &b->err[i]);
    iv->err_dropped += b->err_dropped;
    if (b->flood_wait_max_s > iv->flood_wait_max_s)
        iv->flood_wait_max_s = b->flood_wait_max_s;
    memset(b->counter, 0, sizeof(b->counter));
    b->n_err = 0;
    b->err_dropped = 0;
    b->flood_wait_max_s = 0;
}

int mt_metrics_collect(struct mt_metrics_reporter *rep, mt_ns now)
{
    struct mt_metrics_report *iv = rep->interval;
    mt_metrics_report_reset(iv);
    int taken = 0;
    int64_t sessions = 0, connections = 0;
    mt_ns first = 0, last = 0;
    for (int i = 0; i < rep->n_workers; i++) {
        struct mt_metrics_worker *w = rep->workers[i];
        sessions += atomic_load_explicit(&w->sessions, memory_order_relaxed);
        connections += atomic_load_explicit(&w->connections, memory_order_relaxed);
        if (!atomic_load_explicit(&w->pending, memory_order_acquire))
            continue;
        struct mt_metrics_buffer *b = &w->buf[w->active ^ 1];
        /* the span the buffer covers: from the worker's previous publish (or
         * the run start) to this publish */
        mt_ns start = b->start_ns && b->start_ns > rep->run_start_ns ? b->start_ns : rep->run_start_ns;
        if (!taken || start < first)
            first = start;
        if (!taken || b->end_ns > last)
            last = b->end_ns;
        take_buffer(rep, w, b);
        atomic_store_explicit(&w->pending, 0, memory_order_release);
        taken++;
    }
    /* interval times come from what the workers published, so that rates stay
     * right when a publish was skipped or a tick found nothing */
    iv->duration_s = taken && last > first ? (double)(last - first) / 1e9 : 0;
    iv->started_at = rep->total->started_at + (double)(first - rep->run_start_ns) / 1e9;
    iv->ended_at = iv->started_at + iv->duration_s;
    if (!taken)
        iv->started_at = iv->ended_at = 0;
    iv->sessions = rep->total->sessions = sessions;
    iv->connections = rep->total->connections = connections;
    report_add_data(rep->total, iv);
    rep->total->duration_s = (double)(now - rep->run_start_ns) / 1e9;
    rep->last_collect_ns = now;
    return taken;
}

void mt_metrics_reporter_restart(struct mt_metrics_reporter *rep, double now_wall, mt_ns now)
{
    mt_metrics_report_reset(rep->total);
    rep->total->started_at = now_wall;
    rep->total->duration_s = 0;
    rep->run_start_ns = now;
}

void mt_metrics_reporter_finish(struct mt_metrics_reporter *rep, double ended_at_wall,
                                mt_ns end_ns, int interrupted)
{
    rep->total->ended_at = ended_at_wall;
    rep->total->duration_s = (double)(end_ns - rep->run_start_ns) / 1e9;
    rep->total->interrupted = interrupted;
}

void mt_metrics_reporter_republish(struct mt_metrics_reporter *rep, mt_ns now)
{
    for (int i = 0; i < rep->n_workers; i++)
        mt_metrics_worker_publish(rep->workers[i], now);
}
