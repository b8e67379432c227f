/* core/link end to end inside one process: a server worker thread and a
 * client worker (this thread) over loopback, with the real handshake,
 * sessions, batch crypto and every transport; then a second round that
 * reuses the auth keys of the first (no handshake: the server's key lookup). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>
#include "harness/unit/common/mt_test.h"
#include "core/link/mt_link.h"

#define CONNS 4
#define PINGS 200
#define WINDOW 16

/* ---------------------------------------------------------------- server */
struct srv_key { struct mt_auth_key key; uint64_t salt; };
struct srv {
    struct mt_loop *loop;
    struct mt_link_worker *w;
    int lfd;
    struct mt_addr addr;
    struct mt_rsa *rsa;
    struct mt_hs_server_config hs;
    struct srv_key keys[256];
    size_t nkeys;
    pthread_t th;
    atomic_int ready;
    uint64_t queries;
    struct srv_conn *open[64];      /* connections not closed yet */
};
struct srv_conn {
    struct mt_link link;
    struct mt_sess_server *sess;
    struct srv *srv;
    uint64_t salt;
};

static void srv_on_query(void *ctx, const struct mt_sess_query *q)
{
    struct srv_conn *sc = ctx;
    sc->srv->queries++;
    /* answer any query with its own body: enough to test the pipeline */
    mt_sess_server_result(sc->sess, q->msg_id, q->body, q->len);
}

static int srv_on_handshake(struct mt_link *l, const struct mt_hs_result *r)
{
    struct srv_conn *sc = l->ud;
    struct srv *s = sc->srv;
    if (s->nkeys == MT_ARRAY_LEN(s->keys))
        return MT_E_LIMIT;
    s->keys[s->nkeys].key = r->key;
    s->keys[s->nkeys++].salt = r->server_salt;
    sc->salt = r->server_salt;
    return 0;
}

static const struct mt_auth_key *srv_lookup(struct mt_link *l, uint64_t id)
{
    struct srv_conn *sc = l->ud;
    for (size_t i = 0; i < sc->srv->nkeys; i++)
        if (sc->srv->keys[i].key.id64 == id) {
            sc->salt = sc->srv->keys[i].salt;
            return &sc->srv->keys[i].key;
        }
    return NULL;
}

static void srv_on_message(struct mt_link *l, const uint8_t *plain, size_t len)
{
    struct srv_conn *sc = l->ud;
    if (!sc->sess) {
        struct mt_sess_server_cfg cfg = {.salt = sc->salt};
        struct mt_sess_server_cb cb = {.ctx = sc, .on_query = srv_on_query};
        sc->sess = mt_sess_server_new(&cfg, &cb);
        assert_non_null(sc->sess);
    }
    mt_sess_server_feed(sc->sess, plain, len, mt_loop_now(sc->srv->loop), mt_wall_s());
    if (mt_sess_server_want_send(sc->sess))
        mt_link_want_send(l);
}

static int srv_build(struct mt_link *l, uint8_t *out, size_t cap)
{
    struct srv_conn *sc = l->ud;
    if (!sc->sess)
        return 0;
    return mt_sess_server_build(sc->sess, out, cap, mt_loop_now(sc->srv->loop), mt_wall_s());
}

static void srv_on_close(struct mt_link *l, int reason)
{
    struct srv_conn *sc = l->ud;
    for (size_t i = 0; i < MT_ARRAY_LEN(sc->srv->open); i++)
        if (sc->srv->open[i] == sc)
            sc->srv->open[i] = NULL;
    mt_link_release(l);
    if (sc->sess)
        mt_sess_server_free(sc->sess);
    free(sc);
}

static const struct mt_link_ops srv_ops = {
    .on_handshake = srv_on_handshake, .lookup_key = srv_lookup,
    .on_message = srv_on_message, .build = srv_build, .on_close = srv_on_close,
};

static void srv_accept(struct mt_loop *loop, int fd, unsigned events, void *ud)
{
    struct srv *s = ud;
    struct mt_sock_opts o = {.nodelay = true};
    for (;;) {
        int cfd;
        struct mt_addr peer;
        if (mt_net_accept(fd, &o, &cfd, &peer) != MT_NET_OK)
            return;
        struct srv_conn *sc = calloc(1, sizeof *sc);
        assert_non_null(sc);
        sc->srv = s;
        assert_int_equal(mt_link_accept(&sc->link, s->w, cfd, sc), 0);
        size_t i = 0;
        while (i < MT_ARRAY_LEN(s->open) && s->open[i])
            i++;
        assert_true(i < MT_ARRAY_LEN(s->open));
        s->open[i] = sc;
    }
}

static void *srv_main(void *arg)
{
    struct srv *s = arg;
    while (!mt_loop_stopping(s->loop))
        mt_loop_run_once(s->loop, mt_link_worker_busy(s->w) ? 0 : 100);
    return NULL;
}

