/* Client side of the auth-key handshake (mtproto-auth_key.md), one handler
 * per state. Every check of mtproto-security_guidelines.md that concerns
 * the handshake is made here, each failure with its own detail. */
#include <stdlib.h>

#include "core/mtproto/hs_internal.h"

struct mt_hs_client {
    const struct mt_hs_client_config *cfg;
    struct mt_rng *rng;
    uint8_t state;
    uint8_t retries;
    struct hs_err err;
    uint32_t g;
    uint64_t last_out_id;          /* our last msg_id */
    uint64_t last_in_id;           /* the server's last msg_id */
    uint8_t retry_id[8];           /* 0, then the aux hash of the last attempt */
    uint8_t nonce[16], server_nonce[16], new_nonce[32];
    uint8_t dh_prime[HS_DH_LEN], g_a[HS_DH_LEN];
    struct mt_hs_result res;
};

size_t mt_hs_client_size(void) { return sizeof(struct mt_hs_client); }

static int exp_bits(const struct mt_hs_client_config *cfg)
{
    return cfg->dh_exp_bits ? cfg->dh_exp_bits : MT_HS_DH_EXP_BITS_DEFAULT;
}

struct mt_hs_client *mt_hs_client_new(const struct mt_hs_client_config *cfg, struct mt_rng *rng)
{
    if (!cfg || !rng || !cfg->keys || cfg->nkeys == 0)
        return NULL;
    int bits = exp_bits(cfg);
    if (bits < 256 || bits > 2048 || bits % 8)
        return NULL;
    if (cfg->temp && cfg->expires_in <= 0)
        return NULL;
    struct mt_hs_client *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->cfg = cfg;
    c->rng = rng;
    c->state = MT_HS_C_INIT;
    return c;
}

void mt_hs_client_free(struct mt_hs_client *c)
{
    if (!c)
        return;
    mt_wipe(c, sizeof *c);
    free(c);
}

int mt_hs_client_state(const struct mt_hs_client *c) { return c->state; }
int mt_hs_client_detail(const struct mt_hs_client *c) { return c->err.detail; }
const char *mt_hs_client_error(const struct mt_hs_client *c) { return hs_format_error(&c->err, "client"); }

int mt_hs_client_result(const struct mt_hs_client *c, struct mt_hs_result *out)
{
    if (c->state != MT_HS_DONE_STATE)
        return MT_E_STATE;
    *out = c->res;
    return 0;
}

/* Record a failure: the object is dead from here on. */
static int fail(struct mt_hs_client *c, int detail, int code)
{
    hs_fail(&c->err, c->state, detail, code);
    c->state = MT_HS_FAILED;
    mt_wipe(c->new_nonce, sizeof c->new_nonce);
    mt_wipe(&c->res.key, sizeof c->res.key);
    return code;
}

/* The body has been written at out + 20 by w; wrap it in the envelope. */
static int send_body(struct mt_hs_client *c, double now, struct mt_tl_writer *w,
                     uint8_t *out, size_t cap, size_t *out_len)
{
    if (w->overflow)
        return fail(c, MT_HS_E_OUT, MT_E_OVERFLOW);
    c->last_out_id = mt_hs_msg_id(now, c->last_out_id, 0);
    if (mt_hs_plain_write(out, cap, c->last_out_id, out + MT_HS_PLAIN_HEADER, w->pos, out_len))
        return fail(c, MT_HS_E_OUT, MT_E_OVERFLOW);
    return MT_HS_SEND;
}

static int writer_at_body(struct mt_tl_writer *w, uint8_t *out, size_t cap)
{
    if (!out || cap < MT_HS_PLAIN_HEADER)
        return MT_E_OVERFLOW;
    mt_tl_writer_init(w, out + MT_HS_PLAIN_HEADER, cap - MT_HS_PLAIN_HEADER);
    return 0;
}

