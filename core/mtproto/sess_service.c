/* Server session: answers to the client's service messages (ping, future
 * salts, destroy_session, state / resend requests, rpc_drop_answer, acks),
 * and the unwrapping of invokeWithLayer / initConnection /
 * invokeWithoutUpdates / invokeAfterMsg(s) around a query. */
#include "core/mtproto/sess_server_internal.h"

#include <stdlib.h>

static int answer_pong(struct mt_sess_server *s, uint64_t msg_id, uint32_t ctor,
                       struct mt_tl_reader *r)
{
    uint64_t ping_id = mt_tl_u64(r);
    int32_t delay = ctor == MT_TL_ID_PING_DELAY_DISCONNECT ? mt_tl_i32(r) : 0;
    if (!mt_tl_ok(r)) return r->err;
    uint8_t b[20];
    mt_store_le32(b, MT_TL_ID_PONG);
    mt_store_le64(b + 4, msg_id);
    mt_store_le64(b + 12, ping_id);
    /* pong goes top level, not inside rpc_result (service_messages.md) */
    int rc = mt_ss_out_raw(s, b, sizeof(b), SOQ_RESPONSE);
    if (ctor == MT_TL_ID_PING_DELAY_DISCONNECT) {
        struct mt_sess_event ev;
        mt_sess_ev_init(&ev, MT_SESS_EV_DISCONNECT_DELAY);
        ev.msg_id = msg_id;
        ev.ping_id = ping_id;
        ev.delay_s = delay;
        mt_ss_event(s, &ev);
    }
    return rc;
}

static int answer_future_salts(struct mt_sess_server *s, uint64_t msg_id,
                               struct mt_tl_reader *r, double wall)
{
    int32_t num = mt_tl_i32(r);
    if (!mt_tl_ok(r)) return r->err;
    if (num < 1) num = 1;
    if (num > 64) num = 64;
    struct mt_future_salt salts[64];
    int32_t now = (int32_t)wall;
    int n = 0;
    if (s->cb.future_salts) n = s->cb.future_salts(s->cb.ctx, now, salts, num);
    if (!s->cb.future_salts || n < 0) {
        salts[0].valid_since = now;
        salts[0].valid_until = now + 3600;
        salts[0].salt = s->cfg.salt;
        n = 1;
    }
    if (n > num) n = num;
    struct mt_tl_writer w;
    int rc = mt_ss_out_begin(s, 20 + 16 * (size_t)n, &w);
    if (rc) return rc;
    mt_tl_w32(&w, MT_TL_ID_FUTURE_SALTS);
    mt_tl_w64(&w, msg_id);
    mt_tl_w32(&w, (uint32_t)now);
    mt_tl_w32(&w, (uint32_t)n);            /* bare vector of bare future_salt */
    for (int i = 0; i < n; i++) {
        mt_tl_w32(&w, (uint32_t)salts[i].valid_since);
        mt_tl_w32(&w, (uint32_t)salts[i].valid_until);
        mt_tl_w64(&w, salts[i].salt);
    }
    mt_ss_out_commit(s, &w, SOQ_RESPONSE);
    return 0;
}

static int answer_destroy_session(struct mt_sess_server *s, uint64_t msg_id,
                                  struct mt_tl_reader *r)
{
    uint64_t sid = mt_tl_u64(r);
    if (!mt_tl_ok(r)) return r->err;
    int ok = s->cb.destroy_session ? s->cb.destroy_session(s->cb.ctx, sid) > 0 : 0;
    uint8_t b[24];
    mt_store_le32(b, MT_TL_ID_RPC_RESULT);
    mt_store_le64(b + 4, msg_id);
    mt_store_le32(b + 12, ok ? MT_TL_ID_DESTROY_SESSION_OK : MT_TL_ID_DESTROY_SESSION_NONE);
    mt_store_le64(b + 16, sid);
    struct mt_sess_event ev;
    mt_sess_ev_init(&ev, MT_SESS_EV_DESTROY_SESSION);
    ev.session_id = sid;
    ev.code = ok;
    mt_ss_event(s, &ev);
    return mt_ss_out_raw(s, b, sizeof(b), SOQ_CONTENT | SOQ_RESPONSE);
}

