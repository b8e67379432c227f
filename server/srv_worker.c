/* One worker thread of `mtload server`: accepts on its own SO_REUSEPORT
 * listener, runs the link pipeline for its connections, routes decrypted
 * messages to their MTProto sessions, and enforces the timeouts and limits.
 * Every error class is logged once per worker and counted always. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "server/srv.h"

#define SWEEP_NS (250 * MT_NS_PER_MS)

void mt_srv_log_once(struct mt_srv_worker *w, int cls, const char *fmt, ...)
{
    if (w->logged[cls])
        return;
    w->logged[cls] = true;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    mt_log(MT_LOG_WARN, "server worker %d: %s (further ones are only counted)", w->index, msg);
}

static struct mt_srv_conn *conn_of(struct mt_link *l) { return l->ud; }

/* ---- sessions ------------------------------------------------------------ */

static void sess_on_query(void *ctx, const struct mt_sess_query *q);
static void sess_on_event(void *ctx, const struct mt_sess_event *ev);

/* The session for session_id on this connection, created on first use. */
struct mt_srv_sess *mt_srv_conn_session(struct mt_srv_conn *c, uint64_t session_id)
{
    for (int i = 0; i < c->nsess; i++)
        if (c->sess[i].session_id == session_id)
            return &c->sess[i];
    if (c->nsess == MT_SRV_SESSIONS_PER_CONN)
        return NULL;
    struct mt_srv_sess *s = &c->sess[c->nsess];
    struct mt_sess_server_cfg cfg = {.salt = c->salt, .gz = c->w->gz};
    struct mt_sess_server_cb cb = {.ctx = c, .on_query = sess_on_query, .on_event = sess_on_event};
    s->s = mt_sess_server_new(&cfg, &cb);
    if (!s->s)
        return NULL;
    s->session_id = session_id;
    s->msgs = 0;
    c->nsess++;
    return s;
}

/* The session being fed: its queries are answered into it. */
static __thread struct mt_srv_sess *feeding;

static void sess_on_query(void *ctx, const struct mt_sess_query *q)
{
    struct mt_srv_conn *c = ctx;
    mt_metrics_count(c->w->m, MT_CNT_REQUESTS, 1);
    mt_srv_rpc_query(c, feeding, q);
}

static void disconnect_fire(struct mt_loop *loop, struct mt_timer *t, void *ud)
{
    struct mt_srv_conn *c = ud;
    mt_link_close(&c->link, 0);
}

static void sess_on_event(void *ctx, const struct mt_sess_event *ev)
{
    struct mt_srv_conn *c = ctx;
    switch (ev->kind) {
    case MT_SESS_EV_DISCONNECT_DELAY:
        /* each ping_delay_disconnect re-arms the timer (service_messages.md) */
        mt_timer_start_in(c->w->loop, &c->disconnect, (mt_ns)ev->delay_s * MT_NS_PER_S);
        break;
    case MT_SESS_EV_PROTO_ERROR:
        mt_metrics_error(c->w->m, -1, MT_ERRK_PROTO, ev->code, NULL);
        mt_srv_log_once(c->w, MT_SRV_LOG_PROTO, "message dropped: %s", mt_strerror(ev->code));
        break;
    case MT_SESS_EV_BAD_MSG:
        /* bad_server_salt is routine (every new session starts with salt 0,
         * salts rotate): a salt change, not an error */
        if (ev->code == MT_BAD_MSG_SALT)
            mt_metrics_count(c->w->m, MT_CNT_SALT_CHANGES, 1);
        else
            mt_metrics_error(c->w->m, -1, MT_ERRK_BAD_MSG, ev->code, NULL);
        break;
    default:
        break;
    }
}

/* --fault-bad-salt-every N: the Nth message of a session finds a new salt,
 * so the session answers it with bad_server_salt and the client re-sends. */
static void maybe_rotate_salt(struct mt_srv_conn *c, struct mt_srv_sess *s)
{
    const struct mt_srv_faults *f = &c->w->srv->cfg->faults;
    if (!mt_srv_fault_bad_salt(f, ++s->msgs))
        return;
    c->salt = mt_rand_u64(&c->w->rand) | 1;
    for (int i = 0; i < c->nsess; i++)
        mt_sess_server_set_salt(c->sess[i].s, c->salt, 0);
    mt_keystore_put(c->w->srv->keys, &c->link.key, c->salt);
    mt_metrics_count(c->w->m, MT_CNT_SALT_CHANGES, 1);
}

