/* Server session, sending: the queue of outgoing messages (service answers,
 * rpc results, pushes) and build(). msg_ids and seq_nos are given when a
 * record goes into an envelope: ids stay increasing in send order, and a
 * container's id is above its items'. */
#include "core/mtproto/sess_server_internal.h"

#include <stdlib.h>

void mt_ss_event(struct mt_sess_server *s, const struct mt_sess_event *ev)
{
    if (s->cb.on_event) s->cb.on_event(s->cb.ctx, ev);
}

struct mt_gzip *mt_ss_gzip(struct mt_sess_server *s)
{
    if (s->cfg.gz) return s->cfg.gz;
    if (!s->own_gz) s->own_gz = mt_gzip_new(0);
    return s->own_gz;
}

int mt_ss_out_begin(struct mt_sess_server *s, size_t max, struct mt_tl_writer *w)
{
    if (max > (1u << 24)) return MT_E_RANGE;
    size_t need = SOQ_REC_HDR + ((max + 3) & ~(size_t)3);
    if (s->oq_used + need > s->oq_cap && s->oq_head) {
        memmove(s->oq, s->oq + s->oq_head, s->oq_used - s->oq_head);
        s->oq_used -= s->oq_head;
        s->oq_head = 0;
    }
    if (s->oq_used + need > s->oq_cap) {
        size_t cap = s->oq_cap ? s->oq_cap : 1024;
        while (cap < s->oq_used + need) cap *= 2;
        uint8_t *p = realloc(s->oq, cap);
        if (!p) return MT_E_NOMEM;
        s->oq = p;
        s->oq_cap = (uint32_t)cap;
    }
    mt_tl_writer_init(w, s->oq + s->oq_used + SOQ_REC_HDR, max);
    return 0;
}

void mt_ss_out_commit(struct mt_sess_server *s, struct mt_tl_writer *w, unsigned flags)
{
    if (w->overflow || w->pos == 0) return;
    mt_store_le32(s->oq + s->oq_used, (uint32_t)w->pos);
    mt_store_le32(s->oq + s->oq_used + 4, flags);
    s->oq_used += (uint32_t)(SOQ_REC_HDR + w->pos);
    s->oq_count++;
}

int mt_ss_out_raw(struct mt_sess_server *s, const void *body, size_t len, unsigned flags)
{
    struct mt_tl_writer w;
    if (len < 4 || (len & 3)) return MT_E_RANGE;
    int rc = mt_ss_out_begin(s, len, &w);
    if (rc) return rc;
    mt_tl_wraw(&w, body, len);
    mt_ss_out_commit(s, &w, flags);
    return 0;
}

void mt_ss_bad_msg(struct mt_sess_server *s, uint64_t bad_id, uint32_t bad_seq, int code)
{
    uint8_t b[28];
    mt_store_le32(b, code == MT_BAD_MSG_SALT ? MT_TL_ID_BAD_SERVER_SALT : MT_TL_ID_BAD_MSG_NOTIFICATION);
    mt_store_le64(b + 4, bad_id);
    mt_store_le32(b + 12, bad_seq);
    mt_store_le32(b + 16, (uint32_t)code);
    mt_store_le64(b + 20, s->cfg.salt);
    mt_ss_out_raw(s, b, code == MT_BAD_MSG_SALT ? 28 : 20, SOQ_RESPONSE);
    s->st.bad_msg_sent++;
    s->st.bad_msg[mt_sess_bad_msg_class(code)]++;
    struct mt_sess_event ev;
    mt_sess_ev_init(&ev, MT_SESS_EV_BAD_MSG);
    ev.code = code;
    ev.msg_id = bad_id;
    ev.seq_no = bad_seq;
    mt_ss_event(s, &ev);
}

/* ---- public: answers ---------------------------------------------------------- */
int mt_sess_server_result(struct mt_sess_server *s, uint64_t req_msg_id,
                          const void *body, size_t len)
{
    struct mt_tl_writer w;
    if (!s || !body || len < 4 || (len & 3)) return MT_E_RANGE;
    int rc = mt_ss_out_begin(s, 12 + len, &w);
    if (rc) return rc;
    mt_tl_w32(&w, MT_TL_ID_RPC_RESULT);
    mt_tl_w64(&w, req_msg_id);
    int packed = 0;
    if (s->cfg.gzip_min && len > s->cfg.gzip_min) {
        struct mt_gzip *gz = mt_ss_gzip(s);
        packed = gz && mt_gzip_pack(gz, body, len, &w) == 0;
    }
    if (packed) s->st.gzip_out++;
    else mt_tl_wraw(&w, body, len);
    mt_ss_out_commit(s, &w, SOQ_CONTENT | SOQ_RESPONSE);
    return 0;
}