int mt_hs_client_start(struct mt_hs_client *c, double now, uint8_t *out, size_t cap, size_t *out_len)
{
    struct mt_tl_writer w;
    if (c->state != MT_HS_C_INIT)
        return c->state == MT_HS_FAILED ? MT_E_STATE : fail(c, MT_HS_E_STATE, MT_E_STATE);
    if (writer_at_body(&w, out, cap) || !out_len)
        return fail(c, MT_HS_E_OUT, MT_E_OVERFLOW);
    hs_rand(&c->cfg->rand, c->rng, MT_HS_RAND_NONCE, c->nonce, 16);
    mt_tl_w32(&w, c->cfg->legacy & MT_HS_LEGACY_REQ_PQ ? MT_TL_ID_REQ_PQ : MT_TL_ID_REQ_PQ_MULTI);
    mt_tl_wraw(&w, c->nonce, 16);
    int rc = send_body(c, now, &w, out, cap, out_len);
    if (rc == MT_HS_SEND)
        c->state = MT_HS_C_WAIT_RES_PQ;
    return rc;
}

/* ---- resPQ -> req_DH_params ------------------------------------------ */

static struct mt_rsa *pick_key(const struct mt_hs_client_config *cfg, struct mt_tl_reader *r,
                               uint64_t *fp_out)
{
    uint32_t n = mt_tl_vector(r, 8);
    struct mt_rsa *found = NULL;
    for (uint32_t i = 0; i < n && mt_tl_ok(r); i++) {
        uint64_t fp = mt_tl_u64(r);
        for (size_t k = 0; k < cfg->nkeys && !found; k++) {
            if (cfg->keys[k] && mt_rsa_fingerprint(cfg->keys[k]) == fp) {
                found = cfg->keys[k];
                *fp_out = fp;
            }
        }
    }
    return found;
}

/* p_q_inner_data in the form the config asks for. */
static void write_inner(const struct mt_hs_client *c, struct mt_tl_writer *w, const uint8_t *pq,
                        size_t pqn, const uint8_t *p, size_t pn, const uint8_t *q, size_t qn)
{
    const struct mt_hs_client_config *cfg = c->cfg;
    int legacy = (cfg->legacy & MT_HS_LEGACY_INNER) != 0;
    uint32_t id = cfg->temp ? (legacy ? MT_TL_ID_P_Q_INNER_DATA_TEMP : MT_TL_ID_P_Q_INNER_DATA_TEMP_DC)
                            : (legacy ? MT_TL_ID_P_Q_INNER_DATA : MT_TL_ID_P_Q_INNER_DATA_DC);
    mt_tl_w32(w, id);
    mt_tl_wbytes(w, pq, pqn);
    mt_tl_wbytes(w, p, pn);
    mt_tl_wbytes(w, q, qn);
    mt_tl_wraw(w, c->nonce, 16);
    mt_tl_wraw(w, c->server_nonce, 16);
    mt_tl_wraw(w, c->new_nonce, 32);
    if (!legacy)
        mt_tl_w32(w, (uint32_t)cfg->dc_id);
    if (cfg->temp)
        mt_tl_w32(w, (uint32_t)cfg->expires_in);
}

