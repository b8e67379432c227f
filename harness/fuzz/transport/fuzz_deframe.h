/* Shared body of the per-codec deframer fuzz targets. Input: byte 0 picks
 * the role (bit 0), the piece size used to feed the receive buffer (bits
 * 1..4; 0 = all at once) and a small max_frame (bit 5); the rest is the
 * byte stream after the protocol tag. Every packet must lie inside the
 * input; every error must be a transport error code. The same bytes also go
 * straight to mt_tr_deframe from an exact-size copy. */
#ifndef FUZZ_DEFRAME_H
#define FUZZ_DEFRAME_H
#include <stdlib.h>
#include <string.h>
#include "core/transport/mt_transport.h"

static struct mt_rng fuzz_rng;

static void fuzz_check(int ok)
{
    if (!ok)
        abort();
}

static void fuzz_ready(struct mt_tr *t, enum mt_tr_kind kind, uint8_t ctl)
{
    static int inited;
    if (!inited) {
        mt_crypto_init();
        mt_rng_init(&fuzz_rng);
        inited = 1;
    }
    uint8_t pre[MT_TR_PREAMBLE_MAX];
    struct mt_tr_config cfg = {.kind = kind, .max_frame = (ctl & 0x20) ? 256 : 0};
    fuzz_check(mt_tr_init_client(t, &cfg, &fuzz_rng) == 0);
    fuzz_check(mt_tr_client_preamble(t, pre) >= 0);
    t->role = (ctl & 1) ? MT_TR_SERVER : MT_TR_CLIENT;
}

static void fuzz_deframe_direct(enum mt_tr_kind kind, uint8_t ctl, const uint8_t *data, size_t n)
{
    struct mt_tr t;
    struct mt_tr_pkt pkt;
    uint8_t *in = malloc(n ? n : 1);
    memcpy(in, data, n);
    fuzz_ready(&t, kind, ctl);
    size_t off = 0;
    int rc;
    while ((rc = mt_tr_deframe(&t, in + off, n - off, &pkt)) > 0) {
        fuzz_check((size_t)rc <= n - off);
        if (pkt.kind == MT_TR_PKT_DATA)
            fuzz_check(pkt.data >= in + off && pkt.data + pkt.len <= in + off + (size_t)rc &&
                       pkt.len <= pkt.raw_len);
        off += (size_t)rc;
    }
    fuzz_check(rc == MT_E_AGAIN || (rc <= MT_E_FRAME && rc > MT_E_FRAME - 100));
    free(in);
}

static void fuzz_deframe_rx(struct mt_tr *t, uint8_t ctl, const uint8_t *data, size_t n,
                            const struct mt_tr_server_config *cfg)
{
    struct mt_tr_rx rx;
    struct mt_tr_pkt pkt;
    size_t piece = (ctl >> 1) & 15;
    fuzz_check(mt_tr_rx_init(&rx, 16, 1u << 20) == 0);
    int rc = 0;
    for (size_t off = 0; off < n && rc >= 0;) {
        size_t k = piece ? piece : n - off;
        if (k > n - off) k = n - off;
        if (mt_tr_rx_push(t, &rx, data + off, k) != 0)
            break;
        off += k;
        while ((rc = mt_tr_rx_next(t, &rx, cfg, &pkt)) == 1)
            if (pkt.kind == MT_TR_PKT_DATA)
                fuzz_check(pkt.data >= rx.buf && pkt.data + pkt.len <= rx.buf + rx.cap);
    }
    mt_tr_rx_free(&rx);
}

static inline int fuzz_codec(enum mt_tr_kind kind, const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t ctl = data[0];
    fuzz_deframe_direct(kind, ctl, data + 1, size - 1);
    struct mt_tr t;
    fuzz_ready(&t, kind, ctl);
    fuzz_deframe_rx(&t, ctl, data + 1, size - 1, NULL);
    mt_tr_free(&t);
    return 0;
}
#endif
