// The per-thread CSPRNG: mt_rng_bytes at the sizes the message layer draws
// (a batch's padding is 200-450 bytes in one call; 4-byte uniform() draws),
// on the best tier and on the OpenSSL tier, against OpenSSL's RAND_bytes
// (its own per-thread DRBG: the baseline any rng here has to beat). The
// keystream kernel behind the rng (the table's ctr_stream, which includes
// the AES-256 key expansion of every refill) per tier as well.
#include <openssl/rand.h>

#include "bench/crypto/shim.hpp"

extern "C" {
#include "core/crypto/crypto_impl.h"  // the ctr_stream kernel of the table
}

namespace {

void rng_bytes(benchmark::State &st, mt_cpu_tier tier)
{
    mtbench::Tier t(st, tier);
    if (!t.ok()) return;
    size_t n = static_cast<size_t>(st.range(0));
    std::vector<uint8_t> out(n);
    mt_rng rng;
    if (mt_rng_init(&rng) != 0) {
        st.SkipWithError("mt_rng_init failed");
        return;
    }
    for (auto _ : st) {
        mt_rng_bytes(&rng, out.data(), n);
        benchmark::DoNotOptimize(out.data());
    }
    mt_rng_free(&rng);
    mtbench::set_rates(st, n, 1);
    st.SetLabel(mt_crypto_tier_name(mt_crypto_tier()));
}
void BM_rng_bytes_best(benchmark::State &st) { rng_bytes(st, mt_crypto_max_tier()); }
void BM_rng_bytes_portable(benchmark::State &st) { rng_bytes(st, MT_TIER_PORTABLE); }

// uniform() with a bound that never rejects in practice: one 4-byte draw.
void BM_rng_uniform_best(benchmark::State &st)
{
    mtbench::Tier t(st, mt_crypto_max_tier());
    if (!t.ok()) return;
    mt_rng rng;
    if (mt_rng_init(&rng) != 0) {
        st.SkipWithError("mt_rng_init failed");
        return;
    }
    uint32_t acc = 0;
    for (auto _ : st) {
        acc += mt_rng_uniform(&rng, 64);
        benchmark::DoNotOptimize(acc);
    }
    mt_rng_free(&rng);
    mtbench::set_rates(st, 4, 1);
    st.SetLabel(mt_crypto_tier_name(mt_crypto_tier()));
}

void BM_rng_bytes_openssl(benchmark::State &st)
{
    size_t n = static_cast<size_t>(st.range(0));
    std::vector<uint8_t> out(n);
    for (auto _ : st) {
        if (RAND_bytes(out.data(), static_cast<int>(n)) != 1) {
            st.SkipWithError("RAND_bytes failed");
            break;
        }
        benchmark::DoNotOptimize(out.data());
    }
    mtbench::set_rates(st, n, 1);
}

// One refill's worth of keystream under a fresh key, as the rng calls it.
template <mt_cpu_tier T>
void BM_ctr_stream(benchmark::State &st)
{
    mtbench::Tier t(st, T);
    if (!t.ok()) return;
    size_t n = static_cast<size_t>(st.range(0));
    std::vector<uint8_t> out(n);
    uint8_t key[32], ctr[16];
    mtbench::fill(key, sizeof key, 5);
    mtbench::fill(ctr, sizeof ctr, 6);
    mt_ctr_stream_fn fn = mt_crypto_active.ctr_stream;
    for (auto _ : st) {
        fn(key, ctr, out.data(), n);
        benchmark::DoNotOptimize(out.data());
    }
    mtbench::set_rates(st, n, 1);
}

}  // namespace

BENCHMARK(BM_rng_bytes_best)->Name("rng_bytes/best")->Arg(16)->Arg(64)->Arg(256)->Arg(448)->Arg(1024);
BENCHMARK(BM_rng_bytes_portable)->Name("rng_bytes/portable")->Arg(16)->Arg(256)->Arg(1024);
BENCHMARK(BM_rng_bytes_openssl)->Name("rng_bytes/openssl_rand")->Arg(16)->Arg(256)->Arg(1024);
BENCHMARK(BM_rng_uniform_best)->Name("rng_uniform/best")->Arg(4);
BENCHMARK(BM_ctr_stream<MT_TIER_PORTABLE>)->Name("ctr_stream/portable")->Arg(256)->Arg(2048);
BENCHMARK(BM_ctr_stream<MT_TIER_AESNI>)->Name("ctr_stream/aesni")->Arg(256)->Arg(2048);
BENCHMARK(BM_ctr_stream<MT_TIER_AVX512>)->Name("ctr_stream/avx512")->Arg(256)->Arg(2048);
