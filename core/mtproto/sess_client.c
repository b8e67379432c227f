/* Client session: the request table (pool + open-addressing index by
 * msg_id), the body arena, the send queue and build(). Receiving is in
 * sess_client_recv.c. Nothing here allocates per message once the pool,
 * index and arena have grown to the working set. */
#include "core/mtproto/sess_client_internal.h"

#include <stdlib.h>

/* ---- index: msg_id -> pool index (linear probing, backward-shift delete) - */
static inline uint32_t idx_home(const struct mt_sess_client *c, uint64_t id)
{
    return (uint32_t)((id * 0x9e3779b97f4a7c15ull) >> 32) & (c->idx_cap - 1);
}

static void idx_put(struct mt_sess_client *c, uint32_t ent)
{
    uint32_t m = c->idx_cap - 1, i = idx_home(c, c->ents[ent].msg_id);
    while (c->idx[i]) i = (i + 1) & m;
    c->idx[i] = ent + 1;
}

static int idx_grow(struct mt_sess_client *c, uint32_t cap)
{
    uint32_t *n = calloc(cap, sizeof(*n));
    if (!n) return MT_E_NOMEM;
    free(c->idx);
    c->idx = n;
    c->idx_cap = cap;
    for (uint32_t i = 0; i < c->ents_cap; i++)
        if (c->ents[i].state != CRS_FREE && c->ents[i].msg_id && c->ents[i].kind != CRK_ONESHOT)
            idx_put(c, i);
    return 0;
}

static int idx_insert(struct mt_sess_client *c, uint32_t ent)
{
    /* keep the load under 1/2: the pool bounds the indexed count */
    if (c->idx_cap < 2 * c->ents_cap) {
        int rc = idx_grow(c, 2 * c->ents_cap);   /* ents_cap is a power of two */
        if (rc) return rc;
    }
    idx_put(c, ent);
    return 0;
}

struct creq *mt_sc_find(struct mt_sess_client *c, uint64_t msg_id)
{
    if (!c->idx_cap || !msg_id) return NULL;
    uint32_t m = c->idx_cap - 1, i = idx_home(c, msg_id);
    while (c->idx[i]) {
        struct creq *e = &c->ents[c->idx[i] - 1];
        if (e->msg_id == msg_id) return e;
        i = (i + 1) & m;
    }
    return NULL;
}

static void idx_remove(struct mt_sess_client *c, uint64_t msg_id)
{
    if (!c->idx_cap || !msg_id) return;
    uint32_t m = c->idx_cap - 1, i = idx_home(c, msg_id);
    while (c->idx[i] && c->ents[c->idx[i] - 1].msg_id != msg_id) i = (i + 1) & m;
    if (!c->idx[i]) return;
    for (uint32_t j = i;;) {
        j = (j + 1) & m;
        if (!c->idx[j]) break;
        uint32_t k = idx_home(c, c->ents[c->idx[j] - 1].msg_id);
        /* move j back into the hole at i unless its home lies in (i, j] */
        int keep = i <= j ? (i < k && k <= j) : (i < k || k <= j);
        if (!keep) { c->idx[i] = c->idx[j]; i = j; }
    }
    c->idx[i] = 0;
}

/* ---- pool ------------------------------------------------------------------ */
static int pool_alloc(struct mt_sess_client *c, uint32_t *out)
{
    if (c->free_head == MT_SESS_NONE) {
        uint32_t cap = c->ents_cap ? c->ents_cap * 2 : 8;
        struct creq *p = realloc(c->ents, (size_t)cap * sizeof(*p));
        if (!p) return MT_E_NOMEM;
        memset(p + c->ents_cap, 0, (size_t)(cap - c->ents_cap) * sizeof(*p));
        for (uint32_t i = cap; i-- > c->ents_cap;) {
            p[i].qnext = c->free_head;
            c->free_head = i;
        }
        c->ents = p;
        c->ents_cap = cap;
    }
    *out = c->free_head;
    c->free_head = c->ents[*out].qnext;
    c->n_live++;
    return 0;
}

