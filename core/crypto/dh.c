/* Diffie-Hellman of the handshake over OpenSSL BIGNUM: parameter and public
 * value checks (mtproto-security_guidelines.md) and constant-time modular
 * exponentiation. The published prime is recognised by comparison, so a
 * client talking to Telegram-compatible servers never runs the (tens of ms)
 * primality tests; its Montgomery context is built once per process. */
#include <pthread.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include "core/crypto/mt_crypto.h"

#define DH_BYTES 256
#define DH_MARGIN_BITS (2048 - 64)

const uint8_t mt_dh_prime_2048[256] = {
    0xc7, 0x1c, 0xae, 0xb9, 0xc6, 0xb1, 0xc9, 0x04, 0x8e, 0x6c, 0x52, 0x2f,
    0x70, 0xf1, 0x3f, 0x73, 0x98, 0x0d, 0x40, 0x23, 0x8e, 0x3e, 0x21, 0xc1,
    0x49, 0x34, 0xd0, 0x37, 0x56, 0x3d, 0x93, 0x0f, 0x48, 0x19, 0x8a, 0x0a,
    0xa7, 0xc1, 0x40, 0x58, 0x22, 0x94, 0x93, 0xd2, 0x25, 0x30, 0xf4, 0xdb,
    0xfa, 0x33, 0x6f, 0x6e, 0x0a, 0xc9, 0x25, 0x13, 0x95, 0x43, 0xae, 0xd4,
    0x4c, 0xce, 0x7c, 0x37, 0x20, 0xfd, 0x51, 0xf6, 0x94, 0x58, 0x70, 0x5a,
    0xc6, 0x8c, 0xd4, 0xfe, 0x6b, 0x6b, 0x13, 0xab, 0xdc, 0x97, 0x46, 0x51,
    0x29, 0x69, 0x32, 0x84, 0x54, 0xf1, 0x8f, 0xaf, 0x8c, 0x59, 0x5f, 0x64,
    0x24, 0x77, 0xfe, 0x96, 0xbb, 0x2a, 0x94, 0x1d, 0x5b, 0xcd, 0x1d, 0x4a,
    0xc8, 0xcc, 0x49, 0x88, 0x07, 0x08, 0xfa, 0x9b, 0x37, 0x8e, 0x3c, 0x4f,
    0x3a, 0x90, 0x60, 0xbe, 0xe6, 0x7c, 0xf9, 0xa4, 0xa4, 0xa6, 0x95, 0x81,
    0x10, 0x51, 0x90, 0x7e, 0x16, 0x27, 0x53, 0xb5, 0x6b, 0x0f, 0x6b, 0x41,
    0x0d, 0xba, 0x74, 0xd8, 0xa8, 0x4b, 0x2a, 0x14, 0xb3, 0x14, 0x4e, 0x0e,
    0xf1, 0x28, 0x47, 0x54, 0xfd, 0x17, 0xed, 0x95, 0x0d, 0x59, 0x65, 0xb4,
    0xb9, 0xdd, 0x46, 0x58, 0x2d, 0xb1, 0x17, 0x8d, 0x16, 0x9c, 0x6b, 0xc4,
    0x65, 0xb0, 0xd6, 0xff, 0x9c, 0xa3, 0x92, 0x8f, 0xef, 0x5b, 0x9a, 0xe4,
    0xe4, 0x18, 0xfc, 0x15, 0xe8, 0x3e, 0xbe, 0xa0, 0xf8, 0x7f, 0xa9, 0xff,
    0x5e, 0xed, 0x70, 0x05, 0x0d, 0xed, 0x28, 0x49, 0xf4, 0x7b, 0xf9, 0x59,
    0xd9, 0x56, 0x85, 0x0c, 0xe9, 0x29, 0x85, 0x1f, 0x0d, 0x81, 0x15, 0xf6,
    0x35, 0xb1, 0x05, 0xee, 0x2e, 0x4e, 0x15, 0xd0, 0x4b, 0x24, 0x54, 0xbf,
    0x6f, 0x4f, 0xad, 0xf0, 0x34, 0xb1, 0x04, 0x03, 0x11, 0x9c, 0xd8, 0xe3,
    0xb9, 0x2f, 0xcc, 0x5b,
};

static BN_MONT_CTX *published_mont;
static pthread_once_t published_once = PTHREAD_ONCE_INIT;

static void published_init(void)
{
    BN_CTX *ctx = BN_CTX_new();
    BIGNUM *p = BN_bin2bn(mt_dh_prime_2048, DH_BYTES, NULL);
    BN_MONT_CTX *m = BN_MONT_CTX_new();
    if (ctx && p && m && BN_MONT_CTX_set(m, p, ctx))
        published_mont = m;
    else
        BN_MONT_CTX_free(m);
    BN_free(p);
    BN_CTX_free(ctx);
}

static int is_published(const uint8_t *p, size_t plen)
{
    return plen == DH_BYTES && memcmp(p, mt_dh_prime_2048, DH_BYTES) == 0;
}

/* g generates the subgroup of order (p-1)/2 iff it is a quadratic residue
 * mod p; by reciprocity a condition on p mod 4g (auth_key.md). */
