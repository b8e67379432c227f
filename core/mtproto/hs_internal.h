/* Private to the handshake files of core/mtproto: constructor ids, the
 * checks both sides share (hs_common.c) and small helpers. */
#ifndef MT_HS_INTERNAL_H
#define MT_HS_INTERNAL_H

#include "core/mtproto/handshake.h"
#include "core/tl/mt_tl.h"

/* Constructor ids: MT_TL_ID_* of core/tl/tl_ids.h (through mt_tl.h). */

#define HS_DH_LEN 256              /* dh_prime, g_a, g_b, auth_key: 2048 bits */
#define HS_AES_MAX 1024            /* largest encrypted_answer / encrypted_data */
#define HS_MAX_SERVER_RETRIES 8

/* An error with its detail, recorded by the state handlers. */
struct hs_err {
    uint8_t state;      /* state the failure happened in */
    uint8_t detail;     /* MT_HS_E_* */
};
int hs_fail(struct hs_err *e, int state, int detail, int code);
const char *hs_format_error(const struct hs_err *e, const char *side);

/* Randomness: the injected hook, else the rng. */
void hs_rand(const struct mt_hs_rand *r, struct mt_rng *rng, enum mt_hs_rand_kind kind,
             void *out, size_t n);

/* new_nonce_hashN: last 16 bytes of SHA1(new_nonce + N + aux_hash). */
void hs_new_nonce_hash(const uint8_t new_nonce[32], int n, const uint8_t aux[8], uint8_t out[16]);
/* The first server_salt as its LE wire value. */
uint64_t hs_first_salt(const uint8_t new_nonce[32], const uint8_t server_nonce[16]);
/* auth_key from a DH result of plen bytes: left-padded to 256 bytes ALWAYS,
 * id derived; aux = first 8 bytes of SHA1(auth_key). */
void hs_auth_key_from_dh(const uint8_t *dh, size_t plen, struct mt_auth_key *key, uint8_t aux[8]);

/* Big-endian minimal encoding of v (at least one byte); returns its length
 * (1..8; inline so that the compiler sees the bound). */
static inline size_t hs_u64_to_be(uint64_t v, uint8_t out[8])
{
    uint8_t tmp[8];
    size_t skip = 0;
    mt_store_be64(tmp, v);
    while (skip < 7 && tmp[skip] == 0)
        skip++;
    memcpy(out, tmp + skip, 8 - skip);
    return 8 - skip;
}
/* TL bytes holding a big-endian number up to 8 bytes (pq, p, q): 0 or
 * MT_E_RANGE (empty, longer than 8 bytes, or >= 2^63). */
int hs_be_to_u64(const uint8_t *p, size_t n, uint64_t *v);
/* Left-pad a big-endian number of n <= 256 bytes to 256 bytes. */
int hs_left_pad256(const uint8_t *p, size_t n, uint8_t out[HS_DH_LEN]);

/* answer_with_hash / data_with_hash := SHA1(obj) + obj + pad(0..15) to a
 * multiple of 16, AES-256-IGE with the tmp_aes key: written to out. */
int hs_aes_wrap(const uint8_t new_nonce[32], const uint8_t server_nonce[16],
                const uint8_t *obj, size_t objlen, const struct mt_hs_rand *r,
                struct mt_rng *rng, uint8_t *out, size_t cap, size_t *out_len);
/* Decrypt an encrypted_answer / encrypted_data into plain (HS_AES_MAX).
 * Returns 0 or sets *detail (MT_HS_E_AES_LEN) and returns MT_E_RANGE. */
int hs_aes_unwrap(const uint8_t new_nonce[32], const uint8_t server_nonce[16],
                  const uint8_t *enc, size_t enclen, uint8_t *plain, int *detail);
/* After the caller parsed the TL object at plain + 20 (objlen bytes): check
 * the SHA1 and that 0..15 padding bytes remain. */
int hs_aes_check(const uint8_t *plain, size_t plen, size_t objlen, int *detail);

/* Map an mt_dh_check_* error to a detail. */
int hs_dh_detail(int rc, int detail_range);

#endif
