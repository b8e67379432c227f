/* Server session against hand-made client plaintexts: salt checks (wrong,
 * zero, previous), msg_id parity / window / replay / too old, seq_no parity
 * (34/35) and order (32/33), containers (dup id 19, nesting and order 64,
 * first_msg_id), service answers, msg_copy, session change, malformed input. */
#include "harness/unit/mtproto/sess_test_util.h"

#define SALT 0x1111111111111111ull
#define SID 0x5e55000000000042ull

struct srv {
    struct mt_sess_server *s;
    struct st_rec r;
    uint8_t in[65536], out[65536];
    uint64_t next;   /* next client msg_id */
};

static struct srv *srv_new(void)
{
    struct srv *v = calloc(1, sizeof(*v));
    struct mt_sess_server_cfg sc = { 0 };
    sc.salt = SALT;
    struct mt_sess_server_cb cb = { &v->r, st_on_query, st_on_event, NULL, NULL };
    v->s = mt_sess_server_new(&sc, &cb);
    v->r.srv = v->s;
    v->next = ((uint64_t)ST_T0 << 32) + 0x1000;
    return v;
}

static void srv_free(struct srv *v)
{
    mt_sess_server_free(v->s);
    free(v);
}

static uint64_t nid(struct srv *v) { v->next += 4; return v->next; }

static int feed(struct srv *v, uint64_t salt, uint64_t id, uint32_t seq, const void *body, size_t len)
{
    size_t n = st_msg(v->in, salt, SID, id, seq, body, len);
    return mt_sess_server_feed(v->s, v->in, n, 0, ST_T0);
}

static size_t ping(uint8_t *b, uint64_t ping_id)
{
    mt_store_le32(b, ID_PING);
    mt_store_le64(b + 4, ping_id);
    return 12;
}

/* Build the server's output; return the container item count (1 if single)
 * and copy the i-th message body ctor list into ctors. */
static int drain(struct srv *v, uint32_t *ctors, uint8_t **bodies, int max)
{
    int n = mt_sess_server_build(v->s, v->out, sizeof(v->out), 0, ST_T0);
    if (n <= 0) return 0;
    assert_int_equal(mt_load_le64(v->out + 8), SID);
    assert_int_equal(mt_load_le64(v->out + 16) & 1, 1);   /* server ids are odd */
    uint8_t *body = v->out + 32;
    if (mt_load_le32(body) != ID_CONTAINER) {
        ctors[0] = mt_load_le32(body);
        bodies[0] = body;
        return 1;
    }
    struct mt_container_iter it;
    struct mt_msg_item item;
    assert_int_equal(mt_container_iter_init(&it, body, (size_t)n - 32, mt_load_le64(v->out + 16)), 0);
    int k = 0;
    while (mt_container_next(&it, &item) == 1 && k < max) {
        ctors[k] = mt_load_le32(item.body);
        bodies[k++] = (uint8_t *)item.body;
    }
    return k;
}

static void expect_bad(struct srv *v, uint64_t bad_id, int code)
{
    uint32_t ctors[8];
    uint8_t *b[8];
    assert_int_equal(drain(v, ctors, b, 8), 1);
    assert_int_equal(ctors[0], code == 48 ? ID_BAD_SALT : ID_BAD_MSG);
    assert_true(mt_load_le64(b[0] + 4) == bad_id);
    assert_int_equal(mt_load_le32(b[0] + 16), (uint32_t)code);
    if (code == 48) assert_true(mt_load_le64(b[0] + 20) == SALT);
}

static void test_salt_checks(void **state)
{
    (void)state;
    struct srv *v = srv_new();
    uint8_t b[16];
    size_t n = ping(b, 1);
    /* salt 0 on a new session: bad_server_salt with the right one, no session yet */
    uint64_t id = nid(v);
    assert_int_equal(feed(v, 0, id, 1, b, n), 0);
    expect_bad(v, id, 48);
    assert_int_equal(v->r.ev[MT_SESS_EV_NEW_SESSION], 0);
    /* a wrong salt: same */
    id = nid(v);
    assert_int_equal(feed(v, 0x999, id, 3, b, n), 0);
    expect_bad(v, id, 48);
    /* the right one: new_session_created + pong */
    id = nid(v);
    assert_int_equal(feed(v, SALT, id, 5, b, n), 0);
    uint32_t ctors[8];
    uint8_t *bodies[8];
    assert_int_equal(drain(v, ctors, bodies, 8), 2);
    assert_int_equal(ctors[0], ID_NEW_SESSION);
    assert_true(mt_load_le64(bodies[0] + 4) == id);            /* first_msg_id */
    assert_true(mt_load_le64(bodies[0] + 20) == SALT);
    assert_int_equal(ctors[1], ID_PONG);
    assert_true(mt_load_le64(bodies[1] + 4) == id);
    /* the previous salt is accepted during a change */
    mt_sess_server_set_salt(v->s, 0x2222, SALT);
    assert_int_equal(feed(v, SALT, nid(v), 7, b, n), 0);
    assert_int_equal(drain(v, ctors, bodies, 8), 1);
    assert_int_equal(ctors[0], ID_PONG);
    assert_int_equal(mt_sess_server_stats(v->s)->bad_msg_sent, 2);
    srv_free(v);
}

