/* Private to core/mtproto's session files: constructor ids not (yet) in
 * core/tl/tl_ids.h, the pending-ack list, the server's outgoing queue
 * records and small helpers shared by both roles. */
#ifndef MT_SESS_INTERNAL_H
#define MT_SESS_INTERNAL_H

#include "core/mtproto/session.h"

/* Ids copied from /work/shared/spec/mtproto.tl and api.tl; guarded so the
 * shared core/tl/tl_ids.h definitions win when present. */
#ifndef MT_TL_ID_RPC_RESULT
#define MT_TL_ID_RPC_RESULT                 0xf35c6d01u
#define MT_TL_ID_RPC_ERROR                  0x2144ca19u
#define MT_TL_ID_RPC_ANSWER_UNKNOWN         0x5e2ad36eu
#define MT_TL_ID_RPC_ANSWER_DROPPED_RUNNING 0xcd78e586u
#define MT_TL_ID_RPC_ANSWER_DROPPED         0xa43ad8b7u
#define MT_TL_ID_FUTURE_SALTS               0xae500895u
#define MT_TL_ID_PONG                       0x347773c5u
#define MT_TL_ID_DESTROY_SESSION_OK         0xe22045fcu
#define MT_TL_ID_DESTROY_SESSION_NONE       0x62d350c9u
#define MT_TL_ID_NEW_SESSION_CREATED        0x9ec20908u
#define MT_TL_ID_MSG_CONTAINER              0x73f1f8dcu
#define MT_TL_ID_MSG_COPY                   0xe06046b2u
#define MT_TL_ID_GZIP_PACKED                0x3072cfa1u
#define MT_TL_ID_MSGS_ACK                   0x62d6b459u
#define MT_TL_ID_BAD_MSG_NOTIFICATION       0xa7eff811u
#define MT_TL_ID_BAD_SERVER_SALT            0xedab447bu
#define MT_TL_ID_MSG_RESEND_REQ             0x7d861a08u
#define MT_TL_ID_MSGS_STATE_REQ             0xda69fb52u
#define MT_TL_ID_MSGS_STATE_INFO            0x04deb57du
#define MT_TL_ID_MSGS_ALL_INFO              0x8cc0d131u
#define MT_TL_ID_MSG_DETAILED_INFO          0x276d3ec6u
#define MT_TL_ID_MSG_NEW_DETAILED_INFO      0x809db6dfu
#define MT_TL_ID_HTTP_WAIT                  0x9299359fu
#define MT_TL_ID_RPC_DROP_ANSWER            0x58e4a740u
#define MT_TL_ID_GET_FUTURE_SALTS           0xb921bd04u
#define MT_TL_ID_PING                       0x7abe77ecu
#define MT_TL_ID_PING_DELAY_DISCONNECT      0xf3427b8cu
#define MT_TL_ID_DESTROY_SESSION            0xe7512126u
#define MT_TL_ID_INVOKE_AFTER_MSG           0xcb9f372du
#define MT_TL_ID_INIT_CONNECTION            0xc1cd5ea9u
#define MT_TL_ID_INVOKE_WITH_LAYER          0xda9b0d0du
#define MT_TL_ID_INVOKE_WITHOUT_UPDATES     0xbf9459b7u
#endif
#ifndef MT_TL_ID_INVOKE_AFTER_MSGS
#define MT_TL_ID_INVOKE_AFTER_MSGS          0x3dc4b4f0u /* api.tl invokeAfterMsgs */
#endif
#ifndef MT_TL_ID_INPUT_CLIENT_PROXY
#define MT_TL_ID_INPUT_CLIENT_PROXY         0x75588b3fu /* api.tl inputClientProxy */
#endif
#ifndef MT_TL_ID_JSON_NULL
#define MT_TL_ID_JSON_OBJECT_VALUE          0xc0de1bd9u /* api.tl jsonObjectValue */
#define MT_TL_ID_JSON_NULL                  0x3f6d7b68u
#define MT_TL_ID_JSON_BOOL                  0xc7345e6au
#define MT_TL_ID_JSON_NUMBER                0x2be0dfa4u
#define MT_TL_ID_JSON_STRING                0xb71e767au
#define MT_TL_ID_JSON_ARRAY                 0xf7444763u
#define MT_TL_ID_JSON_OBJECT                0x99c1d49du
#endif

#define MT_SESS_NONE UINT32_MAX

/* ---- pending acks (acks.c) ------------------------------------------------ */
struct mt_sess_acks {
    uint64_t *ids;
    uint32_t n, cap;
    mt_ns first_ns;         /* when the oldest pending id was added */
};
int mt_sess_acks_push(struct mt_sess_acks *a, uint64_t id, mt_ns now);
/* Write one msgs_ack with up to max_ids of the oldest pending ids into w
 * (bounded by MT_SESS_IDS_MAX and the room left); returns the count written
 * (0 if not even one fits). The ids stay pending until _consume. */
