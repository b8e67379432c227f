/* What both handshake sides share: error names, randomness, the nonce
 * hashes, auth_key derivation, pq encoding and the AES-wrapped
 * answer_with_hash / data_with_hash objects (mtproto-auth_key.md). */
#include <stdio.h>

#include "core/mtproto/hs_internal.h"

static const char *const state_names[] = {
    [MT_HS_C_INIT] = "client INIT",
    [MT_HS_C_WAIT_RES_PQ] = "client WAIT_RES_PQ",
    [MT_HS_C_WAIT_DH_PARAMS] = "client WAIT_DH_PARAMS",
    [MT_HS_C_WAIT_DH_GEN] = "client WAIT_DH_GEN",
    [MT_HS_S_WAIT_REQ_PQ] = "server WAIT_REQ_PQ",
    [MT_HS_S_WAIT_REQ_DH] = "server WAIT_REQ_DH",
    [MT_HS_S_WAIT_CLIENT_DH] = "server WAIT_CLIENT_DH",
    [MT_HS_DONE_STATE] = "DONE",
    [MT_HS_FAILED] = "FAILED",
};

const char *mt_hs_state_name(int state)
{
    if (state < 0 || (size_t)state >= MT_ARRAY_LEN(state_names) || !state_names[state])
        return "unknown state";
    return state_names[state];
}

static const char *const detail_names[MT_HS_E_COUNT] = {
    [MT_HS_E_NONE] = "no error",
    [MT_HS_E_ENV_SHORT] = "envelope shorter than its header or length",
    [MT_HS_E_ENV_AUTH_KEY_ID] = "envelope auth_key_id is not 0",
    [MT_HS_E_ENV_LENGTH] = "envelope length field does not match the body",
    [MT_HS_E_ENV_MSG_ID_PARITY] = "envelope msg_id has the wrong parity",
    [MT_HS_E_ENV_MSG_ID_ORDER] = "envelope msg_id not above the previous one",
    [MT_HS_E_CTOR] = "unexpected constructor",
    [MT_HS_E_TL] = "malformed TL object",
    [MT_HS_E_TRAILING] = "bytes after the TL object",
    [MT_HS_E_NONCE] = "nonce mismatch",
    [MT_HS_E_SERVER_NONCE] = "server_nonce mismatch",
    [MT_HS_E_INNER_NONCE] = "nonce mismatch inside the encrypted object",
    [MT_HS_E_INNER_SERVER_NONCE] = "server_nonce mismatch inside the encrypted object",
    [MT_HS_E_NEW_NONCE_HASH1] = "dh_gen_ok: new_nonce_hash1 mismatch",
    [MT_HS_E_NEW_NONCE_HASH2] = "dh_gen_retry: new_nonce_hash2 mismatch",
    [MT_HS_E_NEW_NONCE_HASH3] = "dh_gen_fail: new_nonce_hash3 mismatch",
    [MT_HS_E_FAIL_NONCE_HASH] = "server_DH_params_fail: new_nonce_hash mismatch",
    [MT_HS_E_PQ_SIZE] = "pq is not a 1..63-bit number",
    [MT_HS_E_PQ_FACTOR] = "pq is not a product of two primes",
    [MT_HS_E_PQ_MISMATCH] = "p, q or pq differ from the server's",
    [MT_HS_E_NO_KEY] = "no trusted RSA key among the server's fingerprints",
    [MT_HS_E_FINGERPRINT] = "public_key_fingerprint names no key of the server",
    [MT_HS_E_RSA_DECRYPT] = "encrypted_data verifies as neither RSA_PAD nor legacy RSA",
    [MT_HS_E_INNER_FORM] = "p_q_inner_data form not accepted",
    [MT_HS_E_DC] = "p_q_inner_data dc is not this server's",
    [MT_HS_E_EXPIRES_IN] = "temporary key with expires_in <= 0",
    [MT_HS_E_AES_LEN] = "encrypted part empty, too long or not a multiple of 16",
    [MT_HS_E_AES_HASH] = "SHA1 of the decrypted object mismatch",
    [MT_HS_E_AES_PAD] = "more than 15 padding bytes after the decrypted object",
    [MT_HS_E_DH_PRIME] = "dh_prime is not a safe 2048-bit prime",
    [MT_HS_E_DH_G] = "g does not generate the (p-1)/2 subgroup",
    [MT_HS_E_DH_GA] = "g_a outside [2^1984, p - 2^1984]",
    [MT_HS_E_DH_GB] = "g_b outside [2^1984, p - 2^1984]",
    [MT_HS_E_RETRY_ID] = "retry_id is not the previous auth_key_aux_hash",
    [MT_HS_E_DH_GEN_FAIL] = "server answered dh_gen_fail",
    [MT_HS_E_DH_PARAMS_FAIL] = "server answered server_DH_params_fail",
    [MT_HS_E_RETRIES] = "too many dh_gen_retry rounds",
    [MT_HS_E_STATE] = "call not valid in this state",
    [MT_HS_E_OUT] = "output buffer too small",
    [MT_HS_E_CRYPTO] = "crypto primitive failed",
    [MT_HS_E_BIND_DECRYPT] = "bind: MTProto 1.0 decryption or msg_key check failed",
    [MT_HS_E_BIND_LENGTH] = "bind: plaintext is not 72 bytes / msg_len 40",
    [MT_HS_E_BIND_SEQNO] = "bind: seqno is not 0",
    [MT_HS_E_BIND_MSG_ID] = "bind: inner msg_id differs from the carrying message",
    [MT_HS_E_BIND_CTOR] = "bind: not bind_auth_key_inner",
    [MT_HS_E_BIND_PERM_KEY] = "bind: perm_auth_key_id mismatch",
    [MT_HS_E_BIND_TEMP_KEY] = "bind: temp_auth_key_id is not the carrying key",
    [MT_HS_E_BIND_SESSION] = "bind: temp_session_id is not the carrying session",
    [MT_HS_E_BIND_NONCE] = "bind: nonce differs from the call's",
    [MT_HS_E_BIND_EXPIRES] = "bind: expires_at differs from the call's",
};

