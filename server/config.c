/* `mtload server` options: table, validation, printing and the pure fault
 * decisions the workers apply per reply. */
#include "server/config.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <unistd.h>

enum srv_opt {
    S_CONFIG, S_HELP, S_LISTEN, S_THREADS, S_RSA_KEY, S_PUBLIC_KEY_OUT, S_SECRET, S_MAX_CONNECTIONS,
    S_MAX_FRAME, S_HANDSHAKE_TIMEOUT, S_IDLE_TIMEOUT, S_PROMETHEUS, S_FAULT_DELAY, S_FAULT_DROP,
    S_FAULT_FLOOD_WAIT, S_FAULT_429, S_FAULT_DISCONNECT, S_FAULT_BAD_SALT, S_FAULT_STALL, S_SEED,
    S_QUIET, S_VERBOSE, S_PRINT_CONFIG, S_JSON, S_CSV, S_HLOG, S_COUNT
};

#define CFG(p) ((struct mt_srv_config *)(p))
#define OFF(f) offsetof(struct mt_srv_config, f)
#define D_MS MT_NS_PER_MS
#define D_S MT_NS_PER_S

static int parse_secret_opt(void *cfg, const char *v, struct mt_why *why)
{
    return mt_parse_secret(v, CFG(cfg)->secret, &CFG(cfg)->secret_len, why);
}

static int parse_delay(void *cfg, const char *v, struct mt_why *why)
{
    int rc = mt_dist_parse(v, &CFG(cfg)->faults.delay, why);
    CFG(cfg)->faults.delay_on = rc == 0;
    return rc;
}

/* RATE[:SECONDS] */
static int parse_flood_wait(void *cfg, const char *v, struct mt_why *why)
{
    struct mt_srv_faults *f = &CFG(cfg)->faults;
    char rate[64];
    size_t n = strcspn(v, ":");
    if (n >= sizeof rate)
        return mt_why_set(why, MT_E_RANGE, "want RATE[:SECONDS], e.g. 1%%:30");
    memcpy(rate, v, n);
    rate[n] = 0;
    int rc = mt_parse_percent(rate, &f->flood_wait, why);
    if (rc) return rc;
    f->flood_wait_seconds = 1;
    if (v[n] == ':') {
        mt_ns secs;
        struct mt_why inner;
        if (mt_parse_duration(v + n + 1, &secs, &inner))
            return mt_why_set(why, MT_E_INVAL, "seconds: %s", inner.msg);
        if (secs % D_S || secs == 0 || secs / D_S > INT32_MAX)
            return mt_why_set(why, MT_E_RANGE, "FLOOD_WAIT_X takes whole seconds, at least 1");
        f->flood_wait_seconds = (uint32_t)(secs / D_S);
    }
    return 0;
}

static int parse_rate_field(double *out, void *cfg, const char *v, struct mt_why *why)
{
    (void)cfg;
    return mt_parse_percent(v, out, why);
}
static int parse_429(void *cfg, const char *v, struct mt_why *why)
{
    return parse_rate_field(&CFG(cfg)->faults.transport_429, cfg, v, why);
}
static int parse_disconnect(void *cfg, const char *v, struct mt_why *why)
{
    return parse_rate_field(&CFG(cfg)->faults.disconnect, cfg, v, why);
}
static int parse_drop(void *cfg, const char *v, struct mt_why *why)
{
    return parse_rate_field(&CFG(cfg)->faults.drop, cfg, v, why);
}

/* PERIOD:DURATION, e.g. 10s:2s */
static int parse_stall(void *cfg, const char *v, struct mt_why *why)
{
    struct mt_srv_faults *f = &CFG(cfg)->faults;
    char period[64];
    size_t n = strcspn(v, ":");
    if (!v[n] || n >= sizeof period)
        return mt_why_set(why, MT_E_INVAL, "want PERIOD:DURATION, e.g. 10s:2s");
    memcpy(period, v, n);
    period[n] = 0;
    mt_ns p, d;
    int rc = mt_parse_duration(period, &p, why);
    if (!rc) rc = mt_parse_duration(v + n + 1, &d, why);
    if (rc) return rc;
    if (d == 0 || d >= p)
        return mt_why_set(why, MT_E_RANGE, "the stall must be longer than 0 and shorter than its period");
    f->stall_period = p;
    f->stall_duration = d;
    return 0;
}

