/* core/mtproto handshake: both sides of the MTProto auth-key creation
 * (mtproto-auth_key.md) and the PFS binding message (api-pfs.md) as pure
 * state machines. Bytes in, bytes out, time passed in: no sockets, no
 * threads, no clock reads. Every message in and out is the unencrypted
 * envelope (auth_key_id 0, msg_id, length, body); framing it for a transport
 * is the caller's job.
 *
 * Driving a handshake:
 *   client: start() -> send; then feed(reply) until it returns MT_HS_DONE.
 *   server: feed(request) -> send the reply; MT_HS_DONE comes with the last
 *           reply (dh_gen_ok), which must still be sent.
 * A negative return is final: the object is in the FAILED state, the
 * connection should be closed (the server's caller sends transport error
 * -404), and mt_hs_*_error() names the state and the failed check.
 * Timeouts are the caller's: a handshake object never reads a clock. */
#ifndef MT_HANDSHAKE_H
#define MT_HANDSHAKE_H

#include "core/base/mt_base.h"
#include "core/crypto/mt_crypto.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Return values of start/feed besides 0 / negative MT_E_*. */
enum {
    MT_HS_SEND = 1,   /* out holds a message to send; wait for the reply */
    MT_HS_DONE = 2,   /* handshake complete (server: out holds dh_gen_ok) */
};

/* Largest message either side produces (server_DH_params_ok is 652 bytes
 * with a 2048-bit prime); an out buffer of this size always suffices. */
#define MT_HS_MAX_MSG 1024
/* Unencrypted envelope header: auth_key_id(8) msg_id(8) length(4). */
#define MT_HS_PLAIN_HEADER 20

/* ---- states -------------------------------------------------------- */
enum mt_hs_state {
    MT_HS_C_INIT = 0,         /* client: nothing sent yet */
    MT_HS_C_WAIT_RES_PQ,      /* client: req_pq_multi sent */
    MT_HS_C_WAIT_DH_PARAMS,   /* client: req_DH_params sent */
    MT_HS_C_WAIT_DH_GEN,      /* client: set_client_DH_params sent */
    MT_HS_S_WAIT_REQ_PQ,      /* server: fresh */
    MT_HS_S_WAIT_REQ_DH,      /* server: resPQ sent */
    MT_HS_S_WAIT_CLIENT_DH,   /* server: server_DH_params_ok (or dh_gen_retry) sent */
    MT_HS_DONE_STATE,         /* both: auth key ready */
    MT_HS_FAILED,             /* both: a check failed; only free() is valid */
};
const char *mt_hs_state_name(int state);

/* ---- error details ------------------------------------------------------
 * The MT_E_* code says the class of failure; the detail names the exact
 * check of mtproto-auth_key.md / mtproto-security_guidelines.md. */
