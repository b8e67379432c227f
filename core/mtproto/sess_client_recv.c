/* Client session, receiving: header checks (session_id, msg_id parity,
 * replays, optional time window), containers, gzip_packed, and the dispatch
 * of every server message: rpc_result / rpc_error, pong, future_salts,
 * new_session_created, bad_server_salt, bad_msg_notification, acks, state
 * and detailed info, resend requests, destroy_session answers, updates. */
#include "core/mtproto/sess_client_internal.h"

#include <stdio.h>
#include <stdlib.h>

struct rx {                 /* one fed envelope */
    struct mt_sess_client *c;
    uint64_t env_msg_id;    /* msg_id of the envelope (the server's clock) */
    mt_ns now;
    double wall;
};

static int dispatch(struct rx *x, uint64_t msg_id, uint32_t seq_no, const uint8_t *body,
                    size_t len, int depth);

static void proto_error(struct mt_sess_client *c, int code, uint64_t msg_id)
{
    c->st.proto_errors++;
    struct mt_sess_event ev;
    mt_sess_ev_init(&ev, MT_SESS_EV_PROTO_ERROR);
    ev.code = code;
    ev.msg_id = msg_id;
    mt_sc_event(c, &ev);
}

/* ---- rpc_result ------------------------------------------------------------ */
static void deliver_result(struct rx *x, struct creq *e, uint64_t req, const uint8_t *res,
                           size_t len)
{
    struct mt_sess_client *c = x->c;
    uint32_t ctor = len >= 4 ? mt_load_le32(res) : 0;
    struct mt_sess_event ev;
    if (ctor == MT_TL_ID_RPC_ERROR) {
        int32_t code = 0, wait = 0;
        const char *m = NULL;
        size_t ml = 0;
        if (mt_rpc_error_parse(res, len, &code, &m, &ml, &wait) != 0) {
            proto_error(c, MT_E_TL_VALUE, req);
            m = "BAD_RPC_ERROR"; ml = 13; code = MT_SESS_LOCAL_FAIL;
        }
        c->st.errors++;
        /* release before calling out: the callback may queue new requests,
         * which can move the pool under e */
        int kind = e->kind;
        uint64_t tag = e->tag;
        mt_ns t0 = e->t0;
        mt_sc_release(c, e);
        if (kind == CRK_QUERY && c->cb.on_error)
            c->cb.on_error(c->cb.ctx, tag, req, code, m, ml, wait, t0);
        return;
    }
    c->st.results++;
    switch (e->kind) {
    case CRK_QUERY: {
        uint64_t tag = e->tag;
        mt_ns t0 = e->t0;
        mt_sc_release(c, e);      /* before the callback, as above */
        if (c->cb.on_result) c->cb.on_result(c->cb.ctx, tag, req, res, len, t0);
        return;
    }
    case CRK_DROP_ANSWER:
        mt_sess_ev_init(&ev, MT_SESS_EV_DROP_ANSWER);
        ev.msg_id = e->tag;
        ev.req_msg_id = req;
        ev.code = (int)ctor;
        mt_sc_release(c, e);
        mt_sc_event(c, &ev);
        return;
    case CRK_PING:
    case CRK_FUTURE_SALTS:
    case CRK_DESTROY_SESSION:
        /* answers that normally come top level; accepted inside rpc_result */
        dispatch(x, x->env_msg_id, 0, res, len, 1);
        /* the handler released the entry if the answer matched; if not,
         * the request is over all the same */
        if ((e = mt_sc_find(c, req)) != NULL) mt_sc_release(c, e);
        return;
    default:
        break;
    }
    mt_sc_release(c, e);
}