/* ---- arena: bodies in allocation order, compacted in place ----------------- */
static void arena_compact(struct mt_sess_client *c)
{
    uint32_t pos = 0;
    for (uint32_t i = c->a_head; i != MT_SESS_NONE; i = c->ents[i].anext) {
        struct creq *e = &c->ents[i];
        if (e->off != pos) memmove(c->arena + pos, c->arena + e->off, e->len);
        e->off = pos;
        pos += e->len;
    }
    c->a_used = pos;
}

static int arena_alloc(struct mt_sess_client *c, uint32_t ent, uint32_t len)
{
    if (c->a_used + len > c->a_cap && c->a_live + len <= c->a_cap) arena_compact(c);
    if (c->a_used + len > c->a_cap) {
        uint32_t cap = c->a_cap ? c->a_cap : 512;
        while (cap < c->a_used + len) cap *= 2;
        uint8_t *p = realloc(c->arena, cap);
        if (!p) return MT_E_NOMEM;
        c->arena = p;
        c->a_cap = cap;
    }
    struct creq *e = &c->ents[ent];
    e->off = c->a_used;
    e->len = len;
    c->a_used += len;
    c->a_live += len;
    e->anext = MT_SESS_NONE;
    e->aprev = c->a_tail;
    if (c->a_tail != MT_SESS_NONE) c->ents[c->a_tail].anext = ent;
    else c->a_head = ent;
    c->a_tail = ent;
    return 0;
}

static void arena_drop(struct mt_sess_client *c, uint32_t ent)
{
    struct creq *e = &c->ents[ent];
    if (!e->len) return;
    if (e->aprev != MT_SESS_NONE) c->ents[e->aprev].anext = e->anext;
    else c->a_head = e->anext;
    if (e->anext != MT_SESS_NONE) c->ents[e->anext].aprev = e->aprev;
    else {
        c->a_tail = e->aprev;
        c->a_used = e->aprev == MT_SESS_NONE ? 0 : c->ents[e->aprev].off + c->ents[e->aprev].len;
    }
    c->a_live -= e->len;
    e->len = 0;
    e->anext = e->aprev = MT_SESS_NONE;
}

/* ---- queue ----------------------------------------------------------------- */
static void queue_append(struct mt_sess_client *c, uint32_t ent)
{
    c->ents[ent].qnext = MT_SESS_NONE;
    if (c->q_tail != MT_SESS_NONE) c->ents[c->q_tail].qnext = ent;
    else c->q_head = ent;
    c->q_tail = ent;
    c->q_len++;
}

static void queue_unlink(struct mt_sess_client *c, uint32_t ent)
{
    uint32_t prev = MT_SESS_NONE;
    for (uint32_t i = c->q_head; i != MT_SESS_NONE; prev = i, i = c->ents[i].qnext) {
        if (i != ent) continue;
        if (prev == MT_SESS_NONE) c->q_head = c->ents[i].qnext;
        else c->ents[prev].qnext = c->ents[i].qnext;
        if (c->q_tail == ent) c->q_tail = prev;
        c->q_len--;
        return;
    }
}

void mt_sc_release(struct mt_sess_client *c, struct creq *e)
{
    uint32_t ent = (uint32_t)(e - c->ents);
    if (e->state == CRS_QUEUED) queue_unlink(c, ent);
    if (e->kind != CRK_ONESHOT) idx_remove(c, e->msg_id);
    arena_drop(c, ent);
    memset(e, 0, sizeof(*e));
    e->qnext = c->free_head;
    c->free_head = ent;
    c->n_live--;
    /* an idle session keeps little: a big arena goes back to the heap */
    if (c->n_live == 0 && c->a_cap > 65536) {
        free(c->arena);
        c->arena = NULL;
        c->a_cap = c->a_used = c->a_live = 0;
    }
}

void mt_sc_event(struct mt_sess_client *c, const struct mt_sess_event *ev)
{
    if (c->cb.on_event) c->cb.on_event(c->cb.ctx, ev);
}

