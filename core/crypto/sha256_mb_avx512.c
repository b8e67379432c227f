/* Multi-buffer SHA-256 on AVX-512: 16 independent messages, one per 32-bit
 * lane. Each block step loads one 64-byte block per message, transposes the
 * 16x16 words so that W[t] holds word t of every message, and runs the 64
 * rounds on all lanes at once (ternary logic for Ch/Maj/sigma, native
 * rotates). Messages that have no block left are masked out of the state
 * update, so lanes may have different lengths. */
#include "core/crypto/sha256_x16.h"

#define LANES 16

#define K16(k) { k, k, k, k, k, k, k, k, k, k, k, k, k, k, k, k }
const uint32_t mt_sha256_k16[64][16] __attribute__((aligned(64))) = {
    K16(0x428a2f98), K16(0x71374491), K16(0xb5c0fbcf), K16(0xe9b5dba5), K16(0x3956c25b), K16(0x59f111f1), K16(0x923f82a4), K16(0xab1c5ed5),
    K16(0xd807aa98), K16(0x12835b01), K16(0x243185be), K16(0x550c7dc3), K16(0x72be5d74), K16(0x80deb1fe), K16(0x9bdc06a7), K16(0xc19bf174),
    K16(0xe49b69c1), K16(0xefbe4786), K16(0x0fc19dc6), K16(0x240ca1cc), K16(0x2de92c6f), K16(0x4a7484aa), K16(0x5cb0a9dc), K16(0x76f988da),
    K16(0x983e5152), K16(0xa831c66d), K16(0xb00327c8), K16(0xbf597fc7), K16(0xc6e00bf3), K16(0xd5a79147), K16(0x06ca6351), K16(0x14292967),
    K16(0x27b70a85), K16(0x2e1b2138), K16(0x4d2c6dfc), K16(0x53380d13), K16(0x650a7354), K16(0x766a0abb), K16(0x81c2c92e), K16(0x92722c85),
    K16(0xa2bfe8a1), K16(0xa81a664b), K16(0xc24b8b70), K16(0xc76c51a3), K16(0xd192e819), K16(0xd6990624), K16(0xf40e3585), K16(0x106aa070),
    K16(0x19a4c116), K16(0x1e376c08), K16(0x2748774c), K16(0x34b0bcb5), K16(0x391c0cb3), K16(0x4ed8aa4a), K16(0x5b9cca4f), K16(0x682e6ff3),
    K16(0x748f82ee), K16(0x78a5636f), K16(0x84c87814), K16(0x8cc70208), K16(0x90befffa), K16(0xa4506ceb), K16(0xbef9a3f7), K16(0xc67178f2),
};

/* Block b of a job's padded stream, built in a register: each part is one
 * merge-masked byte load whose address is shifted so that byte k of the
 * block lands in byte k of the vector; bytes outside the part are masked
 * off, so they are neither read (masked loads do not fault) nor written.
 * Then the 0x80 terminator and, in the last block, the bit length. This
 * replaces a per-lane staging copy, which cost more than the compression
 * for one-block messages. */
static MT_X16_INLINE __mmask64 low_bytes(size_t k) { return k >= 64 ? ~0ull : (1ull << k) - 1; }

MT_X16 static MT_X16_INLINE __m512i lane_block(const struct mt_sha256_job *j, size_t total, size_t nb,
                                               size_t b, __m512i bswap)
{
    size_t off = 64 * b, base = 0;
    __m512i r = _mm512_setzero_si512();
    for (int i = 0; i < MT_SHA256_JOB_PARTS; i++) {
        size_t n = j->part[i].n, lo = base > off ? base : off;
        size_t hi = base + n < off + 64 ? base + n : off + 64;
        if (lo < hi) {
            __mmask64 m = low_bytes(hi - off) & ~low_bytes(lo - off);
            const void *src = (const void *)((uintptr_t)j->part[i].p + off - base);
            r = _mm512_mask_loadu_epi8(r, m, src);
        }
        base += n;
    }
    return mt_x16_finish_row(r, total, off, b + 1 == nb, bswap);
}

MT_X16 void mt_sha256_x16_avx512(struct mt_sha256_job *jobs, size_t n)
{
    size_t len[LANES], nb[LANES], maxb = 0;
    for (size_t i = 0; i < n; i++) {
        len[i] = mt_sha256_job_len(&jobs[i]);
        nb[i] = mt_sha256_nblocks(len[i]);
        maxb = nb[i] > maxb ? nb[i] : maxb;
    }
    const __m512i bswap = mt_x16_bswap_mask();
    __m512i h[8];
    mt_x16_init(h);
    for (size_t b = 0; b < maxb; b++) {
        __m512i r[16], w[16];
        __mmask16 active = 0;
        for (size_t i = 0; i < LANES; i++) {
            r[i] = _mm512_setzero_si512();
            if (i < n && b < nb[i]) {
                r[i] = lane_block(&jobs[i], len[i], nb[i], b, bswap);
                active |= (__mmask16)(1u << i);
            }
        }
        mt_x16_transpose(r, w);
        mt_x16_compress(h, w, active);
    }
    uint8_t *out[LANES];
    for (size_t i = 0; i < n; i++) out[i] = jobs[i].out;
    mt_x16_store_digests(h, out, n);
}