static int on_rpc_result(struct rx *x, const uint8_t *body, size_t len, int depth)
{
    struct mt_sess_client *c = x->c;
    if (len < 12) return MT_E_TL_SHORT;
    uint64_t req = mt_load_le64(body + 4);
    if (len < 16) {   /* no result object: the request is over, badly */
        struct creq *bad = mt_sc_find(c, req);
        if (bad && bad->state == CRS_SENT) mt_sc_fail(c, bad, "BAD_RESULT");
        return MT_E_TL_SHORT;
    }
    const uint8_t *res = body + 12;
    size_t rlen = len - 12;
    struct creq *e = mt_sc_find(c, req);
    if (!e || e->state != CRS_SENT) {
        c->st.unknown_req++;
        proto_error(c, MT_E_UNKNOWN_REQ, req);
        return 0;
    }
    if (mt_load_le32(res) == MT_TL_ID_GZIP_PACKED) {
        struct mt_tl_reader r;
        mt_tl_reader_init(&r, res + 4, rlen - 4);
        size_t n = 0;
        const uint8_t *packed = mt_tl_bytes(&r, &n);
        const uint8_t *out = NULL;
        size_t out_len = 0;
        struct mt_gzip *gz = mt_sc_gzip(c);
        if (!mt_tl_ok(&r) || depth > 1 || !gz ||
            mt_gzip_inflate(gz, packed, n, &out, &out_len) != 0 || out_len < 4) {
            proto_error(c, MT_E_GZIP, req);
            mt_sc_fail(c, e, "GZIP_BAD");
            return 0;
        }
        c->st.gzip_in++;
        res = out;
        rlen = out_len;
    }
    deliver_result(x, e, req, res, rlen);
    return 0;
}

/* ---- bad_msg_notification / bad_server_salt ------------------------------------ */
/* Re-send (or fail) every request carried by the rejected message: the id
 * may be a request's own or its container's. */
static int affect_requests(struct mt_sess_client *c, uint64_t bad_id, int requeue,
                           const char *why)
{
    int found = 0;
    for (uint32_t i = 0; i < c->ents_cap; i++) {
        struct creq *e = &c->ents[i];
        if (e->state != CRS_SENT || (e->msg_id != bad_id && e->outer_id != bad_id)) continue;
        found++;
        if (requeue) mt_sc_requeue(c, e, why);
        else mt_sc_fail(c, e, why);
    }
    return found;
}

static int on_bad_msg(struct rx *x, uint64_t msg_id, const uint8_t *body, size_t len)
{
    struct mt_sess_client *c = x->c;
    struct mt_tl_reader r;
    mt_tl_reader_init(&r, body, len);
    uint32_t ctor = mt_tl_u32(&r);
    uint64_t bad_id = mt_tl_u64(&r);
    uint32_t bad_seq = mt_tl_u32(&r);
    int code = mt_tl_i32(&r);
    uint64_t salt = ctor == MT_TL_ID_BAD_SERVER_SALT ? mt_tl_u64(&r) : 0;
    if (!mt_tl_ok(&r)) return r.err;
    c->st.bad_msg[mt_sess_bad_msg_class(code)]++;
    struct mt_sess_event ev;
    mt_sess_ev_init(&ev, MT_SESS_EV_BAD_MSG);
    ev.code = code;
    ev.msg_id = bad_id;
    ev.seq_no = bad_seq;
    ev.salt = salt;
    mt_sc_event(c, &ev);
    /* Only act on notifications about something we really sent recently
     * (security_guidelines: salt and time changes come from them). */
    struct creq *e = mt_sc_find(c, bad_id);
    if (!(e && e->state == CRS_SENT) && !mt_sc_was_sent(c, bad_id)) {
        proto_error(c, MT_E_UNKNOWN_REQ, bad_id);
        return 0;
    }
    if (ctor == MT_TL_ID_BAD_SERVER_SALT) {
        c->cfg.salt = salt;
        mt_sess_ev_init(&ev, MT_SESS_EV_SALT_CHANGED);
        ev.salt = salt;
        ev.msg_id = bad_id;
        mt_sc_event(c, &ev);
        affect_requests(c, bad_id, 1, "BAD_SERVER_SALT");
        return 0;
    }
    switch (code) {
    case MT_BAD_MSG_ID_LOW:
    case MT_BAD_MSG_ID_HIGH:
        mt_msgid_correct(&c->gen, msg_id, x->wall);
        c->time_synced = 1;
        mt_sc_reassign_queued(c);
        mt_sess_ev_init(&ev, MT_SESS_EV_TIME_CORRECTED);
        ev.time_offset = c->gen.offset;
        ev.msg_id = bad_id;
        mt_sc_event(c, &ev);
        affect_requests(c, bad_id, 1, "BAD_MSG_TIME");
        break;
    case MT_BAD_MSG_TOO_OLD:
    case MT_BAD_MSG_SEQ_LOW:
    case MT_BAD_MSG_SEQ_HIGH:
    case MT_BAD_MSG_SALT:
        affect_requests(c, bad_id, 1, "BAD_MSG_RESEND");
        break;
    default: {   /* 18, 19, 34, 35, 64, unknown: our own bug, re-sending repeats it */
        char why[24];
        snprintf(why, sizeof(why), "BAD_MSG_%d", code);
        affect_requests(c, bad_id, 0, why);
        break;
    }
    }
    return 0;
}

