/* Full transport: len (payload + 12) | seqno | payload | CRC32 over
 * len|seqno|payload, each direction numbering its packets from 0. No
 * protocol tag; quick ack is not documented for it (the flag is ignored). */
#include "core/transport/tr_impl.h"

#define FULL_HDR 8
#define FULL_CRC 4

static size_t full_header_len(size_t len, unsigned flags)
{
    (void)len; (void)flags;
    return FULL_HDR;
}

static size_t full_overhead_max(size_t len)
{
    (void)len;
    return FULL_HDR + FULL_CRC;
}

static int full_frame(struct mt_tr *t, uint8_t *buf, size_t headroom, size_t len,
                      size_t cap, unsigned flags, uint8_t **start, size_t *total)
{
    int rc = mt_tr_frame_check(t, headroom, FULL_HDR, len, cap, FULL_CRC);
    if (rc)
        return rc;
    if (len % 4)
        return MT_E_FRAME_LEN;
    uint8_t *p = buf + headroom - FULL_HDR;
    mt_store_le32(p, (uint32_t)(len + FULL_HDR + FULL_CRC));
    mt_store_le32(p + 4, t->send_seq++);
    uint32_t crc = mt_crc32(0, p, FULL_HDR + len);
    mt_store_le32(p + FULL_HDR + len, crc);
    *start = p;
    *total = FULL_HDR + len + FULL_CRC;
    return 0;
}

static int full_deframe(struct mt_tr *t, uint8_t *in, size_t len, struct mt_tr_pkt *pkt)
{
    if (len < 4)
        return MT_E_AGAIN;
    uint32_t total = mt_load_le32(in);
    /* the payload must be non-empty and 4-byte aligned: total >= 16 */
    if (total < FULL_HDR + FULL_CRC + 4 || total % 4 ||
        (size_t)total - FULL_HDR - FULL_CRC > t->max_frame || total > (uint32_t)INT32_MAX)
        return MT_E_FRAME_LEN;
    if (len < total)
        return MT_E_AGAIN;
    size_t n = total - FULL_HDR - FULL_CRC;
    uint32_t crc = mt_crc32(0, in, FULL_HDR + n);
    if (crc != mt_load_le32(in + FULL_HDR + n))
        return MT_E_CRC;
    if (mt_load_le32(in + 4) != t->recv_seq)
        return MT_E_TR_SEQ;
    t->recv_seq++;
    if (mt_tr_is_error_payload(t, in + FULL_HDR, n))
        mt_tr_pkt_error(pkt, in + FULL_HDR);
    else
        mt_tr_pkt_data(pkt, in + FULL_HDR, n, false);
    return (int)total;
}

const struct mt_tr_ops mt_tr_full_ops = {
    .name = "full",
    .kind = MT_TR_FULL,
    .tag_len = 0,
    .header_len = full_header_len,
    .overhead_max = full_overhead_max,
    .frame = full_frame,
    .deframe = full_deframe,
};
