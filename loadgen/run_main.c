/* `mtload run`: set up, start the workers, and be the reporter — once per
 * --interval collect every worker's snapshot, print the live line, append
 * CSV / hlog rows, update /metrics — until the end, a signal or an
 * unreachable target; then the final report, the result files, thresholds. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>
#include <jansson.h>
#include "loadgen/run.h"
#include "loadgen/run_internal.h"

#define LG_COLLECT_GRACE (30 * MT_NS_PER_MS)

/* --json/--csv/--hlog/--prometheus/--threshold through the metrics layer's
 * outputs helper (the server uses the same). Opened before the workers start
 * so that a bad path fails fast (exit 2). */
static int open_outputs(const struct lg_run *run, struct mt_metrics_env *env, json_t *conf,
                        struct mt_metrics_outputs **o)
{
    const struct mt_run_config *cfg = run->cfg;
    char prom[128] = "";
    if (cfg->have_prometheus)
        mt_hostport_format(&cfg->prometheus, prom, sizeof prom);
    *env = (struct mt_metrics_env){.crypto_tier = mt_crypto_tier_name(mt_crypto_tier()),
                                   .threads = (int)cfg->threads,
                                   .transport = mt_run_transport_name(cfg->transport)};
    struct mt_metrics_outputs_cfg oc = {
        .kind = "run", .json_path = cfg->json_path, .csv_path = cfg->csv_path,
        .hlog_path = cfg->hlog_path, .prom_addr = prom[0] ? prom : NULL,
        .linger_s = (double)cfg->linger / 1e9, .env = env, .config = conf,
        .thresholds = (const char *const *)cfg->thresholds, .n_thresholds = (int)cfg->n_thresholds,
    };
    if (mt_metrics_outputs_open(o, &oc, run->start_wall)) {
        fprintf(stderr, "mtload run: cannot open the outputs (see above)\n");
        return MT_EXIT_USAGE;
    }
    return 0;
}

/* Exit 3: nothing ever connected (unreachable), or connections were made
 * but no session ever got a key (bad protocol: wrong --rsa-key, transport,
 * secret). During the run it waits connect-timeout + 2 s before judging;
 * at the end (final) it judges a short run too, if anything failed. */
static int startup_verdict(struct lg_run *run, double elapsed_s, bool final)
{
    if (atomic_load(&run->ever_ready))
        return 0;
    unsigned fails = atomic_load(&run->fails_before_ready);
    double limit = (double)run->cfg->connect_timeout / 1e9 + 2.0;
    if (final ? fails == 0 : elapsed_s < limit)
        return 0;
    if (!atomic_load(&run->ever_connected)) {
        fprintf(stderr, "mtload run: target unreachable: %u connection attempts failed, none "
                "succeeded\n", fails);
        return MT_EXIT_UNREACHABLE;
    }
    fprintf(stderr, "mtload run: the target speaks bad protocol: connections were made but no "
            "session got an auth key (%u failures; wrong --rsa-key, --transport or --secret?)\n",
            fails);
    return MT_EXIT_UNREACHABLE;
}

/* Reporter loop on the main thread. Returns the exit code so far (0 or 3);
 * *interrupted is set by SIGINT/SIGTERM. */
static int report_loop(struct lg_run *run, struct mt_metrics_reporter *rep,
                       struct mt_metrics_outputs *o, const sigset_t *sigs, int *interrupted)
{
    const struct mt_run_config *cfg = run->cfg;
    mt_ns next = run->start + cfg->interval, end = run->start + cfg->end;
    bool warm = cfg->warmup == 0, checked = false;
    mt_ns warm_at = run->start + cfg->warmup;
    for (;;) {
        mt_ns now = mt_now_ns();
        /* a little after the boundary (an interval's or the warm-up's end):
         * the workers publish at it */
        mt_ns boundary = !warm && warm_at < next ? warm_at : next;
        mt_ns wake = boundary + LG_COLLECT_GRACE < end ? boundary + LG_COLLECT_GRACE : end;
        struct timespec ts = {0, 0};
        if (wake > now) {
            ts.tv_sec = (time_t)((wake - now) / MT_NS_PER_S);
            ts.tv_nsec = (long)((wake - now) % MT_NS_PER_S);
        }
        int sig = wake > now ? sigtimedwait(sigs, NULL, &ts) : -1;
        if (sig == SIGINT || sig == SIGTERM) {
            *interrupted = 1;
            return 0;
        }
        now = mt_now_ns();
        if (now >= end)
            return 0;
        if (!warm && boundary == warm_at && now >= warm_at + LG_COLLECT_GRACE) {
            /* the warm-up's snapshots are taken and dropped; totals, rates
             * and duration restart here (latencies were also filtered by
             * intended send time) */
            /* the warm-up's last snapshots: shown on the live line, not
             * written to any results file */
            if (mt_metrics_collect(rep, now) > 0 && !cfg->quiet)
                lg_report_live(run, rep->interval, rep->total, (double)(now - run->start) / 1e9,
                               (double)(warm_at - (next - cfg->interval)) / 1e9, true);
            mt_metrics_reporter_restart(rep, mt_wall_s(), warm_at);
            warm = true;
            continue;
        }
        if (now < next + LG_COLLECT_GRACE)
            continue;
        double interval_s = (double)cfg->interval / 1e9;   /* publishes are aligned */
        next += cfg->interval;
        int took = mt_metrics_outputs_tick(o, rep, now);
        double elapsed = (double)(now - run->start) / 1e9;
        if (!cfg->quiet && took > 0)     /* nothing taken: the warm-up line said it */
            lg_report_live(run, rep->interval, rep->total, elapsed, interval_s, false);
        if (!checked) {
            int v = startup_verdict(run, elapsed, false);
            if (v)
                return v;
            checked = atomic_load(&run->ever_ready);
        }
    }
}

