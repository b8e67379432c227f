/* `mtload run` options: the table, the value parsers specific to run, and
 * the cross-option validation. Printing and plans are in config_print.c. */
#include "loadgen/config.h"
#include "loadgen/config_opts.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <unistd.h>

#define CFG(p) ((struct mt_run_config *)(p))

const char *mt_run_transport_name(enum mt_run_transport t)
{
    static const char *names[] = {"intermediate", "abridged", "padded", "full"};
    return (unsigned)t < MT_ARRAY_LEN(names) ? names[t] : "?";
}

static int parse_transport(void *cfg, const char *v, struct mt_why *why)
{
    for (int t = MT_RUN_TR_INTERMEDIATE; t <= MT_RUN_TR_FULL; t++) {
        if (!strcmp(v, mt_run_transport_name((enum mt_run_transport)t))) {
            CFG(cfg)->transport = (enum mt_run_transport)t;
            return 0;
        }
    }
    return mt_why_set(why, MT_E_INVAL, "'%.40s' is not a transport (intermediate, abridged, padded, full)", v);
}

int mt_parse_secret(const char *hex, uint8_t out[MT_SECRET_MAX], size_t *len, struct mt_why *why)
{
    uint8_t buf[64];
    size_t n = strlen(hex);
    if (n > 2 * sizeof buf)
        return mt_why_set(why, MT_E_RANGE, "secret too long (want 32 hex digits, or dd + 32)");
    int got = mt_hex_decode(hex, buf, sizeof buf);
    if (got < 0)
        return mt_why_set(why, MT_E_INVAL, "'%.40s' is not hex (want 32 hex digits, or dd + 32)", hex);
    if (got > 0 && buf[0] == 0xee)
        return mt_why_set(why, MT_E_UNSUPPORTED, "ee (fake-TLS) secrets are not supported; "
                          "use a plain (16 bytes) or dd secret");
    if (got != 16 && !(got == 17 && buf[0] == 0xdd))
        return mt_why_set(why, MT_E_INVAL, "a secret is 16 bytes (32 hex digits), or dd followed "
                          "by 16 bytes; got %d bytes", got);
    memcpy(out, buf, (size_t)got);
    *len = (size_t)got;
    mt_wipe(buf, sizeof buf);
    return 0;
}

static int parse_secret_opt(void *cfg, const char *v, struct mt_why *why)
{
    return mt_parse_secret(v, CFG(cfg)->secret, &CFG(cfg)->secret_len, why);
}

static int parse_dc(void *cfg, const char *v, struct mt_why *why)
{
    int64_t dc;
    int rc = mt_parse_i64(v, INT16_MIN, INT16_MAX, &dc, why);
    if (rc) return rc;
    if (dc == 0)
        return mt_why_set(why, MT_E_RANGE, "DC id 0 does not exist (1..5, negative for media DCs)");
    CFG(cfg)->dc = dc;
    return 0;
}

static int parse_workload(void *cfg, const char *v, struct mt_why *why)
{
    return mt_wl_mix_add(&CFG(cfg)->workload, v, why);
}

static void reset_workload(void *cfg)
{
    mt_wl_mix_free(&CFG(cfg)->workload);
}

int mt_parse_stages(const char *s, struct mt_stage *out, size_t *n, struct mt_why *why)
{
    size_t k = 0;
    if (!s || !*s)
        return mt_why_set(why, MT_E_INVAL, "empty stage list (want DURATION:TARGET,...)");
    for (const char *p = s;;) {
        size_t len = strcspn(p, ",");
        char item[96];
        if (len == 0 || len >= sizeof item)
            return mt_why_set(why, MT_E_INVAL, "stage %zu: want DURATION:TARGET, e.g. 10s:1k", k + 1);
        if (k == MT_STAGES_MAX)
            return mt_why_set(why, MT_E_RANGE, "more than %d stages", MT_STAGES_MAX);
        memcpy(item, p, len);
        item[len] = 0;
        char *colon = strchr(item, ':');
        if (!colon)
            return mt_why_set(why, MT_E_INVAL, "stage %zu '%s': want DURATION:TARGET, e.g. 10s:1k", k + 1, item);
        *colon = 0;
        struct mt_why inner;
        if (mt_parse_duration(item, &out[k].duration, &inner))
            return mt_why_set(why, MT_E_INVAL, "stage %zu: %s", k + 1, inner.msg);
        if (mt_parse_rate(colon + 1, true, &out[k].target, &inner))
            return mt_why_set(why, MT_E_INVAL, "stage %zu: %s", k + 1, inner.msg);
        k++;
        if (!p[len]) break;
        p += len + 1;
    }
    *n = k;
    return 0;
}

