/* Private state of the client session, shared by sess_client.c (queue,
 * table, build) and sess_client_recv.c (feed and dispatch). */
#ifndef MT_SESS_CLIENT_INTERNAL_H
#define MT_SESS_CLIENT_INTERNAL_H

#include "core/mtproto/sess_internal.h"

enum creq_kind {
    CRK_QUERY = 0,        /* caller's RPC query */
    CRK_PING,             /* tag = ping_id */
    CRK_FUTURE_SALTS,
    CRK_DESTROY_SESSION,  /* tag = session_id */
    CRK_STATE_REQ,
    CRK_DROP_ANSWER,      /* tag = the dropped req_msg_id */
    CRK_ONESHOT,          /* acks-like service messages: sent once, forgotten */
};
enum creq_state { CRS_FREE = 0, CRS_QUEUED, CRS_SENT };
enum { CRF_ACKED = 1, CRF_CONTENT = 2 };

/* One outgoing message the client still owes an answer to. Indices are
 * stable (a pool); the hash index maps msg_id -> pool index. */
struct creq {
    uint64_t msg_id;      /* current id; 0 while queued for a re-send */
    uint64_t old_id;      /* id before the re-send (for MT_SESS_EV_RESENT) */
    uint64_t outer_id;    /* id of the envelope that carried it (container or itself) */
    uint64_t tag;
    mt_ns t0;             /* caller's intended send time */
    mt_ns sent_ns;
    uint32_t off, len;    /* body in the arena; len 0 = dropped (rebuild) */
    uint32_t seq_no;
    uint32_t anext, aprev;  /* arena order list */
    uint32_t qnext;         /* send queue / free list */
    uint8_t kind, state, flags, resends;
};

struct mt_sess_client {
    struct mt_sess_client_cfg cfg;
    struct mt_sess_client_cb cb;
    struct mt_msgid_gen gen;
    uint32_t seq_n;
    int time_synced;
    struct mt_msgid_window win;     /* server msg_ids received */
    struct mt_sess_acks acks;
    struct mt_gzip *own_gz;

    struct creq *ents;              /* pool */
    uint32_t ents_cap, n_live, free_head;
    uint32_t *idx;                  /* open addressing: pool index + 1, 0 empty */
    uint32_t idx_cap;               /* power of two */
    uint32_t q_head, q_tail, q_len; /* send queue (FIFO) */
    uint8_t *arena;                 /* bodies of queued / in-flight messages */
    uint32_t a_used, a_cap, a_live, a_head, a_tail;
    uint64_t sent_outer[8];         /* recent envelope ids (bad_msg checks) */
    uint32_t sent_outer_pos;
    struct mt_sess_stats st;
};

/* sess_client.c */
struct creq *mt_sc_find(struct mt_sess_client *c, uint64_t msg_id);
void mt_sc_release(struct mt_sess_client *c, struct creq *e);
/* Queue e again with a fresh msg_id (assigned at build); fails it locally
 * after max_resends. */
void mt_sc_requeue(struct mt_sess_client *c, struct creq *e, const char *why);
void mt_sc_fail(struct mt_sess_client *c, struct creq *e, const char *why);
/* Queue a service message (body copied) of the given kind; *msg_id out. */
int mt_sc_enqueue(struct mt_sess_client *c, int kind, const void *body, size_t len,
                  uint64_t tag, mt_ns t0, double wall, int content, uint64_t *msg_id);
/* After a time correction: queued messages not yet sent carry ids from the
 * wrong clock; give them new ones at build. */
void mt_sc_reassign_queued(struct mt_sess_client *c);
int mt_sc_was_sent(const struct mt_sess_client *c, uint64_t id);
void mt_sc_event(struct mt_sess_client *c, const struct mt_sess_event *ev);
struct mt_gzip *mt_sc_gzip(struct mt_sess_client *c);

#endif
