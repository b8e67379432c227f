/* SHA-256 with the SHA extensions (SHA-NI): the single-stream compression
 * (latency bound, ~2 cycles/byte), a one-shot that pads on the stack, and
 * two independent messages with interleaved rounds (hides the latency). */
#include <immintrin.h>

#include "core/crypto/sha256_blocks.h"

#define SHANI __attribute__((target("sha,sse4.1,ssse3")))

const uint32_t mt_sha256_k[64] __attribute__((aligned(64))) = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};
const uint32_t mt_sha256_h0[8] = {
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

/* h[0..8) <-> the (ABEF, CDGH) register pair the SHA instructions use. */
SHANI static inline void state_load(const uint32_t h[8], __m128i *abef, __m128i *cdgh)
{
    __m128i dcba = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)h), 0xB1);  /* CDAB */
    __m128i efgh = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)(h + 4)), 0x1B);
    *abef = _mm_alignr_epi8(dcba, efgh, 8);
    *cdgh = _mm_blend_epi16(efgh, dcba, 0xF0);
}

SHANI static inline void state_store(__m128i abef, __m128i cdgh, uint32_t h[8])
{
    __m128i feba = _mm_shuffle_epi32(abef, 0x1B);
    __m128i dchg = _mm_shuffle_epi32(cdgh, 0xB1);
    _mm_storeu_si128((__m128i *)h, _mm_blend_epi16(feba, dchg, 0xF0));
    _mm_storeu_si128((__m128i *)(h + 4), _mm_alignr_epi8(dchg, feba, 8));
}

/* Digest bytes straight from (ABEF, CDGH): reorder to A..D / E..H and
 * byte-swap each word in registers, two 16-byte stores. */
SHANI static inline void state_digest(__m128i abef, __m128i cdgh, uint8_t out[32])
{
    const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
    __m128i feba = _mm_shuffle_epi32(abef, 0x1B);
    __m128i dchg = _mm_shuffle_epi32(cdgh, 0xB1);
    _mm_storeu_si128((__m128i *)out, _mm_shuffle_epi8(_mm_blend_epi16(feba, dchg, 0xF0), bswap));
    _mm_storeu_si128((__m128i *)(out + 16), _mm_shuffle_epi8(_mm_alignr_epi8(dchg, feba, 8), bswap));
}

/* The initial hash value, already in (ABEF, CDGH) order. */
SHANI static inline void state_init(__m128i *abef, __m128i *cdgh)
{
    *abef = _mm_set_epi32(0x6a09e667, (int)0xbb67ae85, 0x510e527f, (int)0x9b05688c);
    *cdgh = _mm_set_epi32(0x3c6ef372, (int)0xa54ff53a, 0x1f83d9ab, 0x5be0cd19);
}

#define BSWAP32_MASK _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL)

/* 64 rounds on one block whose first 16 words (byte-swapped) are in m[].
 * The schedule of group g (g >= 4) is built from the four groups before. */
SHANI static inline __attribute__((always_inline)) void compress_w(__m128i *abef, __m128i *cdgh,
                                                                 __m128i m[4])
{
    __m128i s0 = *abef, s1 = *cdgh;
    const __m128i *k = (const __m128i *)mt_sha256_k;
#pragma GCC unroll 16
    for (int g = 0; g < 16; g++) {
        if (g >= 4) {
            __m128i t = _mm_sha256msg1_epu32(m[g & 3], m[(g + 1) & 3]);
            t = _mm_add_epi32(t, _mm_alignr_epi8(m[(g + 3) & 3], m[(g + 2) & 3], 4));
            m[g & 3] = _mm_sha256msg2_epu32(t, m[(g + 3) & 3]);
        }
        __m128i w = _mm_add_epi32(m[g & 3], _mm_load_si128(k + g));
        s1 = _mm_sha256rnds2_epu32(s1, s0, w);
        s0 = _mm_sha256rnds2_epu32(s0, s1, _mm_shuffle_epi32(w, 0x0E));
    }
    *abef = _mm_add_epi32(*abef, s0);
    *cdgh = _mm_add_epi32(*cdgh, s1);
}

SHANI static inline void compress1(__m128i *abef, __m128i *cdgh, const uint8_t *p)
{
    __m128i m[4];
    for (int g = 0; g < 4; g++)
        m[g] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16 * g)), BSWAP32_MASK);
    compress_w(abef, cdgh, m);
}

/* One-block messages (total <= 55 bytes) are assembled in registers: a
 * staging buffer's narrow stores would stall the wide loads that follow
 * (failed store forwarding), right at the start of the round chain. */
