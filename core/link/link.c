/* One connection's pipeline: socket -> transport deframing -> (handshake |
 * queue for batch decryption), and the output side's framing of unencrypted
 * packets. The encrypted hot path (batch decrypt, build, batch encrypt,
 * frame) is in worker.c. */
#include <errno.h>
#include <stdlib.h>
#include "core/link/link_internal.h"

static struct mt_link *link_of(struct mt_conn *c)
{
    return MT_LINK_CONTAINER(c, struct mt_link, conn);
}

static int link_init_common(struct mt_link *l, struct mt_link_worker *w, void *ud)
{
    const struct mt_link_config *cfg = &w->cfg;
    memset(l, 0, sizeof *l);
    l->w = w;
    l->ud = ud;
    mt_conn_init(&l->conn, w->loop, &mt_link_conn_ops, l, cfg->out_cap, 0);
    return mt_tr_rx_init(&l->rx, cfg->rx_initial, cfg->rx_max);
}

int mt_link_connect(struct mt_link *l, struct mt_link_worker *w, const struct mt_addr *dst,
                    const struct mt_addr *src, const struct mt_auth_key *key, mt_ns timeout,
                    void *ud)
{
    if (w->cfg.role != MT_LINK_CLIENT)
        return MT_E_STATE;
    int rc = link_init_common(l, w, ud);
    if (rc)
        return rc;
    rc = mt_tr_init_client(&l->tr, &w->cfg.tr, &w->rng);
    if (rc == 0 && key) {
        l->key = *key;
        l->has_key = true;
    }
    if (rc == 0) {
        l->state = MT_LINK_CONNECTING;
        rc = mt_conn_connect(&l->conn, dst, src, &w->cfg.sock, timeout);
    }
    if (rc) {
        mt_link_release(l);
        l->state = MT_LINK_IDLE;
    }
    return rc;
}

int mt_link_accept(struct mt_link *l, struct mt_link_worker *w, int fd, void *ud)
{
    if (w->cfg.role != MT_LINK_SERVER)
        return MT_E_STATE;
    int rc = link_init_common(l, w, ud);
    if (rc)
        return rc;
    mt_tr_init_server(&l->tr, &w->cfg.tr_server, &w->rng);
    rc = mt_conn_attach(&l->conn, fd);
    if (rc) {
        mt_link_release(l);
        return rc;
    }
    l->state = MT_LINK_OPEN;
    return 0;
}

void mt_link_want_send(struct mt_link *l)
{
    if (l->state != MT_LINK_READY || l->conn.read_paused) {
        /* re-queued by mt_link_ready() or when the output drains */
        l->send_deferred = true;
        return;
    }
    if (l->want_send)
        return;
    struct mt_link_worker *w = l->w;
    l->want_send = true;
    l->send_next = NULL;
    if (w->send_tail)
        w->send_tail->send_next = l;
    else
        w->send_head = l;
    w->send_tail = l;
}

void mt_link_ready(struct mt_link *l)
{
    l->state = MT_LINK_READY;
    if (l->send_deferred) {
        l->send_deferred = false;
        mt_link_want_send(l);
    }
}

int mt_link_send_plain(struct mt_link *l, const uint8_t *msg, size_t len)
{
    size_t need = MT_TR_HEADROOM + len + MT_TR_TAILROOM;
    int err = 0;
    uint8_t *base = mt_buf_reserve(&l->conn.out, need, &err);
    if (!base)
        return err;
    size_t hdr = mt_tr_header_len(&l->tr, len, 0);
    memcpy(base + hdr, msg, len);
    uint8_t *start;
    size_t total;
    int rc = mt_tr_frame(&l->tr, base, hdr, len, need, 0, &start, &total);
    if (rc)
        return rc;
    mt_buf_commit(&l->conn.out, total);
    l->bytes_out += total;
    l->w->stats.bytes_out += total;
    mt_conn_want_flush(&l->conn);
    return 0;
}

