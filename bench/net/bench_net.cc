// Echo over loopback, two threads (server, client = the benchmark thread):
//   echo/loop/<bytes>:  mt_loop on both ends; the client queues `depth`
//                       messages per connection and the loop writes each
//                       connection's queue once per iteration (writev); the
//                       server echoes everything it read in one write.
//   echo/plain/<bytes>: a plain epoll echo: the server write()s back each
//                       read, the client write()s each message on its own.
//   echo/plain-batched: the same, but the client writes a connection's
//                       `depth` messages in one write() (the ideal the loop's
//                       batching aims at, without any buffer management).
// Both use the same connection count, depth and message size; one iteration
// = every connection sends `depth` messages and receives all the echoes.
// items_per_second = messages echoed per second.
#include <benchmark/benchmark.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <thread>
#include <vector>

#include <poll.h>
#include <sys/epoll.h>
#include <unistd.h>

extern "C" {
#include "core/net/mt_net.h"
}

namespace {

constexpr int kConns = 8;
constexpr int kDepth = 32;

// ---- server on mt_loop --------------------------------------------------
struct LoopServer {
    mt_loop *loop = nullptr;
    int lfd = -1;
    mt_addr addr{};
    std::vector<mt_conn *> conns;
    std::thread th;
};

void srv_readable(mt_conn *c)
{
    uint8_t buf[65536];
    size_t n;
    int rc;
    while ((rc = mt_conn_read(c, buf, sizeof buf, &n)) == MT_NET_OK)
        if (mt_conn_send(c, buf, n) != 0) break;
    if (rc == MT_NET_CLOSED || rc == MT_NET_ERROR) mt_conn_close(c);
}
void srv_close(mt_conn *, int) {}
const mt_conn_ops srv_ops = {nullptr, srv_readable, srv_close, nullptr};

void srv_accept(mt_loop *, int fd, unsigned, void *ud)
{
    auto *s = static_cast<LoopServer *>(ud);
    int nfd;
    mt_sock_opts o{};
    o.nodelay = true;
    while (mt_net_accept(fd, &o, &nfd, nullptr) == MT_NET_OK) {
        auto *c = new mt_conn;
        mt_conn_init(c, s->loop, &srv_ops, s, 8u << 20, 0);
        mt_conn_attach(c, nfd);
        s->conns.push_back(c);
    }
}

void loop_server_start(LoopServer *s)
{
    s->loop = mt_loop_new(0);
    mt_addr a;
    mt_addr_parse("127.0.0.1:0", &a);
    s->lfd = mt_net_listen(&a, 128, true);
    mt_net_local_addr(s->lfd, &s->addr);
    mt_loop_add(s->loop, s->lfd, MT_EV_READ, srv_accept, s);
    s->th = std::thread([s] { mt_loop_run(s->loop); });
}

void loop_server_stop(LoopServer *s)
{
    mt_loop_stop(s->loop);
    s->th.join();
    for (mt_conn *c : s->conns) {
        mt_conn_free(c);
        delete c;
    }
    close(s->lfd);
    mt_loop_free(s->loop);
}

// ---- client on mt_loop ----------------------------------------------------
struct LoopClient {
    mt_conn c;
    size_t received = 0;
    bool up = false;
};
void cli_connect(mt_conn *c, int status) { static_cast<LoopClient *>(c->ud)->up = status == 0; }
void cli_readable(mt_conn *c)
{
    auto *lc = static_cast<LoopClient *>(c->ud);
    uint8_t buf[65536];
    size_t n;
    while (mt_conn_read(c, buf, sizeof buf, &n) == MT_NET_OK) lc->received += n;
}
const mt_conn_ops cli_ops = {cli_connect, cli_readable, srv_close, nullptr};

void BM_echo_loop(benchmark::State &st)
{
    size_t msg = static_cast<size_t>(st.range(0));
    LoopServer srv;
    loop_server_start(&srv);
    mt_loop *loop = mt_loop_new(0);
    std::vector<LoopClient> cli(kConns);
    mt_sock_opts o{};
    o.nodelay = true;
    for (auto &lc : cli) {
        mt_conn_init(&lc.c, loop, &cli_ops, &lc, 8u << 20, 0);
        mt_conn_connect(&lc.c, &srv.addr, nullptr, &o, MT_NS_PER_S);
    }
    for (int i = 0; i < 1000; i++) {
        bool all = true;
        for (auto &lc : cli) all = all && lc.up;
        if (all) break;
        mt_loop_run_once(loop, 10);
    }
    std::vector<uint8_t> m(msg, 0x42);
    size_t want = 0;
    uint64_t writevs0 = mt_loop_stats(loop)->writev_calls;
    for (auto _ : st) {
        for (auto &lc : cli)
            for (int d = 0; d < kDepth; d++) mt_conn_send(&lc.c, m.data(), msg);
        want += msg * kDepth;
        for (;;) {
            bool done = true;
            for (auto &lc : cli) done = done && lc.received >= want;
            if (done) break;
            mt_loop_run_once(loop, 100);
        }
    }
    uint64_t writevs = mt_loop_stats(loop)->writev_calls - writevs0;
    st.SetItemsProcessed(static_cast<int64_t>(st.iterations()) * kConns * kDepth);
    st.counters["msgs_per_writev"] =
        writevs ? static_cast<double>(st.iterations()) * kConns * kDepth / static_cast<double>(writevs) : 0;
    for (auto &lc : cli) mt_conn_free(&lc.c);
    mt_loop_free(loop);
    loop_server_stop(&srv);
}

// ---- plain epoll echo -----------------------------------------------------
void write_all(int fd, const uint8_t *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w > 0) {
            p += w;
            n -= static_cast<size_t>(w);
        } else if (w < 0 && errno != EAGAIN && errno != EINTR) {
            return;
        }
    }
}