static void test_msg_id_checks(void **state)
{
    (void)state;
    struct srv *v = srv_new();
    uint8_t b[16];
    size_t n = ping(b, 1);
    uint64_t base = (uint64_t)ST_T0 << 32;
    assert_int_equal(feed(v, SALT, base + 1, 1, b, n), 0);   /* odd: 18 */
    expect_bad(v, base + 1, MT_BAD_MSG_ID_PARITY);
    assert_int_equal(feed(v, SALT, base + 2, 1, b, n), 0);   /* 2 mod 4: 18 */
    expect_bad(v, base + 2, MT_BAD_MSG_ID_PARITY);
    uint64_t old = base - (301ull << 32);
    assert_int_equal(feed(v, SALT, old, 1, b, n), 0);
    expect_bad(v, old, MT_BAD_MSG_ID_LOW);
    uint64_t fut = base + (31ull << 32);
    assert_int_equal(feed(v, SALT, fut, 1, b, n), 0);
    expect_bad(v, fut, MT_BAD_MSG_ID_HIGH);
    /* edges are accepted */
    assert_int_equal(feed(v, SALT, base - (299ull << 32), 1, b, n), 0);
    assert_int_equal(feed(v, SALT, base + (29ull << 32), 3, b, n), 0);
    uint32_t c[8];
    uint8_t *bb[8];
    assert_int_equal(drain(v, c, bb, 8), 3);   /* new session + 2 pongs */
    srv_free(v);
}

static void test_replay_and_too_old(void **state)
{
    (void)state;
    struct srv *v = srv_new();
    uint8_t b[16];
    size_t n = ping(b, 1);
    uint64_t ids[MT_SESS_RECENT_IDS + 1];
    uint32_t seq = 1;
    for (int i = 0; i <= MT_SESS_RECENT_IDS; i++) {
        ids[i] = nid(v);
        assert_int_equal(feed(v, SALT, ids[i], seq, b, n), 0);
        seq += 2;
    }
    uint32_t c[1100];
    uint8_t *bb[1100];
    drain(v, c, bb, 1100);
    /* replay of a stored id: dropped silently */
    assert_int_equal(feed(v, SALT, ids[MT_SESS_RECENT_IDS], seq, b, n), MT_E_MSG_ID);
    assert_int_equal(mt_sess_server_want_send(v->s), 0);
    /* below every stored id (window full): 20 */
    assert_int_equal(feed(v, SALT, ids[0], 1, b, n), 0);
    expect_bad(v, ids[0], MT_BAD_MSG_TOO_OLD);
    assert_int_equal(mt_sess_server_stats(v->s)->duplicates, 1);
    srv_free(v);
}

