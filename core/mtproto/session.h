/* core/mtproto session layer: MTProto 2.0 messages above the envelope crypto.
 * Pure code: bytes in, bytes out, time passed in (mono ns for latency, wall
 * seconds for msg_id), no sockets, no threads, no clock reads.
 *
 * Plaintext convention (both roles): a "plain" buffer starts at the 32-byte
 * inner header (salt, session_id, msg_id, seq_no, length) followed by the
 * body, exactly what mt_msg_decrypt returns in djob.plain, and what
 * mt_msg_encrypt expects at buf + MT_MSG_HEADER. Feed functions take
 * (plain, plain_len) with plain_len >= 32 + length (padding may follow and is
 * ignored); build functions write at a caller pointer, so the caller keeps
 * MT_MSG_HEADER + transport headroom in front and padding room behind, and
 * encrypts/frames in place.
 *
 * Memory: objects allocate in _new and grow their tables during warm-up only;
 * no malloc per message afterwards. A gzip context (zlib streams plus an
 * output buffer) is large, so one is shared per thread and passed in the
 * config; a session creates a private one lazily only if none is given. */
#ifndef MT_SESSION_H
#define MT_SESSION_H

#include "core/base/mt_base.h"
#include "core/tl/mt_tl.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- limits ------------------------------------------------------------ */
#define MT_SESS_HDR 32                 /* inner header: salt .. length */
#define MT_SESS_CONTAINER_MAX 1024     /* items per msg_container */
#define MT_SESS_IDS_MAX 8192           /* ids per msgs_ack / state_req / resend_req */
#define MT_SESS_TIME_PAST 300          /* msg_id accepted at most 300 s in the past */
#define MT_SESS_TIME_FUTURE 30         /* ... and 30 s in the future */
#define MT_SESS_RECENT_IDS 64          /* received msg_ids kept for replay checks */
#define MT_SESS_GZIP_MAX_DEFAULT (1u << 20) /* default bound on inflated size */

/* bad_msg_notification error codes (service_messages_about_messages.md). */
enum {
    MT_BAD_MSG_ID_LOW = 16, MT_BAD_MSG_ID_HIGH = 17, MT_BAD_MSG_ID_PARITY = 18,
    MT_BAD_MSG_CONTAINER_ID = 19, MT_BAD_MSG_TOO_OLD = 20,
    MT_BAD_MSG_SEQ_LOW = 32, MT_BAD_MSG_SEQ_HIGH = 33,
    MT_BAD_MSG_SEQ_EVEN = 34, MT_BAD_MSG_SEQ_ODD = 35,
    MT_BAD_MSG_SALT = 48, MT_BAD_MSG_CONTAINER = 64,
};

/* ---- msg_id / seq_no (msg_id.c) ------------------------------------------ */
/* msg_id generator: ids ~ (wall + offset) * 2^32 with the low 2 bits set to
 * the parity (client 0; server 1 for responses, 3 otherwise), strictly
 * increasing (bumped by 4 when the clock has not moved). */
struct mt_msgid_gen {
    uint64_t last;       /* last id issued */
    double offset;       /* server time - local wall time, seconds */
};
uint64_t mt_msgid_next(struct mt_msgid_gen *g, double wall, unsigned parity);
/* Time correction from a server msg_id (its >> 32 is the server's unixtime):
 * sets offset so that local wall + offset matches it; lets ids restart
 * below the last issued one (they were wrong). */
void mt_msgid_correct(struct mt_msgid_gen *g, uint64_t server_msg_id, double wall);
/* Window check against server time now_s: 0 if within [now-300, now+30],
 * MT_BAD_MSG_ID_LOW or MT_BAD_MSG_ID_HIGH otherwise. */
int mt_msgid_check_time(uint64_t msg_id, double now_s);
/* seq_no: content-related -> 2n+1 then n += 1; otherwise 2n. */
static inline uint32_t mt_seqno_next(uint32_t *n, int content_related)
{
    if (content_related) return 2u * (*n)++ + 1u;
    return 2u * *n;
}

