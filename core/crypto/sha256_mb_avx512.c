/* Multi-buffer SHA-256 on AVX-512: 16 independent messages, one per 32-bit
 * lane. Each block step loads one 64-byte block per message, transposes the
 * 16x16 words so that W[t] holds word t of every message, and runs the 64
 * rounds on all lanes at once (ternary logic for Ch/Maj/sigma, native
 * rotates). Messages that have no block left are masked out of the state
 * update, so lanes may have different lengths. */
#include <immintrin.h>

#include "core/crypto/sha256_blocks.h"

#define MB512 __attribute__((target("avx512f,avx512bw,avx512vl")))
#define INLINE inline __attribute__((always_inline))
#define LANES 16

MB512 static INLINE __m512i xor3(__m512i a, __m512i b, __m512i c)
{
    return _mm512_ternarylogic_epi32(a, b, c, 0x96);
}
#define ROR(x, n) _mm512_ror_epi32((x), (n))

/* rows[i] = block of message i (16 words) -> w[t] = word t of every message */
MB512 static INLINE void transpose16(__m512i r[16], __m512i w[16])
{
    __m512i t[16], u[16];
    for (int i = 0; i < 16; i += 2) {
        t[i] = _mm512_unpacklo_epi32(r[i], r[i + 1]);
        t[i + 1] = _mm512_unpackhi_epi32(r[i], r[i + 1]);
    }
    for (int i = 0; i < 16; i += 4) {
        u[i] = _mm512_unpacklo_epi64(t[i], t[i + 2]);      /* word 0 of rows i..i+3 */
        u[i + 1] = _mm512_unpackhi_epi64(t[i], t[i + 2]);  /* word 1 */
        u[i + 2] = _mm512_unpacklo_epi64(t[i + 1], t[i + 3]);
        u[i + 3] = _mm512_unpackhi_epi64(t[i + 1], t[i + 3]);
    }
    for (int k = 0; k < 4; k++) {   /* u[k], u[4+k], u[8+k], u[12+k]: words k, 4+k, 8+k, 12+k */
        __m512i a = _mm512_shuffle_i32x4(u[k], u[4 + k], 0x88);
        __m512i b = _mm512_shuffle_i32x4(u[8 + k], u[12 + k], 0x88);
        __m512i c = _mm512_shuffle_i32x4(u[k], u[4 + k], 0xDD);
        __m512i d = _mm512_shuffle_i32x4(u[8 + k], u[12 + k], 0xDD);
        w[k] = _mm512_shuffle_i32x4(a, b, 0x88);
        w[8 + k] = _mm512_shuffle_i32x4(a, b, 0xDD);
        w[4 + k] = _mm512_shuffle_i32x4(c, d, 0x88);
        w[12 + k] = _mm512_shuffle_i32x4(c, d, 0xDD);
    }
}

MB512 static INLINE void compress16(__m512i h[8], __m512i w[16], __mmask16 active)
{
    __m512i a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
#pragma GCC unroll 64
    for (int t = 0; t < 64; t++) {
        if (t >= 16) {
            __m512i w15 = w[(t - 15) & 15], w2 = w[(t - 2) & 15];
            __m512i s0 = xor3(ROR(w15, 7), ROR(w15, 18), _mm512_srli_epi32(w15, 3));
            __m512i s1 = xor3(ROR(w2, 17), ROR(w2, 19), _mm512_srli_epi32(w2, 10));
            w[t & 15] = _mm512_add_epi32(_mm512_add_epi32(w[t & 15], s0),
                                         _mm512_add_epi32(w[(t - 7) & 15], s1));
        }
        __m512i t1 = _mm512_add_epi32(hh, xor3(ROR(e, 6), ROR(e, 11), ROR(e, 25)));
        t1 = _mm512_add_epi32(t1, _mm512_ternarylogic_epi32(e, f, g, 0xCA));
        t1 = _mm512_add_epi32(t1, _mm512_add_epi32(w[t & 15], _mm512_set1_epi32((int)mt_sha256_k[t])));
        __m512i t2 = _mm512_add_epi32(xor3(ROR(a, 2), ROR(a, 13), ROR(a, 22)),
                                      _mm512_ternarylogic_epi32(a, b, c, 0xE8));
        hh = g; g = f; f = e;
        e = _mm512_add_epi32(d, t1);
        d = c; c = b; b = a;
        a = _mm512_add_epi32(t1, t2);
    }
    __m512i v[8] = { a, b, c, d, e, f, g, hh };
    for (int i = 0; i < 8; i++) h[i] = _mm512_mask_add_epi32(h[i], active, h[i], v[i]);
}

MB512 void mt_sha256_x16_avx512(struct mt_sha256_job *jobs, size_t n)
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
    const __m512i bswap = _mm512_set4_epi32(0x0c0d0e0f, 0x08090a0b, 0x04050607, 0x00010203);
    __m512i h[8];
    for (int i = 0; i < 8; i++) h[i] = _mm512_set1_epi32((int)mt_sha256_h0[i]);
    for (size_t b = 0; b < maxb; b++) {
        __m512i r[16], w[16];
        __mmask16 active = 0;
        for (size_t i = 0; i < LANES; i++) {
            const uint8_t *p = zero_block;
            if (b < nb[i]) {
                p = len[i] <= MT_SHA256_SHORT_MAX ? stage[i] + 64 * b
                                                  : mt_sha256_job_block(&jobs[i], len[i], b, stage[i]);
                active |= (__mmask16)(1u << i);
            }
            r[i] = _mm512_shuffle_epi8(_mm512_loadu_si512(p), bswap);
        }
        transpose16(r, w);
        compress16(h, w, active);
    }
    uint32_t words[8][LANES] __attribute__((aligned(64)));
    for (int i = 0; i < 8; i++) _mm512_store_si512(words[i], h[i]);
    for (size_t l = 0; l < n; l++)
        for (int i = 0; i < 8; i++) mt_store_be32(jobs[l].out + 4 * i, words[i][l]);
}
