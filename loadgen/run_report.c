/* What `mtload run` prints: the live line on stderr each interval, the final
 * report on stdout, and the configuration as JSON for the results file. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <jansson.h>
#include "loadgen/run_internal.h"

static void fmt_ns(char *buf, size_t cap, int64_t ns)
{
    if (ns < 1000) snprintf(buf, cap, "%lldns", (long long)ns);
    else if (ns < 1000000) snprintf(buf, cap, "%.1fus", (double)ns / 1e3);
    else if (ns < 1000000000) snprintf(buf, cap, "%.2fms", (double)ns / 1e6);
    else snprintf(buf, cap, "%.2fs", (double)ns / 1e9);
}

static void fmt_count(char *buf, size_t cap, double v)
{
    if (v >= 1e6) snprintf(buf, cap, "%.2fM", v / 1e6);
    else if (v >= 1e4) snprintf(buf, cap, "%.1fk", v / 1e3);
    else snprintf(buf, cap, "%.0f", v);
}

/* The workload ops merged into one histogram (not the connect / handshake
 * phases, unless the handshake is the workload, and not the uncorrected
 * twins), for the one-line summary. */
static int merged_requests(const struct lg_run *run, const struct mt_metrics_report *r,
                           struct mt_hist *h, uint64_t *errors)
{
    bool storm = mt_wl_mix_has(&run->cfg->workload, MT_WL_HANDSHAKE);
    if (mt_hist_init_default(h))
        return -1;
    *errors = 0;
    for (int i = 0; i < r->n_ops; i++) {
        const char *n = r->op[i].name;
        if (!strcmp(n, "connect") || (!storm && !strcmp(n, "handshake")) || strstr(n, ":uncorrected"))
            continue;
        mt_hist_add(h, &r->op[i].hist);
    }
    for (int i = 0; i < r->n_err; i++)
        *errors += r->err[i].count;
    return 0;
}

void lg_report_live(const struct lg_run *run, const struct mt_metrics_report *interval,
                    const struct mt_metrics_report *total, double elapsed_s, double interval_s,
                    bool warmup)
{
    struct mt_hist h;
    uint64_t errors;
    if (merged_requests(run, interval, &h, &errors))
        return;
    char rate[32], p50[32], p99[32], max[32];
    if (warmup) {
        /* latencies of the warm-up are not recorded: its answers only */
        fmt_count(rate, sizeof rate, interval_s > 0 ?
                  (double)interval->counter[MT_CNT_RESPONSES] / interval_s : 0);
        fprintf(stderr, "[%6.1fs] warm-up  sessions %lld/%llu  %s req/s  (not measured)\n", elapsed_s,
                (long long)interval->sessions, (unsigned long long)run->cfg->sessions, rate);
        mt_hist_free(&h);
        return;
    }
    fmt_count(rate, sizeof rate, interval_s > 0 ? (double)h.total_count / interval_s : 0);
    fmt_ns(p50, sizeof p50, mt_hist_percentile(&h, 50));
    fmt_ns(p99, sizeof p99, mt_hist_percentile(&h, 99));
    fmt_ns(max, sizeof max, mt_hist_max(&h));
    fprintf(stderr, "[%6.1fs] sessions %lld/%llu  %s req/s  p50 %s  p99 %s  max %s  errors %llu  "
            "timeouts %llu\n", elapsed_s, (long long)interval->sessions,
            (unsigned long long)run->cfg->sessions, rate, p50, p99, max,
            (unsigned long long)errors, (unsigned long long)interval->counter[MT_CNT_TIMEOUTS]);
    mt_hist_free(&h);
}

