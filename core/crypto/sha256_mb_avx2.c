/* Multi-buffer SHA-256 on AVX2: 8 independent messages, one per 32-bit
 * lane (the AVX-512 kernel's scheme on ymm, with shift/or rotates). Lanes
 * without a block left are masked out of the state update. */
#include <immintrin.h>

#include "core/crypto/sha256_blocks.h"

#define MB256 __attribute__((target("avx2")))
#define INLINE inline __attribute__((always_inline))
#define LANES 8

MB256 static INLINE __m256i ror(__m256i x, int n)
{
    return _mm256_or_si256(_mm256_srli_epi32(x, n), _mm256_slli_epi32(x, 32 - n));
}
MB256 static INLINE __m256i xor3(__m256i a, __m256i b, __m256i c)
{
    return _mm256_xor_si256(_mm256_xor_si256(a, b), c);
}

/* r[i] = 8 words of message i -> w[t] = word t of every message */
MB256 static INLINE void transpose8(const __m256i r[8], __m256i *w)
{
    __m256i t[8], u[8];
    for (int i = 0; i < 8; i += 2) {
        t[i] = _mm256_unpacklo_epi32(r[i], r[i + 1]);
        t[i + 1] = _mm256_unpackhi_epi32(r[i], r[i + 1]);
    }
    for (int i = 0; i < 8; i += 4) {
        u[i] = _mm256_unpacklo_epi64(t[i], t[i + 2]);
        u[i + 1] = _mm256_unpackhi_epi64(t[i], t[i + 2]);
        u[i + 2] = _mm256_unpacklo_epi64(t[i + 1], t[i + 3]);
        u[i + 3] = _mm256_unpackhi_epi64(t[i + 1], t[i + 3]);
    }
    for (int k = 0; k < 4; k++) {
        w[k] = _mm256_permute2x128_si256(u[k], u[4 + k], 0x20);
        w[4 + k] = _mm256_permute2x128_si256(u[k], u[4 + k], 0x31);
    }
}

MB256 static INLINE void compress8(__m256i h[8], __m256i w[16], __m256i active)
{
    __m256i a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
#pragma GCC unroll 64
    for (int t = 0; t < 64; t++) {
        if (t >= 16) {
            __m256i w15 = w[(t - 15) & 15], w2 = w[(t - 2) & 15];
            __m256i s0 = xor3(ror(w15, 7), ror(w15, 18), _mm256_srli_epi32(w15, 3));
            __m256i s1 = xor3(ror(w2, 17), ror(w2, 19), _mm256_srli_epi32(w2, 10));
            w[t & 15] = _mm256_add_epi32(_mm256_add_epi32(w[t & 15], s0),
                                         _mm256_add_epi32(w[(t - 7) & 15], s1));
        }
        __m256i ch = _mm256_xor_si256(g, _mm256_and_si256(e, _mm256_xor_si256(f, g)));
        __m256i t1 = _mm256_add_epi32(hh, xor3(ror(e, 6), ror(e, 11), ror(e, 25)));
        t1 = _mm256_add_epi32(_mm256_add_epi32(t1, ch),
                              _mm256_add_epi32(w[t & 15], _mm256_set1_epi32((int)mt_sha256_k[t])));
        __m256i maj = _mm256_or_si256(_mm256_and_si256(a, b), _mm256_and_si256(c, _mm256_or_si256(a, b)));
        __m256i t2 = _mm256_add_epi32(xor3(ror(a, 2), ror(a, 13), ror(a, 22)), maj);
        hh = g; g = f; f = e;
        e = _mm256_add_epi32(d, t1);
        d = c; c = b; b = a;
        a = _mm256_add_epi32(t1, t2);
    }
    __m256i v[8] = { a, b, c, d, e, f, g, hh };
    for (int i = 0; i < 8; i++) h[i] = _mm256_add_epi32(h[i], _mm256_and_si256(v[i], active));
}

MB256 void mt_sha256_x8_avx2(struct mt_sha256_job *jobs, size_t n)
{
    static const uint8_t zero_block[64] __attribute__((aligned(64)));
    uint8_t stage[LANES][MT_SHA256_SHORT_STAGE] __attribute__((aligned(64)));
    size_t len[LANES], nb[LANES], maxb = 0;
    for (size_t i = 0; i < LANES; i++) {
        len[i] = i < n ? mt_sha256_job_len(&jobs[i]) : 0;
        nb[i] = i < n ? mt_sha256_nblocks(len[i]) : 0;
        maxb = nb[i] > maxb ? nb[i] : maxb;
        if (i < n && len[i] <= MT_SHA256_SHORT_MAX) mt_sha256_stage_short(&jobs[i], len[i], stage[i]);
    }
    const __m256i bswap = _mm256_set_epi8(12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3,
                                          12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3);
    __m256i h[8];
    for (int i = 0; i < 8; i++) h[i] = _mm256_set1_epi32((int)mt_sha256_h0[i]);
    for (size_t b = 0; b < maxb; b++) {
        __m256i lo[8], hi[8], w[16];
        int32_t act[LANES];
        for (size_t i = 0; i < LANES; i++) {
            const uint8_t *p = zero_block;
            act[i] = 0;
            if (b < nb[i]) {
                p = len[i] <= MT_SHA256_SHORT_MAX ? stage[i] + 64 * b
                                                  : mt_sha256_job_block(&jobs[i], len[i], b, stage[i]);
                act[i] = -1;
            }
            lo[i] = _mm256_shuffle_epi8(_mm256_loadu_si256((const __m256i *)p), bswap);
            hi[i] = _mm256_shuffle_epi8(_mm256_loadu_si256((const __m256i *)(p + 32)), bswap);
        }
        transpose8(lo, w);
        transpose8(hi, w + 8);
        compress8(h, w, _mm256_loadu_si256((const __m256i *)act));
    }
    uint32_t words[8][LANES] __attribute__((aligned(32)));
    for (int i = 0; i < 8; i++) _mm256_store_si256((__m256i *)words[i], h[i]);
    for (size_t l = 0; l < n; l++)
        for (int i = 0; i < 8; i++) mt_store_be32(jobs[l].out + 4 * i, words[i][l]);
}