/* ---- other service messages ------------------------------------------------- */
static int on_pong(struct rx *x, const uint8_t *body, size_t len)
{
    struct mt_sess_client *c = x->c;
    if (len < 20) return MT_E_TL_SHORT;
    uint64_t ping_msg = mt_load_le64(body + 4), ping_id = mt_load_le64(body + 12);
    struct creq *e = mt_sc_find(c, ping_msg);
    if (!e || e->kind != CRK_PING || e->state != CRS_SENT) {
        c->st.unknown_req++;
        proto_error(c, MT_E_UNKNOWN_REQ, ping_msg);
        return 0;
    }
    struct mt_sess_event ev;
    mt_sess_ev_init(&ev, MT_SESS_EV_PONG);
    ev.msg_id = ping_msg;
    ev.ping_id = ping_id;
    ev.rtt_ns = x->now - e->sent_ns;
    mt_sc_release(c, e);
    mt_sc_event(c, &ev);
    return 0;
}

static int on_future_salts(struct rx *x, const uint8_t *body, size_t len)
{
    struct mt_sess_client *c = x->c;
    struct mt_tl_reader r;
    mt_tl_reader_init(&r, body + 4, len - 4);
    uint64_t req = mt_tl_u64(&r);
    int32_t now = mt_tl_i32(&r);
    uint32_t n = mt_tl_u32(&r);
    if (!mt_tl_ok(&r)) return r.err;
    if (n > 64 || (size_t)n * 16 > mt_tl_left(&r)) return MT_E_TL_VALUE;
    struct mt_future_salt salts[64];
    for (uint32_t i = 0; i < n; i++) {
        salts[i].valid_since = mt_tl_i32(&r);
        salts[i].valid_until = mt_tl_i32(&r);
        salts[i].salt = mt_tl_u64(&r);
    }
    struct creq *e = mt_sc_find(c, req);
    if (!e || e->kind != CRK_FUTURE_SALTS || e->state != CRS_SENT) {
        c->st.unknown_req++;
        proto_error(c, MT_E_UNKNOWN_REQ, req);
        return 0;
    }
    mt_sc_release(c, e);
    struct mt_sess_event ev;
    mt_sess_ev_init(&ev, MT_SESS_EV_FUTURE_SALTS);
    ev.req_msg_id = req;
    ev.now = now;
    ev.salts = salts;
    ev.n_salts = n;
    mt_sc_event(c, &ev);
    return 0;
}

static int on_new_session(struct rx *x, const uint8_t *body, size_t len)
{
    struct mt_sess_client *c = x->c;
    if (len < 28) return MT_E_TL_SHORT;
    uint64_t first = mt_load_le64(body + 4);
    struct mt_sess_event ev;
    mt_sess_ev_init(&ev, MT_SESS_EV_NEW_SESSION);
    ev.msg_id = first;
    ev.unique_id = mt_load_le64(body + 12);
    ev.salt = mt_load_le64(body + 20);
    c->cfg.salt = ev.salt;
    /* Requests sent before first_msg_id and not yet acknowledged were sent to
     * a session the server no longer has: send them again. */
    for (uint32_t i = 0; i < c->ents_cap; i++) {
        struct creq *e = &c->ents[i];
        if (e->state == CRS_SENT && e->msg_id < first && !(e->flags & CRF_ACKED))
            mt_sc_requeue(c, e, "NEW_SESSION");
    }
    mt_sc_event(c, &ev);
    return 0;
}

static int on_msgs_ack(struct rx *x, const uint8_t *body, size_t len)
{
    struct mt_sess_client *c = x->c;
    struct mt_tl_reader r;
    const uint8_t *ids = NULL;
    mt_tl_reader_init(&r, body + 4, len - 4);
    uint32_t n = mt_sess_read_ids(&r, &ids);
    if (!mt_tl_ok(&r)) return r.err;
    for (uint32_t i = 0; i < n; i++) {
        struct creq *e = mt_sc_find(c, mt_load_le64(ids + 8 * (size_t)i));
        if (e) e->flags |= CRF_ACKED;
    }
    c->st.acks_in += n;
    mt_sess_emit_acks(c->cb.on_event, c->cb.ctx, ids, n);
    return 0;
}

