/* mt_probe scenarios of a well-behaved client: pings, the echo methods,
 * wrappers, every service message, containers, gzip, quick acks, PFS. */
#include <stdio.h>
#include <stdlib.h>
#include <zlib.h>
#include "harness/tools/probe/probe.h"

#define R(p) ((p)->result)

static void put_rtt(struct probe *p, double t0)
{
    json_t *a = json_object_get(R(p), "rtt_ms");
    if (!a)
        json_object_set_new(R(p), "rtt_ms", a = json_array());
    json_array_append_new(a, json_real((probe_now() - t0) * 1e3));
}

static int sc_handshake(struct probe *p, struct mt_rsa *k)
{
    (void)k;
    probe_set_u64(R(p), "auth_key_id", p->key.id64);
    return 0;
}

static int sc_ping(struct probe *p, struct mt_rsa *k)
{
    (void)k;
    long pongs = 0;
    for (long i = 0; i < p->o->count; i++) {
        double t0 = probe_now();
        if (probe_ping(p, probe_rand_u64(p), p->o->timeout_s) == 1) {
            pongs++;
            put_rtt(p, t0);
        }
        if (p->closed)
            break;
    }
    json_object_set_new(R(p), "pongs", json_integer(pongs));
    return 0;
}

/* Pings for --idle seconds (the healthy neighbour of the bad-input tests). */
static int sc_ping_loop(struct probe *p, struct mt_rsa *k)
{
    (void)k;
    long pongs = 0, lost = 0;
    double end = probe_now() + p->o->idle_s;
    while (probe_now() < end && !p->closed) {
        if (probe_ping(p, probe_rand_u64(p), p->o->timeout_s) == 1)
            pongs++;
        else
            lost++;
        json_array_clear(p->events);     /* keep memory flat */
        probe_wait(p, 0.02, NULL, NULL);
    }
    json_object_set_new(R(p), "pongs", json_integer(pongs));
    json_object_set_new(R(p), "lost", json_integer(lost));
    return 0;
}

/* mtload.echo (or echoSized) of --size bytes, --count times, --idle s apart. */
static int echo_common(struct probe *p, bool sized)
{
    size_t n = (size_t)p->o->size;
    size_t cap = 16 + mt_tl_bytes_size(sized ? 3 : n);
    uint8_t *body = malloc(cap), *data = malloc(n ? n : 1);
    if (!body || !data)
        return MT_E_NOMEM;
    mt_rng_bytes(&p->rng, data, n);
    struct mt_tl_writer w;
    mt_tl_writer_init(&w, body, cap);
    mt_tl_w32(&w, sized ? MT_TL_ID_MTLOAD_ECHO_SIZED : MT_TL_ID_MTLOAD_ECHO);
    if (sized) {
        mt_tl_w32(&w, (uint32_t)n);
        mt_tl_wbytes(&w, "abc", 3);
    } else {
        mt_tl_wbytes(&w, data, n);
    }
    uint8_t digest[32];
    char hex[65];
    if (sized) {
        for (size_t i = 0; i < n; i++)
            data[i] = (uint8_t)"abc"[i % 3];
    }
    mt_sha256(data, n, digest);
    mt_hex_encode(digest, 32, hex);
    long answered = 0, matched = 0;
    json_t *errors = json_array();
    for (long i = 0; i < p->o->count && !p->closed; i++) {
        double t0 = probe_now();
        json_t *e = probe_rpc(p, body, w.pos, p->o->timeout_s, NULL);
        if (!e)
            continue;
        answered++;
        put_rtt(p, t0);
        const char *res = json_string_value(json_object_get(e, "result"));
        if (res && !strcmp(res, "echo")) {
            const char *d = json_string_value(json_object_get(e, "data_sha256"));
            matched += json_integer_value(json_object_get(e, "data_len")) == (json_int_t)n && d &&
                       !strcmp(d, hex);
        } else if (res && !strcmp(res, "rpc_error")) {
            json_array_append(errors, e);
        }
        if (json_array_size(p->events) > 256)
            json_array_clear(p->events);
        if (p->o->idle_s > 0)            /* --idle: pause between requests */
            probe_wait(p, p->o->idle_s, NULL, NULL);
    }
    json_object_set_new(R(p), "answered", json_integer(answered));
    json_object_set_new(R(p), "matched", json_integer(matched));
    json_object_set_new(R(p), "errors", errors);
    free(body);
    free(data);
    return 0;
}

static int sc_echo(struct probe *p, struct mt_rsa *k) { (void)k; return echo_common(p, false); }
static int sc_echo_sized(struct probe *p, struct mt_rsa *k) { (void)k; return echo_common(p, true); }

