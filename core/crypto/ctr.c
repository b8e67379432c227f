/* AES-256-CTR stream for the transport obfuscation, on OpenSSL EVP (which
 * uses AES-NI itself). The counter continues across calls. */
#include <limits.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/crypto/crypto_impl.h"

static EVP_CIPHER *g_ctr;
static pthread_once_t g_once = PTHREAD_ONCE_INIT;

static pthread_key_t g_tls_key;
static __thread EVP_CIPHER_CTX *tls_ctx;

static void free_tls_ctx(void *c) { EVP_CIPHER_CTX_free(c); }

static void fetch_cipher(void)
{
    g_ctr = EVP_CIPHER_fetch(NULL, "AES-256-CTR", NULL);
    if (pthread_key_create(&g_tls_key, free_tls_ctx) != 0) abort();
}

/* The rng's keystream without AES-NI: EVP CTR on a per-thread context that
 * is re-keyed for every refill (the rng changes its key each time). */
void mt_ctr_stream_portable(const uint8_t key[32], uint8_t ctr[16], uint8_t *out, size_t n)
{
    pthread_once(&g_once, fetch_cipher);
    if (!tls_ctx) {
        tls_ctx = EVP_CIPHER_CTX_new();
        if (!tls_ctx) abort();
        pthread_setspecific(g_tls_key, tls_ctx);
    }
    int outl = 0;
    memset(out, 0, n);
    if (!g_ctr || !EVP_EncryptInit_ex2(tls_ctx, g_ctr, key, ctr, NULL) ||
        !EVP_EncryptUpdate(tls_ctx, out, &outl, out, (int)n))
        abort(); /* no AES at all: nothing safe to fall back to */
    /* advance the 128-bit big-endian counter by the blocks used */
    uint64_t add = n / 16;
    for (int i = 15; i >= 0 && add; i--) {
        uint64_t v = (uint64_t)ctr[i] + (add & 0xff);
        ctr[i] = (uint8_t)v;
        add = (add >> 8) + (v >> 8);
    }
}

int mt_ctr_init(struct mt_ctr *s, const uint8_t key[32], const uint8_t iv[16])
{
    s->evp = NULL;
    pthread_once(&g_once, fetch_cipher);
    if (!g_ctr) return MT_E_CRYPTO;
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    if (!c) return MT_E_NOMEM;
    if (!EVP_EncryptInit_ex2(c, g_ctr, key, iv, NULL)) {
        EVP_CIPHER_CTX_free(c);
        return MT_E_CRYPTO;
    }
    s->evp = c;
    return 0;
}

void mt_ctr_xor(struct mt_ctr *s, const void *in, void *out, size_t len)
{
    const uint8_t *src = in;
    uint8_t *dst = out;
    while (len) {
        /* EVP takes int lengths: feed large buffers in pieces */
        int chunk = len > (size_t)(INT_MAX / 2) ? INT_MAX / 2 : (int)len, outl = 0;
        EVP_EncryptUpdate(s->evp, dst, &outl, src, chunk);
        src += chunk; dst += chunk; len -= (size_t)chunk;
    }
}

void mt_ctr_free(struct mt_ctr *s)
{
    EVP_CIPHER_CTX_free(s->evp); /* clears the key schedule */
    s->evp = NULL;
}
