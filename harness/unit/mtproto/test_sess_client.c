/* Client session against hand-made server plaintexts: header checks,
 * containers, bad_msg / bad_server_salt handling (re-send, local failure,
 * unknown ids ignored, resend limit), gzip in rpc_result, detailed info,
 * server state / resend requests, updates, rebuild mode, build limits,
 * the time window once synced. */
#include "harness/unit/mtproto/sess_test_util.h"

#include <stdio.h>

#define SALT 0x1111111111111111ull
#define SID 0x5e55000000000077ull

struct cli {
    struct mt_sess_client *c;
    struct st_rec r;
    uint8_t in[65536], out[65536];
    uint64_t next;   /* next server msg_id */
    int rebuilds;
};

static int cli_rebuild(void *ctx, uint64_t tag, struct mt_tl_writer *w)
{
    struct cli *v = (struct cli *)((uint8_t *)ctx - offsetof(struct cli, r));
    v->rebuilds++;
    if (tag == 666) return -1;
    mt_tl_w32(w, ID_ECHO);
    mt_tl_w64(w, tag);
    return 0;
}

static struct cli *cli_new(unsigned flags)
{
    struct cli *v = calloc(1, sizeof(*v));
    struct mt_sess_client_cfg cc = { 0 };
    cc.session_id = SID;
    cc.salt = SALT;
    cc.flags = flags;
    cc.max_resends = 3;
    struct mt_sess_client_cb cb = { &v->r, st_on_result, st_on_error, st_on_event, cli_rebuild };
    v->c = mt_sess_client_new(&cc, &cb);
    v->next = ((uint64_t)ST_T0 << 32) + 0x100001;
    return v;
}

static void cli_free(struct cli *v)
{
    mt_sess_client_free(v->c);
    free(v);
}

static uint64_t sid_next(struct cli *v) { v->next += 4; return v->next; }

static int feed(struct cli *v, uint64_t id, uint32_t seq, const void *body, size_t len)
{
    size_t n = st_msg(v->in, 0, SID, id, seq, body, len);
    return mt_sess_client_feed(v->c, v->in, n, 0, ST_T0);
}

static uint64_t query(struct cli *v, uint64_t tag)
{
    uint8_t b[12];
    uint64_t id;
    mt_store_le32(b, ID_ECHO);
    mt_store_le64(b + 4, tag);
    assert_int_equal(mt_sess_client_query(v->c, b, sizeof(b), tag, 0, ST_T0, &id), 0);
    return id;
}

/* Build once; return the envelope msg_id. */
static uint64_t send(struct cli *v)
{
    int n = mt_sess_client_build(v->c, v->out, sizeof(v->out), 0, ST_T0, 0);
    assert_true(n > 0);
    assert_true(mt_load_le64(v->out) == mt_sess_client_salt(v->c));
    assert_true(mt_load_le64(v->out + 8) == SID);
    return mt_load_le64(v->out + 16);
}

static size_t result(uint8_t *b, uint64_t req, const void *obj, size_t len)
{
    mt_store_le32(b, ID_RPC_RESULT);
    mt_store_le64(b + 4, req);
    memcpy(b + 12, obj, len);
    return 12 + len;
}

static size_t bad_msg(uint8_t *b, uint64_t bad_id, int code, uint64_t salt)
{
    mt_store_le32(b, code == 48 ? ID_BAD_SALT : ID_BAD_MSG);
    mt_store_le64(b + 4, bad_id);
    mt_store_le32(b + 12, 1);
    mt_store_le32(b + 16, (uint32_t)code);
    mt_store_le64(b + 20, salt);
    return code == 48 ? 28 : 20;
}