static const uint8_t tail_pad[32] __attribute__((aligned(16))) = { [16] = 0x80 };
/* OR the n bytes at p into the 64-byte block m[] at byte offset off. Every
 * 16-byte window read lies inside [p, p + n) (n >= 16) or a zero-padded
 * copy (n < 16), and pshufb places the bytes, zeroing the rest. */
SHANI static inline void block_put(__m128i m[4], const uint8_t *p, size_t n, size_t off)
{
    uint8_t small[16] __attribute__((aligned(16)));
    if (n < 16) {
        memset(small, 0, sizeof small);
        memcpy(small, p, n);
        p = small;
    }
    size_t limit = n < 16 ? 16 : n;
    const __m128i iota = _mm_set_epi8(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
    for (size_t c = off / 16; c * 16 < off + n; c++) {
        /* chunk byte j holds source byte 16c + j - off, if inside [0, n) */
        long first = (long)(16 * c) - (long)off;
        long s0 = first < 0 ? 0 : first > (long)limit - 16 ? (long)limit - 16 : first;
        __m128i win = _mm_loadu_si128((const __m128i *)(p + s0));
        __m128i idx = _mm_add_epi8(iota, _mm_set1_epi8((char)(first - s0)));
        __m128i valid = _mm_and_si128(_mm_cmpgt_epi8(iota, _mm_set1_epi8((char)(-first - 1))),
                                      _mm_cmpgt_epi8(_mm_set1_epi8((char)((long)n - first)), iota));
        idx = _mm_or_si128(idx, _mm_andnot_si128(valid, _mm_set1_epi8((char)0x80)));
        m[c] = _mm_or_si128(m[c], _mm_shuffle_epi8(win, idx));
    }
}

SHANI static void sha256_short_shani(const struct mt_span *parts, size_t nparts, size_t total,
                                     uint8_t out[32])
{
    __m128i m[4] = { _mm_setzero_si128(), _mm_setzero_si128(), _mm_setzero_si128(), _mm_setzero_si128() };
    size_t q = total / 16, r = total % 16;
    size_t off = 0;
    for (size_t i = 0; i < nparts; i++) {
        if (parts[i].n) block_put(m, parts[i].p, parts[i].n, off);
        off += parts[i].n;
    }
    m[q] = _mm_or_si128(m[q], _mm_loadu_si128((const __m128i *)(tail_pad + 16 - r)));
    for (int g = 0; g < 4; g++) m[g] = _mm_shuffle_epi8(m[g], BSWAP32_MASK);
    uint64_t bits = (uint64_t)total * 8;
    m[3] = _mm_insert_epi32(m[3], (int)(uint32_t)(bits >> 32), 2);
    m[3] = _mm_insert_epi32(m[3], (int)(uint32_t)bits, 3);
    __m128i abef, cdgh;
    state_init(&abef, &cdgh);
    compress_w(&abef, &cdgh, m);
    state_digest(abef, cdgh, out);
}

/* Two blocks of two independent messages, rounds interleaved. */
SHANI static inline void compress2(__m128i st[4], const uint8_t *pa, const uint8_t *pb)
{
    __m128i a0 = st[0], a1 = st[1], b0 = st[2], b1 = st[3], ma[4], mb[4];
    const __m128i *k = (const __m128i *)mt_sha256_k;
#pragma GCC unroll 16
    for (int g = 0; g < 16; g++) {
        if (g < 4) {
            ma[g] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(pa + 16 * g)), BSWAP32_MASK);
            mb[g] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(pb + 16 * g)), BSWAP32_MASK);
        } else {
            __m128i ta = _mm_sha256msg1_epu32(ma[g & 3], ma[(g + 1) & 3]);
            __m128i tb = _mm_sha256msg1_epu32(mb[g & 3], mb[(g + 1) & 3]);
            ta = _mm_add_epi32(ta, _mm_alignr_epi8(ma[(g + 3) & 3], ma[(g + 2) & 3], 4));
            tb = _mm_add_epi32(tb, _mm_alignr_epi8(mb[(g + 3) & 3], mb[(g + 2) & 3], 4));
            ma[g & 3] = _mm_sha256msg2_epu32(ta, ma[(g + 3) & 3]);
            mb[g & 3] = _mm_sha256msg2_epu32(tb, mb[(g + 3) & 3]);
        }
        __m128i kk = _mm_load_si128(k + g);
        __m128i wa = _mm_add_epi32(ma[g & 3], kk), wb = _mm_add_epi32(mb[g & 3], kk);
        a1 = _mm_sha256rnds2_epu32(a1, a0, wa);
        b1 = _mm_sha256rnds2_epu32(b1, b0, wb);
        a0 = _mm_sha256rnds2_epu32(a0, a1, _mm_shuffle_epi32(wa, 0x0E));
        b0 = _mm_sha256rnds2_epu32(b0, b1, _mm_shuffle_epi32(wb, 0x0E));
    }
    st[0] = _mm_add_epi32(st[0], a0);
    st[1] = _mm_add_epi32(st[1], a1);
    st[2] = _mm_add_epi32(st[2], b0);
    st[3] = _mm_add_epi32(st[3], b1);
}

