/* The reference server's methods and its fault injection. Queries arrive
 * here after the session layer has unwrapped invokeWithLayer /
 * initConnection / invokeWithoutUpdates; service messages (ping, salts,
 * acks...) never do: the session answers those itself.
 *
 * Methods: mtload.echo (same bytes back), mtload.echoSized (N bytes back),
 * help.getNearestDc, auth.bindTempAuthKey (PFS, verified). Anything else is
 * rpc_error 400 METHOD_NOT_SUPPORTED, never silence. */
#include <stdio.h>
#include <stdlib.h>
#include "server/srv.h"

/* ---- delivering answers (now or later) ------------------------------------ */

static void deliver(struct mt_srv_conn *c, struct mt_srv_sess *s, uint64_t req_msg_id,
                    int32_t error_code, const uint8_t *body, size_t len)
{
    if (error_code)
        mt_sess_server_error(s->s, req_msg_id, error_code, (const char *)body);
    else
        mt_sess_server_result(s->s, req_msg_id, body, len);
    mt_link_want_send(&c->link);
}

static void reply_unlink(struct mt_srv_reply *r)
{
    struct mt_srv_conn *c = r->conn;
    c->replies_bytes -= r->len;
    if (r->prev) r->prev->next = r->next;
    else c->replies = r->next;
    if (r->next) r->next->prev = r->prev;
}

static void reply_fire(struct mt_loop *loop, struct mt_timer *t, void *ud)
{
    struct mt_srv_reply *r = ud;
    struct mt_srv_conn *c = r->conn;
    reply_unlink(r);
    /* the session may have been replaced meanwhile: look it up again */
    for (int i = 0; i < c->nsess; i++)
        if (c->sess[i].session_id == r->session_id) {
            deliver(c, &c->sess[i], r->req_msg_id, r->error_code, r->body, r->len);
            break;
        }
    free(r);
}

void mt_srv_replies_cancel(struct mt_srv_conn *c)
{
    while (c->replies) {
        struct mt_srv_reply *r = c->replies;
        mt_timer_stop(c->w->loop, &r->timer);
        reply_unlink(r);
        free(r);
    }
}

/* Answer now, or at `when` (monotonic ns) when fault injection delays it. */
static void answer(struct mt_srv_conn *c, struct mt_srv_sess *s, uint64_t req_msg_id,
                   int32_t error_code, const uint8_t *body, size_t len, mt_ns when)
{
    struct mt_srv_worker *w = c->w;
    if (when <= mt_loop_now(w->loop)) {
        deliver(c, s, req_msg_id, error_code, body, len);
        return;
    }
    struct mt_srv_reply *r = malloc(sizeof *r + len + 1);
    if (!r) {
        deliver(c, s, req_msg_id, error_code, body, len);
        return;
    }
    *r = (struct mt_srv_reply){.conn = c, .session_id = s->session_id,
                               .req_msg_id = req_msg_id, .error_code = error_code, .len = len};
    memcpy(r->body, body, len);
    r->body[len] = 0;
    r->next = c->replies;
    if (c->replies) c->replies->prev = r;
    c->replies = r;
    c->replies_bytes += len;
    mt_timer_init(&r->timer, reply_fire, r);
    mt_timer_start(w->loop, &r->timer, when);
}

static void answer_error(struct mt_srv_conn *c, struct mt_srv_sess *s, uint64_t req_msg_id,
                         int32_t code, const char *msg, mt_ns when)
{
    answer(c, s, req_msg_id, code, (const uint8_t *)msg, strlen(msg), when);
}

/* ---- methods ------------------------------------------------------------ */

/* Writes the result object into the worker's scratch buffer; returns its
 * length, or a negative value after having answered with an rpc_error. */
static int method_echo(struct mt_srv_conn *c, struct mt_srv_sess *s,
                       const struct mt_sess_query *q, struct mt_tl_writer *out, mt_ns when)
{
    struct mt_tl_reader r;
    mt_tl_reader_init(&r, q->body, q->len);
    mt_tl_u32(&r);
    int32_t size = -1;
    if (q->ctor == MT_TL_ID_MTLOAD_ECHO_SIZED)
        size = mt_tl_i32(&r);
    size_t n;
    const uint8_t *data = mt_tl_bytes(&r, &n);
    if (!mt_tl_ok(&r)) {
        answer_error(c, s, q->msg_id, 400, "INPUT_REQUEST_INVALID", when);
        return -1;
    }
    if (q->ctor == MT_TL_ID_MTLOAD_ECHO_SIZED && size < 0) {
        answer_error(c, s, q->msg_id, 400, "SIZE_INVALID", when);
        return -1;
    }
    size_t want = size < 0 ? n : (size_t)size;
    if (size >= 0 && mt_tl_bytes_size(want) + 8 > out->cap) {
        answer_error(c, s, q->msg_id, 400, "SIZE_INVALID", when);
        return -1;
    }
    mt_tl_w32(out, MT_TL_ID_MTLOAD_ECHO_RESULT);
    if (size < 0) {
        mt_tl_wbytes(out, data, n);
    } else {
        /* N bytes: the request's data repeated (its content is the client's
         * business; zeros if it sent none), in doubling copies */
        uint8_t *p = mt_tl_put_bytes(out, want);
        if (p && !n)
            memset(p, 0, want);
        else if (p && want) {
            size_t have = n < want ? n : want;
            memcpy(p, data, have);
            while (have < want) {
                size_t k = have < want - have ? have : want - have;
                memcpy(p + have, p, k);
                have += k;
            }
        }
    }
    return out->overflow ? MT_E_OVERFLOW : (int)out->pos;
}