/* Replay window: the last MT_SESS_RECENT_IDS received msg_ids. Check and
 * insert: 0 new (inserted), 1 duplicate, 2 lower than every stored id while
 * the window is full (too old to tell). The lowest id is evicted. Kept as a
 * sorted ring: in-order ids cost O(1), others a binary search. */
struct mt_msgid_window {
    uint64_t ids[MT_SESS_RECENT_IDS];
    uint32_t head;       /* index of the lowest id */
    uint32_t n;
};
void mt_msgid_window_init(struct mt_msgid_window *w);
int mt_msgid_window_check(const struct mt_msgid_window *w, uint64_t id);
void mt_msgid_window_insert(struct mt_msgid_window *w, uint64_t id);
/* msgs_state_info status byte for a peer's msg_id (1 unknown/too low,
 * 2 not received in range, 3 not received / too high, 4 received). */
uint8_t mt_msgid_window_state(const struct mt_msgid_window *w, uint64_t id);

/* ---- envelope (sess_envelope.c) ------------------------------------------ */
struct mt_msg_hdr {
    uint64_t salt;
    uint64_t session_id;
    uint64_t msg_id;
    uint32_t seq_no;
    uint32_t len;        /* body length */
};
/* Write the 32-byte inner header at p. */
void mt_msg_hdr_write(uint8_t *p, const struct mt_msg_hdr *h);
/* Parse plain/plain_len: needs >= 32 bytes, len % 4 == 0 and
 * 32 + len <= plain_len. MT_E_RANGE otherwise. *body points at plain + 32. */
int mt_msg_hdr_parse(const uint8_t *plain, size_t plain_len, struct mt_msg_hdr *h,
                     const uint8_t **body);

/* ---- containers (container.c) -------------------------------------------- */
/* Builder over a TL writer: start, then per item begin/end around the body
 * the caller writes, then finish (patches the count). */
struct mt_container_w {
    struct mt_tl_writer *w;
    size_t count_pos;    /* offset of the count field */
    size_t item_pos;     /* offset of the open item's header */
    uint32_t n;
};
void mt_container_start(struct mt_container_w *c, struct mt_tl_writer *w);
void mt_container_item_begin(struct mt_container_w *c, uint64_t msg_id, uint32_t seq_no);
void mt_container_item_end(struct mt_container_w *c);
/* Convenience: one item with a ready body. */
void mt_container_add(struct mt_container_w *c, uint64_t msg_id, uint32_t seq_no,
                      const void *body, size_t len);
/* 0, MT_E_OVERFLOW if the writer overflowed, MT_E_CONTAINER if > 1024 items. */
int mt_container_finish(struct mt_container_w *c);

/* Parser: body/len is the container body (starting at its constructor id).
 * next() returns 1 with an item, 0 at the end, MT_E_CONTAINER for: count >
 * 1024, truncated item, length not % 4, item msg_id >= container msg_id, a
 * nested container, or bytes left after the last item. */
struct mt_msg_item {
    uint64_t msg_id;
    uint32_t seq_no;
    uint32_t len;
    const uint8_t *body;
};
struct mt_container_iter {
    struct mt_tl_reader r;
    uint64_t container_msg_id;
    uint32_t left;
};
int mt_container_iter_init(struct mt_container_iter *it, const uint8_t *body, size_t len,
                           uint64_t container_msg_id);
int mt_container_next(struct mt_container_iter *it, struct mt_msg_item *item);

/* ---- gzip (gzip.c) ------------------------------------------------------- */
/* zlib streams and a bounded output buffer, reused for every call. One per
 * thread; not thread-safe. */
struct mt_gzip;
struct mt_gzip *mt_gzip_new(size_t max_out);   /* 0 = MT_SESS_GZIP_MAX_DEFAULT */
void mt_gzip_free(struct mt_gzip *gz);
/* Inflate a gzip (RFC 1952) or zlib (RFC 1950) stream into the context's
 * buffer; *out is valid until the next call. MT_E_GZIP for a bad or
 * truncated stream or output over max_out. */