/* msg_detailed_info / msg_new_detailed_info: ack the answer if we have it,
 * else ask for it again. */
static int on_detailed_info(struct rx *x, uint32_t ctor, const uint8_t *body, size_t len)
{
    struct mt_sess_client *c = x->c;
    struct mt_tl_reader r;
    mt_tl_reader_init(&r, body + 4, len - 4);
    struct mt_sess_event ev;
    mt_sess_ev_init(&ev, MT_SESS_EV_DETAILED_INFO);
    if (ctor == MT_TL_ID_MSG_DETAILED_INFO) ev.msg_id = mt_tl_u64(&r);
    ev.answer_msg_id = mt_tl_u64(&r);
    ev.bytes = mt_tl_i32(&r);
    ev.status = mt_tl_i32(&r);
    if (!mt_tl_ok(&r)) return r.err;
    if (mt_msgid_window_check(&c->win, ev.answer_msg_id) == 1) {
        mt_sess_acks_push(&c->acks, ev.answer_msg_id, x->now);
    } else {
        uint8_t b[20];
        mt_store_le32(b, MT_TL_ID_MSG_RESEND_REQ);
        mt_store_le32(b + 4, MT_TL_VECTOR);
        mt_store_le32(b + 8, 1);
        mt_store_le64(b + 12, ev.answer_msg_id);
        mt_sc_enqueue(c, CRK_ONESHOT, b, sizeof(b), 0, x->now, x->wall, 0, NULL);
    }
    mt_sc_event(c, &ev);
    return 0;
}

static int on_state_info(struct rx *x, uint32_t ctor, const uint8_t *body, size_t len)
{
    struct mt_sess_client *c = x->c;
    struct mt_tl_reader r;
    struct mt_sess_event ev;
    mt_tl_reader_init(&r, body + 4, len - 4);
    if (ctor == MT_TL_ID_MSGS_STATE_INFO) {
        mt_sess_ev_init(&ev, MT_SESS_EV_STATE_INFO);
        ev.req_msg_id = mt_tl_u64(&r);
        ev.info = mt_tl_bytes(&r, &ev.info_len);
        if (!mt_tl_ok(&r)) return r.err;
        struct creq *e = mt_sc_find(c, ev.req_msg_id);
        if (e && e->kind == CRK_STATE_REQ && e->state == CRS_SENT) mt_sc_release(c, e);
        else { c->st.unknown_req++; proto_error(c, MT_E_UNKNOWN_REQ, ev.req_msg_id); return 0; }
        mt_sc_event(c, &ev);
        return 0;
    }
    /* msgs_all_info: ids + info */
    const uint8_t *ids = NULL;
    uint32_t n = mt_sess_read_ids(&r, &ids);
    mt_sess_ev_init(&ev, MT_SESS_EV_ALL_INFO);
    ev.info = mt_tl_bytes(&r, &ev.info_len);
    if (!mt_tl_ok(&r)) return r.err;
    uint64_t chunk[256];
    uint32_t k = n < 256 ? n : 256;   /* events carry the first 256 ids */
    for (uint32_t i = 0; i < k; i++) chunk[i] = mt_load_le64(ids + 8 * (size_t)i);
    ev.ids = chunk;
    ev.n_ids = k;
    mt_sc_event(c, &ev);
    return 0;
}

/* The server asks about our receipt of its messages, or for a re-send. */
static int on_peer_request(struct rx *x, uint64_t msg_id, uint32_t ctor, const uint8_t *body,
                           size_t len)
{
    struct mt_sess_client *c = x->c;
    struct mt_tl_reader r;
    const uint8_t *ids = NULL;
    mt_tl_reader_init(&r, body + 4, len - 4);
    uint32_t n = mt_sess_read_ids(&r, &ids);
    if (!mt_tl_ok(&r)) return r.err;
    if (ctor == MT_TL_ID_MSG_RESEND_REQ) {
        for (uint32_t i = 0; i < n; i++) {
            struct creq *e = mt_sc_find(c, mt_load_le64(ids + 8 * (size_t)i));
            if (e && e->state == CRS_SENT) mt_sc_requeue(c, e, "RESEND_REQ");
        }
        return 0;
    }
    uint8_t stack[256];
    size_t cap = 12 + mt_tl_bytes_size(n);
    uint8_t *b = cap <= sizeof(stack) ? stack : malloc(cap);
    if (!b) return MT_E_NOMEM;
    struct mt_tl_writer w;
    mt_tl_writer_init(&w, b, cap);
    mt_sess_write_state_info(&w, msg_id, &c->win, ids, n);
    int rc = mt_sc_enqueue(c, CRK_ONESHOT, b, w.pos, 0, x->now, x->wall, 0, NULL);
    if (b != stack) free(b);
    return rc;
}

