/* mt_probe scenarios of a misbehaving client: each sends one class of bad
 * input and records how the server reacted (bad_msg code, transport error,
 * closed connection) and when. */
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include "harness/tools/probe/probe.h"

#define R(p) ((p)->result)

static bool is_closed(struct probe *p, void *ctx) { (void)ctx; return p->closed; }

/* Wait up to the timeout (or --idle when set) for the server to close. */
static void wait_close(struct probe *p)
{
    double t = p->o->idle_s > 0 ? p->o->idle_s : p->o->timeout_s;
    probe_wait(p, t, is_closed, NULL);
}

static void ping_body(uint8_t b[12], uint64_t ping_id)
{
    mt_store_le32(b, MT_TL_ID_PING);
    mt_store_le64(b + 4, ping_id);
}

/* A ping whose ciphertext has one byte flipped: msg_key does not verify. */
static int sc_bad_msg_key(struct probe *p, struct mt_rsa *k)
{
    (void)k;
    json_object_set_new(R(p), "pong_before", json_boolean(probe_ping(p, probe_rand_u64(p), p->o->timeout_s) == 1));
    uint8_t b[12];
    ping_body(b, probe_rand_u64(p));
    struct probe_msg m = {.salt = p->salt, .session_id = p->session_id, .msg_id = probe_next_msg_id(p),
                          .seq_no = probe_next_seq(p, true), .body = b, .len = sizeof b, .flip = true};
    probe_send_msg(p, &m);
    wait_close(p);
    return 0;
}

/* An encrypted message under an auth key the server never saw. */
static int sc_wrong_key_id(struct probe *p, struct mt_rsa *k)
{
    (void)k;
    uint8_t raw[256];
    mt_rng_bytes(&p->rng, raw, sizeof raw);
    mt_auth_key_set(&p->key, raw);
    p->has_key = true;
    p->session_id = probe_rand_u64(p);
    p->salt = probe_rand_u64(p);
    uint8_t b[12];
    ping_body(b, 1);
    probe_send(p, b, sizeof b, true, NULL);
    wait_close(p);
    return 0;
}

static bool got_pong(struct probe *p, void *ctx)
{
    return probe_find(p, "pong", "ping_id", *(uint64_t *)ctx) != NULL;
}

/* The same message (same msg_id) twice: answered once. */
static int sc_replay(struct probe *p, struct mt_rsa *k)
{
    (void)k;
    uint8_t b[12];
    uint64_t ping_id = probe_rand_u64(p);
    ping_body(b, ping_id);
    struct probe_msg m = {.salt = p->salt, .session_id = p->session_id, .msg_id = probe_next_msg_id(p),
                          .seq_no = probe_next_seq(p, true), .body = b, .len = sizeof b};
    probe_send_msg(p, &m);
    probe_wait(p, p->o->timeout_s, got_pong, &ping_id);
    probe_send_msg(p, &m);                  /* replayed, re-encrypted */
    probe_wait(p, 0.5, NULL, NULL);
    size_t i, pongs = 0;
    json_t *e;
    json_array_foreach(p->events, i, e) {
        const char *t = json_string_value(json_object_get(e, "type"));
        pongs += t && !strcmp(t, "pong");
    }
    json_object_set_new(R(p), "pongs", json_integer((json_int_t)pongs));
    json_object_set_new(R(p), "pong_after", json_boolean(probe_ping(p, probe_rand_u64(p), p->o->timeout_s) == 1));
    return 0;
}

struct bad_wait { uint64_t msg_id; };
static bool got_bad(struct probe *p, void *ctx)
{
    struct bad_wait *w = ctx;
    return p->closed || probe_find(p, "bad_msg_notification", "bad_msg_id", w->msg_id) ||
           probe_find(p, "bad_server_salt", "bad_msg_id", w->msg_id);
}

