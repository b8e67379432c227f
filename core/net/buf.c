/* Connection buffers: a list of chunks bounded by a byte cap. The tail chunk
 * hands out contiguous room so a frame is built in place (no copy), the
 * front chunks become the iovecs of one writev. One emptied chunk is kept as
 * a spare so a steady connection allocates nothing. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include "core/net/mt_net.h"

struct mt_buf_chunk {
    struct mt_buf_chunk *next;
    size_t size, rd, wr;
    uint8_t data[];
};

void mt_buf_init(struct mt_buf *b, size_t chunk_size, size_t cap)
{
    b->head = b->tail = b->spare = NULL;
    b->len = 0;
    b->cap = cap;
    b->chunk_size = chunk_size ? chunk_size : 16384;
}

void mt_buf_free(struct mt_buf *b)
{
    struct mt_buf_chunk *c = b->head;
    while (c) {
        struct mt_buf_chunk *next = c->next;
        free(c);
        c = next;
    }
    free(b->spare);
    b->head = b->tail = b->spare = NULL;
    b->len = 0;
}

#define CHUNK_GROW_MAX (256u << 10)

static struct mt_buf_chunk *chunk_new(struct mt_buf *b, size_t n)
{
    /* grow with the queue (up to 256 KiB) so that a burst needs few chunks,
     * few mallocs and few iovecs */
    size_t size = b->len > b->chunk_size ? (b->len < CHUNK_GROW_MAX ? b->len : CHUNK_GROW_MAX)
                                         : b->chunk_size;
    if (size < n)
        size = n;
    struct mt_buf_chunk *c;
    if (b->spare && b->spare->size >= size) {
        c = b->spare;
        b->spare = NULL;
    } else {
        c = malloc(sizeof *c + size);
        if (!c)
            return NULL;
        c->size = size;
    }
    c->next = NULL;
    c->rd = c->wr = 0;
    return c;
}

uint8_t *mt_buf_reserve(struct mt_buf *b, size_t n, int *err)
{
    if (b->cap && b->len + n > b->cap) {
        if (err) *err = MT_E_LIMIT;
        return NULL;
    }
    struct mt_buf_chunk *t = b->tail;
    if (t && t->size - t->wr >= n)
        return t->data + t->wr;
    if (t && t->rd == t->wr) {           /* empty tail too small: replace it */
        t->rd = t->wr = 0;
        if (t->size >= n)
            return t->data;
    }
    struct mt_buf_chunk *c = chunk_new(b, n);
    if (!c) {
        if (err) *err = MT_E_NOMEM;
        return NULL;
    }
    if (t && t->rd == t->wr && b->head == t) {   /* drop the empty one */
        free(b->spare);
        b->spare = t;
        b->head = b->tail = NULL;
    }
    if (b->tail)
        b->tail->next = c;
    else
        b->head = c;
    b->tail = c;
    return c->data;
}

void mt_buf_commit(struct mt_buf *b, size_t n)
{
    b->tail->wr += n;
    b->len += n;
}

int mt_buf_append(struct mt_buf *b, const void *data, size_t n)
{
    int err = 0;
    uint8_t *p = mt_buf_reserve(b, n, &err);
    if (!p)
        return err;
    memcpy(p, data, n);
    mt_buf_commit(b, n);
    return 0;
}

int mt_buf_iov(const struct mt_buf *b, struct iovec *iov, int max)
{
    int n = 0;
    for (struct mt_buf_chunk *c = b->head; c && n < max; c = c->next)
        if (c->wr > c->rd) {
            iov[n].iov_base = c->data + c->rd;
            iov[n].iov_len = c->wr - c->rd;
            n++;
        }
    return n;
}

void mt_buf_consume(struct mt_buf *b, size_t n)
{
    b->len -= n;
    while (n) {
        struct mt_buf_chunk *c = b->head;
        size_t k = c->wr - c->rd < n ? c->wr - c->rd : n;
        c->rd += k;
        n -= k;
        if (c->rd == c->wr) {
            if (c == b->tail) {
                c->rd = c->wr = 0;            /* keep the last chunk for reuse */
                break;
            }
            b->head = c->next;
            if (!b->spare || b->spare->size < c->size) {
                free(b->spare);
                b->spare = c;
            } else {
                free(c);
            }
        }
    }
}

void mt_buf_trim(struct mt_buf *b)
{
    if (b->len == 0)
        mt_buf_free(b);
}

void mt_buf_peek(const struct mt_buf *b, void *out, size_t n)
{
    uint8_t *o = out;
    for (struct mt_buf_chunk *c = b->head; c && n; c = c->next) {
        size_t k = c->wr - c->rd < n ? c->wr - c->rd : n;
        memcpy(o, c->data + c->rd, k);
        o += k;
        n -= k;
    }
}

int mt_buf_read_fd(struct mt_buf *b, int fd, size_t max, size_t *n)
{
    int err = 0;
    *n = 0;
    uint8_t *p = mt_buf_reserve(b, max, &err);
    if (!p) {
        errno = err == MT_E_NOMEM ? ENOMEM : ENOBUFS;
        return MT_NET_ERROR;
    }
    int rc = mt_net_read(fd, p, max, n);
    if (rc == MT_NET_OK)
        mt_buf_commit(b, *n);
    return rc;
}