static const struct mt_opt srv_opts[S_COUNT] = {
    [S_CONFIG] = {"config", 0, MT_OPTK_STRING, MT_OPT_EARLY, OFF(config_path), 0, 0, NULL, NULL, "FILE",
                  "read options from a `key = value` file; flags override it"},
    [S_HELP] = {"help", 'h', MT_OPTK_FLAG, MT_OPT_EARLY, OFF(opt.help), 0, 0, NULL, NULL, NULL, "this help"},
    [S_LISTEN] = {"listen", 0, MT_OPTK_HOSTPORT, 0, OFF(listen), MT_HP_EMPTY_HOST_OK | MT_HP_PORT0_OK, 0,
                  NULL, NULL, "HOST:PORT", "address to serve (default 127.0.0.1:4430; port 0 = any free)"},
    [S_THREADS] = {"threads", 0, MT_OPTK_U64, 0, OFF(threads), 1, MT_SRV_THREADS_MAX, NULL, NULL, "N",
                   "worker threads, one epoll loop each (default: online CPUs)"},
    [S_RSA_KEY] = {"rsa-key", 0, MT_OPTK_STRING, 0, OFF(rsa_key_path), 0, 0, NULL, NULL, "PEM",
                   "RSA private key; generated and saved there if missing (default mtload-server.pem)"},
    [S_PUBLIC_KEY_OUT] = {"public-key-out", 0, MT_OPTK_STRING, 0, OFF(public_key_out), 0, 0, NULL, NULL,
                          "PATH", "write the public key here for clients (default <rsa-key>.pub)"},
    [S_SECRET] = {"secret", 0, MT_OPTK_CUSTOM, 0, 0, 0, 0, parse_secret_opt, NULL, "HEX",
                  "MTProxy secret (16 bytes, or dd + 16) for obfuscated clients"},
    [S_MAX_CONNECTIONS] = {"max-connections", 0, MT_OPTK_COUNT, 0, OFF(max_connections), 1, 16000000,
                           NULL, NULL, "N", "refuse connections beyond this (default 1M)"},
    [S_MAX_FRAME] = {"max-frame", 0, MT_OPTK_SIZE, 0, OFF(max_frame), MT_SRV_FRAME_MIN, MT_SRV_FRAME_MAX,
                     NULL, NULL, "SIZE", "largest transport frame accepted (default 4MiB)"},
    [S_HANDSHAKE_TIMEOUT] = {"handshake-timeout", 0, MT_OPTK_DURATION, 0, OFF(handshake_timeout), D_MS,
                             MT_DURATION_MAX_NS, NULL, NULL, "DURATION",
                             "close connections whose handshake takes longer (default 30s)"},
    [S_IDLE_TIMEOUT] = {"idle-timeout", 0, MT_OPTK_DURATION, 0, OFF(idle_timeout), D_MS, MT_DURATION_MAX_NS,
                        NULL, NULL, "DURATION", "close connections silent this long (default 5m)"},
    [S_PROMETHEUS] = {"prometheus", 0, MT_OPTK_HOSTPORT, 0, OFF(prometheus), MT_HP_EMPTY_HOST_OK | MT_HP_PORT0_OK,
                      0, NULL, NULL, "ADDR:PORT", "serve /metrics here"},
    [S_FAULT_DELAY] = {"fault-delay", 0, MT_OPTK_CUSTOM, 0, 0, 0, 0, parse_delay, NULL, "DIST",
                       "delay each reply: 5ms, uniform:1ms-5ms, exp:2ms, normal:5ms,1ms"},
    [S_FAULT_DROP] = {"fault-drop", 0, MT_OPTK_CUSTOM, 0, 0, 0, 0, parse_drop, NULL, "RATE",
                      "never answer this fraction of requests, e.g. 1%"},
    [S_FAULT_FLOOD_WAIT] = {"fault-flood-wait", 0, MT_OPTK_CUSTOM, 0, 0, 0, 0, parse_flood_wait, NULL,
                            "RATE[:SECONDS]", "answer this fraction with 420 FLOOD_WAIT_X (X default 1)"},
    [S_FAULT_429] = {"fault-transport-429", 0, MT_OPTK_CUSTOM, 0, 0, 0, 0, parse_429, NULL, "RATE",
                     "answer this fraction with transport error -429"},
    [S_FAULT_DISCONNECT] = {"fault-disconnect", 0, MT_OPTK_CUSTOM, 0, 0, 0, 0, parse_disconnect, NULL,
                            "RATE", "close the connection on this fraction of requests"},
    [S_FAULT_BAD_SALT] = {"fault-bad-salt-every", 0, MT_OPTK_COUNT, 0, OFF(faults.bad_salt_every), 1,
                          UINT64_MAX, NULL, NULL, "N", "answer every Nth message with bad_server_salt"},
    [S_FAULT_STALL] = {"fault-stall", 0, MT_OPTK_CUSTOM, 0, 0, 0, 0, parse_stall, NULL, "PERIOD:DURATION",
                       "stop answering for DURATION at the end of every PERIOD"},
    [S_SEED] = {"seed", 0, MT_OPTK_U64, 0, OFF(seed), 0, UINT64_MAX, NULL, NULL, "N",
                "seed of fault sampling (default: random)"},
    [S_QUIET] = {"quiet", 'q', MT_OPTK_FLAG, 0, OFF(quiet), 0, 0, NULL, NULL, NULL, "log errors only"},
    [S_VERBOSE] = {"verbose", 'v', MT_OPTK_COUNTER, 0, OFF(verbose), 0, 0, NULL, NULL, NULL,
                   "more logging (-vv: debug)"},
    [S_PRINT_CONFIG] = {"print-config", 0, MT_OPTK_FLAG, MT_OPT_NOFILE, OFF(print_config), 0, 0, NULL, NULL,
                        NULL, "print the resolved configuration as a config file and exit"},
    [S_JSON] = {"json", 0, MT_OPTK_STRING, 0, OFF(json_path), 0, 0, NULL, NULL, "FILE",
                "write the server's own results as JSON when it stops"},
    [S_CSV] = {"csv", 0, MT_OPTK_STRING, 0, OFF(csv_path), 0, 0, NULL, NULL, "FILE",
               "append one row per second and operation (flushed each row)"},
    [S_HLOG] = {"hlog", 0, MT_OPTK_STRING, 0, OFF(hlog_path), 0, 0, NULL, NULL, "FILE",
                "HdrHistogram interval log of the server's latencies"},
};

