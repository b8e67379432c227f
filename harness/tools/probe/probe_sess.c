/* mt_probe: the handshake, encrypted messages with explicit header fields,
 * and waiting for what the server sends back. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include "harness/tools/probe/probe.h"

void probe_set_u64(json_t *o, const char *k, uint64_t v)
{
    char s[24];
    snprintf(s, sizeof s, "%" PRIu64, v);
    json_object_set_new(o, k, json_string(s));
}

uint64_t probe_rand_u64(struct probe *p)
{
    return mt_rng_u64(&p->rng) >> 2;   /* positive as int64 */
}

static void note_transport_pkt(struct probe *p, const struct mt_tr_pkt *pkt)
{
    json_t *e = json_object();
    if (pkt->kind == MT_TR_PKT_ERROR) {
        json_object_set_new(e, "type", json_string("transport_error"));
        json_object_set_new(e, "code", json_integer(pkt->error));
    } else {
        json_object_set_new(e, "type", json_string("quick_ack"));
        json_object_set_new(e, "token", json_integer(pkt->token));
    }
    json_object_set_new(e, "t_ms", json_real((probe_now() - p->opened_at) * 1e3));
    json_array_append_new(p->events, e);
}

int probe_handshake(struct probe *p, struct mt_rsa *server_key, bool temp, int32_t expires_in)
{
    struct mt_hs_client_config cfg = {.keys = &server_key, .nkeys = 1, .dc_id = 2,
                                      .temp = temp, .expires_in = expires_in,
                                      .legacy = p->o->legacy};
    struct mt_hs_client *c = mt_hs_client_new(&cfg, &p->rng);
    if (!c)
        return MT_E_NOMEM;
    uint8_t out[MT_HS_MAX_MSG];
    size_t n = 0;
    int rc = mt_hs_client_start(c, mt_wall_s(), out, sizeof out, &n);
    while (rc == MT_HS_SEND) {
        if ((rc = probe_send_frame(p, out, n, 0)))
            break;
        struct mt_tr_pkt pkt;
        rc = probe_recv(p, p->o->timeout_s, &pkt);
        if (rc == 0)
            rc = MT_E_TIMEOUT;
        if (rc < 0)
            break;
        if (pkt.kind != MT_TR_PKT_DATA) {
            note_transport_pkt(p, &pkt);
            rc = MT_E_PROTO;
            break;
        }
        rc = mt_hs_client_feed(c, pkt.data, pkt.len, mt_wall_s(), out, sizeof out, &n);
    }
    if (rc == MT_HS_DONE) {
        struct mt_hs_result r;
        mt_hs_client_result(c, &r);
        p->key = r.key;
        p->has_key = true;
        p->salt = r.server_salt;
        p->session_id = probe_rand_u64(p);
        p->content_msgs = 0;
        mt_wipe(&r, sizeof r);
        rc = 0;
    } else if (rc > 0) {
        rc = MT_E_PROTO;
    }
    if (rc && rc != MT_E_CLOSED && rc != MT_E_TIMEOUT)
        json_object_set_new(p->result, "handshake_error", json_string(mt_hs_client_error(c)));
    mt_hs_client_free(c);
    return rc;
}

uint64_t probe_next_msg_id(struct probe *p)
{
    p->last_msg_id = mt_hs_msg_id(mt_wall_s(), p->last_msg_id, 0);
    return p->last_msg_id;
}

uint32_t probe_next_seq(struct probe *p, bool content)
{
    return content ? 2 * p->content_msgs++ + 1 : 2 * p->content_msgs;
}

