/* One worker thread of `mtload run`: its loop, its share of the sessions
 * (session i belongs to worker i % threads), the sessions ramp, the sweep
 * (timeouts, metrics publication) and the end of the run (stop issuing,
 * give in-flight requests a short drain, close everything). */
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include "loadgen/run_internal.h"

#define SWEEP_NS (100 * MT_NS_PER_MS)

static int register_ops(struct lg_worker *w)
{
    const struct mt_run_config *cfg = w->run->cfg;
    for (size_t i = 0; i < cfg->workload.n; i++) {
        const char *name = cfg->workload.ops[i].name;
        w->ops.op[i] = mt_metrics_op(w->m, name);
        if (w->ops.op[i] < 0)
            return w->ops.op[i];
        if (cfg->open_loop) {
            char un[MT_METRICS_OP_NAME_MAX];
            snprintf(un, sizeof un, "%s:uncorrected", name);
            w->ops.op_uncorrected[i] = mt_metrics_op(w->m, un);
            if (w->ops.op_uncorrected[i] < 0)
                return w->ops.op_uncorrected[i];
        }
    }
    w->ops.connect = mt_metrics_op(w->m, "connect");
    w->ops.handshake = mt_metrics_op(w->m, "handshake");
    return w->ops.connect < 0 ? w->ops.connect : w->ops.handshake < 0 ? w->ops.handshake : 0;
}

/* Sessions wanted now: all of them, or what the sessions ramp says. */
static size_t sessions_wanted(const struct lg_worker *w, mt_ns now)
{
    const struct lg_run *run = w->run;
    if (run->cfg->stages_of != MT_STAGES_OF_SESSIONS || !run->cfg->n_stages)
        return w->nsess;
    double total = mt_pace_value_at(&run->sessions_plan, now - run->start);
    /* worker w owns global sessions w, w + T, ...: count those below total */
    uint64_t t = run->cfg->threads, want = (uint64_t)total;
    uint64_t mine = want / t + ((uint64_t)w->index < want % t);
    return mine < w->nsess ? (size_t)mine : w->nsess;
}

static void apply_ramp(struct lg_worker *w, mt_ns now)
{
    size_t want = sessions_wanted(w, now);
    while (w->next_start < want)
        lg_sess_start(&w->sess[w->next_start++]);
    while (w->next_start > want)         /* ramping down: newest first */
        lg_sess_stop(&w->sess[--w->next_start]);
}

static void sweep(struct mt_loop *loop, struct mt_timer *t, void *ud)
{
    struct lg_worker *w = ud;
    mt_ns now = mt_loop_now(loop);
    if (!w->stopping)
        apply_ramp(w, now);
    for (size_t i = 0; i < w->nsess; i++)
        lg_sess_sweep(&w->sess[i], now);
    mt_metrics_set_gauges(w->m, w->ready, w->ready);
    mt_timer_start_in(loop, t, SWEEP_NS);
}

/* The end: no more requests; in-flight ones get until drain_until. */
static void stop_fire(struct mt_loop *loop, struct mt_timer *t, void *ud)
{
    struct lg_worker *w = ud;
    w->stopping = true;
}

int lg_worker_init(struct lg_worker *w, struct lg_run *run, int index)
{
    const struct mt_run_config *cfg = run->cfg;
    memset(w, 0, sizeof *w);
    w->run = run;
    w->index = index;
    mt_rand_seed(&w->rand, (cfg->seed ? cfg->seed : (uint64_t)mt_now_ns()) + 0x9e37u * (uint64_t)index);
    w->loop = mt_loop_new(0);
    w->m = mt_metrics_worker_new(0, 0, 0);
    w->scratch_cap = MT_WL_ECHO_MAX + 4096;
    w->scratch = malloc(w->scratch_cap);
    if (!w->loop || !w->m || !w->scratch)
        return MT_E_NOMEM;
    for (size_t i = 0; i < w->scratch_cap; i++)   /* echo payload: arbitrary bytes */
        w->scratch[i] = (uint8_t)mt_rand_u64(&w->rand);
    int rc = register_ops(w);
    if (rc)
        return rc;
    w->lw = mt_link_worker_new(w->loop, &run->link);
    if (!w->lw)
        return MT_E_NOMEM;
    if (cfg->have_source_ips) {
        char spec[64];
        uint32_t a = cfg->source_ip_first, b = cfg->source_ip_last;
        snprintf(spec, sizeof spec, "%u.%u.%u.%u-%u.%u.%u.%u", a >> 24, (a >> 16) & 255,
                 (a >> 8) & 255, a & 255, b >> 24, (b >> 16) & 255, (b >> 8) & 255, b & 255);
        if ((rc = mt_src_pool_init(&w->src, spec)) != 0)
            return rc;
    }
    w->nsess = (size_t)mt_run_worker_sessions(cfg, (uint64_t)index);
    w->sess = calloc(w->nsess ? w->nsess : 1, sizeof *w->sess);
    if (!w->sess)
        return MT_E_NOMEM;
    size_t group = cfg->sessions_per_conn ? (size_t)cfg->sessions_per_conn : 1;
    for (size_t k = 0; k < w->nsess; k++) {
        struct lg_sess *s = &w->sess[k];
        s->w = w;
        s->lead = &w->sess[k - k % group];
        if (s->lead == s)
            s->group_n = (uint32_t)(w->nsess - k < group ? w->nsess - k : group);
        s->index = (uint64_t)index + k * cfg->threads;
        s->closed.depth = (uint32_t)cfg->depth;
        mt_churn_init(&s->churn, cfg->reconnect_every);
        mt_backoff_init(&s->backoff, cfg->backoff_min, cfg->backoff_max);
        mt_timer_init(&s->timer, NULL, s);
        if (run->nkeys && s->lead == s && cfg->temp_keys) {
            /* the file's keys are permanent: each connection binds a
             * temporary key to its one */
            s->perm = run->keys[s->index % run->nkeys];
            s->has_perm = true;
        } else if (run->nkeys && s->lead == s) {     /* one key per connection */
            s->key = run->keys[s->index % run->nkeys];
            s->salt = run->key_salts[s->index % run->nkeys];
            s->has_key = true;
        }
    }
    return 0;
}

