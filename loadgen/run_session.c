/* The connection life of a load-generator session: connect (from a source
 * address pool, a bounded number at a time), create an auth key or reuse
 * one, run the workload, and on any failure reconnect with exponential
 * backoff and jitter. Every transition is counted. */
#include <stdio.h>
#include <stdlib.h>
#include "loadgen/run_internal.h"

#define LG_CONNECTS_IN_FLIGHT 256     /* per worker: a connect storm stays bounded */

static struct lg_sess *sess_of(struct mt_link *l) { return l->ud; }

static bool handshake_workload(const struct lg_sess *s)
{
    return mt_wl_mix_has(&s->w->run->cfg->workload, MT_WL_HANDSHAKE);
}

static void backoff_fire(struct mt_loop *loop, struct mt_timer *t, void *ud);
static void member_ready(struct lg_sess *m);

/* The handshake workload in open loop starts one handshake per pace slot:
 * 0 = go now (t_intended set), 1 = wait (the timer is armed). */
static int pace_handshake(struct lg_sess *s)
{
    struct lg_worker *w = s->w;
    if (!w->run->cfg->open_loop || !handshake_workload(s))
        return 0;
    mt_ns due = mt_pace_peek(&s->pace), now = mt_loop_now(w->loop);
    if (due == MT_PACE_NEVER) {
        s->phase = LG_DONE;
        return 1;
    }
    if (due > now) {
        mt_timer_start(w->loop, &s->timer, due);
        return 1;
    }
    s->t_intended = due;
    mt_pace_advance(&s->pace);
    return 0;
}

static int sess_connect(struct lg_sess *s)
{
    struct lg_worker *w = s->w;
    struct lg_run *run = w->run;
    if (!s->has_key && !run->rsa) {
        /* --keys without --rsa-key: this session's key is gone (-404) */
        mt_log(MT_LOG_ERROR, "session %llu: the server does not know its key and no --rsa-key "
               "was given to create a new one", (unsigned long long)s->index);
        s->phase = LG_DONE;
        return MT_E_RSA_KEY;
    }
    if (pace_handshake(s))
        return 0;
    const struct mt_addr *src = w->src.n ? mt_src_pool_next(&w->src) : NULL;
    s->t_connect = mt_loop_now(w->loop);
    int rc = mt_link_connect(&s->link, w->lw, &run->target, src, s->has_key ? &s->key : NULL,
                             run->cfg->connect_timeout, s);
    if (rc) {
        mt_metrics_count(w->m, MT_CNT_CONNECT_FAILS, 1);
        mt_metrics_error(w->m, w->ops.connect, MT_ERRK_IO, MT_E_CONNECT, NULL);
        s->phase = LG_BACKOFF;
        mt_timer_start_in(w->loop, &s->timer, mt_backoff_next(&s->backoff, &w->rand));
        return rc;
    }
    /* --temp-keys: a connection without a key first creates the permanent
     * key (unless --keys gave one), then a temporary one bound to it */
    if (run->cfg->temp_keys && !s->has_key)
        s->link.hs_cfg = s->has_perm || handshake_workload(s) ? &run->hs : &run->hs_perm;
    s->phase = LG_CONNECTING;
    w->connecting++;
    return 0;
}

void lg_sess_start(struct lg_sess *s)
{
    struct lg_worker *w = s->w;
    if (s->phase != LG_IDLE && s->phase != LG_DONE)
        return;
    if (s != s->lead) {
        /* a member runs on its lead's connection: at once if it is up,
         * else when it is (sess_ready) */
        s->phase = LG_BACKOFF;
        if (s->lead->phase == LG_READY)
            member_ready(s);
        return;
    }
    mt_timer_init(&s->timer, backoff_fire, s);
    s->phase = LG_BACKOFF;           /* until a connect slot is free */
    if (w->connecting < LG_CONNECTS_IN_FLIGHT)
        sess_connect(s);
    else
        mt_timer_start_in(w->loop, &s->timer, 10 * MT_NS_PER_MS);
}

