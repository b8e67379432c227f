/* Batch AES-256-IGE with VAES: up to 16 messages on ymm (2 per register)
 * and on zmm (4 per register), with as many registers in flight as the
 * batch fills (idle lanes cost as much as busy ones). IGE is serial
 * within a message, so the parallelism comes only from independent
 * messages; blocks are gathered from / scattered to each message with
 * 128-bit inserts and extracts, or in pairs of blocks with shuffles
 * (zmm, 16 lanes). Key schedules are expanded 2 (ymm) or 4
 * (zmm) keys at a time: vpshufb + vaesenclast stand in for
 * aeskeygenassist, which has no wide form. */
#include <immintrin.h>
#include <string.h>

#include "core/crypto/ige_batch.h"

#define VAES256 __attribute__((target("avx2,vaes,aes")))
#define VAES512 __attribute__((target("avx512f,avx512bw,avx512vl,vaes,aes")))
#define INLINE inline __attribute__((always_inline))

/* ---- ymm: 2 lanes per register, 8 or 16 lanes --------------------------- */

/* Two AES-256 key schedules in one ymm (see expand4 below for the trick). */
VAES256 static INLINE __m256i key_mix2(__m256i k, __m256i t)
{
    k = _mm256_xor_si256(k, _mm256_bslli_epi128(k, 4));
    k = _mm256_xor_si256(k, _mm256_bslli_epi128(k, 8));
    return _mm256_xor_si256(k, t);
}

VAES256 static void expand2(const uint8_t *k0, const uint8_t *k1, __m256i rk[15])
{
    const __m256i rot_bcast = _mm256_set1_epi32(0x0c0f0e0d);
    const __m256i bcast = _mm256_set1_epi32(0x0f0e0d0c);
    static const uint8_t rcon[7] = { 0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40 };
    rk[0] = _mm256_inserti128_si256(_mm256_castsi128_si256(_mm_loadu_si128((const __m128i *)k0)),
                                    _mm_loadu_si128((const __m128i *)k1), 1);
    rk[1] = _mm256_inserti128_si256(_mm256_castsi128_si256(_mm_loadu_si128((const __m128i *)(k0 + 16))),
                                    _mm_loadu_si128((const __m128i *)(k1 + 16)), 1);
    for (int i = 2; i < 15; i++) {
        __m256i t = (i & 1)
            ? _mm256_aesenclast_epi128(_mm256_shuffle_epi8(rk[i - 1], bcast), _mm256_setzero_si256())
            : _mm256_aesenclast_epi128(_mm256_shuffle_epi8(rk[i - 1], rot_bcast),
                                       _mm256_set1_epi32(rcon[i / 2 - 1]));
        rk[i] = key_mix2(rk[i - 2], t);
    }
}

/* Fresh lanes' keys, one register group (2 lanes) at a time, stored into
 * the kernel layout; decryption keys with the InvMixColumns identity. */
VAES256 static void expand_lanes_ymm(struct mt_ige_lanes *st, const size_t *lanes, size_t count)
{
    /* st->fresh, not lanes[]: a vector load of the array the scheduler
     * just wrote would wait for its stores to retire */
    uint32_t fresh = st->fresh;
    (void)lanes, (void)count;
    const __m256i zero = _mm256_setzero_si256();
    for (size_t g = 0; g < st->lanes / 2; g++) {
        uint32_t f = (fresh >> (2 * g)) & 3;
        if (!f) continue;
        const uint8_t *k0 = st->job[(f & 1) ? 2 * g : 2 * g + 1]->key;
        const uint8_t *k1 = st->job[(f & 2) ? 2 * g + 1 : 2 * g]->key;
        __m256i rk[15], out[15];
        expand2(k0, k1, rk);
        if (st->decrypt) {
            out[0] = rk[14];
            for (int r = 1; r < 14; r++)
                out[r] = _mm256_aesdec_epi128(_mm256_aesenclast_epi128(rk[14 - r], zero), zero);
            out[14] = rk[0];
        } else {
            for (int r = 0; r < 15; r++) out[r] = rk[r];
        }
        __m256i *dst = (__m256i *)st->rk + g * 15;
        for (int r = 0; r < 15; r++) {
            if (f == 3) {
                _mm256_store_si256(dst + r, out[r]);
                continue;
            }
            if (f & 1) _mm_store_si128((__m128i *)(dst + r), _mm256_castsi256_si128(out[r]));
            if (f & 2) _mm_store_si128((__m128i *)(dst + r) + 1, _mm256_extracti128_si256(out[r], 1));
        }
    }
}

