/* The loop on one thread: timers (order, cancel, 100k of them), addresses,
 * connect to a closed port, echo over IPv4 and IPv6 loopback, and a slow
 * reader: bounded buffers and paused reads. */
#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>
#include "harness/unit/common/mt_test.h"
#include "core/net/mt_net.h"

/* ---- timers -------------------------------------------------------------- */
struct fired { int order[64]; int n; };
struct tctx { struct fired *f; int id; };

static void record_cb(struct mt_loop *loop, struct mt_timer *t, void *ud)
{
    (void)loop; (void)t;
    struct tctx *c = ud;
    c->f->order[c->f->n++] = c->id;
}

static void test_timer_order(void **state)
{
    (void)state;
    struct mt_loop *loop = mt_loop_new(64);
    assert_non_null(loop);
    struct fired f = {0};
    struct mt_timer t[8];
    struct tctx c[8];
    /* due at 30, 10, 20, 10, 40 ms; #5 cancelled; #1 and #3 share a deadline */
    const int ms[8] = {30, 10, 20, 10, 40, 15, 0, 5};
    mt_ns base = mt_loop_now(loop);
    for (int i = 0; i < 8; i++) {
        c[i] = (struct tctx){&f, i};
        mt_timer_init(&t[i], record_cb, &c[i]);
        assert_int_equal(mt_timer_start(loop, &t[i], base + (mt_ns)ms[i] * MT_NS_PER_MS), 0);
    }
    mt_timer_stop(loop, &t[5]);
    mt_timer_stop(loop, &t[5]);                       /* idempotent */
    mt_timer_start(loop, &t[7], base + 25 * MT_NS_PER_MS);   /* restart moves it */
    assert_false(mt_timer_active(&t[5]));
    assert_int_equal(mt_loop_timer_count(loop), 7);
    mt_ns deadline = mt_now_ns() + 2 * MT_NS_PER_S;
    while (f.n < 7 && mt_now_ns() < deadline)
        mt_loop_run_once(loop, 100);
    const int want[7] = {6, 1, 3, 2, 7, 0, 4};
    assert_int_equal(f.n, 7);
    assert_memory_equal(f.order, want, sizeof want);
    /* no timer fired early */
    assert_true(mt_now_ns() >= base + 40 * MT_NS_PER_MS);
    mt_loop_free(loop);
}

struct many { mt_ns last; uint64_t fired; int bad; };
static void many_cb(struct mt_loop *loop, struct mt_timer *t, void *ud)
{
    struct many *m = ud;
    (void)loop;
    if (t->when < m->last) m->bad++;
    m->last = t->when;
    m->fired++;
}

static void test_many_timers(void **state)
{
    (void)state;
    enum { N = 100000 };
    struct mt_loop *loop = mt_loop_new(64);
    struct mt_timer *t = calloc(N, sizeof *t);
    struct many m = {0};
    struct mt_test_prng r;
    mt_test_prng_seed(&r, 1);
    mt_ns base = mt_loop_now(loop);
    mt_ns t0 = mt_now_ns();
    for (int i = 0; i < N; i++) {
        mt_timer_init(&t[i], many_cb, &m);
        mt_timer_start(loop, &t[i], base + mt_test_next(&r) % (50 * MT_NS_PER_MS));
    }
    for (int i = 0; i < N; i += 2)          /* cancel half, in a scattered order */
        mt_timer_stop(loop, &t[(i * 7919) % N]);
    mt_ns t1 = mt_now_ns();
    size_t left = mt_loop_timer_count(loop);
    assert_true(left >= N / 2 - 1000 && left <= N / 2 + 1000);
    while (mt_loop_timer_count(loop) && mt_now_ns() < t0 + 5 * MT_NS_PER_S)
        mt_loop_run_once(loop, 10);
    assert_int_equal(m.fired, left);
    assert_int_equal(m.bad, 0);
    print_message("100k timers: start + cancel half %.1f ms\n", (double)(t1 - t0) / 1e6);
    free(t);
    mt_loop_free(loop);
}