/* ---- link upcalls ------------------------------------------------------ */

static int on_handshake(struct mt_link *l, const struct mt_hs_result *r)
{
    struct mt_srv_conn *c = conn_of(l);
    struct mt_srv_worker *w = c->w;
    int rc = mt_keystore_put(w->srv->keys, &r->key, r->server_salt);
    if (rc) {
        mt_srv_log_once(w, MT_SRV_LOG_LIMIT, "auth key store: %s", mt_strerror(rc));
        mt_metrics_count(w->m, MT_CNT_HANDSHAKE_FAILS, 1);
        return rc;
    }
    c->salt = r->server_salt;
    mt_log(MT_LOG_DEBUG, "auth key %016llx created (%s)", (unsigned long long)r->key.id64,
           r->temp ? "temporary" : "permanent");
    mt_metrics_count(w->m, MT_CNT_HANDSHAKES, 1);
    if (c->hs_started)
        mt_metrics_record(w->m, w->op_handshake, (int64_t)(mt_loop_now(w->loop) - c->hs_started));
    return 0;
}

static void on_handshake_error(struct mt_link *l, int err, const char *detail)
{
    struct mt_srv_conn *c = conn_of(l);
    mt_metrics_count(c->w->m, MT_CNT_HANDSHAKE_FAILS, 1);
    mt_metrics_error(c->w->m, c->w->op_handshake, MT_ERRK_PROTO, err, NULL);
    c->error_counted = true;          /* on_close must not count it again */
    mt_srv_log_once(c->w, MT_SRV_LOG_HANDSHAKE, "handshake failed: %s (%s)", mt_strerror(err),
                    detail ? detail : "");
}

static const struct mt_auth_key *lookup_key(struct mt_link *l, uint64_t id)
{
    struct mt_srv_conn *c = conn_of(l);
    static __thread struct mt_auth_key found;
    if (!mt_keystore_get(c->w->srv->keys, id, &found, &c->salt)) {
        mt_metrics_error(c->w->m, -1, MT_ERRK_PROTO, MT_E_AUTH_KEY_ID, NULL);
        c->error_counted = true;
        mt_srv_log_once(c->w, MT_SRV_LOG_UNKNOWN_KEY,
                        "unknown auth_key_id %016llx: answered -404", (unsigned long long)id);
        return NULL;
    }
    return &found;
}

static void on_message(struct mt_link *l, const uint8_t *plain, size_t len)
{
    struct mt_srv_conn *c = conn_of(l);
    struct mt_srv_worker *w = c->w;
    uint64_t sid;
    c->last_activity = mt_loop_now(w->loop);
    if (mt_sess_peek_session_id(plain, len, &sid))
        return;
    struct mt_srv_sess *s = mt_srv_conn_session(c, sid);
    if (!s) {
        mt_srv_log_once(w, MT_SRV_LOG_LIMIT, "more than %d sessions on one connection",
                        MT_SRV_SESSIONS_PER_CONN);
        mt_link_close(l, MT_E_LIMIT);
        return;
    }
    maybe_rotate_salt(c, s);
    feeding = s;
    mt_sess_server_feed(s->s, plain, len, c->last_activity, mt_wall_s());
    feeding = NULL;
    if (l->state == MT_LINK_READY && mt_sess_server_want_send(s->s))
        mt_link_want_send(l);
}

/* Round robin over the sessions with something to send; the link asks
 * again next iteration if more than one has. */
static int build(struct mt_link *l, uint8_t *out, size_t cap)
{
    struct mt_srv_conn *c = conn_of(l);
    for (int k = 0; k < c->nsess; k++) {
        int i = (c->next_build + k) % c->nsess;
        struct mt_sess_server *s = c->sess[i].s;
        if (!mt_sess_server_want_send(s))
            continue;
        int n = mt_sess_server_build(s, out, cap, mt_loop_now(c->w->loop), mt_wall_s());
        if (n <= 0)
            return n;
        c->next_build = (i + 1) % c->nsess;
        for (int j = 0; j < c->nsess; j++)
            if (mt_sess_server_want_send(c->sess[j].s)) {
                mt_link_want_send(l);
                break;
            }
        mt_metrics_count(c->w->m, MT_CNT_RESPONSES, 1);
        return n;
    }
    return 0;
}

