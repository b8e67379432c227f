/* core/metrics: latency histograms, per-worker counters, lock-free snapshot
 * publication, and the exporters (JSON, CSV, HdrHistogram interval log,
 * Prometheus), thresholds and result comparison/merging.
 *
 * Threads: a worker owns one struct mt_metrics_worker and records into it
 * without locks. Once per interval it calls mt_metrics_worker_publish(), which
 * never waits: if the reporter has not yet taken the previous snapshot, the
 * worker keeps recording into the same buffer and the data rolls into the next
 * interval (nothing is lost). One reporter thread calls mt_metrics_collect()
 * once per interval; it merges every published snapshot into an interval view
 * and into the run totals (struct mt_metrics_report).
 *
 * Units: latencies are recorded in nanoseconds (CLOCK_MONOTONIC deltas). The
 * exporters convert: microseconds in CSV and JSON summaries, seconds in
 * Prometheus, milliseconds for the hlog "Interval_Max" column (the HdrHistogram
 * tools' default scaling for nanosecond data). */
#ifndef MT_METRICS_H
#define MT_METRICS_H

#include <stdint.h>
#include <stdio.h>
#include "core/base/mt_base.h"

/* The worker struct holds two atomics; C++ (the benchmark shim) sees the same
 * layout through std::atomic. */
#ifdef __cplusplus
#include <atomic>
#define MT_ATOMIC(t) std::atomic<t>
#else
#include <stdatomic.h>
#define MT_ATOMIC(t) _Atomic t
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ======================================================================
 * Histogram (HdrHistogram family: log-linear buckets, fixed relative error)
 * ====================================================================== */

/* Defaults: 1 ns .. 1 h with 3 significant digits (relative error <= 0.1%).
 * About 264 KiB of counts per histogram. */
#define MT_HIST_LOWEST_DEFAULT  1ll
#define MT_HIST_HIGHEST_DEFAULT (3600ll * 1000000000ll)
#define MT_HIST_SIGFIG_DEFAULT  3

struct mt_hist {
    /* configuration (read-only after init) */
    int64_t lowest;            /* lowest discernible value, >= 1 */
    int64_t highest;           /* highest trackable value, >= 2 * lowest */
    int32_t sig_figs;          /* 1..5 */
    int32_t unit_magnitude;
    int32_t sub_bucket_half_count_magnitude;
    int32_t sub_bucket_count;
    int32_t sub_bucket_half_count;
    int32_t bucket_count;
    int64_t sub_bucket_mask;
    int32_t counts_len;
    /* data */
    int64_t total_count;
    int64_t min;               /* INT64_MAX when empty */
    int64_t max;               /* 0 when empty */
    int64_t clamped;           /* values above `highest` recorded as `highest` */
    double sum;                /* exact sum of recorded values (estimated after decode) */
    int64_t *counts;
};

/* Allocates counts. lowest >= 1, highest >= 2*lowest, sig_figs 1..5. */
int mt_hist_init(struct mt_hist *h, int64_t lowest, int64_t highest, int sig_figs);
int mt_hist_init_default(struct mt_hist *h);
/* The configuration fields only, no allocation (counts stays NULL): to check
 * the size of a layout (counts_len) before committing to it. */
int mt_hist_layout(struct mt_hist *h, int64_t lowest, int64_t highest, int sig_figs);
void mt_hist_free(struct mt_hist *h);
void mt_hist_reset(struct mt_hist *h);
/* Same lowest/highest/sig_figs: counts arrays line up index for index. */
int mt_hist_same_layout(const struct mt_hist *a, const struct mt_hist *b);

/* O(1), no allocation, no locks. Negative values are ignored (return
 * MT_E_RANGE); values above `highest` are clamped and counted in `clamped`. */
int mt_hist_record_n(struct mt_hist *h, int64_t value, int64_t count);
static inline int mt_hist_record(struct mt_hist *h, int64_t value)
{
    return mt_hist_record_n(h, value, 1);
}

/* dst += src. Exact when layouts match; otherwise each src bucket is
 * re-recorded at its median-equivalent value (MT_E_RANGE if src holds values
 * that dst cannot track; they are clamped). */
