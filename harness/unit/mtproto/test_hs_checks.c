/* Every check of mtproto-security_guidelines.md (and of mtproto-auth_key.md)
 * that a handshake makes, on both sides, one test case each: a scripted
 * peer built from the handshake's own primitives sends a message that is
 * correct except for the one thing under test, and the FSM must refuse it
 * with that check's named error, in the state it belongs to. */
#include "harness/unit/mtproto/hs_test_util.h"

/* The official example's pq = 1513098571 * 1780931429. */
#define EX_PQ 0x256595EDB7766797ull
#define EX_P 1513098571u
#define EX_Q 1780931429u

static const uint8_t *prime = NULL;    /* mt_dh_prime_2048, set in main */

/* ---- scripted peers: shared pieces ------------------------------------ */

static size_t envelope(uint8_t *msg, uint64_t *msg_id, const uint8_t *body, size_t blen)
{
    size_t len;
    *msg_id += 4;
    assert_int_equal(mt_hs_plain_write(msg, MT_HS_MAX_MSG, *msg_id, body, blen, &len), 0);
    return len;
}

static void fill(uint8_t *p, size_t n, int seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(seed + 7 * i);
}

/* SHA1(obj) + obj + padding, AES-IGE with the tmp_aes key; bad_sha spoils
 * the hash, extra adds 16 padding bytes (more than the 15 allowed). */
static size_t wrap(const uint8_t nn[32], const uint8_t sn[16], const uint8_t *obj, size_t objlen,
                   int bad_sha, int extra, uint8_t *enc)
{
    size_t pad = (16 - (20 + objlen) % 16) % 16 + (extra ? 16 : 0), total = 20 + objlen + pad;
    uint8_t key[32], iv[32];
    assert_true(total <= HS_AES_MAX);
    mt_sha1(obj, objlen, enc);
    if (bad_sha)
        enc[3] ^= 1;
    memcpy(enc + 20, obj, objlen);
    memset(enc + 20 + objlen, 0xaa, pad);
    mt_hs_tmp_aes(nn, sn, key, iv);
    assert_int_equal(mt_ige256_encrypt(key, iv, enc, enc, total), 0);
    return total;
}

static void unwrap(const uint8_t nn[32], const uint8_t sn[16], const uint8_t *enc, size_t n,
                   uint8_t *plain)
{
    int detail;
    assert_int_equal(hs_aes_unwrap(nn, sn, enc, n, plain, &detail), 0);
}

/* Big numbers near the edges of the allowed g_a / g_b range. */
enum edge { EDGE_ONE, EDGE_P_MINUS_1, EDGE_LOW, EDGE_HIGH, EDGE_P };
static void edge_value(enum edge e, uint8_t out[256])
{
    memset(out, 0, 256);
    switch (e) {
    case EDGE_ONE: out[255] = 1; break;
    case EDGE_P_MINUS_1: memcpy(out, prime, 256); out[255] -= 1; break;
    case EDGE_LOW: out[8] = 0x80; break;                         /* 2^1983 < 2^1984 */
    case EDGE_HIGH: memcpy(out, prime, 256); out[255] -= 5; break; /* > p - 2^1984 */
    case EDGE_P: memcpy(out, prime, 256); break;
    }
}

/* An exponent x (32 bytes) whose g^x has a zero top byte: a peer that
 * writes numbers in minimal form then sends 255 bytes. */
static void exp_with_short_power(uint8_t x[32], uint8_t gx[256])
{
    do {
        mt_rng_bytes(&hs_rng, x, 32);
        assert_int_equal(mt_dh_modexp_g(3, x, 32, prime, 256, gx), 0);
    } while (gx[0] != 0);
}

/* ---- client under test -------------------------------------------------- */

struct fsrv {
    struct mt_hs_client_config cfg;
    struct mt_hs_client *c;
    uint8_t nonce[16], sn[16], nn[32], a[32], g_a[256];
    uint64_t msg_id;
    uint8_t out[MT_HS_MAX_MSG];
    size_t out_len;
};

static void client_rand(void *ctx, enum mt_hs_rand_kind kind, void *out, size_t n)
{
    (void)ctx;
    if (kind == MT_HS_RAND_NONCE) fill(out, n, 1);
    else if (kind == MT_HS_RAND_NEW_NONCE) fill(out, n, 5);
    else mt_rng_bytes(&hs_rng, out, n);
}

static void fs_init(struct fsrv *f)
{
    memset(f, 0, sizeof *f);
    f->cfg.keys = hs_keys;
    f->cfg.nkeys = 1;
    f->cfg.dc_id = 2;
    f->cfg.dh_exp_bits = 256;
    f->cfg.rand.fn = client_rand;
    fill(f->nonce, 16, 1);
    fill(f->nn, 32, 5);
    fill(f->sn, 16, 9);
    fill(f->a, 32, 13);
    assert_int_equal(mt_dh_modexp_g(3, f->a, 32, prime, 256, f->g_a), 0);
    f->msg_id = (uint64_t)HS_T0 << 32 | 1;
    f->c = mt_hs_client_new(&f->cfg, &hs_rng);
    assert_non_null(f->c);
    assert_int_equal(mt_hs_client_start(f->c, HS_T0, f->out, sizeof f->out, &f->out_len), MT_HS_SEND);
}

static int fs_feed(struct fsrv *f, const uint8_t *msg, size_t len)
{
    return mt_hs_client_feed(f->c, msg, len, HS_T0 + 1, f->out, sizeof f->out, &f->out_len);
}

enum rmod { R_OK, R_CTOR, R_NONCE, R_NO_KEY, R_PQ_PRIME, R_PQ_9, R_PQ_HIGH, R_TRAILING };

static size_t fs_res_pq(struct fsrv *f, enum rmod m, uint8_t *msg)
{
    uint8_t body[128], pq[9];
    struct mt_tl_writer w;
    mt_tl_writer_init(&w, body, sizeof body);
    mt_tl_w32(&w, m == R_CTOR ? MT_TL_ID_REQ_PQ : MT_TL_ID_RES_PQ);
    uint8_t nonce[16];
    memcpy(nonce, f->nonce, 16);
    if (m == R_NONCE) nonce[15] ^= 1;
    mt_tl_wraw(&w, nonce, 16);
    mt_tl_wraw(&w, f->sn, 16);
    uint64_t v = m == R_PQ_PRIME ? 2305843009213693951ull /* 2^61 - 1 */
               : m == R_PQ_HIGH ? 0x8000000000000001ull : EX_PQ;
    size_t n = hs_u64_to_be(v, pq);
    if (m == R_PQ_9) { memmove(pq + 1, pq, n); pq[0] = 0; n++; }
    mt_tl_wbytes(&w, pq, n);
    mt_tl_w32(&w, MT_TL_VECTOR);
    mt_tl_w32(&w, 1);
    mt_tl_w64(&w, mt_rsa_fingerprint(hs_keys[m == R_NO_KEY ? 1 : 0]));
    if (m == R_TRAILING) mt_tl_w32(&w, 0);
    return envelope(msg, &f->msg_id, body, w.pos);
}