static int on_destroy_session(struct rx *x, uint32_t ctor, const uint8_t *body, size_t len)
{
    struct mt_sess_client *c = x->c;
    if (len < 12) return MT_E_TL_SHORT;
    uint64_t sid = mt_load_le64(body + 4);
    for (uint32_t i = 0; i < c->ents_cap; i++) {
        struct creq *e = &c->ents[i];
        if (e->state == CRS_SENT && e->kind == CRK_DESTROY_SESSION && e->tag == sid) {
            mt_sc_release(c, e);
            break;
        }
    }
    struct mt_sess_event ev;
    mt_sess_ev_init(&ev, MT_SESS_EV_DESTROY_SESSION);
    ev.session_id = sid;
    ev.code = ctor == MT_TL_ID_DESTROY_SESSION_OK;
    mt_sc_event(c, &ev);
    return 0;
}

/* ---- dispatch ---------------------------------------------------------------- */
static int on_gzip(struct rx *x, uint64_t msg_id, const uint8_t *body, size_t len, int depth)
{
    struct mt_sess_client *c = x->c;
    struct mt_tl_reader r;
    mt_tl_reader_init(&r, body + 4, len - 4);
    size_t n = 0;
    const uint8_t *packed = mt_tl_bytes(&r, &n);
    const uint8_t *out = NULL;
    size_t out_len = 0;
    struct mt_gzip *gz = mt_sc_gzip(c);
    if (!mt_tl_ok(&r) || depth > 0 || !gz || mt_gzip_inflate(gz, packed, n, &out, &out_len) != 0)
        return MT_E_GZIP;
    c->st.gzip_in++;
    return dispatch(x, msg_id, 0, out, out_len, depth + 1);
}

static int dispatch(struct rx *x, uint64_t msg_id, uint32_t seq_no, const uint8_t *body,
                    size_t len, int depth)
{
    struct mt_sess_client *c = x->c;
    if (len < 4) return MT_E_TL_SHORT;
    uint32_t ctor = mt_load_le32(body);
    if (depth == 0) {
        c->st.items_in++;
        /* every content-related message is acknowledged */
        if ((seq_no & 1) && mt_sess_acks_push(&c->acks, msg_id, x->now)) return MT_E_NOMEM;
    }
    switch (ctor) {
    case MT_TL_ID_RPC_RESULT: return on_rpc_result(x, body, len, depth);
    case MT_TL_ID_PONG: return on_pong(x, body, len);
    case MT_TL_ID_FUTURE_SALTS: return on_future_salts(x, body, len);
    case MT_TL_ID_NEW_SESSION_CREATED: return on_new_session(x, body, len);
    case MT_TL_ID_BAD_SERVER_SALT:
    case MT_TL_ID_BAD_MSG_NOTIFICATION: return on_bad_msg(x, msg_id, body, len);
    case MT_TL_ID_MSGS_ACK: return on_msgs_ack(x, body, len);
    case MT_TL_ID_MSG_DETAILED_INFO:
    case MT_TL_ID_MSG_NEW_DETAILED_INFO: return on_detailed_info(x, ctor, body, len);
    case MT_TL_ID_MSGS_STATE_INFO:
    case MT_TL_ID_MSGS_ALL_INFO: return on_state_info(x, ctor, body, len);
    case MT_TL_ID_MSGS_STATE_REQ:
    case MT_TL_ID_MSG_RESEND_REQ: return on_peer_request(x, msg_id, ctor, body, len);
    case MT_TL_ID_DESTROY_SESSION_OK:
    case MT_TL_ID_DESTROY_SESSION_NONE: return on_destroy_session(x, ctor, body, len);
    case MT_TL_ID_GZIP_PACKED: return on_gzip(x, msg_id, body, len, depth);
    case MT_TL_ID_MSG_CONTAINER: return MT_E_CONTAINER;   /* only at top level */
    case MT_TL_ID_MSG_COPY: {
        /* orig_message:Message: handled as if the wrapper were not there */
        if (depth > 0 || len < 20) return MT_E_TL_SHORT;
        uint64_t id = mt_load_le64(body + 4);
        uint32_t seq = mt_load_le32(body + 12), n = mt_load_le32(body + 16);
        if (n > len - 20 || n < 4 || id >= msg_id) return MT_E_CONTAINER;
        if (mt_msgid_window_check(&c->win, id) != 0) return 0;
        mt_msgid_window_insert(&c->win, id);
        return dispatch(x, id, seq, body + 20, n, 0);
    }
    default: {
        struct mt_sess_event ev;
        mt_sess_ev_init(&ev, MT_SESS_EV_UPDATE);
        ev.msg_id = msg_id;
        ev.code = (int)ctor;
        ev.body = body;
        ev.len = len;
        mt_sc_event(c, &ev);
        return 0;
    }
    }
}

