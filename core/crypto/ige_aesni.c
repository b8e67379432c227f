/* AES-256-IGE with AES-NI on xmm (key schedule in aes256_key_xmm.h): the
 * single-stream path (latency bound: 14 dependent rounds per block, like CBC
 * encryption), an 8-message interleaved batch kernel and the rng's CTR keystream. */
#include <immintrin.h>

#include "core/crypto/aes256_key_xmm.h"
#include "core/crypto/ige_batch.h"

#define AESNI __attribute__((target("aes,sse4.1,ssse3")))

/* Equivalent inverse cipher: reversed order, InvMixColumns on 1..13. */
AESNI static inline void enc_to_dec(const __m128i rk[15], __m128i dk[15])
{
    dk[0] = rk[14];
    for (int i = 1; i < 14; i++) dk[i] = _mm_aesimc_si128(rk[14 - i]);
    dk[14] = rk[0];
}

/* Single stream. The IGE xors are folded into the last round key so the
 * loop-carried chain is exactly the 14 AES rounds: with
 *   s_i = p_i ^ c_{i-1} ^ rk0 (the state after round 0),
 *   s_{i+1} = p_{i+1} ^ E(s_i) ^ p_{i-1} ^ rk0
 *           = aesenclast(rounds(s_i), rk14 ^ p_{i+1} ^ p_{i-1} ^ rk0),
 * and c_i = s_{i+1} ^ p_{i+1} ^ rk0 is computed off the critical path. */
AESNI void mt_ige_encrypt_aesni(const uint8_t key[32], uint8_t iv[32], const uint8_t *in,
                                uint8_t *out, size_t len)
{
    __m128i rk[15];
    mt_aes256_expand_xmm(key, rk);
    size_t nb = len / 16;
    __m128i c_prev = _mm_loadu_si128((const __m128i *)iv);
    __m128i p_prev = _mm_loadu_si128((const __m128i *)(iv + 16));
    __m128i p = _mm_loadu_si128((const __m128i *)in);
    __m128i s = _mm_xor_si128(_mm_xor_si128(p, c_prev), rk[0]);
    __m128i last_key_rk0 = _mm_xor_si128(rk[14], rk[0]);
    for (size_t i = 0; i < nb; i++) {
        /* the next plaintext (or zero past the end) is loaded before the
         * store of this block: in == out stays correct */
        __m128i p_next = i + 1 < nb ? _mm_loadu_si128((const __m128i *)(in + 16 * (i + 1)))
                                    : _mm_setzero_si128();
        __m128i k_last = _mm_xor_si128(last_key_rk0, _mm_xor_si128(p_prev, p_next));
        for (int r = 1; r < 14; r++) s = _mm_aesenc_si128(s, rk[r]);
        s = _mm_aesenclast_si128(s, k_last);
        __m128i c = _mm_xor_si128(s, _mm_xor_si128(p_next, rk[0]));
        _mm_storeu_si128((__m128i *)(out + 16 * i), c);
        p_prev = p;
        p = p_next;
        c_prev = c;
    }
    _mm_storeu_si128((__m128i *)iv, c_prev);
    _mm_storeu_si128((__m128i *)(iv + 16), p_prev);
}

/* Decryption, same folding: s_i = c_i ^ p_{i-1} ^ dk0, p_i = D(s_i) ^ c_{i-1}. */
AESNI void mt_ige_decrypt_aesni(const uint8_t key[32], uint8_t iv[32], const uint8_t *in,
                                uint8_t *out, size_t len)
{
    __m128i rk[15], dk[15];
    mt_aes256_expand_xmm(key, rk);
    enc_to_dec(rk, dk);
    size_t nb = len / 16;
    __m128i c_prev = _mm_loadu_si128((const __m128i *)iv);
    __m128i p_prev = _mm_loadu_si128((const __m128i *)(iv + 16));
    __m128i c = _mm_loadu_si128((const __m128i *)in);
    __m128i s = _mm_xor_si128(_mm_xor_si128(c, p_prev), dk[0]);
    __m128i last_key_dk0 = _mm_xor_si128(dk[14], dk[0]);
    for (size_t i = 0; i < nb; i++) {
        __m128i c_next = i + 1 < nb ? _mm_loadu_si128((const __m128i *)(in + 16 * (i + 1)))
                                    : _mm_setzero_si128();
        __m128i k_last = _mm_xor_si128(last_key_dk0, _mm_xor_si128(c_prev, c_next));
        for (int r = 1; r < 14; r++) s = _mm_aesdec_si128(s, dk[r]);
        s = _mm_aesdeclast_si128(s, k_last);
        __m128i p = _mm_xor_si128(s, _mm_xor_si128(c_next, dk[0]));
        _mm_storeu_si128((__m128i *)(out + 16 * i), p);
        c_prev = c;
        c = c_next;
        p_prev = p;
    }
    _mm_storeu_si128((__m128i *)iv, c_prev);
    _mm_storeu_si128((__m128i *)(iv + 16), p_prev);
}

/* ---- batch: 8 messages, one per xmm register ---------------------------- */

/* One lane's schedule (encryption or equivalent inverse) into the layout:
 * with one lane per register, lane l's keys are 15 consecutive blocks. */
AESNI static inline void store_lane_keys(struct mt_ige_lanes *st, size_t l, const __m128i rk[15])
{
    __m128i *dst = (__m128i *)st->rk + l * 15;
    if (!st->decrypt) {
        for (int r = 0; r < 15; r++) _mm_store_si128(dst + r, rk[r]);
        return;
    }
    __m128i dk[15];
    enc_to_dec(rk, dk);
    for (int r = 0; r < 15; r++) _mm_store_si128(dst + r, dk[r]);
}