static const struct mt_opt_table srv_table = {"server", srv_opts, S_COUNT, S_CONFIG, S_HELP};

const struct mt_opt_table *mt_srv_options(void) { return &srv_table; }

void mt_srv_config_defaults(struct mt_srv_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    mt_parse_hostport("127.0.0.1:4430", 0, &cfg->listen, NULL);
    cfg->max_connections = 1000000;
    cfg->max_frame = 4u << 20;
    cfg->handshake_timeout = 30 * D_S;
    cfg->idle_timeout = 300 * D_S;
    cfg->faults.flood_wait_seconds = 1;
}

void mt_srv_config_free(struct mt_srv_config *cfg)
{
    mt_opt_free_strings(&srv_table, cfg);
    mt_wipe(cfg->secret, sizeof cfg->secret);
}

int mt_srv_config_validate(struct mt_srv_config *cfg, struct mt_diag *d)
{
    unsigned before = d->n + d->dropped;
    const struct mt_srv_faults *f = &cfg->faults;
    if (!cfg->rsa_key_path && !(cfg->rsa_key_path = strdup("mtload-server.pem")))
        mt_diag_add(d, "out of memory");
    if (!mt_opt_given(&cfg->opt, S_THREADS)) {
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        cfg->threads = cpus < 1 ? 1 : cpus > (long)MT_SRV_THREADS_MAX ? MT_SRV_THREADS_MAX : (uint64_t)cpus;
    }
    double sum = f->drop + f->flood_wait + f->transport_429 + f->disconnect;
    if (sum > 1.0 + 1e-12)
        mt_diag_add(d, "--fault-drop, --fault-flood-wait, --fault-transport-429 and --fault-disconnect "
                    "add up to %.4g%%, above 100%%", sum * 100);
    if (f->delay_on && f->stall_period && mt_dist_mean(&f->delay) >= (double)f->stall_period)
        mt_diag_add(d, "--fault-delay's mean is longer than the --fault-stall period");
    cfg->have_prometheus = mt_opt_given(&cfg->opt, S_PROMETHEUS);
    if (cfg->have_prometheus && cfg->prometheus.port && cfg->prometheus.port == cfg->listen.port &&
        !strcmp(cfg->prometheus.host, cfg->listen.host))
        mt_diag_add(d, "--prometheus and --listen use the same address");
    if (cfg->quiet && cfg->verbose)
        mt_diag_add(d, "-q and -v contradict each other");
    if (cfg->public_key_out && cfg->rsa_key_path && !strcmp(cfg->public_key_out, cfg->rsa_key_path))
        mt_diag_add(d, "--public-key-out would overwrite the private key file");
    return d->n + d->dropped > before ? MT_E_INVAL : 0;
}

int mt_srv_config_parse(struct mt_srv_config *cfg, int argc, char **argv, struct mt_diag *d)
{
    mt_srv_config_defaults(cfg);
    int rc = mt_opt_parse(&srv_table, cfg, &cfg->opt, argc, argv, d);
    if (cfg->opt.help)
        return 0;
    if (mt_srv_config_validate(cfg, d))
        rc = MT_E_INVAL;
    return rc;
}

int mt_srv_public_key_path(const struct mt_srv_config *cfg, char *buf, size_t cap)
{
    if (cfg->public_key_out)
        return snprintf(buf, cap, "%s", cfg->public_key_out);
    return snprintf(buf, cap, "%s.pub", cfg->rsa_key_path ? cfg->rsa_key_path : "mtload-server.pem");
}