static void test_header_checks(void **state)
{
    (void)state;
    struct cli *v = cli_new(0);
    uint8_t upd[8] = { 1, 2, 3, 4, 0, 0, 0, 0 };
    size_t n = st_msg(v->in, 0, SID + 1, sid_next(v), 1, upd, 8);
    assert_int_equal(mt_sess_client_feed(v->c, v->in, n, 0, ST_T0), MT_E_SESSION_ID);
    n = st_msg(v->in, 0, SID, sid_next(v) + 3, 1, upd, 8);   /* even server id */
    assert_int_equal(mt_sess_client_feed(v->c, v->in, n, 0, ST_T0), MT_E_MSG_ID);
    assert_int_equal(mt_sess_client_feed(v->c, v->in, 20, 0, ST_T0), MT_E_RANGE);
    assert_int_equal(v->r.ev[MT_SESS_EV_UPDATE], 0);
    assert_int_equal(v->r.ev[MT_SESS_EV_PROTO_ERROR], 3);
    /* containers: odd seq, even item id, nested */
    uint8_t cb[512];
    struct mt_tl_writer w;
    struct mt_container_w c;
    mt_tl_writer_init(&w, cb, sizeof(cb));
    mt_container_start(&c, &w);
    mt_container_add(&c, v->next + 4, 1, upd, 8);
    mt_container_finish(&c);
    assert_int_equal(feed(v, v->next + 8, 3, cb, w.pos), MT_E_SEQ_NO);
    mt_store_le64(cb + 8, v->next + 5);   /* even */
    assert_int_equal(feed(v, v->next + 12, 2, cb, w.pos), MT_E_MSG_ID);
    assert_int_equal(v->r.ev[MT_SESS_EV_UPDATE], 0);
    /* a good one: update dispatched and acked */
    mt_store_le64(cb + 8, v->next + 16);
    v->next += 20;
    assert_int_equal(feed(v, v->next, 2, cb, w.pos), 0);
    assert_int_equal(v->r.ev[MT_SESS_EV_UPDATE], 1);
    assert_int_equal(mt_sess_client_acks_pending(v->c), 1);
    /* the container id again: a duplicate, ignored */
    assert_int_equal(feed(v, v->next, 2, cb, w.pos), 0);
    assert_int_equal(v->r.ev[MT_SESS_EV_UPDATE], 1);
    cli_free(v);
}

static void test_bad_msg_for_unknown_id_ignored(void **state)
{
    (void)state;
    struct cli *v = cli_new(0);
    uint8_t b[64];
    query(v, 1);
    send(v);
    size_t n = bad_msg(b, 0x777, 48, 0xbad);
    assert_int_equal(feed(v, sid_next(v), 2, b, n), 0);
    assert_true(mt_sess_client_salt(v->c) == SALT);      /* not something we sent: no change */
    n = bad_msg(b, 0x777, 16, 0);
    assert_int_equal(feed(v, sid_next(v) + (1000ull << 32), 2, b, n), 0);
    assert_true(mt_sess_client_time_offset(v->c) == 0.0);
    assert_int_equal(mt_sess_client_stats(v->c)->resent, 0);
    cli_free(v);
}

static void test_bad_salt_for_container(void **state)
{
    (void)state;
    struct cli *v = cli_new(0);
    uint8_t b[64];
    uint64_t q1 = query(v, 1), q2 = query(v, 2);
    uint64_t cid = send(v);
    assert_int_equal(mt_load_le32(v->out + 32), ID_CONTAINER);
    size_t n = bad_msg(b, cid, 48, 0x2222);
    assert_int_equal(feed(v, sid_next(v), 2, b, n), 0);
    assert_true(mt_sess_client_salt(v->c) == 0x2222);
    assert_int_equal(mt_sess_client_stats(v->c)->resent, 2);
    send(v);
    assert_true(mt_load_le64(v->out) == 0x2222);
    /* both re-sent with new ids; the old ones are no longer answered */
    struct mt_container_iter it;
    struct mt_msg_item item;
    assert_int_equal(mt_container_iter_init(&it, v->out + 32, 1024, mt_load_le64(v->out + 16)), 0);
    assert_int_equal(mt_container_next(&it, &item), 1);
    assert_true(item.msg_id > cid);
    uint64_t n1 = item.msg_id;
    uint8_t ok[4] = { 0xb5, 0x75, 0x72, 0x99 };
    n = result(b, q1, ok, 4);
    feed(v, sid_next(v), 1, b, n);
    assert_int_equal(mt_sess_client_stats(v->c)->unknown_req, 1);
    n = result(b, n1, ok, 4);
    feed(v, sid_next(v), 1, b, n);
    assert_int_equal(v->r.results, 1);
    assert_int_equal(v->r.last_tag, 1);
    (void)q2;
    cli_free(v);
}