int mt_gzip_inflate(struct mt_gzip *gz, const void *in, size_t len,
                    const uint8_t **out, size_t *out_len);
/* Deflate into a gzip stream at out/cap (MT_E_OVERFLOW if it does not fit). */
int mt_gzip_deflate(struct mt_gzip *gz, const void *in, size_t len,
                    uint8_t *out, size_t cap, size_t *out_len);
/* Write gzip_packed#3072cfa1 packed_data:bytes of obj into w. Returns 0, or
 * MT_E_RANGE if packing would not save space (nothing written). */
int mt_gzip_pack(struct mt_gzip *gz, const void *obj, size_t len, struct mt_tl_writer *w);

/* ---- events (both roles) -------------------------------------------------
 * One struct for every kind; only the fields named per kind are set. Every
 * pointer in it is valid only during the on_event call. */
enum mt_sess_ev_kind {
    MT_SESS_EV_PONG = 1,          /* ping_msg_id, ping_id, rtt_ns (client) */
    MT_SESS_EV_NEW_SESSION,       /* first_msg_id, unique_id, salt */
    MT_SESS_EV_SALT_CHANGED,      /* salt (new), msg_id = bad msg (client) */
    MT_SESS_EV_BAD_MSG,           /* code, msg_id = bad msg id, seq_no */
    MT_SESS_EV_TIME_CORRECTED,    /* time_offset (client, after 16/17) */
    MT_SESS_EV_DESTROY_SESSION,   /* session_id, code (1 ok / 0 none) */
    MT_SESS_EV_FUTURE_SALTS,      /* req_msg_id, now, salts/n_salts */
    MT_SESS_EV_STATE_INFO,        /* req_msg_id, info/info_len (msgs_state_info) */
    MT_SESS_EV_ALL_INFO,          /* ids/n_ids (first 256), info/info_len (msgs_all_info) */
    MT_SESS_EV_DETAILED_INFO,     /* msg_id, answer_msg_id, bytes, status */
    MT_SESS_EV_ACK,               /* ids/n_ids acknowledged by the peer (in chunks of <= 256) */
    MT_SESS_EV_RESENT,            /* msg_id (old) re-sent as answer_msg_id (new) */
    MT_SESS_EV_UPDATE,            /* msg_id, code = ctor, body/len: content the server sent unasked */
    MT_SESS_EV_DROP_ANSWER,       /* msg_id = dropped query, code = answer ctor */
    MT_SESS_EV_DISCONNECT_DELAY,  /* server: ping_delay_disconnect, delay_s */
    MT_SESS_EV_SESSION_RESET,     /* server: a new session_id replaced the old */
    MT_SESS_EV_PROTO_ERROR,       /* code = MT_E_*: a message was dropped */
};
struct mt_future_salt {
    int32_t valid_since;
    int32_t valid_until;
    uint64_t salt;
};
struct mt_sess_event {
    int kind;
    int code;
    uint64_t msg_id;
    uint64_t answer_msg_id;
    uint64_t req_msg_id;
    uint64_t session_id;
    uint64_t salt;
    uint64_t unique_id;
    uint64_t ping_id;
    uint32_t seq_no;
    int32_t delay_s;
    int32_t now;
    int32_t bytes;
    int32_t status;
    double time_offset;
    mt_ns rtt_ns;
    const struct mt_future_salt *salts; size_t n_salts;
    const uint64_t *ids; size_t n_ids;
    const uint8_t *info; size_t info_len;
    const uint8_t *body; size_t len;
};