/* Replay check of one server msg_id: 0 new (now recorded), 1 drop. A dropped
 * content-related duplicate is acknowledged again (our ack may be lost). */
static int replay_check(struct rx *x, uint64_t msg_id, uint32_t seq_no)
{
    struct mt_sess_client *c = x->c;
    if (mt_msgid_window_check(&c->win, msg_id) == 0) {
        mt_msgid_window_insert(&c->win, msg_id);
        return 0;
    }
    c->st.duplicates++;
    if (seq_no & 1) mt_sess_acks_push(&c->acks, msg_id, x->now);
    return 1;
}

/* A container is accepted or rejected as a whole: validate every item
 * (structure, parity) before dispatching any. */
static int feed_container(struct rx *x, uint64_t msg_id, const uint8_t *body, size_t len)
{
    struct mt_sess_client *c = x->c;
    struct mt_container_iter it;
    struct mt_msg_item item;
    int rc;
    if (mt_container_iter_init(&it, body, len, msg_id) != 0) return MT_E_CONTAINER;
    while ((rc = mt_container_next(&it, &item)) == 1)
        if (!(item.msg_id & 1)) return MT_E_MSG_ID;
    if (rc < 0) return rc;
    c->st.containers_in++;
    mt_container_iter_init(&it, body, len, msg_id);
    while (mt_container_next(&it, &item) == 1) {
        if (replay_check(x, item.msg_id, item.seq_no)) continue;
        rc = dispatch(x, item.msg_id, item.seq_no, item.body, item.len, 0);
        if (rc < 0) proto_error(c, rc, item.msg_id);   /* one bad item: keep the rest */
    }
    return 0;
}

int mt_sess_client_feed(struct mt_sess_client *c, const uint8_t *plain, size_t plain_len,
                        mt_ns now, double wall)
{
    struct mt_msg_hdr h;
    const uint8_t *body;
    int rc = mt_msg_hdr_parse(plain, plain_len, &h, &body);
    uint64_t id = rc ? 0 : h.msg_id;
    if (rc == 0 && h.session_id != c->cfg.session_id) rc = MT_E_SESSION_ID;
    if (rc == 0 && !(h.msg_id & 1)) rc = MT_E_MSG_ID;
    if (rc == 0 && h.len < 4) rc = MT_E_TL_SHORT;
    if (rc == 0 && (c->cfg.flags & MT_SESS_F_CHECK_TIME) && c->time_synced &&
        mt_msgid_check_time(h.msg_id, wall + c->gen.offset) != 0) {
        /* salt and time notifications are honoured even when the time looks wrong */
        uint32_t ctor = mt_load_le32(body);
        if (ctor != MT_TL_ID_BAD_SERVER_SALT && ctor != MT_TL_ID_BAD_MSG_NOTIFICATION)
            rc = MT_E_MSG_ID;
    }
    if (rc) { proto_error(c, rc, id); return rc; }
    struct rx x = { c, h.msg_id, now, wall };
    if (replay_check(&x, h.msg_id, h.seq_no)) return 0;
    c->st.msgs_in++;
    if (mt_load_le32(body) == MT_TL_ID_MSG_CONTAINER) {
        if (h.seq_no & 1) rc = MT_E_SEQ_NO;
        else rc = feed_container(&x, h.msg_id, body, h.len);
    } else {
        rc = dispatch(&x, h.msg_id, h.seq_no, body, h.len, 0);
    }
    if (rc < 0) proto_error(c, rc, h.msg_id);
    return rc < 0 ? rc : 0;
}