static void set_answer(struct probe *p, const char *name, json_t *e)
{
    json_object_set(R(p), name, e ? e : json_null());
}

static int sc_unknown_method(struct probe *p, struct mt_rsa *k)
{
    (void)k;
    uint8_t b[8];
    mt_store_le32(b, 0x0badf00du);
    mt_store_le32(b + 4, 42);
    set_answer(p, "answer", probe_rpc(p, b, sizeof b, p->o->timeout_s, NULL));
    return 0;
}

/* invokeWithLayer(initConnection(help.getNearestDc)), invokeWithoutUpdates
 * (help.getNearestDc) and invokeWithLayer(invokeWithoutUpdates(mtload.echo)). */
static int sc_wrappers(struct probe *p, struct mt_rsa *k)
{
    (void)k;
    uint8_t b[256];
    struct mt_tl_writer w;
    mt_tl_writer_init(&w, b, sizeof b);
    mt_tl_w32(&w, MT_TL_ID_INVOKE_WITH_LAYER);
    mt_tl_w32(&w, 158);
    mt_tl_w32(&w, MT_TL_ID_INIT_CONNECTION);
    mt_tl_w32(&w, 0);                       /* flags */
    mt_tl_w32(&w, 12345);                   /* api_id */
    const char *strs[] = {"probe", "linux", "1.0", "en", "", "en"};
    for (size_t i = 0; i < MT_ARRAY_LEN(strs); i++)
        mt_tl_wbytes(&w, strs[i], strlen(strs[i]));
    mt_tl_w32(&w, MT_TL_ID_HELP_GET_NEAREST_DC);
    set_answer(p, "layer_init", probe_rpc(p, b, w.pos, p->o->timeout_s, NULL));

    mt_tl_writer_init(&w, b, sizeof b);
    mt_tl_w32(&w, MT_TL_ID_INVOKE_WITHOUT_UPDATES);
    mt_tl_w32(&w, MT_TL_ID_HELP_GET_NEAREST_DC);
    set_answer(p, "without_updates", probe_rpc(p, b, w.pos, p->o->timeout_s, NULL));

    mt_tl_writer_init(&w, b, sizeof b);
    mt_tl_w32(&w, MT_TL_ID_INVOKE_WITH_LAYER);
    mt_tl_w32(&w, 158);
    mt_tl_w32(&w, MT_TL_ID_INVOKE_WITHOUT_UPDATES);
    mt_tl_w32(&w, MT_TL_ID_MTLOAD_ECHO);
    mt_tl_wbytes(&w, "wrapped", 7);
    set_answer(p, "layer_echo", probe_rpc(p, b, w.pos, p->o->timeout_s, NULL));
    return 0;
}

/* Waits for an event of type whose key is the msg_id of the message sent. */
static json_t *service_call(struct probe *p, const uint8_t *b, size_t len, const char *type,
                            uint64_t *msg_id)
{
    uint64_t id;
    if (probe_send(p, b, len, true, &id))
        return NULL;
    if (msg_id)
        *msg_id = id;
    double end = probe_now() + p->o->timeout_s;
    while (probe_now() < end && !p->closed) {
        json_t *e = probe_find(p, type, "req_msg_id", id);
        if (e)
            return e;
        if (probe_wait(p, 0.05, NULL, NULL) < 0)
            break;
    }
    return probe_find(p, type, "req_msg_id", id);
}

static int sc_future_salts(struct probe *p, struct mt_rsa *k)
{
    (void)k;
    uint8_t b[8];
    mt_store_le32(b, MT_TL_ID_GET_FUTURE_SALTS);
    mt_store_le32(b + 4, 3);
    uint64_t id = 0;
    set_answer(p, "answer", service_call(p, b, sizeof b, "future_salts", &id));
    /* what a client must not get: the salts inside an rpc_result */
    set_answer(p, "wrapped", probe_find(p, "rpc_result", "req_msg_id", id));
    return 0;
}

static int sc_destroy_session(struct probe *p, struct mt_rsa *k)
{
    (void)k;
    uint8_t b[12];
    mt_store_le32(b, MT_TL_ID_DESTROY_SESSION);
    mt_store_le64(b + 4, probe_rand_u64(p));
    set_answer(p, "answer", service_call(p, b, sizeof b, "rpc_result", NULL));
    return 0;
}

static size_t ids_body(uint8_t *b, uint32_t ctor, const uint64_t *ids, size_t n)
{
    mt_store_le32(b, ctor);
    mt_store_le32(b + 4, 0x1cb5c415u);
    mt_store_le32(b + 8, (uint32_t)n);
    for (size_t i = 0; i < n; i++)
        mt_store_le64(b + 12 + 8 * i, ids[i]);
    return 12 + 8 * n;
}