static void backoff_fire(struct mt_loop *loop, struct mt_timer *t, void *ud)
{
    struct lg_sess *s = ud;
    if (s->phase != LG_BACKOFF || s->w->stopping)
        return;
    if (s->w->connecting >= LG_CONNECTS_IN_FLIGHT) {
        mt_timer_start_in(loop, t, 10 * MT_NS_PER_MS);
        return;
    }
    sess_connect(s);
}

/* The session object lives across reconnects with the same key (in-flight
 * requests are re-sent); a new key means a new session. */
static int sess_ensure_client(struct lg_sess *s)
{
    if (s->sc)
        return 0;
    struct lg_worker *w = s->w;
    struct mt_sess_client_cfg cfg = {
        .session_id = mt_rng_u64(mt_link_worker_rng(w->lw)),
        .salt = s->salt,
        .time_offset = s->offset,
        /* server msg_ids outside the 300 s / 30 s window are protocol
         * errors, checked once the clock is synced */
        .flags = (w->run->cfg->container ? 0 : MT_SESS_F_NO_CONTAINER) | MT_SESS_F_CHECK_TIME,
    };
    struct mt_sess_client_cb cb = lg_sess_cb_template;
    cb.ctx = s;
    s->sc = mt_sess_client_new(&cfg, &cb);
    return s->sc ? 0 : MT_E_NOMEM;
}

/* A member of a ready connection starts its workload. */
static void member_ready(struct lg_sess *m)
{
    struct lg_worker *w = m->w;
    struct lg_sess *lead = m->lead;
    if (m != lead) {               /* the group shares the lead's key */
        m->salt = m->sc ? m->salt : lead->salt;
        m->offset = lead->offset;
    }
    if (sess_ensure_client(m)) {
        mt_link_close(&lead->link, MT_E_NOMEM);
        return;
    }
    m->phase = LG_READY;
    m->wrapped = false;
    w->ready++;
    mt_churn_reset(&m->churn);
    atomic_store(&w->run->ever_ready, 1);
    /* requests in flight when the last connection died go out again */
    mt_sess_client_resend_all(m->sc);
    if (mt_sess_client_want_send(m->sc, mt_loop_now(w->loop)))
        mt_link_want_send(lg_link(m));
    lg_sess_begin_load(m);
}

/* The lead's connection has a key: every started member of the group runs. */
static void sess_ready(struct lg_sess *lead)
{
    mt_backoff_reset(&lead->backoff);
    /* called from on_connect / on_handshake, before the link itself is
     * READY: what matters is that it was not closed meanwhile */
    for (uint32_t i = 0; i < lead->group_n && lead->link.state != MT_LINK_CLOSED; i++) {
        struct lg_sess *m = lead + i;
        if (m == lead || m->phase == LG_BACKOFF)
            member_ready(m);
    }
}

/* Drop the members' sessions: a new key means new sessions. */
static void group_forget_sessions(struct lg_sess *lead)
{
    for (uint32_t i = 0; i < lead->group_n; i++) {
        struct lg_sess *m = lead + i;
        if (m->sc) {
            lg_req_free(m);
            mt_sess_client_free(m->sc);
            m->sc = NULL;
        }
    }
}

/* ---- link upcalls ----------------------------------------------------------- */

static void on_connect(struct mt_link *l, int status)
{
    struct lg_sess *s = sess_of(l);
    struct lg_worker *w = s->w;
    w->connecting--;
    if (status) {
        mt_metrics_count(w->m, MT_CNT_CONNECT_FAILS, 1);
        mt_metrics_error(w->m, w->ops.connect, MT_ERRK_IO, status, NULL);
        atomic_fetch_add(&w->run->fails_before_ready, 1);
        return;   /* on_close follows */
    }
    atomic_store(&w->run->ever_connected, 1);
    mt_ns now = mt_loop_now(w->loop);
    mt_metrics_count(w->m, MT_CNT_CONNECTS, 1);
    if (now >= w->run->start + w->run->cfg->warmup)
        mt_metrics_record(w->m, w->ops.connect, (int64_t)(now - s->t_connect));
    if (l->has_key) {
        sess_ready(s);
    } else {
        s->phase = LG_HANDSHAKE;
        s->t_handshake = now;
    }
}

