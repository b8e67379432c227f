/* core/tl: TL serialization. The hot path uses the inline reader and writer
 * below directly (service messages never go through the dynamic codec); the
 * schema loader and the JSON / TL-text codec further down let a user encode
 * any method of any .tl schema at run time.
 *
 * Reader: a sticky error. The first short read or bad value records its code
 * and offset; every later fetch returns zero and the caller checks
 * mt_tl_ok() once per object. Writer: bounded, with a sticky overflow. */
#ifndef MT_TL_H
#define MT_TL_H

#include "core/base/mt_base.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- reader ------------------------------------------------------------ */
struct mt_tl_reader {
    const uint8_t *p;      /* start of the buffer */
    size_t len;
    size_t pos;
    int err;               /* 0 or the first MT_E_TL_* */
    size_t err_pos;        /* offset of the first error */
};

static inline void mt_tl_reader_init(struct mt_tl_reader *r, const void *p, size_t len)
{
    r->p = (const uint8_t *)p; r->len = len; r->pos = 0; r->err = 0; r->err_pos = 0;
}
static inline int mt_tl_ok(const struct mt_tl_reader *r) { return r->err == 0; }
static inline size_t mt_tl_left(const struct mt_tl_reader *r) { return r->err ? 0 : r->len - r->pos; }
static inline void mt_tl_fail(struct mt_tl_reader *r, int err)
{
    if (!r->err) { r->err = err; r->err_pos = r->pos; }
}
/* Borrow n bytes (NULL and sticky MT_E_TL_SHORT if fewer are left). */
static inline const uint8_t *mt_tl_take(struct mt_tl_reader *r, size_t n)
{
    if (MT_UNLIKELY(r->err || n > r->len - r->pos)) { mt_tl_fail(r, MT_E_TL_SHORT); return NULL; }
    const uint8_t *q = r->p + r->pos;
    r->pos += n;
    return q;
}
static inline uint32_t mt_tl_u32(struct mt_tl_reader *r)
{
    const uint8_t *q = mt_tl_take(r, 4);
    return q ? mt_load_le32(q) : 0;
}
static inline int32_t mt_tl_i32(struct mt_tl_reader *r) { return (int32_t)mt_tl_u32(r); }
static inline uint64_t mt_tl_u64(struct mt_tl_reader *r)
{
    const uint8_t *q = mt_tl_take(r, 8);
    return q ? mt_load_le64(q) : 0;
}
static inline int64_t mt_tl_i64(struct mt_tl_reader *r) { return (int64_t)mt_tl_u64(r); }
static inline double mt_tl_double(struct mt_tl_reader *r)
{
    uint64_t v = mt_tl_u64(r); double d; memcpy(&d, &v, 8); return d;
}
/* int128 / int256: raw bytes, never byte-swapped. */
static inline int mt_tl_raw(struct mt_tl_reader *r, void *out, size_t n)
{
    const uint8_t *q = mt_tl_take(r, n);
    if (!q) { memset(out, 0, n); return r->err; }
    memcpy(out, q, n);
    return 0;
}
/* bytes / string: borrows a view into the buffer; checks the 4-byte padding
 * is present (its content is not checked: clients send garbage there). */
static inline const uint8_t *mt_tl_bytes(struct mt_tl_reader *r, size_t *n)
{
    const uint8_t *h = mt_tl_take(r, 1);
    size_t len, hdr;
    *n = 0;
    if (!h) return NULL;
    if (*h < 254) { len = *h; hdr = 1; }
    else if (*h == 254) {
        const uint8_t *l = mt_tl_take(r, 3);
        if (!l) return NULL;
        len = (size_t)l[0] | (size_t)l[1] << 8 | (size_t)l[2] << 16; hdr = 4;
    } else { r->pos--; mt_tl_fail(r, MT_E_TL_VALUE); return NULL; }
    size_t pad = (4 - ((hdr + len) & 3)) & 3;
    const uint8_t *q = mt_tl_take(r, len + pad);
    if (!q) return NULL;
    *n = len;
    return q;
}
/* Bool: boolTrue / boolFalse, anything else is MT_E_TL_VALUE. */
#define MT_TL_BOOL_TRUE  0x997275b5u
#define MT_TL_BOOL_FALSE 0xbc799737u
#define MT_TL_VECTOR     0x1cb5c415u
static inline int mt_tl_bool(struct mt_tl_reader *r)
{
    uint32_t v = mt_tl_u32(r);
    if (v == MT_TL_BOOL_TRUE) return 1;
    if (v != MT_TL_BOOL_FALSE && !r->err) { r->pos -= 4; mt_tl_fail(r, MT_E_TL_VALUE); }
    return 0;
}
/* Boxed Vector header: checks the id, returns the count, bounded by the
 * bytes left (each element takes at least min_elem bytes) so that a forged
 * count cannot make the caller loop or allocate absurdly. */
