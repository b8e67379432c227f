/* A worker's metrics: two buffers (double buffer). The worker records into
 * buf[active]; publishing flips `active` and raises `pending`, after which the
 * reporter owns buf[!active] until it lowers `pending` again. The worker never
 * waits: while `pending` is still up it simply keeps recording into the same
 * buffer, so that interval's data arrives one interval later, merged. */
#include "core/metrics/mt_metrics.h"

#include <ctype.h>
#include <stdlib.h>

static const char *const counter_names[MT_CNT__COUNT] = {
    [MT_CNT_CONNECTS] = "connects",
    [MT_CNT_CONNECT_FAILS] = "connect_failures",
    [MT_CNT_HANDSHAKES] = "handshakes",
    [MT_CNT_HANDSHAKE_FAILS] = "handshake_failures",
    [MT_CNT_REQUESTS] = "requests",
    [MT_CNT_RESPONSES] = "responses",
    [MT_CNT_BYTES_SENT] = "bytes_sent",
    [MT_CNT_BYTES_RECV] = "bytes_received",
    [MT_CNT_ERRORS] = "errors",
    [MT_CNT_TIMEOUTS] = "timeouts",
    [MT_CNT_DISCONNECTS] = "disconnects",
    [MT_CNT_SALT_CHANGES] = "salt_changes",
    [MT_CNT_FLOOD_WAIT_SECONDS] = "flood_wait_seconds",
};

const char *mt_metrics_counter_name(enum mt_metrics_counter c)
{
    return (unsigned)c < MT_CNT__COUNT ? counter_names[c] : "unknown";
}

static const char *const kind_names[MT_ERRK__COUNT] = {
    [MT_ERRK_RPC] = "rpc", [MT_ERRK_TRANSPORT] = "transport", [MT_ERRK_BAD_MSG] = "bad_msg",
    [MT_ERRK_PROTO] = "protocol", [MT_ERRK_IO] = "io",
};

const char *mt_metrics_err_kind_name(enum mt_metrics_err_kind k)
{
    return (unsigned)k < MT_ERRK__COUNT ? kind_names[k] : "unknown";
}

struct mt_metrics_worker *mt_metrics_worker_new(int64_t lowest, int64_t highest, int sig_figs)
{
    struct mt_metrics_worker *w = calloc(1, sizeof(*w));
    if (!w)
        return NULL;
    w->hist_lowest = lowest ? lowest : MT_HIST_LOWEST_DEFAULT;
    w->hist_highest = highest ? highest : MT_HIST_HIGHEST_DEFAULT;
    w->hist_sig_figs = sig_figs ? sig_figs : MT_HIST_SIGFIG_DEFAULT;
    /* validate the layout once, so mt_metrics_op cannot fail on it later */
    struct mt_hist probe;
    if (mt_hist_init(&probe, w->hist_lowest, w->hist_highest, w->hist_sig_figs)) {
        free(w);
        return NULL;
    }
    mt_hist_free(&probe);
    w->cur = &w->buf[0];
    atomic_init(&w->pending, 0);
    atomic_init(&w->sessions, 0);
    atomic_init(&w->connections, 0);
    return w;
}

void mt_metrics_worker_free(struct mt_metrics_worker *w)
{
    if (!w)
        return;
    for (int b = 0; b < 2; b++)
        for (int i = 0; i < w->n_ops; i++)
            mt_hist_free(&w->buf[b].op[i].hist);
    free(w);
}

int mt_metrics_op(struct mt_metrics_worker *w, const char *name)
{
    if (!name || !*name || strlen(name) >= MT_METRICS_OP_NAME_MAX)
        return MT_E_INVAL;
    for (int i = 0; i < w->n_ops; i++)
        if (!strcmp(w->op_name[i], name))
            return i;
    if (w->n_ops >= MT_METRICS_MAX_OPS)
        return MT_E_LIMIT;
    int id = w->n_ops;
    /* The reporter may be reading buf[!active] right now, but only ops below
     * that buffer's published n_ops: slot `id` is not among them. */
    for (int b = 0; b < 2; b++) {
        int rc = mt_hist_init(&w->buf[b].op[id].hist, w->hist_lowest, w->hist_highest,
                              w->hist_sig_figs);
        if (rc) {
            if (b)
                mt_hist_free(&w->buf[0].op[id].hist);
            return rc;
        }
    }
    strcpy(w->op_name[id], name);
    w->n_ops = id + 1;
    return id;
}