int mt_sess_server_error(struct mt_sess_server *s, uint64_t req_msg_id, int32_t code,
                         const char *message)
{
    struct mt_tl_writer w;
    size_t n = message ? strlen(message) : 0;
    if (!s || n >= (1u << 20)) return MT_E_RANGE;
    int rc = mt_ss_out_begin(s, 20 + mt_tl_bytes_size(n), &w);
    if (rc) return rc;
    mt_tl_w32(&w, MT_TL_ID_RPC_RESULT);
    mt_tl_w64(&w, req_msg_id);
    mt_tl_w32(&w, MT_TL_ID_RPC_ERROR);
    mt_tl_w32(&w, (uint32_t)code);
    mt_tl_wbytes(&w, message ? message : "", n);
    mt_ss_out_commit(s, &w, SOQ_CONTENT | SOQ_RESPONSE);
    return 0;
}

int mt_sess_server_push(struct mt_sess_server *s, const void *body, size_t len)
{
    if (!s || !body) return MT_E_INVAL;
    return mt_ss_out_raw(s, body, len, SOQ_CONTENT);
}

int mt_sess_server_want_send(const struct mt_sess_server *s)
{
    return s->oq_count > 0;
}

/* ---- build ---------------------------------------------------------------------- */
static uint64_t next_id(struct mt_sess_server *s, unsigned flags, double wall)
{
    return mt_msgid_next(&s->gen, wall, (flags & SOQ_RESPONSE) ? 1 : 3);
}

/* An empty output queue keeps at most this much memory. */
#define SOQ_KEEP 65536u

static void pop_records(struct mt_sess_server *s, uint32_t pos, uint32_t n)
{
    s->oq_head = pos;
    s->oq_count -= n;
    if (s->oq_head == s->oq_used) {
        s->oq_head = s->oq_used = 0;
        if (s->oq_cap > SOQ_KEEP) {      /* after a burst of large results */
            free(s->oq);
            s->oq = NULL;
            s->oq_cap = 0;
        }
    }
}

size_t mt_sess_server_queued(const struct mt_sess_server *s)
{
    return s->oq_used - s->oq_head;
}

static int finish(struct mt_sess_server *s, uint8_t *out, uint64_t id, uint32_t seq,
                  size_t body_len)
{
    struct mt_msg_hdr h = { s->cfg.salt, s->session_id, id, seq, (uint32_t)body_len };
    mt_msg_hdr_write(out, &h);
    s->st.msgs_out++;
    return (int)(MT_SESS_HDR + body_len);
}

int mt_sess_server_build(struct mt_sess_server *s, uint8_t *out, size_t cap, mt_ns now,
                         double wall)
{
    if (!s || !out) return MT_E_INVAL;
    if (!s->oq_count) return 0;
    if (cap < MT_SESS_HDR + 16) return MT_E_OVERFLOW;
    size_t room = cap - MT_SESS_HDR;
    uint32_t pos = s->oq_head;
    if (s->oq_count == 1 || (s->cfg.flags & MT_SESS_F_NO_CONTAINER)) {
        uint32_t len = mt_load_le32(s->oq + pos), flags = mt_load_le32(s->oq + pos + 4);
        if (len > room) return MT_E_OVERFLOW;
        memcpy(out + MT_SESS_HDR, s->oq + pos + SOQ_REC_HDR, len);
        uint64_t id = next_id(s, flags, wall);
        uint32_t seq = mt_seqno_next(&s->seq_n, flags & SOQ_CONTENT);
        pop_records(s, pos + SOQ_REC_HDR + len, 1);
        s->st.items_out++;
        return finish(s, out, id, seq, len);
    }
    struct mt_tl_writer w;
    struct mt_container_w cw;
    mt_tl_writer_init(&w, out + MT_SESS_HDR, room);
    mt_container_start(&cw, &w);
    uint32_t taken = 0;
    while (taken < s->oq_count && cw.n < MT_SESS_CONTAINER_MAX) {
        uint32_t len = mt_load_le32(s->oq + pos), flags = mt_load_le32(s->oq + pos + 4);
        if (w.overflow || (size_t)16 + len > w.cap - w.pos) break;   /* check before ids are used */
        mt_container_add(&cw, next_id(s, flags, wall), mt_seqno_next(&s->seq_n, flags & SOQ_CONTENT),
                         s->oq + pos + SOQ_REC_HDR, len);
        pos += SOQ_REC_HDR + len;
        taken++;
    }
    if (taken == 0 || mt_container_finish(&cw) != 0) return MT_E_OVERFLOW;
    pop_records(s, pos, taken);
    s->st.items_out += taken;
    s->st.containers_out++;
    (void)now;
    return finish(s, out, mt_msgid_next(&s->gen, wall, 3), mt_seqno_next(&s->seq_n, 0), w.pos);
}
