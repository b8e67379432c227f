/* Cross-option rules of `mtload run`: every combination that cannot run is
 * refused here with its reason, and derived values (threads, the end of the
 * run, open or closed loop) are resolved. Each rule adds its own message,
 * so the user sees every problem at once. */
#include "loadgen/config.h"
#include "loadgen/config_opts.h"
#include "core/metrics/mt_metrics.h"

#include <math.h>
#include <unistd.h>

#define GIVEN(id) mt_opt_given(&cfg->opt, (id))

static void check_target(struct mt_run_config *cfg, struct mt_diag *d)
{
    if (!GIVEN(O_TARGET))
        mt_diag_add(d, "--target is required (HOST:PORT of the server)");
    bool reuse_only = cfg->keys_path && !cfg->temp_keys && !mt_wl_mix_has(&cfg->workload, MT_WL_HANDSHAKE);
    if (!cfg->rsa_key_path && !reuse_only)
        mt_diag_add(d, "--rsa-key is required to create auth keys (the server's public key, PEM); "
                    "only a run that reuses --keys without handshakes can go without it");
}

static void check_transport(struct mt_run_config *cfg, struct mt_diag *d)
{
    if (cfg->secret_len && !cfg->obfuscated)
        mt_diag_add(d, "--secret needs --obfuscated (the secret keys the obfuscation)");
    if (cfg->secret_len == 17) {
        if (!GIVEN(O_TRANSPORT))
            cfg->transport = MT_RUN_TR_PADDED;      /* a dd secret means padded intermediate */
        else if (cfg->transport != MT_RUN_TR_PADDED)
            mt_diag_add(d, "--secret dd...: a dd secret needs --transport padded, not %s",
                        mt_run_transport_name(cfg->transport));
    }
    if (cfg->obfuscated && cfg->transport == MT_RUN_TR_FULL)
        mt_diag_add(d, "--transport full cannot be obfuscated (use abridged, intermediate or padded)");
    if (GIVEN(O_DC) && !cfg->obfuscated)
        mt_diag_add(d, "--dc only goes into the obfuscation header: it needs --obfuscated");
    if (cfg->have_source_ips && cfg->target.kind == MT_HOST_IPV6)
        mt_diag_add(d, "--source-ips are IPv4 but --target is an IPv6 address");
}

static bool whole(double v) { return v == floor(v); }

static void check_stages(struct mt_run_config *cfg, struct mt_diag *d)
{
    if (!cfg->n_stages) {
        if (GIVEN(O_STAGES_OF))
            mt_diag_add(d, "--stages-of needs --stages");
        return;
    }
    mt_ns total = 0;
    double peak = 0;
    for (size_t i = 0; i < cfg->n_stages; i++) {
        total += cfg->stages[i].duration;
        if (cfg->stages[i].target > peak) peak = cfg->stages[i].target;
    }
    if (total == 0 || total > MT_DURATION_MAX_NS)
        mt_diag_add(d, "--stages: the stages must last between 1ns and 10 years in total");
    if (GIVEN(O_DURATION))
        mt_diag_add(d, "--duration conflicts with --stages: the run lasts as long as its stages");
    if (cfg->stages_of == MT_STAGES_OF_RATE) {
        if (GIVEN(O_RATE))
            mt_diag_add(d, "--rate conflicts with --stages: the stages set the rate");
        if (peak == 0)
            mt_diag_add(d, "--stages: every stage has rate 0; nothing would be sent");
        cfg->open_loop = true;
    } else {
        if (GIVEN(O_SESSIONS))
            mt_diag_add(d, "--sessions conflicts with --stages-of sessions: the stages set the session count");
        if (GIVEN(O_RATE))
            mt_diag_add(d, "--rate with --stages-of sessions is not supported; ramp the rate with "
                        "--stages-of rate, or use --depth");
        for (size_t i = 0; i < cfg->n_stages; i++)
            if (!whole(cfg->stages[i].target))
                mt_diag_add(d, "--stages: stage %zu: a session count must be whole", i + 1);
        if (peak < 1 || peak > MT_RUN_SESSIONS_MAX)
            mt_diag_add(d, "--stages: the session peak must be within 1..%llu",
                        (unsigned long long)MT_RUN_SESSIONS_MAX);
        else
            cfg->sessions = (uint64_t)peak;
    }
    if (total && cfg->warmup >= total)
        mt_diag_add(d, "--warmup must end before the stages do");
    cfg->duration = 0;
    cfg->end = total;
}

