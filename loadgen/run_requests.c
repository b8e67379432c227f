/* What a session sends and what comes back: one operation picked per request
 * from the workload mix, closed loop (--depth requests in flight) or open
 * loop (paced from a schedule; latency measured from the intended send time,
 * the uncorrected figure kept beside it), every reply matched to its request
 * through a ring indexed by tag, and requests past --request-timeout given
 * up (counted, and cancelled in the session so they are not re-sent). */
#include <stdio.h>
#include <stdlib.h>
#include "loadgen/run_internal.h"

#define LG_MAX_INFLIGHT (1u << 16)    /* per session: beyond, the client is the bottleneck */
#define LG_BURST 256                  /* open loop: requests issued per timer firing */

/* ---- the ring of in-flight requests ---------------------------------------- */

static struct lg_req *req_slot(struct lg_sess *s, uint64_t tag)
{
    if (!s->req_cap || tag < s->tag_head || tag >= s->tag_next)
        return NULL;
    struct lg_req *r = &s->reqs[tag & (s->req_cap - 1)];
    return r->live && r->tag == tag ? r : NULL;
}

static int req_grow(struct lg_sess *s)
{
    uint32_t cap = s->req_cap ? s->req_cap * 2 : 16;
    struct lg_req *n = calloc(cap, sizeof *n);
    if (!n)
        return MT_E_NOMEM;
    for (uint64_t t = s->tag_head; t < s->tag_next; t++)
        n[t & (cap - 1)] = s->reqs[t & (s->req_cap - 1)];
    free(s->reqs);
    s->reqs = n;
    s->req_cap = cap;
    return 0;
}

static struct lg_req *req_new(struct lg_sess *s)
{
    if (s->tag_next - s->tag_head >= s->req_cap && req_grow(s))
        return NULL;
    uint64_t tag = s->tag_next++;
    struct lg_req *r = &s->reqs[tag & (s->req_cap - 1)];
    *r = (struct lg_req){.tag = tag, .live = 1};
    return r;
}

/* Retire r; advance the head past finished entries. */
static void req_done(struct lg_sess *s, struct lg_req *r)
{
    r->live = 0;
    while (s->tag_head < s->tag_next && !s->reqs[s->tag_head & (s->req_cap - 1)].live)
        s->tag_head++;
}

void lg_req_free(struct lg_sess *s)
{
    free(s->reqs);
    s->reqs = NULL;
    s->req_cap = 0;
    s->tag_head = s->tag_next = 0;
    s->closed.inflight = 0;
}

/* ---- issuing ------------------------------------------------------------ */

/* mtload.echo of size bytes, built in the worker's scratch. The payload is
 * whatever the scratch holds there (random from start-up): echo measures
 * sizes, the server must send the same bytes back. */
static size_t echo_body(struct lg_worker *w, uint32_t size)
{
    struct mt_tl_writer tw;
    mt_tl_writer_init(&tw, w->scratch, w->scratch_cap);
    mt_tl_w32(&tw, MT_TL_ID_MTLOAD_ECHO);
    mt_tl_put_bytes(&tw, size);
    return tw.overflow ? 0 : tw.pos;
}

/* Body of an rpc: op; the first on a connection is wrapped in
 * invokeWithLayer(initConnection(...)) as real clients do. */
static const uint8_t *rpc_body(struct lg_sess *s, size_t op, size_t *len)
{
    struct lg_run *run = s->w->run;
    if (s->wrapped) {
        *len = run->rpc[op].len;
        return run->rpc[op].p;
    }
    s->wrapped = true;
    size_t n = run->wrapper.len + run->rpc[op].len;
    if (n > s->w->scratch_cap)
        return NULL;
    memcpy(s->w->scratch, run->wrapper.p, run->wrapper.len);
    memcpy(s->w->scratch + run->wrapper.len, run->rpc[op].p, run->rpc[op].len);
    *len = n;
    return s->w->scratch;
}

/* Queue one request intended at `intended`. Returns 0 or an error. */
static int issue(struct lg_sess *s, mt_ns intended)
{
    struct lg_worker *w = s->w;
    const struct mt_run_config *cfg = w->run->cfg;
    size_t op = mt_wl_pick(&cfg->workload, &w->rand);
    const struct mt_wl_op *o = &cfg->workload.ops[op];
    if (s->tag_next - s->tag_head >= LG_MAX_INFLIGHT)
        return MT_E_LIMIT;
    struct lg_req *r = req_new(s);
    if (!r)
        return MT_E_NOMEM;
    mt_ns now = mt_loop_now(w->loop);
    double wall = mt_wall_s();
    r->intended = intended;
    r->sent = now;
    r->op = (uint8_t)op;
    uint64_t msg_id;
    int rc;
    switch (o->kind) {
    case MT_WL_PING:
    case MT_WL_PING_DELAY_DISCONNECT: {
        int32_t delay = o->kind == MT_WL_PING ? 0 : (int32_t)(o->disconnect_delay / MT_NS_PER_S);
        rc = mt_sess_client_ping(s->sc, r->tag, delay, intended, wall, &msg_id);
        break;
    }
    case MT_WL_ECHO: {
        r->size = mt_wl_echo_size(o, &w->rand);
        size_t n = echo_body(w, r->size);
        rc = n ? mt_sess_client_query(s->sc, w->scratch, n, r->tag, intended, wall, &msg_id)
               : MT_E_OVERFLOW;
        break;
    }
    case MT_WL_RPC: {
        size_t n = 0;
        const uint8_t *b = rpc_body(s, op, &n);
        rc = b ? mt_sess_client_query(s->sc, b, n, r->tag, intended, wall, &msg_id) : MT_E_OVERFLOW;
        break;
    }
    default:
        rc = MT_E_STATE;
        break;
    }
    if (rc) {
        req_done(s, r);
        return rc;
    }
    mt_metrics_count(w->m, MT_CNT_REQUESTS, 1);
    mt_closed_sent(&s->closed, 1);
    if (mt_churn_sent(&s->churn, 1))
        s->lead->draining = true; /* --reconnect-every: close once answered */
    mt_link_want_send(lg_link(s));
    return 0;
}