/* msgs_state_req / msg_resend_req about a ping we sent and an id never sent. */
static int state_common(struct probe *p, uint32_t ctor)
{
    uint8_t ping[12];
    uint64_t ping_msg;
    mt_store_le32(ping, MT_TL_ID_PING);
    mt_store_le64(ping + 4, probe_rand_u64(p));
    json_object_set_new(R(p), "pong", json_boolean(service_call(p, ping, sizeof ping, "pong", &ping_msg) != NULL));
    uint64_t ids[2] = {ping_msg, ping_msg - 4 * 1000};
    uint8_t b[64];
    size_t n = ids_body(b, ctor, ids, 2);
    set_answer(p, "answer", service_call(p, b, n, "msgs_state_info", NULL));
    return 0;
}

static int sc_msgs_state_req(struct probe *p, struct mt_rsa *k) { (void)k; return state_common(p, MT_TL_ID_MSGS_STATE_REQ); }
static int sc_msg_resend_req(struct probe *p, struct mt_rsa *k) { (void)k; return state_common(p, MT_TL_ID_MSG_RESEND_REQ); }

static int sc_rpc_drop_answer(struct probe *p, struct mt_rsa *k)
{
    (void)k;
    uint8_t echo[12];
    mt_store_le32(echo, MT_TL_ID_MTLOAD_ECHO);
    mt_store_le32(echo + 4, 0x00787802u);   /* bytes "xx" */
    uint64_t echo_id = 0;
    set_answer(p, "echo", probe_rpc(p, echo, 8, p->o->timeout_s, &echo_id));
    uint8_t b[12];
    mt_store_le32(b, MT_TL_ID_RPC_DROP_ANSWER);
    mt_store_le64(b + 4, echo_id);
    set_answer(p, "answer", service_call(p, b, sizeof b, "rpc_result", NULL));
    return 0;
}

/* --count pings in one msg_container. */
static int sc_container(struct probe *p, struct mt_rsa *k)
{
    (void)k;
    size_t n = (size_t)p->o->count;
    uint8_t *b = malloc(8 + n * 28);
    uint64_t *ping_ids = malloc(n * 8);
    if (!b || !ping_ids)
        return MT_E_NOMEM;
    mt_store_le32(b, MT_TL_ID_MSG_CONTAINER);
    mt_store_le32(b + 4, (uint32_t)n);
    for (size_t i = 0; i < n; i++) {
        uint8_t *it = b + 8 + i * 28;
        ping_ids[i] = probe_rand_u64(p);
        mt_store_le64(it, probe_next_msg_id(p));
        mt_store_le32(it + 8, probe_next_seq(p, true));
        mt_store_le32(it + 12, 12);
        mt_store_le32(it + 16, MT_TL_ID_PING);
        mt_store_le64(it + 20, ping_ids[i]);
    }
    probe_send(p, b, 8 + n * 28, false, NULL);
    double end = probe_now() + p->o->timeout_s;
    size_t got = 0;
    while (probe_now() < end && !p->closed) {
        got = 0;
        for (size_t i = 0; i < n; i++)
            got += probe_find(p, "pong", "ping_id", ping_ids[i]) != NULL;
        if (got == n || probe_wait(p, 0.05, NULL, NULL) < 0)
            break;
    }
    json_object_set_new(R(p), "sent", json_integer((json_int_t)n));
    json_object_set_new(R(p), "answered", json_integer((json_int_t)got));
    free(b);
    free(ping_ids);
    return 0;
}

