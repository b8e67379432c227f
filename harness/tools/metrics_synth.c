/* `mt_metrics_tool synth`: a run without a network. Worker threads record
 * synthetic latencies and errors into their mt_metrics_worker and publish
 * each interval; the main thread is the reporter and feeds every exporter
 * exactly as the programs do (CSV and hlog per interval, Prometheus page per
 * interval, JSON and thresholds at the end, exit 99 on a failed threshold
 * after all outputs are written, SIGINT/SIGTERM end the run early and mark
 * it interrupted). */
#define _GNU_SOURCE /* pthread_tryjoin_np */
#include "core/metrics/mt_metrics.h"

#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>

#define SYNTH_MAX_THR 32
#define SYNTH_MAX_WORKERS 64

struct synth_opts {
    int workers, intervals, interval_ms, rate, n_ops, n_thr;
    uint64_t seed;
    double linger;
    const char *json, *csv, *hlog, *prom, *port_file, *transport;
    char ops[MT_METRICS_MAX_OPS][MT_METRICS_OP_NAME_MAX];
    const char *thr_text[SYNTH_MAX_THR];
};

static volatile sig_atomic_t g_signalled;
static volatile int g_stop_linger;
static _Atomic int g_stop;
static _Atomic int g_abort; /* no reporter: workers must not wait for one */

static void on_signal(int sig)
{
    (void)sig;
    g_signalled = 1;
    g_stop_linger = 1;
    atomic_store(&g_stop, 1);
}

struct synth_worker {
    struct mt_metrics_worker *m;
    const struct synth_opts *o;
    uint64_t rng;
    pthread_t th;
};

