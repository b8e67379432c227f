/* core/link: one MTProto connection's pipeline — socket <-> transport <->
 * batch crypto <-> the program's sessions — and the per-worker batcher that
 * makes the crypto fast. Shared by the load generator (client role) and the
 * reference server (server role), so the pipeline exists once.
 *
 * A worker (one per thread, owning one mt_loop) runs every connection's
 * crypto in batches: during the loop's I/O phase each readable link reads
 * once and queues its whole encrypted packets; in the loop's before-flush
 * hook the worker decrypts all queued packets of all links in one
 * mt_msg_decrypt_batch call, hands the plaintexts to the program, then asks
 * every link that has something to send for its next plaintext, encrypts all
 * of them with one mt_msg_encrypt_batch call, frames them in place in the
 * connections' output buffers and lets the loop flush each connection with
 * one writev. Handshake (unencrypted) messages are rare and handled at once.
 *
 * Memory: a link is embedded in (or allocated by) the program, which owns it.
 * The link layer never frees a link. on_close is called at a safe point (the
 * end of the before-flush hook), where the program may free or re-init it. */
#ifndef MT_LINK_H
#define MT_LINK_H

#include <stdbool.h>
#include "core/base/mt_base.h"
#include "core/crypto/mt_crypto.h"
#include "core/mtproto/mt_mtproto.h"
#include "core/transport/mt_transport.h"
#include "core/net/mt_net.h"

