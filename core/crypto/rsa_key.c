/* RSA keys for the handshake: load (PKCS#1 "RSA PUBLIC KEY" as Telegram
 * publishes them, SPKI, private PKCS#1/PKCS#8), generate, save, fingerprint,
 * and the raw operations the paddings in rsa_pad.c build on. OpenSSL 3
 * decoders/encoders do the ASN.1; the key object caches n, e, the Montgomery
 * context of n and the fingerprint so that per-handshake calls stay cheap. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <openssl/core_names.h>
#include <openssl/decoder.h>
#include <openssl/encoder.h>
#include <openssl/err.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>
#include "core/crypto/rsa_internal.h"

static void set_err(char *err, size_t errlen, const char *what)
{
    if (!err || !errlen)
        return;
    unsigned long e = ERR_peek_last_error();
    if (e)
        snprintf(err, errlen, "%s: %s", what, ERR_reason_error_string(e));
    else
        snprintf(err, errlen, "%s", what);
}

/* TL `bytes` serialization (mtproto-serialize.md): short form for < 254
 * bytes, else 0xfe + 3-byte LE length; zero padding to a multiple of 4. */
static size_t tl_bytes(uint8_t *out, const uint8_t *p, size_t n)
{
    size_t h;
    if (n < 254) {
        out[0] = (uint8_t)n;
        h = 1;
    } else {
        out[0] = 254;
        out[1] = (uint8_t)n;
        out[2] = (uint8_t)(n >> 8);
        out[3] = (uint8_t)(n >> 16);
        h = 4;
    }
    memcpy(out + h, p, n);
    size_t t = h + n;
    while (t % 4)
        out[t++] = 0;
    return t;
}

static uint64_t fingerprint_of(const BIGNUM *n, const BIGNUM *e)
{
    uint8_t nb[512], eb[512], tl[1040], sha[20];
    int nl = BN_bn2bin(n, nb), el = BN_bn2bin(e, eb);
    size_t t = tl_bytes(tl, nb, (size_t)nl);
    t += tl_bytes(tl + t, eb, (size_t)el);
    mt_sha1(tl, t, sha);
    return mt_load_le64(sha + 12);
}

/* Wrap a decoded or generated EVP_PKEY; takes ownership (frees on failure). */
static struct mt_rsa *wrap(EVP_PKEY *pkey, char *err, size_t errlen)
{
    struct mt_rsa *k = calloc(1, sizeof *k);
    BIGNUM *d = NULL;
    BN_CTX *ctx = BN_CTX_new();
    if (!k || !ctx || !EVP_PKEY_is_a(pkey, "RSA")) {
        set_err(err, errlen, k && ctx ? "not an RSA key" : "out of memory");
        goto fail;
    }
    k->pkey = pkey;
    if (!EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_N, &k->n) ||
        !EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &k->e)) {
        set_err(err, errlen, "RSA key without n/e");
        goto fail;
    }
    k->size = (size_t)BN_num_bytes(k->n);
    if (k->size > sizeof k->n_be || !BN_is_odd(k->n)) {
        set_err(err, errlen, "unsupported RSA modulus");
        goto fail;
    }
    BN_bn2binpad(k->n, k->n_be, (int)k->size);
    k->mont = BN_MONT_CTX_new();
    if (!k->mont || !BN_MONT_CTX_set(k->mont, k->n, ctx)) {
        set_err(err, errlen, "Montgomery context");
        goto fail;
    }
    k->has_private = EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_D, &d) == 1;
    BN_clear_free(d);
    k->fingerprint = fingerprint_of(k->n, k->e);
    BN_CTX_free(ctx);
    ERR_clear_error();   /* the failed RSA_D probe of a public key */
    return k;
fail:
    BN_CTX_free(ctx);
    if (k)
        mt_rsa_free(k);
    else
        EVP_PKEY_free(pkey);
    ERR_clear_error();
    return NULL;
}

static EVP_PKEY *decode(const char *pem, size_t len, int selection)
{
    EVP_PKEY *pkey = NULL;
    OSSL_DECODER_CTX *dctx =
        OSSL_DECODER_CTX_new_for_pkey(&pkey, "PEM", NULL, "RSA", selection, NULL, NULL);
    const unsigned char *p = (const unsigned char *)pem;
    size_t left = len;
    if (dctx && !OSSL_DECODER_from_data(dctx, &p, &left)) {
        EVP_PKEY_free(pkey);
        pkey = NULL;
    }
    OSSL_DECODER_CTX_free(dctx);
    return pkey;
}

struct mt_rsa *mt_rsa_load_pem(const char *pem, size_t len, char *err, size_t errlen)
{
    if (!pem) {
        set_err(err, errlen, "no PEM text");
        return NULL;
    }
    /* A private key first (its PEM also yields a public key). */
    EVP_PKEY *pkey = decode(pem, len, EVP_PKEY_KEYPAIR);
    if (!pkey)
        pkey = decode(pem, len, EVP_PKEY_PUBLIC_KEY);
    if (!pkey) {
        set_err(err, errlen, "no RSA key in the PEM text");
        ERR_clear_error();
        return NULL;
    }
    return wrap(pkey, err, errlen);
}

struct mt_rsa *mt_rsa_load_file(const char *path, char *err, size_t errlen)
{
    enum { MAX_PEM = 1 << 16 };
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (err && errlen)
            snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    char *buf = malloc(MAX_PEM);
    size_t n = buf ? fread(buf, 1, MAX_PEM, f) : 0;
    fclose(f);
    struct mt_rsa *k = NULL;
    if (!buf)
        set_err(err, errlen, "out of memory");
    else if (n == MAX_PEM)
        set_err(err, errlen, "PEM file too large");
    else
        k = mt_rsa_load_pem(buf, n, err, errlen);
    free(buf);
    return k;
}

