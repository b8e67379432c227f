/* Server session: the checks a server runs on every client message (salt,
 * msg_id parity / window / replays, seq_no parity and order, containers),
 * answered with bad_msg_notification / bad_server_salt as the protocol
 * says; new_session_created; gzip_packed and msg_copy; service messages go
 * to sess_service.c, queries up to the caller. */
#include "core/mtproto/sess_server_internal.h"

#include <stdlib.h>

enum { CHECK_DUP = -1 };

struct mt_sess_server *mt_sess_server_new(const struct mt_sess_server_cfg *cfg,
                                          const struct mt_sess_server_cb *cb)
{
    if (!cfg) return NULL;
    struct mt_sess_server *s = calloc(1, sizeof(*s));
    if (!s) return NULL;
    s->cfg = *cfg;
    if (cb) s->cb = *cb;
    mt_msgid_window_init(&s->win);
    return s;
}

void mt_sess_server_free(struct mt_sess_server *s)
{
    if (!s) return;
    mt_gzip_free(s->own_gz);
    free(s->oq);
    free(s);
}

void mt_sess_server_set_salt(struct mt_sess_server *s, uint64_t salt, uint64_t prev_salt)
{
    s->cfg.salt = salt;
    s->cfg.prev_salt = prev_salt;
}

uint64_t mt_sess_server_session_id(const struct mt_sess_server *s) { return s->session_id; }
const struct mt_sess_stats *mt_sess_server_stats(const struct mt_sess_server *s) { return &s->st; }
size_t mt_sess_server_mem(const struct mt_sess_server *s) { return sizeof(*s) + s->oq_cap; }

/* ---- checks -------------------------------------------------------------------- */
/* msg_id of a client message: 0, a bad_msg code, or CHECK_DUP. */
static int check_msg_id(const struct mt_sess_server *s, uint64_t id, double wall)
{
    if (id & 3) return MT_BAD_MSG_ID_PARITY;
    int code = mt_msgid_check_time(id, wall);
    if (code) return code;
    switch (mt_msgid_window_check(&s->win, id)) {
    case 1: return CHECK_DUP;
    case 2: return MT_BAD_MSG_TOO_OLD;
    default: return 0;
    }
}

static int check_seq_parity(uint32_t ctor, uint32_t seq)
{
    if (mt_sess_ctor_never_content(ctor)) return (seq & 1) ? MT_BAD_MSG_SEQ_EVEN : 0;
    if (!mt_sess_ctor_service_any(ctor) && !(seq & 1)) return MT_BAD_MSG_SEQ_ODD;
    return 0;
}

/* seq_no order among content-related messages: a higher msg_id must carry a
 * higher seq_no and the other way round (codes 32 / 33). */
static int check_seq_order(uint64_t *last_id, uint32_t *last_seq, uint64_t id, uint32_t seq)
{
    if (!(seq & 1)) return 0;
    if (*last_id) {
        if (id > *last_id && seq <= *last_seq) return MT_BAD_MSG_SEQ_LOW;
        if (id < *last_id && seq >= *last_seq) return MT_BAD_MSG_SEQ_HIGH;
    }
    if (id > *last_id) { *last_id = id; *last_seq = seq; }
    return 0;
}

/* Every item of a container, without side effects: 0 if acceptable as a
 * whole, else the bad_msg code (reported against the container). */
static int check_container(const struct mt_sess_server *s, uint64_t cid, const uint8_t *body,
                           size_t len, double wall, uint64_t *first)
{
    struct mt_container_iter it;
    struct mt_msg_item item;
    uint64_t last_id = s->last_content_id;
    uint32_t last_seq = s->last_content_seq;
    int rc;
    if (mt_container_iter_init(&it, body, len, cid) != 0) return MT_BAD_MSG_CONTAINER;
    while ((rc = mt_container_next(&it, &item)) == 1) {
        int code = check_msg_id(s, item.msg_id, wall);
        if (code == CHECK_DUP) continue;          /* a re-sent old message: skipped */
        if (code) return code;
        if ((code = check_seq_parity(mt_load_le32(item.body), item.seq_no)) != 0) return code;
        if ((code = check_seq_order(&last_id, &last_seq, item.msg_id, item.seq_no)) != 0) return code;
        if (item.msg_id < *first) *first = item.msg_id;
    }
    return rc < 0 ? MT_BAD_MSG_CONTAINER : 0;
}

