/* Shared by the session tests: a client and a server session wired together
 * in memory at the plaintext level (no crypto), with recorders for every
 * callback, and a builder for hand-made plaintexts. */
#ifndef SESS_TEST_UTIL_H
#define SESS_TEST_UTIL_H
#include "harness/unit/common/mt_test.h"
#include "core/mtproto/session.h"

#define ST_T0 1700000000.0
#define ST_MAXEV 64
#ifndef ST_CLIENT_EV
#define ST_CLIENT_EV st_on_event
#endif
#define ST_MAXTAG 20000
#define ST_BUF (1u << 20)

#define ID_PING 0x7abe77ecu
#define ID_PONG 0x347773c5u
#define ID_RPC_RESULT 0xf35c6d01u
#define ID_RPC_ERROR 0x2144ca19u
#define ID_CONTAINER 0x73f1f8dcu
#define ID_MSGS_ACK 0x62d6b459u
#define ID_GZIP 0x3072cfa1u
#define ID_BAD_MSG 0xa7eff811u
#define ID_BAD_SALT 0xedab447bu
#define ID_NEW_SESSION 0x9ec20908u
#define ID_ECHO 0xdd1b02b0u          /* mtload.echo: any function id will do */

enum { SRV_ECHO = 0, SRV_ERROR, SRV_DEFER };

struct st_rec {
    /* client side */
    int results, errors;
    int done[ST_MAXTAG];               /* answers per tag */
    uint64_t last_tag, last_req;
    int32_t last_code, last_wait;
    char last_msg[64];
    uint8_t last_body[4096];
    size_t last_len;
    /* both */
    int ev[ST_MAXEV];
    struct mt_sess_event last_ev[ST_MAXEV];
    uint8_t last_info[256];
    size_t acked_ids;
    uint32_t max_ack_chunk;
    /* server side */
    int queries;
    int mode;
    struct mt_sess_query last_q;
    uint8_t last_device[64];
    uint64_t deferred[64];
    int n_deferred;
    int destroy_answer;
    struct mt_sess_server *srv;
};

static inline void st_on_result(void *ctx, uint64_t tag, uint64_t req, const uint8_t *body, size_t len, mt_ns t0)
{
    struct st_rec *r = ctx;
    (void)t0;
    r->results++;
    if (tag < ST_MAXTAG) r->done[tag]++;
    r->last_tag = tag;
    r->last_req = req;
    r->last_len = len < sizeof(r->last_body) ? len : sizeof(r->last_body);
    memcpy(r->last_body, body, r->last_len);
}

static inline void st_on_error(void *ctx, uint64_t tag, uint64_t req, int32_t code, const char *msg,
                        size_t msg_len, int32_t wait, mt_ns t0)
{
    struct st_rec *r = ctx;
    (void)t0;
    r->errors++;
    if (tag < ST_MAXTAG) r->done[tag]++;
    r->last_tag = tag;
    r->last_req = req;
    r->last_code = code;
    r->last_wait = wait;
    size_t n = msg_len < sizeof(r->last_msg) - 1 ? msg_len : sizeof(r->last_msg) - 1;
    memcpy(r->last_msg, msg, n);
    r->last_msg[n] = 0;
}

static inline void st_on_event(void *ctx, const struct mt_sess_event *ev)
{
    struct st_rec *r = ctx;
    if (ev->kind >= 0 && ev->kind < ST_MAXEV) {
        r->ev[ev->kind]++;
        r->last_ev[ev->kind] = *ev;
    }
    if (ev->kind == MT_SESS_EV_ACK) {
        r->acked_ids += ev->n_ids;
    }
    if (ev->kind == MT_SESS_EV_STATE_INFO && ev->info_len <= sizeof(r->last_info))
        memcpy(r->last_info, ev->info, ev->info_len);
}

static inline void st_on_query(void *ctx, const struct mt_sess_query *q)
{
    struct st_rec *r = ctx;
    r->queries++;
    r->last_q = *q;
    if (q->device_model && q->device_model_len < sizeof(r->last_device)) memcpy(r->last_device, q->device_model, q->device_model_len);
    switch (r->mode) {
    case SRV_ECHO: assert_int_equal(mt_sess_server_result(r->srv, q->msg_id, q->body, q->len), 0); break;
    case SRV_ERROR: assert_int_equal(mt_sess_server_error(r->srv, q->msg_id, 420, "FLOOD_WAIT_5"), 0); break;
    default:
        if (r->n_deferred < 64) r->deferred[r->n_deferred++] = q->msg_id;
        break;
    }
}

