/* Server side of the auth-key handshake (mtproto-auth_key.md), one handler
 * per state. Accepts the current forms (req_pq_multi, RSA_PAD,
 * p_q_inner_data_dc / _temp_dc) and, unless told otherwise, the legacy ones
 * (req_pq, SHA1+data RSA, p_q_inner_data / _temp). */
#include <stdlib.h>

#include "core/mtproto/hs_internal.h"

struct mt_hs_server {
    const struct mt_hs_server_config *cfg;
    struct mt_rng *rng;
    uint8_t state;
    uint8_t retries;
    struct hs_err err;
    uint32_t p, q;
    uint64_t pq;
    uint64_t last_out_id, last_in_id;
    uint8_t expect_retry[8];       /* retry_id the next client_DH_inner_data must carry */
    uint8_t nonce[16], server_nonce[16], new_nonce[32];
    uint8_t a[HS_DH_LEN];          /* our DH exponent (exp_bits / 8 bytes used) */
    struct mt_hs_result res;
};

size_t mt_hs_server_size(void) { return sizeof(struct mt_hs_server); }

void mt_hs_server_config_init(struct mt_hs_server_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->g = 3;
    cfg->dh_exp_bits = MT_HS_DH_EXP_BITS_DEFAULT;
    cfg->pq_bits = 31;
    cfg->accept_legacy = 1;
}

static const uint8_t *prime_of(const struct mt_hs_server_config *cfg)
{
    return cfg->dh_prime ? cfg->dh_prime : mt_dh_prime_2048;
}
static uint32_t g_of(const struct mt_hs_server_config *cfg) { return cfg->g ? cfg->g : 3; }
static size_t exp_bytes(const struct mt_hs_server_config *cfg)
{
    return (size_t)(cfg->dh_exp_bits ? cfg->dh_exp_bits : MT_HS_DH_EXP_BITS_DEFAULT) / 8;
}

struct mt_hs_server *mt_hs_server_new(const struct mt_hs_server_config *cfg, struct mt_rng *rng)
{
    if (!cfg || !rng || !cfg->keys || cfg->nkeys == 0 || cfg->nkeys > 64)
        return NULL;
    int bits = cfg->dh_exp_bits ? cfg->dh_exp_bits : MT_HS_DH_EXP_BITS_DEFAULT;
    int pq_bits = cfg->pq_bits ? cfg->pq_bits : 31;
    if (bits < 256 || bits > 2048 || bits % 8 || pq_bits < 16 || pq_bits > 31)
        return NULL;
    struct mt_hs_server *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->cfg = cfg;
    s->rng = rng;
    s->state = MT_HS_S_WAIT_REQ_PQ;
    return s;
}

void mt_hs_server_free(struct mt_hs_server *s)
{
    if (!s)
        return;
    mt_wipe(s, sizeof *s);
    free(s);
}

int mt_hs_server_state(const struct mt_hs_server *s) { return s->state; }
int mt_hs_server_detail(const struct mt_hs_server *s) { return s->err.detail; }
const char *mt_hs_server_error(const struct mt_hs_server *s) { return hs_format_error(&s->err, "server"); }

int mt_hs_server_result(const struct mt_hs_server *s, struct mt_hs_result *out)
{
    if (s->state != MT_HS_DONE_STATE)
        return MT_E_STATE;
    *out = s->res;
    return 0;
}

static int fail(struct mt_hs_server *s, int detail, int code)
{
    hs_fail(&s->err, s->state, detail, code);
    s->state = MT_HS_FAILED;
    mt_wipe(s->a, sizeof s->a);
    mt_wipe(s->new_nonce, sizeof s->new_nonce);
    mt_wipe(&s->res.key, sizeof s->res.key);
    return code;
}

static int fail_ctor(struct mt_hs_server *s, const struct mt_tl_reader *r)
{
    return mt_tl_ok(r) ? fail(s, MT_HS_E_CTOR, MT_E_TL_CTOR) : fail(s, MT_HS_E_TL, r->err);
}