static int parse_stages_opt(void *cfg, const char *v, struct mt_why *why)
{
    return mt_parse_stages(v, CFG(cfg)->stages, &CFG(cfg)->n_stages, why);
}

static int parse_stages_of(void *cfg, const char *v, struct mt_why *why)
{
    if (!strcmp(v, "rate")) CFG(cfg)->stages_of = MT_STAGES_OF_RATE;
    else if (!strcmp(v, "sessions")) CFG(cfg)->stages_of = MT_STAGES_OF_SESSIONS;
    else return mt_why_set(why, MT_E_INVAL, "'%.40s': want rate or sessions", v);
    return 0;
}

static int parse_dh_bits(void *cfg, const char *v, struct mt_why *why)
{
    if (!strcmp(v, "2048")) CFG(cfg)->dh_exponent_bits = 2048;
    else if (!strcmp(v, "256")) CFG(cfg)->dh_exponent_bits = 256;
    else return mt_why_set(why, MT_E_INVAL, "'%.40s': want 2048 (as the spec says) or 256", v);
    return 0;
}

static int parse_source_ips(void *cfg, const char *v, struct mt_why *why)
{
    struct mt_run_config *c = CFG(cfg);
    int rc = mt_parse_ipv4_range(v, &c->source_ip_first, &c->source_ip_last, why);
    c->have_source_ips = rc == 0;
    return rc;
}

static int parse_threshold(void *cfg, const char *v, struct mt_why *why)
{
    struct mt_run_config *c = CFG(cfg);
    if (!*v) return mt_why_set(why, MT_E_INVAL, "empty threshold");
    if (c->n_thresholds == MT_THRESHOLDS_MAX)
        return mt_why_set(why, MT_E_RANGE, "more than %d thresholds", MT_THRESHOLDS_MAX);
    if (!(c->thresholds[c->n_thresholds] = strdup(v)))
        return mt_why_set(why, MT_E_NOMEM, "out of memory");
    c->n_thresholds++;
    return 0;
}

static void reset_thresholds(void *cfg)
{
    struct mt_run_config *c = CFG(cfg);
    for (size_t i = 0; i < c->n_thresholds; i++) free(c->thresholds[i]);
    c->n_thresholds = 0;
}

#define OFF(f) offsetof(struct mt_run_config, f)
#define D_MS MT_NS_PER_MS
#define D_S MT_NS_PER_S
#define D_MAX MT_DURATION_MAX_NS