/* mtload.echo inside gzip_packed, once as gzip and once as a zlib stream. */
static int sc_gzip(struct probe *p, struct mt_rsa *k)
{
    (void)k;
    size_t n = 4096;
    uint8_t *q = malloc(16 + n), *z = malloc(16 + 2 * n), *g = malloc(32 + 2 * n);
    if (!q || !z || !g)
        return MT_E_NOMEM;
    struct mt_tl_writer w;
    mt_tl_writer_init(&w, q, 16 + n);
    mt_tl_w32(&w, MT_TL_ID_MTLOAD_ECHO);
    uint8_t *d = mt_tl_put(&w, mt_tl_bytes_size(n - 8));
    d[0] = 254, d[1] = (uint8_t)(n - 8), d[2] = (uint8_t)((n - 8) >> 8), d[3] = 0;
    for (size_t i = 4; i < mt_tl_bytes_size(n - 8); i++)
        d[i] = (uint8_t)("gzip"[i % 4]);
    struct mt_gzip *gz = mt_gzip_new(0);
    const char *names[2] = {"gzip", "zlib"};
    for (int form = 0; form < 2; form++) {
        size_t packed = 0;
        uLongf zl = 2 * n;
        if (form == 0)
            mt_gzip_deflate(gz, q, w.pos, z, 2 * n, &packed);
        else if (compress2(z, &zl, q, w.pos, 6) == Z_OK)
            packed = zl;
        struct mt_tl_writer gw;
        mt_tl_writer_init(&gw, g, 32 + 2 * n);
        mt_tl_w32(&gw, MT_TL_ID_GZIP_PACKED);
        mt_tl_wbytes(&gw, z, packed);
        set_answer(p, names[form], probe_rpc(p, g, gw.pos, p->o->timeout_s, NULL));
    }
    mt_gzip_free(gz);
    free(q);
    free(z);
    free(g);
    return 0;
}

/* A new session whose first message carries salt 0. */
static int sc_salt0(struct probe *p, struct mt_rsa *k)
{
    (void)k;
    p->salt = 0;
    json_object_set_new(R(p), "pong", json_boolean(probe_ping(p, probe_rand_u64(p), p->o->timeout_s) == 1));
    set_answer(p, "bad_server_salt", probe_find(p, "bad_server_salt", NULL, 0));
    /* and the connection is still usable */
    json_object_set_new(R(p), "pong_after", json_boolean(probe_ping(p, probe_rand_u64(p), p->o->timeout_s) == 1));
    return 0;
}

static bool got_quick_ack(struct probe *p, void *ctx)
{
    uint64_t ping_id = *(uint64_t *)ctx;
    return probe_find(p, "quick_ack", NULL, 0) && probe_find(p, "pong", "ping_id", ping_id);
}

static int sc_quick_ack(struct probe *p, struct mt_rsa *k)
{
    (void)k;
    uint8_t b[12];
    uint64_t ping_id = probe_rand_u64(p);
    mt_store_le32(b, MT_TL_ID_PING);
    mt_store_le64(b + 4, ping_id);
    struct probe_msg m = {.salt = p->salt, .session_id = p->session_id, .msg_id = probe_next_msg_id(p),
                          .seq_no = probe_next_seq(p, true), .body = b, .len = sizeof b,
                          .flags = MT_TR_F_QUICK_ACK};
    probe_send_msg(p, &m);
    probe_wait(p, p->o->timeout_s, got_quick_ack, &ping_id);
    json_t *qa = probe_find(p, "quick_ack", NULL, 0);
    json_object_set_new(R(p), "expected_token", json_integer(m.qa));
    json_object_set_new(R(p), "token", qa ? json_incref(json_object_get(qa, "token")) : json_null());
    json_object_set_new(R(p), "pong", json_boolean(probe_find(p, "pong", "ping_id", ping_id) != NULL));
    return 0;
}

static bool is_closed(struct probe *p, void *ctx) { (void)ctx; return p->closed; }

/* ping_delay_disconnect(--idle s): pong, then the server closes. */
static int sc_ping_delay_disconnect(struct probe *p, struct mt_rsa *k)
{
    (void)k;
    uint8_t b[16];
    uint64_t ping_id = probe_rand_u64(p);
    mt_store_le32(b, MT_TL_ID_PING_DELAY_DISCONNECT);
    mt_store_le64(b + 4, ping_id);
    mt_store_le32(b + 12, (uint32_t)p->o->idle_s);
    double t0 = probe_now();
    probe_send(p, b, sizeof b, true, NULL);
    probe_wait(p, p->o->timeout_s + p->o->idle_s, is_closed, NULL);
    json_object_set_new(R(p), "pong", json_boolean(probe_find(p, "pong", "ping_id", ping_id) != NULL));
    json_object_set_new(R(p), "closed_after_ms",
                        p->closed ? json_real((p->closed_at - t0) * 1e3) : json_null());
    return 0;
}

/* Handshake, then silence for --idle seconds (or until the server closes). */
static int sc_idle(struct probe *p, struct mt_rsa *k)
{
    (void)k;
    probe_ping(p, probe_rand_u64(p), p->o->timeout_s);
    probe_wait(p, p->o->idle_s, is_closed, NULL);
    return 0;
}

/* A ping on each of --count sessions (new session ids) of one connection. */
static int sc_sessions(struct probe *p, struct mt_rsa *k)
{
    (void)k;
    long pongs = 0;
    for (long i = 0; i < p->o->count && !p->closed; i++) {
        p->session_id = probe_rand_u64(p);
        p->content_msgs = 0;
        pongs += probe_ping(p, probe_rand_u64(p), p->o->timeout_s) == 1;
    }
    json_object_set_new(R(p), "pongs", json_integer(pongs));
    return 0;
}

