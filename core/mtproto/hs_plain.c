/* The unencrypted message envelope the handshake travels in
 * (mtproto-description.md, "Unencrypted Message"):
 *   auth_key_id = 0 (8) | msg_id (8) | message_data_length (4) | body. */
#include "core/mtproto/hs_internal.h"

uint64_t mt_hs_msg_id(double now, uint64_t prev, unsigned parity)
{
    /* unixtime * 2^32 with the fractional part in the low 32 bits; the two
     * lowest bits carry the direction, and ids only grow. */
    uint64_t id = now > 0 ? (uint64_t)(now * 4294967296.0) : 0;
    id = (id & ~(uint64_t)3) | (parity & 3);
    if (id <= prev)
        id = ((prev + 4) & ~(uint64_t)3) | (parity & 3);
    return id;
}

int mt_hs_plain_write(uint8_t *out, size_t cap, uint64_t msg_id, const void *body,
                      size_t body_len, size_t *out_len)
{
    if (!out || !out_len || (body_len && !body) || body_len > UINT32_MAX)
        return MT_E_INVAL;
    if (cap < MT_HS_PLAIN_HEADER || cap - MT_HS_PLAIN_HEADER < body_len)
        return MT_E_OVERFLOW;
    memmove(out + MT_HS_PLAIN_HEADER, body, body_len);   /* body may sit in out */
    mt_store_le64(out, 0);
    mt_store_le64(out + 8, msg_id);
    mt_store_le32(out + 16, (uint32_t)body_len);
    *out_len = MT_HS_PLAIN_HEADER + body_len;
    return 0;
}

static int plain_fail(int *detail, int d, int code)
{
    if (detail)
        *detail = d;
    return code;
}

int mt_hs_plain_parse(const uint8_t *in, size_t len, unsigned parity, uint64_t *msg_id,
                      const uint8_t **body, size_t *body_len, int *detail)
{
    if (detail)
        *detail = MT_HS_E_NONE;
    if (!in || len < MT_HS_PLAIN_HEADER)
        return plain_fail(detail, MT_HS_E_ENV_SHORT, MT_E_TL_SHORT);
    if (mt_load_le64(in) != 0)
        return plain_fail(detail, MT_HS_E_ENV_AUTH_KEY_ID, MT_E_AUTH_KEY_ID);
    uint64_t id = mt_load_le64(in + 8);
    uint32_t l = mt_load_le32(in + 16);
    if (l > len - MT_HS_PLAIN_HEADER)
        return plain_fail(detail, MT_HS_E_ENV_SHORT, MT_E_TL_SHORT);
    /* Exact length: the body is one TL object and nothing else (a length
     * larger than the data is the samples page's artefact, README #18). */
    if (l != len - MT_HS_PLAIN_HEADER || l % 4)
        return plain_fail(detail, MT_HS_E_ENV_LENGTH, MT_E_RANGE);
    /* Client ids are divisible by 4 (bad_msg_notification 18 otherwise);
     * server ids are odd: 1 mod 4 for answers, 3 for the rest
     * (security_guidelines.md asks for odd parity only). */
    if (parity ? (id & 1) == 0 : (id & 3) != 0)
        return plain_fail(detail, MT_HS_E_ENV_MSG_ID_PARITY, MT_E_MSG_ID);
    if (msg_id)
        *msg_id = id;
    if (body)
        *body = in + MT_HS_PLAIN_HEADER;
    if (body_len)
        *body_len = l;
    return 0;
}
