// TL encode/decode cost per message: the inline reader/writer that the
// session layer uses for service messages (fast), the dynamic codec from a
// parsed jansson value (dynamic), from JSON text (json) and from TL text
// (text). Times are per message.
#include <benchmark/benchmark.h>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <jansson.h>
#include "core/tl/mt_tl.h"

namespace {

mt_tl_schema *schema()
{
    static mt_tl_schema *s = [] {
        mt_tl_schema *p = nullptr;
        mt_tl_error err;
        if (mt_tl_schema_default(&p, &err) != 0) { std::fprintf(stderr, "%s\n", err.msg); std::abort(); }
        return p;
    }();
    return s;
}

const char *kSendMessageJson =
    "{\"_\":\"messages.sendMessage\",\"silent\":true,\"peer\":{\"_\":\"inputPeerUser\",\"user_id\":777000,"
    "\"access_hash\":-5},\"reply_to\":{\"_\":\"inputReplyToMessage\",\"reply_to_msg_id\":12},"
    "\"message\":\"hello from the load generator\",\"random_id\":1234567890123,"
    "\"entities\":[{\"_\":\"messageEntityBold\",\"offset\":0,\"length\":5}]}";
const char *kSendMessageText =
    "messages.sendMessage silent:true peer:(inputPeerUser user_id:777000 access_hash:-5) "
    "reply_to:(inputReplyToMessage reply_to_msg_id:12) message:\"hello from the load generator\" "
    "random_id:1234567890123 entities:[(messageEntityBold offset:0 length:5)]";

void fail(benchmark::State &state, const mt_tl_error &err) { state.SkipWithError(err.msg); }

void BM_encode_fast_ping(benchmark::State &state)
{
    uint8_t buf[64];
    uint64_t id = 1;
    for (auto _ : state) {
        mt_tl_writer w;
        mt_tl_writer_init(&w, buf, sizeof buf);
        mt_tl_w32(&w, MT_TL_ID_PING);
        mt_tl_w64(&w, id++);
        benchmark::DoNotOptimize(buf);
        benchmark::DoNotOptimize(w.pos);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_encode_fast_ping)->Name("tl_encode/fast/ping");

// rpc_result { req_msg_id, mtload.echoResult { data: 64 bytes } }
void BM_decode_fast_rpc_result(benchmark::State &state)
{
    uint8_t msg[128], data[64];
    std::memset(data, 0x5a, sizeof data);
    mt_tl_writer w;
    mt_tl_writer_init(&w, msg, sizeof msg);
    mt_tl_w32(&w, MT_TL_ID_RPC_RESULT);
    mt_tl_w64(&w, 0x5f00000000000004ull);
    mt_tl_w32(&w, MT_TL_ID_MTLOAD_ECHO_RESULT);
    mt_tl_wbytes(&w, data, sizeof data);
    size_t len = w.pos;
    for (auto _ : state) {
        mt_tl_reader r;
        mt_tl_reader_init(&r, msg, len);
        uint32_t id = mt_tl_u32(&r);
        uint64_t req = mt_tl_u64(&r);
        uint32_t inner = mt_tl_u32(&r);
        size_t n;
        const uint8_t *p = mt_tl_bytes(&r, &n);
        if (id != MT_TL_ID_RPC_RESULT || inner != MT_TL_ID_MTLOAD_ECHO_RESULT || !mt_tl_ok(&r)) state.SkipWithError("decode");
        benchmark::DoNotOptimize(req);
        benchmark::DoNotOptimize(p);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_decode_fast_rpc_result)->Name("tl_decode/fast/rpc_result");

void BM_encode_dynamic_send(benchmark::State &state)
{
    json_t *v = json_loads(kSendMessageJson, 0, nullptr);
    uint8_t buf[1024];
    mt_tl_error err;
    for (auto _ : state) {
        mt_tl_writer w;
        mt_tl_writer_init(&w, buf, sizeof buf);
        if (mt_tl_encode_jv(schema(), v, &w, &err) != 0) { fail(state, err); break; }
        benchmark::DoNotOptimize(buf);
    }
    json_decref(v);
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_encode_dynamic_send)->Name("tl_encode/dynamic/messages.sendMessage");

void BM_encode_json_send(benchmark::State &state)
{
    uint8_t buf[1024];
    mt_tl_error err;
    size_t len = std::strlen(kSendMessageJson);
    for (auto _ : state) {
        mt_tl_writer w;
        mt_tl_writer_init(&w, buf, sizeof buf);
        if (mt_tl_encode_json(schema(), kSendMessageJson, len, &w, &err) != 0) { fail(state, err); break; }
        benchmark::DoNotOptimize(buf);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_encode_json_send)->Name("tl_encode/json/messages.sendMessage");

void BM_encode_text_send(benchmark::State &state)
{
    uint8_t buf[1024];
    mt_tl_error err;
    size_t len = std::strlen(kSendMessageText);
    for (auto _ : state) {
        mt_tl_writer w;
        mt_tl_writer_init(&w, buf, sizeof buf);
        if (mt_tl_encode_text(schema(), kSendMessageText, len, &w, &err) != 0) { fail(state, err); break; }
        benchmark::DoNotOptimize(buf);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_encode_text_send)->Name("tl_encode/text/messages.sendMessage");

void decode_dynamic(benchmark::State &state, const char *json, const char *type)
{
    uint8_t buf[1024];
    mt_tl_writer w;
    mt_tl_error err;
    mt_tl_writer_init(&w, buf, sizeof buf);
    if (mt_tl_encode_json(schema(), json, std::strlen(json), &w, &err) != 0) { fail(state, err); return; }
    for (auto _ : state) {
        mt_tl_reader r;
        mt_tl_reader_init(&r, buf, w.pos);
        json_t *v = mt_tl_decode_json(schema(), &r, type, &err);
        if (!v) { fail(state, err); break; }
        json_decref(v);
    }
    state.SetItemsProcessed(state.iterations());
}

void BM_decode_dynamic_send(benchmark::State &state) { decode_dynamic(state, kSendMessageJson, nullptr); }
BENCHMARK(BM_decode_dynamic_send)->Name("tl_decode/dynamic/messages.sendMessage");

void BM_decode_dynamic_rpc_result(benchmark::State &state)
{
    decode_dynamic(state, "{\"_\":\"rpc_result\",\"req_msg_id\":6845471433603153924,\"result\":"
                          "{\"_\":\"mtload.echoResult\",\"data\":\"hex:5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a"
                          "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a"
                          "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a\"}}", nullptr);
}
BENCHMARK(BM_decode_dynamic_rpc_result)->Name("tl_decode/dynamic/rpc_result");

void BM_schema_default(benchmark::State &state)
{
    for (auto _ : state) {
        mt_tl_schema *s = nullptr;
        mt_tl_error err;
        if (mt_tl_schema_default(&s, &err) != 0) { fail(state, err); break; }
        mt_tl_schema_free(s);
    }
}
BENCHMARK(BM_schema_default)->Name("tl_schema/load/default")->Unit(benchmark::kMillisecond);

}  // namespace