/* ---- processing of accepted messages --------------------------------------------- */
static void proto_error(struct mt_sess_server *s, int code, uint64_t msg_id)
{
    s->st.proto_errors++;
    struct mt_sess_event ev;
    mt_sess_ev_init(&ev, MT_SESS_EV_PROTO_ERROR);
    ev.code = code;
    ev.msg_id = msg_id;
    mt_ss_event(s, &ev);
}

static void process(struct mt_sess_server *s, uint64_t msg_id, uint32_t seq, const uint8_t *body,
                    size_t len, double wall, int depth)
{
    if (len < 4) { proto_error(s, MT_E_TL_SHORT, msg_id); return; }
    uint32_t ctor = mt_load_le32(body);
    if (depth == 0) s->st.items_in++;
    if (ctor == MT_TL_ID_GZIP_PACKED) {
        struct mt_tl_reader r;
        mt_tl_reader_init(&r, body + 4, len - 4);
        size_t n = 0;
        const uint8_t *packed = mt_tl_bytes(&r, &n), *out = NULL;
        size_t out_len = 0;
        struct mt_gzip *gz = mt_ss_gzip(s);
        if (!mt_tl_ok(&r) || depth > 0 || !gz || mt_gzip_inflate(gz, packed, n, &out, &out_len) != 0) {
            proto_error(s, MT_E_GZIP, msg_id);
            return;
        }
        s->st.gzip_in++;
        process(s, msg_id, seq, out, out_len, wall, depth + 1);
        return;
    }
    if (ctor == MT_TL_ID_MSG_COPY) {
        /* orig_message:Message: processed unless already received */
        if (depth > 0 || len < 24) { proto_error(s, MT_E_CONTAINER, msg_id); return; }
        uint64_t id = mt_load_le64(body + 4);
        uint32_t oseq = mt_load_le32(body + 12), n = mt_load_le32(body + 16);
        if (n > len - 20 || n < 4 || id >= msg_id || (id & 3)) { proto_error(s, MT_E_CONTAINER, msg_id); return; }
        if (mt_msgid_window_check(&s->win, id) != 0) return;
        mt_msgid_window_insert(&s->win, id);
        process(s, id, oseq, body + 20, n, wall, depth + 1);
        return;
    }
    if (ctor == MT_TL_ID_MSG_CONTAINER) { proto_error(s, MT_E_CONTAINER, msg_id); return; }
    int rc = mt_ss_service(s, msg_id, ctor, body, len, wall);
    if (rc < 0) { proto_error(s, rc, msg_id); return; }
    if (rc == 1) return;
    struct mt_sess_query q;
    memset(&q, 0, sizeof(q));
    q.msg_id = msg_id;
    q.seq_no = seq;
    if ((rc = mt_sess_unwrap_query(body, len, &q)) != 0) { proto_error(s, rc, msg_id); return; }
    s->st.queries++;
    if (s->cb.on_query) s->cb.on_query(s->cb.ctx, &q);
}

static void new_session_created(struct mt_sess_server *s, uint64_t first)
{
    uint64_t unique = s->cfg.unique_id;
    if (!unique) {   /* derived, stable per session: splitmix64 of the session id */
        uint64_t z = s->session_id + 0x9e3779b97f4a7c15ull;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        unique = z ^ (z >> 31);
    }
    uint8_t b[28];
    mt_store_le32(b, MT_TL_ID_NEW_SESSION_CREATED);
    mt_store_le64(b + 4, first);
    mt_store_le64(b + 12, unique);
    mt_store_le64(b + 20, s->cfg.salt);
    mt_ss_out_raw(s, b, sizeof(b), SOQ_CONTENT);
    s->first_msg_id = first;
    s->established = 1;
    struct mt_sess_event ev;
    mt_sess_ev_init(&ev, MT_SESS_EV_NEW_SESSION);
    ev.msg_id = first;
    ev.unique_id = unique;
    ev.salt = s->cfg.salt;
    ev.session_id = s->session_id;
    mt_ss_event(s, &ev);
}