/* Two keys per step: their serial expansion chains overlap. */
AESNI static void expand_lanes_xmm(struct mt_ige_lanes *st, const size_t *lanes, size_t count)
{
    for (size_t i = 0; i < count; i += 2) {
        size_t la = lanes[i], lb = lanes[i + 1 < count ? i + 1 : i];
        __m128i ra[15], rb[15];
        mt_aes256_expand_xmm(st->job[la]->key, ra);
        mt_aes256_expand_xmm(st->job[lb]->key, rb);
        store_lane_keys(st, la, ra);
        if (lb != la) store_lane_keys(st, lb, rb);
    }
}

#define XL 8
/* Only the 8 states stay in registers through the rounds (16 xmm in all
 * without AVX-512); the chaining values live in st (memory) and are
 * loaded when needed, which costs less than the compiler's spills. */
AESNI static inline __attribute__((always_inline)) void kernel_xmm(struct mt_ige_lanes *st,
                                                                 size_t nblocks, const int dec)
{
    struct mt_ige_bases lb;
    mt_ige_bases_load(st, &lb);
    const __m128i *rk = (const __m128i *)st->rk;   /* [lane][round] since width 1 */
    __m128i *cpm = (__m128i *)st->cprev, *ppm = (__m128i *)st->pprev;
    for (size_t b = 0; b < 16 * nblocks; b += 16) {
        __m128i s[XL];
#pragma GCC unroll 8
        for (int l = 0; l < XL; l++) {
            __m128i x = _mm_loadu_si128((const __m128i *)(lb.in[l] + b));
            /* enc: E(p ^ c_prev), then p_prev = p; dec: D(c ^ p_prev), then
             * c_prev = c. The other chaining value is still needed for the
             * output: park it in the spare slot (x's) meanwhile. */
            s[l] = _mm_xor_si128(_mm_xor_si128(x, dec ? ppm[l] : cpm[l]), rk[l * 15]);
            if (dec) {
                __m128i c_old = cpm[l];
                cpm[l] = x;
                ppm[l] = c_old;        /* out = D(..) ^ c_old */
            } else {
                __m128i p_old = ppm[l];
                ppm[l] = x;
                cpm[l] = p_old;        /* out = E(..) ^ p_old */
            }
        }
#pragma GCC unroll 13
        for (int r = 1; r < 14; r++) {
#pragma GCC unroll 8
            for (int l = 0; l < XL; l++)
                s[l] = dec ? _mm_aesdec_si128(s[l], rk[l * 15 + r]) : _mm_aesenc_si128(s[l], rk[l * 15 + r]);
        }
#pragma GCC unroll 8
        for (int l = 0; l < XL; l++) {
            s[l] = dec ? _mm_aesdeclast_si128(s[l], rk[l * 15 + 14])
                       : _mm_aesenclast_si128(s[l], rk[l * 15 + 14]);
            /* enc: c = E ^ p_old (parked in cpm), c_prev = c
             * dec: p = D ^ c_old (parked in ppm), p_prev = p */
            __m128i o = _mm_xor_si128(s[l], dec ? ppm[l] : cpm[l]);
            if (dec) ppm[l] = o; else cpm[l] = o;
            if (lb.busy >> l & 1) _mm_storeu_si128((__m128i *)(lb.out[l] + b), o);
        }
    }
    mt_ige_bases_advance(st, nblocks);
}

AESNI static void kernel_xmm_enc(struct mt_ige_lanes *st, size_t nb) { kernel_xmm(st, nb, 0); }
AESNI static void kernel_xmm_dec(struct mt_ige_lanes *st, size_t nb) { kernel_xmm(st, nb, 1); }

void mt_ige_encrypt_batch_aesni(struct mt_ige_job *jobs, size_t n)
{
    mt_ige_batch_run(jobs, n, XL, 1, 0, kernel_xmm_enc, expand_lanes_xmm);
}

void mt_ige_decrypt_batch_aesni(struct mt_ige_job *jobs, size_t n)
{
    mt_ige_batch_run(jobs, n, XL, 1, 1, kernel_xmm_dec, expand_lanes_xmm);
}

/* ---- CTR keystream for the rng ------------------------------------------ */

AESNI void mt_ctr_stream_aesni(const uint8_t key[32], uint8_t ctr[16], uint8_t *out, size_t n)
{
    __m128i rk[15];
    mt_aes256_expand_xmm(key, rk);
    const __m128i bswap = _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    /* counter as a little-endian 128-bit number in (lo, hi) */
    __m128i be = _mm_loadu_si128((const __m128i *)ctr);
    __m128i le = _mm_shuffle_epi8(be, bswap);
    uint64_t lo = (uint64_t)_mm_cvtsi128_si64(le), hi = (uint64_t)_mm_extract_epi64(le, 1);
    for (size_t off = 0; off + 16 <= n;) {
        size_t k = n - off >= 64 ? 4 : 1;
        __m128i s[4];
        for (size_t j = 0; j < k; j++) {
            s[j] = _mm_xor_si128(_mm_shuffle_epi8(_mm_set_epi64x((long long)hi, (long long)lo), bswap), rk[0]);
            if (++lo == 0) hi++;
        }
        for (int r = 1; r < 14; r++)
            for (size_t j = 0; j < k; j++) s[j] = _mm_aesenc_si128(s[j], rk[r]);
        for (size_t j = 0; j < k; j++)
            _mm_storeu_si128((__m128i *)(out + off + 16 * j), _mm_aesenclast_si128(s[j], rk[14]));
        off += 16 * k;
    }
    _mm_storeu_si128((__m128i *)ctr, _mm_shuffle_epi8(_mm_set_epi64x((long long)hi, (long long)lo), bswap));
    for (int i = 0; i < 15; i++) rk[i] = _mm_setzero_si128();
}