enum mt_hs_detail {
    MT_HS_E_NONE = 0,
    /* envelope (hs_plain.c) */
    MT_HS_E_ENV_SHORT,          /* fewer than 20 bytes, or length past the data */
    MT_HS_E_ENV_AUTH_KEY_ID,    /* auth_key_id != 0 */
    MT_HS_E_ENV_LENGTH,         /* length field != body length, or not % 4 */
    MT_HS_E_ENV_MSG_ID_PARITY,  /* client ids % 4 == 0, server ids odd */
    MT_HS_E_ENV_MSG_ID_ORDER,   /* msg_id not above the peer's previous one */
    /* TL */
    MT_HS_E_CTOR,               /* unexpected constructor for this state */
    MT_HS_E_TL,                 /* malformed TL object */
    MT_HS_E_TRAILING,           /* bytes after the TL object */
    /* nonces and hashes */
    MT_HS_E_NONCE,              /* nonce differs from ours */
    MT_HS_E_SERVER_NONCE,       /* server_nonce differs from the one of resPQ */
    MT_HS_E_INNER_NONCE,        /* nonce inside an encrypted object differs */
    MT_HS_E_INNER_SERVER_NONCE, /* server_nonce inside an encrypted object differs */
    MT_HS_E_NEW_NONCE_HASH1,    /* dh_gen_ok carries a wrong new_nonce_hash1 */
    MT_HS_E_NEW_NONCE_HASH2,    /* dh_gen_retry carries a wrong new_nonce_hash2 */
    MT_HS_E_NEW_NONCE_HASH3,    /* dh_gen_fail carries a wrong new_nonce_hash3 */
    MT_HS_E_FAIL_NONCE_HASH,    /* server_DH_params_fail with a wrong hash */
    /* pq and RSA */
    MT_HS_E_PQ_SIZE,            /* pq not 1..8 bytes or >= 2^63 */
    MT_HS_E_PQ_FACTOR,          /* pq is not a product of two primes */
    MT_HS_E_PQ_MISMATCH,        /* server: p, q or pq differ from what was sent */
    MT_HS_E_NO_KEY,             /* client: no trusted key in the fingerprints */
    MT_HS_E_FINGERPRINT,        /* server: fingerprint of no key of ours */
    MT_HS_E_RSA_DECRYPT,        /* server: neither RSA_PAD nor legacy RSA verifies */
    MT_HS_E_INNER_FORM,         /* server: inner data form not allowed with this RSA scheme */
    MT_HS_E_DC,                 /* server: dc of p_q_inner_data_dc is not ours */
    MT_HS_E_EXPIRES_IN,         /* temp key with expires_in <= 0 */
    /* AES answer_with_hash / data_with_hash */
    MT_HS_E_AES_LEN,            /* encrypted part empty or not a multiple of 16 */
    MT_HS_E_AES_HASH,           /* SHA1 of the inner object does not match */
    MT_HS_E_AES_PAD,            /* more than 15 bytes after the inner object */
    /* DH (security_guidelines.md) */
    MT_HS_E_DH_PRIME,           /* dh_prime not a safe 2048-bit prime */
    MT_HS_E_DH_G,               /* g not a generator of the (p-1)/2 subgroup */
    MT_HS_E_DH_GA,              /* g_a outside [2^1984, p - 2^1984] */
    MT_HS_E_DH_GB,              /* g_b outside [2^1984, p - 2^1984] */
    MT_HS_E_RETRY_ID,           /* server: retry_id is not the last aux hash */
    MT_HS_E_DH_GEN_FAIL,        /* client: server answered dh_gen_fail */
    MT_HS_E_DH_PARAMS_FAIL,     /* client: server answered server_DH_params_fail */
    MT_HS_E_RETRIES,            /* too many dh_gen_retry rounds */
    /* usage */
    MT_HS_E_STATE,              /* call not valid in this state */
    MT_HS_E_OUT,                /* output buffer too small */
    MT_HS_E_CRYPTO,             /* a crypto primitive failed (OpenSSL) */
    /* bind_auth_key_inner (hs_bind.c) */
    MT_HS_E_BIND_DECRYPT,       /* MTProto 1.0 decryption / msg_key check failed */
    MT_HS_E_BIND_LENGTH,        /* plaintext not 72 bytes or msg_len != 40 */
    MT_HS_E_BIND_SEQNO,         /* seqno != 0 */
    MT_HS_E_BIND_MSG_ID,        /* inner msg_id != the carrying message's msg_id */
    MT_HS_E_BIND_CTOR,          /* not bind_auth_key_inner */
    MT_HS_E_BIND_PERM_KEY,      /* perm_auth_key_id differs (key, call or inner) */
    MT_HS_E_BIND_TEMP_KEY,      /* temp_auth_key_id is not the carrying key */
    MT_HS_E_BIND_SESSION,       /* temp_session_id is not the carrying session */
    MT_HS_E_BIND_NONCE,         /* nonce differs from the call's */
    MT_HS_E_BIND_EXPIRES,       /* expires_at differs from the call's */
    MT_HS_E_COUNT
};
const char *mt_hs_strerror(int detail);

/* ---- randomness -----------------------------------------------------------
 * Every random value a handshake uses is drawn through this hook, so that a
 * test can inject the official example's values. fn == NULL: the rng given
 * to _new() is used. RSA_PAD's own randomness always comes from the rng. */
enum mt_hs_rand_kind {
    MT_HS_RAND_NONCE = 0,       /* client nonce, 16 bytes */
    MT_HS_RAND_SERVER_NONCE,    /* 16 bytes */
    MT_HS_RAND_NEW_NONCE,       /* 32 bytes */
    MT_HS_RAND_DH_EXP,          /* a or b: exp_bits / 8 bytes, big-endian */
    MT_HS_RAND_PAD,             /* 0..15 bytes after answer/data_with_hash */
};
struct mt_hs_rand {
    void (*fn)(void *ctx, enum mt_hs_rand_kind kind, void *out, size_t n);
    void *ctx;
};