void mt_metrics_set_gauges(struct mt_metrics_worker *w, int64_t sessions, int64_t connections)
{
    atomic_store_explicit(&w->sessions, sessions, memory_order_relaxed);
    atomic_store_explicit(&w->connections, connections, memory_order_relaxed);
}

/* FLOOD_WAIT_17 -> FLOOD_WAIT_X (and *n = 17): the number varies per error,
 * the class does not, and one table row per class keeps the table small. */
static void normalise_rpc_message(const char *msg, char *out, size_t cap, int64_t *n)
{
    *n = -1;
    snprintf(out, cap, "%s", msg ? msg : "");
    size_t len = strlen(out), d = len;
    while (d > 0 && isdigit((unsigned char)out[d - 1]))
        d--;
    if (d < len && d > 0 && out[d - 1] == '_' && len - d <= 18) {
        *n = strtoll(out + d, NULL, 10);
        out[d] = 'X';
        out[d + 1] = 0;
    }
}

static struct mt_metrics_error *error_slot(struct mt_metrics_buffer *b, uint8_t kind,
                                           int32_t code, const char *msg)
{
    for (int i = 0; i < b->n_err; i++) {
        struct mt_metrics_error *e = &b->err[i];
        if (e->kind == kind && e->code == code && !strcmp(e->message, msg))
            return e;
    }
    if (b->n_err >= MT_METRICS_MAX_ERRORS)
        return NULL;
    struct mt_metrics_error *e = &b->err[b->n_err++];
    e->kind = kind;
    e->code = code;
    snprintf(e->message, sizeof(e->message), "%s", msg);
    e->count = 0;
    return e;
}

void mt_metrics_error(struct mt_metrics_worker *w, int op, enum mt_metrics_err_kind kind,
                      int32_t code, const char *message)
{
    struct mt_metrics_buffer *b = w->cur;
    char msg[MT_METRICS_ERR_MSG_MAX];
    int64_t wait_s = -1;
    if (kind == MT_ERRK_RPC) {
        normalise_rpc_message(message, msg, sizeof(msg), &wait_s);
        if (wait_s >= 0 && !strcmp(msg, "FLOOD_WAIT_X")) {
            b->counter[MT_CNT_FLOOD_WAIT_SECONDS] += (uint64_t)wait_s;
            if (wait_s > b->flood_wait_max_s)
                b->flood_wait_max_s = wait_s;
        }
    } else if (kind == MT_ERRK_PROTO || kind == MT_ERRK_IO) {
        snprintf(msg, sizeof(msg), "%s", message ? message : mt_strerror(code));
    } else {
        snprintf(msg, sizeof(msg), "%s", message ? message : "");
    }
    b->counter[MT_CNT_ERRORS]++;
    if (op >= 0 && op < w->n_ops)
        b->op[op].errors++;
    struct mt_metrics_error *e = error_slot(b, (uint8_t)kind, code, msg);
    if (e)
        e->count++;
    else
        b->err_dropped++;
}

int mt_metrics_worker_publish(struct mt_metrics_worker *w, mt_ns now)
{
    if (atomic_load_explicit(&w->pending, memory_order_acquire)) {
        w->skipped_publishes++;
        return 0;
    }
    struct mt_metrics_buffer *done = w->cur;
    done->n_ops = w->n_ops;
    done->end_ns = now;
    w->active ^= 1;
    w->cur = &w->buf[w->active];
    /* the reporter reset this buffer before lowering `pending` */
    w->cur->start_ns = now;
    w->publishes++;
    atomic_store_explicit(&w->pending, 1, memory_order_release);
    return 1;
}