static void issue_closed(struct lg_sess *s)
{
    if (s->w->stopping || s->lead->draining)
        return;
    mt_ns now = mt_loop_now(s->w->loop);
    for (uint32_t room = mt_closed_room(&s->closed); room > 0; room--)
        if (issue(s, now)) {
            mt_metrics_error(s->w->m, -1, MT_ERRK_PROTO, MT_E_LIMIT, "client request failed");
            break;
        }
}

/* Open loop: issue every request whose intended time has come, late ones
 * included (the schedule never slows down), as far as --depth allows when
 * it caps the requests in flight; then wait for the next one. Called by the
 * pacing timer and whenever a reply frees room under the cap. */
static void issue_due(struct lg_sess *s, mt_ns now)
{
    struct lg_worker *w = s->w;
    uint32_t cap = s->closed.depth;
    for (int i = 0; i < LG_BURST && !s->lead->draining; i++) {
        mt_ns due = mt_pace_peek(&s->pace);
        if (due == MT_PACE_NEVER || due > now)
            break;
        if (cap && s->closed.inflight >= cap)
            return;           /* the next reply issues it, late by its wait */
        if (issue(s, due))
            mt_metrics_error(w->m, -1, MT_ERRK_PROTO, MT_E_LIMIT, "client request failed");
        mt_pace_advance(&s->pace);
    }
    mt_ns next = mt_pace_peek(&s->pace);
    if (next != MT_PACE_NEVER && !s->lead->draining)
        mt_timer_start(w->loop, &s->timer, next > now ? next : now);
}

void lg_sess_pace_fire(struct mt_loop *loop, struct mt_timer *t, void *ud)
{
    struct lg_sess *s = ud;
    if (s->phase != LG_READY || s->w->stopping)
        return;   /* re-armed by lg_sess_begin_load on the next connection */
    issue_due(s, mt_loop_now(loop));
}

/* A reply (or a timeout) freed room: closed loop sends the next request,
 * open loop under a cap sends what is due. */
static void room_freed(struct lg_sess *s)
{
    if (!s->w->run->cfg->open_loop)
        issue_closed(s);
    else if (s->closed.depth && s->phase == LG_READY && !s->w->stopping)
        issue_due(s, mt_loop_now(s->w->loop));
}

void lg_sess_begin_load(struct lg_sess *s)
{
    const struct mt_run_config *cfg = s->w->run->cfg;
    if (cfg->open_loop) {
        mt_timer_stop(s->w->loop, &s->timer);
        mt_timer_init(&s->timer, lg_sess_pace_fire, s);
        mt_ns next = mt_pace_peek(&s->pace);
        if (next != MT_PACE_NEVER)
            mt_timer_start(s->w->loop, &s->timer, next);
    } else {
        issue_closed(s);
    }
}

/* ---- replies --------------------------------------------------------------- */

static bool measured(const struct lg_worker *w, mt_ns intended)
{
    const struct lg_run *run = w->run;
    return intended >= run->start + run->cfg->warmup;
}

static void complete(struct lg_sess *s, struct lg_req *r)
{
    struct lg_worker *w = s->w;
    mt_ns now = mt_loop_now(w->loop);
    if (measured(w, r->intended)) {
        mt_metrics_record(w->m, w->ops.op[r->op], (int64_t)(now - r->intended));
        if (w->run->cfg->open_loop)
            mt_metrics_record(w->m, w->ops.op_uncorrected[r->op], (int64_t)(now - r->sent));
    }
    mt_metrics_count(w->m, MT_CNT_RESPONSES, 1);
    req_done(s, r);
    mt_closed_done(&s->closed, 1);
    room_freed(s);
}