static int send_body(struct mt_hs_server *s, double now, struct mt_tl_writer *w,
                     uint8_t *out, size_t cap, size_t *out_len)
{
    if (w->overflow)
        return fail(s, MT_HS_E_OUT, MT_E_OVERFLOW);
    s->last_out_id = mt_hs_msg_id(now, s->last_out_id, 1);
    if (mt_hs_plain_write(out, cap, s->last_out_id, out + MT_HS_PLAIN_HEADER, w->pos, out_len))
        return fail(s, MT_HS_E_OUT, MT_E_OVERFLOW);
    return MT_HS_SEND;
}

/* ---- req_pq_multi / req_pq -> resPQ ---------------------------------- */

static int on_req_pq(struct mt_hs_server *s, const uint8_t *body, size_t len, double now,
                     struct mt_tl_writer *w, uint8_t *out, size_t cap, size_t *out_len)
{
    struct mt_tl_reader r;
    mt_tl_reader_init(&r, body, len);
    uint32_t id = mt_tl_u32(&r);
    if (id != MT_TL_ID_REQ_PQ_MULTI && !(id == MT_TL_ID_REQ_PQ && s->cfg->accept_legacy))
        return fail_ctor(s, &r);
    mt_tl_raw(&r, s->nonce, 16);
    if (!mt_tl_ok(&r))
        return fail(s, MT_HS_E_TL, r.err);
    if (mt_tl_left(&r))
        return fail(s, MT_HS_E_TRAILING, MT_E_TL_TRAILING);
    s->res.legacy_req_pq = id == MT_TL_ID_REQ_PQ;

    hs_rand(&s->cfg->rand, s->rng, MT_HS_RAND_SERVER_NONCE, s->server_nonce, 16);
    int bits = s->cfg->pq_bits ? s->cfg->pq_bits : 31;
    uint32_t p = mt_random_prime32(s->rng, bits), q;
    do
        q = mt_random_prime32(s->rng, bits);
    while (q == p);
    s->p = p < q ? p : q;
    s->q = p < q ? q : p;
    s->pq = (uint64_t)p * q;

    uint8_t pqb[8];
    size_t pqn = hs_u64_to_be(s->pq, pqb);
    mt_tl_w32(w, MT_TL_ID_RES_PQ);
    mt_tl_wraw(w, s->nonce, 16);
    mt_tl_wraw(w, s->server_nonce, 16);
    mt_tl_wbytes(w, pqb, pqn);
    mt_tl_w32(w, MT_TL_VECTOR);
    mt_tl_w32(w, (uint32_t)s->cfg->nkeys);
    for (size_t i = 0; i < s->cfg->nkeys; i++)
        mt_tl_w64(w, mt_rsa_fingerprint(s->cfg->keys[i]));
    int rc = send_body(s, now, w, out, cap, out_len);
    if (rc == MT_HS_SEND)
        s->state = MT_HS_S_WAIT_REQ_DH;
    return rc;
}

/* ---- req_DH_params -> server_DH_params_ok ------------------------------ */

/* p_q_inner_data in any of its four forms; checks everything it carries.
 * legacy_sha: the SHA1 that precedes the object in the legacy RSA block;
 * until it verifies, any failure means "not a legacy block" either. */