/* R registers of 2 lanes. With 16 ymm registers only the states stay in
 * registers through the rounds; chaining values live in st (memory). */
VAES256 static INLINE void kernel_ymm(struct mt_ige_lanes *st, size_t nblocks, const int dec,
                                      const int R)
{
    struct mt_ige_bases lb;
    mt_ige_bases_load(st, &lb);
    const __m256i *rk = (const __m256i *)st->rk;   /* [reg][round] */
    __m256i *cpm = (__m256i *)st->cprev, *ppm = (__m256i *)st->pprev;
    for (size_t o = 0; o < 16 * nblocks; o += 16) {
        __m256i s[8];
#pragma GCC unroll 8
        for (int g = 0; g < R; g++) {
            __m256i x = _mm256_inserti128_si256(
                _mm256_castsi128_si256(_mm_loadu_si128((const __m128i *)(lb.in[2 * g] + o))),
                _mm_loadu_si128((const __m128i *)(lb.in[2 * g + 1] + o)), 1);
            s[g] = _mm256_xor_si256(_mm256_xor_si256(x, dec ? ppm[g] : cpm[g]), rk[g * 15]);
            /* park the chaining value the output needs in the other slot */
            __m256i keep = dec ? cpm[g] : ppm[g];
            if (dec) cpm[g] = x, ppm[g] = keep;
            else ppm[g] = x, cpm[g] = keep;
        }
#pragma GCC unroll 13
        for (int r = 1; r < 14; r++) {
#pragma GCC unroll 8
            for (int g = 0; g < R; g++)
                s[g] = dec ? _mm256_aesdec_epi128(s[g], rk[g * 15 + r])
                           : _mm256_aesenc_epi128(s[g], rk[g * 15 + r]);
        }
#pragma GCC unroll 8
        for (int g = 0; g < R; g++) {
            s[g] = dec ? _mm256_aesdeclast_epi128(s[g], rk[g * 15 + 14])
                       : _mm256_aesenclast_epi128(s[g], rk[g * 15 + 14]);
            __m256i v = _mm256_xor_si256(s[g], dec ? ppm[g] : cpm[g]);
            if (dec) ppm[g] = v; else cpm[g] = v;
            if (lb.busy >> (2 * g) & 1)
                _mm_storeu_si128((__m128i *)(lb.out[2 * g] + o), _mm256_castsi256_si128(v));
            if (lb.busy >> (2 * g + 1) & 1)
                _mm_storeu_si128((__m128i *)(lb.out[2 * g + 1] + o), _mm256_extracti128_si256(v, 1));
        }
    }
    mt_ige_bases_advance(st, nblocks);
}

VAES256 static void ymm_enc8(struct mt_ige_lanes *st, size_t nb) { kernel_ymm(st, nb, 0, 4); }
VAES256 static void ymm_dec8(struct mt_ige_lanes *st, size_t nb) { kernel_ymm(st, nb, 1, 4); }
VAES256 static void ymm_enc16(struct mt_ige_lanes *st, size_t nb) { kernel_ymm(st, nb, 0, 8); }
VAES256 static void ymm_dec16(struct mt_ige_lanes *st, size_t nb) { kernel_ymm(st, nb, 1, 8); }

static void run_ymm(struct mt_ige_job *jobs, size_t n, int dec)
{
    static const mt_ige_kernel_fn k[2][2] = { { ymm_enc8, ymm_enc16 }, { ymm_dec8, ymm_dec16 } };
    int w = n <= 8 ? 0 : 1;
    mt_ige_batch_run(jobs, n, (size_t)8 << w, 2, dec, k[dec][w], expand_lanes_ymm);
}

void mt_ige_encrypt_batch_vaes256(struct mt_ige_job *jobs, size_t n) { run_ymm(jobs, n, 0); }
void mt_ige_decrypt_batch_vaes256(struct mt_ige_job *jobs, size_t n) { run_ymm(jobs, n, 1); }

/* ---- zmm: 4 lanes per register, 8 or 16 lanes -------------------------- */