int probe_send_msg(struct probe *p, struct probe_msg *m)
{
    size_t cap = MT_MSG_HEADER + MT_MSG_INNER_HEADER + m->len + MT_MSG_PAD_MAX + 16;
    uint8_t *buf = malloc(cap);
    if (!buf)
        return MT_E_NOMEM;
    uint8_t *in = buf + MT_MSG_HEADER;
    mt_store_le64(in, m->salt);
    mt_store_le64(in + 8, m->session_id);
    mt_store_le64(in + 16, m->msg_id);
    mt_store_le32(in + 24, m->seq_no);
    mt_store_le32(in + 28, (uint32_t)m->len);
    if (m->len)
        memcpy(in + 32, m->body, m->len);
    struct mt_msg_job job = {.key = &p->key, .buf = buf, .plain_len = 32 + m->len, .cap = cap};
    int rc = mt_msg_encrypt(&job, MT_X_CLIENT, &p->rng);
    if (!rc) {
        if (m->key_id)
            mt_store_le64(buf, m->key_id);
        if (m->flip)
            buf[job.out_len - 1] ^= 0x5a;
        m->qa = job.quick_ack;
        rc = probe_send_frame(p, buf, job.out_len, m->flags);
    }
    free(buf);
    return rc;
}

int probe_send(struct probe *p, const void *body, size_t len, bool content, uint64_t *msg_id)
{
    struct probe_msg m = {.salt = p->salt, .session_id = p->session_id,
                          .msg_id = probe_next_msg_id(p), .seq_no = probe_next_seq(p, content),
                          .body = body, .len = len};
    if (msg_id)
        *msg_id = m.msg_id;
    return probe_send_msg(p, &m);
}

/* Decrypt and decode one encrypted packet; acks its content messages. */
static void on_data(struct probe *p, uint8_t *data, size_t len)
{
    json_t *e;
    if (len >= 8 && mt_load_le64(data) == 0) {
        e = json_pack("{s:s, s:i}", "type", "plain", "len", (json_int_t)len);
        json_array_append_new(p->events, e);
        return;
    }
    struct mt_msg_djob dj = {.key = &p->key, .buf = data, .len = len};
    if (!p->has_key || len < 24 || mt_load_le64(data) != p->key.id64 ||
        mt_msg_decrypt(&dj, MT_X_SERVER) || dj.status) {
        e = json_pack("{s:s, s:i}", "type", "undecryptable", "len", (json_int_t)len);
        json_array_append_new(p->events, e);
        return;
    }
    const uint8_t *h = dj.plain;
    uint64_t msg_id = mt_load_le64(h + 16);
    uint32_t seq_no = mt_load_le32(h + 24);
    size_t before = json_array_size(p->events);
    probe_decode(p, msg_id, seq_no, dj.body, dj.body_len, p->events, 0);
    for (size_t i = before; i < json_array_size(p->events); i++)
        json_object_set_new(json_array_get(p->events, i), "t_ms",
                            json_real((probe_now() - p->opened_at) * 1e3));
    /* ack content-related messages (and the items of a container) */
    uint64_t ids[64];
    size_t n = 0;
    if (seq_no & 1)
        ids[n++] = msg_id;
    for (size_t i = before; i < json_array_size(p->events) && n < 64; i++) {
        json_t *ev = json_array_get(p->events, i);
        json_t *c = json_object_get(ev, "content");
        const char *id = json_string_value(json_object_get(ev, "msg_id"));
        if (json_is_true(c) && id && json_integer_value(json_object_get(ev, "depth")) > 0)
            ids[n++] = strtoull(id, NULL, 10);
    }
    if (n && !p->closed) {
        uint8_t b[8 + 8 + 64 * 8];
        mt_store_le32(b, MT_TL_ID_MSGS_ACK);
        mt_store_le32(b + 4, 0x1cb5c415u);
        mt_store_le32(b + 8, (uint32_t)n);
        for (size_t i = 0; i < n; i++)
            mt_store_le64(b + 12 + 8 * i, ids[i]);
        probe_send(p, b, 12 + 8 * n, false, NULL);
    }
}