/* ---- addresses ----------------------------------------------------------- */
static void test_addr(void **state)
{
    (void)state;
    struct mt_addr a;
    char s[64];
    assert_int_equal(mt_addr_parse("127.0.0.1:443", &a), 0);
    assert_string_equal(mt_addr_str(&a, s, sizeof s), "127.0.0.1:443");
    assert_int_equal(mt_addr_parse("[::1]:8080", &a), 0);
    assert_string_equal(mt_addr_str(&a, s, sizeof s), "[::1]:8080");
    assert_int_equal(mt_addr_parse("localhost:1", &a), 0);
    assert_int_equal(mt_addr_port(&a), 1);
    assert_int_equal(mt_addr_parse("127.0.0.1", &a), MT_E_INVAL);
    assert_int_equal(mt_addr_parse("127.0.0.1:70000", &a), MT_E_INVAL);
    assert_int_equal(mt_addr_parse("[::1:80", &a), MT_E_INVAL);
    struct mt_src_pool p;
    assert_int_equal(mt_src_pool_init(&p, "127.0.0.2-127.0.0.200"), 0);
    assert_int_equal(p.n, 199);
    assert_string_equal(mt_addr_str(mt_src_pool_next(&p), s, sizeof s), "127.0.0.2:0");
    for (int i = 0; i < 198; i++) mt_src_pool_next(&p);
    assert_string_equal(mt_addr_str(mt_src_pool_next(&p), s, sizeof s), "127.0.0.2:0");
    mt_src_pool_free(&p);
    assert_int_equal(mt_src_pool_init(&p, "127.0.0.9-127.0.0.2"), MT_E_INVAL);
}

/* ---- connections ------------------------------------------------------- */
struct peer {
    struct mt_conn c;
    int connect_status, connected;
    bool echo, closed_seen;
    size_t received;
    uint8_t rbuf[1 << 16];
    struct mt_buf got;         /* what the client received */
};

static void on_connect(struct mt_conn *c, int status)
{
    struct peer *p = c->ud;
    p->connect_status = status;
    p->connected = status == 0 ? 1 : -1;
}

static void on_readable(struct mt_conn *c)
{
    struct peer *p = c->ud;
    for (;;) {
        size_t n;
        int rc = mt_conn_read(c, p->rbuf, sizeof p->rbuf, &n);
        if (rc == MT_NET_AGAIN)
            return;
        if (rc != MT_NET_OK) {
            p->closed_seen = true;
            mt_conn_close(c);
            return;
        }
        p->received += n;
        if (p->echo) {
            assert_int_equal(mt_conn_send(c, p->rbuf, n), 0);
            if (c->read_paused)
                return;          /* backpressure: stop reading now */
        } else {
            mt_buf_append(&p->got, p->rbuf, n);
        }
    }
}

static void on_close(struct mt_conn *c, int reason)
{
    struct peer *p = c->ud;
    (void)reason;
    p->closed_seen = true;
}

static const struct mt_conn_ops ops = {on_connect, on_readable, on_close, NULL};

struct listener { struct mt_loop *loop; struct peer *srv; int lfd; size_t out_cap, hwm; };

static void on_accept(struct mt_loop *loop, int fd, unsigned ev, void *ud)
{
    struct listener *l = ud;
    (void)ev; (void)loop;
    int s;
    struct mt_sock_opts o = {.nodelay = true};
    while (mt_net_accept(fd, &o, &s, NULL) == MT_NET_OK) {
        mt_conn_init(&l->srv->c, l->loop, &ops, l->srv, l->out_cap, l->hwm);
        l->srv->echo = true;
        assert_int_equal(mt_conn_attach(&l->srv->c, s), 0);
    }
}

static int listen_on(struct listener *l, const char *host, struct mt_addr *bound)
{
    struct mt_addr a;
    assert_int_equal(mt_addr_parse(host, &a), 0);
    l->lfd = mt_net_listen(&a, 128, true);
    if (l->lfd < 0)
        return l->lfd;
    assert_int_equal(mt_net_local_addr(l->lfd, bound), 0);
    assert_int_equal(mt_loop_add(l->loop, l->lfd, MT_EV_READ, on_accept, l), 0);
    return 0;
}

static void run_until(struct mt_loop *loop, bool (*done)(void *), void *ud, int max_ms)
{
    mt_ns end = mt_now_ns() + (mt_ns)max_ms * MT_NS_PER_MS;
    while (!done(ud) && mt_now_ns() < end)
        mt_loop_run_once(loop, 10);
}

