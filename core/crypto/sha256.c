/* SHA-256 public entry points: one-shot, incremental context over the
 * dispatched compression function, and the batch scheduler that feeds the
 * multi-buffer kernels (AVX-512 x16, AVX2 x8, SHA-NI x2). */
#include <stdlib.h>
#include <string.h>

#include "core/crypto/sha256_blocks.h"

static const uint32_t sha256_iv[8] = {
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
    0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

void mt_sha256(const void *data, size_t len, uint8_t out[32])
{
    struct mt_span s = { data, len };
    mt_crypto_impl()->sha256_v(&s, 1, out);
}

void mt_sha256_v(const struct mt_span *parts, size_t nparts, uint8_t out[32])
{
    mt_crypto_impl()->sha256_v(parts, nparts, out);
}

void mt_sha256_init(struct mt_sha256_ctx *c)
{
    memcpy(c->h, sha256_iv, sizeof c->h);
    c->total = 0;
    c->buflen = 0;
}

void mt_sha256_update(struct mt_sha256_ctx *c, const void *data, size_t len)
{
    const uint8_t *p = data;
    mt_sha256_blocks_fn blocks = mt_crypto_impl()->sha256_blocks;
    c->total += len;
    if (c->buflen) {
        size_t take = 64 - c->buflen < len ? 64 - c->buflen : len;
        memcpy(c->buf + c->buflen, p, take);
        c->buflen += take; p += take; len -= take;
        if (c->buflen < 64) return;
        blocks(c->h, c->buf, 1);
        c->buflen = 0;
    }
    if (len >= 64) {
        blocks(c->h, p, len / 64);
        p += len & ~(size_t)63;
        len &= 63;
    }
    memcpy(c->buf, p, len);
    c->buflen = len;
}

void mt_sha256_final(struct mt_sha256_ctx *c, uint8_t out[32])
{
    mt_sha256_blocks_fn blocks = mt_crypto_impl()->sha256_blocks;
    uint64_t bits = c->total * 8;
    c->buf[c->buflen++] = 0x80;
    if (c->buflen > 56) {
        memset(c->buf + c->buflen, 0, 64 - c->buflen);
        blocks(c->h, c->buf, 1);
        c->buflen = 0;
    }
    memset(c->buf + c->buflen, 0, 56 - c->buflen);
    mt_store_be64(c->buf + 56, bits);
    blocks(c->h, c->buf, 1);
    for (int i = 0; i < 8; i++) mt_store_be32(out + 4 * i, c->h[i]);
    explicit_bzero(c, sizeof *c);   /* mt_wipe is a byte loop: too slow per hash */
}

/* ---- batch ------------------------------------------------------------- */

static void hash_one(const struct mt_crypto_impl *t, struct mt_sha256_job *j)
{
    t->sha256_v(j->part, MT_SHA256_JOB_PARTS, j->out);
}

/* k jobs of similar length: the wide kernel if enough of them, else pairs
 * of SHA-NI streams, else one at a time. */
static void run_chunk(const struct mt_crypto_impl *t, struct mt_sha256_job *jobs, size_t k)
{
    if (t->sha256_mb && k >= t->sha256_mb_min) {
        t->sha256_mb(jobs, k);
        return;
    }
    size_t i = 0;
    if (t->sha256_x2)
        for (; i + 2 <= k; i += 2) t->sha256_x2(jobs + i, 2);
    for (; i < k; i++) hash_one(t, &jobs[i]);
}

static size_t job_blocks(const struct mt_sha256_job *j) { return mt_sha256_nblocks(mt_sha256_job_len(j)); }

/* A multi-buffer kernel runs as many blocks as its longest lane, so when
 * lengths differ the jobs are taken in order of block count (gathered into
 * a staging batch) to keep lanes busy. */
static void run_sorted(const struct mt_crypto_impl *t, struct mt_sha256_job *jobs, size_t n,
                       size_t minb, size_t maxb)
{
    struct mt_sha256_job stage[16];
    size_t w = t->sha256_mb_width, ns = 0;
    for (size_t b = minb; b <= maxb; b++) {
        for (size_t i = 0; i < n; i++) {
            if (job_blocks(&jobs[i]) != b) continue;
            stage[ns++] = jobs[i];
            if (ns == w) { run_chunk(t, stage, ns); ns = 0; }
        }
        /* leftovers of this length join the next (longer) ones: the
         * kernel masks lanes that finish early */
    }
    run_chunk(t, stage, ns);
}

void mt_sha256_batch(struct mt_sha256_job *jobs, size_t n)
{
    const struct mt_crypto_impl *t = mt_crypto_impl();
    if (!t->sha256_mb || n < t->sha256_mb_min) {
        run_chunk(t, jobs, n);
        return;
    }
    size_t w = t->sha256_mb_width, minb = SIZE_MAX, maxb = 0;
    for (size_t i = 0; i < n; i++) {
        size_t b = job_blocks(&jobs[i]);
        minb = b < minb ? b : minb;
        maxb = b > maxb ? b : maxb;
    }
    if (maxb - minb > 1 && n > w && maxb - minb <= 64) {
        run_sorted(t, jobs, n, minb, maxb);
        return;
    }
    for (size_t i = 0; i < n; i += w) run_chunk(t, jobs + i, n - i < w ? n - i : w);
}