static void fs_to_answer(struct fsrv *f)
{
    uint8_t msg[MT_HS_MAX_MSG];
    size_t len = fs_res_pq(f, R_OK, msg);
    assert_int_equal(fs_feed(f, msg, len), MT_HS_SEND);
}

enum amod {
    A_OK, A_CTOR, A_NONCE, A_SERVER_NONCE, A_AES_LEN, A_SHA1, A_PAD16, A_INNER_CTOR,
    A_INNER_NONCE, A_INNER_SERVER_NONCE, A_PRIME_NOT_SAFE, A_PRIME_SHORT, A_G2, A_G5, A_G1,
    A_GA_ONE, A_GA_P_MINUS_1, A_GA_LOW, A_GA_HIGH, A_GA_P, A_TRAILING, A_FAIL, A_FAIL_BAD_HASH,
    A_GA_SHORT,
};

static size_t fs_answer(struct fsrv *f, enum amod m, uint8_t *msg)
{
    uint8_t inner[600], enc[HS_AES_MAX], body[HS_AES_MAX + 64], p[256], g_a[256];
    struct mt_tl_writer w;
    memcpy(p, prime, 256);
    memcpy(g_a, f->g_a, 256);
    if (m == A_PRIME_NOT_SAFE) p[255] -= 6;                /* same mod 3 and 8, not prime */
    if (m >= A_GA_ONE && m <= A_GA_P) edge_value((enum edge)(m - A_GA_ONE), g_a);
    uint32_t g = m == A_G2 ? 2 : m == A_G5 ? 5 : m == A_G1 ? 1 : 3;
    mt_tl_writer_init(&w, inner, sizeof inner);
    mt_tl_w32(&w, m == A_INNER_CTOR ? MT_TL_ID_CLIENT_DH_INNER_DATA : MT_TL_ID_SERVER_DH_INNER_DATA);
    uint8_t nonce[16], sn[16];
    memcpy(nonce, f->nonce, 16);
    memcpy(sn, f->sn, 16);
    if (m == A_INNER_NONCE) nonce[0] ^= 1;
    if (m == A_INNER_SERVER_NONCE) sn[0] ^= 1;
    mt_tl_wraw(&w, nonce, 16);
    mt_tl_wraw(&w, sn, 16);
    mt_tl_w32(&w, g);
    mt_tl_wbytes(&w, m == A_PRIME_SHORT ? p + 1 : p, m == A_PRIME_SHORT ? 255 : 256);
    if (m == A_GA_SHORT)
        assert_int_equal(g_a[0], 0);
    mt_tl_wbytes(&w, m == A_GA_SHORT ? g_a + 1 : g_a, m == A_GA_SHORT ? 255 : 256);
    mt_tl_w32(&w, (uint32_t)HS_T0);
    size_t enclen = wrap(f->nn, f->sn, inner, w.pos, m == A_SHA1, m == A_PAD16, enc);
    if (m == A_AES_LEN) enclen -= 8;

    mt_tl_writer_init(&w, body, sizeof body);
    int fail = m == A_FAIL || m == A_FAIL_BAD_HASH;
    mt_tl_w32(&w, m == A_CTOR ? MT_TL_ID_RES_PQ : fail ? MT_TL_ID_SERVER_DH_PARAMS_FAIL
                                                     : MT_TL_ID_SERVER_DH_PARAMS_OK);
    memcpy(nonce, f->nonce, 16);
    memcpy(sn, f->sn, 16);
    if (m == A_NONCE) nonce[4] ^= 1;
    if (m == A_SERVER_NONCE) sn[4] ^= 1;
    mt_tl_wraw(&w, nonce, 16);
    mt_tl_wraw(&w, sn, 16);
    if (fail) {
        uint8_t sha[20];
        mt_sha1(f->nn, 32, sha);
        if (m == A_FAIL_BAD_HASH) sha[19] ^= 1;
        mt_tl_wraw(&w, sha + 4, 16);
    } else {
        mt_tl_wbytes(&w, enc, enclen);
    }
    if (m == A_TRAILING) mt_tl_w32(&w, 0);
    return envelope(msg, &f->msg_id, body, w.pos);
}

/* After a good answer: the client's g_b, hence the key, hence the hashes. */
enum gmod { G_OK, G_CTOR, G_NONCE, G_SERVER_NONCE, G_HASH1, G_RETRY_BAD, G_FAIL, G_FAIL_BAD, G_TRAILING };

static size_t fs_dh_gen(struct fsrv *f, enum gmod m, uint8_t *msg, struct mt_auth_key *key)
{
    uint8_t plain[HS_AES_MAX], dh[256], aux[8], hash[16], body[80];
    assert_int_equal(f->out_len, 396);
    unwrap(f->nn, f->sn, f->out + 60, 336, plain);
    assert_int_equal(mt_dh_modexp(plain + 20 + 48, 256, f->a, 32, prime, 256, dh), 0);
    hs_auth_key_from_dh(dh, 256, key, aux);
    int n = m == G_RETRY_BAD ? 2 : (m == G_FAIL || m == G_FAIL_BAD) ? 3 : 1;
    hs_new_nonce_hash(f->nn, n, aux, hash);
    if (m == G_HASH1 || m == G_RETRY_BAD || m == G_FAIL_BAD) hash[0] ^= 1;
    static const uint32_t ids[4] = { 0, MT_TL_ID_DH_GEN_OK, MT_TL_ID_DH_GEN_RETRY, MT_TL_ID_DH_GEN_FAIL };
    struct mt_tl_writer w;
    mt_tl_writer_init(&w, body, sizeof body);
    mt_tl_w32(&w, m == G_CTOR ? MT_TL_ID_SERVER_DH_PARAMS_OK : ids[n]);
    uint8_t nonce[16], sn[16];
    memcpy(nonce, f->nonce, 16);
    memcpy(sn, f->sn, 16);
    if (m == G_NONCE) nonce[9] ^= 1;
    if (m == G_SERVER_NONCE) sn[9] ^= 1;
    mt_tl_wraw(&w, nonce, 16);
    mt_tl_wraw(&w, sn, 16);
    mt_tl_wraw(&w, hash, 16);
    if (m == G_TRAILING) mt_tl_w32(&w, 0);
    return envelope(msg, &f->msg_id, body, w.pos);
}

/* ---- server under test -------------------------------------------------- */

struct fcli {
    struct mt_hs_server_config cfg;
    struct mt_hs_server *s;
    uint8_t nonce[16], sn[16], nn[32], b[32];
    uint32_t p, q;
    uint64_t pq, msg_id;
    uint8_t out[MT_HS_MAX_MSG];
    size_t out_len;
};

