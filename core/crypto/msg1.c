/* MTProto 1.0 message encryption, kept only for the bind_auth_key_inner
 * message of auth.bindTempAuthKey (api-pfs.md): msg_key = SHA1(plaintext)
 * [4..20) WITHOUT the padding, 0..15 padding bytes, the SHA-1 KDF, x = 0
 * (the binding message always goes from client to server). */
#include "core/crypto/mt_crypto.h"

int mt_msg1_encrypt(const struct mt_auth_key *key, const void *plain, size_t plain_len,
                    uint8_t *out, size_t cap, size_t *out_len, struct mt_rng *rng)
{
    if (!key || !plain || !out || !out_len || !rng || plain_len == 0)
        return MT_E_INVAL;
    size_t pad = (16 - plain_len % 16) % 16;
    if (cap < MT_MSG_HEADER || cap - MT_MSG_HEADER < plain_len + pad)
        return MT_E_OVERFLOW;
    uint8_t sha[20], aes_key[32], aes_iv[32];
    mt_sha1(plain, plain_len, sha);
    memmove(out + MT_MSG_HEADER, plain, plain_len);   /* plain may sit at out + 24 */
    memcpy(out, key->id, 8);
    memcpy(out + 8, sha + 4, 16);
    mt_rng_bytes(rng, out + MT_MSG_HEADER + plain_len, pad);
    mt_kdf1(key->key, out + 8, MT_X_CLIENT, aes_key, aes_iv);
    int rc = mt_ige256_encrypt(aes_key, aes_iv, out + MT_MSG_HEADER, out + MT_MSG_HEADER,
                               plain_len + pad);
    mt_wipe(aes_key, sizeof aes_key);
    mt_wipe(aes_iv, sizeof aes_iv);
    if (rc)
        return rc;
    *out_len = MT_MSG_HEADER + plain_len + pad;
    return 0;
}

/* The plaintext is random(16) msg_id(8) seqno(4) msg_len(4) body: msg_len
 * tells where the hashed part ends; 0..15 bytes of padding may follow. */
int mt_msg1_decrypt(const struct mt_auth_key *key, uint8_t *buf, size_t len,
                    const uint8_t **plain, size_t *plain_len)
{
    if (!key || !buf || !plain || !plain_len)
        return MT_E_INVAL;
    *plain = NULL;
    *plain_len = 0;
    if (len < MT_MSG_HEADER + MT_MSG_INNER_HEADER || (len - MT_MSG_HEADER) % 16)
        return MT_E_MSG_LEN;
    uint8_t aes_key[32], aes_iv[32], sha[20];
    uint8_t *data = buf + MT_MSG_HEADER;
    size_t dlen = len - MT_MSG_HEADER;
    mt_kdf1(key->key, buf + 8, MT_X_CLIENT, aes_key, aes_iv);
    int rc = mt_ige256_decrypt(aes_key, aes_iv, data, data, dlen);
    mt_wipe(aes_key, sizeof aes_key);
    mt_wipe(aes_iv, sizeof aes_iv);
    if (rc)
        return rc;
    uint32_t l = mt_load_le32(data + 28);
    size_t room = dlen - MT_MSG_INNER_HEADER;
    if (l % 4 || l > room || room - l > 15)
        return MT_E_MSG_PAD;
    mt_sha1(data, MT_MSG_INNER_HEADER + l, sha);
    if (!mt_ct_equal(sha + 4, buf + 8, 16))
        return MT_E_MSG_KEY;
    *plain = data;
    *plain_len = MT_MSG_INNER_HEADER + l;
    return 0;
}
