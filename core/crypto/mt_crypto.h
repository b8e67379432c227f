/* core/crypto: every cryptographic primitive MTProto 2.0 needs, with run-time
 * CPU dispatch and batch APIs that interleave independent messages in SIMD
 * registers. Pure functions: state is passed explicitly, no locks, no hidden
 * globals beyond the one-time dispatch table; safe from any thread.
 *
 * Conventions: lengths in bytes; 0 / negative MT_E* returns (core/base);
 * big numbers are big-endian byte strings; hashes and nonces are raw bytes. */
#ifndef MT_CRYPTO_H
#define MT_CRYPTO_H

#include "core/base/mt_base.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- CPU dispatch ------------------------------------------------------
 * Tiers are ordered; a tier uses everything of the tiers below it that the
 * CPU has. MTLOAD_CPU=portable|aesni|avx2|avx512 caps the tier (useful to
 * test and compare every path on one machine); unset = best available.
 *   portable: OpenSSL for everything (the baseline of every benchmark)
 *   aesni:    AES-NI (xmm, interleaved batch), SHA-NI
 *   avx2:     + VAES on ymm, AVX2 multi-buffer SHA-256
 *   avx512:   + VAES on zmm, AVX-512 multi-buffer SHA-256 */
enum mt_cpu_tier { MT_TIER_PORTABLE = 0, MT_TIER_AESNI, MT_TIER_AVX2, MT_TIER_AVX512 };

struct mt_cpu_features {
    unsigned aesni : 1, pclmul : 1, ssse3 : 1, sse41 : 1, sha_ni : 1, avx2 : 1,
        vaes : 1, vpclmul : 1, avx512f : 1, avx512bw : 1, avx512vl : 1, os_zmm : 1;
};

/* Detect once and pick implementations (idempotent, thread-safe). Returns
 * MT_E_UNSUPPORTED when MTLOAD_CPU names a tier this CPU lacks (the best
 * available tier is used then) or MT_E_INVAL for an unknown name. */
int mt_crypto_init(void);
/* Force a tier at run time (tests and benchmarks; not while other threads are
 * inside crypto calls). Fails with MT_E_UNSUPPORTED above what the CPU has. */
int mt_crypto_set_tier(enum mt_cpu_tier tier);
enum mt_cpu_tier mt_crypto_tier(void);
enum mt_cpu_tier mt_crypto_max_tier(void);    /* best this CPU supports */
const char *mt_crypto_tier_name(enum mt_cpu_tier tier);
int mt_crypto_tier_parse(const char *name, enum mt_cpu_tier *out);
const struct mt_cpu_features *mt_cpu(void);
/* Human line, e.g. "avx512 (ige=vaes512 sha256=shani sha256_batch=avx512x16)". */
const char *mt_crypto_describe(void);
/* CPU model string from CPUID (brand), for results files. */
const char *mt_cpu_model(void);

/* ---- random ------------------------------------------------------------
 * A per-thread (caller-owned) CSPRNG seeded from getrandom(): AES-256-CTR
 * keystream, reseeded every 2^32 bytes. Cheap enough per message (padding). */
struct mt_rng {
    /* One refill: the next key (first 32 bytes), then output. 2 KiB spreads
     * the ~30 ns AES-256 key expansion of a refill to 0.015 ns a byte;
     * 4 KiB measured no faster. */
    uint8_t buf[2048] __attribute__((aligned(64)));
    size_t pos;                      /* bytes of buf already used (zeroed) */
    uint64_t produced;
    uint8_t key[32];
    uint8_t ctr[16];
};
int mt_rng_init(struct mt_rng *rng);                 /* MT_E_RANDOM on failure */
void mt_rng_bytes(struct mt_rng *rng, void *out, size_t n);
uint64_t mt_rng_u64(struct mt_rng *rng);
uint32_t mt_rng_uniform(struct mt_rng *rng, uint32_t bound); /* [0, bound) */
void mt_rng_free(struct mt_rng *rng);                /* wipes */
/* Direct getrandom() for long-lived secrets (keys, nonces). */
int mt_random_bytes(void *out, size_t n);

/* ---- hashes ------------------------------------------------------------ */
struct mt_span { const void *p; size_t n; };

void mt_sha1(const void *data, size_t len, uint8_t out[20]);
void mt_sha1_v(const struct mt_span *parts, size_t nparts, uint8_t out[20]);
void mt_sha256(const void *data, size_t len, uint8_t out[32]);
void mt_sha256_v(const struct mt_span *parts, size_t nparts, uint8_t out[32]);