/* auth.bindTempAuthKey over the new temporary key (api-pfs.md): its inner
 * message is encrypted with the permanent key and carries the msg_id of the
 * call itself, which the session tells in advance. */
static int send_bind(struct lg_sess *s)
{
    struct lg_worker *w = s->w;
    if (sess_ensure_client(s))
        return MT_E_NOMEM;
    struct mt_rng *rng = mt_link_worker_rng(w->lw);
    double wall = mt_wall_s();
    struct mt_hs_bind b = {
        .nonce = (int64_t)mt_rng_u64(rng),
        .temp_auth_key_id = s->key.id64,
        .perm_auth_key_id = s->perm.id64,
        .temp_session_id = mt_sess_client_session_id(s->sc),
        .expires_at = (int32_t)(wall + s->offset) + w->run->hs.expires_in,
    };
    uint8_t body[256];
    uint64_t id = mt_sess_client_peek_msg_id(s->sc, wall), got = 0;
    int n = mt_hs_bind_write_call(&s->perm, &b, id, rng, body, sizeof body);
    if (n < 0)
        return n;
    int rc = mt_sess_client_query(s->sc, body, (size_t)n, LG_BIND_TAG, mt_loop_now(w->loop), wall, &got);
    if (rc)
        return rc;
    if (got != id)
        return MT_E_STATE;
    s->binding = true;
    mt_log(MT_LOG_DEBUG, "session %llu: binding temporary key %016llx to %016llx",
           (unsigned long long)s->index, (unsigned long long)s->key.id64,
           (unsigned long long)s->perm.id64);
    mt_link_want_send(&s->link);
    return 0;
}

/* The server answered the bind: boolTrue starts the workload; anything
 * else closes the connection (the next one tries with a new temporary key). */
void lg_bind_done(struct lg_sess *lead, int ok)
{
    lead->binding = false;
    if (!ok) {
        mt_metrics_count(lead->w->m, MT_CNT_HANDSHAKE_FAILS, 1);
        lead->has_key = false;
        mt_link_close(&lead->link, MT_E_PROTO);
        return;
    }
    sess_ready(lead);
}

static int on_handshake(struct mt_link *l, const struct mt_hs_result *r)
{
    struct lg_sess *s = sess_of(l);
    struct lg_worker *w = s->w;
    mt_ns now = mt_loop_now(w->loop);
    mt_metrics_count(w->m, MT_CNT_HANDSHAKES, 1);
    atomic_store(&w->run->ever_ready, 1);
    if (handshake_workload(s) && w->run->cfg->open_loop) {
        /* the whole operation from its paced start (corrected), and from
         * the actual connect (uncorrected) */
        if (s->t_intended >= w->run->start + w->run->cfg->warmup) {
            mt_metrics_record(w->m, w->ops.handshake, (int64_t)(now - s->t_intended));
            mt_metrics_record(w->m, w->ops.op_uncorrected[0], (int64_t)(now - s->t_connect));
        }
    } else if (now >= w->run->start + w->run->cfg->warmup) {
        mt_metrics_record(w->m, w->ops.handshake, (int64_t)(now - s->t_handshake));
    }
    if (w->run->cfg->temp_keys && !r->temp && !handshake_workload(s)) {
        /* the permanent key: now the temporary one on the same connection */
        s->perm = r->key;
        s->has_perm = true;
        s->t_handshake = now;
        return mt_link_start_handshake(l, &w->run->hs) < 0 ? MT_E_STATE : 0;
    }
    s->key = r->key;
    s->has_key = true;
    s->salt = r->server_salt;
    s->offset = r->time_offset;
    group_forget_sessions(s);         /* a new key: new sessions */
    if (r->temp && s->has_perm && !handshake_workload(s)) {
        if (send_bind(s))
            mt_link_close(l, MT_E_STATE);
        return 0;                     /* the workload starts when it is bound */
    }
    if (handshake_workload(s)) {
        /* the handshake is the whole operation: close, then go again (the
         * last key made stays for --save-keys: a steady-state run can
         * reuse what a storm created) */
        s->has_key = false;
        s->key_kept = true;
        mt_link_close(l, 0);
        return 0;
    }
    sess_ready(s);
    return 0;
}