VAES512 static INLINE __m512i gather4(const uint8_t *const *p)
{
    __m512i v = _mm512_castsi128_si512(_mm_loadu_si128((const __m128i *)p[0]));
    v = _mm512_inserti32x4(v, _mm_loadu_si128((const __m128i *)p[1]), 1);
    v = _mm512_inserti32x4(v, _mm_loadu_si128((const __m128i *)p[2]), 2);
    return _mm512_inserti32x4(v, _mm_loadu_si128((const __m128i *)p[3]), 3);
}

/* k ^ (k << 32) ^ (k << 64) ^ (k << 96) ^ t, per 128-bit lane, as a
 * prefix xor in two shifts (the expansion is bound by the two ports
 * 512-bit uops share, and shifts have only one of them) */
VAES512 static INLINE __m512i key_mix4(__m512i k, __m512i t)
{
    __m512i a = _mm512_xor_si512(k, _mm512_bslli_epi128(k, 4));
    return _mm512_ternarylogic_epi32(a, _mm512_bslli_epi128(a, 8), t, 0x96);
}

/* Four AES-256 key schedules at once. aeskeygenassist's SubWord(RotWord(w3))
 * ^ rcon is vaesenclast of w3 rotated and broadcast to all four columns
 * (ShiftRows then moves nothing) with rcon as the round key. */
VAES512 static INLINE void expand4(const uint8_t *const key[4], __m512i rk[15])
{
    const __m512i rot_bcast = _mm512_set1_epi32(0x0c0f0e0d);   /* bytes 13,14,15,12 */
    const __m512i bcast = _mm512_set1_epi32(0x0f0e0d0c);       /* bytes 12..15 */
    static const uint8_t rcon[7] = { 0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40 };
    const uint8_t *lo[4] = { key[0], key[1], key[2], key[3] };
    const uint8_t *hi[4] = { key[0] + 16, key[1] + 16, key[2] + 16, key[3] + 16 };
    rk[0] = gather4(lo);
    rk[1] = gather4(hi);
#pragma GCC unroll 13
    for (int i = 2; i < 15; i++) {
        __m512i t = (i & 1)
            ? _mm512_aesenclast_epi128(_mm512_shuffle_epi8(rk[i - 1], bcast), _mm512_setzero_si512())
            : _mm512_aesenclast_epi128(_mm512_shuffle_epi8(rk[i - 1], rot_bcast),
                                       _mm512_set1_epi32(rcon[i / 2 - 1]));
        rk[i] = key_mix4(rk[i - 2], t);
    }
}

/* A whole group's keys go out unmasked: the kernel's loads of them can be
 * forwarded from a plain store, not from a masked one. */
VAES512 static INLINE void store_key(__m512i *dst, __mmask8 m, __m512i k)
{
    if (m == 0xff) _mm512_store_si512(dst, k);
    else _mm512_mask_storeu_epi64(dst, m, k);
}

/* Store one group's schedules (encryption, or the equivalent inverse
 * cipher's) for the fresh lanes of mask m (two qwords per lane). */
VAES512 static INLINE void store_group_keys(__m512i *dst, __mmask8 m, const __m512i rk[15], int dec)
{
    const __m512i zero = _mm512_setzero_si512();
    if (!dec) {
        for (int r = 0; r < 15; r++) store_key(dst + r, m, rk[r]);
        return;
    }
    store_key(dst, m, rk[14]);
    for (int r = 1; r < 14; r++) {
        __m512i imc = _mm512_aesdec_epi128(_mm512_aesenclast_epi128(rk[14 - r], zero), zero);
        store_key(dst + r, m, imc);
    }
    store_key(dst + 14, m, rk[0]);
}

/* Keys of the fresh lanes, one register group (4 lanes) at a time: the
 * group's 4 keys expand together and each round key is one masked 64-byte
 * store straight into the kernel's layout. Two groups go through each
 * iteration so that their (serial) expansions overlap. Decryption keys use
 * InvMixColumns(x) = aesdec(aesenclast(x, 0), 0), which has a zmm form
 * (aesimc has none). */