static bool is_connected(void *ud) { return ((struct peer *)ud)->connected != 0; }
static bool echoed_all(void *ud) { struct peer *p = ud; return mt_buf_len(&p->got) >= 100000; }

static void echo_over(const char *host)
{
    struct mt_loop *loop = mt_loop_new(0);
    static struct peer srv, cli;
    memset(&srv, 0, sizeof srv);
    memset(&cli, 0, sizeof cli);
    struct listener l = {.loop = loop, .srv = &srv, .out_cap = 1 << 20};
    struct mt_addr bound;
    if (listen_on(&l, host, &bound) != 0) {
        print_message("skipping %s: cannot listen (%s)\n", host, strerror(errno));
        mt_loop_free(loop);
        return;
    }
    mt_conn_init(&cli.c, loop, &ops, &cli, 1 << 20, 0);
    mt_buf_init(&cli.got, 0, 0);
    struct mt_sock_opts o = {.nodelay = true};
    assert_int_equal(mt_conn_connect(&cli.c, &bound, NULL, &o, MT_NS_PER_S), 0);
    /* queued before the connect completes: written once connected */
    uint8_t msg[1000];
    for (int i = 0; i < 100; i++) {
        for (int j = 0; j < 1000; j++) msg[j] = (uint8_t)(i + j);
        assert_int_equal(mt_conn_send(&cli.c, msg, sizeof msg), 0);
    }
    run_until(loop, is_connected, &cli, 2000);
    assert_int_equal(cli.connect_status, 0);
    run_until(loop, echoed_all, &cli, 5000);
    assert_int_equal(mt_buf_len(&cli.got), 100000);
    uint8_t *all = malloc(100000);
    mt_buf_peek(&cli.got, all, 100000);
    for (int i = 0; i < 100; i++)
        for (int j = 0; j < 1000; j++)
            assert_int_equal(all[i * 1000 + j], (uint8_t)(i + j));
    free(all);
    /* the client closes: the server sees the orderly shutdown */
    mt_conn_close(&cli.c);
    for (int i = 0; i < 50 && !srv.closed_seen; i++) mt_loop_run_once(loop, 10);
    assert_true(srv.closed_seen);
    mt_conn_free(&cli.c);
    mt_conn_free(&srv.c);
    mt_buf_free(&cli.got);
    mt_loop_del(loop, l.lfd);
    close(l.lfd);
    mt_loop_free(loop);
}

static void test_echo_v4(void **state) { (void)state; echo_over("127.0.0.1:0"); }
static void test_echo_v6(void **state) { (void)state; echo_over("[::1]:0"); }

static void test_closed_port(void **state)
{
    (void)state;
    struct mt_loop *loop = mt_loop_new(0);
    struct mt_addr a, bound;
    assert_int_equal(mt_addr_parse("127.0.0.1:0", &a), 0);
    int fd = mt_net_listen(&a, 1, false);
    assert_true(fd >= 0);
    mt_net_local_addr(fd, &bound);
    close(fd);                          /* the port is now closed */
    static struct peer cli;
    memset(&cli, 0, sizeof cli);
    mt_conn_init(&cli.c, loop, &ops, &cli, 4096, 0);
    int rc = mt_conn_connect(&cli.c, &bound, NULL, NULL, MT_NS_PER_S);
    if (rc == 0) {
        run_until(loop, is_connected, &cli, 2000);
        assert_int_equal(cli.connect_status, MT_E_CONNECT);
        assert_int_equal(cli.c.sys_errno, ECONNREFUSED);
    } else {
        assert_int_equal(rc, MT_E_CONNECT);
    }
    assert_true(cli.c.closed);
    mt_conn_free(&cli.c);
    mt_loop_free(loop);
}

/* A connect that never completes times out: a listener with backlog 0 that
 * never accepts drops further SYNs once its accept queue is full. */