static uint64_t next_rand(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* op k: log-uniform between 20 us * (k + 1) and 50 times that */
static int64_t synth_latency(uint64_t *rng, int k)
{
    double u = (double)(next_rand(rng) >> 11) / 9007199254740992.0;
    return (int64_t)(20000.0 * (k + 1) * pow(50.0, u));
}

static void record_interval(struct synth_worker *w, const int *ids)
{
    for (int k = 0; k < w->o->n_ops; k++) {
        for (int i = 0; i < w->o->rate; i++) {
            mt_metrics_record(w->m, ids[k], synth_latency(&w->rng, k));
            mt_metrics_count(w->m, MT_CNT_REQUESTS, 1);
            mt_metrics_count(w->m, MT_CNT_RESPONSES, 1);
            mt_metrics_count(w->m, MT_CNT_BYTES_SENT, 64);
            mt_metrics_count(w->m, MT_CNT_BYTES_RECV, 80);
        }
        /* one error per 500 values: FLOOD_WAIT on op 0, transport on the rest */
        for (int i = 0; i < w->o->rate / 500; i++) {
            if (k == 0)
                mt_metrics_error(w->m, ids[k], MT_ERRK_RPC, 420, "FLOOD_WAIT_5");
            else
                mt_metrics_error(w->m, ids[k], MT_ERRK_TRANSPORT, -429, NULL);
        }
    }
}

static void *synth_worker_main(void *p)
{
    struct synth_worker *w = p;
    int ids[MT_METRICS_MAX_OPS];
    for (int k = 0; k < w->o->n_ops; k++)
        ids[k] = mt_metrics_op(w->m, w->o->ops[k]);
    mt_metrics_count(w->m, MT_CNT_CONNECTS, 4);
    mt_metrics_count(w->m, MT_CNT_HANDSHAKES, 4);
    mt_metrics_set_gauges(w->m, 4, 4);
    mt_ns next = mt_now_ns() + (mt_ns)w->o->interval_ms * MT_NS_PER_MS;
    record_interval(w, ids);
    while (!atomic_load(&g_stop)) {
        if (mt_now_ns() >= next) {
            mt_metrics_worker_publish(w->m, mt_now_ns());
            next += (mt_ns)w->o->interval_ms * MT_NS_PER_MS;
            record_interval(w, ids);
        }
        struct timespec ts = {0, 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    /* final publish: the reporter keeps collecting until every worker is in */
    while (!mt_metrics_worker_publish(w->m, mt_now_ns()) && !atomic_load(&g_abort)) {
        struct timespec ts = {0, 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    return NULL;
}

static int parse_ops(const char *list, struct synth_opts *o)
{
    char buf[1024];
    snprintf(buf, sizeof(buf), "%s", list);
    o->n_ops = 0;
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (o->n_ops >= MT_METRICS_MAX_OPS || strlen(t) >= MT_METRICS_OP_NAME_MAX)
            return -1;
        snprintf(o->ops[o->n_ops++], MT_METRICS_OP_NAME_MAX, "%s", t);
    }
    return o->n_ops ? 0 : -1;
}

static int parse_synth_args(int argc, char **argv, struct synth_opts *o)
{
    *o = (struct synth_opts){.workers = 2, .intervals = 3, .interval_ms = 200, .rate = 2000,
                             .seed = 1, .transport = "intermediate"};
    parse_ops("ping,echo", o);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v)
            return -1;
        i++;
        if (!strcmp(a, "--workers")) o->workers = atoi(v);
        else if (!strcmp(a, "--intervals")) o->intervals = atoi(v);
        else if (!strcmp(a, "--interval-ms")) o->interval_ms = atoi(v);
        else if (!strcmp(a, "--rate")) o->rate = atoi(v);
        else if (!strcmp(a, "--seed")) o->seed = strtoull(v, NULL, 10);
        else if (!strcmp(a, "--ops")) { if (parse_ops(v, o)) return -1; }
        else if (!strcmp(a, "--json")) o->json = v;
        else if (!strcmp(a, "--csv")) o->csv = v;
        else if (!strcmp(a, "--hlog")) o->hlog = v;
        else if (!strcmp(a, "--prometheus")) o->prom = v;
        else if (!strcmp(a, "--port-file")) o->port_file = v;
        else if (!strcmp(a, "--linger")) o->linger = atof(v);
        else if (!strcmp(a, "--transport")) o->transport = v;
        else if (!strcmp(a, "--threshold")) {
            if (o->n_thr >= SYNTH_MAX_THR)
                return -1;
            o->thr_text[o->n_thr++] = v;
        } else
            return -1;
    }
    if (o->workers < 1 || o->workers > SYNTH_MAX_WORKERS || o->intervals < 1 || o->interval_ms < 1 || o->rate < 0)
        return -1;
    return 0;
}

static int write_port_file(const char *path, int port)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fprintf(f, "%d\n", port);
    return fclose(f);
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000 * 1000};
    nanosleep(&ts, NULL);
}

/* The reporter: one tick per interval until done or signalled, then stop
 * the workers, ticking while they make their final publishes. */
static int report_run(const struct synth_opts *o, struct synth_worker *w,
                      struct mt_metrics_reporter *rep, struct mt_metrics_outputs *out, mt_ns t0)
{
    int io_err = 0;
    for (int iv = 1; iv <= o->intervals && !g_signalled; iv++) {
        mt_ns due = t0 + (mt_ns)iv * (mt_ns)o->interval_ms * MT_NS_PER_MS + 20 * MT_NS_PER_MS;
        while (mt_now_ns() < due && !g_signalled)
            sleep_ms(2);
        if (mt_metrics_outputs_tick(out, rep, mt_now_ns()) < 0)
            io_err = 1;
    }
    atomic_store(&g_stop, 1);
    for (int i = 0; i < o->workers; i++) {
        while (pthread_tryjoin_np(w[i].th, NULL) != 0) {
            if (mt_metrics_outputs_tick(out, rep, mt_now_ns()) < 0)
                io_err = 1;
            sleep_ms(1);
        }
    }
    if (mt_metrics_outputs_tick(out, rep, mt_now_ns()) < 0)
        io_err = 1;
    return io_err;
}