struct mt_gzip *mt_sc_gzip(struct mt_sess_client *c)
{
    if (c->cfg.gz) return c->cfg.gz;
    if (!c->own_gz) c->own_gz = mt_gzip_new(0);
    return c->own_gz;
}

void mt_sc_fail(struct mt_sess_client *c, struct creq *e, const char *why)
{
    c->st.local_failures++;
    /* release before calling out: the callback may queue new requests */
    int kind = e->kind;
    uint64_t tag = e->tag, id = e->msg_id ? e->msg_id : e->old_id;
    mt_ns t0 = e->t0;
    mt_sc_release(c, e);
    if (kind == CRK_QUERY && c->cb.on_error)
        c->cb.on_error(c->cb.ctx, tag, id, MT_SESS_LOCAL_FAIL, why, strlen(why), 0, t0);
}

void mt_sc_requeue(struct mt_sess_client *c, struct creq *e, const char *why)
{
    if (e->state != CRS_SENT) return;
    if (e->resends >= c->cfg.max_resends) { mt_sc_fail(c, e, why); return; }
    idx_remove(c, e->msg_id);
    e->old_id = e->msg_id;
    e->msg_id = 0;
    e->state = CRS_QUEUED;
    e->resends++;
    e->flags &= (uint8_t)~CRF_ACKED;
    queue_append(c, (uint32_t)(e - c->ents));
    c->st.resent++;
}

void mt_sc_reassign_queued(struct mt_sess_client *c)
{
    for (uint32_t i = c->q_head; i != MT_SESS_NONE; i = c->ents[i].qnext) {
        struct creq *e = &c->ents[i];
        if (!e->msg_id) continue;
        if (e->kind != CRK_ONESHOT) idx_remove(c, e->msg_id);
        e->old_id = e->msg_id;
        e->msg_id = 0;
    }
}

int mt_sc_was_sent(const struct mt_sess_client *c, uint64_t id)
{
    for (size_t i = 0; i < MT_ARRAY_LEN(c->sent_outer); i++)
        if (c->sent_outer[i] == id) return 1;
    return 0;
}

int mt_sc_enqueue(struct mt_sess_client *c, int kind, const void *body, size_t len,
                  uint64_t tag, mt_ns t0, double wall, int content, uint64_t *msg_id)
{
    if (!c || !body || len < 4 || (len & 3) || len > (1u << 20)) return MT_E_RANGE;
    uint32_t ent;
    int rc = pool_alloc(c, &ent);
    if (rc) return rc;
    struct creq *e = &c->ents[ent];
    memset(e, 0, sizeof(*e));
    e->kind = (uint8_t)kind;
    e->anext = e->aprev = MT_SESS_NONE;
    if ((rc = arena_alloc(c, ent, (uint32_t)len)) != 0) {
        e->len = 0;
        mt_sc_release(c, e);
        return rc;
    }
    memcpy(c->arena + e->off, body, len);
    e->tag = tag;
    e->t0 = t0;
    e->flags = content ? CRF_CONTENT : 0;
    e->msg_id = mt_msgid_next(&c->gen, wall, 0);
    e->seq_no = mt_seqno_next(&c->seq_n, content);
    e->state = CRS_QUEUED;
    if (kind != CRK_ONESHOT && (rc = idx_insert(c, ent)) != 0) {
        mt_sc_release(c, e);
        return rc;
    }
    queue_append(c, ent);
    if (msg_id) *msg_id = e->msg_id;
    return 0;
}

