/* AES-256-CTR stream for the transport obfuscation, on OpenSSL EVP (which
 * uses AES-NI itself). The counter continues across calls. */
#include <limits.h>
#include <openssl/evp.h>
#include <pthread.h>

#include "core/crypto/mt_crypto.h"

static EVP_CIPHER *g_ctr;
static pthread_once_t g_once = PTHREAD_ONCE_INIT;

static void fetch_cipher(void) { g_ctr = EVP_CIPHER_fetch(NULL, "AES-256-CTR", NULL); }

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