void *lg_worker_main(void *arg)
{
    struct lg_worker *w = arg;
    struct lg_run *run = w->run;
    const struct mt_run_config *cfg = run->cfg;
    /* the kernel may otherwise defer this thread's timed waits by its
     * default 50 us of timer slack: paced sends would leave late */
    prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
    for (size_t k = 0; k < w->nsess; k++)
        if (cfg->open_loop)
            mt_pace_init(&w->sess[k].pace, &run->pace, run->start, mt_rand_unit(&w->rand));
    mt_loop_update_time(w->loop);
    apply_ramp(w, mt_loop_now(w->loop));
    mt_timer_init(&w->sweep, sweep, w);
    mt_timer_start_in(w->loop, &w->sweep, SWEEP_NS);
    mt_timer_init(&w->stop_timer, stop_fire, w);
    mt_timer_start(w->loop, &w->stop_timer, run->start + cfg->end);
    bool stopped = false;
    mt_ns next_publish = run->start + cfg->interval;
    bool warm_published = false;
    for (;;) {
        if (!stopped && atomic_load(&run->stop))
            w->stopping = true;
        if (w->stopping && !stopped) {
            stopped = true;
            /* replies to requests already sent still count: a short drain */
            mt_ns drain = cfg->request_timeout < 2 * MT_NS_PER_S ? cfg->request_timeout : 2 * MT_NS_PER_S;
            /* no drain only when interrupted (stop 2); a normal end sets
             * stop 1 at the same moment this worker's stop timer fires */
            w->drain_until = mt_loop_now(w->loop) + (atomic_load(&run->stop) > 1 ? 0 : drain);
        }
        if (stopped) {
            bool pending = false;
            for (size_t i = 0; i < w->nsess && !pending; i++)
                pending = w->sess[i].phase == LG_READY && w->sess[i].tag_head != w->sess[i].tag_next;
            if (!pending || mt_loop_now(w->loop) >= w->drain_until || atomic_load(&run->stop) > 1)
                break;
        }
        /* publish at the interval boundaries the reporter collects just
         * after, so each live line and CSV row covers its own interval */
        mt_ns warm_at = run->start + cfg->warmup;
        if (!warm_published && cfg->warmup && mt_loop_now(w->loop) >= warm_at) {
            /* the warm-up's data in a snapshot of its own: the reporter
             * drops it and restarts the totals */
            warm_published = true;
            mt_metrics_worker_publish(w->m, mt_loop_now(w->loop));
        } else if (mt_loop_now(w->loop) >= next_publish) {
            mt_metrics_worker_publish(w->m, mt_loop_now(w->loop));
            while (next_publish <= mt_loop_now(w->loop))
                next_publish += cfg->interval;
        }
        int rc = mt_loop_run_once(w->loop, mt_link_worker_busy(w->lw) ? 0 : 20);
        if (rc < 0) {
            mt_log(MT_LOG_ERROR, "worker %d: loop: %s", w->index, mt_strerror(rc));
            break;
        }
    }
    for (size_t i = 0; i < w->nsess; i++)
        lg_sess_stop(&w->sess[i]);
    mt_link_worker_process(w->lw);     /* report the closes */
    mt_timer_stop(w->loop, &w->sweep);
    mt_timer_stop(w->loop, &w->stop_timer);
    mt_metrics_set_gauges(w->m, 0, 0);
    mt_metrics_worker_publish(w->m, mt_now_ns());
    return NULL;
}

void lg_worker_destroy(struct lg_worker *w)
{
    for (size_t i = 0; i < w->nsess; i++) {
        struct lg_sess *s = &w->sess[i];
        lg_req_free(s);
        if (s->sc)
            mt_sess_client_free(s->sc);
        mt_wipe(&s->key, sizeof s->key);
        mt_wipe(&s->perm, sizeof s->perm);
    }
    free(w->sess);
    mt_link_worker_free(w->lw);
    mt_loop_free(w->loop);
    mt_metrics_worker_free(w->m);
    mt_src_pool_free(&w->src);
    free(w->scratch);
}