struct mt_rsa *mt_rsa_from_public(const uint8_t *n, size_t nlen, uint32_t e)
{
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
    BIGNUM *bn = BN_bin2bn(n, (int)nlen, NULL), *be = BN_new();
    EVP_PKEY *pkey = NULL;
    if (bld && pctx && bn && be && BN_set_word(be, e) &&
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn) &&
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, be) &&
        (params = OSSL_PARAM_BLD_to_param(bld)) != NULL &&
        EVP_PKEY_fromdata_init(pctx) == 1)
        if (EVP_PKEY_fromdata(pctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1)
            pkey = NULL;
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    EVP_PKEY_CTX_free(pctx);
    BN_free(bn);
    BN_free(be);
    if (!pkey) {
        ERR_clear_error();
        return NULL;
    }
    return wrap(pkey, NULL, 0);
}

struct mt_rsa *mt_rsa_generate(int bits, char *err, size_t errlen)
{
    if (bits < 1024 || bits > 4096) {
        set_err(err, errlen, "RSA key size must be 1024..4096 bits");
        return NULL;
    }
    EVP_PKEY *pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits);
    if (!pkey) {
        set_err(err, errlen, "RSA key generation failed");
        ERR_clear_error();
        return NULL;
    }
    return wrap(pkey, err, errlen);
}

/* PEM "type-specific" = PKCS#1 ("RSA PUBLIC KEY" / "RSA PRIVATE KEY").
 * Private keys are written 0600. */
static int save(const struct mt_rsa *k, const char *path, int selection, mode_t mode)
{
    if (!k || !path)
        return MT_E_INVAL;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0)
        return MT_E_SYSTEM;
    FILE *f = fdopen(fd, "w");
    if (!f) {
        close(fd);
        return MT_E_SYSTEM;
    }
    OSSL_ENCODER_CTX *ectx =
        OSSL_ENCODER_CTX_new_for_pkey(k->pkey, selection, "PEM", "type-specific", NULL);
    int ok = ectx && OSSL_ENCODER_CTX_get_num_encoders(ectx) > 0 && OSSL_ENCODER_to_fp(ectx, f);
    OSSL_ENCODER_CTX_free(ectx);
    ok = (fclose(f) == 0) && ok;
    ERR_clear_error();
    return ok ? 0 : MT_E_CRYPTO;
}

int mt_rsa_save_private(const struct mt_rsa *k, const char *path)
{
    if (!k || !k->has_private)
        return MT_E_INVAL;
    return save(k, path, EVP_PKEY_KEYPAIR, 0600);
}

int mt_rsa_save_public(const struct mt_rsa *k, const char *path)
{
    return save(k, path, EVP_PKEY_PUBLIC_KEY, 0644);
}

int mt_rsa_has_private(const struct mt_rsa *k) { return k && k->has_private; }
size_t mt_rsa_size(const struct mt_rsa *k) { return k ? k->size : 0; }
uint64_t mt_rsa_fingerprint(const struct mt_rsa *k) { return k ? k->fingerprint : 0; }

void mt_rsa_free(struct mt_rsa *k)
{
    if (!k)
        return;
    EVP_PKEY_free(k->pkey);
    BN_free(k->n);
    BN_free(k->e);
    BN_MONT_CTX_free(k->mont);
    free(k);
}

/* c = m^e mod n: public exponent, no secret involved, cached Montgomery
 * context. in must be < n. */
int mt_rsa_public_raw(const struct mt_rsa *k, const uint8_t in[256], uint8_t out[256])
{
    if (!k || k->size != MT_RSA_BYTES)
        return MT_E_RSA_KEY;
    if (memcmp(in, k->n_be, MT_RSA_BYTES) >= 0)
        return MT_E_RSA;
    BN_CTX *ctx = BN_CTX_new();
    BIGNUM *m = BN_bin2bn(in, MT_RSA_BYTES, NULL), *c = BN_new();
    int ok = ctx && m && c && BN_mod_exp_mont(c, m, k->e, k->n, ctx, k->mont) &&
             BN_bn2binpad(c, out, MT_RSA_BYTES) == MT_RSA_BYTES;
    BN_free(m);
    BN_free(c);
    BN_CTX_free(ctx);
    return ok ? 0 : MT_E_CRYPTO;
}

/* m = c^d mod n through the provider (CRT, blinding, constant time). */
int mt_rsa_private_raw(const struct mt_rsa *k, const uint8_t in[256], uint8_t out[256])
{
    if (!k || !k->has_private || k->size != MT_RSA_BYTES)
        return MT_E_RSA_KEY;
    if (memcmp(in, k->n_be, MT_RSA_BYTES) >= 0)
        return MT_E_RSA;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, k->pkey, NULL);
    size_t outlen = MT_RSA_BYTES;
    int ok = ctx && EVP_PKEY_decrypt_init(ctx) == 1 &&
             EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_NO_PADDING) == 1 &&
             EVP_PKEY_decrypt(ctx, out, &outlen, in, MT_RSA_BYTES) == 1 && outlen == MT_RSA_BYTES;
    EVP_PKEY_CTX_free(ctx);
    if (!ok)
        ERR_clear_error();
    return ok ? 0 : MT_E_RSA;
}