static bool on_bad_packet(struct mt_link *l, int err)
{
    struct mt_srv_conn *c = conn_of(l);
    mt_metrics_error(c->w->m, -1, MT_ERRK_PROTO, err, NULL);
    c->error_counted = true;
    mt_srv_log_once(c->w, MT_SRV_LOG_BAD_PACKET, "packet rejected: %s", mt_strerror(err));
    return true;   /* security_guidelines.md: close on a bad msg_key */
}

static void conn_unlink(struct mt_srv_conn *c)
{
    struct mt_srv_worker *w = c->w;
    if (c->prev) c->prev->next = c->next;
    else w->conns = c->next;
    if (c->next) c->next->prev = c->prev;
    w->nconns--;
    atomic_fetch_sub(&w->srv->nconns, 1);
}

static void on_close(struct mt_link *l, int reason)
{
    struct mt_srv_conn *c = conn_of(l);
    struct mt_srv_worker *w = c->w;
    if (reason && reason != MT_E_CLOSED && !c->error_counted) {
        int cls = mt_err_class(reason)[0] == 't' ? MT_SRV_LOG_FRAMING : MT_SRV_LOG_PROTO;
        mt_srv_log_once(w, cls, "connection closed: %s", mt_strerror(reason));
        if (reason != MT_E_TIMEOUT)       /* the sweep counted those as timeouts */
            mt_metrics_error(w->m, -1, mt_err_class(reason)[0] == 'i' ? MT_ERRK_IO : MT_ERRK_PROTO,
                             reason, NULL);
    }
    mt_metrics_count(w->m, MT_CNT_DISCONNECTS, 1);
    mt_metrics_count(w->m, MT_CNT_BYTES_RECV, l->bytes_in);
    mt_metrics_count(w->m, MT_CNT_BYTES_SENT, l->bytes_out);
    mt_timer_stop(w->loop, &c->disconnect);
    mt_srv_replies_cancel(c);
    for (int i = 0; i < c->nsess; i++)
        mt_sess_server_free(c->sess[i].s);
    mt_link_release(l);
    conn_unlink(c);
    free(c);
}

static const struct mt_link_ops srv_link_ops = {
    .on_handshake = on_handshake, .on_handshake_error = on_handshake_error,
    .lookup_key = lookup_key, .on_message = on_message, .build = build,
    .on_bad_packet = on_bad_packet, .on_close = on_close,
};

const struct mt_link_ops *mt_srv_link_ops(void) { return &srv_link_ops; }

/* ---- accept, sweep, thread ------------------------------------------------ */

static void accept_one(struct mt_srv_worker *w, int fd)
{
    struct mt_srv *srv = w->srv;
    if (atomic_fetch_add(&srv->nconns, 1) >= srv->cfg->max_connections) {
        atomic_fetch_sub(&srv->nconns, 1);
        mt_srv_log_once(w, MT_SRV_LOG_LIMIT, "--max-connections %llu reached: refusing",
                        (unsigned long long)srv->cfg->max_connections);
        mt_metrics_error(w->m, -1, MT_ERRK_IO, MT_E_LIMIT, NULL);
        close(fd);
        return;
    }
    struct mt_srv_conn *c = calloc(1, sizeof *c);
    if (!c || mt_link_accept(&c->link, w->lw, fd, c)) {
        free(c);
        close(fd);
        atomic_fetch_sub(&srv->nconns, 1);
        mt_metrics_error(w->m, -1, MT_ERRK_IO, MT_E_NOMEM, NULL);
        return;
    }
    c->w = w;
    c->opened_at = c->last_activity = c->hs_started = mt_loop_now(w->loop);
    mt_timer_init(&c->disconnect, disconnect_fire, c);
    c->next = w->conns;
    if (w->conns) w->conns->prev = c;
    w->conns = c;
    w->nconns++;
    mt_metrics_count(w->m, MT_CNT_CONNECTS, 1);
}

static void on_accept(struct mt_loop *loop, int lfd, unsigned events, void *ud)
{
    struct mt_srv_worker *w = ud;
    struct mt_sock_opts o = {.nodelay = true};
    /* bounded per iteration so that a connect flood cannot starve the
     * established connections of this worker */
    for (int i = 0; i < 256; i++) {
        int fd;
        struct mt_addr peer;
        int rc = mt_net_accept(lfd, &o, &fd, &peer);
        if (rc == MT_NET_AGAIN)
            return;
        if (rc != MT_NET_OK) {
            if (errno == EMFILE || errno == ENFILE)
                mt_srv_log_once(w, MT_SRV_LOG_LIMIT, "accept: %s (raise ulimit -n)", strerror(errno));
            return;
        }
        accept_one(w, fd);
    }
}

