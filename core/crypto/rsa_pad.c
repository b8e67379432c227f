/* RSA encryption schemes of the handshake (mtproto-auth_key.md): RSA_PAD,
 * the OAEP+-like padding of MTProto 2.0 (req_DH_params), its server-side
 * inverse, and the legacy SHA1-prefixed scheme still used with the older
 * p_q_inner_data constructors. */
#include "core/crypto/rsa_internal.h"

#define PAD_DATA_MAX 144
#define PAD_BLOCK 192     /* data_with_padding */
#define PAD_HASHED 224    /* data_with_hash */
#define LEGACY_BLOCK 255
#define LEGACY_DATA_MAX (LEGACY_BLOCK - 20)

static void reverse_copy(uint8_t *dst, const uint8_t *src, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dst[i] = src[n - 1 - i];
}

/* One RSA_PAD attempt with the given randomness; MT_E_RANGE when
 * key_aes_encrypted >= n (the caller retries with a new temp_key). */
int mt_rsa_pad_encrypt_with(const struct mt_rsa *k, const void *data, size_t len,
                            const uint8_t *random_padding, const uint8_t temp_key[32],
                            uint8_t out[256])
{
    if (!k || k->size != MT_RSA_BYTES)
        return MT_E_RSA_KEY;
    if (!data || len > PAD_DATA_MAX || (!random_padding && len < PAD_BLOCK))
        return MT_E_INVAL;
    uint8_t dwp[PAD_BLOCK], dwh[PAD_HASHED], kae[MT_RSA_BYTES], h[32], iv[32] = { 0 };
    memcpy(dwp, data, len);
    memcpy(dwp + len, random_padding, PAD_BLOCK - len);
    reverse_copy(dwh, dwp, PAD_BLOCK);
    const struct mt_span parts[2] = { { temp_key, 32 }, { dwp, PAD_BLOCK } };
    mt_sha256_v(parts, 2, dwh + PAD_BLOCK);
    int rc = mt_ige256_encrypt(temp_key, iv, dwh, kae + 32, PAD_HASHED);
    if (rc == 0) {
        mt_sha256(kae + 32, PAD_HASHED, h);
        for (int i = 0; i < 32; i++)
            kae[i] = temp_key[i] ^ h[i];
        rc = memcmp(kae, k->n_be, MT_RSA_BYTES) >= 0 ? MT_E_RANGE
                                                     : mt_rsa_public_raw(k, kae, out);
    }
    mt_wipe(dwp, sizeof dwp);
    mt_wipe(dwh, sizeof dwh);
    mt_wipe(kae, sizeof kae);
    return rc;
}

int mt_rsa_pad_encrypt(const struct mt_rsa *k, const void *data, size_t len,
                       struct mt_rng *rng, uint8_t out[256])
{
    if (!k || !data || !rng || len > PAD_DATA_MAX)
        return MT_E_INVAL;
    uint8_t padding[PAD_BLOCK], temp_key[32];
    mt_rng_bytes(rng, padding, PAD_BLOCK - len);
    int rc = MT_E_CRYPTO;
    /* Each attempt succeeds with probability n / 2^2048 (> 1/2 for a 2048-bit
     * n), so 64 failures in a row mean a broken rng. */
    for (int attempt = 0; attempt < 64; attempt++) {
        mt_rng_bytes(rng, temp_key, sizeof temp_key);
        rc = mt_rsa_pad_encrypt_with(k, data, len, padding, temp_key, out);
        if (rc != MT_E_RANGE)
            break;
    }
    mt_wipe(temp_key, sizeof temp_key);
    mt_wipe(padding, sizeof padding);
    return rc == MT_E_RANGE ? MT_E_CRYPTO : rc;
}

/* The inverse (auth_key.md, editor's note): every inconsistency is MT_E_RSA. */
int mt_rsa_pad_decrypt(const struct mt_rsa *k, const uint8_t in[256],
                       uint8_t *data_out, size_t *data_len)
{
    if (!k || !in || !data_out || !data_len)
        return MT_E_INVAL;
    uint8_t kae[MT_RSA_BYTES], temp_key[32], dwh[PAD_HASHED], dwp[PAD_BLOCK], h[32];
    uint8_t iv[32] = { 0 };
    int rc = mt_rsa_private_raw(k, in, kae);
    if (rc)
        return rc == MT_E_RSA_KEY ? rc : MT_E_RSA;
    mt_sha256(kae + 32, PAD_HASHED, h);
    for (int i = 0; i < 32; i++)
        temp_key[i] = kae[i] ^ h[i];
    rc = mt_ige256_decrypt(temp_key, iv, kae + 32, dwh, PAD_HASHED);
    if (rc == 0) {
        reverse_copy(dwp, dwh, PAD_BLOCK);
        const struct mt_span parts[2] = { { temp_key, 32 }, { dwp, PAD_BLOCK } };
        mt_sha256_v(parts, 2, h);
        rc = mt_ct_equal(h, dwh + PAD_BLOCK, 32) ? 0 : MT_E_RSA;
    }
    if (rc == 0) {
        memcpy(data_out, dwp, PAD_BLOCK);
        *data_len = PAD_BLOCK;
    }
    mt_wipe(kae, sizeof kae);
    mt_wipe(temp_key, sizeof temp_key);
    mt_wipe(dwh, sizeof dwh);
    mt_wipe(dwp, sizeof dwp);
    return rc;
}

/* Legacy: RSA(SHA1(data) + data + random to 255 bytes); the 255-byte block
 * as a 256-byte number has a zero top byte, hence is below any 2048-bit n. */
int mt_rsa_legacy_encrypt(const struct mt_rsa *k, const void *data, size_t len,
                          struct mt_rng *rng, uint8_t out[256])
{
    if (!k || !data || !rng || len > LEGACY_DATA_MAX)
        return MT_E_INVAL;
    uint8_t m[MT_RSA_BYTES];
    m[0] = 0;
    mt_sha1(data, len, m + 1);
    memcpy(m + 21, data, len);
    mt_rng_bytes(rng, m + 21 + len, LEGACY_DATA_MAX - len);
    int rc = mt_rsa_public_raw(k, m, out);
    mt_wipe(m, sizeof m);
    return rc;
}

int mt_rsa_legacy_decrypt(const struct mt_rsa *k, const uint8_t in[256], uint8_t out[255])
{
    if (!k || !in || !out)
        return MT_E_INVAL;
    uint8_t m[MT_RSA_BYTES];
    int rc = mt_rsa_private_raw(k, in, m);
    if (rc == 0 && m[0] != 0)
        rc = MT_E_RSA;
    if (rc == 0)
        memcpy(out, m + 1, LEGACY_BLOCK);
    mt_wipe(m, sizeof m);
    return rc == MT_E_RSA_KEY || rc == 0 ? rc : MT_E_RSA;
}

int mt_rsa_legacy_check(const uint8_t block[255], size_t data_len)
{
    if (!block || data_len > LEGACY_DATA_MAX)
        return MT_E_RANGE;
    uint8_t h[20];
    mt_sha1(block + 20, data_len, h);
    return mt_ct_equal(h, block, 20) ? 0 : MT_E_HASH;
}