/* One message with a header field made wrong; records the bad_msg. */
static void send_bad(struct probe *p, struct probe_msg *m, const char *name)
{
    probe_send_msg(p, m);
    struct bad_wait w = {m->msg_id};
    probe_wait(p, p->o->timeout_s, got_bad, &w);
    json_t *e = probe_find(p, "bad_msg_notification", "bad_msg_id", m->msg_id);
    json_object_set(R(p), name, e ? e : json_null());
}

static int sc_msg_id_time(struct probe *p, struct mt_rsa *k)
{
    (void)k;
    uint8_t b[12];
    ping_body(b, probe_rand_u64(p));
    double wall = mt_wall_s();
    struct probe_msg old = {.salt = p->salt, .session_id = p->session_id,
                            .msg_id = mt_hs_msg_id(wall - 400, 0, 0),
                            .seq_no = probe_next_seq(p, true), .body = b, .len = sizeof b};
    send_bad(p, &old, "too_old");
    struct probe_msg fresh = old;
    fresh.msg_id = mt_hs_msg_id(wall + 120, 0, 0);
    fresh.seq_no = probe_next_seq(p, true);
    send_bad(p, &fresh, "too_new");
    struct probe_msg odd = old;
    odd.msg_id = probe_next_msg_id(p) | 1;
    odd.seq_no = probe_next_seq(p, true);
    send_bad(p, &odd, "odd_msg_id");
    json_object_set_new(R(p), "pong_after", json_boolean(probe_ping(p, probe_rand_u64(p), p->o->timeout_s) == 1));
    return 0;
}

static int sc_seq_parity(struct probe *p, struct mt_rsa *k)
{
    (void)k;
    /* an API query (content-related) with an even seq_no; service queries
     * such as ping are accepted with either parity, as clients send them */
    uint8_t b[8];
    mt_store_le32(b, MT_TL_ID_MTLOAD_ECHO);
    mt_store_le32(b + 4, 0);
    struct probe_msg m = {.salt = p->salt, .session_id = p->session_id, .msg_id = probe_next_msg_id(p),
                          .seq_no = 2 * p->content_msgs, .body = b, .len = sizeof b};
    send_bad(p, &m, "even_content");
    /* msgs_ack (never content-related) with an odd seq_no */
    uint8_t ack[20];
    mt_store_le32(ack, MT_TL_ID_MSGS_ACK);
    mt_store_le32(ack + 4, 0x1cb5c415u);
    mt_store_le32(ack + 8, 1);
    mt_store_le64(ack + 12, m.msg_id);
    struct probe_msg a = {.salt = p->salt, .session_id = p->session_id, .msg_id = probe_next_msg_id(p),
                          .seq_no = 2 * p->content_msgs + 1, .body = ack, .len = sizeof ack};
    send_bad(p, &a, "odd_ack");
    json_object_set_new(R(p), "pong_after", json_boolean(probe_ping(p, probe_rand_u64(p), p->o->timeout_s) == 1));
    return 0;
}

/* req_pq_multi only, then silence: the server closes after its handshake
 * timeout. */
static int sc_half_handshake(struct probe *p, struct mt_rsa *k)
{
    struct mt_hs_client_config cfg = {.keys = &k, .nkeys = 1, .dc_id = 2};
    struct mt_hs_client *c = mt_hs_client_new(&cfg, &p->rng);
    uint8_t out[MT_HS_MAX_MSG];
    size_t n = 0;
    if (!c || mt_hs_client_start(c, mt_wall_s(), out, sizeof out, &n) != MT_HS_SEND) {
        mt_hs_client_free(c);
        return MT_E_PROTO;
    }
    mt_hs_client_free(c);
    probe_send_frame(p, out, n, 0);
    wait_close(p);
    return 0;
}

/* A handshake message with a body that is not TL at all. */
static int sc_bad_handshake(struct probe *p, struct mt_rsa *k)
{
    (void)k;
    uint8_t body[40], msg[64];
    size_t n;
    mt_rng_bytes(&p->rng, body, sizeof body);
    mt_hs_plain_write(msg, sizeof msg, mt_hs_msg_id(mt_wall_s(), 0, 0), body, sizeof body, &n);
    probe_send_frame(p, msg, n, 0);
    wait_close(p);
    return 0;
}

