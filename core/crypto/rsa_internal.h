/* Private to core/crypto: the RSA key object shared by rsa_key.c (load,
 * generate, save, fingerprint, raw operations) and rsa_pad.c (paddings). */
#ifndef MT_RSA_INTERNAL_H
#define MT_RSA_INTERNAL_H
#include <openssl/bn.h>
#include <openssl/evp.h>
#include "core/crypto/mt_crypto.h"

#define MT_RSA_BYTES 256   /* the paddings and raw operations are for 2048-bit keys */

struct mt_rsa {
    EVP_PKEY *pkey;
    BIGNUM *n, *e;
    BN_MONT_CTX *mont;        /* for the public operation, built once */
    uint8_t n_be[512];        /* n big-endian, size bytes */
    size_t size;              /* bytes of n */
    int has_private;
    uint64_t fingerprint;
};

#endif
