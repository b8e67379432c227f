/* Shared by the handshake fuzz targets: one RSA key and rng made once,
 * and a driver that runs a real client against a real server up to the
 * message under test. Input layout: byte 0 picks the message (state),
 * byte 1 bit 0 picks the mode: raw (the rest is the whole message) or
 * patch (the rest is XORed over the genuine message, whose length it
 * takes), so that the fuzzer reaches the checks behind the nonces. */
#ifndef FUZZ_HS_COMMON_H
#define FUZZ_HS_COMMON_H

#include <stdlib.h>

#include "core/mtproto/handshake.h"

static struct mt_rsa *fz_key;
static struct mt_rng fz_rng;

static void fz_init(void)
{
    if (fz_key)
        return;
    mt_crypto_init();
    if (mt_rng_init(&fz_rng) || !(fz_key = mt_rsa_generate(2048, NULL, 0)))
        abort();
}

/* Build the message to deliver from the genuine one and the input. */
static size_t fz_message(const uint8_t *genuine, size_t glen, int patch, const uint8_t *data,
                         size_t n, uint8_t *msg)
{
    if (n > MT_HS_MAX_MSG)
        n = MT_HS_MAX_MSG;
    if (!patch) {
        memcpy(msg, data, n);
        return n;
    }
    memset(msg, 0, MT_HS_MAX_MSG);
    memcpy(msg, genuine, glen < MT_HS_MAX_MSG ? glen : MT_HS_MAX_MSG);
    for (size_t i = 0; i < n; i++)
        msg[i] ^= data[i];
    return n;
}

struct fz_pair {
    struct mt_hs_client_config ccfg;
    struct mt_hs_server_config scfg;
    struct mt_rsa *keys[1];
    struct mt_hs_client *c;
    struct mt_hs_server *s;
};

static void fz_pair_new(struct fz_pair *p)
{
    fz_init();
    memset(p, 0, sizeof *p);
    p->keys[0] = fz_key;
    p->ccfg.keys = p->keys;
    p->ccfg.nkeys = 1;
    p->ccfg.dh_exp_bits = 256;
    mt_hs_server_config_init(&p->scfg);
    p->scfg.keys = p->keys;
    p->scfg.nkeys = 1;
    p->scfg.dh_exp_bits = 256;
    p->c = mt_hs_client_new(&p->ccfg, &fz_rng);
    p->s = mt_hs_server_new(&p->scfg, &fz_rng);
    if (!p->c || !p->s)
        abort();
}

static void fz_pair_free(struct fz_pair *p)
{
    mt_hs_client_free(p->c);
    mt_hs_server_free(p->s);
}

/* Run the genuine exchange until message number `until` (0 req_pq,
 * 1 resPQ, 2 req_DH_params, 3 server_DH_params_ok, 4 set_client_DH_params,
 * 5 dh_gen_ok) is in buf, undelivered. */
static size_t fz_run_until(struct fz_pair *p, int until, uint8_t *buf)
{
    size_t len = 0;
    double now = 1707425104.0;
    if (mt_hs_client_start(p->c, now, buf, MT_HS_MAX_MSG, &len) != MT_HS_SEND)
        abort();
    for (int step = 0; step < until; step++) {
        uint8_t next[MT_HS_MAX_MSG];
        int rc = step % 2 == 0 ? mt_hs_server_feed(p->s, buf, len, now, next, sizeof next, &len)
                               : mt_hs_client_feed(p->c, buf, len, now, next, sizeof next, &len);
        if (rc <= 0)
            abort();
        memcpy(buf, next, len);
    }
    return len;
}

#endif
