/* The server's per-connection input path end to end: a real server worker
 * (srv_engine: link pipeline, batch crypto, sessions, methods, fault
 * injection) on its own loop, and one loopback connection per input that
 * carries the fuzzer's bytes. Nothing may crash or leak, and every
 * connection must be closed and freed when its client goes away.
 *
 * Input: byte 0 picks the client transport (bits 0-1: abridged,
 * intermediate, padded, full; bit 2: obfuscated), whether msg_ids are moved
 * into the server's time window (bit 3) and faults (bit 4: bad salt every
 * 3rd message; bit 5: 30 % FLOOD_WAIT, 10 % -429, 10 % drop). Then records
 * [kind:1][len:2 LE][bytes]:
 *   kind % 4 == 0: raw bytes written to the socket as they are;
 *   kind % 4 == 1: a plaintext (salt, session_id, msg_id, seq_no, length,
 *                  body) encrypted with the auth key the server knows, then
 *                  framed; the salt is replaced by the key's salt;
 *   kind % 4 == 2: an unencrypted (handshake) message body, framed;
 *   kind % 4 == 3: bytes framed as they are (an arbitrary payload).
 * The seed corpus (corpus/fuzz_server_conn) holds a ping, an echo, a
 * container and a gzip_packed query in that form. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>
#include "server/srv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define WORKERS 1
static struct mt_srv_config cfg;
static struct mt_srv srv;
static struct mt_srv_worker *w;
static struct mt_auth_key key;
static const uint64_t SALT = 0x0123456789abcdefull;
static struct mt_rng rng;

static void setup(void)
{
    mt_log_level = -1;                     /* the worker logs each class once */
    mt_crypto_init();
    mt_rng_init(&rng);
    mt_srv_config_defaults(&cfg);
    cfg.threads = WORKERS;
    cfg.max_frame = 1u << 20;
    cfg.seed = 1;
    srv.cfg = &cfg;
    srv.started = mt_now_ns();
    char err[128];
    srv.rsa = mt_rsa_generate(2048, err, sizeof err);
    srv.keys = mt_keystore_new(1024);
    mt_hs_server_config_init(&srv.hs);
    srv.hs.keys = &srv.rsa;
    srv.hs.nkeys = 1;
    struct mt_link_config *lc = &srv.link;
    lc->role = MT_LINK_SERVER;
    lc->ops = mt_srv_link_ops();
    lc->hs_server = &srv.hs;
    lc->tr_server.allow_plain = true;
    lc->tr_server.allow_obfuscated = true;
    lc->tr_server.max_frame = (uint32_t)cfg.max_frame;
    lc->rx_max = cfg.max_frame + 256;
    lc->max_envelope = cfg.max_frame;
    lc->out_cap = 2 * cfg.max_frame + (64u << 10);
    mt_addr_parse("127.0.0.1:0", &srv.listen);
    srv.workers = w = calloc(1, sizeof *w);
    srv.nworkers = 1;
    if (!srv.rsa || !srv.keys || mt_srv_worker_init(w, &srv, 0))
        abort();
    uint8_t raw[256];
    mt_rng_bytes(&rng, raw, sizeof raw);
    mt_auth_key_set(&key, raw);
    mt_keystore_put(srv.keys, &key, SALT);
}

static void spin(int timeout_ms)
{
    mt_loop_run_once(w->loop, mt_link_worker_busy(w->lw) ? 0 : timeout_ms);
}

/* Write what the socket takes and drain what the server sent. Returns -1
 * once the server has closed the connection. */