static int run_and_export(const struct synth_opts *o, struct synth_worker *w,
                          struct mt_metrics_worker **mw, struct mt_metrics_outputs *out,
                          double wall0, mt_ns t0)
{
    struct mt_metrics_reporter *rep = mt_metrics_reporter_new(mw, o->workers, wall0, t0);
    if (!rep) {
        atomic_store(&g_abort, 1);
        atomic_store(&g_stop, 1);
        for (int i = 0; i < o->workers; i++)
            pthread_join(w[i].th, NULL);
        return 2;
    }
    int io_err = report_run(o, w, rep, out, t0);
    mt_metrics_reporter_finish(rep, mt_wall_s(), mt_now_ns(), g_signalled ? 1 : 0);
    int failed = mt_metrics_outputs_finish(out, rep->total, stdout);
    mt_metrics_reporter_free(rep);
    if (io_err || failed < 0)
        return 2;
    return failed ? 99 : 0;
}

int mt_metrics_synth_main(int argc, char **argv);
int mt_metrics_synth_main(int argc, char **argv)
{
    static struct synth_opts o;
    if (parse_synth_args(argc, argv, &o)) {
        fprintf(stderr, "usage: synth [--workers N] [--intervals N] [--interval-ms MS] [--rate N]\n"
                        "  [--ops a,b] [--seed S] [--json F] [--csv F] [--hlog F] [--prometheus ADDR:PORT]\n"
                        "  [--port-file F] [--linger S] [--transport T] [--threshold EXPR]...\n");
        return 2;
    }
    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    struct mt_metrics_env env = {.crypto_tier = "none", .threads = o.workers, .transport = o.transport};
    json_t *config = json_pack("{s:s,s:i,s:i,s:i,s:i,s:I}", "mode", "synthetic", "workers", o.workers,
                               "intervals", o.intervals, "interval_ms", o.interval_ms, "rate", o.rate,
                               "seed", (json_int_t)o.seed);
    struct mt_metrics_outputs_cfg ocfg = {
        .kind = "run", .json_path = o.json, .csv_path = o.csv, .hlog_path = o.hlog,
        .prom_addr = o.prom, .linger_s = o.linger, .env = &env, .config = config,
        .thresholds = o.thr_text, .n_thresholds = o.n_thr,
    };
    double wall0 = mt_wall_s();
    mt_ns t0 = mt_now_ns();
    struct mt_metrics_outputs *out;
    if (mt_metrics_outputs_open(&out, &ocfg, wall0)) {
        json_decref(config);
        return 2;
    }
    if (o.port_file && write_port_file(o.port_file, mt_metrics_outputs_prom_port(out))) {
        mt_metrics_outputs_close(out, NULL);
        json_decref(config);
        return 2;
    }
    static struct synth_worker w[SYNTH_MAX_WORKERS];
    static struct mt_metrics_worker *mw[SYNTH_MAX_WORKERS];
    int started = 0, rc = 2;
    for (; started < o.workers; started++) {
        mw[started] = mt_metrics_worker_new(0, 0, 0);
        w[started] = (struct synth_worker){.m = mw[started], .o = &o, .rng = o.seed * 1000003u + (uint64_t)started};
        if (!mw[started] || pthread_create(&w[started].th, NULL, synth_worker_main, &w[started]))
            break;
    }
    if (started == o.workers) {
        rc = run_and_export(&o, w, mw, out, wall0, t0);
    } else {
        atomic_store(&g_abort, 1);
        atomic_store(&g_stop, 1);
        for (int i = 0; i < started; i++)
            pthread_join(w[i].th, NULL);
    }
    /* linger so that the last scrape sees the final totals */
    mt_metrics_outputs_close(out, &g_stop_linger);
    json_decref(config);
    for (int i = 0; i < o.workers; i++)
        mt_metrics_worker_free(mw[i]);
    return rc;
}
