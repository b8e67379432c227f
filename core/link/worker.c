/* The per-worker batcher: the loop's before-flush hook decrypts every packet
 * its links received in this iteration with one batch call, hands the
 * plaintexts up, then builds, batch-encrypts and frames everything its links
 * have to send, in place in their output buffers. */
#include <stdlib.h>
#include <time.h>
#include "core/link/link_internal.h"

static mt_ns thread_cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (mt_ns)ts.tv_sec * MT_NS_PER_S + (mt_ns)ts.tv_nsec;
}

static void worker_hook(struct mt_loop *loop, void *ud)
{
    (void)loop;
    mt_link_worker_process(ud);
}

struct mt_link_worker *mt_link_worker_new(struct mt_loop *loop, const struct mt_link_config *cfg)
{
    if (!loop || !cfg || !cfg->ops || !cfg->ops->on_message || !cfg->ops->build ||
        !cfg->ops->on_close)
        return NULL;
    struct mt_link_worker *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->loop = loop;
    w->cfg = *cfg;
    struct mt_link_config *c = &w->cfg;
    if (!c->rx_initial) c->rx_initial = 4096;
    if (!c->rx_max) c->rx_max = 2u << 20;
    if (!c->out_cap) c->out_cap = 4u << 20;
    if (!c->envelope) c->envelope = 16384;
    if (!c->max_envelope) c->max_envelope = (1u << 20) + 4096;
    if (!c->read_max) c->read_max = 256u << 10;
    if (c->rx_max < c->rx_initial) c->rx_max = c->rx_initial;
    w->x_in = cfg->role == MT_LINK_CLIENT ? MT_X_SERVER : MT_X_CLIENT;
    w->x_out = cfg->role == MT_LINK_CLIENT ? MT_X_CLIENT : MT_X_SERVER;
    if (mt_rng_init(&w->rng)) {
        free(w);
        return NULL;
    }
    mt_loop_set_before_flush(loop, worker_hook, w);
    return w;
}

void mt_link_worker_free(struct mt_link_worker *w)
{
    if (!w)
        return;
    mt_loop_set_before_flush(w->loop, NULL, NULL);
    mt_rng_free(&w->rng);
    free(w->rx);
    free(w->djobs);
    free(w->tx);
    free(w->ejobs);
    free(w);
}

bool mt_link_worker_busy(const struct mt_link_worker *w)
{
    return w->send_head || w->close_head || w->nrx;
}

struct mt_loop *mt_link_worker_loop(const struct mt_link_worker *w) { return w->loop; }
struct mt_rng *mt_link_worker_rng(struct mt_link_worker *w) { return &w->rng; }
const struct mt_link_stats *mt_link_worker_stats(const struct mt_link_worker *w) { return &w->stats; }

/* Grow an array of elem-sized items to hold at least want (warm-up only). */
static int grow(void **arr, size_t *cap, size_t want, size_t elem)
{
    if (*cap >= want)
        return 0;
    size_t n = *cap ? *cap : 64;
    while (n < want)
        n *= 2;
    void *p = realloc(*arr, n * elem);
    if (!p)
        return MT_E_NOMEM;
    *arr = p;
    *cap = n;
    return 0;
}

int mt_link_worker_queue_rx(struct mt_link_worker *w, struct mt_link *l, uint8_t *data,
                            size_t len, bool quick_ack_req)
{
    if (grow((void **)&w->rx, &w->caprx, w->nrx + 1, sizeof *w->rx))
        return MT_E_NOMEM;
    w->rx[w->nrx++] = (struct mt_link_rx){l, l->gen, quick_ack_req, data, len};
    l->rx_queued = true;
    return 0;
}

void mt_link_worker_queue_close(struct mt_link_worker *w, struct mt_link *l)
{
    l->close_reported = false;
    l->close_next = w->close_head;
    w->close_head = l;
}

/* ---- receive batch --------------------------------------------------------- */

