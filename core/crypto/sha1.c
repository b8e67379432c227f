/* SHA-1 (handshake and auth_key ids only: never on the hot path). */
#include "core/crypto/crypto_impl.h"

void mt_sha1_v(const struct mt_span *parts, size_t nparts, uint8_t out[20])
{
    mt_evp_digest_v(MT_EVP_SHA1, parts, nparts, out);
}

void mt_sha1(const void *data, size_t len, uint8_t out[20])
{
    struct mt_span s = { data, len };
    mt_evp_digest_v(MT_EVP_SHA1, &s, 1, out);
}
