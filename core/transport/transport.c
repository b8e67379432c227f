/* The codec table, per-connection set-up, and the dispatch of framing and
 * deframing through the codec plus the obfuscation streams. */
#include <string.h>
#include <strings.h>
#include "core/transport/tr_impl.h"

/* Frames are returned as int byte counts: keep every bound far below 2^31. */
#define MT_TR_MAX_FRAME_LIMIT (1u << 30)

static const struct mt_tr_ops *const codecs[MT_TR_KIND_COUNT] = {
    [MT_TR_ABRIDGED] = &mt_tr_abridged_ops,
    [MT_TR_INTERMEDIATE] = &mt_tr_intermediate_ops,
    [MT_TR_PADDED] = &mt_tr_padded_ops,
    [MT_TR_FULL] = &mt_tr_full_ops,
};

const struct mt_tr_ops *mt_tr_ops_get(enum mt_tr_kind kind)
{
    if ((unsigned)kind >= MT_TR_KIND_COUNT)
        return NULL;
    return codecs[kind];
}

const struct mt_tr_ops *mt_tr_ops_by_name(const char *name)
{
    for (size_t i = 0; name && i < MT_TR_KIND_COUNT; i++)
        if (strcasecmp(codecs[i]->name, name) == 0)
            return codecs[i];
    return NULL;
}

int mt_tr_parse_name(const char *name, enum mt_tr_kind *kind, bool *obfuscated)
{
    static const char *const prefixes[] = {"obfuscated-", "obf-"};
    bool obf = false;
    if (!name)
        return MT_E_INVAL;
    for (size_t i = 0; i < MT_ARRAY_LEN(prefixes); i++) {
        size_t n = strlen(prefixes[i]);
        if (strncasecmp(name, prefixes[i], n) == 0) {
            name += n;
            obf = true;
            break;
        }
    }
    const struct mt_tr_ops *ops = mt_tr_ops_by_name(name);
    if (!ops)
        return MT_E_INVAL;
    *kind = ops->kind;
    *obfuscated = obf;
    return 0;
}

uint32_t mt_tr_clamp_max_frame(uint32_t max_frame)
{
    if (max_frame == 0)
        return MT_TR_MAX_FRAME_DEFAULT;
    return max_frame > MT_TR_MAX_FRAME_LIMIT ? MT_TR_MAX_FRAME_LIMIT : max_frame;
}

int mt_tr_init_client(struct mt_tr *t, const struct mt_tr_config *cfg, struct mt_rng *rng)
{
    memset(t, 0, sizeof *t);
    if (!cfg || !rng || !mt_tr_ops_get(cfg->kind))
        return MT_E_INVAL;
    t->ops = mt_tr_ops_get(cfg->kind);
    t->role = MT_TR_CLIENT;
    t->obfuscated = cfg->obfuscated || cfg->has_secret;
    t->has_secret = cfg->has_secret;
    t->dc_id = cfg->dc_id;
    t->max_frame = mt_tr_clamp_max_frame(cfg->max_frame);
    t->rng = rng;
    if (cfg->has_secret)
        memcpy(t->secret, cfg->secret, MT_TR_SECRET_LEN);
    return 0;
}

void mt_tr_init_server(struct mt_tr *t, const struct mt_tr_server_config *cfg, struct mt_rng *rng)
{
    memset(t, 0, sizeof *t);
    t->role = MT_TR_SERVER;
    t->rng = rng;
    t->max_frame = mt_tr_clamp_max_frame(cfg ? cfg->max_frame : 0);
}

void mt_tr_free(struct mt_tr *t)
{
    if (t->obfuscated && t->ready) {
        mt_ctr_free(&t->enc);
        mt_ctr_free(&t->dec);
    }
    mt_wipe(t->secret, sizeof t->secret);
    t->ready = false;
}

size_t mt_tr_header_len(const struct mt_tr *t, size_t len, unsigned flags)
{
    return t->ops ? t->ops->header_len(len, flags) : MT_TR_HEADROOM;
}

int mt_tr_frame(struct mt_tr *t, uint8_t *buf, size_t headroom, size_t len, size_t cap,
                unsigned flags, uint8_t **start, size_t *total)
{
    if (!t->ready)
        return MT_E_STATE;
    int rc = t->ops->frame(t, buf, headroom, len, cap, flags, start, total);
    if (rc)
        return rc;
    if (t->obfuscated)
        mt_ctr_xor(&t->enc, *start, *start, *total);
    return 0;
}

int mt_tr_deframe(struct mt_tr *t, uint8_t *in, size_t len, struct mt_tr_pkt *pkt)
{
    if (!t->ready)
        return MT_E_STATE;
    return t->ops->deframe(t, in, len, pkt);
}

void mt_tr_rx_decrypt(struct mt_tr *t, uint8_t *p, size_t n)
{
    if (t->obfuscated && t->ready && n)
        mt_ctr_xor(&t->dec, p, p, n);
}

int mt_tr_frame_quick_ack(struct mt_tr *t, uint32_t token, uint8_t *out)
{
    if (!t->ready)
        return MT_E_STATE;
    size_t n;
    token |= 0x80000000u;
    switch (t->ops->kind) {
    case MT_TR_ABRIDGED:
        mt_store_be32(out, token);     /* byte-swapped (pitfall 11) */
        n = 4;
        break;
    case MT_TR_INTERMEDIATE:
        mt_store_le32(out, token);
        n = 4;
        break;
    case MT_TR_PADDED: {
        size_t pad = mt_rng_uniform(t->rng, 9);
        mt_store_le32(out, (uint32_t)(8 + pad));
        mt_store_le32(out + 4, 0xffffffffu);
        mt_store_le32(out + 8, token);
        mt_rng_bytes(t->rng, out + 12, pad);
        n = 12 + pad;
        break;
    }
    default:
        return MT_E_UNSUPPORTED;
    }
    if (t->obfuscated)
        mt_ctr_xor(&t->enc, out, out, n);
    return (int)n;
}

int mt_tr_frame_error(struct mt_tr *t, int32_t code, uint8_t *out, size_t cap)
{
    uint8_t *start;
    size_t total;
    if (cap < MT_TR_HEADROOM + 4)
        return MT_E_OVERFLOW;
    mt_store_le32(out + MT_TR_HEADROOM, (uint32_t)code);
    int rc = mt_tr_frame(t, out, MT_TR_HEADROOM, 4, cap, 0, &start, &total);
    if (rc)
        return rc;
    memmove(out, start, total);
    return (int)total;
}
