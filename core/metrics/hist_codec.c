/* HdrHistogram encodings: V2 (ZigZag LEB128-64b9B counts with zero runs) and
 * the compressed form (zlib deflate of V2), plus base64 via OpenSSL.
 *
 * V2 header, 40 bytes, big-endian:
 *   0 cookie  4 payload length  8 normalizing index offset  12 significant
 *   figures  16 lowest discernible value  24 highest trackable value
 *   32 integer-to-double conversion ratio (IEEE 754 double)
 * then `payload length` bytes of counts from index 0 up to the index of the
 * max value. Each count is ZigZag-encoded; a run of k > 1 zero counts is the
 * single value -k. Writers set the word-size nibble (0x10) in the cookie, as
 * the Java implementation does; readers mask it off. */
#include "core/metrics/mt_metrics.h"

#include <stdlib.h>
#include <openssl/evp.h>
#include <zlib.h>

#define V2_HEADER_LEN 40
#define COOKIE_WORD_NIBBLE 0x10
/* Refuse layouts that would allocate more than 32 MiB of counts: nothing we
 * write comes near, and a forged header must not exhaust memory. */
#define MAX_DECODED_COUNTS (1 << 22)
#define MAX_PAYLOAD_LEN (MAX_DECODED_COUNTS * 9)

int64_t mt_hist_value_at_index(const struct mt_hist *h, int32_t index);
int32_t mt_hist_index_of(const struct mt_hist *h, int64_t v);
int mt_hist_recount(struct mt_hist *h);

static size_t zigzag_put(uint8_t *p, int64_t value)
{
    uint64_t v = ((uint64_t)value << 1) ^ (uint64_t)(value >> 63);
    size_t n = 0;
    for (int i = 0; i < 8; i++) {
        if (v < 0x80) {
            p[n++] = (uint8_t)v;
            return n;
        }
        p[n++] = (uint8_t)((v & 0x7f) | 0x80);
        v >>= 7;
    }
    p[n++] = (uint8_t)v; /* ninth byte carries the last 8 bits whole */
    return n;
}