VAES512 static void expand_lanes_zmm(struct mt_ige_lanes *st, const size_t *lanes, size_t count)
{
    /* st->fresh, not lanes[]: a vector load of the array the scheduler
     * just wrote would wait for its stores to retire */
    uint32_t fresh = st->fresh;
    (void)lanes, (void)count;
    size_t groups[MT_IGE_MAX_LANES / 4], ng = 0;
    for (size_t g = 0; g < st->lanes / 4; g++)
        if ((fresh >> (4 * g)) & 0xf) groups[ng++] = g;
    for (size_t i = 0; i < ng; i += 2) {
        size_t gs[2] = { groups[i], groups[i + 1 < ng ? i + 1 : i] };
        const uint8_t *keys[2][4];
        __mmask8 m[2] = { 0, 0 };
        for (int k = 0; k < 2; k++) {
            uint32_t f = (fresh >> (4 * gs[k])) & 0xf;
            size_t any = 4 * gs[k] + (size_t)__builtin_ctz(f);
            for (int j = 0; j < 4; j++) {
                keys[k][j] = st->job[(f >> j & 1) ? 4 * gs[k] + (size_t)j : any]->key;
                if (f >> j & 1) m[k] |= (__mmask8)(3u << (2 * j));
            }
        }
        __m512i rk0[15], rk1[15];
        expand4(keys[0], rk0);
        expand4(keys[1], rk1);
        store_group_keys((__m512i *)st->rk + gs[0] * 15, m[0], rk0, st->decrypt);
        if (i + 1 < ng) store_group_keys((__m512i *)st->rk + gs[1] * 15, m[1], rk1, st->decrypt);
    }
}

/* R registers of 4 lanes in lockstep, all state in registers: for 8 lanes
 * (two chains, bound by the AES latency) and short messages this beats
 * the staggered kernel below, whose second half trails by half a block. */
VAES512 static INLINE void kernel_zmm(struct mt_ige_lanes *st, size_t nblocks, const int dec,
                                      const int R)
{
    __m512i cp[8], pp[8], s[8];
    struct mt_ige_bases lb;
    mt_ige_bases_load(st, &lb);
    const uint8_t *const *in = lb.in;
    uint8_t *const *out = lb.out;
    const uint32_t busy = lb.busy;
    const __m512i *rk = (const __m512i *)st->rk;   /* [reg][round] */
    for (int g = 0; g < R; g++) {
        cp[g] = _mm512_load_si512(st->cprev[4 * g]);
        pp[g] = _mm512_load_si512(st->pprev[4 * g]);
    }
    for (size_t o = 0; o < 16 * nblocks; o += 16) {
        __m512i x[8];
#pragma GCC unroll 8
        for (int g = 0; g < R; g++) {
            const uint8_t *const *p = &in[4 * g];
            x[g] = _mm512_castsi128_si512(_mm_loadu_si128((const __m128i *)(p[0] + o)));
            x[g] = _mm512_inserti32x4(x[g], _mm_loadu_si128((const __m128i *)(p[1] + o)), 1);
            x[g] = _mm512_inserti32x4(x[g], _mm_loadu_si128((const __m128i *)(p[2] + o)), 2);
            x[g] = _mm512_inserti32x4(x[g], _mm_loadu_si128((const __m128i *)(p[3] + o)), 3);
            s[g] = _mm512_ternarylogic_epi32(x[g], dec ? pp[g] : cp[g], rk[g * 15], 0x96);
        }
#pragma GCC unroll 13
        for (int r = 1; r < 14; r++) {
#pragma GCC unroll 8
            for (int g = 0; g < R; g++)
                s[g] = dec ? _mm512_aesdec_epi128(s[g], rk[g * 15 + r])
                           : _mm512_aesenc_epi128(s[g], rk[g * 15 + r]);
        }
#pragma GCC unroll 8
        for (int g = 0; g < R; g++) {
            s[g] = dec ? _mm512_aesdeclast_epi128(s[g], rk[g * 15 + 14])
                       : _mm512_aesenclast_epi128(s[g], rk[g * 15 + 14]);
            __m512i v = _mm512_xor_si512(s[g], dec ? cp[g] : pp[g]);
            cp[g] = dec ? x[g] : v;
            pp[g] = dec ? v : x[g];
            uint8_t *const *q = &out[4 * g];
            const uint32_t bz = busy >> (4 * g);
            if (bz & 1) _mm_storeu_si128((__m128i *)(q[0] + o), _mm512_castsi512_si128(v));
            if (bz & 2) _mm_storeu_si128((__m128i *)(q[1] + o), _mm512_extracti32x4_epi32(v, 1));
            if (bz & 4) _mm_storeu_si128((__m128i *)(q[2] + o), _mm512_extracti32x4_epi32(v, 2));
            if (bz & 8) _mm_storeu_si128((__m128i *)(q[3] + o), _mm512_extracti32x4_epi32(v, 3));
        }
    }
    mt_ige_bases_advance(st, nblocks);
    for (int g = 0; g < R; g++) {
        _mm512_store_si512(st->cprev[4 * g], cp[g]);
        _mm512_store_si512(st->pprev[4 * g], pp[g]);
    }
}