static int pump(int fd, const uint8_t *p, size_t n, size_t *done)
{
    uint8_t sink[65536];
    for (;;) {
        ssize_t r = recv(fd, sink, sizeof sink, MSG_DONTWAIT);
        if (r == 0)
            return -1;
        if (r < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                break;
            return -1;
        }
    }
    if (*done < n) {
        ssize_t r = send(fd, p + *done, n - *done, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (r > 0)
            *done += (size_t)r;
        else if (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
            return -1;
    }
    return 0;
}

/* Append one framed payload to the byte stream. */
static void put_frame(struct mt_tr *tr, uint8_t **buf, size_t *len, const uint8_t *payload,
                      size_t n)
{
    size_t cap = MT_TR_HEADROOM + n + MT_TR_TAILROOM;
    uint8_t *f = malloc(cap);
    memcpy(f + MT_TR_HEADROOM, payload, n);
    uint8_t *start;
    size_t total;
    /* unaligned lengths are refused by the 4-byte codecs: sent raw then */
    if (mt_tr_frame(tr, f, MT_TR_HEADROOM, n, cap, 0, &start, &total))
        start = f + MT_TR_HEADROOM, total = n;
    *buf = realloc(*buf, *len + total);
    memcpy(*buf + *len, start, total);
    *len += total;
    free(f);
}

static void put_encrypted(struct mt_tr *tr, uint8_t **buf, size_t *len, const uint8_t *d,
                          size_t n, bool fix_msg_id)
{
    size_t cap = MT_MSG_HEADER + 32 + n + MT_MSG_PAD_MAX + 16;
    uint8_t *m = calloc(1, cap);
    memcpy(m + MT_MSG_HEADER, d, n);
    size_t plain = n < 32 ? 32 : n;
    mt_store_le64(m + MT_MSG_HEADER, SALT);
    if (fix_msg_id)
        mt_store_le64(m + MT_MSG_HEADER + 16, mt_hs_msg_id(mt_wall_s(), 0, 0) |
                      (mt_load_le64(m + MT_MSG_HEADER + 16) & 0xffff0ull));
    struct mt_msg_job job = {.key = &key, .buf = m, .plain_len = plain, .cap = cap};
    if (mt_msg_encrypt(&job, MT_X_CLIENT, &rng) == 0)
        put_frame(tr, buf, len, m, job.out_len);
    free(m);
}

/* The whole byte stream of one input. */
static uint8_t *build_stream(const uint8_t *data, size_t size, size_t *len)
{
    uint8_t *buf = NULL;
    *len = 0;
    struct mt_tr_config tc = {.kind = (enum mt_tr_kind)(data[0] & 3), .obfuscated = data[0] & 4};
    if (tc.kind == MT_TR_FULL)
        tc.obfuscated = false;
    struct mt_tr tr;
    if (mt_tr_init_client(&tr, &tc, &rng))
        return NULL;
    uint8_t pre[MT_TR_PREAMBLE_MAX];
    int pn = mt_tr_client_preamble(&tr, pre);
    bool raw_first = size > 1 && data[1] % 4 == 0;    /* raw bytes replace the preamble */
    if (pn > 0 && !raw_first) {
        buf = malloc((size_t)pn);
        memcpy(buf, pre, (size_t)pn);
        *len = (size_t)pn;
    }
    size_t pos = 1;
    while (pos + 3 <= size) {
        uint8_t kind = data[pos];
        size_t n = (size_t)data[pos + 1] | (size_t)data[pos + 2] << 8;
        pos += 3;
        if (n > size - pos)
            n = size - pos;
        const uint8_t *d = data + pos;
        pos += n;
        switch (kind % 4) {
        case 0:
            buf = realloc(buf, *len + n + 1);
            memcpy(buf + *len, d, n);
            *len += n;
            break;
        case 1: put_encrypted(&tr, &buf, len, d, n, data[0] & 8); break;
        case 2: {
            uint8_t *m = malloc(MT_HS_PLAIN_HEADER + n);
            size_t mn;
            if (mt_hs_plain_write(m, MT_HS_PLAIN_HEADER + n, mt_hs_msg_id(mt_wall_s(), 0, 0), d, n, &mn) == 0)
                put_frame(&tr, &buf, len, m, mn);
            free(m);
            break;
        }
        default: put_frame(&tr, &buf, len, d, n); break;
        }
    }
    mt_tr_free(&tr);
    return buf;
}

static int connect_worker(void)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)mt_addr_port(&srv.listen))};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a)) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    for (int i = 0; i < 1000 && w->nconns == 0; i++)
        spin(1);
    return fd;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!w)
        setup();
    if (size < 1 || size > (1u << 20))
        return 0;
    struct mt_srv_faults *f = &cfg.faults;
    f->bad_salt_every = data[0] & 16 ? 3 : 0;
    f->flood_wait = data[0] & 32 ? 0.3 : 0;
    f->transport_429 = f->drop = data[0] & 32 ? 0.1 : 0;
    size_t len;
    uint8_t *stream = build_stream(data, size, &len);
    int fd = connect_worker();
    if (fd < 0)
        abort();
    size_t done = 0;
    for (int i = 0; i < 10000 && done < len; i++) {
        if (pump(fd, stream, len, &done) < 0)
            break;
        spin(0);
    }
    /* let the server answer what it got, end the input (the EOF path),
     * then reset: a graceful close would leave a TIME_WAIT socket per input
     * and exhaust the loopback ports within seconds of fuzzing */
    for (int i = 0; i < 20; i++) {
        if (pump(fd, stream, 0, &done) < 0)
            break;
        spin(0);
    }
    shutdown(fd, SHUT_WR);
    for (int i = 0; i < 4; i++)
        spin(0);
    struct linger lg = {.l_onoff = 1, .l_linger = 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    close(fd);
    for (int i = 0; i < 10000 && w->nconns; i++)
        spin(1);
    if (w->nconns)
        abort();                           /* a connection the server never released */
    free(stream);
    return 0;
}
