/* Client session against server session in memory (plaintext level): pings,
 * RPCs with results and errors, containers, gzip both ways, salt change with
 * re-send, clock skew corrected via bad_msg 16/17, duplicated / reordered /
 * replayed messages, unknown req_msg_id, ack flushing, new_session_created,
 * destroy_session, future_salts, msgs_state_req, drop_answer, wrappers. */
#include "harness/unit/mtproto/sess_test_util.h"

static uint8_t *query_body(uint64_t i, size_t len)
{
    static uint8_t b[65536];
    assert_true(len <= sizeof(b) && len >= 12 && !(len & 3));
    mt_store_le32(b, ID_ECHO);
    for (size_t k = 4; k < len; k += 4) mt_store_le32(b + k, (uint32_t)(i * 7 + k / 4));
    return b;
}

static uint64_t st_query(struct st_pair *p, uint64_t tag, size_t len)
{
    uint64_t id = 0;
    assert_int_equal(mt_sess_client_query(p->c, query_body(tag, len), len, tag, p->now, p->wall_c, &id), 0);
    assert_int_equal(id & 3, 0);
    return id;
}

static void test_ping_pong_and_new_session(void **state)
{
    (void)state;
    struct st_pair *p = st_pair_new(0, 0, 0, 0);
    uint64_t mid;
    assert_int_equal(mt_sess_client_ping(p->c, 0xabcdef, 0, p->now, p->wall_c, &mid), 0);
    st_pump(p, 0);
    assert_int_equal(p->cr.ev[MT_SESS_EV_PONG], 1);
    assert_true(p->cr.last_ev[MT_SESS_EV_PONG].ping_id == 0xabcdef);
    assert_true(p->cr.last_ev[MT_SESS_EV_PONG].msg_id == mid);
    assert_true(p->cr.last_ev[MT_SESS_EV_PONG].rtt_ns > 0);
    /* first message of the session: new_session_created with first_msg_id */
    assert_int_equal(p->cr.ev[MT_SESS_EV_NEW_SESSION], 1);
    assert_true(p->cr.last_ev[MT_SESS_EV_NEW_SESSION].msg_id == mid);
    assert_int_equal(p->sr.ev[MT_SESS_EV_NEW_SESSION], 1);
    assert_true(mt_sess_server_session_id(p->s) == mt_sess_client_session_id(p->c));
    /* new_session_created is content-related: the client owes an ack, pong is not */
    assert_int_equal(mt_sess_client_acks_pending(p->c), 1);
    st_pump(p, 1);
    assert_int_equal(mt_sess_client_acks_pending(p->c), 0);
    assert_int_equal(p->sr.acked_ids, 1);
    assert_int_equal(mt_sess_client_inflight(p->c), 0);
    /* a ping answers no rpc query and the server never sees it as one */
    assert_int_equal(p->sr.queries, 0);
    st_pair_free(p);
}

static void test_rpcs_results_in_containers(void **state)
{
    (void)state;
    struct st_pair *p = st_pair_new(0, 0, 0, 0);
    for (int round = 0; round < 20; round++) {
        for (uint64_t i = 0; i < 50; i++) st_query(p, (uint64_t)round * 50 + i, 16 + 4 * (i % 20));
        st_pump(p, 0);
    }
    assert_int_equal(p->cr.results, 1000);
    for (int t = 0; t < 1000; t++) assert_int_equal(p->cr.done[t], 1);
    /* the echo result is the query body */
    assert_int_equal(p->cr.last_len, 16 + 4 * (999 % 50 % 20));
    assert_memory_equal(p->cr.last_body, query_body(999, p->cr.last_len), p->cr.last_len);
    const struct mt_sess_stats *cs = mt_sess_client_stats(p->c), *ss = mt_sess_server_stats(p->s);
    assert_true(cs->containers_out > 0);
    assert_true(ss->containers_out > 0);
    assert_int_equal(ss->queries, 1000);
    assert_int_equal(cs->unknown_req, 0);
    assert_int_equal(cs->proto_errors, 0);
    assert_int_equal(ss->proto_errors, 0);
    assert_int_equal(ss->bad_msg_sent, 0);
    assert_int_equal(mt_sess_client_inflight(p->c), 0);
    st_pair_free(p);
}