int mt_link_send_transport_error(struct mt_link *l, int32_t code)
{
    uint8_t frame[MT_TR_HEADROOM + 4 + MT_TR_TAILROOM];
    if (!l->tr.ready)
        return MT_E_STATE;
    int n = mt_tr_frame_error(&l->tr, code, frame, sizeof frame);
    if (n < 0)
        return n;
    l->bytes_out += (size_t)n;
    return mt_conn_send(&l->conn, frame, (size_t)n);
}

static void link_free_handshake(struct mt_link *l)
{
    struct mt_link_worker *w = l->w;
    if (w && w->cfg.role == MT_LINK_CLIENT && l->hs.hc)
        mt_hs_client_free(l->hs.hc);
    else if (w && w->cfg.role == MT_LINK_SERVER && l->hs.hs)
        mt_hs_server_free(l->hs.hs);
    l->hs.hc = NULL;
}

void mt_link_close(struct mt_link *l, int reason)
{
    if (l->state == MT_LINK_CLOSED || l->state == MT_LINK_IDLE)
        return;
    l->state = MT_LINK_CLOSED;
    l->close_reason = reason;
    l->gen++;
    mt_conn_close(&l->conn);
    link_free_handshake(l);
    mt_link_worker_queue_close(l->w, l);
}

void mt_link_close_after_flush(struct mt_link *l, int reason)
{
    if (l->state == MT_LINK_CLOSED || l->state == MT_LINK_IDLE)
        return;
    /* Best effort: what the socket takes now is sent (the -404 of an
     * unknown key); a peer that does not read loses it. */
    mt_conn_flush(&l->conn);
    mt_link_close(l, reason);
}

void mt_link_release(struct mt_link *l)
{
    link_free_handshake(l);
    mt_tr_free(&l->tr);
    mt_tr_rx_free(&l->rx);
    mt_conn_free(&l->conn);
    mt_wipe(&l->key, sizeof l->key);
    l->has_key = false;
}

size_t mt_link_mem(const struct mt_link *l)
{
    return l->rx.cap + mt_buf_len(&l->conn.out);
}

int mt_link_trim(struct mt_link *l)
{
    size_t initial = l->w->cfg.rx_initial;
    if (l->state == MT_LINK_CLOSED || l->state == MT_LINK_IDLE || l->rx_queued ||
        mt_tr_rx_pending(&l->rx) || l->rx.cap <= initial)
        return 0;
    /* nothing buffered: no packet views into rx are alive either */
    size_t max = l->rx.max_cap;
    mt_tr_rx_free(&l->rx);
    int rc = mt_tr_rx_init(&l->rx, initial, max);
    l->rx_full = false;
    mt_buf_trim(&l->conn.out);
    return rc;
}

/* ---- input ------------------------------------------------------------- */

static void link_unknown_key(struct mt_link *l)
{
    l->w->stats.unknown_keys++;
    mt_link_send_transport_error(l, -404);
    mt_link_close_after_flush(l, MT_E_AUTH_KEY_ID);
}

/* One whole transport payload. */
static void link_packet(struct mt_link *l, const struct mt_tr_pkt *pkt)
{
    const struct mt_link_ops *ops = l->w->cfg.ops;
    if (pkt->len < 8) {
        l->w->stats.framing_errors++;
        if (ops->on_bad_packet == NULL || ops->on_bad_packet(l, MT_E_MSG_LEN))
            mt_link_close(l, MT_E_MSG_LEN);
        return;
    }
    uint64_t key_id = mt_load_le64(pkt->data);
    if (key_id == 0) {
        mt_link_handshake_feed(l, pkt->data, pkt->len);
        return;
    }
    if (!l->has_key || key_id != l->key.id64) {
        const struct mt_auth_key *k = NULL;
        if (l->w->cfg.role == MT_LINK_SERVER && ops->lookup_key)
            k = ops->lookup_key(l, key_id);
        if (!k) {
            if (l->w->cfg.role == MT_LINK_SERVER) {
                link_unknown_key(l);
            } else {
                l->w->stats.bad_packets++;
                if (ops->on_bad_packet == NULL || ops->on_bad_packet(l, MT_E_AUTH_KEY_ID))
                    mt_link_close(l, MT_E_AUTH_KEY_ID);
            }
            return;
        }
        l->key = *k;
        l->has_key = true;
        if (l->state == MT_LINK_OPEN)
            mt_link_ready(l);
    }
    if (mt_link_worker_queue_rx(l->w, l, pkt->data, pkt->len, pkt->quick_ack_req))
        mt_link_close(l, MT_E_NOMEM);
}

