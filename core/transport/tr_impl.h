/* Internal to core/transport: the codec tables and helpers shared by the
 * codec files. Not a public header. */
#ifndef MT_TR_IMPL_H
#define MT_TR_IMPL_H

#include "core/transport/mt_transport.h"

extern const struct mt_tr_ops mt_tr_abridged_ops;
extern const struct mt_tr_ops mt_tr_intermediate_ops;
extern const struct mt_tr_ops mt_tr_padded_ops;
extern const struct mt_tr_ops mt_tr_full_ops;

/* max_frame 0 -> the default; large values clamped so byte counts fit an int. */
uint32_t mt_tr_clamp_max_frame(uint32_t max_frame);

/* A 4-byte payload holding a negative int32 is a transport error (pitfall
 * 12); only a client reports it as such, a server sees plain data. */
static inline int mt_tr_is_error_payload(const struct mt_tr *t, const uint8_t *p, size_t n)
{
    return t->role == MT_TR_CLIENT && n == 4 && (int32_t)mt_load_le32(p) < 0;
}

/* Fill a DATA packet view. */
static inline void mt_tr_pkt_data(struct mt_tr_pkt *pkt, uint8_t *p, size_t n, bool qa)
{
    pkt->kind = MT_TR_PKT_DATA;
    pkt->data = p;
    pkt->len = n;
    pkt->raw_len = n;
    pkt->quick_ack_req = qa;
    pkt->token = 0;
    pkt->error = 0;
}

/* Fill an ERROR packet from a 4-byte payload. */
static inline void mt_tr_pkt_error(struct mt_tr_pkt *pkt, uint8_t *p)
{
    mt_tr_pkt_data(pkt, p, 4, false);
    pkt->kind = MT_TR_PKT_ERROR;
    pkt->error = (int32_t)mt_load_le32(p);
}

static inline void mt_tr_pkt_quick_ack(struct mt_tr_pkt *pkt, uint32_t token)
{
    mt_tr_pkt_data(pkt, NULL, 0, false);
    pkt->kind = MT_TR_PKT_QUICK_ACK;
    pkt->token = token;
}

/* Common checks of a frame call; returns 0 or an MT_E_* code. */
static inline int mt_tr_frame_check(const struct mt_tr *t, size_t headroom, size_t hdr,
                                    size_t len, size_t cap, size_t trailer_min)
{
    if (headroom < hdr || headroom + len + trailer_min > cap)
        return MT_E_OVERFLOW;
    if (len > t->max_frame)
        return MT_E_FRAME_LEN;
    return 0;
}

#endif