static const struct mt_opt run_opts[O_COUNT] = {
    [O_CONFIG] = {"config", 0, MT_OPTK_STRING, MT_OPT_EARLY, OFF(config_path), 0, 0, NULL, NULL, "FILE",
                  "read options from a `key = value` file; flags override it"},
    [O_HELP] = {"help", 'h', MT_OPTK_FLAG, MT_OPT_EARLY, OFF(opt.help), 0, 0, NULL, NULL, NULL, "this help"},
    [O_TARGET] = {"target", 0, MT_OPTK_HOSTPORT, 0, OFF(target), 0, 0, NULL, NULL, "HOST:PORT",
                  "server to load (required); [v6]:port for IPv6"},
    [O_RSA_KEY] = {"rsa-key", 0, MT_OPTK_STRING, 0, OFF(rsa_key_path), 0, 0, NULL, NULL, "PEM",
                   "the server's RSA public key (needed to create auth keys)"},
    [O_TRANSPORT] = {"transport", 0, MT_OPTK_CUSTOM, 0, 0, 0, 0, parse_transport, NULL, "NAME",
                     "intermediate (default), abridged, padded or full"},
    [O_OBFUSCATED] = {"obfuscated", 0, MT_OPTK_FLAG, 0, OFF(obfuscated), 0, 0, NULL, NULL, NULL,
                      "obfuscate the transport (AES-CTR header, as MTProxy expects)"},
    [O_SECRET] = {"secret", 0, MT_OPTK_CUSTOM, 0, 0, 0, 0, parse_secret_opt, NULL, "HEX",
                  "MTProxy secret: 16 bytes, or dd + 16 bytes (padded); needs --obfuscated"},
    [O_DC] = {"dc", 0, MT_OPTK_CUSTOM, 0, 0, 0, 0, parse_dc, NULL, "N",
              "DC id in the obfuscation header (default 2)"},
    [O_SCHEMA] = {"schema", 0, MT_OPTK_STRING, 0, OFF(schema_path), 0, 0, NULL, NULL, "FILE",
                  "extra TL schema for rpc: workloads (api.tl is built in)"},
    [O_SESSIONS] = {"sessions", 0, MT_OPTK_COUNT, 0, OFF(sessions), 1, MT_RUN_SESSIONS_MAX, NULL, NULL, "N",
                    "sessions, each with its own auth key (default 8)"},
    [O_THREADS] = {"threads", 0, MT_OPTK_U64, 0, OFF(threads), 1, MT_RUN_THREADS_MAX, NULL, NULL, "T",
                   "worker threads (default: online CPUs, at most --sessions)"},
    [O_SESSIONS_PER_CONN] = {"sessions-per-conn", 0, MT_OPTK_COUNT, 0, OFF(sessions_per_conn), 1, 65536,
                             NULL, NULL, "N", "sessions sharing one connection (default 1)"},
    [O_DURATION] = {"duration", 0, MT_OPTK_DURATION, 0, OFF(duration), D_MS, D_MAX, NULL, NULL, "DURATION",
                    "measured run time, after the warmup (default 10s)"},
    [O_WARMUP] = {"warmup", 0, MT_OPTK_DURATION, 0, OFF(warmup), 0, D_MAX, NULL, NULL, "DURATION",
                  "load before the measured part, excluded from results (default 0)"},
    [O_WORKLOAD] = {"workload", 0, MT_OPTK_CUSTOM, MT_OPT_REPEAT, 0, 0, 0, parse_workload, reset_workload,
                    "SPEC", "what to send: ping, echo:SIZE, rpc:..., handshake, or a weighted mix"},
    [O_DEPTH] = {"depth", 0, MT_OPTK_COUNT, 0, OFF(depth), 1, MT_RUN_DEPTH_MAX, NULL, NULL, "K",
                 "closed loop: requests in flight per session (default 1)"},
    [O_RATE] = {"rate", 0, MT_OPTK_RATE, 0, OFF(rate), 0, 0, NULL, NULL, "R",
                "open loop: total requests per second over all sessions"},
    [O_STAGES] = {"stages", 0, MT_OPTK_CUSTOM, 0, 0, 0, 0, parse_stages_opt, NULL, "D:V,...",
                  "ramp the rate (or sessions) linearly, e.g. 10s:1k,30s:50k,10s:0"},
    [O_STAGES_OF] = {"stages-of", 0, MT_OPTK_CUSTOM, 0, 0, 0, 0, parse_stages_of, NULL, "WHAT",
                     "what --stages ramps: rate (default) or sessions"},
    [O_CONTAINER] = {"container", 0, MT_OPTK_BOOL, 0, OFF(container), 0, 0, NULL, NULL, "on|off",
                     "pack requests due together into one container (default on)"},
    [O_SEED] = {"seed", 0, MT_OPTK_U64, 0, OFF(seed), 0, UINT64_MAX, NULL, NULL, "N",
                "seed of workload sampling, phases and jitter (default: random)"},
    [O_KEYS] = {"keys", 0, MT_OPTK_STRING, 0, OFF(keys_path), 0, 0, NULL, NULL, "FILE",
                "reuse auth keys saved by an earlier run (--save-keys)"},
    [O_SAVE_KEYS] = {"save-keys", 0, MT_OPTK_STRING, 0, OFF(save_keys_path), 0, 0, NULL, NULL, "FILE",
                     "save the auth keys created in this run"},
    [O_DH_BITS] = {"dh-exponent-bits", 0, MT_OPTK_CUSTOM, 0, 0, 0, 0, parse_dh_bits, NULL, "2048|256",
                   "size of the client's DH exponent b (default 2048, as the spec says)"},
    [O_TEMP_KEYS] = {"temp-keys", 0, MT_OPTK_FLAG, 0, OFF(temp_keys), 0, 0, NULL, NULL, NULL,
                     "create temporary keys and bind them (PFS)"},
    [O_RECONNECT_EVERY] = {"reconnect-every", 0, MT_OPTK_COUNT, 0, OFF(reconnect_every), 0, UINT64_MAX,
                           NULL, NULL, "N", "reconnect after N requests per connection (default never)"},
    [O_CONNECT_TIMEOUT] = {"connect-timeout", 0, MT_OPTK_DURATION, 0, OFF(connect_timeout), D_MS, D_MAX,
                           NULL, NULL, "DURATION", "TCP connect + handshake limit (default 10s)"},
    [O_REQUEST_TIMEOUT] = {"request-timeout", 0, MT_OPTK_DURATION, 0, OFF(request_timeout), D_MS, D_MAX,
                           NULL, NULL, "DURATION", "a request without reply is a timeout (default 10s)"},
    [O_BACKOFF_MIN] = {"backoff-min", 0, MT_OPTK_DURATION, 0, OFF(backoff_min), D_MS, D_MAX, NULL, NULL,
                       "DURATION", "first reconnect delay (default 100ms)"},
    [O_BACKOFF_MAX] = {"backoff-max", 0, MT_OPTK_DURATION, 0, OFF(backoff_max), D_MS, D_MAX, NULL, NULL,
                       "DURATION", "reconnect delay cap (default 5s)"},
    [O_SOURCE_IPS] = {"source-ips", 0, MT_OPTK_CUSTOM, 0, 0, 0, 0, parse_source_ips, NULL, "A-B",
                      "bind connections to these IPv4 addresses (beyond 64k connections)"},
    [O_JSON] = {"json", 0, MT_OPTK_STRING, 0, OFF(json_path), 0, 0, NULL, NULL, "FILE", "write results as JSON"},
    [O_CSV] = {"csv", 0, MT_OPTK_STRING, 0, OFF(csv_path), 0, 0, NULL, NULL, "FILE",
               "write one row per interval per metric"},
    [O_HLOG] = {"hlog", 0, MT_OPTK_STRING, 0, OFF(hlog_path), 0, 0, NULL, NULL, "FILE",
                "write latency histograms as an HdrHistogram log"},
    [O_PROMETHEUS] = {"prometheus", 0, MT_OPTK_HOSTPORT, 0, OFF(prometheus), MT_HP_EMPTY_HOST_OK | MT_HP_PORT0_OK,
                      0, NULL, NULL, "ADDR:PORT", "serve /metrics here"},
    [O_LINGER] = {"linger", 0, MT_OPTK_DURATION, 0, OFF(linger), 0, D_MAX, NULL, NULL, "DURATION",
                  "keep /metrics up this long after the run"},
    [O_THRESHOLD] = {"threshold", 0, MT_OPTK_CUSTOM, MT_OPT_REPEAT, 0, 0, 0, parse_threshold, reset_thresholds,
                     "EXPR", "fail the run (exit 99) unless EXPR holds, e.g. 'p99<5ms'"},
    [O_INTERVAL] = {"interval", 0, MT_OPTK_DURATION, 0, OFF(interval), 10 * D_MS, D_MAX, NULL, NULL,
                    "DURATION", "live line and CSV period (default 1s)"},
    [O_QUIET] = {"quiet", 'q', MT_OPTK_FLAG, 0, OFF(quiet), 0, 0, NULL, NULL, NULL, "no live line"},
    [O_VERBOSE] = {"verbose", 'v', MT_OPTK_COUNTER, 0, OFF(verbose), 0, 0, NULL, NULL, NULL,
                   "more logging (-vv: debug)"},
    [O_PRINT_CONFIG] = {"print-config", 0, MT_OPTK_FLAG, MT_OPT_NOFILE, OFF(print_config), 0, 0, NULL, NULL,
                        NULL, "print the resolved configuration as a config file and exit"},
};