static int fc_feed(struct fcli *f, const uint8_t *msg, size_t len)
{
    return mt_hs_server_feed(f->s, msg, len, HS_T0 + 1, f->out, sizeof f->out, &f->out_len);
}

static void fc_init(struct fcli *f, int32_t dc_id, int accept_legacy)
{
    memset(f, 0, sizeof *f);
    hs_server_config(&f->cfg, 1);
    f->cfg.dh_exp_bits = 256;
    f->cfg.dc_id = dc_id;
    f->cfg.accept_legacy = accept_legacy;
    fill(f->nonce, 16, 3);
    fill(f->nn, 32, 11);
    fill(f->b, 32, 17);
    f->msg_id = (uint64_t)HS_T0 << 32;
    f->s = mt_hs_server_new(&f->cfg, &hs_rng);
    assert_non_null(f->s);
}

static void fc_to_req_dh(struct fcli *f)
{
    uint8_t body[20], msg[64];
    mt_store_le32(body, MT_TL_ID_REQ_PQ_MULTI);
    memcpy(body + 4, f->nonce, 16);
    size_t len = envelope(msg, &f->msg_id, body, sizeof body);
    assert_int_equal(fc_feed(f, msg, len), MT_HS_SEND);
    assert_int_equal(f->out_len, 84);
    memcpy(f->sn, f->out + 40, 16);
    assert_int_equal(f->out[56], 8);
    assert_int_equal(hs_be_to_u64(f->out + 57, 8, &f->pq), 0);
    assert_int_equal(mt_pq_factor(f->pq, &f->p, &f->q), 0);
}

enum dmod {
    D_OK, D_CTOR, D_NONCE, D_SERVER_NONCE, D_P, D_Q, D_FINGERPRINT, D_ENC_GARBAGE, D_ENC_LONG,
    D_INNER_CTOR, D_INNER_NONCE, D_INNER_SERVER_NONCE, D_INNER_PQ, D_INNER_P, D_DC, D_EXPIRES,
    D_LEGACY_INNER, D_TRAILING, D_TEMP_OK,
};

static size_t fc_req_dh(struct fcli *f, enum dmod m, uint8_t *msg)
{
    uint8_t inner[160], enc[260], body[400], pb[8], qb[8], pqb[8];
    struct mt_tl_writer w;
    int temp = m == D_EXPIRES || m == D_TEMP_OK;
    mt_tl_writer_init(&w, inner, sizeof inner);
    uint32_t id = m == D_LEGACY_INNER ? MT_TL_ID_P_Q_INNER_DATA
                : temp ? MT_TL_ID_P_Q_INNER_DATA_TEMP_DC
                : m == D_INNER_CTOR ? MT_TL_ID_CLIENT_DH_INNER_DATA : MT_TL_ID_P_Q_INNER_DATA_DC;
    mt_tl_w32(&w, id);
    size_t pqn = hs_u64_to_be(f->pq + (m == D_INNER_PQ ? 2 : 0), pqb);
    size_t pn = hs_u64_to_be(f->p + (m == D_INNER_P ? 2 : 0), pb), qn = hs_u64_to_be(f->q, qb);
    mt_tl_wbytes(&w, pqb, pqn);
    mt_tl_wbytes(&w, pb, pn);
    mt_tl_wbytes(&w, qb, qn);
    uint8_t nonce[16], sn[16];
    memcpy(nonce, f->nonce, 16);
    memcpy(sn, f->sn, 16);
    if (m == D_INNER_NONCE) nonce[2] ^= 1;
    if (m == D_INNER_SERVER_NONCE) sn[2] ^= 1;
    mt_tl_wraw(&w, nonce, 16);
    mt_tl_wraw(&w, sn, 16);
    mt_tl_wraw(&w, f->nn, 32);
    if (m != D_LEGACY_INNER) mt_tl_w32(&w, m == D_DC ? 3 : 2);
    if (temp) mt_tl_w32(&w, m == D_EXPIRES ? 0 : 3600);
    assert_int_equal(mt_rsa_pad_encrypt(hs_keys[0], inner, w.pos, &hs_rng, enc), 0);
    if (m == D_ENC_GARBAGE) enc[100] ^= 0x40;

    mt_tl_writer_init(&w, body, sizeof body);
    mt_tl_w32(&w, m == D_CTOR ? MT_TL_ID_SET_CLIENT_DH_PARAMS : MT_TL_ID_REQ_DH_PARAMS);
    memcpy(nonce, f->nonce, 16);
    memcpy(sn, f->sn, 16);
    if (m == D_NONCE) nonce[7] ^= 1;
    if (m == D_SERVER_NONCE) sn[7] ^= 1;
    mt_tl_wraw(&w, nonce, 16);
    mt_tl_wraw(&w, sn, 16);
    pn = hs_u64_to_be(f->p + (m == D_P ? 2 : 0), pb);
    qn = hs_u64_to_be(f->q + (m == D_Q ? 2 : 0), qb);
    mt_tl_wbytes(&w, pb, pn);
    mt_tl_wbytes(&w, qb, qn);
    mt_tl_w64(&w, mt_rsa_fingerprint(hs_keys[m == D_FINGERPRINT ? 1 : 0]));
    mt_tl_wbytes(&w, enc, m == D_ENC_LONG ? 260 : 256);
    if (m == D_TRAILING) mt_tl_w32(&w, 0);
    return envelope(msg, &f->msg_id, body, w.pos);
}

static void fc_to_client_dh(struct fcli *f)
{
    uint8_t msg[MT_HS_MAX_MSG];
    fc_to_req_dh(f);
    size_t len = fc_req_dh(f, D_OK, msg);
    assert_int_equal(fc_feed(f, msg, len), MT_HS_SEND);
    assert_int_equal(f->out_len, 652);
}

enum cmod {
    C_OK, C_CTOR, C_NONCE, C_SERVER_NONCE, C_AES_LEN, C_SHA1, C_PAD16, C_INNER_CTOR,
    C_INNER_NONCE, C_INNER_SERVER_NONCE, C_RETRY_ID, C_GB_ONE, C_GB_P_MINUS_1, C_GB_LOW,
    C_GB_HIGH, C_GB_P, C_GB_LONG, C_TRAILING, C_GB_SHORT,
};