const char *mt_hs_strerror(int detail)
{
    if (detail < 0 || detail >= MT_HS_E_COUNT || !detail_names[detail])
        return "unknown handshake error";
    return detail_names[detail];
}

int hs_fail(struct hs_err *e, int state, int detail, int code)
{
    e->state = (uint8_t)state;
    e->detail = (uint8_t)detail;
    return code;
}

const char *hs_format_error(const struct hs_err *e, const char *side)
{
    /* Per thread: objects live on one worker thread; the text is for logs. */
    static __thread char buf[160];
    if (e->detail == MT_HS_E_NONE)
        snprintf(buf, sizeof buf, "%s: no error", side);
    else
        snprintf(buf, sizeof buf, "%s: %s", mt_hs_state_name(e->state), mt_hs_strerror(e->detail));
    return buf;
}

void hs_rand(const struct mt_hs_rand *r, struct mt_rng *rng, enum mt_hs_rand_kind kind,
             void *out, size_t n)
{
    if (!n)
        return;
    if (r && r->fn)
        r->fn(r->ctx, kind, out, n);
    else
        mt_rng_bytes(rng, out, n);
}

void hs_new_nonce_hash(const uint8_t new_nonce[32], int n, const uint8_t aux[8], uint8_t out[16])
{
    uint8_t num = (uint8_t)n, sha[20];
    const struct mt_span parts[3] = { { new_nonce, 32 }, { &num, 1 }, { aux, 8 } };
    mt_sha1_v(parts, 3, sha);
    memcpy(out, sha + 4, 16);     /* the 128 lower-order bits = last 16 bytes */
}

uint64_t hs_first_salt(const uint8_t new_nonce[32], const uint8_t server_nonce[16])
{
    return mt_load_le64(new_nonce) ^ mt_load_le64(server_nonce);
}