static const struct mt_opt_table run_table = {"run", run_opts, O_COUNT, O_CONFIG, O_HELP};

const struct mt_opt_table *mt_run_options(void) { return &run_table; }

void mt_run_config_defaults(struct mt_run_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->transport = MT_RUN_TR_INTERMEDIATE;
    cfg->dc = 2;
    cfg->sessions = 8;
    cfg->sessions_per_conn = 1;
    cfg->duration = 10 * D_S;
    cfg->depth = 1;
    cfg->container = true;
    cfg->dh_exponent_bits = 2048;
    cfg->connect_timeout = 10 * D_S;
    cfg->request_timeout = 10 * D_S;
    cfg->backoff_min = 100 * D_MS;
    cfg->backoff_max = 5 * D_S;
    cfg->interval = 1 * D_S;
    mt_wl_mix_init(&cfg->workload);
}

void mt_run_config_free(struct mt_run_config *cfg)
{
    mt_opt_free_strings(&run_table, cfg);
    mt_wl_mix_free(&cfg->workload);
    reset_thresholds(cfg);
    mt_wipe(cfg->secret, sizeof cfg->secret);
}

int mt_run_config_parse(struct mt_run_config *cfg, int argc, char **argv, struct mt_diag *d)
{
    mt_run_config_defaults(cfg);
    int rc = mt_opt_parse(&run_table, cfg, &cfg->opt, argc, argv, d);
    if (cfg->opt.help)
        return 0;
    /* validate even after bad values, so that every problem is reported at once */
    if (mt_run_config_validate(cfg, d))
        rc = MT_E_INVAL;
    return rc;
}