/* Four lanes' blocks at in[j] + o into one register. Shuffles rather than
 * inserts: an insert from memory is a p0/p5 uop and steals AES slots, a
 * register shuffle is p5 only. */
VAES512 static INLINE __m512i gather4_at(const uint8_t *const *in, size_t o)
{
    __m512i a = _mm512_castsi128_si512(_mm_loadu_si128((const __m128i *)(in[0] + o)));
    __m512i b = _mm512_castsi128_si512(_mm_loadu_si128((const __m128i *)(in[1] + o)));
    __m512i c = _mm512_castsi128_si512(_mm_loadu_si128((const __m128i *)(in[2] + o)));
    __m512i d = _mm512_castsi128_si512(_mm_loadu_si128((const __m128i *)(in[3] + o)));
    __m512i ab = _mm512_shuffle_i64x2(a, b, 0x00);
    __m512i cd = _mm512_shuffle_i64x2(c, d, 0x00);
    return _mm512_shuffle_i64x2(ab, cd, 0x88);
}

/* Every lane stores: idle lanes write the scheduler's scratch area, which
 * is cheaper than a branch per lane. */
VAES512 static INLINE void scatter4_at(uint8_t *const *out, size_t o, __m512i v)
{
    _mm_storeu_si128((__m128i *)(out[0] + o), _mm512_castsi512_si128(v));
    _mm_storeu_si128((__m128i *)(out[1] + o), _mm512_extracti32x4_epi32(v, 1));
    _mm_storeu_si128((__m128i *)(out[2] + o), _mm512_extracti32x4_epi32(v, 2));
    _mm_storeu_si128((__m128i *)(out[3] + o), _mm512_extracti32x4_epi32(v, 3));
}

/* The staggered kernel's state. Encryption and decryption share one
 * shape: s is the AES state, and after the last round the chaining value
 * the next input is xored with (the output; one register for both saves
 * the moves between them), and the last round's key is rk14 ^ (the previous input), so
 * aesenclast/aesdeclast (which xor their key last) yield the output with
 * no xor on the serial chain. Those keys live in memory, two generations
 * (kw for blocks being started, kr for blocks being finished) that swap
 * every block: in registers their hand-over cost a move per register. */
#define ZC_REGS 4     /* registers the staggered kernel takes (16 lanes) */

struct zchain {
    __m512i s[ZC_REGS];
    __m512i *kw, *kr;
    __m512i *xn, *vp;   /* next block's input, previous block's output */
    size_t n;
    const uint8_t *const *in;
    uint8_t *const *out;
    const __m512i *rk;
};

/* Blocks b and b+1 of four lanes: 32-byte loads, and two shuffles per
 * block where single blocks take three (the shuffle port is the busiest
 * after the AES one). */
VAES512 static INLINE __m512i gather4x2_at(const uint8_t *const *in, size_t o, __m512i *next)
{
    __m512i a = _mm512_castsi256_si512(_mm256_loadu_si256((const __m256i *)(in[0] + o)));
    __m512i b = _mm512_castsi256_si512(_mm256_loadu_si256((const __m256i *)(in[1] + o)));
    __m512i c = _mm512_castsi256_si512(_mm256_loadu_si256((const __m256i *)(in[2] + o)));
    __m512i d = _mm512_castsi256_si512(_mm256_loadu_si256((const __m256i *)(in[3] + o)));
    __m512i ab = _mm512_shuffle_i64x2(a, b, 0x44), cd = _mm512_shuffle_i64x2(c, d, 0x44);
    *next = _mm512_shuffle_i64x2(ab, cd, 0xdd);
    return _mm512_shuffle_i64x2(ab, cd, 0x88);
}