static void srv_start(struct srv *s, struct mt_rsa *rsa)
{
    memset(s, 0, sizeof *s);
    s->rsa = rsa;
    mt_hs_server_config_init(&s->hs);
    s->hs.keys = &s->rsa;
    s->hs.nkeys = 1;
    s->loop = mt_loop_new(4096);
    assert_non_null(s->loop);
    struct mt_link_config cfg = {
        .role = MT_LINK_SERVER, .ops = &srv_ops, .hs_server = &s->hs,
        .tr_server = {.allow_plain = true, .allow_obfuscated = true},
        .sock = {.nodelay = true},
    };
    s->w = mt_link_worker_new(s->loop, &cfg);
    assert_non_null(s->w);
    struct mt_addr a;
    assert_int_equal(mt_addr_parse("127.0.0.1:0", &a), 0);
    s->lfd = mt_net_listen(&a, 128, false);
    assert_true(s->lfd >= 0);
    assert_int_equal(mt_net_local_addr(s->lfd, &s->addr), 0);
    assert_int_equal(mt_loop_add(s->loop, s->lfd, MT_EV_READ, srv_accept, s), 0);
    assert_int_equal(pthread_create(&s->th, NULL, srv_main, s), 0);
}

static void srv_stop(struct srv *s)
{
    mt_loop_stop(s->loop);
    pthread_join(s->th, NULL);
    mt_loop_del(s->loop, s->lfd);
    close(s->lfd);
    /* connections whose client close the server has not read yet */
    for (size_t i = 0; i < MT_ARRAY_LEN(s->open); i++)
        if (s->open[i])
            mt_link_close(&s->open[i]->link, 0);
    mt_link_worker_process(s->w);   /* reports the closes: frees them */
    mt_link_worker_free(s->w);
    mt_loop_free(s->loop);
}

/* ---------------------------------------------------------------- client */
struct cli;
struct cli_conn {
    struct mt_link link;
    struct mt_sess_client *sess;
    struct cli *cli;
    int sent, pongs;
    bool handshaken, done;
    int close_reason;
    bool closed;
    struct mt_auth_key key;
    uint64_t salt;
    double offset;
};
struct cli {
    struct mt_loop *loop;
    struct mt_link_worker *w;
    struct cli_conn conns[CONNS];
    int done, failed, handshakes;
};

static void cli_ping(struct cli_conn *cc)
{
    uint64_t id;
    assert_int_equal(mt_sess_client_ping(cc->sess, (uint64_t)cc->sent, 0, mt_loop_now(cc->cli->loop),
                                         mt_wall_s(), &id), 0);
    cc->sent++;
}

static void cli_on_event(void *ctx, const struct mt_sess_event *ev)
{
    struct cli_conn *cc = ctx;
    if (ev->kind != MT_SESS_EV_PONG)
        return;
    cc->pongs++;
    if (cc->sent < PINGS)
        cli_ping(cc);
    if (cc->pongs == PINGS && !cc->done) {
        cc->done = true;
        cc->cli->done++;
    }
}

static void cli_session(struct cli_conn *cc)
{
    struct mt_sess_client_cfg cfg = {.session_id = mt_rng_u64(mt_link_worker_rng(cc->cli->w)),
                                     .salt = cc->salt, .time_offset = cc->offset};
    struct mt_sess_client_cb cb = {.ctx = cc, .on_event = cli_on_event};
    cc->sess = mt_sess_client_new(&cfg, &cb);
    assert_non_null(cc->sess);
    for (int i = 0; i < WINDOW; i++)
        cli_ping(cc);
    mt_link_want_send(&cc->link);
}

static void cli_on_connect(struct mt_link *l, int status)
{
    struct cli_conn *cc = l->ud;
    if (status) {
        cc->cli->failed++;
        return;
    }
    if (l->has_key)    /* key reused: no handshake */
        cli_session(cc);
}

static int cli_on_handshake(struct mt_link *l, const struct mt_hs_result *r)
{
    struct cli_conn *cc = l->ud;
    cc->handshaken = true;
    cc->cli->handshakes++;
    cc->key = r->key;
    cc->salt = r->server_salt;
    cc->offset = r->time_offset;
    cli_session(cc);
    return 0;
}

static void cli_on_hs_error(struct mt_link *l, int err, const char *detail)
{
    fprintf(stderr, "client handshake failed: %s (%s)\n", mt_strerror(err), detail);
}

static void cli_on_message(struct mt_link *l, const uint8_t *plain, size_t len)
{
    struct cli_conn *cc = l->ud;
    int rc = mt_sess_client_feed(cc->sess, plain, len, mt_loop_now(cc->cli->loop), mt_wall_s());
    assert_int_equal(rc, 0);
    if (mt_sess_client_want_send(cc->sess, mt_loop_now(cc->cli->loop)))
        mt_link_want_send(l);
}

static int cli_build(struct mt_link *l, uint8_t *out, size_t cap)
{
    struct cli_conn *cc = l->ud;
    return mt_sess_client_build(cc->sess, out, cap, mt_loop_now(cc->cli->loop), mt_wall_s(), 0);
}

static bool cli_bad_packet(struct mt_link *l, int err)
{
    fail_msg("client got a bad packet: %s", mt_strerror(err));
    return true;
}