static int method_nearest_dc(struct mt_tl_writer *out)
{
    mt_tl_w32(out, MT_TL_ID_NEAREST_DC);
    mt_tl_wbytes(out, "ZZ", 2);
    mt_tl_w32(out, 2);
    mt_tl_w32(out, 2);
    return (int)out->pos;
}

static int method_bind(struct mt_srv_conn *c, struct mt_srv_sess *s,
                       const struct mt_sess_query *q, struct mt_tl_writer *out, mt_ns when)
{
    struct mt_hs_bind_call call;
    struct mt_auth_key perm;
    int detail = 0;
    const char *why = NULL;
    if (mt_hs_bind_parse_call(q->body, q->len, &call))
        why = "malformed call";
    else if (!mt_keystore_get(c->w->srv->keys, call.perm_auth_key_id, &perm, NULL))
        why = "unknown permanent key";
    else if (mt_hs_bind_verify(&perm, &call, q->msg_id, s->session_id, c->link.key.id64, &detail))
        why = mt_hs_strerror(detail);
    mt_wipe(&perm, sizeof perm);
    if (why) {
        mt_log(MT_LOG_INFO, "auth.bindTempAuthKey refused: %s (permanent key %016llx)", why,
               why[0] == 'm' ? 0ull : (unsigned long long)call.perm_auth_key_id);
        answer_error(c, s, q->msg_id, 400, "ENCRYPTED_MESSAGE_INVALID", when);
        return -1;
    }
    mt_tl_wbool(out, 1);
    return (int)out->pos;
}

/* ---- entry ---------------------------------------------------------------- */

/* When the answer may leave: now, after --fault-delay, or after a stall. */
static mt_ns answer_time(struct mt_srv_worker *w)
{
    const struct mt_srv_faults *f = &w->srv->cfg->faults;
    mt_ns now = mt_loop_now(w->loop), until;
    mt_ns when = now + mt_srv_fault_delay(f, &w->rand);
    if (mt_srv_fault_stalled(f, when - w->srv->started, &until))
        when = w->srv->started + until;
    return when;
}

/* Answers queued on this connection and not yet written. */
static size_t conn_backlog(struct mt_srv_conn *c)
{
    size_t n = mt_buf_len(&c->link.conn.out) + c->replies_bytes;
    for (int i = 0; i < c->nsess; i++)
        n += mt_sess_server_queued(c->sess[i].s);
    return n;
}

void mt_srv_rpc_query(struct mt_srv_conn *c, struct mt_srv_sess *s, const struct mt_sess_query *q)
{
    struct mt_srv_worker *w = c->w;
    if (!s)
        return;
    /* A client that keeps asking and never reads would make the server
     * hold its answers without bound: past a few frames' worth, it goes. */
    if (conn_backlog(c) > 4 * w->srv->cfg->max_frame) {
        mt_srv_log_once(w, MT_SRV_LOG_NOT_READING, "a client does not read its answers: closed");
        mt_metrics_error(w->m, -1, MT_ERRK_IO, MT_E_LIMIT, "client does not read");
        c->error_counted = true;
        mt_link_close(&c->link, MT_E_LIMIT);
        return;
    }
    switch (mt_srv_fault_pick(&w->srv->cfg->faults, &w->rand)) {
    case MT_FAULT_DROP:
        return;
    case MT_FAULT_TRANSPORT_429:
        mt_link_send_transport_error(&c->link, -429);
        return;
    case MT_FAULT_DISCONNECT:
        mt_link_close(&c->link, 0);
        return;
    case MT_FAULT_FLOOD_WAIT: {
        char msg[32];
        snprintf(msg, sizeof msg, "FLOOD_WAIT_%u", w->srv->cfg->faults.flood_wait_seconds);
        answer_error(c, s, q->msg_id, 420, msg, answer_time(w));
        return;
    }
    case MT_FAULT_NONE:
        break;
    }
    mt_ns when = answer_time(w);
    struct mt_tl_writer out;
    mt_tl_writer_init(&out, w->scratch, w->scratch_cap);
    int n;
    switch (q->ctor) {
    case MT_TL_ID_MTLOAD_ECHO:
    case MT_TL_ID_MTLOAD_ECHO_SIZED:
        n = method_echo(c, s, q, &out, when);
        break;
    case MT_TL_ID_HELP_GET_NEAREST_DC:
        n = method_nearest_dc(&out);
        break;
    case MT_HS_BIND_CALL_ID:
        n = method_bind(c, s, q, &out, when);
        break;
    default:
        answer_error(c, s, q->msg_id, 400, "METHOD_NOT_SUPPORTED", when);
        return;
    }
    if (n == MT_E_OVERFLOW)
        answer_error(c, s, q->msg_id, 400, "SIZE_INVALID", when);
    else if (n >= 0)
        answer(c, s, q->msg_id, 0, w->scratch, (size_t)n, when);
    mt_metrics_record(w->m, w->op_rpc, (int64_t)(when - mt_loop_now(w->loop)));
}
