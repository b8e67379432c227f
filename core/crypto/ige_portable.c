/* AES-256-IGE on OpenSSL's AES_ige_encrypt: the reference implementation
 * and the portable tier (table AES, no AES-NI: it is the slow baseline). */
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <openssl/aes.h>
#include <string.h>

#include "core/crypto/crypto_impl.h"

void mt_ige_encrypt_portable(const uint8_t key[32], uint8_t iv[32], const uint8_t *in,
                             uint8_t *out, size_t len)
{
    AES_KEY k;
    AES_set_encrypt_key(key, 256, &k);
    AES_ige_encrypt(in, out, len, &k, iv, AES_ENCRYPT);
    explicit_bzero(&k, sizeof k);
}

void mt_ige_decrypt_portable(const uint8_t key[32], uint8_t iv[32], const uint8_t *in,
                             uint8_t *out, size_t len)
{
    AES_KEY k;
    AES_set_decrypt_key(key, 256, &k);
    AES_ige_encrypt(in, out, len, &k, iv, AES_DECRYPT);
    explicit_bzero(&k, sizeof k);
}

void mt_ige_encrypt_batch_serial(struct mt_ige_job *jobs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        mt_ige_encrypt_portable(jobs[i].key, jobs[i].iv, jobs[i].in, jobs[i].out, jobs[i].len);
}

void mt_ige_decrypt_batch_serial(struct mt_ige_job *jobs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        mt_ige_decrypt_portable(jobs[i].key, jobs[i].iv, jobs[i].in, jobs[i].out, jobs[i].len);
}
