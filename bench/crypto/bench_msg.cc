// MTProto 2.0 message crypto: one message at a time on the OpenSSL tier
// (the baseline) and the best tier, and batches of 16 / 32 messages through
// mt_msg_*_batch (one SHA-256 batch for the msg_keys, one for the 2n KDF
// hashes, one IGE batch). Argument = plaintext bytes (inner header + body);
// items = messages.
#include "bench/crypto/shim.hpp"

extern "C" {
#include "core/crypto/crypto_impl.h"   // the 16-lane message kernels, as msg2.c picks them
}

namespace {

constexpr size_t kSlot = 24 + 1024 + 64;   // header + largest plaintext + padding

struct Msgs {
    mt_auth_key key;
    mt_rng rng;
    std::vector<uint8_t> buf, saved;
    std::vector<mt_msg_job> enc;
    std::vector<mt_msg_djob> dec;
    size_t n, plain;

    Msgs(size_t count, size_t plain_len) : buf(count * kSlot), saved(count * kSlot), enc(count),
                                           dec(count), n(count), plain(plain_len)
    {
        uint8_t raw[256];
        mtbench::fill(raw, sizeof raw, 77);
        mt_auth_key_set(&key, raw);
        mt_rng_init(&rng);
        for (size_t i = 0; i < n; i++) {
            uint8_t *b = &buf[i * kSlot];
            mtbench::fill(b + 24, plain, static_cast<uint32_t>(i));
            mt_store_le32(b + 24 + 28, static_cast<uint32_t>(plain - 32));
            enc[i] = {};
            enc[i].key = &key;
            enc[i].buf = b;
            enc[i].plain_len = plain;
            enc[i].cap = kSlot;
        }
    }
    ~Msgs() { mt_rng_free(&rng); }