static void test_no_container_mode(void **state)
{
    (void)state;
    struct st_pair *p = st_pair_new(MT_SESS_F_NO_CONTAINER, MT_SESS_F_NO_CONTAINER, 0, 0);
    for (uint64_t i = 0; i < 30; i++) st_query(p, i, 24);
    st_pump(p, 1);
    assert_int_equal(p->cr.results, 30);
    assert_int_equal(mt_sess_client_stats(p->c)->containers_out, 0);
    assert_int_equal(mt_sess_server_stats(p->s)->containers_out, 0);
    assert_true(p->c2s >= 30);
    st_pair_free(p);
}

static void test_rpc_errors(void **state)
{
    (void)state;
    struct st_pair *p = st_pair_new(0, 0, 0, 0);
    p->sr.mode = SRV_ERROR;
    st_query(p, 7, 16);
    st_pump(p, 0);
    assert_int_equal(p->cr.errors, 1);
    assert_int_equal(p->cr.last_tag, 7);
    assert_int_equal(p->cr.last_code, 420);
    assert_string_equal(p->cr.last_msg, "FLOOD_WAIT_5");
    assert_int_equal(p->cr.last_wait, 5);
    assert_int_equal(mt_sess_client_inflight(p->c), 0);
    st_pair_free(p);
}

static void test_gzip_both_ways(void **state)
{
    (void)state;
    struct st_pair *p = st_pair_new(0, 0, 256, 256);
    for (uint64_t i = 0; i < 10; i++) {
        size_t len = 4000 + 400 * i;
        uint64_t id = 0;
        uint8_t *b = query_body(i, len);
        memset(b + 4, 'z', len - 4);   /* compressible */
        mt_store_le64(b + 4, i);
        assert_int_equal(mt_sess_client_query(p->c, b, len, i, p->now, p->wall_c, &id), 0);
    }
    st_query(p, 100, 64);             /* small: never packed */
    st_pump(p, 0);
    assert_int_equal(p->cr.results, 11);
    const struct mt_sess_stats *cs = mt_sess_client_stats(p->c), *ss = mt_sess_server_stats(p->s);
    assert_int_equal(cs->gzip_out, 10);
    assert_int_equal(ss->gzip_in, 10);
    assert_int_equal(ss->gzip_out, 10);
    assert_int_equal(cs->gzip_in, 10);
    /* the server saw the unpacked query; the client gets the unpacked result */
    assert_int_equal(p->sr.last_q.ctor, ID_ECHO);
    assert_int_equal(p->cr.last_len, 64);
    st_pair_free(p);
}

static void test_salt_change_resend(void **state)
{
    (void)state;
    struct st_pair *p = st_pair_new(0, 0, 0, 0);
    st_query(p, 1, 16);
    st_pump(p, 0);
    assert_int_equal(p->cr.results, 1);
    mt_sess_server_set_salt(p->s, 0x2222222222222222ull, 0);
    for (uint64_t i = 2; i < 12; i++) st_query(p, i, 20);
    st_pump(p, 0);
    assert_int_equal(p->cr.results, 11);
    for (int t = 1; t < 12; t++) assert_int_equal(p->cr.done[t], 1);
    assert_true(mt_sess_client_salt(p->c) == 0x2222222222222222ull);
    assert_int_equal(p->cr.ev[MT_SESS_EV_SALT_CHANGED], 1);
    assert_int_equal(mt_sess_client_stats(p->c)->resent, 10);
    assert_true(mt_sess_client_stats(p->c)->bad_msg[3] == 1);
    assert_int_equal(p->cr.ev[MT_SESS_EV_RESENT], 10);
    /* the previous salt stays valid when the server says so: no re-send */
    mt_sess_server_set_salt(p->s, 0x3333333333333333ull, 0x2222222222222222ull);
    st_query(p, 12, 16);
    st_pump(p, 0);
    assert_int_equal(p->cr.done[12], 1);
    assert_int_equal(mt_sess_client_stats(p->c)->resent, 10);
    st_pair_free(p);
}

static void skew_case(double skew, int expect_code)
{
    struct st_pair *p = st_pair_new(MT_SESS_F_CHECK_TIME, 0, 0, 0);
    p->wall_c = ST_T0 + skew;
    for (uint64_t i = 0; i < 5; i++) st_query(p, i, 16);
    uint64_t mid;
    mt_sess_client_ping(p->c, 99, 0, p->now, p->wall_c, &mid);
    st_pump(p, 0);
    assert_int_equal(p->cr.results, 5);
    assert_int_equal(p->cr.ev[MT_SESS_EV_PONG], 1);
    assert_int_equal(p->cr.ev[MT_SESS_EV_TIME_CORRECTED], 1);
    assert_int_equal(p->cr.last_ev[MT_SESS_EV_BAD_MSG].code, expect_code);
    double off = mt_sess_client_time_offset(p->c);
    assert_true(off > -skew - 0.01 && off < -skew + 0.01);
    /* afterwards the skewed client produces accepted ids */
    st_query(p, 10, 16);
    st_pump(p, 0);
    assert_int_equal(p->cr.done[10], 1);
    assert_int_equal(mt_sess_server_stats(p->s)->bad_msg_sent, 1);
    st_pair_free(p);
}

