// AES-256-IGE: OpenSSL's AES_ige_encrypt (the reference), EVP AES-256-CBC
// (the single-stream serial bound), the AES-NI single stream and the batch
// kernels (AES-NI xmm x8, VAES ymm x16, VAES zmm x32).
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <openssl/aes.h>
#include <openssl/evp.h>

#include "bench/crypto/shim.hpp"

namespace {

struct Buf {
    explicit Buf(size_t n) : in(n), out(n) { mtbench::fill(in.data(), n, 7); }
    std::vector<uint8_t> in, out;
    uint8_t key[32] = {1, 2, 3}, iv[32] = {4, 5, 6};
};

void ige_openssl(benchmark::State &st, int enc)
{
    Buf b(static_cast<size_t>(st.range(0)));
    for (auto _ : st) {
        AES_KEY k;  // key setup per message, as MTProto derives a key per message
        if (enc) AES_set_encrypt_key(b.key, 256, &k);
        else AES_set_decrypt_key(b.key, 256, &k);
        AES_ige_encrypt(b.in.data(), b.out.data(), b.in.size(), &k, b.iv, enc ? AES_ENCRYPT : AES_DECRYPT);
        benchmark::DoNotOptimize(b.out.data());
    }
    mtbench::set_rates(st, b.in.size(), 1);
}
void BM_ige_encrypt_openssl(benchmark::State &st) { ige_openssl(st, 1); }
void BM_ige_decrypt_openssl(benchmark::State &st) { ige_openssl(st, 0); }

// EVP AES-256-CBC encrypt, key set once: the same serial dependency as IGE.
void BM_cbc_encrypt_openssl(benchmark::State &st)
{
    Buf b(static_cast<size_t>(st.range(0)));
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    EVP_EncryptInit_ex(c, EVP_aes_256_cbc(), nullptr, b.key, b.iv);
    EVP_CIPHER_CTX_set_padding(c, 0);
    for (auto _ : st) {
        int outl = 0;
        EVP_EncryptUpdate(c, b.out.data(), &outl, b.in.data(), static_cast<int>(b.in.size()));
        benchmark::DoNotOptimize(b.out.data());
    }
    EVP_CIPHER_CTX_free(c);
    mtbench::set_rates(st, b.in.size(), 1);
}

void ige_single(benchmark::State &st, int enc)
{
    mtbench::Tier t(st, MT_TIER_AESNI);
    if (!t.ok()) return;
    Buf b(static_cast<size_t>(st.range(0)));
    for (auto _ : st) {
        if (enc) mt_ige256_encrypt(b.key, b.iv, b.in.data(), b.out.data(), b.in.size());
        else mt_ige256_decrypt(b.key, b.iv, b.in.data(), b.out.data(), b.in.size());
        benchmark::DoNotOptimize(b.out.data());
    }
    mtbench::set_rates(st, b.in.size(), 1);
}
void BM_ige_encrypt_aesni(benchmark::State &st) { ige_single(st, 1); }
void BM_ige_decrypt_aesni(benchmark::State &st) { ige_single(st, 0); }

// n messages of `len` bytes, each with its own key and IV, in one call.
template <size_t N, mt_cpu_tier T, int Enc>
void BM_ige_batch(benchmark::State &st)
{
    mtbench::Tier t(st, T);
    if (!t.ok()) return;
    size_t len = static_cast<size_t>(st.range(0));
    std::vector<uint8_t> data(N * len), keys(N * 32), ivs(N * 32);
    mtbench::fill(data.data(), data.size(), 1);
    mtbench::fill(keys.data(), keys.size(), 2);
    mtbench::fill(ivs.data(), ivs.size(), 3);
    mt_ige_job jobs[N];
    for (size_t i = 0; i < N; i++)
        jobs[i] = {&keys[i * 32], &ivs[i * 32], &data[i * len], &data[i * len], len};
    for (auto _ : st) {
        if (Enc) mt_ige256_encrypt_batch(jobs, N);
        else mt_ige256_decrypt_batch(jobs, N);
        benchmark::DoNotOptimize(data.data());
    }
    mtbench::set_rates(st, N * len, N);
}

}  // namespace

BENCHMARK(BM_ige_encrypt_openssl)->Name("ige_encrypt/openssl")->Arg(64)->Arg(1024)->Arg(16384);
BENCHMARK(BM_ige_decrypt_openssl)->Name("ige_decrypt/openssl")->Arg(64)->Arg(1024)->Arg(16384);
BENCHMARK(BM_cbc_encrypt_openssl)->Name("cbc_encrypt/openssl")->Arg(1024);
BENCHMARK(BM_ige_encrypt_aesni)->Name("ige_encrypt/aesni")->Arg(64)->Arg(1024)->Arg(16384);
BENCHMARK(BM_ige_decrypt_aesni)->Name("ige_decrypt/aesni")->Arg(64)->Arg(1024)->Arg(16384);

#define MT_IGE_BATCH(n, impl, tier)                                                        \
    BENCHMARK(BM_ige_batch<n, tier, 1>)->Name("ige_encrypt_batch" #n "/" impl)->Arg(64)->Arg(1024); \
    BENCHMARK(BM_ige_batch<n, tier, 0>)->Name("ige_decrypt_batch" #n "/" impl)->Arg(64)->Arg(1024)
MT_IGE_BATCH(8, "aesni", MT_TIER_AESNI);
MT_IGE_BATCH(16, "aesni", MT_TIER_AESNI);
MT_IGE_BATCH(32, "aesni", MT_TIER_AESNI);
MT_IGE_BATCH(8, "vaes256", MT_TIER_AVX2);
MT_IGE_BATCH(16, "vaes256", MT_TIER_AVX2);
MT_IGE_BATCH(32, "vaes256", MT_TIER_AVX2);
MT_IGE_BATCH(8, "vaes512", MT_TIER_AVX512);
MT_IGE_BATCH(16, "vaes512", MT_TIER_AVX512);
MT_IGE_BATCH(32, "vaes512", MT_TIER_AVX512);
