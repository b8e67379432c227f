/* Intermediate and padded intermediate transports: 4-byte LE length (bit 31
 * from the client asks for a quick ack). The server's quick ack is 4 raw
 * token bytes (intermediate; bit 31 set, never a valid length) or a short
 * padded packet ff ff ff ff + token + 0..8 random bytes (padded). Padded
 * frames carry 0..15 random bytes after the payload inside the length. */
#include "core/transport/tr_impl.h"

#define INT_HDR 4
#define QA_BIT 0x80000000u
#define PAD_MAX 15
#define PAD_QA_MAX 16       /* a padded packet this short can be a quick ack */
#define PAD_ERR_MAX 19      /* 4-byte error + up to 15 padding bytes */

static size_t int_header_len(size_t len, unsigned flags)
{
    (void)len; (void)flags;
    return INT_HDR;
}

static size_t int_overhead_max(size_t len)
{
    (void)len;
    return INT_HDR;
}

static size_t padded_overhead_max(size_t len)
{
    (void)len;
    return INT_HDR + PAD_MAX;
}

static uint32_t int_length_word(const struct mt_tr *t, size_t n, unsigned flags)
{
    uint32_t v = (uint32_t)n;
    if ((flags & MT_TR_F_QUICK_ACK) && t->role == MT_TR_CLIENT)
        v |= QA_BIT;
    return v;
}

static int int_frame(struct mt_tr *t, uint8_t *buf, size_t headroom, size_t len,
                     size_t cap, unsigned flags, uint8_t **start, size_t *total)
{
    int rc = mt_tr_frame_check(t, headroom, INT_HDR, len, cap, 0);
    if (rc)
        return rc;
    if (len % 4)
        return MT_E_FRAME_LEN;
    uint8_t *p = buf + headroom - INT_HDR;
    mt_store_le32(p, int_length_word(t, len, flags));
    *start = p;
    *total = INT_HDR + len;
    return 0;
}

static int padded_frame(struct mt_tr *t, uint8_t *buf, size_t headroom, size_t len,
                        size_t cap, unsigned flags, uint8_t **start, size_t *total)
{
    int rc = mt_tr_frame_check(t, headroom, INT_HDR, len, cap, 0);
    if (rc)
        return rc;
    size_t room = cap - headroom - len;
    size_t pad = mt_rng_uniform(t->rng, PAD_MAX + 1);
    if (pad > room)
        pad = room;
    uint8_t *p = buf + headroom - INT_HDR;
    mt_rng_bytes(t->rng, buf + headroom + len, pad);
    mt_store_le32(p, int_length_word(t, len + pad, flags));
    *start = p;
    *total = INT_HDR + len + pad;
    return 0;
}

/* Reads the length word; returns 0 with *n and *qa, a quick-ack token via pkt
 * (returns 4), MT_E_AGAIN or MT_E_FRAME_LEN. */
static int int_read_length(struct mt_tr *t, const uint8_t *in, size_t len, bool padded,
                           size_t *n, bool *qa, struct mt_tr_pkt *pkt)
{
    if (len < INT_HDR)
        return MT_E_AGAIN;
    uint32_t v = mt_load_le32(in);
    *qa = false;
    if (v & QA_BIT) {
        if (t->role == MT_TR_CLIENT) {
            if (padded)
                return MT_E_FRAME_LEN;
            mt_tr_pkt_quick_ack(pkt, v);
            return INT_HDR;
        }
        *qa = true;
        v &= ~QA_BIT;
    }
    if (v == 0 || v > t->max_frame || (!padded && v % 4))
        return MT_E_FRAME_LEN;
    *n = v;
    return 0;
}

static int int_deframe(struct mt_tr *t, uint8_t *in, size_t len, struct mt_tr_pkt *pkt)
{
    size_t n = 0;
    bool qa;
    int rc = int_read_length(t, in, len, false, &n, &qa, pkt);
    if (rc)
        return rc;
    if (len - INT_HDR < n)
        return MT_E_AGAIN;
    if (mt_tr_is_error_payload(t, in + INT_HDR, n))
        mt_tr_pkt_error(pkt, in + INT_HDR);
    else
        mt_tr_pkt_data(pkt, in + INT_HDR, n, qa);
    return (int)(INT_HDR + n);
}

/* The MTProto payload inside a padded envelope: the transport padding length
 * is not sent, so recover it from the MTProto message layout. */
static size_t padded_payload_len(const uint8_t *p, size_t raw)
{
    if (raw >= 24 && mt_load_le64(p) != 0)
        return 24 + (raw - 24) / 16 * 16;            /* encrypted message */
    if (raw >= 20 && mt_load_le64(p) == 0) {
        uint32_t body = mt_load_le32(p + 16);        /* message_data_length */
        if (body <= raw - 20)
            return 20 + (size_t)body;                /* unencrypted message */
    }
    return raw;
}

static int padded_deframe(struct mt_tr *t, uint8_t *in, size_t len, struct mt_tr_pkt *pkt)
{
    size_t n = 0;
    bool qa;
    int rc = int_read_length(t, in, len, true, &n, &qa, pkt);
    if (rc)
        return rc;
    if (len - INT_HDR < n)
        return MT_E_AGAIN;
    uint8_t *p = in + INT_HDR;
    if (t->role == MT_TR_CLIENT && n >= 8 && n <= PAD_QA_MAX && mt_load_le32(p) == 0xffffffffu) {
        mt_tr_pkt_quick_ack(pkt, mt_load_le32(p + 4));
    } else if (t->role == MT_TR_CLIENT && n >= 4 && n <= PAD_ERR_MAX && (int32_t)mt_load_le32(p) < 0) {
        mt_tr_pkt_error(pkt, p);
        pkt->raw_len = n;
    } else {
        mt_tr_pkt_data(pkt, p, padded_payload_len(p, n), qa);
        pkt->raw_len = n;
    }
    return (int)(INT_HDR + n);
}

const struct mt_tr_ops mt_tr_intermediate_ops = {
    .name = "intermediate",
    .kind = MT_TR_INTERMEDIATE,
    .tag = {0xee, 0xee, 0xee, 0xee},
    .tag_len = 4,
    .tag4 = {0xee, 0xee, 0xee, 0xee},
    .header_len = int_header_len,
    .overhead_max = int_overhead_max,
    .frame = int_frame,
    .deframe = int_deframe,
};

const struct mt_tr_ops mt_tr_padded_ops = {
    .name = "padded",
    .kind = MT_TR_PADDED,
    .tag = {0xdd, 0xdd, 0xdd, 0xdd},
    .tag_len = 4,
    .tag4 = {0xdd, 0xdd, 0xdd, 0xdd},
    .header_len = int_header_len,
    .overhead_max = padded_overhead_max,
    .frame = padded_frame,
    .deframe = padded_deframe,
};