static void test_seq_no_checks(void **state)
{
    (void)state;
    struct srv *v = srv_new();
    uint8_t b[16], ack[20];
    size_t n = ping(b, 1);
    uint32_t c[8];
    uint8_t *bb[8];
    uint8_t q[8];
    mt_store_le32(q, ID_ECHO);
    mt_store_le32(q + 4, 0);
    uint64_t id = nid(v);
    assert_int_equal(feed(v, SALT, id, 2, q, 8), 0);           /* API query with even seq: 35 */
    expect_bad(v, id, MT_BAD_MSG_SEQ_ODD);
    assert_int_equal(v->r.queries, 0);
    mt_store_le32(ack, ID_MSGS_ACK);
    mt_store_le32(ack + 4, MT_TL_VECTOR);
    mt_store_le32(ack + 8, 1);
    mt_store_le64(ack + 12, 5);
    id = nid(v);
    assert_int_equal(feed(v, SALT, id, 3, ack, 20), 0);        /* ack with odd seq: 34 */
    expect_bad(v, id, MT_BAD_MSG_SEQ_EVEN);
    assert_int_equal(feed(v, SALT, nid(v), 9, b, n), 0);       /* accepted */
    drain(v, c, bb, 8);
    id = nid(v);
    assert_int_equal(feed(v, SALT, id, 7, b, n), 0);           /* higher id, lower seq: 32 */
    expect_bad(v, id, MT_BAD_MSG_SEQ_LOW);
    id = v->next - 8;                                           /* lower id, higher seq: 33 */
    assert_int_equal(feed(v, SALT, id, 11, b, n), 0);
    expect_bad(v, id, MT_BAD_MSG_SEQ_HIGH);
    id = v->next - 12;                                          /* lower id, lower seq: fine */
    assert_int_equal(feed(v, SALT, id, 5, b, n), 0);
    /* below first_msg_id: a second new_session_created (service_messages.md) */
    assert_int_equal(drain(v, c, bb, 8), 2);
    assert_int_equal(c[0], ID_NEW_SESSION);
    assert_true(mt_load_le64(bb[0] + 4) == id);
    assert_int_equal(c[1], ID_PONG);
    assert_int_equal(feed(v, SALT, nid(v), 4, ack, 20), 0);    /* even ack: accepted, no answer */
    assert_int_equal(mt_sess_server_want_send(v->s), 0);
    assert_int_equal(v->r.acked_ids, 1);
    srv_free(v);
}

static size_t container(uint8_t *out, const uint64_t *ids, const uint32_t *seqs, int n,
                        const uint8_t *body, size_t blen)
{
    struct mt_tl_writer w;
    struct mt_container_w c;
    mt_tl_writer_init(&w, out, 8192);
    mt_container_start(&c, &w);
    for (int i = 0; i < n; i++) mt_container_add(&c, ids[i], seqs[i], body, blen);
    mt_container_finish(&c);
    return w.pos;
}

static void test_containers(void **state)
{
    (void)state;
    struct srv *v = srv_new();
    uint8_t b[16], cbuf[8192];
    size_t n = ping(b, 1);
    uint32_t c[8];
    uint8_t *bb[8];
    uint64_t ids[3] = { nid(v), nid(v), nid(v) };
    uint32_t seqs[3] = { 1, 3, 5 };
    size_t cl = container(cbuf, ids, seqs, 3, b, n);
    uint64_t cid = nid(v);
    assert_int_equal(feed(v, SALT, cid, 6, cbuf, cl), 0);
    assert_int_equal(drain(v, c, bb, 8), 4);
    assert_int_equal(c[0], ID_NEW_SESSION);
    assert_true(mt_load_le64(bb[0] + 4) == ids[0]);   /* first_msg_id: the lowest item */
    assert_int_equal(c[1], ID_PONG);
    assert_int_equal(mt_sess_server_stats(v->s)->containers_in, 1);
    /* the same container id again (a replay, even with other content): ignored */
    uint64_t ids2[1] = { nid(v) };
    uint32_t s2[1] = { 7 };
    cl = container(cbuf, ids2, s2, 1, b, n);
    assert_int_equal(feed(v, SALT, cid, 8, cbuf, cl), MT_E_MSG_ID);
    assert_int_equal(mt_sess_server_want_send(v->s), 0);
    assert_int_equal(mt_sess_server_stats(v->s)->duplicates, 1);
    /* container with odd seq: 34 */
    uint64_t cid2 = nid(v);
    assert_int_equal(feed(v, SALT, cid2, 9, cbuf, cl), 0);
    expect_bad(v, cid2, MT_BAD_MSG_SEQ_EVEN);
    /* item id above the container: 64, nothing processed */
    uint64_t hi[1] = { v->next + 400 };
    cl = container(cbuf, hi, s2, 1, b, n);
    cid2 = nid(v);
    assert_int_equal(feed(v, SALT, cid2, 8, cbuf, cl), 0);
    expect_bad(v, cid2, MT_BAD_MSG_CONTAINER);
    /* nested container: 64 */
    uint8_t inner[256];
    uint64_t iid[1] = { nid(v) };
    size_t il = container(inner, iid, s2, 1, b, n);
    uint64_t oid[1] = { nid(v) };
    uint32_t os[1] = { 8 };
    cl = container(cbuf, oid, os, 1, inner, il);
    cid2 = nid(v);
    assert_int_equal(feed(v, SALT, cid2, 8, cbuf, cl), 0);
    expect_bad(v, cid2, MT_BAD_MSG_CONTAINER);
    /* one bad item (API query with even seq) rejects the whole container */
    uint8_t q[8];
    mt_store_le32(q, ID_ECHO);
    mt_store_le32(q + 4, 0);
    uint64_t mix[2] = { nid(v), nid(v) };
    uint32_t ms[2] = { 7, 8 };
    cl = container(cbuf, mix, ms, 2, q, 8);
    cid2 = nid(v);
    assert_int_equal(feed(v, SALT, cid2, 8, cbuf, cl), 0);
    expect_bad(v, cid2, MT_BAD_MSG_SEQ_ODD);
    assert_int_equal(v->r.ev[MT_SESS_EV_BAD_MSG], 4);
    /* an already received item re-sent inside a new container is skipped */
    uint64_t again[2] = { ids[2], nid(v) };
    uint32_t as[2] = { 5, 7 };
    cl = container(cbuf, again, as, 2, b, n);
    assert_int_equal(feed(v, SALT, nid(v), 8, cbuf, cl), 0);
    assert_int_equal(drain(v, c, bb, 8), 1);   /* one pong */
    assert_int_equal(c[0], ID_PONG);
    assert_true(mt_load_le64(bb[0] + 4) == again[1]);
    srv_free(v);
}