/* set_client_DH_params; *key receives the auth key the client would hold. */
static size_t fc_client_dh(struct fcli *f, enum cmod m, uint8_t *msg, struct mt_auth_key *key)
{
    uint8_t plain[HS_AES_MAX], g_b[257], inner[320], enc[HS_AES_MAX], body[HS_AES_MAX + 64];
    uint8_t dh[256], aux[8];
    unwrap(f->nn, f->sn, f->out + 60, 592, plain);
    const uint8_t *g_a = plain + 20 + 304;
    assert_int_equal(mt_dh_modexp(g_a, 256, f->b, 32, prime, 256, dh), 0);
    hs_auth_key_from_dh(dh, 256, key, aux);
    assert_int_equal(mt_dh_modexp_g(3, f->b, 32, prime, 256, g_b + 1), 0);
    g_b[0] = 0;
    if (m >= C_GB_ONE && m <= C_GB_P) edge_value((enum edge)(m - C_GB_ONE), g_b + 1);
    struct mt_tl_writer w;
    mt_tl_writer_init(&w, inner, sizeof inner);
    mt_tl_w32(&w, m == C_INNER_CTOR ? MT_TL_ID_SERVER_DH_INNER_DATA : MT_TL_ID_CLIENT_DH_INNER_DATA);
    uint8_t nonce[16], sn[16], retry[8] = { 0 };
    memcpy(nonce, f->nonce, 16);
    memcpy(sn, f->sn, 16);
    if (m == C_INNER_NONCE) nonce[5] ^= 1;
    if (m == C_INNER_SERVER_NONCE) sn[5] ^= 1;
    if (m == C_RETRY_ID) retry[0] = 1;
    mt_tl_wraw(&w, nonce, 16);
    mt_tl_wraw(&w, sn, 16);
    mt_tl_wraw(&w, retry, 8);
    if (m == C_GB_SHORT)
        assert_int_equal(g_b[1], 0);
    mt_tl_wbytes(&w, m == C_GB_LONG ? g_b : m == C_GB_SHORT ? g_b + 2 : g_b + 1,
                 m == C_GB_LONG ? 257 : m == C_GB_SHORT ? 255 : 256);
    size_t enclen = wrap(f->nn, f->sn, inner, w.pos, m == C_SHA1, m == C_PAD16, enc);
    if (m == C_AES_LEN) enclen -= 8;
    mt_tl_writer_init(&w, body, sizeof body);
    mt_tl_w32(&w, m == C_CTOR ? MT_TL_ID_REQ_DH_PARAMS : MT_TL_ID_SET_CLIENT_DH_PARAMS);
    memcpy(nonce, f->nonce, 16);
    memcpy(sn, f->sn, 16);
    if (m == C_NONCE) nonce[11] ^= 1;
    if (m == C_SERVER_NONCE) sn[11] ^= 1;
    mt_tl_wraw(&w, nonce, 16);
    mt_tl_wraw(&w, sn, 16);
    mt_tl_wbytes(&w, enc, enclen);
    if (m == C_TRAILING) mt_tl_w32(&w, 0);
    return envelope(msg, &f->msg_id, body, w.pos);
}

/* ---- the cases -------------------------------------------------------- */

enum phase {
    CLIENT_ENV, CLIENT_RES_PQ, CLIENT_ANSWER, CLIENT_DH_GEN,
    SERVER_ENV, SERVER_REQ_PQ, SERVER_REQ_DH, SERVER_CLIENT_DH, BIND,
};

struct check {
    const char *name;
    enum phase phase;
    int mod;
    int detail;          /* expected MT_HS_E_*, MT_HS_E_NONE: must succeed */
    const char *state;   /* state named in the error text */
};

static void expect(const struct check *k, int rc, int detail, const char *err)
{
    if (k->detail == MT_HS_E_NONE) {
        assert_true(rc > 0);
        return;
    }
    if (rc >= 0 || detail != k->detail)
        fail_msg("%s: rc %d detail %d (%s), expected %s", k->name, rc, detail,
                 mt_hs_strerror(detail), mt_hs_strerror(k->detail));
    if (k->state && !strstr(err, k->state))
        fail_msg("%s: error \"%s\" does not name %s", k->name, err, k->state);
}

/* Envelope cases: which field is broken. */
enum emod { E_OK, E_AUTH_KEY_ID, E_LENGTH_LONG, E_LENGTH_SHORT, E_SHORT, E_PARITY, E_ORDER, E_UNALIGNED,
            E_PARITY_2, E_ODD_3 };

static size_t break_envelope(uint8_t *msg, size_t len, int m, int client_side)
{
    switch (m) {
    case E_AUTH_KEY_ID: msg[3] = 1; break;
    case E_LENGTH_LONG: mt_store_le32(msg + 16, (uint32_t)(len - 20 + 4)); break;
    case E_LENGTH_SHORT: mt_store_le32(msg + 16, (uint32_t)(len - 20 - 4)); break;
    case E_SHORT: return 19;
    case E_PARITY: msg[8] ^= 1; break;
    case E_PARITY_2: msg[8] ^= 2; break;          /* client 2 mod 4, server 3 mod 4 */
    case E_ODD_3: msg[8] |= 3; break;              /* server: 3 mod 4 is odd too */
    case E_UNALIGNED: mt_store_le32(msg + 16, (uint32_t)(len - 20 - 2)); return len - 2;
    default: break;
    }
    (void)client_side;
    return len;
}

static void run_client_case(const struct check *k)
{
    struct fsrv f;
    uint8_t msg[MT_HS_MAX_MSG];
    size_t len;
    struct mt_auth_key key;
    int rc;
    fs_init(&f);
    switch (k->phase) {
    case CLIENT_ENV:
        len = fs_res_pq(&f, R_OK, msg);
        if (k->mod == E_ORDER) {
            assert_int_equal(fs_feed(&f, msg, len), MT_HS_SEND);
            f.msg_id -= 8;                         /* the answer reuses an old msg_id */
            len = fs_answer(&f, A_OK, msg);
        }
        len = break_envelope(msg, len, k->mod, 1);
        rc = fs_feed(&f, msg, len);
        break;
    case CLIENT_RES_PQ:
        len = fs_res_pq(&f, (enum rmod)k->mod, msg);
        rc = fs_feed(&f, msg, len);
        break;
    case CLIENT_ANSWER:
        if (k->mod == A_GA_SHORT)
            exp_with_short_power(f.a, f.g_a);
        fs_to_answer(&f);
        len = fs_answer(&f, (enum amod)k->mod, msg);
        rc = fs_feed(&f, msg, len);
        if (k->mod == A_GA_SHORT) {
            /* and the key is g_a^b all the same */
            struct mt_hs_result res;
            assert_int_equal(rc, MT_HS_SEND);
            len = fs_dh_gen(&f, G_OK, msg, &key);
            assert_int_equal(fs_feed(&f, msg, len), MT_HS_DONE);
            assert_int_equal(mt_hs_client_result(f.c, &res), 0);
            assert_memory_equal(res.key.key, key.key, 256);
        }
        break;
    default:
        fs_to_answer(&f);
        len = fs_answer(&f, A_OK, msg);
        assert_int_equal(fs_feed(&f, msg, len), MT_HS_SEND);
        len = fs_dh_gen(&f, (enum gmod)k->mod, msg, &key);
        rc = fs_feed(&f, msg, len);
        if (k->detail == MT_HS_E_NONE) {
            struct mt_hs_result res;
            assert_int_equal(rc, MT_HS_DONE);
            assert_int_equal(mt_hs_client_result(f.c, &res), 0);
            assert_memory_equal(res.key.key, key.key, 256);
            assert_int_equal(res.server_salt, hs_first_salt(f.nn, f.sn));
        }
        break;
    }
    expect(k, rc, mt_hs_client_detail(f.c), mt_hs_client_error(f.c));
    mt_hs_client_free(f.c);
}

