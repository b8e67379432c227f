// main() of mt_bench_crypto: the usual Google Benchmark run, then the
// ratios the crypto core is held to, each a fast path's items/s over its
// baseline's from this same run (CPU time, so a loaded machine slows both
// sides alike). Medians when --benchmark_repetitions gives them. The table
// goes to stderr so that --benchmark_format=json on stdout stays valid JSON;
// a pair whose two sides were not both run is left out.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

extern "C" {
#include "core/crypto/mt_crypto.h"
}

namespace {

struct Bar {
    const char *what, *fast, *base;
    double min;
};

// The bars of the crypto core (docs/crypto.md has them with their history).
const Bar kBars[] = {
    {"batched msg encrypt, 64 B", "msg_encrypt_batch16/best/64", "msg_encrypt_batch16/openssl/64", 10},
    {"batched msg encrypt, 1 KiB", "msg_encrypt_batch16/best/1024", "msg_encrypt_batch16/openssl/1024", 15},
    {"batched msg decrypt, 64 B", "msg_decrypt_batch16/best/64", "msg_decrypt_batch16/openssl/64", 10},
    {"batched msg decrypt, 1 KiB", "msg_decrypt_batch16/best/1024", "msg_decrypt_batch16/openssl/1024", 15},
    {"single-stream IGE vs EVP AES-256-CBC, 1 KiB", "ige_encrypt/aesni/1024", "cbc_encrypt/openssl/1024", 0.95},
    {"IGE batch of 32 encrypt vs single stream, 1 KiB", "ige_encrypt_batch32/vaes512/1024", "ige_encrypt/aesni/1024", 8},
    {"IGE batch of 32 decrypt vs single stream, 1 KiB", "ige_decrypt_batch32/vaes512/1024", "ige_decrypt/aesni/1024", 8},
    {"SHA-256 SHA-NI vs EVP (reused context), 52 B", "sha256/shani/52", "sha256/openssl_evp/52", 2},
};

// Forwards everything to the display reporter the flags asked for and
// keeps items/s per benchmark: a median replaces a single run.
class RatioReporter : public benchmark::BenchmarkReporter {
public:
    explicit RatioReporter(benchmark::BenchmarkReporter *inner) : inner_(inner) {}

    bool ReportContext(const Context &c) override { return inner_->ReportContext(c); }

    void ReportRuns(const std::vector<Run> &runs) override
    {
        inner_->ReportRuns(runs);
        for (const Run &r : runs) {
            if (r.error_occurred) continue;
            auto it = r.counters.find("items_per_second");
            if (it == r.counters.end()) continue;
            const std::string name = r.run_name.str();
            bool median = r.run_type == Run::RT_Aggregate && r.aggregate_name == "median";
            if (r.run_type == Run::RT_Aggregate && !median) continue;
            if (median || !medians_.count(name)) rate_[name] = it->second.value;
            if (median) medians_[name] = true;
        }
    }

    void Finalize() override
    {
        inner_->Finalize();
        print_ratios();
    }

private:
    void print_ratios() const
    {
        bool header = false;
        for (const Bar &b : kBars) {
            auto f = rate_.find(b.fast), s = rate_.find(b.base);
            if (f == rate_.end() || s == rate_.end() || s->second <= 0) continue;
            if (!header) {
                std::fprintf(stderr, "\nratios, items/s over items/s in this run (tier %s, %s):\n",
                             mt_crypto_tier_name(mt_crypto_max_tier()), mt_cpu_model());
                header = true;
            }
            double ratio = f->second / s->second;
            std::fprintf(stderr, "  %-48s %7.2fx  (bar >= %gx: %s)\n", b.what, ratio, b.min,
                         ratio >= b.min ? "met" : "MISSED");
        }
    }

    std::unique_ptr<benchmark::BenchmarkReporter> inner_;
    std::map<std::string, double> rate_;
    std::map<std::string, bool> medians_;
};

}  // namespace

int main(int argc, char **argv)
{
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    RatioReporter reporter(benchmark::CreateDefaultDisplayReporter());
    benchmark::RunSpecifiedBenchmarks(&reporter);
    benchmark::Shutdown();
    return 0;
}