static int on_res_pq(struct mt_hs_client *c, const uint8_t *body, size_t len, double now,
                     uint8_t *out, size_t cap, size_t *out_len)
{
    struct mt_tl_reader r;
    uint8_t nonce[16], inner[160], enc[256], pb[8], qb[8];
    size_t pqn_wire, innerlen;
    uint64_t pq, fp = 0;
    uint32_t p, q;

    mt_tl_reader_init(&r, body, len);
    if (mt_tl_u32(&r) != MT_TL_ID_RES_PQ)
        return fail(c, mt_tl_ok(&r) ? MT_HS_E_CTOR : MT_HS_E_TL, mt_tl_ok(&r) ? MT_E_TL_CTOR : r.err);
    mt_tl_raw(&r, nonce, 16);
    mt_tl_raw(&r, c->server_nonce, 16);
    const uint8_t *pqw = mt_tl_bytes(&r, &pqn_wire);
    struct mt_rsa *key = pick_key(c->cfg, &r, &fp);
    if (!mt_tl_ok(&r))
        return fail(c, MT_HS_E_TL, r.err);
    if (mt_tl_left(&r))
        return fail(c, MT_HS_E_TRAILING, MT_E_TL_TRAILING);
    if (!mt_ct_equal(nonce, c->nonce, 16))
        return fail(c, MT_HS_E_NONCE, MT_E_NONCE);
    if (!key)
        return fail(c, MT_HS_E_NO_KEY, MT_E_RSA_KEY);
    if (pqn_wire > 8 || hs_be_to_u64(pqw, pqn_wire, &pq))
        return fail(c, MT_HS_E_PQ_SIZE, MT_E_PQ);
    if (mt_pq_factor(pq, &p, &q))
        return fail(c, MT_HS_E_PQ_FACTOR, MT_E_PQ);

    hs_rand(&c->cfg->rand, c->rng, MT_HS_RAND_NEW_NONCE, c->new_nonce, 32);
    /* pq goes back exactly as the server wrote it; p and q minimal. */
    size_t pn = hs_u64_to_be(p, pb), qn = hs_u64_to_be(q, qb);
    struct mt_tl_writer iw;
    mt_tl_writer_init(&iw, inner, sizeof inner);
    write_inner(c, &iw, pqw, pqn_wire, pb, pn, qb, qn);
    innerlen = iw.pos;
    int rc = c->cfg->legacy & MT_HS_LEGACY_RSA
                 ? mt_rsa_legacy_encrypt(key, inner, innerlen, c->rng, enc)
                 : mt_rsa_pad_encrypt(key, inner, innerlen, c->rng, enc);
    mt_wipe(inner, sizeof inner);
    if (iw.overflow || rc)
        return fail(c, MT_HS_E_CRYPTO, rc ? rc : MT_E_CRYPTO);

    struct mt_tl_writer w;
    if (writer_at_body(&w, out, cap))
        return fail(c, MT_HS_E_OUT, MT_E_OVERFLOW);
    mt_tl_w32(&w, MT_TL_ID_REQ_DH_PARAMS);
    mt_tl_wraw(&w, c->nonce, 16);
    mt_tl_wraw(&w, c->server_nonce, 16);
    mt_tl_wbytes(&w, pb, pn);
    mt_tl_wbytes(&w, qb, qn);
    mt_tl_w64(&w, fp);
    mt_tl_wbytes(&w, enc, sizeof enc);
    rc = send_body(c, now, &w, out, cap, out_len);
    if (rc == MT_HS_SEND)
        c->state = MT_HS_C_WAIT_DH_PARAMS;
    return rc;
}

/* ---- server_DH_params_ok -> set_client_DH_params ---------------------- */

/* A fresh b, g_b = g^b, auth_key = g_a^b; then client_DH_inner_data in
 * set_client_DH_params. Used for the first attempt and after dh_gen_retry. */
