/* The per-connection receive buffer: contiguous so that packets are handed
 * out as views (no copy), growable up to a bound, read into directly by the
 * socket layer. It tracks which bytes are already de-obfuscated, so every
 * byte passes through the CTR stream exactly once even when bytes arrive
 * before the server knows the keys. */
#include <stdlib.h>
#include <string.h>
#include "core/transport/tr_impl.h"

int mt_tr_rx_init(struct mt_tr_rx *r, size_t initial_cap, size_t max_cap)
{
    memset(r, 0, sizeof *r);
    if (initial_cap == 0 || max_cap < initial_cap)
        return MT_E_INVAL;
    r->buf = malloc(initial_cap);
    if (!r->buf)
        return MT_E_NOMEM;
    r->cap = initial_cap;
    r->max_cap = max_cap;
    return 0;
}

void mt_tr_rx_free(struct mt_tr_rx *r)
{
    free(r->buf);
    memset(r, 0, sizeof *r);
}

size_t mt_tr_rx_pending(const struct mt_tr_rx *r)
{
    return r->end - r->start;
}

static void rx_compact(struct mt_tr_rx *r)
{
    if (r->start == 0)
        return;
    size_t n = r->end - r->start;
    memmove(r->buf, r->buf + r->start, n);
    r->plain_end -= r->start;
    r->end = n;
    r->start = 0;
}

uint8_t *mt_tr_rx_space(struct mt_tr_rx *r, size_t want, size_t *avail, int *err)
{
    if (want == 0)
        want = 1;
    if (r->cap - r->end < want) {
        rx_compact(r);
        if (r->cap - r->end < want) {
            size_t need = r->end + want, cap = r->cap;
            while (cap < need && cap < r->max_cap)
                cap = cap * 2 > r->max_cap ? r->max_cap : cap * 2;
            if (cap < need) {
                if (err) *err = MT_E_LIMIT;
                return NULL;
            }
            uint8_t *nb = realloc(r->buf, cap);
            if (!nb) {
                if (err) *err = MT_E_NOMEM;
                return NULL;
            }
            r->buf = nb;
            r->cap = cap;
        }
    }
    *avail = r->cap - r->end;
    return r->buf + r->end;
}

void mt_tr_rx_commit(struct mt_tr *t, struct mt_tr_rx *r, size_t n)
{
    r->end += n;
    if (t->ready) {
        mt_tr_rx_decrypt(t, r->buf + r->plain_end, r->end - r->plain_end);
        r->plain_end = r->end;
    }
}

int mt_tr_rx_push(struct mt_tr *t, struct mt_tr_rx *r, const void *data, size_t n)
{
    size_t avail;
    int err = 0;
    uint8_t *p = mt_tr_rx_space(r, n, &avail, &err);
    if (!p)
        return err;
    memcpy(p, data, n);
    mt_tr_rx_commit(t, r, n);
    return 0;
}

/* Server: detection over the buffered bytes; then de-obfuscate what already
 * arrived after the preamble. Returns 0 (ready), 0 with !ready (need more),
 * or an error. */
static int rx_accept(struct mt_tr *t, struct mt_tr_rx *r, const struct mt_tr_server_config *cfg)
{
    int rc = mt_tr_accept(t, cfg, r->buf + r->start, r->end - r->start);
    if (rc == MT_E_AGAIN)
        return 0;
    if (rc < 0)
        return rc;
    r->start += (size_t)rc;
    r->plain_end = r->start;
    mt_tr_rx_decrypt(t, r->buf + r->start, r->end - r->start);
    r->plain_end = r->end;
    return 0;
}

int mt_tr_rx_next(struct mt_tr *t, struct mt_tr_rx *r, const struct mt_tr_server_config *cfg,
                  struct mt_tr_pkt *pkt)
{
    if (!t->ready) {
        if (t->role != MT_TR_SERVER)
            return MT_E_STATE;
        int rc = rx_accept(t, r, cfg);
        if (rc < 0 || !t->ready)
            return rc;
    }
    int rc = mt_tr_deframe(t, r->buf + r->start, r->plain_end - r->start, pkt);
    if (rc == MT_E_AGAIN)
        return 0;
    if (rc < 0)
        return rc;
    r->start += (size_t)rc;
    if (r->start == r->end)
        r->start = r->plain_end = r->end = 0;   /* cheap reset: no memmove later */
    return 1;
}