/* Outputs of blocks b (v) and b+1 (w) of four lanes as 32-byte stores. */
VAES512 static INLINE void scatter4x2_at(uint8_t *const *out, size_t o, const __m512i *v, __m512i w)
{
    const __m512i i01 = _mm512_set_epi64(11, 10, 3, 2, 9, 8, 1, 0);
    const __m512i i23 = _mm512_set_epi64(15, 14, 7, 6, 13, 12, 5, 4);
    __m512i lo = _mm512_permutex2var_epi64(*v, i01, w), hi = _mm512_permutex2var_epi64(*v, i23, w);
    _mm256_storeu_si256((__m256i *)(out[0] + o), _mm512_castsi512_si256(lo));
    _mm256_storeu_si256((__m256i *)(out[1] + o), _mm512_extracti64x4_epi64(lo, 1));
    _mm256_storeu_si256((__m256i *)(out[2] + o), _mm512_castsi512_si256(hi));
    _mm256_storeu_si256((__m256i *)(out[3] + o), _mm512_extracti64x4_epi64(hi, 1));
}

/* Even blocks gather their odd successor too (parked in xn) and park
 * their output (in vp) for the pair store after it; a last even block
 * goes alone. */
VAES512 static INLINE void zc_start(struct zchain *c, int g, size_t b, __m512i *kw)
{
    __m512i x;
    if (b & 1) x = c->xn[g];
    else if (b + 1 < c->n) x = gather4x2_at(&c->in[4 * g], 16 * b, &c->xn[g]);
    else x = gather4_at(&c->in[4 * g], 16 * b);
    c->s[g] = _mm512_ternarylogic_epi32(c->s[g], x, c->rk[g * 15], 0x96);
    kw[g] = _mm512_xor_si512(x, c->rk[g * 15 + 14]);
}

VAES512 static INLINE void zc_finish(struct zchain *c, int g, size_t b)
{
    if (b & 1) scatter4x2_at(&c->out[4 * g], 16 * (b - 1), &c->vp[g], c->s[g]);
    else if (b + 1 < c->n) c->vp[g] = c->s[g];
    else scatter4_at(&c->out[4 * g], 16 * b, c->s[g]);
}

VAES512 static INLINE void zc_round(struct zchain *c, int g, int r, const int dec)
{
    if (r < 14)
        c->s[g] = dec ? _mm512_aesdec_epi128(c->s[g], c->rk[g * 15 + r])
                      : _mm512_aesenc_epi128(c->s[g], c->rk[g * 15 + r]);
    else
        c->s[g] = dec ? _mm512_aesdeclast_epi128(c->s[g], c->kr[g])
                      : _mm512_aesenclast_epi128(c->s[g], c->kr[g]);
}

/* Rounds r0..r1 of the registers [g0, g1) (block bg) interleaved with
 * rounds q0..q0+(r1-r0) of [h0, h1) (block bh). */
VAES512 static INLINE void zc_rounds(struct zchain *c, int g0, int g1, int r0, int r1, size_t bg,
                                     int h0, int h1, int q0, size_t bh, const int dec)
{
#pragma GCC unroll 14
    for (int t = 0; t <= r1 - r0; t++) {
#pragma GCC unroll 8
        for (int g = g0; g < g1; g++) zc_round(c, g, r0 + t, dec);
#pragma GCC unroll 8
        for (int h = h0; h < h1; h++) zc_round(c, h, q0 + t, dec);
    }
#pragma GCC unroll 8
    for (int g = g0; g < g1; g++)
        if (r1 == 14) zc_finish(c, g, bg);
#pragma GCC unroll 8
    for (int h = h0; h < h1; h++)
        if (q0 + r1 - r0 == 14) zc_finish(c, h, bh);
}

/* Block b of the second half and b+1 of the first (see below); false
 * once b is the last block. */
VAES512 static INLINE int zc_step(struct zchain *c, size_t b, const int dec, const int R)
{
    const int H = R / 2;
#pragma GCC unroll 8
    for (int h = H; h < R; h++) zc_start(c, h, b, c->kw);
    zc_rounds(c, 0, H, 8, 14, b, H, R, 1, b, dec);
    if (b + 1 == c->n) return 0;
#pragma GCC unroll 8
    for (int g = 0; g < H; g++) zc_start(c, g, b + 1, c->kr);
    zc_rounds(c, 0, H, 1, 7, b + 1, H, R, 8, b, dec);
    __m512i *t = c->kw;
    c->kw = c->kr;
    c->kr = t;
    return 1;
}

/* R registers of 4 lanes in two halves, the second 7 rounds behind the
 * first: each half's block boundary (the wait for its last round, the
 * xors, gather and scatter) falls among the other half's rounds, so the
 * AES unit always has independent work. */