/* Counters both roles keep; read with the _stats() getters. */
struct mt_sess_stats {
    uint64_t msgs_in, msgs_out;        /* envelopes fed / built */
    uint64_t items_in, items_out;      /* messages incl. container items */
    uint64_t containers_in, containers_out;
    uint64_t results, errors;          /* rpc_result received / rpc_error (client) */
    uint64_t queries;                  /* queries passed up (server) */
    uint64_t acks_in, acks_out;        /* ids */
    uint64_t resent;
    uint64_t duplicates;               /* replayed / duplicated msg_ids dropped */
    uint64_t unknown_req;              /* results for requests never sent */
    uint64_t gzip_in, gzip_out;
    uint64_t bad_msg[8];               /* by class: 16-20 -> 1, 32-35 -> 2, 48 -> 3, 64 -> 4, other 0 */
    uint64_t bad_msg_sent;             /* server: bad_msg/bad_salt sent */
    uint64_t proto_errors;             /* malformed / rejected plaintext */
    uint64_t local_failures;           /* client: requests failed locally */
};

/* ===================== client session (sess_client.c) ===================== */
enum {
    MT_SESS_F_NO_CONTAINER = 1u << 0,  /* send one message per envelope */
    MT_SESS_F_REBUILD = 1u << 1,       /* drop query bodies after sending;
                                        * re-sends call cb.rebuild(tag) instead
                                        * (rebuilt bodies are not gzip-packed) */
    MT_SESS_F_CHECK_TIME = 1u << 2,    /* client: apply the 300/30 s window to
                                        * server msg_ids once time is synced
                                        * (a non-zero initial time_offset, or
                                        * after a bad_msg 16/17 correction) */
};
struct mt_sess_client_cfg {
    uint64_t session_id;
    uint64_t salt;
    double time_offset;      /* initial server - local clock, seconds */
    unsigned flags;
    size_t gzip_min;         /* gzip queries larger than this (0 = never) */
    struct mt_gzip *gz;      /* shared inflate/deflate context or NULL */
    mt_ns ack_delay_ns;      /* max age of a pending ack before a standalone flush (0 = 1 s) */
    uint32_t ack_max;        /* pending acks that force a flush (0 = 16) */
    uint32_t max_resends;    /* per request before failing it locally (0 = 5) */
};
/* Local failure codes passed to on_error (error_code < 0, never the server's). */
enum { MT_SESS_LOCAL_FAIL = -1 };
struct mt_sess_client_cb {
    void *ctx;
    /* rpc_result for a query: body/len is the (inflated) result object,
     * valid only during the call; t0 is what the caller gave to query(). */
    void (*on_result)(void *ctx, uint64_t tag, uint64_t req_msg_id,
                      const uint8_t *body, size_t len, mt_ns t0);
    /* rpc_error (code, message; flood_wait = X of FLOOD_WAIT_X / 0), or a
     * local failure (code MT_SESS_LOCAL_FAIL, message names the reason). */
    void (*on_error)(void *ctx, uint64_t tag, uint64_t req_msg_id, int32_t code,
                     const char *msg, size_t msg_len, int32_t flood_wait, mt_ns t0);
    void (*on_event)(void *ctx, const struct mt_sess_event *ev);
    /* With MT_SESS_F_REBUILD: write the body of query `tag` again into w.
     * Return 0, or negative to fail the request locally. */
    int (*rebuild)(void *ctx, uint64_t tag, struct mt_tl_writer *w);
};
struct mt_sess_client;

struct mt_sess_client *mt_sess_client_new(const struct mt_sess_client_cfg *cfg,
                                          const struct mt_sess_client_cb *cb);
void mt_sess_client_free(struct mt_sess_client *c);

/* Queue an RPC query (a boxed function, possibly wrapped by the caller in
 * invokeWithLayer/initConnection). The body is copied. Assigns and returns
 * its msg_id in *msg_id (may change on re-send; the tag never does).
 * MT_E_RANGE if the body cannot fit one message (> 1 MiB). */
int mt_sess_client_query(struct mt_sess_client *c, const void *body, size_t len,
                         uint64_t tag, mt_ns t0, double wall, uint64_t *msg_id);
/* The msg_id the next query will get if it is queued with the same wall
 * time (auth.bindTempAuthKey must encrypt the id of its own message). */