static void run_server_case(const struct check *k)
{
    struct fcli f;
    uint8_t msg[MT_HS_MAX_MSG], body[24];
    size_t len;
    struct mt_auth_key key;
    int rc;
    fc_init(&f, 2, 1);
    switch (k->phase) {
    case SERVER_ENV:
    case SERVER_REQ_PQ:
        mt_store_le32(body, k->phase == SERVER_REQ_PQ && k->mod == 1 ? MT_TL_ID_REQ_DH_PARAMS
                                                                    : MT_TL_ID_REQ_PQ_MULTI);
        memcpy(body + 4, f.nonce, 16);
        mt_store_le32(body + 20, 0);
        len = envelope(msg, &f.msg_id, body, k->phase == SERVER_REQ_PQ && k->mod == 2 ? 24 : 20);
        if (k->phase == SERVER_ENV && k->mod == E_ORDER) {
            assert_int_equal(fc_feed(&f, msg, len), MT_HS_SEND);
            memcpy(f.sn, f.out + 40, 16);
            f.msg_id -= 8;
            len = fc_req_dh(&f, D_OK, msg);
        }
        if (k->phase == SERVER_ENV)
            len = break_envelope(msg, len, k->mod, 0);
        rc = fc_feed(&f, msg, len);
        break;
    case SERVER_REQ_DH:
        f.cfg.accept_legacy = k->mod != D_LEGACY_INNER;
        fc_to_req_dh(&f);
        len = fc_req_dh(&f, (enum dmod)k->mod, msg);
        rc = fc_feed(&f, msg, len);
        break;
    default:
        if (k->mod == C_GB_SHORT) {
            uint8_t gx[256];
            exp_with_short_power(f.b, gx);
        }
        fc_to_client_dh(&f);
        len = fc_client_dh(&f, (enum cmod)k->mod, msg, &key);
        rc = fc_feed(&f, msg, len);
        if (k->detail == MT_HS_E_NONE) {
            struct mt_hs_result res;
            assert_int_equal(rc, MT_HS_DONE);
            assert_int_equal(mt_hs_server_result(f.s, &res), 0);
            assert_memory_equal(res.key.key, key.key, 256);
            assert_int_equal(f.out_len, 72);
        }
        break;
    }
    expect(k, rc, mt_hs_server_detail(f.s), mt_hs_server_error(f.s));
    mt_hs_server_free(f.s);
}

/* Bind: a correct call is verified; each altered field is refused. */
enum bmod { B_OK, B_WRONG_KEY, B_MSG_ID, B_SESSION, B_TEMP_KEY, B_CALL_PERM, B_NONCE, B_EXPIRES,
            B_SEQNO, B_CTOR, B_LENGTH, B_ENC_SHORT };

static void run_bind_case(const struct check *k)
{
    uint8_t kb[256];
    struct mt_auth_key perm, other;
    mt_rng_bytes(&hs_rng, kb, 256);
    mt_auth_key_set(&perm, kb);
    mt_rng_bytes(&hs_rng, kb, 256);
    mt_auth_key_set(&other, kb);
    struct mt_hs_bind b = { 0x1122334455667788, 0xaaaa, perm.id64, 0x5e55, (int32_t)HS_T0 + 60 };
    uint64_t msg_id = (uint64_t)HS_T0 << 32;
    uint8_t body[256];
    int n = mt_hs_bind_write_call(k->mod == B_WRONG_KEY ? &other : &perm, &b, msg_id, &hs_rng,
                                  body, sizeof body);
    assert_true(n > 0);
    struct mt_hs_bind_call call;
    assert_int_equal(mt_hs_bind_parse_call(body, (size_t)n, &call), 0);
    uint8_t enc[MT_HS_BIND_ENC_LEN + 16];
    if (k->mod == B_SEQNO || k->mod == B_CTOR || k->mod == B_LENGTH) {
        /* Hand-made plaintexts that the client API never produces. */
        uint8_t plain[76];
        size_t out_len;
        mt_rng_bytes(&hs_rng, plain, 16);
        mt_store_le64(plain + 16, msg_id);
        mt_store_le32(plain + 24, k->mod == B_SEQNO ? 1 : 0);
        mt_store_le32(plain + 28, k->mod == B_LENGTH ? 44 : 40);
        mt_store_le32(plain + 32, k->mod == B_CTOR ? MT_TL_ID_RES_PQ : MT_TL_ID_BIND_AUTH_KEY_INNER);
        mt_store_le64(plain + 36, (uint64_t)b.nonce);
        mt_store_le64(plain + 44, b.temp_auth_key_id);
        mt_store_le64(plain + 52, b.perm_auth_key_id);
        mt_store_le64(plain + 60, b.temp_session_id);
        mt_store_le32(plain + 68, (uint32_t)b.expires_at);
        mt_store_le32(plain + 72, 0);
        assert_int_equal(mt_msg1_encrypt(&perm, plain, k->mod == B_LENGTH ? 76 : 72, enc, sizeof enc,
                                         &out_len, &hs_rng), 0);
        call.enc = enc;
        call.enc_len = out_len;
    }
    if (k->mod == B_CALL_PERM) call.perm_auth_key_id ^= 1;
    if (k->mod == B_NONCE) call.nonce ^= 1;
    if (k->mod == B_EXPIRES) call.expires_at += 1;
    if (k->mod == B_ENC_SHORT) call.enc_len = 16;
    int detail = -1;
    int rc = mt_hs_bind_verify(&perm, &call, msg_id + (k->mod == B_MSG_ID ? 4 : 0),
                               b.temp_session_id + (k->mod == B_SESSION),
                               b.temp_auth_key_id + (k->mod == B_TEMP_KEY), &detail);
    if (k->detail == MT_HS_E_NONE)
        assert_int_equal(rc, 0);
    else
        expect(k, rc, detail, "");
}

static void run_case(void **state)
{
    const struct check *k = *state;
    if (k->phase <= CLIENT_DH_GEN)
        run_client_case(k);
    else if (k->phase == BIND)
        run_bind_case(k);
    else
        run_server_case(k);
}