static inline uint32_t mt_tl_vector(struct mt_tl_reader *r, size_t min_elem)
{
    uint32_t id = mt_tl_u32(r);
    if (!r->err && id != MT_TL_VECTOR) { r->pos -= 4; mt_tl_fail(r, MT_E_TL_CTOR); return 0; }
    uint32_t cnt = mt_tl_u32(r);
    if (!r->err && min_elem && cnt > (r->len - r->pos) / min_elem) { mt_tl_fail(r, MT_E_TL_VALUE); return 0; }
    return r->err ? 0 : cnt;
}

/* ---- writer ------------------------------------------------------------ */
struct mt_tl_writer {
    uint8_t *p;
    size_t cap;
    size_t pos;
    int overflow;          /* sticky: set once anything did not fit */
};
static inline void mt_tl_writer_init(struct mt_tl_writer *w, void *p, size_t cap)
{
    w->p = (uint8_t *)p; w->cap = cap; w->pos = 0; w->overflow = 0;
}
/* Reserve n bytes: pointer to them, or NULL (sticky overflow). */
static inline uint8_t *mt_tl_put(struct mt_tl_writer *w, size_t n)
{
    if (MT_UNLIKELY(w->overflow || n > w->cap - w->pos)) { w->overflow = 1; return NULL; }
    uint8_t *q = w->p + w->pos;
    w->pos += n;
    return q;
}
static inline void mt_tl_w32(struct mt_tl_writer *w, uint32_t v)
{
    uint8_t *q = mt_tl_put(w, 4); if (q) mt_store_le32(q, v);
}
static inline void mt_tl_w64(struct mt_tl_writer *w, uint64_t v)
{
    uint8_t *q = mt_tl_put(w, 8); if (q) mt_store_le64(q, v);
}
static inline void mt_tl_wdouble(struct mt_tl_writer *w, double d)
{
    uint64_t v; memcpy(&v, &d, 8); mt_tl_w64(w, v);
}
static inline void mt_tl_wraw(struct mt_tl_writer *w, const void *src, size_t n)
{
    uint8_t *q = mt_tl_put(w, n); if (q && n) memcpy(q, src, n);
}
static inline void mt_tl_wbool(struct mt_tl_writer *w, int b)
{
    mt_tl_w32(w, b ? MT_TL_BOOL_TRUE : MT_TL_BOOL_FALSE);
}
/* Serialized size of a bytes/string field of n bytes. */
static inline size_t mt_tl_bytes_size(size_t n)
{
    size_t hdr = n < 254 ? 1 : 4;
    return (hdr + n + 3) & ~(size_t)3;
}
/* bytes / string; n must be < 2^24 (else sticky overflow). Padding zeroed. */
static inline void mt_tl_wbytes(struct mt_tl_writer *w, const void *src, size_t n)
{
    if (n >= (1u << 24)) { w->overflow = 1; return; }
    uint8_t *q = mt_tl_put(w, mt_tl_bytes_size(n));
    if (!q) return;
    size_t hdr;
    if (n < 254) { q[0] = (uint8_t)n; hdr = 1; }
    else { q[0] = 254; q[1] = (uint8_t)n; q[2] = (uint8_t)(n >> 8); q[3] = (uint8_t)(n >> 16); hdr = 4; }
    if (n) memcpy(q + hdr, src, n);
    size_t end = mt_tl_bytes_size(n);
    memset(q + hdr + n, 0, end - hdr - n);
}

#ifdef __cplusplus
}
#endif
#endif
