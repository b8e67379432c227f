/* mt_probe: a small, synchronous MTProto test client for the end-to-end
 * tests of `mtload server`. It connects over any transport, runs the real
 * auth-key handshake (core/mtproto), encrypts with core/crypto and frames
 * with core/transport, then performs ONE scenario and prints one JSON line
 * saying what happened: the messages the server sent back (flattened out of
 * containers), transport errors, quick acks, and whether and when the
 * server closed the connection.
 *
 * Unlike the load generator's event-driven link, everything here is
 * blocking and step by step, so that a scenario can misbehave on purpose
 * (reuse a msg_id, flip a ciphertext byte, send a frame length of 2^31...). */
#ifndef MT_PROBE_H
#define MT_PROBE_H

#include <jansson.h>
#include <stdbool.h>
#include "core/crypto/mt_crypto.h"
#include "core/mtproto/mt_mtproto.h"
#include "core/tl/mt_tl.h"
#include "core/tl/tl_ids.h"
#include "core/transport/mt_transport.h"

struct probe_opts {
    const char *host;
    int port;
    const char *transport;      /* mt_tr_parse_name form, e.g. obf-padded */
    const char *secret;         /* MTProxy secret (hex) or NULL */
    const char *key_path;       /* server public key (PEM) */
    const char *scenario;
    long size;                  /* echo sizes */
    long count;                 /* repetitions */
    double timeout_s;           /* per wait */
    double idle_s;              /* scenarios that idle */
    bool trickle;               /* send byte by byte (partial frames) */
    unsigned legacy;            /* MT_HS_LEGACY_* handshake forms */
};

/* One connection with its transport, auth key and one session. */
struct probe {
    const struct probe_opts *o;
    int fd;
    struct mt_tr tr;
    struct mt_tr_rx rx;
    struct mt_rng rng;
    bool has_key;
    struct mt_auth_key key;
    uint64_t salt;
    uint64_t session_id;
    uint64_t last_msg_id;
    uint32_t content_msgs;      /* seq_no = 2 * content_msgs (+1) */
    bool closed;                /* the server closed (EOF / reset) */
    double opened_at;           /* monotonic seconds */
    double closed_at;
    json_t *events;             /* everything received, in order */
    json_t *result;             /* the output object */
};

/* ---- probe_conn.c: socket and transport ---------------------------------- */
double probe_now(void);                         /* monotonic seconds */
int probe_connect(struct probe *p, const struct probe_opts *o);
void probe_close(struct probe *p);
int probe_send_raw(struct probe *p, const void *data, size_t len);
/* Frame and send one payload (flags: MT_TR_F_QUICK_ACK). */
int probe_send_frame(struct probe *p, const uint8_t *payload, size_t len, unsigned flags);
/* Receive one transport packet within timeout_s: 1 (pkt filled; DATA views
 * stay valid until the next call), 0 on timeout, MT_E_CLOSED when the server
 * closed the connection (p->closed set), other negative errors on framing. */
int probe_recv(struct probe *p, double timeout_s, struct mt_tr_pkt *pkt);

/* ---- probe_sess.c: handshake, encrypted messages, decoding ------------------ */
/* Auth-key handshake (temp: a temporary key expiring in expires_in s). */
int probe_handshake(struct probe *p, struct mt_rsa *server_key, bool temp, int32_t expires_in);
uint64_t probe_next_msg_id(struct probe *p);
uint32_t probe_next_seq(struct probe *p, bool content);
/* Send one message with explicit header fields. flip: flip a ciphertext
 * byte; key_id: override the auth_key_id (0 = the real one). Returns 0.
 * *qa receives the quick-ack token the server should answer with. */
struct probe_msg {
    uint64_t salt, session_id, msg_id;
    uint32_t seq_no;
    const uint8_t *body;
    size_t len;
    bool flip;
    uint64_t key_id;
    unsigned flags;
    uint32_t qa;                /* out */
};
int probe_send_msg(struct probe *p, struct probe_msg *m);
/* Send body as the next message of the session (content-related or not). */
int probe_send(struct probe *p, const void *body, size_t len, bool content, uint64_t *msg_id);
/* Receive and decode packets until pred(ctx) holds, the timeout passes or
 * the connection closes. Every decoded message is appended to p->events.
 * Acks content-related server messages. Returns 1 (pred true), 0 (timeout),
 * MT_E_CLOSED or another negative error. pred may be NULL (wait it out). */
typedef bool (*probe_pred)(struct probe *p, void *ctx);
int probe_wait(struct probe *p, double timeout_s, probe_pred pred, void *ctx);
/* Event lookups over p->events. */
json_t *probe_find(struct probe *p, const char *type, const char *key, uint64_t value);
size_t probe_count(struct probe *p, const char *type);
/* Decode one server plaintext body into event objects appended to out. */
void probe_decode(struct probe *p, uint64_t msg_id, uint32_t seq_no, const uint8_t *body,
                  size_t len, json_t *out, int depth);

/* ---- scenarios (probe_scen_*.c) ------------------------------------------- */
struct probe_scenario {
    const char *name;
    bool needs_key;             /* runs a handshake first */
    int (*run)(struct probe *p, struct mt_rsa *server_key);
};
const struct probe_scenario *probe_scenarios_service(size_t *n);
const struct probe_scenario *probe_scenarios_bad(size_t *n);

/* helpers shared by the scenarios */
void probe_set_u64(json_t *o, const char *k, uint64_t v);   /* as a decimal string */
uint64_t probe_rand_u64(struct probe *p);
/* An rpc query: send, wait for its rpc_result (following bad_server_salt
 * with a re-send under the new salt); returns the result event or NULL. */
json_t *probe_rpc(struct probe *p, const void *body, size_t len, double timeout_s,
                  uint64_t *msg_id);
int probe_ping(struct probe *p, uint64_t ping_id, double timeout_s);  /* 1 = pong */
#endif