/* ---- public: lifecycle, queries --------------------------------------------- */
struct mt_sess_client *mt_sess_client_new(const struct mt_sess_client_cfg *cfg,
                                          const struct mt_sess_client_cb *cb)
{
    if (!cfg) return NULL;
    struct mt_sess_client *c = calloc(1, sizeof(*c));
    if (!c) return NULL;
    c->cfg = *cfg;
    if (cb) c->cb = *cb;
    if (!c->cfg.ack_delay_ns) c->cfg.ack_delay_ns = MT_NS_PER_S;
    if (!c->cfg.ack_max) c->cfg.ack_max = 16;
    if (!c->cfg.max_resends) c->cfg.max_resends = 5;
    if (c->cfg.max_resends > 255) c->cfg.max_resends = 255;
    c->gen.offset = cfg->time_offset;
    c->time_synced = cfg->time_offset != 0;   /* set from the handshake's server_time */
    mt_msgid_window_init(&c->win);
    c->free_head = c->q_head = c->q_tail = c->a_head = c->a_tail = MT_SESS_NONE;
    return c;
}

void mt_sess_client_free(struct mt_sess_client *c)
{
    if (!c) return;
    mt_sess_acks_free(&c->acks);
    mt_gzip_free(c->own_gz);
    free(c->ents);
    free(c->idx);
    free(c->arena);
    free(c);
}

int mt_sess_client_query(struct mt_sess_client *c, const void *body, size_t len,
                         uint64_t tag, mt_ns t0, double wall, uint64_t *msg_id)
{
    return mt_sc_enqueue(c, CRK_QUERY, body, len, tag, t0, wall, 1, msg_id);
}

uint64_t mt_sess_client_peek_msg_id(const struct mt_sess_client *c, double wall)
{
    struct mt_msgid_gen g = c->gen;     /* a copy: nothing is consumed */
    return mt_msgid_next(&g, wall, 0);
}

int mt_sess_client_ping(struct mt_sess_client *c, uint64_t ping_id, int32_t disconnect_delay,
                        mt_ns now, double wall, uint64_t *msg_id)
{
    uint8_t b[16];
    size_t n = 12;
    mt_store_le32(b, disconnect_delay > 0 ? MT_TL_ID_PING_DELAY_DISCONNECT : MT_TL_ID_PING);
    mt_store_le64(b + 4, ping_id);
    if (disconnect_delay > 0) { mt_store_le32(b + 12, (uint32_t)disconnect_delay); n = 16; }
    return mt_sc_enqueue(c, CRK_PING, b, n, ping_id, now, wall, 1, msg_id);
}

int mt_sess_client_get_future_salts(struct mt_sess_client *c, int32_t num, mt_ns now,
                                    double wall, uint64_t *msg_id)
{
    uint8_t b[8];
    mt_store_le32(b, MT_TL_ID_GET_FUTURE_SALTS);
    mt_store_le32(b + 4, (uint32_t)num);
    return mt_sc_enqueue(c, CRK_FUTURE_SALTS, b, sizeof(b), 0, now, wall, 1, msg_id);
}

int mt_sess_client_destroy_session(struct mt_sess_client *c, uint64_t session_id, mt_ns now,
                                   double wall, uint64_t *msg_id)
{
    uint8_t b[12];
    mt_store_le32(b, MT_TL_ID_DESTROY_SESSION);
    mt_store_le64(b + 4, session_id);
    return mt_sc_enqueue(c, CRK_DESTROY_SESSION, b, sizeof(b), session_id, now, wall, 1, msg_id);
}

int mt_sess_client_drop_answer(struct mt_sess_client *c, uint64_t req_msg_id, mt_ns now,
                               double wall, uint64_t *msg_id)
{
    uint8_t b[12];
    mt_store_le32(b, MT_TL_ID_RPC_DROP_ANSWER);
    mt_store_le64(b + 4, req_msg_id);
    return mt_sc_enqueue(c, CRK_DROP_ANSWER, b, sizeof(b), req_msg_id, now, wall, 1, msg_id);
}