static void test_service_answers(void **state)
{
    (void)state;
    struct srv *v = srv_new();
    uint8_t b[64];
    uint32_t c[8];
    uint8_t *bb[8];
    size_t n = ping(b, 1);
    assert_int_equal(feed(v, SALT, nid(v), 1, b, n), 0);
    drain(v, c, bb, 8);
    /* get_future_salts without a callback: the current salt */
    mt_store_le32(b, 0xb921bd04u);
    mt_store_le32(b + 4, 10);
    uint64_t id = nid(v);
    assert_int_equal(feed(v, SALT, id, 3, b, 8), 0);
    assert_int_equal(drain(v, c, bb, 8), 1);
    assert_int_equal(c[0], 0xae500895u);
    assert_true(mt_load_le64(bb[0] + 4) == id);
    assert_int_equal(mt_load_le32(bb[0] + 16), 1);                 /* bare vector count */
    assert_true(mt_load_le64(bb[0] + 28) == SALT);
    /* destroy_session without a callback: none, inside rpc_result */
    mt_store_le32(b, 0xe7512126u);
    mt_store_le64(b + 4, 1234);
    id = nid(v);
    assert_int_equal(feed(v, SALT, id, 5, b, 12), 0);
    assert_int_equal(drain(v, c, bb, 8), 1);
    assert_int_equal(c[0], ID_RPC_RESULT);
    assert_int_equal(mt_load_le32(bb[0] + 12), 0x62d350c9u);
    /* msg_resend_req: answered as msgs_state_info */
    mt_store_le32(b, 0x7d861a08u);
    mt_store_le32(b + 4, MT_TL_VECTOR);
    mt_store_le32(b + 8, 2);
    mt_store_le64(b + 12, id);
    mt_store_le64(b + 20, id + (100ull << 32));
    uint64_t rid = nid(v);
    assert_int_equal(feed(v, SALT, rid, 6, b, 28), 0);
    assert_int_equal(drain(v, c, bb, 8), 1);
    assert_int_equal(c[0], 0x04deb57du);
    assert_true(mt_load_le64(bb[0] + 4) == rid);
    assert_int_equal(bb[0][12], 2);
    assert_int_equal(bb[0][13], 4);
    assert_int_equal(bb[0][14], 3);
    /* http_wait and msgs_state_info from the client: no answer, no query */
    mt_store_le32(b, 0x9299359fu);
    assert_int_equal(feed(v, SALT, nid(v), 6, b, 16), 0);
    assert_int_equal(mt_sess_server_want_send(v->s), 0);
    assert_int_equal(v->r.queries, 0);
    /* a pong or rpc_result from the client is never taken for a query */
    mt_store_le32(b, ID_PONG);
    mt_store_le64(b + 4, 1);
    mt_store_le64(b + 12, 2);
    assert_int_equal(feed(v, SALT, nid(v), 6, b, 20), 0);
    mt_store_le32(b, ID_RPC_RESULT);
    assert_int_equal(feed(v, SALT, nid(v), 7, b, 20), 0);
    assert_int_equal(mt_sess_server_want_send(v->s), 0);
    assert_int_equal(v->r.queries, 0);
    /* msg_copy: processed once */
    uint8_t cp[64];
    mt_store_le32(cp, 0xe06046b2u);
    uint64_t orig = nid(v);
    mt_store_le64(cp + 4, orig);
    mt_store_le32(cp + 12, 7);
    mt_store_le32(cp + 16, 12);
    ping(cp + 20, 77);
    assert_int_equal(feed(v, SALT, nid(v), 8, cp, 32), 0);
    assert_int_equal(drain(v, c, bb, 8), 1);
    assert_int_equal(c[0], ID_PONG);
    assert_true(mt_load_le64(bb[0] + 4) == orig);
    assert_int_equal(feed(v, SALT, nid(v), 8, cp, 32), 0);
    assert_int_equal(mt_sess_server_want_send(v->s), 0);
    /* a gzip_packed query is inflated and passed up */
    struct mt_gzip *gz = mt_gzip_new(0);
    uint8_t q[400], packed[512];
    mt_store_le32(q, ID_ECHO);
    memset(q + 4, 'q', sizeof(q) - 4);
    struct mt_tl_writer w;
    mt_tl_writer_init(&w, packed, sizeof(packed));
    assert_int_equal(mt_gzip_pack(gz, q, sizeof(q), &w), 0);
    id = nid(v);
    assert_int_equal(feed(v, SALT, id, 9, packed, w.pos), 0);
    assert_int_equal(v->r.queries, 1);
    assert_int_equal(v->r.last_q.len, sizeof(q));
    assert_true(v->r.last_q.msg_id == id);
    mt_gzip_free(gz);
    srv_free(v);
}