enum mt_srv_fault mt_srv_fault_pick(const struct mt_srv_faults *f, struct mt_rand *r)
{
    if (f->drop == 0 && f->flood_wait == 0 && f->transport_429 == 0 && f->disconnect == 0)
        return MT_FAULT_NONE;           /* the common case costs no random draw */
    double u = mt_rand_unit(r);
    if ((u -= f->drop) < 0) return MT_FAULT_DROP;
    if ((u -= f->flood_wait) < 0) return MT_FAULT_FLOOD_WAIT;
    if ((u -= f->transport_429) < 0) return MT_FAULT_TRANSPORT_429;
    if ((u -= f->disconnect) < 0) return MT_FAULT_DISCONNECT;
    return MT_FAULT_NONE;
}

bool mt_srv_fault_stalled(const struct mt_srv_faults *f, mt_ns offset, mt_ns *until)
{
    if (!f->stall_period)
        return false;
    mt_ns in_period = offset % f->stall_period;
    mt_ns stall_from = f->stall_period - f->stall_duration;
    if (in_period < stall_from)
        return false;
    if (until) *until = offset - in_period + f->stall_period;
    return true;
}

static void kv_dur(FILE *out, const char *k, mt_ns v)
{
    char b[32];
    mt_format_duration(v, b, sizeof b);
    fprintf(out, "%s = %s\n", k, b);
}

static void print_faults(const struct mt_srv_faults *f, FILE *out)
{
    if (f->delay_on) {
        char b[96];
        mt_dist_format(&f->delay, b, sizeof b);
        fprintf(out, "fault-delay = %s\n", b);
    }
    if (f->drop) fprintf(out, "fault-drop = %.10g%%\n", f->drop * 100);
    if (f->flood_wait)
        fprintf(out, "fault-flood-wait = %.10g%%:%us\n", f->flood_wait * 100, f->flood_wait_seconds);
    if (f->transport_429) fprintf(out, "fault-transport-429 = %.10g%%\n", f->transport_429 * 100);
    if (f->disconnect) fprintf(out, "fault-disconnect = %.10g%%\n", f->disconnect * 100);
    if (f->bad_salt_every) fprintf(out, "fault-bad-salt-every = %" PRIu64 "\n", f->bad_salt_every);
    if (f->stall_period) {
        char p[32], d[32];
        mt_format_duration(f->stall_period, p, sizeof p);
        mt_format_duration(f->stall_duration, d, sizeof d);
        fprintf(out, "fault-stall = %s:%s\n", p, d);
    }
}

void mt_srv_config_print(const struct mt_srv_config *cfg, FILE *out)
{
    char b[300];
    fprintf(out, "# mtload server: resolved configuration\n");
    mt_hostport_format(&cfg->listen, b, sizeof b);
    fprintf(out, "listen = %s\nthreads = %" PRIu64 "\n", b, cfg->threads);
    mt_opt_print_kv(out, "rsa-key", cfg->rsa_key_path ? cfg->rsa_key_path : "mtload-server.pem");
    mt_srv_public_key_path(cfg, b, sizeof b);
    mt_opt_print_kv(out, "public-key-out", b);
    if (cfg->secret_len) {
        char hex[2 * MT_SECRET_MAX + 1];
        mt_hex_encode(cfg->secret, cfg->secret_len, hex);
        fprintf(out, "secret = %s\n", hex);
    }
    fprintf(out, "max-connections = %" PRIu64 "\nmax-frame = %" PRIu64 "\n", cfg->max_connections,
            cfg->max_frame);
    kv_dur(out, "handshake-timeout", cfg->handshake_timeout);
    kv_dur(out, "idle-timeout", cfg->idle_timeout);
    if (cfg->have_prometheus) {
        mt_hostport_format(&cfg->prometheus, b, sizeof b);
        fprintf(out, "prometheus = %s\n", b);
    }
    if (cfg->json_path) mt_opt_print_kv(out, "json", cfg->json_path);
    if (cfg->csv_path) mt_opt_print_kv(out, "csv", cfg->csv_path);
    if (cfg->hlog_path) mt_opt_print_kv(out, "hlog", cfg->hlog_path);
    print_faults(&cfg->faults, out);
    if (cfg->seed) fprintf(out, "seed = %" PRIu64 "\n", cfg->seed);
    fprintf(out, "quiet = %s\nverbose = %u\n", cfg->quiet ? "on" : "off", cfg->verbose);
}

void mt_srv_print_help(FILE *out)
{
    mt_opt_print_help(&srv_table,
        "usage: mtload server [--listen HOST:PORT] [--rsa-key PEM] [options]\n\n"
        "The reference MTProto 2.0 server: every transport auto-detected, the full\n"
        "handshake, service messages, an echo method, and fault injection. RATE is a\n"
        "percentage (1%) or a fraction (0.01). See docs/cli.md.", out);
}
