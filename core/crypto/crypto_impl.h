/* core/crypto internal: the dispatch table that mt_crypto_init fills once
 * and the per-ISA entry points behind it. Not for other layers: they call
 * the public functions of mt_crypto.h. */
#ifndef MT_CRYPTO_IMPL_H
#define MT_CRYPTO_IMPL_H

#include "core/crypto/mt_crypto.h"

/* IGE over one message with a caller-given key; len a multiple of 16. */
typedef void (*mt_ige_fn)(const uint8_t key[32], uint8_t iv[32], const uint8_t *in,
                          uint8_t *out, size_t len);
/* Batch IGE; every length already checked to be a multiple of 16. */
typedef void (*mt_ige_batch_fn)(struct mt_ige_job *jobs, size_t n);
/* SHA-256 compression of nblocks 64-byte blocks into h. */
typedef void (*mt_sha256_blocks_fn)(uint32_t h[8], const uint8_t *p, size_t nblocks);
/* One-shot SHA-256 of the concatenation of parts. */
typedef void (*mt_sha256_v_fn)(const struct mt_span *parts, size_t nparts, uint8_t out[32]);
/* Multi-buffer SHA-256 of up to `width` jobs at once (n <= width). */
typedef void (*mt_sha256_mb_fn)(struct mt_sha256_job *jobs, size_t n);
/* The MTProto 2.0 KDF of n <= 16 messages: 64 bytes aes_key + aes_iv each
 * (mt_kdf2), from auth_key[l] and msg_key[l]. */
typedef void (*mt_kdf2_x16_fn)(const uint8_t *const *auth, const uint8_t *const *msg_key, int x,
                               uint8_t *const *key_iv, size_t n);
/* msg_key_large = SHA-256(auth_key[88 + x, 32) + data[l][0, len[l])) of
 * n <= 16 messages. */
typedef void (*mt_msgkey_x16_fn)(const uint8_t *const *auth, const uint8_t *const *data,
                                 const size_t *len, int x, uint8_t *const *out, size_t n);
/* n bytes (multiple of 16) of AES-256-CTR keystream (big-endian counter). */
typedef void (*mt_ctr_stream_fn)(const uint8_t key[32], uint8_t ctr[16], uint8_t *out, size_t n);

struct mt_crypto_impl {
    enum mt_cpu_tier tier;
    const char *ige_name, *ige_batch_name, *sha256_name, *sha256_batch_name;
    mt_ige_fn ige_encrypt, ige_decrypt;
    mt_ige_batch_fn ige_encrypt_batch, ige_decrypt_batch;
    mt_sha256_blocks_fn sha256_blocks;
    mt_sha256_v_fn sha256_v;
    mt_sha256_mb_fn sha256_mb;   /* NULL: no multi-buffer kernel */
    size_t sha256_mb_width;      /* lanes of sha256_mb */
    size_t sha256_mb_min;        /* smaller groups go to sha256_x2 / sha256_v */
    mt_sha256_mb_fn sha256_x2;   /* two interleaved SHA-NI streams, or NULL */
    mt_ctr_stream_fn ctr_stream;
    /* MTProto message hashes on 16 lanes (NULL: through mt_sha256_batch);
     * worth it from msg_x16_min messages of a batch. */
    mt_kdf2_x16_fn kdf2_x16;
    mt_msgkey_x16_fn msgkey_x16;
    size_t msg_x16_min;
};

/* The active table; valid (portable) before mt_crypto_init runs. */
extern struct mt_crypto_impl mt_crypto_active;
extern int mt_crypto_ready;
static inline const struct mt_crypto_impl *mt_crypto_impl(void)
{
    if (MT_UNLIKELY(!__atomic_load_n(&mt_crypto_ready, __ATOMIC_ACQUIRE)))
        (void)mt_crypto_init();
    return &mt_crypto_active;
}

/* portable (OpenSSL) */
/* EVP digest with a pre-fetched EVP_MD and a reused per-thread context. */
enum mt_evp_alg { MT_EVP_SHA1 = 0, MT_EVP_SHA256 = 1 };
void mt_evp_digest_v(enum mt_evp_alg alg, const struct mt_span *parts, size_t nparts, uint8_t *out);
void mt_ige_encrypt_portable(const uint8_t key[32], uint8_t iv[32], const uint8_t *in, uint8_t *out, size_t len);
void mt_ige_decrypt_portable(const uint8_t key[32], uint8_t iv[32], const uint8_t *in, uint8_t *out, size_t len);
void mt_ige_encrypt_batch_serial(struct mt_ige_job *jobs, size_t n);
void mt_ige_decrypt_batch_serial(struct mt_ige_job *jobs, size_t n);
void mt_sha256_blocks_portable(uint32_t h[8], const uint8_t *p, size_t nblocks);
void mt_sha256_v_portable(const struct mt_span *parts, size_t nparts, uint8_t out[32]);
void mt_ctr_stream_portable(const uint8_t key[32], uint8_t ctr[16], uint8_t *out, size_t n);

/* AES-NI (xmm) */
void mt_ige_encrypt_aesni(const uint8_t key[32], uint8_t iv[32], const uint8_t *in, uint8_t *out, size_t len);
void mt_ige_decrypt_aesni(const uint8_t key[32], uint8_t iv[32], const uint8_t *in, uint8_t *out, size_t len);
void mt_ige_encrypt_batch_aesni(struct mt_ige_job *jobs, size_t n);
void mt_ige_decrypt_batch_aesni(struct mt_ige_job *jobs, size_t n);
void mt_ctr_stream_aesni(const uint8_t key[32], uint8_t ctr[16], uint8_t *out, size_t n);

/* VAES */
void mt_ige_encrypt_batch_vaes256(struct mt_ige_job *jobs, size_t n);
void mt_ige_decrypt_batch_vaes256(struct mt_ige_job *jobs, size_t n);
void mt_ige_encrypt_batch_vaes512(struct mt_ige_job *jobs, size_t n);
void mt_ige_decrypt_batch_vaes512(struct mt_ige_job *jobs, size_t n);
void mt_ctr_stream_vaes512(const uint8_t key[32], uint8_t ctr[16], uint8_t *out, size_t n);

/* SHA-NI */
void mt_sha256_blocks_shani(uint32_t h[8], const uint8_t *p, size_t nblocks);
void mt_sha256_v_shani(const struct mt_span *parts, size_t nparts, uint8_t out[32]);
void mt_sha256_x2_shani(struct mt_sha256_job *jobs, size_t n);     /* n <= 2 */
/* multi-buffer */
void mt_sha256_x8_avx2(struct mt_sha256_job *jobs, size_t n);      /* n <= 8 */
void mt_sha256_x16_avx512(struct mt_sha256_job *jobs, size_t n);   /* n <= 16 */
void mt_kdf2_x16_avx512(const uint8_t *const *auth, const uint8_t *const *msg_key, int x,
                        uint8_t *const *key_iv, size_t n);
void mt_msgkey_x16_avx512(const uint8_t *const *auth, const uint8_t *const *data,
                          const size_t *len, int x, uint8_t *const *out, size_t n);

/* Shared padding helper for kernels: the job's message (parts) as a whole. */
static inline size_t mt_sha256_job_len(const struct mt_sha256_job *j)
{
    return j->part[0].n + j->part[1].n + j->part[2].n;
}

#endif
