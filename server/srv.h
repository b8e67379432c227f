/* server/srv: the runtime of `mtload server` — internal to server/.
 * N worker threads, each an island with its own epoll loop, SO_REUSEPORT
 * listener, link worker (batch crypto), connections and metrics; shared only
 * the read-only configuration, the RSA key and the auth-key store. */
#ifndef MT_SRV_H
#define MT_SRV_H

#include <pthread.h>
#include <stdatomic.h>
#include "core/link/mt_link.h"
#include "core/metrics/mt_metrics.h"
#include "loadgen/rand.h"
#include "server/config.h"
#include "server/keystore.h"

#define MT_SRV_SESSIONS_PER_CONN 8

struct mt_srv;
struct mt_srv_worker;
struct mt_srv_conn;

/* One MTProto session living on a connection. */
struct mt_srv_sess {
    uint64_t session_id;
    struct mt_sess_server *s;
    uint64_t msgs;                 /* messages fed (for --fault-bad-salt-every) */
};

/* A reply held back by fault injection (--fault-delay, --fault-stall). */
struct mt_srv_reply {
    struct mt_timer timer;
    struct mt_srv_conn *conn;
    struct mt_srv_reply *prev, *next;   /* the connection's list */
    uint64_t session_id;
    uint64_t req_msg_id;
    int32_t error_code;                 /* 0: body is a result; else an rpc_error */
    size_t len;
    uint8_t body[];                     /* result object, or the error message */
};

struct mt_srv_conn {
    struct mt_link link;
    struct mt_srv_worker *w;
    uint64_t salt;                       /* current server salt of the key */
    struct mt_srv_sess sess[MT_SRV_SESSIONS_PER_CONN];
    int nsess, next_build;
    mt_ns opened_at, last_activity, hs_started;
    struct mt_timer disconnect;          /* ping_delay_disconnect */
    struct mt_srv_reply *replies;
    size_t replies_bytes;                /* bodies held in replies */
    bool error_counted;                  /* the error that closes it is recorded */
    struct mt_srv_conn *prev, *next;     /* the worker's list */
};

/* Error classes logged once per worker (then only counted). */
enum { MT_SRV_LOG_FRAMING, MT_SRV_LOG_UNKNOWN_KEY, MT_SRV_LOG_BAD_PACKET, MT_SRV_LOG_HANDSHAKE,
       MT_SRV_LOG_LIMIT, MT_SRV_LOG_PROTO, MT_SRV_LOG_NOT_READING, MT_SRV_LOG_COUNT };

struct mt_srv_worker {
    struct mt_srv *srv;
    int index;
    pthread_t th;
    struct mt_loop *loop;
    struct mt_link_worker *lw;
    int lfd;
    struct mt_srv_conn *conns;
    size_t nconns;
    struct mt_timer sweep;               /* timeouts + metrics, every 250 ms */
    struct mt_rand rand;                 /* fault sampling (not for secrets) */
    struct mt_gzip *gz;
    uint8_t *scratch;                    /* reply bodies */
    size_t scratch_cap;
    struct mt_metrics_worker *m;
    int op_handshake, op_rpc;
    bool logged[MT_SRV_LOG_COUNT];
};

struct mt_srv {
    const struct mt_srv_config *cfg;
    struct mt_rsa *rsa;
    struct mt_hs_server_config hs;
    struct mt_link_config link;
    uint8_t secrets[1][MT_TR_SECRET_LEN];
    struct mt_keystore *keys;
    struct mt_addr listen;
    atomic_size_t nconns;
    size_t nofile;                       /* RLIMIT_NOFILE after raising it */
    struct mt_srv_worker *workers;
    int nworkers;
    mt_ns started;
};

/* srv_worker.c */
int mt_srv_worker_init(struct mt_srv_worker *w, struct mt_srv *srv, int index);
void *mt_srv_worker_main(void *arg);
const struct mt_link_ops *mt_srv_link_ops(void);
void mt_srv_worker_destroy(struct mt_srv_worker *w);
void mt_srv_log_once(struct mt_srv_worker *w, int cls, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* srv_rpc.c: answer one query (faults applied); srv_reply_* deliver a
 * (possibly delayed) answer into its session. */
void mt_srv_rpc_query(struct mt_srv_conn *c, struct mt_srv_sess *s, const struct mt_sess_query *q);
void mt_srv_replies_cancel(struct mt_srv_conn *c);
struct mt_srv_sess *mt_srv_conn_session(struct mt_srv_conn *c, uint64_t session_id);

#endif