uint64_t mt_sess_client_peek_msg_id(const struct mt_sess_client *c, double wall);
/* Service queries; each returns 0 and its msg_id, answered through on_event. */
int mt_sess_client_ping(struct mt_sess_client *c, uint64_t ping_id, int32_t disconnect_delay,
                        mt_ns now, double wall, uint64_t *msg_id);  /* delay > 0: ping_delay_disconnect */
int mt_sess_client_get_future_salts(struct mt_sess_client *c, int32_t num, mt_ns now,
                                    double wall, uint64_t *msg_id);
int mt_sess_client_destroy_session(struct mt_sess_client *c, uint64_t session_id, mt_ns now,
                                   double wall, uint64_t *msg_id);
int mt_sess_client_state_req(struct mt_sess_client *c, const uint64_t *ids, size_t n,
                             mt_ns now, double wall, uint64_t *msg_id);
int mt_sess_client_drop_answer(struct mt_sess_client *c, uint64_t req_msg_id, mt_ns now,
                               double wall, uint64_t *msg_id);

/* Does build() have something to send now (queued messages, or acks that
 * are due by count or age)? next_deadline: mono time when pending acks
 * become due (0 if none). */
int mt_sess_client_want_send(const struct mt_sess_client *c, mt_ns now);
mt_ns mt_sess_client_next_deadline(const struct mt_sess_client *c);
/* Pack everything due into one plaintext at out (inner header + body; out
 * has room for cap bytes of plaintext, the caller keeps padding room after
 * it). Several items go into a msg_container unless disabled; what does not
 * fit stays queued. Returns the plaintext length, 0 if nothing is due
 * (force_acks: also flush acks not yet due), or a negative MT_E_*. */
int mt_sess_client_build(struct mt_sess_client *c, uint8_t *out, size_t cap, mt_ns now,
                         double wall, int force_acks);
/* Feed one decrypted plaintext from the server. Runs the session_id /
 * msg_id / container checks, dispatches every message to the callbacks and
 * queues acks and re-sends. Returns 0 (duplicates are dropped and counted,
 * content-related ones acked again), or the MT_E_* that made it drop the
 * message (also counted and reported as MT_SESS_EV_PROTO_ERROR): a caller
 * following security_guidelines.md closes the connection on it. */
int mt_sess_client_feed(struct mt_sess_client *c, const uint8_t *plain, size_t plain_len,
                        mt_ns now, double wall);
/* Forget the query or ping with this tag (the caller gave up on it: a
 * timeout). It is not re-sent; a late answer counts as unknown_req.
 * Returns 0, or MT_E_INVAL if no such request is pending. O(pending). */
int mt_sess_client_cancel(struct mt_sess_client *c, uint64_t tag);
/* After a reconnect: queue every in-flight request again with new msg_ids. */
void mt_sess_client_resend_all(struct mt_sess_client *c);

uint64_t mt_sess_client_session_id(const struct mt_sess_client *c);
uint64_t mt_sess_client_salt(const struct mt_sess_client *c);
void mt_sess_client_set_salt(struct mt_sess_client *c, uint64_t salt);
double mt_sess_client_time_offset(const struct mt_sess_client *c);
size_t mt_sess_client_inflight(const struct mt_sess_client *c);  /* sent or queued, unanswered */
size_t mt_sess_client_acks_pending(const struct mt_sess_client *c);
const struct mt_sess_stats *mt_sess_client_stats(const struct mt_sess_client *c);
/* Bytes the object holds on the heap now (for the per-session memory bar). */
size_t mt_sess_client_mem(const struct mt_sess_client *c);

/* ===================== server session (sess_server.c) ===================== */
/* A query the caller must answer with mt_sess_server_result/_error. body is
 * the inner function after unwrapping invokeWithLayer / initConnection /
 * invokeWithoutUpdates / invokeAfterMsg(s) (and gzip_packed); valid only
 * during the callback. */