/* Incremental SHA-256 (transparent state: lives on the stack). */
struct mt_sha256_ctx {
    uint32_t h[8];
    uint64_t total;
    uint8_t buf[64];
    size_t buflen;
};
void mt_sha256_init(struct mt_sha256_ctx *c);
void mt_sha256_update(struct mt_sha256_ctx *c, const void *data, size_t len);
void mt_sha256_final(struct mt_sha256_ctx *c, uint8_t out[32]);

/* Batch SHA-256 of many independent messages, each the concatenation of up
 * to 3 parts (MTProto hashes auth_key slice + data). Implementations
 * interleave SHA-NI streams or use AVX-512/AVX2 multi-buffer lanes. */
#define MT_SHA256_JOB_PARTS 3
struct mt_sha256_job {
    struct mt_span part[MT_SHA256_JOB_PARTS];  /* unused parts: n = 0 */
    uint8_t *out;                              /* 32 bytes */
};
void mt_sha256_batch(struct mt_sha256_job *jobs, size_t n);

uint32_t mt_crc32(uint32_t crc, const void *data, size_t len); /* zlib's */

/* ---- AES-256-IGE -------------------------------------------------------
 * IV layout as OpenSSL's AES_ige_encrypt: iv[0..16) = previous ciphertext
 * block, iv[16..32) = previous plaintext block. The IV is updated in place,
 * so chunked calls equal one call. len must be a multiple of 16; in == out
 * is allowed. Errors: MT_E_INVAL for a bad length. */
int mt_ige256_encrypt(const uint8_t key[32], uint8_t iv[32], const void *in, void *out, size_t len);
int mt_ige256_decrypt(const uint8_t key[32], uint8_t iv[32], const void *in, void *out, size_t len);

/* Batch IGE: many independent messages (own key, IV, length; lengths may
 * differ) interleaved across AES-NI xmm (8) / VAES ymm and zmm lanes (16);
 * any number of jobs, larger batches run as the lanes free up (16 lanes
 * kept the AES unit busier than 32 on the CPU measured). Returns 0, or MT_E_INVAL if any job's length is not a
 * multiple of 16 (then nothing is processed). */
struct mt_ige_job {
    const uint8_t *key;   /* 32 bytes */
    uint8_t *iv;          /* 32 bytes, updated */
    const uint8_t *in;
    uint8_t *out;         /* may equal in */
    size_t len;
};
int mt_ige256_encrypt_batch(struct mt_ige_job *jobs, size_t n);
int mt_ige256_decrypt_batch(struct mt_ige_job *jobs, size_t n);

/* ---- AES-256-CTR (transport obfuscation) -------------------------------
 * A stream that continues across calls (never restarts per packet). Backed
 * by OpenSSL EVP (which uses AES-NI itself). */
struct mt_ctr { void *evp; };
int mt_ctr_init(struct mt_ctr *s, const uint8_t key[32], const uint8_t iv[16]);
void mt_ctr_xor(struct mt_ctr *s, const void *in, void *out, size_t len);
void mt_ctr_free(struct mt_ctr *s);

/* ---- MTProto 2.0 message crypto ----------------------------------------
 * Encrypted message: auth_key_id (8) | msg_key (16) | AES-IGE(plaintext).
 * Plaintext: salt(8) session_id(8) msg_id(8) seq_no(4) length(4) body pad.
 * Direction x: MT_X_CLIENT (0) for client->server, MT_X_SERVER (8) back. */
enum { MT_X_CLIENT = 0, MT_X_SERVER = 8 };
#define MT_MSG_HEADER 24          /* auth_key_id + msg_key */
#define MT_MSG_INNER_HEADER 32    /* salt .. length */
#define MT_MSG_PAD_MIN 12
#define MT_MSG_PAD_MAX 1024

/* An auth key with what is derived from it once. */
struct mt_auth_key {
    uint8_t key[256];
    uint8_t id[8];        /* last 8 bytes of SHA1(key) */
    uint64_t id64;        /* id as little-endian u64 (the wire value) */
};
void mt_auth_key_set(struct mt_auth_key *k, const uint8_t key[256]);

/* The MTProto 2.0 KDF: aes_key/aes_iv from auth_key, msg_key and x. */
void mt_kdf2(const uint8_t auth_key[256], const uint8_t msg_key[16], int x,
             uint8_t aes_key[32], uint8_t aes_iv[32]);
/* The MTProto 1.0 KDF (SHA-1), only for bind_auth_key_inner. */
void mt_kdf1(const uint8_t auth_key[256], const uint8_t msg_key[16], int x,
             uint8_t aes_key[32], uint8_t aes_iv[32]);

