// Transport codecs: frames per second, frame and deframe, 64 B and 1 KiB
// payloads, plain and obfuscated (AES-256-CTR over the whole frame). Names:
// frame/<codec>/<bytes>, deframe/<codec>/<bytes>; codec "obf-x" = obfuscated.
#include <benchmark/benchmark.h>

#include <cstring>
#include <string>
#include <vector>

extern "C" {
#include "core/transport/mt_transport.h"
}

namespace {

struct Env {
    mt_rng rng;
    Env()
    {
        mt_crypto_init();
        mt_rng_init(&rng);
    }
};
Env &env()
{
    static Env e;
    return e;
}

// A payload the padded codec can trim back (24 + 16k bytes, non-zero key id).
size_t payload_len(size_t want) { return want < 40 ? 40 : want; }

void make_client(mt_tr *t, mt_tr_kind kind, bool obf)
{
    mt_tr_config cfg{};
    cfg.kind = kind;
    cfg.obfuscated = obf;
    mt_tr_init_client(t, &cfg, &env().rng);
    uint8_t pre[MT_TR_PREAMBLE_MAX];
    mt_tr_client_preamble(t, pre);
}

void BM_frame(benchmark::State &st, mt_tr_kind kind, bool obf)
{
    size_t n = payload_len(static_cast<size_t>(st.range(0)));
    mt_tr t;
    make_client(&t, kind, obf);
    std::vector<uint8_t> buf(MT_TR_HEADROOM + n + MT_TR_TAILROOM, 0x5a);
    size_t hdr = mt_tr_header_len(&t, n, 0);
    uint8_t *start;
    size_t total = 0;
    for (auto _ : st) {
        mt_tr_frame(&t, buf.data(), hdr, n, buf.size(), 0, &start, &total);
        benchmark::DoNotOptimize(start);
        benchmark::ClobberMemory();
    }
    st.SetItemsProcessed(static_cast<int64_t>(st.iterations()));
    st.SetBytesProcessed(static_cast<int64_t>(st.iterations() * total));
    mt_tr_free(&t);
}

// Deframe a stream of 64 frames on the server side, as it arrives (the CTR
// decryption of received bytes included when obfuscated).
void BM_deframe(benchmark::State &st, mt_tr_kind kind, bool obf)
{
    const int frames = 64;
    size_t n = payload_len(static_cast<size_t>(st.range(0)));
    std::vector<uint8_t> wire;
    std::vector<uint8_t> buf(MT_TR_HEADROOM + n + MT_TR_TAILROOM);
    // The stream is produced once, plain; the obfuscated variant runs the
    // server's CTR over it each time (same cost as decrypting ciphertext).
    mt_tr c;
    make_client(&c, kind, false);
    for (int i = 0; i < frames; i++) {
        size_t hdr = mt_tr_header_len(&c, n, 0);
        std::memset(buf.data() + hdr, 0x11, n);
        uint8_t *start;
        size_t total;
        mt_tr_frame(&c, buf.data(), hdr, n, buf.size(), 0, &start, &total);
        wire.insert(wire.end(), start, start + total);
    }
    mt_tr s;
    make_client(&s, kind, obf);
    s.role = MT_TR_SERVER;
    std::vector<uint8_t> work(wire.size());
    for (auto _ : st) {
        std::memcpy(work.data(), wire.data(), wire.size());
        mt_tr_rx_decrypt(&s, work.data(), work.size());
        s.recv_seq = 0;
        size_t off = 0;
        mt_tr_pkt pkt;
        int rc;
        while (off < work.size() && (rc = mt_tr_deframe(&s, work.data() + off, work.size() - off, &pkt)) > 0)
            off += static_cast<size_t>(rc);
        benchmark::DoNotOptimize(off);
    }
    st.SetItemsProcessed(static_cast<int64_t>(st.iterations()) * frames);
    st.SetBytesProcessed(static_cast<int64_t>(st.iterations() * wire.size()));
    mt_tr_free(&c);
    mt_tr_free(&s);
}

// The copy alone, so the deframe numbers can be read net of it.
void BM_copy(benchmark::State &st)
{
    size_t n = payload_len(static_cast<size_t>(st.range(0)));
    std::vector<uint8_t> a((n + 4) * 64, 1), b(a.size());
    for (auto _ : st) {
        std::memcpy(b.data(), a.data(), a.size());
        benchmark::ClobberMemory();
    }
    st.SetItemsProcessed(static_cast<int64_t>(st.iterations()) * 64);
}

int register_all()
{
    const mt_tr_kind kinds[] = {MT_TR_ABRIDGED, MT_TR_INTERMEDIATE, MT_TR_PADDED, MT_TR_FULL};
    for (mt_tr_kind k : kinds)
        for (int obf = 0; obf < 2; obf++) {
            if (k == MT_TR_FULL && obf)
                continue;
            std::string codec = std::string(obf ? "obf-" : "") + mt_tr_ops_get(k)->name;
            benchmark::RegisterBenchmark(("frame/" + codec).c_str(), BM_frame, k, obf != 0)
                ->Arg(64)->Arg(1024);
            benchmark::RegisterBenchmark(("deframe/" + codec).c_str(), BM_deframe, k, obf != 0)
                ->Arg(64)->Arg(1024);
        }
    benchmark::RegisterBenchmark("memcpy64frames/libc", BM_copy)->Arg(64)->Arg(1024);
    return 0;
}
const int registered = register_all();

}  // namespace
