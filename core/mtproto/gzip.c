/* gzip_packed support with zlib: inflate gzip (RFC 1952) and zlib (RFC 1950)
 * streams into a bounded buffer, deflate to gzip. The z_streams are set up
 * once and reset per call, so the hot path never allocates after warm-up. */
#include "core/mtproto/sess_internal.h"

#include <stdlib.h>
#include <zlib.h>

struct mt_gzip {
    z_stream inf;
    z_stream def;
    int inf_ready, def_ready;
    uint8_t *buf;          /* inflate output / deflate scratch */
    size_t buf_cap;
    size_t max_out;
};

struct mt_gzip *mt_gzip_new(size_t max_out)
{
    struct mt_gzip *gz = calloc(1, sizeof(*gz));
    if (!gz) return NULL;
    gz->max_out = max_out ? max_out : MT_SESS_GZIP_MAX_DEFAULT;
    /* 15 + 32: zlib detects a gzip or a zlib header by itself. */
    if (inflateInit2(&gz->inf, 15 + 32) != Z_OK) { free(gz); return NULL; }
    gz->inf_ready = 1;
    return gz;
}

void mt_gzip_free(struct mt_gzip *gz)
{
    if (!gz) return;
    if (gz->inf_ready) inflateEnd(&gz->inf);
    if (gz->def_ready) deflateEnd(&gz->def);
    free(gz->buf);
    free(gz);
}

static int gz_reserve(struct mt_gzip *gz, size_t need)
{
    if (need <= gz->buf_cap) return 0;
    size_t cap = gz->buf_cap ? gz->buf_cap : 4096;
    while (cap < need) cap *= 2;
    uint8_t *p = realloc(gz->buf, cap);
    if (!p) return MT_E_NOMEM;
    gz->buf = p;
    gz->buf_cap = cap;
    return 0;
}

int mt_gzip_inflate(struct mt_gzip *gz, const void *in, size_t len,
                    const uint8_t **out, size_t *out_len)
{
    *out = NULL;
    *out_len = 0;
    if (!gz || len == 0 || len > UINT32_MAX) return MT_E_GZIP;
    if (inflateReset(&gz->inf) != Z_OK) return MT_E_GZIP;
    /* Output is bounded by max_out: room for one byte more tells "too big"
     * apart from "exactly max_out". Start with a guess of 4x, then double. */
    size_t bound = gz->max_out + 1;
    size_t cap = len * 4 < bound ? len * 4 : bound;
    if (cap < 256) cap = 256 < bound ? 256 : bound;
    if (gz_reserve(gz, cap)) return MT_E_NOMEM;
    gz->inf.next_in = (Bytef *)(uintptr_t)in;
    gz->inf.avail_in = (uInt)len;
    size_t produced = 0;
    for (;;) {
        size_t room = (gz->buf_cap < bound ? gz->buf_cap : bound) - produced;
        gz->inf.next_out = gz->buf + produced;
        gz->inf.avail_out = (uInt)(room > UINT32_MAX ? UINT32_MAX : room);
        size_t before = gz->inf.avail_out;
        int rc = inflate(&gz->inf, Z_NO_FLUSH);
        produced += before - gz->inf.avail_out;
        if (produced > gz->max_out) return MT_E_GZIP;    /* over the bound */
        if (rc == Z_STREAM_END) break;
        if (rc != Z_OK && rc != Z_BUF_ERROR) return MT_E_GZIP;
        if (gz->inf.avail_out != 0) return MT_E_GZIP;   /* input ended mid-stream */
        size_t want = gz->buf_cap * 2 < bound ? gz->buf_cap * 2 : bound;
        if (gz_reserve(gz, want)) return MT_E_NOMEM;
    }
    *out = gz->buf;
    *out_len = produced;
    return 0;
}

int mt_gzip_deflate(struct mt_gzip *gz, const void *in, size_t len,
                    uint8_t *out, size_t cap, size_t *out_len)
{
    *out_len = 0;
    if (!gz || len > UINT32_MAX) return MT_E_INVAL;
    if (!gz->def_ready) {
        /* 15 + 16: gzip wrapper, what gzip_packed carries. Level 6: the
         * usual ratio/speed point; results are small RPC objects. */
        if (deflateInit2(&gz->def, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
            return MT_E_NOMEM;
        gz->def_ready = 1;
    } else if (deflateReset(&gz->def) != Z_OK) {
        return MT_E_GZIP;
    }
    gz->def.next_in = (Bytef *)(uintptr_t)in;
    gz->def.avail_in = (uInt)len;
    gz->def.next_out = out;
    gz->def.avail_out = (uInt)(cap > UINT32_MAX ? UINT32_MAX : cap);
    int rc = deflate(&gz->def, Z_FINISH);
    if (rc != Z_STREAM_END) return MT_E_OVERFLOW;
    *out_len = cap - gz->def.avail_out;
    return 0;
}

int mt_gzip_pack(struct mt_gzip *gz, const void *obj, size_t len, struct mt_tl_writer *w)
{
    if (!gz || len >= (1u << 24)) return MT_E_RANGE;
    /* Deflate straight into the writer past the largest bytes header (4), then
     * fix the header: the payload moves back 3 bytes when it is short. */
    size_t room = w->cap - w->pos;
    if (w->overflow || room <= 16) return MT_E_RANGE;
    size_t limit = room - 12;   /* ctor + bytes header + padding always fit */
    if (limit > len) limit = len;      /* no gain beyond the input size */
    uint8_t *base = w->p + w->pos;
    size_t n = 0;
    if (mt_gzip_deflate(gz, obj, len, base + 8, limit, &n) != 0) return MT_E_RANGE;
    if (mt_tl_bytes_size(n) + 4 >= len) return MT_E_RANGE;
    mt_store_le32(base, MT_TL_ID_GZIP_PACKED);
    size_t hdr = n < 254 ? 1 : 4;
    if (hdr == 1) { base[4] = (uint8_t)n; memmove(base + 5, base + 8, n); }
    else { base[4] = 254; base[5] = (uint8_t)n; base[6] = (uint8_t)(n >> 8); base[7] = (uint8_t)(n >> 16); }
    size_t total = mt_tl_bytes_size(n);
    memset(base + 4 + hdr + n, 0, total - hdr - n);
    w->pos += 4 + total;
    return 0;
}