/* Returns bytes consumed, 0 if truncated. */
static size_t zigzag_get(const uint8_t *p, size_t avail, int64_t *out)
{
    uint64_t v = 0;
    size_t i = 0;
    for (; i < 8; i++) {
        if (i >= avail)
            return 0;
        v |= (uint64_t)(p[i] & 0x7f) << (7 * i);
        if (!(p[i] & 0x80)) {
            i++;
            goto done;
        }
    }
    if (i >= avail)
        return 0;
    v |= (uint64_t)p[i] << 56;
    i++;
done:
    *out = (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
    return i;
}

size_t mt_hist_encode_v2_bound(const struct mt_hist *h)
{
    int32_t limit = h->total_count ? mt_hist_index_of(h, h->max) + 1 : 0;
    return V2_HEADER_LEN + (size_t)limit * 9;
}

int mt_hist_encode_v2(const struct mt_hist *h, uint8_t *out, size_t cap)
{
    if (cap < mt_hist_encode_v2_bound(h))
        return MT_E_OVERFLOW;
    int32_t limit = h->total_count ? mt_hist_index_of(h, h->max) + 1 : 0;
    size_t pos = V2_HEADER_LEN;
    for (int32_t i = 0; i < limit;) {
        int64_t count = h->counts[i++];
        if (count < 0)
            return MT_E_RANGE;
        int64_t zeros = 0;
        if (count == 0) {
            zeros = 1;
            while (i < limit && h->counts[i] == 0) {
                zeros++;
                i++;
            }
        }
        pos += zigzag_put(out + pos, zeros > 1 ? -zeros : count);
    }
    double ratio = 1.0;
    uint64_t ratio_bits;
    memcpy(&ratio_bits, &ratio, 8);
    mt_store_be32(out + 0, MT_HIST_V2_COOKIE | COOKIE_WORD_NIBBLE);
    mt_store_be32(out + 4, (uint32_t)(pos - V2_HEADER_LEN));
    mt_store_be32(out + 8, 0);
    mt_store_be32(out + 12, (uint32_t)h->sig_figs);
    mt_store_be64(out + 16, (uint64_t)h->lowest);
    mt_store_be64(out + 24, (uint64_t)h->highest);
    mt_store_be64(out + 32, ratio_bits);
    return (int)pos;
}

static int decode_counts(struct mt_hist *h, const uint8_t *p, size_t len)
{
    size_t pos = 0;
    int64_t index = 0;
    while (pos < len) {
        int64_t v;
        size_t n = zigzag_get(p + pos, len - pos, &v);
        if (!n)
            return MT_E_TL_SHORT;
        pos += n;
        if (v < 0) {
            if (v == INT64_MIN || -v > h->counts_len - index)
                return MT_E_RANGE;
            index += -v;
            continue;
        }
        if (index >= h->counts_len)
            return MT_E_RANGE;
        h->counts[index++] = v;
    }
    return 0;
}

int mt_hist_decode_v2(struct mt_hist *h, const uint8_t *in, size_t len)
{
    memset(h, 0, sizeof(*h));
    if (len < V2_HEADER_LEN)
        return MT_E_TL_SHORT;
    if ((mt_load_be32(in) & ~0xf0u) != MT_HIST_V2_COOKIE)
        return MT_E_INVAL;
    uint32_t payload = mt_load_be32(in + 4);
    if (payload > len - V2_HEADER_LEN)
        return MT_E_TL_SHORT;
    if (mt_load_be32(in + 8) != 0)
        return MT_E_UNSUPPORTED; /* normalizing offset: only shifted histograms use it */
    uint32_t sig = mt_load_be32(in + 12);
    int64_t lowest = (int64_t)mt_load_be64(in + 16);
    int64_t highest = (int64_t)mt_load_be64(in + 24);
    if (sig < 1 || sig > 5 || lowest < 1 || highest < 2 || highest / 2 < lowest)
        return MT_E_INVAL;
    int rc = mt_hist_layout(h, lowest, highest, (int)sig);
    if (rc)
        return rc;
    if (h->counts_len > MAX_DECODED_COUNTS)
        return MT_E_RANGE;
    rc = mt_hist_init(h, lowest, highest, (int)sig);
    if (rc)
        return rc;
    rc = decode_counts(h, in + V2_HEADER_LEN, payload);
    if (!rc)
        rc = mt_hist_recount(h);
    if (rc) {
        mt_hist_free(h);
        return rc;
    }
    return 0;
}

int mt_hist_encode_compressed(const struct mt_hist *h, uint8_t **out, size_t *out_len)
{
    size_t raw_cap = mt_hist_encode_v2_bound(h);
    uint8_t *raw = malloc(raw_cap);
    if (!raw)
        return MT_E_NOMEM;
    int raw_len = mt_hist_encode_v2(h, raw, raw_cap);
    if (raw_len < 0) {
        free(raw);
        return raw_len;
    }
    uLongf zlen = compressBound((uLong)raw_len);
    uint8_t *buf = malloc(8 + zlen);
    if (!buf) {
        free(raw);
        return MT_E_NOMEM;
    }
    int zrc = compress2(buf + 8, &zlen, raw, (uLong)raw_len, Z_DEFAULT_COMPRESSION);
    free(raw);
    if (zrc != Z_OK) {
        free(buf);
        return MT_E_GZIP;
    }
    mt_store_be32(buf, MT_HIST_V2_COMPRESSED_COOKIE | COOKIE_WORD_NIBBLE);
    mt_store_be32(buf + 4, (uint32_t)zlen);
    *out = buf;
    *out_len = 8 + zlen;
    return 0;
}

/* Inflate exactly `want` bytes (or fewer if the stream ends) into out. */
static int inflate_some(z_stream *zs, uint8_t *out, size_t want, size_t *got)
{
    zs->next_out = out;
    zs->avail_out = (uInt)want;
    int zrc = Z_OK;
    while (zs->avail_out && zrc == Z_OK)
        zrc = inflate(zs, Z_NO_FLUSH);
    *got = want - zs->avail_out;
    if (zrc != Z_OK && zrc != Z_STREAM_END && zrc != Z_BUF_ERROR)
        return MT_E_GZIP;
    return 0;
}

int mt_hist_decode_compressed(struct mt_hist *h, const uint8_t *in, size_t len)
{
    memset(h, 0, sizeof(*h));
    if (len < 8)
        return MT_E_TL_SHORT;
    if ((mt_load_be32(in) & ~0xf0u) != MT_HIST_V2_COMPRESSED_COOKIE)
        return MT_E_INVAL;
    uint32_t zlen = mt_load_be32(in + 4);
    if (zlen > len - 8)
        return MT_E_TL_SHORT;
    z_stream zs;
    memset(&zs, 0, sizeof(zs));
    if (inflateInit(&zs) != Z_OK)
        return MT_E_NOMEM;
    zs.next_in = (Bytef *)(uintptr_t)(in + 8);
    zs.avail_in = zlen;
    uint8_t header[V2_HEADER_LEN];
    size_t got;
    int rc = inflate_some(&zs, header, V2_HEADER_LEN, &got);
    if (rc || got < V2_HEADER_LEN) {
        inflateEnd(&zs);
        return rc ? rc : MT_E_TL_SHORT;
    }
    uint32_t payload = mt_load_be32(header + 4);
    if (payload > MAX_PAYLOAD_LEN) {
        inflateEnd(&zs);
        return MT_E_RANGE;
    }
    uint8_t *raw = malloc(V2_HEADER_LEN + (size_t)payload);
    if (!raw) {
        inflateEnd(&zs);
        return MT_E_NOMEM;
    }
    memcpy(raw, header, V2_HEADER_LEN);
    rc = inflate_some(&zs, raw + V2_HEADER_LEN, payload, &got);
    inflateEnd(&zs);
    if (!rc && got < payload)
        rc = MT_E_TL_SHORT;
    if (!rc)
        rc = mt_hist_decode_v2(h, raw, V2_HEADER_LEN + got);
    free(raw);
    return rc;
}

char *mt_base64_encode(const uint8_t *in, size_t len)
{
    if (len > (size_t)INT32_MAX / 2)
        return NULL;
    char *out = malloc(4 * ((len + 2) / 3) + 1);
    if (!out)
        return NULL;
    EVP_EncodeBlock((unsigned char *)out, in, (int)len);
    return out;
}

int mt_base64_decode(const char *in, size_t len, uint8_t **out, size_t *out_len)
{
    *out = NULL;
    *out_len = 0;
    if (len % 4 || len > (size_t)INT32_MAX / 2)
        return MT_E_INVAL;
    uint8_t *buf = malloc(len / 4 * 3 + 1);
    if (!buf)
        return MT_E_NOMEM;
    int n = len ? EVP_DecodeBlock(buf, (const unsigned char *)in, (int)len) : 0;
    if (n < 0) {
        free(buf);
        return MT_E_INVAL;
    }
    /* EVP_DecodeBlock counts padding as zero bytes */
    size_t pad = 0;
    if (len && in[len - 1] == '=')
        pad++;
    if (len > 1 && in[len - 2] == '=')
        pad++;
    *out = buf;
    *out_len = (size_t)n - pad;
    return (int)*out_len;
}

char *mt_hist_to_base64(const struct mt_hist *h)
{
    uint8_t *bin;
    size_t n;
    if (mt_hist_encode_compressed(h, &bin, &n))
        return NULL;
    char *s = mt_base64_encode(bin, n);
    free(bin);
    return s;
}

int mt_hist_from_base64(struct mt_hist *h, const char *b64, size_t len)
{
    memset(h, 0, sizeof(*h));
    uint8_t *bin;
    size_t n;
    int rc = mt_base64_decode(b64, len, &bin, &n);
    if (rc < 0)
        return rc;
    if (n >= 4 && (mt_load_be32(bin) & ~0xf0u) == MT_HIST_V2_COOKIE)
        rc = mt_hist_decode_v2(h, bin, n);
    else
        rc = mt_hist_decode_compressed(h, bin, n);
    free(bin);
    return rc;
}