static void cli_on_close(struct mt_link *l, int reason)
{
    struct cli_conn *cc = l->ud;
    cc->closed = true;
    cc->close_reason = reason;
}

static const struct mt_link_ops cli_ops = {
    .on_connect = cli_on_connect, .on_handshake = cli_on_handshake,
    .on_handshake_error = cli_on_hs_error, .on_message = cli_on_message,
    .build = cli_build, .on_bad_packet = cli_bad_packet, .on_close = cli_on_close,
};

static struct mt_rsa *test_rsa;

/* One round of CONNS connections on one transport; keys != NULL reuses them. */
static void run_round(struct srv *s, const char *transport, struct mt_auth_key *keys,
                      uint64_t *salts, struct cli_conn *out)
{
    struct mt_rsa *pub = test_rsa;
    struct mt_hs_client_config hs = {.keys = &pub, .nkeys = 1, .dc_id = 2};
    struct mt_link_config cfg = {.role = MT_LINK_CLIENT, .ops = &cli_ops, .hs_client = &hs,
                                 .sock = {.nodelay = true}};
    bool obf;
    assert_int_equal(mt_tr_parse_name(transport, &cfg.tr.kind, &obf), 0);
    cfg.tr.obfuscated = obf;
    cfg.tr.dc_id = 2;
    struct cli c = {0};
    c.loop = mt_loop_new(4096);
    c.w = mt_link_worker_new(c.loop, &cfg);
    assert_non_null(c.w);
    for (int i = 0; i < CONNS; i++) {
        struct cli_conn *cc = &c.conns[i];
        cc->cli = &c;
        if (keys) {
            cc->salt = salts[i];
            cc->key = keys[i];
        }
        assert_int_equal(mt_link_connect(&cc->link, c.w, &s->addr, NULL, keys ? &keys[i] : NULL,
                                         5 * MT_NS_PER_S, cc), 0);
    }
    mt_ns deadline = mt_now_ns() + 30 * MT_NS_PER_S;
    while (c.done < CONNS && c.failed == 0 && mt_now_ns() < deadline) {
        mt_loop_run_once(c.loop, mt_link_worker_busy(c.w) ? 0 : 50);
        for (int i = 0; i < CONNS; i++)
            if (c.conns[i].closed)
                fail_msg("%s: connection %d closed: %s", transport, i,
                         mt_strerror(c.conns[i].close_reason));
    }
    assert_int_equal(c.failed, 0);
    assert_int_equal(c.done, CONNS);
    assert_int_equal(c.handshakes, keys ? 0 : CONNS);
    const struct mt_link_stats *st = mt_link_worker_stats(c.w);
    /* batching happened: fewer batches than messages */
    assert_true(st->tx_msgs > 0 && st->rx_msgs >= (uint64_t)CONNS * PINGS / WINDOW);
    assert_int_equal(st->bad_packets, 0);
    for (int i = 0; i < CONNS; i++) {
        struct cli_conn *cc = &c.conns[i];
        /* idle now: the grown receive buffer goes back to its first size */
        assert_int_equal(mt_link_trim(&cc->link), 0);
        assert_true(mt_link_mem(&cc->link) <= 4096);
        if (out)
            out[i] = *cc;
        mt_link_close(&cc->link, 0);
    }
    mt_link_worker_process(c.w);   /* report the closes */
    for (int i = 0; i < CONNS; i++) {
        mt_link_release(&c.conns[i].link);
        mt_sess_client_free(c.conns[i].sess);
    }
    mt_link_worker_free(c.w);
    mt_loop_free(c.loop);
}

static void test_transport(const char *name)
{
    struct srv s;
    srv_start(&s, test_rsa);
    struct cli_conn first[CONNS];
    run_round(&s, name, NULL, NULL, first);
    /* reconnect with the keys of the first round: no handshake */
    struct mt_auth_key keys[CONNS];
    uint64_t salts[CONNS];
    for (int i = 0; i < CONNS; i++) {
        keys[i] = first[i].key;
        salts[i] = first[i].salt;
    }
    run_round(&s, name, keys, salts, NULL);
    srv_stop(&s);
}

static void t_abridged(void **st) { test_transport("abridged"); }
static void t_intermediate(void **st) { test_transport("intermediate"); }
static void t_padded(void **st) { test_transport("padded"); }
static void t_full(void **st) { test_transport("full"); }
static void t_obf_abridged(void **st) { test_transport("obf-abridged"); }
static void t_obf_intermediate(void **st) { test_transport("obf-intermediate"); }
static void t_obf_padded(void **st) { test_transport("obf-padded"); }

static int setup(void **st)
{
    mt_crypto_init();
    char err[256];
    test_rsa = mt_rsa_generate(2048, err, sizeof err);
    return test_rsa ? 0 : -1;
}

static int teardown(void **st)
{
    mt_rsa_free(test_rsa);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_abridged), cmocka_unit_test(t_intermediate),
        cmocka_unit_test(t_padded), cmocka_unit_test(t_full),
        cmocka_unit_test(t_obf_abridged), cmocka_unit_test(t_obf_intermediate),
        cmocka_unit_test(t_obf_padded),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