static int parse_inner(struct mt_hs_server *s, const uint8_t *data, size_t len,
                       const uint8_t *legacy_sha)
{
    struct mt_tl_reader r;
    uint8_t nonce[16], server_nonce[16], sha[20];
    size_t pqn, pn, qn;
    uint64_t pq, p, q;
    int32_t dc = 0, expires_in = 0;

    mt_tl_reader_init(&r, data, len);
    uint32_t id = mt_tl_u32(&r);
    int has_dc = id == MT_TL_ID_P_Q_INNER_DATA_DC || id == MT_TL_ID_P_Q_INNER_DATA_TEMP_DC;
    int temp = id == MT_TL_ID_P_Q_INNER_DATA_TEMP || id == MT_TL_ID_P_Q_INNER_DATA_TEMP_DC;
    if (!has_dc && !temp && id != MT_TL_ID_P_Q_INNER_DATA)
        return legacy_sha ? fail(s, MT_HS_E_RSA_DECRYPT, MT_E_RSA) : fail_ctor(s, &r);
    const uint8_t *pqw = mt_tl_bytes(&r, &pqn);
    const uint8_t *pw = mt_tl_bytes(&r, &pn);
    const uint8_t *qw = mt_tl_bytes(&r, &qn);
    mt_tl_raw(&r, nonce, 16);
    mt_tl_raw(&r, server_nonce, 16);
    mt_tl_raw(&r, s->new_nonce, 32);
    if (has_dc)
        dc = mt_tl_i32(&r);
    if (temp)
        expires_in = mt_tl_i32(&r);
    if (!mt_tl_ok(&r))
        return legacy_sha ? fail(s, MT_HS_E_RSA_DECRYPT, MT_E_RSA) : fail(s, MT_HS_E_TL, r.err);
    if (legacy_sha) {
        mt_sha1(data, r.pos, sha);
        if (!mt_ct_equal(sha, legacy_sha, 20))
            return fail(s, MT_HS_E_RSA_DECRYPT, MT_E_RSA);
        s->res.legacy_rsa = 1;
    }
    if (!has_dc && !s->cfg->accept_legacy)
        return fail(s, MT_HS_E_INNER_FORM, MT_E_TL_CTOR);
    if (hs_be_to_u64(pqw, pqn, &pq) || hs_be_to_u64(pw, pn, &p) || hs_be_to_u64(qw, qn, &q) ||
        pq != s->pq || p != s->p || q != s->q)
        return fail(s, MT_HS_E_PQ_MISMATCH, MT_E_PQ);
    if (!mt_ct_equal(nonce, s->nonce, 16))
        return fail(s, MT_HS_E_INNER_NONCE, MT_E_NONCE);
    if (!mt_ct_equal(server_nonce, s->server_nonce, 16))
        return fail(s, MT_HS_E_INNER_SERVER_NONCE, MT_E_NONCE);
    if (has_dc && s->cfg->dc_id && dc != s->cfg->dc_id && dc != -s->cfg->dc_id)
        return fail(s, MT_HS_E_DC, MT_E_PROTO);
    if (temp && expires_in <= 0)
        return fail(s, MT_HS_E_EXPIRES_IN, MT_E_RANGE);
    s->res.dc_id = dc;
    s->res.temp = (uint8_t)temp;
    s->res.expires_in = expires_in;
    return 0;
}

/* RSA_PAD first (its SHA-256 binds temp_key and data, so a legacy block
 * passes it with probability 2^-256); then the legacy SHA1(data) + data,
 * whose object length is found by parsing it. */
static int decrypt_inner(struct mt_hs_server *s, const struct mt_rsa *key, const uint8_t enc[256])
{
    uint8_t data[255];
    size_t dlen = 0;
    int rc;
    if (mt_rsa_pad_decrypt(key, enc, data, &dlen) == 0 && dlen <= 192)
        rc = parse_inner(s, data, dlen, NULL);
    else if (s->cfg->accept_legacy && mt_rsa_legacy_decrypt(key, enc, data) == 0)
        rc = parse_inner(s, data + 20, sizeof data - 20, data);
    else
        rc = fail(s, MT_HS_E_RSA_DECRYPT, MT_E_RSA);
    mt_wipe(data, sizeof data);
    return rc;
}

static const struct mt_rsa *key_by_fp(const struct mt_hs_server_config *cfg, uint64_t fp)
{
    for (size_t i = 0; i < cfg->nkeys; i++)
        if (cfg->keys[i] && mt_rsa_fingerprint(cfg->keys[i]) == fp)
            return cfg->keys[i];
    return NULL;
}