static int g_matches_prime(uint32_t g, const BIGNUM *p)
{
    BN_ULONG r;
    switch (g) {
    case 2: return BN_mod_word(p, 8) == 7;
    case 3: return BN_mod_word(p, 3) == 2;
    case 4: return 1;
    case 5: r = BN_mod_word(p, 5); return r == 1 || r == 4;
    case 6: r = BN_mod_word(p, 24); return r == 19 || r == 23;
    case 7: r = BN_mod_word(p, 7); return r == 3 || r == 5 || r == 6;
    default: return 0;
    }
}

/* p and (p-1)/2 prime (OpenSSL's default rounds for 2048 bits). */
static int is_safe_prime(const BIGNUM *p, BN_CTX *ctx)
{
    BIGNUM *q = BN_new();
    int ok = q && BN_rshift1(q, p) && BN_check_prime(p, ctx, NULL) == 1 &&
             BN_check_prime(q, ctx, NULL) == 1;
    BN_free(q);
    return ok;
}

int mt_dh_check_params(const uint8_t *p, size_t plen, uint32_t g)
{
    /* 2^2047 < p < 2^2048: exactly 256 bytes with the top bit set. */
    if (!p || plen != DH_BYTES || !(p[0] & 0x80) || !(p[DH_BYTES - 1] & 1))
        return MT_E_DH_PRIME;
    if (g < 2 || g > 7)
        return MT_E_DH_G;
    BN_CTX *ctx = BN_CTX_new();
    BIGNUM *bp = BN_bin2bn(p, (int)plen, NULL);
    int rc = 0;
    if (!ctx || !bp)
        rc = MT_E_NOMEM;
    else if (!g_matches_prime(g, bp))
        rc = MT_E_DH_G;
    else if (!is_published(p, plen) && !is_safe_prime(bp, ctx))
        rc = MT_E_DH_PRIME;
    BN_free(bp);
    BN_CTX_free(ctx);
    ERR_clear_error();
    return rc;
}

/* 1 < x < p - 1 and 2^(2048-64) <= x <= p - 2^(2048-64). */
int mt_dh_check_public(const uint8_t *x, size_t xlen, const uint8_t *p, size_t plen)
{
    if (!x || !p || plen == 0)
        return MT_E_INVAL;
    BIGNUM *bx = BN_bin2bn(x, (int)xlen, NULL), *bp = BN_bin2bn(p, (int)plen, NULL);
    BIGNUM *lo = BN_new(), *hi = BN_new();
    int rc = MT_E_NOMEM;
    if (bx && bp && lo && hi && BN_set_word(lo, 1) && BN_lshift(lo, lo, DH_MARGIN_BITS) &&
        BN_sub(hi, bp, lo)) {
        rc = 0;
        if (BN_cmp(bx, BN_value_one()) <= 0 || BN_cmp(bx, lo) < 0 || BN_cmp(bx, hi) > 0)
            rc = MT_E_DH_RANGE;
        /* x < p - 1 (already implied by x <= p - 2^1984 for a 2048-bit p,
         * kept for smaller moduli) */
        if (!rc && (!BN_sub_word(bp, 1) || BN_cmp(bx, bp) >= 0))
            rc = MT_E_DH_RANGE;
    }
    BN_free(bx);
    BN_free(bp);
    BN_free(lo);
    BN_free(hi);
    return rc;
}

static int modexp_bn(BIGNUM *base, const uint8_t *exp, size_t elen,
                     const uint8_t *p, size_t plen, uint8_t *out)
{
    if (!exp || !p || !out || plen == 0 || !(p[plen - 1] & 1))
        return MT_E_INVAL;   /* Montgomery needs an odd modulus */
    BN_MONT_CTX *mont = NULL;
    if (is_published(p, plen)) {
        pthread_once(&published_once, published_init);
        mont = published_mont;
    }
    BN_CTX *ctx = BN_CTX_new();
    BIGNUM *e = BN_bin2bn(exp, (int)elen, NULL), *m = BN_bin2bn(p, (int)plen, NULL);
    BIGNUM *r = BN_new();
    int rc = MT_E_CRYPTO;
    if (ctx && e && m && r && !BN_is_zero(m)) {
        BN_set_flags(e, BN_FLG_CONSTTIME);
        if (BN_mod_exp_mont_consttime(r, base, e, m, ctx, mont) &&
            BN_bn2binpad(r, out, (int)plen) == (int)plen)
            rc = 0;
    }
    BN_clear_free(e);
    BN_free(m);
    BN_clear_free(r);
    BN_CTX_free(ctx);
    if (rc)
        ERR_clear_error();
    return rc;
}

int mt_dh_modexp(const uint8_t *base, size_t blen, const uint8_t *exp, size_t elen,
                 const uint8_t *p, size_t plen, uint8_t *out)
{
    if (!base)
        return MT_E_INVAL;
    BIGNUM *b = BN_bin2bn(base, (int)blen, NULL);
    int rc = b ? modexp_bn(b, exp, elen, p, plen, out) : MT_E_NOMEM;
    BN_clear_free(b);
    return rc;
}

int mt_dh_modexp_g(uint32_t g, const uint8_t *exp, size_t elen,
                   const uint8_t *p, size_t plen, uint8_t *out)
{
    BIGNUM *b = BN_new();
    int rc = b && BN_set_word(b, g) ? modexp_bn(b, exp, elen, p, plen, out) : MT_E_NOMEM;
    BN_free(b);
    return rc;
}
