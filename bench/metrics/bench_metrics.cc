// core/metrics costs. Names are op/impl/bytes (bytes 0 where meaningless):
//   hist_record/mt/0       one mt_hist_record (ns per value = 1e9 / items/s)
//   worker_record/mt/0     mt_metrics_record through a worker's op slot
//   hist_add/mt/<counts>   exact merge of two default-layout histograms
//   hist_encode/mt/0       compressed V2 + base64 of a histogram with 100k values
//   hist_decode/mt/0       the reverse
//   snapshot_cycle/mt/0    one publish + one collect (1 worker, 2 ops)
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "core/metrics/mt_metrics.h"

namespace {

// log-spread latencies 10 us .. 10 ms, precomputed so the loop measures recording
std::vector<int64_t> latencies(size_t n)
{
    std::vector<int64_t> v(n);
    uint64_t s = 88172645463325252ull;
    for (auto &x : v) {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        x = static_cast<int64_t>(10000u << (s % 10)) + static_cast<int64_t>(s % 10000u);
    }
    return v;
}

void BM_hist_record(benchmark::State &st)
{
    mt_hist h;
    mt_hist_init_default(&h);
    auto v = latencies(4096);
    size_t i = 0;
    for (auto _ : st) {
        mt_hist_record(&h, v[i++ & 4095]);
    }
    benchmark::DoNotOptimize(h.total_count);
    st.SetItemsProcessed(st.iterations());
    mt_hist_free(&h);
}

void BM_worker_record(benchmark::State &st)
{
    mt_metrics_worker *w = mt_metrics_worker_new(0, 0, 0);
    int op = mt_metrics_op(w, "ping");
    auto v = latencies(4096);
    size_t i = 0;
    for (auto _ : st) {
        mt_metrics_record(w, op, v[i++ & 4095]);
    }
    benchmark::DoNotOptimize(w->cur->op[op].hist.total_count);
    st.SetItemsProcessed(st.iterations());
    mt_metrics_worker_free(w);
}

void BM_hist_add(benchmark::State &st)
{
    mt_hist a, b;
    mt_hist_init_default(&a);
    mt_hist_init_default(&b);
    for (int64_t x : latencies(100000))
        mt_hist_record(&b, x);
    for (auto _ : st) {
        mt_hist_add(&a, &b);
        benchmark::ClobberMemory();
    }
    st.SetItemsProcessed(st.iterations());
    st.SetBytesProcessed(st.iterations() * b.counts_len * static_cast<int64_t>(sizeof(int64_t)));
    st.counters["counts"] = b.counts_len;
    mt_hist_free(&a);
    mt_hist_free(&b);
}

void BM_hist_encode(benchmark::State &st)
{
    mt_hist h;
    mt_hist_init_default(&h);
    for (int64_t x : latencies(100000))
        mt_hist_record(&h, x);
    size_t len = 0;
    for (auto _ : st) {
        char *s = mt_hist_to_base64(&h);
        len = std::strlen(s);
        std::free(s);
    }
    st.SetItemsProcessed(st.iterations());
    st.counters["base64_bytes"] = static_cast<double>(len);
    mt_hist_free(&h);
}

void BM_hist_decode(benchmark::State &st)
{
    mt_hist h;
    mt_hist_init_default(&h);
    for (int64_t x : latencies(100000))
        mt_hist_record(&h, x);
    char *s = mt_hist_to_base64(&h);
    size_t n = std::strlen(s);
    for (auto _ : st) {
        mt_hist d;
        if (mt_hist_from_base64(&d, s, n) != 0)
            st.SkipWithError("decode failed");
        mt_hist_free(&d);
    }
    st.SetItemsProcessed(st.iterations());
    std::free(s);
    mt_hist_free(&h);
}

void BM_snapshot_cycle(benchmark::State &st)
{
    mt_metrics_worker *w = mt_metrics_worker_new(0, 0, 0);
    int ping = mt_metrics_op(w, "ping"), echo = mt_metrics_op(w, "echo");
    mt_metrics_reporter *rep = mt_metrics_reporter_new(&w, 1, 0, 0);
    mt_ns t = 1;
    for (auto _ : st) {
        for (int i = 0; i < 100; i++) {
            mt_metrics_record(w, ping, 20000 + i);
            mt_metrics_record(w, echo, 40000 + i);
        }
        mt_metrics_worker_publish(w, t++);
        mt_metrics_collect(rep, t++);
    }
    st.SetItemsProcessed(st.iterations());
    mt_metrics_reporter_free(rep);
    mt_metrics_worker_free(w);
}

}  // namespace

BENCHMARK(BM_hist_record)->Name("hist_record/mt/0");
BENCHMARK(BM_worker_record)->Name("worker_record/mt/0");
BENCHMARK(BM_hist_add)->Name("hist_add/mt/0");
BENCHMARK(BM_hist_encode)->Name("hist_encode/mt/0");
BENCHMARK(BM_hist_decode)->Name("hist_decode/mt/0");
BENCHMARK(BM_snapshot_cycle)->Name("snapshot_cycle/mt/0");