VAES512 static INLINE void kernel_zmm_stag(struct mt_ige_lanes *st, size_t nblocks, const int dec,
                                           const int R)
{
    const int H = R / 2;
    /* xn, vp zeroed for -Wmaybe-uninitialized */
    __m512i kbuf[2][ZC_REGS], xn[ZC_REGS] = { 0 }, vp[ZC_REGS] = { 0 };
    struct zchain c;
    c.xn = xn;
    c.vp = vp;
    c.n = nblocks;
    struct mt_ige_bases lb;
    mt_ige_bases_load(st, &lb);
    c.in = lb.in;
    c.out = lb.out;
    c.rk = (const __m512i *)st->rk;
    c.kw = kbuf[0];
    c.kr = kbuf[1];
    /* chaining values in and out one lane (16 bytes) at a time, as the
     * scheduler writes and reads them: a 64-byte access would miss store
     * forwarding and wait for the other side's stores to retire */
    for (int g = 0; g < R; g++) {
        const uint8_t *cpl[4] = { st->cprev[4 * g], st->cprev[4 * g + 1], st->cprev[4 * g + 2],
                                  st->cprev[4 * g + 3] };
        const uint8_t *ppl[4] = { st->pprev[4 * g], st->pprev[4 * g + 1], st->pprev[4 * g + 2],
                                  st->pprev[4 * g + 3] };
        __m512i cp = gather4_at(cpl, 0), pp = gather4_at(ppl, 0);
        c.s[g] = dec ? pp : cp;
        c.kr[g] = _mm512_xor_si512(dec ? cp : pp, c.rk[g * 15 + 14]);
    }
#pragma GCC unroll 8
    for (int g = 0; g < H; g++) zc_start(&c, g, 0, c.kw);
    zc_rounds(&c, 0, H, 1, 7, 0, 0, 0, 0, 0, dec);
    /* two blocks an iteration, so that each start and finish knows its
     * block's parity at compile time */
    size_t b = 0;
    while (zc_step(&c, b, dec, R) && zc_step(&c, b + 1, dec, R)) b += 2;
    b = nblocks - 1;
    zc_rounds(&c, H, R, 8, 14, b, 0, 0, 0, 0, dec);
    mt_ige_bases_advance(st, nblocks);
    for (int g = 0; g < R; g++) {
        uint8_t *cpl[4] = { st->cprev[4 * g], st->cprev[4 * g + 1], st->cprev[4 * g + 2],
                            st->cprev[4 * g + 3] };
        uint8_t *ppl[4] = { st->pprev[4 * g], st->pprev[4 * g + 1], st->pprev[4 * g + 2],
                            st->pprev[4 * g + 3] };
        __m512i x = _mm512_xor_si512(c.kw[g], c.rk[g * 15 + 14]);
        scatter4_at(dec ? ppl : cpl, 0, c.s[g]);
        scatter4_at(dec ? cpl : ppl, 0, x);
    }
}

VAES512 static void zmm_enc8(struct mt_ige_lanes *st, size_t nb) { kernel_zmm(st, nb, 0, 2); }
VAES512 static void zmm_dec8(struct mt_ige_lanes *st, size_t nb) { kernel_zmm(st, nb, 1, 2); }
VAES512 static void zmm_enc16(struct mt_ige_lanes *st, size_t nb) { kernel_zmm_stag(st, nb, 0, 4); }
VAES512 static void zmm_dec16(struct mt_ige_lanes *st, size_t nb) { kernel_zmm_stag(st, nb, 1, 4); }

/* As many lanes as the batch fills, 8 or 16 (idle lanes cost as much as
 * busy ones), but not 32: four staggered registers already keep the AES
 * port ~87% busy, eight reached ~75% (the larger loop and window), and a
 * batch of 32 ran ~10% faster as two passes of 16 lanes. */
static void run_zmm(struct mt_ige_job *jobs, size_t n, int dec)
{
    static const mt_ige_kernel_fn k[2][2] = { { zmm_enc8, zmm_enc16 }, { zmm_dec8, zmm_dec16 } };
    int w = n <= 8 ? 0 : 1;
    mt_ige_batch_run(jobs, n, (size_t)8 << w, 4, dec, k[dec][w], expand_lanes_zmm);
}

void mt_ige_encrypt_batch_vaes512(struct mt_ige_job *jobs, size_t n) { run_zmm(jobs, n, 0); }
void mt_ige_decrypt_batch_vaes512(struct mt_ige_job *jobs, size_t n) { run_zmm(jobs, n, 1); }