int mt_sess_client_state_req(struct mt_sess_client *c, const uint64_t *ids, size_t n,
                             mt_ns now, double wall, uint64_t *msg_id)
{
    if (!ids || n == 0 || n > MT_SESS_IDS_MAX) return MT_E_RANGE;
    uint8_t stack[12 + 8 * 64];
    size_t len = 12 + 8 * n;
    uint8_t *b = len <= sizeof(stack) ? stack : malloc(len);
    if (!b) return MT_E_NOMEM;
    mt_store_le32(b, MT_TL_ID_MSGS_STATE_REQ);
    mt_store_le32(b + 4, MT_TL_VECTOR);
    mt_store_le32(b + 8, (uint32_t)n);
    for (size_t i = 0; i < n; i++) mt_store_le64(b + 12 + 8 * i, ids[i]);
    int rc = mt_sc_enqueue(c, CRK_STATE_REQ, b, len, 0, now, wall, 0, msg_id);
    if (b != stack) free(b);
    return rc;
}

/* ---- build ------------------------------------------------------------------ */
static int acks_due(const struct mt_sess_client *c, mt_ns now, int force)
{
    if (!c->acks.n) return 0;
    return force || c->acks.n >= c->cfg.ack_max || now - c->acks.first_ns >= c->cfg.ack_delay_ns;
}

int mt_sess_client_want_send(const struct mt_sess_client *c, mt_ns now)
{
    return c->q_len > 0 || acks_due(c, now, 0);
}

mt_ns mt_sess_client_next_deadline(const struct mt_sess_client *c)
{
    return c->acks.n ? c->acks.first_ns + c->cfg.ack_delay_ns : 0;
}

/* Give a re-sent entry its new msg_id and seq_no (at build time, so that ids
 * stay increasing in the order messages go out). */
static int write_entry(struct mt_sess_client *c, struct creq *e, double wall)
{
    if (!e->msg_id) {
        e->msg_id = mt_msgid_next(&c->gen, wall, 0);
        e->seq_no = mt_seqno_next(&c->seq_n, e->flags & CRF_CONTENT);
        if (e->kind != CRK_ONESHOT) {
            int rc = idx_insert(c, (uint32_t)(e - c->ents));
            if (rc) return rc;
        }
        struct mt_sess_event ev;
        mt_sess_ev_init(&ev, MT_SESS_EV_RESENT);
        ev.msg_id = e->old_id;
        ev.answer_msg_id = e->msg_id;
        mt_sc_event(c, &ev);
    }
    return 0;
}

/* The stored body (gzip-packed above gzip_min) or the caller's rebuild. */
static int write_entry_body(struct mt_sess_client *c, struct creq *e, struct mt_tl_writer *w)
{
    if (!e->len) {
        if (!c->cb.rebuild) return MT_E_STATE;
        size_t start = w->pos;
        int rc = c->cb.rebuild(c->cb.ctx, e->tag, w);
        if (rc < 0) return rc;
        if (!w->overflow && (w->pos == start || ((w->pos - start) & 3))) return MT_E_RANGE;
        return 0;
    }
    const uint8_t *body = c->arena + e->off;
    if (c->cfg.gzip_min && e->len > c->cfg.gzip_min && e->kind == CRK_QUERY) {
        struct mt_gzip *gz = mt_sc_gzip(c);
        if (gz && mt_gzip_pack(gz, body, e->len, w) == 0) { c->st.gzip_out++; return 0; }
    }
    mt_tl_wraw(w, body, e->len);
    return 0;
}

/* After an entry went out: remember the envelope; forget one-shot messages
 * and, in rebuild mode, the query body. */
static void mark_sent(struct mt_sess_client *c, struct creq *e, uint64_t outer, mt_ns now)
{
    uint32_t ent = (uint32_t)(e - c->ents);
    c->q_head = e->qnext;
    if (c->q_head == MT_SESS_NONE) c->q_tail = MT_SESS_NONE;
    c->q_len--;
    e->qnext = MT_SESS_NONE;
    e->state = CRS_SENT;
    e->outer_id = outer;
    e->sent_ns = now;
    c->st.items_out++;
    if (e->kind == CRK_ONESHOT) { mt_sc_release(c, e); return; }
    if ((c->cfg.flags & MT_SESS_F_REBUILD) && e->kind == CRK_QUERY) arena_drop(c, ent);
}

