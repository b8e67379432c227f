// SHA-256: OpenSSL one-shot SHA256(), EVP with a pre-fetched EVP_MD and a
// reused context (the fair baseline), the SHA-NI single stream, batches of
// 16 through each kernel (AVX-512 x16, AVX2 x8, SHA-NI x2) and through the
// public scheduler (auto: what mt_sha256_batch picks at the best tier).
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "bench/crypto/shim.hpp"

extern "C" {
#include "core/crypto/crypto_impl.h"  // the kernels themselves, measured one by one
}

namespace {

void BM_sha256_evp(benchmark::State &st)
{
    std::vector<uint8_t> m(static_cast<size_t>(st.range(0)));
    mtbench::fill(m.data(), m.size(), 9);
    EVP_MD *md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    uint8_t out[32];
    unsigned outl = 0;
    for (auto _ : st) {
        EVP_DigestInit_ex2(c, md, nullptr);
        EVP_DigestUpdate(c, m.data(), m.size());
        EVP_DigestFinal_ex(c, out, &outl);
        benchmark::DoNotOptimize(out);
    }
    EVP_MD_CTX_free(c);
    EVP_MD_free(md);
    mtbench::set_rates(st, m.size(), 1);
}

void BM_sha256_oneshot(benchmark::State &st)
{
    std::vector<uint8_t> m(static_cast<size_t>(st.range(0)));
    mtbench::fill(m.data(), m.size(), 9);
    uint8_t out[32];
    for (auto _ : st) {
        SHA256(m.data(), m.size(), out);
        benchmark::DoNotOptimize(out);
    }
    mtbench::set_rates(st, m.size(), 1);
}

void BM_sha256_shani(benchmark::State &st)
{
    mtbench::Tier t(st, MT_TIER_AESNI);
    if (!t.ok()) return;
    if (!mt_cpu()->sha_ni) {
        st.SkipWithError("no SHA-NI");
        return;
    }
    std::vector<uint8_t> m(static_cast<size_t>(st.range(0)));
    mtbench::fill(m.data(), m.size(), 9);
    uint8_t out[32];
    for (auto _ : st) {
        mt_sha256(m.data(), m.size(), out);
        benchmark::DoNotOptimize(out);
    }
    mtbench::set_rates(st, m.size(), 1);
}

// 16 messages, each two parts (16-byte prefix + rest) as the MTProto KDF
// and msg_key hash them: through one kernel directly (Kernel, Width lanes
// per call), or through the public scheduler (Kernel null).
template <int Which>
void BM_sha256_batch16(benchmark::State &st)
{
    const mt_cpu_features *f = mt_cpu();
    mt_sha256_mb_fn kernel = nullptr;
    size_t width = 16;
    if (Which == 1 && f->avx512f && f->avx512bw && f->avx512vl) kernel = mt_sha256_x16_avx512;
    if (Which == 2 && f->avx2) { kernel = mt_sha256_x8_avx2; width = 8; }
    if (Which == 3 && f->sha_ni) { kernel = mt_sha256_x2_shani; width = 2; }
    if (Which != 0 && !kernel) {
        st.SkipWithError("CPU lacks this kernel");
        return;
    }
    size_t len = static_cast<size_t>(st.range(0));
    std::vector<uint8_t> m(16 * len), out(16 * 32);
    mtbench::fill(m.data(), m.size(), 5);
    mt_sha256_job jobs[16];
    for (size_t i = 0; i < 16; i++) {
        jobs[i] = {};
        jobs[i].part[0] = {&m[i * len], 16};
        jobs[i].part[1] = {&m[i * len + 16], len - 16};
        jobs[i].out = &out[i * 32];
    }
    for (auto _ : st) {
        if (kernel) {
            for (size_t i = 0; i < 16; i += width) kernel(jobs + i, width);
        } else {
            mt_sha256_batch(jobs, 16);
        }
        benchmark::DoNotOptimize(out.data());
    }
    mtbench::set_rates(st, 16 * len, 16);
}

}  // namespace

BENCHMARK(BM_sha256_evp)->Name("sha256/openssl_evp")->Arg(52)->Arg(128)->Arg(1024);
BENCHMARK(BM_sha256_oneshot)->Name("sha256/oneshot")->Arg(52);
BENCHMARK(BM_sha256_shani)->Name("sha256/shani")->Arg(52)->Arg(128)->Arg(1024);
BENCHMARK(BM_sha256_batch16<1>)->Name("sha256_batch16/avx512")->Arg(52)->Arg(128)->Arg(1024);
BENCHMARK(BM_sha256_batch16<2>)->Name("sha256_batch16/avx2")->Arg(52)->Arg(128)->Arg(1024);
BENCHMARK(BM_sha256_batch16<3>)->Name("sha256_batch16/shani2")->Arg(52)->Arg(128)->Arg(1024);
BENCHMARK(BM_sha256_batch16<0>)->Name("sha256_batch16/auto")->Arg(52)->Arg(128)->Arg(1024);
