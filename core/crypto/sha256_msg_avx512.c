/* The SHA-256 work of MTProto 2.0 message crypto on 16 AVX-512 lanes, with
 * the message layout known in advance: the KDF (two 52-byte hashes per
 * message, shuffled into aes_key/aes_iv) and msg_key_large (a 32-byte
 * auth_key slice followed by the padded plaintext). The generic batch kernel
 * assembles every lane's block from up to three parts with per-part mask
 * arithmetic; here each lane row is one or two loads, and the words that are
 * the same in every lane (padding, bit length) are set once per block.
 * That lane assembly cost as much as a third of the rounds. */
#include "core/crypto/sha256_x16.h"

#define LANES 16

/* Words 13..15 of a 52-byte message: the 0x80 terminator, then the bit
 * length (416) as a big-endian 64-bit number. */
MT_X16 static MT_X16_INLINE void kdf_tail(__m512i w[16])
{
    w[13] = _mm512_set1_epi32((int)0x80000000u);
    w[14] = _mm512_setzero_si512();
    w[15] = _mm512_set1_epi32(52 * 8);
}

/* sha256(msg_key + auth_key[x, 36)): dwords 0-3 msg_key, 4-12 auth.
 * The expand-load reads exactly the 36 bytes it places. */
MT_X16 static MT_X16_INLINE __m512i kdf_row_a(const uint8_t *auth, const uint8_t *msg_key, int x)
{
    __m512i r = _mm512_castsi128_si512(_mm_loadu_si128((const __m128i *)msg_key));
    return _mm512_mask_expandloadu_epi32(r, 0x1FF0, auth + x);
}

/* sha256(auth_key[40 + x, 36) + msg_key): dwords 0-8 auth, 9-12 msg_key. */
MT_X16 static MT_X16_INLINE __m512i kdf_row_b(const uint8_t *auth, const uint8_t *msg_key, int x)
{
    __m512i r = _mm512_maskz_loadu_epi32(0x01FF, auth + 40 + x);
    return _mm512_mask_expandloadu_epi32(r, 0x1E00, msg_key);
}

/* Lanes past n repeat lane 0: their results are computed and dropped. */
MT_X16 static MT_X16_INLINE void kdf_hash(const uint8_t *const *auth, const uint8_t *const *msg_key,
                                          int x, size_t n, int second, __m512i h[8])
{
    const __m512i bswap = mt_x16_bswap_mask();
    __m512i r[LANES], w[LANES];
    for (size_t i = 0; i < LANES; i++) {
        size_t l = i < n ? i : 0;
        __m512i v = second ? kdf_row_b(auth[l], msg_key[l], x) : kdf_row_a(auth[l], msg_key[l], x);
        r[i] = _mm512_shuffle_epi8(v, bswap);
    }
    mt_x16_transpose(r, w);
    kdf_tail(w);
    mt_x16_init(h);
    mt_x16_compress(h, w, 0xFFFF);
}

/* aes_key = a[0,8) b[8,24) a[24,32) and aes_iv = b[0,8) a[8,24) b[24,32)
 * (mtproto-description.md) are whole state words, so the shuffle happens
 * on word vectors and one transpose turns them into 64 bytes per lane. */
MT_X16 void mt_kdf2_x16_avx512(const uint8_t *const *auth, const uint8_t *const *msg_key, int x,
                               uint8_t *const *key_iv, size_t n)
{
    __m512i a[8], b[8];
    kdf_hash(auth, msg_key, x, n, 0, a);
    kdf_hash(auth, msg_key, x, n, 1, b);
    const __m512i words[LANES] = { a[0], a[1], b[2], b[3], b[4], b[5], a[6], a[7],
                                   b[0], b[1], a[2], a[3], a[4], a[5], b[6], b[7] };
    __m512i rows[LANES];
    mt_x16_transpose(words, rows);
    const __m512i bswap = mt_x16_bswap_mask();
    for (size_t l = 0; l < n; l++) _mm512_storeu_si512(key_iv[l], _mm512_shuffle_epi8(rows[l], bswap));
}

/* Block b of auth_key[88 + x, 32) + data[0, len) + SHA padding, as words.
 * Bytes of the block beyond the data are neither read nor kept: loads of a
 * partial block are masked (masked-off bytes are not accessed). */
MT_X16 static MT_X16_INLINE __m512i msgkey_row(const uint8_t *auth32, const uint8_t *data, size_t len,
                                               size_t b, size_t nb, __m512i bswap)
{
    size_t total = 32 + len, off = 64 * b;
    __m512i r;
    if (b == 0) {
        __m256i d = len >= 32 ? _mm256_loadu_si256((const __m256i *)data)
                              : _mm256_maskz_loadu_epi8((__mmask32)_bzhi_u32(~0u, (unsigned)len), data);
        r = _mm512_inserti64x4(_mm512_castsi256_si512(_mm256_loadu_si256((const __m256i *)auth32)), d, 1);
    } else {
        size_t from = off - 32;                      /* data offset of the block */
        if (from + 64 <= len)
            r = _mm512_loadu_si512(data + from);
        else if (from < len)
            r = _mm512_maskz_loadu_epi8(_bzhi_u64(~0ull, (unsigned)(len - from)), data + from);
        else
            r = _mm512_setzero_si512();
    }
    return mt_x16_finish_row(r, total, off, b + 1 == nb, bswap);
}

/* msg_key_large = SHA-256(auth_key[88 + x, 32) + data) of n <= 16
 * messages; lanes of different lengths drop out of the state update when
 * their blocks run out. */
MT_X16 void mt_msgkey_x16_avx512(const uint8_t *const *auth, const uint8_t *const *data,
                                 const size_t *len, int x, uint8_t *const *out, size_t n)
{
    size_t nb[LANES] = { 0 }, maxb = 0;
    for (size_t i = 0; i < n; i++) {
        nb[i] = mt_sha256_nblocks(32 + len[i]);
        maxb = nb[i] > maxb ? nb[i] : maxb;
    }
    const __m512i bswap = mt_x16_bswap_mask();
    __m512i h[8];
    mt_x16_init(h);
    for (size_t b = 0; b < maxb; b++) {
        __m512i r[LANES], w[LANES];
        __mmask16 active = 0;
        for (size_t i = 0; i < LANES; i++) {
            r[i] = _mm512_setzero_si512();
            if (b < nb[i]) {
                r[i] = msgkey_row(auth[i] + 88 + x, data[i], len[i], b, nb[i], bswap);
                active |= (__mmask16)(1u << i);
            }
        }
        mt_x16_transpose(r, w);
        mt_x16_compress(h, w, active);
    }
    mt_x16_store_digests(h, out, n);
}
