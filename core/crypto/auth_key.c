/* Values derived from an auth key or from the handshake nonces: auth_key_id,
 * the MTProto 2.0 and 1.0 message KDFs (single-message forms; the batch code
 * in msg2.c feeds the same hash inputs to mt_sha256_batch) and the handshake's
 * tmp_aes_key / tmp_aes_iv. */
#include "core/crypto/mt_crypto.h"

void mt_auth_key_set(struct mt_auth_key *k, const uint8_t key[256])
{
    uint8_t sha[20];
    memcpy(k->key, key, 256);
    mt_sha1(key, 256, sha);
    /* auth_key_id = the 64 lower-order bits of SHA1 = its last 8 bytes. */
    memcpy(k->id, sha + 12, 8);
    k->id64 = mt_load_le64(k->id);
}

/* mtproto-description.md: sha256_a = SHA256(msg_key + auth_key[x, 36)),
 * sha256_b = SHA256(auth_key[40+x, 36) + msg_key). */
void mt_kdf2(const uint8_t auth_key[256], const uint8_t msg_key[16], int x,
             uint8_t aes_key[32], uint8_t aes_iv[32])
{
    uint8_t a[32], b[32];
    const struct mt_span pa[2] = { { msg_key, 16 }, { auth_key + x, 36 } };
    const struct mt_span pb[2] = { { auth_key + 40 + x, 36 }, { msg_key, 16 } };
    mt_sha256_v(pa, 2, a);
    mt_sha256_v(pb, 2, b);
    memcpy(aes_key, a, 8);
    memcpy(aes_key + 8, b + 8, 16);
    memcpy(aes_key + 24, a + 24, 8);
    memcpy(aes_iv, b, 8);
    memcpy(aes_iv + 8, a + 8, 16);
    memcpy(aes_iv + 24, b + 24, 8);
    mt_wipe(a, sizeof a);
    mt_wipe(b, sizeof b);
}

/* api-pfs.md part 3 (the MTProto 1.0 formulas). */
void mt_kdf1(const uint8_t auth_key[256], const uint8_t msg_key[16], int x,
             uint8_t aes_key[32], uint8_t aes_iv[32])
{
    uint8_t a[20], b[20], c[20], d[20];
    const struct mt_span pa[2] = { { msg_key, 16 }, { auth_key + x, 32 } };
    const struct mt_span pb[3] = { { auth_key + 32 + x, 16 }, { msg_key, 16 },
                                   { auth_key + 48 + x, 16 } };
    const struct mt_span pc[2] = { { auth_key + 64 + x, 32 }, { msg_key, 16 } };
    const struct mt_span pd[2] = { { msg_key, 16 }, { auth_key + 96 + x, 32 } };
    mt_sha1_v(pa, 2, a);
    mt_sha1_v(pb, 3, b);
    mt_sha1_v(pc, 2, c);
    mt_sha1_v(pd, 2, d);
    memcpy(aes_key, a, 8);
    memcpy(aes_key + 8, b + 8, 12);
    memcpy(aes_key + 20, c + 4, 12);
    memcpy(aes_iv, a + 8, 12);
    memcpy(aes_iv + 12, b, 8);
    memcpy(aes_iv + 20, c + 16, 4);
    memcpy(aes_iv + 24, d, 8);
    mt_wipe(a, sizeof a);
    mt_wipe(b, sizeof b);
    mt_wipe(c, sizeof c);
    mt_wipe(d, sizeof d);
}

/* mtproto-auth_key.md step 6. Nonces are raw wire bytes (never big integers:
 * a leading zero byte must survive). */
void mt_hs_tmp_aes(const uint8_t new_nonce[32], const uint8_t server_nonce[16],
                   uint8_t key[32], uint8_t iv[32])
{
    uint8_t ns[20], sn[20], nn[20];
    const struct mt_span p_ns[2] = { { new_nonce, 32 }, { server_nonce, 16 } };
    const struct mt_span p_sn[2] = { { server_nonce, 16 }, { new_nonce, 32 } };
    const struct mt_span p_nn[2] = { { new_nonce, 32 }, { new_nonce, 32 } };
    mt_sha1_v(p_ns, 2, ns);
    mt_sha1_v(p_sn, 2, sn);
    mt_sha1_v(p_nn, 2, nn);
    memcpy(key, ns, 20);
    memcpy(key + 20, sn, 12);
    memcpy(iv, sn + 12, 8);
    memcpy(iv + 8, nn, 20);
    memcpy(iv + 28, new_nonce, 4);
    mt_wipe(ns, sizeof ns);
    mt_wipe(sn, sizeof sn);
    mt_wipe(nn, sizeof nn);
}
