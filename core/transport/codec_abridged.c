/* Abridged transport: length/4 in one byte (< 127) or 0x7f + 3-byte LE
 * length/4; the length byte's MSB asks for a quick ack (0xff for the long
 * form). The server's quick-ack reply is the 4-byte token byte-swapped, with
 * no length: its first byte has the MSB set, which a server's length byte
 * never has (pitfall 11). */
#include "core/transport/tr_impl.h"

#define ABR_SHORT_MAX 126u          /* largest length/4 of the 1-byte form */
#define ABR_LONG_MAX 0xffffffu      /* largest length/4 of the 3-byte form */

static size_t abridged_header_len(size_t len, unsigned flags)
{
    (void)flags;
    return len / 4 <= ABR_SHORT_MAX ? 1 : 4;
}

static size_t abridged_overhead_max(size_t len)
{
    return abridged_header_len(len, 0);
}

static int abridged_frame(struct mt_tr *t, uint8_t *buf, size_t headroom, size_t len,
                          size_t cap, unsigned flags, uint8_t **start, size_t *total)
{
    size_t hdr = abridged_header_len(len, flags);
    int rc = mt_tr_frame_check(t, headroom, hdr, len, cap, 0);
    if (rc)
        return rc;
    if (len % 4 || len / 4 > ABR_LONG_MAX)
        return MT_E_FRAME_LEN;
    uint8_t *p = buf + headroom - hdr;
    uint8_t qa = (flags & MT_TR_F_QUICK_ACK) && t->role == MT_TR_CLIENT ? 0x80 : 0;
    if (hdr == 1) {
        p[0] = (uint8_t)(len / 4) | qa;
    } else {
        uint32_t words = (uint32_t)(len / 4);
        p[0] = 0x7f | qa;
        p[1] = (uint8_t)words;
        p[2] = (uint8_t)(words >> 8);
        p[3] = (uint8_t)(words >> 16);
    }
    *start = p;
    *total = hdr + len;
    return 0;
}

static int abridged_deframe(struct mt_tr *t, uint8_t *in, size_t len, struct mt_tr_pkt *pkt)
{
    if (len < 1)
        return MT_E_AGAIN;
    uint8_t b = in[0];
    if (t->role == MT_TR_CLIENT && (b & 0x80)) {
        /* quick ack: the token's bytes reversed, so read big-endian */
        if (len < 4)
            return MT_E_AGAIN;
        mt_tr_pkt_quick_ack(pkt, mt_load_be32(in));
        return 4;
    }
    bool qa = (b & 0x80) != 0;
    size_t hdr = 1, words = b & 0x7f;
    if (words == 0x7f) {
        if (len < 4)
            return MT_E_AGAIN;
        hdr = 4;
        words = (size_t)in[1] | (size_t)in[2] << 8 | (size_t)in[3] << 16;
    }
    size_t n = words * 4;
    if (n == 0 || n > t->max_frame)
        return MT_E_FRAME_LEN;
    if (len - hdr < n)
        return MT_E_AGAIN;
    if (mt_tr_is_error_payload(t, in + hdr, n))
        mt_tr_pkt_error(pkt, in + hdr);
    else
        mt_tr_pkt_data(pkt, in + hdr, n, qa);
    return (int)(hdr + n);
}

const struct mt_tr_ops mt_tr_abridged_ops = {
    .name = "abridged",
    .kind = MT_TR_ABRIDGED,
    .tag = {0xef},
    .tag_len = 1,
    .tag4 = {0xef, 0xef, 0xef, 0xef},
    .header_len = abridged_header_len,
    .overhead_max = abridged_overhead_max,
    .frame = abridged_frame,
    .deframe = abridged_deframe,
};