static double cpu_seconds(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* One line of the latency spectrum, p50 .. p99.999 and max, in us. */
static void print_spectrum(FILE *out, const char *label, const struct mt_hist *h)
{
    static const double pct[] = {50, 90, 99, 99.9, 99.99, 99.999};
    static const char *const name[] = {"p50", "p90", "p99", "p99.9", "p99.99", "p99.999"};
    fprintf(out, "%-18s", label);
    for (size_t i = 0; i < MT_ARRAY_LEN(pct); i++)
        fprintf(out, " %s %.1fus", name[i], (double)mt_hist_percentile(h, pct[i]) / 1e3);
    fprintf(out, " max %.1fus\n", (double)mt_hist_max(h) / 1e3);
}

void lg_report_final(FILE *out, const struct lg_run *run, const struct mt_metrics_report *t)
{
    const struct mt_run_config *cfg = run->cfg;
    uint64_t crypto_ns = 0, crypto_msgs = 0, batches = 0, msgs = 0;
    for (int i = 0; i < run->nworkers; i++) {
        const struct mt_link_stats *st = mt_link_worker_stats(run->workers[i].lw);
        crypto_ns += st->crypto_ns;          /* sampled batches */
        crypto_msgs += st->crypto_msgs;
        batches += st->rx_batches + st->tx_batches;
        msgs += st->rx_msgs + st->tx_msgs;
    }
    struct mt_hist h;
    uint64_t errors = 0;
    merged_requests(run, t, &h, &errors);
    double cpu = cpu_seconds();
    char a[128];
    fprintf(out, "mtload run: %s %s%s, %llu sessions, %llu threads, %s loop%s\n",
            mt_addr_str(&run->target, a, sizeof a), cfg->obfuscated ? "obfuscated " : "",
            mt_run_transport_name(cfg->transport), (unsigned long long)cfg->sessions,
            (unsigned long long)cfg->threads, cfg->open_loop ? "open" : "closed",
            t->interrupted ? " (interrupted)" : "");
    fprintf(out, "requests   %llu completed in %.2f s: %.0f req/s\n",
            (unsigned long long)h.total_count, t->duration_s,
            t->duration_s > 0 ? (double)h.total_count / t->duration_s : 0);
    print_spectrum(out, "latency", &h);
    for (int i = 0; i < t->n_ops; i++)
        if (t->op[i].hist.total_count) {
            char label[MT_METRICS_OP_NAME_MAX + 4];
            snprintf(label, sizeof label, "  %s", t->op[i].name);
            print_spectrum(out, label, &t->op[i].hist);
        }
    fprintf(out, "sessions   connects %llu (failed %llu)  handshakes %llu (failed %llu)  "
            "disconnects %llu  timeouts %llu  salt changes %llu\n",
            (unsigned long long)t->counter[MT_CNT_CONNECTS],
            (unsigned long long)t->counter[MT_CNT_CONNECT_FAILS],
            (unsigned long long)t->counter[MT_CNT_HANDSHAKES],
            (unsigned long long)t->counter[MT_CNT_HANDSHAKE_FAILS],
            (unsigned long long)t->counter[MT_CNT_DISCONNECTS],
            (unsigned long long)t->counter[MT_CNT_TIMEOUTS],
            (unsigned long long)t->counter[MT_CNT_SALT_CHANGES]);
    fprintf(out, "bytes      sent %llu  received %llu\n",
            (unsigned long long)t->counter[MT_CNT_BYTES_SENT],
            (unsigned long long)t->counter[MT_CNT_BYTES_RECV]);
    fprintf(out, "cpu        %.2f s process time, %.2f us per request; crypto %.0f ns of CPU per "
            "message (%.1f messages per batch, %llu batches), tier %s\n",
            cpu, h.total_count ? cpu * 1e6 / (double)h.total_count : 0,
            crypto_msgs ? (double)crypto_ns / (double)crypto_msgs : 0,
            batches ? (double)msgs / (double)batches : 0, (unsigned long long)batches,
            mt_crypto_describe());
    fputc('\n', out);
    mt_hist_free(&h);
}

/* The resolved configuration, as the key = value lines of --print-config,
 * turned into a JSON object of strings (self-describing results). */
struct json_t *lg_config_json(const struct mt_run_config *cfg)
{
    json_t *o = json_object();
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!o || !f) {
        if (f) fclose(f);
        free(buf);
        return o;
    }
    mt_run_config_print(cfg, f);
    fclose(f);
    for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
        char *eq = strstr(line, " = ");
        if (line[0] == '#' || !eq)
            continue;
        *eq = 0;
        char *v = eq + 3;
        size_t vl = strlen(v);
        if (vl >= 2 && v[0] == '"' && v[vl - 1] == '"') {   /* quoted value */
            v[vl - 1] = 0;
            v++;
        }
        json_t *prev = json_object_get(o, line);
        if (prev && json_is_string(prev)) {                 /* repeated keys: an array */
            json_t *arr = json_array();
            json_array_append(arr, prev);
            json_array_append_new(arr, json_string(v));
            json_object_set_new(o, line, arr);
        } else if (prev && json_is_array(prev)) {
            json_array_append_new(prev, json_string(v));
        } else {
            json_object_set_new(o, line, json_string(v));
        }
    }
    free(buf);
    return o;
}