int mt_hist_add(struct mt_hist *dst, const struct mt_hist *src);

/* Queries. Percentile in [0, 100]; returns the highest value equivalent to the
 * bucket holding that rank (HdrHistogram semantics), 0 on an empty histogram. */
int64_t mt_hist_percentile(const struct mt_hist *h, double percentile);
double mt_hist_mean(const struct mt_hist *h);
double mt_hist_stddev(const struct mt_hist *h);
int64_t mt_hist_min(const struct mt_hist *h);   /* 0 when empty */
int64_t mt_hist_max(const struct mt_hist *h);   /* highest equivalent of the max */
/* Count of recorded values in the buckets up to and including the one that
 * holds `value` (HdrHistogram's convention; a bucket is at most 0.1% wide at
 * 3 digits): the cumulative count of a Prometheus `le` bucket. */
int64_t mt_hist_count_le(const struct mt_hist *h, int64_t value);

/* Value-range helpers: the bucket a value falls into. */
int64_t mt_hist_lowest_equivalent(const struct mt_hist *h, int64_t value);
int64_t mt_hist_highest_equivalent(const struct mt_hist *h, int64_t value);

/* The full percentile spectrum: walks the same steps as HdrHistogram's
 * percentile iterator (ticks_per_half_distance per halving of the remaining
 * distance to 100%). Calls fn for each step; stops early if fn returns != 0.
 * Returns the number of steps produced. */
typedef int (*mt_hist_spectrum_fn)(void *ctx, double percentile, int64_t value,
                                   int64_t cumulative_count);
int mt_hist_spectrum(const struct mt_hist *h, int ticks_per_half_distance,
                     mt_hist_spectrum_fn fn, void *ctx);

/* ---- HdrHistogram encodings -------------------------------------------
 * V2 (cookie 0x1c849303 | 0x10 on write): 40-byte big-endian header, counts
 * as ZigZag LEB128-64b9B with negative values for runs of zeros.
 * Compressed (cookie 0x1c849304 | 0x10): cookie, length, zlib deflate of V2.
 * Decoders accept the cookie with any word-size nibble (cookie & ~0xf0).
 * Errors: MT_E_INVAL bad cookie/header, MT_E_RANGE counts beyond the layout
 * or negative, MT_E_TL_SHORT truncated, MT_E_OVERFLOW output buffer small,
 * MT_E_GZIP inflate failure. A decoded histogram is freshly initialised by the
 * decoder (the caller frees it with mt_hist_free). */
#define MT_HIST_V2_COOKIE            0x1c849303
#define MT_HIST_V2_COMPRESSED_COOKIE 0x1c849304

/* Upper bound of mt_hist_encode_v2 output for h. */
size_t mt_hist_encode_v2_bound(const struct mt_hist *h);
/* Returns bytes written, or a negative error. */
int mt_hist_encode_v2(const struct mt_hist *h, uint8_t *out, size_t cap);
int mt_hist_decode_v2(struct mt_hist *h, const uint8_t *in, size_t len);
/* Allocates *out (caller frees with free()); *out_len bytes. */
int mt_hist_encode_compressed(const struct mt_hist *h, uint8_t **out, size_t *out_len);
int mt_hist_decode_compressed(struct mt_hist *h, const uint8_t *in, size_t len);
/* Base64 of the compressed form ("HISTF..."); NUL-terminated, caller frees. */
char *mt_hist_to_base64(const struct mt_hist *h);
/* Decodes either a compressed or a plain V2 encoding from base64 text. */
int mt_hist_from_base64(struct mt_hist *h, const char *b64, size_t len);

/* Standard base64 (RFC 4648, with padding). decode returns bytes or < 0. */
char *mt_base64_encode(const uint8_t *in, size_t len);
int mt_base64_decode(const char *in, size_t len, uint8_t **out, size_t *out_len);

/* ======================================================================
 * Per-worker counters, errors and operations
 * ====================================================================== */

