/* As many loopback connections as RLIMIT_NOFILE allows (target 100k), held
 * open at once between a server thread and a client thread of this process,
 * each echoing one message; outgoing connections spread over a source-address
 * pool (127.0.0.2-127.0.0.200, IP_BIND_ADDRESS_NO_PORT). The limit met is
 * printed. Also mt_loop_stop() from another thread. MT_NET_TEST_CONNS caps
 * the count (e.g. for slow sanitizer runs). */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>
#include "harness/unit/common/mt_test.h"
#include "core/net/mt_net.h"

#define TARGET 100000
#define MSG 16
#define IN_FLIGHT 512

struct side;
struct econn { struct mt_conn c; struct side *s; uint32_t idx; uint8_t got; bool open; };
struct side {
    struct mt_loop *loop;
    struct econn *conns;
    size_t n, target;
    atomic_size_t opened, echoed, failed;
    size_t connecting, next;
    int lfd;
    struct mt_addr dst;
    struct mt_src_pool pool;
    atomic_bool *peer_done;
};

static void srv_readable(struct mt_conn *c)
{
    uint8_t buf[256];
    size_t n;
    int rc;
    while ((rc = mt_conn_read(c, buf, sizeof buf, &n)) == MT_NET_OK)
        mt_conn_send(c, buf, n);
    if (rc != MT_NET_AGAIN) {
        struct econn *e = c->ud;
        e->open = false;
        mt_conn_close(c);
    }
}

static void cli_connect(struct mt_conn *c, int status);
static void cli_readable(struct mt_conn *c);
static void any_close(struct mt_conn *c, int reason)
{
    (void)reason;
    struct econn *e = c->ud;
    e->open = false;
    atomic_fetch_add(&e->s->failed, 1);
}
static const struct mt_conn_ops srv_ops = {NULL, srv_readable, any_close, NULL};
static const struct mt_conn_ops cli_ops = {cli_connect, cli_readable, any_close, NULL};

static void srv_accept(struct mt_loop *loop, int fd, unsigned ev, void *ud)
{
    struct side *s = ud;
    int nfd;
    (void)loop; (void)ev;
    struct mt_sock_opts o = {.nodelay = true};
    while (s->n < s->target && mt_net_accept(fd, &o, &nfd, NULL) == MT_NET_OK) {
        struct econn *e = &s->conns[s->n++];
        e->s = s;
        mt_conn_init(&e->c, s->loop, &srv_ops, e, 4096, 0);
        if (mt_conn_attach(&e->c, nfd) == 0) {
            e->open = true;
            atomic_fetch_add(&s->opened, 1);
        }
    }
}

static void cli_start_more(struct side *s)
{
    struct mt_sock_opts o = {.nodelay = true};
    while (s->next < s->target && s->connecting < IN_FLIGHT) {
        struct econn *e = &s->conns[s->next];
        e->s = s;
        e->idx = (uint32_t)s->next++;
        mt_conn_init(&e->c, s->loop, &cli_ops, e, 4096, 0);
        int rc = mt_conn_connect(&e->c, &s->dst, mt_src_pool_next(&s->pool), &o, 10 * MT_NS_PER_S);
        if (rc) {
            atomic_fetch_add(&s->failed, 1);
            continue;
        }
        s->connecting++;
    }
}

static void cli_connect(struct mt_conn *c, int status)
{
    struct econn *e = c->ud;
    e->s->connecting--;
    if (status) {
        atomic_fetch_add(&e->s->failed, 1);
        return;
    }
    e->open = true;
    atomic_fetch_add(&e->s->opened, 1);
    uint8_t msg[MSG];
    memset(msg, 0, sizeof msg);
    mt_store_le32(msg, e->idx);
    mt_conn_send(c, msg, sizeof msg);
}

static void cli_readable(struct mt_conn *c)
{
    struct econn *e = c->ud;
    uint8_t buf[MSG];
    size_t n;
    int rc;
    while ((rc = mt_conn_read(c, buf, (size_t)(MSG - e->got), &n)) == MT_NET_OK) {
        if (e->got == 0 && n >= 4)
            assert_int_equal(mt_load_le32(buf), e->idx);
        e->got = (uint8_t)(e->got + n);
        if (e->got == MSG) {
            atomic_fetch_add(&e->s->echoed, 1);
            return;
        }
    }
    if (rc != MT_NET_AGAIN) {
        e->open = false;
        mt_conn_close(c);
    }
}

