// Thin C++ shim over the C crypto layer for Google Benchmark: the C headers
// with C linkage, a guard that switches the dispatch tier for one benchmark
// and restores it, and the common argument sets.
#pragma once
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstring>
#include <vector>

extern "C" {
#include "core/crypto/mt_crypto.h"
}

namespace mtbench {

// Forces a tier for the lifetime of the guard; ok() is false (and the
// benchmark is marked skipped) when the CPU lacks it.
class Tier {
public:
    Tier(benchmark::State &st, mt_cpu_tier want) : prev_(mt_crypto_tier())
    {
        ok_ = mt_crypto_set_tier(want) == 0;
        if (!ok_) st.SkipWithError("tier not supported by this CPU");
    }
    ~Tier() { mt_crypto_set_tier(prev_); }
    bool ok() const { return ok_; }

private:
    mt_cpu_tier prev_;
    bool ok_ = false;
};

// Deterministic filler (benchmarks only; never for keys).
inline void fill(void *p, size_t n, uint32_t seed)
{
    auto *b = static_cast<uint8_t *>(p);
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1664525u + 1013904223u;
        b[i] = static_cast<uint8_t>(seed >> 24);
    }
}

inline void set_rates(benchmark::State &st, size_t bytes_per_iter, size_t items_per_iter)
{
    st.SetBytesProcessed(static_cast<int64_t>(st.iterations() * bytes_per_iter));
    st.SetItemsProcessed(static_cast<int64_t>(st.iterations() * items_per_iter));
}

}  // namespace mtbench