static void on_result(void *ctx, uint64_t tag, uint64_t req_msg_id, const uint8_t *body,
                      size_t len, mt_ns t0)
{
    struct lg_sess *s = ctx;
    if (tag == LG_BIND_TAG) {
        lg_bind_done(s, len >= 4 && mt_load_le32(body) == MT_TL_BOOL_TRUE);
        return;
    }
    struct lg_req *r = req_slot(s, tag);
    if (!r)
        return;       /* given up on already (timeout) */
    const struct mt_wl_op *o = &s->w->run->cfg->workload.ops[r->op];
    if (o->kind == MT_WL_ECHO) {
        /* the reply must be mtload.echoResult with the bytes we sent */
        struct mt_tl_reader rd;
        size_t n = 0;
        mt_tl_reader_init(&rd, body, len);
        uint32_t ctor = mt_tl_u32(&rd);
        mt_tl_bytes(&rd, &n);
        if (!mt_tl_ok(&rd) || ctor != MT_TL_ID_MTLOAD_ECHO_RESULT || n != r->size) {
            mt_metrics_error(s->w->m, s->w->ops.op[r->op], MT_ERRK_PROTO, MT_E_PROTO,
                             "echo result does not match the request");
            req_done(s, r);
            mt_closed_done(&s->closed, 1);
            room_freed(s);
            return;
        }
    }
    complete(s, r);
}

static void on_error(void *ctx, uint64_t tag, uint64_t req_msg_id, int32_t code, const char *msg,
                     size_t msg_len, int32_t flood_wait, mt_ns t0)
{
    struct lg_sess *s = ctx;
    struct lg_worker *w = s->w;
    struct lg_req *r = req_slot(s, tag);
    char text[MT_METRICS_ERR_MSG_MAX];
    size_t n = msg_len < sizeof text - 1 ? msg_len : sizeof text - 1;
    memcpy(text, msg, n);
    text[n] = 0;
    if (tag == LG_BIND_TAG) {
        mt_metrics_error(w->m, w->ops.handshake, code == MT_SESS_LOCAL_FAIL ? MT_ERRK_PROTO : MT_ERRK_RPC,
                         code == MT_SESS_LOCAL_FAIL ? MT_E_PROTO : code, text);
        lg_bind_done(s, 0);
        return;
    }
    int op = r ? w->ops.op[r->op] : -1;
    if (code == MT_SESS_LOCAL_FAIL)
        mt_metrics_error(w->m, op, MT_ERRK_PROTO, MT_E_PROTO, text);
    else
        mt_metrics_error(w->m, op, MT_ERRK_RPC, code, text);
    if (!r)
        return;
    req_done(s, r);
    mt_closed_done(&s->closed, 1);
    room_freed(s);
}

static void on_event(void *ctx, const struct mt_sess_event *ev)
{
    struct lg_sess *s = ctx;
    struct lg_worker *w = s->w;
    switch (ev->kind) {
    case MT_SESS_EV_PONG: {
        struct lg_req *r = req_slot(s, ev->ping_id);
        if (r)
            complete(s, r);
        break;
    }
    case MT_SESS_EV_SALT_CHANGED:
        s->salt = ev->salt;
        mt_metrics_count(w->m, MT_CNT_SALT_CHANGES, 1);
        break;
    case MT_SESS_EV_NEW_SESSION:
        if (ev->salt)
            s->salt = ev->salt;
        break;
    case MT_SESS_EV_BAD_MSG:
        if (ev->code != MT_BAD_MSG_SALT)     /* salts are counted above */
            mt_metrics_error(w->m, -1, MT_ERRK_BAD_MSG, ev->code, NULL);
        break;
    case MT_SESS_EV_PROTO_ERROR:
        /* the answer to a request given up on (timeout) arrives as one to
         * an unknown request: it was counted as a timeout already */
        if (ev->code == MT_E_UNKNOWN_REQ && s->late_ok > 0)
            s->late_ok--;
        else
            mt_metrics_error(w->m, -1, MT_ERRK_PROTO, ev->code, NULL);
        break;
    case MT_SESS_EV_TIME_CORRECTED:
        s->offset = ev->time_offset;
        break;
    default:
        break;
    }
}

const struct mt_sess_client_cb lg_sess_cb_template = {
    .on_result = on_result, .on_error = on_error, .on_event = on_event,
};

void lg_req_timeouts(struct lg_sess *s, mt_ns now)
{
    struct lg_worker *w = s->w;
    mt_ns limit = w->run->cfg->request_timeout;
    bool gave_up = false;
    while (s->tag_head < s->tag_next) {
        struct lg_req *r = &s->reqs[s->tag_head & (s->req_cap - 1)];
        if (r->live && now - r->sent < limit)
            break;
        if (r->live) {
            mt_metrics_count(w->m, MT_CNT_TIMEOUTS, 1);
            mt_metrics_error(w->m, w->ops.op[r->op], MT_ERRK_IO, MT_E_TIMEOUT, NULL);
            if (mt_sess_client_cancel(s->sc, r->tag) == 0 && s->late_ok < UINT32_MAX)
                s->late_ok++;
            r->live = 0;
            mt_closed_done(&s->closed, 1);
            gave_up = true;
        }
        s->tag_head++;
    }
    if (gave_up)
        room_freed(s);
}
