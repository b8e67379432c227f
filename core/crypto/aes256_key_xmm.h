/* Internal: the AES-256 key schedule on xmm, shared by the AES-NI paths
 * (IGE single stream and batch) and the VAES CTR keystream, which
 * broadcasts it. No aeskeygenassist: it is microcoded (~12 cycles of
 * throughput each on recent Intel cores). SubWord(RotWord(w3)) ^ rcon is
 * aesenclast of w3 rotated and broadcast to all four columns (ShiftRows
 * then moves nothing) with rcon as the round key. */
#ifndef MT_AES256_KEY_XMM_H
#define MT_AES256_KEY_XMM_H

#include <immintrin.h>

#include "core/crypto/crypto_impl.h"

#define MT_AES_XMM __attribute__((target("aes,sse4.1,ssse3")))

/* Next round key: w' = w ^ (w<<32) ^ (w<<64) ^ (w<<96) ^ broadcast(t). */
MT_AES_XMM static inline __attribute__((always_inline)) __m128i mt_aes256_key_mix(__m128i k, __m128i t)
{
    k = _mm_xor_si128(k, _mm_slli_si128(k, 4));
    k = _mm_xor_si128(k, _mm_slli_si128(k, 8));
    return _mm_xor_si128(k, t);
}

MT_AES_XMM static inline __attribute__((always_inline)) void mt_aes256_expand_xmm(const uint8_t key[32],
                                                                                  __m128i rk[15])
{
    const __m128i rot_bcast = _mm_set1_epi32(0x0c0f0e0d);   /* bytes 13,14,15,12 */
    const __m128i bcast = _mm_set1_epi32(0x0f0e0d0c);       /* bytes 12..15 */
    rk[0] = _mm_loadu_si128((const __m128i *)key);
    rk[1] = _mm_loadu_si128((const __m128i *)(key + 16));
    int rcon = 1;
#pragma GCC unroll 13
    for (int i = 2; i < 15; i++) {
        __m128i t;
        if (i & 1) {
            t = _mm_aesenclast_si128(_mm_shuffle_epi8(rk[i - 1], bcast), _mm_setzero_si128());
        } else {
            t = _mm_aesenclast_si128(_mm_shuffle_epi8(rk[i - 1], rot_bcast), _mm_set1_epi32(rcon));
            rcon <<= 1;
        }
        rk[i] = mt_aes256_key_mix(rk[i - 2], t);
    }
}

#endif