    // Encrypt once (x = client) and keep the ciphertexts for decrypt runs.
    bool prepare_decrypt()
    {
        if (mt_msg_encrypt_batch(enc.data(), n, MT_X_CLIENT, &rng) != 0) return false;
        saved = buf;
        for (size_t i = 0; i < n; i++) {
            dec[i] = {};
            dec[i].key = &key;
            dec[i].buf = &buf[i * kSlot];
            dec[i].len = enc[i].out_len;
        }
        return mt_msg_decrypt_batch(dec.data(), n, MT_X_CLIENT) == 0;
    }
    // Decrypt works in place: put the ciphertexts back (costed in every
    // variant alike).
    void restore()
    {
        for (size_t i = 0; i < n; i++)
            std::memcpy(&buf[i * kSlot], &saved[i * kSlot], dec[i].len);
    }
};

enum class Path { openssl, best };

mt_cpu_tier tier_of(Path p) { return p == Path::openssl ? MT_TIER_PORTABLE : mt_crypto_max_tier(); }

void run_encrypt(benchmark::State &st, Path path, size_t batch)
{
    mtbench::Tier t(st, tier_of(path));
    if (!t.ok()) return;
    Msgs m(batch, static_cast<size_t>(st.range(0)));
    for (auto _ : st) {
        if (batch == 1)
            mt_msg_encrypt(&m.enc[0], MT_X_CLIENT, &m.rng);
        else
            mt_msg_encrypt_batch(m.enc.data(), batch, MT_X_CLIENT, &m.rng);
        benchmark::DoNotOptimize(m.buf.data());
    }
    mtbench::set_rates(st, m.plain * batch, batch);
    st.SetLabel(mt_crypto_tier_name(mt_crypto_tier()));
}

void run_decrypt(benchmark::State &st, Path path, size_t batch)
{
    mtbench::Tier t(st, tier_of(path));
    if (!t.ok()) return;
    Msgs m(batch, static_cast<size_t>(st.range(0)));
    if (!m.prepare_decrypt()) {
        st.SkipWithError("round trip failed");
        return;
    }
    for (auto _ : st) {
        m.restore();
        if (batch == 1)
            mt_msg_decrypt(&m.dec[0], MT_X_CLIENT);
        else
            mt_msg_decrypt_batch(m.dec.data(), batch, MT_X_CLIENT);
        benchmark::DoNotOptimize(m.dec[0].status);
    }
    mtbench::set_rates(st, m.plain * batch, batch);
    st.SetLabel(mt_crypto_tier_name(mt_crypto_tier()));
}

// The three stages of a batch of 16, alone, to see where the time goes:
// msg_key hashes (32-byte auth_key slice + padded plaintext), the 32 KDF
// hashes (52 bytes each), and the IGE batch over the padded plaintexts.
enum class Stage { msg_key, kdf, ige };

void run_stage(benchmark::State &st, Path path, Stage stage)
{
    mtbench::Tier t(st, tier_of(path));
    if (!t.ok()) return;
    constexpr size_t n = 16;
    size_t plain = static_cast<size_t>(st.range(0));
    size_t padded = plain + 12 + (16 - (plain + 12) % 16) % 16;
    std::vector<uint8_t> ak(256), data(n * padded), out(2 * n * 32), keys(n * 64);
    mtbench::fill(ak.data(), ak.size(), 1);
    mtbench::fill(data.data(), data.size(), 2);
    mtbench::fill(keys.data(), keys.size(), 3);
    mt_sha256_job sj[2 * n];
    mt_ige_job ij[n];
    for (size_t i = 0; i < 2 * n; i++) {
        sj[i] = {};
        sj[i].out = &out[i * 32];
        if (stage == Stage::msg_key && i < n) {
            sj[i].part[0] = {&ak[88], 32};
            sj[i].part[1] = {&data[i * padded], padded};
        } else if (i % 2 == 0) {
            sj[i].part[0] = {&keys[i / 2 * 64], 16};
            sj[i].part[1] = {&ak[0], 36};
        } else {
            sj[i].part[0] = {&ak[40], 36};
            sj[i].part[1] = {&keys[i / 2 * 64], 16};
        }
    }
    for (size_t i = 0; i < n; i++)
        ij[i] = {&keys[i * 64], &keys[i * 64 + 32], &data[i * padded], &data[i * padded], padded};
    // What mt_msg_*_batch runs for a group of 16: the message kernels where
    // the tier has them, else the generic SHA-256 batch.
    const struct mt_crypto_impl *impl = ::mt_crypto_impl();
    const uint8_t *auth[n], *msg_key[n], *datap[n];
    uint8_t *outp[n], *key_iv[n];
    size_t lens[n];
    for (size_t i = 0; i < n; i++) {
        auth[i] = ak.data();
        msg_key[i] = &keys[i * 64];
        datap[i] = &data[i * padded];
        lens[i] = padded;
        outp[i] = &out[i * 32];
        key_iv[i] = &out[i * 64];
    }
    for (auto _ : st) {
        if (stage == Stage::msg_key && impl->msgkey_x16)
            impl->msgkey_x16(auth, datap, lens, MT_X_CLIENT, outp, n);
        else if (stage == Stage::msg_key)
            mt_sha256_batch(sj, n);
        else if (stage == Stage::kdf && impl->kdf2_x16)
            impl->kdf2_x16(auth, msg_key, MT_X_CLIENT, key_iv, n);
        else if (stage == Stage::kdf)
            mt_sha256_batch(sj, 2 * n);
        else
            mt_ige256_encrypt_batch(ij, n);
        benchmark::DoNotOptimize(out.data());
        benchmark::DoNotOptimize(data.data());
    }
    mtbench::set_rates(st, plain * n, n);
    st.SetLabel(mt_crypto_tier_name(mt_crypto_tier()));
}

const int registered_stages = [] {
    static const struct { const char *name; Path path; Stage stage; } regs[] = {
        {"msg_stage16_msgkey/openssl", Path::openssl, Stage::msg_key},
        {"msg_stage16_msgkey/best", Path::best, Stage::msg_key},
        {"msg_stage16_kdf/openssl", Path::openssl, Stage::kdf},
        {"msg_stage16_kdf/best", Path::best, Stage::kdf},
        {"msg_stage16_ige/openssl", Path::openssl, Stage::ige},
        {"msg_stage16_ige/best", Path::best, Stage::ige},
    };
    for (const auto &r : regs) {
        auto *b = benchmark::RegisterBenchmark(r.name, [&r](benchmark::State &st) {
            run_stage(st, r.path, r.stage);
        });
        b->Arg(64)->Arg(1024);
    }
    return 0;
}();

struct Reg {
    const char *name;
    bool decrypt;
    Path path;
    size_t batch;
    std::vector<int64_t> sizes;
};

const int registered = [] {
    static const Reg regs[] = {
        {"msg_encrypt/openssl", false, Path::openssl, 1, {64, 256, 1024}},
        {"msg_encrypt/best", false, Path::best, 1, {64, 256, 1024}},
        {"msg_encrypt_batch16/openssl", false, Path::openssl, 16, {64, 1024}},
        {"msg_encrypt_batch16/best", false, Path::best, 16, {64, 256, 1024}},
        {"msg_encrypt_batch32/best", false, Path::best, 32, {64, 256, 1024}},
        {"msg_decrypt/openssl", true, Path::openssl, 1, {64, 256, 1024}},
        {"msg_decrypt/best", true, Path::best, 1, {64, 256, 1024}},
        {"msg_decrypt_batch16/openssl", true, Path::openssl, 16, {64, 1024}},
        {"msg_decrypt_batch16/best", true, Path::best, 16, {64, 256, 1024}},
        {"msg_decrypt_batch32/best", true, Path::best, 32, {64, 1024}},
    };
    for (const Reg &r : regs) {
        auto *b = benchmark::RegisterBenchmark(r.name, [&r](benchmark::State &st) {
            if (r.decrypt)
                run_decrypt(st, r.path, r.batch);
            else
                run_encrypt(st, r.path, r.batch);
        });
        for (int64_t n : r.sizes) b->Arg(n);
    }
    return 0;
}();

}  // namespace
