/* Shared by the handshake tests: RSA keys made once per binary, a driver
 * that runs a client FSM against a server FSM in memory (with a hook that
 * may alter any message in flight), and injectable randomness. */
#ifndef HS_TEST_UTIL_H
#define HS_TEST_UTIL_H

#include "harness/unit/common/mt_test.h"
#include "core/mtproto/handshake.h"
#include "core/mtproto/hs_internal.h"

#define HS_T0 1707425104.0   /* the official example's time */

/* Two server keys: generating 2048-bit keys takes a while, once is enough. */
static struct mt_rsa *hs_keys[2];
static struct mt_rng hs_rng;

static inline int hs_test_setup(void **state)
{
    (void)state;
    mt_crypto_init();
    if (mt_rng_init(&hs_rng))
        return -1;
    for (int i = 0; i < 2; i++)
        if (!(hs_keys[i] = mt_rsa_generate(2048, NULL, 0)))
            return -1;
    return 0;
}

static inline int hs_test_teardown(void **state)
{
    (void)state;
    for (int i = 0; i < 2; i++)
        mt_rsa_free(hs_keys[i]);
    mt_rng_free(&hs_rng);
    return 0;
}

/* Messages in flight, numbered: 0 req_pq, 1 resPQ, 2 req_DH_params,
 * 3 server_DH_params_ok, 4 set_client_DH_params, 5 dh_gen_ok/retry, and
 * on with each dh_gen_retry round. The hook may rewrite msg/len. */
typedef void (*hs_tamper_fn)(void *ctx, int step, uint8_t *msg, size_t *len);

struct hs_pair_result {
    int rc;              /* 0: both sides done; else the failing side's code */
    int failed_side;     /* 0 none, 1 client, 2 server */
    int failed_step;     /* message number whose receipt failed */
    int detail;
    int state;           /* state the failure was recorded in */
    struct mt_hs_result client, server;
};

static inline void hs_run_pair(const struct mt_hs_client_config *ccfg,
                               const struct mt_hs_server_config *scfg,
                               hs_tamper_fn tamper, void *tctx, struct hs_pair_result *res)
{
    struct mt_hs_client *c = mt_hs_client_new(ccfg, &hs_rng);
    struct mt_hs_server *s = mt_hs_server_new(scfg, &hs_rng);
    assert_non_null(c);
    assert_non_null(s);
    uint8_t a[MT_HS_MAX_MSG], b[MT_HS_MAX_MSG];
    size_t alen = 0, blen = 0;
    double now = HS_T0;
    int step = 0, crc, src = 0;
    memset(res, 0, sizeof *res);
    crc = mt_hs_client_start(c, now, a, sizeof a, &alen);
    assert_int_equal(crc, MT_HS_SEND);
    for (;;) {
        if (tamper)
            tamper(tctx, step, a, &alen);
        src = mt_hs_server_feed(s, a, alen, now += 0.001, b, sizeof b, &blen);
        if (src < 0) {
            res->rc = src; res->failed_side = 2; res->failed_step = step;
            res->detail = mt_hs_server_detail(s);
            assert_non_null(strstr(mt_hs_server_error(s), "server WAIT_"));
            break;
        }
        step++;
        if (tamper)
            tamper(tctx, step, b, &blen);
        crc = mt_hs_client_feed(c, b, blen, now += 0.001, a, sizeof a, &alen);
        if (crc < 0) {
            res->rc = crc; res->failed_side = 1; res->failed_step = step;
            res->detail = mt_hs_client_detail(c);
            assert_non_null(strstr(mt_hs_client_error(c), "client WAIT_"));
            break;
        }
        step++;
        if (crc == MT_HS_DONE) {
            assert_int_equal(src, MT_HS_DONE);
            assert_int_equal(mt_hs_client_result(c, &res->client), 0);
            assert_int_equal(mt_hs_server_result(s, &res->server), 0);
            break;
        }
        assert_int_equal(src, MT_HS_SEND);
        assert_int_equal(crc, MT_HS_SEND);
    }
    if (res->rc) {
        assert_true(res->detail > MT_HS_E_NONE && res->detail < MT_HS_E_COUNT);
        assert_int_equal(res->failed_side == 1 ? mt_hs_client_state(c) : mt_hs_server_state(s),
                         MT_HS_FAILED);
    }
    mt_hs_client_free(c);
    mt_hs_server_free(s);
}

static inline void hs_server_config(struct mt_hs_server_config *scfg, size_t nkeys)
{
    mt_hs_server_config_init(scfg);
    scfg->keys = hs_keys;
    scfg->nkeys = nkeys;
}

#endif