static int send_client_dh(struct mt_hs_client *c, double now, uint8_t *out, size_t cap,
                          size_t *out_len)
{
    uint8_t b[HS_DH_LEN], g_b[HS_DH_LEN], dh[HS_DH_LEN], inner[320], enc[HS_AES_MAX];
    size_t blen = (size_t)exp_bits(c->cfg) / 8, enclen;
    int rc = MT_E_DH_RANGE;
    /* g_b is checked on our side as well (security_guidelines.md); a random
     * b fails it with probability ~2^-1984, so retrying is only for form. */
    for (int attempt = 0; attempt < 4 && rc == MT_E_DH_RANGE; attempt++) {
        hs_rand(&c->cfg->rand, c->rng, MT_HS_RAND_DH_EXP, b, blen);
        rc = mt_dh_modexp_g(c->g, b, blen, c->dh_prime, HS_DH_LEN, g_b);
        if (!rc)
            rc = mt_dh_check_public(g_b, HS_DH_LEN, c->dh_prime, HS_DH_LEN);
    }
    if (!rc)
        rc = mt_dh_modexp(c->g_a, HS_DH_LEN, b, blen, c->dh_prime, HS_DH_LEN, dh);
    mt_wipe(b, sizeof b);
    if (rc)
        return fail(c, hs_dh_detail(rc, MT_HS_E_DH_GB), rc);
    uint8_t aux[8];
    hs_auth_key_from_dh(dh, HS_DH_LEN, &c->res.key, aux);
    mt_wipe(dh, sizeof dh);

    struct mt_tl_writer iw;
    mt_tl_writer_init(&iw, inner, sizeof inner);
    mt_tl_w32(&iw, MT_TL_ID_CLIENT_DH_INNER_DATA);
    mt_tl_wraw(&iw, c->nonce, 16);
    mt_tl_wraw(&iw, c->server_nonce, 16);
    mt_tl_wraw(&iw, c->retry_id, 8);
    mt_tl_wbytes(&iw, g_b, HS_DH_LEN);
    rc = iw.overflow ? MT_E_OVERFLOW
                     : hs_aes_wrap(c->new_nonce, c->server_nonce, inner, iw.pos, &c->cfg->rand,
                                   c->rng, enc, sizeof enc, &enclen);
    if (rc)
        return fail(c, MT_HS_E_CRYPTO, rc);
    /* Kept for a possible dh_gen_retry: its retry_id is this aux hash. */
    memcpy(c->retry_id, aux, 8);

    struct mt_tl_writer w;
    if (writer_at_body(&w, out, cap))
        return fail(c, MT_HS_E_OUT, MT_E_OVERFLOW);
    mt_tl_w32(&w, MT_TL_ID_SET_CLIENT_DH_PARAMS);
    mt_tl_wraw(&w, c->nonce, 16);
    mt_tl_wraw(&w, c->server_nonce, 16);
    mt_tl_wbytes(&w, enc, enclen);
    rc = send_body(c, now, &w, out, cap, out_len);
    if (rc == MT_HS_SEND)
        c->state = MT_HS_C_WAIT_DH_GEN;
    return rc;
}

/* server_DH_params_fail: legitimate only with new_nonce_hash = the last 16
 * bytes of SHA1(new_nonce). */
static int on_dh_params_fail(struct mt_hs_client *c, struct mt_tl_reader *r)
{
    uint8_t hash[16], sha[20];
    mt_tl_raw(r, hash, 16);
    if (!mt_tl_ok(r))
        return fail(c, MT_HS_E_TL, r->err);
    if (mt_tl_left(r))
        return fail(c, MT_HS_E_TRAILING, MT_E_TL_TRAILING);
    mt_sha1(c->new_nonce, 32, sha);
    if (!mt_ct_equal(sha + 4, hash, 16))
        return fail(c, MT_HS_E_FAIL_NONCE_HASH, MT_E_HASH);
    return fail(c, MT_HS_E_DH_PARAMS_FAIL, MT_E_DH_FAIL);
}

/* server_DH_inner_data inside answer_with_hash: hash, nonces, then every
 * DH parameter check. */
