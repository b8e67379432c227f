/* Internal: the pieces of the 16-lane AVX-512 SHA-256 (one message per
 * 32-bit lane) that the generic multi-buffer kernel and the MTProto message
 * kernels share: the 16x16 word transpose, the 64 rounds, and the way back
 * from word vectors to per-lane bytes. Only for files compiled with the
 * MT_X16 target. */
#ifndef MT_SHA256_X16_H
#define MT_SHA256_X16_H

#include <immintrin.h>

#include "core/crypto/sha256_blocks.h"

#define MT_X16 __attribute__((target("avx512f,avx512bw,avx512vl,bmi2")))
#define MT_X16_INLINE inline __attribute__((always_inline))

/* The round constants broadcast to 16 lanes, added as memory operands (a
 * load, no ALU port; set1 makes GCC hoist 64 broadcasts and spill them on
 * every call). */
extern const uint32_t mt_sha256_k16[64][16];

MT_X16 static MT_X16_INLINE __m512i mt_x16_xor3(__m512i a, __m512i b, __m512i c)
{
    return _mm512_ternarylogic_epi32(a, b, c, 0x96);
}

/* Byte order within each 32-bit word: message words are big-endian. */
MT_X16 static MT_X16_INLINE __m512i mt_x16_bswap_mask(void)
{
    return _mm512_set4_epi32(0x0c0d0e0f, 0x08090a0b, 0x04050607, 0x00010203);
}

/* The rest of a lane's block at stream offset off of a total-byte message,
 * once its data bytes are in r: the 0x80 terminator where the data ends,
 * big-endian words, and in the last block the bit length (words 14, 15 =
 * high, low half). */
MT_X16 static MT_X16_INLINE __m512i mt_x16_finish_row(__m512i r, size_t total, size_t off, int last,
                                                      __m512i bswap)
{
    if (total >= off && total < off + 64)
        r = _mm512_mask_blend_epi8((__mmask64)1 << (total - off), r, _mm512_set1_epi8((char)0x80));
    r = _mm512_shuffle_epi8(r, bswap);
    if (last) {
        uint64_t bits = (uint64_t)total * 8;
        r = _mm512_mask_set1_epi64(r, 0x80, (long long)((bits << 32) | (bits >> 32)));
    }
    return r;
}

/* r[i] = 16 words of lane i  ->  w[t] = word t of every lane. The same
 * operation turns 16 word vectors back into 16 lane rows. */
MT_X16 static MT_X16_INLINE void mt_x16_transpose(const __m512i r[16], __m512i w[16])
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

/* One block on every lane in `active`; w (the schedule) is consumed. h + K
 * + W is summed before Ch and Sigma1 join it, so that only the last add of
 * t1 waits on e. */
MT_X16 static MT_X16_INLINE void mt_x16_compress(__m512i h[8], __m512i w[16], __mmask16 active)
{
    __m512i a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
#pragma GCC unroll 64
    for (int t = 0; t < 64; t++) {
        if (t >= 16) {
            __m512i w15 = w[(t - 15) & 15], w2 = w[(t - 2) & 15];
            __m512i s0 = mt_x16_xor3(_mm512_ror_epi32(w15, 7), _mm512_ror_epi32(w15, 18),
                                     _mm512_srli_epi32(w15, 3));
            __m512i s1 = mt_x16_xor3(_mm512_ror_epi32(w2, 17), _mm512_ror_epi32(w2, 19),
                                     _mm512_srli_epi32(w2, 10));
            w[t & 15] = _mm512_add_epi32(_mm512_add_epi32(w[t & 15], s0),
                                         _mm512_add_epi32(w[(t - 7) & 15], s1));
        }
        __m512i x = _mm512_add_epi32(hh, _mm512_add_epi32(w[t & 15], _mm512_load_si512(mt_sha256_k16[t])));
        x = _mm512_add_epi32(x, _mm512_ternarylogic_epi32(e, f, g, 0xCA));
        __m512i t1 = _mm512_add_epi32(x, mt_x16_xor3(_mm512_ror_epi32(e, 6), _mm512_ror_epi32(e, 11),
                                                     _mm512_ror_epi32(e, 25)));
        __m512i t2 = _mm512_add_epi32(mt_x16_xor3(_mm512_ror_epi32(a, 2), _mm512_ror_epi32(a, 13),
                                                  _mm512_ror_epi32(a, 22)),
                                      _mm512_ternarylogic_epi32(a, b, c, 0xE8));
        hh = g; g = f; f = e;
        e = _mm512_add_epi32(d, t1);
        d = c; c = b; b = a;
        a = _mm512_add_epi32(t1, t2);
    }
    __m512i v[8] = { a, b, c, d, e, f, g, hh };
    for (int i = 0; i < 8; i++) h[i] = _mm512_mask_add_epi32(h[i], active, h[i], v[i]);
}

MT_X16 static MT_X16_INLINE void mt_x16_init(__m512i h[8])
{
    for (int i = 0; i < 8; i++) h[i] = _mm512_set1_epi32((int)mt_sha256_h0[i]);
}

/* The 8 state words of every lane as 32-byte big-endian digests: out[l]
 * for l < n. After two unpack rounds u[k] / v[k] hold words 0-3 / 4-7 of
 * lane 4c+k in their 128-bit chunk c. */
MT_X16 static MT_X16_INLINE void mt_x16_store_digests(const __m512i h[8], uint8_t *const *out, size_t n)
{
    const __m512i bswap = mt_x16_bswap_mask();
    __m512i t[8], u[4], v[4];
    for (int i = 0; i < 8; i += 2) {
        t[i] = _mm512_unpacklo_epi32(h[i], h[i + 1]);
        t[i + 1] = _mm512_unpackhi_epi32(h[i], h[i + 1]);
    }
    for (int s = 0; s < 2; s++) {
        __m512i *o = s ? v : u;
        const __m512i *q = t + 4 * s;
        o[0] = _mm512_shuffle_epi8(_mm512_unpacklo_epi64(q[0], q[2]), bswap);
        o[1] = _mm512_shuffle_epi8(_mm512_unpackhi_epi64(q[0], q[2]), bswap);
        o[2] = _mm512_shuffle_epi8(_mm512_unpacklo_epi64(q[1], q[3]), bswap);
        o[3] = _mm512_shuffle_epi8(_mm512_unpackhi_epi64(q[1], q[3]), bswap);
    }
    uint8_t lo[4][64] __attribute__((aligned(64))), hi[4][64] __attribute__((aligned(64)));
    for (int k = 0; k < 4; k++) {
        _mm512_store_si512(lo[k], u[k]);
        _mm512_store_si512(hi[k], v[k]);
    }
    for (size_t l = 0; l < n; l++) {
        size_t k = l & 3, c = l >> 2;
        _mm_storeu_si128((__m128i *)out[l], _mm_load_si128((const __m128i *)(lo[k] + 16 * c)));
        _mm_storeu_si128((__m128i *)(out[l] + 16), _mm_load_si128((const __m128i *)(hi[k] + 16 * c)));
    }
}

#endif