static void test_connect_timeout(void **state)
{
    (void)state;
    enum { N = 8 };
    struct mt_loop *loop = mt_loop_new(0);
    struct mt_addr a, bound;
    assert_int_equal(mt_addr_parse("127.0.0.1:0", &a), 0);
    int lfd = mt_net_listen(&a, 0, false);
    assert_true(lfd >= 0);
    assert_int_equal(listen(lfd, 0), 0);
    mt_net_local_addr(lfd, &bound);
    static struct peer cli[N];
    memset(cli, 0, sizeof cli);
    mt_ns t0 = mt_now_ns();
    for (int i = 0; i < N; i++) {
        mt_conn_init(&cli[i].c, loop, &ops, &cli[i], 4096, 0);
        assert_int_equal(mt_conn_connect(&cli[i].c, &bound, NULL, NULL, 200 * MT_NS_PER_MS), 0);
    }
    int done = 0, timeouts = 0, ok = 0;
    while (done < N && mt_now_ns() < t0 + 3 * MT_NS_PER_S) {
        mt_loop_run_once(loop, 20);
        done = timeouts = ok = 0;
        for (int i = 0; i < N; i++) {
            done += cli[i].connected != 0;
            timeouts += cli[i].connect_status == MT_E_TIMEOUT;
            ok += cli[i].connected == 1;
        }
    }
    mt_ns took = mt_now_ns() - t0;
    print_message("connect timeout: %d connected (accept queue), %d timed out after %.0f ms\n",
                  ok, timeouts, (double)took / 1e6);
    assert_int_equal(done, N);
    assert_true(timeouts > 0);
    assert_true(took >= 200 * MT_NS_PER_MS && took < 2 * MT_NS_PER_S);
    for (int i = 0; i < N; i++) {
        if (cli[i].connect_status == MT_E_TIMEOUT) {
            assert_true(cli[i].c.closed);
            assert_int_equal(cli[i].c.sys_errno, ETIMEDOUT);
        }
        mt_conn_free(&cli[i].c);
    }
    close(lfd);
    mt_loop_free(loop);
}

/* The before-flush hook runs once per iteration after callbacks and timers;
 * output it queues leaves in the same iteration's flush. */
struct hook_ctx { int calls; struct mt_conn *c; bool sent; };
static void hook(struct mt_loop *loop, void *ud)
{
    struct hook_ctx *h = ud;
    (void)loop;
    h->calls++;
    if (h->c && !h->sent && !h->c->connecting && !h->c->closed) {
        assert_int_equal(mt_conn_send(h->c, "hook", 4), 0);
        h->sent = true;
    }
}

static void test_before_flush_hook(void **state)
{
    (void)state;
    struct mt_loop *loop = mt_loop_new(0);
    static struct peer srv, cli;
    memset(&srv, 0, sizeof srv);
    memset(&cli, 0, sizeof cli);
    struct listener l = {.loop = loop, .srv = &srv, .out_cap = 1 << 16};
    struct mt_addr bound;
    assert_int_equal(listen_on(&l, "127.0.0.1:0", &bound), 0);
    mt_conn_init(&cli.c, loop, &ops, &cli, 1 << 16, 0);
    mt_buf_init(&cli.got, 0, 0);
    struct hook_ctx h = {0, &cli.c, false};
    mt_loop_set_before_flush(loop, hook, &h);
    assert_int_equal(mt_conn_connect(&cli.c, &bound, NULL, NULL, MT_NS_PER_S), 0);
    for (int i = 0; i < 200 && mt_buf_len(&cli.got) < 4; i++)
        mt_loop_run_once(loop, 10);
    assert_true(h.sent);
    assert_int_equal(mt_buf_len(&cli.got), 4);        /* echoed back */
    uint64_t iters = mt_loop_stats(loop)->iterations;
    assert_int_equal((uint64_t)h.calls, iters);
    mt_loop_set_before_flush(loop, NULL, NULL);
    mt_loop_run_once(loop, 0);
    assert_int_equal((uint64_t)h.calls, iters);
    mt_conn_free(&cli.c);
    mt_conn_free(&srv.c);
    mt_buf_free(&cli.got);
    mt_loop_del(loop, l.lfd);
    close(l.lfd);
    mt_loop_free(loop);
}

/* SO_REUSEPORT: one listener per worker on the same port. */
static void test_reuseport(void **state)
{
    (void)state;
    struct mt_addr a, bound;
    assert_int_equal(mt_addr_parse("127.0.0.1:0", &a), 0);
    int l1 = mt_net_listen(&a, 16, true);
    assert_true(l1 >= 0);
    mt_net_local_addr(l1, &bound);
    int l2 = mt_net_listen(&bound, 16, true);
    assert_true(l2 >= 0);
    int l3 = mt_net_listen(&bound, 16, false);      /* without it: refused */
    assert_true(l3 < 0);
    close(l1);
    close(l2);
}

