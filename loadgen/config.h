/* loadgen/config: the configuration of `mtload run`, from argv and an
 * optional `--config FILE` (flags override the file), fully validated: a
 * config that mt_run_config_parse accepts can be run as it is. docs/cli.md
 * describes every option. */
#ifndef MT_LG_CONFIG_H
#define MT_LG_CONFIG_H

#include <stdbool.h>
#include "loadgen/options.h"
#include "loadgen/pacing.h"
#include "loadgen/workload.h"

/* Exit codes of every mtload command (DESIGN.md). */
enum {
    MT_EXIT_OK = 0,
    MT_EXIT_USAGE = 2,          /* usage or configuration error */
    MT_EXIT_UNREACHABLE = 3,    /* target unreachable or bad protocol at start-up */
    MT_EXIT_THRESHOLD = 99,     /* a --threshold failed */
};

enum mt_run_transport {
    MT_RUN_TR_INTERMEDIATE = 0,
    MT_RUN_TR_ABRIDGED,
    MT_RUN_TR_PADDED,
    MT_RUN_TR_FULL,
};
const char *mt_run_transport_name(enum mt_run_transport t);

enum mt_run_stages_of { MT_STAGES_OF_RATE = 0, MT_STAGES_OF_SESSIONS };

#define MT_SECRET_MAX 17        /* 16 bytes, or 0xdd + 16 bytes */
#define MT_THRESHOLDS_MAX 32
#define MT_RUN_SESSIONS_MAX 16000000ull
#define MT_RUN_THREADS_MAX 1024ull
#define MT_RUN_DEPTH_MAX 65536ull

struct mt_run_config {
    /* target */
    struct mt_hostport target;
    char *rsa_key_path;                 /* --rsa-key PEM (public key of the server) */
    enum mt_run_transport transport;
    bool obfuscated;
    uint8_t secret[MT_SECRET_MAX];      /* --secret: raw bytes */
    size_t secret_len;                  /* 0, 16, or 17 (secret[0] == 0xdd: padded) */
    int64_t dc;                         /* DC id in the obfuscation header */
    char *schema_path;                  /* --schema extra .tl (api.tl is built in) */

    /* load shape */
    uint64_t sessions;                  /* maximum sessions (the stage peak with --stages-of sessions) */
    uint64_t threads;                   /* worker threads; resolved (never 0) after parse */
    uint64_t sessions_per_conn;
    mt_ns duration;                     /* measured time; 0 with --stages (see end) */
    mt_ns warmup;
    mt_ns end;                          /* offset at which the run ends (warmup + duration, or the stages' sum) */
    struct mt_wl_mix workload;
    uint64_t depth;                     /* closed loop: requests in flight per session */
    double rate;                        /* open loop: total requests/s; 0 = closed loop */
    bool open_loop;                     /* --rate, or --stages of the rate */
    struct mt_stage stages[MT_STAGES_MAX];
    size_t n_stages;
    enum mt_run_stages_of stages_of;
    bool container;                     /* pack several due requests in one container */
    uint64_t seed;                      /* for sampling, phases and jitter; 0 = from the clock */

    /* keys and handshake */
    char *keys_path;                    /* --keys: reuse auth keys from an earlier run */
    char *save_keys_path;               /* --save-keys: write the keys created in this run */
    uint64_t dh_exponent_bits;          /* 2048 (spec) or 256 (cheaper load generator) */
    bool temp_keys;                     /* temporary keys bound to the permanent ones */

    /* churn and timeouts */
    uint64_t reconnect_every;           /* requests per connection; 0 = never */
    mt_ns connect_timeout, request_timeout;
    mt_ns backoff_min, backoff_max;
    bool have_source_ips;
    uint32_t source_ip_first, source_ip_last;   /* host byte order, inclusive */

    /* outputs */
    char *json_path, *csv_path, *hlog_path;
    bool have_prometheus;
    struct mt_hostport prometheus;
    mt_ns linger;                       /* keep /metrics up this long after the run */
    char *thresholds[MT_THRESHOLDS_MAX];/* kept as text; the metrics layer parses them */
    size_t n_thresholds;
    mt_ns interval;                     /* live line and CSV row period */
    bool quiet;
    unsigned verbose;
    bool print_config;                  /* --print-config: print the resolved config, exit 0 */

    char *config_path;
    struct mt_opt_state opt;            /* which options were given, and where */
};

/* Defaults, then argv (argv[0] is the subcommand name and is skipped), then
 * validation. Returns 0; or MT_E_INVAL with every problem in d. When
 * cfg->opt.help is set the caller prints help and nothing was validated.
 * Always call mt_run_config_free afterwards. */
int mt_run_config_parse(struct mt_run_config *cfg, int argc, char **argv, struct mt_diag *d);
void mt_run_config_free(struct mt_run_config *cfg);
/* The same table drives help, the config file and the fuzzers. */
const struct mt_opt_table *mt_run_options(void);
void mt_run_config_defaults(struct mt_run_config *cfg);
/* Cross-option checks and derived values (threads, end, open_loop...). */
int mt_run_config_validate(struct mt_run_config *cfg, struct mt_diag *d);
/* The resolved configuration as `key = value` lines (a valid config file). */
void mt_run_config_print(const struct mt_run_config *cfg, FILE *out);
void mt_run_print_help(FILE *out);

/* The open-loop plan of a validated config (rate or rate stages), for
 * `sessions` schedules. MT_E_STATE for a closed-loop config. */
int mt_run_config_pace_plan(const struct mt_run_config *cfg, struct mt_pace_plan *plan);
/* The sessions ramp of --stages-of sessions (value = sessions wanted at an
 * offset); MT_E_STATE otherwise. */
int mt_run_config_sessions_plan(const struct mt_run_config *cfg, struct mt_pace_plan *plan);

/* ---- spreading a validated config over workers (pure) -------------------
 * Sessions are dealt to workers round robin (session i -> worker i % T), so
 * that a sessions ramp, which starts sessions in index order, loads every
 * worker evenly. */
static inline uint64_t mt_run_worker_of(const struct mt_run_config *cfg, uint64_t session)
{
    return session % cfg->threads;
}
/* How many sessions worker w owns; its k-th is session w + k * threads. */
static inline uint64_t mt_run_worker_sessions(const struct mt_run_config *cfg, uint64_t w)
{
    return cfg->sessions / cfg->threads + (w < cfg->sessions % cfg->threads);
}
/* Local source address (host byte order) for connection number `conn`
 * with --source-ips, round robin; 0 without it. */
static inline uint32_t mt_run_source_ip(const struct mt_run_config *cfg, uint64_t conn)
{
    if (!cfg->have_source_ips) return 0;
    uint64_t n = (uint64_t)cfg->source_ip_last - cfg->source_ip_first + 1;
    return cfg->source_ip_first + (uint32_t)(conn % n);
}

/* Shared by the run and server configs: "--secret HEX" (16 bytes, or dd +
 * 16 bytes; "ee" fake-TLS secrets are refused). */
int mt_parse_secret(const char *hex, uint8_t out[MT_SECRET_MAX], size_t *len, struct mt_why *why);
/* "10s:1k,30s:50k,10s:0" */
int mt_parse_stages(const char *s, struct mt_stage *out, size_t *n, struct mt_why *why);

#endif