static void check_loop(struct mt_run_config *cfg, struct mt_diag *d)
{
    if (GIVEN(O_RATE))
        cfg->open_loop = true;
    /* open loop: --depth caps the requests in flight per session (requests
     * due at the cap wait on the client, as in wrk2); without it, none */
    if (cfg->open_loop && !GIVEN(O_DEPTH))
        cfg->depth = 0;
    if (!cfg->n_stages) {
        cfg->end = cfg->warmup + cfg->duration;
        if (cfg->end > MT_DURATION_MAX_NS)
            mt_diag_add(d, "--warmup + --duration is longer than 10 years");
    }
    if (mt_wl_mix_has(&cfg->workload, MT_WL_HANDSHAKE)) {
        if (cfg->depth > 1)
            mt_diag_add(d, "--depth: the handshake workload has one handshake per session at a time");
        if (cfg->reconnect_every)
            mt_diag_add(d, "--reconnect-every: the handshake workload reconnects after every handshake");
        if (cfg->keys_path)
            mt_diag_add(d, "--keys reuses auth keys, but the handshake workload creates a new one each time");
    }
}

static void check_sessions(struct mt_run_config *cfg, struct mt_diag *d)
{
    if (cfg->sessions_per_conn > cfg->sessions)
        mt_diag_add(d, "--sessions-per-conn %llu is more than the %llu sessions",
                    (unsigned long long)cfg->sessions_per_conn, (unsigned long long)cfg->sessions);
    if (GIVEN(O_THREADS)) {
        if (cfg->threads > cfg->sessions)
            mt_diag_add(d, "--threads %llu is more than the %llu sessions (each thread needs one)",
                        (unsigned long long)cfg->threads, (unsigned long long)cfg->sessions);
    } else {
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        cfg->threads = cpus > 0 ? (uint64_t)cpus : 1;
        if (cfg->threads > MT_RUN_THREADS_MAX) cfg->threads = MT_RUN_THREADS_MAX;
        if (cfg->threads > cfg->sessions) cfg->threads = cfg->sessions;
        if (cfg->threads == 0) cfg->threads = 1;
    }
    if (cfg->open_loop && cfg->rate > 0 && cfg->rate / (double)cfg->sessions < 1e-3)
        mt_diag_add(d, "--rate %g over %llu sessions is below one request per 1000 s per session",
                    cfg->rate, (unsigned long long)cfg->sessions);
}

static void check_misc(struct mt_run_config *cfg, struct mt_diag *d)
{
    if (cfg->backoff_min > cfg->backoff_max)
        mt_diag_add(d, "--backoff-min is above --backoff-max");
    cfg->have_prometheus = GIVEN(O_PROMETHEUS);
    if (GIVEN(O_LINGER) && !cfg->have_prometheus)
        mt_diag_add(d, "--linger keeps the /metrics endpoint up: it needs --prometheus");
    if (cfg->quiet && cfg->verbose)
        mt_diag_add(d, "-q and -v contradict each other");
    if (cfg->keys_path && cfg->save_keys_path && !strcmp(cfg->keys_path, cfg->save_keys_path))
        mt_diag_add(d, "--save-keys would overwrite the --keys file being read; use another path");
    for (size_t i = 0; i < cfg->n_thresholds; i++) {
        struct mt_threshold t;
        if (mt_threshold_parse(cfg->thresholds[i], &t))
            mt_diag_add(d, "--threshold: '%.80s' is not a threshold ([op:]metric cmp value, e.g. "
                        "p99<5ms, ping:p50<=200us, error_rate<0.1%%, rps>100k)", cfg->thresholds[i]);
    }
    const char *outs[] = {cfg->json_path, cfg->csv_path, cfg->hlog_path};
    const char *names[] = {"--json", "--csv", "--hlog"};
    for (int i = 0; i < 3; i++)
        for (int j = i + 1; j < 3; j++)
            if (outs[i] && outs[j] && !strcmp(outs[i], outs[j]))
                mt_diag_add(d, "%s and %s write the same file '%.100s'", names[i], names[j], outs[i]);
}

int mt_run_config_validate(struct mt_run_config *cfg, struct mt_diag *d)
{
    unsigned before = d->n + d->dropped;
    mt_wl_mix_default(&cfg->workload);
    check_target(cfg, d);
    check_transport(cfg, d);
    check_stages(cfg, d);
    check_loop(cfg, d);
    check_sessions(cfg, d);
    check_misc(cfg, d);
    return d->n + d->dropped > before ? MT_E_INVAL : 0;
}
