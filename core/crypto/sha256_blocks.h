/* Internal: the padded block stream of a SHA-256 job (up to 3 parts), for
 * the kernels that consume one 64-byte block at a time (SHA-NI x2 and the
 * multi-buffer lanes). A block that lies inside one part is used in place;
 * one that straddles parts or holds the padding is assembled in `stage`. */
#ifndef MT_SHA256_BLOCKS_H
#define MT_SHA256_BLOCKS_H

#include "core/crypto/crypto_impl.h"

extern const uint32_t mt_sha256_k[64];
extern const uint32_t mt_sha256_h0[8];

/* Number of compression blocks of a len-byte message (with padding). */
static inline size_t mt_sha256_nblocks(size_t len) { return (len + 8) / 64 + 1; }

static inline const uint8_t *mt_sha256_job_block(const struct mt_sha256_job *j, size_t total,
                                                 size_t b, uint8_t stage[64])
{
    size_t off = b * 64, base = 0;
    if (off + 64 <= total) {
        for (int i = 0; i < MT_SHA256_JOB_PARTS; i++) {
            size_t n = j->part[i].n;
            if (off >= base && off + 64 <= base + n)
                return (const uint8_t *)j->part[i].p + (off - base);
            base += n;
        }
    }
    /* gather the data bytes of [off, off+64) from the parts */
    size_t fill = 0;
    base = 0;
    for (int i = 0; i < MT_SHA256_JOB_PARTS && fill < 64; i++) {
        size_t n = j->part[i].n, lo = base, hi = base + n;
        base = hi;
        if (hi <= off + fill || lo >= off + 64) continue;
        size_t from = off + fill - lo, take = hi - (off + fill);
        if (take > 64 - fill) take = 64 - fill;
        memcpy(stage + fill, (const uint8_t *)j->part[i].p + from, take);
        fill += take;
    }
    if (fill == 64) return stage;
    memset(stage + fill, 0, 64 - fill);
    if (off + fill == total && total < off + 64) stage[fill] = 0x80;
    if (b + 1 == mt_sha256_nblocks(total)) mt_store_be64(stage + 56, (uint64_t)total * 8);
    return stage;
}

/* A short job (at most 4 blocks, len <= 247) padded whole into
 * stage[MT_SHA256_SHORT_STAGE]: one pass of copies instead of a part search
 * per block. */
#define MT_SHA256_SHORT_MAX 247
#define MT_SHA256_SHORT_STAGE 256
static inline void mt_sha256_stage_short(const struct mt_sha256_job *j, size_t total,
                                         uint8_t stage[MT_SHA256_SHORT_STAGE])
{
    size_t off = 0;
    for (int i = 0; i < MT_SHA256_JOB_PARTS; i++) {
        if (j->part[i].n) memcpy(stage + off, j->part[i].p, j->part[i].n);
        off += j->part[i].n;
    }
    size_t end = 64 * mt_sha256_nblocks(total);
    stage[total] = 0x80;
    memset(stage + total + 1, 0, end - 8 - total - 1);
    mt_store_be64(stage + end - 8, (uint64_t)total * 8);
}

static inline void mt_sha256_store_digest(const uint32_t h[8], uint8_t out[32])
{
    for (int i = 0; i < 8; i++) mt_store_be32(out + 4 * i, h[i]);
}

#endif