/* --count more connections, each with its own auth key, session and one
 * answered ping, all held open for --idle seconds (memory per session). */
static int sc_hold(struct probe *p, struct mt_rsa *k)
{
    size_t n = (size_t)p->o->count, ready = 0, open_after = 0;
    struct probe *q = calloc(n, sizeof *q);
    if (!q)
        return MT_E_NOMEM;
    for (size_t i = 0; i < n; i++) {
        q[i].events = json_array();
        q[i].result = json_object();
        if (!probe_connect(&q[i], p->o) && !probe_handshake(&q[i], k, false, 0) &&
            probe_ping(&q[i], probe_rand_u64(&q[i]), p->o->timeout_s) == 1)
            ready++;
    }
    json_object_set_new(R(p), "ready", json_integer((json_int_t)ready));
    printf("{\"held\":%zu}\n", ready);       /* tells the caller to measure now */
    fflush(stdout);
    probe_wait(p, p->o->idle_s, NULL, NULL);
    for (size_t i = 0; i < n; i++) {
        open_after += probe_wait(&q[i], 0.001, NULL, NULL) == 0 && !q[i].closed;
        probe_close(&q[i]);
        json_decref(q[i].events);
        json_decref(q[i].result);
    }
    free(q);
    json_object_set_new(R(p), "open_after", json_integer((json_int_t)open_after));
    return 0;
}

/* A permanent key on one connection, then a temporary key on a second one
 * bound to it with auth.bindTempAuthKey. */
static int sc_bind(struct probe *p, struct mt_rsa *k)
{
    struct mt_auth_key perm = p->key;
    probe_close(p);
    p->closed = false;
    p->has_key = false;
    int rc = probe_connect(p, p->o);
    if (!rc)
        rc = probe_handshake(p, k, true, 3600);
    if (rc)
        return rc;
    struct mt_hs_bind bind = {.nonce = (int64_t)probe_rand_u64(p), .temp_auth_key_id = p->key.id64,
                              .perm_auth_key_id = perm.id64, .temp_session_id = p->session_id,
                              .expires_at = (int32_t)mt_wall_s() + 3600};
    uint8_t body[256];
    uint64_t msg_id = probe_next_msg_id(p);
    int n = mt_hs_bind_write_call(&perm, &bind, msg_id, &p->rng, body, sizeof body);
    mt_wipe(&perm, sizeof perm);
    if (n < 0)
        return n;
    struct probe_msg m = {.salt = p->salt, .session_id = p->session_id, .msg_id = msg_id,
                          .seq_no = probe_next_seq(p, true), .body = body, .len = (size_t)n};
    probe_send_msg(p, &m);
    double end = probe_now() + p->o->timeout_s;
    while (!probe_find(p, "rpc_result", "req_msg_id", msg_id) && probe_now() < end && !p->closed)
        if (probe_wait(p, 0.05, NULL, NULL) < 0)
            break;
    set_answer(p, "answer", probe_find(p, "rpc_result", "req_msg_id", msg_id));
    json_object_set_new(R(p), "pong_after", json_boolean(probe_ping(p, probe_rand_u64(p), p->o->timeout_s) == 1));
    return 0;
}

static const struct probe_scenario service[] = {
    {"handshake", true, sc_handshake},
    {"ping", true, sc_ping},
    {"ping_loop", true, sc_ping_loop},
    {"echo", true, sc_echo},
    {"echo_sized", true, sc_echo_sized},
    {"unknown_method", true, sc_unknown_method},
    {"wrappers", true, sc_wrappers},
    {"future_salts", true, sc_future_salts},
    {"destroy_session", true, sc_destroy_session},
    {"msgs_state_req", true, sc_msgs_state_req},
    {"msg_resend_req", true, sc_msg_resend_req},
    {"rpc_drop_answer", true, sc_rpc_drop_answer},
    {"container", true, sc_container},
    {"gzip", true, sc_gzip},
    {"salt0", true, sc_salt0},
    {"quick_ack", true, sc_quick_ack},
    {"ping_delay_disconnect", true, sc_ping_delay_disconnect},
    {"idle", true, sc_idle},
    {"bind", true, sc_bind},
    {"sessions", true, sc_sessions},
    {"hold", true, sc_hold},
};

const struct probe_scenario *probe_scenarios_service(size_t *n)
{
    *n = MT_ARRAY_LEN(service);
    return service;
}
