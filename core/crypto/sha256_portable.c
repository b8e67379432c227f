/* SHA-1 / SHA-256 on OpenSSL: the portable tier and the baseline.
 * OpenSSL 3's one-shot SHA256() fetches the algorithm and allocates a
 * context on every call (~270 ns at 52 B); here the EVP_MDs are fetched once
 * and each thread reuses one EVP_MD_CTX. */
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <stdlib.h>

#include "core/crypto/crypto_impl.h"

static EVP_MD *g_md[2];
static pthread_once_t g_md_once = PTHREAD_ONCE_INIT;
static pthread_key_t g_ctx_key;
static __thread EVP_MD_CTX *tls_ctx;

static void free_ctx(void *p) { EVP_MD_CTX_free(p); }

static void fetch_mds(void)
{
    g_md[MT_EVP_SHA1] = EVP_MD_fetch(NULL, "SHA1", NULL);
    g_md[MT_EVP_SHA256] = EVP_MD_fetch(NULL, "SHA256", NULL);
    if (!g_md[0] || !g_md[1] || pthread_key_create(&g_ctx_key, free_ctx) != 0)
        abort(); /* OpenSSL without SHA-1/SHA-256 cannot run MTProto at all */
}

static EVP_MD_CTX *thread_ctx(void)
{
    if (MT_LIKELY(tls_ctx != NULL)) return tls_ctx;
    pthread_once(&g_md_once, fetch_mds);
    tls_ctx = EVP_MD_CTX_new();
    if (!tls_ctx) abort();
    /* the key's destructor frees the context when the thread exits */
    pthread_setspecific(g_ctx_key, tls_ctx);
    return tls_ctx;
}

void mt_evp_digest_v(enum mt_evp_alg alg, const struct mt_span *parts, size_t nparts, uint8_t *out)
{
    EVP_MD_CTX *ctx = thread_ctx();
    unsigned outlen = 0;
    int ok = EVP_DigestInit_ex2(ctx, g_md[alg], NULL);
    for (size_t i = 0; ok && i < nparts; i++)
        if (parts[i].n) ok = EVP_DigestUpdate(ctx, parts[i].p, parts[i].n);
    if (!ok || !EVP_DigestFinal_ex(ctx, out, &outlen)) abort();
}

void mt_sha256_v_portable(const struct mt_span *parts, size_t nparts, uint8_t out[32])
{
    mt_evp_digest_v(MT_EVP_SHA256, parts, nparts, out);
}

/* The transparent mt_sha256_ctx needs a raw compression function; OpenSSL
 * exposes its (assembly) one through the deprecated SHA256_Transform. */
void mt_sha256_blocks_portable(uint32_t h[8], const uint8_t *p, size_t nblocks)
{
    SHA256_CTX c;
    memcpy(c.h, h, 32);
    for (size_t i = 0; i < nblocks; i++) SHA256_Transform(&c, p + 64 * i);
    memcpy(h, c.h, 32);
}