static void test_bad_msg_fatal_codes_fail_locally(void **state)
{
    (void)state;
    int codes[] = { 18, 19, 34, 35, 64 };
    for (size_t i = 0; i < MT_ARRAY_LEN(codes); i++) {
        struct cli *v = cli_new(0);
        uint8_t b[64];
        uint64_t q = query(v, 5);
        send(v);
        size_t n = bad_msg(b, q, codes[i], 0);
        assert_int_equal(feed(v, sid_next(v), 2, b, n), 0);
        assert_int_equal(v->r.errors, 1);
        assert_int_equal(v->r.last_code, MT_SESS_LOCAL_FAIL);
        char want[16];
        snprintf(want, sizeof(want), "BAD_MSG_%d", codes[i]);
        assert_string_equal(v->r.last_msg, want);
        assert_int_equal(mt_sess_client_inflight(v->c), 0);
        assert_int_equal(v->r.last_ev[MT_SESS_EV_BAD_MSG].code, codes[i]);
        cli_free(v);
    }
}

static void test_resend_limit(void **state)
{
    (void)state;
    struct cli *v = cli_new(0);
    uint8_t b[64];
    query(v, 9);
    for (int i = 0; i < 3; i++) {
        uint64_t id = send(v);
        size_t n = bad_msg(b, id, 20, 0);   /* too old: re-send */
        assert_int_equal(feed(v, sid_next(v), 2, b, n), 0);
        assert_int_equal(v->r.errors, 0);
    }
    uint64_t id = send(v);
    size_t n = bad_msg(b, id, 32, 0);
    assert_int_equal(feed(v, sid_next(v), 2, b, n), 0);
    assert_int_equal(v->r.errors, 1);       /* max_resends = 3 */
    assert_int_equal(mt_sess_client_stats(v->c)->local_failures, 1);
    assert_int_equal(mt_sess_client_inflight(v->c), 0);
    cli_free(v);
}

static void test_gzip_results(void **state)
{
    (void)state;
    struct cli *v = cli_new(0);
    struct mt_gzip *gz = mt_gzip_new(0);
    uint8_t obj[1000], b[2048];
    mt_store_le32(obj, ID_ECHO);
    memset(obj + 4, 'r', sizeof(obj) - 4);
    uint64_t q = query(v, 1);
    send(v);
    mt_store_le32(b, ID_RPC_RESULT);
    mt_store_le64(b + 4, q);
    struct mt_tl_writer w;
    mt_tl_writer_init(&w, b + 12, sizeof(b) - 12);
    assert_int_equal(mt_gzip_pack(gz, obj, sizeof(obj), &w), 0);
    assert_int_equal(feed(v, sid_next(v), 1, b, 12 + w.pos), 0);
    assert_int_equal(v->r.results, 1);
    assert_int_equal(v->r.last_len, sizeof(obj));
    assert_memory_equal(v->r.last_body, obj, sizeof(obj));
    /* an rpc_error inside gzip_packed is an error */
    uint8_t err[64];
    struct mt_tl_writer ew;
    mt_tl_writer_init(&ew, err, sizeof(err));
    mt_tl_w32(&ew, ID_RPC_ERROR);
    mt_tl_w32(&ew, 500);
    mt_tl_wbytes(&ew, "INTERNAL_SERVER_ERROR_INTERNAL_SERVER_ERROR", 43);
    q = query(v, 2);
    send(v);
    mt_store_le64(b + 4, q);
    mt_tl_writer_init(&w, b + 12, sizeof(b) - 12);
    size_t cl;
    uint8_t tmp[256];
    assert_int_equal(mt_gzip_deflate(gz, err, ew.pos, tmp, sizeof(tmp), &cl), 0);
    mt_tl_w32(&w, ID_GZIP);
    mt_tl_wbytes(&w, tmp, cl);
    assert_int_equal(feed(v, sid_next(v), 1, b, 12 + w.pos), 0);
    assert_int_equal(v->r.errors, 1);
    assert_int_equal(v->r.last_code, 500);
    /* a corrupt stream fails the request, counted */
    q = query(v, 3);
    send(v);
    mt_store_le64(b + 4, q);
    b[12 + 4 + 1 + 3] ^= 0xff;
    assert_int_equal(feed(v, sid_next(v), 1, b, 12 + w.pos), 0);
    assert_int_equal(v->r.errors, 2);
    assert_string_equal(v->r.last_msg, "GZIP_BAD");
    assert_int_equal(mt_sess_client_stats(v->c)->gzip_in, 2);
    assert_int_equal(mt_sess_client_inflight(v->c), 0);
    /* every result is acked: two went out with the later queries */
    assert_int_equal(mt_sess_client_acks_pending(v->c), 1);
    assert_int_equal(mt_sess_client_stats(v->c)->acks_out, 2);
    mt_gzip_free(gz);
    cli_free(v);
}