static void on_handshake_error(struct mt_link *l, int err, const char *detail)
{
    struct lg_sess *s = sess_of(l);
    mt_metrics_count(s->w->m, MT_CNT_HANDSHAKE_FAILS, 1);
    atomic_fetch_add(&s->w->run->fails_before_ready, 1);
    mt_metrics_error(s->w->m, s->w->ops.handshake, MT_ERRK_PROTO, err, NULL);
    mt_log(MT_LOG_INFO, "session %llu: handshake failed: %s (%s)",
           (unsigned long long)s->index, mt_strerror(err), detail ? detail : "");
}

static void on_message(struct mt_link *l, const uint8_t *plain, size_t len)
{
    struct lg_sess *lead = sess_of(l), *s = lead;
    uint64_t sid;
    if (lead->group_n > 1 && mt_sess_peek_session_id(plain, len, &sid) == 0)
        for (uint32_t i = 0; i < lead->group_n; i++)
            if (lead[i].sc && mt_sess_client_session_id(lead[i].sc) == sid) {
                s = lead + i;
                break;
            }
    if (!s->sc)
        return;
    mt_ns now = mt_loop_now(s->w->loop);
    mt_sess_client_feed(s->sc, plain, len, now, mt_wall_s());
    if (l->state == MT_LINK_READY && mt_sess_client_want_send(s->sc, now))
        mt_link_want_send(l);
}

/* One envelope per call: the members take turns; the link asks again next
 * iteration while any of them has more. */
static int build(struct mt_link *l, uint8_t *out, size_t cap)
{
    struct lg_sess *lead = sess_of(l);
    mt_ns now = mt_loop_now(lead->w->loop);
    int n = 0;
    for (uint32_t k = 0; k < lead->group_n && n == 0; k++) {
        uint32_t i = (lead->next_build + k) % lead->group_n;
        struct lg_sess *m = lead + i;
        bool active = m->phase == LG_READY || (m == lead && lead->binding);
        if (!m->sc || !active || !mt_sess_client_want_send(m->sc, now))
            continue;
        n = mt_sess_client_build(m->sc, out, cap, now, mt_wall_s(), 0);
        lead->next_build = (i + 1) % lead->group_n;
    }
    for (uint32_t i = 0; n > 0 && i < lead->group_n; i++)
        if (lead[i].sc && lead[i].phase == LG_READY && mt_sess_client_want_send(lead[i].sc, now)) {
            mt_link_want_send(l);     /* more than one envelope's worth queued */
            break;
        }
    return n;
}

static bool on_bad_packet(struct mt_link *l, int err)
{
    struct lg_sess *s = sess_of(l);
    mt_metrics_error(s->w->m, -1, MT_ERRK_PROTO, err, NULL);
    return true;
}

static void on_transport_error(struct mt_link *l, int32_t code)
{
    struct lg_sess *s = sess_of(l);
    mt_metrics_error(s->w->m, -1, MT_ERRK_TRANSPORT, code, NULL);
    if (code == -404) {
        /* the server does not know the key (restarted, or evicted it): a
         * new key and a new session on the next connection */
        s->has_key = false;
        mt_link_close(l, MT_E_AUTH_KEY_ID);
    }
}

