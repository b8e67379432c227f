/* Helpers shared by the transport tests: a client/server pair, a "wire"
 * (bytes in flight) and delivery of the wire in random pieces. */
#ifndef TR_TEST_UTIL_H
#define TR_TEST_UTIL_H
#include "harness/unit/common/mt_test.h"
#include "core/transport/mt_transport.h"

struct wire { uint8_t *p; size_t n, cap; };

static inline void wire_put(struct wire *w, const void *d, size_t n)
{
    if (n == 0)
        return;
    if (w->n + n > w->cap) {
        w->cap = (w->n + n) * 2;
        w->p = realloc(w->p, w->cap);
        assert_non_null(w->p);
    }
    memcpy(w->p + w->n, d, n);
    w->n += n;
}

/* Frame one payload through t (zero-copy path) and append the frame. */
static inline void wire_frame(struct wire *w, struct mt_tr *t, const uint8_t *payload, size_t n,
                              unsigned flags)
{
    size_t hdr = mt_tr_header_len(t, n, flags);
    size_t cap = hdr + n + MT_TR_TAILROOM;
    uint8_t *buf = malloc(cap), *start;
    size_t total;
    assert_non_null(buf);
    memcpy(buf + hdr, payload, n);
    assert_int_equal(mt_tr_frame(t, buf, hdr, n, cap, flags, &start, &total), 0);
    assert_ptr_equal(start, buf);
    wire_put(w, start, total);
    free(buf);
}

/* Payload that the padded codec can trim back: 24 + 16k bytes with a
 * non-zero "auth_key_id"; for the other codecs any multiple of 4 from 8. */
static inline size_t test_payload(struct mt_test_prng *r, enum mt_tr_kind kind, uint8_t *out,
                                  size_t max)
{
    size_t n;
    if (kind == MT_TR_PADDED)
        n = 24 + 16 * (mt_test_next(r) % ((max - 24) / 16 + 1));
    else
        n = 8 + 4 * (mt_test_next(r) % (max / 4 - 1));  /* 4 bytes would be an error */
    mt_test_fill(r, out, n);
    out[0] |= 1;
    return n;
}

/* Feed w into rx in pieces (piece = 0: random 1..64; else fixed), collecting
 * every packet into pkts (copies of data). Returns the number of packets, or
 * the first error. */
struct got { enum mt_tr_pkt_kind kind; uint8_t *data; size_t len; bool qa; uint32_t token; int32_t error; };

static inline int wire_deliver(struct mt_test_prng *r, const struct wire *w, struct mt_tr *t,
                               const struct mt_tr_server_config *cfg, size_t piece,
                               struct got *got, int max_got)
{
    struct mt_tr_rx rx;
    int count = 0, rc = 0;
    assert_int_equal(mt_tr_rx_init(&rx, 64, 1u << 22), 0);
    for (size_t off = 0; off < w->n && rc >= 0;) {
        size_t k = piece ? piece : 1 + mt_test_next(r) % 64;
        if (k > w->n - off) k = w->n - off;
        assert_int_equal(mt_tr_rx_push(t, &rx, w->p + off, k), 0);
        off += k;
        struct mt_tr_pkt pkt;
        while ((rc = mt_tr_rx_next(t, &rx, cfg, &pkt)) == 1) {
            assert_true(count < max_got);
            struct got *g = &got[count++];
            g->kind = pkt.kind; g->len = pkt.len; g->qa = pkt.quick_ack_req;
            g->token = pkt.token; g->error = pkt.error;
            g->data = malloc(pkt.len + 1);
            memcpy(g->data, pkt.data ? pkt.data : (const uint8_t *)"", pkt.len);
        }
    }
    if (rc >= 0)
        assert_int_equal(mt_tr_rx_pending(&rx), 0);
    mt_tr_rx_free(&rx);
    return rc < 0 ? rc : count;
}

static inline void got_free(struct got *g, int n)
{
    for (int i = 0; i < n; i++) free(g[i].data);
}
#endif
