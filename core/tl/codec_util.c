/* core/tl: base64 (OpenSSL's EVP block coder) and hex for the bytes-like
 * JSON forms of the codec. */
#include <stdlib.h>
#include <openssl/evp.h>
#include "core/tl/tl_internal.h"

size_t mt_tl_b64_encode(const uint8_t *in, size_t n, char *out)
{
    if (n == 0) { out[0] = 0; return 0; }
    return (size_t)EVP_EncodeBlock((unsigned char *)out, in, (int)n);
}

/* Standard alphabet; padding optional; no whitespace. */
long mt_tl_b64_decode(const char *s, size_t n, uint8_t *out, size_t cap)
{
    if (n == 0) return 0;
    if (n > ((size_t)1 << 30) || n % 4 == 1) return -1;
    size_t pad = 0;
    while (pad < 2 && pad < n && s[n - 1 - pad] == '=') pad++;
    for (size_t i = 0; i < n - pad; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/'))
            return -1;
    }
    size_t body = n - pad, full = (body + 3) / 4 * 4;
    size_t out_len = body / 4 * 3 + (body % 4 == 0 ? 0 : body % 4 - 1);
    if ((pad && full != n) || out_len > cap) return -1;
    char *tmp = malloc(full + 1);
    uint8_t *dec = malloc(full / 4 * 3 + 1);
    long rc = -1;
    if (tmp && dec) {
        memcpy(tmp, s, body);
        memset(tmp + body, '=', full - body);
        if (EVP_DecodeBlock(dec, (const unsigned char *)tmp, (int)full) >= 0) {
            memcpy(out, dec, out_len);
            rc = (long)out_len;
        }
    }
    free(tmp); free(dec);
    return rc;
}

long mt_tl_text_to_bytes(const char *s, size_t n, uint8_t **out)
{
    *out = NULL;
    if (n >= 4 && memcmp(s, "hex:", 4) == 0) {
        size_t h = n - 4;
        if (h % 2) return -1;
        uint8_t *b = malloc(h / 2 + 1);
        if (!b) return -1;
        for (size_t i = 0; i < h; i++) {
            int c = s[4 + i], v;
            if (c >= '0' && c <= '9') v = c - '0';
            else if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
            else if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
            else { free(b); return -1; }
            if (i % 2) b[i / 2] = (uint8_t)(b[i / 2] | v); else b[i / 2] = (uint8_t)(v << 4);
        }
        *out = b;
        return (long)(h / 2);
    }
    uint8_t *b = malloc(n / 4 * 3 + 3);
    if (!b) return -1;
    long len = mt_tl_b64_decode(s, n, b, n / 4 * 3 + 3);
    if (len < 0) { free(b); return -1; }
    *out = b;
    return len;
}
