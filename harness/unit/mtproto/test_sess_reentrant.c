/* Callbacks may queue new requests (a closed-loop load generator does that
 * from on_result): the session must not touch a request entry after calling
 * out, even when the new request makes its pool grow. A client and a server
 * session run against each other in memory, each answer queuing the next two
 * requests until the pool has grown many times. */
#include "harness/unit/common/mt_test.h"
#include "core/mtproto/mt_mtproto.h"

struct pair {
    struct mt_sess_client *c;
    struct mt_sess_server *s;
    int results, errors, queued;
    uint64_t tag;
};

static const uint8_t query[4] = {0x26, 0x30, 0xb3, 0x1f};   /* help.getNearestDc */

static void queue_one(struct pair *p)
{
    uint64_t id;
    assert_int_equal(mt_sess_client_query(p->c, query, 4, p->tag++, 1, 1.7e9, &id), 0);
    p->queued++;
}

static void on_result(void *ctx, uint64_t tag, uint64_t req, const uint8_t *b, size_t n, mt_ns t0)
{
    struct pair *p = ctx;
    p->results++;
    if (p->queued < 3000) { queue_one(p); queue_one(p); }
}

static void on_error(void *ctx, uint64_t tag, uint64_t req, int32_t code, const char *m,
                     size_t ml, int32_t fw, mt_ns t0)
{
    struct pair *p = ctx;
    p->errors++;
    if (p->queued < 3000) { queue_one(p); queue_one(p); }
}

static void srv_query(void *ctx, const struct mt_sess_query *q)
{
    struct pair *p = ctx;
    /* alternate results and errors: both paths call out */
    if (q->msg_id & 8)
        mt_sess_server_error(p->s, q->msg_id, 400, "TEST_ERROR");
    else
        mt_sess_server_result(p->s, q->msg_id, "\xb5\x75\x72\x99", 4);   /* boolTrue */
}

static void t_reentrant(void **st)
{
    struct pair p = {0};
    struct mt_sess_client_cfg cc = {.session_id = 77, .salt = 5};
    struct mt_sess_client_cb ccb = {.ctx = &p, .on_result = on_result, .on_error = on_error};
    struct mt_sess_server_cfg sc = {.salt = 5};
    struct mt_sess_server_cb scb = {.ctx = &p, .on_query = srv_query};
    p.c = mt_sess_client_new(&cc, &ccb);
    p.s = mt_sess_server_new(&sc, &scb);
    assert_non_null(p.c);
    assert_non_null(p.s);
    queue_one(&p);
    static uint8_t buf[1 << 20];
    double wall = 1.7e9;
    for (int round = 0; round < 10000 && p.results + p.errors < p.queued; round++) {
        int n = mt_sess_client_build(p.c, buf, sizeof buf, 10, wall, 1);
        assert_true(n >= 0);
        if (n > 0)
            mt_sess_server_feed(p.s, buf, (size_t)n, 10, wall);
        while ((n = mt_sess_server_build(p.s, buf, sizeof buf, 10, wall)) > 0)
            assert_int_equal(mt_sess_client_feed(p.c, buf, (size_t)n, 10, wall), 0);
        wall += 0.001;
    }
    assert_true(p.queued >= 3000);
    assert_int_equal(p.results + p.errors, p.queued);
    assert_true(p.results > 0 && p.errors > 0);
    assert_int_equal(mt_sess_client_inflight(p.c), 0);
    mt_sess_client_free(p.c);
    mt_sess_server_free(p.s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(t_reentrant)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