static inline int st_destroy(void *ctx, uint64_t sid)
{
    struct st_rec *r = ctx;
    (void)sid;
    return r->destroy_answer;
}

static inline int st_future_salts(void *ctx, int32_t now, struct mt_future_salt *out, int max)
{
    (void)ctx;
    int n = max < 5 ? max : 5;
    for (int i = 0; i < n; i++) {
        out[i].valid_since = now + 3600 * i;
        out[i].valid_until = now + 3600 * (i + 1);
        out[i].salt = 0x5a17000000000000ull + (uint64_t)i;
    }
    return n;
}

struct st_pair {
    struct mt_sess_client *c;
    struct mt_sess_server *s;
    struct st_rec cr, sr;
    double wall_c, wall_s;
    mt_ns now;
    uint8_t *buf;
    int c2s, s2c;            /* envelopes moved */
};

static inline struct st_pair *st_pair_new(unsigned cflags, unsigned sflags, size_t cgzip, size_t sgzip)
{
    struct st_pair *p = calloc(1, sizeof(*p));
    assert_non_null(p);
    p->buf = malloc(ST_BUF);
    p->wall_c = p->wall_s = ST_T0;
    p->now = 1000 * MT_NS_PER_S;
    struct mt_sess_client_cfg cc = { 0 };
    cc.session_id = 0x5e5510000000001ull;
    cc.salt = 0x1111111111111111ull;
    cc.flags = cflags;
    cc.gzip_min = cgzip;
    struct mt_sess_client_cb ccb = { &p->cr, st_on_result, st_on_error, ST_CLIENT_EV, NULL };
    p->c = mt_sess_client_new(&cc, &ccb);
    struct mt_sess_server_cfg sc = { 0 };
    sc.salt = 0x1111111111111111ull;
    sc.flags = sflags;
    sc.gzip_min = sgzip;
    struct mt_sess_server_cb scb = { &p->sr, st_on_query, st_on_event, st_destroy, st_future_salts };
    p->s = mt_sess_server_new(&sc, &scb);
    p->sr.srv = p->s;
    assert_non_null(p->c);
    assert_non_null(p->s);
    return p;
}

static inline void st_pair_free(struct st_pair *p)
{
    mt_sess_client_free(p->c);
    mt_sess_server_free(p->s);
    free(p->buf);
    free(p);
}

/* One client envelope to the server; returns its length (0 = nothing). */
static inline int st_c2s(struct st_pair *p, int force_acks)
{
    int n = mt_sess_client_build(p->c, p->buf, ST_BUF, p->now, p->wall_c, force_acks);
    assert_true(n >= 0);
    if (n > 0) {
        p->c2s++;
        mt_sess_server_feed(p->s, p->buf, (size_t)n, p->now, p->wall_s);
    }
    return n;
}

static inline int st_s2c(struct st_pair *p)
{
    int n = mt_sess_server_build(p->s, p->buf, ST_BUF, p->now, p->wall_s);
    assert_true(n >= 0);
    if (n > 0) {
        p->s2c++;
        assert_int_equal(mt_sess_client_feed(p->c, p->buf, (size_t)n, p->now, p->wall_c), 0);
    }
    return n;
}

/* Exchange until both sides are quiet (acks flushed when force_acks). */
static inline void st_pump(struct st_pair *p, int force_acks)
{
    for (int i = 0; i < 10000; i++) {
        p->now += 100 * MT_NS_PER_US;
        int a = st_c2s(p, force_acks);
        p->now += 100 * MT_NS_PER_US;
        int b = st_s2c(p);
        if (!a && !b) return;
    }
    fail_msg("sessions never went quiet");
}

/* A hand-made plaintext: header + body. Returns the total length. */
static inline size_t st_msg(uint8_t *out, uint64_t salt, uint64_t sid, uint64_t msg_id, uint32_t seq,
                     const void *body, size_t len)
{
    struct mt_msg_hdr h = { salt, sid, msg_id, seq, (uint32_t)len };
    mt_msg_hdr_write(out, &h);
    memcpy(out + 32, body, len);
    return 32 + len;
}
#endif