uint32_t mt_sess_acks_write(const struct mt_sess_acks *a, uint32_t from,
                            struct mt_tl_writer *w);
void mt_sess_acks_consume(struct mt_sess_acks *a, uint32_t n, mt_ns now);
void mt_sess_acks_free(struct mt_sess_acks *a);

/* ---- shared helpers ------------------------------------------------------ */
static inline void mt_sess_ev_init(struct mt_sess_event *e, int kind)
{
    memset(e, 0, sizeof(*e));
    e->kind = kind;
}
/* stats.bad_msg bucket of a bad_msg_notification code. */
static inline int mt_sess_bad_msg_class(int code)
{
    if (code >= 16 && code <= 20) return 1;
    if (code >= 32 && code <= 35) return 2;
    if (code == 48) return 3;
    if (code == 64) return 4;
    return 0;
}
/* Messages that are never content-related (seq_no must be even). */
static inline int mt_sess_ctor_never_content(uint32_t ctor)
{
    return ctor == MT_TL_ID_MSGS_ACK || ctor == MT_TL_ID_MSG_CONTAINER ||
           ctor == MT_TL_ID_MSG_COPY;
}
/* Answers that only a server sends (or a client answering a server's own
 * ping): a server session ignores them instead of taking them for queries. */
static inline int mt_sess_ctor_server_only(uint32_t ctor)
{
    return ctor == MT_TL_ID_RPC_RESULT || ctor == MT_TL_ID_PONG ||
           ctor == MT_TL_ID_FUTURE_SALTS || ctor == MT_TL_ID_NEW_SESSION_CREATED ||
           ctor == MT_TL_ID_BAD_MSG_NOTIFICATION || ctor == MT_TL_ID_BAD_SERVER_SALT ||
           ctor == MT_TL_ID_DESTROY_SESSION_OK || ctor == MT_TL_ID_DESTROY_SESSION_NONE;
}
/* Client-to-server service messages that may carry either seq_no parity:
 * clients differ on whether ping & co. are content-related, and
 * test-vectors.md 9.1 asks a server to accept both. API queries must be odd. */
static inline int mt_sess_ctor_service_any(uint32_t ctor)
{
    return ctor == MT_TL_ID_MSGS_STATE_REQ || ctor == MT_TL_ID_MSG_RESEND_REQ ||
           ctor == MT_TL_ID_MSGS_STATE_INFO || ctor == MT_TL_ID_MSGS_ALL_INFO ||
           ctor == MT_TL_ID_MSG_DETAILED_INFO || ctor == MT_TL_ID_MSG_NEW_DETAILED_INFO ||
           ctor == MT_TL_ID_HTTP_WAIT || ctor == MT_TL_ID_GZIP_PACKED ||
           ctor == MT_TL_ID_PING || ctor == MT_TL_ID_PING_DELAY_DISCONNECT ||
           ctor == MT_TL_ID_GET_FUTURE_SALTS || ctor == MT_TL_ID_DESTROY_SESSION ||
           ctor == MT_TL_ID_RPC_DROP_ANSWER ||
           mt_sess_ctor_server_only(ctor);
}
/* Read a boxed Vector<long> header bounded to MT_SESS_IDS_MAX; the ids follow
 * at r->p + r->pos (little-endian, maybe unaligned). */
static inline uint32_t mt_sess_read_ids(struct mt_tl_reader *r, const uint8_t **ids)
{
    uint32_t n = mt_tl_vector(r, 8);
    if (!mt_tl_ok(r)) return 0;
    if (n > MT_SESS_IDS_MAX) { mt_tl_fail(r, MT_E_TL_VALUE); return 0; }
    *ids = mt_tl_take(r, (size_t)n * 8);
    return mt_tl_ok(r) ? n : 0;
}
/* Emit MT_SESS_EV_ACK for raw LE ids, in chunks through a stack copy (the
 * plaintext may be unaligned). */
void mt_sess_emit_acks(void (*on_event)(void *, const struct mt_sess_event *), void *ctx,
                       const uint8_t *ids, uint32_t n);
/* Write msgs_state_info#04deb57d req_msg_id info:bytes with one state byte
 * per raw LE id, judged against the window of received ids. */
void mt_sess_write_state_info(struct mt_tl_writer *w, uint64_t req_msg_id,
                              const struct mt_msgid_window *win, const uint8_t *ids,
                              uint32_t n);

/* Unwrap invokeWithLayer / initConnection / invokeWithoutUpdates /
 * invokeAfterMsg(s) around a query (sess_service.c). */
int mt_sess_unwrap_query(const uint8_t *body, size_t len, struct mt_sess_query *q);

#endif