static void test_clock_skew_corrected(void **state)
{
    (void)state;
    skew_case(400.0, MT_BAD_MSG_ID_HIGH);     /* client ahead: 17 */
    skew_case(-1000.0, MT_BAD_MSG_ID_LOW);    /* client behind: 16 */
    skew_case(-3600.0 * 24, MT_BAD_MSG_ID_LOW);
}

/* Server output captured, then delivered duplicated and reversed. */
static void test_duplicated_and_reordered(void **state)
{
    (void)state;
    struct st_pair *p = st_pair_new(MT_SESS_F_NO_CONTAINER, MT_SESS_F_NO_CONTAINER, 0, 0);
    for (uint64_t i = 0; i < 8; i++) st_query(p, i, 16);
    while (st_c2s(p, 0) > 0) {}
    uint8_t *env[16];
    size_t len[16];
    int n = 0;
    int k;
    while ((k = mt_sess_server_build(p->s, p->buf, ST_BUF, p->now, p->wall_s)) > 0) {
        assert_true(n < 16);
        env[n] = malloc((size_t)k);
        memcpy(env[n], p->buf, (size_t)k);
        len[n++] = (size_t)k;
    }
    assert_int_equal(n, 9);   /* new_session_created + 8 results */
    for (int i = n - 1; i >= 0; i--) assert_int_equal(mt_sess_client_feed(p->c, env[i], len[i], p->now, p->wall_c), 0);
    for (int i = 0; i < n; i++) assert_int_equal(mt_sess_client_feed(p->c, env[i], len[i], p->now, p->wall_c), 0);
    assert_int_equal(p->cr.results, 8);
    for (int t = 0; t < 8; t++) assert_int_equal(p->cr.done[t], 1);
    assert_int_equal(mt_sess_client_stats(p->c)->duplicates, 9);
    assert_int_equal(mt_sess_client_stats(p->c)->unknown_req, 0);
    for (int i = 0; i < n; i++) free(env[i]);
    st_pair_free(p);
}

static void test_replayed_client_msg_rejected(void **state)
{
    (void)state;
    struct st_pair *p = st_pair_new(0, 0, 0, 0);
    st_query(p, 1, 16);
    int n = mt_sess_client_build(p->c, p->buf, ST_BUF, p->now, p->wall_c, 0);
    assert_true(n > 0);
    uint8_t copy[256];
    memcpy(copy, p->buf, (size_t)n);
    assert_int_equal(mt_sess_server_feed(p->s, copy, (size_t)n, p->now, p->wall_s), 0);
    assert_int_equal(mt_sess_server_feed(p->s, copy, (size_t)n, p->now, p->wall_s), MT_E_MSG_ID);
    p->now += MT_NS_PER_S;
    assert_int_equal(mt_sess_server_feed(p->s, copy, (size_t)n, p->now, p->wall_s + 1), MT_E_MSG_ID);
    assert_int_equal(p->sr.queries, 1);
    assert_int_equal(mt_sess_server_stats(p->s)->duplicates, 2);
    /* and once the replay is older than the 300 s window: bad_msg 16, still not executed */
    assert_int_equal(mt_sess_server_feed(p->s, copy, (size_t)n, p->now, p->wall_s + 400), 0);
    assert_int_equal(p->sr.queries, 1);
    assert_int_equal(p->sr.last_ev[MT_SESS_EV_BAD_MSG].code, MT_BAD_MSG_ID_LOW);
    st_pair_free(p);
}