void hs_auth_key_from_dh(const uint8_t *dh, size_t plen, struct mt_auth_key *key, uint8_t aux[8])
{
    uint8_t full[HS_DH_LEN], sha[20];
    /* The key as bytes is always 256 bytes, left-padded with zeros: a DH
     * result with leading zero bytes must not shrink (spec README #1). */
    if (plen > HS_DH_LEN) {
        dh += plen - HS_DH_LEN;
        plen = HS_DH_LEN;
    }
    memset(full, 0, HS_DH_LEN - plen);
    memcpy(full + HS_DH_LEN - plen, dh, plen);
    mt_auth_key_set(key, full);
    mt_sha1(full, HS_DH_LEN, sha);
    memcpy(aux, sha, 8);          /* auth_key_aux_hash: the higher-order 64 bits */
    mt_wipe(full, sizeof full);
}

int hs_be_to_u64(const uint8_t *p, size_t n, uint64_t *v)
{
    if (n == 0 || n > 8)
        return MT_E_RANGE;
    uint64_t x = 0;
    for (size_t i = 0; i < n; i++)
        x = x << 8 | p[i];
    if (x >> 63)
        return MT_E_RANGE;
    *v = x;
    return 0;
}

int hs_left_pad256(const uint8_t *p, size_t n, uint8_t out[HS_DH_LEN])
{
    if (n == 0 || n > HS_DH_LEN)
        return MT_E_RANGE;
    memset(out, 0, HS_DH_LEN - n);
    memcpy(out + HS_DH_LEN - n, p, n);
    return 0;
}

int hs_aes_wrap(const uint8_t new_nonce[32], const uint8_t server_nonce[16],
                const uint8_t *obj, size_t objlen, const struct mt_hs_rand *r,
                struct mt_rng *rng, uint8_t *out, size_t cap, size_t *out_len)
{
    size_t pad = (16 - (20 + objlen) % 16) % 16;
    size_t total = 20 + objlen + pad;
    if (total > cap || total > HS_AES_MAX)
        return MT_E_OVERFLOW;
    uint8_t key[32], iv[32];
    mt_sha1(obj, objlen, out);
    memmove(out + 20, obj, objlen);
    hs_rand(r, rng, MT_HS_RAND_PAD, out + 20 + objlen, pad);
    mt_hs_tmp_aes(new_nonce, server_nonce, key, iv);
    int rc = mt_ige256_encrypt(key, iv, out, out, total);
    mt_wipe(key, sizeof key);
    mt_wipe(iv, sizeof iv);
    if (rc)
        return MT_E_CRYPTO;
    *out_len = total;
    return 0;
}

int hs_aes_unwrap(const uint8_t new_nonce[32], const uint8_t server_nonce[16],
                  const uint8_t *enc, size_t enclen, uint8_t *plain, int *detail)
{
    if (enclen < 32 || enclen > HS_AES_MAX || enclen % 16) {
        *detail = MT_HS_E_AES_LEN;
        return MT_E_RANGE;
    }
    uint8_t key[32], iv[32];
    mt_hs_tmp_aes(new_nonce, server_nonce, key, iv);
    int rc = mt_ige256_decrypt(key, iv, enc, plain, enclen);
    mt_wipe(key, sizeof key);
    mt_wipe(iv, sizeof iv);
    if (rc) {
        *detail = MT_HS_E_CRYPTO;
        return MT_E_CRYPTO;
    }
    return 0;
}

int hs_aes_check(const uint8_t *plain, size_t plen, size_t objlen, int *detail)
{
    uint8_t sha[20];
    if (plen < 20 || objlen > plen - 20) {
        *detail = MT_HS_E_TL;
        return MT_E_TL_SHORT;
    }
    mt_sha1(plain + 20, objlen, sha);
    if (!mt_ct_equal(sha, plain, 20)) {
        *detail = MT_HS_E_AES_HASH;
        return MT_E_HASH;
    }
    if (plen - 20 - objlen > 15) {
        *detail = MT_HS_E_AES_PAD;
        return MT_E_RANGE;
    }
    return 0;
}

int hs_dh_detail(int rc, int detail_range)
{
    switch (rc) {
    case MT_E_DH_PRIME: return MT_HS_E_DH_PRIME;
    case MT_E_DH_G: return MT_HS_E_DH_G;
    case MT_E_DH_RANGE: return detail_range;
    default: return MT_HS_E_CRYPTO;
    }
}