static void rx_deliver(struct mt_link_worker *w, struct mt_link *l, struct mt_msg_djob *j,
                       bool quick_ack_req)
{
    const struct mt_link_ops *ops = w->cfg.ops;
    if (j->status) {
        w->stats.bad_packets++;
        if (ops->on_bad_packet == NULL || ops->on_bad_packet(l, j->status))
            mt_link_close(l, j->status);
        return;
    }
    if (quick_ack_req && w->cfg.role == MT_LINK_SERVER) {
        uint8_t ack[MT_TR_QUICK_ACK_MAX];
        int n = mt_tr_frame_quick_ack(&l->tr, j->quick_ack, ack);
        if (n > 0 && mt_conn_send(&l->conn, ack, (size_t)n) == 0)
            l->bytes_out += (size_t)n;
    }
    ops->on_message(l, j->plain, j->len - MT_MSG_HEADER);
}

static void rx_batch(struct mt_link_worker *w)
{
    size_t n = 0;
    if (grow((void **)&w->djobs, &w->capdj, w->nrx, sizeof *w->djobs)) {
        for (size_t i = 0; i < w->nrx; i++)
            if (w->rx[i].gen == w->rx[i].l->gen)
                mt_link_close(w->rx[i].l, MT_E_NOMEM);
        w->nrx = 0;
        return;
    }
    /* Packets of links closed since they were read are dropped before their
     * (possibly released) memory is touched. */
    for (size_t i = 0; i < w->nrx; i++) {
        struct mt_link_rx *e = &w->rx[i];
        if (e->gen == e->l->gen)
            e->l->rx_queued = false;    /* the batch below is the last use of the views */
        if (e->gen != e->l->gen || e->l->state == MT_LINK_CLOSED)
            continue;
        w->rx[n] = *e;
        w->djobs[n] = (struct mt_msg_djob){.key = &e->l->key, .buf = e->data, .len = e->len};
        n++;
    }
    w->nrx = 0;
    if (n == 0)
        return;
    bool sample = w->stats.rx_batches % MT_LINK_CRYPTO_SAMPLE == 0;
    mt_ns t0 = sample ? thread_cpu_ns() : 0;
    mt_msg_decrypt_batch(w->djobs, n, w->x_in);
    if (sample) {
        w->stats.crypto_ns += thread_cpu_ns() - t0;
        w->stats.crypto_msgs += n;
    }
    w->stats.rx_batches++;
    w->stats.rx_msgs += n;
    for (size_t i = 0; i < n; i++) {
        struct mt_link *l = w->rx[i].l;
        /* an earlier message of this batch may have closed the link */
        if (w->rx[i].gen != l->gen || l->state == MT_LINK_CLOSED)
            continue;
        rx_deliver(w, l, &w->djobs[i], w->rx[i].quick_ack_req);
    }
}

/* ---- send batch ------------------------------------------------------------- */

/* Minimal MTProto 2.0 padding: the encrypted length is known before the
 * encryption, so the transport header length is too (pad_max = 0 in the
 * job makes mt_msg_encrypt pick exactly this). */
static size_t enc_len(size_t plain)
{
    return MT_MSG_HEADER + plain + MT_MSG_PAD_MIN + (16 - (plain + MT_MSG_PAD_MIN) % 16) % 16;
}

/* Ask l for its next plaintext and queue it for encryption. Returns 1 when
 * a job was queued, 0 when nothing was, negative when l was closed. */