SHANI void mt_sha256_blocks_shani(uint32_t h[8], const uint8_t *p, size_t nblocks)
{
    __m128i abef, cdgh;
    state_load(h, &abef, &cdgh);
    for (size_t i = 0; i < nblocks; i++) compress1(&abef, &cdgh, p + 64 * i);
    state_store(abef, cdgh, h);
}

/* One-shot over parts: full blocks straight from the data, the rest staged. */
SHANI void mt_sha256_v_shani(const struct mt_span *parts, size_t nparts, uint8_t out[32])
{
    size_t total = 0;
    for (size_t i = 0; i < nparts && total <= 55; i++) total += parts[i].n;
    if (total <= 55) {
        sha256_short_shani(parts, nparts, total, out);
        return;
    }
    __m128i abef, cdgh;
    uint8_t buf[128];
    size_t buflen = 0;
    total = 0;
    state_init(&abef, &cdgh);
    for (size_t i = 0; i < nparts; i++) {
        const uint8_t *p = parts[i].p;
        size_t n = parts[i].n;
        if (n == 0) continue;   /* an empty part may have p == NULL */
        total += n;
        if (buflen) {
            size_t take = 64 - buflen < n ? 64 - buflen : n;
            memcpy(buf + buflen, p, take);
            buflen += take; p += take; n -= take;
            if (buflen < 64) continue;
            compress1(&abef, &cdgh, buf);
            buflen = 0;
        }
        for (; n >= 64; p += 64, n -= 64) compress1(&abef, &cdgh, p);
        memcpy(buf, p, n);
        buflen = n;
    }
    size_t padded = buflen + 9 <= 64 ? 64 : 128;
    buf[buflen] = 0x80;
    memset(buf + buflen + 1, 0, padded - buflen - 1);
    mt_store_be64(buf + padded - 8, (uint64_t)total * 8);
    compress1(&abef, &cdgh, buf);
    if (padded == 128) compress1(&abef, &cdgh, buf + 64);
    state_digest(abef, cdgh, out);
}

/* Two jobs at once: common blocks interleaved, the longer one's tail alone. */
SHANI void mt_sha256_x2_shani(struct mt_sha256_job *jobs, size_t n)
{
    if (n < 2) {
        if (n) mt_sha256_v_shani(jobs[0].part, MT_SHA256_JOB_PARTS, jobs[0].out);
        return;
    }
    size_t len[2] = { mt_sha256_job_len(&jobs[0]), mt_sha256_job_len(&jobs[1]) };
    size_t nb[2] = { mt_sha256_nblocks(len[0]), mt_sha256_nblocks(len[1]) };
    size_t common = nb[0] < nb[1] ? nb[0] : nb[1];
    uint8_t stage[2][MT_SHA256_SHORT_STAGE];
    __m128i st[4];
    state_init(&st[0], &st[1]);
    st[2] = st[0];
    st[3] = st[1];
    for (int j = 0; j < 2; j++)
        if (len[j] <= MT_SHA256_SHORT_MAX) mt_sha256_stage_short(&jobs[j], len[j], stage[j]);
#define BLOCK(j, b) (len[j] <= MT_SHA256_SHORT_MAX ? stage[j] + 64 * (b) \
                                                   : mt_sha256_job_block(&jobs[j], len[j], (b), stage[j]))
    for (size_t b = 0; b < common; b++) compress2(st, BLOCK(0, b), BLOCK(1, b));
    for (int j = 0; j < 2; j++) {
        for (size_t b = common; b < nb[j]; b++) compress1(&st[2 * j], &st[2 * j + 1], BLOCK(j, b));
        state_digest(st[2 * j], st[2 * j + 1], jobs[j].out);
    }
#undef BLOCK
}