static int check_dh_inner(struct mt_hs_client *c, const uint8_t *plain, size_t plen, double now)
{
    struct mt_tl_reader r;
    uint8_t nonce[16], server_nonce[16];
    size_t pn, gan;
    int detail = 0, rc;

    mt_tl_reader_init(&r, plain + 20, plen - 20);
    if (mt_tl_u32(&r) != MT_TL_ID_SERVER_DH_INNER_DATA)
        return fail(c, mt_tl_ok(&r) ? MT_HS_E_CTOR : MT_HS_E_TL, mt_tl_ok(&r) ? MT_E_TL_CTOR : r.err);
    mt_tl_raw(&r, nonce, 16);
    mt_tl_raw(&r, server_nonce, 16);
    uint32_t g = mt_tl_u32(&r);
    const uint8_t *prime = mt_tl_bytes(&r, &pn);
    const uint8_t *g_a = mt_tl_bytes(&r, &gan);
    int32_t server_time = mt_tl_i32(&r);
    if (!mt_tl_ok(&r))
        return fail(c, MT_HS_E_TL, r.err);
    if ((rc = hs_aes_check(plain, plen, r.pos, &detail)))
        return fail(c, detail, rc);
    if (!mt_ct_equal(nonce, c->nonce, 16))
        return fail(c, MT_HS_E_INNER_NONCE, MT_E_NONCE);
    if (!mt_ct_equal(server_nonce, c->server_nonce, 16))
        return fail(c, MT_HS_E_INNER_SERVER_NONCE, MT_E_NONCE);
    if (pn != HS_DH_LEN)
        return fail(c, MT_HS_E_DH_PRIME, MT_E_DH_PRIME);
    if ((rc = mt_dh_check_params(prime, pn, g)))
        return fail(c, hs_dh_detail(rc, MT_HS_E_DH_PRIME), rc);
    memcpy(c->dh_prime, prime, HS_DH_LEN);
    if (hs_left_pad256(g_a, gan, c->g_a))
        return fail(c, MT_HS_E_DH_GA, MT_E_DH_RANGE);
    if ((rc = mt_dh_check_public(c->g_a, HS_DH_LEN, c->dh_prime, HS_DH_LEN)))
        return fail(c, hs_dh_detail(rc, MT_HS_E_DH_GA), rc);
    c->g = g;
    c->res.server_time = server_time;
    c->res.time_offset = (double)server_time - now;
    return 0;
}

static int on_dh_params(struct mt_hs_client *c, const uint8_t *body, size_t len, double now,
                        uint8_t *out, size_t cap, size_t *out_len)
{
    struct mt_tl_reader r;
    uint8_t nonce[16], server_nonce[16], plain[HS_AES_MAX];
    size_t enclen;
    int detail = 0, rc;

    mt_tl_reader_init(&r, body, len);
    uint32_t id = mt_tl_u32(&r);
    if (id != MT_TL_ID_SERVER_DH_PARAMS_OK && id != MT_TL_ID_SERVER_DH_PARAMS_FAIL)
        return fail(c, mt_tl_ok(&r) ? MT_HS_E_CTOR : MT_HS_E_TL, mt_tl_ok(&r) ? MT_E_TL_CTOR : r.err);
    mt_tl_raw(&r, nonce, 16);
    mt_tl_raw(&r, server_nonce, 16);
    if (mt_tl_ok(&r) && !mt_ct_equal(nonce, c->nonce, 16))
        return fail(c, MT_HS_E_NONCE, MT_E_NONCE);
    if (mt_tl_ok(&r) && !mt_ct_equal(server_nonce, c->server_nonce, 16))
        return fail(c, MT_HS_E_SERVER_NONCE, MT_E_NONCE);
    if (id == MT_TL_ID_SERVER_DH_PARAMS_FAIL)
        return on_dh_params_fail(c, &r);
    const uint8_t *enc = mt_tl_bytes(&r, &enclen);
    if (!mt_tl_ok(&r))
        return fail(c, MT_HS_E_TL, r.err);
    if (mt_tl_left(&r))
        return fail(c, MT_HS_E_TRAILING, MT_E_TL_TRAILING);
    if ((rc = hs_aes_unwrap(c->new_nonce, c->server_nonce, enc, enclen, plain, &detail)))
        return fail(c, detail, rc);
    rc = check_dh_inner(c, plain, enclen, now);
    mt_wipe(plain, enclen);
    if (rc)
        return rc;
    return send_client_dh(c, now, out, cap, out_len);
}

/* ---- dh_gen_ok / dh_gen_retry / dh_gen_fail --------------------------- */