static int tx_build(struct mt_link_worker *w, struct mt_link *l, size_t slot)
{
    const struct mt_link_config *cfg = &w->cfg;
    size_t hdr0 = mt_tr_header_len(&l->tr, 0, cfg->quick_ack ? MT_TR_F_QUICK_ACK : 0);
    size_t cap = cfg->envelope;
    for (;;) {
        size_t reserved = MT_TR_HEADROOM + MT_MSG_HEADER + cap + MT_MSG_PAD_MIN + 16 + MT_TR_TAILROOM;
        int err = 0;
        uint8_t *base = mt_buf_reserve(&l->conn.out, reserved, &err);
        if (!base) {
            if (err == MT_E_LIMIT && mt_buf_len(&l->conn.out)) {   /* peer reads slowly */
                l->send_deferred = true;
                return 0;
            }
            /* a message larger than the output buffer can ever hold (out_cap
             * below max_envelope): waiting for a drain would wait forever */
            mt_link_close(l, err);
            return err;
        }
        uint8_t *plain = base + hdr0 + MT_MSG_HEADER;
        int n = cfg->ops->build(l, plain, cap);
        if (n == MT_E_OVERFLOW && cap < cfg->max_envelope) {
            cap = cap * 4 < cfg->max_envelope ? cap * 4 : cfg->max_envelope;
            continue;
        }
        if (n <= 0) {
            if (n < 0)
                mt_link_close(l, n);
            return n;
        }
        unsigned flags = cfg->quick_ack ? MT_TR_F_QUICK_ACK : 0;
        size_t hdr = mt_tr_header_len(&l->tr, enc_len((size_t)n), flags);
        if (hdr != hdr0)    /* abridged beyond 508 bytes: 4-byte header */
            memmove(base + hdr + MT_MSG_HEADER, plain, (size_t)n);
        w->tx[slot] = (struct mt_link_tx){l, base, hdr, reserved};
        w->ejobs[slot] = (struct mt_msg_job){
            .key = &l->key, .buf = base + hdr, .plain_len = (size_t)n,
            .cap = reserved - hdr - MT_TR_TAILROOM, .pad_max = 0};
        return 1;
    }
}

static void tx_frame(struct mt_link_worker *w, struct mt_link_tx *t, struct mt_msg_job *j)
{
    struct mt_link *l = t->l;
    if (j->status) {
        mt_link_close(l, j->status);
        return;
    }
    uint8_t *start;
    size_t total;
    unsigned flags = w->cfg.quick_ack ? MT_TR_F_QUICK_ACK : 0;
    int rc = mt_tr_frame(&l->tr, t->base, t->hdr, j->out_len, t->reserved, flags, &start, &total);
    if (rc) {
        mt_link_close(l, rc);
        return;
    }
    mt_buf_commit(&l->conn.out, total);
    l->bytes_out += total;
    w->stats.bytes_out += total;
    mt_conn_want_flush(&l->conn);
}

static void tx_batch(struct mt_link_worker *w)
{
    /* Links that ask again while this list is built go to the next
     * iteration: one reservation per output buffer at a time. */
    struct mt_link *l = w->send_head;
    w->send_head = w->send_tail = NULL;
    size_t n = 0;
    while (l) {
        struct mt_link *next = l->send_next;
        l->want_send = false;
        if (l->state == MT_LINK_READY) {
            if (grow((void **)&w->tx, &w->captx, n + 1, sizeof *w->tx) ||
                grow((void **)&w->ejobs, &w->capej, n + 1, sizeof *w->ejobs))
                mt_link_close(l, MT_E_NOMEM);
            else if (tx_build(w, l, n) == 1)
                n++;
        }
        l = next;
    }
    if (n == 0)
        return;
    bool sample = w->stats.tx_batches % MT_LINK_CRYPTO_SAMPLE == 0;
    mt_ns t0 = sample ? thread_cpu_ns() : 0;
    mt_msg_encrypt_batch(w->ejobs, n, w->x_out, &w->rng);
    if (sample) {
        w->stats.crypto_ns += thread_cpu_ns() - t0;
        w->stats.crypto_msgs += n;
    }
    w->stats.tx_batches++;
    w->stats.tx_msgs += n;
    for (size_t i = 0; i < n; i++)
        if (w->tx[i].l->state == MT_LINK_READY)
            tx_frame(w, &w->tx[i], &w->ejobs[i]);
}

static void report_closes(struct mt_link_worker *w)
{
    struct mt_link *l = w->close_head;
    w->close_head = NULL;
    while (l) {
        struct mt_link *next = l->close_next;
        if (!l->close_reported && l->state == MT_LINK_CLOSED) {
            l->close_reported = true;
            w->cfg.ops->on_close(l, l->close_reason);
        }
        l = next;
    }
}

void mt_link_worker_process(struct mt_link_worker *w)
{
    if (w->nrx)
        rx_batch(w);
    if (w->send_head)
        tx_batch(w);
    if (w->close_head)
        report_closes(w);
}