static void link_readable(struct mt_conn *c)
{
    struct mt_link *l = link_of(c);
    struct mt_link_worker *w = l->w;
    size_t avail;
    int err = MT_E_LIMIT;
    /* One read per iteration: packets queued for the batch are views into
     * rx, and the next mt_tr_rx_space() may move them. Level-triggered
     * epoll brings the rest in the next iteration. */
    /* The buffer grows only while reads fill it (a busy connection reaches
     * read_max in a few iterations); an idle one stays at rx_initial. */
    size_t want = l->rx_full ? (l->rx.cap < w->cfg.read_max ? l->rx.cap : w->cfg.read_max) : 256;
    uint8_t *p = mt_tr_rx_space(&l->rx, want, &avail, &err);
    if (!p) {
        mt_link_close(l, err);
        return;
    }
    size_t n = 0, max = avail < w->cfg.read_max ? avail : w->cfg.read_max;
    int rc = mt_conn_read(c, p, max, &n);
    l->rx_full = rc == MT_NET_OK && n == max;
    if (rc == MT_NET_AGAIN)
        return;
    if (rc != MT_NET_OK) {
        mt_link_close(l, rc == MT_NET_CLOSED ? MT_E_CLOSED : MT_E_IO);
        return;
    }
    mt_tr_rx_commit(&l->tr, &l->rx, n);
    l->bytes_in += n;
    w->stats.bytes_in += n;
    const struct mt_tr_server_config *scfg =
        w->cfg.role == MT_LINK_SERVER ? &w->cfg.tr_server : NULL;
    while (l->state != MT_LINK_CLOSED) {
        struct mt_tr_pkt pkt;
        rc = mt_tr_rx_next(&l->tr, &l->rx, scfg, &pkt);
        if (rc == 0)
            break;
        if (rc < 0) {
            w->stats.framing_errors++;
            mt_link_close(l, rc);
            break;
        }
        if (pkt.kind == MT_TR_PKT_DATA)
            link_packet(l, &pkt);
        else if (pkt.kind == MT_TR_PKT_QUICK_ACK && w->cfg.ops->on_quick_ack)
            w->cfg.ops->on_quick_ack(l, pkt.token);
        else if (pkt.kind == MT_TR_PKT_ERROR && w->cfg.ops->on_transport_error)
            w->cfg.ops->on_transport_error(l, pkt.error);
    }
}

/* ---- connection events ---------------------------------------------------- */

static void link_connected(struct mt_conn *c, int status)
{
    struct mt_link *l = link_of(c);
    const struct mt_link_ops *ops = l->w->cfg.ops;
    if (status) {
        if (ops->on_connect)
            ops->on_connect(l, status);
        mt_link_close(l, status);
        return;
    }
    uint8_t pre[MT_TR_PREAMBLE_MAX];
    int n = mt_tr_client_preamble(&l->tr, pre);
    if (n < 0 || (n > 0 && mt_conn_send(c, pre, (size_t)n))) {
        mt_link_close(l, n < 0 ? n : MT_E_NOMEM);
        return;
    }
    l->bytes_out += (size_t)n;
    if (ops->on_connect)
        ops->on_connect(l, 0);
    if (l->state == MT_LINK_CLOSED)
        return;
    if (l->has_key)
        mt_link_ready(l);
    else if (mt_link_handshake_start(l) < 0)
        return;   /* closed by the handshake code */
}

static void link_net_closed(struct mt_conn *c, int reason)
{
    mt_link_close(link_of(c), reason ? reason : MT_E_IO);
}

static void link_drained(struct mt_conn *c)
{
    struct mt_link *l = link_of(c);
    if (l->send_deferred && l->state == MT_LINK_READY) {
        l->send_deferred = false;
        mt_link_want_send(l);
    }
}

const struct mt_conn_ops mt_link_conn_ops = {
    .on_connect = link_connected,
    .on_readable = link_readable,
    .on_close = link_net_closed,
    .on_drain = link_drained,
};
