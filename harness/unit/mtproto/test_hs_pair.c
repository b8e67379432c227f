/* Client FSM against server FSM in memory: 1,000 handshakes with fresh
 * keys (permanent and temporary, with the PFS binding), the dh_gen_retry
 * path, every message tampered with at every step, and the legacy forms. */
#include "harness/unit/mtproto/hs_test_util.h"

static void check_same_key(const struct hs_pair_result *r)
{
    assert_int_equal(r->rc, 0);
    assert_memory_equal(r->client.key.key, r->server.key.key, 256);
    assert_memory_equal(r->client.key.id, r->server.key.id, 8);
    assert_int_equal(r->client.server_salt, r->server.server_salt);
    assert_int_equal(r->client.server_time, r->server.server_time);
    assert_int_equal(r->client.temp, r->server.temp);
    assert_int_equal(r->client.expires_in, r->server.expires_in);
    assert_int_equal(r->client.retries, r->server.retries);
}

/* Bind the temporary key to the permanent one: client builds the call,
 * server parses and verifies it against the carrying message. */
static void bind_and_verify(const struct mt_auth_key *perm, const struct mt_auth_key *temp,
                            int i)
{
    struct mt_hs_bind b = { .nonce = (int64_t)mt_rng_u64(&hs_rng),
                            .temp_auth_key_id = temp->id64,
                            .perm_auth_key_id = perm->id64,
                            .temp_session_id = mt_rng_u64(&hs_rng),
                            .expires_at = (int32_t)HS_T0 + 3600 };
    uint64_t msg_id = mt_hs_msg_id(HS_T0 + i, 0, 0);
    uint8_t body[256];
    int n = mt_hs_bind_write_call(perm, &b, msg_id, &hs_rng, body, sizeof body);
    assert_int_equal(n, 4 + 8 + 8 + 4 + 108);
    struct mt_hs_bind_call call;
    assert_int_equal(mt_hs_bind_parse_call(body, (size_t)n, &call), 0);
    assert_int_equal(call.perm_auth_key_id, perm->id64);
    assert_int_equal(call.nonce, b.nonce);
    assert_int_equal(call.expires_at, b.expires_at);
    assert_int_equal(call.enc_len, MT_HS_BIND_ENC_LEN);
    int detail = -1;
    assert_int_equal(mt_hs_bind_verify(perm, &call, msg_id, b.temp_session_id, temp->id64, &detail), 0);
    assert_int_equal(detail, MT_HS_E_NONE);
    /* The same call on another session or msg_id is refused. */
    assert_int_equal(mt_hs_bind_verify(perm, &call, msg_id + 4, b.temp_session_id, temp->id64, &detail),
                     MT_E_MSG_ID);
    assert_int_equal(detail, MT_HS_E_BIND_MSG_ID);
}

static void test_pair_1000(void **state)
{
    (void)state;
    struct mt_hs_server_config scfg;
    hs_server_config(&scfg, 2);
    scfg.dc_id = 2;
    struct mt_hs_server_config scfg_short = scfg;
    scfg_short.dh_exp_bits = 256;
    struct mt_auth_key perm, prev;
    int have_perm = 0;
    memset(&prev, 0, sizeof prev);
    for (int i = 0; i < 1000; i++) {
        /* Every 10th handshake with 2048-bit exponents on both sides, the
         * rest with 256-bit ones to keep the run short (same code path). */
        int full = i % 10 == 0;
        struct mt_hs_client_config ccfg = {
            .keys = &hs_keys[i % 2], .nkeys = 1, .dc_id = i % 2 ? 2 : -2,
            .temp = i % 3 == 1, .expires_in = i % 3 == 1 ? 86400 : 0,
            .dh_exp_bits = full ? 2048 : 256,
        };
        if (i % 7 == 5) ccfg.legacy |= MT_HS_LEGACY_RSA;
        if (i % 11 == 6) ccfg.legacy |= MT_HS_LEGACY_REQ_PQ;
        if (i % 13 == 7) ccfg.legacy |= MT_HS_LEGACY_INNER;
        struct hs_pair_result r;
        hs_run_pair(&ccfg, full ? &scfg : &scfg_short, NULL, NULL, &r);
        check_same_key(&r);
        assert_memory_not_equal(r.client.key.key, prev.key, 256);
        assert_int_equal(r.server.legacy_rsa, !!(ccfg.legacy & MT_HS_LEGACY_RSA));
        assert_int_equal(r.server.legacy_req_pq, !!(ccfg.legacy & MT_HS_LEGACY_REQ_PQ));
        assert_int_equal(r.server.dc_id, ccfg.legacy & MT_HS_LEGACY_INNER ? 0 : ccfg.dc_id);
        assert_int_equal(r.server.expires_in, ccfg.expires_in);
        prev = r.client.key;
        if (!ccfg.temp) {
            perm = r.client.key;
            have_perm = 1;
        } else if (have_perm) {
            bind_and_verify(&perm, &r.client.key, i);
        }
    }
}