/* msgs_state_req, and msg_resend_req: this server keeps no copies of sent
 * messages, so a resend request is answered as a state request, as
 * service_messages_about_messages.md allows for forgotten messages. */
static int answer_state(struct mt_sess_server *s, uint64_t msg_id, struct mt_tl_reader *r)
{
    const uint8_t *ids = NULL;
    uint32_t n = mt_sess_read_ids(r, &ids);
    if (!mt_tl_ok(r)) return r->err;
    struct mt_tl_writer w;
    int rc = mt_ss_out_begin(s, 12 + mt_tl_bytes_size(n), &w);
    if (rc) return rc;
    mt_sess_write_state_info(&w, msg_id, &s->win, ids, n);
    mt_ss_out_commit(s, &w, SOQ_RESPONSE);
    return 0;
}

static int answer_drop(struct mt_sess_server *s, uint64_t msg_id, struct mt_tl_reader *r)
{
    uint64_t req = mt_tl_u64(r);
    if (!mt_tl_ok(r)) return r->err;
    /* Answers go out as soon as the caller produces them: nothing is held
     * that could still be dropped. */
    uint8_t b[16];
    mt_store_le32(b, MT_TL_ID_RPC_RESULT);
    mt_store_le64(b + 4, msg_id);
    mt_store_le32(b + 12, MT_TL_ID_RPC_ANSWER_UNKNOWN);
    struct mt_sess_event ev;
    mt_sess_ev_init(&ev, MT_SESS_EV_DROP_ANSWER);
    ev.msg_id = req;
    ev.req_msg_id = msg_id;
    ev.code = (int)MT_TL_ID_RPC_ANSWER_UNKNOWN;
    mt_ss_event(s, &ev);
    return mt_ss_out_raw(s, b, sizeof(b), SOQ_CONTENT | SOQ_RESPONSE);
}

int mt_ss_service(struct mt_sess_server *s, uint64_t msg_id, uint32_t ctor,
                  const uint8_t *body, size_t len, double wall)
{
    struct mt_tl_reader r;
    mt_tl_reader_init(&r, body + 4, len - 4);
    int rc;
    switch (ctor) {
    case MT_TL_ID_MSGS_ACK: {
        const uint8_t *ids = NULL;
        uint32_t n = mt_sess_read_ids(&r, &ids);
        if (!mt_tl_ok(&r)) return r.err;
        s->st.acks_in += n;
        mt_sess_emit_acks(s->cb.on_event, s->cb.ctx, ids, n);
        return 1;
    }
    case MT_TL_ID_PING:
    case MT_TL_ID_PING_DELAY_DISCONNECT: rc = answer_pong(s, msg_id, ctor, &r); break;
    case MT_TL_ID_GET_FUTURE_SALTS: rc = answer_future_salts(s, msg_id, &r, wall); break;
    case MT_TL_ID_DESTROY_SESSION: rc = answer_destroy_session(s, msg_id, &r); break;
    case MT_TL_ID_MSGS_STATE_REQ:
    case MT_TL_ID_MSG_RESEND_REQ: rc = answer_state(s, msg_id, &r); break;
    case MT_TL_ID_RPC_DROP_ANSWER: rc = answer_drop(s, msg_id, &r); break;
    case MT_TL_ID_HTTP_WAIT:            /* no long poll over these transports */
    case MT_TL_ID_MSGS_STATE_INFO:
    case MT_TL_ID_MSGS_ALL_INFO:
    case MT_TL_ID_MSG_DETAILED_INFO:
    case MT_TL_ID_MSG_NEW_DETAILED_INFO:
        return 1;
    default:
        return mt_sess_ctor_server_only(ctor);   /* ignored: never a query */
    }
    return rc < 0 ? rc : 1;
}

