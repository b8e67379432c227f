/* AES-256-IGE public entry points: argument checks, then the dispatched
 * implementation (OpenSSL, AES-NI, VAES ymm/zmm). */
#include "core/crypto/crypto_impl.h"

int mt_ige256_encrypt(const uint8_t key[32], uint8_t iv[32], const void *in, void *out, size_t len)
{
    if (len % 16) return MT_E_INVAL;
    if (len) mt_crypto_impl()->ige_encrypt(key, iv, in, out, len);
    return 0;
}

int mt_ige256_decrypt(const uint8_t key[32], uint8_t iv[32], const void *in, void *out, size_t len)
{
    if (len % 16) return MT_E_INVAL;
    if (len) mt_crypto_impl()->ige_decrypt(key, iv, in, out, len);
    return 0;
}

static int check_jobs(const struct mt_ige_job *jobs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (jobs[i].len % 16) return MT_E_INVAL;
    return 0;
}

int mt_ige256_encrypt_batch(struct mt_ige_job *jobs, size_t n)
{
    if (check_jobs(jobs, n)) return MT_E_INVAL;
    const struct mt_crypto_impl *t = mt_crypto_impl();
    if (n == 1) {
        if (jobs[0].len) t->ige_encrypt(jobs[0].key, jobs[0].iv, jobs[0].in, jobs[0].out, jobs[0].len);
    } else if (n) {
        t->ige_encrypt_batch(jobs, n);
    }
    return 0;
}

int mt_ige256_decrypt_batch(struct mt_ige_job *jobs, size_t n)
{
    if (check_jobs(jobs, n)) return MT_E_INVAL;
    const struct mt_crypto_impl *t = mt_crypto_impl();
    if (n == 1) {
        if (jobs[0].len) t->ige_decrypt(jobs[0].key, jobs[0].iv, jobs[0].in, jobs[0].out, jobs[0].len);
    } else if (n) {
        t->ige_decrypt_batch(jobs, n);
    }
    return 0;
}
