// Session layer costs, plaintext level (no crypto): client build, server
// feed, and whole RPC / ping rounds through a client and a server session in
// memory. Names: op/impl/bytes (bytes = query body size).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <cstring>
#include <vector>

#include "core/mtproto/session.h"

namespace {

constexpr double kWall = 1700000000.0;
constexpr uint32_t kEcho = 0xdd1b02b0u;

struct Pair {
    mt_sess_client *c = nullptr;
    mt_sess_server *s = nullptr;
    std::vector<uint8_t> buf = std::vector<uint8_t>(1 << 20);
    uint64_t results = 0, pongs = 0;
    bool echo = true;
};

void on_result(void *ctx, uint64_t, uint64_t, const uint8_t *, size_t, mt_ns)
{
    static_cast<Pair *>(ctx)->results++;
}
void on_error(void *, uint64_t, uint64_t, int32_t, const char *, size_t, int32_t, mt_ns) {}
void on_event(void *ctx, const mt_sess_event *ev)
{
    if (ev->kind == MT_SESS_EV_PONG) static_cast<Pair *>(ctx)->pongs++;
}
void on_query(void *ctx, const mt_sess_query *q)
{
    auto *p = static_cast<Pair *>(ctx);
    if (p->echo) mt_sess_server_result(p->s, q->msg_id, q->body, q->len);
}

void pair_init(Pair *p, unsigned cflags)
{
    mt_sess_client_cfg cc{};
    cc.session_id = 0x5e55;
    cc.salt = 0x1111;
    cc.flags = cflags;
    mt_sess_client_cb ccb{ p, on_result, on_error, on_event, nullptr };
    p->c = mt_sess_client_new(&cc, &ccb);
    mt_sess_server_cfg sc{};
    sc.salt = 0x1111;
    mt_sess_server_cb scb{ p, on_query, nullptr, nullptr, nullptr };
    p->s = mt_sess_server_new(&sc, &scb);
}

void pair_free(Pair *p)
{
    mt_sess_client_free(p->c);
    mt_sess_server_free(p->s);
}

std::vector<uint8_t> body(size_t len)
{
    std::vector<uint8_t> b(len, 0x5a);
    uint32_t id = kEcho;
    std::memcpy(b.data(), &id, 4);
    return b;
}

// Exchange until quiet; time moves 1 us per step (the ack delay never
// expires, acks ride along with queries).
void pump(Pair *p, mt_ns *now, double *wall)
{
    for (;;) {
        *now += 1000;
        *wall += 1e-6;
        int a = mt_sess_client_build(p->c, p->buf.data(), p->buf.size(), *now, *wall, 0);
        if (a > 0) mt_sess_server_feed(p->s, p->buf.data(), (size_t)a, *now, *wall);
        int b = mt_sess_server_build(p->s, p->buf.data(), p->buf.size(), *now, *wall);
        if (b > 0) mt_sess_client_feed(p->c, p->buf.data(), (size_t)b, *now, *wall);
        if (a <= 0 && b <= 0) return;
    }
}

// Client: queue one query and build its envelope (ns per message).
void BM_client_build(benchmark::State &st)
{
    size_t len = (size_t)st.range(0);
    auto b = body(len);
    Pair p;
    pair_init(&p, 0);
    mt_ns now = 1;
    double wall = kWall;
    uint64_t n = 0, id;
    for (auto _ : st) {
        mt_sess_client_query(p.c, b.data(), len, n, now, wall, &id);
        int k = mt_sess_client_build(p.c, p.buf.data(), p.buf.size(), now, wall, 0);
        benchmark::DoNotOptimize(k);
        if (++n % 1024 == 0) {   // keep the request table at a steady size
            st.PauseTiming();
            pair_free(&p);
            pair_init(&p, 0);
            st.ResumeTiming();
        }
        wall += 1e-6;
    }
    pair_free(&p);
    st.SetItemsProcessed((int64_t)st.iterations());
}

// Server: feed one client envelope holding one query (ns per message),
// including the echo result being queued.
void BM_server_feed(benchmark::State &st)
{
    size_t len = (size_t)st.range(0);
    auto b = body(len);
    constexpr int kBatch = 1024;
    std::vector<std::vector<uint8_t>> msgs(kBatch);
    Pair p;
    pair_init(&p, 0);
    double wall = kWall;
    uint64_t id;
    for (int i = 0; i < kBatch; i++) {
        mt_sess_client_query(p.c, b.data(), len, (uint64_t)i, 1, wall, &id);
        int k = mt_sess_client_build(p.c, p.buf.data(), p.buf.size(), 1, wall, 0);
        msgs[i].assign(p.buf.begin(), p.buf.begin() + k);
        wall += 1e-6;
    }
    int i = 0;
    for (auto _ : st) {
        mt_sess_server_feed(p.s, msgs[i].data(), msgs[i].size(), 1, wall);
        if (++i == kBatch) {
            st.PauseTiming();
            mt_sess_server_free(p.s);
            mt_sess_server_cfg sc{};
            sc.salt = 0x1111;
            mt_sess_server_cb scb{ &p, on_query, nullptr, nullptr, nullptr };
            p.s = mt_sess_server_new(&sc, &scb);
            i = 0;
            st.ResumeTiming();
        } else if (i % 64 == 0) {
            mt_sess_server_build(p.s, p.buf.data(), p.buf.size(), 1, wall);   // drain answers
        }
    }
    pair_free(&p);
    st.SetItemsProcessed((int64_t)st.iterations());
}

// One RPC through both sessions: query, build, server feed + echo result,
// server build, client feed + match (ns per RPC).
void BM_rpc_round(benchmark::State &st)
{
    size_t len = (size_t)st.range(0);
    auto b = body(len);
    Pair p;
    pair_init(&p, 0);
    mt_ns now = 1;
    double wall = kWall;
    uint64_t id, n = 0;
    for (auto _ : st) {
        mt_sess_client_query(p.c, b.data(), len, n++, now, wall, &id);
        pump(&p, &now, &wall);
    }
    if (p.results != (uint64_t)st.iterations()) st.SkipWithError("lost results");
    pair_free(&p);
    st.SetItemsProcessed((int64_t)st.iterations());
}

// 16 RPCs per round: the client packs them in one container, the server
// answers in one container (ns per RPC).
void BM_rpc_round_container16(benchmark::State &st)
{
    size_t len = (size_t)st.range(0);
    auto b = body(len);
    Pair p;
    pair_init(&p, 0);
    mt_ns now = 1;
    double wall = kWall;
    uint64_t id, n = 0;
    for (auto _ : st) {
        for (int i = 0; i < 16; i++) mt_sess_client_query(p.c, b.data(), len, n++, now, wall, &id);
        pump(&p, &now, &wall);
    }
    if (p.results != 16 * (uint64_t)st.iterations()) st.SkipWithError("lost results");
    pair_free(&p);
    st.SetItemsProcessed(16 * (int64_t)st.iterations());
}

void BM_ping_round(benchmark::State &st)
{
    Pair p;
    pair_init(&p, 0);
    mt_ns now = 1;
    double wall = kWall;
    uint64_t id, n = 0;
    for (auto _ : st) {
        mt_sess_client_ping(p.c, n++, 0, now, wall, &id);
        pump(&p, &now, &wall);
    }
    if (p.pongs != (uint64_t)st.iterations()) st.SkipWithError("lost pongs");
    pair_free(&p);
    st.SetItemsProcessed((int64_t)st.iterations());
}

}  // namespace

BENCHMARK(BM_client_build)->Name("sess_build/client")->Arg(16);
BENCHMARK(BM_client_build)->Name("sess_build/client")->Arg(1024);
BENCHMARK(BM_server_feed)->Name("sess_feed/server")->Arg(16);
BENCHMARK(BM_server_feed)->Name("sess_feed/server")->Arg(1024);
BENCHMARK(BM_rpc_round)->Name("sess_rpc_round/pair")->Arg(16);
BENCHMARK(BM_rpc_round)->Name("sess_rpc_round/pair")->Arg(1024);
BENCHMARK(BM_rpc_round_container16)->Name("sess_rpc_round_container16/pair")->Arg(16);
BENCHMARK(BM_ping_round)->Name("sess_ping_round/pair");