#define CS "client WAIT_RES_PQ"
#define CA "client WAIT_DH_PARAMS"
#define CG "client WAIT_DH_GEN"
#define SP "server WAIT_REQ_PQ"
#define SD "server WAIT_REQ_DH"
#define SC "server WAIT_CLIENT_DH"
static const struct check checks[] = {
    /* client: envelope (mtproto-description.md, unencrypted messages) */
    { "client_env_ok", CLIENT_ENV, E_OK, MT_HS_E_NONE, NULL },
    { "client_env_auth_key_id_nonzero", CLIENT_ENV, E_AUTH_KEY_ID, MT_HS_E_ENV_AUTH_KEY_ID, CS },
    { "client_env_length_past_data", CLIENT_ENV, E_LENGTH_LONG, MT_HS_E_ENV_SHORT, CS },
    { "client_env_length_short_of_data", CLIENT_ENV, E_LENGTH_SHORT, MT_HS_E_ENV_LENGTH, CS },
    { "client_env_length_unaligned", CLIENT_ENV, E_UNALIGNED, MT_HS_E_ENV_LENGTH, CS },
    { "client_env_truncated_header", CLIENT_ENV, E_SHORT, MT_HS_E_ENV_SHORT, CS },
    { "client_env_msg_id_parity", CLIENT_ENV, E_PARITY, MT_HS_E_ENV_MSG_ID_PARITY, CS },
    { "client_env_msg_id_3_mod_4_accepted", CLIENT_ENV, E_ODD_3, MT_HS_E_NONE, NULL },
    { "client_env_msg_id_not_increasing", CLIENT_ENV, E_ORDER, MT_HS_E_ENV_MSG_ID_ORDER, CA },
    /* client: resPQ */
    { "client_res_pq_ok", CLIENT_RES_PQ, R_OK, MT_HS_E_NONE, NULL },
    { "client_res_pq_ctor", CLIENT_RES_PQ, R_CTOR, MT_HS_E_CTOR, CS },
    { "client_res_pq_nonce", CLIENT_RES_PQ, R_NONCE, MT_HS_E_NONCE, CS },
    { "client_res_pq_no_trusted_key", CLIENT_RES_PQ, R_NO_KEY, MT_HS_E_NO_KEY, CS },
    { "client_res_pq_pq_prime", CLIENT_RES_PQ, R_PQ_PRIME, MT_HS_E_PQ_FACTOR, CS },
    { "client_res_pq_pq_9_bytes", CLIENT_RES_PQ, R_PQ_9, MT_HS_E_PQ_SIZE, CS },
    { "client_res_pq_pq_above_2_63", CLIENT_RES_PQ, R_PQ_HIGH, MT_HS_E_PQ_SIZE, CS },
    { "client_res_pq_trailing", CLIENT_RES_PQ, R_TRAILING, MT_HS_E_TRAILING, CS },
    /* client: server_DH_params_ok (security_guidelines.md: SHA1, nonces, DH) */
    { "client_answer_ok", CLIENT_ANSWER, A_OK, MT_HS_E_NONE, NULL },
    { "client_answer_ctor", CLIENT_ANSWER, A_CTOR, MT_HS_E_CTOR, CA },
    { "client_answer_nonce", CLIENT_ANSWER, A_NONCE, MT_HS_E_NONCE, CA },
    { "client_answer_server_nonce", CLIENT_ANSWER, A_SERVER_NONCE, MT_HS_E_SERVER_NONCE, CA },
    { "client_answer_aes_length", CLIENT_ANSWER, A_AES_LEN, MT_HS_E_AES_LEN, CA },
    { "client_answer_sha1", CLIENT_ANSWER, A_SHA1, MT_HS_E_AES_HASH, CA },
    { "client_answer_padding_over_15", CLIENT_ANSWER, A_PAD16, MT_HS_E_AES_PAD, CA },
    { "client_answer_inner_ctor", CLIENT_ANSWER, A_INNER_CTOR, MT_HS_E_CTOR, CA },
    { "client_answer_inner_nonce", CLIENT_ANSWER, A_INNER_NONCE, MT_HS_E_INNER_NONCE, CA },
    { "client_answer_inner_server_nonce", CLIENT_ANSWER, A_INNER_SERVER_NONCE, MT_HS_E_INNER_SERVER_NONCE, CA },
    { "client_answer_dh_prime_not_safe", CLIENT_ANSWER, A_PRIME_NOT_SAFE, MT_HS_E_DH_PRIME, CA },
    { "client_answer_dh_prime_2040_bits", CLIENT_ANSWER, A_PRIME_SHORT, MT_HS_E_DH_PRIME, CA },
    { "client_answer_g_2_not_generator", CLIENT_ANSWER, A_G2, MT_HS_E_DH_G, CA },
    { "client_answer_g_5_not_generator", CLIENT_ANSWER, A_G5, MT_HS_E_DH_G, CA },
    { "client_answer_g_1", CLIENT_ANSWER, A_G1, MT_HS_E_DH_G, CA },
    { "client_answer_g_a_one", CLIENT_ANSWER, A_GA_ONE, MT_HS_E_DH_GA, CA },
    { "client_answer_g_a_p_minus_1", CLIENT_ANSWER, A_GA_P_MINUS_1, MT_HS_E_DH_GA, CA },
    { "client_answer_g_a_below_2_1984", CLIENT_ANSWER, A_GA_LOW, MT_HS_E_DH_GA, CA },
    { "client_answer_g_a_above_p_minus_2_1984", CLIENT_ANSWER, A_GA_HIGH, MT_HS_E_DH_GA, CA },
    { "client_answer_g_a_equals_p", CLIENT_ANSWER, A_GA_P, MT_HS_E_DH_GA, CA },
    { "client_answer_g_a_255_bytes_accepted", CLIENT_ANSWER, A_GA_SHORT, MT_HS_E_NONE, NULL },
    { "client_answer_trailing", CLIENT_ANSWER, A_TRAILING, MT_HS_E_TRAILING, CA },
    { "client_dh_params_fail", CLIENT_ANSWER, A_FAIL, MT_HS_E_DH_PARAMS_FAIL, CA },
    { "client_dh_params_fail_bad_hash", CLIENT_ANSWER, A_FAIL_BAD_HASH, MT_HS_E_FAIL_NONCE_HASH, CA },
    /* client: dh_gen_* */
    { "client_dh_gen_ok", CLIENT_DH_GEN, G_OK, MT_HS_E_NONE, NULL },
    { "client_dh_gen_ctor", CLIENT_DH_GEN, G_CTOR, MT_HS_E_CTOR, CG },
    { "client_dh_gen_nonce", CLIENT_DH_GEN, G_NONCE, MT_HS_E_NONCE, CG },
    { "client_dh_gen_server_nonce", CLIENT_DH_GEN, G_SERVER_NONCE, MT_HS_E_SERVER_NONCE, CG },
    { "client_dh_gen_ok_new_nonce_hash1", CLIENT_DH_GEN, G_HASH1, MT_HS_E_NEW_NONCE_HASH1, CG },
    { "client_dh_gen_retry_new_nonce_hash2", CLIENT_DH_GEN, G_RETRY_BAD, MT_HS_E_NEW_NONCE_HASH2, CG },
    { "client_dh_gen_fail", CLIENT_DH_GEN, G_FAIL, MT_HS_E_DH_GEN_FAIL, CG },
    { "client_dh_gen_fail_new_nonce_hash3", CLIENT_DH_GEN, G_FAIL_BAD, MT_HS_E_NEW_NONCE_HASH3, CG },
    { "client_dh_gen_trailing", CLIENT_DH_GEN, G_TRAILING, MT_HS_E_TRAILING, CG },
    /* server: envelope */
    { "server_env_ok", SERVER_ENV, E_OK, MT_HS_E_NONE, NULL },
    { "server_env_auth_key_id_nonzero", SERVER_ENV, E_AUTH_KEY_ID, MT_HS_E_ENV_AUTH_KEY_ID, SP },
    { "server_env_length_past_data", SERVER_ENV, E_LENGTH_LONG, MT_HS_E_ENV_SHORT, SP },
    { "server_env_length_short_of_data", SERVER_ENV, E_LENGTH_SHORT, MT_HS_E_ENV_LENGTH, SP },
    { "server_env_length_unaligned", SERVER_ENV, E_UNALIGNED, MT_HS_E_ENV_LENGTH, SP },
    { "server_env_truncated_header", SERVER_ENV, E_SHORT, MT_HS_E_ENV_SHORT, SP },
    { "server_env_msg_id_parity", SERVER_ENV, E_PARITY, MT_HS_E_ENV_MSG_ID_PARITY, SP },
    { "server_env_msg_id_2_mod_4", SERVER_ENV, E_PARITY_2, MT_HS_E_ENV_MSG_ID_PARITY, SP },
    { "server_env_msg_id_not_increasing", SERVER_ENV, E_ORDER, MT_HS_E_ENV_MSG_ID_ORDER, SD },
    /* server: req_pq_multi */
    { "server_req_pq_ctor", SERVER_REQ_PQ, 1, MT_HS_E_CTOR, SP },
    { "server_req_pq_trailing", SERVER_REQ_PQ, 2, MT_HS_E_TRAILING, SP },
    /* server: req_DH_params and p_q_inner_data */
    { "server_req_dh_ok", SERVER_REQ_DH, D_OK, MT_HS_E_NONE, NULL },
    { "server_req_dh_temp_ok", SERVER_REQ_DH, D_TEMP_OK, MT_HS_E_NONE, NULL },
    { "server_req_dh_ctor", SERVER_REQ_DH, D_CTOR, MT_HS_E_CTOR, SD },
    { "server_req_dh_nonce", SERVER_REQ_DH, D_NONCE, MT_HS_E_NONCE, SD },
    { "server_req_dh_server_nonce", SERVER_REQ_DH, D_SERVER_NONCE, MT_HS_E_SERVER_NONCE, SD },
    { "server_req_dh_p_mismatch", SERVER_REQ_DH, D_P, MT_HS_E_PQ_MISMATCH, SD },
    { "server_req_dh_q_mismatch", SERVER_REQ_DH, D_Q, MT_HS_E_PQ_MISMATCH, SD },
    { "server_req_dh_unknown_fingerprint", SERVER_REQ_DH, D_FINGERPRINT, MT_HS_E_FINGERPRINT, SD },
    { "server_req_dh_rsa_garbage", SERVER_REQ_DH, D_ENC_GARBAGE, MT_HS_E_RSA_DECRYPT, SD },
    { "server_req_dh_rsa_over_256_bytes", SERVER_REQ_DH, D_ENC_LONG, MT_HS_E_RSA_DECRYPT, SD },
    { "server_req_dh_inner_ctor", SERVER_REQ_DH, D_INNER_CTOR, MT_HS_E_CTOR, SD },
    { "server_req_dh_inner_nonce", SERVER_REQ_DH, D_INNER_NONCE, MT_HS_E_INNER_NONCE, SD },
    { "server_req_dh_inner_server_nonce", SERVER_REQ_DH, D_INNER_SERVER_NONCE, MT_HS_E_INNER_SERVER_NONCE, SD },
    { "server_req_dh_inner_pq", SERVER_REQ_DH, D_INNER_PQ, MT_HS_E_PQ_MISMATCH, SD },
    { "server_req_dh_inner_p", SERVER_REQ_DH, D_INNER_P, MT_HS_E_PQ_MISMATCH, SD },
    { "server_req_dh_dc_mismatch", SERVER_REQ_DH, D_DC, MT_HS_E_DC, SD },
    { "server_req_dh_expires_in_zero", SERVER_REQ_DH, D_EXPIRES, MT_HS_E_EXPIRES_IN, SD },
    { "server_req_dh_legacy_inner_refused", SERVER_REQ_DH, D_LEGACY_INNER, MT_HS_E_INNER_FORM, SD },
    { "server_req_dh_trailing", SERVER_REQ_DH, D_TRAILING, MT_HS_E_TRAILING, SD },
    /* server: set_client_DH_params (SHA1, nonces, retry_id, g_b) */
    { "server_client_dh_ok", SERVER_CLIENT_DH, C_OK, MT_HS_E_NONE, NULL },
    { "server_client_dh_ctor", SERVER_CLIENT_DH, C_CTOR, MT_HS_E_CTOR, SC },
    { "server_client_dh_nonce", SERVER_CLIENT_DH, C_NONCE, MT_HS_E_NONCE, SC },
    { "server_client_dh_server_nonce", SERVER_CLIENT_DH, C_SERVER_NONCE, MT_HS_E_SERVER_NONCE, SC },
    { "server_client_dh_aes_length", SERVER_CLIENT_DH, C_AES_LEN, MT_HS_E_AES_LEN, SC },
    { "server_client_dh_sha1", SERVER_CLIENT_DH, C_SHA1, MT_HS_E_AES_HASH, SC },
    { "server_client_dh_padding_over_15", SERVER_CLIENT_DH, C_PAD16, MT_HS_E_AES_PAD, SC },
    { "server_client_dh_inner_ctor", SERVER_CLIENT_DH, C_INNER_CTOR, MT_HS_E_CTOR, SC },
    { "server_client_dh_inner_nonce", SERVER_CLIENT_DH, C_INNER_NONCE, MT_HS_E_INNER_NONCE, SC },
    { "server_client_dh_inner_server_nonce", SERVER_CLIENT_DH, C_INNER_SERVER_NONCE, MT_HS_E_INNER_SERVER_NONCE, SC },
    { "server_client_dh_retry_id_not_zero", SERVER_CLIENT_DH, C_RETRY_ID, MT_HS_E_RETRY_ID, SC },
    { "server_client_dh_g_b_one", SERVER_CLIENT_DH, C_GB_ONE, MT_HS_E_DH_GB, SC },
    { "server_client_dh_g_b_p_minus_1", SERVER_CLIENT_DH, C_GB_P_MINUS_1, MT_HS_E_DH_GB, SC },
    { "server_client_dh_g_b_below_2_1984", SERVER_CLIENT_DH, C_GB_LOW, MT_HS_E_DH_GB, SC },
    { "server_client_dh_g_b_above_p_minus_2_1984", SERVER_CLIENT_DH, C_GB_HIGH, MT_HS_E_DH_GB, SC },
    { "server_client_dh_g_b_equals_p", SERVER_CLIENT_DH, C_GB_P, MT_HS_E_DH_GB, SC },
    { "server_client_dh_g_b_257_bytes", SERVER_CLIENT_DH, C_GB_LONG, MT_HS_E_DH_GB, SC },
    { "server_client_dh_g_b_255_bytes_accepted", SERVER_CLIENT_DH, C_GB_SHORT, MT_HS_E_NONE, NULL },
    { "server_client_dh_trailing", SERVER_CLIENT_DH, C_TRAILING, MT_HS_E_TRAILING, SC },
    /* server: bind_auth_key_inner (api-pfs.md) */
    { "bind_ok", BIND, B_OK, MT_HS_E_NONE, NULL },
    { "bind_other_perm_key", BIND, B_WRONG_KEY, MT_HS_E_BIND_PERM_KEY, NULL },
    { "bind_msg_id", BIND, B_MSG_ID, MT_HS_E_BIND_MSG_ID, NULL },
    { "bind_session", BIND, B_SESSION, MT_HS_E_BIND_SESSION, NULL },
    { "bind_temp_key", BIND, B_TEMP_KEY, MT_HS_E_BIND_TEMP_KEY, NULL },
    { "bind_call_perm_key_id", BIND, B_CALL_PERM, MT_HS_E_BIND_PERM_KEY, NULL },
    { "bind_nonce", BIND, B_NONCE, MT_HS_E_BIND_NONCE, NULL },
    { "bind_expires_at", BIND, B_EXPIRES, MT_HS_E_BIND_EXPIRES, NULL },
    { "bind_seqno", BIND, B_SEQNO, MT_HS_E_BIND_SEQNO, NULL },
    { "bind_ctor", BIND, B_CTOR, MT_HS_E_BIND_CTOR, NULL },
    { "bind_msg_len_44", BIND, B_LENGTH, MT_HS_E_BIND_LENGTH, NULL },
    { "bind_enc_too_short", BIND, B_ENC_SHORT, MT_HS_E_BIND_LENGTH, NULL },
};