/* a, g_a = g^a and server_DH_inner_data in server_DH_params_ok. */
static int send_dh_params(struct mt_hs_server *s, double now, struct mt_tl_writer *w,
                          uint8_t *out, size_t cap, size_t *out_len)
{
    const uint8_t *prime = prime_of(s->cfg);
    uint8_t g_a[HS_DH_LEN], inner[600], enc[HS_AES_MAX];
    size_t alen = exp_bytes(s->cfg), enclen;
    int rc = MT_E_DH_RANGE;
    for (int attempt = 0; attempt < 4 && rc == MT_E_DH_RANGE; attempt++) {
        hs_rand(&s->cfg->rand, s->rng, MT_HS_RAND_DH_EXP, s->a, alen);
        rc = mt_dh_modexp_g(g_of(s->cfg), s->a, alen, prime, HS_DH_LEN, g_a);
        if (!rc)
            rc = mt_dh_check_public(g_a, HS_DH_LEN, prime, HS_DH_LEN);
    }
    if (rc)
        return fail(s, hs_dh_detail(rc, MT_HS_E_DH_GA), rc);
    /* server_time is a TL int: clamp instead of converting out of range. */
    s->res.server_time = now <= 0 ? 0 : now >= 2147483647.0 ? INT32_MAX : (int32_t)now;

    struct mt_tl_writer iw;
    mt_tl_writer_init(&iw, inner, sizeof inner);
    mt_tl_w32(&iw, MT_TL_ID_SERVER_DH_INNER_DATA);
    mt_tl_wraw(&iw, s->nonce, 16);
    mt_tl_wraw(&iw, s->server_nonce, 16);
    mt_tl_w32(&iw, g_of(s->cfg));
    mt_tl_wbytes(&iw, prime, HS_DH_LEN);
    mt_tl_wbytes(&iw, g_a, HS_DH_LEN);
    mt_tl_w32(&iw, (uint32_t)s->res.server_time);
    rc = iw.overflow ? MT_E_OVERFLOW
                     : hs_aes_wrap(s->new_nonce, s->server_nonce, inner, iw.pos, &s->cfg->rand,
                                   s->rng, enc, sizeof enc, &enclen);
    if (rc)
        return fail(s, MT_HS_E_CRYPTO, rc);
    mt_tl_w32(w, MT_TL_ID_SERVER_DH_PARAMS_OK);
    mt_tl_wraw(w, s->nonce, 16);
    mt_tl_wraw(w, s->server_nonce, 16);
    mt_tl_wbytes(w, enc, enclen);
    rc = send_body(s, now, w, out, cap, out_len);
    if (rc == MT_HS_SEND)
        s->state = MT_HS_S_WAIT_CLIENT_DH;
    return rc;
}

static int on_req_dh(struct mt_hs_server *s, const uint8_t *body, size_t len, double now,
                     struct mt_tl_writer *w, uint8_t *out, size_t cap, size_t *out_len)
{
    struct mt_tl_reader r;
    uint8_t nonce[16], server_nonce[16], enc[256];
    size_t pn, qn, encn;
    uint64_t p, q;

    mt_tl_reader_init(&r, body, len);
    if (mt_tl_u32(&r) != MT_TL_ID_REQ_DH_PARAMS)
        return fail_ctor(s, &r);
    mt_tl_raw(&r, nonce, 16);
    mt_tl_raw(&r, server_nonce, 16);
    const uint8_t *pw = mt_tl_bytes(&r, &pn);
    const uint8_t *qw = mt_tl_bytes(&r, &qn);
    uint64_t fp = mt_tl_u64(&r);
    const uint8_t *ew = mt_tl_bytes(&r, &encn);
    if (!mt_tl_ok(&r))
        return fail(s, MT_HS_E_TL, r.err);
    if (mt_tl_left(&r))
        return fail(s, MT_HS_E_TRAILING, MT_E_TL_TRAILING);
    if (!mt_ct_equal(nonce, s->nonce, 16))
        return fail(s, MT_HS_E_NONCE, MT_E_NONCE);
    if (!mt_ct_equal(server_nonce, s->server_nonce, 16))
        return fail(s, MT_HS_E_SERVER_NONCE, MT_E_NONCE);
    if (hs_be_to_u64(pw, pn, &p) || hs_be_to_u64(qw, qn, &q) || p != s->p || q != s->q)
        return fail(s, MT_HS_E_PQ_MISMATCH, MT_E_PQ);
    const struct mt_rsa *key = key_by_fp(s->cfg, fp);
    if (!key)
        return fail(s, MT_HS_E_FINGERPRINT, MT_E_RSA_KEY);
    if (encn == 0 || encn > sizeof enc)
        return fail(s, MT_HS_E_RSA_DECRYPT, MT_E_RSA);
    memset(enc, 0, sizeof enc - encn);
    memcpy(enc + sizeof enc - encn, ew, encn);
    int rc = decrypt_inner(s, key, enc);
    if (rc)
        return rc;
    return send_dh_params(s, now, w, out, cap, out_len);
}