#define MT_METRICS_MAX_OPS     32
#define MT_METRICS_OP_NAME_MAX 64
#define MT_METRICS_MAX_ERRORS  64
#define MT_METRICS_ERR_MSG_MAX 48

/* Monotonic counters a worker increments; published as interval deltas. */
enum mt_metrics_counter {
    MT_CNT_CONNECTS = 0,       /* TCP connections established */
    MT_CNT_CONNECT_FAILS,
    MT_CNT_HANDSHAKES,         /* auth keys created */
    MT_CNT_HANDSHAKE_FAILS,
    MT_CNT_REQUESTS,           /* RPC requests sent (client) / received (server) */
    MT_CNT_RESPONSES,          /* RPC results received (client) / sent (server) */
    MT_CNT_BYTES_SENT,
    MT_CNT_BYTES_RECV,
    MT_CNT_ERRORS,             /* every error recorded with mt_metrics_error */
    MT_CNT_TIMEOUTS,
    MT_CNT_DISCONNECTS,        /* connections closed by the peer or by errors */
    MT_CNT_SALT_CHANGES,       /* bad_server_salt / new_session salts adopted */
    MT_CNT_FLOOD_WAIT_SECONDS, /* sum of X over FLOOD_WAIT_X errors */
    MT_CNT__COUNT
};
/* Stable snake_case name used in JSON ("connects") and Prometheus
 * ("mtload_connects_total"). */
const char *mt_metrics_counter_name(enum mt_metrics_counter c);

/* Error classes (the "class" label / JSON field). */
enum mt_metrics_err_kind {
    MT_ERRK_RPC = 0,    /* rpc_error: code + message (FLOOD_WAIT_17 -> FLOOD_WAIT_X) */
    MT_ERRK_TRANSPORT,  /* transport error code from the peer (-404, -429...) */
    MT_ERRK_BAD_MSG,    /* bad_msg_notification error_code (16..64) */
    MT_ERRK_PROTO,      /* local MT_E_* protocol/crypto/TL/transport error */
    MT_ERRK_IO,         /* MT_E_IO class: connect, closed, timeout */
    MT_ERRK__COUNT
};
const char *mt_metrics_err_kind_name(enum mt_metrics_err_kind k); /* "rpc", ... */

struct mt_metrics_error {
    uint8_t kind;                        /* enum mt_metrics_err_kind */
    int32_t code;
    char message[MT_METRICS_ERR_MSG_MAX];/* rpc message, or mt_strerror() text */
    uint64_t count;
};

/* The interval data of one operation inside a worker buffer. */
struct mt_metrics_op_data {
    struct mt_hist hist;       /* latencies recorded this interval (ns) */
    uint64_t errors;           /* errors attributed to this op this interval */
};

/* One side of a worker's double buffer: what it recorded since the last flip. */
struct mt_metrics_buffer {
    struct mt_metrics_op_data op[MT_METRICS_MAX_OPS];
    uint64_t counter[MT_CNT__COUNT];
    struct mt_metrics_error err[MT_METRICS_MAX_ERRORS];
    int n_err;
    uint64_t err_dropped;      /* errors that found no free table slot */
    int64_t flood_wait_max_s;
    int n_ops;                 /* ops valid in this buffer at publish time */
    mt_ns start_ns, end_ns;    /* interval covered */
};

struct mt_metrics_worker {
    /* worker-owned */
    struct mt_metrics_buffer *cur;     /* == &buf[active] */
    int active;
    int n_ops;
    char op_name[MT_METRICS_MAX_OPS][MT_METRICS_OP_NAME_MAX];
    int64_t hist_lowest, hist_highest;
    int hist_sig_figs;
    struct mt_metrics_buffer buf[2];
    /* shared with the reporter */
    MT_ATOMIC(int) pending;    /* 1: buf[!active] published, not yet taken */
    MT_ATOMIC(int64_t) sessions;  /* gauges the worker sets (relaxed) */
    MT_ATOMIC(int64_t) connections;
    uint64_t publishes, skipped_publishes; /* worker-owned statistics */
};

/* Allocate a worker's metrics (both buffers). lowest/highest/sig of 0 pick
 * the defaults. NULL on failure. */