static void test_session_change_and_malformed(void **state)
{
    (void)state;
    struct srv *v = srv_new();
    uint8_t b[16];
    uint32_t c[8];
    uint8_t *bb[8];
    size_t n = ping(b, 1);
    assert_int_equal(feed(v, SALT, nid(v), 1, b, n), 0);
    drain(v, c, bb, 8);
    /* a new session_id on the same object: a fresh session */
    size_t len = st_msg(v->in, SALT, SID + 1, nid(v), 1, b, n);
    assert_int_equal(mt_sess_server_feed(v->s, v->in, len, 0, ST_T0), 0);
    assert_int_equal(v->r.ev[MT_SESS_EV_SESSION_RESET], 1);
    assert_int_equal(v->r.ev[MT_SESS_EV_NEW_SESSION], 2);
    assert_true(mt_sess_server_session_id(v->s) == SID + 1);
    /* malformed: short, bad length, body shorter than a constructor */
    assert_int_equal(mt_sess_server_feed(v->s, v->in, 31, 0, ST_T0), MT_E_RANGE);
    mt_store_le32(v->in + 28, 4000);
    assert_int_equal(mt_sess_server_feed(v->s, v->in, len, 0, ST_T0), MT_E_RANGE);
    len = st_msg(v->in, SALT, SID + 1, nid(v), 1, b, 0);
    assert_int_equal(mt_sess_server_feed(v->s, v->in, len, 0, ST_T0), MT_E_RANGE);
    /* a truncated ping is a protocol error, not a crash */
    uint64_t before = mt_sess_server_stats(v->s)->proto_errors;
    len = st_msg(v->in, SALT, SID + 1, nid(v), 3, b, 8);
    assert_int_equal(mt_sess_server_feed(v->s, v->in, len, 0, ST_T0), 0);
    assert_true(mt_sess_server_stats(v->s)->proto_errors == before + 1);
    srv_free(v);
}

static void test_result_helpers(void **state)
{
    (void)state;
    struct srv *v = srv_new();
    uint8_t b[16];
    uint32_t c[8];
    uint8_t *bb[8];
    size_t n = ping(b, 1);
    assert_int_equal(feed(v, SALT, nid(v), 1, b, n), 0);
    drain(v, c, bb, 8);
    assert_int_equal(mt_sess_server_error(v->s, 0x1234, 303, "PHONE_MIGRATE_2"), 0);
    assert_int_equal(drain(v, c, bb, 8), 1);
    assert_int_equal(c[0], ID_RPC_RESULT);
    int32_t code, wait;
    const char *m;
    size_t ml;
    assert_int_equal(mt_rpc_error_parse(bb[0] + 12, 32, &code, &m, &ml, &wait), 0);
    assert_int_equal(code, 303);
    assert_int_equal(ml, 15);
    assert_int_equal(mt_sess_server_result(v->s, 1, b, 3), MT_E_RANGE);   /* not % 4 */
    /* a small output buffer: leftovers stay queued */
    for (int i = 0; i < 10; i++) mt_sess_server_result(v->s, 0x1000 + 4 * (uint64_t)i, b, 12);
    int total = 0, k;
    while ((k = mt_sess_server_build(v->s, v->out, 32 + 8 + 3 * 40, 0, ST_T0)) > 0) {
        assert_true(k <= 32 + 8 + 3 * 40);
        total++;
    }
    assert_int_equal(k, 0);
    assert_int_equal(total, 4);
    assert_int_equal(mt_sess_server_build(v->s, v->out, 40, 0, ST_T0), 0);
    mt_sess_server_result(v->s, 1, b, 12);
    assert_int_equal(mt_sess_server_build(v->s, v->out, 50, 0, ST_T0), MT_E_OVERFLOW);
    srv_free(v);
}

