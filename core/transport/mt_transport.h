/* core/transport: the MTProto TCP transports (abridged, intermediate, padded
 * intermediate, full) and the obfuscated2 layer under them, for both the
 * client and the server side. Pure: bytes in, bytes out, no sockets, no
 * clock. One struct mt_tr per connection holds everything (both directions).
 *
 * Sending (zero copy): the layer above writes the payload at buf + headroom,
 * leaving mt_tr_header_len() bytes in front and up to MT_TR_TAILROOM bytes
 * behind it; mt_tr_frame() writes the envelope around it (and obfuscates the
 * whole frame in place) and returns where the frame starts and its length.
 *
 * Receiving: mt_tr_deframe() looks at a contiguous window of received,
 * already de-obfuscated bytes and either returns one whole packet as a view
 * into that window (plus the number of bytes it used), or MT_E_AGAIN when the
 * window holds only part of a packet (call again with more bytes: nothing is
 * remembered about the partial packet, so any split of the input works), or
 * a framing error. struct mt_tr_rx wraps this with an owned, growable buffer
 * that the socket reads straight into (mt_tr_rx_space/commit), decrypts new
 * bytes exactly once, runs server-side detection, and hands out packets.
 *
 * Spec: mtproto-mtproto-transports.md; pitfalls 10-13 of spec/README.md. */
#ifndef MT_TRANSPORT_H
#define MT_TRANSPORT_H

#include <stdbool.h>
#include "core/base/mt_base.h"
#include "core/crypto/mt_crypto.h"