static int on_dh_gen(struct mt_hs_client *c, const uint8_t *body, size_t len, double now,
                     uint8_t *out, size_t cap, size_t *out_len)
{
    struct mt_tl_reader r;
    uint8_t nonce[16], server_nonce[16], hash[16], want[16];
    mt_tl_reader_init(&r, body, len);
    uint32_t id = mt_tl_u32(&r);
    int n = id == MT_TL_ID_DH_GEN_OK ? 1 : id == MT_TL_ID_DH_GEN_RETRY ? 2
          : id == MT_TL_ID_DH_GEN_FAIL ? 3 : 0;
    if (!n)
        return fail(c, mt_tl_ok(&r) ? MT_HS_E_CTOR : MT_HS_E_TL, mt_tl_ok(&r) ? MT_E_TL_CTOR : r.err);
    mt_tl_raw(&r, nonce, 16);
    mt_tl_raw(&r, server_nonce, 16);
    mt_tl_raw(&r, hash, 16);
    if (!mt_tl_ok(&r))
        return fail(c, MT_HS_E_TL, r.err);
    if (mt_tl_left(&r))
        return fail(c, MT_HS_E_TRAILING, MT_E_TL_TRAILING);
    if (!mt_ct_equal(nonce, c->nonce, 16))
        return fail(c, MT_HS_E_NONCE, MT_E_NONCE);
    if (!mt_ct_equal(server_nonce, c->server_nonce, 16))
        return fail(c, MT_HS_E_SERVER_NONCE, MT_E_NONCE);
    /* c->retry_id holds the aux hash of the key just proposed. */
    hs_new_nonce_hash(c->new_nonce, n, c->retry_id, want);
    if (!mt_ct_equal(hash, want, 16))
        return fail(c, MT_HS_E_NEW_NONCE_HASH1 + (n - 1), MT_E_HASH);
    if (n == 3)
        return fail(c, MT_HS_E_DH_GEN_FAIL, MT_E_DH_FAIL);
    if (n == 2) {
        int max = c->cfg->max_retries ? c->cfg->max_retries : MT_HS_MAX_RETRIES_DEFAULT;
        if (c->retries >= max)
            return fail(c, MT_HS_E_RETRIES, MT_E_DH_FAIL);
        c->retries++;
        return send_client_dh(c, now, out, cap, out_len);
    }
    c->res.server_salt = hs_first_salt(c->new_nonce, c->server_nonce);
    c->res.temp = c->cfg->temp ? 1 : 0;
    c->res.expires_in = c->cfg->temp ? c->cfg->expires_in : 0;
    c->res.dc_id = c->cfg->dc_id;
    c->res.retries = c->retries;
    c->state = MT_HS_DONE_STATE;
    mt_wipe(c->new_nonce, sizeof c->new_nonce);
    *out_len = 0;
    return MT_HS_DONE;
}

int mt_hs_client_feed(struct mt_hs_client *c, const uint8_t *in, size_t len, double now,
                      uint8_t *out, size_t cap, size_t *out_len)
{
    const uint8_t *body;
    size_t blen;
    uint64_t msg_id;
    int detail, rc;

    if (c->state == MT_HS_FAILED || c->state == MT_HS_DONE_STATE)
        return MT_E_STATE;
    if (c->state == MT_HS_C_INIT)
        return fail(c, MT_HS_E_STATE, MT_E_HS_STATE);
    if (!out_len || !out || cap < MT_HS_PLAIN_HEADER)
        return fail(c, MT_HS_E_OUT, MT_E_OVERFLOW);
    *out_len = 0;
    if ((rc = mt_hs_plain_parse(in, len, 1, &msg_id, &body, &blen, &detail)))
        return fail(c, detail, rc);
    if (msg_id <= c->last_in_id)
        return fail(c, MT_HS_E_ENV_MSG_ID_ORDER, MT_E_MSG_ID);
    c->last_in_id = msg_id;
    switch (c->state) {
    case MT_HS_C_WAIT_RES_PQ:
        return on_res_pq(c, body, blen, now, out, cap, out_len);
    case MT_HS_C_WAIT_DH_PARAMS:
        return on_dh_params(c, body, blen, now, out, cap, out_len);
    case MT_HS_C_WAIT_DH_GEN:
        return on_dh_gen(c, body, blen, now, out, cap, out_len);
    default:
        return fail(c, MT_HS_E_STATE, MT_E_HS_STATE);
    }
}
