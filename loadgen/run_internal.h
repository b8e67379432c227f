/* loadgen/run_*: internal to the run engine. One lg_run for the process;
 * one lg_worker per thread (a shared-nothing island: loop, link worker,
 * sessions, metrics); one lg_sess per MTProto session (one connection). */
#ifndef MT_LG_RUN_INTERNAL_H
#define MT_LG_RUN_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include "core/link/mt_link.h"
#include "core/metrics/mt_metrics.h"
#include "loadgen/config.h"
#include "loadgen/rand.h"

/* Metrics operation ids of a worker: one per workload op, its uncorrected
 * twin in open loop, and the phases. */
struct lg_ops {
    int op[MT_WL_MAX_OPS];
    int op_uncorrected[MT_WL_MAX_OPS];
    int connect, handshake;
};

enum lg_phase {
    LG_IDLE = 0,        /* not started (sessions ramp) or stopped */
    LG_CONNECTING,
    LG_HANDSHAKE,
    LG_READY,
    LG_BACKOFF,         /* waiting to reconnect */
    LG_DONE,
};

/* One request in flight: a ring indexed by tag, so a reply finds its entry
 * in O(1). */
struct lg_req {
    uint64_t tag;
    mt_ns intended;     /* when it should have been sent (latency base) */
    mt_ns sent;         /* when it was queued to the session */
    uint32_t size;      /* echo: the result size to expect */
    uint8_t op;
    uint8_t live;
};

struct lg_worker;

/* Sessions sharing one connection (--sessions-per-conn) form a group: the
 * first of them, the lead, owns the link (connect, handshake, one auth key
 * for the group); messages are routed to members by session_id. The members
 * of a group are contiguous in the worker's array: lead, lead + 1, ... */
struct lg_sess {
    struct mt_link link;            /* used by a lead only */
    struct lg_sess *lead;           /* itself for a lead */
    uint32_t group_n;               /* lead: sessions in the group, itself included */
    uint32_t next_build;            /* lead: round robin of the members' output */
    struct lg_worker *w;
    struct mt_sess_client *sc;
    uint64_t index;                 /* global session number */
    uint8_t phase;
    bool has_key, draining, wrapped;
    bool has_perm, binding;         /* --temp-keys: permanent key; bind in flight */
    bool key_kept;                  /* handshake workload: key holds the last one made
                                       (not used to connect; kept for --save-keys) */
    struct mt_auth_key key;         /* the key the connection uses (temporary with --temp-keys) */
    struct mt_auth_key perm;
    uint64_t salt;
    double offset;
    struct mt_timer timer;          /* pacing, backoff */
    struct mt_pace pace;
    struct mt_closed closed;
    struct mt_churn churn;
    struct mt_backoff backoff;
    mt_ns t_connect, t_handshake;
    mt_ns t_intended;               /* handshake workload, open loop: the paced start */
    struct lg_req *reqs;            /* ring of in-flight requests */
    uint32_t req_cap;               /* power of two (0: none yet) */
    uint64_t tag_head, tag_next;    /* live tags are in [tag_head, tag_next) */
    uint32_t late_ok;               /* requests given up on whose answer may still come */
};

struct lg_run;

struct lg_worker {
    struct lg_run *run;
    int index;
    pthread_t th;
    struct mt_loop *loop;
    struct mt_link_worker *lw;
    struct mt_metrics_worker *m;
    struct lg_ops ops;
    struct mt_rand rand;
    struct lg_sess *sess;
    size_t nsess;
    size_t connecting;              /* connects in flight (bounded) */
    size_t next_start;              /* next session to start (ramp / storm) */
    int64_t ready;                  /* sessions READY */
    struct mt_timer sweep;          /* timeouts, ramps, metrics: every 100 ms */
    struct mt_timer stop_timer;     /* end of the run */
    struct mt_src_pool src;
    uint8_t *scratch;               /* request bodies */
    size_t scratch_cap;
    bool stopping;                  /* issuing no more requests */
    mt_ns drain_until;
};

struct lg_rpc_body { uint8_t *p; size_t len; };

struct lg_run {
    const struct mt_run_config *cfg;
    struct mt_rsa *rsa;
    struct mt_hs_client_config hs;          /* temporary keys with --temp-keys */
    struct mt_hs_client_config hs_perm;     /* --temp-keys: the permanent key first */
    struct mt_link_config link;
    struct mt_addr target;
    struct mt_pace_plan pace, sessions_plan;
    struct lg_rpc_body rpc[MT_WL_MAX_OPS];  /* encoded rpc: bodies */
    struct lg_rpc_body wrapper;             /* invokeWithLayer(initConnection(...)) prefix */
    struct mt_auth_key *keys;               /* --keys */
    uint64_t *key_salts;
    size_t nkeys;
    struct lg_worker *workers;
    int nworkers;
    mt_ns start;                            /* absolute start of the run */
    double start_wall;
    atomic_int stop;                        /* SIGINT/SIGTERM or the end */
    /* start-up verdict (exit 3): set by workers, read by the reporter */
    atomic_int ever_connected;              /* a TCP connection was made */
    atomic_int ever_ready;                  /* a session got a key (or reused one) */
    atomic_uint fails_before_ready;         /* connect/handshake failures, closes before a key */
};

static inline struct mt_link *lg_link(struct lg_sess *s) { return &s->lead->link; }

/* run_session.c: connection life of a session */
extern const struct mt_link_ops lg_link_ops;
void lg_sess_start(struct lg_sess *s);
void lg_sess_stop(struct lg_sess *s);
void lg_sess_sweep(struct lg_sess *s, mt_ns now);

/* The tag of auth.bindTempAuthKey (ring tags count up from 0). */
#define LG_BIND_TAG UINT64_MAX
void lg_bind_done(struct lg_sess *lead, int ok);

/* run_requests.c: what a session sends and what it gets back */
void lg_sess_begin_load(struct lg_sess *s);
void lg_sess_pace_fire(struct mt_loop *loop, struct mt_timer *t, void *ud);
void lg_req_timeouts(struct lg_sess *s, mt_ns now);
void lg_req_free(struct lg_sess *s);
extern const struct mt_sess_client_cb lg_sess_cb_template;

/* run_worker.c */
int lg_worker_init(struct lg_worker *w, struct lg_run *run, int index);
void *lg_worker_main(void *arg);
void lg_worker_destroy(struct lg_worker *w);

/* run_setup.c */
int lg_run_setup(struct lg_run *run, const struct mt_run_config *cfg);
void lg_run_teardown(struct lg_run *run);
int lg_keys_save(const struct lg_run *run, const char *path);

/* run_report.c */
struct lg_live {
    mt_ns last;
    uint64_t last_count;
};
void lg_report_live(const struct lg_run *run, const struct mt_metrics_report *interval,
                    const struct mt_metrics_report *total, double elapsed_s, double interval_s,
                    bool warmup);
void lg_report_final(FILE *out, const struct lg_run *run, const struct mt_metrics_report *total);
struct json_t *lg_config_json(const struct mt_run_config *cfg);

#endif