int probe_wait(struct probe *p, double timeout_s, probe_pred pred, void *ctx)
{
    double deadline = probe_now() + timeout_s;
    for (;;) {
        if (pred && pred(p, ctx))
            return 1;
        double left = deadline - probe_now();
        if (left <= 0)
            return 0;
        struct mt_tr_pkt pkt;
        int rc = probe_recv(p, left, &pkt);
        if (rc <= 0) {
            if (rc == 0)
                continue;
            if (rc != MT_E_CLOSED) {
                json_array_append_new(p->events, json_pack("{s:s, s:s}", "type", "framing_error",
                                                           "error", mt_strerror(rc)));
            }
            return pred && pred(p, ctx) ? 1 : rc;
        }
        if (pkt.kind == MT_TR_PKT_DATA)
            on_data(p, pkt.data, pkt.len);
        else
            note_transport_pkt(p, &pkt);
    }
}

json_t *probe_find(struct probe *p, const char *type, const char *key, uint64_t value)
{
    char want[24];
    snprintf(want, sizeof want, "%" PRIu64, value);
    size_t i;
    json_t *e;
    json_array_foreach(p->events, i, e) {
        if (strcmp(json_string_value(json_object_get(e, "type")) ?: "", type))
            continue;
        if (!key)
            return e;
        const char *v = json_string_value(json_object_get(e, key));
        if (v && !strcmp(v, want))
            return e;
    }
    return NULL;
}

size_t probe_count(struct probe *p, const char *type)
{
    size_t i, n = 0;
    json_t *e;
    json_array_foreach(p->events, i, e)
        n += !strcmp(json_string_value(json_object_get(e, "type")) ?: "", type);
    return n;
}

/* ---- request / answer ------------------------------------------------------ */

struct answer_wait {
    const char *type, *key;
    uint64_t value;
    uint64_t msg_id;
    json_t *found;
    json_t *salt;               /* bad_server_salt for msg_id */
    json_t *bad;                /* bad_msg_notification for msg_id */
    size_t terr0;               /* transport errors seen before sending */
    bool terr;                  /* a new transport error arrived */
};

static bool answer_ready(struct probe *p, void *ctx)
{
    struct answer_wait *a = ctx;
    a->found = probe_find(p, a->type, a->key, a->value);
    a->salt = probe_find(p, "bad_server_salt", "bad_msg_id", a->msg_id);
    a->bad = probe_find(p, "bad_msg_notification", "bad_msg_id", a->msg_id);
    a->terr = probe_count(p, "transport_error") > a->terr0;
    return a->found || a->salt || a->bad || a->terr;
}

/* Send body (content-related) and wait for the event (type, key == value,
 * or key == the msg_id when value is 0); a bad_server_salt makes it re-send
 * under the new salt (at most 3 times). */
static json_t *send_and_wait(struct probe *p, const void *body, size_t len, const char *type,
                             const char *key, uint64_t value, double timeout_s, uint64_t *msg_id)
{
    struct answer_wait a = {.type = type, .key = key};
    for (int tries = 0; tries < 4; tries++) {
        a.terr0 = probe_count(p, "transport_error");
        if (probe_send(p, body, len, true, &a.msg_id))
            return NULL;
        if (msg_id)
            *msg_id = a.msg_id;
        a.value = value ? value : a.msg_id;
        if (probe_wait(p, timeout_s, answer_ready, &a) != 1)
            return NULL;
        if (a.found)
            return a.found;
        if (a.bad)
            return a.bad;
        if (a.terr)
            return NULL;
        const char *salt = json_string_value(json_object_get(a.salt, "new_server_salt"));
        p->salt = strtoull(salt, NULL, 10);
        json_object_set_new(p->result, "salt_resends",
                            json_integer(json_integer_value(json_object_get(p->result, "salt_resends")) + 1));
    }
    return NULL;
}

json_t *probe_rpc(struct probe *p, const void *body, size_t len, double timeout_s, uint64_t *msg_id)
{
    return send_and_wait(p, body, len, "rpc_result", "req_msg_id", 0, timeout_s, msg_id);
}

int probe_ping(struct probe *p, uint64_t ping_id, double timeout_s)
{
    uint8_t b[12];
    mt_store_le32(b, MT_TL_ID_PING);
    mt_store_le64(b + 4, ping_id);
    return send_and_wait(p, b, sizeof b, "pong", "ping_id", ping_id, timeout_s, NULL) &&
           probe_find(p, "pong", "ping_id", ping_id);
}