/* ---- set_client_DH_params -> dh_gen_ok / dh_gen_retry ------------------ */

/* client_DH_inner_data inside data_with_hash; returns g_b left-padded. */
static int check_client_inner(struct mt_hs_server *s, const uint8_t *plain, size_t plen,
                              uint8_t g_b[HS_DH_LEN])
{
    struct mt_tl_reader r;
    uint8_t nonce[16], server_nonce[16], retry_id[8];
    size_t gbn;
    int detail = 0, rc;

    mt_tl_reader_init(&r, plain + 20, plen - 20);
    if (mt_tl_u32(&r) != MT_TL_ID_CLIENT_DH_INNER_DATA)
        return fail_ctor(s, &r);
    mt_tl_raw(&r, nonce, 16);
    mt_tl_raw(&r, server_nonce, 16);
    mt_tl_raw(&r, retry_id, 8);
    const uint8_t *gbw = mt_tl_bytes(&r, &gbn);
    if (!mt_tl_ok(&r))
        return fail(s, MT_HS_E_TL, r.err);
    if ((rc = hs_aes_check(plain, plen, r.pos, &detail)))
        return fail(s, detail, rc);
    if (!mt_ct_equal(nonce, s->nonce, 16))
        return fail(s, MT_HS_E_INNER_NONCE, MT_E_NONCE);
    if (!mt_ct_equal(server_nonce, s->server_nonce, 16))
        return fail(s, MT_HS_E_INNER_SERVER_NONCE, MT_E_NONCE);
    if (!mt_ct_equal(retry_id, s->expect_retry, 8))
        return fail(s, MT_HS_E_RETRY_ID, MT_E_PROTO);
    if (hs_left_pad256(gbw, gbn, g_b))
        return fail(s, MT_HS_E_DH_GB, MT_E_DH_RANGE);
    if ((rc = mt_dh_check_public(g_b, HS_DH_LEN, prime_of(s->cfg), HS_DH_LEN)))
        return fail(s, hs_dh_detail(rc, MT_HS_E_DH_GB), rc);
    return 0;
}

static int on_client_dh(struct mt_hs_server *s, const uint8_t *body, size_t len, double now,
                        struct mt_tl_writer *w, uint8_t *out, size_t cap, size_t *out_len)
{
    struct mt_tl_reader r;
    uint8_t nonce[16], server_nonce[16], plain[HS_AES_MAX], g_b[HS_DH_LEN], dh[HS_DH_LEN];
    uint8_t aux[8], hash[16];
    size_t encn;
    int detail = 0, rc;

