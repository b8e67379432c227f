/* PFS binding (api-pfs.md): bind_auth_key_inner encrypted with MTProto 1.0
 * under the permanent key, carried by auth.bindTempAuthKey over the
 * temporary key. The client builds it; the server verifies every field
 * against the message that carried it. */
#include "core/mtproto/hs_internal.h"

#define BIND_INNER_LEN 40      /* boxed bind_auth_key_inner */
#define BIND_PLAIN_LEN 72      /* random(16) msg_id(8) seqno(4) msg_len(4) inner(40) */

int mt_hs_bind_encrypt(const struct mt_auth_key *perm, const struct mt_hs_bind *b,
                       uint64_t msg_id, struct mt_rng *rng, uint8_t out[MT_HS_BIND_ENC_LEN])
{
    if (!perm || !b || !rng || !out)
        return MT_E_INVAL;
    uint8_t plain[BIND_PLAIN_LEN];
    size_t out_len = 0;
    /* random:int128 stands where salt and session_id would be. */
    mt_rng_bytes(rng, plain, 16);
    mt_store_le64(plain + 16, msg_id);
    mt_store_le32(plain + 24, 0);                  /* seqno */
    mt_store_le32(plain + 28, BIND_INNER_LEN);     /* msg_len */
    uint8_t *in = plain + 32;
    mt_store_le32(in, MT_TL_ID_BIND_AUTH_KEY_INNER);
    mt_store_le64(in + 4, (uint64_t)b->nonce);
    mt_store_le64(in + 12, b->temp_auth_key_id);
    mt_store_le64(in + 20, b->perm_auth_key_id);
    mt_store_le64(in + 28, b->temp_session_id);
    mt_store_le32(in + 36, (uint32_t)b->expires_at);
    int rc = mt_msg1_encrypt(perm, plain, sizeof plain, out, MT_HS_BIND_ENC_LEN, &out_len, rng);
    mt_wipe(plain, sizeof plain);
    if (rc)
        return rc;
    return out_len == MT_HS_BIND_ENC_LEN ? 0 : MT_E_CRYPTO;
}

int mt_hs_bind_write_call(const struct mt_auth_key *perm, const struct mt_hs_bind *b,
                          uint64_t msg_id, struct mt_rng *rng, uint8_t *out, size_t cap)
{
    uint8_t enc[MT_HS_BIND_ENC_LEN];
    int rc = mt_hs_bind_encrypt(perm, b, msg_id, rng, enc);
    if (rc)
        return rc;
    struct mt_tl_writer w;
    mt_tl_writer_init(&w, out, cap);
    mt_tl_w32(&w, MT_HS_BIND_CALL_ID);
    mt_tl_w64(&w, b->perm_auth_key_id);
    mt_tl_w64(&w, (uint64_t)b->nonce);
    mt_tl_w32(&w, (uint32_t)b->expires_at);
    mt_tl_wbytes(&w, enc, sizeof enc);
    return w.overflow ? MT_E_OVERFLOW : (int)w.pos;
}

int mt_hs_bind_parse_call(const uint8_t *body, size_t len, struct mt_hs_bind_call *call)
{
    struct mt_tl_reader r;
    if (!body || !call)
        return MT_E_INVAL;
    mt_tl_reader_init(&r, body, len);
    uint32_t id = mt_tl_u32(&r);
    if (mt_tl_ok(&r) && id != MT_HS_BIND_CALL_ID)
        return MT_E_TL_CTOR;
    call->perm_auth_key_id = mt_tl_u64(&r);
    call->nonce = mt_tl_i64(&r);
    call->expires_at = mt_tl_i32(&r);
    call->enc = mt_tl_bytes(&r, &call->enc_len);
    if (!mt_tl_ok(&r))
        return r.err;
    return mt_tl_left(&r) ? MT_E_TL_TRAILING : 0;
}

static int bind_fail(int *detail, int d, int code)
{
    if (detail)
        *detail = d;
    return code;
}

/* The decrypted 72 bytes against the call and the carrying message. */
static int check_plain(const uint8_t *plain, const struct mt_auth_key *perm,
                       const struct mt_hs_bind_call *call, uint64_t msg_id,
                       uint64_t session_id, uint64_t temp_auth_key_id, int *detail)
{
    const uint8_t *in = plain + 32;
    if (mt_load_le32(plain + 24) != 0)
        return bind_fail(detail, MT_HS_E_BIND_SEQNO, MT_E_SEQ_NO);
    if (mt_load_le64(plain + 16) != msg_id)
        return bind_fail(detail, MT_HS_E_BIND_MSG_ID, MT_E_MSG_ID);
    if (mt_load_le32(in) != MT_TL_ID_BIND_AUTH_KEY_INNER)
        return bind_fail(detail, MT_HS_E_BIND_CTOR, MT_E_TL_CTOR);
    if ((int64_t)mt_load_le64(in + 4) != call->nonce)
        return bind_fail(detail, MT_HS_E_BIND_NONCE, MT_E_NONCE);
    if (mt_load_le64(in + 12) != temp_auth_key_id)
        return bind_fail(detail, MT_HS_E_BIND_TEMP_KEY, MT_E_AUTH_KEY_ID);
    if (mt_load_le64(in + 20) != perm->id64)
        return bind_fail(detail, MT_HS_E_BIND_PERM_KEY, MT_E_AUTH_KEY_ID);
    if (mt_load_le64(in + 28) != session_id)
        return bind_fail(detail, MT_HS_E_BIND_SESSION, MT_E_SESSION_ID);
    if ((int32_t)mt_load_le32(in + 36) != call->expires_at)
        return bind_fail(detail, MT_HS_E_BIND_EXPIRES, MT_E_PROTO);
    return 0;
}

int mt_hs_bind_verify(const struct mt_auth_key *perm, const struct mt_hs_bind_call *call,
                      uint64_t msg_id, uint64_t session_id, uint64_t temp_auth_key_id,
                      int *detail)
{
    uint8_t buf[MT_HS_BIND_ENC_LEN + 16];
    const uint8_t *plain;
    size_t plain_len;
    if (detail)
        *detail = MT_HS_E_NONE;
    if (!perm || !call || !call->enc)
        return MT_E_INVAL;
    if (call->perm_auth_key_id != perm->id64)
        return bind_fail(detail, MT_HS_E_BIND_PERM_KEY, MT_E_AUTH_KEY_ID);
    if (call->enc_len < MT_MSG_HEADER || call->enc_len > sizeof buf)
        return bind_fail(detail, MT_HS_E_BIND_LENGTH, MT_E_MSG_LEN);
    if (mt_load_le64(call->enc) != perm->id64)
        return bind_fail(detail, MT_HS_E_BIND_PERM_KEY, MT_E_AUTH_KEY_ID);
    memcpy(buf, call->enc, call->enc_len);
    int rc = mt_msg1_decrypt(perm, buf, call->enc_len, &plain, &plain_len);
    if (rc) {
        mt_wipe(buf, sizeof buf);
        return bind_fail(detail, MT_HS_E_BIND_DECRYPT, rc);
    }
    if (plain_len != BIND_PLAIN_LEN)
        rc = bind_fail(detail, MT_HS_E_BIND_LENGTH, MT_E_MSG_LEN);
    else
        rc = check_plain(plain, perm, call, msg_id, session_id, temp_auth_key_id, detail);
    mt_wipe(buf, sizeof buf);
    return rc;
}