static void sweep(struct mt_loop *loop, struct mt_timer *t, void *ud)
{
    struct mt_srv_worker *w = ud;
    const struct mt_srv_config *cfg = w->srv->cfg;
    mt_ns now = mt_loop_now(loop);
    for (struct mt_srv_conn *c = w->conns, *next; c; c = next) {
        next = c->next;
        if (c->link.state == MT_LINK_CLOSED)
            continue;
        bool keyless = c->link.state != MT_LINK_READY;
        if (keyless && now - c->opened_at > cfg->handshake_timeout) {
            mt_metrics_count(w->m, MT_CNT_TIMEOUTS, 1);
            mt_link_close(&c->link, MT_E_TIMEOUT);
        } else if (now - c->last_activity > cfg->idle_timeout) {
            mt_metrics_count(w->m, MT_CNT_TIMEOUTS, 1);
            mt_link_close(&c->link, MT_E_TIMEOUT);
        } else if (now - c->last_activity > MT_NS_PER_S && !c->replies &&
                   mt_link_trim(&c->link)) {
            mt_link_close(&c->link, MT_E_NOMEM);   /* idle for a second: shrink */
        }
    }
    mt_metrics_set_gauges(w->m, (int64_t)w->nconns, (int64_t)w->nconns);
    mt_metrics_worker_publish(w->m, now);
    mt_timer_start_in(loop, t, SWEEP_NS);
}

int mt_srv_worker_init(struct mt_srv_worker *w, struct mt_srv *srv, int index)
{
    memset(w, 0, sizeof *w);
    w->srv = srv;
    w->index = index;
    w->lfd = -1;
    mt_rand_seed(&w->rand, srv->cfg->seed ? srv->cfg->seed + (uint64_t)index
                                          : mt_now_ns() ^ ((uint64_t)index << 32));
    w->loop = mt_loop_new(0);
    w->gz = mt_gzip_new(srv->cfg->max_frame);
    w->m = mt_metrics_worker_new(0, 0, 0);
    w->scratch_cap = srv->cfg->max_frame + 64;
    w->scratch = malloc(w->scratch_cap);
    if (!w->loop || !w->gz || !w->m || !w->scratch)
        return MT_E_NOMEM;
    w->op_handshake = mt_metrics_op(w->m, "handshake");
    w->op_rpc = mt_metrics_op(w->m, "rpc");
    w->lw = mt_link_worker_new(w->loop, &srv->link);
    if (!w->lw)
        return MT_E_NOMEM;
    w->lfd = mt_net_listen(&srv->listen, 4096, true);
    if (w->lfd < 0)
        return w->lfd;
    if (index == 0 && mt_addr_port(&srv->listen) == 0) {
        /* port 0: the first listener picks it, the others share it */
        int rc = mt_net_local_addr(w->lfd, &srv->listen);
        if (rc)
            return rc;
    }
    int rc = mt_loop_add(w->loop, w->lfd, MT_EV_READ, on_accept, w);
    if (rc)
        return rc;
    mt_timer_init(&w->sweep, sweep, w);
    return mt_timer_start_in(w->loop, &w->sweep, SWEEP_NS);
}

void *mt_srv_worker_main(void *arg)
{
    struct mt_srv_worker *w = arg;
    while (!mt_loop_stopping(w->loop)) {
        int rc = mt_loop_run_once(w->loop, mt_link_worker_busy(w->lw) ? 0 : 1000);
        if (rc < 0) {
            mt_log(MT_LOG_ERROR, "server worker %d: loop: %s", w->index, mt_strerror(rc));
            break;
        }
    }
    /* close everything and report it, so the last publish has it all */
    for (struct mt_srv_conn *c = w->conns; c; c = c->next)
        mt_link_close(&c->link, 0);
    mt_link_worker_process(w->lw);
    mt_metrics_set_gauges(w->m, 0, 0);
    mt_metrics_worker_publish(w->m, mt_now_ns());
    return NULL;
}

void mt_srv_worker_destroy(struct mt_srv_worker *w)
{
    if (w->lfd >= 0) {
        if (w->loop)
            mt_loop_del(w->loop, w->lfd);
        close(w->lfd);
    }
    if (w->loop)
        mt_timer_stop(w->loop, &w->sweep);
    mt_link_worker_free(w->lw);
    mt_loop_free(w->loop);
    mt_gzip_free(w->gz);
    mt_metrics_worker_free(w->m);
    free(w->scratch);
}