static void *server_main(void *arg)
{
    struct side *s = arg;
    while (!mt_loop_stopping(s->loop))
        mt_loop_run_once(s->loop, 50);
    return NULL;
}

static void *client_main(void *arg)
{
    struct side *s = arg;
    while (!mt_loop_stopping(s->loop)) {
        cli_start_more(s);
        mt_loop_run_once(s->loop, 5);
    }
    return NULL;
}

static size_t env_cap(void)
{
    const char *v = getenv("MT_NET_TEST_CONNS");
    return v ? (size_t)strtoul(v, NULL, 10) : TARGET;
}

static void test_many_connections(void **state)
{
    (void)state;
    size_t limit;
    int rc = mt_net_raise_nofile(2 * TARGET + 64, &limit);
    size_t target = limit > 200 ? (limit - 200) / 2 : 0;   /* both ends live here */
    if (target > env_cap()) target = env_cap();
    if (target > TARGET) target = TARGET;
    print_message("RLIMIT_NOFILE: %zu descriptors (%s 2 x %d needed for the 100k target): "
                  "holding %zu connections in one process\n",
                  limit, rc == 0 ? "enough for" : "below the", TARGET, target);
    assert_true(target > 0);

    static struct side srv, cli;
    memset(&srv, 0, sizeof srv);
    memset(&cli, 0, sizeof cli);
    srv.target = cli.target = target;
    srv.conns = calloc(target, sizeof *srv.conns);
    cli.conns = calloc(target, sizeof *cli.conns);
    srv.loop = mt_loop_new(limit);
    cli.loop = mt_loop_new(limit);
    assert_non_null(srv.loop);
    assert_non_null(cli.loop);
    struct mt_addr a;
    assert_int_equal(mt_addr_parse("127.0.0.1:0", &a), 0);
    srv.lfd = mt_net_listen(&a, 4096, true);
    assert_true(srv.lfd >= 0);
    assert_int_equal(mt_net_local_addr(srv.lfd, &cli.dst), 0);
    assert_int_equal(mt_loop_add(srv.loop, srv.lfd, MT_EV_READ, srv_accept, &srv), 0);
    assert_int_equal(mt_src_pool_init(&cli.pool, "127.0.0.2-127.0.0.200"), 0);

    pthread_t ts, tc;
    mt_ns t0 = mt_now_ns();
    pthread_create(&ts, NULL, server_main, &srv);
    pthread_create(&tc, NULL, client_main, &cli);
    mt_ns deadline = t0 + 25 * MT_NS_PER_S;
    while (mt_now_ns() < deadline &&
           atomic_load(&cli.echoed) + atomic_load(&cli.failed) < target)
        usleep(20000);
    mt_ns t1 = mt_now_ns();
    size_t echoed = atomic_load(&cli.echoed), failed = atomic_load(&cli.failed);
    size_t srv_open = atomic_load(&srv.opened);
    /* everything is still open at this point: both loops stop from here */
    mt_loop_stop(cli.loop);
    mt_loop_stop(srv.loop);
    pthread_join(tc, NULL);
    pthread_join(ts, NULL);
    size_t still_open = 0;
    for (size_t i = 0; i < target; i++) still_open += cli.conns[i].open && srv.conns[i].open;
    print_message("connections: %zu echoed, %zu failed, %zu accepted, %zu pairs open at "
                  "once, in %.2f s\n", echoed, failed, srv_open, still_open,
                  (double)(t1 - t0) / 1e9);
    assert_int_equal(failed, 0);
    assert_int_equal(echoed, target);
    assert_int_equal(srv_open, target);
    assert_int_equal(still_open, target);
    for (size_t i = 0; i < target; i++) {
        mt_conn_free(&cli.conns[i].c);
        mt_conn_free(&srv.conns[i].c);
    }
    close(srv.lfd);
    mt_loop_free(srv.loop);
    mt_loop_free(cli.loop);
    mt_src_pool_free(&cli.pool);
    free(srv.conns);
    free(cli.conns);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_many_connections),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