struct mt_metrics_worker *mt_metrics_worker_new(int64_t hist_lowest, int64_t hist_highest,
                                                int hist_sig_figs);
void mt_metrics_worker_free(struct mt_metrics_worker *w);

/* Find or create an op by name ("ping", "echo", "rpc:help.getConfig",
 * "handshake", "connect"). Worker thread only; cheap but not for the hot
 * path: look ids up once and keep them. Returns the id (>= 0) or MT_E_LIMIT
 * / MT_E_INVAL / MT_E_NOMEM. */
int mt_metrics_op(struct mt_metrics_worker *w, const char *name);

/* Hot path: record one latency (ns) of op `op`. */
static inline void mt_metrics_record(struct mt_metrics_worker *w, int op, int64_t latency_ns)
{
    mt_hist_record(&w->cur->op[op].hist, latency_ns);
}
static inline void mt_metrics_count(struct mt_metrics_worker *w, enum mt_metrics_counter c,
                                    uint64_t n)
{
    w->cur->counter[c] += n;
}
/* Gauges the reporter reads (relaxed atomics; call when they change). */
void mt_metrics_set_gauges(struct mt_metrics_worker *w, int64_t sessions, int64_t connections);

/* Record one error. op may be -1 (not tied to an operation). For MT_ERRK_RPC
 * the message is normalised: a trailing _<digits> becomes _X, and for
 * FLOOD_WAIT_<n> the n seconds are added to MT_CNT_FLOOD_WAIT_SECONDS.
 * For MT_ERRK_PROTO / MT_ERRK_IO `code` is an MT_E_* value and message may be
 * NULL (mt_strerror is used). Also bumps MT_CNT_ERRORS. */
void mt_metrics_error(struct mt_metrics_worker *w, int op, enum mt_metrics_err_kind kind,
                      int32_t code, const char *message);

/* Worker side, once per interval: hand the current buffer to the reporter and
 * start a fresh one. Never blocks. Returns 1 published, 0 skipped (reporter
 * still holds the previous one; recording continues into the same buffer). */
int mt_metrics_worker_publish(struct mt_metrics_worker *w, mt_ns now);

/* ======================================================================
 * Reporter: merged totals and intervals
 * ====================================================================== */

/* Merged data of one operation. */
struct mt_metrics_op_total {
    char name[MT_METRICS_OP_NAME_MAX];
    struct mt_hist hist;        /* all latencies (ns) */
    uint64_t errors;
};

/* A run's results: the totals the reporter accumulates, and what a results
 * JSON loads back into (so shards can be merged). */
struct mt_metrics_report {
    int n_ops;
    struct mt_metrics_op_total op[MT_METRICS_MAX_OPS];
    uint64_t counter[MT_CNT__COUNT];
    struct mt_metrics_error err[MT_METRICS_MAX_ERRORS];
    int n_err;
    uint64_t err_dropped;
    int64_t flood_wait_max_s;
    double started_at;          /* wall clock, epoch seconds */
    double ended_at;
    double duration_s;          /* measured duration (monotonic) */
    int interrupted;            /* run ended by SIGINT/SIGTERM */
    int shards;                 /* 1 for a run; N after merging N results */
    int64_t sessions, connections; /* last gauges */
    int64_t hist_lowest, hist_highest;
    int hist_sig_figs;
};

/* A report with the given histogram layout (0 = default). NULL on failure. */
struct mt_metrics_report *mt_metrics_report_new(int64_t hist_lowest, int64_t hist_highest,
                                                int hist_sig_figs);
void mt_metrics_report_free(struct mt_metrics_report *r);
void mt_metrics_report_reset(struct mt_metrics_report *r);
/* Find or create an op. Returns id or negative error. */
int mt_metrics_report_op(struct mt_metrics_report *r, const char *name);
int mt_metrics_report_find_op(const struct mt_metrics_report *r, const char *name);
/* dst += src: histograms added exactly, counters and errors summed, time span
 * widened, duration = max (shards run side by side), interrupted ORed. */