static void test_detailed_info_and_peer_requests(void **state)
{
    (void)state;
    struct cli *v = cli_new(MT_SESS_F_NO_CONTAINER);
    uint8_t b[64];
    uint8_t upd[8] = { 1, 2, 3, 4, 0, 0, 0, 0 };
    uint64_t got = sid_next(v);
    assert_int_equal(feed(v, got, 1, upd, 8), 0);
    uint64_t q = query(v, 1);
    send(v);   /* q */
    assert_int_equal(mt_sess_client_acks_pending(v->c), 1);
    /* msg_detailed_info for an answer we have: ack it */
    mt_store_le32(b, 0x276d3ec6u);
    mt_store_le64(b + 4, q);
    mt_store_le64(b + 12, got);
    mt_store_le32(b + 20, 100);
    mt_store_le32(b + 24, 0);
    assert_int_equal(feed(v, sid_next(v), 2, b, 28), 0);
    assert_int_equal(mt_sess_client_acks_pending(v->c), 2);
    /* msg_new_detailed_info for one we never got: msg_resend_req */
    mt_store_le32(b, 0x809db6dfu);
    mt_store_le64(b + 4, got + 400);
    mt_store_le32(b + 12, 100);
    mt_store_le32(b + 16, 0);
    assert_int_equal(feed(v, sid_next(v), 2, b, 20), 0);
    send(v);
    assert_int_equal(mt_load_le32(v->out + 32), 0x7d861a08u);
    assert_true(mt_load_le64(v->out + 44) == got + 400);
    assert_int_equal(mt_load_le32(v->out + 24) & 1, 0);
    /* msgs_state_req from the server: answered with msgs_state_info */
    mt_store_le32(b, 0xda69fb52u);
    mt_store_le32(b + 4, MT_TL_VECTOR);
    mt_store_le32(b + 8, 2);
    mt_store_le64(b + 12, got);
    mt_store_le64(b + 20, got + (1000ull << 32));
    uint64_t req = sid_next(v);
    assert_int_equal(feed(v, req, 2, b, 28), 0);
    send(v);
    assert_int_equal(mt_load_le32(v->out + 32), 0x04deb57du);
    assert_true(mt_load_le64(v->out + 36) == req);
    assert_int_equal(v->out[44], 2);
    assert_int_equal(v->out[45], 4);
    assert_int_equal(v->out[46], 3);
    /* msg_resend_req for our query: re-sent with a new id */
    mt_store_le32(b, 0x7d861a08u);
    mt_store_le32(b + 4, MT_TL_VECTOR);
    mt_store_le32(b + 8, 1);
    mt_store_le64(b + 12, q);
    assert_int_equal(feed(v, sid_next(v), 2, b, 20), 0);
    uint64_t again = send(v);
    assert_true(again > q);
    assert_int_equal(mt_load_le32(v->out + 32), ID_ECHO);
    /* a pong inside rpc_result is accepted */
    uint64_t pm;
    mt_sess_client_ping(v->c, 321, 0, 0, ST_T0, &pm);
    send(v);
    uint8_t pong[20];
    mt_store_le32(pong, ID_PONG);
    mt_store_le64(pong + 4, pm);
    mt_store_le64(pong + 12, 321);
    size_t n = result(b, pm, pong, 20);
    assert_int_equal(feed(v, sid_next(v), 1, b, n), 0);
    assert_int_equal(v->r.ev[MT_SESS_EV_PONG], 1);
    assert_int_equal(mt_sess_client_stats(v->c)->unknown_req, 0);
    cli_free(v);
}