/* Encrypt in place. The caller has written plain_len bytes of plaintext
 * (inner header + body) at buf + MT_MSG_HEADER; buf has room for cap bytes in
 * all. Padding (random from rng, 12..pad_max so that the total is a multiple
 * of 16; pad_max 0 means the minimum 12..27) is appended, the msg_key and
 * auth_key_id written at buf[0..24), and the plaintext encrypted in place.
 * On success out_len = 24 + plain_len + padding and quick_ack holds the
 * quick-ack token (first 4 bytes of msg_key_large, LE, | 0x80000000). */
struct mt_msg_job {
    const struct mt_auth_key *key;
    uint8_t *buf;
    size_t plain_len;     /* in */
    size_t cap;           /* in */
    size_t pad_max;       /* in: upper bound on padding (0 = minimal) */
    size_t out_len;       /* out */
    uint32_t quick_ack;   /* out */
    int status;           /* out: 0 or MT_E_* */
};
int mt_msg_encrypt(struct mt_msg_job *job, int x, struct mt_rng *rng);
/* Batch: every job's status is set; returns the number of failed jobs. */
size_t mt_msg_encrypt_batch(struct mt_msg_job *jobs, size_t n, int x, struct mt_rng *rng);
/* Same with padding the caller chose: plain_len already includes it and is a
 * multiple of 16 (known-answer tests; MT_E_INVAL otherwise). No rng. */
int mt_msg_encrypt_padded(struct mt_msg_job *job, int x);

/* Decrypt in place. buf/len is one whole encrypted message (auth_key_id
 * included; the caller has already matched auth_key_id to key). Checks:
 * len - 24 is a positive multiple of 16; msg_key equals the recomputed one
 * (constant time); the length field of the plaintext leaves 12..1024 bytes of
 * padding. On success body points inside buf at the message body (after the
 * 32-byte inner header) and body_len is the length field's value. */
struct mt_msg_djob {
    const struct mt_auth_key *key;
    uint8_t *buf;
    size_t len;           /* in */
    const uint8_t *plain; /* out: start of the plaintext (salt) */
    const uint8_t *body;  /* out */
    size_t body_len;      /* out */
    uint32_t quick_ack;   /* out: the token the sender expects */
    int status;           /* out: 0, MT_E_MSG_LEN, MT_E_MSG_KEY, MT_E_MSG_PAD */
};
int mt_msg_decrypt(struct mt_msg_djob *job, int x);
size_t mt_msg_decrypt_batch(struct mt_msg_djob *jobs, size_t n, int x);

/* MTProto 1.0 message encryption for bind_auth_key_inner (api-pfs.md):
 * msg_key = SHA1(plaintext)[4..20), padding 0..15 not hashed. */
int mt_msg1_encrypt(const struct mt_auth_key *key, const void *plain, size_t plain_len,
                    uint8_t *out, size_t cap, size_t *out_len, struct mt_rng *rng);
int mt_msg1_decrypt(const struct mt_auth_key *key, uint8_t *buf, size_t len,
                    const uint8_t **plain, size_t *plain_len);

/* ---- handshake mathematics --------------------------------------------- */

/* RSA keys (opaque: OpenSSL EVP_PKEY inside). Public keys load from PEM in
 * PKCS#1 ("BEGIN RSA PUBLIC KEY", as Telegram publishes them) or SPKI form;
 * private keys from PKCS#1/PKCS#8 PEM. err, if given, receives a message. */
struct mt_rsa;
struct mt_rsa *mt_rsa_load_pem(const char *pem, size_t len, char *err, size_t errlen);
struct mt_rsa *mt_rsa_load_file(const char *path, char *err, size_t errlen);
struct mt_rsa *mt_rsa_generate(int bits, char *err, size_t errlen);
int mt_rsa_save_private(const struct mt_rsa *k, const char *path);
int mt_rsa_save_public(const struct mt_rsa *k, const char *path); /* PKCS#1 */
int mt_rsa_has_private(const struct mt_rsa *k);
size_t mt_rsa_size(const struct mt_rsa *k);                       /* bytes of n */
/* Fingerprint: last 8 bytes of SHA1(TL bytes(n) + TL bytes(e)), as the LE
 * u64 that appears on the wire in resPQ. */
uint64_t mt_rsa_fingerprint(const struct mt_rsa *k);
void mt_rsa_free(struct mt_rsa *k);
/* A public key from its modulus (big-endian) and exponent; NULL on failure. */
struct mt_rsa *mt_rsa_from_public(const uint8_t *n, size_t nlen, uint32_t e);