/* key_exists answers "taken" for the first n lookups. */
struct taken { int n, calls; };
static int key_taken(void *ctx, const struct mt_auth_key *key)
{
    struct taken *t = ctx;
    (void)key;
    return t->calls++ < t->n;
}

static void test_pair_dh_gen_retry(void **state)
{
    (void)state;
    struct mt_hs_server_config scfg;
    hs_server_config(&scfg, 1);
    scfg.dh_exp_bits = 256;
    struct taken t = { 2, 0 };
    scfg.key_exists = key_taken;
    scfg.key_exists_ctx = &t;
    struct mt_hs_client_config ccfg = { .keys = hs_keys, .nkeys = 1, .dc_id = 1, .dh_exp_bits = 256 };
    struct hs_pair_result r;
    hs_run_pair(&ccfg, &scfg, NULL, NULL, &r);
    check_same_key(&r);
    assert_int_equal(r.client.retries, 2);
    assert_int_equal(t.calls, 3);

    /* More retries than the client allows: it gives up with a named error. */
    t.n = 100; t.calls = 0;
    ccfg.max_retries = 1;
    hs_run_pair(&ccfg, &scfg, NULL, NULL, &r);
    assert_int_equal(r.rc, MT_E_DH_FAIL);
    assert_int_equal(r.failed_side, 1);
    assert_int_equal(r.detail, MT_HS_E_RETRIES);
    assert_int_equal(r.failed_step, 7);
}

/* Flip one bit of one byte of one message; the handshake must fail with
 * a named error, except where the envelope carries no integrity at all
 * (msg_id above its two parity bits; TL bytes padding), where it must
 * either fail or end with equal keys. */
struct flip { int step; size_t pos; uint8_t mask; int hit; };
static void flip_bit(void *ctx, int step, uint8_t *msg, size_t *len)
{
    struct flip *f = ctx;
    if (step == f->step && f->pos < *len) {
        msg[f->pos] ^= f->mask;
        f->hit = 1;
    }
}

static int unprotected(int step, size_t pos, uint8_t mask)
{
    if (pos >= 9 && pos < 16)
        return 1;                                   /* msg_id value */
    if (pos == 8 && !(mask & 3))
        return 1;
    if (step == 1 && pos >= 65 && pos < 68)
        return 1;                                   /* resPQ: pq padding */
    if (step == 2 && ((pos >= 61 && pos < 64) || (pos >= 69 && pos < 72)))
        return 1;                                   /* req_DH_params: p, q padding */
    return 0;
}

static void test_pair_tamper_every_step(void **state)
{
    (void)state;
    struct mt_hs_server_config scfg;
    hs_server_config(&scfg, 1);
    scfg.dh_exp_bits = 256;
    struct mt_hs_client_config ccfg = { .keys = hs_keys, .nkeys = 1, .dc_id = 1, .dh_exp_bits = 256 };
    static const size_t msg_len[6] = { 40, 84, 340, 652, 396, 72 };
    int immediate = 0, cases = 0;   /* over the protected positions */
    for (int step = 0; step < 6; step++) {
        size_t stride = msg_len[step] > 100 ? 7 : 1;
        for (size_t pos = 0; pos < msg_len[step]; pos += stride) {
            for (int m = 0; m < 2; m++) {
                struct flip f = { step, pos, m ? 0x80 : 0x01, 0 };
                struct hs_pair_result r;
                hs_run_pair(&ccfg, &scfg, flip_bit, &f, &r);
                assert_true(f.hit);
                if (unprotected(step, pos, f.mask)) {
                    if (r.rc == 0)
                        check_same_key(&r);
                    continue;
                }
                if (r.rc == 0)
                    fail_msg("tampered byte %zu mask %02x of message %d accepted", pos, f.mask, step);
                assert_true(r.failed_step >= step);
                cases++;
                immediate += r.failed_step == step;
            }
        }
    }
    /* Most alterations are caught by the very next receiver; the rest
     * (the nonce the server echoes, the server_nonce it chose, a pq that
     * still factors) by the side that owns the value, one message later. */
    print_message("tampered: %d cases, %d caught by the next receiver\n", cases, immediate);
    assert_true(immediate > cases * 3 / 4);
}

/* Truncated and extended messages at every step. */
struct cut { int step; int delta; };
static void cut_msg(void *ctx, int step, uint8_t *msg, size_t *len)
{
    struct cut *c = ctx;
    if (step != c->step)
        return;
    if (c->delta < 0) {
        *len -= (size_t)-c->delta;
    } else {
        memset(msg + *len, 0, (size_t)c->delta);
        *len += (size_t)c->delta;
    }
    mt_store_le32(msg + 16, (uint32_t)(*len - 20));   /* keep the envelope consistent */
}

