/* The 32-byte inner header both roles build and parse, and small parsers
 * shared by both (rpc_error). The checks of security_guidelines.md that need
 * session state (session_id, msg_id window, replays) live in the roles. */
#include "core/mtproto/sess_internal.h"

void mt_msg_hdr_write(uint8_t *p, const struct mt_msg_hdr *h)
{
    mt_store_le64(p, h->salt);
    mt_store_le64(p + 8, h->session_id);
    mt_store_le64(p + 16, h->msg_id);
    mt_store_le32(p + 24, h->seq_no);
    mt_store_le32(p + 28, h->len);
}

int mt_msg_hdr_parse(const uint8_t *plain, size_t plain_len, struct mt_msg_hdr *h,
                     const uint8_t **body)
{
    if (!plain || plain_len < MT_SESS_HDR) return MT_E_RANGE;
    h->salt = mt_load_le64(plain);
    h->session_id = mt_load_le64(plain + 8);
    h->msg_id = mt_load_le64(plain + 16);
    h->seq_no = mt_load_le32(plain + 24);
    h->len = mt_load_le32(plain + 28);
    if ((h->len & 3) || h->len > plain_len - MT_SESS_HDR) return MT_E_RANGE;
    *body = plain + MT_SESS_HDR;
    return 0;
}

int mt_sess_peek_session_id(const uint8_t *plain, size_t plain_len, uint64_t *session_id)
{
    if (!plain || plain_len < MT_SESS_HDR) return MT_E_RANGE;
    *session_id = mt_load_le64(plain + 8);
    return 0;
}

/* "FLOOD_WAIT_123" -> 123: the digits after the last '_' of a known prefix. */
static int32_t error_wait_seconds(const char *m, size_t n)
{
    static const char *const prefixes[] = { "FLOOD_WAIT_", "SLOWMODE_WAIT_",
                                            "FLOOD_PREMIUM_WAIT_", "TAKEOUT_INIT_DELAY_" };
    for (size_t i = 0; i < MT_ARRAY_LEN(prefixes); i++) {
        size_t pl = strlen(prefixes[i]);
        if (n <= pl || memcmp(m, prefixes[i], pl) != 0) continue;
        int64_t v = 0;
        for (size_t k = pl; k < n; k++) {
            if (m[k] < '0' || m[k] > '9') return 0;
            v = v * 10 + (m[k] - '0');
            if (v > INT32_MAX) return INT32_MAX;
        }
        return (int32_t)v;
    }
    return 0;
}

int mt_rpc_error_parse(const uint8_t *body, size_t len, int32_t *code,
                       const char **msg, size_t *msg_len, int32_t *wait_s)
{
    struct mt_tl_reader r;
    mt_tl_reader_init(&r, body, len);
    if (mt_tl_u32(&r) != MT_TL_ID_RPC_ERROR) return MT_E_TL_CTOR;
    *code = mt_tl_i32(&r);
    size_t n = 0;
    const uint8_t *m = mt_tl_bytes(&r, &n);
    if (!mt_tl_ok(&r)) return r.err;
    *msg = (const char *)m;
    *msg_len = n;
    *wait_s = error_wait_seconds((const char *)m, n);
    return 0;
}