int mt_metrics_report_merge(struct mt_metrics_report *dst, const struct mt_metrics_report *src);
/* Add one error-table row (used by merge and loading). */
void mt_metrics_report_add_error(struct mt_metrics_report *r, const struct mt_metrics_error *e);
/* Sums over all ops. */
uint64_t mt_metrics_report_count(const struct mt_metrics_report *r, int op /* -1: all */);
uint64_t mt_metrics_report_errors(const struct mt_metrics_report *r, int op /* -1: all */);

/* The reporter's state: registered workers, the totals and the last interval. */
struct mt_metrics_reporter {
    struct mt_metrics_worker **workers;
    int n_workers;
    struct mt_metrics_report *total;     /* whole run */
    struct mt_metrics_report *interval;  /* last collected interval only */
    mt_ns run_start_ns;
    mt_ns last_collect_ns;
};

/* workers: array of n pointers, owned by the caller, alive until free. */
struct mt_metrics_reporter *mt_metrics_reporter_new(struct mt_metrics_worker **workers, int n,
                                                    double started_at_wall, mt_ns start_ns);
void mt_metrics_reporter_free(struct mt_metrics_reporter *rep);
/* Take every pending snapshot; rebuild rep->interval from them and add them
 * to rep->total. rep->interval's started_at/ended_at/duration_s give the span
 * the taken snapshots cover (from each worker's previous publish to this
 * one). Returns the number of snapshots taken. Reporter thread only.
 * Call it once more after the workers have stopped (and published a final
 * time) so that the totals are complete. */
int mt_metrics_collect(struct mt_metrics_reporter *rep, mt_ns now);
/* After the workers have stopped (joined): publish each one's current
 * buffer once more from this thread, since a publish the reporter had not
 * taken yet made the last one roll over. Collect (or tick) afterwards. */
void mt_metrics_reporter_republish(struct mt_metrics_reporter *rep, mt_ns now);
/* End of a warm-up: clear the totals and measure from here (duration, rates
 * and started_at restart at now / now_wall). Ops stay registered. */
void mt_metrics_reporter_restart(struct mt_metrics_reporter *rep, double now_wall, mt_ns now);
/* Set end time, duration and the interrupted flag on rep->total. */
void mt_metrics_reporter_finish(struct mt_metrics_reporter *rep, double ended_at_wall,
                                mt_ns end_ns, int interrupted);

/* ======================================================================
 * Thresholds: "p99<5ms", "ping:p50<=200us", "error_rate<0.1%", "rps>100k"
 * ====================================================================== */

enum mt_threshold_metric {
    MT_THR_PERCENTILE = 0, /* pNN (p50, p99, p999 = 99.9, p99.99) */
    MT_THR_MIN, MT_THR_MAX, MT_THR_MEAN,
    MT_THR_ERROR_RATE,     /* errors / (count + errors), a fraction */
    MT_THR_RPS,            /* count / duration_s */
    MT_THR_COUNT,          /* number of completed operations */
    MT_THR_ERRORS,         /* number of errors */
};
enum mt_threshold_cmp { MT_CMP_LT = 0, MT_CMP_LE, MT_CMP_GT, MT_CMP_GE };

struct mt_threshold {
    char text[128];                 /* as given */
    char op[MT_METRICS_OP_NAME_MAX];/* "" = all operations */
    enum mt_threshold_metric metric;
    double percentile;              /* for MT_THR_PERCENTILE */
    enum mt_threshold_cmp cmp;
    double limit;                   /* ns for latencies, fraction, ops/s, count */
};
struct mt_threshold_result {
    double actual;                  /* same unit as limit */
    int ok;                         /* 1 ok, 0 failed */
    int missing;                    /* op not in the results (counts as failed) */
};

/* MT_E_INVAL on a malformed expression. Units: ns us ms s m (latency), % or
 * a plain fraction (error_rate), k/M/G suffixes (rps, count, errors). */
int mt_threshold_parse(const char *text, struct mt_threshold *t);
int mt_threshold_eval(const struct mt_threshold *t, const struct mt_metrics_report *r,
                      struct mt_threshold_result *res);