#ifdef __cplusplus
extern "C" {
#endif

enum mt_tr_kind {
    MT_TR_ABRIDGED = 0,
    MT_TR_INTERMEDIATE = 1,
    MT_TR_PADDED = 2,       /* padded intermediate */
    MT_TR_FULL = 3,
    MT_TR_KIND_COUNT
};

enum mt_tr_role { MT_TR_CLIENT = 0, MT_TR_SERVER = 1 };

/* Largest envelope in front of a payload (full: len + seq = 8). */
#define MT_TR_HEADROOM 8
/* Largest envelope behind a payload (padded: 15 random bytes; full: CRC). */
#define MT_TR_TAILROOM 16
/* Largest client preamble: the 64-byte obfuscation header. */
#define MT_TR_PREAMBLE_MAX 64
#define MT_TR_OBF_HEADER 64
#define MT_TR_SECRET_LEN 16
/* Largest server quick-ack packet (padded: 4 len + 4 ff + 4 token + 8 pad). */
#define MT_TR_QUICK_ACK_MAX 20
/* Default upper bound on a frame's payload; configurable per connection. */
#define MT_TR_MAX_FRAME_DEFAULT (16u << 20)

/* Flags of mt_tr_frame(). */
enum {
    MT_TR_F_QUICK_ACK = 1u << 0,  /* client: ask the server for a quick ack
                                     (abridged / intermediate / padded; the
                                     full transport ignores it: undocumented) */
};

/* ---- the table of codecs --------------------------------------------- */
struct mt_tr;
struct mt_tr_pkt;

struct mt_tr_ops {
    const char *name;               /* "abridged", "intermediate", "padded", "full" */
    enum mt_tr_kind kind;
    uint8_t tag[4];                 /* protocol tag as sent before the first packet */
    uint8_t tag_len;                /* 1, 4, 4, 0 */
    uint8_t tag4[4];                /* the tag repeated to 4 bytes (obfuscation 56..59) */
    /* Envelope bytes in front of a payload of len bytes (flags: MT_TR_F_*). */
    size_t (*header_len)(size_t len, unsigned flags);
    /* Most bytes the envelope adds in total (header + trailer) for len. */
    size_t (*overhead_max)(size_t len);
    /* See mt_tr_frame / mt_tr_deframe (the obfuscation step is not part of
     * these: they work on plain transport bytes). */
    int (*frame)(struct mt_tr *t, uint8_t *buf, size_t headroom, size_t len,
                 size_t cap, unsigned flags, uint8_t **start, size_t *total);
    int (*deframe)(struct mt_tr *t, uint8_t *in, size_t len, struct mt_tr_pkt *pkt);
};

const struct mt_tr_ops *mt_tr_ops_get(enum mt_tr_kind kind);   /* NULL if out of range */
const struct mt_tr_ops *mt_tr_ops_by_name(const char *name);   /* NULL if unknown */
/* Parses "abridged", "intermediate", "padded", "full", optionally prefixed
 * with "obfuscated-" or "obf-" (e.g. "obf-padded"). MT_E_INVAL if unknown. */
int mt_tr_parse_name(const char *name, enum mt_tr_kind *kind, bool *obfuscated);

/* ---- per-connection state -------------------------------------------- */
struct mt_tr_config {
    enum mt_tr_kind kind;
    bool obfuscated;
    bool has_secret;                         /* MTProxy: keys = SHA256(key + secret) */
    uint8_t secret[MT_TR_SECRET_LEN];
    int16_t dc_id;                           /* obfuscated: int16 LE at 60..61 when
                                                dc_id != 0 or has_secret */
    uint32_t max_frame;                      /* payload bound; 0 = default */
};

struct mt_tr {
    const struct mt_tr_ops *ops;
    enum mt_tr_role role;
    bool ready;            /* client: preamble made; server: transport detected */
    bool obfuscated;
    bool has_secret;
    int16_t dc_id;         /* server: the DC id read from an obfuscated header */
    uint32_t max_frame;
    uint32_t send_seq;     /* full transport: next seqno to send */
    uint32_t recv_seq;     /* full transport: next seqno expected */
    struct mt_rng *rng;    /* padding bytes, obfuscation header (caller-owned) */
    struct mt_ctr enc;     /* obfuscation: outgoing stream */
    struct mt_ctr dec;     /* obfuscation: incoming stream */
    uint8_t secret[MT_TR_SECRET_LEN];
};

/* Server-side detection settings. */
struct mt_tr_server_config {
    const uint8_t (*secrets)[MT_TR_SECRET_LEN]; /* MTProxy secrets to try, or NULL */
    size_t nsecrets;
    bool allow_plain;        /* accept the non-obfuscated transports */
    bool allow_obfuscated;   /* accept obfuscated headers without a secret */
    uint32_t max_frame;      /* 0 = default */
};

/* An MTProxy secret as distributed in proxy links: 32 hex digits (16 bytes),
 * or 34 with a leading byte (17 bytes: "dd..." asks for padded
 * intermediate, and any 17-byte form defaults to it). Sets cfg->secret,
 * has_secret, obfuscated, and kind for the 17-byte form. MT_E_UNSUPPORTED
 * for "ee" (fake-TLS) secrets, MT_E_INVAL for anything else malformed. */
int mt_tr_config_secret(struct mt_tr_config *cfg, const char *hex);

/* Client: prepare a connection. rng is used for padding and the header (it
 * must outlive t). MT_E_INVAL on a bad config. */
int mt_tr_init_client(struct mt_tr *t, const struct mt_tr_config *cfg, struct mt_rng *rng);
/* Client: the bytes to send before the first packet (tag, or the 64-byte
 * obfuscation header; nothing for plain full). Writes into out (at least
 * MT_TR_PREAMBLE_MAX bytes) and returns the length (>= 0) or an error. Call
 * once; sets up the obfuscation streams. */
int mt_tr_client_preamble(struct mt_tr *t, uint8_t *out);
/* Same with the 64 random header bytes given (test vectors); the forbidden
 * prefixes are NOT re-drawn: MT_E_TR_HEADER if random64 would produce one. */
int mt_tr_client_preamble_from(struct mt_tr *t, const uint8_t random64[64], uint8_t *out);

/* Server: prepare a connection whose transport is not known yet. */
void mt_tr_init_server(struct mt_tr *t, const struct mt_tr_server_config *cfg, struct mt_rng *rng);

/* Server-side detection from the first bytes of a connection, as a server
 * does: 0xef -> abridged; ee ee ee ee -> intermediate; dd dd dd dd -> padded;
 * bytes 4..7 zero with a plausible length in 0..3 -> full; an HTTP method ->
 * MT_E_TR_DETECT (HTTP is not served); otherwise a 64-byte obfuscation
 * header whose decrypted tag (56..59) names a transport, tried without a
 * secret and then with each configured secret. */
struct mt_tr_detected {
    enum mt_tr_kind kind;
    bool obfuscated;
    int secret_index;        /* -1: no secret; else index into cfg->secrets */
    int16_t dc_id;           /* obfuscated: int16 LE at decrypted 60..61 */
    size_t preamble_len;     /* bytes to drop: 1, 4, 0 (full) or 64 */
};
/* Pure detection: >= 0 (the preamble length, out filled), MT_E_AGAIN (need
 * more bytes), MT_E_TR_DETECT (no transport matches). */
int mt_tr_detect(const uint8_t *data, size_t len, const struct mt_tr_server_config *cfg,
                 struct mt_tr_detected *out);
/* Detect and set t up (server): returns the preamble length consumed (>= 0),
 * MT_E_AGAIN or MT_E_TR_DETECT. For an obfuscated header the incoming
 * stream has consumed the 64 header bytes; bytes after the preamble that are
 * already in data[] are NOT decrypted by this call (see mt_tr_rx_decrypt). */
int mt_tr_accept(struct mt_tr *t, const struct mt_tr_server_config *cfg,
                 const uint8_t *data, size_t len);

/* Release the obfuscation streams (the struct can be re-initialised). */
void mt_tr_free(struct mt_tr *t);

/* ---- sending ------------------------------------------------------------ */
/* Envelope size in front of a payload of len bytes for this connection. */
size_t mt_tr_header_len(const struct mt_tr *t, size_t len, unsigned flags);
/* Frame (and obfuscate) in place. The payload (len bytes) is at buf +
 * headroom; headroom >= mt_tr_header_len(); cap is the usable size of buf
 * from buf[0] (room for the trailer: CRC, or 0..15 padding bytes that are
 * used only as far as cap allows). On success *start points at the first
 * frame byte (buf + headroom - header) and *total is the frame length.
 * Errors: MT_E_STATE (no preamble yet), MT_E_FRAME_LEN (length not a
 * multiple of 4 where the codec needs it, or over max_frame), MT_E_OVERFLOW
 * (headroom or cap too small). Frames must go on the wire in the order they
 * were framed: the CTR stream and the full transport's seqno continue. */
int mt_tr_frame(struct mt_tr *t, uint8_t *buf, size_t headroom, size_t len, size_t cap,
                unsigned flags, uint8_t **start, size_t *total);
/* Server: the quick-ack reply for token (abridged: the 4 token bytes
 * byte-swapped; intermediate: the 4 LE bytes; padded: a packet of length
 * 8..16 = ff ff ff ff + token + 0..8 random bytes), obfuscated if needed.
 * Returns the length written to out (>= MT_TR_QUICK_ACK_MAX bytes), or
 * MT_E_UNSUPPORTED for the full transport. */
int mt_tr_frame_quick_ack(struct mt_tr *t, uint32_t token, uint8_t *out);
/* Server: a transport error packet (e.g. -404) framed (and obfuscated) into
 * out (>= MT_TR_HEADROOM + 4 + MT_TR_TAILROOM bytes). Returns its length. */
int mt_tr_frame_error(struct mt_tr *t, int32_t code, uint8_t *out, size_t cap);

/* ---- receiving ---------------------------------------------------------- */
enum mt_tr_pkt_kind {
    MT_TR_PKT_DATA = 1,      /* an MTProto payload */
    MT_TR_PKT_QUICK_ACK = 2, /* client: a quick-ack token from the server */
    MT_TR_PKT_ERROR = 3,     /* client: a transport error (negative int32) */
};
struct mt_tr_pkt {
    enum mt_tr_pkt_kind kind;
    uint8_t *data;           /* DATA: view into the input window */
    size_t len;              /* DATA: payload length (padded: MTProto length
                                recovered from the payload, see below) */
    size_t raw_len;          /* bytes of payload in the envelope (padded: with
                                the transport padding) */
    bool quick_ack_req;      /* server, DATA: the client asked for a quick ack */
    uint32_t token;          /* QUICK_ACK: the token (bit 31 set) */
    int32_t error;           /* ERROR: e.g. -404 */
};
/* One packet from the start of a window of plain (de-obfuscated) bytes.
 * Returns the bytes consumed (> 0) with *pkt filled, MT_E_AGAIN when the
 * window ends inside a packet, or an error: MT_E_FRAME_LEN (zero, unaligned
 * or over max_frame), MT_E_CRC, MT_E_TR_SEQ, MT_E_STATE (not ready). Only a
 * whole packet changes t (the full transport's receive seqno). Padded
 * intermediate: len is 24 + 16k (encrypted: the largest such length within
 * the envelope) or 20 + message_data_length (auth_key_id 0), else raw_len. */
int mt_tr_deframe(struct mt_tr *t, uint8_t *in, size_t len, struct mt_tr_pkt *pkt);
/* De-obfuscate received bytes in place (no-op when not obfuscated). Every
 * received byte after the preamble must pass through here exactly once. */
void mt_tr_rx_decrypt(struct mt_tr *t, uint8_t *p, size_t n);

/* A receive buffer for one connection: contiguous, growable up to max_cap.
 * The socket reads straight into mt_tr_rx_space(); packets returned by
 * mt_tr_rx_next() are views valid until the next space/push call. */
struct mt_tr_rx {
    uint8_t *buf;
    size_t cap, max_cap;
    size_t start;            /* first unconsumed byte */
    size_t plain_end;        /* bytes [start, plain_end) are de-obfuscated */
    size_t end;              /* bytes received */
};
int mt_tr_rx_init(struct mt_tr_rx *r, size_t initial_cap, size_t max_cap);
void mt_tr_rx_free(struct mt_tr_rx *r);
/* Room for at least want bytes (moves unconsumed bytes to the front, grows up
 * to max_cap). Returns the pointer and *avail, or NULL (MT_E_LIMIT / NOMEM
 * in *err if given) when max_cap does not allow it. */
uint8_t *mt_tr_rx_space(struct mt_tr_rx *r, size_t want, size_t *avail, int *err);
/* n bytes were written at the space pointer: de-obfuscates them if t is ready. */
void mt_tr_rx_commit(struct mt_tr *t, struct mt_tr_rx *r, size_t n);
/* Copy bytes in (space + memcpy + commit): tests and callers without a fd. */
int mt_tr_rx_push(struct mt_tr *t, struct mt_tr_rx *r, const void *data, size_t n);
/* Next packet: 1 with *pkt filled, 0 when more bytes are needed, or a
 * negative error (framing errors and, on a server, MT_E_TR_DETECT). A server
 * transport that is not ready runs detection first (cfg needed then). */
int mt_tr_rx_next(struct mt_tr *t, struct mt_tr_rx *r, const struct mt_tr_server_config *cfg,
                  struct mt_tr_pkt *pkt);
size_t mt_tr_rx_pending(const struct mt_tr_rx *r);   /* unconsumed bytes */

#ifdef __cplusplus
}
#endif
#endif
