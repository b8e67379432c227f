/* Pending acknowledgments: ids of received content-related messages waiting
 * to go out in a msgs_ack (at most 8192 ids each), plus the helpers that
 * turn raw id vectors into events and msgs_state_info answers. */
#include "core/mtproto/sess_internal.h"

#include <stdlib.h>

int mt_sess_acks_push(struct mt_sess_acks *a, uint64_t id, mt_ns now)
{
    if (a->n == a->cap) {
        uint32_t cap = a->cap ? a->cap * 2 : 16;
        uint64_t *p = realloc(a->ids, (size_t)cap * sizeof(*p));
        if (!p) return MT_E_NOMEM;
        a->ids = p;
        a->cap = cap;
    }
    if (a->n == 0) a->first_ns = now;
    a->ids[a->n++] = id;
    return 0;
}

uint32_t mt_sess_acks_write(const struct mt_sess_acks *a, uint32_t from,
                            struct mt_tl_writer *w)
{
    if (from >= a->n || w->overflow) return 0;
    size_t room = w->cap - w->pos;
    if (room < 12 + 8) return 0;
    uint32_t n = a->n - from;
    if (n > MT_SESS_IDS_MAX) n = MT_SESS_IDS_MAX;
    if ((size_t)n > (room - 12) / 8) n = (uint32_t)((room - 12) / 8);
    mt_tl_w32(w, MT_TL_ID_MSGS_ACK);
    mt_tl_w32(w, MT_TL_VECTOR);
    mt_tl_w32(w, n);
    uint8_t *q = mt_tl_put(w, (size_t)n * 8);
    if (!q) return 0;
    for (uint32_t i = 0; i < n; i++) mt_store_le64(q + 8 * (size_t)i, a->ids[from + i]);
    return n;
}

void mt_sess_acks_consume(struct mt_sess_acks *a, uint32_t n, mt_ns now)
{
    if (n >= a->n) { a->n = 0; return; }
    memmove(a->ids, a->ids + n, (size_t)(a->n - n) * sizeof(*a->ids));
    a->n -= n;
    a->first_ns = now;   /* the age of what is left is unknown: count from now */
}

void mt_sess_acks_free(struct mt_sess_acks *a)
{
    free(a->ids);
    memset(a, 0, sizeof(*a));
}

void mt_sess_emit_acks(void (*on_event)(void *, const struct mt_sess_event *), void *ctx,
                       const uint8_t *ids, uint32_t n)
{
    if (!on_event) return;
    uint64_t chunk[256];
    while (n) {
        uint32_t k = n < MT_ARRAY_LEN(chunk) ? n : (uint32_t)MT_ARRAY_LEN(chunk);
        for (uint32_t i = 0; i < k; i++) chunk[i] = mt_load_le64(ids + 8 * (size_t)i);
        struct mt_sess_event ev;
        mt_sess_ev_init(&ev, MT_SESS_EV_ACK);
        ev.ids = chunk;
        ev.n_ids = k;
        on_event(ctx, &ev);
        ids += 8 * (size_t)k;
        n -= k;
    }
}

void mt_sess_write_state_info(struct mt_tl_writer *w, uint64_t req_msg_id,
                              const struct mt_msgid_window *win, const uint8_t *ids,
                              uint32_t n)
{
    mt_tl_w32(w, MT_TL_ID_MSGS_STATE_INFO);
    mt_tl_w64(w, req_msg_id);
    /* bytes field written by hand: the states are produced in place. */
    size_t total = mt_tl_bytes_size(n);
    uint8_t *q = mt_tl_put(w, total);
    if (!q) return;
    size_t hdr;
    if (n < 254) { q[0] = (uint8_t)n; hdr = 1; }
    else { q[0] = 254; q[1] = (uint8_t)n; q[2] = (uint8_t)(n >> 8); q[3] = (uint8_t)(n >> 16); hdr = 4; }
    for (uint32_t i = 0; i < n; i++)
        q[hdr + i] = mt_msgid_window_state(win, mt_load_le64(ids + 8 * (size_t)i));
    memset(q + hdr + n, 0, total - hdr - n);
}