/* ---- invoke wrappers --------------------------------------------------------- */
/* Skip one JSONValue (initConnection params), depth-bounded: it nests. */
static void skip_json(struct mt_tl_reader *r, int depth)
{
    if (depth > 16) { mt_tl_fail(r, MT_E_TL_VALUE); return; }
    size_t n;
    uint32_t ctor = mt_tl_u32(r), cnt;
    switch (ctor) {
    case MT_TL_ID_JSON_NULL: return;
    case MT_TL_ID_JSON_BOOL: mt_tl_bool(r); return;
    case MT_TL_ID_JSON_NUMBER: mt_tl_u64(r); return;
    case MT_TL_ID_JSON_STRING: mt_tl_bytes(r, &n); return;
    case MT_TL_ID_JSON_ARRAY:
        cnt = mt_tl_vector(r, 4);
        for (uint32_t i = 0; i < cnt && mt_tl_ok(r); i++) skip_json(r, depth + 1);
        return;
    case MT_TL_ID_JSON_OBJECT:
        cnt = mt_tl_vector(r, 8);
        for (uint32_t i = 0; i < cnt && mt_tl_ok(r); i++) {
            if (mt_tl_u32(r) != MT_TL_ID_JSON_OBJECT_VALUE) { mt_tl_fail(r, MT_E_TL_CTOR); return; }
            mt_tl_bytes(r, &n);
            skip_json(r, depth + 1);
        }
        return;
    default:
        mt_tl_fail(r, MT_E_TL_CTOR);
    }
}

/* initConnection#c1cd5ea9 flags:# api_id:int device_model:string
 * system_version:string app_version:string system_lang_code:string
 * lang_pack:string lang_code:string proxy:flags.0?InputClientProxy
 * params:flags.1?JSONValue query:!X */
static void parse_init_connection(struct mt_tl_reader *r, struct mt_sess_query *q)
{
    size_t n;
    uint32_t flags = mt_tl_u32(r);
    q->init_connection = 1;
    q->api_id = mt_tl_i32(r);
    q->device_model = mt_tl_bytes(r, &q->device_model_len);
    mt_tl_bytes(r, &n);                               /* system_version */
    q->app_version = mt_tl_bytes(r, &q->app_version_len);
    mt_tl_bytes(r, &n);                               /* system_lang_code */
    mt_tl_bytes(r, &n);                               /* lang_pack */
    mt_tl_bytes(r, &n);                               /* lang_code */
    if (flags & 1) {
        if (mt_tl_u32(r) != MT_TL_ID_INPUT_CLIENT_PROXY) { mt_tl_fail(r, MT_E_TL_CTOR); return; }
        mt_tl_bytes(r, &n);
        mt_tl_u32(r);
    }
    if (flags & 2) skip_json(r, 0);
}

int mt_sess_unwrap_query(const uint8_t *body, size_t len, struct mt_sess_query *q)
{
    struct mt_tl_reader r;
    mt_tl_reader_init(&r, body, len);
    for (int depth = 0; depth < 8; depth++) {
        size_t start = r.pos;
        uint32_t ctor = mt_tl_u32(&r);
        if (!mt_tl_ok(&r)) return r.err;
        switch (ctor) {
        case MT_TL_ID_INVOKE_WITH_LAYER: q->layer = mt_tl_i32(&r); break;
        case MT_TL_ID_INIT_CONNECTION: parse_init_connection(&r, q); break;
        case MT_TL_ID_INVOKE_WITHOUT_UPDATES: q->without_updates = 1; break;
        case MT_TL_ID_INVOKE_AFTER_MSG: q->after_msg_id = mt_tl_u64(&r); break;
        case MT_TL_ID_INVOKE_AFTER_MSGS: {
            uint32_t n = mt_tl_vector(&r, 8);
            for (uint32_t i = 0; i < n; i++) q->after_msg_id = mt_tl_u64(&r);
            break;
        }
        default:
            q->ctor = ctor;
            q->body = body + start;
            q->len = len - start;
            return 0;
        }
        if (!mt_tl_ok(&r)) return r.err;
    }
    return MT_E_TL_VALUE;   /* wrappers nested absurdly deep */
}