/* ---- result ----------------------------------------------------------- */
struct mt_hs_result {
    struct mt_auth_key key;      /* 256 bytes, left-padded with zeros */
    uint64_t server_salt;        /* new_nonce[0..8) ^ server_nonce[0..8), LE wire value */
    double time_offset;          /* client: server_time - local time at receipt */
    int32_t server_time;         /* from server_DH_inner_data */
    int32_t dc_id;               /* server: dc of the inner data (0: legacy form) */
    int32_t expires_in;          /* temp keys: > 0; permanent: 0 */
    uint8_t temp;                /* 1 for a temporary (PFS) key */
    uint8_t legacy_rsa;          /* server: client used the pre-RSA_PAD scheme */
    uint8_t legacy_req_pq;       /* server: client sent req_pq, not req_pq_multi */
    uint8_t retries;             /* dh_gen_retry rounds it took */
};

/* ---- client ----------------------------------------------------------- */
enum {
    MT_HS_LEGACY_REQ_PQ = 1u << 0,  /* send req_pq#60469778, not req_pq_multi */
    MT_HS_LEGACY_INNER = 1u << 1,   /* p_q_inner_data(_temp) without dc */
    MT_HS_LEGACY_RSA = 1u << 2,     /* SHA1(data)+data+pad, raw RSA; not RSA_PAD */
};
#define MT_HS_DH_EXP_BITS_DEFAULT 2048
#define MT_HS_MAX_RETRIES_DEFAULT 5

/* Shared by many handshakes and borrowed by them: it must outlive every
 * handshake created from it. */
struct mt_hs_client_config {
    struct mt_rsa *const *keys;  /* trusted public keys (picked by fingerprint) */
    size_t nkeys;
    int32_t dc_id;               /* written into p_q_inner_data_dc */
    int temp;                    /* 1: temporary key (p_q_inner_data_temp_dc) */
    int32_t expires_in;          /* seconds, for temp keys (> 0) */
    int dh_exp_bits;             /* 0 = 2048. 256..2048, multiple of 8: a load
                                  * generator's own exponent may be short (see
                                  * docs/handshake.md); never the server's */
    unsigned legacy;             /* MT_HS_LEGACY_* */
    int max_retries;             /* dh_gen_retry rounds allowed; 0 = default 5 */
    struct mt_hs_rand rand;      /* injectable randomness (tests) */
};

struct mt_hs_client;
/* rng: the calling thread's rng, borrowed; both pointers must outlive the
 * object. NULL on a bad config or out of memory. */
struct mt_hs_client *mt_hs_client_new(const struct mt_hs_client_config *cfg, struct mt_rng *rng);
void mt_hs_client_free(struct mt_hs_client *c);   /* wipes secrets */
/* now: wall-clock unix seconds (msg_id and time offset). Writes req_pq_multi
 * to out; returns MT_HS_SEND or a negative error. */
int mt_hs_client_start(struct mt_hs_client *c, double now, uint8_t *out, size_t cap, size_t *out_len);
/* Feed one whole received message: MT_HS_SEND (out holds the next message),
 * MT_HS_DONE (mt_hs_client_result is valid, nothing to send), or negative. */
int mt_hs_client_feed(struct mt_hs_client *c, const uint8_t *in, size_t len, double now,
                      uint8_t *out, size_t cap, size_t *out_len);
int mt_hs_client_state(const struct mt_hs_client *c);
/* Valid after MT_HS_DONE; copies the result (MT_E_STATE otherwise). */
int mt_hs_client_result(const struct mt_hs_client *c, struct mt_hs_result *out);
/* Last failure: its detail, and "<side> <STATE>: <check>" text, e.g.
 * "client WAIT_DH_PARAMS: g_a outside [2^1984, p - 2^1984]" (a thread-local
 * buffer, valid until the next *_error call on the same thread). */
int mt_hs_client_detail(const struct mt_hs_client *c);
const char *mt_hs_client_error(const struct mt_hs_client *c);
/* Bytes the object occupies (the load generator keeps thousands alive). */
size_t mt_hs_client_size(void);

/* ---- server ----------------------------------------------------------- */
struct mt_hs_server_config {
    struct mt_rsa *const *keys;  /* private keys; all fingerprints go in resPQ */
    size_t nkeys;
    const uint8_t *dh_prime;     /* 256 bytes big-endian; NULL = mt_dh_prime_2048 */
    uint32_t g;                  /* 0 = 3 */
    int dh_exp_bits;             /* 0 = 2048 */
    int32_t dc_id;               /* 0: accept any dc; else dc must be +-dc_id */
    int pq_bits;                 /* bits of each pq factor; 0 = 31 */
    int accept_legacy;           /* 1 (default via _init): req_pq, legacy RSA and inner forms */
    /* Key-store lookup: returns 1 if a key with this auth_key_id already
     * exists, which makes the server answer dh_gen_retry. NULL = never. */
    int (*key_exists)(void *ctx, const struct mt_auth_key *key);
    void *key_exists_ctx;
    struct mt_hs_rand rand;
};
/* Defaults: published prime, g = 3, 2048-bit exponent, legacy accepted. */
void mt_hs_server_config_init(struct mt_hs_server_config *cfg);