static void test_unknown_req_msg_id(void **state)
{
    (void)state;
    struct st_pair *p = st_pair_new(0, 0, 0, 0);
    p->sr.mode = SRV_DEFER;
    st_query(p, 1, 16);
    st_pump(p, 0);
    assert_int_equal(p->sr.n_deferred, 1);
    uint8_t res[8] = { 0xb5, 0x75, 0x72, 0x99, 0, 0, 0, 0 };
    mt_sess_server_result(p->s, p->sr.deferred[0] + 4, res, 4);   /* never sent */
    mt_sess_server_result(p->s, p->sr.deferred[0], res, 4);       /* the real one */
    mt_sess_server_result(p->s, p->sr.deferred[0], res, 4);       /* answered twice */
    st_pump(p, 0);
    assert_int_equal(p->cr.results, 1);
    assert_int_equal(mt_sess_client_stats(p->c)->unknown_req, 2);
    assert_int_equal(p->cr.ev[MT_SESS_EV_PROTO_ERROR], 2);
    assert_int_equal(p->cr.last_ev[MT_SESS_EV_PROTO_ERROR].code, MT_E_UNKNOWN_REQ);
    st_pair_free(p);
}

/* 10000 pushed updates: every one acked, at most 8192 ids per msgs_ack. */
static void test_acks_flushed(void **state)
{
    (void)state;
    struct st_pair *p = st_pair_new(0, 0, 0, 0);
    uint64_t mid;
    mt_sess_client_ping(p->c, 1, 0, p->now, p->wall_c, &mid);
    st_pump(p, 1);
    size_t base = p->sr.acked_ids;
    uint8_t upd[8];
    mt_store_le32(upd, 0x12345678u);
    mt_store_le32(upd + 4, 0);
    for (int i = 0; i < 10000; i++) assert_int_equal(mt_sess_server_push(p->s, upd, sizeof(upd)), 0);
    while (st_s2c(p) > 0) {}
    assert_int_equal(p->cr.ev[MT_SESS_EV_UPDATE], 10000);
    assert_int_equal(mt_sess_client_acks_pending(p->c), 10000);
    assert_true(mt_sess_client_want_send(p->c, p->now));   /* over ack_max */
    int n = mt_sess_client_build(p->c, p->buf, ST_BUF, p->now, p->wall_c, 0);
    assert_true(n > 0);
    /* walk the container: msgs_ack items of at most 8192 ids */
    struct mt_container_iter it;
    struct mt_msg_item item;
    assert_int_equal(mt_container_iter_init(&it, p->buf + 32, (size_t)n - 32, mt_load_le64(p->buf + 16)), 0);
    size_t total = 0;
    int items = 0;
    while (mt_container_next(&it, &item) == 1) {
        assert_int_equal(mt_load_le32(item.body), ID_MSGS_ACK);
        uint32_t cnt = mt_load_le32(item.body + 8);
        assert_true(cnt <= 8192);
        assert_int_equal(item.seq_no & 1, 0);
        total += cnt;
        items++;
    }
    assert_int_equal(items, 2);
    assert_int_equal(total, 10000);
    mt_sess_server_feed(p->s, p->buf, (size_t)n, p->now, p->wall_s);
    assert_int_equal(p->sr.acked_ids - base, 10000);
    assert_int_equal(mt_sess_client_acks_pending(p->c), 0);
    /* acks are never answered */
    assert_int_equal(mt_sess_server_want_send(p->s), 0);
    st_pair_free(p);
}

static void test_ack_flush_rules(void **state)
{
    (void)state;
    struct st_pair *p = st_pair_new(0, 0, 0, 0);
    uint64_t mid;
    mt_sess_client_ping(p->c, 1, 0, p->now, p->wall_c, &mid);
    st_pump(p, 1);
    uint8_t upd[8] = { 0x78, 0x56, 0x34, 0x12, 0, 0, 0, 0 };
    mt_sess_server_push(p->s, upd, sizeof(upd));
    while (st_s2c(p) > 0) {}
    /* one pending ack: not due before ack_delay (1 s), due after */
    assert_int_equal(mt_sess_client_acks_pending(p->c), 1);
    assert_false(mt_sess_client_want_send(p->c, p->now));
    assert_int_equal(mt_sess_client_build(p->c, p->buf, ST_BUF, p->now, p->wall_c, 0), 0);
    assert_true(mt_sess_client_next_deadline(p->c) == p->now + MT_NS_PER_S);
    assert_true(mt_sess_client_want_send(p->c, p->now + MT_NS_PER_S));
    /* piggybacked on the next query without waiting */
    st_query(p, 1, 16);
    int n = mt_sess_client_build(p->c, p->buf, ST_BUF, p->now, p->wall_c, 0);
    assert_true(n > 0);
    assert_int_equal(mt_load_le32(p->buf + 32), ID_CONTAINER);
    assert_int_equal(mt_sess_client_acks_pending(p->c), 0);
    /* 16 pending acks force a flush */
    for (int i = 0; i < 16; i++) mt_sess_server_push(p->s, upd, sizeof(upd));
    mt_sess_server_feed(p->s, p->buf, (size_t)n, p->now, p->wall_s);
    while (st_s2c(p) > 0) {}
    assert_true(mt_sess_client_acks_pending(p->c) >= 16);
    assert_true(mt_sess_client_want_send(p->c, p->now));
    st_pair_free(p);
}