/* A queued entry that cannot be written (rebuild failed): fail it. */
static void drop_head(struct mt_sess_client *c, struct creq *e, int rc)
{
    e->state = CRS_SENT;   /* leave the queue the ordinary way first */
    c->q_head = e->qnext;
    if (c->q_head == MT_SESS_NONE) c->q_tail = MT_SESS_NONE;
    c->q_len--;
    mt_sc_fail(c, e, rc == MT_E_RANGE ? "REBUILD_BAD_BODY" : "REBUILD_FAILED");
}

static void finish_envelope(struct mt_sess_client *c, uint8_t *out, uint64_t msg_id,
                            uint32_t seq_no, size_t body_len)
{
    struct mt_msg_hdr h = { c->cfg.salt, c->cfg.session_id, msg_id, seq_no, (uint32_t)body_len };
    mt_msg_hdr_write(out, &h);
    c->sent_outer[c->sent_outer_pos++ % MT_ARRAY_LEN(c->sent_outer)] = msg_id;
    c->st.msgs_out++;
}

static int build_single(struct mt_sess_client *c, uint8_t *out, size_t cap, mt_ns now,
                        double wall)
{
    struct mt_tl_writer w;
    mt_tl_writer_init(&w, out + MT_SESS_HDR, cap - MT_SESS_HDR);
    for (;;) {
        if (c->q_head == MT_SESS_NONE) {          /* acks alone */
            uint64_t id = mt_msgid_next(&c->gen, wall, 0);
            uint32_t n = mt_sess_acks_write(&c->acks, 0, &w);
            if (!n) return MT_E_OVERFLOW;
            mt_sess_acks_consume(&c->acks, n, now);
            c->st.acks_out += n;
            c->st.items_out++;
            finish_envelope(c, out, id, mt_seqno_next(&c->seq_n, 0), w.pos);
            return (int)(MT_SESS_HDR + w.pos);
        }
        struct creq *e = &c->ents[c->q_head];
        int rc = write_entry(c, e, wall);
        if (rc == 0) rc = write_entry_body(c, e, &w);
        if (rc < 0) {
            if (rc == MT_E_NOMEM) return rc;
            drop_head(c, e, rc);
            mt_tl_writer_init(&w, out + MT_SESS_HDR, cap - MT_SESS_HDR);
            if (c->q_head == MT_SESS_NONE && !c->acks.n) return 0;
            continue;
        }
        if (w.overflow) return MT_E_OVERFLOW;
        uint64_t id = e->msg_id;
        uint32_t seq = e->seq_no;
        mark_sent(c, e, id, now);
        finish_envelope(c, out, id, seq, w.pos);
        return (int)(MT_SESS_HDR + w.pos);
    }
}

static int build_container(struct mt_sess_client *c, uint8_t *out, size_t cap, mt_ns now,
                           double wall)
{
    struct mt_tl_writer w;
    struct mt_container_w cw;
    mt_tl_writer_init(&w, out + MT_SESS_HDR, cap - MT_SESS_HDR);
    mt_container_start(&cw, &w);
    uint32_t acks_from = 0, n_sent = 0;
    uint32_t sent[MT_SESS_CONTAINER_MAX];
    while (c->q_head != MT_SESS_NONE && cw.n < MT_SESS_CONTAINER_MAX - (c->acks.n ? 1 : 0)) {
        struct creq *e = &c->ents[c->q_head];
        size_t save = w.pos;
        int rc = write_entry(c, e, wall);
        if (rc == MT_E_NOMEM) return rc;
        mt_container_item_begin(&cw, e->msg_id, e->seq_no);
        if (rc == 0) rc = write_entry_body(c, e, &w);
        if (rc < 0) {
            if (rc == MT_E_NOMEM) return rc;
            w.pos = save; w.overflow = 0;
            drop_head(c, e, rc);
            continue;
        }
        if (w.overflow) { w.pos = save; w.overflow = 0; break; }
        mt_container_item_end(&cw);
        if (e->kind != CRK_ONESHOT) sent[n_sent++] = (uint32_t)(e - c->ents);
        mark_sent(c, e, 0, now);   /* outer id set below */
    }
    while (acks_from < c->acks.n && cw.n < MT_SESS_CONTAINER_MAX) {
        size_t save = w.pos;
        mt_container_item_begin(&cw, mt_msgid_next(&c->gen, wall, 0), mt_seqno_next(&c->seq_n, 0));
        uint32_t n = mt_sess_acks_write(&c->acks, acks_from, &w);
        if (!n || w.overflow) { w.pos = save; w.overflow = 0; break; }
        mt_container_item_end(&cw);
        acks_from += n;
        c->st.items_out++;
    }
    if (cw.n == 0) return MT_E_OVERFLOW;
    if (mt_container_finish(&cw) != 0) return MT_E_OVERFLOW;
    uint64_t id = mt_msgid_next(&c->gen, wall, 0);
    for (uint32_t i = 0; i < n_sent; i++) c->ents[sent[i]].outer_id = id;
    mt_sess_acks_consume(&c->acks, acks_from, now);
    c->st.acks_out += acks_from;
    c->st.containers_out++;
    finish_envelope(c, out, id, mt_seqno_next(&c->seq_n, 0), w.pos);
    return (int)(MT_SESS_HDR + w.pos);
}