/* Random bytes as the very first bytes of the connection (no transport). */
static int sc_garbage(struct probe *p, struct mt_rsa *k)
{
    (void)k;
    uint8_t b[256];
    mt_rng_bytes(&p->rng, b, sizeof b);
    b[0] = 0x47;                             /* not a transport tag, not "GET" */
    probe_send_raw(p, b, sizeof b);
    wait_close(p);
    return 0;
}

/* A framed payload of random bytes after a valid preamble. */
static int sc_garbage_frame(struct probe *p, struct mt_rsa *k)
{
    (void)k;
    uint8_t b[128];
    mt_rng_bytes(&p->rng, b, sizeof b);
    probe_send_frame(p, b, sizeof b, 0);
    wait_close(p);
    return 0;
}

/* The start of a frame, then end of input (or, with --idle, silence). */
static int sc_truncated(struct probe *p, struct mt_rsa *k)
{
    (void)k;
    uint8_t frame[1100];
    size_t cap = sizeof frame;
    uint8_t payload[1024];
    mt_rng_bytes(&p->rng, payload, sizeof payload);
    memcpy(frame + MT_TR_HEADROOM, payload, sizeof payload);
    uint8_t *start;
    size_t total;
    if (mt_tr_frame(&p->tr, frame, MT_TR_HEADROOM, sizeof payload, cap, 0, &start, &total))
        return MT_E_FRAME;
    probe_send_raw(p, start, 100);
    if (p->o->idle_s <= 0)
        shutdown(p->fd, SHUT_WR);
    wait_close(p);
    return 0;
}

/* A 4-byte length field of --size (default 2^31) on the intermediate,
 * padded or full transport (sent raw, not obfuscated). */
static int sc_huge_len(struct probe *p, struct mt_rsa *k)
{
    (void)k;
    uint8_t b[16] = {0};
    mt_store_le32(b, (uint32_t)p->o->size);
    probe_send_raw(p, b, sizeof b);
    wait_close(p);
    return 0;
}

/* --count echoSized(--size) queries sent without ever reading the answers,
 * then --idle seconds of silence: the server must bound what it buffers. */
static int sc_no_read(struct probe *p, struct mt_rsa *k)
{
    (void)k;
    uint8_t b[12];
    mt_store_le32(b, MT_TL_ID_MTLOAD_ECHO_SIZED);
    mt_store_le32(b + 4, (uint32_t)p->o->size);
    mt_store_le32(b + 8, 0);                 /* data: empty bytes */
    long sent = 0;
    for (long i = 0; i < p->o->count; i++) {
        if (probe_send(p, b, sizeof b, true, NULL))
            break;
        sent++;
    }
    json_object_set_new(R(p), "sent", json_integer(sent));
    struct timespec ts = {.tv_sec = (time_t)p->o->idle_s,
                          .tv_nsec = (long)((p->o->idle_s - (double)(time_t)p->o->idle_s) * 1e9)};
    nanosleep(&ts, NULL);
    return 0;
}

static const struct probe_scenario bad[] = {
    {"no_read", true, sc_no_read},
    {"bad_msg_key", true, sc_bad_msg_key},
    {"wrong_key_id", false, sc_wrong_key_id},
    {"replay", true, sc_replay},
    {"msg_id_time", true, sc_msg_id_time},
    {"seq_parity", true, sc_seq_parity},
    {"half_handshake", false, sc_half_handshake},
    {"bad_handshake", false, sc_bad_handshake},
    {"garbage", false, sc_garbage},
    {"garbage_frame", false, sc_garbage_frame},
    {"truncated", false, sc_truncated},
    {"huge_len", false, sc_huge_len},
};

const struct probe_scenario *probe_scenarios_bad(size_t *n)
{
    *n = MT_ARRAY_LEN(bad);
    return bad;
}