/* The server forgot the session: queries older than first_msg_id are sent again. */
static void test_new_session_resend(void **state)
{
    (void)state;
    struct st_pair *p = st_pair_new(0, 0, 0, 0);
    st_query(p, 1, 16);
    st_pump(p, 1);
    assert_int_equal(p->cr.results, 1);
    uint64_t q2 = st_query(p, 2, 16);
    while (st_c2s(p, 0) > 0) {}   /* reaches the old server, whose answer is lost */
    mt_sess_server_free(p->s);
    /* a restarted server: its ids start over from its clock, a second later */
    p->wall_c += 1;
    p->wall_s += 1;
    struct mt_sess_server_cfg sc = { 0 };
    sc.salt = 0x4444444444444444ull;
    struct mt_sess_server_cb scb = { &p->sr, st_on_query, st_on_event, st_destroy, st_future_salts };
    p->s = mt_sess_server_new(&sc, &scb);
    p->sr.srv = p->s;
    memset(p->cr.ev, 0, sizeof(p->cr.ev));
    uint64_t q3 = st_query(p, 3, 16);
    st_pump(p, 0);
    /* bad salt first, then new_session_created(first = the re-sent q3) */
    assert_int_equal(p->cr.ev[MT_SESS_EV_SALT_CHANGED], 1);
    assert_int_equal(p->cr.ev[MT_SESS_EV_NEW_SESSION], 1);
    assert_true(p->cr.last_ev[MT_SESS_EV_NEW_SESSION].msg_id > q3);
    assert_true(q2 < q3);
    assert_int_equal(p->cr.done[2], 1);   /* q2 re-sent because its id < first_msg_id */
    assert_int_equal(p->cr.done[3], 1);
    assert_true(mt_sess_client_salt(p->c) == 0x4444444444444444ull);
    st_pair_free(p);
}

static void test_destroy_session(void **state)
{
    (void)state;
    struct st_pair *p = st_pair_new(0, 0, 0, 0);
    uint64_t mid;
    p->sr.destroy_answer = 1;
    assert_int_equal(mt_sess_client_destroy_session(p->c, 0x0123456789ull, p->now, p->wall_c, &mid), 0);
    st_pump(p, 0);
    assert_int_equal(p->cr.ev[MT_SESS_EV_DESTROY_SESSION], 1);
    assert_int_equal(p->cr.last_ev[MT_SESS_EV_DESTROY_SESSION].code, 1);
    assert_true(p->cr.last_ev[MT_SESS_EV_DESTROY_SESSION].session_id == 0x0123456789ull);
    p->sr.destroy_answer = 0;
    mt_sess_client_destroy_session(p->c, 77, p->now, p->wall_c, &mid);
    st_pump(p, 0);
    assert_int_equal(p->cr.ev[MT_SESS_EV_DESTROY_SESSION], 2);
    assert_int_equal(p->cr.last_ev[MT_SESS_EV_DESTROY_SESSION].code, 0);
    assert_int_equal(mt_sess_client_inflight(p->c), 0);
    assert_int_equal(p->sr.queries, 0);
    st_pair_free(p);
}

static void test_future_salts(void **state)
{
    (void)state;
    struct st_pair *p = st_pair_new(0, 0, 0, 0);
    uint64_t mid;
    assert_int_equal(mt_sess_client_get_future_salts(p->c, 3, p->now, p->wall_c, &mid), 0);
    st_pump(p, 0);
    assert_int_equal(p->cr.ev[MT_SESS_EV_FUTURE_SALTS], 1);
    const struct mt_sess_event *e = &p->cr.last_ev[MT_SESS_EV_FUTURE_SALTS];
    assert_int_equal(e->n_salts, 3);
    assert_true(e->req_msg_id == mid);
    assert_int_equal(e->now, (int32_t)ST_T0);
    assert_int_equal(mt_sess_client_inflight(p->c), 0);
    /* future_salts needs no ack (only new_session_created is pending) */
    assert_int_equal(mt_sess_client_acks_pending(p->c), 1);
    st_pair_free(p);
}