static void test_rebuild_mode(void **state)
{
    (void)state;
    struct cli *v = cli_new(MT_SESS_F_REBUILD);
    size_t idle = mt_sess_client_mem(v->c);
    uint8_t b[64];
    query(v, 41);
    query(v, 666);                          /* its rebuild fails */
    uint64_t cid = send(v);
    assert_int_equal(v->rebuilds, 0);        /* first send uses the stored body */
    size_t n = bad_msg(b, cid, 48, 0x3333);
    feed(v, sid_next(v), 2, b, n);
    send(v);
    assert_int_equal(v->rebuilds, 2);
    assert_int_equal(v->r.errors, 1);
    assert_int_equal(v->r.last_tag, 666);
    assert_string_equal(v->r.last_msg, "REBUILD_FAILED");
    /* a container holding the one query left */
    assert_int_equal(mt_load_le32(v->out + 32), ID_CONTAINER);
    assert_int_equal(mt_load_le32(v->out + 36), 1);
    assert_int_equal(mt_load_le32(v->out + 32 + 8 + 16), ID_ECHO);
    assert_int_equal(mt_load_le64(v->out + 32 + 8 + 16 + 4), 41);
    assert_int_equal(mt_sess_client_inflight(v->c), 1);
    (void)idle;
    cli_free(v);
}

static void test_build_limits(void **state)
{
    (void)state;
    struct cli *v = cli_new(0);
    for (uint64_t i = 0; i < 10; i++) query(v, i);
    int total = 0, n;
    size_t cap = 32 + 8 + 3 * (16 + 12);
    while ((n = mt_sess_client_build(v->c, v->out, cap, 0, ST_T0, 0)) > 0) {
        assert_true((size_t)n <= cap);
        total++;
    }
    assert_int_equal(n, 0);
    assert_int_equal(total, 4);    /* 3 + 3 + 3 + 1 */
    query(v, 11);
    assert_int_equal(mt_sess_client_build(v->c, v->out, 40, 0, ST_T0, 0), MT_E_OVERFLOW);
    assert_true(mt_sess_client_want_send(v->c, 0));
    assert_true(mt_sess_client_build(v->c, v->out, 64, 0, ST_T0, 0) > 0);
    /* bodies that are not whole TL words are refused */
    uint8_t b[16] = { 0 };
    uint64_t id;
    assert_int_equal(mt_sess_client_query(v->c, b, 6, 1, 0, ST_T0, &id), MT_E_RANGE);
    assert_int_equal(mt_sess_client_query(v->c, b, 0, 1, 0, ST_T0, &id), MT_E_RANGE);
    cli_free(v);
}

static void test_time_window_once_synced(void **state)
{
    (void)state;
    struct cli *v = cli_new(MT_SESS_F_CHECK_TIME);
    uint8_t b[64], upd[8] = { 1, 2, 3, 4, 0, 0, 0, 0 };
    /* not synced yet: a far-off server id is accepted */
    assert_int_equal(feed(v, sid_next(v) + (1000ull << 32), 1, upd, 8), 0);
    uint64_t q = query(v, 1);
    send(v);
    size_t n = bad_msg(b, q, 16, 0);
    assert_int_equal(feed(v, sid_next(v) + (2000ull << 32), 2, b, n), 0);
    assert_int_equal(v->r.ev[MT_SESS_EV_TIME_CORRECTED], 1);
    double off = mt_sess_client_time_offset(v->c);
    assert_true(off > 1999.0 && off < 2001.0);
    /* synced: an id 400 s off our corrected clock is dropped ... */
    assert_int_equal(feed(v, sid_next(v) + (1600ull << 32), 1, upd, 8), MT_E_MSG_ID);
    /* ... but salt notifications are honoured whatever their time */
    uint64_t q2 = send(v);
    n = bad_msg(b, q2, 48, 0x4444);
    assert_int_equal(feed(v, sid_next(v), 2, b, n), 0);
    assert_true(mt_sess_client_salt(v->c) == 0x4444);
    cli_free(v);
}

/* After a time correction, queued but unsent queries get ids from the
 * corrected clock too (their old ids would be rejected the same way). */
static void test_time_correction_renumbers_queue(void **state)
{
    (void)state;
    struct cli *v = cli_new(MT_SESS_F_NO_CONTAINER);
    uint8_t b[64];
    uint64_t q1 = query(v, 1), q2 = query(v, 2), q3 = query(v, 3);
    assert_true(send(v) == q1);
    size_t n = bad_msg(b, q1, 17, 0);
    uint64_t srv = ((uint64_t)(ST_T0 - 500) << 32) | 1;   /* the client is 500 s ahead */
    assert_int_equal(feed(v, srv, 2, b, n), 0);
    uint64_t ids[3];
    for (int i = 0; i < 3; i++) {
        ids[i] = send(v);
        assert_int_equal(ids[i] >> 32, (uint64_t)ST_T0 - 500);
    }
    assert_true(ids[0] < ids[1] && ids[1] < ids[2]);
    assert_int_equal(v->r.ev[MT_SESS_EV_RESENT], 3);
    assert_true(ids[0] != q2 && ids[1] != q3);
    assert_int_equal(mt_load_le64(v->out + 36), 1);   /* the re-sent q1 goes last */
    cli_free(v);
}

