/* Arbitrary decrypted plaintext fed to a client session with requests in
 * flight. The first input bytes steer the session's state (which requests
 * and service queries are outstanding, flags); the rest is the plaintext.
 * A build after every feed exercises the re-send / ack paths. */
#include <stdlib.h>

#include "core/mtproto/session.h"

#define SID 0x5e55000000000001ull
#define WALL 1700000000.0

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* reads of every view land here, so ASan checks them */
static volatile uint8_t sink;

static void on_result(void *c, uint64_t t, uint64_t r, const uint8_t *b, size_t n, mt_ns t0)
{
    (void)c; (void)t; (void)r; (void)t0;
    for (size_t i = 0; i < n; i++) sink ^= b[i];   /* the view must be readable */
}
static void on_error(void *c, uint64_t t, uint64_t r, int32_t code, const char *m, size_t n,
                     int32_t w, mt_ns t0)
{
    (void)c; (void)t; (void)r; (void)code; (void)w; (void)t0;
    for (size_t i = 0; i < n; i++) sink ^= (uint8_t)m[i];
}
static void on_event(void *c, const struct mt_sess_event *ev)
{
    (void)c;
    for (size_t i = 0; i < ev->len; i++) sink ^= ev->body[i];
    for (size_t i = 0; i < ev->info_len; i++) sink ^= ev->info[i];
    for (size_t i = 0; i < ev->n_ids; i++) sink ^= (uint8_t)ev->ids[i];
    for (size_t i = 0; i < ev->n_salts; i++) sink ^= (uint8_t)ev->salts[i].salt;
}
static int rebuild(void *c, uint64_t tag, struct mt_tl_writer *w)
{
    (void)c;
    mt_tl_w32(w, 0xdd1b02b0u);
    mt_tl_w64(w, tag);
    return 0;
}

static struct mt_gzip *gz;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4) return 0;
    if (!gz) gz = mt_gzip_new(1 << 16);
    uint8_t mode = data[0], nreq = data[1] & 15;
    struct mt_sess_client_cfg cfg = { 0 };
    cfg.session_id = SID;
    cfg.salt = 1;
    cfg.flags = mode & 7;
    cfg.gz = gz;
    cfg.gzip_min = (mode & 8) ? 16 : 0;
    struct mt_sess_client_cb cb = { NULL, on_result, on_error, on_event, rebuild };
    struct mt_sess_client *c = mt_sess_client_new(&cfg, &cb);
    static uint8_t out[1 << 16];
    uint8_t q[64];
    uint64_t id;
    memset(q, 'q', sizeof(q));
    mt_store_le32(q, 0xdd1b02b0u);
    for (uint8_t i = 0; i < nreq; i++) mt_sess_client_query(c, q, 8 + 4 * (size_t)(i % 8), i, 0, WALL, &id);
    if (mode & 16) mt_sess_client_ping(c, 7, 0, 0, WALL, &id);
    if (mode & 32) mt_sess_client_get_future_salts(c, 3, 0, WALL, &id);
    if (mode & 64) { uint64_t ids[2] = { 4, 8 }; mt_sess_client_state_req(c, ids, 2, 0, WALL, &id); }
    if (mode & 128) mt_sess_client_destroy_session(c, 9, 0, WALL, &id);
    mt_sess_client_build(c, out, sizeof(out), 0, WALL, 1);
    /* The rest: one or more plaintexts, each prefixed by a 2-byte length.
     * Known msg_ids make a match with outstanding requests likely: the
     * fuzzer learns them from the comparisons. */
    size_t pos = 2;
    while (pos + 2 <= size) {
        size_t n = (size_t)data[pos] | (size_t)data[pos + 1] << 8;
        pos += 2;
        if (n > size - pos) n = size - pos;
        uint8_t *p = malloc(n ? n : 1);
        memcpy(p, data + pos, n);
        if (n >= 16) mt_store_le64(p + 8, SID);   /* get past the session_id check */
        mt_sess_client_feed(c, p, n, 1000, WALL);
        free(p);
        mt_sess_client_build(c, out, sizeof(out), 2000, WALL, 1);
        pos += n;
    }
    mt_sess_client_resend_all(c);
    mt_sess_client_build(c, out, sizeof(out), 3000, WALL, 1);
    mt_sess_client_free(c);
    return 0;
}