struct PlainServer {
    int lfd = -1, ep = -1;
    mt_addr addr{};
    std::atomic<bool> stop{false};
    std::thread th;
};

void plain_server_run(PlainServer *s)
{
    epoll_event evs[64];
    uint8_t buf[65536];
    while (!s->stop.load()) {
        int n = epoll_wait(s->ep, evs, 64, 20);
        for (int i = 0; i < n; i++) {
            int fd = evs[i].data.fd;
            if (fd == s->lfd) {
                int c;
                mt_sock_opts o{};
                o.nodelay = true;
                while (mt_net_accept(s->lfd, &o, &c, nullptr) == MT_NET_OK) {
                    epoll_event ev{};
                    ev.events = EPOLLIN;
                    ev.data.fd = c;
                    epoll_ctl(s->ep, EPOLL_CTL_ADD, c, &ev);
                }
                continue;
            }
            ssize_t r = read(fd, buf, sizeof buf);
            if (r > 0)
                write_all(fd, buf, static_cast<size_t>(r));
            else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
                epoll_ctl(s->ep, EPOLL_CTL_DEL, fd, nullptr);
                close(fd);
            }
        }
    }
}

void BM_echo_plain(benchmark::State &st, bool batched)
{
    size_t msg = static_cast<size_t>(st.range(0));
    PlainServer srv;
    mt_addr a;
    mt_addr_parse("127.0.0.1:0", &a);
    srv.lfd = mt_net_listen(&a, 128, false);
    mt_net_local_addr(srv.lfd, &srv.addr);
    srv.ep = epoll_create1(0);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = srv.lfd;
    epoll_ctl(srv.ep, EPOLL_CTL_ADD, srv.lfd, &ev);
    srv.th = std::thread(plain_server_run, &srv);

    int ep = epoll_create1(0);
    std::vector<int> fds(kConns);
    std::vector<size_t> got(kConns, 0);
    mt_sock_opts o{};
    o.nodelay = true;
    for (int i = 0; i < kConns; i++) {
        if (mt_net_connect(&srv.addr, nullptr, &o, &fds[i]) == MT_NET_AGAIN) {
            pollfd p{fds[i], POLLOUT, 0};
            poll(&p, 1, 1000);
        }
        epoll_event e{};
        e.events = EPOLLIN;
        e.data.u32 = static_cast<uint32_t>(i);
        epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &e);
    }
    std::vector<uint8_t> m(msg, 0x42), buf(65536), batch(msg * kDepth, 0x42);
    size_t want = 0;
    epoll_event evs[64];
    for (auto _ : st) {
        for (int i = 0; i < kConns; i++) {
            if (batched)
                write_all(fds[i], batch.data(), batch.size());
            else
                for (int d = 0; d < kDepth; d++) write_all(fds[i], m.data(), msg);
        }
        want += msg * kDepth;
        for (;;) {
            bool done = true;
            for (int i = 0; i < kConns; i++) done = done && got[i] >= want;
            if (done) break;
            int n = epoll_wait(ep, evs, 64, 100);
            for (int k = 0; k < n; k++) {
                uint32_t i = evs[k].data.u32;
                ssize_t r;
                while ((r = read(fds[i], buf.data(), buf.size())) > 0) got[i] += static_cast<size_t>(r);
            }
        }
    }
    st.SetItemsProcessed(static_cast<int64_t>(st.iterations()) * kConns * kDepth);
    for (int fd : fds) close(fd);
    close(ep);
    srv.stop.store(true);
    srv.th.join();
    close(srv.lfd);
    close(srv.ep);
}

BENCHMARK(BM_echo_loop)->Name("echo/loop")->Arg(64)->Arg(1024)->UseRealTime();
BENCHMARK_CAPTURE(BM_echo_plain, per_msg, false)->Name("echo/plain")->Arg(64)->Arg(1024)->UseRealTime();
BENCHMARK_CAPTURE(BM_echo_plain, batched, true)->Name("echo/plain-batched")->Arg(64)->Arg(1024)->UseRealTime();

}  // namespace