struct mt_sess_query {
    uint64_t msg_id;
    uint32_t seq_no;
    uint32_t ctor;              /* constructor id of body */
    const uint8_t *body;
    size_t len;
    int32_t layer;              /* from invokeWithLayer, 0 if absent */
    int init_connection;        /* 1 if wrapped in initConnection */
    int32_t api_id;             /* initConnection fields (views into plaintext) */
    const uint8_t *device_model; size_t device_model_len;
    const uint8_t *app_version; size_t app_version_len;
    int without_updates;
    uint64_t after_msg_id;      /* invokeAfterMsg (the last id for ...Msgs), 0 if absent */
};
struct mt_sess_server_cfg {
    uint64_t salt;              /* current valid server salt */
    uint64_t prev_salt;         /* still accepted during a change (0 = none) */
    uint64_t unique_id;         /* for new_session_created (0: derived) */
    unsigned flags;             /* MT_SESS_F_NO_CONTAINER */
    size_t gzip_min;            /* gzip results larger than this (0 = never) */
    struct mt_gzip *gz;
};
struct mt_sess_server_cb {
    void *ctx;
    void (*on_query)(void *ctx, const struct mt_sess_query *q);
    void (*on_event)(void *ctx, const struct mt_sess_event *ev);
    /* destroy_session for another session of the same key: return 1 if it
     * existed and was destroyed. NULL: always "none". */
    int (*destroy_session)(void *ctx, uint64_t session_id);
    /* get_future_salts: fill up to max salts, return the count. NULL: the
     * current salt, valid for an hour from now. */
    int (*future_salts)(void *ctx, int32_t now, struct mt_future_salt *out, int max);
};
struct mt_sess_server;

struct mt_sess_server *mt_sess_server_new(const struct mt_sess_server_cfg *cfg,
                                          const struct mt_sess_server_cb *cb);
void mt_sess_server_free(struct mt_sess_server *s);
/* Feed one decrypted client plaintext. Validation failures that the protocol
 * answers (salt, msg_id, seq_no, container) queue a bad_msg_notification /
 * bad_server_salt and return 0: the connection stays. Returns a negative
 * MT_E_* only for input to drop silently (malformed, duplicate replay). */
int mt_sess_server_feed(struct mt_sess_server *s, const uint8_t *plain, size_t plain_len,
                        mt_ns now, double wall);
/* Answer query req_msg_id with a result object (gzip-packed when larger than
 * gzip_min) or an rpc_error. Queued for the next build. */
int mt_sess_server_result(struct mt_sess_server *s, uint64_t req_msg_id,
                          const void *body, size_t len);
int mt_sess_server_error(struct mt_sess_server *s, uint64_t req_msg_id, int32_t code,
                         const char *message);
/* Push a message the client did not ask for (an update): content-related. */
int mt_sess_server_push(struct mt_sess_server *s, const void *body, size_t len);
int mt_sess_server_want_send(const struct mt_sess_server *s);
/* Same contract as mt_sess_client_build: one plaintext at out, container
 * when several messages are queued, leftovers stay queued. */
int mt_sess_server_build(struct mt_sess_server *s, uint8_t *out, size_t cap, mt_ns now,
                         double wall);
void mt_sess_server_set_salt(struct mt_sess_server *s, uint64_t salt, uint64_t prev_salt);
uint64_t mt_sess_server_session_id(const struct mt_sess_server *s);
const struct mt_sess_stats *mt_sess_server_stats(const struct mt_sess_server *s);
size_t mt_sess_server_mem(const struct mt_sess_server *s);
/* Bytes of answers queued and not built yet (a client that does not read
 * makes this grow: the caller bounds it). */
size_t mt_sess_server_queued(const struct mt_sess_server *s);

/* Read session_id from a plaintext without other checks (to route it to its
 * session object); MT_E_RANGE if plain_len < 32. */
int mt_sess_peek_session_id(const uint8_t *plain, size_t plain_len, uint64_t *session_id);

/* Parse an rpc_error body (from its constructor id): code, message view,
 * and X of FLOOD_WAIT_X / SLOWMODE_WAIT_X (else 0). */
int mt_rpc_error_parse(const uint8_t *body, size_t len, int32_t *code,
                       const char **msg, size_t *msg_len, int32_t *wait_s);

#ifdef __cplusplus
}
#endif
#endif