struct mt_hs_server;
struct mt_hs_server *mt_hs_server_new(const struct mt_hs_server_config *cfg, struct mt_rng *rng);
void mt_hs_server_free(struct mt_hs_server *s);
/* Feed one whole received message: MT_HS_SEND (send out), MT_HS_DONE (send
 * out = dh_gen_ok, then mt_hs_server_result is valid) or negative. */
int mt_hs_server_feed(struct mt_hs_server *s, const uint8_t *in, size_t len, double now,
                      uint8_t *out, size_t cap, size_t *out_len);
int mt_hs_server_state(const struct mt_hs_server *s);
int mt_hs_server_result(const struct mt_hs_server *s, struct mt_hs_result *out);
int mt_hs_server_detail(const struct mt_hs_server *s);
const char *mt_hs_server_error(const struct mt_hs_server *s);
size_t mt_hs_server_size(void);

/* ---- unencrypted envelope (hs_plain.c) ------------------------------------
 * auth_key_id (8, zero) | msg_id (8) | length (4) | body. */
/* msg_id for unixtime `now`, above prev, with the low bits set to `parity`
 * (0: client, 1: server answer). */
uint64_t mt_hs_msg_id(double now, uint64_t prev, unsigned parity);
int mt_hs_plain_write(uint8_t *out, size_t cap, uint64_t msg_id, const void *body,
                      size_t body_len, size_t *out_len);
/* Checks: >= 20 bytes, auth_key_id 0, length == len - 20 and % 4 == 0,
 * msg_id % 4 == 0 for parity 0 (from a client), msg_id odd for parity 1
 * (from a server). detail (optional) receives the MT_HS_E_* of a failure. */
int mt_hs_plain_parse(const uint8_t *in, size_t len, unsigned parity, uint64_t *msg_id,
                      const uint8_t **body, size_t *body_len, int *detail);

/* ---- PFS binding (hs_bind.c) ----------------------------------------------
 * bind_auth_key_inner, MTProto 1.0-encrypted with the permanent key, inside
 * auth.bindTempAuthKey sent over the temporary key (api-pfs.md). */
#define MT_HS_BIND_ENC_LEN 104           /* encrypted_message length */
#define MT_HS_BIND_CALL_ID 0xcdd42a05u   /* auth.bindTempAuthKey */
struct mt_hs_bind {
    int64_t nonce;
    uint64_t temp_auth_key_id;   /* LE wire values (mt_auth_key.id64) */
    uint64_t perm_auth_key_id;
    uint64_t temp_session_id;
    int32_t expires_at;
};
/* Client: encrypted_message for msg_id (the msg_id of the message that will
 * carry the call, on session b->temp_session_id). out: 104 bytes. */
int mt_hs_bind_encrypt(const struct mt_auth_key *perm, const struct mt_hs_bind *b,
                       uint64_t msg_id, struct mt_rng *rng, uint8_t out[MT_HS_BIND_ENC_LEN]);
/* Client: the whole auth.bindTempAuthKey call body (ready for the session
 * layer). Returns the body length or a negative error. */
int mt_hs_bind_write_call(const struct mt_auth_key *perm, const struct mt_hs_bind *b,
                          uint64_t msg_id, struct mt_rng *rng, uint8_t *out, size_t cap);
/* Server: parse a call body (constructor included). enc points into body. */
struct mt_hs_bind_call {
    uint64_t perm_auth_key_id;
    int64_t nonce;
    int32_t expires_at;
    const uint8_t *enc;
    size_t enc_len;
};
int mt_hs_bind_parse_call(const uint8_t *body, size_t len, struct mt_hs_bind_call *call);
/* Server: verify a parsed call received with msg_id on session_id over the
 * key temp_auth_key_id, perm being the key the caller found for
 * call->perm_auth_key_id. enc is copied, not modified. Returns 0 or a
 * negative error; detail (optional) names the failed check. */
int mt_hs_bind_verify(const struct mt_auth_key *perm, const struct mt_hs_bind_call *call,
                      uint64_t msg_id, uint64_t session_id, uint64_t temp_auth_key_id,
                      int *detail);

#ifdef __cplusplus
}
#endif
#endif