/* test-vectors.md section 3.3: the decrypted plaintext of a real server
 * message, a msg_container with new_session_created and pong. */
static void test_real_server_plaintext(void **state)
{
    (void)state;
    size_t n;
    uint8_t *plain = mt_test_hex(
        "fc826a02248b28fd60f2c4822443ad6801f0c1c2918b305e0200000058000000"
        "dcf8f1730200000001a8c1c2918b305e010000001c0000000809c29ec4fd33ad"
        "918b305e18a88ea607ee5816fc826a02248b28fd01ccc1c2918b305e02000000"
        "14000000c5737734c4fd33ad918b305e6408300000000000fce66704a3cd8ee9"
        "d0ae6fab672c60c04a3f1fd4490e51f6", &n);
    assert_int_equal(n, 144);
    struct st_rec r;
    memset(&r, 0, sizeof(r));
    struct mt_sess_client_cfg cc = { 0 };
    cc.session_id = 0x68ad432482c4f260ull;
    cc.salt = 0x1234;
    struct mt_sess_client_cb cb = { &r, st_on_result, st_on_error, st_on_event, NULL };
    struct mt_sess_client *c = mt_sess_client_new(&cc, &cb);
    assert_int_equal(mt_sess_client_feed(c, plain, n, 0, 1580239761.0), 0);   /* padding after the body is ignored */
    assert_int_equal(r.ev[MT_SESS_EV_NEW_SESSION], 1);
    assert_true(r.last_ev[MT_SESS_EV_NEW_SESSION].msg_id == 0x5e308b91ad33fdc4ull);
    assert_true(r.last_ev[MT_SESS_EV_NEW_SESSION].unique_id == 0x1658ee07a68ea818ull);
    assert_true(r.last_ev[MT_SESS_EV_NEW_SESSION].salt == 0xfd288b24026a82fcull);
    assert_true(mt_sess_client_salt(c) == 0xfd288b24026a82fcull);
    /* the pong answers a ping this client never sent: counted, not fatal */
    assert_int_equal(mt_sess_client_stats(c)->unknown_req, 1);
    assert_int_equal(mt_sess_client_stats(c)->containers_in, 1);
    /* new_session_created (seqno 1) is acked, the pong (seqno 2) is not */
    assert_int_equal(mt_sess_client_acks_pending(c), 1);
    uint8_t out[256];
    int k = mt_sess_client_build(c, out, sizeof(out), 0, 1580239761.0, 1);
    assert_int_equal(k, 32 + 20);
    assert_int_equal(mt_load_le32(out + 32), ID_MSGS_ACK);
    assert_true(mt_load_le64(out + 44) == 0x5e308b91c2c1a801ull);
    assert_true(mt_load_le64(out) == 0xfd288b24026a82fcull);
    /* the same plaintext again: a replay, ignored */
    assert_int_equal(mt_sess_client_feed(c, plain, n, 0, 1580239761.0), 0);
    assert_int_equal(r.ev[MT_SESS_EV_NEW_SESSION], 1);
    assert_int_equal(mt_sess_client_stats(c)->duplicates, 1);
    mt_sess_client_free(c);
    free(plain);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_header_checks),
        cmocka_unit_test(test_bad_msg_for_unknown_id_ignored),
        cmocka_unit_test(test_bad_salt_for_container),
        cmocka_unit_test(test_bad_msg_fatal_codes_fail_locally),
        cmocka_unit_test(test_resend_limit),
        cmocka_unit_test(test_gzip_results),
        cmocka_unit_test(test_detailed_info_and_peer_requests),
        cmocka_unit_test(test_rebuild_mode),
        cmocka_unit_test(test_build_limits),
        cmocka_unit_test(test_time_window_once_synced),
        cmocka_unit_test(test_time_correction_renumbers_queue),
        cmocka_unit_test(test_real_server_plaintext),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