/* RSA_PAD (auth_key.md): data (<= 144 bytes) -> 256-byte ciphertext, and its
 * inverse for servers (MT_E_RSA on any check failure). */
int mt_rsa_pad_encrypt(const struct mt_rsa *k, const void *data, size_t len,
                       struct mt_rng *rng, uint8_t out[256]);
int mt_rsa_pad_decrypt(const struct mt_rsa *k, const uint8_t in[256],
                       uint8_t *data_out /* 192 */, size_t *data_len /* = 192 */);
/* One RSA_PAD attempt with given randomness (192 - len padding bytes and
 * temp_key): MT_E_RANGE when key_aes_encrypted >= n, i.e. the caller must
 * retry with a new temp_key. For known-answer tests. */
int mt_rsa_pad_encrypt_with(const struct mt_rsa *k, const void *data, size_t len,
                            const uint8_t *random_padding, const uint8_t temp_key[32],
                            uint8_t out[256]);
/* Legacy scheme: SHA1(data) + data + random padding to 255 bytes, raw RSA.
 * Decrypt verifies the SHA1 given the caller-parsed data length: it returns
 * the 255-byte block, the caller parses the TL object and calls
 * mt_rsa_legacy_check(). */
int mt_rsa_legacy_encrypt(const struct mt_rsa *k, const void *data, size_t len,
                          struct mt_rng *rng, uint8_t out[256]);
int mt_rsa_legacy_decrypt(const struct mt_rsa *k, const uint8_t in[256], uint8_t out[255]);
/* 0 if block (from mt_rsa_legacy_decrypt) starts with SHA1 of the data_len
 * bytes after it; MT_E_HASH if not, MT_E_RANGE if data_len > 235. */
int mt_rsa_legacy_check(const uint8_t block[255], size_t data_len);
/* Raw RSA private operation (m = c^d mod n), 256 bytes each. */
int mt_rsa_private_raw(const struct mt_rsa *k, const uint8_t in[256], uint8_t out[256]);
/* Raw RSA public operation (c = m^e mod n); MT_E_RSA if in >= n. Raw
 * operations and paddings need a 2048-bit key (MT_E_RSA_KEY otherwise). */
int mt_rsa_public_raw(const struct mt_rsa *k, const uint8_t in[256], uint8_t out[256]);

/* tmp_aes_key / tmp_aes_iv from new_nonce and server_nonce (auth_key.md). */
void mt_hs_tmp_aes(const uint8_t new_nonce[32], const uint8_t server_nonce[16],
                   uint8_t key[32], uint8_t iv[32]);

/* DH over OpenSSL BIGNUM. All numbers are big-endian byte strings of the
 * modulus size (left-padded with zeros to plen). */
/* Checks of security_guidelines.md: p a 2048-bit safe prime, g in 2..7 with
 * the quadratic-residue conditions. The published prime is recognised and
 * not re-tested (primality tests are slow). */
int mt_dh_check_params(const uint8_t *p, size_t plen, uint32_t g);
/* 1 < x < p-1 and 2^(2048-64) <= x <= p - 2^(2048-64). */
int mt_dh_check_public(const uint8_t *x, size_t xlen, const uint8_t *p, size_t plen);
/* out = base^exp mod p, constant time in exp (BN_mod_exp_mont_consttime);
 * out has plen bytes, left-padded with zeros. */
int mt_dh_modexp(const uint8_t *base, size_t blen, const uint8_t *exp, size_t elen,
                 const uint8_t *p, size_t plen, uint8_t *out);
/* Same with a small integer base (g). */
int mt_dh_modexp_g(uint32_t g, const uint8_t *exp, size_t elen,
                   const uint8_t *p, size_t plen, uint8_t *out);
/* The published 2048-bit prime (g = 3), 256 bytes. */
extern const uint8_t mt_dh_prime_2048[256];

/* pq factorization (Pollard-Brent, 128-bit mulmod): p < q on success. */
int mt_pq_factor(uint64_t pq, uint32_t *p, uint32_t *q);
/* Plain Pollard rho (gcd every step): only the benchmark baseline. */
int mt_pq_factor_rho(uint64_t pq, uint32_t *p, uint32_t *q);
/* Deterministic Miller-Rabin for 64-bit integers: 1 if n is prime. */
int mt_is_prime_u64(uint64_t n);
/* A random prime of the given bit length (server pq). */
uint32_t mt_random_prime32(struct mt_rng *rng, int bits);

#ifdef __cplusplus
}
#endif
#endif