static void on_close(struct mt_link *l, int reason)
{
    struct lg_sess *s = sess_of(l);
    struct lg_worker *w = s->w;
    enum lg_phase was = s->phase;
    for (uint32_t i = 0; i < s->group_n; i++)
        if (s[i].phase == LG_READY) {
            w->ready--;
            if (i > 0)
                s[i].phase = LG_BACKOFF;  /* waits for the lead's next connection */
        }
    mt_metrics_count(w->m, MT_CNT_BYTES_SENT, l->bytes_out);
    mt_metrics_count(w->m, MT_CNT_BYTES_RECV, l->bytes_in);
    mt_link_release(l);
    if (was == LG_DONE || w->stopping) {
        for (uint32_t i = 0; i < s->group_n; i++)
            s[i].phase = LG_DONE;
        return;
    }
    /* connect failures were counted in on_connect; a close we asked for
     * (--reconnect-every, the handshake workload) is no failure */
    bool planned = reason == 0 && (s->draining || handshake_workload(s));
    if (was == LG_HANDSHAKE)      /* e.g. a wrong MTProxy secret: closed at once */
        atomic_fetch_add(&w->run->fails_before_ready, 1);
    if (was != LG_CONNECTING && !planned) {
        mt_metrics_count(w->m, MT_CNT_DISCONNECTS, 1);
        if (reason && reason != MT_E_CLOSED)
            mt_metrics_error(w->m, -1, mt_err_class(reason)[0] == 'i' ? MT_ERRK_IO : MT_ERRK_PROTO,
                             reason, NULL);
        else if (reason == MT_E_CLOSED)
            mt_metrics_error(w->m, -1, MT_ERRK_IO, MT_E_CLOSED, NULL);
    }
    s->draining = false;
    if (s->binding) {                 /* closed before the bind was answered: */
        s->binding = false;           /* that temporary key is not trusted */
        s->has_key = false;
    }
    if (!s->has_key)                  /* key gone: the sessions too */
        group_forget_sessions(s);
    s->phase = LG_BACKOFF;
    mt_timer_stop(w->loop, &s->timer);
    mt_timer_init(&s->timer, backoff_fire, s);
    mt_ns delay = planned ? 0 : mt_backoff_next(&s->backoff, &w->rand);
    mt_timer_start_in(w->loop, &s->timer, delay);
}

const struct mt_link_ops lg_link_ops = {
    .on_connect = on_connect, .on_handshake = on_handshake,
    .on_handshake_error = on_handshake_error, .on_message = on_message, .build = build,
    .on_bad_packet = on_bad_packet, .on_transport_error = on_transport_error,
    .on_close = on_close,
};

void lg_sess_stop(struct lg_sess *s)
{
    mt_timer_stop(s->w->loop, &s->timer);
    if (s != s->lead) {               /* a member: its lead's link stays */
        if (s->phase == LG_READY)
            s->w->ready--;
        s->phase = LG_DONE;
        return;
    }
    bool open = s->phase == LG_CONNECTING || s->phase == LG_HANDSHAKE || s->phase == LG_READY;
    /* on_close will see DONE and count nothing: the ready gauge drops here
     * (a sessions ramp going down) */
    for (uint32_t i = 0; i < s->group_n; i++) {
        if (s[i].phase == LG_READY)
            s->w->ready--;
        s[i].phase = LG_DONE;
    }
    if (open)
        mt_link_close(&s->link, 0);
}

/* Every 100 ms: requests past --request-timeout; for a lead whose group has
 * nothing in flight, the --reconnect-every close or a trim of its buffers. */
void lg_sess_sweep(struct lg_sess *s, mt_ns now)
{
    if (s->phase != LG_READY)
        return;
    lg_req_timeouts(s, now);
    if (s != s->lead)
        return;
    for (uint32_t i = 0; i < s->group_n; i++)
        if (s[i].phase == LG_READY && s[i].tag_head != s[i].tag_next)
            return;
    if (s->draining)
        mt_link_close(&s->link, 0);
    else if (mt_link_trim(&s->link))       /* idle: give grown buffers back */
        mt_link_close(&s->link, MT_E_NOMEM);
}
