/* mt_probe: what the server sent, decoded into flat JSON events (container
 * items become events of their own; rpc_result carries what it wraps). */
#include <stdio.h>
#include <stdlib.h>
#include "harness/tools/probe/probe.h"

#define VECTOR_ID 0x1cb5c415u

static struct mt_gzip *probe_gz(void)
{
    static struct mt_gzip *gz;
    if (!gz)
        gz = mt_gzip_new(64u << 20);
    return gz;
}

static void set_hex_digest(json_t *e, const char *k, const uint8_t *d, size_t n)
{
    uint8_t h[32];
    char hex[65];
    mt_sha256(d, n, h);
    mt_hex_encode(h, 32, hex);
    json_object_set_new(e, k, json_string(hex));
}

static json_t *ids_array(struct mt_tl_reader *r)
{
    json_t *a = json_array();
    if (mt_tl_u32(r) != VECTOR_ID)
        return a;
    uint32_t n = mt_tl_u32(r);
    for (uint32_t i = 0; i < n && mt_tl_ok(r); i++) {
        char s[24];
        snprintf(s, sizeof s, "%llu", (unsigned long long)mt_tl_u64(r));
        json_array_append_new(a, json_string(s));
    }
    return a;
}

/* The object inside rpc_result. */
static void decode_result(struct probe *p, json_t *e, const uint8_t *b, size_t len, int depth)
{
    struct mt_tl_reader r;
    mt_tl_reader_init(&r, b, len);
    uint32_t ctor = mt_tl_u32(&r);
    char hex[12];
    snprintf(hex, sizeof hex, "%08x", ctor);
    json_object_set_new(e, "result_ctor", json_string(hex));
    size_t n;
    const uint8_t *d;
    switch (ctor) {
    case MT_TL_ID_RPC_ERROR:
        json_object_set_new(e, "result", json_string("rpc_error"));
        json_object_set_new(e, "error_code", json_integer(mt_tl_i32(&r)));
        d = mt_tl_bytes(&r, &n);
        json_object_set_new(e, "error_message", json_stringn(d ? (const char *)d : "", d ? n : 0));
        break;
    case MT_TL_ID_GZIP_PACKED: {
        d = mt_tl_bytes(&r, &n);
        const uint8_t *out;
        size_t out_len;
        if (d && depth < 3 && mt_gzip_inflate(probe_gz(), d, n, &out, &out_len) == 0) {
            json_object_set_new(e, "gzip", json_true());
            decode_result(p, e, out, out_len, depth + 1);
            return;
        }
        json_object_set_new(e, "result", json_string("bad_gzip"));
        break;
    }
    case MT_TL_ID_MTLOAD_ECHO_RESULT:
        json_object_set_new(e, "result", json_string("echo"));
        d = mt_tl_bytes(&r, &n);
        json_object_set_new(e, "data_len", json_integer(d ? (json_int_t)n : -1));
        if (d)
            set_hex_digest(e, "data_sha256", d, n);
        break;
    case MT_TL_ID_NEAREST_DC:
        json_object_set_new(e, "result", json_string("nearestDc"));
        d = mt_tl_bytes(&r, &n);
        json_object_set_new(e, "country", json_stringn(d ? (const char *)d : "", d ? n : 0));
        json_object_set_new(e, "this_dc", json_integer(mt_tl_i32(&r)));
        json_object_set_new(e, "nearest_dc", json_integer(mt_tl_i32(&r)));
        break;
    case MT_TL_ID_BOOL_TRUE: json_object_set_new(e, "result", json_string("boolTrue")); break;
    case MT_TL_ID_BOOL_FALSE: json_object_set_new(e, "result", json_string("boolFalse")); break;
    case MT_TL_ID_DESTROY_SESSION_OK: json_object_set_new(e, "result", json_string("destroy_session_ok")); break;
    case MT_TL_ID_DESTROY_SESSION_NONE: json_object_set_new(e, "result", json_string("destroy_session_none")); break;
    case MT_TL_ID_RPC_ANSWER_UNKNOWN: json_object_set_new(e, "result", json_string("rpc_answer_unknown")); break;
    case MT_TL_ID_RPC_ANSWER_DROPPED: json_object_set_new(e, "result", json_string("rpc_answer_dropped")); break;
    case MT_TL_ID_RPC_ANSWER_DROPPED_RUNNING:
        json_object_set_new(e, "result", json_string("rpc_answer_dropped_running"));
        break;
    case MT_TL_ID_PONG: json_object_set_new(e, "result", json_string("pong")); break;
    case MT_TL_ID_FUTURE_SALTS: json_object_set_new(e, "result", json_string("future_salts")); break;
    default: json_object_set_new(e, "result", json_string("other")); break;
    }
    if (!mt_tl_ok(&r))
        json_object_set_new(e, "malformed", json_true());
}