static void test_msgs_state_req(void **state)
{
    (void)state;
    struct st_pair *p = st_pair_new(0, 0, 0, 0);
    uint64_t q = st_query(p, 1, 16);
    st_pump(p, 0);
    uint64_t ids[3] = { q, q + 4, q + (1000ull << 32) };
    uint64_t mid;
    assert_int_equal(mt_sess_client_state_req(p->c, ids, 3, p->now, p->wall_c, &mid), 0);
    st_pump(p, 0);
    assert_int_equal(p->cr.ev[MT_SESS_EV_STATE_INFO], 1);
    const struct mt_sess_event *e = &p->cr.last_ev[MT_SESS_EV_STATE_INFO];
    assert_true(e->req_msg_id == mid);
    assert_int_equal(e->info_len, 3);
    assert_int_equal(p->cr.last_info[0], 4);   /* received */
    assert_int_equal(p->cr.last_info[2], 3);   /* too high, not received */
    st_pair_free(p);
}

static void test_ping_delay_and_drop_answer(void **state)
{
    (void)state;
    struct st_pair *p = st_pair_new(0, 0, 0, 0);
    uint64_t mid;
    mt_sess_client_ping(p->c, 5, 75, p->now, p->wall_c, &mid);
    st_pump(p, 0);
    assert_int_equal(p->sr.ev[MT_SESS_EV_DISCONNECT_DELAY], 1);
    assert_int_equal(p->sr.last_ev[MT_SESS_EV_DISCONNECT_DELAY].delay_s, 75);
    assert_int_equal(p->cr.ev[MT_SESS_EV_PONG], 1);
    p->sr.mode = SRV_DEFER;
    uint64_t q = st_query(p, 1, 16);
    st_pump(p, 0);
    mt_sess_client_drop_answer(p->c, q, p->now, p->wall_c, &mid);
    st_pump(p, 0);
    assert_int_equal(p->cr.ev[MT_SESS_EV_DROP_ANSWER], 1);
    assert_int_equal((uint32_t)p->cr.last_ev[MT_SESS_EV_DROP_ANSWER].code, 0x5e2ad36eu);
    assert_true(p->cr.last_ev[MT_SESS_EV_DROP_ANSWER].msg_id == q);
    st_pair_free(p);
}

/* invokeWithLayer(228, initConnection(flags 3: proxy + params, ...,
 * invokeWithoutUpdates(invokeAfterMsg(id, echo)))) reaches the caller unwrapped. */
static void test_wrappers_unwrapped(void **state)
{
    (void)state;
    struct st_pair *p = st_pair_new(0, 0, 0, 0);
    uint8_t b[512];
    struct mt_tl_writer w;
    mt_tl_writer_init(&w, b, sizeof(b));
    mt_tl_w32(&w, 0xda9b0d0du); mt_tl_w32(&w, 228);
    mt_tl_w32(&w, 0xc1cd5ea9u); mt_tl_w32(&w, 3); mt_tl_w32(&w, 12345);
    mt_tl_wbytes(&w, "mtload-box", 10); mt_tl_wbytes(&w, "Linux", 5);
    mt_tl_wbytes(&w, "0.1.0", 5); mt_tl_wbytes(&w, "en", 2);
    mt_tl_wbytes(&w, "", 0); mt_tl_wbytes(&w, "en", 2);
    mt_tl_w32(&w, 0x75588b3fu); mt_tl_wbytes(&w, "127.0.0.1", 9); mt_tl_w32(&w, 443);
    /* params: jsonObject [ {"a": jsonArray [jsonNumber 1.5, jsonBool true, jsonNull, jsonString "x"]} ] */
    mt_tl_w32(&w, 0x99c1d49du); mt_tl_w32(&w, MT_TL_VECTOR); mt_tl_w32(&w, 1);
    mt_tl_w32(&w, 0xc0de1bd9u); mt_tl_wbytes(&w, "a", 1);
    mt_tl_w32(&w, 0xf7444763u); mt_tl_w32(&w, MT_TL_VECTOR); mt_tl_w32(&w, 4);
    mt_tl_w32(&w, 0x2be0dfa4u); mt_tl_wdouble(&w, 1.5);
    mt_tl_w32(&w, 0xc7345e6au); mt_tl_wbool(&w, 1);
    mt_tl_w32(&w, 0x3f6d7b68u);
    mt_tl_w32(&w, 0xb71e767au); mt_tl_wbytes(&w, "x", 1);
    mt_tl_w32(&w, 0xbf9459b7u);
    mt_tl_w32(&w, 0xcb9f372du); mt_tl_w64(&w, 0x77770000ull);
    size_t inner = w.pos;
    mt_tl_w32(&w, ID_ECHO); mt_tl_w32(&w, 42);
    assert_false(w.overflow);
    uint64_t id;
    assert_int_equal(mt_sess_client_query(p->c, b, w.pos, 1, p->now, p->wall_c, &id), 0);
    st_pump(p, 0);
    const struct mt_sess_query *q = &p->sr.last_q;
    assert_int_equal(p->sr.queries, 1);
    assert_int_equal(q->layer, 228);
    assert_int_equal(q->init_connection, 1);
    assert_int_equal(q->api_id, 12345);
    assert_int_equal(q->device_model_len, 10);
    assert_memory_equal(p->sr.last_device, "mtload-box", 10);
    assert_int_equal(q->app_version_len, 5);
    assert_int_equal(q->without_updates, 1);
    assert_true(q->after_msg_id == 0x77770000ull);
    assert_int_equal(q->ctor, ID_ECHO);
    assert_int_equal(q->len, 8);
    assert_true(q->msg_id == id);
    /* the echo of the unwrapped body comes back under the wrapper's msg_id */
    assert_int_equal(p->cr.results, 1);
    assert_memory_equal(p->cr.last_body, b + inner, 8);
    st_pair_free(p);
}