/* Human-readable, one line per threshold ("ok     p99<5ms  (actual 1.23ms)").
 * Returns the number that failed. */
int mt_threshold_report(FILE *out, const struct mt_threshold *t,
                        const struct mt_threshold_result *res, int n);
/* Format a value of the threshold's metric with its unit ("1.234ms"). */
void mt_threshold_format_value(const struct mt_threshold *t, double v, char *buf, size_t cap);

/* ======================================================================
 * Exporters
 * ====================================================================== */

/* Environment block of the JSON results. Strings may be NULL: cpu_model and
 * cpu_flags are then read from /proc/cpuinfo; kernel comes from uname,
 * compiler from the build, commit from MT_GIT_COMMIT (CMake). */
struct mt_metrics_env {
    const char *cpu_model;
    const char *cpu_flags;
    const char *crypto_tier;   /* e.g. "avx512" */
    int threads;
    const char *transport;     /* e.g. "intermediate" (also a Prometheus label) */
    const char *hostname;      /* NULL: gethostname() */
};

/* JSON results document. `config` is a jansson json_t* object (borrowed,
 * may be NULL); kind is "run", "server" or "merge". thresholds may be NULL
 * when n_thr is 0. Written atomically (temp file + rename). */
struct json_t;
int mt_metrics_write_json(const char *path, const char *kind,
                          const struct mt_metrics_report *r, const struct mt_metrics_env *env,
                          struct json_t *config, const struct mt_threshold *thr,
                          const struct mt_threshold_result *thr_res, int n_thr);
/* Build the document without writing it (new reference, NULL on failure). */
struct json_t *mt_metrics_json_build(const char *kind, const struct mt_metrics_report *r,
                                     const struct mt_metrics_env *env, struct json_t *config,
                                     const struct mt_threshold *thr,
                                     const struct mt_threshold_result *thr_res, int n_thr);
/* Load a results JSON back (histograms decoded) into a fresh report.
 * MT_E_INVAL / MT_E_TL_INPUT on a malformed file. */
int mt_metrics_load_json(const char *path, struct mt_metrics_report **out);
int mt_metrics_load_json_text(const char *text, size_t len, struct mt_metrics_report **out);

/* CSV: header at open; mt_csv_write_interval appends one row per op of the
 * interval report and flushes. */
struct mt_csv;
struct mt_csv *mt_csv_open(const char *path);
int mt_csv_write_interval(struct mt_csv *c, double epoch_s, double interval_s,
                          const struct mt_metrics_report *interval);
void mt_csv_close(struct mt_csv *c);
/* RFC 4180 field quoting (exposed for tests): writes s to f, quoted if needed. */
void mt_csv_write_field(FILE *f, const char *s);

/* HdrHistogram interval log (.hlog), format version 1.3. */
struct mt_hlog;
struct mt_hlog *mt_hlog_open(const char *path, double start_epoch_s);
/* One line per op present in `interval` with a non-empty histogram:
 * "Tag=<op>,<start - base>,<length>,<max ms>,<base64>". */
int mt_hlog_write_interval(struct mt_hlog *l, double interval_start_epoch_s, double length_s,
                           const struct mt_metrics_report *interval);
void mt_hlog_close(struct mt_hlog *l);
/* Parse one hlog data line ("Tag=x,..." or untagged). Comments/legend lines
 * return 0 with *is_data = 0. On data: tag (empty if none), times, decoded
 * histogram (freshly initialised; caller frees). */
struct mt_hlog_entry {
    char tag[MT_METRICS_OP_NAME_MAX];
    double start_s, length_s, max_ms;
    struct mt_hist hist;
};
int mt_hlog_parse_line(const char *line, size_t len, struct mt_hlog_entry *e, int *is_data);
/* Read a whole .hlog into a report: each tag's intervals added into one op
 * ("" tag -> op "default"); times from StartTime/BaseTime and the lines. */
int mt_hlog_load(const char *path, struct mt_metrics_report **out);

/* Prometheus text exposition over libmicrohttpd (GET /metrics). The reporter
 * calls mt_prom_update once per interval; the HTTP thread serves the last
 * rendered page. */