static void test_pair_truncated_extended(void **state)
{
    (void)state;
    struct mt_hs_server_config scfg;
    hs_server_config(&scfg, 1);
    scfg.dh_exp_bits = 256;
    struct mt_hs_client_config ccfg = { .keys = hs_keys, .nkeys = 1, .dc_id = 1, .dh_exp_bits = 256 };
    static const int deltas[] = { -4, -16, 4, 16 };
    for (int step = 0; step < 6; step++) {
        for (size_t d = 0; d < MT_ARRAY_LEN(deltas); d++) {
            struct cut c = { step, deltas[d] };
            struct hs_pair_result r;
            hs_run_pair(&ccfg, &scfg, cut_msg, &c, &r);
            assert_true(r.rc < 0);
            assert_int_equal(r.failed_step, step);
            assert_true(r.detail == MT_HS_E_TL || r.detail == MT_HS_E_TRAILING);
        }
    }
}

/* Every legacy combination against a default server, then against one
 * that refuses legacy forms. */
static void test_pair_legacy_forms(void **state)
{
    (void)state;
    struct mt_hs_server_config scfg;
    hs_server_config(&scfg, 2);
    scfg.dh_exp_bits = 256;
    for (unsigned legacy = 0; legacy < 8; legacy++) {
        for (int temp = 0; temp < 2; temp++) {
            struct mt_hs_client_config ccfg = { .keys = &hs_keys[1], .nkeys = 1, .dc_id = 3,
                                                .temp = temp, .expires_in = temp ? 60 : 0,
                                                .dh_exp_bits = 256, .legacy = legacy };
            struct hs_pair_result r;
            hs_run_pair(&ccfg, &scfg, NULL, NULL, &r);
            check_same_key(&r);
            assert_int_equal(r.server.legacy_rsa, !!(legacy & MT_HS_LEGACY_RSA));
            assert_int_equal(r.server.legacy_req_pq, !!(legacy & MT_HS_LEGACY_REQ_PQ));
            assert_int_equal(r.server.temp, temp);
        }
    }
    scfg.accept_legacy = 0;
    static const struct { unsigned legacy; int step, detail; } refused[] = {
        { MT_HS_LEGACY_REQ_PQ, 0, MT_HS_E_CTOR },
        { MT_HS_LEGACY_RSA, 2, MT_HS_E_RSA_DECRYPT },
        { MT_HS_LEGACY_INNER, 2, MT_HS_E_INNER_FORM },
    };
    for (size_t i = 0; i < MT_ARRAY_LEN(refused); i++) {
        struct mt_hs_client_config ccfg = { .keys = hs_keys, .nkeys = 1, .dh_exp_bits = 256,
                                            .legacy = refused[i].legacy };
        struct hs_pair_result r;
        hs_run_pair(&ccfg, &scfg, NULL, NULL, &r);
        assert_int_equal(r.failed_side, 2);
        assert_int_equal(r.failed_step, refused[i].step);
        assert_int_equal(r.detail, refused[i].detail);
    }
}

/* The client picks its trusted key among several fingerprints. */
static void test_pair_key_choice(void **state)
{
    (void)state;
    struct mt_hs_server_config scfg;
    hs_server_config(&scfg, 2);
    scfg.dh_exp_bits = 256;
    struct mt_rsa *trusted[2] = { NULL, hs_keys[1] };
    struct mt_hs_client_config ccfg = { .keys = trusted, .nkeys = 2, .dh_exp_bits = 256 };
    struct hs_pair_result r;
    hs_run_pair(&ccfg, &scfg, NULL, NULL, &r);
    check_same_key(&r);
    /* A server with only the other key: no trusted fingerprint. */
    scfg.nkeys = 1;
    hs_run_pair(&ccfg, &scfg, NULL, NULL, &r);
    assert_int_equal(r.rc, MT_E_RSA_KEY);
    assert_int_equal(r.detail, MT_HS_E_NO_KEY);
}

/* Thousands of handshakes stay alive at once in the load generator. */
static void test_object_sizes(void **state)
{
    (void)state;
    assert_true(mt_hs_client_size() <= 1024);
    assert_true(mt_hs_server_size() <= 1024);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_object_sizes),
        cmocka_unit_test(test_pair_1000),
        cmocka_unit_test(test_pair_dh_gen_retry),
        cmocka_unit_test(test_pair_tamper_every_step),
        cmocka_unit_test(test_pair_truncated_extended),
        cmocka_unit_test(test_pair_legacy_forms),
        cmocka_unit_test(test_pair_key_choice),
    };
    return cmocka_run_group_tests(tests, hs_test_setup, hs_test_teardown);
}