/* A slow reader: the client sends a lot and reads nothing. The echoing
 * server's output passes its high-water mark, so it stops reading; the
 * client's own bounded buffer fills and refuses more (MT_E_LIMIT). Memory
 * stays within the caps. Then the client reads and everything drains. */
static bool drained(void *ud) { struct peer *p = ud; return p->received >= 4u << 20 && !p->c.read_paused; }

static void test_slow_reader(void **state)
{
    (void)state;
    struct mt_loop *loop = mt_loop_new(0);
    static struct peer srv, cli;
    memset(&srv, 0, sizeof srv);
    memset(&cli, 0, sizeof cli);
    const size_t cap = 256 << 10, hwm = 64 << 10;
    struct listener l = {.loop = loop, .srv = &srv, .out_cap = cap, .hwm = hwm};
    struct mt_addr bound;
    assert_int_equal(listen_on(&l, "127.0.0.1:0", &bound), 0);
    mt_conn_init(&cli.c, loop, &ops, &cli, cap, hwm);
    mt_buf_init(&cli.got, 0, 0);
    struct mt_sock_opts o = {.nodelay = true, .sndbuf = 64 << 10, .rcvbuf = 64 << 10};
    assert_int_equal(mt_conn_connect(&cli.c, &bound, NULL, &o, MT_NS_PER_S), 0);
    run_until(loop, is_connected, &cli, 2000);
    assert_int_equal(cli.connect_status, 0);
    /* stop reading on the client: remove READ interest */
    cli.c.read_paused = true;
    mt_loop_mod(loop, cli.c.fd, cli.c.events & ~MT_EV_READ);
    cli.c.events &= ~MT_EV_READ;
    uint8_t chunk[4096] = {0};
    size_t sent = 0, max_srv_out = 0;
    int refused = 0;
    for (int iter = 0; iter < 2000 && refused < 50; iter++) {
        while (mt_buf_len(&cli.c.out) + sizeof chunk <= cap) {
            assert_int_equal(mt_conn_send(&cli.c, chunk, sizeof chunk), 0);
            sent += sizeof chunk;
        }
        if (mt_conn_send(&cli.c, chunk, sizeof chunk) == MT_E_LIMIT)
            refused++;
        mt_loop_run_once(loop, 1);
        if (mt_buf_len(&srv.c.out) > max_srv_out) max_srv_out = mt_buf_len(&srv.c.out);
    }
    print_message("slow reader: client queued %zu KiB, server output peaked at %zu KiB "
                  "(cap %zu KiB), server read pauses %llu\n", sent >> 10, max_srv_out >> 10,
                  cap >> 10, (unsigned long long)mt_loop_stats(loop)->read_pauses);
    assert_true(refused > 0);
    assert_true(srv.c.read_paused);
    assert_true(max_srv_out <= cap);
    assert_true(mt_loop_stats(loop)->read_pauses > 0);
    assert_false(srv.closed_seen);
    /* resume reading: everything drains, the server resumes */
    cli.c.read_paused = false;
    mt_loop_mod(loop, cli.c.fd, cli.c.events | MT_EV_READ);
    cli.c.events |= MT_EV_READ;
    size_t total = sent;
    mt_ns end = mt_now_ns() + 10 * MT_NS_PER_S;
    while ((cli.received < total || mt_buf_len(&cli.c.out)) && mt_now_ns() < end) {
        mt_buf_consume(&cli.got, mt_buf_len(&cli.got));
        mt_loop_run_once(loop, 5);
    }
    assert_int_equal(cli.received, total);
    assert_false(srv.c.read_paused);
    (void)drained;
    mt_conn_free(&cli.c);
    mt_conn_free(&srv.c);
    mt_buf_free(&cli.got);
    mt_loop_del(loop, l.lfd);
    close(l.lfd);
    mt_loop_free(loop);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_timer_order),
        cmocka_unit_test(test_many_timers),
        cmocka_unit_test(test_addr),
        cmocka_unit_test(test_echo_v4),
        cmocka_unit_test(test_echo_v6),
        cmocka_unit_test(test_closed_port),
        cmocka_unit_test(test_connect_timeout),
        cmocka_unit_test(test_reuseport),
        cmocka_unit_test(test_before_flush_hook),
        cmocka_unit_test(test_slow_reader),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