#ifdef __cplusplus
extern "C" {
#endif

enum mt_link_role { MT_LINK_CLIENT = 0, MT_LINK_SERVER = 1 };

enum mt_link_state {
    MT_LINK_IDLE = 0,      /* initialised, no socket */
    MT_LINK_CONNECTING,    /* client: TCP connect in progress */
    MT_LINK_HANDSHAKE,     /* an auth-key handshake is running */
    MT_LINK_READY,         /* has an auth key: encrypted traffic flows */
    MT_LINK_OPEN,          /* server: connected, no key yet (first packets) */
    MT_LINK_CLOSED,
};

struct mt_link;

/* Upcalls into the program. Every callback is optional unless noted. */
struct mt_link_ops {
    /* Client: the TCP connection is up (status 0) or failed (MT_E_CONNECT,
     * MT_E_TIMEOUT). After a failure the link is closed (on_close follows). */
    void (*on_connect)(struct mt_link *l, int status);
    /* An auth-key handshake finished; the link now encrypts with r->key.
     * Return 0 to go on, negative to close the link. */
    int (*on_handshake)(struct mt_link *l, const struct mt_hs_result *r);
    /* A handshake failed (detail: mt_hs_*_error text). The link closes. */
    void (*on_handshake_error)(struct mt_link *l, int err, const char *detail);
    /* Server: an encrypted packet names an auth key this link does not hold.
     * Return the key (copied into the link) or NULL: the link answers with
     * transport error -404 and closes. */
    const struct mt_auth_key *(*lookup_key)(struct mt_link *l, uint64_t auth_key_id);
    /* Required. One decrypted message: plain = inner header + body (+ the
     * padding), valid during the call only. Called from the batch. */
    void (*on_message)(struct mt_link *l, const uint8_t *plain, size_t plain_len);
    /* Required. Write the next plaintext to send (inner header + body, as the
     * session layer's build functions do) at out (cap bytes). Return its
     * length, 0 when there is nothing to send, MT_E_OVERFLOW to be called
     * again with a larger buffer (up to max_envelope), or another negative
     * error to close the link. Called from the batch after mt_link_want_send. */
    int (*build)(struct mt_link *l, uint8_t *out, size_t cap);
    /* A packet failed to decrypt or verify (MT_E_MSG_KEY, _LEN, _PAD,
     * MT_E_AUTH_KEY_ID on a client). Return true to close the link. */
    bool (*on_bad_packet)(struct mt_link *l, int err);
    /* Client: the server sent a quick-ack token / a transport error (-404,
     * -429, -444...). The link stays open; the program decides. */
    void (*on_quick_ack)(struct mt_link *l, uint32_t token);
    void (*on_transport_error)(struct mt_link *l, int32_t code);
    /* Required. The link is closed: reason 0 (closed locally), MT_E_CLOSED
     * (peer closed), MT_E_IO, a framing or protocol error. Called at the end
     * of the before-flush hook; the program may free or re-init the link. */
    void (*on_close)(struct mt_link *l, int reason);
};

/* Settings of a worker, shared by all its links. Borrowed: they must
 * outlive the worker. */
struct mt_link_config {
    enum mt_link_role role;
    const struct mt_link_ops *ops;
    /* client transport: kind, obfuscation, MTProxy secret, dc id */
    struct mt_tr_config tr;
    bool quick_ack;                   /* client: ask for quick acks */
    /* server: which transports and secrets are accepted */
    struct mt_tr_server_config tr_server;
    /* handshakes (client: trusted keys...; server: private keys, prime) */
    const struct mt_hs_client_config *hs_client;
    const struct mt_hs_server_config *hs_server;
    struct mt_sock_opts sock;
    size_t rx_initial;                /* receive buffer: first size (0 = 4 KiB) */
    size_t rx_max;                    /* ... and bound (0 = 2 MiB) */
    size_t out_cap;                   /* output buffer bound (0 = 4 MiB) */
    size_t envelope;                  /* first try for a plaintext buffer (0 = 16 KiB) */
    size_t max_envelope;              /* largest plaintext (0 = 1 MiB + 4 KiB) */
    size_t read_max;                  /* bytes read per readable event (0 = 256 KiB) */
};

/* Per-worker counters (only the worker thread writes them). */
struct mt_link_stats {
    uint64_t rx_batches, rx_msgs, tx_batches, tx_msgs;
    /* Thread CPU time inside the batch crypto calls, sampled on one batch
     * in MT_LINK_CRYPTO_SAMPLE (a CPU-time clock read is a system call;
     * wall time would count preemption), and the messages those batches
     * held: crypto_ns / crypto_msgs is the cost per message. */
    uint64_t crypto_ns;
    uint64_t crypto_msgs;
    uint64_t bytes_in, bytes_out;
    uint64_t bad_packets, unknown_keys, framing_errors;
};

struct mt_link_worker;
#define MT_LINK_CRYPTO_SAMPLE 16

/* One per thread, bound to its loop (installs the before-flush hook). NULL
 * on a bad config or out of memory. */
struct mt_link_worker *mt_link_worker_new(struct mt_loop *loop, const struct mt_link_config *cfg);
void mt_link_worker_free(struct mt_link_worker *w);
/* True when the worker has work for the next iteration that no I/O event
 * will announce (links to flush, closes to report): poll with timeout 0. */
bool mt_link_worker_busy(const struct mt_link_worker *w);
struct mt_loop *mt_link_worker_loop(const struct mt_link_worker *w);
struct mt_rng *mt_link_worker_rng(struct mt_link_worker *w);
const struct mt_link_stats *mt_link_worker_stats(const struct mt_link_worker *w);
/* Run the batch now (normally the loop's before-flush hook does it). */
void mt_link_worker_process(struct mt_link_worker *w);

struct mt_link {
    struct mt_conn conn;              /* the socket (core/net) */
    struct mt_link_worker *w;
    void *ud;                         /* the program's */
    enum mt_link_state state;
    int close_reason;
    uint32_t gen;                     /* bumped on close: stale batch entries */
    bool has_key;
    bool want_send;                   /* on the worker's send list */
    bool send_deferred;               /* asked to send while not READY or
                                         while output was full */
    bool close_reported;
    bool rx_full;                     /* the last read filled the buffer */
    bool rx_queued;                   /* packets of this iteration await the batch */
    struct mt_auth_key key;
    struct mt_tr tr;
    struct mt_tr_rx rx;
    union {
        struct mt_hs_client *hc;
        struct mt_hs_server *hs;
    } hs;
    const struct mt_hs_client_config *hs_cfg;   /* client: this link's, or NULL */
    struct mt_link *send_next;        /* worker's send list */
    struct mt_link *close_next;       /* worker's close list */
    uint64_t bytes_in, bytes_out;
};

/* Client: connect to dst (optionally from src); with key != NULL the link
 * uses that auth key (no handshake), else it runs a handshake after the
 * connect and reports it through on_handshake. 0 or a negative error (the
 * link stays IDLE then and on_close is not called). */
int mt_link_connect(struct mt_link *l, struct mt_link_worker *w, const struct mt_addr *dst,
                    const struct mt_addr *src, const struct mt_auth_key *key, mt_ns timeout,
                    void *ud);
/* Client: start a new handshake on an open link (e.g. after -404, or the
 * temporary key after the permanent one). cfg NULL: the worker's config. */
int mt_link_start_handshake(struct mt_link *l, const struct mt_hs_client_config *cfg);
/* Server: adopt an accepted socket. */
int mt_link_accept(struct mt_link *l, struct mt_link_worker *w, int fd, void *ud);
/* The program has something to send: build() will be called in this
 * iteration's batch. Cheap and idempotent. */
void mt_link_want_send(struct mt_link *l);
/* Server: send transport error code (e.g. -429) framed for this link. */
int mt_link_send_transport_error(struct mt_link *l, int32_t code);
/* Close now (socket closed, pending output dropped); on_close(reason) is
 * reported at the end of the iteration. Idempotent. */
void mt_link_close(struct mt_link *l, int reason);
/* Close after the queued output is written (e.g. after -404). */
void mt_link_close_after_flush(struct mt_link *l, int reason);
/* Release buffers of a closed (or never opened) link; it can be reused. */
void mt_link_release(struct mt_link *l);
/* An idle link gives its grown buffers back (receive buffer to its initial
 * size, empty output chunks freed). Call it from a periodic sweep for links
 * with nothing in flight. 0, or MT_E_NOMEM (the link must then be closed). */
int mt_link_trim(struct mt_link *l);
/* Receive buffer capacity plus the bytes of output queued (not the output
 * buffer's allocated chunks): an estimate for the memory bars. */
size_t mt_link_mem(const struct mt_link *l);

#ifdef __cplusplus
}
#endif
#endif
