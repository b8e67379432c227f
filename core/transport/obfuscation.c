/* obfuscated2: the 64-byte client header, the AES-256-CTR key/IV derivation
 * for both directions (the reversed header gives the other direction),
 * MTProxy secrets, and the server side's detection of every transport from
 * the first bytes of a connection (pitfall 10). */
#include <string.h>
#include "core/transport/tr_impl.h"

#define OBF_KEY_OFF 8
#define OBF_IV_OFF 40
#define OBF_TAG_OFF 56
#define OBF_DC_OFF 60

/* First ints a client must never start with (LE values of the first four
 * bytes): HEAD, POST, GET , OPTI, a TLS record, and the plain tags. */
static const uint32_t forbidden_first[] = {
    0x44414548u, 0x54534f50u, 0x20544547u, 0x4954504fu, 0x02010316u,
    0xddddddddu, 0xeeeeeeeeu,
};

static bool header_allowed(const uint8_t h[64])
{
    if (h[0] == 0xef || mt_load_le32(h + 4) == 0)
        return false;
    uint32_t first = mt_load_le32(h);
    for (size_t i = 0; i < MT_ARRAY_LEN(forbidden_first); i++)
        if (first == forbidden_first[i])
            return false;
    return true;
}

/* Key and IV of one direction from a (possibly reversed) header. */
static int derive_stream(struct mt_ctr *s, const uint8_t h[64], const uint8_t *secret)
{
    uint8_t key[32];
    if (secret) {
        struct mt_span parts[2] = {{h + OBF_KEY_OFF, 32}, {secret, MT_TR_SECRET_LEN}};
        mt_sha256_v(parts, 2, key);
    } else {
        memcpy(key, h + OBF_KEY_OFF, 32);
    }
    int rc = mt_ctr_init(s, key, h + OBF_IV_OFF);
    mt_wipe(key, sizeof key);
    return rc;
}

/* Sets up both streams: send = derived from fwd, receive = from the reverse. */
static int derive_pair(struct mt_ctr *send, struct mt_ctr *recv, const uint8_t h[64],
                       const uint8_t *secret)
{
    uint8_t rev[64];
    for (int i = 0; i < 64; i++)
        rev[i] = h[63 - i];
    int rc = derive_stream(send, h, secret);
    if (rc == 0) {
        rc = derive_stream(recv, rev, secret);
        if (rc)
            mt_ctr_free(send);
    }
    return rc;
}

static int obf_header(struct mt_tr *t, uint8_t init[64], uint8_t *out)
{
    memcpy(init + OBF_TAG_OFF, t->ops->tag4, 4);
    if (t->dc_id != 0 || t->has_secret)
        mt_store_le32(init + OBF_DC_OFF,
                      (mt_load_le32(init + OBF_DC_OFF) & 0xffff0000u) | (uint16_t)t->dc_id);
    int rc = derive_pair(&t->enc, &t->dec, init, t->has_secret ? t->secret : NULL);
    if (rc)
        return rc;
    uint8_t enc[64];
    mt_ctr_xor(&t->enc, init, enc, 64);
    memcpy(out, init, OBF_TAG_OFF);
    memcpy(out + OBF_TAG_OFF, enc + OBF_TAG_OFF, 64 - OBF_TAG_OFF);
    t->ready = true;
    return MT_TR_OBF_HEADER;
}

static int plain_preamble(struct mt_tr *t, uint8_t *out)
{
    memcpy(out, t->ops->tag, t->ops->tag_len);
    t->ready = true;
    return t->ops->tag_len;
}

int mt_tr_client_preamble(struct mt_tr *t, uint8_t *out)
{
    if (t->role != MT_TR_CLIENT || t->ready || !t->ops)
        return MT_E_STATE;
    if (!t->obfuscated)
        return plain_preamble(t, out);
    uint8_t init[64];
    do
        mt_rng_bytes(t->rng, init, sizeof init);
    while (!header_allowed(init));
    int rc = obf_header(t, init, out);
    mt_wipe(init, sizeof init);
    return rc;
}

int mt_tr_client_preamble_from(struct mt_tr *t, const uint8_t random64[64], uint8_t *out)
{
    if (t->role != MT_TR_CLIENT || t->ready || !t->ops)
        return MT_E_STATE;
    if (!t->obfuscated)
        return plain_preamble(t, out);
    if (!header_allowed(random64))
        return MT_E_TR_HEADER;
    uint8_t init[64];
    memcpy(init, random64, 64);
    int rc = obf_header(t, init, out);
    mt_wipe(init, sizeof init);
    return rc;
}

/* ---- server side --------------------------------------------------------- */

static int kind_from_tag4(const uint8_t tag[4], enum mt_tr_kind *kind)
{
    for (int k = 0; k < MT_TR_KIND_COUNT; k++) {
        const struct mt_tr_ops *ops = mt_tr_ops_get((enum mt_tr_kind)k);
        if (ops->tag_len && memcmp(ops->tag4, tag, 4) == 0) {
            *kind = ops->kind;
            return 0;
        }
    }
    return MT_E_TR_DETECT;
}

/* Try one key choice on an obfuscated header. On success the streams are
 * kept in send/recv when they are given (recv has consumed 64 bytes). */
static int try_obfuscated(const uint8_t h[64], const uint8_t *secret, struct mt_tr_detected *out,
                          struct mt_ctr *send, struct mt_ctr *recv)
{
    struct mt_ctr s, r;
    /* the client's send direction is our receive direction */
    int rc = derive_pair(&r, &s, h, secret);
    if (rc)
        return rc;
    uint8_t plain[64];
    mt_ctr_xor(&r, h, plain, 64);
    rc = kind_from_tag4(plain + OBF_TAG_OFF, &out->kind);
    if (rc == 0) {
        out->obfuscated = true;
        out->dc_id = (int16_t)(plain[OBF_DC_OFF] | plain[OBF_DC_OFF + 1] << 8);
        out->preamble_len = MT_TR_OBF_HEADER;
    }
    if (rc == 0 && send && recv) {
        *send = s;
        *recv = r;
    } else {
        mt_ctr_free(&s);
        mt_ctr_free(&r);
    }
    mt_wipe(plain, sizeof plain);
    return rc;
}

