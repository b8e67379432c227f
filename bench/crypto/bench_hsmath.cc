// Handshake mathematics: DH modexp with the published prime (2048-bit and
// 256-bit exponents), RSA_PAD encrypt (public op) and decrypt (private op,
// CRT) with a 2048-bit key, and pq factorization of 63-bit products with
// Pollard-Brent against the plain rho baseline. All OpenSSL BIGNUM except pq.
#include "bench/crypto/shim.hpp"

namespace {

void BM_dh_modexp(benchmark::State &st)
{
    size_t elen = static_cast<size_t>(st.range(0)) / 8;
    uint8_t base[256], exp[256], out[256];
    mtbench::fill(exp, elen, 3);
    mt_dh_modexp_g(3, exp, 256, mt_dh_prime_2048, 256, base);   // a realistic g_a
    for (auto _ : st) {
        mt_dh_modexp(base, 256, exp, elen, mt_dh_prime_2048, 256, out);
        benchmark::DoNotOptimize(out);
    }
    mtbench::set_rates(st, 0, 1);
}

mt_rsa *bench_key()
{
    static mt_rsa *k = mt_rsa_generate(2048, nullptr, 0);
    return k;
}

void BM_rsa_pad_encrypt(benchmark::State &st)
{
    mt_rsa *k = bench_key();
    mt_rng rng;
    mt_rng_init(&rng);
    uint8_t data[144], out[256];
    mtbench::fill(data, sizeof data, 1);
    for (auto _ : st) {
        mt_rsa_pad_encrypt(k, data, 96, &rng, out);   // p_q_inner_data_dc size
        benchmark::DoNotOptimize(out);
    }
    mt_rng_free(&rng);
    mtbench::set_rates(st, 0, 1);
}

void BM_rsa_pad_decrypt(benchmark::State &st)
{
    mt_rsa *k = bench_key();
    mt_rng rng;
    mt_rng_init(&rng);
    uint8_t data[144], in[256], out[192];
    size_t len = 0;
    mtbench::fill(data, sizeof data, 1);
    mt_rsa_pad_encrypt(k, data, 96, &rng, in);
    for (auto _ : st) {
        if (mt_rsa_pad_decrypt(k, in, out, &len) != 0) {
            st.SkipWithError("RSA_PAD decrypt failed");
            break;
        }
        benchmark::DoNotOptimize(out);
    }
    mt_rng_free(&rng);
    mtbench::set_rates(st, 0, 1);
}

// 32 fixed products of two primes in [2^31, 3e9]: pq in [2^62, 2^63).
std::vector<uint64_t> pq_set()
{
    std::vector<uint64_t> v;
    uint32_t seed = 12345;
    auto prime = [&seed]() {
        for (;;) {
            seed = seed * 1664525u + 1013904223u;
            uint32_t c = 2147483648u + seed % 852516352u;
            if (mt_is_prime_u64(c | 1)) return static_cast<uint64_t>(c | 1);
        }
    };
    while (v.size() < 32) {
        uint64_t a = prime(), b = prime();
        if (a != b) v.push_back(a * b);
    }
    return v;
}

template <int (*F)(uint64_t, uint32_t *, uint32_t *)>
void BM_pq(benchmark::State &st)
{
    static const std::vector<uint64_t> set = pq_set();
    size_t i = 0;
    uint32_t p, q;
    for (auto _ : st) {
        if (F(set[i++ % set.size()], &p, &q) != 0) {
            st.SkipWithError("factorization failed");
            break;
        }
        benchmark::DoNotOptimize(p);
    }
    mtbench::set_rates(st, 0, 1);
}

BENCHMARK(BM_dh_modexp)->Name("dh_modexp/openssl")->Arg(2048)->Arg(256)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_rsa_pad_encrypt)->Name("rsa_pad/openssl/encrypt")->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_rsa_pad_decrypt)->Name("rsa_pad/openssl/decrypt")->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_pq<mt_pq_factor>)->Name("pq_factor/brent/63")->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_pq<mt_pq_factor_rho>)->Name("pq_factor/rho/63")->Unit(benchmark::kMicrosecond);

}  // namespace