static void decode_service(json_t *e, struct mt_tl_reader *r, uint32_t ctor)
{
    switch (ctor) {
    case MT_TL_ID_PONG:
        json_object_set_new(e, "type", json_string("pong"));
        probe_set_u64(e, "req_msg_id", mt_tl_u64(r));
        probe_set_u64(e, "ping_id", mt_tl_u64(r));
        break;
    case MT_TL_ID_BAD_SERVER_SALT:
    case MT_TL_ID_BAD_MSG_NOTIFICATION:
        json_object_set_new(e, "type", json_string(ctor == MT_TL_ID_BAD_SERVER_SALT
                                                       ? "bad_server_salt" : "bad_msg_notification"));
        probe_set_u64(e, "bad_msg_id", mt_tl_u64(r));
        json_object_set_new(e, "bad_msg_seqno", json_integer(mt_tl_u32(r)));
        json_object_set_new(e, "error_code", json_integer(mt_tl_i32(r)));
        if (ctor == MT_TL_ID_BAD_SERVER_SALT)
            probe_set_u64(e, "new_server_salt", mt_tl_u64(r));
        break;
    case MT_TL_ID_NEW_SESSION_CREATED:
        json_object_set_new(e, "type", json_string("new_session_created"));
        probe_set_u64(e, "first_msg_id", mt_tl_u64(r));
        probe_set_u64(e, "unique_id", mt_tl_u64(r));
        probe_set_u64(e, "server_salt", mt_tl_u64(r));
        break;
    case MT_TL_ID_MSGS_ACK:
        json_object_set_new(e, "type", json_string("msgs_ack"));
        json_object_set_new(e, "ids", ids_array(r));
        break;
    case MT_TL_ID_FUTURE_SALTS: {
        json_object_set_new(e, "type", json_string("future_salts"));
        probe_set_u64(e, "req_msg_id", mt_tl_u64(r));
        json_object_set_new(e, "now", json_integer(mt_tl_i32(r)));
        /* bare vector<future_salt>: count, then valid_since valid_until salt */
        uint32_t n = mt_tl_u32(r);
        json_object_set_new(e, "n_salts", json_integer(n));
        for (uint32_t i = 0; i < n && mt_tl_ok(r); i++)
            mt_tl_take(r, 16);
        break;
    }
    case MT_TL_ID_MSGS_STATE_INFO: {
        json_object_set_new(e, "type", json_string("msgs_state_info"));
        probe_set_u64(e, "req_msg_id", mt_tl_u64(r));
        size_t n;
        const uint8_t *d = mt_tl_bytes(r, &n);
        json_t *a = json_array();
        for (size_t i = 0; d && i < n; i++)
            json_array_append_new(a, json_integer(d[i]));
        json_object_set_new(e, "info", a);
        break;
    }
    case MT_TL_ID_MSG_DETAILED_INFO:
    case MT_TL_ID_MSG_NEW_DETAILED_INFO:
        json_object_set_new(e, "type", json_string(ctor == MT_TL_ID_MSG_DETAILED_INFO
                                                       ? "msg_detailed_info" : "msg_new_detailed_info"));
        if (ctor == MT_TL_ID_MSG_DETAILED_INFO)
            probe_set_u64(e, "for_msg_id", mt_tl_u64(r));
        probe_set_u64(e, "answer_msg_id", mt_tl_u64(r));
        break;
    case MT_TL_ID_DESTROY_SESSION_OK:
    case MT_TL_ID_DESTROY_SESSION_NONE:
        json_object_set_new(e, "type", json_string(ctor == MT_TL_ID_DESTROY_SESSION_OK
                                                       ? "destroy_session_ok" : "destroy_session_none"));
        probe_set_u64(e, "session_id", mt_tl_u64(r));
        break;
    default: {
        char hex[12];
        snprintf(hex, sizeof hex, "%08x", ctor);
        json_object_set_new(e, "type", json_string("unknown"));
        json_object_set_new(e, "ctor", json_string(hex));
    }
    }
}

void probe_decode(struct probe *p, uint64_t msg_id, uint32_t seq_no, const uint8_t *body,
                  size_t len, json_t *out, int depth)
{
    struct mt_tl_reader r;
    mt_tl_reader_init(&r, body, len);
    uint32_t ctor = mt_tl_u32(&r);
    if (ctor == MT_TL_ID_MSG_CONTAINER && depth == 0) {
        uint32_t n = mt_tl_u32(&r);
        json_array_append_new(out, json_pack("{s:s, s:i}", "type", "container", "n", (json_int_t)n));
        for (uint32_t i = 0; i < n && mt_tl_ok(&r); i++) {
            uint64_t id = mt_tl_u64(&r);
            uint32_t seq = mt_tl_u32(&r);
            uint32_t bytes = mt_tl_u32(&r);
            const uint8_t *item = mt_tl_take(&r, bytes);
            if (item)
                probe_decode(p, id, seq, item, bytes, out, depth + 1);
        }
        return;
    }
    if (ctor == MT_TL_ID_GZIP_PACKED && depth < 3) {
        size_t n;
        const uint8_t *d = mt_tl_bytes(&r, &n), *inflated;
        size_t inflated_len;
        if (d && mt_gzip_inflate(probe_gz(), d, n, &inflated, &inflated_len) == 0) {
            /* the inflated view is reused: copy it before decoding further */
            uint8_t *copy = malloc(inflated_len ? inflated_len : 1);
            if (copy) {
                memcpy(copy, inflated, inflated_len);
                probe_decode(p, msg_id, seq_no, copy, inflated_len, out, depth + 1);
                free(copy);
            }
            return;
        }
    }
    json_t *e = json_object();
    probe_set_u64(e, "msg_id", msg_id);
    json_object_set_new(e, "seq_no", json_integer(seq_no));
    json_object_set_new(e, "content", json_boolean(seq_no & 1));
    json_object_set_new(e, "depth", json_integer(depth));
    if (ctor == MT_TL_ID_RPC_RESULT) {
        json_object_set_new(e, "type", json_string("rpc_result"));
        probe_set_u64(e, "req_msg_id", mt_tl_u64(&r));
        if (mt_tl_ok(&r))
            decode_result(p, e, body + 12, len - 12, 0);
    } else {
        decode_service(e, &r, ctor);
    }
    if (!mt_tl_ok(&r))
        json_object_set_new(e, "malformed", json_true());
    json_array_append_new(out, e);
}