static void test_idle_memory(void **state)
{
    (void)state;
    struct st_pair *p = st_pair_new(0, 0, 0, 0);
    for (int round = 0; round < 50; round++) {
        for (uint64_t i = 0; i < 8; i++) st_query(p, i, 64);
        st_pump(p, 1);
    }
    size_t mem = mt_sess_client_mem(p->c);
    print_message("idle client session after warm-up (8 in flight): %zu bytes; server %zu\n", mem,
                  mt_sess_server_mem(p->s));
    assert_true(mem <= 4096);
    st_pair_free(p);
}

/* A long randomized run: queries, pings, salt changes, all answered once. */
static void test_randomized_run(void **state)
{
    (void)state;
    struct st_pair *p = st_pair_new(0, 0, 512, 512);
    struct mt_test_prng r;
    mt_test_prng_seed(&r, 42);
    uint64_t tag = 0;
    for (int step = 0; step < 300; step++) {
        int k = (int)(mt_test_next(&r) % 20);
        for (int i = 0; i < k && tag < ST_MAXTAG; i++) st_query(p, tag++, 12 + 4 * (mt_test_next(&r) % 300));
        if (mt_test_next(&r) % 10 == 0) { uint64_t m; mt_sess_client_ping(p->c, (uint64_t)step, 0, p->now, p->wall_c, &m); }
        if (mt_test_next(&r) % 40 == 0) mt_sess_server_set_salt(p->s, mt_test_next(&r), 0);
        p->wall_c += 0.01;
        p->wall_s += 0.01;
        st_pump(p, (int)(mt_test_next(&r) & 1));
    }
    for (uint64_t t = 0; t < tag; t++) assert_int_equal(p->cr.done[t], 1);
    assert_int_equal(mt_sess_client_inflight(p->c), 0);
    assert_int_equal(mt_sess_client_stats(p->c)->unknown_req, 0);
    assert_int_equal(mt_sess_client_stats(p->c)->local_failures, 0);
    st_pair_free(p);
}

/* A lossy link: envelopes in both directions are dropped, duplicated and
 * held back (reordered). After each quiet spell the client re-sends what is
 * unanswered (as after a reconnect). Every query is answered exactly once. */
struct held { uint8_t *p; size_t n; };

static void lossy_deliver(struct st_pair *p, struct mt_test_prng *r, struct held *hold, int *nhold,
                          const uint8_t *msg, size_t n, int to_server)
{
    uint64_t x = mt_test_next(r) % 100;
    if (x < 10) return;                                   /* lost */
    if (x < 20 && *nhold < 32) {                          /* held back */
        hold[*nhold].p = malloc(n);
        memcpy(hold[*nhold].p, msg, n);
        hold[(*nhold)++].n = n;
        return;
    }
    int times = x < 25 ? 2 : 1;                           /* duplicated */
    for (int i = 0; i < times; i++) {
        uint8_t *copy = malloc(n);
        memcpy(copy, msg, n);
        if (to_server) mt_sess_server_feed(p->s, copy, n, p->now, p->wall_s);
        else mt_sess_client_feed(p->c, copy, n, p->now, p->wall_c);
        free(copy);
    }
}