/* A bind message encrypted under another perm key, presented with the
 * right perm_auth_key_id in the call: the msg_key check catches it. */
static void test_bind_wrong_key_same_id(void **state)
{
    (void)state;
    uint8_t kb[256];
    struct mt_auth_key perm, other;
    mt_rng_bytes(&hs_rng, kb, 256);
    mt_auth_key_set(&perm, kb);
    kb[10] ^= 1;                      /* inside the 128 bytes the 1.0 KDF reads */
    mt_auth_key_set(&other, kb);
    struct mt_hs_bind b = { 7, 0xaaaa, perm.id64, 0x5e55, 100 };
    uint8_t enc[MT_HS_BIND_ENC_LEN];
    assert_int_equal(mt_hs_bind_encrypt(&other, &b, 1ull << 40, &hs_rng, enc), 0);
    memcpy(enc, perm.id, 8);
    struct mt_hs_bind_call call = { perm.id64, 7, 100, enc, sizeof enc };
    int detail;
    assert_true(mt_hs_bind_verify(&perm, &call, 1ull << 40, 0x5e55, 0xaaaa, &detail) < 0);
    assert_int_equal(detail, MT_HS_E_BIND_DECRYPT);
}

/* Calls in the wrong state and invalid configurations. */
static void test_usage(void **state)
{
    (void)state;
    uint8_t out[MT_HS_MAX_MSG];
    size_t len;
    struct mt_hs_client_config cfg = { .keys = hs_keys, .nkeys = 1 };
    struct mt_hs_client *c = mt_hs_client_new(&cfg, &hs_rng);
    assert_int_equal(mt_hs_client_feed(c, out, 40, HS_T0, out, sizeof out, &len), MT_E_HS_STATE);
    assert_int_equal(mt_hs_client_detail(c), MT_HS_E_STATE);
    assert_non_null(strstr(mt_hs_client_error(c), "client INIT"));
    assert_int_equal(mt_hs_client_feed(c, out, 40, HS_T0, out, sizeof out, &len), MT_E_STATE);
    mt_hs_client_free(c);
    c = mt_hs_client_new(&cfg, &hs_rng);
    assert_int_equal(mt_hs_client_start(c, HS_T0, out, 30, &len), MT_E_OVERFLOW);
    assert_int_equal(mt_hs_client_detail(c), MT_HS_E_OUT);
    mt_hs_client_free(c);
    cfg.dh_exp_bits = 100;
    assert_null(mt_hs_client_new(&cfg, &hs_rng));
    cfg.dh_exp_bits = 0;
    cfg.temp = 1;
    assert_null(mt_hs_client_new(&cfg, &hs_rng));
    cfg.nkeys = 0;
    assert_null(mt_hs_client_new(&cfg, &hs_rng));
    struct mt_hs_server_config scfg;
    hs_server_config(&scfg, 1);
    scfg.pq_bits = 40;
    assert_null(mt_hs_server_new(&scfg, &hs_rng));
    for (int d = 0; d < MT_HS_E_COUNT; d++)
        assert_string_not_equal(mt_hs_strerror(d), "unknown handshake error");
    assert_string_equal(mt_hs_strerror(MT_HS_E_COUNT), "unknown handshake error");
}

int main(void)
{
    prime = mt_dh_prime_2048;
    enum { N = MT_ARRAY_LEN(checks) };
    static struct CMUnitTest tests[N + 2];
    for (size_t i = 0; i < N; i++) {
        tests[i] = (struct CMUnitTest)cmocka_unit_test_prestate(run_case, (void *)&checks[i]);
        tests[i].name = checks[i].name;
    }
    tests[N] = (struct CMUnitTest)cmocka_unit_test(test_bind_wrong_key_same_id);
    tests[N + 1] = (struct CMUnitTest)cmocka_unit_test(test_usage);
    return _cmocka_run_group_tests("mtproto_test_hs_checks", tests, N + 2, hs_test_setup,
                                   hs_test_teardown);
}