struct mt_prom;
/* addr_port: "127.0.0.1:9464", "[::1]:9464", ":9464" (all interfaces).
 * Port 0 picks an ephemeral port (see mt_prom_port). NULL on failure. */
struct mt_prom *mt_prom_start(const char *addr_port, const char *transport_label);
int mt_prom_port(const struct mt_prom *p);
/* Render totals (counters, errors, latency histograms) and gauges. */
int mt_prom_update(struct mt_prom *p, const struct mt_metrics_report *total);
/* Keep serving linger_s seconds (returns early if *stop becomes nonzero),
 * then shut down and free. */
void mt_prom_stop(struct mt_prom *p, double linger_s, const volatile int *stop);
/* Render into a malloc'd NUL-terminated string (also used by tests). */
char *mt_prom_render(const struct mt_metrics_report *total, const char *transport_label);

/* ======================================================================
 * Outputs: what `mtload run` and `mtload server` both do with the exporters
 * ====================================================================== */

/* Every path may be NULL (that output is off). thresholds are expressions
 * ("p99<5ms"), parsed at open. config is borrowed until close. */
struct mt_metrics_outputs_cfg {
    const char *kind;               /* "run" or "server" (JSON "kind") */
    const char *json_path, *csv_path, *hlog_path;
    const char *prom_addr;          /* "ADDR:PORT" or NULL */
    double linger_s;                /* Prometheus stays up this long at close */
    const struct mt_metrics_env *env;
    struct json_t *config;
    const char *const *thresholds;
    int n_thresholds;
};
struct mt_metrics_outputs;

/* Parses the thresholds (MT_E_INVAL names the bad one on stderr), opens the
 * CSV and hlog files and starts the Prometheus endpoint (MT_E_SYSTEM). Call
 * before the run starts so a bad path fails fast (exit 2). */
int mt_metrics_outputs_open(struct mt_metrics_outputs **out, const struct mt_metrics_outputs_cfg *cfg,
                            double start_wall);
/* Prometheus port actually bound (0 if off). */
int mt_metrics_outputs_prom_port(const struct mt_metrics_outputs *o);
/* Reporter step: collect every published snapshot, then write the interval
 * (CSV rows, hlog lines) and refresh the Prometheus page. Call once per
 * interval, and in any loop that waits for workers' final publishes, so that
 * nothing collected is missing from the CSV/hlog. A tick that takes no
 * snapshot writes no rows. Returns the number of snapshots taken, or a
 * negative error if an output could not be written. */
int mt_metrics_outputs_tick(struct mt_metrics_outputs *o, struct mt_metrics_reporter *rep, mt_ns now);
/* After the workers stopped and the reporter is finished
 * (mt_metrics_reporter_finish): last page, thresholds evaluated, summary and
 * threshold lines printed to `summary` (may be NULL), JSON written.
 * Returns the number of failed thresholds (exit 99 if > 0), or a negative
 * error if the JSON could not be written. */
int mt_metrics_outputs_finish(struct mt_metrics_outputs *o, const struct mt_metrics_report *total,
                              FILE *summary);
/* Lingers (Prometheus), closes files, frees. stop may end the linger. */
void mt_metrics_outputs_close(struct mt_metrics_outputs *o, const volatile int *stop);

/* Human-readable summary table of a report: one line per operation (count,
 * rate, p50/p90/p99/p99.9/max in microseconds, errors), then the errors by
 * class. */
void mt_metrics_print_summary(FILE *out, const struct mt_metrics_report *r);

/* ======================================================================
 * Compare and merge (mtload compare / mtload merge)
 * ====================================================================== */

/* Compare two result files (mtload JSON or Google Benchmark JSON, detected
 * by content) and print a table to out. max_regression is a fraction (0.05).
 * Returns 0 no regression beyond the limit, 1 regression, or a negative error
 * (unreadable file, mismatched kinds). */
int mt_metrics_compare_files(const char *base_path, const char *new_path, double max_regression,
                             FILE *out);

#ifdef __cplusplus
}
#endif
#endif