static void reset_session(struct mt_sess_server *s, uint64_t session_id)
{
    if (s->established) {
        struct mt_sess_event ev;
        mt_sess_ev_init(&ev, MT_SESS_EV_SESSION_RESET);
        ev.session_id = session_id;
        ev.msg_id = s->session_id;   /* the old one */
        mt_ss_event(s, &ev);
    }
    s->session_id = session_id;
    s->established = 0;
    s->first_msg_id = 0;
    s->seq_n = 0;
    s->last_content_id = 0;
    s->last_content_seq = 0;
    s->oq_head = s->oq_used = s->oq_count = 0;   /* answers for the old session */
    mt_msgid_window_init(&s->win);
}

/* ---- feed ------------------------------------------------------------------------- */
static void accept_container(struct mt_sess_server *s, uint64_t cid, const uint8_t *body,
                             size_t len, double wall)
{
    struct mt_container_iter it;
    struct mt_msg_item item;
    mt_msgid_window_insert(&s->win, cid);
    s->st.containers_in++;
    mt_container_iter_init(&it, body, len, cid);
    while (mt_container_next(&it, &item) == 1) {
        if (mt_msgid_window_check(&s->win, item.msg_id) != 0) { s->st.duplicates++; continue; }
        mt_msgid_window_insert(&s->win, item.msg_id);
        check_seq_order(&s->last_content_id, &s->last_content_seq, item.msg_id, item.seq_no);
        process(s, item.msg_id, item.seq_no, item.body, item.len, wall, 0);
    }
}

int mt_sess_server_feed(struct mt_sess_server *s, const uint8_t *plain, size_t plain_len,
                        mt_ns now, double wall)
{
    struct mt_msg_hdr h;
    const uint8_t *body;
    (void)now;
    if (mt_msg_hdr_parse(plain, plain_len, &h, &body) != 0 || h.len < 4) {
        proto_error(s, MT_E_RANGE, 0);
        return MT_E_RANGE;
    }
    if (!s->established || h.session_id != s->session_id) {
        if (h.session_id != s->session_id || !s->session_id) reset_session(s, h.session_id);
    }
    s->st.msgs_in++;
    uint32_t ctor = mt_load_le32(body);
    int is_container = ctor == MT_TL_ID_MSG_CONTAINER;
    int code = check_msg_id(s, h.msg_id, wall);
    if (code == CHECK_DUP) {
        /* a replayed or duplicated envelope, container or not: ignored
         * (security_guidelines.md), never answered - answering a duplicated
         * container with 19 would fail requests that were served */
        s->st.duplicates++;
        return MT_E_MSG_ID;
    }
    if (!code && h.salt != s->cfg.salt && (!s->cfg.prev_salt || h.salt != s->cfg.prev_salt))
        code = MT_BAD_MSG_SALT;
    if (!code) code = check_seq_parity(ctor, h.seq_no);
    uint64_t first = h.msg_id;
    if (!code && is_container) code = check_container(s, h.msg_id, body, h.len, wall, &first);
    if (!code && !is_container) {
        uint64_t li = s->last_content_id;
        uint32_t ls = s->last_content_seq;
        code = check_seq_order(&li, &ls, h.msg_id, h.seq_no);
    }
    if (code) { mt_ss_bad_msg(s, h.msg_id, h.seq_no, code); return 0; }
    if (!s->established || first < s->first_msg_id) new_session_created(s, first);
    if (is_container) { accept_container(s, h.msg_id, body, h.len, wall); return 0; }
    mt_msgid_window_insert(&s->win, h.msg_id);
    check_seq_order(&s->last_content_id, &s->last_content_seq, h.msg_id, h.seq_no);
    process(s, h.msg_id, h.seq_no, body, h.len, wall, 0);
    return 0;
}