    mt_tl_reader_init(&r, body, len);
    if (mt_tl_u32(&r) != MT_TL_ID_SET_CLIENT_DH_PARAMS)
        return fail_ctor(s, &r);
    mt_tl_raw(&r, nonce, 16);
    mt_tl_raw(&r, server_nonce, 16);
    const uint8_t *enc = mt_tl_bytes(&r, &encn);
    if (!mt_tl_ok(&r))
        return fail(s, MT_HS_E_TL, r.err);
    if (mt_tl_left(&r))
        return fail(s, MT_HS_E_TRAILING, MT_E_TL_TRAILING);
    if (!mt_ct_equal(nonce, s->nonce, 16))
        return fail(s, MT_HS_E_NONCE, MT_E_NONCE);
    if (!mt_ct_equal(server_nonce, s->server_nonce, 16))
        return fail(s, MT_HS_E_SERVER_NONCE, MT_E_NONCE);
    if ((rc = hs_aes_unwrap(s->new_nonce, s->server_nonce, enc, encn, plain, &detail)))
        return fail(s, detail, rc);
    rc = check_client_inner(s, plain, encn, g_b);
    mt_wipe(plain, encn);
    if (rc)
        return rc;
    rc = mt_dh_modexp(g_b, HS_DH_LEN, s->a, exp_bytes(s->cfg), prime_of(s->cfg), HS_DH_LEN, dh);
    if (rc)
        return fail(s, MT_HS_E_CRYPTO, rc);
    hs_auth_key_from_dh(dh, HS_DH_LEN, &s->res.key, aux);
    mt_wipe(dh, sizeof dh);

    /* An auth_key_id that is already taken: the client must try another b. */
    int retry = s->cfg->key_exists && s->cfg->key_exists(s->cfg->key_exists_ctx, &s->res.key);
    if (retry && s->retries >= HS_MAX_SERVER_RETRIES)
        return fail(s, MT_HS_E_RETRIES, MT_E_DH_FAIL);
    hs_new_nonce_hash(s->new_nonce, retry ? 2 : 1, aux, hash);
    mt_tl_w32(w, retry ? MT_TL_ID_DH_GEN_RETRY : MT_TL_ID_DH_GEN_OK);
    mt_tl_wraw(w, s->nonce, 16);
    mt_tl_wraw(w, s->server_nonce, 16);
    mt_tl_wraw(w, hash, 16);
    rc = send_body(s, now, w, out, cap, out_len);
    if (rc != MT_HS_SEND)
        return rc;
    if (retry) {
        s->retries++;
        memcpy(s->expect_retry, aux, 8);
        mt_wipe(&s->res.key, sizeof s->res.key);
        return MT_HS_SEND;
    }
    s->res.server_salt = hs_first_salt(s->new_nonce, s->server_nonce);
    s->res.retries = s->retries;
    s->state = MT_HS_DONE_STATE;
    mt_wipe(s->a, sizeof s->a);
    mt_wipe(s->new_nonce, sizeof s->new_nonce);
    return MT_HS_DONE;
}

int mt_hs_server_feed(struct mt_hs_server *s, const uint8_t *in, size_t len, double now,
                      uint8_t *out, size_t cap, size_t *out_len)
{
    const uint8_t *body;
    size_t blen;
    uint64_t msg_id;
    int detail, rc;
    struct mt_tl_writer w;

    if (s->state == MT_HS_FAILED || s->state == MT_HS_DONE_STATE)
        return MT_E_STATE;
    if (!out_len || !out || cap < MT_HS_PLAIN_HEADER)
        return fail(s, MT_HS_E_OUT, MT_E_OVERFLOW);
    *out_len = 0;
    if ((rc = mt_hs_plain_parse(in, len, 0, &msg_id, &body, &blen, &detail)))
        return fail(s, detail, rc);
    if (msg_id <= s->last_in_id)
        return fail(s, MT_HS_E_ENV_MSG_ID_ORDER, MT_E_MSG_ID);
    s->last_in_id = msg_id;
    mt_tl_writer_init(&w, out + MT_HS_PLAIN_HEADER, cap - MT_HS_PLAIN_HEADER);
    switch (s->state) {
    case MT_HS_S_WAIT_REQ_PQ:
        return on_req_pq(s, body, blen, now, &w, out, cap, out_len);
    case MT_HS_S_WAIT_REQ_DH:
        return on_req_dh(s, body, blen, now, &w, out, cap, out_len);
    case MT_HS_S_WAIT_CLIENT_DH:
        return on_client_dh(s, body, blen, now, &w, out, cap, out_len);
    default:
        return fail(s, MT_HS_E_STATE, MT_E_HS_STATE);
    }
}
