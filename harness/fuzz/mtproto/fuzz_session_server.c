/* Arbitrary decrypted plaintext fed to a server session: every check, the
 * containers, gzip_packed, msg_copy, service answers and the invoke wrappers
 * (initConnection with its JSON params). Answers every query and builds the
 * output after each feed. */
#include <stdlib.h>

#include "core/mtproto/session.h"

#define WALL 1700000000.0

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* reads of every view land here, so ASan checks them */
static volatile uint8_t sink;

static struct mt_sess_server *srv;
static struct mt_gzip *gz;

static void on_query(void *c, const struct mt_sess_query *q)
{
    (void)c;
    for (size_t i = 0; i < q->len; i++) sink ^= q->body[i];
    for (size_t i = 0; i < q->device_model_len; i++) sink ^= q->device_model[i];
    for (size_t i = 0; i < q->app_version_len; i++) sink ^= q->app_version[i];
    if (q->len >= 4 && !(q->len & 3)) mt_sess_server_result(srv, q->msg_id, q->body, q->len);
    else mt_sess_server_error(srv, q->msg_id, 400, "BAD_REQUEST");
}
static void on_event(void *c, const struct mt_sess_event *ev)
{
    (void)c;
    for (size_t i = 0; i < ev->n_ids; i++) sink ^= (uint8_t)ev->ids[i];
}
static int destroy(void *c, uint64_t sid) { (void)c; return (int)(sid & 1); }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2) return 0;
    if (!gz) gz = mt_gzip_new(1 << 16);
    struct mt_sess_server_cfg cfg = { 0 };
    cfg.salt = 0;            /* salt 0 accepted: inputs need not guess it */
    cfg.flags = data[0] & 1;
    cfg.gz = gz;
    cfg.gzip_min = (data[0] & 2) ? 16 : 0;
    struct mt_sess_server_cb cb = { NULL, on_query, on_event, destroy, NULL };
    srv = mt_sess_server_new(&cfg, &cb);
    static uint8_t out[1 << 16];
    size_t pos = 1;
    while (pos + 2 <= size) {
        size_t n = (size_t)data[pos] | (size_t)data[pos + 1] << 8;
        pos += 2;
        if (n > size - pos) n = size - pos;
        uint8_t *p = malloc(n ? n : 1);
        memcpy(p, data + pos, n);
        /* a msg_id inside the time window, so inputs get past that check */
        if (n >= 24 && (data[0] & 4)) mt_store_le64(p + 16, ((uint64_t)WALL << 32) | (mt_load_le64(p + 16) & 0xfffffffcull));
        mt_sess_server_feed(srv, p, n, 0, WALL);
        free(p);
        while (mt_sess_server_build(srv, out, (data[0] & 8) ? 256 : sizeof(out), 0, WALL) > 0) {}
        pos += n;
    }
    mt_sess_server_free(srv);
    srv = NULL;
    return 0;
}
