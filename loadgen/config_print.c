/* `mtload run`: the resolved configuration as a config file, the help
 * text, and the pacing plans a validated config implies. */
#include "loadgen/config.h"

#include <inttypes.h>
#include <stdlib.h>

static void kv_str(FILE *out, const char *k, const char *v)
{
    if (v) mt_opt_print_kv(out, k, v);
}

static void kv_dur(FILE *out, const char *k, mt_ns v)
{
    char b[32];
    mt_format_duration(v, b, sizeof b);
    fprintf(out, "%s = %s\n", k, b);
}

static void kv_u64(FILE *out, const char *k, uint64_t v)
{
    fprintf(out, "%s = %" PRIu64 "\n", k, v);
}

static void print_target(const struct mt_run_config *cfg, FILE *out)
{
    char b[300];
    if (cfg->target.port) {
        mt_hostport_format(&cfg->target, b, sizeof b);
        kv_str(out, "target", b);
    }
    kv_str(out, "rsa-key", cfg->rsa_key_path);
    kv_str(out, "transport", mt_run_transport_name(cfg->transport));
    kv_str(out, "obfuscated", cfg->obfuscated ? "on" : "off");
    if (cfg->secret_len) {
        char hex[2 * MT_SECRET_MAX + 1];
        mt_hex_encode(cfg->secret, cfg->secret_len, hex);
        kv_str(out, "secret", hex);
    }
    if (cfg->obfuscated) fprintf(out, "dc = %" PRId64 "\n", cfg->dc);
    kv_str(out, "schema", cfg->schema_path);
}

static void print_stages(const struct mt_run_config *cfg, FILE *out)
{
    fprintf(out, "stages = ");
    for (size_t i = 0; i < cfg->n_stages; i++) {
        char b[32];
        mt_format_duration(cfg->stages[i].duration, b, sizeof b);
        fprintf(out, "%s%s:%.17g", i ? "," : "", b, cfg->stages[i].target);
    }
    fprintf(out, "\nstages-of = %s\n", cfg->stages_of == MT_STAGES_OF_RATE ? "rate" : "sessions");
}

static void print_load(const struct mt_run_config *cfg, FILE *out)
{
    if (!cfg->n_stages || cfg->stages_of == MT_STAGES_OF_RATE)
        kv_u64(out, "sessions", cfg->sessions);
    kv_u64(out, "threads", cfg->threads);
    kv_u64(out, "sessions-per-conn", cfg->sessions_per_conn);
    if (cfg->n_stages) print_stages(cfg, out);
    else kv_dur(out, "duration", cfg->duration);
    kv_dur(out, "warmup", cfg->warmup);
    int need = mt_wl_mix_format(&cfg->workload, NULL, 0);
    char *wl = malloc((size_t)need + 1);
    if (wl) {
        mt_wl_mix_format(&cfg->workload, wl, (size_t)need + 1);
        kv_str(out, "workload", wl);
        free(wl);
    }
    if (cfg->open_loop && !cfg->n_stages) fprintf(out, "rate = %.17g\n", cfg->rate);
    if (!cfg->open_loop || cfg->depth) kv_u64(out, "depth", cfg->depth);   /* open loop: the cap, if any */
    kv_str(out, "container", cfg->container ? "on" : "off");
    if (cfg->seed) kv_u64(out, "seed", cfg->seed);
}

static void print_keys_and_churn(const struct mt_run_config *cfg, FILE *out)
{
    kv_str(out, "keys", cfg->keys_path);
    kv_str(out, "save-keys", cfg->save_keys_path);
    kv_u64(out, "dh-exponent-bits", cfg->dh_exponent_bits);
    kv_str(out, "temp-keys", cfg->temp_keys ? "on" : "off");
    kv_u64(out, "reconnect-every", cfg->reconnect_every);
    kv_dur(out, "connect-timeout", cfg->connect_timeout);
    kv_dur(out, "request-timeout", cfg->request_timeout);
    kv_dur(out, "backoff-min", cfg->backoff_min);
    kv_dur(out, "backoff-max", cfg->backoff_max);
    if (cfg->have_source_ips) {
        unsigned a = cfg->source_ip_first, b = cfg->source_ip_last;
        fprintf(out, "source-ips = %u.%u.%u.%u-%u.%u.%u.%u\n", a >> 24, (a >> 16) & 255, (a >> 8) & 255,
                a & 255, b >> 24, (b >> 16) & 255, (b >> 8) & 255, b & 255);
    }
}

static void print_outputs(const struct mt_run_config *cfg, FILE *out)
{
    kv_str(out, "json", cfg->json_path);
    kv_str(out, "csv", cfg->csv_path);
    kv_str(out, "hlog", cfg->hlog_path);
    if (cfg->have_prometheus) {
        char b[300];
        mt_hostport_format(&cfg->prometheus, b, sizeof b);
        kv_str(out, "prometheus", b);
        kv_dur(out, "linger", cfg->linger);
    }
    for (size_t i = 0; i < cfg->n_thresholds; i++)
        kv_str(out, "threshold", cfg->thresholds[i]);
    kv_dur(out, "interval", cfg->interval);
    kv_str(out, "quiet", cfg->quiet ? "on" : "off");
    kv_u64(out, "verbose", cfg->verbose);
}

void mt_run_config_print(const struct mt_run_config *cfg, FILE *out)
{
    fprintf(out, "# mtload run: resolved configuration\n");
    print_target(cfg, out);
    print_load(cfg, out);
    print_keys_and_churn(cfg, out);
    print_outputs(cfg, out);
}

void mt_run_print_help(FILE *out)
{
    mt_opt_print_help(mt_run_options(),
        "usage: mtload run --target HOST:PORT --rsa-key PEM [options]\n\n"
        "Load an MTProto 2.0 server with many sessions and report throughput and latency.\n"
        "Durations take ns/us/ms/s/m/h (a bare number is seconds); counts take k/M/G;\n"
        "sizes take B, k/M/G (decimal) or KiB/MiB/GiB. See docs/cli.md.", out);
}

int mt_run_config_pace_plan(const struct mt_run_config *cfg, struct mt_pace_plan *plan)
{
    if (!cfg->open_loop)
        return MT_E_STATE;
    if (cfg->n_stages)
        return mt_pace_plan_stages(plan, 0, cfg->stages, cfg->n_stages, cfg->warmup,
                                   (uint32_t)cfg->sessions);
    return mt_pace_plan_constant(plan, cfg->rate, cfg->warmup, cfg->duration, (uint32_t)cfg->sessions);
}

int mt_run_config_sessions_plan(const struct mt_run_config *cfg, struct mt_pace_plan *plan)
{
    if (!cfg->n_stages || cfg->stages_of != MT_STAGES_OF_SESSIONS)
        return MT_E_STATE;
    return mt_pace_plan_stages(plan, 0, cfg->stages, cfg->n_stages, cfg->warmup, 1);
}