int mt_sess_client_build(struct mt_sess_client *c, uint8_t *out, size_t cap, mt_ns now,
                         double wall, int force_acks)
{
    if (!c || !out) return MT_E_INVAL;
    int due = acks_due(c, now, force_acks);
    if (c->q_len == 0 && !due) return 0;
    if (cap < MT_SESS_HDR + 16) return MT_E_OVERFLOW;
    size_t things = c->q_len + (c->acks.n + MT_SESS_IDS_MAX - 1) / MT_SESS_IDS_MAX;
    if ((c->cfg.flags & MT_SESS_F_NO_CONTAINER) || things == 1)
        return build_single(c, out, cap, now, wall);
    return build_container(c, out, cap, now, wall);
}

/* ---- getters ------------------------------------------------------------------ */
void mt_sess_client_resend_all(struct mt_sess_client *c)
{
    for (uint32_t i = 0; i < c->ents_cap; i++) {
        struct creq *e = &c->ents[i];
        if (e->state != CRS_SENT) continue;
        if (!e->len && e->kind != CRK_QUERY) continue;
        e->resends = 0;
        mt_sc_requeue(c, e, "RESEND_ALL");
    }
}

uint64_t mt_sess_client_session_id(const struct mt_sess_client *c) { return c->cfg.session_id; }
uint64_t mt_sess_client_salt(const struct mt_sess_client *c) { return c->cfg.salt; }
void mt_sess_client_set_salt(struct mt_sess_client *c, uint64_t salt) { c->cfg.salt = salt; }
double mt_sess_client_time_offset(const struct mt_sess_client *c) { return c->gen.offset; }
size_t mt_sess_client_inflight(const struct mt_sess_client *c) { return c->n_live; }
size_t mt_sess_client_acks_pending(const struct mt_sess_client *c) { return c->acks.n; }
const struct mt_sess_stats *mt_sess_client_stats(const struct mt_sess_client *c) { return &c->st; }

size_t mt_sess_client_mem(const struct mt_sess_client *c)
{
    return sizeof(*c) + (size_t)c->ents_cap * sizeof(*c->ents) +
           (size_t)c->idx_cap * sizeof(*c->idx) + c->a_cap +
           (size_t)c->acks.cap * sizeof(*c->acks.ids);
}

int mt_sess_client_cancel(struct mt_sess_client *c, uint64_t tag)
{
    for (uint32_t i = 0; i < c->ents_cap; i++) {
        struct creq *e = &c->ents[i];
        if (e->state != CRS_FREE && e->tag == tag && (e->kind == CRK_QUERY || e->kind == CRK_PING)) {
            mt_sc_release(c, e);
            return 0;
        }
    }
    return MT_E_INVAL;
}