/* test-vectors.md section 9.1: the plaintext of a client ping with the
 * example key's initial salt; the server answers new_session_created + pong. */
static void test_known_client_ping(void **state)
{
    (void)state;
    size_t n;
    uint8_t *plain = mt_test_hex(
        "49a6747298503dce010203040506070834120000523dc565010000000c000000ec77be7a8877665544332211"
        "101112131415161718191a1b1c1d1e1f20212223", &n);
    struct st_rec r;
    memset(&r, 0, sizeof(r));
    struct mt_sess_server_cfg sc = { 0 };
    sc.salt = 0xce3d50987274a649ull;   /* wire bytes 49a6747298503dce */
    sc.unique_id = 0x77;
    struct mt_sess_server_cb cb = { &r, st_on_query, st_on_event, NULL, NULL };
    struct mt_sess_server *s = mt_sess_server_new(&sc, &cb);
    double wall = 1707425106.5;
    assert_int_equal(mt_sess_server_feed(s, plain, n, 0, wall), 0);
    assert_true(mt_sess_server_session_id(s) == 0x0807060504030201ull);
    uint8_t out[512];
    int k = mt_sess_server_build(s, out, sizeof(out), 0, wall);
    assert_true(k > 0);
    assert_true(mt_load_le64(out) == 0xce3d50987274a649ull);
    assert_true(mt_load_le64(out + 8) == 0x0807060504030201ull);
    uint64_t cid = mt_load_le64(out + 16);
    assert_int_equal(cid >> 32, 1707425106u);
    assert_int_equal(mt_load_le32(out + 24) & 1, 0);
    struct mt_container_iter it;
    struct mt_msg_item item;
    assert_int_equal(mt_container_iter_init(&it, out + 32, (size_t)k - 32, cid), 0);
    assert_int_equal(mt_container_next(&it, &item), 1);
    assert_int_equal(mt_load_le32(item.body), ID_NEW_SESSION);
    assert_int_equal(item.msg_id & 3, 3);      /* not a response */
    assert_int_equal(item.seq_no, 1);          /* content-related */
    assert_true(mt_load_le64(item.body + 4) == 0x65c53d5200001234ull);
    assert_true(mt_load_le64(item.body + 12) == 0x77);
    assert_true(mt_load_le64(item.body + 20) == 0xce3d50987274a649ull);
    assert_int_equal(mt_container_next(&it, &item), 1);
    assert_int_equal(mt_load_le32(item.body), ID_PONG);
    assert_int_equal(item.msg_id & 3, 1);      /* a response */
    assert_int_equal(item.seq_no, 2);          /* not content-related */
    assert_true(mt_load_le64(item.body + 4) == 0x65c53d5200001234ull);
    assert_true(mt_load_le64(item.body + 12) == 0x1122334455667788ull);
    assert_int_equal(mt_container_next(&it, &item), 0);
    /* the same ping marked not content-related (seq_no 2) is accepted too */
    mt_store_le64(plain + 16, 0x65c53d5200001238ull);
    mt_store_le32(plain + 24, 2);
    assert_int_equal(mt_sess_server_feed(s, plain, n, 0, wall), 0);
    k = mt_sess_server_build(s, out, sizeof(out), 0, wall);
    assert_true(k > 0);
    assert_int_equal(mt_load_le32(out + 32), ID_PONG);
    mt_sess_server_free(s);
    free(plain);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_salt_checks),
        cmocka_unit_test(test_msg_id_checks),
        cmocka_unit_test(test_replay_and_too_old),
        cmocka_unit_test(test_seq_no_checks),
        cmocka_unit_test(test_containers),
        cmocka_unit_test(test_service_answers),
        cmocka_unit_test(test_session_change_and_malformed),
        cmocka_unit_test(test_result_helpers),
        cmocka_unit_test(test_known_client_ping),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
