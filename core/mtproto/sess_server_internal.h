/* Private state of the server session, shared by sess_server.c (checks and
 * feed), sess_service.c (service answers) and sess_server_out.c (outgoing
 * queue and build). */
#ifndef MT_SESS_SERVER_INTERNAL_H
#define MT_SESS_SERVER_INTERNAL_H

#include "core/mtproto/sess_internal.h"

/* Outgoing record flags: msg_id parity and seq_no kind are decided when the
 * record is built into an envelope, so ids stay increasing in send order. */
enum { SOQ_CONTENT = 1, SOQ_RESPONSE = 2 };
#define SOQ_REC_HDR 8   /* u32 body length, u32 flags */

struct mt_sess_server {
    struct mt_sess_server_cfg cfg;
    struct mt_sess_server_cb cb;
    uint64_t session_id;
    int established;              /* a message of this session was accepted */
    uint64_t first_msg_id;
    struct mt_msgid_gen gen;
    uint32_t seq_n;
    struct mt_msgid_window win;   /* client msg_ids accepted */
    uint64_t last_content_id;     /* for the seq_no order checks (32/33) */
    uint32_t last_content_seq;
    struct mt_gzip *own_gz;
    uint8_t *oq;                  /* queue of records: [len][flags][body] */
    uint32_t oq_head, oq_used, oq_cap, oq_count;
    struct mt_sess_stats st;
};

/* sess_server_out.c: reserve room for a body of at most max bytes; write it
 * with w, then commit. */
int mt_ss_out_begin(struct mt_sess_server *s, size_t max, struct mt_tl_writer *w);
void mt_ss_out_commit(struct mt_sess_server *s, struct mt_tl_writer *w, unsigned flags);
int mt_ss_out_raw(struct mt_sess_server *s, const void *body, size_t len, unsigned flags);
void mt_ss_event(struct mt_sess_server *s, const struct mt_sess_event *ev);
struct mt_gzip *mt_ss_gzip(struct mt_sess_server *s);
void mt_ss_bad_msg(struct mt_sess_server *s, uint64_t bad_id, uint32_t bad_seq, int code);

/* sess_service.c: answer a service message (returns 1 if ctor was one, 0 if
 * it is a query for the caller, negative on malformed input). */
int mt_ss_service(struct mt_sess_server *s, uint64_t msg_id, uint32_t ctor,
                  const uint8_t *body, size_t len, double wall);

#endif
