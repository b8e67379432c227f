/* msg_container#73f1f8dc messages:vector<%Message>: build and parse
 * (service_messages.md "Containers"). Items are bare messages: msg_id:long
 * seqno:int bytes:int body. At most 1024 items, no nesting, every item's
 * msg_id below the container's. */
#include "core/mtproto/sess_internal.h"

void mt_container_start(struct mt_container_w *c, struct mt_tl_writer *w)
{
    c->w = w;
    c->n = 0;
    c->item_pos = 0;
    mt_tl_w32(w, MT_TL_ID_MSG_CONTAINER);
    c->count_pos = w->pos;
    mt_tl_w32(w, 0);
}

void mt_container_item_begin(struct mt_container_w *c, uint64_t msg_id, uint32_t seq_no)
{
    c->item_pos = c->w->pos;
    mt_tl_w64(c->w, msg_id);
    mt_tl_w32(c->w, seq_no);
    mt_tl_w32(c->w, 0);   /* bytes: patched by item_end */
}

void mt_container_item_end(struct mt_container_w *c)
{
    if (c->w->overflow) return;
    size_t body = c->w->pos - c->item_pos - 16;
    mt_store_le32(c->w->p + c->item_pos + 12, (uint32_t)body);
    c->n++;
}

void mt_container_add(struct mt_container_w *c, uint64_t msg_id, uint32_t seq_no,
                      const void *body, size_t len)
{
    mt_container_item_begin(c, msg_id, seq_no);
    mt_tl_wraw(c->w, body, len);
    mt_container_item_end(c);
}

int mt_container_finish(struct mt_container_w *c)
{
    if (c->w->overflow) return MT_E_OVERFLOW;
    if (c->n > MT_SESS_CONTAINER_MAX) return MT_E_CONTAINER;
    mt_store_le32(c->w->p + c->count_pos, c->n);
    return 0;
}

int mt_container_iter_init(struct mt_container_iter *it, const uint8_t *body, size_t len,
                           uint64_t container_msg_id)
{
    mt_tl_reader_init(&it->r, body, len);
    it->container_msg_id = container_msg_id;
    it->left = 0;
    if (mt_tl_u32(&it->r) != MT_TL_ID_MSG_CONTAINER) return MT_E_CONTAINER;
    uint32_t n = mt_tl_u32(&it->r);
    if (!mt_tl_ok(&it->r) || n > MT_SESS_CONTAINER_MAX) return MT_E_CONTAINER;
    /* each item takes at least 16 bytes of header + a 4-byte constructor */
    if ((size_t)n * 20 > mt_tl_left(&it->r)) return MT_E_CONTAINER;
    it->left = n;
    return 0;
}

int mt_container_next(struct mt_container_iter *it, struct mt_msg_item *item)
{
    struct mt_tl_reader *r = &it->r;
    if (it->left == 0)
        return mt_tl_left(r) == 0 && mt_tl_ok(r) ? 0 : MT_E_CONTAINER;
    item->msg_id = mt_tl_u64(r);
    item->seq_no = mt_tl_u32(r);
    item->len = mt_tl_u32(r);
    if (!mt_tl_ok(r) || item->len < 4 || (item->len & 3)) return MT_E_CONTAINER;
    item->body = mt_tl_take(r, item->len);
    if (!item->body) return MT_E_CONTAINER;
    if (item->msg_id >= it->container_msg_id) return MT_E_CONTAINER;
    if (mt_load_le32(item->body) == MT_TL_ID_MSG_CONTAINER) return MT_E_CONTAINER;
    it->left--;
    return 1;
}
