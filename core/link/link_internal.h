/* Internal to core/link: the worker's layout, shared by link.c (one
 * connection) and worker.c (the batches). Not a public header. */
#ifndef MT_LINK_INTERNAL_H
#define MT_LINK_INTERNAL_H

#include <stddef.h>
#include "core/link/mt_link.h"

#define MT_LINK_CONTAINER(ptr, type, member) \
    ((type *)(void *)((char *)(ptr) - offsetof(type, member)))

/* An encrypted packet read in this iteration, waiting for the batch. The
 * data is a view into its link's receive buffer: each link reads at most once
 * per iteration, so the view stays valid until the batch has run. */
struct mt_link_rx {
    struct mt_link *l;
    uint32_t gen;            /* l->gen when queued: a closed link's are skipped */
    bool quick_ack_req;
    uint8_t *data;
    size_t len;
};

/* A plaintext built in a link's output buffer, waiting for the batch. */
struct mt_link_tx {
    struct mt_link *l;
    uint8_t *base;           /* reserved frame start in l->conn.out */
    size_t hdr;              /* transport header length in front */
    size_t reserved;
};

struct mt_link_worker {
    struct mt_loop *loop;
    struct mt_link_config cfg;      /* copy with defaults filled in */
    struct mt_rng rng;
    int x_in, x_out;                /* MTProto direction of received / sent */
    struct mt_link_rx *rx;
    size_t nrx, caprx;
    struct mt_msg_djob *djobs;
    size_t capdj;
    struct mt_link_tx *tx;
    size_t captx;
    struct mt_msg_job *ejobs;
    size_t capej;
    struct mt_link *send_head, *send_tail;
    struct mt_link *close_head;
    struct mt_link_stats stats;
};

/* link.c */
extern const struct mt_conn_ops mt_link_conn_ops;
/* Frame an already complete unencrypted message (handshake) or a transport
 * packet into l->conn.out. */
int mt_link_send_plain(struct mt_link *l, const uint8_t *msg, size_t len);
/* link.c: the connection became READY; re-queue a deferred send. */
void mt_link_ready(struct mt_link *l);

/* handshake.c: start a client handshake / feed an unencrypted message.
 * On failure the link is closed and the error returned. */
int mt_link_handshake_start(struct mt_link *l);
int mt_link_handshake_feed(struct mt_link *l, const uint8_t *msg, size_t len);

/* worker.c */
int mt_link_worker_queue_rx(struct mt_link_worker *w, struct mt_link *l, uint8_t *data,
                            size_t len, bool quick_ack_req);
void mt_link_worker_queue_close(struct mt_link_worker *w, struct mt_link *l);

#endif