static int finish(struct lg_run *run, struct mt_metrics_reporter *rep, struct mt_metrics_outputs *o,
                  int interrupted, mt_ns stopped_at)
{
    const struct mt_run_config *cfg = run->cfg;
    struct mt_metrics_report *t = rep->total;
    mt_metrics_reporter_finish(rep, mt_wall_s(), stopped_at, interrupted);
    /* the measured window: after the warm-up, up to the end or the signal */
    mt_ns from = run->start + cfg->warmup, to = stopped_at < run->start + cfg->end ? stopped_at
                                                                                  : run->start + cfg->end;
    t->duration_s = to > from ? (double)(to - from) / 1e9 : 0;
    lg_report_final(stdout, run, t);
    int failed = mt_metrics_outputs_finish(o, t, stdout);
    if (cfg->save_keys_path) {
        int k = lg_keys_save(run, cfg->save_keys_path);
        if (k >= 0 && !cfg->quiet)
            printf("saved %d auth keys to %s\n", k, cfg->save_keys_path);
    }
    fflush(stdout);
    if (failed < 0)
        return MT_EXIT_USAGE;
    return failed ? MT_EXIT_THRESHOLD : MT_EXIT_OK;
}

static int run_workers(struct lg_run *run, const sigset_t *sigs)
{
    const struct mt_run_config *cfg = run->cfg;
    struct mt_metrics_outputs *o = NULL;
    struct mt_metrics_env env;
    json_t *conf = lg_config_json(cfg);
    int code = open_outputs(run, &env, conf, &o);
    struct mt_metrics_worker **mw = calloc((size_t)run->nworkers, sizeof *mw);
    for (int i = 0; mw && i < run->nworkers; i++)
        mw[i] = run->workers[i].m;
    struct mt_metrics_reporter *rep =
        mw ? mt_metrics_reporter_new(mw, run->nworkers, run->start_wall, run->start) : NULL;
    if (!code && !rep)
        code = MT_EXIT_USAGE;
    int started = 0;
    for (; !code && started < run->nworkers; started++)
        if (pthread_create(&run->workers[started].th, NULL, lg_worker_main, &run->workers[started]))
            break;
    int interrupted = 0;
    if (!code && started == run->nworkers)
        code = report_loop(run, rep, o, sigs, &interrupted);
    mt_ns stopped_at = mt_now_ns();
    atomic_store(&run->stop, interrupted || code ? 2 : 1);
    for (int i = 0; i < started; i++)
        mt_loop_stop(run->workers[i].loop);
    for (int i = 0; i < started; i++)
        pthread_join(run->workers[i].th, NULL);
    if (rep && o) {
        /* the final snapshots, written to CSV/hlog too: a publish the
         * reporter had not taken yet made the last one roll over, so tick,
         * publish again (the workers are gone), tick */
        mt_metrics_outputs_tick(o, rep, mt_now_ns());
        mt_metrics_reporter_republish(rep, mt_now_ns());
        mt_metrics_outputs_tick(o, rep, mt_now_ns());
        if (!cfg->quiet && !code)
            fputc('\n', stderr);
        int fin = finish(run, rep, o, interrupted, stopped_at);
        if (!code && !interrupted)
            code = startup_verdict(run, 0, true);   /* a run shorter than the wait */
        if (!code)
            code = fin;
    }
    mt_metrics_outputs_close(o, NULL);
    json_decref(conf);
    mt_metrics_reporter_free(rep);
    free(mw);
    return code;
}

int mt_run_engine(const struct mt_run_config *cfg)
{
    mt_crypto_init();
    sigset_t sigs;                    /* for the reporter's sigtimedwait */
    mt_block_stop_signals(&sigs);
    struct lg_run *run = calloc(1, sizeof *run);
    if (!run)
        return MT_EXIT_USAGE;
    int code = lg_run_setup(run, cfg);
    size_t nofile = 0;
    if (!code) {
        mt_net_raise_nofile((size_t)cfg->sessions + 64, &nofile);
        if (cfg->sessions + 64 > nofile)
            fprintf(stderr, "mtload run: %llu sessions need %llu descriptors, the limit is %zu: "
                    "run several mtload processes (and merge their --json results)\n",
                    (unsigned long long)cfg->sessions, (unsigned long long)cfg->sessions + 64, nofile);
        run->workers = calloc((size_t)cfg->threads, sizeof *run->workers);
        if (!run->workers)
            code = MT_EXIT_USAGE;
    }
    run->start = mt_now_ns();
    run->start_wall = mt_wall_s();
    for (int i = 0; !code && i < (int)cfg->threads; i++) {
        run->nworkers = i + 1;
        int rc = lg_worker_init(&run->workers[i], run, i);
        if (rc) {
            fprintf(stderr, "mtload run: worker %d: %s\n", i, mt_strerror(rc));
            code = MT_EXIT_USAGE;
        }
    }
    if (!code) {
        if (!cfg->quiet) {
            char a[128];
            fprintf(stderr, "mtload run: %s, %llu sessions on %llu threads, %s%s, crypto %s\n",
                    mt_addr_str(&run->target, a, sizeof a), (unsigned long long)cfg->sessions,
                    (unsigned long long)cfg->threads, cfg->obfuscated ? "obfuscated " : "",
                    mt_run_transport_name(cfg->transport), mt_crypto_describe());
        }
        /* the clock starts when the workers do */
        run->start = mt_now_ns();
        run->start_wall = mt_wall_s();
        code = run_workers(run, &sigs);
    }
    for (int i = 0; i < run->nworkers; i++)
        lg_worker_destroy(&run->workers[i]);
    free(run->workers);
    lg_run_teardown(run);
    free(run);
    return code;
}