static void release_held(struct st_pair *p, struct held *hold, int *nhold, int to_server)
{
    for (int i = *nhold - 1; i >= 0; i--) {   /* newest first: out of order */
        if (to_server) mt_sess_server_feed(p->s, hold[i].p, hold[i].n, p->now, p->wall_s);
        else mt_sess_client_feed(p->c, hold[i].p, hold[i].n, p->now, p->wall_c);
        free(hold[i].p);
    }
    *nhold = 0;
}

static void lossy_case(unsigned flags, uint64_t seed)
{
    struct st_pair *p = st_pair_new(flags, flags, 0, 0);
    struct mt_test_prng r;
    mt_test_prng_seed(&r, seed);
    struct held hc[32], hs[32];
    int nhc = 0, nhs = 0;
    uint64_t tag = 0;
    int resends = 0;
    for (int step = 0; step < 4000 && (tag < 2000 || mt_sess_client_inflight(p->c)); step++) {
        for (int i = 0; i < 4 && tag < 2000; i++) st_query(p, tag++, 16);
        p->now += 100 * MT_NS_PER_US;
        p->wall_c += 0.001;
        p->wall_s += 0.001;
        int n, moved = 0;
        while ((n = mt_sess_client_build(p->c, p->buf, ST_BUF, p->now, p->wall_c, 1)) > 0) {
            lossy_deliver(p, &r, hs, &nhs, p->buf, (size_t)n, 1);
            moved++;
        }
        while ((n = mt_sess_server_build(p->s, p->buf, ST_BUF, p->now, p->wall_s)) > 0) {
            lossy_deliver(p, &r, hc, &nhc, p->buf, (size_t)n, 0);
            moved++;
        }
        if (mt_test_next(&r) % 4 == 0) { release_held(p, hs, &nhs, 1); release_held(p, hc, &nhc, 0); }
        if (!moved && mt_sess_client_inflight(p->c)) {
            release_held(p, hs, &nhs, 1);
            release_held(p, hc, &nhc, 0);
            mt_sess_client_resend_all(p->c);   /* "reconnect" */
            resends++;
        }
    }
    release_held(p, hs, &nhs, 1);
    release_held(p, hc, &nhc, 0);
    assert_int_equal(tag, 2000);
    for (uint64_t t = 0; t < tag; t++) assert_int_equal(p->cr.done[t], 1);
    assert_int_equal(mt_sess_client_inflight(p->c), 0);
    const struct mt_sess_stats *cs = mt_sess_client_stats(p->c), *ss = mt_sess_server_stats(p->s);
    print_message("lossy link: %d reconnects, %llu client dups, %llu server dups, %llu late results\n",
                  resends, (unsigned long long)cs->duplicates, (unsigned long long)ss->duplicates,
                  (unsigned long long)cs->unknown_req);
    assert_true(cs->duplicates > 0 && ss->duplicates > 0);
    assert_int_equal(cs->local_failures, 0);
    st_pair_free(p);
}

static void test_lossy_link_exactly_once(void **state)
{
    (void)state;
    lossy_case(0, 99);
    lossy_case(MT_SESS_F_NO_CONTAINER, 100);
    lossy_case(0, 101);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ping_pong_and_new_session),
        cmocka_unit_test(test_rpcs_results_in_containers),
        cmocka_unit_test(test_no_container_mode),
        cmocka_unit_test(test_rpc_errors),
        cmocka_unit_test(test_gzip_both_ways),
        cmocka_unit_test(test_salt_change_resend),
        cmocka_unit_test(test_clock_skew_corrected),
        cmocka_unit_test(test_duplicated_and_reordered),
        cmocka_unit_test(test_replayed_client_msg_rejected),
        cmocka_unit_test(test_unknown_req_msg_id),
        cmocka_unit_test(test_acks_flushed),
        cmocka_unit_test(test_ack_flush_rules),
        cmocka_unit_test(test_new_session_resend),
        cmocka_unit_test(test_destroy_session),
        cmocka_unit_test(test_future_salts),
        cmocka_unit_test(test_msgs_state_req),
        cmocka_unit_test(test_ping_delay_and_drop_answer),
        cmocka_unit_test(test_wrappers_unwrapped),
        cmocka_unit_test(test_idle_memory),
        cmocka_unit_test(test_randomized_run),
        cmocka_unit_test(test_lossy_link_exactly_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