static int detect_obfuscated(const uint8_t *h, const struct mt_tr_server_config *cfg,
                             struct mt_tr_detected *out, struct mt_ctr *send, struct mt_ctr *recv)
{
    if (!header_allowed(h))
        return MT_E_TR_DETECT;
    if (!cfg || cfg->allow_obfuscated) {
        out->secret_index = -1;
        int rc = try_obfuscated(h, NULL, out, send, recv);
        if (rc != MT_E_TR_DETECT)
            return rc;
    }
    for (size_t i = 0; cfg && i < cfg->nsecrets; i++) {
        out->secret_index = (int)i;
        int rc = try_obfuscated(h, cfg->secrets[i], out, send, recv);
        if (rc != MT_E_TR_DETECT)
            return rc;
    }
    return MT_E_TR_DETECT;
}

static bool is_http_method(uint32_t first)
{
    for (size_t i = 0; i < 4; i++)
        if (first == forbidden_first[i])
            return true;
    return false;
}

/* The plain transports. Returns the preamble length (*plain set),
 * MT_E_AGAIN, MT_E_TR_DETECT, or 0 with !*plain: look for an obfuscation
 * header. */
static int detect_plain(const uint8_t *d, size_t len, uint32_t max_frame,
                        struct mt_tr_detected *out, bool *plain)
{
    *plain = true;
    if (d[0] == 0xef) {
        out->kind = MT_TR_ABRIDGED;
        return (int)(out->preamble_len = 1);
    }
    if (len < 4)
        return MT_E_AGAIN;
    uint32_t first = mt_load_le32(d);
    if (first == 0xeeeeeeeeu || first == 0xddddddddu) {
        out->kind = first == 0xeeeeeeeeu ? MT_TR_INTERMEDIATE : MT_TR_PADDED;
        return (int)(out->preamble_len = 4);
    }
    if (is_http_method(first))
        return MT_E_TR_DETECT;
    if (len < 8)
        return MT_E_AGAIN;
    if (mt_load_le32(d + 4) == 0) {   /* seqno 0 of a first full packet */
        if (first < 16 || first % 4 || first - 12 > max_frame)
            return MT_E_TR_DETECT;
        out->kind = MT_TR_FULL;
        return (int)(out->preamble_len = 0);
    }
    *plain = false;
    return 0;
}

static int detect(const uint8_t *data, size_t len, const struct mt_tr_server_config *cfg,
                  struct mt_tr_detected *out, struct mt_ctr *send, struct mt_ctr *recv)
{
    memset(out, 0, sizeof *out);
    out->secret_index = -1;
    if (len < 1)
        return MT_E_AGAIN;
    bool plain_ok = !cfg || cfg->allow_plain;
    uint32_t max_frame = mt_tr_clamp_max_frame(cfg ? cfg->max_frame : 0);
    bool plain;
    int rc = detect_plain(data, len, max_frame, out, &plain);
    if (rc < 0)
        return rc;
    if (plain)
        return plain_ok ? rc : MT_E_TR_DETECT;
    if (len < MT_TR_OBF_HEADER)
        return MT_E_AGAIN;
    rc = detect_obfuscated(data, cfg, out, send, recv);
    return rc == 0 ? MT_TR_OBF_HEADER : rc;
}

int mt_tr_detect(const uint8_t *data, size_t len, const struct mt_tr_server_config *cfg,
                 struct mt_tr_detected *out)
{
    return detect(data, len, cfg, out, NULL, NULL);
}

int mt_tr_accept(struct mt_tr *t, const struct mt_tr_server_config *cfg,
                 const uint8_t *data, size_t len)
{
    if (t->role != MT_TR_SERVER || t->ready)
        return MT_E_STATE;
    struct mt_tr_detected d;
    int rc = detect(data, len, cfg, &d, &t->enc, &t->dec);
    if (rc < 0)
        return rc;
    t->ops = mt_tr_ops_get(d.kind);
    t->obfuscated = d.obfuscated;
    t->dc_id = d.dc_id;
    t->has_secret = d.secret_index >= 0;
    if (t->has_secret)
        memcpy(t->secret, cfg->secrets[d.secret_index], MT_TR_SECRET_LEN);
    t->ready = true;
    return rc;
}

int mt_tr_config_secret(struct mt_tr_config *cfg, const char *hex)
{
    uint8_t raw[MT_TR_SECRET_LEN + 1];
    size_t len = hex ? strlen(hex) : 0;
    if (len != 2 * MT_TR_SECRET_LEN && len != 2 * MT_TR_SECRET_LEN + 2)
        return MT_E_INVAL;
    if (mt_hex_decode(hex, raw, sizeof raw) != (int)(len / 2))
        return MT_E_INVAL;
    const uint8_t *secret = raw;
    if (len / 2 == MT_TR_SECRET_LEN + 1) {
        if (raw[0] == 0xee)
            return MT_E_UNSUPPORTED;       /* fake TLS: another protocol */
        cfg->kind = MT_TR_PADDED;
        secret = raw + 1;
    }
    memcpy(cfg->secret, secret, MT_TR_SECRET_LEN);
    cfg->has_secret = true;
    cfg->obfuscated = true;
    mt_wipe(raw, sizeof raw);
    return 0;
}
